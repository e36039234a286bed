#!/usr/bin/env python3
"""A VM launcher's side of netd, in Python's standard library alone.

Asks netd for a tap backend, receives its queue fds with socket.recv_fds, writes an
Ethernet frame into queue 0 and reads it back from a second backend on the same
bridge: proof that the API needs nothing but a unix socket and JSON.

    launcher.py [--socket PATH] --bridge BR [--guest NAME]
"""
import argparse
import itertools
import json
import os
import select
import socket
import sys

PROTOCOL = 1
_ids = itertools.count(1)


class NetdError(Exception):
    def __init__(self, err):
        self.name, self.errno = err.get("name"), err.get("errno")
        text = err.get("message", "")
        if err.get("extack"):
            text += ": " + err["extack"]
        super().__init__(f"{self.name}: {text}")


def call(sock, verb, **args):
    """One request; returns (result, fds by role).  Multipart replies are merged."""
    sock.send(json.dumps({"netd": PROTOCOL, "id": next(_ids), "verb": verb, "args": args}).encode())
    result, fds = None, {}
    while True:
        data, got, _flags, _addr = socket.recv_fds(sock, 1 << 20, 253)
        reply = json.loads(data)
        for desc, fd in zip(reply.get("fds", []), got):
            fds.setdefault(desc["role"], []).append(fd)
        if "error" in reply:
            for fd in got:
                os.close(fd)
            raise NetdError(reply["error"])
        part = reply.get("result")
        if result is None:
            result = part
        elif part and "items" in part:
            result["items"].extend(part["items"])
        if not reply.get("more"):
            return result, fds


def frame(dst, src, payload):
    # 0x88b5: IEEE local experimental ethertype, so bridge netfilter lets it pass.
    return dst + src + b"\x88\xb5" + payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", default=os.environ.get("NETD_SOCKET", "/run/netd/netd.sock"))
    ap.add_argument("--bridge", required=True)
    ap.add_argument("--guest", default="pydemo")
    ap.add_argument("--keep", action="store_true", help="leave the backends in place")
    a = ap.parse_args()

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(a.socket)
    ver, _ = call(sock, "version")
    print(f"netd {ver['version']} (protocol {ver['protocol']})")

    # vnet_hdr off: this demo writes bare Ethernet frames, as a guest without
    # offloads would.
    mac_a, mac_b = "52:54:00:00:0a:01", "52:54:00:00:0b:01"
    a_res, a_fds = call(sock, "backend.add", guest=a.guest, type="tap", bridge=a.bridge,
                        mac=mac_a, vnet_hdr=False, vhost="off")
    b_res, b_fds = call(sock, "backend.add", guest=a.guest, type="tap", bridge=a.bridge,
                        mac=mac_b, vnet_hdr=False, vhost="off")
    print(f"backends {a_res['name']} and {b_res['name']} on {a.bridge}, "
          f"{len(a_fds['queue'])} + {len(b_fds['queue'])} queue fds received")

    qa, qb = a_fds["queue"][0], b_fds["queue"][0]
    payload = b"hello from netd's python launcher"
    # Guest B's MAC is learnt by the bridge from B's own first frame; flood works too.
    os.write(qa, frame(bytes.fromhex(mac_b.replace(":", "")),
                       bytes.fromhex(mac_a.replace(":", "")), payload))
    got = None
    for _ in range(10):
        r, _, _ = select.select([qb], [], [], 2.0)
        if not r:
            break
        data = os.read(qb, 65536)
        if data[12:14] == b"\x88\xb5":
            got = data
            break
    for fd in a_fds["queue"] + b_fds["queue"]:
        os.close(fd)
    if not a.keep:
        call(sock, "guest.del", guest=a.guest)
    if got is None or payload not in got:
        print("FAILED: the frame did not arrive at the peer backend", file=sys.stderr)
        return 1
    print(f"frame crossed {a_res['name']} -> {a.bridge} -> {b_res['name']}: "
          f"{len(got)} bytes, payload {got[14:14 + len(payload)].decode()!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
