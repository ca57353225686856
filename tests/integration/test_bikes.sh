#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-bikes end to end with the real gateway, bus, orders, inventory and
# tours daemons: an operator registers the directory (a hub, the bike relay,
# centre customers, one site tagged "centre" but outside the configured
# zone, a relay point), a van, two cargo bikes (one insulated) and their
# riders; a shipper places hub-stock orders for the centre; the van tour
# drops them at the relay (its stop completed: the parcels are at the
# relay); two riders on shift get runs planned by lz-bikes, checked here by
# an independent checker (capacity, windows, insulation, one rider a run at
# a time, no run leaving the relay before its parcels are ready there: the
# van's drop, planned and reported, and the failures it re-delivers, plus
# the handling time, from the tours' and bikes' own events); an operator
# moves a parcel to another rider and pins a run's order, which
# re-planning keeps; bad input is refused with specific
# reasons and changes nothing; the riders deliver (with containers back),
# fail, leave a parcel at a relay point, and the orders follow in
# lz-orders; every event about a rider's shift, runs and parcels has that
# rider as audience, a refused report its sender; the relay point's
# member confirms the parcel and an operator hands it over (another
# member's relay point is refused, not_your_relay_point), listed by
# ?member=; a collection request becomes a pickup in a run, as does one
# from the returns service (played by lz-cmdpub; outside the zone it is
# refused as an event); a rider ending a shift early gets its parcels
# re-dispatched; lz-bikes killed with SIGKILL mid-day loses no parcel.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"
# Windows start from now: a zone where it is morning keeps them in one day.
LOCAL_TZ=$(morning_tz)
. "$(dirname "$0")/bikes_lib.sh"

partner ops livrazou operator,receiver
partner shop fournil shipper
partner van livrazou driver
partner alice livrazou rider
partner bob livrazou rider
partner mallory livrazou rider # a rider's phone, but not a registered rider
partner relais epicerie relay  # the relay point rp-noailles
partner autre vrac relay       # another member's relay point
start_bus
start_gateway --rate 100000 --burst 100000
start_orders --no-sync
# Picking is confirmed at each tour's start (pick-on-start, in both
# daemons): the hub's picking lists are test_picking.sh's subject.
start_inventory --no-sync --expiry-scan 86400 --pick-on-start
start_tours --no-sync --time-limit-ms 0 --iterations 200 --bike-wave 24:00 --pick-on-start
HANDLING=900 # lz-bikes' default --handling-s
BIKES_OPTS="--no-sync --centre-zone \"$ZONE\" --iterations 200 --run-max-s 3600 --reload-s 600 --min-run-s 900"
eval start_bikes "$BIKES_OPTS"
"$BIN/lz-bikes" --state "$TMP/bad-zone" --admin 127.0.0.1:0 \
	--centre-zone "5.36 43.29, 5.39" >"$TMP/bad-zone.out" 2>&1
check "a malformed centre zone stops the start" test $? -ne 0
check "and says where" grep -q 'bad centre-zone.*polygon 1, vertex 2' "$TMP/bad-zone.out"
API=http://127.0.0.1:$BIKES_ADMIN
NOW=$(date +%s)
DATE=$(TZ=$LOCAL_TZ date -d "@$NOW" +%F)

# ---- directory, fleet, riders, stock ----
reg RegisterMember '{"member":{"memberId":"livrazou","name":"Livrazou","kind":"MEMBER_KIND_OPERATOR"}}'
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}'
reg RegisterMember '{"member":{"memberId":"epicerie","name":"Epicerie de Noailles","kind":"MEMBER_KIND_RELAY_ASSOCIATION"}}'
site hub-nord livrazou HUB 43.3500 5.3700 nord
site relais-velo livrazou BIKE_RELAY 43.2940 5.3830 centre
site c1 fournil CUSTOMER 43.2965 5.3760 centre
site c2 fournil CUSTOMER 43.2990 5.3800 centre
site c3 fournil CUSTOMER 43.2920 5.3880 centre
site c4 fournil CUSTOMER 43.3010 5.3720 centre
site c5 fournil CUSTOMER 43.2900 5.3790 centre
site c6 fournil CUSTOMER 43.2950 5.3850 centre
site loin fournil CUSTOMER 43.2800 5.4100 centre # tagged centre, outside the polygon
site rp-noailles epicerie RELAY_POINT 43.2960 5.3820 centre
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"frigo-1","name":"Frigo 1","kind":"VEHICLE_KIND_REFRIGERATED_VAN","fuel":"FUEL_TYPE_DIESEL","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"800000","capacityMillilitres":"8000000"},{"temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"300000","capacityMillilitres":"3000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":0,"shiftEnd":86400,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"froid","temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"2000000","capacityMillilitres":"3000000"}}'
USE_BY=$((NOW + 10 * 86400))
cmd ops lz.inventory.v1.ReceiveLot "{\"lotId\":\"L-yaourt\",\"ownerMemberId\":\"fournil\",\"product\":\"yaourt\",\"quantity\":\"100\",\"unitGrams\":\"125\",\"unitMillilitres\":\"100\",\"temperatureClass\":\"TEMPERATURE_CLASS_CHILLED\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$USE_BY\",\"zoneId\":\"froid\"}"
cmd ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"600","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}'
# Two bikes: 50 kg, and 40 kg insulated.  Riders are the phones' partners.
cmd ops lz.bikes.v1.RegisterBike '{"bike":{"bikeId":"cargo-1","name":"Cargo 1","capacityGrams":"50000","capacityMillilitres":"900000","trailer":true}}'
cmd ops lz.bikes.v1.RegisterBike '{"bike":{"bikeId":"cargo-2","name":"Cargo 2 isotherme","capacityGrams":"40000","capacityMillilitres":"600000","insulated":true}}'
cmd ops lz.bikes.v1.RegisterRider '{"rider":{"riderId":"alice","name":"Alice","note":"chantier d insertion"}}'
cmd ops lz.bikes.v1.RegisterRider '{"rider":{"riderId":"bob","name":"Bob"}}'
check "directory, fleet, riders and stock applied" settle

# ---- orders for the centre ----
win() { echo "{\"start\":\"$((NOW + $1 * 60))\",\"end\":\"$((NOW + $2 * 60))\"}"; }
FARINE() { echo "{\"product\":\"farine\",\"quantity\":$1,\"unitGrams\":1000,\"unitMillilitres\":1200,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}"; }
YAOURT='{"product":"yaourt","quantity":12,"unitGrams":125,"unitMillilitres":100,"temperatureClass":"TEMPERATURE_CLASS_CHILLED"}'
order() { # REF SITE WINDOW LINE
	cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"$1\",\"destinationSiteId\":\"$2\",\"deliveryWindow\":$3,\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$4]}"
}
order o1 c1 "$(win 5 300)" "$(FARINE 15)"
order o2 c2 "$(win 5 300)" "$(FARINE 15)"
order o3 c3 "$(win 5 300)" "$(FARINE 15)"
order o4 c4 "$(win 5 300)" "$(FARINE 15)"
order o5 c5 "$(win 120 180)" "$(FARINE 15)" # a later window
order o6 c6 "$(win 5 300)" "$YAOURT"         # chilled
order o7 c2 "$(win 5 300)" "$(FARINE 20)"
order heavy c1 "$(win 5 300)" "$(FARINE 200)" # heavier than every bike
order far loin "$(win 5 300)" "$(FARINE 5)"   # outside the zone
ALL="o1 o2 o3 o4 o5 o6 o7 heavy far"
check "orders applied" settle
check_eq "every order confirmed (hub stock reserved)" "$(statuses $ALL)" \
	"o1:CONFIRMED o2:CONFIRMED o3:CONFIRMED o4:CONFIRMED o5:CONFIRMED o6:CONFIRMED o7:CONFIRMED heavy:CONFIRMED far:CONFIRMED"

# ---- the van tour to the relay ----
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"am\"}"
check "wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 30
check "plan applied" settle
TOUR="$DATE/am/frigo-1"
RELAY_STOPS=$(relay_stops "$DATE")
check "the van's tour stops at the bike relay" test -n "$RELAY_STOPS"
check_eq "lz-bikes expects the nine parcels" "$(parcels_json | python3 -c '
import json, sys
print(" ".join(sorted(p["parcelId"].split("/")[1] + "=" + p["status"].replace("PARCEL_STATUS_", "") for p in json.load(sys.stdin)["parcels"])))')" \
	"far=EXPECTED heavy=EXPECTED o1=EXPECTED o2=EXPECTED o3=EXPECTED o4=EXPECTED o5=EXPECTED o6=EXPECTED o7=EXPECTED"
check_eq "a parcel too heavy for any bike is flagged as it is announced" "$(parcel heavy)" "EXPECTED - TOO_HEAVY"
check_eq "a parcel outside the centre zone is flagged" "$(parcel far)" "EXPECTED - OUT_OF_ZONE"
check_eq "each expected parcel is ready at the van's planned arrival at the relay plus handling" \
	"$(curl -s "http://127.0.0.1:$TOURS_ADMIN/v1/tours/$DATE" >"$TMP/tours-planned.json"
	parcels_json | python3 -c '
import json, sys
arr = {t: int(s["arrival"]) for tr in json.load(open(sys.argv[1]))["tours"]
       for s in tr["stops"] if s.get("siteId") == "relais-velo" for t in s.get("taskIds", [])}
ps = json.load(sys.stdin)["parcels"]
print(len(ps), sum(int(p.get("readyAt", 0)) == arr[p["parcelId"]] + int(sys.argv[2]) for p in ps))' \
		"$TMP/tours-planned.json" "$HANDLING")" "9 9"

# Riders start their shifts before the van arrives: nothing to ride yet.
SHIFT_END=$((NOW + 4 * 3600))
# A shift declared ahead starts from now on, within a week, and lasts at
# most a day: anything else is refused and starts nothing.
cmd alice lz.bikes.v1.StartShift "{\"bikeId\":\"cargo-1\",\"start\":\"$((NOW - 7200))\"}"
cmd alice lz.bikes.v1.StartShift "{\"bikeId\":\"cargo-1\",\"start\":\"$((NOW + 8 * 86400))\"}"
cmd alice lz.bikes.v1.StartShift "{\"bikeId\":\"cargo-1\",\"start\":\"$((NOW + 3600))\",\"end\":\"$((NOW + 2 * 86400))\"}"
check "bad shifts applied" settle
check_eq "a shift starting in the past, beyond a week or longer than a day is refused (invalid)" \
	"$(refused invalid)" 3
cmd alice lz.bikes.v1.StartShift "{\"bikeId\":\"cargo-1\",\"end\":\"$SHIFT_END\"}"
cmd bob lz.bikes.v1.StartShift "{\"bikeId\":\"cargo-2\",\"end\":\"$SHIFT_END\"}"
cmd mallory lz.bikes.v1.StartShift '{"bikeId":"cargo-1"}'
check "shifts applied" settle
check_eq "GET /v1/fleet: the bikes, the shifts open; ?rider= that rider's" "$(curl -s "$API/v1/fleet" | python3 -c '
import json, sys
f = json.load(sys.stdin)
print(sorted(b["bikeId"] for b in f["bikes"]), sorted(s["riderId"] + ":" + s["bikeId"] for s in f["shifts"]))') $(curl -s "$API/v1/fleet?rider=bob" | python3 -c '
import json, sys
print([s["riderId"] for s in json.load(sys.stdin)["shifts"]])')" "['cargo-1', 'cargo-2'] ['alice:cargo-1', 'bob:cargo-2'] ['bob']"
check_eq "a phone that is no registered rider is refused (unknown_rider)" "$(refused unknown_rider)" 1
check_eq "no run without parcels at the relay" "$(runs_json)" '{}'

drv() { cmd van "lz.tours.v1.$1" "$2"; }
drv TourStarted "{\"tourId\":\"$TOUR\"}"
for s in $RELAY_STOPS; do # one stop per consolidated relay job
	drv StopArrived "{\"tourId\":\"$TOUR\",\"stopIndex\":$s}"
	drv StopCompleted "{\"tourId\":\"$TOUR\",\"stopIndex\":$s}"
done
check "the van's stop at the relay applied" settle
check_eq "orders at the bike relay in lz-orders" "$(statuses $ALL)" \
	"o1:AT_BIKE_RELAY o2:AT_BIKE_RELAY o3:AT_BIKE_RELAY o4:AT_BIKE_RELAY o5:AT_BIKE_RELAY o6:AT_BIKE_RELAY o7:AT_BIKE_RELAY heavy:AT_BIKE_RELAY far:AT_BIKE_RELAY"

# ---- the independent checker ----
# Reads the runs and checks them against what this test knows: parcel
# weights, windows and classes (from the orders placed), bike capacities,
# insulation, the riders' shifts; every plannable parcel in exactly one
# live run; runs of a rider one after the other.
cat >"$TMP/check_runs.py" <<EOF
import json, sys
runs = [r for r in json.load(open(sys.argv[1])).get("runs", [])
        if r.get("status") in ("RUN_STATUS_PLANNED", "RUN_STATUS_STARTED")]
want = set(sys.argv[2].split())   # parcels that must be planned
riders = set(sys.argv[3].split())  # riders that may ride
now = $NOW
W = lambda a, b: (now + a * 60, now + b * 60)
grams = {"o1": 15000, "o2": 15000, "o3": 15000, "o4": 15000, "o5": 15000,
         "o6": 1500, "o7": 20000, "heavy": 200000, "far": 5000}
window = {k: W(5, 300) for k in grams}
window["o5"] = W(120, 180)
cold = {"o6"}
cap = {"cargo-1": 50000, "cargo-2": 40000}
insulated = {"cargo-2"}
pickups = {k: v for k, v in (a.split("=") for a in sys.argv[4].split())} if len(sys.argv) > 4 else {}
seen, errors = {}, []
for r in runs:
    if r["riderId"] not in riders:
        errors.append("run %s of %s" % (r["runId"], r["riderId"]))
    load = 0
    for s in r["stops"]:
        for p in s.get("parcelIds", []):
            ref = p.split("/")[1]
            seen[ref] = seen.get(ref, 0) + 1
            load += grams[ref]
            a = int(s.get("arrival", 0))
            if max(a, window[ref][0]) > window[ref][1]:
                errors.append("%s outside its window in %s" % (ref, r["runId"]))
            if ref in cold and r["bikeId"] not in insulated:
                errors.append("%s chilled on %s" % (ref, r["bikeId"]))
    if load > cap[r["bikeId"]]:
        errors.append("%s carries %d g > %d" % (r["runId"], load, cap[r["bikeId"]]))
    onboard = load
    for s in r["stops"]:
        onboard -= sum(grams[p.split("/")[1]] for p in s.get("parcelIds", []))
        onboard += sum(int(pickups.get(q, 0)) for q in s.get("requestIds", []))
        if onboard > cap[r["bikeId"]]:
            errors.append("%s over capacity after a pickup" % r["runId"])
    if int(r["end"]) > $SHIFT_END or int(r["start"]) < now - 60:
        errors.append("%s outside the shift" % r["runId"])
by_rider = {}
for r in runs:
    by_rider.setdefault(r["riderId"], []).append((int(r["start"]), int(r["end"]), r["runId"]))
for rd, lst in by_rider.items():
    lst.sort()
    for a, b in zip(lst, lst[1:]):
        if a[1] > b[0]:
            errors.append("%s and %s overlap" % (a[2], b[2]))
for ref in want:
    if seen.get(ref, 0) != 1:
        errors.append("%s in %d runs" % (ref, seen.get(ref, 0)))
for ref in seen:
    if ref not in want:
        errors.append("%s planned, should not be" % ref)
# Ready at the relay, from the tours' and bikes' events (not lz-bikes'
# readyAt): the van's planned arrival at the relay or its reported drop,
# whichever is later (a report ahead of the plan is taken as the plan);
# after a failure in run R, the failure and R back at the relay (planned
# end; reported: completed), whichever is latest; plus the handling.
H = $HANDLING
def history(path):
    return [json.loads(l) for l in open(path) if l.strip()]
arrival, drop, run_end, run_back, fails = {}, {}, {}, {}, {}
for e in history("$TMP/tours.jsonl"):
    p = e["payload"]
    if e["type"] == "lz.tours.v1.TourPlanned":
        for s in p["tour"]["stops"]:
            if s.get("siteId") == "relais-velo":
                for t in s.get("taskIds", []):
                    arrival[t] = int(s["arrival"])
    elif (e["type"] == "lz.tours.v1.TaskStatusChanged" and p.get("to") == "TASK_STATUS_DONE"
          and p["task"].get("kind") == "TASK_KIND_RELAY_DELIVERY"):
        drop[p["task"]["taskId"]] = int(p["at"])
for e in history("$TMP/bikes.jsonl"):
    p = e["payload"]
    if e["type"] == "lz.bikes.v1.RunPlanned":
        run_end[p["run"]["runId"]] = int(p["run"]["end"])
    elif e["type"] == "lz.bikes.v1.RunStatusChanged" and p.get("to") == "RUN_STATUS_COMPLETED":
        run_back[p["runId"]] = int(p["at"])
    elif (e["type"] == "lz.bikes.v1.ParcelStatusChanged" and p.get("to") == "PARCEL_STATUS_FAILED"
          and p.get("from") == "PARCEL_STATUS_ON_BIKE"):
        fails.setdefault(p["parcel"]["parcelId"], []).append((int(p["at"]), p["parcel"]["runId"]))
def ready(pid):
    r, why = max(arrival.get(pid, 0), drop.get(pid, 0)) + H, "the van's drop"
    for at, run in fails.get(pid, []):
        back = max(at, run_end.get(run, 0), run_back.get(run, 0)) + H
        if back > r:
            r, why = back, "its failure in %s" % run
    return r, why
for r in runs:
    for s in r["stops"]:
        for p in s.get("parcelIds", []):
            t, why = ready(p)
            if p not in drop:
                errors.append("%s planned in %s before the van dropped it" % (p, r["runId"]))
            elif int(r["start"]) < t:
                errors.append("%s leaves at %d, %d s before %s is ready (%s)"
                              % (r["runId"], int(r["start"]), t - int(r["start"]), p, why))
# And lz-bikes says so: each open parcel's readyAt is that time (the van's
# planned arrival plus handling while it is expected).
for p in json.load(open("$TMP/parcels.json")).get("parcels", []):
    pid, st = p["parcelId"], p["status"]
    if st == "PARCEL_STATUS_EXPECTED":
        want_t = arrival[pid] + H if pid in arrival else 0
    elif pid in drop:
        want_t = ready(pid)[0]
    else:
        continue
    if int(p.get("readyAt", 0)) != want_t:
        errors.append("%s (%s) ready at %s, want %d" % (pid, st, p.get("readyAt", 0), want_t))
print("; ".join(errors) or "ok")
EOF
# tap SOURCE: the events SOURCE published so far, one JSON line each.
tap() {
	local ep
	case $1 in tours) ep=$TOURS_REPLAY ;; bikes) ep=$BIKES_REPLAY ;; esac
	"$BIN/lz-tap" --replay "$1" --replay-endpoint "$ep" 2>/dev/null
}
check_runs() { # PLANNABLE RIDERS [PICKUPS]
	runs_json >"$TMP/runs.json"
	parcels_json >"$TMP/parcels.json"
	tap tours >"$TMP/tours.jsonl"
	tap bikes >"$TMP/bikes.jsonl"
	python3 "$TMP/check_runs.py" "$TMP/runs.json" "$@"
}
# ready_of REF: lz-bikes' ready time of parcel REF (readyAt), "-" if none.
ready_of() {
	parcels_json | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("parcels", []):
    if p["parcelId"] == "del:fournil/" + sys.argv[1]:
        print(p.get("readyAt", "-"))
        break
else:
    print("-")' "$1"
}
PLANNABLE="o1 o2 o3 o4 o5 o6 o7"
check_eq "runs planned for two riders: capacity, windows, insulation, shifts" \
	"$(check_runs "$PLANNABLE" "alice bob")" ok
check_eq "both riders ride; 96.5 kg over 90 kg of bikes: a rider comes back to reload" \
	"$(runs_json | python3 -c '
import json, sys
rs = json.load(sys.stdin)["runs"]
print(sorted(set(r["riderId"] for r in rs)), len(rs) >= 3)')" "['alice', 'bob'] True"
check_eq "the chilled parcel rides the insulated bike (bob)" "$(parcel o6 | cut -d' ' -f1,2)" "PLANNED bob"
check_eq "the heavy parcel waits at the relay, too heavy" "$(parcel heavy)" "AT_RELAY - TOO_HEAVY"
check_eq "the parcel outside the zone waits, flagged" "$(parcel far)" "AT_RELAY - OUT_OF_ZONE"
check_eq "parcels waiting metric (at the relay, not on a bike)" \
	"$(metric "$BIKES_ADMIN" lz_bikes_parcels_waiting)" 9
check "GET /v1/runs/<date>.geojson: a LineString per run, a Point per visit" sh -c "
	curl -s '$API/v1/runs/$DATE.geojson' | python3 -c '
import json, sys
g = json.load(sys.stdin)
lines = [f for f in g[\"features\"] if f[\"geometry\"][\"type\"] == \"LineString\"]
pts = [f for f in g[\"features\"] if f[\"geometry\"][\"type\"] == \"Point\"]
ok = (g[\"type\"] == \"FeatureCollection\" and len(lines) >= 3 and pts
      and lines[0][\"geometry\"][\"coordinates\"][0] == [5.383, 43.294])
print(\"#\", len(lines), len(pts), lines and lines[0][\"geometry\"][\"coordinates\"][0])
sys.exit(not ok)'"
check_eq "a bad date is a 400" "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/runs/2026-13-45")" 400
check_eq "?rider=: one rider's runs" "$(curl -s "$API/v1/runs/$DATE?rider=bob" | python3 -c '
import json, sys
rs = json.load(sys.stdin)["runs"]
print(len(rs) > 0 and all(r["riderId"] == "bob" for r in rs))')" True
check_eq "a malformed rider is a 400" "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/runs/$DATE?rider=a%20b")" 400
check_eq "read models are GET only" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/v1/parcels")" 405
check_eq "the waiting list: at the relay, not on a bike" \
	"$(curl -s "$API/v1/parcels/waiting" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["parcels"]))')" 9

# ---- an operator moves a parcel to another rider ----
A_O1=$(parcel o1 | cut -d' ' -f2)
OTHER=$([ "$A_O1" = alice ] && echo bob || echo alice)
cmd ops lz.bikes.v1.AssignParcel "{\"parcelId\":\"del:fournil/o1\",\"riderId\":\"$OTHER\"}"
cmd ops lz.bikes.v1.AssignParcel '{"parcelId":"del:fournil/o1","riderId":"zoe"}'
check "assignment applied" settle
check_eq "o1 moved from $A_O1 to $OTHER" "$(parcel o1 | cut -d' ' -f2)" "$OTHER"
check_eq "an assignment to an unknown rider is refused" "$(refused unknown_rider)" 2
check_eq "the plan still holds" "$(check_runs "$PLANNABLE" "alice bob")" ok
cmd ops lz.bikes.v1.AssignParcel '{"parcelId":"del:fournil/o1","riderId":""}'
check "o1 back to any rider" settle

# ---- an operator pins a run's order; re-planning keeps it ----
visits() { # RUN: "revision pinned site site..."
	runs_json | python3 -c '
import json, sys
for r in json.load(sys.stdin)["runs"]:
    if r["runId"] == sys.argv[1]:
        print(r.get("revision", 0), r.get("pinned", False),
              " ".join(s["siteId"] for s in r["stops"] if s.get("kind") == "STOP_KIND_VISIT"))' "$1"
}
PIN=$(runs_json | python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin)["runs"], key=lambda r: int(r["start"])):
    sites = [s["siteId"] for s in r["stops"] if s.get("kind") == "STOP_KIND_VISIT"]
    refs = [p for s in r["stops"] for p in s.get("parcelIds", [])]
    if r["status"] == "RUN_STATUS_PLANNED" and len(sites) >= 2 and "del:fournil/o5" not in refs:
        print(r["runId"], r.get("revision", 0), " ".join(reversed(sites)))
        break')
set -- $PIN
PIN_RUN=${1:-none}
PIN_REV=${2:-0}
shift 2
PIN_SITES="$*"
echo "# pinning $PIN_RUN (revision $PIN_REV) as: $PIN_SITES"
cmd ops lz.bikes.v1.PinRun "{\"runId\":\"$PIN_RUN\",\"siteIds\":[$(echo "$PIN_SITES" | sed 's/[^ ]*/"&"/g; s/ /,/g')]}"
cmd ops lz.bikes.v1.PinRun "{\"runId\":\"$PIN_RUN\",\"siteIds\":[\"c1\",\"nowhere\"]}"
cmd ops lz.bikes.v1.PinRun '{"runId":"2020-01-01/alice/001"}'
check "pins applied" settle
check_eq "the run follows the operator's order (a new revision, pinned)" \
	"$(visits "$PIN_RUN")" "$((PIN_REV + 1)) True $PIN_SITES"
check_eq "a pin naming sites not in the run, or an unknown run: refused" \
	"$(refused invalid) $(refused unknown_run)" "4 1"
cmd ops lz.bikes.v1.PlanRuns "{\"date\":\"$DATE\"}"
check "re-planning applied" settle
check_eq "re-planning keeps the pinned run as it is" \
	"$(visits "$PIN_RUN")" "$((PIN_REV + 1)) True $PIN_SITES"
check_eq "and the plan still holds" "$(check_runs "$PLANNABLE" "alice bob")" ok

# ---- the riders ride ----
RUN_A=$(runs_json | python3 -c '
import json, sys
print(min((r["start"], r["runId"]) for r in json.load(sys.stdin)["runs"] if r["riderId"] == "alice" and r["status"] == "RUN_STATUS_PLANNED")[1])')
PARCELS_A=$(runs_json | python3 -c '
import json, sys
for r in json.load(sys.stdin)["runs"]:
    if r["runId"] == sys.argv[1]:
        print(" ".join(p.split("/")[1] for s in r["stops"] for p in s.get("parcelIds", [])))' "$RUN_A")
echo "# alice's first run $RUN_A: $PARCELS_A"
set -- $PARCELS_A
P_FIRST=$1
P_SECOND=${2:-}
ride() { cmd "$1" "lz.bikes.v1.$2" "$3"; }
BOB_RUN=$(runs_json | python3 -c '
import json, sys
print(min((r["start"], r["runId"]) for r in json.load(sys.stdin)["runs"] if r["riderId"] == "bob")[1])')
# Bad input before the run starts: each refused with its reason, nothing moves.
ride bob StartRun "{\"runId\":\"$RUN_A\"}"
ride alice DeliverParcel "{\"parcelId\":\"del:fournil/$P_FIRST\"}"
ride alice DeliverParcel '{"parcelId":"del:fournil/nope"}'
ride mallory DeliverParcel "{\"parcelId\":\"del:fournil/$P_FIRST\"}"
check "bad reports applied" settle
check_eq "a rider cannot start another rider's run (not_on_rider_run)" "$(refused not_on_rider_run)" 1
check_eq "delivering before the run started is refused (bad_state)" "$(refused bad_state)" 1
check_eq "an unknown parcel is refused (unknown_parcel)" "$(refused unknown_parcel)" 1
check_eq "an unknown rider's report is refused (unknown_rider)" "$(refused unknown_rider)" 3
check_eq "and nothing changed" "$(parcel "$P_FIRST" | cut -d' ' -f1,2) $(status "$P_FIRST")" "PLANNED alice AT_BIKE_RELAY"

ride alice StartRun "{\"runId\":\"$RUN_A\"}"
check "run start applied" settle
check_eq "alice's parcels on the bike" "$(parcel "$P_FIRST" | cut -d' ' -f1)" ON_BIKE
check_eq "parcels waiting drop by the ones on the bike" \
	"$(metric "$BIKES_ADMIN" lz_bikes_parcels_waiting)" $((9 - $#))
# bob may not confirm alice's parcel: it is not on his run.
ride bob DeliverParcel "{\"parcelId\":\"del:fournil/$P_FIRST\"}"
check "bob's report applied" settle
check_eq "a delivery of a parcel not on the rider's run is refused (not_on_rider_run)" \
	"$(refused not_on_rider_run) $(parcel "$P_FIRST" | cut -d' ' -f1)" "2 ON_BIKE"
# A report says when it happened ("at"): outside the run's day, refused.
INVALID=$(refused invalid)
ride alice DeliverParcel "{\"parcelId\":\"del:fournil/$P_FIRST\",\"at\":\"$((NOW - 2 * 86400))\"}"
check "the report with a time two days back applied" settle
check_eq "a report's time outside the run's day is refused (invalid), nothing moves" \
	"$(($(refused invalid) - INVALID)) $(parcel "$P_FIRST" | cut -d' ' -f1)" "1 ON_BIKE"
AT=$(($(date +%s) + 5))
ride alice DeliverParcel "{\"parcelId\":\"del:fournil/$P_FIRST\",\"at\":\"$AT\",\"containersCollected\":[{\"containerType\":\"bocal-500\",\"count\":4}]}"
if [ -n "$P_SECOND" ]; then
	ride alice FailParcel "{\"parcelId\":\"del:fournil/$P_SECOND\",\"reason\":\"FAIL_REASON_ABSENT\"}"
fi
check "deliveries applied" settle
check_eq "delivered: the order follows in lz-orders" "$(status "$P_FIRST")" DELIVERED
check "the delivery event carries the containers collected back, at the report's own time" sh -c "
	'$BIN/lz-tap' --replay bikes --replay-endpoint '$BIKES_REPLAY' 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    p = o[\"payload\"]
    if o[\"type\"] == \"lz.bikes.v1.ParcelStatusChanged\" and p.get(\"to\") == \"PARCEL_STATUS_DELIVERED\":
        sys.exit(not (p.get(\"containersCollected\") == [{\"containerType\": \"bocal-500\", \"count\": 4}]
                      and p.get(\"orderStatus\") == 8 and int(p.get(\"at\", 0)) == $AT))
sys.exit(1)'"
if [ -n "$P_SECOND" ]; then
	check_eq "a failed attempt (one left): the order stays at the bike relay" \
		"$(status "$P_SECOND") $(parcel "$P_SECOND" | cut -d' ' -f1)" "AT_BIKE_RELAY FAILED"
fi
ride alice CompleteRun "{\"runId\":\"$RUN_A\",\"distanceM\":\"3200\"}"
check "run completed" settle
if [ -n "$P_SECOND" ]; then
	check_eq "the failed parcel is back at the relay, in a later run" \
		"$(parcel "$P_SECOND" | cut -d' ' -f1) $([ -n "$(run_of "$P_SECOND")" ] && [ "$(run_of "$P_SECOND")" != "$RUN_A" ] && echo later)" \
		"PLANNED later"
fi
check_eq "bike metres counted from the measured distance" "$(metric "$BIKES_ADMIN" lz_bikes_ridden_meters_total)" 3200
check_eq "a rider's shift, runs, parcels: that rider is the audience; a refusal, its sender" "$(tap bikes | python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
def rider(e):
    p, t = e["payload"], e["type"].split(".")[-1]
    if t == "RunPlanned": return p["run"]["riderId"]
    if t in ("ShiftStarted", "ShiftEnded"): return p["shift"]["riderId"]
    if t == "RunStatusChanged": return p["riderId"]
    if t == "ParcelStatusChanged" and p["parcel"].get("riderId"): return p["parcel"]["riderId"]
    return None
mine = [e for e in evs if rider(e)]
kinds = sorted(set(e["type"].split(".")[-1] for e in mine))
refused = [e for e in evs if e["type"] == "lz.bikes.v1.CommandRefused" and e["payload"]["reason"] == "REASON_NOT_ON_RIDER_RUN"]
print(kinds, all(e.get("audience") == rider(e) for e in mine),
      [e.get("audience") for e in refused])')" \
	"['ParcelStatusChanged', 'RunPlanned', 'RunStatusChanged', 'ShiftStarted'] True ['bob', 'bob']"
check_eq "delivered metric" "$(metric "$BIKES_ADMIN" lz_bikes_parcels_delivered_total)" 1

# ---- a reverse-flow pickup in the centre ----
cmd ops lz.bikes.v1.CollectionRequested "{\"requestId\":\"col-bocaux-1\",\"siteId\":\"c3\",\"window\":$(win 5 300),\"grams\":\"6000\",\"millilitres\":\"40000\",\"flow\":\"containers\"}"
cmd ops lz.bikes.v1.CollectionRequested "{\"requestId\":\"col-lourd\",\"siteId\":\"c3\",\"window\":$(win 5 300),\"grams\":\"500000\",\"flow\":\"biowaste\"}"
cmd ops lz.bikes.v1.CollectionRequested "{\"requestId\":\"col-loin\",\"siteId\":\"loin\",\"window\":$(win 5 300),\"grams\":\"1000\",\"flow\":\"containers\"}"
cmd ops lz.bikes.v1.CollectionRequested "{\"requestId\":\"col-bocaux-1\",\"siteId\":\"c3\",\"window\":$(win 5 300),\"grams\":\"6000\",\"flow\":\"containers\"}"
check "collection requests applied" settle
check_eq "the pickup is in a run" "$(runs_json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["runs"] if r["status"] == "RUN_STATUS_PLANNED"
          for s in r["stops"] if "col-bocaux-1" in s.get("requestIds", [])))')" 1
check_eq "too heavy, outside the zone, duplicate: refused with their reasons" \
	"$(refused too_heavy) $(refused out_of_zone) $(refused duplicate)" "1 1 1"
check_eq "the plan still holds, with the pickup" \
	"$(check_runs "$(echo "$PLANNABLE" | sed "s/\b$P_FIRST\b//")" "alice bob" col-bocaux-1=6000)" ok

# ---- collections asked by the returns service (source returns) ----
# lz-cmdpub plays the returns service on the bus: one pickup in the centre,
# one outside the zone (refused: the returns service hears it as a
# PickupStatusChanged to REFUSED).
cat >"$TMP/returns.jsonl" <<EOF
{"type":"lz.bikes.v1.CollectionRequested","payload":{"requestId":"ret-F1","siteId":"c4","window":$(win 5 300),"grams":"3000","millilitres":"20000","flow":"biowaste"}}
{"type":"lz.bikes.v1.CollectionRequested","payload":{"requestId":"ret-F2","siteId":"loin","window":$(win 5 300),"grams":"1000","flow":"containers"}}
EOF
start retpub "$B/tests/lz-cmdpub" --state "$TMP/retpub" --source returns \
	--pub "$XSUB" --replay "$RETURNS_REPLAY" --input "$TMP/returns.jsonl" --no-sync
check "lz-bikes applied the returns service's requests" \
	wait_metric "$BIKES_ADMIN" 'lz_inbox_seq{source="returns"}' 2 30
check "and re-planned" settle
check_eq "the returns service's pickup is in a run" "$(runs_json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["runs"] if r["status"] == "RUN_STATUS_PLANNED"
          for s in r["stops"] if "ret-F1" in s.get("requestIds", [])))')" 1
check_eq "the one outside the zone: PickupStatusChanged to REFUSED (out_of_zone), no command refusal" \
	"$("$BIN/lz-tap" --replay bikes --replay-endpoint "$BIKES_REPLAY" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    p = o["payload"]
    if o["type"] == "lz.bikes.v1.PickupStatusChanged" and p.get("requestId") == "ret-F2":
        print(p.get("to"), p.get("reason"), p.get("cause"))') $(refused out_of_zone)" \
	"PICKUP_STATUS_REFUSED REASON_OUT_OF_ZONE lz.bikes.v1.CollectionRequested 1"

# ---- an event from a source not allowed changes nothing ----
# The same publisher, as source "returns", sends types lz-bikes applies
# from other sources only: a relay task of the tours, an operator's rider
# and re-planning.  Each is refused before it is applied (counted, logged),
# and neither the read models nor lz-bikes' outbox move.
model() { echo "$(parcels_json) $(runs_json) $(curl -s --max-time 5 "$API/v1/pickups")"; }
MODEL_BEFORE=$(model)
OUTBOX_BEFORE=$(metric "$BIKES_ADMIN" lz_outbox_seq)
cat >"$TMP/foreign.jsonl" <<EOF
{"type":"lz.tours.v1.TaskStatusChanged","payload":{"task":{"taskId":"del:fournil/faux","kind":"TASK_KIND_RELAY_DELIVERY","orderId":"fournil/faux","memberId":"fournil","siteId":"relais-velo","finalSiteId":"c1","loads":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","grams":"1000","millilitres":"1000"}]},"to":"TASK_STATUS_DONE"}}
{"type":"lz.bikes.v1.RegisterRider","payload":{"rider":{"riderId":"eve","name":"Eve"}}}
{"type":"lz.bikes.v1.PlanRuns","payload":{"date":"$DATE"}}
EOF
kill -TERM "$pid_retpub"
wait_pid "$pid_retpub" 10
start retpub "$B/tests/lz-cmdpub" --state "$TMP/retpub" --source returns \
	--pub "$XSUB" --replay "$RETURNS_REPLAY" --input "$TMP/foreign.jsonl" --no-sync
check "lz-bikes read the events of a source not allowed" \
	wait_metric "$BIKES_ADMIN" 'lz_inbox_seq{source="returns"}' 5 30
check "and settled" settle
check_eq "they changed neither the read models nor lz-bikes' outbox" \
	"$([ "$(model)" = "$MODEL_BEFORE" ] && echo same) $(metric "$BIKES_ADMIN" lz_outbox_seq)" \
	"same $OUTBOX_BEFORE"
check_eq "each counted as refused for its source" \
	"$(metric "$BIKES_ADMIN" 'lz_events_refused_total{reason="source"}')" 3
check_eq "and logged with the sources allowed" \
	"$(grep -c 'event refused" service=bikes source=returns .*reason=source allowed=' "$TMP/bikes.log") $(grep -c 'type=lz.tours.v1.TaskStatusChanged reason=source allowed=tours' "$TMP/bikes.log") $(grep -c 'type=lz.bikes.v1.RegisterRider reason=source allowed=gateway' "$TMP/bikes.log")" \
	"3 1 1"
check_eq "no undecodable payload" \
	"$(metric "$BIKES_ADMIN" 'lz_events_refused_total{reason="payload"}')" 0

# ---- bob ends his shift early: his parcels are re-dispatched ----
BOB_PARCELS=$(parcels_json | python3 -c '
import json, sys
print(" ".join(sorted(p["parcelId"].split("/")[1] for p in json.load(sys.stdin)["parcels"] if p.get("riderId") == "bob")))')
echo "# bob had: $BOB_PARCELS"
ride bob EndShift '{"note":"crevaison"}'
check "end of shift applied" settle
check_eq "no run left for bob" "$(runs_json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["runs"] if r["riderId"] == "bob" and r["status"] == "RUN_STATUS_PLANNED"))')" 0
check_eq "bob's parcels: the chilled one waits (no insulated bike on shift), the others ride with alice" \
	"$(for p in $BOB_PARCELS; do parcel "$p" | cut -d' ' -f1,2,3 | sed "s/^/$p:/"; done | sort | tr '\n' ' ')" \
	"$(for p in $BOB_PARCELS; do if [ "$p" = o6 ]; then echo "o6:AT_RELAY - NO_INSULATED_BIKE"; else echo "$p:PLANNED alice -"; fi; done | sort | tr '\n' ' ')"
REMAINING=$(echo "$PLANNABLE" | sed "s/\bo6\b//; s/\b$P_FIRST\b//")
check_eq "alice's runs hold everything else, within capacity and windows" \
	"$(check_runs "$REMAINING" alice "col-bocaux-1=6000 ret-F1=3000")" ok
ride bob StartRun "{\"runId\":\"$BOB_RUN\"}"
check "bob's late start applied" settle
check_eq "bob's cancelled run cannot be started (bad_state)" "$(refused bad_state)" 2

# ---- SIGKILL mid-day loses no parcel ----
parcels_json >"$TMP/before.json"
RUN_A2=$(runs_json | python3 -c '
import json, sys
print(min((r["start"], r["runId"]) for r in json.load(sys.stdin)["runs"] if r["riderId"] == "alice" and r["status"] == "RUN_STATUS_PLANNED")[1])')
kill -9 "$pid_bikes"
wait_pid "$pid_bikes" 10
# Commands keep coming while lz-bikes is down.
ride alice StartRun "{\"runId\":\"$RUN_A2\"}"
eval start_bikes "$BIKES_OPTS"
check "lz-bikes back after SIGKILL" settle
check_eq "every parcel still there, the run started while it was down applied" \
	"$(parcels_json | python3 -c '
import json, sys
before = {p["parcelId"]: p for p in json.load(open(sys.argv[1]))["parcels"]}
after = {p["parcelId"]: p for p in json.load(sys.stdin)["parcels"]}
moved = [k for k in after if k in before and after[k]["status"] != before[k]["status"]]
print(sorted(before) == sorted(after), all(after[k]["status"] == "PARCEL_STATUS_ON_BIKE" for k in moved), len(moved) > 0)' "$TMP/before.json")" \
	"True True True"

# ---- the rest of alice's day ----
A2=$(runs_json | python3 -c '
import json, sys
for r in json.load(sys.stdin)["runs"]:
    if r["runId"] == sys.argv[1]:
        print(" ".join([p.split("/")[1] for s in r["stops"] for p in s.get("parcelIds", [])] +
                       ["col:" + q for s in r["stops"] for q in s.get("requestIds", [])]))' "$RUN_A2")
echo "# alice's second run $RUN_A2: $A2"
LEFT=""
FAILED_TWICE=""
DELIVERED_A2=""
FAILS=$([ -n "$P_SECOND" ] && echo 1 || echo 0)
BY_OPS=""
for p in $A2; do
	case $p in
	col:*) ride alice CollectPickup "{\"requestId\":\"${p#col:}\",\"grams\":\"5400\",\"containersCollected\":[{\"containerType\":\"bocal-500\",\"count\":30}]}" ;;
	"$P_SECOND")
		# Its second attempt fails too: no attempt left.
		FAILED_TWICE=$p
		FAILS=2
		ride alice FailParcel "{\"parcelId\":\"del:fournil/$p\",\"reason\":\"FAIL_REASON_CLOSED\"}" ;;
	*) if [ -z "$LEFT" ]; then
		LEFT=$p
		ride alice LeaveAtRelayPoint "{\"parcelId\":\"del:fournil/$p\",\"relayPointId\":\"c1\"}"
		ride alice LeaveAtRelayPoint "{\"parcelId\":\"del:fournil/$p\",\"relayPointId\":\"rp-noailles\"}"
	elif [ -z "$BY_OPS" ]; then
		# alice's phone is out of order: the hub reports for her.
		BY_OPS=$p
		DELIVERED_A2="$DELIVERED_A2 $p"
		ack=$(submit bob lz.bikes.v1.DeliverParcel "{\"parcelId\":\"del:fournil/$p\",\"riderId\":\"alice\"}")
		check_eq "a rider may not report for another rider (the gateway: forbidden)" \
			"$(jfield "$ack" status) $(jfield "$ack" errorCode)" "ACK_STATUS_REJECTED ERROR_CODE_FORBIDDEN"
		ride ops DeliverParcel "{\"parcelId\":\"del:fournil/$p\",\"riderId\":\"alice\"}"
	else
		DELIVERED_A2="$DELIVERED_A2 $p"
		ride alice DeliverParcel "{\"parcelId\":\"del:fournil/$p\"}"
	fi ;;
	esac
done
ride alice CompleteRun "{\"runId\":\"$RUN_A2\"}"
check "second run applied" settle
check_eq "a relay point must be a relay point site (unknown_site)" "$(refused unknown_site)" 1
check "the second run delivered something" test -n "$LEFT$DELIVERED_A2"
if [ -n "$LEFT" ]; then
	check_eq "left at the relay point: the order is delivered there" "$(status "$LEFT")" DELIVERED
	check "its history names the relay point" sh -c "
		curl -s 'http://127.0.0.1:$ORDERS_ADMIN/v1/orders/fournil%2F$LEFT' | grep -q 'relay point rp-noailles'"
fi
if [ -n "$BY_OPS" ]; then
	check_eq "an operator reports for a rider: the parcel is delivered, by the operator, for the rider" \
		"$("$BIN/lz-tap" --replay bikes --replay-endpoint "$BIKES_REPLAY" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    p = o["payload"]
    if o["type"] == "lz.bikes.v1.ParcelStatusChanged" and p["parcel"]["parcelId"] == "del:fournil/" + sys.argv[1]:
        print(p.get("to"), o.get("actor"), o.get("audience"))' "$BY_OPS" | tail -1)" "PARCEL_STATUS_DELIVERED ops alice"
fi
if [ -n "$DELIVERED_A2" ]; then
	check_eq "orders of the delivered parcels delivered in lz-orders" \
		"$(for p in $DELIVERED_A2; do status "$p"; done | sort -u)" DELIVERED
fi
if [ -n "$FAILED_TWICE" ]; then
	check_eq "the last attempt failed: the order fails in lz-orders, the parcel is closed" \
		"$(status "$FAILED_TWICE") $(parcel "$FAILED_TWICE")" "FAILED -"
fi

# ---- the relay point: received, handed over ----
# point_parcels MEMBER: "ref:STATUS..." of the parcels at MEMBER's relay
# points ("-": none).
point_parcels() {
	curl -s --max-time 5 "$API/v1/parcels?member=$1" | python3 -c '
import json, sys
print(" ".join(sorted(p["parcelId"].split("/")[1] + ":" + p["status"].replace("PARCEL_STATUS_", "")
                      for p in json.load(sys.stdin).get("parcels", []))) or "-")'
}
check "a parcel was left at the relay point" test -n "$LEFT"
check_eq "?member=: the parcels at that member's relay points, none at another's" \
	"$(point_parcels epicerie) / $(point_parcels vrac)" "$LEFT:AT_RELAY_POINT / -"
check_eq "a malformed member: 400" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/parcels?member=a%20b")" 400
BAD_STATE0=$(refused bad_state)
cmd autre lz.bikes.v1.ConfirmAtRelayPoint "{\"parcelId\":\"del:fournil/$LEFT\"}"
cmd relais lz.bikes.v1.HandOverParcel "{\"parcelId\":\"del:fournil/$P_FIRST\"}"
check "other relay points' reports applied" settle
check_eq "another member's relay point, a parcel at none: refused (not_your_relay_point), nothing moved" \
	"$(refused not_your_relay_point) $(point_parcels epicerie)" "2 $LEFT:AT_RELAY_POINT"
cmd relais lz.bikes.v1.ConfirmAtRelayPoint "{\"parcelId\":\"del:fournil/$LEFT\",\"note\":\"sur l etagere\"}"
cmd relais lz.bikes.v1.ConfirmAtRelayPoint "{\"parcelId\":\"del:fournil/$LEFT\"}"
cmd ops lz.bikes.v1.ConfirmAtRelayPoint "{\"parcelId\":\"del:fournil/$P_FIRST\"}"
check "the relay point's confirmation applied" settle
check_eq "received by its relay point; confirmed twice, or by an operator for a parcel at none: bad_state" \
	"$(point_parcels epicerie) $(($(refused bad_state) - BAD_STATE0))" "$LEFT:RECEIVED_AT_RELAY_POINT 2"
cmd ops lz.bikes.v1.HandOverParcel "{\"parcelId\":\"del:fournil/$LEFT\"}"
check "the hand-over applied" settle
check_eq "handed over (by an operator); the order stays delivered" \
	"$(point_parcels epicerie) $(status "$LEFT")" "$LEFT:HANDED_OVER DELIVERED"
check_eq "the relay point's reports: for their sender, times kept, the order not moved again" "$(tap bikes | python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
ps = [e for e in evs if e["type"] == "lz.bikes.v1.ParcelStatusChanged" and e["payload"]["parcel"]["parcelId"] == "del:fournil/" + sys.argv[1]][-2:]
print([(e["payload"]["to"].replace("PARCEL_STATUS_", ""), e["actor"], e.get("audience"), e["payload"].get("orderStatus", 0),
        e["payload"]["relayPointId"]) for e in ps],
      int(ps[-1]["payload"]["parcel"]["receivedAt"]) > 0, int(ps[-1]["payload"]["parcel"]["handedOverAt"]) > 0,
      ps[0]["payload"].get("note"))' "$LEFT")" \
	"[('RECEIVED_AT_RELAY_POINT', 'relais', 'relais', 0, 'rp-noailles'), ('HANDED_OVER', 'ops', 'ops', 0, 'rp-noailles')] True True sur l etagere"
check_eq "metrics: received and handed over at relay points" \
	"$(metric "$BIKES_ADMIN" lz_bikes_parcels_received_at_relay_point_total) $(metric "$BIKES_ADMIN" lz_bikes_parcels_handed_over_total)" "1 1"
check_eq "metres: the measured run plus the planned one" \
	"$(awk -v v="$(metric "$BIKES_ADMIN" lz_bikes_ridden_meters_total)" 'BEGIN { print (v > 3200) }')" 1
check_eq "failed attempts counted" "$(metric "$BIKES_ADMIN" lz_bikes_parcels_failed_total)" "$FAILS"
check_eq "no illegal transition in lz-orders" \
	"$(metric "$ORDERS_ADMIN" lz_orders_illegal_transitions_total)" 0
check_eq "every command accepted by the gateway" "$NOT_ACCEPTED" 0
kill -TERM "$pid_bikes"
wait_pid "$pid_bikes" 20
check_eq "lz-bikes stops cleanly on SIGTERM (and without leaks under ASan)" "$?" 0
summary
