#!/usr/bin/env python3
"""Compare one backend's eBPF counters with the frames a test sent (stdlib only).

  stats_check.py DIR SIZES STATS_JSON [BASE_JSON] [--kernel LINK_JSON KERNEL_DIR]

DIR is the guest direction (rx or tx); SIZES as for frames.py (60x3,200,...);
STATS_JSON is `netdctl -j stats show backend NAME`; BASE_JSON an earlier one whose
counts SIZES add to ("" for none).  With --kernel, the link's own counters in
`ip -j -s link show` direction KERNEL_DIR (rx or tx) must say the same (and no drops).
Exits non-zero with a sentence saying what differs.
"""
import json
import sys


def sizes_of(spec):
    out = []
    for part in filter(None, spec.split(",")):
        size, _, n = part.partition("x")
        out += [int(size)] * int(n or 1)
    return out


def main():
    args = sys.argv[1:]
    kernel = None
    if "--kernel" in args:
        i = args.index("--kernel")
        kernel = (json.loads(args[i + 1]), args[i + 2])
        del args[i:i + 3]
    direction, spec, doc = args[0], args[1], json.loads(args[2])
    base = json.loads(args[3]) if len(args) > 3 and args[3] else None
    bounds = doc["hist_bounds"]
    row = doc["backends"][0]
    name = row["name"]
    sizes = sizes_of(spec)
    want = {"packets": len(sizes), "bytes": sum(sizes), "hist": [0] * (len(bounds) + 1)}
    for s in sizes:
        want["hist"][next((i for i, b in enumerate(bounds) if s <= b), len(bounds))] += 1
    if base:
        b = base["backends"][0][direction]
        want = {"packets": want["packets"] + b["packets"], "bytes": want["bytes"] + b["bytes"],
                "hist": [x + y for x, y in zip(want["hist"], b["hist"])]}
    if direction not in row:
        sys.exit(f"{name}: no counters in {row}")
    got = {k: row[direction][k] for k in want}
    if got != want:
        sys.exit(f"{name} guest {direction}: netdctl says {got}, expected {want}")
    if kernel:
        k = kernel[0][0]["stats64"][kernel[1]]
        if (k["packets"], k["bytes"], k["dropped"]) != (want["packets"], want["bytes"], 0):
            sys.exit(f"{name} guest {direction}: the kernel's {kernel[1]} counters say {k['packets']} "
                     f"packets {k['bytes']} bytes {k['dropped']} dropped; netdctl {want['packets']} "
                     f"packets {want['bytes']} bytes")


if __name__ == "__main__":
    main()
