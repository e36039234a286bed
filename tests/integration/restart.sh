#!/bin/bash
# The kernel is the source of truth: a netd killed with -9 and restarted finds every
# backend it had acknowledged, with its guest, and keeps serving them.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link add v0 type veth peer name v1
in_ns ip link set v0 up
netd_start
nctl backend add web1 type tap bridge br0 queues 2 mac 52:54:00:00:00:01 >/dev/null
nctl backend add web1 type macvtap link v0 >/dev/null
nctl backend add db1 type tap name db1-0 vhost off stats off >/dev/null
before=$(nctl -j backend show | json_get 'sorted((b["name"], b["guest"], b["type"], b["queues"], b["vhost"], b.get("mac")) for b in d)')
netd_kill9
netd_start
after=$(nctl -j backend show | json_get 'sorted((b["name"], b["guest"], b["type"], b["queues"], b["vhost"], b.get("mac")) for b in d)')
assert_eq "$after" "$before" "registry rebuilt from the kernel"
assert_contains "$(cat "$TMP/netd.log")" "adopted 3 backends from the kernel" "adoption logged"
ok "kill -9 and restart: every backend adopted"

# New names continue after the adopted ones; adopted backends work as new ones do.
assert_eq "$(nctl -j backend add web1 type tap | json_get 'd["name"]')" "ndt2" "names continue past adopted ones"
assert_contains "$(nctl backend open ndt0)" "fds: 2 queues" "re-open an adopted backend"
nctl guest del web1
assert_eq "$(ns_links)" "br0 db1-0 lo v0 v1" "guest del of an adopted guest"
ok "adopted backends are fully managed"

# Half-made devices from a crash (netd's pending group) are removed at start.
in_ns ip link add half0 link v0 type macvtap
in_ns ip link set half0 group $((0x6e64ffff))
netd_kill9
netd_start
assert_not_contains "$(ns_links)" "half0" "half-made device removed"
assert_contains "$(cat "$TMP/netd.log")" "removed 1 half-made device" "and logged"
ok "half-made devices are cleaned up at start"

# A second netd in the same namespace refuses to start before touching anything.
rc=0; out=$(in_ns "$NETD_BIN" --socket "$TMP/second.sock" --state-dir "$TMP/second" 2>&1) || rc=$?
assert_eq "$rc" "1" "second netd exits"
assert_contains "$out" "another netd already runs in this network namespace" "and says why"
assert_contains "$(nctl backend show)" "db1-0" "the first one still serves"
ok "one netd per network namespace"
