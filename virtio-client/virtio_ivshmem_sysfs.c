// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: read-only sysfs attributes on the PCI device
 * (/sys/bus/pci/devices/<bdf>/virtio_ivshmem/...).
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/genalloc.h>

#include "virtio_ivshmem_dev.h"

static struct vi_dev *vi_from_dev(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

#define VI_ATTR(_name, _fmt, _expr)						\
static ssize_t _name##_show(struct device *dev, struct device_attribute *attr,	\
			    char *buf)						\
{										\
	struct vi_dev *vi = vi_from_dev(dev);					\
										\
	return sysfs_emit(buf, _fmt "\n", _expr);				\
}										\
static DEVICE_ATTR_RO(_name)

VI_ATTR(virtio_device, "%s", dev_name(&vi->vdev.dev));
VI_ATTR(device_id, "%u", vi->vdev.id.device);
VI_ATTR(peer_id, "%u", vi->own_id);
VI_ATTR(server_peer_id, "%u", vi->server_id);
VI_ATTR(window_bytes, "%zu", vi->win_size);
VI_ATTR(pool_bytes, "%zu", vi->pool_size);
VI_ATTR(pool_used_bytes, "%lld", (long long)atomic64_read(&vi->stat_bytes_used));
VI_ATTR(max_mapping_bytes, "%zu", vi->max_map);
VI_ATTR(msix_vectors, "%u", vi->nvec);
VI_ATTR(bounce_maps, "%lld", (long long)atomic64_read(&vi->stat_maps));
VI_ATTR(map_failures, "%lld", (long long)atomic64_read(&vi->stat_alloc_fail));
VI_ATTR(kicks, "%lld", (long long)atomic64_read(&vi->stat_kicks));
VI_ATTR(stub_failed_requests, "%lld", (long long)atomic64_read(&vi->stat_stub_failed));
VI_ATTR(state, "%s", vi_dead_name(READ_ONCE(vi->dead)));
VI_ATTR(unfilled_maps, "%lld", (long long)atomic64_read(&vi->stat_unfilled));
VI_ATTR(unreported_blocks, "%lld", (long long)atomic64_read(&vi->stat_unreported));

static struct attribute *vi_attrs[] = {
	&dev_attr_virtio_device.attr,
	&dev_attr_device_id.attr,
	&dev_attr_peer_id.attr,
	&dev_attr_server_peer_id.attr,
	&dev_attr_window_bytes.attr,
	&dev_attr_pool_bytes.attr,
	&dev_attr_pool_used_bytes.attr,
	&dev_attr_max_mapping_bytes.attr,
	&dev_attr_msix_vectors.attr,
	&dev_attr_bounce_maps.attr,
	&dev_attr_map_failures.attr,
	&dev_attr_kicks.attr,
	&dev_attr_stub_failed_requests.attr,
	&dev_attr_state.attr,
	&dev_attr_unfilled_maps.attr,
	&dev_attr_unreported_blocks.attr,
	NULL,
};

const struct attribute_group vi_attr_group = {
	.name = "virtio_ivshmem",
	.attrs = vi_attrs,
};
