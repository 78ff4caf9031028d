// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz sl_ec and sl_stripe with arbitrary parameters: any k/m (valid or not),
 * any chunk length, any failure list (out of range, repeated, too many);
 * valid cases must rebuild the original bytes, invalid ones must be refused
 * without writing.  Stripe geometry: any parameters, any leg block; a mapped
 * block must map back.
 */
#include "sl_ec.h"
#include "sl_stripe.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_stripe(const u8 *d, size_t n)
{
	struct sl_stripe st;
	struct sl_stripe_pos pos;
	u64 v[4] = { 0, 0, 0, 0 }, lb;
	u32 leg2;

	if (n < 6 + sizeof(v))
		return;
	memcpy(v, d + 6, sizeof(v));
	if (sl_stripe_init(&st, d[0] % 20, d[1] % 4, 1u << (d[2] % 10), (d[3] + 1) << (d[4] % 12),
			   v[0] >> (d[5] % 64), v[1] >> 40, NULL))
		return;
	if (sl_stripe_unmap(&st, (u32)v[2] % 20, v[3], &pos))
		return;
	if (sl_stripe_leg_chunk(&st, pos.grow, (u32)v[2] % 20) != pos.idx)
		abort();
	if (pos.idx < st.k) {
		if (sl_stripe_map_block(&st, pos.seg, pos.blk, &leg2, &lb) ||
		    leg2 != (u32)v[2] % 20 || lb != v[3])
			abort();
	} else if (sl_stripe_chunk_leg(&st, pos.grow, pos.idx) != (u32)v[2] % 20) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 k, m, i, total;
	int failed[4], nf, ret, bad_index = 0;
	size_t len, hdr = 8;
	u8 *buf, *orig;
	void *chunks[SL_EC_MAX_CHUNKS + 4];

	fuzz_stripe(data, size);
	if (size < hdr)
		return 0;
	k = data[0] % 18;
	m = data[1] % 4;
	len = 1 + data[2] % 64;
	nf = data[3] % 4;
	for (i = 0; i < 4; i++)
		failed[i] = (int)(data[4 + i] % 20) - 1;
	total = k + m;
	if (total > SL_EC_MAX_CHUNKS + 2)
		return 0;
	buf = calloc(total + 1, len);
	orig = calloc(total + 1, len);
	for (i = 0; i < total; i++) {
		size_t j;

		chunks[i] = buf + i * len;
		for (j = 0; j < len; j++)
			buf[i * len + j] = size > hdr ? data[hdr + (i * len + j) % (size - hdr)] : 0;
	}
	ret = sl_ec_gen(k, m, len, chunks);
	if (ret != (sl_ec_params_ok(k, m) ? 0 : -EINVAL))
		abort();
	memcpy(orig, buf, total * len);
	for (i = 0; i < (u32)nf; i++) {
		u32 j;

		if (failed[i] < 0 || (u32)failed[i] >= total)
			bad_index = 1;
		for (j = 0; j < i; j++)
			if (failed[j] == failed[i])
				bad_index = 1;
	}
	if (ret == 0 && !bad_index)
		for (i = 0; i < (u32)nf; i++)
			memset(buf + failed[i] * len, 0x5a, len);
	ret = sl_ec_recover(k, m, len, chunks, failed, nf);
	if (!sl_ec_params_ok(k, m) || bad_index) {
		if (ret != -EINVAL)
			abort();
	} else if ((u32)nf > m) {
		if (ret != -EIO)
			abort();
		/* refused: the scribbled chunks stay scribbled, the rest untouched */
		for (i = 0; i < total; i++) {
			int lost = 0, j;

			for (j = 0; j < nf; j++)
				lost |= failed[j] == (int)i;
			if (!lost && memcmp(buf + i * len, orig + i * len, len))
				abort();
		}
	} else if (ret != 0 || memcmp(buf, orig, total * len)) {
		abort();
	}
	free(buf);
	free(orig);
	return 0;
}
