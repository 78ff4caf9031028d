// SPDX-License-Identifier: GPL-2.0
/*
 * sl_map.c - treap of LBA extents (see sl_map.h).
 *
 * Range replacement works with split/merge: split the tree at the range
 * start and end, drop the middle (reporting the removed pieces), re-insert
 * the surviving heads/tails of straddling extents and the new extent, merge.
 */
#include "sl_map.h"

static u64 sl_prio(struct sl_map *m)
{
	u64 x = m->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	m->rng = x;
	return x;
}

static bool sl_kind_moves(u32 kind)
{
	return kind == SL_MAP_LOG || kind == SL_MAP_SEG;
}

void sl_map_init(struct sl_map *m, const struct sl_map_ops *ops)
{
	m->root = NULL;
	m->nr_extents = 0;
	m->ops = *ops;
	sl_random_bytes(&m->rng, sizeof(m->rng));
	m->rng |= 1;	/* xorshift state must not be zero */
}

/*
 * Free every extent of @t.  With @m, report each one (ops.unref) and count
 * it out of the map first: extents dropped from a live map.  Without, the
 * whole map is going away.  Iterative (rotate left subtrees away), so the
 * depth never matters.
 */
static void sl_ext_free_tree(struct sl_map *m, struct sl_ext *t)
{
	struct sl_ext *r;

	while (t) {
		if (t->left) {
			r = t->left;
			t->left = r->right;
			r->right = t;
			t = r;
			continue;
		}
		r = t->right;
		if (m) {
			m->ops.unref(m->ops.ctx, t->kind, t->loc, t->len);
			m->nr_extents--;
		}
		sl_free(t);
		t = r;
	}
}

void sl_map_destroy(struct sl_map *m)
{
	sl_ext_free_tree(NULL, m->root);
	m->root = NULL;
	m->nr_extents = 0;
}

/* Split @t into extents with lba < key (*l) and lba >= key (*r). */
static void sl_split(struct sl_ext *t, u64 key, struct sl_ext **l, struct sl_ext **r)
{
	if (!t) {
		*l = NULL;
		*r = NULL;
		return;
	}
	if (t->lba < key) {
		sl_split(t->right, key, &t->right, r);
		*l = t;
	} else {
		sl_split(t->left, key, l, &t->left);
		*r = t;
	}
}

/* Merge two treaps where every key of @l < every key of @r. */
static struct sl_ext *sl_merge(struct sl_ext *l, struct sl_ext *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio > r->prio) {
		l->right = sl_merge(l->right, r);
		return l;
	}
	r->left = sl_merge(l, r->left);
	return r;
}

static struct sl_ext *sl_insert(struct sl_ext *t, struct sl_ext *n)
{
	struct sl_ext *l, *r;

	if (!t)
		return n;
	if (n->prio > t->prio) {
		sl_split(t, n->lba, &l, &r);
		n->left = l;
		n->right = r;
		return n;
	}
	if (n->lba < t->lba)
		t->left = sl_insert(t->left, n);
	else
		t->right = sl_insert(t->right, n);
	return t;
}

static struct sl_ext *sl_ext_new(struct sl_map *m, u64 lba, u64 len, u32 kind, u64 loc, u64 seq)
{
	struct sl_ext *e = sl_alloc(sizeof(*e));

	if (!e)
		return NULL;
	e->left = NULL;
	e->right = NULL;
	e->prio = sl_prio(m);
	e->lba = lba;
	e->len = len;
	e->kind = kind;
	e->loc = loc;
	e->seq = seq;
	return e;
}

static struct sl_ext *sl_last(struct sl_ext *t)
{
	while (t && t->right)
		t = t->right;
	return t;
}

static struct sl_ext *sl_find_node(struct sl_ext *t, u64 lba, u64 *next_lba)
{
	*next_lba = ~0ull;
	while (t) {
		if (lba < t->lba) {
			*next_lba = t->lba;
			t = t->left;
		} else if (lba < t->lba + t->len) {
			return t;
		} else {
			t = t->right;
		}
	}
	return NULL;
}

/*
 * Replace [lba, lba+len) unconditionally with one extent.  @at is the extent
 * containing @lba as sl_find_node() found it (NULL: none does); the callers
 * have looked it up already.  If it covers exactly that range (the common
 * case: a block written again, a record's extent moved to its segment) it is
 * rewritten in place: no allocation, no split or merge.  Otherwise
 * allocation of up to three nodes happens before the tree is touched, so
 * -ENOMEM leaves the map as it was.
 */
static int sl_map_set(struct sl_map *m, struct sl_ext *at, u64 lba, u64 len, u32 kind,
		      u64 loc, u64 seq)
{
	struct sl_ext *n, *tail, *l, *mid, *r, *last;
	u64 end = lba + len, cut;

	if (at && at->lba == lba && at->len == len) {
		m->ops.unref(m->ops.ctx, at->kind, at->loc, len);
		at->kind = kind;
		at->loc = loc;
		at->seq = seq;
		m->ops.ref(m->ops.ctx, kind, loc, len);
		return 0;
	}
	n = sl_ext_new(m, lba, len, kind, loc, seq);
	tail = sl_ext_new(m, end, 0, 0, 0, 0);
	if (!n || !tail) {
		sl_free(n);
		sl_free(tail);
		return -ENOMEM;
	}
	sl_split(m->root, lba, &l, &r);
	last = sl_last(l);
	if (last && last->lba + last->len > lba) {
		/* Straddles the start: keep its head, maybe its tail beyond end. */
		u64 last_end = last->lba + last->len;

		if (last_end > end) {
			cut = end - last->lba;
			*tail = *last;
			tail->left = tail->right = NULL;
			tail->lba = end;
			tail->prio = sl_prio(m);
			tail->len = last_end - end;
			if (sl_kind_moves(last->kind))
				tail->loc = last->loc + cut;
			m->nr_extents++;
			r = sl_insert(r, tail);
			tail = NULL;
			m->ops.unref(m->ops.ctx, last->kind,
				     sl_kind_moves(last->kind) ? last->loc + (lba - last->lba) :
				     last->loc, len);
		} else {
			m->ops.unref(m->ops.ctx, last->kind,
				     sl_kind_moves(last->kind) ? last->loc + (lba - last->lba) :
				     last->loc, last_end - lba);
		}
		last->len = lba - last->lba;
	}
	sl_split(r, end, &mid, &r);
	last = sl_last(mid);
	if (last && last->lba + last->len > end) {
		/* Straddles the end: its part beyond end survives. */
		cut = end - last->lba;
		if (!tail) {
			/* Cannot happen: one extent cannot straddle both ends twice. */
			tail = sl_ext_new(m, end, 0, 0, 0, 0);
		}
		if (tail) {
			*tail = *last;
			tail->left = tail->right = NULL;
			tail->lba = end;
			tail->prio = sl_prio(m);
			tail->len = last->len - cut;
			if (sl_kind_moves(last->kind))
				tail->loc = last->loc + cut;
			m->ops.ref(m->ops.ctx, tail->kind, tail->loc, tail->len);
			m->nr_extents++;
			r = sl_insert(r, tail);
			tail = NULL;
		}
	}
	sl_ext_free_tree(m, mid);	/* all of it lies inside the replaced range */
	sl_free(tail);
	n->left = NULL;
	n->right = NULL;
	m->ops.ref(m->ops.ctx, kind, loc, len);
	m->nr_extents++;
	m->root = sl_merge(sl_merge(l, n), r);
	return 0;
}

const struct sl_ext *sl_map_find(const struct sl_map *m, u64 lba, u64 *next_lba)
{
	return sl_find_node(m->root, lba, next_lba);
}

const struct sl_ext *sl_map_first_from(const struct sl_map *m, u64 lba)
{
	const struct sl_ext *e;
	u64 next;

	e = sl_map_find(m, lba, &next);
	if (e)
		return e;
	if (next == ~0ull)
		return NULL;
	return sl_map_find(m, next, &next);
}

static bool sl_walk(const struct sl_ext *t, bool (*fn)(void *arg, const struct sl_ext *x),
		    void *arg)
{
	while (t) {
		if (!sl_walk(t->left, fn, arg) || !fn(arg, t))
			return false;
		t = t->right;	/* the right subtree without another frame */
	}
	return true;
}

bool sl_map_walk(const struct sl_map *m, bool (*fn)(void *arg, const struct sl_ext *x),
		 void *arg)
{
	return sl_walk(m->root, fn, arg);
}

static bool sl_map_newer(struct sl_map *m, const struct sl_ext *old, u32 kind, u64 loc, u64 seq)
{
	if (seq != old->seq)
		return seq > old->seq;
	return m->ops.rank(m->ops.ctx, kind, loc) >= m->ops.rank(m->ops.ctx, old->kind, old->loc);
}

int sl_map_update(struct sl_map *m, u64 lba, u64 len, u32 kind, u64 loc, u64 seq, u32 mode)
{
	u64 cur = lba, end = lba + len, next, piece_end;
	struct sl_ext *e;
	bool take;
	int err;

	if (!len || end < lba)
		return -EINVAL;
	if ((mode & SL_MAP_FILL_GAPS) && !(mode & SL_MAP_IF_NEWER))
		return sl_map_set(m, sl_find_node(m->root, lba, &next), lba, len, kind, loc,
				  seq);
	while (cur < end) {
		e = sl_find_node(m->root, cur, &next);
		if (e) {
			piece_end = min_t(u64, e->lba + e->len, end);
			take = !(mode & SL_MAP_IF_NEWER) || sl_map_newer(m, e, kind, loc, seq);
		} else {
			piece_end = min_t(u64, next, end);
			take = mode & SL_MAP_FILL_GAPS;
		}
		if (take) {
			err = sl_map_set(m, e, cur, piece_end - cur, kind,
					 sl_kind_moves(kind) ? loc + (cur - lba) : loc, seq);
			if (err)
				return err;
		}
		cur = piece_end;
	}
	return 0;
}

static u64 sl_ext_loc_at(const struct sl_ext *e, u64 lba)
{
	return sl_kind_moves(e->kind) ? e->loc + (lba - e->lba) : e->loc;
}

int sl_map_repoint(struct sl_map *m, u64 lba, u64 len, u32 old_kind, u64 old_loc, u64 seq,
		   u32 new_kind, u64 new_loc)
{
	u64 cur = lba, end = lba + len, next, piece_end, want;
	struct sl_ext *e;
	int err;

	while (cur < end) {
		e = sl_find_node(m->root, cur, &next);
		if (!e) {
			cur = min_t(u64, next, end);
			continue;
		}
		piece_end = min_t(u64, e->lba + e->len, end);
		want = sl_kind_moves(old_kind) ? old_loc + (cur - lba) : old_loc;
		if (e->kind == old_kind && e->seq == seq && sl_ext_loc_at(e, cur) == want) {
			err = sl_map_set(m, e, cur, piece_end - cur, new_kind,
					 sl_kind_moves(new_kind) ? new_loc + (cur - lba) : new_loc,
					 seq);
			if (err)
				return err;
		}
		cur = piece_end;
	}
	return 0;
}
