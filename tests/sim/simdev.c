// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated block device with a volatile write cache.  Writes land in the
 * cache; FUA completion or a flush makes them stable; a power cut drops,
 * applies or tears (at 512-byte granularity, in random order) whatever is
 * still cached, including writes still in flight.
 */
#include "sim.h"
#include <stdlib.h>
#include <string.h>

int simdev_init(struct simdev *d, u64 nblocks)
{
	memset(d, 0, sizeof(*d));
	d->nblocks = nblocks;
	d->stable = calloc(nblocks, SL_BLOCK_SIZE);
	return d->stable ? 0 : -ENOMEM;
}

static void cache_del(struct simdev *d, u32 i)
{
	free(d->cache[i].buf);
	memmove(&d->cache[i], &d->cache[i + 1], (d->ncache - i - 1) * sizeof(d->cache[0]));
	d->ncache--;
}

void simdev_free(struct simdev *d)
{
	while (d->ncache)
		cache_del(d, d->ncache - 1);
	free(d->cache);
	free(d->stable);
	memset(d, 0, sizeof(*d));
}

void simdev_write(struct simdev *d, u64 block, const void *buf, u64 io)
{
	struct sim_cache_ent *e;

	if (block >= d->nblocks) {
		fprintf(stderr, "simdev: write beyond the device (%llu >= %llu)\n",
			(unsigned long long)block, (unsigned long long)d->nblocks);
		abort();
	}
	if (d->ncache == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->cache = realloc(d->cache, d->cap * sizeof(*d->cache));
		if (!d->cache)
			abort();
	}
	e = &d->cache[d->ncache++];
	e->block = block;
	e->io = io;
	e->buf = malloc(SL_BLOCK_SIZE);
	if (!e->buf)
		abort();
	memcpy(e->buf, buf, SL_BLOCK_SIZE);
}

void simdev_read(const struct simdev *d, u64 block, void *buf)
{
	u32 i;

	if (block >= d->nblocks) {
		fprintf(stderr, "simdev: read beyond the device\n");
		abort();
	}
	for (i = d->ncache; i-- > 0; )
		if (d->cache[i].block == block) {
			memcpy(buf, d->cache[i].buf, SL_BLOCK_SIZE);
			return;
		}
	memcpy(buf, d->stable + block * SL_BLOCK_SIZE, SL_BLOCK_SIZE);
}

/* Make cache entry @i stable; older cached copies of the block are dead. */
static void make_stable(struct simdev *d, u32 i)
{
	u64 block = d->cache[i].block;
	u32 j;

	memcpy(d->stable + block * SL_BLOCK_SIZE, d->cache[i].buf, SL_BLOCK_SIZE);
	for (j = i; j-- > 0; )
		if (d->cache[j].block == block) {
			cache_del(d, j);
			i--;
		}
	cache_del(d, i);
}

void simdev_complete(struct simdev *d, u64 io, bool fua)
{
	u32 i;

	for (i = 0; i < d->ncache; ) {
		if (d->cache[i].io != io) {
			i++;
			continue;
		}
		d->cache[i].io = 0;
		if (fua) {
			u32 before = d->ncache;

			make_stable(d, i);
			i -= before - 1 - d->ncache;	/* older copies removed before i */
			continue;
		}
		i++;
	}
}

void simdev_flush(struct simdev *d)
{
	u32 i = 0;

	while (i < d->ncache) {
		if (d->cache[i].io) {
			i++;
			continue;
		}
		make_stable(d, i);
		i = 0;
	}
}

void simdev_cut(struct simdev *d, u64 *rng, u64 *torn)
{
	u32 i, s;

	/* Random order: later writes may be lost while earlier ones land. */
	while (d->ncache) {
		struct sim_cache_ent *e;
		u64 what;

		i = (u32)sim_below(rng, d->ncache);
		e = &d->cache[i];
		what = sim_below(rng, 10);
		if (what < 4) {
			memcpy(d->stable + e->block * SL_BLOCK_SIZE, e->buf, SL_BLOCK_SIZE);
		} else if (what < 7) {
			(*torn)++;
			for (s = 0; s < SL_BLOCK_SIZE / 512; s++)
				if (sim_below(rng, 2))
					memcpy(d->stable + e->block * SL_BLOCK_SIZE + s * 512,
					       e->buf + s * 512, 512);
		}
		cache_del(d, i);
	}
}

void simdev_drop(struct simdev *d, u64 io)
{
	u32 i = 0;

	while (i < d->ncache) {
		if (d->cache[i].io == io)
			cache_del(d, i);
		else
			i++;
	}
}
