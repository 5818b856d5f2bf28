#!/usr/bin/env bash
# A Debian bookworm minbase layer (debootstrap, cached) run as a V4
# container: the image's own programs run, a username from the image's
# /etc/passwd is resolved for an exec (§6.1.5), and everything is removed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin

IMG=$(ct_debian_layer) || { skip "debian minbase layer" "debootstrap failed (see $CT_CACHE/debootstrap.log)"; exit 0; }
# the cached disk is shared: attach it read-only
ct_loop LAYER "$IMG" -r || { fail setup "no loop device"; exit 0; }
truncate -s 128M "$T/scratch.img"
ct_loop SCRATCH "$T/scratch.img" || { fail setup "no loop device"; exit 0; }
ct_present_lun "$T/sys" 3 "$LAYER"
ct_present_lun "$T/sys" 4 "$SCRATCH"
ID=containers-debian-$$
ct_host_start deb v4 id=$ID run="$T/run" luns=3 scratch=4 \
	cmd='["bash","-c","cat /etc/debian_version; echo bash=${BASH_VERSINFO[0]}; apt-get --version | head -1 | cut -d\" \" -f1; sleep 3"]' \
	exec='["id"]' exec_user=nobody
ct_gcs_start
ct_host_wait
sed 's/^/# /' "$T/deb.out" "$T/deb.err"
ok_eq "debian container created" 0 "$(ct_get deb create_result)"
ok "the image's bash and apt ran" grep -qE '^init_stdout=12\.[0-9]+\|bash=5\|apt$' "$T/deb.out"
ok_eq "init exit code" 0 "$(ct_get deb init_exit)"
ok_eq "exec as the image's user nobody" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" "$(ct_get deb exec_stdout)"
ok_eq "container deleted" 0 "$(ct_get deb delete_result)"
ok_eq "no mounts left" 0 "$(ct_mounts_under "$T/run")"
