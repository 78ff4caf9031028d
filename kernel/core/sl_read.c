// SPDX-License-Identifier: GPL-2.0
/*
 * sl_read.c - where the newest copy of a logical block lives: the log, a
 * segment (through the stripe layout), or nowhere (zeros).
 */
#include "sl_engine_int.h"

/* ---- reads ---- */

int sl_engine_lookup(struct sl_engine *e, u64 lba, u32 nblocks, struct sl_read_piece *p)
{
	const struct sl_geometry *g = &e->sb.geo;
	const struct sl_ext *x;
	u64 next, off, slot, blk, dev_block;
	u32 leg, su = g->stripe_unit_blocks;

	if (!nblocks || lba >= g->logical_blocks || nblocks > g->logical_blocks - lba)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->lba = lba;
	x = sl_map_find(&e->map, lba, &next);
	if (!x) {
		p->kind = SL_LOC_ZERO;
		p->nblocks = (u32)min_t(u64, nblocks, next - lba);
		return 0;
	}
	off = lba - x->lba;
	p->nblocks = (u32)min_t(u64, nblocks, x->len - off);
	p->seq = x->seq;
	switch (x->kind) {
	case SL_MAP_LOG:
		p->kind = SL_LOC_LOG;
		p->dev = SL_DEV_PERF;
		p->dev_block = g->log_start + x->loc + off;
		break;
	case SL_MAP_SEG:
		slot = (x->loc % e->data_slots) + off;
		blk = g->seg_sum_blocks + slot;
		sl_seg_locate(g, x->loc / e->data_slots, blk, &leg, &dev_block);
		p->kind = SL_LOC_SEG;
		p->dev = SL_DEV_LEG(leg);
		p->dev_block = dev_block;
		p->nblocks = (u32)min_t(u64, p->nblocks, su - (blk % su));
		break;
	default:
		p->kind = SL_LOC_ZERO;
		break;
	}
	return 0;
}
