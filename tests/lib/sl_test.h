/* SPDX-License-Identifier: GPL-2.0 */
/* Tiny assertion helpers for the core's unit tests (ASan+UBSan builds). */
#ifndef SL_TEST_H
#define SL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include "sl_engine.h"

extern int sl_test_failures;

#define CHECK(cond, ...) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		fprintf(stderr, __VA_ARGS__);					\
		fprintf(stderr, "\n");						\
		sl_test_failures++;						\
	}									\
} while (0)

#define SECTION(name) printf("checking: %s\n", name)

static inline int sl_test_done(const char *name)
{
	if (sl_test_failures) {
		printf("%s: %d check(s) FAILED\n", name, sl_test_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

/* In-memory devices for open/format/recover (sl_memdev.c). */
struct sl_memdev {
	u32 ndev;
	u64 nblocks[1 + SL_MAX_LEGS];
	u8 *data[1 + SL_MAX_LEGS];
	u64 reads, writes;
};

int sl_memdev_init(struct sl_memdev *m, u64 perf_blocks, u32 legs, u64 leg_blocks);
void sl_memdev_free(struct sl_memdev *m);
extern const struct sl_dev_ops sl_memdev_ops;
static inline u8 *sl_memdev_block(struct sl_memdev *m, u32 dev, u64 block)
{
	return m->data[dev] + block * SL_BLOCK_SIZE;
}

/* Blocks [0, n) read as tag want[lba] (0 = zeros)?  Returns the bad count. */
int sl_memdev_verify_tags(struct sl_memdev *m, struct sl_engine *e, const u64 *want, u64 n,
			  const char *when);
/* A planned destage's writes (copies, seal, metadata batch, summary). */
int sl_memdev_destage_write(struct sl_memdev *m, struct sl_engine *e, struct sl_destage *d);

#endif
