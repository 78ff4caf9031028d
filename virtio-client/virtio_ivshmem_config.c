// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ivshmem: virtio_config_ops over the window header, the register
 * handshake with the host, and the server liveness watchdog.
 *
 * Everything read from the header is host-written and checked before use:
 * config reads are bounds-checked against the validated config size, the
 * status the host publishes is masked to 8 bits, and a host that stops
 * answering is declared dead instead of being waited for.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "virtio_ivshmem_dev.h"

static unsigned int ack_timeout_ms = IVV_ACK_TIMEOUT_MS;
module_param(ack_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ack_timeout_ms, "Handshake ack timeout (ms): then the server is declared dead");

static unsigned int dead_ms = IVV_HOST_DEAD_MS;
module_param(dead_ms, uint, 0644);
MODULE_PARM_DESC(dead_ms, "Heartbeat silence (ms) with I/O outstanding: server declared dead");

#define VI_WATCHDOG_MS	(5 * IVV_HEARTBEAT_MS)

static const char * const vi_dead_names[] = {
	[VI_ALIVE] = "alive",
	[VI_DEAD_ACK_TIMEOUT] = "handshake acknowledgement timed out",
	[VI_DEAD_HEARTBEAT] = "heartbeat stopped with I/O outstanding",
	[VI_DEAD_HOST_GONE] = "server shut down",
	[VI_DEAD_NEEDS_RESET] = "device needs reset (host reported broken)",
};

const char *vi_dead_name(int why)
{
	if (why < 0 || why >= ARRAY_SIZE(vi_dead_names))
		return "?";
	return vi_dead_names[why];
}

bool vi_is_dead(struct vi_dev *vi)
{
	return READ_ONCE(vi->dead) != VI_ALIVE;
}

/**
 * vi_declare_dead() - stop talking to the server, fail all I/O from now on
 * @vi: the device
 * @why: the reason (first reason wins)
 *
 * From here on handshakes fail at once and the dead-server stub
 * (virtio_ivshmem_vq.c) completes every outstanding and new request with an
 * error.  Safe in any context.
 */
void vi_declare_dead(struct vi_dev *vi, enum vi_dead_reason why)
{
	unsigned long flags;

	spin_lock_irqsave(&vi->dead_lock, flags);
	if (vi_is_dead(vi)) {
		spin_unlock_irqrestore(&vi->dead_lock, flags);
		return;
	}
	/* From now on the guest keeps the status itself (reset must read 0). */
	vi->dead_status = (le32_to_cpu(READ_ONCE(vi->hdr->device_status)) & 0xff) |
			  VIRTIO_CONFIG_S_NEEDS_RESET;
	smp_wmb();	/* dead_status before dead, see vi_get_status() */
	WRITE_ONCE(vi->dead, why);
	spin_unlock_irqrestore(&vi->dead_lock, flags);

	dev_err(&vi->pdev->dev, "server unusable: %s (broken_reason %u); failing all I/O\n",
		vi_dead_name(why), le32_to_cpu(READ_ONCE(vi->hdr->broken_reason)));
	wake_up_all(&vi->hs_wait);
	schedule_work(&vi->stub_work);
}

void vi_ring_doorbell(struct vi_dev *vi, u16 vector)
{
	writel(IVV_DOORBELL_VALUE(vi->server_id, vector), vi->regs + IVV_BAR0_DOORBELL);
}

static bool vi_acked(struct vi_dev *vi, u32 seq)
{
	return le32_to_cpu(READ_ONCE(vi->hdr->ack_seq)) == seq || vi_is_dead(vi);
}

/**
 * vi_handshake() - send one register-write request and wait for its ack
 * @vi: the device
 * @op: enum ivv_op
 * @arg: req_arg (queue index)
 * @val: req_val (status, vector)
 *
 * The guest fields the request refers to must already be written.  Sleeps;
 * waits at most ack_timeout_ms, polling as well as waiting for the config
 * interrupt (so a lost interrupt costs latency, not correctness).
 *
 * Return: 0 when the host accepted the request, -EIO when it refused it
 * (ack_result logged) or the server is dead.
 */
int vi_handshake(struct vi_dev *vi, u32 op, u32 arg, u32 val)
{
	struct ivv_header *h = vi->hdr;
	unsigned long deadline;
	u32 seq, result;
	int ret = 0;

	mutex_lock(&vi->hs_lock);
	if (vi_is_dead(vi)) {
		ret = -EIO;
		goto out;
	}
	WRITE_ONCE(h->req_op, cpu_to_le32(op));
	WRITE_ONCE(h->req_arg, cpu_to_le32(arg));
	WRITE_ONCE(h->req_val, cpu_to_le32(val));
	seq = ++vi->hs_seq;
	/* Request fields (and the registers it refers to) before the sequence. */
	smp_store_release(&h->req_seq, cpu_to_le32(seq));
	vi_ring_doorbell(vi, IVV_VECTOR_CONFIG);

	deadline = jiffies + msecs_to_jiffies(READ_ONCE(ack_timeout_ms));
	while (!vi_acked(vi, seq)) {
		if (time_after(jiffies, deadline)) {
			vi_declare_dead(vi, VI_DEAD_ACK_TIMEOUT);
			break;
		}
		wait_event_timeout(vi->hs_wait, vi_acked(vi, seq), 1);
	}
	if (vi_is_dead(vi)) {
		ret = -EIO;
		goto out;
	}
	smp_rmb();	/* ack_seq before ack_result and what the request published */
	result = le32_to_cpu(READ_ONCE(h->ack_result));
	if (result != IVV_ACK_OK && result != IVV_ACK_FEATURES) {
		dev_err_ratelimited(&vi->pdev->dev,
				    "host refused op %u arg %u val %#x: result %u\n",
				    op, arg, val, result);
		if (result == IVV_ACK_BROKEN)
			vi_declare_dead(vi, VI_DEAD_NEEDS_RESET);
		ret = -EIO;
	}
out:
	mutex_unlock(&vi->hs_lock);
	return ret;
}

static void vi_get(struct virtio_device *vdev, unsigned int offset, void *buf, unsigned int len)
{
	struct vi_dev *vi = to_vi(vdev);

	if (offset > vi->config_size || len > vi->config_size - offset) {
		dev_err_ratelimited(&vi->pdev->dev, "config read %u+%u beyond %u bytes\n",
				    offset, len, vi->config_size);
		memset(buf, 0, len);
		return;
	}
	memcpy(buf, vi->hdr->config + offset, len);
}

static void vi_set(struct virtio_device *vdev, unsigned int offset, const void *buf,
		   unsigned int len)
{
	struct vi_dev *vi = to_vi(vdev);

	if (offset > vi->config_size || len > vi->config_size - offset) {
		dev_err_ratelimited(&vi->pdev->dev, "config write %u+%u beyond %u bytes\n",
				    offset, len, vi->config_size);
		return;
	}
	memcpy(vi->hdr->config + offset, buf, len);
}

static u32 vi_generation(struct virtio_device *vdev)
{
	return le32_to_cpu(READ_ONCE(to_vi(vdev)->hdr->config_generation));
}

static u8 vi_get_status(struct virtio_device *vdev)
{
	struct vi_dev *vi = to_vi(vdev);

	if (vi_is_dead(vi)) {
		smp_rmb();	/* pairs with vi_declare_dead(): dead before dead_status */
		return READ_ONCE(vi->dead_status);
	}
	return le32_to_cpu(READ_ONCE(vi->hdr->device_status)) & 0xff;
}

static void vi_set_status(struct virtio_device *vdev, u8 status)
{
	struct vi_dev *vi = to_vi(vdev);

	if (vi_handshake(vi, IVV_OP_SET_STATUS, 0, status) && vi_is_dead(vi))
		WRITE_ONCE(vi->dead_status, status);
}

static void vi_reset(struct virtio_device *vdev)
{
	struct vi_dev *vi = to_vi(vdev);

	/*
	 * The ack means the host stopped its queues and will not touch the
	 * rings again; a dead server cannot be asked, so there is nothing to
	 * wait for.
	 */
	if (vi_handshake(vi, IVV_OP_SET_STATUS, 0, 0) && vi_is_dead(vi))
		WRITE_ONCE(vi->dead_status, 0);
	vi_synchronize_cbs(vdev);
}

static u64 vi_get_features(struct virtio_device *vdev)
{
	return le64_to_cpu(READ_ONCE(to_vi(vdev)->hdr->device_features));
}

/* Transport feature bits this transport implements. */
static bool vi_transport_bit_ok(unsigned int bit)
{
	return bit == VIRTIO_RING_F_INDIRECT_DESC || bit == VIRTIO_RING_F_EVENT_IDX ||
	       bit == VIRTIO_F_VERSION_1 || bit == VIRTIO_F_ACCESS_PLATFORM;
}

static int vi_finalize_features(struct virtio_device *vdev)
{
	struct vi_dev *vi = to_vi(vdev);
	unsigned int bit;

	vring_transport_features(vdev);
	/* Split rings only, no notification data, no per-queue reset. */
	for (bit = VIRTIO_TRANSPORT_F_START; bit < VIRTIO_TRANSPORT_F_END; bit++)
		if (!vi_transport_bit_ok(bit))
			__virtio_clear_bit(vdev, bit);

	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1) ||
	    !__virtio_test_bit(vdev, VIRTIO_F_ACCESS_PLATFORM)) {
		dev_err(&vi->pdev->dev,
			"host must offer VERSION_1 and ACCESS_PLATFORM (features %#llx)\n",
			vi_get_features(vdev));
		return -EINVAL;
	}
	WRITE_ONCE(vi->hdr->driver_features, cpu_to_le64(vdev->features));
	return 0;
}

static const char *vi_bus_name(struct virtio_device *vdev)
{
	return pci_name(to_vi(vdev)->pdev);
}

/*
 * The window's tail, when the host reserved one (ivv_header.shm_*): for
 * virtio-fs the DAX cache, which virtio_fs maps itself (devm_memremap_pages()
 * on these physical addresses).  The driver's own mapping of the window
 * covers it too but never touches it: rings and bounce buffers stay below.
 */
static bool vi_get_shm_region(struct virtio_device *vdev, struct virtio_shm_region *region,
			      u8 id)
{
	struct vi_dev *vi = to_vi(vdev);

	if (!vi->shm_len || id != vi->shm_id)
		return false;
	region->addr = pci_resource_start(vi->pdev, 2) + vi->shm_offset;
	region->len = vi->shm_len;
	return true;
}

const struct virtio_config_ops vi_config_ops = {
	.get = vi_get,
	.set = vi_set,
	.generation = vi_generation,
	.get_status = vi_get_status,
	.set_status = vi_set_status,
	.reset = vi_reset,
	.find_vqs = vi_find_vqs,
	.del_vqs = vi_del_vqs,
	.synchronize_cbs = vi_synchronize_cbs,
	.get_features = vi_get_features,
	.finalize_features = vi_finalize_features,
	.bus_name = vi_bus_name,
	.get_shm_region = vi_get_shm_region,
};

/* Host-side conditions that end the conversation, checked on irq and tick. */
static void vi_check_host(struct vi_dev *vi)
{
	if (le32_to_cpu(READ_ONCE(vi->hdr->host_state)) == IVV_HOST_GONE)
		vi_declare_dead(vi, VI_DEAD_HOST_GONE);
	else if (le32_to_cpu(READ_ONCE(vi->hdr->device_status)) & VIRTIO_CONFIG_S_NEEDS_RESET)
		vi_declare_dead(vi, VI_DEAD_NEEDS_RESET);
}

/**
 * vi_config_interrupt() - vector 0: handshake ack or configuration change
 * @vi: the device
 *
 * Called from hard-irq context.
 */
void vi_config_interrupt(struct vi_dev *vi)
{
	u32 gen = le32_to_cpu(READ_ONCE(vi->hdr->config_generation));

	wake_up_all(&vi->hs_wait);
	vi_check_host(vi);
	if (gen != READ_ONCE(vi->last_generation)) {
		WRITE_ONCE(vi->last_generation, gen);
		virtio_config_changed(&vi->vdev);
	}
}

static void vi_watchdog(struct work_struct *work)
{
	struct vi_dev *vi = container_of(to_delayed_work(work), struct vi_dev, watchdog);
	u32 beat = le32_to_cpu(READ_ONCE(vi->hdr->heartbeat));
	bool busy;

	vi_check_host(vi);
	mutex_lock(&vi->vqs_lock);
	busy = vi_io_outstanding(vi);
	mutex_unlock(&vi->vqs_lock);
	if (beat != vi->last_heartbeat || !busy) {
		vi->last_heartbeat = beat;
		vi->heartbeat_seen = jiffies;
	} else if (time_after(jiffies, vi->heartbeat_seen +
			      msecs_to_jiffies(READ_ONCE(dead_ms)))) {
		vi_declare_dead(vi, VI_DEAD_HEARTBEAT);
	}
	/* Dead: keep failing whatever was added since the last stub pass. */
	if (vi_is_dead(vi))
		schedule_work(&vi->stub_work);
	schedule_delayed_work(&vi->watchdog, msecs_to_jiffies(VI_WATCHDOG_MS));
}

/**
 * vi_config_init() - handshake and watchdog state, before the first request
 * @vi: the device, header mapped and validated
 */
void vi_config_init(struct vi_dev *vi)
{
	mutex_init(&vi->hs_lock);
	mutex_init(&vi->vqs_lock);
	spin_lock_init(&vi->dead_lock);
	init_waitqueue_head(&vi->hs_wait);
	vi->hs_seq = le32_to_cpu(READ_ONCE(vi->hdr->req_seq));
	vi->last_generation = le32_to_cpu(READ_ONCE(vi->hdr->config_generation));
	vi->last_heartbeat = le32_to_cpu(READ_ONCE(vi->hdr->heartbeat));
	vi->heartbeat_seen = jiffies;
	INIT_DELAYED_WORK(&vi->watchdog, vi_watchdog);
	INIT_WORK(&vi->stub_work, vi_stub_work);
}
