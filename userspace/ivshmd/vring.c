// SPDX-License-Identifier: GPL-2.0
/* vring.c - device side of split virtqueues living in the shared window. */
#include <linux/virtio_ring.h>

#include "guestmem.h"
#include "log.h"
#include "transport.h"
#include "vring.h"

static bool event_idx(const struct ivd_dev *dev)
{
	return dev->driver_features & (1ull << VIRTIO_RING_F_EVENT_IDX);
}

/* avail ring: flags@0 idx@2 ring[size]@4 used_event@4+2*size */
static uint8_t *avail_p(const struct ivd_dev *dev, const struct ivd_vq *vq, uint64_t off)
{
	return dev->win->base + vq->avail + off;
}

/* used ring: flags@0 idx@2 ring[size]{id,len}@4 avail_event@4+8*size */
static uint8_t *used_p(const struct ivd_dev *dev, const struct ivd_vq *vq, uint64_t off)
{
	return dev->win->base + vq->used + off;
}

int ivd_vq_pop(struct ivd_dev *dev, unsigned int q, struct ivd_chain *c)
{
	struct ivd_vq *vq = &dev->vq[q];
	uint16_t avail_idx, head;
	int err;

	if (!vq->enabled || dev->broken)
		return 0;
	avail_idx = gm_ld16(avail_p(dev, vq, 2));
	if (!ivd_avail_distance_ok(avail_idx, vq->last_avail, vq->size)) {
		ivd_log_guest("queue %u: avail idx %u is more than %u ahead of %u", q, avail_idx,
			      vq->size, vq->last_avail);
		ivd_dev_set_broken(dev, IVV_BROKEN_AVAIL_IDX);
		return -1;
	}
	if (avail_idx == vq->last_avail)
		return 0;
	gm_acquire();	/* ring entries after the index */
	head = gm_ld16(avail_p(dev, vq, 4 + 2u * (vq->last_avail & (vq->size - 1))));
	err = ivd_read_chain(dev->win, vq, head, c);
	if (err) {
		ivd_log_guest("queue %u: bad descriptor chain at head %u (reason %d)", q, head,
			      err);
		ivd_dev_set_broken(dev, err);
		return -1;
	}
	vq->last_avail++;
	return 1;
}

bool ivd_vq_rearm(struct ivd_dev *dev, unsigned int q)
{
	struct ivd_vq *vq = &dev->vq[q];

	if (!vq->enabled || dev->broken || !event_idx(dev))
		return false;
	gm_st16(used_p(dev, vq, 4 + 8u * vq->size), vq->last_avail);
	gm_mb();	/* avail_event visible before we look at avail idx again */
	return gm_ld16(avail_p(dev, vq, 2)) != vq->last_avail;
}

void ivd_vq_push(struct ivd_dev *dev, unsigned int q, uint16_t head, uint32_t len)
{
	struct ivd_vq *vq = &dev->vq[q];
	uint8_t *e;

	if (!vq->enabled)
		return;
	e = used_p(dev, vq, 4 + 8u * (vq->used_idx & (vq->size - 1)));
	gm_st32(e, head);
	gm_st32(e + 4, len);
	vq->used_idx++;
}

void ivd_vq_publish(struct ivd_dev *dev, unsigned int q)
{
	struct ivd_vq *vq = &dev->vq[q];
	uint16_t old = vq->published_used, new_idx = vq->used_idx;
	bool notify;

	if (!vq->enabled || old == new_idx)
		return;
	gm_release();	/* used elements before the index */
	gm_st16(used_p(dev, vq, 2), new_idx);
	vq->published_used = new_idx;
	gm_mb();	/* index visible before we read the guest's suppression */
	if (event_idx(dev))
		notify = ivd_need_event(gm_ld16(avail_p(dev, vq, 4 + 2u * vq->size)), new_idx, old);
	else
		notify = !(gm_ld16(avail_p(dev, vq, 0)) & VRING_AVAIL_F_NO_INTERRUPT);
	if (notify && vq->vector != IVV_NO_VECTOR) {
		dev->notifies++;
		dev->notify(dev->notify_ctx, vq->vector);
	}
}
