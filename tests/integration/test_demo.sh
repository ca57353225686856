#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# `make demo` at small scale: deploy/demo.sh starts every daemon, lz-sim
# plays a day through the gateway (the hub picks every tour before it
# leaves, a few lines short), the summary is printed and saved; every
# figure of the summary is then checked against the services' own read
# models (orders, inventory and tours restarted on the demo's state, read
# over HTTP): no order was delivered without picking, stock left the hub
# and is conserved lot by lot, no start was refused.
# The demo runs a second time in a row on the same ports; a third run is
# interrupted as Ctrl-C would (SIGINT to its process group) and must leave
# no process behind; a fourth, with DEMO_KEEP=1, keeps the day open: the
# app is served, the printed logins work (the operator sees the day, the
# driver only its own tours), and Ctrl-C ends it.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DP=$((PORT_BASE + 20))
export DEMO_ORDERS=24 DEMO_DAYS=3 DEMO_SPEED=40000 DEMO_TIME_MS=200 DEMO_SEED=3
export DEMO_PORT=$DP B

# none_left DIR: no lz-* process runs with DIR's configuration (the
# pattern does not match this shell's own command line).
none_left() { ! pgrep -f "lz-[a-z]* .*--config $1/" >/dev/null; }

# ---- a small day ----
DEMO_DIR=$TMP/demo1 "$ROOT/deploy/demo.sh" >"$TMP/demo1.out" 2>&1
check_eq "the demo runs to its end" "$?" 0
D=$TMP/demo1
check "it prints the summary" grep -q '^==== Summary' "$TMP/demo1.out"
check "it says where the state and results are" \
	grep -q "every daemon stopped; state and logs in $D" "$TMP/demo1.out"
check "no daemon left after the demo" none_left "$D"
check "every daemon stopped cleanly (exit on SIGTERM, logged)" sh -c \
	"for d in bus gateway orders inventory tours; do grep -q 'msg=stopped' '$D/'\$d.log || exit 1; done"
DATE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dates"][0])' "$D/summary.json")
check "the day's tours as GeoJSON next to the state" python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))
sys.exit(not (g["type"] == "FeatureCollection" and len(g["features"]) > 0))' \
	"$D/tours-$DATE.geojson"
# A service this tree does not build is said not available, never
# invented.
for svc in bikes returns impact; do
	if [ -x "$B/bin/lz-$svc" ]; then
		check "lz-$svc ran: its figures are in the summary" python3 -c \
			'import json,sys; sys.exit("'$svc'" not in json.load(open(sys.argv[1])))' "$D/summary.json"
	else
		check "lz-$svc not built: said not available" \
			grep -q "not available (lz-$svc" "$TMP/demo1.out"
	fi
done

# The services again on the demo's state, to read their own models.
admin_of() { sed -n "/^\[$1\]/,/^\[/s/^admin = //p" "$D/livrazou.ini"; }
ORD=$(admin_of orders)
TRS=$(admin_of tours)
INV=$(admin_of inventory)
RET=$(admin_of returns)
IMP=$(admin_of impact)
start orders "$B/bin/lz-orders" --config "$D/livrazou.ini"
start tours "$B/bin/lz-tours" --config "$D/livrazou.ini"
start inventory "$B/bin/lz-inventory" --config "$D/livrazou.ini"
wait_http "${ORD##*:}" 10
wait_http "${TRS##*:}" 10
wait_http "${INV##*:}" 10
# Nothing publishes now: what the metrics say was kept in the stores.
check "restarted, lz-orders reports the gateway's events it applied" \
	test "$(metric "${ORD##*:}" 'lz_inbox_seq{source="gateway"}')" -gt 0
HAS_RETURNS=$(python3 -c 'import json,sys; print(int("returns" in json.load(open(sys.argv[1]))))' "$D/summary.json")
HAS_BIKES=$(python3 -c 'import json,sys; print(int("bikes" in json.load(open(sys.argv[1]))))' "$D/summary.json")
BKS=$(admin_of bikes)
if [ "$HAS_BIKES" = 1 ]; then
	start bikes "$B/bin/lz-bikes" --config "$D/livrazou.ini"
	wait_http "${BKS##*:}" 10
fi
HAS_IMPACT=$(python3 -c 'import json,sys; print(int("impact" in json.load(open(sys.argv[1]))))' "$D/summary.json")
if [ "$HAS_RETURNS" = 1 ]; then
	start returns "$B/bin/lz-returns" --config "$D/livrazou.ini"
	wait_http "${RET##*:}" 10
fi
if [ "$HAS_IMPACT" = 1 ]; then
	start impact "$B/bin/lz-impact" --config "$D/livrazou.ini"
	wait_http "${IMP##*:}" 10
fi
# The days could happen: check_day.py, an independent checker, on every
# service's history, with the speed model and handling times the daemons
# run with.  The drivers and riders play the days on an accelerated clock
# and say when each report happened (its "at", the played day's time):
# the plans and the reports are both checked.
mkdir -p "$TMP/history"
for s in orders inventory tours bikes; do
	"$B/bin/lz-tap" --config "$D/livrazou.ini" --replay "$s" --timeout 2 \
		>"$TMP/history/$s.jsonl" 2>>"$TMP/tap.log"
done
python3 "$ROOT/tests/integration/check_day.py" --events "$TMP/history" \
	--speed-model 20,60,5,1.35,60 --handling-s 1800 \
	--relay-handling-s 900 >"$TMP/check_day.out" 2>&1
rc=$?
check_eq "the $DEMO_DAYS days could happen ($(tail -n 1 "$TMP/check_day.out"))" "$rc" 0
python3 - "$D" "$ORD" "$TRS" "$RET" "$IMP" "$BKS" "$INV" >"$TMP/models.json" <<'EOF'
import json, sys, time, urllib.request
d, orders, tours, returns, impact, bikes, inventory = sys.argv[1:8]
def get(addr, path):
    return urllib.request.urlopen("http://%s%s" % (addr, path), timeout=10).read().decode()
def metric(addr, name):
    # a counter not created yet is 0, as in the summary
    for l in get(addr, "/metrics").splitlines():
        if l.split(" ")[0] == name:
            return int(float(l.split(" ")[1]))
    return 0
s = json.load(open(d + "/summary.json"))
shippers = [l.split()[1] for l in open(d + "/partners")
            if not l.startswith("#") and "shipper" in l.split()[2].split(",")]
relay, ts = set(), []
for date in s["dates"]:
    for t in json.loads(get(tours, "/v1/tasks/" + date)).get("tasks", []):
        if t["kind"] == "TASK_KIND_RELAY_DELIVERY":
            relay.add(t["taskId"])
    for t in json.loads(get(tours, "/v1/tours/" + date)).get("tours", []):
        st = [x.get("status", "") for x in t["stops"]]
        ts.append({"tourId": t["tourId"], "status": t["status"][12:],
                   "stops": len(t["stops"]) - 2,
                   "stopsFailed": st.count("STOP_STATUS_FAILED"),
                   "stopsCompleted": st.count("STOP_STATUS_COMPLETED"),
                   "distanceM": int(t.get("distanceM", 0)),
                   "driverId": t.get("driverId", ""),
                   "odometerKm": int(t.get("odometerKm", 0)),
                   "fill": [f.get("fillPermille", 0) for f in t.get("fill", [])
                            if int(f.get("capacityGrams", 0)) > 0]})
by = {}
for date in s["dates"]:
    for m in sorted(set(shippers)):
        l = json.loads(get(orders, "/v1/orders?member=%s&date=%s&limit=1000" % (m, date)))
        for o in l.get("orders", []):
            st = o["status"][13:]
            by[st] = by.get(st, 0) + 1
            by["total"] = by.get("total", 0) + 1
            if st == "DELIVERED":
                k = "DELIVERED_BY_BIKE" if "del:" + o["orderId"] in relay else "DELIVERED_BY_VAN"
                by[k] = by.get(k, 0) + 1
out = {}
if "returns" in s:
    fl = json.loads(get(returns, "/v1/flows?status=all"))["flows"]
    out["flows"] = [(f["flowId"], f.get("category", ""), f.get("siteId", ""),
                     int(f.get("grams", 0)), f["status"][12:],
                     f.get("level", "")[16:], f.get("outletId", ""),
                     int(f.get("actualGrams", 0))) for f in fl]
    bl = json.loads(get(returns, "/v1/balances"))
    out["balances"] = [(b["account"], b.get("memberId", ""), b["containerType"],
                        int(b.get("count", 0)), int(b.get("depositCents", 0)))
                       for b in bl["balances"] if int(b.get("count", 0))]
    out["balanced"] = bl.get("balanced")
if "bikes" in s:
    today = time.strftime("%Y-%m-%d")
    runs = []
    for date in [today] + [x for x in s["dates"] if x != today]:
        for r in json.loads(get(bikes, "/v1/runs/" + date)).get("runs", []):
            runs.append((r["runId"], r["status"][11:],
                         sum(len(x.get("parcelIds", [])) for x in r["stops"]),
                         int(r.get("distanceM", 0))))
    out["runs"] = runs
    out["bikes"] = {k: metric(bikes, m) for k, m in [
        ("parcelsDelivered", "lz_bikes_parcels_delivered_total"),
        ("parcelsFailed", "lz_bikes_parcels_failed_total"),
        ("parcelsWaiting", "lz_bikes_parcels_waiting"),
        ("riddenM", "lz_bikes_ridden_meters_total")]}
if "impact" in s:
    rep = json.loads(get(impact, "/v1/report?from=%s&to=%s" % (s["impact"]["from"], s["impact"]["to"])))
    out["impact"] = {k: int(rep.get(k, 0)) for k in s["impact"] if k not in ("from", "to", "method")}
inv = json.loads(get(inventory, "/v1/invariants"))
lists = [l for date in s["dates"]
         for l in json.loads(get(inventory, "/v1/picking/" + date)).get("lists", [])]
out["inventory"] = {k: int(inv.get(k, 0)) for k in ("received", "picked", "adjusted", "expired", "inStock", "reserved")}
out["inventory"].update({"conserved": inv["ok"], "pickingLists": len(lists),
    "unitsListed": sum(int(l.get("units", 0)) for l in lists),
    "unitsPickedListed": sum(int(l.get("pickedUnits", 0)) for l in lists),
    "toursPicked": metric(inventory, "lz_inventory_tours_picked_total"),
    "shortPicks": metric(inventory, "lz_inventory_short_picks_total"),
    "startsRefusedNotPicked": metric(tours, 'lz_tours_refused_total{reason="not_picked"}'),
    "lotsAccounted": int(inv.get("lotsAccounted", 0)), "lots": int(inv.get("lots", 0)),
    "listed": sorted(l["status"] for l in lists)})
print(json.dumps(dict(out, **{"orders": by, "tours": ts,
                  "stopsCompleted": metric(tours, "lz_tours_stops_completed_total"),
                  "stopsFailed": metric(tours, "lz_tours_stops_failed_total"),
                  "plannedM": metric(tours, "lz_tours_planned_meters_total"),
                  "vehicles": len(json.loads(get(tours, "/v1/vehicles"))["vehicles"]),
                  "driversAssigned": metric(tours, "lz_tours_drivers_assigned_total"),
                  "notYourTour": metric(tours, 'lz_tours_refused_total{reason="not_your_tour"}'),
                  "completedM": metric(tours, "lz_tours_completed_meters_total")})))
EOF
check "the read models answer" test -s "$TMP/models.json"
# field FILE EXPR: a figure of a JSON file (python expression on j).
field() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
S=$D/summary.json
M=$TMP/models.json
for k in total DELIVERED DELIVERED_BY_VAN DELIVERED_BY_BIKE AT_BIKE_RELAY \
	OUT_FOR_DELIVERY FAILED REJECTED; do
	check_eq "summary orders $k = lz-orders' read model" \
		"$(field "$S" "j['orders'].get('$k', 0)")" \
		"$(field "$M" "j['orders'].get('$k', 0)")"
done
check_eq "all the days' orders are in the summary" \
	"$(field "$S" "j['orders']['total']")" "$((DEMO_ORDERS * DEMO_DAYS))"
for k in stopsCompleted stopsFailed plannedM completedM; do
	check_eq "summary $k = lz-tours' metric" "$(field "$S" "j['$k']")" \
		"$(field "$M" "j['$k']")"
done
check_eq "summary tours (id, status, stops, failed, metres, odometer, fill) = lz-tours' read model" \
	"$(field "$S" "[(t['tourId'], t['status'], t['stops'], t['stopsFailed'], t['stopsCompleted'], t['distanceM'], t['odometerKm'], [f['permille'] for f in t['fill']]) for t in j['tours']]")" \
	"$(field "$M" "[(t['tourId'], t['status'], t['stops'], t['stopsFailed'], t['stopsCompleted'], t['distanceM'], t['odometerKm'], t['fill']) for t in j['tours']]")"
check "tours were planned and driven" test "$(field "$S" "len(j['tours'])")" -ge 1
check_eq "every tour completed" "$(field "$S" "sorted(set(t['status'] for t in j['tours']))")" "['COMPLETED']"
check_eq "every van bound to the demo's driver each day (AssignDriver), every tour driven by it, no report refused as another's" \
	"$(field "$M" "(sorted(set(t['driverId'] for t in j['tours'])), j['driversAssigned'] == j['vehicles'] * $DEMO_DAYS, j['notYourTour'])")" \
	"(['driver'], True, 0)"
check_eq "the failed stops the drivers reported are those lz-tours counted" \
	"$(grep -c ' failed: ' "$TMP/demo1.out")" "$(field "$M" "j['stopsFailed']")"
check "some orders delivered" test "$(field "$S" "j['orders'].get('DELIVERED', 0)")" -gt 0
check "centre-zone orders handed to the bike relay" \
	test "$(field "$S" "j['orders'].get('AT_BIKE_RELAY', 0) + j['orders'].get('DELIVERED_BY_BIKE', 0)")" -gt 0
check_eq "the printed summary is the saved one" \
	"$(sed -n 's/^  delivered *//p' "$TMP/demo1.out")" \
	"$(field "$S" "'%d (by van %d, by bike %d)' % (j['orders'].get('DELIVERED', 0), j['orders'].get('DELIVERED_BY_VAN', 0), j['orders'].get('DELIVERED_BY_BIKE', 0))")"
check_eq "every command accepted by the gateway" \
	"$(grep -c 'refused:' "$TMP/demo1.out")" 0
# Picking: the hub picked every tour before it left.
check_eq "summary stock (received, picked, adjusted, expired, in stock, reserved, conserved, lists, listed, picked of them, tours picked, short picks, refused starts) = lz-inventory's read models" \
	"$(field "$S" "[j['inventory'][k] for k in ('received', 'picked', 'adjusted', 'expired', 'inStock', 'reserved', 'conserved', 'pickingLists', 'unitsListed', 'unitsPickedListed', 'toursPicked', 'shortPicks', 'startsRefusedNotPicked')]")" \
	"$(field "$M" "[j['inventory'][k] for k in ('received', 'picked', 'adjusted', 'expired', 'inStock', 'reserved', 'conserved', 'pickingLists', 'unitsListed', 'unitsPickedListed', 'toursPicked', 'shortPicks', 'startsRefusedNotPicked')]")"
check "stock left the hub: units picked" test "$(field "$S" "j['inventory']['picked']")" -gt 0
check "the hub picked the tours from their picking lists" \
	test "$(field "$S" "j['inventory']['unitsPickedListed']")" -gt 0
check_eq "every picking list picked" \
	"$(field "$M" "sorted(set(j['inventory']['listed']))")" "['PICKING_STATUS_PICKED']"
check "some lines picked short (the hub did not find every unit)" \
	test "$(field "$S" "j['inventory']['shortPicks']")" -gt 0
check_eq "no order delivered without picking (lz-inventory's log)" \
	"$(grep -c 'order delivered without picking' "$D/inventory.log")" 0
check_eq "no tour start refused for want of picking" \
	"$(field "$S" "j['inventory']['startsRefusedNotPicked']")" 0
check_eq "stock conserved lot by lot (received - picked - expired - counted = in stock)" \
	"$(field "$M" "(j['inventory']['conserved'], j['inventory']['lotsAccounted'] == j['inventory']['lots'], j['inventory']['received'] - j['inventory']['picked'] - j['inventory']['expired'] - j['inventory']['adjusted'] == j['inventory']['inStock'])")" \
	"(True, True, True)"
check "the summary prints the stock that left" grep -q '^stock (lz-inventory) .* picked [1-9]' "$TMP/demo1.out"
if [ "$HAS_BIKES" = 1 ]; then
	check_eq "summary bike runs (id, status, parcels, metres) = lz-bikes' read model" \
		"$(field "$S" "[(r['runId'], r['status'], r['parcels'], r['distanceM']) for r in j['bikes']['runs']]")" \
		"$(field "$M" "[tuple(r) for r in j['runs']]")"
	for k in parcelsDelivered parcelsFailed parcelsWaiting riddenM; do
		check_eq "summary bikes $k = lz-bikes' metric" \
			"$(field "$S" "j['bikes']['$k']")" "$(field "$M" "j['bikes']['$k']")"
	done
	# The riders declare the played day's shifts ahead (lz-bikes plans
	# the runs from the declared start), whatever the time of day.
	check "riders delivered the centre's parcels (orders delivered by bike)" \
		test "$(field "$S" "j['orders'].get('DELIVERED_BY_BIKE', 0)")" -gt 0
	check "the bike runs of each day ridden as GeoJSON next to the state" python3 -c '
import glob, json, sys
days = set(r["runId"][:10] for r in json.load(open(sys.argv[1] + "/summary.json"))["bikes"]["runs"])
fs = glob.glob(sys.argv[1] + "/runs-*.geojson")
sys.exit(len(fs) != len(days) or any(json.load(open(f))["type"] != "FeatureCollection" for f in fs))' "$D"
	check_eq "the orders lz-orders has delivered by bike are the parcels lz-bikes delivered" \
		"$(field "$S" "j['orders'].get('DELIVERED_BY_BIKE', 0)")" \
		"$(field "$S" "j['bikes']['parcelsDelivered']")"
else
	echo "# lz-bikes not built: bike runs not checked"
fi
if [ "$HAS_RETURNS" = 1 ]; then
	check_eq "summary reverse flows (id, category, site, grams, status, level, outlet, received) = lz-returns' read model" \
		"$(field "$S" "[(f['flowId'], f['category'], f['siteId'], f['grams'], f['status'], f['level'], f['outletId'], f['actualGrams']) for f in j['returns']['flows']]")" \
		"$(field "$M" "[tuple(f) for f in j['flows']]")"
	check_eq "summary deposit balances = lz-returns' read model" \
		"$(field "$S" "[(b['account'], b['memberId'], b['containerType'], b['count'], b['depositCents']) for b in j['returns']['balances']] + [j['returns']['balanced']]")" \
		"$(field "$M" "[tuple(b) for b in j['balances']] + [j['balanced']]")"
	# Customers give back only jars they were delivered: no discrepancy.
	check_eq "no container returned that was not sent (no unaccounted balance)" \
		"$(field "$S" "[b for b in j['returns']['balances'] if b['account'] == 'unaccounted']")" "[]"
	check "reverse flows declared, collected by the vans and closed by their outlets" \
		test "$(field "$S" "sum(f['status'] == 'CLOSED' for f in j['returns']['flows'])")" -ge 1
	check_eq "peelings matched to composting, unsold food to food aid (the hierarchy)" \
		"$(field "$S" "sorted(set((f['category'] == 'peelings', f['level']) for f in j['returns']['flows']))")" \
		"$(field "$S" "sorted(set((f['category'] == 'peelings', 'COMPOSTING' if f['category'] == 'peelings' else 'DONATION') for f in j['returns']['flows']))")"
else
	echo "# lz-returns not built: reverse flows not checked"
fi
if [ "$HAS_IMPACT" = 1 ]; then
	check_eq "summary impact figures = lz-impact's report" \
		"$(field "$S" "sorted((k, v) for k, v in j['impact'].items() if k not in ('from', 'to', 'method'))")" \
		"$(field "$M" "sorted(j['impact'].items())")"
	check_eq "lz-impact counted the deliveries lz-orders has" \
		"$(field "$S" "j['impact']['deliveries']")" \
		"$(field "$S" "j['orders'].get('DELIVERED', 0)")"
	check "the members' own rounds are computed (counterfactual km)" \
		test "$(field "$S" "j['impact']['counterfactualM']")" -gt 0
	check "the impact report is saved as HTML" grep -qi '<html' "$D/impact.html"
	if [ "$HAS_RETURNS" = 1 ]; then
		check "the empties brought back and washed are containers reused" \
			test "$(field "$S" "j['impact']['containersReused']")" -gt 0
	fi
else
	echo "# lz-impact not built: impact not checked"
fi
for p in $pid_orders $pid_tours $pid_inventory ${pid_bikes:-} ${pid_returns:-} ${pid_impact:-}; do
	kill -TERM "$p"
	wait_pid "$p" 20
done

# ---- twice in a row, on the same ports ----
DEMO_DIR=$TMP/demo2 "$ROOT/deploy/demo.sh" >"$TMP/demo2.out" 2>&1
check_eq "a second demo in a row runs to its end" "$?" 0
check_eq "with the same figures (same seed)" \
	"$(field "$TMP/demo2/summary.json" "j['orders']['total']")" \
	"$(field "$S" "j['orders']['total']")"

# ---- Ctrl-C ----
set -m
DEMO_DIR=$TMP/demo3 DEMO_SPEED=600 "$ROOT/deploy/demo.sh" >"$TMP/demo3.out" 2>&1 &
DEMO_PID=$!
set +m
check "the third demo reaches its drivers" wait_grep "$TMP/demo3.out" 'leaves hub' 60
kill -INT -- -"$DEMO_PID"
wait_pid "$DEMO_PID" 30
check_eq "Ctrl-C stops the demo (exit 130)" "$?" 130
check "it says so" grep -q 'interrupted, stopping every daemon' "$TMP/demo3.out"
check "and leaves no process behind" none_left "$TMP/demo3"

# ---- DEMO_KEEP=1: the day stays open in the web application ----
set -m
DEMO_KEEP=1 DEMO_DAYS=1 DEMO_DIR=$TMP/demo4 "$ROOT/deploy/demo.sh" >"$TMP/demo4.out" 2>&1 &
DEMO_PID=$!
set +m
check "DEMO_KEEP=1: the demo says the day stays open" wait_grep "$TMP/demo4.out" 'Ctrl-C stops every daemon' 120
APP=$(sed -n 's/^demo: the day stays open: //p' "$TMP/demo4.out")
check_eq "at the gateway's address" "$APP" "http://127.0.0.1:$((DP + 4))/app/"
check "with one login per role" sh -c "for r in operator member driver rider relay processor; do grep -q \"^demo:   [a-z]*  *\$r\" '$TMP/demo4.out' || exit 1; done"
check_eq "the app is served" "$(curl -s -o /dev/null -w '%{http_code}' "$APP")" 200
GW=${APP%/app/}
demo_login() {
	curl -s -o "$TMP/demo-login.json" -w '%{http_code}' -c "$TMP/jar.$1" \
		-H 'Content-Type: application/json' \
		--data "{\"user\":\"$1\",\"password\":\"livrazou-demo\"}" "$GW/v1/session"
}
check_eq "the hub operator logs in with the printed password" "$(demo_login hub)" 200
check_eq "and sees every daemon ready" "$(curl -s -b "$TMP/jar.hub" "$GW/v1/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ready"])')" True
LAST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dates"][-1])' "$TMP/demo4/summary.json")
check_eq "and the day's tours" "$(curl -s -b "$TMP/jar.hub" "$GW/v1/tours/$LAST" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("tours", [])) > 0)')" True
check_eq "the driver logs in" "$(demo_login chauffeur)" 200
check_eq "and sees only the tours bound to it: none of the simulated driver's" \
	"$(curl -s -b "$TMP/jar.chauffeur" "$GW/v1/tours/$LAST" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("tours", [])))')" 0
kill -INT -- -"$DEMO_PID"
wait_pid "$DEMO_PID" 30
check_eq "Ctrl-C ends the kept day (exit 130)" "$?" 130
check "and leaves no process behind" none_left "$TMP/demo4"
summary
