#!/bin/bash
# The guest transport's used-length ledger (virtio-fs): device-writable
# bounce blocks are not filled at map time, and only the bytes the server
# reported in the used ring reach guest memory.  After the window has held
# a "secret" file's bytes (1 MiB O_DIRECT reads of it), a short O_DIRECT
# read of a 100-byte file into a buffer pre-filled with 'U' must give the
# 100 file bytes and leave the rest of the buffer the guest's own 'U' --
# never a byte of the secret (stale window content), never the fill.  The
# unfilled_maps counter must have grown (the fast path ran).  With the
# module parameter skip_fill=0 the old behaviour returns: the unreported
# rest of the block reads as the 0xff fill.  Data integrity under the
# ledger is what the posix and random tests of this boot check.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect
# timeout: 120
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir ledger
pci=$(cd /sys/bus/pci/drivers/virtio-ivshmem && ls -d 0000:* | head -n1)
st=/sys/bus/pci/devices/$pci/virtio_ivshmem
param=/sys/module/virtio_ivshmem/parameters/skip_fill
[ -r "$st/unfilled_maps" ] && [ -w "$param" ] ||
	{ echo "FAIL: no unfilled_maps / skip_fill in the loaded module"; exit 1; }
before=$(cat "$st/unfilled_maps")
idle=$(cat "$st/pool_used_bytes")
echo 1 > "$param"
python3 - "$WORK" expect-guest <<'PY'
import mmap, os, sys
work, mode = sys.argv[1], sys.argv[2]
secret = os.path.join(work, "secret")
small = os.path.join(work, "small")
with open(secret, "wb") as f:
    f.write(b"S" * (1 << 20))
with open(small, "wb") as f:
    f.write(b"b" * 100)
buf = mmap.mmap(-1, 1 << 20)
fd = os.open(secret, os.O_RDONLY | os.O_DIRECT)
for _ in range(4):            # the window now holds many pages of 'S'
    assert os.preadv(fd, [buf], 0) == 1 << 20
    assert buf[:] == b"S" * (1 << 20), "secret read back wrong"
os.close(fd)
fails = 0
for rnd in range(8):
    buf[:] = b"U" * (1 << 20)
    fd = os.open(small, os.O_RDONLY | os.O_DIRECT)
    n = os.preadv(fd, [buf], 0)
    os.close(fd)
    data = buf[:]
    if n != 100 or data[:100] != b"b" * 100:
        print("FAIL: round %d: short read gave %d bytes %r" % (rnd, n, data[:16]))
        fails += 1
    if b"S" in data:
        print("FAIL: round %d: stale window bytes (secret) at offset %d" % (rnd, data.index(b"S")))
        fails += 1
    rest = data[100:4096]
    if mode == "expect-guest" and rest != b"U" * len(rest):
        print("FAIL: round %d: bytes the server did not report were overwritten: %r"
              % (rnd, rest[:16]))
        fails += 1
    if mode == "expect-fill" and rest != b"\xff" * len(rest):
        print("FAIL: round %d: skip_fill=0 should give the fill, got %r" % (rnd, rest[:16]))
        fails += 1
    # the guest kernel may send the read whole or cut at EOF: blocks past the
    # first page are either untouched or the failed-completion fill
    for off in range(4096, 1 << 20, 4096):
        blk = data[off:off + 4096]
        if blk != b"U" * 4096 and blk != b"\xfb\xff\xff\xff\xfb\xff\xff\xff" + b"\xff" * 4088:
            print("FAIL: round %d: block at %d is neither the guest's nor the fill: %r"
                  % (rnd, off, blk[:16]))
            fails += 1
            break
sys.exit(1 if fails else 0)
PY
after=$(cat "$st/unfilled_maps")
echo "unfilled_maps $before -> $after, unreported_blocks $(cat "$st/unreported_blocks")"
[ "$after" -gt $((before + 256)) ] ||
	{ echo "FAIL: the 1 MiB reads did not take the unfilled path"; exit 1; }
# every block of those requests went back (the page stack does not count as used)
for _ in $(seq 50); do	# fuse sends RELEASE in the background: let it finish
	[ "$(cat "$st/pool_used_bytes")" -le "$idle" ] && break
	sleep 0.2
done
[ "$(cat "$st/pool_used_bytes")" -le "$idle" ] ||
	{ echo "FAIL: pool_used_bytes $idle before, $(cat "$st/pool_used_bytes") after"; exit 1; }
# The old behaviour, selectable at run time (unmap follows each block's own state).
echo 0 > "$param"
rc=0
python3 - "$WORK" expect-fill <<'PY' || rc=$?
import mmap, os, sys
work = sys.argv[1]
buf = mmap.mmap(-1, 1 << 20)
buf[:] = b"U" * (1 << 20)
fd = os.open(os.path.join(work, "small"), os.O_RDONLY | os.O_DIRECT)
n = os.preadv(fd, [buf], 0)
os.close(fd)
rest = buf[100:4096]
if n != 100 or buf[:100] != b"b" * 100 or rest != b"\xff" * len(rest):
    print("FAIL: skip_fill=0: got %d bytes, rest %r" % (n, rest[:16]))
    sys.exit(1)
PY
echo 1 > "$param"
[ "$rc" = 0 ] || exit 1
[ "$(cat "$st/unfilled_maps")" = "$after" ] ||
	{ echo "FAIL: skip_fill=0 still mapped without the fill"; exit 1; }
rm -rf "$WORK"
echo PASS
