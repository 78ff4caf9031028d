#!/bin/bash
# The virtio-fs backend's concurrent paths under ThreadSanitizer: the worker
# pool test (fs_server_submit with 1000+ requests in flight, FORGETs racing
# reads) and the kernel-mount test (the host's FUSE client driving four
# workers) rebuilt with clang -fsanitize=thread. Any data race fails.
# timeout: 240
set -u
cd "$SL_TOP"
out=build/tsan
mkdir -p "$out"
srcs=(userspace/ivshmd/fs_*.c)
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
for t in concurrent kmount; do
	bin="$out/test-fs-$t"
	clang -D_GNU_SOURCE -Iuserspace -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=thread "${srcs[@]}" "tests/unit/test-fs-$t.c" -o "$bin" -lpthread ||
		{ echo "build of $bin failed"; exit 1; }
	"$bin"
	rc=$?
	case $rc in
	0) ;;
	77) echo "test-fs-$t skipped under TSan (see above)" ;;
	*) echo "test-fs-$t failed under TSan (exit $rc)"; exit 1 ;;
	esac
done
echo "fs-tsan: ok"
