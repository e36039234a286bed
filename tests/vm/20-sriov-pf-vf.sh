#!/bin/bash
# SR-IOV on netdevsim: sriov_numvfs 0 -> 4 -> 2 -> 0 through netdctl, every VF setting
# set and read back through both `netdctl -j` and `ip -j -d link`, refused settings
# that change nothing, and a 256-VF PF read whole.  Runs in scripts/vmtest's guest.
. "${REPO:?run me with scripts/vmtest}/tests/lib.sh"

[[ ${NETD_IN_VM:-} == 1 ]] || fail "needs netdevsim (absent on this kernel): run it with scripts/vmtest $0"

# A netdevsim PF of our own ($PF), in this test's namespace, with netd running.
. "$REPO/tests/vm/lib/nsim.sh"

# ip's view of one VF: ipvf N PYTHON_EXPR (v is the vfinfo_list entry)
ipvf() {
	in_ns ip -j -d link show dev "$PF" | python3 -c "
import json,sys
l=json.load(sys.stdin)[0]
v=[x for x in l.get('vfinfo_list',[]) if x['vf']==$1][0]
print($2)"
}
ip_nvfs() { in_ns ip -j -d link show dev "$PF" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0].get("vfinfo_list",[])))'; }
ip_vfinfo() { in_ns ip -j -d link show dev "$PF" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0].get("vfinfo_list",[]), sort_keys=True))'; }
sysfs_numvfs() { in_ns cat "/sys/class/net/$PF/device/sriov_numvfs"; }

# --- pf show -------------------------------------------------------------------------
out=$(nctl -j pf show)
assert_eq "$(json_get "[p['name'] for p in d]" <<<"$out")" "['$PF']" "pf show lists only the SR-IOV PF"
assert_eq "$(json_get "(d[0]['numvfs'], d[0]['totalvfs'], d[0]['driver'], d[0]['vfs'])" <<<"$out")" \
	"(0, 4, 'netdevsim', [])" "pf show $PF before any VF"
ok "pf show: $PF numvfs 0 totalvfs 4 driver netdevsim"

# --- numvfs 0 -> 4 -> 2 -> 0 ------------------------------------------------------------
out=$(nctl -j pf set "$PF" numvfs 4)
assert_eq "$(json_get "(d['numvfs'], [v['vf'] for v in d['vfs']])" <<<"$out")" "(4, [0, 1, 2, 3])" "pf set numvfs 4 reply"
assert_eq "$(sysfs_numvfs)" 4 "sriov_numvfs after numvfs 4"
assert_eq "$(ip_nvfs)" 4 "ip -d link VFs after numvfs 4"
ok "numvfs 0 -> 4 (sysfs 4, ip lists 4 VFs)"

# netdevsim refuses 4 -> 2 directly (EBUSY): success means netd went through 0.
out=$(nctl -j pf set "$PF" numvfs 2)
assert_eq "$(json_get "d['numvfs']" <<<"$out")" 2 "pf set numvfs 2 reply"
assert_eq "$(sysfs_numvfs)" 2 "sriov_numvfs after numvfs 2"
assert_eq "$(ip_nvfs)" 2 "ip -d link VFs after numvfs 2"
ok "numvfs 4 -> 2 (through 0)"

nctl_fails 2 "supports at most 4 VFs (sriov_totalvfs), not 5" pf set "$PF" numvfs 5
assert_eq "$(sysfs_numvfs)" 2 "sriov_numvfs after a refused numvfs 5"
nctl_fails 2 "is not an SR-IOV physical function" pf set lo numvfs 1
nctl_fails 2 "device 'nope0' does not exist" pf set nope0 numvfs 1
nctl_fails 1 "\"numvfs\" takes a count" pf set "$PF" numvfs -1
ok "numvfs beyond sriov_totalvfs, on a non-PF, on no device: refused, nothing changed"

# --- every VF setting at once, read back both ways ---------------------------------------
out=$(nctl -j vf set "$PF" vf 1 mac 52:54:00:12:34:56 vlan 100 qos 3 proto 802.1ad spoofchk on \
	trust on state enable min_tx_rate 10 max_tx_rate 100 query_rss on)
assert_eq "$(json_get "(d['vf'], d['mac'], d['vlan'], d['qos'], d['vlan_protocol'], d['spoofchk'], d['trust'], d['link_state'], d['min_tx_rate'], d['max_tx_rate'], d['query_rss'])" <<<"$out")" \
	"(1, '52:54:00:12:34:56', 100, 3, '802.1ad', True, True, 'enable', 10, 100, True)" "vf set reply"
assert_eq "$(ipvf 1 "(v['address'], v['vlan_list'][0]['vlan'], v['vlan_list'][0]['qos'], v['vlan_list'][0]['protocol'], v['spoofchk'], v['trust'], v['link_state'], v['rate']['min_tx'], v['rate']['max_tx'], v['query_rss_en'])")" \
	"('52:54:00:12:34:56', 100, 3, '802.1ad', True, True, 'enable', 10, 100, True)" "ip -j -d link vf 1"
out=$(nctl -j vf show "$PF" vf 1)
assert_eq "$(json_get "(len(d), d[0]['mac'], d[0]['vlan'], d[0]['vlan_protocol'], d[0]['link_state'])" <<<"$out")" \
	"(1, '52:54:00:12:34:56', 100, '802.1ad', 'enable')" "vf show vf 1"
text=$(nctl vf show "$PF" vf 1)
assert_contains "$text" "vf 1     link/ether 52:54:00:12:34:56, vlan 100, qos 3, vlan protocol 802.1ad, max_tx_rate 100Mbps, min_tx_rate 10Mbps, spoof checking on, link-state enable, trust on, query_rss on" "vf show text"
assert_eq "$(ipvf 0 "(v['address'], v['trust'], v['link_state'])")" "('00:00:00:00:00:00', False, 'auto')" "VF 0 untouched by vf 1's set"
ok "vf set: mac vlan qos proto spoofchk trust state min/max_tx_rate query_rss read back by netdctl and ip"

# --- one setting at a time on VF 0, each on its own; the final state has all of them ---
for set in "mac 52:54:00:00:00:0a" "vlan 7" "vlan 8 qos 5" "spoofchk on" "trust on" "state disable" \
	"max_tx_rate 300" "min_tx_rate 20" "query_rss on" "trust off"; do
	# shellcheck disable=SC2086
	nctl vf set "$PF" vf 0 $set >/dev/null || fail "vf set $PF vf 0 $set"
done
assert_eq "$(ipvf 0 "(v['address'], v['vlan_list'][0]['vlan'], v['vlan_list'][0]['qos'], v['vlan_list'][0].get('protocol', '802.1Q'), v['spoofchk'], v['trust'], v['link_state'], v['rate']['min_tx'], v['rate']['max_tx'], v['query_rss_en'])")" \
	"('52:54:00:00:00:0a', 8, 5, '802.1Q', True, False, 'disable', 20, 300, True)" "ip after one-by-one sets"
out=$(nctl -j -s vf show "$PF" vf 0)
assert_eq "$(json_get "(d[0]['mac'], d[0]['vlan'], d[0]['qos'], d[0]['vlan_protocol'], d[0]['spoofchk'], d[0]['trust'], d[0]['link_state'], d[0]['min_tx_rate'], d[0]['max_tx_rate'], d[0]['query_rss'], sorted(d[0]['stats']))" <<<"$out")" \
	"('52:54:00:00:00:0a', 8, 5, '802.1Q', True, False, 'disable', 20, 300, True, ['rx', 'tx'])" "netdctl -s vf show after one-by-one sets"
ok "vf set one setting at a time: all read back by ip and netdctl, the others kept"

# --- refused: clear error, nothing changed -----------------------------------------------
before=$(ip_vfinfo)
nctl_fails 2 "'$PF' has no VF 7 (it has 2 VFs)" vf set "$PF" vf 7 trust on
nctl_fails 2 "multicast address" vf set "$PF" vf 0 mac 01:00:5e:00:00:01 trust on
nctl_fails 2 "vlan 4096 is out of range (0 to 4095)" vf set "$PF" vf 0 vlan 4096 spoofchk off
nctl_fails 2 "qos 8 is out of range" vf set "$PF" vf 0 vlan 1 qos 8
nctl_fails 2 "min_tx_rate 500 is above max_tx_rate 300 (its current value) for VF 0" vf set "$PF" vf 0 min_tx_rate 500 trust on
nctl_fails 2 "min_tx_rate 50 is above max_tx_rate 40" vf set "$PF" vf 0 min_tx_rate 50 max_tx_rate 40
nctl_fails 2 "qos needs a vlan" vf set "$PF" vf 0 qos 1
nctl_fails 2 "802.1Q or 802.1ad" vf set "$PF" vf 0 vlan 3 proto 802.1x
nctl_fails 2 "auto, enable or disable" vf set "$PF" vf 0 state up
nctl_fails 1 "unknown keyword" vf set "$PF" vf 0 colour blue
assert_eq "$(ip_vfinfo)" "$before" "VFs after refused vf sets"
ok "invalid VF index, multicast MAC, VLAN > 4095, qos > 7, min > max: clear errors, VFs unchanged"

# --- 2 -> 0 -------------------------------------------------------------------------------
out=$(nctl -j pf set "$PF" numvfs 0)
assert_eq "$(json_get "(d['numvfs'], d['vfs'])" <<<"$out")" "(0, [])" "pf set numvfs 0 reply"
assert_eq "$(sysfs_numvfs)" 0 "sriov_numvfs after numvfs 0"
assert_eq "$(ip_nvfs)" 0 "ip -d link VFs after numvfs 0"
ok "numvfs 2 -> 0"

# --- a PF with 256 VFs, read whole (netdctl only: ip cannot) -------------------------------
# Without stats they fit one IFLA_VFINFO_LIST; with stats the kernel wraps the list's
# 16-bit length, and netd says so and shows them all without stats.
echo 256 >"/sys/kernel/debug/netdevsim/netdevsim$NSIM_ID/max_vfs" || fail "cannot raise max_vfs to 256"
nctl pf set "$PF" numvfs 256 >/dev/null || fail "pf set numvfs 256"
nctl vf set "$PF" vf 127 mac 52:54:00:00:01:27 vlan 127 >/dev/null || fail "vf set vf 127"
nctl vf set "$PF" vf 255 mac 52:54:00:00:02:55 vlan 255 >/dev/null || fail "vf set vf 255"
out=$(nctl -j pf show "$PF")
assert_eq "$(json_get "(d[0]['totalvfs'], len(d[0]['vfs']), [(v['vf'], v['mac'], v['vlan']) for v in d[0]['vfs'] if v['vf'] in (127, 255)])" <<<"$out")" \
	"(256, 256, [(127, '52:54:00:00:01:27', 127), (255, '52:54:00:00:02:55', 255)])" "pf show of 256 VFs"
out=$(nctl -j -s pf show "$PF")
assert_eq "$(json_get "(len(d[0]['vfs']), 'stats' in d[0]['vfs'][0], 'cannot fit' in d[0]['stats_note'])" <<<"$out")" \
	"(256, False, True)" "pf show -s of 256 VFs"
# For comparison only: ip(8) 6.1 asks for the stats too and gets the wrapped list.
echo "    (ip -d link show $PF says: $(in_ns ip -d link show "$PF" 2>&1 >/dev/null | head -n1))"
nctl pf set "$PF" numvfs 0 >/dev/null || fail "numvfs back to 0"
assert_eq "$(sysfs_numvfs)" 0 "sriov_numvfs after 256 -> 0"
ok "256 VFs: one PF read whole, VFs 127 and 255 set and read back; stats that do not fit are said to"

echo "20-sriov-pf-vf: all checks passed"
