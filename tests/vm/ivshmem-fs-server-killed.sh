#!/bin/bash
# The ivshmd serving the virtio-fs mount is killed (SIGKILL) while the guest
# writes and lists files: outstanding and new operations fail with errors
# within seconds instead of hanging, the mount can be unmounted and the
# transport unloaded, and the kernel log stays free of WARN/oops/hung tasks
# (vm-suite checks).  Runs last in its boot (the server is gone afterwards).
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs
# timeout: 120
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir killed
pci=$(cd /sys/bus/pci/drivers/virtio-ivshmem && ls -d 0000:* | head -n1)
st=/sys/bus/pci/devices/$pci/virtio_ivshmem
echo 2000 > /sys/module/virtio_ivshmem/parameters/dead_ms 2>/dev/null || true
echo 3000 > /sys/module/virtio_ivshmem/parameters/ack_timeout_ms 2>/dev/null || true

(
	i=0
	while :; do
		i=$((i + 1))
		dd if=/dev/zero of="$WORK/w$((i % 8))" bs=64k count=16 conv=fsync status=none || exit 3
	done
) 2>/tmp/killed-writer.err &
writer=$!
( while ls -l "$WORK" > /dev/null; do :; done; exit 4 ) 2>/tmp/killed-lister.err &
lister=$!
sleep 3
kill -0 "$writer" || { echo "FAIL: the writer failed before the kill"; cat /tmp/killed-writer.err; exit 1; }
echo "killing the server with I/O in flight"
echo KILL > /vmout/kill-ivshmd
for _ in $(seq 100); do [ -e /vmout/ivshmd-killed ] && break; sleep 0.1; done
[ -e /vmout/ivshmd-killed ] || { echo "FAIL: vm-run did not kill ivshmd"; exit 1; }
t0=$SECONDS
rc=0; wait "$writer" || rc=$?
rl=0; wait "$lister" || rl=$?
echo "writer exit $rc, lister exit $rl, $((SECONDS - t0)) s after the kill; state: $(cat $st/state)"
head -n2 /tmp/killed-writer.err /tmp/killed-lister.err || true
[ "$rc" = 3 ] && [ "$rl" = 4 ] || { echo "FAIL: operations did not fail"; exit 1; }
[ $((SECONDS - t0)) -lt 30 ] || { echo "FAIL: operations took too long to fail"; exit 1; }
[ "$(cat $st/state)" != alive ] || { echo "FAIL: device not declared dead"; exit 1; }

# New operations fail at once, none hangs.
for cmd in "cat $WORK/w1" "ls $IVFS" "touch $IVFS/new" "stat $IVFS/killed"; do
	r=0; timeout 20 $cmd > /dev/null 2>&1 || r=$?
	[ "$r" != 124 ] || { echo "FAIL: '$cmd' hung"; exit 1; }
	[ "$r" != 0 ] || { echo "FAIL: '$cmd' succeeded on a dead server"; exit 1; }
	echo "'$cmd' failed with status $r"
done
r=0; timeout 30 umount "$IVFS" || r=$?
[ "$r" = 0 ] || { echo "FAIL: umount exit $r"; exit 1; }
r=0; timeout 30 rmmod virtio_ivshmem || r=$?
[ "$r" = 0 ] || { echo "FAIL: rmmod exit $r"; exit 1; }
echo PASS
