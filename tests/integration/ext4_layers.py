#!/usr/bin/env python3
"""Test inputs and the oracle for the tar2vhd integration tests.

  ext4_layers.py make CASE OUT.tar    write one of the generated layer tars
  ext4_layers.py compare TAR DIR [--aufs]
                                      check a mounted image against the tar:
                                      names, types, modes, owners, times (ns),
                                      xattrs, link targets, hard-link inode
                                      sharing, contents (sha256), devices
  ext4_layers.py lookup DIR PREFIX COUNT STEP
                                      stat COUNT names in a big directory and
                                      print the seconds it took

The expected tree is built from the tar with Docker's extraction rules:
names cleaned and confined to the root, missing parents created with the
root's attributes, later entries replace earlier ones (directories merge),
hard links share the inode, .wh.NAME becomes a 0/0 character device and
.wh..wh..opq sets trusted.overlay.opaque=y on its directory.
"""
import base64
import hashlib
import io
import os
import posixpath
import random
import stat
import struct
import sys
import tarfile
import time
from decimal import Decimal

# ----------------------------------------------------------------- inputs


def ti(name, type=tarfile.REGTYPE, mode=0o644, data=None, **kw):
    t = tarfile.TarInfo(name)
    t.type = type
    t.mode = mode
    t.mtime = kw.pop("mtime", 1700000000)
    for k, v in kw.items():
        setattr(t, k, v)
    if data is not None:
        t.size = len(data)
    return t


def add(tf, t, data=None):
    tf.addfile(t, io.BytesIO(data) if data is not None else None)


def binary_pax(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def acl_v2(entries):
    """POSIX ACL in the VFS xattr form: version 2, (tag, perm, id)."""
    out = struct.pack("<I", 2)
    for tag, perm, ident in entries:
        out += struct.pack("<HHI", tag, perm, ident)
    return out


ACL_ACCESS = acl_v2([(0x01, 6, 0xFFFFFFFF), (0x02, 4, 1000), (0x04, 4, 0xFFFFFFFF),
                     (0x08, 6, 2000), (0x10, 6, 0xFFFFFFFF), (0x20, 4, 0xFFFFFFFF)])
ACL_DEFAULT = acl_v2([(0x01, 7, 0xFFFFFFFF), (0x02, 5, 1001), (0x04, 5, 0xFFFFFFFF),
                      (0x10, 5, 0xFFFFFFFF), (0x20, 5, 0xFFFFFFFF)])
CAPABILITY = struct.pack("<IIIII", 0x02000001, 0x00000400, 0, 0, 0)  # cap_net_bind_service


def make_kinds(path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "a global header"}) as tf:
        add(tf, ti("./", tarfile.DIRTYPE, 0o755, mtime=1600000000))
        # out of order: the file arrives before its directory's own entry
        add(tf, ti("late/child.txt", data=b"child\n"), b"child\n")
        add(tf, ti("late", tarfile.DIRTYPE, 0o750, uid=5, gid=6, mtime=1500000000))
        add(tf, ti("deep/missing/parents/file", data=b"x"), b"x")
        add(tf, ti("empty"), b"")
        add(tf, ti("small", data=b"hello world\n", mode=0o4755), b"hello world\n")
        one_mib = bytes(range(256)) * 4096
        add(tf, ti("onemib", data=one_mib, mode=0o2711), one_mib)
        big = hashlib.sha256(b"seed").digest() * (300 * 1024 * 1024 // 32 // 16)  # ~18.75 MiB
        add(tf, ti("dir/multi-extent", data=big), big)
        add(tf, ti("sticky", tarfile.DIRTYPE, 0o1777))
        add(tf, ti("owners/max", data=b"o", uid=2**32 - 2, gid=2**32 - 2), b"o")
        # 2^32-1 is the kernel's invalid id: checked on disk with debugfs
        add(tf, ti("owners/all-ones", data=b"o", uid=2**32 - 1, gid=2**32 - 1), b"o")
        add(tf, ti("owners/big", data=b"o", uid=100000, gid=200000), b"o")
        add(tf, ti("fast", tarfile.SYMTYPE, 0o777, linkname="t" * 59))
        add(tf, ti("slow", tarfile.SYMTYPE, 0o777, linkname="s" * 60))
        add(tf, ti("slower", tarfile.SYMTYPE, 0o777, linkname="/".join(["d" * 200] * 20)))
        add(tf, ti("hard", tarfile.LNKTYPE, linkname="small"))
        add(tf, ti("dir/hard2", tarfile.LNKTYPE, linkname="./small"))
        add(tf, ti("hardsym", tarfile.LNKTYPE, linkname="fast"))
        add(tf, ti("dev/null", tarfile.CHRTYPE, 0o666, devmajor=1, devminor=3))
        add(tf, ti("dev/bigchr", tarfile.CHRTYPE, 0o600, devmajor=300, devminor=70000))
        add(tf, ti("dev/sda", tarfile.BLKTYPE, 0o660, devmajor=8, devminor=0, gid=6))
        add(tf, ti("dev/fifo", tarfile.FIFOTYPE, 0o644))
        t = ti("times/ns", data=b"t")
        t.pax_headers = {"mtime": "1700000000.123456789", "atime": "1700000001.5", "ctime": "1700000002.000000001"}
        add(tf, t, b"t")
        t = ti("times/pre1970", data=b"t")
        t.pax_headers = {"mtime": "-100000.25"}
        add(tf, t, b"t")
        t = ti("times/pre1901", data=b"t")
        t.pax_headers = {"mtime": "-2147483648"}
        add(tf, t, b"t")
        t = ti("times/post2038", data=b"t")
        t.pax_headers = {"mtime": str(2**32 + 5) + ".5"}
        add(tf, t, b"t")
        longname = "L" * 255
        add(tf, ti("long/" + longname, data=b"l"), b"l")
        add(tf, ti("/".join(["p" * 100] * 12) + "/deepfile", data=b"d"), b"d")
        # xattrs: small ones in the inode, a big one in the block, capability, ACLs
        t = ti("xattr/file", data=b"x")
        t.pax_headers = {
            "SCHILY.xattr.user.small": "v",
            "SCHILY.xattr.user.big": "B" * 2000,
            "SCHILY.xattr.trusted.t1": "trusted value",
            "SCHILY.xattr.security.capability": binary_pax(CAPABILITY),
            "SCHILY.xattr.system.posix_acl_access": binary_pax(ACL_ACCESS),
            "LIBARCHIVE.xattr.user.b64": base64.b64encode(b"\x00\x01binary\xff").decode(),
        }
        add(tf, t, b"x")
        t = ti("xattr/dir", tarfile.DIRTYPE, 0o755)
        t.pax_headers = {"SCHILY.xattr.system.posix_acl_default": binary_pax(ACL_DEFAULT),
                         "SCHILY.xattr.system.posix_acl_access": binary_pax(ACL_ACCESS),
                         "SCHILY.xattr.user.dirattr": "d"}
        add(tf, t)
        t = ti("xattr/many", data=b"m")
        t.pax_headers = {"SCHILY.xattr.user.k%02d" % i: "value-%02d" % i for i in range(40)}
        add(tf, t, b"m")
        # duplicates: last wins, directories merge
        add(tf, ti("dup/file", data=b"first version, longer than the second\n"), b"first version, longer than the second\n")
        add(tf, ti("dup/file", data=b"second\n", mode=0o600), b"second\n")
        add(tf, ti("dup/dir", tarfile.DIRTYPE, 0o700))
        add(tf, ti("dup/dir/kept", data=b"k"), b"k")
        add(tf, ti("dup/dir", tarfile.DIRTYPE, 0o755, uid=7))
        add(tf, ti("dup/was-dir", tarfile.DIRTYPE, 0o755))
        add(tf, ti("dup/was-dir/gone", data=b"g" * 10000), b"g" * 10000)
        add(tf, ti("dup/was-dir", data=b"now a file"), b"now a file")
        add(tf, ti("dup/was-file", data=b"f" * 5000), b"f" * 5000)
        add(tf, ti("dup/was-file", tarfile.DIRTYPE, 0o755))
        add(tf, ti("dup/linked", data=b"shared"), b"shared")
        add(tf, ti("dup/link2", tarfile.LNKTYPE, linkname="dup/linked"))
        add(tf, ti("dup/linked", data=b"replaced"), b"replaced")
        # hostile names, confined to the root
        add(tf, ti("../../escaped", data=b"e"), b"e")
        add(tf, ti("/absolute/file", data=b"a"), b"a")
        add(tf, ti("a/../../b/./c//d", data=b"c"), b"c")
        # a .wh. name with aufs semantics is an ordinary file (tested with --aufs)
        add(tf, ti("aufs/.wh.meta", data=b""), b"")


def make_gnu(path):
    """GNU format: ././@LongLink records for long names and link targets."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tf:
        long_dir = "/".join(["g" * 120] * 3)
        add(tf, ti(long_dir, tarfile.DIRTYPE, 0o755))
        add(tf, ti(long_dir + "/" + "f" * 200, data=b"long"), b"long")
        add(tf, ti("short-link", tarfile.SYMTYPE, 0o777, linkname=long_dir + "/" + "f" * 200))
        add(tf, ti("hard-to-long", tarfile.LNKTYPE, linkname=long_dir + "/" + "f" * 200))
        add(tf, ti("bigid", data=b"i", uid=3000000, gid=4000000), b"i")


def make_subdirs(path, count=70000):
    """More subdirectories than ext4's 65000-link limit: needs dir_nlink."""
    with tarfile.open(path, "w") as tf:
        for i in range(count):
            add(tf, ti("top/d%05d" % i, tarfile.DIRTYPE, 0o755))
        add(tf, ti("lost+found", data=b"a layer may even replace lost+found"), b"a layer may even replace lost+found")


def make_bigdir(path, count=100000):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        add(tf, ti("big", tarfile.DIRTYPE, 0o755))
        for i in range(count):
            add(tf, ti("big/entry-with-a-longish-name-%06d" % i, data=b""), b"")


def make_small(path, count=3000):
    """About 20 MiB of small files: data and headers straddle the reader's
    8 MiB mapping windows and 1 MiB read blocks at many different offsets."""
    rnd = random.Random(7)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for i in range(count):
            if i % 4 == 0:
                size = rnd.choice((0, 1, 511, 512, 513, 4095, 4096, 4097))
            else:
                size = rnd.randrange(0, 14000)
            data = rnd.randbytes(size)
            add(tf, ti("d%02d/f%05d" % (i % 37, i), data=data), data)


def make_lower(path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for d in ("etc", "var", "var/cache", "var/cache/apt", "opt"):
            add(tf, ti(d, tarfile.DIRTYPE, 0o755))
        for f in ("etc/passwd", "etc/hosts", "etc/removed", "var/cache/a", "var/cache/apt/b",
                  "opt/keep", "opt/gone"):
            add(tf, ti(f, data=f.encode()), f.encode())
        add(tf, ti("olddir", tarfile.DIRTYPE, 0o755))
        add(tf, ti("olddir/x", data=b"x"), b"x")


def make_upper(path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        # whiteouts before and after their directory entries, at every depth
        add(tf, ti("etc/.wh.removed", data=b""), b"")
        add(tf, ti("etc", tarfile.DIRTYPE, 0o755))
        add(tf, ti("etc/hosts", data=b"new hosts"), b"new hosts")
        add(tf, ti("var/cache/.wh..wh..opq", data=b""), b"")
        add(tf, ti("var/cache/fresh", data=b"fresh"), b"fresh")
        add(tf, ti("var/cache", tarfile.DIRTYPE, 0o700))
        add(tf, ti(".wh.olddir", data=b""), b"")
        add(tf, ti("opt", tarfile.DIRTYPE, 0o755))
        add(tf, ti("opt/.wh.gone", data=b""), b"")
        add(tf, ti("opt/new", data=b"n"), b"n")


def make_top(path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        # olddir was whited out below: recreating it shows only the new child
        add(tf, ti("olddir", tarfile.DIRTYPE, 0o755))
        add(tf, ti("olddir/.wh..wh..opq", data=b""), b"")
        add(tf, ti("olddir/y", data=b"y"), b"y")
        add(tf, ti("var/cache/.wh.fresh", data=b""), b"")
        # an opaque root hides every lower entry not in this layer
        add(tf, ti(".wh..wh..opq", data=b""), b"")


def make_hostile(kind, path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        add(tf, ti("ok", data=b"fine"), b"fine")
        if kind == "hardlink-missing":
            add(tf, ti("link", tarfile.LNKTYPE, linkname="no/such/target"))
        elif kind == "hardlink-dir":
            add(tf, ti("d", tarfile.DIRTYPE))
            add(tf, ti("link", tarfile.LNKTYPE, linkname="d"))
        elif kind == "root-file":
            add(tf, ti(".", data=b"root"), b"root")
        elif kind == "long-component":
            add(tf, ti("dir/" + "n" * 256, data=b""), b"")
        elif kind == "bad-whiteout":
            add(tf, ti("dir/.wh.", data=b""), b"")
        elif kind == "under-file":
            add(tf, ti("ok/child", data=b""), b"")
        elif kind == "absurd":
            add(tf, ti("huge", data=b"x" * 512), b"x" * 512)
    if kind == "absurd":
        # claim 2^50 bytes for "huge" in base-256, as GNU tar does
        data = bytearray(open(path, "rb").read())
        for off in range(0, len(data), 512):
            if data[off:off + 4] == b"huge":
                data[off + 124:off + 136] = bytes([0x80]) + (2**50).to_bytes(11, "big")
                data[off + 148:off + 156] = b" " * 8
                csum = sum(data[off:off + 512])
                data[off + 148:off + 156] = b"%06o\0 " % csum
        open(path, "wb").write(bytes(data))


CASES = {"kinds": make_kinds, "gnu": make_gnu, "subdirs": make_subdirs, "bigdir": make_bigdir, "small": make_small, "lower": make_lower, "upper": make_upper, "top": make_top}
for _k in ("hardlink-missing", "hardlink-dir", "root-file", "long-component", "bad-whiteout", "under-file", "absurd"):
    CASES["hostile-" + _k] = (lambda k: lambda p: make_hostile(k, p))(_k)

# ----------------------------------------------------------------- oracle


def clean(name):
    p = posixpath.normpath("/" + name)
    return "" if p == "/" else p.lstrip("/")


def pax_time(t, key):
    v = t.pax_headers.get(key)
    if v is None:
        return None
    d = Decimal(v)
    sec = int(d // 1)
    ns = int(((d - sec) * 1000000000).to_integral_value(rounding="ROUND_FLOOR"))
    return sec * 1000000000 + ns


def xattrs_of(t):
    out = {}
    for k, v in t.pax_headers.items():
        if k.startswith("SCHILY.xattr."):
            out[k[len("SCHILY.xattr."):]] = v.encode("utf-8", "surrogateescape")
        elif k.startswith("LIBARCHIVE.xattr."):
            out[k[len("LIBARCHIVE.xattr."):]] = base64.b64decode(v)
    return out


class Node:
    def __init__(self, kind, **kw):
        self.kind = kind
        self.mode = kw.get("mode", 0o755)
        self.uid = kw.get("uid", 0)
        self.gid = kw.get("gid", 0)
        self.mtime = kw.get("mtime", 0)
        self.atime = kw.get("atime", 0)
        self.ctime = kw.get("ctime", 0)
        self.xattrs = kw.get("xattrs", {})
        self.sha = kw.get("sha")
        self.size = kw.get("size", 0)
        self.link = kw.get("link")
        self.dev = kw.get("dev")


def expected_tree(tar_path, overlay=True):
    root = Node("dir", mode=0o755)
    tree = {"": root}

    def remove(p):
        for k in [k for k in tree if k == p or k.startswith(p + "/")]:
            del tree[k]

    def ensure_parents(p):
        parts = p.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in tree:
                r = tree[""]
                tree[d] = Node("dir", mode=r.mode, uid=r.uid, gid=r.gid, mtime=r.mtime, atime=r.atime, ctime=r.ctime)
            elif tree[d].kind != "dir":
                raise SystemExit("test tar puts a child under a file: " + p)

    with tarfile.open(tar_path) as tf:
        for t in tf:
            name = t.name
            base = name.rsplit("/", 1)[-1]
            if overlay and not name.endswith("/") and base.startswith(".wh."):
                d = clean(name.rsplit("/", 1)[0] if "/" in name else "")
                if base == ".wh..wh..opq":
                    if d:
                        ensure_parents(d + "/x")
                    tree[d].xattrs = dict(tree[d].xattrs, **{"trusted.overlay.opaque": b"y"})
                    continue
                p = clean((d + "/" if d else "") + base[4:])
                ensure_parents(p)
                remove(p)
                tree[p] = Node("chr", mode=0, dev=(0, 0))
                continue
            p = clean(name)
            mt = pax_time(t, "mtime")
            attrs = dict(mode=t.mode & 0o7777, uid=t.uid, gid=t.gid,
                         mtime=mt if mt is not None else int(t.mtime) * 1000000000,
                         atime=pax_time(t, "atime") or 0, ctime=pax_time(t, "ctime") or 0,
                         xattrs=xattrs_of(t))
            if p:
                ensure_parents(p)
            if t.islnk():
                target = tree[clean(t.linkname)]
                if p in tree and tree[p] is not target:
                    remove(p)
                tree[p] = target
                continue
            if t.isdir():
                if p in tree and tree[p].kind == "dir":
                    n = tree[p]
                    merged = dict(n.xattrs)
                    merged.update(attrs.pop("xattrs"))
                    for k, v in attrs.items():
                        setattr(n, k, v)
                    n.xattrs = merged
                    continue
                remove(p)
                tree[p] = Node("dir", **attrs)
                continue
            remove(p)
            if t.isreg():
                h = hashlib.sha256()
                f = tf.extractfile(t)
                while True:
                    b = f.read(1 << 20)
                    if not b:
                        break
                    h.update(b)
                tree[p] = Node("reg", sha=h.hexdigest(), size=t.size, **attrs)
            elif t.issym():
                attrs["mode"] = 0o777
                tree[p] = Node("lnk", link=t.linkname, **attrs)
            elif t.ischr():
                tree[p] = Node("chr", dev=(t.devmajor, t.devminor), **attrs)
            elif t.isblk():
                tree[p] = Node("blk", dev=(t.devmajor, t.devminor), **attrs)
            elif t.isfifo():
                tree[p] = Node("fifo", **attrs)
    return tree


def kind_of(st):
    m = st.st_mode
    for test, k in ((stat.S_ISDIR, "dir"), (stat.S_ISREG, "reg"), (stat.S_ISLNK, "lnk"), (stat.S_ISCHR, "chr"),
                    (stat.S_ISBLK, "blk"), (stat.S_ISFIFO, "fifo")):
        if test(m):
            return k
    return "?"


def sha_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 22)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def clamp_ns(ns):
    lo, hi = -(2**31) * 10**9, (2**31 - 1 + 3 * 2**32) * 10**9 + 999999999
    return max(lo, min(hi, ns))


def compare(tar_path, mount, overlay=True):
    want = expected_tree(tar_path, overlay)
    got = {}
    for dirpath, dirnames, filenames in os.walk(mount):
        rel = os.path.relpath(dirpath, mount)
        rel = "" if rel == "." else rel
        if rel == "lost+found":
            dirnames[:] = []
            continue
        got[rel] = os.lstat(dirpath)
        for n in dirnames + filenames:
            p = (rel + "/" if rel else "") + n
            if p == "lost+found":
                continue
            got[p] = os.lstat(os.path.join(mount, p))
    errors = []
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing:
        errors.append("missing: %s" % missing[:10])
    if extra:
        errors.append("unexpected: %s" % extra[:10])
    inode_of = {}
    for p in sorted(set(want) & set(got)):
        w, st = want[p], got[p]
        full = os.path.join(mount, p) if p else mount
        def bad(what, exp, act):
            errors.append("%s: %s want %r got %r" % (p or "/", what, exp, act))
        if kind_of(st) != w.kind:
            bad("type", w.kind, kind_of(st))
            continue
        if stat.S_IMODE(st.st_mode) != w.mode:
            bad("mode", oct(w.mode), oct(stat.S_IMODE(st.st_mode)))
        if (st.st_uid, st.st_gid) != tuple(65534 if i == 2**32 - 1 else i for i in (w.uid, w.gid)):
            bad("owner", (w.uid, w.gid), (st.st_uid, st.st_gid))
        for field in ("mtime", "atime", "ctime"):
            exp = clamp_ns(getattr(w, field))
            act = getattr(st, "st_%s_ns" % field)
            if exp != act:
                bad(field, exp, act)
        if id(w) in inode_of and inode_of[id(w)] != st.st_ino:
            bad("hard link inode", inode_of[id(w)], st.st_ino)
        inode_of.setdefault(id(w), st.st_ino)
        if w.kind == "reg":
            if st.st_size != w.size:
                bad("size", w.size, st.st_size)
            elif sha_of(full) != w.sha:
                bad("content", w.sha, "different")
        if w.kind == "lnk" and os.readlink(full) != w.link:
            bad("link target", w.link, os.readlink(full))
        if w.kind in ("chr", "blk"):
            dev = (os.major(st.st_rdev), os.minor(st.st_rdev))
            if dev != w.dev:
                bad("device", w.dev, dev)
        if w.kind != "lnk":
            names = set(os.listxattr(full, follow_symlinks=False))
            if names != set(w.xattrs):
                bad("xattr names", sorted(w.xattrs), sorted(names))
            for k in names & set(w.xattrs):
                v = os.getxattr(full, k, follow_symlinks=False)
                if v != w.xattrs[k]:
                    bad("xattr " + k, w.xattrs[k], v)
    for e in errors:
        print(e)
    print("compared %d paths, %d problems" % (len(want), len(errors)))
    return 1 if errors else 0


def sparse_compare(a, b):
    """Same size, same bytes in every data region of either file."""
    fa, fb = os.open(a, os.O_RDONLY), os.open(b, os.O_RDONLY)
    size = os.fstat(fa).st_size
    if os.fstat(fb).st_size != size:
        print("size differs")
        return 1
    for src in (fa, fb):
        off = 0
        while off < size:
            try:
                off = os.lseek(src, off, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(src, off, os.SEEK_HOLE)
            while off < end:
                n = min(end - off, 1 << 22)
                if os.pread(fa, n, off) != os.pread(fb, n, off):
                    print("bytes differ at", off)
                    return 1
                off += n
    print("sparse files match (%d bytes)" % size)
    return 0


def lookup(mount, prefix, count, step):
    t0 = time.monotonic()
    for i in range(0, count * step, step):
        os.stat(os.path.join(mount, prefix % i))
    print("%.3f" % (time.monotonic() - t0))


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        CASES[sys.argv[2]](sys.argv[3])
        return 0
    if cmd == "compare":
        return compare(sys.argv[2], sys.argv[3], overlay="--aufs" not in sys.argv)
    if cmd == "sparse-compare":
        return sparse_compare(sys.argv[2], sys.argv[3])
    if cmd == "lookup":
        lookup(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return 0
    raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main())
