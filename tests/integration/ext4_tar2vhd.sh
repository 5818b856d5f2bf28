#!/usr/bin/env bash
# tar2vhd end to end: generated layer tars covering every entry kind become
# fixed VHDs whose ext4 e2fsck -fn accepts without a single message, which
# the kernel mounts read-only and serves exactly as the tar describes
# (checked by tests/integration/ext4_layers.py), byte-identical across runs
# and input compressions, with a footer qemu-img reads back; hostile input
# exits 1 with a reason and leaves no output behind.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
LAYERS="$ROOT/tests/integration/ext4_layers.py"
T2V="$BIN/tar2vhd"

# e2fsck -fn exits 0 and prints nothing but its banner, passes and summary.
fsck_clean() {
	local out rc extra
	out=$(e2fsck -fn "$1" 2>&1)
	rc=$?
	extra=$(echo "$out" | grep -vE '^(e2fsck [0-9.]+ \(.*\)|Pass [1-5][A-Z]?: .*|[^ ]+: [0-9]+/[0-9]+ files .*)$')
	if [ $rc -ne 0 ] || [ -n "$extra" ]; then
		echo "$out"
		return 1
	fi
}
mount_ro() { # image dir
	mkdir -p "$2"
	mount -t ext4 -o ro,loop "$1" "$2" || return 1
	at_exit "umount '$2'"
}
strip_footer() { head -c -512 "$1" >"$2"; }

# --- every entry kind ------------------------------------------------------
python3 "$LAYERS" make kinds "$T/kinds.tar"
ok "kinds: converts" "$T2V" -i "$T/kinds.tar" -o "$T/kinds.vhd"
strip_footer "$T/kinds.vhd" "$T/kinds.ext4"
ok "kinds: e2fsck -fn clean, no message" fsck_clean "$T/kinds.ext4"
size=$(stat -c %s "$T/kinds.ext4")
info=$(qemu-img info -f vpc --output=json "$T/kinds.vhd")
ok_eq "kinds: qemu-img reads a vpc disk of the ext4 size" "vpc $size" \
	"$(echo "$info" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["format"], j["virtual-size"])')"
mount_ro "$T/kinds.ext4" "$T/m-kinds"
ok "kinds: kernel view matches the tar (names, types, modes, owners, ns times, xattrs, links, contents, devices)" \
	python3 "$LAYERS" compare "$T/kinds.tar" "$T/m-kinds"
ok "kinds: pax global header is not a file" test ! -e "$T/m-kinds/pax_global_header" -a ! -e "$T/m-kinds/@PaxHeader"
ok_eq "kinds: POSIX ACL reads back through getfacl" \
	"$(printf '%s\n' user::rw- user:1000:r-- group::r-- group:2000:rw- mask::rw- other::r--)" \
	"$(getfacl -n --omit-header "$T/m-kinds/xattr/file" 2>/dev/null | sed '/^$/d')"
ok_eq "kinds: default ACL on a directory" \
	"$(printf '%s\n' user::rwx user:1001:r-x group::r-x mask::r-x other::r-x)" \
	"$(getfacl -n --omit-header --default "$T/m-kinds/xattr/dir" 2>/dev/null | sed '/^$/d')"
ok_eq "kinds: uid/gid 2^32-1 stored in full (debugfs)" "-1 -1" \
	"$(debugfs -R 'stat owners/all-ones' "$T/kinds.ext4" 2>/dev/null | sed -n 's/.*User: *\(-\?[0-9]*\) *Group: *\(-\?[0-9]*\).*/\1 \2/p')"
ok "kinds: a large xattr lives in an attribute block" \
	bash -c "debugfs -R 'stat xattr/file' '$T/kinds.ext4' 2>/dev/null | grep -q 'File ACL: [1-9]'"
ok "kinds: a 19 MiB file maps through one depth-0 tree" \
	bash -c "debugfs -R 'ex dir/multi-extent' '$T/kinds.ext4' 2>/dev/null | grep -q '0/ 0'"

# --- GNU long names, and ACLs written as text by bsdtar --------------------
python3 "$LAYERS" make gnu "$T/gnu.tar"
ok "gnu: converts" "$T2V" --no-vhd -i "$T/gnu.tar" -o "$T/gnu.ext4"
ok "gnu: e2fsck clean" fsck_clean "$T/gnu.ext4"
mount_ro "$T/gnu.ext4" "$T/m-gnu"
ok "gnu: long names, long link targets, hard link to a long name" python3 "$LAYERS" compare "$T/gnu.tar" "$T/m-gnu"
mkdir -p "$T/acl/d" && echo data >"$T/acl/d/f"
setfacl -m u:1234:rw-,g:4321:r--,m::rw- "$T/acl/d/f" && setfacl -d -m u:1234:r-x "$T/acl/d"
bsdtar --acls --format=pax -C "$T/acl" -cf "$T/acl.tar" d
ok "bsdtar text ACLs: the tar carries SCHILY.acl records" grep -aq "SCHILY.acl.access" "$T/acl.tar"
ok "bsdtar text ACLs: converts" "$T2V" --no-vhd -i "$T/acl.tar" -o "$T/acl.ext4"
ok "bsdtar text ACLs: e2fsck clean" fsck_clean "$T/acl.ext4"
mount_ro "$T/acl.ext4" "$T/m-acl"
ok_eq "bsdtar text ACLs: access ACL as on the source" "$(getfacl -pn --omit-header "$T/acl/d/f")" \
	"$(getfacl -pn --omit-header "$T/m-acl/d/f")"
ok_eq "bsdtar text ACLs: default ACL as on the source" "$(getfacl -pn --omit-header "$T/acl/d")" \
	"$(getfacl -pn --omit-header "$T/m-acl/d")"

# --- reproducible, and the same through every output path and compression -
"$T2V" -i "$T/kinds.tar" -o "$T/again.vhd"
ok "deterministic: two runs give identical bytes" cmp "$T/kinds.vhd" "$T/again.vhd"
"$T2V" <"$T/kinds.tar" | cat >"$T/pipe.vhd"
ok "stdout pipe: same bytes as -o" cmp "$T/kinds.vhd" "$T/pipe.vhd"
"$T2V" <"$T/kinds.tar" >"$T/redirect.vhd"
ok "stdout file: same bytes as -o" cmp "$T/kinds.vhd" "$T/redirect.vhd"
"$T2V" -tmpdir "$T/scratch/sub" -fs ext4 --vhd=fixed <"$T/kinds.tar" | cat >"$T/scratch.vhd"
ok "-tmpdir: same bytes, scratch directory created and left empty" \
	bash -c "cmp '$T/kinds.vhd' '$T/scratch.vhd' && [ -d '$T/scratch/sub' ] && [ -z \"\$(ls -A '$T/scratch/sub')\" ]"
gzip -c "$T/kinds.tar" >"$T/kinds.tar.gz"
zstd -q -c "$T/kinds.tar" >"$T/kinds.tar.zst"
"$T2V" -i "$T/kinds.tar.gz" -o "$T/gz.vhd"
"$T2V" -i "$T/kinds.tar.zst" -o "$T/zst.vhd"
ok "gzip input: same bytes" cmp "$T/kinds.vhd" "$T/gz.vhd"
ok "zstd input: same bytes" cmp "$T/kinds.vhd" "$T/zst.vhd"
cat "$T/kinds.tar" | "$T2V" -o "$T/stdin-pipe.vhd"
ok "stdin pipe: same bytes as a file input" cmp "$T/kinds.vhd" "$T/stdin-pipe.vhd"
# stdin a regular file whose offset is not 0: the tar starts there
{ head -c 1536 /dev/urandom; cat "$T/kinds.tar"; } >"$T/offset.tar"
{ dd bs=1536 count=1 of=/dev/null status=none; "$T2V" >"$T/offset.vhd"; } <"$T/offset.tar"
ok "stdin file at an offset: same bytes" cmp "$T/kinds.vhd" "$T/offset.vhd"
"$T2V" --no-vhd -i "$T/kinds.tar" -o "$T/bare.ext4"
ok "--no-vhd: the bare ext4 image" cmp "$T/kinds.ext4" "$T/bare.ext4"

# --- many small files across the reader's blocks ------------------------------
python3 "$LAYERS" make small "$T/small.tar"
ok "small files: converts from a file" "$T2V" --no-vhd -i "$T/small.tar" -o "$T/small.ext4"
cat "$T/small.tar" | "$T2V" --no-vhd >"$T/small-pipe.ext4"
ok "small files: same bytes from a pipe" cmp "$T/small.ext4" "$T/small-pipe.ext4"
gzip -1 -c "$T/small.tar" | "$T2V" --no-vhd -o "$T/small-gz.ext4"
ok "small files: same bytes from gzip" cmp "$T/small.ext4" "$T/small-gz.ext4"
ok "small files: e2fsck clean" fsck_clean "$T/small.ext4"
mount_ro "$T/small.ext4" "$T/m-small"
ok "small files: contents as in the tar" python3 "$LAYERS" compare "$T/small.tar" "$T/m-small"

# --- aufs whiteouts are ordinary files -------------------------------------
ok "aufs: converts" "$T2V" --whiteout=aufs -i "$T/kinds.tar" -o "$T/aufs.vhd" --no-vhd
ok "aufs: e2fsck clean" fsck_clean "$T/aufs.vhd"
mount_ro "$T/aufs.vhd" "$T/m-aufs"
ok "aufs: .wh. entries stored literally" python3 "$LAYERS" compare "$T/kinds.tar" "$T/m-aufs" --aufs

# --- sparse files, also larger than 4 GiB ----------------------------------
mkdir -p "$T/sparse"
python3 - "$T/sparse" <<'EOF'
import os, sys
d = sys.argv[1]
with open(os.path.join(d, "five-gib"), "wb") as f:
    f.write(b"head of a 5 GiB file\n")
    f.seek((5 << 30) + 12345)
    f.write(b"tail\n")
with open(os.path.join(d, "many-holes"), "wb") as f:  # 24 data runs: a depth-1 extent tree
    for i in range(24):
        f.seek(i * (1 << 20) + (i * 777) % 4096)
        f.write(bytes([65 + i]) * 5000)
EOF
for fmt in pax gnu; do
	tar -C "$T/sparse" --sparse --format=$fmt -cf "$T/sparse-$fmt.tar" .
	ok "sparse ($fmt): converts" "$T2V" --no-vhd -i "$T/sparse-$fmt.tar" -o "$T/sparse-$fmt.ext4"
	ok "sparse ($fmt): e2fsck clean" fsck_clean "$T/sparse-$fmt.ext4"
	ok "sparse ($fmt): image stays small" test "$(stat -c %s "$T/sparse-$fmt.ext4")" -lt $((64 << 20))
	mount_ro "$T/sparse-$fmt.ext4" "$T/m-sparse-$fmt"
	ok "sparse ($fmt): 5 GiB file reads back" python3 "$LAYERS" sparse-compare "$T/sparse/five-gib" "$T/m-sparse-$fmt/five-gib"
	ok "sparse ($fmt): many-hole file reads back" python3 "$LAYERS" sparse-compare "$T/sparse/many-holes" "$T/m-sparse-$fmt/many-holes"
done
ok "sparse: many holes map through extent leaves" \
	bash -c "debugfs -R 'ex many-holes' '$T/sparse-pax.ext4' 2>/dev/null | grep -q '^ *1/ 1'"

# --- a directory with 100,000 entries is hashed ----------------------------
python3 "$LAYERS" make bigdir "$T/bigdir.tar"
ok "100k directory: converts" "$T2V" --no-vhd -i "$T/bigdir.tar" -o "$T/bigdir.ext4"
ok "100k directory: e2fsck clean" fsck_clean "$T/bigdir.ext4"
ok "100k directory: htree index" bash -c "debugfs -R 'htree big' '$T/bigdir.ext4' 2>/dev/null | grep -q 'Hash Version: 1'"
mount_ro "$T/bigdir.ext4" "$T/m-big"
ok "100k directory: indexed flag seen by the kernel" bash -c "lsattr -d '$T/m-big/big' | cut -d' ' -f1 | grep -q I"
ok_eq "100k directory: readdir lists every entry" 100002 "$(ls -fa "$T/m-big/big" | wc -l)"
secs=$(python3 "$LAYERS" lookup "$T/m-big/big" "entry-with-a-longish-name-%06d" 1000 97)
ok "100k directory: 1000 lookups succeed (${secs}s)" test -n "$secs"

# --- 70,000 subdirectories: more links than ext4 counts ---------------------
python3 "$LAYERS" make subdirs "$T/subdirs.tar"
ok "70k subdirectories: converts" "$T2V" --no-vhd -i "$T/subdirs.tar" -o "$T/subdirs.ext4"
ok "70k subdirectories: e2fsck clean (also with lost+found replaced by a file)" fsck_clean "$T/subdirs.ext4"
ok "70k subdirectories: dir_nlink feature" bash -c "dumpe2fs -h '$T/subdirs.ext4' 2>/dev/null | grep -q dir_nlink"
mount_ro "$T/subdirs.ext4" "$T/m-subdirs"
ok_eq "70k subdirectories: link count 1 means many" 1 "$(stat -c %h "$T/m-subdirs/top")"
ok_eq "70k subdirectories: all listed" 70000 "$(ls -f "$T/m-subdirs/top" | grep -c '^d')"

# --- hostile input: exit 1, a reason, nothing left behind ------------------
hostile() { # name case expected-message-fragment [extra flags]
	local name=$1 case=$2 want=$3
	shift 3
	python3 "$LAYERS" make "hostile-$case" "$T/h-$case.tar"
	mkdir -p "$T/out-$case"
	"$T2V" "$@" -i "$T/h-$case.tar" -o "$T/out-$case/layer.vhd" 2>"$T/err-$case"
	local rc=$?
	ok_eq "hostile: $name exits 1" 1 "$rc"
	ok "hostile: $name says why" grep -q -- "$want" "$T/err-$case"
	ok_eq "hostile: $name leaves no output" "" "$(ls -A "$T/out-$case")"
}
hostile "hard link to a missing target" hardlink-missing "hard link target no/such/target does not exist"
hostile "hard link to a directory" hardlink-dir "hard link to directory"
hostile "file replacing the root" root-file "names the image root"
hostile "256-byte name" long-component "longer than 255 bytes"
hostile "empty whiteout" bad-whiteout "whiteout names no file"
hostile "child of a file" under-file "is not a directory"
hostile "2^50-byte entry" absurd "huge: size"
python3 "$LAYERS" make kinds "$T/k.tar"
mkdir -p "$T/out-max"
"$T2V" --max-size 4M -i "$T/k.tar" -o "$T/out-max/x.vhd" 2>"$T/err-max"
ok_eq "hostile: content above --max-size exits 1" 1 $?
ok "hostile: --max-size says it does not fit" grep -q "do not fit in the maximum image size" "$T/err-max"
ok_eq "hostile: --max-size leaves no output" "" "$(ls -A "$T/out-max")"
head -c 3000000 "$T/kinds.tar" >"$T/truncated.tar"
mkdir -p "$T/out-trunc"
"$T2V" -i "$T/truncated.tar" -o "$T/out-trunc/x.vhd" 2>"$T/err-trunc"
ok_eq "hostile: truncated tar exits 1" 1 $?
ok "hostile: truncated tar says so" grep -qi "truncated" "$T/err-trunc"
ok_eq "hostile: truncated tar leaves no output" "" "$(ls -A "$T/out-trunc")"
# The image is written by a second thread: its failure must still surface.
mkdir -p "$T/full"
mount -t tmpfs -o size=4m lcow-ext4-full "$T/full" && at_exit "umount '$T/full'"
"$T2V" -i "$T/small.tar" -o "$T/full/x.vhd" 2>"$T/err-full"
ok_eq "hostile: a full output file system exits 1" 1 $?
ok "hostile: a full output file system says so" grep -q "No space left on device" "$T/err-full"
ok_eq "hostile: a full output file system keeps no output" "" "$(ls -A "$T/full")"
head -c 100000 /dev/urandom >"$T/garbage"
"$T2V" <"$T/garbage" >"$T/garbage.vhd" 2>"$T/err-garbage"
ok_eq "hostile: garbage on stdin exits 1" 1 $?
ok_eq "hostile: garbage leaves the stdout file empty" 0 "$(stat -c %s "$T/garbage.vhd")"
ok_eq "hostile: nothing on a stdout pipe after an error" 0 "$("$T2V" <"$T/truncated.tar" 2>/dev/null | wc -c)"

# --- command line -----------------------------------------------------------
ok "--help: exit 0, documents --no-vhd and --max-size" \
	bash -c "'$T2V' --help | grep -q -- --no-vhd && '$T2V' -help | grep -q -- --max-size"
"$T2V" -fs xfs </dev/null >/dev/null 2>"$T/err-fs"
ok_eq "-fs xfs: usage error (exit 2)" 2 $?
ok "-fs xfs: Unknown filesystem" grep -q "Unknown filesystem: xfs" "$T/err-fs"
"$T2V" -bogus </dev/null >/dev/null 2>&1
ok_eq "unknown flag: exit 2" 2 $?
"$T2V" stray </dev/null >/dev/null 2>&1
ok_eq "positional argument: exit 2" 2 $?
ok "gcstools tar2vhd is the same command" bash -c "'$BIN/gcstools' tar2vhd -i '$T/kinds.tar' -o '$T/viagcstools.vhd' && cmp '$T/kinds.vhd' '$T/viagcstools.vhd'"
