#!/bin/bash
# Escape attempts through the ivshmd virtio-fs export all fail or stay
# inside: symlinks made in the guest (absolute to /etc/passwd, relative with
# ../.., to host paths outside the exported directory) are resolved by the
# guest's kernel, never followed by the server on the host; rename/link out
# of the mount is EXDEV; '.' and '..' cannot be created or removed; and a
# swapped-directory race (a directory and a symlink to a host directory
# outside the export exchanged with RENAME_EXCHANGE while another process
# creates files "in the directory") creates nothing outside the export.
# The host side is checked through vm-run's uncached /vmout share, which is
# the exported directory's parent on the host.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect
# timeout: 90
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_workdir escape
outside=$(dirname "$IVSHMD_FS_DIR")	# host path of the export's parent
hostout=$(dirname "$IVSHMD_FS_VIEW")	# the same host directory, seen from here
before=$(ls -a "$hostout")
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The guest's /etc/passwd differs from the host's (overlay upper layer).
marker="ivfs-escape-marker-$$-$RANDOM"
echo "$marker:x:4242:4242::/nonexistent:/bin/false" >> /etc/passwd

ln -s /etc/passwd "$WORK/pw"
grep -q "$marker" "$WORK/pw" || bad "absolute symlink not resolved by the guest"
[ "$(readlink "$HOSTWORK/pw")" = /etc/passwd ] && [ -L "$HOSTWORK/pw" ] ||
	bad "host does not hold the symlink itself"
ln -s ../../../../../../../../../../etc "$WORK/up"
grep -q "$marker" "$WORK/up/passwd" || bad "relative ../ symlink not resolved by the guest"
# A symlink to the host path of the export's parent: the guest resolves it
# in its own root (the host root's overlay copy), so whatever it writes
# there must never show up in the host's directory.
ln -s "$outside" "$WORK/outside"
echo x 2>/dev/null > "$WORK/outside/escape-write" || true
mkdir "$WORK/outside/escape-mkdir" 2>/dev/null || true
python3 - "$WORK" <<'PY' || fails=$((fails + 1))
import errno, os, sys
w = sys.argv[1]
open(os.path.join(w, "f"), "w").write("data")
def want(name, fn, code):
    try:
        fn()
        got = None
    except OSError as e:
        got = e.errno
    if got != code:
        print("FAIL: %s: got %s want %s" % (name, errno.errorcode.get(got, got),
                                            errno.errorcode.get(code, code)))
        sys.exit(1)
    print("%s: %s" % (name, errno.errorcode.get(got, "ok")))
want("rename out", lambda: os.rename(os.path.join(w, "f"), "/tmp/f"), errno.EXDEV)
want("link out", lambda: os.link(os.path.join(w, "f"), "/tmp/f"), errno.EXDEV)
want("rename dir out", lambda: os.rename(w, "/tmp/escape"), errno.EXDEV)
want("mkdir ..", lambda: os.mkdir(os.path.join(w, "..")), errno.EEXIST)
want("rmdir .", lambda: os.rmdir(os.path.join(w, ".")), errno.EINVAL)
want("rename to ..", lambda: os.rename(os.path.join(w, "f"), os.path.join(w, "..")),
     errno.EBUSY)
root = os.open("/mnt/ivfs", os.O_RDONLY)
want("parent of the mount root is the guest's", lambda: None if
     os.stat("..", dir_fd=root).st_ino == os.stat("/mnt").st_ino else
     (_ for _ in ()).throw(OSError(errno.EIO, "")), None)
PY

# Swapped-directory race: "real" (a directory) and "sneaky" (a symlink to
# the host path of the export's parent) swap places all the time while
# files, directories and symlinks are created and renamed "in real".
mkdir "$WORK/real"
ln -s "$outside" "$WORK/sneaky"
python3 - "$WORK" <<'PY' || fails=$((fails + 1))
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
w = sys.argv[1]
a, b = (w + "/real").encode(), (w + "/sneaky").encode()
pid = os.fork()
if pid == 0:
    end = time.time() + 5
    n = 0
    while time.time() < end:
        libc.renameat2(-100, a, -100, b, 2)
        n += 1
    print("racer: %d exchanges" % n)
    os._exit(0)
made = refused = i = 0
end = time.time() + 5
while time.time() < end:
    i += 1
    for fn in (lambda: os.close(os.open(w + "/real/esc-%d" % i, os.O_CREAT | os.O_WRONLY)),
               lambda: os.mkdir(w + "/real/escd-%d" % i),
               lambda: os.symlink("/etc/passwd", w + "/real/escl-%d" % i),
               lambda: os.rename(w + "/real/esc-%d" % i, w + "/real/escr-%d" % i)):
        try:
            fn()
            made += 1
        except OSError:
            refused += 1
os.waitpid(pid, 0)
print("race: %d rounds, %d operations succeeded, %d refused" % (i, made, refused))
if made == 0:
    print("FAIL: the race never hit the directory (test too weak)")
    sys.exit(1)
PY
echo "$(find "$WORK" -name 'esc*' | wc -l) objects inside the export"
after=$(ls -a "$hostout")
if [ "$before" != "$after" ]; then
	bad "something appeared outside the export on the host:"
	diff <(echo "$before") <(echo "$after") || true
fi
sed -i "/$marker/d" /etc/passwd
rm -rf "$WORK"
[ "$fails" = 0 ] || exit 1
echo PASS
