#!/usr/bin/env bash
# vsockexec with --transport unix:DIR: the "host" is a Python listener on
# DIR/PORT per port, standing in for the hcsshim listeners on vsock ports
# (gcs-protocol.md §9.3). Checks stdio wiring, one connection for a port
# named twice, exec of the program, failure when nothing listens, and the
# -r relay's exit status.
. "$(dirname "$0")/../lib.sh"
tmpdir

# $BIN's build: the sanitizer one under `make check SANITIZE=1`.
V=$BIN/vsockexec
[ -x "$V" ] || { fail "vsockexec" "$V is missing (make all)"; exit 0; }
S=$T/sock
mkdir "$S"

# host.py DIR PORT:MODE... : listens on DIR/PORT; MODE "send:TEXT" writes
# TEXT then closes, "recv:FILE" stores all it receives in FILE. Prints the
# number of connections per port in DIR/PORT.count at the end.
cat >"$T/host.py" <<'PY'
import os, socket, sys, threading
d = sys.argv[1]
threads = []
for spec in sys.argv[2:]:
    port, mode, arg = spec.split(":", 2)
    path = os.path.join(d, port)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)
    s.settimeout(20)
    def serve(s=s, port=port, mode=mode, arg=arg):
        conns = 0
        try:
            c, _ = s.accept()
        except OSError:
            open(os.path.join(d, port + ".count"), "w").write("0")
            return
        conns += 1
        if mode == "send":
            c.sendall(arg.encode())
            c.shutdown(socket.SHUT_WR)
            while c.recv(4096):
                pass
        else:
            with open(arg, "wb") as f:
                while True:
                    b = c.recv(4096)
                    if not b:
                        break
                    f.write(b)
        s.settimeout(0.5)
        try:
            s.accept()
            conns += 1
        except OSError:
            pass
        open(os.path.join(d, port + ".count"), "w").write(str(conns))
    t = threading.Thread(target=serve)
    t.start()
    threads.append(t)
open(os.path.join(d, "ready"), "w").write("1")
for t in threads:
    t.join()
PY

start_host() { # specs...
	rm -f "$S"/*
	python3 "$T/host.py" "$S" "$@" &
	host_pid=$!
	for _ in $(seq 100); do [ -e "$S/ready" ] && return; sleep 0.05; done
}

start_host "5:send:hello from the host" "6:recv:$T/out"
"$V" --transport "unix:$S" -i 5 -o 6 -e 6 /bin/sh -c 'read -r line; echo "got: $line"; echo "to stderr" >&2'
rc=$?
wait "$host_pid"
ok_eq "vsockexec runs the program with status 0" "0" "$rc"
ok_eq "stdin comes from the input port and stdout goes to the output port" \
	"got: hello from the host
to stderr" "$(cat "$T/out")"
ok_eq "a port named twice (-o 6 -e 6) is one connection" "1" "$(cat "$S/6.count")"

start_host "109:recv:$T/log"
"$V" --transport "unix:$S" -e 109 /bin/sh -c 'echo "{\"msg\":\"log line\"}" >&2; echo on-stdout; exit 3' >"$T/stdout"
rc=$?
wait "$host_pid"
ok_eq "the exec'd program's exit status is vsockexec's" "3" "$rc"
ok_eq "-e 109 sends stderr (the GCS log) to port 109" '{"msg":"log line"}' "$(cat "$T/log")"
ok_eq "stdout is left alone without -o" "on-stdout" "$(cat "$T/stdout")"

rm -f "$S"/*
out=$("$V" --transport "unix:$S" -e 77 /bin/true 2>&1); rc=$?
ok_eq "nothing listening: exit 1" "1" "$rc"
ok "nothing listening: the reason names the socket" grep -q "$S/77" <<<"$out"

out=$("$V" -e 1 2>&1); rc=$?
ok_eq "no program: exit 1 with usage" "1" "$rc"
out=$("$V" --transport tcp:1 -e 1 /bin/true 2>&1); rc=$?
ok_eq "an unknown transport is refused" "1" "$rc"

start_host "9:recv:$T/relay"
"$V" -r --transport "unix:$S" -o 9 /bin/sh -c 'echo relayed; exit 4'
rc=$?
wait "$host_pid"
ok_eq "-r relays stdout to the port" "relayed" "$(cat "$T/relay")"
ok_eq "-r exits with the program's status" "4" "$rc"
