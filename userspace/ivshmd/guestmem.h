/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guestmem.h - the only way ivshmd touches guest-writable memory.
 *
 * Every load is a single (relaxed atomic, hence volatile) naturally aligned
 * access, so a field the guest rewrites concurrently is read exactly once
 * into a private copy; callers validate the copy, never the window.  Callers
 * guarantee alignment and bounds (ring_validate.c checks them first).
 */
#ifndef IVSHMD_GUESTMEM_H
#define IVSHMD_GUESTMEM_H

#include <endian.h>
#include <stdint.h>
#include <stddef.h>

static inline uint16_t gm_ld16(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static inline uint32_t gm_ld32(const void *p)
{
	return le32toh(__atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED));
}

static inline uint64_t gm_ld64(const void *p)
{
	return le64toh(__atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED));
}

static inline void gm_st8(void *p, uint8_t v)
{
	__atomic_store_n((uint8_t *)p, v, __ATOMIC_RELAXED);
}

static inline void gm_st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

static inline void gm_st32(void *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

static inline void gm_st64(void *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, htole64(v), __ATOMIC_RELAXED);
}

/* Copy bytes out of the window one volatile byte at a time (small headers). */
static inline void gm_copy_in(void *dst, const void *src, size_t len)
{
	const volatile uint8_t *s = src;
	uint8_t *d = dst;

	while (len--)
		*d++ = *s++;
}

/* Copy bytes into the window. */
static inline void gm_copy_out(void *dst, const void *src, size_t len)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	while (len--)
		*d++ = *s++;
}

#define gm_acquire()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define gm_release()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define gm_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
