// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: perf superblock, leg superblock and log header decoders.
 * Byte 0 picks the structure; bit 7 set = start from a valid encoding, XOR
 * the input into it and reseal the crc, so the fuzzer reaches the field
 * validation behind the checksum.
 */
#include "sl_format.h"
#include <string.h>

static u8 blk[SL_BLOCK_SIZE];

static void valid_sb(void)
{
	struct sl_format_params fp = { .perf_blocks = 4096, .leg_blocks = 1 << 20, .k = 1 };
	struct sl_sb sb;

	memset(&sb, 0, sizeof(sb));
	sl_geometry_compute(&fp, &sb.geo, NULL);
	sb.version = SL_FORMAT_VERSION;
	sl_sb_encode(&sb, blk);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct sl_sb sb;
	struct sl_leg_sb l;
	struct sl_loghdr lh;
	const char *why;
	u8 kind;
	size_t i;

	if (!size)
		return 0;
	kind = data[0];
	data++;
	size--;
	memset(blk, 0, sizeof(blk));
	if (kind & 0x80) {
		switch (kind % 3) {
		case 0:
			valid_sb();
			break;
		case 1:
			valid_sb();
			sl_sb_decode(blk, &sb, NULL);
			sl_leg_sb_from_sb(&sb, 0, &l);
			sl_leg_sb_encode(&l, blk);
			break;
		default:
			memset(&lh, 0, sizeof(lh));
			lh.generation = 3;
			sl_loghdr_encode(&lh, blk);
			break;
		}
		for (i = 0; i < size && i < SL_BLOCK_SIZE; i++)
			blk[i] ^= data[i];
		((__le32 *)blk)[1] = cpu_to_le32(sl_meta_crc(blk, SL_BLOCK_SIZE));
	} else {
		memcpy(blk, data, size < SL_BLOCK_SIZE ? size : SL_BLOCK_SIZE);
	}
	switch (kind % 3) {
	case 0:
		if (!sl_sb_decode(blk, &sb, &why)) {
			/* A decoded geometry must be usable without overflow. */
			u32 leg;
			u64 b;

			sl_seg_locate(&sb.geo, sb.geo.nr_segments - 1,
				      (u64)sb.geo.k * sb.geo.seg_leg_blocks - 1, &leg, &b);
			if (leg >= sb.geo.k + sb.geo.m || b >= sb.geo.leg_blocks)
				__builtin_trap();
		}
		break;
	case 1:
		if (!sl_leg_sb_decode(blk, &l, &why)) {
			valid_sb();
			sl_sb_decode(blk, &sb, NULL);
			sl_leg_sb_check(&sb, &l, l.leg_index, &why);
		}
		break;
	default:
		sl_loghdr_decode(blk, &lh, &why);
		break;
	}
	return 0;
}
