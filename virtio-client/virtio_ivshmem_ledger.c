// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: the used-length ledger (virtio-fs only).
 *
 * A device-writable bounce block used to be filled at map time (so that
 * neither stale window bytes nor a never-written buffer could reach guest
 * memory) and copied back whole at unmap time.  For a 1 MiB FUSE read that
 * is a 1 MiB fill of window memory per request on top of the copy back.
 *
 * For virtio-fs the transport skips the fill and copies back only what the
 * device reported writing: the used ring says, per chain, how many bytes the
 * device wrote, and ivshmd's fs backend writes its reply contiguously from
 * the first writable byte (out header + payload = used length).  Whenever
 * the transport notices new used entries (vi_track_locked(), on every DMA
 * map and unmap, kick and stub pass -- so always before the virtio core
 * unmaps the chain), it walks each completed chain's device-writable
 * descriptors in order, including indirect tables, and records for the
 * bounce block each descriptor names how many of its bytes the used length
 * covers.  At unmap time (virtio_ivshmem_dma.c):
 *
 *  - a block with a non-zero record gets exactly that many bytes copied
 *    back; the rest of the guest buffer keeps the guest's own bytes;
 *  - a block without one (the device reported nothing for it: stub
 *    completions of a dead server, chains torn down unused, a short reply)
 *    gets the failed-completion fill written into guest memory, as before.
 *
 * So the guest only ever receives bytes the device claimed to write, never
 * stale window contents of another request.  The records are guest-private;
 * a host that lies in the used ring or rewrites descriptors can only make
 * the guest copy window bytes it could have written into the buffer anyway.
 *
 * virtio-blk keeps the fill at map time and the full copy back: its status
 * byte is the last writable byte, which a used length counted from the
 * start does not describe when a request fails early.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "virtio_ivshmem_dev.h"

/* Record that @w bytes of the block at window offset @addr were written. */
static void vi_ledger_block(struct vi_dev *vi, u64 addr, u32 len, u32 *left)
{
	u32 w = min(len, *left);
	size_t g;

	*left -= w;
	if (!w || !vi_pool_range_ok(vi, addr, len) || addr & (VI_GRANULE - 1))
		return;
	g = (addr - vi->pool_start) >> VI_GRANULE_SHIFT;
	/* only live device-writable blocks are recorded (and cleared at unmap) */
	if (vi->orig[g] && vi->wlen[g] == VI_WLEN_PENDING)
		WRITE_ONCE(vi->wlen[g], w | VI_WLEN_VALID);
}

/* Walk an indirect table (a bounce block in the window) in chain order. */
static void vi_ledger_table(struct vi_dev *vi, u64 addr, u32 len, u32 *left)
{
	const struct vring_desc *t;
	unsigned int n = len / sizeof(*t), i = 0, steps;

	if (!n || len % sizeof(*t) || n > VI_STUB_MAX_CHAIN || !vi_pool_range_ok(vi, addr, len))
		return;
	t = vi->win + addr;
	for (steps = 0; steps < n && *left; steps++) {
		u16 flags = virtio16_to_cpu(&vi->vdev, READ_ONCE(t[i].flags));

		if (flags & VRING_DESC_F_WRITE)
			vi_ledger_block(vi, virtio64_to_cpu(&vi->vdev, READ_ONCE(t[i].addr)),
					virtio32_to_cpu(&vi->vdev, READ_ONCE(t[i].len)), left);
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = virtio16_to_cpu(&vi->vdev, READ_ONCE(t[i].next));
		if (i >= n)
			break;
	}
}

/**
 * vi_ledger_chain() - record what the device wrote into one completed chain
 * @vi: the device
 * @vr: the chain's ring
 * @num: ring size
 * @head: the used element's id
 * @len: the used element's length
 *
 * Called with the queue's track_lock held, before the virtio core unmaps the
 * chain.  Everything read from the window is bounds-checked.
 */
void vi_ledger_chain(struct vi_dev *vi, const struct vring *vr, u16 num, u32 head, u32 len)
{
	unsigned int steps;
	u32 left = len;
	u16 i;

	if (!vi->lazy_fill || head >= num || !len)
		return;
	i = head;
	for (steps = 0; steps < num && left; steps++) {
		u16 flags = virtio16_to_cpu(&vi->vdev, READ_ONCE(vr->desc[i].flags));
		u64 addr = virtio64_to_cpu(&vi->vdev, READ_ONCE(vr->desc[i].addr));
		u32 dlen = virtio32_to_cpu(&vi->vdev, READ_ONCE(vr->desc[i].len));

		if (flags & VRING_DESC_F_INDIRECT)
			vi_ledger_table(vi, addr, dlen, &left);
		else if (flags & VRING_DESC_F_WRITE)
			vi_ledger_block(vi, addr, dlen, &left);
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = virtio16_to_cpu(&vi->vdev, READ_ONCE(vr->desc[i].next));
		if (i >= num)
			break;
	}
}
