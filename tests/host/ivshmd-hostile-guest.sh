#!/bin/bash
# Hostile guest: bad addresses, loops, out-of-range heads/next, indirect,
# direction, avail idx jumps and garbage rings set DEVICE_NEEDS_RESET (no crash,
# no sanitizer report), and a reset recovers the device.
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
for scenario in hostile; do
	echo "==== $scenario"
	python3 tests/host/ivshmd-fake-qemu.py "$bin" "$scenario" || rc=1
done
exit $rc
