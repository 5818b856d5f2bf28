# Helpers for boot tests under qemu (bash; source after tests/lib.sh).
#
#   boot_start NAME QEMU_ARGS...   start qemu (TCG unless LCOW_QEMU_ACCEL) with
#                                  the serial console on a FIFO (input) and a
#                                  log file (output, $BOOT_LOG); killed at exit
#   boot_wait PATTERN SECONDS      wait until the console shows PATTERN (ERE);
#                                  fails fast when qemu exits or the kernel
#                                  panics
#   boot_send TEXT                 type one line on the console
#   boot_probe SECONDS             run the standard in-VM checks on the
#                                  console shell (retyped until answered);
#                                  their output is left in $BOOT_PROBE
#   boot_check_probe PREFIX        the TAP checks on $BOOT_PROBE: init's
#                                  mounts, the seed layout, runc, /bin/gcs
#                                  started and still running
#   boot_stop                      kill qemu
#
# The VM is expected to run /init with no arguments (the 2018 default):
# /bin/gcs as the primary child and a shell on the console. The probe
# markers are typed as BOOT''PROBE so the terminal's echo of the command
# line never matches the marker the shell prints.
BOOT_QEMU=${BOOT_QEMU:-qemu-system-x86_64}
BOOT_LOG= BOOT_PID= BOOT_IN= BOOT_PROBE=

boot_start() { # name args...
	local name=$1; shift
	local dir
	dir=$(mktemp -d "/tmp/lcow-boot-$name.XXXXXX")
	at_exit "rm -rf '$dir'"
	BOOT_LOG=$dir/console.log BOOT_IN=$dir/console.in
	mkfifo "$BOOT_IN"
	: >"$BOOT_LOG"
	# Read-write open of the FIFO never blocks and keeps it open for qemu.
	exec {BOOT_FD}<>"$BOOT_IN"
	# A hard bound on the VM's life whatever the test does (TCG is slow).
	timeout --kill-after=5 "${BOOT_MAX_SECONDS:-300}" \
		"$BOOT_QEMU" -name "lcow-disk-$name-$$" -accel "${LCOW_QEMU_ACCEL:-tcg}" -m 512 -smp 1 \
		-nodefaults -display none -no-reboot -monitor none -serial stdio \
		"$@" <"$BOOT_IN" >"$BOOT_LOG" 2>&1 &
	BOOT_PID=$!
	at_exit "boot_stop"
}

boot_stop() {
	if [ -n "$BOOT_PID" ] && kill -0 "$BOOT_PID" 2>/dev/null; then
		kill "$BOOT_PID" 2>/dev/null
		wait "$BOOT_PID" 2>/dev/null
	fi
	BOOT_PID=
	[ -n "${BOOT_FD:-}" ] && exec {BOOT_FD}>&- 2>/dev/null
	BOOT_FD=
}

boot_running() { [ -n "$BOOT_PID" ] && kill -0 "$BOOT_PID" 2>/dev/null; }

boot_wait() { # pattern seconds
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		grep -qaE "$1" "$BOOT_LOG" && return 0
		grep -qa "Kernel panic" "$BOOT_LOG" && return 1
		boot_running || { grep -qaE "$1" "$BOOT_LOG"; return; }
		sleep 1
	done
	return 1
}

boot_send() { printf '%s\r' "$1" >&"$BOOT_FD"; }

# The checks run inside the VM. Each answer is one "name: value" line.
# busybox ash asks the terminal for the cursor position (ESC[6n) at each
# prompt and takes the first characters typed as the answer; the leading
# word is there to be eaten (what is left of it is a harmless "not found").
BOOT_PROBE_CMD='BOOTPAD______________________________; echo BOOT""PROBE-BEGIN;'\
' echo "mounts: $(awk '\''{printf "%s:%s ", $2, $3}'\'' /proc/mounts)";'\
' for p in /init /bin /sbin /etc /usr /mnt /root /lib /proc /sys /dev /run /tmp /bin/sh /bin/gcs /bin/gcstools /bin/tar2vhd /bin/vhd2tar /bin/exportSandbox /bin/remotefs /bin/netnscfg /bin/mkfs.ext4 /sbin/runc /sbin/udhcpc_config.script; do [ -e $p ] && echo "present: $p" || echo "missing: $p"; done;'\
' echo "runc: $(runc --version 2>&1 | head -n 1)";'\
' echo "gcs-pid: $(pidof gcs)";'\
' echo BOOT""PROBE-END'

boot_probe() { # seconds
	local deadline=$((SECONDS + $1))
	BOOT_PROBE=
	while [ $SECONDS -lt $deadline ] && boot_running; do
		boot_send "$BOOT_PROBE_CMD"
		if boot_wait '^BOOTPROBE-END' 10; then
			BOOT_PROBE=$(tr -d '\r' <"$BOOT_LOG" | sed -n '/^BOOTPROBE-BEGIN/,/^BOOTPROBE-END/p')
			return 0
		fi
	done
	return 1
}

boot_check_probe() { # prefix
	local p=$1 m
	m=$(sed -n 's/^mounts: //p' <<<"$BOOT_PROBE" | head -n 1)
	for want in /proc:proc /sys:sysfs /dev:devtmpfs /run:tmpfs /tmp:tmpfs /dev/pts:devpts /dev/shm:tmpfs; do
		ok "$p: init mounted ${want%%:*} (${want#*:})" grep -q " $want " <<<" $m"
	done
	ok "$p: a cgroup hierarchy is mounted" grep -qE " /sys/fs/cgroup[^ ]*:cgroup2? " <<<" $m"
	local missing
	missing=$(sed -n 's/^missing: //p' <<<"$BOOT_PROBE" | tr '\n' ' ')
	ok_eq "$p: the seed layout is there (nothing missing)" "" "$missing"
	ok "$p: runc --version runs in the VM" grep -qE '^runc: runc version [0-9]' <<<"$BOOT_PROBE"
	ok "$p: init started /bin/gcs" grep -qa 'init: .*exec /bin/gcs (pid' "$BOOT_LOG"
	ok "$p: /bin/gcs is running" grep -qE '^gcs-pid: [0-9]+' <<<"$BOOT_PROBE"
}

# Prints the console log's tail for a failure message.
boot_log_tail() { tr -d '\r' <"$BOOT_LOG" | tail -n "${1:-25}"; }
