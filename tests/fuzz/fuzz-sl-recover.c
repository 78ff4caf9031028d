// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: recovery over hostile media.  A small valid volume is
 * formatted in memory with a few records; the input then overwrites blocks
 * of the log region, the log header slots, segment summaries, the metadata
 * log and the checkpoint slots (resealing crcs when asked so structure
 * checks are reached).  Recovery must either
 * refuse or come up with a map that only points inside the devices.
 */
#include "sl_engine.h"
#include <stdlib.h>
#include <string.h>

/* 64-block data log, then the metadata log (64) and two 3-block checkpoint slots */
#define PERF (3 + 64 + 70)
#define LEG (256 + 4 * 16)

static u8 *dev[2];

static int f_read(void *c, u32 d, u64 b, u32 n, void *buf)
{
	u64 max = d ? LEG : PERF;

	(void)c;
	if (d > 1 || b > max || n > max - b)
		return -EIO;
	memcpy(buf, dev[d] + b * SL_BLOCK_SIZE, (size_t)n * SL_BLOCK_SIZE);
	return 0;
}

static int f_write(void *c, u32 d, u64 b, u32 n, const void *buf, bool fua)
{
	u64 max = d ? LEG : PERF;

	(void)c;
	(void)fua;
	if (d > 1 || b > max || n > max - b)
		return -EIO;
	memcpy(dev[d] + b * SL_BLOCK_SIZE, buf, (size_t)n * SL_BLOCK_SIZE);
	return 0;
}

static int f_flush(void *c, u32 d)
{
	(void)c;
	(void)d;
	return 0;
}

static const struct sl_dev_ops ops = { f_read, f_write, f_flush };

static u8 *img[2];
static struct sl_sb img_sb;

/* A volume with a few records in the log and one destaged segment. */
static void build_image(void)
{
	struct sl_format_params fp = { .perf_blocks = PERF, .leg_blocks = LEG, .k = 1,
				       .seg_leg_blocks = 16, .log_blocks = 64 };
	struct sl_ckpt_io *ck;
	static u8 blk[SL_BLOCK_SIZE];
	struct sl_recovery_report rep;
	struct sl_record_io *r;
	struct sl_destage *d;
	struct sl_list acked;
	struct sl_write w[6];
	struct sl_engine *e;
	const char *why;
	u32 crc, i;

	dev[0] = calloc(PERF, SL_BLOCK_SIZE);
	dev[1] = calloc(LEG, SL_BLOCK_SIZE);
	if (sl_volume_format(&fp, &ops, NULL, &img_sb, &why) || sl_engine_create(&img_sb, NULL, &e) ||
	    sl_engine_recover(e, &ops, NULL, &rep, &why))
		__builtin_trap();
	memset(blk, 0x5a, sizeof(blk));
	crc = sl_block_crc(blk);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 6; i++) {
		w[i].lba = i * 3;
		w[i].nblocks = 1;
		w[i].crc = &crc;
		w[i].flags = i == 4 ? SL_W_DISCARD : 0;
		sl_engine_submit(e, &w[i]);
		if (sl_engine_build_record(e, &r))
			__builtin_trap();
		f_write(NULL, 0, r->dev_block, 1, r->hdr, true);
		if (!(w[i].flags & SL_W_DISCARD))
			f_write(NULL, 0, w[i].data_block, 1, blk, true);
		sl_list_init(&acked);
		sl_engine_record_done(e, r, 0, &acked);
		if ((i == 2 || i == 5) && !sl_engine_destage_plan(e, &d)) {
			u32 k;

			for (k = 0; k < d->nr_copies; k++) {
				d->copies[k].crc = crc;
				f_write(NULL, d->copies[k].dst_dev, d->copies[k].dst_block, 1,
					blk, false);
			}
			sl_engine_destage_seal(e, d);
			if (d->mlog_blocks)
				f_write(NULL, 0, d->mlog_block, d->mlog_blocks, d->mlog, true);
			f_write(NULL, d->sum_dev, d->sum_block, d->sum_blocks, d->summary, false);
			sl_engine_destage_written(e, d, 0);
			f_write(NULL, 0, d->loghdr_block, 1, d->loghdr, true);
			sl_engine_destage_done(e, d, 0);
			/* a checkpoint after the first destage: the second is in the mlog */
			if (i == 2 && !sl_engine_ckpt_build(e, &ck)) {
				f_write(NULL, 0, ck->dev_block, ck->nr_blocks, ck->buf, true);
				sl_engine_ckpt_done(e, ck, 0);
			}
		}
	}
	sl_engine_destroy(e);
	img[0] = dev[0];
	img[1] = dev[1];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct sl_recovery_report rep;
	struct sl_read_piece p;
	struct sl_engine *e;
	struct sl_sb sb;
	const char *why;
	u64 lba;

	if (!img[0])
		build_image();
	sb = img_sb;
	dev[0] = malloc((size_t)PERF * SL_BLOCK_SIZE);
	dev[1] = malloc((size_t)LEG * SL_BLOCK_SIZE);
	memcpy(dev[0], img[0], (size_t)PERF * SL_BLOCK_SIZE);
	memcpy(dev[1], img[1], (size_t)LEG * SL_BLOCK_SIZE);
	/* Patches: [dev:1][block:2][offset:2][len:1][reseal:1] then len bytes. */
	while (size >= 7) {
		u32 d = data[0] & 1, len = data[5];
		u64 blk = (data[1] | (u64)data[2] << 8) % (d ? LEG : PERF);
		u32 off = (data[3] | (u32)data[4] << 8) % SL_BLOCK_SIZE;
		bool reseal = data[6] & 1;
		u8 *b = dev[d] + blk * SL_BLOCK_SIZE;

		data += 7;
		size -= 7;
		if (blk == 0)
			continue;	/* superblocks are fuzzed by fuzz-sl-superblock */
		if (len > size)
			len = (u32)size;
		if (len > SL_BLOCK_SIZE - off)
			len = SL_BLOCK_SIZE - off;
		memcpy(b + off, data, len);
		data += len;
		size -= len;
		if (reseal && le32_to_cpu(((__le32 *)b)[0]) == SL_REC_MAGIC)
			((__le32 *)b)[1] = cpu_to_le32(sl_rec_hdr_crc(b));
		else if (reseal)
			((__le32 *)b)[1] = cpu_to_le32(sl_meta_crc(b, SL_BLOCK_SIZE));
	}
	if (!sl_engine_create(&sb, NULL, &e)) {
		if (!sl_engine_recover(e, &ops, NULL, &rep, &why)) {
			for (lba = 0; lba < sb.geo.logical_blocks; lba += p.nblocks) {
				if (sl_engine_lookup(e, lba, 1, &p))
					__builtin_trap();
				if (p.kind != SL_LOC_ZERO &&
				    p.dev_block >= (p.dev == SL_DEV_PERF ? PERF : LEG))
					__builtin_trap();
			}
		}
		sl_engine_destroy(e);
	}
	free(dev[0]);
	free(dev[1]);
	return 0;
}
