#!/usr/bin/env python3
"""Samples one network namespace once a second (run inside it).

    lab_sampler.py T0 N OUT

At T0 + k, k = 0..N, runs
    ss -tan state time-wait          (lines minus the header: time_wait)
    ss -tanH state all               (counts per state, ports of the range)
    nstat -asz                       (absolute counters; -s keeps nstat's
                                      history file, shared by all namespaces,
                                      untouched)
and writes one JSON object per sample: t_s = k, time_wait, states {ss state:
n}, local_ports (distinct local ports of non-listening sockets),
tw_peer_ports (the peer port of each TIME-WAIT socket), late_ms (how
late the sample started), nstat {counter: absolute value}.
"""
import json, subprocess, sys, time

t0, n, out = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
KEEP = ("TcpExtTW", "TcpExtTWRecycled", "TcpExtTWKilled", "TcpExtPAWSTimewait",
        "TcpExtTCPTimeWaitOverflow", "TcpExtTCPACKSkippedTimeWait", "TcpActiveOpens",
        "TcpPassiveOpens", "TcpAttemptFails", "TcpEstabResets", "TcpOutRsts",
        "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPAbortOnClose")
with open(out, "w") as f:
    for k in range(n + 1):
        due = t0 + k
        now = time.time()
        if due > now:
            time.sleep(due - now)
        late = round((time.time() - due) * 1000, 1)
        tw = subprocess.run(["ss", "-tan", "state", "time-wait"], capture_output=True,
                            text=True).stdout.splitlines()
        allst = subprocess.run(["ss", "-tanH", "state", "all"], capture_output=True,
                               text=True).stdout.splitlines()
        ns = subprocess.run(["nstat", "-asz"], capture_output=True, text=True).stdout
        states, ports, tw_peers = {}, set(), []
        for line in allst:
            parts = line.split()
            if len(parts) < 5:
                continue
            states[parts[0]] = states.get(parts[0], 0) + 1
            if parts[0] != "LISTEN":
                ports.add(int(parts[3].rsplit(":", 1)[1]))
            if parts[0] == "TIME-WAIT":
                tw_peers.append(int(parts[4].rsplit(":", 1)[1]))
        counters = {}
        for line in ns.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] in KEEP:
                counters[parts[0]] = int(parts[1])
        f.write(json.dumps({"t_s": k, "time_wait": max(0, len(tw) - 1), "states": states,
                            "local_ports": sorted(ports),
                            "tw_peer_ports": sorted(tw_peers), "late_ms": late,
                            "nstat": counters}) + "\n")
        f.flush()
