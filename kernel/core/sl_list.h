/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_list.h - a tiny intrusive doubly linked list for the portable core
 * (the core cannot use <linux/list.h> in userspace).
 */
#ifndef SL_LIST_H
#define SL_LIST_H

#include "sl_compat.h"

struct sl_list {
	struct sl_list *next, *prev;
};

#define sl_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void sl_list_init(struct sl_list *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool sl_list_empty(const struct sl_list *h)
{
	return h->next == h;
}

static inline void sl_list_add_tail(struct sl_list *n, struct sl_list *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void sl_list_del(struct sl_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

/* Move every node of @from to the tail of @to; @from becomes empty. */
static inline void sl_list_splice_tail(struct sl_list *from, struct sl_list *to)
{
	if (sl_list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	sl_list_init(from);
}

#endif /* SL_LIST_H */
