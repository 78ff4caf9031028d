/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk.h - the virtio-blk device type: request parsing against validated
 * chains, backend I/O on a file or block device (pool threads), completion.
 */
#ifndef IVSHMD_BLK_H
#define IVSHMD_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "pool.h"
#include "ring_validate.h"

#define IVD_BLK_SIZE_MAX	(128u * 1024)	/* bytes per segment */
#define IVD_BLK_SEG_MAX		64u		/* data segments per request */
#define IVD_BLK_MAX_DISCARD_SECTORS	(1u << 21)	/* 1 GiB */
#define IVD_BLK_MAX_DISCARD_SEG		16u
#define IVD_BLK_DISCARD_ALIGN		8u		/* sectors (4 KiB) */

struct ivd_blk {
	int fd;
	bool readonly;
	bool blockdev;
	bool stopping;		/* shutting down: take no new requests */
	uint64_t size;		/* bytes served (capacity * 512) */
	char serial[20];
	struct ivd_pool pool;
	unsigned int inflight;
	struct ivd_chain chain;	/* scratch, event loop only */
	uint64_t reads, writes, flushes, discards, write_zeroes, get_ids, errors;
};

/*
 * Open @path (file or block device) for serving.  @nthreads pool threads
 * (0 = synchronous, for tests).  Returns 0 or -errno (message logged).
 */
int ivd_blk_open(struct ivd_blk *blk, const char *path, bool readonly, unsigned int nthreads);
/* Serve an already open fd of @size bytes (tests, fuzzing). */
int ivd_blk_init_fd(struct ivd_blk *blk, int fd, uint64_t size, bool readonly,
		    unsigned int nthreads);
void ivd_blk_close(struct ivd_blk *blk);

/* Device-type hooks for ivd_dev_init(); ctx is the struct ivd_blk. */
extern const struct ivd_device_ops ivd_blk_ops_rw;
extern const struct ivd_device_ops ivd_blk_ops_ro;
static inline const struct ivd_device_ops *ivd_blk_ops(const struct ivd_blk *blk)
{
	return blk->readonly ? &ivd_blk_ops_ro : &ivd_blk_ops_rw;
}

/* Complete finished requests (pool eventfd readable), then serve more. */
void ivd_blk_reap(struct ivd_blk *blk, struct ivd_dev *dev);

/* Shut down: stop taking requests, complete the in-flight ones, sync. */
int ivd_blk_shutdown(struct ivd_blk *blk, struct ivd_dev *dev);

#endif
