#!/bin/bash
# qmp attach with vhost on (the host kernel has no vhost_net, the test VM does): netd
# hands out queue and /dev/vhost-net fds, QEMU gets both over QMP and starts its vhost
# workers; detach gives everything back.  Same with exec.  Run by scripts/vmtest.
if [[ ${NETD_IN_VM:-} != 1 ]]; then
	echo "30-qmp-vhost: meant for the test VM; run it with scripts/vmtest" >&2
	exit 2
fi
. "$REPO/tests/lib.sh"
export QMP_TIMEOUT=30   # TCG is slow
. "$REPO/tests/qmp-lib.sh"
[ -c /dev/vhost-net ] || fail "/dev/vhost-net is missing in the VM (vhost_net not loaded?)"

# (fd links can read /host/dev/...: the guest's devtmpfs is mounted before the chroot.)
fds_to() { ls -l "/proc/$1/fd" | grep -cE " -> (/host)?$2\$" || true; }
fd_target() { local t; t=$(readlink "/proc/$1/fd/$2"); echo "${t#/host}"; }
# vhost-net's worker threads are named vhost-<owner pid>, one per vhost device.
vhost_workers() { cat /proc/[0-9]*/comm 2>/dev/null | grep -c "^vhost-$1\$" || true; }
attached() { nctl -j backend show web0 | json_get 'd["attached_queues"]'; }

wait_socket() { # wait_socket PATH PID
	for _ in $(seq 500); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || fail "QEMU exited at start: $(cat "$TMP/qemu.log")"
		sleep 0.02
	done
	fail "QEMU made no QMP socket $1: $(cat "$TMP/qemu.log")"
}

netns_new
netd_start
out=$(nctl -j backend add web type tap name web0 queues 4 vhost on mac 52:54:00:00:00:30)
assert_eq "$(echo "$out" | json_get 'd["vhost_fds"]["active"]')" "True" "netd opened vhost-net"
netd_fds=$(netd_file_fds)

# -M none needs no accelerator; the guest never runs.
QMP=$TMP/qemu.qmp
qemu-system-x86_64 -M none -nodefaults -display none -qmp "unix:$QMP,server=on,wait=off" \
	>>"$TMP/qemu.log" 2>&1 &
QEMU_PID=$!
on_exit "kill $QEMU_PID; wait $QEMU_PID"
wait_socket "$QMP" "$QEMU_PID"

out=$(nctl qmp attach web0 "$QMP")
assert_contains "$out" "web0: netdev web0 in QEMU at $QMP, 4 queues, vhost on" "attach with vhost"
kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU died on attach: $(cat "$TMP/qemu.log")"
assert_eq "$(fds_to "$QEMU_PID" /dev/net/tun)" "4" "QEMU holds 4 queue fds"
assert_eq "$(fds_to "$QEMU_PID" /dev/vhost-net)" "4" "QEMU holds 4 vhost-net fds"
assert_eq "$(vhost_workers "$QEMU_PID")" "4" "4 vhost workers run for QEMU"
assert_eq "$(grep -c '^web0: index=.*,type=tap,fd=' <<<"$(info_network "$QMP")")" "4" "info network: 4 queues"
assert_eq "$(attached)" "4" "only QEMU holds queues"
assert_eq "$(netd_dev_fds) $(netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "qmp attach: 4 queues with vhost, QEMU runs vhost workers"

nctl qmp detach web0 "$QMP" >/dev/null
assert_not_contains "$(info_network "$QMP")" "web0" "netdev gone"
assert_eq "$(fds_to "$QEMU_PID" /dev/net/tun)" "0" "queue fds closed"
assert_eq "$(fds_to "$QEMU_PID" /dev/vhost-net)" "0" "vhost fds closed"
assert_eq "$(attached)" "0" "no queue attached"
assert_eq "$(netd_dev_fds) $(netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "qmp detach: queue and vhost fds gone from QEMU"

# Refused netdev_add with vhost: every fd name, queue and vhost, is closed again.
qmp "$QMP" netdev_add '{"type": "hubport", "id": "taken", "hubid": 0}' >/dev/null
nctl_fails 2 "refused netdev_add of tap 'taken' with 4 queue fds and vhost: Duplicate ID 'taken'" \
	qmp attach web0 "$QMP" id taken
for n in netd-taken-q0 netd-taken-v3; do
	assert_contains "$(qmp "$QMP" closefd "{\"fdname\": \"$n\"}")" "not found" "fd name $n closed by the rollback"
done
assert_eq "$(fds_to "$QEMU_PID" /dev/vhost-net)" "0" "no vhost fd left in QEMU"
assert_eq "$(attached)" "0" "no queue left attached"
ok "refused netdev_add: queue and vhost fds rolled back"

# exec: the documented template, vhost kept this time.
QMP2=$TMP/exec.qmp
ip netns exec "$NS" "$NETDCTL_BIN" -S "$SOCK" exec web0 -- qemu-system-x86_64 -M none -nodefaults -display none \
	-netdev 'tap,id=n0,fds={fds},vhost=on,vhostfds={vhostfds}' \
	-qmp "unix:$QMP2,server=on,wait=off" >>"$TMP/qemu.log" 2>&1 &
EPID=$!
on_exit "kill $EPID; wait $EPID"
wait_socket "$QMP2" "$EPID"
for fd in 3 4 5 6; do
	assert_eq "$(fd_target "$EPID" "$fd")" "/dev/net/tun" "fd $fd is a queue"
done
for fd in 7 8 9 10; do
	assert_eq "$(fd_target "$EPID" "$fd")" "/dev/vhost-net" "fd $fd is vhost-net"
done
assert_contains "$(tr '\0' ' ' <"/proc/$EPID/cmdline")" "tap,id=n0,fds=3:4:5:6,vhost=on,vhostfds=7:8:9:10" "expanded"
assert_eq "$(vhost_workers "$EPID")" "4" "4 vhost workers run for the exec'd QEMU"
ok "exec: QEMU starts with the queue and vhost fds"
