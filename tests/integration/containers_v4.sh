#!/usr/bin/env bash
# V4 container flow end to end (gcs-protocol.md §4.2, Appendix A): SCSI layer
# and scratch disks from loop devices, CombinedLayers overlay, Create (runc
# create), start, exec with a username, signal, statistics, shutdown,
# removal of everything, DeleteContainerState. Real runc, real mounts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin

ct_busybox_tree "$T/tree"
ct_layer_image "$T/tree" "$T/layer.img" 32
truncate -s 64M "$T/scratch.img"
ct_loop LAYER "$T/layer.img" && ct_loop SCRATCH "$T/scratch.img" || { fail setup "no loop device"; exit 0; }
# controller 0 in the controller-GUID form (host 3)
ct_present_lun "$T/sys" 1 "$LAYER" df6d0690-79e5-55b6-a5ec-c1e2f77f580a 3
ct_present_lun "$T/sys" 2 "$SCRATCH" df6d0690-79e5-55b6-a5ec-c1e2f77f580a 3

ID=containers-v4-$$
ct_host_start v4 v4 id=$ID run="$T/run" luns=1 scratch=2 \
	cmd='["sh","-c","echo hello; exec sleep 30"]' exec="id" exec_user=www stats=1 shutdown=Forced \
	limit_file="/sys/fs/cgroup/memory$CT_CGROUP_PARENT/$ID/memory.limit_in_bytes"
ct_gcs_start
ct_host_wait
cat "$T/v4.out" "$T/v4.err" | sed 's/^/# /'

ok_eq "layer mounted from SCSI lun 1" 0 "$(ct_get v4 layer0_result)"
ok_eq "blank scratch formatted and mounted" 0 "$(ct_get v4 scratch_result)"
ok_eq "overlay combined" 0 "$(ct_get v4 combine_result)"
ok_eq "runc create" 0 "$(ct_get v4 create_result)"
ok_eq "unknown spec members survive into config.json" 1 "$(ct_get v4 config_kept)"
ok_eq "64-bit rlimit survives into config.json" 1 "$(ct_get v4 config_rlimit)"
ok_eq "init started" 0 "$(ct_get v4 start_result)"
ok_eq "init output reaches the host" hello "$(ct_get v4 init_stdout)"
ok_eq "exec into the container" 0 "$(ct_get v4 exec_result)"
ok_eq "exec username resolved from the image's passwd" "uid=33(www) gid=34(www-data)" "$(ct_get v4 exec_stdout)"
ok_eq "exec exit code" 0 "$(ct_get v4 exec_exit)"
ok_eq "second wait on a reported process is not found" 2147943568 "$(ct_get v4 exec_rewait)"
ok_eq "ContainerConstraints runs runc update" 0 "$(ct_get v4 update_result)"
ok_eq "the new memory limit is in the container's cgroup" 104857600 "$(ct_get v4 limit_after_update)"
ok_eq "statistics and process list" 0 "$(ct_get v4 props_result)"
ok_eq "process list holds the init" 1 "$(ct_get v4 props_has_pid)"
ok "memory usage is reported" test "$(ct_get v4 props_memory)" -gt 0
ok_eq "shutdown forced" 0 "$(ct_get v4 shutdown_result)"
ok_eq "init killed by SIGKILL exits 137" 137 "$(ct_get v4 init_exit)"
ok_eq "notification is ForcedExit" ForcedExit "$(ct_get v4 notification)"
ok_eq "wait answer before notification" 1 "$(ct_get v4 wait_before_notification)"
ok_eq "overlay removed" 0 "$(ct_get v4 combine_remove_result)"
ok_eq "scratch removed" 0 "$(ct_get v4 scratch_remove_result)"
ok_eq "layer removed" 0 "$(ct_get v4 layer0_remove_result)"
ok_eq "delete container state" 0 "$(ct_get v4 delete_result)"
ok_eq "deleting again: container not found" 3224830222 "$(ct_get v4 delete_again_result)"
ok_eq "no mounts left" 0 "$(ct_mounts_under "$T/run")"
ok "no runc state left" test ! -e "/run/runc/$ID"
ok "no container directory left" test ! -e "$T/run/c/$ID"
ok "no helper state left" test ! -e "$T/runc-state/$ID"
ok "no cgroup left" test ! -e "/sys/fs/cgroup/memory$CT_CGROUP_PARENT/$ID"
ok "gcs still running" kill -0 "$CT_GCS_PID"
