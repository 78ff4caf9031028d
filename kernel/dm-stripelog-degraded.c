// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: degraded operation of the target glue.
 *
 * A capacity leg is marked failed (sc->leg_failed) after any I/O error on it.
 * From then on nothing is read from it and destage writes skip it; a segment
 * block that lived on it is rebuilt from the other chunks of its stripe row
 * (slg_reconstruct()): one lost chunk from P with xor_blocks(), two with
 * lib/raid6 (raid6_2data_recov(), raid6_datap_recov()), exactly the math of
 * the core's reference sl_ec_recover().  With more failed legs than m the
 * data cannot be rebuilt: reads of the lost chunks fail with -EIO, writes are
 * refused and the status line says "fail" -- never wrong data.
 *
 * User reads that hit a failed leg (in ->map) or get an error back from it
 * (in ->end_io, which then returns DM_ENDIO_INCOMPLETE) are queued to the
 * degraded worker, which rebuilds the blocks into a bounce buffer, copies
 * them into the bio and completes it.  The bio stays counted in its read
 * epoch until then, so the destage worker cannot reuse the segment under it.
 */
#include <linux/vmalloc.h>
#include <linux/bitops.h>
#include <linux/raid/pq.h>
#include <linux/raid/xor.h>

#include "dm-stripelog-glue.h"

/**
 * slg_nr_failed - number of capacity legs marked failed
 * @sc: target
 */
u32 slg_nr_failed(struct stripelog_c *sc)
{
	/* A leg being rebuilt gives no redundancy yet. */
	return hweight_long(READ_ONCE(sc->leg_failed) | READ_ONCE(sc->leg_rebuilding));
}

/**
 * slg_leg_failed - mark capacity leg @leg failed, logging the transition
 * @sc: target
 * @leg: leg index
 * @why: what failed ("read", "write", "flush")
 */
void slg_leg_failed(struct stripelog_c *sc, u32 leg, const char *why)
{
	const char *dev = dm_table_device_name(sc->ti->table);
	u32 nf;

	if (leg >= sc->nr_legs || test_and_set_bit(leg, &sc->leg_failed))
		return;
	if (test_bit(leg, &sc->leg_rebuilding))
		DMERR("%s: capacity leg %u failed during its rebuild", dm_table_device_name(sc->ti->table), leg);
	nf = slg_nr_failed(sc);
	if (nf <= sc->args.m)
		DMERR("%s: capacity leg %u (%s) failed on %s: degraded, %u of %u failures tolerated",
		      dev, leg, sc->legs[leg]->name, why, nf, sc->args.m);
	else
		DMERR("%s: capacity leg %u (%s) failed on %s: %u legs lost, more than the %u the volume tolerates: volume failed, writes refused, lost data reads fail",
		      dev, leg, sc->legs[leg]->name, why, nf, sc->args.m);
}

/* Rebuild the lost data chunks of one 4 KiB column of a row (@ptrs in sl_ec order). */
static void slg_recover_page(const struct sl_stripe *st, void **ptrs, const int *failed, int nf)
{
	int fa = -1, fb = -1, i, src, n;
	void *srcs[MAX_XOR_BLOCKS];
	bool p_lost = false;

	for (i = 0; i < nf; i++) {
		if (failed[i] < (int)st->k) {
			if (fa < 0)
				fa = failed[i];
			else
				fb = failed[i];
		} else if (failed[i] == (int)st->k) {
			p_lost = true;
		}
	}
	if (fa < 0)
		return;			/* only parity lost: the data is all there */
	if (fb >= 0 && fb < fa)
		swap(fa, fb);
	if (st->k == 1) {
		/* A mirror: P = Q = D0, copy whichever survived. */
		src = p_lost ? 2 : 1;
		memcpy(ptrs[0], ptrs[src], PAGE_SIZE);
		return;
	}
	if (fb >= 0) {
		raid6_2data_recov(st->k + 2, PAGE_SIZE, fa, fb, ptrs);
		return;
	}
	if (p_lost) {
		raid6_datap_recov(st->k + 2, PAGE_SIZE, fa, ptrs);
		return;
	}
	/* D_fa = P ^ (every other data chunk), at most MAX_XOR_BLOCKS per call */
	memcpy(ptrs[fa], ptrs[st->k], PAGE_SIZE);
	n = 0;
	for (i = 0; i < (int)st->k; i++) {
		if (i == fa)
			continue;
		srcs[n++] = ptrs[i];
		if (n == MAX_XOR_BLOCKS) {
			xor_blocks(n, PAGE_SIZE, ptrs[fa], srcs);
			n = 0;
		}
	}
	if (n)
		xor_blocks(n, PAGE_SIZE, ptrs[fa], srcs);
}

/**
 * slg_reconstruct_avoid - rebuild blocks of a capacity leg from the rest of their rows
 * @sc: target
 * @leg: the leg whose blocks are wanted (failed, or just returned an error)
 * @block: first leg block
 * @nblocks: number of blocks
 * @buf: result, @nblocks * 4 KiB
 * @avoid: bit mask of further legs to treat as lost (a chunk suspected of
 *	bit rot), 0 for none
 *
 * Reads the same blocks of every other readable leg, row run by row run, and
 * rebuilds the wanted chunk: data from the survivors, a parity chunk (for a
 * rebuild) recomputed from the data once it is complete.  A leg that errors
 * here is marked failed too.
 * May sleep (synchronous dm-io, GFP_NOIO allocation).
 *
 * Return: 0; -EIO when the blocks lie outside the segment area or more than
 * m chunks of a row are lost; -ENOMEM.
 */
int slg_reconstruct_avoid(struct stripelog_c *sc, u32 leg, u64 block, u32 nblocks, void *buf,
			  unsigned long avoid)
{
	const struct sl_stripe *st = &sc->stripe;
	int failed[SL_MAX_LEGS], nf, r = 0;
	void *ptrs[SL_MAX_LEGS], *pg[SL_MAX_LEGS];
	struct sl_stripe_pos pos;
	u32 run, idx, l, i, j;
	u64 rb;
	u8 *tmp;

	if (!st->n || !st->m)
		return -EIO;
	tmp = kvmalloc(array3_size(st->n, st->unit_blocks, SLG_BLOCK_SIZE), GFP_NOIO);
	if (!tmp)
		return -ENOMEM;
	for (i = 0; i < nblocks && !r; i += run) {
		if (sl_stripe_unmap(st, leg, block + i, &pos)) {
			r = -EIO;
			break;
		}
		run = min_t(u32, nblocks - i, st->unit_blocks - pos.off);
		rb = sl_stripe_row_block(st, pos.seg, pos.row) + pos.off;
		nf = 0;
		for (idx = 0; idx < st->n; idx++) {
			l = sl_stripe_chunk_leg(st, pos.grow, idx);
			ptrs[idx] = tmp + (size_t)idx * st->unit_blocks * SLG_BLOCK_SIZE;
			if (l == leg || (avoid & BIT(l)) || !slg_leg_readable(sc, l) ||
			    slg_io_sync(sc->io_client, sc->legs[l], REQ_OP_READ, rb, ptrs[idx], run)) {
				if (l != leg && !(avoid & BIT(l)) && slg_leg_readable(sc, l))
					slg_leg_failed(sc, l, "read");
				failed[nf++] = idx;
			}
		}
		if (nf > (int)st->m && avoid) {
			r = -EIO;	/* a trial rebuild that cannot work: quietly */
			break;
		}
		if (nf > (int)st->m) {
			DMERR_LIMIT("%s: leg %u block %llu: %d chunks of its row lost, only %u can be rebuilt",
				    dm_table_device_name(sc->ti->table), leg,
				    (unsigned long long)(block + i), nf, st->m);
			r = -EIO;
			break;
		}
		for (j = 0; j < run; j++) {
			for (idx = 0; idx < st->n; idx++)
				pg[idx] = (u8 *)ptrs[idx] + (size_t)j * SLG_BLOCK_SIZE;
			slg_recover_page(st, pg, failed, nf);
			if (pos.idx >= st->k)
				slg_parity(st, pg, PAGE_SIZE);
		}
		memcpy((u8 *)buf + (size_t)i * SLG_BLOCK_SIZE, ptrs[pos.idx],
		       (size_t)run * SLG_BLOCK_SIZE);
		atomic64_add(run, &sc->blocks_rebuilt);
	}
	kvfree(tmp);
	return r;
}

/**
 * slg_reconstruct - slg_reconstruct_avoid() with no extra lost leg
 * @sc: target
 * @leg: the leg whose blocks are wanted
 * @block: first leg block
 * @nblocks: number of blocks
 * @buf: result
 *
 * Return: as slg_reconstruct_avoid().
 */
int slg_reconstruct(struct stripelog_c *sc, u32 leg, u64 block, u32 nblocks, void *buf)
{
	return slg_reconstruct_avoid(sc, leg, block, nblocks, buf, 0);
}

/**
 * slg_read_leg - read capacity-leg blocks, rebuilding them if the leg fails
 * @sc: target
 * @leg: leg index
 * @block: first block
 * @nblocks: count
 * @buf: result
 *
 * Return: 0 or -errno (the data could neither be read nor rebuilt).
 */
int slg_read_leg(struct stripelog_c *sc, u32 leg, u64 block, u32 nblocks, void *buf)
{
	int r = -EIO;

	if (slg_leg_readable(sc, leg)) {
		r = slg_io_sync(sc->io_client, sc->legs[leg], REQ_OP_READ, block, buf, nblocks);
		if (!r)
			return 0;
		slg_leg_failed(sc, leg, "read");
	}
	return slg_reconstruct(sc, leg, block, nblocks, buf);
}

/**
 * slg_queue_degraded - hand a user read to the degraded worker
 * @sc: target
 * @bio: the read; its slg_bio holds the leg location and the saved iterator
 */
void slg_queue_degraded(struct stripelog_c *sc, struct bio *bio)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&sc->degraded_lock, flags);
	bio_list_add(&sc->degraded_bios, bio);
	spin_unlock_irqrestore(&sc->degraded_lock, flags);
	/* Any worker takes it; an already queued one just finds more to do. */
	i = (u32)atomic_inc_return(&sc->degraded_next) % SLG_DEGRADED_WORKERS;
	queue_work(sc->degraded_wq, &sc->degraded_work[i].work);
}

static void slg_degraded_one(struct stripelog_c *sc, struct bio *bio)
{
	struct slg_bio *pb = dm_per_bio_data(bio, sizeof(struct slg_bio));
	struct bvec_iter iter;
	struct bio_vec bv;
	size_t off = 0;
	void *buf;
	int r;

	bio->bi_iter = pb->iter;
	if (pb->verify_now) {
		r = slg_verify_read(sc, bio);
		bio->bi_status = r ? errno_to_blk_status(r) : BLK_STS_OK;
		bio_endio(bio);
		return;
	}
	buf = kvmalloc(array_size(pb->nblocks, SLG_BLOCK_SIZE), GFP_NOIO);
	r = buf ? slg_read_leg(sc, pb->leg, pb->dev_block, pb->nblocks, buf) : -ENOMEM;
	/* Rebuilt data is only as good as every chunk it came from: verify it too. */
	if (!r && pb->verify)
		r = min(slg_verify_buf(sc, pb, buf), 0);
	if (!r) {
		bio_for_each_segment(bv, bio, iter) {
			if (off + bv.bv_len > (size_t)pb->nblocks * SLG_BLOCK_SIZE)
				break;
			memcpy_to_bvec(&bv, (char *)buf + off);
			off += bv.bv_len;
		}
		atomic64_inc(&sc->degraded_reads);
	} else {
		DMERR_LIMIT("%s: cannot rebuild %u block(s) at leg %u block %llu: %d",
			    dm_table_device_name(sc->ti->table), pb->nblocks, pb->leg,
			    (unsigned long long)pb->dev_block, r);
	}
	kvfree(buf);
	bio->bi_status = r ? errno_to_blk_status(r) : BLK_STS_OK;
	bio_endio(bio);
}

/**
 * slg_degraded_work - rebuild or verify queued reads, one bio at a time
 * @ws: one of stripelog_c.degraded_work[]
 *
 * Up to SLG_DEGRADED_WORKERS of these run at once (unbound workqueue), each
 * taking the next bio off the shared list until it is empty.
 */
void slg_degraded_work(struct work_struct *ws)
{
	struct stripelog_c *sc = container_of(ws, struct slg_degraded_worker, work)->sc;
	struct bio *bio;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&sc->degraded_lock, flags);
		bio = bio_list_pop(&sc->degraded_bios);
		spin_unlock_irqrestore(&sc->degraded_lock, flags);
		if (!bio)
			return;
		slg_degraded_one(sc, bio);
	}
}
