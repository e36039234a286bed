#!/bin/bash
# The fds work: frames written into one backend's queue arrive at another's through
# the bridge, on every queue of a multi-queue tap; re-open rules.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link set br0 up
netd_start
nctl backend add a type tap bridge br0 mac 52:54:00:00:00:0a vnet_hdr off >/dev/null
nctl backend add b type tap bridge br0 mac 52:54:00:00:00:0b queues 4 >/dev/null
got=$(ndc xfer ndt0 ndt1 50 200)
assert_eq "$got" "50" "frames from a's queue 0 read on b's queues"
got=$(ndc xfer ndt1 ndt0 20 1000)
assert_eq "$got" "20" "frames back the other way (vnet_hdr on the sender)"
ok "frames cross tap -> bridge -> tap both ways"

# Re-open is refused while somebody still holds queues, unless forced.
ip netns exec "$NS" $NDCLIENT "$SOCK" hold ndt0 30 > "$TMP/hold.out" &
holder=$!
on_exit "kill $holder"
for _ in $(seq 100); do grep -q holding "$TMP/hold.out" 2>/dev/null && break; sleep 0.05; done
nctl_fails 2 "backend 'ndt0' still has its one queue attached by its previous holder" backend open ndt0
nctl_fails 2 "a single-queue tap takes no second one" backend open ndt0 force
kill $holder; wait $holder 2>/dev/null || true
assert_contains "$(nctl backend open ndt0)" "fds: 1 queue" "free again once the holder is gone"
# A multi-queue tap can be forced: the kernel then spreads traffic over both holders.
ip netns exec "$NS" $NDCLIENT "$SOCK" hold ndt1 30 > "$TMP/hold1.out" &
holder=$!
on_exit "kill $holder"
for _ in $(seq 100); do grep -q holding "$TMP/hold1.out" 2>/dev/null && break; sleep 0.05; done
nctl_fails 2 "still has 4 queues attached by its previous holder" backend open ndt1
assert_contains "$(nctl backend open ndt1 force)" "fds: 4 queues" "force re-opens a multi-queue tap"
kill $holder; wait $holder 2>/dev/null || true
ok "backend open refuses a busy backend unless forced"

# netd itself holds no queue after a reply.
assert_eq "$(jlink ndt1 'd["linkinfo"]["info_data"]["numqueues"]')" "0" "no queue of netd's attached"
n=$(ls -l /proc/"$NETD_PID"/fd | grep -c /dev/net/tun || true)
assert_eq "$n" "0" "netd holds no /dev/net/tun fd"
ok "netd keeps no queue after the hand-off"
