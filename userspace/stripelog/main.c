// SPDX-License-Identifier: GPL-2.0
/* stripelog: format, inspect, check, create and watch dm-stripelog volumes. */
#include "slc.h"
#include <string.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stripelog <command> [options]\n"
		"commands:\n"
		"  format   write a new volume's superblocks to a perf device and its legs\n"
		"  dump     print superblock, log header slots, the log record chain, segments\n"
		"  check    offline consistency check (exit 0 clean, 1 with findings)\n"
		"  create   build the table line from the devices and create the dm device\n"
		"  status   show a volume's status line, pretty or --json\n"
		"Run 'stripelog <command> --help' for the options of each command.\n");
}

bool slc_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int slc_parse_size(const char *s, u64 *bytes)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	u64 mul = 1;

	if (end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	default: break;
	}
	if (*end || (v && mul > ~0ull / v))
		return -EINVAL;
	*bytes = v * mul;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
		{ "format", slc_cmd_format }, { "dump", slc_cmd_dump },
		{ "check", slc_cmd_check }, { "create", slc_cmd_create },
		{ "status", slc_cmd_status },
	};
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return SLC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "stripelog: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return SLC_EXIT_USAGE;
}
