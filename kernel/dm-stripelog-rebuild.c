// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: rebuild of a replaced capacity leg.
 *
 * `dmsetup message <vol> 0 rebuild <leg>` on a leg marked failed (an I/O
 * error, or a blank / unreadable device found at table load) starts it:
 *
 *  - the leg is marked "rebuilding" ('a' in the status, like dm-raid): new
 *    segment writes include it again, but nothing is read from it yet;
 *  - one segment per step, on the destage worker's ordered workqueue (so a
 *    step never runs concurrently with a destage that could rewrite the same
 *    segment): the summary is read (rebuilt if it lived on the leg), and if
 *    it is this volume's, every row the segment's last write filled gets the
 *    leg's chunk reconstructed from the other legs (data from the
 *    survivors, P/Q recomputed) and written;
 *  - steps are spaced by rebuild_delay_ms (table option, default 1 ms, at
 *    least one jiffy: user I/O and destages run in between) and progress is
 *    in the status line;
 *  - at the end the leg is flushed and only then its leg superblock is
 *    written (FUA): the leg becomes "in sync".
 *
 * Progress is not persisted.  A reload (or crash) before the end finds the
 * leg superblock still blank, so the leg is loaded as missing and the
 * rebuild must be started again, from segment 0: safe, because every chunk
 * is recomputed from the other legs and nothing is read from the leg until
 * its superblock says it is complete.
 */
#include <linux/vmalloc.h>

#include "dm-stripelog-glue.h"

/**
 * slg_rebuild_start - begin rebuilding capacity leg @leg
 * @sc: target
 * @leg: leg index from the message
 *
 * Return: 0, -EINVAL (no such leg, or the leg is not failed, or the volume
 * has no parity), -EBUSY (a rebuild is running).
 */
int slg_rebuild_start(struct stripelog_c *sc, u32 leg)
{
	const char *dev = dm_table_device_name(sc->ti->table);

	if (!sc->args.m || leg >= sc->nr_legs) {
		DMERR_LIMIT("%s: rebuild: no leg %u with parity to rebuild from", dev, leg);
		return -EINVAL;
	}
	if (READ_ONCE(sc->leg_rebuilding)) {
		DMERR_LIMIT("%s: rebuild: leg %u is being rebuilt already", dev, sc->rebuild_leg);
		return -EBUSY;
	}
	if (!test_bit(leg, &sc->leg_failed)) {
		DMERR_LIMIT("%s: rebuild: leg %u is not failed", dev, leg);
		return -EINVAL;
	}
	if (slg_nr_failed(sc) > sc->args.m) {
		DMERR_LIMIT("%s: rebuild: %u legs failed, more than parity can rebuild", dev,
			    slg_nr_failed(sc));
		return -EINVAL;
	}
	sc->rebuild_leg = leg;
	sc->rebuild_seg = 0;
	sc->rebuild_done_segs = 0;
	/* Order: rebuilding is set before failed is cleared, so the leg is never readable. */
	set_bit(leg, &sc->leg_rebuilding);
	smp_mb__after_atomic();
	clear_bit(leg, &sc->leg_failed);
	DMINFO("%s: rebuild of capacity leg %u (%s) started", dev, leg, sc->legs[leg]->name);
	queue_delayed_work(sc->destage_wq, &sc->rebuild_work, 0);
	return 0;
}

/* Is segment @seg's summary (read through reconstruction) this volume's? Rows in *@rows. */
static bool slg_rebuild_seg_rows(struct stripelog_c *sc, u64 seg, void *buf, u32 *rows)
{
	const struct sl_sb *sb = sl_engine_sb(sc->eng);
	const struct sl_geometry *g = &sc->geo;
	struct sl_sum_hdr h;
	u64 blk;
	u32 b, leg;

	for (b = 0; b < g->seg_sum_blocks; b++) {
		sl_seg_locate(g, seg, b, &leg, &blk);
		if (slg_dev_ops.read(sc, SL_DEV_LEG(leg), blk, 1,
				     (u8 *)buf + (size_t)b * SLG_BLOCK_SIZE))
			return false;
	}
	if (sl_sum_decode(buf, g->seg_sum_blocks, sl_seg_data_slots(g), g->nr_segments, &h, NULL))
		return false;
	if (memcmp(h.uuid, sb->uuid, SL_UUID_SIZE) || h.seg_index != seg)
		return false;
	*rows = sl_segimg_rows(&sc->stripe, h.sum_blocks, h.nr_data);
	return *rows <= sc->stripe.rows_per_seg;
}

/* Rebuild leg @leg's chunks of segment @seg.  Return 0 or -errno. */
static int slg_rebuild_segment(struct stripelog_c *sc, u32 leg, u64 seg, void *sum, void *chunk)
{
	const struct sl_stripe *st = &sc->stripe;
	u32 rows, row;
	u64 block;
	int r;

	if (!slg_rebuild_seg_rows(sc, seg, sum, &rows))
		return 0;	/* never written, or torn and ignored by recovery */
	for (row = 0; row < rows; row++) {
		block = sl_stripe_row_block(st, seg, row);
		r = slg_reconstruct(sc, leg, block, st->unit_blocks, chunk);
		if (r)
			return r;
		r = slg_io_sync(sc->io_client, sc->legs[leg], REQ_OP_WRITE, block, chunk,
				st->unit_blocks);
		if (r)
			return r;
	}
	sc->rebuild_done_segs++;
	return 0;
}

/* Flush the leg, then write its superblock: from now on it is in sync. */
static int slg_rebuild_finish(struct stripelog_c *sc, u32 leg, void *buf)
{
	struct sl_leg_sb lsb;
	int r;

	r = slg_flush_sync(sc->io_client, sc->legs[leg]);
	if (r)
		return r;
	sl_leg_sb_from_sb(sl_engine_sb(sc->eng), leg, &lsb);
	memset(buf, 0, SLG_BLOCK_SIZE);
	sl_leg_sb_encode(&lsb, buf);
	return slg_io_sync(sc->io_client, sc->legs[leg], REQ_OP_WRITE | REQ_FUA | REQ_SYNC,
			   SL_LEG_SB_BLOCK, buf, 1);
}

/**
 * slg_rebuild_work - one rebuild step (one segment), then requeue itself
 * @ws: stripelog_c.rebuild_work.work
 */
void slg_rebuild_work(struct work_struct *ws)
{
	struct stripelog_c *sc = container_of(to_delayed_work(ws), struct stripelog_c,
					      rebuild_work);
	const char *dev = dm_table_device_name(sc->ti->table);
	u32 leg = sc->rebuild_leg;
	void *sum, *chunk;
	int r = 0;

	if (READ_ONCE(sc->suspended) || !test_bit(leg, &sc->leg_rebuilding))
		return;		/* resume requeues a rebuild in progress */
	sum = kvmalloc(array_size(sc->geo.seg_sum_blocks, SLG_BLOCK_SIZE), GFP_NOIO);
	chunk = kvmalloc(array_size(sc->stripe.unit_blocks, SLG_BLOCK_SIZE), GFP_NOIO);
	if (!sum || !chunk) {
		r = -ENOMEM;
		goto out;
	}
	if (test_bit(leg, &sc->leg_failed)) {
		r = -EIO;	/* the new device failed too */
		goto out;
	}
	if (sc->rebuild_seg < sc->geo.nr_segments) {
		r = slg_rebuild_segment(sc, leg, sc->rebuild_seg, sum, chunk);
		if (!r)
			sc->rebuild_seg++;
		goto out;
	}
	r = slg_rebuild_finish(sc, leg, chunk);
	if (!r) {
		clear_bit(leg, &sc->leg_rebuilding);
		/* A header without the leg's stale bit now, not at the next destage. */
		mutex_lock(&sc->lock);
		sl_engine_request_header(sc->eng);
		mutex_unlock(&sc->lock);
		queue_work(sc->destage_wq, &sc->destage_work);
		DMINFO("%s: rebuild of capacity leg %u complete: %llu segments rebuilt", dev, leg,
		       (unsigned long long)sc->rebuild_done_segs);
	}
out:
	kvfree(sum);
	kvfree(chunk);
	if (r == -ENOMEM) {
		queue_delayed_work(sc->destage_wq, &sc->rebuild_work, HZ / 10);
		return;
	}
	if (r) {
		DMERR("%s: rebuild of capacity leg %u stopped at segment %llu: %d", dev, leg,
		      (unsigned long long)sc->rebuild_seg, r);
		set_bit(leg, &sc->leg_failed);
		clear_bit(leg, &sc->leg_rebuilding);
		return;
	}
	if (test_bit(leg, &sc->leg_rebuilding))
		queue_delayed_work(sc->destage_wq, &sc->rebuild_work,
				   max_t(unsigned long, 1, msecs_to_jiffies(sc->args.rebuild_delay_ms)));
}
