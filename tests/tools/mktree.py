#!/usr/bin/env python3
"""mktree.py: builds a directory tree with every kind of entry a layer can
hold, for the vhd2tar tests (run as root: devices, owners, trusted.* xattrs).

    mktree.py DIR [--big N] [--no-whiteouts|--aufs-whiteouts] [--no-far-times] [--seed S]

Regular files of edge-case sizes with pseudo-random content, empty and
nested directories, fast and slow symlinks, hard-link groups across
directories, FIFOs, character and block devices, overlay whiteouts (char
0/0) and opaque directories, a socket (must be skipped), user/trusted/
security xattrs (small, and large enough to need an xattr block), POSIX
access and default ACLs, 255-byte names, paths over 3 KiB total, non-UTF-8
and odd names, a sparse file, setuid/setgid/sticky bits, large uids and
gids, times with nanoseconds, before 1970 and after 2038. --big N adds a
directory with N empty files.
"""
import argparse
import os
import random
import socket
import subprocess
import sys


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--no-whiteouts", action="store_true")
    ap.add_argument("--aufs-whiteouts", action="store_true",
                    help="whiteouts as a layer tar spells them (.wh. files), not as overlayfs does")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-far-times", action="store_true",
                    help="no times past 2038 (mke2fs -d stores only 32-bit seconds)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    root = a.dir
    os.makedirs(root, exist_ok=True)
    j = lambda *p: os.path.join(root, *p)

    os.makedirs(j("files"))
    for size in (0, 1, 59, 60, 61, 4095, 4096, 4097, 65536 + 7, (1 << 20) + 3, 3 * (1 << 20)):
        write(j("files", "size-%d" % size), rnd.randbytes(size))
    write(j("files", "zeros-64k"), bytes(65536))

    os.makedirs(j("deep", *["level%02d" % i for i in range(12)]))
    write(j("deep", *["level%02d" % i for i in range(12)], "leaf"), b"leaf\n")
    os.makedirs(j("empty-dir"))

    os.makedirs(j("links"))
    os.symlink("../files/size-1", j("links", "fast"))
    os.symlink("/" + "x" * 70 + "/target", j("links", "slow"))
    os.symlink("t" * 1000, j("links", "long-target"))
    os.symlink("nowhere", j("links", "dangling"))
    os.symlink("../files", j("links", "dir-link"))
    os.makedirs(j("hard", "a"))
    os.makedirs(j("hard", "b"))
    write(j("hard", "a", "one"), b"shared content\n" * 100)
    os.link(j("hard", "a", "one"), j("hard", "b", "two"))
    os.link(j("hard", "a", "one"), j("hard", "three"))
    write(j("hard", "pair-x"), b"x")
    os.link(j("hard", "pair-x"), j("hard", "pair-y"))

    os.makedirs(j("special"))
    os.mkfifo(j("special", "fifo"), 0o640)
    os.mknod(j("special", "null"), 0o666 | 0o020000, os.makedev(1, 3))
    os.mknod(j("special", "sda"), 0o660 | 0o060000, os.makedev(8, 0))
    os.mknod(j("special", "bigdev"), 0o600 | 0o020000, os.makedev(4000, 1000000))
    s = socket.socket(socket.AF_UNIX)
    s.bind(j("special", "socket"))
    s.close()

    if a.aufs_whiteouts:
        os.makedirs(j("layer", "opaque", "inner"))
        write(j("layer", "opaque", "kept"), b"kept\n")
        write(j("layer", "opaque", ".wh..wh..opq"), b"")
        write(j("layer", ".wh.deleted"), b"")
        write(j("layer", "opaque", "inner", ".wh.gone"), b"")
    elif not a.no_whiteouts:
        os.makedirs(j("layer", "opaque", "inner"))
        write(j("layer", "opaque", "kept"), b"kept\n")
        os.setxattr(j("layer", "opaque"), "trusted.overlay.opaque", b"y")
        os.mknod(j("layer", "deleted"), 0o000 | 0o020000, os.makedev(0, 0))
        os.mknod(j("layer", "opaque", "inner", "gone"), 0o000 | 0o020000, os.makedev(0, 0))
        os.makedirs(j("layer", "not-opaque"))
        os.setxattr(j("layer", "not-opaque"), "trusted.overlay.opaque", b"n")

    os.makedirs(j("attrs"))
    p = j("attrs", "small")
    write(p, b"xattrs\n")
    os.setxattr(p, "user.comment", b"hello")
    os.setxattr(p, "user.binary", bytes(range(256))[:40])
    os.setxattr(p, "user.empty", b"")
    os.setxattr(p, "trusted.md5", b"d41d8cd98f00b204e9800998ecf8427e")
    os.setxattr(p, "security.capability",
                bytes.fromhex("0100000200200000000000000000000000000000"))
    p = j("attrs", "large")
    write(p, b"large xattrs\n")
    os.setxattr(p, "user.big", rnd.randbytes(600))
    os.setxattr(p, "user.second", b"v" * 200)
    p = j("attrs", "acl-file")
    write(p, b"acl\n")
    subprocess.run(["setfacl", "-m", "u:1234:rwx,g:2345:r-x,m::rwx", p], check=True)
    os.makedirs(j("attrs", "acl-dir"))
    subprocess.run(["setfacl", "-d", "-m", "u:1000:rwx,g::r-x,o::---", j("attrs", "acl-dir")], check=True)
    subprocess.run(["setfacl", "-m", "u:99:r--", j("attrs", "acl-dir")], check=True)

    os.makedirs(j("names"))
    write(j("names", "n" * 255), b"255\n")
    write(j("names", "with space and\ttab"), b"")
    write(j("names", "caf\u00e9-\u65e5\u672c"), b"utf8\n")
    write(os.path.join(os.fsencode(j("names")), b"latin1-\xe9\xff"), b"binary name\n")
    write(j("names", "-dash"), b"")
    write(j("names", ".hidden"), b"")
    write(j("names", "UPPER"), b"")
    long_dir = j("names")
    for i in range(14):
        long_dir = os.path.join(long_dir, ("d%02d-" % i) + "p" * 240)
    os.makedirs(long_dir)
    write(os.path.join(long_dir, "end"), b"over 3 KiB of path\n")

    os.makedirs(j("sparse"))
    with open(j("sparse", "holes"), "wb") as f:
        f.truncate(64 << 20)
        f.seek(1 << 20)
        f.write(b"data in the middle")
        f.seek((40 << 20) + 5)
        f.write(rnd.randbytes(10000))
    with open(j("sparse", "all-hole"), "wb") as f:
        f.truncate(8 << 20)
    with open(j("sparse", "tail-data"), "wb") as f:
        f.seek(3 << 20)
        f.write(b"end")

    os.makedirs(j("modes"))
    for mode in (0o4755, 0o2755, 0o1777, 0o000, 0o777, 0o6711):
        q = j("modes", "m%04o" % mode)
        write(q, b"#!/bin/sh\n")
        os.chmod(q, mode)
    os.makedirs(j("modes", "sticky-dir"))
    os.chmod(j("modes", "sticky-dir"), 0o1777)
    os.makedirs(j("owners"))
    for uid, gid in ((1000, 1000), (65534, 65534), (100000, 200000), (4294967294, 4294967293)):
        q = j("owners", "u%d" % uid)
        write(q, b"")
        os.lchown(q, uid, gid)
    os.symlink("u1000", j("owners", "link-owned"))
    os.lchown(j("owners", "link-owned"), 1000, 1001)

    os.makedirs(j("times"))
    for name, ns in (("epoch", 0), ("pre-1970", -86400 * 365 * 10 * 10**9 - 250000000),
                     ("ns", 1700000000 * 10**9 + 123456789), ("y2038", (1 << 31) * 10**9 + 1),
                     ("y2200", 7258118400 * 10**9 + 999999999)):
        if a.no_far_times and ns >= (1 << 31) * 10**9:
            continue
        q = j("times", name)
        write(q, b"t")
        os.utime(q, ns=(ns + 7, ns), follow_symlinks=False)

    if a.big:
        d = j("big")
        os.makedirs(d)
        for i in range(a.big):
            open(os.path.join(d, "entry-%06d" % i), "wb").close()

    # Directory times last: creating children changed them.
    for dirpath, dirnames, _ in os.walk(root, topdown=False):
        for dn in dirnames:
            os.utime(os.path.join(dirpath, dn), ns=(1600000000 * 10**9 + 5, 1600000000 * 10**9 + 555))
    return 0


if __name__ == "__main__":
    sys.exit(main())
