#!/usr/bin/env bash
# gcs speed and memory, measured side by side in one run (docs/gcs.md):
#  * added latency per process: median of 1000 raw-frame ExecuteProcess +
#    WaitForProcess of /bin/true through gcs, interleaved with 1000
#    fork+exec+wait of /bin/true directly (bench/gcs_client.c);
#  * stdout relay: a 1 GiB stream (dd from /dev/zero) through gcs and gcsctl
#    over the Unix transport vs the same stream through a plain pipe,
#    interleaved, best of 3;
#  * resident set of gcs idle and with 100 live processes with relayed stdio.
# Targets: <= 0.3 ms added, >= 1.5 GB/s, <= 1.5 MiB idle, <= 4 MiB with 100.
# Reference (Go GCS): 0.6 ms, 0.86 GB/s, 6.7 MiB, 12.7 MiB.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
BIN=${BIN:-$ROOT/$BUILD/bin}
T=$(mktemp -d /tmp/gcs-bench.XXXXXX)
GCS_PID=
cleanup() { [ -n "$GCS_PID" ] && kill "$GCS_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

cc -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gcs_client" "$ROOT/bench/gcs_client.c" "$ROOT/$BUILD/liblcow.a" -ljson-c \
	|| { echo "building bench/gcs_client.c failed"; exit 1; }
mkdir -p "$T/d"
start_gcs() {
	"$BIN/gcs" --transport "unix:$T/d" -loglevel warning -logfile "$T/gcs.log" &
	GCS_PID=$!
}

start_gcs
"$T/gcs_client" "$T/d" latency 1000 || exit 1

# 1 GiB stdout stream: through gcs + gcsctl vs a direct pipe.
bytes=$((1024 * 1024 * 1024))
best_gcs=999 best_pipe=999
for i in 1 2 3; do
	s=$(date +%s.%N)
	"$BIN/gcsctl" --listen "unix:$T/d" exec -n -- dd if=/dev/zero bs=1M count=1024 status=none >/dev/null || exit 1
	e=$(date +%s.%N)
	best_gcs=$(echo "$e - $s" | bc -l | awk -v b="$best_gcs" '{print ($1 < b) ? $1 : b}')
	s=$(date +%s.%N)
	dd if=/dev/zero bs=1M count=1024 status=none | cat >/dev/null
	e=$(date +%s.%N)
	best_pipe=$(echo "$e - $s" | bc -l | awk -v b="$best_pipe" '{print ($1 < b) ? $1 : b}')
done
awk -v g="$best_gcs" -v p="$best_pipe" -v n="$bytes" 'BEGIN {
	printf "stdout relay, 1 GiB through gcs+gcsctl (unix transport): %.2f GB/s (%.3f s; target >= 1.5 GB/s; reference Go GCS 0.86 GB/s)\n", n / g / 1e9, g
	printf "same stream through a plain pipe: %.2f GB/s (%.3f s); gcs/pipe ratio %.2f\n", n / p / 1e9, p, p / g
}'

kill "$GCS_PID"; wait "$GCS_PID" 2>/dev/null
start_gcs
sleep 0.5
"$T/gcs_client" "$T/d" live 100 "$GCS_PID" || exit 1
