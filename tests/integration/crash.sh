#!/bin/bash
# kill -9 of netd at random points during creates and deletes; after each restart:
# every acknowledged backend is there and owned, nothing half-made is left, and
# netd's registry is exactly what the kernel holds.
. "$(dirname "$0")/../lib.sh"
netns_new
in_ns ip link add v0 type veth peer name v1
in_ns ip link set v0 up
SEED=${NETD_CRASH_SEED:-$RANDOM}
ROUNDS=${NETD_CRASH_ROUNDS:-25}
echo "crash test: seed $SEED, $ROUNDS rounds (NETD_CRASH_SEED=$SEED to repeat)"
RANDOM=$SEED
log=$TMP/acks.log
: > "$log"

check_invariants() {
	in_ns python3 - "$SOCK" "$log" <<'PY'
import json, subprocess, sys
sys.path.insert(0, __import__("os").environ["REPO"] + "/tests/helpers")
from ndclient import call, connect
sock, log = sys.argv[1], sys.argv[2]
acked, unknown = set(), set()
for line in open(log):
    op, name = line.split()
    if op == "ADD":
        acked.add(name); unknown.discard(name)
    elif op == "DELSENT":
        unknown.add(name)
    elif op == "DEL":
        acked.discard(name); unknown.discard(name)
links = json.loads(subprocess.check_output(["ip", "-j", "-d", "link", "show"]))
kinds = {l["ifname"]: l.get("linkinfo", {}).get("info_kind") for l in links}
tagged = {l["ifname"] for l in links if l.get("ifalias", "").startswith("netd1 ")}
pending = [l["ifname"] for l in links if str(l.get("group")) in ("1852112895", "0x6e64ffff")]
stray = [n for n, k in kinds.items() if k in ("tun", "macvtap") and n not in tagged]
items, _, err = call(connect(sock), "backend.list")
assert not err, err
registry = {b["name"] for b in items["items"]}
problems = []
if acked - unknown - tagged:
    problems.append(f"acknowledged backends missing: {sorted(acked - unknown - tagged)}")
if pending:
    problems.append(f"half-made (pending group) devices left: {pending}")
if stray:
    problems.append(f"untagged tap/macvtap devices left: {stray}")
if registry != tagged:
    problems.append(f"registry {sorted(registry ^ tagged)} differs from the kernel")
if problems:
    print("; ".join(problems)); sys.exit(1)
print(f"{len(tagged)} backends, {len(acked - unknown)} acknowledged and alive: consistent")
PY
}

netd_start
for round in $(seq "$ROUNDS"); do
	in_ns python3 "$REPO/tests/helpers/churn.py" "$SOCK" "$log" v0 "$((SEED + round))" &
	churn=$!
	# A random moment within the churn: 10-160 ms.
	sleep "0.$(printf '%03d' $((10 + RANDOM % 150)))"
	netd_kill9
	wait $churn 2>/dev/null || true
	netd_start
	res=$(check_invariants) || fail "round $round (seed $SEED): $res"
	# Keep the namespace small: clean up now and then.
	if [ $((round % 8)) = 0 ]; then
		for g in g0 g1 g2 g3; do nctl guest del $g >/dev/null 2>&1 || true; done
		: > "$log"
	fi
done
echo "last round: $res"
ok "$ROUNDS kill -9 rounds during creates and deletes: invariants hold after every restart"
