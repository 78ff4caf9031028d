#!/bin/bash
# timeout: 300
# Crash simulator on metadata-log volumes: power cuts land while metadata
# batches, segments, log headers (data-log truncation) and checkpoints are in
# flight; with --corrupt-meta a byte of the newest checkpoint or of a
# metadata-log block is flipped before some recoveries, which must then fall
# back (older checkpoint, else the segment scan) and still lose nothing.
# Also: erasure-coded legs with failures, and the pre-checkpoint (legacy)
# format, which keeps the segment-scan recovery.
set -euo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
seed=${CRASHSIM_SEED:-20261125}
need() {	# need FIELD OUT: the counter FIELD must be > 0 in the summary line
	grep -Eq "[1-9][0-9]* $1" <<<"$2" || { echo "no $1 happened"; exit 1; }
}
out=$("$sim" --seed "$seed" --iterations 400)
echo "$out"
need checkpoints "$out"; need "mlog batches replayed" "$out"; need "checkpoint fallbacks" "$out"
out=$("$sim" --seed "$seed" --iterations 400 --corrupt-meta)
echo "$out"
need corruptions "$out"; need scans "$out"
out=$("$sim" --seed "$seed" --iterations 150 --range 1364 --corrupt-meta)
echo "$out"
need cleanings "$out"
out=$("$sim" --seed "$seed" --iterations 150 --legs 4+2 --fail-legs --corrupt-meta)
echo "$out"
need "leg failures" "$out"
out=$("$sim" --seed "$seed" --iterations 150 --legacy)
echo "$out"
grep -q "legacy format" <<<"$out" && grep -q " 0 checkpoints" <<<"$out" ||
	{ echo "legacy run used checkpoints"; exit 1; }
