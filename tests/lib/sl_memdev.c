// SPDX-License-Identifier: GPL-2.0
/* In-memory devices (no cache model) for unit tests and the CLI tests. */
#include "sl_test.h"
#include <string.h>

int sl_test_failures;

int sl_memdev_init(struct sl_memdev *m, u64 perf_blocks, u32 legs, u64 leg_blocks)
{
	u32 i;

	memset(m, 0, sizeof(*m));
	m->ndev = 1 + legs;
	for (i = 0; i < m->ndev; i++) {
		m->nblocks[i] = i ? leg_blocks : perf_blocks;
		m->data[i] = calloc(m->nblocks[i], SL_BLOCK_SIZE);
		if (!m->data[i])
			return -ENOMEM;
	}
	return 0;
}

void sl_memdev_free(struct sl_memdev *m)
{
	u32 i;

	for (i = 0; i < m->ndev; i++)
		free(m->data[i]);
	memset(m, 0, sizeof(*m));
}

static int md_read(void *ctx, u32 dev, u64 block, u32 n, void *buf)
{
	struct sl_memdev *m = ctx;

	if (dev >= m->ndev || block > m->nblocks[dev] || n > m->nblocks[dev] - block)
		return -EIO;
	memcpy(buf, sl_memdev_block(m, dev, block), (size_t)n * SL_BLOCK_SIZE);
	m->reads += n;
	return 0;
}

static int md_write(void *ctx, u32 dev, u64 block, u32 n, const void *buf, bool fua)
{
	struct sl_memdev *m = ctx;

	(void)fua;
	if (dev >= m->ndev || block > m->nblocks[dev] || n > m->nblocks[dev] - block)
		return -EIO;
	memcpy(sl_memdev_block(m, dev, block), buf, (size_t)n * SL_BLOCK_SIZE);
	m->writes += n;
	return 0;
}

static int md_flush(void *ctx, u32 dev)
{
	(void)ctx;
	(void)dev;
	return 0;
}

const struct sl_dev_ops sl_memdev_ops = { md_read, md_write, md_flush };

/*
 * Every block in [0, @n) must read (through the engine's map) as the 8-byte
 * tag @want[lba] at its start, 0 meaning zeros.  Reports the first mismatch
 * and the count as one CHECK failure named @when.
 */
int sl_memdev_verify_tags(struct sl_memdev *m, struct sl_engine *e, const u64 *want, u64 n,
			  const char *when)
{
	struct sl_read_piece p;
	u64 lba, tag;
	int bad = 0;

	for (lba = 0; lba < n; lba++) {
		tag = ~0ull;
		if (!sl_engine_lookup(e, lba, 1, &p)) {
			tag = 0;
			if (p.kind != SL_LOC_ZERO)
				memcpy(&tag, sl_memdev_block(m, p.dev, p.dev_block), 8);
		}
		if (tag != want[lba] && !bad++)
			fprintf(stderr, "%s: lba %llu has %llu, want %llu\n", when,
				(unsigned long long)lba, (unsigned long long)tag,
				(unsigned long long)want[lba]);
	}
	CHECK(!bad, "%s: %d blocks wrong", when, bad);
	return bad;
}

/*
 * A planned destage's device writes, in the glue's order (k = 1 layout, no
 * parity): every copy (its crc stored), seal, the metadata batch, then the
 * summary.  The caller commits (destage_written + log header + done) or
 * stops there to model a crash.  Returns what sl_engine_destage_seal() did.
 */
int sl_memdev_destage_write(struct sl_memdev *m, struct sl_engine *e, struct sl_destage *d)
{
	u32 i;
	int err;

	for (i = 0; i < d->nr_copies; i++) {
		struct sl_copy *c = &d->copies[i];
		u8 *dst = sl_memdev_block(m, c->dst_dev, c->dst_block);

		memcpy(dst, sl_memdev_block(m, c->src_dev, c->src_block), SL_BLOCK_SIZE);
		c->crc = sl_block_crc(dst);
	}
	err = sl_engine_destage_seal(e, d);
	if (d->mlog_blocks)
		memcpy(sl_memdev_block(m, SL_DEV_PERF, d->mlog_block), d->mlog,
		       (size_t)d->mlog_blocks * SL_BLOCK_SIZE);
	if (d->sum_blocks)
		memcpy(sl_memdev_block(m, d->sum_dev, d->sum_block), d->summary,
		       (size_t)d->sum_blocks * SL_BLOCK_SIZE);
	return err;
}
