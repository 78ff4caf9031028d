#!/bin/bash
# Hostile guest: bad addresses, loops, out-of-range heads/next, indirect,
# direction, avail idx jumps and garbage rings set DEVICE_NEEDS_RESET (no crash,
# no sanitizer report), and a reset recovers the device.
# Runs ivshmd (the ASan+UBSan build when present) against a stand-in for
# QEMU and the guest driver, tests/host/ivshmd-fake-qemu.py.
# timeout: 120
set -u
. "$SL_TOP/tests/host/lib/ivshmd.sh"
fake_qemu_scenarios hostile
exit $rc
