#!/usr/bin/env bash
# Boot timeline under QEMU (TCG by default): the kernel's start to /init,
# /init's main() to the GCS exec (target <= 20 ms), and the image sizes
# against the 8 MB targets. Medians of BOOT_RUNS boots (default 9), all in
# this one run.
#
# The boots use the hcsshim non-debug "quiet" console and no init
# arguments, so init takes its default path to /bin/gcs. /bin/gcs is
# replaced for the bench by bench/boot_stub.c (an extra cpio archive
# appended to the initrd, never shipped): a static program without a C
# library whose first instruction reads CLOCK_MONOTONIC, so "gcs exec" is
# the moment the kernel has finished exec'ing it. It then prints the kernel
# log and exits, so each VM powers off at once; init's path to the exec is
# the same as for the real GCS. The other times come from init's own log
# lines (CLOCK_MONOTONIC, which counts from the kernel's start) and the
# kernel's "Run /init" line.
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

mkdir -p "$T/extra/bin"
chmod 0755 "$T/extra" "$T/extra/bin"
cc -O2 -static -nostdlib -fno-stack-protector -o "$T/extra/bin/gcs" "$ROOT/bench/boot_stub.c" ||
	{ echo "boot bench: building bench/boot_stub.c failed"; exit 1; }
"$ROOT/build/bin/mkinitrd" -o "$T/extra.img" "$T/extra" || exit 1
cat "$I" "$T/extra.img" >"$T/bench.img"

: >"$T/samples"
for i in $(seq "$runs"); do
	start=$(date +%s%N)
	LCOW_BOOT_EXTRA=quiet "$ROOT/scripts/rootfs/qemu-boot.sh" "$K" "$T/bench.img" "$T/boot.log" 180
	rc=$?
	wall=$(( ($(date +%s%N) - start) / 1000000 ))
	tr -d '\r' <"$T/boot.log" | awk -v wall="$wall" -v rc="$rc" '
		/Run \/init as init process/ { s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); runinit = s + 0 }
		/timeline: main at mono/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "main") main = $(i + 3)
				if ($i == "spawn") { spawn = $(i + 3); sub(/,$/, "", spawn) }
				if ($i == "dev") { dev = $(i + 1) + 0 }
				if ($i == "mounts") { mounts = $(i + 1) + 0 }
				if ($i == "cgroups") { cgroups = $(i + 1) + 0 }
			}
			sub(/,$/, "", main)
		}
		/boot-stub: exec done at mono/ { execd = $NF }
		END {
			if (!main || !execd) { print "FAIL rc=" rc; exit }
			printf "%.3f %.3f %.2f %.2f %d %.2f %.2f %.2f\n", runinit * 1000, main * 1000, (spawn - main) * 1000, (execd - main) * 1000, wall, dev / 1000, mounts / 1000, cgroups / 1000
		}' >>"$T/samples"
done
if grep -q FAIL "$T/samples"; then
	echo "boot bench: a boot did not reach /bin/gcs:"; grep FAIL "$T/samples"; tail -n 20 "$T/boot.log"; exit 1
fi
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" '{ print $c }' "$T/samples" | median; }
range() { awk -v c="$1" '{ print $c }' "$T/samples" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }
accel=${LCOW_QEMU_ACCEL:-tcg}
kernel_to_run=$(col 1); kernel_to_main=$(col 2); main_to_spawn=$(col 3); main_to_exec=$(col 4); wall=$(col 5)
echo "boot timeline ($accel, $runs boots, medians; min..max in brackets)"
printf '  kernel start -> "Run /init"       %8.1f ms  [%s]\n' "$kernel_to_run" "$(range 1)"
printf '  kernel start -> /init main()      %8.1f ms  [%s]\n' "$kernel_to_main" "$(range 2)"
printf '  /init main() -> spawn of /bin/gcs %8.2f ms  [%s]\n' "$main_to_spawn" "$(range 3)"
printf '    of which /dev %.2f ms, mounts %.2f ms, cgroups %.2f ms\n' "$(col 6)" "$(col 7)" "$(col 8)"
printf '  /init main() -> /bin/gcs exec done %8.2f ms  [%s]  target <= 20 ms: %.2fx\n' "$main_to_exec" "$(range 4)" \
	"$(awk -v a="$main_to_exec" 'BEGIN { print a / 20 }')"
printf '  VM wall time (qemu start to exit) %8d ms\n' "$wall"
mb=8388608
for f in "$I" "$K"; do
	s=$(stat -c %s "$f")
	printf '  %-32s %9d bytes  target <= 8 MB: %.2fx\n' "$(basename "$f")" "$s" "$(awk -v s="$s" -v m="$mb" 'BEGIN { print s / m }')"
done
