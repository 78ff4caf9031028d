// SPDX-License-Identifier: GPL-2.0
/* Table-line parser: good lines, every kind of bad line, and round-trip. */
#include "../lib/sl_test.h"
#include "sl_table.h"
#include <string.h>

static int parse_line(const char *line, struct sl_table_args *a, const char **err,
		      char *store, char **argv)
{
	unsigned int argc = 0;
	char *tok, *save = NULL;

	strcpy(store, line);
	for (tok = strtok_r(store, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	*err = NULL;
	return sl_table_parse(argc, argv, a, err);
}

static void good(const char *line, const char *canon)
{
	struct sl_table_args a;
	char store[512], out[512], *argv[64];
	const char *err;
	int n;

	CHECK(!parse_line(line, &a, &err, store, argv), "'%s' refused: %s", line, err);
	n = sl_table_format(&a, NULL, NULL, out, sizeof(out));
	CHECK(n == (int)strlen(out), "length %d vs %zu", n, strlen(out));
	CHECK(!strcmp(out, canon ? canon : line), "'%s' printed back as '%s'", line, out);
}

static void bad(const char *line, const char *want)
{
	struct sl_table_args a;
	char store[512], *argv[64];
	const char *err;

	CHECK(parse_line(line, &a, &err, store, argv) == -EINVAL, "'%s' accepted", line);
	CHECK(err && strstr(err, want), "'%s': error '%s' lacks '%s'", line, err ? err : "(none)",
	      want);
}

int main(void)
{
	struct sl_table_args a;
	char store[512], out[16], *argv[64];
	const char *err;
	int n;

	SECTION("good lines parse and print back identically");
	good("/dev/vda 1 0 /dev/vdb", NULL);
	good("253:0 1 0 253:1 2 log_threshold_pct 70", NULL);
	good("p 1 0 c 10 discard off gc_window_us 100 stripe_unit_kb 128 max_record_kb 512 "
	     "log_threshold_pct 10",
	     "p 1 0 c 10 log_threshold_pct 10 gc_window_us 100 discard off stripe_unit_kb 128 "
	     "max_record_kb 512");
	good("p 1 0 c 0", "p 1 0 c");
	good("p 4 1 a b c d e", NULL);
	good("p 4 1 a b c d e 2 rebuild_delay_ms 200", NULL);
	good("p 4 1 a b c d e 2 verify_reads off", NULL);
	good("p 1 0 a 2 verify_reads on", NULL);
	CHECK(!parse_line("p 4 2 a b c d e f", &a, &err, store, argv) && a.verify_reads,
	      "verify_reads defaults on with parity");
	CHECK(!parse_line("p 1 0 a", &a, &err, store, argv) && !a.verify_reads,
	      "verify_reads defaults off without parity");
	good("p 4 2 a b c d e f 2 stripe_unit_kb 32", NULL);
	good("p 1 2 a b c", NULL);
	good("p 14 2 a b c d e f g h i j k l m n o p", NULL);
	good("p 16 0 a b c d e f g h i j k l m n o p", NULL);
	SECTION("defaults");
	CHECK(!parse_line("p 1 0 c", &a, &err, store, argv), "refused");
	CHECK(a.log_threshold_pct == 50 && a.discard && a.stripe_unit_kb == 64 &&
	      a.max_record_kb == 1024 && a.gc_window_us == 0 && !a.opts_given, "defaults wrong");
	SECTION("bad lines are refused with a clear reason");
	bad("", "Not enough arguments");
	bad("p 1 0", "Not enough arguments");
	bad("p x 0 c", "Invalid k");
	bad("p 0 0 c", "Invalid k");
	bad("p 17 0 c", "Invalid k");
	bad("p -1 0 c", "Invalid k");
	bad("p 1 3 c", "Invalid m");
	bad("p 15 2 c", "exceed 16");
	bad("p 4 1 a b c d", "Missing capacity devices");
	bad("p 4 2 a b c d e", "Missing capacity devices");
	bad("p 14 3 a b c d e f g h i j k l m n o p q", "Invalid m");
	bad("p 99999999999 0 c", "Invalid k");
	bad("p 1 0 c 2 log_threshold_pct", "does not match");
	bad("p 1 0 c 3 a b c", "pairs");
	bad("p 1 0 c x", "Invalid number of optional");
	bad("p 1 0 c 2 bogus 1", "Unknown option");
	bad("p 1 0 c 2 log_threshold_pct 5", "log_threshold_pct");
	bad("p 1 0 c 2 log_threshold_pct 91", "log_threshold_pct");
	bad("p 1 0 c 2 log_threshold_pct 5x", "log_threshold_pct");
	bad("p 1 0 c 2 discard maybe", "discard");
	bad("p 1 0 c 2 stripe_unit_kb 12", "stripe_unit_kb");
	bad("p 1 0 c 2 stripe_unit_kb 2048", "stripe_unit_kb");
	bad("p 1 0 c 2 max_record_kb 6", "max_record_kb");
	bad("p 1 0 c 2 max_record_kb 2048", "max_record_kb");
	bad("p 1 0 c 2 gc_window_us 100001", "gc_window_us");
	bad("p 1 0 c 2 rebuild_delay_ms 10001", "rebuild_delay_ms");
	bad("p 1 0 c 2 verify_reads yes", "verify_reads");
	bad("p 1 0 c 4 discard on discard off", "more than once");
	SECTION("empty device strings");
	argv[0] = (char *)"";
	argv[1] = (char *)"1";
	argv[2] = (char *)"0";
	argv[3] = (char *)"c";
	CHECK(sl_table_parse(4, argv, &a, &err) == -EINVAL, "empty perf accepted");
	argv[0] = (char *)"p";
	argv[3] = (char *)"";
	CHECK(sl_table_parse(4, argv, &a, &err) == -EINVAL, "empty cap accepted");
	SECTION("formatter truncates safely and reports the full length");
	CHECK(!parse_line("perfdevice 1 0 capdevice 2 discard off", &a, &err, store, argv), "x");
	n = sl_table_format(&a, NULL, NULL, out, sizeof(out));
	CHECK(n == (int)strlen("perfdevice 1 0 capdevice 2 discard off"), "n=%d", n);
	CHECK(strlen(out) == sizeof(out) - 1, "not truncated to the buffer: '%s'", out);
	SECTION("device names substituted (dm prints major:minor)");
	{
		const char *caps[] = { "8:16" };
		char line[128];

		sl_table_format(&a, "8:0", caps, line, sizeof(line));
		CHECK(!strcmp(line, "8:0 1 0 8:16 2 discard off"), "got '%s'", line);
	}
	return sl_test_done("test-sl-table");
}
