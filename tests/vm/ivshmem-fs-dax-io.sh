#!/bin/bash
# ivshmd --dax: the virtio-fs DAX cache window in the shared window's tail.
# The stock 6.1 virtio_fs finds it (get_shm_region), asks for per-inode DAX
# and gets it: regular files are DAX (statx STATX_ATTR_DAX), directories
# not.  Then through DAX: reads see the host's data; a write reaches the
# host at fsync and at close; an mmap()ed store reaches it at msync; an
# extending write (FUSE_WRITE) and DAX stores in the same chunk both
# survive; truncate down and up reads zeroes; the POSIX transcript equals
# tmpfs's; the random-operation test and the concurrent writers match the
# model and the host's view; bigger files than the window (chunk reclaim)
# read back right.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect --ivshmd-arg --shm-size --ivshmd-arg 64M --ivshmd-arg --dax --ivshmd-arg 32M
# timeout: 300
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir dax
dmesg | grep -i 'dax' | grep -iv 'error\|fail' | tail -n 3 || true
python3 - "$WORK" "$HOSTWORK" <<'PY'
import ctypes, mmap, os, sys
work, host = sys.argv[1:3]
fails = 0
libc = ctypes.CDLL(None, use_errno=True)
STATX_ATTR_DAX = 0x00200000

def is_dax(path):
    buf = ctypes.create_string_buffer(256)
    # statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, buf): stx_attributes at 8
    if libc.syscall(332, -100, path.encode(), 0, 0x7ff, buf) != 0:
        raise OSError(ctypes.get_errno(), "statx " + path)
    return bool(int.from_bytes(buf.raw[8:16], "little") & STATX_ATTR_DAX)

def fail(msg):
    global fails
    print("FAIL: " + msg)
    fails += 1

def host_bytes(name):
    with open(os.path.join(host, name), "rb") as f:
        return f.read()

# 1. DAX granted for regular files only
with open(os.path.join(host, "fromhost"), "wb") as f:
    f.write(b"H" * 5000 + b"tail")
p = os.path.join(work, "fromhost")
if not is_dax(p):
    fail("regular file is not DAX (per-inode DAX not granted?)")
elif is_dax(work):
    fail("the directory claims DAX")
else:
    print("ok: regular files are DAX, directories not")
with open(p, "rb") as f:
    if f.read() != b"H" * 5000 + b"tail":
        fail("DAX read of a host-written file differs")
    else:
        print("ok: DAX read of host data")

# 2. fsync and close push DAX writes to the host
p = os.path.join(work, "w")
with open(p, "wb") as f:
    f.write(b"a" * 10000)              # extending: FUSE_WRITE
fd = os.open(p, os.O_RDWR)
os.pwrite(fd, b"XYZ", 100)             # in place: a store into the window
os.fsync(fd)
h = host_bytes("w")
if h[100:103] != b"XYZ" or len(h) != 10000:
    fail("after fsync the host has %r (len %d)" % (h[100:103], len(h)))
else:
    print("ok: fsync pushed a DAX write to the host")
os.pwrite(fd, b"CLOSE", 5000)
os.pwrite(fd, b"EXT", 10000)           # extending again, same chunk
os.close(fd)
want = bytearray(b"a" * 10000 + b"EXT")
want[100:103] = b"XYZ"
want[5000:5005] = b"CLOSE"
with open(p, "rb") as f:
    g = f.read()
if g != want or host_bytes("w") != want:
    fail("after close: guest %d bytes, host %d bytes, want %d" %
         (len(g), len(host_bytes("w")), len(want)))
else:
    print("ok: DAX stores and an extending write in one chunk both reach the host")

p2 = os.path.join(work, "c")
with open(p2, "wb") as f:
    f.write(b"b" * 8192)
fd = os.open(p2, os.O_RDWR)
os.pwrite(fd, b"ONCLOSE", 10)          # only a store into the window
os.close(fd)
if host_bytes("c")[10:17] != b"ONCLOSE":
    fail("after close the host has %r" % host_bytes("c")[10:17])
else:
    print("ok: close pushed a DAX write to the host")

# 3. mmap stores reach the host at msync
fd = os.open(p, os.O_RDWR)
m = mmap.mmap(fd, 8192)
m[0:4] = b"MMAP"
m.flush()
if host_bytes("w")[:4] != b"MMAP":
    # msync is a FUSE fsync with DAX: the host must have it now
    fail("after msync the host has %r" % host_bytes("w")[:4])
else:
    print("ok: msync pushed an mmap store to the host")
m.close()
os.close(fd)

# 4. truncate down and up: zeroes, on both sides
fd = os.open(p, os.O_RDWR)
os.ftruncate(fd, 50)
os.ftruncate(fd, 6000)
os.fsync(fd)
g = os.pread(fd, 6000, 0)
os.close(fd)
want = b"MMAP" + bytes(want[4:50]) + b"\0" * 5950
if g != want or host_bytes("w") != want:
    fail("truncate down/up: guest and host must read zeroes past 50")
else:
    print("ok: truncate down and up reads zeroes")

# 5. more data than the window holds (32 MiB = 16 chunks): reclaim
p = os.path.join(work, "big")
pat = b"".join(bytes([i & 0xff]) * 4096 for i in range(48 * 256))   # 48 MiB
with open(p, "wb") as f:
    f.write(pat)
fd = os.open(p, os.O_RDWR)
for off in range(0, len(pat), 1 << 20):
    os.pwrite(fd, b"%08d" % off, off + 17)
os.close(fd)
with open(p, "rb") as f:
    g = f.read()
want = bytearray(pat)
for off in range(0, len(pat), 1 << 20):
    want[off + 17:off + 25] = b"%08d" % off
if g != want:
    fail("48 MiB file through a 32 MiB window reads back wrong")
elif host_bytes("big") != want:
    fail("48 MiB file: the host copy differs")
else:
    print("ok: a file larger than the window (chunk reclaim) reads back right")
os.unlink(p)
sys.exit(1 if fails else 0)
PY
ivfs_workdir daxposix
ref=$(mktemp -d /tmp/dax-ref.XXXXXX)
oth1=$(mktemp -d /tmp/dax-other.XXXXXX)
oth2=$(mktemp -d /run/dax-other.XXXXXX)
chmod 755 "$ref" "$WORK"
python3 tests/vm/tools/fs-posix.py "$WORK" "$oth1" > /tmp/dax-ivfs.txt
python3 tests/vm/tools/fs-posix.py "$ref" "$oth2" > /tmp/dax-tmpfs.txt
if ! diff -u /tmp/dax-tmpfs.txt /tmp/dax-ivfs.txt; then
	echo "FAIL: the DAX mount behaves differently from tmpfs (- tmpfs, + ivshmem)"
	exit 1
fi
echo "POSIX transcript ($(wc -l < /tmp/dax-tmpfs.txt) steps) identical on DAX and tmpfs"
rm -rf "$ref" "$oth1" "$oth2"
ivfs_random_vs_host daxrandom 300
ivfs_concurrent_vs_host daxconcurrent
rm -rf "$IVFS/dax" "$IVFS/daxposix" "$IVFS/daxrandom" "$IVFS/daxconcurrent"
echo PASS
