#!/bin/bash
# The shipped example config parses; a broken one is refused at start with its line.
. "$(dirname "$0")/../lib.sh"
# The example names a user and groups a test machine may lack: map them to root's.
sed -e 's/^socket-group = kvm/socket-group = root/; s/^\[user ci-runner\]/[user root]/' \
    -e 's/^\[group kvm\]/[group root]/' "$REPO/netd/netd.conf.example" > "$TMP/example.conf"
out=$("$NETD_BIN" --check-config --config "$TMP/example.conf")
assert_eq "$out" "$TMP/example.conf: ok, 2 rules" "example config"
printf '[daemon]\nstats = off\n[uid 1000]\nkinds = tap\nbridges = br0\nmax-backends = lots\n' > "$TMP/bad.conf"
rc=0; out=$("$NETD_BIN" --check-config --config "$TMP/bad.conf" 2>&1) || rc=$?
assert_eq "$rc" "1" "bad config exit status"
assert_contains "$out" "$TMP/bad.conf:6: bad value for max-backends: 'lots'" "error names file and line"
rc=0; out=$("$NETD_BIN" --config "$TMP/missing.conf" 2>&1) || rc=$?
assert_eq "$rc" "1" "missing config refuses to start"
assert_contains "$out" "cannot read $TMP/missing.conf: No such file or directory" "says why"
ok "config files: the example parses, errors name their line"
