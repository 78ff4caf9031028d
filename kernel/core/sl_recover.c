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

/*
 * An uncommitted summary must never become valid later, when a newer log
 * header's next_seg_seq passes its seg_seq: destroy its magic now, before
 * any new header can be written.  The same block of row 0 is zeroed on
 * every leg, not only on the leg holding the summary's first block: if that
 * leg is missing (failed, or a blank replacement not yet rebuilt) its block
 * is rebuilt from the others, and an all-zero column (data and parity)
 * rebuilds as zeros, so the magic cannot come back through parity either.
 * Nothing maps into an uncommitted segment, so the other zeroed blocks hold
 * nothing anyone reads.  Read-only inspection (ops->write NULL) skips this.
 */
static int sl_rcv_scrub(struct sl_rcv *c, u64 seg)
{
	c->rep->segments_uncommitted++;
	return sl_seg_scrub(&c->e->sb.geo, c->ops, c->ctx, seg, c->buf);
}

/*
 * Invalidate the named next destage target unless its summary block is
 * already zero on every leg (the common case: nothing was written to it
 * since the header named it), so a clean reload writes nothing.
 */
static int sl_rcv_scrub_target(struct sl_rcv *c, u64 seg)
{
	const struct sl_geometry *g = &c->e->sb.geo;
	u64 blk;
	u32 leg;
	int err;

	sl_seg_locate(g, seg, 0, &leg, &blk);
	for (leg = 0; leg < g->k + g->m; leg++) {
		err = c->ops->read(c->ctx, SL_DEV_LEG(leg), blk, 1, c->buf);
		if (err || !sl_block_is_zero(c->buf))
			return sl_rcv_scrub(c, seg);
	}
	return 0;
}

static int sl_rcv_segments(struct sl_rcv *c, const struct sl_loghdr *lh, u64 *max_seg_seq,
			   const char **why)
{
	struct sl_engine *e = c->e;
	struct sl_sum_hdr h;
	u64 seg;
	int err;

	if (lh->next_seg != SL_NO_SEG && lh->next_seg >= e->sb.geo.nr_segments)
		return sl_rcv_fail(why, "log header names a segment beyond the volume", -EINVAL);
	for (seg = 0; seg < e->sb.geo.nr_segments; seg++) {
		c->rep->segments_scanned++;
		/*
		 * The segment the newest header names as the next destage's
		 * target holds nothing committed: it was free when that header
		 * was written, and any write to it since is uncommitted.  Its
		 * summary may be torn in a way that decodes only through some
		 * sets of legs, so it is invalidated without being read.
		 */
		if (seg == lh->next_seg) {
			err = sl_rcv_scrub_target(c, seg);
			if (err)
				return sl_rcv_fail(why, "cannot invalidate an uncommitted segment", err);
			continue;
		}
		err = sl_rcv_read_seg(c, seg);
		if (err)
			return sl_rcv_fail(why, "cannot read a segment summary", err);
		if (sl_sum_decode(c->buf, e->sb.geo.seg_sum_blocks, e->data_slots,
				  e->sb.geo.nr_segments, &h, NULL))
			continue;
		if (memcmp(h.uuid, e->sb.uuid, SL_UUID_SIZE) || h.seg_index != seg)
			continue;
		if (h.seg_seq > *max_seg_seq)
			*max_seg_seq = h.seg_seq;
		/*
		 * Not yet committed by a log header: the write may be torn, and
		 * everything it holds is still in the log or in its source
		 * segment (a cleaning victim is reused only after the header).
		 */
		if (h.seg_seq >= lh->next_seg_seq) {
			err = sl_rcv_scrub(c, seg);
			if (err)
				return sl_rcv_fail(why, "cannot invalidate an uncommitted segment", err);
			continue;
		}
		c->rep->segments_valid++;
		err = sl_rcv_apply_summary(c, seg, &h);
		if (err)
			return sl_rcv_fail(why, "out of memory rebuilding the map", err);
	}
	return 0;
}

/*
 * The segment part of the map: from the newest usable checkpoint and the
 * metadata log (SL_FEAT_INCOMPAT_MLOG), else by scanning every summary.
 * The scan is also the fallback when no checkpoint is usable: it is safe
 * because every summary that may have reached a leg without being
 * committed is scrubbed (by the scan itself, or by the metadata-log replay
 * through the batch that always precedes the segment write).
 */
static int sl_rcv_map(struct sl_rcv *c, const struct sl_loghdr *lh, u64 *max_seg_seq,
		      const char **why)
{
	struct sl_engine *e = c->e;
	int err;

	if (!sl_meta_enabled(e))
		return sl_rcv_segments(c, lh, max_seg_seq, why);
	err = sl_meta_recover(e, c->ops, c->ctx, lh, c->rep, &c->max_seq, c->buf, why);
	if (!err && lh->next_seg != SL_NO_SEG) {
		/* As the scan does: the named target holds nothing committed. */
		if (lh->next_seg >= e->sb.geo.nr_segments)
			return sl_rcv_fail(why, "log header names a segment beyond the volume",
					   -EINVAL);
		c->rep->target_blocks += e->sb.geo.k + e->sb.geo.m;
		err = sl_rcv_scrub_target(c, lh->next_seg);
		if (err)
			return sl_rcv_fail(why, "cannot invalidate an uncommitted segment", err);
	}
	if (err != 1)
		return err;
	c->rep->scanned = true;
	err = sl_rcv_segments(c, lh, max_seg_seq, why);
	if (!err)
		sl_meta_after_scan(e, lh);
	return err;
}

struct sl_walk {
	const struct sl_sb *sb;
	const struct sl_dev_ops *ops;
	void *ctx;
	void *buf;
	struct sl_rec_hdr *h;
};

/* Read and fully validate the record at @pos; 1 = it links, 0 = it does not. */
static int sl_walk_try(struct sl_walk *w, u64 pos, u64 expect_prev)
{
	const struct sl_geometry *g = &w->sb->geo;
	struct sl_rec_hdr *h = w->h;
	u32 i;
	int err;

	err = w->ops->read(w->ctx, SL_DEV_PERF, g->log_start + pos, 1, w->buf);
	if (err)
		return err;
	if (sl_rec_hdr_decode(w->buf, h, NULL))
		return 0;
	if (!sl_rec_links(h, w->sb->uuid, pos, expect_prev, g->log_blocks))
		return 0;
	for (i = 0; i < h->nr_entries; i++)
		if (h->entries[i].lba >= g->logical_blocks ||
		    h->entries[i].nblocks > g->logical_blocks - h->entries[i].lba)
			return 0;
	if (h->nr_blocks) {
		err = w->ops->read(w->ctx, SL_DEV_PERF, g->log_start + pos + 1, h->nr_blocks,
				   (u8 *)w->buf + SL_BLOCK_SIZE);
		if (err)
			return err;
		if (!sl_rec_data_ok(h, 0, h->nr_blocks, (u8 *)w->buf + SL_BLOCK_SIZE))
			return 0;
	}
	return 1;
}

/**
 * sl_log_walk() - follow the record chain from a persisted tail.
 * @sb: volume.  @ops/@ctx: synchronous reads.  @tail_pos/@tail_prev_seq:
 * from the newest valid log header slot.  @cb: called for each accepted
 * record, in chain order, with its decoded header, position and the waste
 * skipped before it; a non-zero return stops the walk and is returned.
 * @res: end position and last seq of the chain.
 *
 * A record is accepted iff its header crc and every data crc hold, it
 * belongs to the volume, names its own position, links to the previous seq,
 * and lies where the writer's wrap rule would have put it.  Used by recovery
 * and by `stripelog dump/check`.  May allocate.  Return 0 or -errno.
 */
int sl_log_walk(const struct sl_sb *sb, const struct sl_dev_ops *ops, void *ctx, u64 tail_pos,
		u64 tail_prev_seq, sl_walk_cb cb, void *cbctx, struct sl_walk_result *res)
{
	struct sl_walk w = { .sb = sb, .ops = ops, .ctx = ctx };
	struct sl_log log;
	u64 pos, waste, expect = tail_prev_seq, steps;
	int ok, err = 0;

	sl_log_init(&log, sb->geo.log_blocks, tail_pos);
	memset(res, 0, sizeof(*res));
	w.buf = sl_alloc((size_t)(1 + SL_REC_MAX_BLOCKS) * SL_BLOCK_SIZE);
	w.h = sl_alloc(sizeof(*w.h));
	if (!w.buf || !w.h) {
		err = -ENOMEM;
		goto out;
	}
	for (steps = 0; steps < log.size; steps++) {
		pos = sl_log_norm_pos(log.size, log.head);
		ok = sl_walk_try(&w, pos, expect);
		if (ok == 0 && pos != 0)
			ok = sl_walk_try(&w, 0, expect);
		if (ok < 0) {
			err = ok;
			goto out;
		}
		if (!ok)
			break;
		/* Placed exactly as the writer would have; anything else ends the chain. */
		if (sl_log_alloc(&log, 1 + (u64)w.h->nr_blocks, &pos, &waste) || pos != w.h->pos)
			break;
		err = cb(cbctx, w.h, pos, waste);
		if (err)
			goto out;
		expect = w.h->seq;
		res->records++;
		res->blocks += w.h->nr_blocks;
	}
out:
	res->end_pos = sl_log_norm_pos(log.size, log.head);
	res->last_seq = expect;
	sl_free(w.buf);
	sl_free(w.h);
	return err;
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

static int sl_rcv_record(void *ctx, const struct sl_rec_hdr *h, u64 pos, u64 waste)
{
	struct sl_rcv *c = ctx;
	u64 p2, w2;

	/* Mirror the placement in the engine's log (the walker verified it). */
	if (sl_log_alloc(&c->e->log, 1 + (u64)h->nr_blocks, &p2, &w2) || p2 != pos || w2 != waste)
		return -EUCLEAN;
	return sl_rcv_accept(c, h, pos, waste);
}

static int sl_rcv_chain(struct sl_rcv *c, const struct sl_loghdr *lh, const char **why)
{
	struct sl_engine *e = c->e;
	struct sl_walk_result res;
	int err;

	err = sl_log_walk(&e->sb, c->ops, c->ctx, lh->tail_pos, lh->tail_prev_seq, sl_rcv_record, c,
			  &res);
	if (err)
		return sl_rcv_fail(why, err == -ENOMEM ? "out of memory replaying the log" :
				   "cannot read the data log", err);
	c->rep->records_replayed = res.records;
	c->rep->blocks_replayed = res.blocks;
	e->last_seq = res.last_seq;
	e->acked_seq = res.last_seq;
	return 0;
}

/*
 * Legs the newest log header names as stale missed chunks of committed
 * segments: before any segment is read, they join the missing legs (the
 * glue then rebuilds their reads), however good their superblock looks.
 */
static int sl_rcv_stale_legs(struct sl_rcv *c, const struct sl_loghdr *lh, const char **why)
{
	struct sl_engine *e = c->e;
	u32 n = e->sb.geo.k + e->sb.geo.m;
	u32 stale = (u32)(lh->flags & SL_LH_STALE_LEGS) & ((1u << n) - 1);
	u32 all = stale | e->legs_known_missing, fresh = stale & ~e->legs_known_missing;
	u32 i, cnt = 0;

	e->stale_legs = stale;
	c->rep->legs_stale = stale;
	for (i = 0; i < n; i++)
		cnt += (all >> i) & 1;
	if (cnt > e->sb.geo.m)
		return sl_rcv_fail(why, "more capacity legs failed or stale than the volume's parity (m) covers",
				   -EIO);
	if (fresh && e->legs_cb)
		e->legs_cb(c->ctx, &e->sb, fresh);
	return 0;
}

int sl_engine_recover(struct sl_engine *e, const struct sl_dev_ops *ops, void *ctx,
		      struct sl_recovery_report *rep, const char **why)
{
	struct sl_recovery_report local;
	struct sl_rcv c = { .e = e, .ops = ops, .ctx = ctx, .rep = rep ? rep : &local };
	struct sl_loghdr lh = { 0 };
	u64 max_seg_seq = 0, gap = SL_SEQ_GAP;
	int err;

	memset(c.rep, 0, sizeof(*c.rep));
	c.buf = sl_alloc((size_t)max_t(u32, 1 + SL_REC_MAX_BLOCKS, e->sb.geo.seg_sum_blocks) *
			 SL_BLOCK_SIZE);
	if (!c.buf)
		return sl_rcv_fail(why, "out of memory for recovery", -ENOMEM);
	err = sl_rcv_loghdr(&c, &lh, why);
	if (!err)
		err = sl_rcv_stale_legs(&c, &lh, why);
	if (!err)
		err = sl_rcv_map(&c, &lh, &max_seg_seq, why);
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
	e->next_target = lh.next_seg;
	e->loghdr_gen = lh.generation;
	e->state = (e->sb.feat_ro_compat & ~SL_FEAT_RO_COMPAT_SUPP) ? SL_STATE_RO : SL_STATE_RW;
	c.rep->loghdr_generation = lh.generation;
	c.rep->tail_pos = lh.tail_pos;
	c.rep->head_pos = e->log.head;
	c.rep->last_seq = e->last_seq;
	c.rep->next_seq = e->next_seq;
	c.rep->meta_blocks_read = SL_NR_LOGHDR_SLOTS + c.rep->ckpt_blocks + c.rep->mlog_blocks +
				  c.rep->target_blocks +
				  c.rep->segments_scanned * e->sb.geo.seg_sum_blocks +
				  c.rep->records_replayed;
	e->meta.rcv_blocks = c.rep->meta_blocks_read;
	e->meta.rcv_scan = c.rep->segments_scanned != 0;
	return 0;
}
