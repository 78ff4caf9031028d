// SPDX-License-Identifier: GPL-2.0
/*
 * Logical map: random updates checked block by block against a flat array,
 * live-count bookkeeping (ref/unref) checked against a recount, conditional
 * (recovery) updates, exact-range rewrites (done in place), the in-order
 * walk, and memory proportional to extents, not to LBAs.
 */
#include "../lib/sl_test.h"
#include "sl_map.h"
#include <string.h>

#define N 2048
struct cell { u32 kind; u64 loc, seq; };
static struct cell ref[N];
static s64 live[8];	/* per "segment" = loc / 1000 for SEG kinds */

static void cb_ref(void *c, u32 k, u64 loc, u64 len)
{
	(void)c;
	if (k == SL_MAP_SEG || k == SL_MAP_DSEG)
		live[loc / 1000] += (s64)len;
}

static void cb_unref(void *c, u32 k, u64 loc, u64 len)
{
	(void)c;
	if (k == SL_MAP_SEG || k == SL_MAP_DSEG)
		live[loc / 1000] -= (s64)len;
}

static u64 cb_rank(void *c, u32 k, u64 loc)
{
	(void)c;
	return (k == SL_MAP_LOG || k == SL_MAP_DLOG) ? ~0ull : loc / 1000;
}

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool moves(u32 k)
{
	return k == SL_MAP_LOG || k == SL_MAP_SEG;
}

static void set_ref(u64 lba, u64 len, u32 kind, u64 loc, u64 seq, u32 mode)
{
	u64 i;

	for (i = lba; i < lba + len; i++) {
		struct cell *c = &ref[i];
		bool mapped = c->kind != 0, take;

		if (!mapped)
			take = mode & SL_MAP_FILL_GAPS;
		else if (mode & SL_MAP_IF_NEWER)
			take = seq > c->seq || (seq == c->seq &&
				cb_rank(NULL, kind, loc) >= cb_rank(NULL, c->kind, c->loc));
		else
			take = true;
		if (take) {
			c->kind = kind;
			c->loc = moves(kind) ? loc + (i - lba) : loc;
			c->seq = seq;
		}
	}
}

static int compare(struct sl_map *m)
{
	const struct sl_ext *e;
	s64 want[8] = { 0 };
	u64 i, next;
	int bad = 0;

	for (i = 0; i < N; i++) {
		e = sl_map_find(m, i, &next);
		if (!e) {
			if (ref[i].kind)
				bad++;
			continue;
		}
		if (e->kind != ref[i].kind || e->seq != ref[i].seq ||
		    (moves(e->kind) ? e->loc + (i - e->lba) : e->loc) != ref[i].loc)
			bad++;
		if (ref[i].kind == SL_MAP_SEG || ref[i].kind == SL_MAP_DSEG)
			want[ref[i].loc / 1000]++;
	}
	for (i = 0; i < 8; i++)
		if (want[i] != live[i])
			bad++;
	return bad;
}

struct walked {
	u64 n, next_lba;
	int bad;
	const struct sl_map *m;
};

/* Each extent must be the one sl_map_first_from() gives after the last. */
static bool walk_check(void *arg, const struct sl_ext *x)
{
	struct walked *w = arg;

	if (sl_map_first_from(w->m, w->next_lba) != x)
		w->bad++;
	w->next_lba = x->lba + x->len;
	w->n++;
	return true;
}

static bool walk_stop_at_3(void *arg, const struct sl_ext *x)
{
	(void)x;
	return ++((struct walked *)arg)->n < 3;
}

static u32 depth(const struct sl_ext *t)
{
	u32 l, r;

	if (!t)
		return 0;
	l = depth(t->left);
	r = depth(t->right);
	return 1 + (l > r ? l : r);
}

int main(void)
{
	struct sl_map_ops ops = { NULL, cb_ref, cb_unref, cb_rank };
	struct sl_map m;
	const struct sl_ext *e;
	u64 s = 88172645463325252ull, i, lba, len, next, seq = 1;
	u32 kind, mode;
	int bad;

	SECTION("empty map: everything unmapped, next = none");
	sl_map_init(&m, &ops);
	CHECK(!sl_map_find(&m, 5, &next) && next == ~0ull, "empty map found something");
	SECTION("one extent, split by an overwrite in the middle");
	CHECK(!sl_map_update(&m, 100, 50, SL_MAP_SEG, 1000, 1, SL_MAP_FILL_GAPS), "update");
	CHECK(!sl_map_update(&m, 120, 5, SL_MAP_LOG, 7, 2, SL_MAP_FILL_GAPS), "update");
	e = sl_map_find(&m, 130, &next);
	CHECK(e && e->lba == 125 && e->len == 25 && e->loc == 1025, "tail piece wrong");
	e = sl_map_find(&m, 119, &next);
	CHECK(e && e->lba == 100 && e->len == 20, "head piece wrong");
	CHECK(live[1] == 45 && m.nr_extents == 3, "live %lld extents %llu", (long long)live[1],
	      (unsigned long long)m.nr_extents);
	sl_map_destroy(&m);
	memset(live, 0, sizeof(live));

	SECTION("20000 random updates (data, tombstones, only-mapped, if-newer) vs a flat array");
	sl_map_init(&m, &ops);
	for (i = 0; i < 20000; i++) {
		len = 1 + rnd(&s) % 40;
		lba = rnd(&s) % (N - len);
		e = (i & 1) ? sl_map_find(&m, lba, &next) : NULL;
		if (e) {
			/* exactly an existing extent: the in-place path */
			lba = e->lba;
			len = e->len;
		}
		kind = 1 + (u32)(rnd(&s) % 4);
		mode = (u32)(rnd(&s) % 4);
		if (mode == 0)
			mode = SL_MAP_FILL_GAPS;
		else if (mode == 1)
			mode = SL_MAP_ONLY_MAPPED;
		else if (mode == 2)
			mode = SL_MAP_FILL_GAPS | SL_MAP_IF_NEWER;
		else
			mode = SL_MAP_IF_NEWER;
		{
			u64 loc = (kind == SL_MAP_SEG || kind == SL_MAP_DSEG) ?
				  (rnd(&s) % 8) * 1000 + (kind == SL_MAP_SEG ? rnd(&s) % 900 : 0) :
				  rnd(&s) % 100000;
			u64 sq = (mode & SL_MAP_IF_NEWER) ? 1 + rnd(&s) % (seq + 1) : ++seq;

			CHECK(!sl_map_update(&m, lba, len, kind, loc, sq, mode), "update failed");
			set_ref(lba, len, kind, loc, sq, mode);
		}
		if (i % 1000 == 999) {
			bad = compare(&m);
			CHECK(!bad, "after %llu updates: %d mismatches", (unsigned long long)i, bad);
			if (bad)
				break;
		}
	}
	{
		struct walked w = { 0, 0, 0, &m };

		SECTION("walk visits every extent once, in LBA order");
		CHECK(sl_map_walk(&m, walk_check, &w), "walk stopped");
		CHECK(!w.bad && w.n == m.nr_extents, "walk: %d out of order, %llu of %llu",
		      w.bad, (unsigned long long)w.n, (unsigned long long)m.nr_extents);
		w.n = 0;
		CHECK(!sl_map_walk(&m, walk_stop_at_3, &w) && w.n == 3, "walk did not stop");
	}
	SECTION("exact rewrites: in place, counts and live blocks follow");
	sl_map_destroy(&m);
	memset(live, 0, sizeof(live));
	memset(ref, 0, sizeof(ref));
	sl_map_init(&m, &ops);
	for (i = 0; i < 100; i++)
		sl_map_update(&m, i * 3, 2, SL_MAP_LOG, 7000 + i * 2, 10 + i, SL_MAP_FILL_GAPS);
	next = m.nr_extents;
	e = sl_map_find(&m, 3, &lba);
	for (i = 0; i < 100; i++) {
		CHECK(!sl_map_repoint(&m, i * 3, 2, SL_MAP_LOG, 7000 + i * 2, 10 + i, SL_MAP_SEG,
				      1000 + i * 2), "repoint %llu", (unsigned long long)i);
		set_ref(i * 3, 2, SL_MAP_SEG, 1000 + i * 2, 10 + i, SL_MAP_FILL_GAPS);
	}
	CHECK(sl_map_find(&m, 3, &lba) == e, "extent was reallocated, not rewritten");
	CHECK(m.nr_extents == next && live[1] == 200, "%llu extents, live %lld",
	      (unsigned long long)m.nr_extents, (long long)live[1]);
	for (i = 0; i < 100; i += 2) {
		sl_map_update(&m, i * 3, 2, SL_MAP_LOG, 9000 + i, 500 + i, SL_MAP_FILL_GAPS);
		set_ref(i * 3, 2, SL_MAP_LOG, 9000 + i, 500 + i, SL_MAP_FILL_GAPS);
	}
	bad = compare(&m);
	CHECK(!bad && m.nr_extents == next && live[1] == 100, "%d mismatches, %llu extents, live %lld",
	      bad, (unsigned long long)m.nr_extents, (long long)live[1]);
	SECTION("repoint moves only exact matches");
	sl_map_destroy(&m);
	memset(live, 0, sizeof(live));
	memset(ref, 0, sizeof(ref));
	sl_map_init(&m, &ops);
	sl_map_update(&m, 0, 10, SL_MAP_LOG, 500, 3, SL_MAP_FILL_GAPS);
	sl_map_update(&m, 4, 2, SL_MAP_LOG, 900, 4, SL_MAP_FILL_GAPS);	/* newer in the middle */
	CHECK(!sl_map_repoint(&m, 0, 10, SL_MAP_LOG, 500, 3, SL_MAP_SEG, 2000), "repoint");
	e = sl_map_find(&m, 7, &next);
	CHECK(e && e->kind == SL_MAP_SEG && e->loc + (7 - e->lba) == 2007, "moved piece wrong");
	e = sl_map_find(&m, 4, &next);
	CHECK(e && e->kind == SL_MAP_LOG && e->seq == 4, "newer piece was moved");
	CHECK(live[2] == 8, "live %lld", (long long)live[2]);
	SECTION("balance: 200000 ascending single-block extents keep the tree shallow");
	sl_map_destroy(&m);
	memset(live, 0, sizeof(live));
	sl_map_init(&m, &ops);
	for (i = 0; i < 200000; i++)
		sl_map_update(&m, i * 2, 1, SL_MAP_LOG, i, 1 + i, SL_MAP_FILL_GAPS);
	CHECK(m.nr_extents == 200000, "%llu extents", (unsigned long long)m.nr_extents);
	CHECK(depth(m.root) < 80, "depth %u for 200000 extents", depth(m.root));
	printf("  depth %u for %llu extents\n", depth(m.root), (unsigned long long)m.nr_extents);
	SECTION("memory: one extent for a huge range (no per-LBA RAM)");
	next = m.nr_extents;
	sl_map_update(&m, 1ull << 40, 1ull << 35, SL_MAP_DSEG, 3000, 9, SL_MAP_FILL_GAPS);
	CHECK(m.nr_extents == next + 1, "%llu extents", (unsigned long long)m.nr_extents);
	sl_map_destroy(&m);
	return sl_test_done("test-sl-map");
}
