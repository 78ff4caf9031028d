#!/bin/bash
# Power cut across map checkpoints: the dm-log-writes workload and check of
# stripelog-power-cut.sh (5 rounds), with a `checkpoint` message halfway
# through every round (destages append metadata batches all along, the log
# threshold being 10 %).  Every replayed state -- at each mark and at
# flush/FUA points between marks, which include checkpoint and metadata-batch
# writes -- is loaded and must hold every acknowledged write; some states
# must have recovered from a checkpoint the workload wrote (status
# "recovery ckpt", ckpt_gen > 1), and the volume must have written one per
# round.
# vm-run: --mem 2048
# timeout: 300
SL_POWERCUT_CKPT=1 SL_POWERCUT_ROUNDS=${SL_POWERCUT_ROUNDS:-5} exec bash tests/vm/stripelog-power-cut.sh
