// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery with map checkpoints and the metadata log, on in-memory devices:
 * checkpoint + metadata-log replay instead of the segment scan; the
 * metadata blocks read do not grow with the data stored (and do with the
 * legacy scan); a damaged newest checkpoint falls back to the older one, two
 * damaged ones or a damaged metadata-log block to the segment scan, never
 * losing a block; a destage cut after its metadata batch has its segment
 * summary scrubbed; a legacy volume keeps loading with the scan and refuses
 * the checkpoint message.
 */
#include "../lib/sl_test.h"
#include <string.h>

#define PERF 1024
#define SEGS 64
#define LEG (256 + SEGS * 256)
#define VOL 8000

static struct sl_memdev md;
static u64 *want;			/* per lba: 0 zeros, else the tag written */
static u64 next_tag = 1;
static u8 blk[SL_BLOCK_SIZE] __attribute__((aligned(8)));

static int open_vol(struct sl_engine **e, struct sl_recovery_report *rep, const char **why)
{
	static char *argv[] = { "p", "1", "0", "c" };
	struct sl_table_args a;
	struct sl_open_params p = { .table = &a, .target_blocks = VOL, .perf_blocks = PERF,
				    .leg_blocks = { LEG } };
	const char *err;

	if (sl_table_parse(4, argv, &a, &err))
		abort();
	return sl_volume_open(&p, &sl_memdev_ops, &md, e, rep, why);
}

static void tag_block(u64 lba, u64 tag)
{
	memset(blk, 0, sizeof(blk));
	memcpy(blk, &tag, 8);
	memcpy(blk + 8, &lba, 8);
}

/* Write @n blocks from @lba as one user write, logged and acknowledged. */
static void write_run(struct sl_engine *e, u64 lba, u32 n)
{
	struct sl_write w = { .lba = lba, .nblocks = n };
	u32 crc[64], i;
	struct sl_record_io *r;
	struct sl_list acked;

	for (i = 0; i < n; i++) {
		tag_block(lba + i, next_tag + i);
		crc[i] = sl_block_crc(blk);
	}
	w.crc = crc;
	CHECK(sl_engine_submit(e, &w) == SL_SUBMIT_QUEUED, "submit");
	if (sl_engine_build_record(e, &r)) {
		CHECK(0, "build_record");
		return;
	}
	memcpy(sl_memdev_block(&md, 0, r->dev_block), r->hdr, SL_BLOCK_SIZE);
	for (i = 0; i < n; i++) {
		tag_block(lba + i, next_tag + i);
		memcpy(sl_memdev_block(&md, 0, w.data_block + i), blk, SL_BLOCK_SIZE);
		want[lba + i] = next_tag + i;
	}
	next_tag += n;
	sl_list_init(&acked);
	sl_engine_record_done(e, r, 0, &acked);
	CHECK(!w.error && !sl_list_empty(&acked), "ack");
}

/*
 * One destage as the glue runs it; @cut_before_header stops after the
 * metadata batch and the segment (a crash before the commit).
 */
static bool destage_one(struct sl_engine *e, bool cut_before_header, u64 *seg)
{
	struct sl_destage *d;

	if (sl_engine_destage_plan(e, &d))
		return false;
	CHECK(!sl_memdev_destage_write(&md, e, d), "seal");
	if (seg)
		*seg = d->seg_index;
	if (cut_before_header)
		return true;	/* the caller destroys the engine: power is gone */
	sl_engine_destage_written(e, d, 0);
	memcpy(sl_memdev_block(&md, 0, d->loghdr_block), d->loghdr, SL_BLOCK_SIZE);
	sl_engine_destage_done(e, d, 0);
	return true;
}

static void checkpoint(struct sl_engine *e)
{
	struct sl_ckpt_io *c;

	if (sl_engine_ckpt_build(e, &c)) {
		CHECK(0, "checkpoint build");
		return;
	}
	memcpy(sl_memdev_block(&md, 0, c->dev_block), c->buf, (size_t)c->nr_blocks * SL_BLOCK_SIZE);
	sl_engine_ckpt_done(e, c, 0);
}

/* Keep the engine going as the glue's destage worker would. */
static void settle(struct sl_engine *e)
{
	for (;;) {
		if (sl_engine_ckpt_wanted(e))
			checkpoint(e);
		else if (!sl_engine_destage_wanted(e) || !destage_one(e, false, NULL))
			break;
	}
}

static void fill(struct sl_engine *e, u64 blocks)
{
	u64 done, lba = 0;

	for (done = 0; done < blocks; done += 32) {
		write_run(e, lba, 32);
		lba = (lba + 32) % (VOL - 32);
		settle(e);
	}
}

static int verify(struct sl_engine *e, const char *when)
{
	return sl_memdev_verify_tags(&md, e, want, VOL, when);
}

static struct sl_engine *reopen(struct sl_engine *e, struct sl_recovery_report *rep,
				const char *when)
{
	const char *why = "?";

	sl_engine_destroy(e);
	e = NULL;
	if (open_vol(&e, rep, &why)) {
		CHECK(0, "%s: reopen: %s", when, why);
		return NULL;
	}
	verify(e, when);
	return e;
}

static u64 newest_slot_block(struct sl_engine *e)
{
	const struct sl_geometry *g = &sl_engine_sb(e)->geo;
	struct sl_ckpt_hdr h[2];
	int i, best = -1;

	for (i = 0; i < 2; i++)
		if (!sl_ckpt_hdr_decode(sl_memdev_block(&md, 0, g->ckpt_start + i * g->ckpt_slot_blocks),
					~0ull, &h[i], NULL) &&
		    (best < 0 || h[i].generation > h[best].generation))
			best = i;
	return best < 0 ? 0 : g->ckpt_start + (u64)best * g->ckpt_slot_blocks;
}

static void bounded(void)
{
	struct sl_recovery_report rep;
	struct sl_engine *e = NULL;
	const char *why;
	u64 m1, m4, c1, c4;

	SECTION("recovery reads the checkpoint and the metadata log, not every segment");
	CHECK(!open_vol(&e, &rep, &why), "format: %s", why);
	CHECK(rep.formatted && sl_engine_sb(e)->feat_incompat == SL_FEAT_INCOMPAT_MLOG, "mlog");
	fill(e, 1024);
	write_run(e, 7, 3);		/* and a record still in the log */
	e = reopen(e, &rep, "after N");
	CHECK(rep.ckpt_generation >= 1 && !rep.scanned && !rep.segments_scanned &&
	      rep.records_replayed >= 1, "ckpt %llu scanned %d segs %llu",
	      (unsigned long long)rep.ckpt_generation, rep.scanned,
	      (unsigned long long)rep.segments_scanned);
	m1 = rep.meta_blocks_read;
	c1 = rep.ckpt_blocks;
	fill(e, 4 * 1024 * 4);		/* four times as much data again */
	write_run(e, 7, 3);
	e = reopen(e, &rep, "after 4N more");
	m4 = rep.meta_blocks_read;
	c4 = rep.ckpt_blocks;
	printf("  metadata blocks read: %llu (checkpoint %llu) after N, %llu (checkpoint %llu) "
	       "after 5N\n", (unsigned long long)m1, (unsigned long long)c1,
	       (unsigned long long)m4, (unsigned long long)c4);
	/* bounded by the log sizes: both slots' headers + body + mlog + log headers + records */
	CHECK(m4 <= 4 + (sl_engine_sb(e)->geo.ckpt_slot_blocks - 1) +
	      sl_engine_sb(e)->geo.mlog_blocks + sl_engine_sb(e)->geo.log_blocks,
	      "recovery read %llu metadata blocks", (unsigned long long)m4);
	CHECK(m4 - c4 <= 4 * (m1 - c1) + 64, "replay work grew with the data: %llu -> %llu",
	      (unsigned long long)(m1 - c1), (unsigned long long)(m4 - c4));
	sl_engine_destroy(e);
}

static void fallbacks(void)
{
	struct sl_recovery_report rep;
	struct sl_engine *e = NULL;
	struct sl_geometry geo, *g = &geo;
	const char *why;
	u64 blkno, seg;
	u8 *p;

	SECTION("damaged newest checkpoint: the older one + the metadata log");
	CHECK(!open_vol(&e, &rep, &why), "open: %s", why);
	fill(e, 512);
	checkpoint(e);
	fill(e, 512);
	checkpoint(e);
	fill(e, 256);			/* batches after the newest checkpoint too */
	geo = sl_engine_sb(e)->geo;
	blkno = newest_slot_block(e);
	p = sl_memdev_block(&md, 0, blkno + 1);
	p[100] ^= 0x40;			/* body */
	e = reopen(e, &rep, "newest slot body damaged");
	CHECK(rep.ckpt_fallbacks == 1 && !rep.scanned && rep.ckpt_why, "fallbacks %u scan %d",
	      rep.ckpt_fallbacks, rep.scanned);
	p[100] ^= 0x40;

	SECTION("both checkpoints damaged: segment scan, then a checkpoint is due");
	p = sl_memdev_block(&md, 0, g->ckpt_start);
	p[40] ^= 1;
	p = sl_memdev_block(&md, 0, g->ckpt_start + g->ckpt_slot_blocks);
	p[40] ^= 1;
	e = reopen(e, &rep, "both slots damaged");
	CHECK(rep.scanned && rep.segments_scanned == SEGS, "scanned %d", rep.scanned);
	CHECK(sl_engine_ckpt_wanted(e), "no checkpoint wanted after a scan");
	settle(e);
	e = reopen(e, &rep, "after the new checkpoint");
	CHECK(!rep.scanned, "still scanning");

	SECTION("damaged committed metadata-log block: segment scan, nothing lost");
	fill(e, 256);
	CHECK(rep.ckpt_generation, "no checkpoint");
	{
		struct sl_status st;

		sl_engine_status(e, &st);
		blkno = g->mlog_start + st.ckpt_mlog_pos;	/* first batch after it */
	}
	p = sl_memdev_block(&md, 0, blkno);
	p[200] ^= 2;
	e = reopen(e, &rep, "mlog block damaged");
	CHECK(rep.scanned, "a damaged metadata log was trusted");
	settle(e);

	SECTION("destage cut after its metadata batch and segment: summary scrubbed");
	write_run(e, 100, 20);
	CHECK(destage_one(e, true, &seg), "no destage");
	e = reopen(e, &rep, "uncommitted destage");
	CHECK(rep.segments_uncommitted == 1 && !rep.scanned, "uncommitted %llu",
	      (unsigned long long)rep.segments_uncommitted);
	{
		u32 leg;
		u64 b;

		sl_seg_locate(&sl_engine_sb(e)->geo, seg, 0, &leg, &b);
		CHECK(sl_block_is_zero(sl_memdev_block(&md, 1 + leg, b)), "summary not scrubbed");
	}
	sl_engine_destroy(e);
}

static void legacy(void)
{
	struct sl_format_params fp = { .perf_blocks = PERF, .leg_blocks = LEG, .k = 1,
				       .logical_blocks = VOL, .legacy = true };
	struct sl_recovery_report rep;
	struct sl_engine *e = NULL;
	const char *why = "?";

	SECTION("a volume formatted without a metadata log keeps the segment scan");
	sl_memdev_free(&md);
	sl_memdev_init(&md, PERF, 1, LEG);
	memset(want, 0, VOL * sizeof(*want));
	CHECK(!sl_volume_format(&fp, &sl_memdev_ops, &md, NULL, &why), "format: %s", why);
	CHECK(!open_vol(&e, &rep, &why), "open: %s", why);
	CHECK(sl_engine_ckpt_request(e) == -EOPNOTSUPP && !sl_engine_ckpt_wanted(e),
	      "legacy volume accepted a checkpoint");
	fill(e, 1024);
	e = reopen(e, &rep, "legacy reload");
	CHECK(rep.segments_scanned == SEGS && !rep.ckpt_generation && !rep.mlog_batches,
	      "legacy recovery");
	sl_engine_destroy(e);
}

int main(void)
{
	want = calloc(VOL, sizeof(*want));
	sl_memdev_init(&md, PERF, 1, LEG);
	bounded();
	sl_memdev_free(&md);
	sl_memdev_init(&md, PERF, 1, LEG);
	memset(want, 0, VOL * sizeof(*want));
	fallbacks();
	legacy();
	sl_memdev_free(&md);
	free(want);
	return sl_test_done("test-sl-checkpoint");
}
