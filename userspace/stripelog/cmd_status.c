// SPDX-License-Identifier: GPL-2.0
/*
 * stripelog status: fetch a volume's status line through libdevmapper and
 * print it field by field, or as JSON.  The line is
 *   <state> <legs> log <used>/<size> segs <used>/<total> [<counter> <value>]...
 * (Documentation/stripelog-admin.rst); unknown counters are passed through.
 */
#include "slc.h"
#include <libdevmapper.h>
#include <getopt.h>
#include <string.h>
#include <stdlib.h>

#define MAX_TOK 128

static void status_usage(FILE *f)
{
	fprintf(f,
		"usage: stripelog status [--json] <name>\n"
		"       stripelog status [--json] --line '<status line>'\n"
		"Shows the state, leg health, log and segment usage and the counters of a\n"
		"stripelog volume (dmsetup status), pretty or as JSON.\n"
		"  --json        machine-readable output\n"
		"  --line TEXT   parse TEXT instead of asking device-mapper\n"
		"  -h, --help    this text\n");
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_ratio(const char *s, char **slash)
{
	char *p = strchr(s, '/');
	bool ok;

	if (!p)
		return false;
	*p = 0;
	ok = is_number(s) && is_number(p + 1);
	*p = '/';
	*slash = p;
	return ok;
}

static void print_pct(FILE *out, const char *a, const char *b)
{
	double x = strtod(a, NULL), y = strtod(b, NULL);

	if (y > 0)
		fprintf(out, " (%.1f%%)", 100.0 * x / y);
}

static void print_value(FILE *out, bool json, const char *key, char *val)
{
	char *slash;

	if (is_ratio(val, &slash)) {
		*slash = 0;
		if (json) {
			fprintf(out, ", ");
			slc_json_str(out, key);
			fprintf(out, ": {\"used\": %s, \"total\": %s}", val, slash + 1);
		} else {
			fprintf(out, "%-20s %s / %s", key, val, slash + 1);
			print_pct(out, val, slash + 1);
			fputc('\n', out);
		}
		*slash = '/';
		return;
	}
	if (json) {
		fprintf(out, ", ");
		slc_json_str(out, key);
		fprintf(out, ": ");
		if (is_number(val))
			fputs(val, out);
		else
			slc_json_str(out, val);
	} else {
		fprintf(out, "%-20s %s\n", key, val);
	}
}

int slc_status_print(const char *line, bool json, FILE *out)
{
	char *copy = strdup(line), *tok[MAX_TOK], *save = NULL, *t;
	int n = 0, i;

	if (!copy)
		return SLC_EXIT_ERROR;
	for (t = strtok_r(copy, " \t\n", &save); t && n < MAX_TOK; t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	if (n < 2 || (n - 2) % 2) {
		fprintf(stderr, "stripelog status: unexpected status line: '%s'\n", line);
		free(copy);
		return SLC_EXIT_ERROR;
	}
	if (json) {
		fprintf(out, "{\"state\": ");
		slc_json_str(out, tok[0]);
		fprintf(out, ", \"legs\": ");
		slc_json_str(out, tok[1]);
	} else {
		fprintf(out, "%-20s %s\n%-20s %s (A = alive, D = failed, a = rebuilding)\n", "state", tok[0], "legs",
			tok[1]);
	}
	for (i = 2; i + 1 < n; i += 2)
		print_value(out, json, tok[i], tok[i + 1]);
	if (json)
		fprintf(out, "}\n");
	free(copy);
	return 0;
}

static int status_from_dm(const char *name, bool json)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_STATUS);
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	int ret = SLC_EXIT_ERROR;

	if (!dmt)
		return SLC_EXIT_ERROR;
	if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt)) {
		fprintf(stderr, "stripelog status: no device-mapper device '%s'\n", name);
		goto out;
	}
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	if (!type || strcmp(type, "stripelog") || !params) {
		fprintf(stderr, "stripelog status: '%s' is not a stripelog volume\n", name);
		goto out;
	}
	ret = slc_status_print(params, json, stdout);
out:
	dm_task_destroy(dmt);
	return ret;
}

int slc_cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "line", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *line = NULL;
	bool json = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'l':
			line = optarg;
			break;
		case 'h':
			status_usage(stdout);
			return 0;
		default:
			status_usage(stderr);
			return SLC_EXIT_USAGE;
		}
	}
	if (line)
		return optind == argc ? slc_status_print(line, json, stdout) : SLC_EXIT_USAGE;
	if (argc - optind != 1) {
		status_usage(stderr);
		return SLC_EXIT_USAGE;
	}
	return status_from_dm(argv[optind], json);
}
