#!/usr/bin/env bash
# /init as PID 1 on this machine, without a VM: the image tree is entered
# with chroot inside new mount, PID, network and cgroup namespaces, so init's
# mounts, loopback and power-off stay in the namespaces (reboot() in a child
# PID namespace only ends that namespace's init; the kernel reports it to
# the parent as SIGINT for a power-off). The program after "--" is a shell
# command that prints what it sees; the qemu boot test does the same in a VM.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir

if ! out=$(env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory all 2>&1); then
	fail "build" "$(echo "$out" | tail -n 5)"; exit 0
fi
B=$ROOT/build/bin
R=$T/root
if ! out=$("$ROOT/scripts/build-rootfs.sh" -b "$B" "$R" 2>&1); then
	fail "build-rootfs" "$out"; exit 0
fi
if ! unshare -m -p -f -n -C --propagation private true 2>/dev/null; then
	skip "init in namespaces" "unshare cannot create mount/pid/net/cgroup namespaces here"; exit 0
fi

run_init() { # args... ; prints the console output, sets $rc
	out=$(timeout 30 unshare -m -p -f -n -C --propagation private chroot "$R" /init "$@" 2>&1)
	rc=$?
}

out=$("$B/init" -- /bin/true 2>&1); rc=$?
ok_eq "init refuses to run when it is not PID 1" "1 init: must run as PID 1" "$rc ${out%% (*}"
out=$("$B/init" -x 2>&1); rc=$?
ok_eq "init rejects an unknown option with status 1" "1" "$rc"

run_init -- /bin/sh -c '
	echo "PATH=$PATH"
	echo "ENV=$(env | grep -v -e ^PWD= -e ^SHLVL= -e ^_= | sort | tr "\n" " ")"
	echo "PID1=$(cat /proc/1/cmdline | tr "\0" " ")"
	while read -r src dst type opts rest; do echo "MOUNT $dst $type $opts"; done </proc/mounts
	echo "LO=$(cat /sys/class/net/lo/flags)"
	ls -l /dev/fd /dev/stdin /dev/stdout /dev/stderr | sed "s/.* \(\/dev\/[a-z]*\) -> \(.*\)/LINK \1 \2/"
	echo "NOFILE=$(ulimit -n) $(ulimit -Hn)"
	echo "SIGBLK=$(grep SigBlk /proc/self/status | cut -f2)"
	# An orphan: its parent exits at once, init must reap it.
	sh -c "sleep 0.2 & exit 0"
	sleep 0.6
	echo "ZOMBIES=$(grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l)"
	exit 7'
console=$out
# Power-off in a PID namespace ends its init with SIGINT: 128 + 2.
ok_eq "init powers off after the program exits" "130" "$rc"
has() { grep -qxF -- "$1" <<<"$console"; }
mount_opts() { awk -v d="$1" '$1 == "MOUNT" && $2 == d { print $3 " " $4 }' <<<"$console"; }
ok_eq "the program runs with PATH=/sbin:/usr/sbin:/bin:/usr/bin" "PATH=/sbin:/usr/sbin:/bin:/usr/bin" "$(grep ^PATH= <<<"$console")"
ok_eq "the environment is PATH only" "ENV=PATH=/sbin:/usr/sbin:/bin:/usr/bin " "$(grep ^ENV= <<<"$console")"
ok_eq "init is PID 1" "PID1=/init -- /bin/sh -c " "$(grep ^PID1= <<<"$console" | cut -c1-25)"
for m in "/proc proc" "/dev devtmpfs" "/run tmpfs" "/tmp tmpfs" "/dev/shm tmpfs" "/dev/pts devpts" \
	"/dev/mqueue mqueue" "/sys sysfs"; do
	set -- $m
	got=$(mount_opts "$1")
	ok_eq "$1 is mounted as $2" "$2" "${got%% *}"
done
ok "/proc is nodev,nosuid,noexec" grep -q 'nosuid,nodev,noexec' <<<"$(mount_opts /proc)"
ok "/dev/pts has gid=5,mode=620" grep -q 'gid=5,mode=620' <<<"$(mount_opts /dev/pts)"
cg=$(awk '$1 == "MOUNT" && $2 ~ /^\/sys\/fs\/cgroup/ { print $3 }' <<<"$console" | sort -u | tr '\n' ' ')
if [ "$cg" = "cgroup2 " ] || [[ $cg == *cgroup* && $cg == *tmpfs* ]]; then
	pass "cgroups are mounted (v2, or v1 hierarchies on a tmpfs): $cg"
else
	fail "cgroups are mounted" "got [$cg]"
fi
ok_eq "lo is up" "1" "$(( $(grep ^LO= <<<"$console" | cut -d= -f2) & 1 ))"
ok "/dev/fd links to /proc/self/fd" has "LINK /dev/fd /proc/self/fd"
ok "/dev/stderr links to /proc/self/fd/2" has "LINK /dev/stderr /proc/self/fd/2"
# Hard 1048576 when the limit may be raised here (in a VM it can; in a
# container without CAP_SYS_RESOURCE init keeps the hard limit it got).
want_hard=1048576
(ulimit -Hn 1048576) 2>/dev/null || want_hard=$(ulimit -Hn)
ok_eq "RLIMIT_NOFILE is 1024 soft, $want_hard hard" "NOFILE=1024 $want_hard" "$(grep ^NOFILE= <<<"$console")"
ok_eq "the program starts with no signal blocked" "SIGBLK=0000000000000000" "$(grep ^SIGBLK= <<<"$console")"
ok_eq "orphans are reaped" "ZOMBIES=0" "$(grep ^ZOMBIES= <<<"$console")"

# Default boot: no arguments start /bin/gcs -loglevel=debug -logfile=/tmp/gcs.log.
# Replace gcs with a recorder so the test sees exactly what init ran.
cat >"$R/bin/gcs" <<'SH'
#!/bin/sh
echo "GCS-ARGS $*"
echo "GCS-PPID $PPID"
exit 5
SH
chmod 0755 "$R/bin/gcs"
run_init </dev/null
ok_eq "no arguments start /bin/gcs with the seed's flags" "GCS-ARGS -loglevel=debug -logfile=/tmp/gcs.log" \
	"$(grep ^GCS-ARGS <<<"$out")"
ok_eq "the default gcs is init's child" "GCS-PPID 1" "$(grep ^GCS-PPID <<<"$out")"
ok_eq "init powers off when the default gcs exits" "130" "$rc"

# Entropy (-e) over the unix transport seam: the "host" writes 512 bytes
# and closes; init must have served it before the program starts
# (gcs-protocol.md §1.3) and credits it to the kernel.
rm -f "$R/bin/gcs"
mkdir -p "$R/root/sock"
cat >"$T/entropy.py" <<'PY'
import os, socket, sys
d = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(os.path.join(d, sys.argv[2]))
s.listen(1)
s.settimeout(30)
open(os.path.join(d, "ready"), "w").close()
c, _ = s.accept()
c.sendall(os.urandom(512))
c.close()
open(os.path.join(d, "served"), "w").close()
PY
# A port number of this run only, so its kernel log line is unambiguous
# among everything else on the machine writing to the log.
port=$((20000 + RANDOM % 40000))
python3 "$T/entropy.py" "$R/root/sock" "$port" &
host=$!
for _ in $(seq 100); do [ -e "$R/root/sock/ready" ] && break; sleep 0.05; done
run_init --transport unix:/root/sock -e "$port" /bin/sh -c '[ -e /root/sock/served ] && echo SERVED-BEFORE-START'
wait "$host"
ok_eq "-e: the host's entropy connection is served before the program starts" "SERVED-BEFORE-START" \
	"$(grep -x SERVED-BEFORE-START <<<"$out")"
ok "-e: init credits the 512 bytes to the kernel" \
	grep -q "init: .*added 512 bytes of entropy from port $port\$" <<<"$(dmesg)"

# A program that cannot be found still ends in a power-off, not a hang.
run_init -- /bin/does-not-exist
ok_eq "a missing program ends in power-off" "130" "$rc"
