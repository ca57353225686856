#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The web application in a real headless Chromium driven by Selenium
# (Debian's chromium, chromium-driver and python3-selenium), against the
# real bus, gateway (serving web/ and Debian's Leaflet) and services: a
# territory is set up here over ZeroMQ+CURVE, then tests/web/test_web.py
# plays each role in the browser — the operator plans a wave, binds the
# drivers, receives a lot and prints a picking list; a member places and
# cancels an order; a driver completes a stop and fails another, then
# reports with the gateway down (killed, restarted) and its queued reports
# are applied exactly once; another driver's report on that tour is
# refused; a rider rides a run; a relay point confirms and hands over a
# parcel; a processor confirms a flow — and checks each effect in the
# services' own read models (their admin ports).  A wrong password, an
# expired session (a gateway with --session-s 3) and a missing CSRF token
# are refused; every screen is looked at 360 px and 1280 px wide (no
# horizontal scroll, every control labelled), the order form is walked
# with the keyboard, the language switched.  Screenshots of every screen
# go to $B/screens/ (docs/web-app.md shows a set of them, docs/img/).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"
# Windows start from now: a zone where it is morning keeps them in one day
# (the browser runs in the same zone).
LOCAL_TZ=$(morning_tz)
. "$(dirname "$0")/bikes_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3 # Debian's, with python3-selenium

for need in /usr/bin/chromium /usr/bin/chromedriver /usr/share/javascript/leaflet/leaflet.js; do
	if [ ! -e "$need" ]; then
		not_ok "$need is installed (deploy/install-deps.sh)"
		summary
		exit
	fi
done
check "python3-selenium is installed" "$PY" -c 'import selenium'
check "web/js/types.js lists every message type of proto/" "$PY" "$ROOT/tests/web/gen_types.py" --check

partner ops livrazou operator,receiver
partner shop fournil shipper
user marie operator livrazou
user fournil member fournil
user pierre driver livrazou
user paul driver livrazou
user alice rider livrazou
user noa relay quartiers
user comp processor compost

GW_OPTS="--rate 100000 --burst 100000 --web-root $ROOT/web --leaflet-root /usr/share/javascript/leaflet"
start_bus
# shellcheck disable=SC2086
start_gateway $GW_OPTS
start_orders --no-sync
start_inventory --no-sync --expiry-scan 86400 --pick-on-start
start_tours --no-sync --time-limit-ms 0 --iterations 200 --bike-wave 24:00 --pick-on-start
start_bikes --no-sync --centre-zone "$ZONE" --iterations 200 --run-max-s 3600 --reload-s 600 --min-run-s 900
start_returns --no-sync
start_impact --no-sync
API=http://127.0.0.1:$BIKES_ADMIN
NOW=$(date +%s)
DATE=$(TZ=$LOCAL_TZ date -d "@$NOW" +%F)

# ---- the territory ----
reg RegisterMember '{"member":{"memberId":"livrazou","name":"Livrazou","kind":"MEMBER_KIND_OPERATOR"}}'
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil Solidaire","kind":"MEMBER_KIND_SHIPPER"}}'
reg RegisterMember '{"member":{"memberId":"quartiers","name":"Épiceries des quartiers","kind":"MEMBER_KIND_RELAY_ASSOCIATION"}}'
reg RegisterMember '{"member":{"memberId":"compost","name":"Compost Sud","kind":"MEMBER_KIND_PROCESSOR"}}'
# place ID MEMBER KIND LAT LON ZONE NAME ADDRESS: a site with a name and an
# address, as the screens show them.
place() {
	reg RegisterSite "{\"site\":{\"siteId\":\"$1\",\"memberId\":\"$2\",\"name\":\"$7\",\"kind\":\"SITE_KIND_$3\",\"location\":{\"lat\":$4,\"lon\":$5},\"zone\":\"$6\",\"address\":\"$8\"}}"
}
place hub-nord livrazou HUB 43.3500 5.3700 nord "Hub des Arnavaux" "12 chemin de la Madrague-Ville, 13015 Marseille"
place relais-velo livrazou BIKE_RELAY 43.2940 5.3830 centre "Relais vélo du Vieux-Port" "3 rue Méolan, 13001 Marseille"
place atelier fournil PRODUCER 43.3300 5.4000 nord "Atelier du Fournil" "40 boulevard Burel, 13014 Marseille"
place c1 fournil CUSTOMER 43.3420 5.3650 nord "Épicerie du Canet" "8 place des Etats-Unis, 13014 Marseille"
place c2 fournil CUSTOMER 43.3380 5.3800 nord "Cantine Saint-Barthélemy" "21 avenue Salvador Allende, 13014 Marseille"
place c3 fournil CUSTOMER 43.3300 5.3900 nord "Crèche Les Lilas" "5 rue Jean Queillau, 13014 Marseille"
place c4 fournil CUSTOMER 43.3250 5.3750 nord "Restaurant d'insertion" "77 boulevard National, 13003 Marseille"
place cc1 fournil CUSTOMER 43.2965 5.3760 centre "Café Noailles" "2 rue d'Aubagne, 13001 Marseille"
place cc2 fournil CUSTOMER 43.2990 5.3800 centre "Traiteur Belsunce" "16 cours Belsunce, 13001 Marseille"
place rp-noailles quartiers RELAY_POINT 43.2960 5.3820 centre "Point relais Noailles" "24 rue Longue des Capucins, 13001 Marseille"
place compost-site compost PROCESSOR 43.3600 5.3500 nord "Plateforme de compostage" "Chemin du Littoral, 13016 Marseille"
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"van-1","name":"Fourgon 1","kind":"VEHICLE_KIND_DIESEL_VAN","fuel":"FUEL_TYPE_DIESEL","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"800000","capacityMillilitres":"8000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":0,"shiftEnd":86400,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"van-2","name":"Fourgon 2","kind":"VEHICLE_KIND_DIESEL_VAN","fuel":"FUEL_TYPE_DIESEL","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"800000","capacityMillilitres":"8000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":0,"shiftEnd":86400,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","name":"Sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"20000000","capacityMillilitres":"30000000"}}'
cmd ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"600","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}'
cmd ops lz.bikes.v1.RegisterBike '{"bike":{"bikeId":"cargo-1","name":"Cargo 1","capacityGrams":"80000","capacityMillilitres":"900000"}}'
cmd ops lz.bikes.v1.RegisterRider '{"rider":{"riderId":"alice","name":"Alice"}}'
cmd ops lz.returns.v1.RegisterContainerType '{"containerType":{"containerType":"caisse","name":"Caisse pliable","depositCents":"500","grams":"1500","millilitres":"40000"}}'
cmd ops lz.returns.v1.RegisterOutlet '{"outlet":{"outletId":"compost-1","memberId":"compost","siteId":"compost-site","name":"Plateforme de compostage","kind":"OUTLET_KIND_COMPOSTING","capacityGramsPerDay":"5000000"}}'
check "the territory applied" settle

# ---- the day's orders (the member's own, from the browser, come later) ----
win() { echo "{\"start\":\"$((NOW + $1 * 60))\",\"end\":\"$((NOW + $2 * 60))\"}"; }
FARINE() { echo "{\"product\":\"farine\",\"quantity\":$1,\"unitGrams\":1000,\"unitMillilitres\":1200,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\",\"containers\":[{\"containerType\":\"caisse\",\"count\":2}]}"; }
order() { # REF SITE LINE
	cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"$1\",\"destinationSiteId\":\"$2\",\"deliveryWindow\":$(win 5 600),\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$3]}"
}
order o1 c1 "$(FARINE 10)"
order o2 c2 "$(FARINE 10)"
order o3 c3 "$(FARINE 10)"
order b1 cc1 "$(FARINE 5)"
order b2 cc2 "$(FARINE 5)"
cmd shop lz.returns.v1.DeclareFlow '{"reference":"epluchures-1","kind":"FLOW_KIND_BIOWASTE","category":"peelings","grams":"12000","siteId":"c1","temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
check "orders and the flow applied" settle
check_eq "every order confirmed (hub stock reserved)" "$(statuses o1 o2 o3 b1 b2)" \
	"o1:CONFIRMED o2:CONFIRMED o3:CONFIRMED b1:CONFIRMED b2:CONFIRMED"
check_eq "no command refused by the gateway while setting up" "$NOT_ACCEPTED" 0

# ---- the browser ----
mkdir -p "$B/screens"
cat >"$TMP/web.json" <<EOF
{"url": "http://$GW_HTTP", "tz": "$LOCAL_TZ", "date": "$DATE", "now": $NOW,
 "screens": "$B/screens", "tmp": "$TMP",
 "admin": {"gateway": $GW_ADMIN, "orders": $ORDERS_ADMIN, "inventory": $INVENTORY_ADMIN,
           "tours": $TOURS_ADMIN, "bikes": $BIKES_ADMIN, "returns": $RETURNS_ADMIN,
           "impact": $IMPACT_ADMIN, "bus": $BUS_ADMIN},
 "gateway_pid": $pid_gateway,
 "gateway_cmd": ["$BIN/lz-gateway", "--state", "$TMP/gateway", "--partners", "$PARTNERS",
   "--server-key", "$TMP/gateway.key", "--zmq", "$GW_ZMQ", "--http", "$GW_HTTP",
   "--admin", "127.0.0.1:$GW_ADMIN", "--pub", "$XSUB", "--sub", "$XPUB", "--replay", "$GW_REPLAY",
   "--orders-api", "127.0.0.1:$ORDERS_ADMIN", "--inventory-api", "127.0.0.1:$INVENTORY_ADMIN",
   "--tours-api", "127.0.0.1:$TOURS_ADMIN", "--bikes-api", "127.0.0.1:$BIKES_ADMIN",
   "--returns-api", "127.0.0.1:$RETURNS_ADMIN", "--impact-api", "127.0.0.1:$IMPACT_ADMIN",
   "--bus-admin", "127.0.0.1:$BUS_ADMIN", "--users", "$USERS",
   "--rate", "100000", "--burst", "100000", "--web-root", "$ROOT/web",
   "--leaflet-root", "/usr/share/javascript/leaflet"]}
EOF
START_WEB=$(date +%s)
TZ=$LOCAL_TZ "$PY" "$ROOT/tests/web/test_web.py" "$TMP/web.json" >"$TMP/web.out" 2>"$TMP/web.err"
rc=$?
cat "$TMP/web.out"
PASSED=$((PASSED + $(grep -c '^ok - ' "$TMP/web.out")))
FAILED=$((FAILED + $(grep -c '^not ok - ' "$TMP/web.out")))
check_eq "the browser test ran to its end ($(tail -n 1 "$TMP/web.err" 2>/dev/null))" "$rc" 0
echo "# browser part: $(($(date +%s) - START_WEB)) s; screenshots in $B/screens"
summary
