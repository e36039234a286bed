#!/bin/bash
# eBPF counters on tap backends: known frames each way are found exactly (packets,
# bytes, size histogram) in netdctl's figures and in the kernel's own link counters;
# per-guest sums; a re-created backend starts at zero and nobody else's counters
# move; `stats off` and --no-stats attach nothing; a restart keeps the counts and
# leaves a filter somebody else added alone; 300 backends are read with one batched
# map lookup and listed in a multipart reply; no BPF rights: netd runs, says why.
. "$(dirname "$0")/../lib.sh"

netns_new
# Every frame on the backends is one we sent: no IPv6 autoconfiguration, and no
# snooping bridge, which joins 224.0.0.106 and floods an IGMP report to its ports
# whenever its carrier comes back.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_ns ip link add br0 type bridge mcast_snooping 0
in_ns ip link set br0 up
netd_start
HOOK=$(netd_hook)

add_backend web type tap bridge br0 name web0 mac 52:54:00:00:00:0a vnet_hdr off mtu 2000
add_backend web type tap bridge br0 name web1 mac 52:54:00:00:00:0b mtu 2000
add_backend db type tap bridge br0 name db0 mac 52:54:00:00:00:0c
add_backend db type tap bridge br0 name db1 mac 52:54:00:00:00:0d stats off

# --- the programs sit where netd says (tcx on 6.6+, else tc with netd's handle) ----
for dev in web0 web1 db0; do
	h=$(hooks "$dev")
	assert_contains "$h" "ingress $HOOK netd_guest_tx" "$dev ingress counts guest tx"
	assert_contains "$h" "egress $HOOK netd_guest_rx" "$dev egress counts guest rx"
	assert_eq "$(wc -l <<<"$h")" "2" "$dev: one program each way"
done
assert_not_contains "$(in_ns tc qdisc show dev db1)" "clsact" "stats off: no clsact qdisc on db1"
assert_eq "$(hooks db1)" "" "stats off: no program on db1"
ok "programs of ours on stats-on backends, none on the stats-off one"

# --- known frames each way, every histogram bucket ------------------------------
A="60x5,64,65x2,127,128x3,300x2,600x4,1024,1514x6,1600x2"
B="100x7,1500x3,1518,1519"
frames pair web0 web1 "$A"
frames pair web1 web0 "$B"
frames pair db0 db1 "200x4"
check_tap web0 tx "$A"; check_tap web1 rx "$A"
check_tap web1 tx "$B"; check_tap web0 rx "$B"
check_tap db0 tx "200x4"; check_tap db0 rx ""
ok "exact packets, bytes and size buckets each way, equal to the kernel's link counters"

doc=$(nctl -j stats show guest web)
got=$(echo "$doc" | json_get '[(g["guest"], g["rx"]["packets"], g["tx"]["packets"], g["counted"]) for g in d["guests"]]')
assert_eq "$got" "[('web', 39, 39, 2)]" "guest web sums both backends (rx, tx packets)"
got=$(echo "$doc" | json_get 'sum(b["rx"]["bytes"] for b in d["backends"]) == d["guests"][0]["rx"]["bytes"]')
assert_eq "$got" "True" "guest rx bytes are the sum of its backends'"
got=$(nctl -j stats show | json_get '[(g["guest"], g["backends"], g["counted"]) for g in d["guests"]]')
assert_eq "$got" "[('db', 2, 1), ('web', 2, 2)]" "every guest, its backends and how many are counted"
text=$(nctl -d stats show guest web)
assert_contains "$text" "guest web: backends 2 counted 2" "text: guest sum row"
assert_contains "$text" "web0: guest web type tap" "text: backend row"
assert_contains "$text" "TX sizes: <=64 6 65-127 3 128-255 3 256-511 2 512-1023 4 1024-1518 7 >1518 2" "text: web0's tx histogram"
assert_contains "$(nctl stats show guest db)" "db1: guest db type tap stats off" "text: stats-off backend"
# netdctl -s backend show carries the same counters, as ip -s link does a link's.
st=$(nctl -j stats show backend web0 | json_get '[(r["rx"]["packets"], r["tx"]["bytes"]) for r in d["backends"]]')
bs=$(nctl -s -j backend show web0 | json_get '[(d["counters"]["rx"]["packets"], d["counters"]["tx"]["bytes"])]')
assert_eq "$bs" "$st" "backend show -s counters"
assert_contains "$(nctl -s backend show web0)" "RX:" "backend show -s text"
ok "per-guest sums in JSON and text"

# -s: two reads, rates from their monotonic timestamps (no traffic now: zero).
got=$(nctl -s -j stats show backend web0 | json_get '(d["interval_ns"] > 0, d["backends"][0]["rx"]["packets_per_sec"], d["backends"][0]["tx"]["bits_per_sec"])')
assert_eq "$got" "(True, 0.0, 0.0)" "-s adds rates over an interval"

prom=$(nctl stats export prometheus)
assert_contains "$prom" "# TYPE netd_guest_rx_bytes_total counter" "prometheus TYPE line"
assert_contains "$prom" 'netd_guest_tx_packets_total{guest="web",backend="web0"} 27' "prometheus web0 tx packets"
assert_contains "$prom" 'netd_guest_rx_bytes_total{guest="web",backend="web1"} '"$(echo "$A" | python3 -c 'import sys; print(sum(int(p.partition("x")[0]) * int(p.partition("x")[2] or 1) for p in sys.stdin.read().strip().split(",")))')" "prometheus web1 rx bytes"
assert_contains "$prom" 'netd_guest_tx_frame_size_bytes_bucket{guest="web",backend="web0",le="64"} 6' "prometheus histogram bucket"
assert_contains "$prom" 'netd_guest_tx_frame_size_bytes_bucket{guest="web",backend="web0",le="+Inf"} 27' "prometheus +Inf bucket"
assert_not_contains "$prom" 'backend="db1"' "prometheus: no series for an uncounted backend"
ok "prometheus textfile export"

# --- a re-created backend starts at zero; nobody else's counters move -----------
web0=$(nctl -j stats show backend web0)
db0=$(nctl -j stats show backend db0)
nctl backend del web1
add_backend web type tap bridge br0 name web1 mac 52:54:00:00:00:0b mtu 2000
check_tap web1 rx ""; check_tap web1 tx ""
check_tap web0 tx "" "$web0"; check_tap web0 rx "" "$web0"
check_tap db0 tx "" "$db0"; check_tap db0 rx "" "$db0"
nctl guest del db
add_backend db type tap bridge br0 name db0 mac 52:54:00:00:00:0c
check_tap db0 tx ""; check_tap db0 rx ""
check_tap web0 tx "" "$web0"
ok "deleted and re-created backends start at zero, others keep theirs"

# --- restart: counts survive, a filter somebody else added is left alone ---------
# Somebody's own filters (classic BPF that matches nothing), before and after ours
# (with tcx, netd made no clsact: somebody adds their own).
in_ns tc qdisc show dev web0 | grep -q clsact || in_ns tc qdisc add dev web0 clsact
in_ns tc filter add dev web0 ingress prio 1 protocol all bpf bytecode "1,6 0 0 0,"
in_ns tc filter add dev web0 egress prio 60000 protocol all bpf bytecode "1,6 0 0 0,"
old=$(hooks web0 | grep -o 'ingress .* netd_guest_tx:\[[0-9]*\]')
web0=$(nctl -j stats show backend web0)
netd_kill9
# Counting goes on while netd is down: frames written straight into the tap.
in_ns python3 - <<'EOF'
import fcntl, os, struct
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"web0", 0x0002 | 0x1000))  # TUNSETIFF tap no_pi
for _ in range(3):
    os.write(fd, bytes.fromhex("52540000000b52540000000a88b5") + bytes(186))
EOF
netd_start
check_tap web0 tx "200x3" "$web0"
new=$(hooks web0 | grep -o 'ingress .* netd_guest_tx:\[[0-9]*\]')
[ -n "$new" ] && [ "$new" != "$old" ] || fail "restart: web0's program not replaced by the new netd's ($old -> $new)"
assert_eq "$(hooks web0 | wc -l)" "2" "restart: replaced, not added"
f=$(in_ns tc filter show dev web0 ingress)
assert_contains "$f" "pref 1 bpf chain 0 handle 0x1 not_in_hw bytecode '1,6 0 0 0'" "restart: somebody's ingress filter stays"
f=$(in_ns tc filter show dev web0 egress)
assert_contains "$f" "pref 60000 bpf chain 0 handle 0x1 not_in_hw bytecode '1,6 0 0 0'" "restart: somebody's egress filter stays"
frames pair web0 web1 "90x2"
check_tap web0 tx "200x3,90x2" "$web0"
ok "after a restart: counts kept (also those made while netd was down), foreign filters intact"

# --- many backends: one batched read, a multipart reply --------------------------
# One connection for all 300 (netdctl would be 300 processes).
in_ns python3 - "$SOCK" "$REPO/tests/helpers" <<'EOF'
import os, socket, sys
sys.path.insert(0, sys.argv[2])
from frames import call
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
for i in range(300):
    _, fds = call(s, "backend.add", {"guest": "many", "type": "tap", "name": f"m{i}"})
    for fd in fds:
        os.close(fd)
EOF
strace -qq -e trace=bpf,sendmsg -p "$NETD_PID" -o "$TMP/strace.out" 2>"$TMP/strace.err" &
tracer=$!
on_exit "kill $tracer"
for _ in $(seq 200); do
	grep -q "^TracerPid:[[:space:]]*$tracer\$" "/proc/$NETD_PID/status" && break
	sleep 0.05
done
grep -q "^TracerPid:[[:space:]]*$tracer\$" "/proc/$NETD_PID/status" || fail "strace did not attach: $(cat "$TMP/strace.err")"
got=$(nctl -j stats show | json_get '(len(d["backends"]), [(g["guest"], g["counted"]) for g in d["guests"] if g["guest"] == "many"])')
kill "$tracer"; wait "$tracer" 2>/dev/null || true
assert_eq "$got" "(303, [('many', 300)])" "every backend listed (a multipart reply)"
calls=$(grep -c "BPF_MAP_LOOKUP_BATCH" "$TMP/strace.out" || true)
single=$(grep -c "BPF_MAP_LOOKUP_ELEM" "$TMP/strace.out" || true)
assert_eq "$calls $single" "1 0" "one batched lookup for 300 backends' counters, no single ones"
parts=$(grep -c "^sendmsg(" "$TMP/strace.out" || true)
[ "$parts" -ge 2 ] || fail "stats show of 303 backends came in $parts message(s), expected a multipart reply"
nctl guest del many >/dev/null
ok "300 backends: one batched map read, listed in a multipart reply"

# --- --no-stats: new backends get no counters unless asked ----------------------
netd_stop
netd_start --no-stats
add_backend ns type tap bridge br0 name ns0
add_backend ns type tap bridge br0 name ns1 stats on
assert_eq "$(hooks ns0)" "" "--no-stats: no program on ns0"
assert_contains "$(hooks ns1)" "ingress $HOOK netd_guest_tx" "--no-stats: stats on still attaches"
assert_contains "$(hooks web0)" "egress $HOOK netd_guest_rx" "--no-stats: adopted backends keep theirs"
ok "--no-stats and stats on"

# --- without BPF rights netd still runs, and says why counters are missing ------
netd_stop
printf '#!/bin/sh\nexec setpriv --bounding-set=-bpf,-sys_admin,-perfmon -- %s "$@"\n' "$NETD_BIN" >"$TMP/netd-nobpf"
chmod +x "$TMP/netd-nobpf"
NETD_BIN=$TMP/netd-nobpf netd_start
add_backend nb type tap bridge br0 name nb0
nctl_fails 2 "eBPF counters are unavailable: cannot load the eBPF counters" stats show
assert_contains "$(cat "$TMP/netd.log")" "eBPF counters unavailable" "the log says so at start"
ok "no BPF rights: backends still made, stats show says why"
