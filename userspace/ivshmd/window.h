/* SPDX-License-Identifier: GPL-2.0 */
/* window.h - the shared-memory window (memfd) and its bounds checks. */
#ifndef IVSHMD_WINDOW_H
#define IVSHMD_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "ivshmem_virtio.h"

struct ivd_window {
	int fd;			/* memfd, -1 for a wrapped buffer */
	uint8_t *base;
	uint64_t size;
	/*
	 * End of the guest-managed part (rings, bounce buffers): size, or the
	 * start of the shared-memory region (ivd_window_reserve_shm()).
	 */
	uint64_t guest_end;
};

/* Create a sealed memfd of @size bytes (power of two within the IVV_WINDOW
 * limits) and map it.  Returns 0 or -errno. */
int ivd_window_create(struct ivd_window *w, uint64_t size);
/* Use caller memory as the window (tests, fuzzing). */
void ivd_window_wrap(struct ivd_window *w, void *buf, uint64_t size);
void ivd_window_destroy(struct ivd_window *w);
/*
 * Can the last @len bytes of a @size-byte window be the virtio shared-memory
 * region?  A non-zero multiple of IVV_SHM_ALIGN, leaving at least
 * IVD_SHM_MIN_GUEST bytes for the guest's rings and buffers.
 */
#define IVD_SHM_MIN_GUEST	(16ull << 20)
static inline bool ivd_shm_len_ok(uint64_t size, uint64_t len)
{
	return len && !(len % IVV_SHM_ALIGN) && len < size && size - len >= IVD_SHM_MIN_GUEST;
}

/* Reserve the last @len bytes as that region.  Returns 0 or -EINVAL. */
int ivd_window_reserve_shm(struct ivd_window *w, uint64_t len);

static inline struct ivv_header *ivd_window_hdr(const struct ivd_window *w)
{
	return (struct ivv_header *)w->base;
}

/*
 * True when [off, off + len) lies inside the guest-managed part of the
 * window, [IVV_HEADER_SIZE, guest_end), without overflow.  Zero-length
 * ranges must still start inside it.
 */
static inline bool ivd_window_range_ok(const struct ivd_window *w, uint64_t off, uint64_t len)
{
	if (off < IVV_HEADER_SIZE || off >= w->guest_end)
		return false;
	return len <= w->guest_end - off;
}

bool ivd_is_pow2(uint64_t v);

#endif
