#!/usr/bin/env bash
# Records real Linux TIME_WAIT accumulation as fixtures for a test of the lab
# model (`farewell lab`). Run as root on a Linux host; CI never runs it (a test
# only reads the files).
#
#   crates/lab/tests/recordings/record.sh                   # every case, 2 lanes
#   crates/lab/tests/recordings/record.sh server-close      # one case
#
# Needs: ip (iproute2), ss, nstat, python3 (3.8+, standard library only), ping
# (optional, for the RTT line of the meta file). Takes about 4 minutes for all
# cases (two lanes in parallel: 70 + 70 + 40 s and 70 + 70 + 80 s).
# Each case overwrites <case>.jsonl, <case>.meta.json and raw/<case>/.
#
# Set-up per case (fresh each time, so no TIME_WAIT sockets or counters leak
# from one case into the next):
#   * two network namespaces, fwlab-c<lane> (client, 10.0.<lane>.1/24) and
#     fwlab-s<lane> (server, 10.0.<lane>.2/24), joined by a plain veth pair: no delay
#     relay, the RTT is what veth gives (~0.05 ms; ping's figure is in the meta).
#   * client namespace sysctls: net.ipv4.ip_local_port_range = "40000 40499"
#     (500 ports), tcp_tw_reuse, tcp_timestamps, tcp_max_tw_buckets per case;
#     the server namespace gets the case's tcp_timestamps, the rest default.
#   * lab_server.py listens on port 80; lab_client.py opens connections at
#     RATE per second from T0 (scheduled at T0 + i/RATE) to T0 + DURATION.
#   * lab_sampler.py in each namespace samples ss and nstat at T0 + k.
#   * lab_merge.py joins them into <case>.jsonl (see README.md for the fields).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
PY="$(python3 -c 'import sys; print(sys.executable)')"
RATE=20
PORT_LO=40000
PORT_HI=40499
ALL_CASES=(client-close-reuse0 client-close-reuse1 server-close max-tw-buckets-100
    restart-reuseaddr restart-no-reuseaddr)

# Per case: closer tw_reuse timestamps max_tw_buckets(client) duration_s [server args]
params_for() {
    case "$1" in
    client-close-reuse0) echo "client 0 1 131072 70" ;;
    client-close-reuse1) echo "client 1 1 131072 70" ;;
    server-close) echo "server 0 1 131072 70" ;;
    max-tw-buckets-100) echo "client 0 1 100 70" ;;
    restart-reuseaddr) echo "server 0 1 131072 40 --restart-at 10 --reuseaddr" ;;
    # 80 s: without SO_REUSEADDR bind() fails until the last TIME_WAIT socket
    # made before the restart (t = 10 s) expires, 60 s and a timer tick later.
    restart-no-reuseaddr) echo "server 0 1 131072 80 --restart-at 10" ;;
    *) echo "unknown case $1" >&2; return 1 ;;
    esac
}

delete_ns() { # lane
    ip netns del "fwlab-c$1" 2>/dev/null || true
    ip netns del "fwlab-s$1" 2>/dev/null || true
}

record() { # lane case
    local lane=$1 case=$2 C="fwlab-c$1" S="fwlab-s$1"
    # Each lane its own addresses: the kernel's port walk (`table_perturb` in
    # net/ipv4/inet_hashtables.c) is one table for all network namespaces,
    # indexed by a hash of (source, destination, destination port), so two
    # lanes connecting 10.0.0.1 -> 10.0.0.2:80 at once would advance each
    # other's walk (the first recordings did: twice the port step).
    local CA="10.0.$lane.1" SA="10.0.$lane.2"
    local closer reuse ts maxtw duration server_args
    read -r closer reuse ts maxtw duration server_args <<<"$(params_for "$case")"
    duration=${FWLAB_DURATION:-$duration} # a shorter run, to try the script out
    echo "== $case (lane $lane): closer=$closer tw_reuse=$reuse timestamps=$ts max_tw_buckets=$maxtw ${duration}s $server_args"
    delete_ns "$lane"
    ip netns add "$C"
    ip netns add "$S"
    ip -n "$C" link set lo up
    ip -n "$S" link set lo up
    ip -n "$C" link add vc type veth peer name vs netns "$S"
    ip -n "$C" addr add "$CA/24" dev vc
    ip -n "$S" addr add "$SA/24" dev vs
    ip -n "$C" link set vc up
    ip -n "$S" link set vs up
    ip netns exec "$C" sysctl -qw net.ipv4.ip_local_port_range="$PORT_LO $PORT_HI"
    ip netns exec "$C" sysctl -qw net.ipv4.tcp_tw_reuse="$reuse"
    ip netns exec "$C" sysctl -qw net.ipv4.tcp_timestamps="$ts"
    ip netns exec "$C" sysctl -qw net.ipv4.tcp_max_tw_buckets="$maxtw"
    ip netns exec "$S" sysctl -qw net.ipv4.tcp_timestamps="$ts"

    local raw="$HERE/raw/$case"
    rm -rf "$raw"
    mkdir -p "$raw"
    local rtt="ping not found (connect_ms_mean in the rows is one RTT plus system time)"
    if command -v ping >/dev/null; then
        rtt=$(ip netns exec "$C" ping -q -c 5 -i 0.2 "$SA" | tail -1)
    fi
    local sysctl_c sysctl_s
    sysctl_c=$(ip netns exec "$C" sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse \
        net.ipv4.tcp_tw_reuse_delay net.ipv4.tcp_timestamps net.ipv4.tcp_max_tw_buckets \
        net.ipv4.tcp_fin_timeout | tr '\t' ' ')
    sysctl_s=$(ip netns exec "$S" sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse \
        net.ipv4.tcp_tw_reuse_delay net.ipv4.tcp_timestamps net.ipv4.tcp_max_tw_buckets \
        net.ipv4.tcp_fin_timeout | tr '\t' ' ')

    local cmode smode
    if [[ $closer == client ]]; then cmode=close smode=wait; else cmode=wait smode=close; fi
    local t0 end
    t0=$("$PY" -c 'import time; print(f"{time.time() + 1.5:.6f}")')
    end=$("$PY" -c "print(f'{$t0 + $duration:.6f}')")
    local cmd_server="$PY -u $HERE/lab_server.py $smode 80 $t0 $end $raw/server.jsonl $server_args"
    local cmd_client="$PY -u $HERE/lab_client.py $cmode $SA 80 $RATE $t0 $end $raw/client.jsonl"
    local cmd_samp_c="$PY -u $HERE/lab_sampler.py $t0 $duration $raw/samples-client.jsonl"
    local cmd_samp_s="$PY -u $HERE/lab_sampler.py $t0 $duration $raw/samples-server.jsonl"
    # shellcheck disable=SC2086
    ip netns exec "$S" $cmd_server >"$raw/server.log" 2>&1 &
    local server=$!
    for _ in $(seq 100); do grep -qs ready "$raw/server.log" && break; sleep 0.05; done
    # shellcheck disable=SC2086
    ip netns exec "$C" $cmd_samp_c >"$raw/sampler-client.log" 2>&1 &
    local sc=$!
    # shellcheck disable=SC2086
    ip netns exec "$S" $cmd_samp_s >"$raw/sampler-server.log" 2>&1 &
    local sv=$!
    # shellcheck disable=SC2086
    ip netns exec "$C" $cmd_client >"$raw/client.log" 2>&1 &
    local cl=$!
    wait "$cl" "$server" "$sc" "$sv"
    "$PY" "$HERE/lab_merge.py" "$raw" "$duration" "$PORT_LO" "$PORT_HI" "$HERE/$case.jsonl"
    ip netns exec "$C" ss -tan state all >"$raw/ss-client-at-end.txt" || true
    ip netns exec "$S" ss -tan state all >"$raw/ss-server-at-end.txt" || true
    # The per-second port lists are large; keep them compressed.
    gzip -f "$raw/samples-client.jsonl" "$raw/samples-server.jsonl"
    CASE="$case" CLOSER="$closer" RATE="$RATE" DURATION="$duration" T0="$t0" RTT="$rtt" \
        SYSCTL_C="$sysctl_c" SYSCTL_S="$sysctl_s" SERVER_ARGS="$server_args" CA="$CA" SA="$SA" \
        CMDS="$(printf '%s\n' \
            "ip netns exec $S $cmd_server" "ip netns exec $C $cmd_client" \
            "ip netns exec $C $cmd_samp_c" "ip netns exec $S $cmd_samp_s" \
            "sampler commands each second: ss -tan state time-wait (wc -l minus header); ss -tanH state all; nstat -asz")" \
        "$PY" - "$HERE/$case.meta.json" <<'PY'
import datetime, json, os, platform, sys
json.dump({
    "case": os.environ["CASE"],
    "closer": os.environ["CLOSER"],
    "rate_per_s": float(os.environ["RATE"]),
    "duration_s": int(os.environ["DURATION"]),
    "server_args": os.environ["SERVER_ARGS"],
    "t0_epoch": float(os.environ["T0"]),
    "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "kernel": platform.release(),
    "uname": " ".join(platform.uname()),
    "wire": "veth pair, no delay (RTT from ping below)",
    "ping": os.environ["RTT"],
    "client": {"netns": "fwlab-c", "addr": os.environ["CA"],
               "sysctl": os.environ["SYSCTL_C"].splitlines()},
    "server": {"netns": "fwlab-s", "addr": os.environ["SA"], "port": 80,
               "sysctl": os.environ["SYSCTL_S"].splitlines()},
    "commands": os.environ["CMDS"].splitlines(),
}, open(sys.argv[1], "w"), indent=2)
open(sys.argv[1], "a").write("\n")
PY
    delete_ns "$lane"
    echo "   $case done: $(wc -l <"$HERE/$case.jsonl") rows"
}

if [[ ${1:-} == --lane ]]; then
    lane=$2
    shift 2
    trap 'delete_ns '"$lane" EXIT
    for c in "$@"; do record "$lane" "$c"; done
    exit 0
fi

LANES=()
cleanup() {
    for p in "${LANES[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    delete_ns 1
    delete_ns 2
}
trap cleanup EXIT

if [[ $# -gt 0 ]]; then
    cases=("$@")
    for c in "${cases[@]}"; do params_for "$c" >/dev/null; done
    bash "$0" --lane 1 "${cases[@]}" &
    LANES+=($!)
else
    # Two lanes in parallel (separate namespace pairs), about equal in length.
    bash "$0" --lane 1 client-close-reuse0 server-close restart-reuseaddr &
    LANES+=($!)
    bash "$0" --lane 2 client-close-reuse1 max-tw-buckets-100 restart-no-reuseaddr &
    LANES+=($!)
fi
status=0
for p in "${LANES[@]}"; do wait "$p" || status=1; done
LANES=()
exit $status
