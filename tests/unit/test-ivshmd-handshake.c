// SPDX-License-Identifier: GPL-2.0
/*
 * The register handshake / device status machine (userspace/ivshmd/
 * transport.c): header initialisation, feature negotiation rules, status
 * transitions, queue enable checks, reset, broken device, one-time reads
 * of guest fields (private copies), config vector.
 */
#include "test-ivshmd-guest.h"

#define S_AD	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)
#define S_FOK	(S_AD | VIRTIO_CONFIG_S_FEATURES_OK)
#define S_OK	(S_FOK | VIRTIO_CONFIG_S_DRIVER_OK)
#define F_V1	(1ull << 32)
#define F_AP	(1ull << 33)

static void test_header(void)
{
	struct fg g;
	struct ivv_header *h;

	CHECK(!fg_init(&g, 1 << 20, false));
	h = fg_hdr(&g);
	CHECK(!memcmp(h->magic, IVV_MAGIC, IVV_MAGIC_LEN));
	CHECK_EQ(gm_ld32(&h->version), IVV_VERSION);
	CHECK_EQ(gm_ld32(&h->header_size), IVV_HEADER_SIZE);
	CHECK_EQ(gm_ld64(&h->window_size), FG_WINDOW);
	CHECK_EQ(gm_ld32(&h->num_vectors), FG_VECTORS);
	CHECK_EQ(gm_ld32(&h->device_id), 2);
	CHECK_EQ(gm_ld32(&h->vendor_id), IVV_VENDOR_ID);
	CHECK_EQ(gm_ld16(&h->num_queues), 1);
	CHECK_EQ(gm_ld16(&h->queues[0].max_size), IVD_QUEUE_MAX_SIZE);
	CHECK_EQ(gm_ld16(&h->queues[1].max_size), 0);
	CHECK_EQ(gm_ld32(&h->host_state), IVV_HOST_READY);
	CHECK_EQ(gm_ld32(&h->device_status), 0);
	CHECK((gm_ld64(&h->device_features) & IVD_TRANSPORT_FEATURES) == IVD_TRANSPORT_FEATURES);
	CHECK(gm_ld64(&h->device_features) & (1ull << 9));	/* BLK_F_FLUSH */
	CHECK(!(gm_ld64(&h->device_features) & (1ull << 28)));	/* no INDIRECT_DESC */
	CHECK_EQ(gm_ld64(h->config), (1 << 20) / 512);	/* capacity */
	CHECK_EQ(gm_ld16(&h->config_size) >= 60, 1);
	fg_destroy(&g);

	CHECK(!fg_init(&g, 1 << 20, true));
	CHECK(fg_all_features(&g) & (1ull << 5));		/* BLK_F_RO */
	CHECK(!(fg_all_features(&g) & (1ull << 13)));		/* no DISCARD */
	fg_destroy(&g);
}

static void test_status_machine(void)
{
	struct fg g;
	uint64_t all;

	CHECK(!fg_init(&g, 1 << 20, false));
	all = fg_all_features(&g);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_AD), IVV_ACK_OK);
	CHECK_EQ(fg_status(&g), S_AD);
	CHECK(g.irqs[0] >= 1);	/* acks raise the config vector */

	/* feature rules */
	gm_st64(&fg_hdr(&g)->driver_features, F_V1);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_FOK), IVV_ACK_FEATURES);
	CHECK_EQ(fg_status(&g), S_AD);
	gm_st64(&fg_hdr(&g)->driver_features, F_AP);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_FOK), IVV_ACK_FEATURES);
	gm_st64(&fg_hdr(&g)->driver_features, all | (1ull << 28));
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_FOK), IVV_ACK_FEATURES);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_AD | VIRTIO_CONFIG_S_DRIVER_OK), IVV_ACK_STATE);
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0, 0), IVV_ACK_STATE);
	gm_st64(&fg_hdr(&g)->driver_features, F_V1 | F_AP);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_FOK), IVV_ACK_OK);
	CHECK_EQ(fg_status(&g), S_FOK);
	CHECK_EQ(g.dev.driver_features, F_V1 | F_AP);
	/* features are locked once accepted: a later rewrite is not read */
	gm_st64(&fg_hdr(&g)->driver_features, all);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_FOK), IVV_ACK_OK);
	CHECK_EQ(g.dev.driver_features, F_V1 | F_AP);
	/* bits only go away by reset; NEEDS_RESET cannot be set by the guest */
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_AD), IVV_ACK_STATE);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_FOK | VIRTIO_CONFIG_S_NEEDS_RESET), IVV_ACK_OK);
	CHECK_EQ(fg_status(&g), S_FOK);

	/* queue enable checks */
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 1, 0), IVV_ACK_INVALID);	/* only 1 queue */
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0xffffffff, 0), IVV_ACK_INVALID);
	fg_set_queue(&g, 16, 5, FG_DESC, FG_AVAIL, FG_USED);
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0, 0), IVV_ACK_INVALID);
	fg_set_queue(&g, 16, 1, 0x100, FG_AVAIL, FG_USED);
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0, 0), IVV_ACK_INVALID);
	CHECK_EQ(gm_ld16(&fg_hdr(&g)->queues[0].enabled), 0);
	fg_set_queue(&g, 16, 1, FG_DESC, FG_AVAIL, FG_USED);
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0, 0), IVV_ACK_OK);
	CHECK_EQ(gm_ld16(&fg_hdr(&g)->queues[0].enabled), 1);
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0, 0), IVV_ACK_STATE);	/* twice */
	/* the private copy stays: the guest moving the rings later changes nothing */
	fg_set_queue(&g, 256, 0, 0x8000, 0x9000, 0xa000);
	CHECK_EQ(g.dev.vq[0].size, 16);
	CHECK_EQ(g.dev.vq[0].desc, FG_DESC);
	CHECK_EQ(g.dev.vq[0].avail, FG_AVAIL);
	CHECK_EQ(g.dev.vq[0].used, FG_USED);

	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_OK), IVV_ACK_OK);
	CHECK(ivd_dev_running(&g.dev));

	/* config vector */
	CHECK_EQ(fg_req(&g, IVV_OP_SET_CONFIG_VECTOR, 0, 9), IVV_ACK_INVALID);
	CHECK_EQ(fg_req(&g, IVV_OP_SET_CONFIG_VECTOR, 0, 1), IVV_ACK_OK);
	g.irqs[0] = g.irqs[1] = 0;
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_OK), IVV_ACK_OK);
	CHECK_EQ(g.irqs[1], 1);
	CHECK_EQ(g.irqs[0], 0);
	CHECK_EQ(fg_req(&g, 42, 0, 0), IVV_ACK_UNKNOWN_OP);

	/* the same sequence number is handled once */
	{
		uint64_t before = g.dev.handshakes;

		ivd_dev_kick(&g.dev, 0);
		ivd_dev_kick(&g.dev, 1);
		CHECK_EQ(g.dev.handshakes, before);
	}

	/* reset clears everything */
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, 0), IVV_ACK_OK);
	CHECK_EQ(fg_status(&g), 0);
	CHECK(!g.dev.vq[0].enabled);
	CHECK_EQ(gm_ld16(&fg_hdr(&g)->queues[0].enabled), 0);
	CHECK_EQ(g.dev.driver_features, 0);
	CHECK(!ivd_dev_running(&g.dev));
	fg_destroy(&g);
}

static void test_broken(void)
{
	struct fg g;

	CHECK(!fg_init(&g, 1 << 20, false));
	CHECK_EQ(fg_setup(&g, fg_all_features(&g), 16), IVV_ACK_OK);
	g.irqs[0] = 0;
	/* avail idx jumps beyond the queue size */
	gm_st16(g.mem + FG_AVAIL + 2, 17);
	fg_kick(&g);
	CHECK(fg_status(&g) & VIRTIO_CONFIG_S_NEEDS_RESET);
	CHECK_EQ(gm_ld32(&fg_hdr(&g)->broken_reason), IVV_BROKEN_AVAIL_IDX);
	CHECK_EQ(g.irqs[0], 1);	/* config interrupt */
	CHECK(!ivd_dev_running(&g.dev));
	CHECK_EQ(fg_req(&g, IVV_OP_SET_STATUS, 0, S_OK), IVV_ACK_BROKEN);
	CHECK_EQ(fg_req(&g, IVV_OP_QUEUE_ENABLE, 0, 0), IVV_ACK_BROKEN);
	/* reset + renegotiate recovers */
	CHECK_EQ(fg_setup(&g, fg_all_features(&g), 16), IVV_ACK_OK);
	CHECK(!(fg_status(&g) & VIRTIO_CONFIG_S_NEEDS_RESET));
	CHECK_EQ(gm_ld32(&fg_hdr(&g)->broken_reason), 0);
	CHECK(ivd_dev_running(&g.dev));

	/* server shutdown */
	ivd_dev_shutdown(&g.dev);
	CHECK(fg_status(&g) & VIRTIO_CONFIG_S_NEEDS_RESET);
	CHECK_EQ(gm_ld32(&fg_hdr(&g)->host_state), IVV_HOST_GONE);
	{
		uint32_t hb = gm_ld32(&fg_hdr(&g)->heartbeat);

		ivd_dev_heartbeat(&g.dev);
		CHECK_EQ(gm_ld32(&fg_hdr(&g)->heartbeat), hb + 1);
	}
	fg_destroy(&g);
}

static void test_offer_indirect(void)
{
	struct fg g;
	const uint64_t ind = 1ull << 28;

	CHECK(!fg_init(&g, 1 << 20, false));
	CHECK(!(fg_all_features(&g) & ind));
	CHECK_EQ(fg_setup(&g, fg_all_features(&g) | ind, 16), IVV_ACK_FEATURES);
	ivd_dev_offer(&g.dev, ind);
	CHECK(fg_all_features(&g) & ind);
	CHECK_EQ(fg_setup(&g, fg_all_features(&g), 16), IVV_ACK_OK);
	CHECK(g.dev.vq[0].indirect);
	CHECK_EQ(fg_setup(&g, fg_all_features(&g) & ~ind, 16), IVV_ACK_OK);
	CHECK(!g.dev.vq[0].indirect);
	fg_destroy(&g);
}

int main(void)
{
	ivd_log_set_level(IVD_ERR);
	test_header();
	test_status_machine();
	test_broken();
	test_offer_indirect();
	if (fg_failures) {
		fprintf(stderr, "%d check(s) failed\n", fg_failures);
		return 1;
	}
	printf("test-ivshmd-handshake: all checks passed\n");
	return 0;
}
