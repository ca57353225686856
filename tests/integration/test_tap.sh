#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-tap: live events by topic prefix as JSON lines, --count and --timeout,
# replay of a source's history, unknown types printed raw, --help.
. "$(dirname "$0")/lib.sh"

N=20
XSUB=tcp://127.0.0.1:$PORT_BASE
XPUB=tcp://127.0.0.1:$((PORT_BASE + 1))
REPLAY=tcp://127.0.0.1:$((PORT_BASE + 11))

start bus "$BIN/lz-bus" --xsub "$XSUB" --xpub "$XPUB" \
	--admin "127.0.0.1:$((PORT_BASE + 2))"
wait_http $((PORT_BASE + 2)) 10
start tap_live "$BIN/lz-tap" --sub "$XPUB" --count $N --timeout 20 lz.testing.
start tap_other "$BIN/lz-tap" --sub "$XPUB" --timeout 3 lz.orders.
start tap_all "$BIN/lz-tap" --sub "$XPUB" --timeout 3
sleep 0.5
start p "$PEER" produce --state "$TMP/p" --source t --pub "$XSUB" \
	--replay "$REPLAY" --count $N --rate 200 --admin 127.0.0.1:0
check "live tap exits after --count events" wait_pid "$pid_tap_live" 30
"$PEER" inject --to "$XSUB" --kind intruder
check "tap of another domain exits after --timeout" wait_pid "$pid_tap_other" 30
check "tap of another domain printed nothing" test ! -s "$TMP/tap_other.log"
wait_pid "$pid_tap_all" 30

# Every line is a JSON object with the envelope and the decoded payload.
check_eq "live tap printed N events, n = 1..N, decoded" "$(python3 -c '
import json, sys
ns = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert o["topic"] == o["type"] == "lz.testing.v1.Tick", o
    assert o["source"] == "t" and o["seq"] == int(o["payload"]["n"]), o
    assert o["timestamp"].endswith("Z") and len(o["eventId"]) == 32, o
    ns.append(o["seq"])
print(ns == list(range(1, int(sys.argv[2]) + 1)))
' "$TMP/tap_live.log" $N)" True

check_eq "unknown type printed raw, not failed" "$(python3 -c '
import json, sys, base64
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "lz.nobody.v1.Nope":
        print(o["unknownType"], "payload" not in o,
              base64.b64decode(o["payloadBase64"]) == b"")
' "$TMP/tap_all.log")" "True True True"

"$BIN/lz-tap" --sub "$XPUB" --replay t --from 15 >"$TMP/replay.log" 2>&1
check_eq "replay prints the history from --from" \
	"$(python3 -c '
import json, sys
print([json.loads(l)["payload"]["n"] for l in open(sys.argv[1])])' "$TMP/replay.log")" \
	"['15', '16', '17', '18', '19', '20']"
"$BIN/lz-tap" --replay-endpoint "$REPLAY" --replay t --from 3 --count 2 >"$TMP/replay2.log"
check_eq "replay with an explicit endpoint and --count" "$(wc -l <"$TMP/replay2.log")" 2
"$BIN/lz-tap" --replay-endpoint "$REPLAY" --replay nosuch >"$TMP/replay3.log" 2>&1
check "replay of a source the endpoint does not serve fails clearly" \
	grep -q "replay refused: this endpoint serves another source" "$TMP/replay3.log"
"$BIN/lz-tap" --sub "tcp://127.0.0.1:$((PORT_BASE + 50))" --replay t >"$TMP/replay4.log" 2>&1
check "replay without a heartbeat says what to do" grep -q "give --replay-endpoint" "$TMP/replay4.log"
check "--help describes the tool" sh -c "'$BIN/lz-tap' --help | grep -q -- '--replay'"
"$BIN/lz-tap" --count nope >"$TMP/bad.log" 2>&1
check_eq "a bad option value exits 2" "$?" 2
check "and says why" grep -q "count: expected an integer" "$TMP/bad.log"
summary
