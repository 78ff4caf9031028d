// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: the write path of the target glue.
 *
 * ->map only queues: every write, discard and flush goes on a lock-free list
 * and kicks the write worker (one ordered work item).  The worker does: take
 * the log records whose I/O completed, tell the engine, complete the user
 * bios the engine acknowledges (always in sequence order); copy the data of
 * the queued writes into pages of its own and compute the block crcs from
 * the copy (slg_prepare_data()), then move them into the engine; then let
 * the engine pack everything queued into new records (group commit: whatever
 * arrived while the worker was busy or earlier records were in flight shares
 * one log I/O) and submit them.  Large writes are copied and checksummed on
 * the crc workqueue instead, on every CPU at once.  A record is written as
 * one FUA write of its header block followed by the data of its writes: the
 * copies, which then stay with the record until destage (or, past the memory
 * bound, the user bio's own pages); a bio is split into a few only when it
 * runs out of vectors.
 *
 * Why the copy is made by the worker and not by the submitter: the submitter
 * (one fio thread, a filesystem's writeback) is usually the bottleneck, and
 * the worker runs on another CPU while it goes on submitting.  The worker is
 * deliberately not WQ_HIGHPRI: woken on the submitter's CPU it would preempt
 * the submitter at every write and serialise both on one CPU (measured:
 * 1.58x the IOPS at QD32 with the copy here and a normal-priority worker,
 * see Documentation/stripelog-admin.rst).
 */
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>

#include "dm-stripelog-glue.h"

/*
 * Per-block crc32c of a data write, computed as the core's sl_block_crc()
 * would on a contiguous copy (crc32c chains over the pieces of a block).
 */
static int slg_bio_crcs(struct bio *bio, u32 *crc, u32 nblocks)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	u32 blk = 0, fill = 0;
	u32 c = SL_CRC_SEED;

	bio_for_each_segment(bv, bio, iter) {
		u32 off = 0;

		while (off < bv.bv_len) {
			u32 n = min_t(u32, bv.bv_len - off, SLG_BLOCK_SIZE - fill);
			void *p;

			if (blk >= nblocks)
				return -EINVAL;
			p = kmap_local_page(bv.bv_page);
			c = sl_crc32c(c, p + bv.bv_offset + off, n);
			kunmap_local(p);
			off += n;
			fill += n;
			if (fill == SLG_BLOCK_SIZE) {
				crc[blk++] = c;
				c = SL_CRC_SEED;
				fill = 0;
			}
		}
	}
	return (blk == nblocks && !fill) ? 0 : -EINVAL;
}

/**
 * slg_mem_release - the engine no longer needs a block kept in memory
 * @ctx: target
 * @mem: page_address() of the page (sl_record_io.mem entry)
 */
void slg_mem_release(void *ctx, void *mem)
{
	struct stripelog_c *sc = ctx;

	free_page((unsigned long)mem);
	atomic_dec(&sc->mem_pages);
}

/* Free the data copy of a write that never made it into a record. */
static void slg_drop_pages(struct stripelog_c *sc, struct slg_bio *pb)
{
	while (pb->nr_pages)
		slg_mem_release(sc, page_address(pb->pages[--pb->nr_pages]));
}

/*
 * Copy a data write into pages of its own, one per block, and compute each
 * block's crc from the copy.  The record is then written from the copy (so
 * the crc always matches what reaches the log, even if the submitter changes
 * its buffer during the I/O) and the copy stays with the record until it is
 * destaged: destage needs no read back from the log and no second crc.
 * Bounded by sc->mem_max pages; returns false (nothing kept) when over the
 * bound or out of memory, and the caller falls back to slg_bio_crcs().
 */
static bool slg_copy_data(struct stripelog_c *sc, struct slg_bio *pb)
{
	struct bio *bio = pb->w.priv;
	u32 n = pb->w.nblocks, blk = 0, fill = 0;
	struct bvec_iter iter;
	struct bio_vec bv;
	u8 *dst = NULL;

	if (atomic_add_return(n, &sc->mem_pages) > sc->mem_max) {
		atomic_sub(n, &sc->mem_pages);
		return false;
	}
	for (pb->nr_pages = 0; pb->nr_pages < n; pb->nr_pages++) {
		pb->pages[pb->nr_pages] = alloc_page(GFP_NOIO | __GFP_NOWARN | __GFP_NORETRY);
		if (!pb->pages[pb->nr_pages])
			break;
	}
	if (pb->nr_pages < n) {
		atomic_sub(n - pb->nr_pages, &sc->mem_pages);
		slg_drop_pages(sc, pb);
		return false;
	}
	bio_for_each_segment(bv, bio, iter) {
		u32 off = 0;

		while (off < bv.bv_len) {
			u32 len = min_t(u32, bv.bv_len - off, SLG_BLOCK_SIZE - fill);

			if (blk >= n)
				goto bad;
			dst = page_address(pb->pages[blk]);
			memcpy_from_page(dst + fill, bv.bv_page, bv.bv_offset + off, len);
			off += len;
			fill += len;
			if (fill == SLG_BLOCK_SIZE) {
				pb->crc[blk++] = sl_block_crc(dst);
				fill = 0;
			}
		}
	}
	if (blk == n && !fill)
		return true;
bad:
	slg_drop_pages(sc, pb);
	pb->prep = -EINVAL;
	return false;
}

static bool slg_submit_record(struct stripelog_c *sc, struct sl_record_io *r);

/* Complete a write the engine refused (or that could not be parsed). */
static void slg_refuse(struct stripelog_c *sc, struct bio *bio, int err)
{
	struct slg_bio *pb = dm_per_bio_data(bio, sizeof(struct slg_bio));

	slg_drop_pages(sc, pb);

	DMERR_LIMIT("%s: write at block %llu refused: %d",
		    dm_table_device_name(sc->ti->table), (unsigned long long)pb->w.lba, err);
	bio->bi_status = errno_to_blk_status(err);
	bio_endio(bio);
}

/* Per-block crcs of a data write; -EINVAL for a malformed bio. */
static int slg_prepare_data(struct stripelog_c *sc, struct slg_bio *pb)
{
	struct sl_write *w = &pb->w;

	pb->nr_pages = 0;
	pb->prep = 0;
	if (!w->nblocks || (w->flags & SL_W_DISCARD))
		return 0;
	if (w->nblocks <= SLG_MAX_WRITE_BLOCKS && slg_copy_data(sc, pb)) {
		w->crc = pb->crc;
		return 0;
	}
	if (w->nblocks > SLG_MAX_WRITE_BLOCKS || pb->prep ||
	    slg_bio_crcs(w->priv, pb->crc, w->nblocks)) {
		DMERR_LIMIT("%s: malformed write of %u blocks",
			    dm_table_device_name(sc->ti->table), w->nblocks);
		return -EINVAL;
	}
	w->crc = pb->crc;
	return 0;
}

/* Put a write on sc->incoming and make sure the write worker will run. */
static void slg_enqueue(struct stripelog_c *sc, struct slg_bio *pb)
{
	if (llist_add(&pb->node, &sc->incoming)) {
		/* Group-commit window: let concurrent writes join this record. */
		if (sc->gc_delay)
			queue_delayed_work(sc->wq, &sc->gc_work, sc->gc_delay);
		else
			queue_work(sc->wq, &sc->write_work);
	}
}

/**
 * slg_queue_write - hand a write, discard or flush bio to the write path
 * @sc: target
 * @bio: the bio (its per-bio data holds the engine's struct sl_write)
 *
 * Called from ->map.  The bio goes on sc->incoming, a lock-free list, and
 * the write worker takes everything that arrived since its last run into the
 * engine at once: that is where group commit comes from.  The worker also
 * makes the data copy and its crcs; a large write gets them on the crc
 * workqueue first, so that one submitter's large writes are checksummed on
 * every CPU at once (they may then reach the log in another order, which
 * concurrent writes may).
 * Return: DM_MAPIO_SUBMITTED.
 */
int slg_queue_write(struct stripelog_c *sc, struct bio *bio)
{
	struct slg_bio *pb = dm_per_bio_data(bio, sizeof(struct slg_bio));
	struct sl_write *w = &pb->w;
	sector_t sector = dm_target_offset(sc->ti, bio->bi_iter.bi_sector);
	u32 nsect = bio_sectors(bio);

	memset(w, 0, sizeof(*w));
	w->priv = bio;
	pb->prepared = false;
	if ((sector | nsect) & (SLG_BLOCK_SECTORS - 1)) {
		DMERR_LIMIT("%s: unaligned request at sector %llu (+%u)",
			    dm_table_device_name(sc->ti->table),
			    (unsigned long long)sector, nsect);
		bio_io_error(bio);
		return DM_MAPIO_SUBMITTED;
	}
	w->lba = sector >> SLG_BLOCK_SECTORS_SHIFT;
	w->nblocks = nsect >> SLG_BLOCK_SECTORS_SHIFT;
	if (bio_op(bio) == REQ_OP_DISCARD || bio_op(bio) == REQ_OP_WRITE_ZEROES) {
		w->flags = SL_W_DISCARD;
	} else {
		if (bio->bi_opf & REQ_PREFLUSH)
			w->flags |= SL_W_FLUSH;
		if (bio->bi_opf & REQ_FUA)
			w->flags |= SL_W_FUA;
	}

	if (w->nblocks >= SLG_CRC_WQ_BLOCKS && !(w->flags & SL_W_DISCARD) &&
	    num_online_cpus() > 1) {
		pb->sc = sc;
		INIT_WORK(&pb->crc_work, slg_crc_work);
		queue_work(sc->crc_wq, &pb->crc_work);
		return DM_MAPIO_SUBMITTED;
	}
	slg_enqueue(sc, pb);
	return DM_MAPIO_SUBMITTED;
}

/**
 * slg_crc_work - copy and checksum one large write, then queue it
 * @ws: slg_bio.crc_work
 */
void slg_crc_work(struct work_struct *ws)
{
	struct slg_bio *pb = container_of(ws, struct slg_bio, crc_work);

	pb->prep = slg_prepare_data(pb->sc, pb);
	pb->prepared = true;
	if (pb->prep) {
		bio_io_error(pb->w.priv);	/* malformed: logged */
		return;
	}
	slg_enqueue(pb->sc, pb);
}

/*
 * Move everything ->map queued into the engine, in arrival order: first the
 * data copies and crcs of the writes that do not have them yet (outside the
 * engine lock), then sl_engine_submit() for each.
 */
static void slg_take_incoming(struct stripelog_c *sc)
{
	struct llist_node *in = llist_reverse_order(llist_del_all(&sc->incoming));
	struct slg_bio *pb, *tmp;
	struct bio_list done, refused;
	struct bio *bio;

	if (!in)
		return;
	bio_list_init(&done);
	bio_list_init(&refused);
	llist_for_each_entry(pb, in, node) {
		if (!pb->prepared) {
			pb->prep = slg_prepare_data(sc, pb);
			pb->prepared = true;
		}
	}
	mutex_lock(&sc->lock);
	llist_for_each_entry_safe(pb, tmp, in, node) {
		int r;

		bio = pb->w.priv;
		if (pb->prep) {
			/* malformed (logged): fails alone, nothing reaches the engine */
			bio->bi_status = errno_to_blk_status(pb->prep);
			bio_list_add(&done, bio);
			continue;
		}
		r = sl_engine_submit(sc->eng, &pb->w);
		if (r == SL_SUBMIT_QUEUED)
			continue;
		if (r == SL_SUBMIT_DONE) {
			bio_list_add(&done, bio);
		} else {
			pb->prep = r < 0 ? r : -EIO;
			bio_list_add(&refused, bio);
		}
	}
	mutex_unlock(&sc->lock);
	while ((bio = bio_list_pop(&done)))
		bio_endio(bio);
	while ((bio = bio_list_pop(&refused)))
		slg_refuse(sc, bio, ((struct slg_bio *)dm_per_bio_data(bio,
				sizeof(struct slg_bio)))->prep);
}

static void slg_record_endio(struct bio *bio)
{
	struct slg_record *rec = bio->bi_private;
	struct stripelog_c *sc = rec->sc;

	if (bio->bi_status)
		cmpxchg(&rec->error, 0, blk_status_to_errno(bio->bi_status));
	bio_put(bio);
	if (atomic_dec_and_test(&rec->pending)) {
		llist_add(&rec->node, &sc->done);
		queue_work(sc->wq, &sc->write_work);
	}
}

static struct bio *slg_record_bio(struct stripelog_c *sc, struct slg_record *rec,
				  sector_t sector, unsigned int nr_vecs)
{
	struct bio *bio;

	bio = bio_alloc_bioset(sc->perf->bdev, min_t(unsigned int, nr_vecs, BIO_MAX_VECS),
			       REQ_OP_WRITE | REQ_FUA | REQ_SYNC, GFP_NOIO, &sc->bs);
	bio->bi_iter.bi_sector = sector;
	bio->bi_end_io = slg_record_endio;
	bio->bi_private = rec;
	atomic_inc(&rec->pending);
	return bio;
}

static struct page *slg_virt_page(void *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/*
 * Add one page piece to the record's current bio; when the bio is full,
 * submit it and continue in a new one right after it on the device.
 */
static struct bio *slg_record_add(struct stripelog_c *sc, struct slg_record *rec,
				  struct bio *bio, struct page *page, unsigned int len,
				  unsigned int off, unsigned int vecs_left)
{
	while (bio_add_page(bio, page, len, off) != len) {
		sector_t next = bio_end_sector(bio);

		submit_bio(bio);
		bio = slg_record_bio(sc, rec, next, vecs_left);
	}
	return bio;
}

/**
 * slg_submit_record - write one engine record to the perf device
 * @sc: target
 * @r: the record (header block + the data of its writes, in list order)
 *
 * Every bio of the record carries REQ_FUA: the record is stable when all of
 * them complete, and only then does the engine hear about it.
 *
 * Return: true when every bio completed before this returned: the record
 * is on stripelog_c.done, nobody else was told, and the caller reaps it
 * (slg_reap()) or kicks the write worker.  False: the last ->bi_end_io
 * kicks the write worker.
 */
static bool slg_submit_record(struct stripelog_c *sc, struct sl_record_io *r)
{
	struct slg_record *rec = mempool_alloc(&sc->rec_pool, GFP_NOIO);
	unsigned int vecs = 1;
	struct sl_list *n;
	u32 off = 0;
	struct bio *bio;

	rec->sc = sc;
	rec->r = r;
	rec->error = 0;
	atomic_set(&rec->pending, 1);
	atomic_inc(&sc->inflight_recs);

	for (n = r->writes.next; n != &r->writes; n = n->next) {
		struct sl_write *w = sl_container_of(n, struct sl_write, node);
		struct slg_bio *pb = sl_container_of(w, struct slg_bio, w);

		if (!w->nblocks || (w->flags & SL_W_DISCARD))
			continue;
		vecs += pb->nr_pages ? pb->nr_pages : bio_segments((struct bio *)w->priv);
	}
	bio = slg_record_bio(sc, rec, r->dev_block << SLG_BLOCK_SECTORS_SHIFT, vecs);
	bio = slg_record_add(sc, rec, bio, slg_virt_page(r->hdr), SLG_BLOCK_SIZE,
			     offset_in_page(r->hdr), vecs);
	vecs--;
	for (n = r->writes.next; n != &r->writes; n = n->next) {
		struct sl_write *w = sl_container_of(n, struct sl_write, node);
		struct slg_bio *pb = sl_container_of(w, struct slg_bio, w);
		struct bio *ubio = w->priv;
		struct bvec_iter iter;
		struct bio_vec bv;
		u32 i;

		if (!w->nblocks || (w->flags & SL_W_DISCARD))
			continue;
		if (pb->nr_pages) {
			/* Written from the copy, which the engine keeps from now on. */
			for (i = 0; i < pb->nr_pages; i++) {
				bio = slg_record_add(sc, rec, bio, pb->pages[i], SLG_BLOCK_SIZE, 0,
						     vecs);
				vecs--;
				r->mem[off + i] = page_address(pb->pages[i]);
			}
			pb->nr_pages = 0;
			off += w->nblocks;
			continue;
		}
		off += w->nblocks;
		bio_for_each_segment(bv, ubio, iter) {
			bio = slg_record_add(sc, rec, bio, bv.bv_page, bv.bv_len,
					     bv.bv_offset, vecs);
			vecs--;
		}
	}
	submit_bio(bio);
	if (atomic_dec_and_test(&rec->pending)) {
		llist_add(&rec->node, &sc->done);
		return true;
	}
	return false;
}

static void slg_ack(struct stripelog_c *sc, struct sl_list *acked)
{
	while (!sl_list_empty(acked)) {
		struct sl_write *w = sl_container_of(acked->next, struct sl_write, node);
		struct bio *bio = w->priv;

		sl_list_del(&w->node);
		/* A write failed before it reached a record still has its copy. */
		slg_drop_pages(sc, sl_container_of(w, struct slg_bio, w));
		if (w->error)
			bio->bi_status = errno_to_blk_status(w->error);
		bio_endio(bio);
	}
}

static void slg_write_run(struct stripelog_c *sc);

/**
 * slg_fail_queued - complete every write still waiting for a record with @err
 * @sc: target
 * @err: -EIO (failed volume) or -ENOSPC (log full and no segment to free)
 */
void slg_fail_queued(struct stripelog_c *sc, int err)
{
	struct sl_list acked;

	sl_list_init(&acked);
	mutex_lock(&sc->lock);
	sl_engine_fail_queued(sc->eng, err, &acked);
	mutex_unlock(&sc->lock);
	slg_ack(sc, &acked);
}

/**
 * slg_gc_work - the write worker, started after the group-commit window
 * @ws: stripelog_c.gc_work.work
 */
void slg_gc_work(struct work_struct *ws)
{
	slg_write_run(container_of(to_delayed_work(ws), struct stripelog_c, gc_work));
}

/**
 * slg_write_work - the write worker: completions, acknowledgements, new records
 * @ws: stripelog_c.write_work
 *
 * Runs on an ordered workqueue, so never concurrently with itself.
 */
void slg_write_work(struct work_struct *ws)
{
	slg_write_run(container_of(ws, struct stripelog_c, write_work));
}

/*
 * Tell the engine about the records whose I/O completed (sc->done) and
 * complete the user bios it acknowledges (in sequence order).
 */
static void slg_reap(struct stripelog_c *sc)
{
	struct llist_node *done = llist_reverse_order(llist_del_all(&sc->done));
	struct slg_record *rec, *tmp;
	struct sl_list acked;

	if (!done)
		return;
	sl_list_init(&acked);
	mutex_lock(&sc->lock);
	llist_for_each_entry_safe(rec, tmp, done, node) {
		if (rec->error) {
			WRITE_ONCE(sc->perf_failed, true);
			DMERR_LIMIT("%s: log write at block %llu failed: %d",
				    dm_table_device_name(sc->ti->table),
				    (unsigned long long)rec->r->dev_block, rec->error);
		}
		sl_engine_record_done(sc->eng, rec->r, rec->error, &acked);
		atomic_dec(&sc->inflight_recs);
		mempool_free(rec, &sc->rec_pool);
	}
	mutex_unlock(&sc->lock);
	slg_ack(sc, &acked);
}

/* Rounds of the write worker before it yields to a fresh run of itself. */
#define SLG_WRITE_ROUNDS	32

static void slg_write_run(struct stripelog_c *sc)
{
	struct sl_record_io *batch[16];
	unsigned int nr, i, rounds = 0;
	bool want_destage, reaped;
	int r;

again:
	reaped = false;
	slg_reap(sc);
	slg_take_incoming(sc);
	do {
		nr = 0;
		r = 0;
		mutex_lock(&sc->lock);
		while (nr < ARRAY_SIZE(batch)) {
			/* Few records in flight: the rest wait and share the next one. */
			if (atomic_read(&sc->inflight_recs) + nr >= SLG_MAX_INFLIGHT_RECORDS) {
				r = -EAGAIN;
				break;
			}
			r = sl_engine_build_record(sc->eng, &batch[nr]);
			if (r)
				break;
			nr++;
		}
		want_destage = r == -ENOSPC || sl_engine_destage_wanted(sc->eng);
		WRITE_ONCE(sc->log_full, r == -ENOSPC);
		mutex_unlock(&sc->lock);
		for (i = 0; i < nr; i++)
			reaped |= slg_submit_record(sc, batch[i]);
	} while (nr == ARRAY_SIZE(batch));

	if (r == -EIO)
		slg_fail_queued(sc, -EIO);	/* failed volume: nothing may wait */
	if (r == -ENOMEM) {
		/* Out of memory for a record: try again shortly, writes wait. */
		DMERR_LIMIT("%s: no memory for a log record, retrying",
			    dm_table_device_name(sc->ti->table));
		queue_work(sc->wq, &sc->write_work);
	}
	if (want_destage && !READ_ONCE(sc->suspended))
		queue_work(sc->destage_wq, &sc->destage_work);
	/*
	 * Records that completed while being submitted (a fast device) are
	 * reaped here and now rather than by another run of this work item:
	 * their writes are acknowledged sooner and the next batch goes out.
	 */
	if (reaped) {
		if (++rounds < SLG_WRITE_ROUNDS) {
			cond_resched();
			goto again;
		}
		queue_work(sc->wq, &sc->write_work);
	}
}
