# containers_lib.sh: helpers for the container integration tests (sourced
# after tests/lib.sh). Layer disks are ext4 images of a busybox tree (and a
# cached Debian minbase tree), attached through loop devices and presented
# to the GCS as SCSI LUNs below a test sysfs root (docs/containers.md).
CT_HOST="$ROOT/tests/integration/containers_host.py"
CT_CACHE="$CACHE_DIR/containers"

ct_need_tools() {
	local t
	for t in runc mke2fs losetup python3 busybox; do
		command -v "$t" >/dev/null || { skip "$(basename "$0")" "$t is not installed"; exit 0; }
	done
	[ -x "$BIN/gcs" ] || { skip "$(basename "$0")" "gcs is not built"; exit 0; }
	grep -qw overlay /proc/filesystems || { skip "$(basename "$0")" "no overlayfs"; exit 0; }
}

# ct_begin: how every container test starts: root and the tools (else a
# skip), a temporary directory $T, and at exit the unmounting of whatever
# is left mounted below $T and the removal of the tests' cgroup parent.
ct_begin() {
	need_root
	ct_need_tools
	tmpdir
	at_exit "ct_cleanup_mounts '$T'"
	at_exit "rmdir /sys/fs/cgroup/*$CT_CGROUP_PARENT 2>/dev/null"
}

# ct_busybox_tree DIR: a minimal busybox root with passwd/group entries.
ct_busybox_tree() {
	local d=$1 a
	mkdir -p "$d"/{bin,etc,proc,sys,dev,tmp,root}
	cp "$(command -v busybox)" "$d/bin/busybox"
	for a in $("$d/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"; done
	printf 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:34:www:/tmp:/bin/sh\n' >"$d/etc/passwd"
	printf 'root:x:0:\nwww-data:x:34:\n' >"$d/etc/group"
	: >"$d/etc/hostname"; : >"$d/etc/hosts"; : >"$d/etc/resolv.conf"
}

# ct_layer_image TREE FILE SIZE_MB: an ext4 layer disk made from TREE, the
# way layers reach the UVM: a tar converted by gcstools tar2vhd (a fixed VHD:
# ext4 plus a 512-byte footer a loop device ignores). Without tar2vhd,
# mke2fs -d builds a plain ext4 image of SIZE_MB.
ct_layer_image() {
	if [ -x "$BIN/tar2vhd" ]; then
		tar -C "$1" -cf - . | "$BIN/tar2vhd" -o "$2"
	else
		mke2fs -q -F -t ext4 -d "$1" "$2" "$3M" >/dev/null 2>&1
	fi
}

# ct_loop VAR FILE [losetup options]: attaches FILE to a free loop device,
# stores the device in VAR and detaches it at exit. (Not in a $(...)
# subshell: the at_exit registration must happen in the test's own shell.)
ct_loop() {
	local var=$1 file=$2 dev
	shift 2
	dev=$(losetup -f --show "$@" "$file") || return 1
	at_exit "losetup -d $dev"
	printf -v "$var" '%s' "$dev"
}

# ct_present_lun SYSFS LUN DEV [CONTROLLER_GUID HOST]: makes DEV appear as
# SCSI LUN LUN (old 0:0:0:LUN form, or the controller-GUID form).
ct_present_lun() {
	local sysfs=$1 lun=$2 dev=$3 guid=${4:-} host=${5:-}
	if [ -n "$guid" ]; then
		mkdir -p "$sysfs/bus/vmbus/devices/$guid/host$host"
		mkdir -p "$sysfs/bus/scsi/devices/$host:0:0:$lun/block/${dev#/dev/}"
	else
		mkdir -p "$sysfs/bus/scsi/devices/0:0:0:$lun/block/${dev#/dev/}"
	fi
}

# ct_host_start NAME ARGS...: runs the test host in the background; its
# output goes to $T/NAME.out. Waits until it listens.
ct_host_start() {
	local name=$1
	shift
	mkdir -p "$T/sock"
	python3 "$CT_HOST" "$@" dir="$T/sock" >"$T/$name.out" 2>"$T/$name.err" &
	CT_HOST_PID=$!
	local i
	for i in $(seq 100); do [ -S "$T/sock/1073741824" ] && return 0; sleep 0.05; done
	return 1
}

# ct_gcs_start [EXTRA FLAGS]: starts the GCS against the test host.
CT_CGROUP_PARENT=/containers-test-$$
ct_gcs_start() {
	mkdir -p "$T"
	"$BIN/gcs" -transport "unix:$T/sock" -sysfs-root "$T/sys" -runtime "${CT_RUNTIME:-/sbin/runc}" \
		-cgroup-parent "$CT_CGROUP_PARENT" -v3-root "$T/v3" -runc-state-dir "$T/runc-state" \
		-device-timeout-ms "${CT_DEVICE_TIMEOUT:-3000}" -loglevel debug "$@" >>"$T/gcs.log" 2>&1 &
	CT_GCS_PID=$!
	at_exit "kill -9 $CT_GCS_PID"
}

# ct_host_wait: waits for the host scenario to finish (60 s at most).
ct_host_wait() {
	local i
	for i in $(seq 1200); do kill -0 "$CT_HOST_PID" 2>/dev/null || break; sleep 0.05; done
	kill "$CT_HOST_PID" 2>/dev/null
	wait "$CT_HOST_PID" 2>/dev/null
}

# ct_get NAME KEY: a key=value line of host output NAME.
ct_get() {
	sed -n "s/^$2=//p" "$T/$1.out" | head -1
}

# ct_mounts_under DIR: how many mounts are below DIR.
ct_mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1' /proc/self/mountinfo | wc -l
}

ct_cleanup_mounts() {
	local m
	for m in $(awk -v d="$1" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
}

# ct_debian_layer: prints the path of a cached ext4 layer disk holding a
# Debian bookworm minbase tree (debootstrap --variant=minbase), made on first
# use under $CACHE_DIR/containers/, keyed by suite and variant. Empty output
# (and status 1) when it cannot be made (no network, no debootstrap).
ct_debian_layer() {
	local img="$CT_CACHE/debian-bookworm-minbase.ext4"
	mkdir -p "$CT_CACHE"
	(
		flock 9
		[ -s "$img" ] && exit 0
		command -v debootstrap >/dev/null || exit 1
		local tree
		tree=$(mktemp -d "$CT_CACHE/tree.XXXXXX") || exit 1
		if debootstrap --variant=minbase bookworm "$tree" http://deb.debian.org/debian >"$CT_CACHE/debootstrap.log" 2>&1 &&
			mke2fs -q -F -t ext4 -d "$tree" "$img.tmp" 1024M >/dev/null 2>&1; then
			mv "$img.tmp" "$img"
		else
			rm -f "$img.tmp"
		fi
		rm -rf "$tree"
		[ -s "$img" ]
	) 9>"$CT_CACHE/debian.lock" || return 1
	echo "$img"
}
