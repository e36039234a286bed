#!/bin/bash
# Malformed, oversized, truncated and hostile messages: an error reply or a closed
# connection, never a crash, a hang of other clients, or an fd leak.
. "$(dirname "$0")/../lib.sh"
netns_new
netd_start
nctl backend add web1 type tap >/dev/null
base_fds=$(netd_fd_settled)

in_ns python3 - "$SOCK" <<'PY'
import json, os, socket, sys, time
path = sys.argv[1]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.settimeout(5)
    return s

def reply(s):
    return json.loads(s.recv(1 << 20))

def expect_error(payload, name, text):
    s = conn()
    s.send(payload)
    r = reply(s)
    assert r.get("ok") is False, r
    assert r["error"]["name"] == name, (payload[:40], r)
    assert text in r["error"]["message"], (payload[:40], r)
    s.close()

expect_error(b"garbage\x00\xff", "EBADMSG", "not valid JSON")
expect_error(b'{"netd":1,"verb":"backend.add","args":{"guest":"x"', "EBADMSG", "truncated")
expect_error(b'{"netd":1,"verb":"no.such.verb"}', "EOPNOTSUPP", "unknown verb 'no.such.verb'")
expect_error(b'{"netd":99,"verb":"version"}', "EPROTONOSUPPORT", "version 99")
expect_error(b'{"netd":1,"verb":"backend.add","args":{"guest":"x","type":"tap","queues":1e999}}',
             "EINVAL", "")
expect_error(b'[' * 100000, "EMSGSIZE", "dropped")
big = json.dumps({"netd": 1, "verb": "version", "args": {"pad": "x" * 200000}}).encode()
expect_error(big, "EMSGSIZE", "larger than")
print("ok - malformed, truncated, deep and oversized requests get error replies")

# fds sent by a client are closed, and the request still answered.
s = conn()
r, w = os.pipe()
socket.send_fds(s, [b'{"netd":1,"verb":"version"}'], [r, w])
assert reply(s)["ok"] is True
os.close(r); os.close(w)
s.close()
print("ok - fds attached by a client are dropped")

# A client that sends many requests and never reads: others are still served.
hog = conn()
hog.setblocking(False)
sent = 0
try:
    for _ in range(5000):
        hog.send(b'{"netd":1,"verb":"backend.list"}')
        sent += 1
except BlockingIOError:
    pass
t = time.time()
s = conn()
s.send(b'{"netd":1,"verb":"version"}')
assert reply(s)["ok"] is True
assert time.time() - t < 5
print(f"ok - a client that never reads ({sent} requests queued) blocks nobody")

# Half-closed and abruptly closed clients.
for _ in range(50):
    c = conn()
    c.send(b'{"netd":1,"verb":"backend.list"}')
    c.close()
c = conn(); c.shutdown(socket.SHUT_WR); c.close()
hog.close()
# 200 connections at once, each served.
many = [conn() for _ in range(200)]
for c in many:
    c.send(b'{"netd":1,"verb":"version"}')
for c in many:
    assert reply(c)["ok"] is True
    c.close()
print("ok - 200 concurrent clients served")
PY

# The daemon is alive, answers, and holds no more fds than before.
assert_eq "$(netd_fd_settled)" "$base_fds" "netd's fd count back to where it started"
assert_contains "$(nctl backend show)" "ndt0: guest web1" "still serving"
ok "no crash, no hang, no fd leak"
