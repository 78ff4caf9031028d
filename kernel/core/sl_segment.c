// SPDX-License-Identifier: GPL-2.0
/*
 * sl_segment.c - segment summary codec.  A summary occupies the first
 * seg_sum_blocks blocks of a segment: a 64-byte header then 32-byte entries;
 * one crc covers the whole area.
 */
#include "sl_format.h"

static int sl_sbad(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

void sl_sum_encode(const struct sl_sum_hdr *h, const struct sl_sum_entry *entries, void *buf)
{
	struct sl_sum_hdr_disk *d = buf;
	size_t len = (size_t)h->sum_blocks * SL_BLOCK_SIZE;
	u32 i;

	memset(buf, 0, len);
	d->magic = cpu_to_le32(SL_SUM_MAGIC);
	memcpy(d->uuid, h->uuid, SL_UUID_SIZE);
	d->seg_index = cpu_to_le64(h->seg_index);
	d->seg_seq = cpu_to_le64(h->seg_seq);
	d->nr_entries = cpu_to_le32(h->nr_entries);
	d->nr_data = cpu_to_le32(h->nr_data);
	d->sum_blocks = cpu_to_le32(h->sum_blocks);
	d->max_seq = cpu_to_le64(h->max_seq);
	for (i = 0; i < h->nr_entries && i < SL_SUM_ENTRIES_PER(h->sum_blocks); i++) {
		struct sl_sum_entry_disk *de = &d->entries[i];

		de->lba = cpu_to_le64(entries[i].lba);
		de->seq = cpu_to_le64(entries[i].seq);
		de->nblocks = cpu_to_le32(entries[i].nblocks);
		de->slot = cpu_to_le32(entries[i].slot);
		de->flags = cpu_to_le16(entries[i].flags);
		de->data_crc = cpu_to_le32(entries[i].data_crc);
	}
	d->crc = cpu_to_le32(sl_meta_crc(buf, len));
}

void sl_sum_entry_get(const void *buf, u32 i, struct sl_sum_entry *e)
{
	const struct sl_sum_hdr_disk *d = buf;
	const struct sl_sum_entry_disk *de = &d->entries[i];

	e->lba = le64_to_cpu(de->lba);
	e->seq = le64_to_cpu(de->seq);
	e->nblocks = le32_to_cpu(de->nblocks);
	e->slot = le32_to_cpu(de->slot);
	e->flags = le16_to_cpu(de->flags);
	e->data_crc = le32_to_cpu(de->data_crc);
}

static int sl_sum_entry_check(const struct sl_sum_entry *e, u32 data_slots, u64 max_seq,
			      const char **why)
{
	if (e->flags == SL_EF_DATA) {
		if (e->nblocks != 1 || e->slot >= data_slots)
			return sl_sbad(why, "summary data entry has a bad slot/length", -EUCLEAN);
	} else if (e->flags == SL_EF_DISCARD) {
		if (!e->nblocks || e->slot)
			return sl_sbad(why, "summary discard entry is malformed", -EUCLEAN);
	} else {
		return sl_sbad(why, "summary entry has unknown flags", -EUCLEAN);
	}
	if (e->lba + e->nblocks < e->lba)
		return sl_sbad(why, "summary entry range overflows", -EUCLEAN);
	if (e->seq > max_seq || !e->seq)
		return sl_sbad(why, "summary entry seq beyond the summary's max_seq", -EUCLEAN);
	return 0;
}

int sl_sum_decode(const void *buf, u32 sum_blocks, u32 data_slots, u64 nr_segments,
		  struct sl_sum_hdr *h, const char **why)
{
	const struct sl_sum_hdr_disk *d = buf;
	size_t len = (size_t)sum_blocks * SL_BLOCK_SIZE;
	struct sl_sum_entry e;
	u32 i;
	int err;

	memset(h, 0, sizeof(*h));
	if (!sum_blocks)
		return sl_sbad(why, "summary size is zero", -EINVAL);
	if (le32_to_cpu(d->magic) != SL_SUM_MAGIC)
		return sl_sbad(why, "not a segment summary (bad magic)", -EINVAL);
	if (le32_to_cpu(d->sum_blocks) != sum_blocks)
		return sl_sbad(why, "segment summary size mismatch", -EINVAL);
	if (le32_to_cpu(d->crc) != sl_meta_crc(buf, len))
		return sl_sbad(why, "segment summary checksum mismatch", -EINVAL);
	memcpy(h->uuid, d->uuid, SL_UUID_SIZE);
	h->seg_index = le64_to_cpu(d->seg_index);
	h->seg_seq = le64_to_cpu(d->seg_seq);
	h->nr_entries = le32_to_cpu(d->nr_entries);
	h->nr_data = le32_to_cpu(d->nr_data);
	h->sum_blocks = sum_blocks;
	h->max_seq = le64_to_cpu(d->max_seq);
	if (h->seg_index >= nr_segments)
		return sl_sbad(why, "segment summary index out of range", -EUCLEAN);
	if (h->nr_entries > SL_SUM_ENTRIES_PER(sum_blocks) || h->nr_data > data_slots)
		return sl_sbad(why, "segment summary counts out of range", -EUCLEAN);
	for (i = 0; i < h->nr_entries; i++) {
		sl_sum_entry_get(buf, i, &e);
		err = sl_sum_entry_check(&e, h->nr_data, h->max_seq, why);
		if (err)
			return err;
	}
	return 0;
}
