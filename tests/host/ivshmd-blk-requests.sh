#!/bin/bash
# virtio-blk over the window: OUT/IN/FLUSH/GET_ID/WRITE_ZEROES/DISCARD reach
# the backing file, bad requests get IOERR/UNSUPP, requests in flight together,
# EVENT_IDX interrupt suppression.
# Runs ivshmd (the ASan+UBSan build when present) against a stand-in for
# QEMU and the guest driver, tests/host/ivshmd-fake-qemu.py.
# timeout: 120
set -u
cd "$SL_TOP"
bin=${IVSHMD_BIN:-build/asan/bin/ivshmd}
[ -x "$bin" ] || bin=build/bin/ivshmd
[ -x "$bin" ] || { echo "ivshmd not built (run make)"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
rc=0
for scenario in blk blk-inline stress indirect; do
	echo "==== $scenario"
	python3 tests/host/ivshmd-fake-qemu.py "$bin" "$scenario" || rc=1
done
exit $rc
