#!/usr/bin/env bash
# Runs every benchmark in bench/*.sh (BENCH=PATTERN selects some). Each
# prints its own measurements and ratios, measured side by side in one run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export ROOT BUILD BIN="$ROOT/$BUILD/bin"
status=0
for b in "$ROOT"/bench/*.sh; do
	name=$(basename "$b" .sh)
	[ "$name" = run ] && continue
	[[ -z ${BENCH:-} || $name == *"$BENCH"* ]] || continue
	echo "== bench $name"
	bash "$b" || { echo "bench $name failed"; status=1; }
done
exit $status
