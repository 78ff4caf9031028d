// SPDX-License-Identifier: GPL-2.0
/*
 * sl_format.c - codecs of the fixed metadata blocks: perf superblock, leg
 * superblocks, log header slots.  See sl_format.h for the rules.
 */
#include "sl_format.h"

static int sl_bad(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* crc32c of a block whose crc field (at @crc_off) is taken as zero. */
static u32 sl_crc_skip(const void *buf, size_t len, size_t crc_off)
{
	static const u8 zero[4];
	u32 c;

	c = sl_crc32c(SL_CRC_SEED, buf, crc_off);
	c = sl_crc32c(c, zero, sizeof(zero));
	return sl_crc32c(c, (const u8 *)buf + crc_off + 4, len - crc_off - 4);
}

/**
 * sl_meta_crc() - checksum of a metadata area whose crc is at byte 4.
 * @buf/@len: the area.  Shared by every codec.
 */
u32 sl_meta_crc(const void *buf, size_t len)
{
	return sl_crc_skip(buf, len, 4);
}

static bool sl_crc_ok(const void *buf, size_t len)
{
	const __le32 *crc = (const __le32 *)((const u8 *)buf + 4);

	return le32_to_cpu(*crc) == sl_meta_crc(buf, len);
}

static void sl_crc_set(void *buf, size_t len)
{
	__le32 *crc = (__le32 *)((u8 *)buf + 4);

	*crc = cpu_to_le32(sl_meta_crc(buf, len));
}

bool sl_block_is_zero(const void *buf)
{
	const u8 *p = buf;

	/* Byte-wise (buffers may be unaligned): all equal to the first, which is 0. */
	return !p[0] && !memcmp(p, p + 1, SL_BLOCK_SIZE - 1);
}

/* ---- perf superblock ---- */

void sl_sb_encode(const struct sl_sb *sb, void *buf)
{
	struct sl_sb_disk *d = buf;
	const struct sl_geometry *g = &sb->geo;

	memset(buf, 0, SL_BLOCK_SIZE);
	d->magic = cpu_to_le32(SL_SB_MAGIC);
	d->version = cpu_to_le32(sb->version);
	d->block_size = cpu_to_le32(SL_BLOCK_SIZE);
	d->feat_compat = cpu_to_le32(sb->feat_compat);
	/* The regions and the feature bit that makes them count go together. */
	d->feat_incompat = cpu_to_le32(sb->feat_incompat |
				       (g->mlog_blocks ? SL_FEAT_INCOMPAT_MLOG : 0));
	d->feat_ro_compat = cpu_to_le32(sb->feat_ro_compat);
	d->flags = cpu_to_le32(sb->flags);
	memcpy(d->uuid, sb->uuid, SL_UUID_SIZE);
	d->ctime = cpu_to_le64(sb->ctime);
	d->logical_blocks = cpu_to_le64(g->logical_blocks);
	d->perf_blocks = cpu_to_le64(g->perf_blocks);
	d->log_start = cpu_to_le64(g->log_start);
	d->log_blocks = cpu_to_le64(g->log_blocks);
	d->k = (u8)g->k;
	d->m = (u8)g->m;
	d->stripe_unit_blocks = cpu_to_le32(g->stripe_unit_blocks);
	d->leg_blocks = cpu_to_le64(g->leg_blocks);
	d->seg_start = cpu_to_le64(g->seg_start);
	d->seg_leg_blocks = cpu_to_le32(g->seg_leg_blocks);
	d->seg_sum_blocks = cpu_to_le32(g->seg_sum_blocks);
	d->nr_segments = cpu_to_le64(g->nr_segments);
	if (g->mlog_blocks) {
		d->regions[0].type = cpu_to_le32(SL_REGION_MLOG);
		d->regions[0].start = cpu_to_le64(g->mlog_start);
		d->regions[0].len = cpu_to_le64(g->mlog_blocks);
		d->regions[1].type = cpu_to_le32(SL_REGION_CKPT);
		d->regions[1].start = cpu_to_le64(g->ckpt_start);
		d->regions[1].len = cpu_to_le64(2 * g->ckpt_slot_blocks);
	}
	memcpy(d->leg_uuid, sb->leg_uuid, sizeof(d->leg_uuid));
	sl_crc_set(buf, SL_BLOCK_SIZE);
}

/**
 * sl_sb_decode() - decode and validate the perf superblock.
 * Return: 0; -EINVAL (not a stripelog superblock / bad crc); -EUCLEAN
 * (impossible geometry); -EOPNOTSUPP (newer version or unknown incompat
 * feature).  *why says which.
 */
int sl_sb_decode(const void *buf, struct sl_sb *sb, const char **why)
{
	const struct sl_sb_disk *d = buf;
	struct sl_geometry *g = &sb->geo;

	memset(sb, 0, sizeof(*sb));
	if (le32_to_cpu(d->magic) != SL_SB_MAGIC)
		return sl_bad(why, "not a stripelog superblock (bad magic)", -EINVAL);
	if (!sl_crc_ok(buf, SL_BLOCK_SIZE))
		return sl_bad(why, "superblock checksum mismatch (corrupt)", -EINVAL);
	sb->version = le32_to_cpu(d->version);
	if (sb->version > SL_FORMAT_VERSION)
		return sl_bad(why, "superblock from a newer, unsupported format version",
			      -EOPNOTSUPP);
	if (sb->version < 1)
		return sl_bad(why, "superblock has an invalid format version", -EUCLEAN);
	if (le32_to_cpu(d->block_size) != SL_BLOCK_SIZE)
		return sl_bad(why, "superblock block size is not 4096", -EUCLEAN);
	sb->feat_compat = le32_to_cpu(d->feat_compat);
	sb->feat_incompat = le32_to_cpu(d->feat_incompat);
	sb->feat_ro_compat = le32_to_cpu(d->feat_ro_compat);
	if (sb->feat_incompat & ~SL_FEAT_INCOMPAT_SUPP)
		return sl_bad(why, "superblock has unknown incompatible features", -EOPNOTSUPP);
	sb->flags = le32_to_cpu(d->flags);
	memcpy(sb->uuid, d->uuid, SL_UUID_SIZE);
	sb->ctime = le64_to_cpu(d->ctime);
	g->logical_blocks = le64_to_cpu(d->logical_blocks);
	g->perf_blocks = le64_to_cpu(d->perf_blocks);
	g->log_start = le64_to_cpu(d->log_start);
	g->log_blocks = le64_to_cpu(d->log_blocks);
	g->k = d->k;
	g->m = d->m;
	g->stripe_unit_blocks = le32_to_cpu(d->stripe_unit_blocks);
	g->leg_blocks = le64_to_cpu(d->leg_blocks);
	g->seg_start = le64_to_cpu(d->seg_start);
	g->seg_leg_blocks = le32_to_cpu(d->seg_leg_blocks);
	g->seg_sum_blocks = le32_to_cpu(d->seg_sum_blocks);
	g->nr_segments = le64_to_cpu(d->nr_segments);
	memcpy(sb->leg_uuid, d->leg_uuid, sizeof(sb->leg_uuid));
	if (sb->feat_incompat & SL_FEAT_INCOMPAT_MLOG) {
		u64 clen = le64_to_cpu(d->regions[1].len);

		if (le32_to_cpu(d->regions[0].type) != SL_REGION_MLOG ||
		    le32_to_cpu(d->regions[1].type) != SL_REGION_CKPT || d->regions[0].flags ||
		    d->regions[1].flags || (clen & 1))
			return sl_bad(why, "superblock metadata-log/checkpoint regions are invalid",
				      -EUCLEAN);
		g->mlog_start = le64_to_cpu(d->regions[0].start);
		g->mlog_blocks = le64_to_cpu(d->regions[0].len);
		g->ckpt_start = le64_to_cpu(d->regions[1].start);
		g->ckpt_slot_blocks = clen / 2;
		if (!g->mlog_blocks)
			return sl_bad(why, "superblock metadata-log region is empty", -EUCLEAN);
	}
	if (sl_geometry_validate(g, why))
		return -EUCLEAN;
	return 0;
}

/* ---- capacity leg superblock ---- */

void sl_leg_sb_from_sb(const struct sl_sb *sb, u32 idx, struct sl_leg_sb *lsb)
{
	memset(lsb, 0, sizeof(*lsb));
	memcpy(lsb->vol_uuid, sb->uuid, SL_UUID_SIZE);
	if (idx < SL_MAX_LEGS)
		memcpy(lsb->leg_uuid, sb->leg_uuid[idx], SL_UUID_SIZE);
	lsb->leg_index = idx;
	lsb->k = sb->geo.k;
	lsb->m = sb->geo.m;
	lsb->leg_blocks = sb->geo.leg_blocks;
	lsb->seg_start = sb->geo.seg_start;
	lsb->seg_leg_blocks = sb->geo.seg_leg_blocks;
	lsb->stripe_unit_blocks = sb->geo.stripe_unit_blocks;
	lsb->nr_segments = sb->geo.nr_segments;
	lsb->ctime = sb->ctime;
}

void sl_leg_sb_encode(const struct sl_leg_sb *l, void *buf)
{
	struct sl_leg_sb_disk *d = buf;

	memset(buf, 0, SL_BLOCK_SIZE);
	d->magic = cpu_to_le32(SL_LEG_MAGIC);
	d->version = cpu_to_le32(SL_FORMAT_VERSION);
	d->block_size = cpu_to_le32(SL_BLOCK_SIZE);
	memcpy(d->vol_uuid, l->vol_uuid, SL_UUID_SIZE);
	memcpy(d->leg_uuid, l->leg_uuid, SL_UUID_SIZE);
	d->leg_index = cpu_to_le32(l->leg_index);
	d->k = (u8)l->k;
	d->m = (u8)l->m;
	d->leg_blocks = cpu_to_le64(l->leg_blocks);
	d->seg_start = cpu_to_le64(l->seg_start);
	d->seg_leg_blocks = cpu_to_le32(l->seg_leg_blocks);
	d->stripe_unit_blocks = cpu_to_le32(l->stripe_unit_blocks);
	d->nr_segments = cpu_to_le64(l->nr_segments);
	d->ctime = cpu_to_le64(l->ctime);
	sl_crc_set(buf, SL_BLOCK_SIZE);
}

int sl_leg_sb_decode(const void *buf, struct sl_leg_sb *l, const char **why)
{
	const struct sl_leg_sb_disk *d = buf;

	memset(l, 0, sizeof(*l));
	if (le32_to_cpu(d->magic) != SL_LEG_MAGIC)
		return sl_bad(why, "not a stripelog capacity device (bad magic)", -EINVAL);
	if (!sl_crc_ok(buf, SL_BLOCK_SIZE))
		return sl_bad(why, "capacity device superblock checksum mismatch", -EINVAL);
	if (le32_to_cpu(d->version) != SL_FORMAT_VERSION)
		return sl_bad(why, "capacity device superblock version unsupported", -EOPNOTSUPP);
	if (le32_to_cpu(d->block_size) != SL_BLOCK_SIZE)
		return sl_bad(why, "capacity device block size is not 4096", -EUCLEAN);
	memcpy(l->vol_uuid, d->vol_uuid, SL_UUID_SIZE);
	memcpy(l->leg_uuid, d->leg_uuid, SL_UUID_SIZE);
	l->leg_index = le32_to_cpu(d->leg_index);
	l->k = d->k;
	l->m = d->m;
	l->leg_blocks = le64_to_cpu(d->leg_blocks);
	l->seg_start = le64_to_cpu(d->seg_start);
	l->seg_leg_blocks = le32_to_cpu(d->seg_leg_blocks);
	l->stripe_unit_blocks = le32_to_cpu(d->stripe_unit_blocks);
	l->nr_segments = le64_to_cpu(d->nr_segments);
	l->ctime = le64_to_cpu(d->ctime);
	if (l->leg_index >= SL_MAX_LEGS || l->k < 1 || l->k + l->m > SL_MAX_LEGS)
		return sl_bad(why, "capacity device superblock has an invalid leg index", -EUCLEAN);
	return 0;
}

/**
 * sl_leg_sb_check() - does a decoded leg superblock belong to @sb as leg @idx?
 */
int sl_leg_sb_check(const struct sl_sb *sb, const struct sl_leg_sb *l, u32 idx, const char **why)
{
	if (memcmp(l->vol_uuid, sb->uuid, SL_UUID_SIZE))
		return sl_bad(why, "capacity device belongs to another volume", -EINVAL);
	if (idx >= SL_MAX_LEGS || memcmp(l->leg_uuid, sb->leg_uuid[idx], SL_UUID_SIZE))
		return sl_bad(why, "capacity device is not the leg the superblock expects", -EINVAL);
	if (l->leg_index != idx)
		return sl_bad(why, "capacity devices given in the wrong order", -EINVAL);
	if (l->k != sb->geo.k || l->m != sb->geo.m || l->leg_blocks != sb->geo.leg_blocks ||
	    l->seg_start != sb->geo.seg_start || l->seg_leg_blocks != sb->geo.seg_leg_blocks ||
	    l->stripe_unit_blocks != sb->geo.stripe_unit_blocks ||
	    l->nr_segments != sb->geo.nr_segments)
		return sl_bad(why, "capacity device geometry differs from the superblock", -EUCLEAN);
	return 0;
}

/* ---- log header slots ---- */

void sl_loghdr_encode(const struct sl_loghdr *lh, void *buf)
{
	struct sl_loghdr_disk *d = buf;

	memset(buf, 0, SL_BLOCK_SIZE);
	d->magic = cpu_to_le32(SL_LOGHDR_MAGIC);
	d->generation = cpu_to_le64(lh->generation);
	memcpy(d->uuid, lh->uuid, SL_UUID_SIZE);
	d->tail_pos = cpu_to_le64(lh->tail_pos);
	d->tail_prev_seq = cpu_to_le64(lh->tail_prev_seq);
	d->next_seg_seq = cpu_to_le64(lh->next_seg_seq);
	d->flags = cpu_to_le64(lh->flags);
	d->next_seg = cpu_to_le64(lh->next_seg == SL_NO_SEG ? 0 : lh->next_seg + 1);
	d->mlog_seq = cpu_to_le64(lh->mlog_seq);
	d->mlog_end = cpu_to_le64(lh->mlog_end);
	sl_crc_set(buf, SL_BLOCK_SIZE);
}

int sl_loghdr_decode(const void *buf, struct sl_loghdr *lh, const char **why)
{
	const struct sl_loghdr_disk *d = buf;

	memset(lh, 0, sizeof(*lh));
	if (le32_to_cpu(d->magic) != SL_LOGHDR_MAGIC)
		return sl_bad(why, "not a log header (bad magic)", -EINVAL);
	if (!sl_crc_ok(buf, SL_BLOCK_SIZE))
		return sl_bad(why, "log header checksum mismatch", -EINVAL);
	lh->generation = le64_to_cpu(d->generation);
	memcpy(lh->uuid, d->uuid, SL_UUID_SIZE);
	lh->tail_pos = le64_to_cpu(d->tail_pos);
	lh->tail_prev_seq = le64_to_cpu(d->tail_prev_seq);
	lh->next_seg_seq = le64_to_cpu(d->next_seg_seq);
	lh->flags = le64_to_cpu(d->flags);
	lh->next_seg = le64_to_cpu(d->next_seg) ? le64_to_cpu(d->next_seg) - 1 : SL_NO_SEG;
	lh->mlog_seq = le64_to_cpu(d->mlog_seq);
	lh->mlog_end = le64_to_cpu(d->mlog_end);
	return 0;
}
