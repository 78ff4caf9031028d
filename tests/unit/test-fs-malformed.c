// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed requests to the virtio-fs backend: headers too short to carry a
 * unique id, in.len lying in both directions, every request of every opcode
 * truncated at every length, argument length fields (WRITE size, SETXATTR
 * size, BATCH_FORGET count, READ/READDIR/GETXATTR sizes) lying, reply
 * buffers too small, and untrusted FORGET counts larger than the lookup
 * count. Each must give an error reply (or none where FUSE has none), never
 * a crash or a sanitizer report, and must leave the inode table consistent.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static struct fsk k;
static uint64_t file_ino, file_fh, dir_fh;

static void test_headers(void)
{
	unsigned char buf[128];
	struct fuse_in_header in;

	memset(buf, 0, sizeof(buf));
	/* nothing to correlate a reply with */
	FSK_EQ(fsk_send_raw(&k, buf, 0), -EBADMSG);
	FSK_EQ(fsk_send_raw(&k, buf, 15), -EBADMSG);
	FSK_EQ(fsk_send_raw(&k, NULL, 100), -EBADMSG);

	/* unique readable, header incomplete: error reply */
	memset(&in, 0, sizeof(in));
	in.unique = 4711;
	in.opcode = FUSE_GETATTR;
	in.len = sizeof(in);
	memcpy(buf, &in, sizeof(in));
	FSK_EQ(fsk_send_raw(&k, buf, 16), (long)sizeof(struct fuse_out_header));
	FSK_EQ(k.out.unique, 4711);
	FSK_EQ(k.out.error, -EPROTO);
	FSK_EQ(fsk_send_raw(&k, buf, 39), (long)sizeof(struct fuse_out_header));
	FSK_EQ(k.out.error, -EPROTO);

	/* in.len larger than the bytes present, or smaller than a header */
	in.nodeid = FUSE_ROOT_ID;
	in.len = sizeof(in) + 1;
	memcpy(buf, &in, sizeof(in));
	fsk_send_raw(&k, buf, sizeof(in));
	FSK_EQ(k.out.error, -EPROTO);
	in.len = UINT32_MAX;
	memcpy(buf, &in, sizeof(in));
	fsk_send_raw(&k, buf, sizeof(in));
	FSK_EQ(k.out.error, -EPROTO);
	in.len = 8;
	memcpy(buf, &in, sizeof(in));
	fsk_send_raw(&k, buf, sizeof(in));
	FSK_EQ(k.out.error, -EPROTO);
	/* bytes beyond in.len are ignored: a valid GETATTR with slack */
	in.len = sizeof(in) + sizeof(struct fuse_getattr_in);
	memcpy(buf, &in, sizeof(in));
	memset(buf + sizeof(in), 0, 60);
	fsk_send_raw(&k, buf, sizeof(in) + 60);
	FSK_EQ(k.out.error, 0);
	FSK_EQ(k.payload_len, sizeof(struct fuse_attr_out));

	/* no-reply opcodes give no reply even when broken */
	in.opcode = FUSE_FORGET;
	in.len = 100;
	memcpy(buf, &in, sizeof(in));
	FSK_EQ(fsk_send_raw(&k, buf, sizeof(in)), 0);
	in.opcode = FUSE_BATCH_FORGET;
	in.len = sizeof(in);
	memcpy(buf, &in, sizeof(in));
	FSK_EQ(fsk_send_raw(&k, buf, sizeof(in)), 0);
	in.opcode = FUSE_INTERRUPT;
	FSK_EQ(fsk_send_raw(&k, buf, sizeof(in)), 0);
}

/* Build one valid request of each kind into k.req (in.len set by sender). */
static void build(uint32_t op)
{
	switch (op) {
	case FUSE_LOOKUP: {
		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_str(&k, "f");
		break;
	}
	case FUSE_GETATTR: {
		struct fuse_getattr_in in = { 0 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_SETATTR: {
		struct fuse_setattr_in in = { .valid = FATTR_MODE, .mode = 0644 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_MKDIR: {
		struct fuse_mkdir_in in = { .mode = 0755 };

		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "newdir");
		break;
	}
	case FUSE_MKNOD: {
		struct fuse_mknod_in in = { .mode = S_IFIFO | 0600 };

		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "newfifo");
		break;
	}
	case FUSE_SYMLINK:
		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_str(&k, "newlink");
		fsk_str(&k, "target");
		break;
	case FUSE_UNLINK:
	case FUSE_RMDIR:
		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_str(&k, "nonexistent");
		break;
	case FUSE_RENAME: {
		struct fuse_rename_in in = { .newdir = FUSE_ROOT_ID };

		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "f");
		fsk_str(&k, "f");
		break;
	}
	case FUSE_RENAME2: {
		struct fuse_rename2_in in = { .newdir = FUSE_ROOT_ID };

		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "f");
		fsk_str(&k, "f");
		break;
	}
	case FUSE_LINK: {
		struct fuse_link_in in = { .oldnodeid = file_ino };

		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "newhard");
		break;
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR: {
		struct fuse_open_in in = { .flags = O_RDONLY };

		fsk_begin(&k, op, op == FUSE_OPEN ? file_ino : FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_CREATE: {
		struct fuse_create_in in = { .flags = O_RDWR, .mode = S_IFREG | 0644 };

		fsk_begin(&k, op, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "newfile");
		break;
	}
	case FUSE_READ:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS: {
		struct fuse_read_in in = { .fh = op == FUSE_READ ? file_fh : dir_fh, .size = 4096 };

		fsk_begin(&k, op, op == FUSE_READ ? file_ino : FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_WRITE: {
		struct fuse_write_in in = { .fh = file_fh, .size = 8 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		fsk_put(&k, "12345678", 8);
		break;
	}
	case FUSE_FLUSH: {
		struct fuse_flush_in in = { .fh = file_fh };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR: {
		struct fuse_fsync_in in = { .fh = op == FUSE_FSYNC ? file_fh : dir_fh };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_SETXATTR: {
		struct fuse_setxattr_in in = { .size = 3 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, FUSE_COMPAT_SETXATTR_IN_SIZE);
		fsk_str(&k, "user.k");
		fsk_put(&k, "abc", 3);
		break;
	}
	case FUSE_GETXATTR: {
		struct fuse_getxattr_in in = { .size = 64 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		fsk_str(&k, "user.k");
		break;
	}
	case FUSE_LISTXATTR: {
		struct fuse_getxattr_in in = { .size = 64 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_REMOVEXATTR:
		fsk_begin(&k, op, file_ino);
		fsk_str(&k, "user.none");
		break;
	case FUSE_ACCESS: {
		struct fuse_access_in in = { .mask = R_OK };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_FALLOCATE: {
		struct fuse_fallocate_in in = { .fh = file_fh, .length = 16 };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_LSEEK: {
		struct fuse_lseek_in in = { .fh = file_fh, .whence = SEEK_SET };

		fsk_begin(&k, op, file_ino);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	case FUSE_INIT: {
		struct fuse_init_in in = { .major = 7, .minor = 36 };

		fsk_begin(&k, op, 0);
		fsk_put(&k, &in, sizeof(in));
		break;
	}
	default:
		fsk_begin(&k, op, FUSE_ROOT_ID);
		break;
	}
}

/* Opcodes whose every argument byte is required. */
static const uint32_t strict_ops[] = {
	FUSE_LOOKUP, FUSE_SETATTR, FUSE_MKDIR, FUSE_MKNOD, FUSE_SYMLINK, FUSE_UNLINK,
	FUSE_RMDIR, FUSE_RENAME, FUSE_RENAME2, FUSE_LINK, FUSE_OPEN, FUSE_OPENDIR,
	FUSE_CREATE, FUSE_READ, FUSE_READDIR, FUSE_READDIRPLUS, FUSE_WRITE, FUSE_FLUSH,
	FUSE_FSYNC, FUSE_FSYNCDIR, FUSE_SETXATTR, FUSE_GETXATTR, FUSE_LISTXATTR,
	FUSE_REMOVEXATTR, FUSE_ACCESS, FUSE_FALLOCATE, FUSE_LSEEK,
};

static void test_truncations(void)
{
	static unsigned char copy[8192];
	struct fs_stats before, after;
	unsigned int i;

	fs_server_stats(k.srv, &before);
	for (i = 0; i < sizeof(strict_ops) / sizeof(strict_ops[0]); i++) {
		uint32_t op = strict_ops[i];
		size_t full, cut;

		build(op);
		full = k.len;
		FSK_CHECK(full <= sizeof(copy));
		for (cut = sizeof(struct fuse_in_header); cut < full; cut++) {
			struct fuse_in_header in;

			/* an honest in.len over too few argument bytes */
			build(op);
			memcpy(&in, k.req, sizeof(in));
			in.len = (uint32_t)cut;
			memcpy(copy, &in, sizeof(in));
			memcpy(copy + sizeof(in), k.req + sizeof(in), cut - sizeof(in));
			fsk_send_raw(&k, copy, cut);
			FSK_EQ(k.out.unique, in.unique);
			if (k.out.error == 0) {
				fprintf(stderr, "opcode %u cut at %zu of %zu accepted\n", op, cut, full);
				FSK_CHECK(0);
			}
			/* in.len claiming the full request over the cut bytes */
			in.len = (uint32_t)full;
			memcpy(copy, &in, sizeof(in));
			fsk_send_raw(&k, copy, cut);
			FSK_EQ(k.out.error, -EPROTO);
		}
		/* the full request still parses */
		build(op);
		fsk_send(&k);
	}
	fs_server_stats(k.srv, &after);
	FSK_CHECK(after.malformed > before.malformed);
	/* nothing the truncated CREATE/MKDIR/... would have made exists */
	{
		struct stat st;
		char p[600];

		snprintf(p, sizeof(p), "%s/newdir", dirs.root);
		FSK_CHECK(!lstat(p, &st));	/* from the full request only */
		snprintf(p, sizeof(p), "%s/newdi", dirs.root);
		FSK_CHECK(lstat(p, &st) < 0);
	}
}

static void test_lying_lengths(void)
{
	struct fuse_write_in wi = { .fh = file_fh, .size = 100 };
	struct fuse_setxattr_in si = { .size = 50 };
	struct fuse_batch_forget_in bi = { .count = 1000000 };
	struct fuse_forget_one one = { .nodeid = file_ino, .nlookup = 1 };
	struct fs_stats st;

	/* WRITE.size beyond the data */
	fsk_begin(&k, FUSE_WRITE, file_ino);
	fsk_put(&k, &wi, sizeof(wi));
	fsk_put(&k, "short", 5);
	FSK_EQ(fsk_send(&k), -EINVAL);
	wi.size = UINT32_MAX;
	fsk_begin(&k, FUSE_WRITE, file_ino);
	fsk_put(&k, &wi, sizeof(wi));
	FSK_EQ(fsk_send(&k), -EINVAL);
	/* offsets that overflow */
	wi.size = 1;
	wi.offset = UINT64_MAX;
	fsk_begin(&k, FUSE_WRITE, file_ino);
	fsk_put(&k, &wi, sizeof(wi));
	fsk_put(&k, "x", 1);
	FSK_EQ(fsk_send(&k), -EINVAL);
	wi.offset = INT64_MAX;
	fsk_begin(&k, FUSE_WRITE, file_ino);
	fsk_put(&k, &wi, sizeof(wi));
	fsk_put(&k, "x", 1);
	FSK_EQ(fsk_send(&k), -EINVAL);
	FSK_EQ(fsk_read(&k, file_ino, file_fh, UINT64_MAX, 10), -EINVAL);

	/* SETXATTR.size beyond the value */
	fsk_begin(&k, FUSE_SETXATTR, file_ino);
	fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
	fsk_str(&k, "user.k");
	fsk_put(&k, "abc", 3);
	FSK_EQ(fsk_send(&k), -EINVAL);
	si.size = UINT32_MAX;
	fsk_begin(&k, FUSE_SETXATTR, file_ino);
	fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
	fsk_str(&k, "user.k");
	FSK_EQ(fsk_send(&k), -E2BIG);

	/* READ/READDIR/GETXATTR sizes far beyond the reply buffers: capped */
	{
		char big[300];

		memset(big, 'b', sizeof(big));
		FSK_EQ(fsk_write(&k, file_ino, file_fh, 0, big, sizeof(big)), 0);
	}
	k.reply_cap = 100;
	FSK_EQ(fsk_read(&k, file_ino, file_fh, 0, UINT32_MAX), 100 - 16);
	{
		struct fuse_read_in ri = { .fh = dir_fh, .size = UINT32_MAX };

		fsk_begin(&k, FUSE_READDIR, FUSE_ROOT_ID);
		fsk_put(&k, &ri, sizeof(ri));
		FSK_EQ(fsk_send(&k), 0);
		FSK_CHECK(k.payload_len > 0 && k.payload_len <= 100 - 16);
		/* room for no entry at all: an error, not an empty (EOF) reply */
		ri.size = 20;
		fsk_begin(&k, FUSE_READDIR, FUSE_ROOT_ID);
		fsk_put(&k, &ri, sizeof(ri));
		FSK_EQ(fsk_send(&k), -EOVERFLOW);
	}
	k.reply_cap = FSK_REPLY_MAX;

	/* BATCH_FORGET.count beyond the entries present: nothing is forgotten */
	fs_server_stats(k.srv, &st);
	fsk_begin(&k, FUSE_BATCH_FORGET, 0);
	fsk_put(&k, &bi, sizeof(bi));
	fsk_put(&k, &one, sizeof(one));
	fsk_send_noreply(&k);
	FSK_EQ(fsk_getattr(&k, file_ino, NULL), 0);

	/* unterminated names */
	fsk_begin(&k, FUSE_LOOKUP, FUSE_ROOT_ID);
	fsk_put(&k, "f", 1);
	FSK_EQ(fsk_send(&k), -EINVAL);
	fsk_begin(&k, FUSE_SYMLINK, FUSE_ROOT_ID);
	fsk_str(&k, "l");
	fsk_put(&k, "target", 6);
	FSK_EQ(fsk_send(&k), -EINVAL);
	fsk_begin(&k, FUSE_RENAME, FUSE_ROOT_ID);
	{
		struct fuse_rename_in ri = { .newdir = FUSE_ROOT_ID };

		fsk_put(&k, &ri, sizeof(ri));
	}
	fsk_str(&k, "f");
	fsk_put(&k, "g", 1);
	FSK_EQ(fsk_send(&k), -EINVAL);
}

static void test_small_reply(void)
{
	struct fs_stats a, b;

	/* no room for even the out header */
	k.reply_cap = 0;
	build(FUSE_GETATTR);
	{
		struct fuse_in_header in;

		memcpy(&in, k.req, sizeof(in));
		in.len = (uint32_t)k.len;
		memcpy(k.req, &in, sizeof(in));
	}
	FSK_EQ(fsk_send_raw(&k, k.req, k.len), -ENOBUFS);
	k.reply_cap = 15;
	FSK_EQ(fsk_send_raw(&k, k.req, k.len), -ENOBUFS);

	/* room for the header only: an error reply, and a LOOKUP whose entry
	 * did not fit leaves no lookup count behind */
	k.reply_cap = 16;
	fs_server_stats(k.srv, &a);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "other", NULL), -EOVERFLOW);
	fs_server_stats(k.srv, &b);
	FSK_EQ(b.inodes, a.inodes);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "other2", 0644, O_RDWR, NULL, NULL), -EOVERFLOW);
	fs_server_stats(k.srv, &b);
	FSK_EQ(b.inodes, a.inodes);
	FSK_EQ(b.handles, a.handles);
	k.reply_cap = FSK_REPLY_MAX;
}

static void test_forget_overcount(void)
{
	struct fuse_entry_out e;
	struct fs_stats a, b;
	uint64_t fh;
	int i;

	for (i = 0; i < 3; i++)
		FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "victim", &e), 0);
	FSK_EQ(fsk_open(&k, e.nodeid, O_RDWR, &fh), 0);
	FSK_EQ(fsk_write(&k, e.nodeid, fh, 0, "alive", 5), 0);
	fs_server_stats(k.srv, &a);
	/* 3 lookups, the guest claims a million: clamped, the fd stays open
	 * for the handle in use */
	fsk_forget(&k, e.nodeid, 1000000);
	fs_server_stats(k.srv, &b);
	FSK_EQ(b.forget_clamped, a.forget_clamped + 1);
	FSK_EQ(b.inodes, a.inodes - 1);
	FSK_EQ(fsk_read(&k, e.nodeid, fh, 0, 5), 5);
	FSK_CHECK(!memcmp(k.payload, "alive", 5));
	FSK_EQ(fsk_getattr(&k, e.nodeid, NULL), -ESTALE);	/* the guest said it forgot */
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, e.nodeid, fh), 0);

	/* BATCH_FORGET with overcounts and repeats, and the root */
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "victim", &e), 0);
	{
		struct fuse_batch_forget_in bi = { .count = 3 };
		struct fuse_forget_one f[3] = {
			{ .nodeid = e.nodeid, .nlookup = UINT64_MAX },
			{ .nodeid = e.nodeid, .nlookup = 5 },
			{ .nodeid = FUSE_ROOT_ID, .nlookup = UINT64_MAX },
		};

		fsk_begin(&k, FUSE_BATCH_FORGET, 0);
		fsk_put(&k, &bi, sizeof(bi));
		fsk_put(&k, f, sizeof(f));
		fsk_send_noreply(&k);
	}
	FSK_EQ(fsk_getattr(&k, e.nodeid, NULL), -ESTALE);
	FSK_EQ(fsk_getattr(&k, FUSE_ROOT_ID, NULL), 0);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "victim", &e), 0);
	fsk_forget(&k, e.nodeid, 1);
	fs_server_stats(k.srv, &b);
	FSK_EQ(b.inodes, a.inodes - 1);
}

int main(void)
{
	struct fs_server *srv;
	char p[600];
	int fd;
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-malformed");
	snprintf(p, sizeof(p), "%s/victim", dirs.root);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	FSK_CHECK(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/other", dirs.root);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	FSK_CHECK(fd >= 0);
	close(fd);
	srv = fsk_server(dirs.root, false, 1);
	fsk_init(&k, srv);
	FSK_EQ(fsk_do_init(&k, 0), 0);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "f", 0644, O_RDWR, &file_ino, &file_fh), 0);
	FSK_EQ(fsk_opendir(&k, FUSE_ROOT_ID, &dir_fh), 0);
	test_headers();
	test_truncations();
	test_lying_lengths();
	test_small_reply();
	test_forget_overcount();
	fsk_fini(&k);
	fs_server_free(srv);
	FSK_EQ(fsk_count_fds(), fds_before);	/* no fd leaked on any path */
	fsk_rm_rf(dirs.base);
	printf("test-fs-malformed: ok\n");
	return 0;
}
