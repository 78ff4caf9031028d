#!/bin/bash
# timeout: 240
# Crash simulator: 1000 random power cuts against the real engine; every
# durable write must read back (or a newer one), nothing torn or stale.
set -euo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
"$sim" --seed "${CRASHSIM_SEED:-20261124}" --iterations "${CRASHSIM_CUTS:-1000}"
