// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-fs DAX cache window (ivshmd --dax): FUSE_SETUPMAPPING and
 * FUSE_REMOVEMAPPING, and keeping mapped ranges coherent with the file.
 *
 * The 6.1 guest (fs/fuse/dax.c) maps a regular file in 2 MiB chunks into the
 * device's shared-memory region and then reads, writes and mmap()s the file
 * through that memory: no FUSE request per I/O.  virtiofsd mmap()s the file
 * over the region; here the region is the tail of the shared window, a memfd
 * QEMU has mapped, and a file cannot be mapped into QEMU's view of it.  So a
 * mapping is a copy:
 *
 *  - SETUPMAPPING reads the file range into the chunk (zeroes past EOF);
 *  - the guest's writes land in the chunk; a writable chunk is written back
 *    (up to the file's current size: the guest never extends a file through
 *    DAX, it sends FUSE_WRITE for that) on REMOVEMAPPING, FLUSH (close),
 *    FSYNC, a new mapping of the same chunk, and when the window goes away;
 *  - requests that change file data on the host (WRITE, truncate,
 *    FALLOCATE) first write back the inode's writable chunks they touch and
 *    afterwards read them in again, so the guest sees its own changes; the
 *    change itself runs under dax_lock (fs_dax_change_begin/end), so that no
 *    writeback of a stale chunk (a FLUSH on another worker) can land
 *    between the change and the re-read and undo it.
 *
 * Host-side changes made by others reach the guest only when it maps the
 * range again, and guest writes reach the file at the points above: the
 * trade 9p cache=loose and --writeback make.  fsync() is exact.
 *
 * The table (one slot per chunk, guest-private to this server) is guarded by
 * dax_lock, taken before srv->lock and never while holding it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_internal.h"

/*
 * Copy between the file and the chunk until @len bytes moved, end of file
 * (reading) or an error; *@done says how far it got.  0 or -errno.
 */
static int dax_io(int fd, uint8_t *mem, uint64_t len, uint64_t off, bool to_file,
		  uint64_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = to_file ? pwrite(fd, mem + *done, len - *done, (off_t)(off + *done)) :
				      pread(fd, mem + *done, len - *done, (off_t)(off + *done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return to_file ? -EIO : 0;
		*done += (uint64_t)n;
	}
	return 0;
}

static uint8_t *chunk_mem(struct fs_server *srv, size_t slot)
{
	return srv->dax_base + slot * FS_DAX_CHUNK;
}

/* Write a writable chunk back, up to the file's current end.  dax_lock held. */
static int dax_writeback(struct fs_server *srv, size_t slot)
{
	struct fs_dax_map *m = &srv->dax_maps[slot];
	struct stat st;
	uint64_t n, done;

	if (!m->ino || !m->writable)
		return 0;
	if (fstat(m->fd, &st))
		return -errno;
	if ((uint64_t)st.st_size <= m->foffset)
		return 0;
	n = (uint64_t)st.st_size - m->foffset;
	if (n > m->len)
		n = m->len;
	atomic_fetch_add(&srv->st_dax_writebacks, 1);
	return dax_io(m->fd, chunk_mem(srv, slot), n, m->foffset, true, &done);
}

/* (Re)read a mapped chunk from the file; zeroes past EOF.  dax_lock held. */
static int dax_fill(struct fs_server *srv, size_t slot)
{
	struct fs_dax_map *m = &srv->dax_maps[slot];
	uint8_t *mem = chunk_mem(srv, slot);
	uint64_t got = 0;
	int r;

	r = dax_io(m->fd, mem, m->len, m->foffset, false, &got);
	memset(mem + got, 0, FS_DAX_CHUNK - got);
	return r;
}

/* Forget a slot's mapping (after any writeback).  dax_lock held. */
static void dax_release(struct fs_server *srv, size_t slot)
{
	struct fs_dax_map *m = &srv->dax_maps[slot];

	if (!m->ino)
		return;
	close(m->fd);
	atomic_fetch_sub(&srv->dax_nmapped, 1);
	fs_inode_put(srv, m->ino);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/*
 * Write a slot's guest writes back (a failure is logged) and forget its
 * mapping.  dax_lock held.  Returns the writeback's 0 or -errno.
 */
static int dax_unmap(struct fs_server *srv, size_t slot)
{
	int r = dax_writeback(srv, slot);

	if (r)
		fs_log(srv, "dax: writing back chunk %zu failed: %s", slot, strerror(-r));
	dax_release(srv, slot);
	return r;
}

/* Write back and drop every mapping.  dax_lock held. */
static void dax_drop_all_locked(struct fs_server *srv)
{
	size_t i;

	for (i = 0; i < srv->dax_nmaps; i++)
		dax_unmap(srv, i);
}

void fs_dax_drop_all(struct fs_server *srv)
{
	pthread_mutex_lock(&srv->dax_lock);
	dax_drop_all_locked(srv);
	pthread_mutex_unlock(&srv->dax_lock);
}

void fs_server_set_dax(struct fs_server *srv, void *base, uint64_t len)
{
	size_t n = base ? (size_t)(len / FS_DAX_CHUNK) : 0, i;
	struct fs_dax_map *maps = NULL;

	if (n) {
		maps = calloc(n, sizeof(*maps));
		if (!maps) {
			fs_log(srv, "dax: no memory for %zu chunk slots: DAX off", n);
			n = 0;
		}
		for (i = 0; i < n; i++)
			maps[i].fd = -1;
	}
	pthread_mutex_lock(&srv->dax_lock);
	dax_drop_all_locked(srv);
	free(srv->dax_maps);
	srv->dax_maps = maps;
	srv->dax_nmaps = n;
	srv->dax_base = n ? base : NULL;
	atomic_store(&srv->dax_on, n != 0);
	pthread_mutex_unlock(&srv->dax_lock);
}

bool fs_dax_enabled(struct fs_server *srv)
{
	return atomic_load(&srv->dax_on);
}

/*
 * A chunk of the window: moffset chunk aligned, inside the region; len
 * within the chunk.  Returns the slot, -ENOSYS without a window or -EINVAL.
 * dax_lock held.
 */
static long dax_slot(struct fs_server *srv, uint64_t moffset, uint64_t len)
{
	if (!srv->dax_nmaps)
		return -ENOSYS;
	if (moffset % FS_DAX_CHUNK || !len || len > FS_DAX_CHUNK)
		return -EINVAL;
	if (moffset / FS_DAX_CHUNK >= srv->dax_nmaps)
		return -EINVAL;
	return (long)(moffset / FS_DAX_CHUNK);
}

int fs_op_setupmapping(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_setupmapping_in in;
	const uint64_t known = FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE;
	struct fs_dax_map *m;
	struct fs_inode *ino;
	bool writable;
	long slot;
	int fd, r;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if ((in.flags & ~known) || in.foffset % 4096 || in.foffset > (uint64_t)INT64_MAX ||
	    in.len > (uint64_t)INT64_MAX - in.foffset)
		return -EINVAL;
	writable = in.flags & FUSE_SETUPMAPPING_FLAG_WRITE;
	if (writable && srv->cfg.readonly)
		return -EROFS;
	/* fh: the 6.1 guest sends -1 and names the file by nodeid only */
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	if (ino->type != S_IFREG) {
		fs_inode_put(srv, ino);
		return -EINVAL;
	}
	fd = fs_inode_reopen(srv, ino, writable ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		fs_inode_put(srv, ino);
		return fd;
	}
	pthread_mutex_lock(&srv->dax_lock);
	slot = dax_slot(srv, in.moffset, in.len);
	if (slot < 0) {
		pthread_mutex_unlock(&srv->dax_lock);
		close(fd);
		fs_inode_put(srv, ino);
		return (int)slot;
	}
	/* whatever the chunk held before: its guest writes go out first */
	dax_unmap(srv, (size_t)slot);
	m = &srv->dax_maps[slot];
	m->ino = ino;		/* the reference from fs_inode_get() */
	m->fd = fd;
	m->foffset = in.foffset;
	m->len = in.len;
	m->writable = writable;
	atomic_fetch_add(&srv->dax_nmapped, 1);
	r = dax_fill(srv, (size_t)slot);
	if (r)
		dax_release(srv, (size_t)slot);
	else
		atomic_fetch_add(&srv->st_dax_setups, 1);
	pthread_mutex_unlock(&srv->dax_lock);
	return r;
}

int fs_op_removemapping(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_removemapping_in in;
	struct fuse_removemapping_one one;
	uint32_t i;
	int r = 0, w;
	long slot;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	/* every entry must be there before any is acted on */
	if (!in.count || in.count > FS_DAX_REMOVE_MAX ||
	    rq->left != (size_t)in.count * sizeof(one))
		return -EINVAL;
	pthread_mutex_lock(&srv->dax_lock);
	for (i = 0; i < in.count; i++) {
		if (!fs_req_get(rq, &one, sizeof(one))) {
			r = -EINVAL;
			break;
		}
		slot = dax_slot(srv, one.moffset, one.len);
		if (slot < 0) {
			r = (int)slot;
			continue;
		}
		w = dax_unmap(srv, (size_t)slot);
		if (w && !r)
			r = w;
	}
	pthread_mutex_unlock(&srv->dax_lock);
	return r;
}

/*
 * Does chunk @m map bytes of @ino's file in [off, off + len)?  By dev/ino,
 * not by object: after a guest FORGET while a handle stays open, a new
 * LOOKUP makes a second fs_inode for the same file.
 */
static bool dax_overlaps(const struct fs_dax_map *m, const struct fs_inode *ino,
			 uint64_t off, uint64_t len)
{
	if (!m->ino || m->ino->dev != ino->dev || m->ino->ino != ino->ino || !len)
		return false;
	if (len > UINT64_MAX - off)
		len = UINT64_MAX - off;
	return m->foffset < off + len && off < m->foffset + m->len;
}

/* Write back @ino's writable chunks overlapping the range.  dax_lock held. */
static int dax_writeback_range(struct fs_server *srv, struct fs_inode *ino, uint64_t off,
			       uint64_t len)
{
	size_t i;
	int r = 0, w;

	for (i = 0; i < srv->dax_nmaps; i++) {
		if (!dax_overlaps(&srv->dax_maps[i], ino, off, len))
			continue;
		w = dax_writeback(srv, i);
		if (w && !r)
			r = w;
	}
	return r;
}

bool fs_dax_change_begin(struct fs_server *srv, struct fs_inode *ino, uint64_t off,
			 uint64_t len, int *err)
{
	*err = 0;
	if (!atomic_load(&srv->dax_on))
		return false;
	pthread_mutex_lock(&srv->dax_lock);
	*err = dax_writeback_range(srv, ino, off, len);
	return true;
}

void fs_dax_change_end(struct fs_server *srv, struct fs_inode *ino, uint64_t off,
		       uint64_t len, bool locked)
{
	size_t i;
	int r;

	if (!locked)
		return;
	for (i = 0; len && i < srv->dax_nmaps; i++) {
		if (!dax_overlaps(&srv->dax_maps[i], ino, off, len))
			continue;
		r = dax_fill(srv, i);
		if (r) {
			/* the guest must not go on reading a stale chunk */
			fs_log(srv, "dax: rereading chunk %zu failed: %s", i, strerror(-r));
			memset(chunk_mem(srv, i), 0, FS_DAX_CHUNK);
		}
	}
	pthread_mutex_unlock(&srv->dax_lock);
}

int fs_dax_writeback_inode(struct fs_server *srv, struct fs_inode *ino)
{
	int r;

	/* nothing mapped (no lock: every FLUSH of a plain mount comes here) */
	if (!atomic_load(&srv->dax_nmapped))
		return 0;
	pthread_mutex_lock(&srv->dax_lock);
	r = dax_writeback_range(srv, ino, 0, UINT64_MAX);
	pthread_mutex_unlock(&srv->dax_lock);
	return r;
}
