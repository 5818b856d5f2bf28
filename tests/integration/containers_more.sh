#!/usr/bin/env bash
# More container behaviour through one long-running GCS (gcs-protocol.md
# §4.2, §4.5, §5.3-5.4): a tty container resized by the host, an exec'd
# process killed by SIGKILL (137), a graceful shutdown (143, GracefulExit),
# 20 containers at once, and a GCS killed with a container running whose
# restart leaves nothing behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin

ct_busybox_tree "$T/tree"
ct_layer_image "$T/tree" "$T/layer.img" 32
ct_loop LAYER "$T/layer.img" || { fail setup "no loop device"; exit 0; }
ct_present_lun "$T/sys" 1 "$LAYER"
ID=containers-more-$$
ct_gcs_start

# a tty container: the host resizes it, the shell reports the size
ct_host_start tty v4 id=$ID-tty run="$T/run" luns=1 tty=1 cmd='["sh"]'
ct_host_wait
sed 's/^/# /' "$T/tty.out" "$T/tty.err"
ok_eq "tty container started" 0 "$(ct_get tty start_result)"
ok_eq "resize answered" 0 "$(ct_get tty resize_result)"
ok "the pty has the host's size" grep -q '^init_stdout=.*33 77' "$T/tty.out"
ok_eq "tty init exit code" 3 "$(ct_get tty init_exit)"
ok_eq "tty container cleaned" 0 "$(ct_get tty delete_result)"

# an exec'd process killed by SIGKILL, then a graceful shutdown
ct_host_start kill v4 id=$ID-kill run="$T/run" luns=1 cmd='["sh","-c","trap \"exit 143\" TERM; sleep 60 & wait"]' \
	exec='["sleep","60"]' signal=9 shutdown=Graceful
ct_host_wait
sed 's/^/# /' "$T/kill.out" "$T/kill.err"
ok_eq "signal delivered" 0 "$(ct_get kill signal_result)"
ok_eq "exec killed by SIGKILL exits 137" 137 "$(ct_get kill exec_exit)"
ok_eq "graceful shutdown: the init got SIGTERM (its trap exits 143)" 143 "$(ct_get kill init_exit)"
ok_eq "notification is GracefulExit" GracefulExit "$(ct_get kill notification)"
ok_eq "container deleted" 0 "$(ct_get kill delete_result)"

# 20 containers at once
ct_host_start par par id=$ID-p run="$T/run" lun=1 n=20
ct_host_wait
sed 's/^/# /' "$T/par.out" "$T/par.err"
ok_eq "20 parallel containers ran, printed and were deleted" 20 "$(ct_get par good)"
ok_eq "layer removed after the parallel run" 0 "$(ct_get par layer_remove_result)"
ok_eq "no mounts left after the parallel run" 0 "$(ct_mounts_under "$T/run")"

# a GCS killed with a container running; the next GCS cleans up
ct_host_start keep v4 id=$ID-keep run="$T/run" luns=1 cmd='["sleep","60"]' keep=1 shutdown=
ct_host_start_wait_key() { local i; for i in $(seq 200); do grep -q "^$1=" "$T/keep.out" && return 0; sleep 0.05; done; return 1; }
ct_host_start_wait_key start_result
ok_eq "container running before the kill" 0 "$(ct_get keep start_result)"
ok "mounts exist before the kill" test "$(ct_mounts_under "$T/run")" -gt 0
kill -9 "$CT_GCS_PID"; wait "$CT_GCS_PID" 2>/dev/null
kill "$CT_HOST_PID" 2>/dev/null
wait "$CT_HOST_PID" 2>/dev/null
ct_host_start again raw requests='[]'
ct_gcs_start
ct_host_wait
ok_eq "restarted GCS serves" 3224830222 "$(ct_get again still_serving)"
ok_eq "stale mounts removed at start-up" 0 "$(ct_mounts_under "$T/run")"
ok "stale runc container deleted" test ! -e "/run/runc/$ID-keep"
gone() { local i; for i in $(seq 50); do grep -qs -- "$1" /proc/[0-9]*/cgroup || return 0; sleep 0.1; done; return 1; }
ok "stale container process gone" gone "$ID-keep"
ok "stale helper state removed" test ! -e "$T/runc-state/$ID-keep"
ok "stale cgroup removed" test ! -e "/sys/fs/cgroup/memory$CT_CGROUP_PARENT/$ID-keep"
