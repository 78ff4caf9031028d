/* SPDX-License-Identifier: GPL-2.0 */
/* Internal declarations shared by the fs_*.c files of the virtio-fs backend. */
#ifndef IVSHMD_FS_INTERNAL_H
#define IVSHMD_FS_INTERNAL_H

#include <dirent.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fs_server.h"
#include "fs_proto.h"

/* Hash table of intrusive nodes keyed by a 64-bit value (collisions allowed). */
struct fs_hnode {
	struct fs_hnode *next;
	uint64_t key;
};

struct fs_htab {
	struct fs_hnode **b;
	size_t nb;
	size_t count;
};

int fs_htab_init(struct fs_htab *t, size_t nb);
void fs_htab_destroy(struct fs_htab *t);
void fs_htab_add(struct fs_htab *t, struct fs_hnode *n);
void fs_htab_del(struct fs_htab *t, struct fs_hnode *n);
struct fs_hnode *fs_htab_first(const struct fs_htab *t, uint64_t key);
struct fs_hnode *fs_htab_next(const struct fs_hnode *n, uint64_t key);

/*
 * One host object the guest knows by nodeid. fd is an O_PATH|O_NOFOLLOW
 * handle opened relative to the parent directory's handle, so it keeps naming
 * the same object whatever happens to paths. parent/name is only a hint used
 * to reopen regular files for I/O; the result is always checked against
 * dev/ino.
 */
struct fs_inode {
	struct fs_hnode by_id;	/* key: nodeid */
	struct fs_hnode by_key;	/* key: hash of dev/ino */
	int fd;
	dev_t dev;
	ino_t ino;
	mode_t type;		/* S_IFMT bits */
	uint64_t nlookup;	/* guest's lookup count */
	unsigned int refs;	/* in-flight users, children, handles */
	bool hashed;		/* reachable by nodeid */
	struct fs_inode *parent; /* hint, holds a ref */
	char *name;		/* hint */
	struct file_handle *fhandle; /* fallback reopen (open_by_handle_at), or NULL */
};

/* The guest's DAX mapping unit (FUSE_DAX_SZ in fs/fuse/dax.c). */
#define FS_DAX_CHUNK		(2u << 20)
/* Most entries one REMOVEMAPPING carries (a page of fuse_removemapping_one). */
#define FS_DAX_REMOVE_MAX	256u

/* One chunk of the DAX window (fs_dax.c); ino == NULL: not mapped. */
struct fs_dax_map {
	struct fs_inode *ino;	/* holds a ref */
	int fd;			/* opened for this mapping */
	uint64_t foffset;	/* file offset of the chunk's first byte */
	uint64_t len;		/* mapped bytes from the chunk's start */
	bool writable;		/* guest may write: written back */
};

struct fs_handle {
	struct fs_hnode node;	/* key: fh */
	int fd;
	DIR *dir;		/* directories only */
	struct fs_inode *inode;	/* holds a ref */
	unsigned int refs;
	bool hashed;
	pthread_mutex_t lock;	/* directory position */
	uint64_t dir_pos;	/* offset the next READDIR continues from */
};

struct fs_job;

struct fs_server {
	struct fs_config cfg;
	char *root_path;
	int root_rdfd;		/* O_RDONLY root: mount fd for open_by_handle_at */
	char *tag;
	struct fs_inode *root;
	pthread_mutex_t lock;	/* tables, nlookup, refs, hints */
	struct fs_htab inodes_by_id;
	struct fs_htab inodes_by_key;
	struct fs_htab handles;
	uint64_t next_nodeid;
	uint64_t next_fh;
	uint64_t ninodes;
	uint64_t nhandles;
	bool as_root;		/* euid 0: create as the guest caller (fsuid) */
	atomic_bool initialized;
	uint32_t proto_minor;
	atomic_bool writeback;	/* FUSE_WRITEBACK_CACHE granted at INIT */
	atomic_bool dax_inode;	/* FUSE_HAS_INODE_DAX granted: regular files are DAX */

	/* DAX window (fs_dax.c): taken before lock, never while holding it */
	pthread_mutex_t dax_lock;
	uint8_t *dax_base;	/* NULL: no DAX window */
	atomic_bool dax_on;	/* dax_base set (read without the lock) */
	atomic_uint dax_nmapped;	/* chunks mapped (changed under dax_lock) */
	struct fs_dax_map *dax_maps;
	size_t dax_nmaps;
	atomic_uint_fast64_t st_dax_setups;
	atomic_uint_fast64_t st_dax_writebacks;

	/* statistics */
	atomic_uint_fast64_t st_requests;
	atomic_uint_fast64_t st_error_replies;
	atomic_uint_fast64_t st_malformed;
	atomic_uint_fast64_t st_forget_clamped;

	/* worker pool */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;	/* work queued or stopping */
	pthread_cond_t idle;	/* inflight dropped to 0 */
	struct fs_job *qhead, *qtail;
	unsigned long inflight;
	bool stopping;
	pthread_t *threads;
	unsigned int nthreads;
};

void fs_log(struct fs_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* fs_inode.c */
struct fs_inode *fs_inode_new_root(struct fs_server *srv, int fd, const struct stat *st);
struct fs_inode *fs_inode_get(struct fs_server *srv, uint64_t nodeid);
void fs_inode_put(struct fs_server *srv, struct fs_inode *ino);
/*
 * Takes ownership of fd. On success *nodeid is set and nlookup incremented.
 * known_only: fail with -EACCES instead of adding an inode we do not know.
 */
int fs_inode_link_in(struct fs_server *srv, struct fs_inode *parent, const char *name,
		     int fd, const struct stat *st, bool known_only, uint64_t *nodeid);
void fs_inode_forget(struct fs_server *srv, uint64_t nodeid, uint64_t nlookup);
void fs_inode_rename_hint(struct fs_server *srv, dev_t dev, ino_t ino,
			  struct fs_inode *newparent, const char *newname);
int fs_inode_reopen(struct fs_server *srv, struct fs_inode *ino, int flags);
void fs_inode_reset(struct fs_server *srv);

/* fs_handle.c */
int fs_handle_new(struct fs_server *srv, int fd, DIR *dir, struct fs_inode *ino, uint64_t *fh);
struct fs_handle *fs_handle_get(struct fs_server *srv, uint64_t fh, bool want_dir);
void fs_handle_put(struct fs_server *srv, struct fs_handle *h);
int fs_handle_release(struct fs_server *srv, uint64_t fh, bool want_dir);
void fs_handle_reset(struct fs_server *srv);

/* fs_ops_file.c: request bodies shared by the file and directory ops */
int fs_release_req(struct fs_server *srv, struct fs_req *rq, bool dir);
int fs_fsync_req(struct fs_server *srv, struct fs_req *rq, bool dir);

/* fs_entry.c: shared by lookup, create-type ops and READDIRPLUS */
int fs_lookup_entry(struct fs_server *srv, struct fs_inode *parent, const char *name,
		    struct fuse_entry_out *out);
void fs_fill_attr(struct fs_server *srv, const struct stat *st, struct fuse_attr *attr);
void fs_fill_entry_times(struct fs_server *srv, struct fuse_entry_out *out);
/* Open flags a guest may pass through to the host. */
int fs_open_flags(struct fs_server *srv, uint32_t flags);
/* 0 if [off, off+len) is a valid file range within cfg.max_file_size. */
int fs_check_file_end(struct fs_server *srv, uint64_t off, uint64_t len);
/*
 * FUSE_HANDLE_KILLPRIV_V2: a write, truncate, chown or O_TRUNC open by a
 * guest caller without CAP_FSETID clears S_ISUID of a regular file, and
 * S_ISGID when the group may execute or the caller (@caller_gid; its
 * supplementary groups are not sent) is not in the file's group, as the
 * 6.1 kernel does for its own filesystems.  @fd is an open (not O_PATH) fd
 * of it, or -1 to reopen @ino only if a bit must go.  0 or -errno.
 */
int fs_kill_suidgid(struct fs_server *srv, struct fs_inode *ino, int fd, uint32_t caller_gid);

/* fs_dax.c */
bool fs_dax_enabled(struct fs_server *srv);
void fs_dax_drop_all(struct fs_server *srv);
/*
 * Around a request that changes @ino's data in [off, off + len) on the host
 * (WRITE, truncate, FALLOCATE): begin writes back the guest's stores in
 * chunks mapping that range (*err: 0 or the first -errno) and, when the
 * server has a DAX window, returns true with dax_lock held, so the change
 * cannot interleave with another writeback; end (given begin's result and
 * the range actually changed) reads those chunks in again and unlocks.
 */
bool fs_dax_change_begin(struct fs_server *srv, struct fs_inode *ino, uint64_t off,
			 uint64_t len, int *err);
void fs_dax_change_end(struct fs_server *srv, struct fs_inode *ino, uint64_t off,
		       uint64_t len, bool locked);
/* FLUSH/FSYNC: write back every writable chunk of @ino (0 or -errno). */
int fs_dax_writeback_inode(struct fs_server *srv, struct fs_inode *ino);

/* Operation handlers: return payload length written (>= 0) or -errno. */
typedef int (*fs_op_fn)(struct fs_server *srv, struct fs_req *rq, struct fs_reply *rp);

int fs_op_lookup(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_forget(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_batch_forget(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_getattr(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_setattr(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_readlink(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_statfs(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_access(struct fs_server *, struct fs_req *, struct fs_reply *);

int fs_op_mkdir(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_mknod(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_symlink(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_link(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_unlink(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_rmdir(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_rename(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_rename2(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_create(struct fs_server *, struct fs_req *, struct fs_reply *);

int fs_op_open(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_read(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_write(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_release(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_flush(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_fsync(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_fallocate(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_lseek(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_setupmapping(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_removemapping(struct fs_server *, struct fs_req *, struct fs_reply *);

int fs_op_opendir(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_readdir(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_readdirplus(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_releasedir(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_fsyncdir(struct fs_server *, struct fs_req *, struct fs_reply *);

int fs_op_getxattr(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_listxattr(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_setxattr(struct fs_server *, struct fs_req *, struct fs_reply *);
int fs_op_removexattr(struct fs_server *, struct fs_req *, struct fs_reply *);

#endif
