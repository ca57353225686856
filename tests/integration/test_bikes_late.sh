#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-bikes hears the van tours before the directory and the orders: its
# sources are independent streams, and here it starts following only the
# gateway and tours.  A parcel dropped at the relay then has no destination
# (unknown_site) nor window and is not planned; once lz-bikes follows
# orders (restarted with its default sources, it replays them from the
# start), the relay, the destination and the order's window arrive, the
# parcel gets them and is planned for the rider on shift, in a run that
# leaves once it is ready at the relay.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"
# Windows start from now: a zone where it is morning keeps them in one day.
LOCAL_TZ=$(morning_tz)
. "$(dirname "$0")/bikes_lib.sh"

partner ops livrazou operator,receiver
partner shop fournil shipper
partner van livrazou driver
partner alice livrazou rider
start_bus
start_gateway --rate 100000 --burst 100000
start_orders --no-sync
# Picking is confirmed at each tour's start (pick-on-start, in both
# daemons): the hub's picking lists are test_picking.sh's subject.
start_inventory --no-sync --expiry-scan 86400 --pick-on-start
start_tours --no-sync --time-limit-ms 0 --iterations 200 --bike-wave 24:00 --pick-on-start
BIKES_FOLLOW_ORDERS=0
start_bikes --no-sync --centre-zone "$ZONE" --iterations 200 \
	--follow gateway,tours
API=http://127.0.0.1:$BIKES_ADMIN
NOW=$(date +%s)
DATE=$(TZ=$LOCAL_TZ date -d "@$NOW" +%F)
W_START=$((NOW + 600))
W_END=$((NOW + 4 * 3600))

reg RegisterMember '{"member":{"memberId":"livrazou","name":"Livrazou","kind":"MEMBER_KIND_OPERATOR"}}'
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}'
site hub-nord livrazou HUB 43.3500 5.3700 nord
site relais-velo livrazou BIKE_RELAY 43.2940 5.3830 centre
site c1 fournil CUSTOMER 43.2965 5.3760 centre
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"van-1","name":"Van 1","kind":"VEHICLE_KIND_ELECTRIC_VAN","fuel":"FUEL_TYPE_ELECTRICITY","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"500000","capacityMillilitres":"5000000"}],"shiftStart":0,"shiftEnd":86400,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"1000000","capacityMillilitres":"2000000"}}'
cmd ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"100","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}'
cmd ops lz.bikes.v1.RegisterBike '{"bike":{"bikeId":"cargo-1","name":"Cargo 1","capacityGrams":"60000","capacityMillilitres":"900000"}}'
cmd ops lz.bikes.v1.RegisterRider '{"rider":{"riderId":"alice","name":"Alice"}}'
check "directory, fleet and stock applied" settle
cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"o1\",\"destinationSiteId\":\"c1\",\"deliveryWindow\":{\"start\":\"$W_START\",\"end\":\"$W_END\"},\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[{\"product\":\"farine\",\"quantity\":12,\"unitGrams\":1000,\"unitMillilitres\":1200,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}]}"
check "order applied" settle
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\"}"
check "wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 30
check "plan applied" settle
cmd alice lz.bikes.v1.StartShift "{\"bikeId\":\"cargo-1\",\"end\":\"$((NOW + 5 * 3600))\"}"
TOUR="$DATE/day/van-1"
cmd van lz.tours.v1.TourStarted "{\"tourId\":\"$TOUR\"}"
for s in $(relay_stops "$DATE"); do
	cmd van lz.tours.v1.StopCompleted "{\"tourId\":\"$TOUR\",\"stopIndex\":$s}"
done
check "the van's drop applied" settle
check_eq "the order is at the bike relay in lz-orders" "$(status o1)" AT_BIKE_RELAY
window_of() {
	parcels_json | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("parcels", []):
    w = p.get("window") or {}
    print(w.get("start", "-"), w.get("end", "-"), "location" in p)'
}
check_eq "at the relay without destination: unknown_site, not planned" \
	"$(parcel o1)" "AT_RELAY - UNKNOWN_SITE"
check_eq "and without the order's window" "$(window_of)" "- - False"
check_eq "no run" "$(runs_json)" '{}'

# lz-bikes now follows orders too: restarted, it replays them.
kill -TERM "$pid_bikes"
check "lz-bikes stopped" wait_pid "$pid_bikes" 20
BIKES_FOLLOW_ORDERS=1
start_bikes --no-sync --centre-zone "$ZONE" --iterations 200
check "lz-bikes caught up with orders" settle
check_eq "the parcel has its destination and the order's window" \
	"$(window_of)" "$W_START $W_END True"
check_eq "and is planned for alice" "$(parcel o1)" "PLANNED alice -"
check_eq "one run, the parcel in its window" "$(runs_json | python3 -c '
import json, sys
rs = json.load(sys.stdin)["runs"]
v = [s for r in rs for s in r["stops"] if "del:fournil/o1" in s.get("parcelIds", [])]
print(len(rs), len(v) == 1 and max(int(v[0]["arrival"]), '"$W_START"') <= '"$W_END"')')" "1 True"
# Ready at the relay: the van's drop (reported now, ahead of its planned
# arrival: the plan holds) plus lz-bikes' default handling, 900 s.
check_eq "the run leaves once the parcel is ready: the van's planned arrival at the relay plus handling" \
	"$(curl -s "http://127.0.0.1:$TOURS_ADMIN/v1/tours/$DATE" >"$TMP/tours.json"
	runs_json | python3 -c '
import json, sys
arr = max(int(s["arrival"]) for t in json.load(open(sys.argv[1]))["tours"]
          for s in t["stops"] if "del:fournil/o1" in s.get("taskIds", []))
r = json.load(sys.stdin)["runs"][0]
print(int(r["start"]) >= max(arr, int(sys.argv[2])) + 900)' "$TMP/tours.json" "$NOW")" True
check_eq "every command accepted by the gateway" "$NOT_ACCEPTED" 0
summary
