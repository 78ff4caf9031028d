/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sl_format.h - stripelog on-disk format: structures, constants, codecs.
 *
 * Every structure is little-endian, one 4096-byte block (the segment summary
 * may span several), and carries a crc32c (seed SL_CRC_SEED, computed with
 * the crc field itself zeroed).  Documentation/stripelog-format.rst gives the
 * byte-level tables; this header is the source of truth for the code.
 *
 * Codec rules (all functions in sl_format.c, sl_record.c, sl_segment.c):
 * - *_encode(): in-memory struct -> one zero-padded buffer, crc filled in.
 *   Never fails, never allocates.
 * - *_decode(): buffer -> in-memory struct.  Checks magic, crc and every
 *   field's range; returns 0, -EINVAL (not this structure / bad crc, e.g. a
 *   zeroed or torn block) or -EUCLEAN (crc valid but content impossible),
 *   with a static reason string in *why (may be NULL).  Safe on arbitrary
 *   bytes (fuzzed).  Never allocates.
 * Callers: the engine (kernel and userspace), the CLI, tests.  No locking.
 */
#ifndef SL_FORMAT_H
#define SL_FORMAT_H

#include "sl_compat.h"

#define SL_SB_MAGIC		0x42534c53u	/* "SLSB" perf superblock */
#define SL_LEG_MAGIC		0x474c4c53u	/* "SLLG" capacity leg superblock */
#define SL_LOGHDR_MAGIC		0x484c4c53u	/* "SLLH" log header slot */
#define SL_REC_MAGIC		0x43524c53u	/* "SLRC" log record header */
#define SL_SUM_MAGIC		0x53534c53u	/* "SLSS" segment summary */
#define SL_MLOG_MAGIC		0x4c4d4c53u	/* "SLML" metadata log block */
#define SL_CKPT_MAGIC		0x4b434c53u	/* "SLCK" map checkpoint header */

#define SL_FORMAT_VERSION	1

/* Feature bits.  Unknown incompat -> refuse; unknown ro_compat -> read-only. */
#define SL_FEAT_COMPAT_SUPP	0u
/*
 * SL_FEAT_INCOMPAT_MLOG: the perf device carries a metadata log and two map
 * checkpoint slots (regions[0], regions[1]); recovery loads a checkpoint and
 * replays the metadata log instead of scanning every segment summary, and the
 * log header names the committed end of the metadata log.  Volumes without it
 * (formatted before) keep the segment-scan recovery.
 */
#define SL_FEAT_INCOMPAT_MLOG	0x1u
#define SL_FEAT_INCOMPAT_SUPP	SL_FEAT_INCOMPAT_MLOG
#define SL_FEAT_RO_COMPAT_SUPP	0u

#define SL_UUID_SIZE		16
#define SL_NO_SEG		(~0ull)	/* "no segment" in segment-index fields */
#define SL_MAX_LEGS		16	/* k + m */
#define SL_MAX_PARITY		2	/* m */
#define SL_NR_REGIONS		8	/* reserved region descriptors (issue 5) */

/* Perf device layout, in 4 KiB blocks. */
#define SL_SB_BLOCK		0
#define SL_LOGHDR_BLOCK0	1	/* log header slots: blocks 1 and 2 */
#define SL_NR_LOGHDR_SLOTS	2
#define SL_LOG_START_MIN	3
/* Capacity leg layout: block 0 leg superblock, segments from seg_start. */
#define SL_LEG_SB_BLOCK		0

/* Record limits (a record = 1 header block + nr_blocks data blocks). */
#define SL_REC_MAX_ENTRIES	128
#define SL_REC_MAX_BLOCKS	256
/* Seq jump after a recovery; > any number of records ever in flight. */
#define SL_SEQ_GAP		(1ull << 20)

/* Entry flags (record entries and summary entries). */
#define SL_EF_DATA		0x0001	/* nblocks of data follow in the record */
#define SL_EF_DISCARD		0x0002	/* unmap; no data */
#define SL_EF_FUA		0x0004	/* informational: the user asked FUA */
#define SL_EF_KNOWN		(SL_EF_DATA | SL_EF_DISCARD | SL_EF_FUA)

/* Region descriptor types: regions[0] = MLOG, regions[1] = CKPT (two slots). */
#define SL_REGION_NONE		0
#define SL_REGION_MLOG		1
#define SL_REGION_CKPT		2

/* ---------------- on-disk structures ---------------- */

struct sl_region_disk {
	__le32 type;
	__le32 flags;
	__le64 start;
	__le64 len;
} __packed;					/* 24 bytes */

struct sl_sb_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 */
	__le32 version;				/*   8 */
	__le32 block_size;			/*  12 */
	__le32 feat_compat;			/*  16 */
	__le32 feat_incompat;			/*  20 */
	__le32 feat_ro_compat;			/*  24 */
	__le32 flags;				/*  28 */
	u8 uuid[SL_UUID_SIZE];			/*  32 */
	__le64 ctime;				/*  48 */
	__le64 logical_blocks;			/*  56 */
	__le64 perf_blocks;			/*  64 */
	__le64 log_start;			/*  72 */
	__le64 log_blocks;			/*  80 */
	u8 k;					/*  88 */
	u8 m;					/*  89 */
	__le16 reserved0;			/*  90 */
	__le32 stripe_unit_blocks;		/*  92 */
	__le64 leg_blocks;			/*  96 */
	__le64 seg_start;			/* 104 */
	__le32 seg_leg_blocks;			/* 112 */
	__le32 seg_sum_blocks;			/* 116 */
	__le64 nr_segments;			/* 120 */
	struct sl_region_disk regions[SL_NR_REGIONS];	/* 128 .. 319 */
	u8 leg_uuid[SL_MAX_LEGS][SL_UUID_SIZE];	/* 320 .. 575 */
} __packed;					/* rest of the block: zero */

struct sl_leg_sb_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 */
	__le32 version;				/*   8 */
	__le32 block_size;			/*  12 */
	u8 vol_uuid[SL_UUID_SIZE];		/*  16 */
	u8 leg_uuid[SL_UUID_SIZE];		/*  32 */
	__le32 leg_index;			/*  48 */
	u8 k;					/*  52 */
	u8 m;					/*  53 */
	__le16 reserved0;			/*  54 */
	__le64 leg_blocks;			/*  56 */
	__le64 seg_start;			/*  64 */
	__le32 seg_leg_blocks;			/*  72 */
	__le32 stripe_unit_blocks;		/*  76 */
	__le64 nr_segments;			/*  80 */
	__le64 ctime;				/*  88 */
} __packed;

struct sl_loghdr_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 */
	__le64 generation;			/*   8 */
	u8 uuid[SL_UUID_SIZE];			/*  16 */
	__le64 tail_pos;			/*  32 log-relative block */
	__le64 tail_prev_seq;			/*  40 */
	__le64 next_seg_seq;			/*  48 */
	__le64 flags;				/*  56 */
	__le64 next_seg;			/*  64 segment index + 1; 0 = none */
	__le64 mlog_seq;			/*  72 last committed mlog block seq */
	__le64 mlog_end;			/*  80 mlog-relative block after it */
} __packed;

struct sl_rec_entry_disk {
	__le64 lba;
	__le32 nblocks;
	__le16 flags;
	__le16 reserved;
} __packed;					/* 16 bytes */

struct sl_rec_hdr_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 header block crc */
	__le64 seq;				/*   8 */
	__le64 prev_seq;			/*  16 */
	__le64 pos;				/*  24 log-relative block of this header */
	__le16 nr_entries;			/*  32 */
	__le16 nr_blocks;			/*  34 data blocks after the header */
	__le32 flags;				/*  36 */
	u8 uuid[SL_UUID_SIZE];			/*  40 */
	__le64 reserved;			/*  56 */
	struct sl_rec_entry_disk entries[SL_REC_MAX_ENTRIES];	/*   64 .. 2111 */
	__le32 block_crc[SL_REC_MAX_BLOCKS];	/* 2112 .. 3135 crc32c per data block */
} __packed;

struct sl_sum_entry_disk {
	__le64 lba;
	__le64 seq;
	__le32 nblocks;				/* 1 for DATA, any for DISCARD */
	__le32 slot;				/* data slot (DATA only) */
	__le16 flags;
	__le16 reserved;
	__le32 data_crc;			/* crc32c of the slot's block (DATA) */
} __packed;					/* 32 bytes */

struct sl_sum_hdr_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 over all seg_sum_blocks blocks */
	u8 uuid[SL_UUID_SIZE];			/*   8 */
	__le64 seg_index;			/*  24 */
	__le64 seg_seq;				/*  32 */
	__le32 nr_entries;			/*  40 */
	__le32 nr_data;				/*  44 data slots used */
	__le32 sum_blocks;			/*  48 */
	__le32 reserved;			/*  52 */
	__le64 max_seq;				/*  56 */
	struct sl_sum_entry_disk entries[];	/*  64 .. */
} __packed;

#define SL_SUM_HDR_SIZE		64
#define SL_SUM_ENTRIES_PER(sum_blocks) \
	(((u32)(sum_blocks) * SL_BLOCK_SIZE - SL_SUM_HDR_SIZE) / sizeof(struct sl_sum_entry_disk))

/* ---------------- in-memory (CPU-endian) forms ---------------- */

/**
 * struct sl_geometry - volume geometry, from the superblock.
 * All counts in 4 KiB blocks.  A segment spans seg_leg_blocks on each of
 * k+m legs; its k*seg_leg_blocks logical blocks hold seg_sum_blocks of
 * summary then data slots.
 */
struct sl_geometry {
	u64 logical_blocks;
	u64 perf_blocks;
	u64 log_start;
	u64 log_blocks;
	u32 k, m;
	u32 stripe_unit_blocks;
	u64 leg_blocks;
	u64 seg_start;
	u32 seg_leg_blocks;
	u32 seg_sum_blocks;
	u64 nr_segments;
	/* SL_FEAT_INCOMPAT_MLOG only (else 0): perf-device blocks. */
	u64 mlog_start, mlog_blocks;
	u64 ckpt_start;			/* slot i at ckpt_start + i * ckpt_slot_blocks */
	u64 ckpt_slot_blocks;
};

struct sl_sb {
	u32 version;
	u32 feat_compat, feat_incompat, feat_ro_compat;
	u32 flags;
	u8 uuid[SL_UUID_SIZE];
	u64 ctime;
	struct sl_geometry geo;
	u8 leg_uuid[SL_MAX_LEGS][SL_UUID_SIZE];
};

struct sl_leg_sb {
	u8 vol_uuid[SL_UUID_SIZE];
	u8 leg_uuid[SL_UUID_SIZE];
	u32 leg_index;
	u32 k, m;
	u64 leg_blocks;
	u64 seg_start;
	u32 seg_leg_blocks;
	u32 stripe_unit_blocks;
	u64 nr_segments;
	u64 ctime;
};

/*
 * loghdr.flags bits 0..15: capacity legs that miss chunks of committed
 * segments (failed, or not yet fully rebuilt).  Such a leg is never read
 * after a reload even if its superblock looks fine; it must be rebuilt.
 */
#define SL_LH_STALE_LEGS	0xffffull

struct sl_loghdr {
	u64 generation;
	u8 uuid[SL_UUID_SIZE];
	u64 tail_pos;
	u64 tail_prev_seq;
	u64 next_seg_seq;
	u64 flags;
	u64 next_seg;		/* segment the next destage writes, or SL_NO_SEG */
	u64 mlog_seq;			/* MLOG volumes: last committed mlog block seq */
	u64 mlog_end;			/* and the mlog-relative block after it */
};

struct sl_rec_entry {
	u64 lba;
	u32 nblocks;
	u16 flags;
};

struct sl_rec_hdr {
	u64 seq;
	u64 prev_seq;
	u64 pos;
	u32 nr_entries;
	u32 nr_blocks;
	u32 flags;
	u8 uuid[SL_UUID_SIZE];
	struct sl_rec_entry entries[SL_REC_MAX_ENTRIES];
	u32 block_crc[SL_REC_MAX_BLOCKS];
};

struct sl_sum_entry {
	u64 lba;
	u64 seq;
	u32 nblocks;
	u32 slot;
	u16 flags;
	u32 data_crc;
};

/* Header of a decoded summary; entries are decoded one by one. */
struct sl_sum_hdr {
	u8 uuid[SL_UUID_SIZE];
	u64 seg_index;
	u64 seg_seq;
	u32 nr_entries;
	u32 nr_data;
	u32 sum_blocks;
	u64 max_seq;
};

/* ---------------- geometry ---------------- */

/**
 * struct sl_format_params - what `format` (CLI or first table load) needs.
 * @perf_blocks/@leg_blocks: device sizes in blocks (leg = smallest leg).
 * @logical_blocks: 0 = the largest size the capacity can hold.
 * @log_blocks: 0 = all of the perf device after the fixed blocks.
 * @stripe_unit_blocks, @seg_leg_blocks: 0 = defaults.
 */
struct sl_format_params {
	u64 perf_blocks;
	u64 leg_blocks;
	u64 logical_blocks;
	u64 log_blocks;
	u32 k, m;
	u32 stripe_unit_blocks;
	u32 seg_leg_blocks;
	bool legacy;			/* no metadata log (pre-checkpoint format; tests) */
	u64 mlog_blocks;		/* 0 = default */
};

#define SL_DEFAULT_STRIPE_UNIT_BLOCKS	16	/* 64 KiB */
#define SL_DEFAULT_SEG_LEG_BLOCKS	256	/* 1 MiB per leg per segment */
#define SL_MAX_SEG_LEG_BLOCKS		(1u << 14)	/* 64 MiB: bounds summary/plan memory */
#define SL_MIN_LOG_BLOCKS		64
#define SL_MIN_SEGMENTS			4
/* Segments kept free beyond the logical size (no cleaner yet: see format doc). */
#define SL_SEG_RESERVE_PCT		10

/**
 * sl_geometry_compute() - derive a geometry from format parameters.
 * @p: requested parameters.  @geo: result.  @why: reason on error.
 * Return: 0 or -EINVAL (too small, bad k/m, ...).  Pure, no allocation.
 */
int sl_geometry_compute(const struct sl_format_params *p, struct sl_geometry *geo,
			const char **why);
/** sl_geometry_validate() - range/consistency check of a decoded geometry. */
int sl_geometry_validate(const struct sl_geometry *geo, const char **why);
/** sl_seg_data_slots() - data slots per segment (k*seg_leg_blocks - summary). */
u32 sl_seg_data_slots(const struct sl_geometry *geo);
/**
 * sl_seg_locate() - where segment-logical block @blk of segment @seg lives.
 * @leg: capacity leg index (0..k+m-1).  @dev_block: block on that leg.
 * Data chunks rotate across legs per row, parity legs skipped (sl_stripe.h).
 */
void sl_seg_locate(const struct sl_geometry *geo, u64 seg, u64 blk, u32 *leg, u64 *dev_block);

/* ---------------- codecs (sl_format.c) ---------------- */

void sl_sb_encode(const struct sl_sb *sb, void *buf);
int sl_sb_decode(const void *buf, struct sl_sb *sb, const char **why);
void sl_leg_sb_encode(const struct sl_leg_sb *lsb, void *buf);
int sl_leg_sb_decode(const void *buf, struct sl_leg_sb *lsb, const char **why);
void sl_loghdr_encode(const struct sl_loghdr *lh, void *buf);
int sl_loghdr_decode(const void *buf, struct sl_loghdr *lh, const char **why);
/** sl_block_is_zero() - true if the 4 KiB block is all zero (unformatted). */
bool sl_block_is_zero(const void *buf);
/** sl_meta_crc() - crc32c of a metadata area, its crc field (bytes 4..7) taken as 0. */
u32 sl_meta_crc(const void *buf, size_t len);
/**
 * sl_leg_sb_check() - does leg superblock @lsb belong to volume @sb as leg @idx?
 * Return: 0 or -EINVAL with a reason ("capacity device belongs to another volume", ...).
 */
int sl_leg_sb_check(const struct sl_sb *sb, const struct sl_leg_sb *lsb, u32 idx,
		    const char **why);
/** sl_leg_sb_from_sb() - the leg superblock for leg @idx of volume @sb. */
void sl_leg_sb_from_sb(const struct sl_sb *sb, u32 idx, struct sl_leg_sb *lsb);

/* ---------------- record codec (sl_record.c) ---------------- */

/** sl_rec_hdr_crc() - crc of a record header block (see sl_record.c). */
u32 sl_rec_hdr_crc(const void *buf);
/** sl_rec_hdr_encode() - encode a record header block (pure). */
void sl_rec_hdr_encode(const struct sl_rec_hdr *h, void *buf);
/**
 * sl_rec_hdr_decode() - decode + validate a record header block: magic, crc,
 * nr_entries/nr_blocks within limits, entries' flags known, sum of DATA
 * entries' nblocks == nr_blocks, lba ranges do not overflow.
 * Does NOT check uuid/seq/pos linkage (see sl_rec_links()) nor data crcs.
 */
int sl_rec_hdr_decode(const void *buf, struct sl_rec_hdr *h, const char **why);
/**
 * sl_rec_links() - the chain rule: @h belongs to volume @uuid, was found at
 * log-relative block @pos, links after @expect_prev, and fits in a log of
 * @log_blocks blocks.
 */
bool sl_rec_links(const struct sl_rec_hdr *h, const u8 *uuid, u64 pos, u64 expect_prev,
		  u64 log_blocks);
/** sl_rec_data_ok() - do the @nr data blocks in @data match h->block_crc[first..]? */
bool sl_rec_data_ok(const struct sl_rec_hdr *h, u32 first, u32 nr, const void *data);
/** sl_block_crc() - crc32c of one 4 KiB data block as stored in headers. */
u32 sl_block_crc(const void *block);

/* ---------------- segment summary codec (sl_segment.c) ---------------- */

/**
 * sl_sum_encode() - encode a summary of @sum_blocks blocks into @buf
 * (sum_blocks * 4096 bytes): header + @entries, zero padded, crc last.
 */
void sl_sum_encode(const struct sl_sum_hdr *h, const struct sl_sum_entry *entries, void *buf);
/**
 * sl_sum_decode() - validate a summary area of @sum_blocks blocks and
 * decode its header.  Checks magic, crc, sum_blocks, entry count fits,
 * every entry's flags/nblocks/slot (slot < @data_slots, slots unique
 * is not required), seg_index < @nr_segments.
 */
int sl_sum_decode(const void *buf, u32 sum_blocks, u32 data_slots, u64 nr_segments,
		  struct sl_sum_hdr *h, const char **why);
/** sl_sum_entry_get() - entry @i of a summary validated by sl_sum_decode(). */
void sl_sum_entry_get(const void *buf, u32 i, struct sl_sum_entry *e);

/* ---------------- metadata log and checkpoints (sl_metalog.c) ---------------- */

/*
 * Metadata log block: one 4 KiB block of a *batch* (the compact copy of one
 * segment summary, written before the segment at destage).  Blocks are
 * chained like log records: seq, prev_seq, pos.
 */
#define SL_MLOG_HDR_SIZE	96
#define SL_MLOG_ENTRY_SIZE	32
#define SL_MLOG_ENTRIES_PER_BLOCK \
	((SL_BLOCK_SIZE - SL_MLOG_HDR_SIZE) / SL_MLOG_ENTRY_SIZE)	/* 125 */

/* Extent entry of a mlog block or a checkpoint body (32 bytes). */
struct sl_mext_disk {
	__le64 lba;
	__le64 seq;
	__le64 loc;		/* mlog: slot in the segment; ckpt: seg * slots + slot */
	__le32 len;
	__le16 flags;		/* SL_EF_DATA or SL_EF_DISCARD */
	__le16 reserved;
} __packed;

struct sl_mlog_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 */
	__le64 seq;				/*   8 */
	__le64 prev_seq;			/*  16 */
	__le64 pos;				/*  24 mlog-relative block */
	u8 uuid[SL_UUID_SIZE];			/*  32 */
	__le64 seg_index;			/*  48 */
	__le64 seg_seq;				/*  56 */
	__le16 nr_entries;			/*  64 in this block */
	__le16 blk_index;			/*  66 0.. in the batch */
	__le16 blk_count;			/*  68 blocks in the batch */
	__le16 flags;				/*  70 0 */
	__le64 reserved[3];			/*  72 */
	struct sl_mext_disk entries[];		/*  96 .. */
} __packed;

struct sl_mext {
	u64 lba;
	u64 seq;
	u64 loc;
	u32 len;
	u16 flags;
};

struct sl_mlog_hdr {
	u64 seq, prev_seq, pos;
	u8 uuid[SL_UUID_SIZE];
	u64 seg_index, seg_seq;
	u32 nr_entries, blk_index, blk_count;
};

/* Checkpoint slot header (first block of a slot); the body follows it. */
#define SL_CKPT_F_SCAN		0x1	/* the map did not fit: recover by segment scan */
#define SL_CKPT_KNOWN_FLAGS	SL_CKPT_F_SCAN

struct sl_ckpt_disk {
	__le32 magic;				/*   0 */
	__le32 crc;				/*   4 */
	__le64 generation;			/*   8 */
	u8 uuid[SL_UUID_SIZE];			/*  16 */
	__le64 mlog_pos;			/*  32 first mlog block after it */
	__le64 mlog_prev_seq;			/*  40 seq of the mlog block before it */
	__le64 next_seg_seq;			/*  48 */
	__le64 max_seq;				/*  56 highest record seq it holds */
	__le64 nr_extents;			/*  64 */
	__le64 nr_segments;			/*  72 = superblock's */
	__le32 body_blocks;			/*  80 */
	__le32 body_crc;			/*  84 crc32c of the body blocks */
	__le32 flags;				/*  88 SL_CKPT_F_* */
	__le32 reserved;			/*  92 */
} __packed;

struct sl_ckpt_hdr {
	u64 generation;
	u8 uuid[SL_UUID_SIZE];
	u64 mlog_pos, mlog_prev_seq;
	u64 next_seg_seq;
	u64 max_seq;
	u64 nr_extents, nr_segments;
	u32 body_blocks, body_crc, flags;
};

/** sl_mlog_max_batch_blocks() - mlog blocks one segment's batch may need. */
u32 sl_mlog_max_batch_blocks(const struct sl_geometry *geo);
/** sl_ckpt_body_bytes() - body size of a checkpoint of @nr_extents extents. */
u64 sl_ckpt_body_bytes(u64 nr_segments, u64 nr_extents);
/** sl_ckpt_capacity() - extents a checkpoint slot of @geo holds. */
u64 sl_ckpt_capacity(const struct sl_geometry *geo);

void sl_mext_encode(const struct sl_mext *x, void *dst);
void sl_mext_decode(const void *src, struct sl_mext *x);
/**
 * sl_mlog_encode() - header @h + @h->nr_entries entries of @x into one block;
 * with @x NULL the entries already in @buf are kept (only the header is set).
 */
void sl_mlog_encode(const struct sl_mlog_hdr *h, const struct sl_mext *x, void *buf);
/**
 * sl_mlog_decode() - validate one mlog block: magic, crc, counts, entry flags
 * and lengths, data extents inside @data_slots, seg_index < @nr_segments.
 * Entries are read with sl_mlog_entry_get().  Linkage is the caller's.
 */
int sl_mlog_decode(const void *buf, u32 data_slots, u64 nr_segments, struct sl_mlog_hdr *h,
		   const char **why);
void sl_mlog_entry_get(const void *buf, u32 i, struct sl_mext *x);
void sl_ckpt_hdr_encode(const struct sl_ckpt_hdr *h, void *buf);
/** sl_ckpt_hdr_decode() - magic, crc, flags, body_blocks <= @max_body_blocks. */
int sl_ckpt_hdr_decode(const void *buf, u64 max_body_blocks, struct sl_ckpt_hdr *h,
		       const char **why);
/**
 * sl_ckpt_body_check() - the body (@h->body_blocks blocks) matches the
 * header's crc and size; its segment table and extents are in range for
 * @geo (extents in order, not overlapping).  Return 0 / -EINVAL / -EUCLEAN.
 */
int sl_ckpt_body_check(const struct sl_geometry *geo, const struct sl_ckpt_hdr *h,
		       const void *body, const char **why);

#endif /* SL_FORMAT_H */
