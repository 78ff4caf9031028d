// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE_HANDLE_KILLPRIV_V2: the server, not the guest, clears set-id bits.
 * When a request carries the kill flag (the guest caller lacks CAP_FSETID),
 * WRITE, SETATTR truncate and chown, OPEN with O_TRUNC and CREATE of an
 * existing file with O_TRUNC must clear S_ISUID, and S_ISGID when the group
 * may execute or the caller is not in the file's group (as the 6.1 kernel
 * does); without the flag nothing changes.  Checked on the
 * host's view of the file after each request.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

static struct fsk_dirs dirs;
static struct fsk k;

static mode_t host_mode(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dirs.root, name);
	FSK_CHECK(!stat(path, &st));
	return st.st_mode & 07777;
}

static void host_chmod(const char *name, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dirs.root, name);
	FSK_CHECK(!chmod(path, mode));
}

static int write_flagged(uint64_t ino, uint64_t fh, uint32_t write_flags)
{
	struct fuse_write_in in = { .fh = fh, .offset = 0, .size = 3,
				    .write_flags = write_flags };

	fsk_begin(&k, FUSE_WRITE, ino);
	fsk_put(&k, &in, sizeof(in));
	fsk_put(&k, "abc", 3);
	return fsk_send(&k);
}

static int open_flagged(uint64_t ino, uint32_t flags, uint32_t open_flags, uint64_t *fh)
{
	struct fuse_open_in in = { .flags = flags, .open_flags = open_flags };
	struct fuse_open_out out;
	int r;

	fsk_begin(&k, FUSE_OPEN, ino);
	fsk_put(&k, &in, sizeof(in));
	r = fsk_send(&k);
	if (!r) {
		fsk_payload(&k, &out, sizeof(out));
		*fh = out.fh;
	}
	return r;
}

static int create_flagged(const char *name, uint32_t flags, uint32_t open_flags, uint64_t *fh)
{
	struct fuse_create_in in = { .flags = flags, .mode = S_IFREG | 0644,
				     .open_flags = open_flags };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	int r;

	fsk_begin(&k, FUSE_CREATE, FUSE_ROOT_ID);
	fsk_put(&k, &in, sizeof(in));
	fsk_str(&k, name);
	r = fsk_send(&k);
	if (!r) {
		fsk_payload(&k, &out, sizeof(out));
		*fh = out.o.fh;
		FSK_EQ(out.e.attr.mode & 07777, host_mode(name));	/* reply after the kill */
		fsk_forget(&k, out.e.nodeid, 1);
	}
	return r;
}

static void test_negotiated(void)
{
	struct fuse_init_out out;

	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ | FUSE_HANDLE_KILLPRIV_V2), 0);
	fsk_payload(&k, &out, sizeof(out));
	FSK_CHECK(out.flags & FUSE_HANDLE_KILLPRIV_V2);
	/* not offered by the guest: not granted (the guest kills itself) */
	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ), 0);
	fsk_payload(&k, &out, sizeof(out));
	FSK_CHECK(!(out.flags & FUSE_HANDLE_KILLPRIV_V2));
	FSK_EQ(fsk_do_init(&k, FUSE_ASYNC_READ | FUSE_HANDLE_KILLPRIV_V2), 0);
}

static void test_write(void)
{
	uint64_t ino, fh;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "w", 0644, O_RDWR, &ino, &fh), 0);
	host_chmod("w", 06755);
	FSK_EQ(write_flagged(ino, fh, 0), 0);			/* caller has CAP_FSETID */
	FSK_EQ(host_mode("w"), 06755);
	FSK_EQ(write_flagged(ino, fh, FUSE_WRITE_KILL_SUIDGID), 0);
	FSK_EQ(host_mode("w"), 0755);
	/* setgid without group execute stays for a caller in the file's group */
	host_chmod("w", 02745);
	FSK_EQ(write_flagged(ino, fh, FUSE_WRITE_KILL_SUIDGID), 0);
	FSK_EQ(host_mode("w"), 02745);
	/* ... and goes for one outside it */
	k.gid = getegid() + 1;
	FSK_EQ(write_flagged(ino, fh, FUSE_WRITE_KILL_SUIDGID), 0);
	FSK_EQ(host_mode("w"), 0745);
	k.gid = getegid();
	host_chmod("w", 04700);
	FSK_EQ(write_flagged(ino, fh, FUSE_WRITE_KILL_SUIDGID), 0);
	FSK_EQ(host_mode("w"), 0700);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
}

static void test_setattr(void)
{
	struct fuse_attr a;
	uint64_t ino, fh;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "t", 0644, O_RDWR, &ino, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	host_chmod("t", 04755);
	{
		struct fuse_setattr_in s = { .valid = FATTR_SIZE, .size = 7 };

		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(host_mode("t"), 04755);
		s.valid |= FATTR_KILL_SUIDGID;
		s.size = 3;
		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(host_mode("t"), 0755);
		FSK_EQ(a.mode & 07777, 0755);	/* the reply shows it */
		FSK_EQ(a.size, 3);
	}
	host_chmod("t", 06755);
	{
		struct fuse_setattr_in s = { .valid = FATTR_UID | FATTR_GID | FATTR_KILL_SUIDGID,
					     .uid = geteuid(), .gid = getegid() };

		FSK_EQ(fsk_setattr(&k, ino, &s, &a), 0);
		FSK_EQ(host_mode("t"), 0755);
	}
}

static void test_open_trunc(void)
{
	uint64_t ino, fh;

	FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "o", 0644, O_RDWR, &ino, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	host_chmod("o", 04755);
	/* the kill flag goes with O_TRUNC only */
	FSK_EQ(open_flagged(ino, O_WRONLY, FUSE_OPEN_KILL_SUIDGID, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(host_mode("o"), 04755);
	FSK_EQ(open_flagged(ino, O_WRONLY | O_TRUNC, 0, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(host_mode("o"), 04755);
	FSK_EQ(open_flagged(ino, O_WRONLY | O_TRUNC, FUSE_OPEN_KILL_SUIDGID, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(host_mode("o"), 0755);

	/* CREATE of an existing file with O_TRUNC */
	host_chmod("o", 06755);
	FSK_EQ(create_flagged("o", O_WRONLY | O_CREAT, FUSE_OPEN_KILL_SUIDGID, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(host_mode("o"), 06755);
	FSK_EQ(create_flagged("o", O_WRONLY | O_CREAT | O_TRUNC, FUSE_OPEN_KILL_SUIDGID, &fh), 0);
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(host_mode("o"), 0755);
}

int main(void)
{
	struct fs_server *srv;
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-killpriv");
	srv = fsk_server(dirs.root, false, 2);
	fsk_init(&k, srv);
	k.uid = geteuid();
	k.gid = getegid();	/* files created here are in this group */
	test_negotiated();
	test_write();
	test_setattr();
	test_open_trunc();
	fsk_fini(&k);
	fs_server_free(srv);
	FSK_EQ(fsk_count_fds(), fds_before);
	fsk_rm_rf(dirs.base);
	printf("test-fs-killpriv: ok\n");
	return 0;
}
