#!/bin/bash
# Smoke test of the VM rig itself: the kernel features netd's VM tests rely on are there.
# Runs inside scripts/vmtest's guest only (it creates devices in the init namespace).
set -uo pipefail

if [[ ${NETD_IN_VM:-} != 1 ]]; then
	echo "00-smoke: meant for the test VM; run it with scripts/vmtest" >&2
	exit 2
fi

fails=0
ok()   { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() {   # check DESCRIPTION COMMAND...
	local what=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$what"; else fail "$what: ${out:-exit $?}"; fi
}

# Names unique to this run, so a later test in the same boot is not disturbed.
TAP=vmt-tap$$
MVT=vmt-mvt$$
NSIM_ID=$((700 + $$ % 200))
NSIM=/sys/bus/netdevsim/devices/netdevsim$NSIM_ID

cleanup() {
	ip link del "$MVT" 2>/dev/null
	ip tuntap del dev "$TAP" mode tap 2>/dev/null
	[[ -e $NSIM ]] && echo "$NSIM_ID" >/sys/bus/netdevsim/del_device
}
trap cleanup EXIT

echo "kernel $(uname -r); ip is $(command -v ip); python3 is $(command -v python3)"

# The rig itself: the host's root over 9p, read-only, with the host's tools working.
check "/ is the host root over 9p, read-only" \
	bash -c 'findmnt -n -o FSTYPE,OPTIONS / | grep -Eq "^9p +ro,"'
check "cwd is \$REPO ($REPO)" test "$PWD" = "$REPO"
check "host iproute2 runs from 9p (ip -V)" ip -V
check "/tmp is writable tmpfs" bash -c 'f=$(mktemp) && rm "$f"'

# vhost-net: the whole point of the VM (the host kernel has no vhost_net).
check "/dev/vhost-net is a character device" test -c /dev/vhost-net
if exec 3<>/dev/vhost-net; then
	ok "/dev/vhost-net opens read-write"
	exec 3>&-
else
	fail "/dev/vhost-net does not open"
fi

# netdevsim with the rig's sriov_totalvfs patch.
if echo "$NSIM_ID 1" >/sys/bus/netdevsim/new_device; then
	ok "netdevsim$NSIM_ID created"
else
	fail "echo '$NSIM_ID 1' > /sys/bus/netdevsim/new_device"
fi
DEV=""
for _ in $(seq 50); do          # the port's netdev appears right after probe
	DEV=$(ls "$NSIM/net" 2>/dev/null | head -n1)
	[[ -n $DEV ]] && break
	sleep 0.1
done
if [[ -z $DEV ]]; then
	fail "netdevsim$NSIM_ID has no netdev under $NSIM/net"
	echo "00-smoke: $fails check(s) failed"
	exit 1
fi
ok "netdevsim$NSIM_ID port netdev is $DEV"

max_vfs=$(cat "/sys/kernel/debug/netdevsim/netdevsim$NSIM_ID/max_vfs" 2>/dev/null || echo 4)
total=$(cat "/sys/class/net/$DEV/device/sriov_totalvfs" 2>&1)
if [[ $total == "$max_vfs" ]]; then
	ok "$DEV device/sriov_totalvfs reads $total (= max_vfs)"
else
	fail "$DEV device/sriov_totalvfs reads '$total', want $max_vfs"
fi

if echo 2 >"/sys/class/net/$DEV/device/sriov_numvfs"; then
	ok "echo 2 > $DEV device/sriov_numvfs"
else
	fail "echo 2 > $DEV device/sriov_numvfs"
fi
link=$(ip -d link show "$DEV" 2>&1)
for vf in 0 1; do
	if grep -q "vf $vf " <<<"$link"; then
		ok "ip -d link show $DEV lists vf $vf"
	else
		fail "ip -d link show $DEV lacks vf $vf:"$'\n'"$link"
	fi
done

# tap and macvtap, the other two backend kinds.
check "ip tuntap add dev $TAP mode tap" ip tuntap add dev "$TAP" mode tap
check "$TAP exists" test -d "/sys/class/net/$TAP"
check "ip link add link $DEV name $MVT type macvtap mode bridge" \
	ip link add link "$DEV" name "$MVT" type macvtap mode bridge
ifindex=$(cat "/sys/class/net/$MVT/ifindex" 2>/dev/null)
if [[ -n $ifindex ]] && exec 4<>"/dev/tap$ifindex"; then
	ok "/dev/tap$ifindex (macvtap $MVT) opens"
	exec 4>&-
else
	fail "/dev/tap${ifindex:-?} for $MVT does not open"
fi

if ((fails)); then
	echo "00-smoke: $fails check(s) failed"
	exit 1
fi
echo "00-smoke: all checks passed"
