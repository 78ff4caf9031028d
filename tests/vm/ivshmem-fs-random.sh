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
ivfs_random_vs_host random 600
ivfs_concurrent_vs_host concurrent
rm -rf "$IVFS/random" "$IVFS/concurrent"
echo PASS
