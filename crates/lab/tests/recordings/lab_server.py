#!/usr/bin/env python3
"""Server of the TIME_WAIT recordings.

    lab_server.py MODE PORT T0 END OUT [--restart-at S] [--reuseaddr]

MODE "wait": accept, read until the client's FIN, close (the client closes
first). MODE "close": accept and close at once (the server closes first).
--reuseaddr sets SO_REUSEADDR on every listener it creates (the first one and
each restart attempt). --restart-at S: at T0 + S the listener is closed (the
"process exits"), then a new socket tries bind() once a second, at T0 + S,
T0 + S + 1, ..., until it succeeds, then listens again.
OUT: one JSON object per second, t_s = k for [T0 + k - 1, T0 + k): accepts,
and with --restart-at, bind: the outcomes of that second's bind() attempts
("ok" or the errno name).
"""
import errno, json, socket, sys, time

args = sys.argv[1:]
reuse = "--reuseaddr" in args
restart_at = None
if "--restart-at" in args:
    restart_at = float(args[args.index("--restart-at") + 1])
mode, port, t0, end, out = args[:5]
port, t0, end = int(port), float(t0), float(end)
rows = {}


def row(t):
    k = int(t - t0) + 1
    return rows.setdefault(k, {"t_s": k, "accepts": 0})


def make_listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("0.0.0.0", port))
    except OSError as e:
        s.close()
        return None, errno.errorcode.get(e.errno, str(e.errno))
    s.listen(1024)
    s.settimeout(0.02)
    return s, "ok"


ls, outcome = make_listener()
assert ls is not None, outcome
print("ready", flush=True)
restarted = False
next_bind = None
while time.time() < end:
    now = time.time()
    if restart_at is not None and not restarted and now >= t0 + restart_at:
        ls.close()
        ls = None
        restarted = True
        next_bind = t0 + restart_at
    if ls is None:
        if now >= next_bind:
            ls, outcome = make_listener()
            row(now).setdefault("bind", []).append(outcome)
            next_bind += 1.0
        else:
            time.sleep(min(0.01, next_bind - now))
        continue
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    row(time.time())["accepts"] += 1
    c.settimeout(2.0)
    if mode == "wait":
        try:
            while c.recv(4096):
                pass
        except OSError:
            pass
    c.close()

with open(out, "w") as f:
    for k in sorted(rows):
        f.write(json.dumps(rows[k]) + "\n")
