#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-impact end to end: a day of Livrazou through the real gateway, bus,
# orders, inventory, tours, bikes and returns daemons.  Two shippers (one
# in work integration)
# place hub-stock orders; the operator plans the wave; the driver reports
# the tour with odometer readings and collects reusable jars at a
# customer; the centre order goes the last kilometre by cargo bike (the
# rider's shift, the run lz-bikes plans, the delivery, the km measured); unsold bread goes to a food-aid outlet and is
# processed; the jars are washed and reused.  The report of lz-impact (for
# the association and for one member, as JSON over HTTP and from lz-ctl
# as JSON, CSV and HTML) must match the figures recomputed independently
# from the events of the test (check_impact.py); the HTML report must
# render in headless Chromium with its charts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"
# Windows start from now: a zone where it is morning keeps them in one day.
LOCAL_TZ=$(morning_tz)

partner ops livrazou operator,receiver
partner shop fournil shipper
partner epice epice shipper
partner van livrazou driver
partner asso solidaire processor
partner rider-1 livrazou rider
# The centre: Vieux-Port, Noailles, Cours Julien.
ZONE="5.3620 43.2950, 5.3700 43.3050, 5.3880 43.3060, 5.3960 43.2960, 5.3900 43.2870, 5.3700 43.2880"
start_bus
start_gateway --rate 100000 --burst 100000
start_orders --no-sync --follow gateway,inventory,tours,bikes
# Picking is confirmed at each tour's start (pick-on-start, in both
# daemons): the hub's picking lists are test_picking.sh's subject.
start_inventory --no-sync --expiry-scan 86400 --pick-on-start
start_tours --no-sync --time-limit-ms 0 --iterations 200 --bike-wave 24:00 --pick-on-start
eval start_bikes --no-sync --centre-zone \"\$ZONE\" --iterations 200 \
	--run-max-s 3600 --reload-s 600 --min-run-s 900
start_returns --no-sync
# impact also follows "junk", a source that lz-cmdpub plays below with
# events of the types impact records, which only their services may send
start_impact --no-sync --cf-iterations 200 --follow orders,tours,bikes,returns,junk
mkfifo "$TMP/junk"
exec 3<>"$TMP/junk"
start junkpub "$B/tests/lz-cmdpub" --state "$TMP/junkpub" --source junk \
	--pub "$XSUB" --replay "tcp://127.0.0.1:$((PORT_BASE + 19))" \
	--input "$TMP/junk" --no-sync
API=http://127.0.0.1:$TOURS_ADMIN
IMPACT=http://127.0.0.1:$IMPACT_ADMIN
NOW=$(date +%s)
DATE=$(TZ=$LOCAL_TZ date -d "@$NOW" +%F)

ok_ack() { [ "$(jfield "$1" status)" = ACK_STATUS_ACCEPTED ]; }
NOT_ACCEPTED=0
cmd() {
	local a
	a=$(submit "$1" "$2" "$3")
	if ! ok_ack "$a"; then
		NOT_ACCEPTED=$((NOT_ACCEPTED + 1))
		echo "# not accepted: $2 $3: $a"
	fi
}
# impact_ok: as inbox_ok, unless lz-impact is stopped on purpose.
IMPACT_DOWN=0
impact_ok() { [ "$IMPACT_DOWN" = 1 ] || inbox_ok "$@"; }
caught_up() {
	local g=$GW_ADMIN o=$ORDERS_ADMIN i=$INVENTORY_ADMIN t=$TOURS_ADMIN
	local r=$RETURNS_ADMIN m=$IMPACT_ADMIN b=$BIKES_ADMIN
	inbox_ok $o gateway $g && inbox_ok $i gateway $g &&
		inbox_ok $t gateway $g && inbox_ok $r gateway $g &&
		inbox_ok $i orders $o && inbox_ok $t orders $o &&
		inbox_ok $r orders $o && impact_ok $m orders $o &&
		inbox_ok $o inventory $i && inbox_ok $t inventory $i &&
		inbox_ok $o tours $t && inbox_ok $r tours $t &&
		impact_ok $m tours $t && inbox_ok $i tours $t &&
		inbox_ok $t returns $r && impact_ok $m returns $r &&
		inbox_ok $o bikes $b && impact_ok $m bikes $b &&
		inbox_ok $r bikes $b && inbox_ok $b gateway $g &&
		inbox_ok $b orders $o && inbox_ok $b tours $t &&
		inbox_ok $b returns $r
}
settle() { settle_on caught_up 40; }
status() {
	curl -s --max-time 5 "http://127.0.0.1:$ORDERS_ADMIN/v1/orders/$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["order"]["status"].replace("ORDER_STATUS_", ""))'
}

# ---- directory, fleet, stock, returns set-up ----
reg() { cmd ops "lz.orders.v1.$1" "$2"; }
member() { # ID NAME KIND [WORK_INTEGRATION]
	reg RegisterMember "{\"member\":{\"memberId\":\"$1\",\"name\":\"$2\",\"kind\":\"MEMBER_KIND_$3\",\"workIntegration\":${4:-false}}}"
}
member livrazou Livrazou OPERATOR
member fournil "Le Fournil" SHIPPER true
member epice "Épicerie solidaire" SHIPPER
member solidaire "Banque solidaire" PROCESSOR
# sites: ID MEMBER KIND LAT LON ZONE
SITES="hub-nord livrazou HUB 43.3500 5.3700 nord
relais-velo livrazou BIKE_RELAY 43.2960 5.3750 centre
fournil-atelier fournil PRODUCER 43.2927 5.5708 aubagne
epice-depot epice PRODUCER 43.4600 5.2500 vitrolles
cafe fournil CUSTOMER 43.3110 5.3650 nord
epicerie fournil CUSTOMER 43.2820 5.3600 sud
bistrot fournil CUSTOMER 43.2990 5.3800 centre
banque solidaire PROCESSOR 43.3300 5.3900 nord"
while read -r id mem kind lat lon zone; do
	reg RegisterSite "{\"site\":{\"siteId\":\"$id\",\"memberId\":\"$mem\",\"name\":\"$id\",\"kind\":\"SITE_KIND_$kind\",\"location\":{\"lat\":$lat,\"lon\":$lon},\"zone\":\"$zone\"}}"
done <<<"$SITES"
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"frigo-1","name":"Frigo 1","kind":"VEHICLE_KIND_REFRIGERATED_VAN","fuel":"FUEL_TYPE_DIESEL","consumptionPer100km":"10000","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"300000","capacityMillilitres":"3000000"},{"temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"200000","capacityMillilitres":"2000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":0,"shiftEnd":86400,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.bikes.v1.RegisterBike '{"bike":{"bikeId":"cargo-1","name":"Cargo 1","capacityGrams":"40000","capacityMillilitres":"600000","insulated":true}}'
cmd ops lz.bikes.v1.RegisterRider '{"rider":{"riderId":"rider-1","name":"Rider 1","note":"chantier d insertion"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"froid","temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
USE_BY=$((NOW + 10 * 86400))
lot() { # ID OWNER PRODUCT QTY GRAMS ML CLASS ZONE
	cmd ops lz.inventory.v1.ReceiveLot "{\"lotId\":\"$1\",\"ownerMemberId\":\"$2\",\"product\":\"$3\",\"quantity\":\"$4\",\"unitGrams\":\"$5\",\"unitMillilitres\":\"$6\",\"temperatureClass\":\"TEMPERATURE_CLASS_$7\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$USE_BY\",\"zoneId\":\"$8\"}"
}
lot L-yaourt fournil yaourt 100 125 100 CHILLED froid
lot L-farine fournil farine 50 1000 1200 AMBIENT sec
lot L-riz epice riz 50 1000 1200 AMBIENT sec
cmd ops lz.returns.v1.RegisterContainerType '{"containerType":{"containerType":"jar-500ml","name":"Bocal 500 ml","depositCents":"50","grams":"250","millilitres":"600"}}'
cmd ops lz.returns.v1.RegisterOutlet '{"outlet":{"outletId":"banque-1","memberId":"solidaire","siteId":"banque","name":"Banque solidaire","kind":"OUTLET_KIND_FOOD_AID","capacityGramsPerDay":"1000000"}}'
check "directory, fleet, stock and outlet applied" settle

# ---- orders: two shippers ----
WIN="{\"start\":\"$((NOW + 300))\",\"end\":\"$((NOW + 5 * 3600))\"}"
YAOURT='{"product":"yaourt","quantity":12,"unitGrams":125,"unitMillilitres":100,"temperatureClass":"TEMPERATURE_CLASS_CHILLED"}'
FARINE='{"product":"farine","quantity":5,"unitGrams":1000,"unitMillilitres":1200,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
RIZ='{"product":"riz","quantity":8,"unitGrams":1000,"unitMillilitres":1200,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
order() { # PARTNER REF SITE LINE
	cmd "$1" lz.orders.v1.PlaceOrder "{\"reference\":\"$2\",\"destinationSiteId\":\"$3\",\"deliveryWindow\":$WIN,\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$4]}"
}
order shop h1 cafe "$YAOURT"
order shop h2 epicerie "$FARINE"
order shop h3 bistrot "$YAOURT"
order epice e1 cafe "$RIZ"
check "orders applied" settle
check_eq "hub-stock orders confirmed by inventory" \
	"$(status fournil%2Fh1) $(status fournil%2Fh2) $(status fournil%2Fh3) $(status epice%2Fe1)" \
	"CONFIRMED CONFIRMED CONFIRMED CONFIRMED"

# ---- the wave and the tour, reported with odometer readings ----
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"am\"}"
check "wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 30
check "plan applied" settle
T1=$DATE/am/frigo-1
curl -s --max-time 5 "$API/v1/tours/$DATE" >"$TMP/tours.json"
# STOPS: "index site" of every task stop, in order
STOPS=$(python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["tours"]:
    for s in t["stops"]:
        if s.get("kind") == "STOP_KIND_TASK":
            print(s.get("index", 0), s["siteId"])' "$TMP/tours.json")
# One stop per place: the café's two orders (two shippers) are one visit.
check_eq "one tour: the café once (two shippers, one stop), the épicerie, the bike relay" \
	"$(echo "$STOPS" | awk '{print $2}' | sort | tr '\n' ' ')" \
	"cafe epicerie relais-velo "
PLANNED_M=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tours"][0]["distanceM"])' "$TMP/tours.json")
ODO0=12000
ODO1=$((ODO0 + (PLANNED_M + 999) / 1000 + 3))
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$T1\",\"odometerKm\":\"$ODO0\"}"
JARS=24
while read -r idx sid; do
	cmd van lz.tours.v1.StopArrived "{\"tourId\":\"$T1\",\"stopIndex\":$idx}"
	if [ "$sid" = cafe ] && [ "$JARS" -gt 0 ]; then
		JARS=0
		cmd van lz.tours.v1.StopCompleted "{\"tourId\":\"$T1\",\"stopIndex\":$idx,\"containersCollected\":[{\"containerType\":\"jar-500ml\",\"count\":24}]}"
	else
		cmd van lz.tours.v1.StopCompleted "{\"tourId\":\"$T1\",\"stopIndex\":$idx}"
	fi
done <<<"$STOPS"
cmd van lz.tours.v1.TourCompleted "{\"tourId\":\"$T1\",\"odometerKm\":\"$ODO1\"}"
check "tour reports applied" settle
check_eq "delivered by van; the centre order at the bike relay" \
	"$(status fournil%2Fh1) $(status fournil%2Fh2) $(status epice%2Fe1) $(status fournil%2Fh3)" \
	"DELIVERED DELIVERED DELIVERED AT_BIKE_RELAY"

# ---- the last kilometre by cargo bike ----
ride() { cmd rider-1 "lz.bikes.v1.$1" "$2"; }
ride StartShift "{\"bikeId\":\"cargo-1\",\"end\":\"$((NOW + 4 * 3600))\"}"
check "shift and parcel at the relay applied" settle
RUN=$(curl -s --max-time 5 "http://127.0.0.1:$BIKES_ADMIN/v1/runs/$DATE" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("runs", []):
    if any("del:fournil/h3" in s.get("parcelIds", []) for s in r["stops"]):
        print(r["runId"])')
check "lz-bikes planned a run with the centre order" test -n "$RUN"
ride StartRun "{\"runId\":\"$RUN\"}"
ride DeliverParcel '{"parcelId":"del:fournil/h3"}'
ride CompleteRun "{\"runId\":\"$RUN\",\"distanceM\":\"3500\"}"
ride EndShift '{"note":"fin de tournée"}'
check "bike reports applied" settle
check_eq "the centre order delivered by bike" "$(status fournil%2Fh3)" DELIVERED
"$BIN/lz-tap" --replay bikes --replay-endpoint "$BIKES_REPLAY" --timeout 3 \
	2>/dev/null >"$TMP/bikes.jsonl"
RIDER_S=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "lz.bikes.v1.ShiftEnded":
        s = o["payload"]["shift"]
        print(int(s["end"]) - int(s["start"]))' "$TMP/bikes.jsonl")
check "the rider's shift ended" test -n "$RIDER_S"

# ---- lz-impact killed: the rest of the day reaches it by replay ----
kill -9 "$pid_impact"
wait "$pid_impact" 2>/dev/null
IMPACT_DOWN=1

# ---- unsold bread to food aid; the jars washed and reused ----
cmd shop lz.returns.v1.DeclareFlow '{"reference":"u1","kind":"FLOW_KIND_UNSOLD_FOOD","category":"bread","grams":"12000","siteId":"fournil-atelier","temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
check "flow declared" settle
FLOW=$(curl -s --max-time 5 "http://127.0.0.1:$RETURNS_ADMIN/v1/flows" | python3 -c '
import json, sys
for f in json.load(sys.stdin).get("flows", []):
    print(f["flowId"], f.get("outletId", ""), f.get("level", ""))')
check_eq "the bread is matched to the food-aid outlet (donation)" \
	"$(echo "$FLOW" | cut -d' ' -f2-)" "banque-1 HIERARCHY_LEVEL_DONATION"
cmd asso lz.returns.v1.ConfirmProcessing "{\"flowId\":\"${FLOW%% *}\",\"actualGrams\":\"11500\"}"
cmd ops lz.returns.v1.RecordMovement '{"reference":"w1","containerType":"jar-500ml","count":24,"fromAccount":"hub-returned","toAccount":"washing"}'
cmd ops lz.returns.v1.RecordMovement '{"reference":"w2","containerType":"jar-500ml","count":20,"fromAccount":"washing","toAccount":"hub-stock"}'
check "returns applied" settle
start_impact --no-sync --cf-iterations 200 --follow orders,tours,bikes,returns,junk
IMPACT_DOWN=0
check "lz-impact restarted catches up on what it missed" settle
check_eq "every command accepted by the gateway" "$NOT_ACCEPTED" 0

# ---- events from a source not allowed: refused, counted, logged,
# nothing recorded ----
echo '{"type":"lz.tours.v1.TourPlanned","payloadBase64":"//////8="}' >&3
echo '{"type":"lz.tours.v1.TourStatusChanged","payload":{"tourId":"2026-01-01/x/ghost","to":"TOUR_STATUS_COMPLETED","odometerKm":"99999"}}' >&3
echo "{\"type\":\"lz.tours.v1.TourPlanned\",\"payload\":{\"tour\":{\"tourId\":\"elsewhere/am/frigo-1\",\"date\":\"$DATE\",\"distanceM\":\"999000\"}}}" >&3
echo '{"type":"lz.orders.v1.OrderStatusChanged","payload":{"orderId":"ghost/o1","to":"ORDER_STATUS_DELIVERED"}}' >&3
check "impact consumed the forged events" wait_metric "$IMPACT_ADMIN" \
	'lz_inbox_seq{source="junk"}' 4 20
check_eq "each refused for its source, none kept" "$(metric "$IMPACT_ADMIN" 'lz_events_refused_total{reason="source"}') $(for r in bad_payload unknown_tour bad_id unknown_order; do
	metric "$IMPACT_ADMIN" "lz_impact_ignored_total{reason=\"$r\"}"; done | awk '$1 > 0 { n++ } END { print n + 0 }')" "4 0"
check "the refusals logged with the sources allowed" \
	grep -q 'msg="event refused" service=impact source=junk .*type=lz.tours.v1.TourPlanned reason=source allowed=tours' "$TMP/impact.log"
check "lz-impact still healthy" wait_http "$IMPACT_ADMIN" 5

# ---- the reports, recomputed independently ----
curl -s --max-time 5 "$API/v1/tours/$DATE" >"$TMP/tours.json"
curl -s --max-time 5 "$API/v1/tasks/$DATE" >"$TMP/tasks.json"
python3 - "$TMP/facts.json" "$SITES" "$DATE" <<PY
import json, sys
sites = {}
for l in sys.argv[2].splitlines():
    f = l.split()
    sites[f[0]] = [float(f[3]), float(f[4])]
day = sys.argv[3]
dl = [("fournil", "cafe", False), ("fournil", "epicerie", False),
      ("fournil", "bistrot", True), ("epice", "cafe", False)]
json.dump({
    "sites": sites,
    "odometer_start": $ODO0, "odometer_end": $ODO1,
    "van_ml_per_100km": 10000,
    "bike_m": 3500, "bike_members": ["fournil"],
    "deliveries": [{"member": m, "dest": d, "by_bike": b, "date": day,
                    "origin": m + ("-atelier" if m == "fournil" else "-depot")}
                   for m, d, b in dl],
    "work_integration": ["fournil"],
    "flows": [{"member": "fournil", "grams": 11500}],
    "returned": 24, "reused": 20, "deposit_cents": 50,
    "rider_s": ${RIDER_S:-0},
}, open(sys.argv[1], "w"))
PY
curl -s --max-time 30 "$IMPACT/v1/report?from=$DATE&to=$DATE" >"$TMP/report.json"
echo "# $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("actual", r.get("actualM"), "m", r.get("actualCo2eG"), "g; counterfactual", r.get("counterfactualM"), "m", r.get("counterfactualCo2eG"), "g")' "$TMP/report.json")"
check "association report matches the recomputation" \
	python3 "$(dirname "$0")/check_impact.py" "$TMP/report.json" \
	"$TMP/tours.json" "$TMP/tasks.json" "$TMP/facts.json"
SOLVES=$(metric "$IMPACT_ADMIN" lz_impact_counterfactual_solves_total)
curl -s --max-time 30 "$IMPACT/v1/report?from=$DATE&to=$DATE" >"$TMP/again.json"
check_eq "the same report again: its counterfactual is kept, not solved again" \
	"$SOLVES $(metric "$IMPACT_ADMIN" lz_impact_counterfactual_solves_total)" \
	"2 2"
"$BIN/lz-ctl" impact --impact-api "127.0.0.1:$IMPACT_ADMIN" --from "$DATE" \
	--to "$DATE" --member fournil --out "$TMP/fournil.json"
check "lz-ctl: the member's report matches the recomputation (mass share)" \
	python3 "$(dirname "$0")/check_impact.py" "$TMP/fournil.json" \
	"$TMP/tours.json" "$TMP/tasks.json" "$TMP/facts.json" fournil
check_eq "the report names its method and the member" \
	"$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["method"], r["memberName"], len(r["days"]))' "$TMP/fournil.json")" \
	"COUNTERFACTUAL_METHOD_OWN_ROUNDS Le Fournil 1"
AVOIDED=$(jfield "$(cat "$TMP/report.json")" avoidedM)
check "pooling avoided km" [ "${AVOIDED:-0}" -gt 0 ]
"$BIN/lz-ctl" impact --impact-api "127.0.0.1:$IMPACT_ADMIN" --from "$DATE" \
	--to "$DATE" --format csv >"$TMP/report.csv"
check_eq "CSV: the same avoided km" \
	"$(awk -F, '$1 == "total" && $2 == "avoided_distance" {print $3}' "$TMP/report.csv")" \
	"$AVOIDED"
check_eq "a report of a day without activity is all zeros" \
	"$(curl -s "$IMPACT/v1/report?from=2026-01-05" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r.get("actualM", 0), r.get("counterfactualM", 0), len(r["days"]))')" \
	"0 0 1"

# ---- killed and restarted: the same report from its store ----
kill -9 "$pid_impact"
wait "$pid_impact" 2>/dev/null
start_impact --no-sync --cf-iterations 200 --follow orders,tours,bikes,returns,junk
ready() {
	local end=$(($(date +%s) + 20))
	while [ "$(date +%s)" -le "$end" ]; do
		[ "$(curl -s -o /dev/null -w "%{http_code}" "$IMPACT/readyz")" = 200 ] &&
			return 0
		sleep 0.1
	done
	return 1
}
check "lz-impact ready again after SIGKILL" ready
curl -s --max-time 30 "$IMPACT/v1/report?from=$DATE&to=$DATE" >"$TMP/report2.json"
check_eq "after the restart too (kept in the store)" \
	"$(metric "$IMPACT_ADMIN" lz_impact_counterfactual_solves_total)" 0
check "the same report after the restart" python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("generatedAt"), b.pop("generatedAt")
sys.exit(a != b)' "$TMP/report.json" "$TMP/report2.json"

# ---- bad requests change nothing ----
code() { curl -s -o /dev/null -w '%{http_code}' "$IMPACT$1"; }
check_eq "bad dates, period, format, member" \
	"$(code '/v1/report?from=2026-02-30') $(code "/v1/report?from=$DATE&to=2020-01-01") $(code '/v1/report?format=pdf') $(code '/v1/report?member=nobody')" \
	"400 400 400 404"
"$BIN/lz-ctl" impact --impact-api "127.0.0.1:$IMPACT_ADMIN" --member nobody \
	>/dev/null 2>"$TMP/ctl.err"
check_eq "lz-ctl: an unknown member is an error" "$? $(grep -c 'unknown member' "$TMP/ctl.err")" "1 1"

# ---- the HTML report in a browser ----
"$BIN/lz-ctl" impact --impact-api "127.0.0.1:$IMPACT_ADMIN" --from "$DATE" \
	--to "$DATE" --format html --out "$TMP/report.html"
check_eq "HTML: self-contained (no script, no external reference)" \
	"$(grep -c -E '<script|src=|href=|@import|url\(' "$TMP/report.html")" 0
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -n "$CHROMIUM" ]; then
	chrome() {
		timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
			--user-data-dir="$TMP/chromium" --window-size=800,2400 "$@" \
			2>>"$TMP/chromium.log"
	}
	chrome --dump-dom "file://$TMP/report.html" >"$TMP/dom.html"
	check_eq "the browser's DOM has the six charts" \
		"$(grep -o '<svg class="chart" id="[a-z0-9]*"' "$TMP/dom.html" | sed 's/.*id=//' | tr -d '"' | tr '\n' ' ')" \
		"co2e km days kinds fill food "
	chrome --screenshot="$TMP/report.png" "file://$TMP/report.html" >/dev/null
	check "the screenshot shows the page and its charts' colours" \
		python3 "$(dirname "$0")/check_png.py" "$TMP/report.png" \
		2e8b57:500 999999:500 1e90ff:100 daa520:100 8fbc8f:100
else
	not_ok "headless Chromium not installed (deploy/install-deps.sh)"
fi
summary
