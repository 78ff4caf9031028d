// SPDX-License-Identifier: GPL-2.0
/*
 * test-sl-segimg.c - a destage laid out as full stripe rows (sl_segimg):
 * for every k/m (k + m <= 16) and several stripe units and fills, every
 * summary and data block lands exactly where sl_seg_locate() (the read path)
 * looks for it, padding and parity chunks are written, the parity of every
 * row verifies with sl_ec, any m chunks of a row rebuild from the others,
 * and the row count is the smallest that holds the write.
 */
#include "../lib/sl_test.h"
#include "sl_segimg.h"
#include "sl_ec.h"
#include "sl_format.h"
#include <string.h>

int sl_test_failures;

static u32 rng = 12345;

static u32 rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void fill_block(u8 *b, u32 tag)
{
	u32 i;

	for (i = 0; i < SL_BLOCK_SIZE; i += 4)
		memcpy(b + i, &tag, 4), tag = tag * 2654435761u + 1;
}

static void one(u32 k, u32 m, u32 unit, u64 seg, u32 sum_blocks, u32 nr_data)
{
	struct sl_geometry geo;
	struct sl_stripe st;
	u32 rows, row, b, leg, i, j;
	size_t unit_bytes = (size_t)unit * SL_BLOCK_SIZE;
	u8 *sum, *bank, *img, *save;
	void *ptrs[SL_EC_MAX_CHUNKS];
	u64 lb, base;
	u32 bad;

	memset(&geo, 0, sizeof(geo));
	geo.k = k;
	geo.m = m;
	geo.stripe_unit_blocks = unit;
	geo.seg_leg_blocks = unit * 6;
	geo.seg_start = 256;
	geo.nr_segments = 8;
	CHECK(!sl_stripe_from_geometry(&st, &geo, NULL), "stripe");
	if (sum_blocks + nr_data > k * geo.seg_leg_blocks)
		nr_data = k * geo.seg_leg_blocks - sum_blocks;
	rows = sl_segimg_rows(&st, sum_blocks, nr_data);
	CHECK(rows * k * unit >= sum_blocks + nr_data &&
	      (rows - 1) * k * unit < sum_blocks + nr_data, "%u+%u: %u rows for %u blocks", k, m,
	      rows, sum_blocks + nr_data);
	sum = malloc((size_t)sum_blocks * SL_BLOCK_SIZE);
	bank = malloc((size_t)(nr_data ? nr_data : 1) * SL_BLOCK_SIZE);
	img = malloc((size_t)st.n * sl_segimg_leg_bytes(&st, rows));
	save = malloc(unit_bytes * SL_EC_MAX_PARITY);
	for (b = 0; b < sum_blocks; b++)
		fill_block(sum + (size_t)b * SL_BLOCK_SIZE, 0x5000 + b);
	for (b = 0; b < nr_data; b++)
		fill_block(bank + (size_t)b * SL_BLOCK_SIZE, 0xd000 + b);
	memset(img, 0xa5, (size_t)st.n * sl_segimg_leg_bytes(&st, rows));
	sl_segimg_fill(&st, seg, rows, sum, sum_blocks, bank, nr_data, img);
	CHECK(!sl_segimg_gen_parity(&st, seg, rows, img), "gen");

	/* Every segment-logical block of the rows, where the read path looks. */
	base = sl_stripe_row_block(&st, seg, 0);
	for (b = 0; b < rows * k * unit; b++) {
		u8 want[SL_BLOCK_SIZE];
		const u8 *got;

		sl_seg_locate(&geo, seg, b, &leg, &lb);
		CHECK(leg < st.n && lb >= base && lb < base + (u64)rows * unit, "locate %u", b);
		got = img + ((size_t)leg * rows * unit + (lb - base)) * SL_BLOCK_SIZE;
		if (b < sum_blocks)
			fill_block(want, 0x5000 + b);
		else if (b - sum_blocks < nr_data)
			fill_block(want, 0xd000 + b - sum_blocks);
		else
			memset(want, 0, sizeof(want));
		CHECK(!memcmp(got, want, SL_BLOCK_SIZE), "%u+%u unit %u seg %llu: block %u wrong",
		      k, m, unit, (unsigned long long)seg, b);
	}
	for (row = 0; row < rows; row++) {
		sl_segimg_row_ptrs(&st, seg, rows, img, row, ptrs);
		/* Pointers name each leg's chunk once, in sl_ec order. */
		for (i = 0; i < st.n; i++)
			CHECK(ptrs[i] == sl_segimg_chunk(&st, rows, img,
							 sl_stripe_chunk_leg(&st,
							 sl_stripe_grow(&st, seg, row), i), row),
			      "ptr %u", i);
		CHECK(!sl_ec_verify(k, m, unit_bytes, ptrs, &bad) && !bad,
		      "%u+%u row %u parity bad %x", k, m, row, bad);
		if (!m)
			continue;
		/* Lose m random distinct chunks and rebuild them. */
		{
			int failed[SL_EC_MAX_PARITY];

			failed[0] = (int)(rnd() % st.n);
			failed[1] = (int)((failed[0] + 1 + rnd() % (st.n - 1)) % st.n);
			for (j = 0; j < m; j++) {
				memcpy(save + j * unit_bytes, ptrs[failed[j]], unit_bytes);
				memset(ptrs[failed[j]], 0x3c, unit_bytes);
			}
			CHECK(!sl_ec_recover(k, m, unit_bytes, ptrs, failed, (int)m), "recover");
			for (j = 0; j < m; j++)
				CHECK(!memcmp(save + j * unit_bytes, ptrs[failed[j]], unit_bytes),
				      "%u+%u row %u chunk %d not rebuilt", k, m, row, failed[j]);
		}
	}
	free(sum);
	free(bank);
	free(img);
	free(save);
}

int main(void)
{
	static const u32 units[] = { 1, 2, 16 };
	u32 k, m, u;

	SECTION("every k/m: blocks where the read path looks, parity verifies, m losses rebuild");
	for (m = 0; m <= 2; m++)
		for (k = 1; k + m <= SL_MAX_LEGS; k++)
			for (u = 0; u < ARRAY_SIZE(units); u++) {
				one(k, m, units[u], 0, 3, 1);
				one(k, m, units[u], 5, 3, rnd() % (k * units[u] * 6));
				one(k, m, units[u], 7, 1, k * units[u] * 6);	/* whole segment */
			}
	SECTION("no rows for an empty write");
	{
		struct sl_stripe st;

		CHECK(!sl_stripe_init(&st, 4, 2, 16, 64, 256, 4, NULL), "init");
		CHECK(sl_segimg_rows(&st, 0, 0) == 0, "0 rows");
		CHECK(sl_segimg_rows(&st, 3, 61) == 1, "exactly one row");
		CHECK(sl_segimg_rows(&st, 3, 62) == 2, "one block more");
	}
	return sl_test_done("test-sl-segimg");
}
