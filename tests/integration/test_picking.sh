#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Picking end to end with the real gateway, bus, orders, inventory and
# tours daemons: a planned wave makes a picking list per tour (the
# hub-stock orders it delivers, the lots reserved for them first expired
# first out, per compartment, in loading order: the last stop first),
# served by date and by tour (JSON and text); an order cancelled before
# its picking is dropped from the list; the driver's start is refused
# while the tour is not picked (REASON_NOT_PICKED, naming the orders);
# PickTour's refusals (unknown tour, an order, line or lot not on the
# list, a quantity negative or above the listed one, an entry named
# twice, an order ended) change nothing; a PickTour short of two units
# picks the rest, is a Shortage (short_pick) that lz-orders writes into
# the order's history (the order goes on) and lz-tours counts; a second
# PickTour is refused (already picked); a late order inserted into the
# tour makes its list again (revision 1: the orders picked stay so), the
# start is refused for it alone, a PickTour picks it alone; the tour then
# starts.  On a second wave, a driver may not override (the gateway
# refuses the field), a start without picking is refused, an operator's
# override starts it.
# Restarted with pick-on-start (inventory and tours), a start picks its
# tour as listed.  After the day, stock is conserved lot by lot, as read
# from the inventory's own events and from its invariants, and survives a
# SIGKILL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

partner ops livrazou operator,receiver
partner shop fournil shipper
partner van livrazou driver
start_bus
start_gateway --rate 100000 --burst 100000
start_orders --no-sync
start_inventory --no-sync --expiry-scan 86400
start_tours --no-sync --time-limit-ms 0 --iterations 200
TRS=http://127.0.0.1:$TOURS_ADMIN
INV=http://127.0.0.1:$INVENTORY_ADMIN
ORD=http://127.0.0.1:$ORDERS_ADMIN
DATE=$(TZ=Europe/Paris date -d tomorrow +%F)
DATE2=$(TZ=Europe/Paris date -d "$DATE + 1 day" +%F)
at() { TZ=Europe/Paris date -d "${2:-$DATE} $1" +%s; }

caught_up() {
	inbox_ok "$ORDERS_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" orders "$ORDERS_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" orders "$ORDERS_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" inventory "$INVENTORY_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" inventory "$INVENTORY_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" tours "$TOURS_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" tours "$TOURS_ADMIN"
}
settle() { settle_on caught_up 30; }
# The events of SOURCE's outbox in $TMP/SOURCE.out; py SOURCE EXPR: python
# over them (evs, of(type) -> payloads of the source's package).
outbox() {
	local ep
	case $1 in
	inventory) ep=$INVENTORY_REPLAY ;;
	tours) ep=$TOURS_REPLAY ;;
	esac
	"$BIN/lz-tap" --replay "$1" --replay-endpoint "$ep" --timeout 3 \
		>"$TMP/$1.out" 2>/dev/null
}
py() {
	outbox "$1"
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
pkg = sys.argv[2]
def of(t): return [e["payload"] for e in evs if e["type"] == "lz." + pkg + ".v1." + t]
'"$2" "$TMP/$1.out" "$1" "${@:3}"
}
jget() { curl -s --max-time 5 "$1"; }
# lot ID: "quantity reserved" of a lot.
lot() {
	jget "$INV/v1/lots/$1" | python3 -c '
import json, sys
l = json.load(sys.stdin)
print(l.get("quantity", "0"), l.get("reserved", "0"))'
}
stock_state() { echo "$(lot L-y-early) $(lot L-y-late) $(lot L-farine)"; }
# list TOUR EXPR: python over the picking list of TOUR (l).
list() {
	jget "$INV/v1/picking/$(echo "$1" | sed 's|/|%2F|g')" | python3 -c '
import json, sys
l = json.load(sys.stdin)
'"$2" "${@:3}"
}
refusals() { # inventory's CommandRefused from the Nth: "REASON ..."
	py inventory "print(\" \".join(p[\"reason\"].replace(\"REFUSAL_REASON_\", \"\") for p in of(\"CommandRefused\")[$1:]))"
}

# ---- directory, fleet, stock ----
reg() { cmd ops "lz.orders.v1.$1" "$2"; }
reg RegisterMember '{"member":{"memberId":"livrazou","name":"Livrazou","kind":"MEMBER_KIND_OPERATOR"}}'
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}'
site() { # ID MEMBER KIND LAT LON ZONE
	reg RegisterSite "{\"site\":{\"siteId\":\"$1\",\"memberId\":\"$2\",\"name\":\"$1\",\"kind\":\"SITE_KIND_$3\",\"location\":{\"lat\":$4,\"lon\":$5},\"zone\":\"$6\"}}"
}
site hub-nord livrazou HUB 43.3500 5.3700 nord
site relais-velo livrazou BIKE_RELAY 43.2960 5.3750 centre
site cafe fournil CUSTOMER 43.3110 5.3650 nord
site epicerie fournil CUSTOMER 43.2820 5.3600 sud
site bistrot fournil CUSTOMER 43.2990 5.3800 centre
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"frigo-1","name":"Frigo 1","kind":"VEHICLE_KIND_REFRIGERATED_VAN","fuel":"FUEL_TYPE_DIESEL","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"300000","capacityMillilitres":"3000000"},{"temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"300000","capacityMillilitres":"3000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":21600,"shiftEnd":72000,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"froid","temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
D0=$(at 00:00)
yaourt_lot() { # ID QTY USE_BY
	cmd ops lz.inventory.v1.ReceiveLot "{\"lotId\":\"$1\",\"ownerMemberId\":\"fournil\",\"product\":\"yaourt\",\"quantity\":\"$2\",\"unitGrams\":\"125\",\"unitMillilitres\":\"100\",\"temperatureClass\":\"TEMPERATURE_CLASS_CHILLED\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$3\",\"zoneId\":\"froid\"}"
}
yaourt_lot L-y-late 100 $((D0 + 9 * 86400))
yaourt_lot L-y-early 30 $((D0 + 5 * 86400))
cmd ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"50","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}'
check "directory, fleet and stock applied" settle

# ---- hub-stock orders, a wave ----
WIN="{\"start\":\"$(at 08:00)\",\"end\":\"$(at 15:00)\"}"
line() { # PRODUCT QTY
	case $1 in
	yaourt) echo "{\"product\":\"yaourt\",\"quantity\":$2,\"unitGrams\":125,\"unitMillilitres\":100,\"temperatureClass\":\"TEMPERATURE_CLASS_CHILLED\"}" ;;
	farine) echo "{\"product\":\"farine\",\"quantity\":$2,\"unitGrams\":1000,\"unitMillilitres\":1200,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}" ;;
	esac
}
hub_order() { # REF SITE LINES [WINDOW]
	cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"$1\",\"destinationSiteId\":\"$2\",\"deliveryWindow\":${4:-$WIN},\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$3]}"
}
hub_order h1 cafe "$(line yaourt 40),$(line farine 5)"
hub_order h2 epicerie "$(line farine 10)"
hub_order h3 bistrot "$(line yaourt 12)"
hub_order h4 cafe "$(line yaourt 5)"
check "orders applied" settle
check_eq "the hub-stock orders confirmed by their reservations" \
	"$(statuses h1 h2 h3 h4)" "h1:CONFIRMED h2:CONFIRMED h3:CONFIRMED h4:CONFIRMED"
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"am\"}"
check "wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 30
check "wave applied by every service" settle
T1=$DATE/am/frigo-1

# ---- the picking list ----
check_eq "one picking list made (PickingListReady) for the tour" \
	"$(py inventory 'print([p["list"]["tourId"] for p in of("PickingListReady")])')" "['$T1']"
# The tour's stops (order -> stop index), to check the loading order.
STOPS=$(jget "$TRS/v1/tours/$DATE" | python3 -c '
import json, sys
print(json.dumps({x[4:]: s.get("index", 0) for t in json.load(sys.stdin)["tours"]
                  for s in t["stops"] for x in s.get("taskIds", []) if x.startswith("del:")}))')
check_eq "listed: every hub-stock order of the tour, at its stop, last stop first" \
	"$(list "$T1" '
stops = json.loads(sys.argv[1])
os = [(o["orderId"], o.get("stopIndex", 0), o["status"]) for o in l["orders"]]
ok = all(s == stops[i] for i, s, _ in os) and [s for _, s, _ in os] == sorted([s for _, s, _ in os], reverse=True)
print(sorted(i for i, _, _ in os), ok, set(st for _, _, st in os), l["status"])' "$STOPS")" \
	"['fournil/h1', 'fournil/h2', 'fournil/h3', 'fournil/h4'] True {'PICKING_STATUS_LISTED'} PICKING_STATUS_LISTED"
check_eq "per compartment (ambient, chilled), lines in loading order (stops descending)" \
	"$(list "$T1" '
res = []
for c in l["compartments"]:
    st = [x.get("stopIndex", 0) for x in c["lines"]]
    res.append((c["temperatureClass"][18:], c["units"], st == sorted(st, reverse=True)))
print(res)')" "[('AMBIENT', '15', True), ('CHILLED', '57', True)]"
check_eq "h1's yaourt from the lots reserved first expired first out, with their zone" \
	"$(list "$T1" '
print([(x["lotId"], x["quantity"], x["zoneId"]) for c in l["compartments"] for x in c["lines"]
       if x["orderId"] == "fournil/h1" and x["product"] == "yaourt"])')" \
	"[('L-y-early', '30', 'froid'), ('L-y-late', '10', 'froid')]"
check_eq "the list's totals" "$(list "$T1" 'print(l["units"], l.get("pickedUnits", "0"), l["vehicleId"], l["wave"])')" "72 0 frigo-1 am"
check_eq "the lists of the date" \
	"$(jget "$INV/v1/picking/$DATE" | python3 -c 'import json,sys; print([l["tourId"] for l in json.load(sys.stdin)["lists"]])')" "['$T1']"
check "the list as text, as the hub prints it" sh -c \
	"curl -s '$INV/v1/picking/$DATE?format=text' | grep -q '^picking list $T1 (vehicle frigo-1' &&
	 curl -s '$INV/v1/picking/$DATE?format=text' | grep -q '^  chilled: 57 units'"
check_eq "bad picking queries: 400, unknown tour: 404" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$INV/v1/picking/a%20b") $(curl -s -o /dev/null -w '%{http_code}' "$INV/v1/picking/$DATE?format=pdf") $(curl -s -o /dev/null -w '%{http_code}' "$INV/v1/picking/$DATE%2Fam%2Fnope")" \
	"400 400 404"
check_eq "a date without tours has no list" \
	"$(jget "$INV/v1/picking/2020-01-01" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("lists", []))')" "[]"

# An order cancelled before its picking is dropped from the list.
cmd shop lz.orders.v1.CancelOrder '{"orderId":"fournil/h4"}'
check "cancel applied" settle
check_eq "h4 dropped from the list, its units back in stock" \
	"$(list "$T1" 'print([o["status"][15:] for o in l["orders"] if o["orderId"] == "fournil/h4"])') $(lot L-y-late)" \
	"['DROPPED'] 100 22"

# ---- the start waits for the picking ----
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$T1\",\"odometerKm\":\"1000\"}"
check "start applied" settle
check_eq "a start before picking refused: not_picked" \
	"$(py tours 'r = of("CommandRefused")[-1]; print(r["reason"], r.get("tourId"))')" "REASON_NOT_PICKED $T1"
check_eq "the refusal names the orders not picked" \
	"$(py tours 'd = of("CommandRefused")[-1]["detail"]; print(d.startswith("3 hub-stock orders not picked: "), all("fournil/" + h in d for h in ("h1", "h2", "h3")), "fournil/h4" in d)')" \
	"True True False"
check_eq "the tour still planned, its orders too" \
	"$(jget "$TRS/v1/tours/$DATE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tours"][0]["status"])') $(statuses h1 h2 h3)" \
	"TOUR_STATUS_PLANNED h1:PLANNED h2:PLANNED h3:PLANNED"

# ---- PickTour refusals: each precise, none changes anything ----
before=$(stock_state)
N0=$(py inventory 'print(len(of("CommandRefused")))')
pt() { cmd "${2:-van}" lz.inventory.v1.PickTour "$1"; }
pt '{"tourId":"not a tour"}'
pt '{"tourId":"2026-01-01/am/nope"}'
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/zz\",\"line\":0,\"lotId\":\"L-farine\",\"quantity\":1}]}"
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/h4\",\"line\":0,\"lotId\":\"L-y-late\",\"quantity\":1}]}"
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/h1\",\"line\":0,\"lotId\":\"L-farine\",\"quantity\":1}]}"
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/h1\",\"line\":0,\"lotId\":\"L-y-early\",\"quantity\":31}]}"
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/h1\",\"line\":0,\"lotId\":\"L-y-early\",\"quantity\":-1}]}"
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/h2\",\"line\":0,\"lotId\":\"L-farine\",\"quantity\":1},{\"orderId\":\"fournil/h2\",\"line\":0,\"lotId\":\"L-farine\",\"quantity\":2}]}"
r=$(submit shop lz.inventory.v1.PickTour "{\"tourId\":\"$T1\"}")
check_eq "a shipper may not pick (gateway roles)" "$(jfield "$r" errorCode)" ERROR_CODE_FORBIDDEN
check "refusals applied" settle
check_eq "PickTour refused with its reasons" "$(refusals "$N0")" \
	"INVALID UNKNOWN_TOUR UNKNOWN_ORDER UNKNOWN_ORDER UNKNOWN_LOT ABOVE_LISTED BAD_QUANTITY INVALID"
check_eq "each refusal names the tour and the entry at fault" \
	"$(py inventory "print([(p.get(\"tourId\", \"\"), p.get(\"orderId\", \"\"), p.get(\"lotId\", \"\")) for p in of(\"CommandRefused\")[$N0 + 5:$N0 + 6]], of(\"CommandRefused\")[$N0 + 5][\"detail\"])")" \
	"[('$T1', 'fournil/h1', 'L-y-early')] picked[0].quantity: 31 above the 30 units listed"
check_eq "refusals changed nothing (stock, list, orders)" \
	"$(stock_state) $(list "$T1" 'print(l["status"])') $(statuses h1)" \
	"$before PICKING_STATUS_LISTED h1:PLANNED"

# ---- a short pick ----
pt "{\"tourId\":\"$T1\",\"picked\":[{\"orderId\":\"fournil/h1\",\"line\":0,\"lotId\":\"L-y-late\",\"quantity\":8}]}"
check "pick applied" settle
check_eq "every listed order picked (OrderPicked: the units picked)" \
	"$(py inventory 'print(sorted((p["orderId"], p.get("tourId"), sorted((a["lotId"], a["quantity"]) for a in p["allocations"])) for p in of("OrderPicked")))')" \
	"[('fournil/h1', '$T1', [('L-farine', '5'), ('L-y-early', '30'), ('L-y-late', '8')]), ('fournil/h2', '$T1', [('L-farine', '10')]), ('fournil/h3', '$T1', [('L-y-late', '12')])]"
check_eq "the short pick is a Shortage for h1 (short_pick, per line: listed and missing)" \
	"$(py inventory 'print([(p["orderId"], p.get("shortPick"), p.get("tourId"), [(l.get("line", 0), l["product"], l["requested"], l["missing"]) for l in p["lines"]]) for p in of("Shortage")])')" \
	"[('fournil/h1', True, '$T1', [(0, 'yaourt', '40', '2')])]"
check_eq "TourPicked: the orders, the short one, units listed and picked" \
	"$(py inventory 'p = of("TourPicked")[-1]; print(sorted(p["orderIds"]), p.get("shortOrderIds"), p["unitsListed"], p["unitsPicked"], p["cause"])')" \
	"['fournil/h1', 'fournil/h2', 'fournil/h3'] ['fournil/h1'] 67 65 lz.inventory.v1.PickTour"
check_eq "the units left the stock; the two not picked are back in their lot, unreserved" \
	"$(stock_state)" "0 0 80 0 35 0"
check_eq "the list: picked, h1 short, h4 dropped" \
	"$(list "$T1" 'print(l["status"][15:], l["pickedUnits"], sorted((o["orderId"][8:], o["status"][15:], o.get("pickedUnits", "0")) for o in l["orders"]))')" \
	"PICKED 65 [('h1', 'SHORT', '43'), ('h2', 'PICKED', '10'), ('h3', 'PICKED', '12'), ('h4', 'DROPPED', '0')]"
check_eq "a short pick does not reject the order: still planned" "$(statuses h1 h2 h3)" \
	"h1:PLANNED h2:PLANNED h3:PLANNED"
check "lz-orders writes the short pick into h1's history" sh -c \
	"curl -s '$ORD/v1/orders/fournil%2Fh1' | grep -q 'short pick in tour $T1: lines\[0\] yaourt: missing 2 of 40'"
check_eq "lz-tours counted the orders picked and the short pick" \
	"$(metric "$TOURS_ADMIN" lz_tours_orders_picked_total) $(metric "$TOURS_ADMIN" lz_tours_short_picks_total)" "3 1"
check_eq "lz-inventory's picking metrics" \
	"$(metric "$INVENTORY_ADMIN" lz_inventory_tours_picked_total) $(metric "$INVENTORY_ADMIN" lz_inventory_short_picks_total) $(metric "$INVENTORY_ADMIN" lz_inventory_picked_units_total)" \
	"1 1 65"
N1=$(py inventory 'print(len(of("CommandRefused")))')
pt "{\"tourId\":\"$T1\"}" ops
check "second pick applied" settle
check_eq "picking twice is refused: already picked" "$(refusals "$N1")" ALREADY_PICKED

# A late order inserted into the planned tour: its list is made again
# (revision 1), the orders picked stay so, the new one is to pick.
hub_order h9 cafe "$(line farine 2)"
check "late order applied" settle
check_eq "the list made again: h1-h3 as picked, h9 to pick, the list to pick" \
	"$(list "$T1" 'print(l.get("revision", 0), l["status"][15:], sorted((o["orderId"][8:], o["status"][15:]) for o in l["orders"]))')" \
	"1 LISTED [('h1', 'SHORT'), ('h2', 'PICKED'), ('h3', 'PICKED'), ('h9', 'LISTED')]"
check_eq "the lines picked kept their units picked" \
	"$(list "$T1" 'print(sorted((x["orderId"][8:], x["lotId"], x.get("picked", "0")) for c in l["compartments"] for x in c["lines"] if x["orderId"] != "fournil/h9"))')" \
	"[('h1', 'L-farine', '5'), ('h1', 'L-y-early', '30'), ('h1', 'L-y-late', '8'), ('h2', 'L-farine', '10'), ('h3', 'L-y-late', '12')]"
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$T1\",\"odometerKm\":\"1000\"}"
check "start applied" settle
check_eq "the start is refused again, for h9 only" \
	"$(py tours 'r = of("CommandRefused")[-1]; print(r["reason"], r["detail"].split(" (")[0])')" \
	"REASON_NOT_PICKED 1 hub-stock order not picked: fournil/h9"
pt "{\"tourId\":\"$T1\"}"
check "late pick applied" settle
check_eq "PickTour picks only what is left to pick" \
	"$(py inventory 'p = of("TourPicked")[-1]; print(p["orderIds"], p["unitsPicked"])') $(list "$T1" 'print(l["status"][15:], l["pickedUnits"])')" \
	"['fournil/h9'] 2 PICKED 67"

# ---- now the tour starts ----
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$T1\",\"odometerKm\":\"1000\"}"
check "start applied" settle
check_eq "picked: the tour starts, its orders out for delivery" \
	"$(statuses h1 h2 h3)" "h1:OUT_FOR_DELIVERY h2:OUT_FOR_DELIVERY h3:OUT_FOR_DELIVERY"
for s in $(jget "$TRS/v1/tours/$DATE" | python3 -c '
import json, sys
print(" ".join(str(s["index"]) for t in json.load(sys.stdin)["tours"] if t["tourId"] == sys.argv[1]
               for s in t["stops"] if s.get("kind") == "STOP_KIND_TASK"))' "$T1"); do
	cmd van lz.tours.v1.StopCompleted "{\"tourId\":\"$T1\",\"stopIndex\":$s}"
done
cmd van lz.tours.v1.TourCompleted "{\"tourId\":\"$T1\",\"odometerKm\":\"1050\"}"
check "tour driven" settle
check_eq "delivered (h3 at the bike relay)" "$(statuses h1 h2 h3 h9)" \
	"h1:DELIVERED h2:DELIVERED h3:AT_BIKE_RELAY h9:DELIVERED"

# ---- a second wave: the operator's override ----
hub_order h5 cafe "$(line farine 3)"
hub_order h6 epicerie "$(line yaourt 4)"
check "second orders applied" settle
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"pm\"}"
check "second wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 2 30
check "second wave applied" settle
T2=$DATE/pm/frigo-1
check_eq "the second tour's list" "$(list "$T2" 'print(sorted(o["orderId"] for o in l["orders"]), l["status"][15:])')" \
	"['fournil/h5', 'fournil/h6'] LISTED"
r=$(submit van lz.tours.v1.TourStarted "{\"tourId\":\"$T2\",\"overridePicking\":true}")
check_eq "a driver may not override the picking (the gateway checks the field's role)" \
	"$(jfield "$r" errorCode)" ERROR_CODE_FORBIDDEN
check "the gateway says which role the field needs" sh -c \
	"echo '$r' | grep -q 'lz.tours.v1.TourStarted.override_picking needs role operator; partner has driver'"
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$T2\"}"
check "driver's start applied" settle
check_eq "refused: not picked" "$(py tours 'print(of("CommandRefused")[-1]["reason"], of("CommandRefused")[-1]["tourId"])')" \
	"REASON_NOT_PICKED $T2"
cmd ops lz.tours.v1.TourStarted "{\"tourId\":\"$T2\",\"overridePicking\":true}"
check "operator's start applied" settle
check_eq "an operator's override starts it, the orders not picked named" \
	"$(py tours 'p = [p for p in of("TourStatusChanged") if p["tourId"] == sys.argv[3]][-1]; print(p["to"], p.get("pickingOverridden"), sorted(p.get("unpickedOrderIds", [])))' "$T2") $(statuses h5 h6)" \
	"TOUR_STATUS_STARTED True ['fournil/h5', 'fournil/h6'] h5:OUT_FOR_DELIVERY h6:OUT_FOR_DELIVERY"
check_eq "counted in lz-tours" "$(metric "$TOURS_ADMIN" lz_tours_starts_overridden_total)" 1
check "lz-inventory logs the start with orders not picked" \
	grep -q "tour started with orders not picked.*tour=$T2 orders=2" "$TMP/inventory.log"
check_eq "without pick-on-start, the start picks nothing: still reserved" \
	"$(list "$T2" 'print(l["status"][15:])') $(lot L-y-late)" "LISTED 80 4"

# ---- pick-on-start: the tour's start picks it ----
for d in inventory tours; do
	eval "kill -TERM \$pid_$d; wait_pid \$pid_$d 20"
done
start_inventory --no-sync --expiry-scan 86400 --pick-on-start
start_tours --no-sync --time-limit-ms 0 --iterations 200 --pick-on-start
W2="{\"start\":\"$(at 08:00 "$DATE2")\",\"end\":\"$(at 15:00 "$DATE2")\"}"
hub_order h7 cafe "$(line yaourt 3)" "$W2"
hub_order h8 epicerie "$(line farine 2),$(line yaourt 1)" "$W2"
check "next day's orders applied" settle
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE2\"}"
check "next day's wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 3 30
check "next day's wave applied" settle
T3=$DATE2/day/frigo-1
check_eq "its list" "$(list "$T3" 'print(sorted(o["orderId"] for o in l["orders"]), l["units"], l["status"][15:])')" \
	"['fournil/h7', 'fournil/h8'] 6 LISTED"
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$T3\"}"
check "start applied" settle
check_eq "with pick-on-start the driver's start is not refused" \
	"$(statuses h7 h8)" "h7:OUT_FOR_DELIVERY h8:OUT_FOR_DELIVERY"
check_eq "and lz-inventory picked the tour as listed at its start" \
	"$(list "$T3" 'print(l["status"][15:], l["pickedUnits"], l["pickedBy"])') $(py inventory 'p = of("TourPicked")[-1]; print(p["tourId"], p["unitsPicked"])')" \
	"PICKED 6 lz.tours.v1.TourStatusChanged $T3 6"

# ---- stock after the day ----
cmd ops lz.inventory.v1.CountStock '{"lotId":"L-farine","counted":"29","note":"casse"}'
check "count applied" settle
# Lot by lot from the inventory's own events: received - picked -
# expired - removed by counts = in stock (GET /v1/lots/<id>).
conserved() {
	outbox inventory
	python3 - "$TMP/inventory.out" "$INV" <<'EOF'
import json, sys, urllib.request
evs = [json.loads(l) for l in open(sys.argv[1])]
acc = {}
for e in evs:
    t, p = e["type"].split(".")[-1], e["payload"]
    if t == "LotReceived":
        acc[p["lot"]["lotId"]] = int(p["lot"]["quantity"])
    elif t == "OrderPicked":
        for a in p.get("allocations", []):
            acc[a["lotId"]] -= int(a["quantity"])
    elif t == "LotExpired":
        acc[p["lot"]["lotId"]] -= int(p.get("removed", 0))
    elif t == "LotAdjusted":
        acc[p["lotId"]] += int(p.get("difference", 0))
bad = []
for lot, want in sorted(acc.items()):
    l = json.load(urllib.request.urlopen(sys.argv[2] + "/v1/lots/" + lot))
    if int(l.get("quantity", 0)) != want:
        bad.append((lot, want, l.get("quantity", 0)))
print(len(acc), bad)
EOF
}
check_eq "stock conserved per lot: received - picked - expired +- counts = in stock" \
	"$(conserved)" "3 []"
inv_line() {
	jget "$INV/v1/invariants" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["ok"], d["received"], d["picked"], d["adjusted"], d["inStock"], d["lotsAccounted"], d["lots"], d["violations"])'
}
check_eq "the inventory's invariants, lot by lot" "$(inv_line)" \
	"True 180 73 2 105 3 3 []"
kill -9 "$pid_inventory"
wait "$pid_inventory" 2>/dev/null
check "inventory restarts after SIGKILL" start_inventory --no-sync --expiry-scan 86400 --pick-on-start
check_eq "the same invariants and lists after the restart" \
	"$(inv_line) $(list "$T1" 'print(l["status"][15:])') $(list "$T3" 'print(l["status"][15:])')" \
	"True 180 73 2 105 3 3 [] PICKED PICKED"
check_eq "every other command accepted by the gateway" "$NOT_ACCEPTED" 0
check_eq "no order delivered without picking but the override's" \
	"$(grep -c 'order delivered without picking' "$TMP/inventory.log")" 0
summary
