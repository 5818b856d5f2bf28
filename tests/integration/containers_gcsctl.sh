#!/usr/bin/env bash
# gcsctl run: layer files become loop devices shown to the GCS as SCSI LUNs
# under a test sysfs root; protocol 3 and 4 runs print the container's
# output and return its exit code; nothing is left mounted or attached.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
need_root
ct_need_tools
tmpdir
at_exit "ct_cleanup_mounts '$T'"
at_exit "rmdir /sys/fs/cgroup/*$CT_CGROUP_PARENT 2>/dev/null"

ct_busybox_tree "$T/tree"
ct_layer_image "$T/tree" "$T/layer.img" 32
truncate -s 64M "$T/scratch.img"
mkdir -p "$T/l"
loops_before=$(losetup -a | grep -c "$T/")
run() {
	"$BIN/gcsctl" --listen "unix:$T/l" --spawn-gcs "$BIN/gcs" --gcs-arg -cgroup-parent --gcs-arg "$CT_CGROUP_PARENT" \
		--gcs-arg -v3-root --gcs-arg "$T/v3" --gcs-arg -runc-state-dir --gcs-arg "$T/state" "$@" </dev/null
}
out=$(run --protocol 3 run --id containers-ctl3-$$ --layer scsi:1="$T/layer.img" --scratch scsi:2="$T/scratch.img" \
	-- sh -c 'echo hello from v3; exit 42' 2>"$T/err3")
rc=$?
ok_eq "v3 run prints the container's output" "hello from v3" "$out"
ok_eq "v3 run returns the exit code" 42 "$rc"
out=$(run run --id containers-ctl4-$$ --run-dir "$T/run" --layer 1="$T/layer.img" --scratch 2="$T/scratch.img" \
	-- sh -c 'cat /etc/hostname; echo written >/tmp/f; cat /tmp/f; exit 7' 2>"$T/err4")
rc=$?
ok_eq "v4 run prints the container's output" "$(printf '%s\n' "$(hostname)" written)" "$out"
ok_eq "v4 run returns the exit code" 7 "$rc"
out=$(run run --id containers-ctl5-$$ --run-dir "$T/run" --layer 1="$T/layer.img" -- /bin/no-such-program 2>&1)
rc=$?
ok_eq "a program that does not exist: error, not a hang" 125 "$rc"
ok "runc's reason reaches gcsctl" grep -q 'no-such-program' <<<"$out"
ok_eq "no mounts left" 0 "$(ct_mounts_under "$T")"
ok_eq "no loop devices left" "$loops_before" "$(losetup -a | grep -c "$T/")"
ok "no sysfs entries left" test -z "$(find "$T/l/sysfs" -name 'loop*' 2>/dev/null)"
