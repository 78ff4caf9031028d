// SPDX-License-Identifier: GPL-2.0
/*
 * sl_engine.c - engine lifetime (create, destroy), per-segment live counts
 * kept through the map callbacks, accessors and status.  The write path is
 * in sl_commit.c, reads in sl_read.c, destage in sl_destage.c, recovery in
 * sl_recover.c.
 */
#include "sl_engine_int.h"

/* ---- map callbacks: per-segment live counts ---- */

static bool sl_kind_in_seg(u32 kind)
{
	return kind == SL_MAP_SEG || kind == SL_MAP_DSEG;
}

static void sl_eng_ref(void *ctx, u32 kind, u64 loc, u64 len)
{
	struct sl_engine *e = ctx;
	struct sl_seg_state *s;

	if (!sl_kind_in_seg(kind))
		return;
	s = &e->segs[loc / e->data_slots];
	if (!s->live)
		e->segs_used++;
	s->live += len;
}

static void sl_eng_unref(void *ctx, u32 kind, u64 loc, u64 len)
{
	struct sl_engine *e = ctx;
	struct sl_seg_state *s;

	if (!sl_kind_in_seg(kind))
		return;
	s = &e->segs[loc / e->data_slots];
	s->live -= min_t(u64, s->live, len);
	if (!s->live)
		e->segs_used--;
}

static u64 sl_eng_rank(void *ctx, u32 kind, u64 loc)
{
	struct sl_engine *e = ctx;

	if (!sl_kind_in_seg(kind))
		return ~0ull;	/* the log wins ties */
	return e->segs[loc / e->data_slots].seg_seq;
}

/* ---- create / destroy ---- */

int sl_engine_create(const struct sl_sb *sb, const struct sl_table_args *t,
		     struct sl_engine **out)
{
	struct sl_map_ops ops = { .ref = sl_eng_ref, .unref = sl_eng_unref, .rank = sl_eng_rank };
	struct sl_engine *e;
	u32 max_rec = t ? t->max_record_kb / 4 : SL_DEFAULT_MAX_RECORD_KB / 4;

	if (sl_geometry_validate(&sb->geo, NULL))
		return -EINVAL;
	e = sl_zalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->sb = *sb;
	if (sl_stripe_from_geometry(&e->stripe, &sb->geo, NULL)) {
		sl_free(e);
		return -EINVAL;
	}
	e->data_slots = sl_seg_data_slots(&sb->geo);
	e->segs = sl_zalloc(sb->geo.nr_segments * sizeof(*e->segs));
	e->scratch_hdr = sl_alloc(sizeof(*e->scratch_hdr));
	if (!e->segs || !e->scratch_hdr) {
		sl_free(e->segs);
		sl_free(e->scratch_hdr);
		sl_free(e);
		return -ENOMEM;
	}
	e->log_threshold_pct = t ? t->log_threshold_pct : SL_DEFAULT_LOG_THRESHOLD_PCT;
	e->discard = t ? t->discard : true;
	/* A record must fit the log four times over and the header limits. */
	max_rec = min_t(u32, max_rec, SL_REC_MAX_BLOCKS + 1);
	max_rec = min_t(u64, max_rec, sb->geo.log_blocks / 4);
	e->max_record_blocks = max_t(u32, max_rec, 2);
	e->max_inflight = SL_MAX_INFLIGHT_RECORDS;
	ops.ctx = e;
	sl_map_init(&e->map, &ops);
	sl_list_init(&e->pending);
	sl_list_init(&e->flushes);
	sl_list_init(&e->fifo);
	sl_list_init(&e->unacked);
	e->next_seq = 1;
	e->next_seg_seq = 1;
	e->next_target = SL_NO_SEG;
	e->state = SL_STATE_FAIL;	/* until recovered */
	sl_engine_init_log(e, 0, 0);
	*out = e;
	return 0;
}

void sl_engine_init_log(struct sl_engine *e, u64 tail_pos, u64 tail_prev_seq)
{
	sl_log_init(&e->log, e->sb.geo.log_blocks, tail_pos);
	e->tail_prev_seq = tail_prev_seq;
	e->last_seq = tail_prev_seq;
	e->acked_seq = tail_prev_seq;
}

void sl_engine_destroy(struct sl_engine *e)
{
	struct sl_rec *r;

	if (!e)
		return;
	while (!sl_list_empty(&e->fifo)) {
		r = sl_container_of(e->fifo.next, struct sl_rec, fifo);
		sl_list_del(&r->fifo);
		sl_rec_free(e, r);
	}
	sl_destage_discard(e);
	sl_map_destroy(&e->map);
	sl_free(e->segs);
	sl_free(e->scratch_hdr);
	sl_free(e);
}

u32 sl_engine_max_write_blocks(const struct sl_engine *e)
{
	return e->max_record_blocks - 1;
}

void sl_engine_set_mem_release(struct sl_engine *e, void (*release)(void *ctx, void *mem),
			       void *ctx)
{
	e->mem_release = release;
	e->mem_ctx = ctx;
}

const struct sl_sb *sl_engine_sb(const struct sl_engine *e)
{
	return &e->sb;
}

#ifdef SL_TESTING
void sl_engine_set_test_flags(struct sl_engine *e, u32 flags)
{
	e->test_flags = flags;
}
#endif

/* ---- status ---- */

void sl_engine_status(const struct sl_engine *e, struct sl_status *st)
{
	*st = e->st;
	st->state = e->state;
	st->log_used = e->log.used;
	st->log_size = e->log.size;
	st->segs_used = e->segs_used;
	st->segs_total = e->sb.geo.nr_segments;
	st->map_extents = e->map.nr_extents;
	st->last_seq = e->acked_seq;
	st->mlog_used = e->meta.log.used;
	st->mlog_size = e->meta.log.size;
	st->ckpt_generation = e->meta.gen;
	st->ckpt_mlog_pos = e->meta.cur_pos;
	st->checkpoints = e->meta.checkpoints;
	st->recovery_meta_blocks = e->meta.rcv_blocks;
	st->recovery_scan = e->meta.rcv_scan;
}

void sl_engine_clear_stats(struct sl_engine *e)
{
	memset(&e->st, 0, sizeof(e->st));
}
