// SPDX-License-Identifier: GPL-2.0
/* LOOKUP, FORGET, BATCH_FORGET, GETATTR, SETATTR, READLINK, STATFS, ACCESS. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fs_internal.h"

void fs_fill_attr(struct fs_server *srv, const struct stat *st, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = st->st_ino;
	a->size = (uint64_t)st->st_size;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime = (uint64_t)st->st_atim.tv_sec;
	a->mtime = (uint64_t)st->st_mtim.tv_sec;
	a->ctime = (uint64_t)st->st_ctim.tv_sec;
	a->atimensec = (uint32_t)st->st_atim.tv_nsec;
	a->mtimensec = (uint32_t)st->st_mtim.tv_nsec;
	a->ctimensec = (uint32_t)st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = (uint32_t)st->st_rdev;
	a->blksize = (uint32_t)st->st_blksize;
	/* per-inode DAX granted: the guest maps regular files (fs_dax.c) */
	if (S_ISREG(st->st_mode) && atomic_load(&srv->dax_inode))
		a->flags |= FUSE_ATTR_DAX;
}

void fs_fill_entry_times(struct fs_server *srv, struct fuse_entry_out *out)
{
	uint32_t ms = srv->cfg.timeout_ms;

	out->entry_valid = out->attr_valid = ms / 1000;
	out->entry_valid_nsec = out->attr_valid_nsec = (ms % 1000) * 1000000u;
}

static int stat_fd(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/*
 * Look name up in parent and add a lookup reference for it. "." is the
 * parent itself, ".." of the root is the root, ".." elsewhere must be an
 * inode the guest already knows (so it is inside the root).
 */
int fs_lookup_entry(struct fs_server *srv, struct fs_inode *parent, const char *name,
		    struct fuse_entry_out *out)
{
	bool dotdot = !strcmp(name, "..");
	struct stat st;
	uint64_t nodeid;
	int fd, r;

	if (parent->type != S_IFDIR)
		return -ENOTDIR;
	if (dotdot && parent == srv->root)
		name = ".";
	fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = stat_fd(fd, &st);
	if (r) {
		close(fd);
		return r;
	}
	r = fs_inode_link_in(srv, parent, name, fd, &st, dotdot, &nodeid);
	if (r)
		return r;
	memset(out, 0, sizeof(*out));
	out->nodeid = nodeid;
	out->generation = 0;
	fs_fill_entry_times(srv, out);
	fs_fill_attr(srv, &st, &out->attr);
	return 0;
}

int fs_op_lookup(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_entry_out out;
	struct fs_inode *dir;
	const char *name;
	size_t len;
	int r;

	name = fs_req_str(rq, &len);
	if (!name)
		return -EINVAL;
	r = fs_check_name(name, len);
	if (r)
		return r;
	dir = fs_inode_get(srv, rq->in.nodeid);
	if (!dir)
		return -ESTALE;
	r = fs_lookup_entry(srv, dir, name, &out);
	fs_inode_put(srv, dir);
	if (r)
		return r;
	r = fs_reply_add(rp, &out, sizeof(out));
	if (r)
		fs_inode_forget(srv, out.nodeid, 1);	/* the guest never saw it */
	return r ? r : (int)rp->len;
}

int fs_op_forget(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_forget_in in;

	rp->noreply = true;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	fs_inode_forget(srv, rq->in.nodeid, in.nlookup);
	return 0;
}

int fs_op_batch_forget(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_batch_forget_in in;
	struct fuse_forget_one one;
	uint32_t i;

	rp->noreply = true;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	/* count is guest-written: only the entries actually present are used */
	if (in.count > rq->left / sizeof(one))
		return -EINVAL;
	for (i = 0; i < in.count; i++) {
		if (!fs_req_get(rq, &one, sizeof(one)))
			return -EINVAL;
		fs_inode_forget(srv, one.nodeid, one.nlookup);
	}
	return 0;
}

static int reply_attr(struct fs_server *srv, struct fs_reply *rp, const struct stat *st)
{
	struct fuse_attr_out out;
	int r;

	memset(&out, 0, sizeof(out));
	out.attr_valid = srv->cfg.timeout_ms / 1000;
	out.attr_valid_nsec = (srv->cfg.timeout_ms % 1000) * 1000000u;
	fs_fill_attr(srv, st, &out.attr);
	r = fs_reply_add(rp, &out, sizeof(out));
	return r ? r : (int)rp->len;
}

int fs_op_getattr(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_getattr_in in;
	struct fs_inode *ino;
	struct stat st;
	int r;

	/* the argument only carries an optional fh; stat the inode itself */
	if (!fs_req_get_min(rq, &in, sizeof(in), 0))
		return -EINVAL;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	r = stat_fd(ino->fd, &st);
	fs_inode_put(srv, ino);
	return r ? r : reply_attr(srv, rp, &st);
}

static int check_size(struct fs_server *srv, uint64_t end)
{
	if (end > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (srv->cfg.max_file_size && end > srv->cfg.max_file_size)
		return -EFBIG;
	return 0;
}

int fs_check_file_end(struct fs_server *srv, uint64_t off, uint64_t len)
{
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return -EINVAL;
	return check_size(srv, off + len);
}

static struct timespec fuse_time(uint64_t sec, uint32_t nsec, bool now, bool set)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = UTIME_OMIT };

	if (now) {
		ts.tv_nsec = UTIME_NOW;
	} else if (set) {
		ts.tv_sec = (time_t)sec;
		ts.tv_nsec = nsec;
	}
	return ts;
}

int fs_kill_suidgid(struct fs_server *srv, struct fs_inode *ino, int fd, uint32_t caller_gid)
{
	struct stat st;
	mode_t kill;
	int f, r = 0;

	r = fd >= 0 ? (fstat(fd, &st) ? -errno : 0) : stat_fd(ino->fd, &st);
	if (r)
		return r;
	if (!S_ISREG(st.st_mode))
		return 0;
	kill = st.st_mode & S_ISUID;
	if ((st.st_mode & S_ISGID) && ((st.st_mode & S_IXGRP) || st.st_gid != caller_gid))
		kill |= S_ISGID;
	if (!kill)
		return 0;
	f = fd >= 0 ? fd : fs_inode_reopen(srv, ino, O_RDONLY);
	if (f < 0)
		return f;
	if (fchmod(f, st.st_mode & 07777 & ~kill))
		r = -errno;
	if (fd < 0)
		close(f);
	return r;
}

/* Apply one SETATTR; ino is held. */
static int do_setattr(struct fs_server *srv, struct fs_inode *ino, const struct fuse_setattr_in *in,
		      uint32_t caller_gid)
{
	struct fs_handle *h = NULL;
	int fd = -1, r = 0;
	bool locked;

	if (in->valid & FATTR_FH) {
		h = fs_handle_get(srv, in->fh, false);
		if (!h)
			return -EBADF;
		if (h->inode != ino) {
			fs_handle_put(srv, h);
			return -EBADF;
		}
	}
	if (in->valid & FATTR_MODE) {
		if (ino->type == S_IFLNK) {
			r = -EOPNOTSUPP;
			goto out;
		}
		fd = h ? h->fd : fs_inode_reopen(srv, ino, O_RDONLY);
		if (fd < 0) {
			r = fd;
			goto out;
		}
		if (fchmod(fd, in->mode & 07777))
			r = -errno;
		if (!h)
			close(fd);
		if (r)
			goto out;
	}
	if (in->valid & (FATTR_UID | FATTR_GID)) {
		uid_t uid = (in->valid & FATTR_UID) ? in->uid : (uid_t)-1;
		gid_t gid = (in->valid & FATTR_GID) ? in->gid : (gid_t)-1;

		if (fchownat(ino->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
			r = -errno;
			goto out;
		}
		/* the host's chown has done this already unless we are root */
		if ((in->valid & FATTR_KILL_SUIDGID) && ino->type == S_IFREG) {
			r = fs_kill_suidgid(srv, ino, h ? h->fd : -1, caller_gid);
			if (r)
				goto out;
		}
	}
	if (in->valid & FATTR_SIZE) {
		r = check_size(srv, in->size);
		if (r)
			goto out;
		if (ino->type != S_IFREG) {
			r = ino->type == S_IFDIR ? -EISDIR : -EINVAL;
			goto out;
		}
		fd = h ? h->fd : fs_inode_reopen(srv, ino, O_WRONLY);
		if (fd < 0) {
			r = fd;
			goto out;
		}
		/* guest writes in DAX chunks go out first, the file's bytes come back after */
		locked = fs_dax_change_begin(srv, ino, 0, UINT64_MAX, &r);
		if (!r && ftruncate(fd, (off_t)in->size))
			r = -errno;
		fs_dax_change_end(srv, ino, 0, UINT64_MAX, locked);
		if (!r && (in->valid & FATTR_KILL_SUIDGID))
			r = fs_kill_suidgid(srv, ino, fd, caller_gid);
		if (!h)
			close(fd);
		if (r)
			goto out;
	}
	if (in->valid & (FATTR_ATIME | FATTR_MTIME)) {
		struct timespec ts[2];

		ts[0] = fuse_time(in->atime, in->atimensec, in->valid & FATTR_ATIME_NOW,
				  in->valid & FATTR_ATIME);
		ts[1] = fuse_time(in->mtime, in->mtimensec, in->valid & FATTR_MTIME_NOW,
				  in->valid & FATTR_MTIME);
		if ((!(in->valid & FATTR_ATIME_NOW) && ts[0].tv_nsec != UTIME_OMIT &&
		     ts[0].tv_nsec >= 1000000000L) ||
		    (!(in->valid & FATTR_MTIME_NOW) && ts[1].tv_nsec != UTIME_OMIT &&
		     ts[1].tv_nsec >= 1000000000L)) {
			r = -EINVAL;
			goto out;
		}
		if (utimensat(ino->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			r = -errno;
	}
out:
	if (h)
		fs_handle_put(srv, h);
	return r;
}

int fs_op_setattr(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_setattr_in in;
	struct fs_inode *ino;
	struct stat st;
	int r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (srv->cfg.readonly)
		return -EROFS;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	r = do_setattr(srv, ino, &in, rq->in.gid);
	if (!r)
		r = stat_fd(ino->fd, &st);
	fs_inode_put(srv, ino);
	return r ? r : reply_attr(srv, rp, &st);
}

int fs_op_readlink(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	char buf[PATH_MAX];
	struct fs_inode *ino;
	ssize_t n;
	int r;

	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	if (ino->type != S_IFLNK) {
		fs_inode_put(srv, ino);
		return -EINVAL;
	}
	/* the target text only: the server never follows it */
	n = readlinkat(ino->fd, "", buf, sizeof(buf));
	r = n < 0 ? -errno : 0;
	fs_inode_put(srv, ino);
	if (r)
		return r;
	if ((size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	r = fs_reply_add(rp, buf, (size_t)n);
	return r ? r : (int)rp->len;
}

int fs_op_statfs(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_statfs_out out;
	struct fs_inode *ino;
	struct statfs sf;
	int r;

	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	r = fstatfs(ino->fd, &sf) ? -errno : 0;
	fs_inode_put(srv, ino);
	if (r)
		return r;
	memset(&out, 0, sizeof(out));
	out.st.blocks = sf.f_blocks;
	out.st.bfree = sf.f_bfree;
	out.st.bavail = sf.f_bavail;
	out.st.files = sf.f_files;
	out.st.ffree = sf.f_ffree;
	out.st.bsize = (uint32_t)sf.f_bsize;
	out.st.namelen = (uint32_t)sf.f_namelen;
	out.st.frsize = (uint32_t)sf.f_frsize;
	r = fs_reply_add(rp, &out, sizeof(out));
	return r ? r : (int)rp->len;
}

int fs_op_access(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_access_in in;
	struct fs_inode *ino;
	int r;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	if (in.mask & ~(unsigned int)(R_OK | W_OK | X_OK))
		return -EINVAL;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	if ((in.mask & W_OK) && srv->cfg.readonly)
		r = -EROFS;
	else
		r = faccessat(ino->fd, "", (int)in.mask,
			      AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	fs_inode_put(srv, ino);
	return r;
}
