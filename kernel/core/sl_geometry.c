// SPDX-License-Identifier: GPL-2.0
/*
 * sl_geometry.c - volume geometry: derived at format time from the device
 * sizes, validated when decoded, and the segment block -> leg mapping.
 */
#include "sl_format.h"

#define SL_SEG_START_BLOCKS	256	/* segments start 1 MiB into each leg */

static u32 sl_sum_blocks_for(u32 seg_blocks)
{
	u32 s = 1;

	/* One summary entry per segment block is always enough room. */
	while (SL_SUM_ENTRIES_PER(s) < seg_blocks)
		s++;
	return s;
}

static u64 sl_usable_segments(u64 nr_segments)
{
	u64 reserve = nr_segments * SL_SEG_RESERVE_PCT / 100;

	if (reserve < 2)
		reserve = 2;
	return nr_segments > reserve ? nr_segments - reserve : 0;
}

u32 sl_seg_data_slots(const struct sl_geometry *geo)
{
	return geo->k * geo->seg_leg_blocks - geo->seg_sum_blocks;
}

static int sl_geo_fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

static bool sl_is_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

u32 sl_mlog_max_batch_blocks(const struct sl_geometry *geo)
{
	u32 n = SL_SUM_ENTRIES_PER(geo->seg_sum_blocks);

	return (n + SL_MLOG_ENTRIES_PER_BLOCK - 1) / SL_MLOG_ENTRIES_PER_BLOCK;
}

u64 sl_ckpt_body_bytes(u64 nr_segments, u64 nr_extents)
{
	return nr_segments * 8 + nr_extents * SL_MLOG_ENTRY_SIZE;
}

/* Header + segment table + at least one block of extents. */
static u64 sl_ckpt_min_slot_blocks(u64 nr_segments)
{
	return 2 + (nr_segments * 8 + SL_BLOCK_SIZE - 1) / SL_BLOCK_SIZE;
}

u64 sl_ckpt_capacity(const struct sl_geometry *geo)
{
	u64 body = (geo->ckpt_slot_blocks - 1) * SL_BLOCK_SIZE;

	if (!geo->ckpt_slot_blocks || body < geo->nr_segments * 8)
		return 0;
	return (body - geo->nr_segments * 8) / SL_MLOG_ENTRY_SIZE;
}

/*
 * Size the metadata log and the checkpoint slots at the end of the perf
 * device.  A slot is sized for one extent per data slot of the volume plus
 * one tombstone per segment (random 4 KiB writes, the worst common case),
 * but takes at most an eighth of the perf device; a map that outgrows it
 * is checkpointed as "scan" (SL_CKPT_F_SCAN: recovery falls back to the
 * segment scan).  Returns the blocks used (0: they do not fit).
 */
static u64 sl_meta_regions(const struct sl_format_params *p, struct sl_geometry *geo)
{
	u64 want, ext, slot, minslot, mlog, avail;

	mlog = p->mlog_blocks;
	if (!mlog)
		mlog = min_t(u64, max_t(u64, p->perf_blocks / 64, 64), 4096);
	mlog = max_t(u64, mlog, 4ull * sl_mlog_max_batch_blocks(geo));
	ext = geo->nr_segments * ((u64)sl_seg_data_slots(geo) + 1);
	want = 1 + (sl_ckpt_body_bytes(geo->nr_segments, ext) + SL_BLOCK_SIZE - 1) / SL_BLOCK_SIZE;
	minslot = sl_ckpt_min_slot_blocks(geo->nr_segments);
	slot = max_t(u64, minslot, min_t(u64, want, p->perf_blocks / 8));
	avail = p->perf_blocks - SL_LOG_START_MIN;
	if (mlog + 2 * slot + SL_MIN_LOG_BLOCKS > avail)
		return 0;
	geo->mlog_blocks = mlog;
	geo->ckpt_slot_blocks = slot;
	return mlog + 2 * slot;
}

/**
 * sl_geometry_validate() - check a geometry for internal consistency.
 * @geo: geometry (from a decoded superblock or sl_geometry_compute()).
 * @why: reason on failure.
 * Return: 0 or -EINVAL.
 */
int sl_geometry_validate(const struct sl_geometry *geo, const char **why)
{
	u64 seg_end;

	if (geo->k < 1 || geo->k + geo->m > SL_MAX_LEGS || geo->m > SL_MAX_PARITY)
		return sl_geo_fail(why, "invalid k/m in geometry");
	if (!sl_is_pow2(geo->stripe_unit_blocks) || geo->stripe_unit_blocks > 256)
		return sl_geo_fail(why, "invalid stripe unit in geometry");
	if (geo->seg_leg_blocks < geo->stripe_unit_blocks ||
	    geo->seg_leg_blocks % geo->stripe_unit_blocks ||
	    geo->seg_leg_blocks > SL_MAX_SEG_LEG_BLOCKS)
		return sl_geo_fail(why, "invalid segment size in geometry");
	if (geo->seg_sum_blocks != sl_sum_blocks_for(geo->k * geo->seg_leg_blocks))
		return sl_geo_fail(why, "invalid segment summary size in geometry");
	if (geo->log_start < SL_LOG_START_MIN || geo->log_blocks < SL_MIN_LOG_BLOCKS ||
	    geo->log_blocks > geo->perf_blocks ||
	    geo->log_start > geo->perf_blocks - geo->log_blocks)
		return sl_geo_fail(why, "invalid log region in geometry");
	if (geo->nr_segments < SL_MIN_SEGMENTS || geo->seg_start < 1 ||
	    geo->nr_segments > (geo->leg_blocks / geo->seg_leg_blocks))
		return sl_geo_fail(why, "invalid segment count in geometry");
	seg_end = geo->seg_start + geo->nr_segments * geo->seg_leg_blocks;
	if (seg_end > geo->leg_blocks || seg_end < geo->seg_start)
		return sl_geo_fail(why, "segments do not fit the capacity legs");
	if (!geo->logical_blocks || geo->logical_blocks >
	    sl_usable_segments(geo->nr_segments) * sl_seg_data_slots(geo))
		return sl_geo_fail(why, "logical size larger than the capacity holds");
	if (!geo->mlog_blocks) {
		if (geo->mlog_start || geo->ckpt_start || geo->ckpt_slot_blocks)
			return sl_geo_fail(why, "checkpoint region without a metadata log");
		return 0;
	}
	/* data log, then the metadata log, then the two checkpoint slots */
	if (geo->mlog_start < geo->log_start + geo->log_blocks ||
	    geo->mlog_blocks < 4ull * sl_mlog_max_batch_blocks(geo) ||
	    geo->mlog_blocks > geo->perf_blocks || geo->mlog_start > geo->perf_blocks ||
	    geo->mlog_start + geo->mlog_blocks > geo->ckpt_start)
		return sl_geo_fail(why, "invalid metadata-log region in geometry");
	if (geo->ckpt_slot_blocks < sl_ckpt_min_slot_blocks(geo->nr_segments) ||
	    geo->ckpt_slot_blocks > geo->perf_blocks || geo->ckpt_start > geo->perf_blocks ||
	    geo->ckpt_start + 2 * geo->ckpt_slot_blocks > geo->perf_blocks)
		return sl_geo_fail(why, "invalid checkpoint region in geometry");
	return 0;
}

/**
 * sl_geometry_compute() - lay out a new volume.
 * @p: device sizes and wishes.  @geo: result.  @why: reason on failure.
 * Return: 0 or -EINVAL.
 */
int sl_geometry_compute(const struct sl_format_params *p, struct sl_geometry *geo,
			const char **why)
{
	u64 max_logical, meta;

	memset(geo, 0, sizeof(*geo));
	geo->k = p->k;
	geo->m = p->m;
	if (p->k < 1 || p->k + p->m > SL_MAX_LEGS || p->m > SL_MAX_PARITY)
		return sl_geo_fail(why, "k must be >= 1, m <= 2, k + m <= 16");
	geo->stripe_unit_blocks = p->stripe_unit_blocks ?: SL_DEFAULT_STRIPE_UNIT_BLOCKS;
	geo->seg_leg_blocks = p->seg_leg_blocks ?: SL_DEFAULT_SEG_LEG_BLOCKS;
	if (geo->seg_leg_blocks < geo->stripe_unit_blocks)
		geo->seg_leg_blocks = geo->stripe_unit_blocks;
	geo->seg_sum_blocks = sl_sum_blocks_for(geo->k * geo->seg_leg_blocks);
	geo->perf_blocks = p->perf_blocks;
	geo->log_start = SL_LOG_START_MIN;
	if (p->perf_blocks < SL_LOG_START_MIN + SL_MIN_LOG_BLOCKS)
		return sl_geo_fail(why, "performance device too small for the log");
	geo->leg_blocks = p->leg_blocks;
	geo->seg_start = SL_SEG_START_BLOCKS;
	if (p->leg_blocks < geo->seg_start + (u64)SL_MIN_SEGMENTS * geo->seg_leg_blocks)
		return sl_geo_fail(why, "capacity device too small for the minimum of segments");
	geo->nr_segments = (p->leg_blocks - geo->seg_start) / geo->seg_leg_blocks;
	meta = 0;
	if (!p->legacy) {
		meta = sl_meta_regions(p, geo);
		if (!meta)
			return sl_geo_fail(why,
					   "performance device too small for the log, metadata log and checkpoints");
	}
	geo->log_blocks = p->log_blocks ?: p->perf_blocks - SL_LOG_START_MIN - meta;
	if (meta) {
		if (geo->log_blocks > p->perf_blocks - SL_LOG_START_MIN - meta)
			return sl_geo_fail(why, "log too large for the metadata log and checkpoints");
		geo->mlog_start = p->perf_blocks - meta;
		geo->ckpt_start = geo->mlog_start + geo->mlog_blocks;
	}
	max_logical = sl_usable_segments(geo->nr_segments) * sl_seg_data_slots(geo);
	geo->logical_blocks = p->logical_blocks ?: max_logical;
	if (geo->logical_blocks > max_logical)
		return sl_geo_fail(why, "requested size larger than the capacity devices hold");
	return sl_geometry_validate(geo, why);
}

/**
 * sl_seg_locate() - map segment-logical block @blk of segment @seg to a leg.
 * @geo: geometry.  @seg: segment index.  @blk: block within the segment's
 * k * seg_leg_blocks logical blocks.  @leg/@dev_block: result.
 *
 * The layout of sl_stripe.h (Documentation/stripelog-erasure-coding.rst):
 * segment-logical block @blk is data chunk j = blk / unit of the segment, in
 * row r = j / k, data index c = j mod k; the row's global number
 * g = seg * rows_per_seg + r decides the rotation, and data index c lives on
 * leg (g + m + c) mod (k + m), at the row's block on every leg.  The same
 * arithmetic as sl_stripe_map_block() (tests/unit/test-sl-stripe.c checks
 * they agree on every block), without its range checks: callers pass
 * addresses of a validated geometry.
 */
void sl_seg_locate(const struct sl_geometry *geo, u64 seg, u64 blk, u32 *leg, u64 *dev_block)
{
	u32 su = geo->stripe_unit_blocks;
	u32 n = geo->k + geo->m;
	u64 j = blk / su;
	u64 row = j / geo->k;
	u32 c = (u32)(j % geo->k);
	u64 grow = seg * (geo->seg_leg_blocks / su) + row;

	*leg = (u32)((grow + geo->m + c) % n);
	*dev_block = geo->seg_start + seg * geo->seg_leg_blocks + row * su + blk % su;
}
