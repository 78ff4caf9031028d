// SPDX-License-Identifier: GPL-2.0
/*
 * The crash simulator's model: every version ever submitted for each block,
 * when it was acknowledged, and whether a flush/FUA made it durable.  Data
 * blocks carry (lba, version) and a pattern derived from them, so a read can
 * be decoded and a torn or misplaced block is recognised.
 */
#include "sim.h"
#include <stdlib.h>
#include <string.h>

int model_init(struct sim_model *m, u64 nblocks)
{
	memset(m, 0, sizeof(*m));
	m->nblocks = nblocks;
	m->b = calloc(nblocks, sizeof(*m->b));
	return m->b ? 0 : -ENOMEM;
}

void model_free(struct sim_model *m)
{
	u64 i;

	for (i = 0; i < m->nblocks; i++)
		free(m->b[i].v);
	free(m->b);
}

u32 model_add(struct sim_model *m, u64 lba, u64 ver)
{
	struct sim_block *b = &m->b[lba];

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
		if (!b->v)
			abort();
	}
	memset(&b->v[b->n], 0, sizeof(b->v[0]));
	b->v[b->n].ver = ver;
	return b->n++;
}

void model_ack(struct sim_model *m, u64 lba, u32 idx, u64 now, bool fua)
{
	m->b[lba].v[idx].acked_at = now;
	m->b[lba].v[idx].fua = fua;
}

static bool required(const struct sim_model *m, const struct sim_ver *v)
{
	return v->acked_at && (v->fua || v->acked_at < m->durable_before);
}

/* Index from which versions are allowed; -1 = any (including zeros). */
static int allowed_from(const struct sim_model *m, u64 lba, bool runtime)
{
	const struct sim_block *b = &m->b[lba];
	u32 i;

	for (i = b->n; i-- > 0; )
		if (runtime ? b->v[i].acked_at != 0 : required(m, &b->v[i]))
			return (int)i;
	return -1;
}

static int check(const struct sim_model *m, u64 lba, u64 ver, bool runtime)
{
	const struct sim_block *b = &m->b[lba];
	int from = allowed_from(m, lba, runtime);
	u32 i;

	if (from < 0 && ver == 0)
		return 0;
	for (i = from < 0 ? 0 : (u32)from; i < b->n; i++)
		if (b->v[i].ver == ver)
			return 0;
	fprintf(stderr, "VIOLATION: lba %llu read version %llu; allowed (%s):",
		(unsigned long long)lba, (unsigned long long)ver,
		runtime ? "acked or newer" : "durable or newer");
	if (from < 0)
		fprintf(stderr, " zeros");
	for (i = from < 0 ? 0 : (u32)from; i < b->n; i++)
		fprintf(stderr, " %llu%s", (unsigned long long)b->v[i].ver,
			required(m, &b->v[i]) ? "(durable)" : b->v[i].acked_at ? "(acked)" : "");
	fprintf(stderr, "\n");
	return -1;
}

int model_check_runtime(const struct sim_model *m, u64 lba, u64 ver)
{
	return check(m, lba, ver, true);
}

int model_check_recovered(const struct sim_model *m, u64 lba, u64 ver)
{
	return check(m, lba, ver, false);
}

void model_reset_block(struct sim_model *m, u64 lba, u64 ver)
{
	struct sim_block *b = &m->b[lba];

	b->n = 0;
	if (!ver)
		return;	/* zeros: like never written */
	model_add(m, lba, ver);
	b->v[0].acked_at = 1;
	b->v[0].fua = true;
}

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

void pattern_fill(void *buf, u64 lba, u64 ver)
{
	u64 *p = buf, s = mix(lba * 0x9e3779b97f4a7c15ull ^ ver);
	u32 i;

	p[0] = lba;
	p[1] = ver;
	for (i = 2; i < SL_BLOCK_SIZE / 8; i++) {
		s = mix(s + i);
		p[i] = s;
	}
}

int pattern_check(const void *buf, u64 lba, u64 *ver)
{
	const u64 *p = buf;
	u8 expect[SL_BLOCK_SIZE] __attribute__((aligned(8)));

	if (sl_block_is_zero(buf)) {
		*ver = 0;
		return 0;
	}
	if (p[0] != lba || !p[1])
		return -1;
	pattern_fill(expect, lba, p[1]);
	if (memcmp(expect, buf, SL_BLOCK_SIZE))
		return -1;
	*ver = p[1];
	return 0;
}
