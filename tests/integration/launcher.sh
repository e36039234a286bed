#!/bin/bash
# The launcher example, Python standard library only: fds received with
# socket.recv_fds, a frame written into one guest's queue read from the other's.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link set br0 up
netd_start
out=$(in_ns python3 "$REPO/scripts/examples/launcher.py" --socket "$SOCK" --bridge br0 --guest py1)
assert_contains "$out" "1 + 1 queue fds received" "fds received"
assert_contains "$out" "frame crossed ndt0 -> br0 -> ndt1" "frame crossed"
assert_contains "$out" 'payload "hello from netd'"'"'s python launcher"' "payload intact"
assert_eq "$(ns_links)" "br0 lo" "the launcher's guest del removed both backends"
ok "python launcher gets fds and moves a frame"
