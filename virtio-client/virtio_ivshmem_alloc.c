// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: the window allocator.
 *
 * Everything after the transport header page of the shared window belongs to
 * the guest.  Rings (dma_alloc_coherent) and bounce buffers (dma_map_page)
 * are carved out of it with a genalloc bitmap of VI_GRANULE-sized granules.
 * The allocator's bookkeeping, including which guest page each bounce buffer
 * shadows, is kept in guest-private memory: nothing the host can write is
 * ever used to decide where the guest copies data.
 *
 * Most mappings are exactly one page (virtio_fs and the block layer map page
 * by page; a 1 MiB FUSE request is 256 of them).  Freed page-sized blocks go
 * to a small LIFO stack (up to VI_PCACHE_MAX) and page-sized requests take
 * from it first: a push or pop under one lock instead of a bitmap search and
 * two bitmap updates with atomics per page.  The stack is given back to the
 * bitmap whenever an allocation fails and at teardown, so it never makes the
 * window look fuller than it is.
 */
#include <linux/genalloc.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "virtio_ivshmem_dev.h"

/**
 * vi_alloc_init() - hand the window area after the header to the allocator
 * @vi: the device; @vi->win and @vi->win_size must be set
 * @start: first byte the guest may use (page aligned)
 * @end: end of the guest-managed part (the window size, or the start of
 *	 the shared-memory region), page aligned, at most @vi->win_size
 *
 * Return: 0, or -ENOMEM / -EINVAL.
 */
int vi_alloc_init(struct vi_dev *vi, size_t start, size_t end)
{
	size_t granules;
	int ret;

	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) || end > vi->win_size || start >= end ||
	    end - start < VI_POOL_MIN)
		return -EINVAL;

	spin_lock_init(&vi->pcache_lock);
	vi->pcache_n = 0;
	vi->pool_start = start;
	vi->pool_size = end - start;
	granules = vi->pool_size >> VI_GRANULE_SHIFT;
	vi->orig = kvcalloc(granules, sizeof(*vi->orig), GFP_KERNEL);
	vi->wlen = kvcalloc(granules, sizeof(*vi->wlen), GFP_KERNEL);
	if (!vi->orig || !vi->wlen) {
		ret = -ENOMEM;
		goto err_orig;
	}

	vi->pool = gen_pool_create(VI_GRANULE_SHIFT, dev_to_node(&vi->pdev->dev));
	if (!vi->pool) {
		ret = -ENOMEM;
		goto err_orig;
	}
	ret = gen_pool_add(vi->pool, (unsigned long)vi->win + start, vi->pool_size,
			   dev_to_node(&vi->pdev->dev));
	if (ret)
		goto err_pool;
	return 0;

err_pool:
	gen_pool_destroy(vi->pool);
	vi->pool = NULL;
err_orig:
	kvfree(vi->orig);
	vi->orig = NULL;
	kvfree(vi->wlen);
	vi->wlen = NULL;
	return ret;
}

/**
 * vi_alloc_destroy() - tear the allocator down
 * @vi: the device
 *
 * Every ring and bounce buffer must have been freed (virtqueues deleted, no
 * mapping outstanding); leaks are reported, not fatal.
 */
/* Give every cached page-sized block back to the bitmap. */
static void vi_pcache_drain(struct vi_dev *vi)
{
	unsigned long flags;

	spin_lock_irqsave(&vi->pcache_lock, flags);
	while (vi->pcache_n)
		gen_pool_free(vi->pool, (unsigned long)vi->win + vi->pcache[--vi->pcache_n],
			      PAGE_SIZE);
	spin_unlock_irqrestore(&vi->pcache_lock, flags);
}

void vi_alloc_destroy(struct vi_dev *vi)
{
	if (!vi->pool)
		return;
	vi_pcache_drain(vi);
	if (gen_pool_avail(vi->pool) != gen_pool_size(vi->pool)) {
		dev_err(&vi->pdev->dev, "%zu window bytes still allocated at teardown\n",
			gen_pool_size(vi->pool) - gen_pool_avail(vi->pool));
		/* gen_pool_destroy() BUG()s on a busy pool: leak it instead. */
	} else {
		gen_pool_destroy(vi->pool);
	}
	vi->pool = NULL;
	kvfree(vi->orig);
	vi->orig = NULL;
	kvfree(vi->wlen);
	vi->wlen = NULL;
}

/**
 * vi_alloc() - allocate window space
 * @vi: the device
 * @size: bytes wanted (non-zero)
 * @align: alignment of the window offset, a power of two (0 = granule)
 *
 * Safe in atomic context.
 *
 * Return: the window offset of the block, or 0 (never a valid offset: the
 * header page comes first) when the window is full.
 */
u64 vi_alloc(struct vi_dev *vi, size_t size, size_t align)
{
	struct genpool_data_align data;
	unsigned long addr, flags;
	u64 off = 0;

	if (!size || size > vi->pool_size)
		return 0;
	if (size == PAGE_SIZE && align <= VI_GRANULE) {
		spin_lock_irqsave(&vi->pcache_lock, flags);
		if (vi->pcache_n)
			off = vi->pcache[--vi->pcache_n];
		spin_unlock_irqrestore(&vi->pcache_lock, flags);
		if (off) {
			atomic64_add(size, &vi->stat_bytes_used);
			return off;
		}
	}
	data.align = max_t(size_t, align, VI_GRANULE);
	addr = gen_pool_alloc_algo(vi->pool, size, gen_pool_first_fit_align, &data);
	if (!addr && READ_ONCE(vi->pcache_n)) {
		vi_pcache_drain(vi);
		addr = gen_pool_alloc_algo(vi->pool, size, gen_pool_first_fit_align, &data);
	}
	if (!addr) {
		atomic64_inc(&vi->stat_alloc_fail);
		return 0;
	}
	atomic64_add(size, &vi->stat_bytes_used);
	return addr - (unsigned long)vi->win;
}

/**
 * vi_free() - return window space taken by vi_alloc()
 * @vi: the device
 * @off: the offset vi_alloc() returned
 * @size: the size given to vi_alloc()
 */
void vi_free(struct vi_dev *vi, u64 off, size_t size)
{
	unsigned long flags;
	bool cached = false;

	if (!vi_pool_range_ok(vi, off, size)) {
		dev_err_ratelimited(&vi->pdev->dev, "free of bad window range %#llx+%zu\n",
				    off, size);
		return;
	}
	atomic64_sub(size, &vi->stat_bytes_used);
	if (size == PAGE_SIZE) {
		spin_lock_irqsave(&vi->pcache_lock, flags);
		if (vi->pcache_n < VI_PCACHE_MAX) {
			vi->pcache[vi->pcache_n++] = off;
			cached = true;
		}
		spin_unlock_irqrestore(&vi->pcache_lock, flags);
	}
	if (!cached)
		gen_pool_free(vi->pool, (unsigned long)vi->win + off, size);
}

/**
 * vi_pool_range_ok() - is [@off, @off + @size) inside the allocatable area?
 * @vi: the device
 * @off: window offset
 * @size: length in bytes
 *
 * Return: true if the non-empty range lies entirely in the pool.
 */
bool vi_pool_range_ok(struct vi_dev *vi, u64 off, size_t size)
{
	u64 end = vi->pool_start + vi->pool_size;

	return off >= vi->pool_start && off < end && size && size <= end - off;
}

/* Index into vi->orig of the granule holding window offset @off. */
static size_t vi_granule(struct vi_dev *vi, u64 off)
{
	return (off - vi->pool_start) >> VI_GRANULE_SHIFT;
}

/**
 * vi_track() - remember which guest memory a bounce block shadows
 * @vi: the device
 * @off: window offset of the block (granule aligned)
 * @size: block size
 * @phys: guest physical address of the first byte it shadows
 * @wlen: initial ledger state of its granules (0, or VI_WLEN_PENDING)
 */
void vi_track(struct vi_dev *vi, u64 off, size_t size, phys_addr_t phys, u32 wlen)
{
	size_t g = vi_granule(vi, off), n = DIV_ROUND_UP(size, VI_GRANULE), i;

	for (i = 0; i < n; i++) {
		vi->orig[g + i] = phys + ((phys_addr_t)i << VI_GRANULE_SHIFT);
		WRITE_ONCE(vi->wlen[g + i], wlen);
	}
}

/**
 * vi_tracked_wlen() - ledger state of the granule holding window offset @off
 * @vi: the device
 * @off: a window offset inside a live bounce block
 *
 * Return: 0 (filled at map time), VI_WLEN_PENDING or VI_WLEN_VALID | bytes.
 */
u32 vi_tracked_wlen(struct vi_dev *vi, u64 off)
{
	return READ_ONCE(vi->wlen[vi_granule(vi, off)]);
}

/**
 * vi_tracked_phys() - guest memory shadowed by window offset @off
 * @vi: the device
 * @off: a window offset inside a live bounce block (any byte of it)
 *
 * Return: the guest physical address, or 0 if nothing is recorded.
 */
phys_addr_t vi_tracked_phys(struct vi_dev *vi, u64 off)
{
	phys_addr_t base = vi->orig[vi_granule(vi, off)];

	if (!base)
		return 0;
	return base + (off & (VI_GRANULE - 1));
}

/**
 * vi_untrack() - forget the shadow record of a bounce block
 * @vi: the device
 * @off: window offset of the block
 * @size: block size
 */
void vi_untrack(struct vi_dev *vi, u64 off, size_t size)
{
	size_t g = vi_granule(vi, off), n = DIV_ROUND_UP(size, VI_GRANULE), i;

	for (i = 0; i < n; i++) {
		vi->orig[g + i] = 0;
		WRITE_ONCE(vi->wlen[g + i], 0);
	}
}
