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
 * Each map and unmap also lets the dead-server stub account the ring
 * entries published since the previous one (vi_track_all()).
 */
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/pci.h>

#include "virtio_ivshmem_dev.h"

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
	u64 off;

	if (!size || size > vi->max_map)
		return DMA_MAPPING_ERROR;
	off = vi_alloc(vi, size, 0);
	if (!off)
		return DMA_MAPPING_ERROR;
	vi_track(vi, off, size, phys);
	if (vi_to_device(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		vi_bounce_copy(vi, phys, off, size, true);
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

static void vi_dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	struct vi_dev *vi = vi_from_dma_dev(dev);
	phys_addr_t phys = vi_lookup(vi, addr, size);

	if (!phys)
		return;
	if (vi_from_device(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		vi_bounce_copy(vi, phys, addr, size, false);
	vi_untrack(vi, addr, size);
	vi_free(vi, addr, size);
	vi_track_all(vi);
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
		vi_bounce_copy(vi, phys, addr, size, false);
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
