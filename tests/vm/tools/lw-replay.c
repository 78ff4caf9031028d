// SPDX-License-Identifier: GPL-2.0
/*
 * lw-replay: a small userspace reader of the dm-log-writes log format, for the
 * stripelog power-cut tests (Debian ships no replay-log).
 *
 *   lw-replay list LOGDEV
 *	one line per entry: "<index> <flags> <sector> <nr_sectors> [<mark>]"
 *	flags is a string of F (flush), U (FUA), D (discard), M (mark), T (metadata)
 *   lw-replay replay LOGDEV DEV FROM TO
 *	applies entries FROM..TO-1 (0-based) to DEV; discards become zeros
 *
 * Log layout (see drivers/md/dm-log-writes.c): a superblock in the first
 * device sector (magic, version, nr_entries, sectorsize), then per entry one
 * sector holding {sector, nr_sectors, flags, data_len} (+ mark text), followed
 * by nr_sectors sectors of data unless the entry is a discard.  Sector numbers
 * are in units of sectorsize.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LW_MAGIC 0x6a736677736872ULL
#define LW_FLUSH 1u
#define LW_FUA 2u
#define LW_DISCARD 4u
#define LW_MARK 8u
#define LW_META 16u

struct lw_super {
	uint64_t magic;
	uint64_t version;
	uint64_t nr_entries;
	uint32_t sectorsize;
} __attribute__((packed));

struct lw_entry {
	uint64_t sector;
	uint64_t nr_sectors;
	uint64_t flags;
	uint64_t data_len;
} __attribute__((packed));

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void xpread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		fprintf(stderr, "lw-replay: short read at %lld\n", (long long)off);
		exit(1);
	}
}

static void xpwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	if (n != (ssize_t)len) {
		fprintf(stderr, "lw-replay: short write at %lld\n", (long long)off);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct lw_super sb;
	uint64_t nr, ss, i, from = 0, to = 0;
	int list, lfd, dfd = -1;
	off_t pos;
	char *sec, *data = NULL;
	size_t data_cap = 0;

	if (argc == 3 && !strcmp(argv[1], "list")) {
		list = 1;
	} else if (argc == 6 && !strcmp(argv[1], "replay")) {
		list = 0;
		from = strtoull(argv[4], NULL, 0);
		to = strtoull(argv[5], NULL, 0);
	} else {
		fprintf(stderr, "usage: lw-replay list LOG | replay LOG DEV FROM TO\n");
		return 2;
	}
	lfd = open(argv[2], O_RDONLY);
	if (lfd < 0)
		die(argv[2]);
	if (!list) {
		dfd = open(argv[3], O_WRONLY);
		if (dfd < 0)
			die(argv[3]);
	}
	xpread(lfd, &sb, sizeof(sb), 0);
	if (le64toh(sb.magic) != LW_MAGIC || le64toh(sb.version) != 1) {
		fprintf(stderr, "lw-replay: %s is not a dm-log-writes log\n", argv[2]);
		return 1;
	}
	nr = le64toh(sb.nr_entries);
	ss = le32toh(sb.sectorsize);
	if (ss < 512 || ss > 65536 || (ss & (ss - 1))) {
		fprintf(stderr, "lw-replay: bad sector size %" PRIu64 "\n", ss);
		return 1;
	}
	sec = malloc(ss);
	if (!sec)
		die("malloc");
	pos = ss;
	for (i = 0; i < nr && (list || i < to); i++) {
		struct lw_entry e;
		uint64_t flags, len;

		xpread(lfd, sec, ss, pos);
		memcpy(&e, sec, sizeof(e));
		pos += ss;
		flags = le64toh(e.flags);
		len = le64toh(e.nr_sectors) * ss;
		if (list) {
			printf("%" PRIu64 " %s%s%s%s%s- %" PRIu64 " %" PRIu64, i,
			       flags & LW_FLUSH ? "F" : "", flags & LW_FUA ? "U" : "",
			       flags & LW_DISCARD ? "D" : "", flags & LW_MARK ? "M" : "",
			       flags & LW_META ? "T" : "", le64toh(e.sector),
			       le64toh(e.nr_sectors));
			if (flags & LW_MARK) {
				uint64_t dl = le64toh(e.data_len);

				if (dl > ss - sizeof(e))
					dl = ss - sizeof(e);
				printf(" %.*s", (int)dl, sec + sizeof(e));
			}
			printf("\n");
		}
		if (!(flags & LW_DISCARD) && len) {
			if (len > data_cap) {
				free(data);
				data = malloc(len);
				if (!data)
					die("malloc");
				data_cap = len;
			}
			xpread(lfd, data, len, pos);
			pos += len;
		}
		if (list || i < from || !len)
			continue;
		if (flags & LW_DISCARD) {
			char *z = calloc(1, len);

			if (!z)
				die("calloc");
			xpwrite(dfd, z, len, le64toh(e.sector) * ss);
			free(z);
		} else {
			xpwrite(dfd, data, len, le64toh(e.sector) * ss);
		}
	}
	if (!list && fsync(dfd))
		die("fsync");
	free(data);
	free(sec);
	return 0;
}
