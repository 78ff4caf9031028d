#!/bin/bash
# The harness runs the command as given (words kept apart), in the caller's
# directory, with the requested disks, memory and CPUs, and a clean dmesg
# passes.
# timeout: 240
set -u
cd "$SL_TOP"
out=$(scripts/vm-run --quiet-boot --mem 1024 --cpus 2 --disk 64M --disk 128M -- \
	bash -c 'echo "cwd=$PWD"; echo "arg=[$1]"; nproc; cat /sys/block/vda/size /sys/block/vdb/size;
		 awk "/MemTotal/ {print (\$2 > 900000 && \$2 < 1100000) ? \"mem-ok\" : \"mem-bad\"}" /proc/meminfo;
		 test -L /dev/fd && echo fd-ok; touch /usr/overlay-write && echo overlay-ok' _ 'two words')
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || { echo "exit $rc"; exit 1; }
expect() { grep -qFx -- "$1" <<<"$out" || { echo "missing: $1"; exit 1; }; }
expect "cwd=$SL_TOP"
expect "arg=[two words]"
expect 2
expect 131072
expect 262144
expect mem-ok
expect fd-ok
expect overlay-ok
