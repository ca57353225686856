#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-gateway on its own: CURVE authentication, roles, tenant from the
# identity, idempotent acceptance across restarts, HTTP status codes, limits,
# rate limit, Server-Sent Events, partners file reload; lz-ctl's diagnosis
# of a gateway that does not answer; a deployment's file read by the
# daemons, lz-ctl and lz-tap alike.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

partner ops livrazou operator
partner shop fournil shipper
partner baskets paniers shipper
partner rider1 livrazou rider
partner spam spam shipper
"$BIN/lz-ctl" keygen --out "$TMP/stranger.key" >/dev/null

start_bus
start_gateway --burst 40 --rate 1 --max-frame 4096
start tap "$BIN/lz-tap" --sub "$XPUB" --timeout 30 lz.orders.
sleep 0.3

PLACE='{"reference":"r1","destinationSiteId":"shop-1","lines":[{"product":"bread","quantity":3}]}'

# ZeroMQ with CURVE
ack=$(submit shop lz.orders.v1.PlaceOrder "$PLACE" m1)
check_eq "a shipper's order is accepted over ZeroMQ+CURVE" "$(jfield "$ack" status)" ACK_STATUS_ACCEPTED
id1=$(jfield "$ack" eventId)
seq1=$(jfield "$ack" seq)
check "the Ack carries the event id" test ${#id1} -eq 32
ack=$(submit shop lz.orders.v1.PlaceOrder "$PLACE" m1)
check_eq "a retry gets the same Ack, as a duplicate" \
	"$(jfield "$ack" status) $(jfield "$ack" eventId) $(jfield "$ack" seq)" \
	"ACK_STATUS_DUPLICATE $id1 $seq1"
ack=$(submit shop lz.orders.v1.PlaceOrder '{"reference":"other"}' m1)
check_eq "the same id for another command is a conflict" "$(jfield "$ack" errorCode)" ERROR_CODE_CONFLICT
ack=$(submit rider1 lz.orders.v1.PlaceOrder "$PLACE" m2)
check_eq "a rider cannot place an order" "$(jfield "$ack" errorCode)" ERROR_CODE_FORBIDDEN
ack=$(submit shop lz.orders.v1.RegisterMember '{"member":{"memberId":"x"}}' m3)
check_eq "a shipper cannot register members" "$(jfield "$ack" errorCode)" ERROR_CODE_FORBIDDEN
ack=$(submit ops lz.orders.v1.RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil"}}' m4)
check_eq "an operator can" "$(jfield "$ack" status)" ACK_STATUS_ACCEPTED
"$BIN/lz-ctl" submit --gateway "$GW_ZMQ" --key "$TMP/stranger.key" \
	--server-key "$SERVER_KEY" --type lz.orders.v1.PlaceOrder --json "$PLACE" \
	--timeout 2 >"$TMP/stranger.out" 2>&1
check_eq "an unknown key gets no answer" "$?" 1
check "and is counted" test "$(metric "$GW_ADMIN" 'lz_gateway_rejects_total{code="unauthenticated"}')" -ge 1
check "lz-ctl says the gateway refused the key, not that nothing listens" \
	grep -q "no answer from the gateway at $GW_ZMQ within 2 s: the gateway refused this partner's key" \
	"$TMP/stranger.out"
"$BIN/lz-ctl" submit --gateway "tcp://127.0.0.1:$((PORT_BASE + 49))" --key "$TMP/shop.key" \
	--server-key "$SERVER_KEY" --type lz.orders.v1.PlaceOrder --json "$PLACE" \
	--timeout 1 >"$TMP/noport.out" 2>&1
check_eq "a wrong port gets no answer either" "$?" 1
check "and lz-ctl says nothing is listening there" \
	grep -q "no answer from the gateway at tcp://127.0.0.1:$((PORT_BASE + 49)) within 1 s: nothing is listening there (connection refused)" \
	"$TMP/noport.out"
"$BIN/lz-ctl" submit --gateway "$GW_ZMQ" --key "$TMP/shop.key" \
	--server-key "$(sed -n 's/^public-key = //p' "$TMP/stranger.key")" \
	--type lz.orders.v1.PlaceOrder --json "$PLACE" --timeout 1 >"$TMP/badsrv.out" 2>&1
check "a wrong server key: the handshake failed, says lz-ctl" \
	grep -q "the CURVE handshake failed: the server key given is not this gateway's" "$TMP/badsrv.out"
"$BIN/lz-ctl" submit --gateway "tcp://$GW_HTTP" --key "$TMP/shop.key" \
	--server-key "$SERVER_KEY" --type lz.orders.v1.PlaceOrder --json "$PLACE" \
	--timeout 1 >"$TMP/httpport.out" 2>&1
check "the HTTP port instead of the ZeroMQ one: not a ZeroMQ endpoint, says lz-ctl" \
	grep -q "never completed a ZeroMQ handshake" "$TMP/httpport.out"
big=$(python3 -c 'print("{\"reference\":\"r9\",\"notes\":\"" + "x" * 5000 + "\"}")')
ack=$(submit shop lz.orders.v1.PlaceOrder "$big" m5)
check_eq "an oversize frame is refused" "$(jfield "$ack" errorCode)" ERROR_CODE_TOO_LARGE

# HTTP/JSON
r=$(post shop lz.orders.v1.PlaceOrder '{"reference":"r2","destinationSiteId":"shop-1"}' h1)
check_eq "HTTP: accepted is 202" "${r%% *}" 202
r=$(post shop lz.orders.v1.PlaceOrder '{"reference":"r2","destinationSiteId":"shop-1"}' h1)
check_eq "HTTP: a retried Idempotency-Key is the same Ack" "${r%% *} $(jfield "${r#* }" status)" "202 ACK_STATUS_DUPLICATE"
r=$(post shop lz.orders.v1.PlaceOrder '{"reference":"zz"}' h1)
check_eq "HTTP: a reused key for another command is 409" "${r%% *}" 409
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer nope" \
	-H "Idempotency-Key: h9" -d '{}' "http://$GW_HTTP/v1/commands/lz.orders.v1.PlaceOrder")
check_eq "HTTP: a bad token is 401" "$r" 401
r=$(post rider1 lz.orders.v1.PlaceOrder '{}' h2)
check_eq "HTTP: a wrong role is 403" "${r%% *}" 403
r=$(post shop lz.orders.v1.PlaceOrder '{"reference":' h3)
check_eq "HTTP: broken JSON is 400" "${r%% *} $(jfield "${r#* }" errorCode)" "400 ERROR_CODE_BAD_PAYLOAD"
r=$(post shop lz.orders.v1.PlaceOrder '{"reference":"a","reference":"b"}' h3d)
check_eq "HTTP: a key given twice is 400, with its name (proto3 JSON has no duplicates)" \
	"${r%% *} $(jfield "${r#* }" errorCode) $(jfield "${r#* }" message | grep -c 'duplicate object key')" "400 ERROR_CODE_BAD_PAYLOAD 1"
r=$(post shop lz.orders.v1.PlaceOrder '{"referense":"x"}' h4)
check_eq "HTTP: an unknown field is 400 and named" "${r%% *} $(jfield "${r#* }" message)" \
	'400 unknown field "referense" at $'
r=$(post shop lz.orders.v1.Nope '{}' h5)
check_eq "HTTP: an unknown type is 400" "${r%% *} $(jfield "${r#* }" errorCode)" "400 ERROR_CODE_UNKNOWN_TYPE"
r=$(post shop lz.orders.v1.PlaceOrder '{}' '')
check_eq "HTTP: a missing Idempotency-Key is 400" "${r%% *} $(jfield "${r#* }" errorCode)" "400 ERROR_CODE_BAD_MSG_ID"
r=$(post shop lz.orders.v1.PlaceOrder "$big" h6)
check_eq "HTTP: an oversize body is 413" "${r%% *}" 413
codes=""
for i in $(seq 1 50); do
	r=$(post spam lz.orders.v1.PlaceOrder "{\"reference\":\"s$i\"}" "s$i")
	codes="$codes ${r%% *}"
done
check "HTTP: past its burst a partner gets 429" sh -c "echo '$codes' | grep -q 429"
check "HTTP: and the burst itself was accepted" sh -c "echo '$codes' | grep -q 202"

# Server-Sent Events: a partner sees its member's events only.
start sse_baskets curl -s -N --max-time 60 -H "Authorization: Bearer $(token baskets)" \
	"http://$GW_HTTP/v1/events"
start sse_ops curl -s -N --max-time 60 -H "Authorization: Bearer $(token ops)" \
	"http://$GW_HTTP/v1/events"
wait_metric "$GW_ADMIN" lz_gateway_sse_clients 2 10
submit shop lz.orders.v1.PlaceOrder '{"reference":"r3"}' m6 >/dev/null
submit baskets lz.orders.v1.PlaceOrder '{"reference":"b1"}' b1 >/dev/null
check "SSE: the partner receives its member's event" wait_grep "$TMP/sse_baskets.log" '"reference":"b1"' 20
check "SSE: an operator receives every member's" sh -c "grep -q '\"reference\":\"r3\"' '$TMP/sse_ops.log' || sleep 2; grep -q '\"reference\":\"r3\"' '$TMP/sse_ops.log' && grep -q '\"reference\":\"b1\"' '$TMP/sse_ops.log'"
check "SSE: and not another member's" sh -c "! grep -q '\"reference\":\"r3\"' '$TMP/sse_baskets.log'"
check "SSE: events are framed as id/event/data" grep -q '^event: lz.orders.v1.PlaceOrder$' "$TMP/sse_baskets.log"
# Streams whose clients leave are swept at the next event, and their
# requests freed (under make check-asan, LeakSanitizer finds none when the
# gateway stops below).
for i in 1 2 3; do
	curl -s -N --max-time 1 -H "Authorization: Bearer $(token ops)" "http://$GW_HTTP/v1/events" >/dev/null &
done
wait_metric "$GW_ADMIN" lz_gateway_sse_clients 5 10
sleep 1.5
submit baskets lz.orders.v1.PlaceOrder '{"reference":"b2"}' b2 >/dev/null
sse_back_to_two() { [ "$(metric "$GW_ADMIN" lz_gateway_sse_clients)" = 2 ]; }
check "SSE: the streams of clients who left are ended" settle_on sse_back_to_two 10
check "SSE: the others go on" wait_grep "$TMP/sse_baskets.log" '"reference":"b2"' 20

# The tenant comes from the identity.
sleep 0.3
check_eq "every published command carries its partner's member and id" "$(python3 -c '
import json, sys
ok, n = True, 0
for l in open(sys.argv[1]):
    n += 1
    o = json.loads(l)
    want = {"shop": "fournil", "baskets": "paniers", "ops": "livrazou", "spam": "spam"}[o["actor"]]
    ok = ok and o["tenant"] == want and o["source"] == "gateway"
print(ok and n >= 10)' "$TMP/tap.log")" True

# Acknowledged commands survive a restart, and so does de-duplication.
seq_before=$(metric "$GW_ADMIN" lz_outbox_seq)
kill -TERM "$pid_gateway"
wait_pid "$pid_gateway" 10
check_eq "gateway stops cleanly on SIGTERM" "$?" 0
check "and says so" grep -q 'msg=stopped' "$TMP/gateway.log"
start_gateway --burst 40 --rate 1 --max-frame 4096
ack=$(submit shop lz.orders.v1.PlaceOrder "$PLACE" m1)
check_eq "after a restart a retry is still a duplicate, same event" \
	"$(jfield "$ack" status) $(jfield "$ack" eventId)" "ACK_STATUS_DUPLICATE $id1"
check_eq "and nothing new was committed" "$(metric "$GW_ADMIN" lz_outbox_seq)" "$seq_before"
"$BIN/lz-tap" --replay gateway --replay-endpoint "$GW_REPLAY" >"$TMP/history.log"
check_eq "the outbox holds every accepted command once" "$(grep -c '"reference":"r1"' "$TMP/history.log")" 1

# Partners file reloaded on SIGHUP.
partner late newcomer shipper
submit late lz.orders.v1.PlaceOrder '{"reference":"n1"}' n1 >"$TMP/late.out" 2>&1
check "a partner added to the file is unknown before SIGHUP" grep -q 'no answer' "$TMP/late.out"
check "and lz-ctl says its key was refused, and why" \
	grep -q "refused this partner's key .*not in the gateway's partners file" "$TMP/late.out"
kill -HUP "$pid_gateway"
check "SIGHUP is logged with what it reloads" \
	wait_grep "$TMP/gateway.log" 'msg=reload signal=SIGHUP log=stderr what=partners' 5
check "and the reload itself" wait_grep "$TMP/gateway.log" 'msg="partners file reloaded" partners=6' 5
ack=$(submit late lz.orders.v1.PlaceOrder '{"reference":"n1"}' n1)
check_eq "and accepted after it" "$(jfield "$ack" status)" ACK_STATUS_ACCEPTED
check "the gateway logs no secret" sh -c "! grep -q -e '$(token shop)' -e secret-key '$TMP/gateway.log'"

# A key rotated out of the file stops working at the reload, also on a
# connection opened before it (the partner is looked up by key per
# request).  A partner's phone holds one connection; its junk requests
# get an Ack that says why they are refused.
/usr/bin/python3 - "$GW_ZMQ" "$SERVER_KEY" "$TMP/late.key" "$TMP/rotated" >"$TMP/rot.out" 2>&1 <<'PY' &
import os, sys, time, zmq
ep, server, keyfile, flag = sys.argv[1:5]
k = dict(l.split(" = ", 1) for l in open(keyfile).read().splitlines() if " = " in l)
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
s.curve_serverkey = server.encode()
s.curve_publickey = k["public-key"].strip().encode()
s.curve_secretkey = k["secret-key"].strip().encode()
s.rcvtimeo = 5000
s.connect(ep)
s.send(b"junk")
print("before:", b"key no longer" not in s.recv() and "answered")
for _ in range(100):
    if os.path.exists(flag):
        break
    time.sleep(0.1)
s.send(b"junk")
print("after:", b"key no longer in the partners file" in s.recv() and "refused")
PY
ROT=$!
sleep 1
NEWKEY=$("$BIN/lz-ctl" keygen --out "$TMP/late2.key" | sed 's/^public-key = //')
python3 - "$PARTNERS" "$NEWKEY" <<'PY'
import sys
path, key = sys.argv[1:3]
lines = open(path).read().splitlines()
out = [" ".join(f[:3] + [key] + f[4:]) if (f := l.split())[:1] == ["late"] else l for l in lines]
open(path, "w").write("\n".join(out) + "\n")
PY
RELOADS=$(grep -c 'msg="partners file reloaded"' "$TMP/gateway.log")
kill -HUP "$pid_gateway"
reloaded() { [ "$(grep -c 'msg="partners file reloaded"' "$TMP/gateway.log")" -gt "$RELOADS" ]; }
settle_on reloaded 10
touch "$TMP/rotated"
wait $ROT
check_eq "a connection opened before a key rotation: answered, then refused (key no longer in the file)" \
	"$(cat "$TMP/rot.out" | tr '\n' ' ')" "before: answered after: refused "

# Acknowledgements are kept for --ack-retention seconds, then pruned: a
# retry after that is a new command.
kill -TERM "$pid_gateway"
wait_pid "$pid_gateway" 10
sleep 2.1
start_gateway --burst 40 --rate 1 --max-frame 4096 --ack-retention 1
pruned=$(metric "$GW_ADMIN" lz_gateway_acks_pruned_total)
check "acks older than the retention are pruned at startup" test "$pruned" -ge 3
check_eq "none is kept" "$(metric "$GW_ADMIN" lz_gateway_acks)" 0
ack=$(submit shop lz.orders.v1.PlaceOrder "$PLACE" m1)
check "a retry after the retention is accepted as a new command" \
	test "$(jfield "$ack" status)" = ACK_STATUS_ACCEPTED -a \
	"$(jfield "$ack" eventId)" != "$id1"
id2=$(jfield "$ack" eventId)
ack=$(submit shop lz.orders.v1.PlaceOrder "$PLACE" m1)
check_eq "and a retry within the retention is a duplicate of it" \
	"$(jfield "$ack" status) $(jfield "$ack" eventId)" "ACK_STATUS_DUPLICATE $id2"
wait_metric "$GW_ADMIN" lz_gateway_acks_pruned_total $((pruned + 1)) 10
check "the timer prunes it once the retention has passed" \
	test "$(metric "$GW_ADMIN" lz_gateway_acks_pruned_total)" -gt "$pruned"

# A deployment on other ports than the defaults, described by one file:
# the daemons read it, and lz-ctl and lz-tap need nothing but --config to
# reach them (the command line still wins).
D=$TMP/deploy
P=$((PORT_BASE + 30))
mkdir -p "$D"
cat >"$D/livrazou.ini" <<EOF
[common]
log-level = info

[bus]
xsub = tcp://127.0.0.1:$P
xpub = tcp://127.0.0.1:$((P + 1))
admin = 127.0.0.1:$((P + 2))

[gateway]
state = $D/gateway
partners = $D/partners
server-key = $D/gateway.key
zmq = tcp://0.0.0.0:$((P + 3))
http = 127.0.0.1:$((P + 4))
admin = 127.0.0.1:$((P + 5))
pub = tcp://127.0.0.1:$P
sub = tcp://127.0.0.1:$((P + 1))
replay = tcp://127.0.0.1:$((P + 6))
orders-api = 127.0.0.1:$((P + 7))

[impact]
state = $D/impact
pub = tcp://127.0.0.1:$P
sub = tcp://127.0.0.1:$((P + 1))
replay = tcp://127.0.0.1:$((P + 8))
admin = 127.0.0.1:$((P + 9))
timezone = Europe/Paris
EOF
CONF="--config $D/livrazou.ini"
"$BIN/lz-ctl" keygen --out "$D/gateway.key" >/dev/null
pub=$("$BIN/lz-ctl" keygen --out "$D/op.key" | sed 's/^public-key = //')
"$BIN/lz-ctl" $CONF partner add --id op --member livrazou --roles operator \
	--public-key "$pub" >/dev/null
check "lz-ctl --config: partner add writes the deployment's partners file" \
	grep -qF "op livrazou operator $pub " "$D/partners"
start dbus "$BIN/lz-bus" $CONF
start dgateway "$BIN/lz-gateway" $CONF
start dimpact "$BIN/lz-impact" $CONF --no-sync
wait_http $((P + 2)) 10 && wait_http $((P + 5)) 10 && wait_http $((P + 9)) 10
start dtap "$BIN/lz-tap" $CONF --count 1 --timeout 20 lz.orders.
sleep 0.5
"$BIN/lz-ctl" $CONF submit --key "$D/op.key" --type lz.orders.v1.RegisterMember \
	--json '{"member":{"memberId":"m1","name":"M"}}' --timeout 5 >"$D/submit.out" 2>&1
check_eq "lz-ctl --config: submit reaches the deployment's gateway (its key from the file)" \
	"$(jfield "$(cat "$D/submit.out")" status)" ACK_STATUS_ACCEPTED
check "lz-tap --config: the deployment's bus, live" wait_pid "$pid_dtap" 20
check "and it printed the command" grep -q '"type":"lz.orders.v1.RegisterMember"' "$TMP/dtap.log"
"$BIN/lz-tap" $CONF --replay gateway --from 1 --timeout 5 >"$D/replay.out" 2>&1
check_eq "lz-tap --config --replay: the source's replay endpoint from its section" \
	"$(grep -c '"memberId":"m1"' "$D/replay.out")" 1
"$BIN/lz-ctl" $CONF impact --format json >"$D/impact.out" 2>&1
check_eq "lz-ctl --config: impact asks the deployment's lz-impact" "$?" 0
check "and prints its report" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$D/impact.out"
"$BIN/lz-ctl" $CONF health >"$D/health.out" 2>&1
check_eq "lz-ctl --config: health of the deployment's daemons" "$?" 0
check "every one of them" sh -c "grep -q '^bus .*127.0.0.1:$((P + 2)) .*ok' '$D/health.out' &&
	grep -q '^gateway .*ok' '$D/health.out' && grep -q '^impact .*ok' '$D/health.out'"
"$BIN/lz-ctl" $CONF submit --gateway "tcp://127.0.0.1:$((P + 20))" --key "$D/op.key" \
	--type lz.orders.v1.RegisterMember --json '{"member":{"memberId":"m2"}}' \
	--timeout 1 >"$D/flag.out" 2>&1
check "a flag wins over the file (lz-ctl)" \
	grep -q "at tcp://127.0.0.1:$((P + 20)) within 1 s: nothing is listening there" "$D/flag.out"
"$BIN/lz-tap" $CONF --replay gateway --replay-endpoint "tcp://127.0.0.1:$((P + 21))" \
	--timeout 1 >"$D/flag2.out" 2>&1
check "a flag wins over the file (lz-tap)" grep -q "no answer from tcp://127.0.0.1:$((P + 21))" "$D/flag2.out"
summary
