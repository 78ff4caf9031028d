#!/bin/bash
# Recovery work is bounded by the log sizes, not by the data stored: fill a
# volume with N MiB, take a crash image (suspended: nothing in flight),
# recover it; fill 4N MiB more, crash image, recover again.  The metadata
# blocks the recovery read (status: recovery_meta_blocks) must not grow with
# the data, while the segments in use grow about 5x, and both images must
# read back exactly.  Also: the status fields of checkpoints, and the
# `checkpoint` message moving the generation.
# vm-run: --mem 2048
# timeout: 240
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
N=${SL_CKPT_N_MIB:-16}
sl_loop perf perf 16
sl_loop cap cap 256
size=$((200 * 2048))
sl_dm slb "0 $size stripelog $perf 1 0 $cap"
udevadm settle

st=$(dmsetup status slb)
echo "$st"
g0=$(sl_field ckpt_gen <<<"$st")
[ "$(sl_field recovery <<<"$st")" = ckpt ] || sl_fail "fresh volume: recovery mode"
[ -n "$(sl_field mlog <<<"$st")" ] || sl_fail "no mlog field"
dmsetup message slb 0 checkpoint
g1=$(dmsetup status slb | sl_field ckpt_gen)
[ "$g1" -gt "$g0" ] || sl_fail "checkpoint message did not move the generation ($g0 -> $g1)"

head -c $((5 * N))M /dev/urandom > "$SL_WORK/data"

# crash_image TAG: the volume's devices as they are now, loaded as a new
# volume (recovery runs); prints recovery_meta_blocks and segs used.
crash_image() {
	local p c st
	dmsetup suspend slb
	cp "$SL_WORK/perf.img" "$SL_WORK/p-$1.img"
	cp "$SL_WORK/cap.img" "$SL_WORK/c-$1.img"
	dmsetup resume slb
	p=$(losetup -f --show "$SL_WORK/p-$1.img"); SL_LOOPS+=("$p")
	c=$(losetup -f --show "$SL_WORK/c-$1.img"); SL_LOOPS+=("$c")
	sl_dm "slr$1" "0 $size stripelog $p 1 0 $c"
	udevadm settle
	st=$(dmsetup status "slr$1")
	echo "$1: $st" >&2
	[ "$(sl_field recovery <<<"$st")" = ckpt ] || sl_fail "$1: recovered by a segment scan"
	cmp -n "$2" "$SL_WORK/data" "/dev/mapper/slr$1" || sl_fail "$1: data differs"
	echo "$(sl_field recovery_meta_blocks <<<"$st") $(sl_field segs <<<"$st" | cut -d/ -f1)"
	sl_dm_remove "slr$1"
	losetup -d "$p" "$c"
	rm -f "$SL_WORK/p-$1.img" "$SL_WORK/c-$1.img"
}

dd if="$SL_WORK/data" of=/dev/mapper/slb bs=1M count="$N" oflag=direct conv=fsync status=none
read -r m1 s1 < <(crash_image n $((N << 20)))
dd if="$SL_WORK/data" of=/dev/mapper/slb bs=1M skip="$N" seek="$N" count=$((4 * N)) \
	oflag=direct conv=fsync status=none
read -r m5 s5 < <(crash_image n5 $((5 * N << 20)))
st=$(dmsetup status slb)
echo "$st"
echo "after ${N} MiB: $m1 metadata blocks read, $s1 segments used"
echo "after $((5 * N)) MiB: $m5 metadata blocks read, $s5 segments used"
echo "metadata bytes per user byte: $(sl_field meta_bytes_written <<<"$st") / $(sl_field user_bytes_written <<<"$st")"
# RAM: the map's extents (64-byte nodes, kmalloc-64) for the data written
ext=$(dmsetup message slb 0 stats | sl_field map_extents)
echo "map: $ext extents = $((ext * 64)) bytes for $((5 * N)) MiB written (1 MiB sequential writes)"
[ "$s5" -ge $((3 * s1)) ] || sl_fail "the second fill did not use more segments ($s1 -> $s5)"
# Bounded: the checkpoint body grows with the extents (a few blocks here),
# the replay does not grow at all; a scan would read 5x the summaries.
[ "$m5" -le $((m1 + m1 / 2 + 8)) ] || sl_fail "recovery work grew with the data: $m1 -> $m5"
sl_dm_remove slb
echo "[${SECONDS}s] PASS"
