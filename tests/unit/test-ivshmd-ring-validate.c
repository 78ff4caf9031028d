// SPDX-License-Identifier: GPL-2.0
/*
 * Ring and descriptor validation (userspace/ivshmd/ring_validate.c,
 * window.c, vring.c): queue geometry, avail index distance, chain walking
 * (loops, indices, indirect, direction, window bounds, overflow), the
 * EVENT_IDX test.
 */
#include <errno.h>

#include "test-ivshmd-guest.h"

static void test_window_range(void)
{
	struct ivd_window w;
	static uint8_t buf[1 << 16];

	ivd_window_wrap(&w, buf, sizeof(buf));
	CHECK(ivd_window_range_ok(&w, IVV_HEADER_SIZE, 1));
	CHECK(ivd_window_range_ok(&w, sizeof(buf) - 1, 1));
	CHECK(ivd_window_range_ok(&w, IVV_HEADER_SIZE, sizeof(buf) - IVV_HEADER_SIZE));
	CHECK(!ivd_window_range_ok(&w, sizeof(buf) - 1, 2));
	CHECK(!ivd_window_range_ok(&w, IVV_HEADER_SIZE - 1, 1));	/* header page */
	CHECK(!ivd_window_range_ok(&w, 0, 16));
	CHECK(!ivd_window_range_ok(&w, sizeof(buf), 0));
	CHECK(!ivd_window_range_ok(&w, UINT64_MAX - 4, 16));		/* wraps */
	CHECK(!ivd_window_range_ok(&w, IVV_HEADER_SIZE, UINT64_MAX));
	CHECK(ivd_is_pow2(1) && ivd_is_pow2(4096) && !ivd_is_pow2(0) && !ivd_is_pow2(12));
}

/* A shared-memory region (--dax) at the window's tail is not guest-managed. */
static void test_shm_region(void)
{
	const uint64_t size = 64ull << 20, shm = 32ull << 20;
	struct ivd_window w;
	uint8_t *buf = calloc(1, size);

	CHECK(buf);
	ivd_window_wrap(&w, buf, size);
	CHECK(ivd_window_reserve_shm(&w, 0) == -EINVAL);
	CHECK(ivd_window_reserve_shm(&w, (2ull << 20) + 4096) == -EINVAL);	/* not 2M */
	CHECK(ivd_window_reserve_shm(&w, size) == -EINVAL);
	CHECK(ivd_window_reserve_shm(&w, size - (8ull << 20)) == -EINVAL);	/* < 16M left */
	CHECK(w.guest_end == size);
	CHECK(ivd_window_reserve_shm(&w, shm) == 0);
	CHECK(w.guest_end == size - shm);
	CHECK(ivd_window_range_ok(&w, size - shm - 1, 1));
	CHECK(!ivd_window_range_ok(&w, size - shm - 1, 2));
	CHECK(!ivd_window_range_ok(&w, size - shm, 1));
	CHECK(!ivd_window_range_ok(&w, size - 1, 1));
	free(buf);
}

static void test_queue_config(void)
{
	struct ivd_window w;
	static uint8_t buf[1 << 20];
	const uint64_t end = sizeof(buf);

	ivd_window_wrap(&w, buf, sizeof(buf));
#define QC(size, vec, d, a, u) ivd_check_queue_config(&w, 256, 2, size, vec, d, a, u)
	CHECK_EQ(QC(256, 1, 0x1000, 0x2000, 0x3000), IVV_ACK_OK);
	CHECK_EQ(QC(1, IVV_NO_VECTOR, 0x1000, 0x2000, 0x3000), IVV_ACK_OK);
	CHECK_EQ(QC(0, 1, 0x1000, 0x2000, 0x3000), IVV_ACK_INVALID);
	CHECK_EQ(QC(96, 1, 0x1000, 0x2000, 0x3000), IVV_ACK_INVALID);
	CHECK_EQ(QC(512, 1, 0x1000, 0x2000, 0x3000), IVV_ACK_INVALID);
	CHECK_EQ(QC(16, 2, 0x1000, 0x2000, 0x3000), IVV_ACK_INVALID);	/* vector */
	CHECK_EQ(QC(16, 1, 0x1008, 0x2000, 0x3000), IVV_ACK_INVALID);	/* desc align */
	CHECK_EQ(QC(16, 1, 0x1000, 0x2001, 0x3000), IVV_ACK_INVALID);	/* avail align */
	CHECK_EQ(QC(16, 1, 0x1000, 0x2000, 0x3002), IVV_ACK_INVALID);	/* used align */
	CHECK_EQ(QC(16, 1, 0, 0x2000, 0x3000), IVV_ACK_INVALID);	/* header page */
	CHECK_EQ(QC(16, 1, end - 16 * 16, 0x2000, 0x3000), IVV_ACK_OK);	/* exactly fits */
	CHECK_EQ(QC(16, 1, end - 16 * 15, 0x2000, 0x3000), IVV_ACK_INVALID);
	CHECK_EQ(QC(16, 1, 0x1000, end - (6 + 2 * 16), 0x3000), IVV_ACK_OK);
	CHECK_EQ(QC(16, 1, 0x1000, end - (4 + 2 * 16), 0x3000), IVV_ACK_INVALID);	/* no used_event room */
	CHECK_EQ(QC(16, 1, 0x1000, 0x2000, end - (4 + 8 * 16)), IVV_ACK_INVALID);	/* no avail_event room */
	CHECK_EQ(QC(16, 1, 0x1000, 0x2000, UINT64_MAX - 7), IVV_ACK_INVALID);
#undef QC
}

static void test_avail_distance(void)
{
	CHECK(ivd_avail_distance_ok(0, 0, 16));
	CHECK(ivd_avail_distance_ok(16, 0, 16));
	CHECK(!ivd_avail_distance_ok(17, 0, 16));
	CHECK(ivd_avail_distance_ok(5, 65530, 16));	/* wrapped by 11 */
	CHECK(!ivd_avail_distance_ok(65530, 5, 16));	/* went backwards */
	CHECK(!ivd_avail_distance_ok(0xffff, 0, 256));
}

static void test_need_event(void)
{
	/* published 10 -> 12: interrupt iff used_event in [10, 11] */
	CHECK(ivd_need_event(10, 12, 10));
	CHECK(ivd_need_event(11, 12, 10));
	CHECK(!ivd_need_event(12, 12, 10));
	CHECK(!ivd_need_event(9, 12, 10));
	CHECK(ivd_need_event(65535, 1, 65534));	/* across the wrap */
}

/* An enabled queue of @size over fg's window, for chain tests. */
static struct ivd_vq vq_of(uint16_t size)
{
	struct ivd_vq vq = { .enabled = true, .size = size, .desc = FG_DESC, .avail = FG_AVAIL,
			     .used = FG_USED };
	return vq;
}

static void test_chains(void)
{
	static struct ivd_chain c;
	struct ivd_vq vq = vq_of(8);
	struct fg g;
	unsigned int i;

	CHECK(!fg_init(&g, 1 << 20, false));
	g.qsize = 8;

	/* a normal request: header, data (writable), status */
	fg_blk(&g, 0, 0, 0, 4096, true);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	CHECK_EQ(c.nr, 3);
	CHECK_EQ(c.nr_read, 1);
	CHECK_EQ(c.read_bytes, 16);
	CHECK_EQ(c.write_bytes, 4097);
	CHECK_EQ(c.head, 0);

	CHECK_EQ(ivd_read_chain(&g.win, &vq, 8, &c), IVV_BROKEN_DESC);	/* head >= size */

	fg_desc(&g, 2, FG_BUFS, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);	/* 0->1->2->0 */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_DESC);	/* 0 is readable */
	fg_desc(&g, 2, FG_BUFS, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);	/* 1->2->1 */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 1, &c), IVV_BROKEN_CHAIN);
	fg_desc(&g, 2, FG_BUFS, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);	/* self loop */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 2, &c), IVV_BROKEN_CHAIN);
	fg_desc(&g, 2, FG_BUFS, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 8);	/* next >= size */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_DESC);
	fg_desc(&g, 2, FG_BUFS, 1, VRING_DESC_F_WRITE, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);

	fg_desc(&g, 1, FG_BUFS, 16, VRING_DESC_F_INDIRECT, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 1, &c), IVV_BROKEN_CHAIN);	/* not offered */

	/* readable after writable */
	fg_desc(&g, 0, FG_BUFS, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	fg_desc(&g, 1, FG_BUFS, 16, 0, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_DESC);

	/* addresses: header page, past the end, wrapping, 4 GiB length */
	fg_desc(&g, 0, 8, 16, 0, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	fg_desc(&g, 0, FG_WINDOW - 8, 16, 0, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	fg_desc(&g, 0, UINT64_MAX - 8, 16, 0, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	fg_desc(&g, 0, FG_BUFS, UINT32_MAX, 0, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	fg_desc(&g, 0, FG_WINDOW - 16, 16, 0, 0);	/* last bytes: fine */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);

	/* zero-length buffers are skipped, even with a bogus address */
	fg_desc(&g, 0, UINT64_MAX, 0, VRING_DESC_F_NEXT, 1);
	fg_desc(&g, 1, FG_BUFS, 16, 0, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	CHECK_EQ(c.nr, 1);

	/* a chain using every descriptor once is fine; totals add up */
	for (i = 0; i < 8; i++)
		fg_desc(&g, (uint16_t)i, FG_BUFS, 0x10000,
			(uint16_t)((i < 7 ? VRING_DESC_F_NEXT : 0) | (i >= 4 ? VRING_DESC_F_WRITE : 0)),
			(uint16_t)(i + 1));
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	CHECK_EQ(c.nr, 8);
	CHECK_EQ(c.read_bytes, 4 * 0x10000);
	CHECK_EQ(c.write_bytes, 4 * 0x10000);
	/* ... but starting in the middle of it too */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 5, &c), 0);
	CHECK_EQ(c.nr, 3);

	/* a full-size queue (256) with a 256-long chain fits the private array */
	{
		struct ivd_vq big = vq_of(256);

		for (i = 0; i < 256; i++)
			fg_desc(&g, (uint16_t)i, FG_BUFS, 512,
				(uint16_t)(i < 255 ? VRING_DESC_F_NEXT : VRING_DESC_F_WRITE),
				(uint16_t)(i + 1));
		CHECK_EQ(ivd_read_chain(&g.win, &big, 0, &c), 0);
		CHECK_EQ(c.nr, 256);
		fg_desc(&g, 255, FG_BUFS, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
		CHECK_EQ(ivd_read_chain(&g.win, &big, 0, &c), IVV_BROKEN_CHAIN);	/* 257th */
		fg_desc(&g, 255, FG_BUFS, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 256);
		CHECK_EQ(ivd_read_chain(&g.win, &big, 0, &c), IVV_BROKEN_DESC);	/* next == size */
		for (i = 0; i < 256; i++)	/* all readable, 255 -> 0: a 256-long loop */
			fg_desc(&g, (uint16_t)i, FG_BUFS, 512, VRING_DESC_F_NEXT,
				(uint16_t)((i + 1) % 256));
		CHECK_EQ(ivd_read_chain(&g.win, &big, 0, &c), IVV_BROKEN_CHAIN);
	}
	fg_destroy(&g);
}

/* Entry @i of an indirect table at window offset @t (any alignment). */
static void ind(struct fg *g, uint64_t t, unsigned int i, uint64_t addr, uint32_t len,
		uint16_t flags, uint16_t next)
{
	uint8_t b[16];

	addr = htole64(addr);
	len = htole32(len);
	flags = htole16(flags);
	next = htole16(next);
	memcpy(b, &addr, 8);
	memcpy(b + 8, &len, 4);
	memcpy(b + 12, &flags, 2);
	memcpy(b + 14, &next, 2);
	memcpy(g->mem + t + 16 * i, b, 16);
}

static void test_indirect(void)
{
	static struct ivd_chain c;
	struct ivd_vq vq = vq_of(8);
	const uint64_t t = FG_BUFS + 0x8000;
	const uint16_t N = VRING_DESC_F_NEXT, W = VRING_DESC_F_WRITE, I = VRING_DESC_F_INDIRECT;
	struct fg g;

	CHECK(!fg_init(&g, 1 << 20, false));
	vq.indirect = true;
	/* header, data, status in a table of 3, entries chained out of order */
	ind(&g, t, 0, FG_BUFS, 16, N, 2);
	ind(&g, t, 2, FG_BUFS + 0x100, 4096, N | W, 1);
	ind(&g, t, 1, FG_BUFS + 0x2000, 1, W, 0);
	fg_desc(&g, 0, t, 48, I, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	CHECK_EQ(c.nr, 3);
	CHECK_EQ(c.nr_read, 1);
	CHECK_EQ(c.write_bytes, 4097);
	CHECK_EQ(c.seg[2].off, FG_BUFS + 0x2000);

	/* a misaligned table is fine: entries are copied byte by byte */
	ind(&g, t + 3, 0, FG_BUFS, 16, N, 1);
	ind(&g, t + 3, 1, FG_BUFS + 0x2000, 1, W, 0);
	fg_desc(&g, 0, t + 3, 32, I, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	CHECK_EQ(c.nr, 2);

	/* direct header, then an indirect table with the writable part */
	ind(&g, t, 0, FG_BUFS + 0x100, 512, N | W, 1);
	ind(&g, t, 1, FG_BUFS + 0x2000, 1, W, 0);
	fg_desc(&g, 0, FG_BUFS, 16, N, 1);
	fg_desc(&g, 1, t, 32, I, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	CHECK_EQ(c.nr, 3);
	/* ... but not a readable entry after a writable direct buffer */
	fg_desc(&g, 0, FG_BUFS, 16, N | W, 1);
	ind(&g, t, 0, FG_BUFS + 0x100, 512, N, 1);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_DESC);

	ind(&g, t, 0, FG_BUFS, 16, N, 1);
	fg_desc(&g, 0, t, 32, I | N, 1);			/* INDIRECT + NEXT */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	fg_desc(&g, 0, t, 0, I, 0);				/* empty table */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	fg_desc(&g, 0, t, 33, I, 0);				/* not a multiple of 16 */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	fg_desc(&g, 0, t, 16 * 257, I, 0);			/* too many entries */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	fg_desc(&g, 0, FG_WINDOW - 16, 32, I, 0);		/* table past the end */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	fg_desc(&g, 0, 0x800, 32, I, 0);			/* table in the header */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	fg_desc(&g, 0, t, 32, I, 0);
	ind(&g, t, 1, t, 32, I, 0);				/* nested */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	ind(&g, t, 1, FG_BUFS, 1, W | N, 0);			/* 0 -> 1 -> 0 */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	ind(&g, t, 1, FG_BUFS, 1, W | N, 2);			/* next >= entries */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_DESC);
	ind(&g, t, 1, FG_WINDOW - 1, 2, W, 0);			/* buffer past the end */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_ADDR);
	ind(&g, t, 1, FG_BUFS, 1, W, 0);
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
	vq.indirect = false;					/* not negotiated */
	CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
	fg_destroy(&g);
}

/* A chain holds at most as many buffers as its queue has entries (virtio
 * 1.x 2.7.5.3.1), indirect tables included: 8 for a ring of 8, 1024 for the
 * fs device's 1024-entry rings, never more than IVD_QUEUE_LIMIT. */
static void test_chain_cap(void)
{
	static struct ivd_chain c;
	const uint64_t t = FG_BUFS + 0x8000;
	const uint16_t N = VRING_DESC_F_NEXT, I = VRING_DESC_F_INDIRECT;
	unsigned int sizes[] = { 8, IVD_QUEUE_LIMIT }, k, i;
	struct fg g;

	CHECK(!fg_init(&g, 1 << 20, false));
	for (k = 0; k < 2; k++) {
		struct ivd_vq vq = vq_of((uint16_t)sizes[k]);
		unsigned int n = sizes[k];

		vq.indirect = true;
		for (i = 0; i <= n; i++)
			ind(&g, t, i, FG_BUFS + i, 1, i < n ? N : 0, (uint16_t)(i + 1));
		fg_desc(&g, 0, t, 16 * (n + 1), I, 0);		/* one entry too many */
		CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), IVV_BROKEN_CHAIN);
		ind(&g, t, n - 1, FG_BUFS, 1, 0, 0);		/* exactly n */
		fg_desc(&g, 0, t, 16 * n, I, 0);
		CHECK_EQ(ivd_read_chain(&g.win, &vq, 0, &c), 0);
		CHECK_EQ(c.nr, n);
		CHECK_EQ(c.read_bytes, n);
	}
	fg_destroy(&g);
}

int main(void)
{
	test_window_range();
	test_shm_region();
	test_queue_config();
	test_avail_distance();
	test_need_event();
	test_chains();
	test_indirect();
	test_chain_cap();
	if (fg_failures) {
		fprintf(stderr, "%d check(s) failed\n", fg_failures);
		return 1;
	}
	printf("test-ivshmd-ring-validate: all checks passed\n");
	return 0;
}
