// SPDX-License-Identifier: GPL-2.0
/*
 * sl_commit.c - the write path: queueing, group commit into log records,
 * in-order acknowledgement, flush tickets, map updates at acknowledgement.
 */
#include "sl_engine_int.h"

/* ---- records ---- */

struct sl_rec *sl_rec_alloc(u32 nr_entries, u32 nr_data)
{
	struct sl_rec *r;
	size_t sz = sizeof(*r) + nr_data * sizeof(void *) +
		    nr_entries * (sizeof(struct sl_rec_entry) + sizeof(u32)) +
		    nr_data * sizeof(u32);

	r = sl_zalloc(sz);
	if (!r)
		return NULL;
	r->io.mem = (void **)(r + 1);
	r->entries = (struct sl_rec_entry *)(r->io.mem + nr_data);
	r->data_off = (u32 *)(r->entries + nr_entries);
	r->crc = r->data_off + nr_entries;
	sl_list_init(&r->io.writes);
	sl_list_init(&r->fifo);
	sl_list_init(&r->unacked);
	return r;
}

void sl_rec_free(struct sl_engine *e, struct sl_rec *r)
{
	u32 i;

	if (!r)
		return;
	for (i = 0; e->mem_release && i < r->nr_data; i++)
		if (r->io.mem[i])
			e->mem_release(e->mem_ctx, r->io.mem[i]);
	sl_free(r->io.hdr);
	sl_free(r);
}

/**
 * sl_engine_apply_rec() - put a stable record's entries into the map.
 * @mode: SL_MAP_FILL_GAPS (runtime) or with SL_MAP_IF_NEWER (recovery).
 * Runtime discards only shadow mapped blocks: an unmapped block was never
 * written in this volume's life, so no older copy can resurface.
 */
int sl_engine_apply_rec(struct sl_engine *e, struct sl_rec *r, u32 mode)
{
	struct sl_rec_entry *en;
	u32 i;
	int err = 0;

	for (i = 0; i < r->nr_entries && !err; i++) {
		en = &r->entries[i];
		if (en->flags & SL_EF_DATA)
			err = sl_map_update(&e->map, en->lba, en->nblocks, SL_MAP_LOG,
					    r->pos + 1 + r->data_off[i], r->io.seq, mode);
		else
			err = sl_map_update(&e->map, en->lba, en->nblocks, SL_MAP_DLOG, r->pos,
					    r->io.seq, mode & SL_MAP_IF_NEWER ? mode :
					    SL_MAP_ONLY_MAPPED);
	}
	return err;
}

/* ---- submit ---- */

int sl_engine_submit(struct sl_engine *e, struct sl_write *w)
{
	const struct sl_geometry *g = &e->sb.geo;

	w->error = 0;
	if (e->state == SL_STATE_FAIL)
		return -EIO;
	if (w->nblocks && e->state == SL_STATE_RO)
		return -EROFS;
	if (w->flags & SL_W_FLUSH)
		e->st.flushes++;
	if (!w->nblocks) {
		if (w->flags & SL_W_DISCARD)
			return -EINVAL;
		/* Pure flush: waits for every write submitted before it. */
		if (e->acked_ticket == e->next_ticket)
			return SL_SUBMIT_DONE;
		w->seq = e->next_ticket;
		sl_list_add_tail(&w->node, &e->flushes);
		return SL_SUBMIT_QUEUED;
	}
	if (w->lba >= g->logical_blocks || w->nblocks > g->logical_blocks - w->lba)
		return -EINVAL;
	if (!(w->flags & SL_W_DISCARD) && (w->nblocks > e->max_record_blocks - 1 || !w->crc))
		return -EINVAL;
	w->seq = ++e->next_ticket;	/* ticket until the record gives it a seq */
	sl_list_add_tail(&w->node, &e->pending);
	return SL_SUBMIT_QUEUED;
}

bool sl_engine_pending(const struct sl_engine *e)
{
	return !sl_list_empty(&e->pending);
}

/* ---- build a record (group commit) ---- */

/* How many pending writes go into the next record: entries and data blocks. */
static u32 sl_batch_size(struct sl_engine *e, u32 *nr_data)
{
	struct sl_list *pos;
	struct sl_write *w;
	u32 n = 0, data = 0;

	for (pos = e->pending.next; pos != &e->pending; pos = pos->next) {
		w = sl_container_of(pos, struct sl_write, node);
		if (n == SL_REC_MAX_ENTRIES)
			break;
		if (!(w->flags & SL_W_DISCARD)) {
			if (data + w->nblocks > e->max_record_blocks - 1)
				break;
			data += w->nblocks;
		}
		n++;
	}
	*nr_data = data;
	return n;
}

static void sl_rec_fill(struct sl_engine *e, struct sl_rec *r, u32 n)
{
	const struct sl_geometry *g = &e->sb.geo;
	struct sl_write *w;
	u32 i, off = 0;

	for (i = 0; i < n; i++) {
		w = sl_container_of(e->pending.next, struct sl_write, node);
		sl_list_del(&w->node);
		r->last_ticket = w->seq;
		r->entries[i].lba = w->lba;
		r->entries[i].nblocks = w->nblocks;
		r->data_off[i] = off;
		w->seq = r->io.seq;
		if (w->flags & SL_W_DISCARD) {
			r->entries[i].flags = SL_EF_DISCARD;
		} else {
			r->entries[i].flags = SL_EF_DATA | ((w->flags & SL_W_FUA) ? SL_EF_FUA : 0);
			memcpy(r->crc + off, w->crc, w->nblocks * sizeof(u32));
			w->data_block = g->log_start + r->pos + 1 + off;
			off += w->nblocks;
		}
		sl_list_add_tail(&w->node, &r->io.writes);
	}
}

static void sl_rec_encode_hdr(struct sl_engine *e, struct sl_rec *r)
{
	struct sl_rec_hdr *h = e->scratch_hdr;
	u32 i;

	memset(h, 0, sizeof(*h));
	h->seq = r->io.seq;
	h->prev_seq = r->prev_seq;
	h->pos = r->pos;
	h->nr_entries = r->nr_entries;
	h->nr_blocks = r->nr_data;
	memcpy(h->uuid, e->sb.uuid, SL_UUID_SIZE);
	for (i = 0; i < r->nr_entries; i++)
		h->entries[i] = r->entries[i];
	memcpy(h->block_crc, r->crc, r->nr_data * sizeof(u32));
	sl_rec_hdr_encode(h, r->io.hdr);
}

int sl_engine_build_record(struct sl_engine *e, struct sl_record_io **out)
{
	struct sl_rec *r;
	u32 n, nr_data;
	u64 pos, waste;

	if (e->state == SL_STATE_FAIL)
		return -EIO;
	if (sl_list_empty(&e->pending) || e->nr_inflight >= e->max_inflight)
		return -EAGAIN;
	n = sl_batch_size(e, &nr_data);
	if (!sl_log_fits(&e->log, 1 + nr_data)) {
		e->log_full = true;
		return -ENOSPC;
	}
	r = sl_rec_alloc(n, nr_data);
	if (!r)
		return -ENOMEM;
	r->io.hdr = sl_alloc(SL_BLOCK_SIZE);
	if (!r->io.hdr) {
		sl_rec_free(e, r);
		return -ENOMEM;
	}
	sl_log_alloc(&e->log, 1 + nr_data, &pos, &waste);
	e->log_full = false;
	r->pos = pos;
	r->waste = waste;
	r->nr_entries = n;
	r->nr_data = nr_data;
	r->io.seq = e->next_seq++;
	r->prev_seq = e->last_seq;
	e->last_seq = r->io.seq;
	r->io.dev_block = e->sb.geo.log_start + pos;
	r->io.nr_blocks = 1 + nr_data;
	sl_rec_fill(e, r, n);
	sl_rec_encode_hdr(e, r);
	sl_list_add_tail(&r->fifo, &e->fifo);
	sl_list_add_tail(&r->unacked, &e->unacked);
	e->nr_inflight++;
	e->st.batches++;
	e->st.dev_bytes_written += (u64)r->io.nr_blocks * SL_BLOCK_SIZE;
	*out = &r->io;
	return 0;
}

/* ---- completion and in-order acknowledgement ---- */

static void sl_ack_writes(struct sl_engine *e, struct sl_list *from, int err, struct sl_list *acked)
{
	struct sl_write *w;

	while (!sl_list_empty(from)) {
		w = sl_container_of(from->next, struct sl_write, node);
		sl_list_del(&w->node);
		w->error = err;
		if (!err && !(w->flags & SL_W_DISCARD)) {
			e->st.user_bytes_written += (u64)w->nblocks * SL_BLOCK_SIZE;
		}
		if (!err)
			e->st.writes++;
		sl_list_add_tail(&w->node, acked);
	}
}

static void sl_ack_flushes(struct sl_engine *e, struct sl_list *acked, int err)
{
	struct sl_write *w;

	while (!sl_list_empty(&e->flushes)) {
		w = sl_container_of(e->flushes.next, struct sl_write, node);
		if (!err && w->seq > e->acked_ticket)
			break;
		sl_list_del(&w->node);
		w->error = err;
		sl_list_add_tail(&w->node, acked);
	}
}

void sl_engine_fail(struct sl_engine *e)
{
	e->state = SL_STATE_FAIL;
}

static void sl_ack_one(struct sl_engine *e, struct sl_rec *r, struct sl_list *acked)
{
	int err = (e->state == SL_STATE_FAIL || r->failed) ? -EIO : 0;

	sl_list_del(&r->unacked);
	e->nr_inflight--;
	r->acked = true;
	if (!err) {
		if (sl_engine_apply_rec(e, r, SL_MAP_FILL_GAPS))
			sl_engine_fail(e);	/* -ENOMEM: the map no longer tells the truth */
		e->acked_seq = r->io.seq;
		e->st.last_seq = r->io.seq;
	}
	e->acked_ticket = r->last_ticket;
	if (!r->early_acked)
		sl_ack_writes(e, &r->io.writes, err, acked);
	sl_free(r->io.hdr);
	r->io.hdr = NULL;
}

void sl_engine_record_done(struct sl_engine *e, struct sl_record_io *io, int err,
			   struct sl_list *acked)
{
	struct sl_rec *r = sl_container_of(io, struct sl_rec, io);

	r->done = true;
	if (err) {
		r->failed = true;
		sl_engine_fail(e);
	}
#ifdef SL_TESTING
	if ((e->test_flags & SL_TEST_ACK_EARLY) && !err) {
		sl_ack_writes(e, &r->io.writes, 0, acked);
		r->early_acked = true;
	}
#endif
	while (!sl_list_empty(&e->unacked)) {
		r = sl_container_of(e->unacked.next, struct sl_rec, unacked);
		if (!r->done)
			break;
		sl_ack_one(e, r, acked);
	}
	sl_ack_flushes(e, acked, 0);
	if (e->state == SL_STATE_FAIL) {
		/* Nothing queued can ever become stable in order: fail it now. */
		sl_ack_writes(e, &e->pending, -EIO, acked);
		sl_ack_flushes(e, acked, -EIO);
	}
}

void sl_engine_fail_queued(struct sl_engine *e, int err, struct sl_list *acked)
{
	struct sl_write *w;

	while (!sl_list_empty(&e->pending)) {
		w = sl_container_of(e->pending.next, struct sl_write, node);
		sl_list_del(&w->node);
		w->error = err;
		sl_list_add_tail(&w->node, acked);
	}
	/*
	 * The failed writes carry the newest tickets: count them as done with
	 * the last record in flight (or now), so flushes behind them finish.
	 */
	if (!sl_list_empty(&e->unacked))
		sl_container_of(e->unacked.prev, struct sl_rec, unacked)->last_ticket =
			e->next_ticket;
	else
		e->acked_ticket = e->next_ticket;
	sl_ack_flushes(e, acked, 0);
}
