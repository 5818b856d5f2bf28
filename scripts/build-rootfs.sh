#!/usr/bin/env bash
# Assembles the utility VM's root tree, exactly the 2018 layout
# (../shared/spec/initrd-layout.md §3 and §5; docs/rootfs.md):
#
#   scripts/build-rootfs.sh [-b BINDIR] ROOTDIR
#
# BINDIR (default build/bin) holds the project's programs: init, vsockexec,
# gcs and gcstools (each optional except init and vsockexec; a missing one
# is reported). Debian provides runc, busybox-static and e2fsprogs' mke2fs.
# /lib is the DT_NEEDED closure of every ELF program in the tree, computed
# by build/bin/elfdeps. ROOTDIR is replaced atomically-enough: built in
# ROOTDIR.new, then renamed. BUSYBOX, RUNC, MKE2FS and ELFDEPS override
# where those programs come from.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bindir=$top/build/bin
while getopts b: opt; do
	case $opt in
	b) bindir=$(cd "$OPTARG" && pwd) ;;
	*) echo "usage: $0 [-b BINDIR] ROOTDIR" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-b BINDIR] ROOTDIR" >&2; exit 2; }
mkdir -p "$(dirname "$1")"
dest=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
new=$dest.new

BUSYBOX=${BUSYBOX:-/bin/busybox}
RUNC=${RUNC:-/usr/sbin/runc}
MKE2FS=${MKE2FS:-/usr/sbin/mke2fs}
ELFDEPS=${ELFDEPS:-$bindir/elfdeps}
for f in "$bindir/init" "$bindir/vsockexec" "$ELFDEPS" "$BUSYBOX" "$RUNC" "$MKE2FS"; do
	[ -x "$f" ] || { echo "build-rootfs: $f is missing (make all; scripts/deps.sh)" >&2; exit 1; }
done

rm -rf "$new"
mkdir -p "$new"
cd "$new"

# Directories (§5 item 1): empty mount points, root's home, /tmp sticky.
install -d -m 0755 bin sbin etc usr mnt run proc sys dev lib lib/modules lib/x86_64-linux-gnu lib64
install -d -m 0700 root
install -d -m 1777 tmp
# Not in the 2018 list: /var/run -> /run. The GCS creates /var/run/gcsrunc
# at start-up; on the read-only VHD root that only works when /var/run is
# the /run tmpfs (docs/rootfs.md).
install -d -m 0755 var
ln -s ../run var/run

# Our programs, stripped (the debug copies stay in build/bin).
install_stripped() { # src dst
	strip --strip-all -o "$2" "$1"
	chmod 0755 "$2"
}
install_stripped "$bindir/init" init
install_stripped "$bindir/vsockexec" bin/vsockexec
if [ -x "$bindir/gcs" ]; then
	install_stripped "$bindir/gcs" bin/gcs
else
	echo "build-rootfs: warning: $bindir/gcs not built yet; the image has no /bin/gcs" >&2
fi
if [ -x "$bindir/gcstools" ]; then
	install_stripped "$bindir/gcstools" bin/gcstools
	for name in exportSandbox vhd2tar tar2vhd remotefs netnscfg; do
		ln bin/gcstools "bin/$name"
	done
else
	echo "build-rootfs: warning: $bindir/gcstools not built yet" >&2
fi

# busybox: every applet of Debian's static build as a hard link, which
# covers the utilities gcs and docker use (§3.2) and the debugging set.
cp "$BUSYBOX" bin/busybox
chmod 0755 bin/busybox
for applet in $("$BUSYBOX" --list); do
	case $applet in busybox | */*) continue ;; esac
	[ -e "bin/$applet" ] || ln bin/busybox "bin/$applet"
done
# Not busybox: gcs formats scratch disks with the real mke2fs, and Debian's
# busybox lacks the 2018 `iproute` applet.
cp "$MKE2FS" bin/mkfs.ext4
chmod 0755 bin/mkfs.ext4
install -m 0755 "$here/rootfs/iproute" bin/iproute

install -m 0755 "$RUNC" sbin/runc
install -m 0755 "$here/rootfs/udhcpc_config.script" sbin/udhcpc_config.script

# Libraries: what the dynamic programs need, read from their ELF files.
elf_files=()
for f in init bin/* sbin/*; do
	[ -f "$f" ] && [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && elf_files+=("$f")
done
"$ELFDEPS" -L /lib/x86_64-linux-gnu -L /usr/lib/x86_64-linux-gnu "${elf_files[@]}" >"$new.deps"
while read -r kind a b; do
	case $kind in
	interp)
		[ "$a" = /lib64/ld-linux-x86-64.so.2 ] || { echo "build-rootfs: unexpected interpreter $a" >&2; exit 1; }
		cp -L "$a" lib64/ld-linux-x86-64.so.2
		chmod 0755 lib64/ld-linux-x86-64.so.2
		;;
	lib)
		cp -L "$b" "lib/x86_64-linux-gnu/$a"
		chmod 0644 "lib/x86_64-linux-gnu/$a"
		;;
	esac
done <"$new.deps"
rm -f "$new.deps"

# /gcs.commit: the commit the image was built from (§3.1).
git -C "$top" rev-parse HEAD >gcs.commit
chmod 0644 gcs.commit

# One mtime for everything, from the commit (reproducible images).
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct)}
find . -exec touch -h -d "@$epoch" {} +

cd "$top"
rm -rf "$dest"
mv "$new" "$dest"
echo "build-rootfs: $dest: $(find "$dest" | wc -l) entries, $(du -sk "$dest" | cut -f1) KiB"
