#!/bin/bash
# timeout: 480
# Crash simulator: 1000 random power cuts against the real engine with a
# small hot set, then 200 with the whole volume in use (free segments run
# short, so every destage also cleans a victim segment).  Every durable
# write must read back (or a newer one); nothing torn, unwritten or stale.
set -euo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
"$sim" --seed "${CRASHSIM_SEED:-20261124}" --iterations "${CRASHSIM_CUTS:-1000}"
out=$("$sim" --seed "${CRASHSIM_SEED:-20261124}" --iterations 200 --range 1364)
echo "$out"
# The full-volume run must really have exercised cleaning.
grep -Eq '\(([1-9][0-9]*) cleanings\)' <<<"$out" || { echo "no cleaning happened"; exit 1; }
