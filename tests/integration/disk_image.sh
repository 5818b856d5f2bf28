#!/usr/bin/env bash
# The real images (out/rootfs.vhd, out/uvm.vhdx) from the real tree, ext4
# writer and kernel: reproducible, accepted by qemu-img, and holding what
# they should (checked on loop devices with blkid, e2fsck, fsck.fat, diff).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/disk_lib.sh"
need_root
tmpdir
disk_inputs

ok "build the images once" disk_build "$T/a"
sleep 1
ok "build the images again" disk_build "$T/b"
ok "rootfs.vhd: byte-identical across builds" cmp "$T/a/rootfs.vhd" "$T/b/rootfs.vhd"
ok "uvm.vhdx: byte-identical across builds" cmp "$T/a/uvm.vhdx" "$T/b/uvm.vhdx"
rm -rf "$T/b"
A=$T/a

# rootfs.vhd: ext4 + fixed VHD footer.
vsize=$(($(stat -c %s "$A/rootfs.vhd") - 512))
info=$(qemu-img info -f vpc --output=json "$A/rootfs.vhd" 2>&1)
ok_eq "rootfs.vhd: qemu-img info -f vpc shows the ext4 size as virtual size" "$vsize" \
	"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])' <<<"$info" 2>/dev/null)"
ok_eq "rootfs.vhd: footer cookie conectix" conectix "$(tail -c 512 "$A/rootfs.vhd" | head -c 8)"
head -c "$vsize" "$A/rootfs.vhd" >"$T/rootfs.ext4"
ok "rootfs.vhd: e2fsck -fn clean" e2fsck -fn "$T/rootfs.ext4"
mkdir "$T/mnt"
if mount -o ro,loop "$T/rootfs.ext4" "$T/mnt"; then
	at_exit "umount '$T/mnt'"
	ok "rootfs.vhd: holds exactly the root tree" diff -r --no-dereference -x lost+found "$TREE" "$T/mnt"
	umount "$T/mnt"
else
	fail "rootfs.vhd: mounts as ext4" "mount failed"
fi

# uvm.vhdx: qemu-img accepts it and converts back to the raw disk.
ok "uvm.vhdx: qemu-img check" qemu-img check -f vhdx "$A/uvm.vhdx"
ok_eq "uvm.vhdx: qemu-img info says format vhdx" vhdx \
	"$(qemu-img info --output=json "$A/uvm.vhdx" | python3 -c 'import json,sys; print(json.load(sys.stdin)["format"])')"
qemu-img convert -f vhdx -O raw "$A/uvm.vhdx" "$T/back.raw"
ok "uvm.vhdx: convert -O raw gives back exactly the raw disk" cmp "$T/back.raw" "$A/disk.raw"
# sfdisk names each partition after the file; drop the names to compare.
parts() { sfdisk --dump "$1" | sed -e '/^device:/d' -e 's/^[^ ]*\.raw\([0-9]*\) :/\1 :/'; }
ok_eq "uvm.vhdx: same partitions after the round trip" "$(parts "$A/disk.raw")" "$(parts "$T/back.raw")"
ok "uvm.vhdx: sfdisk --verify on the converted disk" sfdisk --verify "$T/back.raw"

L=$(losetup -f --show -P -r "$T/back.raw") || { fail "loop device" "losetup failed"; exit 0; }
at_exit "losetup -d $L"
for _ in $(seq 20); do [ -b "${L}p2" ] && break; partx -a "$L" 2>/dev/null; sleep 0.2; done
ok_eq "uvm.vhdx: partition 1 is the ESP (vfat)" vfat "$(blkid -o value -s TYPE "${L}p1")"
ok_eq "uvm.vhdx: partition 1 has the ESP type" c12a7328-f81f-11d2-ba4b-00a0c93ec93b \
	"$(blkid -p -o value -s PART_ENTRY_TYPE "${L}p1")"
ok_eq "uvm.vhdx: partition 2 is ext4" ext4 "$(blkid -o value -s TYPE "${L}p2")"
ok "uvm.vhdx: ESP fsck.fat clean" fsck.fat -n "${L}p1"
ok "uvm.vhdx: root e2fsck -fn clean" e2fsck -fn "${L}p2"
mcopy -n -i "${L}p1" ::/EFI/BOOT/BOOTX64.EFI "$T/boot.efi" 2>/dev/null
ok "uvm.vhdx: ESP holds EFI/BOOT/BOOTX64.EFI" test -s "$T/boot.efi"
objcopy -O binary --only-section=.cmdline "$T/boot.efi" "$T/cmdline"
objcopy -O binary --only-section=.linux "$T/boot.efi" "$T/linux"
ok "uvm.vhdx: BOOTX64.EFI boots the root partition by PARTUUID" \
	grep -qi "root=PARTUUID=$(blkid -o value -s PARTUUID "${L}p2") " "$T/cmdline"
ok "uvm.vhdx: BOOTX64.EFI carries out/vmlinuz" cmp "$T/linux" "$KERNEL"
if mount -o ro "${L}p2" "$T/mnt"; then
	ok "uvm.vhdx: the root partition holds exactly the root tree" diff -r --no-dereference -x lost+found "$TREE" "$T/mnt"
	umount "$T/mnt"
else
	fail "uvm.vhdx: root partition mounts" "mount failed"
fi
