#!/bin/bash
# Degraded operation.  Capacity legs are dm-linear devices over loop files,
# so a leg "fails" by swapping its table to dm-error (every I/O errors).
#  4+1: leg 2 fails while fio writes and verifies; every block still
#       verifies (rebuilt from P with xor_blocks), the status shows
#       "degraded" and D for leg 2, new segments keep being written.
#  4+2: legs 1 and 4 fail while fio runs; everything still verifies (two
#       lost chunks per row: raid6_2data_recov / raid6_datap_recov); then a
#       third leg fails: the status says "fail", writes are refused with an
#       error, a read of data that cannot be rebuilt fails (EIO) instead of
#       returning wrong bytes, and the volume is removed cleanly.  The
#       harness fails the test on any WARN/BUG/oops in dmesg.
# vm-run: --mem 2048
# timeout: 420
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module

size=$((32 * 2048))	# 32 MiB in sectors
common=("${SL_FIO_VERIFY[@]}")

# legs K M: loop files wrapped in dm-linear "legKM-i"; sets LEGS (paths), RAW
legs() {
	local n=$(($1 + $2)) i l
	LEGS=()
	RAW=()
	for ((i = 0; i < n; i++)); do
		sl_loop l "raw$1$2-$i" 24
		sl_dm "leg$1$2-$i" "0 $(sl_sectors "$l") linear $l 0"
		LEGS+=("/dev/mapper/leg$1$2-$i")
		RAW+=("$l")
	done
	udevadm settle
}

# fail_leg NAME: swap a leg to dm-error under the running volume
fail_leg() {
	local sz
	sz=$(dmsetup table "$1" | awk '{print $2}')
	dmsetup suspend "$1"
	dmsetup load "$1" --table "0 $sz error"
	dmsetup resume "$1"
	sl_log "leg $1 now returns errors"
}

# wait_fio PID WHAT
wait_fio() { wait "$1" || sl_fail "$2: fio failed (data did not verify)"; }

# fill DEV: random 4K at 0-6M and sequential 128K at 8-24M, verified
fill() {
	fio --name=r --filename="$1" "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 --offset=0 --size=6M >/dev/null
	fio --name=s --filename="$1" "${common[@]}" --rw=write --bs=128k --iodepth=4 --offset=8M --size=16M >/dev/null
}

# fail_under_fio DEV WHAT LEG...: fail the legs (a second apart) while fio
# re-verifies the sequential region and writes 24-30M; then every fio must
# have verified and the random region must still read back.
fail_under_fio() {
	local dev=$1 what=$2 vpid wpid leg first=1
	shift 2
	fio --name=v --filename="$dev" "${common[@]}" --rw=read --bs=128k --iodepth=4 --offset=8M \
		--size=16M --verify_only --loops=3 >/dev/null &
	vpid=$!
	fio --name=w --filename="$dev" "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 \
		--offset=24M --size=6M >/dev/null &
	wpid=$!
	sleep 2
	for leg in "$@"; do
		[ -n "$first" ] || sleep 1
		first=
		fail_leg "$leg"
	done
	wait_fio $vpid "$what verify during the failure"
	wait_fio $wpid "$what writes during the failure"
	fio --name=r --filename="$dev" "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 --offset=0 \
		--size=6M --verify_only >/dev/null || sl_fail "$what: random data after the failure"
}

# ---------------------------------------------------------------- 4+1
legs 4 1
sl_loop perf perf41 8
# verify_reads off: only parity and the stale-leg rule can keep the data right
t41="0 $size stripelog $perf 4 1 ${LEGS[*]} 4 log_threshold_pct 10 verify_reads off"
sl_dm ec41 "$t41"
udevadm settle
dev=/dev/mapper/ec41
sl_log "4+1: fill (random 4K + sequential 128K), verified"
fill $dev

sl_log "4+1: leg 2 fails while fio re-verifies and writes a new region"
fail_under_fio $dev 4+1 leg41-2
st=$(dmsetup status ec41); echo "$st"
[[ "$st" == "0 $size stripelog degraded AADAA "* ]] || sl_fail "4+1: status should be degraded AADAA"
[ "$(sl_field degraded_reads <<<"$st")" -gt 0 ] || sl_fail "4+1: no degraded reads counted"
d0=$(sl_field destages <<<"$st")
sl_log "4+1: new segments are written with one leg missing, and read back"
fio --name=n --filename=$dev "${common[@]}" --rw=write --bs=128k --iodepth=4 --offset=8M --size=16M >/dev/null
st=$(dmsetup status ec41); echo "$st"
[ "$(sl_field destages <<<"$st")" -gt "$d0" ] || sl_fail "4+1: no destage while degraded"
dmsetup suspend ec41; dmsetup resume ec41
fio --name=n --filename=$dev "${common[@]}" --rw=write --bs=128k --iodepth=4 --offset=8M \
	--size=16M --verify_only >/dev/null || sl_fail "4+1: data written while degraded"

sl_log "4+1: leg 2 comes back with its old contents (a transient failure); after a reload it must not be trusted"
dmsetup suspend leg41-2
dmsetup load leg41-2 --table "0 $(sl_sectors "${RAW[2]}") linear ${RAW[2]} 0"
dmsetup resume leg41-2
dmsetup suspend ec41; dmsetup load ec41 --table "$t41"; dmsetup resume ec41
grep -q "capacity leg 2 (.*) is unreadable, blank or marked stale" <<<"$(dmesg)" ||
	sl_fail "4+1: the stale leg was not recognised"
st=$(dmsetup status ec41); echo "$st"
[[ "$st" == "0 $size stripelog degraded AADAA "* ]] || sl_fail "4+1: stale leg 2 must stay D"
fio --name=n --filename=$dev "${common[@]}" --rw=write --bs=128k --iodepth=4 --offset=8M \
	--size=16M --verify_only >/dev/null || sl_fail "4+1: stale leg data was read"
fio --name=w --filename=$dev "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 \
	--offset=24M --size=6M --verify_only >/dev/null || sl_fail "4+1: stale leg data was read (random)"
sl_dm_remove ec41

# ---------------------------------------------------------------- 4+2
legs 4 2
sl_loop perf perf42 8
sl_dm ec42 "0 $size stripelog $perf 4 2 ${LEGS[*]} 2 log_threshold_pct 10"
udevadm settle
dev=/dev/mapper/ec42
sl_log "4+2: fill, verified"
fill $dev

sl_log "4+2: legs 1 and 4 fail while fio verifies and writes"
fail_under_fio $dev 4+2 leg42-1 leg42-4
fio --name=n --filename=$dev "${common[@]}" --rw=write --bs=128k --iodepth=4 --offset=8M --size=16M >/dev/null ||
	sl_fail "4+2: writes with two legs lost"
st=$(dmsetup status ec42); echo "$st"
[[ "$st" == "0 $size stripelog degraded ADAADA "* ]] || sl_fail "4+2: status should be degraded ADAADA"
[ "$(sl_field degraded_reads <<<"$st")" -gt 0 ] || sl_fail "4+2: no degraded reads counted"

sl_log "4+2: a third leg fails: refused cleanly"
fail_leg leg42-0
# Reading segment data now touches leg 0 and cannot be rebuilt: errors, not bytes.
if dd if=$dev of=/dev/null bs=1M count=32 iflag=direct status=none 2>/dev/null; then
	sl_fail "4+2: reading with three legs lost succeeded"
fi
if dd if=/dev/zero of=$dev bs=4k count=1 seek=100 oflag=direct status=none 2>/dev/null; then
	sl_fail "4+2: a write was accepted with three legs lost"
fi
st=$(dmsetup status ec42); echo "$st"
[[ "$st" == "0 $size stripelog fail DDAADA "* ]] || sl_fail "4+2: status should be fail DDAADA"
grep -q "more than the 2 the volume tolerates" <<<"$(dmesg)" || sl_fail "4+2: no clear message in the log"
sl_dm_remove ec42
echo PASS
