// SPDX-License-Identifier: GPL-2.0
/*
 * sl_volume.c - format a volume, and open one for the constructor: validate
 * the superblock and every leg (refuse, never overwrite, anything foreign),
 * format a zeroed perf device, then create the engine and recover.
 */
#include "sl_engine_int.h"

static int sl_vfail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

static void sl_sb_new(struct sl_sb *sb, const struct sl_geometry *geo)
{
	u32 i;

	memset(sb, 0, sizeof(*sb));
	sb->version = SL_FORMAT_VERSION;
	sb->geo = *geo;
	if (geo->mlog_blocks)
		sb->feat_incompat |= SL_FEAT_INCOMPAT_MLOG;
	sb->ctime = sl_now_seconds();
	sl_random_bytes(sb->uuid, SL_UUID_SIZE);
	for (i = 0; i < geo->k + geo->m; i++)
		sl_random_bytes(sb->leg_uuid[i], SL_UUID_SIZE);
}

static int sl_format_write(const struct sl_sb *sb, const struct sl_dev_ops *ops, void *ctx,
			   void *buf)
{
	struct sl_leg_sb lsb;
	struct sl_loghdr lh;
	u32 i;
	int err;

	/* Legs first: a crash mid-format leaves an unformatted perf device. */
	for (i = 0; i < sb->geo.k + sb->geo.m; i++) {
		sl_leg_sb_from_sb(sb, i, &lsb);
		sl_leg_sb_encode(&lsb, buf);
		err = ops->write(ctx, SL_DEV_LEG(i), SL_LEG_SB_BLOCK, 1, buf, false);
		if (!err)
			err = ops->flush(ctx, SL_DEV_LEG(i));
		if (err)
			return err;
	}
	memset(&lh, 0, sizeof(lh));
	memcpy(lh.uuid, sb->uuid, SL_UUID_SIZE);
	lh.generation = 1;
	lh.next_seg_seq = 1;
	lh.next_seg = 0;		/* the engine's first destage writes segment 0 */
	sl_loghdr_encode(&lh, buf);
	err = ops->write(ctx, SL_DEV_PERF, SL_LOGHDR_BLOCK0 + 1, 1, buf, false);
	if (err)
		return err;
	memset(buf, 0, SL_BLOCK_SIZE);
	err = ops->write(ctx, SL_DEV_PERF, SL_LOGHDR_BLOCK0, 1, buf, false);
	if (!err)
		err = sl_meta_format(sb, ops, ctx, buf);
	if (err)
		return err;
	err = ops->flush(ctx, SL_DEV_PERF);
	if (err)
		return err;
	sl_sb_encode(sb, buf);
	return ops->write(ctx, SL_DEV_PERF, SL_SB_BLOCK, 1, buf, true);
}

int sl_volume_format(const struct sl_format_params *fp, const struct sl_dev_ops *ops,
		     void *ctx, struct sl_sb *sb_out, const char **why)
{
	struct sl_geometry geo;
	struct sl_sb sb;
	void *buf;
	int err;

	err = sl_geometry_compute(fp, &geo, why);
	if (err)
		return err;
	sl_sb_new(&sb, &geo);
	buf = sl_alloc(SL_BLOCK_SIZE);
	if (!buf)
		return sl_vfail(why, "out of memory", -ENOMEM);
	err = sl_format_write(&sb, ops, ctx, buf);
	sl_free(buf);
	if (err)
		return sl_vfail(why, "I/O error while formatting", err);
	if (sb_out)
		*sb_out = sb;
	return 0;
}

static int sl_open_check_sb(const struct sl_open_params *p, const struct sl_sb *sb,
			    const char **why)
{
	const struct sl_geometry *g = &sb->geo;
	u32 i;

	if (g->k != p->table->k || g->m != p->table->m)
		return sl_vfail(why, "k/m in the table differ from the volume's superblock", -EINVAL);
	if (p->perf_blocks < g->perf_blocks)
		return sl_vfail(why, "performance device is smaller than when formatted", -EINVAL);
	for (i = 0; i < g->k + g->m; i++)
		if (p->leg_blocks[i] < g->leg_blocks)
			return sl_vfail(why, "capacity device is smaller than when formatted",
					-EINVAL);
	if (p->target_blocks > g->logical_blocks)
		return sl_vfail(why, "target length exceeds the volume's logical size", -EINVAL);
	return 0;
}

/*
 * Every leg must carry this volume's superblock for its index, except that up
 * to m legs may be unreadable or blank (zeroed block 0): a failed leg, or the
 * blank replacement of one, whose chunks parity rebuilds.  Those are returned
 * in *missing.  A superblock of another volume, index or geometry is always
 * refused: such a device is never written.
 */
static int sl_open_check_legs(const struct sl_sb *sb, const struct sl_dev_ops *ops, void *ctx,
			      void *buf, u32 *missing, const char **why)
{
	struct sl_leg_sb lsb;
	u32 i, nmiss = 0;
	int err;

	*missing = 0;
	for (i = 0; i < sb->geo.k + sb->geo.m; i++) {
		err = ops->read(ctx, SL_DEV_LEG(i), SL_LEG_SB_BLOCK, 1, buf);
		if (err || sl_block_is_zero(buf)) {
			*missing |= 1u << i;
			if (++nmiss > sb->geo.m)
				return sl_vfail(why, err ?
						"more capacity devices unreadable than the volume's parity (m) covers" :
						"capacity device is not formatted for this volume (more blank legs than m)",
						err ? err : -EINVAL);
			continue;
		}
		err = sl_leg_sb_decode(buf, &lsb, why);
		if (err)
			return err;
		err = sl_leg_sb_check(sb, &lsb, i, why);
		if (err)
			return err;
	}
	return 0;
}

static int sl_open_format(const struct sl_open_params *p, const struct sl_dev_ops *ops,
			  void *ctx, void *buf, struct sl_sb *sb, const char **why)
{
	struct sl_format_params fp;
	u32 i;
	int err;

	memset(&fp, 0, sizeof(fp));
	fp.perf_blocks = p->perf_blocks;
	fp.k = p->table->k;
	fp.m = p->table->m;
	fp.leg_blocks = p->leg_blocks[0];
	for (i = 1; i < fp.k + fp.m; i++)
		fp.leg_blocks = min_t(u64, fp.leg_blocks, p->leg_blocks[i]);
	fp.logical_blocks = p->target_blocks;
	fp.stripe_unit_blocks = p->table->stripe_unit_kb / 4;
	/* Never format over a capacity device that already belongs to a volume. */
	for (i = 0; i < fp.k + fp.m; i++) {
		err = ops->read(ctx, SL_DEV_LEG(i), SL_LEG_SB_BLOCK, 1, buf);
		if (err)
			return sl_vfail(why, "cannot read a capacity device", err);
		if (!sl_block_is_zero(buf))
			return sl_vfail(why,
					"perf device is blank but a capacity device is in use (zero it to reuse)",
					-EINVAL);
	}
	return sl_volume_format(&fp, ops, ctx, sb, why);
}

int sl_volume_open(const struct sl_open_params *p, const struct sl_dev_ops *ops, void *ctx,
		   struct sl_engine **out, struct sl_recovery_report *rep, const char **why)
{
	struct sl_recovery_report local;
	struct sl_engine *e;
	struct sl_sb sb;
	void *buf;
	bool formatted = false;
	u32 missing = 0;
	int err;

	rep = rep ? rep : &local;
	buf = sl_alloc(SL_BLOCK_SIZE);
	if (!buf)
		return sl_vfail(why, "out of memory", -ENOMEM);
	err = ops->read(ctx, SL_DEV_PERF, SL_SB_BLOCK, 1, buf);
	if (err) {
		sl_vfail(why, "cannot read the performance device superblock", err);
		goto out;
	}
	if (sl_block_is_zero(buf)) {
		err = sl_open_format(p, ops, ctx, buf, &sb, why);
		formatted = true;
	} else {
		err = sl_sb_decode(buf, &sb, why);
	}
	if (!err)
		err = sl_open_check_sb(p, &sb, why);
	if (!err)
		err = sl_open_check_legs(&sb, ops, ctx, buf, &missing, why);
	if (err)
		goto out;
	if (missing && p->legs_missing)
		p->legs_missing(ctx, &sb, missing);
	else if (missing) {
		err = sl_vfail(why, "a capacity device is unreadable or blank", -EINVAL);
		goto out;
	}
	err = sl_engine_create(&sb, p->table, &e);
	if (err) {
		sl_vfail(why, "cannot allocate the engine", err);
		goto out;
	}
	e->legs_cb = p->legs_missing;
	e->legs_known_missing = missing;
	err = sl_engine_recover(e, ops, ctx, rep, why);
	if (err) {
		sl_engine_destroy(e);
		goto out;
	}
	rep->formatted = formatted;
	rep->legs_missing = missing;
	*out = e;
out:
	sl_free(buf);
	return err;
}
