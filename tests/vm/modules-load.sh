#!/bin/bash
# Both kernel modules load into the stock kernel, dm lists the stripelog
# target, and both unload again.
# vm-run: --mem 1024
# timeout: 60
set -eux
modprobe dm-mod
modprobe libcrc32c	# dm-stripelog.ko uses crc32c(); insmod does not pull it in
modprobe raid6_pq; modprobe xor	# parity: lib/raid6 and xor_blocks, also real symbol deps
insmod kernel/dm-stripelog.ko
insmod virtio-client/virtio-ivshmem.ko
dmsetup targets | tee /tmp/targets
grep -q '^stripelog ' /tmp/targets
rmmod virtio_ivshmem
rmmod dm_stripelog
! grep -q '^stripelog ' <(dmsetup targets)
