/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ivshmem: the guest driver's private state, shared by its files.
 * (The window layout shared with the host is ivshmem_virtio.h.)
 */
#ifndef VIRTIO_IVSHMEM_DEV_H
#define VIRTIO_IVSHMEM_DEV_H

#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/pci.h>
#include <linux/wait.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/atomic.h>

#include "ivshmem_virtio.h"

#define VI_NAME			"virtio-ivshmem"

/* Allocation granule of the window allocator. */
#define VI_GRANULE_SHIFT	9
#define VI_GRANULE		(1u << VI_GRANULE_SHIFT)
/* Smallest guest-managed area worth binding to (rings + some bounce space). */
#define VI_POOL_MIN		(256u << 10)
/* Freed page-sized bounce blocks kept for reuse (4 MiB of window). */
#define VI_PCACHE_MAX		1024u
/* Largest single bounce mapping (virtio_blk's segment size limit follows it). */
#define VI_MAX_MAP		(256u << 10)
/* Ring size cap: bounds both ring memory and outstanding bounce buffers. */
#define VI_MAX_QUEUE_SIZE	1024u
/* Largest descriptor chain the dead-server stub follows. */
#define VI_STUB_MAX_CHAIN	1024u
/*
 * vi_dev.wlen[] per granule of a device-writable block mapped without the
 * fill (virtio_ivshmem_ledger.c): PENDING until the device's used length is
 * seen, then VALID | bytes written (recorded in the block's first granule).
 */
#define VI_WLEN_PENDING		(1u << 31)
#define VI_WLEN_VALID		(1u << 30)
#define VI_WLEN_BYTES		(VI_WLEN_VALID - 1)

/* Why the driver stopped talking to the server (sysfs "dead_reason"). */
enum vi_dead_reason {
	VI_ALIVE = 0,
	VI_DEAD_ACK_TIMEOUT,	/* a handshake request was never acknowledged */
	VI_DEAD_HEARTBEAT,	/* heartbeat stopped while I/O was outstanding */
	VI_DEAD_HOST_GONE,	/* host_state says the server shut down */
	VI_DEAD_NEEDS_RESET,	/* host flagged DEVICE_NEEDS_RESET */
};

/* One virtqueue as this transport sees it. */
struct vi_vq {
	struct virtqueue *vq;
	unsigned int index;	/* queue index in the header table */
	u16 doorbell;		/* doorbell vector kicking this queue */
	u16 msix;		/* MSI-X vector raised for it (or IVV_NO_VECTOR) */
	/*
	 * Outstanding-chain accounting for the dead-server stub: for each head,
	 * times it appeared in the avail ring minus times it appeared in the
	 * used ring, observed on every kick, DMA map/unmap (so no ring position
	 * is overwritten between two observations) and stub pass.
	 */
	spinlock_t track_lock;
	u16 num;
	u16 seen_avail;
	u16 seen_used;
	s16 *pending;
};

/* One MSI-X vector and the irq handler data for it. */
struct vi_vec {
	struct vi_dev *vi;
	u16 v;
	bool requested;
	char name[40];
};

struct vi_dev {
	struct virtio_device vdev;
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0 */
	void *win;			/* BAR2, memremap()ed write-back */
	size_t win_size;
	struct ivv_header *hdr;		/* == win */
	u16 server_id;			/* doorbell target */
	u16 own_id;			/* IVPosition */
	u32 hdr_vectors;		/* vectors per peer the host reports */
	u16 num_queues;			/* validated header value */
	u16 config_size;		/* validated header value */
	size_t max_map;			/* largest bounce mapping */
	u64 shm_offset;			/* shared-memory region (validated copy) */
	u64 shm_len;			/* 0: none */
	u8 shm_id;
	bool lazy_fill;			/* virtio-fs: no map-time fill (ledger) */

	/* window allocator (virtio_ivshmem_alloc.c) */
	struct gen_pool *pool;
	phys_addr_t *orig;		/* per granule: guest memory it shadows */
	u32 *wlen;			/* per granule: VI_WLEN_* (ledger) */
	size_t pool_start;
	size_t pool_size;
	spinlock_t pcache_lock;		/* page-sized free blocks (vi_alloc()) */
	unsigned int pcache_n;
	u64 pcache[VI_PCACHE_MAX];

	/* register handshake (virtio_ivshmem_config.c) */
	struct mutex hs_lock;
	wait_queue_head_t hs_wait;
	u32 hs_seq;
	u32 last_generation;

	/* liveness */
	int dead;			/* enum vi_dead_reason, set once */
	u8 dead_status;			/* device status once dead (guest view) */
	spinlock_t dead_lock;		/* serialises vi_declare_dead() */
	u32 last_heartbeat;
	unsigned long heartbeat_seen;	/* jiffies the heartbeat last moved */
	struct delayed_work watchdog;
	struct work_struct stub_work;

	/* virtqueues and interrupts (virtio_ivshmem_vq.c) */
	struct vi_vq *vqs;
	unsigned int nvqs;
	bool vqs_ready;			/* vqs[] complete: DMA ops may account */
	struct mutex vqs_lock;		/* watchdog vs. del_vqs */
	unsigned int nvec;		/* MSI-X vectors allocated (0 = none) */
	struct vi_vec *vecs;

	/* statistics (sysfs) */
	atomic64_t stat_maps;
	atomic64_t stat_alloc_fail;
	atomic64_t stat_bytes_used;
	atomic64_t stat_kicks;
	atomic64_t stat_stub_failed;
	atomic64_t stat_unfilled;	/* device-writable maps without the fill */
	atomic64_t stat_unreported;	/* ... the device reported nothing for */
};

static inline struct vi_dev *to_vi(struct virtio_device *vdev)
{
	return container_of(vdev, struct vi_dev, vdev);
}

/* virtio_ivshmem_alloc.c */
int vi_alloc_init(struct vi_dev *vi, size_t start, size_t end);
void vi_alloc_destroy(struct vi_dev *vi);
u64 vi_alloc(struct vi_dev *vi, size_t size, size_t align);
void vi_free(struct vi_dev *vi, u64 off, size_t size);
bool vi_pool_range_ok(struct vi_dev *vi, u64 off, size_t size);
void vi_track(struct vi_dev *vi, u64 off, size_t size, phys_addr_t phys, u32 wlen);
phys_addr_t vi_tracked_phys(struct vi_dev *vi, u64 off);
u32 vi_tracked_wlen(struct vi_dev *vi, u64 off);
void vi_untrack(struct vi_dev *vi, u64 off, size_t size);

/* virtio_ivshmem_dma.c */
extern const struct dma_map_ops vi_dma_ops;
extern bool vi_skip_fill;

/* virtio_ivshmem_ledger.c */
void vi_ledger_chain(struct vi_dev *vi, const struct vring *vr, u16 num, u32 head, u32 len);

/* virtio_ivshmem_config.c */
extern const struct virtio_config_ops vi_config_ops;
void vi_config_init(struct vi_dev *vi);
int vi_handshake(struct vi_dev *vi, u32 op, u32 arg, u32 val);
void vi_declare_dead(struct vi_dev *vi, enum vi_dead_reason why);
bool vi_is_dead(struct vi_dev *vi);
void vi_config_interrupt(struct vi_dev *vi);
void vi_ring_doorbell(struct vi_dev *vi, u16 vector);
const char *vi_dead_name(int why);

/* virtio_ivshmem_vq.c */
int vi_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		vq_callback_t *callbacks[], const char * const names[], const bool *ctx,
		struct irq_affinity *desc);
void vi_del_vqs(struct virtio_device *vdev);
void vi_synchronize_cbs(struct virtio_device *vdev);
void vi_stub_work(struct work_struct *work);
void vi_track_all(struct vi_dev *vi);
void vi_track_sync(struct vi_dev *vi);
bool vi_io_outstanding(struct vi_dev *vi);

/* virtio_ivshmem_sysfs.c */
extern const struct attribute_group vi_attr_group;

#endif /* VIRTIO_IVSHMEM_DEV_H */
