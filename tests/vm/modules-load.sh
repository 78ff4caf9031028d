#!/bin/bash
# Both kernel modules load into the stock kernel, dm lists the stripelog
# target, and both unload again.  dm-stripelog times the crc32c
# implementations at load and names the one it keeps; crc32c_driver= forces
# one, and an unknown name makes the load fail cleanly.
# vm-run: --mem 1024
# timeout: 90
set -eux
modprobe dm-mod
modprobe libcrc32c	# crc32c implementations for the crypto API
modprobe raid6_pq; modprobe xor	# parity: lib/raid6 and xor_blocks, also real symbol deps
insmod kernel/dm-stripelog.ko
insmod virtio-client/virtio-ivshmem.ko
dmsetup targets | tee /tmp/targets
grep -q '^stripelog ' /tmp/targets
dmesg | grep 'stripelog: crc32c: ' | tee /tmp/crc
grep -q 'crc32c: using crc32c-' /tmp/crc
[ "$(grep -c ' ns per 4 KiB' /tmp/crc)" -ge 2 ]	# the default and crc32c-generic timed
rmmod virtio_ivshmem
rmmod dm_stripelog
! grep -q '^stripelog ' <(dmsetup targets)

insmod kernel/dm-stripelog.ko crc32c_driver=crc32c-generic
dmesg | tail -n 3 | grep -q 'crc32c: crc32c-generic (forced)'
rmmod dm_stripelog
! insmod kernel/dm-stripelog.ko crc32c_driver=no-such-crc 2>/dev/null
dmesg | tail -n 3 | grep -q 'crc32c_driver=no-such-crc not available'
! grep -q '^dm_stripelog ' /proc/modules
