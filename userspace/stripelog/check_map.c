// SPDX-License-Identifier: GPL-2.0
/*
 * stripelog check: cross-check the map recovery builds from the newest
 * checkpoint and the metadata log against the map a scan of every segment
 * summary builds (the pre-checkpoint recovery).  Both then replay the same
 * data-log chain, so for every block they must name the same place and seq:
 * a difference means a checkpoint or a metadata batch lost or invented a
 * mapping.  Read-only (no scrubbing).
 */
#include "slc.h"
#include <stdio.h>

static struct sl_engine *scan_engine(struct slc_vol *v)
{
	struct sl_dev_ops ro = { slc_dev_ops.read, NULL, NULL };
	struct sl_recovery_report rep;
	struct sl_engine *e;
	struct sl_sb sb = v->sb;
	const char *why;

	/* The same volume seen as one without a metadata log: recovery scans. */
	sb.feat_incompat &= ~SL_FEAT_INCOMPAT_MLOG;
	sb.geo.mlog_start = sb.geo.mlog_blocks = 0;
	sb.geo.ckpt_start = sb.geo.ckpt_slot_blocks = 0;
	if (sl_engine_create(&sb, NULL, &e))
		return NULL;
	if (sl_engine_recover(e, &ro, &v->d, &rep, &why)) {
		sl_engine_destroy(e);
		return NULL;
	}
	return e;
}

static bool same(const struct sl_read_piece *a, const struct sl_read_piece *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == SL_LOC_ZERO)
		return true;
	return a->dev == b->dev && a->dev_block == b->dev_block && a->seq == b->seq;
}

static const char *kind_name(u32 k)
{
	return k == SL_LOC_ZERO ? "zeros" : k == SL_LOC_LOG ? "log" : "segment";
}

/**
 * slc_check_ckpt_map() - compare @e (checkpoint recovery) with a scan.
 * @fn/@ctx: called once per differing run (the first 20 are described).
 * Return: the number of differing blocks.
 */
u64 slc_check_ckpt_map(struct slc_vol *v, struct sl_engine *e, slc_mismatch_fn fn, void *ctx)
{
	struct sl_engine *s = scan_engine(v);
	struct sl_read_piece a, b;
	u64 lba = 0, n, bad = 0, runs = 0, end = v->sb.geo.logical_blocks;
	char msg[256];

	if (!s) {
		fn(ctx, "cannot recover the volume by a segment scan to cross-check the checkpoint");
		return 1;
	}
	while (lba < end) {
		n = end - lba > 0x7fffffff ? 0x7fffffff : end - lba;
		if (sl_engine_lookup(e, lba, (u32)n, &a) || sl_engine_lookup(s, lba, (u32)n, &b))
			break;
		n = a.nblocks < b.nblocks ? a.nblocks : b.nblocks;
		if (!n)
			break;
		if (!same(&a, &b)) {
			bad += n;
			if (runs++ < 20) {
				snprintf(msg, sizeof(msg),
					 "checkpoint map differs from the segment summaries at lba %llu +%llu: "
					 "checkpoint says %s seq %llu, summaries say %s seq %llu",
					 (unsigned long long)lba, (unsigned long long)n,
					 kind_name(a.kind), (unsigned long long)a.seq,
					 kind_name(b.kind), (unsigned long long)b.seq);
				fn(ctx, msg);
			}
		}
		lba += n;
	}
	sl_engine_destroy(s);
	return bad;
}
