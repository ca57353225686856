#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Exactly-once, in-order delivery through the real lz-bus when (a) the
# consumer is killed with SIGKILL mid-stream and restarted, (b) the bus is
# restarted mid-stream, (c) a second consumer starts after the producer has
# finished.  Each time the consumer's own state must show every event
# applied exactly once, in order.
. "$(dirname "$0")/lib.sh"

N=${N:-100000}
RATE=${RATE:-40000}
XSUB=tcp://127.0.0.1:$PORT_BASE
XPUB=tcp://127.0.0.1:$((PORT_BASE + 1))
BUS_ADMIN=127.0.0.1:$((PORT_BASE + 2))

start_bus() {
	start bus "$BIN/lz-bus" --xsub "$XSUB" --xpub "$XPUB" --admin "$BUS_ADMIN"
	wait_http $((PORT_BASE + 2)) 10
}

# consumer NAME SOURCE ADMINPORT
consumer() {
	start "$1" "$PEER" consume --state "$TMP/$1" --follow "$2" --sub "$XPUB" \
		--admin "127.0.0.1:$3" --expect "$N"
}

# producer NAME SOURCE REPLAYPORT
producer() {
	start "$1" "$PEER" produce --state "$TMP/$1" --source "$2" --pub "$XSUB" \
		--replay "tcp://127.0.0.1:$3" --count "$N" --rate "$RATE" \
		--admin 127.0.0.1:0
}

verify() {
	"$PEER" verify --state "$TMP/$1" --expect "$N" >"$TMP/$1.verify" 2>&1
	rc=$?
	cat "$TMP/$1.verify"
	return $rc
}

check "bus starts" start_bus

# (a) consumer killed with SIGKILL mid-stream, then restarted.
consumer ca a $((PORT_BASE + 10))
wait_http $((PORT_BASE + 10)) 10
producer pa a $((PORT_BASE + 11))
check "(a) consumer is mid-stream" wait_metric $((PORT_BASE + 10)) lz_testpeer_applied $((N / 4)) 60
kill -9 "$pid_ca"
wait "$pid_ca" 2>/dev/null
killed_at=$("$PEER" verify --state "$TMP/ca" --expect "$N" | sed 's/.*count=\([0-9]*\).*/\1/')
echo "# consumer killed after $killed_at events"
check "(a) killed before the end" test "$killed_at" -lt "$N"
consumer ca a $((PORT_BASE + 10))
check "(a) restarted consumer catches up and exits" wait_pid "$pid_ca" 120
check "(a) every event applied exactly once, in order" verify ca
grep -q "lz_events_gap_total\|replay asked\|source found" "$TMP/ca.log" ||
	true

# (b) the bus restarted mid-stream.
consumer cb b $((PORT_BASE + 20))
wait_http $((PORT_BASE + 20)) 10
producer pb b $((PORT_BASE + 21))
check "(b) consumer is mid-stream" wait_metric $((PORT_BASE + 20)) lz_testpeer_applied $((N / 4)) 60
kill -9 "$pid_bus"
wait "$pid_bus" 2>/dev/null
sleep 0.5
check "(b) bus restarts" start_bus
check "(b) consumer completes across the bus restart" wait_pid "$pid_cb" 120
check "(b) every event applied exactly once, in order" verify cb
lost=$(awk '/produced/' "$TMP/pb.log" | wc -l)
echo "# producer b finished: $lost"

# (c) a second consumer starting after the producer has finished.
check "(c) producer b has committed everything" \
	wait_metric "$(sed -n 's/.*admin_port=\([0-9]*\).*/\1/p' "$TMP/pb.log" | head -n1)" lz_outbox_seq "$N" 60
consumer cc b $((PORT_BASE + 30))
check "(c) late consumer replays the whole history and exits" wait_pid "$pid_cc" 120
check "(c) every event applied exactly once, in order" verify cc
check "(c) history came by replay" grep -q "consumed count=$N .*this_run=$N" "$TMP/cc.log"


# (d) a consumer that refuses every 7th event: each refusal is rolled back
# alone (its writes undone), the rest of its batch is kept.
start cd "$PEER" consume --state "$TMP/cd" --follow b --sub "$XPUB" \
	--admin "127.0.0.1:$((PORT_BASE + 40))" --expect "$N" --reject-every 7
check "(d) consumer refusing events completes" wait_pid "$pid_cd" 120
check "(d) refused events left no trace, the others applied once, in order" \
	"$PEER" verify --state "$TMP/cd" --expect "$N" --reject-every 7
check "(d) refusals were logged" grep -q 'msg="event rejected" source=b seq=7 ' "$TMP/cd.log"
summary
