// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: the crc32c implementation, chosen by measurement.
 *
 * Every block written to the log is checksummed with crc32c (the Castagnoli
 * CRC, seed passed in, no final inversion, the same function as crc32c()).
 * The crypto API's "crc32c" is the implementation of highest priority, which
 * is the fastest one on real hardware, but not everywhere: under an emulated
 * CPU the SSE4.2 crc32 instruction can be many times slower than the
 * table-driven generic code.  So, like lib/raid6 choosing its gen_syndrome()
 * and xor_blocks() choosing its template, module load times each available
 * implementation on a 4 KiB block and keeps the fastest; the kernel log says
 * which and how fast.  The crc32c_driver module parameter forces one by its
 * crypto driver name.  All implementations compute the same function, so
 * the choice never shows on disk.
 */
#include <crypto/hash.h>
#include <linux/ktime.h>
#include <linux/module.h>

#include "dm-stripelog-glue.h"

static char *crc32c_driver;
module_param(crc32c_driver, charp, 0444);
MODULE_PARM_DESC(crc32c_driver,
		 "crc32c crypto driver to use (e.g. crc32c-intel, crc32c-generic); default: the fastest measured at load");

static struct crypto_shash *slg_crc_tfm;

/**
 * slg_crc32c - crc32c of @len bytes at @buf, continuing from @seed
 * @seed: running crc (SL_CRC_SEED to start)
 * @buf: data
 * @len: bytes
 *
 * Same result as crc32c(@seed, @buf, @len), with the implementation chosen
 * at module load.  Any context.
 *
 * Return: the crc.
 */
u32 slg_crc32c(u32 seed, const void *buf, size_t len)
{
	SHASH_DESC_ON_STACK(desc, slg_crc_tfm);
	u32 *ctx = (u32 *)shash_desc_ctx(desc);

	desc->tfm = slg_crc_tfm;
	*ctx = seed;
	/* crc32c's update cannot fail; a failure would show as a crc mismatch. */
	if (crypto_shash_update(desc, buf, len))
		return ~seed;
	return *ctx;
}

/* Nanoseconds per 4 KiB block for @tfm (best of a few rounds), 0 on error. */
static u64 slg_crc_time(struct crypto_shash *tfm, const u8 *buf)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u64 best = U64_MAX, t;
	int round, i;

	desc->tfm = tfm;
	for (round = 0; round < 4; round++) {
		t = ktime_get_ns();
		for (i = 0; i < 8; i++) {
			*(u32 *)shash_desc_ctx(desc) = SL_CRC_SEED;
			if (crypto_shash_update(desc, buf, PAGE_SIZE))
				return 0;
		}
		best = min(best, (ktime_get_ns() - t) / 8);
	}
	return max_t(u64, best, 1);
}

/**
 * slg_crc_init - pick the crc32c implementation (module load)
 *
 * Return: 0, or -errno when no crc32c implementation can be had.
 */
int slg_crc_init(void)
{
	static const char * const cand[] = { "crc32c", "crc32c-generic" };
	struct crypto_shash *tfm, *best = NULL;
	u64 ns, best_ns = U64_MAX;
	u32 i, check = 0;
	bool agree = true;
	u8 *buf;

	if (crc32c_driver && *crc32c_driver) {
		tfm = crypto_alloc_shash(crc32c_driver, 0, 0);
		if (IS_ERR(tfm)) {
			DMERR("crc32c_driver=%s not available: %ld", crc32c_driver, PTR_ERR(tfm));
			return PTR_ERR(tfm);
		}
		slg_crc_tfm = tfm;
		DMINFO("crc32c: %s (forced)", crypto_shash_driver_name(tfm));
		return 0;
	}
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	get_random_bytes(buf, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(cand); i++) {
		tfm = crypto_alloc_shash(cand[i], 0, 0);
		if (IS_ERR(tfm))
			continue;
		if (best && !strcmp(crypto_shash_driver_name(tfm),
				    crypto_shash_driver_name(best))) {
			crypto_free_shash(tfm);
			continue;
		}
		slg_crc_tfm = tfm;
		if (!best)
			check = slg_crc32c(SL_CRC_SEED, buf, PAGE_SIZE);
		else if (slg_crc32c(SL_CRC_SEED, buf, PAGE_SIZE) != check)
			agree = false;
		ns = agree ? slg_crc_time(tfm, buf) : 0;
		DMINFO("crc32c: %s %llu ns per 4 KiB", crypto_shash_driver_name(tfm), ns);
		if (ns && ns < best_ns) {
			if (best)
				crypto_free_shash(best);
			best = tfm;
			best_ns = ns;
		} else {
			crypto_free_shash(tfm);
		}
	}
	kfree(buf);
	if (!agree)
		DMERR("crc32c implementations disagree: keeping the first");
	slg_crc_tfm = best;
	if (!best) {
		DMERR("no crc32c implementation");
		return -ENOENT;
	}
	DMINFO("crc32c: using %s", crypto_shash_driver_name(best));
	return 0;
}

/** slg_crc_exit - release the crc32c implementation (module unload) */
void slg_crc_exit(void)
{
	crypto_free_shash(slg_crc_tfm);
	slg_crc_tfm = NULL;
}
