#!/usr/bin/env python3
"""fs-random.py ROOT SEED NOPS [MANIFEST]: random operations on many files
under ROOT (create, write at random offsets, truncate, rename within and
across directories and over existing names, hard links, unlink, mkdir),
checked against an in-memory model: every result (success or errno) must be
what the model predicts, a random file is read back every few operations,
and at the end the whole tree must equal the model.  Writes MANIFEST lines
"path nlink size md5" for comparing with another view of the same tree.

fs-random.py --concurrent ROOT SEED: N forked writers, each on its own files
and on disjoint blocks of one shared file, plus create/unlink churn in one
shared directory; every byte is verified afterwards.
"""
import errno
import hashlib
import os
import random
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def readall(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                return b"".join(chunks)
            chunks.append(b)
    finally:
        os.close(fd)


def random_ops(root, seed, nops, manifest):
    rnd = random.Random(seed)
    dirs = ["", "a", "b", "a/c"]
    for d in dirs[1:]:
        os.mkdir(os.path.join(root, d))
    names = {}    # relative path -> inode id
    inodes = {}   # inode id -> bytearray
    next_ino = [0]
    counts = {}

    def P(n):
        return os.path.join(root, n)

    def newname():
        return os.path.join(rnd.choice(dirs), "f%d" % rnd.randrange(400))

    def expect(op, fn, want_errno=None):
        counts[op] = counts.get(op, 0) + 1
        try:
            fn()
            got = None
        except OSError as e:
            got = e.errno
        if got != want_errno:
            fail("%s: got %s, model says %s" % (op, errno.errorcode.get(got, got),
                                               errno.errorcode.get(want_errno, want_errno)))

    def nlink(ino):
        return sum(1 for v in names.values() if v == ino)

    for i in range(nops):
        r = rnd.random()
        if r < 0.2 or not names:
            n = newname()
            exists = n in names
            expect("create-excl", lambda: os.close(os.open(P(n), os.O_CREAT | os.O_EXCL |
                                                           os.O_WRONLY, 0o644)),
                   errno.EEXIST if exists else None)
            if not exists:
                names[n] = next_ino[0]
                inodes[next_ino[0]] = bytearray()
                next_ino[0] += 1
            continue
        n = rnd.choice(sorted(names))
        ino = names[n]
        if r < 0.5:
            off = rnd.choice([0, len(inodes[ino]), rnd.randrange(150000)])
            data = rnd.randbytes(rnd.choice([1, 100, 4096, 5000, 70000, 140000]))

            def w():
                fd = os.open(P(n), os.O_WRONLY)
                try:
                    if os.pwrite(fd, data, off) != len(data):
                        fail("short write")
                finally:
                    os.close(fd)
            expect("write", w)
            buf = inodes[ino]
            if len(buf) < off:
                buf.extend(bytes(off - len(buf)))
            buf[off:off + len(data)] = data
        elif r < 0.6:
            size = rnd.choice([0, 1, 4095, rnd.randrange(200000)])
            expect("truncate", lambda: os.truncate(P(n), size))
            buf = inodes[ino]
            if size < len(buf):
                del buf[size:]
            else:
                buf.extend(bytes(size - len(buf)))
        elif r < 0.72:
            t = newname()
            if t == n:
                continue
            expect("rename", lambda: os.rename(P(n), P(t)))
            if names.get(t) == ino:
                continue    # two links of one inode: POSIX rename does nothing
            names[t] = names.pop(n)
        elif r < 0.8:
            t = newname()
            expect("link", lambda: os.link(P(n), P(t)), errno.EEXIST if t in names else None)
            if t not in names:
                names[t] = ino
        elif r < 0.9:
            expect("unlink", lambda: os.unlink(P(n)))
            del names[n]
            if not nlink(ino):
                del inodes[ino]
        else:
            expect("read", lambda: None)
            got = readall(P(n))
            if got != bytes(inodes[ino]):
                fail("op %d: %s content differs from the model (%d vs %d bytes)" %
                     (i, n, len(got), len(inodes[ino])))
            st = os.stat(P(n))
            if st.st_size != len(inodes[ino]) or st.st_nlink != nlink(ino):
                fail("%s: size/nlink %d/%d, model %d/%d" % (n, st.st_size, st.st_nlink,
                                                             len(inodes[ino]), nlink(ino)))
        expect("missing", lambda: os.stat(P("a/none")), errno.ENOENT)

    # The whole tree against the model.
    seen = set()
    for d, subdirs, files in os.walk(root):
        for f in files:
            seen.add(os.path.relpath(os.path.join(d, f), root))
    if seen != set(names):
        fail("tree names differ: extra %s missing %s" % (sorted(seen - set(names))[:5],
                                                         sorted(set(names) - seen)[:5]))
    lines = []
    for n in sorted(names):
        got = readall(P(n))
        if got != bytes(inodes[names[n]]):
            fail("final: %s differs from the model" % n)
        lines.append("%s %d %d %s" % (n, nlink(names[n]), len(got),
                                      hashlib.md5(got).hexdigest()))
    with open(manifest, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%d ops %s; %d files, %d bytes match the model" %
          (nops, " ".join("%s=%d" % kv for kv in sorted(counts.items())), len(names),
           sum(len(inodes[names[n]]) for n in names)))


def concurrent(root, seed, nwriters=4):
    shared = os.path.join(root, "shared")
    blk = 4096
    nblk = 256
    fd = os.open(shared, os.O_CREAT | os.O_RDWR, 0o644)
    os.close(fd)
    pids = []
    for w in range(nwriters):
        pid = os.fork()
        if pid == 0:
            rnd = random.Random(seed * 100 + w)
            own = os.path.join(root, "own%d" % w)
            data = rnd.randbytes(1 << 20)
            fo = os.open(own, os.O_CREAT | os.O_RDWR, 0o644)
            fs = os.open(shared, os.O_RDWR)
            order = list(range(0, len(data), 32768))
            rnd.shuffle(order)
            for k, off in enumerate(order):
                os.pwrite(fo, data[off:off + 32768], off)
                b = (k * nwriters + w) % nblk
                if b % nwriters == w:
                    os.pwrite(fs, bytes([w + 1]) * blk, b * blk)
                churn = os.path.join(root, "churn-%d-%d" % (w, k))
                with open(churn, "wb") as f:
                    f.write(b"x" * k)
                if k % 2:
                    os.unlink(churn)
            for b in range(w, nblk, nwriters):
                os.pwrite(fs, bytes([w + 1]) * blk, b * blk)
            os.close(fs)
            os.close(fo)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        if st:
            fail("writer exited with %d" % st)
    for w in range(nwriters):
        rnd = random.Random(seed * 100 + w)
        if readall(os.path.join(root, "own%d" % w)) != rnd.randbytes(1 << 20):
            fail("own%d corrupted" % w)
    got = readall(shared)
    for b in range(nblk):
        if got[b * blk:(b + 1) * blk] != bytes([b % nwriters + 1]) * blk:
            fail("shared block %d has the wrong writer's bytes" % b)
    left = sorted(n for n in os.listdir(root) if n.startswith("churn-"))
    want = sorted("churn-%d-%d" % (w, k) for w in range(nwriters) for k in range(0, 32, 2))
    if left != want:
        fail("churn directory: %d entries, want %d" % (len(left), len(want)))
    print("%d writers: own files, %d shared blocks and %d churn entries verified" %
          (nwriters, nblk, len(left)))


if sys.argv[1] == "--concurrent":
    concurrent(sys.argv[2], int(sys.argv[3]))
else:
    random_ops(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
               sys.argv[4] if len(sys.argv) > 4 else os.devnull)
