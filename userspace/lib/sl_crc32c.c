// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace crc32c (Castagnoli, reflected polynomial 0x82f63b78), with the
 * same convention as the kernel's crc32c(): the caller passes the seed, no
 * inversion happens inside.  Slicing-by-1 table, built on first use.
 */
#include "sl_compat.h"

#define SL_CRC32C_POLY 0x82f63b78u

static u32 sl_crc_table[256];
static int sl_crc_table_ready;

static void sl_crc_table_init(void)
{
	u32 i, bit, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ ((c & 1) ? SL_CRC32C_POLY : 0);
		sl_crc_table[i] = c;
	}
	__atomic_store_n(&sl_crc_table_ready, 1, __ATOMIC_RELEASE);
}

u32 sl_crc32c(u32 seed, const void *buf, size_t len)
{
	const u8 *p = buf;
	u32 c = seed;

	if (!__atomic_load_n(&sl_crc_table_ready, __ATOMIC_ACQUIRE))
		sl_crc_table_init();
	while (len--)
		c = sl_crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}
