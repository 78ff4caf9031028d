// SPDX-License-Identifier: GPL-2.0
/*
 * Operations that create, remove or move names: MKDIR, MKNOD, SYMLINK, LINK,
 * UNLINK, RMDIR, RENAME, RENAME2, CREATE. Every name is one component
 * (validated: no '/', not "." or "..") used relative to the parent's O_PATH
 * handle, so nothing outside the root can be named; no call follows a
 * symlink in the last component.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs_internal.h"

/*
 * New objects belong to the guest caller (in.uid/in.gid), as on a local
 * filesystem: when the server runs as root, the creating syscall runs with
 * this thread's filesystem ids switched to the caller's. setfsuid/setfsgid
 * are per-thread system calls (unlike setuid, glibc does not broadcast them).
 */
struct fs_creds {
	bool switched;
};

/*
 * The guest's kernel has applied the caller's umask already (FUSE_DONT_MASK
 * is not negotiated), so the mode in the request is final. umask is shared
 * by all threads of a process, and ivshmd's own files (its socket) must keep
 * the administrator's, so each thread that creates objects gets a private
 * fs context (unshare(CLONE_FS): cwd, root, umask) with umask 0, once.
 */
static void thread_umask0(struct fs_server *srv)
{
	static __thread bool done;

	if (done)
		return;
	done = true;
	if (unshare(CLONE_FS)) {
		fs_log(srv, "unshare(CLONE_FS): %s; new objects get the process umask",
		       strerror(errno));
		return;
	}
	umask(0);
}

static void creds_enter(struct fs_server *srv, const struct fs_req *rq, struct fs_creds *c)
{
	thread_umask0(srv);
	c->switched = false;
	if (!srv->as_root || (rq->in.uid == 0 && rq->in.gid == 0))
		return;
	syscall(SYS_setfsgid, rq->in.gid);
	syscall(SYS_setfsuid, rq->in.uid);
	c->switched = true;
}

static void creds_leave(struct fs_creds *c)
{
	if (!c->switched)
		return;
	syscall(SYS_setfsuid, 0);
	syscall(SYS_setfsgid, 0);
}

/* Read a name argument that a new or removed entry has. */
static int new_name(struct fs_req *rq, const char **name)
{
	size_t len;

	*name = fs_req_str(rq, &len);
	if (!*name)
		return -EINVAL;
	return fs_check_new_name(*name, len);
}

/*
 * The start of a request that names an entry to create or remove: its fixed
 * argument struct (@in, @in_size bytes; none if 0), the name, and then the
 * refusal of a read-only export, in that order (malformed before EROFS).
 */
static int entry_args(struct fs_server *srv, struct fs_req *rq, void *in, size_t in_size,
		      const char **name)
{
	int r;

	if (in_size && !fs_req_get(rq, in, in_size))
		return -EINVAL;
	r = new_name(rq, name);
	if (r)
		return r;
	return srv->cfg.readonly ? -EROFS : 0;
}

static struct fs_inode *get_dir(struct fs_server *srv, uint64_t nodeid, int *err)
{
	struct fs_inode *dir = fs_inode_get(srv, nodeid);

	if (!dir) {
		*err = -ESTALE;
		return NULL;
	}
	if (dir->type != S_IFDIR) {
		fs_inode_put(srv, dir);
		*err = -ENOTDIR;
		return NULL;
	}
	return dir;
}

/* After creating name in dir: look it up and reply with its entry. */
static int reply_new_entry(struct fs_server *srv, struct fs_inode *dir, const char *name,
			   struct fs_reply *rp)
{
	struct fuse_entry_out out;
	int r = fs_lookup_entry(srv, dir, name, &out);

	if (r)
		return r;
	r = fs_reply_add(rp, &out, sizeof(out));
	if (r) {
		fs_inode_forget(srv, out.nodeid, 1);
		return r;
	}
	return (int)rp->len;
}

/* What one entry-creating request makes; the syscall in make_entry(). */
struct new_entry {
	mode_t mode;		/* S_IFDIR, S_IFLNK, or a mknod type, with 07777 bits */
	const char *target;	/* S_IFLNK: the link text */
};

/*
 * The common part of MKDIR, MKNOD and SYMLINK, after each has parsed and
 * validated its arguments and refused it on a read-only export: create
 * @name in directory nodeid with the caller's fsuid/fsgid, then reply with
 * the new entry.
 */
static int make_entry(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp,
		      const char *name, const struct new_entry *e)
{
	struct fs_creds c;
	struct fs_inode *dir;
	int r;

	dir = get_dir(srv, rq->in.nodeid, &r);
	if (!dir)
		return r;
	creds_enter(srv, rq, &c);
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		r = mkdirat(dir->fd, name, e->mode & 07777);
		break;
	case S_IFLNK:
		/* the text is stored, never resolved by the server */
		r = symlinkat(e->target, dir->fd, name);
		break;
	case S_IFIFO:
	case S_IFREG:
	case S_IFSOCK:
		r = mknodat(dir->fd, name, e->mode, 0);
		break;
	default:	/* never a device node, whoever the caller */
		errno = EPERM;
		r = -1;
		break;
	}
	r = r ? -errno : 0;
	creds_leave(&c);
	if (!r)
		r = reply_new_entry(srv, dir, name, rp);
	fs_inode_put(srv, dir);
	return r;
}

int fs_op_mkdir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_mkdir_in in;
	struct new_entry e = { 0 };
	const char *name;
	int r;

	r = entry_args(srv, rq, &in, sizeof(in), &name);
	if (r)
		return r;
	e.mode = S_IFDIR | (in.mode & 07777);
	return make_entry(srv, rq, rp, name, &e);
}

int fs_op_mknod(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_mknod_in in;
	struct new_entry e = { 0 };
	const char *name;
	mode_t type;
	int r;

	r = entry_args(srv, rq, &in, sizeof(in), &name);
	if (r)
		return r;
	type = in.mode & S_IFMT;
	/* device nodes would hand the guest host devices: refused */
	if (type == S_IFCHR || type == S_IFBLK)
		return -EPERM;
	if (type != S_IFIFO && type != S_IFREG && type != S_IFSOCK)
		return -EINVAL;
	e.mode = type | (in.mode & 07777);
	return make_entry(srv, rq, rp, name, &e);
}

int fs_op_symlink(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct new_entry e = { .mode = S_IFLNK };
	const char *name;
	size_t tlen;
	int r;

	r = new_name(rq, &name);
	if (r)
		return r;
	e.target = fs_req_str(rq, &tlen);
	if (!e.target || tlen == 0)
		return -EINVAL;
	if (tlen >= 4096)
		return -ENAMETOOLONG;
	if (srv->cfg.readonly)
		return -EROFS;
	return make_entry(srv, rq, rp, name, &e);
}

/*
 * Hard link without a path: linkat(AT_EMPTY_PATH) on the O_PATH handle when
 * we may (CAP_DAC_READ_SEARCH), otherwise through the parent hint, checking
 * that the new link is the very inode asked for (undone if not).
 */
static int link_inode(struct fs_server *srv, struct fs_inode *ino, struct fs_inode *dir,
		      const char *name)
{
	struct fs_inode *parent;
	char oldname[FS_NAME_MAX + 1];
	struct stat st;
	int r;

	if (!linkat(ino->fd, "", dir->fd, name, AT_EMPTY_PATH))
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	if (ino->type == S_IFDIR)
		return -EPERM;
	pthread_mutex_lock(&srv->lock);
	parent = ino->parent;
	if (!parent || !ino->name || strlen(ino->name) > FS_NAME_MAX) {
		pthread_mutex_unlock(&srv->lock);
		return -ESTALE;
	}
	parent->refs++;
	strcpy(oldname, ino->name);
	pthread_mutex_unlock(&srv->lock);
	r = linkat(parent->fd, oldname, dir->fd, name, 0) ? -errno : 0;
	fs_inode_put(srv, parent);
	if (r)
		return r;
	if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    st.st_dev != ino->dev || st.st_ino != ino->ino) {
		unlinkat(dir->fd, name, 0);
		return -ESTALE;
	}
	return 0;
}

int fs_op_link(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_link_in in;
	struct fs_inode *dir, *ino;
	const char *name;
	int r;

	r = entry_args(srv, rq, &in, sizeof(in), &name);
	if (r)
		return r;
	dir = get_dir(srv, rq->in.nodeid, &r);
	if (!dir)
		return r;
	ino = fs_inode_get(srv, in.oldnodeid);
	if (!ino) {
		fs_inode_put(srv, dir);
		return -ESTALE;
	}
	r = link_inode(srv, ino, dir, name);
	fs_inode_put(srv, ino);
	if (!r)
		r = reply_new_entry(srv, dir, name, rp);
	fs_inode_put(srv, dir);
	return r;
}

static int remove_name(struct fs_server *srv, struct fs_req *rq, int flags)
{
	struct fs_inode *dir;
	const char *name;
	int r;

	r = entry_args(srv, rq, NULL, 0, &name);
	if (r)
		return r;
	dir = get_dir(srv, rq->in.nodeid, &r);
	if (!dir)
		return r;
	r = unlinkat(dir->fd, name, flags) ? -errno : 0;
	fs_inode_put(srv, dir);
	return r;
}

int fs_op_unlink(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rp;
	return remove_name(srv, rq, 0);
}

int fs_op_rmdir(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	(void)rp;
	return remove_name(srv, rq, AT_REMOVEDIR);
}

static int do_rename(struct fs_server *srv, struct fs_req *rq, uint64_t newdir_id,
		     unsigned int flags)
{
	struct fs_inode *olddir, *newdir;
	const char *oldname, *newname;
	struct stat st, nst;
	bool have_st, have_nst;
	int r;

	r = new_name(rq, &oldname);
	if (r)
		return r;
	r = new_name(rq, &newname);
	if (r)
		return r;
	/* RENAME_WHITEOUT would create a character device */
	if (flags & ~(unsigned int)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (srv->cfg.readonly)
		return -EROFS;
	olddir = get_dir(srv, rq->in.nodeid, &r);
	if (!olddir)
		return r;
	newdir = get_dir(srv, newdir_id, &r);
	if (!newdir) {
		fs_inode_put(srv, olddir);
		return r;
	}
	have_st = !fstatat(olddir->fd, oldname, &st, AT_SYMLINK_NOFOLLOW);
	have_nst = (flags & RENAME_EXCHANGE) &&
		   !fstatat(newdir->fd, newname, &nst, AT_SYMLINK_NOFOLLOW);
	r = renameat2(olddir->fd, oldname, newdir->fd, newname, flags) ? -errno : 0;
	/* keep the reopen hints of the moved inodes current */
	if (!r && have_st)
		fs_inode_rename_hint(srv, st.st_dev, st.st_ino, newdir, newname);
	if (!r && have_nst)
		fs_inode_rename_hint(srv, nst.st_dev, nst.st_ino, olddir, oldname);
	fs_inode_put(srv, newdir);
	fs_inode_put(srv, olddir);
	return r;
}

int fs_op_rename(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_rename_in in;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	return do_rename(srv, rq, in.newdir, 0);
}

int fs_op_rename2(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fuse_rename2_in in;

	(void)rp;
	if (!fs_req_get(rq, &in, sizeof(in)))
		return -EINVAL;
	return do_rename(srv, rq, in.newdir, in.flags);
}

/*
 * Open flags the guest may pass through to the host.  With the writeback
 * cache granted, the guest reads the rest of a page it writes partially,
 * through whatever handle it has, and computes append offsets itself: a
 * write-only open becomes read-write and O_APPEND is dropped (a host
 * O_APPEND would make pwrite ignore the guest's offset).
 */
int fs_open_flags(struct fs_server *srv, uint32_t flags)
{
	int f = (int)(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_NOATIME));

	if (atomic_load(&srv->writeback)) {
		f &= ~O_APPEND;
		if ((f & O_ACCMODE) == O_WRONLY)
			f = (f & ~O_ACCMODE) | O_RDWR;
	}
	return f;
}

int fs_op_create(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp)
{
	struct fs_creds c;
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	struct fuse_create_in in;
	struct fs_inode *dir, *ino;
	const char *name;
	struct stat st, pst;
	int fd, pfd, r;

	r = entry_args(srv, rq, &in, sizeof(in), &name);
	if (r)
		return r;
	dir = get_dir(srv, rq->in.nodeid, &r);
	if (!dir)
		return r;
	/*
	 * O_NOFOLLOW: a dangling symlink under this name is not followed.
	 * O_NONBLOCK: an existing FIFO under this name cannot block a worker.
	 */
	creds_enter(srv, rq, &c);
	fd = openat(dir->fd, name,
		    fs_open_flags(srv, in.flags) | (int)(in.flags & (O_EXCL | O_TRUNC)) |
		    O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, in.mode & 07777);
	r = fd < 0 ? -errno : 0;
	creds_leave(&c);
	if (fd < 0)
		goto out_dir;
	if (fstat(fd, &st)) {
		r = -errno;
		goto out_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out_fd;
	}
	if ((in.flags & O_TRUNC) && (in.open_flags & FUSE_OPEN_KILL_SUIDGID)) {
		r = fs_kill_suidgid(srv, NULL, fd, rq->in.gid);
		if (r)
			goto out_fd;
		if (fstat(fd, &st)) {
			r = -errno;
			goto out_fd;
		}
	}
	if (!(in.flags & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, fs_open_flags(srv, in.flags) & ~O_ACCMODE)) {
		r = -errno;
		goto out_fd;
	}
	/* the inode's O_PATH handle: must be the file we just opened */
	pfd = openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0) {
		r = -errno;
		goto out_fd;
	}
	if (fstat(pfd, &pst) || pst.st_dev != st.st_dev || pst.st_ino != st.st_ino) {
		close(pfd);
		r = -ESTALE;
		goto out_fd;
	}
	memset(&out, 0, sizeof(out));
	r = fs_inode_link_in(srv, dir, name, pfd, &pst, false, &out.e.nodeid);
	if (r)
		goto out_fd;
	ino = fs_inode_get(srv, out.e.nodeid);
	if (!ino) {
		r = -ESTALE;
		goto out_fd;
	}
	r = fs_handle_new(srv, fd, NULL, ino, &out.o.fh);
	fs_inode_put(srv, ino);
	if (r) {
		fs_inode_forget(srv, out.e.nodeid, 1);
		goto out_fd;
	}
	fs_fill_entry_times(srv, &out.e);
	fs_fill_attr(srv, &st, &out.e.attr);
	if (srv->cfg.keep_cache)
		out.o.open_flags = FOPEN_KEEP_CACHE;
	r = fs_reply_add(rp, &out, sizeof(out));
	if (r) {
		fs_handle_release(srv, out.o.fh, false);
		fs_inode_forget(srv, out.e.nodeid, 1);
		goto out_dir;
	}
	fs_inode_put(srv, dir);
	return (int)rp->len;
out_fd:
	close(fd);
out_dir:
	fs_inode_put(srv, dir);
	return r;
}
