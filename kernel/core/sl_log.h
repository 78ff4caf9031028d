/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_log.h - circular data-log space accounting.
 *
 * Records are placed back to back from the head; a record never straddles
 * the log end: if it does not fit, the blocks up to the end are wasted and
 * it goes to block 0.  Space is released strictly from the tail, record by
 * record, together with the waste in front of each record.
 */
#ifndef SL_LOG_H
#define SL_LOG_H

#include "sl_compat.h"

struct sl_log {
	u64 size;	/* blocks in the log region */
	u64 head;	/* next record position (log-relative), in [0, size] */
	u64 tail;	/* oldest live record position */
	u64 used;	/* blocks in use, waste included */
};

/** sl_log_init() - an empty log whose next record goes to @pos. */
void sl_log_init(struct sl_log *l, u64 size, u64 pos);
/**
 * sl_log_alloc() - reserve @n blocks for the next record.
 * @pos: where the record goes.  @waste: blocks skipped at the log end.
 * Return: 0 or -ENOSPC (nothing changed).
 */
int sl_log_alloc(struct sl_log *l, u64 n, u64 *pos, u64 *waste);
/** sl_log_release() - free the oldest record (@waste + @n blocks at @pos). */
void sl_log_release(struct sl_log *l, u64 pos, u64 n, u64 waste);
/** sl_log_fits() - would a record of @n blocks fit now? */
bool sl_log_fits(const struct sl_log *l, u64 n);
/**
 * sl_log_next_pos() - where the recovery scanner looks after a record that
 * ended at @end (the writer's wrap rule, seen from the reader).
 */
u64 sl_log_norm_pos(u64 size, u64 end);

#endif /* SL_LOG_H */
