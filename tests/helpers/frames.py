#!/usr/bin/env python3
"""Known frames through netd backends, for the counter tests (standard library only).

SIZES is a list like 60x3,200x2,1514: frame lengths in bytes (Ethernet header and
payload, no FCS, no virtio header) and how many of each.  Frames carry ethertype
0x88b5 (local experimental; bridge netfilter lets it pass) and a marker, so the
receiver counts only ours.  Each command prints {"sent": N, "received": N, "bytes": B}.

  frames.py SOCK pair SRC DST SIZES      write into backend SRC's queue 0, read on DST's
  frames.py SOCK to-dev SRC DEV SIZES    write into SRC's queue 0 towards netdev DEV, read
                                         on DEV with a packet socket
  frames.py SOCK from-dev DEV DST SIZES  send from netdev DEV (packet socket) to backend
                                         DST, read on DST's queues
  frames.py SOCK dev-dev SRC DST SIZES   packet sockets on both ends (no backend fds)

With FRAMES_BROADCAST=1 the frames go to ff:ff:ff:ff:ff:ff instead of DST's MAC.

Backends are opened through netd (backend.open force) and closed again at the end.
"""
import json
import os
import select
import socket
import sys
import time

ETHERTYPE = b"\x88\xb5"
MARK = b"netd-stats-test:"
VNET_HDR_LEN = 10  # struct virtio_net_hdr, as netd sets it up


def call(sock, verb, args):
    sock.send(json.dumps({"netd": 1, "id": 1, "verb": verb, "args": args}).encode())
    result, fds = None, []
    while True:
        data, got, _, _ = socket.recv_fds(sock, 1 << 22, 253)
        reply = json.loads(data)
        fds += got
        if "error" in reply:
            for fd in fds:
                os.close(fd)
            raise SystemExit(f"{verb} {args}: {reply['error']}")
        result = result or reply.get("result")
        if not reply.get("more"):
            return result, fds


def sizes_of(spec):
    out = []
    for part in spec.split(","):
        size, _, count = part.partition("x")
        out += [int(size)] * int(count or 1)
    return out


def mac_of_dev(dev):
    with open(f"/sys/class/net/{dev}/address") as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def frame(dst, src, size, seq):
    body = MARK + seq.to_bytes(4, "big")
    return dst + src + ETHERTYPE + body + b"\0" * (size - 14 - len(body))


def wait_up(dev):
    """Until the kernel has acted on the carrier a queue fd brings (linkwatch runs it
    later, and a bridge forwards to the port only then; it waits for the RTNL lock,
    which a busy host can hold for seconds)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(f"/sys/class/net/{dev}/operstate") as f:
            if f.read().strip() == "up":
                return
        time.sleep(0.01)
    raise SystemExit(f"{dev} did not come up")


class Backend:
    """A backend's queue fds, opened through netd."""

    def __init__(self, sock, name):
        info, self.fds = call(sock, "backend.open", {"name": name, "force": True})
        self.hdr = VNET_HDR_LEN if info.get("vnet_hdr") else 0
        # The guest's MAC when netd was given one, else a local one of our own.
        mac = info.get("mac") or "02:6e:64:%02x:%02x:%02x" % tuple(info["ifindex"].to_bytes(3, "big"))
        self.mac = bytes.fromhex(mac.replace(":", ""))
        for fd in self.fds:
            os.set_blocking(fd, False)
        wait_up(name)

    def send(self, data):
        os.write(self.fds[0], b"\0" * self.hdr + data)

    def readers(self):
        return [(fd, lambda fd=fd: os.read(fd, 65536)[self.hdr:]) for fd in self.fds]

    def close(self):
        for fd in self.fds:
            os.close(fd)


class Dev:
    """A packet socket on a plain netdev (a veth end, say)."""

    def __init__(self, name):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88B5))
        self.s.bind((name, 0))
        self.s.setblocking(False)
        self.mac = mac_of_dev(name)

    def send(self, data):
        self.s.send(data)

    def readers(self):
        return [(self.s.fileno(), lambda: self.s.recv(65536))]

    def close(self):
        self.s.close()


def run(src, dst, sizes):
    readers = dict(dst.readers())
    to = b"\xff" * 6 if os.environ.get("FRAMES_BROADCAST") == "1" else dst.mac
    received = nbytes = 0
    seen = set()

    def drain(timeout):
        nonlocal received, nbytes
        r, _, _ = select.select(list(readers), [], [], timeout)
        for fd in r:
            while True:
                try:
                    data = readers[fd]()
                except BlockingIOError:
                    break
                if data[12:14] != ETHERTYPE or data[14:14 + len(MARK)] != MARK:
                    continue
                seq = int.from_bytes(data[14 + len(MARK):18 + len(MARK)], "big")
                if seq in seen:
                    continue
                seen.add(seq)
                received += 1
                nbytes += len(data)

    for seq, size in enumerate(sizes):
        src.send(frame(to, src.mac, size, seq))
        drain(0)  # keep the receiver's queue from filling up
    deadline = time.time() + 5
    while received < len(sizes) and time.time() < deadline:
        drain(0.2)
    return {"sent": len(sizes), "received": received, "bytes": nbytes}


def main():
    path, cmd, a, b, spec = sys.argv[1:6]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    if cmd == "pair":
        src, dst = Backend(sock, a), Backend(sock, b)
    elif cmd == "to-dev":
        src, dst = Backend(sock, a), Dev(b)
    elif cmd == "from-dev":
        src, dst = Dev(a), Backend(sock, b)
    elif cmd == "dev-dev":
        src, dst = Dev(a), Dev(b)
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(run(src, dst, sizes_of(spec))))
    src.close()
    dst.close()


if __name__ == "__main__":
    main()
