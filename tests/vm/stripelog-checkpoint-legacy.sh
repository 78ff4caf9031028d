#!/bin/bash
# A volume in the format from before checkpoints (no metadata log; made here
# with `stripelog format --no-metadata-log`) keeps loading, recovers by the
# segment scan (status: recovery scan), refuses the `checkpoint` message with
# a clear error, keeps its data across a reload and checks clean.
# vm-run: --mem 2048
# timeout: 120
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
sl_loop perf perf 8
sl_loop cap cap 64
stripelog format --no-metadata-log "$perf" 1 0 "$cap" >/dev/null
stripelog dump "$perf" "$cap" | grep -q "no metadata log" || sl_fail "dump: legacy format"
size=$((48 * 2048))
sl_dm sll "0 $size stripelog $perf 1 0 $cap 2 log_threshold_pct 10"
udevadm settle
head -c 8M /dev/urandom > "$SL_WORK/data"
dd if="$SL_WORK/data" of=/dev/mapper/sll bs=1M oflag=direct conv=fsync status=none
dmsetup message sll 0 checkpoint 2>"$SL_WORK/err" && sl_fail "legacy volume took a checkpoint"
dmesg | grep -q "no metadata log" || sl_fail "no reason logged for the refused checkpoint"
sl_dm_remove sll
sl_dm sll "0 $size stripelog $perf 1 0 $cap 2 log_threshold_pct 10"
udevadm settle
st=$(dmsetup status sll)
echo "$st"
[ "$(sl_field recovery <<<"$st")" = scan ] || sl_fail "legacy volume not recovered by scan"
[ "$(sl_field ckpt_gen <<<"$st")" = - ] || sl_fail "legacy volume shows a checkpoint"
cmp -n 8M "$SL_WORK/data" /dev/mapper/sll || sl_fail "data differs after reload"
sl_dm_remove sll
stripelog check "$perf" "$cap" || sl_fail "check not clean"
echo "[${SECONDS}s] PASS"
