// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary FUSE request bytes into the virtio-fs backend.
 *
 * Input: a sequence of records [u16 len][u16 reply_cap][u8 flags][len bytes],
 * each sent as one request with a reply buffer of reply_cap bytes (its own
 * allocation, so ASan sees any write past it). flags bit 0: fix in.len to
 * the record's length (so the fuzzer reaches the handlers more often);
 * bit 1: only the first 80 bytes (a WRITE's header + write_in) are the
 * copy, the rest goes in as a tail of two separately allocated pieces, as
 * ivshmd's glue passes a WRITE's data (fs_server_handle_tail()).
 * The server has a DAX window of two chunks (SETUPMAPPING/REMOVEMAPPING,
 * and the writebacks around WRITE/truncate/FALLOCATE, are reachable); the
 * INIT asks for everything, per-inode DAX included.
 * Every input runs on a fresh server over an emptied root after an INIT,
 * so nodeids (2, 3, ...) and fhs (1, 2, ...) are deterministic.
 * After each input: nothing may exist outside the root but the sentinel,
 * and every fd the server opened is closed again.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static char sentinel[400];

static void wipe_root(void)
{
	DIR *d = opendir(dirs.root);
	struct dirent *de;
	char p[700];

	if (!d)
		abort();
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dirs.root, de->d_name);
		fsk_rm_rf(p);
	}
	closedir(d);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void cleanup(void)
{
	fsk_rm_rf(dirs.base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	fsk_mkdirs(&dirs, "fuzz-fs-requests");
	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", dirs.outside);
	fd = open(sentinel, O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		abort();
	close(fd);
	atexit(cleanup);
	return 0;
}

static void check_confined(void)
{
	struct stat st;

	/* outside/ holds the sentinel only, untouched; base/ holds root and outside */
	if (count_entries(dirs.outside) != 1 || count_entries(dirs.base) != 2 ||
	    stat(sentinel, &st) || st.st_size != 0 || (st.st_mode & 07777) != 0600) {
		fprintf(stderr, "fuzz-fs-requests: something changed outside the root\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_config cfg = {
		.root = dirs.root, .tag = "fuzz", .no_workers = true, .quiet = true,
		.max_write = 65536, .max_inodes = 64, .max_handles = 16,
		.max_file_size = 1 << 20,
	};
	struct fuse_init_in init = { .major = 7, .minor = 36, .max_readahead = 65536,
				     .flags = 0xffffffffu, .flags2 = 0xffffffffu };
	static const size_t dax_len = 4u << 20;
	static void *dax;
	unsigned char hdrbuf[sizeof(struct fuse_in_header) + sizeof(init)];
	struct fuse_in_header in;
	struct fs_server *srv;
	unsigned char reply[256];
	struct iovec iov = { reply, sizeof(reply) };
	int err = 0, nreq = 0, fds = fsk_count_fds();

	wipe_root();
	srv = fs_server_new(&cfg, &err);
	if (!srv)
		abort();
	if (!dax) {
		dax = malloc(dax_len);
		if (!dax)
			abort();
	}
	fs_server_set_dax(srv, dax, dax_len);
	memset(&in, 0, sizeof(in));
	in.opcode = FUSE_INIT;
	in.unique = 1;
	in.len = sizeof(hdrbuf);
	memcpy(hdrbuf, &in, sizeof(in));
	memcpy(hdrbuf + sizeof(in), &init, sizeof(init));
	if (fs_server_handle(srv, hdrbuf, sizeof(hdrbuf), &iov, 1) <= 0)
		abort();

	while (size >= 5 && nreq++ < 64) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;
		size_t cap = (size_t)data[2] | (size_t)data[3] << 8;
		uint8_t flags = data[4];
		unsigned char *req, *rep;
		struct iovec riov[2];
		long r;

		data += 5;
		size -= 5;
		if (len > size)
			len = size;
		/* private copies, exactly sized: ASan catches any overrun */
		req = malloc(len ? len : 1);
		rep = malloc(cap ? cap : 1);
		if (!req || !rep)
			abort();
		memcpy(req, data, len);
		if ((flags & 1) && len >= sizeof(in)) {
			memcpy(&in, req, sizeof(in));
			in.len = (uint32_t)len;
			memcpy(req, &in, sizeof(in));
		}
		riov[0].iov_base = rep;
		riov[0].iov_len = cap / 3;
		riov[1].iov_base = rep + cap / 3;
		riov[1].iov_len = cap - cap / 3;
		if ((flags & 2) && len > 80) {
			/* the tail in two exact allocations: ASan sees overreads */
			size_t t = len - 80, a = t / 2;
			unsigned char *t0 = malloc(a ? a : 1), *t1 = malloc(t - a ? t - a : 1);
			struct iovec tiov[2] = { { t0, a }, { t1, t - a } };

			if (!t0 || !t1)
				abort();
			memcpy(t0, req + 80, a);
			memcpy(t1, req + 80 + a, t - a);
			r = fs_server_handle_tail(srv, req, 80, tiov, 2, t, riov, 2);
			free(t0);
			free(t1);
		} else {
			r = fs_server_handle(srv, req, len, riov, 2);
		}
		if (r > (long)cap)
			abort();
		if (r >= (long)sizeof(struct fuse_out_header)) {
			struct fuse_out_header out;

			memcpy(&out, rep, sizeof(out));
			if (out.len != (uint64_t)r || out.error > 0 || out.error < -4095 ||
			    (out.error && r != sizeof(out)))
				abort();
		}
		free(req);
		free(rep);
		data += len;
		size -= len;
	}
	fs_server_free(srv);
	if (fsk_count_fds() != fds) {
		fprintf(stderr, "fuzz-fs-requests: file descriptor leaked\n");
		abort();
	}
	check_confined();
	return 0;
}
