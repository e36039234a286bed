#!/usr/bin/env python3
"""Create and delete backends as fast as netd answers, logging what was acknowledged,
until netd goes away.  For the crash test.

  churn.py SOCK LOG LOWER_DEV SEED

LOG gets lines "ADD name", "DELSENT name" (before a delete is sent: its outcome is
unknown if netd dies now), "DEL name" (after its acknowledgement)."""
import os
import random
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ndclient import call  # noqa: E402


def main():
    path, log, lower, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rnd = random.Random(seed)
    alive = []
    with open(log, "a", buffering=1) as out:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.connect(path)
            for i in range(100000):
                if alive and rnd.random() < 0.35:
                    name = alive.pop(rnd.randrange(len(alive)))
                    out.write(f"DELSENT {name}\n")
                    _, _, err = call(s, "backend.del", {"name": name})
                    if err:
                        raise SystemExit(f"delete {name}: {err}")
                    out.write(f"DEL {name}\n")
                    continue
                args = {"guest": f"g{rnd.randrange(4)}", "type": rnd.choice(["tap", "macvtap"]),
                        "queues": rnd.choice([1, 2, 4])}
                if args["type"] == "macvtap":
                    args["link"] = lower
                result, fds, err = call(s, "backend.add", args)
                for fd in sum(fds.values(), []):
                    os.close(fd)
                if err:
                    raise SystemExit(f"create: {err}")
                out.write(f"ADD {result['name']}\n")
                alive.append(result["name"])
        except (ConnectionError, OSError, ValueError):
            return  # netd was killed: that is the point


if __name__ == "__main__":
    main()
