/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test-ivshmd-guest.h - an in-process fake guest driver for ivshmd's device
 * side: a window in plain memory, the register handshake called directly,
 * one split ring, a memfd as the virtio-blk backing store and a synchronous
 * backend.  Shared by the ivshmd unit tests and the fuzz target.
 */
#ifndef TEST_IVSHMD_GUEST_H
#define TEST_IVSHMD_GUEST_H

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivshmd/blk.h"
#include "ivshmd/guestmem.h"
#include "ivshmd/log.h"
#include "ivshmd/transport.h"
#include "ivshmd/vring.h"

#define FG_WINDOW	(1u << 20)
#define FG_DESC		0x1000u
#define FG_AVAIL	0x2000u
#define FG_USED		0x3000u
#define FG_BUFS		0x10000u
#define FG_VECTORS	2u

struct fg {
	struct ivd_window win;
	uint8_t *mem;
	struct ivd_dev dev;
	struct ivd_blk blk;
	unsigned int irqs[FG_VECTORS];
	uint16_t qsize;
	uint16_t avail_idx;
	uint16_t used_seen;
	uint32_t seq;
};

static inline void fg_notify(void *ctx, unsigned int vector)
{
	struct fg *g = ctx;

	if (vector < FG_VECTORS)
		g->irqs[vector]++;
}

static inline struct ivv_header *fg_hdr(struct fg *g)
{
	return (struct ivv_header *)g->mem;
}

/* A window of FG_WINDOW bytes and a memfd disk of @disk bytes. */
static inline int fg_init(struct fg *g, uint64_t disk, bool readonly)
{
	int fd;

	memset(g, 0, sizeof(*g));
	g->mem = aligned_alloc(4096, FG_WINDOW);
	if (!g->mem)
		return -1;
	memset(g->mem, 0, FG_WINDOW);
	ivd_window_wrap(&g->win, g->mem, FG_WINDOW);
	fd = memfd_create("fg-disk", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)disk) < 0)
		return -1;
	if (ivd_blk_init_fd(&g->blk, fd, disk, readonly, 0))
		return -1;
	ivd_dev_init(&g->dev, &g->win, 0, FG_VECTORS, ivd_blk_ops(&g->blk), &g->blk, fg_notify, g);
	return 0;
}

static inline void fg_destroy(struct fg *g)
{
	ivd_blk_close(&g->blk);
	free(g->mem);
}

/* Post a handshake request and let the host handle it; returns ack_result. */
static inline int fg_req(struct fg *g, uint32_t op, uint32_t arg, uint32_t val)
{
	struct ivv_header *h = fg_hdr(g);

	gm_st32(&h->req_op, op);
	gm_st32(&h->req_arg, arg);
	gm_st32(&h->req_val, val);
	gm_st32(&h->req_seq, ++g->seq);
	ivd_dev_kick(&g->dev, 0);
	if (gm_ld32(&h->ack_seq) != g->seq)
		return -1;
	return (int)gm_ld32(&h->ack_result);
}

static inline uint32_t fg_status(struct fg *g)
{
	return gm_ld32(&fg_hdr(g)->device_status);
}

static inline void fg_set_queue(struct fg *g, uint16_t size, uint16_t vector, uint64_t desc,
				uint64_t avail, uint64_t used)
{
	struct ivv_queue *q = &fg_hdr(g)->queues[0];

	gm_st16(&q->size, size);
	gm_st16(&q->msix_vector, vector);
	gm_st64(&q->desc, desc);
	gm_st64(&q->driver, avail);
	gm_st64(&q->device, used);
}

/* Reset, negotiate @features, enable queue 0 with @qsize, DRIVER_OK. */
static inline int fg_setup(struct fg *g, uint64_t features, uint16_t qsize)
{
	const uint32_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	int r;

	if (fg_req(g, IVV_OP_SET_STATUS, 0, 0))
		return -1;
	memset(g->mem + FG_DESC, 0, 3 * 0x1000);
	g->qsize = qsize;
	g->avail_idx = 0;
	g->used_seen = 0;
	if (fg_req(g, IVV_OP_SET_STATUS, 0, s))
		return -1;
	gm_st64(&fg_hdr(g)->driver_features, features);
	r = fg_req(g, IVV_OP_SET_STATUS, 0, s | VIRTIO_CONFIG_S_FEATURES_OK);
	if (r)
		return r;
	fg_set_queue(g, qsize, 1, FG_DESC, FG_AVAIL, FG_USED);
	r = fg_req(g, IVV_OP_QUEUE_ENABLE, 0, 0);
	if (r)
		return r;
	return fg_req(g, IVV_OP_SET_STATUS, 0,
		      s | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static inline uint64_t fg_all_features(struct fg *g)
{
	return gm_ld64(&fg_hdr(g)->device_features);
}

static inline void fg_desc(struct fg *g, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	uint8_t *d = g->mem + FG_DESC + 16u * i;

	gm_st64(d, addr);
	gm_st32(d + 8, len);
	gm_st16(d + 12, flags);
	gm_st16(d + 14, next);
}

static inline void fg_post(struct fg *g, uint16_t head)
{
	gm_st16(g->mem + FG_AVAIL + 4 + 2u * (g->avail_idx % g->qsize), head);
	g->avail_idx++;
	gm_st16(g->mem + FG_AVAIL + 2, g->avail_idx);
}

/* Ring the queue's doorbell and complete everything the backend finished. */
static inline void fg_kick(struct fg *g)
{
	ivd_dev_kick(&g->dev, 1);
	ivd_blk_reap(&g->blk, &g->dev);
}

static inline uint16_t fg_used_idx(struct fg *g)
{
	return gm_ld16(g->mem + FG_USED + 2);
}

/* Used element @k (0 = oldest not yet seen). */
static inline void fg_used(struct fg *g, unsigned int k, uint32_t *id, uint32_t *len)
{
	const uint8_t *e = g->mem + FG_USED + 4 + 8u * ((g->used_seen + k) % g->qsize);

	*id = gm_ld32(e);
	*len = gm_ld32(e + 4);
}

/*
 * A virtio-blk request in descriptors 3*slot.. : header, optional data
 * (device-writable when @in), status.  Returns the head.
 */
static inline uint16_t fg_blk(struct fg *g, unsigned int slot, uint32_t type, uint64_t sector,
			      uint32_t datalen, bool in)
{
	uint64_t base = FG_BUFS + slot * 0x12000ull;
	uint16_t d = (uint16_t)(3 * slot);
	uint8_t *h = g->mem + base;

	gm_st32(h, type);
	gm_st32(h + 4, 0);
	gm_st64(h + 8, sector);
	g->mem[base + 0x11000] = 0xff;
	if (datalen) {
		fg_desc(g, d, base, 16, VRING_DESC_F_NEXT, d + 1);
		fg_desc(g, d + 1, base + 0x100, datalen,
			VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0), d + 2);
	} else {
		fg_desc(g, d, base, 16, VRING_DESC_F_NEXT, d + 2);
	}
	fg_desc(g, d + 2, base + 0x11000, 1, VRING_DESC_F_WRITE, 0);
	return d;
}

static inline uint8_t *fg_blk_data(struct fg *g, unsigned int slot)
{
	return g->mem + FG_BUFS + slot * 0x12000ull + 0x100;
}

static inline uint8_t fg_blk_status(struct fg *g, unsigned int slot)
{
	return g->mem[FG_BUFS + slot * 0x12000ull + 0x11000];
}

/* ---- tiny test framework ---- */
static int fg_failures __attribute__((unused));
#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		fg_failures++; \
	} \
} while (0)
#define CHECK_EQ(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, \
			__LINE__, #a, #b, _a, _b); \
		fg_failures++; \
	} \
} while (0)

#endif
