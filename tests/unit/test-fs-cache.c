// SPDX-License-Identifier: GPL-2.0
/*
 * The guest cache policy of ivshmd --cache none|auto|always, as the backend
 * answers it: entry and attribute timeouts in LOOKUP, GETATTR, SETATTR,
 * CREATE, MKDIR and READDIRPLUS replies equal cfg.timeout_ms (split into
 * seconds and nanoseconds; 0 = the guest asks every time), and
 * FOPEN_KEEP_CACHE in OPEN and CREATE replies exactly when cfg.keep_cache.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static struct fsk k;

static void check_entry(const struct fuse_entry_out *e, uint32_t ms)
{
	FSK_EQ(e->entry_valid, ms / 1000);
	FSK_EQ(e->entry_valid_nsec, (ms % 1000) * 1000000u);
	FSK_EQ(e->attr_valid, ms / 1000);
	FSK_EQ(e->attr_valid_nsec, (ms % 1000) * 1000000u);
}

/* Send @opcode with argument @in; its fuse_attr_out must carry @ms. */
static void check_attr_reply(uint32_t opcode, uint64_t ino, const void *in, size_t n, uint32_t ms)
{
	struct fuse_attr_out out;

	fsk_begin(&k, opcode, ino);
	fsk_put(&k, in, n);
	FSK_EQ(fsk_send(&k), 0);
	fsk_payload(&k, &out, sizeof(out));
	FSK_EQ(out.attr_valid, ms / 1000);
	FSK_EQ(out.attr_valid_nsec, (ms % 1000) * 1000000u);
}

static void run(uint32_t ms, bool keep)
{
	struct fs_config cfg = { .root = dirs.root, .tag = "t", .nthreads = 1, .quiet = true,
				 .timeout_ms = ms, .keep_cache = keep };
	struct fuse_entry_out e;
	struct fs_server *srv;
	uint64_t ino, fh;
	int err = 0;

	srv = fs_server_new(&cfg, &err);
	FSK_CHECK(srv);
	fsk_init(&k, srv);
	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ), 0);

	/* CREATE: entry + open flags */
	{
		struct fuse_create_in in = { .flags = O_RDWR | O_CREAT, .mode = S_IFREG | 0644 };
		struct {
			struct fuse_entry_out e;
			struct fuse_open_out o;
		} out;

		fsk_begin(&k, FUSE_CREATE, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "f");
		FSK_EQ(fsk_send(&k), 0);
		fsk_payload(&k, &out, sizeof(out));
		check_entry(&out.e, ms);
		FSK_EQ(!!(out.o.open_flags & FOPEN_KEEP_CACHE), keep);
		ino = out.e.nodeid;
		FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, out.o.fh), 0);
	}
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
	check_entry(&e, ms);
	{
		struct fuse_mkdir_in in = { .mode = 0755 };

		fsk_begin(&k, FUSE_MKDIR, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "d");
		FSK_EQ(fsk_send(&k), 0);
		fsk_payload(&k, &e, sizeof(e));
		check_entry(&e, ms);
	}
	/* GETATTR / SETATTR: attribute timeout */
	{
		struct fuse_getattr_in g = { 0 };
		struct fuse_setattr_in sa = { .valid = FATTR_MODE, .mode = S_IFREG | 0600 };

		check_attr_reply(FUSE_GETATTR, ino, &g, sizeof(g), ms);
		check_attr_reply(FUSE_SETATTR, ino, &sa, sizeof(sa), ms);
	}
	/* OPEN */
	{
		struct fuse_open_in in = { .flags = O_RDONLY };
		struct fuse_open_out out;

		fsk_begin(&k, FUSE_OPEN, ino);
		fsk_put(&k, &in, sizeof(in));
		FSK_EQ(fsk_send(&k), 0);
		fsk_payload(&k, &out, sizeof(out));
		FSK_EQ(!!(out.open_flags & FOPEN_KEEP_CACHE), keep);
		fh = out.fh;
		FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	}
	/* READDIRPLUS entries carry the same timeouts */
	{
		struct fuse_read_in in = { .size = 4096 };
		struct fuse_direntplus dp;
		uint64_t dfh;
		size_t off = 0;
		int n, seen = 0;

		FSK_EQ(fsk_opendir(&k, FUSE_ROOT_ID, &dfh), 0);
		in.fh = dfh;
		fsk_begin(&k, FUSE_READDIRPLUS, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		n = fsk_send(&k);
		FSK_EQ(n, 0);
		while (off + sizeof(dp) <= k.payload_len) {
			memcpy(&dp, k.payload + off, sizeof(dp));
			if (dp.entry_out.nodeid) {
				check_entry(&dp.entry_out, ms);
				seen++;
			}
			off += FUSE_DIRENTPLUS_SIZE((struct fuse_direntplus *)(k.payload + off));
		}
		FSK_CHECK(seen >= 2);	/* f and d (. and .. may carry no entry) */
		FSK_EQ(fsk_release(&k, FUSE_RELEASEDIR, FUSE_ROOT_ID, dfh), 0);
	}
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "f"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, FUSE_ROOT_ID, "d"), 0);
	fsk_fini(&k);
	fs_server_free(srv);
}

int main(void)
{
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-cache");
	run(0, false);			/* --cache none */
	run(1000, false);		/* --cache auto */
	run(86400000, true);		/* --cache always */
	run(1500, false);		/* --cache-ms 1500 */
	FSK_EQ(fsk_count_fds(), fds_before);
	fsk_rm_rf(dirs.base);
	printf("test-fs-cache: ok\n");
	return 0;
}
