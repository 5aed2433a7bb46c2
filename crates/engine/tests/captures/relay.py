#!/usr/bin/env python3
"""A one-wire "network" between two network namespaces, with a fixed one-way delay.

This machine's kernel has no `sch_netem` (and no qdiscs at all; `modprobe` is not
available either), so `tc qdisc add ... netem delay 20ms` fails with "Specified
qdisc kind is unknown". Instead each namespace gets a TUN device and this relay
copies IP packets between the two devices, holding each one for DELAY ms: the same
effect as netem on both ends of a veth pair, done in user space.

usage: relay.py NS_A TUN_A NS_B TUN_B DELAY_MS
Creates TUN_A inside NS_A and TUN_B inside NS_B (via setns(2)), prints "ready" on
stdout, then relays until SIGTERM/SIGINT. Timing: Python wakes within ~0.1-1 ms
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


def main():
    ns_a, tun_a, ns_b, tun_b, delay_ms = sys.argv[1:6]
    delay = float(delay_ms) / 1000.0
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
            heapq.heappush(queue, (time.monotonic() + delay, n, other[fd], pkt))


if __name__ == "__main__":
    main()
