#!/bin/bash
# Erasure-coded volumes, 4+1 (P) and 4+2 (P+Q) over loop legs: fio
# --verify=crc32c random 4K and sequential 128K writes across many segment
# destages (every one a set of full-stripe writes whose parity the kernel
# computes with xor_blocks / raid6_call.gen_syndrome), read back after a table
# reload; io_opt is the full stripe; the table line round-trips.  Then,
# offline, `stripelog check` recomputes every written row's parity with the
# core's reference code and must find it equal (kernel and core agree bit for
# bit), and must report a parity chunk we corrupt on purpose.
# vm-run: --mem 2048
# timeout: 420
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module
slbin="$SL_TOP/build/bin/stripelog"
[ -x "$slbin" ] || sl_fail "$slbin missing (make userspace)"
dmesg | grep -E 'raid6: using|xor: using|raid6: .*recov' | sed 's/^/kernel: /' || true

size=$((32 * 2048))	# 32 MiB in sectors
common=("${SL_FIO_VERIFY[@]}")

# run K M: one volume, written, verified, reloaded, checked, corrupted, checked.
run() {
	local k=$1 m=$2 n=$(($1 + $2)) name="slec$1$2" i legs=() majs="" dev st destages
	local table opt check
	sl_loop perf "perf$k$m" 8
	for ((i = 0; i < n; i++)); do
		sl_loop "leg" "leg$k$m-$i" 24
		legs+=("$leg")
	done
	table="0 $size stripelog $perf $k $m ${legs[*]} 2 log_threshold_pct 10"
	sl_dm "$name" "$table"
	udevadm settle
	dev=/dev/mapper/$name
	dmsetup status "$name"
	opt=$(cat "/sys/block/$(basename "$(readlink -f "$dev")")/queue/optimal_io_size")
	[ "$opt" = $((k * 64 * 1024)) ] || sl_fail "$k+$m: io_opt $opt, want the full stripe $((k * 65536))"

	sl_log "$k+$m: fio write + verify: random 4K QD16 over 6 MiB, sequential 128K over 16 MiB"
	fio --name=rand --filename="$dev" "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 \
		--offset=0 --size=6M >/dev/null
	fio --name=seq --filename="$dev" "${common[@]}" --rw=write --bs=128k --iodepth=4 \
		--offset=8M --size=16M >/dev/null
	st=$(dmsetup status "$name")
	echo "$st"
	destages=$(awk '{for (i = 1; i < NF; i++) if ($i == "destages") print $(i + 1)}' <<<"$st")
	[ "${destages:-0}" -ge 10 ] || sl_fail "$k+$m: expected many destages, got '${destages:-?}'"
	[[ "$st" == "0 $size stripelog rw $(printf 'A%.0s' $(seq $n)) "* ]] ||
		sl_fail "$k+$m: not rw with $n healthy legs: '$st'"

	sl_log "$k+$m: table reload, verify again"
	dmsetup suspend "$name"
	dmsetup load "$name" --table "$table"
	dmsetup resume "$name"
	fio --name=rand --filename="$dev" "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 \
		--offset=0 --size=6M --verify_only >/dev/null
	fio --name=seq --filename="$dev" "${common[@]}" --rw=write --bs=128k --iodepth=4 \
		--offset=8M --size=16M --verify_only >/dev/null
	for ((i = 0; i < n; i++)); do majs+=" $(sl_majmin "${legs[i]}")"; done
	[ "$(dmsetup table "$name")" = "0 $size stripelog $(sl_majmin "$perf") $k $m${majs} 2 log_threshold_pct 10" ] ||
		sl_fail "$k+$m: table line does not round-trip: $(dmsetup table "$name")"
	sl_dm_remove "$name"

	sl_log "$k+$m: stripelog check: parity of every written row against the reference"
	check=$("$slbin" check "$perf" "${legs[@]}") || { echo "$check"; sl_fail "$k+$m: check not clean"; }
	echo "$check"
	grep -Eq ' [1-9][0-9]* parity rows verified' <<<"$check" ||
		sl_fail "$k+$m: no parity rows verified"

	# Row 0 of the newest segment (it holds live data, so check verifies it;
	# segment 0 may have been emptied by overwrites and become free, or be
	# the destage target the header names, which check rightly skips).
	# Global row g = seg * rows_per_seg; P is on leg g % n, Q on the next.
	read -r seg off pleg qleg < <("$slbin" dump --json "$perf" "${legs[@]}" | python3 -c '
import json, sys
d = json.load(sys.stdin)
g = d["superblock"]
n = int(sys.argv[1])
s = max(d["segments"], key=lambda x: x["seg_seq"])["index"]
g_row = s * (g["seg_leg_blocks"] // g["stripe_unit_blocks"])
print(s, g["seg_start"] + s * g["seg_leg_blocks"], g_row % n, (g_row + 1) % n)' "$n")
	sl_log "$k+$m: a flipped byte in P (and Q) of segment $seg row 0 is reported"
	printf '\xff' | dd of="${legs[pleg]}" bs=1 seek=$((off * 4096 + 777)) conv=notrunc status=none
	[ "$m" = 2 ] && printf '\xff' | dd of="${legs[qleg]}" bs=1 seek=$((off * 4096 + 9)) conv=notrunc status=none
	sync
	if check=$("$slbin" check "$perf" "${legs[@]}"); then
		echo "$check"; sl_fail "$k+$m: corrupted parity not found"
	fi
	echo "$check"
	grep -q "segment $seg row 0: P parity (leg $pleg) does not match" <<<"$check" ||
		sl_fail "$k+$m: P corruption not named"
	if [ "$m" = 2 ]; then
		grep -q "segment $seg row 0: Q parity (leg $qleg) does not match" <<<"$check" ||
			sl_fail "$k+$m: Q corruption not named"
	fi
}

run 4 1
run 4 2
echo PASS
