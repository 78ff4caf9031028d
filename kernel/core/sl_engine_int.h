/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_engine_int.h - engine internals shared by sl_engine.c (write path),
 * sl_destage.c, sl_recover.c and sl_volume.c.  Not for the glue.
 */
#ifndef SL_ENGINE_INT_H
#define SL_ENGINE_INT_H

#include "sl_engine.h"
#include "sl_log.h"
#include "sl_map.h"
#include "sl_stripe.h"
#include "sl_checkpoint.h"

#define SL_MAX_INFLIGHT_RECORDS	64

/* One record in the log (from build until its space is released). */
struct sl_rec {
	struct sl_record_io io;		/* io.seq, io.dev_block, io.writes */
	struct sl_list fifo;		/* e->fifo: log order */
	struct sl_list unacked;		/* e->unacked while not yet acknowledged */
	u64 pos;			/* log-relative header block */
	u64 waste;			/* blocks skipped at the log end before it */
	u64 prev_seq;
	u64 last_ticket;		/* submit ticket of its last write */
	u32 nr_entries;
	u32 nr_data;
	bool done, acked, failed, early_acked;
	struct sl_rec_entry *entries;	/* nr_entries */
	u32 *data_off;			/* per entry: first data block index */
	u32 *crc;			/* nr_data block crcs */
};

struct sl_seg_state {
	u64 live;			/* blocks the map points at in it */
	u64 seg_seq;
	bool busy;			/* target of the destage in progress */
};

struct sl_engine {
	struct sl_sb sb;
	struct sl_stripe stripe;	/* leg layout of sb.geo */
	u32 data_slots;
	u32 log_threshold_pct;
	u32 max_record_blocks;
	u32 max_inflight;
	bool discard;
	u32 state;
	u32 test_flags;

	struct sl_log log;
	struct sl_map map;
	struct sl_list pending;		/* sl_write waiting for a record */
	struct sl_list flushes;		/* pure flushes waiting, ticket order */
	struct sl_list fifo;		/* sl_rec in the log, oldest first */
	struct sl_list unacked;		/* sl_rec not yet acknowledged, seq order */
	u32 nr_inflight;
	u64 next_ticket, acked_ticket;
	u64 next_seq;			/* seq of the next record */
	u64 last_seq;			/* seq of the last record built (its prev) */
	u64 acked_seq;
	u64 tail_prev_seq;		/* seq before the persisted tail */
	bool log_full;			/* a build hit -ENOSPC */

	struct sl_seg_state *segs;
	u64 segs_used;
	u64 seg_cursor;			/* next free-segment search start */
	u64 next_target;		/* segment the newest log header names, or SL_NO_SEG */
	bool header_wanted;		/* sl_engine_request_header() */
	u64 next_seg_seq;
	u64 loghdr_gen;
	u32 stale_legs;			/* written into every log header */
	u32 legs_known_missing;		/* already reported by sl_volume_open */
	void (*legs_cb)(void *ctx, const struct sl_sb *sb, u32 mask);
	struct sl_destage *destage;	/* in progress, or NULL */

	struct sl_meta meta;		/* metadata log + checkpoints (sl_checkpoint.c) */

	void (*mem_release)(void *ctx, void *mem);	/* sl_record_io.mem owner */
	void *mem_ctx;

	struct sl_status st;		/* counters */
	struct sl_rec_hdr *scratch_hdr;	/* encode/decode buffer */
};

void sl_rec_free(struct sl_engine *e, struct sl_rec *r);
struct sl_rec *sl_rec_alloc(u32 nr_entries, u32 nr_data);
int sl_engine_apply_rec(struct sl_engine *e, struct sl_rec *r, u32 mode);
void sl_engine_fail(struct sl_engine *e);
/* Free a destage in progress (engine teardown). */
void sl_destage_discard(struct sl_engine *e);
void sl_engine_init_log(struct sl_engine *e, u64 tail_pos, u64 tail_prev_seq);

#endif /* SL_ENGINE_INT_H */
