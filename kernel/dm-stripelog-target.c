// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: a log-structured, two-tier, erasure-coded block volume.
 *
 * Device-mapper target glue: constructor/destructor, ->map (reads are
 * remapped straight to where the engine says the newest copy lives; writes,
 * discards and flushes go to the write path), status, messages, io_hints,
 * iterate_devices and suspend/resume.  See Documentation/stripelog-admin.rst.
 */
#include <linux/module.h>
#include <linux/blkdev.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>

#include "dm-stripelog-glue.h"

#define SLG_REC_POOL_SIZE	16
#define SLG_BIOSET_SIZE		64

static void slg_free(struct stripelog_c *sc)
{
	u32 i;

	if (sc->crc_wq)
		destroy_workqueue(sc->crc_wq);
	if (sc->wq)
		destroy_workqueue(sc->wq);
	if (sc->destage_wq)
		destroy_workqueue(sc->destage_wq);
	if (sc->degraded_wq)
		destroy_workqueue(sc->degraded_wq);
	if (sc->eng)
		sl_engine_destroy(sc->eng);
	kvfree(sc->bank);
	kvfree(sc->slots);
	kvfree(sc->img);
	slg_sumcache_free(sc);
	bioset_exit(&sc->bs);
	mempool_exit(&sc->rec_pool);
	if (sc->io_client)
		dm_io_client_destroy(sc->io_client);
	for (i = 0; i < sc->nr_legs; i++)
		if (sc->legs[i])
			dm_put_device(sc->ti, sc->legs[i]);
	if (sc->perf)
		dm_put_device(sc->ti, sc->perf);
	kfree(sc);
}

static u64 slg_dev_blocks(struct dm_dev *d)
{
	return bdev_nr_sectors(d->bdev) >> SLG_BLOCK_SECTORS_SHIFT;
}

/* Open the perf device and every capacity leg; refuse the same device twice. */
static int slg_open_devices(struct stripelog_c *sc, struct dm_target *ti)
{
	fmode_t mode = dm_table_get_mode(ti->table);
	u32 i, j;
	int r;

	r = dm_get_device(ti, sc->args.perf_dev, mode, &sc->perf);
	if (r) {
		ti->error = "cannot open the performance device";
		return r;
	}
	for (i = 0; i < sc->args.k + sc->args.m; i++) {
		r = dm_get_device(ti, sc->args.cap_dev[i], mode, &sc->legs[i]);
		if (r) {
			ti->error = "cannot open a capacity device";
			return r;
		}
		sc->nr_legs = i + 1;
		if (sc->legs[i]->bdev == sc->perf->bdev) {
			ti->error = "a capacity device is also the performance device";
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (sc->legs[j]->bdev == sc->legs[i]->bdev) {
				ti->error = "the same capacity device is given twice";
				return -EINVAL;
			}
		}
	}
	return 0;
}

/*
 * sl_volume_open() found up to m legs unreadable or blank (a failed leg or
 * its blank replacement): they are failed from the start, and reads of their
 * chunks -- recovery's included -- are rebuilt from the other legs.
 */
static void slg_legs_missing(void *ctx, const struct sl_sb *sb, u32 mask)
{
	struct stripelog_c *sc = ctx;
	u32 i;

	if (sl_stripe_from_geometry(&sc->stripe, &sb->geo, NULL))
		return;
	for (i = 0; i < sc->nr_legs; i++) {
		if (!(mask & (1u << i)))
			continue;
		set_bit(i, &sc->leg_failed);
		DMWARN("%s: capacity leg %u (%s) is unreadable, blank or marked stale in the log header: loaded degraded; after replacing it (if it failed) run 'dmsetup message %s 0 rebuild %u'",
		       dm_table_device_name(sc->ti->table), i, sc->legs[i]->name,
		       dm_table_device_name(sc->ti->table), i);
	}
}

static int slg_open_volume(struct stripelog_c *sc, struct dm_target *ti)
{
	struct sl_recovery_report rep = { };
	struct sl_open_params p = { };
	const char *why = NULL;
	u32 i;
	int r;

	p.table = &sc->args;
	p.legs_missing = slg_legs_missing;
	p.target_blocks = ti->len >> SLG_BLOCK_SECTORS_SHIFT;
	p.perf_blocks = slg_dev_blocks(sc->perf);
	for (i = 0; i < sc->nr_legs; i++)
		p.leg_blocks[i] = slg_dev_blocks(sc->legs[i]);
	r = sl_volume_open(&p, &slg_dev_ops, sc, &sc->eng, &rep, &why);
	if (r) {
		sc->eng = NULL;
		ti->error = why ? (char *)why : "cannot open the volume";
		return r;
	}
	sc->geo = sl_engine_sb(sc->eng)->geo;
	if (rep.formatted)
		DMINFO("%s: formatted a new volume", dm_table_device_name(ti->table));
	else
		DMINFO("%s: recovered: log header gen %llu, checkpoint gen %llu + %llu metadata batches, %llu/%llu segments scanned valid, %llu records (%llu blocks) replayed, %llu metadata blocks read, next seq %llu",
		       dm_table_device_name(ti->table),
		       (unsigned long long)rep.loghdr_generation,
		       (unsigned long long)rep.ckpt_generation,
		       (unsigned long long)rep.mlog_batches,
		       (unsigned long long)rep.segments_valid,
		       (unsigned long long)rep.segments_scanned,
		       (unsigned long long)rep.records_replayed,
		       (unsigned long long)rep.blocks_replayed,
		       (unsigned long long)rep.meta_blocks_read,
		       (unsigned long long)rep.next_seq);
	if (rep.ckpt_why)
		DMWARN("%s: %s checkpoint not used (%s)%s", dm_table_device_name(ti->table),
		       rep.scanned ? "no" : "newest", rep.ckpt_why,
		       rep.scanned ? ": recovered by scanning every segment summary" :
		       ": recovered from the older one");
	return 0;
}

/*
 * How much data of not yet destaged records is kept in memory: the log
 * threshold plus four segments (what destage normally finds in the log), but
 * never more than 1/16 of RAM.  Records beyond it are read back from the log
 * at destage, as are records replayed by recovery.
 */
static void slg_mem_bound(struct stripelog_c *sc)
{
	u64 want = div_u64(sc->geo.log_blocks * sc->args.log_threshold_pct, 100) +
		   4ull * sc->bank_blocks;

	sc->mem_max = min_t(u64, want, totalram_pages() / 16);
	atomic_set(&sc->mem_pages, 0);
	sl_engine_set_mem_release(sc->eng, slg_mem_release, sc);
}

/*
 * Construct a mapping:
 *   <perf_dev> <k> <m> <cap_0> ... <cap_{k+m-1}> [<#opts> <name> <value>...]
 */
static int stripelog_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	const char *dev_name = dm_table_device_name(ti->table);
	struct stripelog_c *sc;
	const char *why = NULL;
	u32 i, max_blocks;
	int r;

	if (!(dm_table_get_mode(ti->table) & FMODE_WRITE)) {
		ti->error = "read-only tables are not supported";
		return -EINVAL;
	}
	if ((ti->begin | ti->len) & (SLG_BLOCK_SECTORS - 1) || !ti->len) {
		ti->error = "start and length must be multiples of 4 KiB";
		return -EINVAL;
	}
	sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc) {
		ti->error = "out of memory";
		return -ENOMEM;
	}
	sc->ti = ti;
	mutex_init(&sc->lock);
	init_llist_head(&sc->done);
	init_llist_head(&sc->incoming);
	INIT_WORK(&sc->write_work, slg_write_work);
	INIT_WORK(&sc->destage_work, slg_destage_work);
	INIT_DELAYED_WORK(&sc->gc_work, slg_gc_work);
	init_waitqueue_head(&sc->reads_wq);
	for (i = 0; i < SLG_DEGRADED_WORKERS; i++) {
		INIT_WORK(&sc->degraded_work[i].work, slg_degraded_work);
		sc->degraded_work[i].sc = sc;
	}
	INIT_DELAYED_WORK(&sc->rebuild_work, slg_rebuild_work);
	spin_lock_init(&sc->degraded_lock);
	bio_list_init(&sc->degraded_bios);

	r = sl_table_parse(argc, argv, &sc->args, &why);
	if (r) {
		ti->error = why ? (char *)why : "invalid table line";
		goto bad;
	}
	r = slg_open_devices(sc, ti);
	if (r)
		goto bad;
	/* argv does not outlive the ctr: keep dm's device names instead. */
	sc->args.perf_dev = sc->perf->name;
	for (i = 0; i < sc->nr_legs; i++)
		sc->args.cap_dev[i] = sc->legs[i]->name;

	sc->io_client = dm_io_client_create();
	if (IS_ERR(sc->io_client)) {
		r = PTR_ERR(sc->io_client);
		sc->io_client = NULL;
		ti->error = "cannot create a dm-io client";
		goto bad;
	}
	r = mempool_init_kmalloc_pool(&sc->rec_pool, SLG_REC_POOL_SIZE,
				      sizeof(struct slg_record));
	if (!r)
		r = bioset_init(&sc->bs, SLG_BIOSET_SIZE, 0, BIOSET_NEED_BVECS);
	if (r) {
		ti->error = "out of memory";
		goto bad;
	}

	r = slg_open_volume(sc, ti);
	if (r)
		goto bad;

	r = sl_stripe_from_geometry(&sc->stripe, &sc->geo, &why);
	if (r) {
		ti->error = (char *)why;
		goto bad;
	}
	r = slg_sumcache_init(sc);
	if (r) {
		ti->error = "out of memory";
		goto bad;
	}
	sc->bank_blocks = sl_seg_data_slots(&sc->geo);
	sc->bank = kvmalloc(array_size(sc->bank_blocks, SLG_BLOCK_SIZE), GFP_KERNEL);
	sc->slots = kvmalloc_array(sc->bank_blocks, sizeof(*sc->slots), GFP_KERNEL);
	slg_mem_bound(sc);
	sc->img = kvmalloc(array3_size(sc->stripe.n, sc->geo.seg_leg_blocks, SLG_BLOCK_SIZE),
			   GFP_KERNEL);
	sc->wq = alloc_ordered_workqueue("slg-wr-%s", WQ_MEM_RECLAIM, dev_name);
	sc->crc_wq = alloc_workqueue("slg-crc-%s", WQ_MEM_RECLAIM | WQ_UNBOUND | WQ_HIGHPRI, 0,
				     dev_name);
	sc->destage_wq = alloc_ordered_workqueue("slg-ds-%s", WQ_MEM_RECLAIM, dev_name);
	sc->degraded_wq = alloc_workqueue("slg-dg-%s", WQ_MEM_RECLAIM | WQ_UNBOUND,
					  SLG_DEGRADED_WORKERS, dev_name);
	if (!sc->bank || !sc->slots || !sc->img || !sc->wq || !sc->crc_wq || !sc->destage_wq ||
	    !sc->degraded_wq) {
		r = -ENOMEM;
		ti->error = "out of memory";
		goto bad;
	}

	/* Largest data write the engine takes in one record, as a power of two. */
	max_blocks = min_t(u32, sc->args.max_record_kb / 4 - 1, SLG_MAX_WRITE_BLOCKS);
	max_blocks = max_blocks ? rounddown_pow_of_two(max_blocks) : 1;
	r = dm_set_target_max_io_len(ti, max_blocks << SLG_BLOCK_SECTORS_SHIFT);
	if (r) {
		ti->error = "cannot set the largest I/O size";
		goto bad;
	}
	sc->gc_delay = sc->args.gc_window_us ? usecs_to_jiffies(sc->args.gc_window_us) : 0;
	ti->num_flush_bios = 1;
	ti->flush_supported = true;
	if (sc->args.discard) {
		ti->num_discard_bios = 1;
		ti->discards_supported = true;
	}
	ti->per_io_data_size = sizeof(struct slg_bio);
	ti->private = sc;
	return 0;
bad:
	slg_free(sc);
	return r;
}

static void stripelog_dtr(struct dm_target *ti)
{
	struct stripelog_c *sc = ti->private;

	WRITE_ONCE(sc->suspended, true);
	flush_workqueue(sc->crc_wq);
	flush_delayed_work(&sc->gc_work);
	cancel_delayed_work_sync(&sc->rebuild_work);
	flush_workqueue(sc->destage_wq);
	flush_workqueue(sc->wq);
	flush_workqueue(sc->degraded_wq);
	slg_free(sc);
}

/* Reads: remap the first piece to where its newest copy lives. */
static int slg_map_read(struct stripelog_c *sc, struct bio *bio, struct slg_bio *pb)
{
	sector_t sector = dm_target_offset(sc->ti, bio->bi_iter.bi_sector);
	u32 nsect = bio_sectors(bio);
	struct sl_read_piece p;
	struct dm_dev *d = NULL;
	int r;

	if ((sector | nsect) & (SLG_BLOCK_SECTORS - 1)) {
		DMERR_LIMIT("%s: unaligned read at sector %llu (+%u)",
			    dm_table_device_name(sc->ti->table),
			    (unsigned long long)sector, nsect);
		return DM_MAPIO_KILL;
	}
	if (!nsect) {
		bio_endio(bio);
		return DM_MAPIO_SUBMITTED;
	}
	mutex_lock(&sc->lock);
	r = sl_engine_lookup(sc->eng, sector >> SLG_BLOCK_SECTORS_SHIFT,
			     nsect >> SLG_BLOCK_SECTORS_SHIFT, &p);
	if (!r && p.kind != SL_LOC_ZERO) {
		d = slg_dev(sc, p.dev);
		if (d) {
			pb->read_epoch = sc->read_epoch + 1;
			atomic_inc(&sc->reads[sc->read_epoch]);
		}
	}
	mutex_unlock(&sc->lock);
	if (r || !p.nblocks || (p.kind != SL_LOC_ZERO && !d)) {
		/* A killed bio never reaches ->end_io: uncount it here. */
		if (pb->read_epoch && atomic_dec_and_test(&sc->reads[pb->read_epoch - 1]))
			wake_up(&sc->reads_wq);
		pb->read_epoch = 0;
		DMERR_LIMIT("%s: lookup of block %llu failed: %d",
			    dm_table_device_name(sc->ti->table),
			    (unsigned long long)(sector >> SLG_BLOCK_SECTORS_SHIFT), r);
		return DM_MAPIO_KILL;
	}
	if (p.nblocks < (nsect >> SLG_BLOCK_SECTORS_SHIFT))
		dm_accept_partial_bio(bio, p.nblocks << SLG_BLOCK_SECTORS_SHIFT);
	if (p.kind == SL_LOC_ZERO) {
		zero_fill_bio(bio);
		bio_endio(bio);
		return DM_MAPIO_SUBMITTED;
	}
	if (p.kind == SL_LOC_SEG) {
		pb->leg_read = true;
		pb->leg = p.dev - SL_DEV_LEG(0);
		pb->dev_block = p.dev_block;
		pb->nblocks = p.nblocks;
		pb->iter = bio->bi_iter;
		pb->verify = sc->args.verify_reads;
		pb->verify_now = false;
		if (!slg_leg_readable(sc, pb->leg)) {
			/* Known lost: rebuild from the rest of the row, do not try the leg. */
			pb->degraded = true;
			slg_queue_degraded(sc, bio);
			return DM_MAPIO_SUBMITTED;
		}
	}
	bio_set_dev(bio, d->bdev);
	bio->bi_iter.bi_sector = p.dev_block << SLG_BLOCK_SECTORS_SHIFT;
	return DM_MAPIO_REMAPPED;
}

static int stripelog_map(struct dm_target *ti, struct bio *bio)
{
	struct stripelog_c *sc = ti->private;
	struct slg_bio *pb = dm_per_bio_data(bio, sizeof(struct slg_bio));

	pb->read_epoch = 0;
	pb->leg_read = false;
	pb->degraded = false;
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		return slg_map_read(sc, bio, pb);
	case REQ_OP_WRITE:
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		if (unlikely(slg_nr_failed(sc) > sc->args.m)) {
			DMERR_LIMIT("%s: write refused: %u capacity legs failed, the volume tolerates %u",
				    dm_table_device_name(ti->table), slg_nr_failed(sc),
				    sc->args.m);
			return DM_MAPIO_KILL;
		}
		return slg_queue_write(sc, bio);
	default:
		return DM_MAPIO_KILL;
	}
}

static int stripelog_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct stripelog_c *sc = ti->private;
	struct slg_bio *pb = dm_per_bio_data(bio, sizeof(struct slg_bio));

	if (pb->leg_read && *error && !pb->degraded) {
		/* The leg failed this read: rebuild it from the rest of its row. */
		slg_leg_failed(sc, pb->leg, "read");
		pb->degraded = true;
		slg_queue_degraded(sc, bio);
		return DM_ENDIO_INCOMPLETE;
	}
	if (pb->leg_read && !*error && pb->verify && !pb->degraded) {
		/* Check the data against the summary crcs in process context. */
		pb->degraded = true;
		pb->verify_now = true;
		slg_queue_degraded(sc, bio);
		return DM_ENDIO_INCOMPLETE;
	}
	if (pb->read_epoch) {
		if (*error)
			DMERR_LIMIT("%s: read from a backing device failed",
				    dm_table_device_name(ti->table));
		if (atomic_dec_and_test(&sc->reads[pb->read_epoch - 1]))
			wake_up(&sc->reads_wq);
		pb->read_epoch = 0;
	}
	return DM_ENDIO_DONE;
}

static const char *slg_state_name(struct stripelog_c *sc, u32 state)
{
	if (state == SL_STATE_FAIL || READ_ONCE(sc->perf_failed))
		return "fail";
	if (slg_nr_failed(sc) > sc->args.m)
		return "fail";
	if (READ_ONCE(sc->leg_failed) || READ_ONCE(sc->leg_rebuilding))
		return "degraded";
	return state == SL_STATE_RO ? "ro" : "rw";
}

static void stripelog_status(struct dm_target *ti, status_type_t type, unsigned int flags,
			     char *result, unsigned int maxlen)
{
	struct stripelog_c *sc = ti->private;
	const char *caps[SL_MAX_LEGS];
	unsigned int sz = 0;
	struct sl_status st;
	char legs[SL_MAX_LEGS + 1], rb[12];
	u32 i;

	switch (type) {
	case STATUSTYPE_INFO:
		if (READ_ONCE(sc->leg_rebuilding))
			snprintf(rb, sizeof(rb), "%u", sc->rebuild_leg);
		else
			strscpy(rb, "-", sizeof(rb));
		mutex_lock(&sc->lock);
		sl_engine_status(sc->eng, &st);
		mutex_unlock(&sc->lock);
		for (i = 0; i < sc->nr_legs; i++)
			legs[i] = test_bit(i, &sc->leg_failed) ? 'D' :
				  test_bit(i, &sc->leg_rebuilding) ? 'a' : 'A';
		legs[i] = 0;
		DMEMIT("%s %s log %llu/%llu segs %llu/%llu user_bytes_written %llu dev_bytes_written %llu flushes %llu batches %llu writes %llu destages %llu destage_errors %llu last_seq %llu degraded_reads %llu blocks_rebuilt %llu rebuild %s rebuild_segs %llu/%llu crc_errors %llu crc_repairs %llu ",
		       slg_state_name(sc, st.state), legs,
		       st.log_used, st.log_size, st.segs_used, st.segs_total,
		       st.user_bytes_written, st.dev_bytes_written, st.flushes, st.batches,
		       st.writes, st.destages,
		       (u64)atomic64_read(&sc->destage_errors), st.last_seq,
		       (u64)atomic64_read(&sc->degraded_reads),
		       (u64)atomic64_read(&sc->blocks_rebuilt), rb,
		       READ_ONCE(sc->leg_rebuilding) ? READ_ONCE(sc->rebuild_seg) : 0,
		       READ_ONCE(sc->leg_rebuilding) ? sc->geo.nr_segments : 0,
		       (u64)atomic64_read(&sc->crc_errors),
		       (u64)atomic64_read(&sc->crc_repairs));
		/* Metadata log and checkpoints (issue 5); "-" on old volumes. */
		if (st.mlog_size)
			DMEMIT("ckpt_gen %llu ckpt_mlog_pos %llu mlog %llu/%llu meta_bytes_written %llu checkpoints %llu recovery_meta_blocks %llu recovery %s",
			       st.ckpt_generation, st.ckpt_mlog_pos, st.mlog_used, st.mlog_size,
			       st.meta_bytes_written, st.checkpoints, st.recovery_meta_blocks,
			       st.recovery_scan ? "scan" : "ckpt");
		else
			DMEMIT("ckpt_gen - ckpt_mlog_pos - mlog - meta_bytes_written %llu checkpoints 0 recovery_meta_blocks %llu recovery scan",
			       st.meta_bytes_written, st.recovery_meta_blocks);
		break;
	case STATUSTYPE_TABLE:
		for (i = 0; i < sc->nr_legs; i++)
			caps[i] = sc->legs[i]->name;
		if (maxlen)
			sl_table_format(&sc->args, sc->perf->name, caps, result, maxlen);
		break;
	case STATUSTYPE_IMA:
		*result = 0;
		break;
	}
}

static int stripelog_message(struct dm_target *ti, unsigned int argc, char **argv,
			     char *result, unsigned int maxlen)
{
	struct stripelog_c *sc = ti->private;
	unsigned int sz = 0;
	struct sl_status st;

	if (argc == 1 && !strcasecmp(argv[0], "stats")) {
		mutex_lock(&sc->lock);
		sl_engine_status(sc->eng, &st);
		mutex_unlock(&sc->lock);
		DMEMIT("user_bytes_written %llu dev_bytes_written %llu flushes %llu batches %llu writes %llu destages %llu map_extents %llu last_seq %llu log_used %llu log_size %llu segs_used %llu segs_total %llu",
		       st.user_bytes_written, st.dev_bytes_written, st.flushes, st.batches,
		       st.writes, st.destages, st.map_extents, st.last_seq,
		       st.log_used, st.log_size, st.segs_used, st.segs_total);
		return 1;
	}
	if (argc == 1 && !strcasecmp(argv[0], "clear_stats")) {
		mutex_lock(&sc->lock);
		sl_engine_clear_stats(sc->eng);
		mutex_unlock(&sc->lock);
		atomic64_set(&sc->destage_errors, 0);
		return 0;
	}
	if (argc == 1 && !strcasecmp(argv[0], "checkpoint"))
		return slg_checkpoint_message(sc);
	if (argc == 2 && !strcasecmp(argv[0], "rebuild")) {
		u32 leg;

		if (kstrtou32(argv[1], 10, &leg)) {
			DMERR_LIMIT("%s: rebuild: '%s' is not a leg number",
				    dm_table_device_name(ti->table), argv[1]);
			return -EINVAL;
		}
		return slg_rebuild_start(sc, leg);
	}
	DMERR_LIMIT("%s: unknown message '%s' (%u words); try 'stats', 'clear_stats', 'checkpoint' or 'rebuild <leg>'",
		    dm_table_device_name(ti->table), argc ? argv[0] : "", argc);
	return -EINVAL;
}

static int stripelog_iterate_devices(struct dm_target *ti, iterate_devices_callout_fn fn,
				     void *data)
{
	struct stripelog_c *sc = ti->private;
	u32 i;
	int r;

	r = fn(ti, sc->perf, 0, bdev_nr_sectors(sc->perf->bdev), data);
	for (i = 0; !r && i < sc->nr_legs; i++)
		r = fn(ti, sc->legs[i], 0, bdev_nr_sectors(sc->legs[i]->bdev), data);
	return r;
}

static void stripelog_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	struct stripelog_c *sc = ti->private;

	limits->logical_block_size = SLG_BLOCK_SIZE;
	limits->physical_block_size = SLG_BLOCK_SIZE;
	blk_limits_io_min(limits, SLG_BLOCK_SIZE);
	blk_limits_io_opt(limits, sc->geo.stripe_unit_blocks * sc->geo.k * SLG_BLOCK_SIZE);
	if (sc->args.discard) {
		limits->discard_granularity = SLG_BLOCK_SIZE;
		limits->discard_alignment = 0;
		limits->max_discard_sectors = SLG_MAX_DISCARD_SECTORS;
		limits->max_hw_discard_sectors = SLG_MAX_DISCARD_SECTORS;
		limits->max_write_zeroes_sectors = 0;
	}
}

static void stripelog_postsuspend(struct dm_target *ti)
{
	struct stripelog_c *sc = ti->private;

	/* Every user bio has completed; let a running destage finish, start none. */
	WRITE_ONCE(sc->suspended, true);
	flush_delayed_work(&sc->gc_work);
	cancel_delayed_work_sync(&sc->rebuild_work);
	flush_workqueue(sc->destage_wq);
	flush_workqueue(sc->wq);
}

static void stripelog_resume(struct dm_target *ti)
{
	struct stripelog_c *sc = ti->private;

	WRITE_ONCE(sc->suspended, false);
	queue_work(sc->destage_wq, &sc->destage_work);
	if (READ_ONCE(sc->leg_rebuilding))
		queue_delayed_work(sc->destage_wq, &sc->rebuild_work, 0);
}

static struct target_type stripelog_target = {
	.name = "stripelog",
	.version = {0, 2, 0},
	.module = THIS_MODULE,
	.ctr = stripelog_ctr,
	.dtr = stripelog_dtr,
	.map = stripelog_map,
	.end_io = stripelog_end_io,
	.status = stripelog_status,
	.message = stripelog_message,
	.iterate_devices = stripelog_iterate_devices,
	.io_hints = stripelog_io_hints,
	.postsuspend = stripelog_postsuspend,
	.resume = stripelog_resume,
};

static int __init dm_stripelog_init(void)
{
	int r = slg_crc_init();

	if (r)
		return r;
	r = dm_register_target(&stripelog_target);
	if (r) {
		DMERR("register failed %d", r);
		slg_crc_exit();
	}
	return r;
}

static void __exit dm_stripelog_exit(void)
{
	dm_unregister_target(&stripelog_target);
	slg_crc_exit();
}

module_init(dm_stripelog_init);
module_exit(dm_stripelog_exit);

MODULE_DESCRIPTION(DM_NAME " log-structured erasure-coded volume");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: crc32c crc32c_generic");
/* raid6_call / xor_blocks are real symbol dependencies (raid6_pq, xor). */
