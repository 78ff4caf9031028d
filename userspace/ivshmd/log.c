// SPDX-License-Identifier: GPL-2.0
/* log.c - leveled logging to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

#define GUEST_BURST	10	/* lines per second caused by the guest */

static int cur_level = IVD_INFO;
static const char *const names[] = { "error", "warning", "info", "debug" };

static struct {
	time_t second;
	unsigned int count;
	unsigned long suppressed;
} guest_rl;

void ivd_log_set_level(int level)
{
	if (level < IVD_ERR)
		level = IVD_ERR;
	if (level > IVD_DEBUG)
		level = IVD_DEBUG;
	cur_level = level;
}

int ivd_log_level(void)
{
	return cur_level;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s\n", names[level], buf);
}

void ivd_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void ivd_log_guest_level(int level, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (level > cur_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != guest_rl.second) {
		if (guest_rl.suppressed)
			ivd_log(IVD_WARN, "guest: %lu more messages suppressed",
				guest_rl.suppressed);
		guest_rl.second = ts.tv_sec;
		guest_rl.count = 0;
		guest_rl.suppressed = 0;
	}
	if (guest_rl.count >= GUEST_BURST) {
		guest_rl.suppressed++;
		return;
	}
	guest_rl.count++;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
