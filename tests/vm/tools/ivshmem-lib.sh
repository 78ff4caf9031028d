# Sourced by the ivshmem VM tests (bash, set -e).
#
# ivshmem_wait_disk: wait up to 10 s for the virtio_blk disk that sits on a
# virtio-ivshmem PCI device to appear, set $dev to its /dev node, or fail
# the test.  The module must already be loaded.
ivshmem_wait_disk() {
	local b
	dev=
	for _ in $(seq 50); do
		for b in /sys/bus/pci/drivers/virtio-ivshmem/0000:*/virtio*/block/*; do
			[ -e "$b" ] && dev=/dev/${b##*/}
		done
		[ -n "$dev" ] && [ -b "$dev" ] && return 0
		sleep 0.2
	done
	echo "FAIL: no ivshmem disk appeared"
	exit 1
}
