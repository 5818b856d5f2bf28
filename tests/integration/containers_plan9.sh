#!/usr/bin/env bash
# Plan9 shares (gcs-protocol.md §7.5): a real 9P server (diod, serving the
# connection the GCS dialed) exports a directory; MappedDirectory mounts it
# with trans=fd and a container reads and writes it. On a kernel without
# 9p the mount must fail cleanly (clear error, directory removed, GCS
# serving) and the container part is skipped.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin
command -v diod >/dev/null || { skip "$(basename "$0")" "diod is not installed"; exit 0; }

ct_busybox_tree "$T/tree"
ct_layer_image "$T/tree" "$T/layer.img" 32
ct_loop LAYER "$T/layer.img" || { fail setup "no loop device"; exit 0; }
ct_present_lun "$T/sys" 1 "$LAYER"
mkdir -p "$T/share"
echo from-the-host >"$T/share/in.txt"
ID=containers-p9-$$
ct_host_start p9 plan9 id=$ID run="$T/run" port=564 share="$T/share" work="$T" lun=1
ct_gcs_start
ct_host_wait
sed 's/^/# /' "$T/p9.out" "$T/p9.err"
ok_eq "the GCS keeps serving" 3224830222 "$(ct_get p9 still_serving)"
if grep -qw 9p /proc/filesystems; then
	ok_eq "9p share mounted" 0 "$(ct_get p9 plan9_result)"
	ok_eq "the container read the host's file" from-the-host "$(ct_get p9 stdout)"
	ok_eq "the container wrote to the share" written-in-container "$(cat "$T/share/out.txt" 2>/dev/null)"
	ok_eq "share removed" 0 "$(ct_get p9 plan9_remove_result)"
	ok_eq "no mounts left" 0 "$(ct_mounts_under "$T/run")"
else
	ok_eq "without 9p in the kernel the mount fails" 2147500037 "$(ct_get p9 plan9_result)"
	ok "the error names the 9p mount" grep -q '^plan9_error=.*mounting 9p share.*No such device' "$T/p9.out"
	ok_eq "the mount point is removed again" 0 "$(ct_get p9 plan9_dir_left)"
	ok_eq "the GCS dialed the share's port once and diod served it" 1 "$(ct_get p9 plan9_dialed)"
	skip "container reads and writes the share" "this kernel has no 9p file system"
fi
