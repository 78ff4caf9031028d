// SPDX-License-Identifier: GPL-2.0
/*
 * Erasure coding (sl_ec): GF(2^8) arithmetic against an independent
 * carry-less multiply + polynomial long division, known-answer vectors worked
 * out by hand, P/Q of every k/m against a byte-by-byte reference built only
 * from that independent multiply (so a wrong coefficient order, generator or
 * polynomial fails here), and every single and double loss pattern of every
 * k in 1..16, m in 0..2, k + m <= 16 recovered to the original bytes.
 */
#include "../lib/sl_test.h"
#include "sl_ec.h"
#include <string.h>

int sl_test_failures;

/* ---- independent reference: polynomial product, then reduce by 0x11d ---- */
static u8 ref_mul(u8 a, u8 b)
{
	u32 prod = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (b & (1u << i))
			prod ^= (u32)a << i;
	for (i = 14; i >= 8; i--)
		if (prod & (1u << i))
			prod ^= 0x11du << (i - 8);
	return (u8)prod;
}

static u8 ref_pow2(u32 n)
{
	u8 r = 1;

	while (n--)
		r = ref_mul(r, 2);
	return r;
}

static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill(u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (u8)rnd();
}

static void test_gf(void)
{
	static const u8 first_powers[16] = {
		0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80,
		0x1d, 0x3a, 0x74, 0xe8, 0xcd, 0x87, 0x13, 0x26,
	};
	u8 seen[256] = { 0 }, tbl[256];
	u32 a, b, i, bad = 0;

	SECTION("GF(2^8) known answers and field properties");
	for (i = 0; i < 16; i++)
		CHECK(sl_gf_exp(i) == first_powers[i], "g^%u = %02x", i, sl_gf_exp(i));
	CHECK(sl_gf_exp(255) == 1 && sl_gf_exp(256) == 2, "period 255");
	CHECK(sl_gf_inv(2) == 0x8e, "inv(2) = %02x", sl_gf_inv(2));
	CHECK(sl_gf_inv(1) == 1 && sl_gf_inv(0) == 0, "inv(1), inv(0)");
	CHECK(ref_mul(0x80, 2) == 0x1d && ref_mul(0xff, 2) == 0xe3, "reference multiply");
	/* {02} generates the whole multiplicative group */
	for (i = 0; i < 255; i++) {
		u8 v = sl_gf_exp(i);

		CHECK(v == ref_pow2(i), "g^%u", i);
		CHECK(!seen[v], "g^%u repeats", i);
		seen[v] = 1;
	}
	CHECK(!seen[0], "0 is no power");
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			if (sl_gf_mul((u8)a, (u8)b) != ref_mul((u8)a, (u8)b))
				bad++;
	CHECK(!bad, "%u products differ from the reference", bad);
	for (a = 1; a < 256; a++)
		CHECK(ref_mul((u8)a, sl_gf_inv((u8)a)) == 1, "inv(%02x)", a);
	for (a = 0; a < 256; a += 17) {
		sl_gf_mul_table((u8)a, tbl);
		for (b = 0; b < 256; b++)
			CHECK(tbl[b] == ref_mul((u8)a, (u8)b), "table %02x[%02x]", a, b);
	}
}

/* Byte-by-byte P and Q from the reference multiply only. */
static void ref_pq(u32 k, size_t len, u8 **d, u8 *p, u8 *q)
{
	size_t off;
	u32 i;

	for (off = 0; off < len; off++) {
		u8 pv = 0, qv = 0;

		for (i = 0; i < k; i++) {
			pv ^= d[i][off];
			qv ^= ref_mul(ref_pow2(i), d[i][off]);
		}
		p[off] = pv;
		q[off] = qv;
	}
}

static void test_hand_vectors(void)
{
	u8 d[4][3], p[3], q[3];
	void *c[6] = { d[0], d[1], d[2], p, q };

	SECTION("hand-computed syndromes");
	/* k = 3: bytes 0x80 in all: P = 80, Q = 80 ^ 2*80 ^ 4*80 = 80 ^ 1d ^ 3a = a7 */
	memset(d, 0x80, sizeof(d));
	CHECK(sl_ec_gen(3, 2, 1, c) == 0, "gen");
	CHECK(p[0] == 0x80 && q[0] == 0xa7, "P %02x Q %02x", p[0], q[0]);
	/* chunk i alone contributes g^i: D1 = 01 -> Q = 02; D2 = 01 -> Q = 04 */
	memset(d, 0, sizeof(d));
	d[0][0] = 1;
	d[1][1] = 1;
	d[2][2] = 1;
	CHECK(sl_ec_gen(3, 2, 3, c) == 0, "gen");
	CHECK(q[0] == 1 && q[1] == 2 && q[2] == 4, "Q %02x %02x %02x", q[0], q[1], q[2]);
	CHECK(p[0] == 1 && p[1] == 1 && p[2] == 1, "P");
	/* k = 2: D0 = 00, D1 = ff -> P = ff, Q = 2 * ff = 1fe mod 11d = e3 */
	memset(d, 0, sizeof(d));
	d[1][0] = 0xff;
	CHECK(sl_ec_gen(2, 2, 1, (void *[]){ d[0], d[1], p, q }) == 0, "gen");
	CHECK(p[0] == 0xff && q[0] == 0xe3, "P %02x Q %02x", p[0], q[0]);
	/* k = 1, m = 2 is a three-way mirror */
	d[0][0] = 0x5a;
	CHECK(sl_ec_gen(1, 2, 1, (void *[]){ d[0], p, q }) == 0, "gen");
	CHECK(p[0] == 0x5a && q[0] == 0x5a, "mirror");
}

/* Buffers of one stripe row: chunks plus a pristine copy. */
struct row {
	u32 k, m;
	size_t len;
	u8 *mem, *orig;
	u8 *chunk[SL_EC_MAX_CHUNKS];
};

static void row_init(struct row *r, u32 k, u32 m, size_t len, size_t misalign)
{
	u32 i;

	r->k = k;
	r->m = m;
	r->len = len;
	/* chunks deliberately packed at odd offsets: no alignment is needed */
	r->mem = malloc((k + m) * (len + misalign) + 1);
	r->orig = malloc((k + m) * len + 1);
	for (i = 0; i < k + m; i++)
		r->chunk[i] = r->mem + i * (len + misalign) + misalign;
	for (i = 0; i < k; i++)
		fill(r->chunk[i], len);
}

static void row_free(struct row *r)
{
	free(r->mem);
	free(r->orig);
}

static void row_save(struct row *r)
{
	u32 i;

	for (i = 0; i < r->k + r->m; i++)
		memcpy(r->orig + i * r->len, r->chunk[i], r->len);
}

static int row_same(const struct row *r)
{
	u32 i;

	for (i = 0; i < r->k + r->m; i++)
		if (memcmp(r->orig + i * r->len, r->chunk[i], r->len))
			return 0;
	return 1;
}

/* Lose the chunks in @failed (scribble them), recover, compare. */
static void lose_and_recover(struct row *r, const int *failed, int nf)
{
	int i, ret;

	for (i = 0; i < nf; i++)
		fill(r->chunk[failed[i]], r->len);
	ret = sl_ec_recover(r->k, r->m, r->len, (void **)r->chunk, failed, nf);
	CHECK(ret == 0, "k=%u m=%u lost %d,%d: ret %d", r->k, r->m, failed[0],
	      nf > 1 ? failed[1] : -1, ret);
	CHECK(row_same(r), "k=%u m=%u len=%zu lost %d,%d: wrong bytes", r->k, r->m, r->len,
	      failed[0], nf > 1 ? failed[1] : -1);
	if (!row_same(r))
		row_save(r);	/* keep going from a consistent row */
}

static void check_against_reference(struct row *r)
{
	u8 *p = malloc(r->len + 1), *q = malloc(r->len + 1);

	ref_pq(r->k, r->len, r->chunk, p, q);
	if (r->m >= 1)
		CHECK(!memcmp(p, r->chunk[r->k], r->len), "k=%u m=%u len=%zu: P differs",
		      r->k, r->m, r->len);
	if (r->m == 2)
		CHECK(!memcmp(q, r->chunk[r->k + 1], r->len), "k=%u m=%u len=%zu: Q differs",
		      r->k, r->m, r->len);
	free(p);
	free(q);
}

static void test_all_patterns(void)
{
	static const size_t lens[] = { 4096, 1, 7, 129, 4096 + 13, 520 };
	u32 k, m, bad, combos = 0, recoveries = 0;
	int a, b, n;

	SECTION("every k/m, every single and double loss");
	for (m = 0; m <= 2; m++) {
		for (k = 1; k + m <= SL_EC_MAX_CHUNKS; k++) {
			struct row r;
			size_t len = lens[(k + m) % ARRAY_SIZE(lens)];

			row_init(&r, k, m, len, (k & 3));
			CHECK(sl_ec_gen(k, m, len, (void **)r.chunk) == 0, "gen k=%u m=%u", k, m);
			check_against_reference(&r);
			CHECK(sl_ec_verify(k, m, len, (void **)r.chunk, &bad) == 0 && !bad,
			      "verify k=%u m=%u: %x", k, m, bad);
			row_save(&r);
			n = (int)(k + m);
			for (a = 0; a < n && m >= 1; a++) {
				lose_and_recover(&r, (int[]){ a }, 1);
				recoveries++;
			}
			for (a = 0; a < n && m == 2; a++)
				for (b = 0; b < n; b++) {
					if (a == b)
						continue;
					/* both orders: the API takes failures unsorted */
					lose_and_recover(&r, (int[]){ a, b }, 2);
					recoveries++;
				}
			combos++;
			row_free(&r);
		}
	}
	printf("  %u k/m combinations, %u recoveries\n", combos, recoveries);
	CHECK(combos == 16 + 15 + 14, "combinations %u", combos);
}

static void test_verify_detects(void)
{
	struct row r;
	u32 bad;

	SECTION("verify reports the parity that does not match");
	row_init(&r, 5, 2, 4096, 0);
	sl_ec_gen(5, 2, 4096, (void **)r.chunk);
	r.chunk[5][4095] ^= 0x01;
	sl_ec_verify(5, 2, 4096, (void **)r.chunk, &bad);
	CHECK(bad == SL_EC_BAD_P, "P flip: %x", bad);
	r.chunk[5][4095] ^= 0x01;
	r.chunk[6][0] ^= 0x80;
	sl_ec_verify(5, 2, 4096, (void **)r.chunk, &bad);
	CHECK(bad == SL_EC_BAD_Q, "Q flip: %x", bad);
	r.chunk[6][0] ^= 0x80;
	r.chunk[4][100] ^= 0x10;
	sl_ec_verify(5, 2, 4096, (void **)r.chunk, &bad);
	CHECK(bad == (SL_EC_BAD_P | SL_EC_BAD_Q), "data flip: %x", bad);
	sl_ec_verify(5, 1, 4096, (void **)r.chunk, &bad);
	CHECK(bad == SL_EC_BAD_P, "data flip m=1: %x", bad);
	sl_ec_verify(5, 0, 4096, (void **)r.chunk, &bad);
	CHECK(bad == 0, "m=0 has no parity: %x", bad);
	row_free(&r);
}

static void test_refusals(void)
{
	struct row r;
	u32 bad;

	SECTION("bad parameters and too many losses are refused, nothing written");
	row_init(&r, 4, 2, 64, 0);
	sl_ec_gen(4, 2, 64, (void **)r.chunk);
	row_save(&r);
	CHECK(sl_ec_recover(4, 2, 64, (void **)r.chunk, (int[]){ 0, 1, 2 }, 3) == -EIO, "3 > m");
	CHECK(sl_ec_recover(4, 1, 64, (void **)r.chunk, (int[]){ 0, 1 }, 2) == -EIO, "2 > m");
	CHECK(sl_ec_recover(4, 0, 64, (void **)r.chunk, (int[]){ 0 }, 1) == -EIO, "1 > m");
	CHECK(sl_ec_recover(4, 2, 64, (void **)r.chunk, (int[]){ 6 }, 1) == -EINVAL, "index");
	CHECK(sl_ec_recover(4, 2, 64, (void **)r.chunk, (int[]){ -1 }, 1) == -EINVAL, "neg");
	CHECK(sl_ec_recover(4, 2, 64, (void **)r.chunk, (int[]){ 1, 1 }, 2) == -EINVAL, "dup");
	CHECK(sl_ec_recover(4, 2, 64, (void **)r.chunk, NULL, -1) == -EINVAL, "nfailed");
	CHECK(sl_ec_recover(4, 2, 64, (void **)r.chunk, NULL, 0) == 0, "nothing lost");
	CHECK(row_same(&r), "refused calls wrote nothing");
	CHECK(sl_ec_gen(0, 1, 64, (void **)r.chunk) == -EINVAL, "k=0");
	CHECK(sl_ec_gen(4, 3, 64, (void **)r.chunk) == -EINVAL, "m=3");
	CHECK(sl_ec_gen(15, 2, 64, (void **)r.chunk) == -EINVAL, "k+m=17");
	CHECK(sl_ec_verify(17, 0, 64, (void **)r.chunk, &bad) == -EINVAL, "verify k=17");
	CHECK(row_same(&r), "refused gen wrote nothing");
	CHECK(sl_ec_params_ok(14, 2) && sl_ec_params_ok(16, 0) && sl_ec_params_ok(1, 2) &&
	      !sl_ec_params_ok(15, 2) && !sl_ec_params_ok(0, 0), "bounds");
	row_free(&r);
}

int main(void)
{
	test_gf();
	test_hand_vectors();
	test_all_patterns();
	test_verify_detects();
	test_refusals();
	return sl_test_done("test-sl-ec");
}
