// SPDX-License-Identifier: GPL-2.0
/* File handle operations: OPEN, READ, WRITE, RELEASE, FLUSH, FSYNC, FALLOCATE, LSEEK. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fs_internal.h"

int fs_op_open(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_open_in in;
	struct fuse_open_out out;
	struct fs_inode *ino;
	int fd, flags, r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (srv->cfg.readonly && ((in.flags & O_ACCMODE) != O_RDONLY || (in.flags & O_TRUNC)))
		return -EROFS;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	if (ino->type == S_IFDIR) {
		r = -EISDIR;
		goto out;
	}
	if (ino->type != S_IFREG) {
		/* the guest kernel handles FIFOs and sockets itself */
		r = ino->type == S_IFLNK ? -ELOOP : -ENXIO;
		goto out;
	}
	flags = fs_open_flags(srv, in.flags);
	fd = fs_inode_reopen(srv, ino, flags);
	/* writeback made it O_RDWR, but the file is not readable: write-only then */
	if (fd == -EACCES && (in.flags & O_ACCMODE) == O_WRONLY && (flags & O_ACCMODE) == O_RDWR)
		fd = fs_inode_reopen(srv, ino, (flags & ~O_ACCMODE) | O_WRONLY);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	/* O_TRUNC is applied only once the fd is known to be this inode */
	if ((in.flags & O_TRUNC) && (in.flags & O_ACCMODE) != O_RDONLY) {
		bool locked = fs_dax_change_begin(srv, ino, 0, UINT64_MAX, &r);

		if (!r && ftruncate(fd, 0))
			r = -errno;
		fs_dax_change_end(srv, ino, 0, UINT64_MAX, locked);
		if (!r && (in.open_flags & FUSE_OPEN_KILL_SUIDGID))
			r = fs_kill_suidgid(srv, ino, fd, rq->in.gid);
		if (r) {
			close(fd);
			goto out;
		}
	}
	memset(&out, 0, sizeof(out));
	if (srv->cfg.keep_cache)
		out.open_flags = FOPEN_KEEP_CACHE;
	r = fs_handle_new(srv, fd, NULL, ino, &out.fh);
	if (r) {
		close(fd);
		goto out;
	}
	r = fs_reply_add(rp, &out, sizeof(out));
	if (r)
		fs_handle_release(srv, out.fh, false);
	else
		r = (int)rp->len;
out:
	fs_inode_put(srv, ino);
	return r;
}

/* one per reply descriptor: the guest maps a READ reply page by page */
#define READ_IOV_MAX FS_MAX_REPLY_IOV
/* one per request descriptor of a WRITE's data left in guest memory */
#define WRITE_IOV_MAX FS_MAX_REPLY_IOV

int fs_op_read(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct iovec iov[READ_IOV_MAX];
	struct fuse_read_in in;
	struct fs_handle *h;
	size_t want;
	ssize_t n;
	int cnt, r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (in.offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	/* never more than the reply buffers can take */
	want = in.size < fs_reply_room(rp) ? in.size : fs_reply_room(rp);
	if (want > srv->cfg.max_write)
		want = srv->cfg.max_write;
	h = fs_handle_get(srv, in.fh, false);
	if (!h)
		return -EBADF;
	cnt = fs_reply_slice(rp, 0, want, iov, READ_IOV_MAX);
	if (cnt < 0) {
		r = cnt;
	} else if (cnt == 0) {
		r = 0;
	} else {
		/* straight into the reply buffers; we never read them back */
		n = preadv(h->fd, iov, cnt, (off_t)in.offset);
		r = n < 0 ? -errno : (int)n;
	}
	fs_handle_put(srv, h);
	if (r > 0)
		rp->len = (size_t)r;
	return r;
}

int fs_op_write(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct iovec tail[WRITE_IOV_MAX];
	struct fuse_write_in in;
	struct fuse_write_out out;
	struct fs_handle *h;
	const void *data;
	int tailcnt = 0;
	ssize_t n;
	bool locked;
	int r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (in.size > srv->cfg.max_write)
		return -EINVAL;
	/* size is guest-written: the data must really be there, copied or not */
	data = fs_req_bytes(rq, in.size);
	if (!data && in.size) {
		tailcnt = fs_req_tail(rq, in.size, tail, WRITE_IOV_MAX);
		if (tailcnt <= 0)
			return -EINVAL;
	}
	if (srv->cfg.readonly)
		return -EROFS;
	r = fs_check_file_end(srv, in.offset, in.size);
	if (r)
		return r;
	h = fs_handle_get(srv, in.fh, false);
	if (!h)
		return -EBADF;
	/* DAX chunks of this range: guest writes out first, new bytes in after */
	locked = fs_dax_change_begin(srv, h->inode, in.offset, in.size, &r);
	if (!r && (in.write_flags & FUSE_WRITE_KILL_SUIDGID))
		r = fs_kill_suidgid(srv, h->inode, h->fd, rq->in.gid);
	if (r)
		n = -1;
	else if (tailcnt)	/* straight from guest memory: data only, never parsed */
		n = pwritev(h->fd, tail, tailcnt, (off_t)in.offset);
	else
		n = pwrite(h->fd, data, in.size, (off_t)in.offset);
	if (n < 0 && !r)
		r = -errno;
	fs_dax_change_end(srv, h->inode, in.offset, n > 0 ? (uint64_t)n : 0, locked);
	fs_handle_put(srv, h);
	if (r)
		return r;
	memset(&out, 0, sizeof(out));
	out.size = (uint32_t)n;
	r = fs_reply_add(rp, &out, sizeof(out));
	return r ? r : (int)rp->len;
}

/* RELEASE and RELEASEDIR: drop the handle (@dir: a directory handle). */
int fs_release_req(struct fs_server *srv, struct fs_req *rq, bool dir)
{
	struct fuse_release_in in;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	return fs_handle_release(srv, in.fh, dir);
}

int fs_op_release(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rp;
	return fs_release_req(srv, rq, false);
}

int fs_op_flush(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_flush_in in;
	struct fs_handle *h;
	int r;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	h = fs_handle_get(srv, in.fh, false);
	if (!h)
		return -EBADF;
	/* close(): the guest's writes in DAX chunks reach the file */
	r = fs_dax_writeback_inode(srv, h->inode);
	fs_handle_put(srv, h);
	return r;
}

/* FSYNC and FSYNCDIR (@dir: a directory handle); FDATASYNC honoured. */
int fs_fsync_req(struct fs_server *srv, struct fs_req *rq, bool dir)
{
	struct fuse_fsync_in in;
	struct fs_handle *h;
	int r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	h = fs_handle_get(srv, in.fh, dir);
	if (!h)
		return -EBADF;
	r = dir ? 0 : fs_dax_writeback_inode(srv, h->inode);
	if (!r)
		r = ((in.fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(h->fd) : fsync(h->fd)) ?
		    -errno : 0;
	fs_handle_put(srv, h);
	return r;
}

int fs_op_fsync(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rp;
	return fs_fsync_req(srv, rq, false);
}

int fs_op_fallocate(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	const uint32_t known = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE;
	struct fuse_fallocate_in in;
	struct fs_handle *h;
	bool locked;
	int r;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (in.mode & ~known)
		return -EOPNOTSUPP;
	if (srv->cfg.readonly)
		return -EROFS;
	r = fs_check_file_end(srv, in.offset, in.length);
	if (r)
		return r;
	h = fs_handle_get(srv, in.fh, false);
	if (!h)
		return -EBADF;
	locked = fs_dax_change_begin(srv, h->inode, in.offset, in.length, &r);
	if (!r && fallocate(h->fd, (int)in.mode, (off_t)in.offset, (off_t)in.length))
		r = -errno;
	fs_dax_change_end(srv, h->inode, in.offset, in.length, locked);
	fs_handle_put(srv, h);
	return r;
}

int fs_op_lseek(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_lseek_in in;
	struct fuse_lseek_out out;
	struct fs_handle *h;
	off_t off;
	int r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (in.whence != SEEK_SET && in.whence != SEEK_CUR && in.whence != SEEK_END &&
	    in.whence != SEEK_DATA && in.whence != SEEK_HOLE)
		return -EINVAL;
	if (in.offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	h = fs_handle_get(srv, in.fh, false);
	if (!h)
		return -EBADF;
	/* the handle's file position is not used by READ/WRITE, so this is harmless */
	off = lseek(h->fd, (off_t)in.offset, (int)in.whence);
	r = off < 0 ? -errno : 0;
	fs_handle_put(srv, h);
	if (r)
		return r;
	out.offset = (uint64_t)off;
	r = fs_reply_add(rp, &out, sizeof(out));
	return r ? r : (int)rp->len;
}
