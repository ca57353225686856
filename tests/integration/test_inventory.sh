#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-inventory behind the real gateway, bus and orders daemons: zones and
# receptions (each refusal with its reason, as an event, changing
# nothing), FEFO reservations confirming orders, an all-or-nothing
# shortage rejecting one, a partial order confirmed with its shortage,
# cancellation releasing stock, picking, counts, the expiry watch, the read
# models, and a SIGKILL restart that keeps everything.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

partner ops livrazou operator
partner desk livrazou receiver
partner van livrazou driver
partner shop fournil shipper
start_bus
start_gateway --rate 100000 --burst 100000
start_orders
start_inventory --expiry-scan 1 --no-sync
API=http://127.0.0.1:$INVENTORY_ADMIN

SENT_OK=0
ok_ack() { [ "$(jfield "$1" status)" = ACK_STATUS_ACCEPTED ]; }
# cmd PARTNER TYPE JSON: submits, counts the accepted ones.
cmd() {
	if ok_ack "$(submit "$1" "$2" "$3")"; then
		SENT_OK=$((SENT_OK + 1))
	else
		echo "# not accepted: $2 $3"
	fi
}
inv() { cmd "$1" "lz.inventory.v1.$2" "$3"; }
# settle: until inventory and orders applied everything the gateway sent
# and orders applied what inventory emitted.
settle() {
	local gw inv_seq
	sleep 0.3
	gw=$(metric "$GW_ADMIN" lz_outbox_seq)
	wait_metric "$INVENTORY_ADMIN" 'lz_inbox_seq{source="gateway"}' "$gw" 20 &&
		wait_metric "$ORDERS_ADMIN" 'lz_inbox_seq{source="gateway"}' "$gw" 20 || return 1
	sleep 0.3
	inv_seq=$(metric "$INVENTORY_ADMIN" lz_outbox_seq)
	wait_metric "$ORDERS_ADMIN" 'lz_inbox_seq{source="inventory"}' "$inv_seq" 20
}
outbox() {
	"$BIN/lz-tap" --replay inventory --replay-endpoint "$INVENTORY_REPLAY" \
		--timeout 3 >"$TMP/inv.out" 2>/dev/null
}
# py EXPR: python over the inventory events (evs; of(type) -> payloads).
py() {
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
def of(t): return [e["payload"] for e in evs if e["type"] == "lz.inventory.v1." + t]
'"$1" "$TMP/inv.out"
}
jget() { curl -s --max-time 5 "$API$1"; }
order_status() {
	curl -s "http://127.0.0.1:$ORDERS_ADMIN/v1/orders/fournil%2F$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["order"]["status"])'
}

reg() { cmd ops "lz.orders.v1.$1" "$2"; }
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}'
reg RegisterSite '{"site":{"siteId":"cafe","memberId":"fournil","name":"Café","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.2988,"lon":5.37}}}'

NOW=$(date +%s)
DAY=86400
T0=$((NOW + DAY))
inv ops SetZone '{"zone":{"zoneId":"chill-1","name":"Chambre froide 1","temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"100000","capacityMillilitres":"100000"}}'
inv ops SetZone '{"zone":{"zoneId":"amb-1","name":"Ambiant","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"500000","capacityMillilitres":"500000"}}'
lot() { # ID PRODUCT QTY USE_BY [ZONE] [CLASS] [UNIT_GRAMS]
	echo "{\"lotId\":\"$1\",\"ownerMemberId\":\"fournil\",\"product\":\"$2\",\"quantity\":\"$3\",\"unitGrams\":\"${7:-125}\",\"unitMillilitres\":\"100\",\"temperatureClass\":\"TEMPERATURE_CLASS_${6:-CHILLED}\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$4\",\"zoneId\":\"${5:-chill-1}\"}"
}
inv desk ReceiveLot "$(lot L-late yaourt 10 $((NOW + 5 * DAY)))"
inv desk ReceiveLot "$(lot L-early yaourt 10 $((NOW + 3 * DAY)))"
inv desk ReceiveLot "$(lot L-soon yaourt 5 $((NOW + DAY + 3600)))"
inv desk ReceiveLot "$(lot L-gone lait 4 $((NOW + 4)))"
check "zones and receptions applied" settle
outbox
check_eq "four lots received" "$(py 'print(len(of("LotReceived")))')" 4
before=$(jget /v1/invariants)

# Bad input: each refused with its reason, nothing changes.
inv desk ReceiveLot "$(lot B-zone yaourt 1 $((NOW + 5 * DAY)) nowhere)"
inv desk ReceiveLot "$(lot B-class glace 1 $((NOW + 5 * DAY)) chill-1 FROZEN)"
inv desk ReceiveLot "$(lot B-cap yaourt 1000 $((NOW + 5 * DAY)))"
inv desk ReceiveLot "$(lot B-past yaourt 1 $((NOW - 60)))"
inv desk ReceiveLot "$(lot B-zero yaourt 0 $((NOW + 5 * DAY)))"
inv desk ReceiveLot "$(lot B-neg yaourt -3 $((NOW + 5 * DAY)))"
inv desk ReceiveLot "$(lot L-late yaourt 1 $((NOW + 5 * DAY)))"
inv van PickOrder '{"orderId":"fournil/nope"}'
inv ops CountStock '{"lotId":"nope","counted":"1"}'
inv ops CountStock '{"lotId":"L-late","counted":"-1"}'
inv ops SetZone '{"zone":{"zoneId":"chill-1","temperatureClass":"TEMPERATURE_CLASS_FROZEN","capacityGrams":"1","capacityMillilitres":"1"}}'
r=$(submit shop lz.inventory.v1.ReceiveLot "$(lot S-1 yaourt 1 $((NOW + 5 * DAY)))")
check_eq "a shipper may not receive goods" "$(jfield "$r" errorCode)" ERROR_CODE_FORBIDDEN
check "bad input applied" settle
outbox
check_eq "receptions refused with their reasons" "$(py '
print(" ".join("%s:%s" % (p["reception"]["lotId"], p["reason"].replace("REFUSAL_REASON_", "")) for p in of("ReceptionRefused")))')" \
	"B-zone:UNKNOWN_ZONE B-class:WRONG_TEMPERATURE_CLASS B-cap:OVER_CAPACITY B-past:EXPIRED B-zero:BAD_QUANTITY B-neg:BAD_QUANTITY L-late:DUPLICATE_LOT"
check_eq "other commands refused with their reasons" "$(py '
print(" ".join(p["reason"].replace("REFUSAL_REASON_", "") for p in of("CommandRefused")))')" \
	"UNKNOWN_ORDER UNKNOWN_LOT BAD_QUANTITY ZONE_NOT_EMPTY"
after=$(jget /v1/invariants)
check_eq "refusals changed nothing" "$(echo "$after" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["received"], d["inStock"] + d["expired"], d["lots"], d["reserved"])')" \
	"$(echo "$before" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["received"], d["inStock"] + d["expired"], d["lots"], d["reserved"])')"

# Reservations: FEFO, never a lot expiring before the window's end.
win="{\"start\":\"$T0\",\"end\":\"$((T0 + 7200))\"}"
place() { # REF QTY [PARTIAL]
	cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"$1\",\"destinationSiteId\":\"cafe\",\"deliveryWindow\":$win,\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"allowPartial\":${3:-false},\"lines\":[{\"product\":\"yaourt\",\"quantity\":$2,\"unitGrams\":125,\"temperatureClass\":\"TEMPERATURE_CLASS_CHILLED\"}]}"
}
place r1 12
place r2 100
place r3 20 true
check "orders applied" settle
outbox
check_eq "r1 reserved first-expired-first-out, not the lot ending before the window" \
	"$(py 'print(" ".join("%s:%s" % (a["lotId"], a["quantity"]) for p in of("ReservationMade") if p["orderId"] == "fournil/r1" for a in p["allocations"]))')" \
	"L-early:10 L-late:2"
check_eq "r1 confirmed" "$(order_status r1)" ORDER_STATUS_CONFIRMED
check_eq "r2 short of 92 (all or nothing)" \
	"$(py 'print([(l["missing"], p.get("reservedPartially", False)) for p in of("Shortage") if p["orderId"] == "fournil/r2" for l in p["lines"]])')" "[('92', False)]"
check_eq "r2 rejected" "$(order_status r2)" ORDER_STATUS_REJECTED
check "r2's history names the missing line" sh -c "curl -s 'http://127.0.0.1:$ORDERS_ADMIN/v1/orders/fournil%2Fr2' | grep -q 'lines\[0\] yaourt: missing 92 of 100'"
check_eq "r3 partially reserved" \
	"$(py 'print([(a["lotId"], a["quantity"]) for p in of("ReservationMade") if p["orderId"] == "fournil/r3" for a in p["allocations"]], [p["complete"] if "complete" in p else False for p in of("ReservationMade") if p["orderId"] == "fournil/r3"])')" \
	"[('L-late', '8')] [False]"
check_eq "r3 confirmed with its shortage" "$(order_status r3)" ORDER_STATUS_CONFIRMED
check "r3's history notes the shortage" sh -c "curl -s 'http://127.0.0.1:$ORDERS_ADMIN/v1/orders/fournil%2Fr3' | grep -q 'missing 12 of 20'"
check_eq "L-late is fully reserved" "$(jget /v1/lots/L-late | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["quantity"], d["reserved"])')" "10 10"

# Cancellation releases; picking takes the stock out; counts adjust.
cmd shop lz.orders.v1.CancelOrder '{"orderId":"fournil/r3"}'
check "cancel applied" settle
check_eq "cancelling r3 released its 8 units" "$(jget /v1/lots/L-late | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["quantity"], d.get("reserved", "0"))')" "10 2"
inv ops CountStock '{"lotId":"L-late","counted":"1","note":"casse"}'
inv van PickOrder '{"orderId":"fournil/r1"}'
inv van PickOrder '{"orderId":"fournil/r1"}'
inv ops CountStock '{"lotId":"L-late","counted":"7","note":"casse"}'
check "pick and counts applied" settle
outbox
check_eq "a count below the reserved units is refused" "$(py 'print(of("CommandRefused")[-2]["reason"])')" REFUSAL_REASON_BELOW_RESERVED
check_eq "r1 picked once, its lots emptied" "$(py 'print([(a["lotId"], a["quantity"]) for p in of("OrderPicked") for a in p["allocations"]])')" "[('L-early', '10'), ('L-late', '2')]"
check_eq "picking twice is refused" "$(py 'print(of("CommandRefused")[-1]["reason"])')" REFUSAL_REASON_ALREADY_PICKED
check_eq "the count adjusted the lot and recorded the difference" "$(py 'print([(p["before"], p["after"], p["difference"]) for p in of("LotAdjusted")])')" "[('8', '7', '-1')]"

# The expiry watch: L-gone (use-by NOW+4) expires; L-soon (within the
# 2-day horizon, unreserved) is announced once.
check "L-gone expired" wait_metric "$INVENTORY_ADMIN" lz_inventory_expired_lots_total 1 15
sleep 2
outbox
check_eq "LotExpired removed its 4 units" "$(py 'print([(p["lot"]["lotId"], p["removed"]) for p in of("LotExpired")])')" "[('L-gone', '4')]"
check_eq "nearing expiry announced once per lot" "$(py 'print(sorted(p["lot"]["lotId"] for p in of("LotNearingExpiry")))')" "['L-gone', 'L-soon']"

# Read models.
check_eq "stock by product" "$(jget '/v1/stock?by=product' | python3 -c 'import json,sys; print([(e["key"], e["units"]) for e in json.load(sys.stdin)["entries"]])')" "[('yaourt', '12')]"
check_eq "zone fill levels" "$(jget /v1/zones | python3 -c 'import json,sys; print([(z["zone"]["zoneId"], z.get("grams", "0"), z.get("fillPermille", "0")) for z in json.load(sys.stdin)["zones"]])')" "[('amb-1', '0', '0'), ('chill-1', '1500', '15')]"
check_eq "lots expiring soon" "$(jget '/v1/lots/expiring' | python3 -c 'import json,sys; print([l["lotId"] for l in json.load(sys.stdin).get("lots", [])])')" "['L-soon']"
check_eq "bad read-model parameters" "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/stock?by=colour") $(curl -s -o /dev/null -w '%{http_code}' "$API/v1/lots/nope") $(curl -s -o /dev/null -w '%{http_code}' "$API/v1/lots/a%20b")" "400 404 400"
check "fill metric per zone" sh -c "curl -s $API/metrics | grep -q 'lz_inventory_zone_fill_ratio{zone=\"chill-1\"} 0.015'"
check "shortage metric" wait_metric "$INVENTORY_ADMIN" lz_inventory_shortages_total 2 2
inv1=$(jget /v1/invariants)
check_eq "invariants hold" "$(echo "$inv1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["received"], d["inStock"], d["picked"], d["adjusted"], d["expired"])')" "True 29 12 12 1 4"

# SIGKILL and restart: same state, nothing applied twice.
kill -9 "$pid_inventory"
wait "$pid_inventory" 2>/dev/null
place r4 3
check "inventory restarts" start_inventory --expiry-scan 1 --no-sync
check "r4 applied after the restart" settle
check_eq "r4 reserved from what is left (L-soon ends before the window)" "$(jget /v1/reservations/fournil/r4 | python3 -c 'import json,sys; print([(a["lotId"], a["quantity"]) for a in json.load(sys.stdin)["allocations"]])')" "[('L-late', '3')]"
check_eq "invariants after the restart" "$(jget /v1/invariants | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["received"], d["inStock"], d["reserved"])')" "True 29 12 3"
summary
