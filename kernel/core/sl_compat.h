/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_compat.h - the few kernel services the portable stripelog core uses,
 * mapped onto the kernel (when __KERNEL__ is defined) or onto libc.
 *
 * The core never locks, never sleeps on I/O and never touches bios: the
 * caller (kernel glue, CLI, tests, crash simulator) serialises every call
 * into one engine instance.  Allocation goes through sl_alloc()/sl_zalloc(),
 * which in the kernel is kvmalloc(GFP_NOIO): it may sleep, so the glue must
 * hold a mutex (not a spinlock) around core calls that are documented as
 * "may allocate".
 */
#ifndef SL_COMPAT_H
#define SL_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <asm/byteorder.h>

/* dm-stripelog-crc.c: crc32c() through the implementation measured fastest. */
u32 slg_crc32c(u32 seed, const void *buf, size_t len);

static inline u32 sl_crc32c(u32 seed, const void *buf, size_t len)
{
	return slg_crc32c(seed, buf, len);
}

static inline void *sl_alloc(size_t size)
{
	return kvmalloc(size, GFP_NOIO);
}

static inline void *sl_zalloc(size_t size)
{
	return kvzalloc(size, GFP_NOIO);
}

static inline void sl_free(void *p)
{
	kvfree(p);
}

static inline void sl_random_bytes(void *buf, size_t len)
{
	get_random_bytes(buf, len);
}

static inline u64 sl_now_seconds(void)
{
	return (u64)ktime_get_real_seconds();
}

#else /* userspace */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>
#include <endian.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
/* __le16/32/64 come from the UAPI header (plain integers without sparse). */
#include <linux/types.h>

#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef EUCLEAN
#define EUCLEAN 117
#endif

#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))

/* userspace/lib/sl_crc32c.c: Castagnoli CRC, no pre/post inversion (like crc32c()). */
u32 sl_crc32c(u32 seed, const void *buf, size_t len);
/* userspace/lib/sl_sys.c */
void sl_random_bytes(void *buf, size_t len);
u64 sl_now_seconds(void);

static inline void *sl_alloc(size_t size)
{
	return malloc(size ? size : 1);
}

static inline void *sl_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

static inline void sl_free(void *p)
{
	free(p);
}

#endif /* __KERNEL__ */

/* Block size of every on-disk structure and of the logical volume. */
#define SL_BLOCK_SHIFT		12
#define SL_BLOCK_SIZE		(1u << SL_BLOCK_SHIFT)
#define SL_SECTORS_PER_BLOCK	(SL_BLOCK_SIZE >> 9)

/* Standard seed for all stripelog checksums (stored without final inversion). */
#define SL_CRC_SEED		0xffffffffu

#endif /* SL_COMPAT_H */
