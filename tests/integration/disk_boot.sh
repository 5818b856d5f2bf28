#!/usr/bin/env bash
# Boots the real images under qemu (TCG) and checks, from the serial
# console, that init mounted everything, the seed layout is there, runc runs
# and /bin/gcs was started:
#   (a) out/vmlinuz + out/rootfs.vhd on virtio-scsi as root=/dev/sda, no
#       initrd, the command line hcsshim uses for a SCSI VHD root;
#   (b) out/uvm.vhdx alone under UEFI firmware (OVMF), no -kernel: the
#       firmware finds EFI/BOOT/BOOTX64.EFI and its built-in command line.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/boot_lib.sh"
. "$ROOT/tests/disk_lib.sh"
need_root
tmpdir
command -v qemu-system-x86_64 >/dev/null || { skip disk_boot "qemu-system-x86_64 missing"; exit 0; }
disk_inputs
ok "build the images" disk_build "$T/img"
BOOT_SECONDS=${BOOT_SECONDS:-170}

# (a) hcsshim's SCSI VHD boot (gcs-protocol.md §9.1), minus quiet, with a
# serial console and without init arguments (the 2018 default).
boot_start vhd \
	-kernel "$KERNEL" \
	-append "root=/dev/sda ro rootwait init=/init console=ttyS0,115200 panic=-1" \
	-drive "file=$T/img/rootfs.vhd,format=vpc,if=none,id=d0,readonly=on" \
	-device virtio-scsi-pci -device scsi-hd,drive=d0
if boot_probe "$BOOT_SECONDS"; then
	pass "(a) rootfs.vhd: the VM booted and answered on the console"
	boot_check_probe "(a) rootfs.vhd"
else
	fail "(a) rootfs.vhd: the VM booted and answered on the console" "$(boot_log_tail)"
fi
boot_stop

# (b) UEFI boot from uvm.vhdx alone.
OVMF_CODE=/usr/share/OVMF/OVMF_CODE.fd
cp /usr/share/OVMF/OVMF_VARS.fd "$T/vars.fd"
boot_start vhdx \
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
	-drive "if=pflash,format=raw,unit=1,file=$T/vars.fd" \
	-drive "file=$T/img/uvm.vhdx,format=vhdx,if=none,id=d0,readonly=on" \
	-device virtio-scsi-pci -device scsi-hd,drive=d0
if boot_probe "$BOOT_SECONDS"; then
	pass "(b) uvm.vhdx: UEFI booted BOOTX64.EFI and the VM answered on the console"
	boot_check_probe "(b) uvm.vhdx"
	ok "(b) uvm.vhdx: the kernel got the built-in command line (root by PARTUUID)" \
		grep -qa "Command line: .*root=PARTUUID=" "$BOOT_LOG"
else
	fail "(b) uvm.vhdx: UEFI booted BOOTX64.EFI and the VM answered on the console" "$(boot_log_tail)"
fi
boot_stop
