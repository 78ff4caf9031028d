// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_fs_dev.c - the virtio-fs device type over the virtio-ivshmem
 * transport: glue between validated descriptor chains and fs_server.
 *
 * Queue 0 is hiprio (FORGET, BATCH_FORGET, INTERRUPT: readable only), queues
 * 1..IVD_FS_REQUEST_QUEUES carry requests.  For every chain the event loop
 * copies the readable bytes once into a private buffer (the backend parses
 * only that copy) and describes the writable buffers, already checked to lie
 * in the window, as the reply iovec.  A pool thread runs fs_server_handle();
 * the event loop puts the chain in the used ring with the reply length (0 for
 * requests without a reply and for requests the backend could not answer).
 *
 * A WRITE is the exception to "copy it all": its header and write_in (the
 * first FS_WRITE_HEAD bytes, all that is parsed) are copied, and its data is
 * handed to the backend as a tail iovec into the window, which pwritev()
 * reads directly: no 1 MiB copy on the event loop per 1 MiB write.  Lengths
 * and offsets still come from the copy only; a guest rewriting the data
 * while it is written changes only the bytes of its own write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fuse.h>
#include <linux/virtio_fs.h>

#include "guestmem.h"
#include "log.h"
#include "transport.h"
#include "virtio_fs_dev.h"
#include "vring.h"

#define FS_DEVICE_ID	26	/* VIRTIO_ID_FS */
/* 1 MiB (the guest's FUSE_MAX_MAX_PAGES): one request per 1 MiB I/O */
#define FS_MAX_WRITE	(1024u * 1024)
/* A WRITE's parsed part: in header + write_in; the data follows. */
#define FS_WRITE_HEAD	(sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in))

struct fs_req {
	struct ivd_job job;
	struct ivd_fsdev *fsd;
	uint16_t q, head;
	long result;		/* reply length or -errno, set by run() */
	size_t req_len;
	uint8_t *req;		/* private copy of the readable part */
	int iovcnt;
	int tailcnt;		/* WRITE: data left in the window (iov + iovcnt) */
	size_t tail_len;
	struct iovec iov[];	/* writable part, then the tail: window pointers */
};

static unsigned int fs_fill_config(void *ctx, uint8_t *cfg)
{
	struct ivd_fsdev *fsd = ctx;
	uint8_t c[IVD_FS_TAG_MAX + 4];
	uint32_t n = htole32(IVD_FS_REQUEST_QUEUES);

	memcpy(c, fsd->tag, IVD_FS_TAG_MAX);
	memcpy(c + IVD_FS_TAG_MAX, &n, 4);
	gm_copy_out(cfg, c, sizeof(c));
	return sizeof(c);
}

static void fs_run(struct ivd_job *job)
{
	struct fs_req *r = (struct fs_req *)job;

	r->result = fs_server_handle_tail(r->fsd->srv, r->req, r->req_len,
					  r->tailcnt ? r->iov + r->iovcnt : NULL, r->tailcnt,
					  r->tail_len, r->iovcnt ? r->iov : NULL, r->iovcnt);
}

/*
 * Readable bytes [@skip, @skip + @cap) of @c: copied to @dst, or (@dst NULL)
 * described as window iovecs in @iov.  Returns the bytes covered; *@cnt the
 * iovecs used.
 */
static size_t chain_range(const struct ivd_chain *c, const uint8_t *base, size_t skip,
			  size_t cap, uint8_t *dst, struct iovec *iov, int *cnt)
{
	size_t done = 0;
	unsigned int i;

	*cnt = 0;
	for (i = 0; i < c->nr_read && done < cap; i++) {
		size_t n = c->seg[i].len, at = 0;

		if (skip >= n) {
			skip -= n;
			continue;
		}
		at = skip;
		n -= skip;
		skip = 0;
		if (n > cap - done)
			n = cap - done;
		if (dst) {
			/* One pass; the guest may change the source meanwhile,
			 * but only this copy is ever parsed. */
			memcpy(dst + done, base + c->seg[i].off + at, n);
		} else {
			iov[*cnt].iov_base = (uint8_t *)base + c->seg[i].off + at;
			iov[*cnt].iov_len = n;
			(*cnt)++;
		}
		done += n;
	}
	return done;
}

/* Is this chain a WRITE (opcode read from our copy of its first bytes)? */
static bool is_write(const uint8_t *head, size_t len)
{
	struct fuse_in_header in;

	if (len < sizeof(in))
		return false;
	memcpy(&in, head, sizeof(in));
	return in.opcode == FUSE_WRITE;
}

static struct fs_req *make_req(struct ivd_fsdev *fsd, struct ivd_dev *dev, unsigned int q,
			       const struct ivd_chain *c)
{
	size_t want = c->read_bytes < fsd->max_req ? (size_t)c->read_bytes : fsd->max_req;
	unsigned int nw = c->nr - c->nr_read, i;
	uint8_t head[FS_WRITE_HEAD];
	size_t head_len;
	struct fs_req *r;
	int cnt;

	r = calloc(1, sizeof(*r) + (nw + c->nr_read) * sizeof(struct iovec));
	if (!r)
		return NULL;
	if (c->read_bytes > fsd->max_req)
		fsd->truncated++;
	head_len = chain_range(c, dev->win->base, 0, want < sizeof(head) ? want : sizeof(head),
			       head, NULL, &cnt);
	if (want > head_len && is_write(head, head_len)) {
		/* the data stays in the window (see the file comment) */
		r->tail_len = chain_range(c, dev->win->base, head_len, want - head_len, NULL,
					  r->iov + nw, &cnt);
		r->tailcnt = cnt;
		want = head_len;
	}
	r->req = malloc(want ? want : 1);
	if (!r->req) {
		free(r);
		return NULL;
	}
	memcpy(r->req, head, head_len);
	r->req_len = head_len + chain_range(c, dev->win->base, head_len, want - head_len,
					    r->req + head_len, NULL, &cnt);
	for (i = 0; i < nw; i++) {
		const struct ivd_seg *s = &c->seg[c->nr_read + i];

		r->iov[i].iov_base = dev->win->base + s->off;
		r->iov[i].iov_len = s->len;
	}
	r->iovcnt = (int)nw;
	r->job.run = fs_run;
	r->fsd = fsd;
	r->q = (uint16_t)q;
	r->head = c->head;
	return r;
}

static void fs_process_queue(void *ctx, struct ivd_dev *dev, unsigned int q)
{
	struct ivd_fsdev *fsd = ctx;
	struct ivd_vq *vq = &dev->vq[q];
	struct ivd_chain *c = &fsd->chain;

	if (q > IVD_FS_REQUEST_QUEUES)
		return;
	for (;;) {
		while (!fsd->stopping && vq->inflight < vq->size && ivd_dev_running(dev)) {
			struct fs_req *r;
			int got = ivd_vq_pop(dev, q, c);

			if (got < 0)
				return;
			if (!got)
				break;
			r = make_req(fsd, dev, q, c);
			if (!r) {
				ivd_err("fs: out of memory");
				ivd_dev_set_broken(dev, IVV_BROKEN_BACKEND);
				return;
			}
			ivd_dbg("fs: queue %u head %u: %zu request bytes, %d reply buffers", q,
				c->head, r->req_len, r->iovcnt);
			vq->inflight++;
			fsd->inflight++;
			dev->requests++;
			ivd_pool_submit(&fsd->pool, &r->job);
		}
		if (fsd->stopping || vq->inflight >= vq->size || !ivd_dev_running(dev))
			return;
		if (!ivd_vq_rearm(dev, q))
			return;
	}
}

static void free_req(struct fs_req *r)
{
	free(r->req);
	free(r);
}

void ivd_fsdev_reap(struct ivd_fsdev *fsd, struct ivd_dev *dev)
{
	struct ivd_job *list = ivd_pool_take_done(&fsd->pool);
	bool touched[IVV_MAX_QUEUES] = { false };
	unsigned int q;

	while (list) {
		struct fs_req *r = (struct fs_req *)list;
		struct ivd_vq *vq = &dev->vq[r->q];
		uint32_t len = 0;

		list = list->next;
		fsd->requests++;
		if (r->result > 0)
			len = (uint32_t)r->result;	/* <= the writable bytes */
		else if (r->result == 0)
			fsd->forgets++;
		else
			fsd->no_reply++;
		ivd_vq_push(dev, r->q, r->head, len);
		if (vq->inflight)
			vq->inflight--;
		fsd->inflight--;
		touched[r->q] = true;
		free_req(r);
	}
	for (q = 0; q < IVV_MAX_QUEUES; q++)
		if (touched[q])
			ivd_vq_publish(dev, q);
	for (q = 0; q < dev->num_queues; q++)
		if (touched[q] && dev->vq[q].enabled && ivd_dev_running(dev))
			fs_process_queue(fsd, dev, q);
}

/* Device reset or disconnect: finish what runs, drop the results, forget the
 * guest's inodes and handles (a new driver starts with INIT). */
static void fs_drain(void *ctx, struct ivd_dev *dev)
{
	struct ivd_fsdev *fsd = ctx;
	struct ivd_job *list;

	(void)dev;
	ivd_pool_wait_idle(&fsd->pool);
	list = ivd_pool_take_done(&fsd->pool);
	while (list) {
		struct ivd_job *next = list->next;

		free_req((struct fs_req *)list);
		fsd->inflight--;
		list = next;
	}
	fs_server_reset(fsd->srv);
}

const struct ivd_device_ops ivd_fsdev_ops = {
	.device_id = FS_DEVICE_ID,
	.features = 0,
	.num_queues = 1 + IVD_FS_REQUEST_QUEUES,
	.queue_max_size = IVD_FS_QUEUE_SIZE,
	.shm_id = VIRTIO_FS_SHMCAP_ID_CACHE,
	.fill_config = fs_fill_config,
	.process_queue = fs_process_queue,
	.drain = fs_drain,
};

int ivd_fsdev_open(struct ivd_fsdev *fsd, const char *root, const char *tag, bool readonly,
		   unsigned int nthreads, uint32_t timeout_ms, bool keep_cache, bool writeback)
{
	struct fs_config cfg = {
		.root = root, .tag = tag, .readonly = readonly, .no_workers = true,
		.max_write = FS_MAX_WRITE, .timeout_ms = timeout_ms, .keep_cache = keep_cache,
		.writeback = writeback,
	};
	size_t tl = strlen(tag);
	int err = 0;

	memset(fsd, 0, sizeof(*fsd));
	if (!tl || tl > IVD_FS_TAG_MAX) {
		ivd_err("--tag must be 1..%d bytes", IVD_FS_TAG_MAX);
		return -EINVAL;
	}
	memcpy(fsd->tag, tag, tl);
	fsd->max_req = cfg.max_write + IVD_FS_REQ_SLACK;
	fsd->srv = fs_server_new(&cfg, &err);
	if (!fsd->srv) {
		ivd_err("cannot export %s: %s", root, strerror(-err));
		return err ? err : -EINVAL;
	}
	err = ivd_pool_init(&fsd->pool, nthreads);
	if (err) {
		fs_server_free(fsd->srv);
		fsd->srv = NULL;
	}
	return err;
}

void ivd_fsdev_shutdown(struct ivd_fsdev *fsd, struct ivd_dev *dev)
{
	fsd->stopping = true;
	while (fsd->inflight) {
		ivd_pool_wait_idle(&fsd->pool);
		if (dev) {
			ivd_fsdev_reap(fsd, dev);
		} else {
			struct ivd_job *list = ivd_pool_take_done(&fsd->pool);

			while (list) {
				struct ivd_job *next = list->next;

				free_req((struct fs_req *)list);
				fsd->inflight--;
				list = next;
			}
		}
	}
}

void ivd_fsdev_close(struct ivd_fsdev *fsd)
{
	ivd_pool_destroy(&fsd->pool);
	fs_server_free(fsd->srv);
	fsd->srv = NULL;
}
