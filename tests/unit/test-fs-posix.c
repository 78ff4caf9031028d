// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-fs backend against a scratch directory: a POSIX-ish sequence of
 * hand-built FUSE requests (create/write/read/truncate/rename/link/symlink/
 * unlink/mkdir/rmdir/readdir(plus)/chmod/chown/utimens/xattr/fallocate/lseek/
 * statfs/fsync) and the errno each failure must carry, each result checked
 * both in the reply and on the host side of the directory.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static struct fsk k;

static char *host(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dirs.root, rel);
	return buf[i];
}

static void test_init(void)
{
	struct fuse_init_out out;

	/* nothing but INIT before INIT */
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "x", NULL), -EIO);
	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ | FUSE_DO_READDIRPLUS | FUSE_POSIX_LOCKS), 0);
	fsk_payload(&k, &out, sizeof(out));
	FSK_EQ(out.major, 7);
	FSK_EQ(out.minor, 36);
	FSK_CHECK(out.max_write >= 4096);
	FSK_CHECK(out.flags & FUSE_ASYNC_READ);
	FSK_CHECK(out.flags & FUSE_DO_READDIRPLUS);
	FSK_CHECK(!(out.flags & FUSE_POSIX_LOCKS));	/* not offered: not granted */
	FSK_CHECK(!(out.flags & FUSE_ASYNC_DIO));	/* not asked for: not granted */

	/* what the 6.1 guest asks for: big requests, concurrent direct I/O */
	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
			   FUSE_ASYNC_DIO | FUSE_WRITEBACK_CACHE), 0);
	fsk_payload(&k, &out, sizeof(out));
	FSK_CHECK(out.flags & FUSE_BIG_WRITES);
	FSK_CHECK(out.flags & FUSE_MAX_PAGES);
	FSK_CHECK(out.flags & FUSE_ASYNC_DIO);
	FSK_CHECK(!(out.flags & FUSE_WRITEBACK_CACHE));
	FSK_EQ(out.max_write, 256u * 1024);
	FSK_EQ((uint32_t)out.max_pages * 4096, out.max_write);
	FSK_EQ(out.max_readahead, 131072);
}

static void test_file_io(void)
{
	struct fuse_attr a;
	struct fuse_entry_out e;
	uint64_t ino, fh, fh2;
	char buf[64];
	struct stat st;
	int fd;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "f", 0666, O_RDWR | O_EXCL, &ino, &fh), 0);
	FSK_CHECK(ino > FUSE_ROOT_ID);
	FSK_CHECK(!lstat(host("f"), &st));
	FSK_EQ(st.st_mode, S_IFREG | 0666);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "f"), 0);
	fsk_forget(&k, ino, 1);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "f", 0640, O_RDWR | O_EXCL, &ino, &fh), 0);
	FSK_CHECK(!lstat(host("f"), &st));
	FSK_EQ(st.st_mode, S_IFREG | 0640);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "f", 0640, O_RDWR | O_EXCL, NULL, NULL), -EEXIST);

	FSK_EQ(fsk_write(&k, ino, fh, 0, "hello world", 11), 0);
	FSK_EQ(fsk_write(&k, ino, fh, 100, "tail", 4), 0);
	FSK_EQ(fsk_read(&k, ino, fh, 0, 11), 11);
	FSK_CHECK(!memcmp(k.payload, "hello world", 11));
	/* a hole reads as zeros; a read past EOF is short */
	FSK_EQ(fsk_read(&k, ino, fh, 11, 200), 93);
	FSK_CHECK(k.payload[0] == 0 && !memcmp(k.payload + 89, "tail", 4));
	FSK_EQ(fsk_read(&k, ino, fh, 1000, 10), 0);

	/* the host sees the bytes */
	fd = open(host("f"), O_RDONLY);
	FSK_CHECK(fd >= 0);
	FSK_EQ(pread(fd, buf, 5, 6), 5);
	FSK_CHECK(!memcmp(buf, "world", 5));
	close(fd);

	FSK_EQ(fsk_getattr(&k, ino, &a), 0);
	FSK_EQ(a.size, 104);
	FSK_EQ(a.mode, S_IFREG | 0640);

	/* ftruncate through the handle, truncate(2) without one */
	{
		struct fuse_setattr_in s = { .valid = FATTR_SIZE | FATTR_FH, .fh = fh, .size = 5 };

		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(a.size, 5);
		s.valid = FATTR_SIZE;
		s.size = 3;
		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(a.size, 3);
		FSK_CHECK(!stat(host("f"), &st) && st.st_size == 3);
	}

	/* a second open of the same inode by LOOKUP + OPEN, O_TRUNC */
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
	FSK_EQ(e.nodeid, ino);		/* same inode, same nodeid */
	FSK_EQ(fsk_open(&k, ino, O_RDWR | O_TRUNC, &fh2), 0);
	FSK_CHECK(fh2 != fh);
	FSK_CHECK(!stat(host("f"), &st) && st.st_size == 0);
	FSK_EQ(fsk_write(&k, ino, fh2, 0, "abc", 3), 0);
	FSK_EQ(fsk_read(&k, ino, fh, 0, 10), 3);	/* visible through the other handle */

	/* fsync, flush, fallocate, lseek */
	{
		struct fuse_fsync_in fs = { .fh = fh, .fsync_flags = FUSE_FSYNC_FDATASYNC };
		struct fuse_flush_in fl = { .fh = fh };
		struct fuse_fallocate_in fa = { .fh = fh, .offset = 0, .length = 1 << 20 };
		struct fuse_lseek_in ls = { .fh = fh, .offset = 0, .whence = SEEK_END };
		struct fuse_lseek_out lo;
		uint64_t dfh;

		FSK_EQ(fsk_call(&k, FUSE_FSYNC, ino, &fs, sizeof(fs)), 0);
		/* FSYNCDIR wants a directory handle, FSYNC a file's */
		FSK_EQ(fsk_call(&k, FUSE_FSYNCDIR, ino, &fs, sizeof(fs)), -EBADF);
		FSK_EQ(fsk_opendir(&k, FUSE_ROOT_ID, &dfh), 0);
		fs.fh = dfh;
		FSK_EQ(fsk_call(&k, FUSE_FSYNCDIR, FUSE_ROOT_ID, &fs, sizeof(fs)), 0);
		FSK_EQ(fsk_call(&k, FUSE_FSYNC, FUSE_ROOT_ID, &fs, sizeof(fs)), -EBADF);
		FSK_EQ(fsk_release(&k, FUSE_RELEASE, FUSE_ROOT_ID, dfh), -EBADF);
		FSK_EQ(fsk_release(&k, FUSE_RELEASEDIR, FUSE_ROOT_ID, dfh), 0);
		fs.fh = fh;
		FSK_EQ(fsk_call(&k, FUSE_FLUSH, ino, &fl, sizeof(fl)), 0);
		FSK_EQ(fsk_call(&k, FUSE_FALLOCATE, ino, &fa, sizeof(fa)), 0);
		FSK_CHECK(!stat(host("f"), &st) && st.st_size == 1 << 20);
		FSK_EQ(fsk_call(&k, FUSE_LSEEK, ino, &ls, sizeof(ls)), 0);
		fsk_payload(&k, &lo, sizeof(lo));
		FSK_EQ(lo.offset, 1 << 20);
		ls.whence = SEEK_DATA;
		FSK_EQ(fsk_call(&k, FUSE_LSEEK, ino, &ls, sizeof(ls)), 0);
		fsk_payload(&k, &lo, sizeof(lo));
		FSK_EQ(lo.offset, 0);
		ls.whence = 99;
		FSK_EQ(fsk_call(&k, FUSE_LSEEK, ino, &ls, sizeof(ls)), -EINVAL);
		fa.mode = 0x80000000u;
		FSK_EQ(fsk_call(&k, FUSE_FALLOCATE, ino, &fa, sizeof(fa)), -EOPNOTSUPP);
	}

	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh2), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh2), -EBADF);	/* twice */
	FSK_EQ(fsk_read(&k, ino, fh2, 0, 1), -EBADF);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	fsk_forget(&k, ino, 2);
}

static void test_attrs(void)
{
	struct fuse_attr a;
	uint64_t ino, fh;
	struct stat st;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "attr", 0600, O_WRONLY, &ino, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	{
		struct fuse_setattr_in s = { .valid = FATTR_MODE, .mode = S_IFREG | 04751 };

		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(a.mode, S_IFREG | 04751);
		FSK_CHECK(!stat(host("attr"), &st) && st.st_mode == (S_IFREG | 04751));
	}
	{
		struct fuse_setattr_in s = { .valid = FATTR_UID | FATTR_GID, .uid = 1234,
					     .gid = 4321 };

		if (geteuid() == 0) {
			FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
			FSK_EQ(a.uid, 1234);
			FSK_EQ(a.gid, 4321);
			FSK_CHECK(!stat(host("attr"), &st) && st.st_uid == 1234);
		} else {
			FSK_EQ(fsk_setattr(&k, ino, &s, &a), -EPERM);
		}
	}
	{
		struct fuse_setattr_in s = { .valid = FATTR_ATIME | FATTR_MTIME,
					     .atime = 1000000, .atimensec = 5,
					     .mtime = 2000000, .mtimensec = 7 };

		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(a.atime, 1000000);
		FSK_EQ(a.mtime, 2000000);
		FSK_EQ(a.mtimensec, 7);
		FSK_CHECK(!stat(host("attr"), &st) && st.st_mtim.tv_sec == 2000000 &&
			  st.st_atim.tv_nsec == 5);
		s.valid = FATTR_MTIME | FATTR_MTIME_NOW;
		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_CHECK(a.mtime > 2000000);
		FSK_EQ(a.atime, 1000000);	/* untouched */
		s.valid = FATTR_ATIME;
		s.atimensec = 1000000000u;	/* out of range */
		FSK_EQ(fsk_setattr(&k, ino, &s, &a), -EINVAL);
	}
	{
		struct fuse_statfs_out so;
		struct statfs sf;

		fsk_begin(&k, FUSE_STATFS, FUSE_ROOT_ID);
		FSK_EQ(fsk_send(&k), 0);
		fsk_payload(&k, &so, sizeof(so));
		FSK_CHECK(!statfs(dirs.root, &sf));
		FSK_EQ(so.st.blocks, sf.f_blocks);
		FSK_EQ(so.st.bsize, sf.f_bsize);
		FSK_EQ(so.st.namelen, sf.f_namelen);
	}
	{
		struct fuse_access_in ai = { .mask = R_OK | W_OK };

		fsk_begin(&k, FUSE_ACCESS, ino);
		fsk_put(&k, &ai, sizeof(ai));
		FSK_EQ(fsk_send(&k), 0);
		ai.mask = 0x40;
		fsk_begin(&k, FUSE_ACCESS, ino);
		fsk_put(&k, &ai, sizeof(ai));
		FSK_EQ(fsk_send(&k), -EINVAL);
	}
	fsk_forget(&k, ino, 1);
}

static void test_xattr(void)
{
	struct fuse_getxattr_in gi;
	struct fuse_getxattr_out go;
	struct fuse_setxattr_in si;
	uint64_t ino, fh;
	char buf[64];

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "x", 0644, O_RDWR, &ino, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	memset(&si, 0, sizeof(si));
	si.size = 5;
	fsk_begin(&k, FUSE_SETXATTR, ino);
	fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
	fsk_str(&k, "user.color");
	fsk_put(&k, "green", 5);
	FSK_EQ(fsk_send(&k), 0);
	FSK_EQ(lgetxattr(host("x"), "user.color", buf, sizeof(buf)), 5);
	FSK_CHECK(!memcmp(buf, "green", 5));

	/* XATTR_CREATE on an existing name */
	si.flags = XATTR_CREATE;
	fsk_begin(&k, FUSE_SETXATTR, ino);
	fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
	fsk_str(&k, "user.color");
	fsk_put(&k, "green", 5);
	FSK_EQ(fsk_send(&k), -EEXIST);

	/* outside the user namespace: refused, never reaches the host */
	si.flags = 0;
	fsk_begin(&k, FUSE_SETXATTR, ino);
	fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
	fsk_str(&k, "trusted.evil");
	fsk_put(&k, "green", 5);
	FSK_EQ(fsk_send(&k), -EOPNOTSUPP);
	fsk_begin(&k, FUSE_SETXATTR, ino);
	fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
	fsk_str(&k, "security.capability");
	fsk_put(&k, "green", 5);
	FSK_EQ(fsk_send(&k), -EOPNOTSUPP);

	/* size query, then the value; too small a buffer is ERANGE */
	gi.size = 0;
	gi.padding = 0;
	fsk_begin(&k, FUSE_GETXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	fsk_str(&k, "user.color");
	FSK_EQ(fsk_send(&k), 0);
	fsk_payload(&k, &go, sizeof(go));
	FSK_EQ(go.size, 5);
	gi.size = 64;
	fsk_begin(&k, FUSE_GETXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	fsk_str(&k, "user.color");
	FSK_EQ(fsk_send(&k), 0);
	FSK_EQ(k.payload_len, 5);
	FSK_CHECK(!memcmp(k.payload, "green", 5));
	gi.size = 2;
	fsk_begin(&k, FUSE_GETXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	fsk_str(&k, "user.color");
	FSK_EQ(fsk_send(&k), -ERANGE);
	gi.size = 64;
	fsk_begin(&k, FUSE_GETXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	fsk_str(&k, "user.none");
	FSK_EQ(fsk_send(&k), -ENODATA);

	/* list: user names only */
	FSK_CHECK(!lsetxattr(host("x"), "user.b", "1", 1, 0));
	gi.size = 0;
	fsk_begin(&k, FUSE_LISTXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	FSK_EQ(fsk_send(&k), 0);
	fsk_payload(&k, &go, sizeof(go));
	FSK_EQ(go.size, sizeof("user.color") + sizeof("user.b"));
	gi.size = 100;
	fsk_begin(&k, FUSE_LISTXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	FSK_EQ(fsk_send(&k), 0);
	FSK_EQ(k.payload_len, go.size);
	FSK_CHECK(memmem(k.payload, k.payload_len, "user.color", 11));
	FSK_CHECK(memmem(k.payload, k.payload_len, "user.b", 7));
	gi.size = 3;
	fsk_begin(&k, FUSE_LISTXATTR, ino);
	fsk_put(&k, &gi, sizeof(gi));
	FSK_EQ(fsk_send(&k), -ERANGE);

	FSK_EQ(fsk_name_op(&k, FUSE_REMOVEXATTR, ino, "user.color"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_REMOVEXATTR, ino, "user.color"), -ENODATA);
	FSK_CHECK(lgetxattr(host("x"), "user.color", buf, sizeof(buf)) < 0 && errno == ENODATA);
	fsk_forget(&k, ino, 1);
}

struct seen {
	int n;
	bool names[8];
	uint64_t nodeids;
};

static const char *const dir_names[] = { "a", "b", "c", "sub", NULL };

static void collect(void *arg, const char *name, uint64_t ino, const struct fuse_entry_out *e)
{
	struct seen *s = arg;
	int i;

	(void)ino;
	s->n++;
	for (i = 0; dir_names[i]; i++)
		if (!strcmp(name, dir_names[i]))
			s->names[i] = true;
	if (e && e->nodeid) {
		s->nodeids++;
		fsk_forget(&k, e->nodeid, 1);	/* as the kernel would, later */
	}
}

static void test_dirs(void)
{
	uint64_t d, sub, ino, fh, lnk;
	struct fuse_entry_out e, e2;
	struct seen s;
	struct stat st;
	char buf[256];
	int i;

	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "d", 0750, &d), 0);
	FSK_CHECK(!stat(host("d"), &st) && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750);
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "open", 0777, &sub), 0);
	FSK_CHECK(!stat(host("open"), &st) && (st.st_mode & 07777) == 0777);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, FUSE_ROOT_ID, "open"), 0);
	fsk_forget(&k, sub, 1);
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "d", 0750, NULL), -EEXIST);
	for (i = 0; i < 3; i++) {
		FSK_EQ(fsk_create(&k, d, dir_names[i], 0644, O_WRONLY, &ino, &fh), 0);
		FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
		fsk_forget(&k, ino, 1);
	}
	FSK_EQ(fsk_mkdir(&k, d, "sub", 0755, &sub), 0);

	/* READDIR in small pieces, then READDIRPLUS */
	memset(&s, 0, sizeof(s));
	FSK_EQ(fsk_readdir_all(&k, d, false, 80, collect, &s), 0);
	FSK_EQ(s.n, 6);		/* . .. a b c sub */
	for (i = 0; dir_names[i]; i++)
		FSK_CHECK(s.names[i]);
	memset(&s, 0, sizeof(s));
	FSK_EQ(fsk_readdir_all(&k, d, true, 400, collect, &s), 0);
	FSK_EQ(s.n, 6);
	FSK_EQ(s.nodeids, 4);	/* not for . and .. */

	/* errors */
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, FUSE_ROOT_ID, "d"), -ENOTEMPTY);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "d"), -EISDIR);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, d, "a"), -ENOTDIR);
	FSK_EQ(fsk_lookup(&k, d, "nope", NULL), -ENOENT);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, d, "nope"), -ENOENT);
	FSK_EQ(fsk_lookup(&k, d, "a", &e), 0);
	FSK_EQ(fsk_lookup(&k, e.nodeid, "x", NULL), -ENOTDIR);
	FSK_EQ(fsk_mkdir(&k, e.nodeid, "x", 0755, NULL), -ENOTDIR);
	FSK_EQ(fsk_opendir(&k, e.nodeid, &fh), -ENOTDIR);
	FSK_EQ(fsk_open(&k, d, O_RDONLY, &fh), -EISDIR);

	/* rename within and across directories, RENAME_NOREPLACE / EXCHANGE */
	FSK_EQ(fsk_rename(&k, d, "a", sub, "a2"), 0);
	FSK_CHECK(!lstat(host("d/sub/a2"), &st) && lstat(host("d/a"), &st) < 0);
	FSK_EQ(fsk_rename2(&k, d, "b", d, "c", RENAME_NOREPLACE), -EEXIST);
	FSK_EQ(fsk_rename2(&k, d, "b", sub, "a2", RENAME_EXCHANGE), 0);
	FSK_CHECK(!lstat(host("d/b"), &st));
	FSK_EQ(fsk_rename2(&k, d, "b", d, "w", RENAME_WHITEOUT), -EINVAL);
	FSK_EQ(fsk_rename(&k, d, "zz", d, "c"), -ENOENT);
	FSK_EQ(fsk_rename(&k, FUSE_ROOT_ID, "d", sub, "loop"), -EINVAL);

	/* the renamed file still works through its old nodeid (O_PATH handle) */
	FSK_EQ(fsk_open(&k, e.nodeid, O_RDWR, &fh), 0);
	FSK_EQ(fsk_write(&k, e.nodeid, fh, 0, "moved", 5), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, e.nodeid, fh), 0);
	/* "a" went to sub/a2 and was then exchanged back to d/b */
	{
		int fd = open(host("d/b"), O_RDONLY);

		FSK_CHECK(fd >= 0);
		FSK_EQ(read(fd, buf, sizeof(buf)), 5);
		FSK_CHECK(!memcmp(buf, "moved", 5));
		close(fd);
	}

	/* hard link: same inode, nlink 2 */
	FSK_EQ(fsk_link(&k, e.nodeid, FUSE_ROOT_ID, "hard", &e2), 0);
	FSK_EQ(e2.nodeid, e.nodeid);
	FSK_EQ(e2.attr.nlink, 2);
	FSK_EQ(fsk_link(&k, e.nodeid, FUSE_ROOT_ID, "hard", NULL), -EEXIST);
	FSK_EQ(fsk_link(&k, d, FUSE_ROOT_ID, "dirlink", NULL), -EPERM);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "hard"), 0);
	fsk_forget(&k, e.nodeid, 2);

	/* symlink: stored as text, READLINK returns it */
	FSK_EQ(fsk_symlink(&k, d, "sl", "../d/c", &lnk), 0);
	FSK_EQ(readlink(host("d/sl"), buf, sizeof(buf)), 6);
	FSK_EQ(fsk_readlink(&k, lnk, buf, sizeof(buf)), 0);
	FSK_CHECK(!strcmp(buf, "../d/c"));
	FSK_EQ(fsk_readlink(&k, d, buf, sizeof(buf)), -EINVAL);
	FSK_EQ(fsk_symlink(&k, d, "sl", "x", NULL), -EEXIST);
	fsk_forget(&k, lnk, 1);

	/* mknod: FIFO yes, devices no */
	FSK_EQ(fsk_mknod(&k, d, "fifo", S_IFIFO | 0600, 0), 0);
	FSK_CHECK(!lstat(host("d/fifo"), &st) && S_ISFIFO(st.st_mode));
	FSK_EQ(fsk_mknod(&k, d, "null", S_IFCHR | 0666, makedev(1, 3)), -EPERM);
	FSK_EQ(fsk_mknod(&k, d, "sda", S_IFBLK | 0666, makedev(8, 0)), -EPERM);
	FSK_CHECK(lstat(host("d/null"), &st) < 0 && lstat(host("d/sda"), &st) < 0);

	/* empty the tree and remove it */
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, d, "b"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, d, "c"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, d, "sl"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, d, "fifo"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, sub, "a2"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, d, "sub"), 0);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, FUSE_ROOT_ID, "d"), 0);
	FSK_CHECK(lstat(host("d"), &st) < 0 && errno == ENOENT);
	/* the removed directory's nodeid still resolves, but is empty and gone */
	FSK_EQ(fsk_create(&k, d, "late", 0644, O_WRONLY, NULL, NULL), -ENOENT);
	fsk_forget(&k, d, 1);
	fsk_forget(&k, sub, 1);
}

/*
 * A READ reply laid out as the guest's virtio_fs maps it: the out header in
 * its own descriptor, then one descriptor per (here: small) page.
 */
static void test_scattered_read(void)
{
	enum { SEGS = 300, SEG = 512, LEN = 100000 };
	static unsigned char data[LEN], out[16 + SEGS * SEG];
	struct iovec iov[SEGS + 1];
	struct fuse_read_in ri;
	struct fuse_in_header in;
	unsigned char req[sizeof(in) + sizeof(ri)];
	uint64_t ino, fh;
	long r;
	int i;

	for (i = 0; i < LEN; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "big", 0644, O_RDWR, &ino, &fh), 0);
	for (i = 0; i < LEN; i += 65536)
		FSK_EQ(fsk_write(&k, ino, fh, (uint64_t)i, data + i,
				 LEN - i < 65536 ? LEN - i : 65536), 0);
	iov[0].iov_base = out;
	iov[0].iov_len = 16;
	for (i = 0; i < SEGS; i++) {
		iov[i + 1].iov_base = out + 16 + (size_t)i * SEG;
		iov[i + 1].iov_len = SEG;
	}
	memset(&in, 0, sizeof(in));
	in.opcode = FUSE_READ;
	in.unique = 99999;
	in.nodeid = ino;
	in.len = sizeof(req);
	memset(&ri, 0, sizeof(ri));
	ri.fh = fh;
	ri.size = LEN;
	memcpy(req, &in, sizeof(in));
	memcpy(req + sizeof(in), &ri, sizeof(ri));
	r = fs_server_handle(k.srv, req, sizeof(req), iov, SEGS + 1);
	FSK_EQ(r, 16 + LEN);
	FSK_CHECK(!memcmp(out + 16, data, LEN));
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	fsk_forget(&k, ino, 1);
}

/* Objects a guest user creates are that user's (when the server is root). */
static void test_caller_owns(void)
{
	struct fuse_entry_out e;
	uint64_t ino, fh, d, l;
	struct stat st;

	if (geteuid() != 0)
		return;
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "shared", 01777, &d), 0);
	k.uid = 1234;
	k.gid = 4321;
	FSK_EQ(fsk_create(&k, d, "mine", 0600, O_RDWR, &ino, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(fsk_mkdir(&k, d, "mydir", 0700, NULL), 0);
	FSK_EQ(fsk_symlink(&k, d, "mylink", "mine", &l), 0);
	FSK_EQ(fsk_mknod(&k, d, "myfifo", S_IFIFO | 0600, 0), 0);
	FSK_CHECK(!lstat(host("shared/mine"), &st) && st.st_uid == 1234 && st.st_gid == 4321);
	FSK_CHECK(!lstat(host("shared/mydir"), &st) && st.st_uid == 1234 && st.st_gid == 4321);
	FSK_CHECK(!lstat(host("shared/mylink"), &st) && st.st_uid == 1234 && st.st_gid == 4321);
	FSK_CHECK(!lstat(host("shared/myfifo"), &st) && st.st_uid == 1234 && st.st_gid == 4321);
	/* the switch is per request: the next root request creates as root */
	k.uid = k.gid = 0;
	FSK_EQ(fsk_mkdir(&k, d, "rootdir", 0700, NULL), 0);
	FSK_CHECK(!lstat(host("shared/rootdir"), &st) && st.st_uid == 0 && st.st_gid == 0);
	FSK_EQ(fsk_lookup(&k, d, "mine", &e), 0);
	FSK_EQ(e.attr.uid, 1234);
}

static void test_lifecycle(void)
{
	struct fs_stats st;
	uint64_t ino, fh;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "life", 0644, O_RDWR, &ino, &fh), 0);
	fs_server_stats(k.srv, &st);
	FSK_CHECK(st.handles >= 1 && st.inodes >= 2);
	/* DESTROY drops every handle and inode but the root */
	fsk_begin(&k, FUSE_DESTROY, 0);
	FSK_EQ(fsk_send(&k), 0);
	fs_server_stats(k.srv, &st);
	FSK_EQ(st.handles, 0);
	FSK_EQ(st.inodes, 1);
	FSK_EQ(fsk_getattr(&k, FUSE_ROOT_ID, NULL), -EIO);	/* until the next INIT */
	FSK_EQ(fsk_do_init(&k, 0), 0);
	FSK_EQ(fsk_read(&k, ino, fh, 0, 1), -EBADF);
	FSK_EQ(fsk_getattr(&k, ino, NULL), -ESTALE);
	FSK_EQ(fsk_getattr(&k, FUSE_ROOT_ID, NULL), 0);
	/* an unknown opcode */
	fsk_begin(&k, 4000, FUSE_ROOT_ID);
	FSK_EQ(fsk_send(&k), -ENOSYS);
	/* INIT from an unsupported protocol */
	{
		struct fuse_init_in in = { .major = 8, .minor = 0 };

		fsk_begin(&k, FUSE_INIT, 0);
		fsk_put(&k, &in, sizeof(in));
		FSK_EQ(fsk_send(&k), -EPROTO);
	}
}

int main(void)
{
	struct fs_server *srv;
	int fds_before = fsk_count_fds();

	/* the modes in requests are final: a host umask must not mask them */
	umask(077);
	fsk_mkdirs(&dirs, "test-fs-posix");
	srv = fsk_server(dirs.root, false, 2);
	fsk_init(&k, srv);
	test_init();
	test_file_io();
	test_attrs();
	test_xattr();
	test_dirs();
	test_scattered_read();
	test_caller_owns();
	test_lifecycle();
	fsk_fini(&k);
	fs_server_free(srv);
	FSK_EQ(fsk_count_fds(), fds_before);	/* no fd leaked on any path */
	fsk_rm_rf(dirs.base);
	printf("test-fs-posix: ok\n");
	return 0;
}
