#!/bin/bash
# SIGTERM: in-flight writes complete and reach the backing file, the window
# says NEEDS_RESET + host gone, the config vector fires, exit 0.
# Runs ivshmd (the ASan+UBSan build when present) against a stand-in for
# QEMU and the guest driver, tests/host/ivshmd-fake-qemu.py.
# timeout: 120
set -u
. "$SL_TOP/tests/host/lib/ivshmd.sh"
fake_qemu_scenarios sigterm
exit $rc
