#!/bin/bash
# timeout: 120
# Crash simulator, orphan-record resurrection: a record written after a lost
# one must never link into the chain rebuilt after recovery.
set -euo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
"$sim" --scenario orphan --seed 3 --iterations 200
