// SPDX-License-Identifier: GPL-2.0
/*
 * Codecs of the fixed metadata blocks: perf superblock, leg superblock, log
 * header slots; geometry computation; every corruption is refused.
 */
#include "../lib/sl_test.h"
#include <string.h>

static u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));

static void make_sb(struct sl_sb *sb)
{
	struct sl_format_params fp = { .perf_blocks = 4096, .leg_blocks = 65536, .k = 1 };
	const char *why = NULL;
	u32 i;

	memset(sb, 0, sizeof(*sb));
	CHECK(!sl_geometry_compute(&fp, &sb->geo, &why), "geometry: %s", why);
	sb->version = SL_FORMAT_VERSION;
	for (i = 0; i < SL_UUID_SIZE; i++)
		sb->uuid[i] = (u8)(i + 1), sb->leg_uuid[0][i] = (u8)(0x80 + i);
	sb->ctime = 1234567;
}

static void reseal(void)
{
	__le32 *crc = (__le32 *)(buf + 4);

	*crc = cpu_to_le32(sl_meta_crc(buf, SL_BLOCK_SIZE));
}

int main(void)
{
	struct sl_sb sb, sb2;
	struct sl_leg_sb l, l2;
	struct sl_loghdr lh, lh2;
	struct sl_format_params fp;
	struct sl_geometry g;
	const char *why;
	u32 bit;

	SECTION("geometry: defaults, limits, segment summary room");
	make_sb(&sb);
	/* data log, then the metadata log, then two checkpoint slots, to the end */
	CHECK(sb.geo.log_start == 3 && sb.geo.mlog_start == 3 + sb.geo.log_blocks &&
	      sb.geo.ckpt_start == sb.geo.mlog_start + sb.geo.mlog_blocks &&
	      sb.geo.ckpt_start + 2 * sb.geo.ckpt_slot_blocks == 4096 &&
	      sb.geo.mlog_blocks >= 64 && sb.geo.log_blocks >= 4096 / 2, "log %llu+%llu mlog %llu",
	      (unsigned long long)sb.geo.log_start, (unsigned long long)sb.geo.log_blocks,
	      (unsigned long long)sb.geo.mlog_blocks);
	CHECK(sb.geo.seg_leg_blocks == 256 && sb.geo.seg_sum_blocks == 3, "seg %u/%u",
	      sb.geo.seg_leg_blocks, sb.geo.seg_sum_blocks);
	CHECK(SL_SUM_ENTRIES_PER(sb.geo.seg_sum_blocks) >= 256, "summary too small");
	CHECK(sb.geo.nr_segments == (65536 - 256) / 256, "segments %llu",
	      (unsigned long long)sb.geo.nr_segments);
	CHECK(sb.geo.logical_blocks < sb.geo.nr_segments * sl_seg_data_slots(&sb.geo),
	      "no segment reserve");
	memset(&fp, 0, sizeof(fp));
	fp.perf_blocks = 10;
	fp.leg_blocks = 65536;
	fp.k = 1;
	CHECK(sl_geometry_compute(&fp, &g, &why) == -EINVAL && strstr(why, "performance"),
	      "tiny perf accepted");
	fp.perf_blocks = 4096;
	fp.leg_blocks = 300;
	CHECK(sl_geometry_compute(&fp, &g, &why) == -EINVAL && strstr(why, "capacity"),
	      "tiny leg accepted");
	fp.leg_blocks = 65536;
	fp.logical_blocks = 1ull << 40;
	CHECK(sl_geometry_compute(&fp, &g, &why) == -EINVAL, "oversized logical accepted");
	fp.logical_blocks = 0;
	fp.k = 17;
	CHECK(sl_geometry_compute(&fp, &g, &why) == -EINVAL, "k=17 accepted");
	fp.k = 8;
	fp.m = 2;
	CHECK(!sl_geometry_compute(&fp, &g, &why), "8+2 layout refused: %s", why);

	SECTION("segment layout: k=1 contiguous; 4+2 rotates parity and covers each leg once");
	{
		u32 leg;
		u64 blk, b;
		u32 seen[6] = { 0 };

		sl_seg_locate(&sb.geo, 2, 5, &leg, &blk);
		CHECK(leg == 0 && blk == sb.geo.seg_start + 2 * 256 + 5, "k=1 locate %u/%llu", leg,
		      (unsigned long long)blk);
		fp.k = 4;
		fp.m = 2;
		CHECK(!sl_geometry_compute(&fp, &g, &why), "4+2: %s", why);
		for (b = 0; b < 4 * g.stripe_unit_blocks; b += g.stripe_unit_blocks) {
			sl_seg_locate(&g, 0, b, &leg, &blk);
			seen[leg]++;
		}
		CHECK(!seen[0] && !seen[1] && seen[2] == 1 && seen[5] == 1, "stripe 0 legs");
	}

	SECTION("perf superblock: round trip");
	sl_sb_encode(&sb, buf);
	CHECK(!sl_sb_decode(buf, &sb2, &why), "decode: %s", why);
	CHECK(!memcmp(&sb.geo, &sb2.geo, sizeof(sb.geo)) && !memcmp(sb.uuid, sb2.uuid, 16) &&
	      sb2.ctime == sb.ctime && !memcmp(sb.leg_uuid, sb2.leg_uuid, sizeof(sb.leg_uuid)),
	      "fields differ");
	SECTION("perf superblock: every single-bit flip in the used bytes is refused");
	for (bit = 0; bit < 576 * 8; bit++) {
		sl_sb_encode(&sb, buf);
		buf[bit / 8] ^= (u8)(1u << (bit % 8));
		if (!sl_sb_decode(buf, &sb2, &why)) {
			CHECK(0, "bit %u flip accepted", bit);
			break;
		}
	}
	SECTION("perf superblock: zero block, newer version, unknown incompat, bad geometry");
	memset(buf, 0, sizeof(buf));
	CHECK(sl_block_is_zero(buf), "zero block not zero");
	CHECK(sl_sb_decode(buf, &sb2, &why) == -EINVAL, "zero accepted");
	sl_sb_encode(&sb, buf);
	CHECK(!sl_block_is_zero(buf), "superblock is zero");
	((struct sl_sb_disk *)buf)->version = cpu_to_le32(2);
	reseal();
	CHECK(sl_sb_decode(buf, &sb2, &why) == -EOPNOTSUPP && strstr(why, "newer"), "v2: %s", why);
	sl_sb_encode(&sb, buf);
	((struct sl_sb_disk *)buf)->feat_incompat = cpu_to_le32(0x100);
	reseal();
	CHECK(sl_sb_decode(buf, &sb2, &why) == -EOPNOTSUPP && strstr(why, "incompatible"),
	      "incompat: %s", why);
	sl_sb_encode(&sb, buf);
	((struct sl_sb_disk *)buf)->log_blocks = cpu_to_le64(1ull << 40);
	reseal();
	CHECK(sl_sb_decode(buf, &sb2, &why) == -EUCLEAN, "bad log size accepted");
	sl_sb_encode(&sb, buf);
	((struct sl_sb_disk *)buf)->nr_segments = cpu_to_le64(1ull << 50);
	reseal();
	CHECK(sl_sb_decode(buf, &sb2, &why) == -EUCLEAN, "bad segment count accepted");

	SECTION("leg superblock: round trip, belongs-to checks");
	sl_leg_sb_from_sb(&sb, 0, &l);
	sl_leg_sb_encode(&l, buf);
	CHECK(!sl_leg_sb_decode(buf, &l2, &why), "decode: %s", why);
	CHECK(!sl_leg_sb_check(&sb, &l2, 0, &why), "check: %s", why);
	CHECK(sl_leg_sb_check(&sb, &l2, 1, &why) == -EINVAL, "wrong index accepted");
	sb2 = sb;
	sb2.uuid[0] ^= 1;
	CHECK(sl_leg_sb_check(&sb2, &l2, 0, &why) == -EINVAL && strstr(why, "another volume"),
	      "foreign leg: %s", why);
	buf[60] ^= 1;
	CHECK(sl_leg_sb_decode(buf, &l2, &why) == -EINVAL, "corrupt leg accepted");

	SECTION("log header slot: round trip, corruption");
	memset(&lh, 0, sizeof(lh));
	lh.generation = 77;
	lh.tail_pos = 123;
	lh.tail_prev_seq = 456;
	lh.next_seg_seq = 9;
	lh.next_seg = 0;
	memcpy(lh.uuid, sb.uuid, 16);
	sl_loghdr_encode(&lh, buf);
	CHECK(!sl_loghdr_decode(buf, &lh2, &why), "decode: %s", why);
	CHECK(lh2.generation == 77 && lh2.tail_pos == 123 && lh2.tail_prev_seq == 456 &&
	      lh2.next_seg_seq == 9 && lh2.next_seg == 0, "fields");
	/* next_seg is stored + 1 so that an all-zero field means "none named". */
	CHECK(le64_to_cpu(((struct sl_loghdr_disk *)buf)->next_seg) == 1, "segment 0 stored as 1");
	lh.next_seg = SL_NO_SEG;
	sl_loghdr_encode(&lh, buf);
	CHECK(!sl_loghdr_decode(buf, &lh2, &why) && lh2.next_seg == SL_NO_SEG &&
	      !((struct sl_loghdr_disk *)buf)->next_seg, "no named target round trip");
	lh.next_seg = 41;
	sl_loghdr_encode(&lh, buf);
	buf[33] ^= 0x40;
	CHECK(sl_loghdr_decode(buf, &lh2, &why) == -EINVAL, "corrupt header accepted");
	return sl_test_done("test-sl-format-codecs");
}
