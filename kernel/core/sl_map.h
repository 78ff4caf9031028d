/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_map.h - the logical map: 4 KiB-block extents -> location + seq.
 *
 * A treap (randomised balanced binary search tree; node priorities come from a
 * per-map random stream, so no LBA pattern chosen by a guest can unbalance
 * it: expected depth O(log n)) of non-overlapping extents keyed by first LBA: O(log n) lookup and
 * update, memory proportional to the number of extents written, not to the
 * volume size.  Unmapped ranges read as zeros.
 *
 * Every extent that enters the map is reported to ops->ref and every piece
 * that leaves it to ops->unref, so the owner can keep per-segment live counts.
 * No locking (the engine's caller serialises).  Updates may allocate.
 */
#ifndef SL_MAP_H
#define SL_MAP_H

#include "sl_compat.h"

/* Extent kinds. */
#define SL_MAP_LOG	1	/* data in the log: loc = log-relative block */
#define SL_MAP_SEG	2	/* data in a segment: loc = seg * slots + slot */
#define SL_MAP_DLOG	3	/* discard tombstone, from a log record: loc = record pos */
#define SL_MAP_DSEG	4	/* discard tombstone in a segment: loc = seg * slots */

struct sl_ext {
	struct sl_ext *left, *right;
	u64 prio;
	u64 lba;
	u64 len;
	u64 loc;
	u64 seq;
	u32 kind;
};

struct sl_map_ops {
	void *ctx;
	void (*ref)(void *ctx, u32 kind, u64 loc, u64 len);
	void (*unref)(void *ctx, u32 kind, u64 loc, u64 len);
	/* Tie-break for equal seq in conditional updates: higher wins. */
	u64 (*rank)(void *ctx, u32 kind, u64 loc);
};

struct sl_map {
	struct sl_ext *root;
	u64 nr_extents;
	u64 rng;			/* xorshift state for priorities */
	struct sl_map_ops ops;
};

/* Update modes for sl_map_update(). */
#define SL_MAP_FILL_GAPS	0x1	/* also map unmapped parts of the range */
#define SL_MAP_IF_NEWER		0x2	/* replace only older (seq, rank) pieces */
#define SL_MAP_ONLY_MAPPED	0x0

void sl_map_init(struct sl_map *m, const struct sl_map_ops *ops);
/** sl_map_destroy() - free every extent (no unref calls). */
void sl_map_destroy(struct sl_map *m);

/**
 * sl_map_update() - map [lba, lba+len) to (kind, loc.., seq).
 * @mode: SL_MAP_FILL_GAPS: unmapped parts are mapped too; without it only
 * already mapped pieces are replaced (used for discards).  SL_MAP_IF_NEWER:
 * a mapped piece is replaced only if it has a lower seq, or the same seq and
 * a lower-or-equal rank (recovery).  For SL_MAP_LOG/SEG the location advances
 * with the LBA; tombstones keep their loc.
 * Return: 0 or -ENOMEM (the map is then unchanged for the failing piece).
 */
int sl_map_update(struct sl_map *m, u64 lba, u64 len, u32 kind, u64 loc, u64 seq, u32 mode);

/**
 * sl_map_find() - the extent containing @lba, or NULL; *next_lba is then the
 * first mapped LBA above @lba (U64_MAX-like ~0ull if none).  Never allocates.
 */
const struct sl_ext *sl_map_find(const struct sl_map *m, u64 lba, u64 *next_lba);

/**
 * sl_map_repoint() - move pieces of [lba, lba+len) that are still exactly
 * (@old_kind, @old_loc + offset, @seq) to (@new_kind, @new_loc + offset).
 * Pieces changed since (newer writes) are left alone.  Used by destage.
 * Return: 0 or -ENOMEM.
 */
int sl_map_repoint(struct sl_map *m, u64 lba, u64 len, u32 old_kind, u64 old_loc, u64 seq,
		   u32 new_kind, u64 new_loc);

/** sl_map_first_from() - the first extent that ends after @lba, or NULL. */
const struct sl_ext *sl_map_first_from(const struct sl_map *m, u64 lba);

/**
 * sl_map_walk() - call @fn for every extent in LBA order, O(n) in all
 * @m: the map; must not change during the walk
 * @fn: returns false to stop the walk
 * @arg: passed to @fn
 *
 * Return: false if @fn stopped the walk.
 */
bool sl_map_walk(const struct sl_map *m, bool (*fn)(void *arg, const struct sl_ext *x),
		 void *arg);

#endif /* SL_MAP_H */
