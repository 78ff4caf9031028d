#!/bin/bash
# virtio-blk over the window: OUT/IN/FLUSH/GET_ID/WRITE_ZEROES/DISCARD reach
# the backing file, bad requests get IOERR/UNSUPP, requests in flight together,
# EVENT_IDX interrupt suppression.
# Runs ivshmd (the ASan+UBSan build when present) against a stand-in for
# QEMU and the guest driver, tests/host/ivshmd-fake-qemu.py.
# timeout: 120
set -u
. "$SL_TOP/tests/host/lib/ivshmd.sh"
fake_qemu_scenarios blk blk-inline stress indirect
exit $rc
