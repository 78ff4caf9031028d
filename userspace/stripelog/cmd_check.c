// SPDX-License-Identifier: GPL-2.0
/*
 * stripelog check: offline consistency check.  Superblock, leg superblocks,
 * log header slots, every segment summary, a full recovery (as the kernel
 * would do it), the data crc of every live segment block, and (m > 0) the
 * parity of every row a committed segment write filled, recomputed with the
 * (volumes with a metadata log: the map from the newest checkpoint and the
 * metadata log, cross-checked block by block against a scan of every segment
 * summary, check_map.c)
 * core's reference erasure code (sl_ec): the kernel's lib/raid6 / xor_blocks
 * output must equal it bit for bit.
 * Exit 0 clean, 1 with findings (listed), 2 usage, 3 I/O errors.
 */
#include "slc.h"
#include "sl_ec.h"
#include "sl_segimg.h"
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>

#define MAX_REPORTED 200

struct check {
	struct slc_vol v;
	bool json;
	char *findings[MAX_REPORTED];
	u32 nfind;
	u64 more;
	u64 segs_valid, live_checked, records, torn_summaries;
	u64 parity_rows;
	u64 ckpt_generation, mlog_batches, map_mismatch;
	bool ckpt_checked, scanned;
};

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: stripelog check [--json] <perf_dev> <cap_dev>...\n"
		"Offline consistency check of a stopped volume (or images of it).\n"
		"Exit status: 0 clean, 1 findings (each listed), 2 usage, 3 I/O error.\n"
		"  --json        machine-readable report\n"
		"  -h, --help    this text\n");
}

static void finding(struct check *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (c->nfind == MAX_REPORTED) {
		c->more++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		c->findings[c->nfind++] = s;
}

static void check_legs(struct check *c)
{
	struct sl_leg_sb l;
	u8 *buf = malloc(SL_BLOCK_SIZE);
	const char *why;
	u32 i;

	for (i = 0; buf && i + 1 < c->v.d.ndev; i++) {
		if (slc_dev_ops.read(&c->v.d, SL_DEV_LEG(i), 0, 1, buf)) {
			finding(c, "leg %u (%s): cannot read its superblock", i, c->v.d.path[i + 1]);
			continue;
		}
		if (sl_leg_sb_decode(buf, &l, &why) || sl_leg_sb_check(&c->v.sb, &l, i, &why))
			finding(c, "leg %u (%s): %s", i, c->v.d.path[i + 1], why);
		if (c->v.d.blocks[i + 1] < c->v.sb.geo.leg_blocks)
			finding(c, "leg %u (%s): device smaller than the volume expects", i,
				c->v.d.path[i + 1]);
	}
	free(buf);
}

static void check_slots(struct check *c)
{
	if (c->v.best < 0)
		finding(c, "no valid log header slot (%s / %s): the log cannot be replayed",
			c->v.lh_why[0], c->v.lh_why[1]);
}

/* Every live DATA entry of a valid summary must match its block's crc. */
static void check_summary_entries(struct check *c, struct sl_engine *e, u64 seg, void *sum,
				  const struct sl_sum_hdr *h, u8 *blk)
{
	const struct sl_geometry *g = &c->v.sb.geo;
	struct sl_read_piece p;
	struct sl_sum_entry en;
	u64 dev_block;
	u32 i, leg;

	for (i = 0; i < h->nr_entries; i++) {
		sl_sum_entry_get(sum, i, &en);
		if (en.lba >= g->logical_blocks || en.nblocks > g->logical_blocks - en.lba) {
			finding(c, "segment %llu entry %u: lba %llu beyond the volume",
				(unsigned long long)seg, i, (unsigned long long)en.lba);
			continue;
		}
		if (en.flags != SL_EF_DATA)
			continue;
		sl_seg_locate(g, seg, g->seg_sum_blocks + en.slot, &leg, &dev_block);
		if (sl_engine_lookup(e, en.lba, 1, &p) || p.kind != SL_LOC_SEG ||
		    p.dev != SL_DEV_LEG(leg) || p.dev_block != dev_block || p.seq != en.seq)
			continue;	/* superseded: not live */
		if (slc_dev_ops.read(&c->v.d, SL_DEV_LEG(leg), dev_block, 1, blk)) {
			finding(c, "segment %llu: cannot read live block %llu", (unsigned long long)seg,
				(unsigned long long)dev_block);
			continue;
		}
		c->live_checked++;
		if (sl_block_crc(blk) != en.data_crc)
			finding(c, "segment %llu slot %u (lba %llu, leg %u block %llu): data checksum "
				"mismatch (corrupt data)", (unsigned long long)seg, en.slot,
				(unsigned long long)en.lba, leg, (unsigned long long)dev_block);
	}
}

/*
 * Parity of the rows segment @seg's last write filled (m > 0).  A row whose
 * P or Q differs from sl_ec's is a finding naming the row and the leg.
 */
static void check_parity(struct check *c, u64 seg, const struct sl_sum_hdr *h)
{
	const struct sl_geometry *g = &c->v.sb.geo;
	size_t unit = (size_t)g->stripe_unit_blocks * SL_BLOCK_SIZE;
	void *ptrs[SL_EC_MAX_CHUNKS];
	struct sl_stripe st;
	u32 rows, row, leg, bad;
	u8 *img;

	if (!g->m || sl_stripe_from_geometry(&st, g, NULL))
		return;
	rows = sl_segimg_rows(&st, h->sum_blocks, h->nr_data);
	img = malloc(st.n * sl_segimg_leg_bytes(&st, rows ? rows : 1));
	if (!img)
		return;
	for (leg = 0; leg < st.n; leg++) {
		if (slc_dev_ops.read(&c->v.d, SL_DEV_LEG(leg), sl_stripe_row_block(&st, seg, 0),
				     rows * st.unit_blocks, sl_segimg_chunk(&st, rows, img, leg, 0))) {
			finding(c, "segment %llu: cannot read leg %u to verify parity",
				(unsigned long long)seg, leg);
			free(img);
			return;
		}
	}
	for (row = 0; row < rows; row++) {
		sl_segimg_row_ptrs(&st, seg, rows, img, row, ptrs);
		if (sl_ec_verify(st.k, st.m, unit, ptrs, &bad))
			break;
		c->parity_rows++;
		if (bad & SL_EC_BAD_P)
			finding(c, "segment %llu row %u: P parity (leg %u) does not match the data",
				(unsigned long long)seg, row,
				sl_stripe_chunk_leg(&st, sl_stripe_grow(&st, seg, row), st.k));
		if (bad & SL_EC_BAD_Q)
			finding(c, "segment %llu row %u: Q parity (leg %u) does not match the data",
				(unsigned long long)seg, row,
				sl_stripe_chunk_leg(&st, sl_stripe_grow(&st, seg, row), st.k + 1));
	}
	free(img);
}

static void check_segments(struct check *c, struct sl_engine *e)
{
	const struct sl_geometry *g = &c->v.sb.geo;
	size_t sz = (size_t)g->seg_sum_blocks * SL_BLOCK_SIZE;
	u8 *sum = malloc(sz), *blk = malloc(SL_BLOCK_SIZE);
	struct sl_sum_hdr h;
	const char *why;
	u64 s;
	int err;

	for (s = 0; sum && blk && s < g->nr_segments; s++) {
		/* Recovery never trusts the named next destage target: nor do we. */
		if (c->v.best >= 0 && s == c->v.lh[c->v.best].next_seg)
			continue;
		err = slc_vol_read_summary(&c->v, s, sum, &h, &why);
		if (err == -EIO) {
			finding(c, "segment %llu: %s", (unsigned long long)s, why);
			continue;
		}
		if (err) {
			/*
			 * Unused or another volume's.  Our magic with a bad crc is a
			 * segment write torn by a crash (its log records were replayed
			 * instead) or damage to a segment recovery ignores: reported,
			 * not a finding, since nothing live can point into it.
			 */
			if (le32_to_cpu(((struct sl_sum_hdr_disk *)sum)->magic) == SL_SUM_MAGIC &&
			    err != -ENOENT)
				c->torn_summaries++;
			continue;
		}
		c->segs_valid++;
		if (e)
			check_summary_entries(c, e, s, sum, &h, blk);
		/* An uncommitted write (cut by a crash) may be torn: recovery ignores it. */
		if (c->v.best >= 0 && h.seg_seq < c->v.lh[c->v.best].next_seg_seq)
			check_parity(c, s, &h);
	}
	free(sum);
	free(blk);
}

static struct sl_engine *check_recover(struct check *c)
{
	struct sl_recovery_report rep;
	/* Read-only: recovery must not repair anything while we look. */
	struct sl_dev_ops ro = { slc_dev_ops.read, NULL, NULL };
	struct sl_engine *e;
	const char *why = "?";

	if (sl_engine_create(&c->v.sb, NULL, &e)) {
		finding(c, "cannot build an engine for this geometry (out of memory?)");
		return NULL;
	}
	if (sl_engine_recover(e, &ro, &c->v.d, &rep, &why)) {
		finding(c, "recovery fails: %s", why);
		sl_engine_destroy(e);
		return NULL;
	}
	c->records = rep.records_replayed;
	c->ckpt_generation = rep.ckpt_generation;
	c->mlog_batches = rep.mlog_batches;
	c->scanned = rep.scanned;
	if (rep.ckpt_why)
		finding(c, "checkpoint not usable: %s%s", rep.ckpt_why,
			rep.scanned ? " (recovery falls back to scanning every segment)" :
			" (recovery falls back to the older checkpoint)");
	return e;
}

static void check_mismatch(void *ctx, const char *msg)
{
	finding(ctx, "%s", msg);
}

static int check_report(struct check *c)
{
	u32 i;

	if (c->json) {
		printf("{\"clean\": %s, \"records_replayed\": %llu, \"segments_with_summary\": %llu, "
		       "\"live_segment_blocks_verified\": %llu, \"unreadable_summaries\": %llu, "
		       "\"parity_rows_verified\": %llu, \"checkpoint_generation\": %llu, "
		       "\"mlog_batches\": %llu, \"checkpoint_cross_checked\": %s, "
		       "\"map_blocks_differing\": %llu, \"findings\": [",
		       c->nfind ? "false" : "true", (unsigned long long)c->records,
		       (unsigned long long)c->segs_valid, (unsigned long long)c->live_checked,
		       (unsigned long long)c->torn_summaries, (unsigned long long)c->parity_rows,
		       (unsigned long long)c->ckpt_generation,
		       (unsigned long long)c->mlog_batches, c->ckpt_checked ? "true" : "false",
		       (unsigned long long)c->map_mismatch);
		for (i = 0; i < c->nfind; i++) {
			if (i)
				fputs(", ", stdout);
			slc_json_str(stdout, c->findings[i]);
		}
		printf("], \"findings_not_listed\": %llu}\n", (unsigned long long)c->more);
	} else {
		printf("check: %llu log records replayable, %llu segments with a summary, "
		       "%llu live segment blocks verified, %llu parity rows verified\n",
		       (unsigned long long)c->records, (unsigned long long)c->segs_valid,
		       (unsigned long long)c->live_checked, (unsigned long long)c->parity_rows);
		if (c->ckpt_checked)
			printf("check: checkpoint generation %llu + %llu metadata-log batches; map "
			       "cross-checked against every segment summary: %llu blocks differ\n",
			       (unsigned long long)c->ckpt_generation,
			       (unsigned long long)c->mlog_batches,
			       (unsigned long long)c->map_mismatch);
		if (c->torn_summaries)
			printf("note: %llu segment(s) hold a torn/damaged summary that recovery "
			       "ignores (a segment write cut by a crash)\n",
			       (unsigned long long)c->torn_summaries);
		for (i = 0; i < c->nfind; i++)
			printf("FINDING: %s\n", c->findings[i]);
		if (c->more)
			printf("FINDING: ... and %llu more\n", (unsigned long long)c->more);
		printf("%s\n", c->nfind ? "check: NOT clean" : "check: clean");
	}
	for (i = 0; i < c->nfind; i++)
		free(c->findings[i]);
	return c->nfind ? SLC_EXIT_FINDINGS : 0;
}

int slc_cmd_check(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check *c = calloc(1, sizeof(*c));
	struct sl_engine *e = NULL;
	const char *why;
	int opt, ret;

	if (!c)
		return SLC_EXIT_ERROR;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (opt == 'j') {
			c->json = true;
		} else if (opt == 'h') {
			check_usage(stdout);
			free(c);
			return 0;
		} else {
			check_usage(stderr);
			free(c);
			return SLC_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		check_usage(stderr);
		free(c);
		return SLC_EXIT_USAGE;
	}
	if (slc_vol_open(&c->v, argv[optind], (u32)(argc - optind - 1), argv + optind + 1, &why)) {
		finding(c, "%s: %s", argv[optind], why);
		ret = check_report(c);
		free(c);
		return ret;
	}
	if (c->v.d.ndev - 1 != c->v.sb.geo.k + c->v.sb.geo.m) {
		fprintf(stderr, "stripelog check: the volume has %u capacity legs, %u given\n",
			c->v.sb.geo.k + c->v.sb.geo.m, c->v.d.ndev - 1);
		slc_vol_close(&c->v);
		free(c);
		return SLC_EXIT_USAGE;
	}
	if (c->v.d.blocks[0] < c->v.sb.geo.perf_blocks)
		finding(c, "perf device smaller than the volume expects");
	check_legs(c);
	check_slots(c);
	if (!c->nfind)
		e = check_recover(c);
	check_segments(c, e);
	if (e && c->v.sb.geo.mlog_blocks && !c->scanned) {
		c->ckpt_checked = true;
		c->map_mismatch = slc_check_ckpt_map(&c->v, e, check_mismatch, c);
	}
	sl_engine_destroy(e);
	slc_vol_close(&c->v);
	ret = check_report(c);
	free(c);
	return ret;
}
