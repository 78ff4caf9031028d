#!/bin/bash
# The portable erasure code (kernel/core/sl_ec.c) agrees bit for bit with the
# parity the kernel itself writes.  md (through dm-raid, over loop legs that
# start full of random bytes) computes P with its xor code and Q with
# lib/raid6 (raid6_call.gen_syndrome on its initial resync and full-stripe
# writes, xor_syndrome on the small read-modify-writes); then the array is
# stopped and test-sl-ec-legs reads the raw legs: every row's P and Q must be
# what sl_ec computes, the data chunks must be exactly the bytes written
# through md (so the layout is what we think it is), and sl_ec_recover() must
# rebuild lost chunks from the kernel's parity.  raid5_rs also proves that
# sl_stripe's rotation is md's right-symmetric layout.
# vm-run: --mem 2048
# timeout: 240
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
tool="$SL_TOP/build/asan/tests/unit/test-sl-ec-legs"
[ -x "$tool" ] || sl_fail "$tool missing (make unit-bins)"
modprobe dm-mod
modprobe loop
modprobe dm-raid || { echo "SKIP: no dm-raid module"; exit 77; }
dmesg | grep -E 'raid6: using|raid6: .*recov|xor: using' | sed 's/^/kernel: /' || true

leg_mib=2
chunk_kib=64

# agree NAME DM_RAID_TYPE LAYOUT K M
agree() {
	local name=$1 type=$2 layout=$3 k=$4 m=$5 n=$(($4 + $5)) i dev st health ratio action
	local devs="" legs=() exp="$SL_WORK/$1.expected" blocks=$(($4 * leg_mib * 256)) blk

	for ((i = 0; i < n; i++)); do
		# garbage everywhere, parity included: md's resync must rewrite all parity
		dd if=/dev/urandom of="$SL_WORK/$name$i.img" bs=1M count=$leg_mib status=none
		sl_loop dev "$name$i" $leg_mib
		devs+=" - $dev"
		legs+=("$SL_WORK/$name$i.img")
	done
	sl_dm "$name" "0 $((k * leg_mib * 2048)) raid $type 1 $((chunk_kib * 2)) $n$devs" ||
		sl_fail "$name: dm-raid refused the table"
	for ((i = 0; i < 600; i++)); do
		st=$(dmsetup status "$name")
		read -r _ _ _ _ _ health ratio action _ <<<"$st"
		[ "${ratio%/*}" = "${ratio#*/}" ] && [ "$action" = idle ] && break
		sleep 0.2
	done
	[ "$action" = idle ] || sl_fail "$name: resync did not finish: $st"
	[[ "$health" =~ ^A+$ ]] || sl_fail "$name: legs not healthy: $st"
	udevadm settle 2>/dev/null || true

	# full-stripe writes of random data, then scattered 4 KiB read-modify-writes
	dd if=/dev/urandom of="$exp" bs=1M count=$((k * leg_mib)) status=none
	dd if="$exp" of="/dev/mapper/$name" bs=1M oflag=direct status=none
	for ((i = 0; i < 8; i++)); do
		blk=$(((RANDOM * 32768 + RANDOM) % blocks))
		dd if=/dev/urandom of="$exp" bs=4096 seek=$blk count=1 conv=notrunc status=none
		dd if="$exp" of="/dev/mapper/$name" bs=4096 skip=$blk seek=$blk count=1 \
			oflag=direct status=none
	done
	cmp "$exp" "/dev/mapper/$name" || sl_fail "$name: md does not read back what was written"
	sl_dm_remove "$name"	# stops the array: every stripe is on the legs now

	sl_log "$name: $type, $k+$m, ${chunk_kib} KiB chunks: sl_ec vs the legs md wrote"
	"$tool" "$layout" "$k" "$m" "$chunk_kib" "$exp" "${legs[@]}" ||
		sl_fail "$name: sl_ec disagrees with the kernel's parity"
	for ((i = 0; i < n; i++)); do
		losetup -d "${SL_LOOPS[-1]}"
		unset 'SL_LOOPS[-1]'
		rm -f "${legs[i]}"
	done
	rm -f "$exp"
}

agree ecr6 raid6_n_6 n 4 2
agree ecr5rs raid5_rs rs 4 1
sl_log "sl_ec and sl_stripe agree with the kernel's raid6/xor parity and md's layouts"
