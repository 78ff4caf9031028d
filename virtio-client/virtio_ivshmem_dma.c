// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: DMA operations that bounce through the shared window.
 *
 * The host sees only the window, so every buffer virtio hands to the device
 * is copied into a block from the window allocator and the "DMA address"
 * virtio puts into descriptors is that block's offset within the window.
 * With VIRTIO_F_ACCESS_PLATFORM negotiated, the 6.1 virtio core allocates
 * rings with dma_alloc_coherent() and maps buffers with dma_map_page() on
 * the virtio device's parent, our PCI function, so installing these ops on
 * it (set_dma_ops()) is all the wiring there is.
 *
 * Direction handling: data going to the device is copied in at map time;
 * data coming from the device is copied back at unmap (or sync_for_cpu)
 * time.  Device-writable blocks are filled at map time instead of with the
 * guest buffer's old contents (guest memory never reaches the host unless the
 * guest sends it, stale window data never reaches the guest), and the fill
 * reads as a failed completion: 0xff, except that each block starts with the
 * little-endian 32-bit word -EIO twice.  What the dead-server stub returns
 * without the device having written anything therefore reads, for every
 * device type the server offers, as an I/O error: virtio-blk's one-byte
 * status is 0xfb (not OK: BLK_STS_IOERR), and the error field of
 * virtio-fs's 16-byte fuse_out_header (its own mapping; bytes 4..7) is -EIO,
 * which fuse hands to the caller.  With an all-ones fill that field read as
 * -1, i.e. EPERM.  (The bulk stays a plain memset: under TCG it is much
 * cheaper than a 32-bit pattern fill, which x86 does with rep stosl.)
 *
 * virtio-fs (vi_dev.lazy_fill, module parameter skip_fill) skips the fill:
 * its device-writable blocks get back exactly the bytes the device reported
 * in the used ring, and the fill only if it reported none for the block
 * (virtio_ivshmem_ledger.c), so stale window bytes still never reach the
 * guest.
 *
 * Each map and unmap also lets the dead-server stub account the ring
 * entries published since the previous one (vi_track_all()); the unmap does
 * it first, so the ledger has seen the used entry of the chain it unmaps.
 */
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/pci.h>

#include "virtio_ivshmem_dev.h"

bool vi_skip_fill = true;
module_param_named(skip_fill, vi_skip_fill, bool, 0644);
MODULE_PARM_DESC(skip_fill,
		 "virtio-fs: no fill of device-writable buffers at map time, copy back "
		 "only the used length (default on)");

static struct vi_dev *vi_from_dma_dev(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

/*
 * Copy @size bytes between guest physical memory at @phys and the window at
 * @off, page by page (the guest range may span several pages).
 */
static void vi_bounce_copy(struct vi_dev *vi, phys_addr_t phys, u64 off, size_t size,
			   bool to_window)
{
	while (size) {
		struct page *page = pfn_to_page(PHYS_PFN(phys));
		size_t in_page = offset_in_page(phys);
		size_t n = min_t(size_t, size, PAGE_SIZE - in_page);
		char *va = kmap_local_page(page);

		if (to_window)
			memcpy(vi->win + off, va + in_page, n);
		else
			memcpy(va + in_page, vi->win + off, n);
		kunmap_local(va);
		phys += n;
		off += n;
		size -= n;
	}
}

/* Fill a device-writable block so that it reads as a failure (see above). */
static void vi_fill_failed(void *dst, size_t size)
{
	const __le32 head[2] = { cpu_to_le32((u32)-EIO), cpu_to_le32((u32)-EIO) };

	memcpy(dst, head, min(size, sizeof(head)));
	if (size > sizeof(head))
		memset(dst + sizeof(head), 0xff, size - sizeof(head));
}

/* The same fill written into guest memory (a block the device never wrote). */
static void vi_fill_guest(phys_addr_t phys, size_t size)
{
	size_t done = 0;

	while (done < size) {
		struct page *page = pfn_to_page(PHYS_PFN(phys));
		size_t in_page = offset_in_page(phys);
		size_t n = min_t(size_t, size - done, PAGE_SIZE - in_page);
		char *va = kmap_local_page(page);

		if (!done)
			vi_fill_failed(va + in_page, n);
		else
			memset(va + in_page, 0xff, n);
		kunmap_local(va);
		phys += n;
		done += n;
	}
}

static bool vi_to_device(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool vi_from_device(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/**
 * vi_map_phys() - bounce a guest range into the window
 * @vi: the device
 * @phys: guest physical start
 * @size: length
 * @dir: DMA direction
 * @attrs: DMA attributes (DMA_ATTR_SKIP_CPU_SYNC suppresses the copy)
 *
 * Return: the window offset, or DMA_MAPPING_ERROR if the range is too large
 * or the window is full (virtio then retries the request later).
 */
static dma_addr_t vi_map_phys(struct vi_dev *vi, phys_addr_t phys, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	bool lazy;
	u64 off;

	if (!size || size > vi->max_map)
		return DMA_MAPPING_ERROR;
	off = vi_alloc(vi, size, 0);
	if (!off)
		return DMA_MAPPING_ERROR;
	lazy = dir == DMA_FROM_DEVICE && vi->lazy_fill && READ_ONCE(vi_skip_fill);
	vi_track(vi, off, size, phys, lazy ? VI_WLEN_PENDING : 0);
	if (vi_to_device(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		vi_bounce_copy(vi, phys, off, size, true);
	else if (lazy)
		atomic64_inc(&vi->stat_unfilled);
	else if (dir == DMA_FROM_DEVICE)
		vi_fill_failed(vi->win + off, size);
	atomic64_inc(&vi->stat_maps);
	vi_track_all(vi);
	return off;
}

static dma_addr_t vi_dma_map_page(struct device *dev, struct page *page, unsigned long offset,
				  size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	return vi_map_phys(vi_from_dma_dev(dev), page_to_phys(page) + offset, size, dir, attrs);
}

/* Look up a live mapping; complain (rate-limited) about anything else. */
static phys_addr_t vi_lookup(struct vi_dev *vi, dma_addr_t addr, size_t size)
{
	phys_addr_t phys = 0;

	if (vi_pool_range_ok(vi, addr, size))
		phys = vi_tracked_phys(vi, addr);
	if (!phys)
		dev_err_ratelimited(&vi->pdev->dev, "DMA op on unknown window range %#llx+%zu\n",
				    (u64)addr, size);
	return phys;
}

/*
 * Device-to-guest copy of a live block: everything for a block filled at map
 * time; for one mapped without the fill, the bytes the device reported (the
 * ledger), or the fill if it reported none.
 */
static void vi_copy_back(struct vi_dev *vi, phys_addr_t phys, dma_addr_t addr, size_t size)
{
	u32 rec = vi_tracked_wlen(vi, addr);

	if (!rec) {
		vi_bounce_copy(vi, phys, addr, size, false);
		return;
	}
	if (rec == VI_WLEN_PENDING) {
		/* another CPU may be recording it right now, or nobody has yet */
		vi_track_sync(vi);
		rec = vi_tracked_wlen(vi, addr);
	}
	if (rec & VI_WLEN_VALID) {
		vi_bounce_copy(vi, phys, addr, min_t(size_t, rec & VI_WLEN_BYTES, size), false);
	} else {
		atomic64_inc(&vi->stat_unreported);
		vi_fill_guest(phys, size);
	}
}

static void vi_dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);
	phys_addr_t phys;

	/* see the used entry of this chain before deciding what to copy */
	vi_track_all(vi);
	phys = vi_lookup(vi, addr, size);
	if (!phys)
		return;
	if (vi_from_device(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		vi_copy_back(vi, phys, addr, size);
	vi_untrack(vi, addr, size);
	vi_free(vi, addr, size);
}

static int vi_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			 enum dma_data_direction dir, unsigned long attrs)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		sg->dma_address = vi_map_phys(vi, sg_phys(sg), sg->length, dir, attrs);
		if (sg->dma_address == DMA_MAPPING_ERROR)
			goto undo;
		sg_dma_len(sg) = sg->length;
	}
	return nents;

undo:
	nents = i;
	for_each_sg(sgl, sg, nents, i)
		vi_dma_unmap_page(dev, sg->dma_address, sg->length, dir,
				  attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return -ENOMEM;
}

static void vi_dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			    enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		vi_dma_unmap_page(dev, sg->dma_address, sg->length, dir, attrs);
}

static void vi_dma_sync_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);
	phys_addr_t phys;

	if (!vi_from_device(dir))
		return;
	phys = vi_lookup(vi, addr, size);
	if (phys)
		vi_copy_back(vi, phys, addr, size);
}

static void vi_dma_sync_for_device(struct device *dev, dma_addr_t addr, size_t size,
				   enum dma_data_direction dir)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);
	phys_addr_t phys;

	if (!vi_to_device(dir))
		return;
	phys = vi_lookup(vi, addr, size);
	if (phys)
		vi_bounce_copy(vi, phys, addr, size, true);
}

static void vi_dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl, int nents,
				   enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		vi_dma_sync_for_cpu(dev, sg->dma_address, sg->length, dir);
}

static void vi_dma_sync_sg_for_device(struct device *dev, struct scatterlist *sgl, int nents,
				      enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		vi_dma_sync_for_device(dev, sg->dma_address, sg->length, dir);
}

/* Coherent memory (the rings) is window memory handed out directly. */
static void *vi_dma_alloc(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp,
			  unsigned long attrs)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);
	u64 off;

	size = PAGE_ALIGN(size);
	off = vi_alloc(vi, size, PAGE_SIZE);
	if (!off)
		return NULL;
	memset(vi->win + off, 0, size);
	*handle = off;
	return vi->win + off;
}

static void vi_dma_free(struct device *dev, size_t size, void *vaddr, dma_addr_t handle,
			unsigned long attrs)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);

	size = PAGE_ALIGN(size);
	if (vaddr != vi->win + handle || !vi_pool_range_ok(vi, handle, size)) {
		dev_err_ratelimited(&vi->pdev->dev, "coherent free of bad range %#llx+%zu\n",
				    (u64)handle, size);
		return;
	}
	vi_free(vi, handle, size);
}

static int vi_dma_supported(struct device *dev, u64 mask)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);

	/* Addresses are window offsets: the mask only has to cover the window. */
	return vi->win_size - 1 <= mask;
}

static size_t vi_dma_max_mapping_size(struct device *dev)
{
	return vi_from_dma_dev(dev)->max_map;
}

const struct dma_map_ops vi_dma_ops = {
	.alloc = vi_dma_alloc,
	.free = vi_dma_free,
	.map_page = vi_dma_map_page,
	.unmap_page = vi_dma_unmap_page,
	.map_sg = vi_dma_map_sg,
	.unmap_sg = vi_dma_unmap_sg,
	.sync_single_for_cpu = vi_dma_sync_for_cpu,
	.sync_single_for_device = vi_dma_sync_for_device,
	.sync_sg_for_cpu = vi_dma_sync_sg_for_cpu,
	.sync_sg_for_device = vi_dma_sync_sg_for_device,
	.dma_supported = vi_dma_supported,
	.max_mapping_size = vi_dma_max_mapping_size,
};
