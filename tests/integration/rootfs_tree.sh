#!/usr/bin/env bash
# The image's root tree against the 2018 file list, and the initrd made from
# it: scripts/rootfs/seed-manifest.txt, the busybox applet set, the library
# closure (ldd as the oracle), programs run inside the tree with chroot, and
# mkinitrd's archive read back with GNU cpio.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir

# The image is made from the normal build, never the sanitizer one.
if ! out=$(env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory all 2>&1); then
	fail "build" "$(echo "$out" | tail -n 5)"; exit 0
fi
# The image's programs come from build/bin; the host tools (elfdeps,
# mkinitrd) from $BIN, so `make check SANITIZE=1` runs them under ASan.
B=$ROOT/build/bin
R=$T/root
[ -x "$BIN/mkinitrd" ] && [ -x "$BIN/elfdeps" ] || { fail "host tools" "$BIN/mkinitrd or $BIN/elfdeps missing (make all)"; exit 0; }
if ! out=$(ELFDEPS=$BIN/elfdeps SOURCE_DATE_EPOCH=1500000000 "$ROOT/scripts/build-rootfs.sh" -b "$B" "$R" 2>&1); then
	fail "build-rootfs" "$out"; exit 0
fi
pass "build-rootfs assembles the tree"

# 1. Every line of the seed manifest.
bad=()
while read -r path kind; do
	case $path in '' | '#'*) continue ;; esac
	p=$R$path
	case $kind in
	emptydir) [ -d "$p" ] && [ -z "$(ls -A "$p")" ] || bad+=("$path: not an empty directory") ;;
	dir) [ -d "$p" ] || bad+=("$path: not a directory") ;;
	file) [ -f "$p" ] || bad+=("$path: not a file") ;;
	exec) [ -f "$p" ] && [ -x "$p" ] || bad+=("$path: not an executable file") ;;
	gcstools) [ "$p" -ef "$R/bin/gcstools" ] && [ ! -L "$p" ] || bad+=("$path: not a hard link of gcstools") ;;
	glibc234 | noapparmor) [ ! -e "$p" ] || bad+=("$path: present though nothing needs it") ;;
	optional) [ ! -e "$p" ] || [ -x "$p" ] || bad+=("$path: present but not executable") ;;
	runlink) [ -L "$p" ] && [ "$(readlink "$p")" = ../run ] || bad+=("$path: not a symlink to ../run") ;;
	*) bad+=("$path: unknown kind $kind") ;;
	esac
done <"$ROOT/scripts/rootfs/seed-manifest.txt"
ok_eq "every seed manifest entry matches" "" "${bad[*]}"

listing() { (cd "$1" && ls -A | sort | tr '\n' ' '); }
ok_eq "top level is exactly the seed's" \
	"bin dev etc gcs.commit init lib lib64 mnt proc root run sbin sys tmp usr var " "$(listing "$R")"
ok_eq "/sbin is exactly runc and the DHCP script" "runc udhcpc_config.script " "$(listing "$R/sbin")"
ok_eq "/lib64 is exactly the loader" "ld-linux-x86-64.so.2 " "$(listing "$R/lib64")"
ok_eq "/lib holds modules and the multiarch directory" "modules x86_64-linux-gnu " "$(listing "$R/lib")"
ok_eq "/var holds only the run link" "run " "$(listing "$R/var")"
ok_eq "/tmp is sticky and world-writable" "1777" "$(stat -c %a "$R/tmp")"
ok_eq "/root is private" "700" "$(stat -c %a "$R/root")"

# 2. /bin: our programs, mkfs.ext4, iproute and every busybox applet.
want_bin=$( (
	/bin/busybox --list
	echo busybox; echo vsockexec; echo mkfs.ext4; echo iproute
	echo gcstools exportSandbox vhd2tar tar2vhd remotefs netnscfg | tr ' ' '\n'
	[ -x "$B/gcs" ] && echo gcs
) | sort -u | tr '\n' ' ')
ok_eq "/bin is exactly the seed programs plus busybox's applets" "$want_bin" "$(listing "$R/bin")"
notlinked=$(for a in $(/bin/busybox --list); do [ "$R/bin/$a" -ef "$R/bin/busybox" ] || echo "$a"; done | tr '\n' ' ')
ok_eq "every busybox applet is a hard link of /bin/busybox" "" "$notlinked"
if [ -x "$B/gcs" ]; then pass "/bin/gcs is in the image"; else skip "/bin/gcs is in the image" "gcs is not built on this branch yet"; fi

# 3. Libraries: the tree holds exactly what ldd (the oracle) says its
# dynamic programs need, and nothing for static ones.
want_libs=$(for f in "$R"/bin/* "$R"/sbin/* "$R"/init; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $1 }'
done | grep -v '^ld-linux' | sort -u | tr '\n' ' ')
ok_eq "/lib/x86_64-linux-gnu is the ldd closure of the programs" "$want_libs" "$(listing "$R/lib/x86_64-linux-gnu")"
ok_eq "/init needs no library" "" "$("$BIN/elfdeps" "$R/init")"
ok_eq "/bin/vsockexec needs no library" "" "$("$BIN/elfdeps" "$R/bin/vsockexec")"

# 4. The programs run inside the tree with only its own libraries.
ok "runc --version runs in the tree" sh -c "chroot '$R' /sbin/runc --version | grep -q 'runc version'"
ok "mkfs.ext4 is e2fsprogs' mke2fs" sh -c "chroot '$R' /bin/mkfs.ext4 -V 2>&1 | grep -q '^mke2fs 1\\.'"
mkdir -p "$R/tmp/fmt"
if chroot "$R" /bin/mkfs.ext4 -q -F -t ext4 /tmp/fmt/scratch.img 16M >/dev/null 2>&1; then
	ok "the tree's mkfs.ext4 makes a file system e2fsck accepts" e2fsck -fn "$R/tmp/fmt/scratch.img"
else
	fail "the tree's mkfs.ext4 makes a file system e2fsck accepts" "mkfs.ext4 failed in the chroot"
fi
rm -rf "$R/tmp/fmt"
ok "gcstools starts in the tree (its libraries are all there)" chroot "$R" /bin/gcstools --help
if [ -x "$R/bin/gcs" ]; then
	# Only the loader matters here: a missing library fails before main().
	out=$(chroot "$R" /bin/gcs -h 2>&1)
	ok "gcs starts in the tree" test -n "$out" -a "${out#*error while loading shared libraries}" = "$out"
fi
ok "iproute lists routes like 'ip route'" chroot "$R" /bin/iproute show
ok "the DHCP script is valid sh" chroot "$R" /bin/sh -n /sbin/udhcpc_config.script
ok_eq "/gcs.commit is the checkout's commit" "$(git -C "$ROOT" rev-parse HEAD)" "$(cat "$R/gcs.commit")"

# 5. initrd.img from the tree: reproducible, readable by GNU cpio, equal
# to the tree when extracted.
"$BIN/mkinitrd" -o "$T/a.img" -t 1500000000 -n dev/console,c,5,1,0600 "$R" &&
	"$BIN/mkinitrd" -o "$T/b.img" -t 1500000000 -n dev/console,c,5,1,0600 "$R"
ok "two initrd builds are byte-identical" cmp "$T/a.img" "$T/b.img"
ok_eq "gzip header has no name and mtime 0" "1f8b0800000000000203" "$(head -c 10 "$T/a.img" | od -An -tx1 | tr -d ' \n')"
ok "gzip -t accepts the initrd" gzip -t "$T/a.img"
n_tree=$(cd "$R" && find . | wc -l)
n_cpio=$(gzip -dc "$T/a.img" | cpio -it --quiet 2>/dev/null | wc -l)
ok_eq "the archive lists every tree entry plus dev/console" "$((n_tree + 1))" "$n_cpio"
ok_eq "every entry is owned by root" "" \
	"$(gzip -dc "$T/a.img" | cpio -itv --quiet 2>/dev/null | awk '$3 != "root" || $4 != "root"' | head -3)"
mkdir "$T/x"
(cd "$T/x" && gzip -dc "$T/a.img" | cpio -idm --quiet 2>/dev/null)
ok "the extracted archive equals the tree" diff -r --no-dereference -x console "$R" "$T/x"
ok "gcstools and its names are one inode after extraction" test "$T/x/bin/tar2vhd" -ef "$T/x/bin/gcstools"
ok_eq "dev/console is character device 5:1" "5:1" "$(stat -c '%Hr:%Lr' "$T/x/dev/console")"
ok_eq "extracted mtime is SOURCE_DATE_EPOCH" "1500000000" "$(stat -c %Y "$T/x/sbin/runc")"
echo "# initrd.img: $(stat -c %s "$T/a.img") bytes (target <= 8388608)"
