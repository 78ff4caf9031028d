// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: log record header decoder + chain rule + data crc check.
 * Byte 0 bit 0 set = start from a valid header, XOR the input in and reseal
 * the crc so the entry validation is reached.
 */
#include "sl_format.h"
#include <string.h>

static u8 blk[SL_BLOCK_SIZE];
static u8 dat[2 * SL_BLOCK_SIZE];

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct sl_rec_hdr h;
	const char *why;
	size_t i;
	u32 k, sum = 0;

	if (!size)
		return 0;
	memset(blk, 0, sizeof(blk));
	if (data[0] & 1) {
		memset(&h, 0, sizeof(h));
		h.seq = 5;
		h.prev_seq = 4;
		h.nr_entries = 2;
		h.nr_blocks = 2;
		h.entries[0] = (struct sl_rec_entry){ 10, 2, SL_EF_DATA };
		h.entries[1] = (struct sl_rec_entry){ 99, 8, SL_EF_DISCARD };
		sl_rec_hdr_encode(&h, blk);
		for (i = 1; i < size && i - 1 < SL_BLOCK_SIZE; i++)
			blk[i - 1] ^= data[i];
		((__le32 *)blk)[1] = cpu_to_le32(sl_rec_hdr_crc(blk));
	} else {
		memcpy(blk, data + 1, size - 1 < SL_BLOCK_SIZE ? size - 1 : SL_BLOCK_SIZE);
	}
	if (sl_rec_hdr_decode(blk, &h, &why))
		return 0;
	/* Accepted headers must honour the documented invariants. */
	if (!h.nr_entries || h.nr_entries > SL_REC_MAX_ENTRIES || h.nr_blocks > SL_REC_MAX_BLOCKS)
		__builtin_trap();
	for (k = 0; k < h.nr_entries; k++)
		if (h.entries[k].flags & SL_EF_DATA)
			sum += h.entries[k].nblocks;
	if (sum != h.nr_blocks || h.seq <= h.prev_seq)
		__builtin_trap();
	sl_rec_links(&h, h.uuid, h.pos, h.prev_seq, 1 + (h.pos & 0xffff));
	if (h.nr_blocks <= 2)
		sl_rec_data_ok(&h, 0, h.nr_blocks, dat);
	return 0;
}
