#!/usr/bin/env bash
# Boots a kernel and initrd under QEMU with the serial console in a file,
# for the boot tests and the boot bench (docs/rootfs.md).
#
#   scripts/rootfs/qemu-boot.sh KERNEL INITRD CONSOLE_LOG TIMEOUT_S [INIT ARGS...]
#
# The kernel command line is "console=ttyS0 panic=-1 -- INIT ARGS..." (each
# INIT ARG with spaces is passed in double quotes, which the kernel strips).
# QEMU uses TCG unless LCOW_QEMU_ACCEL says otherwise, has no default
# devices and exits when the guest powers off or reboots. Exit status: 0
# when the VM stopped by itself, 124 on timeout, else QEMU's.
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: $0 KERNEL INITRD CONSOLE_LOG TIMEOUT_S [INIT ARGS...]" >&2; exit 2; }
kernel=$1 initrd=$2 log=$3 secs=$4
shift 4
append="console=ttyS0 panic=-1 ${LCOW_BOOT_EXTRA:-}"
if [ $# -gt 0 ]; then
	append+=" --"
	for a in "$@"; do
		case $a in *' '*) append+=" \"$a\"" ;; *) append+=" $a" ;; esac
	done
fi
: >"$log"
exec timeout --kill-after=5 "$secs" qemu-system-x86_64 \
	-name "lcow-rootfs-$$" -accel "${LCOW_QEMU_ACCEL:-tcg}" -m 512 -smp 1 \
	-nodefaults -display none -no-reboot -monitor none \
	-serial "file:$log" -kernel "$kernel" -initrd "$initrd" -append "$append" </dev/null
