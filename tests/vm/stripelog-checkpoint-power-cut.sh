#!/bin/bash
# Power cut across map checkpoints: the dm-log-writes workload of
# stripelog-power-cut.sh, with a `checkpoint` message halfway through every
# round (and a low log threshold, so destages append metadata batches all
# along).  Every replayed state -- at each mark and at flush/FUA points
# between marks, which include the checkpoint and metadata-batch writes --
# is loaded and must hold every acknowledged write; the states after the
# first round must have recovered from a checkpoint the workload wrote
# (status "recovery ckpt", ckpt_gen > 1), not by scanning segments.
# vm-run: --mem 2048
# timeout: 300
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
modprobe dm-log-writes
pc="/usr/bin/python3 -S tests/vm/tools/sl_powercut.py"

rounds=${SL_POWERCUT_ROUNDS:-4}
sl_loop perf perf 8
sl_loop cap cap 32
sl_loop plog plog 64
sl_loop clog clog 64
sl_dm lwp "0 $(sl_sectors "$perf") log-writes $perf $plog"
sl_dm lwc "0 $(sl_sectors "$cap") log-writes $cap $clog"
size=$((8 * 2048))
opts="2 log_threshold_pct 10"
sl_dm slck "0 $size stripelog /dev/mapper/lwp 1 0 /dev/mapper/lwc $opts"
udevadm settle

state=$SL_WORK/state
mkdir -p "$state"
echo "$size" > "$state/size"
SL_POWERCUT_CKPT=slck $pc workload /dev/mapper/slck "$state" "$rounds" lwp lwc
st=$(dmsetup status slck)
echo "$st"
[ "$(sl_field checkpoints <<<"$st")" -ge "$rounds" ] || sl_fail "checkpoints not written"
sl_dm_remove slck
sl_dm_remove lwp
sl_dm_remove lwc
echo "[${SECONDS}s] workload done"

truncate -s "$(stat -c %s "$SL_WORK/perf.img")" "$SL_WORK/pbase"
truncate -s "$(stat -c %s "$SL_WORK/cap.img")" "$SL_WORK/cbase"
SL_POWERCUT_CKPT=slck $pc check "$state" "$rounds" "$SL_WORK/plog.img" "$SL_WORK/pbase" \
	"$SL_WORK/clog.img" "$SL_WORK/cbase" "$opts"
echo "[${SECONDS}s] PASS"
