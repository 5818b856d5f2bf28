#!/usr/bin/env python3
"""Raw-frame host for the GCS bridge (tests only).

Listens where the host would (a Unix directory per --transport unix:DIR),
accepts the GCS's bridge connection and speaks frames directly, so tests can
send exactly what they want: valid requests, malformed JSON, bad sizes,
truncated frames, unknown identifiers.
"""
import json
import os
import socket
import struct
import threading

BRIDGE_PORT = 0x40000000
NULL_GUID = "00000000-0000-0000-0000-000000000000"
MSG = {
    "Create": 0x10100101, "Start": 0x10100201, "ShutdownGraceful": 0x10100301,
    "ShutdownForced": 0x10100401, "ExecuteProcess": 0x10100501, "WaitForProcess": 0x10100601,
    "SignalProcess": 0x10100701, "ResizeConsole": 0x10100801, "GetProperties": 0x10100901,
    "ModifySettings": 0x10100a01, "NegotiateProtocol": 0x10100b01, "DumpStacks": 0x10100c01,
    "DeleteContainerState": 0x10100d01, "UpdateContainer": 0x10100e01,
}
E_NOTIMPL = -2147467263
HR_NOT_FOUND = -2147023728
HR_TIMEOUT = -1070137079
HR_INVALID_JSON = -1070137075
HR_UNSUPPORTED = -1070137076


def listen(directory, port):
    path = os.path.join(directory, str(port))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    return s


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("bridge closed")
        buf += chunk
    return buf


class Bridge:
    """One accepted bridge connection; a reader thread sorts responses by id."""

    def __init__(self, directory, timeout=20):
        self.dir = directory
        self.lsock = listen(directory, BRIDGE_PORT)
        self.lsock.settimeout(timeout)
        self.next_port = BRIDGE_PORT + 1
        self.next_id = 1
        self.lock = threading.Condition()
        self.responses = {}
        self.notifications = []
        self.frames = []
        self.closed = False
        self.accept()

    def accept(self):
        self.sock, _ = self.lsock.accept()
        self.closed = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            while True:
                hdr = recv_exact(self.sock, 16)
                typ, size, mid = struct.unpack("<IIQ", hdr)
                payload = recv_exact(self.sock, size - 16)
                with self.lock:
                    self.frames.append((typ, size, mid))
                    msg = json.loads(payload)
                    if typ >> 28 == 3:
                        self.notifications.append((typ, mid, msg))
                    else:
                        if mid in self.responses:
                            self.responses[mid].append((typ, msg))
                        else:
                            self.responses[mid] = [(typ, msg)]
                    self.lock.notify_all()
        except (EOFError, OSError):
            with self.lock:
                self.closed = True
                self.lock.notify_all()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, msgtype, body, mid=None):
        if mid is None:
            mid = self.next_id
            self.next_id += 1
        payload = json.dumps(body).encode()
        self.sock.sendall(struct.pack("<IIQ", msgtype, 16 + len(payload), mid) + payload)
        return mid

    def wait_response(self, mid, timeout=20):
        with self.lock:
            ok = self.lock.wait_for(lambda: mid in self.responses or self.closed, timeout)
            if not ok or mid not in self.responses:
                raise TimeoutError("no response for id %d" % mid)
            return self.responses[mid][0]

    def call(self, name, body, timeout=20):
        mid = self.send(MSG[name], body)
        typ, msg = self.wait_response(mid, timeout)
        assert typ == (MSG[name] & 0x0FFFFFFF) | 0x20000000, hex(typ)
        return msg

    def negotiate(self):
        return self.call("NegotiateProtocol", {"ContainerId": NULL_GUID, "ActivityId": NULL_GUID,
                                               "MinimumVersion": 4, "MaximumVersion": 4})

    def create_v3(self, cid="test"):
        return self.call("Create", {"ContainerId": cid, "ActivityId": NULL_GUID,
                                    "ContainerConfig": json.dumps({"Layers": []})})

    def alloc_ports(self, stdin=False, stdout=False, stderr=False):
        ports = {}
        listeners = {}
        for key, want in (("StdIn", stdin), ("StdOut", stdout), ("StdErr", stderr)):
            if want:
                p = self.next_port
                self.next_port += 1
                ports[key] = p
                listeners[key] = listen(self.dir, p)
        return ports, listeners

    def execute(self, args, cid=NULL_GUID, env=None, cwd=None, tty=False, stdin=False, stdout=False,
                stderr=False, external=False):
        params = {"CommandArgs": args, "Environment": env or {}, "EmulateConsole": tty,
                  "CreateStdInPipe": stdin, "CreateStdOutPipe": stdout, "CreateStdErrPipe": stderr}
        if cwd:
            params["WorkingDirectory"] = cwd
        if external:
            params["CreateInUtilityVM"] = True
        ports, listeners = self.alloc_ports(stdin, stdout, stderr)
        mid = self.send(MSG["ExecuteProcess"], {"ContainerId": cid, "ActivityId": NULL_GUID, "Settings": {
            "ProcessParameters": json.dumps(params), "VsockStdioRelaySettings": ports}})
        conns = {}
        for key, ls in listeners.items():
            ls.settimeout(10)
            try:
                conns[key], _ = ls.accept()
            except socket.timeout:
                conns[key] = None
            ls.close()
        typ, msg = self.wait_response(mid)
        return msg, conns

    def wait(self, pid, cid=NULL_GUID, timeout_ms=0xFFFFFFFF):
        return self.call("WaitForProcess", {"ContainerId": cid, "ActivityId": NULL_GUID, "ProcessId": pid,
                                            "TimeoutInMs": timeout_ms}, timeout=60)

    def close(self):
        # shutdown first: a close() while the reader thread sits in recv()
        # would not send the FIN until that recv returns.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
