#!/usr/bin/env bash
# remotefs openfile: a test client speaks the 12-byte big-endian protocol of
# ../shared/spec/gcstools.md §8.6 to the real tool over pipes: open, write,
# seek, read, EOF as an error, close; CmdFailed on a bad open, a bad command,
# and stdin ending before Close; Docker's Seek-as-Write quirk.
. "$(dirname "$0")/../lib.sh"
need_root
command -v python3 >/dev/null || { skip openfile "no python3"; exit 0; }
tmpdir
cat >"$T/client.py" <<'PY'
import struct, subprocess, sys, os
READ, WRITE, SEEK, CLOSE, OK, FAILED = range(6)
tool, log, path, flags, perm, script = sys.argv[1:7]
p = subprocess.Popen([tool, "-logfile", log, "openfile", path, flags, perm],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
def hdr():
    b = p.stdout.read(12)
    if len(b) < 12:
        return ("short", len(b))
    return struct.unpack(">IQ", b)
def send(cmd, size, data=b""):
    p.stdin.write(struct.pack(">IQ", cmd, size) + data); p.stdin.flush()
out = []
h = hdr(); out.append("open=%s" % (h[0],))
if h[0] == OK:
    for step in script.split(","):
        if step.startswith("w:"):
            data = step[2:].encode(); send(WRITE, len(data), data); out.append("w=%d,%d" % hdr())
        elif step.startswith("r:"):
            send(READ, int(step[2:])); c, n = hdr(); d = p.stdout.read(n) if c == OK else b""
            out.append("r=%d,%d,%s" % (c, n, d.decode()))
        elif step.startswith("s:"):
            off, wh = step[2:].split("/"); send(SEEK, 0, struct.pack(">qi", int(off), int(wh)))
            c, n = hdr(); v = struct.unpack(">q", p.stdout.read(8))[0] if c == OK else -1
            out.append("s=%d,%d,%d" % (c, n, v))
        elif step == "close":
            send(CLOSE, 0); out.append("close=%d,%d" % hdr())
        elif step.startswith("bad:"):
            send(int(step[4:]), 0); out.append("bad=%d,%d" % hdr())
        elif step == "eof":
            p.stdin.close(); out.append("eof=%d,%d" % hdr())
            break
        elif step == "dockerseek":
            send(WRITE, 12, struct.pack(">qi", 0, 0)); out.append("ds=%d,%d" % hdr())
        elif step == "huge":
            send(READ, 1 << 40); c, n = hdr(); p.stdout.read(n); out.append("huge=%d,%s" % (c, n <= (1 << 20)))
try:
    p.stdin.close()
except Exception:
    pass
err = p.stderr.read().decode(); rc = p.wait()
print(" ".join(out)); print("stderr=" + err); print("rc=%d" % rc)
PY
c() { python3 "$T/client.py" "$BIN/remotefs" "$T/log" "$@"; }
f="$T/file"
O_RDWR_CREAT=$((2 | 64))

res=$(c "$f" $O_RDWR_CREAT 0640 "w:hello world,s:6/0,r:5,s:-5/1,r:100,close")
ok_eq "write, seek, read, close" "open=4 w=4,0 s=4,8,6 r=4,5,world s=4,8,6 r=4,5,world close=4,0" "$(echo "$res" | sed -n 1p)"
ok_eq "clean session: exit 0" "rc=0" "$(echo "$res" | sed -n 3p)"
res=$(c "$f" 0 0 "s:0/2,r:4")
ok_eq "read at EOF: CmdFailed" "open=4 s=4,8,11 r=5,0," "$(echo "$res" | sed -n 1p)"
ok_eq "read at EOF is the error EOF" '{"ErrString":"EOF"}' "$(echo "$res" | sed -n 2p | sed 's/^stderr=//')"
ok_eq "exit 0 after a failure" "rc=0" "$(echo "$res" | sed -n 3p)"
ok_eq "the file holds what was written" "hello world" "$(cat "$f")"
ok_eq "created with perm" 640 "$(stat -c %a "$f")"

res=$(c "$f" 0 0 "r:5,close")
ok_eq "read-only open, read, close" "open=4 r=4,5,hello close=4,0" "$(echo "$res" | sed -n 1p)"
ok_eq "clean close: empty stderr" "stderr=" "$(echo "$res" | sed -n 2p)"

res=$(c "$T/missing" 0 0 "close")
ok_eq "open failure: CmdFailed header" "open=5" "$(echo "$res" | sed -n 1p)"
ok_eq "open failure: error record" 'stderr={"ErrString":"file does not exist"}' "$(echo "$res" | sed -n 2p)"

res=$(c "$f" 0 0 "bad:9")
ok_eq "unknown command: CmdFailed" "open=4 bad=5,0" "$(echo "$res" | sed -n 1p)"
ok_eq "unknown command: SEED's text" 'stderr={"ErrString":"unkown command"}' "$(echo "$res" | sed -n 2p)"

res=$(c "$f" 0 0 "eof")
ok_eq "stdin closed before Close: CmdFailed" "open=4 eof=5,0" "$(echo "$res" | sed -n 1p)"
ok_eq "stdin closed before Close: EOF" 'stderr={"ErrString":"EOF"}' "$(echo "$res" | sed -n 2p)"

res=$(c "$f" 0 0 "w:x")
ok_eq "write to a read-only descriptor fails" "open=4 w=5,0" "$(echo "$res" | sed -n 1p)"
ok_eq "write error: path error with EBADF" 'stderr={"ErrString":"write '"$f"': bad file descriptor","ErrNum":9}' "$(echo "$res" | sed -n 2p)"

res=$(c "$f" 0 0 "s:0/7")
ok_eq "seek with a bad whence" 'stderr={"ErrString":"seek '"$f"': invalid argument","ErrNum":22}' "$(echo "$res" | sed -n 2p)"

head -c $((3 << 20)) /dev/zero >"$T/big"
res=$(c "$T/big" 0 0 "huge,close")
ok_eq "a huge read is served capped" "open=4 huge=4,True close=4,0" "$(echo "$res" | sed -n 1p)"

: >"$T/ds"
res=$(c "$T/ds" 2 0 "dockerseek,close")
ok_eq "Docker's Seek-as-Write writes the 12 bytes" "open=4 ds=4,0 close=4,0" "$(echo "$res" | sed -n 1p)"
ok_eq "Docker's Seek-as-Write: file size 12" 12 "$(stat -c %s "$T/ds")"

res=$(c "$f" x 0 "close")
ok_eq "bad flags: CmdFailed and strconv text" "open=5|stderr={\"ErrString\":\"strconv.ParseInt: parsing \\\"x\\\": invalid syntax\"}" \
	"$(echo "$res" | sed -n 1p)|$(echo "$res" | sed -n 2p)"
