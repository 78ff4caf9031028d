#!/bin/bash
# Bit rot.  A 4+1 volume (verify_reads on by default with parity) is filled
# by one sequential fio write, so segment 0 holds only live data.  Bytes of
# data chunks on leg 2 are then flipped underneath the running volume
# (O_DIRECT writes to the raw loop device).  Reading everything back with
# fio --verify must still succeed: each rotten block fails its summary crc,
# is rebuilt from the rest of its row and written back (status crc_errors
# and crc_repairs count them).  Offline, `stripelog check` is then clean:
# the live-block crcs and the parity of every row hold again, so the repair
# really reached the disk.  With verify_reads off the same damage is
# returned to the reader, which is why the default is on (checked too).
# Degraded: on a 4+2 volume with leg 0 failed, a leg-0 block is rebuilt from
# a row whose leg-2 chunk rotted.  The rebuilt block fails its crc too and
# must be rebuilt again around leg 2 (parity covers both losses), never
# returned as it came out of the first rebuild; the rotten leg-2 chunk it
# was rebuilt around is repaired at the same time.
# vm-run: --mem 2048
# timeout: 300
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
slbin="$SL_TOP/build/bin/stripelog"
[ -x "$slbin" ] || sl_fail "$slbin missing (make userspace)"

size=$((32 * 2048))
common=("${SL_FIO_VERIFY[@]}")

# rot LEG [ROW...]: flip one byte of block 5 of each ROW's chunk (default
# rows 0, 1, 3 and 4) of segment 0 on LEG (4+1: leg 2 holds a data chunk in
# every row but row 2, where it holds P).
rot() {
	local row rows=("${@:2}")
	[ ${#rows[@]} -gt 0 ] || rows=(0 1 3 4)
	for row in "${rows[@]}"; do
		printf '\x5a' | dd of="$1" bs=1 seek=$(((256 + row * 16 + 5) * 4096 + 123)) \
			conv=notrunc oflag=direct status=none 2>/dev/null ||
		dd if=<(printf '\x5a') of="$1" bs=1 seek=$(((256 + row * 16 + 5) * 4096 + 123)) \
			conv=notrunc status=none
	done
	sync
	blockdev --flushbufs "$1"
}

mkvol() { # NAME [OPTS...]
	local i legs=()
	sl_loop perf "perf$1" 8
	for i in 0 1 2 3 4; do sl_loop l "$1-$i" 24; legs+=("$l"); done
	LEGS=("${legs[@]}")
	sl_dm "$1" "0 $size stripelog $perf 4 1 ${legs[*]} ${2:-}"
	udevadm settle
}
fio_seq() { fio --name=s --filename="/dev/mapper/$1" "${common[@]}" --rw=write --bs=128k \
	--iodepth=4 --offset=0 --size=24M "${@:2}" >/dev/null; }

sl_log "verify_reads on (default): rotten blocks are repaired"
mkvol rot
fio_seq rot
st=$(dmsetup status rot); echo "$st"
[ "$(sl_field destages <<<"$st")" -ge 1 ] || sl_fail "nothing destaged"
rot "${LEGS[2]}"
fio_seq rot --verify_only || sl_fail "rotten data reached the reader"
st=$(dmsetup status rot); echo "$st"
[ "$(sl_field crc_errors <<<"$st")" -ge 4 ] || sl_fail "expected >= 4 crc errors"
[ "$(sl_field crc_repairs <<<"$st")" = "$(sl_field crc_errors <<<"$st")" ] || sl_fail "not all repaired"
[[ "$st" == "0 $size stripelog rw AAAAA "* ]] || sl_fail "a repair must not fail the leg"
sl_dm_remove rot
check=$("$slbin" check "$perf" "${LEGS[@]}") || { echo "$check"; sl_fail "check after repair"; }
echo "$check"

sl_log "verify_reads off: the same damage is not caught (so the test can fail)"
mkvol norot "2 verify_reads off"
fio_seq norot
rot "${LEGS[2]}"
if fio_seq norot --verify_only 2>/dev/null; then
	sl_fail "rot not visible with verify_reads off: the corruption missed the data"
fi
st=$(dmsetup status norot); echo "$st"
[ "$(sl_field crc_errors <<<"$st")" = 0 ] || sl_fail "crc errors counted with verify off"
sl_dm_remove norot

sl_log "4+2, leg 0 failed: blocks rebuilt through a rotten chunk are rebuilt around it"
sl_loop perf perfdeg 8
DEG=()
for i in 0 1 2 3 4 5; do sl_loop l "deg-$i" 24; DEG+=("$l"); done
sl_dm deg-l0 "0 $(sl_sectors "${DEG[0]}") linear ${DEG[0]} 0"
udevadm settle
degtable="0 $size stripelog $perf 4 2 /dev/mapper/deg-l0 ${DEG[*]:1}"
sl_dm deg "$degtable"
udevadm settle
fio_seq deg
sl_dm_remove deg
# 4+2 rows 3 and 4 of segment 0 hold data chunks on both leg 0 and leg 2.
# The LBAs whose leg-0 copies sit in those rows come from the summary:
# reading them first makes each one rebuild through the rotten leg-2 chunk
# (a direct read of that leg-2 chunk first would repair it and leave nothing
# to rebuild around, so the order is fixed rather than left to fio).
mapfile -t l0lbas < <("$slbin" dump --json --segment 0 "$perf" "${DEG[@]}" | python3 -c '
import json, sys
d = json.load(sys.stdin)
seg = [s for s in d["segments"] if s["index"] == 0][0]
want = {256 + row * 16 + 5 for row in (3, 4)}
for e in seg["entry_list"]:
	if e.get("leg") == 0 and e["leg_block"] in want:
		print(e["lba"])')
[ ${#l0lbas[@]} = 2 ] || sl_fail "expected 2 live leg-0 blocks in rows 3-4, got '${l0lbas[*]}'"
rot "${DEG[2]}" 3 4
sl_dm deg "$degtable"
udevadm settle
dmsetup suspend deg-l0
dmsetup load deg-l0 --table "0 $(sl_sectors "${DEG[0]}") error"
dmsetup resume deg-l0
for lba in "${l0lbas[@]}"; do
	dd if=/dev/mapper/deg of=/dev/null bs=4096 skip="$lba" count=1 iflag=direct status=none ||
		sl_fail "leg-0 block at lba $lba not rebuilt around the rotten chunk"
done
st=$(dmsetup status deg); echo "$st"
# per row: the rebuilt leg-0 block fails its crc, and the leg-2 chunk left
# out to rebuild it is repaired
[ "$(sl_field crc_errors <<<"$st")" = 4 ] || sl_fail "expected 4 crc errors from 2 leg-0 reads"
[ "$(sl_field crc_repairs <<<"$st")" = 4 ] || sl_fail "expected the leg-2 chunks repaired too"
fio_seq deg --verify_only || sl_fail "a rebuild through a rotten chunk reached the reader"
st=$(dmsetup status deg); echo "$st"
[[ "$st" == "0 $size stripelog degraded DAAAAA "* ]] || sl_fail "expected leg 0 failed, degraded"
# nothing left to find: leg 2 was repaired by the rebuilds above
[ "$(sl_field crc_errors <<<"$st")" = 4 ] || sl_fail "rot left behind on leg 2"
[ "$(sl_field crc_repairs <<<"$st")" = 4 ] || sl_fail "not all repaired"
sl_dm_remove deg
echo PASS
