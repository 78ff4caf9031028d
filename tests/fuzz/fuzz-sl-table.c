// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: table-line parser.  The input is split at spaces into argv;
 * an accepted line must print back and re-parse to the same arguments.
 */
#include "sl_table.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char *line, *copy, *argv[64], *argv2[64], *tok, *save = NULL;
	char out[1024];
	struct sl_table_args a, b;
	const char *err;
	unsigned int argc = 0, argc2 = 0;

	if (size > 900)
		return 0;
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;
	for (tok = strtok_r(line, " \n\t", &save); tok && argc < 64; tok = strtok_r(NULL, " \n\t", &save))
		argv[argc++] = tok;
	if (!sl_table_parse(argc, argv, &a, &err)) {
		sl_table_format(&a, NULL, NULL, out, sizeof(out));
		copy = strdup(out);
		save = NULL;
		for (tok = strtok_r(copy, " ", &save); tok && argc2 < 64; tok = strtok_r(NULL, " ", &save))
			argv2[argc2++] = tok;
		if (sl_table_parse(argc2, argv2, &b, &err))
			__builtin_trap();
		if (a.k != b.k || a.m != b.m || a.opts_given != b.opts_given ||
		    a.log_threshold_pct != b.log_threshold_pct || a.discard != b.discard ||
		    a.stripe_unit_kb != b.stripe_unit_kb || a.max_record_kb != b.max_record_kb ||
		    a.gc_window_us != b.gc_window_us || strcmp(a.perf_dev, b.perf_dev))
			__builtin_trap();
		free(copy);
	} else if (!err || !*err) {
		__builtin_trap();
	}
	free(line);
	return 0;
}
