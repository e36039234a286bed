#!/bin/bash
# bind-pid: a guest's backends go (in one batch) when its process exits, also across
# a netd restart, and also when the process died while netd was down.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
netd_start
wait_gone() { # wait_gone GUEST
	for _ in $(seq 100); do
		nctl guest show "$1" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	fail "guest $1 still there"
}

sleep 1000 & vm=$!
on_exit "kill $vm"
nctl backend add vm1 type tap bridge br0 bind-pid $vm >/dev/null
nctl backend add vm1 type tap bridge br0 bind-pid $vm >/dev/null
nctl backend add other type tap bridge br0 name keep0 >/dev/null
assert_eq "$(nctl -j guest show vm1 | json_get 'd[0]["bound_pid"]')" "$vm" "guest bound to the process"
assert_contains "$(jlink ndt0 'd["ifalias"]')" " p=$vm:" "binding recorded in the kernel tag"
kill $vm; wait $vm 2>/dev/null || true
wait_gone vm1
assert_eq "$(ns_links)" "br0 keep0 lo" "both backends went, the other guest stayed"
assert_contains "$(cat "$TMP/netd.log")" "bound process $vm exited" "logged"
assert_contains "$(cat "$TMP/netd.log")" "deleted 2 backends in one batch" "in one batch"
ok "process exit tears the guest down"

# Survives a netd restart.
sleep 1000 & vm=$!
on_exit "kill $vm"
nctl backend add vm2 type tap bind-pid $vm >/dev/null
netd_kill9
netd_start
assert_eq "$(nctl -j guest show vm2 | json_get 'd[0]["bound_pid"]')" "$vm" "binding adopted after restart"
kill $vm; wait $vm 2>/dev/null || true
wait_gone vm2
ok "binding survives a restart"

# The process dies while netd is down: torn down at start.
sleep 1000 & vm=$!
on_exit "kill $vm"
nctl backend add vm3 type tap bind-pid $vm >/dev/null
netd_kill9
kill $vm; wait $vm 2>/dev/null || true
netd_start
nctl_fails 2 "no guest named 'vm3'" guest show vm3
assert_contains "$(cat "$TMP/netd.log")" "exited while netd was down" "logged"
ok "a process that died while netd was down takes its guest at start"

# Binding to no process, or a second process: clear errors, nothing made.
before=$(ns_links)
nctl_fails 2 "cannot bind to process 999999999: no such process" backend add vm4 type tap bind-pid 999999999
sleep 1000 & a=$!
sleep 1000 & b=$!
on_exit "kill $a $b"
nctl backend add vm5 type tap bind-pid $a >/dev/null
before=$(ns_links)
nctl_fails 2 "guest 'vm5' is bound to process $a, not $b" backend add vm5 type tap bind-pid $b
assert_eq "$(ns_links)" "$before" "nothing created"
ok "bad bindings are refused"
