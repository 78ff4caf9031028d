#!/bin/bash
# A hostile guest program scribbles on the shared window through the PCI
# resource2 file (rewriting queue 0's avail index far ahead) while the
# driver does I/O.  The server must mark the device broken (NEEDS_RESET,
# broken_reason set) and keep running (heartbeat still advancing, it exits
# cleanly at the end, which vm-run checks); the guest's I/O fails instead of
# hanging and the module unloads.  The device has a single vector, so this
# boot also covers the MSI-X fallback (config, acks and the queue all on
# vector 0, queue kicks on doorbell 0), with a verified fio run first.
# vm-run: --mem 1024 --ivshmd-vectors 1 --ivshmd-disk 128M --cpus 1
# timeout: 150
set -euo pipefail
[ -n "${IVSHMD_DISK:-}" ] || { echo "no ivshmd attached"; exit 77; }
modprobe virtio_blk
grep -q '^virtio_ivshmem ' /proc/modules && rmmod virtio_ivshmem
insmod virtio-client/virtio-ivshmem.ko
. tests/vm/tools/ivshmem-lib.sh
ivshmem_wait_disk
pci=$(cd /sys/bus/pci/drivers/virtio-ivshmem && ls -d 0000:* | head -n1)
st=/sys/bus/pci/devices/$pci/virtio_ivshmem
[ "$(cat $st/msix_vectors)" = 1 ] || { echo "FAIL: expected 1 shared MSI-X vector"; exit 1; }
fio --eta=never --name=one-vector --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=4k --iodepth=8 --size=8M --verify=crc32c --verify_fatal=1 --output=/tmp/one.txt
grep -q 'err= 0' /tmp/one.txt || { cat /tmp/one.txt; echo "FAIL: fio on one vector"; exit 1; }
echo "verified I/O on a single shared vector"

# Background reader: keeps kicking the host until the device fails.
( while dd if="$dev" of=/dev/null bs=4k count=64 iflag=direct status=none; do :; done ) &
reader=$!

python3 - "/sys/bus/pci/devices/$pci/resource2" <<'PY'
import mmap, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_SYNC)
m = mmap.mmap(fd, 4 << 20)
u16 = lambda o: struct.unpack_from('<H', m, o)[0]
u32 = lambda o: struct.unpack_from('<I', m, o)[0]
avail = struct.unpack_from('<Q', m, 0x108 + 8)[0]   # queue 0 "driver" offset
assert 4096 <= avail < (4 << 20) - 4, avail
print("scribbling on queue 0 avail idx at window offset %#x" % avail)
deadline = time.time() + 20
n = 0
mine = None
while time.time() < deadline:
    if u32(0x38) & 0x40 or u32(0x44):
        break
    cur = u16(avail + 2)
    if cur != mine:     # only on top of an index the driver wrote itself
        mine = (cur + 1000) & 0xffff
        struct.pack_into('<H', m, avail + 2, mine)
        n += 1
    time.sleep(0.001)
status, reason, state, beat = u32(0x38), u32(0x44), u32(0x2c), u32(0x40)
print("after %d scribbles: device_status %#x broken_reason %u host_state %u" %
      (n, status, reason, state))
time.sleep(0.5)
beat2 = u32(0x40)
print("heartbeat %u -> %u" % (beat, beat2))
ok = status & 0x40 and reason != 0 and state == 1 and beat2 != beat
sys.exit(0 if ok else 1)
PY

rc=0
timeout 60 bash -c "while kill -0 $reader 2>/dev/null; do sleep 0.2; done" || rc=$?
[ "$rc" = 0 ] || { echo "FAIL: reader still running: I/O hangs"; kill "$reader"; exit 1; }
wait "$reader" || true
echo "guest state: $(cat $st/state)"
grep -q 'needs reset' $st/state || { echo "FAIL: guest did not see NEEDS_RESET"; exit 1; }
timeout 30 rmmod virtio_ivshmem
echo PASS
