// SPDX-License-Identifier: GPL-2.0
/*
 * sl_table.c - dm-stripelog table-line parser and formatter (see sl_table.h).
 * Pure string handling: shared by the kernel constructor, the CLI and the
 * fuzzer.  Every error is a static string meant for ti->error.
 */
#include "sl_table.h"

#ifdef __KERNEL__
#include <linux/kernel.h>
#define sl_snprintf snprintf
#else
#include <stdio.h>
#define sl_snprintf snprintf
#endif

struct sl_opt_desc {
	const char *name;
	u32 bit;
	u32 min, max;
};

static const struct sl_opt_desc sl_opts[] = {
	{ "log_threshold_pct", SL_OPT_LOG_THRESHOLD, 10, 90 },
	{ "gc_window_us", SL_OPT_GC_WINDOW, 0, 100000 },
	{ "discard", SL_OPT_DISCARD, 0, 1 },
	{ "stripe_unit_kb", SL_OPT_STRIPE_UNIT, 4, 1024 },
	{ "max_record_kb", SL_OPT_MAX_RECORD, 8, SL_REC_MAX_BLOCKS * 4 },
	{ "rebuild_delay_ms", SL_OPT_REBUILD_DELAY, 0, 10000 },
	{ "verify_reads", SL_OPT_VERIFY_READS, 0, 1 },
};

/* Strict unsigned decimal: digits only, no sign, no overflow, <= 10 digits. */
static int sl_parse_u32(const char *s, u32 *out)
{
	u64 v = 0;
	int n = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 10)
			return -EINVAL;
		v = v * 10 + (u64)(*s - '0');
	}
	if (v > 0xffffffffull)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

static int sl_tfail(const char **err, const char *msg)
{
	*err = msg;
	return -EINVAL;
}

static void sl_table_defaults(struct sl_table_args *a)
{
	memset(a, 0, sizeof(*a));
	a->log_threshold_pct = SL_DEFAULT_LOG_THRESHOLD_PCT;
	a->gc_window_us = SL_DEFAULT_GC_WINDOW_US;
	a->discard = true;
	a->stripe_unit_kb = SL_DEFAULT_STRIPE_UNIT_BLOCKS * 4;
	a->max_record_kb = SL_DEFAULT_MAX_RECORD_KB;
	a->rebuild_delay_ms = SL_DEFAULT_REBUILD_DELAY_MS;
}

static const struct sl_opt_desc *sl_opt_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sl_opts); i++)
		if (!strcmp(name, sl_opts[i].name))
			return &sl_opts[i];
	return NULL;
}

static int sl_opt_value(const struct sl_opt_desc *o, const char *val, u32 *v, const char **err)
{
	if (o->bit == SL_OPT_DISCARD || o->bit == SL_OPT_VERIFY_READS) {
		if (!strcmp(val, "on"))
			*v = 1;
		else if (!strcmp(val, "off"))
			*v = 0;
		else
			return sl_tfail(err, o->bit == SL_OPT_DISCARD ? "discard must be on or off" :
					"verify_reads must be on or off");
		return 0;
	}
	if (sl_parse_u32(val, v) || *v < o->min || *v > o->max) {
		switch (o->bit) {
		case SL_OPT_LOG_THRESHOLD:
			return sl_tfail(err, "log_threshold_pct must be 10..90");
		case SL_OPT_GC_WINDOW:
			return sl_tfail(err, "gc_window_us must be 0..100000");
		case SL_OPT_STRIPE_UNIT:
			return sl_tfail(err, "stripe_unit_kb must be a power of two, 4..1024");
		case SL_OPT_REBUILD_DELAY:
			return sl_tfail(err, "rebuild_delay_ms must be 0..10000");
		default:
			return sl_tfail(err, "max_record_kb must be a multiple of 4, 8..1024");
		}
	}
	if (o->bit == SL_OPT_STRIPE_UNIT && ((*v & (*v - 1)) || *v % 4))
		return sl_tfail(err, "stripe_unit_kb must be a power of two, 4..1024");
	if (o->bit == SL_OPT_MAX_RECORD && *v % 4)
		return sl_tfail(err, "max_record_kb must be a multiple of 4, 8..1024");
	return 0;
}

static void sl_opt_store(struct sl_table_args *a, u32 bit, u32 v)
{
	a->opts_given |= bit;
	switch (bit) {
	case SL_OPT_LOG_THRESHOLD:
		a->log_threshold_pct = v;
		break;
	case SL_OPT_GC_WINDOW:
		a->gc_window_us = v;
		break;
	case SL_OPT_DISCARD:
		a->discard = v;
		break;
	case SL_OPT_STRIPE_UNIT:
		a->stripe_unit_kb = v;
		break;
	case SL_OPT_REBUILD_DELAY:
		a->rebuild_delay_ms = v;
		break;
	case SL_OPT_VERIFY_READS:
		a->verify_reads = v;
		break;
	default:
		a->max_record_kb = v;
		break;
	}
}

static int sl_parse_opts(unsigned int argc, char **argv, struct sl_table_args *a,
			 const char **err)
{
	const struct sl_opt_desc *o;
	unsigned int i;
	u32 n, v;

	if (!argc)
		return 0;
	if (sl_parse_u32(argv[0], &n))
		return sl_tfail(err, "Invalid number of optional arguments");
	if (n != argc - 1)
		return sl_tfail(err, "Optional argument count does not match the words given");
	if (n % 2)
		return sl_tfail(err, "Optional arguments must be <name> <value> pairs");
	for (i = 1; i < argc; i += 2) {
		o = sl_opt_find(argv[i]);
		if (!o)
			return sl_tfail(err, "Unknown option (see Documentation/stripelog-admin.rst)");
		if (a->opts_given & o->bit)
			return sl_tfail(err, "Option given more than once");
		if (sl_opt_value(o, argv[i + 1], &v, err))
			return -EINVAL;
		sl_opt_store(a, o->bit, v);
	}
	return 0;
}

int sl_table_parse(unsigned int argc, char **argv, struct sl_table_args *a, const char **err)
{
	unsigned int i, legs;

	sl_table_defaults(a);
	if (argc < 4)
		return sl_tfail(err, "Not enough arguments: <perf_dev> <k> <m> <cap_dev>... required");
	if (!argv[0][0])
		return sl_tfail(err, "Empty performance device path");
	a->perf_dev = argv[0];
	if (sl_parse_u32(argv[1], &a->k) || a->k < 1 || a->k > SL_MAX_LEGS)
		return sl_tfail(err, "Invalid k (number of data legs, 1..16)");
	if (sl_parse_u32(argv[2], &a->m) || a->m > SL_MAX_PARITY)
		return sl_tfail(err, "Invalid m (number of parity legs, 0..2)");
	if (a->k + a->m > SL_MAX_LEGS)
		return sl_tfail(err, "k + m must not exceed 16 legs");
	legs = a->k + a->m;
	if (argc - 3 < legs)
		return sl_tfail(err, "Missing capacity devices: k + m are required");
	for (i = 0; i < legs; i++) {
		if (!argv[3 + i][0])
			return sl_tfail(err, "Empty capacity device path");
		a->cap_dev[i] = argv[3 + i];
	}
	/* Default: verify segment reads when parity can repair what fails. */
	a->verify_reads = a->m > 0;
	return sl_parse_opts(argc - 3 - legs, argv + 3 + legs, a, err);
}

static int sl_opt_print(const struct sl_table_args *a, u32 bit, char *buf, size_t len)
{
	switch (bit) {
	case SL_OPT_LOG_THRESHOLD:
		return sl_snprintf(buf, len, " log_threshold_pct %u", a->log_threshold_pct);
	case SL_OPT_GC_WINDOW:
		return sl_snprintf(buf, len, " gc_window_us %u", a->gc_window_us);
	case SL_OPT_DISCARD:
		return sl_snprintf(buf, len, " discard %s", a->discard ? "on" : "off");
	case SL_OPT_STRIPE_UNIT:
		return sl_snprintf(buf, len, " stripe_unit_kb %u", a->stripe_unit_kb);
	case SL_OPT_REBUILD_DELAY:
		return sl_snprintf(buf, len, " rebuild_delay_ms %u", a->rebuild_delay_ms);
	case SL_OPT_VERIFY_READS:
		return sl_snprintf(buf, len, " verify_reads %s", a->verify_reads ? "on" : "off");
	default:
		return sl_snprintf(buf, len, " max_record_kb %u", a->max_record_kb);
	}
}

/* Append to buf at *pos, tracking the full length even when truncated. */
#define SL_EMIT(call) do {						\
	size_t _room = *pos < len ? len - *pos : 0;			\
	int _n = (call);						\
	if (_n > 0)							\
		*pos += (size_t)_n;					\
} while (0)

static void sl_emit_str(char *buf, size_t len, size_t *pos, const char *pre, const char *s)
{
	SL_EMIT(sl_snprintf(_room ? buf + *pos : NULL, _room, "%s%s", pre, s));
}

int sl_table_format(const struct sl_table_args *a, const char *perf_name,
		    const char *const *cap_names, char *buf, size_t len)
{
	size_t pos_v = 0, *pos = &pos_v;
	u32 i, nopts = 0;

	if (len)
		buf[0] = '\0';
	sl_emit_str(buf, len, pos, "", perf_name ? perf_name : a->perf_dev);
	SL_EMIT(sl_snprintf(_room ? buf + *pos : NULL, _room, " %u %u", a->k, a->m));
	for (i = 0; i < a->k + a->m && i < SL_MAX_LEGS; i++)
		sl_emit_str(buf, len, pos, " ", cap_names ? cap_names[i] : a->cap_dev[i]);
	for (i = 0; i < ARRAY_SIZE(sl_opts); i++)
		if (a->opts_given & sl_opts[i].bit)
			nopts += 2;
	if (!nopts)
		return (int)pos_v;
	SL_EMIT(sl_snprintf(_room ? buf + *pos : NULL, _room, " %u", nopts));
	for (i = 0; i < ARRAY_SIZE(sl_opts); i++)
		if (a->opts_given & sl_opts[i].bit)
			SL_EMIT(sl_opt_print(a, sl_opts[i].bit, _room ? buf + *pos : NULL, _room));
	return (int)pos_v;
}
