#!/bin/bash
# timeout: 240
# The crash simulator must be able to fail: with a test-only switch that
# breaks a rule (acknowledge records out of order; no seq GAP after
# recovery; no metadata-log batch for a destaged segment) it has to report a violation and exit 1.
set -uo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sim=build/asan/tests/sim/crashsim
[ -x "$sim" ] || { echo "missing $sim (run make unit-bins)"; exit 1; }
bad=0
expect_violation() {
	local out rc
	out=$("$sim" "$@" 2>&1); rc=$?
	echo "$out" | tail -n 3
	if [ "$rc" -ne 1 ] || ! grep -q VIOLATION <<<"$out"; then
		echo "NOT CAUGHT: crashsim $* exited $rc without a violation"
		bad=1
	else
		echo "caught as expected: crashsim $*"
	fi
}
expect_violation --seed 1 --iterations 1000 --break ack-early
expect_violation --scenario orphan --seed 3 --iterations 200 --break no-gap
# Erasure coding: parity never written, a leg fails, its reads rebuild garbage.
expect_violation --seed 7 --iterations 300 --legs 4+2 --fail-legs --break no-parity
# Metadata log: a destage that commits its segment without the segment's
# metadata batch loses the segment's blocks at the next checkpoint recovery.
expect_violation --seed 4 --iterations 300 --break no-mlog
# And the same runs without the switch pass (so the catch is the switch's doing).
"$sim" --seed 1 --iterations 200 >/dev/null 2>&1 || { echo "clean run failed"; bad=1; }
exit $bad
