# A netdevsim PF of the test's own (source after lib.sh, in the VM): creates
# netdevsim device NSIM_ID with one port, moves its netdev into the test's namespace
# as PF (a random name), starts netd there, and removes the device at exit.
netns_new
NSIM_ID=$((1000 + RANDOM % 30000))
NSIM=/sys/bus/netdevsim/devices/netdevsim$NSIM_ID
echo "$NSIM_ID 1" >/sys/bus/netdevsim/new_device || fail "cannot create netdevsim$NSIM_ID"
on_exit "echo $NSIM_ID >/sys/bus/netdevsim/del_device"
for _ in $(seq 50); do
	DEV0=$(ls "$NSIM/net" 2>/dev/null | head -n1)
	[[ -n $DEV0 ]] && break
	sleep 0.1
done
[[ -n $DEV0 ]] || fail "netdevsim$NSIM_ID has no netdev"
PF=pf$(rand | cut -c1-6)
ip link set "$DEV0" netns "$NS" || fail "cannot move $DEV0 into $NS"
in_ns ip link set "$DEV0" name "$PF" || fail "cannot rename $DEV0 to $PF"
netd_start
