// SPDX-License-Identifier: GPL-2.0
/*
 * sl_ec.c - reference P/Q erasure coding (see sl_ec.h for the conventions).
 *
 * The data chunks are walked in 128-byte windows: for each window the
 * syndrome of the surviving data is accumulated in two small stack arrays of
 * 64-bit words (eight GF(2^8) bytes per word, each byte an independent lane)
 * by Horner's rule from the highest data index down,
 *
 *	q = (...((D(k-1) * g) ^ D(k-2)) * g ^ ...) * g ^ D0,
 *
 * so data chunk i ends up multiplied by g^i.  Lost data chunks count as zero;
 * the equations in sl_ec_recover() then solve for them.  Words are loaded and
 * stored with memcpy(), so chunk buffers need no particular alignment and any
 * length works; byte lanes never interact, so host endianness does not matter.
 */
#include "sl_ec.h"

#define SL_GF_POLY_LOW		0x1d	/* x^8 = x^4 + x^3 + x^2 + 1 */
#define SL_EC_WIN_WORDS		16
#define SL_EC_WIN_BYTES		(SL_EC_WIN_WORDS * 8)
#define SL_EC_LANES_LOW		0x0101010101010101ull
#define SL_EC_LANES_NOT_LOW	0xfefefefefefefefeull

u8 sl_gf_mul(u8 a, u8 b)
{
	u8 r = 0;

	while (b) {
		if (b & 1)
			r ^= a;
		a = (u8)((a << 1) ^ ((a & 0x80) ? SL_GF_POLY_LOW : 0));
		b >>= 1;
	}
	return r;
}

u8 sl_gf_exp(u32 n)
{
	u8 r = 1, base = 2;

	n %= 255;
	while (n) {
		if (n & 1)
			r = sl_gf_mul(r, base);
		base = sl_gf_mul(base, base);
		n >>= 1;
	}
	return r;
}

u8 sl_gf_inv(u8 a)
{
	u8 r = 1;
	u32 n = 254;	/* a^254 = a^-1 since a^255 = 1 for a != 0 */

	while (n) {
		if (n & 1)
			r = sl_gf_mul(r, a);
		a = sl_gf_mul(a, a);
		n >>= 1;
	}
	return r;
}

void sl_gf_mul_table(u8 c, u8 *tbl)
{
	u32 v;

	/* c * 2v = (c * v) * {02};  c * (2v + 1) = c * 2v ^ c */
	tbl[0] = 0;
	tbl[1] = c;
	for (v = 1; v < 128; v++) {
		tbl[2 * v] = sl_gf_mul(tbl[v], 2);
		tbl[2 * v + 1] = tbl[2 * v] ^ c;
	}
}

bool sl_ec_params_ok(u32 k, u32 m)
{
	return k >= 1 && m <= SL_EC_MAX_PARITY && k + m <= SL_EC_MAX_CHUNKS;
}

/* Every byte lane of @w multiplied by g = {02}. */
static inline u64 sl_ec_mul2(u64 w)
{
	u64 carry = (w >> 7) & SL_EC_LANES_LOW;

	return ((w << 1) & SL_EC_LANES_NOT_LOW) ^ (carry * SL_GF_POLY_LOW);
}

/* Every byte lane of @w looked up in the 256-entry table @tbl. */
static u64 sl_ec_mul_word(const u8 *tbl, u64 w)
{
	u64 r = 0;
	u32 sh;

	for (sh = 0; sh < 64; sh += 8)
		r |= (u64)tbl[(w >> sh) & 0xff] << sh;
	return r;
}

/* Word @w of a window of @n bytes starting at @base (last word may be short). */
static inline u64 sl_ec_load(const void *base, size_t n, u32 w)
{
	const u8 *src = (const u8 *)base + w * 8;
	u64 v = 0;

	if (likely(n - w * 8 >= 8))
		memcpy(&v, src, 8);
	else
		memcpy(&v, src, n - w * 8);
	return v;
}

static inline void sl_ec_store(void *base, size_t n, u32 w, u64 v)
{
	u8 *dst = (u8 *)base + w * 8;

	if (likely(n - w * 8 >= 8))
		memcpy(dst, &v, 8);
	else
		memcpy(dst, &v, n - w * 8);
}

static inline u32 sl_ec_words(size_t n)
{
	return (u32)((n + 7) / 8);
}

/*
 * P and Q of bytes [@off, @off + @n) of the data chunks, the chunks whose bit
 * is set in @skip taken as zero.  @n <= SL_EC_WIN_BYTES.
 */
static void sl_ec_syndrome(u32 k, void *const *chunks, u32 skip, size_t off, size_t n,
			   u64 *p, u64 *q)
{
	u32 nw = sl_ec_words(n), w, d;

	for (w = 0; w < nw; w++)
		p[w] = q[w] = 0;
	for (d = k; d-- > 0;) {
		const u8 *src = (const u8 *)chunks[d] + off;

		if (skip & (1u << d)) {
			for (w = 0; w < nw; w++)
				q[w] = sl_ec_mul2(q[w]);
			continue;
		}
		for (w = 0; w < nw; w++) {
			u64 v = sl_ec_load(src, n, w);

			p[w] ^= v;
			q[w] = sl_ec_mul2(q[w]) ^ v;
		}
	}
}

/* Recompute P (@do_p) and/or Q (@do_q) from the data chunks. */
static void sl_ec_regen(u32 k, size_t len, void **chunks, bool do_p, bool do_q)
{
	u64 p[SL_EC_WIN_WORDS], q[SL_EC_WIN_WORDS];
	size_t off, n;
	u32 w;

	for (off = 0; off < len; off += n) {
		n = min_t(size_t, len - off, SL_EC_WIN_BYTES);
		sl_ec_syndrome(k, chunks, 0, off, n, p, q);
		for (w = 0; w < sl_ec_words(n); w++) {
			if (do_p)
				sl_ec_store((u8 *)chunks[k] + off, n, w, p[w]);
			if (do_q)
				sl_ec_store((u8 *)chunks[k + 1] + off, n, w, q[w]);
		}
	}
}

/**
 * sl_ec_gen() - compute P (m >= 1) and Q (m == 2) of one stripe row.
 * @k: data chunks.  @m: parity chunks.  @len: bytes per chunk.
 * @chunks: chunks[0..k-1] data, chunks[k] P, chunks[k+1] Q.
 * Return: 0 or -EINVAL for unsupported k/m.
 */
int sl_ec_gen(u32 k, u32 m, size_t len, void **chunks)
{
	if (!sl_ec_params_ok(k, m))
		return -EINVAL;
	if (m)
		sl_ec_regen(k, len, chunks, true, m == 2);
	return 0;
}

/**
 * sl_ec_verify() - compare stored parity with parity recomputed from data.
 * @k, @m, @len, @chunks: as for sl_ec_gen(); read only.
 * @bad: receives SL_EC_BAD_P and/or SL_EC_BAD_Q (0 when all parity matches).
 * Return: 0 or -EINVAL for unsupported k/m.
 */
int sl_ec_verify(u32 k, u32 m, size_t len, void *const *chunks, u32 *bad)
{
	u64 p[SL_EC_WIN_WORDS], q[SL_EC_WIN_WORDS];
	size_t off, n;
	u32 w;

	*bad = 0;
	if (!sl_ec_params_ok(k, m))
		return -EINVAL;
	if (!m)
		return 0;
	for (off = 0; off < len; off += n) {
		n = min_t(size_t, len - off, SL_EC_WIN_BYTES);
		sl_ec_syndrome(k, chunks, 0, off, n, p, q);
		for (w = 0; w < sl_ec_words(n); w++) {
			if (sl_ec_load((const u8 *)chunks[k] + off, n, w) != p[w])
				*bad |= SL_EC_BAD_P;
			if (m == 2 && sl_ec_load((const u8 *)chunks[k + 1] + off, n, w) != q[w])
				*bad |= SL_EC_BAD_Q;
		}
	}
	return 0;
}

/* Data chunk @x from P and the other data chunks. */
static void sl_ec_data_from_p(u32 k, size_t len, void **chunks, u32 x)
{
	u64 p[SL_EC_WIN_WORDS], q[SL_EC_WIN_WORDS];
	size_t off, n;
	u32 w;

	for (off = 0; off < len; off += n) {
		u8 *dx = (u8 *)chunks[x] + off;
		const u8 *pp = (const u8 *)chunks[k] + off;

		n = min_t(size_t, len - off, SL_EC_WIN_BYTES);
		sl_ec_syndrome(k, chunks, 1u << x, off, n, p, q);
		for (w = 0; w < sl_ec_words(n); w++)
			sl_ec_store(dx, n, w, sl_ec_load(pp, n, w) ^ p[w]);
	}
}

/* Data chunk @x from Q and the other data chunks: Dx = (Q ^ Qx) * g^-x. */
static void sl_ec_data_from_q(u32 k, size_t len, void **chunks, u32 x)
{
	u64 p[SL_EC_WIN_WORDS], q[SL_EC_WIN_WORDS];
	u8 tbl[256];
	size_t off, n;
	u32 w;

	sl_gf_mul_table(sl_gf_inv(sl_gf_exp(x)), tbl);
	for (off = 0; off < len; off += n) {
		u8 *dx = (u8 *)chunks[x] + off;
		const u8 *qq = (const u8 *)chunks[k + 1] + off;

		n = min_t(size_t, len - off, SL_EC_WIN_BYTES);
		sl_ec_syndrome(k, chunks, 1u << x, off, n, p, q);
		for (w = 0; w < sl_ec_words(n); w++)
			sl_ec_store(dx, n, w, sl_ec_mul_word(tbl, sl_ec_load(qq, n, w) ^ q[w]));
	}
}

/*
 * Data chunks @x < @y from P and Q.  With pd = P ^ Pxy = Dx ^ Dy and
 * qd = Q ^ Qxy = g^x Dx ^ g^y Dy (Pxy, Qxy: syndrome without x and y):
 *	Dy = pd * (g^(y-x) ^ 1)^-1  ^  qd * (g^x ^ g^y)^-1,	Dx = pd ^ Dy.
 */
static void sl_ec_two_data(u32 k, size_t len, void **chunks, u32 x, u32 y)
{
	u64 p[SL_EC_WIN_WORDS], q[SL_EC_WIN_WORDS];
	u8 tp[256], tq[256];
	size_t off, n;
	u32 w;

	sl_gf_mul_table(sl_gf_inv(sl_gf_exp(y - x) ^ 1), tp);
	sl_gf_mul_table(sl_gf_inv(sl_gf_exp(x) ^ sl_gf_exp(y)), tq);
	for (off = 0; off < len; off += n) {
		u8 *dx = (u8 *)chunks[x] + off, *dy = (u8 *)chunks[y] + off;
		const u8 *pp = (const u8 *)chunks[k] + off;
		const u8 *qq = (const u8 *)chunks[k + 1] + off;

		n = min_t(size_t, len - off, SL_EC_WIN_BYTES);
		sl_ec_syndrome(k, chunks, (1u << x) | (1u << y), off, n, p, q);
		for (w = 0; w < sl_ec_words(n); w++) {
			u64 pd = sl_ec_load(pp, n, w) ^ p[w];
			u64 qd = sl_ec_load(qq, n, w) ^ q[w];
			u64 vy = sl_ec_mul_word(tp, pd) ^ sl_ec_mul_word(tq, qd);

			sl_ec_store(dy, n, w, vy);
			sl_ec_store(dx, n, w, pd ^ vy);
		}
	}
}

/**
 * sl_ec_recover() - rebuild up to @m lost chunks of one stripe row.
 * @k, @m, @len, @chunks: as for sl_ec_gen().
 * @failed: lost chunk indices (0..k+m-1), no repeats.  @nfailed: their number.
 *
 * Lost data is rebuilt first (from P when P survives, else from Q), then
 * lost parity is recomputed from the complete data.
 * Return: 0, -EINVAL (bad k/m or index), -EIO (more than @m lost).
 */
int sl_ec_recover(u32 k, u32 m, size_t len, void **chunks, const int *failed, int nfailed)
{
	u32 lost = 0, nd = 0, d[SL_EC_MAX_PARITY] = { 0, 0 };
	bool lost_p, lost_q;
	int i;

	if (!sl_ec_params_ok(k, m) || nfailed < 0)
		return -EINVAL;
	for (i = 0; i < nfailed; i++) {
		if (failed[i] < 0 || (u32)failed[i] >= k + m || (lost & (1u << failed[i])))
			return -EINVAL;
		lost |= 1u << failed[i];
	}
	if ((u32)nfailed > m)
		return -EIO;
	if (!nfailed)
		return 0;

	for (i = 0; i < (int)k; i++)
		if (lost & (1u << i))
			d[nd++] = (u32)i;
	lost_p = lost & (1u << k);
	lost_q = m == 2 && (lost & (1u << (k + 1)));

	if (nd == 2)
		sl_ec_two_data(k, len, chunks, d[0], d[1]);
	else if (nd == 1 && lost_p)
		sl_ec_data_from_q(k, len, chunks, d[0]);
	else if (nd == 1)
		sl_ec_data_from_p(k, len, chunks, d[0]);
	if (lost_p || lost_q)
		sl_ec_regen(k, len, chunks, lost_p, lost_q);
	return 0;
}
