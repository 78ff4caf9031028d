#!/bin/bash
# A write followed by a FLUSH reaches the host's backing file: the disk has a
# write-back cache, an fsync on it completes a flush request (block layer
# counter), and the host file (IVSHMD_DISK, read through the host root)
# holds the written bytes.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-disk 256M --qemu-arg -object --qemu-arg memory-backend-ram,id=plainmem,size=1M,share=on --qemu-arg -device --qemu-arg ivshmem-plain,memdev=plainmem
# timeout: 120
set -euo pipefail
[ -n "${IVSHMD_DISK:-}" ] || { echo "no IVSHMD_DISK: vm-run without --ivshmd?"; exit 77; }
modprobe virtio_blk
grep -q '^virtio_ivshmem ' /proc/modules || insmod virtio-client/virtio-ivshmem.ko
. tests/vm/tools/ivshmem-lib.sh
ivshmem_wait_disk
name=${dev#/dev/}
cache=$(cat /sys/block/$name/queue/write_cache)
echo "write cache: $cache"
[ "$cache" = "write back" ] || { echo "FAIL: FLUSH not advertised"; exit 1; }

# 16th field of /sys/block/X/stat: flush requests completed.
flushes() { awk '{print $16}' /sys/block/$name/stat; }
head -c 1M /dev/urandom > /tmp/pattern
f0=$(flushes)
dd if=/tmp/pattern of="$dev" bs=1M seek=37 oflag=direct conv=fsync status=none
f1=$(flushes)
echo "flush requests completed: $f0 -> $f1"
[ "$f1" -gt "$f0" ] || { echo "FAIL: no flush reached the device"; exit 1; }
dd if="$IVSHMD_DISK" of=/tmp/host-copy bs=1M skip=37 count=1 status=none
cmp /tmp/pattern /tmp/host-copy || { echo "FAIL: host file lacks the data"; exit 1; }
echo PASS
