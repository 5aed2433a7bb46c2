#!/usr/bin/env bash
# Records real Linux TCP closes as fixtures for tests/linux_captures.rs.
# Run as root on a Linux host; CI never runs it (the test only reads the files).
#
#   crates/engine/tests/captures/record.sh            # every case
#   crates/engine/tests/captures/record.sh lost-fin   # one case
#
# Needs: ip (iproute2), nsenter, tcpdump, dumpcap (wireshark-common), nft, python3 (3.8+, standard library
# only), chrt (optional), and /dev/net/tun. Takes ~3 minutes for all cases
# (fin-wait-2-timeout alone records 90 s). Each case overwrites its fixture
# files; to check a fresh recording against the engine before replacing the
# fixtures, copy this directory, run the copy's record.sh, and run
#   FAREWELL_CAPTURES_DIR=/path/to/copy cargo test -p farewell-engine --test linux_captures
#
# Adding a case: write <case>/scenario.json (its "time_limit_ms" is how long
# the case is recorded, its link's "delay_ms" the one-way delay), add its drops
# to rules_for and its tunables to sysctls_for when they are not the defaults,
# add it to the list at the bottom, record it, and list it in
# tests/linux_captures.rs (MATCHING, or KNOWN_DIFFERENCES with the reason).
# A case named <base>-<N>ms (lost-fin-100ms) is <base> at another one-way
# delay, <base>-ts (lost-fin-ts) is <base> with TCP timestamps on, and
# <base>-ts-<N>ms both: each takes <base>'s drops and sysctls, and its own
# scenario.json. matrix.py writes the scenarios of the delay x timestamps
# matrix (every base case with timestamps on at 1, 5, 20 and 100 ms);
#   crates/engine/tests/captures/record.sh $(crates/engine/tests/captures/matrix.py --list)
# records them all (~15 minutes).
#
# Set-up per case (fresh each time, so no cached route metrics or TIME_WAIT
# sockets leak from one case into the next):
#   * two network namespaces, fwcap-a (host A, 10.0.0.1) and fwcap-b (host B,
#     10.0.0.2), the addresses of `Host::socket_addr()`; A binds port 40000
#     explicitly, B listens on port 80.
#   * the wire between them: the intended set-up was a veth pair with
#     `tc qdisc add dev X root netem delay 20ms` on both ends, but this machine's
#     kernel has no sch_netem (no qdisc modules at all, and no modprobe), so the
#     namespaces are joined by two TUN devices (fwa, fwb) and relay.py, which
#     copies packets between them after DELAY_MS (the scenario's link.delay_ms:
#     20 ms one way for the cases without a delay in their name), as netem would.
#   * net.ipv4.tcp_timestamps in both namespaces follows the scenario's
#     `tunables.timestamps`: 0 where it says false (every case recorded before
#     the engine modelled RFC 7323), else the kernel's default 1 (the -ts
#     cases: TSval/TSecr on every segment, 1448 payload bytes in a 1500-byte
#     packet). Everything else is the kernel's per-namespace default
#     (tcp_rfc1337 = 0, tcp_fin_timeout = 60, ...) unless sysctls_for sets a
#     case's tunable (rfc1337).
#   * the scenario's `duplicates` (an old duplicate held back in the network) are
#     made by relay.py, which reads them from scenario.json: nft can copy a
#     packet but not delay the copy.
#   * nft rules in the *receiving* namespace's input chain drop the chosen
#     segments. Dropping on input (not output) means the segment still appears in
#     both captures, like the engine's "dropped" segments do in a trace. A
#     conntrack mark counts the matches, so "drop the first FIN" drops exactly one.
#   * `tcpdump -tt -S -n -l` on both TUN devices: capture-a.txt is what A's
#     interface saw (A's segments at their send time, B's at their arrival time,
#     DELAY_MS later), capture-b.txt the same from B's side. The test takes each
#     segment's send time from its sender's capture, so the delay never has to be
#     subtracted by guesswork; it checks arrival - send = DELAY_MS instead.
#   * states.py polls each host's socket state every 1 ms from /proc/net/tcp (what
#     ss shows) and logs the changes: states.txt.
#   * app.py runs each host's application calls from the case's scenario.json:
#     the connection is set up before T0 (with "handshake": true, A connects at
#     T0), then `at_ms` counts from T0. A later `connect` is a new socket on
#     the same 4-tuple (bound to 40000 first unless hosts.A.bind is false), and
#     B then keeps its listener, as the engine's listening B: the reconnection
#     cases (syn-into-time-wait*, tw-reuse*, old-duplicate-paws).
#     recording.json keeps T0 (epoch seconds, the clock tcpdump -tt prints),
#     the delay, the kernel version, the sysctls, the nft rules with their
#     counters and `ss -tano` on both hosts when the recording stopped.
#
# Output per case: captures/<case>/{capture-a.txt, capture-b.txt, states.txt,
# apps.txt, recording.json}, and capture-a.pcap (`tcpdump -i any -w`),
# capture-b.pcapng (dumpcap): the same packets, for the capture reader (the
# matrix cases and any case recorded since; some matrix cases have
# capture-b.pcap, tcpdump -w on the TUN device, from before dumpcap); scenario.json is the input (a copy of the built-in
# scenario of the same name plus time_limit_ms, or an extra case written here).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
NS_A=fwcap-a
NS_B=fwcap-b
NS_PARENT=fwcap-parent
TUN_A=fwa
TUN_B=fwb
# Real-time priority for the relay and the applications: the machine is shared,
# and a relay that wakes late stretches the 20 ms delay. The relay ranks above the
# applications: two SCHED_FIFO interpreters exiting at once on a 2-core machine
# otherwise held the relay off for 9 ms (seen in simultaneous-close).
RT="" RT_RELAY="" RT_POLL=""
if command -v chrt >/dev/null; then RT="chrt -f 10" RT_RELAY="chrt -f 20" RT_POLL="chrt -f 5"; fi
# Under load the kernel hands packet processing to ksoftirqd, an ordinary
# thread: a busy build then held packets written to the TUN devices up to
# 25 ms (seen: 20 ms trips of 44 ms). Above the relay, it never waits.
if command -v chrt >/dev/null; then
    for p in $(pgrep ksoftirqd); do chrt -f -p 25 "$p" || true; done
fi

# nft rules per case: "<namespace> <rule>" lines added to an input chain there.
# Drops are counted with the conntrack mark: mark 0 -> 1 on the first match, ...
# $2 is the IPv4 + TCP header length of a segment without data: 40, or 52 with
# the 12-byte timestamp option.
rules_for() {
    local hdr=$2
    case "$1" in
    lost-fin)
        # A's first FIN never reaches B.
        echo "$NS_B ip saddr 10.0.0.1 tcp flags & fin == fin ct mark 0 ct mark set 1 counter drop"
        ;;
    lost-final-ack)
        # After A's FIN (mark 1), A's first pure ACK (the ACK of B's FIN) is lost.
        echo "$NS_B ip saddr 10.0.0.1 tcp flags & fin == fin ct mark 0 ct mark set 1 counter"
        echo "$NS_B ip saddr 10.0.0.1 tcp flags == ack ct mark 1 ct mark set 2 counter drop"
        ;;
    lost-data)
        # A's second data segment and its first retransmission never reach B
        # (length > $hdr: it carries data; no SYN: the SYN's options make it longer).
        # nft runs a chain's rules in order, so the later marks come first: a
        # packet that sets mark 1 must not go on to match "ct mark 1".
        echo "$NS_B ip saddr 10.0.0.1 ip length > $hdr tcp flags & syn == 0 ct mark 2 ct mark set 3 counter drop"
        echo "$NS_B ip saddr 10.0.0.1 ip length > $hdr tcp flags & syn == 0 ct mark 1 ct mark set 2 counter drop"
        echo "$NS_B ip saddr 10.0.0.1 ip length > $hdr tcp flags & syn == 0 ct mark 0 ct mark set 1 counter"
        ;;
    fin-lost-twice)
        # B's FIN and its first retransmission never reach A.
        echo "$NS_A ip saddr 10.0.0.2 tcp flags & fin == fin ct mark 0 ct mark set 1 counter drop"
        echo "$NS_A ip saddr 10.0.0.2 tcp flags & fin == fin ct mark 1 ct mark set 2 counter drop"
        ;;
    *) ;;
    esac
}

# A number from the case's scenario.json: `scenario_number FILE EXPR`, EXPR in
# Python over the parsed object `s`. time_limit_ms is how long to record after
# T0: long enough for every retransmission of the case, short enough not to sit
# through TIME_WAIT (60 s on Linux, silent anyway).
scenario_number() {
    python3 -c "import json, sys; s = json.load(open(sys.argv[1])); print($2)" "$1"
}

# Per-case sysctls: "<namespace> <name>=<value>" lines (the scenario's tunables).
# $2 is the case's scenario.json: its tunables.tw_reuse and tw_reuse_delay_ms
# become A's tcp_tw_reuse and tcp_tw_reuse_delay, and hosts.A.bind = false
# (connect() chooses A's port) narrows A's ip_local_port_range to 40000-40000,
# the one port the engine's A has.
sysctls_for() {
    case "$1" in
    rst-in-time-wait-rfc1337) echo "$NS_A net.ipv4.tcp_rfc1337=1" ;;
    *) ;;
    esac
    python3 - "$2" "$NS_A" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ns = sys.argv[2]
t = s.get("tunables", {})
if "tw_reuse" in t:
    print(f"{ns} net.ipv4.tcp_tw_reuse={t['tw_reuse']}")
if "tw_reuse_delay_ms" in t:
    print(f"{ns} net.ipv4.tcp_tw_reuse_delay={int(t['tw_reuse_delay_ms'])}")
if not s.get("hosts", {}).get("A", {}).get("bind", True):
    print(f"{ns} net.ipv4.ip_local_port_range=40000 40000")
PY
}

cleanup() {
    [[ -n "${TCPDUMP_A:-}" ]] && kill -INT "$TCPDUMP_A" 2>/dev/null || true
    [[ -n "${TCPDUMP_B:-}" ]] && kill -INT "$TCPDUMP_B" 2>/dev/null || true
    [[ -n "${PCAP_A:-}" ]] && kill -INT "$PCAP_A" 2>/dev/null || true
    [[ -n "${PCAP_B:-}" ]] && kill -INT "$PCAP_B" 2>/dev/null || true
    [[ -n "${RELAY:-}" ]] && kill -TERM "$RELAY" 2>/dev/null || true
    wait 2>/dev/null || true
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    ip netns del "$NS_PARENT" 2>/dev/null || true
    TCPDUMP_A="" TCPDUMP_B="" PCAP_A="" PCAP_B="" RELAY=""
}
trap cleanup EXIT

wait_for() { # file pattern
    for _ in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "timed out waiting for '$2' in $1" >&2
    cat "$1" >&2
    return 1
}

record() {
    local case=$1 dir="$HERE/$1" base=$1
    [[ -f "$dir/scenario.json" ]] || { echo "$dir/scenario.json missing" >&2; exit 1; }
    if [[ $base =~ ^(.+)-[0-9]+ms$ ]]; then base=${BASH_REMATCH[1]}; fi
    base=${base%-ts}
    local DELAY_MS TS HDR=40
    DELAY_MS=$(scenario_number "$dir/scenario.json" 's["link"]["delay_ms"]')
    TS=$(scenario_number "$dir/scenario.json" 'int(s.get("tunables", {}).get("timestamps", True))')
    if [[ $TS == 1 ]]; then HDR=52; fi
    echo "== $case ($DELAY_MS ms one way, tcp_timestamps=$TS)"
    cleanup
    # Created from inside NS_PARENT, whose tcp_child_ehash_entries gives them a
    # small private TCP hash table (net/ipv4/tcp_ipv4.c, tcp_set_hashinfo):
    # with the host's shared 262144-bucket table, each read of /proc/net/tcp took
    # ~8 ms and states.py saw state changes 10-20 ms late; now ~0.06 ms.
    ip netns add "$NS_PARENT"
    ip netns exec "$NS_PARENT" sysctl -qw net.ipv4.tcp_child_ehash_entries=1024
    nsenter --net="/run/netns/$NS_PARENT" ip netns add "$NS_A"
    nsenter --net="/run/netns/$NS_PARENT" ip netns add "$NS_B"
    for ns in "$NS_A" "$NS_B"; do
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv4.tcp_timestamps="$TS"
    done

    local sysctls
    sysctls=$(sysctls_for "$base" "$dir/scenario.json")
    if [[ -n "$sysctls" ]]; then
        while read -r ns setting; do
            ip netns exec "$ns" sysctl -qw "$setting"
        done <<<"$sysctls"
    fi

    # T0: the instant the scenario's `at_ms` counts from, on tcpdump's clock. Two
    # seconds ahead leaves time to set up the wire and the captures, and to
    # connect before T0 when the scenario starts ESTABLISHED.
    local duration t0 end
    duration=$(scenario_number "$dir/scenario.json" 's["time_limit_ms"]')
    t0=$(python3 -c 'import time; print(f"{time.time() + 2.0:.6f}")')
    end=$(python3 -c "print(f'{$t0 + $duration / 1000:.6f}')")

    local tmp
    tmp=$(mktemp -d)
    $RT_RELAY python3 -u "$HERE/relay.py" "$NS_A" "$TUN_A" "$NS_B" "$TUN_B" "$DELAY_MS" \
        "$dir/scenario.json" "$t0" >"$tmp/relay.out" 2>&1 &
    RELAY=$!
    wait_for "$tmp/relay.out" ready
    ip -n "$NS_A" addr add 10.0.0.1 peer 10.0.0.2 dev "$TUN_A"
    ip -n "$NS_B" addr add 10.0.0.2 peer 10.0.0.1 dev "$TUN_B"
    ip -n "$NS_A" link set "$TUN_A" up
    ip -n "$NS_B" link set "$TUN_B" up

    local rules
    rules=$(rules_for "$base" "$HDR")
    for ns in "$NS_A" "$NS_B"; do
        ip netns exec "$ns" nft add table inet farewell
        ip netns exec "$ns" nft add chain inet farewell input '{ type filter hook input priority 0; policy accept; }'
    done
    if [[ -n "$rules" ]]; then
        while read -r ns rule; do
            ip netns exec "$ns" nft add rule inet farewell input $rule
        done <<<"$rules"
    fi

    ip netns exec "$NS_A" tcpdump -i "$TUN_A" -tt -S -n -l tcp >"$tmp/capture-a.txt" 2>"$tmp/tcpdump-a.err" &
    TCPDUMP_A=$!
    ip netns exec "$NS_B" tcpdump -i "$TUN_B" -tt -S -n -l tcp >"$tmp/capture-b.txt" 2>"$tmp/tcpdump-b.err" &
    TCPDUMP_B=$!
    # The same packets again, as capture files, for the capture reader's
    # tests (crates/capture/tests/linux_states.rs: the states it infers from
    # either side's capture against states.txt), in the three forms an
    # engineer brings: on A, `tcpdump -i any -w` (pcap, Linux cooked v2
    # headers); on B, dumpcap (Wireshark's recorder: pcapng, raw IP). -s 200
    # keeps the headers and cuts the payload, as a snap length does.
    ip netns exec "$NS_A" tcpdump -i any --immediate-mode -U -s 200 -w "$tmp/capture-a.pcap" tcp 2>"$tmp/tcpdump-wa.err" &
    PCAP_A=$!
    ip netns exec "$NS_B" dumpcap -q -i "$TUN_B" -s 200 -f tcp -w "$tmp/capture-b.pcapng" 2>"$tmp/dumpcap-b.err" &
    PCAP_B=$!
    wait_for "$tmp/tcpdump-a.err" "listening on"
    wait_for "$tmp/tcpdump-b.err" "listening on"
    wait_for "$tmp/tcpdump-wa.err" "listening on"
    for _ in $(seq 100); do [[ -s "$tmp/capture-b.pcapng" ]] && break; sleep 0.05; done
    [[ -s "$tmp/capture-b.pcapng" ]] || { echo "dumpcap did not start" >&2; cat "$tmp/dumpcap-b.err" >&2; return 1; }

    ip netns exec "$NS_A" $RT_POLL python3 -u "$HERE/states.py" A "$t0" "$end" >"$tmp/states-a.txt" 2>&1 &
    local states_a=$!
    ip netns exec "$NS_B" $RT_POLL python3 -u "$HERE/states.py" B "$t0" "$end" >"$tmp/states-b.txt" 2>&1 &
    local states_b=$!
    ip netns exec "$NS_B" $RT python3 -u "$HERE/app.py" B "$dir/scenario.json" "$t0" "$end" >"$tmp/app-b.txt" 2>&1 &
    local app_b=$!
    sleep 0.2
    ip netns exec "$NS_A" $RT python3 -u "$HERE/app.py" A "$dir/scenario.json" "$t0" "$end" >"$tmp/app-a.txt" 2>&1 &
    local app_a=$!
    wait "$app_a" "$app_b" || true
    python3 -c "import time; time.sleep(max(0, $end - time.time()))"
    wait "$states_a" "$states_b" || true
    ip netns exec "$NS_A" ss -tano state all >"$tmp/ss-a.txt" || true
    ip netns exec "$NS_B" ss -tano state all >"$tmp/ss-b.txt" || true
    # libpcap hands packets over a block at a time (up to 1 s late, without
    # immediate mode, which dumpcap lacks): the last ones were lost when the
    # capture was stopped at once (fin-wait-2-timeout-ts-100ms).
    sleep 1.2
    kill -INT "$TCPDUMP_A" "$TCPDUMP_B" "$PCAP_A" "$PCAP_B"
    wait "$TCPDUMP_A" "$TCPDUMP_B" "$PCAP_A" "$PCAP_B" || true
    TCPDUMP_A="" TCPDUMP_B="" PCAP_A="" PCAP_B=""

    local nft_a nft_b
    nft_a=$(ip netns exec "$NS_A" nft list chain inet farewell input)
    nft_b=$(ip netns exec "$NS_B" nft list chain inet farewell input)
    rm -f "$dir/capture-a.pcap" "$dir/capture-b.pcap" "$dir/capture-b.pcapng"
    cp "$tmp/capture-a.txt" "$tmp/capture-b.txt" "$tmp/capture-a.pcap" "$tmp/capture-b.pcapng" "$dir/"
    chmod 644 "$dir"/capture-*
    sort -n -s "$tmp/app-a.txt" "$tmp/app-b.txt" >"$dir/apps.txt"
    sort -n -s "$tmp/states-a.txt" "$tmp/states-b.txt" >"$dir/states.txt"
    SYSCTLS="$sysctls" TS="$TS" T0="$t0" DELAY="$DELAY_MS" DURATION="$duration" NFT_A="$nft_a" NFT_B="$nft_b" \
        SS_A="$(cat "$tmp/ss-a.txt")" SS_B="$(cat "$tmp/ss-b.txt")" python3 - "$dir/recording.json" <<'PY'
import json, os, platform, sys
json.dump({
    "t0_epoch": float(os.environ["T0"]),
    "delay_ms": float(os.environ["DELAY"]),
    "duration_ms": float(os.environ["DURATION"]),
    "kernel": platform.release(),
    "sysctl": [f"net.ipv4.tcp_timestamps={os.environ['TS']} (both)"] + [
        l for l in os.environ["SYSCTLS"].splitlines() if l],
    "wire": "two TUN devices joined by relay.py (no sch_netem on this kernel)",
    "nft_a": os.environ["NFT_A"].splitlines(),
    "nft_b": os.environ["NFT_B"].splitlines(),
    "ss_at_end_a": os.environ["SS_A"].splitlines(),
    "ss_at_end_b": os.environ["SS_B"].splitlines(),
}, open(sys.argv[1], "w"), indent=2)
open(sys.argv[1], "a").write("\n")
PY
    rm -rf "$tmp"
    cleanup
    echo "   $(grep -c . "$dir/capture-a.txt") lines on A, $(grep -c . "$dir/capture-b.txt") on B"
}

if [[ $# -gt 0 ]]; then
    cases=("$@")
else
    cases=(normal-close three-segment-close simultaneous-close half-close lost-fin
        lost-final-ack fin-lost-twice abort-rst unread-data-rst handshake-and-close
        rst-in-time-wait rst-in-time-wait-rfc1337 fin-wait-2-timeout close-after-send
        data-after-close lost-fin-1ms lost-fin-5ms lost-fin-100ms lost-data lost-data-1ms
        lost-data-5ms lost-data-100ms handshake-and-close-ts lost-fin-ts lost-data-ts
        syn-into-time-wait syn-into-time-wait-no-ts tw-reuse-bind tw-reuse-bind-no-ts
        tw-reuse-0 tw-reuse tw-reuse-2 old-duplicate-paws)
fi
for c in "${cases[@]}"; do record "$c"; done
