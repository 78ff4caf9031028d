#!/bin/bash
# mkfs.ext4 on the ivshmem disk, mount, copy a tree, unmount, fsck clean,
# remount and compare again (the second compare reads from the device).
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-disk 256M --qemu-arg -object --qemu-arg memory-backend-ram,id=plainmem,size=1M,share=on --qemu-arg -device --qemu-arg ivshmem-plain,memdev=plainmem
# timeout: 240
set -euo pipefail
modprobe virtio_blk
grep -q '^virtio_ivshmem ' /proc/modules || insmod virtio-client/virtio-ivshmem.ko
. tests/vm/tools/ivshmem-lib.sh
ivshmem_wait_disk
src=/usr/share/perl5
mnt=$(mktemp -d)
trap 'umount "$mnt" 2>/dev/null || true' EXIT

mkfs.ext4 -q -F "$dev"
mount "$dev" "$mnt"
cp -a "$src" "$mnt/tree"
diff -r "$src" "$mnt/tree"
umount "$mnt"
fsck.ext4 -fn "$dev"
mount "$dev" "$mnt"
diff -r "$src" "$mnt/tree"
echo "copied and re-read $(du -sh "$mnt/tree" | cut -f1) in $(find "$mnt/tree" | wc -l) entries"
umount "$mnt"
echo PASS
