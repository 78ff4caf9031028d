// SPDX-License-Identifier: GPL-2.0
/*
 * crashsim: run the stripelog engine (the same kernel/core code the module
 * runs) against simulated perf and capacity devices with volatile write
 * caches, under a random workload of writes, FUA writes, flushes, discards
 * and reads; cut power at random points (un-flushed writes dropped,
 * reordered or torn at 512 bytes), recover, and check every block against
 * the model:
 *   - a write acknowledged before a completed flush (or itself FUA) reads
 *     back exactly, or a newer write of that block does;
 *   - no block returns data never written to it, torn data, or a version
 *     older than the newest durable one (stale-after-newer).
 *
 *   crashsim [--seed S] [--iterations N] [--scenario random|orphan]
 *            [--break ack-early|no-gap|no-parity] [--save-images DIR]
 *            [--range LBAS] [--legs K+M] [--fail-legs] [--verbose]
 * --legs K+M runs an erasure-coded volume (default 1+0): destages write full
 * stripe rows with the reference parity (sl_segimg), so a cut mid-destage
 * tears a stripe across legs.  --fail-legs (needs M > 0) also fails up to M
 * random legs between runs (their contents become garbage and they return
 * errors: every read of them is rebuilt from the others, as the kernel glue
 * does) and later replaces one with a blank device that is rebuilt from the
 * others.  --break no-parity writes zero parity, which the failed-leg reads
 * must catch.
 * --range sets how many LBAs the workload touches (default 192 of 1364); a
 * range near the volume size keeps free segments short, so cleaning runs.
 * --save-images writes DIR/perf.img and DIR/leg<i>.img after the last recovery
 * (images of a crashed-and-recovered volume, for the CLI tests).
 * Exit 0 when every check holds, 1 on a violation (the seed and cut number
 * reproduce it), 2 on usage errors.
 * Debugging a violation: CRASHSIM_TRACE=1 logs destages and leg failures and
 * rebuilds per cut, and at the violation every summary and the row's chunks;
 * CRASHSIM_TRACE_LBA=N also logs where block N lives after each destage and
 * recovery.
 */
#include "sim.h"
#include "sl_ec.h"
#include "sl_segimg.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_BLOCKS	512
#define SEG_LEG_BLOCKS	32
#define NR_SEGS		48
#define META_BLOCKS	256	/* metadata log (64) + two checkpoint slots */
#define RANGE		(s->range)	/* LBAs the workload touches (--range) */
#define MAX_WBLOCKS	4	/* usual write size: 1..4 blocks */
#define BIG_WBLOCKS	96	/* 1 write in 50: up to this many (big records, wrap waste) */
#define MAX_INFLIGHT	64

struct simreq {
	struct sl_write w;
	u32 slot;			/* index in sim.reqs */
	u32 crc[BIG_WBLOCKS];
	u8 *data;			/* nblocks * 4096, 8-byte aligned (malloc) */
	u32 idx[BIG_WBLOCKS];		/* model version index per block */
	u64 submit_time;
	bool fua, flush;
};

struct inflight {
	struct sl_record_io *r;
	u64 io;
};

struct sim {
	u64 rng, seed;
	struct simdev perf, legs[SL_MAX_LEGS];
	u32 k, m, n;
	u32 failed;			/* bit i: leg i failed (garbage, errors) */
	bool fail_legs, no_parity;
	struct sl_stripe st;
	struct sl_geometry geo;
	u8 *img;			/* one segment image (all legs) */
	struct sl_engine *e;
	struct sim_model model;
	u64 now, next_ver, io_id;
	struct simreq *reqs[4096];
	u32 nreqs;
	struct inflight fl[MAX_INFLIGHT + 8];
	u32 nfl;
	struct sl_destage *d;
	int dstage;
	u64 loghdr_io, mlog_io;
	struct sl_ckpt_io *ck;		/* checkpoint write in flight */
	u64 ckpt_io;
	bool legacy, corrupt_meta;	/* --legacy, --corrupt-meta */
	u32 test_flags;
	u64 range;
	bool verbose;
	u64 idle_steps;
	/* stats */
	u64 cuts, records, acks, destages, reads, blocks_checked, torn, flushes, recoveries;
	u64 mem_blocks;		/* record blocks kept in memory (issue_record) */
	u64 replayed, cleaned;
	u64 checkpoints, mlog_batches, ckpt_fallbacks, scans, corruptions, meta_blocks;
	u64 leg_failures, leg_rebuilds, rebuilt_reads;
};

static int fail(struct sim *s, const char *what)
{
	fprintf(stderr, "crashsim: FAILED (%s) seed %llu cut %llu\n", what,
		(unsigned long long)s->seed, (unsigned long long)s->cuts);
	return -1;
}

static bool tracing(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("CRASHSIM_TRACE") != NULL;
	return on;
}

#define TRACE(s, fmt, ...) do { if (tracing()) fprintf(stderr, "[cut %llu] " fmt "\n", \
	(unsigned long long)(s)->cuts, ##__VA_ARGS__); } while (0)

static struct simdev *dev_of(struct sim *s, u32 dev)
{
	return dev == SL_DEV_PERF ? &s->perf : &s->legs[dev - SL_DEV_LEG(0)];
}

static bool leg_failed(const struct sim *s, u32 dev)
{
	return dev != SL_DEV_PERF && (s->failed & (1u << (dev - SL_DEV_LEG(0))));
}

/*
 * Block @block of leg @leg rebuilt from the same block of the other legs
 * (what the kernel glue's slg_reconstruct() does).  -EIO outside the
 * segment area or with more than m legs lost.
 */
static int rebuild_block(struct sim *s, u32 leg, u64 block, void *out)
{
	static u8 chunks[SL_MAX_LEGS][SL_BLOCK_SIZE] __attribute__((aligned(8)));
	void *ptrs[SL_MAX_LEGS];
	int lost[SL_MAX_LEGS], nlost = 0;
	struct sl_stripe_pos pos;
	u32 idx, l;

	if (sl_stripe_unmap(&s->st, leg, block, &pos))
		return -EIO;
	for (idx = 0; idx < s->n; idx++) {
		l = sl_stripe_chunk_leg(&s->st, pos.grow, idx);
		ptrs[idx] = chunks[idx];
		if (l == leg || (s->failed & (1u << l)))
			lost[nlost++] = (int)idx;
		else
			simdev_read(&s->legs[l], block, chunks[idx]);
	}
	if (sl_ec_recover(s->k, s->m, SL_BLOCK_SIZE, ptrs, lost, nlost))
		return -EIO;
	memcpy(out, ptrs[pos.idx], SL_BLOCK_SIZE);
	s->rebuilt_reads++;
	return 0;
}

static int dev_read(struct sim *s, u32 dev, u64 block, void *buf);

/* Debug aid: the lba CRASHSIM_TRACE_LBA names, or -1. */
static long long trace_lba_no(void)
{
	const char *v = getenv("CRASHSIM_TRACE_LBA");

	return v ? (long long)strtoull(v, NULL, 0) : -1;
}

/* Debug aid: where the CRASHSIM_TRACE_LBA block lives now. */
static void trace_lba(struct sim *s, const char *when)
{
	long long lba = trace_lba_no();
	struct sl_read_piece p;

	if (lba < 0 || !s->e)
		return;
	if (!sl_engine_lookup(s->e, (u64)lba, 1, &p))
		TRACE(s, "%s: lba %lld kind %u dev %u block %llu", when, lba, p.kind, p.dev,
		      (unsigned long long)p.dev_block);
}

/* Debug aid: every segment summary as recovery would read it now. */
static void trace_summaries(struct sim *s)
{
	const struct sl_geometry *g = &s->geo;
	u8 *sum = malloc((size_t)g->seg_sum_blocks * SL_BLOCK_SIZE);
	long long lba = trace_lba_no();
	struct sl_sum_entry en;
	struct sl_sum_hdr h;
	u64 seg, blk;
	u32 b, leg, i;
	int rc;

	for (seg = 0; sum && seg < g->nr_segments; seg++) {
		for (b = 0; b < g->seg_sum_blocks; b++) {
			sl_seg_locate(g, seg, b, &leg, &blk);
			if (dev_read(s, SL_DEV_LEG(leg), blk, sum + (size_t)b * SL_BLOCK_SIZE))
				memset(sum + (size_t)b * SL_BLOCK_SIZE, 0, SL_BLOCK_SIZE);
		}
		rc = sl_sum_decode(sum, g->seg_sum_blocks, sl_seg_data_slots(g), g->nr_segments,
				   &h, NULL);
		fprintf(stderr, "  seg %llu: decode %d seg_seq %llu entries %u:",
			(unsigned long long)seg, rc, rc ? 0ull : (unsigned long long)h.seg_seq,
			rc ? 0 : h.nr_entries);
		for (i = 0; !rc && i < h.nr_entries; i++) {
			sl_sum_entry_get(sum, i, &en);
			if ((long long)en.lba == lba)
				fprintf(stderr, " [lba %lld seq %llu slot %u]", lba,
					(unsigned long long)en.seq, en.slot);
		}
		fprintf(stderr, "\n");
	}
	free(sum);
}

/* Debug aid (CRASHSIM_TRACE): what each leg holds in the row of a leg block. */
static void trace_block(struct sim *s, u32 leg, u64 block)
{
	u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
	const u64 *w = (const u64 *)buf;
	struct sl_stripe_pos pos;
	u32 l;

	if (sl_stripe_unmap(&s->st, leg, block, &pos))
		return;
	trace_summaries(s);
	fprintf(stderr, "  leg %u block %llu: seg %llu row %u grow %llu chunk %u blk %llu\n", leg,
		(unsigned long long)block, (unsigned long long)pos.seg, pos.row,
		(unsigned long long)pos.grow, pos.idx, (unsigned long long)pos.blk);
	for (l = 0; l < s->n; l++) {
		simdev_read(&s->legs[l], block, buf);
		fprintf(stderr, "  leg %u%s chunk %u: words %llx %llx\n", l,
			s->failed & (1u << l) ? " (failed)" : "",
			sl_stripe_leg_chunk(&s->st, pos.grow, l), (unsigned long long)w[0],
			(unsigned long long)w[1]);
	}
}

/* A block as the kernel glue would return it: failed legs are rebuilt. */
static int dev_read(struct sim *s, u32 dev, u64 block, void *buf)
{
	if (!leg_failed(s, dev)) {
		simdev_read(dev_of(s, dev), block, buf);
		return 0;
	}
	return rebuild_block(s, dev - SL_DEV_LEG(0), block, buf);
}

/* ---- synchronous dev ops (open, recovery) ---- */
static int ops_read(void *ctx, u32 dev, u64 block, u32 n, void *buf)
{
	struct sim *s = ctx;
	u32 i;
	int err;

	for (i = 0; i < n; i++) {
		err = dev_read(s, dev, block + i, (u8 *)buf + (size_t)i * SL_BLOCK_SIZE);
		if (err)
			return err;
	}
	return 0;
}

static int ops_write(void *ctx, u32 dev, u64 block, u32 n, const void *buf, bool fua)
{
	struct sim *s = ctx;
	u64 io = ++s->io_id;
	u32 i;

	if (leg_failed(s, dev))
		return 0;	/* as the glue: a failed leg's blocks are written nowhere */
	for (i = 0; i < n; i++)
		simdev_write(dev_of(s, dev), block + i, (const u8 *)buf + (size_t)i * SL_BLOCK_SIZE,
			     io);
	simdev_complete(dev_of(s, dev), io, fua);
	return 0;
}

static int ops_flush(void *ctx, u32 dev)
{
	if (!leg_failed(ctx, dev))
		simdev_flush(dev_of(ctx, dev));
	return 0;
}

static void flush_legs(struct sim *s)
{
	u32 i;

	for (i = 0; i < s->n; i++)
		if (!(s->failed & (1u << i)))
			simdev_flush(&s->legs[i]);
}

static const struct sl_dev_ops sim_ops = { ops_read, ops_write, ops_flush };

/* The engine hands back a record block kept in memory (see issue_record). */
static void mem_release(void *ctx, void *mem)
{
	struct sim *s = ctx;

	s->mem_blocks--;
	free(mem);
}

static int open_engine(struct sim *s)
{
	struct sl_recovery_report rep;
	u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
	const char *why = "?";
	struct sl_sb sb;
	int err;

	simdev_read(&s->perf, 0, buf);
	err = sl_sb_decode(buf, &sb, &why);
	if (!err)
		err = sl_engine_create(&sb, NULL, &s->e);
	if (err) {
		fprintf(stderr, "crashsim: cannot open: %s\n", why);
		return err;
	}
	sl_engine_set_test_flags(s->e, s->test_flags);
	sl_engine_set_mem_release(s->e, mem_release, s);
	err = sl_engine_recover(s->e, &sim_ops, s, &rep, &why);
	if (err) {
		fprintf(stderr, "crashsim: recovery failed: %s\n", why);
		return err;
	}
	s->recoveries++;
	s->replayed += rep.records_replayed;
	trace_lba(s, "after recovery");
	s->mlog_batches += rep.mlog_batches;
	s->ckpt_fallbacks += rep.ckpt_fallbacks;
	s->scans += rep.scanned;
	s->meta_blocks += rep.meta_blocks_read;
	if (s->verbose && (rep.ckpt_fallbacks || rep.scanned))
		fprintf(stderr, "crashsim: recovery fell back (%u older, scan %d): %s\n",
			rep.ckpt_fallbacks, rep.scanned, rep.ckpt_why ? rep.ckpt_why : "-");
	return 0;
}

static int setup(struct sim *s)
{
	struct sl_format_params fp = {
		/* the data log keeps LOG_BLOCKS; the metadata regions come after it */
		.perf_blocks = SL_LOG_START_MIN + LOG_BLOCKS + (s->legacy ? 0 : META_BLOCKS),
		.log_blocks = LOG_BLOCKS, .legacy = s->legacy,
		.leg_blocks = 256 + NR_SEGS * SEG_LEG_BLOCKS,
		.k = s->k, .m = s->m, .seg_leg_blocks = SEG_LEG_BLOCKS,
		/* small stripe units: many rows per segment, torn independently */
		.stripe_unit_blocks = s->k > 1 ? 4 : 0,
	};
	const char *why = "?";
	struct sl_geometry geo;
	u32 i;

	if (sl_geometry_compute(&fp, &geo, &why) || s->range > geo.logical_blocks) {
		fprintf(stderr, "crashsim: --range beyond the volume (%llu blocks)\n",
			(unsigned long long)geo.logical_blocks);
		return -EINVAL;
	}
	if (sl_stripe_from_geometry(&s->st, &geo, &why))
		return -EINVAL;
	s->geo = geo;
	s->img = malloc((size_t)s->n * geo.seg_leg_blocks * SL_BLOCK_SIZE);
	if (!s->img || simdev_init(&s->perf, fp.perf_blocks) || model_init(&s->model, RANGE))
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		if (simdev_init(&s->legs[i], fp.leg_blocks))
			return -ENOMEM;
	if (sl_volume_format(&fp, &sim_ops, s, NULL, &why)) {
		fprintf(stderr, "crashsim: format failed: %s\n", why);
		return -EINVAL;
	}
	return open_engine(s);
}

/* ---- requests ---- */
static struct simreq *req_new(struct sim *s)
{
	struct simreq *q = calloc(1, sizeof(*q));

	if (!q || s->nreqs == ARRAY_SIZE(s->reqs))
		abort();
	q->slot = s->nreqs;
	s->reqs[s->nreqs++] = q;
	q->w.priv = q;
	q->submit_time = ++s->now;
	return q;
}

static void req_free(struct sim *s, struct simreq *q)
{
	free(q->data);
	s->reqs[q->slot] = s->reqs[--s->nreqs];
	s->reqs[q->slot]->slot = q->slot;
	free(q);
}

static void note_flush_done(struct sim *s, struct simreq *q)
{
	if (q->submit_time > s->model.durable_before)
		s->model.durable_before = q->submit_time;
}

static int ack_list(struct sim *s, struct sl_list *acked)
{
	struct simreq *q;
	struct sl_write *w;
	u32 i;

	while (!sl_list_empty(acked)) {
		w = sl_container_of(acked->next, struct sl_write, node);
		sl_list_del(&w->node);
		q = w->priv;
		if (w->error)
			return fail(s, "the engine failed a write");
		s->now++;
		for (i = 0; i < w->nblocks; i++)
			model_ack(&s->model, w->lba + i, q->idx[i], s->now, q->fua);
		if (q->flush)
			note_flush_done(s, q);
		s->acks++;
		req_free(s, q);
	}
	return 0;
}

static int submit(struct sim *s, struct simreq *q)
{
	int ret = sl_engine_submit(s->e, &q->w);

	if (ret == SL_SUBMIT_DONE) {
		note_flush_done(s, q);
		req_free(s, q);
		return 0;
	}
	if (ret < 0)
		return fail(s, "submit refused a valid request");
	return 0;
}

static int do_write(struct sim *s)
{
	struct simreq *q = req_new(s);
	u32 max = sim_below(&s->rng, 50) ? MAX_WBLOCKS : BIG_WBLOCKS;
	u32 n = 1 + (u32)sim_below(&s->rng, max), i;
	u64 lba, ver;

	if (n > RANGE / 2)
		n = (u32)(RANGE / 2);
	lba = sim_below(&s->rng, RANGE - n + 1);
	q->data = malloc((size_t)n * SL_BLOCK_SIZE);
	if (!q->data)
		abort();
	q->w.lba = lba;
	q->w.nblocks = n;
	q->fua = sim_below(&s->rng, 100) < 15;
	q->flush = sim_below(&s->rng, 100) < 5;
	q->w.flags = (q->fua ? SL_W_FUA : 0) | (q->flush ? SL_W_FLUSH : 0);
	for (i = 0; i < n; i++) {
		ver = ++s->next_ver;
		pattern_fill(q->data + (size_t)i * SL_BLOCK_SIZE, lba + i, ver);
		q->crc[i] = sl_block_crc(q->data + (size_t)i * SL_BLOCK_SIZE);
		q->idx[i] = model_add(&s->model, lba + i, ver);
	}
	q->w.crc = q->crc;
	return submit(s, q);
}

static int do_discard(struct sim *s)
{
	struct simreq *q = req_new(s);
	u32 n = 1 + (u32)sim_below(&s->rng, 8), i;
	u64 lba = sim_below(&s->rng, RANGE - n + 1);

	q->w.lba = lba;
	q->w.nblocks = n;
	q->w.flags = SL_W_DISCARD;
	for (i = 0; i < n; i++)
		q->idx[i] = model_add(&s->model, lba + i, 0);
	return submit(s, q);
}

static int do_flush(struct sim *s)
{
	struct simreq *q = req_new(s);

	q->flush = true;
	q->w.flags = SL_W_FLUSH;
	s->flushes++;
	return submit(s, q);
}

/* ---- log I/O ---- */
static void issue_record(struct sim *s, struct sl_record_io *r)
{
	struct sl_list *pos;
	struct sl_write *w;
	struct simreq *q;
	u64 io = ++s->io_id;
	u32 i;

	/* Like the glue: most records keep their data in memory for destage. */
	bool keep = sim_below(&s->rng, 100) < 70;
	u32 off = 0;

	simdev_write(&s->perf, r->dev_block, r->hdr, io);
	for (pos = r->writes.next; pos != &r->writes; pos = pos->next) {
		w = sl_container_of(pos, struct sl_write, node);
		q = w->priv;
		if (w->flags & SL_W_DISCARD || !w->nblocks)
			continue;
		for (i = 0; i < w->nblocks; i++, off++) {
			simdev_write(&s->perf, w->data_block + i,
				     q->data + (size_t)i * SL_BLOCK_SIZE, io);
			if (!keep)
				continue;
			r->mem[off] = malloc(SL_BLOCK_SIZE);
			if (!r->mem[off])
				abort();
			memcpy(r->mem[off], q->data + (size_t)i * SL_BLOCK_SIZE, SL_BLOCK_SIZE);
			s->mem_blocks++;
		}
	}
	s->fl[s->nfl].r = r;
	s->fl[s->nfl].io = io;
	s->nfl++;
	s->records++;
}

static void do_build(struct sim *s)
{
	struct sl_record_io *r;

	while (s->nfl < MAX_INFLIGHT && !sl_engine_build_record(s->e, &r))
		issue_record(s, r);
}

static int complete_record(struct sim *s, u32 i)
{
	struct sl_list acked;
	struct inflight f = s->fl[i];

	s->fl[i] = s->fl[--s->nfl];
	simdev_complete(&s->perf, f.io, true);
	sl_list_init(&acked);
	sl_engine_record_done(s->e, f.r, 0, &acked);
	return ack_list(s, &acked);
}

/*
 * A sealed plan as full stripe rows with reference parity, each leg's part
 * queued in its write cache (like the glue: failed legs are skipped).  The
 * bank is the copies' sources, read again (rebuilt if on a failed leg).
 */
static int write_image(struct sim *s)
{
	struct sl_destage *d = s->d;
	u8 *bank;
	u32 i, leg, b, nb = d->rows * s->st.unit_blocks;
	u64 block;

	if (!d->sum_blocks)
		return 0;
	bank = malloc((size_t)(d->nr_copies ? d->nr_copies : 1) * SL_BLOCK_SIZE);
	if (!bank)
		abort();
	for (i = 0; i < d->nr_copies; i++)
		if (d->copies[i].mem)
			memcpy(bank + (size_t)i * SL_BLOCK_SIZE, d->copies[i].mem, SL_BLOCK_SIZE);
		else if (dev_read(s, d->copies[i].src_dev, d->copies[i].src_block,
				  bank + (size_t)i * SL_BLOCK_SIZE)) {
			free(bank);
			return fail(s, "a destage source could not be read or rebuilt");
		}
	sl_segimg_fill(&s->st, d->seg_index, d->rows, d->summary, d->sum_blocks, bank,
		       d->nr_copies, s->img);
	if (!s->no_parity)
		sl_segimg_gen_parity(&s->st, d->seg_index, d->rows, s->img);
	block = sl_stripe_row_block(&s->st, d->seg_index, 0);
	for (leg = 0; leg < s->n; leg++) {
		if (s->failed & (1u << leg))
			continue;
		for (b = 0; b < nb; b++)
			simdev_write(&s->legs[leg], block + b,
				     sl_segimg_chunk(&s->st, d->rows, s->img, leg, 0) +
				     (size_t)b * SL_BLOCK_SIZE, 0);
	}
	free(bank);
	return 0;
}

/*
 * ---- destage state machine: plan+copy, [metadata batch in flight], segment,
 * flush+written, header done.  The batch must be stable before the segment
 * is written (the glue waits for it); a cut while it is in flight may drop
 * or tear it. ----
 */
static int destage_step(struct sim *s, bool force)
{
	u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
	struct sl_copy *c;
	u32 i;
	int err;

	switch (s->dstage) {
	case 0:
		if (s->ck || (!force && !sl_engine_destage_wanted(s->e)))
			return 0;
		err = sl_engine_destage_plan(s->e, &s->d);
		if (err)
			return 0;
		for (i = 0; i < s->d->nr_copies; i++) {
			c = &s->d->copies[i];
			if (c->mem)
				continue;	/* in memory: the record's crc is used */
			if (dev_read(s, c->src_dev, c->src_block, buf))
				return fail(s, "a destage source could not be read or rebuilt");
			c->crc = sl_block_crc(buf);
		}
		TRACE(s, "destage plan seg %llu rows %u copies %u", (unsigned long long)s->d->seg_index,
		      s->d->rows, s->d->nr_copies);
		if (sl_engine_destage_seal(s->e, s->d))
			return fail(s, "destage seal found a log block not matching its record");
		if (s->d->mlog_blocks) {
			s->mlog_io = ++s->io_id;
			for (i = 0; i < s->d->mlog_blocks; i++)
				simdev_write(&s->perf, s->d->mlog_block + i,
					     (u8 *)s->d->mlog + (size_t)i * SL_BLOCK_SIZE, s->mlog_io);
			s->dstage = 3;
			return 0;
		}
		if (write_image(s))
			return -1;
		s->dstage = 1;
		return 0;
	case 3:
		simdev_complete(&s->perf, s->mlog_io, true);
		if (write_image(s))
			return -1;
		s->dstage = 1;
		return 0;
	case 1:
		flush_legs(s);
		sl_engine_destage_written(s->e, s->d, 0);
		s->loghdr_io = ++s->io_id;
		simdev_write(&s->perf, s->d->loghdr_block, s->d->loghdr, s->loghdr_io);
		s->dstage = 2;
		return 0;
	default:
		simdev_complete(&s->perf, s->loghdr_io, true);
		TRACE(s, "destage done seg %llu", (unsigned long long)s->d->seg_index);
		sl_engine_destage_done(s->e, s->d, 0);
		trace_lba(s, "after destage");
		s->d = NULL;
		s->dstage = 0;
		s->destages++;
		return 0;
	}
}

/*
 * ---- checkpoint: build + write in flight, then complete (FUA) + done.  Like
 * the glue, never at the same time as a destage. ----
 */
static int ckpt_step(struct sim *s, bool force)
{
	u32 i;

	if (s->ck) {
		simdev_complete(&s->perf, s->ckpt_io, true);
		sl_engine_ckpt_done(s->e, s->ck, 0);
		s->ck = NULL;
		s->checkpoints++;
		return 0;
	}
	if (s->dstage || (!force && !sl_engine_ckpt_wanted(s->e)))
		return 0;
	if (sl_engine_ckpt_build(s->e, &s->ck)) {
		s->ck = NULL;
		return 0;
	}
	s->ckpt_io = ++s->io_id;
	for (i = 0; i < s->ck->nr_blocks; i++)
		simdev_write(&s->perf, s->ck->dev_block + i,
			     (u8 *)s->ck->buf + (size_t)i * SL_BLOCK_SIZE, s->ckpt_io);
	return 0;
}

/* ---- reads ---- */
static int read_block(struct sim *s, u64 lba, u64 *ver)
{
	struct sl_read_piece p;
	u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));

	if (sl_engine_lookup(s->e, lba, 1, &p))
		return fail(s, "lookup refused a valid LBA");
	if (p.kind == SL_LOC_ZERO)
		memset(buf, 0, sizeof(buf));
	else if (dev_read(s, p.dev, p.dev_block, buf))
		return fail(s, "a block could not be read or rebuilt");
	if (pattern_check(buf, lba, ver)) {
		fprintf(stderr, "VIOLATION: lba %llu returned data never written to it (torn or misplaced; %s, dev %u block %llu, failed legs 0x%x)\n",
			(unsigned long long)lba, p.kind == SL_LOC_LOG ? "log" : "segment", p.dev,
			(unsigned long long)p.dev_block, s->failed);
		if (tracing() && p.kind != SL_LOC_LOG)
			trace_block(s, p.dev - SL_DEV_LEG(0), p.dev_block);
		return -1;
	}
	s->blocks_checked++;
	return 0;
}

static int do_read(struct sim *s)
{
	struct sl_read_piece p;
	u32 n = 1 + (u32)sim_below(&s->rng, 8), i;
	u64 lba = sim_below(&s->rng, RANGE - n + 1), ver;

	/* Multi-block lookups exercise piece splitting; blocks are checked one by one. */
	if (sl_engine_lookup(s->e, lba, n, &p) || !p.nblocks || p.nblocks > n)
		return fail(s, "lookup returned a bad piece");
	s->reads++;
	for (i = 0; i < n; i++) {
		if (read_block(s, lba + i, &ver) || model_check_runtime(&s->model, lba + i, ver))
			return fail(s, "runtime read");
	}
	return 0;
}

/* ---- power cut, recovery, check ---- */
static void drop_all(struct sim *s)
{
	struct sl_status st;

	sl_engine_status(s->e, &st);
	s->cleaned += st.segs_cleaned;
	if (s->ck)	/* power is gone: the engine will not see it complete */
		sl_engine_ckpt_done(s->e, s->ck, -EIO);
	s->ck = NULL;
	sl_engine_destroy(s->e);
	s->e = NULL;
	while (s->nreqs)
		req_free(s, s->reqs[s->nreqs - 1]);
	s->nfl = 0;
	s->d = NULL;
	s->dstage = 0;

}

static int recover_and_check(struct sim *s)
{
	u64 lba, ver;

	if (open_engine(s))
		return fail(s, "recovery");
	for (lba = 0; lba < RANGE; lba++) {
		if (read_block(s, lba, &ver) || model_check_recovered(&s->model, lba, ver))
			return fail(s, "durability check after recovery");
		model_reset_block(&s->model, lba, ver);
	}
	s->model.durable_before = 0;
	return 0;
}

/*
 * Between a cut and the recovery: fail a random leg (its contents turn to
 * garbage, every read of it is rebuilt), or replace a failed leg with a
 * device rebuilt block by block from the others and given its leg
 * superblock last (as `rebuild` does), keeping at most m legs failed.
 */
static void change_legs(struct sim *s)
{
	u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
	u32 leg = (u32)sim_below(&s->rng, s->n), nf = (u32)__builtin_popcount(s->failed);
	struct simdev *d = &s->legs[leg];
	u64 b, r = sim_below(&s->rng, 8);
	struct sl_leg_sb lsb;
	struct sl_sb sb;

	if (r < 2 && nf < s->m && !(s->failed & (1u << leg))) {
		for (b = 0; b < d->nblocks; b++)
			memset(d->stable + b * SL_BLOCK_SIZE, (int)(sim_rand(&s->rng) | 1),
			       SL_BLOCK_SIZE);
		s->failed |= 1u << leg;
		s->leg_failures++;
		TRACE(s, "leg %u failed, failed 0x%x", leg, s->failed);
	} else if (r == 2 && s->failed) {
		while (!(s->failed & (1u << leg)))
			leg = (leg + 1) % s->n;
		d = &s->legs[leg];
		for (b = 1; b < d->nblocks; b++) {
			if (rebuild_block(s, leg, b, buf))
				memset(buf, 0, sizeof(buf));
			memcpy(d->stable + b * SL_BLOCK_SIZE, buf, SL_BLOCK_SIZE);
		}
		simdev_read(&s->perf, 0, buf);
		if (!sl_sb_decode(buf, &sb, NULL)) {
			sl_leg_sb_from_sb(&sb, leg, &lsb);
			memset(buf, 0, sizeof(buf));
			sl_leg_sb_encode(&lsb, buf);
			memcpy(d->stable, buf, SL_BLOCK_SIZE);
		}
		s->failed &= ~(1u << leg);
		s->leg_rebuilds++;
		TRACE(s, "leg %u rebuilt, failed 0x%x", leg, s->failed);
	}
}

/*
 * --corrupt-meta: between a cut and the recovery, flip a byte of the newest
 * checkpoint (header or body) or of a random metadata-log block.  Recovery
 * must fall back (older checkpoint, or the segment scan) and lose nothing.
 */
static void corrupt_meta(struct sim *s)
{
	u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
	struct sl_ckpt_hdr h;
	struct sl_sb sb;
	u64 best = 0, blk, gen = 0;
	u32 i;

	simdev_read(&s->perf, 0, buf);
	if (sl_sb_decode(buf, &sb, NULL) || !sb.geo.mlog_blocks)
		return;
	if (sim_below(&s->rng, 2)) {
		blk = sb.geo.mlog_start + sim_below(&s->rng, sb.geo.mlog_blocks);
	} else {
		for (i = 0; i < 2; i++) {
			simdev_read(&s->perf, sb.geo.ckpt_start + i * sb.geo.ckpt_slot_blocks, buf);
			if (!sl_ckpt_hdr_decode(buf, ~0ull, &h, NULL) && h.generation > gen) {
				gen = h.generation;
				best = sb.geo.ckpt_start + i * sb.geo.ckpt_slot_blocks;
				blk = best + sim_below(&s->rng, 1 + h.body_blocks);
			}
		}
		if (!gen)
			return;
	}
	s->perf.stable[blk * SL_BLOCK_SIZE + sim_below(&s->rng, SL_BLOCK_SIZE)] ^= 0x5a;
	s->corruptions++;
}

static int power_cut(struct sim *s)
{
	u32 i;

	s->cuts++;
	simdev_cut(&s->perf, &s->rng, &s->torn);
	for (i = 0; i < s->n; i++)
		simdev_cut(&s->legs[i], &s->rng, &s->torn);
	drop_all(s);
	if (s->fail_legs)
		change_legs(s);
	if (s->corrupt_meta && sim_below(&s->rng, 4) == 0)
		corrupt_meta(s);
	return recover_and_check(s);
}

static int step(struct sim *s)
{
	u64 r = sim_below(&s->rng, 100);
	u64 acks = s->acks;
	int err = 0;

	if (r < 30)
		err = do_write(s);
	else if (r < 34)
		err = do_discard(s);
	else if (r < 38)
		err = do_flush(s);
	else if (r < 46)
		err = do_read(s);
	else if (r < 64)
		do_build(s);
	else if (r < 86) {
		if (s->nfl)
			err = complete_record(s, (u32)sim_below(&s->rng, s->nfl));
	} else if (r < 97) {
		err = destage_step(s, s->dstage || sim_below(&s->rng, 4) == 0);
	} else if (r == 97) {
		sl_engine_request_header(s->e);	/* as a finished rebuild does */
	} else {
		err = ckpt_step(s, s->ck || sim_below(&s->rng, 3) == 0);
	}
	if (err)
		return err;
	/* Liveness: outstanding requests must eventually complete. */
	s->idle_steps = (s->acks != acks || !s->nreqs) ? 0 : s->idle_steps + 1;
	if (s->idle_steps > 20000)
		return fail(s, "no progress: requests stalled");
	return 0;
}

static int run_random(struct sim *s, u64 iterations)
{
	u64 it, n, i;

	for (it = 0; it < iterations; it++) {
		n = 20 + sim_below(&s->rng, 300);
		for (i = 0; i < n; i++)
			if (step(s))
				return -1;
		if (power_cut(s))
			return -1;
	}
	return 0;
}

static int do_write_at(struct sim *s, u64 lba, bool fua)
{
	struct simreq *q = req_new(s);
	u64 ver = ++s->next_ver;

	q->data = malloc(SL_BLOCK_SIZE);
	if (!q->data)
		abort();
	q->w.lba = lba;
	q->w.nblocks = 1;
	q->fua = fua;
	q->w.flags = fua ? SL_W_FUA : 0;
	pattern_fill(q->data, lba, ver);
	q->crc[0] = sl_block_crc(q->data);
	q->idx[0] = model_add(&s->model, lba, ver);
	q->w.crc = q->crc;
	return submit(s, q);
}

static bool do_build_one(struct sim *s)
{
	struct sl_record_io *r;

	if (sl_engine_build_record(s->e, &r))
		return false;
	issue_record(s, r);
	return true;
}

/*
 * Orphan resurrection: r2 never reaches the media, r3 (after it) does;
 * recover; r4 goes where r2 was, with the same size; cut; recover.  Without
 * the seq GAP, r3's prev_seq equals r4's seq, so r3 would link after r4 and
 * its stale, never-acknowledged data would win.
 */
static int run_orphan(struct sim *s, u64 iterations)
{
	u64 it, lba, r2_block, r2_io;

	for (it = 0; it < iterations; it++) {
		lba = sim_below(&s->rng, RANGE - 3);
		if (do_write_at(s, lba, false) || !do_build_one(s) || complete_record(s, 0))
			return fail(s, "orphan scenario: r1");
		if (do_write_at(s, lba + 1, false) || !do_build_one(s))
			return fail(s, "orphan scenario: r2");
		r2_block = s->fl[0].r->dev_block;
		r2_io = s->fl[0].io;
		if (do_write_at(s, lba + 2, false) || !do_build_one(s))
			return fail(s, "orphan scenario: r3");
		if (complete_record(s, 1))	/* r3 stable, not acknowledged */
			return -1;
		simdev_drop(&s->perf, r2_io);	/* r2 never reached the media */
		if (power_cut(s))
			return -1;
		if (do_write_at(s, lba + 2, true) || !do_build_one(s))
			return fail(s, "orphan scenario: r4");
		if (s->fl[0].r->dev_block != r2_block)
			return fail(s, "orphan scenario: r4 did not land where r2 was");
		if (complete_record(s, 0))
			return -1;
		if (power_cut(s))
			return -1;
		/* Keep the log from filling: destage now and then (checkpoint first if due). */
		while (sl_engine_ckpt_wanted(s->e) && !ckpt_step(s, true) && s->ck)
			ckpt_step(s, true);
		while (destage_step(s, true) == 0 && s->dstage)
			;
	}
	return 0;
}

static int save_images(struct sim *s, const char *dir)
{
	char path[4096];
	const struct simdev *d;
	FILE *f;
	u32 i;

	for (i = 0; i <= s->n; i++) {
		d = i ? &s->legs[i - 1] : &s->perf;
		if (i)
			snprintf(path, sizeof(path), "%s/leg%u.img", dir, i - 1);
		else
			snprintf(path, sizeof(path), "%s/perf.img", dir);
		f = fopen(path, "wb");
		if (!f || fwrite(d->stable, SL_BLOCK_SIZE, d->nblocks, f) != d->nblocks) {
			perror(path);
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: crashsim [--seed S] [--iterations N] [--scenario random|orphan]\n"
		   "                [--break ack-early|no-gap|no-parity|no-mlog] [--save-images DIR]\n"
		   "                [--range LBAS] [--legs K+M] [--fail-legs] [--verbose]\n"
		   "                [--legacy] [--corrupt-meta]\n");
}

int main(int argc, char **argv)
{
	struct sim *s = calloc(1, sizeof(*s));
	const char *scenario = "random", *images = NULL;
	u64 iterations = 1000;
	struct timespec t0, t1;
	double secs;
	int i, err;

	if (!s)
		return 2;
	s->seed = 1;
	s->range = 192;
	s->k = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			s->seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
			iterations = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--scenario") && i + 1 < argc) {
			scenario = argv[++i];
		} else if (!strcmp(argv[i], "--break") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "ack-early"))
				s->test_flags |= SL_TEST_ACK_EARLY;
			else if (!strcmp(argv[i], "no-gap"))
				s->test_flags |= SL_TEST_NO_SEQ_GAP;
			else if (!strcmp(argv[i], "no-parity"))
				s->no_parity = true;
			else if (!strcmp(argv[i], "no-mlog"))
				s->test_flags |= SL_TEST_NO_MLOG;
			else
				goto bad_usage;
		} else if (!strcmp(argv[i], "--range") && i + 1 < argc) {
			s->range = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--save-images") && i + 1 < argc) {
			images = argv[++i];
		} else if (!strcmp(argv[i], "--legs") && i + 1 < argc) {
			if (sscanf(argv[++i], "%u+%u", &s->k, &s->m) != 2 ||
			    !sl_ec_params_ok(s->k, s->m))
				goto bad_usage;
		} else if (!strcmp(argv[i], "--legacy")) {
			s->legacy = true;
		} else if (!strcmp(argv[i], "--corrupt-meta")) {
			s->corrupt_meta = true;
		} else if (!strcmp(argv[i], "--fail-legs")) {
			s->fail_legs = true;
		} else if (!strcmp(argv[i], "--verbose")) {
			s->verbose = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			free(s);
			return 0;
		} else {
			goto bad_usage;
		}
	}
	s->n = s->k + s->m;
	if ((strcmp(scenario, "random") && strcmp(scenario, "orphan")) || s->range < 16 ||
	    (s->fail_legs && !s->m))
		goto bad_usage;
	s->rng = s->seed * 0x9e3779b97f4a7c15ull + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = setup(s);
	if (!err)
		err = !strcmp(scenario, "orphan") ? run_orphan(s, iterations) :
						    run_random(s, iterations);
	if (!err && images)
		err = save_images(s, images);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("crashsim: scenario %s legs %u+%u seed %llu%s%s%s%s%s: %llu leg failures, %llu leg "
	       "rebuilds, %llu rebuilt block reads, %llu cuts, %llu recoveries, %llu records "
	       "(%llu replayed), %llu acks, %llu flushes, %llu destages (%llu cleanings), "
	       "%llu torn sector-writes, "
	       "%llu checkpoints, %llu mlog batches replayed, %llu metadata blocks read, "
	       "%llu corruptions, %llu checkpoint fallbacks, %llu scans, "
	       "%llu reads, %llu block checks, %.1f s (%.0f cuts/s): %s\n",
	       scenario, s->k, s->m, (unsigned long long)s->seed,
	       s->test_flags & SL_TEST_ACK_EARLY ? " [broken: ack-early]" : "",
	       s->test_flags & SL_TEST_NO_SEQ_GAP ? " [broken: no-gap]" : "",
	       s->no_parity ? " [broken: no-parity]" : "",
	       s->test_flags & SL_TEST_NO_MLOG ? " [broken: no-mlog]" : "",
	       s->legacy ? " [legacy format]" : "",
	       (unsigned long long)s->leg_failures, (unsigned long long)s->leg_rebuilds,
	       (unsigned long long)s->rebuilt_reads,
	       (unsigned long long)s->cuts, (unsigned long long)s->recoveries,
	       (unsigned long long)s->records, (unsigned long long)s->replayed,
	       (unsigned long long)s->acks, (unsigned long long)s->flushes,
	       (unsigned long long)s->destages, (unsigned long long)s->cleaned,
	       (unsigned long long)s->torn,
	       (unsigned long long)s->checkpoints, (unsigned long long)s->mlog_batches,
	       (unsigned long long)s->meta_blocks, (unsigned long long)s->corruptions,
	       (unsigned long long)s->ckpt_fallbacks, (unsigned long long)s->scans,
	       (unsigned long long)s->reads, (unsigned long long)s->blocks_checked, secs,
	       secs > 0 ? (double)s->cuts / secs : 0.0, err ? "VIOLATION" : "ok");
	if (s->e)
		drop_all(s);
	simdev_free(&s->perf);
	for (i = 0; i < (int)s->n; i++)
		simdev_free(&s->legs[i]);
	free(s->img);
	model_free(&s->model);
	free(s);
	return err ? 1 : 0;

bad_usage:
	usage(stderr);
	free(s);
	return 2;
}
