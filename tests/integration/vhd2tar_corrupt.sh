#!/usr/bin/env bash
# Corrupt or wrong input: vhd2tar exits 1 with a clear message on stderr and
# leaves no output file (-o) and no temporary copy (-tmpdir) behind.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
V2T="$BIN/vhd2tar"

mkdir -p "$T/src/d/sub" "$T/scratch"
for i in $(seq 1 50); do head -c $((i * 1000)) /dev/urandom >"$T/src/d/f$i"; done
echo hello >"$T/src/a.txt"
mke2fs -q -F -t ext4 -b 4096 -d "$T/src" "$T/good.img" 64M
mke2fs -q -F -t ext4 -b 4096 -O ^metadata_csum -d "$T/src" "$T/nocsum.img" 64M

# expect_failure NAME IMAGE PATTERN: exit 1, stderr matches PATTERN, no -o
# file, nothing left in the scratch directory (the image goes in on a pipe).
expect_failure() {
	local name=$1 img=$2 pattern=$3
	rm -f "$T/out.tar"
	cat "$img" | "$V2T" -tmpdir "$T/scratch" -o "$T/out.tar" 2>"$T/err"
	local rc=$?
	ok_eq "$name: exit status 1" 1 "$rc"
	if grep -qE "$pattern" "$T/err"; then pass "$name: says why"; else fail "$name: says why" "stderr: $(cat "$T/err")"; fi
	ok_eq "$name: no output file, no temporary file" "" "$(ls -A "$T/scratch"; ls "$T" | grep -F out.tar)"
}

ok "the intact image converts" "$V2T" -i "$T/good.img" -o "$T/good.tar"

head -c $((32 << 20)) "$T/good.img" >"$T/truncated.img"
expect_failure "truncated image" "$T/truncated.img" "truncated"

cp "$T/good.img" "$T/magic.img"
printf '\x00\x00' | dd of="$T/magic.img" bs=1 seek=$((1024 + 56)) conv=notrunc status=none
expect_failure "bad superblock magic" "$T/magic.img" "[Bb]ad magic|superblock|super-block"

# The inode table of group 0, overwritten with pseudo-random bytes.
garble_inode_table() { # image out
	local first
	first=$(dumpe2fs "$1" 2>/dev/null | sed -n 's/.*Inode table at \([0-9]*\)-.*/\1/p' | head -1)
	cp "$1" "$2"
	head -c $((4096 * 4)) /dev/urandom | dd of="$2" bs=4096 seek="$first" conv=notrunc status=none
}
garble_inode_table "$T/good.img" "$T/itable.img"
expect_failure "garbage inode table (metadata_csum)" "$T/itable.img" "inode|checksum|corrupt"
garble_inode_table "$T/nocsum.img" "$T/itable2.img"
expect_failure "garbage inode table (no checksums)" "$T/itable2.img" "inode|directory|extent|corrupt|block|type"

cp "$T/nocsum.img" "$T/loop.img"
debugfs -w -R "link /d /d/sub/loop" "$T/loop.img" >/dev/null 2>&1
expect_failure "directory linked into itself" "$T/loop.img" "linked more than once"

cp "$T/nocsum.img" "$T/clri.img"
debugfs -w -R "clri /a.txt" "$T/clri.img" >/dev/null 2>&1
expect_failure "entry naming a cleared inode" "$T/clri.img" "not in use|unknown file type"

head -c 100 /dev/zero >"$T/tiny"
expect_failure "input shorter than a footer" "$T/tiny" "invalid input file"
: >"$T/empty"
expect_failure "empty input" "$T/empty" "invalid input file"
head -c $((1 << 20)) /dev/urandom >"$T/random"
expect_failure "random bytes" "$T/random" "[Bb]ad magic|superblock|super-block|ext4"

"$V2T" -fs xfs -i "$T/good.img" >/dev/null 2>"$T/err"
ok_eq "-fs other than ext4 is refused with exit 1" "1 Unknown filesystem: xfs" "$? $(sed 's/^vhd2tar: //' "$T/err")"
"$V2T" -vhd dynamic -i "$T/good.img" >/dev/null 2>"$T/err"
ok_eq "-vhd other than fixed is refused with exit 1" "1 Unknown vhd format: dynamic" "$? $(sed 's/^vhd2tar: //' "$T/err")"
"$V2T" -bogus </dev/null >/dev/null 2>"$T/err"
ok_eq "an unknown flag exits 2" 2 "$?"
ok "an unknown flag is named" grep -q "flag provided but not defined: -bogus" "$T/err"
"$V2T" --help >/dev/null 2>"$T/err"
ok_eq "--help exits 2 (Go flag semantics)" 2 "$?"
ok "--help lists -whiteout and -tmpdir" bash -c "grep -q -- '-whiteout' '$T/err' && grep -q -- '-tmpdir' '$T/err'"
