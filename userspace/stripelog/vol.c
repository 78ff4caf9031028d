// SPDX-License-Identifier: GPL-2.0
/* stripelog CLI: open an offline volume (superblock + log header slots). */
#include "slc.h"
#include <stdlib.h>
#include <string.h>

int slc_vol_open(struct slc_vol *v, const char *perf, u32 nlegs, char **legs, const char **why)
{
	u8 *buf;
	u32 i;

	memset(v, 0, sizeof(*v));
	v->best = -1;
	if (slc_devs_open(&v->d, perf, nlegs, legs, false)) {
		*why = "cannot open the devices";
		return -EIO;
	}
	buf = malloc(SL_BLOCK_SIZE);
	if (!buf || slc_dev_ops.read(&v->d, SL_DEV_PERF, SL_SB_BLOCK, 1, buf)) {
		free(buf);
		slc_devs_close(&v->d);
		*why = "cannot read the superblock";
		return -EIO;
	}
	if (sl_block_is_zero(buf)) {
		free(buf);
		slc_devs_close(&v->d);
		*why = "the perf device is blank (not formatted)";
		return -EINVAL;
	}
	if (sl_sb_decode(buf, &v->sb, why)) {
		free(buf);
		slc_devs_close(&v->d);
		return -EINVAL;
	}
	for (i = 0; i < SL_NR_LOGHDR_SLOTS; i++) {
		v->lh_why[i] = "ok";
		v->lh_err[i] = slc_dev_ops.read(&v->d, SL_DEV_PERF, SL_LOGHDR_BLOCK0 + i, 1, buf);
		if (!v->lh_err[i])
			v->lh_err[i] = sl_loghdr_decode(buf, &v->lh[i], &v->lh_why[i]);
		if (!v->lh_err[i] && memcmp(v->lh[i].uuid, v->sb.uuid, SL_UUID_SIZE)) {
			v->lh_err[i] = -EINVAL;
			v->lh_why[i] = "log header belongs to another volume";
		}
		if (!v->lh_err[i] && v->lh[i].tail_pos >= v->sb.geo.log_blocks) {
			v->lh_err[i] = -EINVAL;
			v->lh_why[i] = "log header tail beyond the log";
		}
		if (!v->lh_err[i] && (v->best < 0 || v->lh[i].generation > v->lh[v->best].generation))
			v->best = (int)i;
	}
	free(buf);
	return 0;
}

void slc_vol_close(struct slc_vol *v)
{
	slc_devs_close(&v->d);
}

int slc_vol_read_summary(struct slc_vol *v, u64 seg, void *buf, struct sl_sum_hdr *h,
			 const char **why)
{
	const struct sl_geometry *g = &v->sb.geo;
	u32 b, leg;
	u64 blk;
	int err;

	for (b = 0; b < g->seg_sum_blocks; b++) {
		sl_seg_locate(g, seg, b, &leg, &blk);
		err = slc_dev_ops.read(&v->d, SL_DEV_LEG(leg), blk, 1,
				       (u8 *)buf + (size_t)b * SL_BLOCK_SIZE);
		if (err) {
			*why = "cannot read the segment summary";
			return err;
		}
	}
	err = sl_sum_decode(buf, g->seg_sum_blocks, sl_seg_data_slots(g), g->nr_segments, h, why);
	if (!err && (memcmp(h->uuid, v->sb.uuid, SL_UUID_SIZE) || h->seg_index != seg)) {
		*why = "summary of another volume or segment";
		err = -ENOENT;
	}
	return err;
}
