#!/bin/bash
# Policy as real unprivileged users: allowed actions work, every denied one gets EPERM
# with the rule that denied it, and another uid's guests can be neither seen, nor
# opened, nor deleted.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add br0 type bridge
in_ns ip link add br1 type bridge
in_ns ip link add v0 type veth peer name v1

# Two real users and a group for the socket, removed afterwards.
id=$(rand | cut -c1-6)
grp=ndg$id u1=ndu$id u2=ndv$id u3=ndw$id
groupadd "$grp"
on_exit "groupdel $grp"
for u in $u1 $u2 $u3; do
	useradd -M -N -g "$grp" -s /usr/sbin/nologin "$u"
	on_exit "userdel $u"
done
# u3 is in the socket's group but has no rule.
chmod 755 "$TMP"
cat > "$TMP/netd.conf" <<CONF
[daemon]
socket-group = $grp

[user $u1]
kinds = tap
bridges = br0
guests = one-*
max-backends = 2
vhost = no

[user $u2]
kinds = tap macvtap
bridges = br0 br1
links = v0
CONF
netd_start --config "$TMP/netd.conf"
assert_eq "$(stat -c '%a %G' "$SOCK")" "660 $grp" "socket mode and group"

as() { local u=$1; shift; in_ns setpriv --reuid "$u" --regid "$grp" --init-groups "$NETDCTL_BIN" -S "$SOCK" "$@"; }
as_fails() { # as_fails USER TEXT ARGS...: exit 2 and TEXT in the error
	local u=$1 want=$2 rc=0 out
	shift 2
	out=$(as "$u" "$@" 2>&1) || rc=$?
	[ "$rc" = 2 ] || fail "$u: netdctl $*: expected exit 2, got $rc: $out"
	assert_contains "$out" "$want" "$u: netdctl $*"
}

# Allowed.
out=$(as "$u1" -j backend add one-web type tap bridge br0)
b1=$(echo "$out" | json_get 'd["name"]')
assert_eq "$(echo "$out" | json_get 'd["vhost"]')" "off" "vhost auto becomes off where the rule forbids vhost"
assert_eq "$(jlink "$b1" 'd["master"]')" "br0" "user's tap on br0"
assert_contains "$(jlink "$b1" 'd["ifalias"]')" "u=$(id -u "$u1")" "owner uid in the tag"
ok "an allowed user creates a backend"

# Denied, each with the rule that denied it; nothing created.
before=$(ns_links)
as_fails "$u1" "bridge 'br1' is not allowed by [user $u1] ($TMP/netd.conf line 4: bridges)" \
	backend add one-web type tap bridge br1
as_fails "$u1" "macvtap backends are not allowed by [user $u1]" backend add one-web type macvtap link v0
as_fails "$u1" "guest name 'two-web' is not allowed" backend add two-web type tap
as_fails "$u1" "vhost-net fds are not allowed" backend add one-web type tap vhost on
as_fails "$u2" "lower device 'v1' is not allowed" backend add x type macvtap link v1
as_fails "$u3" "no rule in $TMP/netd.conf names it" backend add x type tap
as_fails "$u3" "no rule" backend show
as_fails "$u1" "may not use 'pf.set': only root may" pf set eth0 numvfs 1
as "$u1" backend add one-web type tap bridge br0 >/dev/null
as_fails "$u1" "holds 2 backends; [user $u1] allows 2" backend add one-db type tap
assert_eq "$(ns_links | wc -w)" "$(( $(echo "$before" | wc -w) + 1 ))" "only the one allowed backend was added"
ok "every denied action names its rule and changes nothing"

# Another uid's guest: invisible, unopenable, undeletable; root sees all.
as "$u2" backend add two-db type tap bridge br1 >/dev/null
assert_eq "$(as "$u2" -j backend show | json_get '[b["guest"] for b in d]')" "['two-db']" "u2 sees only its own"
assert_eq "$(as "$u1" -j guest show | json_get '[g["name"] for g in d]')" "['one-web']" "u1 sees only its own"
as_fails "$u2" "no backend named '$b1'" backend open "$b1"
as_fails "$u2" "no backend named '$b1'" backend show "$b1"
as_fails "$u2" "no backend named '$b1'" backend del "$b1"
as_fails "$u2" "no guest named 'one-web'" guest del one-web
as_fails "$u2" "no guest named 'one-web'" backend show guest one-web
as_fails "$u2" "guest 'one-web' belongs to uid $(id -u "$u1")" backend add one-web type tap bridge br0
assert_contains "$(ns_links)" "$b1" "u1's backend untouched"
assert_eq "$(nctl -j guest show | json_get 'sorted(g["name"] for g in d)')" "['one-web', 'two-db']" "root sees all"
# The owner can open and delete its own.
assert_contains "$(as "$u1" backend open "$b1")" "fds: 1 queue, 0 vhost" "owner re-opens, without vhost"
as "$u1" guest del one-web
assert_not_contains "$(ns_links)" "$b1" "owner deleted its guest"
ok "guests of another uid can be neither seen, opened nor deleted"

# SIGHUP reloads the policy; backends stay.
sed -i 's/^bridges = br0$/bridges = br0 br1/' "$TMP/netd.conf"
kill -HUP "$NETD_PID"
for _ in $(seq 50); do grep -q "policy reloaded" "$TMP/netd.log" && break; sleep 0.05; done
as "$u1" backend add one-web type tap bridge br1 >/dev/null
assert_contains "$(as "$u2" backend show)" "guest two-db" "u2's backend survived the reload"
echo "[user $u1]" >> "$TMP/netd.conf"; echo "bogus = 1" >> "$TMP/netd.conf"
kill -HUP "$NETD_PID"
for _ in $(seq 50); do grep -q "keeping the current policy" "$TMP/netd.log" && break; sleep 0.05; done
assert_contains "$(cat "$TMP/netd.log")" "unknown key 'bogus'" "a bad file is refused with its line"
as "$u1" backend show >/dev/null
ok "SIGHUP reloads the policy, a bad file keeps the old one"
