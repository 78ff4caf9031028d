#!/usr/bin/env python3
"""fs-posix.py ROOT OTHER: run a fixed POSIX sequence under ROOT and print one
line per step: the operation and its outcome (errno name, or the observable
result: contents, sorted listings, mode/nlink/uid/gid/size, explicit times).
OTHER is a directory on a different filesystem (for EXDEV).  Nothing printed
depends on the filesystem type, so the same sequence on two filesystems must
print the same text (tests/vm/ivshmem-fs-posix.sh diffs ivshmem vs tmpfs).

--ivshmem: also check what only the ivshmem export does, against fixed
expectations: user.* xattrs (tmpfs in 6.1 has none), other namespaces and
device nodes refused.  Printed first, as "ivshmem ..." lines, not compared.
"""
import ctypes
import errno
import os
import stat
import sys

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE = 1, 2


def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def fallocate(fd, mode, off, length):
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    if libc.fallocate(fd, mode, off, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


ROOT, OTHER = sys.argv[1], sys.argv[2]
XATTR = "--ivshmem" in sys.argv[3:]
out = []


def P(*a):
    return os.path.join(ROOT, *a)


def desc(st):
    kind = stat.S_IFMT(st.st_mode)
    s = "%s mode=%o nlink=%d uid=%d gid=%d" % (
        {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink",
         stat.S_IFIFO: "fifo", stat.S_IFSOCK: "sock"}.get(kind, "other"),
        stat.S_IMODE(st.st_mode), st.st_nlink, st.st_uid, st.st_gid)
    if kind != stat.S_IFDIR:
        s += " size=%d" % st.st_size
    return s


def as_user(fn, uid=1234, gid=4321):
    """Run fn in a child without privileges; its OSError comes back here."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            fn()
        except OSError as e:
            code = 100 + e.errno if e.errno < 150 else 99
        except BaseException:
            code = 99
        os._exit(code)
    rc = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if rc:
        raise OSError(rc - 100 if rc >= 100 else errno.EIO, "as_user")


def step(name, fn):
    try:
        r = fn()
        res = "ok" if r is None else "ok %s" % (r,)
    except OSError as e:
        res = "err %s" % errno.errorcode.get(e.errno, str(e.errno))
    out.append("%s: %s" % (name, res))


def read(path, off=0, n=1 << 20):
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.pread(fd, n, off)
    finally:
        os.close(fd)


def write(path, data, off=0, flags=0):
    fd = os.open(path, os.O_WRONLY | flags)
    try:
        return os.pwrite(fd, data, off)
    finally:
        os.close(fd)


def create(path, mode=0o644, excl=False):
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | (os.O_EXCL if excl else 0), mode)
    os.close(fd)


def listing(path):
    ents = []
    with os.scandir(path) as it:
        for e in it:
            ents.append("%s:%s" % (e.name, "d" if e.is_dir(follow_symlinks=False) else
                                    "l" if e.is_symlink() else "f"))
    return " ".join(sorted(ents))


def tree():
    """Every object under ROOT with its description and content hash."""
    import hashlib
    lines = []
    for d, dirs, files in os.walk(ROOT):
        dirs.sort()
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            st = os.lstat(p)
            s = "%s %s" % (os.path.relpath(p, ROOT), desc(st))
            if stat.S_ISREG(st.st_mode):
                h = hashlib.md5()
                off = 0
                while True:
                    b = read(p, off, 1 << 20)
                    if not b:
                        break
                    h.update(b)
                    off += len(b)
                s += " md5=" + h.hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                t = os.readlink(p)
                s += " -> " + (t if len(t) < 100 else "%s... (%d bytes)" % (t[:20], len(t)))
            lines.append(s)
    return lines


def ivshmem_only():
    def chk(name, fn, want):
        try:
            got = fn()
        except OSError as e:
            got = "err " + errno.errorcode.get(e.errno, str(e.errno))
        if got != want:
            print("FAIL ivshmem %s: got %r want %r" % (name, got, want))
            sys.exit(1)
        print("ivshmem %s: %r" % (name, got))
    create(P("x"))
    chk("set", lambda: os.setxattr(P("x"), "user.a", b"1234"), None)
    chk("get", lambda: os.getxattr(P("x"), "user.a"), b"1234")
    chk("set create exists", lambda: os.setxattr(P("x"), "user.a", b"z", os.XATTR_CREATE),
        "err EEXIST")
    chk("set replace missing", lambda: os.setxattr(P("x"), "user.b", b"z", os.XATTR_REPLACE),
        "err ENODATA")
    chk("set empty", lambda: os.setxattr(P("x"), "user.b", b""), None)
    chk("list", lambda: sorted(os.listxattr(P("x"))), ["user.a", "user.b"])
    chk("get missing", lambda: os.getxattr(P("x"), "user.zz"), "err ENODATA")
    chk("set big", lambda: os.setxattr(P("x"), "user.big", b"v" * 3000), None)
    chk("get big", lambda: len(os.getxattr(P("x"), "user.big")), 3000)
    chk("remove", lambda: os.removexattr(P("x"), "user.a"), None)
    chk("remove again", lambda: os.removexattr(P("x"), "user.a"), "err ENODATA")
    chk("list after", lambda: sorted(os.listxattr(P("x"))), ["user.b", "user.big"])
    chk("trusted set", lambda: os.setxattr(P("x"), "trusted.t", b"1"), "err " + errno.errorcode[errno.EOPNOTSUPP])
    chk("security set", lambda: os.setxattr(P("x"), "security.evil", b"1"),
        "err " + errno.errorcode[errno.EOPNOTSUPP])
    os.mkdir(P("xd"))
    chk("dir set", lambda: os.setxattr(P("xd"), "user.d", b"dir"), None)
    chk("dir get", lambda: os.getxattr(P("xd"), "user.d"), b"dir")
    chk("mknod chr", lambda: os.mknod(P("chr"), 0o600 | stat.S_IFCHR, os.makedev(1, 3)),
        "err EPERM")
    chk("mknod blk", lambda: os.mknod(P("blk"), 0o600 | stat.S_IFBLK, os.makedev(7, 0)),
        "err EPERM")
    os.unlink(P("x"))
    os.rmdir(P("xd"))


os.umask(0o022)
if XATTR:
    ivshmem_only()
    sys.exit(0)
# --- files: create, write, read, truncate
step("create f", lambda: create(P("f")))
step("create f excl", lambda: create(P("f"), excl=True))
step("stat f", lambda: desc(os.lstat(P("f"))))
step("write f", lambda: write(P("f"), b"hello world\n"))
step("read f", lambda: read(P("f")))
step("pwrite f hole", lambda: write(P("f"), b"tail", 100000))
step("stat f", lambda: desc(os.lstat(P("f"))))
step("read f hole", lambda: read(P("f"), 50000, 8))
step("append f", lambda: write(P("f"), b"APP", 0, os.O_APPEND))
step("read f end", lambda: read(P("f"), 99998, 100))
step("truncate f 5", lambda: os.truncate(P("f"), 5))
step("read f", lambda: read(P("f")))
step("truncate f 9000", lambda: os.truncate(P("f"), 9000))
step("read f tail", lambda: read(P("f"), 4, 8))
step("truncate f -1", lambda: os.truncate(P("f"), -1))
step("open trunc", lambda: write(P("f"), b"xy", 0, os.O_TRUNC))
step("stat f", lambda: desc(os.lstat(P("f"))))
step("open missing", lambda: read(P("nope")))
step("open missing/dir", lambda: read(P("nope", "x")))
step("open f/x", lambda: read(P("f", "x")))
step("long name", lambda: create(P("n" * 256)))
step("name 255", lambda: create(P("n" * 255)))
step("unlink 255", lambda: os.unlink(P("n" * 255)))
big = bytes(range(256)) * 4096
step("write 1MiB", lambda: (create(P("big")), write(P("big"), big))[1])
step("read 1MiB ok", lambda: read(P("big"), 0, len(big) + 10) == big)
step("read mid", lambda: read(P("big"), 1000001, 7))
# --- directories
step("mkdir d", lambda: os.mkdir(P("d"), 0o755))
step("mkdir d again", lambda: os.mkdir(P("d")))
step("mkdir f", lambda: os.mkdir(P("f")))
step("mkdir missing/x", lambda: os.mkdir(P("missing", "x")))
step("mkdir d/e", lambda: os.mkdir(P("d", "e"), 0o700))
step("stat d", lambda: desc(os.lstat(P("d"))))
step("create d/g", lambda: create(P("d", "g"), 0o600))
step("rmdir d", lambda: os.rmdir(P("d")))
step("rmdir f", lambda: os.rmdir(P("f")))
step("rmdir missing", lambda: os.rmdir(P("missing")))
step("unlink d", lambda: os.unlink(P("d")))
step("open d for write", lambda: write(P("d"), b"x"))
step("readdir root", lambda: listing(ROOT))
step("readdir d", lambda: listing(P("d")))
for i in range(120):
    create(P("d", "e", "file-%03d" % i))
step("readdir 120", lambda: len(os.listdir(P("d", "e"))))
step("readdir 120 names", lambda: sorted(os.listdir(P("d", "e")))[::17])
for i in range(120):
    os.unlink(P("d", "e", "file-%03d" % i))
step("rmdir d/e", lambda: os.rmdir(P("d", "e")))
step("readdir d", lambda: listing(P("d")))
# --- rename
step("rename f f2", lambda: os.rename(P("f"), P("f2")))
step("stat f", lambda: desc(os.lstat(P("f"))))
step("read f2", lambda: read(P("f2")))
step("rename missing", lambda: os.rename(P("nope"), P("x")))
step("rename over file", lambda: (create(P("h")), os.rename(P("h"), P("f2")))[1])
step("read f2 after", lambda: read(P("f2")))
step("rename dir into itself", lambda: os.rename(P("d"), P("d", "sub")))
step("mkdir d2/x", lambda: (os.mkdir(P("d2")), os.mkdir(P("d2", "x")))[1])
step("rename d over nonempty", lambda: os.rename(P("d"), P("d2")))
step("rename file over dir", lambda: os.rename(P("f2"), P("d2")))
step("rename dir over file", lambda: os.rename(P("d"), P("f2")))
step("rename d/g up", lambda: os.rename(P("d", "g"), P("g")))
step("readdir d", lambda: listing(P("d")))
step("rename noreplace", lambda: renameat2(P("g"), P("f2"), RENAME_NOREPLACE))
step("rename noreplace new", lambda: renameat2(P("g"), P("g2"), RENAME_NOREPLACE))
step("write g2", lambda: write(P("g2"), b"GGG"))
step("rename exchange", lambda: renameat2(P("g2"), P("f2"), RENAME_EXCHANGE))
step("read f2/g2", lambda: (read(P("f2")), read(P("g2"))))
step("rename exchange dir/file", lambda: renameat2(P("d"), P("g2"), RENAME_EXCHANGE))
step("stat d g2", lambda: (desc(os.lstat(P("d"))), desc(os.lstat(P("g2")))))
step("rename out EXDEV", lambda: os.rename(P("f2"), os.path.join(OTHER, "f2")))
step("link out EXDEV", lambda: os.link(P("f2"), os.path.join(OTHER, "f2")))
step("rename in EXDEV", lambda: (create(os.path.join(OTHER, "in")),
                                 os.rename(os.path.join(OTHER, "in"), P("in")))[1])
# --- links
step("link f2 l", lambda: os.link(P("f2"), P("l")))
step("stat l", lambda: desc(os.lstat(P("l"))))
step("link exists", lambda: os.link(P("f2"), P("l")))
step("link dir", lambda: os.link(P("g2"), P("ld")))
step("link missing", lambda: os.link(P("nope"), P("ln")))
step("write via l", lambda: write(P("l"), b"LINKED"))
step("read f2", lambda: read(P("f2")))
step("unlink f2", lambda: os.unlink(P("f2")))
step("stat l", lambda: desc(os.lstat(P("l"))))
step("unlink f2 again", lambda: os.unlink(P("f2")))
# --- symlinks
step("symlink s -> l", lambda: os.symlink("l", P("s")))
step("readlink s", lambda: os.readlink(P("s")))
step("read via s", lambda: read(P("s")))
step("lstat s", lambda: desc(os.lstat(P("s")))[:20])
step("symlink exists", lambda: os.symlink("x", P("s")))
step("readlink file", lambda: os.readlink(P("l")))
step("symlink dangling", lambda: os.symlink("nowhere", P("dang")))
step("read dangling", lambda: read(P("dang")))
step("symlink loop", lambda: (os.symlink("loop2", P("loop1")), os.symlink("loop1", P("loop2")))[1])
step("read loop", lambda: read(P("loop1")))
step("symlink dir", lambda: os.symlink("g2", P("sd")))
step("create via sd", lambda: create(P("sd", "inner")))
step("readdir g2", lambda: listing(P("g2")))
step("unlink s", lambda: os.unlink(P("s")))
step("long target", lambda: os.symlink("t" * 4000, P("longt")))
step("readlink long", lambda: len(os.readlink(P("longt"))))
# --- fifo
step("mkfifo", lambda: os.mkfifo(P("fifo"), 0o640))
step("stat fifo", lambda: desc(os.lstat(P("fifo"))))
# --- attributes
step("chmod l 600", lambda: os.chmod(P("l"), 0o600))
step("stat l", lambda: desc(os.lstat(P("l"))))
step("chmod d 1777", lambda: os.chmod(P("d"), 0o1777))
step("stat d", lambda: desc(os.lstat(P("d"))))
step("chown l", lambda: os.chown(P("l"), 1234, 5678))
step("stat l", lambda: desc(os.lstat(P("l"))))
step("lchown sd", lambda: os.lchown(P("sd"), 42, 43))
step("stat sd g2", lambda: (desc(os.lstat(P("sd")))[:30], desc(os.lstat(P("g2")))))
step("utime l", lambda: os.utime(P("l"), ns=(1000000000123456789, 1500000000987654321)))
step("times l", lambda: (os.lstat(P("l")).st_atime_ns, os.lstat(P("l")).st_mtime_ns))
step("utime d", lambda: os.utime(P("d"), (86400, 172800)))
step("times d", lambda: (os.lstat(P("d")).st_atime_ns, os.lstat(P("d")).st_mtime_ns))
step("lutime sd", lambda: os.utime(P("sd"), (5, 6), follow_symlinks=False))
step("mtime sd", lambda: os.lstat(P("sd")).st_mtime_ns)
step("chmod missing", lambda: os.chmod(P("nope"), 0o600))
step("access l R", lambda: os.access(P("l"), os.R_OK))
step("access missing", lambda: os.access(P("nope"), os.F_OK))
# --- fallocate
step("create fa", lambda: create(P("fa")))
step("fallocate", lambda: (lambda fd: (fallocate(fd, 0, 0, 65536), os.close(fd)))(
    os.open(P("fa"), os.O_RDWR))[0])
step("stat fa", lambda: desc(os.lstat(P("fa"))))
step("fallocate keep", lambda: (lambda fd: (fallocate(fd, FALLOC_FL_KEEP_SIZE, 65536, 65536),
                                            os.close(fd)))(os.open(P("fa"), os.O_RDWR))[0])
step("stat fa", lambda: desc(os.lstat(P("fa"))))
step("write fa", lambda: write(P("fa"), b"\xff" * 65536))
step("punch hole", lambda: (lambda fd: (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                                  4096, 8192), os.close(fd)))(
    os.open(P("fa"), os.O_RDWR))[0])
step("read fa", lambda: (read(P("fa"), 4090, 12), read(P("fa"), 12286, 4)))
step("fallocate ro fd", lambda: (lambda fd: (fallocate(fd, 0, 0, 10), os.close(fd)))(
    os.open(P("fa"), os.O_RDONLY)))
# --- set-id bits: a writer without CAP_FSETID (uid 1234) clears S_ISUID,
# and S_ISGID when the group may execute (over ivshmem-fs the server does it:
# FUSE_HANDLE_KILLPRIV_V2); root keeps them
step("create sid", lambda: create(P("sid")))
step("chmod sid 6777", lambda: os.chmod(P("sid"), 0o6777))
step("root write sid", lambda: write(P("sid"), b"r"))
step("stat sid", lambda: desc(os.lstat(P("sid"))))
step("user write sid", lambda: as_user(lambda: write(P("sid"), b"u", 1)))
step("stat sid", lambda: desc(os.lstat(P("sid"))))
step("chmod sid 2767", lambda: os.chmod(P("sid"), 0o2767))
step("user write sid", lambda: as_user(lambda: write(P("sid"), b"u", 2)))
step("stat sid", lambda: desc(os.lstat(P("sid"))))
step("chmod sid 4777", lambda: os.chmod(P("sid"), 0o4777))
step("user truncate sid", lambda: as_user(lambda: os.truncate(P("sid"), 1)))
step("stat sid", lambda: desc(os.lstat(P("sid"))))
step("chmod sid 6777", lambda: os.chmod(P("sid"), 0o6777))
step("user open trunc sid", lambda: as_user(
    lambda: os.close(os.open(P("sid"), os.O_WRONLY | os.O_TRUNC))))
step("stat sid", lambda: desc(os.lstat(P("sid"))))
# --- statfs, fsync, lseek
step("statvfs", lambda: os.statvfs(ROOT).f_namemax)
step("fsync", lambda: (lambda fd: (os.fsync(fd), os.close(fd)))(os.open(P("fa"), os.O_RDWR))[0])
step("fsync dir", lambda: (lambda fd: (os.fsync(fd), os.close(fd)))(os.open(ROOT, os.O_RDONLY))[0])
step("lseek end", lambda: (lambda fd: (os.lseek(fd, 0, os.SEEK_END), os.close(fd)))(
    os.open(P("fa"), os.O_RDONLY))[0])
# --- unlink everything left
step("unlink dir as file", lambda: os.unlink(P("g2")))
step("rmdir g2 nonempty", lambda: os.rmdir(P("g2")))
step("final tree", lambda: "\n  " + "\n  ".join(tree()))
for p in ["dang", "loop1", "loop2", "longt", "fifo", "fa", "sid", "l", "big", "sd", "g2/inner"]:
    step("unlink " + p, lambda p=p: os.unlink(P(p)))
step("rmdir all", lambda: [os.rmdir(P(x)) for x in ["d2/x", "d2", "g2"]] and None)
step("rename d", lambda: os.rename(P("d"), P("dd")))
step("readdir root", lambda: listing(ROOT))
step("cleanup", lambda: os.unlink(P("dd")))
step("readdir root empty", lambda: listing(ROOT))

print("\n".join(out))
