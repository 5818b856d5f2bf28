#!/usr/bin/env bash
# Boots the real images under qemu (TCG) and checks, from the serial
# console, that init mounted everything, the seed layout is there, runc runs
# and /bin/gcs was started:
#   (a) out/vmlinuz + out/rootfs.vhd on virtio-scsi as root=/dev/sda, no
#       initrd: hcsshim's SCSI VHD command line in its debug-console form
#       (init's -d shell stays primary, /bin/gcs is init's program);
#   (b) out/uvm.vhdx alone under UEFI firmware (OVMF), no -kernel: the
#       firmware finds EFI/BOOT/BOOTX64.EFI, whose built-in command line
#       boots the root partition and runs init without arguments (the 2018
#       default: /bin/gcs primary, a shell on the console).
#
# Both roots are read-only; the GCS keeps its runtime state under /run (the
# tmpfs init mounts), so it must still be running when the probe looks.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/boot_lib.sh"
. "$ROOT/tests/disk_lib.sh"
need_root
tmpdir
command -v qemu-system-x86_64 >/dev/null || { skip disk_boot "qemu-system-x86_64 missing"; exit 0; }
disk_inputs
ok "build the images" disk_build "$T/img"
BOOT_SECONDS=${BOOT_SECONDS:-170}
console() { tr -d '\r' <"$BOOT_LOG"; }

# (a) -------------------------------------------------------------------
boot_start vhd \
	-kernel "$KERNEL" \
	-append "root=/dev/sda ro rootwait init=/init console=ttyS0,115200 panic=-1 -- -d /bin/sh /bin/gcs -loglevel debug" \
	-drive "file=$T/img/rootfs.vhd,format=vpc,if=none,id=d0,readonly=on" \
	-device virtio-scsi-pci -device scsi-hd,drive=d0
if boot_probe "$BOOT_SECONDS"; then
	pass "(a) rootfs.vhd: booted as root=/dev/sda and answered on the console"
	ok "(a) rootfs.vhd: the kernel mounted the VHD's ext4 read-only as root" \
		grep -q "VFS: Mounted root (ext4 filesystem) readonly on device 8:0" <(console)
	boot_check_probe "(a) rootfs.vhd"
else
	fail "(a) rootfs.vhd: booted as root=/dev/sda and answered on the console" "$(boot_log_tail)"
fi
boot_stop

# (b) -------------------------------------------------------------------
cp /usr/share/OVMF/OVMF_VARS.fd "$T/vars.fd"
boot_start vhdx \
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd" \
	-drive "if=pflash,format=raw,unit=1,file=$T/vars.fd" \
	-drive "file=$T/img/uvm.vhdx,format=vhdx,if=none,id=d0,readonly=on" \
	-device virtio-scsi-pci -device scsi-hd,drive=d0
if boot_wait 'init: .*exec /bin/gcs' "$BOOT_SECONDS"; then
	pass "(b) uvm.vhdx: UEFI booted BOOTX64.EFI and the kernel ran /init"
else
	fail "(b) uvm.vhdx: UEFI booted BOOTX64.EFI and the kernel ran /init" "$(boot_log_tail)"
fi
ok "(b) uvm.vhdx: the kernel got the built-in command line" \
	grep -qE "Command line: root=PARTUUID=[0-9A-F-]{36} rootwait ro init=/init" <(console)
ok "(b) uvm.vhdx: the root partition (sda2) was mounted read-only" \
	grep -q "VFS: Mounted root (ext4 filesystem) readonly on device 8:2" <(console)
ok "(b) uvm.vhdx: init started /bin/gcs without arguments (the 2018 default)" \
	grep -q "init: .*exec /bin/gcs (pid" <(console)
if boot_probe "$BOOT_SECONDS"; then
	pass "(b) uvm.vhdx: the console shell answered"
	boot_check_probe "(b) uvm.vhdx"
else
	fail "(b) uvm.vhdx: the console shell answered" "$(boot_log_tail)"
fi
boot_stop
