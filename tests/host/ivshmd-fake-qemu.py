#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for QEMU + the guest driver, to test ivshmd on the host.

It speaks the client side of the ivshmem server protocol, maps the shared
window, performs the virtio-ivshmem register handshake and drives a split
virtqueue with virtio-blk requests, checking results against the backing file.

usage: ivshmd-fake-qemu.py IVSHMD_BINARY SCENARIO
scenarios: greeting, blk, blk-inline (--threads 0), stress, indirect, hostile, second,
sigterm, disconnect-once, disconnect-wait, vectors1
It starts IVSHMD_BINARY on a temporary socket and 16 MiB backing file, runs
the scenario, stops the server with SIGTERM (it must exit 0) and checks the
server's log for sanitizer reports.  Exit 0 on success; prints "FAIL: ..."
and exits 1 otherwise.
"""
import mmap
import os
import select
import socket
import signal
import struct
import subprocess
import sys
import tempfile
import time

MAGIC = b"VIRTIVSH"
# header offsets (virtio-client/ivshmem_virtio.h)
H_VERSION, H_HDRSIZE, H_WINSIZE, H_SERVER_ID, H_NVEC = 0x08, 0x0C, 0x10, 0x18, 0x1C
H_DEVID, H_NQ, H_CFGSIZE, H_HOST_STATE, H_DEVFEAT = 0x20, 0x28, 0x2A, 0x2C, 0x30
H_STATUS, H_CFGGEN, H_HEARTBEAT, H_BROKEN = 0x38, 0x3C, 0x40, 0x44
H_DRVFEAT, H_REQ_OP, H_REQ_ARG, H_REQ_VAL, H_REQ_SEQ = 0x80, 0x90, 0x94, 0x98, 0x9C
H_ACK_SEQ, H_ACK_RES, H_QUEUES, H_CONFIG = 0xA0, 0xA4, 0x100, 0x400
OP_SET_STATUS, OP_QUEUE_ENABLE = 1, 2
S_ACK, S_DRIVER, S_DRIVER_OK, S_FEATURES_OK, S_NEEDS_RESET = 1, 2, 4, 8, 0x40
F_VERSION_1, F_ACCESS_PLATFORM, F_EVENT_IDX = 1 << 32, 1 << 33, 1 << 29
F_BLK_FLUSH, F_BLK_DISCARD, F_BLK_WZ = 1 << 9, 1 << 13, 1 << 14
T_IN, T_OUT, T_FLUSH, T_GET_ID, T_DISCARD, T_WZ = 0, 1, 4, 8, 11, 13
D_NEXT, D_WRITE, D_INDIRECT = 1, 2, 4
QSIZE = 16
DESC, AVAIL, USED, BUFS = 0x1000, 0x2000, 0x3000, 0x10000


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg, flush=True)


class Client:
    def __init__(self, path, vectors):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(10)
        self.vectors = vectors

    def msg(self):
        data, fds, _, _ = socket.recv_fds(self.sock, 8, 1)
        if len(data) != 8:
            fail("short greeting message (%d bytes)" % len(data))
        return struct.unpack("<q", data)[0], (fds[0] if fds else -1)

    def greet(self):
        v, fd = self.msg()
        check(v == 0 and fd < 0, "greeting: protocol version 0")
        self.my_id, fd = self.msg()
        check(fd < 0, "greeting: client peer id %d without fd" % self.my_id)
        v, shm = self.msg()
        check(v == -1 and shm >= 0, "greeting: -1 with the shared-memory fd")
        self.size = os.fstat(shm).st_size
        check(self.size & (self.size - 1) == 0, "window size %d is a power of two" % self.size)
        self.win = mmap.mmap(shm, self.size)
        os.close(shm)
        self.doorbell, self.irq = [], []
        self.server_id = None
        for i in range(self.vectors):
            pid, fd = self.msg()
            if i == 0:
                self.server_id = pid
            check(pid == self.server_id and pid != self.my_id and fd >= 0,
                  "greeting: server peer %d vector %d eventfd" % (pid, i))
            self.doorbell.append(fd)
        for i in range(self.vectors):
            pid, fd = self.msg()
            check(pid == self.my_id and fd >= 0, "greeting: own id vector %d eventfd" % i)
            self.irq.append(fd)

    # window accessors
    def rd(self, fmt, off):
        return struct.unpack_from("<" + fmt, self.win, off)[0]

    def wr(self, fmt, off, val):
        struct.pack_into("<" + fmt, self.win, off, val)

    def ring(self, vector):
        os.write(self.doorbell[vector], struct.pack("<Q", 1))

    def irq_count(self, vector, timeout=0.0):
        r, _, _ = select.select([self.irq[vector]], [], [], timeout)
        if not r:
            return 0
        return struct.unpack("<Q", os.read(self.irq[vector], 8))[0]

    def request(self, op, arg=0, val=0, expect=0):
        seq = (self.rd("I", H_REQ_SEQ) + 1) & 0xFFFFFFFF
        self.wr("I", H_REQ_OP, op)
        self.wr("I", H_REQ_ARG, arg)
        self.wr("I", H_REQ_VAL, val)
        self.wr("I", H_REQ_SEQ, seq)
        self.ring(0)
        end = time.time() + 10
        while self.rd("I", H_ACK_SEQ) != seq:
            if time.time() > end:
                fail("no handshake ack for op %d" % op)
            time.sleep(0.001)
        res = self.rd("I", H_ACK_RES)
        if expect is not None and res != expect:
            fail("handshake op %d arg %d val %#x: result %d, expected %d" % (op, arg, val, res, expect))
        self.irq_count(0, 1.0)
        return res

    def status(self):
        return self.rd("I", H_STATUS)

    def setup(self, features=None):
        c = self
        c.request(OP_SET_STATUS, val=0)
        c.win[DESC:DESC + 16 * QSIZE] = bytes(16 * QSIZE)
        c.win[AVAIL:AVAIL + 6 + 2 * QSIZE] = bytes(6 + 2 * QSIZE)
        c.win[USED:USED + 6 + 8 * QSIZE] = bytes(6 + 8 * QSIZE)
        c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER)
        if features is None:
            features = c.rd("Q", H_DEVFEAT)
        c.wr("Q", H_DRVFEAT, features)
        c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_FEATURES_OK)
        q = H_QUEUES
        c.wr("H", q + 4, QSIZE)
        c.wr("H", q + 6, 1 if c.vectors > 1 else 0)
        c.wr("Q", q + 8, DESC)
        c.wr("Q", q + 16, AVAIL)
        c.wr("Q", q + 24, USED)
        c.request(OP_QUEUE_ENABLE, arg=0)
        c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
        c.avail_idx = 0
        c.used_seen = 0
        c.qvec = 1 if c.vectors > 1 else 0

    def desc(self, i, addr, length, flags, nxt):
        struct.pack_into("<QIHH", self.win, DESC + 16 * i, addr, length, flags, nxt)

    def post(self, head):
        slot = self.avail_idx % QSIZE
        self.wr("H", AVAIL + 4 + 2 * slot, head)
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        self.wr("H", AVAIL + 2, self.avail_idx)

    def kick(self):
        self.ring(self.qvec)

    def used_idx(self):
        return self.rd("H", USED + 2)

    def wait_used(self, n, timeout=10):
        end = time.time() + timeout
        want = (self.used_seen + n) & 0xFFFF
        while self.used_idx() != want:
            if time.time() > end:
                fail("timed out waiting for %d completions (used idx %d, want %d)" %
                     (n, self.used_idx(), want))
            time.sleep(0.0005)
        out = []
        for k in range(n):
            slot = (self.used_seen + k) % QSIZE
            out.append(struct.unpack_from("<II", self.win, USED + 4 + 8 * slot))
        self.used_seen = want
        return out

    def blk(self, rtype, sector, data=b"", inlen=0, slot=0, payload=None):
        """Build one request in descriptors [3*slot, 3*slot+2]; returns (head, status offset, data offset)."""
        base = BUFS + slot * 0x12000
        hdr, dat, st = base, base + 0x100, base + 0x11000
        struct.pack_into("<IIQ", self.win, hdr, rtype, 0, sector)
        d0 = 3 * slot
        self.win[st] = 0xFF
        body = payload if payload is not None else data
        if body:
            self.win[dat:dat + len(body)] = body
            self.desc(d0, hdr, 16, D_NEXT, d0 + 1)
            self.desc(d0 + 1, dat, len(body), D_NEXT, d0 + 2)
        elif inlen:
            self.desc(d0, hdr, 16, D_NEXT, d0 + 1)
            self.desc(d0 + 1, dat, inlen, D_NEXT | D_WRITE, d0 + 2)
        else:
            self.desc(d0, hdr, 16, D_NEXT, d0 + 2)
        self.desc(d0 + 2, st, 1, D_WRITE, 0)
        return d0, st, dat

    def do(self, rtype, sector, data=b"", inlen=0, payload=None):
        head, st, dat = self.blk(rtype, sector, data, inlen, payload=payload)
        self.post(head)
        self.kick()
        (uid, ulen), = self.wait_used(1)
        if uid != head:
            fail("used id %d, expected head %d" % (uid, head))
        return self.win[st], bytes(self.win[dat:dat + inlen]), ulen


def scenario_greeting(c, backing):
    c.greet()
    w = c.win
    check(w[0:8] == MAGIC, "header magic")
    check(c.rd("I", H_VERSION) == 1 and c.rd("I", H_HDRSIZE) == 4096, "version 1, header 4096")
    check(c.rd("Q", H_WINSIZE) == c.size, "window_size matches the fd")
    check(c.rd("I", H_SERVER_ID) == c.server_id, "server_peer_id matches the greeting")
    check(c.rd("I", H_NVEC) == c.vectors, "num_vectors")
    check(c.rd("I", H_DEVID) == 2 and c.rd("H", H_NQ) == 1, "virtio-blk with one queue")
    check(c.rd("I", H_HOST_STATE) == 1, "host_state READY")
    f = c.rd("Q", H_DEVFEAT)
    check(f & F_VERSION_1 and f & F_ACCESS_PLATFORM and f & F_EVENT_IDX and f & F_BLK_FLUSH,
          "features VERSION_1, ACCESS_PLATFORM, EVENT_IDX, BLK_FLUSH offered")
    cap = c.rd("Q", H_CONFIG)
    check(cap == os.path.getsize(backing) // 512, "config capacity = %d sectors" % cap)
    hb = c.rd("I", H_HEARTBEAT)
    time.sleep(0.35)
    check(c.rd("I", H_HEARTBEAT) > hb, "heartbeat advances")
    # handshake rules
    c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER)
    c.wr("Q", H_DRVFEAT, F_VERSION_1)  # ACCESS_PLATFORM missing
    c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_FEATURES_OK, expect=2)
    check(not (c.status() & S_FEATURES_OK), "features without ACCESS_PLATFORM refused")
    c.wr("Q", H_DRVFEAT, F_VERSION_1 | F_ACCESS_PLATFORM | (1 << 60))
    c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_FEATURES_OK, expect=2)
    check(not (c.status() & S_FEATURES_OK), "features not offered refused")
    c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_DRIVER_OK, expect=3)
    check(not (c.status() & S_DRIVER_OK), "DRIVER_OK before FEATURES_OK refused")
    c.request(OP_QUEUE_ENABLE, arg=0, expect=3)
    c.request(99, expect=5)
    c.request(OP_SET_STATUS, val=0)
    check(c.status() == 0, "reset publishes status 0")
    c.wr("Q", H_DRVFEAT, f)
    c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_FEATURES_OK)
    check(c.status() & S_FEATURES_OK, "valid features accepted")
    q = H_QUEUES
    for size, desc, avail, used, vec, why in [
            (15, DESC, AVAIL, USED, 0, "size not a power of two"),
            (512, DESC, AVAIL, USED, 0, "size above max_size"),
            (16, 0, AVAIL, USED, 0, "desc inside the header page"),
            (16, DESC + 8, AVAIL, USED, 0, "misaligned desc"),
            (16, DESC, c.size - 4, USED, 0, "avail past the window end"),
            (16, DESC, AVAIL, (1 << 64) - 8, 0, "used offset wrapping around"),
            (16, DESC, AVAIL, USED, 200, "vector out of range")]:
        c.wr("H", q + 4, size)
        c.wr("H", q + 6, vec)
        c.wr("Q", q + 8, desc)
        c.wr("Q", q + 16, avail)
        c.wr("Q", q + 24, used)
        c.request(OP_QUEUE_ENABLE, arg=0, expect=1)
        check(c.rd("H", q + 2) == 0, "queue refused: " + why)
    c.request(OP_QUEUE_ENABLE, arg=5, expect=1)


def scenario_blk(c, backing):
    c.greet()
    c.setup()
    pattern = bytes((i * 7 + 3) & 0xFF for i in range(8192))
    st, _, ulen = c.do(T_OUT, 8, pattern)
    check(st == 0 and ulen == 1, "OUT 8 KiB at sector 8 -> OK")
    with open(backing, "rb") as f:
        f.seek(8 * 512)
        check(f.read(8192) == pattern, "data reached the backing file")
    st, data, ulen = c.do(T_IN, 8, inlen=8192)
    check(st == 0 and data == pattern and ulen == 8193, "IN reads it back (used len 8193)")
    st, _, _ = c.do(T_FLUSH, 0)
    check(st == 0, "FLUSH -> OK")
    st, data, ulen = c.do(T_GET_ID, 0, inlen=20)
    name = os.path.basename(backing).encode()[:20]
    check(st == 0 and data[:len(name)] == name and ulen == 21, "GET_ID returns %r" % data)
    st, _, _ = c.do(T_WZ, 0, payload=struct.pack("<QII", 8, 8, 0))
    with open(backing, "rb") as f:
        f.seek(8 * 512)
        check(st == 0 and f.read(4096) == bytes(4096), "WRITE_ZEROES zeroed 4 KiB")
    st, _, _ = c.do(T_DISCARD, 16, payload=struct.pack("<QII", 16, 8, 0))
    with open(backing, "rb") as f:
        f.seek(16 * 512)
        check(st == 0 and f.read(4096) == bytes(4096), "DISCARD punched a hole (reads zero)")
    st, _, _ = c.do(T_DISCARD, 0, payload=struct.pack("<QII", 0, 8, 1))
    check(st == 2, "DISCARD with the unmap flag -> UNSUPP")
    cap = c.rd("Q", H_CONFIG)
    st, _, _ = c.do(T_IN, cap - 1, inlen=1024)
    check(st == 1, "IN crossing the end of the disk -> IOERR")
    st, _, _ = c.do(T_IN, 1 << 62, inlen=512)
    check(st == 1, "IN at a huge sector -> IOERR")
    st, _, _ = c.do(T_OUT, 0, b"x" * 100)
    check(st == 1, "OUT of a partial sector -> IOERR")
    st, _, _ = c.do(77, 0)
    check(st == 2, "unknown request type -> UNSUPP")
    # several in flight: 5 reads posted at once, one kick
    heads = []
    for s in range(5):
        head, _, _ = c.blk(T_IN, s * 8, inlen=4096, slot=s)
        heads.append(head)
        c.post(head)
    c.kick()
    done = c.wait_used(5)
    check(sorted(u[0] for u in done) == sorted(heads), "5 requests in flight all completed")
    # EVENT_IDX: interrupts follow used_event
    c.irq_count(c.qvec, 0)
    c.wr("H", AVAIL + 4 + 2 * QSIZE, (c.used_seen + 5) & 0xFFFF)  # used_event far ahead
    c.do(T_FLUSH, 0)
    check(c.irq_count(c.qvec, 0.3) == 0, "no interrupt while used_event is ahead")
    c.wr("H", AVAIL + 4 + 2 * QSIZE, c.used_seen)  # next completion crosses it
    c.do(T_FLUSH, 0)
    check(c.irq_count(c.qvec, 2.0) >= 1, "interrupt once used_event is crossed")
    check(c.rd("H", USED + 4 + 8 * QSIZE) == c.avail_idx, "avail_event tracks consumption")
    check(not (c.status() & S_NEEDS_RESET), "device healthy after the error cases")


def scenario_stress(c, backing, rounds=150):
    """Random reads/writes/flushes, up to 5 in flight, checked against a model."""
    import random
    c.greet()
    c.setup()
    rnd = random.Random(1234)
    sectors = 2048  # work in the first 1 MiB
    model = bytearray(sectors * 512)
    total = 0
    for _ in range(rounds):
        n = rnd.randint(1, 5)
        batch, used_sectors = [], set()
        for slot in range(n):
            kind = rnd.choice(("r", "w", "w", "f"))
            nsec = rnd.randint(1, 16)
            sec = rnd.randrange(0, sectors - nsec)
            span = set(range(sec, sec + nsec))
            if kind != "f" and span & used_sectors:
                kind = "f"  # no overlapping I/O within a batch: order is not defined
            if kind == "w":
                data = bytes(rnd.getrandbits(8) for _ in range(16)) * (nsec * 32)
                head, st, dat = c.blk(T_OUT, sec, data, slot=slot)
                model[sec * 512:(sec + nsec) * 512] = data
                used_sectors |= span
            elif kind == "r":
                head, st, dat = c.blk(T_IN, sec, inlen=nsec * 512, slot=slot)
                used_sectors |= span
            else:
                head, st, dat = c.blk(T_FLUSH, 0, slot=slot)
            batch.append((head, kind, sec, nsec, st, dat))
            c.post(head)
        c.kick()
        done = c.wait_used(n)
        if sorted(d[0] for d in done) != sorted(b[0] for b in batch):
            fail("completed heads %s != posted %s" % (done, batch))
        for head, kind, sec, nsec, st, dat in batch:
            if c.win[st] != 0:
                fail("request %s at sector %d: status %d" % (kind, sec, c.win[st]))
            if kind == "r" and bytes(c.win[dat:dat + nsec * 512]) != model[sec * 512:(sec + nsec) * 512]:
                fail("read at sector %d (%d sectors) differs from the model" % (sec, nsec))
        total += n
    with open(backing, "rb") as f:
        check(f.read(len(model)) == bytes(model), "backing file equals the model after %d requests" % total)


def scenario_indirect(c, backing):
    """Requests through indirect descriptor tables (ivshmd --indirect)."""
    F_INDIRECT = 1 << 28
    c.greet()
    check(c.rd("Q", H_DEVFEAT) & F_INDIRECT, "INDIRECT_DESC offered with --indirect")
    c.setup()
    tab = BUFS + 0x30000

    def ind_req(rtype, sector, data=b"", inlen=0, misalign=0):
        hdr, dat, st = BUFS, BUFS + 0x100, BUFS + 0x11000
        t = tab + misalign
        struct.pack_into("<IIQ", c.win, hdr, rtype, 0, sector)
        c.win[st] = 0xFF
        if data:
            c.win[dat:dat + len(data)] = data
        n = len(data) or inlen
        struct.pack_into("<QIHH", c.win, t, hdr, 16, D_NEXT, 1)
        struct.pack_into("<QIHH", c.win, t + 16, dat, n, D_NEXT | (D_WRITE if inlen else 0), 2)
        struct.pack_into("<QIHH", c.win, t + 32, st, 1, D_WRITE, 0)
        c.desc(0, t, 48, D_INDIRECT, 0)
        c.post(0)
        c.kick()
        (uid, ulen), = c.wait_used(1)
        return c.win[st], bytes(c.win[dat:dat + inlen]), ulen

    data = bytes(range(256)) * 16
    st, _, _ = ind_req(T_OUT, 40, data)
    check(st == 0, "OUT through an indirect table")
    st, back, ulen = ind_req(T_IN, 40, inlen=4096, misalign=5)
    check(st == 0 and back == data and ulen == 4097, "IN through a misaligned indirect table")
    struct.pack_into("<QIHH", c.win, tab + 16, tab, 32, D_INDIRECT, 0)
    c.desc(0, tab, 48, D_INDIRECT, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "a nested indirect table")


def expect_broken(c, why):
    end = time.time() + 5
    while not (c.status() & S_NEEDS_RESET):
        if time.time() > end:
            fail("device not marked broken: " + why)
        time.sleep(0.005)
    check(True, "NEEDS_RESET after " + why + " (reason %d)" % c.rd("I", H_BROKEN))
    c.request(OP_SET_STATUS, val=S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK, expect=4)
    c.setup()
    check(not (c.status() & S_NEEDS_RESET), "reset recovers the device")


def scenario_hostile(c, backing):
    c.greet()
    c.setup()
    # descriptor pointing outside the window
    c.desc(0, c.size - 8, 16, D_NEXT, 1)
    c.desc(1, BUFS, 1, D_WRITE, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "a buffer past the window end")
    c.desc(0, 16, 16, D_NEXT, 1)  # inside the header page
    c.desc(1, BUFS, 1, D_WRITE, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "a buffer in the header page")
    c.desc(0, BUFS, 16, D_NEXT, 1)
    c.desc(1, BUFS + 32, 1, D_NEXT | D_WRITE, 0)  # loop 0 -> 1 -> 0
    c.post(0)
    c.kick()
    expect_broken(c, "a descriptor loop")
    c.desc(0, BUFS, 16, D_NEXT, 200)
    c.post(0)
    c.kick()
    expect_broken(c, "next out of range")
    c.post(100)
    c.kick()
    expect_broken(c, "head out of range")
    c.desc(0, BUFS, 16, D_INDIRECT, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "an indirect descriptor (not offered)")
    c.desc(0, BUFS, 1, D_WRITE | D_NEXT, 1)
    c.desc(1, BUFS, 16, 0, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "a readable buffer after a writable one")
    c.wr("H", AVAIL + 2, (c.avail_idx + QSIZE + 1) & 0xFFFF)
    c.kick()
    expect_broken(c, "avail idx jumping past the queue size")
    c.desc(0, BUFS, 0xFFFFFFFF, D_NEXT, 1)
    c.desc(1, BUFS, 1, D_WRITE, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "a 4 GiB length")
    # a request with no status byte at all
    c.desc(0, BUFS, 16, 0, 0)
    c.post(0)
    c.kick()
    expect_broken(c, "a request without a status byte")
    # random garbage everywhere, then a normal request must still be served after reset
    c.win[DESC:DESC + 16 * QSIZE] = os.urandom(16 * QSIZE)
    c.win[AVAIL:AVAIL + 6 + 2 * QSIZE] = os.urandom(6 + 2 * QSIZE)
    c.kick()
    time.sleep(0.2)
    c.setup()
    st, _, _ = c.do(T_FLUSH, 0)
    check(st == 0, "device serves requests after garbage + reset")


def scenario_second(c, path):
    c.greet()
    c.setup()
    s2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s2.connect(path)
    s2.settimeout(5)
    check(s2.recv(8) == b"", "second client gets no greeting and is closed")
    st, _, _ = c.do(T_FLUSH, 0)
    check(st == 0, "first client still served")


def scenario_sigterm(c, backing, pid):
    c.greet()
    c.setup()
    for s in range(5):
        head, _, _ = c.blk(T_OUT, s * 64, bytes([s + 1]) * 32768, slot=s)
        c.post(head)
    c.kick()
    end = time.time() + 5
    while c.rd("H", USED + 4 + 8 * QSIZE) != c.avail_idx and c.used_idx() != c.avail_idx:
        if time.time() > end:
            fail("server did not take the writes")
        time.sleep(0.001)
    os.kill(pid, signal.SIGTERM)
    done = c.wait_used(5)
    check(len(done) == 5, "in-flight writes completed across SIGTERM")
    end = time.time() + 5
    while c.rd("I", H_HOST_STATE) != 2:
        if time.time() > end:
            fail("host_state not GONE after SIGTERM")
        time.sleep(0.01)
    check(c.status() & S_NEEDS_RESET, "NEEDS_RESET + host_state GONE after SIGTERM")
    check(c.irq_count(0, 2.0) >= 1, "config interrupt on shutdown")
    with open(backing, "rb") as f:
        for s in range(5):
            f.seek(s * 64 * 512)
            if f.read(32768) != bytes([s + 1]) * 32768:
                fail("write %d missing from the backing file" % s)
    check(True, "all writes in the backing file")


def start(binary, tmp, extra=()):
    sock = os.path.join(tmp, "ivshmd.sock")
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    log = open(os.path.join(tmp, "ivshmd.log"), "w")
    p = subprocess.Popen([binary, "--socket", sock, "--blk", disk, "--shm-size", "1M",
                          "-vv", *extra], stderr=log, stdout=log)
    end = time.time() + 10
    while not os.path.exists(sock):
        if time.time() > end or p.poll() is not None:
            fail("ivshmd did not create its socket")
        time.sleep(0.01)
    return p, sock, disk


def finish(p, tmp, expect_running=True):
    if expect_running:
        check(p.poll() is None, "server still running")
        p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("ivshmd did not exit after SIGTERM")
    with open(os.path.join(tmp, "ivshmd.log")) as f:
        log = f.read()
    sys.stdout.write("---- ivshmd log (tail)\n" + "\n".join(log.splitlines()[-40:]) + "\n----\n")
    check(rc == 0, "ivshmd exit status 0 (got %d)" % rc)
    for bad in ("AddressSanitizer", "runtime error", "LeakSanitizer", "ThreadSanitizer"):
        check(bad not in log, "no '%s' in the server log" % bad)
    return log


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    binary, scen = sys.argv[1:3]
    tmp = tempfile.mkdtemp(prefix="ivshmd-test.")
    vectors = 1 if scen == "vectors1" else 2
    p, path, backing = start(binary, tmp, ["--vectors", str(vectors)] +
                             (["--wait"] if scen == "disconnect-wait" else []) +
                             (["--threads", "0"] if scen == "blk-inline" else []) +
                             (["--indirect"] if scen == "indirect" else []))
    os.environ["IVSHMD_PID"] = str(p.pid)
    c = Client(path, vectors)
    running = True
    if scen == "greeting":
        scenario_greeting(c, backing)
    elif scen in ("blk", "blk-inline", "vectors1"):
        scenario_blk(c, backing)
    elif scen == "hostile":
        scenario_hostile(c, backing)
    elif scen == "indirect":
        scenario_indirect(c, backing)
    elif scen == "stress":
        scenario_stress(c, backing)
    elif scen == "second":
        scenario_second(c, path)
    elif scen == "sigterm":
        scenario_sigterm(c, backing, p.pid)
        running = False
    elif scen in ("disconnect-once", "disconnect-wait"):
        c.greet()
        c.setup()
        c.do(T_FLUSH, 0)
        c.sock.close()
        c.win.close()
        if scen == "disconnect-once":
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                fail("--once server did not exit after the client left")
            running = False
        else:
            time.sleep(0.3)
            check(p.poll() is None, "--wait server survives the disconnect")
            c = Client(path, vectors)
            c.greet()
            c.setup()
            st, _, _ = c.do(T_FLUSH, 0)
            check(st == 0, "the next client is served")
    else:
        fail("unknown scenario " + scen)
    log = finish(p, tmp, running)
    if scen == "second":
        check("refusing a second client" in log, "refusal logged")
    if scen.startswith("disconnect"):
        check("client disconnected" in log, "disconnect logged")
    if scen == "hostile":
        check("device broken" in log, "broken device logged")
    if scen == "sigterm":
        check("syncing the backing file" in log, "shutdown logged")
    subprocess.run(["rm", "-rf", tmp])
    print("PASS " + scen, flush=True)


if __name__ == "__main__":
    main()
