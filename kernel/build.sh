#!/usr/bin/env bash
# build.sh: builds the LCOW kernel from Debian's linux-source-6.1 with
# kernel/lcow.config, cached outside the clone.
#
#   kernel/build.sh [--out DIR]   build (or reuse) and copy vmlinuz and
#                                 vmlinux into DIR (default: out)
#   kernel/build.sh --key         print the cache key and exit
#   kernel/build.sh --cached-config
#                                 print the path of the .config the cached
#                                 kernel was built with (exit 1 if none)
#
# Cache key: sha256 of kernel/lcow.config, the source package version and
# this script. Results live in $CACHE/kernel/builds/KEY/ (vmlinuz, vmlinux,
# config, build.log, seconds); a hit only copies files. Builds run out of
# tree (O=$CACHE/kernel/obj/VERSION, kept between builds so a config change
# rebuilds only what changed) with make -j$KERNEL_JOBS (default 2).
# Every build appends "KEY SECONDS full|incremental DATE CPU_SECONDS LOAD"
# to $CACHE/kernel/build-times (read by bench/kernel.sh): wall time, CPU
# time of the compilers, and the 1-minute load average when the build
# started (the machine is shared; CPU time shows the build's own cost).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/source.sh"
CONFIG="$HERE/lcow.config"
JOBS=${KERNEL_JOBS:-2}

out=out mode=build
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || kernel_die "--out needs a directory"; out=$2; shift 2 ;;
	--key) mode=key; shift ;;
	--cached-config) mode=cached-config; shift ;;
	-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) kernel_die "unknown option '$1' (see --help)" ;;
	esac
done

[ -f "$CONFIG" ] || kernel_die "$CONFIG not found"
version=$(kernel_source_version)
key=$( { sha256sum <"$CONFIG"; echo "$version"; sha256sum <"$0"; } | sha256sum | cut -c1-32)
result="$KERNEL_CACHE/builds/$key"

case "$mode" in
key) echo "$key"; exit 0 ;;
cached-config)
	[ -f "$result/config" ] || kernel_die "no cached kernel for key $key (run make kernel)"
	echo "$result/config"; exit 0 ;;
esac

# Sets CHILDREN_CPU to the user + system CPU seconds of this shell's
# finished children (bash `times`, which must run in this shell, not in a
# command substitution).
read_children_cpu() {
	local t
	t=$(mktemp)
	times >"$t"
	CHILDREN_CPU=$(sed -n 2p "$t" | awk '{
		n = 0
		for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += p[1] * 60 + p[2] }
		printf "%d\n", n }')
	rm -f "$t"
}

copy_out() {
	mkdir -p "$out"
	local f
	for f in vmlinuz vmlinux; do
		# Copy only on change so make and rsync see stable files.
		if ! cmp -s "$result/$f" "$out/$f"; then
			cp "$result/$f" "$out/$f.tmp" && mv -f "$out/$f.tmp" "$out/$f"
		fi
	done
	kernel_log "$out/vmlinuz $(stat -c %s "$out/vmlinuz") bytes, $out/vmlinux $(stat -c %s "$out/vmlinux") bytes (key $key)"
}

if [ -f "$result/vmlinuz" ] && [ -f "$result/vmlinux" ]; then
	copy_out
	exit 0
fi

mkdir -p "$KERNEL_CACHE/builds"
exec 9>"$KERNEL_CACHE/build.lock"
flock -n 9 || { kernel_log "waiting for another kernel build to finish"; flock 9; }
if [ ! -f "$result/vmlinuz" ]; then
	kernel_source_tree
	obj="$KERNEL_CACHE/obj/$version"
	kind=incremental
	[ -f "$obj/vmlinux" ] || kind=full
	mkdir -p "$obj"
	cp "$CONFIG" "$obj/.config"
	log="$KERNEL_CACHE/builds/$key.log"
	kernel_log "building Linux $version ($kind, make -j$JOBS, log $log)"
	start=$(date +%s)
	load=$(cut -d' ' -f1 /proc/loadavg)
	read_children_cpu
	cpu_before=$CHILDREN_CPU
	# Reproducible output: no build user, host, date or build counter from
	# this machine (the date is the source tarball's).
	export KBUILD_BUILD_USER=lcow KBUILD_BUILD_HOST=lcow-guest KBUILD_BUILD_VERSION=1
	KBUILD_BUILD_TIMESTAMP="$(date -u -d "@$(stat -c %Y "$KERNEL_TARBALL")" '+%Y-%m-%d %H:%M:%S UTC')"
	export KBUILD_BUILD_TIMESTAMP
	make -C "$KERNEL_SRC" O="$obj" ARCH=x86_64 olddefconfig >"$log" 2>&1 || { tail -n 30 "$log" >&2; kernel_die "olddefconfig failed"; }
	if ! cmp -s "$CONFIG" "$obj/.config"; then
		kernel_log "warning: the toolchain resolves kernel/lcow.config differently (run kernel/gen-config.sh):"
		diff "$CONFIG" "$obj/.config" | sed -n '1,10p' >&2 || true
	fi
	# Progress: one line per 250 compiled files, with the elapsed time.
	set +e
	make -C "$KERNEL_SRC" O="$obj" ARCH=x86_64 -j"$JOBS" bzImage 2>&1 | tee -a "$log" |
		awk -v start="$start" '/^  CC /{ n++; if (n % 250 == 0) { printf "kernel: %d files compiled, %ds\n", n, systime() - start; fflush() } }' >&2
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		grep -E 'error|Error' "$log" | tail -n 20 >&2
		kernel_die "kernel build failed (see $log)"
	fi
	seconds=$(( $(date +%s) - start ))
	read_children_cpu
	cpu=$((CHILDREN_CPU - cpu_before))
	tmp="$result.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp"
	cp "$obj/arch/x86/boot/bzImage" "$tmp/vmlinuz"
	cp "$obj/vmlinux" "$tmp/vmlinux"
	cp "$obj/.config" "$tmp/config"
	echo "$version" >"$tmp/source-version"
	echo "$seconds" >"$tmp/seconds"
	mv "$log" "$tmp/build.log"
	rm -rf "$result" && mv "$tmp" "$result"
	echo "$key $seconds $kind $(date -u +%Y-%m-%dT%H:%M:%SZ) $cpu $load" >>"$KERNEL_CACHE/build-times"
	kernel_log "built in ${seconds}s (${cpu}s of CPU, load $load at start)"
fi
copy_out
