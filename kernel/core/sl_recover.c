// SPDX-License-Identifier: GPL-2.0
/*
 * sl_recover.c - rebuild the engine state after a load or a crash:
 *   1. the newest log header slot whose crc holds (tail position + seq),
 *   2. every segment summary (newest seq per block wins, equal seqs go to
 *      the segment written later),
 *   3. the record chain from the persisted tail: a record is accepted only if
 *      its header crc, every data block crc, its position and its prev_seq
 *      link hold; when the record at p does not link, the log start is tried
 *      (the writer wraps when a record does not fit).  Log entries win ties.
 * Then the next record gets seq = last valid + SL_SEQ_GAP, prev = last valid,
 * so an orphan written after a torn record before the crash can never link.
 */
#include "sl_engine_int.h"

struct sl_rcv {
	struct sl_engine *e;
	const struct sl_dev_ops *ops;
	void *ctx;
	struct sl_recovery_report *rep;
	void *buf;			/* 1 + SL_REC_MAX_BLOCKS blocks */
	u64 max_seq;
};

static int sl_rcv_fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

static int sl_rcv_loghdr(struct sl_rcv *c, struct sl_loghdr *best, const char **why)
{
	struct sl_loghdr lh;
	bool found = false;
	u32 i;
	int err;

	for (i = 0; i < SL_NR_LOGHDR_SLOTS; i++) {
		err = c->ops->read(c->ctx, SL_DEV_PERF, SL_LOGHDR_BLOCK0 + i, 1, c->buf);
		if (err)
			return sl_rcv_fail(why, "cannot read the log header slots", err);
		if (sl_loghdr_decode(c->buf, &lh, NULL))
			continue;
		if (memcmp(lh.uuid, c->e->sb.uuid, SL_UUID_SIZE))
			continue;
		if (lh.tail_pos >= c->e->sb.geo.log_blocks)
			continue;
		if (!found || lh.generation > best->generation) {
			*best = lh;
			found = true;
		}
	}
	if (!found)
		return sl_rcv_fail(why, "no valid log header slot (corrupt perf device)", -EUCLEAN);
	return 0;
}

static int sl_rcv_read_seg(struct sl_rcv *c, u64 seg)
{
	const struct sl_geometry *g = &c->e->sb.geo;
	u32 b, leg;
	u64 blk;
	int err;

	for (b = 0; b < g->seg_sum_blocks; b++) {
		sl_seg_locate(g, seg, b, &leg, &blk);
		err = c->ops->read(c->ctx, SL_DEV_LEG(leg), blk, 1,
				   (u8 *)c->buf + (size_t)b * SL_BLOCK_SIZE);
		if (err)
			return err;
	}
	return 0;
}

static int sl_rcv_apply_summary(struct sl_rcv *c, u64 seg, const struct sl_sum_hdr *h)
{
	struct sl_engine *e = c->e;
	struct sl_sum_entry en;
	u64 lba_max = e->sb.geo.logical_blocks;
	u32 mode = SL_MAP_FILL_GAPS | SL_MAP_IF_NEWER;
	u32 i;
	int err = 0;

	e->segs[seg].seg_seq = h->seg_seq;
	for (i = 0; i < h->nr_entries && !err; i++) {
		sl_sum_entry_get(c->buf, i, &en);
		if (en.lba >= lba_max || en.nblocks > lba_max - en.lba)
			continue;	/* never written by us; `stripelog check` reports it */
		if (en.seq > c->max_seq)
			c->max_seq = en.seq;
		if (en.flags == SL_EF_DATA)
			err = sl_map_update(&e->map, en.lba, 1, SL_MAP_SEG,
					    seg * e->data_slots + en.slot, en.seq, mode);
		else
			err = sl_map_update(&e->map, en.lba, en.nblocks, SL_MAP_DSEG,
					    seg * e->data_slots, en.seq, mode);
	}
	return err;
}

static int sl_rcv_segments(struct sl_rcv *c, u64 *max_seg_seq, const char **why)
{
	struct sl_engine *e = c->e;
	struct sl_sum_hdr h;
	u64 seg;
	int err;

	for (seg = 0; seg < e->sb.geo.nr_segments; seg++) {
		c->rep->segments_scanned++;
		err = sl_rcv_read_seg(c, seg);
		if (err)
			return sl_rcv_fail(why, "cannot read a segment summary", err);
		if (sl_sum_decode(c->buf, e->sb.geo.seg_sum_blocks, e->data_slots,
				  e->sb.geo.nr_segments, &h, NULL))
			continue;
		if (memcmp(h.uuid, e->sb.uuid, SL_UUID_SIZE) || h.seg_index != seg)
			continue;
		c->rep->segments_valid++;
		if (h.seg_seq > *max_seg_seq)
			*max_seg_seq = h.seg_seq;
		err = sl_rcv_apply_summary(c, seg, &h);
		if (err)
			return sl_rcv_fail(why, "out of memory rebuilding the map", err);
	}
	return 0;
}

/* Read and fully validate the record at @pos; 1 = it links, 0 = it does not. */
static int sl_rcv_try(struct sl_rcv *c, u64 pos, u64 expect_prev, struct sl_rec_hdr *h)
{
	struct sl_engine *e = c->e;
	const struct sl_geometry *g = &e->sb.geo;
	u32 i, lba_bad = 0;
	int err;

	err = c->ops->read(c->ctx, SL_DEV_PERF, g->log_start + pos, 1, c->buf);
	if (err)
		return err;
	if (sl_rec_hdr_decode(c->buf, h, NULL))
		return 0;
	if (!sl_rec_links(h, e->sb.uuid, pos, expect_prev, g->log_blocks))
		return 0;
	for (i = 0; i < h->nr_entries; i++)
		if (h->entries[i].lba >= g->logical_blocks ||
		    h->entries[i].nblocks > g->logical_blocks - h->entries[i].lba)
			lba_bad++;
	if (lba_bad)
		return 0;
	if (h->nr_blocks) {
		err = c->ops->read(c->ctx, SL_DEV_PERF, g->log_start + pos + 1, h->nr_blocks,
				   (u8 *)c->buf + SL_BLOCK_SIZE);
		if (err)
			return err;
		if (!sl_rec_data_ok(h, 0, h->nr_blocks, (u8 *)c->buf + SL_BLOCK_SIZE))
			return 0;
	}
	return 1;
}

static int sl_rcv_accept(struct sl_rcv *c, const struct sl_rec_hdr *h, u64 pos, u64 waste)
{
	struct sl_engine *e = c->e;
	struct sl_rec *r;
	u32 i, off = 0;

	r = sl_rec_alloc(h->nr_entries, h->nr_blocks);
	if (!r)
		return -ENOMEM;
	r->pos = pos;
	r->waste = waste;
	r->io.seq = h->seq;
	r->io.dev_block = e->sb.geo.log_start + pos;
	r->io.nr_blocks = 1 + h->nr_blocks;
	r->prev_seq = h->prev_seq;
	r->nr_entries = h->nr_entries;
	r->nr_data = h->nr_blocks;
	r->done = true;
	r->acked = true;
	for (i = 0; i < h->nr_entries; i++) {
		r->entries[i] = h->entries[i];
		r->data_off[i] = off;
		if (h->entries[i].flags & SL_EF_DATA)
			off += h->entries[i].nblocks;
	}
	memcpy(r->crc, h->block_crc, h->nr_blocks * sizeof(u32));
	sl_list_add_tail(&r->fifo, &e->fifo);
	return sl_engine_apply_rec(e, r, SL_MAP_FILL_GAPS | SL_MAP_IF_NEWER);
}

static int sl_rcv_chain(struct sl_rcv *c, const struct sl_loghdr *lh, const char **why)
{
	struct sl_engine *e = c->e;
	struct sl_rec_hdr *h = e->scratch_hdr;
	u64 pos, waste, expect = lh->tail_prev_seq, steps;
	int ok, err;

	for (steps = 0; steps < e->log.size; steps++) {
		pos = sl_log_norm_pos(e->log.size, e->log.head);
		ok = sl_rcv_try(c, pos, expect, h);
		if (ok == 0 && pos != 0)
			ok = sl_rcv_try(c, 0, expect, h);
		if (ok < 0)
			return sl_rcv_fail(why, "cannot read the data log", ok);
		if (!ok)
			break;
		/* Place it exactly as the writer would have; anything else ends the chain. */
		if (sl_log_alloc(&e->log, 1 + (u64)h->nr_blocks, &pos, &waste) || pos != h->pos) {
			if (!sl_log_fits(&e->log, 1 + (u64)h->nr_blocks))
				break;
			break;
		}
		err = sl_rcv_accept(c, h, pos, waste);
		if (err)
			return sl_rcv_fail(why, "out of memory replaying the log", err);
		expect = h->seq;
		c->rep->records_replayed++;
		c->rep->blocks_replayed += h->nr_blocks;
	}
	e->last_seq = expect;
	e->acked_seq = expect;
	return 0;
}

int sl_engine_recover(struct sl_engine *e, const struct sl_dev_ops *ops, void *ctx,
		      struct sl_recovery_report *rep, const char **why)
{
	struct sl_recovery_report local;
	struct sl_rcv c = { .e = e, .ops = ops, .ctx = ctx, .rep = rep ? rep : &local };
	struct sl_loghdr lh;
	u64 max_seg_seq = 0, gap = SL_SEQ_GAP;
	int err;

	memset(c.rep, 0, sizeof(*c.rep));
	c.buf = sl_alloc((size_t)max_t(u32, 1 + SL_REC_MAX_BLOCKS, e->sb.geo.seg_sum_blocks) *
			 SL_BLOCK_SIZE);
	if (!c.buf)
		return sl_rcv_fail(why, "out of memory for recovery", -ENOMEM);
	err = sl_rcv_loghdr(&c, &lh, why);
	if (!err)
		err = sl_rcv_segments(&c, &max_seg_seq, why);
	if (!err) {
		sl_engine_init_log(e, lh.tail_pos, lh.tail_prev_seq);
		err = sl_rcv_chain(&c, &lh, why);
	}
	sl_free(c.buf);
	if (err)
		return err;
#ifdef SL_TESTING
	if (e->test_flags & SL_TEST_NO_SEQ_GAP)
		gap = 1;
#endif
	e->next_seq = max_t(u64, e->last_seq, c.max_seq) + gap;
	e->next_seg_seq = max_t(u64, lh.next_seg_seq, max_seg_seq + 1);
	e->loghdr_gen = lh.generation;
	e->state = (e->sb.feat_ro_compat & ~SL_FEAT_RO_COMPAT_SUPP) ? SL_STATE_RO : SL_STATE_RW;
	c.rep->loghdr_generation = lh.generation;
	c.rep->tail_pos = lh.tail_pos;
	c.rep->head_pos = e->log.head;
	c.rep->last_seq = e->last_seq;
	c.rep->next_seq = e->next_seq;
	return 0;
}
