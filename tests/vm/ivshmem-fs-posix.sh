#!/bin/bash
# POSIX behaviour of the ivshmd virtio-fs export (stock virtiofs driver over
# the shared-memory transport): the same sequence of ~150 operations
# (create/read/write/truncate/rename(2)/link/symlink/unlink/mkdir/rmdir/
# readdir/chmod/chown/utimens/fallocate/fifo, and the errno of each failure:
# ENOENT, EEXIST, ENOTEMPTY, ENOTDIR, EISDIR, EXDEV, EINVAL, ELOOP...) runs on
# the mount and on a local tmpfs; the two transcripts must be identical.
# The set-id steps write as uid 1234 (FUSE_HANDLE_KILLPRIV_V2: the server
# clears the bits) and must really have run unprivileged and cleared them.
# Then what only the export does (user.* xattrs, refused namespaces and
# device nodes) against fixed expectations.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect
# timeout: 120
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir posix
ref=$(mktemp -d /tmp/posix-ref.XXXXXX)
oth1=$(mktemp -d /tmp/posix-other.XXXXXX)
oth2=$(mktemp -d /run/posix-other.XXXXXX)
chmod 755 "$ref" "$WORK"	# the unprivileged set-id steps must reach them
python3 tests/vm/tools/fs-posix.py "$WORK" "$oth1" > /tmp/posix-ivfs.txt
python3 tests/vm/tools/fs-posix.py "$ref" "$oth2" > /tmp/posix-tmpfs.txt
n=$(wc -l < /tmp/posix-tmpfs.txt)
errs=$(grep -c ': err ' /tmp/posix-tmpfs.txt || true)
if ! diff -u /tmp/posix-tmpfs.txt /tmp/posix-ivfs.txt; then
	echo "FAIL: the ivshmem mount behaves differently from tmpfs (diff above: - tmpfs, + ivshmem)"
	exit 1
fi
echo "$n steps ($errs expected errors) identical on ivshmem-fs and tmpfs"
[ "$n" -gt 140 ] || { echo "FAIL: transcript too short"; exit 1; }
[ "$(grep -c '^user .* sid: ok$' /tmp/posix-ivfs.txt)" = 4 ] &&
	grep -q '^stat sid: ok file mode=777 ' /tmp/posix-ivfs.txt &&
	grep -q '^stat sid: ok file mode=6777 ' /tmp/posix-ivfs.txt ||
	{ echo "FAIL: set-id steps did not run as expected"; grep sid /tmp/posix-ivfs.txt; exit 1; }
rc=0
python3 tests/vm/tools/fs-posix.py "$WORK" "$oth1" --ivshmem > /tmp/posix-ivfs2.txt || rc=$?
grep -E '^(ivshmem|FAIL)' /tmp/posix-ivfs2.txt
[ "$rc" = 0 ] || { echo "FAIL: ivshmem-only checks"; exit 1; }
rm -rf "$WORK" "$ref"
echo PASS
