// SPDX-License-Identifier: GPL-2.0
/* stripelog: format, inspect and create dm-stripelog volumes. (Scaffolding.) */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: stripelog <command> [options]\n"
		   "commands: format, dump, check, create, status (not implemented yet)\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
