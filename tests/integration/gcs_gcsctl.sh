#!/usr/bin/env bash
# gcs driven by gcsctl over --transport unix:DIR: exec of real programs,
# stdio, exit codes, signals, wait after exit, a pty, both protocols.
. "$(dirname "$0")/../lib.sh"
tmpdir
D=$T/sock
mkdir -p "$D"
"$BIN/gcs" --transport "unix:$D" -loglevel debug -logfile "$T/gcs.log" &
GCS=$!
at_exit "kill $GCS; wait $GCS"
ctl() { timeout 60 "$BIN/gcsctl" --listen "unix:$D" --timeout 20 "$@"; }

out=$(ctl exec -- sh -c 'echo out; echo err >&2; exit 7' 2>"$T/err"); rc=$?
ok_eq "exec returns the program's exit code" 7 "$rc"
ok_eq "exec streams stdout" out "$out"
ok_eq "exec streams stderr" err "$(cat "$T/err")"

out=$(printf 'abc\ndef\n' | ctl exec -- tr a-z A-Z)
ok_eq "stdin reaches the program and EOF ends it" "$(printf 'ABC\nDEF')" "$out"

out=$(ctl exec -e FOO=bar -w /tmp -- sh -c 'echo $FOO $(pwd)')
ok_eq "environment and working directory are applied" "bar /tmp" "$out"

out=$(ctl exec -e A=1 -- /usr/bin/env | sort | tr '\n' ' ')
ok_eq "environment is exactly the request's (plus default PATH)" "A=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin " "$out"

ctl exec -- /nonexistent/program 2>"$T/err"; rc=$?
ok_eq "a missing program fails the exec" 125 "$rc"
ok "the failure names the program" grep -q "/nonexistent/program" "$T/err"

ctl exec -- sh -c 'kill -TERM $$' 2>/dev/null; rc=$?
ok_eq "a signalled UVM process reports exit code -1 (gcsctl 255)" 255 "$rc"

pid=$(ctl exec -d -- sleep 300)
ok "exec -d prints a pid of a running process" test -d "/proc/$pid"
ok "signal TERM is delivered" ctl signal "$pid" TERM
code=$(ctl wait "$pid")
ok_eq "wait after the signal gives 4294967295" 4294967295 "$code"
ctl wait "$pid" 2>"$T/err"; rc=$?
ok_eq "a second wait (v4) fails" 1 "$rc"
ok "and reports HRESULT 0x80070490" grep -q 0x80070490 "$T/err"

pid=$(ctl exec -d -- sh -c 'exit 3')
sleep 0.3
ok_eq "wait after exit returns the kept exit code" 3 "$(ctl wait "$pid")"

pid=$(ctl exec -d -- sleep 5)
ctl wait "$pid" 100 2>"$T/err"; rc=$?
ok_eq "a wait with a 100 ms timeout fails" 1 "$rc"
ok "with the timeout HRESULT 0xc0370109" grep -q 0xc0370109 "$T/err"
ctl signal "$pid" KILL >/dev/null

out=$(ctl exec -t -- sh -c 'tty; stty size' </dev/null | tr -d '\r')
ok "exec -t runs on a pty" grep -q '^/dev/pts/' <<<"$out"

out=$(echo hello | ctl --protocol 3 exec -- cat)
ok_eq "protocol 3 runs UVM processes" hello "$out"
pid=$(ctl --protocol 3 exec -d -- sh -c 'exit 5')
sleep 0.3
ok_eq "protocol 3 keeps the exit record for a second wait (1)" 5 "$(ctl --protocol 3 wait "$pid")"
ok_eq "protocol 3 keeps the exit record for a second wait (2)" 5 "$(ctl --protocol 3 wait "$pid")"

ok "dump-stacks lists threads" sh -c "timeout 30 '$BIN/gcsctl' --listen 'unix:$D' dump-stacks | grep -q gcs-loop"
ctl --protocol 3 dump-stacks 2>"$T/err"; rc=$?
ok "dump-stacks is not a protocol 3 message (E_NOTIMPL)" grep -q 0x80004001 "$T/err"
ok "gcs is still running" kill -0 $GCS
