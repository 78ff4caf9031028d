// SPDX-License-Identifier: GPL-2.0
/*
 * Codecs of the metadata log block and the checkpoint header/body: round
 * trips, every single-bit flip of an encoded block refused, and content
 * that passes its crc but cannot be right (-EUCLEAN).
 */
#include "../lib/sl_test.h"
#include <string.h>

static u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
static u8 body[2 * SL_BLOCK_SIZE] __attribute__((aligned(8)));

static void mlog_codec(void)
{
	struct sl_mlog_hdr h = { .seq = 100, .prev_seq = 99, .pos = 7, .seg_index = 3,
				 .seg_seq = 12, .nr_entries = 2, .blk_index = 0, .blk_count = 1 };
	struct sl_mext x[2] = {
		{ .lba = 1000, .seq = 55, .loc = 4, .len = 8, .flags = SL_EF_DATA },
		{ .lba = 5000, .seq = 56, .loc = 0, .len = 1u << 20, .flags = SL_EF_DISCARD },
	}, y;
	struct sl_mlog_hdr d;
	const char *why;
	u32 bit;
	int bad = 0;

	SECTION("metadata log block: round trip, bit flips, impossible content");
	memset(h.uuid, 0xab, SL_UUID_SIZE);
	sl_mlog_encode(&h, x, buf);
	CHECK(!sl_mlog_decode(buf, 253, 10, &d, &why), "decode: %s", why);
	CHECK(d.seq == 100 && d.prev_seq == 99 && d.pos == 7 && d.seg_index == 3 &&
	      d.seg_seq == 12 && d.nr_entries == 2 && d.blk_count == 1 &&
	      !memcmp(d.uuid, h.uuid, SL_UUID_SIZE), "header fields");
	sl_mlog_entry_get(buf, 1, &y);
	CHECK(y.lba == 5000 && y.len == 1u << 20 && y.flags == SL_EF_DISCARD && y.seq == 56,
	      "entry 1");
	for (bit = 0; bit < SL_BLOCK_SIZE * 8; bit += 7) {
		buf[bit / 8] ^= 1u << (bit % 8);
		bad += !sl_mlog_decode(buf, 253, 10, &d, NULL);
		buf[bit / 8] ^= 1u << (bit % 8);
	}
	CHECK(!bad, "%d bit flips accepted", bad);
	/* valid crc, impossible content */
	CHECK(sl_mlog_decode(buf, 253, 3, &d, &why) == -EUCLEAN, "segment beyond the volume");
	CHECK(sl_mlog_decode(buf, 10, 10, &d, &why) == -EUCLEAN && strstr(why, "segment"),
	      "slot beyond the segment: %s", why);
	x[0].flags = SL_EF_DATA | SL_EF_DISCARD;
	sl_mlog_encode(&h, x, buf);
	CHECK(sl_mlog_decode(buf, 253, 10, &d, &why) == -EUCLEAN, "both flags");
	x[0].flags = SL_EF_DATA;
	h.blk_index = 1;
	sl_mlog_encode(&h, x, buf);
	CHECK(sl_mlog_decode(buf, 253, 10, &d, &why) == -EUCLEAN, "index beyond count");
	h.blk_index = 0;
	sl_mlog_encode(&h, x, buf);
	((struct sl_mlog_disk *)buf)->nr_entries = cpu_to_le16(SL_MLOG_ENTRIES_PER_BLOCK + 1);
	((struct sl_mlog_disk *)buf)->crc = cpu_to_le32(sl_meta_crc(buf, SL_BLOCK_SIZE));
	CHECK(sl_mlog_decode(buf, 253, 10, &d, &why) == -EUCLEAN, "too many entries");
	memset(buf, 0, sizeof(buf));
	CHECK(sl_mlog_decode(buf, 253, 10, &d, &why) == -EINVAL, "zero block");
}

static void ckpt_codec(void)
{
	struct sl_format_params fp = { .perf_blocks = 4096, .leg_blocks = 256 + 8 * 256, .k = 1 };
	struct sl_geometry g;
	struct sl_ckpt_hdr h = { 0 }, d;
	struct sl_mext x = { .lba = 10, .seq = 9, .loc = 253 + 5, .len = 3, .flags = SL_EF_DATA };
	const char *why = NULL;
	u32 bit;
	int bad = 0;

	SECTION("checkpoint: header round trip, bit flips, body crc and ranges");
	CHECK(!sl_geometry_compute(&fp, &g, &why), "geometry: %s", why);
	CHECK(sl_ckpt_capacity(&g) >= g.nr_segments * sl_seg_data_slots(&g) ||
	      g.ckpt_slot_blocks == 4096 / 8, "slot sized for one extent per data slot");
	memset(body, 0, sizeof(body));
	sl_mext_encode(&x, body + g.nr_segments * 8);
	x.lba = 20;
	x.flags = SL_EF_DISCARD;
	x.loc = 253;
	x.len = 100;
	sl_mext_encode(&x, body + g.nr_segments * 8 + SL_MLOG_ENTRY_SIZE);
	h.generation = 4;
	h.nr_extents = 2;
	h.nr_segments = g.nr_segments;
	h.max_seq = 9;
	h.body_blocks = 1;
	h.body_crc = sl_crc32c(SL_CRC_SEED, body, SL_BLOCK_SIZE);
	h.mlog_pos = 17;
	h.mlog_prev_seq = 1234;
	sl_ckpt_hdr_encode(&h, buf);
	CHECK(!sl_ckpt_hdr_decode(buf, g.ckpt_slot_blocks - 1, &d, &why), "hdr: %s", why);
	CHECK(d.generation == 4 && d.mlog_pos == 17 && d.mlog_prev_seq == 1234 &&
	      d.nr_extents == 2 && d.body_crc == h.body_crc, "hdr fields");
	CHECK(!sl_ckpt_body_check(&g, &d, body, &why), "body: %s", why);
	for (bit = 0; bit < SL_BLOCK_SIZE * 8; bit += 5) {
		buf[bit / 8] ^= 1u << (bit % 8);
		bad += !sl_ckpt_hdr_decode(buf, g.ckpt_slot_blocks - 1, &d, NULL);
		buf[bit / 8] ^= 1u << (bit % 8);
		body[bit / 8] ^= 1u << (bit % 8);
		bad += !sl_ckpt_body_check(&g, &h, body, NULL);
		body[bit / 8] ^= 1u << (bit % 8);
	}
	CHECK(!bad, "%d bit flips accepted", bad);
	CHECK(sl_ckpt_hdr_decode(buf, 0, &d, &why) == -EUCLEAN, "body larger than the slot");
	h.max_seq = 8;		/* an extent newer than the checkpoint says */
	CHECK(sl_ckpt_body_check(&g, &h, body, &why) == -EUCLEAN, "seq beyond max_seq");
	h.max_seq = 9;
	x.lba = 5;		/* out of lba order */
	sl_mext_encode(&x, body + g.nr_segments * 8 + SL_MLOG_ENTRY_SIZE);
	h.body_crc = sl_crc32c(SL_CRC_SEED, body, SL_BLOCK_SIZE);
	CHECK(sl_ckpt_body_check(&g, &h, body, &why) == -EUCLEAN, "overlapping extents");
	x.lba = 20;
	x.flags = SL_EF_DATA;	/* data crossing its segment's end */
	x.loc = 250;
	x.len = 10;
	sl_mext_encode(&x, body + g.nr_segments * 8 + SL_MLOG_ENTRY_SIZE);
	h.body_crc = sl_crc32c(SL_CRC_SEED, body, SL_BLOCK_SIZE);
	CHECK(sl_ckpt_body_check(&g, &h, body, &why) == -EUCLEAN, "crosses a segment");
	h.nr_extents = 1ull << 40;	/* counts that cannot fit the body */
	sl_ckpt_hdr_encode(&h, buf);
	CHECK(sl_ckpt_hdr_decode(buf, g.ckpt_slot_blocks - 1, &d, &why) == -EUCLEAN, "counts");
	h.nr_extents = 1ull << 59;	/* * 32 wraps to 0: must not pass as "fits" */
	sl_ckpt_hdr_encode(&h, buf);
	CHECK(sl_ckpt_hdr_decode(buf, g.ckpt_slot_blocks - 1, &d, &why) == -EUCLEAN, "overflow");
}

static void superblock_regions(void)
{
	struct sl_format_params fp = { .perf_blocks = 4096, .leg_blocks = 256 + 8 * 256, .k = 1 };
	struct sl_sb sb = { .version = 1 }, d;
	const char *why = NULL;

	SECTION("superblock: metadata regions carry the incompat bit; legacy has none");
	CHECK(!sl_geometry_compute(&fp, &sb.geo, &why), "geometry: %s", why);
	sl_sb_encode(&sb, buf);
	CHECK(!sl_sb_decode(buf, &d, &why), "decode: %s", why);
	CHECK(d.feat_incompat == SL_FEAT_INCOMPAT_MLOG && d.geo.mlog_blocks == sb.geo.mlog_blocks &&
	      d.geo.ckpt_slot_blocks == sb.geo.ckpt_slot_blocks, "regions round trip");
	((struct sl_sb_disk *)buf)->regions[1].len = cpu_to_le64(3);	/* odd: not 2 slots */
	((struct sl_sb_disk *)buf)->crc = cpu_to_le32(sl_meta_crc(buf, SL_BLOCK_SIZE));
	CHECK(sl_sb_decode(buf, &d, &why) == -EUCLEAN && strstr(why, "region"), "odd: %s", why);
	fp.legacy = true;
	CHECK(!sl_geometry_compute(&fp, &sb.geo, &why), "legacy geometry: %s", why);
	sl_sb_encode(&sb, buf);
	CHECK(!sl_sb_decode(buf, &d, &why) && !d.feat_incompat && !d.geo.mlog_blocks &&
	      d.geo.log_blocks == 4093, "legacy: no regions");
	fp.legacy = false;
	fp.perf_blocks = 64 + 3 + 10;	/* log fits, the metadata regions do not */
	CHECK(sl_geometry_compute(&fp, &sb.geo, &why) && strstr(why, "metadata"), "small: %s",
	      why);
}

int main(void)
{
	mlog_codec();
	ckpt_codec();
	superblock_regions();
	return sl_test_done("test-sl-metalog");
}
