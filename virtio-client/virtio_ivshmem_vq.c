// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: virtqueues, kicks, interrupts and the dead-server stub.
 *
 * Rings are created by the virtio core with vring_create_virtqueue(); with
 * ACCESS_PLATFORM negotiated their memory comes from our DMA ops, i.e. from
 * the window, and their DMA addresses are window offsets, which is exactly
 * what the queue table wants.  Kicks are doorbell writes to the server's
 * peer id; MSI-X vector v raises vring_interrupt() for every queue mapped
 * to it (vector 0 also carries handshake acks and config changes).
 *
 * When the server is declared dead, 6.1's virtio_blk would wait forever for
 * outstanding requests (it has no timeout handler, and a broken virtqueue
 * never completes anything).  So the transport itself plays the device: it
 * returns every outstanding chain in the used ring with length 0.  Device-
 * writable bounce buffers are pre-filled at map time with the word -EIO
 * (virtio_ivshmem_dma.c), so virtio_blk reads a failed status byte and
 * virtio_fs a FUSE error of -EIO: the request fails with an I/O error.
 */
#include <linux/interrupt.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/slab.h>

#include "virtio_ivshmem_dev.h"

/*
 * Account ring entries published since the last look; track_lock held.
 * A jump of either index beyond the ring size cannot be real (a scribbled
 * avail idx is rewritten by the driver's next add): that look is skipped.
 * A completion whose publication was never seen is not counted below zero.
 */
static void vi_track_locked(struct vi_vq *vvq)
{
	const struct vring *vr = virtqueue_get_vring(vvq->vq);
	struct virtio_device *vdev = vvq->vq->vdev;
	u16 mask = vvq->num - 1, idx, h;
	u32 id;

	idx = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));
	virt_rmb();	/* the driver wrote the entries before the index */
	if ((u16)(idx - vvq->seen_avail) <= vvq->num) {
		for (; vvq->seen_avail != idx; vvq->seen_avail++) {
			__virtio16 raw = READ_ONCE(vr->avail->ring[vvq->seen_avail & mask]);

			h = virtio16_to_cpu(vdev, raw);
			if (h < vvq->num)
				vvq->pending[h]++;
		}
	}

	idx = virtio16_to_cpu(vdev, READ_ONCE(vr->used->idx));
	virt_rmb();	/* the device wrote the elements before the index */
	if ((u16)(idx - vvq->seen_used) > vvq->num)
		return;
	for (; vvq->seen_used != idx; vvq->seen_used++) {
		const struct vring_used_elem *e = &vr->used->ring[vvq->seen_used & mask];

		id = virtio32_to_cpu(vdev, READ_ONCE(e->id));
		if (id < vvq->num && vvq->pending[id] > 0)
			vvq->pending[id]--;
		/* what the device wrote, for the unmap's copy back */
		vi_ledger_chain(to_vi(vdev), vr, vvq->num, id,
				virtio32_to_cpu(vdev, READ_ONCE(e->len)));
	}
}

/*
 * Has either ring index moved past what was accounted?  Lockless: the seen_*
 * counters only move forward, each entry accounted before the counter moves
 * past it, so equality means nothing is left to look at.  The DMA paths call
 * this for every page they map or unmap, from both vCPUs, while a request
 * adds only one avail entry: without this check they all took track_lock.
 */
static bool vi_track_due(struct vi_vq *vvq)
{
	const struct vring *vr = virtqueue_get_vring(vvq->vq);
	struct virtio_device *vdev = vvq->vq->vdev;

	return virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx)) != data_race(vvq->seen_avail) ||
	       virtio16_to_cpu(vdev, READ_ONCE(vr->used->idx)) != data_race(vvq->seen_used);
}

static void vi_track_vq(struct vi_vq *vvq)
{
	unsigned long flags;

	if (!vi_track_due(vvq))
		return;
	spin_lock_irqsave(&vvq->track_lock, flags);
	vi_track_locked(vvq);
	spin_unlock_irqrestore(&vvq->track_lock, flags);
}

static bool vi_notify(struct virtqueue *vq)
{
	struct vi_dev *vi = to_vi(vq->vdev);
	struct vi_vq *vvq = vq->priv;

	if (vi_is_dead(vi)) {
		schedule_work(&vi->stub_work);
		return true;
	}
	/* The driver just published: account it before the window can change. */
	vi_track_vq(vvq);
	atomic64_inc(&vi->stat_kicks);
	vi_ring_doorbell(vi, vvq->doorbell);
	return true;
}

/**
 * vi_track_all() - account newly published ring entries of every queue
 * @vi: the device
 *
 * Called from the DMA map/unmap paths (any context) and the watchdog.
 */
void vi_track_all(struct vi_dev *vi)
{
	unsigned int i;

	if (!READ_ONCE(vi->vqs_ready) || vi_is_dead(vi))
		return;
	for (i = 0; i < vi->nvqs; i++)
		if (vi->vqs[i].vq)
			vi_track_vq(&vi->vqs[i]);
}

/**
 * vi_track_sync() - account every queue under its lock, dead server or not
 * @vi: the device
 *
 * The slow path of the ledger (virtio_ivshmem_dma.c): an unmap that finds no
 * record for its block takes each queue's lock, so a record another CPU is
 * writing is complete, and a used entry nobody has looked at yet is seen.
 */
void vi_track_sync(struct vi_dev *vi)
{
	unsigned long flags;
	unsigned int i;

	if (!READ_ONCE(vi->vqs_ready))
		return;
	for (i = 0; i < vi->nvqs; i++) {
		struct vi_vq *vvq = &vi->vqs[i];

		if (!vvq->vq)
			continue;
		spin_lock_irqsave(&vvq->track_lock, flags);
		vi_track_locked(vvq);
		spin_unlock_irqrestore(&vvq->track_lock, flags);
	}
}

/**
 * vi_io_outstanding() - does any queue hold chains the host has not returned?
 * @vi: the device
 *
 * A hint for the heartbeat watchdog (reads host-writable ring indices).
 *
 * Return: true if some queue's avail and used indices differ.
 */
bool vi_io_outstanding(struct vi_dev *vi)
{
	unsigned int i;

	if (!READ_ONCE(vi->vqs_ready))
		return false;
	for (i = 0; i < vi->nvqs; i++) {
		const struct vring *vr;

		if (!vi->vqs[i].vq)
			continue;
		vr = virtqueue_get_vring(vi->vqs[i].vq);
		if (READ_ONCE(vr->avail->idx) != READ_ONCE(vr->used->idx))
			return true;
	}
	return false;
}

/* Return one chain to the driver with length 0; track_lock held. */
static void vi_stub_push(struct vi_vq *vvq, const struct vring *vr, u16 *uidx, u16 head)
{
	struct vring_used_elem *e = &vr->used->ring[*uidx & (vvq->num - 1)];

	WRITE_ONCE(e->id, cpu_to_virtio32(vvq->vq->vdev, head));
	WRITE_ONCE(e->len, 0);
	(*uidx)++;
}

/**
 * vi_stub_queue() - fail every outstanding chain of one queue
 * @vi: the device (declared dead)
 * @vvq: the queue
 *
 * Return: the number of chains returned.
 */
static unsigned int vi_stub_queue(struct vi_dev *vi, struct vi_vq *vvq)
{
	const struct vring *vr = virtqueue_get_vring(vvq->vq);
	struct virtio_device *vdev = &vi->vdev;
	unsigned int done = 0, h;
	unsigned long flags;
	u16 uidx;

	spin_lock_irqsave(&vvq->track_lock, flags);
	vi_track_locked(vvq);
	uidx = virtio16_to_cpu(vdev, READ_ONCE(vr->used->idx));
	for (h = 0; h < vvq->num; h++) {
		for (; vvq->pending[h] > 0 && done < vvq->num; vvq->pending[h]--, done++)
			vi_stub_push(vvq, vr, &uidx, h);
	}
	if (done) {
		/* Elements before the index, as a device publishes them. */
		smp_store_release(&vr->used->idx, cpu_to_virtio16(vdev, uidx));
		vvq->seen_used = uidx;
	}
	/*
	 * The dead server may have left notifications suppressed (NO_NOTIFY,
	 * or an old avail_event with EVENT_IDX): ask for a kick on the next
	 * request, so it fails at once rather than at the next watchdog tick.
	 */
	WRITE_ONCE(vr->used->flags, 0);
	WRITE_ONCE(vring_avail_event(vr), READ_ONCE(vr->avail->idx));
	spin_unlock_irqrestore(&vvq->track_lock, flags);
	return done;
}

/**
 * vi_stub_work() - the dead-server stub device
 * @work: vi_dev.stub_work
 *
 * Runs after the server was declared dead, on every kick and watchdog tick:
 * completes all outstanding chains (as errors, see the file comment) and
 * delivers them through vring_interrupt() like a real interrupt would.
 */
void vi_stub_work(struct work_struct *work)
{
	struct vi_dev *vi = container_of(work, struct vi_dev, stub_work);
	unsigned int i, n;

	if (!READ_ONCE(vi->vqs_ready) || !vi_is_dead(vi))
		return;
	for (i = 0; i < vi->nvqs; i++) {
		struct vi_vq *vvq = &vi->vqs[i];

		if (!vvq->vq)
			continue;
		n = vi_stub_queue(vi, vvq);
		if (n) {
			atomic64_add(n, &vi->stat_stub_failed);
			local_irq_disable();
			vring_interrupt(0, vvq->vq);
			local_irq_enable();
		}
	}
}

static irqreturn_t vi_vector_irq(int irq, void *data)
{
	struct vi_vec *vec = data;
	struct vi_dev *vi = vec->vi;
	irqreturn_t ret = IRQ_NONE;
	unsigned int i;

	if (vec->v == IVV_VECTOR_CONFIG) {
		vi_config_interrupt(vi);
		ret = IRQ_HANDLED;
	}
	if (!READ_ONCE(vi->vqs_ready))
		return ret;
	for (i = 0; i < vi->nvqs; i++) {
		struct vi_vq *vvq = &vi->vqs[i];

		if (vvq->vq && vvq->msix == vec->v && vring_interrupt(irq, vvq->vq) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	}
	return ret;
}

static void vi_free_vectors(struct vi_dev *vi)
{
	unsigned int v;

	for (v = 0; v < vi->nvec; v++)
		if (vi->vecs[v].requested)
			free_irq(pci_irq_vector(vi->pdev, v), &vi->vecs[v]);
	if (vi->nvec)
		pci_free_irq_vectors(vi->pdev);
	kfree(vi->vecs);
	vi->vecs = NULL;
	vi->nvec = 0;
}

/*
 * MSI-X: one vector for config plus one per queue, or fewer shared ones
 * (IVV_QUEUE_VECTOR() spreads queues over vectors 1..nvec-1, or all on 0).
 */
static int vi_setup_vectors(struct vi_dev *vi, unsigned int nqueues)
{
	unsigned int v;
	int n, ret;

	n = pci_alloc_irq_vectors(vi->pdev, 1, nqueues + 1, PCI_IRQ_MSIX);
	if (n < 0) {
		dev_err(&vi->pdev->dev, "no MSI-X vectors (%d); vectors=N missing on the device?\n",
			n);
		return n;
	}
	vi->nvec = n;
	vi->vecs = kcalloc(n, sizeof(*vi->vecs), GFP_KERNEL);
	if (!vi->vecs) {
		ret = -ENOMEM;
		goto err;
	}
	for (v = 0; v < vi->nvec; v++) {
		struct vi_vec *vec = &vi->vecs[v];

		vec->vi = vi;
		vec->v = v;
		snprintf(vec->name, sizeof(vec->name), "%s-%s-%u", VI_NAME,
			 dev_name(&vi->vdev.dev), v);
		ret = request_irq(pci_irq_vector(vi->pdev, v), vi_vector_irq, 0, vec->name, vec);
		if (ret)
			goto err;
		vec->requested = true;
	}
	if (n < nqueues + 1)
		dev_info(&vi->pdev->dev, "%u MSI-X vectors for %u queues: sharing\n", n, nqueues);
	return 0;
err:
	vi_free_vectors(vi);
	return ret;
}

/* Queue size: the host's max (validated), capped at VI_MAX_QUEUE_SIZE. */
static int vi_queue_max(struct vi_dev *vi, unsigned int index)
{
	unsigned int max = le16_to_cpu(READ_ONCE(vi->hdr->queues[index].max_size));

	if (!max || !is_power_of_2(max)) {
		dev_err(&vi->pdev->dev, "queue %u: bad max_size %u from host\n", index, max);
		return -EINVAL;
	}
	return min(max, VI_MAX_QUEUE_SIZE);
}

static int vi_setup_vq(struct vi_dev *vi, struct vi_vq *vvq, unsigned int index,
		       vq_callback_t *callback, const char *name, bool ctx)
{
	struct ivv_queue *q = &vi->hdr->queues[index];
	struct virtqueue *vq;
	int max, ret;

	max = vi_queue_max(vi, index);
	if (max < 0)
		return max;
	vq = vring_create_virtqueue(index, max, SMP_CACHE_BYTES, &vi->vdev, true, true, ctx,
				    vi_notify, callback, name);
	if (!vq)
		return -ENOMEM;
	vvq->vq = vq;
	vvq->index = index;
	vvq->num = virtqueue_get_vring_size(vq);
	vvq->doorbell = IVV_QUEUE_VECTOR(index, vi->hdr_vectors);
	vvq->msix = callback ? IVV_QUEUE_VECTOR(index, vi->nvec) : IVV_NO_VECTOR;
	spin_lock_init(&vvq->track_lock);
	vvq->pending = kcalloc(vvq->num, sizeof(*vvq->pending), GFP_KERNEL);
	if (!vvq->pending)
		return -ENOMEM;
	vq->priv = vvq;

	WRITE_ONCE(q->size, cpu_to_le16(vvq->num));
	WRITE_ONCE(q->msix_vector, cpu_to_le16(vvq->msix));
	WRITE_ONCE(q->desc, cpu_to_le64(virtqueue_get_desc_addr(vq)));
	WRITE_ONCE(q->driver, cpu_to_le64(virtqueue_get_avail_addr(vq)));
	WRITE_ONCE(q->device, cpu_to_le64(virtqueue_get_used_addr(vq)));
	ret = vi_handshake(vi, IVV_OP_QUEUE_ENABLE, index, 0);
	if (ret)
		return ret;
	if (le16_to_cpu(READ_ONCE(q->enabled)) != 1) {
		dev_err(&vi->pdev->dev, "queue %u: host did not enable it\n", index);
		return -EIO;
	}
	return 0;
}

/**
 * vi_del_vqs() - virtio_config_ops.del_vqs: tear down queues and vectors
 * @vdev: the virtio device (already reset)
 */
void vi_del_vqs(struct virtio_device *vdev)
{
	struct vi_dev *vi = to_vi(vdev);
	unsigned int i;

	mutex_lock(&vi->vqs_lock);
	WRITE_ONCE(vi->vqs_ready, false);
	cancel_work_sync(&vi->stub_work);
	vi_free_vectors(vi);
	for (i = 0; vi->vqs && i < vi->nvqs; i++) {
		if (vi->vqs[i].vq)
			vring_del_virtqueue(vi->vqs[i].vq);
		kfree(vi->vqs[i].pending);
	}
	kfree(vi->vqs);
	vi->vqs = NULL;
	vi->nvqs = 0;
	mutex_unlock(&vi->vqs_lock);
}

/**
 * vi_find_vqs() - virtio_config_ops.find_vqs
 * @vdev: the virtio device
 * @nvqs: entries in the arrays; a NULL name skips the entry
 * @vqs: output
 * @callbacks: per-queue callbacks (NULL: no interrupts wanted)
 * @names: per-queue names
 * @ctx: per-queue "context" flags, may be NULL
 * @desc: affinity hints (unused: vectors are few and shared)
 *
 * Sets up MSI-X vectors, creates each ring in the window, publishes its
 * geometry in the queue table and has the host enable it.
 *
 * Return: 0 or a negative errno (everything undone).
 */
int vi_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		vq_callback_t *callbacks[], const char * const names[], const bool *ctx,
		struct irq_affinity *desc)
{
	struct vi_dev *vi = to_vi(vdev);
	unsigned int i, queues = 0;
	int ret;

	for (i = 0; i < nvqs; i++)
		if (names[i])
			queues++;
	if (queues > vi->num_queues) {
		dev_err(&vi->pdev->dev, "driver wants %u queues, device has %u\n", queues,
			vi->num_queues);
		return -ENOENT;
	}
	vi->vqs = kcalloc(queues, sizeof(*vi->vqs), GFP_KERNEL);
	if (!vi->vqs)
		return -ENOMEM;
	vi->nvqs = queues;

	ret = vi_setup_vectors(vi, queues);
	if (ret)
		goto err;
	WRITE_ONCE(vi->hdr->config_msix_vector, cpu_to_le16(IVV_VECTOR_CONFIG));
	ret = vi_handshake(vi, IVV_OP_SET_CONFIG_VECTOR, 0, IVV_VECTOR_CONFIG);
	if (ret)
		goto err;

	queues = 0;
	for (i = 0; i < nvqs; i++) {
		vqs[i] = NULL;
		if (!names[i])
			continue;
		ret = vi_setup_vq(vi, &vi->vqs[queues], queues, callbacks[i], names[i],
				  ctx ? ctx[i] : false);
		if (ret)
			goto err;
		vqs[i] = vi->vqs[queues].vq;
		queues++;
	}
	WRITE_ONCE(vi->vqs_ready, true);
	return 0;
err:
	dev_err(&vi->pdev->dev, "virtqueue setup failed: %d\n", ret);
	vi_del_vqs(vdev);
	return ret;
}

/**
 * vi_synchronize_cbs() - wait for running interrupt handlers and stub passes
 * @vdev: the virtio device
 */
void vi_synchronize_cbs(struct virtio_device *vdev)
{
	struct vi_dev *vi = to_vi(vdev);
	unsigned int v;

	for (v = 0; v < vi->nvec; v++)
		synchronize_irq(pci_irq_vector(vi->pdev, v));
	flush_work(&vi->stub_work);
}
