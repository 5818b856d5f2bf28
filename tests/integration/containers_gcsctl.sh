#!/usr/bin/env bash
# gcsctl run: layer files become loop devices shown to the GCS as SCSI LUNs
# under a test sysfs root; protocol 3 and 4 runs print the container's
# output and return its exit code; nothing is left mounted or attached.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin

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

# the same protocol 4 sequence one gcsctl command at a time, against one
# long-running GCS that re-dials after each command
ct_loop LAYER "$T/layer.img" && ct_loop SCRATCH "$T/scratch.img" || { fail setup "no loop device"; exit 0; }
ct_present_lun "$T/sys" 5 "$LAYER"
ct_present_lun "$T/sys" 6 "$SCRATCH"
mkdir -p "$T/sock"
ct_gcs_start
ctl() { "$BIN/gcsctl" --listen "unix:$T/sock" "$@" </dev/null; }
ID=containers-steps-$$
R=$T/run2
ok "mount-scsi (layer, read-only)" ctl mount-scsi --ro 5 "$R/mounts/m5"
ok "mount-scsi (scratch)" ctl mount-scsi 6 "$R/c/$ID"
ok "combine" ctl combine --scratch "$R/c/$ID/scratch/$ID" "$ID" "$R/c/$ID/rootfs" "$R/mounts/m5"
ok "create" ctl create "$ID" "$R/b1" "$R/c/$ID/rootfs" -- sh -c 'echo from-step-init; exit 9'
out=$(ctl start "$ID" 2>"$T/start.err")
ok_eq "start streams the init's output and returns its exit code" "from-step-init 9" "$out $?"
ok "delete" ctl delete "$ID"
# a long-running init: start detached, exec into it, shut it down
ok "create (long-running)" ctl create "$ID" "$R/b2" "$R/c/$ID/rootfs" -- sh -c 'trap "exit 9" TERM; sleep 60 & wait'
pid=$(ctl start -d "$ID" 2>"$T/start.err")
ok "start -d prints the init pid" test "${pid:-0}" -gt 0
out=$(ctl exec-in "$ID" -- sh -c 'echo inside; exit 4' 2>"$T/execin.err")
ok_eq "exec-in output and exit code" "inside 4" "$out $?"
ok "shutdown" ctl shutdown "$ID"
deleted() { local i; for i in $(seq 50); do ctl delete "$ID" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
ok "delete once the init has exited" deleted
ok "uncombine" ctl uncombine "$ID" "$R/c/$ID/rootfs"
ok "unmount-scsi (scratch)" ctl unmount-scsi 6 "$R/c/$ID"
ok "unmount-scsi (layer)" ctl unmount-scsi 5 "$R/mounts/m5"
ctl delete "$ID" 2>"$T/del.err"
ok "deleting again names the missing container" grep -q 0xc037010e "$T/del.err"
ok_eq "no mounts left after the steps" 0 "$(ct_mounts_under "$R")"
ok "no bundles left after the steps" test ! -e "$R/b1" -a ! -e "$R/b2"
