// SPDX-License-Identifier: GPL-2.0
/*
 * Checks raw RAID legs with sl_ec: the tool half of
 * tests/vm/stripelog-ec-kernel-agrees.sh, which lets the kernel's md (through
 * dm-raid) write parity with its own lib/raid6 and xor code, then asks this
 * program whether sl_ec agrees with every byte of it.
 *
 *   test-sl-ec-legs LAYOUT K M CHUNK_KIB EXPECTED|- LEG_0 ... LEG_{K+M-1}
 *
 * LAYOUT "n": dedicated parity, P on leg K and Q on leg K+1, data chunk d of
 * every row on leg d (dm-raid raid5_n / raid6_n_6).  LAYOUT "rs": rotated as
 * sl_stripe lays out one segment spanning the whole legs (dm-raid raid5_rs
 * for M = 1; md's raid6 right-symmetric for M = 2).  For every row: sl_ec_verify()
 * must find P and Q right; the data chunks, read in row order, must equal
 * the EXPECTED file (what was written through md), so the layout is proven
 * too; and one loss pattern per row (cycling through every pattern of up to
 * M chunks) is rebuilt with sl_ec_recover() from the kernel-written parity.
 * Exit 0 when everything agrees, 1 otherwise, 2 on usage errors.
 *
 * Run without arguments (as tests/run does) it tests itself: legs made with
 * sl_ec pass, and a flipped P, Q or data byte, a wrong layout or wrong
 * expected data each make the check fail.
 */
#include "../lib/sl_test.h"
#include "sl_ec.h"
#include "sl_stripe.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sl_test_failures;

struct legs {
	char layout;		/* 'n' or 'r' */
	u32 k, m, n;
	size_t chunk, leg_len, rows;
	u8 *leg[SL_EC_MAX_CHUNKS];
	const u8 *expected;	/* k * leg_len bytes, or NULL */
	int quiet;
};

/* @idx[i] = leg of sl_ec chunk i in row @row. */
static int row_legs(const struct legs *l, size_t row, u32 *idx)
{
	struct sl_stripe st;
	u32 i;

	if (l->layout == 'n') {
		for (i = 0; i < l->n; i++)
			idx[i] = i;
		return 0;
	}
	if (sl_stripe_init(&st, l->k, l->m, 1, (u32)l->rows, 0, 1, NULL))
		return -1;
	sl_stripe_row_legs(&st, sl_stripe_grow(&st, 0, (u32)row), idx);
	return 0;
}

/* Pattern number @p -> list of lost chunks (0, 1 or 2 of them). */
static int pattern(u32 n, u32 m, size_t p, int *failed)
{
	size_t singles = m >= 1 ? n : 0, pairs = m == 2 ? n * (n - 1) / 2 : 0;
	u32 a, b;

	p %= 1 + singles + pairs;
	if (p == 0)
		return 0;
	if (--p < singles) {
		failed[0] = (int)p;
		return 1;
	}
	p -= singles;
	for (a = 0; a < n; a++)
		for (b = a + 1; b < n; b++)
			if (p-- == 0) {
				failed[0] = (int)b;	/* unsorted on purpose */
				failed[1] = (int)a;
				return 2;
			}
	return 0;
}

/* Return: number of problems found (0 = the legs agree with sl_ec). */
static size_t check_legs(const struct legs *l)
{
	size_t row, badp = 0, badq = 0, baddata = 0, badrec = 0, recs = 0;
	u8 *copy = malloc(l->n * l->chunk);
	void *ptr[SL_EC_MAX_CHUNKS], *cp[SL_EC_MAX_CHUNKS];
	u32 idx[SL_EC_MAX_CHUNKS], i, bad;
	int failed[2], nf;

	for (row = 0; row < l->rows; row++) {
		if (row_legs(l, row, idx))
			return 1;
		for (i = 0; i < l->n; i++) {
			ptr[i] = l->leg[idx[i]] + row * l->chunk;
			cp[i] = copy + i * l->chunk;
			memcpy(cp[i], ptr[i], l->chunk);
		}
		if (sl_ec_verify(l->k, l->m, l->chunk, ptr, &bad))
			return 1;
		badp += !!(bad & SL_EC_BAD_P);
		badq += !!(bad & SL_EC_BAD_Q);
		if (bad && !l->quiet)
			printf("row %zu: parity mismatch%s%s\n", row,
			       bad & SL_EC_BAD_P ? " P" : "", bad & SL_EC_BAD_Q ? " Q" : "");
		for (i = 0; l->expected && i < l->k; i++)
			if (memcmp(ptr[i], l->expected + (row * l->k + i) * l->chunk, l->chunk)) {
				if (!l->quiet)
					printf("row %zu: data chunk %u (leg %u) is not the data written\n",
					       row, i, idx[i]);
				baddata++;
			}
		nf = pattern(l->n, l->m, row, failed);
		for (i = 0; i < (u32)nf; i++)
			memset(cp[failed[i]], 0xa5, l->chunk);
		if (nf) {
			recs++;
			if (sl_ec_recover(l->k, l->m, l->chunk, cp, failed, nf))
				badrec++;
			else
				for (i = 0; i < l->n; i++)
					if (memcmp(cp[i], ptr[i], l->chunk)) {
						badrec++;
						break;
					}
		}
	}
	free(copy);
	if (!l->quiet)
		printf("%zu rows of %u+%u x %zu KiB (layout %s): P mismatches %zu, Q mismatches %zu, "
		       "data chunks not as written %zu, recoveries %zu (%zu wrong)\n",
		       l->rows, l->k, l->m, l->chunk / 1024, l->layout == 'n' ? "n" : "rs",
		       badp, badq, baddata, recs, badrec);
	return badp + badq + baddata + badrec;
}

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long sz;

	if (!f)
		return NULL;
	sz = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (sz > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)sz);
		if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)sz;
	}
	fclose(f);
	return buf;
}

static int run_cli(int argc, char **argv)
{
	struct legs l;
	size_t len, elen = 0;
	u8 *exp = NULL;
	u32 i;
	int ret;

	memset(&l, 0, sizeof(l));
	if (argc < 7 || (strcmp(argv[1], "n") && strcmp(argv[1], "rs")))
		goto usage;
	l.layout = argv[1][0];
	l.k = (u32)atoi(argv[2]);
	l.m = (u32)atoi(argv[3]);
	l.chunk = (size_t)atoi(argv[4]) * 1024;
	l.n = l.k + l.m;
	if (!sl_ec_params_ok(l.k, l.m) || !l.chunk || argc != 6 + (int)l.n)
		goto usage;
	for (i = 0; i < l.n; i++) {
		l.leg[i] = read_file(argv[6 + i], &len);
		if (!l.leg[i] || (i && len != l.leg_len) || len % l.chunk) {
			fprintf(stderr, "%s: unreadable, or size differs / not whole chunks\n",
				argv[6 + i]);
			return 2;
		}
		l.leg_len = len;
	}
	l.rows = l.leg_len / l.chunk;
	if (strcmp(argv[5], "-")) {
		exp = read_file(argv[5], &elen);
		if (!exp || elen != l.k * l.leg_len) {
			fprintf(stderr, "%s: unreadable or not k * leg size bytes\n", argv[5]);
			return 2;
		}
		l.expected = exp;
	}
	ret = check_legs(&l) ? 1 : 0;
	for (i = 0; i < l.n; i++)
		free(l.leg[i]);
	free(exp);
	return ret;
usage:
	fprintf(stderr, "usage: %s n|rs K M CHUNK_KIB EXPECTED|- LEG_0 ... LEG_{K+M-1}\n",
		argv[0]);
	return 2;
}

/* ---- self test: legs made by sl_ec pass, damaged ones fail ---- */

static u64 rng = 0x243f6a8885a308d3ull;

static u8 rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u8)(rng >> 32);
}

static void self_test(char layout, u32 k, u32 m)
{
	struct legs l;
	size_t row, i, chunk = 1024, rows = 2 * (k + m) + 1;
	u8 *data = malloc(k * rows * chunk);
	u32 idx[SL_EC_MAX_CHUNKS], j;
	void *ptr[SL_EC_MAX_CHUNKS];

	memset(&l, 0, sizeof(l));
	l.layout = layout;
	l.k = k;
	l.m = m;
	l.n = k + m;
	l.chunk = chunk;
	l.rows = rows;
	l.leg_len = rows * chunk;
	l.quiet = 1;
	for (i = 0; i < k * rows * chunk; i++)
		data[i] = rnd8();
	for (j = 0; j < l.n; j++)
		l.leg[j] = malloc(l.leg_len);
	for (row = 0; row < rows; row++) {
		row_legs(&l, row, idx);
		for (j = 0; j < l.n; j++)
			ptr[j] = l.leg[idx[j]] + row * chunk;
		for (j = 0; j < k; j++)
			memcpy(ptr[j], data + (row * k + j) * chunk, chunk);
		sl_ec_gen(k, m, chunk, ptr);
	}
	l.expected = data;
	CHECK(check_legs(&l) == 0, "%c %u+%u: good legs rejected", layout, k, m);
	if (m >= 1) {
		row_legs(&l, 1, idx);
		l.leg[idx[k]][chunk + 7] ^= 1;
		CHECK(check_legs(&l) > 0, "%c %u+%u: bad P accepted", layout, k, m);
		l.leg[idx[k]][chunk + 7] ^= 1;
	}
	if (m == 2) {
		row_legs(&l, 2, idx);
		l.leg[idx[k + 1]][2 * chunk] ^= 0x80;
		CHECK(check_legs(&l) > 0, "%c %u+%u: bad Q accepted", layout, k, m);
		l.leg[idx[k + 1]][2 * chunk] ^= 0x80;
	}
	data[5] ^= 4;
	CHECK(check_legs(&l) > 0, "%c %u+%u: wrong expected data accepted", layout, k, m);
	data[5] ^= 4;
	if (m >= 1 && k >= 2) {	/* (k = 1 is a mirror: every layout looks alike) */
		l.layout = layout == 'n' ? 'r' : 'n';
		CHECK(check_legs(&l) > 0, "%c %u+%u: wrong layout accepted", layout, k, m);
		l.layout = layout;
	}
	CHECK(check_legs(&l) == 0, "%c %u+%u: restored legs rejected", layout, k, m);
	for (j = 0; j < l.n; j++)
		free(l.leg[j]);
	free(data);
}

int main(int argc, char **argv)
{
	u32 k, m;

	if (argc > 1)
		return run_cli(argc, argv);
	SECTION("leg checker accepts sl_ec legs and rejects damaged ones");
	for (m = 0; m <= 2; m++)
		for (k = 1; k + m <= 8; k++) {
			self_test('n', k, m);
			self_test('r', k, m);
		}
	return sl_test_done("test-sl-ec-legs");
}
