#!/bin/bash
# timeout: 60
# stripelog status parses the target's status line (pretty + JSON, unknown
# counters passed through, malformed lines refused); stripelog create
# --dry-run builds the table line from the devices (blank and formatted).
set -uo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sl=build/bin/stripelog
[ -x "$sl" ] || { echo "missing $sl"; exit 1; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
line="rw A log 1024/4093 segs 3/252 user_bytes_written 8192 dev_bytes_written 16384 flushes 2 batches 5 writes 7 destages 1 destage_errors 0 last_seq 99 new_counter 5"
$sl status --line "$line" >"$t/o" && grep -q "state *rw" "$t/o" && grep -q "log *1024 / 4093 (25.0%)" "$t/o" &&
	grep -q "new_counter *5" "$t/o" && ok "status pretty" || { cat "$t/o"; bad "status pretty"; }
$sl status --json --line "$line" | python3 -c '
import json,sys
d=json.load(sys.stdin)
assert d["state"]=="rw" and d["legs"]=="A"
assert d["log"]=={"used":1024,"total":4093} and d["segs"]["total"]==252
assert d["user_bytes_written"]==8192 and d["last_seq"]==99' && ok "status --json" || bad "status --json"
$sl status --line "rw A log" >/dev/null 2>&1 && bad "malformed status accepted" || ok "malformed status refused"
$sl status >/dev/null 2>&1; [ $? = 2 ] && ok "status without a name: usage" || bad "status usage"

truncate -s 8M "$t/perf.img"; truncate -s 64M "$t/leg.img"
out=$($sl create --dry-run vol "$t/perf.img" 1 0 "$t/leg.img" 2 log_threshold_pct 60) || bad "create --dry-run blank"
[[ "$out" =~ ^0\ ([0-9]+)\ stripelog\ $t/perf.img\ 1\ 0\ $t/leg.img\ 2\ log_threshold_pct\ 60$ ]] &&
	ok "create --dry-run on blank devices: $out" || bad "create line: $out"
$sl format "$t/perf.img" 1 0 "$t/leg.img" --size 16M >/dev/null || bad "format 16M"
out=$($sl create --dry-run vol "$t/perf.img" 1 0 "$t/leg.img")
[ "$out" = "0 32768 stripelog $t/perf.img 1 0 $t/leg.img" ] && ok "create length from the superblock" || bad "create: $out"
$sl create --dry-run vol "$t/perf.img" 2 1 a b >"$t/o" 2>&1; [ $? = 2 ] && grep -q "Missing capacity" "$t/o" &&
	ok "create refuses 2+1 with two legs" || { cat "$t/o"; bad "create 2+1 with two legs"; }
$sl create --dry-run vol "$t/perf.img" 1 0 "$t/leg.img" 2 bogus 1 >"$t/o" 2>&1; [ $? = 2 ] &&
	grep -q "Unknown option" "$t/o" && ok "create refuses bad options" || bad "create bad opts"
exit $fail
