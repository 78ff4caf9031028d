// SPDX-License-Identifier: GPL-2.0
/*
 * Engine + recovery on in-memory devices: first-load format, writes,
 * discards, destages, reload (replay of the log chain and segment scan),
 * the seq GAP, a torn record ending the chain, log wrap, the named next
 * destage target never trusted, header-only plans on request, and refusal
 * of foreign / corrupt / newer / mismatched volumes without writing anything.
 */
#include "../lib/sl_test.h"
#include <string.h>

#define PERF (3 + 256)
#define LEG (256 + 40 * 256)
#define RANGE 300

static struct sl_memdev md;
static u64 expect[RANGE];		/* 0 = zeros, else the block's tag */
static u8 blk[SL_BLOCK_SIZE] __attribute__((aligned(8)));

static struct sl_table_args table(void)
{
	static char *argv[] = { "p", "1", "0", "c", "2", "log_threshold_pct", "50" };
	struct sl_table_args a;
	const char *err;

	if (sl_table_parse(7, argv, &a, &err))
		abort();
	return a;
}

static int open_vol(struct sl_engine **e, struct sl_recovery_report *rep, const char **why)
{
	struct sl_table_args a = table();
	struct sl_open_params p = { .table = &a, .target_blocks = 1000, .perf_blocks = PERF,
				    .leg_blocks = { LEG } };

	return sl_volume_open(&p, &sl_memdev_ops, &md, e, rep, why);
}

static void fill(u64 tag)
{
	memset(blk, 0, sizeof(blk));
	memcpy(blk, &tag, 8);
	memset(blk + 8, (int)(tag & 0xff), 100);
}

static void complete(struct sl_engine *e, struct sl_record_io *r)
{
	struct sl_list acked;
	struct sl_write *w;

	sl_list_init(&acked);
	sl_engine_record_done(e, r, 0, &acked);
	while (!sl_list_empty(&acked)) {
		w = sl_container_of(acked.next, struct sl_write, node);
		sl_list_del(&w->node);
		CHECK(!w->error, "write failed %d", w->error);
		free(w->priv);
		free(w);
	}
}

/* One write (tag != 0) or discard (tag == 0) of one block, written as its own record. */
static struct sl_record_io *put(struct sl_engine *e, u64 lba, u64 tag, bool complete_now)
{
	struct sl_write *w = calloc(1, sizeof(*w));
	u32 *crc = calloc(1, sizeof(*crc));
	struct sl_record_io *r;
	struct sl_list *pos;

	fill(tag);
	*crc = sl_block_crc(blk);
	w->lba = lba;
	w->nblocks = 1;
	w->flags = tag ? 0 : SL_W_DISCARD;
	w->crc = crc;
	w->priv = crc;
	CHECK(sl_engine_submit(e, w) == SL_SUBMIT_QUEUED, "submit");
	if (sl_engine_build_record(e, &r)) {
		CHECK(0, "build_record failed");
		return NULL;
	}
	memcpy(sl_memdev_block(&md, 0, r->dev_block), r->hdr, SL_BLOCK_SIZE);
	for (pos = r->writes.next; pos != &r->writes; pos = pos->next) {
		struct sl_write *x = sl_container_of(pos, struct sl_write, node);

		if (!(x->flags & SL_W_DISCARD))
			memcpy(sl_memdev_block(&md, 0, x->data_block), blk, SL_BLOCK_SIZE);
	}
	if (complete_now)
		complete(e, r);
	return r;
}

static void destage_all(struct sl_engine *e)
{
	struct sl_destage *d;

	while (!sl_engine_destage_plan(e, &d)) {
		CHECK(!sl_memdev_destage_write(&md, e, d), "seal");
		sl_engine_destage_written(e, d, 0);
		memcpy(sl_memdev_block(&md, 0, d->loghdr_block), d->loghdr, SL_BLOCK_SIZE);
		sl_engine_destage_done(e, d, 0);
	}
}

static int verify(struct sl_engine *e, const char *when)
{
	return sl_memdev_verify_tags(&md, e, expect, RANGE, when);
}

static void refusals(void)
{
	struct sl_engine *e = NULL;
	const char *why;
	u8 *save = malloc(SL_BLOCK_SIZE);
	u8 *sb = sl_memdev_block(&md, 0, 0), *leg = sl_memdev_block(&md, 1, 0);
	u64 w0 = md.writes;

	SECTION("refusals: corrupt superblock, newer version, foreign leg, zeroed leg; nothing written");
	memcpy(save, sb, SL_BLOCK_SIZE);
	sb[60] ^= 1;
	CHECK(open_vol(&e, NULL, &why) && strstr(why, "checksum"), "corrupt sb: %s", why);
	memcpy(sb, save, SL_BLOCK_SIZE);
	((struct sl_sb_disk *)sb)->version = cpu_to_le32(9);
	((struct sl_sb_disk *)sb)->crc = cpu_to_le32(sl_meta_crc(sb, SL_BLOCK_SIZE));
	CHECK(open_vol(&e, NULL, &why) && strstr(why, "newer"), "newer: %s", why);
	memcpy(sb, save, SL_BLOCK_SIZE);
	memcpy(save, leg, SL_BLOCK_SIZE);
	((struct sl_leg_sb_disk *)leg)->vol_uuid[3] ^= 1;
	((struct sl_leg_sb_disk *)leg)->crc = cpu_to_le32(sl_meta_crc(leg, SL_BLOCK_SIZE));
	CHECK(open_vol(&e, NULL, &why) && strstr(why, "another volume"), "foreign: %s", why);
	memset(leg, 0, SL_BLOCK_SIZE);
	CHECK(open_vol(&e, NULL, &why) && strstr(why, "not formatted"), "zero leg: %s", why);
	memcpy(leg, save, SL_BLOCK_SIZE);
	CHECK(md.writes == w0, "a refused open wrote %llu blocks",
	      (unsigned long long)(md.writes - w0));
	free(save);
}

/* The newest valid log header slot of the in-memory volume. */
static struct sl_loghdr newest_loghdr(void)
{
	struct sl_loghdr lh, best = { 0 };
	u32 i;

	for (i = 0; i < SL_NR_LOGHDR_SLOTS; i++)
		if (!sl_loghdr_decode(sl_memdev_block(&md, 0, SL_LOGHDR_BLOCK0 + i), &lh, NULL) &&
		    lh.generation > best.generation)
			best = lh;
	return best;
}

/*
 * Plant, in the segment the newest log header names as the next destage
 * target, a summary that decodes and looks committed (seg_seq below the
 * header's next_seg_seq) and claims @lba at a seq newer than anything, with
 * data tagged 0xbad.  That is what a torn, uncommitted destage can look like
 * when read through another set of legs later.  Recovery must not read it.
 */
static u64 plant_in_target(struct sl_engine *e, u64 lba)
{
	const struct sl_sb *sb = sl_engine_sb(e);
	const struct sl_geometry *g = &sb->geo;
	struct sl_loghdr lh = newest_loghdr();
	struct sl_sum_entry en = { .lba = lba, .seq = 1ull << 60, .nblocks = 1, .slot = 0,
				   .flags = SL_EF_DATA };
	struct sl_sum_hdr h = { .seg_index = lh.next_seg, .seg_seq = 1, .nr_entries = 1,
				.nr_data = 1, .sum_blocks = g->seg_sum_blocks, .max_seq = en.seq };
	u8 *sum = calloc(g->seg_sum_blocks, SL_BLOCK_SIZE);
	u64 blk0;
	u32 leg, b;

	CHECK(lh.next_seg != SL_NO_SEG && lh.next_seg < g->nr_segments, "no named target");
	memcpy(h.uuid, sb->uuid, SL_UUID_SIZE);
	fill(0xbad);
	en.data_crc = sl_block_crc(blk);
	sl_sum_encode(&h, &en, sum);
	CHECK(!sl_sum_decode(sum, g->seg_sum_blocks, sl_seg_data_slots(g), g->nr_segments, &h,
			     NULL), "planted summary does not decode");
	for (b = 0; b < g->seg_sum_blocks; b++) {
		sl_seg_locate(g, lh.next_seg, b, &leg, &blk0);
		memcpy(sl_memdev_block(&md, SL_DEV_LEG(leg), blk0), sum + (size_t)b * SL_BLOCK_SIZE,
		       SL_BLOCK_SIZE);
	}
	sl_seg_locate(g, lh.next_seg, g->seg_sum_blocks, &leg, &blk0);
	memcpy(sl_memdev_block(&md, SL_DEV_LEG(leg), blk0), blk, SL_BLOCK_SIZE);
	free(sum);
	return lh.next_seg;
}

int main(void)
{
	struct sl_recovery_report rep;
	struct sl_engine *e;
	struct sl_record_io *ra, *rb, *rc;
	const char *why = NULL;
	u64 i, tag = 1, last;

	sl_memdev_init(&md, PERF, 1, LEG);
	SECTION("first load formats a zeroed volume");
	CHECK(!open_vol(&e, &rep, &why), "open: %s", why);
	CHECK(rep.formatted, "not formatted");
	CHECK(sl_engine_sb(e)->geo.logical_blocks == 1000, "logical size from the target");

	SECTION("writes and discards, then reload replays the log");
	for (i = 0; i < 40; i++) {
		u64 lba = (i * 37) % RANGE;

		put(e, lba, tag, true);
		expect[lba] = tag++;
	}
	put(e, 37, 0, true);
	expect[37] = 0;
	verify(e, "before reload");
	last = rep.next_seq;
	sl_engine_destroy(e);
	CHECK(!open_vol(&e, &rep, &why), "reopen: %s", why);
	CHECK(!rep.formatted && rep.records_replayed == 41, "replayed %llu",
	      (unsigned long long)rep.records_replayed);
	CHECK(rep.last_seq == last + 40, "last seq %llu", (unsigned long long)rep.last_seq);
	CHECK(rep.next_seq == rep.last_seq + SL_SEQ_GAP, "no seq GAP after recovery");
	verify(e, "after reload");

	SECTION("destage to segments, overwrite, reload: segment scan + log replay agree");
	destage_all(e);
	for (i = 0; i < 200; i++) {
		u64 lba = (i * 13 + 5) % RANGE;

		put(e, lba, tag, true);
		expect[lba] = tag++;
		if (i % 50 == 49)
			destage_all(e);
	}
	put(e, 18, 0, true);	/* tombstone over destaged data */
	expect[18] = 0;
	destage_all(e);
	verify(e, "after destages");
	{
		struct sl_status st;

		sl_engine_status(e, &st);
		CHECK(st.segs_used > 0 && st.destages > 0, "no segments used");
		CHECK(st.log_used < st.log_size, "log never released");
	}
	sl_engine_destroy(e);
	CHECK(!open_vol(&e, &rep, &why), "reopen: %s", why);
	/* segments come back through the metadata log (no scan on this format) */
	CHECK(rep.mlog_batches > 0 && !rep.scanned && !rep.segments_scanned,
	      "segments not recovered from the metadata log (%llu batches, scan %d)",
	      (unsigned long long)rep.mlog_batches, rep.scanned);
	verify(e, "after reload with segments");

	SECTION("log wraps many times over (256-block log, 2 blocks per record)");
	for (i = 0; i < 900; i++) {
		u64 lba = (i * 7) % RANGE;

		put(e, lba, tag, true);
		expect[lba] = tag++;
		if (sl_engine_destage_wanted(e))
			destage_all(e);
	}
	verify(e, "after wrapping");
	sl_engine_destroy(e);
	CHECK(!open_vol(&e, &rep, &why), "reopen: %s", why);
	verify(e, "after wrap + reload");

	SECTION("a torn record ends the chain; later records are not replayed");
	ra = put(e, 1, tag, false);
	rb = put(e, 2, tag + 1, false);
	rc = put(e, 3, tag + 2, false);
	complete(e, ra);
	expect[1] = tag;
	complete(e, rc);	/* stable but not acknowledged: rb is not */
	sl_memdev_block(&md, 0, rb->dev_block + 1)[200] ^= 0xff;	/* tear rb's data */
	complete(e, rb);	/* (its completion comes too late for the media) */
	tag += 3;
	sl_engine_destroy(e);
	CHECK(!open_vol(&e, &rep, &why), "reopen: %s", why);
	verify(e, "after a torn record");

	SECTION("the named next destage target is never trusted, and is invalidated");
	{
		struct sl_geometry geo = sl_engine_sb(e)->geo, *g = &geo;
		u64 target = plant_in_target(e, 5), blk0;
		u32 leg;

		sl_engine_destroy(e);
		CHECK(!open_vol(&e, &rep, &why), "reopen: %s", why);
		verify(e, "after a summary planted in the named target");
		CHECK(rep.segments_uncommitted == 1, "target not invalidated (%llu)",
		      (unsigned long long)rep.segments_uncommitted);
		sl_seg_locate(g, target, 0, &leg, &blk0);
		CHECK(sl_block_is_zero(sl_memdev_block(&md, SL_DEV_LEG(leg), blk0)),
		      "target summary not zeroed");
		sl_engine_destroy(e);
		CHECK(!open_vol(&e, &rep, &why), "reopen: %s", why);
		CHECK(rep.segments_uncommitted == 0, "a clean reload rewrote the target");
		verify(e, "after a clean reload");
	}

	SECTION("a requested header is written even with nothing to destage");
	{
		struct sl_loghdr before = newest_loghdr(), after;

		destage_all(e);
		CHECK(!sl_engine_destage_wanted(e), "destage wanted with an empty log");
		sl_engine_request_header(e);
		CHECK(sl_engine_destage_wanted(e), "a requested header is not wanted");
		destage_all(e);
		after = newest_loghdr();
		CHECK(after.generation > before.generation, "no header written");
		CHECK(!sl_engine_destage_wanted(e), "still wanted after the header");
		verify(e, "after a header-only plan");
	}

	refusals();
	sl_engine_destroy(e);
	sl_memdev_free(&md);
	return sl_test_done("test-sl-replay");
}
