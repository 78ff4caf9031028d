#!/bin/bash
# Group commit: concurrent writes share log I/Os.  The perf device is a
# null_blk device that completes each request after 2 ms (timer mode: long
# enough that a guest slowed down by a busy host still queues behind it), so
# records stay in flight long enough for others to queue behind them.  A
# QD32 4K random write (with an fsync every 16 writes, i.e. empty PREFLUSH
# bios in the mix) must average at least 2 writes per log record (status
# counters `writes` / `batches`), and so must a QD32 O_DSYNC run (every write
# FUA); every block must verify afterwards.
# A QD1 run is the control: one write per record.  This checks batching, not
# speed; the throughput comparison lives in `make bench`.
# vm-run: --mem 2048
# timeout: 240
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module

modprobe null_blk nr_devices=0
cfg=/sys/kernel/config/nullb
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nb=slgc$$
gc_cleanup() {
	sl_cleanup
	[ -d "$cfg/$nb" ] && { echo 0 > "$cfg/$nb/power"; rmdir "$cfg/$nb"; }
	return 0
}
trap gc_cleanup EXIT
mkdir "$cfg/$nb"
echo 1 > "$cfg/$nb/memory_backed"
echo 64 > "$cfg/$nb/size"
echo 4096 > "$cfg/$nb/blocksize"
echo 2 > "$cfg/$nb/queue_mode"
echo 2 > "$cfg/$nb/irqmode"
echo 2000000 > "$cfg/$nb/completion_nsec"
echo 1 > "$cfg/$nb/power"
udevadm settle
perf=/dev/$nb
[ -b "$perf" ] || perf=/dev/nullb$(cat "$cfg/$nb/index")
[ -b "$perf" ] || sl_fail "null_blk device $nb did not appear"

sl_loop cap cap 128
size=$((32 * 2048))
sl_dm slgc "0 $size stripelog $perf 1 0 $cap"
udevadm settle
dev=/dev/mapper/slgc

# counter NAME: the value after NAME in the status line.
counter() { dmsetup status slgc | sl_field "$1"; }

# run LABEL fio-args...: clear the counters, write + verify, print writes/batches.
run() {
	local label=$1 w b
	shift
	dmsetup message slgc 0 clear_stats
	fio --name="$label" --filename="$dev" "${SL_FIO_VERIFY[@]}" \
		--rw=randwrite --bs=4k --size=8M "$@" >/dev/null ||
		sl_fail "$label: fio or its verify failed"
	w=$(counter writes)
	b=$(counter batches)
	[ -n "$w" ] && [ -n "$b" ] && [ "$b" -gt 0 ] || sl_fail "$label: no counters in status"
	echo "$label: $w writes in $b log records"
	RES_W=$w RES_B=$b
}

sl_log "QD1: one write per record"
run qd1 --iodepth=1 --number_ios=300
[ "$RES_B" -ge $((RES_W * 9 / 10)) ] ||
	sl_fail "QD1 batched $RES_W writes into $RES_B records: the control is wrong"

sl_log "QD32 with fsync every 16 writes: records shared"
run qd32 --iodepth=32 --fsync=16
[ $((RES_W)) -ge $((RES_B * 2)) ] ||
	sl_fail "QD32: $RES_W writes in $RES_B records, group commit is not batching"

sl_log "QD32 O_DSYNC (every write FUA): FUA writes share records too"
run dsync --iodepth=32 --sync=dsync
[ $((RES_W)) -ge $((RES_B * 2)) ] ||
	sl_fail "O_DSYNC QD32: $RES_W writes in $RES_B records, FUA writes are not batched"

sl_dm_remove slgc
stripelog check "$perf" "$cap" || sl_fail "check after group commit"
echo "PASS"
