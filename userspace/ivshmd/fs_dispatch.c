// SPDX-License-Identifier: GPL-2.0
/*
 * One FUSE request in, one reply out: header validation, INIT/DESTROY,
 * the opcode table, and the out header. Every handler returns its payload
 * length or -errno; the reply header is written here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_internal.h"

/* Oldest protocol we parse: 7.31 (structures as in Linux 5.4+). */
#define FS_MIN_MINOR 31
/* Newest we answer with; the 6.1 guest speaks 7.36. */
#define FS_MAX_MINOR 36

static int op_init(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	/*
	 * ASYNC_DIO: the guest splits one O_DIRECT read or write into requests
	 * of max_pages and sends them all at once instead of one after the
	 * other; they are served concurrently (pread/pwrite at their own
	 * offsets), so a 1 MiB I/O costs about one round trip, not four.
	 * HANDLE_KILLPRIV_V2: we clear set-id bits on write/truncate/chown/
	 * O_TRUNC when the request says so (fs_kill_suidgid()); without it the
	 * 6.1 guest asks GETXATTR "security.capability" before every write,
	 * a second round trip per write.
	 */
	/*
	 * WRITEBACK_CACHE only when configured (--writeback): the guest then
	 * keeps written data, size and mtime in its cache until it flushes
	 * (close, fsync, memory pressure), so the host's view of DIR lags.
	 */
	const uint32_t want = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS |
			      FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES |
			      FUSE_ASYNC_DIO | FUSE_HANDLE_KILLPRIV_V2 |
			      (srv->cfg.writeback ? FUSE_WRITEBACK_CACHE : 0);
	struct fuse_init_in in;
	struct fuse_init_out out;
	long page = sysconf(_SC_PAGESIZE);
	int r;

	/* the original 16-byte layout or the extended one */
	if (!fs_req_get_min(rq, &in, sizeof(in), offsetof(struct fuse_init_in, flags2)))
		return -EINVAL;
	if (in.major != FUSE_KERNEL_VERSION || in.minor < FS_MIN_MINOR)
		return -EPROTO;
	/* a new INIT (guest remount or reboot) starts from a clean table */
	fs_server_reset(srv);
	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = in.minor < FS_MAX_MINOR ? in.minor : FS_MAX_MINOR;
	out.max_readahead = in.max_readahead;
	out.flags = in.flags & want;
	out.max_background = 64;
	out.congestion_threshold = 48;
	out.max_write = srv->cfg.max_write;
	out.time_gran = 1;
	if (page <= 0)
		page = 4096;
	out.max_pages = (uint16_t)((srv->cfg.max_write + (uint32_t)page - 1) / (uint32_t)page);
	/*
	 * Per-inode DAX (fs_dax.c) when there is a DAX window and the guest
	 * asks: every regular file's attributes then carry FUSE_ATTR_DAX, and
	 * the guest maps it instead of sending READ/WRITE.
	 */
	if ((in.flags & FUSE_INIT_EXT) && (in.flags2 & (uint32_t)(FUSE_HAS_INODE_DAX >> 32)) &&
	    fs_dax_enabled(srv)) {
		out.flags |= FUSE_INIT_EXT;
		out.flags2 = (uint32_t)(FUSE_HAS_INODE_DAX >> 32);
	}
	r = fs_reply_add(rp, &out, sizeof(out));
	if (r)
		return r;
	srv->proto_minor = out.minor;
	atomic_store(&srv->writeback, (out.flags & FUSE_WRITEBACK_CACHE) != 0);
	atomic_store(&srv->dax_inode, out.flags2 != 0);
	atomic_store(&srv->initialized, true);
	return (int)rp->len;
}

static int op_destroy(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rq;
	(void)rp;
	atomic_store(&srv->initialized, false);
	fs_server_reset(srv);
	return 0;
}

static int op_interrupt(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)srv;
	(void)rq;
	/* requests are not interruptible here; INTERRUPT never has a reply */
	rp->noreply = true;
	return 0;
}

static int op_syncfs(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rq;
	(void)rp;
	return syncfs(srv->root->fd) ? -errno : 0;
}

struct fs_opdesc {
	fs_op_fn fn;
	const char *name;
};

#define OP(code, fn) [code] = { fn, #code }
static const struct fs_opdesc ops[] = {
	OP(FUSE_LOOKUP, fs_op_lookup),
	OP(FUSE_FORGET, fs_op_forget),
	OP(FUSE_GETATTR, fs_op_getattr),
	OP(FUSE_SETATTR, fs_op_setattr),
	OP(FUSE_READLINK, fs_op_readlink),
	OP(FUSE_SYMLINK, fs_op_symlink),
	OP(FUSE_MKNOD, fs_op_mknod),
	OP(FUSE_MKDIR, fs_op_mkdir),
	OP(FUSE_UNLINK, fs_op_unlink),
	OP(FUSE_RMDIR, fs_op_rmdir),
	OP(FUSE_RENAME, fs_op_rename),
	OP(FUSE_LINK, fs_op_link),
	OP(FUSE_OPEN, fs_op_open),
	OP(FUSE_READ, fs_op_read),
	OP(FUSE_WRITE, fs_op_write),
	OP(FUSE_STATFS, fs_op_statfs),
	OP(FUSE_RELEASE, fs_op_release),
	OP(FUSE_FSYNC, fs_op_fsync),
	OP(FUSE_SETXATTR, fs_op_setxattr),
	OP(FUSE_GETXATTR, fs_op_getxattr),
	OP(FUSE_LISTXATTR, fs_op_listxattr),
	OP(FUSE_REMOVEXATTR, fs_op_removexattr),
	OP(FUSE_FLUSH, fs_op_flush),
	OP(FUSE_INIT, op_init),
	OP(FUSE_OPENDIR, fs_op_opendir),
	OP(FUSE_READDIR, fs_op_readdir),
	OP(FUSE_RELEASEDIR, fs_op_releasedir),
	OP(FUSE_FSYNCDIR, fs_op_fsyncdir),
	OP(FUSE_ACCESS, fs_op_access),
	OP(FUSE_CREATE, fs_op_create),
	OP(FUSE_INTERRUPT, op_interrupt),
	OP(FUSE_DESTROY, op_destroy),
	OP(FUSE_BATCH_FORGET, fs_op_batch_forget),
	OP(FUSE_FALLOCATE, fs_op_fallocate),
	OP(FUSE_READDIRPLUS, fs_op_readdirplus),
	OP(FUSE_RENAME2, fs_op_rename2),
	OP(FUSE_LSEEK, fs_op_lseek),
	OP(FUSE_SYNCFS, op_syncfs),
	OP(FUSE_SETUPMAPPING, fs_op_setupmapping),
	OP(FUSE_REMOVEMAPPING, fs_op_removemapping),
};

static bool no_reply_opcode(uint32_t opcode)
{
	return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET || opcode == FUSE_INTERRUPT;
}

long fs_server_handle(struct fs_server *srv, const void *req, size_t req_len,
		      const struct iovec *reply_iov, int reply_iovcnt)
{
	return fs_server_handle_tail(srv, req, req_len, NULL, 0, 0, reply_iov, reply_iovcnt);
}

long fs_server_handle_tail(struct fs_server *srv, const void *req, size_t req_len,
			   const struct iovec *tail, int tailcnt, size_t tail_len,
			   const struct iovec *reply_iov, int reply_iovcnt)
{
	struct fs_reply rp;
	struct fs_req rq;
	const struct fs_opdesc *op = NULL;
	int r;

	atomic_fetch_add(&srv->st_requests, 1);
	fs_reply_init(&rp, reply_iov, reply_iovcnt);
	r = fs_req_init_tail(&rq, req, req_len, tail, tailcnt, tail_len);
	if (r == -EBADMSG) {
		atomic_fetch_add(&srv->st_malformed, 1);
		return -EBADMSG;
	}
	if (no_reply_opcode(rq.in.opcode)) {
		/* malformed or not, the guest waits for no reply */
		if (r)
			atomic_fetch_add(&srv->st_malformed, 1);
		else if (atomic_load(&srv->initialized))
			ops[rq.in.opcode].fn(srv, &rq, &rp);
		return 0;
	}
	if (r) {
		atomic_fetch_add(&srv->st_malformed, 1);
		goto reply;
	}
	if (rq.in.opcode < sizeof(ops) / sizeof(ops[0]))
		op = &ops[rq.in.opcode];
	if (!op || !op->fn) {
		r = -ENOSYS;
	} else if (rq.in.opcode != FUSE_INIT && !atomic_load(&srv->initialized)) {
		r = -EIO;
	} else {
		r = op->fn(srv, &rq, &rp);
		if (r >= 0 && (size_t)r != rp.len)
			r = -EIO;	/* a handler bug: never send garbage */
	}
reply:
	if (r < 0) {
		if (r < -4095)
			r = -EIO;
		atomic_fetch_add(&srv->st_error_replies, 1);
		rp.len = 0;
	}
	if (fs_reply_header(&rp, rq.in.unique, r < 0 ? r : 0, rp.len))
		return -ENOBUFS;
	return (long)(FS_OUT_HDR + rp.len);
}
