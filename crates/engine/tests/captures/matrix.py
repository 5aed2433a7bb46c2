#!/usr/bin/env python3
"""Writes the scenario.json of each case in the delay x timestamps matrix.

    crates/engine/tests/captures/matrix.py          # write the missing ones
    crates/engine/tests/captures/matrix.py --force  # rewrite them all
    crates/engine/tests/captures/matrix.py --list   # print the case names

Each base case (recorded at 20 ms one way with tcp_timestamps=0, its
scenario.json written by hand) is also recorded with the kernel's default
sysctls (timestamps on) at one-way delays of 1, 5, 20 and 100 ms:
<base>-ts-<N>ms, and <base>-ts at 20 ms. record.sh gives each the base's nft
drops and sysctls; tests/linux_captures.rs compares them (MATRIX_BASES).

A generated scenario is the base's, with:
  * "handshake": true, and every time (actions' at_ms, drops' and duplicates'
    after_ms) moved later by the handshake's allowance, max(100, 3 x delay) ms:
    with timestamps, every TSecr must echo a TSval in the capture;
  * at a delay over 20 ms, the base's times under 10 s stretched by delay/20,
    so the scenario keeps its shape (at 100 ms, the data is still acknowledged
    before close() as at 20 ms) and its recording long enough for the slower
    retransmissions; a time of 10 s or more (fin-wait-2-timeout's 90 s close)
    only moved;
  * tunables.timestamps removed: the linux profile's default, on.
The three -ts cases written by hand (handshake-and-close-ts, lost-fin-ts,
lost-data-ts) are kept as they are.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

BASES = [
    "normal-close", "three-segment-close", "simultaneous-close", "half-close",
    "lost-fin", "lost-final-ack", "fin-lost-twice", "abort-rst",
    "unread-data-rst", "handshake-and-close", "rst-in-time-wait",
    "rst-in-time-wait-rfc1337", "fin-wait-2-timeout", "close-after-send",
    "data-after-close", "lost-data",
]
DELAYS = [1, 5, 20, 100]
HAND_WRITTEN = {"handshake-and-close-ts", "lost-fin-ts", "lost-data-ts"}
LONG_MS = 10_000


def name(base, delay):
    return f"{base}-ts" if delay == 20 else f"{base}-ts-{delay}ms"


def scenario(base, delay):
    with open(os.path.join(HERE, base, "scenario.json")) as f:
        s = json.load(f)
    shift = max(100, 3 * delay)
    stretch = max(1.0, delay / 20)

    def moved(t):
        return t + shift if t >= LONG_MS else round(t * stretch) + shift

    # A case that already records its handshake (A connects at T0) needs no
    # allowance for it.
    if s.get("handshake"):
        shift = 0
    for a in s.get("actions", []):
        if "at_ms" in a:
            a["at_ms"] = moved(a["at_ms"])
    for key in ("drops", "duplicates"):
        for d in s.get(key, []):
            if "after_ms" in d:
                d["after_ms"] = moved(d["after_ms"])
    s["time_limit_ms"] = moved(s["time_limit_ms"])
    s["handshake"] = True
    s["link"]["delay_ms"] = delay
    tunables = s.get("tunables", {})
    tunables.pop("timestamps", None)
    if tunables:
        s["tunables"] = tunables
    else:
        s.pop("tunables", None)
    s["name"] = f"{s['name']}, {delay} ms one way, with TCP timestamps"
    s["description"] = (
        f"{base} at {delay} ms one way with the kernel's default sysctls "
        f"(timestamps on), the handshake recorded (written by matrix.py). "
        + s["description"]
    )
    return s


def main(argv):
    cases = [(b, d, name(b, d)) for b in BASES for d in DELAYS]
    if "--list" in argv:
        print(" ".join(c for _, _, c in cases))
        return
    force = "--force" in argv
    for base, delay, case in cases:
        if case in HAND_WRITTEN:
            continue
        path = os.path.join(HERE, case, "scenario.json")
        if os.path.exists(path) and not force:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(scenario(base, delay), f, indent=2)
            f.write("\n")
        print("wrote", os.path.relpath(path, HERE))


if __name__ == "__main__":
    main(sys.argv[1:])
