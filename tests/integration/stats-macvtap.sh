#!/bin/bash
# eBPF counters on macvtap backends, in every macvlan mode.  The host-to-guest path
# does not look like a tap's: frames arrive on the lower device, whose macvlan rx
# handler re-targets them to the macvtap for another receive round, so the macvtap's
# own tc INGRESS sees guest rx, and its tc EGRESS what the guest writes (guest tx).
# Proved here with unicast and broadcast frames from the wire, frames from a sibling
# macvlan (bridge mode), and frames from the guest: every one is counted once, in the
# right direction and size bucket, and the kernel's link counters agree.
. "$(dirname "$0")/../lib.sh"

netns_new
# Every frame on the devices is one we sent: no IPv6 autoconfiguration chatter.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
netd_start
HOOK=$(netd_hook)

# check NAME DIR SIZES: guest DIR counters are exactly SIZES, and so are the macvtap's
# own link counters: for a macvtap guest rx is its RX, guest tx its TX.
check() {
	python3 "$REPO/tests/helpers/stats_check.py" "$2" "$3" "$(nctl -j stats show backend "$1")" "" \
		--kernel "$(in_ns ip -j -s link show dev "$1")" "$2" || fail "counters of $1 guest $2"
}

n=0
for mode in bridge vepa private passthru source; do
	n=$((n + 1))
	low=l$n peer=p$n mvt=mvt$n mac=52:54:00:00:01:0$n
	in_ns ip link add "$low" type veth peer name "$peer"
	in_ns ip link set "$low" up
	in_ns ip link set "$peer" up
	extra=()
	# source mode takes frames by their source MAC: the peer's.
	[ $mode = source ] && extra=(source-mac "$(in_ns cat /sys/class/net/$peer/address)")
	nctl backend add "g$mode" type macvtap link "$low" mode $mode name "$mvt" mac $mac "${extra[@]}" >/dev/null

	assert_contains "$(hooks $mvt)" "ingress $HOOK netd_guest_rx" "$mode: ingress counts guest rx"
	assert_contains "$(hooks $mvt)" "egress $HOOK netd_guest_tx" "$mode: egress counts guest tx"

	rx="60x3,100x2,600,1514x2"
	frames from-dev "$peer" "$mvt" "60x3,100x2,600,1514x2"      # unicast from the wire
	FRAMES_BROADCAST=1 frames from-dev "$peer" "$mvt" "300x2"   # broadcast from the wire
	rx="$rx,300x2"
	if [ $mode = bridge ]; then
		# A sibling on the same lower: bridged inside macvlan, never on the wire.
		in_ns ip link add link "$low" name "s$n" type macvlan mode bridge
		in_ns ip link set "s$n" up
		frames from-dev "s$n" "$mvt" "128x4"
		rx="$rx,128x4"
	fi
	frames to-dev "$mvt" "$peer" "64x2,200,1000x3"
	check "$mvt" rx "$rx"
	check "$mvt" tx "64x2,200,1000x3"
	ok "macvtap $mode: guest rx at tc ingress, guest tx at tc egress, exact and equal to the kernel's"
done

doc=$(nctl -j stats show)
got=$(echo "$doc" | json_get '[(g["guest"], g["rx"]["packets"], g["tx"]["packets"]) for g in d["guests"]]')
assert_eq "$got" "[('gbridge', 14, 6), ('gpassthru', 10, 6), ('gprivate', 10, 6), ('gsource', 10, 6), ('gvepa', 10, 6)]" \
	"every guest's sums"
ok "per-guest sums over macvtap backends"
