// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: map checkpoints in the target glue.
 *
 * The engine decides when a checkpoint is due (metadata log half full, a
 * destage waiting for metadata-log room, the `checkpoint` message, or a
 * recovery that had to scan segments) and encodes it; this file writes it to
 * its slot on the perf device with FUA and hands the result back.  It runs on
 * the destage worker, so a checkpoint never overlaps a destage (the engine
 * refuses one while a destage is in progress anyway).
 */
#include <linux/delay.h>

#include "dm-stripelog-glue.h"

/**
 * slg_checkpoint_run - write one checkpoint if the engine wants one
 * @sc: target
 *
 * The snapshot is taken under sc->lock (O(map extents)); the write happens
 * without it.  Reads keep flowing; writes queue behind the lock only while
 * the snapshot is encoded.
 *
 * Return: 0 when none was due, 1 after writing one, or a negative errno
 * (the volume has failed if the write failed).
 */
int slg_checkpoint_run(struct stripelog_c *sc)
{
	const char *dev = dm_table_device_name(sc->ti->table);
	struct sl_ckpt_io *ck;
	int r;

	mutex_lock(&sc->lock);
	if (!sl_engine_ckpt_wanted(sc->eng)) {
		mutex_unlock(&sc->lock);
		return 0;
	}
	r = sl_engine_ckpt_build(sc->eng, &ck);
	mutex_unlock(&sc->lock);
	if (r == -ENOMEM) {
		DMERR_LIMIT("%s: no memory for a checkpoint, retrying", dev);
		msleep(10);
		return 1;
	}
	if (r)
		return r == -EBUSY ? 0 : r;
	r = slg_dev_ops.write(sc, SL_DEV_PERF, ck->dev_block, ck->nr_blocks, ck->buf, true);
	if (r)
		DMERR_LIMIT("%s: checkpoint write failed: %d", dev, r);
	mutex_lock(&sc->lock);
	sl_engine_ckpt_done(sc->eng, ck, r);
	mutex_unlock(&sc->lock);
	return r ? r : 1;
}

/**
 * slg_checkpoint_message - the `checkpoint` message: write one now
 * @sc: target
 *
 * Return: 0 once it is on disk, -EOPNOTSUPP on a volume formatted without
 * a metadata log, -EAGAIN when the target is suspended, -EIO if it failed.
 */
int slg_checkpoint_message(struct stripelog_c *sc)
{
	struct sl_status st;
	u64 before;
	int r;

	mutex_lock(&sc->lock);
	sl_engine_status(sc->eng, &st);
	before = st.checkpoints;
	r = sl_engine_ckpt_request(sc->eng);
	mutex_unlock(&sc->lock);
	if (r) {
		DMERR_LIMIT("%s: checkpoint: this volume has no metadata log (formatted before checkpoints existed)",
			    dm_table_device_name(sc->ti->table));
		return r;
	}
	if (READ_ONCE(sc->suspended))
		return -EAGAIN;
	queue_work(sc->destage_wq, &sc->destage_work);
	flush_work(&sc->destage_work);
	mutex_lock(&sc->lock);
	sl_engine_status(sc->eng, &st);
	mutex_unlock(&sc->lock);
	if (st.state == SL_STATE_FAIL)
		return -EIO;
	return st.checkpoints > before ? 0 : -EAGAIN;
}
