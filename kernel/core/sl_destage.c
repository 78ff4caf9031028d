// SPDX-License-Identifier: GPL-2.0
/*
 * sl_destage.c - bank packing: move the live blocks of the oldest log records
 * (and, when free segments run short, of the emptiest segment) into one free
 * segment with a checksummed summary, then advance the persisted log tail.
 *
 * Crash safety: the map points at the new segment only after its blocks and
 * summary are flushed (destage_written); the log space is released only after
 * the new tail is in a log header slot (destage_done).  Until then recovery
 * replays the log, and equal seqs resolve in favour of the log.
 */
#include "sl_engine_int.h"
#include "sl_segimg.h"

#define SL_CLEAN_FREE_MIN	3	/* clean when fewer free segments remain */

struct sl_piece {
	u64 lba, len;
	u64 old_loc, new_loc;
	u64 seq;
	u32 old_kind, new_kind;
};

struct sl_destage_priv {
	struct sl_destage d;
	struct sl_rec *last_complete;	/* release records up to this one */
	u64 victim;			/* cleaned segment or SL_NO_SEG */
	u32 nr_pieces, max_entries;
	struct sl_piece *pieces;
	struct sl_sum_entry *entries;
	u32 nr_entries, nr_data;
	u64 max_seq;
	bool *from_log;			/* per copy */
	bool name_only;			/* only write a header naming the next target */
};

static struct sl_destage_priv *sl_dpriv(struct sl_destage *d)
{
	return sl_container_of(d, struct sl_destage_priv, d);
}

static void sl_destage_free(struct sl_destage_priv *p)
{
	if (!p)
		return;
	sl_free(p->pieces);
	sl_free(p->entries);
	sl_free(p->from_log);
	sl_free(p->d.copies);
	sl_free(p->d.summary);
	sl_free(p->d.loghdr);
	sl_free(p->d.mlog);
	sl_free(p);
}

static struct sl_destage_priv *sl_destage_alloc(struct sl_engine *e)
{
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_destage_priv *p = sl_zalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->max_entries = SL_SUM_ENTRIES_PER(g->seg_sum_blocks);
	p->pieces = sl_alloc(p->max_entries * sizeof(*p->pieces));
	p->entries = sl_alloc(p->max_entries * sizeof(*p->entries));
	p->from_log = sl_zalloc(e->data_slots * sizeof(*p->from_log));
	p->d.copies = sl_zalloc(e->data_slots * sizeof(*p->d.copies));
	p->d.summary = sl_zalloc((size_t)g->seg_sum_blocks * SL_BLOCK_SIZE);
	p->d.loghdr = sl_zalloc(SL_BLOCK_SIZE);
	if (sl_meta_enabled(e))
		p->d.mlog = sl_meta_batch_alloc(e);
	if (!p->pieces || !p->entries || !p->from_log || !p->d.copies || !p->d.summary ||
	    !p->d.loghdr || (sl_meta_enabled(e) && !p->d.mlog)) {
		sl_destage_free(p);
		return NULL;
	}
	p->victim = SL_NO_SEG;
	p->d.seg_index = SL_NO_SEG;
	return p;
}

static u64 sl_free_segments(const struct sl_engine *e)
{
	return e->sb.geo.nr_segments - e->segs_used - (e->destage ? 1 : 0);
}

static bool sl_seg_free(const struct sl_engine *e, u64 s)
{
	return !e->segs[s].live && !e->segs[s].busy;
}

static u64 sl_pick_free_seg(struct sl_engine *e)
{
	u64 n = e->sb.geo.nr_segments, i, s;

	for (i = 0; i < n; i++) {
		s = (e->seg_cursor + i) % n;
		if (sl_seg_free(e, s)) {
			e->seg_cursor = (s + 1) % n;
			return s;
		}
	}
	return SL_NO_SEG;
}

/*
 * The segment this destage may write: only the one the newest durable log
 * header names, because that is the one recovery invalidates before it
 * trusts any summary (a torn, uncommitted summary could otherwise decode
 * later, through a different set of legs, and look committed).
 */
static u64 sl_named_target(const struct sl_engine *e)
{
	u64 s = e->next_target;

	if (s == SL_NO_SEG || s >= e->sb.geo.nr_segments || !sl_seg_free(e, s))
		return SL_NO_SEG;
	return s;
}

static u64 sl_pick_victim(const struct sl_engine *e, u64 target)
{
	u64 i, best = SL_NO_SEG, best_live = e->data_slots;

	if (sl_free_segments(e) >= SL_CLEAN_FREE_MIN)
		return SL_NO_SEG;
	for (i = 0; i < e->sb.geo.nr_segments; i++) {
		if (i == target || !e->segs[i].live || e->segs[i].busy)
			continue;
		if (e->segs[i].live < best_live) {
			best_live = e->segs[i].live;
			best = i;
		}
	}
	return best;
}

static u32 sl_data_room(const struct sl_engine *e, const struct sl_destage_priv *p)
{
	u32 r = e->data_slots - p->nr_data;
	u32 er = p->max_entries - p->nr_entries;

	return min_t(u32, r, er);
}

/*
 * Add @len blocks of data at lba (first copy source @src_dev/@src_block).
 * Log sources pass their record's crcs and in-memory copies (@mem: NULL, or
 * one entry per block, each NULL or the block's data).
 */
static void sl_add_data(struct sl_engine *e, struct sl_destage_priv *p, u64 lba, u64 len,
			u32 old_kind, u64 old_loc, u64 seq, u32 src_dev, u64 src_block,
			const u32 *crc, void *const *mem)
{
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_piece *pc = &p->pieces[p->nr_pieces++];
	u64 i, seg = p->d.seg_index;
	u32 slot, leg;

	pc->lba = lba;
	pc->len = len;
	pc->old_kind = old_kind;
	pc->old_loc = old_loc;
	pc->seq = seq;
	pc->new_kind = SL_MAP_SEG;
	pc->new_loc = seg * e->data_slots + p->nr_data;
	for (i = 0; i < len; i++) {
		struct sl_sum_entry *en = &p->entries[p->nr_entries++];
		struct sl_copy *c;

		slot = p->nr_data++;
		c = &p->d.copies[slot];
		en->lba = lba + i;
		en->seq = seq;
		en->nblocks = 1;
		en->slot = slot;
		en->flags = SL_EF_DATA;
		en->data_crc = crc ? crc[i] : 0;
		p->from_log[slot] = crc != NULL;
		c->src_dev = src_dev;
		c->src_block = src_block;
		c->mem = mem ? mem[i] : NULL;
		if (src_dev != SL_DEV_PERF) {
			/* Cleaning: each source block is located on its own. */
			u64 vblk = g->seg_sum_blocks + (old_loc % e->data_slots) + i;

			sl_seg_locate(g, old_loc / e->data_slots, vblk, &leg, &c->src_block);
			c->src_dev = SL_DEV_LEG(leg);
		} else {
			c->src_block = src_block + i;
		}
		sl_seg_locate(g, seg, g->seg_sum_blocks + slot, &leg, &c->dst_block);
		c->dst_dev = SL_DEV_LEG(leg);
	}
	p->d.nr_copies = p->nr_data;
	if (seq > p->max_seq)
		p->max_seq = seq;
}

static void sl_add_tomb(struct sl_engine *e, struct sl_destage_priv *p, u64 lba, u64 len,
			u32 old_kind, u64 old_loc, u64 seq)
{
	struct sl_piece *pc = &p->pieces[p->nr_pieces++];
	struct sl_sum_entry *en = &p->entries[p->nr_entries++];

	pc->lba = lba;
	pc->len = len;
	pc->old_kind = old_kind;
	pc->old_loc = old_loc;
	pc->seq = seq;
	pc->new_kind = SL_MAP_DSEG;
	pc->new_loc = p->d.seg_index * e->data_slots;
	memset(en, 0, sizeof(*en));
	en->lba = lba;
	en->seq = seq;
	en->nblocks = (u32)len;
	en->flags = SL_EF_DISCARD;
	if (seq > p->max_seq)
		p->max_seq = seq;
}

struct sl_victim_walk {
	struct sl_engine *e;
	struct sl_destage_priv *p;
};

static bool sl_pack_victim_one(void *arg, const struct sl_ext *x)
{
	struct sl_victim_walk *w = arg;
	struct sl_engine *e = w->e;
	struct sl_destage_priv *p = w->p;
	u64 len;

	if (x->kind != SL_MAP_SEG && x->kind != SL_MAP_DSEG)
		return true;
	if (x->loc / e->data_slots != p->victim)
		return true;
	if (x->kind == SL_MAP_DSEG) {
		/* Tombstones longer than an entry holds are split. */
		for (len = x->len; len; ) {
			u64 n = min_t(u64, len, 0xffffffffull);

			if (p->nr_entries >= p->max_entries)
				return false;
			sl_add_tomb(e, p, x->lba + x->len - len, n, SL_MAP_DSEG, x->loc, x->seq);
			len -= n;
		}
		return true;
	}
	if (sl_data_room(e, p) < x->len)
		return false;
	sl_add_data(e, p, x->lba, x->len, SL_MAP_SEG, x->loc, x->seq, SL_DEV_LEG(0), 0,
		    NULL, NULL);
	return true;
}

/* Move every live piece of the victim segment into the bank (it all fits). */
static void sl_pack_victim(struct sl_engine *e, struct sl_destage_priv *p)
{
	struct sl_victim_walk w = { e, p };

	sl_map_walk(&e->map, sl_pack_victim_one, &w);
}

/*
 * Live pieces of one record entry.  Returns false when the bank filled up
 * before the entry was fully packed.
 */
static bool sl_pack_entry(struct sl_engine *e, struct sl_destage_priv *p, struct sl_rec *r,
			  u32 i)
{
	const struct sl_rec_entry *en = &r->entries[i];
	bool data = en->flags & SL_EF_DATA;
	u64 cur = en->lba, end = en->lba + en->nblocks, ps, pe, loc, want;
	const struct sl_ext *x;
	u32 room, blk;

	while (cur < end) {
		x = sl_map_first_from(&e->map, cur);
		if (!x || x->lba >= end)
			break;
		ps = max_t(u64, cur, x->lba);
		pe = min_t(u64, end, x->lba + x->len);
		cur = pe;
		if (x->seq != r->io.seq)
			continue;
		if (!data) {
			if (x->kind != SL_MAP_DLOG || x->loc != r->pos)
				continue;
			if (p->nr_entries >= p->max_entries)
				return false;
			sl_add_tomb(e, p, ps, pe - ps, SL_MAP_DLOG, r->pos, r->io.seq);
			continue;
		}
		want = r->pos + 1 + r->data_off[i] + (ps - en->lba);
		loc = x->loc + (ps - x->lba);
		if (x->kind != SL_MAP_LOG || loc != want)
			continue;
		room = sl_data_room(e, p);
		if (!room)
			return false;
		blk = r->data_off[i] + (u32)(ps - en->lba);
		if (pe - ps > room) {
			/* Bank full inside this piece: take what fits, the rest waits. */
			sl_add_data(e, p, ps, room, SL_MAP_LOG, loc, r->io.seq, SL_DEV_PERF,
				    e->sb.geo.log_start + loc, r->crc + blk, r->io.mem + blk);
			return false;
		}
		sl_add_data(e, p, ps, pe - ps, SL_MAP_LOG, loc, r->io.seq, SL_DEV_PERF,
			    e->sb.geo.log_start + loc, r->crc + blk, r->io.mem + blk);
	}
	return true;
}

static void sl_pack_log(struct sl_engine *e, struct sl_destage_priv *p)
{
	struct sl_list *pos;
	struct sl_rec *r;
	u32 i;

	for (pos = e->fifo.next; pos != &e->fifo; pos = pos->next) {
		r = sl_container_of(pos, struct sl_rec, fifo);
		if (!r->acked)
			return;
		for (i = 0; i < r->nr_entries; i++)
			if (!sl_pack_entry(e, p, r, i))
				return;
		p->last_complete = r;
	}
}

int sl_engine_destage_plan(struct sl_engine *e, struct sl_destage **out)
{
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_destage_priv *p;
	bool work;
	u64 seg;
	u32 leg;

	if (e->destage)
		return -EBUSY;
	if (e->state != SL_STATE_RW)
		return -EIO;
	/* Only when acknowledged records wait: cleaning alone would just churn. */
	work = !sl_list_empty(&e->fifo) &&
	       sl_container_of(e->fifo.next, struct sl_rec, fifo)->acked;
	if (!work && !e->header_wanted)
		return -EAGAIN;
	/* The segment's metadata batch needs room: checkpoint first. */
	if (!sl_meta_batch_fits(e))
		return -EAGAIN;
	p = sl_destage_alloc(e);
	if (!p)
		return -ENOMEM;
	seg = work ? sl_named_target(e) : SL_NO_SEG;
	p->d.seg_index = seg;
	if (!work || (seg == SL_NO_SEG && sl_free_segments(e))) {
		/*
		 * Only a header was asked for, or no header names a free
		 * segment yet: write one (naming a free segment) first.
		 */
		p->name_only = true;
	} else if (seg != SL_NO_SEG) {
		p->victim = sl_pick_victim(e, seg);
		if (p->victim != SL_NO_SEG)
			sl_pack_victim(e, p);
	}
	if (seg != SL_NO_SEG)
		sl_pack_log(e, p);
	else if (!p->name_only) {
		/* No free segment: only a header-only destage of dead records. */
		struct sl_rec *r = sl_container_of(e->fifo.next, struct sl_rec, fifo);

		if (r->acked) {
			u32 i;
			bool live = false;

			/* Probe with a zero-room bank: any live piece stops it. */
			p->max_entries = 0;
			for (i = 0; i < r->nr_entries && !live; i++)
				live = !sl_pack_entry(e, p, r, i);
			if (!live)
				p->last_complete = r;
		}
	}
	if (!p->nr_entries && !p->last_complete && !p->name_only) {
		if (e->header_wanted) {
			p->name_only = true;
		} else {
			sl_destage_free(p);
			return seg == SL_NO_SEG ? -ENOSPC : -EAGAIN;
		}
	}
	if (p->nr_entries) {
		p->d.seg_seq = e->next_seg_seq++;
		p->d.sum_blocks = g->seg_sum_blocks;
		sl_seg_locate(g, seg, 0, &leg, &p->d.sum_block);
		p->d.sum_dev = SL_DEV_LEG(leg);
		p->d.rows = sl_segimg_rows(&e->stripe, g->seg_sum_blocks, p->nr_data);
		e->segs[seg].busy = true;
	} else {
		p->d.seg_index = SL_NO_SEG;
		p->d.nr_copies = 0;
	}
	e->header_wanted = false;	/* every plan writes a header */
	e->destage = &p->d;
	*out = &p->d;
	return 0;
}

int sl_engine_destage_seal(struct sl_engine *e, struct sl_destage *d)
{
	struct sl_destage_priv *p = sl_dpriv(d);
	struct sl_sum_hdr h;
	u32 i;

	for (i = 0; i < p->nr_entries; i++) {
		struct sl_sum_entry *en = &p->entries[i];

		if (en->flags != SL_EF_DATA)
			continue;
		if (p->from_log[en->slot]) {
			/* Taken from memory: the record's crc stands (verify_reads). */
			if (d->copies[en->slot].mem)
				continue;
			if (d->copies[en->slot].crc != en->data_crc) {
				sl_engine_fail(e);
				return -EIO;
			}
		} else {
			en->data_crc = d->copies[en->slot].crc;
		}
	}
	if (!d->sum_blocks)
		return 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.uuid, e->sb.uuid, SL_UUID_SIZE);
	h.seg_index = d->seg_index;
	h.seg_seq = d->seg_seq;
	h.nr_entries = p->nr_entries;
	h.nr_data = p->nr_data;
	h.sum_blocks = d->sum_blocks;
	h.max_seq = p->max_seq;
	sl_sum_encode(&h, p->entries, d->summary);
	if (sl_meta_batch_encode(e, d, p->entries, p->nr_entries)) {
		sl_engine_fail(e);	/* plan checked the room: cannot happen */
		return -EIO;
	}
	return 0;
}

static void sl_fill_loghdr(struct sl_engine *e, struct sl_destage_priv *p)
{
	struct sl_loghdr lh;
	struct sl_rec *r = p->last_complete;

	memset(&lh, 0, sizeof(lh));
	lh.generation = ++e->loghdr_gen;
	memcpy(lh.uuid, e->sb.uuid, SL_UUID_SIZE);
	if (r) {
		lh.tail_pos = sl_log_norm_pos(e->log.size, r->pos + 1 + r->nr_data);
		lh.tail_prev_seq = r->io.seq;
	} else {
		lh.tail_pos = e->log.tail;
		lh.tail_prev_seq = e->tail_prev_seq;
	}
	lh.next_seg_seq = e->next_seg_seq;
	lh.flags = e->stale_legs & SL_LH_STALE_LEGS;
	/* Runs after this destage's map repoint: its segment is live now. */
	e->next_target = sl_pick_free_seg(e);
	lh.next_seg = e->next_target;
	sl_meta_fill_loghdr(e, &lh);
	sl_loghdr_encode(&lh, p->d.loghdr);
	p->d.loghdr_block = SL_LOGHDR_BLOCK0 + (lh.generation % SL_NR_LOGHDR_SLOTS);
}

void sl_engine_destage_written(struct sl_engine *e, struct sl_destage *d, int err)
{
	struct sl_destage_priv *p = sl_dpriv(d);
	struct sl_piece *pc;
	u32 i;

	if (err) {
		sl_engine_fail(e);
		return;
	}
	if (d->seg_index != SL_NO_SEG) {
		e->segs[d->seg_index].seg_seq = d->seg_seq;
		for (i = 0; i < p->nr_pieces && !err; i++) {
			pc = &p->pieces[i];
			err = sl_map_repoint(&e->map, pc->lba, pc->len, pc->old_kind, pc->old_loc,
					     pc->seq, pc->new_kind, pc->new_loc);
		}
		e->segs[d->seg_index].busy = false;
		if (err)
			sl_engine_fail(e);
		if (p->victim != SL_NO_SEG && !e->segs[p->victim].live)
			e->st.segs_cleaned++;
		/* Whole rows on every leg, parity and padding included. */
		e->st.dev_bytes_written += (u64)d->rows * e->stripe.n *
					   sl_segimg_leg_bytes(&e->stripe, 1);
	}
	sl_fill_loghdr(e, p);
	e->st.dev_bytes_written += SL_BLOCK_SIZE;
	e->st.meta_bytes_written += SL_BLOCK_SIZE;
	e->st.destages++;
}

void sl_engine_destage_done(struct sl_engine *e, struct sl_destage *d, int err)
{
	struct sl_destage_priv *p = sl_dpriv(d);
	struct sl_rec *r;
	bool last = false;

	if (d->seg_index != SL_NO_SEG)
		e->segs[d->seg_index].busy = false;
	if (err)
		sl_engine_fail(e);
	while (!err && p->last_complete && !last && !sl_list_empty(&e->fifo)) {
		r = sl_container_of(e->fifo.next, struct sl_rec, fifo);
		last = r == p->last_complete;
		sl_list_del(&r->fifo);
		sl_log_release(&e->log, r->pos, 1 + (u64)r->nr_data, r->waste);
		e->tail_prev_seq = r->io.seq;
		sl_rec_free(e, r);
	}
	e->destage = NULL;
	sl_destage_free(p);
}

void sl_engine_set_stale_legs(struct sl_engine *e, u32 mask)
{
	e->stale_legs = mask & (u32)SL_LH_STALE_LEGS;
}

void sl_engine_request_header(struct sl_engine *e)
{
	e->header_wanted = true;
}

bool sl_engine_destage_wanted(const struct sl_engine *e)
{
	if (e->state != SL_STATE_RW || e->destage)
		return false;
	if (e->log_full || e->header_wanted)
		return true;
	return e->log.used * 100 >= (u64)e->log_threshold_pct * e->log.size;
}

void sl_destage_discard(struct sl_engine *e)
{
	if (e->destage)
		sl_destage_free(sl_dpriv(e->destage));
	e->destage = NULL;
}
