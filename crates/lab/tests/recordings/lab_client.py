#!/usr/bin/env python3
"""Client of the TIME_WAIT recordings: opens connections at a fixed rate.

    lab_client.py MODE DST PORT RATE T0 END OUT

MODE "close" closes each connection right after connect() returns (the client
closes first, so TIME_WAIT lands here); MODE "wait" reads until the server's
FIN, then closes (the server closes first). The i-th connect() is scheduled at
T0 + i/RATE (epoch seconds); a late one goes as soon as it can, never skipped.
OUT gets one JSON object per second: t_s = k counts the attempts made in
[T0 + k - 1, T0 + k): connects (connect() calls), connects_ok,
connect_failures, errors {errno name: n}, late_ms_max (how far behind
schedule the worst attempt of that second was) and connect_ms_mean (the time
connect() took, one RTT plus system time, over the successful ones).
"""
import errno, json, socket, sys, time

mode, dst, port, rate, t0, end, out = sys.argv[1:8]
port, rate, t0, end = int(port), float(rate), float(t0), float(end)
rows = {}


def row(k):
    return rows.setdefault(k, {"t_s": k, "connects": 0, "connects_ok": 0,
                               "connect_failures": 0, "errors": {}, "late_ms_max": 0.0,
                               "connect_ms_sum": 0.0})


i = 0
while True:
    due = t0 + i / rate
    if due >= end:
        break
    now = time.time()
    if due > now:
        time.sleep(due - now)
    start = time.time()
    r = row(int(start - t0) + 1)
    r["connects"] += 1
    r["late_ms_max"] = max(r["late_ms_max"], round((start - due) * 1000, 1))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect((dst, port))
        r["connects_ok"] += 1
        r["connect_ms_sum"] += (time.time() - start) * 1000
        if mode == "wait":
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
    except socket.timeout:
        r["connect_failures"] += 1
        r["errors"]["TIMEOUT"] = r["errors"].get("TIMEOUT", 0) + 1
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno))
        r["connect_failures"] += 1
        r["errors"][name] = r["errors"].get(name, 0) + 1
    s.close()
    i += 1

with open(out, "w") as f:
    for k in sorted(rows):
        r = rows[k]
        total = r.pop("connect_ms_sum")
        r["connect_ms_mean"] = round(total / r["connects_ok"], 3) if r["connects_ok"] else None
        f.write(json.dumps(rows[k]) + "\n")
