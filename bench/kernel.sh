#!/usr/bin/env bash
# Kernel size and build time, without rebuilding anything: out/vmlinuz
# against the 8 MiB target, and the times kernel/build.sh recorded in the
# cache for the last full (from an empty object directory) and the last
# incremental build.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
CACHE=${LCOW_CACHE:-/var/cache/lcow-guest}/kernel
OUT=${OUT:-$ROOT/out}
TARGET=$((8 * 1024 * 1024))
BUILD_TARGET=600

if [ -f "$OUT/vmlinuz" ]; then
	size=$(stat -c %s "$OUT/vmlinuz")
	awk -v s="$size" -v t="$TARGET" 'BEGIN { printf "vmlinuz: %d bytes (%.2f MiB) vs target %.0f MiB: ratio %.2f of target\n", s, s / 1048576, t / 1048576, s / t }'
	[ -f "$OUT/vmlinux" ] && echo "vmlinux: $(stat -c %s "$OUT/vmlinux") bytes (uncompressed ELF)"
else
	echo "vmlinuz: not built (run make kernel)"
fi

times="$CACHE/build-times"
for kind in full incremental; do
	line=$(grep " $kind " "$times" 2>/dev/null | tail -n 1)
	if [ -n "$line" ]; then
		read -r key secs _ when cpu load <<<"$line"
		awk -v k="$kind" -v s="$secs" -v t="$BUILD_TARGET" -v w="$when" -v key="$key" \
			'BEGIN { printf "last %s build: %d s (%dm%02ds) vs target %d s: ratio %.2f of target (%s, key %s)\n", k, s, s / 60, s % 60, t, s / t, w, key }'
		# CPU time / 2 is what the build needs on two otherwise idle cores.
		[ -n "${cpu:-}" ] && awk -v c="$cpu" -v l="$load" -v t="$BUILD_TARGET" \
			'BEGIN { printf "  cpu %d s, i.e. >= %d s on 2 idle cores (ratio %.2f of target); load average %s when it started\n", c, c / 2, c / 2 / t, l }'
	else
		echo "last $kind build: none recorded in $times"
	fi
done
