// SPDX-License-Identifier: GPL-2.0
/*
 * Stripe geometry (sl_stripe): the worked 4+2 table of
 * Documentation/stripelog-erasure-coding.rst, parity rotation balanced over
 * any k + m consecutive rows (also across segment boundaries), every row a
 * permutation of the legs, data block <-> leg block round trips over whole
 * segments for every k/m, agreement with sl_seg_locate() where the two are
 * defined alike, and refusal of bad geometries and out-of-range addresses.
 */
#include "../lib/sl_test.h"
#include "sl_stripe.h"
#include "sl_format.h"
#include <string.h>

int sl_test_failures;

/* Role letter of chunk index @idx: '0'.. data, 'P', 'Q'. */
static char role(const struct sl_stripe *st, u32 idx)
{
	if (idx < st->k)
		return (char)('0' + idx);
	return idx == st->k ? 'P' : 'Q';
}

static void test_worked_table(void)
{
	/* Row g, leg 0..5 of a 4+2 volume, as printed in the documentation. */
	static const char *const rows[] = {
		"PQ0123", "3PQ012", "23PQ01", "123PQ0", "0123PQ", "Q0123P", "PQ0123",
	};
	struct sl_stripe st;
	char got[7];
	u32 g, leg;

	SECTION("worked 4+2 table");
	CHECK(sl_stripe_init(&st, 4, 2, 16, 64, 256, 10, NULL) == 0, "init");
	for (g = 0; g < ARRAY_SIZE(rows); g++) {
		for (leg = 0; leg < 6; leg++)
			got[leg] = role(&st, sl_stripe_leg_chunk(&st, g, leg));
		got[6] = 0;
		CHECK(!strcmp(got, rows[g]), "row %u: %s, expected %s", g, got, rows[g]);
	}
	/* rows_per_seg = 4: segment 1 row 0 is global row 4 */
	for (leg = 0; leg < 6; leg++)
		got[leg] = role(&st, sl_stripe_leg_chunk(&st, sl_stripe_grow(&st, 1, 0), leg));
	CHECK(!strcmp(got, rows[4]), "segment 1 row 0: %s", got);
	CHECK(sl_stripe_row_block(&st, 1, 2) == 256 + 64 + 32, "row block");
}

static void test_rotation(u32 k, u32 m)
{
	struct sl_stripe st;
	u32 n = k + m, count[SL_MAX_LEGS][SL_MAX_LEGS], legs[SL_MAX_LEGS];
	u64 g0, g;
	u32 i, j;

	CHECK(sl_stripe_init(&st, k, m, 4, 12, 256, 7, NULL) == 0, "init %u+%u", k, m);
	/* windows starting anywhere, including ones that straddle segments */
	for (g0 = 0; g0 < 2 * n + 3; g0 += 1 + g0 % 3) {
		memset(count, 0, sizeof(count));
		for (g = g0; g < g0 + n; g++) {
			u32 used = 0;

			sl_stripe_row_legs(&st, g, legs);
			for (i = 0; i < n; i++) {
				CHECK(legs[i] < n, "leg range");
				CHECK(!(used & (1u << legs[i])), "%u+%u row %llu: leg %u twice", k, m,
				      (unsigned long long)g, legs[i]);
				used |= 1u << legs[i];
				CHECK(sl_stripe_leg_chunk(&st, g, legs[i]) == i, "inverse");
				count[legs[i]][i]++;
			}
		}
		/* each leg held each chunk role (P, Q, every data index) exactly once */
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				CHECK(count[i][j] == 1, "%u+%u from row %llu: leg %u chunk %u held %u times",
				      k, m, (unsigned long long)g0, i, j, count[i][j]);
	}
}

static void test_round_trips(u32 k, u32 m, u32 unit, u32 seg_leg)
{
	struct sl_stripe st;
	struct sl_stripe_pos pos;
	u64 seg, blk, lb, nr_seg = 3, seg_start = 100;
	u32 leg, data = 0, parity[2] = { 0, 0 };

	CHECK(sl_stripe_init(&st, k, m, unit, seg_leg, seg_start, nr_seg, NULL) == 0, "init");
	for (seg = 0; seg < nr_seg; seg++)
		for (blk = 0; blk < (u64)k * seg_leg; blk++) {
			CHECK(sl_stripe_map_block(&st, seg, blk, &leg, &lb) == 0, "map");
			CHECK(lb >= seg_start + seg * seg_leg && lb < seg_start + (seg + 1) * seg_leg,
			      "block outside its segment");
			CHECK(sl_stripe_unmap(&st, leg, lb, &pos) == 0, "unmap");
			CHECK(pos.seg == seg && pos.idx < k && pos.blk == blk,
			      "%u+%u seg %llu blk %llu -> leg %u block %llu -> seg %llu blk %llu",
			      k, m, (unsigned long long)seg, (unsigned long long)blk, leg,
			      (unsigned long long)lb, (unsigned long long)pos.seg,
			      (unsigned long long)pos.blk);
			if (blk % unit == 0) {
				u32 l2;
				u64 b2;

				CHECK(sl_stripe_map_chunk(&st, seg, (u32)(blk / unit), &l2, &b2) == 0 &&
				      l2 == leg && b2 == lb, "chunk map");
			}
		}
	/* every leg block of the segment area is data or parity, in the right amounts */
	for (leg = 0; leg < k + m; leg++)
		for (lb = seg_start; lb < seg_start + nr_seg * seg_leg; lb++) {
			u32 l2;
			u64 b2;

			CHECK(sl_stripe_unmap(&st, leg, lb, &pos) == 0, "unmap");
			if (pos.idx < k) {
				data++;
				CHECK(sl_stripe_map_block(&st, pos.seg, pos.blk, &l2, &b2) == 0 &&
				      l2 == leg && b2 == lb, "inverse round trip");
			} else {
				CHECK(pos.idx - k < m, "parity index %u with m=%u", pos.idx, m);
				parity[pos.idx - k]++;
				CHECK(sl_stripe_chunk_leg(&st, pos.grow, pos.idx) == leg, "parity leg");
			}
			CHECK(sl_stripe_row_block(&st, pos.seg, pos.row) + pos.off == lb, "row block");
		}
	CHECK(data == nr_seg * k * seg_leg, "%u+%u: %u data blocks", k, m, data);
	CHECK(parity[0] == (m >= 1 ? nr_seg * seg_leg : 0), "P blocks %u", parity[0]);
	CHECK(parity[1] == (m == 2 ? nr_seg * seg_leg : 0), "Q blocks %u", parity[1]);
}

/*
 * sl_seg_locate() (used by the engine, recovery and the CLI) is the stripe
 * map: they agree on every block of every segment, including segments whose
 * first global row is not a multiple of k + m (12 rows over 5 or 6 legs).
 */
static void test_matches_seg_locate(u32 k, u32 m)
{
	struct sl_geometry geo;
	struct sl_stripe st;
	u64 blk, lb, lb2, seg;
	u32 leg, leg2;

	memset(&geo, 0, sizeof(geo));
	geo.k = k;
	geo.m = m;
	geo.stripe_unit_blocks = 4;
	geo.seg_leg_blocks = 48;
	geo.seg_start = 256;
	geo.nr_segments = 4;
	CHECK(sl_stripe_from_geometry(&st, &geo, NULL) == 0, "from geometry");
	for (seg = 0; seg < geo.nr_segments; seg++) {
		for (blk = 0; blk < (u64)k * geo.seg_leg_blocks; blk++) {
			sl_seg_locate(&geo, seg, blk, &leg, &lb);
			CHECK(sl_stripe_map_block(&st, seg, blk, &leg2, &lb2) == 0, "map");
			CHECK(leg == leg2 && lb == lb2,
			      "%u+%u seg %llu blk %llu: seg_locate leg %u blk %llu, stripe leg %u blk %llu",
			      k, m, (unsigned long long)seg, (unsigned long long)blk, leg,
			      (unsigned long long)lb, leg2, (unsigned long long)lb2);
		}
	}
	/* k=1, m=0 (the layout of volumes made before erasure coding): contiguous */
	if (k == 1 && m == 0)
		for (blk = 0; blk < 3 * (u64)geo.seg_leg_blocks; blk++) {
			sl_seg_locate(&geo, blk / 48, blk % 48, &leg, &lb);
			CHECK(leg == 0 && lb == 256 + blk, "1+0 block %llu", (unsigned long long)blk);
		}
}

static void test_refusals(void)
{
	struct sl_stripe st;
	struct sl_stripe_pos pos;
	const char *why = NULL;
	u32 leg;
	u64 lb;

	SECTION("bad geometry and out-of-range addresses");
	CHECK(sl_stripe_init(&st, 0, 1, 16, 64, 1, 4, &why) == -EINVAL && why, "k=0");
	CHECK(sl_stripe_init(&st, 4, 3, 16, 64, 1, 4, NULL) == -EINVAL, "m=3");
	CHECK(sl_stripe_init(&st, 15, 2, 16, 64, 1, 4, NULL) == -EINVAL, "k+m=17");
	CHECK(sl_stripe_init(&st, 4, 2, 0, 64, 1, 4, NULL) == -EINVAL, "unit 0");
	CHECK(sl_stripe_init(&st, 4, 2, 16, 72, 1, 4, NULL) == -EINVAL, "not a multiple");
	CHECK(sl_stripe_init(&st, 4, 2, 16, 64, 1, 0, NULL) == -EINVAL, "no segments");
	CHECK(sl_stripe_init(&st, 4, 2, 16, 64, ~0ull - 100, 4, NULL) == -EINVAL, "overflow");
	CHECK(sl_stripe_init(&st, 14, 2, 1u << 28, 1u << 28, 1, 4, NULL) == -EINVAL, "too big");
	CHECK(sl_stripe_init(&st, 4, 2, 16, 64, 256, 4, NULL) == 0, "good");
	CHECK(sl_stripe_map_block(&st, 4, 0, &leg, &lb) == -ERANGE, "segment past the end");
	CHECK(sl_stripe_map_block(&st, 0, 4 * 64, &leg, &lb) == -ERANGE, "block past the end");
	CHECK(sl_stripe_map_chunk(&st, 0, 4 * 4, &leg, &lb) == -ERANGE, "chunk past the end");
	CHECK(sl_stripe_unmap(&st, 6, 300, &pos) == -ERANGE, "leg 6 of 6");
	CHECK(sl_stripe_unmap(&st, 0, 0, &pos) == -ERANGE, "leg superblock");
	CHECK(sl_stripe_unmap(&st, 0, 255, &pos) == -ERANGE, "before the segments");
	CHECK(sl_stripe_unmap(&st, 0, 256 + 4 * 64, &pos) == -ERANGE, "after the segments");
	CHECK(sl_stripe_unmap(&st, 5, 256 + 4 * 64 - 1, &pos) == 0, "last block");
}

int main(void)
{
	u32 k, m;

	test_worked_table();
	SECTION("rotation, round trips and sl_seg_locate agreement for every k/m");
	for (m = 0; m <= 2; m++)
		for (k = 1; k + m <= SL_MAX_LEGS; k++) {
			test_rotation(k, m);
			test_round_trips(k, m, 4, 12);
			test_round_trips(k, m, 1, 3);
			test_matches_seg_locate(k, m);
		}
	test_refusals();
	return sl_test_done("test-sl-stripe");
}
