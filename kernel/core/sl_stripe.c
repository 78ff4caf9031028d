// SPDX-License-Identifier: GPL-2.0
/*
 * sl_stripe.c - segment/stripe-row geometry: data chunk <-> (leg, leg block)
 * with P and Q rotated across the legs row by row (see sl_stripe.h).
 */
#include "sl_stripe.h"
#include "sl_format.h"

static int sl_stripe_fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

/**
 * sl_stripe_init() - validate a stripe geometry and precompute rows_per_seg.
 * @st: result (zeroed on failure).  @k, @m: data and parity legs.
 * @unit_blocks: stripe unit in blocks.  @seg_leg_blocks: segment length per leg.
 * @seg_start: first segment block on each leg.  @nr_segments: segment count.
 * @why: reason on failure.
 * Return: 0 or -EINVAL.
 */
int sl_stripe_init(struct sl_stripe *st, u32 k, u32 m, u32 unit_blocks, u32 seg_leg_blocks,
		   u64 seg_start, u64 nr_segments, const char **why)
{
	memset(st, 0, sizeof(*st));
	if (k < 1 || m > SL_MAX_PARITY || k + m > SL_MAX_LEGS)
		return sl_stripe_fail(why, "k must be >= 1, m <= 2, k + m <= 16");
	if (!unit_blocks || !seg_leg_blocks || seg_leg_blocks % unit_blocks)
		return sl_stripe_fail(why, "segment must be a non-zero multiple of the stripe unit");
	if ((u64)(k + m) * seg_leg_blocks > 0xffffffffull)
		return sl_stripe_fail(why, "segment larger than 2^32 blocks over all legs");
	if (!nr_segments || nr_segments > (~0ull - seg_start) / seg_leg_blocks)
		return sl_stripe_fail(why, "segment area empty or beyond 2^64 blocks");
	st->k = k;
	st->m = m;
	st->n = k + m;
	st->unit_blocks = unit_blocks;
	st->seg_leg_blocks = seg_leg_blocks;
	st->rows_per_seg = seg_leg_blocks / unit_blocks;
	st->seg_start = seg_start;
	st->nr_segments = nr_segments;
	return 0;
}

int sl_stripe_from_geometry(struct sl_stripe *st, const struct sl_geometry *geo,
			    const char **why)
{
	return sl_stripe_init(st, geo->k, geo->m, geo->stripe_unit_blocks, geo->seg_leg_blocks,
			      geo->seg_start, geo->nr_segments, why);
}

/* Leg of the parity chunk of row @grow, i.e. where the row's rotation starts. */
static inline u32 sl_stripe_first_leg(const struct sl_stripe *st, u64 grow)
{
	return (u32)(grow % st->n);
}

u32 sl_stripe_chunk_leg(const struct sl_stripe *st, u64 grow, u32 idx)
{
	/* chunk order around the ring from the first leg: P, Q, D0 .. D(k-1) */
	u32 pos = idx < st->k ? st->m + idx : idx - st->k;

	return (sl_stripe_first_leg(st, grow) + pos) % st->n;
}

u32 sl_stripe_leg_chunk(const struct sl_stripe *st, u64 grow, u32 leg)
{
	u32 pos = (leg + st->n - sl_stripe_first_leg(st, grow)) % st->n;

	return pos < st->m ? st->k + pos : pos - st->m;
}

void sl_stripe_row_legs(const struct sl_stripe *st, u64 grow, u32 *legs)
{
	u32 idx;

	for (idx = 0; idx < st->n; idx++)
		legs[idx] = sl_stripe_chunk_leg(st, grow, idx);
}

int sl_stripe_map_chunk(const struct sl_stripe *st, u64 seg, u32 j, u32 *leg, u64 *leg_block)
{
	u32 row, idx;

	if (seg >= st->nr_segments || j >= st->k * st->rows_per_seg)
		return -ERANGE;
	row = j / st->k;
	idx = j % st->k;
	*leg = sl_stripe_chunk_leg(st, sl_stripe_grow(st, seg, row), idx);
	*leg_block = sl_stripe_row_block(st, seg, row);
	return 0;
}

int sl_stripe_map_block(const struct sl_stripe *st, u64 seg, u64 blk, u32 *leg, u64 *leg_block)
{
	u64 base;
	int ret;

	if (blk >= (u64)st->k * st->seg_leg_blocks)
		return -ERANGE;
	ret = sl_stripe_map_chunk(st, seg, (u32)(blk / st->unit_blocks), leg, &base);
	if (ret)
		return ret;
	*leg_block = base + blk % st->unit_blocks;
	return 0;
}

/**
 * sl_stripe_unmap() - inverse mapping: leg block -> segment, row, chunk.
 * @st: geometry.  @leg: leg index.  @leg_block: block on that leg.
 * @pos: result (untouched on failure).
 * Return: 0 or -ERANGE.
 */
int sl_stripe_unmap(const struct sl_stripe *st, u32 leg, u64 leg_block,
		    struct sl_stripe_pos *pos)
{
	u64 rel, seg;
	u32 in_seg, row, idx;

	if (leg >= st->n || leg_block < st->seg_start)
		return -ERANGE;
	rel = leg_block - st->seg_start;
	seg = rel / st->seg_leg_blocks;
	if (seg >= st->nr_segments)
		return -ERANGE;
	in_seg = (u32)(rel % st->seg_leg_blocks);
	row = in_seg / st->unit_blocks;
	pos->seg = seg;
	pos->row = row;
	pos->grow = sl_stripe_grow(st, seg, row);
	idx = sl_stripe_leg_chunk(st, pos->grow, leg);
	pos->idx = idx;
	pos->off = in_seg % st->unit_blocks;
	pos->blk = idx < st->k ?
		((u64)row * st->k + idx) * st->unit_blocks + pos->off : 0;
	return 0;
}
