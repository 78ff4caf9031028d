// SPDX-License-Identifier: GPL-2.0
/* Segment summary codec: round trip, corruption, out-of-range content. */
#include "../lib/sl_test.h"
#include <string.h>

#define SUMB 3
static u8 buf[SUMB * SL_BLOCK_SIZE] __attribute__((aligned(8)));
static struct sl_sum_entry ent[400];

static void reseal(void)
{
	((struct sl_sum_hdr_disk *)buf)->crc = cpu_to_le32(sl_meta_crc(buf, sizeof(buf)));
}

int main(void)
{
	struct sl_sum_hdr h, d;
	struct sl_sum_entry e;
	struct sl_sum_entry_disk *de = ((struct sl_sum_hdr_disk *)buf)->entries;
	const char *why;
	u32 i, n = SL_SUM_ENTRIES_PER(SUMB);

	SECTION("capacity: 3 blocks hold (3*4096-64)/32 entries");
	CHECK(n == (3 * 4096 - 64) / 32, "%u", n);
	CHECK(sizeof(struct sl_sum_entry_disk) == 32 && SL_SUM_HDR_SIZE == 64, "sizes");
	memset(&h, 0, sizeof(h));
	memset(h.uuid, 0xab, 16);
	h.seg_index = 5;
	h.seg_seq = 77;
	h.sum_blocks = SUMB;
	h.max_seq = 1000;
	for (i = 0; i < n; i++) {
		ent[i].lba = i * 3;
		ent[i].seq = 1 + i;
		ent[i].nblocks = 1;
		ent[i].slot = i % 200;
		ent[i].flags = SL_EF_DATA;
		ent[i].data_crc = i * 0x01010101u;
	}
	ent[7].flags = SL_EF_DISCARD;
	ent[7].nblocks = 4096;
	ent[7].slot = 0;
	h.nr_entries = n;
	h.nr_data = 200;
	SECTION("round trip of a full summary");
	sl_sum_encode(&h, ent, buf);
	CHECK(!sl_sum_decode(buf, SUMB, 253, 10, &d, &why), "decode: %s", why);
	CHECK(d.seg_index == 5 && d.seg_seq == 77 && d.nr_entries == n && d.nr_data == 200 &&
	      d.max_seq == 1000, "header");
	sl_sum_entry_get(buf, n - 1, &e);
	CHECK(e.lba == (n - 1) * 3 && e.seq == n && e.data_crc == (n - 1) * 0x01010101u, "last");
	sl_sum_entry_get(buf, 7, &e);
	CHECK(e.flags == SL_EF_DISCARD && e.nblocks == 4096, "tombstone");
	SECTION("corruption anywhere in the area is refused");
	for (i = 0; i < sizeof(buf); i += 509) {
		sl_sum_encode(&h, ent, buf);
		buf[i] ^= 0x10;
		CHECK(sl_sum_decode(buf, SUMB, 253, 10, &d, &why), "flip at %u accepted", i);
	}
	SECTION("wrong size, index out of range, bad entries");
	sl_sum_encode(&h, ent, buf);
	CHECK(sl_sum_decode(buf, 2, 253, 10, &d, &why) == -EINVAL, "size mismatch accepted");
	CHECK(sl_sum_decode(buf, SUMB, 253, 5, &d, &why) == -EUCLEAN, "index >= nr accepted");
	CHECK(sl_sum_decode(buf, SUMB, 100, 10, &d, &why) == -EUCLEAN, "nr_data > slots accepted");
	sl_sum_encode(&h, ent, buf);
	de[3].slot = cpu_to_le32(250);
	reseal();
	CHECK(sl_sum_decode(buf, SUMB, 253, 10, &d, &why) == -EUCLEAN, "slot >= nr_data accepted");
	sl_sum_encode(&h, ent, buf);
	de[3].seq = cpu_to_le64(5000);
	reseal();
	CHECK(sl_sum_decode(buf, SUMB, 253, 10, &d, &why) == -EUCLEAN, "seq > max_seq accepted");
	sl_sum_encode(&h, ent, buf);
	de[3].flags = cpu_to_le16(SL_EF_DATA | SL_EF_DISCARD);
	reseal();
	CHECK(sl_sum_decode(buf, SUMB, 253, 10, &d, &why) == -EUCLEAN, "bad flags accepted");
	sl_sum_encode(&h, ent, buf);
	((struct sl_sum_hdr_disk *)buf)->nr_entries = cpu_to_le32(n + 1);
	reseal();
	CHECK(sl_sum_decode(buf, SUMB, 253, 10, &d, &why) == -EUCLEAN, "too many entries accepted");
	return sl_test_done("test-sl-segment");
}
