// SPDX-License-Identifier: GPL-2.0
/* Directory handles: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fs_internal.h"

int fs_op_opendir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_open_in in;
	struct fuse_open_out out;
	struct fs_inode *ino;
	DIR *dir;
	int fd, r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	if (ino->type != S_IFDIR) {
		r = -ENOTDIR;
		goto out;
	}
	fd = fs_inode_reopen(srv, ino, O_RDONLY);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		goto out;
	}
	memset(&out, 0, sizeof(out));
	r = fs_handle_new(srv, fd, dir, ino, &out.fh);
	if (r) {
		closedir(dir);
		goto out;
	}
	r = fs_reply_add(rp, &out, sizeof(out));
	if (r)
		fs_handle_release(srv, out.fh, true);
	else
		r = (int)rp->len;
out:
	fs_inode_put(srv, ino);
	return r;
}

static size_t rec_align(size_t n)
{
	return (n + sizeof(uint64_t) - 1) & ~(sizeof(uint64_t) - 1);
}

static int do_readdir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp, bool plus)
{
	static const unsigned char pad[8];
	struct fuse_read_in in;
	struct fs_handle *h;
	size_t room;
	int r = 0;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	h = fs_handle_get(srv, in.fh, true);
	if (!h)
		return -EBADF;
	room = in.size < fs_reply_room(rp) ? in.size : fs_reply_room(rp);

	pthread_mutex_lock(&h->lock);
	if (in.offset != h->dir_pos) {
		/* offsets are the d_off cookies we handed out (or 0) */
		if (in.offset == 0)
			rewinddir(h->dir);
		else if (in.offset <= (uint64_t)INT64_MAX)
			seekdir(h->dir, (long)in.offset);
		else {
			r = -EINVAL;
			goto out;
		}
		h->dir_pos = in.offset;
	}
	for (;;) {
		struct fuse_direntplus dp;
		struct dirent *de;
		size_t namelen, hdr, rec;
		long before = telldir(h->dir);
		uint64_t ino;

		errno = 0;
		de = readdir(h->dir);
		if (!de) {
			if (errno && !rp->len)
				r = -errno;
			break;
		}
		namelen = strlen(de->d_name);
		hdr = plus ? offsetof(struct fuse_direntplus, dirent.name) :
			     offsetof(struct fuse_dirent, name);
		rec = rec_align(hdr + namelen);
		if (rp->len > room || rec > room - rp->len) {
			seekdir(h->dir, before);	/* next call starts here */
			/* an empty reply would read as end of directory */
			if (!rp->len)
				r = -EOVERFLOW;
			break;
		}
		ino = de->d_ino;
		/* the root's ".." would tell the guest about the host outside */
		if (h->inode == srv->root && !strcmp(de->d_name, ".."))
			ino = srv->root->ino;
		memset(&dp, 0, sizeof(dp));
		if (plus && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			/* a failed lookup (raced unlink) leaves nodeid 0: name only */
			if (fs_lookup_entry(srv, h->inode, de->d_name, &dp.entry_out))
				memset(&dp.entry_out, 0, sizeof(dp.entry_out));
		}
		dp.dirent.ino = ino;
		dp.dirent.off = (uint64_t)de->d_off;
		dp.dirent.namelen = (uint32_t)namelen;
		dp.dirent.type = de->d_type;
		if (plus)
			r = fs_reply_add(rp, &dp, hdr);
		else
			r = fs_reply_add(rp, &dp.dirent, hdr);
		if (!r)
			r = fs_reply_add(rp, de->d_name, namelen);
		if (!r)
			r = fs_reply_add(rp, pad, rec - hdr - namelen);
		if (r) {
			/* cannot happen (room was checked); do not leak the lookup */
			if (dp.entry_out.nodeid)
				fs_inode_forget(srv, dp.entry_out.nodeid, 1);
			break;
		}
		h->dir_pos = (uint64_t)de->d_off;
	}
out:
	pthread_mutex_unlock(&h->lock);
	fs_handle_put(srv, h);
	return r < 0 ? r : (int)rp->len;
}

int fs_op_readdir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	return do_readdir(srv, rq, rp, false);
}

int fs_op_readdirplus(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	return do_readdir(srv, rq, rp, true);
}

int fs_op_releasedir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rp;
	return fs_release_req(srv, rq, true);
}

int fs_op_fsyncdir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rp;
	return fs_fsync_req(srv, rq, true);
}
