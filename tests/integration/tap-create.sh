#!/bin/bash
# tap backends as the kernel sees them: queues and flags, bridge, MAC, MTU, owner, tag.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link set br0 up
netd_start

out=$(nctl -j backend add web1 type tap bridge br0 queues 4 mac 52:54:00:12:34:56 mtu 1400 owner 1234 group 4321)
name=$(echo "$out" | json_get 'd["name"]')
assert_eq "$name" "ndt0" "first name netd picks"
assert_eq "$(echo "$out" | json_get 'd["vhost_fds"]["active"]')" "False" "vhost fds on a host without vhost_net"
assert_contains "$(echo "$out" | json_get 'd["vhost_fds"]["reason"]')" "/dev/vhost-net" "auto says why"

# IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE|IFF_VNET_HDR|IFF_PERSIST
assert_eq "$(in_ns cat /sys/class/net/ndt0/tun_flags)" "0x5902" "tun_flags of a 4-queue tap"
assert_eq "$(jlink ndt0 'd["master"]')" "br0" "bridge master"
assert_eq "$(jlink ndt0 'd["address"]')" "fe:54:00:12:34:56" "tap MAC is the guest's with 0xfe first"
assert_eq "$(jlink ndt0 'd["mtu"]')" "1400" "MTU"
assert_eq "$(jlink ndt0 'd["linkinfo"]["info_data"]["user"]')" "1234" "tap owner"
assert_eq "$(jlink ndt0 'd["linkinfo"]["info_data"]["group"]')" "4321" "tap group"
assert_eq "$(jlink ndt0 'd["linkinfo"]["info_data"]["multi_queue"]')" "True" "multi_queue"
assert_eq "$(jlink ndt0 '"UP" in d["flags"]')" "True" "link is up"
assert_eq "$(jlink ndt0 'd["linkinfo"]["info_data"]["numqueues"]')" "0" "netd keeps no queue attached"
assert_contains "$(jlink ndt0 'd["ifalias"]')" "k=tap g=web1" "owner tag in ifalias"
assert_eq "$(in_ns ip -j addr show dev ndt0 | json_get '[a["family"] for a in d[0]["addr_info"]]')" "[]" \
	"a bridge port gets no IPv6 link-local address"
ok "4-queue tap on br0 with MAC, MTU, owner"

show=$(nctl -j backend show ndt0)
assert_eq "$(echo "$show" | json_get 'd["mac"]')" "52:54:00:12:34:56" "show reports the guest MAC"
assert_eq "$(echo "$show" | json_get 'd["queues"]')" "4" "show queues"
assert_eq "$(echo "$show" | json_get 'd["master"]')" "br0" "show master"
ok "backend show -j"

# Queue fds delivered: count them through the raw protocol.
fds=$(ndc call backend.open '{"name":"ndt0"}' | json_get 'd["fds"]["queue"]')
assert_eq "$fds" "4" "backend open hands over 4 queue fds"

# Single queue, vnet_hdr off, a name of our own: IFF_TAP|IFF_NO_PI|IFF_PERSIST only.
nctl backend add web1 type tap name vm-web1-0 vnet_hdr off >/dev/null
assert_eq "$(in_ns cat /sys/class/net/vm-web1-0/tun_flags)" "0x1802" "single-queue tap without vnet_hdr"
assert_eq "$(jlink vm-web1-0 'd.get("master", "none")')" "none" "no bridge asked, none set"
ok "single-queue tap with a given name"

# Group: every backend of a guest carries the guest's IFLA_GROUP.
g0=$(jlink ndt0 'd["group"]')
g1=$(jlink vm-web1-0 'd["group"]')
assert_eq "$g0" "$g1" "backends of one guest share a device group"
nctl backend add db1 type tap >/dev/null
[ "$(jlink ndt1 'd["group"]')" != "$g0" ] || fail "another guest got the same group"
ok "one device group per guest"

# Text output looks like ip's.
txt=$(nctl backend show)
assert_contains "$txt" "ndt0: guest web1 type tap state UP mtu 1400 master br0" "text show"
assert_contains "$(nctl -d backend show ndt0)" "multi_queue on" "details"
ok "text output"
