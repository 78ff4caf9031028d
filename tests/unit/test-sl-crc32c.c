// SPDX-License-Identifier: GPL-2.0
/* crc32c: the userspace table implementation against published vectors. */
#include "../lib/sl_test.h"
#include <string.h>

static u32 crc_std(const void *p, size_t n)
{
	return sl_crc32c(0xffffffffu, p, n) ^ 0xffffffffu;
}

int main(void)
{
	u8 buf[48];
	u32 i, a, b;

	SECTION("crc32c check value of \"123456789\" (0xe3069283)");
	CHECK(crc_std("123456789", 9) == 0xe3069283u, "got %08x", crc_std("123456789", 9));
	SECTION("RFC 3720 B.4 vectors: 32 zero bytes, 32 0xff bytes, 0..31 ascending");
	memset(buf, 0, 32);
	CHECK(crc_std(buf, 32) == 0x8a9136aau, "zeros: %08x", crc_std(buf, 32));
	memset(buf, 0xff, 32);
	CHECK(crc_std(buf, 32) == 0x62a8ab43u, "ones: %08x", crc_std(buf, 32));
	for (i = 0; i < 32; i++)
		buf[i] = (u8)i;
	CHECK(crc_std(buf, 32) == 0x46dd794eu, "ascending: %08x", crc_std(buf, 32));
	SECTION("chaining: crc(a+b) == crc(b, seed = crc(a)) like the kernel's crc32c()");
	for (i = 0; i < 48; i++)
		buf[i] = (u8)(i * 7 + 3);
	a = sl_crc32c(SL_CRC_SEED, buf, 48);
	b = sl_crc32c(sl_crc32c(SL_CRC_SEED, buf, 13), buf + 13, 35);
	CHECK(a == b, "%08x != %08x", a, b);
	SECTION("empty input returns the seed");
	CHECK(sl_crc32c(0x1234u, buf, 0) == 0x1234u, "seed not returned");
	return sl_test_done("test-sl-crc32c");
}
