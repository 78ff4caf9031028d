// SPDX-License-Identifier: GPL-2.0
/*
 * sl_segimg.c - a segment write laid out as whole stripe rows (sl_segimg.h).
 */
#include "sl_segimg.h"
#include "sl_ec.h"

u32 sl_segimg_rows(const struct sl_stripe *st, u32 sum_blocks, u32 nr_data)
{
	u64 row_blocks = (u64)st->k * st->unit_blocks;
	u64 used = (u64)sum_blocks + nr_data;

	return (u32)((used + row_blocks - 1) / row_blocks);
}

/* Fill from a contiguous @bank, or (bank NULL) from one pointer per slot. */
static void sl_segimg_fill_from(const struct sl_stripe *st, u64 seg, u32 rows,
				const void *summary, u32 sum_blocks, const void *bank,
				const void *const *slots, u32 nr_data, void *img)
{
	size_t unit = (size_t)st->unit_blocks * SL_BLOCK_SIZE;
	u32 row, idx, off, leg;
	u64 b, grow;
	const u8 *src;
	u8 *dst;

	for (row = 0; row < rows; row++) {
		grow = sl_stripe_grow(st, seg, row);
		for (idx = 0; idx < st->n; idx++) {
			leg = sl_stripe_chunk_leg(st, grow, idx);
			dst = sl_segimg_chunk(st, rows, img, leg, row);
			if (idx >= st->k) {
				memset(dst, 0, unit);
				continue;
			}
			/* Segment-logical blocks of data chunk row * k + idx. */
			b = ((u64)row * st->k + idx) * st->unit_blocks;
			for (off = 0; off < st->unit_blocks; off++, b++) {
				if (b < sum_blocks)
					src = (const u8 *)summary + b * SL_BLOCK_SIZE;
				else if (b - sum_blocks < nr_data && bank)
					src = (const u8 *)bank + (b - sum_blocks) * SL_BLOCK_SIZE;
				else if (b - sum_blocks < nr_data)
					src = slots[b - sum_blocks];
				else
					src = NULL;
				if (src)
					memcpy(dst + (size_t)off * SL_BLOCK_SIZE, src, SL_BLOCK_SIZE);
				else
					memset(dst + (size_t)off * SL_BLOCK_SIZE, 0, SL_BLOCK_SIZE);
			}
		}
	}
}

void sl_segimg_fill(const struct sl_stripe *st, u64 seg, u32 rows, const void *summary,
		    u32 sum_blocks, const void *bank, u32 nr_data, void *img)
{
	sl_segimg_fill_from(st, seg, rows, summary, sum_blocks, bank, NULL, nr_data, img);
}

void sl_segimg_fill_slots(const struct sl_stripe *st, u64 seg, u32 rows, const void *summary,
			  u32 sum_blocks, const void *const *slots, u32 nr_data, void *img)
{
	sl_segimg_fill_from(st, seg, rows, summary, sum_blocks, NULL, slots, nr_data, img);
}

void sl_segimg_row_ptrs(const struct sl_stripe *st, u64 seg, u32 rows, void *img, u32 row,
			void **ptrs)
{
	u64 grow = sl_stripe_grow(st, seg, row);
	u32 idx;

	for (idx = 0; idx < st->n; idx++)
		ptrs[idx] = sl_segimg_chunk(st, rows, img, sl_stripe_chunk_leg(st, grow, idx), row);
}

int sl_segimg_gen_parity(const struct sl_stripe *st, u64 seg, u32 rows, void *img)
{
	void *ptrs[SL_EC_MAX_CHUNKS];
	u32 row;
	int err;

	if (!st->m)
		return 0;
	for (row = 0; row < rows; row++) {
		sl_segimg_row_ptrs(st, seg, rows, img, row, ptrs);
		err = sl_ec_gen(st->k, st->m, (size_t)st->unit_blocks * SL_BLOCK_SIZE, ptrs);
		if (err)
			return err;
	}
	return 0;
}
