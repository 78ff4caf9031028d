#!/bin/bash
# Bad table lines (wrong counts, bad k/m, bad options, missing devices, bad
# sizes), corrupt / foreign / newer / feature-incompatible superblocks and a
# wrong capacity device are all refused with a reason in the kernel log and
# never written to; unknown messages are refused.  The harness fails the test
# if dmesg shows a WARN/BUG/oops.
# vm-run: --mem 2048
# timeout: 200
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
sbedit=tests/vm/tools/sl-sbedit.py

sl_loop perf perf 8
sl_loop cap cap 64
sl_loop perf2 perf2 8
sl_loop cap2 cap2 64
size=$((16 * 2048))
ok="$perf 1 0 $cap"

sl_log "bad table lines"
bad_lines=(
	""
	"$perf"
	"$perf 1"
	"$perf 1 0"
	"$perf 0 0 $cap"
	"$perf x 0 $cap"
	"$perf 2 0 $cap"
	"$perf 1 1 $cap $cap"
	"$perf 4 2 $cap $cap2 $perf2"
	"$perf 15 2 $cap"
	"$perf 1 3 $cap $cap2 $perf2 $cap"
	"$perf 17 0 $cap"
	"$ok extra"
	"$ok 1 log_threshold_pct"
	"$ok 3 log_threshold_pct 50"
	"$ok 2 log_threshold_pct 5"
	"$ok 2 log_threshold_pct 50x"
	"$ok 2 no_such_option 1"
	"$ok 2 discard maybe"
	"$ok 4 discard on discard off"
	"$ok 2 stripe_unit_kb 12"
	"$ok 2 max_record_kb 6"
	"$ok 2 gc_window_us 99999999999"
	"/dev/no-such-device 1 0 $cap"
	"$perf 1 0 /dev/no-such-device"
	"$perf 1 0 $perf"
)
for l in "${bad_lines[@]}"; do
	sl_expect_fail slbad "0 $size stripelog $l"
done
sl_expect_fail slbad "0 12345 stripelog $ok"
sl_expect_fail slbad "0 $((1024 * 2048)) stripelog $ok"
sl_expect_reasons
for d in "$perf" "$cap"; do
	cmp -n 4096 "$d" /dev/zero >/dev/null || sl_fail "$d was written by a refused table"
done

sl_log "format on first load, write a pattern, remove"
sl_dm slok "0 $size $(echo stripelog "$ok")"
udevadm settle
dd if=/dev/urandom of="$SL_WORK/data" bs=1M count=4 status=none
dd if="$SL_WORK/data" of=/dev/mapper/slok bs=1M oflag=direct conv=fsync status=none
dmsetup message slok 0 stats
dmsetup message slok 0 clear_stats
! dmsetup message slok 0 no_such_message 2>/dev/null || sl_fail "unknown message accepted"
! dmsetup message slok 0 stats extra 2>/dev/null || sl_fail "message with extra words accepted"
sl_dm_remove slok
dd if="$perf" of="$SL_WORK/sb" bs=4096 count=1 status=none
dd if="$cap" of="$SL_WORK/legsb" bs=4096 count=1 status=none
cmp -n 4096 "$SL_WORK/sb" /dev/zero >/dev/null && sl_fail "no superblock was formatted"

# restore_sb: put the saved perf superblock back.
restore_sb() { dd if="$SL_WORK/sb" of="$perf" bs=4096 count=1 conv=notrunc,fsync status=none; }
# same_sb: the perf superblock is still byte-identical to FILE.
same_sb() { cmp -n 4096 "$perf" "$1" >/dev/null || sl_fail "superblock was overwritten"; }

sl_log "corrupt superblock (one flipped byte)"
cp "$SL_WORK/sb" "$SL_WORK/sb.bad"
printf '\xa5' | dd of="$SL_WORK/sb.bad" bs=1 seek=200 conv=notrunc status=none
dd if="$SL_WORK/sb.bad" of="$perf" bs=4096 count=1 conv=notrunc,fsync status=none
sl_expect_fail slbad "0 $size stripelog $ok"
same_sb "$SL_WORK/sb.bad"

sl_log "superblock from a newer format version (valid crc)"
cp "$SL_WORK/sb" "$SL_WORK/sb.new"
/usr/bin/python3 $sbedit "$SL_WORK/sb.new" 0 8 4 99
dd if="$SL_WORK/sb.new" of="$perf" bs=4096 count=1 conv=notrunc,fsync status=none
sl_expect_fail slbad "0 $size stripelog $ok"
same_sb "$SL_WORK/sb.new"

sl_log "superblock with an unknown incompatible feature (valid crc)"
cp "$SL_WORK/sb" "$SL_WORK/sb.feat"
/usr/bin/python3 $sbedit "$SL_WORK/sb.feat" 0 20 4 0x80000000
dd if="$SL_WORK/sb.feat" of="$perf" bs=4096 count=1 conv=notrunc,fsync status=none
sl_expect_fail slbad "0 $size stripelog $ok"
same_sb "$SL_WORK/sb.feat"
restore_sb

sl_log "wrong capacity device: a zeroed one, then one of another volume"
sl_expect_fail slbad "0 $size stripelog $perf 1 0 $cap2"
cmp -n 4096 "$cap2" /dev/zero >/dev/null || sl_fail "zeroed capacity device was written"
sl_dm slother "0 $size stripelog $perf2 1 0 $cap2"
sl_dm_remove slother
dd if="$cap2" of="$SL_WORK/legsb2" bs=4096 count=1 status=none
sl_expect_fail slbad "0 $size stripelog $perf 1 0 $cap2"
sl_expect_fail slbad "0 $size stripelog $perf2 1 0 $cap"
cmp -n 4096 "$cap2" "$SL_WORK/legsb2" >/dev/null || sl_fail "foreign capacity sb overwritten"
same_sb "$SL_WORK/sb"

sl_log "corrupt capacity superblock"
cp "$SL_WORK/legsb" "$SL_WORK/legsb.bad"
printf '\x5a' | dd of="$SL_WORK/legsb.bad" bs=1 seek=20 conv=notrunc status=none
dd if="$SL_WORK/legsb.bad" of="$cap" bs=4096 count=1 conv=notrunc,fsync status=none
sl_expect_fail slbad "0 $size stripelog $ok"
dd if="$SL_WORK/legsb" of="$cap" bs=4096 count=1 conv=notrunc,fsync status=none

sl_expect_reasons

sl_log "the untouched volume still loads and holds its data"
sl_dm slok "0 $size stripelog $ok"
udevadm settle
cmp -n $((4 << 20)) /dev/mapper/slok "$SL_WORK/data" >/dev/null || sl_fail "data changed"
sl_dm_remove slok
echo PASS
