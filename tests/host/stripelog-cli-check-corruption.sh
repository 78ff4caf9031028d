#!/bin/bash
# timeout: 180
# stripelog check on images of a crashed-and-recovered volume (written by the
# crash simulator through the real engine): clean as written; then corrupted
# copies must be flagged: superblock, leg superblock, both log header slots,
# and live segment data (bit rot, found through the summary crcs).
set -uo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sl=build/bin/stripelog
sim=build/asan/tests/sim/crashsim
[ -x "$sl" ] && [ -x "$sim" ] || { echo "missing $sl or $sim"; exit 1; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

"$sim" --seed 5 --iterations 30 --save-images "$t" >/dev/null || { echo "crashsim failed"; exit 1; }
p=$t/perf.img; l=$t/leg0.img
$sl check "$p" "$l" >"$t/c" 2>&1; rc=$?
cat "$t/c"
[ $rc = 0 ] && ok "recovered volume is clean" || bad "clean image flagged ($rc)"
$sl dump --json --records 0 "$p" "$l" >"$t/d.json" || bad "dump --json"
python3 - "$t/d.json" <<'PY' || bad "dump shows records and segments"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["segments_with_summary"] > 0 and d["log"]["records"] == len(d["records"])
PY

flip() { # file block byte
	printf '\xa5' | dd of="$1" bs=1 seek=$(( $2 * 4096 + $3 )) conv=notrunc status=none
}
expect_finding() { # name pattern files...
	local name=$1 pat=$2; shift 2
	$sl check "$@" >"$t/out" 2>&1; local rc=$?
	if [ $rc = 1 ] && grep -q "$pat" "$t/out"; then ok "$name flagged"; else
		cat "$t/out"; bad "$name not flagged (exit $rc)"; fi
}
cp "$p" "$t/p1"; flip "$t/p1" 0 100
expect_finding "corrupt superblock" "superblock checksum" "$t/p1" "$l"
cp "$l" "$t/l1"; flip "$t/l1" 0 20
expect_finding "corrupt leg superblock" "leg 0" "$p" "$t/l1"
cp "$p" "$t/p2"; flip "$t/p2" 1 40; flip "$t/p2" 2 40
expect_finding "both log header slots corrupt" "no valid log header" "$t/p2" "$l"
# Bit rot in every data block of every segment: live ones must be reported.
cp "$l" "$t/l2"
for s in $(python3 -c 'import json,sys; [print(x["index"]) for x in json.load(open(sys.argv[1]))["segments"]]' "$t/d.json"); do
	for b in $(seq 1 31); do flip "$t/l2" $(( 256 + s * 32 + b )) 7; done
done
expect_finding "segment data bit rot" "data checksum mismatch" "$p" "$t/l2"
exit $fail
