// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the ivshmd device side against a hostile guest.
 *
 * The window is a heap buffer of exactly WINDOW bytes, so any access outside
 * it is an ASan report.  The fuzz input picks the negotiated features and the
 * queue size, fills the guest-managed part of the window (rings, requests,
 * data) and then runs a script of guest actions: doorbells on the queue and
 * config vectors, handshake requests, byte and index rewrites at any offset
 * (header included), resets.  The disk is a small memfd; it must never grow
 * (no write beyond the backing store) and the device must never hang.
 *
 * Input: [0] flags (bit 0 EVENT_IDX, bits 1-3 log2 queue size, bit 4
 * read-only, bit 5 INDIRECT_DESC offered and negotiated), [1..2] script
 * length (LE), script, then the window image copied from offset 4096.
 */
#include <stdint.h>
#include <sys/stat.h>

#include "../unit/test-ivshmd-guest.h"

#define WINDOW		(64u * 1024)
#define DISK		(64u * 1024)
#define MAX_SCRIPT	512

struct fz {
	uint8_t *mem;
	struct ivd_window win;
	struct ivd_dev dev;
	struct ivd_blk blk;
	uint32_t seq;
	unsigned int irqs;
};

static void fz_notify(void *ctx, unsigned int vector)
{
	struct fz *f = ctx;

	(void)vector;
	f->irqs++;
}

static void req(struct fz *f, uint32_t op, uint32_t arg, uint32_t val)
{
	struct ivv_header *h = (struct ivv_header *)f->mem;

	gm_st32(&h->req_op, op);
	gm_st32(&h->req_arg, arg);
	gm_st32(&h->req_val, val);
	gm_st32(&h->req_seq, ++f->seq);
	ivd_dev_kick(&f->dev, 0);
}

static void setup(struct fz *f, uint64_t features, uint16_t qsize)
{
	struct ivv_header *h = (struct ivv_header *)f->mem;
	const uint32_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	req(f, IVV_OP_SET_STATUS, 0, 0);
	req(f, IVV_OP_SET_STATUS, 0, s);
	gm_st64(&h->driver_features, features);
	req(f, IVV_OP_SET_STATUS, 0, s | VIRTIO_CONFIG_S_FEATURES_OK);
	gm_st16(&h->queues[0].size, qsize);
	gm_st16(&h->queues[0].msix_vector, 1);
	gm_st64(&h->queues[0].desc, 0x1000);
	gm_st64(&h->queues[0].driver, 0x2000);
	gm_st64(&h->queues[0].device, 0x3000);
	req(f, IVV_OP_QUEUE_ENABLE, 0, 0);
	req(f, IVV_OP_SET_STATUS, 0, s | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct fz f;
	uint64_t features;
	uint16_t qsize;
	size_t slen, pos, img;
	struct stat st;

	if (size < 3)
		return 0;
	ivd_log_set_level(IVD_ERR);
	if (fd < 0) {
		fd = memfd_create("fuzz-disk", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, DISK) < 0)
		abort();
	memset(&f, 0, sizeof(f));
	f.mem = malloc(WINDOW);
	if (!f.mem)
		abort();
	memset(f.mem, 0, WINDOW);
	ivd_window_wrap(&f.win, f.mem, WINDOW);
	if (ivd_blk_init_fd(&f.blk, fd, DISK, data[0] & 0x10, 0))
		abort();
	ivd_dev_init(&f.dev, &f.win, 0, 2, ivd_blk_ops(&f.blk), &f.blk, fz_notify, &f);
	if (data[0] & 0x20)
		ivd_dev_offer(&f.dev, 1ull << VIRTIO_RING_F_INDIRECT_DESC);

	features = f.dev.device_features;
	if (!(data[0] & 1))
		features &= ~(1ull << 29);
	qsize = (uint16_t)(1u << ((data[0] >> 1) & 7));
	setup(&f, features, qsize);

	slen = data[1] | (size_t)data[2] << 8;
	if (slen > MAX_SCRIPT)
		slen = MAX_SCRIPT;
	if (slen > size - 3)
		slen = size - 3;
	pos = 3 + slen;
	img = size - pos;
	if (img > WINDOW - IVV_HEADER_SIZE)
		img = WINDOW - IVV_HEADER_SIZE;
	memcpy(f.mem + IVV_HEADER_SIZE, data + pos, img);

	ivd_dev_kick(&f.dev, 1);
	ivd_blk_reap(&f.blk, &f.dev);
	for (pos = 3; pos < 3 + slen; pos++) {
		const uint8_t *a = data + pos + 1;
		size_t left = 3 + slen - pos - 1;

		switch (data[pos] & 7) {
		case 0:
			ivd_dev_kick(&f.dev, 1);
			ivd_blk_reap(&f.blk, &f.dev);
			break;
		case 1:
			ivd_dev_kick(&f.dev, 0);
			break;
		case 2:	/* a byte anywhere in the window, header included */
			if (left < 3)
				break;
			f.mem[(a[0] | a[1] << 8) % WINDOW] = a[2];
			pos += 3;
			break;
		case 3:	/* any handshake request */
			if (left < 6)
				break;
			req(&f, a[0] & 3, a[1], (uint32_t)a[2] | (uint32_t)a[3] << 8 |
			    (uint32_t)a[4] << 16 | (uint32_t)a[5] << 24);
			pos += 6;
			break;
		case 4:
			setup(&f, features, qsize);
			break;
		case 5:	/* avail idx */
			if (left < 2)
				break;
			gm_st16(f.mem + 0x2002, (uint16_t)(a[0] | a[1] << 8));
			ivd_dev_kick(&f.dev, 1);
			ivd_blk_reap(&f.blk, &f.dev);
			pos += 2;
			break;
		case 6:	/* a queue table field */
			if (left < 3)
				break;
			f.mem[0x100 + a[0] % 32] = a[1];
			req(&f, IVV_OP_QUEUE_ENABLE, a[2] & 1, 0);
			pos += 3;
			break;
		default:
			ivd_blk_reap(&f.blk, &f.dev);
			break;
		}
	}
	ivd_blk_reap(&f.blk, &f.dev);
	if (fstat(fd, &st) < 0 || st.st_size != DISK)
		abort();	/* wrote beyond the backing store */
	if (f.blk.inflight)
		abort();	/* synchronous backend: nothing may stay in flight */
	if (getenv("FUZZ_IVSHMD_DEBUG"))
		fprintf(stderr, "requests %llu reads %llu writes %llu flushes %llu get-id %llu "
			"discards %llu wz %llu errors %llu status %#x irqs %u\n",
			(unsigned long long)f.dev.requests, (unsigned long long)f.blk.reads,
			(unsigned long long)f.blk.writes, (unsigned long long)f.blk.flushes,
			(unsigned long long)f.blk.get_ids, (unsigned long long)f.blk.discards,
			(unsigned long long)f.blk.write_zeroes, (unsigned long long)f.blk.errors,
			gm_ld32(&((struct ivv_header *)f.mem)->device_status), f.irqs);
	f.blk.fd = -1;	/* the memfd is reused by the next input */
	ivd_blk_close(&f.blk);
	free(f.mem);
	return 0;
}
