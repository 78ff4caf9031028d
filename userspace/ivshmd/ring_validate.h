/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring_validate.h - hostile-guest validation of queue geometry, ring indices
 * and descriptor chains.  Everything read from the window is read once into a
 * private copy (guestmem.h) and checked there.
 */
#ifndef IVSHMD_RING_VALIDATE_H
#define IVSHMD_RING_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

/* One buffer of a chain: a validated window range. */
struct ivd_seg {
	uint64_t off;
	uint32_t len;
	bool write;		/* device-writable */
};

struct ivd_chain {
	uint16_t head;
	unsigned int nr;	/* segments in seg[] (zero-length ones dropped) */
	unsigned int nr_read;	/* the first nr_read are device-readable */
	uint64_t read_bytes;
	uint64_t write_bytes;
	struct ivd_seg seg[IVD_QUEUE_LIMIT];
};

/*
 * Check a queue the guest asks to enable.  Returns an enum ivv_ack_result:
 * IVV_ACK_OK when size is a power of two <= max_size, the vector exists (or
 * is IVV_NO_VECTOR), and each ring is aligned and entirely inside the
 * guest-managed part of the window.
 */
int ivd_check_queue_config(const struct ivd_window *w, uint16_t max_size, uint32_t num_vectors,
			   uint16_t size, uint16_t vector, uint64_t desc, uint64_t avail,
			   uint64_t used);

/* avail->idx may run at most @size entries ahead of what we consumed. */
static inline bool ivd_avail_distance_ok(uint16_t avail_idx, uint16_t last_avail, uint16_t size)
{
	return (uint16_t)(avail_idx - last_avail) <= size;
}

/*
 * Walk the descriptor chain starting at @head of an enabled queue, reading
 * each descriptor once.  Checks: head and every next < size, at most size
 * descriptors (no loops), device-readable buffers before device-writable
 * ones, every non-empty buffer inside the guest-managed window.  An
 * INDIRECT descriptor is refused unless negotiated (vq->indirect); then it
 * must end the chain, its table must lie in the window, be a non-empty
 * multiple of 16 bytes of at most queue-size entries, contain no INDIRECT
 * entry, and be walked under the same rules (next < entries, no loops).  At
 * most queue-size buffers in all (a queue is at most IVD_QUEUE_LIMIT).  Returns 0 with @c
 * filled, or an enum ivv_broken_reason.
 */
int ivd_read_chain(const struct ivd_window *w, const struct ivd_vq *vq, uint16_t head,
		   struct ivd_chain *c);

#endif
