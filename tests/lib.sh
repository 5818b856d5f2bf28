# Helpers for integration tests (bash). Source it first:
#   . "$(dirname "$0")/../lib.sh"
# Each check prints one TAP-style line; the runner counts them.
#   ok NAME COMMAND...        passes when COMMAND exits 0
#   ok_eq NAME WANT GOT       passes when the two strings are equal
#   fail NAME WHY / pass NAME / skip NAME WHY
#   need_root                 skips the whole file unless run as root
#   tmpdir                    a fresh directory removed at exit ($T)
#   at_exit COMMAND           runs COMMAND at exit (last registered first)
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-build}
BIN=${BIN:-$ROOT/$BUILD/bin}
# Corpora and other slow-to-make inputs live outside the clone.
CACHE_DIR=${LCOW_CACHE:-/var/cache/lcow-guest}
_t_n=0
_t_exit_cmds=()

_t_line() { _t_n=$((_t_n + 1)); echo "$1 $_t_n - $2"; }
pass() { _t_line ok "$1"; }
fail() { _t_line "not ok" "$1"; echo "#   $2" | sed '2,$s/^/#   /'; }
skip() { _t_line ok "$1 # SKIP $2"; }
ok() {
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "command failed: $* :: $(echo "$out" | tail -n 5)"; fi
}
ok_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "want [$2] got [$3]"; fi
}
need_root() {
	if [ "$(id -u)" -ne 0 ]; then skip "$(basename "$0")" "needs root"; exit 0; fi
}
at_exit() { _t_exit_cmds=("$1" "${_t_exit_cmds[@]}"); }
_t_run_exit() { local c; for c in "${_t_exit_cmds[@]}"; do eval "$c" >/dev/null 2>&1; done; }
trap _t_run_exit EXIT
tmpdir() { T=$(mktemp -d /tmp/lcow-test.XXXXXX); at_exit "rm -rf '$T'"; }
