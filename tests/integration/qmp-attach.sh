#!/bin/bash
# qmp attach/detach against a real QEMU (-M none, TCG): a 4-queue tap goes in as a tap
# netdev over QMP, QEMU holds exactly its queue fds, detach gives them back, and
# neither netd nor the CLI keeps an fd.
. "$(dirname "$0")/../lib.sh"
# The system python3: a pyenv shim first in PATH costs ~0.2 s per call, and the
# helpers below only need the standard library.
[ -x /usr/bin/python3 ] && export PATH=/usr/bin:$PATH
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"

# qmp SOCKET COMMAND [JSON_ARGS]: one command from the test itself; prints the reply.
qmp() {
	python3 - "$@" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile('rwb')
def cmd(c, a):
    f.write(json.dumps({"execute": c, "arguments": a}).encode() + b"\n")
    f.flush()
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
json.loads(f.readline())
cmd("qmp_capabilities", {})
print(json.dumps(cmd(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
EOF
}
info_network() { qmp "$1" human-monitor-command '{"command-line": "info network"}' | json_get 'd["return"]'; }
tun_fds() { ls -l "/proc/$1/fd" | grep -c ' -> /dev/net/tun$' || true; }

# qemu_start SOCKET ARGS...: QEMU with QMP on SOCKET; sets QEMU_PID.
qemu_start() {
	local sock=$1
	shift
	qemu-system-x86_64 -nodefaults -display none -qmp "unix:$sock,server=on,wait=off" "$@" \
		>>"$TMP/qemu.log" 2>&1 &
	QEMU_PID=$!
	on_exit "kill $QEMU_PID; wait $QEMU_PID"
	for _ in $(seq 250); do
		[ -S "$sock" ] && return 0
		kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU exited at start: $(cat "$TMP/qemu.log")"
		sleep 0.02
	done
	fail "QEMU made no QMP socket $sock: $(cat "$TMP/qemu.log")"
}


netns_new
netd_start
nctl backend add web type tap name web0 queues 4 mac 52:54:00:12:34:56 >/dev/null
QMP=$TMP/qemu.qmp
qemu_start "$QMP" -M none
netd_fds=$(settled netd_file_fds)

out=$(nctl qmp attach web0 "$QMP")
assert_contains "$out" "web0: netdev web0 in QEMU at $QMP, 4 queues, vhost off" "attach summary"
assert_contains "$out" "vhost-net is not available" "attach says why there is no vhost"
kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU died on attach: $(cat "$TMP/qemu.log")"
net=$(info_network "$QMP")
assert_eq "$(grep -c '^web0: index=.*,type=tap,fd=' <<<"$net")" "4" "info network lists 4 tap queues of web0: $net"
assert_eq "$(tun_fds "$QEMU_PID")" "4" "QEMU holds the 4 queue fds"
# The kernel counts every attached queue fd: 4 are all QEMU's, none the CLI's or netd's.
assert_eq "$(nctl -j backend show web0 | json_get 'd["attached_queues"]')" "4" "the tap has 4 queues attached"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "attach: 4-queue tap netdev in QEMU, no vhost (none on this host), no fd left behind"

# Our getfd names were all consumed by netdev_add: QEMU's monitor keeps none.
for n in netd-web0-q0 netd-web0-q3; do
	assert_contains "$(qmp "$QMP" closefd "{\"fdname\": \"$n\"}")" "not found" "fd name $n consumed"
done
ok "no getfd name is left in QEMU's monitor"

# A second holder is refused by netd (the kernel would split traffic).
nctl_fails 2 "still has 4 queues attached" qmp attach web0 "$QMP" id web1
assert_eq "$(tun_fds "$QEMU_PID")" "4" "refused attach adds nothing to QEMU"
assert_not_contains "$(info_network "$QMP")" "web1" "no netdev web1"
ok "attach while QEMU holds the queues is refused"

out=$(nctl qmp detach web0 "$QMP")
assert_eq "$out" "" "detach is quiet"
assert_not_contains "$(info_network "$QMP")" "web0" "info network after detach"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "QEMU closed the queue fds"
assert_eq "$(nctl -j backend show web0 | json_get 'd["attached_queues"]')" "0" "no queue attached after detach"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd after detach"
ok "detach removes the netdev and QEMU's fds"

# Custom id, JSON output, and again: detach of what is gone says QEMU's words.
out=$(nctl -j qmp attach web0 "$QMP" id n0)
assert_eq "$(echo "$out" | json_get 'd["netdev"], d["queues"], d["vhost"]')" "n0 4 False" "JSON attach result"
assert_eq "$(info_network "$QMP" | grep -c '^n0: .*type=tap')" "4" "netdev n0 with 4 queues"
assert_eq "$(nctl -j qmp detach web0 "$QMP" id n0 | json_get 'd["device_pending"]')" "False" "JSON detach"
nctl_fails 2 "refused netdev_del of 'n0'" qmp detach web0 "$QMP" id n0
assert_contains "$LAST_ERR" "Device 'n0' not found" "QEMU's own words"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "nothing left in QEMU"
ok "netdev id, JSON output, detach of a missing netdev"

# Usage errors never reach QEMU or netd.
nctl_fails 1 "qmp attach needs BACKEND and QMP_SOCKET" qmp attach web0
nctl_fails 1 "is not a QEMU id" qmp attach web0 "$QMP" id 0bad
nctl_fails 1 "\"timeout\" takes seconds" qmp attach web0 "$QMP" timeout x
nctl_fails 1 "Command \"frob\" is unknown" qmp frob
assert_contains "$(nctl qmp help)" "netdctl qmp attach BACKEND QMP_SOCKET" "qmp help"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "usage errors add nothing"
assert_eq "$(nctl -j backend show web0 | json_get 'd["attached_queues"]')" "0" "and leave no queue attached"
ok "usage errors"
