/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fs_server: the transport-independent virtio-fs backend of ivshmd.
 *
 * The transport glue copies each request (the readable part of a descriptor
 * chain) once out of guest memory and hands the copy to fs_server_submit()
 * together with the writable part of the chain as an iovec. A worker thread
 * parses the FUSE request, serves it from the exported directory, writes the
 * FUSE reply into the iovec and calls done() exactly once.
 * See Documentation/ivshmem-fs.rst.
 */
#ifndef IVSHMD_FS_SERVER_H
#define IVSHMD_FS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct fs_server;

struct fs_config {
	const char *root;	/* directory to export (required) */
	const char *tag;	/* virtio-fs tag, informational (may be NULL) */
	bool readonly;		/* every mutation fails with EROFS */
	unsigned int nthreads;	/* worker threads; 0 = 4 */
	bool no_workers;	/* start no threads: the caller runs fs_server_handle()
				 * on its own pool; fs_server_submit() then serves the
				 * request inline and calls done() before returning */
	uint32_t max_write;	/* largest WRITE payload accepted; 0 = 256 KiB */
	uint32_t timeout_ms;	/* entry/attribute cache timeout for the guest; 0 = none */
	bool keep_cache;	/* OPEN/CREATE answer FOPEN_KEEP_CACHE: the guest keeps
				 * a file's page cache across opens */
	bool writeback;		/* grant FUSE_WRITEBACK_CACHE if the guest offers it:
				 * the guest caches writes (and its own size/mtime)
				 * until flush/close/fsync; files are then opened
				 * O_RDWR and without O_APPEND (the guest reads
				 * around partial pages and places appends itself) */
	uint32_t max_inodes;	/* inode table cap (each holds an fd); 0 = 16384 */
	uint32_t max_handles;	/* open file/dir handle cap; 0 = 4096 */
	uint64_t max_file_size;	/* WRITE/truncate/fallocate beyond it: EFBIG; 0 = no cap */
	bool quiet;		/* no log output (fuzzing) */
};

/*
 * Completion of one submitted request.
 *   err == 0: reply_len bytes of a FUSE reply (out header + payload) were
 *             written at the start of the reply iovec; reply_len is 0 for
 *             requests that have no reply (FORGET, BATCH_FORGET, INTERRUPT).
 *   err <  0: no reply could be produced (-EBADMSG: the request is too short
 *             to carry a unique id; -ENOBUFS: the reply buffer cannot hold
 *             even an out header). Complete the chain with used length 0.
 */
typedef void (*fs_done_fn)(void *cookie, size_t reply_len, int err);

struct fs_stats {
	uint64_t requests;	/* requests handled */
	uint64_t error_replies;	/* replies with a non-zero error */
	uint64_t malformed;	/* requests whose lengths did not add up */
	uint64_t forget_clamped; /* FORGETs asking for more than was looked up */
	uint64_t inodes;	/* inodes currently in the table (root included) */
	uint64_t handles;	/* open handles */
	uint64_t dax_setups;	/* DAX chunks mapped (SETUPMAPPING) */
	uint64_t dax_writebacks; /* DAX chunks written back to their file */
};

/* Opens cfg->root and starts the workers. NULL with *err = -errno on failure. */
struct fs_server *fs_server_new(const struct fs_config *cfg, int *err);

/*
 * Queue one request. req/req_len and the memory the iovec describes must stay
 * valid until done() runs; the iovec array itself is copied (at most
 * FS_MAX_REPLY_IOV entries). Returns 0 if accepted (done() will be called
 * exactly once, from a worker thread, or before returning with no_workers)
 * or -errno if not (done() is not called):
 * -EINVAL bad arguments, -ESHUTDOWN server stopping, -ENOMEM.
 */
#define FS_MAX_REPLY_IOV 1024
int fs_server_submit(struct fs_server *srv, const void *req, size_t req_len,
		     const struct iovec *reply_iov, int reply_iovcnt,
		     fs_done_fn done, void *cookie);

/*
 * Serve one request synchronously on the calling thread (what the workers
 * run). Returns the reply length (0 = no reply) or -errno as described for
 * fs_done_fn.
 */
long fs_server_handle(struct fs_server *srv, const void *req, size_t req_len,
		      const struct iovec *reply_iov, int reply_iovcnt);

/*
 * The same for a request of which only the first req_len bytes were copied
 * (header and arguments, all that is parsed) and whose remaining bytes are
 * still in guest memory, described by tail/tailcnt (tail_len bytes): a
 * WRITE's data, which pwritev() takes from there.  in.len may cover the
 * tail; every other request must be wholly in the copy.  The guest may
 * change the tail while it is written: that changes only the data it asked
 * to write, never a length or offset (those come from the copy).
 */
long fs_server_handle_tail(struct fs_server *srv, const void *req, size_t req_len,
			   const struct iovec *tail, int tailcnt, size_t tail_len,
			   const struct iovec *reply_iov, int reply_iovcnt);

/*
 * The virtio-fs DAX window (see fs_dax.c): @len bytes (a multiple of 2 MiB)
 * at @base, where SETUPMAPPING puts file ranges.  Writes back and forgets
 * every current mapping first; NULL/0 turns DAX off (before the memory goes
 * away).  Regular files are offered to the guest as DAX files once it asks
 * for per-inode DAX at INIT.
 */
void fs_server_set_dax(struct fs_server *srv, void *base, uint64_t len);

/* Wait until every accepted request has completed. */
void fs_server_drain(struct fs_server *srv);

/* Forget every inode but the root and close every handle (device reset). */
void fs_server_reset(struct fs_server *srv);

void fs_server_stats(struct fs_server *srv, struct fs_stats *st);

/* Drain, stop the workers, release everything. NULL is fine. */
void fs_server_free(struct fs_server *srv);

#endif
