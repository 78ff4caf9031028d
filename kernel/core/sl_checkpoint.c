// SPDX-License-Identifier: GPL-2.0
/*
 * sl_checkpoint.c - the metadata log and the map checkpoints.
 *
 * Metadata log (perf device region, circular): every destaged segment gets
 * one *batch* of compact extents (lba, len -> slot, seq) - the segment
 * summary without per-block crcs - written with FUA before any block of the
 * segment.  The log header that commits the segment also names the last
 * mlog block (mlog_seq, mlog_end): batches up to there are committed; a
 * batch after it belongs to a destage cut before its header, and recovery
 * scrubs that segment's summary (it knows the segment from the batch, so
 * every summary that may have reached a leg uncommitted is accounted for;
 * it is also the segment the header names as the next target, which
 * sl_recover.c invalidates on every recovery).
 *
 * Checkpoints (two slots, alternately written): the segment part of the map
 * (SEG and DSEG extents) and every segment's write seq, plus where the
 * metadata log continues after it.  Extents pointing into the data log are
 * not saved: their records lie after the persisted data-log tail and are
 * replayed from it, or were destaged later, and then their batch is in the
 * metadata log after the checkpoint.  Recovery = newest valid checkpoint +
 * mlog batches up to the committed end + the data-log chain.  The mlog is
 * released only up to the start of the checkpoint *before* the newest one,
 * so a corrupt newest slot falls back to the older one with the mlog intact.
 */
#include "sl_engine_int.h"

#define SL_EXT_MAX_LEN	0xffffffffull

bool sl_meta_enabled(const struct sl_engine *e)
{
	return e->sb.geo.mlog_blocks != 0;
}

static u32 sl_meta_max_batch(const struct sl_engine *e)
{
	return sl_mlog_max_batch_blocks(&e->sb.geo);
}

void *sl_meta_batch_alloc(const struct sl_engine *e)
{
	return sl_alloc((size_t)sl_meta_max_batch(e) * SL_BLOCK_SIZE);
}

bool sl_meta_batch_fits(const struct sl_engine *e)
{
	return !sl_meta_enabled(e) || sl_log_fits(&e->meta.log, sl_meta_max_batch(e));
}

/*
 * Walk the summary entries as compact extents: consecutive DATA entries of
 * one seq whose lbas and slots both advance by one form one extent.  Calls
 * @emit (when non-NULL) with each; returns the number of extents.
 */
static u32 sl_meta_extents(const struct sl_sum_entry *en, u32 nr, void *buf)
{
	struct sl_mext cur = { 0 };
	u32 i, n = 0;
	bool open = false;

	for (i = 0; i <= nr; i++) {
		const struct sl_sum_entry *s = i < nr ? &en[i] : NULL;

		if (open && s && s->flags == SL_EF_DATA && cur.flags == SL_EF_DATA &&
		    s->seq == cur.seq && s->lba == cur.lba + cur.len &&
		    s->slot == cur.loc + cur.len && cur.len < SL_EXT_MAX_LEN) {
			cur.len++;
			continue;
		}
		if (open) {
			if (buf) {
				u8 *blk = (u8 *)buf + (size_t)(n / SL_MLOG_ENTRIES_PER_BLOCK) *
					  SL_BLOCK_SIZE;

				sl_mext_encode(&cur, blk + SL_MLOG_HDR_SIZE +
					       (n % SL_MLOG_ENTRIES_PER_BLOCK) * SL_MLOG_ENTRY_SIZE);
			}
			n++;
		}
		if (!s)
			break;
		cur.lba = s->lba;
		cur.seq = s->seq;
		cur.flags = s->flags;
		cur.len = s->flags == SL_EF_DATA ? 1 : s->nblocks;
		cur.loc = s->flags == SL_EF_DATA ? s->slot : 0;
		open = true;
	}
	return n;
}

int sl_meta_batch_encode(struct sl_engine *e, struct sl_destage *d,
			 const struct sl_sum_entry *en, u32 nr)
{
	struct sl_meta *mt = &e->meta;
	struct sl_mlog_hdr h;
	u32 n, nblk, i;
	u64 pos, waste;

	d->mlog_blocks = 0;
	if (!sl_meta_enabled(e) || !d->sum_blocks)
		return 0;
#ifdef SL_TESTING
	if (e->test_flags & SL_TEST_NO_MLOG)
		return 0;	/* broken on purpose: the segment is never recorded */
#endif
	n = sl_meta_extents(en, nr, NULL);
	nblk = n ? (n + SL_MLOG_ENTRIES_PER_BLOCK - 1) / SL_MLOG_ENTRIES_PER_BLOCK : 1;
	if (nblk > sl_meta_max_batch(e) || sl_log_alloc(&mt->log, nblk, &pos, &waste))
		return -ENOSPC;
	memset(d->mlog, 0, (size_t)nblk * SL_BLOCK_SIZE);
	sl_meta_extents(en, nr, d->mlog);
	memset(&h, 0, sizeof(h));
	memcpy(h.uuid, e->sb.uuid, SL_UUID_SIZE);
	h.seg_index = d->seg_index;
	h.seg_seq = d->seg_seq;
	h.blk_count = nblk;
	for (i = 0; i < nblk; i++) {
		h.seq = mt->next_seq + i;
		h.prev_seq = i ? h.seq - 1 : mt->last_seq;
		h.pos = pos + i;
		h.blk_index = i;
		h.nr_entries = min_t(u32, n - min_t(u32, n, i * SL_MLOG_ENTRIES_PER_BLOCK),
				     SL_MLOG_ENTRIES_PER_BLOCK);
		sl_mlog_encode(&h, NULL, (u8 *)d->mlog + (size_t)i * SL_BLOCK_SIZE);
	}
	mt->last_seq = mt->next_seq + nblk - 1;
	mt->next_seq = mt->last_seq + 1;
	mt->total += waste + nblk;
	d->mlog_blocks = nblk;
	d->mlog_block = e->sb.geo.mlog_start + pos;
	e->st.meta_bytes_written += (u64)nblk * SL_BLOCK_SIZE;
	e->st.dev_bytes_written += (u64)nblk * SL_BLOCK_SIZE;
	return 0;
}

void sl_meta_fill_loghdr(const struct sl_engine *e, struct sl_loghdr *lh)
{
	if (!sl_meta_enabled(e))
		return;
	lh->mlog_seq = e->meta.last_seq;
	lh->mlog_end = sl_log_norm_pos(e->meta.log.size, e->meta.log.head);
}

/* ---------------- checkpoints at run time ---------------- */

struct sl_ckpt_priv {
	struct sl_ckpt_io io;
	u32 slot;
	bool scan;
	u64 mlog_pos, mlog_total;
};

bool sl_engine_ckpt_wanted(const struct sl_engine *e)
{
	const struct sl_meta *mt = &e->meta;

	if (!sl_meta_enabled(e) || e->state != SL_STATE_RW || e->destage)
		return false;
	return mt->want || mt->log.used * 100 >= (u64)SL_MLOG_CKPT_PCT * mt->log.size ||
	       !sl_meta_batch_fits(e);
}

int sl_engine_ckpt_request(struct sl_engine *e)
{
	if (!sl_meta_enabled(e))
		return -EOPNOTSUPP;
	e->meta.want = true;
	return 0;
}

struct sl_ckpt_walker {
	u8 *ext;
	u64 *max_seq;
	u64 n;
};

static bool sl_ckpt_walk_one(void *arg, const struct sl_ext *x)
{
	struct sl_ckpt_walker *w = arg;
	struct sl_mext m;
	u64 off, len;

	if (x->kind != SL_MAP_SEG && x->kind != SL_MAP_DSEG)
		return true;
	for (off = 0; off < x->len; off += len) {
		len = min_t(u64, x->len - off, SL_EXT_MAX_LEN);
		if (w->ext) {
			m.lba = x->lba + off;
			m.seq = x->seq;
			m.len = (u32)len;
			m.flags = x->kind == SL_MAP_SEG ? SL_EF_DATA : SL_EF_DISCARD;
			m.loc = x->kind == SL_MAP_SEG ? x->loc + off : x->loc;
			sl_mext_encode(&m, w->ext + w->n * SL_MLOG_ENTRY_SIZE);
		}
		if (w->max_seq && x->seq > *w->max_seq)
			*w->max_seq = x->seq;
		w->n++;
	}
	return true;
}

/* Emit the segment extents of the map (split at 2^32-1 blocks) into @ext. */
static u64 sl_ckpt_walk(const struct sl_engine *e, u8 *ext, u64 *max_seq)
{
	struct sl_ckpt_walker w = { ext, max_seq, 0 };

	sl_map_walk(&e->map, sl_ckpt_walk_one, &w);
	return w.n;
}

int sl_engine_ckpt_build(struct sl_engine *e, struct sl_ckpt_io **out)
{
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_meta *mt = &e->meta;
	struct sl_ckpt_priv *p;
	struct sl_ckpt_hdr h;
	u64 n, i, body_blocks;
	u8 *body;

	if (!sl_meta_enabled(e))
		return -EOPNOTSUPP;
	if (e->state != SL_STATE_RW)
		return -EIO;
	if (e->destage)
		return -EBUSY;
	memset(&h, 0, sizeof(h));
	n = sl_ckpt_walk(e, NULL, NULL);
	if (n > sl_ckpt_capacity(g)) {
		h.flags = SL_CKPT_F_SCAN;	/* too many extents: recovery scans */
		body_blocks = 0;
	} else {
		body_blocks = (sl_ckpt_body_bytes(g->nr_segments, n) + SL_BLOCK_SIZE - 1) /
			      SL_BLOCK_SIZE;
	}
	p = sl_zalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->io.nr_blocks = (u32)(1 + body_blocks);
	p->io.buf = sl_zalloc((size_t)p->io.nr_blocks * SL_BLOCK_SIZE);
	if (!p->io.buf) {
		sl_free(p);
		return -ENOMEM;
	}
	body = (u8 *)p->io.buf + SL_BLOCK_SIZE;
	if (!(h.flags & SL_CKPT_F_SCAN)) {
		for (i = 0; i < g->nr_segments; i++) {
			__le64 v = cpu_to_le64(e->segs[i].seg_seq);

			memcpy(body + i * 8, &v, 8);
		}
		h.nr_extents = sl_ckpt_walk(e, body + g->nr_segments * 8, &h.max_seq);
		h.nr_segments = g->nr_segments;
		h.body_blocks = (u32)body_blocks;
		h.body_crc = sl_crc32c(SL_CRC_SEED, body, (size_t)body_blocks * SL_BLOCK_SIZE);
	}
	p->slot = mt->slot ^ 1;
	p->scan = h.flags & SL_CKPT_F_SCAN;
	h.generation = mt->gen + 1;
	memcpy(h.uuid, e->sb.uuid, SL_UUID_SIZE);
	p->mlog_pos = sl_log_norm_pos(mt->log.size, mt->log.head);
	p->mlog_total = mt->total;
	h.mlog_pos = p->mlog_pos;
	h.mlog_prev_seq = mt->last_seq;
	h.next_seg_seq = e->next_seg_seq;
	sl_ckpt_hdr_encode(&h, p->io.buf);
	p->io.generation = h.generation;
	p->io.dev_block = g->ckpt_start + p->slot * g->ckpt_slot_blocks;
	*out = &p->io;
	return 0;
}

void sl_engine_ckpt_done(struct sl_engine *e, struct sl_ckpt_io *c, int err)
{
	struct sl_ckpt_priv *p = sl_container_of(c, struct sl_ckpt_priv, io);
	struct sl_meta *mt = &e->meta;

	if (err) {
		sl_engine_fail(e);
	} else {
		mt->prev_pos = mt->cur_pos;
		mt->prev_total = mt->cur_total;
		mt->cur_pos = p->mlog_pos;
		mt->cur_total = p->mlog_total;
		mt->gen = c->generation;
		mt->slot = p->slot;
		mt->scan_ckpt = p->scan;
		mt->want = false;
		mt->checkpoints++;
		/* Keep the mlog from the previous checkpoint on: the fallback. */
		mt->log.used = mt->total - mt->prev_total;
		mt->log.tail = mt->log.used ? mt->prev_pos :
			       sl_log_norm_pos(mt->log.size, mt->log.head);
		e->st.meta_bytes_written += (u64)c->nr_blocks * SL_BLOCK_SIZE;
		e->st.dev_bytes_written += (u64)c->nr_blocks * SL_BLOCK_SIZE;
	}
	sl_free(c->buf);
	sl_free(p);
}

/* ---------------- format ---------------- */

int sl_meta_format(const struct sl_sb *sb, const struct sl_dev_ops *ops, void *ctx, void *buf)
{
	const struct sl_geometry *g = &sb->geo;
	struct sl_ckpt_hdr h;
	u64 body_blocks = (g->nr_segments * 8 + SL_BLOCK_SIZE - 1) / SL_BLOCK_SIZE, i;
	u32 crc = SL_CRC_SEED;
	int err;

	if (!g->mlog_blocks)
		return 0;
	/* The empty map: an all-zero segment table. */
	memset(buf, 0, SL_BLOCK_SIZE);
	for (i = 0; i < body_blocks; i++) {
		crc = sl_crc32c(crc, buf, SL_BLOCK_SIZE);
		err = ops->write(ctx, SL_DEV_PERF, g->ckpt_start + 1 + i, 1, buf, false);
		if (err)
			return err;
	}
	err = ops->write(ctx, SL_DEV_PERF, g->ckpt_start + g->ckpt_slot_blocks, 1, buf, false);
	if (err)
		return err;
	memset(&h, 0, sizeof(h));
	h.generation = 1;
	memcpy(h.uuid, sb->uuid, SL_UUID_SIZE);
	h.next_seg_seq = 1;
	h.nr_segments = g->nr_segments;
	h.body_blocks = (u32)body_blocks;
	h.body_crc = crc;
	sl_ckpt_hdr_encode(&h, buf);
	return ops->write(ctx, SL_DEV_PERF, g->ckpt_start, 1, buf, false);
}

/* ---------------- recovery ---------------- */

int sl_seg_scrub(const struct sl_geometry *g, const struct sl_dev_ops *ops, void *ctx, u64 seg,
		 void *buf)
{
	u64 blk;
	u32 leg;
	int err = 0;

	if (!ops->write)
		return 0;
	sl_seg_locate(g, seg, 0, &leg, &blk);
	memset(buf, 0, SL_BLOCK_SIZE);
	for (leg = 0; leg < g->k + g->m && !err; leg++) {
		err = ops->write(ctx, SL_DEV_LEG(leg), blk, 1, buf, true);
		if (!err)
			err = ops->flush(ctx, SL_DEV_LEG(leg));
	}
	return err;
}

struct sl_mrcv {
	struct sl_engine *e;
	const struct sl_dev_ops *ops;
	void *ctx;
	const struct sl_loghdr *lh;
	struct sl_recovery_report *rep;
	u8 *batch;			/* max batch blocks */
	u8 *body;
	u64 *max_seq;
	const char *why;
};

static int sl_mrcv_bad(struct sl_mrcv *c, const char *why)
{
	c->why = why;
	return 1;
}

/* Forget a partly loaded attempt: empty map, no segment state. */
static void sl_mrcv_reset(struct sl_engine *e)
{
	struct sl_map_ops ops = e->map.ops;

	sl_map_destroy(&e->map);
	sl_map_init(&e->map, &ops);
	memset(e->segs, 0, e->sb.geo.nr_segments * sizeof(*e->segs));
	e->segs_used = 0;
}

static int sl_mrcv_load(struct sl_mrcv *c, const struct sl_ckpt_hdr *h)
{
	struct sl_engine *e = c->e;
	const struct sl_geometry *g = &e->sb.geo;
	u32 mode = SL_MAP_FILL_GAPS | SL_MAP_IF_NEWER;
	const u8 *ext;
	struct sl_mext x;
	__le64 v;
	u64 i;
	int err;

	for (i = 0; i < g->nr_segments; i++) {
		memcpy(&v, c->body + i * 8, 8);
		e->segs[i].seg_seq = le64_to_cpu(v);
	}
	ext = c->body + g->nr_segments * 8;
	for (i = 0; i < h->nr_extents; i++) {
		sl_mext_decode(ext + i * SL_MLOG_ENTRY_SIZE, &x);
		if (x.flags == SL_EF_DATA)
			err = sl_map_update(&e->map, x.lba, x.len, SL_MAP_SEG, x.loc, x.seq, mode);
		else
			err = sl_map_update(&e->map, x.lba, x.len, SL_MAP_DSEG, x.loc, x.seq, mode);
		if (err)
			return err;
	}
	if (h->max_seq > *c->max_seq)
		*c->max_seq = h->max_seq;
	return 0;
}

/*
 * Read the batch at the writer's next position for @ml linking after @prev.
 * Return 1 (a complete, linked batch of *count blocks at *pos), 0 (none)
 * or -errno.
 */
static int sl_mrcv_batch(struct sl_mrcv *c, const struct sl_log *ml, u64 prev, u64 *pos,
			 struct sl_mlog_hdr *first)
{
	struct sl_engine *e = c->e;
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_mlog_hdr h;
	u64 tries[2], p;
	u32 t, i, nt = 1;
	int err;

	tries[0] = sl_log_norm_pos(ml->size, ml->head);
	tries[1] = 0;
	if (tries[0])
		nt = 2;
	for (t = 0; t < nt; t++) {
		p = tries[t];
		err = c->ops->read(c->ctx, SL_DEV_PERF, g->mlog_start + p, 1, c->batch);
		if (err)
			return err;
		c->rep->mlog_blocks++;
		if (sl_mlog_decode(c->batch, e->data_slots, g->nr_segments, first, NULL))
			continue;
		if (memcmp(first->uuid, e->sb.uuid, SL_UUID_SIZE) || first->pos != p ||
		    first->prev_seq != prev || first->blk_index ||
		    first->blk_count > sl_meta_max_batch(e))
			continue;
		/* Where the writer would have put a batch of this size. */
		if (p != (tries[0] + first->blk_count > ml->size ? 0 : tries[0]))
			continue;
		if (p + first->blk_count > ml->size)
			continue;
		for (i = 1; i < first->blk_count; i++) {
			u8 *b = c->batch + (size_t)i * SL_BLOCK_SIZE;

			err = c->ops->read(c->ctx, SL_DEV_PERF, g->mlog_start + p + i, 1, b);
			if (err)
				return err;
			c->rep->mlog_blocks++;
			if (sl_mlog_decode(b, e->data_slots, g->nr_segments, &h, NULL) ||
			    memcmp(h.uuid, e->sb.uuid, SL_UUID_SIZE) || h.pos != p + i ||
			    h.seq != first->seq + i || h.prev_seq != h.seq - 1 ||
			    h.blk_index != i || h.blk_count != first->blk_count ||
			    h.seg_index != first->seg_index || h.seg_seq != first->seg_seq)
				return 0;
		}
		*pos = p;
		return 1;
	}
	return 0;
}

static int sl_mrcv_apply(struct sl_mrcv *c, const struct sl_mlog_hdr *first)
{
	struct sl_engine *e = c->e;
	u64 base = first->seg_index * e->data_slots, lmax = e->sb.geo.logical_blocks;
	u32 mode = SL_MAP_FILL_GAPS | SL_MAP_IF_NEWER;
	struct sl_mlog_hdr h;
	struct sl_mext x;
	u32 b, i;
	int err;

	/* Validate every entry before changing anything. */
	for (b = 0; b < first->blk_count; b++) {
		const u8 *blk = c->batch + (size_t)b * SL_BLOCK_SIZE;

		sl_mlog_decode(blk, e->data_slots, e->sb.geo.nr_segments, &h, NULL);
		for (i = 0; i < h.nr_entries; i++) {
			sl_mlog_entry_get(blk, i, &x);
			if (x.lba >= lmax || x.len > lmax - x.lba)
				return sl_mrcv_bad(c, "metadata log entry beyond the volume");
		}
	}
	e->segs[first->seg_index].seg_seq = first->seg_seq;
	for (b = 0; b < first->blk_count; b++) {
		const u8 *blk = c->batch + (size_t)b * SL_BLOCK_SIZE;

		sl_mlog_decode(blk, e->data_slots, e->sb.geo.nr_segments, &h, NULL);
		for (i = 0; i < h.nr_entries; i++) {
			sl_mlog_entry_get(blk, i, &x);
			if (x.seq > *c->max_seq)
				*c->max_seq = x.seq;
			if (x.flags == SL_EF_DATA)
				err = sl_map_update(&e->map, x.lba, x.len, SL_MAP_SEG, base + x.loc,
						    x.seq, mode);
			else
				err = sl_map_update(&e->map, x.lba, x.len, SL_MAP_DSEG, base, x.seq,
						    mode);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Replay the mlog from checkpoint @h up to the committed end. 0, 1 (unusable), -errno. */
static int sl_mrcv_walk(struct sl_mrcv *c, const struct sl_ckpt_hdr *h, struct sl_log *ml)
{
	struct sl_engine *e = c->e;
	const struct sl_loghdr *lh = c->lh;
	struct sl_mlog_hdr first;
	u64 prev = h->mlog_prev_seq, steps, pos, waste, last;
	bool done = prev == lh->mlog_seq;
	int r;

	if (h->mlog_pos >= e->sb.geo.mlog_blocks)
		return sl_mrcv_bad(c, "checkpoint names a position outside the metadata log");
	if (prev > lh->mlog_seq)
		return sl_mrcv_bad(c, "checkpoint is newer than the log header");
	sl_log_init(ml, e->sb.geo.mlog_blocks, h->mlog_pos);
	for (steps = 0; steps <= ml->size; steps++) {
		r = sl_mrcv_batch(c, ml, prev, &pos, &first);
		if (r <= 0) {
			if (r < 0)
				return r;
			break;
		}
		if (done) {
			/* Written, never committed: its segment must never count. */
			c->rep->segments_uncommitted++;
			return sl_seg_scrub(&e->sb.geo, c->ops, c->ctx, first.seg_index,
					    c->batch);
		}
		last = first.seq + first.blk_count - 1;
		if (last > lh->mlog_seq)
			return sl_mrcv_bad(c, "metadata log passes the end the log header committed");
		if (first.seg_seq >= lh->next_seg_seq)
			return sl_mrcv_bad(c, "committed metadata batch of an uncommitted segment");
		if (sl_log_alloc(ml, first.blk_count, &pos, &waste))
			return sl_mrcv_bad(c, "metadata log longer than its region");
		r = sl_mrcv_apply(c, &first);
		if (r)
			return r;
		c->rep->mlog_batches++;
		prev = last;
		done = last == lh->mlog_seq;
	}
	if (!done)
		return sl_mrcv_bad(c, "metadata log ends before the committed end (damaged block)");
	if (sl_log_norm_pos(ml->size, ml->head) != lh->mlog_end)
		return sl_mrcv_bad(c, "metadata log end differs from the log header");
	return 0;
}

static int sl_mrcv_try(struct sl_mrcv *c, const struct sl_ckpt_hdr *h, u32 slot)
{
	struct sl_engine *e = c->e;
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_meta *mt = &e->meta;
	struct sl_log ml;
	const char *why = NULL;
	int r;

	if (h->next_seg_seq > c->lh->next_seg_seq)
		return sl_mrcv_bad(c, "checkpoint is newer than the log header");
	c->body = NULL;
	if (h->body_blocks) {
		c->body = sl_alloc((size_t)h->body_blocks * SL_BLOCK_SIZE);
		if (!c->body)
			return -ENOMEM;
		r = c->ops->read(c->ctx, SL_DEV_PERF, g->ckpt_start + slot * g->ckpt_slot_blocks + 1,
				 h->body_blocks, c->body);
		if (r)
			goto out;
		c->rep->ckpt_blocks += h->body_blocks;
	}
	r = sl_ckpt_body_check(g, h, c->body, &why);
	if (r) {
		r = sl_mrcv_bad(c, why);
		goto out;
	}
	r = sl_mrcv_load(c, h);
	if (!r)
		r = sl_mrcv_walk(c, h, &ml);
	if (r)
		goto out;
	mt->log = ml;
	mt->total = ml.used;
	mt->cur_pos = h->mlog_pos;
	mt->prev_pos = h->mlog_pos;
	mt->cur_total = 0;
	mt->prev_total = 0;
	mt->slot = slot;
	mt->last_seq = c->lh->mlog_seq;
	mt->next_seq = mt->last_seq + SL_SEQ_GAP;
out:
	sl_free(c->body);
	c->body = NULL;
	return r;
}

/**
 * sl_meta_recover() - checkpoint + metadata-log part of recovery.
 * @e: engine (empty map).  @ops/@ctx: synchronous I/O.  @lh: newest log
 * header.  @rep: report (ckpt_*, mlog_* fields).  @max_seq: raised to the
 * highest record seq loaded.  @buf: one scratch block.  @why: reason for
 * a -errno.
 *
 * Tries the valid checkpoint slots newest first; a slot whose body or
 * metadata-log replay does not hold is skipped (rep->ckpt_fallbacks) and
 * the next one tried on a fresh map.  A newest checkpoint flagged
 * SL_CKPT_F_SCAN, or none usable, returns 1: the caller scans segments.
 * Return: 0, 1 or -errno.
 */
int sl_meta_recover(struct sl_engine *e, const struct sl_dev_ops *ops, void *ctx,
		    const struct sl_loghdr *lh, struct sl_recovery_report *rep, u64 *max_seq,
		    void *buf, const char **why)
{
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_mrcv c = { .e = e, .ops = ops, .ctx = ctx, .lh = lh, .rep = rep,
			     .max_seq = max_seq };
	struct sl_ckpt_hdr h[2];
	bool ok[2] = { false, false };
	u32 i, order[2] = { 0, 1 };
	int r = 1;

	e->meta.slot = 1;		/* next checkpoint: slot 0 unless one is valid */
	for (i = 0; i < 2; i++) {
		r = ops->read(ctx, SL_DEV_PERF, g->ckpt_start + i * g->ckpt_slot_blocks, 1, buf);
		if (r) {
			*why = "cannot read a checkpoint slot";
			return r;
		}
		rep->ckpt_blocks++;
		ok[i] = !sl_ckpt_hdr_decode(buf, g->ckpt_slot_blocks - 1, &h[i], NULL) &&
			!memcmp(h[i].uuid, e->sb.uuid, SL_UUID_SIZE);
		if (ok[i] && h[i].generation > e->meta.gen) {
			e->meta.gen = h[i].generation;
			e->meta.slot = i;
		}
	}
	if (ok[0] && ok[1] && h[1].generation > h[0].generation) {
		order[0] = 1;
		order[1] = 0;
	}
	c.why = "no valid checkpoint slot";
	c.batch = sl_alloc((size_t)sl_meta_max_batch(e) * SL_BLOCK_SIZE);
	if (!c.batch) {
		*why = "out of memory for recovery";
		return -ENOMEM;
	}
	r = 1;
	for (i = 0; i < 2 && r == 1; i++) {
		u32 s = order[i];

		if (!ok[s])
			continue;
		if (h[s].flags & SL_CKPT_F_SCAN) {
			c.why = "the newest checkpoint could not hold the map";
			break;
		}
		r = sl_mrcv_try(&c, &h[s], s);
		if (r == 1) {
			rep->ckpt_fallbacks++;
			rep->ckpt_why = c.why;
			sl_mrcv_reset(e);
		} else if (!r) {
			rep->ckpt_generation = h[s].generation;
		}
	}
	sl_free(c.batch);
	if (r < 0)
		*why = r == -ENOMEM ? "out of memory loading the checkpoint" :
				      "cannot read the metadata log or checkpoint";
	if (r == 1)
		rep->ckpt_why = c.why;
	return r;
}

void sl_meta_after_scan(struct sl_engine *e, const struct sl_loghdr *lh)
{
	struct sl_meta *mt = &e->meta;
	u64 end = lh->mlog_end < e->sb.geo.mlog_blocks ? lh->mlog_end : 0;

	sl_log_init(&mt->log, e->sb.geo.mlog_blocks, end);
	mt->total = 0;
	mt->cur_pos = mt->prev_pos = end;
	mt->cur_total = mt->prev_total = 0;
	mt->last_seq = lh->mlog_seq;
	mt->next_seq = mt->last_seq + SL_SEQ_GAP;
	mt->want = true;	/* the next recovery should not scan again */
}
