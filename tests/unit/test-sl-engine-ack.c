// SPDX-License-Identifier: GPL-2.0
/*
 * Engine acknowledgement rules: writes complete in seq order only, flushes
 * wait for everything submitted before them, group commit batches queued
 * writes, an I/O error fails the record and everything after it, and
 * sl_engine_fail_queued() lets nothing wait forever.
 */
#include "../lib/sl_test.h"
#include <string.h>

static struct sl_memdev md;
static u32 crc1[4];

static struct sl_engine *fresh(void)
{
	static char *argv[] = { "p", "1", "0", "c" };
	struct sl_table_args a;
	struct sl_open_params p = { .table = &a, .target_blocks = 1000, .perf_blocks = 3 + 2048,
				    .leg_blocks = { 256 + 40 * 256 } };
	struct sl_engine *e = NULL;
	const char *why = "";

	sl_memdev_free(&md);
	sl_memdev_init(&md, p.perf_blocks, 1, p.leg_blocks[0]);
	sl_table_parse(4, argv, &a, &why);
	CHECK(!sl_volume_open(&p, &sl_memdev_ops, &md, &e, NULL, &why), "open: %s", why);
	return e;
}

static void wr(struct sl_write *w, u64 lba, u32 n, u32 flags)
{
	memset(w, 0, sizeof(*w));
	w->lba = lba;
	w->nblocks = n;
	w->flags = flags;
	w->crc = crc1;
}

static int count(struct sl_list *l)
{
	struct sl_list *p;
	int n = 0;

	for (p = l->next; p != l; p = p->next)
		n++;
	return n;
}

static struct sl_write *nth(struct sl_list *l, int i)
{
	struct sl_list *p = l->next;

	while (i--)
		p = p->next;
	return sl_container_of(p, struct sl_write, node);
}

int main(void)
{
	struct sl_write w[8], f;
	struct sl_record_io *r1, *r2;
	struct sl_list acked;
	struct sl_status st;
	struct sl_engine *e;

	SECTION("a flush with nothing outstanding completes at once");
	e = fresh();
	wr(&f, 0, 0, SL_W_FLUSH);
	CHECK(sl_engine_submit(e, &f) == SL_SUBMIT_DONE && !f.error, "empty flush not done");

	SECTION("group commit: three queued writes become one record");
	wr(&w[0], 1, 1, 0);
	wr(&w[1], 2, 2, SL_W_FUA);
	wr(&w[2], 9, 3, SL_W_DISCARD);
	CHECK(sl_engine_submit(e, &w[0]) == SL_SUBMIT_QUEUED, "q");
	sl_engine_submit(e, &w[1]);
	sl_engine_submit(e, &w[2]);
	CHECK(!sl_engine_build_record(e, &r1), "build");
	CHECK(r1->nr_blocks == 1 + 3 && count(&r1->writes) == 3, "record has %u blocks",
	      r1->nr_blocks);
	CHECK(w[1].data_block == w[0].data_block + 1, "data not contiguous");
	CHECK(sl_engine_build_record(e, &r2) == -EAGAIN, "empty build did not say EAGAIN");

	SECTION("in-order acknowledgement: r2 done first acknowledges nothing");
	wr(&w[3], 4, 1, 0);
	sl_engine_submit(e, &w[3]);
	CHECK(!sl_engine_build_record(e, &r2), "build r2");
	wr(&f, 0, 0, SL_W_FLUSH);
	CHECK(sl_engine_submit(e, &f) == SL_SUBMIT_QUEUED, "flush behind r2 must wait");
	sl_list_init(&acked);
	sl_engine_record_done(e, r2, 0, &acked);
	CHECK(sl_list_empty(&acked), "r2 acknowledged before r1");
	sl_engine_record_done(e, r1, 0, &acked);
	CHECK(count(&acked) == 5, "%d acknowledged", count(&acked));
	CHECK(nth(&acked, 0) == &w[0] && nth(&acked, 3) == &w[3] && nth(&acked, 4) == &f,
	      "wrong order");
	sl_engine_status(e, &st);
	CHECK(st.batches == 2 && st.user_bytes_written == 4 * 4096 && st.flushes == 2,
	      "counters: batches %llu bytes %llu flushes %llu", (unsigned long long)st.batches,
	      (unsigned long long)st.user_bytes_written, (unsigned long long)st.flushes);

	SECTION("an I/O error fails its record and every later one, and the volume");
	wr(&w[4], 5, 1, 0);
	sl_engine_submit(e, &w[4]);
	sl_engine_build_record(e, &r1);
	wr(&w[5], 6, 1, 0);
	sl_engine_submit(e, &w[5]);
	sl_engine_build_record(e, &r2);
	wr(&w[6], 7, 1, 0);
	sl_engine_submit(e, &w[6]);	/* queued, never built */
	sl_list_init(&acked);
	sl_engine_record_done(e, r2, 0, &acked);
	sl_engine_record_done(e, r1, -EIO, &acked);
	CHECK(count(&acked) == 3 && w[4].error == -EIO && w[5].error == -EIO &&
	      w[6].error == -EIO, "errors: %d %d %d", w[4].error, w[5].error, w[6].error);
	wr(&w[7], 8, 1, 0);
	CHECK(sl_engine_submit(e, &w[7]) == -EIO, "failed volume accepted a write");
	sl_engine_destroy(e);

	SECTION("fail_queued: queued writes get the error, flushes behind them finish");
	e = fresh();
	wr(&w[0], 1, 1, 0);
	sl_engine_submit(e, &w[0]);
	sl_engine_build_record(e, &r1);
	wr(&w[1], 2, 1, 0);
	sl_engine_submit(e, &w[1]);
	wr(&f, 0, 0, SL_W_FLUSH);
	CHECK(sl_engine_submit(e, &f) == SL_SUBMIT_QUEUED, "flush");
	sl_list_init(&acked);
	sl_engine_fail_queued(e, -ENOSPC, &acked);
	CHECK(count(&acked) == 1 && w[1].error == -ENOSPC, "queued write not failed");
	sl_engine_record_done(e, r1, 0, &acked);
	CHECK(count(&acked) == 3 && !w[0].error && nth(&acked, 2) == &f, "flush still waiting");
	wr(&f, 0, 0, SL_W_FLUSH);
	CHECK(sl_engine_submit(e, &f) == SL_SUBMIT_DONE, "later flush waits for failed writes");
	SECTION("requests beyond the volume are refused");
	wr(&w[2], 999, 2, 0);
	CHECK(sl_engine_submit(e, &w[2]) == -EINVAL, "beyond the end accepted");
	CHECK(sl_engine_max_write_blocks(e) == 255, "max write %u", sl_engine_max_write_blocks(e));
	wr(&w[2], 0, 256, 0);
	CHECK(sl_engine_submit(e, &w[2]) == -EINVAL, "oversized write accepted");
	sl_engine_destroy(e);
	sl_memdev_free(&md);
	return sl_test_done("test-sl-engine-ack");
}
