/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio_fs_dev.h - the virtio-fs device type (device id 26): descriptor
 * chains of the hiprio and request queues handed to the fs_server backend.
 */
#ifndef IVSHMD_VIRTIO_FS_DEV_H
#define IVSHMD_VIRTIO_FS_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "fs_server.h"
#include "pool.h"
#include "ring_validate.h"

#define IVD_FS_TAG_MAX		36	/* virtio_fs_config.tag, NUL-padded */
#define IVD_FS_REQUEST_QUEUES	1	/* the 6.1 driver uses only the first */
/* Ring size offered: a 1 MiB FUSE request (256 pages + headers) is one chain,
 * and several fit at once without indirect descriptors. */
#define IVD_FS_QUEUE_SIZE	1024
/* A request copy beyond max_write + this is cut short (the backend then
 * answers EPROTO: in.len exceeds the bytes it was given). */
/* --cache auto / always: name and attribute cache time (as virtiofsd's) */
#define IVD_FS_CACHE_AUTO_MS	1000u
#define IVD_FS_CACHE_ALWAYS_MS	86400000u
#define IVD_FS_REQ_SLACK	(8u * 1024)

struct ivd_fsdev {
	struct fs_server *srv;
	char tag[IVD_FS_TAG_MAX];
	uint32_t max_req;	/* bytes of a request chain copied at most */
	bool stopping;
	struct ivd_pool pool;
	unsigned int inflight;
	struct ivd_chain chain;	/* scratch, event loop only */
	uint64_t requests, forgets, no_reply, truncated;
};

/*
 * Export @root as virtio-fs tag @tag (1..36 bytes).  @nthreads pool threads
 * serve requests (0 = inline in the event loop).  @timeout_ms: guest
 * entry/attribute cache time; @keep_cache: the guest keeps page cache across
 * opens (--cache always); @writeback: offer the guest FUSE_WRITEBACK_CACHE
 * (--writeback).  Returns 0 or -errno (message logged).
 */
int ivd_fsdev_open(struct ivd_fsdev *fd, const char *root, const char *tag, bool readonly,
		   unsigned int nthreads, uint32_t timeout_ms, bool keep_cache, bool writeback);
void ivd_fsdev_close(struct ivd_fsdev *fd);

extern const struct ivd_device_ops ivd_fsdev_ops;

/* Complete finished requests (pool eventfd readable), then serve more. */
void ivd_fsdev_reap(struct ivd_fsdev *fd, struct ivd_dev *dev);

/* Shut down: take no new requests, complete the in-flight ones. */
void ivd_fsdev_shutdown(struct ivd_fsdev *fd, struct ivd_dev *dev);

#endif
