/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-stripelog: private declarations of the device-mapper target glue
 * (the dm-stripelog-NAME.c files).  The on-disk format, the map and the
 * engine state machine live in the portable core (kernel/core, sl_engine.h);
 * this layer does bios, dm-io, workqueues and locking around it.
 *
 * Locking: sc->lock (a mutex) serialises every call into the engine.  It is
 * taken in ->map (reads look the map up there; writes are queued there), in
 * the write worker and in the destage worker.  Never held across I/O waits.
 */
#ifndef DM_STRIPELOG_GLUE_H
#define DM_STRIPELOG_GLUE_H

#include <linux/device-mapper.h>
#include <linux/dm-io.h>
#include <linux/ioprio.h>
#include <linux/workqueue.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/bio.h>
#include <linux/llist.h>
#include <linux/mempool.h>

#include "sl_engine.h"
#include "sl_segimg.h"

#define DM_MSG_PREFIX "stripelog"

/* The glue works in 4 KiB blocks: 8 sectors. */
#define SLG_BLOCK_SIZE		SL_BLOCK_SIZE
#define SLG_BLOCK_SECTORS_SHIFT	3
#define SLG_BLOCK_SECTORS	(1U << SLG_BLOCK_SECTORS_SHIFT)

/* Largest data write the glue accepts in one piece (ti->max_io_len). */
#define SLG_MAX_WRITE_BLOCKS	128
/* Log records the glue keeps in flight; more requests wait for group commit. */
#define SLG_MAX_INFLIGHT_RECORDS	2
/* Writes of this many blocks or more get their crcs on the crc workqueue. */
#define SLG_CRC_WQ_BLOCKS	16
/* Largest discard in one piece, in sectors. */
#define SLG_MAX_DISCARD_SECTORS	(1U << 21)

/**
 * struct slg_bio - per-bio data (ti->per_io_data_size).
 * @w: the engine's view of a write/discard/flush (w.priv = the bio).
 * @node: on stripelog_c.incoming until the write worker takes it.
 * @crc_work, @sc: a large write's copy and crcs on stripelog_c.crc_wq.
 * @prep: 0, or why the worker refuses the bio (negative errno).
 * @prepared: the data copy and crcs are made (slg_prepare_data() ran).
 * @read_epoch: 0, or 1 + the read epoch a remapped read was counted in.
 * @crc: per-block data crcs of a data write (w.crc points here).
 * @nr_pages, @pages: 0, or a copy of the write's data, one page per block
 *	(slg_prepare_data()); the record is written from it and it is handed
 *	to the engine (sl_record_io.mem) so destage needs no log read.
 * @iter: a capacity-leg read's iterator as remapped (restored to rebuild it).
 * @dev_block, @leg, @nblocks: where a capacity-leg read was sent.
 * @leg_read: the read went to a capacity leg (0: log or zeros).
 * @degraded: the read was handed to the degraded worker (its second ->end_io
 *	pass is the real completion).
 * @verify: check the blocks against their summary crcs (verify_reads).
 * @verify_now: the leg returned the data; the worker only verifies it.
 */
struct slg_bio {
	struct sl_write w;
	struct llist_node node;
	struct work_struct crc_work;
	struct stripelog_c *sc;
	int prep;
	bool prepared;
	u32 read_epoch;
	u32 crc[SLG_MAX_WRITE_BLOCKS];
	u32 nr_pages;
	struct page *pages[SLG_MAX_WRITE_BLOCKS];
	struct bvec_iter iter;
	u64 dev_block;
	u32 leg;
	u32 nblocks;
	bool leg_read;
	bool degraded;
	bool verify;
	bool verify_now;
};

/*
 * Degraded and verified reads in flight at once: each worker takes one bio
 * at a time, so a slow synchronous rebuild does not hold up the others.
 */
#define SLG_DEGRADED_WORKERS	4

struct stripelog_c;
struct slg_degraded_worker {
	struct work_struct work;
	struct stripelog_c *sc;
};

/* Segment summary crcs cached for read verification (dm-stripelog-verify.c). */
#define SLG_SUMCACHE	8
struct slg_sumcache {
	u64 seg;			/* ~0: empty */
	u32 *crc;			/* per data slot */
	unsigned long *known;		/* slots the summary names */
};

/**
 * struct slg_record - glue context of one log record I/O in flight.
 * @node: on stripelog_c.done once every bio of the record completed.
 * @r: the engine's record.
 * @pending: bios not completed yet (+1 while submitting).
 * @error: first error seen.
 */
struct slg_record {
	struct llist_node node;
	struct stripelog_c *sc;
	struct sl_record_io *r;
	atomic_t pending;
	int error;
};

/**
 * struct stripelog_c - one stripelog target instance.
 */
struct stripelog_c {
	struct dm_target *ti;
	struct sl_table_args args;
	struct dm_dev *perf;
	struct dm_dev *legs[SL_MAX_LEGS];
	u32 nr_legs;
	struct dm_io_client *io_client;

	struct mutex lock;		/* serialises the engine */
	struct sl_engine *eng;
	struct sl_geometry geo;

	/* Write path: one ordered worker builds records and acks writes. */
	struct workqueue_struct *wq;
	struct workqueue_struct *crc_wq;	/* large writes' copies + crcs, any CPU */
	struct work_struct write_work;
	struct delayed_work gc_work;	/* write_work after gc_window_us */
	unsigned long gc_delay;		/* gc_window_us in jiffies, 0 = off */
	struct llist_head incoming;	/* slg_bio from ->map, newest first */
	struct llist_head done;		/* completed slg_records */
	atomic_t inflight_recs;		/* records submitted, not yet done */
	mempool_t rec_pool;
	struct bio_set bs;

	/* Destage worker (synchronous I/O, its own ordered workqueue). */
	struct workqueue_struct *destage_wq;
	struct work_struct destage_work;
	void *bank;			/* data slots of one segment, read from the log */
	u32 bank_blocks;
	const void **slots;		/* per data slot: in memory or in the bank */

	/*
	 * Data of not yet destaged log records kept in memory (pages owned by
	 * the engine's records, see slg_prepare_data()), at most mem_max pages.
	 */
	atomic_t mem_pages;
	u32 mem_max;
	struct sl_stripe stripe;	/* leg layout (from geo) */
	void *img;			/* one segment as full rows on every leg */
	bool suspended;
	bool log_full;			/* the last build_record said -ENOSPC */

	/* Reads in flight per epoch (see slg_wait_reads()). */
	u32 read_epoch;
	atomic_t reads[2];
	wait_queue_head_t reads_wq;

	/* Degraded and verified reads: rebuilt / checked by a few workers at once. */
	struct workqueue_struct *degraded_wq;
	struct slg_degraded_worker degraded_work[SLG_DEGRADED_WORKERS];
	atomic_t degraded_next;		/* round robin over degraded_work */
	spinlock_t degraded_lock;
	struct bio_list degraded_bios;
	atomic64_t degraded_reads;	/* user reads answered by reconstruction */
	atomic64_t blocks_rebuilt;	/* blocks reconstructed (reads, destage, rebuild) */

	/* Read verification against summary crcs. */
	struct mutex sumcache_lock;
	struct slg_sumcache sumcache[SLG_SUMCACHE];
	u32 sumcache_next;
	atomic64_t crc_errors;		/* blocks whose crc did not match */
	atomic64_t crc_repairs;		/* of those, rebuilt and rewritten */

	/* Rebuild of a replaced leg (dm-stripelog-rebuild.c), on destage_wq. */
	struct delayed_work rebuild_work;
	unsigned long leg_rebuilding;	/* bit i: leg i written, not yet read */
	u32 rebuild_leg;		/* valid while leg_rebuilding != 0 */
	u64 rebuild_seg;		/* next segment to rebuild */
	u64 rebuild_done_segs;		/* segments that held data and were rebuilt */

	/* Glue-side health and counters. */
	unsigned long leg_failed;	/* bit i: leg i returned an I/O error */
	bool perf_failed;
	atomic64_t destage_errors;
	u64 rec_report_replayed;
};

/* dm-stripelog-io.c */
int slg_io_sync(struct dm_io_client *client, struct dm_dev *dev, blk_opf_t opf,
		u64 block, void *buf, unsigned int nblocks);
int slg_flush_sync(struct dm_io_client *client, struct dm_dev *dev);
int slg_io_async(struct dm_io_client *client, struct dm_dev *dev, blk_opf_t opf,
		 u64 block, void *buf, unsigned int nblocks, io_notify_fn fn, void *ctx);
struct dm_dev *slg_dev(struct stripelog_c *sc, u32 dev);
extern const struct sl_dev_ops slg_dev_ops;

/* dm-stripelog-crc.c (slg_crc32c() itself is declared in sl_compat.h) */
int slg_crc_init(void);
void slg_crc_exit(void);

/* dm-stripelog-write.c */
void slg_write_work(struct work_struct *ws);
void slg_crc_work(struct work_struct *ws);
void slg_gc_work(struct work_struct *ws);
int slg_queue_write(struct stripelog_c *sc, struct bio *bio);
void slg_fail_queued(struct stripelog_c *sc, int err);
void slg_mem_release(void *ctx, void *mem);

/* Reads never go to a failed leg nor to one whose rebuild is not finished. */
static inline bool slg_leg_readable(struct stripelog_c *sc, u32 leg)
{
	return !test_bit(leg, &sc->leg_failed) && !test_bit(leg, &sc->leg_rebuilding);
}

/* dm-stripelog-degraded.c */
u32 slg_nr_failed(struct stripelog_c *sc);
void slg_leg_failed(struct stripelog_c *sc, u32 leg, const char *why);
int slg_reconstruct(struct stripelog_c *sc, u32 leg, u64 block, u32 nblocks, void *buf);
int slg_reconstruct_avoid(struct stripelog_c *sc, u32 leg, u64 block, u32 nblocks, void *buf,
			  unsigned long avoid);
int slg_read_leg(struct stripelog_c *sc, u32 leg, u64 block, u32 nblocks, void *buf);
void slg_queue_degraded(struct stripelog_c *sc, struct bio *bio);
void slg_degraded_work(struct work_struct *ws);

/* dm-stripelog-verify.c */
int slg_sumcache_init(struct stripelog_c *sc);
void slg_sumcache_free(struct stripelog_c *sc);
void slg_sumcache_forget(struct stripelog_c *sc, u64 seg);
int slg_verify_read(struct stripelog_c *sc, struct bio *bio);
int slg_verify_buf(struct stripelog_c *sc, struct slg_bio *pb, u8 *buf);

/* dm-stripelog-rebuild.c */
int slg_rebuild_start(struct stripelog_c *sc, u32 leg);
void slg_rebuild_work(struct work_struct *ws);

/* dm-stripelog-destage.c */
void slg_parity(const struct sl_stripe *st, void **ptrs, size_t len);
void slg_destage_work(struct work_struct *ws);
int slg_checkpoint_run(struct stripelog_c *sc);
int slg_checkpoint_message(struct stripelog_c *sc);
void slg_wait_reads(struct stripelog_c *sc);

#endif /* DM_STRIPELOG_GLUE_H */
