// SPDX-License-Identifier: GPL-2.0
/* A small chained hash table of intrusive nodes, grown by doubling. */
#include <errno.h>
#include <stdlib.h>

#include "fs_internal.h"

static size_t bucket(const struct fs_htab *t, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)(key & (t->nb - 1));
}

int fs_htab_init(struct fs_htab *t, size_t nb)
{
	size_t n = 16;

	while (n < nb)
		n <<= 1;
	t->b = calloc(n, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->nb = n;
	t->count = 0;
	return 0;
}

void fs_htab_destroy(struct fs_htab *t)
{
	free(t->b);
	t->b = NULL;
	t->nb = 0;
	t->count = 0;
}

static void grow(struct fs_htab *t)
{
	struct fs_htab nt;
	size_t i;

	if (fs_htab_init(&nt, t->nb * 2))
		return;		/* keep the longer chains */
	for (i = 0; i < t->nb; i++) {
		struct fs_hnode *n = t->b[i], *next;

		for (; n; n = next) {
			size_t j = bucket(&nt, n->key);

			next = n->next;
			n->next = nt.b[j];
			nt.b[j] = n;
		}
	}
	free(t->b);
	t->b = nt.b;
	t->nb = nt.nb;
}

void fs_htab_add(struct fs_htab *t, struct fs_hnode *n)
{
	size_t i;

	if (t->count >= t->nb)
		grow(t);
	i = bucket(t, n->key);
	n->next = t->b[i];
	t->b[i] = n;
	t->count++;
}

void fs_htab_del(struct fs_htab *t, struct fs_hnode *n)
{
	struct fs_hnode **pp = &t->b[bucket(t, n->key)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

struct fs_hnode *fs_htab_first(const struct fs_htab *t, uint64_t key)
{
	struct fs_hnode *n = t->b[bucket(t, key)];

	while (n && n->key != key)
		n = n->next;
	return n;
}

struct fs_hnode *fs_htab_next(const struct fs_hnode *n, uint64_t key)
{
	struct fs_hnode *m = n->next;

	while (m && m->key != key)
		m = m->next;
	return m;
}
