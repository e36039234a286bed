#!/bin/bash
# vhost-net for real (the test VM has vhost_net): tap and macvtap backends with
# queues 2 vhost on hand out vhost fds that accept QEMU's whole vhost-net set-up on
# every queue fd; vhost auto gives them here.  Run by scripts/vmtest.
if [[ ${NETD_IN_VM:-} != 1 ]]; then
	echo "10-vhost: meant for the test VM; run it with scripts/vmtest" >&2
	exit 2
fi
. "$REPO/tests/lib.sh"
[ -c /dev/vhost-net ] || fail "/dev/vhost-net is missing in the VM (vhost_net not loaded?)"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link add l0 type veth peer name p0
in_ns ip link set l0 up
netd_start

out=$(nctl -j backend add web type tap bridge br0 queues 2 vhost on)
assert_eq "$(echo "$out" | json_get 'd["vhost_fds"]["active"]')" "True" "vhost fds handed out"
res=$(in_ns "$BUILD/tests/vhost_seq" "$SOCK" ndt0)
assert_contains "$res" "2 queue pairs set up and torn down" "vhost-net sequence on a tap backend"
ok "tap, 2 queues, vhost on: QEMU's vhost-net set-up succeeds on netd's fds"

# The counters' programs pass this (Debian) kernel's verifier too and sit on the tap.
assert_contains "$(cat "$TMP/netd.log")" "eBPF counters loaded" "counters load on $(uname -r)"
assert_contains "$(hooks ndt0)" "ingress $(netd_hook) netd_guest_tx" "counters on ndt0's ingress"
assert_contains "$(hooks ndt0)" "egress $(netd_hook) netd_guest_rx" "counters on ndt0's egress"
ok "eBPF counters load and attach on kernel $(uname -r)"

nctl backend add db type macvtap link l0 queues 2 vhost on >/dev/null
name=$(nctl -j backend show guest db | json_get 'd[0]["name"]')
res=$(in_ns "$BUILD/tests/vhost_seq" "$SOCK" "$name")
assert_contains "$res" "2 queue pairs set up and torn down" "vhost-net sequence on a macvtap backend"
ok "macvtap, 2 queues, vhost on: QEMU's vhost-net set-up succeeds on netd's fds"

out=$(nctl -j backend add auto type tap)
assert_eq "$(echo "$out" | json_get 'd["vhost_fds"]["active"]')" "True" "vhost auto gives fds where the device exists"
assert_eq "$(echo "$out" | json_get '"reason" in d["vhost_fds"]')" "False" "and gives no reason"
assert_eq "$(nctl -j version | json_get 'd["vhost_net"]')" "True" "version reports vhost_net"
ok "vhost auto hands out vhost fds in the VM"
