#!/usr/bin/env bash
# V3 (SEED) container flow (gcs-protocol.md §4.1, Appendix B): Create with
# hosted settings builds /<index>/{0,scratch,rootfs} from SCSI device ids,
# the first ExecuteProcess carries the OCI spec, a later one execs from a
# command line, the init's exit tears everything down, and the init's
# WaitForProcess answer comes before the exit notification.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin

ct_busybox_tree "$T/tree"
ct_layer_image "$T/tree" "$T/layer.img" 32
truncate -s 64M "$T/scratch.img"
ct_loop LAYER "$T/layer.img" && ct_loop SCRATCH "$T/scratch.img" || { fail setup "no loop device"; exit 0; }
# older hosts: no vmbus controller directory, 0:0:0:<lun> names
ct_present_lun "$T/sys" 1 "$LAYER"
ct_present_lun "$T/sys" 0 "$SCRATCH"

ID=containers-v3-$$
ct_host_start v3 v3 id=$ID luns=1 scratch=scsi:0 \
	cmd='["sh","-c","echo from-init; sleep 3; exit 42"]' exec="echo 'from exec'"
ct_gcs_start
ct_host_wait
sed 's/^/# /' "$T/v3.out" "$T/v3.err"

ok_eq "create answers protocol 3" "0 3" "$(ct_get v3 create_result) $(ct_get v3 create_version)"
ok_eq "first exec creates and starts the container" 0 "$(ct_get v3 exec_result)"
ok_eq "later exec from a command line" 0 "$(ct_get v3 exec2_result)"
ok_eq "exec output reaches the host" "from exec" "$(ct_get v3 exec2_stdout)"
ok_eq "init exit code 42" 42 "$(ct_get v3 init_exit)"
ok_eq "init output reaches the host" from-init "$(ct_get v3 init_stdout)"
ok_eq "notification UnexpectedExit" UnexpectedExit "$(ct_get v3 notification)"
ok_eq "notification carries the Create activity id" 11111111-2222-3333-4444-555555555555 "$(ct_get v3 notification_activity)"
ok_eq "wait answer before notification" 1 "$(ct_get v3 wait_before_notification)"
ok_eq "a late wait is answered from the kept record" 42 "$(ct_get v3 late_wait_exit)"
ok_eq "teardown leaves no mount" 0 "$(ct_mounts_under "$T/v3")"
ok "teardown removes the storage directory" test ! -e "$T/v3/0"
ok "no runc state left" test ! -e "/run/runc/$ID"
ok "scratch was formatted as ext4" sh -c "blkid -o value -s TYPE '$SCRATCH' | grep -qx ext4"
ok "gcs still running" kill -0 "$CT_GCS_PID"
