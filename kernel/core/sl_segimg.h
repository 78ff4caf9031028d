/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_segimg.h - a segment write as whole stripe rows ("segment image").
 *
 * A destage fills the first rows of a segment: the summary, then the data
 * slots in order, then zeros up to the end of the last row touched.  The
 * image holds those rows for every leg, leg by leg, so each leg is written
 * with ONE contiguous I/O of rows * unit_blocks blocks at
 * sl_stripe_row_block(st, seg, 0):
 *
 *	img + (leg * rows + row) * unit_blocks * 4096	chunk of @leg in row @row
 *
 * Every row is a full stripe (k data chunks + m parity chunks), so parity is
 * computed from the image alone: no read-modify-write, ever.  Rows past the
 * last one touched are not written; nothing maps into them (their parity is
 * whatever an earlier use of the segment left, and nothing reads it).
 *
 * The parity of a row: sl_segimg_row_ptrs() gives the chunk pointer array in
 * sl_ec / lib/raid6 order; the kernel hands it to raid6_call.gen_syndrome()
 * (m = 2) or xor_blocks() (m = 1), userspace to sl_ec_gen()
 * (sl_segimg_gen_parity()).  Pure: no allocation, no locking, no I/O.
 */
#ifndef SL_SEGIMG_H
#define SL_SEGIMG_H

#include "sl_compat.h"
#include "sl_stripe.h"

/**
 * sl_segimg_rows() - stripe rows a segment write of @sum_blocks summary
 * blocks and @nr_data data slots touches (0 when both are 0).
 */
u32 sl_segimg_rows(const struct sl_stripe *st, u32 sum_blocks, u32 nr_data);

/** sl_segimg_leg_bytes() - bytes per leg in an image of @rows rows. */
static inline size_t sl_segimg_leg_bytes(const struct sl_stripe *st, u32 rows)
{
	return (size_t)rows * st->unit_blocks * SL_BLOCK_SIZE;
}

/**
 * sl_segimg_chunk() - address of the chunk @leg holds in row @row of @img.
 */
static inline u8 *sl_segimg_chunk(const struct sl_stripe *st, u32 rows, void *img, u32 leg,
				  u32 row)
{
	return (u8 *)img + ((size_t)leg * rows + row) * st->unit_blocks * SL_BLOCK_SIZE;
}

/**
 * sl_segimg_fill() - lay a sealed destage out as @rows full rows.
 * @st: stripe geometry.  @seg: segment index.  @rows: sl_segimg_rows().
 * @summary/@sum_blocks: the encoded summary (segment-logical blocks 0..).
 * @bank/@nr_data: the data slots in slot order, 4 KiB each.
 * @img: (k + m) * sl_segimg_leg_bytes(st, rows) bytes, written entirely:
 *	data chunks get the summary, the slots and zeros; parity chunks zeros.
 */
void sl_segimg_fill(const struct sl_stripe *st, u64 seg, u32 rows, const void *summary,
		    u32 sum_blocks, const void *bank, u32 nr_data, void *img);

/**
 * sl_segimg_fill_slots() - sl_segimg_fill() with one pointer per data slot
 * (@slots[i]: 4 KiB, slot i) instead of a contiguous bank, so each block is
 * copied once, straight from wherever it is kept.
 */
void sl_segimg_fill_slots(const struct sl_stripe *st, u64 seg, u32 rows, const void *summary,
			  u32 sum_blocks, const void *const *slots, u32 nr_data, void *img);

/**
 * sl_segimg_row_ptrs() - the k + m chunk pointers of row @row in sl_ec order
 * (data 0..k-1 in coefficient order, then P, then Q), pointing into @img.
 */
void sl_segimg_row_ptrs(const struct sl_stripe *st, u64 seg, u32 rows, void *img, u32 row,
			void **ptrs);

/**
 * sl_segimg_gen_parity() - reference parity of every row of @img (sl_ec_gen).
 * Return: 0 or -EINVAL.
 */
int sl_segimg_gen_parity(const struct sl_stripe *st, u64 seg, u32 rows, void *img);

#endif /* SL_SEGIMG_H */
