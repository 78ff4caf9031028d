# shellcheck shell=bash
# Helpers shared by tests/vm/stripelog-*.sh (sourced, not run): module load,
# loop devices over tmpfs files, volume create/remove, clean-up on exit.
# Every test sources this first; everything it creates is undone by sl_cleanup.

SL_TOP=${SL_TOP:-$(pwd)}
SL_WORK=$(mktemp -d /tmp/sl-test.XXXXXX)
SL_LOOPS=()
SL_DMS=()

sl_log() { echo "== $*"; }

# fio options of every verified run: O_DIRECT, crc32c verify that stops at
# the first mismatch, repeatable random offsets, terse output.
SL_FIO_VERIFY=(--direct=1 --ioengine=libaio --verify=crc32c --verify_fatal=1
	--randrepeat=1 --output-format=terse)

# sl_field KEY: the value after KEY in the status line on stdin.
sl_field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# sl_fail MESSAGE: print and exit 1.
sl_fail() { echo "FAIL: $*" >&2; exit 1; }

sl_module() {
	modprobe dm-mod
	modprobe libcrc32c
	modprobe raid6_pq	# parity: raid6_call.gen_syndrome / recovery
	modprobe xor		# parity: xor_blocks
	modprobe loop
	grep -q '^dm_stripelog ' /proc/modules || insmod "$SL_TOP/kernel/dm-stripelog.ko"
}

# sl_loop VAR NAME SIZE_MIB: a loop device over a zeroed tmpfs file
# $SL_WORK/NAME.img; its path is stored in the variable VAR.
sl_loop() {
	local f="$SL_WORK/$2.img" d
	truncate -s "$3M" "$f"
	d=$(losetup -f --show "$f") || sl_fail "losetup $f"
	SL_LOOPS+=("$d")
	printf -v "$1" '%s' "$d"
}

# sl_dm NAME TABLE: create a dm device (remembered for clean-up).
sl_dm() {
	SL_DMS+=("$1")
	dmsetup create "$1" --table "$2"
}

sl_dm_remove() {
	local n=$1 i
	udevadm settle 2>/dev/null || true
	for i in 1 2 3 4 5; do
		dmsetup remove "$n" 2>/dev/null && return 0
		sleep 0.5
	done
	dmsetup remove "$n"
}

sl_cleanup() {
	local i
	set +e
	for ((i = ${#SL_DMS[@]} - 1; i >= 0; i--)); do
		dmsetup info "${SL_DMS[i]}" >/dev/null 2>&1 && sl_dm_remove "${SL_DMS[i]}"
	done
	for i in "${SL_LOOPS[@]}"; do
		losetup -d "$i" 2>/dev/null
	done
	rm -rf "$SL_WORK"
}
trap sl_cleanup EXIT

# sl_sectors DEV: size of a block device in 512-byte sectors.
sl_sectors() { blockdev --getsz "$1"; }

# sl_majmin DEV: "major:minor" as dm prints devices in `dmsetup table`.
sl_majmin() { printf '%d:%d' "0x$(stat -L -c %t "$1")" "0x$(stat -L -c %T "$1")"; }

# sl_expect_fail NAME TABLE: loading TABLE must fail.  Loads into an empty
# device NAME (created on first use: no udev round trips per case) and counts
# the case; sl_expect_reasons checks that each logged its reason.
SL_NFAIL=0
sl_expect_fail() {
	if [ "$SL_NFAIL" = 0 ]; then
		SL_DMESG0=$(dmesg | wc -l)
	fi
	if ! dmsetup info "$1" >/dev/null 2>&1; then
		dmsetup create "$1" --notable
		SL_DMS+=("$1")
	fi
	if dmsetup load "$1" --table "$2" 2>/dev/null; then
		sl_fail "table accepted: $2"
	fi
	SL_NFAIL=$((SL_NFAIL + 1))
}

# sl_expect_reasons: every refused table since the first sl_expect_fail
# logged one "device-mapper: table: ...: stripelog: <reason>" line.
sl_expect_reasons() {
	local got
	dmesg | tail -n +$((SL_DMESG0 + 1)) | grep -E 'device-mapper: table: .*: stripelog: ' |
		sed 's/^.*stripelog: /refused: /' > "$SL_WORK/reasons" || true
	cat "$SL_WORK/reasons"
	got=$(wc -l < "$SL_WORK/reasons")
	[ "$got" = "$SL_NFAIL" ] || sl_fail "$SL_NFAIL tables refused but $got reasons logged"
	SL_NFAIL=0
}
