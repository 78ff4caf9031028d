#!/bin/bash
# Replace and rebuild.  A 4+2 volume over dm-linear legs is filled with fio
# data; legs 1 and 3 fail (dm-error).  Each is replaced by a new, zeroed
# device and the volume's table is reloaded: the constructor loads the blank
# legs as missing (degraded).  `dmsetup message <vol> 0 rebuild <leg>` then
# rebuilds them in the background while fio keeps verifying, with progress
# in the status line; a rebuild is also interrupted by a reload and started
# again.  Afterwards the status is rw AAAAAA, reads no longer need
# reconstruction, and offline `stripelog check` is clean with every written
# row's parity verified against the reference code.  Bad rebuild messages
# are refused.
# vm-run: --mem 2048
# timeout: 420
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
slbin="$SL_TOP/build/bin/stripelog"
[ -x "$slbin" ] || sl_fail "$slbin missing (make userspace)"

size=$((32 * 2048))
common=("${SL_FIO_VERIFY[@]}")
LEGS=()
for i in 0 1 2 3 4 5; do
	sl_loop l "raw$i" 24
	sl_dm "leg$i" "0 $(sl_sectors "$l") linear $l 0"
	LEGS+=("/dev/mapper/leg$i")
done
sl_loop perf perf 8
udevadm settle
table="0 $size stripelog $perf 4 2 ${LEGS[*]} 4 log_threshold_pct 10 rebuild_delay_ms 250"
sl_dm vol "$table"
udevadm settle
dev=/dev/mapper/vol
fio_rand() { fio --name=r --filename=$dev "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 --offset=0 --size=6M "$@" >/dev/null; }
fio_seq() { fio --name=s --filename=$dev "${common[@]}" --rw=write --bs=128k --iodepth=4 --offset=8M --size=16M "$@" >/dev/null; }
swap_leg() { # NAME TABLE
	dmsetup suspend "$1"; dmsetup load "$1" --table "$2"; dmsetup resume "$1"
}
reload() { dmsetup suspend vol; dmsetup load vol --table "$table"; dmsetup resume vol; }

sl_log "fill, verified"
fio_rand
fio_seq
sl_log "legs 1 and 3 fail"
for i in 1 3; do swap_leg "leg$i" "0 $(sl_sectors "${LEGS[i]}") error"; done
fio_seq --verify_only || sl_fail "verify with two legs failed"
st=$(dmsetup status vol); echo "$st"
[[ "$st" == *" degraded ADADAA "* ]] || sl_fail "status should be degraded ADADAA"

sl_log "replace legs 1 and 3 with blank devices, reload the volume"
for i in 1 3; do
	sl_loop l "new$i" 24
	swap_leg "leg$i" "0 $(sl_sectors "$l") linear $l 0"
done
reload
grep -q "capacity leg 1 (.*) is unreadable, blank or marked stale in the log header: loaded degraded" <<<"$(dmesg)" ||
	sl_fail "blank leg 1 not reported at load"
st=$(dmsetup status vol); echo "$st"
[[ "$st" == *" degraded ADADAA "* ]] || sl_fail "reloaded: should be degraded ADADAA"
fio_rand --verify_only || sl_fail "verify after reload with blank legs"

sl_log "bad rebuild messages are refused"
for m in "rebuild" "rebuild 0" "rebuild 9" "rebuild x" "rebuild 1 2"; do
	if dmsetup message vol 0 $m 2>/dev/null; then sl_fail "'$m' accepted"; fi
done

sl_log "rebuild leg 1, interrupted by a reload, started again"
dmsetup message vol 0 rebuild 1
st=$(dmsetup status vol); echo "$st"
[[ "$st" == *" degraded AaADAA "* ]] || sl_fail "status should show leg 1 rebuilding (a)"
dmsetup message vol 0 rebuild 3 2>/dev/null && sl_fail "a second rebuild at once was accepted"
reload
st=$(dmsetup status vol); echo "$st"
[[ "$st" == *" degraded ADADAA "* ]] || sl_fail "after reload leg 1 must be missing again"
dmsetup message vol 0 rebuild 1
fio_seq --verify_only --loops=2 &
vpid=$!
prog=""
for ((t = 0; t < 600; t++)); do
	st=$(dmsetup status vol)
	p=$(sl_field rebuild_segs <<<"$st")
	[ "$p" != "$prog" ] && { prog=$p; echo "rebuild leg 1: $(sl_field rebuild <<<"$st") segments $p"; }
	[[ "$st" == *" degraded AAADAA "* ]] && break
	sleep 0.5
done
[[ "$st" == *" degraded AAADAA "* ]] || sl_fail "rebuild of leg 1 did not finish: $st"
wait $vpid || sl_fail "fio verify during the rebuild"

sl_log "rebuild leg 3"
dmsetup message vol 0 rebuild 3
for ((t = 0; t < 600; t++)); do
	st=$(dmsetup status vol)
	[[ "$st" == *" rw AAAAAA "* ]] && break
	sleep 0.5
done
echo "$st"
[[ "$st" == *" rw AAAAAA "* ]] || sl_fail "rebuild of leg 3 did not finish"
dmesg | grep "rebuild of capacity leg" | sed 's/^/kernel: /'

sl_log "the finished rebuild clears the stale bits on disk at once (a header-only step)"
stale=x
for ((t = 0; t < 40; t++)); do
	blockdev --flushbufs "$perf"
	stale=$("$slbin" dump --json "$perf" "${LEGS[@]}" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print([s["stale_legs"] for s in d["log_header_slots"] if s["newest"]][0])')
	[ "$stale" = 0 ] && break
	sleep 0.5
done
[ "$stale" = 0 ] || sl_fail "newest log header still names stale legs ($stale) after the rebuild"

sl_log "all data verifies from the rebuilt legs, no reconstruction needed"
reload
fio_rand --verify_only
fio_seq --verify_only
st=$(dmsetup status vol); echo "$st"
[[ "$st" == *" rw AAAAAA "* ]] || sl_fail "not rw after reload"
[ "$(sl_field degraded_reads <<<"$st")" = 0 ] || sl_fail "reads still rebuilt after the rebuild"
sl_dm_remove vol

sl_log "stripelog check: clean, parity verified"
check=$("$slbin" check "$perf" "${LEGS[@]}") || { echo "$check"; sl_fail "check not clean"; }
echo "$check"
grep -Eq ' [1-9][0-9]* parity rows verified' <<<"$check" || sl_fail "no parity verified"
echo PASS
