#!/usr/bin/env python3
"""pe-stamp.py FILE EPOCH: make a PE image reproducible.

objcopy (binutils 2.40) stamps the PE header with the current time. This
sets TimeDateStamp (COFF header +4) to EPOCH and recomputes the optional
header's CheckSum (the Microsoft image checksum: 16-bit one's-complement-
style sum with carries folded, the CheckSum field counted as zero, plus the
file length), in place.
"""
import array
import struct
import sys


def main():
    path, epoch = sys.argv[1], int(sys.argv[2]) & 0xFFFFFFFF
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:2] != b"MZ":
            sys.exit(f"pe-stamp: {path}: not a PE image (no MZ)")
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] != b"PE\0\0":
            sys.exit(f"pe-stamp: {path}: not a PE image (no PE signature)")
        struct.pack_into("<I", data, pe + 8, epoch)
        checksum_at = pe + 24 + 64
        struct.pack_into("<I", data, checksum_at, 0)
        if len(data) % 2:
            data.append(0)
            padded = True
        else:
            padded = False
        # Folding the carries once at the end equals folding them per word.
        words = array.array("H", bytes(data))
        if sys.byteorder == "big":
            words.byteswap()
        total = sum(words)
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        length = len(data) - (1 if padded else 0)
        if padded:
            data.pop()
        struct.pack_into("<I", data, checksum_at, (total + length) & 0xFFFFFFFF)
        f.seek(0)
        f.write(data)


if __name__ == "__main__":
    main()
