// SPDX-License-Identifier: GPL-2.0
/* ring_validate.c - validation of guest-controlled ring geometry and chains. */
#include <linux/virtio_ring.h>

#include "guestmem.h"
#include "ring_validate.h"

static bool ring_ok(const struct ivd_window *w, uint64_t off, uint64_t len, uint64_t align)
{
	return !(off & (align - 1)) && ivd_window_range_ok(w, off, len);
}

int ivd_check_queue_config(const struct ivd_window *w, uint16_t max_size, uint32_t num_vectors,
			   uint16_t size, uint16_t vector, uint64_t desc, uint64_t avail,
			   uint64_t used)
{
	if (!ivd_is_pow2(size) || size > max_size)
		return IVV_ACK_INVALID;
	if (vector != IVV_NO_VECTOR && vector >= num_vectors)
		return IVV_ACK_INVALID;
	if (!ring_ok(w, desc, IVV_DESC_BYTES(size), IVV_DESC_ALIGN) ||
	    !ring_ok(w, avail, IVV_AVAIL_BYTES(size), IVV_AVAIL_ALIGN) ||
	    !ring_ok(w, used, IVV_USED_BYTES(size), IVV_USED_ALIGN))
		return IVV_ACK_INVALID;
	return IVV_ACK_OK;
}

int ivd_read_chain(const struct ivd_window *w, const struct ivd_vq *vq, uint16_t head,
		   struct ivd_chain *c)
{
	const uint8_t *table = w->base + vq->desc;
	uint16_t idx = head;
	unsigned int count = 0;
	bool seen_write = false;

	c->head = head;
	c->nr = 0;
	c->nr_read = 0;
	c->read_bytes = 0;
	c->write_bytes = 0;
	if (head >= vq->size)
		return IVV_BROKEN_DESC;
	for (;;) {
		const uint8_t *d = table + 16u * idx;
		uint64_t addr = gm_ld64(d);
		uint32_t len = gm_ld32(d + 8);
		uint16_t flags = gm_ld16(d + 12);
		uint16_t next = gm_ld16(d + 14);
		bool write = flags & VRING_DESC_F_WRITE;

		if (++count > vq->size)
			return IVV_BROKEN_CHAIN;	/* a loop */
		if (flags & VRING_DESC_F_INDIRECT)
			return IVV_BROKEN_CHAIN;	/* not offered */
		if (!write && seen_write)
			return IVV_BROKEN_DESC;
		seen_write |= write;
		if (len) {
			struct ivd_seg *s;

			if (!ivd_window_range_ok(w, addr, len))
				return IVV_BROKEN_ADDR;
			s = &c->seg[c->nr++];
			s->off = addr;
			s->len = len;
			s->write = write;
			if (write) {
				c->write_bytes += len;
			} else {
				c->nr_read++;
				c->read_bytes += len;
			}
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		if (next >= vq->size)
			return IVV_BROKEN_DESC;
		idx = next;
	}
}
