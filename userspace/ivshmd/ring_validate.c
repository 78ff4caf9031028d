// SPDX-License-Identifier: GPL-2.0
/* ring_validate.c - validation of guest-controlled ring geometry and chains. */
#include <endian.h>
#include <linux/virtio_ring.h>
#include <string.h>

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

struct raw_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* One descriptor of the ring's table: aligned, single loads. */
static void ring_desc(const uint8_t *d, struct raw_desc *r)
{
	r->addr = gm_ld64(d);
	r->len = gm_ld32(d + 8);
	r->flags = gm_ld16(d + 12);
	r->next = gm_ld16(d + 14);
}

/* One entry of an indirect table: any alignment, so copied bytewise once. */
static void indirect_desc(const uint8_t *d, struct raw_desc *r)
{
	uint8_t b[16];

	gm_copy_in(b, d, sizeof(b));
	memcpy(&r->addr, b, 8);
	memcpy(&r->len, b + 8, 4);
	memcpy(&r->flags, b + 12, 2);
	memcpy(&r->next, b + 14, 2);
	r->addr = le64toh(r->addr);
	r->len = le32toh(r->len);
	r->flags = le16toh(r->flags);
	r->next = le16toh(r->next);
}

/* Add one buffer to the chain; 0 or an enum ivv_broken_reason. */
static int add_seg(const struct ivd_window *w, struct ivd_chain *c, unsigned int max,
		   const struct raw_desc *r, bool *seen_write)
{
	bool write = r->flags & VRING_DESC_F_WRITE;
	struct ivd_seg *s;

	if (!write && *seen_write)
		return IVV_BROKEN_DESC;
	*seen_write |= write;
	if (!r->len)
		return 0;
	if (!ivd_window_range_ok(w, r->addr, r->len))
		return IVV_BROKEN_ADDR;
	if (c->nr >= max || c->nr >= IVD_QUEUE_LIMIT)
		return IVV_BROKEN_CHAIN;
	s = &c->seg[c->nr++];
	s->off = r->addr;
	s->len = r->len;
	s->write = write;
	if (write) {
		c->write_bytes += r->len;
	} else {
		c->nr_read++;
		c->read_bytes += r->len;
	}
	return 0;
}

/* Walk an indirect table (already range-checked): @n entries. */
static int walk_indirect(const struct ivd_window *w, struct ivd_chain *c, unsigned int max,
			 const uint8_t *table, unsigned int n, bool *seen_write)
{
	unsigned int idx = 0, count = 0;
	struct raw_desc r;
	int err;

	for (;;) {
		indirect_desc(table + 16u * idx, &r);
		if (++count > n)
			return IVV_BROKEN_CHAIN;	/* a loop */
		if (r.flags & VRING_DESC_F_INDIRECT)
			return IVV_BROKEN_CHAIN;	/* nested */
		err = add_seg(w, c, max, &r, seen_write);
		if (err)
			return err;
		if (!(r.flags & VRING_DESC_F_NEXT))
			return 0;
		if (r.next >= n)
			return IVV_BROKEN_DESC;
		idx = r.next;
	}
}

int ivd_read_chain(const struct ivd_window *w, const struct ivd_vq *vq, uint16_t head,
		   struct ivd_chain *c)
{
	const uint8_t *table = w->base + vq->desc;
	uint16_t idx = head;
	unsigned int count = 0;
	bool seen_write = false;
	struct raw_desc r;
	int err;

	c->head = head;
	c->nr = 0;
	c->nr_read = 0;
	c->read_bytes = 0;
	c->write_bytes = 0;
	if (head >= vq->size)
		return IVV_BROKEN_DESC;
	for (;;) {
		ring_desc(table + 16u * idx, &r);
		if (++count > vq->size)
			return IVV_BROKEN_CHAIN;	/* a loop */
		if (r.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect || (r.flags & VRING_DESC_F_NEXT) ||
			    !r.len || r.len % 16 || r.len / 16 > vq->size)
				return IVV_BROKEN_CHAIN;
			if (!ivd_window_range_ok(w, r.addr, r.len))
				return IVV_BROKEN_ADDR;
			return walk_indirect(w, c, vq->size, w->base + r.addr, r.len / 16,
					     &seen_write);
		}
		err = add_seg(w, c, vq->size, &r, &seen_write);
		if (err)
			return err;
		if (!(r.flags & VRING_DESC_F_NEXT))
			return 0;
		if (r.next >= vq->size)
			return IVV_BROKEN_DESC;
		idx = r.next;
	}
}
