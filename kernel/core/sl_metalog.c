// SPDX-License-Identifier: GPL-2.0
/*
 * sl_metalog.c - codecs of the metadata log blocks and of the map checkpoint
 * (header block + body).  Pure functions on buffers; every decoder is safe
 * on arbitrary bytes (tests/fuzz/fuzz-sl-metalog.c).  Layout: sl_format.h and
 * Documentation/stripelog-format.rst.
 */
#include "sl_format.h"

static int sl_mbad(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

void sl_mext_encode(const struct sl_mext *x, void *dst)
{
	struct sl_mext_disk *d = dst;

	d->lba = cpu_to_le64(x->lba);
	d->seq = cpu_to_le64(x->seq);
	d->loc = cpu_to_le64(x->loc);
	d->len = cpu_to_le32(x->len);
	d->flags = cpu_to_le16(x->flags);
	d->reserved = 0;
}

void sl_mext_decode(const void *src, struct sl_mext *x)
{
	const struct sl_mext_disk *d = src;

	x->lba = le64_to_cpu(d->lba);
	x->seq = le64_to_cpu(d->seq);
	x->loc = le64_to_cpu(d->loc);
	x->len = le32_to_cpu(d->len);
	x->flags = le16_to_cpu(d->flags);
}

/* Flags and length of one extent; lba overflow is the caller's (volume size). */
static bool sl_mext_sane(const struct sl_mext *x)
{
	if (!x->len || (x->flags != SL_EF_DATA && x->flags != SL_EF_DISCARD))
		return false;
	return x->lba + x->len > x->lba;
}

void sl_mlog_encode(const struct sl_mlog_hdr *h, const struct sl_mext *x, void *buf)
{
	struct sl_mlog_disk *d = buf;
	u32 i;

	/* x == NULL: the entries are already in place (sl_mext_encode()). */
	if (x)
		memset(buf, 0, SL_BLOCK_SIZE);
	else
		memset(buf, 0, SL_MLOG_HDR_SIZE);
	d->magic = cpu_to_le32(SL_MLOG_MAGIC);
	d->seq = cpu_to_le64(h->seq);
	d->prev_seq = cpu_to_le64(h->prev_seq);
	d->pos = cpu_to_le64(h->pos);
	memcpy(d->uuid, h->uuid, SL_UUID_SIZE);
	d->seg_index = cpu_to_le64(h->seg_index);
	d->seg_seq = cpu_to_le64(h->seg_seq);
	d->nr_entries = cpu_to_le16((u16)h->nr_entries);
	d->blk_index = cpu_to_le16((u16)h->blk_index);
	d->blk_count = cpu_to_le16((u16)h->blk_count);
	for (i = 0; x && i < h->nr_entries && i < SL_MLOG_ENTRIES_PER_BLOCK; i++)
		sl_mext_encode(&x[i], &d->entries[i]);
	d->crc = cpu_to_le32(sl_meta_crc(buf, SL_BLOCK_SIZE));
}

void sl_mlog_entry_get(const void *buf, u32 i, struct sl_mext *x)
{
	const struct sl_mlog_disk *d = buf;

	sl_mext_decode(&d->entries[i], x);
}

int sl_mlog_decode(const void *buf, u32 data_slots, u64 nr_segments, struct sl_mlog_hdr *h,
		   const char **why)
{
	const struct sl_mlog_disk *d = buf;
	struct sl_mext x;
	u32 i;

	memset(h, 0, sizeof(*h));
	if (le32_to_cpu(d->magic) != SL_MLOG_MAGIC)
		return sl_mbad(why, "not a metadata log block (bad magic)", -EINVAL);
	if (le32_to_cpu(d->crc) != sl_meta_crc(buf, SL_BLOCK_SIZE))
		return sl_mbad(why, "metadata log block checksum mismatch", -EINVAL);
	h->seq = le64_to_cpu(d->seq);
	h->prev_seq = le64_to_cpu(d->prev_seq);
	h->pos = le64_to_cpu(d->pos);
	memcpy(h->uuid, d->uuid, SL_UUID_SIZE);
	h->seg_index = le64_to_cpu(d->seg_index);
	h->seg_seq = le64_to_cpu(d->seg_seq);
	h->nr_entries = le16_to_cpu(d->nr_entries);
	h->blk_index = le16_to_cpu(d->blk_index);
	h->blk_count = le16_to_cpu(d->blk_count);
	if (h->seq <= h->prev_seq || h->nr_entries > SL_MLOG_ENTRIES_PER_BLOCK ||
	    !h->blk_count || h->blk_index >= h->blk_count || d->flags)
		return sl_mbad(why, "metadata log block header out of range", -EUCLEAN);
	if (h->seg_index >= nr_segments)
		return sl_mbad(why, "metadata log block names a segment beyond the volume",
			       -EUCLEAN);
	for (i = 0; i < h->nr_entries; i++) {
		sl_mext_decode(&d->entries[i], &x);
		if (!sl_mext_sane(&x))
			return sl_mbad(why, "metadata log entry has bad flags or length", -EUCLEAN);
		if (x.flags == SL_EF_DATA && (x.loc >= data_slots || x.len > data_slots - x.loc))
			return sl_mbad(why, "metadata log entry beyond the segment", -EUCLEAN);
		if (x.flags == SL_EF_DISCARD && x.loc)
			return sl_mbad(why, "metadata log tombstone with a slot", -EUCLEAN);
	}
	return 0;
}

void sl_ckpt_hdr_encode(const struct sl_ckpt_hdr *h, void *buf)
{
	struct sl_ckpt_disk *d = buf;

	memset(buf, 0, SL_BLOCK_SIZE);
	d->magic = cpu_to_le32(SL_CKPT_MAGIC);
	d->generation = cpu_to_le64(h->generation);
	memcpy(d->uuid, h->uuid, SL_UUID_SIZE);
	d->mlog_pos = cpu_to_le64(h->mlog_pos);
	d->mlog_prev_seq = cpu_to_le64(h->mlog_prev_seq);
	d->next_seg_seq = cpu_to_le64(h->next_seg_seq);
	d->max_seq = cpu_to_le64(h->max_seq);
	d->nr_extents = cpu_to_le64(h->nr_extents);
	d->nr_segments = cpu_to_le64(h->nr_segments);
	d->body_blocks = cpu_to_le32(h->body_blocks);
	d->body_crc = cpu_to_le32(h->body_crc);
	d->flags = cpu_to_le32(h->flags);
	d->crc = cpu_to_le32(sl_meta_crc(buf, SL_BLOCK_SIZE));
}

int sl_ckpt_hdr_decode(const void *buf, u64 max_body_blocks, struct sl_ckpt_hdr *h,
		       const char **why)
{
	const struct sl_ckpt_disk *d = buf;

	memset(h, 0, sizeof(*h));
	if (le32_to_cpu(d->magic) != SL_CKPT_MAGIC)
		return sl_mbad(why, "not a checkpoint (bad magic)", -EINVAL);
	if (le32_to_cpu(d->crc) != sl_meta_crc(buf, SL_BLOCK_SIZE))
		return sl_mbad(why, "checkpoint header checksum mismatch", -EINVAL);
	h->generation = le64_to_cpu(d->generation);
	memcpy(h->uuid, d->uuid, SL_UUID_SIZE);
	h->mlog_pos = le64_to_cpu(d->mlog_pos);
	h->mlog_prev_seq = le64_to_cpu(d->mlog_prev_seq);
	h->next_seg_seq = le64_to_cpu(d->next_seg_seq);
	h->max_seq = le64_to_cpu(d->max_seq);
	h->nr_extents = le64_to_cpu(d->nr_extents);
	h->nr_segments = le64_to_cpu(d->nr_segments);
	h->body_blocks = le32_to_cpu(d->body_blocks);
	h->body_crc = le32_to_cpu(d->body_crc);
	h->flags = le32_to_cpu(d->flags);
	if (h->flags & ~SL_CKPT_KNOWN_FLAGS || d->reserved)
		return sl_mbad(why, "checkpoint has unknown flags", -EUCLEAN);
	if (h->body_blocks > max_body_blocks)
		return sl_mbad(why, "checkpoint body larger than its slot", -EUCLEAN);
	/* Each count bounded first: their sum cannot overflow then. */
	if (!(h->flags & SL_CKPT_F_SCAN) &&
	    (h->nr_segments > (u64)h->body_blocks * SL_BLOCK_SIZE / 8 ||
	     h->nr_extents > (u64)h->body_blocks * SL_BLOCK_SIZE / SL_MLOG_ENTRY_SIZE ||
	     sl_ckpt_body_bytes(h->nr_segments, h->nr_extents) >
	     (u64)h->body_blocks * SL_BLOCK_SIZE))
		return sl_mbad(why, "checkpoint counts do not fit its body", -EUCLEAN);
	return 0;
}

/**
 * sl_ckpt_body_check() - validate a checkpoint body against its header.
 * @geo: volume geometry.  @h: decoded header.  @body: h->body_blocks blocks.
 * @why: reason on failure.
 *
 * The body is nr_segments le64 segment write seqs, then nr_extents 32-byte
 * extents sorted by lba and not overlapping: DATA extents name global data
 * slots (seg * slots + slot) inside one segment, DISCARD extents the first
 * slot of their segment.  Every seq must be <= h->max_seq.
 * Return: 0, -EINVAL (crc) or -EUCLEAN (content impossible).
 */
int sl_ckpt_body_check(const struct sl_geometry *geo, const struct sl_ckpt_hdr *h,
		       const void *body, const char **why)
{
	u64 slots = sl_seg_data_slots(geo), i, next_lba = 0;
	const u8 *ext;
	struct sl_mext x;

	if (h->flags & SL_CKPT_F_SCAN)
		return 0;
	if (h->nr_segments != geo->nr_segments)
		return sl_mbad(why, "checkpoint of another geometry", -EUCLEAN);
	if (sl_crc32c(SL_CRC_SEED, body, (size_t)h->body_blocks * SL_BLOCK_SIZE) != h->body_crc)
		return sl_mbad(why, "checkpoint body checksum mismatch", -EINVAL);
	ext = (const u8 *)body + h->nr_segments * 8;
	for (i = 0; i < h->nr_extents; i++) {
		sl_mext_decode(ext + i * SL_MLOG_ENTRY_SIZE, &x);
		if (!sl_mext_sane(&x) || x.lba < next_lba || x.lba + x.len > geo->logical_blocks ||
		    x.seq > h->max_seq)
			return sl_mbad(why, "checkpoint extent out of order or range", -EUCLEAN);
		if (x.loc / slots >= geo->nr_segments)
			return sl_mbad(why, "checkpoint extent beyond the segments", -EUCLEAN);
		if (x.flags == SL_EF_DATA && x.loc % slots + x.len > slots)
			return sl_mbad(why, "checkpoint extent crosses a segment", -EUCLEAN);
		if (x.flags == SL_EF_DISCARD && x.loc % slots)
			return sl_mbad(why, "checkpoint tombstone with a slot", -EUCLEAN);
		next_lba = x.lba + x.len;
	}
	return 0;
}
