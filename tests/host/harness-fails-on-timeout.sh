#!/bin/bash
# A guest that hangs past --timeout must be killed and fail the run.
# timeout: 240
set -u
cd "$SL_TOP"
s=$(date +%s)
scripts/vm-run --quiet-boot --timeout 20 -- sleep 600
rc=$?
e=$(date +%s)
echo "exit $rc after $((e - s)) s"
[ "$rc" -ne 0 ] || { echo "a hung guest did not fail"; exit 1; }
[ $((e - s)) -lt 60 ] || { echo "the guest was not killed in time"; exit 1; }
