#!/bin/bash
# timeout: 480
# Crash simulator on erasure-coded volumes: destages write full stripe rows
# with the reference parity, power cuts tear stripes across legs (some legs'
# chunks of a row stable, others dropped or torn), and between runs up to m
# legs fail (their contents turn to garbage; every read of them -- user
# reads, recovery's summary scan, cleaning -- is rebuilt from the other
# legs) or a failed leg is replaced and rebuilt.  Every durable write must
# read back; nothing torn, unwritten or stale.  Covers P only (4+1), P+Q
# (4+2, 8+2), plain striping (3+0) and (opt-in, see below) the 3-way
# mirror (1+2), and a 4+2
# run over the whole volume so cleaning moves blocks off failed legs.
set -euo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
seed=${CRASHSIM_SEED:-20261124}
cuts=${CRASHSIM_EC_CUTS:-250}
# KNOWN BUG (open): the 3-way mirror 1+2 fails with
#   crashsim --seed 20261124 --iterations 250 --legs 1+2 --fail-legs   (cut 129)
# A leg 0 block rebuilt from leg 1 holds bytes never written.  Probable cause
# (not yet confirmed): a cut tears the stripe of an uncommitted segment so
# that its chunks disagree; recovery reads the summary one way (invalid, so
# it is not scrubbed), a later degraded read another way (valid), and once
# next_seg_seq has passed it the torn segment counts.  Until fixed, opt-in.
kms="4+1 4+2 8+2"
[ -n "${CRASHSIM_EC_KNOWN_BUG:-}" ] && kms+=" 1+2"
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
