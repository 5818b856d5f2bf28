#!/usr/bin/env bash
# Runs the libFuzzer targets in build/fuzz/fuzzers.
#   run.sh                      every target for FUZZ_SECONDS (default 60)
#   run.sh --check NAME SECONDS one target briefly, printing a TAP line
# Seeds come from tests/fuzz/corpus/NAME; new finds go to build/fuzz/corpus/NAME.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
run() { # name seconds
	local name=$1 secs=$2 work="$ROOT/build/fuzz/corpus/$1"
	mkdir -p "$work" "$ROOT/build/fuzz/artifacts"
	local seeds=()
	[ -d "$ROOT/tests/fuzz/corpus/$name" ] && seeds=("$ROOT/tests/fuzz/corpus/$name")
	"$ROOT/build/fuzz/fuzzers/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$ROOT/build/fuzz/artifacts/$name-" "$work" "${seeds[@]}"
}
if [ "${1:-}" = --check ]; then
	if run "$2" "$3" >"$ROOT/build/fuzz/$2.log" 2>&1; then
		echo "ok 1 - $2 ran $3 s without a crash"
	else
		echo "not ok 1 - $2 crashed (see build/fuzz/$2.log)"; tail -n 30 "$ROOT/build/fuzz/$2.log"; exit 1
	fi
	exit 0
fi
status=0
for f in "$ROOT"/build/fuzz/fuzzers/*; do
	[ -x "$f" ] || continue
	echo "== fuzz $(basename "$f") for ${FUZZ_SECONDS:-60} s"
	run "$(basename "$f")" "${FUZZ_SECONDS:-60}" 2>&1 | tail -n 3 || status=1
done
exit $status
