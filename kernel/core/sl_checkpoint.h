/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_checkpoint.h - engine internals of the metadata log and the map
 * checkpoints (SL_FEAT_INCOMPAT_MLOG volumes).  Used by sl_destage.c (one
 * batch per destaged segment, the log header's mlog fields), sl_recover.c
 * (checkpoint + metadata-log replay instead of the segment scan) and
 * sl_volume.c (the first checkpoint at format).  Not for the glue: the glue
 * sees sl_engine_ckpt_*() in sl_engine.h.
 */
#ifndef SL_CHECKPOINT_H
#define SL_CHECKPOINT_H

#include "sl_compat.h"
#include "sl_format.h"
#include "sl_log.h"

/* Checkpoint when the metadata log is this full (or on request). */
#define SL_MLOG_CKPT_PCT	50

/**
 * struct sl_meta - metadata-log space and checkpoint bookkeeping.
 * @log: mlog space: batches placed like records (never straddle the end).
 * @last_seq: seq of the last mlog block written (the next batch links to it).
 * @next_seq: seq of the next mlog block (> last_seq; jumps by SL_SEQ_GAP
 *	after a recovery so a batch cut before its commit can never link).
 * @total: mlog blocks consumed so far (waste included), for release.
 * @cur_*: where the newest checkpoint's replay starts; @prev_*: the one
 *	before it (the fallback: the mlog is kept from there).
 * @gen, @slot: newest checkpoint generation and its slot.
 * @want: a checkpoint was requested (message, or a scan recovery).
 */
struct sl_meta {
	struct sl_log log;
	u64 last_seq, next_seq;
	u64 total;
	u64 cur_pos, cur_total, prev_pos, prev_total;
	u64 gen;
	u32 slot;
	bool want;
	bool scan_ckpt;			/* newest checkpoint is SL_CKPT_F_SCAN */
	u64 rcv_blocks;			/* metadata blocks the last recovery read */
	bool rcv_scan;			/* the last recovery scanned every segment */
	u64 checkpoints;
};

struct sl_engine;
struct sl_destage;
struct sl_sum_entry;
struct sl_loghdr;
struct sl_dev_ops;
struct sl_recovery_report;

bool sl_meta_enabled(const struct sl_engine *e);
/** sl_meta_batch_alloc() - buffer for the largest batch (destage plan). */
void *sl_meta_batch_alloc(const struct sl_engine *e);
/** sl_meta_batch_fits() - room in the mlog for one more batch. */
bool sl_meta_batch_fits(const struct sl_engine *e);
/**
 * sl_meta_batch_encode() - compact the summary entries of a sealed plan
 * into extents, place the batch in the mlog and encode it into d->mlog
 * (d->mlog_blocks, d->mlog_block).  Return 0 or -ENOSPC (no mlog room).
 */
int sl_meta_batch_encode(struct sl_engine *e, struct sl_destage *d,
			 const struct sl_sum_entry *en, u32 nr);
/** sl_meta_fill_loghdr() - the committed mlog end for the next log header. */
void sl_meta_fill_loghdr(const struct sl_engine *e, struct sl_loghdr *lh);
/**
 * sl_meta_recover() - load the newest usable checkpoint and replay the
 * metadata log up to the end the log header @lh committed; a batch beyond
 * it (a destage cut before its header) has its segment summary scrubbed.
 * @max_seq: raised to the highest record seq loaded.
 * Return: 0; 1 = no usable checkpoint (rep->ckpt_why says why): the caller
 * falls back to the segment scan; or -errno (I/O, memory).
 */
int sl_meta_recover(struct sl_engine *e, const struct sl_dev_ops *ops, void *ctx,
		    const struct sl_loghdr *lh, struct sl_recovery_report *rep, u64 *max_seq,
		    void *buf, const char **why);
/** sl_meta_after_scan() - mlog state after a segment-scan recovery. */
void sl_meta_after_scan(struct sl_engine *e, const struct sl_loghdr *lh);
/**
 * sl_meta_format() - write the first (empty) checkpoint, generation 1, in
 * slot 0, and zero slot 1's header.  No flush (the caller flushes).
 */
int sl_meta_format(const struct sl_sb *sb, const struct sl_dev_ops *ops, void *ctx, void *buf);
/**
 * sl_seg_scrub() - zero block 0 of segment @seg's row 0 on every leg (FUA +
 * flush) so an uncommitted summary can never count later (sl_recover.c).
 */
int sl_seg_scrub(const struct sl_geometry *g, const struct sl_dev_ops *ops, void *ctx, u64 seg,
		 void *buf);

#endif /* SL_CHECKPOINT_H */
