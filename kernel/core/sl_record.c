// SPDX-License-Identifier: GPL-2.0
/*
 * sl_record.c - log record header codec and the record chain rule.
 */
#include "sl_format.h"

static int sl_rbad(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

u32 sl_block_crc(const void *block)
{
	return sl_crc32c(SL_CRC_SEED, block, SL_BLOCK_SIZE);
}

/**
 * sl_rec_hdr_crc() - the crc a record header block must carry.
 * @buf: the header block.
 *
 * Covers the fixed 64 bytes (crc field as zero), the nr_entries entries in
 * use and the nr_blocks block crcs in use, chained in that order; the unused
 * tail of both arrays is not covered (a record of one 4 KiB write checksums
 * 84 bytes, not 4096).  Counts beyond their maximum are clamped, so any
 * buffer can be checked; the decoder refuses such counts anyway.
 */
u32 sl_rec_hdr_crc(const void *buf)
{
	const struct sl_rec_hdr_disk *d = buf;
	u32 ne = min_t(u32, le16_to_cpu(d->nr_entries), SL_REC_MAX_ENTRIES);
	u32 nb = min_t(u32, le16_to_cpu(d->nr_blocks), SL_REC_MAX_BLOCKS);
	u32 c;

	c = sl_meta_crc(buf, offsetof(struct sl_rec_hdr_disk, entries));
	c = sl_crc32c(c, d->entries, ne * sizeof(d->entries[0]));
	return sl_crc32c(c, d->block_crc, nb * sizeof(d->block_crc[0]));
}

void sl_rec_hdr_encode(const struct sl_rec_hdr *h, void *buf)
{
	struct sl_rec_hdr_disk *d = buf;
	u32 i;

	memset(buf, 0, SL_BLOCK_SIZE);
	d->magic = cpu_to_le32(SL_REC_MAGIC);
	d->seq = cpu_to_le64(h->seq);
	d->prev_seq = cpu_to_le64(h->prev_seq);
	d->pos = cpu_to_le64(h->pos);
	d->nr_entries = cpu_to_le16((u16)h->nr_entries);
	d->nr_blocks = cpu_to_le16((u16)h->nr_blocks);
	d->flags = cpu_to_le32(h->flags);
	memcpy(d->uuid, h->uuid, SL_UUID_SIZE);
	for (i = 0; i < h->nr_entries && i < SL_REC_MAX_ENTRIES; i++) {
		d->entries[i].lba = cpu_to_le64(h->entries[i].lba);
		d->entries[i].nblocks = cpu_to_le32(h->entries[i].nblocks);
		d->entries[i].flags = cpu_to_le16(h->entries[i].flags);
	}
	for (i = 0; i < h->nr_blocks && i < SL_REC_MAX_BLOCKS; i++)
		d->block_crc[i] = cpu_to_le32(h->block_crc[i]);
	d->crc = cpu_to_le32(sl_rec_hdr_crc(buf));
}

static int sl_rec_entry_check(const struct sl_rec_entry *e, const char **why)
{
	if (!e->flags || (e->flags & ~SL_EF_KNOWN))
		return sl_rbad(why, "record entry has unknown flags", -EUCLEAN);
	if (!(e->flags & SL_EF_DATA) == !(e->flags & SL_EF_DISCARD))
		return sl_rbad(why, "record entry must be DATA or DISCARD", -EUCLEAN);
	if (!e->nblocks)
		return sl_rbad(why, "record entry has zero length", -EUCLEAN);
	if (e->lba + e->nblocks < e->lba)
		return sl_rbad(why, "record entry range overflows", -EUCLEAN);
	return 0;
}

int sl_rec_hdr_decode(const void *buf, struct sl_rec_hdr *h, const char **why)
{
	const struct sl_rec_hdr_disk *d = buf;
	u32 i, data = 0;
	int err;

	if (le32_to_cpu(d->magic) != SL_REC_MAGIC)
		return sl_rbad(why, "not a record header (bad magic)", -EINVAL);
	if (!le16_to_cpu(d->nr_entries) || le16_to_cpu(d->nr_entries) > SL_REC_MAX_ENTRIES)
		return sl_rbad(why, "record header entry count out of range", -EUCLEAN);
	if (le16_to_cpu(d->nr_blocks) > SL_REC_MAX_BLOCKS)
		return sl_rbad(why, "record header block count out of range", -EUCLEAN);
	if (le32_to_cpu(d->crc) != sl_rec_hdr_crc(buf))
		return sl_rbad(why, "record header checksum mismatch", -EINVAL);
	h->seq = le64_to_cpu(d->seq);
	h->prev_seq = le64_to_cpu(d->prev_seq);
	h->pos = le64_to_cpu(d->pos);
	h->nr_entries = le16_to_cpu(d->nr_entries);
	h->nr_blocks = le16_to_cpu(d->nr_blocks);
	h->flags = le32_to_cpu(d->flags);
	memcpy(h->uuid, d->uuid, SL_UUID_SIZE);
	if (!h->nr_entries || h->nr_entries > SL_REC_MAX_ENTRIES)
		return sl_rbad(why, "record header entry count out of range", -EUCLEAN);
	if (h->nr_blocks > SL_REC_MAX_BLOCKS)
		return sl_rbad(why, "record header block count out of range", -EUCLEAN);
	if (h->seq <= h->prev_seq)
		return sl_rbad(why, "record seq does not follow prev_seq", -EUCLEAN);
	for (i = 0; i < h->nr_entries; i++) {
		h->entries[i].lba = le64_to_cpu(d->entries[i].lba);
		h->entries[i].nblocks = le32_to_cpu(d->entries[i].nblocks);
		h->entries[i].flags = le16_to_cpu(d->entries[i].flags);
		err = sl_rec_entry_check(&h->entries[i], why);
		if (err)
			return err;
		if (h->entries[i].flags & SL_EF_DATA)
			data += h->entries[i].nblocks;
		if (data > SL_REC_MAX_BLOCKS)
			return sl_rbad(why, "record entries exceed the record size", -EUCLEAN);
	}
	if (data != h->nr_blocks)
		return sl_rbad(why, "record entries do not add up to its data blocks", -EUCLEAN);
	for (i = 0; i < h->nr_blocks; i++)
		h->block_crc[i] = le32_to_cpu(d->block_crc[i]);
	return 0;
}

/**
 * sl_rec_links() - the chain rule (see Documentation/stripelog-format.rst).
 * A decoded header is the next record of the chain iff it belongs to this
 * volume, says it lives where it was found, fits inside the log, and its
 * prev_seq is the seq of the record before it.
 */
bool sl_rec_links(const struct sl_rec_hdr *h, const u8 *uuid, u64 pos, u64 expect_prev,
		  u64 log_blocks)
{
	if (memcmp(h->uuid, uuid, SL_UUID_SIZE))
		return false;
	if (h->pos != pos || pos >= log_blocks || 1 + (u64)h->nr_blocks > log_blocks - pos)
		return false;
	return h->prev_seq == expect_prev && h->seq > expect_prev;
}

bool sl_rec_data_ok(const struct sl_rec_hdr *h, u32 first, u32 nr, const void *data)
{
	const u8 *p = data;
	u32 i;

	if (first > h->nr_blocks || nr > h->nr_blocks - first)
		return false;
	for (i = 0; i < nr; i++)
		if (sl_block_crc(p + (size_t)i * SL_BLOCK_SIZE) != h->block_crc[first + i])
			return false;
	return true;
}
