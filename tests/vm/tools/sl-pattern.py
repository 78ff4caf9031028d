#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sl-pattern: self-describing block patterns for the stripelog VM tests.

Every 4 KiB block written holds (lba, generation) repeated, so a block read
back tells which write it came from; zeros mean never written / discarded.

  sl-pattern.py round DEV STATE I [--blocks N] [--region R] [--no-sync]
      round I: random writes and a few discards over blocks [0, R) of DEV,
      O_DIRECT; then fsync (a REQ_PREFLUSH) unless --no-sync.  Saves the
      expected contents after the round (STATE/model-I.json) and every
      version written during it (STATE/cands-I.json).
  sl-pattern.py verify DEV STATE I
      after mark I: every block must hold exactly the version of model-I.
  sl-pattern.py between DEV STATE I
      a cut after mark I (before mark I+1): every block must hold its
      model-I version or one written during round I+1 -- never anything else.
"""
import fcntl
import json
import mmap
import os
import random
import struct
import sys

BS = 4096
BLKDISCARD = 0x1277


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


def load(state, name):
    try:
        with open(os.path.join(state, name)) as f:
            return {int(k): v for k, v in json.load(f).items()}
    except FileNotFoundError:
        return {}


def save(state, name, obj):
    with open(os.path.join(state, name), 'w') as f:
        json.dump(obj, f)


def do_round(dev, state, i, nblocks, region, sync):
    rnd = random.Random(1000 + i)
    model = load(state, 'model-%d.json' % (i - 1)) if i > 0 else {}
    cands = {}
    buf = mmap.mmap(-1, BS)
    fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
    gen = i * 100000
    for n in range(nblocks):
        lba = rnd.randrange(region)
        if rnd.random() < 0.04:
            cnt = rnd.randrange(1, 9)
            cnt = min(cnt, region - lba)
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
    if sync:
        os.fsync(fd)
    os.close(fd)
    save(state, 'model-%d.json' % i, model)
    save(state, 'cands-%d.json' % i, cands)
    print('round %d: %d requests, %d distinct blocks' % (i, nblocks, len(cands)))


def read_all(dev, lbas):
    buf = mmap.mmap(-1, BS)
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    out = {}
    for lba in lbas:
        n = os.preadv(fd, [buf], lba * BS)
        if n != BS:
            sys.exit('short read at block %d' % lba)
        out[lba] = decode(bytes(buf), lba)
    os.close(fd)
    return out


def verify(dev, state, i, between):
    model = load(state, 'model-%d.json' % i) if i >= 0 else {}
    cands = load(state, 'cands-%d.json' % (i + 1)) if between else {}
    lbas = sorted(set(model) | set(cands))
    got = read_all(dev, lbas)
    bad = 0
    for lba in lbas:
        ok = {model.get(lba, 0)}
        if between:
            ok |= set(cands.get(lba, []))
        if got[lba] not in ok:
            bad += 1
            if bad <= 10:
                print('block %d: read generation %d, expected one of %s' %
                      (lba, got[lba], sorted(ok)))
    what = 'between mark %d and %d' % (i, i + 1) if between else 'at mark %d' % i
    if bad:
        sys.exit('%d of %d blocks wrong %s' % (bad, len(lbas), what))
    print('%d blocks verified %s' % (len(lbas), what))


def main():
    a = sys.argv[1:]
    if len(a) < 4:
        sys.exit(__doc__)
    cmd, dev, state, i = a[0], a[1], a[2], int(a[3])
    if cmd == 'round':
        nblocks, region, sync = 200, 2048, True
        k = 4
        while k < len(a):
            if a[k] == '--blocks':
                nblocks = int(a[k + 1]); k += 2
            elif a[k] == '--region':
                region = int(a[k + 1]); k += 2
            elif a[k] == '--no-sync':
                sync = False; k += 1
            else:
                sys.exit('unknown option ' + a[k])
        do_round(dev, state, i, nblocks, region, sync)
    elif cmd == 'verify':
        verify(dev, state, i, False)
    elif cmd == 'between':
        verify(dev, state, i, True)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
