#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The service manager's view (units of Type=notify, sd_notify(3)): every
# daemon, started as systemd starts it (NOTIFY_SOCKET, WATCHDOG_USEC), says
# READY=1 with a STATUS= line once it serves, sends WATCHDOG=1 at half the
# interval while its loop runs, RELOADING=1 then READY=1 around a SIGHUP,
# and STOPPING=1 on SIGTERM.  A python listener stands in for systemd: one
# datagram socket per daemon, every message appended to a file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

DAEMONS="bus gateway orders inventory tours bikes returns impact"

python3 - "$TMP" $DAEMONS >"$TMP/listener.log" 2>&1 <<'PY' &
import os, select, socket, sys
tmp, names = sys.argv[1], sys.argv[2:]
socks = {}
for n in names:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(os.path.join(tmp, "notify-%s.sock" % n))
    socks[s] = open(os.path.join(tmp, "notify-%s.log" % n), "a", buffering=1)
while True:
    for s in select.select(list(socks), [], [], 1)[0]:
        msg = s.recv(4096).decode()
        socks[s].write(msg.replace("\n", " | ") + "\n")
PY
PIDS="$PIDS $!"
for n in $DAEMONS; do
	wait_file() { [ -S "$TMP/notify-$n.sock" ]; }
	for _ in $(seq 50); do wait_file && break; sleep 0.1; done
done

# as_unit NAME COMMAND...: runs COMMAND with the environment systemd gives
# a unit of Type=notify with WatchdogSec=0.4.
as_unit() {
	local n=$1
	shift
	NOTIFY_SOCKET=$TMP/notify-$n.sock WATCHDOG_USEC=400000 "$@"
}

partner ops livrazou operator
as_unit bus start_bus
as_unit gateway start_gateway
as_unit orders start_orders --no-sync
as_unit inventory start_inventory --no-sync --expiry-scan 86400
as_unit tours start_tours --no-sync --time-limit-ms 0 --iterations 50
as_unit bikes start_bikes --no-sync --iterations 50
as_unit returns start_returns --no-sync
as_unit impact start_impact --no-sync --cf-iterations 50

pid_of() { eval "echo \$pid_$1"; }
# count N PATTERN: how many messages of daemon N match PATTERN.
count() { grep -c -- "$2" "$TMP/notify-$1.log" 2>/dev/null || true; }

for n in $DAEMONS; do
	check "$n: READY=1 with a status line" \
		wait_grep "$TMP/notify-$n.log" '^READY=1 | STATUS=.' 10
done
check_eq "a status a person can read (the gateway's)" \
	"$(sed -n 's/^READY=1 | STATUS=//p' "$TMP/notify-gateway.log" | head -n 1)" \
	"serving 1 partners"
sleep 1.2
for n in $DAEMONS; do
	check "$n: WATCHDOG=1 at half the interval (>= 4 in 1.2 s)" \
		test "$(count "$n" '^WATCHDOG=1$')" -ge 4
done

for n in $DAEMONS; do
	kill -HUP "$(pid_of "$n")"
done
check "gateway: RELOADING=1, then READY=1 after reloading its partners" \
	wait_grep "$TMP/notify-gateway.log" '^READY=1$' 5
check "gateway: in that order" sh -c \
	"grep -x -e 'RELOADING=1' -e 'READY=1' '$TMP/notify-gateway.log' | tr '\n' ' ' | grep -q 'RELOADING=1 READY=1'"

for n in $DAEMONS; do
	kill -TERM "$(pid_of "$n")"
done
for n in $DAEMONS; do
	wait "$(pid_of "$n")"
	check_eq "$n: exit status 0 after SIGTERM" "$?" 0
	check "$n: STOPPING=1 with a status line" \
		grep -q '^STOPPING=1 | STATUS=stopping' "$TMP/notify-$n.log"
done

# Outside systemd (no NOTIFY_SOCKET) nothing changes: every other
# integration test runs the daemons so.
summary
