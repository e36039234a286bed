#!/bin/bash
# netdctl exec: fd layout, placeholders for several backends, every other fd closed,
# the command's exit status, and the errors.
. "$(dirname "$0")/../lib.sh"
# The system python3: a pyenv shim first in PATH costs ~0.2 s per call, and the
# helpers below only need the standard library.
[ -x /usr/bin/python3 ] && export PATH=/usr/bin:$PATH

netns_new
netd_start
nctl backend add g type tap name a0 queues 2 mac 52:54:00:00:00:a0 >/dev/null
nctl backend add g type tap name b0 queues 1 mac 52:54:00:00:00:b0 >/dev/null
netd_fds=$(settled netd_file_fds)

# fd 9 is open in netdctl's parent: exec must not pass it on.
out=$(nctl exec a0 b0 -- sh -c 'echo "$@"; ls -l /proc/$$/fd' sh \
	'{fds}' '{vhostfds}' '{queues}' '{vectors}' '{vhost}' '{mac}' \
	'{fds:b0}' 'q={queues:b0}' 'mac={mac:b0}' '${HOME}' '{"json":{"x":1}}' '{unknown}' \
	'tap,fds={fds:a0},vhost=on,vhostfds={vhostfds:a0},x=y' 9</dev/null 2>"$TMP/err")
line=$(head -n1 <<<"$out")
assert_eq "$line" '3:4  2 6 off 52:54:00:00:00:a0 5 q=1 mac=52:54:00:00:00:b0 ${HOME} {"json":{"x":1}} {unknown} tap,fds=3:4,x=y' \
	"placeholders for the first and for a named backend; other braces kept"
fds=$(sed -n 's/.* \([0-9]*\) -> \(.*\)/\1=\2/p' <<<"$out" | sort -n | tr '\n' ' ')
assert_contains "$fds" "3=/dev/net/tun 4=/dev/net/tun 5=/dev/net/tun" "queues of a0 then b0 as fds 3, 4, 5"
assert_not_contains "$fds" "6=" "no fd 6"
assert_not_contains "$fds" "9=" "fd 9 of the parent is closed"
assert_contains "$(cat "$TMP/err")" "Note: backend a0 has no vhost fds" "vhost note for a0"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "fd layout, placeholders, every other fd closed"

# Exit status is the command's; netdctl is gone (exec in place).
rc=0
nctl exec a0 -- sh -c 'exit 7' || rc=$?
assert_eq "$rc" "7" "the command's exit status"
out=$(nctl exec a0 -- sh -c 'echo $$; cat /proc/$PPID/comm' 2>&1)
assert_not_contains "$out" "netdctl" "no netdctl process waits above the command"
nctl_fails 127 "cannot run 'no-such-command-$$': No such file or directory" exec a0 -- "no-such-command-$$"
nctl_fails 126 "cannot run '/dev/null': Permission denied" exec a0 -- /dev/null
ok "exit status: the command's, 127, 126"

# Errors before anything is run.
nctl_fails 1 "'{fds:zz}' names no backend given to exec" exec a0 -- echo '{fds:zz}'
nctl_fails 1 "exec needs \"--\"" exec a0 echo hi
nctl_fails 1 "at least one BACKEND" exec -- echo hi
nctl_fails 1 "needs a COMMAND" exec a0 --
nctl_fails 1 "backend \"a0\" is given twice" exec a0 a0 -- true
nctl_fails 2 "no backend named 'nope'" exec a0 nope -- true
assert_contains "$(nctl exec help)" "netdctl exec BACKEND [ BACKEND... ] -- COMMAND" "exec help"
assert_eq "$(nctl -j backend show a0 | json_get 'd["attached_queues"]')" "0" "failed execs leave no queue attached"
assert_eq "$(netd_dev_fds) $(settled netd_file_fds)" "0 $netd_fds" "netd keeps no fd"
ok "exec errors"
