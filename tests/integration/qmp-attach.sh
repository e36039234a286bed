#!/bin/bash
# qmp attach/detach against a real QEMU (-M none, TCG): a 4-queue tap goes in as a tap
# netdev over QMP, QEMU holds exactly its queue fds, detach gives them back, and
# neither netd nor the CLI keeps an fd.
. "$(dirname "$0")/../lib.sh"
. "$REPO/tests/qmp-lib.sh"




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
