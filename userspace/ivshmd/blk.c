// SPDX-License-Identifier: GPL-2.0
/*
 * blk.c - virtio-blk device type over the virtio-ivshmem transport.
 *
 * Requests are parsed in the event loop from a chain already validated by
 * ring_validate.c (every buffer inside the window); the header and discard
 * ranges are copied out once.  Data moves straight between the window and
 * the backing file in pool threads.  Completions (status byte, used ring,
 * interrupt) are written by the event loop only.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "blk.h"
#include "guestmem.h"
#include "log.h"
#include "transport.h"
#include "vring.h"

#define SECTOR		512ull
#define HDR_BYTES	16u
#define RANGE_BYTES	16u

enum blk_op { OP_NONE, OP_READ, OP_WRITE, OP_FLUSH, OP_DISCARD, OP_WZ, OP_GET_ID };

struct blk_range {
	uint64_t sector;
	uint32_t num;
	uint32_t flags;
};

struct blk_req {
	struct ivd_job job;
	struct ivd_blk *blk;
	uint8_t *base;		/* window base */
	enum blk_op op;
	uint16_t q, head;
	uint8_t status;
	uint32_t used_len;
	uint64_t status_off;	/* validated window offset of the status byte */
	uint64_t offset;	/* backing file byte offset */
	uint64_t len;
	unsigned int nranges;
	struct blk_range ranges[IVD_BLK_MAX_DISCARD_SEG];
	int iovcnt;
	struct iovec iov[];
};

#define BLK_FEATURES_COMMON \
	((1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) | \
	 (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH))
#define BLK_FEATURES_RW \
	(BLK_FEATURES_COMMON | (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES))
#define BLK_FEATURES_RO	(BLK_FEATURES_COMMON | (1ull << VIRTIO_BLK_F_RO))

static unsigned int blk_fill_config(void *ctx, uint8_t *cfg)
{
	struct ivd_blk *blk = ctx;
	struct virtio_blk_config c;

	_Static_assert(sizeof(c) <= IVV_CONFIG_SPACE_SIZE, "virtio_blk_config fits");
	memset(&c, 0, sizeof(c));
	c.capacity = htole64(blk->size / SECTOR);
	c.size_max = htole32(IVD_BLK_SIZE_MAX);
	c.seg_max = htole32(IVD_BLK_SEG_MAX);
	c.blk_size = htole32(SECTOR);
	if (!blk->readonly) {
		c.max_discard_sectors = htole32(IVD_BLK_MAX_DISCARD_SECTORS);
		c.max_discard_seg = htole32(IVD_BLK_MAX_DISCARD_SEG);
		c.discard_sector_alignment = htole32(IVD_BLK_DISCARD_ALIGN);
		c.max_write_zeroes_sectors = htole32(IVD_BLK_MAX_DISCARD_SECTORS);
		c.max_write_zeroes_seg = htole32(IVD_BLK_MAX_DISCARD_SEG);
		c.write_zeroes_may_unmap = 1;
	}
	gm_copy_out(cfg, &c, sizeof(c));
	return sizeof(c);
}

/* ---- backend I/O (pool threads) ---------------------------------------- */

static int full_rw(int fd, struct iovec *iov, int cnt, uint64_t off, bool write)
{
	while (cnt > 0) {
		ssize_t n = write ? pwritev(fd, iov, cnt, (off_t)off) :
				    preadv(fd, iov, cnt, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;	/* file shrank under us */
		off += (uint64_t)n;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int write_zero_bytes(int fd, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[65536];

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
		ssize_t w = pwrite(fd, zeros, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

static int do_range(struct ivd_blk *blk, enum blk_op op, const struct blk_range *r)
{
	uint64_t off = r->sector * SECTOR, len = (uint64_t)r->num * SECTOR;
	bool unmap = op == OP_DISCARD || (r->flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);

	if (blk->blockdev) {
		uint64_t range[2] = { off, len };

		if (op == OP_DISCARD)
			return ioctl(blk->fd, BLKDISCARD, range) < 0 && errno != EOPNOTSUPP ?
			       -errno : 0;
		if (ioctl(blk->fd, BLKZEROOUT, range) == 0)
			return 0;
		return write_zero_bytes(blk->fd, off, len);
	}
	if (fallocate(blk->fd, unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
		      FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return -errno;
	if (op == OP_DISCARD)
		return 0;	/* discard is a hint */
	return write_zero_bytes(blk->fd, off, len);
}

static void blk_run(struct ivd_job *job)
{
	struct blk_req *r = (struct blk_req *)job;
	struct ivd_blk *blk = r->blk;
	unsigned int i;
	int err = 0;

	switch (r->op) {
	case OP_NONE:
		return;
	case OP_READ:
	case OP_WRITE:
		err = full_rw(blk->fd, r->iov, r->iovcnt, r->offset, r->op == OP_WRITE);
		break;
	case OP_FLUSH:
		err = fdatasync(blk->fd) < 0 ? -errno : 0;
		break;
	case OP_DISCARD:
	case OP_WZ:
		for (i = 0; i < r->nranges && !err; i++)
			err = do_range(blk, r->op, &r->ranges[i]);
		break;
	case OP_GET_ID: {
		const uint8_t *src = (const uint8_t *)blk->serial;
		size_t left = r->len;
		int k;

		for (k = 0; k < r->iovcnt && left; k++) {
			size_t n = r->iov[k].iov_len < left ? r->iov[k].iov_len : left;

			gm_copy_out(r->iov[k].iov_base, src, n);
			src += n;
			left -= n;
		}
		break;
	}
	}
	if (err) {
		r->status = VIRTIO_BLK_S_IOERR;
		r->used_len = 1;
		ivd_log_guest("blk: op %d at byte %llu len %llu failed: %s", r->op,
			      (unsigned long long)r->offset, (unsigned long long)r->len,
			      strerror(-err));
	}
}

/* ---- request parsing (event loop) -------------------------------------- */

/* Copy @len bytes at byte @pos of the chain's readable part. */
static void chain_copy_in(const struct ivd_chain *c, const uint8_t *base, uint64_t pos,
			  void *dst, size_t len)
{
	uint8_t *d = dst;
	unsigned int i;

	for (i = 0; i < c->nr_read && len; i++) {
		const struct ivd_seg *s = &c->seg[i];
		size_t n;

		if (pos >= s->len) {
			pos -= s->len;
			continue;
		}
		n = s->len - pos < len ? s->len - pos : len;
		gm_copy_in(d, base + s->off + pos, n);
		d += n;
		len -= n;
		pos = 0;
	}
}

/* iovecs for segments [first, last) skipping @skip bytes, at most @len bytes. */
static int build_iov(struct blk_req *r, const struct ivd_chain *c, unsigned int first,
		     unsigned int last, uint64_t skip, uint64_t len)
{
	unsigned int i;
	int n = 0;

	for (i = first; i < last && len; i++) {
		const struct ivd_seg *s = &c->seg[i];
		uint64_t l;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		l = s->len - skip < len ? s->len - skip : len;
		r->iov[n].iov_base = r->base + s->off + skip;
		r->iov[n].iov_len = l;
		n++;
		len -= l;
		skip = 0;
	}
	return n;
}

static bool range_ok(const struct ivd_blk *blk, uint64_t sector, uint64_t bytes)
{
	uint64_t total = blk->size / SECTOR;

	return sector <= total && bytes <= (total - sector) * SECTOR;
}

static uint8_t parse_ranges(struct ivd_blk *blk, struct blk_req *r, const struct ivd_chain *c,
			    uint32_t type)
{
	uint64_t payload = c->read_bytes - HDR_BYTES;
	unsigned int i;

	if (blk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (!payload || payload % RANGE_BYTES || payload / RANGE_BYTES > IVD_BLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_UNSUPP;
	r->nranges = (unsigned int)(payload / RANGE_BYTES);
	for (i = 0; i < r->nranges; i++) {
		uint8_t raw[RANGE_BYTES];
		struct blk_range *g = &r->ranges[i];

		chain_copy_in(c, r->base, HDR_BYTES + (uint64_t)i * RANGE_BYTES, raw, sizeof(raw));
		memcpy(&g->sector, raw, 8);
		memcpy(&g->num, raw + 8, 4);
		memcpy(&g->flags, raw + 12, 4);
		g->sector = le64toh(g->sector);
		g->num = le32toh(g->num);
		g->flags = le32toh(g->flags);
		if (type == VIRTIO_BLK_T_DISCARD ? g->flags != 0 :
		    (g->flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
			return VIRTIO_BLK_S_UNSUPP;
		if (g->num > IVD_BLK_MAX_DISCARD_SECTORS ||
		    !range_ok(blk, g->sector, (uint64_t)g->num * SECTOR))
			return VIRTIO_BLK_S_IOERR;
	}
	r->op = type == VIRTIO_BLK_T_DISCARD ? OP_DISCARD : OP_WZ;
	return VIRTIO_BLK_S_OK;
}

/*
 * Fill @r from chain @c; returns the status to complete with right away
 * (anything but OK) or OK with r->op set for the backend.
 */
static uint8_t parse(struct ivd_blk *blk, struct blk_req *r, const struct ivd_chain *c)
{
	uint8_t raw[HDR_BYTES];
	uint32_t type;
	uint64_t sector, data;

	if (c->read_bytes < HDR_BYTES)
		return VIRTIO_BLK_S_IOERR;
	chain_copy_in(c, r->base, 0, raw, sizeof(raw));
	memcpy(&type, raw, 4);
	memcpy(&sector, raw + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		data = c->write_bytes - 1;
		if (data % SECTOR || !range_ok(blk, sector, data))
			return VIRTIO_BLK_S_IOERR;
		r->op = OP_READ;
		r->offset = sector * SECTOR;
		r->len = data;
		r->iovcnt = build_iov(r, c, c->nr_read, c->nr, 0, data);
		r->used_len = (uint32_t)(data + 1);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		data = c->read_bytes - HDR_BYTES;
		if (blk->readonly || data % SECTOR || !range_ok(blk, sector, data))
			return VIRTIO_BLK_S_IOERR;
		r->op = OP_WRITE;
		r->offset = sector * SECTOR;
		r->len = data;
		r->iovcnt = build_iov(r, c, 0, c->nr_read, HDR_BYTES, data);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		r->op = OP_FLUSH;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		data = c->write_bytes - 1;
		r->len = data < VIRTIO_BLK_ID_BYTES ? data : VIRTIO_BLK_ID_BYTES;
		r->op = OP_GET_ID;
		r->iovcnt = build_iov(r, c, c->nr_read, c->nr, 0, r->len);
		r->used_len = (uint32_t)(r->len + 1);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return parse_ranges(blk, r, c, type);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static const char *op_name(enum blk_op op)
{
	static const char *const n[] = { "none", "read", "write", "flush", "discard",
					 "write-zeroes", "get-id" };
	return n[op];
}

static void blk_process_queue(void *ctx, struct ivd_dev *dev, unsigned int q)
{
	struct ivd_blk *blk = ctx;
	struct ivd_vq *vq = &dev->vq[q];
	struct ivd_chain *c = &blk->chain;

	for (;;) {
		while (!blk->stopping && vq->inflight < vq->size && ivd_dev_running(dev)) {
			struct blk_req *r;
			const struct ivd_seg *st;
			int got = ivd_vq_pop(dev, q, c);

			if (got < 0)
				return;
			if (!got)
				break;
			/* The status byte ends the last, device-writable buffer. */
			if (!c->nr || !c->seg[c->nr - 1].write) {
				ivd_log_guest("blk: queue %u head %u has no status byte", q,
					      c->head);
				ivd_dev_set_broken(dev, IVV_BROKEN_CHAIN);
				return;
			}
			r = calloc(1, sizeof(*r) + (c->nr + 1) * sizeof(struct iovec));
			if (!r) {
				ivd_err("blk: out of memory");
				ivd_dev_set_broken(dev, IVV_BROKEN_BACKEND);
				return;
			}
			st = &c->seg[c->nr - 1];
			r->job.run = blk_run;
			r->blk = blk;
			r->base = dev->win->base;
			r->q = (uint16_t)q;
			r->head = c->head;
			r->status_off = st->off + st->len - 1;
			r->used_len = 1;
			r->status = parse(blk, r, c);
			if (r->status != VIRTIO_BLK_S_OK) {
				r->op = OP_NONE;
				r->used_len = 1;
				blk->errors++;
				ivd_dbg("blk: queue %u head %u rejected, status %u", q, c->head,
					r->status);
			} else {
				ivd_dbg("blk: queue %u head %u %s %llu+%llu", q, c->head,
					op_name(r->op), (unsigned long long)r->offset,
					(unsigned long long)r->len);
			}
			vq->inflight++;
			blk->inflight++;
			dev->requests++;
			ivd_pool_submit(&blk->pool, &r->job);
		}
		if (blk->stopping || vq->inflight >= vq->size || !ivd_dev_running(dev))
			return;
		if (!ivd_vq_rearm(dev, q))
			return;
	}
}

static void count(struct ivd_blk *blk, const struct blk_req *r)
{
	switch (r->op) {
	case OP_READ: blk->reads++; break;
	case OP_WRITE: blk->writes++; break;
	case OP_FLUSH: blk->flushes++; break;
	case OP_DISCARD: blk->discards++; break;
	case OP_WZ: blk->write_zeroes++; break;
	case OP_GET_ID: blk->get_ids++; break;
	case OP_NONE: break;
	}
}

void ivd_blk_reap(struct ivd_blk *blk, struct ivd_dev *dev)
{
	struct ivd_job *list = ivd_pool_take_done(&blk->pool);
	bool touched[IVV_MAX_QUEUES] = { false };
	unsigned int q;

	while (list) {
		struct blk_req *r = (struct blk_req *)list;
		struct ivd_vq *vq = &dev->vq[r->q];

		list = list->next;
		count(blk, r);
		if (r->status != VIRTIO_BLK_S_OK && r->op != OP_NONE)
			blk->errors++;
		/* status_off was validated inside the window when the chain was read */
		gm_st8(dev->win->base + r->status_off, r->status);
		ivd_vq_push(dev, r->q, r->head, r->used_len);
		if (vq->inflight)
			vq->inflight--;
		blk->inflight--;
		touched[r->q] = true;
		free(r);
	}
	for (q = 0; q < IVV_MAX_QUEUES; q++)
		if (touched[q])
			ivd_vq_publish(dev, q);
	for (q = 0; q < dev->num_queues; q++)
		if (touched[q] && dev->vq[q].enabled && ivd_dev_running(dev))
			blk_process_queue(blk, dev, q);
}

static void blk_drain(void *ctx, struct ivd_dev *dev)
{
	struct ivd_blk *blk = ctx;
	struct ivd_job *list;

	(void)dev;
	ivd_pool_wait_idle(&blk->pool);
	list = ivd_pool_take_done(&blk->pool);
	while (list) {
		struct ivd_job *next = list->next;

		free(list);
		blk->inflight--;
		list = next;
	}
}

const struct ivd_device_ops ivd_blk_ops_rw = {
	.device_id = 2,	/* VIRTIO_ID_BLOCK */
	.features = BLK_FEATURES_RW,
	.num_queues = 1,
	.fill_config = blk_fill_config,
	.process_queue = blk_process_queue,
	.drain = blk_drain,
};

const struct ivd_device_ops ivd_blk_ops_ro = {
	.device_id = 2,
	.features = BLK_FEATURES_RO,
	.num_queues = 1,
	.fill_config = blk_fill_config,
	.process_queue = blk_process_queue,
	.drain = blk_drain,
};

/* The virtio-blk id: up to 20 bytes, NUL-padded, not necessarily terminated. */
static void set_serial(struct ivd_blk *blk, const char *id)
{
	size_t n = strlen(id);

	memset(blk->serial, 0, sizeof(blk->serial));
	memcpy(blk->serial, id, n < sizeof(blk->serial) ? n : sizeof(blk->serial));
}

int ivd_blk_init_fd(struct ivd_blk *blk, int fd, uint64_t size, bool readonly,
		    unsigned int nthreads)
{
	memset(blk, 0, sizeof(*blk));
	blk->fd = fd;
	blk->readonly = readonly;
	blk->size = size & ~(SECTOR - 1);
	set_serial(blk, "ivshmd");
	return ivd_pool_init(&blk->pool, nthreads);
}

int ivd_blk_open(struct ivd_blk *blk, const char *path, bool readonly, unsigned int nthreads)
{
	struct stat st;
	uint64_t size;
	int fd, err;

	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		ivd_err("cannot open %s: %m", path);
		return err;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size) < 0)
			goto fail;
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		ivd_err("%s is neither a regular file nor a block device", path);
		close(fd);
		return -EINVAL;
	}
	if (size < SECTOR) {
		ivd_err("%s is smaller than one sector", path);
		close(fd);
		return -EINVAL;
	}
	err = ivd_blk_init_fd(blk, fd, size, readonly, nthreads);
	if (err) {
		close(fd);
		return err;
	}
	blk->blockdev = S_ISBLK(st.st_mode);
	set_serial(blk, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	return 0;
fail:
	err = -errno;
	ivd_err("%s: %m", path);
	close(fd);
	return err;
}

int ivd_blk_shutdown(struct ivd_blk *blk, struct ivd_dev *dev)
{
	blk->stopping = true;
	while (blk->inflight) {
		ivd_pool_wait_idle(&blk->pool);
		if (dev)
			ivd_blk_reap(blk, dev);
		else
			blk_drain(blk, NULL);
	}
	if (!blk->readonly && fsync(blk->fd) < 0) {
		ivd_err("fsync of the backing file failed: %m");
		return -1;
	}
	return 0;
}

void ivd_blk_close(struct ivd_blk *blk)
{
	ivd_pool_destroy(&blk->pool);
	if (blk->fd >= 0)
		close(blk->fd);
	blk->fd = -1;
}
