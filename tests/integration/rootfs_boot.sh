#!/usr/bin/env bash
# Boots the project's kernel with out/initrd.img under QEMU (TCG) and reads
# the serial console.
#
#  1. checks boot: "-- /bin/sh /root/lcow-check.sh" goes through init's
#     ordinary "run the program after --" path. The script is not in the
#     image: the test appends a second cpio archive holding only it (the
#     kernel unpacks concatenated archives, initrd-layout.md §1.1), so
#     nothing test-only ships to customers.
#  2. default boot: no arguments, init must start /bin/gcs (which cannot
#     reach a host here: no vhost-vsock on this machine; it only has to
#     have been started).
#  3. today's hcsshim command line: "-e 1 /bin/vsockexec -e 109 /bin/gcs
#     ...": the entropy dial fails and is logged, vsockexec is started and
#     fails to reach port 109, init powers off.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
command -v qemu-system-x86_64 >/dev/null || { skip "boot" "qemu-system-x86_64 is not installed"; exit 0; }
# LCOW_BOOT_KERNEL=FILE boots another kernel (e.g. to try a distribution
# kernel); by default the project's, from `make kernel`.
if [ -n "${LCOW_BOOT_KERNEL:-}" ]; then
	K=$LCOW_BOOT_KERNEL
	targets=out/initrd.img
elif make -C "$ROOT" -n --no-print-directory kernel >/dev/null 2>&1; then
	K=$ROOT/out/vmlinuz
	targets="kernel out/initrd.img"
else
	skip "boot" "no 'make kernel' target in this checkout (mk/kernel.mk comes with the kernel branch)"
	exit 0
fi
# The image is made from the normal build, never the sanitizer one.
if ! out=$(env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory $targets 2>&1); then
	fail "make $targets" "$(echo "$out" | tail -n 10)"; exit 0
fi
I=$ROOT/out/initrd.img
BOOT=$ROOT/scripts/rootfs/qemu-boot.sh
has_gcs=0
gzip -dc "$I" | cpio -it --quiet 2>/dev/null | grep -qx bin/gcs && has_gcs=1

# --- 1. checks boot --------------------------------------------------------
mkdir -p "$T/extra/root"
chmod 0755 "$T/extra"
chmod 0700 "$T/extra/root"
cat >"$T/extra/root/lcow-check.sh" <<'SH'
#!/bin/sh
# Runs inside the VM as init's program; prints VM* lines for the test.
echo "VMCHECK-BEGIN"
while read -r src dst type opts rest; do echo "VMMOUNT $dst $type $opts"; done </proc/mounts
echo "VMTOP $(ls -A / | sort | tr '\n' ' ')"
echo "VMEMPTY$(for d in /etc /usr /mnt; do [ -z "$(ls -A $d)" ] && echo -n " $d"; done)"
echo "VMRUNC $(runc --version 2>&1 | head -n 1)"
echo "VMMKFS $(mkfs.ext4 -V 2>&1 | head -n 1)"
echo "VMGCSTOOLS $(gcstools --help >/dev/null 2>&1 && echo runs)"
# init brings lo up after it started this program, at low priority: wait
# for it (bounded).
for i in $(seq 250); do [ $(( $(cat /sys/class/net/lo/flags) & 1 )) = 1 ] && break; sleep 0.02; done
echo "VMLO $(cat /sys/class/net/lo/flags)"
# cgroup v2: init enables the controllers after the spawn, too.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	for i in $(seq 250); do [ -n "$(cat /sys/fs/cgroup/cgroup.subtree_control)" ] && break; sleep 0.02; done
	echo "VMCGCTL $(cat /sys/fs/cgroup/cgroup.controllers)"
	echo "VMCGSUB $(cat /sys/fs/cgroup/cgroup.subtree_control)"
fi
echo "VMPATH $PATH"
echo "VMPID1 $(tr '\0' ' ' </proc/1/cmdline)"
echo "VMCOMMIT $(cat /gcs.commit)"
echo "VMVARRUN $(mkdir -p /var/run/gcsrunc && stat -f -c %T /var/run/gcsrunc)"
echo "VMCHECK-END"
exit 0
SH
chmod 0755 "$T/extra/root/lcow-check.sh"
"$ROOT/build/bin/mkinitrd" -o "$T/extra.img" "$T/extra" || { fail "test archive" "mkinitrd failed"; exit 0; }
cat "$I" "$T/extra.img" >"$T/initrd-check.img"

"$BOOT" "$K" "$T/initrd-check.img" "$T/check.log" 240 /bin/sh /root/lcow-check.sh
rc=$?
con=$(tr -d '\r' <"$T/check.log")
ok_eq "checks boot: the VM powers off by itself" "0" "$rc"
if ! grep -q VMCHECK-END <<<"$con"; then
	fail "checks boot: the check script ran" "console: $(tail -n 20 <<<"$con")"
	exit 0
fi
pass "checks boot: init ran the program after --"
vm() { sed -n "s/^$1 //p" <<<"$con" | head -n 1; }
mnt() { awk -v d="$1" '$1 == "VMMOUNT" && $2 == d { print $3; exit }' <<<"$con"; }
for m in "/proc proc" "/sys sysfs" "/dev devtmpfs" "/run tmpfs" "/tmp tmpfs" "/dev/shm tmpfs" \
	"/dev/pts devpts" "/dev/mqueue mqueue"; do
	set -- $m
	ok_eq "VM: $1 is $2" "$2" "$(mnt "$1")"
done
cg=$(mnt /sys/fs/cgroup)
if [ "$cg" = cgroup2 ] || { [ "$cg" = tmpfs ] && grep -q '^VMMOUNT /sys/fs/cgroup/[a-z_]* cgroup ' <<<"$con"; }; then
	pass "VM: cgroups are mounted ($cg)"
else
	fail "VM: cgroups are mounted" "/sys/fs/cgroup is [$cg]"
fi
ok_eq "VM: the seed's top level (plus the test's /root script)" \
	"bin dev etc gcs.commit init lib lib64 mnt proc root run sbin sys tmp usr var " "$(vm VMTOP)"
ok_eq "VM: /etc /usr /mnt are empty" "/etc /usr /mnt" "$(vm VMEMPTY)"
ok "VM: runc --version runs" grep -q '^runc version' <<<"$(vm VMRUNC)"
ok "VM: mkfs.ext4 is e2fsprogs" grep -q '^mke2fs 1\.' <<<"$(vm VMMKFS)"
ok_eq "VM: gcstools runs (its libraries load)" "runs" "$(vm VMGCSTOOLS)"
ok_eq "VM: lo is up" "1" "$(( $(vm VMLO) & 1 ))"
if [ "$cg" = cgroup2 ]; then
	ctl=$(vm VMCGCTL | tr ' ' '\n' | sort | tr '\n' ' ')
	ok "VM: cgroup v2 has controllers" test -n "$(vm VMCGCTL)"
	ok_eq "VM: every v2 controller is enabled in the root's subtree_control" "$ctl" \
		"$(vm VMCGSUB | tr ' ' '\n' | sort | tr '\n' ' ')"
fi
ok_eq "VM: PATH" "/sbin:/usr/sbin:/bin:/usr/bin" "$(vm VMPATH)"
ok_eq "VM: init is PID 1 with the kernel's arguments" "/init /bin/sh /root/lcow-check.sh" "$(vm VMPID1 | sed 's/ $//')"
ok_eq "VM: /var/run/gcsrunc can be made and is on the /run tmpfs" "tmpfs" "$(vm VMVARRUN)"
ok_eq "VM: /gcs.commit" "$(git -C "$ROOT" rev-parse HEAD)" "$(vm VMCOMMIT)"
ok "VM: init logged the exit status of its program" grep -q 'init: .*primary child /bin/sh (pid [0-9]*) exited with status 0' <<<"$con"
ok "VM: init logged the power-off" grep -q 'init: .*powering off' <<<"$con"

# --- 1b. hcsshim.cgroup=v1 on the kernel command line ----------------------
LCOW_BOOT_EXTRA=hcsshim.cgroup=v1 "$BOOT" "$K" "$T/initrd-check.img" "$T/v1.log" 240 /bin/sh /root/lcow-check.sh
con=$(tr -d '\r' <"$T/v1.log")
ok_eq "v1 boot: /sys/fs/cgroup is a tmpfs" "tmpfs" "$(mnt /sys/fs/cgroup)"
ok "v1 boot: the memory hierarchy is a cgroup v1 mount" \
	grep -q '^VMMOUNT /sys/fs/cgroup/memory cgroup .*memory' <<<"$con"
ok "v1 boot: no cgroup2 mount" eval '! grep -q "^VMMOUNT [^ ]* cgroup2 " <<<"$con"'

# --- 2. default boot: no arguments start /bin/gcs --------------------------
"$BOOT" "$K" "$I" "$T/default.log" 240 &
qemu_job=$!
at_exit "kill $qemu_job"
for _ in $(seq 240); do
	grep -q 'init: .*\(exec /bin/gcs\|starting /bin/gcs\)' "$T/default.log" 2>/dev/null && break
	kill -0 "$qemu_job" 2>/dev/null || break
	sleep 1
done
# gcs may keep dialling a host that is not there; give it a moment, then stop.
for _ in $(seq 3); do kill -0 "$qemu_job" 2>/dev/null || break; sleep 1; done
kill "$qemu_job" 2>/dev/null
wait "$qemu_job" 2>/dev/null
con=$(tr -d '\r' <"$T/default.log")
if [ "$has_gcs" = 1 ]; then
	ok "default boot: init started /bin/gcs" grep -q 'init: .*exec /bin/gcs (pid' <<<"$con"
	status=$(grep -o 'primary child /bin/gcs .*' <<<"$con" | head -n 1)
	echo "# default boot: ${status:-gcs still running when the VM was stopped}"
else
	ok "default boot: init tried /bin/gcs" grep -q 'init: .*starting /bin/gcs: No such file' <<<"$con"
	skip "default boot: /bin/gcs was started" "the image has no /bin/gcs yet (gcs not built on this branch)"
fi

# --- 3. today's hcsshim command line ---------------------------------------
"$BOOT" "$K" "$I" "$T/current.log" 240 -e 1 /bin/vsockexec -e 109 /bin/gcs -v4 -log-format json -loglevel debug
rc=$?
con=$(tr -d '\r' <"$T/current.log")
ok "hcsshim boot: the entropy failure is logged, not fatal" grep -q 'init: .*entropy.*(continuing)' <<<"$con"
ok "hcsshim boot: init started vsockexec" grep -q 'init: .*exec /bin/vsockexec (pid' <<<"$con"
ok "hcsshim boot: vsockexec reported the missing log port" grep -q 'vsockexec: .*vsock' <<<"$con"
ok "hcsshim boot: init logged vsockexec's exit status" grep -q 'primary child /bin/vsockexec (pid [0-9]*) exited with status 1' <<<"$con"
ok_eq "hcsshim boot: the VM powered off" "0" "$rc"
