#!/bin/bash
# timeout: 120
# stripelog CLI on image files: format, dump (text + JSON), check (clean),
# refusals (non-blank devices, k/m not supported, bad options), --help.
set -uo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sl=build/bin/stripelog
[ -x "$sl" ] || { echo "missing $sl (run make)"; exit 1; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

for c in "" format dump check create status; do
	$sl $c --help >"$t/help" 2>&1 && grep -q usage "$t/help" && ok "--help $c" || bad "--help $c"
done
$sl bogus >/dev/null 2>&1; [ $? = 2 ] && ok "unknown command exits 2" || bad "unknown command"

truncate -s 8M "$t/perf.img"; truncate -s 64M "$t/leg.img"
$sl format "$t/perf.img" 1 0 "$t/leg.img" >"$t/out" 2>&1 && ok "format" || { cat "$t/out"; bad "format"; }
grep -q "formatted volume" "$t/out" || bad "format message"
$sl format "$t/perf.img" 1 0 "$t/leg.img" >"$t/out" 2>&1 && bad "format over a volume accepted" ||
	{ grep -q "not blank" "$t/out" && ok "format refuses a non-blank device"; }
$sl format --force "$t/perf.img" 1 0 "$t/leg.img" >/dev/null 2>&1 && ok "format --force" || bad "format --force"
$sl format "$t/perf.img" 4 1 "$t/leg.img" a b c >"$t/out" 2>&1; rc=$?
[ $rc != 0 ] && grep -qi "capacity devices" "$t/out" && ok "k=4 m=1 with 4 legs refused" ||
	{ cat "$t/out"; bad "k=4 m=1 with 4 legs ($rc)"; }
truncate -s 8M "$t/ecperf.img"; for i in 0 1 2 3 4 5; do truncate -s 16M "$t/ec$i.img"; done
$sl format "$t/ecperf.img" 4 2 "$t"/ec{0,1,2,3,4,5}.img >"$t/out" 2>&1 &&
	$sl check "$t/ecperf.img" "$t"/ec{0,1,2,3,4,5}.img >"$t/check" 2>&1 &&
	grep -q "check: clean" "$t/check" && ok "format + check 4+2" || { cat "$t/out" "$t/check"; bad "4+2"; }
$sl check "$t/ecperf.img" "$t"/ec{0,1,2,3,4}.img >"$t/check" 2>&1; [ $? = 2 ] &&
	ok "check with a leg missing: usage error" || bad "check with a leg missing"
$sl format --size 1x "$t/perf.img" 1 0 "$t/leg.img" >/dev/null 2>&1; [ $? = 2 ] && ok "bad --size" || bad "bad --size"

$sl dump "$t/perf.img" "$t/leg.img" >"$t/dump" 2>&1 && ok "dump" || bad "dump"
grep -q "superblock: format v1" "$t/dump" && grep -q "log header slot 1 (block 2): generation 1" "$t/dump" &&
	grep -q "0 records" "$t/dump" && ok "dump content" || { cat "$t/dump"; bad "dump content"; }
$sl dump --json "$t/perf.img" "$t/leg.img" >"$t/dump.json" && python3 - "$t/dump.json" <<'PY' && ok "dump --json" || bad "dump --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["superblock"]["k"] == 1 and d["superblock"]["m"] == 0
ml = d["metadata_log"]
assert d["superblock"]["log_blocks"] + ml["blocks"] + 2 * ml["ckpt_slot_blocks"] == 8 * 256 - 3, d
assert d["superblock"]["feat_incompat"] == 1 and d["checkpoints"][0]["generation"] == 1, d
assert d["mlog_batches"] == [], d
assert len(d["log_header_slots"]) == 2 and d["log"]["records"] == 0
assert d["segments_with_summary"] == 0
PY
$sl check "$t/perf.img" "$t/leg.img" >"$t/check" 2>&1 && grep -q "check: clean" "$t/check" &&
	ok "check: fresh volume clean" || { cat "$t/check"; bad "check fresh"; }
$sl check --json "$t/perf.img" "$t/leg.img" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["clean"] and d["findings"]==[]' &&
	ok "check --json" || bad "check --json"
$sl check "$t/perf.img" >/dev/null 2>&1; [ $? = 2 ] && ok "check without legs: usage" || bad "check w/o legs"
truncate -s 8M "$t/blank.img"
$sl check "$t/blank.img" "$t/leg.img" >"$t/out" 2>&1; [ $? = 1 ] && grep -q blank "$t/out" &&
	ok "check on a blank device: finding" || bad "check blank"
exit $fail
