#!/bin/bash
# fio random read/write with crc32c verification on the virtio-blk disk that
# the stock virtio_blk driver exposes over virtio-ivshmem (served by ivshmd
# on the host), with the bounce counters showing the data went through the
# shared window.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-disk 256M --qemu-arg -object --qemu-arg memory-backend-ram,id=plainmem,size=1M,share=on --qemu-arg -device --qemu-arg ivshmem-plain,memdev=plainmem
# timeout: 240
set -euo pipefail
modprobe virtio_blk
grep -q '^virtio_ivshmem ' /proc/modules || insmod virtio-client/virtio-ivshmem.ko
. tests/vm/tools/ivshmem-lib.sh
ivshmem_wait_disk
pci=$(cd /sys/bus/pci/drivers/virtio-ivshmem && ls -d 0000:* | head -n1)
st=/sys/bus/pci/devices/$pci/virtio_ivshmem
echo "ivshmem disk: $dev on $pci ($(cat $st/virtio_device))"
maps0=$(cat $st/bounce_maps)

fio --eta=never --name=ivshmem-verify --filename="$dev" --direct=1 --ioengine=libaio \
	--rw=randrw --bsrange=4k-128k --iodepth=16 --size=48M \
	--verify=crc32c --verify_fatal=1 --do_verify=1 --output=/tmp/fio.txt
grep -E 'READ:|WRITE:' /tmp/fio.txt
grep -q 'err= 0' /tmp/fio.txt || { cat /tmp/fio.txt; echo "FAIL: fio error"; exit 1; }

maps=$(( $(cat $st/bounce_maps) - maps0 ))
echo "bounce maps during fio: $maps, map failures: $(cat $st/map_failures), state: $(cat $st/state)"
[ "$maps" -gt 1000 ] || { echo "FAIL: I/O did not go through the window"; exit 1; }
[ "$(cat $st/state)" = alive ] || { echo "FAIL: device not alive"; exit 1; }
echo PASS
