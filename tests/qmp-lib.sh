# QMP helpers shared by the tests that drive a real QEMU.  Source after lib.sh.
command -v qemu-system-x86_64 >/dev/null ||
	fail "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"

# qmp SOCKET COMMAND [JSON_ARGS]: one command from the test itself; prints the reply.
qmp() {
	python3 - "$@" <<'PY'
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(float(os.environ.get("QMP_TIMEOUT", "10")))
s.connect(sys.argv[1])
f = s.makefile('rwb')
def cmd(c, a):
    f.write(json.dumps({"execute": c, "arguments": a}).encode() + b"\n")
    f.flush()
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
json.loads(f.readline())
cmd("qmp_capabilities", {})
print(json.dumps(cmd(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
PY
}
info_network() { qmp "$1" human-monitor-command '{"command-line": "info network"}' | json_get 'd["return"]'; }
qom() { qmp "$1" qom-get "{\"path\": \"/machine/peripheral/$2\", \"property\": \"$3\"}" | json_get 'd.get("return", d.get("error"))'; }
tun_fds() { ls -l "/proc/$1/fd" | grep -c ' -> /dev/net/tun$' || true; }

# qemu_start SOCKET ARGS...: QEMU with QMP on SOCKET; sets QEMU_PID.
qemu_start() {
	local sock=$1
	shift
	qemu-system-x86_64 -nodefaults -display none -qmp "unix:$sock,server=on,wait=off" "$@" \
		>>"$TMP/qemu.log" 2>&1 &
	QEMU_PID=$!
	on_exit "kill $QEMU_PID; wait $QEMU_PID"
	for _ in $(seq 250); do
		[ -S "$sock" ] && return 0
		kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU exited at start: $(cat "$TMP/qemu.log")"
		sleep 0.02
	done
	fail "QEMU made no QMP socket $sock: $(cat "$TMP/qemu.log")"
}
