#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Members place, amend, cancel and follow orders through the real gateway,
# bus and orders daemons, over ZeroMQ+CURVE and HTTP: each invalid order
# gets its specific reason, nobody acts on another member's order, retries
# have no second effect, and SIGKILL of lz-orders in the middle of 10,000
# orders loses none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

partner ops livrazou operator
partner shop fournil shipper
partner baskets paniers shipper
start_bus
start_gateway --rate 100000 --burst 100000
start_orders

ok_ack() { [ "$(jfield "$1" status)" = ACK_STATUS_ACCEPTED ]; }
reg() { ok_ack "$(submit ops "$1" "$2")"; }
reg lz.orders.v1.RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER","workIntegration":true}}'
reg lz.orders.v1.RegisterMember '{"member":{"memberId":"paniers","name":"Paniers Marseillais","kind":"MEMBER_KIND_SHIPPER"}}'
reg lz.orders.v1.RegisterMember '{"member":{"memberId":"ferme","name":"Ferme du Roy","kind":"MEMBER_KIND_PRODUCER"}}'
reg lz.orders.v1.RegisterSite '{"site":{"siteId":"cafe-panier","memberId":"fournil","name":"Café Panier","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.2988,"lon":5.3700},"acceptedClasses":["TEMPERATURE_CLASS_AMBIENT","TEMPERATURE_CLASS_CHILLED"]}}'
reg lz.orders.v1.RegisterSite '{"site":{"siteId":"ferme-roy","memberId":"ferme","name":"Ferme du Roy","kind":"SITE_KIND_PRODUCER","location":{"lat":43.52,"lon":5.45}}}'

T0=$(($(date +%s) + 86400))
win() { echo "{\"start\":\"$(($T0 + $1))\",\"end\":\"$(($T0 + $1 + 7200))\"}"; }
LINE='{"product":"pain","quantity":10,"unitGrams":500,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
order() { # REF [EXTRA FIELDS]
	echo "{\"reference\":\"$1\",\"destinationSiteId\":\"cafe-panier\",\"deliveryWindow\":$(win 0),\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$LINE]${2:+,$2}}"
}

# A valid order over ZeroMQ, amended over HTTP, another cancelled.
check "place over ZeroMQ+CURVE" ok_ack "$(submit shop lz.orders.v1.PlaceOrder "$(order r1)" p1)"
check "place a pickup order" ok_ack "$(submit shop lz.orders.v1.PlaceOrder \
	"{\"reference\":\"r2\",\"destinationSiteId\":\"cafe-panier\",\"deliveryWindow\":$(win 0),\"source\":\"ORDER_SOURCE_PRODUCER_PICKUP\",\"pickupSiteId\":\"ferme-roy\",\"pickupWindow\":$(win -7200),\"lines\":[$LINE]}" p2)"
r=$(post shop lz.orders.v1.AmendOrder "{\"orderId\":\"fournil/r1\",\"deliveryWindow\":$(win 3600)}" a1)
check_eq "amend over HTTP" "${r%% *}" 202
r=$(post shop lz.orders.v1.PlaceOrder "$(order r3)" p3)
check_eq "place over HTTP" "${r%% *}" 202
check "cancel over ZeroMQ" ok_ack "$(submit shop lz.orders.v1.CancelOrder '{"orderId":"fournil/r3","reason":"client closed"}' c1)"
ack=$(submit shop lz.orders.v1.PlaceOrder "$(order r1)" p1)
check_eq "a retried place is a duplicate" "$(jfield "$ack" status)" ACK_STATUS_DUPLICATE

# Invalid orders: each with its own reason.
submit shop lz.orders.v1.PlaceOrder "{\"reference\":\"bad-site\",\"destinationSiteId\":\"nowhere\",\"deliveryWindow\":$(win 0),\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$LINE]}" x1 >/dev/null
submit shop lz.orders.v1.PlaceOrder "{\"reference\":\"past\",\"destinationSiteId\":\"cafe-panier\",\"deliveryWindow\":{\"start\":\"1000000000\",\"end\":\"1000003600\"},\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$LINE]}" x2 >/dev/null
submit shop lz.orders.v1.PlaceOrder "$(order nolines | sed 's/"lines":\[[^]]*\]/"lines":[]/')" x3 >/dev/null
submit shop lz.orders.v1.PlaceOrder "$(order zero | sed 's/"quantity":10/"quantity":0/')" x4 >/dev/null
submit shop lz.orders.v1.PlaceOrder "$(order frozen | sed 's/TEMPERATURE_CLASS_AMBIENT/TEMPERATURE_CLASS_FROZEN/')" x5 >/dev/null
submit shop lz.orders.v1.PlaceOrder "$(order r1)" x6 >/dev/null
submit shop lz.orders.v1.PlaceOrder "{\"reference\":\"nofarm\",\"destinationSiteId\":\"cafe-panier\",\"deliveryWindow\":$(win 0),\"source\":\"ORDER_SOURCE_PRODUCER_PICKUP\",\"pickupSiteId\":\"ghost\",\"pickupWindow\":$(win -7200),\"lines\":[$LINE]}" x7 >/dev/null
# Another member's partner, naming fournil's order in its payload.
submit baskets lz.orders.v1.CancelOrder '{"orderId":"fournil/r1"}' y1 >/dev/null
submit baskets lz.orders.v1.AmendOrder "{\"orderId\":\"fournil/r1\",\"deliveryWindow\":$(win 7200)}" y2 >/dev/null

sleep 1
"$BIN/lz-tap" --replay orders --replay-endpoint "$ORDERS_REPLAY" >"$TMP/orders.log"
reasons=$(python3 -c '
import json, sys
out = []
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "lz.orders.v1.OrderRejected":
        p = o["payload"]
        out.append("%s:%s" % (p.get("reference") or p.get("orderId"), p["reason"].replace("REJECT_REASON_", "")))
print(" ".join(out))' "$TMP/orders.log")
echo "# rejections: $reasons"
for want in bad-site:UNKNOWN_SITE past:WINDOW_IN_PAST nolines:NO_LINES zero:BAD_QUANTITY \
	frozen:TEMPERATURE_NOT_ACCEPTED r1:DUPLICATE_REFERENCE nofarm:UNKNOWN_PICKUP_SITE; do
	check "rejected with its reason: $want" sh -c "echo '$reasons' | grep -q -w '$want'"
done
check_eq "another member's cancel and amend are refused as unknown orders" \
	"$(echo "$reasons" | grep -o 'r1:UNKNOWN_ORDER' | wc -l)" 2
placed=$(grep -c '"type":"lz.orders.v1.OrderPlaced"' "$TMP/orders.log")
check_eq "three orders placed, once each" "$placed" 3

# Queries through the gateway.
r=$(get shop /v1/orders/fournil%2Fr1)
check_eq "a shipper reads its order" "${r%% *}" 200
check "with its amended window and its history" python3 -c '
import json, sys
v = json.loads(sys.argv[1])
assert v["order"]["deliveryWindow"]["start"] == sys.argv[2], v
assert len(v["history"]) >= 2, v' "${r#* }" "$((T0 + 3600))"
r=$(get baskets /v1/orders/fournil%2Fr1)
check_eq "another member cannot read it" "${r%% *}" 404
r=$(get shop '/v1/orders?status=cancelled')
check_eq "a shipper lists its cancelled orders" "$(python3 -c 'import json,sys; print([o["reference"] for o in json.loads(sys.argv[1]).get("orders", [])])' "${r#* }")" "['r3']"
r=$(get baskets '/v1/orders?member=fournil')
check_eq "another member's list is its own, whatever it asks" "$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1]).get("orders", [])))' "${r#* }")" 0
r=$(get ops '/v1/orders?member=fournil&status=confirmed')
check_eq "an operator may list any member's" "$(python3 -c 'import json,sys; print([o["reference"] for o in json.loads(sys.argv[1]).get("orders", [])])' "${r#* }")" "['r2']"

# SIGKILL of lz-orders in the middle of 10,000 orders.
N=10000
base=$(metric "$GW_ADMIN" lz_outbox_seq)
start load "$B/tests/bench-gateway-load" "$GW_ZMQ" "$SERVER_KEY" "$TMP/shop.key" $N 64 "$((T0 + 86400))"
check "orders is mid-stream" wait_metric "$ORDERS_ADMIN" 'lz_inbox_seq{source="gateway"}' $((base + N / 5)) 120
kill -9 "$pid_orders"
wait "$pid_orders" 2>/dev/null
check "every command of the load was accepted" wait_pid "$pid_load" 120
start_orders
end=$(metric "$GW_ADMIN" lz_outbox_seq)
check "restarted orders catches up with the gateway" wait_metric "$ORDERS_ADMIN" 'lz_inbox_seq{source="gateway"}' "$end" 120
"$BIN/lz-tap" --replay orders --replay-endpoint "$ORDERS_REPLAY" >"$TMP/orders2.log"
check_eq "all 10,000 orders placed exactly once" "$(python3 -c '
import json, sys, collections
c = collections.Counter()
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "lz.orders.v1.OrderPlaced" and o["payload"]["order"]["reference"].startswith("bench-"):
        c[o["payload"]["order"]["reference"]] += 1
print(len(c), max(c.values()) if c else 0)' "$TMP/orders2.log")" "$N 1"
summary
