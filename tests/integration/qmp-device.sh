#!/bin/bash
# qmp attach ... device: a multi-queue virtio-net-pci NIC is hot-plugged on the tap
# netdev with mq=on, vectors=2N+2 and the backend's MAC; detach unplugs it (the guest
# must acknowledge: this one never runs, -S) and removes the netdev with QEMU's fds.
. "$(dirname "$0")/../lib.sh"
. "$REPO/tests/qmp-lib.sh"



netns_new
netd_start
nctl backend add web type tap name web0 queues 4 mac 52:54:00:ab:cd:01 >/dev/null
QMP=$TMP/qemu.qmp
# q35 with two PCIe hot-plug slots and USB; -S: no guest code ever runs.
qemu-system-x86_64 -M q35 -accel tcg -S -nodefaults -display none \
	-device pcie-root-port,id=rp0,chassis=1 -device pcie-root-port,id=rp1,chassis=2 -device qemu-xhci \
	-qmp "unix:$QMP,server=on,wait=off" >>"$TMP/qemu.log" 2>&1 &
QEMU_PID=$!
on_exit "kill $QEMU_PID; wait $QEMU_PID"
for _ in $(seq 250); do [ -S "$QMP" ] && break; sleep 0.02; done
[ -S "$QMP" ] || fail "QEMU made no QMP socket: $(cat "$TMP/qemu.log")"
netd_fds=$(settled netd_file_fds)

out=$(nctl qmp attach web0 "$QMP" device virtio-net-pci bus=rp0)
assert_contains "$out" "device web0 virtio-net-pci mac 52:54:00:ab:cd:01" "attach summary names the device"
net=$(info_network "$QMP")
assert_contains "$net" "web0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:ab:cd:01" "info network: the NIC"
assert_eq "$(grep -c 'web0: index=.,type=tap,fd=' <<<"$net")" "4" "info network: 4 tap queues behind it"
assert_eq "$(qom "$QMP" web0 netdev)" "web0" "device on netdev web0"
assert_eq "$(qom "$QMP" web0 mq)" "True" "mq=on"
assert_eq "$(qom "$QMP" web0 vectors)" "10" "vectors=2*4+2"
assert_eq "$(qom "$QMP" web0 mac)" "52:54:00:ab:cd:01" "the backend's MAC"
assert_eq "$(tun_fds "$QEMU_PID")" "4" "QEMU holds the 4 queue fds"
assert_eq "$(nctl -j backend show web0 | json_get 'd["attached_queues"]')" "4" "and only QEMU: 4 attached"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "attach with a virtio-net-pci device: mq, vectors, MAC"

# The paused guest never acknowledges the unplug: detach says so, and still
# removes the netdev, which closes QEMU's fds.
out=$(nctl qmp detach web0 "$QMP" wait 0 2>&1)
assert_contains "$out" "Note: the guest has not released device web0 yet" "detach says the unplug is pending"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "QEMU closed the queue fds"
# (info network still prints the NIC's old peer until the guest lets go of the NIC.)
assert_contains "$(qmp "$QMP" netdev_del '{"id": "web0"}')" "Device 'web0' not found" "netdev web0 is gone"
assert_eq "$(nctl -j backend show web0 | json_get 'd["attached_queues"]')" "0" "no queue attached"
ok "detach: device_del requested, netdev and fds gone"

# Own device id through DEVOPTS; detach by that id.  The pending web0 NIC is no longer
# on any netdev of ours, so detach leaves it alone.
out=$(nctl -j qmp attach web0 "$QMP" id n1 device virtio-net-pci bus=rp1,id=nic1)
assert_eq "$(echo "$out" | json_get 'd["device_id"], d["netdev"]')" "nic1 n1" "device id from DEVOPTS"
assert_eq "$(qom "$QMP" nic1 netdev)" "n1" "nic1 on netdev n1"
nctl_fails 2 "not removing device from QEMU at $QMP: device 'web0' uses netdev" qmp detach web0 "$QMP" id n1 device web0
assert_eq "$(tun_fds "$QEMU_PID")" "4" "a refused detach removes nothing"
out=$(nctl -j qmp detach web0 "$QMP" id n1 device nic1 wait 0)
assert_eq "$(echo "$out" | json_get 'd["device_pending"]')" "True" "JSON says the unplug is pending"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "QEMU closed n1's fds"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "device id from DEVOPTS; detach only unplugs this netdev's NIC"

# A USB NIC unplugs without the guest: detach sees it gone and reports nothing pending.
nctl qmp attach web0 "$QMP" id n2 device usb-net id=usb2 >/dev/null
assert_eq "$(qom "$QMP" usb2 netdev)" "n2" "usb2 on netdev n2"
assert_eq "$(tun_fds "$QEMU_PID")" "4" "QEMU holds the queue fds"
out=$(nctl qmp detach web0 "$QMP" id n2 device usb2 2>&1)
assert_eq "$out" "" "nothing pending, nothing to say"
assert_contains "$(qom "$QMP" usb2 netdev)" "DeviceNotFound" "usb2 is gone"
assert_eq "$(tun_fds "$QEMU_PID")" "0" "and n2's fds"
ok "detach of a device that unplugs at once"
