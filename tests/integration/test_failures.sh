#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Failure semantics, the same for every daemon: SIGHUP (systemctl reload)
# never stops one: the gateway reloads its partners file, the others log
# that there is nothing to reload, and all keep answering; SIGTERM stops
# each with exit status 0; a store that cannot commit (its state on a full
# filesystem) stops lz-orders and lz-gateway with exit status 1 after
# logging why, so that systemd's Restart=on-failure restarts them -- and
# lz-orders, restarted with room again, resumes where it stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

CMDPUB=$B/tests/lz-cmdpub
DAEMONS="bus gateway orders inventory tours bikes returns impact"

# admin_of NAME: the admin port of daemon NAME.
admin_of() {
	case $1 in
	bus) echo "$BUS_ADMIN" ;;
	gateway) echo "$GW_ADMIN" ;;
	orders) echo "$ORDERS_ADMIN" ;;
	inventory) echo "$INVENTORY_ADMIN" ;;
	tours) echo "$TOURS_ADMIN" ;;
	bikes) echo "$BIKES_ADMIN" ;;
	returns) echo "$RETURNS_ADMIN" ;;
	impact) echo "$IMPACT_ADMIN" ;;
	esac
}

# pid_of NAME: the pid of daemon NAME, started by start.
pid_of() { eval "echo \$pid_$1"; }

partner ops livrazou operator
partner shop fournil shipper
start_bus
start_gateway
start_orders --no-sync
start_inventory --no-sync --expiry-scan 86400
start_tours --no-sync --time-limit-ms 0 --iterations 200 --bike-wave 24:00
start_bikes --no-sync --iterations 200
start_returns --no-sync
start_impact --no-sync --cf-iterations 200
for d in $DAEMONS; do
	check "$d: answers on its admin port" wait_http "$(admin_of "$d")" 10
done

# ---- SIGHUP: logged, reloads what can be, never stops a daemon ----
for d in $DAEMONS; do
	kill -HUP "$(pid_of "$d")"
done
for d in $DAEMONS; do
	if [ "$d" = gateway ]; then
		check "gateway: SIGHUP logs the reload of its partners file" \
			wait_grep "$TMP/gateway.log" \
			'level=info prog=lz-gateway msg=reload signal=SIGHUP log=stderr what=partners$' 5
		check "gateway: and reloads it" \
			wait_grep "$TMP/gateway.log" 'msg="partners file reloaded" partners=2' 5
	else
		check "$d: SIGHUP logs that there is nothing to reload" \
			wait_grep "$TMP/$d.log" \
			"level=info prog=lz-$d msg=\"reload: nothing to reload\" signal=SIGHUP log=stderr" 5
	fi
done
# A second one, as systemctl reload may be run twice.
for d in $DAEMONS; do
	kill -HUP "$(pid_of "$d")"
done
sleep 0.5
for d in $DAEMONS; do
	check "$d: still running after two SIGHUPs" kill -0 "$(pid_of "$d")"
	check "$d: and answering /healthz" wait_http "$(admin_of "$d")" 5
done
check_eq "every daemon logged two reloads" \
	"$(cat "$TMP"/{bus,gateway,orders,inventory,tours,bikes,returns,impact}.log |
		grep -c -E 'msg=("reload: nothing to reload"|reload) signal=SIGHUP')" 16
ack=$(submit ops lz.orders.v1.RegisterMember '{"member":{"memberId":"m1","name":"M"}}')
check_eq "the gateway accepts commands after SIGHUP" "$(jfield "$ack" status)" ACK_STATUS_ACCEPTED
applied() { [ "$(metric "$ORDERS_ADMIN" 'lz_inbox_seq{source="gateway"}')" = 1 ]; }
check "and lz-orders applies them" settle_on applied 10

# ---- SIGTERM: a clean stop, exit status 0 ----
for d in $DAEMONS; do
	kill -TERM "$(pid_of "$d")"
done
for d in $DAEMONS; do
	wait_pid "$(pid_of "$d")" 15
	check_eq "$d: SIGTERM stops it with exit status 0" "$?" 0
	check "$d: and it logs the stop" grep -q "msg=stopped .*exit=0" "$TMP/$d.log"
done
check "no daemon stopped on a failure" \
	sh -c "! grep -q 'stopped on a failure' '$TMP'/*.log"

# ---- a store that cannot commit: exit status 1, the reason logged ----
SMALL=$TMP/small
if ! mount_tmpfs "$SMALL" 512k; then
	echo "# skip: commit failures need a tiny tmpfs (mount -t tmpfs), not permitted here"
	summary
	exit
fi
if [ ! -x "$CMDPUB" ]; then
	not_ok "lz-cmdpub is built (make $CMDPUB)"
	summary
	exit
fi
start_bus
mkfifo "$TMP/cmd"
exec 3<>"$TMP/cmd"
start cmdpub "$CMDPUB" --state "$TMP/cmdpub" --no-sync --pub "$XSUB" \
	--replay "$GW_REPLAY" --input "$TMP/cmd"
start sorders "$BIN/lz-orders" --state "$SMALL/orders" --pub "$XSUB" \
	--sub "$XPUB" --replay "$ORDERS_REPLAY" --admin "127.0.0.1:$ORDERS_ADMIN"
wait_http "$ORDERS_ADMIN" 10
NAME=$(printf 'n%.0s' $(seq 1 190))
SENT=0
# Members with long names, 100 at a time, until lz-orders stops.
while [ "$SENT" -lt 20000 ] && kill -0 "$pid_sorders" 2>/dev/null &&
	kill -0 "$pid_cmdpub" 2>/dev/null; do
	for i in $(seq 1 100); do
		SENT=$((SENT + 1))
		echo "{\"type\":\"lz.orders.v1.RegisterMember\",\"tenant\":\"livrazou\",\"actor\":\"ops\",\"payload\":{\"member\":{\"memberId\":\"m$SENT\",\"name\":\"$NAME\"}}}" >&3
	done
	sleep 0.1
done
echo "# $SENT commands sent"
wait_pid "$pid_sorders" 30
check_eq "orders: a batch it cannot commit stops it with exit status 1" "$?" 1
# A full tmpfs makes a write fail (ENOSPC) or come out short (LMDB: EIO).
FULL='error="(No space left on device|Input/output error)" rc=-(28|5)'
check "orders: and it logs why" \
	grep -q -E "level=error prog=lz-orders msg=\"cannot commit batch\" $FULL events=[0-9]+ fatal=1" \
	"$TMP/sorders.log"
check "orders: and that it stopped on a failure" \
	grep -q -E 'msg="stopped on a failure" rc=-(28|5) .*exit=1' "$TMP/sorders.log"
check "orders: no clean stop logged" sh -c "! grep -q 'msg=stopped ' '$TMP/sorders.log'"
kept=$(grep -o 'outbox_seq=[0-9]* exit=1' "$TMP/sorders.log" | head -n 1)
# With room again, a restart resumes from the inbox: nothing is lost.
mount -o remount,size=64m "$SMALL"
start sorders "$BIN/lz-orders" --state "$SMALL/orders" --pub "$XSUB" \
	--sub "$XPUB" --replay "$ORDERS_REPLAY" --admin "127.0.0.1:$ORDERS_ADMIN"
wait_http "$ORDERS_ADMIN" 10
all_applied() {
	[ "$(metric "$ORDERS_ADMIN" 'lz_inbox_seq{source="gateway"}')" = "$SENT" ]
}
check "orders: restarted with room, it applies every command sent ($kept before)" \
	settle_on all_applied 60
kill -TERM "$pid_sorders" "$pid_cmdpub"
wait_pid "$pid_sorders" 10
check_eq "orders: and stops cleanly again" "$?" 0

# The gateway: the commands it cannot commit are answered "retry", and it
# stops with exit status 1.
SMALL2=$TMP/small2
mount_tmpfs "$SMALL2" 512k
start sgateway "$BIN/lz-gateway" --state "$SMALL2/gateway" \
	--partners "$PARTNERS" --server-key "$TMP/gateway.key" \
	--zmq "$GW_ZMQ" --http "$GW_HTTP" --admin "127.0.0.1:$GW_ADMIN" \
	--pub "$XSUB" --sub "$XPUB" --replay "$GW_REPLAY" \
	--orders-api "127.0.0.1:$ORDERS_ADMIN" --max-string 100000
wait_http "$GW_ADMIN" 10
NOTES=$(python3 -c 'print("x" * 100000)')
n=0
: >"$TMP/acks"
while [ $n -lt 40 ] && kill -0 "$pid_sgateway" 2>/dev/null; do
	n=$((n + 1))
	submit shop lz.orders.v1.PlaceOrder "{\"reference\":\"big$n\",\"notes\":\"$NOTES\"}" >>"$TMP/acks" 2>&1
done
echo "# $n commands submitted"
wait_pid "$pid_sgateway" 15
check_eq "gateway: a batch it cannot commit stops it with exit status 1" "$?" 1
check "gateway: and it logs why" \
	grep -q -E "level=error prog=lz-gateway msg=\"cannot commit commands\" $FULL count=[0-9]+ fatal=1" \
	"$TMP/sgateway.log"
check "gateway: and that it stopped on a failure" \
	grep -q -E 'msg="stopped on a failure" rc=-(28|5) .*exit=1' "$TMP/sgateway.log"
check "gateway: the command it could not commit was answered: retry" \
	grep -q '"errorCode":"ERROR_CODE_UNAVAILABLE".*"message":"cannot commit now; retry"' "$TMP/acks"
check "gateway: the ones before it were accepted" grep -q ACK_STATUS_ACCEPTED "$TMP/acks"
summary
