# Shared by the integration tests (bash).  Source it first:
#   . "$(dirname "$0")/../lib.sh"
# Every test runs netd inside its own network namespace with a random name and
# cleans everything up on exit; nothing touches the host's own interfaces.
set -euo pipefail
# The system's python first: a pyenv shim costs ~0.3 s a call (6 s in the VM).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

export REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$REPO/build}
NETD_BIN=${NETD_BIN:-$BUILD/netd}
NETDCTL_BIN=${NETDCTL_BIN:-$BUILD/netdctl}
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d /tmp/netd-test.XXXXXX)
NS=""
NETD_PID=""
SOCK=$TMP/netd.sock
STATE=$TMP/state
_cleanups=()

# Run cleanups in reverse order, whatever happened.
_run_cleanups() {
	local rc=$?
	set +e
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" >/dev/null 2>&1
	done
	if [ $rc -ne 0 ] && [ -s "$TMP/netd.log" ]; then
		echo "--- netd log ($TEST_NAME) ---"
		tail -n 40 "$TMP/netd.log"
	fi
	rm -rf "$TMP"
	exit $rc
}
trap _run_cleanups EXIT
on_exit() { _cleanups+=("$*"); }

fail() { echo "FAIL: $TEST_NAME: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

assert_eq() { # assert_eq ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}
assert_contains() { # assert_contains HAYSTACK NEEDLE WHAT
	case "$1" in *"$2"*) ;; *) fail "$3: expected to find '$2' in: $1" ;; esac
}
assert_not_contains() {
	case "$1" in *"$2"*) fail "$3: did not expect '$2' in: $1" ;; *) ;; esac
}

rand() { head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A fresh namespace; prints nothing, sets NS.
netns_new() {
	NS=nd-$TEST_NAME-$(rand)
	NS=${NS:0:40}
	ip netns add "$NS"
	on_exit "ip netns del $NS"
	ip -n "$NS" link set lo up
}

# Run a command inside the test namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# Start netd in the test namespace; waits for its socket.
netd_start() {
	mkdir -p "$STATE"
	# Directly, not through in_ns: $! must be netd itself (ip netns exec execs it).
	ip netns exec "$NS" "$NETD_BIN" --socket "$SOCK" --state-dir "$STATE" "$@" >>"$TMP/netd.log" 2>&1 &
	NETD_PID=$!
	on_exit "kill -TERM $NETD_PID 2>/dev/null; wait $NETD_PID 2>/dev/null"
	for _ in $(seq 200); do
		[ -S "$SOCK" ] && "$NETDCTL_BIN" -S "$SOCK" version >/dev/null 2>&1 && return 0
		kill -0 "$NETD_PID" 2>/dev/null || fail "netd exited at start: $(cat "$TMP/netd.log")"
		sleep 0.02
	done
	fail "netd did not come up: $(cat "$TMP/netd.log")"
}

netd_stop() {
	kill -TERM "$NETD_PID" 2>/dev/null || true
	wait "$NETD_PID" 2>/dev/null || true
}

netd_kill9() {
	kill -9 "$NETD_PID" 2>/dev/null || true
	wait "$NETD_PID" 2>/dev/null || true
}

# netdctl against this test's daemon, from inside the namespace (so its own
# view of interfaces matches netd's).
nctl() { in_ns "$NETDCTL_BIN" -S "$SOCK" "$@"; }

# Expect failure: runs netdctl, requires exit status $1 and stderr containing $2.
nctl_fails() {
	local want_rc=$1 want_text=$2 rc=0 out
	shift 2
	out=$(nctl "$@" 2>&1) || rc=$?
	[ "$rc" = "$want_rc" ] || fail "netdctl $*: expected exit $want_rc, got $rc: $out"
	assert_contains "$out" "$want_text" "netdctl $*"
	LAST_ERR=$out
}

# Names of all links in the namespace, sorted, one line.
ns_links() { in_ns ip -j link show | python3 -c 'import json,sys; print(" ".join(sorted(l["ifname"] for l in json.load(sys.stdin))))'; }

# A field of one link from ip -j -d link show: jfield DEV PYTHON_EXPR (d is the link dict)
jlink() { in_ns ip -j -d link show dev "$1" | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print($2)"; }

# A field of a JSON document on stdin: json_get EXPR (d is the document)
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# netd's counter programs on a device, as the kernel lists them (tcx or tc clsact):
# "ingress tcx netd_guest_tx:[ID]" lines.
hooks() { in_ns "$BUILD/tests/hooks" "$1"; }
# How the running netd attaches them: "tcx" or "tc" (from its start-up line).
netd_hook() { grep -q 'eBPF counters loaded (tcx)' "$TMP/netd.log" && echo tcx || echo tc; }

# Open fds of netd.
netd_fd_count() { ls /proc/"$NETD_PID"/fd | wc -l; }
# A command's output once it stops changing: the same over three runs 100 ms apart
# (netd catching up with clients that just left).
settled() {
	local a b c
	a=$("$@")
	for _ in $(seq 100); do
		sleep 0.1
		b=$("$@")
		sleep 0.1
		c=$("$@")
		[ "$a" = "$b" ] && [ "$b" = "$c" ] && break
		a=$c
	done
	echo "$c"
}
netd_fd_settled() { settled netd_fd_count; }
# netd's fds other than sockets (client connections close asynchronously): a tap or
# vhost fd kept by netd would show here.
netd_file_fds() { ls -l "/proc/$NETD_PID/fd" | grep -v -e ' -> socket:' -e '^total' | wc -l; }
netd_dev_fds() { ls -l "/proc/$NETD_PID/fd" | grep -cE ' -> (/host)?/dev/(net/tun|vhost-net)$' || true; }

NDCLIENT="python3 $REPO/tests/helpers/ndclient.py"
# Raw protocol access from inside the namespace: ndc call VERB JSON / ndc xfer A B N SIZE
ndc() { in_ns $NDCLIENT "$SOCK" "$@"; }

# add_backend GUEST ... name NAME ...: netdctl backend add, and the bridge learns
# the guest's MAC for good, so no frame is flooded to a backend it is not for (guest
# rx counts what reaches the device, also what a closed queue then drops).
add_backend() {
	local name mac a prev=
	for a in "$@"; do [ "$prev" = name ] && name=$a; prev=$a; done
	nctl backend add "$@" >/dev/null
	mac=$(nctl -j backend show "$name" | json_get 'd.get("mac", "")')
	[ -z "$mac" ] || in_ns bridge fdb replace "$mac" dev "$name" master static
}

# check_tap NAME DIR SIZES [BASE_JSON]: tap backend NAME's guest DIR counters are
# BASE plus SIZES in netdctl's JSON, and (without BASE) the tap's own link counters
# say the same: guest rx is the tap's TX, guest tx its RX.
check_tap() {
	local name=$1 dir=$2 sizes=$3 base=${4:-} kernel=()
	[ -n "$base" ] || kernel=(--kernel "$(in_ns ip -j -s link show dev "$name")" "$([ "$dir" = rx ] && echo tx || echo rx)")
	python3 "$REPO/tests/helpers/stats_check.py" "$dir" "$sizes" "$(nctl -j stats show backend "$name")" \
		"$base" "${kernel[@]}" || fail "counters of $name guest $dir"
}

# [FRAMES_BROADCAST=1] frames CMD A B SIZES: tests/helpers/frames.py through netd's
# backends (or from/to a plain device); every frame must arrive.
frames() {
	local out
	out=$(in_ns env FRAMES_BROADCAST="${FRAMES_BROADCAST:-0}" python3 "$REPO/tests/helpers/frames.py" "$SOCK" "$@")
	[ "$(echo "$out" | json_get 'd["sent"] == d["received"]')" = True ] || fail "frames $*: $out"
}
