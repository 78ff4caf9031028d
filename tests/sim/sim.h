/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crash simulator: simulated devices with a volatile write cache, the
 * workload model, and the driver that runs the real engine against them.
 */
#ifndef SIM_H
#define SIM_H

#include "sl_engine.h"
#include <stdio.h>

/* ---- simdev.c: one device with a volatile write cache ---- */
struct sim_cache_ent {
	u64 block;
	u8 *buf;
	u64 io;		/* in-flight I/O id, 0 = completed (waits for a flush) */
};

struct simdev {
	u64 nblocks;
	u8 *stable;
	struct sim_cache_ent *cache;
	u32 ncache, cap;
};

int simdev_init(struct simdev *d, u64 nblocks);
void simdev_free(struct simdev *d);
/* Queue a write in the cache; @io != 0 marks it in flight. */
void simdev_write(struct simdev *d, u64 block, const void *buf, u64 io);
/* The newest copy (cache over stable). */
void simdev_read(const struct simdev *d, u64 block, void *buf);
/* I/O @io completed; @fua makes its blocks stable now. */
void simdev_complete(struct simdev *d, u64 io, bool fua);
/* Every completed cached write becomes stable. */
void simdev_flush(struct simdev *d);
/* Forget in-flight I/O @io entirely (it never reached the media). */
void simdev_drop(struct simdev *d, u64 io);
/* Power cut: each cached write is dropped, applied or torn (512 B sectors). */
void simdev_cut(struct simdev *d, u64 *rng, u64 *torn);

/* ---- random ---- */
static inline u64 sim_rand(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static inline u64 sim_below(u64 *s, u64 n)
{
	return n ? sim_rand(s) % n : 0;
}

/* ---- model.c: what each block may contain ---- */
struct sim_ver {
	u64 ver;	/* 0 = zeros (discard / never written) */
	u64 acked_at;	/* event time of the acknowledgement, 0 = not acked */
	bool fua;
};

struct sim_block {
	u32 n, cap;
	struct sim_ver *v;
};

struct sim_model {
	u64 nblocks;
	struct sim_block *b;
	u64 durable_before;	/* writes acked before this time are flushed */
};

int model_init(struct sim_model *m, u64 nblocks);
void model_free(struct sim_model *m);
u32 model_add(struct sim_model *m, u64 lba, u64 ver);
void model_ack(struct sim_model *m, u64 lba, u32 idx, u64 now, bool fua);
/* 0 if @ver may be read now (runtime) / after a crash; else prints why. */
int model_check_runtime(const struct sim_model *m, u64 lba, u64 ver);
int model_check_recovered(const struct sim_model *m, u64 lba, u64 ver);
/* After recovery: the block holds @ver, durably. */
void model_reset_block(struct sim_model *m, u64 lba, u64 ver);
void pattern_fill(void *buf, u64 lba, u64 ver);
/* Decode a block: 0 ok (*ver set, 0 = zero block), -1 torn/garbage. */
int pattern_check(const void *buf, u64 lba, u64 *ver);

#endif
