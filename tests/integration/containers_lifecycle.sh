#!/usr/bin/env bash
# Start and delete of V4 containers on every path (docs/containers.md "Start
# and delete in the GCS"): the GCS's own exec-fifo start and stopped-state
# delete, and runc start / runc delete where runc has work the GCS leaves to
# it (hooks, a shared pid namespace, a container never started, a container
# still running). The runtime is a wrapper named runc that logs each
# command line, so the test sees which path ran; every path must bring the
# output, exit code or runc's error text to the host and leave no runc
# state, cgroup, bundle or helper state behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin
ID=containers-life-$$
at_exit "for c in \$(runc list -q 2>/dev/null | grep '^$ID-'); do runc delete -f \$c >/dev/null 2>&1; done"

mkdir -p "$T/rootfs"/{bin,etc,proc,sys,dev,tmp} "$T/bin"
cp "$(command -v busybox)" "$T/rootfs/bin/busybox"
for a in sh true sleep cat echo; do ln -s busybox "$T/rootfs/bin/$a"; done
: >"$T/rootfs/etc/hostname"; : >"$T/rootfs/etc/hosts"; : >"$T/rootfs/etc/resolv.conf"
REAL_RUNC=$(command -v runc)
printf '#!/bin/sh\necho "$*" >>%s\nexec %s "$@"\n' "$T/runtime.log" "$REAL_RUNC" >"$T/bin/runc"
chmod +x "$T/bin/runc"

ct_host_start life lifecycle id=$ID rootfs="$T/rootfs" work="$T/work" hooklog="$T/hooks.log"
CT_RUNTIME=$T/bin/runc
ct_gcs_start
ct_host_wait
sed 's/^/# /' "$T/life.out" "$T/life.err"
sed 's/^/# runtime: /' "$T/runtime.log"

# ran: the runtime sub-commands run for container NAME, in order
ran() { awk -v id="$ID-$1" '($NF == id || $(NF - 1) == id) { for (i = 1; i < NF; i++) if ($i ~ /^(create|start|delete|kill)$/) { printf "%s ", $i; break } }' "$T/runtime.log" | sed 's/ $//'; }

ok_eq "plain: created" 0 "$(ct_get life plain_create)"
ok_eq "plain: started" 0 "$(ct_get life plain_start)"
ok_eq "plain: stdout reaches the host" out "$(ct_get life plain_stdout)"
ok_eq "plain: stderr reaches the host" err "$(ct_get life plain_stderr)"
ok_eq "plain: exit code reaches the host" 7 "$(ct_get life plain_exit)"
ok_eq "plain: deleted" 0 "$(ct_get life plain_delete)"
ok_eq "plain: only runc create ran (start and delete in the GCS)" create "$(ran plain)"

ok_eq "stdin: host's stdin reaches a fifo-started process" got-line "$(ct_get life stdin_stdout)"
ok_eq "stdin: exit code" 0 "$(ct_get life stdin_exit)"
ok_eq "stdin: deleted" 0 "$(ct_get life stdin_delete)"

ok_eq "hooks: started" 0 "$(ct_get life hooks_start)"
ok_eq "hooks: output" hooked "$(ct_get life hooks_stdout)"
ok_eq "hooks: exit code" 3 "$(ct_get life hooks_exit)"
ok_eq "hooks: deleted" 0 "$(ct_get life hooks_delete)"
ok_eq "hooks: runc start and runc delete ran" "create start delete" "$(ran hooks)"
ok "hooks: runc ran the poststop hook" grep -qx poststop "$T/hooks.log"

ok_eq "shared pid namespace: output" shared "$(ct_get life sharedpid_stdout)"
ok_eq "shared pid namespace: exit code" 4 "$(ct_get life sharedpid_exit)"
ok_eq "shared pid namespace: deleted" 0 "$(ct_get life sharedpid_delete)"
ok "shared pid namespace: runc delete ran" sh -c "echo '$(ran sharedpid)' | grep -q 'delete$'"

ok_eq "never started: deleted" 0 "$(ct_get life unstarted_delete)"
ok_eq "never started: runc delete killed the init" "create delete" "$(ran unstarted)"

ok "killed before start: start fails" test "$(ct_get life killed_start)" != 0
ok_eq "killed before start: runc's words reach the host" 1 \
	"$(ct_get life killed_start_error | grep -c 'cannot start a container that has stopped')"
ok_eq "killed before start: deleted (in the GCS)" 0 "$(ct_get life killed_delete)"
ok_eq "killed before start: runc start reported, no runc delete" "create kill start kill" "$(ran killed)"

ok_eq "running: delete refused with the invalid-state HRESULT" 2151088389 "$(ct_get life running_delete)"
ok_eq "running: runc's words reach the host" 1 "$(ct_get life running_delete_error | grep -c 'not stopped')"
ok_eq "running: killed" 137 "$(ct_get life running_exit)"
ok_eq "running: deleted after its exit" 0 "$(ct_get life running_delete_after_exit)"

left=""
for n in plain stdin hooks sharedpid unstarted killed running; do
	[ -e "/run/runc/$ID-$n" ] && left="$left runc:$n"
	[ -e "$T/work/c/$ID-$n" ] && left="$left bundle:$n"
	[ -e "$T/runc-state/$ID-$n" ] && left="$left helper:$n"
	for d in /sys/fs/cgroup/*"$CT_CGROUP_PARENT/$ID-$n"; do [ -e "$d" ] && left="$left cgroup:$d"; done
done
ok_eq "nothing left behind on any path" "" "$left"
gone() { ! grep -qs -- "$ID-" /proc/[0-9]*/cgroup; }
ok "no container process left" gone
ok "gcs still running" kill -0 "$CT_GCS_PID"

# A GCS killed with one container exited but not deleted and one running
# (both started through the fifo): the next GCS removes both.
ct_host_start abandon lifecycle id=$ID-a rootfs="$T/rootfs" work="$T/work" hooklog="$T/hooks.log" abandon=1
ct_gcs_start
ct_host_wait
sed 's/^/# /' "$T/abandon.out" "$T/abandon.err"
ok_eq "abandoned: exited container ran" 0 "$(ct_get abandon exited_exit)"
ok_eq "abandoned: live container started" 0 "$(ct_get abandon live_start)"
ok "abandoned: runc state exists before the kill" test -e "/run/runc/$ID-a-exited" -a -e "/run/runc/$ID-a-live"
kill -9 "$CT_GCS_PID"; wait "$CT_GCS_PID" 2>/dev/null
ct_host_start again raw requests='[]'
ct_gcs_start
ct_host_wait
ok_eq "restarted GCS serves" 3224830222 "$(ct_get again still_serving)"
left=""
for n in exited live; do
	[ -e "/run/runc/$ID-a-$n" ] && left="$left runc:$n"
	[ -e "$T/runc-state/$ID-a-$n" ] && left="$left helper:$n"
	for d in /sys/fs/cgroup/*"$CT_CGROUP_PARENT/$ID-a-$n"; do [ -e "$d" ] && left="$left cgroup:$d"; done
done
ok_eq "restart after a kill: nothing left behind" "" "$left"
gone_a() { local i; for i in $(seq 50); do grep -qs -- "$ID-a-" /proc/[0-9]*/cgroup || return 0; sleep 0.1; done; return 1; }
ok "restart after a kill: no container process left" gone_a
