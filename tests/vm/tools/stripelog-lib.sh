# shellcheck shell=bash
# Helpers shared by tests/vm/stripelog-*.sh (sourced, not run): module load,
# loop devices over tmpfs files, volume create/remove, clean-up on exit.
# Every test sources this first; everything it creates is undone by sl_cleanup.

SL_TOP=${SL_TOP:-$(pwd)}
SL_WORK=$(mktemp -d /tmp/sl-test.XXXXXX)
SL_LOOPS=()
SL_DMS=()

sl_log() { echo "== $*"; }

# sl_fail MESSAGE: print and exit 1.
sl_fail() { echo "FAIL: $*" >&2; exit 1; }

sl_module() {
	modprobe dm-mod
	modprobe libcrc32c
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

# sl_expect_fail NAME TABLE: creating NAME from TABLE must fail; prints dm's reason.
sl_expect_fail() {
	local before
	before=$(dmesg | wc -l)
	if dmsetup create "$1" --table "$2" 2>/dev/null; then
		SL_DMS+=("$1")
		sl_fail "table accepted: $2"
	fi
	dmsetup remove "$1" >/dev/null 2>&1 || true
	local why
	why=$(dmesg | tail -n +$((before + 1)) | grep -E 'device-mapper: table: .*stripelog' | tail -n1)
	[ -n "$why" ] || why=$(dmesg | tail -n +$((before + 1)) | grep 'device-mapper' | tail -n1)
	[ -n "$why" ] || sl_fail "no reason logged for: $2"
	echo "refused as expected: ${why#*] }"
}
