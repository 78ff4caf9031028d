#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sl-sbedit: rewrite one little-endian field of a stripelog metadata block
and fix up its crc32c (bytes 4..7, computed with the field zeroed, seed
0xffffffff, no final inversion), to build "valid but unacceptable" blocks
for the VM tests (newer version, unknown incompatible feature).

  sl-sbedit.py FILE BLOCK OFFSET SIZE VALUE
"""
import struct
import sys

POLY = 0x82F63B78
TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data, crc=0xffffffff):
    for b in data:
        crc = TABLE[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    path, block, off, size, val = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5], 0)
    fmt = {1: '<B', 2: '<H', 4: '<I', 8: '<Q'}[size]
    with open(path, 'r+b') as f:
        f.seek(block * 4096)
        blk = bytearray(f.read(4096))
        struct.pack_into(fmt, blk, off, val)
        struct.pack_into('<I', blk, 4, 0)
        struct.pack_into('<I', blk, 4, crc32c(bytes(blk)))
        f.seek(block * 4096)
        f.write(blk)


if __name__ == '__main__':
    main()
