#!/usr/bin/env bash
# mkgpt and the uvm disk assembly (scripts/disk-image.sh uvm-raw) checked by
# util-linux, the kernel's partition scanner, blkid, mtools and e2fsck. The
# partition contents here are small stand-ins (an ext4 from mke2fs, a kernel
# of random bytes): this file tests the disk structure; disk_image.sh and
# disk_boot.sh test the real image.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
command -v sfdisk >/dev/null || { skip disk_gpt "sfdisk missing"; exit 0; }
G=$BIN/mkgpt

mkfs.ext4 -q -F -d "$ROOT/src" "$T/root.ext4" 20M
truncate -s 3M "$T/esp.img" && mkfs.fat -F 12 "$T/esp.img" >/dev/null
DG=11111111-2222-4333-8444-555555555555
EG=AAAAAAAA-2222-4333-8444-555555555555
RG=BBBBBBBB-2222-4333-8444-555555555555

ok "mkgpt assembles two partitions" "$G" --disk-guid $DG \
	--part "EFI system:esp:$EG:$T/esp.img" --part "root:linux-root-x86-64:$RG:$T/root.ext4" "$T/d.raw"
ok "sfdisk --verify finds no errors" sfdisk --verify "$T/d.raw"
dump=$(sfdisk --dump "$T/d.raw")
ok_eq "label is gpt" "label: gpt" "$(grep '^label:' <<<"$dump")"
ok_eq "disk GUID as given" "label-id: $DG" "$(grep '^label-id:' <<<"$dump")"
ok "partition 1: ESP type, GUID, 1 MiB aligned, 3 MiB" grep -q \
	"start=        2048, size=        6144, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$EG, name=\"EFI system\"" <<<"$dump"
ok "partition 2: root x86-64 type, GUID, after the ESP" grep -q \
	"start=        8192, size=       40960, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$RG, name=\"root\"" <<<"$dump"
ok_eq "disk size: 1 MiB head + partitions + 1 MiB tail" $((25 << 20)) "$(stat -c %s "$T/d.raw")"
ok "partition 2 holds the ext4 image byte for byte" \
	cmp -n $(stat -c %s "$T/root.ext4") "$T/root.ext4" <(tail -c +$((8192 * 512 + 1)) "$T/d.raw")

# The backup header must be usable alone: wipe the primary and let sfdisk
# (which falls back to the backup) still see both partitions.
cp "$T/d.raw" "$T/nopri.raw"
dd if=/dev/zero of="$T/nopri.raw" bs=512 seek=1 count=1 conv=notrunc status=none
out=$(sfdisk --dump "$T/nopri.raw" 2>&1)
ok "primary header destroyed: the backup still gives the partitions" grep -q "uuid=$RG" <<<"$out"
ok "primary header destroyed: sfdisk notices the corrupt primary" grep -q "primary GPT table is corrupt" <<<"$out"

# Bad input.
mkdir "$T/out"
"$G" --disk-guid $DG --part "x:esp:$EG:$T/missing" "$T/out/d.raw" 2>"$T/err"; rc=$?
ok_eq "missing partition image: exit 1, nothing written" "1 " "$rc $(ls -A "$T/out")"
ok "missing partition image: the error names it" grep -q missing "$T/err"
"$G" --disk-guid $DG --part "x:nosuchtype:$EG:$T/esp.img" "$T/out/d.raw" 2>/dev/null; rc=$?
ok_eq "unknown partition type: usage error" 2 "$rc"
"$G" --disk-guid not-a-guid --part "x:esp:$EG:$T/esp.img" "$T/out/d.raw" 2>/dev/null; rc=$?
ok_eq "bad disk GUID: usage error" 2 "$rc"

# The uvm disk: ESP with the unified kernel image + root partition.
head -c 2000000 /dev/urandom >"$T/kernel"
export SOURCE_DATE_EPOCH=1700000000
ok "disk-image.sh uvm-raw assembles the boot disk" \
	"$ROOT/scripts/disk-image.sh" uvm-raw "$T/root.ext4" "$T/kernel" "$T/uvm.raw"
sleep 1
"$ROOT/scripts/disk-image.sh" uvm-raw "$T/root.ext4" "$T/kernel" "$T/uvm2.raw"
ok "uvm-raw twice: byte-identical" cmp "$T/uvm.raw" "$T/uvm2.raw"
ok "uvm disk: sfdisk --verify" sfdisk --verify "$T/uvm.raw"

L=$(losetup -f --show -P "$T/uvm.raw") || { fail "loop device" "losetup failed"; exit 0; }
at_exit "losetup -d $L"
for _ in $(seq 20); do [ -b "${L}p2" ] && break; partx -a "$L" 2>/dev/null; sleep 0.2; done
ok_eq "ESP is vfat" vfat "$(blkid -o value -s TYPE "${L}p1")"
ok_eq "root is ext4" ext4 "$(blkid -o value -s TYPE "${L}p2")"
root_uuid=$(blkid -o value -s PARTUUID "${L}p2")
ok "ESP: fsck.fat clean" fsck.fat -n "${L}p1"
ok "root: e2fsck -fn clean" e2fsck -fn "${L}p2"
mcopy -n -i "${L}p1" ::/EFI/BOOT/BOOTX64.EFI "$T/boot.efi" 2>/dev/null
ok "ESP holds EFI/BOOT/BOOTX64.EFI" test -s "$T/boot.efi"
objcopy -O binary --only-section=.cmdline "$T/boot.efi" "$T/cmdline" 2>/dev/null
ok "BOOTX64.EFI's command line names the root partition by PARTUUID" \
	grep -qi "root=PARTUUID=$root_uuid " "$T/cmdline"
objcopy -O binary --only-section=.linux "$T/boot.efi" "$T/linux" 2>/dev/null
ok "BOOTX64.EFI's .linux section is the kernel" cmp "$T/linux" "$T/kernel"
ok_eq "BOOTX64.EFI is an EFI application" "pei-x86-64" "$(objdump -f "$T/boot.efi" | sed -n 's/.*file format //p')"
