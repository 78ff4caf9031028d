/* SPDX-License-Identifier: GPL-2.0 */
/* vring.h - device side of a split virtqueue in the window, with EVENT_IDX. */
#ifndef IVSHMD_VRING_H
#define IVSHMD_VRING_H

#include "device.h"
#include "ring_validate.h"

/*
 * Take the next available chain of queue @q into @c.  Returns 1 with a
 * chain, 0 when the ring is empty, or -1 after marking the device broken
 * (ring indices or the chain were invalid).
 */
int ivd_vq_pop(struct ivd_dev *dev, unsigned int q, struct ivd_chain *c);

/*
 * With EVENT_IDX, ask the guest to kick once it adds past what we consumed;
 * then re-check.  Returns true when more buffers are already available.
 */
bool ivd_vq_rearm(struct ivd_dev *dev, unsigned int q);

/* Write one used element (not yet visible: see ivd_vq_publish). */
void ivd_vq_push(struct ivd_dev *dev, unsigned int q, uint16_t head, uint32_t len);

/* Publish pushed elements and interrupt the guest unless it suppressed it. */
void ivd_vq_publish(struct ivd_dev *dev, unsigned int q);

/* Split-ring event index test (virtio 1.x 2.7.7.2). */
static inline bool ivd_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
