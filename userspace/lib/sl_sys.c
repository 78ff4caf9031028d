// SPDX-License-Identifier: GPL-2.0
/* Userspace side of sl_compat.h: randomness and wall-clock time. */
#include "sl_compat.h"
#include <sys/random.h>
#include <time.h>

void sl_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n <= 0) {
			/* Never fails on Linux >= 3.17 for small sizes; fall back anyway. */
			size_t i;

			for (i = 0; i < len; i++)
				p[i] = (u8)rand();
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

u64 sl_now_seconds(void)
{
	return (u64)time(NULL);
}
