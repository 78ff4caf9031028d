// SPDX-License-Identifier: GPL-2.0
/* fs_server lifecycle and the worker pool that serves submitted requests. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fs_internal.h"

struct fs_job {
	struct fs_job *next;
	const void *req;
	size_t req_len;
	fs_done_fn done;
	void *cookie;
	int iovcnt;
	struct iovec iov[];
};

void fs_log(struct fs_server *srv, const char *fmt, ...)
{
	va_list ap;

	if (srv->cfg.quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "ivshmd: fs%s%s: ", srv->cfg.tag ? " " : "",
		srv->cfg.tag ? srv->cfg.tag : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void *worker(void *arg)
{
	struct fs_server *srv = arg;

	for (;;) {
		struct fs_job *job;
		long r;

		pthread_mutex_lock(&srv->qlock);
		while (!srv->qhead && !srv->stopping)
			pthread_cond_wait(&srv->qcond, &srv->qlock);
		job = srv->qhead;
		if (!job) {
			pthread_mutex_unlock(&srv->qlock);
			return NULL;
		}
		srv->qhead = job->next;
		if (!srv->qhead)
			srv->qtail = NULL;
		pthread_mutex_unlock(&srv->qlock);

		r = fs_server_handle(srv, job->req, job->req_len, job->iov, job->iovcnt);
		if (r < 0)
			job->done(job->cookie, 0, (int)r);
		else
			job->done(job->cookie, (size_t)r, 0);
		free(job);

		pthread_mutex_lock(&srv->qlock);
		if (--srv->inflight == 0)
			pthread_cond_broadcast(&srv->idle);
		pthread_mutex_unlock(&srv->qlock);
	}
}

int fs_server_submit(struct fs_server *srv, const void *req, size_t req_len,
		     const struct iovec *reply_iov, int reply_iovcnt,
		     fs_done_fn done, void *cookie)
{
	struct fs_job *job;

	if (!srv || !done || reply_iovcnt < 0 || reply_iovcnt > FS_MAX_REPLY_IOV ||
	    (reply_iovcnt && !reply_iov) || (req_len && !req))
		return -EINVAL;
	if (srv->cfg.no_workers) {
		long r = fs_server_handle(srv, req, req_len, reply_iov, reply_iovcnt);

		done(cookie, r < 0 ? 0 : (size_t)r, r < 0 ? (int)r : 0);
		return 0;
	}
	job = malloc(sizeof(*job) + (size_t)reply_iovcnt * sizeof(struct iovec));
	if (!job)
		return -ENOMEM;
	job->next = NULL;
	job->req = req;
	job->req_len = req_len;
	job->done = done;
	job->cookie = cookie;
	job->iovcnt = reply_iovcnt;
	if (reply_iovcnt)
		memcpy(job->iov, reply_iov, (size_t)reply_iovcnt * sizeof(struct iovec));

	pthread_mutex_lock(&srv->qlock);
	if (srv->stopping || !srv->nthreads) {
		pthread_mutex_unlock(&srv->qlock);
		free(job);
		return -ESHUTDOWN;
	}
	if (srv->qtail)
		srv->qtail->next = job;
	else
		srv->qhead = job;
	srv->qtail = job;
	srv->inflight++;
	pthread_cond_signal(&srv->qcond);
	pthread_mutex_unlock(&srv->qlock);
	return 0;
}

void fs_server_drain(struct fs_server *srv)
{
	pthread_mutex_lock(&srv->qlock);
	while (srv->inflight)
		pthread_cond_wait(&srv->idle, &srv->qlock);
	pthread_mutex_unlock(&srv->qlock);
}

void fs_server_reset(struct fs_server *srv)
{
	/* mappings hold inode references: write them back and drop them first */
	fs_dax_drop_all(srv);
	fs_handle_reset(srv);
	fs_inode_reset(srv);
}

void fs_server_stats(struct fs_server *srv, struct fs_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->requests = atomic_load(&srv->st_requests);
	st->error_replies = atomic_load(&srv->st_error_replies);
	st->malformed = atomic_load(&srv->st_malformed);
	st->forget_clamped = atomic_load(&srv->st_forget_clamped);
	st->dax_setups = atomic_load(&srv->st_dax_setups);
	st->dax_writebacks = atomic_load(&srv->st_dax_writebacks);
	pthread_mutex_lock(&srv->lock);
	st->inodes = srv->ninodes;
	st->handles = srv->nhandles;
	pthread_mutex_unlock(&srv->lock);
}

static void stop_workers(struct fs_server *srv)
{
	unsigned int i;

	pthread_mutex_lock(&srv->qlock);
	srv->stopping = true;
	pthread_cond_broadcast(&srv->qcond);
	pthread_mutex_unlock(&srv->qlock);
	for (i = 0; i < srv->nthreads; i++)
		pthread_join(srv->threads[i], NULL);
	srv->nthreads = 0;
	free(srv->threads);
	srv->threads = NULL;
}

void fs_server_free(struct fs_server *srv)
{
	if (!srv)
		return;
	fs_server_drain(srv);
	stop_workers(srv);
	fs_server_reset(srv);
	if (srv->root) {
		close(srv->root->fd);
		free(srv->root);
	}
	if (srv->root_rdfd >= 0)
		close(srv->root_rdfd);
	fs_htab_destroy(&srv->inodes_by_id);
	fs_htab_destroy(&srv->inodes_by_key);
	fs_htab_destroy(&srv->handles);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->dax_lock);
	pthread_mutex_destroy(&srv->qlock);
	pthread_cond_destroy(&srv->qcond);
	pthread_cond_destroy(&srv->idle);
	free(srv->dax_maps);
	free(srv->root_path);
	free(srv->tag);
	free(srv);
}

/* Each inode and handle holds an fd: make room for the caps if we may. */
static void raise_nofile(uint64_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

struct fs_server *fs_server_new(const struct fs_config *cfg, int *err)
{
	struct fs_server *srv;
	struct stat st;
	unsigned int i;
	int fd, r;

	if (!cfg || !cfg->root) {
		*err = -EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		*err = -ENOMEM;
		return NULL;
	}
	srv->cfg = *cfg;
	if (!srv->cfg.nthreads)
		srv->cfg.nthreads = 4;
	if (!srv->cfg.max_write)
		srv->cfg.max_write = 256 * 1024;
	if (srv->cfg.max_write > 16u << 20)
		srv->cfg.max_write = 16u << 20;
	if (!srv->cfg.max_inodes)
		srv->cfg.max_inodes = 16384;
	if (!srv->cfg.max_handles)
		srv->cfg.max_handles = 4096;
	srv->tag = cfg->tag ? strdup(cfg->tag) : NULL;
	srv->cfg.tag = srv->tag;
	srv->root_rdfd = -1;
	srv->as_root = geteuid() == 0;
	srv->next_nodeid = FUSE_ROOT_ID + 1;
	srv->next_fh = 1;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->dax_lock, NULL);
	pthread_mutex_init(&srv->qlock, NULL);
	pthread_cond_init(&srv->qcond, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->root_path = strdup(cfg->root);
	if (!srv->root_path || fs_htab_init(&srv->inodes_by_id, 1024) ||
	    fs_htab_init(&srv->inodes_by_key, 1024) || fs_htab_init(&srv->handles, 256)) {
		r = -ENOMEM;
		goto fail;
	}
	raise_nofile((uint64_t)srv->cfg.max_inodes + srv->cfg.max_handles + 256);

	fd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (fstat(fd, &st)) {
		r = -errno;
		close(fd);
		goto fail;
	}
	srv->root_rdfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	srv->root = fs_inode_new_root(srv, fd, &st);
	if (!srv->root) {
		close(fd);
		r = -ENOMEM;
		goto fail;
	}
	if (srv->cfg.no_workers)
		srv->cfg.nthreads = 0;
	srv->threads = calloc(srv->cfg.nthreads ? srv->cfg.nthreads : 1, sizeof(*srv->threads));
	if (!srv->threads) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < srv->cfg.nthreads; i++) {
		r = -pthread_create(&srv->threads[i], NULL, worker, srv);
		if (r)
			goto fail;
		srv->nthreads++;
	}
	if (srv->cfg.no_workers)
		fs_log(srv, "serving %s%s on the caller's threads", cfg->root,
		       cfg->readonly ? " read-only" : "");
	else
		fs_log(srv, "serving %s%s with %u threads", cfg->root,
		       cfg->readonly ? " read-only" : "", srv->nthreads);
	return srv;
fail:
	*err = r;
	fs_server_free(srv);
	return NULL;
}
