#!/bin/bash
# With I/O stopped, virtio-ivshmem unloads and reloads (twice) and the disk
# comes back with its data.  A second ivshmem device without a virtio-ivshmem
# header (ivshmem-plain) is left alone, with an info line.
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

for round in 1 2; do
	rmmod virtio_ivshmem
	[ ! -e "$dev" ] || { echo "FAIL: $dev still there after rmmod"; exit 1; }
	insmod virtio-client/virtio-ivshmem.ko
	ivshmem_wait_disk
	dd if="$dev" of=/tmp/reload-back bs=256K skip=100 count=1 iflag=direct status=none
	cmp /tmp/reload-pattern /tmp/reload-back || { echo "FAIL: data lost over reload"; exit 1; }
	echo "reload $round: $dev back, data intact"
done
echo PASS
