// SPDX-License-Identifier: GPL-2.0
/*
 * Confinement of the virtio-fs backend: a hostile guest's escape attempts
 * through "..", names with '/', symlinks inside the root that point outside
 * (absolute, relative, dangling, to a directory, to /etc/passwd), forged and
 * stale nodeids and fhs, a directory the host moves out of the root, a
 * directory swapped for a symlink; and --readonly refusing every mutation.
 * Each case checks the reply and that nothing outside the root changed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static struct fsk k;

static char *path(const char *base, const char *rel)
{
	static char buf[4][600];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

static void write_file(const char *p, const char *text, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	FSK_CHECK(fd >= 0);
	FSK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
}

/* The outside directory holds exactly "secret" with its original state. */
static struct stat secret_st;

static void check_outside_untouched(void)
{
	struct stat st;
	char buf[64] = { 0 };
	int fd, n = 0;
	DIR *d = opendir(dirs.outside);
	struct dirent *de;

	FSK_CHECK(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	FSK_EQ(n, 1);
	FSK_CHECK(!stat(path(dirs.outside, "secret"), &st));
	FSK_EQ(st.st_mode, secret_st.st_mode);
	FSK_EQ(st.st_uid, secret_st.st_uid);
	FSK_EQ(st.st_size, secret_st.st_size);
	FSK_EQ(st.st_mtim.tv_sec, secret_st.st_mtim.tv_sec);
	FSK_EQ(st.st_mtim.tv_nsec, secret_st.st_mtim.tv_nsec);
	fd = open(path(dirs.outside, "secret"), O_RDONLY);
	FSK_CHECK(fd >= 0);
	FSK_EQ(read(fd, buf, sizeof(buf) - 1), 11);
	close(fd);
	FSK_CHECK(!strcmp(buf, "top secret\n"));
	FSK_CHECK(lgetxattr(path(dirs.outside, "secret"), "user.x", buf, sizeof(buf)) < 0);
}

static void test_dotdot(void)
{
	struct fuse_entry_out e, sub;
	struct stat st;

	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "..", &e), 0);
	FSK_EQ(e.nodeid, FUSE_ROOT_ID);
	FSK_CHECK(!stat(dirs.root, &st));
	FSK_EQ(e.attr.ino, st.st_ino);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, ".", &e), 0);
	FSK_EQ(e.nodeid, FUSE_ROOT_ID);

	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "sub", 0755, &sub.nodeid), 0);
	FSK_EQ(fsk_lookup(&k, sub.nodeid, "..", &e), 0);
	FSK_EQ(e.nodeid, FUSE_ROOT_ID);
	/* names are one component */
	FSK_EQ(fsk_lookup(&k, sub.nodeid, "../..", NULL), -EINVAL);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "../outside", NULL), -EINVAL);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "/etc", NULL), -EINVAL);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "", NULL), -EINVAL);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "../outside/x", 0644, O_WRONLY, NULL, NULL), -EINVAL);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "..", 0644, O_WRONLY, NULL, NULL), -EINVAL);
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, ".", 0644, O_WRONLY, NULL, NULL), -EINVAL);
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "../outside/d", 0755, NULL), -EINVAL);
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "..", 0755, NULL), -EINVAL);
	FSK_EQ(fsk_symlink(&k, FUSE_ROOT_ID, "../outside/l", "x", NULL), -EINVAL);
	FSK_EQ(fsk_mknod(&k, FUSE_ROOT_ID, "../outside/p", S_IFIFO | 0600, 0), -EINVAL);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "../outside/secret"), -EINVAL);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, sub.nodeid, ".."), -EINVAL);
	FSK_EQ(fsk_name_op(&k, FUSE_RMDIR, FUSE_ROOT_ID, "."), -EINVAL);
	FSK_EQ(fsk_rename(&k, FUSE_ROOT_ID, "sub", FUSE_ROOT_ID, "../outside/sub"), -EINVAL);
	FSK_EQ(fsk_rename(&k, FUSE_ROOT_ID, "../outside/secret", FUSE_ROOT_ID, "s"), -EINVAL);
	FSK_EQ(fsk_rename(&k, sub.nodeid, "..", FUSE_ROOT_ID, "x"), -EINVAL);
	FSK_EQ(fsk_link(&k, FUSE_ROOT_ID, FUSE_ROOT_ID, "../outside/r", NULL), -EINVAL);
	{
		char longname[300];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = 0;
		FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, longname, NULL), -ENAMETOOLONG);
		FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, longname, 0755, NULL), -ENAMETOOLONG);
	}

	/* readdir of the root does not reveal the inode number of its parent */
	{
		uint64_t fh;
		struct fuse_read_in in;
		struct stat rst;
		size_t pos = 0;
		bool saw = false;

		FSK_CHECK(!stat(dirs.root, &rst));
		FSK_EQ(fsk_opendir(&k, FUSE_ROOT_ID, &fh), 0);
		memset(&in, 0, sizeof(in));
		in.fh = fh;
		in.size = 4096;
		fsk_begin(&k, FUSE_READDIR, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		FSK_EQ(fsk_send(&k), 0);
		while (pos < k.payload_len) {
			struct fuse_dirent d;

			memcpy(&d, k.payload + pos, sizeof(d));
			if (d.namelen == 2 && !memcmp(k.payload + pos + sizeof(d), "..", 2)) {
				FSK_EQ(d.ino, rst.st_ino);
				saw = true;
			}
			pos += (sizeof(d) + d.namelen + 7) & ~7ul;
		}
		FSK_CHECK(saw);
		FSK_EQ(fsk_release(&k, FUSE_RELEASEDIR, FUSE_ROOT_ID, fh), 0);
	}
	check_outside_untouched();
}

/* Every way of touching a symlink must act on the link, never the target. */
static void attack_symlink(const char *name, const char *target)
{
	struct fuse_entry_out e;
	struct fuse_attr a;
	uint64_t fh;
	char buf[600];

	FSK_CHECK(!symlink(target, path(dirs.root, name)));
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, name, &e), 0);
	FSK_CHECK(S_ISLNK(e.attr.mode));
	FSK_EQ(e.attr.size, strlen(target));
	FSK_EQ(fsk_getattr(&k, e.nodeid, &a), 0);
	FSK_CHECK(S_ISLNK(a.mode));
	FSK_EQ(fsk_readlink(&k, e.nodeid, buf, sizeof(buf)), 0);
	FSK_CHECK(!strcmp(buf, target));

	FSK_EQ(fsk_open(&k, e.nodeid, O_RDONLY, &fh), -ELOOP);
	FSK_EQ(fsk_open(&k, e.nodeid, O_RDWR | O_TRUNC, &fh), -ELOOP);
	FSK_EQ(fsk_opendir(&k, e.nodeid, &fh), -ENOTDIR);
	FSK_EQ(fsk_lookup(&k, e.nodeid, "secret", NULL), -ENOTDIR);
	FSK_EQ(fsk_lookup(&k, e.nodeid, "passwd", NULL), -ENOTDIR);
	FSK_EQ(fsk_create(&k, e.nodeid, "new", 0644, O_WRONLY, NULL, NULL), -ENOTDIR);
	FSK_EQ(fsk_mkdir(&k, e.nodeid, "new", 0755, NULL), -ENOTDIR);
	FSK_EQ(fsk_symlink(&k, e.nodeid, "new", "x", NULL), -ENOTDIR);
	FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, e.nodeid, "secret"), -ENOTDIR);
	FSK_EQ(fsk_rename(&k, FUSE_ROOT_ID, "sub", e.nodeid, "sub"), -ENOTDIR);
	/* O_CREAT without O_EXCL over the link: not followed */
	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, name, 0666, O_RDWR | O_TRUNC, NULL, NULL), -ELOOP);
	{
		struct fuse_setattr_in s = { .valid = FATTR_MODE, .mode = 0777 };

		FSK_EQ(fsk_setattr(&k, e.nodeid, &s, NULL), -EOPNOTSUPP);
		s.valid = FATTR_SIZE;
		s.size = 0;
		FSK_EQ(fsk_setattr(&k, e.nodeid, &s, NULL), -EINVAL);
		s.valid = FATTR_MTIME;
		s.mtime = 12345;
		FSK_EQ(fsk_setattr(&k, e.nodeid, &s, &a), 0);	/* the link's own time */
		FSK_EQ(a.mtime, 12345);
		if (geteuid() == 0) {
			s.valid = FATTR_UID;
			s.uid = 4242;
			FSK_EQ(fsk_setattr(&k, e.nodeid, &s, &a), 0);	/* lchown */
			FSK_EQ(a.uid, 4242);
		}
	}
	{
		struct fuse_setxattr_in si = { .size = 1 };
		struct fuse_getxattr_in gi = { .size = 64 };

		fsk_begin(&k, FUSE_SETXATTR, e.nodeid);
		fsk_put(&k, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
		fsk_str(&k, "user.x");
		fsk_put(&k, "1", 1);
		FSK_EQ(fsk_send(&k), -EPERM);
		fsk_begin(&k, FUSE_GETXATTR, e.nodeid);
		fsk_put(&k, &gi, sizeof(gi));
		fsk_str(&k, "user.x");
		FSK_EQ(fsk_send(&k), -ENODATA);
	}
	/* a hard link to the link is a link to the link */
	if (fsk_link(&k, e.nodeid, FUSE_ROOT_ID, "linkcopy", &e) == 0) {
		FSK_CHECK(S_ISLNK(e.attr.mode));
		FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, FUSE_ROOT_ID, "linkcopy"), 0);
	}
	check_outside_untouched();
}

static void test_symlinks(void)
{
	char rel[600];

	attack_symlink("abs", path(dirs.outside, "secret"));
	attack_symlink("dir", dirs.outside);
	attack_symlink("passwd", "/etc/passwd");
	snprintf(rel, sizeof(rel), "../outside/secret");
	attack_symlink("rel", rel);
	attack_symlink("dangling", path(dirs.outside, "created"));
	attack_symlink("loop", "loop");
	/* a symlink the guest creates itself is text too */
	{
		uint64_t l;

		FSK_EQ(fsk_symlink(&k, FUSE_ROOT_ID, "mine", "/etc/shadow", &l), 0);
		FSK_EQ(fsk_open(&k, l, O_RDONLY, &l), -ELOOP);
	}
	check_outside_untouched();
}

static void test_forged_ids(void)
{
	static const uint64_t bad[] = { 0, 0xdeadbeefull, 1ull << 40, UINT64_MAX };
	struct fuse_entry_out e;
	uint64_t ino, fh, dfh;
	unsigned int i;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "file", 0644, O_RDWR, &ino, &fh), 0);
	FSK_EQ(fsk_opendir(&k, FUSE_ROOT_ID, &dfh), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t id = bad[i], x;

		if (id == ino)
			continue;
		FSK_EQ(fsk_lookup(&k, id, "file", NULL), -ESTALE);
		FSK_EQ(fsk_getattr(&k, id, NULL), -ESTALE);
		FSK_EQ(fsk_open(&k, id, O_RDONLY, &x), -ESTALE);
		FSK_EQ(fsk_opendir(&k, id, &x), -ESTALE);
		FSK_EQ(fsk_mkdir(&k, id, "d", 0755, NULL), -ESTALE);
		FSK_EQ(fsk_create(&k, id, "c", 0644, O_WRONLY, NULL, NULL), -ESTALE);
		FSK_EQ(fsk_link(&k, id, FUSE_ROOT_ID, "l", NULL), -ESTALE);
		FSK_EQ(fsk_link(&k, ino, id, "l", NULL), -ESTALE);
		FSK_EQ(fsk_rename(&k, FUSE_ROOT_ID, "file", id, "moved"), -ESTALE);
		FSK_EQ(fsk_rename(&k, id, "file", FUSE_ROOT_ID, "moved"), -ESTALE);
		FSK_EQ(fsk_name_op(&k, FUSE_UNLINK, id, "file"), -ESTALE);
		FSK_EQ(fsk_readlink(&k, id, (char[8]){ 0 }, 8), -ESTALE);
		fsk_forget(&k, id, 1);	/* ignored */
		/* forged file handles */
		FSK_EQ(fsk_read(&k, ino, id == fh ? 77 : id, 0, 4), -EBADF);
		FSK_EQ(fsk_write(&k, ino, id == fh ? 77 : id, 0, "x", 1), -EBADF);
		FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, id == fh ? 77 : id), -EBADF);
	}
	/* a directory handle is not a file handle and the other way round */
	FSK_EQ(fsk_read(&k, ino, dfh, 0, 4), -EBADF);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, FUSE_ROOT_ID, dfh), -EBADF);
	FSK_EQ(fsk_release(&k, FUSE_RELEASEDIR, ino, fh), -EBADF);
	{
		struct fuse_read_in in = { .fh = fh, .size = 4096 };

		fsk_begin(&k, FUSE_READDIR, FUSE_ROOT_ID);
		fsk_put(&k, &in, sizeof(in));
		FSK_EQ(fsk_send(&k), -EBADF);
	}
	/* a handle of one inode does not truncate another through SETATTR */
	{
		struct fuse_setattr_in s = { .valid = FATTR_SIZE | FATTR_FH, .fh = fh, .size = 0 };

		FSK_EQ(fsk_setattr(&k, FUSE_ROOT_ID, &s, NULL), -EBADF);
	}
	FSK_EQ(fsk_release(&k, FUSE_RELEASEDIR, FUSE_ROOT_ID, dfh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);

	/* a forgotten nodeid is dead for good, even when the file is looked up again */
	fsk_forget(&k, ino, 1);
	FSK_EQ(fsk_getattr(&k, ino, NULL), -ESTALE);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "file", &e), 0);
	FSK_CHECK(e.nodeid != ino);
	FSK_EQ(fsk_getattr(&k, ino, NULL), -ESTALE);
	fsk_forget(&k, e.nodeid, 1);
	check_outside_untouched();
}

/* The host moves or swaps things under the guest's feet. */
static void test_host_moves(void)
{
	struct fuse_entry_out e;
	uint64_t m, s2, fh;
	struct stat st;

	/* a directory moved out of the root: its ".." is not something we know */
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "m", 0755, &m), 0);
	FSK_CHECK(!mkdir(path(dirs.base, "elsewhere"), 0755));
	FSK_CHECK(!rename(path(dirs.root, "m"), path(dirs.base, "elsewhere/m")));
	FSK_EQ(fsk_lookup(&k, m, "..", NULL), -EACCES);
	FSK_CHECK(!rename(path(dirs.base, "elsewhere/m"), path(dirs.root, "m")));
	FSK_CHECK(!rmdir(path(dirs.base, "elsewhere")));

	/* a directory swapped for a symlink to the outside: the old nodeid keeps
	 * naming the real directory, the new name is just a symlink */
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "swap", 0755, &s2), 0);
	FSK_CHECK(!rename(path(dirs.root, "swap"), path(dirs.root, "swap.old")));
	FSK_CHECK(!symlink(dirs.outside, path(dirs.root, "swap")));
	FSK_EQ(fsk_create(&k, s2, "planted", 0644, O_WRONLY, &e.nodeid, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, e.nodeid, fh), 0);
	FSK_CHECK(!lstat(path(dirs.root, "swap.old/planted"), &st));
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "swap", &e), 0);
	FSK_CHECK(S_ISLNK(e.attr.mode));
	FSK_EQ(fsk_create(&k, e.nodeid, "planted", 0644, O_WRONLY, NULL, NULL), -ENOTDIR);

	/* a regular file's name swapped for a symlink: OPEN of the old nodeid
	 * does not follow it (the reopen is checked against the inode) */
	{
		uint64_t f;

		FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "victim", 0644, O_WRONLY, &f, &fh), 0);
		FSK_EQ(fsk_release(&k, FUSE_RELEASE, f, fh), 0);
		FSK_CHECK(!rename(path(dirs.root, "victim"), path(dirs.root, "victim.old")));
		FSK_CHECK(!symlink(path(dirs.outside, "secret"), path(dirs.root, "victim")));
		if (fsk_open(&k, f, O_RDWR | O_TRUNC, &fh) == 0) {
			/* only legitimate if it reopened the real inode by handle */
			FSK_EQ(fsk_write(&k, f, fh, 0, "mine", 4), 0);
			FSK_EQ(fsk_release(&k, FUSE_RELEASE, f, fh), 0);
			FSK_CHECK(!stat(path(dirs.root, "victim.old"), &st) && st.st_size == 4);
		}
		{
			struct fuse_setattr_in s = { .valid = FATTR_MODE, .mode = 0777 };

			if (fsk_setattr(&k, f, &s, NULL) == 0)
				FSK_CHECK(!stat(path(dirs.root, "victim.old"), &st) &&
					  (st.st_mode & 0777) == 0777);
			s.valid = FATTR_SIZE;
			s.size = 0;
			fsk_setattr(&k, f, &s, NULL);
		}
	}
	check_outside_untouched();
}

static void snapshot(const char *dir, char *out, size_t n)
{
	char cmd[700];
	FILE *p;
	size_t got;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && find . -printf '%%p %%y %%m %%s %%T@ %%n\\n' | sort; "
		 "getfattr -R -d -m - . 2>/dev/null", dir);
	p = popen(cmd, "r");
	FSK_CHECK(p);
	got = fread(out, 1, n - 1, p);
	out[got] = 0;
	pclose(p);
}

static void test_readonly(void)
{
	static char before[65536], after[65536];
	struct fs_server *ro;
	struct fsk r;
	struct fuse_entry_out e, d;
	uint64_t fh;

	/* a populated tree, then a read-only server over it */
	write_file(path(dirs.root, "ro-file"), "data", 0644);
	FSK_CHECK(!mkdir(path(dirs.root, "ro-dir"), 0755));
	write_file(path(dirs.root, "ro-dir/inner"), "x", 0644);
	snapshot(dirs.root, before, sizeof(before));
	ro = fsk_server(dirs.root, true, 1);
	fsk_init(&r, ro);
	FSK_EQ(fsk_do_init(&r, 0), 0);
	FSK_EQ(fsk_lookup(&r, FUSE_ROOT_ID, "ro-file", &e), 0);
	FSK_EQ(fsk_lookup(&r, FUSE_ROOT_ID, "ro-dir", &d), 0);

	/* reading works */
	FSK_EQ(fsk_open(&r, e.nodeid, O_RDONLY, &fh), 0);
	FSK_EQ(fsk_read(&r, e.nodeid, fh, 0, 10), 4);
	FSK_EQ(fsk_write(&r, e.nodeid, fh, 0, "evil", 4), -EROFS);
	{
		struct fuse_fallocate_in fa = { .fh = fh, .length = 4096 };

		fsk_begin(&r, FUSE_FALLOCATE, e.nodeid);
		fsk_put(&r, &fa, sizeof(fa));
		FSK_EQ(fsk_send(&r), -EROFS);
	}
	FSK_EQ(fsk_release(&r, FUSE_RELEASE, e.nodeid, fh), 0);

	/* every mutation is EROFS */
	FSK_EQ(fsk_open(&r, e.nodeid, O_WRONLY, &fh), -EROFS);
	FSK_EQ(fsk_open(&r, e.nodeid, O_RDWR, &fh), -EROFS);
	FSK_EQ(fsk_open(&r, e.nodeid, O_RDONLY | O_TRUNC, &fh), -EROFS);
	FSK_EQ(fsk_create(&r, FUSE_ROOT_ID, "new", 0644, O_WRONLY, NULL, NULL), -EROFS);
	FSK_EQ(fsk_create(&r, FUSE_ROOT_ID, "ro-file", 0644, O_RDONLY, NULL, NULL), -EROFS);
	FSK_EQ(fsk_mkdir(&r, FUSE_ROOT_ID, "new", 0755, NULL), -EROFS);
	FSK_EQ(fsk_mknod(&r, FUSE_ROOT_ID, "new", S_IFIFO | 0644, 0), -EROFS);
	FSK_EQ(fsk_symlink(&r, FUSE_ROOT_ID, "new", "x", NULL), -EROFS);
	FSK_EQ(fsk_link(&r, e.nodeid, FUSE_ROOT_ID, "new", NULL), -EROFS);
	FSK_EQ(fsk_name_op(&r, FUSE_UNLINK, FUSE_ROOT_ID, "ro-file"), -EROFS);
	FSK_EQ(fsk_name_op(&r, FUSE_UNLINK, d.nodeid, "inner"), -EROFS);
	FSK_EQ(fsk_name_op(&r, FUSE_RMDIR, FUSE_ROOT_ID, "ro-dir"), -EROFS);
	FSK_EQ(fsk_rename(&r, FUSE_ROOT_ID, "ro-file", FUSE_ROOT_ID, "moved"), -EROFS);
	FSK_EQ(fsk_rename2(&r, FUSE_ROOT_ID, "ro-file", d.nodeid, "x", RENAME_NOREPLACE), -EROFS);
	{
		struct fuse_setattr_in s = { .valid = FATTR_MODE, .mode = 0777 };

		FSK_EQ(fsk_setattr(&r, e.nodeid, &s, NULL), -EROFS);
		s.valid = FATTR_SIZE;
		FSK_EQ(fsk_setattr(&r, e.nodeid, &s, NULL), -EROFS);
		s.valid = FATTR_MTIME | FATTR_ATIME;
		FSK_EQ(fsk_setattr(&r, e.nodeid, &s, NULL), -EROFS);
		s.valid = FATTR_UID;
		FSK_EQ(fsk_setattr(&r, e.nodeid, &s, NULL), -EROFS);
	}
	{
		struct fuse_setxattr_in si = { .size = 1 };
		struct fuse_access_in ai = { .mask = W_OK };

		fsk_begin(&r, FUSE_SETXATTR, e.nodeid);
		fsk_put(&r, &si, FUSE_COMPAT_SETXATTR_IN_SIZE);
		fsk_str(&r, "user.x");
		fsk_put(&r, "1", 1);
		FSK_EQ(fsk_send(&r), -EROFS);
		FSK_EQ(fsk_name_op(&r, FUSE_REMOVEXATTR, e.nodeid, "user.x"), -EROFS);
		fsk_begin(&r, FUSE_ACCESS, e.nodeid);
		fsk_put(&r, &ai, sizeof(ai));
		FSK_EQ(fsk_send(&r), -EROFS);
	}
	fsk_fini(&r);
	fs_server_free(ro);
	snapshot(dirs.root, after, sizeof(after));
	FSK_CHECK(!strcmp(before, after));
	check_outside_untouched();
}

int main(void)
{
	struct fs_server *srv;
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-confine");
	write_file(path(dirs.outside, "secret"), "top secret\n", 0600);
	FSK_CHECK(!stat(path(dirs.outside, "secret"), &secret_st));
	srv = fsk_server(dirs.root, false, 1);
	fsk_init(&k, srv);
	FSK_EQ(fsk_do_init(&k, 0), 0);
	test_dotdot();
	test_symlinks();
	test_forged_ids();
	test_host_moves();
	fsk_fini(&k);
	fs_server_free(srv);
	test_readonly();
	FSK_EQ(fsk_count_fds(), fds_before);	/* no fd leaked on any path */
	fsk_rm_rf(dirs.base);
	printf("test-fs-confine: ok\n");
	return 0;
}
