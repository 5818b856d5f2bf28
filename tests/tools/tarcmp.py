#!/usr/bin/env python3
"""tarcmp.py: compares a layer tar, entry by entry, with its source.

    tarcmp.py [options] SOURCE RESULT

SOURCE is a directory tree or a tar; RESULT is a tar (e.g. vhd2tar's
output). Compared per name: type, permission bits, uid, gid, mtime (ns),
atime and ctime (when the source tar carries them; --times=all for trees),
symlink target, device numbers, size, content (SHA-256, sparse files
expanded), xattrs (SCHILY.xattr.*, exact bytes; a tree's POSIX ACLs come
from getxattr in VFS form) and hard-link groups (same partition of names,
whichever name is first). Exit 0 when equal, 1 with the differences.

Whiteouts: a tree holds overlay whiteouts (char 0/0, trusted.overlay.opaque)
while the tar holds .wh. files; the tree side is converted to the tar form.
For .wh.* entries only the name and type are compared (their mode, owner
and times are set by the conversion, gcstools.md §6).
"""
import argparse
import hashlib
import os
import stat
import sys
import tarfile
from decimal import Decimal

WH = ".wh."
OPQ = ".wh..wh..opq"


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    name = name.strip("/")
    return "" if name == "." else name


def ns_of(value):
    d = Decimal(value)
    return int((d * 1000000000).to_integral_value(rounding="ROUND_FLOOR"))


def digest_stream(f):
    h = hashlib.sha256()
    while True:
        b = f.read(1 << 20)
        if not b:
            return h.hexdigest()
        h.update(b)


class Entry:
    __slots__ = ("kind", "perm", "uid", "gid", "mtime", "atime", "ctime", "link", "dev", "size", "sha", "xattrs", "group")

    def __init__(self, **kw):
        for s in self.__slots__:
            setattr(self, s, kw.get(s))


def read_tar(path, want_data=True):
    entries, links = {}, {}
    with tarfile.open(path, "r:") as tf:
        for m in tf:
            if m.type in (tarfile.XGLTYPE,):
                continue
            name = norm(m.name)
            if name == "":
                continue
            ph = m.pax_headers
            xattrs = {}
            for k, v in ph.items():
                if k.startswith("SCHILY.xattr."):
                    xattrs[k[len("SCHILY.xattr."):]] = v.encode("utf-8", "surrogateescape")
            e = Entry(perm=m.mode & 0o7777, uid=m.uid, gid=m.gid,
                      mtime=ns_of(ph["mtime"]) if "mtime" in ph else int(m.mtime) * 10**9,
                      atime=ns_of(ph["atime"]) if "atime" in ph else None,
                      ctime=ns_of(ph["ctime"]) if "ctime" in ph else None,
                      xattrs=xattrs)
            if m.islnk():
                links[name] = norm(m.linkname)
                entries.pop(name, None)
                continue
            links.pop(name, None)
            if m.isreg():
                e.kind, e.size = "f", m.size
                if want_data:
                    e.sha = digest_stream(tf.extractfile(m))
            elif m.isdir():
                e.kind = "d"
            elif m.issym():
                e.kind, e.link = "l", m.linkname
            elif m.ischr() or m.isblk():
                e.kind, e.dev = ("c" if m.ischr() else "b"), (m.devmajor, m.devminor)
            elif m.isfifo():
                e.kind = "p"
            else:
                e.kind = "?%r" % m.type
            entries[name] = e
    # Hard links: every name of a group points at one representative.
    for name, target in links.items():
        root = target
        seen = set()
        while root in links and root not in seen:
            seen.add(root)
            root = links[root]
        if root not in entries:
            entries[name] = Entry(kind="dangling-link:%s" % target)
            continue
        entries[name] = entries[root]
    return assign_groups(entries)


def assign_groups(entries):
    by_id = {}
    for name in sorted(entries):
        by_id.setdefault(id(entries[name]), []).append(name)
    out = {}
    for names in by_id.values():
        group = tuple(sorted(names)) if len(names) > 1 else None
        for n in names:
            e = entries[n]
            c = Entry(**{s: getattr(e, s) for s in Entry.__slots__})
            c.group = group
            out[n] = c
    return out


def read_tree(root, times):
    entries, inodes = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for base in sorted(dirnames + filenames):
            p = os.path.join(dirpath, base)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            xattrs = {}
            try:
                for k in os.listxattr(p, follow_symlinks=False):
                    xattrs[k] = os.getxattr(p, k, follow_symlinks=False)
            except OSError:
                pass
            e = Entry(perm=stat.S_IMODE(st.st_mode), uid=st.st_uid, gid=st.st_gid, mtime=st.st_mtime_ns,
                      atime=st.st_atime_ns if times == "all" else None,
                      ctime=st.st_ctime_ns if times == "all" else None, xattrs=xattrs)
            m = st.st_mode
            if stat.S_ISSOCK(m):
                continue  # cannot be archived (gcstools.md §5.2)
            if stat.S_ISCHR(m) and st.st_rdev == 0:
                d, b = os.path.split(rel)
                entries[os.path.join(d, WH + b)] = Entry(kind="f", size=0, xattrs={})
                continue
            if stat.S_ISDIR(m) and xattrs.get("trusted.overlay.opaque") == b"y":
                del xattrs["trusted.overlay.opaque"]
                entries[os.path.join(rel, OPQ)] = Entry(kind="f", size=0, xattrs={})
            if not stat.S_ISDIR(m) and st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in inodes:
                    entries[rel] = inodes[key]
                    continue
                inodes[key] = e
            if stat.S_ISREG(m):
                e.kind, e.size = "f", st.st_size
                with open(p, "rb") as f:
                    e.sha = digest_stream(f)
            elif stat.S_ISDIR(m):
                e.kind = "d"
            elif stat.S_ISLNK(m):
                e.kind, e.link = "l", os.readlink(p)
            elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
                e.kind = "c" if stat.S_ISCHR(m) else "b"
                e.dev = (os.major(st.st_rdev), os.minor(st.st_rdev))
            elif stat.S_ISFIFO(m):
                e.kind = "p"
            entries[rel] = e
    return assign_groups(entries)


def compare(src, res, args):
    diffs = []
    for name in sorted(set(src) | set(res)):
        if name in args.skip:
            continue
        a, b = src.get(name), res.get(name)
        if a is None:
            if args.allow_implicit_dirs and b.kind == "d":
                continue
            diffs.append("%s: only in result (%s)" % (name, b.kind))
            continue
        if b is None:
            diffs.append("%s: missing from result (%s)" % (name, a.kind))
            continue
        base = os.path.basename(name)
        fields = ["kind"] if base.startswith(WH) else list(Entry.__slots__)
        for f in fields:
            va, vb = getattr(a, f), getattr(b, f)
            if f in ("atime", "ctime") and (va is None or args.times == "none"):
                continue
            if f == "mtime" and (args.times == "none" or (args.ignore_dir_mtime and a.kind == "d")):
                continue
            if f in ("mtime", "atime", "ctime") and args.seconds:
                va, vb = va // 10**9, (vb // 10**9 if vb is not None else None)
            if f == "xattrs" and args.ignore_xattr:
                va = {k: v for k, v in va.items() if not any(k.startswith(p) for p in args.ignore_xattr)}
                vb = {k: v for k, v in vb.items() if not any(k.startswith(p) for p in args.ignore_xattr)}
            if f in ("perm", "uid", "gid", "mtime") and a.kind == "l" and args.ignore_symlink_attrs:
                continue
            if va != vb:
                diffs.append("%s: %s differs: source %r, result %r" % (name, f, va, vb))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("result")
    ap.add_argument("--times", choices=["all", "tar", "none"], default="tar",
                    help="all: compare atime/ctime of a tree too; tar: when the source tar has them")
    ap.add_argument("--seconds", action="store_true", help="compare times to the second")
    ap.add_argument("--allow-implicit-dirs", action="store_true",
                    help="directories only in the result are parents the converter had to create")
    ap.add_argument("--ignore-xattr", action="append", default=[], metavar="PREFIX")
    ap.add_argument("--ignore-symlink-attrs", action="store_true")
    ap.add_argument("--ignore-dir-mtime", action="store_true",
                    help="directories' mtimes (for images whose maker does not keep them)")
    ap.add_argument("--count", action="store_true", help="print the number of entries compared")
    ap.add_argument("--skip", action="append", default=[], metavar="NAME",
                    help="leave this entry out (a known defect of the tool that made the image)")
    args = ap.parse_args()
    src = read_tree(args.source, args.times) if os.path.isdir(args.source) else read_tar(args.source)
    res = read_tar(args.result)
    diffs = compare(src, res, args)
    if args.count:
        print(len(src))
    if diffs:
        for d in diffs[:50]:
            print(d)
        if len(diffs) > 50:
            print("... and %d more differences" % (len(diffs) - 50))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
