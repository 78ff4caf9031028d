// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmd --writeback: FUSE_WRITEBACK_CACHE is granted in INIT exactly when
 * the server is configured for it and the guest offers it.  Once granted,
 * files the guest opens write-only are opened read-write on the host (the
 * guest reads around partial pages through any handle) and without
 * O_APPEND (the guest places appends itself; a host O_APPEND would make
 * pwrite ignore the guest's offset), for OPEN and CREATE alike.  Without
 * it, write-only stays write-only (READ is EBADF) and O_APPEND appends.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static struct fsk k;

/* Write "hello" then "XY" at offset 1 through @fh; check READ and the host. */
static void check_handle(uint64_t ino, uint64_t fh, const char *name, bool wb)
{
	char buf[64];
	int n;

	FSK_EQ(fsk_write(&k, ino, fh, 0, "hello", 5), 0);
	FSK_EQ(fsk_write(&k, ino, fh, 1, "XY", 2), 0);
	buf[fsk_host_read(&dirs, name, buf, sizeof(buf) - 1)] = 0;
	/* O_APPEND dropped with writeback: the offsets hold */
	FSK_CHECK(!strcmp(buf, wb ? "hXYlo" : "helloXY"));
	n = fsk_read(&k, ino, fh, 0, 16);
	if (wb) {
		FSK_EQ(n, 5);
		FSK_CHECK(!memcmp(k.payload, "hXYlo", 5));
	} else {
		FSK_EQ(n, -EBADF);	/* a write-only handle, as opened */
	}
}

static void run(bool cfg_wb, bool offered)
{
	struct fs_config cfg = { .root = dirs.root, .tag = "t", .nthreads = 1, .quiet = true,
				 .writeback = cfg_wb };
	bool wb = cfg_wb && offered;
	struct fuse_init_out io;
	struct fs_server *srv;
	uint64_t ino, fh;
	int err = 0;

	srv = fs_server_new(&cfg, &err);
	FSK_CHECK(srv);
	fsk_init(&k, srv);
	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ | (offered ? FUSE_WRITEBACK_CACHE : 0)), 0);
	fsk_payload(&k, &io, sizeof(io));
	FSK_EQ(!!(io.flags & FUSE_WRITEBACK_CACHE), wb);

	/* CREATE write-only, appending */
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "c", 0644, O_WRONLY | O_CREAT | O_APPEND, &ino, &fh),
	       0);
	check_handle(ino, fh, "c", wb);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);

	/* OPEN of an existing file, write-only, appending */
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "o", 0644, O_RDWR | O_CREAT, &ino, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(fsk_open(&k, ino, O_WRONLY | O_APPEND, &fh), 0);
	check_handle(ino, fh, "o", wb);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);

	/* read-only opens stay read-only: WRITE through them fails */
	FSK_EQ(fsk_open(&k, ino, O_RDONLY, &fh), 0);
	{
		struct fuse_write_in in = { .fh = fh, .offset = 0, .size = 1 };

		fsk_begin(&k, FUSE_WRITE, ino);
		fsk_put(&k, &in, sizeof(in));
		fsk_put(&k, "z", 1);
		FSK_EQ(fsk_send(&k), -EBADF);
	}
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);

	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "c"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "o"), 0);
	fsk_fini(&k);
	fs_server_free(srv);
}

int main(void)
{
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-writeback");
	run(false, false);
	run(false, true);	/* offered, not configured: not granted */
	run(true, false);	/* configured, not offered: not granted */
	run(true, true);
	FSK_EQ(fsk_count_fds(), fds_before);
	fsk_rm_rf(dirs.base);
	printf("test-fs-writeback: ok\n");
	return 0;
}
