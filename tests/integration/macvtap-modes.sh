#!/bin/bash
# macvtap backends in every mode on a veth lower device: frames written to the queue
# fd leave on the lower device, frames for the guest's MAC are read from the fd.
. "$(dirname "$0")/../lib.sh"
netns_new
netd_start
check() { in_ns python3 "$REPO/tests/helpers/macvtap_check.py" "$SOCK" "$@"; }

i=0
for mode in bridge vepa private passthru source; do
	i=$((i + 1))
	in_ns ip link add "l$i" type veth peer name "p$i"
	in_ns ip link set "l$i" up
	in_ns ip link set "p$i" up
	extra=()
	[ "$mode" = source ] && extra=(source-mac 02:00:00:00:00:01)
	out=$(nctl -j backend add "g$mode" type macvtap link "l$i" mode "$mode" queues 2 \
		mac "52:54:00:00:01:0$i" "${extra[@]}")
	name=$(echo "$out" | json_get 'd["name"]')
	assert_eq "$(jlink "$name" 'd["linkinfo"]["info_data"]["mode"]')" "$mode" "$mode: kernel mode"
	assert_eq "$(jlink "$name" 'd["link"]')" "l$i" "$mode: lower device"
	[ "$mode" = passthru ] || assert_eq "$(jlink "$name" 'd["address"]')" "52:54:00:00:01:0$i" "$mode: MAC"
	res=$(check "$name" "p$i")
	assert_contains "$res" "tx ok" "$mode: guest to wire"
	assert_contains "$res" "rx ok" "$mode: wire to guest"
	ok "macvtap mode $mode: both directions"
done

# Passthru needs the lower device alone; a missing lower device; clear errors, nothing left.
before=$(ns_links)
nctl_fails 2 "passthru macvtap" backend add x type macvtap link l4 mode bridge
nctl_fails 2 "passthru" backend add x type macvtap link l1 mode passthru
nctl_fails 2 "lower device 'nope0' does not exist" backend add x type macvtap link nope0
nctl_fails 2 "source-mac applies to source mode only" backend add x type macvtap link l1 source-mac 02:00:00:00:00:09
nctl_fails 2 "nopromisc applies to passthru mode only" backend add x type macvtap link l1 nopromisc
nctl_fails 2 "macvtap mode must be" backend add x type macvtap link l1 mode hairpin
nctl_fails 2 "is a netd backend" backend add x type macvtap link "$(nctl -j backend show | json_get 'd[0]["name"]')"
assert_eq "$(ns_links)" "$before" "failed creates leave nothing"
ok "macvtap errors are clear and leave nothing behind"

# Re-open hands out the queue fds again; guest del removes them all.
assert_contains "$(nctl backend open "$(nctl -j backend show guest gbridge | json_get 'd[0]["name"]')")" "fds: 2 queues" "re-open"
for g in bridge vepa private passthru source; do nctl guest del "g$g"; done
assert_eq "$(ns_links)" "l1 l2 l3 l4 l5 lo p1 p2 p3 p4 p5" "all macvtaps gone, lower devices kept"
ok "macvtap open and guest del"
