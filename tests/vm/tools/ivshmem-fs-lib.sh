# Sourced by tests/vm/ivshmem-fs-*.sh: mount the ivshmd virtio-fs export
# (vm-run --ivshmd-fs TAG) at $IVFS once per boot and give each test a fresh
# directory in it.
[ -n "${IVSHMD_FS_DIR:-}" ] || { echo "no ivshmd --fs attached"; exit 77; }
IVFS=/mnt/ivfs
IVFS_TAG=${IVFS_TAG:-slfs}

ivfs_mount() {
	grep -q " $IVFS virtiofs " /proc/mounts && return 0
	modprobe virtiofs
	grep -q '^virtio_ivshmem ' /proc/modules || insmod virtio-client/virtio-ivshmem.ko
	mkdir -p "$IVFS"
	local _
	for _ in $(seq 50); do
		mount -t virtiofs "${1:-$IVFS_TAG}" "$IVFS" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "FAIL: cannot mount virtiofs tag ${1:-$IVFS_TAG}"
	dmesg | tail -n 20
	exit 1
}

# A fresh directory for this test: $WORK in the mount, $HOSTWORK the same
# directory as the host sees it (vm-run's uncached /vmout share).
ivfs_workdir() {
	ivfs_mount
	WORK=$IVFS/$1
	HOSTWORK=$IVSHMD_FS_VIEW/$1
	rm -rf "$WORK"
	mkdir "$WORK"
}
