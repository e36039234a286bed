#!/bin/bash
# Counters where backends share a slot.  netd keeps counts in a per-CPU array slot
# (ifindex modulo the array's size) or, when another backend holds that slot, in an
# overflow hash.  With 2 slots (--stats-slots 2) most backends overflow: each one is
# still exact and equal to the kernel's link counters, a freed slot's next owner
# starts from zero, and restarts with another slot count (4, then the default)
# carry every backend's counts over, from the slots and from the overflow map.
. "$(dirname "$0")/../lib.sh"

netns_new
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_ns ip link add br0 type bridge mcast_snooping 0
in_ns ip link set br0 up
netd_start --stats-slots 2
assert_contains "$(cat "$TMP/netd.log")" "eBPF counters loaded: 2 slots" "the log says how many slots"

# Backends netd's maps hold, by map: "slots N overflow M".
placement() {
	local id
	id=$(hooks s1 | sed -n 's/^ingress .*:\[\([0-9]*\)\]$/\1/p')
	python3 - "$id" <<'PY'
import json, subprocess, sys
def bpftool(*a):
    return json.loads(subprocess.check_output(["bpftool", "-j", *a]))
ids = bpftool("prog", "show", "id", sys.argv[1])["map_ids"]
n = {}
for i in ids:
    m = bpftool("map", "show", "id", str(i))
    if m["name"] not in ("slots", "overflow"):
        continue
    rows = bpftool("map", "dump", "id", str(i))
    # A slot is held when its tag (the value's first 4 bytes, CPU 0) is not 0.
    held = [r for r in rows if any(int(b, 16) for b in r["values"][0]["value"][:4])]
    n[m["name"]] = len(held)
print("slots %d overflow %d" % (n["slots"], n["overflow"]))
PY
}

for i in 0 1 2 3 4 5; do
	add_backend "g$((i % 3))" type tap bridge br0 name "s$i" mac "52:54:00:00:02:0$i"
done
assert_eq "$(placement)" "slots 2 overflow 4" "6 backends in 2 slots: 4 overflow"
frames pair s0 s1 "60x3,700"
frames pair s2 s3 "100x2"
frames pair s4 s5 "1514x2,64"
frames pair s5 s0 "300"
check_tap s0 tx "60x3,700"; check_tap s0 rx "300"
check_tap s1 rx "60x3,700"; check_tap s1 tx ""
check_tap s2 tx "100x2"; check_tap s3 rx "100x2"
check_tap s4 tx "1514x2,64"; check_tap s5 rx "1514x2,64"; check_tap s5 tx "300"
got=$(nctl -j stats show | json_get '[(g["guest"], g["counted"], g["tx"]["packets"]) for g in d["guests"]]')
assert_eq "$got" "[('g0', 2, 4), ('g1', 2, 3), ('g2', 2, 3)]" "guest sums over slot and overflow backends"
ok "slots and overflow: every backend exact, equal to the kernel's counters"

# Free the slots' owners: their successors start from zero, the others keep theirs.
keep=$(for n in s2 s3 s4 s5; do nctl -j stats show backend $n; done)
owners=$(for n in s0 s1 s2 s3 s4 s5; do
	echo "$n $(in_ns cat /sys/class/net/$n/ifindex)"; done | sort -k2 -n | head -2 | cut -d' ' -f1)
assert_eq "$(echo $owners)" "s0 s1" "the first two backends own the two slots"
nctl backend del s0
nctl backend del s1
add_backend g0 type tap bridge br0 name s0 mac 52:54:00:00:02:00
add_backend g1 type tap bridge br0 name s1 mac 52:54:00:00:02:01
assert_eq "$(placement)" "slots 2 overflow 4" "re-created backends take the freed slots"
check_tap s0 tx ""; check_tap s0 rx ""; check_tap s1 tx ""; check_tap s1 rx ""
i=0
for n in s2 s3 s4 s5; do
	base=$(echo "$keep" | sed -n "$((i + 1))p")
	check_tap $n tx "" "$base"; check_tap $n rx "" "$base"
	i=$((i + 1))
done
frames pair s1 s0 "128x2"
check_tap s1 tx "128x2"; check_tap s0 rx "128x2"
ok "a freed slot's next owner starts at zero; overflow backends keep their counts"

# Restarts with other slot counts: counts come over from both old maps.
before=$(for n in s0 s1 s2 s3 s4 s5; do nctl -j stats show backend $n; done)
netd_kill9
netd_start --stats-slots 4
assert_eq "$(placement)" "slots 4 overflow 2" "4 slots: 2 backends still overflow"
i=0
for n in s0 s1 s2 s3 s4 s5; do
	base=$(echo "$before" | sed -n "$((i + 1))p")
	check_tap $n tx "" "$base"; check_tap $n rx "" "$base"
	i=$((i + 1))
done
netd_kill9
netd_start
assert_eq "$(placement)" "slots 6 overflow 0" "default slots: none overflow"
frames pair s3 s4 "90"
i=0
for n in s0 s1 s2 s3 s4 s5; do
	base=$(echo "$before" | sed -n "$((i + 1))p")
	tx="" rx=""
	[ $n = s3 ] && tx=90
	[ $n = s4 ] && rx=90
	check_tap $n tx "$tx" "$base"; check_tap $n rx "$rx" "$base"
	i=$((i + 1))
done
ok "restarts with 4 slots, then the default count, keep every backend's counts"
