/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ivshmem_virtio.h - layout of the shared window (ivshmem-doorbell BAR2) used
 * by the virtio-ivshmem transport (guest, virtio-client/virtio_ivshmem.c) and
 * by its device side (host, userspace/ivshmd).
 *
 * This header is the single source of truth for the byte layout; the prose
 * description is Documentation/ivshmem-transport.rst.  It compiles in the
 * kernel and in userspace (linux-libc-dev's <linux/types.h>).  Every
 * multi-byte field is little-endian.
 *
 * Ownership rules (who writes what):
 *   "host"  fields are written only by ivshmd; the guest treats them as
 *           read-only.  The host never trusts its own copies in the window
 *           either: it keeps private state and only publishes it here.
 *   "guest" fields are written by the guest driver; the host reads each of
 *           them exactly once per handshake request into a private copy and
 *           validates the copy.
 *
 * Window map:
 *   [0, IVV_HEADER_SIZE)            struct ivv_header (this file)
 *   [IVV_HEADER_SIZE, window_size)  guest-managed: virtqueue rings and the
 *                                   bounce-buffer pool.  Every "address" the
 *                                   guest gives the device (ring addresses,
 *                                   descriptor addr fields) is a byte offset
 *                                   from the start of the window, and must
 *                                   lie entirely inside this range.
 */
#ifndef IVSHMEM_VIRTIO_H
#define IVSHMEM_VIRTIO_H

#include <linux/types.h>

/* ---- identification -------------------------------------------------- */

/* First 8 bytes of BAR2; the guest binds only when magic and version match. */
#define IVV_MAGIC		"VIRTIVSH"
#define IVV_MAGIC_LEN		8
#define IVV_VERSION		1
#define IVV_HEADER_SIZE		4096u

/* Window size limits enforced by ivshmd (QEMU needs a power of two). */
#define IVV_WINDOW_MIN		(1ull << 20)	/* 1 MiB */
#define IVV_WINDOW_MAX		(1ull << 30)	/* 1 GiB */

/* Alignment of the shared-memory region (the guest maps it in 2 MiB units). */
#define IVV_SHM_ALIGN		(2ull << 20)

#define IVV_MAX_QUEUES		16
#define IVV_CONFIG_SPACE_SIZE	256

/* Virtio vendor id the host reports (struct virtio_device_id.vendor). */
#define IVV_VENDOR_ID		0x1af4

/* ---- ivshmem-doorbell BAR0 registers (QEMU hw/misc/ivshmem.c) --------- */

#define IVV_BAR0_INTRMASK	0
#define IVV_BAR0_INTRSTATUS	4
#define IVV_BAR0_IVPOSITION	8	/* this peer's id (read-only) */
#define IVV_BAR0_DOORBELL	12	/* write IVV_DOORBELL_VALUE() */

#define IVV_DOORBELL_VALUE(peer, vector) \
	((((__u32)(peer) & 0xffffu) << 16) | ((__u32)(vector) & 0xffffu))

/*
 * Doorbell (guest -> host) and MSI-X (host -> guest) vector numbering.
 * Vector 0 is the register handshake / configuration vector; queue q uses
 * vector q + 1.  With fewer vectors than queues + 1, queues share vectors
 * round-robin over 1..nvec-1, and with a single vector everything uses 0.
 * The host, on any doorbell, checks the handshake and every enabled queue
 * (whatever vector it maps to), so sharing is always safe.
 * The guest chooses each queue's MSI-X vector in ivv_queue.msix_vector and
 * should use IVV_QUEUE_VECTOR() for it too.
 */
#define IVV_VECTOR_CONFIG	0
#define IVV_QUEUE_VECTOR(q, nvec) \
	((nvec) > 1 ? 1u + (__u32)(q) % ((__u32)(nvec) - 1u) : 0u)
/* ivv_queue.msix_vector value meaning "never interrupt for this queue". */
#define IVV_NO_VECTOR		0xffff

/* ---- per-queue table entry (32 bytes) ---------------------------------- */

struct ivv_queue {
	__le16 max_size;	/* host: largest size accepted (power of two) */
	__le16 enabled;		/* host: 1 after QUEUE_ENABLE was accepted */
	__le16 size;		/* guest: ring size, power of two <= max_size */
	__le16 msix_vector;	/* guest: MSI-X vector for used-buffer irqs */
	__le64 desc;		/* guest: window offset of the descriptor table */
	__le64 driver;		/* guest: window offset of the avail ring */
	__le64 device;		/* guest: window offset of the used ring */
};

/* ---- handshake ---------------------------------------------------------
 *
 * The guest fills in the guest fields it wants to change (driver_features,
 * a queue's size/vector/addresses, config_msix_vector), then writes req_op,
 * req_arg and req_val, then (after a write barrier) req_seq = previous
 * req_seq + 1, and rings doorbell vector IVV_VECTOR_CONFIG.  The host reads
 * req_seq once; when it differs from the last sequence it acknowledged it
 * reads op/arg/val once, applies the request, publishes the result
 * (device_status, queue enabled, ...), writes ack_result, then ack_seq =
 * req_seq (release order), and raises the guest's config MSI-X vector.
 * The guest waits for ack_seq == its req_seq with a timeout
 * (IVV_ACK_TIMEOUT_MS); no ack means the server is gone: the guest marks the
 * device broken instead of waiting forever.  One request at a time.
 */
enum ivv_op {
	IVV_OP_NONE		= 0,
	/*
	 * req_val = new device status (virtio status bits).  0 = reset: the
	 * host stops all queues, finishes in-flight requests without touching
	 * the rings again, clears all negotiated state and publishes status 0.
	 * Setting FEATURES_OK makes the host read driver_features once and
	 * validate it: subset of device_features, VIRTIO_F_VERSION_1 and
	 * VIRTIO_F_ACCESS_PLATFORM present.  If invalid, the published status
	 * lacks FEATURES_OK (and ack_result = IVV_ACK_FEATURES).  DRIVER_OK
	 * starts request processing.  The host never clears bits other than
	 * by reset, and sets DEVICE_NEEDS_RESET itself when the guest broke
	 * the rules.
	 */
	IVV_OP_SET_STATUS	= 1,
	/*
	 * req_arg = queue index.  The host reads that queue's size,
	 * msix_vector, desc, driver and device once, checks them (size power
	 * of two <= max_size, alignment desc 16 / driver 2 / device 4, every
	 * ring entirely inside the guest-managed part of the window, vector <
	 * num_vectors or IVV_NO_VECTOR) and sets queues[arg].enabled = 1.
	 * Allowed after FEATURES_OK and before DRIVER_OK (and after DRIVER_OK
	 * for a queue not yet enabled).
	 */
	IVV_OP_QUEUE_ENABLE	= 2,
	/* req_val = MSI-X vector for configuration-change interrupts. */
	IVV_OP_SET_CONFIG_VECTOR = 3,
};

enum ivv_ack_result {
	IVV_ACK_OK		= 0,
	IVV_ACK_INVALID		= 1,	/* bad argument (queue index, vector...) */
	IVV_ACK_FEATURES	= 2,	/* driver_features refused */
	IVV_ACK_STATE		= 3,	/* not allowed in the current status */
	IVV_ACK_BROKEN		= 4,	/* device needs reset; only reset works */
	IVV_ACK_UNKNOWN_OP	= 5,
};

#define IVV_ACK_TIMEOUT_MS	10000

/* ---- host liveness ---------------------------------------------------- */

enum ivv_host_state {
	IVV_HOST_INIT		= 0,	/* header not ready: do not bind */
	IVV_HOST_READY		= 1,	/* server running */
	IVV_HOST_GONE		= 2,	/* server shut down; fail all I/O */
};

/*
 * The host increments ivv_header.heartbeat every IVV_HEARTBEAT_MS while it
 * runs.  A guest that sees it unchanged for IVV_HOST_DEAD_MS while requests
 * are outstanding may declare the server dead and fail the I/O.
 */
#define IVV_HEARTBEAT_MS	100
#define IVV_HOST_DEAD_MS	5000

/* Reasons the host set DEVICE_NEEDS_RESET (ivv_header.broken_reason). */
enum ivv_broken_reason {
	IVV_BROKEN_NONE		= 0,
	IVV_BROKEN_AVAIL_IDX	= 1,	/* avail idx moved more than queue size */
	IVV_BROKEN_DESC		= 2,	/* head/next index out of range, loop */
	IVV_BROKEN_ADDR		= 3,	/* buffer outside the guest window part */
	IVV_BROKEN_CHAIN	= 4,	/* chain too long / bad indirect table */
	IVV_BROKEN_BACKEND	= 5,	/* host I/O layer failed unrecoverably */
	IVV_BROKEN_SHUTDOWN	= 6,	/* server stopped */
};

/* ---- the header page --------------------------------------------------- */

struct ivv_header {
	/* 0x000: host, written once before the guest connects */
	__u8   magic[IVV_MAGIC_LEN];	/* IVV_MAGIC, no NUL */
	__le32 version;			/* IVV_VERSION */
	__le32 header_size;		/* IVV_HEADER_SIZE */
	__le64 window_size;		/* bytes, = BAR2 size */
	__le32 server_peer_id;		/* doorbell target peer id */
	__le32 num_vectors;		/* vectors per peer (QEMU vectors=) */
	__le32 device_id;		/* virtio device id (2 = block) */
	__le32 vendor_id;		/* IVV_VENDOR_ID */
	__le16 num_queues;		/* queues the device offers */
	__le16 config_size;		/* valid bytes of config[] */
	__le32 host_state;		/* enum ivv_host_state */
	__le64 device_features;		/* virtio feature bits offered */

	/* 0x038: host, changes at run time */
	__le32 device_status;		/* accepted status (+NEEDS_RESET) */
	__le32 config_generation;	/* bumped on every config change */
	__le32 heartbeat;		/* see IVV_HEARTBEAT_MS */
	__le32 broken_reason;		/* enum ivv_broken_reason */

	/*
	 * 0x048: host, written once: one virtio shared-memory region (the
	 * transport's get_shm_region()), the window's tail [shm_offset,
	 * shm_offset + shm_len) = [.., window_size).  shm_len 0: none.  The
	 * guest keeps rings and bounce buffers below shm_offset and the host
	 * refuses buffers inside the region.  virtio-fs: shm_id 0, its DAX
	 * cache window (Documentation/ivshmem-fs.rst).
	 */
	__le64 shm_offset;		/* IVV_SHM_ALIGN aligned */
	__le64 shm_len;			/* multiple of IVV_SHM_ALIGN, or 0 */
	__u8   shm_id;			/* virtio shm id */
	__u8   reserved0[0x27];

	/* 0x080: guest */
	__le64 driver_features;		/* read by the host at FEATURES_OK */
	__le16 config_msix_vector;	/* informational; see SET_CONFIG_VECTOR */
	__le16 reserved1[3];
	__le32 req_op;			/* enum ivv_op */
	__le32 req_arg;			/* queue index for QUEUE_ENABLE */
	__le32 req_val;			/* status / vector */
	__le32 req_seq;			/* written last */

	/* 0x0a0: host, handshake acknowledgement */
	__le32 ack_seq;			/* = req_seq once handled */
	__le32 ack_result;		/* enum ivv_ack_result */
	__u8   reserved2[0x58];

	/* 0x100: per-queue table */
	struct ivv_queue queues[IVV_MAX_QUEUES];
	__u8   reserved3[0x100];

	/* 0x400: device-specific config space (e.g. struct virtio_blk_config) */
	__u8   config[IVV_CONFIG_SPACE_SIZE];

	/* 0x500 .. 0xfff: reserved, zero */
	__u8   reserved4[IVV_HEADER_SIZE - 0x500];
};

#define IVV_OFF(f) __builtin_offsetof(struct ivv_header, f)
_Static_assert(sizeof(struct ivv_queue) == 32, "ivv_queue layout");
_Static_assert(sizeof(struct ivv_header) == IVV_HEADER_SIZE, "ivv_header size");
_Static_assert(IVV_OFF(version) == 0x008, "ivv_header layout");
_Static_assert(IVV_OFF(window_size) == 0x010, "ivv_header layout");
_Static_assert(IVV_OFF(server_peer_id) == 0x018, "ivv_header layout");
_Static_assert(IVV_OFF(device_id) == 0x020, "ivv_header layout");
_Static_assert(IVV_OFF(num_queues) == 0x028, "ivv_header layout");
_Static_assert(IVV_OFF(host_state) == 0x02c, "ivv_header layout");
_Static_assert(IVV_OFF(device_features) == 0x030, "ivv_header layout");
_Static_assert(IVV_OFF(device_status) == 0x038, "ivv_header layout");
_Static_assert(IVV_OFF(broken_reason) == 0x044, "ivv_header layout");
_Static_assert(IVV_OFF(shm_offset) == 0x048, "ivv_header layout");
_Static_assert(IVV_OFF(shm_id) == 0x058, "ivv_header layout");
_Static_assert(IVV_OFF(driver_features) == 0x080, "ivv_header layout");
_Static_assert(IVV_OFF(req_op) == 0x090, "ivv_header layout");
_Static_assert(IVV_OFF(req_seq) == 0x09c, "ivv_header layout");
_Static_assert(IVV_OFF(ack_seq) == 0x0a0, "ivv_header layout");
_Static_assert(IVV_OFF(queues) == 0x100, "ivv_header layout");
_Static_assert(IVV_OFF(config) == 0x400, "ivv_header layout");

/* ---- split virtqueue sizes in the window (virtio 1.x, 2.7) ------------- */

/* Bytes of each ring part for a queue of size n, with VIRTIO_RING_F_EVENT_IDX
 * space always included (used_event / avail_event trailers). */
#define IVV_DESC_BYTES(n)	(16ull * (n))
#define IVV_AVAIL_BYTES(n)	(6ull + 2ull * (n))
#define IVV_USED_BYTES(n)	(6ull + 8ull * (n))
#define IVV_DESC_ALIGN		16
#define IVV_AVAIL_ALIGN		2
#define IVV_USED_ALIGN		4

#endif /* IVSHMEM_VIRTIO_H */
