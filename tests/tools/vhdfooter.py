#!/usr/bin/env python3
"""vhdfooter.py IMAGE: prints the 512-byte fixed-VHD footer for IMAGE's size
(../shared/spec/vhd-vhdx.md A.2-A.5), for tests that need a VHD without
tar2vhd. Independent of the C code on purpose: a second implementation."""
import os
import struct
import sys


def chs(size):
    total = min(size // 512, 65535 * 16 * 255)
    if total >= 65535 * 16 * 63:
        spt, heads = 255, 16
        cth = total // spt
    else:
        spt = 17
        cth = total // spt
        heads = max((cth + 1023) // 1024, 4)
        if cth >= heads * 1024 or heads > 16:
            spt, heads = 31, 16
            cth = total // spt
        if cth >= heads * 1024:
            spt, heads = 63, 16
            cth = total // spt
    return cth // heads, heads, spt


def footer(size):
    c, h, s = chs(size)
    f = bytearray(512)
    f[0:8] = b"conectix"
    struct.pack_into(">IIQI", f, 8, 2, 0x00010000, 0xFFFFFFFFFFFFFFFF, 0)
    f[28:32] = b"win "
    struct.pack_into(">I", f, 32, 0x000A0000)
    f[36:40] = b"Wi2k"
    struct.pack_into(">QQHBBI", f, 40, size, size, c, h, s, 2)
    struct.pack_into(">I", f, 64, (~sum(f)) & 0xFFFFFFFF)
    return bytes(f)


if __name__ == "__main__":
    sys.stdout.buffer.write(footer(os.path.getsize(sys.argv[1])))
