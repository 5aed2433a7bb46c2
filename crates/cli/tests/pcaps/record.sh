#!/usr/bin/env bash
# Records real Linux closes with real tcpdump, as pcap files for the capture
# reader's tests (tests/cli.rs, `farewell explain`). Run as root on Linux;
# CI never runs it (the tests only read the files).
#
#   crates/cli/tests/pcaps/record.sh
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
# Needs: ip, tcpdump, nft, python3.
set -euo pipefail
cd "$(dirname "$0")"
A=fwpcap-a B=fwpcap-b
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; }
setup() {
  cleanup
  ip netns add $A; ip netns add $B
  ip link add fwpa type veth peer name fwpb
  ip link set fwpa netns $A; ip link set fwpb netns $B
  ip -n $A addr add 10.0.9.1/24 dev fwpa; ip -n $B addr add 10.0.9.2/24 dev fwpb
  for ns in $A $B; do ip -n $ns link set lo up; done
  ip -n $A link set fwpa up; ip -n $B link set fwpb up
  # Timestamps off, as the engine's scenarios default to in these fixtures.
  for ns in $A $B; do ip netns exec $ns sysctl -qw net.ipv4.tcp_timestamps=0; done
}
trap cleanup EXIT

SERVER='
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.9.2", 80)); s.listen(1)
c, _ = s.accept()
try:
    while c.recv(100): pass
except ConnectionResetError:
    pass
time.sleep(0.1)
c.close(); time.sleep(0.5)
'
client() { # $1: abort (1) or close (0)
  cat <<PY
import socket, struct, time
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
c.bind(("10.0.9.1", 40000))
c.connect(("10.0.9.2", 80))
time.sleep(0.05)
c.send(b"hello")
time.sleep(0.05)
if $1:
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
time.sleep(1.5)
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
  ip netns exec $A tcpdump -i "$2" -U -n -s 128 -w "$1.pcap" tcp 2>/dev/null &
  local dump=$!
  sleep 0.5
  ip netns exec $B python3 -c "$SERVER" &
  local server=$!
  sleep 0.3
  ip netns exec $A python3 -c "$(client "$3")"
  wait $server || true
  sleep 0.3
  kill -INT $dump; wait $dump || true
  echo "$1: $(stat -c %s "$1.pcap") bytes"
}

record normal-close fwpa 0 0
record lost-fin fwpa 0 1
record abort-rst fwpa 1 0
record any-sll2 any 0 0
