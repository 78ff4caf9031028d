/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_engine.h - the stripelog engine: the state machine that decides what
 * goes on disk and when a write may be acknowledged.  The kernel glue, the
 * crash simulator and the CLI drive the SAME code.
 *
 * Concurrency: the engine has no locks.  The caller serialises every call on
 * one engine (the glue: one mutex).  Calls marked "may allocate" use
 * sl_alloc() = kvmalloc(GFP_NOIO) in the kernel and may therefore sleep:
 * hold a mutex, not a spinlock.  No call waits for I/O except those that take
 * a struct sl_dev_ops (open/format/recover), which do synchronous I/O through
 * it and are meant for the constructor / CLI only.
 *
 * Write path (glue):
 *   sl_engine_submit(w)            for every write / discard / flush bio
 *   sl_engine_build_record(&r)     as long as it returns 0: write r->hdr then
 *                                  the data of r's writes (in list order) to
 *                                  the perf device at r->dev_block, with FUA
 *   sl_engine_record_done(r, err)  on completion; complete every sl_write the
 *                                  call put on @acked (in order), w->error set
 * Destage (glue worker, when sl_engine_destage_wanted() or -ENOSPC):
 *   sl_engine_destage_plan(&d)     take every d->copies[i] with .mem set from
 *                                  that memory (its crc is the record's); read
 *                                  every other source block and set
 *                                  copies[i].crc = sl_block_crc(block)
 *   sl_engine_destage_seal(d)      verifies log crcs, encodes d->summary; then
 *                                  write each copy to its dst, d->summary to
 *                                  d->sum_*, and flush every leg
 *   sl_engine_destage_written(d)   then write d->loghdr to d->loghdr_block FUA
 *   sl_engine_destage_done(d)      log space is released; build records again
 * Reads: sl_engine_lookup() per piece.
 *
 * Data kept in memory: after build_record() the caller may set r->mem[i] to
 * a copy of the record's data block i that stays valid (and unchanged) until
 * the engine hands it back through the release hook
 * (sl_engine_set_mem_release()) when the record's log space is released or
 * the engine is destroyed.  Destage then copies such blocks from memory, not
 * from the log, and carries the record's crcs into the summary unchanged.
 *
 * Storage reuse and reads: destage_plan() may target a segment that an
 * earlier lookup returned, and destage_done() releases log blocks an earlier
 * lookup may have returned.  The glue must let reads issued from earlier
 * lookups finish before it issues a plan's writes and before it calls
 * destage_done() (e.g. an rw_semaphore: readers shared from lookup to
 * completion, the destage worker exclusive around those two points).
 */
#ifndef SL_ENGINE_H
#define SL_ENGINE_H

#include "sl_compat.h"
#include "sl_format.h"
#include "sl_list.h"
#include "sl_table.h"

/* Device numbers in I/O requests: 0 = perf device, 1 + i = capacity leg i. */
#define SL_DEV_PERF		0u
#define SL_DEV_LEG(i)		(1u + (i))

/* struct sl_write.flags */
#define SL_W_DISCARD		0x1	/* unmap [lba, lba + nblocks) */
#define SL_W_FUA		0x2	/* data write with REQ_FUA */
#define SL_W_FLUSH		0x4	/* REQ_PREFLUSH (alone: nblocks == 0) */

/**
 * struct sl_write - one user request as the engine sees it.  Embedded in the
 * glue's per-bio data; owned by the engine from submit until it is handed
 * back on an @acked list (or submit returns SL_SUBMIT_DONE).
 * @node: engine-owned list linkage.
 * @lba, @nblocks: 4 KiB blocks; nblocks 0 only for a pure flush.  A DATA write
 *	must not exceed the engine's max_record_blocks - 1 (set ti->max_io_len).
 * @flags: SL_W_*.
 * @crc: DATA only: sl_block_crc() of each data block, computed by the caller;
 *	must stay valid until the write is acknowledged.
 * @seq, @data_block: out: record seq and perf-device block of the first
 *	data block (set by build_record; data_block only for DATA).
 * @error: out, 0 or -errno, valid when acknowledged.
 * @priv: caller's.
 */
struct sl_write {
	struct sl_list node;
	u64 lba;
	u32 nblocks;
	u32 flags;
	const u32 *crc;
	u64 seq;
	u64 data_block;
	int error;
	void *priv;
};

/**
 * struct sl_record_io - one log record to write.  Engine-owned.
 * @seq: record seq.  @dev_block: perf-device block of the header.
 * @nr_blocks: 1 + data blocks: the I/O length.
 * @hdr: SL_BLOCK_SIZE bytes, the encoded header (valid until record_done).
 * @writes: the sl_write's it carries (sl_write.node), data in list order.
 * @mem: nr_blocks - 1 entries, all NULL after build_record: the caller may
 *	point entry i at an in-memory copy of data block i (see above).
 */
struct sl_record_io {
	u64 seq;
	u64 dev_block;
	u32 nr_blocks;
	void *hdr;
	struct sl_list writes;
	void **mem;
};

/**
 * struct sl_copy - one block move of a destage.
 * @src_dev/@src_block: where the live block is now: a log block on the perf
 *	device, or (segment cleaning) a block of a capacity leg.
 * @dst_dev/@dst_block: capacity leg and block.
 * @mem: NULL, or the block's data in memory (sl_record_io.mem): the copier
 *	copies it from there and leaves @crc alone (the record's crc is used).
 * @crc: set by the copier for @mem == NULL: sl_block_crc() of the source
 *	block as read.
 */
struct sl_copy {
	u32 src_dev;
	u64 src_block;
	u32 dst_dev;
	u64 dst_block;
	const void *mem;
	u32 crc;
};

/**
 * struct sl_destage - a planned segment write.  Engine-owned.
 * @seg_index/@seg_seq: the segment and its write sequence number.
 * @copies/@nr_copies: block moves (sorted by dst).
 * @summary: @sum_blocks * 4096 bytes, segment-logical blocks 0.. of the
 *	segment (at @sum_dev/@sum_block only when they fit one stripe unit).
 *	Valid after sl_engine_destage_seal().  @sum_blocks == 0: a header-only
 *	destage (the oldest records hold nothing live): no segment I/O, only
 *	the log header.
 * @rows: stripe rows the summary and copies fill (sl_segimg_rows()).  With
 *	m > 0 the glue must write these rows whole, parity included
 *	(sl_segimg_fill(), then parity per row); copies[].dst_* name where each
 *	data block lands in that image.
 * @loghdr/@loghdr_block: filled by destage_written(): one block to write
 *	with FUA to the perf device.
 * @mlog/@mlog_blocks/@mlog_block: filled by destage_seal() on volumes with a
 *	metadata log: the plan's compact metadata batch.  Write it to the perf
 *	device with FUA and wait for it BEFORE any segment write of the plan.
 */
struct sl_destage {
	u64 seg_index;
	u64 seg_seq;
	u32 nr_copies;
	struct sl_copy *copies;
	void *summary;
	u32 sum_blocks;
	u32 sum_dev;
	u64 sum_block;
	u32 rows;
	void *loghdr;
	u64 loghdr_block;
	void *mlog;
	u32 mlog_blocks;
	u64 mlog_block;
};

/**
 * struct sl_ckpt_io - a map checkpoint to write (SL_FEAT_INCOMPAT_MLOG).
 * @buf/@nr_blocks: header block then body, one write with FUA at @dev_block
 *	of the perf device.  Engine-owned until sl_engine_ckpt_done().
 */
struct sl_ckpt_io {
	u64 generation;
	u64 dev_block;
	u32 nr_blocks;
	void *buf;
};

/**
 * struct sl_read_piece - where one contiguous run of a read lives.
 * @kind: SL_LOC_ZERO (never written / discarded: return zeros), SL_LOC_LOG
 *	(perf device) or SL_LOC_SEG (capacity leg).
 */
#define SL_LOC_ZERO	0
#define SL_LOC_LOG	1
#define SL_LOC_SEG	2
struct sl_read_piece {
	u64 lba;
	u32 nblocks;
	u32 kind;
	u32 dev;
	u64 dev_block;
	u64 seq;
};

/* Volume states (status line). */
#define SL_STATE_RW	0
#define SL_STATE_RO	1
#define SL_STATE_FAIL	2

/**
 * struct sl_status - snapshot for the status line.  Counters are since
 * creation or the last sl_engine_clear_stats().
 */
struct sl_status {
	u32 state;
	u64 log_used, log_size;			/* blocks */
	u64 segs_used, segs_total;
	u64 user_bytes_written;
	u64 dev_bytes_written;
	u64 flushes;
	u64 batches;				/* log records written */
	u64 writes;				/* user writes/discards logged */
	u64 destages;
	u64 segs_cleaned;			/* victims emptied by cleaning */
	u64 map_extents;
	u64 last_seq;				/* last acknowledged record seq */
	/* metadata log / checkpoints (0 on volumes without them) */
	u64 mlog_used, mlog_size;		/* blocks */
	u64 ckpt_generation, ckpt_mlog_pos;
	u64 checkpoints;			/* written since load */
	u64 meta_bytes_written;			/* mlog + checkpoints + log headers */
	u64 recovery_meta_blocks;		/* metadata blocks the last recovery read */
	u32 recovery_scan;			/* 1: the last recovery scanned segments */
};

/**
 * struct sl_dev_ops - synchronous block I/O for open/format/recover/CLI/sim.
 * Blocks are 4 KiB.  Each returns 0 or -errno.
 */
struct sl_dev_ops {
	int (*read)(void *ctx, u32 dev, u64 block, u32 nblocks, void *buf);
	int (*write)(void *ctx, u32 dev, u64 block, u32 nblocks, const void *buf, bool fua);
	int (*flush)(void *ctx, u32 dev);
};

/**
 * struct sl_open_params - what the constructor knows.
 * @table: parsed table line (sl_table_parse()).
 * @target_blocks: ti->len in 4 KiB blocks (ti->len must be a multiple of 8).
 * @perf_blocks/@leg_blocks: device sizes in 4 KiB blocks.
 * @legs_missing: optional; called (with the I/O ctx) before recovery reads
 *	any segment when up to m legs are unreadable or blank (a failed leg or
 *	its blank replacement): bit i of @mask = leg i.  The caller must then
 *	answer reads of those legs by reconstruction from the other legs.
 */
struct sl_open_params {
	const struct sl_table_args *table;
	u64 target_blocks;
	u64 perf_blocks;
	u64 leg_blocks[SL_MAX_LEGS];
	void (*legs_missing)(void *ctx, const struct sl_sb *sb, u32 mask);
};

/**
 * struct sl_recovery_report - what recovery found (for logs and tests).
 */
struct sl_recovery_report {
	bool formatted;				/* a zeroed volume was formatted */
	u32 legs_missing;			/* bit i: leg i unreadable or blank */
	u32 legs_stale;				/* bit i: the log header says leg i
						 * misses chunks (not yet rebuilt) */
	u64 loghdr_generation;
	u64 segments_scanned, segments_valid;
	u64 segments_uncommitted;		/* newer than the log header: invalidated */
	u64 records_replayed, blocks_replayed;
	u64 tail_pos, head_pos;
	u64 last_seq, next_seq;
	/* metadata-log volumes */
	u64 ckpt_generation;			/* checkpoint loaded (0: none) */
	u32 ckpt_fallbacks;			/* newer checkpoints that were unusable */
	bool scanned;				/* fell back to the segment scan */
	const char *ckpt_why;			/* why a checkpoint was not used */
	u64 ckpt_blocks, mlog_blocks, mlog_batches;
	u64 target_blocks;			/* named next target checked (MLOG) */
	u64 meta_blocks_read;			/* all metadata blocks read */
};

struct sl_engine;

/**
 * sl_volume_open() - constructor path: read + validate the superblock, format
 * a zeroed volume, check every leg superblock, create the engine and recover.
 * @p: parameters.  @ops/@ctx: synchronous I/O.  @out: new engine.
 * @rep: optional report.  @why: static reason for ti->error on failure.
 * Refuses (never writes) a foreign/corrupt/newer superblock or a wrong leg.
 * May allocate; does synchronous I/O.  Return: 0 or -errno.
 */
int sl_volume_open(const struct sl_open_params *p, const struct sl_dev_ops *ops, void *ctx,
		   struct sl_engine **out, struct sl_recovery_report *rep, const char **why);

/**
 * sl_volume_format() - write a fresh volume: superblock, both log header
 * slots, every leg superblock; then flush.  Used by `stripelog format` and
 * by sl_volume_open() on a zeroed perf device.  @sb_out: optional.
 */
int sl_volume_format(const struct sl_format_params *fp, const struct sl_dev_ops *ops,
		     void *ctx, struct sl_sb *sb_out, const char **why);

/**
 * sl_engine_create() - an engine for the volume in @sb, tuned by @table
 * (NULL = defaults).  Not usable for I/O before sl_engine_recover().
 * May allocate.  Return: 0 or -ENOMEM/-EINVAL.
 */
int sl_engine_create(const struct sl_sb *sb, const struct sl_table_args *table,
		     struct sl_engine **out);
/** sl_engine_destroy() - free everything; no I/O may be outstanding. */
void sl_engine_destroy(struct sl_engine *e);

/**
 * sl_engine_recover() - rebuild the in-memory state from disk: newest valid
 * log header slot, every segment summary (newest seq per block wins), then
 * the record chain from the persisted tail (header crc, data crcs, prev_seq
 * link, position).  Next record seq = last valid seq + SL_SEQ_GAP.
 * A summary newer than the log header (a destage cut before its header) is
 * ignored and its first block zeroed (FUA) so it can never count later;
 * with ops->write == NULL (read-only inspection) nothing is written.
 * May allocate; synchronous I/O through @ops.  Return 0 or -errno (@why).
 */
int sl_engine_recover(struct sl_engine *e, const struct sl_dev_ops *ops, void *ctx,
		      struct sl_recovery_report *rep, const char **why);

/* sl_log_walk(): see sl_recover.c.  Callback returns non-zero to stop. */
typedef int (*sl_walk_cb)(void *ctx, const struct sl_rec_hdr *h, u64 pos, u64 waste);
struct sl_walk_result {
	u64 records, blocks;
	u64 end_pos;			/* where the next record would go */
	u64 last_seq;			/* seq of the last accepted record */
};
/**
 * sl_log_walk() - follow the record chain from a persisted tail with the
 * exact acceptance rule recovery uses (crc, data crcs, position, prev_seq
 * link, wrap placement).  For recovery and the CLI (dump/check).  May
 * allocate; synchronous reads through @ops.  Return: 0 or -errno.
 */
int sl_log_walk(const struct sl_sb *sb, const struct sl_dev_ops *ops, void *ctx, u64 tail_pos,
		u64 tail_prev_seq, sl_walk_cb cb, void *cbctx, struct sl_walk_result *res);

/**
 * sl_engine_max_write_blocks() - the largest DATA write sl_engine_submit()
 * accepts: max_record_kb / 4 - 1, or less on a log too small for four such
 * records.  The glue should use it for ti->max_io_len (after open).
 */
u32 sl_engine_max_write_blocks(const struct sl_engine *e);

/**
 * sl_engine_set_mem_release() - the hook that gets back every non-NULL
 * sl_record_io.mem entry once the engine no longer needs it (log space
 * released, or engine destroyed).  Without a hook, mem entries are simply
 * forgotten (the caller then owns them).  Never allocates.
 */
void sl_engine_set_mem_release(struct sl_engine *e, void (*release)(void *ctx, void *mem),
			       void *ctx);

/** sl_engine_sb() - the engine's superblock (geometry, uuid). */
const struct sl_sb *sl_engine_sb(const struct sl_engine *e);

#define SL_SUBMIT_QUEUED	0
#define SL_SUBMIT_DONE		1
/**
 * sl_engine_submit() - queue a write, discard or flush.
 * Return: SL_SUBMIT_QUEUED (will come back on an @acked list),
 * SL_SUBMIT_DONE (completed at once: a flush with nothing to wait for;
 * w->error is 0), or -EINVAL (beyond the volume, too large), -EROFS/-EIO
 * (volume read-only / failed).  Never allocates.
 */
int sl_engine_submit(struct sl_engine *e, struct sl_write *w);

/**
 * sl_engine_build_record() - group commit: pack queued requests into the
 * next log record.  Return: 0 (*out set), -EAGAIN (nothing queued, or the
 * in-flight limit is reached), -ENOSPC (log full: destage first), -EIO
 * (failed volume).  May allocate (one record descriptor + header block).
 */
int sl_engine_build_record(struct sl_engine *e, struct sl_record_io **out);

/**
 * sl_engine_record_done() - the record's I/O completed with @err.  Records
 * complete in any order; writes are acknowledged in seq order only, when
 * their record and every earlier record are stable.  An error fails the
 * volume: that record's and every later write get -EIO.  Appends the
 * writes that may now complete to @acked.  Never allocates.
 */
void sl_engine_record_done(struct sl_engine *e, struct sl_record_io *r, int err,
			   struct sl_list *acked);

/**
 * sl_engine_fail_queued() - complete every request still waiting for a
 * record with @err (e.g. -ENOSPC when the log is full and destage_plan()
 * says no segment can be freed), so nothing waits forever.  Records already
 * built are unaffected.  Appends them to @acked.  Never allocates.
 */
void sl_engine_fail_queued(struct sl_engine *e, int err, struct sl_list *acked);

/** sl_engine_pending() - true if requests wait to be put into a record. */
bool sl_engine_pending(const struct sl_engine *e);

/**
 * sl_engine_lookup() - the first piece of [lba, lba + nblocks): its location
 * and length (<= nblocks).  Call again for the rest.  Never allocates.
 * Return: 0 or -EINVAL (out of range).
 */
int sl_engine_lookup(struct sl_engine *e, u64 lba, u32 nblocks, struct sl_read_piece *p);

/** sl_engine_destage_wanted() - log fill passed the threshold (or writes wait). */
bool sl_engine_destage_wanted(const struct sl_engine *e);

/**
 * sl_engine_destage_plan() - pack the live blocks of the oldest stable log
 * records into a free segment.  Return: 0 (*out set), -EAGAIN (nothing to
 * destage), -EBUSY (one already in progress), -ENOSPC (no free segment).
 * May allocate (the plan, its summary and copy list).
 */
int sl_engine_destage_plan(struct sl_engine *e, struct sl_destage **out);

/**
 * sl_engine_destage_seal() - every copy source without .mem has been read
 * and its crc stored in copies[i].crc: check those log-sourced blocks against
 * their record crcs and encode d->summary (in-memory blocks keep the
 * record's crc).  Return: 0, or -EIO (a log block does not
 * match its record crc: do not write the segment; the volume is failed; call
 * destage_written() with the error).  Never allocates.
 */
int sl_engine_destage_seal(struct sl_engine *e, struct sl_destage *d);

/**
 * sl_engine_destage_written() - the plan's copies and summary are written and
 * every leg flushed (@err 0).  Points the map at the segment and fills
 * d->loghdr / d->loghdr_block.  On error the volume fails (and d is freed by
 * destage_done).  Never allocates.
 */
void sl_engine_destage_written(struct sl_engine *e, struct sl_destage *d, int err);

/**
 * sl_engine_destage_done() - the log header is stable (@err 0): release the
 * destaged log space.  Frees @d.  Never allocates.
 */
void sl_engine_destage_done(struct sl_engine *e, struct sl_destage *d, int err);

/**
 * sl_engine_set_stale_legs() - legs that miss chunks of segments written from
 * now on (failed or being rebuilt); recorded in every later log header so a
 * reload never trusts such a leg (SL_LH_STALE_LEGS).  Never allocates.
 */
void sl_engine_set_stale_legs(struct sl_engine *e, u32 mask);

/**
 * sl_engine_request_header() - have the next destage plan write a log
 * header even if nothing waits to be destaged (a header-only plan), e.g. so
 * that a finished rebuild's cleared stale-leg bit reaches the disk now and
 * not at the next destage.  sl_engine_destage_wanted() is true until that
 * header has been planned.  Never allocates.
 */
void sl_engine_request_header(struct sl_engine *e);

/**
 * sl_engine_ckpt_wanted() - a checkpoint should be written now: the metadata
 * log passed SL_MLOG_CKPT_PCT, a destage waits for mlog room, or one was
 * requested.  False on volumes without a metadata log.  Never allocates.
 */
bool sl_engine_ckpt_wanted(const struct sl_engine *e);
/** sl_engine_ckpt_request() - `checkpoint` message.  Return -EOPNOTSUPP on old volumes. */
int sl_engine_ckpt_request(struct sl_engine *e);
/**
 * sl_engine_ckpt_build() - snapshot the segment part of the map and the
 * segment seqs into a checkpoint for the slot not holding the newest one.
 * Only between destages.  Return 0 (*out set), -EBUSY (destage in
 * progress), -EOPNOTSUPP (no metadata log), -EIO (failed), -ENOMEM.
 * May allocate (O(map extents)).
 */
int sl_engine_ckpt_build(struct sl_engine *e, struct sl_ckpt_io **out);
/**
 * sl_engine_ckpt_done() - the checkpoint write completed with @err (0: it
 * is stable): release the metadata log up to the start of the previous
 * checkpoint, which stays as the fallback.  An error fails the volume.
 * Frees @c.  Never allocates.
 */
void sl_engine_ckpt_done(struct sl_engine *e, struct sl_ckpt_io *c, int err);

/** sl_engine_status() - fill @st.  Never allocates. */
void sl_engine_status(const struct sl_engine *e, struct sl_status *st);
/** sl_engine_clear_stats() - zero the counters of sl_status. */
void sl_engine_clear_stats(struct sl_engine *e);

#ifdef SL_TESTING
/* Test-only switches that break the rules, so tests can show they are caught. */
#define SL_TEST_ACK_EARLY	0x1	/* ack a record when it completes, not in seq order */
#define SL_TEST_NO_SEQ_GAP	0x2	/* recovery continues seq at last + 1 */
#define SL_TEST_NO_MLOG		0x10	/* destage commits without its mlog batch */
void sl_engine_set_test_flags(struct sl_engine *e, u32 flags);
#endif

#endif /* SL_ENGINE_H */
