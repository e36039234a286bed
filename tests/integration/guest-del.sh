#!/bin/bash
# guest del removes every backend of that guest in one batch, and nothing else.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link add v0 type veth peer name v1
in_ns ip link set v0 up
netd_start
for i in 1 2 3 4 5; do nctl backend add doomed type tap bridge br0 >/dev/null; done
nctl backend add doomed type macvtap link v0 >/dev/null
nctl backend add keeper type tap bridge br0 name keep0 >/dev/null
before=$(ns_links)
assert_eq "$(nctl -j guest show doomed | json_get 'd[0]["n_backends"]')" "6" "guest lists its backends"
out=$(nctl -j guest del doomed)
assert_eq "$(echo "$out" | json_get 'd["deleted"]')" "6" "six backends deleted"
after=$(ns_links)
assert_eq "$after" "br0 keep0 lo v0 v1" "only the guest's devices went"
assert_contains "$(cat "$TMP/netd.log")" "deleted 6 backends in one batch" "one batch"
nctl_fails 2 "no guest named 'doomed'" guest show doomed
assert_eq "$(nctl -j backend show | json_get 'len(d)')" "1" "registry agrees"
ok "guest del removes all of one guest's backends and no other device"

# Somebody else deletes a backend: netd notices.
in_ns ip link del keep0
for _ in $(seq 50); do [ "$(nctl -j backend show | json_get 'len(d)')" = 0 ] && break; sleep 0.05; done
assert_eq "$(nctl -j backend show | json_get 'len(d)')" "0" "registry forgets a backend deleted behind netd's back"
assert_contains "$(cat "$TMP/netd.log")" "was deleted by somebody else" "and says so"
ok "netd notices deletions by others"
