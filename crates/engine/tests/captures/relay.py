#!/usr/bin/env python3
"""A one-wire "network" between two network namespaces, with a fixed one-way delay.

This machine's kernel has no `sch_netem` (and no qdiscs at all; `modprobe` is not
available either), so `tc qdisc add ... netem delay 20ms` fails with "Specified
qdisc kind is unknown". Instead each namespace gets a TUN device and this relay
copies IP packets between the two devices, holding each one for DELAY ms: the same
effect as netem on both ends of a veth pair, done in user space.

usage: relay.py NS_A TUN_A NS_B TUN_B DELAY_MS [SCENARIO.json T0_EPOCH]
Creates TUN_A inside NS_A and TUN_B inside NS_B (via setns(2)), prints "ready" on
stdout, then relays until SIGTERM/SIGINT.

With a scenario, the relay also carries out its `duplicates` rules exactly as the
engine's link does (src/link.rs): the `nth` segment of `kind` sent by `from` at or
after T0 + `after_ms` is delivered a second time, `extra_delay_ms` after the
original arrives. nft can copy a packet (`dup`) but cannot hold the copy back, so
the old duplicate wandering the network has to be made here. Drops stay with nft. Timing: Python wakes within ~0.1-1 ms
of each deadline, checked by the test (it measures each segment's send-to-arrival
time from the two captures).
"""
import ctypes
import fcntl
import heapq
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name):
    # Python 3.11 has no os.setns; call setns(2) directly.
    fd = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({name}): {os.strerror(err)}")
    finally:
        os.close(fd)


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


HOST_OF = {bytes([10, 0, 0, 1]): "A", bytes([10, 0, 0, 2]): "B"}


def kind_matches(kind, flags, length):
    """SegmentKind::matches in src/segment.rs."""
    fin, syn, rst, ack = flags & 0x01, flags & 0x02, flags & 0x04, flags & 0x10
    return {
        "ANY": True,
        "FIN": bool(fin),
        "RST": bool(rst),
        "SYN": bool(syn),
        "DATA": length > 0,
        "ACK": bool(ack) and length == 0 and not (syn or fin or rst),
    }[kind]


def tcp_summary(pkt):
    """(sender host, TCP flags, payload length) of an IPv4 TCP packet, else None."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    total = struct.unpack("!H", pkt[2:4])[0]
    doff = (pkt[ihl + 12] >> 4) * 4
    return HOST_OF.get(pkt[12:16]), pkt[ihl + 13], total - ihl - doff


def main():
    ns_a, tun_a, ns_b, tun_b, delay_ms = sys.argv[1:6]
    delay = float(delay_ms) / 1000.0
    dup_rules = []  # [rule, matches seen so far]
    t0 = 0.0
    if len(sys.argv) > 7:
        import json

        dup_rules = [[r, 0] for r in json.load(open(sys.argv[6])).get("duplicates", [])]
        t0 = float(sys.argv[7])
    enter_netns(ns_a)
    fd_a = open_tun(tun_a)
    enter_netns(ns_b)
    fd_b = open_tun(tun_b)
    other = {fd_a: fd_b, fd_b: fd_a}
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    queue = []  # (due, seq, out_fd, packet)
    n = 0
    while running:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, pkt = heapq.heappop(queue)
            try:
                os.write(out, pkt)
            except OSError:
                pass  # device down (shutting down)
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.5
        try:
            ready, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        except InterruptedError:
            continue
        for fd in ready:
            pkt = os.read(fd, 65536)
            n += 1
            due = time.monotonic() + delay
            heapq.heappush(queue, (due, n, other[fd], pkt))
            summary = tcp_summary(pkt)
            for rule in dup_rules:
                r = rule[0]
                if (
                    summary
                    and summary[0] == r["from"]
                    and kind_matches(r["kind"], summary[1], summary[2])
                    and (time.time() - t0) * 1000.0 >= r.get("after_ms", 0)
                ):
                    rule[1] += 1
                    if rule[1] == r.get("nth", 1):
                        n += 1
                        extra = r["extra_delay_ms"] / 1000.0
                        heapq.heappush(queue, (due + extra, n, other[fd], pkt))


if __name__ == "__main__":
    main()
