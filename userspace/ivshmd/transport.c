// SPDX-License-Identifier: GPL-2.0
/*
 * transport.c - the register handshake of the virtio-ivshmem transport.
 *
 * The guest cannot trap register writes, so it posts a request (op, arg,
 * val, seq) in the header and rings doorbell vector 0.  Here the request is
 * read once, validated against ivshmd's private device state, applied, and
 * acknowledged.  The header's host fields are only ever a publication of
 * that private state.
 */
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "guestmem.h"
#include "log.h"
#include "ring_validate.h"
#include "transport.h"

static struct ivv_header *hdr(const struct ivd_dev *dev)
{
	return ivd_window_hdr(dev->win);
}

static void publish_status(struct ivd_dev *dev)
{
	uint32_t st = dev->status;

	if (dev->broken)
		st |= VIRTIO_CONFIG_S_NEEDS_RESET;
	gm_st32(&hdr(dev)->device_status, st);
}

static void notify_config(struct ivd_dev *dev)
{
	if (dev->config_vector != IVV_NO_VECTOR && dev->config_vector < dev->num_vectors)
		dev->notify(dev->notify_ctx, dev->config_vector);
}

void ivd_dev_init(struct ivd_dev *dev, struct ivd_window *win, uint32_t server_id,
		  uint32_t num_vectors, const struct ivd_device_ops *ops, void *ops_ctx,
		  void (*notify)(void *ctx, unsigned int vector), void *notify_ctx)
{
	struct ivv_header *h = ivd_window_hdr(win);
	unsigned int i, cfg;

	memset(dev, 0, sizeof(*dev));
	dev->win = win;
	dev->server_id = server_id;
	dev->num_vectors = num_vectors;
	dev->ops = ops;
	dev->ops_ctx = ops_ctx;
	dev->notify = notify;
	dev->notify_ctx = notify_ctx;
	dev->device_features = IVD_TRANSPORT_FEATURES | ops->features;
	dev->config_vector = IVV_VECTOR_CONFIG;
	dev->num_queues = ops->num_queues > IVV_MAX_QUEUES ? IVV_MAX_QUEUES : ops->num_queues;
	dev->queue_max_size = ops->queue_max_size ? ops->queue_max_size : IVD_QUEUE_MAX_SIZE;
	if (dev->queue_max_size > IVD_QUEUE_LIMIT)
		dev->queue_max_size = IVD_QUEUE_LIMIT;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, IVV_MAGIC, IVV_MAGIC_LEN);
	gm_st32(&h->version, IVV_VERSION);
	gm_st32(&h->header_size, IVV_HEADER_SIZE);
	gm_st64(&h->window_size, win->size);
	if (win->guest_end < win->size) {
		gm_st64(&h->shm_offset, win->guest_end);
		gm_st64(&h->shm_len, win->size - win->guest_end);
		h->shm_id = ops->shm_id;
	}
	gm_st32(&h->server_peer_id, server_id);
	gm_st32(&h->num_vectors, num_vectors);
	gm_st32(&h->device_id, ops->device_id);
	gm_st32(&h->vendor_id, IVV_VENDOR_ID);
	gm_st16(&h->num_queues, dev->num_queues);
	gm_st64(&h->device_features, dev->device_features);
	cfg = ops->fill_config(ops_ctx, h->config);
	gm_st16(&h->config_size, cfg > IVV_CONFIG_SPACE_SIZE ? IVV_CONFIG_SPACE_SIZE : cfg);
	gm_st16(&h->config_msix_vector, IVV_VECTOR_CONFIG);
	for (i = 0; i < dev->num_queues; i++)
		gm_st16(&h->queues[i].max_size, dev->queue_max_size);
	gm_release();
	gm_st32(&h->host_state, IVV_HOST_READY);
}

void ivd_dev_offer(struct ivd_dev *dev, uint64_t features)
{
	dev->device_features |= features;
	gm_st64(&hdr(dev)->device_features, dev->device_features);
}

bool ivd_dev_running(const struct ivd_dev *dev)
{
	return (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !dev->broken;
}

void ivd_dev_set_broken(struct ivd_dev *dev, uint32_t reason)
{
	if (dev->broken)
		return;
	dev->broken = true;
	dev->broken_reason = reason;
	ivd_log_guest("device broken (reason %u): DEVICE_NEEDS_RESET set, queues stopped",
		      reason);
	gm_st32(&hdr(dev)->broken_reason, reason);
	publish_status(dev);
	gm_release();
	gm_st32(&hdr(dev)->config_generation, ++dev->config_generation);
	notify_config(dev);
}

void ivd_dev_reset(struct ivd_dev *dev)
{
	unsigned int i;

	if (dev->ops->drain)
		dev->ops->drain(dev->ops_ctx, dev);
	for (i = 0; i < IVV_MAX_QUEUES; i++) {
		memset(&dev->vq[i], 0, sizeof(dev->vq[i]));
		gm_st16(&hdr(dev)->queues[i].enabled, 0);
	}
	dev->status = 0;
	dev->driver_features = 0;
	dev->broken = false;
	dev->broken_reason = IVV_BROKEN_NONE;
	gm_st32(&hdr(dev)->broken_reason, 0);
	publish_status(dev);
}

static int set_status(struct ivd_dev *dev, uint32_t val)
{
	uint32_t old = dev->status, add;

	if (val == 0) {
		ivd_dbg("handshake: reset");
		ivd_dev_reset(dev);
		return IVV_ACK_OK;
	}
	if (dev->broken)
		return IVV_ACK_BROKEN;
	val &= 0xff & ~VIRTIO_CONFIG_S_NEEDS_RESET;
	if ((val & old) != old)
		return IVV_ACK_STATE;	/* only reset clears bits */
	add = val & ~old;
	if (add & VIRTIO_CONFIG_S_FEATURES_OK) {
		uint64_t drv = gm_ld64(&hdr(dev)->driver_features);

		if ((drv & ~dev->device_features) ||
		    (drv & IVD_REQUIRED_FEATURES) != IVD_REQUIRED_FEATURES) {
			ivd_log_guest("handshake: driver features %#llx refused (offered %#llx)",
				      (unsigned long long)drv,
				      (unsigned long long)dev->device_features);
			dev->status = val & ~(VIRTIO_CONFIG_S_FEATURES_OK |
					      VIRTIO_CONFIG_S_DRIVER_OK);
			return IVV_ACK_FEATURES;
		}
		dev->driver_features = drv;
		ivd_dbg("handshake: features %#llx accepted", (unsigned long long)drv);
	}
	if ((add & VIRTIO_CONFIG_S_DRIVER_OK) && !(val & VIRTIO_CONFIG_S_FEATURES_OK))
		return IVV_ACK_STATE;
	dev->status = val;
	if (add & VIRTIO_CONFIG_S_DRIVER_OK)
		ivd_log_guest_level(IVD_INFO, "guest driver ready (features %#llx)",
				    (unsigned long long)dev->driver_features);
	if (add & VIRTIO_CONFIG_S_FAILED)
		ivd_log_guest("guest driver reported FAILED");
	return IVV_ACK_OK;
}

static int queue_enable(struct ivd_dev *dev, uint32_t q)
{
	struct ivv_queue *wq;
	struct ivd_vq *vq;
	uint16_t size, vector;
	uint64_t desc, avail, used;
	int res;

	if (dev->broken)
		return IVV_ACK_BROKEN;
	if (q >= dev->num_queues)
		return IVV_ACK_INVALID;
	if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) || dev->vq[q].enabled)
		return IVV_ACK_STATE;
	wq = &hdr(dev)->queues[q];
	size = gm_ld16(&wq->size);
	vector = gm_ld16(&wq->msix_vector);
	desc = gm_ld64(&wq->desc);
	avail = gm_ld64(&wq->driver);
	used = gm_ld64(&wq->device);
	res = ivd_check_queue_config(dev->win, dev->queue_max_size, dev->num_vectors, size, vector,
				     desc, avail, used);
	if (res != IVV_ACK_OK) {
		ivd_log_guest("handshake: queue %u refused (size %u vector %u desc %#llx "
			      "avail %#llx used %#llx)", q, size, vector, (unsigned long long)desc,
			      (unsigned long long)avail, (unsigned long long)used);
		return res;
	}
	vq = &dev->vq[q];
	memset(vq, 0, sizeof(*vq));
	vq->size = size;
	vq->vector = vector;
	vq->indirect = dev->driver_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->enabled = true;
	gm_st16(&wq->enabled, 1);
	ivd_dbg("handshake: queue %u enabled, size %u vector %u", q, size, vector);
	return IVV_ACK_OK;
}

bool ivd_dev_handshake(struct ivd_dev *dev)
{
	struct ivv_header *h = hdr(dev);
	uint32_t seq, op, arg, val;
	int res;

	seq = gm_ld32(&h->req_seq);
	if (seq == dev->last_seq)
		return false;
	gm_acquire();	/* request fields were written before the sequence */
	op = gm_ld32(&h->req_op);
	arg = gm_ld32(&h->req_arg);
	val = gm_ld32(&h->req_val);
	dev->handshakes++;
	switch (op) {
	case IVV_OP_SET_STATUS:
		res = set_status(dev, val);
		break;
	case IVV_OP_QUEUE_ENABLE:
		res = queue_enable(dev, arg);
		break;
	case IVV_OP_SET_CONFIG_VECTOR:
		if (val != IVV_NO_VECTOR && val >= dev->num_vectors) {
			res = IVV_ACK_INVALID;
		} else {
			dev->config_vector = (uint16_t)val;
			res = IVV_ACK_OK;
		}
		break;
	default:
		res = IVV_ACK_UNKNOWN_OP;
		break;
	}
	if (res != IVV_ACK_OK)
		ivd_dbg("handshake: op %u arg %u val %#x -> result %d", op, arg, val, res);
	publish_status(dev);
	gm_st32(&h->ack_result, (uint32_t)res);
	gm_release();	/* results before the ack */
	gm_st32(&h->ack_seq, seq);
	dev->last_seq = seq;
	notify_config(dev);
	return true;
}

void ivd_dev_process_all(struct ivd_dev *dev)
{
	unsigned int q;

	for (q = 0; q < dev->num_queues && ivd_dev_running(dev); q++)
		if (dev->vq[q].enabled)
			dev->ops->process_queue(dev->ops_ctx, dev, q);
}

void ivd_dev_kick(struct ivd_dev *dev, unsigned int vector)
{
	dev->kicks++;
	(void)vector;	/* any doorbell may carry a handshake or queue work */
	ivd_dev_handshake(dev);
	ivd_dev_process_all(dev);
}

void ivd_dev_heartbeat(struct ivd_dev *dev)
{
	struct ivv_header *h = hdr(dev);

	gm_st32(&h->heartbeat, gm_ld32(&h->heartbeat) + 1);
}

void ivd_dev_shutdown(struct ivd_dev *dev)
{
	bool was = dev->broken;

	if (!was) {
		dev->broken = true;
		dev->broken_reason = IVV_BROKEN_SHUTDOWN;
		gm_st32(&hdr(dev)->broken_reason, IVV_BROKEN_SHUTDOWN);
	}
	publish_status(dev);
	gm_release();
	gm_st32(&hdr(dev)->host_state, IVV_HOST_GONE);
	gm_st32(&hdr(dev)->config_generation, ++dev->config_generation);
	notify_config(dev);
}
