#!/usr/bin/env bash
# remotefs extractarchive / archivepath (../shared/spec/gcstools.md §5, §6,
# §8.3): a TarOptions frame then a tar on stdin. Hostile tars (`..`,
# absolute names, a symlink planted and then written through, hard links out
# of the tree) must not write outside the target; ordinary tars extract with
# modes, owners, times, devices, xattrs and whiteouts; archivepath output is
# read back with GNU tar and extracted again for a round trip.
. "$(dirname "$0")/../lib.sh"
need_root
command -v python3 >/dev/null || { skip tar "no python3"; exit 0; }
tmpdir
R="$BIN/remotefs"
L="$T/log"
# frame JSON: the 8-byte big-endian length and the JSON.
frame() { python3 -c 'import sys,struct; j=sys.argv[1].encode(); sys.stdout.buffer.write(struct.pack(">Q",len(j))+j)' "$1"; }
extract() { # json tarfile dest
	{ frame "$1"; cat "$2"; } | "$R" -logfile "$L" extractarchive "$3" >"$T/out" 2>"$T/err"
}
# mktar OUT SPEC...: python tarfile entries "type:name[:arg]" (f file with
# content, d dir, l symlink -> arg, h hardlink -> arg, c chardev maj,min).
mktar() {
	python3 - "$@" <<'PY'
import sys, tarfile, io
out = sys.argv[1]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        kind, name, *rest = spec.split(":", 2)
        arg = rest[0] if rest else ""
        ti = tarfile.TarInfo(name); ti.mtime = 1500000000; ti.mode = 0o644
        data = None
        if kind == "f":
            data = arg.encode(); ti.size = len(data)
        elif kind == "d":
            ti.type = tarfile.DIRTYPE; ti.mode = 0o755
        elif kind == "l":
            ti.type = tarfile.SYMTYPE; ti.linkname = arg
        elif kind == "h":
            ti.type = tarfile.LNKTYPE; ti.linkname = arg
        elif kind == "c":
            ti.type = tarfile.CHRTYPE; ti.devmajor, ti.devminor = map(int, arg.split(","))
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
PY
}
outside="$T/outside"
mkdir -p "$outside"
# Everything outside the target: the outside dir in full, and the names in $T.
snapshot() { { find "$outside" -print0 | sort -z | xargs -0 stat -c '%n %s %Y %h'; ls -A "$T" | grep -v '^dst'; } 2>/dev/null | md5sum; }

# --- hostile tars -----------------------------------------------------------
try_hostile() { # name want-error-substring spec...
	local name=$1 want=$2; shift 2
	rm -rf "$T/dst" && mkdir "$T/dst"
	mktar "$T/h.tar" "$@"
	local before; before=$(snapshot)
	extract '{}' "$T/h.tar" "$T/dst"
	ok_eq "hostile $name: nothing written outside" "$before" "$(snapshot)"
	if [ -n "$want" ]; then
		ok "hostile $name: refused ($want)" grep -qF "$want" "$T/err"
	fi
}
: >"$T/out"; : >"$T/err"; : >"$L"
try_hostile "dotdot" 'is outside of' "f:../outside/evil:x"
try_hostile "deep dotdot" 'is outside of' "f:a/../../outside/evil:x"
try_hostile "symlink pointing out" 'invalid symlink' "l:esc:../outside"
try_hostile "absolute name" '' "f:$outside/abs:x"
ok "absolute name lands inside the target" test -f "$T/dst$outside/abs"
# A symlink with an absolute target passes Docker's check (joined to its
# directory), then a write through it must stay inside.
try_hostile "write through absolute symlink" '' "l:lnk:$outside" "f:lnk/evil:x"
ok "write through absolute symlink: outside untouched" test ! -e "$outside/evil"
try_hostile "write through absolute symlink to an inside dir" '' "d:sub" "l:lnk:/sub" "f:lnk/evil:x"
ok "absolute symlink resolves inside the target" test -f "$T/dst/sub/evil"
try_hostile "write through dir symlink to /" '' "l:root:/" "f:root$outside/evil2:x"
ok "write through / symlink: outside untouched" test ! -e "$outside/evil2"
ok "write through / symlink: lands inside the target" test -f "$T/dst$outside/evil2"
try_hostile "hardlink out of the tree" 'invalid hardlink' "h:hl:../outside/x"
echo secret >"$outside/target"
try_hostile "hardlink through a symlink" '' "l:lnk:$outside" "h:hl:lnk/target"
ok "hardlink through a symlink does not reach outside" test "$(stat -c %h "$outside/target")" = 1
try_hostile "symlink replaced by dir entry" '' "l:x:$outside" "d:x" "f:x/y:z"
ok "existing symlink is replaced, not followed" test -d "$T/dst/x" -a ! -L "$T/dst/x" -a ! -e "$outside/y"
try_hostile "dotdot alone" 'is outside of' "d:.."
ok "no half-written entries after a refused tar" test ! -e "$outside/evil"

# --- ordinary extraction ------------------------------------------------------
src="$T/src"
mkdir -p "$src/dir/sub" "$src/empty"
printf 'data\n' >"$src/dir/file"
head -c 70000 /dev/urandom >"$src/dir/big"
ln -s file "$src/dir/link"
ln "$src/dir/file" "$src/dir/hard"
mkfifo "$src/fifo"
mknod "$src/dev" c 1 7
chmod 4755 "$src/dir/big"; chmod 1777 "$src/empty"
chown 1234:5678 "$src/dir/file"
setfattr -n user.note -v hi "$src/dir/file" 2>/dev/null || true
touch -h -d '2019-01-02 03:04:05' "$src/dir/link" "$src/dir/file" "$src/dir" "$src"
tar --xattrs --numeric-owner -C "$src" -cf "$T/good.tar" .
mkdir "$T/dst2"
extract '{"NoOverwriteDirNonDir":true}' "$T/good.tar" "$T/dst2"
ok_eq "good tar: no error" "" "$(cat "$T/err")"
listing() { (cd "$1" && find . -mindepth 1 | sort | while read -r p; do
	printf '%s %s %s %s %s\n' "$p" "$(stat -c '%F %a %u:%g' "$p")" "$( [ -f "$p" ] && [ ! -L "$p" ] && md5sum <"$p" | cut -c1-8)" \
		"$( [ -L "$p" ] && readlink "$p")" "$( [ -b "$p" -o -c "$p" ] && stat -c '%t,%T' "$p")"; done); }
ok_eq "good tar: tree, modes, owners, contents, links" "$(listing "$src")" "$(listing "$T/dst2")"
ok_eq "good tar: mtimes (dirs set after their contents)" "$(stat -c %Y "$src/dir") $(stat -c %Y "$src/dir/file")" \
	"$(stat -c %Y "$T/dst2/dir") $(stat -c %Y "$T/dst2/dir/file")"
ok_eq "good tar: hard link kept" "$(stat -c %i "$T/dst2/dir/file")" "$(stat -c %i "$T/dst2/dir/hard")"
if getfattr -n user.note "$src/dir/file" >/dev/null 2>&1; then
	ok_eq "good tar: xattr applied" "hi" "$(getfattr --only-values -n user.note "$T/dst2/dir/file" 2>/dev/null)"
fi
extract '{"NoLchown":true,"ChownOpts":{"UID":7,"GID":8}}' "$T/good.tar" "$T/dst3"
ok_eq "missing destination is created; NoLchown keeps root" "0:0" "$(stat -c %u:%g "$T/dst3/dir/file")"
extract '{"ChownOpts":{"UID":7,"GID":8}}' "$T/good.tar" "$T/dst4"
ok_eq "ChownOpts overrides the owner" "7:8" "$(stat -c %u:%g "$T/dst4/dir/file")"
extract '{"UIDMaps":[{"container_id":0,"host_id":100000,"size":65536}],"GIDMaps":[{"container_id":0,"host_id":100000,"size":65536}]}' "$T/good.tar" "$T/dst5"
ok_eq "id maps shift owners" "101234:105678" "$(stat -c %u:%g "$T/dst5/dir/file")"
extract '{"InUserNS":true}' "$T/good.tar" "$T/dst6"
ok "InUserNS skips devices" test ! -e "$T/dst6/dev"
gzip -c "$T/good.tar" >"$T/good.tgz"
extract '{}' "$T/good.tgz" "$T/dst7"
ok_eq "gzip stream is detected" "$(listing "$src")" "$(listing "$T/dst7")"

mkdir -p "$T/nod/x"
mktar "$T/nd.tar" "f:x:data"
extract '{"NoOverwriteDirNonDir":true}' "$T/nd.tar" "$T/nod"
ok "NoOverwriteDirNonDir refuses dir -> file" grep -q 'cannot overwrite directory' "$T/err"
extract '{}' "$T/nd.tar" "$T/nod"
ok "without it the directory is replaced" test -f "$T/nod/x"
mkdir -p "$T/nod2/x/a/b" && for i in $(seq 1 300); do : >"$T/nod2/x/a/f$i"; done && ln -s /etc "$T/nod2/x/a/b/l"
extract '{}' "$T/nd.tar" "$T/nod2"
ok_eq "a populated directory is removed recursively before a file replaces it" "file:" "$(stat -c %F "$T/nod2/x" | cut -c1-4 | sed 's/regu/file/'):$(cat "$T/err")"
ok "removing it did not follow its symlink" test -d /etc

# Whiteouts (§6.1): AUFS format keeps .wh. files, overlay converts them.
mktar "$T/wh.tar" "d:d" "f:d/.wh..wh..opq:" "f:d/.wh.gone:" "f:d/kept:x"
extract '{"WhiteoutFormat":0}' "$T/wh.tar" "$T/wa"
ok "aufs format: .wh. files written as files" test -f "$T/wa/d/.wh.gone" -a -f "$T/wa/d/.wh..wh..opq"
extract '{"WhiteoutFormat":1}' "$T/wh.tar" "$T/wo"
ok_eq "overlay format: whiteout is a 0/0 char device" "character special file 0,0" "$(stat -c '%F %t,%T' "$T/wo/d/gone" 2>&1)"
ok "overlay format: no .wh. files" bash -c "! ls -a '$T/wo/d' | grep -q '^\.wh\.'"
ok_eq "overlay format: opaque xattr" "y" "$(getfattr --only-values -n trusted.overlay.opaque "$T/wo/d" 2>/dev/null)"

# Bad input: truncated frame, bad JSON, not a tar.
printf '\0\0\0' | "$R" -logfile "$L" extractarchive "$T/x1" 2>"$T/err"
ok_eq "truncated frame" '{"ErrString":"unexpected EOF"}' "$(cat "$T/err")"
{ frame '{bad'; } | "$R" -logfile "$L" extractarchive "$T/x1" 2>"$T/err"
ok "bad TarOptions JSON is reported" grep -q 'invalid TarOptions JSON' "$T/err"
{ frame '{}'; echo "not a tar at all"; } | "$R" -logfile "$L" extractarchive "$T/x1" 2>"$T/err"
ok "not a tar is reported" grep -q 'archive/tar' "$T/err"

# --- archivepath ----------------------------------------------------------------
frame '{}' | "$R" -logfile "$L" archivepath "$src" >"$T/a.tar" 2>"$T/err"
ok_eq "archivepath: no error" "" "$(cat "$T/err")"
ok_eq "archivepath: GNU tar reads it, names relative, dirs with /" \
	"$(cd "$src" && find . -mindepth 1 | sed 's|^\./||' | while read -r p; do [ -d "$p" ] && [ ! -L "$p" ] && echo "$p/" || echo "$p"; done | sort)" \
	"$(tar -tf "$T/a.tar" | sort)"
ok_eq "archivepath: byte-sorted depth-first order" "$(tar -tf "$T/a.tar" | LC_ALL=C sort)" "$(tar -tf "$T/a.tar")"
ok_eq "archivepath: ends with two zero blocks, no record padding" \
	"$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(len(d)%512, d[-1024:]==bytes(1024), d[-1536:-1024]!=bytes(512))' "$T/a.tar")" "0 True True"
ok "archivepath: second name of an inode is a hard link" bash -c "tar -tvf '$T/a.tar' | grep -q '^h.* dir/hard link to dir/file\|^h.* dir/file link to dir/hard'"
mkdir "$T/rt"
tar --numeric-owner -C "$T/rt" -xpf "$T/a.tar"
ok_eq "archivepath: round trip through GNU tar" "$(listing "$src")" "$(listing "$T/rt")"
frame '{}' | "$R" -logfile "$L" archivepath "$src" | { frame '{}'; cat; } | "$R" -logfile "$L" extractarchive "$T/rt2" 2>"$T/err"
ok_eq "archivepath | extractarchive round trip" "$(listing "$src")" "$(listing "$T/rt2")"
frame '{"IncludeFiles":["dir"],"ExcludePatterns":["dir/b*"]}' | "$R" -logfile "$L" archivepath "$src" >"$T/i.tar"
ok_eq "IncludeFiles and ExcludePatterns" "dir/ dir/file dir/hard dir/link dir/sub/" "$(tar -tf "$T/i.tar" | sort | xargs)"
frame '{"IncludeFiles":["dir"],"RebaseNames":{"dir":"new"}}' | "$R" -logfile "$L" archivepath "$src" >"$T/rb.tar"
ok "RebaseNames renames the include" bash -c "tar -tf '$T/rb.tar' | grep -qx 'new/file'"
frame '{}' | "$R" -logfile "$L" archivepath "$src/dir/file" >"$T/one.tar"
ok_eq "archivepath of a file: just that file" "file" "$(tar -tf "$T/one.tar")"
frame '{"ChownOpts":{"UID":3,"GID":4}}' | "$R" -logfile "$L" archivepath "$src/dir/file" >"$T/own.tar"
ok "ChownOpts in the archive" bash -c "tar --numeric-owner -tvf '$T/own.tar' | grep -q ' 3/4 '"
frame '{"Compression":2}' | "$R" -logfile "$L" archivepath "$src" >"$T/a.tgz"
ok "Compression 2 gives gzip" bash -c "gzip -dc '$T/a.tgz' | tar -t >/dev/null"
frame '{"Compression":1}' | "$R" -logfile "$L" archivepath "$src" >/dev/null 2>"$T/err"
ok_eq "bzip2 cannot be written" '{"ErrString":"Unsupported compression format tar.bz2"}' "$(cat "$T/err")"
# Whiteouts back to AUFS form (§6.2).
frame '{"WhiteoutFormat":1}' | "$R" -logfile "$L" archivepath "$T/wo" >"$T/w.tar"
ok_eq "overlay whiteouts become .wh. entries, opaque marker right after its dir" \
	"d/ d/.wh..wh..opq d/.wh.gone d/kept" "$(tar -tf "$T/w.tar" | xargs)"
ok "whiteout entry is an empty 0600 file" bash -c "tar -tvf '$T/w.tar' d/.wh.gone | grep -q '^-rw------- .* 0 '"
frame '{}' | "$R" -logfile "$L" archivepath "$T/nonexistent" >"$T/e.tar" 2>"$T/err"
ok_eq "missing source: an empty archive, no error" "1024 " "$(stat -c %s "$T/e.tar") $(cat "$T/err")"

# --- a real tree: the Debian minbase corpus, when cached ---------------------------
corpus=$CACHE_DIR/corpus/debian-bookworm-minbase.tar
if [ -f "$corpus" ]; then
	tree() { (cd "$1" && find . -mindepth 1 -printf '%p %y %m %U:%G %s %l\n' | sort); }
	mkdir "$T/mb-tar" "$T/mb-rfs"
	tar --numeric-owner -C "$T/mb-tar" -xpf "$corpus"
	{ frame '{}'; cat "$corpus"; } | "$R" -logfile "$L" extractarchive "$T/mb-rfs" 2>"$T/err"
	ok_eq "minbase: extract without error" "" "$(cat "$T/err")"
	ok_eq "minbase: same tree as GNU tar (types, modes, owners, sizes, links)" "$(tree "$T/mb-tar")" "$(tree "$T/mb-rfs")"
	frame '{}' | "$R" -logfile "$L" archivepath "$T/mb-rfs" | { frame '{}'; cat; } |
		"$R" -logfile "$L" extractarchive "$T/mb-rt" 2>"$T/err"
	ok_eq "minbase: archivepath | extractarchive round trip" "$(tree "$T/mb-tar")" "$(tree "$T/mb-rt")"
	ok "minbase: file contents survive the round trip" diff -r --no-dereference -x dev "$T/mb-tar" "$T/mb-rt"
	ok_eq "minbase: device numbers survive" "$(stat -c "%n %t,%T" "$T"/mb-tar/dev/* | sed "s|$T/mb-tar||")" "$(stat -c "%n %t,%T" "$T"/mb-rt/dev/* | sed "s|$T/mb-rt||")"
	rm -rf "$T/mb-tar" "$T/mb-rfs" "$T/mb-rt"
else
	skip "minbase corpus" "not cached in $CACHE_DIR/corpus"
fi
