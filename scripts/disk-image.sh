#!/usr/bin/env bash
# Builds the LCOW disk images (docs/disk.md). Every output is a pure function
# of the inputs and SOURCE_DATE_EPOCH: same commit, same bytes.
#
#   disk-image.sh tar TREE OUT.tar              deterministic tar of the root tree
#   disk-image.sh rootfs-vhd TREE OUT.vhd       ext4 + fixed VHD footer (tar2vhd)
#   disk-image.sh root-ext4 TREE OUT.ext4       bare ext4 (tar2vhd --no-vhd)
#   disk-image.sh uki KERNEL CMDLINE OUT.efi    unified kernel image (systemd stub)
#   disk-image.sh uvm-raw ROOT.ext4 KERNEL OUT.raw
#                                               GPT disk: ESP with BOOTX64.EFI + root
#   disk-image.sh uvm-vhdx TREE KERNEL OUT.vhdx [RAW]
#                                               root-ext4 + uvm-raw + mkvhdx; keeps
#                                               the raw disk at RAW when given
#
# Environment: BIN (our programs, default build/bin), SOURCE_DATE_EPOCH
# (default: the commit time of HEAD), UVM_CMDLINE_EXTRA (appended to the
# built-in kernel command line).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
STUB=${UKI_STUB:-/usr/lib/systemd/boot/efi/linuxx64.efi.stub}
export TZ=UTC LC_ALL=C
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

die() { echo "disk-image: $*" >&2; exit 1; }
need_file() { [ -f "$1" ] || die "$2: $1 not found"; }

# work dir removed on exit; outputs are written to OUT.tmp.* then renamed
WORK=$(mktemp -d /tmp/lcow-disk.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
publish() { # tmp final
	chmod 0644 "$1"
	mv -f "$1" "$2"
}
tmp_for() { mktemp "$(dirname "$1")/.$(basename "$1").tmp.XXXXXX"; }

# A GUID (8-4-4-4-12, version 4 bits) from the SHA-256 of stdin.
guid_of_stdin() {
	local h
	h=$(sha256sum | cut -c1-32)
	printf '%s-%s-4%s-%x%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" \
		$(((16#${h:16:1} & 3) | 8)) "${h:17:3}" "${h:20:12}" | tr a-f A-F
}

cmd_tar() { # TREE OUT.tar
	local tree=$1 out=$2
	[ -d "$tree" ] || die "root tree $tree not found (make rootfs-tree)"
	local t
	t=$(tmp_for "$out")
	# Sorted names, numeric root ownership, one mtime, no atime/ctime, pax;
	# hard links stay hard links (tar's default).
	tar --sort=name --numeric-owner --owner=0 --group=0 \
		--mtime="@$SOURCE_DATE_EPOCH" --format=pax \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-C "$tree" -cf "$t" . || { rm -f "$t"; die "tar of $tree failed"; }
	publish "$t" "$out"
}

# tar2vhd is gcstools' (../shared/spec/gcstools.md §3): tar on stdin, image
# on stdout.
run_tar2vhd() { # TREE OUT [--no-vhd]
	local tree=$1 out=$2; shift 2
	[ -x "$BIN/gcstools" ] || die "$BIN/gcstools not built (make)"
	cmd_tar "$tree" "$WORK/root.tar"
	local t
	t=$(tmp_for "$out")
	if ! "$BIN/gcstools" tar2vhd "$@" <"$WORK/root.tar" >"$t"; then
		rm -f "$t"
		die "gcstools tar2vhd $* failed for $tree"
	fi
	[ -s "$t" ] || { rm -f "$t"; die "gcstools tar2vhd wrote nothing"; }
	publish "$t" "$out"
}

cmd_rootfs_vhd() { run_tar2vhd "$1" "$2"; }
cmd_root_ext4() { run_tar2vhd "$1" "$2" --no-vhd; }

# The built-in command line of uvm.vhdx (docs/install.md): the 2018 host
# boots bootx64.efi from the disk and passes nothing, so everything the
# kernel needs is here. No init arguments: init runs the GCS the 2018 way
# (../shared/spec/gcs-protocol.md §9.2, §9.5) with a debug shell on the
# console.
uvm_cmdline() { # ROOT_PARTUUID
	local c="root=PARTUUID=$1 rootwait ro init=/init console=ttyS0,115200 panic=-1"
	[ -n "${UVM_CMDLINE_EXTRA:-}" ] && c="$c $UVM_CMDLINE_EXTRA"
	echo "$c"
}

cmd_uki() { # KERNEL CMDLINE OUT.efi
	local kernel=$1 cmdline=$2 out=$3
	need_file "$kernel" "kernel"
	need_file "$STUB" "systemd-boot EFI stub (package systemd-boot-efi)"
	printf '%s' "$cmdline" >"$WORK/cmdline"
	{
		echo 'NAME="lcow-guest"'
		echo 'ID=lcow-guest'
		echo 'PRETTY_NAME="LCOW utility VM"'
		echo "VERSION_ID=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
	} >"$WORK/os-release"
	# Each new section goes on the next 4 KiB boundary after the stub's
	# image (its highest VMA + size), in the order .osrel .cmdline .linux.
	local end=0 idx name size vma rest
	while read -r idx name size vma rest; do
		[[ $idx =~ ^[0-9]+$ ]] || continue
		[ $((0x$vma + 0x$size)) -gt $end ] && end=$((0x$vma + 0x$size))
	done < <(objdump -h "$STUB")
	[ -n "$end" ] && [ "$end" -gt 0 ] || die "cannot read the sections of $STUB"
	local align=4096 osrel cmdl linux
	osrel=$(((end + align - 1) / align * align))
	cmdl=$(((osrel + $(stat -c %s "$WORK/os-release") + align - 1) / align * align))
	linux=$(((cmdl + $(stat -c %s "$WORK/cmdline") + align - 1) / align * align))
	local t
	t=$(tmp_for "$out")
	if ! objcopy \
		--add-section .osrel="$WORK/os-release" --change-section-vma .osrel="$(printf 0x%x $osrel)" \
		--add-section .cmdline="$WORK/cmdline" --change-section-vma .cmdline="$(printf 0x%x $cmdl)" \
		--add-section .linux="$kernel" --change-section-vma .linux="$(printf 0x%x $linux)" \
		"$STUB" "$t"; then
		rm -f "$t"
		die "objcopy could not build the unified kernel image"
	fi
	# objcopy stamps the PE header with the current time.
	"$ROOT/scripts/pe-stamp.py" "$t" "$SOURCE_DATE_EPOCH" || { rm -f "$t"; die "pe-stamp failed"; }
	publish "$t" "$out"
}

# ESP: FAT32 holding EFI/BOOT/BOOTX64.EFI. Volume id and every timestamp
# are fixed (mkfs.fat --invariant; mtools takes SOURCE_DATE_EPOCH).
make_esp() { # UKI OUT.img
	local uki=$1 out=$2
	local size_mib=$((($(stat -c %s "$uki") * 11 / 10 + (4 << 20)) >> 20))
	[ $size_mib -ge 40 ] || size_mib=40 # FAT32 wants >= 65525 clusters
	local volid
	volid=$(sha256sum <"$uki" | cut -c1-8)
	rm -f "$out"
	truncate -s "${size_mib}M" "$out"
	# --invariant fixes every time and id mkfs.fat would take from the clock;
	# the volume id is then set to one derived from the content.
	mkfs.fat -F 32 -S 512 -s 1 -n ESP --invariant "$out" >/dev/null
	fatlabel -i "$out" "$volid" >/dev/null
	touch -d "@$SOURCE_DATE_EPOCH" "$uki"
	mmd -i "$out" ::/EFI ::/EFI/BOOT
	mcopy -m -i "$out" "$uki" ::/EFI/BOOT/BOOTX64.EFI
}

cmd_uvm_raw() { # ROOT.ext4 KERNEL OUT.raw
	local ext4=$1 kernel=$2 out=$3
	need_file "$ext4" "root ext4 image"
	need_file "$kernel" "kernel"
	local root_guid esp_guid disk_guid
	# Each partition's GUID comes from its content; the root one must be
	# known first because the command line names it.
	root_guid=$({ echo lcow-root; cat "$ext4"; } | guid_of_stdin)
	cmd_uki "$kernel" "$(uvm_cmdline "$root_guid")" "$WORK/BOOTX64.EFI"
	make_esp "$WORK/BOOTX64.EFI" "$WORK/esp.img"
	esp_guid=$({ echo lcow-esp; cat "$WORK/esp.img"; } | guid_of_stdin)
	disk_guid=$(echo "lcow-disk $esp_guid $root_guid" | guid_of_stdin)
	"$BIN/mkgpt" --disk-guid "$disk_guid" \
		--part "EFI system:esp:$esp_guid:$WORK/esp.img" \
		--part "root:linux-root-x86-64:$root_guid:$ext4" \
		"$out" || die "mkgpt failed"
}

cmd_uvm_vhdx() { # TREE KERNEL OUT.vhdx [RAW]
	local tree=$1 kernel=$2 out=$3 raw=${4:-$WORK/disk.raw}
	need_file "$kernel" "kernel"
	cmd_root_ext4 "$tree" "$WORK/root.ext4"
	cmd_uvm_raw "$WORK/root.ext4" "$kernel" "$raw"
	"$BIN/mkvhdx" --dynamic "$raw" "$out" || die "mkvhdx failed"
}

[ $# -ge 1 ] || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
cmd=$1; shift
case "$cmd" in
tar) [ $# -eq 2 ] || die "usage: tar TREE OUT.tar"; cmd_tar "$@" ;;
rootfs-vhd) [ $# -eq 2 ] || die "usage: rootfs-vhd TREE OUT.vhd"; cmd_rootfs_vhd "$@" ;;
root-ext4) [ $# -eq 2 ] || die "usage: root-ext4 TREE OUT.ext4"; cmd_root_ext4 "$@" ;;
uki) [ $# -eq 3 ] || die "usage: uki KERNEL CMDLINE OUT.efi"; cmd_uki "$@" ;;
uvm-raw) [ $# -eq 3 ] || die "usage: uvm-raw ROOT.ext4 KERNEL OUT.raw"; cmd_uvm_raw "$@" ;;
uvm-vhdx) [ $# -ge 3 ] && [ $# -le 4 ] || die "usage: uvm-vhdx TREE KERNEL OUT.vhdx [RAW]"; cmd_uvm_vhdx "$@" ;;
*) die "unknown command $cmd" ;;
esac
