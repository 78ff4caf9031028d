#!/bin/bash
# Power cut modelled with dm-log-writes under the perf and the capacity
# device: rounds of random 4K writes + discards, each ended by fsync and a
# mark on both logs (a small log threshold makes segment destages happen).
# The logs are then replayed onto blank devices up to every mark -- every
# write acknowledged before it must read back exactly -- and up to flush/FUA
# points of the perf log between marks where the capacity log is quiet --
# every block must hold its version at the last mark or one written after it,
# never anything else.  Each replayed state is loaded as a stripelog volume
# (recovery runs), checked and removed.  See tests/vm/tools/sl_powercut.py.
# vm-run: --mem 2048
# timeout: 300
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
modprobe dm-log-writes
pc="/usr/bin/python3 -S tests/vm/tools/sl_powercut.py"

rounds=${SL_POWERCUT_ROUNDS:-6}
# SL_POWERCUT_CKPT=1: a checkpoint message halfway through every round, and
# the check requires states recovered from one (stripelog-checkpoint-power-cut.sh).
ckpt=${SL_POWERCUT_CKPT:+slpc}
sl_loop perf perf 8
sl_loop cap cap 32
sl_loop plog plog 64
sl_loop clog clog 64
sl_dm lwp "0 $(sl_sectors "$perf") log-writes $perf $plog"
sl_dm lwc "0 $(sl_sectors "$cap") log-writes $cap $clog"
size=$((8 * 2048))
opts="2 log_threshold_pct 10"
sl_dm slpc "0 $size stripelog /dev/mapper/lwp 1 0 /dev/mapper/lwc $opts"
udevadm settle

state=$SL_WORK/state
mkdir -p "$state"
echo "$size" > "$state/size"
SL_POWERCUT_CKPT=$ckpt $pc workload /dev/mapper/slpc "$state" "$rounds" lwp lwc
st=$(dmsetup status slpc)
echo "$st"
if [ -n "$ckpt" ] && [ "$(sl_field checkpoints <<<"$st")" -lt "$rounds" ]; then
	sl_fail "checkpoints not written"
fi
sl_dm_remove slpc
sl_dm_remove lwp
sl_dm_remove lwc
echo "[${SECONDS}s] workload done"

truncate -s "$(stat -c %s "$SL_WORK/perf.img")" "$SL_WORK/pbase"
truncate -s "$(stat -c %s "$SL_WORK/cap.img")" "$SL_WORK/cbase"
SL_POWERCUT_CKPT=$ckpt $pc check "$state" "$rounds" "$SL_WORK/plog.img" "$SL_WORK/pbase" \
	"$SL_WORK/clog.img" "$SL_WORK/cbase" "$opts"
echo "[${SECONDS}s] PASS"
