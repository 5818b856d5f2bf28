#!/usr/bin/env bash
# Boots the LCOW kernel (out/vmlinuz, built or reused by `make kernel`) in
# qemu under TCG with a tiny busybox initramfs made here, and checks on the
# serial console that the features LCOW needs are really there: overlay, 9p
# (mounted over virtio-9p), ext4 on a virtio-blk (/dev/vda) and a
# virtio-scsi (/dev/sda) disk, vsock, cgroup v2 controllers. (VMBus cannot
# be probed under qemu/TCG; kernel_kconfig.sh checks the Hyper-V drivers are
# linked into vmlinux.)
#
# Boot paths:
#   - BIOS, `-kernel` (machine pc and q35), and out/vmlinux via PVH;
#   - UEFI (OVMF), `-kernel`: the firmware starts the EFI stub and hands it
#     the initrd through the LINUX_EFI_INITRD_MEDIA_GUID LoadFile2 protocol;
#   - UEFI (OVMF) shell running vmlinuz.efi with initrd=/initrd.img on its
#     command line (the Hyper-V generation 2 form; the EFI stub loads it);
#   - UEFI (OVMF) from a FAT disk whose EFI/BOOT/BOOTX64.EFI is a unified
#     kernel image (systemd-boot's stub + vmlinuz + command line + initrd),
#     the way the image is packaged for UEFI boot without a loader.
# LCOW_QEMU_ACCEL=kvm opts in to KVM; the default is TCG.
. "$(dirname "$0")/../lib.sh"
QEMU=qemu-system-x86_64
ACCEL=${LCOW_QEMU_ACCEL:-tcg}
OVMF=/usr/share/ovmf/OVMF.fd
EFI_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
BOOT_TIMEOUT=${KERNEL_BOOT_TIMEOUT:-100}
tmpdir

for tool in "$QEMU" busybox cpio gzip mkfs.ext4; do
	command -v "$tool" >/dev/null || { skip "kernel boot" "$tool not installed"; exit 0; }
done
if ! make -C "$ROOT" --no-print-directory OUT="$T/out" kernel >"$T/build.log" 2>&1; then
	fail "make kernel" "$(tail -n 20 "$T/build.log")"
	exit 0
fi
KERNEL="$T/out/vmlinuz"
# An EFI-stub bzImage is both a PE/COFF image ("MZ", then "PE\0\0" at the
# offset stored at 0x3c) and an x86 boot image ("HdrS" at 0x202).
bytes() { od -An -tx1 -j"$2" -N"$3" "$1" | tr -d ' \n'; }
pe=$(od -An -tu4 -j60 -N4 "$KERNEL" | tr -d ' ')
ok_eq "out/vmlinuz is a PE/COFF EFI application and a bzImage" "4d5a|50450000|48647253" \
	"$(bytes "$KERNEL" 0 2)|$(bytes "$KERNEL" "$pe" 4)|$(bytes "$KERNEL" 514 4)"

# --- the initramfs: busybox and a script that reports what it finds ---------
mkdir -p "$T/rd"/{bin,dev,proc,sys,mnt,tmp,run}
cp "$(command -v busybox)" "$T/rd/bin/busybox"
ln -s busybox "$T/rd/bin/sh"
cat >"$T/rd/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "LCOW-BOOT: kernel $(uname -r)"
echo "LCOW-BOOT: cmdline $(cat /proc/cmdline)"
for fs in overlay 9p ext4 tmpfs devtmpfs cgroup2; do
	grep -qw "$fs" /proc/filesystems && echo "LCOW-BOOT: fs $fs"
done
dmesg | grep -q "Registered PF_VSOCK" && echo "LCOW-BOOT: vsock"
[ -d /sys/bus/virtio/drivers/vmw_vsock_virtio_transport ] && echo "LCOW-BOOT: virtio-vsock driver"
[ -d /sys/bus/nd ] && echo "LCOW-BOOT: libnvdimm"
mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup &&
	echo "LCOW-BOOT: cgroup2 $(cat /sys/fs/cgroup/cgroup.controllers)"
mkdir -p /run/l /run/u /run/w /run/o && echo lower >/run/l/f &&
	mount -t overlay overlay -o lowerdir=/run/l,upperdir=/run/u,workdir=/run/w /run/o &&
	echo "LCOW-BOOT: overlay $(cat /run/o/f)"
if grep -q lcowshare /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag 2>/dev/null; then
	mount -t 9p -o trans=virtio,version=9p2000.L lcowshare /mnt && echo "LCOW-BOOT: 9p $(cat /mnt/hello)" && umount /mnt
fi
for d in vda sda; do
	[ -b /dev/$d ] && mount -t ext4 -o ro /dev/$d /mnt && echo "LCOW-BOOT: $d $(cat /mnt/disk)" && umount /mnt
done
echo "LCOW-BOOT: done"
poweroff -f
EOF
chmod 755 "$T/rd/init"
(cd "$T/rd" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$T/initrd.gz"

# Host-side devices the guest reads back.
mkdir -p "$T/share" && echo "from-the-host" >"$T/share/hello"
for d in vda sda; do
	mkdir -p "$T/disk-$d" && echo "disk-$d" >"$T/disk-$d/disk"
	mkfs.ext4 -q -F -d "$T/disk-$d" "$T/$d.img" 8M >/dev/null
done
DEVICES=(
	-virtfs "local,path=$T/share,mount_tag=lcowshare,security_model=none,id=share0"
	-drive "file=$T/vda.img,format=raw,if=none,id=vda,readonly=on" -device virtio-blk-pci,drive=vda
	-device virtio-scsi-pci,id=scsi0
	-drive "file=$T/sda.img,format=raw,if=none,id=sda,readonly=on" -device scsi-hd,drive=sda,bus=scsi0.0
)

# boot NAME LOG QEMU-ARGS...: runs qemu until the guest powers off.
boot() {
	local name=$1 log=$2; shift 2
	local start=$SECONDS
	timeout "$BOOT_TIMEOUT" "$QEMU" -name "lcow-kernel-test-$name" -accel "$ACCEL" -m 512 -smp 2 \
		-display none -monitor none -no-reboot -nic none -serial "file:$log" "$@" >"$log.qemu" 2>&1
	local rc=$?
	echo "# $name: qemu exit $rc after $((SECONDS - start)) s" >&2
	[ "$rc" -ne 124 ] || echo "TIMEOUT after $BOOT_TIMEOUT s" >>"$log"
}

# expect_features NAME LOG: every feature line the init prints.
expect_features() {
	local name=$1 log=$2 want
	for want in "kernel 6.1" "fs overlay" "fs 9p" "fs ext4" "fs cgroup2" "vsock" "libnvdimm" \
		"overlay lower" "9p from-the-host" "vda disk-vda" "sda disk-sda" "done"; do
		if grep -q "^LCOW-BOOT: $want" "$log"; then
			pass "$name: $want"
		else
			fail "$name: $want" "$(grep -E 'LCOW-BOOT|Kernel panic|TIMEOUT|error' "$log" | tail -n 12)"
		fi
	done
	local controllers
	controllers=$(sed -n 's/^LCOW-BOOT: cgroup2 //p' "$log" | tr -d '\r')
	ok_eq "$name: cgroup v2 controllers runc uses" "cpuset cpu io memory hugetlb pids" \
		"$(for c in cpuset cpu io memory hugetlb pids; do [[ " $controllers " == *" $c "* ]] && printf '%s ' "$c"; done | sed 's/ $//')"
}

APPEND="console=ttyS0,115200 panic=-1"
boot bios-pc "$T/pc.log" -M pc -kernel "$KERNEL" -initrd "$T/initrd.gz" -append "$APPEND" "${DEVICES[@]}"
expect_features "BIOS pc" "$T/pc.log"
if grep -q "LCOW-BOOT: cmdline $APPEND" "$T/pc.log"; then pass "BIOS pc: the command line reaches the kernel"; else fail "BIOS pc: cmdline" "$(grep cmdline "$T/pc.log")"; fi

if grep -q "^LCOW-BOOT: virtio-vsock driver" "$T/pc.log"; then pass "BIOS pc: the virtio vsock transport registers"; else fail "BIOS pc: virtio vsock transport" "$(grep LCOW-BOOT "$T/pc.log")"; fi

# q35 with the Hyper-V host's option: initcall_blacklist=virtio_vsock_init
# must keep the virtio transport out (so hv_sock can be the guest-to-host
# transport) while vsock itself stays (gcs-protocol.md §9.1).
boot bios-q35 "$T/q35.log" -M q35 -kernel "$KERNEL" -initrd "$T/initrd.gz" \
	-append "$APPEND initcall_blacklist=virtio_vsock_init"
if grep -q "^LCOW-BOOT: done" "$T/q35.log"; then pass "BIOS q35: boots to the initramfs and powers off"; else fail "BIOS q35 boot" "$(tail -n 15 "$T/q35.log")"; fi
if grep -q "^LCOW-BOOT: vsock" "$T/q35.log" && ! grep -q "^LCOW-BOOT: virtio-vsock driver" "$T/q35.log"; then
	pass "q35: initcall_blacklist=virtio_vsock_init leaves vsock without the virtio transport"
else
	fail "q35: initcall_blacklist=virtio_vsock_init" "$(grep LCOW-BOOT "$T/q35.log")"
fi

# out/vmlinux, the uncompressed ELF that hcsshim boots directly, through
# its PVH entry point.
boot pvh-vmlinux "$T/pvh.log" -M q35 -kernel "$T/out/vmlinux" -initrd "$T/initrd.gz" -append "$APPEND"
if grep -q "^LCOW-BOOT: done" "$T/pvh.log"; then pass "vmlinux (ELF, PVH entry): boots to the initramfs"; else fail "vmlinux (PVH) boot" "$(tail -n 15 "$T/pvh.log")"; fi

if [ -r "$OVMF" ]; then
	boot uefi-kernel "$T/uefi.log" -M q35 -bios "$OVMF" -kernel "$KERNEL" -initrd "$T/initrd.gz" -append "$APPEND" \
		"${DEVICES[@]}"
	expect_features "UEFI (OVMF -kernel)" "$T/uefi.log"
	if grep -q "efi: EFI v" "$T/uefi.log"; then pass "UEFI (OVMF -kernel): the kernel runs on EFI"; else fail "UEFI: EFI banner" "$(grep -i efi "$T/uefi.log" | head)"; fi
else
	skip "UEFI (OVMF -kernel)" "ovmf not installed"
fi

if [ -r "$OVMF" ]; then
	# The kernel as a plain EFI application started by the UEFI shell
	# (startup.nsh) with `initrd=/...` on its command line: the form a
	# Hyper-V generation 2 host uses (initrd-layout.md §4.5), where the EFI
	# stub itself loads the initrd from the boot volume.
	mkdir -p "$T/shell/EFI/lcow"
	cp "$KERNEL" "$T/shell/EFI/lcow/vmlinuz.efi"
	cp "$T/initrd.gz" "$T/shell/initrd.img"
	printf 'fs0:\r\n\\EFI\\lcow\\vmlinuz.efi initrd=/initrd.img %s\r\n' "$APPEND" >"$T/shell/startup.nsh"
	boot uefi-shell "$T/shell.log" -M q35 -bios "$OVMF" -drive "file=fat:rw:$T/shell,format=raw,if=virtio"
	if grep -q "EFI stub: Loaded initrd from command line option" "$T/shell.log"; then
		pass "UEFI shell: the EFI stub loads initrd=/initrd.img itself"
	else
		fail "UEFI shell: the EFI stub loads initrd=/initrd.img itself" "$(tr -d '\033' <"$T/shell.log" | strings | tail -n 12)"
	fi
	if grep -q "^LCOW-BOOT: done" "$T/shell.log"; then pass "UEFI shell: vmlinuz.efi boots to the initramfs"; else fail "UEFI shell boot" "$(tail -n 12 "$T/shell.log")"; fi
else
	skip "UEFI shell" "ovmf not installed"
fi

if [ -r "$OVMF" ] && [ -r "$EFI_STUB" ] && command -v objcopy >/dev/null; then
	# A unified kernel image: systemd-stub 252 reads the sections by name.
	mkdir -p "$T/esp/EFI/BOOT"
	printf '%s' "$APPEND" >"$T/cmdline"
	printf 'ID=lcow\nPRETTY_NAME="LCOW kernel test"\n' >"$T/osrel"
	if objcopy --add-section .osrel="$T/osrel" --change-section-vma .osrel=0x20000 \
		--add-section .cmdline="$T/cmdline" --change-section-vma .cmdline=0x30000 \
		--add-section .linux="$KERNEL" --change-section-vma .linux=0x2000000 \
		--add-section .initrd="$T/initrd.gz" --change-section-vma .initrd=0x3000000 \
		"$EFI_STUB" "$T/esp/EFI/BOOT/BOOTX64.EFI" 2>"$T/objcopy.err"; then
		boot uefi-uki "$T/uki.log" -M q35 -bios "$OVMF" -drive "file=fat:rw:$T/esp,format=raw,if=virtio"
		if grep -q "^LCOW-BOOT: done" "$T/uki.log" && grep -q "^LCOW-BOOT: kernel 6.1" "$T/uki.log"; then
			pass "UEFI (OVMF, EFI/BOOT/BOOTX64.EFI unified image): boots to the initramfs"
		else
			fail "UEFI (OVMF, BOOTX64.EFI unified image)" "$(tail -n 15 "$T/uki.log")"
		fi
		if grep -q "LCOW-BOOT: cmdline $APPEND" "$T/uki.log"; then pass "UEFI unified image: the embedded command line reaches the kernel"; else fail "UEFI unified image: cmdline" "$(grep cmdline "$T/uki.log")"; fi
	else
		fail "building a unified kernel image" "$(cat "$T/objcopy.err")"
	fi
else
	skip "UEFI unified image" "ovmf, systemd-boot-efi or objcopy missing"
fi
