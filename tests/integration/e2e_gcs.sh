#!/usr/bin/env bash
# End to end: boots the real image (out/vmlinuz + out/initrd.img) under qemu
# (TCG) and drives its GCS from this host with gcsctl, the bridge carried
# over a virtio-serial port instead of vsock (no /dev/vhost-vsock here):
#
#   host: gcsctl --listen unix:DIR  <-  qemu chardev socket DIR/1073741824
#         (client, reconnect=1)  ->  virtserialport "gcs"
#   VM:   init -- /bin/sh /root/e2e-gcs.sh  ->  /bin/gcs -use-inouterr on
#         the port (tests/e2e/guest-gcs.sh, appended as a second cpio)
#
# Every gcsctl command is one bridge connection and one GCS run in the VM
# (the guest loop restarts the GCS after the host hangs up). Processes run
# with no stdio (gcsctl exec -N): stdio streams need vsock. Protocol 4 boot:
# exit codes, a file written in the VM's /tmp, runc, DumpStacks, ShutdownForced
# powering the VM off. Protocol 3 boot: the bootstrap Create and a UVM process.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
command -v qemu-system-x86_64 >/dev/null || { skip "e2e" "qemu-system-x86_64 is not installed"; exit 0; }
if ! make -C "$ROOT" -n --no-print-directory kernel >/dev/null 2>&1; then
	skip "e2e" "no 'make kernel' target in this checkout"; exit 0
fi
# The image is made from the normal build, never the sanitizer one.
if ! out=$(env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory kernel out/initrd.img 2>&1); then
	fail "e2e: make kernel out/initrd.img" "$(echo "$out" | tail -n 10)"; exit 0
fi
K=$ROOT/out/vmlinuz I=$ROOT/out/initrd.img
GCSCTL=$BIN/gcsctl
[ -x "$GCSCTL" ] || { fail "e2e: gcsctl is built" "$GCSCTL missing"; exit 0; }
# Bounds (seconds): TCG on a loaded machine is slow.
VM_MAX=${E2E_VM_MAX:-420}
BOOT_WAIT=${E2E_BOOT_WAIT:-240}
CALL_MAX=${E2E_CALL_MAX:-120}

mkdir -p "$T/extra/root"
chmod 0755 "$T/extra"
chmod 0700 "$T/extra/root"
install -m 0755 "$ROOT/tests/e2e/guest-gcs.sh" "$T/extra/root/e2e-gcs.sh"
"$ROOT/build/bin/mkinitrd" -o "$T/extra.img" "$T/extra" || { fail "e2e: test archive" "mkinitrd failed"; exit 0; }
cat "$I" "$T/extra.img" >"$T/initrd-e2e.img"

# A container layer: busybox-static's tree, tar -> gcstools tar2vhd (fixed
# VHD), attached on virtio-scsi controller 0 as LUN 0 (scsi-id 0): the
# kernel names it 0:0:0:0, the GCS's 0:0:<controller>:<lun> form (§7.3).
LAYER=
BB=$(command -v busybox || true)
# (ldd fails on a static binary: read its message, not its status)
if [ -n "$BB" ] && [[ $(ldd "$BB" 2>&1) == *'not a dynamic executable'* ]]; then
	mkdir -p "$T/bb/bin" "$T/bb/etc" "$T/bb/proc" "$T/bb/sys" "$T/bb/dev" "$T/bb/tmp"
	cp "$BB" "$T/bb/bin/busybox"
	for a in sh test cat; do ln -s busybox "$T/bb/bin/$a"; done
	printf 'root:x:0:0:root:/:/bin/sh\n' >"$T/bb/etc/passwd"
	printf 'root:x:0:\n' >"$T/bb/etc/group"
	# Without a scratch disk the rootfs is read-only: runc's bind-mount
	# targets must exist in the layer, as in any real image.
	: >"$T/bb/etc/hostname"; : >"$T/bb/etc/hosts"; : >"$T/bb/etc/resolv.conf"
	if tar -C "$T/bb" -cf - . | "$BIN/tar2vhd" -o "$T/layer.vhd" 2>"$T/tar2vhd.err"; then
		LAYER=$T/layer.vhd
	else
		fail "e2e: tar2vhd makes the layer disk" "$(tail -n 3 "$T/tar2vhd.err")"
	fi
fi
disk_args=()
[ -n "$LAYER" ] && disk_args=(-device virtio-scsi-pci,id=scsi0
	-drive "file=$LAYER,format=vpc,if=none,id=layer0,readonly=on"
	-device scsi-hd,drive=layer0,bus=scsi0.0,channel=0,scsi-id=0,lun=0)

QEMU_PID=
# The first connection waits for the boot.
boot_ping() { # protocol
	timeout --kill-after=5 "$BOOT_WAIT" "$GCSCTL" --listen "unix:$S" --protocol "$1" \
		--timeout "$BOOT_WAIT" ping >"$T/out" 2>&1
}
vm_start() { # name [qemu args...]
	local name=$1; shift
	S=$T/$name.sock LOG=$T/$name.console
	mkdir -p "$S"
	: >"$LOG"
	timeout --kill-after=5 "$VM_MAX" qemu-system-x86_64 \
		-name "lcow-e2e-$name-$$" -accel "${LCOW_QEMU_ACCEL:-tcg}" -m 512 -smp 1 \
		-nodefaults -display none -no-reboot -monitor none \
		-serial "file:$LOG" -kernel "$K" -initrd "$T/initrd-e2e.img" \
		-append "console=ttyS0 panic=-1 -- /bin/sh /root/e2e-gcs.sh" \
		-device virtio-serial-pci \
		-chardev "socket,id=gcsbridge,path=$S/1073741824,reconnect=1" \
		-device virtserialport,chardev=gcsbridge,name=gcs "$@" \
		</dev/null >"$T/$name.qemu" 2>&1 &
	QEMU_PID=$!
}
vm_stop() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID" 2>/dev/null
	fi
	QEMU_PID=
}
at_exit vm_stop
vm_running() { [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; }
console_tail() { tr -d '\r' <"$LOG" | grep -v '^E2E-GCS ' | tail -n 15; tail -n 3 "$T"/*.qemu 2>/dev/null; }
# gcsctl against the VM; a hard bound on every call. Output in $T/out.
ctl() { # protocol args...
	local p=$1; shift
	timeout --kill-after=5 "$CALL_MAX" "$GCSCTL" --listen "unix:$S" --protocol "$p" --timeout 45 "$@" >"$T/out" 2>&1
}
# Each check's exit code; a failure shows gcsctl's output and the console.
ctl_eq() { # name want protocol args...
	local name=$1 want=$2; shift 2
	if ! vm_running; then
		fail "$name" "the VM is not running :: $(console_tail)"; return
	fi
	ctl "$@"
	local rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name" "want exit $want got $rc: $(tail -n 5 "$T/out") :: $(console_tail)"; fi
}

# --- protocol 4 --------------------------------------------------------------
vm_start v4 "${disk_args[@]}"
start=$SECONDS
boot_ping 4
rc=$?
if [ $rc != 0 ]; then
	fail "v4: the VM's GCS connected over virtio-serial and negotiated protocol 4" \
		"gcsctl ping exit $rc: $(tail -n 3 "$T/out") :: $(console_tail)"
	vm_stop
else
	pass "v4: the VM's GCS connected over virtio-serial and negotiated protocol 4"
	echo "# v4: GCS reached after $((SECONDS - start)) s"
	ok "v4: the guest found the port by name" grep -qE '^E2E-PORT /dev/vport[0-9]+p[0-9]+' <(tr -d '\r' <"$LOG")
	ctl_eq "v4: a UVM process's exit code reaches the host (sh -c 'exit 42')" 42 4 exec -N -- sh -c "exit 42"
	ctl_eq "v4: a UVM process writes /tmp/e2e-file" 0 4 exec -N -- sh -c "echo e2e >/tmp/e2e-file"
	ctl_eq "v4: the file is there for the next process (test -f)" 0 4 exec -N -- test -f /tmp/e2e-file
	ctl_eq "v4: a missing file is reported missing (test -f)" 1 4 exec -N -- test -f /tmp/e2e-missing
	ctl_eq "v4: runc --version exits 0 in the VM" 0 4 exec -N -- runc --version
	ctl_eq "v4: a missing program fails ExecuteProcess (exit 125)" 125 4 exec -N -- /bin/e2e-no-such-program
	ctl_eq "v4: DumpStacks answers" 0 4 dump-stacks
	ok "v4: DumpStacks names the GCS and its bridge thread" grep -qE '^gcs [0-9a-f]+ pid [0-9]+' "$T/out"
	ok "v4: DumpStacks lists the gcs-bridge thread" grep -qE 'tid [0-9]+ gcs-bridge' "$T/out"
	ok "v4: DumpStacks shows the negotiated bridge" grep -q 'bridge: state v4, connection #1 (connected)' "$T/out"
	if [ -n "$LAYER" ]; then
		# MappedVirtualDisk, CombinedLayers, Create, Start, ExecuteProcess,
		# WaitForProcess, then everything removed again (gcsctl run).
		ctl_eq "v4: a container from the layer disk runs and its exit code reaches the host" 33 4 \
			run --attached -N --id e2e-c1 --layer "scsi:0=$LAYER" -- \
			sh -c 'test -x /bin/busybox && test ! -e /bin/gcs && exit 33'
		ctl_eq "v4: a second container reuses the LUN after the first was removed" 0 4 \
			run --attached -N --id e2e-c2 --layer "scsi:0=$LAYER" -- test -f /etc/passwd
	else
		skip "v4: containers from a layer disk" "no statically linked busybox for the layer"
	fi
	ctl_eq "v4: ShutdownForced of the UVM is answered" 0 4 request ShutdownForced
	end=$((SECONDS + 120))
	while vm_running && [ $SECONDS -lt $end ]; do sleep 1; done
	if vm_running; then
		fail "v4: the VM powered off after the shutdown" "qemu still running :: $(console_tail)"
		vm_stop
	else
		wait "$QEMU_PID"
		ok_eq "v4: the VM powered off after the shutdown (qemu exit 0)" 0 "$?"
		QEMU_PID=
	fi
	con=$(tr -d '\r' <"$LOG")
	ok "v4: the guest logged the GCS's shutdown" grep -q '^E2E-SHUTDOWN' <<<"$con"
	ok "v4: init logged the power-off" grep -q 'init: .*powering off' <<<"$con"
	echo "# v4: boot to power-off $((SECONDS - start)) s"
fi

# --- protocol 3 --------------------------------------------------------------
vm_start v3 "${disk_args[@]}"
start=$SECONDS
boot_ping 3
rc=$?
ok_eq "v3: the bootstrap Create is answered (protocol 3 negotiated)" 0 "$rc"
[ $rc = 0 ] || echo "#   $(tail -n 3 "$T/out") :: $(console_tail)" | tr '\n' ' '
ctl_eq "v3: a UVM process's exit code reaches the host (sh -c 'exit 7')" 7 3 exec -N -- sh -c "exit 7"
ctl_eq "v3: runc --version exits 0 in the VM" 0 3 exec -N -- runc --version
if [ -n "$LAYER" ]; then
	# Create with hosted settings naming the layer "scsi:0", then the first
	# ExecuteProcess starts the container (Appendix B).
	ctl_eq "v3: a container from the layer disk runs and its exit code reaches the host" 34 3 \
		run --attached -N --id e2e-c3 --layer "scsi:0=$LAYER" -- \
		sh -c 'test -x /bin/busybox && test ! -e /bin/gcs && exit 34'
else
	skip "v3: a container from a layer disk" "no statically linked busybox for the layer"
fi
echo "# v3: $((SECONDS - start)) s"
vm_stop
