#!/bin/bash
# qmp attach failure paths: a dead socket, sockets that do not speak QMP, a QMP that
# stops answering, a QEMU that refuses netdev_add (duplicate id) or device_add.  Each
# says what failed in QEMU's or the kernel's words, and leaves nothing behind: no fd in
# netd, no queue attached, no fd or fd name or netdev left in QEMU.
. "$(dirname "$0")/../lib.sh"
. "$REPO/tests/qmp-lib.sh"

attached() { nctl -j backend show web0 | json_get 'd["attached_queues"]'; }

# fake MODE PATH: a unix socket server that is not QEMU, in the background.
cat >"$TMP/fake.py" <<'EOF'
import socket, sys
mode, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    if mode == "close":
        c.close()
    elif mode == "ssh":
        c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        c.close()
    elif mode == "silent":
        held.append(c)
    elif mode == "stall":   # greets, negotiates, then never answers again
        c.sendall(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
        c.recv(4096)
        c.sendall(b'{"return": {}, "id": 1}\r\n')
        held.append(c)
EOF
fake() {
	python3 "$TMP/fake.py" "$1" "$2" 2>>"$TMP/fake.log" &
	FAKE_PID=$!
	on_exit "kill $FAKE_PID"
	for _ in $(seq 250); do [ -S "$2" ] && return 0; sleep 0.02; done
	fail "fake server $1 did not start: $(cat "$TMP/fake.log")"
}


netns_new
netd_start
nctl backend add web type tap name web0 queues 4 >/dev/null
netd_fds=$(settled netd_file_fds)
clean() { # clean WHAT: nothing stayed behind in netd or on the tap
	assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "$1: netd keeps no fd"
	assert_eq "$(attached)" "0" "$1: no queue left attached"
}

# Dead socket: the file is there, nobody listens.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/dead.qmp"
nctl_fails 2 "cannot connect to QMP socket $TMP/dead.qmp: Connection refused (is QEMU running?)" \
	qmp attach web0 "$TMP/dead.qmp"
nctl_fails 2 "cannot connect to QMP socket $TMP/none.qmp: No such file or directory" \
	qmp attach web0 "$TMP/none.qmp"
clean "dead socket"
ok "dead or missing socket: connect error"

# Not QMP: one that greets with something else, one that hangs up, one that is silent,
# one that is not a stream socket (netd's own SOCK_SEQPACKET socket).
fake ssh "$TMP/ssh.sock"
nctl_fails 2 "$TMP/ssh.sock is not a QMP socket: it said 'SSH-2.0-OpenSSH_9.2p1 Debian-2'" \
	qmp attach web0 "$TMP/ssh.sock"
fake close "$TMP/close.sock"
nctl_fails 2 "$TMP/close.sock closed the connection without a QMP greeting" qmp attach web0 "$TMP/close.sock"
fake silent "$TMP/silent.sock"
nctl_fails 2 "no QMP greeting from $TMP/silent.sock within 300 ms" qmp attach web0 "$TMP/silent.sock" timeout 0.3
nctl_fails 2 "not a stream socket, so not QEMU's QMP" qmp attach web0 "$SOCK"
clean "non-QMP sockets"
ok "non-QMP sockets: clear errors"

# A QMP peer that stops answering mid-way: the CLI gives up instead of hanging.
fake stall "$TMP/stall.sock"
nctl_fails 2 "did not answer getfd within 300 ms" qmp attach web0 "$TMP/stall.sock" timeout 0.3
assert_contains "$LAST_ERR" "no rollback over this connection: QEMU may still hold fds named netd-web0-q*" \
	"says what may be left"
# The first queue fd is in flight to the stalled peer, and stays its until it goes.
assert_eq "$(attached)" "1" "the stalled peer holds the one fd sent"
kill "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null || true
clean "stalled QMP"
ok "a QMP peer that stops answering: timeout, not a hang"

# Real QEMU, busy with another QMP client (it serves one at a time).
QMP=$TMP/qemu.qmp
qemu_start "$QMP" -M none -netdev hubport,id=n0,hubid=0
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(4096)
open(sys.argv[2], "w").close(); time.sleep(3600)' "$QMP" "$TMP/holding" &
holder=$!
on_exit "kill $holder"
for _ in $(seq 250); do [ -e "$TMP/holding" ] && break; sleep 0.02; done
[ -e "$TMP/holding" ] || fail "the other QMP client did not get QEMU's greeting"
nctl_fails 2 "QEMU is serving another QMP client" qmp attach web0 "$QMP" timeout 0.3
kill "$holder"
wait "$holder" 2>/dev/null || true
clean "busy QMP"
ok "a QMP socket held by another client: timeout with the likely reason"

# QEMU refuses netdev_add: the id is taken by a netdev that is not ours.
before=$(info_network "$QMP")
assert_contains "$before" "hub 0" "QEMU has a hubport netdev n0"
assert_contains "$before" "n0" "QEMU has a hubport netdev n0"
nctl_fails 2 "QEMU at $QMP refused netdev_add of tap 'n0' with 4 queue fds: Duplicate ID 'n0'" \
	qmp attach web0 "$QMP" id n0
assert_eq "$(info_network "$QMP")" "$before" "the existing netdev n0 is untouched"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "QEMU holds no queue fd"
for n in netd-n0-q0 netd-n0-q1 netd-n0-q2 netd-n0-q3; do
	assert_contains "$(qmp "$QMP" closefd "{\"fdname\": \"$n\"}")" "not found" "fd name $n closed by the rollback"
done
clean "duplicate id"
ok "netdev_add refused: QEMU's words, fds closed, the other netdev untouched"

# QEMU refuses device_add (-M none has no PCI bus): the netdev just added goes again.
nctl_fails 2 "refused device_add of virtio-net-pci 'web0' on netdev 'web0': No 'PCI' bus found for device 'virtio-net-pci'" \
	qmp attach web0 "$QMP" device virtio-net-pci
assert_eq "$(info_network "$QMP")" "$before" "no netdev web0 left"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "QEMU closed the queue fds with the netdev"
clean "device_add refused"
ok "device_add refused: the netdev is removed again"

# Bad device options: refused before netd or QEMU hear of it.
nctl_fails 1 "device option 'junk' is not KEY=VALUE" qmp attach web0 "$QMP" device virtio-net-pci bus=pci.0,junk
nctl_fails 1 "device option 'netdev' is set by netd" qmp attach web0 "$QMP" device virtio-net-pci netdev=x
assert_eq "$(info_network "$QMP")" "$before" "nothing added"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "no fd in QEMU"
clean "bad device options"
ok "bad device options"

# detach never removes a device that is not this netdev's NIC.
nctl_fails 2 "QEMU at $QMP has no device 'nic9'" qmp detach web0 "$QMP" id n0 device nic9
assert_eq "$(info_network "$QMP")" "$before" "detach of a missing device removes nothing"
ok "detach refuses to touch what is not its own"
