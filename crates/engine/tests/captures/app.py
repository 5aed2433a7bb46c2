#!/usr/bin/env python3
"""One side of a recorded scenario: does exactly the scenario's application calls.

usage: app.py A|B SCENARIO.json T0_EPOCH END_EPOCH

The actions are read from the same scenario.json the engine runs, so the recording
and the simulation cannot drift apart. `at_ms` is measured from T0_EPOCH (a
CLOCK_REALTIME instant, the clock `tcpdump -tt` prints); `after_eof_ms` from the
moment this application's read() returned 0. The connection is set up *before* T0
(A binds 10.0.0.1:40000 and connects to 10.0.0.2:80, as `Host::socket_addr()`),
because the engine's scenarios start ESTABLISHED at t = 0; with `"handshake": true`
A connects at T0 instead, as the engine's A does.

Each application event is logged on stdout as "<ms since T0> <event>" so the
fixture shows what the applications saw (EOF, ECONNRESET, ...).
"""
import errno
import json
import select
import socket
import struct
import sys
import time

ADDR = {"A": ("10.0.0.1", 40000), "B": ("10.0.0.2", 80)}


# An action this late (a busy machine held the process off) spoils the case:
# the test refuses a recording whose apps.txt has a WARNING.
LATE_MS = 5.0


def main():
    me, path, t0, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    scenario = json.load(open(path))
    reads = scenario.get("hosts", {}).get(me, {}).get("app_reads", True)
    timed = sorted(
        (a["at_ms"], i, a) for i, a in enumerate(scenario["actions"])
        if a["host"] == me and "at_ms" in a
    )
    on_eof = [a for a in scenario["actions"] if a["host"] == me and "after_eof_ms" in a]

    def now_ms():
        return (time.time() - t0) * 1000.0

    def log(what):
        print(f"{now_ms():9.3f} {me} {what}", flush=True)

    handshake = scenario.get("handshake", False)
    hosts = scenario.get("hosts", {})
    # A reconnects (a later `connect` action): B keeps its listener, so the
    # SYN finds it behind a TIME_WAIT, as the engine's listening B does.
    reconnects = any(a["do"] == "connect" for a in scenario["actions"])
    keep_listening = hosts.get("B", {}).get("listen", reconnects)
    # hosts.A.bind (default true): A binds 10.0.0.1:40000 before connect().
    # false: connect() chooses the port; record.sh narrows A's
    # ip_local_port_range to 40000-40000, so it is the same port.
    bind = hosts.get(me, {}).get("bind", True)

    def connect():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if bind:
            s.bind(ADDR["A"])
        try:
            s.connect(ADDR["B"])
        except OSError as e:
            s.close()
            log(f"connect error {errno.errorcode.get(e.errno, e.errno)}")
            return None
        log(f"established (local port {s.getsockname()[1]})")
        return s

    lst = None
    if me == "B":
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(ADDR["B"])
        lst.listen(4)
        sock, _ = lst.accept()
        log("established")
        if not keep_listening:
            # One connection per recording: stop listening, so a stray segment
            # later is answered by the kernel as "no connection" (RST).
            lst.close()
            lst = None
    else:
        if handshake:
            # "handshake": true: the engine's A sends its SYN at t = 0.
            time.sleep(max(0.0, t0 - time.time()))
            if now_ms() > LATE_MS:
                log(f"WARNING: connect {now_ms():.1f} ms late")
        sock = connect()
        if sock is None:
            sys.exit(2)
    if not handshake and time.time() >= t0:
        log("WARNING: connection set up after T0")

    pending = list(timed)  # (due_ms, index, action)
    is_open = True  # the file descriptor
    reading = reads
    eof_fired = False  # after_eof actions run once, on the first EOF, as in the engine
    while pending or (is_open and reading) or lst is not None:
        if now_ms() > (end - t0) * 1000.0:
            log("recording ends")
            break
        pending.sort()
        due = pending[0][0] if pending else (end - t0) * 1000.0
        def watched():
            return ([sock] if is_open and reading else []) + ([lst] if lst else [])

        while due - now_ms() > 0:
            wait = (due - now_ms()) / 1000.0
            if watched():
                r, _, _ = select.select(watched(), [], [], wait)
                if r:
                    break
            else:
                time.sleep(wait)
        if lst is not None and select.select([lst], [], [], 0)[0]:
            # A new connection (the SYN found TIME_WAIT, or no socket at all):
            # later actions are on it.
            sock, _ = lst.accept()
            is_open, reading = True, reads
            log("established")
            continue
        if is_open and reading and select.select([sock], [], [], 0)[0]:
            try:
                data = sock.recv(65536)
            except OSError as e:
                log(f"read error {e.errno and __import__('errno').errorcode[e.errno]}")
                reading = False
                continue
            if data:
                log(f"read {len(data)} bytes")
            else:
                log("read EOF")
                reading = False
                t = now_ms()
                if not eof_fired:
                    eof_fired = True
                    for a in on_eof:
                        pending.append((t + a["after_eof_ms"], -1, a))
            continue
        if not pending or pending[0][0] > now_ms():
            continue
        due, _, a = pending.pop(0)
        what = a["do"]
        if now_ms() - due > LATE_MS:
            log(f"WARNING: {what} {now_ms() - due:.1f} ms late")
        try:
            if what == "send":
                sock.sendall(b"x" * a["bytes"])
                log(f"send {a['bytes']} bytes")
            elif what == "close":
                sock.close()
                is_open = False
                log("close")
            elif what == "shutdown_write":
                sock.shutdown(socket.SHUT_WR)
                log("shutdown(SHUT_WR)")
            elif what == "connect":
                # A new socket on the same 4-tuple; the old one was closed.
                new = connect()
                if new is not None:
                    sock, is_open, reading = new, True, reads
            elif what == "abort":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
                is_open = False
                log("close with SO_LINGER {1, 0}")
            else:
                log(f"unsupported action {what}")
                sys.exit(2)
        except OSError as e:
            log(f"{what} error {e}")
    # Stay until the recording ends: a socket the scenario never closes must not
    # be closed by the process exiting, and an interpreter shutting down (a few
    # ms of CPU at real-time priority) must not delay the relay or the pollers
    # in the middle of the close.
    time.sleep(max(0.0, end - time.time()))
    log("exit")


if __name__ == "__main__":
    main()
