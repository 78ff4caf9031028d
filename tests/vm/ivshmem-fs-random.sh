#!/bin/bash
# Random operations on a few hundred files in the ivshmd virtio-fs export
# (create, writes at random offsets up to 300 KB, truncate, rename over
# names and across directories, hard links, unlink), each result checked
# against an in-memory model; the final tree must equal the model, and the
# host's view of the exported directory (read through the read-only host
# root, files this guest never opened there) must match it byte for byte,
# link counts included.  Then concurrent writers (own files, disjoint blocks
# of one shared file, create/unlink churn in one directory), verified.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect
# timeout: 180
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir random
seed=${FS_RANDOM_SEED:-$(date +%s)}
echo "seed $seed (FS_RANDOM_SEED=$seed to repeat)"
python3 tests/vm/tools/fs-random.py "$WORK/" "$seed" 600 /tmp/random-model.txt
# The host's view (vm-run's uncached share of the same host directory).
python3 - "$HOSTWORK" > /tmp/random-host.txt <<'PY'
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
if ! diff -u /tmp/random-model.txt /tmp/random-host.txt; then
	echo "FAIL: the host directory differs from the model (- model, + host)"
	exit 1
fi
echo "host view matches the model: $(wc -l < /tmp/random-host.txt) files"

ivfs_workdir concurrent
python3 tests/vm/tools/fs-random.py --concurrent "$WORK" "$seed"
for w in 0 1 2 3; do
	a=$(md5sum < "$WORK/own$w"); b=$(md5sum < "$HOSTWORK/own$w")
	[ "$a" = "$b" ] || { echo "FAIL: host copy of own$w differs"; exit 1; }
done
[ "$(md5sum < "$WORK/shared")" = "$(md5sum < "$HOSTWORK/shared")" ] ||
	{ echo "FAIL: host copy of the shared file differs"; exit 1; }
echo "host view of the concurrent files matches"
rm -rf "$IVFS/random" "$IVFS/concurrent"
echo PASS
