#!/bin/bash
# netdctl exec starts QEMU with a multi-queue virtio-net NIC on a backend: netdctl
# becomes QEMU (same pid), QEMU holds the tap queues as fds 3.., and the NIC has them.
. "$(dirname "$0")/../lib.sh"
. "$REPO/tests/qmp-lib.sh"



netns_new
netd_start
nctl backend add vm1 type tap name vm1n0 queues 4 mac 52:54:00:00:00:11 >/dev/null
netd_fds=$(settled netd_file_fds)
QMP=$TMP/qemu.qmp

# The template from the docs, vhost=on included: this host has no vhost-net, so exec
# leaves vhost out (with a note) instead of QEMU failing.
# (ip netns exec and netdctl both exec in place: $! ends up being QEMU's pid.)
ip netns exec "$NS" "$NETDCTL_BIN" -S "$SOCK" exec vm1n0 -- qemu-system-x86_64 -M q35 -accel tcg -S -nodefaults -display none \
	-netdev 'tap,id=n0,fds={fds},vhost=on,vhostfds={vhostfds}' \
	-device 'virtio-net-pci,netdev=n0,id=nic0,mac={mac},mq=on,vectors={vectors}' \
	-qmp "unix:$QMP,server=on,wait=off" >"$TMP/qemu.out" 2>&1 &
PID=$!
on_exit "kill $PID; wait $PID"
for _ in $(seq 250); do
	[ -S "$QMP" ] && break
	kill -0 "$PID" 2>/dev/null || fail "QEMU from exec exited: $(cat "$TMP/qemu.out")"
	sleep 0.02
done
[ -S "$QMP" ] || fail "QEMU made no QMP socket: $(cat "$TMP/qemu.out")"

assert_eq "$(readlink "/proc/$PID/exe")" "$(readlink -f "$(command -v qemu-system-x86_64)")" "netdctl became QEMU (same pid)"
for fd in 3 4 5 6; do
	assert_eq "$(readlink "/proc/$PID/fd/$fd")" "/dev/net/tun" "QEMU fd $fd is a tap queue"
done
assert_eq "$(ls -l "/proc/$PID/fd" | grep -c ' -> /dev/net/tun$')" "4" "exactly the 4 queues"
assert_contains "$(cat "$TMP/qemu.out")" "Note: backend vm1n0 has no vhost fds" "exec says vhost is left out"
cmdline=$(tr '\0' ' ' <"/proc/$PID/cmdline")
assert_contains "$cmdline" "-netdev tap,id=n0,fds=3:4:5:6 -device virtio-net-pci,netdev=n0,id=nic0,mac=52:54:00:00:00:11,mq=on,vectors=10" \
	"placeholders expanded, vhost options dropped"
net=$(qmp "$QMP" human-monitor-command '{"command-line": "info network"}' | json_get 'd["return"]')
assert_contains "$net" "nic0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:00:00:11" "info network: the NIC"
for fd in 3 4 5 6; do
	assert_contains "$net" "type=tap,fd=$fd" "info network: queue on fd $fd"
done
assert_eq "$(qom "$QMP" nic0 mq)" "True" "mq=on"
assert_eq "$(nctl -j backend show vm1n0 | json_get 'd["attached_queues"]')" "4" "only QEMU holds queues"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "exec: QEMU boots with the backend's 4 queues on a virtio-net NIC"

kill "$PID"
wait "$PID" 2>/dev/null || true
assert_eq "$(nctl -j backend show vm1n0 | json_get 'd["attached_queues"]')" "0" "queues go with QEMU"
ok "the queues go away with QEMU"
