#!/bin/bash
# The ivshmd serving the virtio-fs mount is killed (SIGKILL) while the guest
# writes and lists files: outstanding and new operations fail with EIO
# within seconds instead of hanging, the mount can be unmounted and the
# transport unloaded, and the kernel log stays free of WARN/oops/hung tasks
# (vm-suite checks).  Runs last in its boot (the server is gone afterwards).
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect
# timeout: 120
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir killed
pci=$(cd /sys/bus/pci/drivers/virtio-ivshmem && ls -d 0000:* | head -n1)
st=/sys/bus/pci/devices/$pci/virtio_ivshmem
echo 2000 > /sys/module/virtio_ivshmem/parameters/dead_ms 2>/dev/null || true
echo 3000 > /sys/module/virtio_ivshmem/parameters/ack_timeout_ms 2>/dev/null || true

# The writer and the lister record the errno of their first failure by name.
python3 - "$WORK" > /tmp/killed-writer.out 2>&1 <<'PY' &
import errno, os, sys
work, i, block = sys.argv[1], 0, b"w" * 65536
try:
    while True:
        i += 1
        fd = os.open("%s/w%d" % (work, i % 8), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for _ in range(16):
                os.write(fd, block)
            os.fsync(fd)
        finally:
            os.close(fd)
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)), e)
    sys.exit(3)
PY
writer=$!
python3 - "$WORK" > /tmp/killed-lister.out 2>&1 <<'PY' &
import errno, os, sys
work = sys.argv[1]
try:
    while True:
        for name in os.listdir(work):
            os.lstat(os.path.join(work, name))
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)), e)
    sys.exit(4)
PY
lister=$!
sleep 3
kill -0 "$writer" || { echo "FAIL: the writer failed before the kill"; cat /tmp/killed-writer.out; exit 1; }
kill -0 "$lister" || { echo "FAIL: the lister failed before the kill"; cat /tmp/killed-lister.out; exit 1; }
echo "killing the server with I/O in flight"
echo KILL > /vmout/kill-ivshmd
for _ in $(seq 100); do [ -e /vmout/ivshmd-killed ] && break; sleep 0.1; done
[ -e /vmout/ivshmd-killed ] || { echo "FAIL: vm-run did not kill ivshmd"; exit 1; }
t0=$SECONDS
rc=0; wait "$writer" || rc=$?
rl=0; wait "$lister" || rl=$?
echo "writer exit $rc, lister exit $rl, $((SECONDS - t0)) s after the kill; state: $(cat $st/state)"
echo "writer: $(cat /tmp/killed-writer.out)"
echo "lister: $(cat /tmp/killed-lister.out)"
[ "$rc" = 3 ] && [ "$rl" = 4 ] || { echo "FAIL: operations did not fail"; exit 1; }
[ $((SECONDS - t0)) -lt 30 ] || { echo "FAIL: operations took too long to fail"; exit 1; }
[ "$(cat $st/state)" != alive ] || { echo "FAIL: device not declared dead"; exit 1; }
# Outstanding operations fail with EIO, as I/O on a virtio-blk disk does
# (the transport's failed-completion fill), not EPERM or anything else.
for who in writer lister; do
	name=$(awk 'NR == 1 { print $1 }' "/tmp/killed-$who.out")
	[ "$name" = EIO ] || { echo "FAIL: the $who failed with $name, not EIO"; exit 1; }
done

# New operations of every kind fail at once, each with EIO; none hangs.
r=0
timeout 60 python3 - "$IVFS" "$WORK" <<'PY' || r=$?
import errno, os, sys, time
mnt, work = sys.argv[1], sys.argv[2]
ops = [
    ("open+read", lambda: os.read(os.open(work + "/w1", os.O_RDONLY), 4096)),
    ("listdir", lambda: os.listdir(mnt)),
    ("stat", lambda: os.stat(work)),
    ("create", lambda: os.open(mnt + "/new", os.O_WRONLY | os.O_CREAT, 0o644)),
    ("mkdir", lambda: os.mkdir(mnt + "/newdir")),
    ("unlink", lambda: os.unlink(work + "/w2")),
    ("rename", lambda: os.rename(work + "/w3", mnt + "/w3")),
    ("symlink", lambda: os.symlink("x", work + "/sl")),
    ("statvfs", lambda: os.statvfs(mnt)),
]
bad = 0
for name, fn in ops:
    t = time.monotonic()
    try:
        fn()
        got = "success"
    except OSError as e:
        got = errno.errorcode.get(e.errno, str(e.errno))
    dt = time.monotonic() - t
    ok = got == "EIO" and dt < 2
    bad += not ok
    print("%s %s: %s after %.1f s" % ("ok" if ok else "FAIL", name, got, dt))
sys.exit(1 if bad else 0)
PY
[ "$r" = 0 ] || { echo "FAIL: new operations on the dead server (status $r)"; exit 1; }
r=0; timeout 30 umount "$IVFS" || r=$?
[ "$r" = 0 ] || { echo "FAIL: umount exit $r"; exit 1; }
r=0; timeout 30 rmmod virtio_ivshmem || r=$?
[ "$r" = 0 ] || { echo "FAIL: rmmod exit $r"; exit 1; }
echo PASS
