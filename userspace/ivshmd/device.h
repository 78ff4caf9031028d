/* SPDX-License-Identifier: GPL-2.0 */
/*
 * device.h - ivshmd's private view of the virtio device: negotiated state and
 * per-queue geometry (copies validated once; the window's values are never
 * trusted again), and the hooks a device type (virtio-blk) plugs in.
 */
#ifndef IVSHMD_DEVICE_H
#define IVSHMD_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "window.h"

/* Ring size offered unless a device type asks for more (ops->queue_max_size). */
#define IVD_QUEUE_MAX_SIZE	256
/* Largest ring any device type may offer; also the most buffers in a chain. */
#define IVD_QUEUE_LIMIT		1024

struct ivd_vq {
	bool enabled;
	uint16_t size;		/* power of two */
	uint16_t vector;	/* MSI-X vector or IVV_NO_VECTOR */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	uint64_t desc, avail, used;	/* validated window offsets */
	uint16_t last_avail;	/* next avail ring slot to consume */
	uint16_t used_idx;	/* next used ring slot (private) */
	uint16_t published_used;	/* used idx last published */
	unsigned int inflight;
};

struct ivd_dev;

/* What a device type provides. */
struct ivd_device_ops {
	uint32_t device_id;
	uint64_t features;	/* device-specific feature bits */
	uint16_t num_queues;
	/* Largest ring the guest may choose, a power of two <= IVD_QUEUE_LIMIT
	 * (0 = IVD_QUEUE_MAX_SIZE).  A chain may hold as many buffers as its
	 * queue has entries, indirect tables included (virtio 1.x 2.7.5.3.1). */
	uint16_t queue_max_size;
	/* virtio shm id of the window's shared-memory region, if one is reserved */
	uint8_t shm_id;
	/* Fill the config space (at most IVV_CONFIG_SPACE_SIZE); returns size. */
	unsigned int (*fill_config)(void *ctx, uint8_t *cfg);
	/* Consume available requests of queue @q (after DRIVER_OK). */
	void (*process_queue)(void *ctx, struct ivd_dev *dev, unsigned int q);
	/* Wait for every request handed to the backend; drop their results. */
	void (*drain)(void *ctx, struct ivd_dev *dev);
};

struct ivd_dev {
	struct ivd_window *win;
	uint32_t server_id;
	uint32_t num_vectors;
	const struct ivd_device_ops *ops;
	void *ops_ctx;
	/* raise guest MSI-X vector @vector */
	void (*notify)(void *ctx, unsigned int vector);
	void *notify_ctx;

	uint64_t device_features;
	uint64_t driver_features;	/* private copy, valid after FEATURES_OK */
	uint32_t status;		/* private status, without NEEDS_RESET */
	bool broken;
	uint32_t broken_reason;
	uint32_t last_seq;		/* last handshake sequence handled */
	uint16_t config_vector;
	uint32_t config_generation;
	uint16_t num_queues;
	uint16_t queue_max_size;	/* offered to the guest, see ivd_device_ops */
	struct ivd_vq vq[IVV_MAX_QUEUES];

	/* counters */
	uint64_t handshakes, kicks, requests, notifies;
};

#endif
