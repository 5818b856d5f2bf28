#!/usr/bin/env bash
# Boot timeline under QEMU (TCG by default): the kernel's start to /init's
# exec, /init's exec to the GCS exec (target <= 20 ms), and the image
# sizes against the 8 MB targets. Medians of BOOT_RUNS boots (default 9)
# of each init, all in this one run.
#
# The boots use the hcsshim non-debug "quiet" console and no init
# arguments, so init takes its default path to /bin/gcs. /bin/gcs is
# replaced for the bench by bench/boot_stub.c (an extra cpio archive
# appended to the initrd, never shipped): a static program without a C
# library whose first instruction reads CLOCK_MONOTONIC, so "gcs exec" is
# the moment the kernel has finished exec'ing it. It then prints the kernel
# log and exits, so each VM powers off at once; init's path to the exec is
# the same as for the real GCS. init's own ELF entry point reads the same
# clock before its C library starts (src/init/entry_clock.c): "/init exec".
# The other times come from init's log lines.
#
# Side by side, in the same run: the same init sources built on glibc
# (static, as before the switch to musl), booted interleaved with ours.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
runs=${BOOT_RUNS:-9}
command -v qemu-system-x86_64 >/dev/null || { echo "boot bench: qemu-system-x86_64 missing; skipped"; exit 0; }
if [ -n "${LCOW_BOOT_KERNEL:-}" ]; then
	K=$LCOW_BOOT_KERNEL targets=out/initrd.img
elif make -C "$ROOT" -n --no-print-directory kernel >/dev/null 2>&1; then
	K=$ROOT/out/vmlinuz targets="kernel out/initrd.img"
else
	echo "boot bench: no 'make kernel' target in this checkout (comes with the kernel branch); skipped"
	exit 0
fi
env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory $targets >/dev/null 2>&1 ||
	{ echo "boot bench: make $targets failed"; exit 1; }
I=$ROOT/out/initrd.img
T=$(mktemp -d /tmp/lcow-rootfs-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

# The glibc build of init: the same sources and flags, default C library.
env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory BUILD="$T/glibc-build" init_LIBC= \
	"$T/glibc-build/bin/init" >/dev/null 2>&1 || { echo "boot bench: building init on glibc failed"; exit 1; }

mkdir -p "$T/stub/bin" "$T/glibc/bin"
chmod 0755 "$T/stub" "$T/stub/bin" "$T/glibc" "$T/glibc/bin"
cc -O2 -static -nostdlib -fno-stack-protector -o "$T/stub/bin/gcs" "$ROOT/bench/boot_stub.c" ||
	{ echo "boot bench: building bench/boot_stub.c failed"; exit 1; }
cp "$T/stub/bin/gcs" "$T/glibc/bin/gcs"
strip -o "$T/glibc/init" "$T/glibc-build/bin/init" && chmod 0755 "$T/glibc/init"
"$ROOT/build/bin/mkinitrd" -o "$T/stub.img" "$T/stub" || exit 1
"$ROOT/build/bin/mkinitrd" -o "$T/glibc.img" "$T/glibc" || exit 1
cat "$I" "$T/stub.img" >"$T/musl.boot"
cat "$I" "$T/glibc.img" >"$T/glibc.boot"

# One boot: "exec main spawn execd wall dev mounts cgroups" (ms; the last
# three are init's own step times).
boot() {
	local start rc wall
	start=$(date +%s%N)
	LCOW_BOOT_EXTRA=quiet "$ROOT/scripts/rootfs/qemu-boot.sh" "$K" "$1" "$T/boot.log" 180
	rc=$?
	wall=$(( ($(date +%s%N) - start) / 1000000 ))
	tr -d '\r' <"$T/boot.log" | awk -v wall="$wall" -v rc="$rc" '
		/timeline: exec at mono/ {
			gsub(/[(),]/, " ")
			for (i = 1; i <= NF; i++) {
				if ($i == "exec" && $(i + 1) == "at") exec = $(i + 3)
				if ($i == "main" && $(i + 1) == "at") main = $(i + 3)
				if ($i == "spawn" && $(i + 1) == "at") spawn = $(i + 3)
				if ($i == "dev") dev = $(i + 1)
				if ($i == "mounts") mounts = $(i + 1)
				if ($i == "cgroups") cgroups = $(i + 1)
			}
		}
		/boot-stub: exec done at mono/ { execd = $NF }
		END {
			if (!exec || !execd) { print "FAIL rc=" rc; exit }
			printf "%.3f %.3f %.3f %.3f %d %.2f %.2f %.2f\n", exec * 1000, main * 1000, spawn * 1000, execd * 1000, wall, dev / 1000, mounts / 1000, cgroups / 1000
		}'
}
: >"$T/musl.samples"; : >"$T/glibc.samples"
for i in $(seq "$runs"); do
	boot "$T/musl.boot" >>"$T/musl.samples"
	boot "$T/glibc.boot" >>"$T/glibc.samples"
done
if grep -q FAIL "$T/musl.samples" "$T/glibc.samples"; then
	echo "boot bench: a boot did not reach /bin/gcs:"; grep FAIL "$T/musl.samples" "$T/glibc.samples"; tail -n 20 "$T/boot.log"; exit 1
fi
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# col FILE AWK-EXPRESSION: median of the expression over the samples.
col() { awk "{ print $2 }" "$1" | median; }
range() { awk "{ print $2 }" "$1" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f..%.2f", lo, hi }'; }
accel=${LCOW_QEMU_ACCEL:-tcg}
M=$T/musl.samples G=$T/glibc.samples
exec_to_gcs=$(col "$M" '$4 - $1')
glibc_to_gcs=$(col "$G" '$4 - $1')
echo "boot timeline ($accel, $runs boots of each init interleaved, medians; min..max in brackets)"
printf '  kernel start -> /init exec done    %8.1f ms  [%s]\n' "$(col "$M" '$1')" "$(range "$M" '$1')"
printf '  /init exec -> main() (C library)   %8.2f ms  [%s]\n' "$(col "$M" '$2 - $1')" "$(range "$M" '$2 - $1')"
printf '  /init main() -> spawn of /bin/gcs  %8.2f ms  [%s]\n' "$(col "$M" '$3 - $2')" "$(range "$M" '$3 - $2')"
printf '    of which /dev %.2f ms, mounts %.2f ms, cgroups %.2f ms\n' "$(col "$M" '$6')" "$(col "$M" '$7')" "$(col "$M" '$8')"
printf '  spawn -> /bin/gcs exec done        %8.2f ms  [%s]\n' "$(col "$M" '$4 - $3')" "$(range "$M" '$4 - $3')"
printf '  /init exec -> /bin/gcs exec done   %8.2f ms  [%s]  target <= 20 ms: %.2fx\n' "$exec_to_gcs" \
	"$(range "$M" '$4 - $1')" "$(awk -v a="$exec_to_gcs" 'BEGIN { print a / 20 }')"
printf '  side by side, the same init on glibc: exec -> main() %.2f ms, exec -> /bin/gcs exec done %.2f ms [%s] (%.2fx ours)\n' \
	"$(col "$G" '$2 - $1')" "$glibc_to_gcs" "$(range "$G" '$4 - $1')" \
	"$(awk -v a="$glibc_to_gcs" -v b="$exec_to_gcs" 'BEGIN { print a / b }')"
printf '  VM wall time (qemu start to exit) %8d ms\n' "$(col "$M" '$5')"
mb=8388608
for f in "$I" "$K"; do
	s=$(stat -c %s "$f")
	printf '  %-32s %9d bytes  target <= 8 MB: %.2fx\n' "$(basename "$f")" "$s" "$(awk -v s="$s" -v m="$mb" 'BEGIN { print s / m }')"
done
