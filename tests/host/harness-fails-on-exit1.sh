#!/bin/bash
# The harness must pass a failing guest command's status through.
# timeout: 240
set -u
cd "$SL_TOP"
scripts/vm-run --quiet-boot -- false
rc=$?
echo "vm-run -- false exited $rc"
[ "$rc" -eq 1 ] || { echo "expected exit 1"; exit 1; }
scripts/vm-run --quiet-boot -- sh -c 'exit 7'
rc=$?
echo "vm-run -- sh -c 'exit 7' exited $rc"
[ "$rc" -eq 7 ]
