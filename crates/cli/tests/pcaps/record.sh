#!/usr/bin/env bash
# Records real Linux closes with real tcpdump, as pcap files for the capture
# reader's tests (tests/cli.rs, `farewell explain`). Run as root on Linux;
# CI never runs it (the tests only read the files).
#
#   crates/cli/tests/pcaps/record.sh            # every case
#   crates/cli/tests/pcaps/record.sh reconnect  # one case
#
# Two network namespaces (fwpcap-a 10.0.9.1, fwpcap-b 10.0.9.2) joined by a
# veth pair (no added delay: this kernel has no netem; the engine's own
# recordings, with a delay relay, are crates/engine/tests/captures). Drops are
# nft rules on the receiver's input, so the dropped segment is still on the
# wire in the capture, as a real loss would be. Each case writes <case>.pcap:
#   normal-close  A sends 5 bytes and closes; B reads, closes 100 ms later.
#   lost-fin      the same, B's input drops A's first FIN (A resends it).
#   abort-rst     A closes with SO_LINGER 0: a RST instead of a FIN.
#   any-sll2      normal-close captured with `tcpdump -i any` (Linux cooked
#                 v2 headers, LINKTYPE_LINUX_SLL2).
#   ipv6-close    normal-close over IPv6 (fd00:9::1 -> fd00:9::2), with each
#                 host's states from /proc/net/tcp6 (ipv6-close.states.txt,
#                 ipv6-close.recording.json); captured on A (tcpdump, pcap)
#                 and on B too (dumpcap: ipv6-close.b.pcapng).
#   reconnect.pcapng  captured with dumpcap (pcapng; tcpdump writes only
#                 pcap), timestamps on: A connects from port 40000, closes
#                 first (TIME_WAIT), binds 40000 again and connects (Linux
#                 takes its own TIME_WAIT over: a second incarnation of the
#                 4-tuple), closes, then connects from port 40001: three
#                 connections, two on one 4-tuple.
# Needs: ip, tcpdump, nft, python3, and dumpcap (Debian's wireshark-common)
# for the pcapng case.
set -euo pipefail
cd "$(dirname "$0")"
STATES_PY="$(pwd)/../../../engine/tests/captures/states.py"
A=fwpcap-a B=fwpcap-b P=fwpcap-p
cleanup() { for ns in $A $B $P; do ip netns del $ns 2>/dev/null || true; done; }
setup() {
  cleanup
  # A and B are created from inside P, whose tcp_child_ehash_entries gives
  # them a small TCP hash table of their own, as the engine's record.sh does:
  # with the host's 262144 buckets each read of /proc/net/tcp6 took ~6 ms and
  # states.py saw changes 5-12 ms late; with 1024, ~1 ms.
  ip netns add $P
  ip netns exec $P sysctl -qw net.ipv4.tcp_child_ehash_entries=1024
  nsenter --net=/run/netns/$P ip netns add $A
  nsenter --net=/run/netns/$P ip netns add $B
  ip link add fwpa type veth peer name fwpb
  ip link set fwpa netns $A; ip link set fwpb netns $B
  ip -n $A addr add 10.0.9.1/24 dev fwpa; ip -n $B addr add 10.0.9.2/24 dev fwpb
  ip -n $A addr add fd00:9::1/64 dev fwpa nodad; ip -n $B addr add fd00:9::2/64 dev fwpb nodad
  for ns in $A $B; do ip -n $ns link set lo up; done
  ip -n $A link set fwpa up; ip -n $B link set fwpb up
  # Timestamps off (the kernel's default, on, where a case says so).
  for ns in $A $B; do ip netns exec $ns sysctl -qw net.ipv4.tcp_timestamps="${TS:-0}"; done
}
trap cleanup EXIT

# The server: $FAMILY (4 or 6), accepts $CONNS connections one after another;
# each it reads to EOF, then closes 100 ms later.
server() {
  cat <<PY
import socket, time
v6 = ${FAMILY:-4} == 6
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("fd00:9::2" if v6 else "10.0.9.2", 80)); s.listen(4)
for _ in range(${CONNS:-1}):
    c, _ = s.accept()
    try:
        while c.recv(100): pass
    except ConnectionResetError:
        pass
    time.sleep(0.1)
    c.close()
time.sleep(0.5)
PY
}
# The client: one connection per port in $PORTS (default 40000), each sends
# 5 bytes and closes ($1 = 1: aborts, SO_LINGER 0), 300 ms apart.
client() {
  cat <<PY
import socket, struct, time
v6 = ${FAMILY:-4} == 6
for port in [${PORTS:-40000}]:
    c = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("fd00:9::1" if v6 else "10.0.9.1", port))
    c.connect(("fd00:9::2" if v6 else "10.0.9.2", 80))
    time.sleep(0.05)
    c.send(b"hello")
    time.sleep(0.05)
    if $1:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    time.sleep(0.3)
time.sleep(1.2)
PY
}

record() { # $1 case, $2 interface for tcpdump (fwpa or any), $3 abort, $4 drop first FIN
  setup
  if [ "$4" = 1 ]; then
    ip netns exec $B nft -f - <<NFT
table inet fw {
  chain input {
    type filter hook input priority 0;
    ip saddr 10.0.9.1 tcp flags & fin == fin ct mark 0 ct mark set 1 drop
  }
}
NFT
  fi
  if [ "${DUMPCAP:-0}" = 1 ]; then
    # dumpcap writes pcapng (-n); -s as tcpdump's.
    ip netns exec $A dumpcap -q -i "$2" -n -s 128 -f tcp -w "$1.pcapng" 2>/dev/null &
  else
    ip netns exec $A tcpdump -i "$2" -U -n -s 128 -w "$1.pcap" tcp 2>/dev/null &
  fi
  local dump=$! dump_b=
  if [ "${CAPTURE_B:-0}" = 1 ]; then
    # The same connection captured on B too (dumpcap, pcapng), so the reader
    # is held to the kernel's states from either vantage point.
    ip netns exec $B dumpcap -q -i fwpb -n -s 128 -f tcp -w "$1.b.pcapng" 2>/dev/null &
    dump_b=$!
  fi
  # With STATES=1, each host's state on the (single) connection's 4-tuple,
  # polled from /proc/net/tcp{,6} every 1 ms by the engine's states.py, goes
  # to <case>.states.txt, and T0 (the clock the pcap's times use) to
  # <case>.recording.json: crates/capture/tests/linux_states.rs holds the
  # states inferred from the pcap to them.
  local t0 end pollers=()
  t0=$(python3 -c 'import time; print(f"{time.time():.6f}")')
  end=$(python3 -c "print(f'{$t0 + 4.0:.6f}')")
  if [ "${STATES:-0}" = 1 ]; then
    local v6=${FAMILY:-4} a b
    if [ "$v6" = 6 ]; then a="fd00:9::1,40000" b="fd00:9::2,80"; else a="10.0.9.1,40000" b="10.0.9.2,80"; fi
    for h in A B; do
      local ns=$A; [ $h = B ] && ns=$B
      ip netns exec $ns python3 -u "$STATES_PY" $h "$t0" "$end" "$a" "$b" >"/tmp/fwpcap-states-$h.txt" &
      pollers+=($!)
    done
  fi
  sleep 0.5
  ip netns exec $B python3 -c "$(server)" &
  local server=$!
  sleep 0.3
  ip netns exec $A python3 -c "$(client "$3")"
  wait $server || true
  sleep 0.3
  if [ "${STATES:-0}" = 1 ]; then
    wait "${pollers[@]}" || true
    sort -n -s /tmp/fwpcap-states-A.txt /tmp/fwpcap-states-B.txt >"$1.states.txt"
    python3 -c "import json; json.dump({'t0_epoch': $t0, 'delay_ms': 0.0, 'duration_ms': 4000.0}, open('$1.recording.json', 'w'))"
  fi
  sleep 1.2 # libpcap's buffered block (see the engine's record.sh)
  kill -INT $dump; wait $dump || true
  if [ -n "$dump_b" ]; then kill -INT "$dump_b"; wait "$dump_b" || true; fi
  echo "$1: $(stat -c %s "$1".pcap* "$1".b.pcapng 2>/dev/null | tr '\n' ' ')bytes"
}

case_normal_close() { record normal-close fwpa 0 0; }
case_lost_fin() { record lost-fin fwpa 0 1; }
case_abort_rst() { record abort-rst fwpa 1 0; }
case_any_sll2() { record any-sll2 any 0 0; }
case_ipv6_close() { FAMILY=6 STATES=1 CAPTURE_B=1 record ipv6-close fwpa 0 0; }
case_reconnect() { TS=1 CONNS=3 PORTS=40000,40000,40001 DUMPCAP=1 record reconnect fwpa 0 0; }

# `record.sh` records every case; `record.sh ipv6-close reconnect` those.
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(normal-close lost-fin abort-rst any-sll2 ipv6-close reconnect)
for c in "${cases[@]}"; do "case_${c//-/_}"; done
