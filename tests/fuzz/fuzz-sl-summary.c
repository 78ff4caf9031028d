// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: segment summary decoder (2-block area).  Byte 0 bit 0 set =
 * start from a valid summary, XOR the input in, reseal the crc.
 */
#include "sl_format.h"
#include <string.h>

#define SUMB 2
static u8 area[SUMB * SL_BLOCK_SIZE];

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct sl_sum_entry ent[4] = {
		{ .lba = 1, .seq = 3, .nblocks = 1, .slot = 0, .flags = SL_EF_DATA },
		{ .lba = 9, .seq = 4, .nblocks = 1, .slot = 1, .flags = SL_EF_DATA },
		{ .lba = 20, .seq = 4, .nblocks = 100, .flags = SL_EF_DISCARD },
		{ .lba = 2, .seq = 2, .nblocks = 1, .slot = 2, .flags = SL_EF_DATA },
	};
	struct sl_sum_hdr h;
	struct sl_sum_entry e;
	const char *why;
	size_t i;
	u32 k;

	if (!size)
		return 0;
	memset(area, 0, sizeof(area));
	if (data[0] & 1) {
		memset(&h, 0, sizeof(h));
		h.seg_index = 3;
		h.seg_seq = 8;
		h.nr_entries = 4;
		h.nr_data = 3;
		h.sum_blocks = SUMB;
		h.max_seq = 4;
		sl_sum_encode(&h, ent, area);
		for (i = 1; i < size && i - 1 < sizeof(area); i++)
			area[i - 1] ^= data[i];
		((__le32 *)area)[1] = cpu_to_le32(sl_meta_crc(area, sizeof(area)));
	} else {
		memcpy(area, data + 1, size - 1 < sizeof(area) ? size - 1 : sizeof(area));
	}
	if (sl_sum_decode(area, SUMB, 200, 16, &h, &why))
		return 0;
	for (k = 0; k < h.nr_entries; k++) {
		sl_sum_entry_get(area, k, &e);
		if (e.flags == SL_EF_DATA && e.slot >= h.nr_data)
			__builtin_trap();
	}
	return 0;
}
