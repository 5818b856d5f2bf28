#!/usr/bin/env bash
# vhd2tar on images of a generated tree (tests/tools/mktree.py: every entry
# kind, xattrs, ACLs, whiteouts, hard links, sparse files, long names),
# made by mke2fs -d with several feature sets and by the kernel (a loop
# mount filled with cp -a), compared entry by entry with the tree.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
TOOLS="$ROOT/tests/tools"
V2T="$BIN/vhd2tar"

python3 "$TOOLS/mktree.py" --no-far-times "$T/tree" || { fail "build tree" "mktree.py failed"; exit 1; }

# mke2fs -d stores whole seconds only, so those images compare to the second.
check_mke2fs() { # name [--skip NAME] mke2fs-args...
	local name=$1; shift
	local skip=()
	if [ "$1" = --skip ]; then skip=(--skip "$2"); shift 2; fi
	local img="$T/img"
	if ! mke2fs -q -F "$@" -d "$T/tree" "$img" 256M >"$T/mkfs.log" 2>&1; then
		fail "$name: mke2fs" "$(cat "$T/mkfs.log")"; return
	fi
	if ! "$V2T" -i "$img" >"$T/out.tar" 2>"$T/err"; then
		fail "$name: vhd2tar" "$(cat "$T/err")"; return
	fi
	local out
	if out=$(python3 "$TOOLS/tarcmp.py" --seconds "${skip[@]}" "$T/tree" "$T/out.tar" 2>&1); then
		pass "$name: tar matches the tree entry by entry"
	else
		fail "$name: tar matches the tree entry by entry" "$out"
	fi
	rm -f "$img" "$T/out.tar"
}

check_mke2fs "ext4 default (extents, htree, 64bit, metadata_csum)" -t ext4 -b 4096
# mke2fs 1.47.0 with inline_data stores sparse/holes without its trailing
# hole (its i_size is the end of the last data block), so that file is left out.
check_mke2fs "ext4 inline_data" --skip sparse/holes -t ext4 -b 4096 -O inline_data
check_mke2fs "ext4 1 KiB blocks" -t ext4 -b 1024
check_mke2fs "ext4 128-byte inodes" -t ext4 -b 4096 -I 128
check_mke2fs "ext4 without metadata_csum and 64bit" -t ext4 -b 4096 -O ^metadata_csum,^64bit
check_mke2fs "ext2 block maps" -t ext2 -b 4096
check_mke2fs "ext3" -t ext3 -b 4096

# The kernel as writer: nanosecond and post-2038 times, its own layouts.
python3 "$TOOLS/mktree.py" "$T/ktree" --seed 2 >/dev/null 2>&1
mke2fs -q -F -t ext4 -O inline_data "$T/k.img" 256M
mkdir -p "$T/mnt"
if mount -o loop "$T/k.img" "$T/mnt" 2>"$T/err"; then
	at_exit "umount '$T/mnt'"
	cp -a "$T/ktree/." "$T/mnt/"
	rm -rf "$T/mnt/lost+found"
	umount "$T/mnt"
	if "$V2T" -i "$T/k.img" >"$T/k.tar" 2>"$T/err"; then
		out=$(python3 "$TOOLS/tarcmp.py" "$T/ktree" "$T/k.tar" 2>&1) && pass "kernel-written ext4: tar matches, ns times included" ||
			fail "kernel-written ext4: tar matches, ns times included" "$out"
	else
		fail "kernel-written ext4: vhd2tar" "$(cat "$T/err")"
	fi
else
	skip "kernel-written ext4" "loop mount unavailable: $(cat "$T/err")"
fi
rm -f "$T/k.img" "$T/k.tar"

# Same bytes every time, from a file, a VHD on a pipe, and into -o.
img="$T/det.img"
mke2fs -q -F -t ext4 -b 4096 -d "$T/tree" "$img" 256M
"$V2T" -i "$img" >"$T/a.tar"
"$V2T" <"$img" >"$T/b.tar"
ok "output is deterministic" cmp "$T/a.tar" "$T/b.tar"
python3 "$TOOLS/vhdfooter.py" "$img" >"$T/footer"
cat "$img" "$T/footer" >"$T/det.vhd"
mkdir -p "$T/scratch"
cat "$T/det.vhd" | "$V2T" -tmpdir "$T/scratch" >"$T/c.tar"
ok "a fixed VHD on a pipe gives the same tar as the bare image" cmp "$T/a.tar" "$T/c.tar"
ok_eq "the stdin copy is gone from -tmpdir" "" "$(ls -A "$T/scratch")"
"$V2T" --i="$img" --o "$T/d.tar" -whiteout=overlay
ok "-o writes the same tar" cmp "$T/a.tar" "$T/d.tar"
ok_eq "-o leaves no temporary file" "d.tar" "$(cd "$T" && ls -A | grep -F d.tar)"

# GNU tar reads it all back (sparse maps, pax records, binary names).
ok "GNU tar lists the archive without errors" bash -c "tar -tf '$T/a.tar' >/dev/null 2>'$T/gt.err' && ! grep -v 'Ignoring unknown extended header' '$T/gt.err' | grep -q ."
mkdir -p "$T/x"
ok "GNU tar extracts the archive" tar --xattrs --xattrs-include='*' -xf "$T/a.tar" -C "$T/x"
ok_eq "a sparse file extracted by GNU tar has the same content" "$(md5sum <"$T/tree/sparse/holes")" "$(md5sum <"$T/x/sparse/holes" 2>&1)"
ok_eq "an ACL extracted by GNU tar (from the xattr) is the original" "$(getfacl -c "$T/tree/attrs/acl-file" 2>&1)" "$(getfacl -c "$T/x/attrs/acl-file" 2>&1)"
ok_eq "a default ACL extracted by GNU tar is the original" "$(getfacl -cd "$T/tree/attrs/acl-dir" 2>&1)" "$(getfacl -cd "$T/x/attrs/acl-dir" 2>&1)"

# -whiteout aufs: whiteouts stay character devices, opaque stays an xattr.
"$V2T" -whiteout aufs -i "$img" >"$T/aufs.tar"
ok "aufs format keeps the char 0/0 device" bash -c "tar -tvf '$T/aufs.tar' 2>/dev/null | grep -qE '^c.* 0,0 .* layer/deleted\$'"
ok "overlay format writes .wh.deleted" bash -c "tar -tf '$T/a.tar' 2>/dev/null | grep -qx 'layer/.wh.deleted'"
ok "overlay format writes the opaque marker right after its directory" bash -c "tar -tf '$T/a.tar' 2>/dev/null | grep -A1 -x 'layer/opaque/' | tail -1 | grep -qx 'layer/opaque/.wh..wh..opq'"

# Order: parents before children, names sorted byte-wise within a directory.
python3 - "$T/a.tar" >"$T/order" 2>&1 <<'PY'
import sys, tarfile
names = [m.name.rstrip("/") for m in tarfile.open(sys.argv[1])]
seen = set()
for n in names:
    parent = n.rsplit("/", 1)[0] if "/" in n else ""
    if parent and parent not in seen:
        print("child before parent:", n); sys.exit(1)
    seen.add(n)
def key(n): return [c.encode("utf-8", "surrogateescape") for c in n.split("/")]
if [key(n) for n in names] != sorted(key(n) for n in names):
    print("not sorted"); sys.exit(1)
PY
ok_eq "entries sorted, parents first" "" "$(cat "$T/order")"

# A directory with 100,000 entries (htree), written by the kernel: mke2fs -d
# inserts names linearly and takes minutes for it.
mke2fs -q -F -t ext4 -b 4096 -N 110000 "$T/big.img" 512M
mkdir -p "$T/bigmnt"
if mount -o loop "$T/big.img" "$T/bigmnt" 2>"$T/err"; then
	at_exit "umount '$T/bigmnt'"
	rm -rf "$T/bigmnt/lost+found"
	mkdir "$T/bigmnt/big"
	(cd "$T/bigmnt/big" && seq -f 'entry-%06g' 0 99999 | xargs touch)
	cp -a "$T/bigmnt/." "$T/bigsrc/" 2>/dev/null || { mkdir -p "$T/bigsrc" && cp -a "$T/bigmnt/." "$T/bigsrc/"; }
	umount "$T/bigmnt"
	if "$V2T" -i "$T/big.img" >"$T/big.tar" 2>"$T/err"; then
		ok_eq "100k-entry directory: every entry written" 100001 "$(tar -tf "$T/big.tar" | wc -l)"
		out=$(python3 "$TOOLS/tarcmp.py" "$T/bigsrc" "$T/big.tar" 2>&1) && pass "100k-entry directory matches" || fail "100k-entry directory matches" "$out"
	else
		fail "100k-entry directory" "$(cat "$T/err")"
	fi
else
	skip "100k-entry directory" "loop mount unavailable: $(cat "$T/err")"
fi
