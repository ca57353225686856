#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-orders behind a real bus, fed with commands as source "gateway" by
# lz-cmdpub: the operator's directory, valid orders (OrderPlaced, then
# CONFIRMED for pickups), one specific reason per invalid order, another
# member's order is unknown, amend and cancel, undecodable payloads, the
# HTTP queries, and a restart that keeps everything and re-applies nothing.
. "$(dirname "$0")/lib.sh"

CMDPUB=$B/tests/lz-cmdpub
XSUB=tcp://127.0.0.1:$PORT_BASE
XPUB=tcp://127.0.0.1:$((PORT_BASE + 1))
BUS_ADMIN=$((PORT_BASE + 2))
ADMIN=$((PORT_BASE + 3))
REPLAY=tcp://127.0.0.1:$((PORT_BASE + 10))
GW_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 11))
API=http://127.0.0.1:$ADMIN

start_orders() {
	start orders "$BIN/lz-orders" --state "$TMP/orders" --pub "$XSUB" \
		--sub "$XPUB" --replay "$REPLAY" --admin "127.0.0.1:$ADMIN"
	wait_http "$ADMIN" 10
}

# Commands go through a FIFO held open on fd 3, one JSON line each.
SENT=0
send() {
	echo "$1" >&3
	SENT=$((SENT + 1))
}

# cmd TYPE TENANT PAYLOAD: sends a command from partner p-TENANT.
cmd() {
	send "{\"type\":\"lz.orders.v1.$1\",\"tenant\":\"$2\",\"actor\":\"p-$2\",\"payload\":$3}"
}

# wait_applied: until lz-orders has applied every command sent.
wait_applied() {
	local end=$(($(date +%s) + 15))
	while [ "$(date +%s)" -le "$end" ]; do
		curl -s --max-time 1 "$API/metrics" |
			grep -qx "lz_inbox_seq{source=\"gateway\"} $SENT" && return 0
		sleep 0.05
	done
	return 1
}

# outbox: every event of source "orders", as JSON lines, into $TMP/out.
outbox() {
	"$BIN/lz-tap" --replay-endpoint "$REPLAY" --replay orders --from 1 \
		--timeout 3 >"$TMP/out" 2>"$TMP/tap.err"
}

# py EXPR...: evaluates python over the events in $TMP/out (list "evs").
py() {
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
def of(t): return [e["payload"] for e in evs if e["type"] == "lz.orders.v1." + t]
def reason(ref=None, cmd=None, oid=None):
    r = [p.get("reason", "") for p in of("OrderRejected")
         if (ref is None or p.get("reference") == ref)
         and (oid is None or p.get("orderId") == oid)
         and (cmd is None or p.get("command") == "lz.orders.v1." + cmd)]
    return ",".join(x.replace("REJECT_REASON_", "").lower() for x in r)
'"$1" "$TMP/out"
}

# get PATH: the body of GET $API/PATH, and its status in $CODE.
get() {
	local out
	out=$(curl -s --max-time 5 -w '\n%{http_code}' "$API/$1")
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}

# jq-like: json FIELD-EXPR on $BODY, e.g. json 'd["order"]["status"]'
json() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print('"$1"')' "$BODY"
}

# Windows: the day after tomorrow (local), never a Monday; DATE is its
# local date.  The customer site opens 06-12 and 14-20 every day.
eval "$(python3 -c '
import datetime, zoneinfo
tz = zoneinfo.ZoneInfo("Europe/Paris")
d = datetime.datetime.now(tz) + datetime.timedelta(days=2)
if d.isoweekday() == 1:
    d += datetime.timedelta(days=1)
def at(h, m=0):
    return int(d.replace(hour=h, minute=m, second=0, microsecond=0).timestamp())
print("D10=%d D11=%d D12=%d D1230=%d D1330=%d D15=%d D16=%d D06=%d D08=%d" %
      (at(10), at(11), at(12), at(12, 30), at(13, 30), at(15), at(16), at(6), at(8)))
print("DATE=%s" % d.strftime("%Y-%m-%d"))
')"
NOW=$(date +%s)

start bus "$BIN/lz-bus" --xsub "$XSUB" --xpub "$XPUB" --admin "127.0.0.1:$BUS_ADMIN"
wait_http "$BUS_ADMIN" 10
start_orders
mkfifo "$TMP/cmd"
exec 3<>"$TMP/cmd"
start gw "$CMDPUB" --state "$TMP/gw" --pub "$XSUB" --replay "$GW_REPLAY" \
	--input "$TMP/cmd"
sleep 0.5

# ---- the directory, by an operator ----
HOURS='[{"weekday":1,"open":21600,"close":43200},{"weekday":1,"open":50400,"close":72000}'
for wd in 2 3 4 5 6 7; do
	HOURS="$HOURS,{\"weekday\":$wd,\"open\":21600,\"close\":43200},{\"weekday\":$wd,\"open\":50400,\"close\":72000}"
done
HOURS="$HOURS]"
cmd RegisterMember asso '{"member":{"memberId":"m1","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER","workIntegration":true}}'
cmd RegisterMember asso '{"member":{"memberId":"m2","name":"Paniers","kind":"MEMBER_KIND_SHIPPER"}}'
cmd RegisterMember asso '{"member":{"memberId":"ferme","name":"Ferme","kind":"MEMBER_KIND_PRODUCER"}}'
cmd RegisterSite asso '{"site":{"siteId":"cust","memberId":"m1","name":"Cantine","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.3,"lon":5.4},"openingHours":'"$HOURS"',"acceptedClasses":["TEMPERATURE_CLASS_AMBIENT","TEMPERATURE_CLASS_CHILLED"],"zone":"centre"}}'
cmd RegisterSite asso '{"site":{"siteId":"farm","memberId":"ferme","name":"Ferme","kind":"SITE_KIND_PRODUCER","location":{"lat":43.5,"lon":5.6}}}'
cmd RegisterSite asso '{"site":{"siteId":"shop2","memberId":"m2","name":"Shop","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.29,"lon":5.38}}}'
cmd RegisterSite asso '{"site":{"siteId":"bad-lat","memberId":"m1","name":"X","location":{"lat":91,"lon":5}}}'
cmd RegisterSite asso '{"site":{"siteId":"orphan","memberId":"nobody","name":"X","location":{"lat":43,"lon":5}}}'
cmd RegisterMember asso '{"member":{"memberId":"bad id"}}'
# re-registering updates
cmd RegisterMember asso '{"member":{"memberId":"m2","name":"Paniers Marseillais","kind":"MEMBER_KIND_SHIPPER"}}'

# ---- orders ----
W="\"deliveryWindow\":{\"start\":\"$D10\",\"end\":\"$D11\"}"
L='"lines":[{"product":"pain","quantity":20,"unitGrams":400,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"},{"product":"yaourt","quantity":50,"unitGrams":125,"unitMillilitres":125,"temperatureClass":"TEMPERATURE_CLASS_CHILLED","containers":[{"containerType":"crate-30l","count":3}]}]'
HUB='"source":"ORDER_SOURCE_HUB_STOCK"'
PICK="\"source\":\"ORDER_SOURCE_PRODUCER_PICKUP\",\"pickupSiteId\":\"farm\",\"pickupWindow\":{\"start\":\"$D06\",\"end\":\"$D08\"}"
place() { # TENANT REF EXTRA-FIELDS
	cmd PlaceOrder "$1" "{\"reference\":\"$2\",\"destinationSiteId\":\"cust\",$W,$L,$HUB$3}"
}
cmd PlaceOrder m1 "{\"reference\":\"r1\",\"destinationSiteId\":\"cust\",$W,$L,$HUB,\"notes\":\"porte B\"}"
cmd PlaceOrder m1 "{\"reference\":\"p1\",\"destinationSiteId\":\"cust\",$W,$L,$PICK}"
cmd PlaceOrder m1 "{\"reference\":\"c1\",\"destinationSiteId\":\"cust\",$W,$L,$HUB}"
cmd PlaceOrder m2 "{\"reference\":\"x1\",\"destinationSiteId\":\"shop2\",$W,$L,$HUB}"
# one per reject reason
cmd PlaceOrder m1 "{\"reference\":\"e-site\",\"destinationSiteId\":\"nowhere\",$W,$L,$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-pickup\",\"destinationSiteId\":\"cust\",$W,$L,\"source\":\"ORDER_SOURCE_PRODUCER_PICKUP\",\"pickupSiteId\":\"nofarm\",\"pickupWindow\":{\"start\":\"$D06\",\"end\":\"$D08\"}}"
cmd PlaceOrder m1 "{\"reference\":\"e-past\",\"destinationSiteId\":\"cust\",\"deliveryWindow\":{\"start\":\"$((NOW - 3600))\",\"end\":\"$D11\"},$L,$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-window\",\"destinationSiteId\":\"cust\",\"deliveryWindow\":{\"start\":\"$D11\",\"end\":\"$D10\"},$L,$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-closed\",\"destinationSiteId\":\"cust\",\"deliveryWindow\":{\"start\":\"$D1230\",\"end\":\"$D1330\"},$L,$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-nolines\",\"destinationSiteId\":\"cust\",$W,\"lines\":[],$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-qty\",\"destinationSiteId\":\"cust\",$W,\"lines\":[{\"product\":\"pain\",\"quantity\":0,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}],$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-frozen\",\"destinationSiteId\":\"cust\",$W,\"lines\":[{\"product\":\"glace\",\"quantity\":1,\"temperatureClass\":\"TEMPERATURE_CLASS_FROZEN\"}],$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-class\",\"destinationSiteId\":\"cust\",$W,\"lines\":[{\"product\":\"pain\",\"quantity\":1}],$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"e-source\",\"destinationSiteId\":\"cust\",$W,$L,$HUB,\"pickupSiteId\":\"farm\"}"
cmd PlaceOrder m1 "{\"reference\":\"r1\",\"destinationSiteId\":\"cust\",$W,$L,$HUB}"
cmd PlaceOrder ghost "{\"reference\":\"g1\",\"destinationSiteId\":\"cust\",$W,$L,$HUB}"
cmd PlaceOrder m1 "{\"reference\":\"bad ref\",\"destinationSiteId\":\"cust\",$W,$L,$HUB}"
# another member's order is unknown, even named in full
cmd CancelOrder m2 '{"orderId":"m1/r1","reason":"mine now"}'
cmd AmendOrder m2 "{\"orderId\":\"m1/r1\",\"deliveryWindow\":{\"start\":\"$D15\",\"end\":\"$D16\"}}"
cmd CancelOrder m1 '{"orderId":"m1/nosuch"}'
# amend: accepted, then refused in full re-validation (order unchanged)
cmd AmendOrder m1 "{\"orderId\":\"m1/r1\",\"deliveryWindow\":{\"start\":\"$D15\",\"end\":\"$D16\"},\"notes\":\"porte C\"}"
cmd AmendOrder m1 "{\"orderId\":\"m1/r1\",\"deliveryWindow\":{\"start\":\"$D1230\",\"end\":\"$D1330\"}}"
cmd AmendOrder m1 '{"orderId":"m1/r1","lines":[{"product":"pain","quantity":100001,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}]}'
# cancel; then cancel and amend again are too late; the reference stays taken
cmd CancelOrder m1 '{"orderId":"m1/c1","reason":"plus besoin"}'
cmd CancelOrder m1 '{"orderId":"m1/c1"}'
cmd AmendOrder m1 '{"orderId":"m1/c1","notes":"x"}'
cmd PlaceOrder m1 "{\"reference\":\"c1\",\"destinationSiteId\":\"cust\",$W,$L,$HUB}"
# garbage and foreign types
send '{"type":"lz.orders.v1.PlaceOrder","tenant":"m1","payloadBase64":"/////w=="}'
send '{"type":"lz.testing.v1.Tick","tenant":"m1","payload":{"n":"1"}}'
# Events of types orders applies, but from the gateway: only inventory may
# confirm an order, only tours deliver it.
send '{"type":"lz.inventory.v1.ReservationMade","tenant":"m2","payload":{"orderId":"m2/x1","complete":true}}'
send '{"type":"lz.tours.v1.TaskStatusChanged","tenant":"m2","payload":{"task":{"taskId":"d:m2/x1","orderId":"m2/x1"},"orderStatus":9}}'
check "lz-orders applied every command" wait_applied
outbox

check_eq "members and sites registered, re-registration re-emitted" \
	"$(py 'print(len(of("MemberRegistered")), len(of("SiteRegistered")), of("MemberRegistered")[-1]["member"]["name"])')" \
	"4 3 Paniers Marseillais"
check_eq "bad registrations refused with the field named" \
	"$(py 'print(reason(cmd="RegisterSite"), reason(cmd="RegisterMember"), [p["detail"].split(":")[0] for p in of("OrderRejected") if p["command"].startswith("lz.orders.v1.Register")])')" \
	"invalid,unknown_member invalid ['site.location.lat', 'site.member_id', 'member.member_id']"
check_eq "valid orders placed (status placed)" \
	"$(py 'print(sorted(p["order"]["orderId"] for p in of("OrderPlaced")), {p["order"]["status"] for p in of("OrderPlaced")})')" \
	"['m1/c1', 'm1/p1', 'm1/r1', 'm2/x1'] {'ORDER_STATUS_PLACED'}"
check_eq "a producer pickup is confirmed at once, cause PlaceOrder" \
	"$(py 'print([(p["orderId"], p["from"], p["to"], p["cause"]) for p in of("OrderStatusChanged") if p["to"] == "ORDER_STATUS_CONFIRMED"])')" \
	"[('m1/p1', 'ORDER_STATUS_PLACED', 'ORDER_STATUS_CONFIRMED', 'lz.orders.v1.PlaceOrder')]"
check_eq "each invalid order gets its specific reason" \
	"$(py 'print(" ".join(reason(r) for r in ["e-site","e-pickup","e-past","e-window","e-closed","e-nolines","e-qty","e-frozen","e-class","e-source","g1"]))')" \
	"unknown_site unknown_pickup_site window_in_past window_invalid site_closed no_lines bad_quantity temperature_not_accepted bad_temperature_class bad_source unknown_member"
check_eq "a reused reference is a duplicate, even after cancellation" \
	"$(py 'print(reason("r1", "PlaceOrder"), reason("c1", "PlaceOrder"))')" \
	"duplicate_reference duplicate_reference"
check_eq "a malformed reference is invalid, and not echoed" \
	"$(py 'print([(p.get("reference", ""), p["reason"]) for p in of("OrderRejected") if "reference:" in p["detail"] and "1..64" in p["detail"]])')" \
	"[('', 'REJECT_REASON_INVALID')]"
check_eq "another member's order: unknown (cancel, amend); so is a missing one" \
	"$(py 'print([p["reason"][14:] for p in of("OrderRejected") if p["command"] in ("lz.orders.v1.CancelOrder", "lz.orders.v1.AmendOrder") and "no order" in p["detail"]])')" \
	"['UNKNOWN_ORDER', 'UNKNOWN_ORDER', 'UNKNOWN_ORDER']"
check_eq "amend accepted, then re-validated in full" \
	"$(py 'print(len(of("OrderAmended")), of("OrderAmended")[0]["order"]["notes"], reason(cmd="AmendOrder", oid="m1/r1"))')" \
	"1 porte C unknown_order,site_closed,bad_quantity"
check_eq "cancel; a second cancel and an amend are too late" \
	"$(py 'print([p["to"] for p in of("OrderStatusChanged") if p["orderId"] == "m1/c1"], reason(cmd="CancelOrder", oid="m1/c1"), reason(cmd="AmendOrder", oid="m1/c1"))')" \
	"['ORDER_STATUS_CANCELLED'] too_late too_late"
check_eq "events carry the member as tenant and the partner as actor" \
	"$(py 'print(sorted({(e["tenant"], e.get("actor")) for e in evs if e["type"] == "lz.orders.v1.OrderPlaced"}))')" \
	"[('m1', 'p-m1'), ('m2', 'p-m2')]"
check_eq "undecodable payload counted, foreign type ignored" \
	"$(metric "$ADMIN" 'lz_events_refused_total{reason="payload"}')" 1
check_eq "events from a source not allowed: refused, counted, nothing changed" \
	"$(metric "$ADMIN" 'lz_events_refused_total{reason="source"}') $(py 'print([p["to"] for p in of("OrderStatusChanged") if p["orderId"] == "m2/x1"])')" \
	"2 []"
check "the refusals logged with the source allowed" sh -c \
	"grep -q 'msg=\"event refused\" service=orders source=gateway .*type=lz.inventory.v1.ReservationMade reason=source allowed=inventory' '$TMP/orders.log' &&
	 grep -q 'msg=\"event refused\" service=orders source=gateway .*type=lz.tours.v1.TaskStatusChanged reason=source allowed=tours' '$TMP/orders.log'"
check_eq "metrics: orders placed" "$(metric "$ADMIN" lz_orders_placed_total)" 4
check "metrics: rejections by reason" sh -c \
	"curl -s '$API/metrics' | grep -qx 'lz_orders_rejected_total{reason=\"too_late\"} 2'"
check "metrics: orders by status" sh -c \
	"curl -s '$API/metrics' | grep -qx 'lz_orders{status=\"cancelled\"} 1'"

# ---- queries ----
get "v1/orders/m1%2Fr1"
check_eq "GET one order (%2F): 200" "$CODE" 200
check_eq "the order, amended, with its history" \
	"$(json '(d["order"]["status"], d["order"]["deliveryWindow"]["start"], d["order"]["notes"], [(h["status"], h["event"]) for h in d["history"]])')" \
	"('ORDER_STATUS_PLACED', '$D15', 'porte C', [('ORDER_STATUS_PLACED', 'lz.orders.v1.OrderPlaced'), ('ORDER_STATUS_PLACED', 'lz.orders.v1.OrderAmended')])"
get "v1/orders/m1/p1"
check_eq "GET one order (raw slash), history placed then confirmed" \
	"$CODE $(json '[h["status"][13:] for h in d["history"]]')" \
	"200 ['PLACED', 'CONFIRMED']"
get "v1/orders/m1%2Fnope"
check_eq "unknown order: 404 with a JSON error" "$CODE $(json 'd["error"]')" "404 no such order"
get "v1/orders/not-an-id"
check_eq "malformed id: 400" "$CODE" 400
get "v1/orders?member=m1"
check_eq "list a member's orders" "$CODE $(json 'sorted(o["orderId"] for o in d["orders"])')" \
	"200 ['m1/c1', 'm1/p1', 'm1/r1']"
get "v1/orders?member=m1&status=confirmed"
check_eq "list by status" "$(json '[o["orderId"] for o in d["orders"]]')" "['m1/p1']"
get "v1/orders?member=m1&status=placed&date=$DATE"
check_eq "list by status and local date" "$(json '[o["orderId"] for o in d["orders"]]')" "['m1/r1']"
get "v1/orders?member=m1&date=2020-01-01"
check_eq "another date: empty" "$CODE $BODY" "200 {}"
get "v1/orders?member=m1&limit=1"
check_eq "limit" "$(json 'len(d["orders"])')" 1
get "v1/orders?member=m2"
check_eq "members see only their orders" "$(json '[o["orderId"] for o in d["orders"]]')" "['m2/x1']"
for bad in "status=placed" "member=m1&status=lost" "member=m1&date=2026-02-30" \
	"member=m1&limit=0" "member=m1&colour=red" "member=a%20b"; do
	get "v1/orders?$bad"
	check_eq "bad query ($bad): 400 with a JSON error" \
		"$CODE $(json '"error" in d')" "400 True"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/v1/orders?member=m1")
check_eq "POST: 405" "$code" 405

# ---- restart: everything kept, nothing re-applied ----
placed_before=$(py 'print(len(of("OrderPlaced")))')
events_before=$(wc -l <"$TMP/out")
kill -TERM "$pid_orders"
wait_pid "$pid_orders" 10
check_eq "SIGTERM: exits 0" "$?" 0
start_orders
cmd PlaceOrder m2 "{\"reference\":\"x2\",\"destinationSiteId\":\"shop2\",$W,$L,$HUB}"
check "after restart, the next command is applied" wait_applied
outbox
check_eq "no duplicate events after restart (one new OrderPlaced)" \
	"$(py 'print(len(of("OrderPlaced")))') $(wc -l <"$TMP/out")" \
	"$((placed_before + 1)) $((events_before + 1))"
get "v1/orders/m1%2Fr1"
check_eq "the order and its history survive the restart" \
	"$CODE $(json 'len(d["history"]), d["order"]["notes"]')" "200 2 porte C"
check_eq "counters survive the restart" "$(metric "$ADMIN" lz_orders_placed_total)" 5
check "ready once caught up" sh -c "curl -sf '$API/readyz' >/dev/null"

# ---- lz-orders --help ----
check "--help lists the options" sh -c \
	"'$BIN/lz-orders' --help | grep -q -- '--timezone'"
"$BIN/lz-orders" --timezone Nowhere/Atlantis --state "$TMP/tz" \
	--admin 127.0.0.1:0 --replay "tcp://127.0.0.1:$((PORT_BASE + 20))" \
	>"$TMP/tz.log" 2>&1
check_eq "an unknown time zone is refused at startup" "$?" 1
exec 3>&-
summary
