#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-tours behind a real bus on a Marseille-like data set
# (tests/data/marseille/gen.py): lz-cmdpub plays the orders service (sites,
# 300 confirmed orders) and the gateway (the fleet, collections, planning
# and the drivers' reports).  Checks: specific reasons (unknown vehicle,
# task on an unknown site, impossible capacity); a SIGKILL while a wave is
# being solved publishes nothing, and the restart publishes the whole plan;
# an independent checker (check_tours.py) verifies every tour (windows,
# compartments along the route, skills, shifts, centre orders through the
# bike relay); GeoJSON; driver reports move tasks and orders; a failed stop
# is planned again; a late order is inserted; garbage is counted; events
# of a type tours applies but from a source not allowed (an OrderPlaced
# from the gateway, a PlanWave from the orders service) change nothing and
# are counted and logged; malformed ids in the drivers' reports are
# refused; a driver bound to a van (AssignDriver) gets its tour published
# again with its driverId and as the audience of every event about it,
# another driver's reports are refused (not_your_tour) and change nothing,
# the bound driver's and an operator's are accepted, ?driver= lists the
# driver's tours, and once unbound any driver may report again.
. "$(dirname "$0")/lib.sh"

CMDPUB=$B/tests/lz-cmdpub
XSUB=tcp://127.0.0.1:$PORT_BASE
XPUB=tcp://127.0.0.1:$((PORT_BASE + 1))
BUS_ADMIN=$((PORT_BASE + 2))
GW_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 6))
ORD_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 7))
TOURS_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 11))
TOURS_ADMIN=$((PORT_BASE + 12))
API=http://127.0.0.1:$TOURS_ADMIN
DATE=$(TZ=Europe/Paris date -d tomorrow +%F)
NEXT=$(TZ=Europe/Paris date -d "$DATE + 1 day" +%F)
# The checker's physics: lz-tours' defaults (the vans' speed model, setup
# once per stop, service per task, per relay drop, the bike wave).
PARAMS="1.35 20/60/5 180 480 36000 --setup 120"

python3 tests/data/marseille/gen.py "$TMP/data" "$DATE" 300 || exit 1
NORD=$(wc -l <"$TMP/data/orders.jsonl")
NGW=$(wc -l <"$TMP/data/gateway.jsonl")

# No inventory here to pick the hub-stock orders: lz-tours runs as with
# an inventory that picks at the start (pick-on-start), so the drivers'
# starts are not checked (test_picking.sh checks them).
start_tours() {
	start tours "$BIN/lz-tours" --state "$TMP/tours" --pub "$XSUB" \
		--sub "$XPUB" --replay "$TOURS_REPLAY" \
		--admin "127.0.0.1:$TOURS_ADMIN" --follow gateway,orders \
		--no-sync --pick-on-start "$@"
	wait_http "$TOURS_ADMIN" 10
}

SENT_GW=0
SENT_ORD=0
gw() {
	echo "{\"type\":\"lz.tours.v1.$1\",\"tenant\":\"${3:-livrazou}\",\"actor\":\"p\",\"payload\":$2}" >&3
	SENT_GW=$((SENT_GW + 1))
}
# gwa ACTOR ROLES TYPE JSON: a command of ACTOR with the roles the gateway
# gives it.
gwa() {
	echo "{\"type\":\"lz.tours.v1.$3\",\"tenant\":\"livrazou\",\"actor\":\"$1\",\"actorRoles\":\"$2\",\"payload\":$4}" >&3
	SENT_GW=$((SENT_GW + 1))
}
ord() {
	echo "$1" >&4
	SENT_ORD=$((SENT_ORD + 1))
}
# wait_applied: until lz-tours has applied everything sent.
wait_applied() {
	local end=$(($(date +%s) + ${1:-30})) m
	while [ "$(date +%s)" -le "$end" ]; do
		m=$(curl -s --max-time 2 "$API/metrics")
		if echo "$m" | grep -qx "lz_inbox_seq{source=\"gateway\"} $SENT_GW" &&
			echo "$m" | grep -qx "lz_inbox_seq{source=\"orders\"} $SENT_ORD"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
outbox() {
	"$BIN/lz-tap" --replay-endpoint "$TOURS_REPLAY" --replay tours --from 1 \
		--timeout 3 >"$TMP/out" 2>"$TMP/tap.err"
}
# py EXPR: python over the outbox events (evs, of(T), last(task_id)).
py() {
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
def of(t): return [e["payload"] for e in evs if e["type"] == "lz.tours.v1." + t]
def last(tid):
    r = [p for p in of("TaskStatusChanged") if p["task"]["taskId"] == tid]
    return r[-1] if r else {}
'"$1" "$TMP/out" "${@:2}"
}

start bus "$BIN/lz-bus" --xsub "$XSUB" --xpub "$XPUB" --admin "127.0.0.1:$BUS_ADMIN"
wait_http "$BUS_ADMIN" 10
# A slow first wave (5 s of solving) so that it can be killed mid-solve.
start_tours --time-limit-ms 5000 --iterations 0
mkfifo "$TMP/gw" "$TMP/ord"
exec 3<>"$TMP/gw" 4<>"$TMP/ord"
start gwpub "$CMDPUB" --state "$TMP/gwpub" --pub "$XSUB" --replay "$GW_REPLAY" \
	--input "$TMP/gw" --no-sync
start ordpub "$CMDPUB" --state "$TMP/ordpub" --source orders --pub "$XSUB" \
	--replay "$ORD_REPLAY" --input "$TMP/ord" --no-sync
sleep 0.5
start livetap "$BIN/lz-tap" --sub "$XPUB" lz.tours.v1.TourPlanned lz.tours.v1.WavePlanned

cat "$TMP/data/orders.jsonl" >&4
SENT_ORD=$NORD
cat "$TMP/data/gateway.jsonl" >&3
SENT_GW=$NGW
M0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["midnight"])' "$TMP/data/data.json")
# An order on a site nobody registered, and one heavier than any van.
ord "{\"type\":\"lz.orders.v1.OrderPlaced\",\"tenant\":\"m9\",\"payload\":{\"order\":{\"orderId\":\"m9/ghost\",\"memberId\":\"m9\",\"destinationSiteId\":\"ghost\",\"deliveryWindow\":{\"start\":\"$((M0 + 8 * 3600))\",\"end\":\"$((M0 + 15 * 3600))\"},\"lines\":[{\"quantity\":1,\"unitGrams\":1000,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}],\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"status\":\"ORDER_STATUS_PLACED\"}}}"
ord '{"type":"lz.orders.v1.OrderStatusChanged","tenant":"m9","payload":{"orderId":"m9/ghost","from":"ORDER_STATUS_PLACED","to":"ORDER_STATUS_CONFIRMED"}}'
ord "{\"type\":\"lz.orders.v1.OrderPlaced\",\"tenant\":\"m9\",\"payload\":{\"order\":{\"orderId\":\"m9/heavy\",\"memberId\":\"m9\",\"destinationSiteId\":\"c-15e-014\",\"deliveryWindow\":{\"start\":\"$((M0 + 8 * 3600))\",\"end\":\"$((M0 + 15 * 3600))\"},\"lines\":[{\"quantity\":5,\"unitGrams\":1000000,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}],\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"status\":\"ORDER_STATUS_PLACED\"}}}"
ord '{"type":"lz.orders.v1.OrderStatusChanged","tenant":"m9","payload":{"orderId":"m9/heavy","from":"ORDER_STATUS_PLACED","to":"ORDER_STATUS_CONFIRMED"}}'
gw CollectionRequested "{\"requestId\":\"col-nowhere\",\"siteId\":\"nowhere\",\"window\":{\"start\":\"$((M0 + 9 * 3600))\",\"end\":\"$((M0 + 15 * 3600))\"},\"loads\":[{\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\",\"grams\":\"1000\"}]}"
gw CollectionRequested "{\"requestId\":\"col-nowhere\",\"siteId\":\"nowhere\",\"window\":{\"start\":\"$((M0 + 9 * 3600))\",\"end\":\"$((M0 + 15 * 3600))\"}}"
gw PlanWave "{\"date\":\"$DATE\",\"vehicleIds\":[\"van-99\"]}"
gw PlanWave '{"date":"2026-02-30"}'
gw RegisterVehicle '{"vehicle":{"vehicleId":"bad","shiftStart":3600,"shiftEnd":7200,"compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"1000"}],"homeHubSiteId":"c-15e-014"}}'
check "tours applied the data set" wait_applied 60

# ---- SIGKILL while the wave is being solved ----
gw PlanWave "{\"date\":\"$DATE\"}"
sleep 2.5
check "tours is solving" kill -0 "$pid_tours"
kill -9 "$pid_tours"
wait "$pid_tours" 2>/dev/null
check_eq "nothing of the killed wave was published" \
	"$(grep -c . "$TMP/livetap.log")" 0
start_tours --time-limit-ms 0 --iterations 300 --insert-iterations 50
check "the wave is planned after the restart" \
	wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 60
wait_applied 30
outbox
check_eq "one wave, every tour of it published" "$(py '
w = of("WavePlanned")
tp = of("TourPlanned")
print(len(w), len(tp) == w[0]["tours"] and all(t["tour"]["planId"] == w[0]["planId"] for t in tp))')" "1 True"
check_eq "the live tap saw the same tours" \
	"$(grep -c TourPlanned "$TMP/livetap.log")" "$(py 'print(len(of("TourPlanned")))')"

# ---- the independent checker ----
check "every tour passes the independent checker" \
	python3 tests/integration/check_tours.py "$TMP/data/data.json" "$TMP/out" $PARAMS --allow-unplanned 3
python3 tests/integration/check_tours.py "$TMP/data/data.json" "$TMP/out" $PARAMS | tail -1
check_eq "a few hundred tasks planned" "$(py 'print(of("WavePlanned")[0]["tasksPlanned"] >= 300)')" True
check_eq "task on an unknown site: unknown_site" \
	"$(py 'print(last("del:m9/ghost").get("reason"), last("col:col-nowhere").get("reason"))')" \
	"REASON_UNKNOWN_SITE REASON_UNKNOWN_SITE"
check_eq "impossible capacity: capacity" "$(py 'print(last("del:m9/heavy").get("reason"))')" REASON_CAPACITY
check_eq "refusals: unknown vehicle, invalid date, unknown hub, duplicate" "$(py '
print(",".join(p["reason"].replace("REASON_", "").lower() for p in of("CommandRefused")))')" \
	"duplicate,unknown_vehicle,invalid,unknown_vehicle_hub"
check_eq "centre-zone orders go to the bike relay" "$(py '
import json
d = json.load(open(sys.argv[1].replace("out", "data/data.json")))
centre = ["del:" + o["orderId"] for o in d["orders"] if d["sites"][o["destinationSiteId"]]["zone"] == "centre" and o["source"] == "ORDER_SOURCE_HUB_STOCK"]
stops = {}
for t in of("TourPlanned"):
    for s in t["tour"]["stops"]:
        for x in s.get("taskIds", []): stops[x] = s["siteId"]
print(len(centre) > 20, all(stops.get(x) == "relais-velo" for x in centre if last(x).get("to") == "TASK_STATUS_PLANNED"))')" "True True"
check_eq "orders move to planned (hub stock and pickups)" "$(py '
p = [x for x in of("TaskStatusChanged") if x["to"] == "TASK_STATUS_PLANNED" and x["task"].get("orderId")]
print(all(x.get("orderStatus") == 3 for x in p))')" True

# ---- read models ----
curl -s "$API/v1/tours/$DATE.geojson" >"$TMP/geo.json"
check_eq "GeoJSON: a route per tour, a point per stop" "$(python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))
lines = [f for f in g["features"] if f["geometry"]["type"] == "LineString"]
pts = [f for f in g["features"] if f["geometry"]["type"] == "Point"]
print(g["type"], len(lines) > 0, len(pts) == sum(f["properties"]["stops"] for f in lines),
      all(-180 <= c[0] <= 180 and 40 < c[1] < 45 for f in lines for c in f["geometry"]["coordinates"]))' "$TMP/geo.json")" \
	"FeatureCollection True True True"
check_eq "tours by date with fill rates" "$(curl -s "$API/v1/tours/$DATE" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["tours"]) > 0, all(len(t["fill"]) == 3 and int(t["distanceM"]) > 0 for t in d["tours"]))')" "True True"
check_eq "bad date: 400" "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/tours/2026-13-01")" 400
check "metrics: planned, unplanned by reason, metres, solve time" sh -c "
	curl -s $API/metrics | grep -q '^lz_tours_tasks_unplanned_total{reason=\"unknown_site\"} 2' &&
	curl -s $API/metrics | grep -q '^lz_tours_planned_meters_total [1-9]' &&
	curl -s $API/metrics | grep -q '^lz_tours_last_solve_seconds'"

# ---- execution ----
read -r TOUR S1 S2 FAILTASK <<<"$(py '
for t in of("TourPlanned"):
    t = t["tour"]
    st = [s for s in t["stops"] if s.get("kind") == "STOP_KIND_TASK" and len(s.get("taskIds", [])) == 1 and s["taskIds"][0].startswith("del:")]
    if len(st) >= 2:
        print(t["tourId"], st[0]["index"], st[1]["index"], st[1]["taskIds"][0]); break')"
DONE=$(py "print([s for t in of('TourPlanned') if t['tour']['tourId'] == '$TOUR' for s in t['tour']['stops'] if s.get('index') == $S1][0]['taskIds'][0])")
gw StopArrived "{\"tourId\":\"$TOUR\",\"stopIndex\":$S1}"
gw TourStarted "{\"tourId\":\"$TOUR\",\"odometerKm\":\"1000\"}"
gw TourStarted "{\"tourId\":\"$TOUR\"}"
gw StopArrived "{\"tourId\":\"$TOUR\",\"stopIndex\":$S1}"
gw StopCompleted "{\"tourId\":\"$TOUR\",\"stopIndex\":$S1,\"containersCollected\":[{\"containerType\":\"crate-30l\",\"count\":3}]}"
gw StopCompleted "{\"tourId\":\"$TOUR\",\"stopIndex\":$S1}"
gw StopFailed "{\"tourId\":\"$TOUR\",\"stopIndex\":$S2,\"reason\":\"FAIL_REASON_ABSENT\",\"note\":\"nobody\"}"
gw StopCompleted "{\"tourId\":\"$TOUR\",\"stopIndex\":0}"
gw TourStarted '{"tourId":"2026-01-01/day/nope"}'
gw TourCompleted "{\"tourId\":\"$TOUR\",\"odometerKm\":\"1042\"}"
check "driver reports applied" wait_applied 90
outbox
check_eq "stop arrived before the start: bad_state; unknown tour; bad stop; reported twice" "$(py '
print(",".join(p["reason"].replace("REASON_", "").lower() for p in of("CommandRefused")[4:]))')" \
	"bad_state,bad_state,bad_state,bad_stop,unknown_tour"
check_eq "on board -> out for delivery; completed -> delivered" \
	"$(py "
s = [p for p in of('TaskStatusChanged') if p['task']['taskId'] == '$DONE']
print(s[-2]['to'], s[-2].get('orderStatus'), s[-1]['to'], s[-1].get('orderStatus'))")" \
	"TASK_STATUS_ON_BOARD 6 TASK_STATUS_DONE 8"
check_eq "failed stop: failed, then back to plan (or inserted)" "$(py "
s = [p['to'] for p in of('TaskStatusChanged') if p['task']['taskId'] == '$FAILTASK']
print(s[-3:] if s[-1] == 'TASK_STATUS_PLANNED' else s[-2:])")" \
	"$(py "
s = [p['to'] for p in of('TaskStatusChanged') if p['task']['taskId'] == '$FAILTASK']
print(['TASK_STATUS_FAILED', 'TASK_STATUS_PENDING', 'TASK_STATUS_PLANNED'] if s[-1] == 'TASK_STATUS_PLANNED' else ['TASK_STATUS_FAILED', 'TASK_STATUS_PENDING'])")"
check_eq "the failed stop moved to the next day" "$(py "
p = last('$FAILTASK')
print(p['task']['date'])")" "$NEXT"

# ---- a driver bound to a van's tours ----
read -r TOUR2 VEH2 T2S1 T2S2 <<<"$(py '
last_plan = {}
for t in of("TourPlanned"): last_plan[t["tour"]["tourId"]] = t["tour"]
for t in last_plan.values():
    st = [s for s in t["stops"] if s.get("kind") == "STOP_KIND_TASK"]
    if t["tourId"] != sys.argv[2] and t["status"] == "TOUR_STATUS_PLANNED" and len(st) >= 2:
        print(t["tourId"], t["vehicleId"], st[0]["index"], st[1]["index"]); break' "$TOUR")"
echo "# binding dan to $VEH2 ($TOUR2, stops $T2S1 $T2S2)"
NREF=$(py 'print(len(of("CommandRefused")))')
gw AssignDriver "{\"date\":\"$DATE\",\"vehicleId\":\"$VEH2\",\"driverId\":\"dan\"}"
gw AssignDriver "{\"date\":\"$DATE\",\"vehicleId\":\"van-99\",\"driverId\":\"dan\"}"
gw AssignDriver "{\"date\":\"$DATE\",\"vehicleId\":\"$VEH2\",\"driverId\":\"d an\"}"
gwa eve driver TourStarted "{\"tourId\":\"$TOUR2\"}"
check "the binding and another driver's start applied" wait_applied 30
outbox
# ev2 EXPR: python over the outbox's envelopes about TOUR2.
ev2() {
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
tour = sys.argv[2]
def about(t):
    return [e for e in evs if e["type"] == "lz.tours.v1." + t and
            (e["payload"].get("tourId") or e["payload"].get("tour", {}).get("tourId")) == tour]
def aud(e): return e.get("audience", "-")
'"$1" "$TMP/out" "$TOUR2"
}
check_eq "bound after planning: the tour is published again with its driver, for its driver" "$(ev2 '
t = about("TourPlanned")
print(len(t) >= 2, t[-1]["payload"]["tour"].get("driverId"), aud(t[-1]), aud(t[-2]),
      t[-1]["payload"]["tour"].get("revision", 0) == t[-2]["payload"]["tour"].get("revision", 0))')" \
	"True dan dan - True"
check_eq "DriverAssigned: its tour, for the new driver" "$(py '
import json
e = [json.loads(l) for l in open(sys.argv[1]) if "DriverAssigned" in l][-1]
print(e["payload"]["driverId"], e["payload"].get("previousDriverId", "-"), e["payload"]["tourIds"] == [sys.argv[2]], e.get("audience"))' "$TOUR2")" \
	"dan - True dan"
check_eq "unknown vehicle, malformed driver id, another driver's start: refused, for their sender" "$(py '
import json
r = [json.loads(l) for l in open(sys.argv[1]) if "lz.tours.v1.CommandRefused" in l][int(sys.argv[2]):]
print(",".join(e["payload"]["reason"].replace("REASON_", "").lower() + "@" + e.get("audience", "-") for e in r))' "$NREF")" \
	"unknown_vehicle@p,invalid@p,not_your_tour@eve"
check_eq "... and another driver's start changed nothing" "$(ev2 'print(len(about("TourStatusChanged")))') $(curl -s "$API/v1/tours/$DATE" | python3 -c '
import json, sys
print([t["status"] for t in json.load(sys.stdin)["tours"] if t["tourId"] == sys.argv[1]][0])' "$TOUR2")" \
	"0 TOUR_STATUS_PLANNED"
check_eq "GET ?driver=dan: the tours bound to dan, with their driverId" \
	"$(curl -s "$API/v1/tours/$DATE?driver=dan" | python3 -c '
import json, sys
print(" ".join(t["tourId"] + ":" + t.get("driverId", "-") for t in json.load(sys.stdin).get("tours", [])))')" \
	"$TOUR2:dan"
check_eq "GET ?driver=eve: none; the others have no driver" \
	"$(curl -s "$API/v1/tours/$DATE?driver=eve") $(curl -s "$API/v1/tours/$DATE" | python3 -c '
import json, sys
ts = json.load(sys.stdin)["tours"]
print(len(ts) > 1 and all(t.get("driverId", "") == ("dan" if t["vehicleId"] == sys.argv[1] else "") for t in ts))' "$VEH2")" \
	'{} True'
check_eq "a malformed driver in the query: 400" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/tours/$DATE?driver=a%20b")" 400
gwa dan driver TourStarted "{\"tourId\":\"$TOUR2\",\"odometerKm\":\"500\"}"
gwa eve driver StopArrived "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S1}"
gwa dan driver StopArrived "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S1}"
gwa eve driver StopCompleted "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S1}"
gwa boss operator,receiver StopCompleted "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S1}"
check "the bound driver's, another's and an operator's reports applied" wait_applied 30
outbox
check_eq "the bound driver starts and arrives, an operator completes; another driver is refused twice" "$(ev2 '
ts = about("TourStatusChanged")
ss = about("StopStatusChanged")
print(len(ts), ts[0]["payload"]["to"], ts[0]["actor"], aud(ts[0]),
      [(s["payload"]["to"].replace("STOP_STATUS_", ""), s["actor"], aud(s)) for s in ss])')" \
	"1 TOUR_STATUS_STARTED dan dan [('ARRIVED', 'dan', 'dan'), ('COMPLETED', 'boss', 'dan')]"
check_eq "another driver's reports: not_your_tour, for that driver" "$(py '
import json
r = [json.loads(l) for l in open(sys.argv[1]) if "lz.tours.v1.CommandRefused" in l][int(sys.argv[2]) + 3:]
print(",".join(e["payload"]["reason"].replace("REASON_", "").lower() + "@" + e.get("audience", "-") for e in r))' "$NREF")" \
	"not_your_tour@eve,not_your_tour@eve"
check_eq "the tasks of the bound tour: their changes for its driver too" "$(ev2 '
tasks = {x for t in about("TourPlanned")[-1:] for s in t["payload"]["tour"]["stops"] for x in s.get("taskIds", [])}
ch = [e for e in evs if e["type"] == "lz.tours.v1.TaskStatusChanged" and e["payload"]["task"]["taskId"] in tasks
      and e["payload"].get("tourId") == tour and e["payload"]["to"] in ("TASK_STATUS_ON_BOARD", "TASK_STATUS_DONE")]
print(len(ch) > 0, all(aud(e) == "dan" for e in ch), all(e["tenant"] for e in ch))')" "True True True"
# A report says when it happened ("at", the phone's time: a report queued
# without network keeps it); outside the tour's day it is refused.
MID=$(TZ=Europe/Paris date -d "$DATE 00:00" +%s)
NREF=$(py 'print(len(of("CommandRefused")))')
gwa dan driver StopArrived "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S2,\"at\":\"$((MID - 7 * 3600))\"}"
gwa dan driver StopArrived "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S2,\"at\":\"$((MID + 31 * 3600))\"}"
gwa dan driver StopArrived "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S2,\"at\":\"$((MID + 9 * 3600))\"}"
check "reports with their own time applied" wait_applied 30
outbox
check_eq "a report's time outside the tour's day: refused (invalid), says why" "$(py '
r = of("CommandRefused")[int(sys.argv[2]):]
print(len(r), set(x["reason"] for x in r), all("outside its day" in x.get("detail", "") for x in r))' "$NREF")" \
	"2 {'REASON_INVALID'} True"
check_eq "within it: the stop's change and the read model carry the report's time" "$(ev2 '
s = about("StopStatusChanged")[-1]
print(s["payload"]["to"], s["payload"]["at"])') $(curl -s "$API/v1/tours/$DATE" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tours"]:
    for s in t["stops"]:
        if t["tourId"] == sys.argv[1] and s.get("index") == int(sys.argv[2]):
            print(s.get("reportedAt"))' "$TOUR2" "$T2S2")" "STOP_STATUS_ARRIVED $((MID + 9 * 3600)) $((MID + 9 * 3600))"
gw AssignDriver "{\"date\":\"$DATE\",\"vehicleId\":\"$VEH2\",\"driverId\":\"\"}"
gwa eve driver StopFailed "{\"tourId\":\"$TOUR2\",\"stopIndex\":$T2S2,\"reason\":\"FAIL_REASON_CLOSED\"}"
check "unbinding and a report after it applied" wait_applied 30
outbox
check_eq "unbound: DriverAssigned for the tenant and for the driver it had; the tour without driver" "$(py '
import json
e = [json.loads(l) for l in open(sys.argv[1]) if "DriverAssigned" in l][-2:]
print([(x["payload"].get("driverId", ""), x["payload"].get("previousDriverId"), x.get("audience", "-")) for x in e])')" \
	"[('', 'dan', '-'), ('', 'dan', 'dan')]"
check_eq "... and any driver may report on it again" "$(ev2 '
s = about("StopStatusChanged")[-1]
print(s["payload"]["to"], s["actor"], aud(s))')" "STOP_STATUS_FAILED eve -"
check_eq "... and ?driver=dan lists nothing" "$(curl -s "$API/v1/tours/$DATE?driver=dan")" '{}'

gw PlanWave "{\"date\":\"$DATE\",\"wave\":\"pm\"}"
check "second wave of the day applied" wait_applied 90
outbox
check_eq "a later wave of the same day does not plan the failed stop" "$(py "
p = last('$FAILTASK')
print(p['to'] != 'TASK_STATUS_PLANNED' or p['task']['date'] == '$NEXT')")" True
gw PlanWave "{\"date\":\"$NEXT\"}"
check "next day's wave applied" wait_applied 90
outbox
check_eq "the next day's wave plans the failed stop again" "$(py "
p = last('$FAILTASK')
print(p['to'], p.get('tourId', '').startswith('$NEXT/'), p['task']['attempts'])")" "TASK_STATUS_PLANNED True 1"

# ---- a late order is inserted into a planned tour ----
ord "{\"type\":\"lz.orders.v1.OrderPlaced\",\"tenant\":\"m9\",\"payload\":{\"order\":{\"orderId\":\"m9/late\",\"memberId\":\"m9\",\"destinationSiteId\":\"c-15e-014\",\"deliveryWindow\":{\"start\":\"$((M0 + 8 * 3600))\",\"end\":\"$((M0 + 16 * 3600))\"},\"lines\":[{\"quantity\":1,\"unitGrams\":1000,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}],\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"status\":\"ORDER_STATUS_PLACED\"}}}"
ord '{"type":"lz.orders.v1.OrderStatusChanged","tenant":"m9","payload":{"orderId":"m9/late","from":"ORDER_STATUS_PLACED","to":"ORDER_STATUS_CONFIRMED"}}'
ord '{"type":"lz.orders.v1.OrderStatusChanged","tenant":"m9","payload":{"orderId":"m9/heavy","from":"ORDER_STATUS_CONFIRMED","to":"ORDER_STATUS_CANCELLED"}}'
gw PlanWave '{"date":"2026-12-01"}' livrazou
echo '{"type":"lz.tours.v1.PlanWave","tenant":"x","payloadBase64":"////"}' >&3
SENT_GW=$((SENT_GW + 1))
check "late order applied" wait_applied 90
outbox
check_eq "late order inserted into a tour that has not started" "$(py '
p = last("del:m9/late")
t = [x["tour"] for x in of("TourPlanned") if x["tour"]["tourId"] == p.get("tourId")]
print(p["to"], p.get("detail"), t[-1].get("revision", 0) >= 1, any("del:m9/late" in s.get("taskIds", []) for s in t[-1]["stops"]))')" \
	"TASK_STATUS_PLANNED late insertion True True"
check_eq "cancelled order: its task is cancelled" "$(py 'print(last("del:m9/heavy")["to"])')" TASK_STATUS_CANCELLED
check "garbage payload counted" wait_metric "$TOURS_ADMIN" 'lz_events_refused_total{reason="payload"}' 1 5

# ---- events from a source not allowed ----
SEQ=$(metric "$TOURS_ADMIN" lz_outbox_seq)
WAVES=$(metric "$TOURS_ADMIN" lz_tours_waves_total)
# An order placed and confirmed as if by the orders service, but published
# by the gateway (any partner could), and a wave asked by the orders
# service: each would create a task or plan tours.
echo "{\"type\":\"lz.orders.v1.OrderPlaced\",\"tenant\":\"m9\",\"payload\":{\"order\":{\"orderId\":\"m9/spoof\",\"memberId\":\"m9\",\"destinationSiteId\":\"c-15e-014\",\"deliveryWindow\":{\"start\":\"$((M0 + 8 * 3600))\",\"end\":\"$((M0 + 16 * 3600))\"},\"lines\":[{\"quantity\":1,\"unitGrams\":1000,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}],\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"status\":\"ORDER_STATUS_PLACED\"}}}" >&3
echo '{"type":"lz.orders.v1.OrderStatusChanged","tenant":"m9","payload":{"orderId":"m9/spoof","from":"ORDER_STATUS_PLACED","to":"ORDER_STATUS_CONFIRMED"}}' >&3
SENT_GW=$((SENT_GW + 2))
ord "{\"type\":\"lz.tours.v1.PlanWave\",\"tenant\":\"livrazou\",\"payload\":{\"date\":\"$DATE\",\"wave\":\"spoof\"}}"
check "events from a source not allowed applied" wait_applied 30
check_eq "events from a source not allowed: refused, counted by reason source" \
	"$(metric "$TOURS_ADMIN" 'lz_events_refused_total{reason="source"}')" 3
check_eq "... and they change nothing: no task, no wave, the outbox unchanged" \
	"$(curl -s "$API/v1/tasks/$DATE" | grep -c 'm9/spoof') $(metric "$TOURS_ADMIN" lz_tours_waves_total) $(metric "$TOURS_ADMIN" lz_outbox_seq)" \
	"0 $WAVES $SEQ"
check "... and they are logged with the sources allowed" sh -c "
	grep 'event refused' '$TMP/tours.log' | grep 'source=gateway' | grep 'type=lz.orders.v1.OrderPlaced' | grep 'reason=source' | grep -q 'allowed=orders' &&
	grep 'event refused' '$TMP/tours.log' | grep 'source=orders' | grep 'type=lz.tours.v1.PlanWave' | grep 'reason=source' | grep -q 'allowed=gateway'"
# ---- malformed identifiers in the drivers' reports ----
gw TourStarted '{"tourId":"not a tour"}'
gw StopCompleted "{\"tourId\":\"$TOUR\",\"stopIndex\":$S1,\"containersCollected\":[{\"containerType\":\"caisse 30 l\",\"count\":1}]}"
check "malformed reports applied" wait_applied 30
outbox
check_eq "a malformed tour id or container type: invalid, named in the detail" "$(py '
print(",".join(p["reason"].replace("REASON_", "").lower() + ":" + p["detail"].split(":")[0] for p in of("CommandRefused")[-2:]))')" \
	"invalid:tour_id,invalid:containers_collected[0].container_type"
python3 - "$TMP/data/data.json" "$M0" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = int(sys.argv[2])
d["orders"].append({"orderId": "m9/late", "destinationSiteId": "c-15e-014", "source": "ORDER_SOURCE_HUB_STOCK",
    "deliveryWindow": {"start": str(m + 8 * 3600), "end": str(m + 16 * 3600)},
    "lines": [{"quantity": 1, "unitGrams": 1000, "temperatureClass": "TEMPERATURE_CLASS_AMBIENT"}]})
json.dump(d, open(sys.argv[1], "w"))
PY
check "the checker still passes after revisions" \
	python3 tests/integration/check_tours.py "$TMP/data/data.json" "$TMP/out" $PARAMS

# ---- the checker can fail ----
python3 - "$TMP/out" >"$TMP/bad" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "lz.tours.v1.TourPlanned" and not globals().get("done"):
        s = e["payload"]["tour"]["stops"][1]
        s["start"] = str(int(s["start"]) - 86400)
        done = True
    print(json.dumps(e))
PY
check "the checker catches a stop outside its window" sh -c \
	"! python3 tests/integration/check_tours.py $TMP/data/data.json $TMP/bad $PARAMS >/dev/null"

# ---- restart: nothing lost, nothing applied twice ----
BEFORE=$(curl -s "$API/v1/tours/$DATE" | md5sum)
kill "$pid_tours"
wait "$pid_tours" 2>/dev/null
start_tours --time-limit-ms 0 --iterations 300 --insert-iterations 50
wait_applied 30
check_eq "same tours after a restart" "$(curl -s "$API/v1/tours/$DATE" | md5sum)" "$BEFORE"
exec 3>&- 4>&-
summary
