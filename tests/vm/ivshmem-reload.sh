#!/bin/bash
# With I/O stopped, virtio-ivshmem unloads and reloads (twice) and the disk
# comes back with its data; once idle again after I/O, the window holds no
# more than before it (pool_used_bytes), and unloading leaks nothing.  A second ivshmem device without a virtio-ivshmem
# header (ivshmem-plain) is left alone, with an info line.  Given a header
# whose shared-memory region (ivv_header.shm_*) is not the window's
# 2 MiB-aligned tail, the driver refuses to bind it, with an error line,
# and nothing else happens.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-disk 256M --qemu-arg -object --qemu-arg memory-backend-ram,id=plainmem,size=1M,share=on --qemu-arg -device --qemu-arg ivshmem-plain,memdev=plainmem
# timeout: 120
set -euo pipefail
modprobe virtio_blk
grep -q '^virtio_ivshmem ' /proc/modules || insmod virtio-client/virtio-ivshmem.ko
. tests/vm/tools/ivshmem-lib.sh
ivshmem_wait_disk
head -c 256K /dev/urandom > /tmp/reload-pattern
dd if=/tmp/reload-pattern of="$dev" bs=256K seek=100 oflag=direct conv=fsync status=none

# Exactly one of the two 1af4:1110 functions is ours.
n_ivshmem=$(grep -l '0x1110' /sys/bus/pci/devices/*/device | wc -l)
n_bound=$(ls -d /sys/bus/pci/drivers/virtio-ivshmem/0000:* | wc -l)
echo "ivshmem functions: $n_ivshmem, bound to virtio-ivshmem: $n_bound"
[ "$n_ivshmem" = 2 ] && [ "$n_bound" = 1 ] || { echo "FAIL: binding"; exit 1; }
dmesg | grep -q 'no virtio-ivshmem v1 header in BAR2' ||
	{ echo "FAIL: no info line for the foreign ivshmem device"; exit 1; }

# Every bounce block of that I/O is back: freed page-sized blocks wait on the
# allocator's page stack but do not count as used, and rmmod gives them back
# to the bitmap (no "still allocated at teardown").
st=$(ls -d /sys/bus/pci/devices/*/virtio_ivshmem | head -n1)
idle=$(cat "$st/pool_used_bytes")
dd if="$dev" of=/dev/null bs=1M count=16 iflag=direct status=none
dd if=/tmp/reload-pattern of="$dev" bs=256K seek=200 oflag=direct status=none
udevadm settle 2>/dev/null || true	# udev's own reads after the writes
for _ in $(seq 50); do		# (quiescence, not a time limit)
	[ "$(cat "$st/pool_used_bytes")" -le "$idle" ] && break
	sleep 0.2
done
[ "$(cat "$st/pool_used_bytes")" -le "$idle" ] ||
	{ echo "FAIL: pool_used_bytes $idle before I/O, $(cat "$st/pool_used_bytes") after"; exit 1; }
echo "window bytes in use when idle: $idle before I/O, $(cat "$st/pool_used_bytes") after"

for round in 1 2; do
	rmmod virtio_ivshmem
	if dmesg | grep -q 'still allocated at teardown'; then
		echo "FAIL: window bytes leaked at unload"; dmesg | grep 'still allocated'; exit 1
	fi
	[ ! -e "$dev" ] || { echo "FAIL: $dev still there after rmmod"; exit 1; }
	insmod virtio-client/virtio-ivshmem.ko
	ivshmem_wait_disk
	dd if="$dev" of=/tmp/reload-back bs=256K skip=100 count=1 iflag=direct status=none
	cmp /tmp/reload-pattern /tmp/reload-back || { echo "FAIL: data lost over reload"; exit 1; }
	echo "reload $round: $dev back, data intact"
done

# A forged header on the plain device: valid in every field but the
# shared-memory region.  Binding must fail cleanly.
plain=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/device")" = 0x1110 ] || continue
	[ -e "$d/driver" ] && continue
	plain=$d
done
[ -n "$plain" ] || { echo "FAIL: no unbound ivshmem function"; exit 1; }
forge() {	# forge SHM_OFFSET SHM_LEN (0 0: wipe the header)
	python3 - "$plain/resource2" "$1" "$2" <<'PY'
import mmap, os, struct, sys
path, off, ln = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
fd = os.open(path, os.O_RDWR | os.O_SYNC)
size = os.fstat(fd).st_size
m = mmap.mmap(fd, 4096)
m[0:4096] = bytes(4096)
if ln:
    # magic, version, header_size, window_size, server, vectors, device, vendor,
    # num_queues, config_size, host_state (ready), device_features
    m[0:0x38] = struct.pack("<8sIIQIIIIHHIQ", b"VIRTIVSH", 1, 4096, size, 0, 1, 2,
                            0x1af4, 1, 0, 1, 1 << 32)
    m[0x48:0x59] = struct.pack("<QQB", off, ln, 0)
m.close()
os.close(fd)
PY
}
bdf=$(basename "$plain")
for bad in "0x80000 0x80000" "0x0 0x100000" "0x40000 0xc0000"; do
	forge $bad
	n0=$(dmesg | grep -c 'bad virtio-ivshmem shared-memory region' || true)
	if echo "$bdf" > /sys/bus/pci/drivers/virtio-ivshmem/bind 2>/dev/null; then
		echo "FAIL: bound a header with shared-memory region $bad"; exit 1
	fi
	[ "$(dmesg | grep -c 'bad virtio-ivshmem shared-memory region' || true)" -gt "$n0" ] ||
		{ echo "FAIL: no error line for region $bad"; dmesg | tail -n 5; exit 1; }
	[ ! -e "$plain/driver" ] || { echo "FAIL: driver attached"; exit 1; }
done
forge 0 0
echo "forged shared-memory regions refused"
echo PASS
