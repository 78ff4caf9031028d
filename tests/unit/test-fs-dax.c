// SPDX-License-Identifier: GPL-2.0
/*
 * The DAX window of the virtio-fs backend (userspace/ivshmd/fs_dax.c):
 * per-inode DAX is granted only when a window is configured and the guest
 * asks, and then only regular files carry FUSE_ATTR_DAX; SETUPMAPPING copies
 * the file range into its 2 MiB chunk (zeroes past EOF); guest writes in a
 * writable chunk reach the file on FLUSH, FSYNC, REMOVEMAPPING, a remap of
 * the chunk and a reset, never past the file's end, and never from a
 * read-only chunk; WRITE, truncate and FALLOCATE keep mapped chunks equal
 * to the file without losing the guest's writes; malformed mappings are
 * refused with the right errno and leave no trace; a mapping keeps its
 * inode usable after the guest forgot it; no fd leaks.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

#define CHUNK	(2u << 20)
#define NCHUNK	3u
#define INODE_DAX_FLAG2	((uint32_t)(FUSE_HAS_INODE_DAX >> 32))

static struct fsk_dirs dirs;
static struct fsk k;
static unsigned char *win;

static int init_dax(bool ask, uint32_t *flags2)
{
	struct fuse_init_in in = { .major = FUSE_KERNEL_VERSION, .minor = 36,
				   .max_readahead = 131072, .flags = FUSE_INIT_EXT,
				   .flags2 = ask ? INODE_DAX_FLAG2 : 0 };
	struct fuse_init_out out;
	int r;

	fsk_begin(&k, FUSE_INIT, 0);
	fsk_put(&k, &in, sizeof(in));
	r = fsk_send(&k);
	if (!r) {
		fsk_payload(&k, &out, sizeof(out));
		*flags2 = out.flags2;
	}
	return r;
}

static int setup(uint64_t ino, uint64_t foff, uint64_t len, uint64_t flags, uint64_t moff)
{
	struct fuse_setupmapping_in in = { .fh = (uint64_t)-1, .foffset = foff, .len = len,
					   .flags = flags, .moffset = moff };

	return fsk_call(&k, FUSE_SETUPMAPPING, ino, &in, sizeof(in));
}

static int removemap(uint64_t ino, uint32_t count, uint32_t sent, uint64_t moff, uint64_t len)
{
	struct fuse_removemapping_in in = { .count = count };
	struct fuse_removemapping_one one = { .moffset = moff, .len = len };
	uint32_t i;

	fsk_begin(&k, FUSE_REMOVEMAPPING, ino);
	fsk_put(&k, &in, sizeof(in));
	for (i = 0; i < sent; i++)
		fsk_put(&k, &one, sizeof(one));
	return fsk_send(&k);
}

static int flush(uint64_t ino, uint64_t fh)
{
	struct fuse_flush_in in = { .fh = fh };

	return fsk_call(&k, FUSE_FLUSH, ino, &in, sizeof(in));
}

static void host_write(const char *name, const void *p, size_t n)
{
	char path[400];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dirs.root, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FSK_CHECK(fd >= 0);
	FSK_EQ(write(fd, p, n), (long)n);
	close(fd);
}

static off_t host_size(const char *name)
{
	char path[400];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dirs.root, name);
	FSK_CHECK(!stat(path, &st));
	return st.st_size;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Not granted: no window, or the guest did not ask. */
static void not_granted(bool window, bool ask)
{
	struct fs_server *srv = fsk_server(dirs.root, false, 1);
	struct fuse_entry_out e;
	uint32_t flags2 = 1;

	if (window)
		fs_server_set_dax(srv, win, NCHUNK * CHUNK);
	fsk_init(&k, srv);
	FSK_EQ(init_dax(ask, &flags2), 0);
	FSK_EQ(flags2, 0);
	host_write("plain", "x", 1);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "plain", &e), 0);
	FSK_EQ(e.attr.flags & FUSE_ATTR_DAX, 0);
	/* without a window there is nothing to map */
	if (!window)
		FSK_EQ(setup(e.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), -ENOSYS);
	fsk_fini(&k);
	fs_server_free(srv);
}

static void granted(void)
{
	static unsigned char data[5000], buf[8192];
	struct fs_server *srv = fsk_server(dirs.root, false, 1);
	struct fuse_setattr_in sa;
	struct fuse_entry_out e;
	struct fuse_attr da;
	struct fuse_fsync_in fs;
	uint64_t ino, fh, dir;
	uint32_t flags2 = 0;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 1);
	host_write("f", data, sizeof(data));
	fs_server_set_dax(srv, win, NCHUNK * CHUNK);
	fsk_init(&k, srv);
	FSK_EQ(init_dax(true, &flags2), 0);
	FSK_EQ(flags2, INODE_DAX_FLAG2);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
	ino = e.nodeid;
	FSK_CHECK(e.attr.flags & FUSE_ATTR_DAX);
	FSK_EQ(fsk_mkdir(&k, FUSE_ROOT_ID, "d", 0755, &dir), 0);
	FSK_EQ(fsk_getattr(&k, dir, &da), 0);
	FSK_EQ(da.flags & FUSE_ATTR_DAX, 0);
	FSK_EQ(fsk_getattr(&k, ino, &da), 0);
	FSK_CHECK(da.flags & FUSE_ATTR_DAX);

	/* read-only chunk 0: the file, then zeroes; guest scribbles are not written back */
	memset(win, 0xa5, NCHUNK * CHUNK);
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), 0);
	FSK_CHECK(!memcmp(win, data, sizeof(data)));
	FSK_CHECK(all_zero(win + sizeof(data), CHUNK - sizeof(data)));
	FSK_CHECK(win[CHUNK] == 0xa5);	/* the next chunk untouched */
	memset(win, 'r', 10);
	FSK_EQ(removemap(ino, 1, 1, 0, CHUNK), 0);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), sizeof(data));
	FSK_CHECK(!memcmp(buf, data, sizeof(data)));

	/* writable chunk 1: FLUSH writes it back, up to EOF only */
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE,
		     CHUNK), 0);
	FSK_EQ(fsk_open(&k, ino, O_RDWR, &fh), 0);
	memcpy(win + CHUNK + 100, "GUEST", 5);
	memset(win + CHUNK + 6000, 'z', 10);	/* past EOF: must not extend the file */
	FSK_EQ(flush(ino, fh), 0);
	FSK_EQ(host_size("f"), sizeof(data));
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), sizeof(data));
	FSK_CHECK(!memcmp(buf + 100, "GUEST", 5));
	memcpy(data + 100, "GUEST", 5);

	/* an extending WRITE: the guest's chunk writes survive, the new bytes show */
	memcpy(win + CHUNK + 300, "MORE", 4);
	FSK_EQ(fsk_write(&k, ino, fh, 5000, "TAIL", 4), 0);
	FSK_CHECK(!memcmp(win + CHUNK + 300, "MORE", 4));
	FSK_CHECK(!memcmp(win + CHUNK + 5000, "TAIL", 4));
	FSK_CHECK(all_zero(win + CHUNK + 5004, CHUNK - 5004));	/* the scribble is gone */
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 5004);
	FSK_CHECK(!memcmp(buf + 300, "MORE", 4));

	/* truncate: written back first, then the chunk follows the file */
	memcpy(win + CHUNK + 10, "T", 1);
	memset(&sa, 0, sizeof(sa));
	sa.valid = FATTR_SIZE;
	sa.size = 150;
	FSK_EQ(fsk_setattr(&k, ino, &sa, NULL), 0);
	FSK_EQ(host_size("f"), 150);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 150);
	FSK_EQ(buf[10], 'T');
	FSK_CHECK(!memcmp(buf + 100, "GUEST", 5));
	FSK_CHECK(all_zero(win + CHUNK + 150, CHUNK - 150));

	/* FSYNC writes back too */
	memcpy(win + CHUNK + 20, "SYNC", 4);
	memset(&fs, 0, sizeof(fs));
	fs.fh = fh;
	FSK_EQ(fsk_call(&k, FUSE_FSYNC, ino, &fs, sizeof(fs)), 0);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 150);
	FSK_CHECK(!memcmp(buf + 20, "SYNC", 4));

	/* FALLOCATE punching a hole: the chunk shows the zeroes */
	{
		struct fuse_fallocate_in fa = { .fh = fh, .offset = 0, .length = 8,
						.mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE };
		int r = fsk_call(&k, FUSE_FALLOCATE, ino, &fa, sizeof(fa));

		FSK_CHECK(r == 0 || r == -EOPNOTSUPP);
		if (!r)
			FSK_CHECK(all_zero(win + CHUNK, 8));
	}

	/* remapping a chunk writes its old contents back first */
	memcpy(win + CHUNK + 30, "REMAP", 5);
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, CHUNK), 0);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 150);
	FSK_CHECK(!memcmp(buf + 30, "REMAP", 5));

	/* malformed requests: refused, nothing mapped */
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 4096), -EINVAL);
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, NCHUNK * CHUNK), -EINVAL);
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, UINT64_MAX - CHUNK + 1), -EINVAL);
	FSK_EQ(setup(ino, 0, 0, FUSE_SETUPMAPPING_FLAG_READ, 0), -EINVAL);
	FSK_EQ(setup(ino, 0, CHUNK + 1, FUSE_SETUPMAPPING_FLAG_READ, 0), -EINVAL);
	FSK_EQ(setup(ino, 100, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), -EINVAL);
	FSK_EQ(setup(ino, UINT64_MAX - 4095, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), -EINVAL);
	FSK_EQ(setup(ino, 0, CHUNK, 1u << 7, 0), -EINVAL);
	FSK_EQ(setup(dir, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), -EINVAL);
	FSK_EQ(setup(987654, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), -ESTALE);
	FSK_EQ(removemap(ino, 0, 0, 0, CHUNK), -EINVAL);
	FSK_EQ(removemap(ino, 2, 1, 0, CHUNK), -EINVAL);
	FSK_EQ(removemap(ino, 1, 2, 0, CHUNK), -EINVAL);
	FSK_EQ(removemap(ino, 257, 0, 0, CHUNK), -EINVAL);
	FSK_EQ(removemap(ino, 1, 1, 3 * CHUNK, CHUNK), -EINVAL);
	/* removing a chunk that maps nothing is fine */
	FSK_EQ(removemap(ino, 1, 1, 2 * CHUNK, CHUNK), 0);

	/* the guest forgets the inode: the mapping still writes back safely */
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, ino, fh), 0);
	FSK_EQ(setup(ino, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_WRITE, 0), 0);
	fsk_forget(&k, ino, 1);	/* its one lookup */
	memcpy(win + 40, "FORGOT", 6);
	FSK_EQ(removemap(ino, 1, 1, 0, CHUNK), 0);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 150);
	FSK_CHECK(!memcmp(buf + 40, "FORGOT", 6));

	/* a new INIT (guest reboot) writes back what is still mapped */
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
	FSK_EQ(setup(e.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_WRITE, 2 * CHUNK), 0);
	memcpy(win + 2 * CHUNK + 50, "RESET", 5);
	FSK_EQ(init_dax(true, &flags2), 0);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 150);
	FSK_CHECK(!memcmp(buf + 50, "RESET", 5));

	/* turning DAX off writes back and forgets, too */
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
	FSK_EQ(setup(e.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_WRITE, 0), 0);
	memcpy(win + 60, "OFF", 3);
	fs_server_set_dax(srv, NULL, 0);
	FSK_EQ(fsk_host_read(&dirs, "f", buf, sizeof(buf)), 150);
	FSK_CHECK(!memcmp(buf + 60, "OFF", 3));
	FSK_EQ(setup(e.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), -ENOSYS);
	fsk_fini(&k);
	fs_server_free(srv);
}

/*
 * A guest FORGET while a handle stays open, then a new LOOKUP: two server
 * inodes for one file.  A WRITE through the old handle must still refresh
 * the chunk mapped through the new nodeid (files matched by dev/ino).
 */
static void two_objects(void)
{
	struct fs_server *srv = fsk_server(dirs.root, false, 1);
	struct fuse_entry_out e1, e2;
	uint32_t flags2 = 0;
	uint64_t fh;

	host_write("two", "0123456789", 10);
	fs_server_set_dax(srv, win, NCHUNK * CHUNK);
	fsk_init(&k, srv);
	FSK_EQ(init_dax(true, &flags2), 0);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "two", &e1), 0);
	FSK_EQ(fsk_open(&k, e1.nodeid, O_RDWR, &fh), 0);
	fsk_forget(&k, e1.nodeid, 1);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "two", &e2), 0);
	FSK_CHECK(e2.nodeid != e1.nodeid);
	FSK_EQ(setup(e2.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_WRITE, 0), 0);
	memcpy(win + 1, "ST", 2);		/* a guest store, not yet written back */
	FSK_EQ(fsk_write(&k, e1.nodeid, fh, 5, "OBJ", 3), 0);
	FSK_CHECK(!memcmp(win, "0ST34OBJ89", 10));
	FSK_EQ(flush(e1.nodeid, fh), 0);	/* via the old object too */
	memcpy(win + 9, "!", 1);
	FSK_EQ(flush(e1.nodeid, fh), 0);
	{
		char buf[16];

		FSK_EQ(fsk_host_read(&dirs, "two", buf, sizeof(buf)), 10);
		FSK_CHECK(!memcmp(buf, "0ST34OBJ8!", 10));
	}
	FSK_EQ(fsk_release(&k, FUSE_RELEASE, e1.nodeid, fh), 0);
	fsk_fini(&k);
	fs_server_free(srv);
}

/* --readonly: read mappings only. */
static void readonly(void)
{
	struct fs_server *srv = fsk_server(dirs.root, true, 1);
	struct fuse_entry_out e;
	uint32_t flags2 = 0;

	fs_server_set_dax(srv, win, NCHUNK * CHUNK);
	fsk_init(&k, srv);
	FSK_EQ(init_dax(true, &flags2), 0);
	FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
	FSK_EQ(setup(e.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_WRITE, 0), -EROFS);
	FSK_EQ(setup(e.nodeid, 0, CHUNK, FUSE_SETUPMAPPING_FLAG_READ, 0), 0);
	FSK_EQ(removemap(e.nodeid, 1, 1, 0, CHUNK), 0);
	fsk_fini(&k);
	fs_server_free(srv);
}

int main(void)
{
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-dax");
	win = mmap(NULL, NCHUNK * CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	FSK_CHECK(win != MAP_FAILED);
	not_granted(false, true);
	not_granted(true, false);
	granted();
	two_objects();
	readonly();
	munmap(win, NCHUNK * CHUNK);
	FSK_EQ(fsk_count_fds(), fds_before);
	fsk_rm_rf(dirs.base);
	printf("test-fs-dax: ok\n");
	return 0;
}
