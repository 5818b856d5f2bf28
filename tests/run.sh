#!/usr/bin/env bash
# Runs every test and prints one closing line "N passed, N failed, N skipped".
#
# Unit tests are cmocka programs in $BUILD/tests, run with TAP output.
# Integration tests are tests/integration/*.sh; each prints TAP-style lines
# ("ok - NAME", "not ok - NAME", "ok - NAME # SKIP why") through tests/lib.sh.
# Fuzzers in build/fuzz/fuzzers run briefly (FUZZ_CHECK_SECONDS each).
# TESTS=PATTERN runs only the files whose name contains PATTERN.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export ROOT BUILD
export BIN="$ROOT/$BUILD/bin"
FUZZ_CHECK_SECONDS=${FUZZ_CHECK_SECONDS:-10}
pattern=${TESTS:-}
logdir="$ROOT/$BUILD/test-logs"
mkdir -p "$logdir"

passed=0 failed=0 skipped=0
failures=()

count_tap() { # file suite-name
	local p f s
	p=$(grep -cE '^ok [0-9]* ?-? ?' "$1" | head -1)
	s=$(grep -cE '^ok .*# (SKIP|skip)' "$1")
	f=$(grep -cE '^not ok' "$1")
	passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		while IFS= read -r line; do failures+=("$2: ${line#not ok }"); done < <(grep -E '^not ok' "$1")
	fi
}

run_one() { # name command...
	local name=$1; shift
	local log="$logdir/${name//\//_}.log"
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	local rc=$?
	grep -E '^(not )?ok' "$log" | sed 's/^/   /'
	count_tap "$log" "$name"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok' "$log"; then
		failed=$((failed + 1)); failures+=("$name: exited $rc without a failing test (see $log)")
		tail -n 20 "$log" | sed 's/^/   | /'
	elif grep -qE '^not ok' "$log"; then
		tail -n 30 "$log" | grep -vE '^(not )?ok' | sed 's/^/   | /'
	fi
}

for t in "$ROOT/$BUILD"/tests/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	name=$(basename "$t")
	[[ -z $pattern || $name == *"$pattern"* ]] || continue
	CMOCKA_MESSAGE_OUTPUT=TAP run_one "unit/$name" "$t"
done

for t in "$ROOT"/tests/integration/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	[[ -z $pattern || $name == *"$pattern"* ]] || continue
	run_one "integration/$name" bash "$t"
done

if [ "${SANITIZE:-0}" != 1 ]; then
	for f in "$ROOT"/build/fuzz/fuzzers/*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		[[ -z $pattern || $name == *"$pattern"* ]] || continue
		run_one "fuzz/$name" "$ROOT/tests/fuzz/run.sh" --check "$name" "$FUZZ_CHECK_SECONDS"
	done
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
