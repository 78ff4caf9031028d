// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: metadata-log block and checkpoint decoders.  Byte 0 picks the
 * target (bit 1: checkpoint header + body, else mlog block) and bit 0
 * whether to start from a valid encoding, XOR the input in and reseal the
 * crcs (so range checks are reached).  A decoded structure must satisfy
 * the invariants the recovery code relies on.
 */
#include "sl_format.h"
#include <string.h>

static u8 blk[3 * SL_BLOCK_SIZE];

static void fuzz_mlog(const u8 *data, size_t size)
{
	struct sl_mext x[3] = {
		{ .lba = 5, .seq = 9, .loc = 3, .len = 4, .flags = SL_EF_DATA },
		{ .lba = 50, .seq = 10, .loc = 0, .len = 77, .flags = SL_EF_DISCARD },
		{ .lba = 9, .seq = 11, .loc = 100, .len = 1, .flags = SL_EF_DATA },
	};
	struct sl_mlog_hdr h = { .seq = 20, .prev_seq = 19, .pos = 4, .seg_index = 2,
				 .seg_seq = 3, .nr_entries = 3, .blk_count = 1 };
	struct sl_mext e;
	size_t i;
	u32 k;

	memset(blk, 0, SL_BLOCK_SIZE);
	if (data[0] & 1) {
		sl_mlog_encode(&h, x, blk);
		for (i = 1; i < size && i - 1 < SL_BLOCK_SIZE; i++)
			blk[i - 1] ^= data[i];
		((__le32 *)blk)[1] = cpu_to_le32(sl_meta_crc(blk, SL_BLOCK_SIZE));
	} else {
		memcpy(blk, data + 1, size - 1 < SL_BLOCK_SIZE ? size - 1 : SL_BLOCK_SIZE);
	}
	if (sl_mlog_decode(blk, 253, 16, &h, NULL))
		return;
	if (h.seg_index >= 16 || h.nr_entries > SL_MLOG_ENTRIES_PER_BLOCK ||
	    h.blk_index >= h.blk_count || h.seq <= h.prev_seq)
		__builtin_trap();
	for (k = 0; k < h.nr_entries; k++) {
		sl_mlog_entry_get(blk, k, &e);
		if (!e.len || (e.flags == SL_EF_DATA && e.loc + e.len > 253))
			__builtin_trap();
	}
}

static void fuzz_ckpt(const u8 *data, size_t size)
{
	struct sl_format_params fp = { .perf_blocks = 4096, .leg_blocks = 256 + 8 * 256, .k = 1 };
	struct sl_mext x = { .lba = 10, .seq = 7, .loc = 253 + 2, .len = 5, .flags = SL_EF_DATA };
	struct sl_ckpt_hdr h = { .generation = 3, .max_seq = 7, .nr_extents = 1, .body_blocks = 2 };
	struct sl_geometry g;
	size_t i;

	if (sl_geometry_compute(&fp, &g, NULL))
		__builtin_trap();
	memset(blk, 0, sizeof(blk));
	h.nr_segments = g.nr_segments;
	sl_mext_encode(&x, blk + SL_BLOCK_SIZE + g.nr_segments * 8);
	if (data[0] & 1) {
		h.body_crc = sl_crc32c(SL_CRC_SEED, blk + SL_BLOCK_SIZE, 2 * SL_BLOCK_SIZE);
		sl_ckpt_hdr_encode(&h, blk);
		for (i = 1; i < size && i - 1 < sizeof(blk); i++)
			blk[i - 1] ^= data[i];
		((__le32 *)blk)[1] = cpu_to_le32(sl_meta_crc(blk, SL_BLOCK_SIZE));
		/* reseal the body crc too: reach the extent range checks */
		((struct sl_ckpt_disk *)blk)->body_crc =
			cpu_to_le32(sl_crc32c(SL_CRC_SEED, blk + SL_BLOCK_SIZE, 2 * SL_BLOCK_SIZE));
		((__le32 *)blk)[1] = cpu_to_le32(sl_meta_crc(blk, SL_BLOCK_SIZE));
	} else {
		memcpy(blk, data + 1, size - 1 < sizeof(blk) ? size - 1 : sizeof(blk));
	}
	if (sl_ckpt_hdr_decode(blk, 2, &h, NULL))
		return;
	if (h.body_blocks > 2)
		__builtin_trap();
	if (sl_ckpt_body_check(&g, &h, blk + SL_BLOCK_SIZE, NULL))
		return;
	if (!(h.flags & SL_CKPT_F_SCAN) &&
	    sl_ckpt_body_bytes(h.nr_segments, h.nr_extents) > (u64)h.body_blocks * SL_BLOCK_SIZE)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 2)
		fuzz_ckpt(data, size);
	else
		fuzz_mlog(data, size);
	return 0;
}
