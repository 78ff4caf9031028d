// SPDX-License-Identifier: GPL-2.0
/*
 * sl_log.c - circular data-log space accounting (see sl_log.h).
 */
#include "sl_log.h"

void sl_log_init(struct sl_log *l, u64 size, u64 pos)
{
	l->size = size;
	l->head = sl_log_norm_pos(size, pos);
	l->tail = l->head;
	l->used = 0;
}

u64 sl_log_norm_pos(u64 size, u64 end)
{
	return end >= size ? 0 : end;
}

static void sl_log_place(const struct sl_log *l, u64 n, u64 *pos, u64 *waste)
{
	if (l->head + n > l->size) {
		*waste = l->size - l->head;
		*pos = 0;
	} else {
		*waste = 0;
		*pos = l->head;
	}
}

bool sl_log_fits(const struct sl_log *l, u64 n)
{
	u64 pos, waste;

	if (n > l->size)
		return false;
	sl_log_place(l, n, &pos, &waste);
	return l->used + waste + n <= l->size;
}

int sl_log_alloc(struct sl_log *l, u64 n, u64 *pos, u64 *waste)
{
	if (!sl_log_fits(l, n))
		return -ENOSPC;
	sl_log_place(l, n, pos, waste);
	l->used += *waste + n;
	l->head = *pos + n;
	return 0;
}

void sl_log_release(struct sl_log *l, u64 pos, u64 n, u64 waste)
{
	l->used -= min_t(u64, l->used, waste + n);
	l->tail = sl_log_norm_pos(l->size, pos + n);
	if (!l->used)
		l->tail = sl_log_norm_pos(l->size, l->head);
}
