// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes: GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR.
 *
 * Only the "user." namespace is exposed. security.* (e.g. file capabilities),
 * trusted.* and system.* set by a guest on host files could grant privileges
 * on the host, and reading them tells the guest about host policy.
 * Symlinks carry no user.* attributes on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs_internal.h"

#define XNAME_MAX 255
#define XVALUE_MAX 65536
#define XLIST_MAX 65536

static bool user_name(const char *name, size_t len)
{
	return len > 5 && len <= XNAME_MAX && !strncmp(name, "user.", 5);
}

/* An fd of the inode that the f*xattr calls accept (not O_PATH). */
static int xattr_fd(struct fs_server *srv, struct fs_inode *ino)
{
	if (ino->type != S_IFREG && ino->type != S_IFDIR)
		return -EPERM;
	return fs_inode_reopen(srv, ino, O_RDONLY);
}

static int read_xname(struct fs_req *rq, const char **name)
{
	size_t len;

	*name = fs_req_str(rq, &len);
	if (!*name || len == 0)
		return -EINVAL;
	if (len > XNAME_MAX)
		return -ERANGE;
	return user_name(*name, len) ? 0 : -EOPNOTSUPP;
}

int fs_op_getxattr(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_getxattr_in in;
	struct fs_inode *ino;
	const char *name;
	char *buf = NULL;
	ssize_t n;
	size_t want;
	int fd, r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	r = read_xname(rq, &name);
	if (r)
		return r == -EOPNOTSUPP ? -ENODATA : r;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	fd = xattr_fd(srv, ino);
	fs_inode_put(srv, ino);
	if (fd < 0)
		return fd == -EPERM ? -ENODATA : fd;
	want = in.size > XVALUE_MAX ? XVALUE_MAX : in.size;
	if (want) {
		buf = malloc(want);
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
	}
	n = fgetxattr(fd, name, buf, want);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (!r) {
		if (in.size == 0) {
			struct fuse_getxattr_out out = { .size = (uint32_t)n };

			r = fs_reply_add(rp, &out, sizeof(out));
		} else {
			r = fs_reply_add(rp, buf, (size_t)n);
		}
	}
	free(buf);
	return r ? r : (int)rp->len;
}

int fs_op_listxattr(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_getxattr_in in;
	struct fs_inode *ino;
	char *buf, *out;
	size_t used = 0, off = 0;
	ssize_t n;
	int fd, r;

	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	fd = xattr_fd(srv, ino);
	fs_inode_put(srv, ino);
	if (fd == -EPERM) {
		n = 0;		/* no attributes to show */
		buf = NULL;
		goto filtered;
	}
	if (fd < 0)
		return fd;
	buf = malloc(XLIST_MAX);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = flistxattr(fd, buf, XLIST_MAX);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r) {
		free(buf);
		return r;
	}
filtered:
	/* keep user.* names only, in place */
	out = buf;
	while (off < (size_t)n) {
		size_t len = strnlen(buf + off, (size_t)n - off);

		if (off + len >= (size_t)n)
			break;		/* unterminated tail: drop */
		if (user_name(buf + off, len)) {
			memmove(out + used, buf + off, len + 1);
			used += len + 1;
		}
		off += len + 1;
	}
	if (in.size == 0) {
		struct fuse_getxattr_out go = { .size = (uint32_t)used };

		r = fs_reply_add(rp, &go, sizeof(go));
	} else if (used > in.size) {
		r = -ERANGE;
	} else {
		r = fs_reply_add(rp, buf, used);
	}
	free(buf);
	return r ? r : (int)rp->len;
}

int fs_op_setxattr(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_setxattr_in in;
	struct fs_inode *ino;
	const char *name;
	const void *value;
	int fd, r;

	(void)rp;
	/* FUSE_SETXATTR_EXT is not negotiated: the short (8-byte) layout */
	if (!fs_req_get(rq, &in, FUSE_COMPAT_SETXATTR_IN_SIZE))
		return -EINVAL;
	r = read_xname(rq, &name);
	if (r)
		return r;
	if (in.size > XVALUE_MAX)
		return -E2BIG;
	value = fs_req_bytes(rq, in.size);
	if (!value)
		return -EINVAL;
	if (in.flags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (srv->cfg.readonly)
		return -EROFS;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	fd = xattr_fd(srv, ino);
	fs_inode_put(srv, ino);
	if (fd < 0)
		return fd;
	r = fsetxattr(fd, name, value, in.size, (int)in.flags) ? -errno : 0;
	close(fd);
	return r;
}

int fs_op_removexattr(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fs_inode *ino;
	const char *name;
	int fd, r;

	(void)rp;
	r = read_xname(rq, &name);
	if (r)
		return r;
	if (srv->cfg.readonly)
		return -EROFS;
	ino = fs_inode_get(srv, rq->in.nodeid);
	if (!ino)
		return -ESTALE;
	fd = xattr_fd(srv, ino);
	fs_inode_put(srv, ino);
	if (fd < 0)
		return fd == -EPERM ? -ENODATA : fd;
	r = fremovexattr(fd, name) ? -errno : 0;
	close(fd);
	return r;
}
