#!/bin/bash
# A guest whose kernel log shows a WARNING (or a BUG/oops) must fail the
# run even though the command itself exited 0, and name the line.
# timeout: 240
set -u
cd "$SL_TOP"
out=$(scripts/vm-run --quiet-boot -- sh -c 'echo "WARNING: harness self-test" > /dev/kmsg' 2>&1)
rc=$?
printf '%s\n' "$out"
echo "exit $rc"
[ "$rc" -ne 0 ] || { echo "a WARNING in dmesg did not fail the run"; exit 1; }
grep -q 'dmesg: .*WARNING: harness self-test' <<<"$out" || { echo "offending line not printed"; exit 1; }
out=$(scripts/vm-run --quiet-boot -- sh -c 'echo "BUG: kernel NULL pointer dereference, harness self-test" > /dev/kmsg' 2>&1)
rc=$?
echo "BUG case: exit $rc"
[ "$rc" -ne 0 ]
