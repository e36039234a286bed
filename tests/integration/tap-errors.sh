#!/bin/bash
# Bad input gets a clear error and changes nothing; devices netd did not create are
# never modified or deleted.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link add veth0 type veth peer name veth1
in_ns ip tuntap add mode tap name usertap0
in_ns ip link set dev usertap0 address 02:00:00:00:00:aa mtu 1300
netd_start
nctl backend add web1 type tap name web1-0 bridge br0 >/dev/null
before=$(ns_links)
snapshot() { in_ns ip -d link show dev "$1" | grep -v -e numqueues; }
user_before=$(snapshot usertap0)

nctl_fails 2 "device 'web1-0' already exists" backend add web1 type tap name web1-0
nctl_fails 2 "device 'usertap0' already exists" backend add web1 type tap name usertap0
nctl_fails 2 "bridge 'nope0' does not exist" backend add web1 type tap bridge nope0
nctl_fails 2 "'veth1' is not a bridge" backend add web1 type tap bridge veth1
nctl_fails 2 "'52:54:00:zz:00:01' is not a MAC address" backend add web1 type tap mac 52:54:00:zz:00:01
nctl_fails 2 "multicast" backend add web1 type tap mac 01:00:5e:00:00:01
nctl_fails 2 "queues 0 is out of range (1 to 64)" backend add web1 type tap queues 0
nctl_fails 2 "queues 1000 is out of range (1 to 64)" backend add web1 type tap queues 1000
nctl_fails 2 "/dev/vhost-net" backend add web1 type tap vhost on
nctl_fails 2 "mtu 20 is out of range" backend add web1 type tap mtu 20
nctl_fails 2 "not a valid device name" backend add web1 type tap name 'bad/name'
nctl_fails 2 "not a valid guest name" backend add 'web 1' type tap
nctl_fails 2 "unknown backend type 'tun'" backend add web1 type tun
nctl_fails 2 "unknown argument \"link\" for a tap backend" backend add web1 type tap link veth0
nctl_fails 1 "unknown keyword" backend add web1 type tap colour blue
# The kernel's own words (extack) reach the user: an MTU the bridge refuses.
nctl_fails 2 "cannot configure tap 'big0' on 'br0': Invalid argument: mtu greater than device maximum" \
	backend add web1 type tap bridge br0 mtu 65535 name big0
assert_eq "$(ns_links)" "$before" "no device left behind by failed creates"
ok "every bad create fails clearly and leaves nothing"

# Devices netd did not create: never modified, never deleted.
nctl_fails 2 "no backend named 'usertap0'" backend del usertap0
nctl_fails 2 "no backend named 'veth0'" backend open veth0
nctl_fails 2 "no guest named 'usertap0'" guest del usertap0
# Somebody moves a device of theirs into a guest's group: guest del refuses the batch.
g=$(jlink web1-0 'd["group"]')
in_ns ip link set dev veth1 group "$g"
nctl_fails 2 "also holds 'veth1', a device netd did not create" guest del web1
assert_contains "$(ns_links)" "veth1" "foreign device in the group survives"
assert_contains "$(ns_links)" "web1-0" "nothing deleted when refusing"
in_ns ip link set dev veth1 group default
nctl guest del web1
assert_contains "$(ns_links)" "veth1" "foreign device still there"
assert_not_contains "$(ns_links)" "web1-0" "guest del removed the backend"
assert_eq "$(snapshot usertap0)" "$user_before" "user's tap untouched by any command"
ok "devices netd did not create are never touched"

# Protocol-level errors carry a name, a number and a sentence.
err=$(ndc call backend.add '{"guest":"x","type":"tap","queues":"four"}')
assert_eq "$(echo "$err" | json_get 'd["error"]["name"]')" "EINVAL" "errno name"
assert_eq "$(echo "$err" | json_get 'd["error"]["errno"]')" "22" "errno number"
assert_contains "$(echo "$err" | json_get 'd["error"]["message"]')" "\"queues\" must be an integer" "sentence"
ok "error replies carry name, number and message"
