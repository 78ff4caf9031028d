// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: a virtio transport over QEMU's ivshmem-doorbell device.
 * (Scaffolding: registers the PCI driver only; binds to nothing yet.)
 */
#include <linux/module.h>
#include <linux/pci.h>

static int vi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	return -ENODEV;
}

static void vi_remove(struct pci_dev *pdev)
{
}

static const struct pci_device_id vi_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vi_ids);

static struct pci_driver vi_driver = {
	.name = "virtio-ivshmem",
	.id_table = vi_ids,
	.probe = vi_probe,
	.remove = vi_remove,
};
module_pci_driver(vi_driver);

MODULE_DESCRIPTION("virtio transport over ivshmem-doorbell shared memory");
MODULE_LICENSE("GPL");
