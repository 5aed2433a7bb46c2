#!/usr/bin/env python3
"""Polls one host's TCP state for the recorded connection, every 1 ms.

usage: states.py A|B T0_EPOCH END_EPOCH [A_IP,PORT B_IP,PORT]
       (run inside the host's namespace; the addresses default to the
       engine's 10.0.0.1:40000 and 10.0.0.2:80, and may be IPv6)

Reads /proc/net/tcp (what `ss -tan` shows, without starting a process per poll)
and prints "<ms since T0> <host> <state>" whenever the state of the socket on
this connection's 4-tuple changes, with ss's state names (ESTAB, FIN-WAIT-1,
TIME-WAIT, ...) and CLOSED when there is no such socket. TIME_WAIT sockets and an
orphaned FIN_WAIT_2 (a timewait sock with substate FIN_WAIT2) are listed too, and
a pending connection request shows as SYN-RECV. A listener has no remote address,
so it is never this connection.

A state held for less than the poll interval can be missed; every state in the
recorded cases lasts at least one 20 ms trip.
"""
import socket
import sys
import time

# include/net/tcp_states.h, as ss names them.
NAMES = {
    0x01: "ESTAB", 0x02: "SYN-SENT", 0x03: "SYN-RECV", 0x04: "FIN-WAIT-1",
    0x05: "FIN-WAIT-2", 0x06: "TIME-WAIT", 0x07: "CLOSED", 0x08: "CLOSE-WAIT",
    0x09: "LAST-ACK", 0x0A: "LISTEN", 0x0B: "CLOSING", 0x0C: "SYN-RECV",
}
ADDR = {"A": ("10.0.0.1", 40000), "B": ("10.0.0.2", 80)}


def hex_addr(ip, port):
    # /proc/net/tcp prints the address as the in-memory (little-endian) u32;
    # /proc/net/tcp6 as four such words.
    if ":" in ip:
        raw = socket.inet_pton(socket.AF_INET6, ip)
        words = [raw[i:i + 4][::-1].hex().upper() for i in range(0, 16, 4)]
        return "".join(words) + f":{port:04X}"
    return "".join(f"{int(o):02X}" for o in reversed(ip.split("."))) + f":{port:04X}"


def main():
    me, t0, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    peer = "B" if me == "A" else "A"
    addr = dict(ADDR)
    if len(sys.argv) == 6:
        # Other hosts (crates/cli/tests/pcaps/record.sh): A's and B's address
        # as IP,PORT, IPv4 or IPv6.
        for h, arg in (("A", sys.argv[4]), ("B", sys.argv[5])):
            ip, port = arg.rsplit(",", 1)
            addr[h] = (ip, int(port))
    local, remote = hex_addr(*addr[me]), hex_addr(*addr[peer])
    table = "/proc/net/tcp6" if ":" in addr[me][0] else "/proc/net/tcp"
    last = None
    while time.time() < end:
        state = "CLOSED"
        with open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[1] == local and cols[2] == remote:
                    state = NAMES.get(int(cols[3], 16), f"state-{cols[3]}")
        if state != last:
            print(f"{(time.time() - t0) * 1000.0:9.3f} {me} {state}", flush=True)
            last = state
        time.sleep(0.001)


if __name__ == "__main__":
    main()
