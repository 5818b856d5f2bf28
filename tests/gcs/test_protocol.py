#!/usr/bin/env python3
"""Protocol tests for gcs over --transport unix:DIR, with a raw-frame host.

Prints TAP lines (ok N - name / not ok N - name) for tests/lib.sh's runner.
Usage: test_protocol.py BIN_DIR WORK_DIR
"""
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawclient import (Bridge, MSG, NULL_GUID, E_NOTIMPL, HR_NOT_FOUND, HR_TIMEOUT,  # noqa: E402
                       HR_INVALID_JSON, HR_UNSUPPORTED, recv_exact)

BIN, WORK = sys.argv[1], sys.argv[2]
n = 0
failed = 0


def check(name, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        if detail:
            print("#   " + str(detail)[:2000].replace("\n", "\n#   "))
    sys.stdout.flush()


def start_gcs(d, *extra):
    os.makedirs(d, exist_ok=True)
    log = os.path.join(d, "gcs.log")
    return subprocess.Popen([os.path.join(BIN, "gcs"), "--transport", "unix:" + d, "-loglevel", "debug",
                             "-logfile", log] + list(extra))


def read_all(sock):
    chunks = []
    while True:
        c = sock.recv(1 << 16)
        if not c:
            return b"".join(chunks)
        chunks.append(c)


def hr(msg):
    return msg.get("Result")


def fds_of(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def zombies_of(pid):
    count = 0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if fields[0] == "Z" and int(fields[1]) == pid:
            count += 1
    return count


def stop_cleanly(gcs, when):
    """SIGTERM: gcs exits 0, and in SANITIZE builds the leak check passes."""
    gcs.terminate()
    try:
        rc = gcs.wait(20)
    except subprocess.TimeoutExpired:
        rc = None
    check("gcs exits cleanly on SIGTERM %s (no leaks reported)" % when, rc == 0, rc)


def run_all():
    d = os.path.join(WORK, "main")
    gcs = start_gcs(d, "-test-notify-uvm-exit")
    try:
        b = Bridge(d)
        main_tests(b, gcs, d)
        stop_cleanly(gcs, "after the main tests")
    finally:
        if gcs.poll() is None:
            gcs.kill()
        gcs.wait()
    cap_and_shutdown_tests()
    v3_tests()
    inouterr_test()
    json_log_test()


def main_tests(b, gcs, d):
    # --- un-negotiated state ---
    r = b.call("ExecuteProcess", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID})
    check("requests before negotiation get E_NOTIMPL", hr(r) == E_NOTIMPL, r)
    check("error responses carry one error record with module gcs",
          len(r.get("ErrorRecords", [])) == 1 and r["ErrorRecords"][0]["ModuleName"] == "gcs"
          and r["ErrorRecords"][0]["Result"] == E_NOTIMPL, r)
    r = b.call("NegotiateProtocol", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID,
                                     "MinimumVersion": 1, "MaximumVersion": 3})
    check("a version range without 4 is refused with 0xC037010C", hr(r) == HR_UNSUPPORTED, r)
    act = "01234567-89ab-cdef-0123-456789abcdef"
    r = b.call("NegotiateProtocol", {"ContainerId": NULL_GUID, "ActivityId": act,
                                     "MinimumVersion": 4, "MaximumVersion": 4})
    want_caps = {"SupportedSchemaVersions": [{"Major": 2, "Minor": 1}], "RuntimeOsType": "Linux",
                 "GuestDefinedCapabilities": {"NamespaceAddRequestSupported": True,
                                              "SignalProcessSupported": True, "DumpStacksSupported": True,
                                              "DeleteContainerStateSupported": True}}
    check("a failed negotiation leaves the bridge un-negotiated; 4 is then selected",
          hr(r) == 0 and r.get("Version") == 4, r)
    check("the capabilities object is exactly the Linux one", r.get("Capabilities") == want_caps, r)
    check("the ActivityId is echoed", r.get("ActivityId") == act, r)
    check("no error fields on success", "ErrorMessage" not in r and "ErrorRecords" not in r, r)
    r = b.call("NegotiateProtocol", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID,
                                     "MinimumVersion": 4, "MaximumVersion": 4})
    check("NegotiateProtocol after negotiation gets E_NOTIMPL", hr(r) == E_NOTIMPL, r)

    # --- v4 dispatch ---
    r = b.call("Start", {"ContainerId": NULL_GUID, "ActivityId": "bad-guid"})
    check("Start is a no-op success in v4", hr(r) == 0, r)
    check("an invalid ActivityId is omitted, not echoed", "ActivityId" not in r, r)
    r = b.call("UpdateContainer", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID})
    check("UpdateContainer (removed from Linux guests) answers E_NOTIMPL", hr(r) == E_NOTIMPL, r)
    for ident in (0x10101001, 0x10200101, 0x10300101, 0x10100102, 0x10100f01):
        mid = b.send(ident, {"ContainerId": NULL_GUID})
        typ, r = b.wait_response(mid)
        check("unknown identifier 0x%08x answers E_NOTIMPL with the derived type" % ident,
              hr(r) == E_NOTIMPL and typ == (0x20000000 | (ident & 0x0FFFFFFF)), (hex(typ), r))

    payload = b"{bad"
    b.send_raw(struct.pack("<IIQ", 0x10101001, 16 + len(payload), 7777) + payload)
    typ, r = b.wait_response(7777)
    check("an unknown identifier with a malformed payload still answers E_NOTIMPL", hr(r) == E_NOTIMPL, r)

    # malformed JSON, non-object, embedded JSON
    for payload in (b"{not json", b"[1,2]", b"", b"{\"a\":1} trailing"):
        mid = b.next_id
        b.next_id += 1
        b.send_raw(struct.pack("<IIQ", MSG["ExecuteProcess"], 16 + len(payload), mid) + payload)
        typ, r = b.wait_response(mid)
        check("malformed payload %r answers 0xC037010D" % payload[:12], hr(r) == HR_INVALID_JSON, r)
    r = b.call("ExecuteProcess", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID,
                                  "Settings": {"ProcessParameters": "{broken"}})
    check("invalid embedded ProcessParameters answers 0xC037010D", hr(r) == HR_INVALID_JSON, r)
    mid = b.send(0x30100101, {"ContainerId": "x"})
    time.sleep(0.2)
    check("a notification from the host is ignored (no answer)", mid not in b.responses)
    payload = b'{"ContainerId":"00000000-0000-0000-0000-000000000000"}\n'
    mid = b.next_id
    b.next_id += 1
    b.send_raw(struct.pack("<IIQ", MSG["Start"], 16 + len(payload), mid) + payload)
    typ, r = b.wait_response(mid)
    check("a payload with a trailing newline is accepted", hr(r) == 0, r)
    # frame split across many writes
    payload = json.dumps({"ContainerId": NULL_GUID, "ActivityId": NULL_GUID}).encode()
    frame = struct.pack("<IIQ", MSG["Start"], 16 + len(payload), 9999) + payload
    for i in range(len(frame)):
        b.send_raw(frame[i:i + 1])
        if i % 7 == 0:
            time.sleep(0.001)
    typ, r = b.wait_response(9999)
    check("a frame dribbled byte by byte is reassembled", hr(r) == 0, r)

    # --- processes ---
    r, c = b.execute(["sh", "-c", "echo out; echo err >&2; exit 3"], stdout=True, stderr=True)
    pid = r.get("ProcessId")
    out, err = read_all(c["StdOut"]), read_all(c["StdErr"])
    c["StdOut"].close()
    c["StdErr"].close()
    w = b.wait(pid)
    check("exec relays stdout and stderr", out == b"out\n" and err == b"err\n", (out, err))
    check("the exit code is the program's", w.get("ExitCode") == 3, w)
    w = b.wait(pid)
    check("v4 drops the record after the first completed wait (0x80070490)", hr(w) == HR_NOT_FOUND, w)
    r = b.call("SignalProcess", {"ContainerId": NULL_GUID, "ProcessId": pid, "Options": {"Signal": 15}})
    check("signalling a process that is gone answers 0x80070490", hr(r) == HR_NOT_FOUND, r)

    r, c = b.execute(["sh", "-c", "echo $A-$B; pwd; env | wc -l"], env={"A": "x", "B": "y"}, cwd="/tmp",
                     stdout=True)
    out = read_all(c["StdOut"])
    c["StdOut"].close()
    b.wait(r["ProcessId"])
    check("environment is exactly the request's and cwd applies",
          out.split(b"\n")[:2] == [b"x-y", b"/tmp"], out)
    params = {"CommandLine": "sh -c 'echo \"a  b\"'", "CreateStdOutPipe": True}
    ports, ls = b.alloc_ports(stdout=True)
    mid = b.send(MSG["ExecuteProcess"], {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID, "Settings": {
        "ProcessParameters": json.dumps(params), "VsockStdioRelaySettings": ports}})
    s, _ = ls["StdOut"].accept()
    ls["StdOut"].close()
    out = read_all(s)
    s.close()
    typ, r = b.wait_response(mid)
    b.wait(r["ProcessId"])
    check("CommandLine is split with shell quoting", out == b"a  b\n", out)

    r, c = b.execute(["/no/such/program"])
    check("a missing program fails the request with E_FAIL", hr(r) == -2147467259, r)
    r, c = b.execute(["true"], cwd="/no/such/dir")
    check("a missing working directory fails the request", hr(r) != 0 and "/no/such/dir" in r.get("ErrorMessage", ""), r)
    ports = {"StdOut": 4000000}
    params = {"CommandArgs": ["true"], "CreateStdOutPipe": True}
    r = b.call("ExecuteProcess", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID, "Settings": {
        "ProcessParameters": json.dumps(params), "VsockStdioRelaySettings": ports}})
    check("a stdio port nobody listens on fails the request", hr(r) != 0 and "4000000" in r.get("ErrorMessage", ""), r)

    # stdin EOF and clean close ordering
    r, c = b.execute(["cat"], stdin=True, stdout=True)
    c["StdIn"].sendall(b"line\n")
    c["StdIn"].shutdown(socket.SHUT_WR)
    wid = b.send(MSG["WaitForProcess"], {"ContainerId": NULL_GUID, "ProcessId": r["ProcessId"],
                                         "TimeoutInMs": 0xFFFFFFFF})
    data = b""
    while not data.endswith(b"line\n"):
        data += c["StdOut"].recv(100)
    time.sleep(0.3)
    early = wid in b.responses
    rest = read_all(c["StdOut"])
    check("host closing stdin gives the program EOF", data == b"line\n" and rest == b"", (data, rest))
    check("the exit is not reported before the host closed stdout (clean close)", not early)
    c["StdOut"].close()
    c["StdIn"].close()
    typ, w = b.wait_response(wid)
    check("after the stdout close the exit is reported", w.get("ExitCode") == 0, w)

    # §5.5 caveat: a background child holding stdout delays the exit report
    r, c = b.execute(["sh", "-c", "echo first; (sleep 1; echo late) & exit 0"], stdout=True)
    t0 = time.time()
    wid = b.send(MSG["WaitForProcess"], {"ContainerId": NULL_GUID, "ProcessId": r["ProcessId"],
                                         "TimeoutInMs": 0xFFFFFFFF})
    out = read_all(c["StdOut"])
    c["StdOut"].close()
    typ, w = b.wait_response(wid)
    check("output of a background child holding stdout is delivered before the exit",
          out == b"first\nlate\n" and w.get("ExitCode") == 0 and time.time() - t0 >= 0.9, (out, w))
    # orphans re-parent to the GCS (child subreaper) and are reaped
    r, _ = b.execute(["sh", "-c", "sleep 0.3 & exit 0"])
    b.wait(r["ProcessId"])
    time.sleep(0.8)
    check("orphans re-parented to the GCS are reaped (no zombies)", zombies_of(gcs.pid) == 0)

    # a pending wait does not delay other requests
    r, _ = b.execute(["sleep", "3"])
    slow = r["ProcessId"]
    wid = b.send(MSG["WaitForProcess"], {"ContainerId": NULL_GUID, "ProcessId": slow, "TimeoutInMs": 0xFFFFFFFF})
    t0 = time.time()
    r2, _ = b.execute(["true"])
    w2 = b.wait(r2["ProcessId"])
    check("a pending WaitForProcess does not delay other requests", time.time() - t0 < 2 and w2["ExitCode"] == 0)
    r = b.wait(slow, timeout_ms=0)
    check("a 0 ms wait on a running process answers 0xC0370109", hr(r) == HR_TIMEOUT, r)
    r = b.call("SignalProcess", {"ContainerId": NULL_GUID, "ProcessId": slow})
    check("SignalProcess without Options is SIGKILL", hr(r) == 0, r)
    typ, w = b.wait_response(wid)
    check("a UVM process killed by a signal exits 4294967295", w.get("ExitCode") == 4294967295, w)
    r = b.wait(999999)
    check("waiting for an unknown pid answers 0x80070490", hr(r) == HR_NOT_FOUND, r)

    # signals
    r, c = b.execute(["sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 0.05; done"], stdout=True)
    c["StdOut"].recv(6)
    s = b.call("SignalProcess", {"ContainerId": NULL_GUID, "ProcessId": r["ProcessId"], "Options": {"Signal": 10}})
    read_all(c["StdOut"])
    c["StdOut"].close()
    w = b.wait(r["ProcessId"])
    check("SignalProcess delivers the requested signal", hr(s) == 0 and w.get("ExitCode") == 42, (s, w))

    # pty with resize
    r, c = b.execute(["sh", "-c", "read x; stty size; tty; echo $TERM"], tty=True, stdin=True, stdout=True,
                     env={"TERM": "vt100"})
    rz = b.call("ResizeConsole", {"ContainerId": NULL_GUID, "ProcessId": r["ProcessId"], "Height": 50,
                                  "Width": 132})
    c["StdIn"].sendall(b"go\n")
    out = read_all(c["StdOut"])
    c["StdOut"].close()
    c["StdIn"].close()
    w = b.wait(r["ProcessId"])
    check("ResizeConsole succeeds on a pty process", hr(rz) == 0, rz)
    check("stty size inside shows the new size", b"50 132" in out, out)
    check("the process runs on a pty slave", b"/dev/pts/" in out, out)
    ports, ls = b.alloc_ports(stdout=True)
    params = {"CommandArgs": ["stty", "size"], "EmulateConsole": True, "ConsoleSize": [24, 100],
              "CreateStdOutPipe": True}
    mid = b.send(MSG["ExecuteProcess"], {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID, "Settings": {
        "ProcessParameters": json.dumps(params), "VsockStdioRelaySettings": ports}})
    s, _ = ls["StdOut"].accept()
    ls["StdOut"].close()
    out = read_all(s)
    s.close()
    typ, r = b.wait_response(mid)
    b.wait(r["ProcessId"])
    check("ConsoleSize sizes the pty before the program starts", out.strip() == b"24 100", out)
    r, c = b.execute(["sleep", "0.2"])
    rz = b.call("ResizeConsole", {"ContainerId": NULL_GUID, "ProcessId": r["ProcessId"], "Height": 5, "Width": 5})
    check("ResizeConsole on a process without a console fails", hr(rz) != 0, rz)
    b.wait(r["ProcessId"])

    # 100 MB through stdin and back
    size = 100 << 20
    r, c = b.execute(["cat"], stdin=True, stdout=True)
    hin = hashlib.sha256()
    hout = hashlib.sha256()
    got = [0]

    def feed():
        block = bytes(range(256)) * 4096
        sent = 0
        while sent < size:
            chunk = block[: min(len(block), size - sent)]
            chunk = bytes([sent // len(block) % 251]) + chunk[1:]
            hin.update(chunk)
            c["StdIn"].sendall(chunk)
            sent += len(chunk)
        c["StdIn"].shutdown(socket.SHUT_WR)

    t = threading.Thread(target=feed)
    t.start()
    while True:
        data = c["StdOut"].recv(1 << 20)
        if not data:
            break
        hout.update(data)
        got[0] += len(data)
    t.join()
    c["StdOut"].close()
    c["StdIn"].close()
    w = b.wait(r["ProcessId"])
    check("100 MB go through stdin and back unchanged (sha256)",
          got[0] == size and hin.hexdigest() == hout.hexdigest() and w["ExitCode"] == 0, (got[0], w))

    # 50 concurrent processes
    procs = []
    for i in range(50):
        r, c = b.execute(["sh", "-c", "sleep 0.5; echo proc-%d" % i], stdout=True)
        procs.append((i, r["ProcessId"], c["StdOut"]))
    wids = [(i, pid, s, b.send(MSG["WaitForProcess"], {"ContainerId": NULL_GUID, "ProcessId": pid,
                                                        "TimeoutInMs": 0xFFFFFFFF})) for i, pid, s in procs]
    okc = 0
    for i, pid, s, wid in wids:
        out = read_all(s)
        s.close()
        typ, w = b.wait_response(wid)
        if out == b"proc-%d\n" % i and w.get("ExitCode") == 0:
            okc += 1
    check("50 concurrent processes each deliver their output and exit code", okc == 50, okc)

    # DumpStacks
    r = b.call("DumpStacks", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID})
    st = r.get("GuestStacks", "")
    check("DumpStacks lists threads and processes within 64 KiB",
          "gcs-loop" in st and "processes:" in st and len(json.dumps(r)) < 65536, st[:300])

    # 1000 sequential execs: no fd or zombie growth
    def exec_cycle(k):
        r, c = b.execute(["sh", "-c", "echo %d" % k], stdin=(k % 2 == 0), stdout=True, stderr=(k % 3 == 0))
        read_all(c["StdOut"])
        for s in c.values():
            s.close()
        return b.wait(r["ProcessId"])

    for k in range(20):
        exec_cycle(k)
    time.sleep(0.3)
    fd0 = fds_of(gcs.pid)
    bad = 0
    for k in range(1000):
        if exec_cycle(k).get("ExitCode") != 0:
            bad += 1
    time.sleep(0.5)
    fd1 = fds_of(gcs.pid)
    check("1000 sequential execs all succeed", bad == 0, bad)
    check("no descriptor growth after 1000 execs", fd1 <= fd0, (fd0, fd1))
    check("no zombies after 1000 execs", zombies_of(gcs.pid) == 0)

    # never two answers
    dup = [mid for mid, v in b.responses.items() if len(v) > 1]
    check("every request got exactly one answer", not dup, dup)
    frames_too_big = [f for f in b.frames if f[1] > 65536]
    check("no outbound frame exceeds 64 KiB", not frames_too_big)

    # bridge loss: queued notification delivered on the next connection
    r, _ = b.execute(["sleep", "0.5"])
    pid = r["ProcessId"]
    b.close()
    time.sleep(1.0)  # the process exits while the bridge is down
    b.notifications = []
    b.accept()
    want_id = "uvm-process-%d" % pid
    deadline = time.time() + 5
    while time.time() < deadline and not any(x[2].get("ContainerId") == want_id for x in b.notifications):
        time.sleep(0.05)
    mine = [x for x in b.notifications if x[2].get("ContainerId") == want_id]
    note = mine[0] if mine else None
    check("after a reconnect the queued notification is delivered",
          note is not None and note[0] == 0x30100101 and note[1] == 0
          and note[2].get("ContainerId") == "uvm-process-%d" % pid and note[2].get("Type") == "UnexpectedExit"
          and note[2].get("ActivityId") == NULL_GUID and "ResultInfo" not in note[2], note)
    r = b.call("ExecuteProcess", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID})
    check("a new connection starts un-negotiated", hr(r) == E_NOTIMPL, r)
    b.negotiate()
    w = b.wait(pid)
    check("processes survive a reconnect (exit record still there)", w.get("ExitCode") == 0, w)

    # protocol violations close the connection; the GCS re-dials
    for name, raw in (("Size below 16", struct.pack("<IIQ", MSG["Start"], 8, 1)),
                      ("Size above the cap", struct.pack("<IIQ", MSG["Start"], (16 << 20) + 17, 1)),
                      ("a truncated frame", struct.pack("<IIQ", MSG["Start"], 100, 1) + b"{\"Cont")):
        b.send_raw(raw)
        if name == "a truncated frame":
            b.sock.shutdown(socket.SHUT_WR)
        with b.lock:
            b.lock.wait_for(lambda: b.closed, 10)
        closed = b.closed
        b.close()
        b.accept()
        r = b.negotiate()
        check("%s closes the connection and the GCS reconnects" % name, closed and hr(r) == 0, (closed, r))
    check("gcs survived all of it", gcs.poll() is None)
    b.close()


def cap_and_shutdown_tests():
    d = os.path.join(WORK, "cap")
    gcs = start_gcs(d, "-max-frame-size", "4096")
    try:
        b = Bridge(d)
        b.negotiate()
        body = {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID, "Pad": ""}
        base = len(json.dumps(body).encode())
        body["Pad"] = "x" * (4096 - 16 - base)
        r = b.call("Start", body)
        check("a frame of exactly -max-frame-size bytes is served", hr(r) == 0, r)
        body["Pad"] += "x"
        b.send(MSG["Start"], body)
        with b.lock:
            b.lock.wait_for(lambda: b.closed, 10)
        check("one byte more closes the connection", b.closed)
        b.close()
        b.accept()
        b.negotiate()
        r = b.call("ShutdownForced", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID})
        check("ShutdownForced for the UVM (null GUID) is answered", hr(r) == 0, r)
        try:
            rc = gcs.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        check("and the GCS then exits (init powers the VM off)", rc == 0, rc)
        b.close()
    finally:
        if gcs.poll() is None:
            gcs.kill()
        gcs.wait()


def v3_tests():
    d = os.path.join(WORK, "v3")
    gcs = start_gcs(d)
    try:
        b = Bridge(d)
        r = b.call("Create", {"ContainerId": "c1", "ActivityId": NULL_GUID, "ContainerConfig": "{broken"})
        check("v3: a Create with bad ContainerConfig answers 0xC037010D", hr(r) == HR_INVALID_JSON, r)
        r = b.call("ExecuteProcess", {"ContainerId": "c1", "ActivityId": NULL_GUID})
        check("v3: nothing but Create or NegotiateProtocol is served before the bootstrap",
              hr(r) == E_NOTIMPL, r)
        r = b.create_v3("c1")
        check("v3: Create bootstraps with SelectedProtocolVersion 3",
              hr(r) == 0 and r.get("SelectedProtocolVersion") == 3, r)
        r = b.call("Start", {"ContainerId": "c1", "ActivityId": NULL_GUID})
        check("v3: Start answers E_NOTIMPL", hr(r) == E_NOTIMPL, r)
        r = b.call("NegotiateProtocol", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID,
                                         "MinimumVersion": 4, "MaximumVersion": 4})
        check("v3: NegotiateProtocol after the bootstrap answers E_NOTIMPL", hr(r) == E_NOTIMPL, r)
        r = b.call("DumpStacks", {"ContainerId": "c1"})
        check("v3: DumpStacks is a v4 message (E_NOTIMPL)", hr(r) == E_NOTIMPL, r)
        r, c = b.execute(["sh", "-c", "echo v3; exit 4"], cid="c1", external=True, stdout=True)
        out = read_all(c["StdOut"])
        c["StdOut"].close()
        w1 = b.wait(r["ProcessId"], cid="c1")
        w2 = b.wait(r["ProcessId"], cid="other-id-ignored")
        check("v3: CreateInUtilityVM runs a UVM process", out == b"v3\n" and w1.get("ExitCode") == 4, (out, w1))
        check("v3: exit records are kept for later waits (ContainerId ignored)", w2.get("ExitCode") == 4, w2)
        b.close()
        stop_cleanly(gcs, "after the v3 tests")
    finally:
        if gcs.poll() is None:
            gcs.kill()
        gcs.wait()


def inouterr_test():
    gcs = subprocess.Popen([os.path.join(BIN, "gcs"), "-use-inouterr", "-v4", "-log-format", "json"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    body = json.dumps({"ContainerId": NULL_GUID, "ActivityId": NULL_GUID, "MinimumVersion": 4,
                       "MaximumVersion": 4}).encode()
    gcs.stdin.write(struct.pack("<IIQ", MSG["NegotiateProtocol"], 16 + len(body), 7) + body)
    gcs.stdin.flush()
    hdr = gcs.stdout.read(16)
    typ, size, mid = struct.unpack("<IIQ", hdr)
    r = json.loads(gcs.stdout.read(size - 16))
    check("-use-inouterr: the bridge runs over stdin/stdout", typ == 0x20100b01 and mid == 7 and r["Version"] == 4, r)
    gcs.stdin.close()
    rc = gcs.wait(10)
    err = gcs.stderr.read().decode()
    check("-use-inouterr: the GCS exits when stdin closes", rc == 0, rc)
    lines = [ln for ln in err.splitlines() if ln]
    try:
        ok = bool(lines) and all({"time", "level", "msg"} <= set(json.loads(ln)) for ln in lines)
    except ValueError:
        ok = False
    check("-log-format json: every stderr line is a JSON object with time, level, msg", ok, err[:500])


def json_log_test():
    d = os.path.join(WORK, "jsonlog")
    gcs = start_gcs(d, "-log-format", "json", "-loglevel", "trace")
    try:
        b = Bridge(d)
        b.negotiate()
        r, c = b.execute(["echo", "hi"], stdout=True)
        read_all(c["StdOut"])
        c["StdOut"].close()
        b.wait(r["ProcessId"])
        b.close()
    finally:
        gcs.kill()
        gcs.wait()
    with open(os.path.join(d, "gcs.log")) as f:
        text = f.read()
    lines = text.splitlines()
    bad = []
    for ln in lines:
        try:
            o = json.loads(ln)
            if not {"time", "level", "msg"} <= set(o) or not o["time"].endswith("Z") or len(o["time"]) != 30:
                bad.append(ln)
        except ValueError:
            bad.append(ln)
    check("-log-format json -logfile: %d lines, all JSON objects with an RFC 3339 nanosecond time" % len(lines),
          lines and not bad, bad[:3])

    # default vsock transport without a host keeps retrying without crashing
    d = os.path.join(WORK, "vsock")
    os.makedirs(d, exist_ok=True)
    gcs = subprocess.Popen([os.path.join(BIN, "gcs"), "-vsock-cid", "3", "-logfile", os.path.join(d, "log")])
    time.sleep(0.5)
    alive = gcs.poll() is None
    gcs.kill()
    gcs.wait()
    with open(os.path.join(d, "log")) as f:
        log = f.read()
    check("with no host on vsock the GCS keeps re-dialing", alive and "vsock 3:1073741824" in log, log[:300])
    rc = subprocess.run([os.path.join(BIN, "gcs"), "-bogus-flag"], capture_output=True)
    check("an unknown flag is an error naming it", rc.returncode == 2 and b"bogus-flag" in rc.stderr, rc)


run_all()
print("# %d tests, %d failed" % (n, failed))
sys.exit(1 if failed else 0)
