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

# An interactive terminal: script(1) gives gcsctl a pty of 33x77; exec -t
# must size the remote pty like it (ResizeConsole) and pass keystrokes.
if command -v script >/dev/null; then
	# (stdin stays open: script(1) may end the session at stdin EOF)
	out=$(sleep 3 | timeout 60 script -qec "stty rows 33 cols 77; '$BIN/gcsctl' --listen 'unix:$D' exec -t -- sh -c 'stty size; exit 4'" /dev/null | tr -d '\r')
	if grep -q '33 77' <<<"$out"; then pass "exec -t sizes the remote pty like the local terminal (stty size 33 77)"
	else fail "exec -t sizes the remote pty like the local terminal (stty size 33 77)" "output: $(od -c <<<"$out" | head -5)"; fi
	out=$(printf 'echo typed-$((6*7))\nexit 5\n' | timeout 60 script -qec "'$BIN/gcsctl' --listen 'unix:$D' exec -t -- sh" /dev/null | tr -d '\r')
	ok "keystrokes reach an interactive shell on the pty" grep -q typed-42 <<<"$out"
else
	skip "exec -t against a local terminal" "script(1) is missing"
fi

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

out=$(timeout 60 "$BIN/gcsctl" --spawn-gcs "$BIN/gcs" exec -- echo spawned)
ok_eq "--spawn-gcs starts a GCS for one command" spawned "$out"
"$BIN/gcsctl" exec 2>"$T/err"; rc=$?
ok_eq "exec without a command is a usage error (2)" 2 "$rc"
ok "the usage error shows the exec usage" grep -q "usage: gcsctl \[OPTIONS\] exec" "$T/err"
"$BIN/gcsctl" frobnicate 2>"$T/err"; rc=$?
ok_eq "an unknown command is a usage error (2)" 2 "$rc"
ok "the command list is shown" grep -q "dump-stacks" "$T/err"
"$BIN/gcsctl" --listen "unix:$T/nobody" --timeout 1 ping 2>"$T/err"; rc=$?
ok_eq "no GCS connecting gives exit status 125" 125 "$rc"
ok "and says what to check" grep -q "did not connect within 1 s" "$T/err"

if [ -w /dev/kmsg ]; then
	tag="lcow-gcs-kmsg-test-$$-$RANDOM"
	echo "<3>$tag" >/dev/kmsg
	for _ in $(seq 50); do grep -q "$tag" "$T/gcs.log" && break; sleep 0.1; done
	ok "kernel messages at or below -kmsgLogLevel reach the GCS log" grep -q "kernel: .*$tag" "$T/gcs.log"
else
	skip "kernel message forwarding" "/dev/kmsg is not writable"
fi

out=$(ctl request Start '{"ActivityId":"11111111-2222-3333-4444-555555555555"}'); rc=$?
ok_eq "request sends any message and exits 0 on success" 0 "$rc"
ok "request prints the response with the echoed ActivityId" grep -q '11111111-2222-3333-4444-555555555555' <<<"$out"
ctl request 0x10101001 >"$T/out"; rc=$?
ok_eq "request by identifier; a failed answer exits 1" 1 "$rc"
ok "the failed answer is printed (E_NOTIMPL)" grep -q -- '-2147467263' "$T/out"

"$BIN/gcs" --transport "unix:$T/nowhere" -logfile "$T/no/such/dir/gcs.log" 2>"$T/err"; rc=$?
ok_eq "a log file that cannot be opened stops start-up (exit 1)" 1 "$rc"
ok "and says so on stderr" grep -q "opening log file $T/no/such/dir/gcs.log" "$T/err"
