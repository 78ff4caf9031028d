/* SPDX-License-Identifier: GPL-2.0 */
/*
 * transport.h - the transport header and the register handshake: feature
 * negotiation, device status, reset, queue enable (device status machine).
 */
#ifndef IVSHMD_TRANSPORT_H
#define IVSHMD_TRANSPORT_H

#include "device.h"

/* Features every virtio-ivshmem device offers (besides the device's own). */
#define IVD_TRANSPORT_FEATURES \
	((1ull << 32) /* VIRTIO_F_VERSION_1 */ | (1ull << 33) /* ACCESS_PLATFORM */ | \
	 (1ull << 29) /* VIRTIO_RING_F_EVENT_IDX */)
#define IVD_REQUIRED_FEATURES	((1ull << 32) | (1ull << 33))

/* Initialise @dev and write the header page of @win (host_state READY). */
void ivd_dev_init(struct ivd_dev *dev, struct ivd_window *win, uint32_t server_id,
		  uint32_t num_vectors, const struct ivd_device_ops *ops, void *ops_ctx,
		  void (*notify)(void *ctx, unsigned int vector), void *notify_ctx);

/* Offer more features (e.g. VIRTIO_RING_F_INDIRECT_DESC) before the guest
 * negotiates. */
void ivd_dev_offer(struct ivd_dev *dev, uint64_t features);

/* A doorbell on @vector: handle a handshake request, then serve the queues. */
void ivd_dev_kick(struct ivd_dev *dev, unsigned int vector);

/* Handle a pending handshake request, if any.  Returns true if one was. */
bool ivd_dev_handshake(struct ivd_dev *dev);

/* Serve every enabled queue (device must be DRIVER_OK and not broken). */
void ivd_dev_process_all(struct ivd_dev *dev);

bool ivd_dev_running(const struct ivd_dev *dev);

/* Stop serving the guest: set DEVICE_NEEDS_RESET with @reason, tell it. */
void ivd_dev_set_broken(struct ivd_dev *dev, uint32_t reason);

/* Bump the liveness counter (called every IVV_HEARTBEAT_MS). */
void ivd_dev_heartbeat(struct ivd_dev *dev);

/* Server going away: NEEDS_RESET + host_state GONE, config interrupt. */
void ivd_dev_shutdown(struct ivd_dev *dev);

/* Reset to status 0 (drains in-flight requests without completing them). */
void ivd_dev_reset(struct ivd_dev *dev);

#endif
