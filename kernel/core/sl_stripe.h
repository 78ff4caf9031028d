/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_stripe.h - where the chunks of a segment live on the k + m capacity legs.
 *
 * A segment occupies seg_leg_blocks blocks on every leg, from
 * seg_start + seg * seg_leg_blocks.  It is cut into rows of one stripe unit
 * (unit_blocks) per leg: row r of segment s is the global row
 * g = s * rows_per_seg + r, at leg block seg_start + s * seg_leg_blocks +
 * r * unit_blocks on every leg.  A row holds k data chunks and m parity
 * chunks, named by their index in the sl_ec chunk array (0..k-1 data,
 * k = P, k + 1 = Q).  Parity rotates with the global row:
 *
 *	P on leg g mod n,  Q on leg (g + 1) mod n,
 *	data chunk c on leg (g + m + c) mod n			(n = k + m)
 *
 * so over any n consecutive rows every leg holds P once, Q once and each
 * data index once (the data following the parity cyclically, as in md's
 * symmetric RAID-5/6 layouts).  Segment-logical data block b (0 ..
 * k * seg_leg_blocks - 1) is data chunk b / unit_blocks of the segment, i.e.
 * row (b / unit_blocks) / k, data index (b / unit_blocks) mod k, block
 * b mod unit_blocks inside the chunk.  Documentation/stripelog-erasure-coding.rst
 * has a worked 4+2 table.
 *
 * Pure arithmetic: no allocation, no locking, any context.
 */
#ifndef SL_STRIPE_H
#define SL_STRIPE_H

#include "sl_compat.h"

struct sl_geometry;

/**
 * struct sl_stripe - stripe geometry of a volume (filled by sl_stripe_init()).
 * @k, @m, @n: data, parity and total legs.
 * @unit_blocks: stripe unit (chunk) in blocks.
 * @seg_leg_blocks: segment length on each leg; a multiple of @unit_blocks.
 * @rows_per_seg: seg_leg_blocks / unit_blocks.
 * @seg_start: first block of segment 0 on every leg.
 * @nr_segments: number of segments.
 */
struct sl_stripe {
	u32 k, m, n;
	u32 unit_blocks;
	u32 seg_leg_blocks;
	u32 rows_per_seg;
	u64 seg_start;
	u64 nr_segments;
};

/**
 * struct sl_stripe_pos - what one leg block holds (sl_stripe_unmap()).
 * @seg: segment.  @row: row in the segment.  @grow: global row.
 * @idx: sl_ec chunk index in that row (0..k-1 data, k = P, k + 1 = Q).
 * @off: block inside the chunk (0..unit_blocks-1).
 * @blk: segment-logical data block (valid only when @idx < k).
 */
struct sl_stripe_pos {
	u64 seg;
	u32 row;
	u64 grow;
	u32 idx;
	u32 off;
	u64 blk;
};

/**
 * sl_stripe_init() - check and record a stripe geometry.
 * @st: result.  @k, @m: data/parity legs (1 <= k, m <= 2, k + m <= 16).
 * @unit_blocks: stripe unit, >= 1.  @seg_leg_blocks: a non-zero multiple of it,
 *	with (k + m) * seg_leg_blocks < 2^32.
 * @seg_start, @nr_segments: segment area on each leg (must not overflow u64).
 * @why: static reason on failure (may be NULL).
 * Return: 0 or -EINVAL.
 */
int sl_stripe_init(struct sl_stripe *st, u32 k, u32 m, u32 unit_blocks, u32 seg_leg_blocks,
		   u64 seg_start, u64 nr_segments, const char **why);

/** sl_stripe_from_geometry() - sl_stripe_init() from a volume geometry. */
int sl_stripe_from_geometry(struct sl_stripe *st, const struct sl_geometry *geo,
			    const char **why);

/** sl_stripe_grow() - global row of row @row of segment @seg. */
static inline u64 sl_stripe_grow(const struct sl_stripe *st, u64 seg, u32 row)
{
	return seg * st->rows_per_seg + row;
}

/** sl_stripe_chunk_leg() - leg holding chunk @idx (0..n-1) of global row @grow. */
u32 sl_stripe_chunk_leg(const struct sl_stripe *st, u64 grow, u32 idx);

/** sl_stripe_leg_chunk() - chunk index held by leg @leg (0..n-1) in global row @grow. */
u32 sl_stripe_leg_chunk(const struct sl_stripe *st, u64 grow, u32 leg);

/**
 * sl_stripe_row_legs() - @legs[idx] = leg of chunk idx for idx = 0..n-1 in
 * global row @grow: the order in which to build the pointer array for
 * sl_ec_gen() / raid6_call.gen_syndrome() from per-leg buffers.
 */
void sl_stripe_row_legs(const struct sl_stripe *st, u64 grow, u32 *legs);

/** sl_stripe_row_block() - first leg block of row @row of segment @seg (every leg). */
static inline u64 sl_stripe_row_block(const struct sl_stripe *st, u64 seg, u32 row)
{
	return st->seg_start + seg * st->seg_leg_blocks + (u64)row * st->unit_blocks;
}

/**
 * sl_stripe_map_chunk() - leg and first leg block of data chunk @j
 * (0 .. k * rows_per_seg - 1) of segment @seg.
 * Return: 0 or -ERANGE (@seg or @j out of range; outputs untouched).
 */
int sl_stripe_map_chunk(const struct sl_stripe *st, u64 seg, u32 j, u32 *leg, u64 *leg_block);

/**
 * sl_stripe_map_block() - leg and leg block of segment-logical data block
 * @blk (0 .. k * seg_leg_blocks - 1) of segment @seg.
 * Return: 0 or -ERANGE.
 */
int sl_stripe_map_block(const struct sl_stripe *st, u64 seg, u64 blk, u32 *leg, u64 *leg_block);

/**
 * sl_stripe_unmap() - what block @leg_block of leg @leg holds.
 * Return: 0 with @pos filled, or -ERANGE (leg out of range, or the block is
 * outside the segment area: leg superblock, unused space, past the end).
 */
int sl_stripe_unmap(const struct sl_stripe *st, u32 leg, u64 leg_block,
		    struct sl_stripe_pos *pos);

#endif /* SL_STRIPE_H */
