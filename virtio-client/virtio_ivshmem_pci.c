// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: the PCI driver for QEMU's ivshmem-doorbell (1af4:1110).
 *
 * Binds only when BAR2 starts with a valid virtio-ivshmem header (magic,
 * version, sane geometry, server ready); any other ivshmem user is left
 * alone.  Maps BAR0 (registers, doorbell) and BAR2 (the shared window),
 * installs the bouncing DMA ops on the PCI function and registers one
 * virtio device whose driver (virtio_blk, ...) then binds as usual.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/dma-map-ops.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/slab.h>

#include "virtio_ivshmem_dev.h"

static void vi_release_vdev(struct device *dev)
{
	struct virtio_device *vdev = dev_to_virtio(dev);

	kfree(to_vi(vdev));
}

/**
 * vi_check_header() - is BAR2 a virtio-ivshmem window we can drive?
 * @vi: the device, @vi->win / @vi->win_size mapped
 *
 * Copies the host-written identification fields once and validates them.
 *
 * Return: 0; -ENODEV when the window belongs to someone else (logged at
 * info level); -EINVAL when it claims to be ours but is inconsistent.
 */
static int vi_check_header(struct vi_dev *vi)
{
	struct device *dev = &vi->pdev->dev;
	struct ivv_header *h = vi->hdr;
	u32 version, hsize, vectors, server, state, nq, csize, devid, vendor;
	u64 wsize, shm_off, shm_len;

	version = le32_to_cpu(READ_ONCE(h->version));
	if (memcmp(h->magic, IVV_MAGIC, IVV_MAGIC_LEN) || version != IVV_VERSION) {
		dev_info(dev, "no virtio-ivshmem v%u header in BAR2 (other user?): not binding\n",
			 IVV_VERSION);
		return -ENODEV;
	}
	hsize = le32_to_cpu(READ_ONCE(h->header_size));
	wsize = le64_to_cpu(READ_ONCE(h->window_size));
	vectors = le32_to_cpu(READ_ONCE(h->num_vectors));
	server = le32_to_cpu(READ_ONCE(h->server_peer_id));
	state = le32_to_cpu(READ_ONCE(h->host_state));
	nq = le16_to_cpu(READ_ONCE(h->num_queues));
	csize = le16_to_cpu(READ_ONCE(h->config_size));
	devid = le32_to_cpu(READ_ONCE(h->device_id));
	vendor = le32_to_cpu(READ_ONCE(h->vendor_id));
	shm_off = le64_to_cpu(READ_ONCE(h->shm_offset));
	shm_len = le64_to_cpu(READ_ONCE(h->shm_len));

	if (state != IVV_HOST_READY) {
		dev_info(dev, "virtio-ivshmem server not ready (host_state %u): not binding\n",
			 state);
		return -ENODEV;
	}
	if (hsize != IVV_HEADER_SIZE || wsize != vi->win_size || !vectors || vectors > 255 ||
	    server > 0xffff || !nq || nq > IVV_MAX_QUEUES || csize > IVV_CONFIG_SPACE_SIZE ||
	    !devid || devid > 0xffff) {
		dev_err(dev, "bad virtio-ivshmem header: header %u window %llu/%zu vectors %u\n",
			hsize, wsize, vi->win_size, vectors);
		dev_err(dev, "  server %u queues %u config %u device %u\n", server, nq, csize,
			devid);
		return -EINVAL;
	}
	/* the region is the window's tail, and rings and buffers must still fit */
	if (shm_len && (shm_off % IVV_SHM_ALIGN || shm_len % IVV_SHM_ALIGN ||
			shm_off < IVV_HEADER_SIZE + VI_POOL_MIN || shm_off >= wsize ||
			shm_len != wsize - shm_off)) {
		dev_err(dev, "bad virtio-ivshmem shared-memory region %#llx+%#llx in %#llx\n",
			shm_off, shm_len, wsize);
		return -EINVAL;
	}
	vi->shm_offset = shm_len ? shm_off : wsize;
	vi->shm_len = shm_len;
	vi->shm_id = READ_ONCE(h->shm_id);
	vi->server_id = server;
	vi->hdr_vectors = vectors;
	vi->num_queues = nq;
	vi->config_size = csize;
	vi->vdev.id.device = devid;
	vi->vdev.id.vendor = vendor;
	return 0;
}

/*
 * A window left behind by a server that died still has a valid header; only
 * a moving heartbeat (IVV_HEARTBEAT_MS) says someone serves it.
 */
static int vi_check_heartbeat(struct vi_dev *vi)
{
	u32 beat = le32_to_cpu(READ_ONCE(vi->hdr->heartbeat));
	unsigned long deadline = jiffies + msecs_to_jiffies(10 * IVV_HEARTBEAT_MS);

	do {
		usleep_range(10000, 20000);
		if (le32_to_cpu(READ_ONCE(vi->hdr->heartbeat)) != beat)
			return 0;
	} while (time_before(jiffies, deadline));
	dev_info(&vi->pdev->dev, "virtio-ivshmem header but no server heartbeat: not binding\n");
	return -ENODEV;
}

static int vi_map_bars(struct vi_dev *vi)
{
	struct pci_dev *pdev = vi->pdev;
	resource_size_t len = pci_resource_len(pdev, 2);
	int ret;

	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < IVV_BAR0_DOORBELL + 4) {
		dev_info(&pdev->dev, "BAR0 is not ivshmem's register block: not binding\n");
		return -ENODEV;
	}
	if (!(pci_resource_flags(pdev, 2) & IORESOURCE_MEM) || len < IVV_WINDOW_MIN ||
	    len > IVV_WINDOW_MAX || !is_power_of_2(len)) {
		dev_info(&pdev->dev, "BAR2 (%llu bytes) is no virtio-ivshmem window: not binding\n",
			 (u64)len);
		return -ENODEV;
	}
	ret = pcim_iomap_regions(pdev, BIT(0), VI_NAME);
	if (ret)
		return ret;
	vi->regs = pcim_iomap_table(pdev)[0];
	/*
	 * BAR2 is deliberately not requested: with CONFIG_IO_STRICT_DEVMEM a
	 * requested region cannot be mmap()ed through sysfs resource2, which
	 * the host-hardening tests (and debugging) rely on.  The driver still
	 * owns the device; only root can map the file.
	 *
	 * RAM-backed shared memory: map it write-back like ordinary memory.
	 */
	vi->win = devm_memremap(&pdev->dev, pci_resource_start(pdev, 2), len, MEMREMAP_WB);
	if (IS_ERR(vi->win))
		return PTR_ERR(vi->win);
	vi->win_size = len;
	vi->hdr = vi->win;
	return 0;
}

static int vi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vi_dev *vi;
	int ret;

	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi)
		return -ENOMEM;
	vi->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		goto err_free;
	ret = vi_map_bars(vi);
	if (ret)
		goto err_free;
	ret = vi_check_header(vi);
	if (ret)
		goto err_free;
	ret = vi_check_heartbeat(vi);
	if (ret)
		goto err_free;
	vi->own_id = readl(vi->regs + IVV_BAR0_IVPOSITION) & 0xffff;
	if (vi->own_id == vi->server_id) {
		dev_err(&pdev->dev, "server peer id %u is our own id\n", vi->server_id);
		ret = -EINVAL;
		goto err_free;
	}
	ret = vi_alloc_init(vi, IVV_HEADER_SIZE, vi->shm_offset);
	if (ret)
		goto err_free;
	vi->max_map = rounddown(min_t(size_t, VI_MAX_MAP, vi->pool_size / 8), PAGE_SIZE);
	/* fs replies are written from the first writable byte: the ledger applies */
	vi->lazy_fill = vi->vdev.id.device == VIRTIO_ID_FS;

	pci_set_master(pdev);	/* MSI-X messages are bus-master writes */
	pci_set_drvdata(pdev, vi);
	set_dma_ops(&pdev->dev, &vi_dma_ops);
	vi_config_init(vi);

	vi->vdev.dev.parent = &pdev->dev;
	vi->vdev.dev.release = vi_release_vdev;
	vi->vdev.config = &vi_config_ops;
	/* Before registering: the driver's probe may already do I/O. */
	ret = sysfs_create_group(&pdev->dev.kobj, &vi_attr_group);
	if (ret)
		dev_warn(&pdev->dev, "no sysfs attributes: %d\n", ret);
	schedule_delayed_work(&vi->watchdog, HZ);
	ret = register_virtio_device(&vi->vdev);
	if (ret) {
		dev_err(&pdev->dev, "registering the virtio device failed: %d\n", ret);
		cancel_delayed_work_sync(&vi->watchdog);
		sysfs_remove_group(&pdev->dev.kobj, &vi_attr_group);
		set_dma_ops(&pdev->dev, NULL);
		vi_alloc_destroy(vi);
		pci_set_drvdata(pdev, NULL);
		put_device(&vi->vdev.dev);	/* frees vi */
		return ret;
	}
	dev_info(&pdev->dev, "%s: device id %u, window %zu KiB, peer %u -> server %u, %u vectors\n",
		 dev_name(&vi->vdev.dev), vi->vdev.id.device, vi->win_size >> 10, vi->own_id,
		 vi->server_id, vi->hdr_vectors);
	return 0;

err_free:
	kfree(vi);
	return ret;
}

static void vi_remove(struct pci_dev *pdev)
{
	struct vi_dev *vi = pci_get_drvdata(pdev);

	sysfs_remove_group(&pdev->dev.kobj, &vi_attr_group);
	get_device(&vi->vdev.dev);
	/* The watchdog keeps running: a server dying now must not hang removal. */
	unregister_virtio_device(&vi->vdev);
	cancel_delayed_work_sync(&vi->watchdog);
	cancel_work_sync(&vi->stub_work);
	vi_alloc_destroy(vi);
	set_dma_ops(&pdev->dev, NULL);
	pci_clear_master(pdev);
	pci_set_drvdata(pdev, NULL);
	put_device(&vi->vdev.dev);
}

static const struct pci_device_id vi_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vi_ids);

static struct pci_driver vi_driver = {
	.name = VI_NAME,
	.id_table = vi_ids,
	.probe = vi_probe,
	.remove = vi_remove,
};
module_pci_driver(vi_driver);

MODULE_DESCRIPTION("virtio transport over ivshmem-doorbell shared memory");
MODULE_LICENSE("GPL");
