// SPDX-License-Identifier: GPL-2.0
/* stripelog dump: superblock, log header slots, record chain, segments. */
#include "slc.h"
#include <getopt.h>
#include <string.h>
#include <stdlib.h>

struct dump_ctx {
	FILE *f;
	bool json;
	u64 limit, shown;
	s64 segment;		/* list this segment's entries, -1: none */
};

static void dump_usage(FILE *f)
{
	fprintf(f,
		"usage: stripelog dump [--json] [--records N] [--segment S] <perf_dev> [<cap_dev>...]\n"
		"Prints the superblock, both log header slots, the log records the kernel\n"
		"would replay (from the newest valid slot's tail) and, when capacity\n"
		"devices are given, every valid segment summary.\n"
		"  --json          machine-readable output\n"
		"  --records N     list at most N records (default 64, 0 = all)\n"
		"  --segment S     also list every summary entry of segment S: data slot,\n"
		"                  lba, seq, crc and the leg and leg block holding it\n"
		"  -h, --help      this text\n");
}

static void dump_sb(FILE *f, const struct sl_sb *sb, bool json)
{
	const struct sl_geometry *g = &sb->geo;
	char uuid[33];

	slc_hex(uuid, sb->uuid, SL_UUID_SIZE);
	if (json) {
		fprintf(f, "\"superblock\": {\"version\": %u, \"uuid\": \"%s\", \"ctime\": %llu, "
			"\"k\": %u, \"m\": %u, \"logical_blocks\": %llu, \"perf_blocks\": %llu, "
			"\"log_start\": %llu, \"log_blocks\": %llu, \"stripe_unit_blocks\": %u, "
			"\"leg_blocks\": %llu, \"seg_start\": %llu, \"seg_leg_blocks\": %u, "
			"\"seg_sum_blocks\": %u, \"nr_segments\": %llu, \"feat_compat\": %u, "
			"\"feat_incompat\": %u, \"feat_ro_compat\": %u}",
			sb->version, uuid, (unsigned long long)sb->ctime, g->k, g->m,
			(unsigned long long)g->logical_blocks, (unsigned long long)g->perf_blocks,
			(unsigned long long)g->log_start, (unsigned long long)g->log_blocks,
			g->stripe_unit_blocks, (unsigned long long)g->leg_blocks,
			(unsigned long long)g->seg_start, g->seg_leg_blocks, g->seg_sum_blocks,
			(unsigned long long)g->nr_segments, sb->feat_compat, sb->feat_incompat,
			sb->feat_ro_compat);
		return;
	}
	fprintf(f, "superblock: format v%u, volume %s, created %llu\n", sb->version, uuid,
		(unsigned long long)sb->ctime);
	fprintf(f, "  k=%u m=%u, logical %llu blocks (%llu MiB)\n", g->k, g->m,
		(unsigned long long)g->logical_blocks,
		(unsigned long long)(g->logical_blocks >> 8));
	fprintf(f, "  perf: %llu blocks, data log at %llu, %llu blocks\n",
		(unsigned long long)g->perf_blocks, (unsigned long long)g->log_start,
		(unsigned long long)g->log_blocks);
	fprintf(f, "  legs: %llu blocks, %llu segments from block %llu, %u blocks/leg each "
		"(%u summary), stripe unit %u blocks\n", (unsigned long long)g->leg_blocks,
		(unsigned long long)g->nr_segments, (unsigned long long)g->seg_start,
		g->seg_leg_blocks, g->seg_sum_blocks, g->stripe_unit_blocks);
}

static void dump_slots(FILE *f, const struct slc_vol *v, bool json)
{
	u32 i;

	for (i = 0; i < SL_NR_LOGHDR_SLOTS; i++) {
		const struct sl_loghdr *lh = &v->lh[i];

		if (json) {
			fprintf(f, "%s{\"slot\": %u, \"block\": %u, \"valid\": %s, \"newest\": %s, "
				"\"generation\": %llu, \"tail_pos\": %llu, \"tail_prev_seq\": %llu, "
				"\"next_seg_seq\": %llu, \"next_seg\": %lld, \"stale_legs\": %llu, "
				"\"reason\": ", i ? ", " : "", i,
				SL_LOGHDR_BLOCK0 + i, v->lh_err[i] ? "false" : "true",
				(int)i == v->best ? "true" : "false",
				(unsigned long long)lh->generation, (unsigned long long)lh->tail_pos,
				(unsigned long long)lh->tail_prev_seq,
				(unsigned long long)lh->next_seg_seq,
				lh->next_seg == SL_NO_SEG ? -1ll : (long long)lh->next_seg,
				(unsigned long long)(lh->flags & SL_LH_STALE_LEGS));
			slc_json_str(f, v->lh_why[i]);
			fputc('}', f);
			continue;
		}
		if (v->lh_err[i]) {
			fprintf(f, "log header slot %u (block %u): invalid: %s\n", i,
				SL_LOGHDR_BLOCK0 + i, v->lh_why[i]);
			continue;
		}
		fprintf(f, "log header slot %u (block %u): generation %llu, tail %llu, "
			"tail_prev_seq %llu, next_seg_seq %llu, next segment %lld, stale legs 0x%llx%s\n",
			i, SL_LOGHDR_BLOCK0 + i,
			(unsigned long long)lh->generation, (unsigned long long)lh->tail_pos,
			(unsigned long long)lh->tail_prev_seq, (unsigned long long)lh->next_seg_seq,
			lh->next_seg == SL_NO_SEG ? -1ll : (long long)lh->next_seg,
			(unsigned long long)(lh->flags & SL_LH_STALE_LEGS),
			(int)i == v->best ? "  <- newest" : "");
	}
}

static int dump_record(void *ctx, const struct sl_rec_hdr *h, u64 pos, u64 waste)
{
	struct dump_ctx *c = ctx;
	u32 i;

	if (c->limit && c->shown >= c->limit)
		return 0;
	if (c->json) {
		fprintf(c->f, "%s{\"seq\": %llu, \"prev_seq\": %llu, \"pos\": %llu, \"waste\": %llu, "
			"\"data_blocks\": %u, \"entries\": [", c->shown ? ", " : "",
			(unsigned long long)h->seq, (unsigned long long)h->prev_seq,
			(unsigned long long)pos, (unsigned long long)waste, h->nr_blocks);
		for (i = 0; i < h->nr_entries; i++)
			fprintf(c->f, "%s{\"lba\": %llu, \"nblocks\": %u, \"type\": \"%s\"%s}",
				i ? ", " : "", (unsigned long long)h->entries[i].lba,
				h->entries[i].nblocks,
				h->entries[i].flags & SL_EF_DATA ? "data" : "discard",
				h->entries[i].flags & SL_EF_FUA ? ", \"fua\": true" : "");
		fprintf(c->f, "]}");
	} else {
		fprintf(c->f, "  record seq %llu (prev %llu) at log block %llu%s: %u entries, "
			"%u data blocks\n", (unsigned long long)h->seq,
			(unsigned long long)h->prev_seq, (unsigned long long)pos,
			waste ? " (wrapped)" : "", h->nr_entries, h->nr_blocks);
		for (i = 0; i < h->nr_entries; i++)
			fprintf(c->f, "    %s lba %llu +%u%s\n",
				h->entries[i].flags & SL_EF_DATA ? "DATA   " : "DISCARD",
				(unsigned long long)h->entries[i].lba, h->entries[i].nblocks,
				h->entries[i].flags & SL_EF_FUA ? " FUA" : "");
	}
	c->shown++;
	return 0;
}

static int dump_chain(struct slc_vol *v, struct dump_ctx *c)
{
	struct sl_walk_result res;
	const struct sl_loghdr *lh = &v->lh[v->best];
	int err;

	if (c->json)
		fprintf(c->f, ", \"records\": [");
	else
		fprintf(c->f, "log chain from tail %llu (after seq %llu):\n",
			(unsigned long long)lh->tail_pos, (unsigned long long)lh->tail_prev_seq);
	err = sl_log_walk(&v->sb, &slc_dev_ops, &v->d, lh->tail_pos, lh->tail_prev_seq,
			  dump_record, c, &res);
	if (c->json)
		fprintf(c->f, "], \"log\": {\"records\": %llu, \"data_blocks\": %llu, "
			"\"head\": %llu, \"last_seq\": %llu}", (unsigned long long)res.records,
			(unsigned long long)res.blocks, (unsigned long long)res.end_pos,
			(unsigned long long)res.last_seq);
	else
		fprintf(c->f, "  %llu records, %llu data blocks; head at %llu, last seq %llu%s\n",
			(unsigned long long)res.records, (unsigned long long)res.blocks,
			(unsigned long long)res.end_pos, (unsigned long long)res.last_seq,
			c->limit && res.records > c->limit ? " (list truncated, see --records)" : "");
	return err;
}

static void dump_entries(struct slc_vol *v, struct dump_ctx *c, const void *buf,
			 const struct sl_sum_hdr *h, u64 seg)
{
	const struct sl_geometry *g = &v->sb.geo;
	struct sl_sum_entry e;
	u64 blk = 0;
	u32 i, leg = 0;

	fprintf(c->f, c->json ? ", \"entry_list\": [" : "");
	for (i = 0; i < h->nr_entries; i++) {
		sl_sum_entry_get(buf, i, &e);
		if (e.flags & SL_EF_DATA)
			sl_seg_locate(g, seg, (u64)g->seg_sum_blocks + e.slot, &leg, &blk);
		if (c->json && (e.flags & SL_EF_DATA))
			fprintf(c->f, "%s{\"lba\": %llu, \"seq\": %llu, \"slot\": %u, "
				"\"data_crc\": %u, \"leg\": %u, \"leg_block\": %llu}",
				i ? ", " : "", (unsigned long long)e.lba,
				(unsigned long long)e.seq, e.slot, e.data_crc, leg,
				(unsigned long long)blk);
		else if (c->json)
			fprintf(c->f, "%s{\"lba\": %llu, \"seq\": %llu, \"discard_blocks\": %u}",
				i ? ", " : "", (unsigned long long)e.lba,
				(unsigned long long)e.seq, e.nblocks);
		else if (e.flags & SL_EF_DATA)
			fprintf(c->f, "    lba %llu seq %llu: slot %u, crc %08x, leg %u block %llu\n",
				(unsigned long long)e.lba, (unsigned long long)e.seq, e.slot,
				e.data_crc, leg, (unsigned long long)blk);
		else
			fprintf(c->f, "    lba %llu seq %llu: discard of %u blocks\n",
				(unsigned long long)e.lba, (unsigned long long)e.seq, e.nblocks);
	}
	if (c->json)
		fputc(']', c->f);
}

static void dump_segments(struct slc_vol *v, struct dump_ctx *c)
{
	const struct sl_geometry *g = &v->sb.geo;
	struct sl_sum_hdr h;
	const char *why;
	u64 s, valid = 0;
	void *buf = malloc((size_t)g->seg_sum_blocks * SL_BLOCK_SIZE);

	if (!buf)
		return;
	fprintf(c->f, c->json ? ", \"segments\": [" : "segments:\n");
	for (s = 0; s < g->nr_segments; s++) {
		if (slc_vol_read_summary(v, s, buf, &h, &why))
			continue;
		if (c->json)
			fprintf(c->f, "%s{\"index\": %llu, \"seg_seq\": %llu, \"entries\": %u, "
				"\"data_slots\": %u, \"max_seq\": %llu", valid ? ", " : "",
				(unsigned long long)s, (unsigned long long)h.seg_seq, h.nr_entries,
				h.nr_data, (unsigned long long)h.max_seq);
		else
			fprintf(c->f, "  segment %llu: seg_seq %llu, %u entries, %u data blocks, "
				"max seq %llu\n", (unsigned long long)s,
				(unsigned long long)h.seg_seq, h.nr_entries, h.nr_data,
				(unsigned long long)h.max_seq);
		if (c->segment >= 0 && (u64)c->segment == s)
			dump_entries(v, c, buf, &h, s);
		if (c->json)
			fputc('}', c->f);
		valid++;
	}
	if (c->json)
		fprintf(c->f, "], \"segments_with_summary\": %llu", (unsigned long long)valid);
	else
		fprintf(c->f, "  %llu of %llu segments carry a summary of this volume\n",
			(unsigned long long)valid, (unsigned long long)g->nr_segments);
	free(buf);
}

int slc_cmd_dump(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "records", required_argument, NULL, 'r' },
		{ "segment", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_ctx c = { .f = stdout, .limit = 64, .segment = -1 };
	struct slc_vol v;
	const char *why;
	char *end;
	int opt, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'r':
			c.limit = strtoull(optarg, &end, 10);
			if (*end) {
				fprintf(stderr, "stripelog dump: bad --records '%s'\n", optarg);
				return SLC_EXIT_USAGE;
			}
			break;
		case 's':
			c.segment = (s64)strtoull(optarg, &end, 10);
			if (*end || !*optarg || c.segment < 0) {
				fprintf(stderr, "stripelog dump: bad --segment '%s'\n", optarg);
				return SLC_EXIT_USAGE;
			}
			break;
		case 'h':
			dump_usage(stdout);
			return 0;
		default:
			dump_usage(stderr);
			return SLC_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		dump_usage(stderr);
		return SLC_EXIT_USAGE;
	}
	if (slc_vol_open(&v, argv[optind], (u32)(argc - optind - 1), argv + optind + 1, &why)) {
		fprintf(stderr, "stripelog dump: %s: %s\n", argv[optind], why);
		return SLC_EXIT_FINDINGS;
	}
	if (c.json)
		fputc('{', c.f);
	dump_sb(c.f, &v.sb, c.json);
	fprintf(c.f, c.json ? ", \"log_header_slots\": [" : "");
	dump_slots(c.f, &v, c.json);
	if (c.json)
		fputc(']', c.f);
	if (v.best >= 0)
		err = dump_chain(&v, &c);
	else if (!c.json)
		fprintf(c.f, "no valid log header slot: the log cannot be replayed\n");
	slc_dump_meta(&v, c.f, c.json, c.limit);
	if (v.d.ndev > 1)
		dump_segments(&v, &c);
	if (c.json)
		fprintf(c.f, "}\n");
	slc_vol_close(&v);
	if (err) {
		fprintf(stderr, "stripelog dump: reading the log failed (%d)\n", err);
		return SLC_EXIT_ERROR;
	}
	return v.best >= 0 ? 0 : SLC_EXIT_FINDINGS;
}
