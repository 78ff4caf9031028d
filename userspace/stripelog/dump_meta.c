// SPDX-License-Identifier: GPL-2.0
/*
 * stripelog dump: the checkpoint slots and the metadata log of a volume
 * formatted with SL_FEAT_INCOMPAT_MLOG.  The metadata log is followed from
 * the newest valid checkpoint with the chain rule recovery uses (seq link,
 * position, the writer's wrap rule) up to the end the newest log header
 * committed; a linked batch after that end is shown as uncommitted.
 */
#include "slc.h"
#include "sl_log.h"
#include <stdlib.h>
#include <string.h>

static void dump_ckpt_slot(FILE *f, bool json, u32 i, u64 block, int err, const char *why,
			   const struct sl_ckpt_hdr *h, bool newest)
{
	if (json) {
		fprintf(f, "%s{\"slot\": %u, \"block\": %llu, \"valid\": %s", i ? ", " : "", i,
			(unsigned long long)block, err ? "false" : "true");
		if (err) {
			fprintf(f, ", \"why\": ");
			slc_json_str(f, why);
		} else {
			fprintf(f, ", \"newest\": %s, \"generation\": %llu, \"mlog_pos\": %llu, "
				"\"mlog_prev_seq\": %llu, \"next_seg_seq\": %llu, \"extents\": %llu, "
				"\"body_blocks\": %u, \"scan\": %s", newest ? "true" : "false",
				(unsigned long long)h->generation, (unsigned long long)h->mlog_pos,
				(unsigned long long)h->mlog_prev_seq,
				(unsigned long long)h->next_seg_seq, (unsigned long long)h->nr_extents,
				h->body_blocks, h->flags & SL_CKPT_F_SCAN ? "true" : "false");
		}
		fputc('}', f);
		return;
	}
	if (err) {
		fprintf(f, "checkpoint slot %u (block %llu): invalid: %s\n", i,
			(unsigned long long)block, why);
		return;
	}
	fprintf(f, "checkpoint slot %u (block %llu): generation %llu%s, %llu extents in %u body "
		"blocks%s, metadata log from %llu (after seq %llu), next seg seq %llu\n", i,
		(unsigned long long)block, (unsigned long long)h->generation,
		newest ? " (newest)" : "", (unsigned long long)h->nr_extents, h->body_blocks,
		h->flags & SL_CKPT_F_SCAN ? " [map too large: recovery scans]" : "",
		(unsigned long long)h->mlog_pos, (unsigned long long)h->mlog_prev_seq,
		(unsigned long long)h->next_seg_seq);
}

/* The batch linking after @prev at the writer's next position, or false. */
static bool next_batch(struct slc_vol *v, u8 *buf, u64 head, u64 prev, struct sl_mlog_hdr *h,
		       u64 *pos)
{
	const struct sl_geometry *g = &v->sb.geo;
	u32 slots = sl_seg_data_slots(g), i;
	struct sl_mlog_hdr b;
	u64 p;
	int t;

	for (t = 0; t < 2; t++) {
		p = t ? 0 : head;
		if (t && !head)
			break;
		if (slc_dev_ops.read(&v->d, SL_DEV_PERF, g->mlog_start + p, 1, buf) ||
		    sl_mlog_decode(buf, slots, g->nr_segments, h, NULL) ||
		    memcmp(h->uuid, v->sb.uuid, SL_UUID_SIZE) || h->pos != p ||
		    h->prev_seq != prev || h->blk_index ||
		    p != (head + h->blk_count > g->mlog_blocks ? 0 : head) ||
		    p + h->blk_count > g->mlog_blocks)
			continue;
		for (i = 1; i < h->blk_count; i++)
			if (slc_dev_ops.read(&v->d, SL_DEV_PERF, g->mlog_start + p + i, 1, buf) ||
			    sl_mlog_decode(buf, slots, g->nr_segments, &b, NULL) ||
			    b.seq != h->seq + i || b.prev_seq != b.seq - 1 || b.pos != p + i)
				return false;
		*pos = p;
		return true;
	}
	return false;
}

/**
 * slc_dump_meta() - print the checkpoint slots and the metadata-log batches.
 * @v: open volume.  @f: output.  @json: JSON fragment (", \"checkpoints\":..").
 * @limit: batches listed in human mode (all are counted).
 */
void slc_dump_meta(struct slc_vol *v, FILE *f, bool json, u64 limit)
{
	const struct sl_geometry *g = &v->sb.geo;
	const struct sl_loghdr *lh = v->best >= 0 ? &v->lh[v->best] : NULL;
	struct sl_ckpt_hdr h[2], *newest = NULL;
	struct sl_mlog_hdr b;
	const char *why[2];
	u64 head, prev, pos, n = 0, blocks = 0;
	int err[2];
	u8 *buf = malloc(SL_BLOCK_SIZE);
	u32 i;
	bool committed;

	if (!g->mlog_blocks || !buf) {
		if (!json)
			fprintf(f, "no metadata log (volume formatted before checkpoints): recovery "
				"scans every segment summary\n");
		free(buf);
		return;
	}
	for (i = 0; i < 2; i++) {
		err[i] = slc_dev_ops.read(&v->d, SL_DEV_PERF, g->ckpt_start + i * g->ckpt_slot_blocks,
					  1, buf);
		why[i] = "cannot read";
		if (!err[i])
			err[i] = sl_ckpt_hdr_decode(buf, g->ckpt_slot_blocks - 1, &h[i], &why[i]);
		if (!err[i] && memcmp(h[i].uuid, v->sb.uuid, SL_UUID_SIZE)) {
			err[i] = -EINVAL;
			why[i] = "checkpoint of another volume";
		}
		if (!err[i] && (!newest || h[i].generation > newest->generation))
			newest = &h[i];
	}
	fprintf(f, json ? ", \"metadata_log\": {\"start\": %llu, \"blocks\": %llu, "
		"\"ckpt_start\": %llu, \"ckpt_slot_blocks\": %llu}, \"checkpoints\": [" :
		"metadata log: blocks %llu.. (%llu blocks); checkpoint slots at %llu, %llu blocks each\n",
		(unsigned long long)g->mlog_start, (unsigned long long)g->mlog_blocks,
		(unsigned long long)g->ckpt_start, (unsigned long long)g->ckpt_slot_blocks);
	for (i = 0; i < 2; i++)
		dump_ckpt_slot(f, json, i, g->ckpt_start + i * g->ckpt_slot_blocks, err[i], why[i],
			       &h[i], newest == &h[i]);
	fprintf(f, json ? "], \"mlog_batches\": [" : "");
	if (newest && lh) {
		head = newest->mlog_pos;
		prev = newest->mlog_prev_seq;
		committed = prev < lh->mlog_seq;
		if (!json)
			fprintf(f, "metadata log from checkpoint %llu up to committed seq %llu:\n",
				(unsigned long long)newest->generation,
				(unsigned long long)lh->mlog_seq);
		while (head < g->mlog_blocks && n <= g->mlog_blocks &&
		       next_batch(v, buf, head, prev, &b, &pos)) {
			u64 last = b.seq + b.blk_count - 1;
			bool unc = !committed;

			if (json)
				fprintf(f, "%s{\"pos\": %llu, \"seq\": %llu, \"blocks\": %u, "
					"\"segment\": %llu, \"seg_seq\": %llu, \"committed\": %s}",
					n ? ", " : "", (unsigned long long)pos,
					(unsigned long long)b.seq, b.blk_count,
					(unsigned long long)b.seg_index,
					(unsigned long long)b.seg_seq, unc ? "false" : "true");
			else if (n < limit || unc)
				fprintf(f, "  batch at %llu: seq %llu, %u block(s), segment %llu "
					"seg_seq %llu%s\n", (unsigned long long)pos,
					(unsigned long long)b.seq, b.blk_count,
					(unsigned long long)b.seg_index,
					(unsigned long long)b.seg_seq,
					unc ? " [uncommitted: its segment is ignored]" : "");
			n++;
			blocks += b.blk_count;
			if (unc)
				break;
			prev = last;
			head = sl_log_norm_pos(g->mlog_blocks, pos + b.blk_count);
			committed = last < lh->mlog_seq;
		}
		if (!json)
			fprintf(f, "  %llu batches, %llu blocks; %s\n", (unsigned long long)n,
				(unsigned long long)blocks,
				committed ? "DAMAGED: the chain ends before the committed end" :
				"reaches the committed end");
	}
	fprintf(f, json ? "]" : "");
	free(buf);
}
