// SPDX-License-Identifier: GPL-2.0
/* ivshmd: ivshmem server and virtio device side. (Scaffolding.) */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: ivshmd --socket PATH --shm-size SIZE --blk FILE (not implemented yet)\n");
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
