// SPDX-License-Identifier: GPL-2.0
/* stripelog create: build the table line from the devices, create the dm device. */
#include "slc.h"
#include <libdevmapper.h>
#include <getopt.h>
#include <string.h>
#include <stdlib.h>

static void create_usage(FILE *f)
{
	fprintf(f,
		"usage: stripelog create [--dry-run] [--size BYTES] <name> <perf_dev> <k> <m>\n"
		"                        <cap_dev>... [<#opts> <name> <value>...]\n"
		"Creates /dev/mapper/<name> with the stripelog target.  The length comes\n"
		"from the perf superblock; a blank perf device gets the largest size the\n"
		"legs hold (or --size) and is formatted by the kernel on first load.\n"
		"  --dry-run     print the table line, create nothing\n"
		"  --size BYTES  logical size for a blank volume\n"
		"  -h, --help    this text\n");
}

/* Volume length in 4 KiB blocks: from the superblock, or what the kernel will format. */
static int create_length(const struct sl_table_args *a, u64 want_blocks, u64 *blocks)
{
	struct sl_format_params fp;
	struct sl_geometry g;
	struct slc_devs d;
	const char *why;
	u8 *buf = malloc(SL_BLOCK_SIZE);
	struct sl_sb sb;
	u32 i;
	int err = -EIO;

	if (!buf || slc_devs_open(&d, a->perf_dev, a->k + a->m, (char **)a->cap_dev, false)) {
		free(buf);
		return -EIO;
	}
	if (slc_dev_ops.read(&d, SL_DEV_PERF, 0, 1, buf)) {
		fprintf(stderr, "stripelog create: %s: cannot read\n", a->perf_dev);
	} else if (!sl_block_is_zero(buf)) {
		err = sl_sb_decode(buf, &sb, &why);
		if (err)
			fprintf(stderr, "stripelog create: %s: %s\n", a->perf_dev, why);
		else
			*blocks = sb.geo.logical_blocks;
	} else {
		memset(&fp, 0, sizeof(fp));
		fp.perf_blocks = d.blocks[0];
		fp.leg_blocks = d.blocks[1];
		for (i = 2; i < d.ndev; i++)
			fp.leg_blocks = fp.leg_blocks < d.blocks[i] ? fp.leg_blocks : d.blocks[i];
		fp.k = a->k;
		fp.m = a->m;
		fp.logical_blocks = want_blocks;
		fp.stripe_unit_blocks = a->stripe_unit_kb / 4;
		err = sl_geometry_compute(&fp, &g, &why);
		if (err)
			fprintf(stderr, "stripelog create: %s\n", why);
		else
			*blocks = g.logical_blocks;
	}
	slc_devs_close(&d);
	free(buf);
	return err;
}

static int create_dm(const char *name, u64 sectors, const char *params)
{
	struct dm_task *dmt;
	uint32_t cookie = 0;
	int ok;

	dmt = dm_task_create(DM_DEVICE_CREATE);
	if (!dmt)
		return -ENOMEM;
	ok = dm_task_set_name(dmt, name) &&
	     dm_task_add_target(dmt, 0, sectors, "stripelog", params) &&
	     dm_task_set_cookie(dmt, &cookie, 0) && dm_task_run(dmt);
	if (cookie)
		dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	if (!ok) {
		fprintf(stderr, "stripelog create: device-mapper refused the table "
			"(the kernel's reason is in dmesg / the message above)\n");
		return -EIO;
	}
	return 0;
}

int slc_cmd_create(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sl_table_args a;
	const char *why, *name;
	bool dry = false;
	u64 bytes = 0, blocks = 0;
	char params[4096];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry = true;
			break;
		case 's':
			if (slc_parse_size(optarg, &bytes) || !bytes || bytes % SL_BLOCK_SIZE) {
				fprintf(stderr, "stripelog create: bad --size '%s'\n", optarg);
				return SLC_EXIT_USAGE;
			}
			break;
		case 'h':
			create_usage(stdout);
			return 0;
		default:
			create_usage(stderr);
			return SLC_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		create_usage(stderr);
		return SLC_EXIT_USAGE;
	}
	name = argv[optind];
	if (sl_table_parse((unsigned int)(argc - optind - 1), argv + optind + 1, &a, &why)) {
		fprintf(stderr, "stripelog create: %s\n", why);
		return SLC_EXIT_USAGE;
	}
	if (create_length(&a, bytes / SL_BLOCK_SIZE, &blocks))
		return SLC_EXIT_ERROR;
	if (sl_table_format(&a, NULL, NULL, params, sizeof(params)) >= (int)sizeof(params)) {
		fprintf(stderr, "stripelog create: table line too long\n");
		return SLC_EXIT_USAGE;
	}
	if (dry) {
		printf("0 %llu stripelog %s\n", (unsigned long long)blocks * SL_SECTORS_PER_BLOCK,
		       params);
		return 0;
	}
	if (create_dm(name, blocks * SL_SECTORS_PER_BLOCK, params))
		return SLC_EXIT_ERROR;
	printf("created /dev/mapper/%s: 0 %llu stripelog %s\n", name,
	       (unsigned long long)blocks * SL_SECTORS_PER_BLOCK, params);
	return 0;
}
