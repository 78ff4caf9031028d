/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_table.h - the dm-stripelog table-line parser and formatter.
 *
 * Table line (after "<start> <len> stripelog"):
 *   <perf_dev> <k> <m> <cap_0> ... <cap_{k+m-1}> [<#opts> <name> <value> ...]
 * #opts counts words (name and value each count, as in dm-cache/dm-thin).
 * Options (each at most once):
 *   log_threshold_pct <10..90>   destage when the log is this full (default 50)
 *   gc_window_us <0..100000>     group-commit wait before a log write (default 0)
 *   discard <on|off>             pass discards / advertise them (default on)
 *   stripe_unit_kb <4..1024>     power of two, multiple of 4 (default 64)
 *   max_record_kb <8..1024>      largest log record, multiple of 4 (default 1024)
 *   rebuild_delay_ms <0..10000>  pause between two segments of a leg rebuild
 *                                (throttle; default 1)
 *   verify_reads <on|off>        check every block read from a segment against
 *                                its summary crc32c, repair from parity
 *                                (default: on when m > 0)
 * k >= 1 data legs and m in {0, 1, 2} parity legs, k + m <= SL_MAX_LEGS (16,
 * the number of leg UUIDs the superblock holds); stripe_unit_kb is the chunk
 * each leg gets per stripe row (io_opt = k * stripe_unit_kb).
 */
#ifndef SL_TABLE_H
#define SL_TABLE_H

#include "sl_compat.h"
#include "sl_format.h"

#define SL_OPT_LOG_THRESHOLD	0x01
#define SL_OPT_GC_WINDOW	0x02
#define SL_OPT_DISCARD		0x04
#define SL_OPT_STRIPE_UNIT	0x08
#define SL_OPT_MAX_RECORD	0x10
#define SL_OPT_REBUILD_DELAY	0x20
#define SL_OPT_VERIFY_READS	0x40

#define SL_DEFAULT_LOG_THRESHOLD_PCT	50
#define SL_DEFAULT_GC_WINDOW_US		0
#define SL_DEFAULT_MAX_RECORD_KB	1024
#define SL_DEFAULT_REBUILD_DELAY_MS	1

/**
 * struct sl_table_args - a parsed table line.
 * @perf_dev, @cap_dev: point into the caller's argv (not copied).
 * @opts_given: SL_OPT_* bits of options present on the line (the formatter
 *              emits exactly these, so `dmsetup table` round-trips).
 */
struct sl_table_args {
	const char *perf_dev;
	u32 k, m;
	const char *cap_dev[SL_MAX_LEGS];
	u32 opts_given;
	u32 log_threshold_pct;
	u32 gc_window_us;
	bool discard;
	u32 stripe_unit_kb;
	u32 max_record_kb;
	u32 rebuild_delay_ms;
	bool verify_reads;
};

/**
 * sl_table_parse() - parse and validate a table line.
 * @argc/@argv: the target's arguments (as given to the dm ctr).
 * @a: result; defaults filled in for absent options.
 * @err: on failure, a static string suitable for ti->error.
 *
 * Called by the glue's ctr and by `stripelog create`.  Pure: no allocation,
 * no device access.  Return: 0 or -EINVAL.
 */
int sl_table_parse(unsigned int argc, char **argv, struct sl_table_args *a, const char **err);

/**
 * sl_table_format() - print a table line back (for STATUSTYPE_TABLE).
 * @a: parsed arguments.  @perf_name/@cap_names: device names as dm knows
 * them (e.g. "253:1"); NULL = use the strings in @a.
 * @buf/@len: output, always NUL-terminated when @len > 0.
 * Return: the length the full line needs (like snprintf).  Pure.
 */
int sl_table_format(const struct sl_table_args *a, const char *perf_name,
		    const char *const *cap_names, char *buf, size_t len);

#endif /* SL_TABLE_H */
