#!/bin/bash
# ivshmd's --fs command line: exactly one of --blk/--fs, --tag required with
# --fs (1..36 bytes), --tag/--cache-ms only with --fs, a missing directory
# is a runtime error (1), not a crash; --help documents the fs options; and
# a valid --fs instance listens and shuts down cleanly on SIGTERM.
# timeout: 60
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/bin/ivshmd
[ -x "$bin" ] || { echo "build/bin/ivshmd not built"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
expect() {	# expect STATUS MESSAGE-REGEX ARGS...
	local want=$1 re=$2 rc=0
	shift 2
	"$bin" "$@" > "$t/out" 2>&1 || rc=$?
	if [ "$rc" != "$want" ] || ! grep -Eq -- "$re" "$t/out"; then
		echo "FAIL: ivshmd $* -> status $rc (want $want), output:"; sed 's/^/  /' "$t/out"
		fails=$((fails + 1))
	else
		echo "ok: ivshmd $* -> $rc"
	fi
}
mkdir "$t/dir"
touch "$t/disk"
expect 2 'exclusive' --socket "$t/s" --blk "$t/disk" --fs "$t/dir" --tag x
expect 2 'needs --tag' --socket "$t/s" --fs "$t/dir"
expect 2 'needs --tag' --socket "$t/s" --fs "$t/dir" --tag ""
expect 2 'needs --tag' --socket "$t/s" --fs "$t/dir" --tag "$(printf 'x%.0s' $(seq 37))"
expect 2 'go with --fs' --socket "$t/s" --blk "$t/disk" --tag x
expect 2 'cache-ms' --socket "$t/s" --fs "$t/dir" --tag x --cache-ms -1
expect 2 'one of --blk/--fs' --socket "$t/s"
expect 1 'cannot export' --socket "$t/s" --fs "$t/missing" --tag x
expect 1 'cannot export' --socket "$t/s" --fs "$t/disk" --tag x
expect 0 '--fs DIR.*--tag NAME' --help
"$bin" --help | grep -q -- '--cache-ms' || { echo "FAIL: --help lacks --cache-ms"; fails=$((fails + 1)); }
# A valid instance starts, listens and exits 0 on SIGTERM.
"$bin" --socket "$t/sock" --fs "$t/dir" --tag share --readonly 2> "$t/log" &
pid=$!
for _ in $(seq 50); do [ -S "$t/sock" ] && break; sleep 0.1; done
[ -S "$t/sock" ] || { echo "FAIL: no socket"; cat "$t/log"; exit 1; }
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
grep -q 'tag share' "$t/log" || { echo "FAIL: no startup line"; cat "$t/log"; fails=$((fails + 1)); }
[ "$rc" = 0 ] || { echo "FAIL: exit $rc after SIGTERM"; cat "$t/log"; fails=$((fails + 1)); }
echo "SIGTERM: exit $rc"
[ "$fails" = 0 ] || exit 1
echo PASS
