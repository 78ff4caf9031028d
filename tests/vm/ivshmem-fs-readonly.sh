#!/bin/bash
# ivshmd --fs DIR --readonly: the guest reads the exported tree (a copy of
# Documentation/, compared file by file) but every mutation fails with EROFS
# - create, write, truncate, chmod, chown, utimens, mkdir, unlink,
# rename, link, symlink, mkfifo, setxattr, removexattr, fallocate - and the
# tree is unchanged afterwards.
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slro --ivshmd-fs-seed Documentation --ivshmd-arg --readonly
# timeout: 90
set -euo pipefail
IVFS_TAG=slro
. tests/vm/tools/ivshmem-fs-lib.sh
ivfs_mount
diff -r Documentation "$IVFS" || { echo "FAIL: the export differs from its source"; exit 1; }
echo "read $(find "$IVFS" -type f | wc -l) files, identical to Documentation/"
snap() { (cd "$IVFS" && find . -printf '%p %y %m %s %T@ %n\n' | LC_ALL=C sort); }
before=$(snap)
f=$(cd "$IVFS" && ls | head -n1)
python3 - "$IVFS" "$f" <<'PY'
import errno, os, sys
root, f = sys.argv[1], sys.argv[2]
P = lambda *a: os.path.join(root, *a)
fails = 0
def want(name, fn):
    global fails
    try:
        fn()
        got = None
    except OSError as e:
        got = e.errno
    ok = got == errno.EROFS
    fails += not ok
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, errno.errorcode.get(got, "succeeded")))
def opened(flags, fn=lambda fd: None):
    fd = os.open(P(f), flags)
    try:
        fn(fd)
    finally:
        os.close(fd)
want("create", lambda: os.open(P("new"), os.O_CREAT | os.O_WRONLY, 0o644))
want("open for write", lambda: opened(os.O_WRONLY))
want("open O_TRUNC", lambda: opened(os.O_RDONLY | os.O_TRUNC))
want("truncate", lambda: os.truncate(P(f), 0))
want("chmod", lambda: os.chmod(P(f), 0o600))
want("chown", lambda: os.chown(P(f), 1, 1))
want("utimens", lambda: os.utime(P(f), (1, 1)))
want("mkdir", lambda: os.mkdir(P("d")))
want("unlink", lambda: os.unlink(P(f)))
want("rename", lambda: os.rename(P(f), P("renamed")))
want("link", lambda: os.link(P(f), P("linked")))
want("symlink", lambda: os.symlink("x", P("sym")))
want("mkfifo", lambda: os.mkfifo(P("fifo")))
want("setxattr", lambda: os.setxattr(P(f), "user.x", b"1"))
want("removexattr", lambda: os.removexattr(P(f), "user.x"))
sys.exit(1 if fails else 0)
PY
after=$(snap)
[ "$before" = "$after" ] || { echo "FAIL: the tree changed"; diff <(echo "$before") <(echo "$after"); exit 1; }
echo "tree unchanged ($(echo "$after" | wc -l) entries)"
umount "$IVFS"
echo PASS
