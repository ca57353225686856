#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-returns end to end with the real gateway, bus, orders, inventory and
# tours daemons.  An operator registers the directory, a van, container
# types, outlets (a food bank, a composting site) and a collection point,
# and brings 100 new jars into the hub's stock; a shipper's order goes out
# with 12 jars; a lot nearing its use-by date at the hub becomes a
# donation flow, a relay point's biowaste a composting flow, the relay's
# stock of empties a forecast collection: every collection request is a
# task of tomorrow's wave, planned in the van's tour with the delivery
# ("riding on the tour"); a flow declared after the wave is inserted into
# the planned tour; flows in the centre zone are asked of lz-bikes, which
# takes the light one and refuses the heavy one, which is then asked of
# the vans.  The driver delivers the jars, takes 4 empties back at the café
# and the relay's empties; the outlets confirm what they processed
# (another outlet's processor is refused, an operator may confirm for
# one; ?member= lists a processor's flows); the hub washes the
# returned jars.  Bad input is refused with a specific reason and changes
# nothing; the ledger balances; a restart keeps everything.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

partner ops livrazou operator,receiver
partner shop fournil shipper
partner van livrazou driver
partner vrac vrac relay
partner banque banque processor
partner compost compost processor
start_bus
start_gateway --rate 100000 --burst 100000
start_orders --no-sync
# Picking is confirmed at each tour's start (pick-on-start, in both
# daemons): the hub's picking lists are test_picking.sh's subject.
start_inventory --no-sync --expiry-scan 1 --expiry-horizon 432000 --pick-on-start
start_tours --no-sync --time-limit-ms 0 --iterations 200 --pick-on-start
start_returns --no-sync --forecast-interval-s 1
start_bikes --no-sync
API=http://127.0.0.1:$RETURNS_ADMIN
TOURS=http://127.0.0.1:$TOURS_ADMIN
DATE=$(TZ=Europe/Paris date -d tomorrow +%F)
at() { TZ=Europe/Paris date -d "${2:-$DATE} $1" +%s; }

# settle: every daemon applied what the others published.
caught_up() {
	local p
	for p in "$ORDERS_ADMIN gateway $GW_ADMIN" \
		"$INVENTORY_ADMIN gateway $GW_ADMIN" \
		"$TOURS_ADMIN gateway $GW_ADMIN" \
		"$RETURNS_ADMIN gateway $GW_ADMIN" \
		"$INVENTORY_ADMIN orders $ORDERS_ADMIN" \
		"$TOURS_ADMIN orders $ORDERS_ADMIN" \
		"$RETURNS_ADMIN orders $ORDERS_ADMIN" \
		"$ORDERS_ADMIN inventory $INVENTORY_ADMIN" \
		"$TOURS_ADMIN inventory $INVENTORY_ADMIN" \
		"$RETURNS_ADMIN inventory $INVENTORY_ADMIN" \
		"$ORDERS_ADMIN tours $TOURS_ADMIN" \
		"$RETURNS_ADMIN tours $TOURS_ADMIN" \
		"$TOURS_ADMIN returns $RETURNS_ADMIN" \
		"$BIKES_ADMIN returns $RETURNS_ADMIN" \
		"$RETURNS_ADMIN bikes $BIKES_ADMIN"; do
		# shellcheck disable=SC2086
		inbox_ok $p || return 1
	done
}
settle() { settle_on caught_up 40; }
# balances [QUERY]: "account/member/type=count ..." of the ledger.
balances() {
	curl -s --max-time 5 "$API/v1/balances${1:+?$1}" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%s/%s/%s=%s" % (b["account"], b.get("memberId", ""), b["containerType"], b.get("count", 0))
               for b in d["balances"]))'
}
ledger_state() {
	curl -s --max-time 5 "$API/v1/balances" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["balanced"], d["discrepancies"])'
}
# flow ID: "STATUS LEVEL OUTLET COLLECTOR" of a flow (open or closed).
flow() {
	curl -s --max-time 5 "$API/v1/flows?status=all" | python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if f["flowId"] == sys.argv[1]:
        print(f["status"].replace("FLOW_STATUS_", ""),
              f.get("level", "NONE").replace("HIERARCHY_LEVEL_", ""),
              f.get("outletId", "-"), f.get("collector", "-"), f.get("reason", ""))' "$1"
}
task_status() {
	curl -s --max-time 5 "$TOURS/v1/tasks/$DATE" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tasks", []):
    if t["taskId"] == sys.argv[1]:
        print(t["status"].replace("TASK_STATUS_", ""), t.get("tourId", "-"))' "$1"
}
refused() { metric "$RETURNS_ADMIN" "lz_returns_refused_total{reason=\"$1\"}"; }
returns_events() {
	"$BIN/lz-tap" --replay returns --replay-endpoint "$RETURNS_REPLAY" \
		--timeout 3 2>/dev/null
}

# ---- directory, fleet, stock ----
reg() { cmd ops "lz.orders.v1.$1" "$2"; }
member() { reg RegisterMember "{\"member\":{\"memberId\":\"$1\",\"name\":\"$1\",\"kind\":\"MEMBER_KIND_$2\"}}"; }
member livrazou OPERATOR
member fournil SHIPPER
member vrac RELAY_ASSOCIATION
member banque PROCESSOR
member compost PROCESSOR
site() { # ID MEMBER KIND LAT LON ZONE
	reg RegisterSite "{\"site\":{\"siteId\":\"$1\",\"memberId\":\"$2\",\"name\":\"$1\",\"kind\":\"SITE_KIND_$3\",\"location\":{\"lat\":$4,\"lon\":$5},\"zone\":\"$6\"}}"
}
site hub-nord livrazou HUB 43.3500 5.3700 nord
site cafe fournil CUSTOMER 43.3110 5.3650 nord
site relais-vrac vrac RELAY_POINT 43.3300 5.3900 nord
site banque-site banque PROCESSOR 43.3200 5.4000 est
site compost-site compost PROCESSOR 43.3800 5.4200 est
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"frigo-1","name":"Frigo 1","kind":"VEHICLE_KIND_REFRIGERATED_VAN","fuel":"FUEL_TYPE_DIESEL","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"500000","capacityMillilitres":"5000000"},{"temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"300000","capacityMillilitres":"3000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":21600,"shiftEnd":72000,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"froid","temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
cmd ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"50","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}'
# ---- the returns catalogue ----
ret() { cmd ops "lz.returns.v1.$1" "$2"; }
ret RegisterContainerType '{"containerType":{"containerType":"jar-500","name":"Bocal 500 ml","depositCents":"50","grams":"300","millilitres":"600"}}'
ret RegisterContainerType '{"containerType":{"containerType":"crate-30","name":"Caisse 30 l","depositCents":"500","grams":"1500","millilitres":"32000"}}'
ret RegisterOutlet '{"outlet":{"outletId":"banque-aide","memberId":"banque","siteId":"banque-site","name":"Banque alimentaire","kind":"OUTLET_KIND_FOOD_AID","capacityGramsPerDay":"200000"}}'
ret RegisterOutlet '{"outlet":{"outletId":"compost-1","memberId":"compost","siteId":"compost-site","name":"Compost","kind":"OUTLET_KIND_COMPOSTING","capacityGramsPerDay":"1000000"}}'
ret SetCollectionPoint '{"point":{"siteId":"relais-vrac","capacityContainers":20,"leadSeconds":86400}}'
ret RecordMovement '{"reference":"achat-1","containerType":"jar-500","count":100,"fromAccount":"supply","toAccount":"hub-stock"}'
check "directory, catalogue and stock applied" settle
check_eq "100 new jars in the hub's stock" "$(balances)" \
	"hub-stock//jar-500=100 supply//jar-500=-100"
check_eq "outlets listed" "$(curl -s "$API/v1/outlets" | python3 -c 'import json,sys; print(" ".join(o["outletId"] for o in json.load(sys.stdin)["outlets"]))')" \
	"banque-aide compost-1"

# ---- bad input: a specific refusal, nothing changes ----
ret RecordMovement '{"reference":"achat-2","containerType":"jar-9000","count":5,"fromAccount":"supply","toAccount":"hub-stock"}'
cmd vrac lz.returns.v1.DeclareFlow '{"reference":"bio-0","kind":"FLOW_KIND_BIOWASTE","grams":"-5000","siteId":"relais-vrac"}'
ret RegisterOutlet '{"outlet":{"outletId":"nulle-part","memberId":"banque","siteId":"lune","kind":"OUTLET_KIND_FOOD_AID","capacityGramsPerDay":"1000"}}'
cmd vrac lz.returns.v1.DeclareContainers '{"reference":"d-0","siteId":"cafe","containers":[{"containerType":"jar-500","count":3}]}'
ret RecordMovement '{"reference":"vol","containerType":"jar-500","count":5,"fromAccount":"hub-stock","toAccount":"site:cafe"}'
r=$(submit shop lz.returns.v1.ConfirmProcessing '{"flowId":"F1","actualGrams":"1"}')
check_eq "a shipper may not confirm processing (gateway roles)" "$(jfield "$r" errorCode)" ERROR_CODE_FORBIDDEN
check "bad input applied" settle
check_eq "refused: unknown container type, negative kg, unknown site, another member's site, a movement partners do not report" \
	"$(refused unknown_container_type) $(refused bad_quantity) $(refused unknown_site) $(refused not_your_site) $(refused bad_account)" \
	"1 1 1 1 1"
check_eq "nothing changed: the ledger, the flows, the outlets" \
	"$(balances) / $(curl -s "$API/v1/flows?status=all") / $(curl -s "$API/v1/outlets" | grep -c nulle-part)" \
	'hub-stock//jar-500=100 supply//jar-500=-100 / {"flows":[]} / 0'

# ---- an order with jars, a lot nearing its use-by, a relay's biowaste ----
WIN="{\"start\":\"$(at 08:00)\",\"end\":\"$(at 15:00)\"}"
cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"h1\",\"destinationSiteId\":\"cafe\",\"deliveryWindow\":$WIN,\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[{\"product\":\"farine\",\"quantity\":5,\"unitGrams\":1000,\"unitMillilitres\":1200,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\",\"containers\":[{\"containerType\":\"jar-500\",\"count\":12}]}]}"
USE_BY=$(($(at 00:00) + 3 * 86400))
cmd ops lz.inventory.v1.ReceiveLot "{\"lotId\":\"L-yaourt\",\"ownerMemberId\":\"fournil\",\"product\":\"yaourt\",\"quantity\":\"100\",\"unitGrams\":\"125\",\"unitMillilitres\":\"100\",\"temperatureClass\":\"TEMPERATURE_CLASS_CHILLED\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$USE_BY\",\"zoneId\":\"froid\"}"
check "the lot nearing expiry reaches returns" wait_metric "$RETURNS_ADMIN" lz_returns_flows_opened_total 1 20
cmd vrac lz.returns.v1.DeclareFlow '{"reference":"bio-1","kind":"FLOW_KIND_BIOWASTE","category":"epluchures","grams":"8000","siteId":"relais-vrac"}'
check "applied" settle
check_eq "the expiring yoghurts: a donation flow to the food bank, collected by van" \
	"$(flow F1)" "ASSIGNED DONATION banque-aide tours "
check_eq "the biowaste: composting" "$(flow F2)" "ASSIGNED COMPOSTING compost-1 tours "
check "the flow event is self-contained (kind, member, site, grams, use-by, outlet, level, status)" sh -c "
	'$BIN/lz-tap' --replay returns --replay-endpoint '$RETURNS_REPLAY' --timeout 3 2>/dev/null | python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
f = [e[\"payload\"] for e in evs if e[\"type\"] == \"lz.returns.v1.FlowStatusChanged\" and e[\"payload\"][\"flowId\"] == \"F1\"]
a = f[-1]
assert [x[\"status\"] for x in f] == [\"FLOW_STATUS_OPENED\", \"FLOW_STATUS_ASSIGNED\"], f
assert a[\"kind\"] == \"FLOW_KIND_UNSOLD_FOOD\" and a[\"memberId\"] == \"fournil\" and a[\"siteId\"] == \"hub-nord\", a
assert a[\"grams\"] == \"12500\" and a[\"useBy\"] == \"$USE_BY\" and a[\"outletId\"] == \"banque-aide\", a
assert a[\"level\"] == \"HIERARCHY_LEVEL_DONATION\" and a[\"origin\"] == \"lot_nearing_expiry\" and a[\"requestId\"] == \"ret-F1\", a
'"
check_eq "collection requests are tasks of tomorrow for tours" \
	"$(task_status col:ret-F1 | cut -d' ' -f1) $(task_status col:ret-F2 | cut -d' ' -f1)" "PENDING PENDING"

# ---- the relay point's empties: declared, forecast, collection ----
cmd vrac lz.returns.v1.DeclareContainers '{"reference":"d-1","siteId":"relais-vrac","fromSiteId":"cafe","containers":[{"containerType":"jar-500","count":5}]}'
check "declaration applied" settle
check_eq "jars never sent to the café: all five flagged, none silently accepted" \
	"$(balances site=relais-vrac) $(ledger_state)" \
	"empties:relais-vrac/vrac/jar-500=5 True 1"

# ---- tomorrow's wave: the delivery and the collections in one tour ----
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"am\"}"
check "wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 30
check "wave applied" settle
TOUR=$DATE/am/frigo-1
check_eq "the delivery and both collections in the van's tour" \
	"$(task_status del:fournil/h1) / $(task_status col:ret-F1) / $(task_status col:ret-F2)" \
	"PLANNED $TOUR / PLANNED $TOUR / PLANNED $TOUR"
# Unsold bread declared once the tour is planned: inserted into it.
cmd vrac lz.returns.v1.DeclareFlow '{"reference":"pain-1","kind":"FLOW_KIND_UNSOLD_FOOD","category":"pain","grams":"3000","siteId":"relais-vrac","temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
check "late flow applied" settle
check_eq "a flow declared later rides on the planned tour" \
	"$(flow F3) / $(task_status col:ret-F3)" \
	"ASSIGNED DONATION banque-aide tours  / PLANNED $TOUR"

# ---- the driver: jars delivered, 4 empties back from the café ----
# stops WAVE: "index site" of the task stops of the wave's tour.
stops() {
	curl -s --max-time 5 "$TOURS/v1/tours/$DATE" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tours", []):
    if t["wave"] == sys.argv[1]:
        for s in t["stops"]:
            if s.get("kind") == "STOP_KIND_TASK":
                print(s.get("index", 0), s["siteId"])' "$1"
}
# drive WAVE SITE COUNT: runs the wave's tour; at SITE the driver takes
# COUNT empty jars back.
drive() {
	local t="$DATE/$1/frigo-1" i s extra
	cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$t\"}"
	settle
	stops "$1" >"$TMP/stops"
	while read -r i s; do
		extra=""
		[ "$s" = "$2" ] && extra=",\"containersCollected\":[{\"containerType\":\"jar-500\",\"count\":$3}]"
		cmd van lz.tours.v1.StopArrived "{\"tourId\":\"$t\",\"stopIndex\":$i}"
		cmd van lz.tours.v1.StopCompleted "{\"tourId\":\"$t\",\"stopIndex\":$i$extra}"
	done <"$TMP/stops"
	cmd van lz.tours.v1.TourCompleted "{\"tourId\":\"$t\"}"
}
drive am cafe 4
check "tour applied" settle
check_eq "12 jars out with the delivery, 4 back from the café" "$(balances)" \
	"empties:relais-vrac/vrac/jar-500=5 hub-returned//jar-500=4 hub-stock//jar-500=88 site:cafe/fournil/jar-500=8 supply//jar-500=-100 unaccounted//jar-500=-5"
check_eq "the café's deposit is on the shipper's account: 8 jars, 4 euros" \
	"$(curl -s "$API/v1/balances?member=fournil&site=cafe" | python3 -c 'import json,sys; b=json.load(sys.stdin)["balances"]; print(sum(int(x["count"]) for x in b), sum(int(x["depositCents"]) for x in b))')" \
	"8 400"
check_eq "the collections done: flows collected" "$(flow F1 | cut -d' ' -f1) $(flow F2 | cut -d' ' -f1) $(flow F3 | cut -d' ' -f1)" \
	"COLLECTED COLLECTED COLLECTED"

# ---- the outlets confirm (another outlet's processor is refused) ----
cmd compost lz.returns.v1.ConfirmProcessing '{"flowId":"F1","actualGrams":"12000"}'
check "confirmation applied" settle
check_eq "a processor confirming another outlet's flow: refused, flow unchanged" \
	"$(refused not_your_outlet) $(flow F1)" "1 COLLECTED DONATION banque-aide tours "
# flows_of QUERY: the flow ids GET /v1/flows?QUERY lists ("-": none).
flows_of() {
	curl -s --max-time 5 "$API/v1/flows?$1" | python3 -c '
import json, sys
print(" ".join(sorted(f["flowId"] for f in json.load(sys.stdin).get("flows", []))) or "-")'
}
check_eq "?member=: the flows assigned to each processor's outlets" \
	"$(flows_of member=banque) / $(flows_of member=compost) / $(flows_of member=vrac)" \
	"F1 F3 / F2 / -"
check_eq "a malformed member: 400" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/flows?member=a%20b")" 400
cmd banque lz.returns.v1.ConfirmProcessing '{"flowId":"F1","actualGrams":"12000"}'
# An operator confirms for the food bank (of another member than its own).
cmd ops lz.returns.v1.ConfirmProcessing '{"flowId":"F3","actualGrams":"2800"}'
cmd compost lz.returns.v1.ConfirmProcessing '{"flowId":"F2","actualGrams":"7600"}'
cmd compost lz.returns.v1.ConfirmProcessing '{"flowId":"F2","actualGrams":"7600"}'
check "confirmations applied" settle
check_eq "flows closed (F3 by an operator); a second confirmation refused (bad_state)" \
	"$(flow F1 | cut -d' ' -f1) $(flow F2 | cut -d' ' -f1) $(flow F3 | cut -d' ' -f1) $(refused bad_state) $(refused not_your_outlet)" \
	"CLOSED CLOSED CLOSED 1 1"
check_eq "?member= with a status: the food bank's flows, closed; none open" \
	"$(flows_of 'member=banque&status=closed') / $(flows_of member=banque)" "F1 F3 / -"
TODAY=$(TZ=Europe/Paris date +%F)
check_eq "kg by hierarchy level and day" \
	"$(curl -s "$API/v1/levels?from=$TODAY&to=$TODAY" | python3 -c '
import json, sys
print(" ".join("%s:%s:%s:%s" % (t["period"], t["level"].replace("HIERARCHY_LEVEL_", ""), t["flows"], t["grams"]) for t in json.load(sys.stdin)["totals"]))')" \
	"$TODAY:COMPOSTING:1:7600 $TODAY:DONATION:2:14800"
check_eq "metrics: flows open, grams diverted by level (0 for a level not reached)" \
	"$(metric "$RETURNS_ADMIN" lz_returns_flows_open) $(metric "$RETURNS_ADMIN" 'lz_returns_diverted_grams_total{level="donation"}') $(metric "$RETURNS_ADMIN" 'lz_returns_diverted_grams_total{level="composting"}') $(metric "$RETURNS_ADMIN" 'lz_returns_diverted_grams_total{level="disposal"}')" \
	"0 14800 7600 0"
check_eq "no open flow left" "$(curl -s "$API/v1/flows")" '{"flows":[]}'
check_eq "read models: bad parameters and methods refused" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/flows?status=maybe") $(curl -s -o /dev/null -w '%{http_code}' "$API/v1/levels?from=2026-13-01") $(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/v1/balances")" \
	"400 400 405"

# ---- the relay's empties: the forecast asks for a collection ----
cmd vrac lz.returns.v1.DeclareContainers '{"reference":"d-2","siteId":"relais-vrac","fromSiteId":"cafe","containers":[{"containerType":"jar-500","count":6}]}'
check "declaration applied" settle
cmd vrac lz.returns.v1.DeclareContainers '{"reference":"d-3","siteId":"relais-vrac","fromSiteId":"cafe","containers":[{"containerType":"jar-500","count":2}]}'
check "the point will be full within a day: a collection requested" \
	wait_metric "$RETURNS_ADMIN" 'lz_returns_collections_requested_total{collector="tours"}' 4 20
check "forecast applied" settle
check "the forecast: 13 of 20, 8 returns a day, full within the lead" sh -c "
	'$BIN/lz-tap' --replay returns --replay-endpoint '$RETURNS_REPLAY' --timeout 3 2>/dev/null | python3 -c '
import json, sys
f = [json.loads(l)[\"payload\"] for l in sys.stdin if \"FillForecast\" in l]
assert len(f) == 1, f
f = f[0]
assert f[\"siteId\"] == \"relais-vrac\" and f[\"containers\"] == 13 and f[\"capacityContainers\"] == 20, f
assert f[\"ratePerDayMilli\"] == \"8000\" and f[\"requestId\"] == \"ret-P1\", f
'"
check_eq "its collection is a task of tomorrow" "$(task_status col:ret-P1 | cut -d' ' -f1)" PENDING
points() {
	curl -s --max-time 5 "$API/v1/points" | python3 -c '
import json, sys
print(" ".join("%s:%s/%s:%s:%s:%s" % (p["siteId"], p.get("containers", 0), p["capacityContainers"],
               p.get("ratePerDayMilli", 0), p.get("requestId", "-"), p["due"]) for p in json.load(sys.stdin)["points"]))'
}
check_eq "the points read model: 13 of 20, 8 a day, its request open" "$(points)" \
	"relais-vrac:13/20:8000:ret-P1:True"
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"pm\"}"
check "second wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 2 30
check "second wave applied" settle
drive pm relais-vrac 13
check "second tour applied" settle
check_eq "collected: the point is empty, its request done" "$(points)" \
	"relais-vrac:0/20:8000:-:False"

# ---- the hub washes the jars ----
ret RecordMovement '{"reference":"lavage-1","containerType":"jar-500","count":17,"fromAccount":"hub-returned","toAccount":"washing"}'
ret RecordMovement '{"reference":"lavage-2","containerType":"jar-500","count":17,"fromAccount":"washing","toAccount":"hub-stock"}'
ret RecordMovement '{"reference":"lavage-2","containerType":"jar-500","count":17,"fromAccount":"washing","toAccount":"hub-stock"}'
check "washing applied" settle
FINAL="hub-stock//jar-500=105 supply//jar-500=-100 unaccounted//jar-500=-5"
check_eq "every jar back clean in the hub's stock; a reused reference refused" \
	"$(balances) $(refused duplicate)" "$FINAL 1"
check_eq "the ledger balances; one discrepancy flagged" "$(ledger_state)" "True 1"
check_eq "discrepancy metric" "$(metric "$RETURNS_ADMIN" lz_returns_ledger_discrepancies_total)" 1
check_eq "tours refused none of the collection requests" \
	"$(metric "$TOURS_ADMIN" 'lz_tours_refused_total{reason="invalid"}') $(metric "$TOURS_ADMIN" 'lz_tours_refused_total{reason="duplicate"}')" "0 0"
check_eq "every command accepted by the gateway" "$NOT_ACCEPTED" 0

# ---- the centre zone: asked of the bikes; too heavy for them, of vans ----
site epicerie-centre vrac RELAY_POINT 43.2960 5.3750 centre
cmd ops lz.bikes.v1.RegisterBike '{"bike":{"bikeId":"cargo-1","name":"Cargo 1","capacityGrams":"50000","capacityMillilitres":"200000"}}'
check "site and bike applied" settle
cmd vrac lz.returns.v1.DeclareFlow '{"reference":"bio-2","kind":"FLOW_KIND_BIOWASTE","grams":"80000","siteId":"epicerie-centre"}'
cmd vrac lz.returns.v1.DeclareFlow '{"reference":"bio-3","kind":"FLOW_KIND_BIOWASTE","grams":"3000","siteId":"epicerie-centre"}'
check "centre flows applied" settle
check "lz.bikes.v1.CollectionRequested: request, site, window tomorrow, grams, flow" sh -c "
	'$BIN/lz-tap' --replay returns --replay-endpoint '$RETURNS_REPLAY' --timeout 3 2>/dev/null | python3 -c '
import json, sys
b = [json.loads(l)[\"payload\"] for l in sys.stdin if \"lz.bikes.v1.CollectionRequested\" in l]
assert [x[\"requestId\"] for x in b] == [\"ret-F4\", \"ret-F5\"], b
b = b[1]
assert b[\"siteId\"] == \"epicerie-centre\" and b[\"grams\"] == \"3000\", b
assert b[\"flow\"] == \"biowaste\" and b[\"window\"][\"start\"] == \"$(at 08:00)\" and b[\"window\"][\"end\"] == \"$(at 18:00)\", b
'"
check_eq "lz-bikes takes the small one, refuses the 80 kg" "$("$BIN/lz-tap" \
	--replay bikes --replay-endpoint "$BIKES_REPLAY" --timeout 3 2>/dev/null |
	python3 -c '
import json, sys
print(" ".join(p["requestId"] + ":" + p["to"].replace("PICKUP_STATUS_", "") for p in (json.loads(l)["payload"] for l in sys.stdin
      if "lz.bikes.v1.PickupStatusChanged" in l)))')" "ret-F4:REFUSED ret-F5:REQUESTED"
check_eq "the refused one is asked of the vans, the other stays with the bikes" \
	"$(flow F4) / $(task_status col:ret-F4-van | cut -d' ' -f1) / $(flow F5) / $(task_status col:ret-F5)" \
	"ASSIGNED COMPOSTING compost-1 tours bikes_refused / PENDING / ASSIGNED COMPOSTING compost-1 bikes  / "

# ---- a restart keeps everything ----
kill -TERM "$pid_returns"
wait_pid "$pid_returns" 20
start_returns --no-sync --forecast-interval-s 1
check "restarted and caught up" settle
check_eq "same ledger after a restart" "$(balances) $(ledger_state)" "$FINAL True 1"
check_eq "same flows after a restart" "$(flow F1 | cut -d' ' -f1-3) / $(flow F2 | cut -d' ' -f1-3) / $(flow F4 | cut -d' ' -f1-4)" \
	"CLOSED DONATION banque-aide / CLOSED COMPOSTING compost-1 / ASSIGNED COMPOSTING compost-1 tours"
summary
