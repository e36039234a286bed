#!/bin/bash
# vf backends on netdevsim: VFs taken from the pool by two guests, the guests' settings
# applied, exhaustion and refusals that say who holds what, release restoring each
# VF's own MAC/VLAN/spoofchk/trust/state, the same after a kill -9 of netd and a
# restart, a half-made backend undone at restart, macvtap mode's error path (netdevsim
# VFs have no netdev), and numvfs force.  Runs in scripts/vmtest's guest.
. "${REPO:?run me with scripts/vmtest}/tests/lib.sh"

[[ ${NETD_IN_VM:-} == 1 ]] || fail "needs netdevsim (absent on this kernel): run it with scripts/vmtest $0"

# A netdevsim PF of our own ($PF), in this test's namespace, with netd running.
. "$REPO/tests/vm/lib/nsim.sh"

ip_vfinfo() { in_ns ip -j -d link show dev "$PF" | python3 -c 'import json,sys; print(json.dumps({v["vf"]: v for v in json.load(sys.stdin)[0].get("vfinfo_list",[])}, sort_keys=True))'; }
# ipvf N PYTHON_EXPR: v is ip's vfinfo_list entry of VF N
ipvf() {
	in_ns ip -j -d link show dev "$PF" | python3 -c "
import json,sys
v=[x for x in json.load(sys.stdin)[0].get('vfinfo_list',[]) if x['vf']==$1][0]
print($2)"
}
# Which of the VFs listed differ from how they were at the start (ip's whole view of each).
changed_vfs() {
	in_ns ip -j -d link show dev "$PF" | python3 -c "
import json,sys
now={str(v['vf']): v for v in json.load(sys.stdin)[0].get('vfinfo_list',[])}
orig=json.loads(sys.argv[1])
print(' '.join(n for n in sys.argv[2:] if json.dumps(now[n], sort_keys=True) != json.dumps(orig[n], sort_keys=True)) or 'none')" "$ORIG" "$@"
}
records() { ls "$STATE/vf" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }

nctl pf set "$PF" numvfs 4 >/dev/null || fail "pf set numvfs 4"
# Each VF's own settings, made by somebody else (ip), which netd must put back.
for i in 0 1 2 3; do
	in_ns ip link set "$PF" vf $i mac 02:00:00:00:00:0$i vlan $((200 + i)) qos 1 spoofchk on trust off state disable ||
		fail "ip link set $PF vf $i"
done
ORIG=$(ip_vfinfo)

# --- a hostdev backend: the VF's identity handed over, the guest's settings applied ---
out=$(nctl -j backend add g1 type vf pf "$PF" mac 52:54:00:aa:00:01 vlan 10 qos 2 proto 802.1ad \
	spoofchk off trust on state enable max_tx_rate 500)
assert_eq "$(json_get "(d['name'], d['guest'], d['type'], d['pf'], d['vf'], d['mode'], d['queues'], d['vf_config']['mac'], d['saved']['mac'])" <<<"$out")" \
	"('${PF}v0', 'g1', 'vf', '$PF', 0, 'hostdev', 0, '52:54:00:aa:00:01', '02:00:00:00:00:00')" "backend add g1 reply"
assert_eq "$(ipvf 0 "(v['address'], v['vlan_list'][0]['vlan'], v['vlan_list'][0]['qos'], v['vlan_list'][0]['protocol'], v['spoofchk'], v['trust'], v['link_state'], v['rate']['max_tx'])")" \
	"('52:54:00:aa:00:01', 10, 2, '802.1ad', False, True, 'enable', 500)" "ip: VF 0 with g1's settings"
assert_eq "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print((r['guest'], r['mode'], r['committed'], r['saved']['mac'], r['saved']['vlan'], r['saved']['spoofchk'], r['saved']['trust'], r['saved']['link_state']))" "$STATE/vf/$PF-0.json")" \
	"('g1', 'hostdev', True, '02:00:00:00:00:00', 200, 1, 0, 2)" "state record of VF 0"
nctl_fails 2 "hostdev backend '${PF}v0' has no queue fds" backend open "${PF}v0"
nctl_fails 2 "\"queues\" does not apply to a hostdev VF backend" backend add g9 type vf pf "$PF" queues 2
ok "hostdev backend: VF 0 of $PF for g1, settings applied, originals saved before"

# --- the pool: two guests, lowest free VF or the named one ---------------------------------
for spec in "g2 vf 2 mac 52:54:00:bb:00:02|2" "g2 trust on|1" "g1 vlan 30|3"; do
	args=(${spec%|*})
	out=$(nctl -j backend add "${args[0]}" type vf pf "$PF" "${args[@]:1}") || fail "backend add ${spec%|*}"
	assert_eq "$(json_get "d['vf']" <<<"$out")" "${spec#*|}" "backend add ${spec%|*} got VF"
done
nctl_fails 2 "no free VF on '$PF': all 4 VFs are in use (guest 'g1': VF 0, 3; guest 'g2': VF 1, 2)" \
	backend add g3 type vf pf "$PF"
nctl_fails 2 "VF 2 of '$PF' is already given to guest 'g2'" backend add g3 type vf pf "$PF" vf 2
# Hostdev backends have no link of netd's, yet the listing shows them.
assert_eq "$(nctl -j backend show | json_get "sorted((b['guest'], b['vf']) for b in d if b['type'] == 'vf')")" \
	"[('g1', 0), ('g1', 3), ('g2', 1), ('g2', 2)]" "backend show lists hostdev backends"
assert_eq "$(nctl -j backend show guest g2 | json_get "sorted(b['vf'] for b in d)")" "[1, 2]" "per guest too"
nctl_fails 2 "'$PF' has no VF 4 (it has 4: VF 0 to 3)" backend add g3 type vf pf "$PF" vf 4
nctl_fails 2 "4 VFs of '$PF' are given to guests (guest 'g1': VF 0, 3; guest 'g2': VF 1, 2)" pf set "$PF" numvfs 2
assert_eq "$(in_ns cat "/sys/class/net/$PF/device/sriov_numvfs")" 4 "numvfs after a refused change"
out=$(nctl -j pf show "$PF")
assert_eq "$(json_get "(d[0]['vfs_in_use'], [(v['vf'], v.get('guest'), v.get('backend')) for v in d[0]['vfs']])" <<<"$out")" \
	"(4, [(0, 'g1', '${PF}v0'), (1, 'g2', '${PF}v1'), (2, 'g2', '${PF}v2'), (3, 'g1', '${PF}v3')])" "pf show owners"
out=$(nctl -j guest show)
assert_eq "$(json_get "sorted((g['name'], sorted(g['backends'])) for g in d)" <<<"$out")" \
	"[('g1', ['${PF}v0', '${PF}v3']), ('g2', ['${PF}v1', '${PF}v2'])]" "guests after the pool filled"
assert_eq "$(records)" "$PF-0.json $PF-1.json $PF-2.json $PF-3.json" "records with 4 VFs taken"
ok "pool: g1 and g2 hold 2 VFs each; exhaustion and taken VFs say who holds which"

# --- release restores exactly what was there ----------------------------------------------
nctl backend del "${PF}v0" || fail "backend del ${PF}v0"
assert_eq "$(changed_vfs 0)" none "VF 0 after its backend was deleted"
nctl guest del g2 >/dev/null || fail "guest del g2"
assert_eq "$(changed_vfs 0 1 2)" none "VFs 0-2 after guest del g2"
assert_eq "$(changed_vfs 3)" 3 "VF 3 (still g1's)"
assert_eq "$(records)" "$PF-3.json" "records after the releases"
ok "backend del and guest del restore MAC/VLAN/spoofchk/trust/state of VFs 0, 1, 2"

# --- kill -9 between allocation and release --------------------------------------------------
out=$(nctl -j backend add g4 type vf pf "$PF" mac 52:54:00:cc:00:04 vlan 44 spoofchk off trust on state auto)
assert_eq "$(json_get "d['vf']" <<<"$out")" 0 "g4's VF"
netd_kill9
# What a netd killed in the middle of a create leaves: VF 1 changed, its record not committed.
python3 - "$STATE/vf/$PF-0.json" "$STATE/vf/$PF-1.json" "$ORIG" <<'EOF' || fail "cannot write a pending record"
import json, sys
r = json.load(open(sys.argv[1]))
o = json.loads(sys.argv[3])["1"]
r.update(vf=1, guest="g5", backend=r["pf"] + "v1", committed=False)
r["saved"].update(mac=o["address"], vlan=201, qos=1, spoofchk=1, trust=0, link_state=2, max_tx_rate=0)
json.dump(r, open(sys.argv[2], "w"))
EOF
in_ns ip link set "$PF" vf 1 mac 52:54:00:dd:00:01 vlan 99 trust on || fail "ip link set vf 1"
netd_start
out=$(nctl -j guest show)
assert_eq "$(json_get "sorted((g['name'], sorted(g['backends'])) for g in d)" <<<"$out")" \
	"[('g1', ['${PF}v3']), ('g4', ['${PF}v0'])]" "guests re-adopted after kill -9"
assert_eq "$(changed_vfs 0 1 2 3)" "0 3" "VFs after restart (0, 3 still the guests'; 1 restored)"
assert_eq "$(records)" "$PF-0.json $PF-3.json" "records after restart"
out=$(nctl -j backend show "${PF}v0")
assert_eq "$(json_get "(d['pf'], d['vf'], d['mode'], d['vf_config']['mac'], d['saved']['mac'])" <<<"$out")" \
	"('$PF', 0, 'hostdev', '52:54:00:cc:00:04', '02:00:00:00:00:00')" "backend show after restart"
nctl backend del "${PF}v0" || fail "backend del ${PF}v0 after restart"
nctl guest del g1 >/dev/null || fail "guest del g1 after restart"
assert_eq "$(changed_vfs 0 1 2 3)" none "VFs after releasing the re-adopted backends"
assert_eq "$(records)" "" "records after releasing everything"
ok "kill -9 + restart: backends re-adopted, a half-made one undone, release still restores"

# --- macvtap mode on a VF without a netdev: clear error, nothing left -------------------------
links=$(ns_links)
nctl_fails 2 "VF 0 of '$PF' has no network device on the host" \
	backend add g6 type vf pf "$PF" mode macvtap mac 52:54:00:ee:00:01 vlan 20 trust on
assert_contains "$LAST_ERR" "use mode hostdev" "macvtap mode error"
assert_eq "$(changed_vfs 0 1 2 3)" none "VFs after the failed macvtap-mode backend"
assert_eq "$(records)" "" "records after the failed macvtap-mode backend"
assert_eq "$(ns_links)" "$links" "links after the failed macvtap-mode backend"
assert_eq "$(nctl -j guest show)" "[]" "guests after the failed macvtap-mode backend"
ok "macvtap mode without a VF netdev: clear error, VF settings restored, no record, no link, no guest"

# --- numvfs with force takes the VFs away --------------------------------------------------
nctl backend add g7 type vf pf "$PF" >/dev/null || fail "backend add g7"
out=$(nctl -j pf set "$PF" numvfs 2 force)
assert_eq "$(json_get "(d['numvfs'], d['vfs_in_use'])" <<<"$out")" "(2, 0)" "pf set numvfs 2 force"
nctl_fails 2 "no backend named '${PF}v0'" backend show "${PF}v0"
assert_eq "$(records)" "" "records after numvfs force"
assert_eq "$(nctl -j guest show)" "[]" "guests after numvfs force"
nctl pf set "$PF" numvfs 0 >/dev/null || fail "numvfs 0"
ok "numvfs force: the VF backends on $PF are forgotten with their records"

echo "20-sriov-backend: all checks passed"
