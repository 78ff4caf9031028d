# Sourced by tests/vm/ivshmem-fs-*.sh: mount the ivshmd virtio-fs export
# (vm-run --ivshmd-fs TAG) at $IVFS once per boot and give each test a fresh
# directory in it.
[ -n "${IVSHMD_FS_DIR:-}" ] || { echo "no ivshmd --fs attached"; exit 77; }
IVFS=/mnt/ivfs
IVFS_TAG=${IVFS_TAG:-slfs}
# One seed for every random workload of a test: FS_RANDOM_SEED=N repeats it.
IVFS_SEED=${FS_RANDOM_SEED:-$(date +%s)}

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

# ivfs_random_vs_host DIR OPS: fs-random.py's random operations in a fresh
# DIR (seed $IVFS_SEED), then the host's view of DIR
# (path, nlink, size, md5 of every file) must equal the model's.
ivfs_random_vs_host() {
	ivfs_workdir "$1"
	echo "seed $IVFS_SEED (FS_RANDOM_SEED=$IVFS_SEED to repeat)"
	python3 tests/vm/tools/fs-random.py "$WORK/" "$IVFS_SEED" "$2" "/tmp/$1-model.txt"
	python3 - "$HOSTWORK" > "/tmp/$1-host.txt" <<'PY'
import hashlib, os, sys
root = sys.argv[1]
rows = []
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            md5 = hashlib.md5(fh.read()).hexdigest()
        st = os.lstat(p)
        rows.append("%s %d %d %s" % (os.path.relpath(p, root), st.st_nlink, st.st_size, md5))
print("\n".join(sorted(rows)))
PY
	if ! diff -u "/tmp/$1-model.txt" "/tmp/$1-host.txt"; then
		echo "FAIL: the host directory differs from the model (- model, + host)"
		exit 1
	fi
	echo "host view matches the model: $(wc -l < "/tmp/$1-host.txt") files"
}

# ivfs_concurrent_vs_host DIR: fs-random.py's concurrent writers (seed
# $IVFS_SEED) in a fresh DIR; every file they wrote must read the same on
# the host.
ivfs_concurrent_vs_host() {
	local w a b
	ivfs_workdir "$1"
	python3 tests/vm/tools/fs-random.py --concurrent "$WORK" "$IVFS_SEED"
	for w in 0 1 2 3; do
		a=$(md5sum < "$WORK/own$w"); b=$(md5sum < "$HOSTWORK/own$w")
		[ "$a" = "$b" ] || { echo "FAIL: host copy of own$w differs"; exit 1; }
	done
	[ "$(md5sum < "$WORK/shared")" = "$(md5sum < "$HOSTWORK/shared")" ] ||
		{ echo "FAIL: host copy of the shared file differs"; exit 1; }
	echo "host view of the concurrent files matches"
}
