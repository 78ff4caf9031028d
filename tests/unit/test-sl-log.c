// SPDX-License-Identifier: GPL-2.0
/* Circular log space: placement, wrap waste, release from the tail. */
#include "../lib/sl_test.h"
#include "sl_log.h"

int main(void)
{
	struct sl_log l;
	u64 pos, waste, p[8], w[8], n[8];
	int i;

	SECTION("records go back to back");
	sl_log_init(&l, 100, 0);
	CHECK(!sl_log_alloc(&l, 30, &pos, &waste) && pos == 0 && !waste, "first");
	CHECK(!sl_log_alloc(&l, 30, &pos, &waste) && pos == 30, "second");
	CHECK(!sl_log_alloc(&l, 30, &pos, &waste) && pos == 60 && l.used == 90, "third");
	SECTION("full: a record that does not fit is refused without side effects");
	CHECK(sl_log_alloc(&l, 20, &pos, &waste) == -ENOSPC && l.used == 90, "overfill");
	SECTION("wrap: release the oldest, the next record goes to 0 and the end is wasted");
	sl_log_release(&l, 0, 30, 0);
	CHECK(l.tail == 30 && l.used == 60, "tail %llu used %llu", (unsigned long long)l.tail,
	      (unsigned long long)l.used);
	CHECK(!sl_log_alloc(&l, 20, &pos, &waste) && pos == 0 && waste == 10 && l.used == 90,
	      "wrap pos %llu waste %llu", (unsigned long long)pos, (unsigned long long)waste);
	CHECK(!sl_log_fits(&l, 11) && sl_log_fits(&l, 10), "room between head and tail");
	SECTION("release everything: empty log, tail meets head");
	sl_log_release(&l, 30, 30, 0);
	sl_log_release(&l, 60, 30, 0);
	sl_log_release(&l, 0, 20, 10);
	CHECK(l.used == 0 && l.tail == 20 && l.head == 20, "used %llu tail %llu",
	      (unsigned long long)l.used, (unsigned long long)l.tail);
	SECTION("random churn keeps used == sum of live records + waste");
	sl_log_init(&l, 97, 50);
	for (i = 0; i < 8; i++) {
		n[i] = 1 + (u64)(i * 7) % 20;
		CHECK(!sl_log_alloc(&l, n[i], &p[i], &w[i]), "alloc %d", i);
		CHECK(p[i] + n[i] <= 97, "record %d straddles the end", i);
	}
	for (i = 0; i < 8; i++)
		sl_log_release(&l, p[i], n[i], w[i]);
	CHECK(l.used == 0, "leaked %llu", (unsigned long long)l.used);
	SECTION("normalised positions");
	CHECK(sl_log_norm_pos(100, 100) == 0 && sl_log_norm_pos(100, 99) == 99, "norm");
	return sl_test_done("test-sl-log");
}
