// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk requests through the device side (userspace/ivshmd/blk.c,
 * vring.c) with a memfd backing store: data round trip, used lengths,
 * bounds, GET_ID, DISCARD/WRITE_ZEROES ranges and flags, read-only disks,
 * malformed requests, interrupt suppression with and without EVENT_IDX.
 */
#include <linux/virtio_blk.h>

#include "test-ivshmd-guest.h"

#define DISK	(1u << 20)

/* Submit one request built in slot 0, return its status (0xff: none). */
static uint8_t one(struct fg *g, uint32_t type, uint64_t sector, uint32_t len, bool in,
		   uint32_t *used_len)
{
	uint32_t id, l;
	uint16_t head = fg_blk(g, 0, type, sector, len, in);

	fg_post(g, head);
	fg_kick(g);
	if (fg_used_idx(g) != (uint16_t)(g->used_seen + 1))
		return 0xfe;
	fg_used(g, 0, &id, &l);
	g->used_seen++;
	CHECK_EQ(id, head);
	if (used_len)
		*used_len = l;
	return fg_blk_status(g, 0);
}

static void put_range(struct fg *g, unsigned int k, uint64_t sector, uint32_t n, uint32_t flags)
{
	uint8_t *p = fg_blk_data(g, 0) + 16 * k;

	gm_st64(p, sector);
	gm_st32(p + 8, n);
	gm_st32(p + 12, flags);
}

static void test_rw(void)
{
	struct fg g;
	uint8_t buf[8192];
	uint32_t ul;
	unsigned int i;

	CHECK(!fg_init(&g, DISK, false));
	CHECK_EQ(fg_setup(&g, fg_all_features(&g), 16), IVV_ACK_OK);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	memcpy(fg_blk_data(&g, 0), buf, sizeof(buf));
	CHECK_EQ(one(&g, VIRTIO_BLK_T_OUT, 2, 8192, false, &ul), VIRTIO_BLK_S_OK);
	CHECK_EQ(ul, 1);
	{
		uint8_t back[8192];

		CHECK_EQ(pread(g.blk.fd, back, sizeof(back), 1024), (ssize_t)sizeof(back));
		CHECK(!memcmp(back, buf, sizeof(buf)));
	}
	memset(fg_blk_data(&g, 0), 0, sizeof(buf));
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, 2, 8192, true, &ul), VIRTIO_BLK_S_OK);
	CHECK_EQ(ul, 8193);
	CHECK(!memcmp(fg_blk_data(&g, 0), buf, sizeof(buf)));
	CHECK_EQ(g.blk.reads, 1);
	CHECK_EQ(g.blk.writes, 1);

	/* bounds: last sector fine, one past it not, huge sectors not */
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, DISK / 512 - 1, 512, true, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, DISK / 512 - 1, 1024, true, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_OUT, DISK / 512, 512, false, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, true, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_OUT, 0, 100, false, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, 0, 0, true, &ul), VIRTIO_BLK_S_OK);	/* empty read */
	CHECK_EQ(one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(one(&g, 77, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_SCSI_CMD, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);

	/* GET_ID: 20 bytes max, never the status byte */
	CHECK_EQ(one(&g, VIRTIO_BLK_T_GET_ID, 0, 20, true, &ul), VIRTIO_BLK_S_OK);
	CHECK_EQ(ul, 21);
	CHECK(!memcmp(fg_blk_data(&g, 0), "ivshmd", 6));
	CHECK_EQ(one(&g, VIRTIO_BLK_T_GET_ID, 0, 4, true, &ul), VIRTIO_BLK_S_OK);
	CHECK_EQ(ul, 5);

	/* DISCARD / WRITE_ZEROES */
	put_range(&g, 0, 2, 4, 0);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL), VIRTIO_BLK_S_OK);
	{
		uint8_t z[2048], zero[2048] = { 0 };

		CHECK_EQ(pread(g.blk.fd, z, sizeof(z), 1024), (ssize_t)sizeof(z));
		CHECK(!memcmp(z, zero, sizeof(z)));
		CHECK_EQ(pread(g.blk.fd, z, 16, 1024 + 2048), 16);
		CHECK(!memcmp(z, buf + 2048, 16));	/* the rest untouched */
	}
	put_range(&g, 0, 6, 2, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL), VIRTIO_BLK_S_OK);
	put_range(&g, 0, 8, 8, 0);
	put_range(&g, 1, 32, 8, 0);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 32, false, NULL), VIRTIO_BLK_S_OK);
	put_range(&g, 0, 8, 8, 1);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL), VIRTIO_BLK_S_UNSUPP);
	put_range(&g, 0, 8, 8, 2);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL), VIRTIO_BLK_S_UNSUPP);
	put_range(&g, 0, DISK / 512 - 4, 8, 0);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL), VIRTIO_BLK_S_IOERR);
	put_range(&g, 0, UINT64_MAX - 2, 8, 0);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 24, false, NULL), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 16 * 17, false, NULL), VIRTIO_BLK_S_UNSUPP);

	/* a header shorter than 16 bytes */
	fg_desc(&g, 0, FG_BUFS, 8, VRING_DESC_F_NEXT, 2);
	fg_desc(&g, 2, FG_BUFS + 0x11000, 1, VRING_DESC_F_WRITE, 0);
	g.mem[FG_BUFS + 0x11000] = 0xff;
	fg_post(&g, 0);
	fg_kick(&g);
	g.used_seen++;
	CHECK_EQ(fg_blk_status(&g, 0), VIRTIO_BLK_S_IOERR);
	CHECK(!(fg_status(&g) & VIRTIO_CONFIG_S_NEEDS_RESET));

	/* a header split over two descriptors still parses */
	gm_st32(g.mem + FG_BUFS, VIRTIO_BLK_T_FLUSH);
	fg_desc(&g, 0, FG_BUFS, 5, VRING_DESC_F_NEXT, 1);
	fg_desc(&g, 1, FG_BUFS + 5, 11, VRING_DESC_F_NEXT, 2);
	g.mem[FG_BUFS + 0x11000] = 0xff;
	fg_post(&g, 0);
	fg_kick(&g);
	g.used_seen++;
	CHECK_EQ(fg_blk_status(&g, 0), VIRTIO_BLK_S_OK);
	CHECK_EQ(g.blk.flushes, 2);
	fg_destroy(&g);
}

static void test_readonly(void)
{
	struct fg g;

	CHECK(!fg_init(&g, DISK, true));
	CHECK_EQ(fg_setup(&g, fg_all_features(&g), 8), IVV_ACK_OK);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_OUT, 0, 512, false, NULL), VIRTIO_BLK_S_IOERR);
	put_range(&g, 0, 0, 8, 0);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(one(&g, VIRTIO_BLK_T_IN, 0, 512, true, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(g.blk.writes, 0);
	fg_destroy(&g);
}

static void test_interrupts(void)
{
	struct fg g;
	const uint64_t no_event_idx = ~(1ull << 29);

	CHECK(!fg_init(&g, DISK, false));
	/* without EVENT_IDX: VRING_AVAIL_F_NO_INTERRUPT suppresses */
	CHECK_EQ(fg_setup(&g, fg_all_features(&g) & no_event_idx, 8), IVV_ACK_OK);
	g.irqs[1] = 0;
	one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL);
	CHECK_EQ(g.irqs[1], 1);
	gm_st16(g.mem + FG_AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL);
	CHECK_EQ(g.irqs[1], 1);
	CHECK_EQ(gm_ld16(g.mem + FG_USED + 4 + 8 * 8), 0);	/* no avail_event written */

	/* with EVENT_IDX: used_event decides, avail_event follows consumption */
	CHECK_EQ(fg_setup(&g, fg_all_features(&g), 16), IVV_ACK_OK);
	g.irqs[1] = 0;
	gm_st16(g.mem + FG_AVAIL + 4 + 2 * 16, 3);	/* used_event = 3 */
	one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL);	/* used 0 -> 1 */
	one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL);	/* 1 -> 2 */
	one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL);	/* 2 -> 3 */
	CHECK_EQ(g.irqs[1], 0);
	one(&g, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL);	/* 3 -> 4 crosses */
	CHECK_EQ(g.irqs[1], 1);
	CHECK_EQ(gm_ld16(g.mem + FG_USED + 4 + 8 * 16), 4);	/* avail_event */

	/* a batch: three posted, one kick, one interrupt */
	gm_st16(g.mem + FG_AVAIL + 4 + 2 * 16, 4);
	fg_post(&g, fg_blk(&g, 0, VIRTIO_BLK_T_FLUSH, 0, 0, false));
	fg_post(&g, fg_blk(&g, 1, VIRTIO_BLK_T_FLUSH, 0, 0, false));
	fg_post(&g, fg_blk(&g, 2, VIRTIO_BLK_T_FLUSH, 0, 0, false));
	fg_kick(&g);
	CHECK_EQ(fg_used_idx(&g), 7);
	CHECK_EQ(g.irqs[1], 2);
	CHECK(!(fg_status(&g) & VIRTIO_CONFIG_S_NEEDS_RESET));
	fg_destroy(&g);
}

int main(void)
{
	ivd_log_set_level(IVD_ERR);
	test_rw();
	test_readonly();
	test_interrupts();
	if (fg_failures) {
		fprintf(stderr, "%d check(s) failed\n", fg_failures);
		return 1;
	}
	printf("test-ivshmd-blk: all checks passed\n");
	return 0;
}
