#!/bin/bash
# ivshmd's --fs command line: exactly one of --blk/--fs, --tag required with
# --fs (1..36 bytes), --tag/--cache/--cache-ms/--writeback only with --fs
# (--writeback not with --readonly), --dax only with --fs, a non-zero
# multiple of 2M leaving 16M of --shm-size, --cache takes
# none|auto|always and --cache-ms 0..86400000, a missing directory is a
# runtime error (1), not a crash; --help documents the fs options; a valid
# --fs instance listens, logs the cache policy in effect (auto by default,
# --cache-ms overriding --cache's time in either order) and shuts down
# cleanly on SIGTERM.
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
expect 2 'cache-ms' --socket "$t/s" --fs "$t/dir" --tag x --cache-ms 86400001
expect 2 'none, auto or always' --socket "$t/s" --fs "$t/dir" --tag x --cache sometimes
expect 2 'go with --fs' --socket "$t/s" --blk "$t/disk" --cache none
expect 2 'go with --fs' --socket "$t/s" --blk "$t/disk" --cache-ms 0
expect 2 'go with --fs' --socket "$t/s" --blk "$t/disk" --writeback
expect 2 'writeback makes no sense' --socket "$t/s" --fs "$t/dir" --tag x --writeback --readonly
expect 2 'one of --blk/--fs' --socket "$t/s"
expect 2 'multiple of 2M' --socket "$t/s" --fs "$t/dir" --tag x --dax 3M
expect 2 'multiple of 2M' --socket "$t/s" --fs "$t/dir" --tag x --dax 0
expect 2 'multiple of 2M' --socket "$t/s" --fs "$t/dir" --tag x --dax lots
expect 2 'leave at least 16M' --socket "$t/s" --fs "$t/dir" --tag x --dax 64M
expect 2 'leave at least 16M' --socket "$t/s" --fs "$t/dir" --tag x --dax 50M
expect 2 'leave at least 16M' --socket "$t/s" --fs "$t/dir" --tag x --shm-size 128M --dax 128M
expect 2 'goes with --fs' --socket "$t/s" --blk "$t/disk" --dax 2M
expect 1 'cannot export' --socket "$t/s" --fs "$t/missing" --tag x
expect 1 'cannot export' --socket "$t/s" --fs "$t/disk" --tag x
expect 0 '--fs DIR.*--tag NAME' --help
for o in --cache-ms '--cache MODE' 'always:' --writeback '--dax SIZE'; do
	"$bin" --help | grep -q -- "$o" || { echo "FAIL: --help lacks $o"; fails=$((fails + 1)); }
done
# The cache policy in effect is logged at startup.
cache_line() {	# cache_line EXPECTED-REGEX ARGS...
	local re=$1
	shift
	rm -f "$t/csock"
	"$bin" --socket "$t/csock" --fs "$t/dir" --tag c "$@" 2> "$t/clog" &
	local p=$!
	for _ in $(seq 50); do [ -S "$t/csock" ] && break; sleep 0.1; done
	kill -TERM "$p"; wait "$p" || true
	if grep -Eq -- "$re" "$t/clog"; then
		echo "ok: ivshmd $* logs /$re/"
	else
		echo "FAIL: ivshmd $*: no /$re/ in:"; sed 's/^/  /' "$t/clog"; fails=$((fails + 1))
	fi
}
cache_line 'guest cache: names/attributes 1000 ms, page cache dropped at open'
cache_line 'guest cache: names/attributes 0 ms, page cache dropped' --cache none
cache_line 'guest cache: names/attributes 86400000 ms, page cache kept' --cache always
cache_line 'guest cache: names/attributes 250 ms, page cache kept' --cache always --cache-ms 250
cache_line 'guest cache: names/attributes 250 ms, page cache dropped' --cache-ms 250 --cache none
cache_line 'page cache dropped at open, writes through' --cache auto
cache_line 'page cache kept across opens, writes cached until flush' --cache always --writeback
cache_line 'writes through; DAX window for regular files' --shm-size 128M --dax 96M
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
