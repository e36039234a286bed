#!/usr/bin/env python3
"""Test client for netd, standard library only: raw protocol access, fd-level
traffic checks.  Used by tests/integration/*.sh.

  ndclient.py SOCK call VERB [JSON_ARGS]          print the reply (result or error) as JSON
  ndclient.py SOCK xfer SRC DST COUNT SIZE         open both backends, write COUNT frames of
                                                  SIZE bytes into SRC queue 0, print how many
                                                  arrived on DST's queues
  ndclient.py SOCK raw HEXBYTES                    send raw bytes, print the reply
  ndclient.py SOCK hold NAME SECONDS               open NAME's queues and hold them
"""
import json
import os
import select
import socket
import sys
import time

ETHERTYPE = b"\x88\xb5"  # local experimental: passes bridge netfilter


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s


def call(sock, verb, args=None, rid=1):
    sock.send(json.dumps({"netd": 1, "id": rid, "verb": verb, "args": args or {}}).encode())
    result, fds, err = None, {}, None
    while True:
        data, got, _, _ = socket.recv_fds(sock, 1 << 22, 253)
        if not data:
            raise ConnectionError("netd closed the connection")
        reply = json.loads(data)
        for desc, fd in zip(reply.get("fds", []), got):
            fds.setdefault(desc["role"], []).append(fd)
        if "error" in reply:
            err = reply["error"]
        part = reply.get("result")
        if result is None:
            result = part
        elif part and "items" in part:
            result["items"].extend(part["items"])
        if not reply.get("more"):
            return result, fds, err


def mac_bytes(s):
    return bytes.fromhex(s.replace(":", ""))


def xfer(sock, src, dst, count, size):
    rs, sfds, err = call(sock, "backend.open", {"name": src, "force": True})
    if err:
        raise SystemExit(f"open {src}: {err}")
    rd, dfds, err = call(sock, "backend.open", {"name": dst, "force": True})
    if err:
        raise SystemExit(f"open {dst}: {err}")
    hs = 10 if rs.get("vnet_hdr") else 0
    hd = 10 if rd.get("vnet_hdr") else 0
    dmac = mac_bytes(rd.get("mac") or "ff:ff:ff:ff:ff:ff")
    smac = mac_bytes(rs.get("mac") or "52:54:00:99:99:99")
    received = 0
    queues = dfds.get("queue", [])
    for q in queues:
        os.set_blocking(q, False)
    for i in range(count):
        payload = i.to_bytes(4, "big") + b"x" * (size - 18)
        os.write(sfds["queue"][0], b"\0" * hs + dmac + smac + ETHERTYPE + payload)
    deadline = time.time() + 3
    while received < count and time.time() < deadline:
        r, _, _ = select.select(queues, [], [], 0.5)
        for q in r:
            while True:
                try:
                    data = os.read(q, 65536)
                except BlockingIOError:
                    break
                if data[hd + 12:hd + 14] == ETHERTYPE and len(data) - hd == size:
                    received += 1
    for fd in sum(sfds.values(), []) + sum(dfds.values(), []):
        os.close(fd)
    print(received)


def main():
    path, cmd = sys.argv[1], sys.argv[2]
    sock = connect(path)
    if cmd == "call":
        args = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
        result, fds, err = call(sock, sys.argv[3], args)
        print(json.dumps({"error": err} if err else {"result": result,
                          "fds": {k: len(v) for k, v in fds.items()}}))
        for fd in sum(fds.values(), []):
            os.close(fd)
    elif cmd == "xfer":
        xfer(sock, sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "raw":
        sock.send(bytes.fromhex(sys.argv[3]))
        print(sock.recv(1 << 20).decode(errors="replace"))
    elif cmd == "hold":
        _, fds, err = call(sock, "backend.open", {"name": sys.argv[3], "force": True})
        if err:
            raise SystemExit(f"open: {err}")
        print("holding", flush=True)
        time.sleep(float(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
