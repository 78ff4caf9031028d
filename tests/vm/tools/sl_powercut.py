#!/usr/bin/python3 -S
# SPDX-License-Identifier: GPL-2.0
"""sl_powercut: the workload, the dm-log-writes replayer and the checker of
tests/vm/stripelog-power-cut.sh, in one process (Python starts slowly under
TCG, and Debian ships no replay-log).

  sl_powercut.py workload DEV STATE ROUNDS LWDEV...
      ROUNDS rounds of random 4 KiB writes + a few discards over the first
      REGION blocks of DEV (O_DIRECT), each ended by fsync (REQ_PREFLUSH) and
      a mark "m<i>" on every dm-log-writes device; then one round without
      fsync.  Mark "m-1" is set first.  Models go to STATE.
  sl_powercut.py check STATE ROUNDS PLOG PBASE CLOG CBASE TABLE_OPTS
      replays the perf log onto PBASE and the capacity log onto CBASE (blank
      files of the raw device sizes) to every mark and to flush/FUA points
      of the perf log between marks where the capacity log is quiet, loads
      each state as a stripelog volume and checks it:
        at mark i: every block holds exactly its version after round i;
        between mark i and i+1: every block holds its version after round i
        or a version written in round i+1 -- never anything else.
  sl_powercut.py replay-to-mark LOG DST MARK
      apply the log's entries up to and including mark MARK to DST (a blank
      copy of the logged device): the device as a power cut right after
      the mark would have left it (used by scripts/demo-stripelog).

Blocks hold (lba + 1, generation) repeated; zeros = never written/discarded.
dm-log-writes log: a superblock (magic, version, nr_entries, sectorsize) in
the first sector, then per entry one sector {sector, nr_sectors, flags,
data_len} (+ mark text) followed by the data (none for discards).
"""
import fcntl
import mmap
import os
import random
import shutil
import struct
import subprocess
import sys

BS = 4096
BLKDISCARD = 0x1277
REGION = 1024
LW_MAGIC = 0x6a736677736872
LW_FLUSH, LW_FUA, LW_DISCARD, LW_MARK = 1, 2, 4, 8


def pattern(lba, gen):
    if gen == 0:
        return bytes(BS)
    return struct.pack('<QQ', lba + 1, gen) * (BS // 16)


def decode(buf, lba):
    if buf == bytes(BS):
        return 0
    lb, gen = struct.unpack_from('<QQ', buf, 0)
    if lb != lba + 1 or buf != pattern(lba, gen):
        return -1
    return gen


def sh(*args):
    subprocess.run(args, check=True)


def workload(dev, state, rounds, lwdevs):
    def mark(name):
        for d in lwdevs:
            sh('dmsetup', 'message', d, '0', 'mark', name)

    model = {}
    buf = mmap.mmap(-1, BS)
    fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
    mark('m-1')
    # SL_POWERCUT_CKPT=<dm name>: force a map checkpoint halfway through each
    # round, so replayed states lie before, across and after checkpoints.
    ckpt = os.environ.get('SL_POWERCUT_CKPT')
    for i in range(rounds + 1):
        rnd = random.Random(1000 + i)
        cands = {}
        gen = (i + 1) * 100000
        for k in range(30 if i < rounds else 20):
            if ckpt and k == 15:
                sh('dmsetup', 'message', ckpt, '0', 'checkpoint')
            lba = rnd.randrange(REGION)
            if rnd.random() < 0.05:
                cnt = min(rnd.randrange(1, 9), REGION - lba)
                fcntl.ioctl(fd, BLKDISCARD, struct.pack('QQ', lba * BS, cnt * BS))
                for b in range(lba, lba + cnt):
                    model[b] = 0
                    cands.setdefault(b, []).append(0)
                continue
            gen += 1
            buf.seek(0)
            buf.write(pattern(lba, gen))
            if os.pwrite(fd, buf, lba * BS) != BS:
                sys.exit('short write')
            model[lba] = gen
            cands.setdefault(lba, []).append(gen)
        if i < rounds:
            os.fsync(fd)
            mark('m%d' % i)
        with open(os.path.join(state, 'model-%d' % i), 'w') as f:
            f.write(repr(model))
        with open(os.path.join(state, 'cands-%d' % i), 'w') as f:
            f.write(repr(cands))
    os.close(fd)
    print('workload: %d rounds, %d blocks touched' % (rounds, len(model)))


def read_log(path):
    """Return (sectorsize, [(flags, sector, nr_sectors, data_offset, mark)])."""
    with open(path, 'rb') as f:
        magic, version, nr, ss = struct.unpack('<QQQI', f.read(28))
        if magic != LW_MAGIC or version != 1 or ss < 512 or ss & (ss - 1):
            sys.exit('%s: not a dm-log-writes log' % path)
        ents = []
        pos = ss
        for _ in range(nr):
            f.seek(pos)
            sec = f.read(ss)
            sector, nsec, flags, dlen = struct.unpack_from('<QQQQ', sec, 0)
            pos += ss
            mark = sec[32:32 + min(dlen, ss - 32)].decode() if flags & LW_MARK else None
            ents.append((flags, sector, nsec, pos, mark))
            if not flags & LW_DISCARD:
                pos += nsec * ss
    return ss, ents


def replay(log, ss, ents, dst, a, b):
    with open(log, 'rb') as src, open(dst, 'r+b') as out:
        for flags, sector, nsec, off, _ in ents[a:b]:
            if not nsec:
                continue
            if flags & LW_DISCARD:
                data = bytes(nsec * ss)
            else:
                src.seek(off)
                data = src.read(nsec * ss)
            out.seek(sector * ss)
            out.write(data)


def verify(dev, state, i, between):
    def load(name):
        try:
            with open(os.path.join(state, name)) as f:
                return eval(f.read())
        except FileNotFoundError:
            return {}

    model = load('model-%d' % i)
    cands = load('cands-%d' % (i + 1)) if between else {}
    buf = mmap.mmap(-1, BS)
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    bad = 0
    lbas = sorted(set(model) | set(cands))
    for lba in lbas:
        if os.preadv(fd, [buf], lba * BS) != BS:
            sys.exit('short read')
        got = decode(bytes(buf), lba)
        ok = {model.get(lba, 0)} | set(cands.get(lba, []))
        if got not in ok:
            bad += 1
            if bad <= 10:
                print('  block %d holds generation %d, expected one of %s' %
                      (lba, got, sorted(ok)))
    os.close(fd)
    return bad, len(lbas)


def check(state, rounds, plog, pbase, clog, cbase, opts):
    pss, pents = read_log(plog)
    css, cents = read_log(clog)
    print('perf log: %d entries, capacity log: %d entries' % (len(pents), len(cents)))

    def idx(ents, name):
        for n, e in enumerate(ents):
            if e[4] == name:
                return n
        sys.exit('mark %s missing from a log' % name)

    points = []
    for i in range(-1, rounds):
        p0, c0 = idx(pents, 'm%d' % i), idx(cents, 'm%d' % i)
        points.append((p0 + 1, c0 + 1, False, i))
        if i + 1 < rounds:
            p1, c1 = idx(pents, 'm%d' % (i + 1)), idx(cents, 'm%d' % (i + 1))
        else:
            p1, c1 = len(pents), len(cents)
        # Perf at a flush point with capacity at mark i is a real crash state
        # only if the capacity log holds no write between the two marks.
        if any(not (e[0] & LW_MARK) for e in cents[c0 + 1:c1]):
            continue
        fl = [n for n in range(p0 + 1, p1) if pents[n][0] & (LW_FLUSH | LW_FUA)]
        for n in sorted(set(fl[:1] + fl[-1:])):
            points.append((n + 1, c0 + 1, True, i))
    points.sort(key=lambda p: (p[0], p[1]))
    print('%d checkpoints' % len(points))
    pdone = cdone = 0
    nmark = nflush = 0
    from_ckpt = []
    work = os.path.dirname(pbase)
    pscr, cscr = os.path.join(work, 'pscr'), os.path.join(work, 'cscr')
    for p, c, between, i in points:
        replay(plog, pss, pents, pbase, pdone, p)
        replay(clog, css, cents, cbase, cdone, c)
        pdone, cdone = p, c
        shutil.copyfile(pbase, pscr)
        shutil.copyfile(cbase, cscr)
        pl = subprocess.run(['losetup', '-f', '--show', pscr], check=True,
                            capture_output=True, text=True).stdout.strip()
        cl = subprocess.run(['losetup', '-f', '--show', cscr], check=True,
                            capture_output=True, text=True).stdout.strip()
        try:
            with open(os.path.join(state, 'size')) as f:
                size = f.read().strip()
            table = '0 %s stripelog %s 1 0 %s %s' % (size, pl, cl, opts)
            r = subprocess.run(['dmsetup', 'create', '--noudevsync', 'slrp', '--table', table])
            if r.returncode:
                sys.exit('recovery refused the state replayed to perf entry %d, '
                         'capacity entry %d' % (p, c))
            sh('dmsetup', 'mknodes', 'slrp')
            st = subprocess.run(['dmsetup', 'status', 'slrp'], check=True,
                                capture_output=True, text=True).stdout.split()
            if 'recovery' in st and st[st.index('recovery') + 1] == 'ckpt' and \
                    int(st[st.index('ckpt_gen') + 1]) > 1:
                from_ckpt.append(p)
            bad, n = verify('/dev/mapper/slrp', state, i, between)
            sh('dmsetup', 'remove', '--retry', '--noudevsync', 'slrp')
        finally:
            subprocess.run(['losetup', '-d', pl, cl])
        what = ('between m%d and m%d' % (i, i + 1)) if between else ('at m%d' % i)
        print('perf entry %4d, capacity entry %3d: %4d blocks %s: %s' %
              (p, c, n, what, 'BAD %d' % bad if bad else 'ok'))
        if bad:
            sys.exit('replayed state fails its check')
        if between:
            nflush += 1
        else:
            nmark += 1
    print('checked %d mark states and %d flush-point states; %d recovered from a '
          'checkpoint written during the run' % (nmark, nflush, len(from_ckpt)))
    if os.environ.get('SL_POWERCUT_CKPT') and not from_ckpt:
        sys.exit('no replayed state recovered from a checkpoint written by the workload')
    if nmark != rounds + 1:
        sys.exit('expected %d mark states' % (rounds + 1))


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == 'workload':
        workload(a[1], a[2], int(a[3]), a[4:])
    elif len(a) == 4 and a[0] == 'replay-to-mark':
        ss, ents = read_log(a[1])
        n = [k for k, e in enumerate(ents) if e[4] == a[3]]
        if not n:
            sys.exit('mark %s not in %s' % (a[3], a[1]))
        replay(a[1], ss, ents, a[2], 0, n[0] + 1)
        print('%s: replayed %d of %d entries (up to mark %s)' % (a[2], n[0] + 1, len(ents), a[3]))
    elif len(a) == 8 and a[0] == 'check':
        check(a[1], int(a[2]), a[3], a[4], a[5], a[6], a[7])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
