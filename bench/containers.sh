#!/usr/bin/env bash
# Container benchmarks (docs/containers.md): create+start+exit of a busybox
# `true` container through the GCS (Create, ExecuteProcess, WaitForProcess,
# DeleteContainerState over the bridge) against `runc run` of the same
# rootfs, interleaved, medians side by side; then the GCS's resident memory
# with 20 running containers. Needs root.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${BIN:-$ROOT/build/bin}
N=${BENCH_CONTAINERS_N:-30}
[ "$(id -u)" -eq 0 ] || { echo "containers bench: needs root (skipped)"; exit 0; }
T=$(mktemp -d /tmp/lcow-bench-containers.XXXXXX)
# Bundles and helper state live on tmpfs in the UVM (/run); so does
# everything here, for both sides (the direct run reads its bundle from the
# same tmpfs). On this build machine /tmp is the shared ext4 disk, where
# unlinks stall behind other writers' journal commits.
mount -t tmpfs -o size=128m,mode=0700 lcow-bench-containers "$T" || { rmdir "$T"; echo "containers bench: cannot mount a tmpfs"; exit 1; }
PARENT=/containers-bench-$$
cleanup() {
	[ -n "${GCS_PID:-}" ] && kill -9 "$GCS_PID" 2>/dev/null && wait "$GCS_PID" 2>/dev/null
	for c in $(runc list -q 2>/dev/null | grep "^containers-bench-$$"); do runc delete -f "$c" >/dev/null 2>&1; done
	rmdir /sys/fs/cgroup/*"$PARENT" 2>/dev/null
	umount "$T" 2>/dev/null; rmdir "$T"
}
trap cleanup EXIT
mkdir -p "$T/rootfs"/{bin,etc,proc,sys,dev,tmp} "$T/sock"
cp "$(command -v busybox)" "$T/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$T/rootfs/bin/$a"; done
: >"$T/rootfs/etc/hostname"; : >"$T/rootfs/etc/hosts"; : >"$T/rootfs/etc/resolv.conf"
python3 "$ROOT/tests/integration/containers_host.py" bench dir="$T/sock" rootfs="$T/rootfs" work="$T" \
	id=containers-bench-$$ n="$N" gcs_pid=PENDING >"$T/out" 2>&1 &
HOST=$!
for i in $(seq 100); do [ -S "$T/sock/1073741824" ] && break; sleep 0.05; done
"$BIN/gcs" -transport "unix:$T/sock" -cgroup-parent "$PARENT" -runc-state-dir "$T/state" -v3-root "$T/v3" \
	-loglevel warning >"$T/gcs.log" 2>&1 &
GCS_PID=$!
# the host learns the GCS pid through its argument file
echo "$GCS_PID" >"$T/gcs.pid"
wait "$HOST"
sed "s/^/  /" "$T/out"
