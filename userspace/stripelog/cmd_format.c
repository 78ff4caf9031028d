// SPDX-License-Identifier: GPL-2.0
/* stripelog format: write a new volume onto a perf device and its legs. */
#include "slc.h"
#include <getopt.h>
#include <string.h>
#include <stdlib.h>

static void format_usage(FILE *f)
{
	fprintf(f,
		"usage: stripelog format [options] <perf_dev> <k> <m> <cap_dev>...\n"
		"Writes the superblock and log header slots to <perf_dev> and a leg\n"
		"superblock to each capacity device (files or block devices).\n"
		"  --size BYTES          logical volume size (default: all the legs hold)\n"
		"  --log-size BYTES      data log size (default: the whole perf device)\n"
		"  --segment-kb N        segment size per leg in KiB (default 1024)\n"
		"  --stripe-unit-kb N    stripe unit in KiB (default 64)\n"
		"  --force               overwrite devices that are not blank\n"
		"  --no-metadata-log     the format from before checkpoints: no metadata log,\n"
		"                        recovery scans every segment summary (compatibility)\n"
		"  -h, --help            this text\n"
		"k >= 1 data legs, m = 0, 1 or 2 parity legs, k + m <= 16.\n");
}

static int refuse_nonblank(struct slc_devs *d)
{
	u8 *buf = malloc(SL_BLOCK_SIZE);
	u32 i;
	int bad = 0;

	for (i = 0; buf && i < d->ndev; i++) {
		if (slc_dev_ops.read(d, i, 0, 1, buf)) {
			fprintf(stderr, "stripelog format: %s: cannot read\n", d->path[i]);
			bad = 1;
		} else if (!sl_block_is_zero(buf)) {
			fprintf(stderr, "stripelog format: %s is not blank (first 4 KiB in use); "
				"use --force to overwrite\n", d->path[i]);
			bad = 1;
		}
	}
	free(buf);
	return bad;
}

static int opt_kb_blocks(const char *s, u32 *blocks)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !v || v % 4 || v > 4ul << 20)
		return -EINVAL;
	*blocks = (u32)(v / 4);
	return 0;
}

int slc_cmd_format(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "size", required_argument, NULL, 's' },
		{ "log-size", required_argument, NULL, 'l' },
		{ "segment-kb", required_argument, NULL, 'g' },
		{ "stripe-unit-kb", required_argument, NULL, 'u' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-metadata-log", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sl_format_params fp;
	struct sl_table_args ta;
	struct slc_devs d;
	struct sl_sb sb;
	const char *why = NULL;
	bool force = false;
	u64 bytes;
	char uuid[33];
	int c, err;
	u32 i;

	memset(&fp, 0, sizeof(fp));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'l':
			if (slc_parse_size(optarg, &bytes) || bytes % SL_BLOCK_SIZE || !bytes) {
				fprintf(stderr, "stripelog format: bad size '%s' (a multiple of 4096)\n",
					optarg);
				return SLC_EXIT_USAGE;
			}
			if (c == 's')
				fp.logical_blocks = bytes / SL_BLOCK_SIZE;
			else
				fp.log_blocks = bytes / SL_BLOCK_SIZE;
			break;
		case 'g':
		case 'u':
			if (opt_kb_blocks(optarg, c == 'g' ? &fp.seg_leg_blocks :
					  &fp.stripe_unit_blocks)) {
				fprintf(stderr, "stripelog format: bad KiB value '%s'\n", optarg);
				return SLC_EXIT_USAGE;
			}
			break;
		case 'L':
			fp.legacy = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			format_usage(stdout);
			return 0;
		default:
			format_usage(stderr);
			return SLC_EXIT_USAGE;
		}
	}
	if (sl_table_parse((unsigned int)(argc - optind), argv + optind, &ta, &why)) {
		fprintf(stderr, "stripelog format: %s\n", why);
		format_usage(stderr);
		return SLC_EXIT_USAGE;
	}
	if (ta.opts_given) {
		fprintf(stderr, "stripelog format: table options are not format options\n");
		return SLC_EXIT_USAGE;
	}
	if (slc_devs_open(&d, ta.perf_dev, ta.k + ta.m, (char **)ta.cap_dev, true))
		return SLC_EXIT_ERROR;
	if (!force && refuse_nonblank(&d)) {
		slc_devs_close(&d);
		return SLC_EXIT_ERROR;
	}
	fp.k = ta.k;
	fp.m = ta.m;
	fp.perf_blocks = d.blocks[0];
	fp.leg_blocks = d.blocks[1];
	for (i = 2; i < d.ndev; i++)
		fp.leg_blocks = fp.leg_blocks < d.blocks[i] ? fp.leg_blocks : d.blocks[i];
	err = sl_volume_format(&fp, &slc_dev_ops, &d, &sb, &why);
	slc_devs_close(&d);
	if (err) {
		fprintf(stderr, "stripelog format: %s\n", why);
		return SLC_EXIT_ERROR;
	}
	slc_hex(uuid, sb.uuid, SL_UUID_SIZE);
	printf("formatted volume %s: %llu bytes logical (%llu blocks), log %llu blocks, "
	       "%llu segments of %u blocks per leg, k=%u m=%u\n", uuid,
	       (unsigned long long)sb.geo.logical_blocks * SL_BLOCK_SIZE,
	       (unsigned long long)sb.geo.logical_blocks, (unsigned long long)sb.geo.log_blocks,
	       (unsigned long long)sb.geo.nr_segments, sb.geo.seg_leg_blocks, sb.geo.k, sb.geo.m);
	return 0;
}
