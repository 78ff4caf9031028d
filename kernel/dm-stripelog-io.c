// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: block I/O helpers of the target glue.
 *
 * Every metadata and log I/O of the target goes through dm-io here, in units
 * of 4 KiB stripelog blocks.  Buffers may be kmalloc'ed or vmalloc'ed; the
 * helper picks the matching dm-io memory type.
 */
#include <linux/vmalloc.h>
#include <linux/mm.h>

#include "dm-stripelog-glue.h"

static void slg_fill_req(struct dm_io_request *req, struct dm_io_client *client,
			 blk_opf_t opf, void *buf)
{
	req->bi_opf = opf;
	req->client = client;
	req->notify.fn = NULL;
	req->notify.context = NULL;
	req->mem.offset = 0;
	if (is_vmalloc_addr(buf)) {
		req->mem.type = DM_IO_VMA;
		req->mem.ptr.vma = buf;
	} else {
		req->mem.type = DM_IO_KMEM;
		req->mem.ptr.addr = buf;
	}
}

/**
 * slg_io_sync - synchronous block I/O on one device
 * @client: dm-io client of the volume
 * @dev: device to read or write
 * @opf: REQ_OP_READ or REQ_OP_WRITE, with REQ_FUA / REQ_PREFLUSH as needed
 * @block: first 4 KiB block on @dev
 * @buf: buffer of @nblocks blocks (kmalloc or vmalloc memory)
 * @nblocks: number of blocks, may be 0 only for an empty REQ_PREFLUSH write
 *
 * May sleep.  Return: 0 or a negative errno.
 */
int slg_io_sync(struct dm_io_client *client, struct dm_dev *dev, blk_opf_t opf,
		u64 block, void *buf, unsigned int nblocks)
{
	struct dm_io_request req;
	struct dm_io_region where;
	unsigned long err_bits = 0;
	int r;

	slg_fill_req(&req, client, opf, buf);
	where.bdev = dev->bdev;
	where.sector = block << SLG_BLOCK_SECTORS_SHIFT;
	where.count = (sector_t)nblocks << SLG_BLOCK_SECTORS_SHIFT;
	r = dm_io(&req, 1, &where, &err_bits, IOPRIO_DEFAULT);
	if (r)
		return r;
	return err_bits ? -EIO : 0;
}

/**
 * slg_flush_sync - flush the volatile write cache of one device
 * @client: dm-io client
 * @dev: device
 *
 * May sleep.  Return: 0 or a negative errno.
 */
int slg_flush_sync(struct dm_io_client *client, struct dm_dev *dev)
{
	struct dm_io_request req;
	struct dm_io_region where;
	unsigned long err_bits = 0;
	int r;

	req.bi_opf = REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC;
	req.mem.type = DM_IO_KMEM;
	req.mem.ptr.addr = NULL;
	req.mem.offset = 0;
	req.notify.fn = NULL;
	req.client = client;
	where.bdev = dev->bdev;
	where.sector = 0;
	where.count = 0;
	r = dm_io(&req, 1, &where, &err_bits, IOPRIO_DEFAULT);
	if (r)
		return r;
	return err_bits ? -EIO : 0;
}

/**
 * slg_io_async - asynchronous block I/O on one device
 * @client: dm-io client
 * @dev: device
 * @opf: operation and flags
 * @block: first 4 KiB block on @dev
 * @buf: buffer (kmalloc or vmalloc memory) of @nblocks blocks
 * @nblocks: block count (> 0)
 * @fn: completion, called with the dm-io error bits (0 on success)
 * @ctx: context for @fn
 *
 * Return: 0 if submitted (then @fn is always called), else a negative errno.
 */
int slg_io_async(struct dm_io_client *client, struct dm_dev *dev, blk_opf_t opf,
		 u64 block, void *buf, unsigned int nblocks, io_notify_fn fn, void *ctx)
{
	struct dm_io_request req;
	struct dm_io_region where;

	slg_fill_req(&req, client, opf, buf);
	req.notify.fn = fn;
	req.notify.context = ctx;
	where.bdev = dev->bdev;
	where.sector = block << SLG_BLOCK_SECTORS_SHIFT;
	where.count = (sector_t)nblocks << SLG_BLOCK_SECTORS_SHIFT;
	return dm_io(&req, 1, &where, NULL, IOPRIO_DEFAULT);
}

/**
 * slg_dev - the dm_dev behind an engine device number
 * @sc: target
 * @dev: SL_DEV_PERF or SL_DEV_LEG(i)
 *
 * Return: the device, or NULL for a number the volume does not have.
 */
struct dm_dev *slg_dev(struct stripelog_c *sc, u32 dev)
{
	if (dev == SL_DEV_PERF)
		return sc->perf;
	if (dev - SL_DEV_LEG(0) < sc->nr_legs)
		return sc->legs[dev - SL_DEV_LEG(0)];
	return NULL;
}

static void slg_note_error(struct stripelog_c *sc, u32 dev, int r, const char *what)
{
	if (!r)
		return;
	if (dev == SL_DEV_PERF)
		WRITE_ONCE(sc->perf_failed, true);
	else if (dev - SL_DEV_LEG(0) < sc->nr_legs)
		slg_leg_failed(sc, dev - SL_DEV_LEG(0), what);
}

static int slg_ops_read(void *ctx, u32 dev, u64 block, u32 nblocks, void *buf)
{
	struct stripelog_c *sc = ctx;
	struct dm_dev *d = slg_dev(sc, dev);
	int r;

	if (!d)
		return -EINVAL;
	if (!nblocks)
		return 0;
	/* Capacity legs: a failed leg's segment blocks are rebuilt from parity. */
	if (dev != SL_DEV_PERF)
		return slg_read_leg(sc, dev - SL_DEV_LEG(0), block, nblocks, buf);
	r = slg_io_sync(sc->io_client, d, REQ_OP_READ, block, buf, nblocks);
	slg_note_error(sc, dev, r, "read");
	return r;
}

static int slg_ops_write(void *ctx, u32 dev, u64 block, u32 nblocks, const void *buf,
			 bool fua)
{
	struct stripelog_c *sc = ctx;
	struct dm_dev *d = slg_dev(sc, dev);
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;
	int r;

	if (!d)
		return -EINVAL;
	if (!nblocks)
		return 0;
	/* A failed leg's blocks are written nowhere; parity covers them. */
	if (dev != SL_DEV_PERF && test_bit(dev - SL_DEV_LEG(0), &sc->leg_failed))
		return 0;
	if (fua)
		opf |= REQ_FUA;
	r = slg_io_sync(sc->io_client, d, opf, block, (void *)buf, nblocks);
	slg_note_error(sc, dev, r, "write");
	return r;
}

static int slg_ops_flush(void *ctx, u32 dev)
{
	struct stripelog_c *sc = ctx;
	struct dm_dev *d = slg_dev(sc, dev);
	int r;

	if (!d)
		return -EINVAL;
	if (dev != SL_DEV_PERF && test_bit(dev - SL_DEV_LEG(0), &sc->leg_failed))
		return 0;
	r = slg_flush_sync(sc->io_client, d);
	slg_note_error(sc, dev, r, "flush");
	return r;
}

/* Synchronous I/O for the core's open/format/recover paths (ctr only). */
const struct sl_dev_ops slg_dev_ops = {
	.read = slg_ops_read,
	.write = slg_ops_write,
	.flush = slg_ops_flush,
};
