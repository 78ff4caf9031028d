// SPDX-License-Identifier: GPL-2.0
/* Log record header codec, data crcs, and the chain rule. */
#include "../lib/sl_test.h"
#include <string.h>

static u8 buf[SL_BLOCK_SIZE] __attribute__((aligned(8)));
static u8 data[3 * SL_BLOCK_SIZE];
static const u8 uuid[16] = { 1, 2, 3 };

static void make(struct sl_rec_hdr *h)
{
	u32 i;

	memset(h, 0, sizeof(*h));
	h->seq = 10;
	h->prev_seq = 9;
	h->pos = 40;
	h->nr_entries = 3;
	h->nr_blocks = 3;
	memcpy(h->uuid, uuid, 16);
	h->entries[0] = (struct sl_rec_entry){ .lba = 100, .nblocks = 2, .flags = SL_EF_DATA };
	h->entries[1] = (struct sl_rec_entry){ .lba = 7, .nblocks = 1000, .flags = SL_EF_DISCARD };
	h->entries[2] = (struct sl_rec_entry){ .lba = 5, .nblocks = 1,
					       .flags = SL_EF_DATA | SL_EF_FUA };
	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i * 13);
	for (i = 0; i < 3; i++)
		h->block_crc[i] = sl_block_crc(data + i * SL_BLOCK_SIZE);
}

static void reseal(void)
{
	((struct sl_rec_hdr_disk *)buf)->crc = cpu_to_le32(sl_rec_hdr_crc(buf));
}

int main(void)
{
	static struct sl_rec_hdr h, d;
	struct sl_rec_hdr_disk *dk = (struct sl_rec_hdr_disk *)buf;
	const char *why;

	SECTION("layout: header fits one block");
	CHECK(sizeof(struct sl_rec_hdr_disk) <= SL_BLOCK_SIZE, "%zu", sizeof(struct sl_rec_hdr_disk));
	CHECK(sizeof(struct sl_rec_entry_disk) == 16, "entry size");
	SECTION("round trip");
	make(&h);
	sl_rec_hdr_encode(&h, buf);
	CHECK(!sl_rec_hdr_decode(buf, &d, &why), "decode: %s", why);
	CHECK(d.seq == 10 && d.prev_seq == 9 && d.pos == 40 && d.nr_entries == 3 &&
	      d.nr_blocks == 3 && d.entries[1].nblocks == 1000 &&
	      d.entries[2].flags == (SL_EF_DATA | SL_EF_FUA) && d.block_crc[2] == h.block_crc[2],
	      "fields differ");
	SECTION("data crcs: intact accepted, one flipped byte refused");
	CHECK(sl_rec_data_ok(&d, 0, 3, data), "intact data refused");
	data[SL_BLOCK_SIZE + 100] ^= 1;
	CHECK(!sl_rec_data_ok(&d, 0, 3, data), "torn data accepted");
	CHECK(sl_rec_data_ok(&d, 0, 1, data), "first block alone should pass");
	CHECK(!sl_rec_data_ok(&d, 2, 2, data), "range beyond nr_blocks accepted");
	SECTION("chain rule: uuid, position, prev link, fits the log");
	CHECK(sl_rec_links(&d, uuid, 40, 9, 1000), "valid link refused");
	CHECK(!sl_rec_links(&d, uuid, 41, 9, 1000), "wrong position accepted");
	CHECK(!sl_rec_links(&d, uuid, 40, 8, 1000), "wrong prev accepted");
	CHECK(!sl_rec_links(&d, (const u8 *)"other-volume-uid", 40, 9, 1000), "foreign accepted");
	CHECK(!sl_rec_links(&d, uuid, 40, 9, 43), "straddling the log end accepted");
	CHECK(sl_rec_links(&d, uuid, 40, 9, 44), "exact fit refused");
	SECTION("header crc: covers the entries and block crcs in use, not the tail");
	make(&h);
	sl_rec_hdr_encode(&h, buf);
	dk->block_crc[2] ^= cpu_to_le32(1);
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EINVAL, "block crc change accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->entries[2].lba ^= cpu_to_le64(1);
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EINVAL, "last entry change accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->seq ^= cpu_to_le64(1);
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EINVAL, "fixed field change accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->entries[3].lba = cpu_to_le64(77);
	dk->block_crc[3] = cpu_to_le32(77);
	buf[SL_BLOCK_SIZE - 1] = 0x5a;
	CHECK(!sl_rec_hdr_decode(buf, &d, &why), "unused tail is covered: %s", why);
	CHECK(sl_rec_hdr_crc(buf) == le32_to_cpu(dk->crc), "crc helper disagrees");
	SECTION("malformed headers refused even with a valid crc");
	make(&h);
	sl_rec_hdr_encode(&h, buf);
	buf[100] ^= 1;
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EINVAL, "bad crc accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->nr_blocks = cpu_to_le16(4);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "entry/block mismatch accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->nr_entries = cpu_to_le16(0);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "zero entries accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->nr_entries = cpu_to_le16(SL_REC_MAX_ENTRIES + 1);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "too many entries accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->entries[0].flags = cpu_to_le16(SL_EF_DATA | SL_EF_DISCARD);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "DATA|DISCARD accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->entries[1].flags = cpu_to_le16(0x80);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "unknown flag accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->entries[1].lba = cpu_to_le64(~0ull - 5);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "overflowing range accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->seq = cpu_to_le64(9);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "seq <= prev accepted");
	sl_rec_hdr_encode(&h, buf);
	dk->entries[0].nblocks = cpu_to_le32(0);
	reseal();
	CHECK(sl_rec_hdr_decode(buf, &d, &why) == -EUCLEAN, "zero-length entry accepted");
	return sl_test_done("test-sl-record");
}
