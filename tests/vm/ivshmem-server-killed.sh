#!/bin/bash
# The host server is killed (SIGKILL) while fio writes to the ivshmem disk:
# the guest declares the server dead once the heartbeat stops, outstanding
# and new I/O fail with errors instead of hanging, the module still unloads,
# and the kernel log stays free of WARN/oops/hung tasks (vm-suite checks).
# Reloading then leaves the stale window alone (no heartbeat) at once.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-disk 128M --cpus 2
# timeout: 150
set -euo pipefail
[ -n "${IVSHMD_DISK:-}" ] || { echo "no ivshmd attached"; exit 77; }
modprobe virtio_blk
grep -q '^virtio_ivshmem ' /proc/modules && rmmod virtio_ivshmem
insmod virtio-client/virtio-ivshmem.ko dead_ms=2000 ack_timeout_ms=3000
. tests/vm/tools/ivshmem-lib.sh
ivshmem_wait_disk
pci=$(cd /sys/bus/pci/drivers/virtio-ivshmem && ls -d 0000:* | head -n1)
st=/sys/bus/pci/devices/$pci/virtio_ivshmem

fio --eta=never --name=victim --filename="$dev" --direct=1 --ioengine=libaio --rw=randwrite \
	--bs=4k --iodepth=32 --size=64M --time_based --runtime=90 \
	--output=/tmp/victim.txt 2>/tmp/victim.err &
fio_pid=$!
sleep 4
echo "killing the server with I/O in flight (kicks so far: $(cat $st/kicks))"
echo KILL > /vmout/kill-ivshmd
for _ in $(seq 100); do [ -e /vmout/ivshmd-killed ] && break; sleep 0.1; done
[ -e /vmout/ivshmd-killed ] || { echo "FAIL: vm-run did not kill ivshmd"; exit 1; }
t0=$(date +%s)
rc=0
wait "$fio_pid" || rc=$?
t1=$(date +%s)
echo "fio exit $rc, $((t1 - t0)) s after the kill; state: $(cat $st/state)"
grep -E 'err=' /tmp/victim.txt | head -n2 || true
[ "$rc" != 0 ] || { echo "FAIL: fio saw no error"; exit 1; }
[ $((t1 - t0)) -lt 60 ] || { echo "FAIL: I/O took too long to fail"; exit 1; }
[ "$(cat $st/state)" != alive ] || { echo "FAIL: device not declared dead"; exit 1; }
echo "requests failed by the transport: $(cat $st/stub_failed_requests)"

# New I/O fails at once.
if timeout 20 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none; then
	echo "FAIL: a read succeeded on a dead device"; exit 1
fi
[ $? != 124 ] || { echo "FAIL: a read hung"; exit 1; }
dmesg | grep -q 'server unusable' || { echo "FAIL: no kernel message"; exit 1; }
timeout 30 rmmod virtio_ivshmem
[ ! -e "$dev" ] || { echo "FAIL: $dev still present"; exit 1; }

t0=$(date +%s)
timeout 30 insmod virtio-client/virtio-ivshmem.ko
t1=$(date +%s)
if ls -d /sys/bus/pci/drivers/virtio-ivshmem/0000:* 2>/dev/null; then
	echo "FAIL: bound to a window nobody serves"; exit 1
fi
dmesg | grep -q 'no server heartbeat: not binding' || { echo "FAIL: no info line"; exit 1; }
echo "reload without a server: not bound, insmod took $((t1 - t0)) s"
[ $((t1 - t0)) -lt 10 ] || { echo "FAIL: insmod too slow"; exit 1; }
rmmod virtio_ivshmem
echo PASS
