/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_ec.h - portable reference erasure coding for stripelog stripes.
 *
 * One stripe row = k data chunks + m parity chunks (m = 0, 1, 2), all
 * @len bytes long.  The chunk pointer array has the layout the kernel's
 * lib/raid6 uses for raid6_call.gen_syndrome():
 *
 *   chunks[0 .. k-1]  data, in logical order (chunk i gets coefficient g^i)
 *   chunks[k]         P = D0 ^ D1 ^ ... ^ D(k-1)                  (m >= 1)
 *   chunks[k + 1]     Q = g^0*D0 ^ g^1*D1 ^ ... ^ g^(k-1)*D(k-1)  (m == 2)
 *
 * Arithmetic is GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11d) with
 * generator g = {02}: the same field and the same coefficients as lib/raid6,
 * so parity computed here is bit-identical to what
 * raid6_call.gen_syndrome(k + 2, len, chunks) writes (and, for m = 1, to
 * xor_blocks() over the data chunks).  Bounds: 1 <= k, m <= 2,
 * k + m <= SL_EC_MAX_CHUNKS (16); k = 1 degenerates to a mirror (P = Q = D0).
 * Documentation/stripelog-erasure-coding.rst has the math.
 *
 * Every function is pure computation on caller buffers: no allocation, no
 * locking, never sleeps, stack use < 1 KiB.  Safe to call from any context.
 */
#ifndef SL_EC_H
#define SL_EC_H

#include "sl_compat.h"

#define SL_EC_MAX_CHUNKS	16	/* k + m, same bound as SL_MAX_LEGS */
#define SL_EC_MAX_PARITY	2

/* Bits reported by sl_ec_verify(). */
#define SL_EC_BAD_P		0x1u
#define SL_EC_BAD_Q		0x2u

/* ---------------- GF(2^8), polynomial 0x11d, generator {02} ---------------- */

/** sl_gf_mul() - product of @a and @b in GF(2^8) (shift-and-add, slow). */
u8 sl_gf_mul(u8 a, u8 b);
/** sl_gf_exp() - g^@n for g = {02}; period 255 (g^255 = g^0 = 1). */
u8 sl_gf_exp(u32 n);
/** sl_gf_inv() - multiplicative inverse of @a (@a != 0); sl_gf_inv(0) = 0. */
u8 sl_gf_inv(u8 a);
/** sl_gf_mul_table() - @tbl[v] = @c * v for every byte v (256 entries). */
void sl_gf_mul_table(u8 c, u8 *tbl);

/* ---------------- stripe rows ---------------- */

/**
 * sl_ec_params_ok() - are @k data and @m parity chunks supported?
 * Return: true for 1 <= k, m <= 2, k + m <= SL_EC_MAX_CHUNKS.
 */
bool sl_ec_params_ok(u32 k, u32 m);

/**
 * sl_ec_gen() - compute the parity chunks of one stripe row.
 * @k: data chunks.  @m: parity chunks (0: nothing to do).
 * @len: bytes per chunk (any length; 4 KiB multiples in practice).
 * @chunks: k + m pointers, layout above; chunks[k..k+m-1] are written.
 *	Parity buffers must not overlap data buffers.
 * Return: 0, or -EINVAL if sl_ec_params_ok() fails.
 */
int sl_ec_gen(u32 k, u32 m, size_t len, void **chunks);

/**
 * sl_ec_recover() - rebuild lost chunks of one stripe row in place.
 * @k, @m, @len, @chunks: as for sl_ec_gen(); every pointer must be valid,
 *	the lost ones' contents are ignored and overwritten.
 * @failed: indices (0..k+m-1) of the lost chunks, any order, no repeats.
 * @nfailed: number of entries in @failed (0 is a no-op).
 *
 * Every pattern of up to @m losses is recovered: one data chunk from P,
 * P or Q by recomputing, data + Q from P, data + P from Q, two data chunks
 * from P and Q (the lib/raid6 2-data equations).
 * Return: 0; -EINVAL for bad k/m or a bad/repeated index; -EIO if more than
 * @m chunks are lost (nothing is written then).
 */
int sl_ec_recover(u32 k, u32 m, size_t len, void **chunks, const int *failed, int nfailed);

/**
 * sl_ec_verify() - check the parity of one stripe row against its data.
 * @k, @m, @len, @chunks: as for sl_ec_gen(); nothing is written.
 * @bad: set to SL_EC_BAD_P / SL_EC_BAD_Q bits for parity that does not match.
 * Return: 0 (see *@bad), or -EINVAL for bad k/m.
 */
int sl_ec_verify(u32 k, u32 m, size_t len, void *const *chunks, u32 *bad);

#endif /* SL_EC_H */
