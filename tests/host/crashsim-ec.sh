#!/bin/bash
# timeout: 480
# Crash simulator on erasure-coded volumes: destages write full stripe rows
# with the reference parity, power cuts tear stripes across legs (some legs'
# chunks of a row stable, others dropped or torn), and between runs up to m
# legs fail (their contents turn to garbage; every read of them -- user
# reads, recovery's summary scan, cleaning -- is rebuilt from the other
# legs) or a failed leg is replaced and rebuilt.  Every durable write must
# read back; nothing torn, unwritten or stale.  Covers P only (4+1, 2+1),
# P+Q (4+2, 8+2), plain striping (3+0), the 3-way mirror (1+2), and a 4+2
# run over the whole volume so cleaning moves blocks off failed legs.
#
# Regression: with seed 20261124, 1+2 cut 129 once returned bytes never
# written.  A cut tore an uncommitted segment's stripe so that its chunks
# disagreed; recovery rebuilt the summary through one leg (invalid, so not
# invalidated), a later recovery through another (valid), and by then
# next_seg_seq had passed it.  Log headers now name the next destage
# target, and recovery invalidates that segment without reading it.  (The
# workload has changed since, so that seed no longer reaches the case;
# unit/test-sl-replay plants such a summary and fails without the rule.)
set -euo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
seed=${CRASHSIM_SEED:-20261124}
cuts=${CRASHSIM_EC_CUTS:-250}
kms="4+1 2+1 4+2 8+2 1+2"
for km in $kms; do
	out=$("$sim" --seed "$seed" --iterations "$cuts" --legs "$km" --fail-legs)
	echo "$out"
	grep -Eq ': ([1-9][0-9]*) leg failures, ([1-9][0-9]*) leg rebuilds, ([1-9][0-9]*) rebuilt' <<<"$out" ||
		{ echo "$km: no leg failure, rebuild or rebuilt read happened"; exit 1; }
done
"$sim" --seed "$seed" --iterations "$cuts" --legs 3+0
out=$("$sim" --seed "$seed" --iterations 60 --legs 4+2 --fail-legs --range 5544)
echo "$out"
grep -Eq '\(([1-9][0-9]*) cleanings\)' <<<"$out" || { echo "no cleaning happened"; exit 1; }
