#!/bin/bash
# ivshmd --writeback (FUSE_WRITEBACK_CACHE granted) with --cache always:
# a write to an open file reaches the host at close, not before;
# partial-page writes through write-only opens (the guest reads the rest of
# the page through its handle, so the server must have opened it
# read-write), O_APPEND writes (placed by the guest, so
# the server must not append on its own) and truncates reach the host
# correctly once the file is closed or fsynced; then the random-operation
# test (model after each step; the host's view of the closed files must
# equal the model) and the concurrent writers run under the writeback cache.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect --ivshmd-arg --writeback --ivshmd-arg --cache --ivshmd-arg always
# timeout: 240
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
# The server's log is readable here only when the test logs are under the
# (shared) repository; elsewhere the behaviour below proves the mode.
if [ -r "$IVSHMD_LOG" ]; then
	grep -q 'writes cached until flush (writeback)' "$IVSHMD_LOG" ||
		{ echo "FAIL: the server does not say it grants the writeback cache"; exit 1; }
fi
ivfs_workdir writeback
python3 - "$WORK" "$HOSTWORK" <<'PY'
import os, sys
work, host = sys.argv[1:3]
fails = 0
# The writeback cache is in effect: a buffered write to a file still open
# stays in the guest (it would be on the host at once if written through;
# only close, fsync, memory pressure or the ~30 s dirty expiry flush it).
p = os.path.join(work, "lag")
fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"L" * 4096)
hsize = os.stat(os.path.join(host, "lag")).st_size
os.close(fd)
hafter = os.stat(os.path.join(host, "lag")).st_size
if hsize != 0 or hafter != 4096:
    print("FAIL: host size %d while open (want 0: cached), %d after close (want 4096)"
          % (hsize, hafter))
    fails += 1
else:
    print("ok: the host sees the write at close, not before")
def check(name, want):
    global fails
    with open(os.path.join(work, name), "rb") as f:
        g = f.read()
    with open(os.path.join(host, name), "rb") as f:
        h = f.read()
    if g != want or h != want:
        print("FAIL: %s: guest %r host %r want %r" % (name, g[:40], h[:40], want[:40]))
        fails += 1
    else:
        print("ok: %s (%d bytes) on both sides" % (name, len(want)))
base = bytes(range(256)) * 40          # 10240 bytes: pages 0..2, the last partial
p = os.path.join(work, "wronly")
with open(p, "wb") as f:
    f.write(base)
os.sync()
with open("/proc/sys/vm/drop_caches", "w") as f:
    f.write("3\n")                   # the pages must be read around, not found
# write-only: patch the middle of pages 0 and 2 (partial pages: read-around)
fd = os.open(p, os.O_WRONLY)
os.pwrite(fd, b"X" * 10, 5)
os.pwrite(fd, b"Y" * 7, 9000)
os.close(fd)
want = bytearray(base)
want[5:15] = b"X" * 10
want[9000:9007] = b"Y" * 7
check("wronly", bytes(want))
# appends land after the guest's idea of the end, not twice / not elsewhere
p = os.path.join(work, "append")
with open(p, "wb") as f:
    f.write(b"head")
for i in range(3):
    fd = os.open(p, os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"+%d" % i)
    os.close(fd)
check("append", b"head+0+1+2")
# extend, shrink, fsync with the file still open
p = os.path.join(work, "trunc")
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"a" * 9000)
os.ftruncate(fd, 5000)
os.pwrite(fd, b"b" * 100, 6000)
os.fsync(fd)
with open(os.path.join(host, "trunc"), "rb") as f:
    h = f.read()
if h != b"a" * 5000 + b"\0" * 1000 + b"b" * 100:
    print("FAIL: after fsync the host has %d bytes %r..." % (len(h), h[:20]))
    fails += 1
else:
    print("ok: fsync with the file open pushed size and data to the host")
os.close(fd)
st = os.stat(p)
if st.st_size != 6100:
    print("FAIL: guest size %d after close" % st.st_size)
    fails += 1
sys.exit(1 if fails else 0)
PY
ivfs_random_vs_host wbrandom 300
ivfs_concurrent_vs_host wbconcurrent
rm -rf "$IVFS/writeback" "$IVFS/wbrandom" "$IVFS/wbconcurrent"
echo PASS
