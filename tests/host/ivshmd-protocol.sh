#!/bin/bash
# ivshmem server protocol: greeting (version, ids, shm fd, eventfds), header
# contents, handshake rules, second client refused, disconnect with --once and
# --wait, a single vector.
# Runs ivshmd (the ASan+UBSan build when present) against a stand-in for
# QEMU and the guest driver, tests/host/ivshmd-fake-qemu.py.
# timeout: 120
set -u
. "$SL_TOP/tests/host/lib/ivshmd.sh"
echo "==== command line"
"$bin" --help | grep -q -- '--socket PATH' || { echo "FAIL: --help"; rc=1; }
expect_exit() { # status args...
	local want=$1 got
	shift
	"$bin" "$@" >/dev/null 2>&1
	got=$?
	[ "$got" = "$want" ] || { echo "FAIL: ivshmd $* exited $got, expected $want"; rc=1; }
}
t=$(mktemp -d)
truncate -s 1M "$t/disk"
expect_exit 2
expect_exit 2 --socket "$t/s" --blk "$t/disk" --shm-size 3M
expect_exit 2 --socket "$t/s" --blk "$t/disk" --shm-size 2G
expect_exit 2 --socket "$t/s" --blk "$t/disk" --vectors 0
expect_exit 2 --socket "$t/s" --blk "$t/disk" --vectors 65
expect_exit 2 --socket "$t/s" --blk "$t/disk" extra
expect_exit 1 --socket "$t/s" --blk "$t/missing"
expect_exit 1 --socket "$t/s" --blk "$t"
touch "$t/not-a-socket"
expect_exit 1 --socket "$t/not-a-socket" --blk "$t/disk"
rm -rf "$t"
fake_qemu_scenarios greeting second disconnect-once disconnect-wait vectors1
exit $rc
