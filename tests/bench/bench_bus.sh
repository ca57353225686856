#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-bus: N events (payload about 200 bytes) from a producer through
# lz-bus to a consumer that applies each durably (fsync at commit, group
# commit), against raw libzmq PUSH/PULL measured in the same run; then
# latency from the producer's commit to the consumer's durable apply at a
# fixed 10,000 events/s.
. "$(dirname "$0")/../integration/lib.sh"

N=${BENCH_EVENTS:-1000000}
LAT_EVENTS=${BENCH_LAT_EVENTS:-100000}
BODY=185 # + the Tick's other fields = a 200-byte payload
XSUB=tcp://127.0.0.1:$PORT_BASE
XPUB=tcp://127.0.0.1:$((PORT_BASE + 1))

raw=$("$B/tests/bench-zmq-raw" "tcp://127.0.0.1:$((PORT_BASE + 5))" "$N" 200 |
	sed 's/.*=//')
echo "# raw libzmq PUSH/PULL, 200-byte messages: $raw msgs/s"

start bus "$BIN/lz-bus" --xsub "$XSUB" --xpub "$XPUB" \
	--admin "127.0.0.1:$((PORT_BASE + 2))"
wait_http $((PORT_BASE + 2)) 10

run() { # NAME COUNT RATE -> consumer summary line
	start "c$1" "$PEER" consume --state "$TMP/c$1" --follow "$1" \
		--sub "$XPUB" --admin "127.0.0.1:$((PORT_BASE + 10))" --expect "$2"
	wait_http $((PORT_BASE + 10)) 10
	local c=$LAST_PID t0 t1
	t0=$(date +%s.%N)
	start "p$1" "$PEER" produce --state "$TMP/p$1" --source "$1" \
		--pub "$XSUB" --replay "tcp://127.0.0.1:$((PORT_BASE + 11))" \
		--count "$2" --rate "$3" --body-bytes $BODY --admin 127.0.0.1:0
	local p=$LAST_PID
	wait_pid "$c" 600
	t1=$(date +%s.%N)
	kill "$p"
	wait "$p" 2>/dev/null
	ELAPSED=$(echo "$t1 - $t0" | bc -l)
	SUMMARY=$(grep '^consumed' "$TMP/c$1.log")
}

run thr "$N" 0
echo "# throughput run: $SUMMARY elapsed=${ELAPSED}s"
durable=$(echo "$N / $ELAPSED" | bc -l)
"$PEER" verify --state "$TMP/cthr" --expect "$N" >/dev/null ||
	echo "# WARNING: throughput run did not apply every event exactly once"

run lat "$LAT_EVENTS" 10000
echo "# latency run at 10000/s: $SUMMARY"
p50=$(echo "$SUMMARY" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
p99=$(echo "$SUMMARY" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')

printf 'bench-bus: durable_events_per_s=%.0f raw_zmq_msgs_per_s=%.0f ratio=%.3f p50_ms=%s p99_ms=%s\n' \
	"$durable" "$raw" "$(echo "$durable / $raw" | bc -l)" "$p50" "$p99"
FAILED=0
