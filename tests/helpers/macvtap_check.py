#!/usr/bin/env python3
"""Check a macvtap backend's datapath both ways, from inside the test namespace.

  macvtap_check.py SOCK BACKEND PEER_IF [SRC_MAC]

Writes a frame into the backend's queue 0 and expects it on PEER_IF (the other end
of the lower device's veth); sends a frame from PEER_IF to the backend's MAC (from
SRC_MAC, for source mode) and expects to read it from the queue fd.  Prints
"tx ok" and "rx ok", exits 1 with a reason otherwise."""
import os
import select
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ndclient import call, connect, mac_bytes  # noqa: E402

ETH_P_ALL = 0x0003
ETYPE = b"\x88\xb5"


def main():
    path, backend, peer = sys.argv[1:4]
    src_mac = mac_bytes(sys.argv[4]) if len(sys.argv) > 4 else bytes.fromhex("020000000001")
    sock = connect(path)
    info, fds, err = call(sock, "backend.open", {"name": backend, "force": True})
    if err:
        sys.exit(f"open {backend}: {err}")
    q = fds["queue"][0]
    hdr = 10 if info.get("vnet_hdr") else 0
    mac = mac_bytes(info.get("mac") or info["host_mac"])

    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    cap.bind((peer, 0))
    cap.settimeout(3)

    # guest -> lower device: leaves on the wire (seen on the veth peer)
    marker = os.urandom(8)
    os.write(q, b"\0" * hdr + b"\xff" * 6 + mac + ETYPE + b"tx" + marker + b"\0" * 40)
    while True:
        try:
            data = cap.recv(65536)
        except socket.timeout:
            sys.exit("tx: the frame written to the queue fd never left on the lower device")
        if marker in data:
            print("tx ok")
            break

    # wire -> guest: a frame for its MAC is read from the queue fd
    marker = os.urandom(8)
    cap.send(mac + src_mac + ETYPE + b"rx" + marker + b"\0" * 40)
    os.set_blocking(q, False)
    for _ in range(20):
        r, _, _ = select.select([q], [], [], 0.2)
        if not r:
            continue
        try:
            data = os.read(q, 65536)
        except BlockingIOError:
            continue
        if marker in data:
            print("rx ok")
            return
    sys.exit("rx: a frame sent to the guest's MAC was not read from the queue fd")


if __name__ == "__main__":
    main()
