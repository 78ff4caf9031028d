/* SPDX-License-Identifier: GPL-2.0 */
/* stripelog CLI: shared helpers (devices, JSON output, commands). */
#ifndef SLC_H
#define SLC_H

#include "sl_engine.h"
#include <stdio.h>

/* ---- devs.c: image files or block devices as sl_dev_ops ---- */
struct slc_devs {
	u32 ndev;			/* 1 + legs */
	int fd[1 + SL_MAX_LEGS];
	u64 blocks[1 + SL_MAX_LEGS];
	const char *path[1 + SL_MAX_LEGS];
};

int slc_devs_open(struct slc_devs *d, const char *perf, u32 nlegs, char **legs, bool rw);
void slc_devs_close(struct slc_devs *d);
extern const struct sl_dev_ops slc_dev_ops;
/* Size in bytes of a file or block device; -1 with errno on failure. */
long long slc_dev_size(const char *path);

/* ---- json.c ---- */
void slc_json_str(FILE *f, const char *s);
void slc_hex(char *out, const u8 *b, size_t n);	/* out: 2n+1 */

/* ---- option helpers (main.c) ---- */
bool slc_wants_help(int argc, char **argv);
int slc_parse_size(const char *s, u64 *bytes);

/* ---- commands ---- */
int slc_cmd_format(int argc, char **argv);
int slc_cmd_dump(int argc, char **argv);
int slc_cmd_check(int argc, char **argv);
int slc_cmd_create(int argc, char **argv);
int slc_cmd_status(int argc, char **argv);
/* status.c: parse a target status line into key/values and print it. */
int slc_status_print(const char *line, bool json, FILE *out);

#define SLC_EXIT_OK		0
#define SLC_EXIT_FINDINGS	1
#define SLC_EXIT_USAGE		2
#define SLC_EXIT_ERROR		3


/* ---- vol.c: superblock + log header slots of an offline volume ---- */
struct slc_vol {
	struct slc_devs d;
	struct sl_sb sb;
	struct sl_loghdr lh[SL_NR_LOGHDR_SLOTS];
	int lh_err[SL_NR_LOGHDR_SLOTS];
	const char *lh_why[SL_NR_LOGHDR_SLOTS];
	int best;			/* newest valid slot, -1 if none */
};

/* 0, or a reason in *why (devices stay closed on failure). */
int slc_vol_open(struct slc_vol *v, const char *perf, u32 nlegs, char **legs, const char **why);
void slc_vol_close(struct slc_vol *v);
/* dump_meta.c: checkpoint slots and metadata-log batches (MLOG volumes). */
void slc_dump_meta(struct slc_vol *v, FILE *f, bool json, u64 limit);
/* check_map.c: the checkpointed map against a scan of every segment summary. */
typedef void (*slc_mismatch_fn)(void *ctx, const char *msg);
u64 slc_check_ckpt_map(struct slc_vol *v, struct sl_engine *e, slc_mismatch_fn fn, void *ctx);
/* Read and decode segment @seg's summary into @buf (sum_blocks blocks). */
int slc_vol_read_summary(struct slc_vol *v, u64 seg, void *buf, struct sl_sum_hdr *h,
			 const char **why);
#endif
