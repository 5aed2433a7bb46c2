#!/usr/bin/env python3
"""Merges one case's raw files into CASE.jsonl (one object per second).

    lab_merge.py RAW_DIR N PORT_LO PORT_HI OUT

Gauges (time_wait_*, established_*, ports_in_use, states_*) are the samples
taken at T0 + t_s; counters (connects, connect_failures, errors, tw_reused,
tw_overflow, nstat_*) are what happened in [T0 + t_s - 1, T0 + t_s): the
client's own counts, and nstat deltas between the two samples.
"""
import json, sys

raw, n, lo, hi, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def load(name):
    try:
        return {r["t_s"]: r for r in map(json.loads, open(f"{raw}/{name}"))}
    except FileNotFoundError:
        return {}


cs, ss, cl, sv = load("samples-client.jsonl"), load("samples-server.jsonl"), load(
    "client.jsonl"), load("server.jsonl")


def delta(samples, k):
    a, b = samples.get(k - 1, {}).get("nstat", {}), samples.get(k, {}).get("nstat", {})
    return {c: b[c] - a.get(c, 0) for c in b if b[c] - a.get(c, 0)}


with open(out, "w") as f:
    for k in range(1, n + 1):
        c, s = cs.get(k, {}), ss.get(k, {})
        dc, ds = delta(cs, k), delta(ss, k)
        cr = cl.get(k, {})
        row = {
            "t_s": k,
            "time_wait_client": c.get("time_wait"),
            "time_wait_server": s.get("time_wait"),
            "established_client": c.get("states", {}).get("ESTAB", 0),
            "established_server": s.get("states", {}).get("ESTAB", 0),
            "ports_in_use": sum(1 for p in c.get("local_ports", []) if lo <= p <= hi),
            "connects": cr.get("connects", 0),
            "connects_ok": cr.get("connects_ok", 0),
            "connect_failures": cr.get("connect_failures", 0),
            "errors": cr.get("errors", {}),
            "tw_reused": dc.get("TcpExtTWRecycled", 0) + ds.get("TcpExtTWRecycled", 0),
            "tw_overflow": dc.get("TcpExtTCPTimeWaitOverflow", 0)
            + ds.get("TcpExtTCPTimeWaitOverflow", 0),
            "accepts": sv.get(k, {}).get("accepts", 0),
        }
        if any("bind" in r for r in sv.values()):
            row["bind"] = sv.get(k, {}).get("bind", [])
        row.update({
            "states_client": c.get("states", {}),
            "states_server": s.get("states", {}),
            "nstat_client": dc,
            "nstat_server": ds,
            "client_late_ms_max": cr.get("late_ms_max", 0.0),
            "connect_ms_mean": cr.get("connect_ms_mean"),
            "sample_late_ms": [c.get("late_ms"), s.get("late_ms")],
        })
        f.write(json.dumps(row) + "\n")
