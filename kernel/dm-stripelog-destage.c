// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: the destage worker of the target glue.
 *
 * Runs the engine's destage plan with synchronous dm-io on its own ordered
 * workqueue: take the live log blocks from memory (or read those not kept
 * there into the bank and hand their crcs to the engine, which checks them),
 * let the engine seal the summary, write the blocks and the summary to the
 * capacity leg(s) as full stripes, flush every leg, let
 * the engine point the map at the segment, write the new log header with FUA,
 * and finally let the engine release the log space.  Reads that looked up a
 * location before a plan are waited for (slg_wait_reads) before the plan's
 * writes may overwrite a freed segment and before log space is released.
 */
#include <linux/vmalloc.h>
#include <linux/delay.h>
#include <linux/raid/pq.h>
#include <linux/raid/xor.h>

#include "dm-stripelog-glue.h"

/**
 * slg_wait_reads - wait for reads issued from earlier map lookups
 * @sc: target
 *
 * Reads count themselves in the current epoch under sc->lock when they look
 * up their location.  Flipping the epoch under the same lock and waiting for
 * the old epoch to drain guarantees no read still uses a location the engine
 * gave out before this call.  Only the destage worker calls this (ordered).
 */
void slg_wait_reads(struct stripelog_c *sc)
{
	u32 old;

	mutex_lock(&sc->lock);
	old = sc->read_epoch;
	sc->read_epoch = old ^ 1;
	mutex_unlock(&sc->lock);
	wait_event(sc->reads_wq, !atomic_read(&sc->reads[old]));
}

/* Copies [i, j) not kept in memory and contiguous on one device: one read. */
static u32 slg_src_run(const struct sl_destage *d, u32 i)
{
	u32 j = i + 1;

	while (j < d->nr_copies && !d->copies[j].mem &&
	       d->copies[j].src_dev == d->copies[i].src_dev &&
	       d->copies[j].src_block == d->copies[j - 1].src_block + 1)
		j++;
	return j;
}

/**
 * slg_parity - compute the parity chunks of one stripe row (or column)
 * @st: stripe geometry (m >= 1)
 * @ptrs: k data chunks then P (and Q), in sl_ec order
 * @len: bytes per chunk
 *
 * m = 2 uses lib/raid6's raid6_call.gen_syndrome(); m = 1 is P = D0 ^ ...
 * with xor_blocks(), which takes at most MAX_XOR_BLOCKS sources per call.
 * k = 1 is a mirror (P = Q = D0): a copy.  Used by destage (whole rows) and
 * by degraded reads (one 4 KiB column).
 */
void slg_parity(const struct sl_stripe *st, void **ptrs, size_t len)
{
	u32 i, n;

	if (st->m == 2 && st->k >= 2) {
		raid6_call.gen_syndrome(st->k + 2, len, ptrs);
		return;
	}
	memcpy(ptrs[st->k], ptrs[0], len);
	for (i = 1; i < st->k; i += n) {
		n = min_t(u32, st->k - i, MAX_XOR_BLOCKS);
		xor_blocks(n, len, ptrs[st->k], &ptrs[i]);
	}
	if (st->m == 2)
		memcpy(ptrs[st->k + 1], ptrs[0], len);	/* k = 1: Q = D0 */
}

/**
 * slg_gen_parity - compute the parity chunks of every row of a segment image
 * @sc: target
 * @seg: segment (decides the rotation of each row)
 * @rows: rows in @img
 * @img: image from sl_segimg_fill(); its parity chunks are overwritten
 *
 * Each row goes through slg_parity() with its chunks in sl_ec order.  The
 * core's sl_ec_gen() computes the same bytes; `stripelog check` verifies it
 * does.
 */
static void slg_gen_parity(struct stripelog_c *sc, u64 seg, u32 rows, void *img)
{
	const struct sl_stripe *st = &sc->stripe;
	size_t len = sl_segimg_leg_bytes(st, 1);
	void *ptrs[SL_MAX_LEGS];
	u32 row;

	if (!st->m)
		return;
	for (row = 0; row < rows; row++) {
		sl_segimg_row_ptrs(st, seg, rows, img, row, ptrs);
		slg_parity(st, ptrs, len);
	}
}

/**
 * slg_write_image - write a sealed plan as full stripe rows on every leg
 * @sc: target
 * @d: the sealed plan (summary encoded, bank filled in slot order)
 *
 * Lays the summary and the bank out as d->rows rows (sl_segimg_fill()),
 * computes each row's parity, then writes each leg's part of the rows with
 * one I/O.  A full-stripe write: nothing is read back, no read-modify-write.
 * Failed legs are skipped, and a leg whose write fails is marked failed: the
 * segment is still complete as long as at most m legs are missing (their
 * chunks are rebuilt from parity when read, and by `rebuild`).
 *
 * Return: 0, or an error once more than m legs have failed.
 */
static int slg_write_image(struct stripelog_c *sc, struct sl_destage *d)
{
	const struct sl_stripe *st = &sc->stripe;
	u64 block = sl_stripe_row_block(st, d->seg_index, 0);
	u32 leg, nblocks = d->rows * st->unit_blocks;
	int r;

	if (!d->rows || d->rows > st->rows_per_seg) {
		DMERR_LIMIT("%s: destage plan of %u rows for a %u-row segment",
			    dm_table_device_name(sc->ti->table), d->rows, st->rows_per_seg);
		return -EINVAL;
	}
	slg_sumcache_forget(sc, d->seg_index);
	sl_segimg_fill_slots(st, d->seg_index, d->rows, d->summary, d->sum_blocks, sc->slots,
			     d->nr_copies, sc->img);
	slg_gen_parity(sc, d->seg_index, d->rows, sc->img);
	for (leg = 0; leg < st->n; leg++) {
		/* A failed leg's chunks are written nowhere: parity covers them. */
		if (test_bit(leg, &sc->leg_failed))
			continue;
		r = slg_dev_ops.write(sc, SL_DEV_LEG(leg), block, nblocks,
				      sl_segimg_chunk(st, d->rows, sc->img, leg, 0), false);
		if (r && slg_nr_failed(sc) > st->m)
			return r;
	}
	return slg_nr_failed(sc) > st->m ? -EIO : 0;
}

/**
 * slg_destage_copy - move a plan's blocks and summary to the capacity legs
 * @sc: target
 * @d: the plan
 *
 * Blocks still kept in memory (copies[i].mem, the usual case) are used from
 * there: no read, no crc (the record's crc goes into the summary).  Every
 * other source (a record replayed by recovery or written while the memory
 * bound was reached, a block of a cleaned segment) is read into the bank and
 * its crc stored in the copy.  Then the engine seals the plan (crc check of
 * the blocks read from the log, summary encode), and the rows the plan fills
 * are written as full stripes (slg_write_image()) and every leg flushed.
 *
 * Return: 0 when every copy, the summary and the leg flushes succeeded.
 */
static int slg_destage_copy(struct stripelog_c *sc, struct sl_destage *d)
{
	const struct sl_dev_ops *ops = &slg_dev_ops;
	u32 i, j;
	int r;

	if (d->nr_copies > sc->bank_blocks) {
		DMERR_LIMIT("%s: destage plan of %u blocks exceeds the bank (%u)",
			    dm_table_device_name(sc->ti->table), d->nr_copies, sc->bank_blocks);
		return -EINVAL;
	}
	for (i = 0; i < d->nr_copies; i = j) {
		if (d->copies[i].mem) {
			sc->slots[i] = d->copies[i].mem;
			j = i + 1;
			continue;
		}
		j = slg_src_run(d, i);
		r = ops->read(sc, d->copies[i].src_dev, d->copies[i].src_block, j - i,
			      sc->bank + (size_t)i * SLG_BLOCK_SIZE);
		if (r)
			return r;
		for (; i < j; i++) {
			sc->slots[i] = sc->bank + (size_t)i * SLG_BLOCK_SIZE;
			d->copies[i].crc = sl_block_crc(sc->slots[i]);
		}
	}
	mutex_lock(&sc->lock);
	r = sl_engine_destage_seal(sc->eng, d);
	mutex_unlock(&sc->lock);
	if (r) {
		DMERR_LIMIT("%s: a log block fails its record crc during destage of segment %llu",
			    dm_table_device_name(sc->ti->table),
			    (unsigned long long)d->seg_index);
		return r;
	}
	if (!d->sum_blocks)
		return 0;	/* header-only destage: nothing live to move */
	/* The segment's metadata batch is stable before any of its blocks. */
	if (d->mlog_blocks) {
		r = ops->write(sc, SL_DEV_PERF, d->mlog_block, d->mlog_blocks, d->mlog, true);
		if (r)
			return r;
	}
	r = slg_write_image(sc, d);
	if (r)
		return r;
	for (i = 0; i < sc->nr_legs; i++) {
		if (test_bit(i, &sc->leg_failed))
			continue;
		r = ops->flush(sc, SL_DEV_LEG(i));
		if (r && slg_nr_failed(sc) > sc->stripe.m)
			return r;
	}
	return slg_nr_failed(sc) > sc->stripe.m ? -EIO : 0;
}

/**
 * slg_destage_work - run destage plans while the engine wants them
 * @ws: stripelog_c.destage_work
 */
void slg_destage_work(struct work_struct *ws)
{
	struct stripelog_c *sc = container_of(ws, struct stripelog_c, destage_work);
	const char *dev = dm_table_device_name(sc->ti->table);
	struct sl_destage *d;
	int r;

	while (!READ_ONCE(sc->suspended)) {
		r = slg_checkpoint_run(sc);
		if (r < 0) {
			slg_fail_queued(sc, -EIO);	/* the volume has failed */
			break;
		}
		if (r)
			continue;
		mutex_lock(&sc->lock);
		r = sl_engine_destage_plan(sc->eng, &d);
		mutex_unlock(&sc->lock);
		if (r == -ENOSPC) {
			DMERR_LIMIT("%s: no free segment: volume full until space is discarded",
				    dev);
			/* Writes that wait for log space would wait forever. */
			if (READ_ONCE(sc->log_full))
				slg_fail_queued(sc, -ENOSPC);
			break;
		}
		if (r == -ENOMEM) {
			DMERR_LIMIT("%s: no memory for a destage plan, retrying", dev);
			msleep(10);
			continue;
		}
		if (r)
			break;

		/* The plan may reuse a segment an earlier read still reads. */
		slg_wait_reads(sc);
		r = slg_destage_copy(sc, d);
		if (r) {
			atomic64_inc(&sc->destage_errors);
			DMERR_LIMIT("%s: destage of segment %llu failed: %d", dev,
				    (unsigned long long)d->seg_index, r);
		}
		mutex_lock(&sc->lock);
		/* The header this writes must name every leg that misses chunks. */
		sl_engine_set_stale_legs(sc->eng, READ_ONCE(sc->leg_failed) |
					 READ_ONCE(sc->leg_rebuilding));
		sl_engine_destage_written(sc->eng, d, r);
		mutex_unlock(&sc->lock);
		if (!r) {
			r = slg_dev_ops.write(sc, SL_DEV_PERF, d->loghdr_block, 1, d->loghdr, true);
			if (r) {
				atomic64_inc(&sc->destage_errors);
				DMERR_LIMIT("%s: log header write failed: %d", dev, r);
			}
		}
		/* Reads that found the destaged blocks in the log must finish first. */
		slg_wait_reads(sc);
		mutex_lock(&sc->lock);
		sl_engine_destage_done(sc->eng, d, r);
		mutex_unlock(&sc->lock);
		/* Log space is free again: writes waiting for it can go on. */
		queue_work(sc->wq, &sc->write_work);
		if (r) {
			slg_fail_queued(sc, -EIO);	/* the volume has failed */
			break;
		}
		mutex_lock(&sc->lock);
		r = sl_engine_destage_wanted(sc->eng) || sl_engine_ckpt_wanted(sc->eng);
		mutex_unlock(&sc->lock);
		if (!r)
			break;
	}
}
