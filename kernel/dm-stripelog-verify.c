// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: checksum verification of segment reads (bit-rot repair).
 *
 * With verify_reads on (the default when m > 0), every user read served
 * from a capacity leg completes through the degraded worker: each 4 KiB
 * block's crc32c is compared with the data_crc its segment summary recorded
 * at destage.  A block that does not match is rebuilt from the other chunks
 * of its row (slg_reconstruct(), the leg is NOT marked failed for that), the
 * rebuilt block must match the summary crc, and it is then returned and
 * written back over the rotten copy.  If it does not match, the rot may be
 * in another chunk of the row: while parity covers one more loss, the block
 * is rebuilt with each other leg left out in turn.  Reads of a failed leg
 * (already rebuilt) are verified the same way.  If nothing matches (more
 * damage than parity covers, or m = 0) the read fails with EIO: never wrong
 * data.  Status counts crc_errors and crc_repairs.
 *
 * The per-slot crcs of a few recently read segments are cached
 * (SLG_SUMCACHE entries, filled from the on-disk summary, read through
 * reconstruction if need be).  The destage worker forgets a segment before
 * it rewrites it; reads from before that plan have finished by then
 * (slg_wait_reads()), and none after it can point into a free segment.
 */
#include <linux/vmalloc.h>

#include "dm-stripelog-glue.h"

/**
 * slg_sumcache_forget - drop a segment's cached summary crcs
 * @sc: target
 * @seg: segment about to be rewritten
 */
void slg_sumcache_forget(struct stripelog_c *sc, u64 seg)
{
	u32 i;

	mutex_lock(&sc->sumcache_lock);
	for (i = 0; i < SLG_SUMCACHE; i++)
		if (sc->sumcache[i].crc && sc->sumcache[i].seg == seg)
			sc->sumcache[i].seg = ~0ull;
	mutex_unlock(&sc->sumcache_lock);
}

/* Fill cache entry @c with segment @seg's per-slot crcs.  Return 0 or -errno. */
static int slg_sumcache_fill(struct stripelog_c *sc, struct slg_sumcache *c, u64 seg)
{
	const struct sl_geometry *g = &sc->geo;
	u32 slots = sl_seg_data_slots(g), b, leg, i;
	struct sl_sum_entry en;
	struct sl_sum_hdr h;
	u64 blk;
	void *buf;
	int r = 0;

	buf = kvmalloc(array_size(g->seg_sum_blocks, SLG_BLOCK_SIZE), GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	for (b = 0; b < g->seg_sum_blocks && !r; b++) {
		sl_seg_locate(g, seg, b, &leg, &blk);
		r = slg_dev_ops.read(sc, SL_DEV_LEG(leg), blk, 1, (u8 *)buf + (size_t)b * SLG_BLOCK_SIZE);
	}
	if (!r && (sl_sum_decode(buf, g->seg_sum_blocks, slots, g->nr_segments, &h, NULL) ||
		   h.seg_index != seg))
		r = -EUCLEAN;
	if (!r) {
		bitmap_zero(c->known, slots);
		for (i = 0; i < h.nr_entries; i++) {
			sl_sum_entry_get(buf, i, &en);
			if (en.flags != SL_EF_DATA || en.slot >= slots)
				continue;
			c->crc[en.slot] = en.data_crc;
			__set_bit(en.slot, c->known);
		}
		c->seg = seg;
	}
	kvfree(buf);
	return r;
}

/*
 * The crc the summary recorded for slot @slot of segment @seg: 0 with *@crc
 * set, -ENOENT if the summary does not name the slot, or an I/O error.
 */
static int slg_slot_crc(struct stripelog_c *sc, u64 seg, u32 slot, u32 *crc)
{
	struct slg_sumcache *c = NULL;
	u32 i;
	int r = 0;

	mutex_lock(&sc->sumcache_lock);
	for (i = 0; i < SLG_SUMCACHE; i++)
		if (sc->sumcache[i].seg == seg)
			c = &sc->sumcache[i];
	if (!c) {
		c = &sc->sumcache[sc->sumcache_next];
		sc->sumcache_next = (sc->sumcache_next + 1) % SLG_SUMCACHE;
		c->seg = ~0ull;
		r = slg_sumcache_fill(sc, c, seg);
	}
	if (!r && !test_bit(slot, c->known))
		r = -ENOENT;
	if (!r)
		*crc = c->crc[slot];
	mutex_unlock(&sc->sumcache_lock);
	return r;
}

/*
 * Leg @bad's chunk at @block was shown rotten: leaving it out rebuilt leg
 * @leg's block to its recorded crc.  Rebuild @bad's block too (without @leg,
 * whose copy is lost or rotten) and write it back, so the rot does not wait
 * for a direct read of @bad.  A data block must match its own summary crc
 * first; a parity block is recomputed from data that just proved good;
 * anything else (summary blocks, unused slots) is left to `stripelog check`.
 */
static void slg_repair_other(struct stripelog_c *sc, u32 leg, u32 bad, u64 block)
{
	const char *dev = dm_table_device_name(sc->ti->table);
	struct sl_stripe_pos pos;
	u32 want;
	u8 *buf;

	if (sl_stripe_unmap(&sc->stripe, bad, block, &pos))
		return;
	if (pos.idx < sc->stripe.k &&
	    (pos.blk < sc->geo.seg_sum_blocks ||
	     slg_slot_crc(sc, pos.seg, (u32)(pos.blk - sc->geo.seg_sum_blocks), &want)))
		return;
	buf = kmalloc(SLG_BLOCK_SIZE, GFP_NOIO);
	if (!buf)
		return;
	if (slg_reconstruct_avoid(sc, bad, block, 1, buf, BIT(leg)) ||
	    (pos.idx < sc->stripe.k && sl_block_crc(buf) != want))
		goto out;
	atomic64_inc(&sc->crc_errors);
	DMERR_LIMIT("%s: leg %u block %llu (segment %llu, chunk %u) is rotten: found rebuilding leg %u, repaired",
		    dev, bad, (unsigned long long)block, (unsigned long long)pos.seg, pos.idx, leg);
	if (slg_io_sync(sc->io_client, sc->legs[bad], REQ_OP_WRITE | REQ_SYNC, block, buf, 1))
		slg_leg_failed(sc, bad, "write");
	else
		atomic64_inc(&sc->crc_repairs);
out:
	kfree(buf);
}

/*
 * Rebuild leg block @block (at @pos) into @buf so that its crc is @want.
 * First from every other chunk of the row (the leg's own copy rotted); then,
 * while parity allows one more loss, treating each other leg of the row in
 * turn as lost too (a rotten chunk elsewhere, e.g. under a degraded read),
 * and repairing that leg's chunk when this works.
 * Return 0, or -EIO if no combination gives the recorded data.
 */
static int slg_rebuild_matching(struct stripelog_c *sc, u32 leg, u64 block,
				const struct sl_stripe_pos *pos, u32 want, u8 *buf)
{
	const struct sl_stripe *st = &sc->stripe;
	u32 idx, l;

	if (slg_leg_readable(sc, leg) && !slg_reconstruct(sc, leg, block, 1, buf) &&
	    sl_block_crc(buf) == want)
		return 0;
	for (idx = 0; idx < st->n; idx++) {
		l = sl_stripe_chunk_leg(st, pos->grow, idx);
		if (l == leg || !slg_leg_readable(sc, l))
			continue;
		if (!slg_reconstruct_avoid(sc, leg, block, 1, buf, BIT(l)) &&
		    sl_block_crc(buf) == want) {
			slg_repair_other(sc, leg, l, block);
			return 0;
		}
	}
	return -EIO;
}

/*
 * Check (and repair) block @i of a verified read whose data is in @buf.
 * Return 0 (good), 1 (repaired: @buf now holds the good data) or -EIO.
 */
static int slg_verify_block(struct stripelog_c *sc, struct slg_bio *pb, u32 i, u8 *buf)
{
	const char *dev = dm_table_device_name(sc->ti->table);
	u64 block = pb->dev_block + i;
	struct sl_stripe_pos pos;
	u32 want, slot;
	int r;

	if (sl_stripe_unmap(&sc->stripe, pb->leg, block, &pos) || pos.idx >= sc->stripe.k ||
	    pos.blk < sc->geo.seg_sum_blocks)
		return 0;	/* not a data slot: nothing recorded to compare with */
	slot = (u32)(pos.blk - sc->geo.seg_sum_blocks);
	r = slg_slot_crc(sc, pos.seg, slot, &want);
	if (r) {
		DMERR_LIMIT("%s: cannot verify leg %u block %llu: no summary crc (%d)", dev,
			    pb->leg, (unsigned long long)block, r);
		return 0;
	}
	if (sl_block_crc(buf) == want)
		return 0;
	atomic64_inc(&sc->crc_errors);
	DMERR_LIMIT("%s: checksum mismatch at leg %u block %llu (segment %llu slot %u): repairing from parity",
		    dev, pb->leg, (unsigned long long)block, (unsigned long long)pos.seg, slot);
	r = slg_rebuild_matching(sc, pb->leg, block, &pos, want, buf);
	if (r) {
		DMERR_LIMIT("%s: leg %u block %llu cannot be repaired (%d): read fails", dev,
			    pb->leg, (unsigned long long)block, r);
		return -EIO;
	}
	/* Write the good copy back; a failing write fails the leg (parity still covers it). */
	if (slg_leg_readable(sc, pb->leg) &&
	    slg_io_sync(sc->io_client, sc->legs[pb->leg], REQ_OP_WRITE | REQ_SYNC, block, buf, 1))
		slg_leg_failed(sc, pb->leg, "write");
	atomic64_inc(&sc->crc_repairs);
	return 1;
}

/**
 * slg_verify_buf - verify (and repair) the blocks of a segment read in @buf
 * @sc: target
 * @pb: the read's location (leg, first block, count)
 * @buf: its data, pb->nblocks * 4 KiB, as read from the leg or rebuilt
 *
 * Return: 0 (all good), 1 (some blocks repaired in @buf) or -EIO.
 */
int slg_verify_buf(struct stripelog_c *sc, struct slg_bio *pb, u8 *buf)
{
	bool repaired = false;
	u32 i;
	int r;

	for (i = 0; i < pb->nblocks; i++) {
		r = slg_verify_block(sc, pb, i, buf + (size_t)i * SLG_BLOCK_SIZE);
		if (r < 0)
			return r;
		repaired |= r > 0;
	}
	return repaired;
}

/**
 * slg_verify_read - complete a verified segment read (degraded worker)
 * @sc: target
 * @bio: the read, its data as the leg returned it; pb->iter restored
 *
 * Return: 0, or -errno for the bio.
 */
int slg_verify_read(struct stripelog_c *sc, struct bio *bio)
{
	struct slg_bio *pb = dm_per_bio_data(bio, sizeof(struct slg_bio));
	size_t len = (size_t)pb->nblocks * SLG_BLOCK_SIZE, off = 0;
	struct bvec_iter iter;
	struct bio_vec bv;
	bool repaired;
	u8 *buf;
	int r;

	buf = kvmalloc(len, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	bio_for_each_segment(bv, bio, iter) {
		if (off + bv.bv_len > len)
			break;
		memcpy_from_bvec((char *)buf + off, &bv);
		off += bv.bv_len;
	}
	r = slg_verify_buf(sc, pb, buf);
	repaired = r > 0;
	r = min(r, 0);
	if (!r && repaired) {
		off = 0;
		bio_for_each_segment(bv, bio, iter) {
			if (off + bv.bv_len > len)
				break;
			memcpy_to_bvec(&bv, (char *)buf + off);
			off += bv.bv_len;
		}
	}
	kvfree(buf);
	return r;
}

/**
 * slg_sumcache_init - allocate the summary crc cache
 * @sc: target (geometry known)
 *
 * Return: 0 or -ENOMEM.
 */
int slg_sumcache_init(struct stripelog_c *sc)
{
	u32 slots = sl_seg_data_slots(&sc->geo), i;

	mutex_init(&sc->sumcache_lock);
	for (i = 0; i < SLG_SUMCACHE; i++) {
		sc->sumcache[i].seg = ~0ull;
		sc->sumcache[i].crc = kvcalloc(slots, sizeof(u32), GFP_KERNEL);
		sc->sumcache[i].known = kvcalloc(BITS_TO_LONGS(slots), sizeof(long), GFP_KERNEL);
		if (!sc->sumcache[i].crc || !sc->sumcache[i].known)
			return -ENOMEM;
	}
	return 0;
}

/** slg_sumcache_free - free what slg_sumcache_init() allocated */
void slg_sumcache_free(struct stripelog_c *sc)
{
	u32 i;

	for (i = 0; i < SLG_SUMCACHE; i++) {
		kvfree(sc->sumcache[i].crc);
		kvfree(sc->sumcache[i].known);
	}
}
