#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# lz-tours end to end with the real gateway, bus, orders and inventory
# daemons: an operator registers members, sites (hub, bike relay, producer,
# customers, one of them in the centre zone) and a van, and stocks the hub
# through inventory receptions; a shipper places hub-stock and
# producer-pickup orders over the gateway (the pickup is amended: its
# pending task follows); the operator plans a wave; the
# orders become PLANNED in lz-orders (read through the gateway); the hub
# picks the tour; the driver
# reports over the gateway: tour started (hub stock out for delivery), a
# delivery completed (DELIVERED), the bike relay (AT_BIKE_RELAY), the
# pickup (PICKED_UP, then AT_HUB when the tour ends: lz-inventory receives
# the goods as a lot reserved for the order, picked when its delivery is on
# board), a failed stop (the
# order stays out for delivery and its task moves to the next day, whose
# wave plans it; a second failure there fails the order: FAILED); the
# collected order is delivered by the day's second wave.
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
API=http://127.0.0.1:$TOURS_ADMIN
DATE=$(TZ=Europe/Paris date -d tomorrow +%F)
DATE2=$(TZ=Europe/Paris date -d "$DATE + 1 day" +%F)
at() { TZ=Europe/Paris date -d "${2:-$DATE} $1" +%s; }

ok_ack() { [ "$(jfield "$1" status)" = ACK_STATUS_ACCEPTED ]; }
NOT_ACCEPTED=0
# cmd PARTNER TYPE JSON: submits over ZeroMQ+CURVE; counts refusals.
cmd() {
	local a
	a=$(submit "$1" "$2" "$3")
	if ! ok_ack "$a"; then
		NOT_ACCEPTED=$((NOT_ACCEPTED + 1))
		echo "# not accepted: $2 $3: $a"
	fi
}
# inbox_ok CONSUMER_PORT SOURCE PRODUCER_PORT: the consumer applied all
# the producer published.
inbox_ok() {
	local want have
	want=$(metric "$3" lz_outbox_seq)
	have=$(metric "$1" "lz_inbox_seq{source=\"$2\"}")
	[ "${want:-0}" -le "${have:-0}" ]
}
caught_up() {
	inbox_ok "$ORDERS_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" orders "$ORDERS_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" orders "$ORDERS_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" inventory "$INVENTORY_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" inventory "$INVENTORY_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" tours "$TOURS_ADMIN"
}
# settle: until every daemon applied what the others published.
settle() { settle_on caught_up 30; }
# tours_json [DATE]: the tours read model of DATE (default $DATE).
tours_json() { curl -s --max-time 5 "$API/v1/tours/${1:-$DATE}"; }
# stop WAVE TASK [DATE]: index of the stop of TASK in the wave's tour.
stop() {
	tours_json "${3:-}" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tours", []):
    if t["wave"] != sys.argv[1]:
        continue
    for s in t["stops"]:
        if sys.argv[2] in s.get("taskIds", []):
            print(s.get("index", 0))' "$1" "$2"
}
tour_id() { echo "${2:-$DATE}/$1/frigo-1"; }
# task_status TASK [DATE]: "STATUS ATTEMPTS" of TASK among DATE's tasks.
task_status() {
	curl -s --max-time 5 "$API/v1/tasks/${2:-$DATE}" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tasks", []):
    if t["taskId"] == sys.argv[1]:
        print(t["status"].replace("TASK_STATUS_", ""), t.get("attempts", 0))' "$1"
}
# task_window TASK DATE: "start end" of TASK's window among DATE's tasks.
task_window() {
	curl -s --max-time 5 "$API/v1/tasks/$2" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tasks", []):
    if t["taskId"] == sys.argv[1]:
        print(t["window"]["start"], t["window"]["end"])' "$1"
}

# ---- directory, fleet, stock ----
reg() { cmd ops "lz.orders.v1.$1" "$2"; }
reg RegisterMember '{"member":{"memberId":"livrazou","name":"Livrazou","kind":"MEMBER_KIND_OPERATOR"}}'
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}'
reg RegisterMember '{"member":{"memberId":"ferme","name":"Ferme du Roy","kind":"MEMBER_KIND_PRODUCER"}}'
site() { # ID MEMBER KIND LAT LON ZONE
	reg RegisterSite "{\"site\":{\"siteId\":\"$1\",\"memberId\":\"$2\",\"name\":\"$1\",\"kind\":\"SITE_KIND_$3\",\"location\":{\"lat\":$4,\"lon\":$5},\"zone\":\"$6\"}}"
}
site hub-nord livrazou HUB 43.3500 5.3700 nord
site relais-velo livrazou BIKE_RELAY 43.2960 5.3750 centre
site ferme-roy ferme PRODUCER 43.4550 5.4690 ""
site cafe fournil CUSTOMER 43.3110 5.3650 nord
site epicerie fournil CUSTOMER 43.2820 5.3600 sud
site bistrot fournil CUSTOMER 43.2990 5.3800 centre
cmd ops lz.tours.v1.RegisterVehicle '{"vehicle":{"vehicleId":"frigo-1","name":"Frigo 1","kind":"VEHICLE_KIND_REFRIGERATED_VAN","fuel":"FUEL_TYPE_DIESEL","compartments":[{"temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"300000","capacityMillilitres":"3000000"},{"temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"300000","capacityMillilitres":"3000000"}],"costPerKmCents":"35","costPerHourCents":"2500","shiftStart":21600,"shiftEnd":72000,"homeHubSiteId":"hub-nord"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"froid","temperatureClass":"TEMPERATURE_CLASS_CHILLED","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
cmd ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"1000000","capacityMillilitres":"1000000"}}'
USE_BY=$(($(at 00:00) + 10 * 86400))
cmd ops lz.inventory.v1.ReceiveLot "{\"lotId\":\"L-yaourt\",\"ownerMemberId\":\"fournil\",\"product\":\"yaourt\",\"quantity\":\"100\",\"unitGrams\":\"125\",\"unitMillilitres\":\"100\",\"temperatureClass\":\"TEMPERATURE_CLASS_CHILLED\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$USE_BY\",\"zoneId\":\"froid\"}"
cmd ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"50","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}'
check "directory, fleet and stock applied" settle
check_eq "vehicle registered in lz-tours" \
	"$(curl -s "$API/v1/vehicles" | python3 -c 'import json,sys; print([v["vehicleId"] for v in json.load(sys.stdin).get("vehicles", [])])')" \
	"['frigo-1']"

# ---- orders over the gateway ----
WIN="{\"start\":\"$(at 08:00)\",\"end\":\"$(at 15:00)\"}"
YAOURT='{"product":"yaourt","quantity":12,"unitGrams":125,"unitMillilitres":100,"temperatureClass":"TEMPERATURE_CLASS_CHILLED"}'
FARINE='{"product":"farine","quantity":5,"unitGrams":1000,"unitMillilitres":1200,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
PAIN='{"product":"pain","quantity":20,"unitGrams":400,"unitMillilitres":1000,"temperatureClass":"TEMPERATURE_CLASS_AMBIENT"}'
hub_order() { # REF SITE LINE
	cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"$1\",\"destinationSiteId\":\"$2\",\"deliveryWindow\":$WIN,\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[$3]}"
}
hub_order h1 cafe "$YAOURT"
hub_order h2 epicerie "$FARINE"
hub_order h3 bistrot "$YAOURT"
cmd shop lz.orders.v1.PlaceOrder "{\"reference\":\"p1\",\"destinationSiteId\":\"cafe\",\"deliveryWindow\":$WIN,\"source\":\"ORDER_SOURCE_PRODUCER_PICKUP\",\"pickupSiteId\":\"ferme-roy\",\"pickupWindow\":{\"start\":\"$(at 07:00)\",\"end\":\"$(at 11:00)\"},\"lines\":[$PAIN]}"
check "orders applied" settle
check_eq "hub stock reserved by inventory, pickup confirmed at once" \
	"$(statuses h1 h2 h3 p1)" "h1:CONFIRMED h2:CONFIRMED h3:CONFIRMED p1:CONFIRMED"
check_eq "tasks created: deliveries, a relay delivery, a pickup" "$(curl -s "$API/v1/tasks/$DATE" | python3 -c '
import json, sys
print(" ".join(sorted("%s=%s" % (t["taskId"], t["kind"].replace("TASK_KIND_", "")) for t in json.load(sys.stdin).get("tasks", []))))')" \
	"del:fournil/h1=DELIVERY del:fournil/h2=DELIVERY del:fournil/h3=RELAY_DELIVERY pick:fournil/p1=PICKUP"

# An amended order's pending task follows the amendment.
pick_load() {
	curl -s --max-time 5 "$API/v1/tasks/$DATE" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tasks", []):
    if t["taskId"] == "pick:fournil/p1":
        print(sum(int(l.get("grams", 0)) for l in t.get("loads", [])))'
}
check_eq "pickup task carries the order's 8 kg" "$(pick_load)" 8000
cmd shop lz.orders.v1.AmendOrder "{\"orderId\":\"fournil/p1\",\"lines\":[${PAIN/\"quantity\":20/\"quantity\":30}]}"
check "amendment applied" settle
check_eq "amended to 30 loaves: the pending task carries 12 kg" "$(pick_load)" 12000

# A driver may not plan; an operator plans the wave.
r=$(submit van lz.tours.v1.PlanWave "{\"date\":\"$DATE\"}")
check_eq "a driver may not plan a wave" "$(jfield "$r" errorCode)" ERROR_CODE_FORBIDDEN
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"am\"}"
check "wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 1 30
check "plan applied by orders" settle
check_eq "orders planned in lz-orders (through the gateway)" \
	"$(statuses h1 h2 h3 p1)" "h1:PLANNED h2:PLANNED h3:PLANNED p1:PLANNED"
T1=$(tour_id am)
S_H1=$(stop am del:fournil/h1)
S_H2=$(stop am del:fournil/h2)
S_H3=$(stop am del:fournil/h3)
S_P1=$(stop am pick:fournil/p1)
echo "# tour $T1: h1@$S_H1 h2@$S_H2 h3(relay)@$S_H3 p1(pickup)@$S_P1"
check_eq "one tour with the four tasks, the centre order at the bike relay" \
	"$(tours_json | python3 -c '
import json, sys
ts = json.load(sys.stdin)["tours"]
site = {x: s["siteId"] for t in ts for s in t["stops"] for x in s.get("taskIds", [])}
print(len(ts), site.get("del:fournil/h3"), site.get("pick:fournil/p1"), site.get("del:fournil/h1"))')" \
	"1 relais-velo ferme-roy cafe"

# ---- execution, reported by the driver over the gateway ----
drv() { cmd van "lz.tours.v1.$1" "$2"; }
# The hub picks the tour's hub-stock orders first (lz-tours refuses the
# start before; test_picking.sh checks it).
cmd van lz.inventory.v1.PickTour "{\"tourId\":\"$T1\"}"
check "tour picked" settle
check_eq "the hub-stock orders picked: their units left the stock" \
	"$(curl -s "http://127.0.0.1:$INVENTORY_ADMIN/v1/invariants" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["picked"], d["reserved"])') $(metric "$TOURS_ADMIN" lz_tours_orders_picked_total)" \
	"29 0 3"
drv TourStarted "{\"tourId\":\"$T1\",\"odometerKm\":\"1000\"}"
check "tour start applied" settle
check_eq "tour started: hub-stock orders out for delivery, the pickup still planned" \
	"$(statuses h1 h2 h3 p1)" "h1:OUT_FOR_DELIVERY h2:OUT_FOR_DELIVERY h3:OUT_FOR_DELIVERY p1:PLANNED"
for s in $(echo "$S_H1 $S_H2 $S_H3 $S_P1" | tr ' ' '\n' | sort -n); do
	drv StopArrived "{\"tourId\":\"$T1\",\"stopIndex\":$s}"
	if [ "$s" = "$S_H2" ]; then
		drv StopFailed "{\"tourId\":\"$T1\",\"stopIndex\":$s,\"reason\":\"FAIL_REASON_CLOSED\",\"note\":\"rideau baissé\"}"
	else
		drv StopCompleted "{\"tourId\":\"$T1\",\"stopIndex\":$s}"
	fi
done
check "stop reports applied" settle
check_eq "delivered, at the bike relay, picked up; the failed stop's order still out" \
	"$(statuses h1 h3 p1 h2)" "h1:DELIVERED h3:AT_BIKE_RELAY p1:PICKED_UP h2:OUT_FOR_DELIVERY"
check_eq "failed task: failed, one attempt, moved to the next day" \
	"$(task_status del:fournil/h2 "$DATE2") /$(task_status del:fournil/h2)" "FAILED 1 /"
check_eq "its window moved with it (08:00-15:00 the next day)" \
	"$(task_window del:fournil/h2 "$DATE2")" "$(at 08:00 "$DATE2") $(at 15:00 "$DATE2")"
drv TourCompleted "{\"tourId\":\"$T1\",\"odometerKm\":\"1090\"}"
check "tour end applied" settle
check_eq "tour completed: the collected order at the hub" "$(status p1)" AT_HUB
# The goods unloaded are received by lz-inventory: one lot per order line
# (id from inv_unload_lot_id(), pinned in test_inventory), in the zone of
# its class, reserved for the order.
INV=http://127.0.0.1:$INVENTORY_ADMIN
P1_LOT=in-fournil.p1-9be69e4e-0
lot() {
	curl -s --max-time 5 "$INV/v1/lots/$1" | python3 -c '
import json, sys
l = json.load(sys.stdin)
l = l.get("lot", l)
print(l.get("ownerMemberId"), l.get("product"), l.get("quantity", 0), l.get("reserved", 0),
      l.get("zoneId"), l.get("originSiteId"), l.get("originOrderId"), l.get("temperatureClass"))'
}
reservation() {
	curl -s --max-time 5 "$INV/v1/reservations/fournil%2F$1" | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(o.get("received", False), o.get("picked", False),
      " ".join("%s:%s" % (a["lotId"], a["quantity"]) for a in o.get("allocations", [])))'
}
check_eq "the collected bread is a lot at the hub, in the ambient zone, all reserved for p1" \
	"$(lot $P1_LOT)" "fournil pain 30 30 sec ferme-roy fournil/p1 TEMPERATURE_CLASS_AMBIENT"
check_eq "inventory holds the lot for p1" "$(reservation p1)" "True False $P1_LOT:30"
check "inventory invariants hold with the received lot" sh -c \
	"curl -s $INV/v1/invariants | grep -q '\"ok\": *true'"
check_eq "the failed task (next day) and the collected order's delivery wait for a wave" \
	"$(task_status del:fournil/h2 "$DATE2") / $(task_status del:fournil/p1)" "PENDING 1 / PENDING 0"
drv StopCompleted "{\"tourId\":\"$T1\",\"stopIndex\":$S_H2}"
settle
check_eq "a report on a completed tour is refused (bad_state), nothing changes" \
	"$(metric "$TOURS_ADMIN" 'lz_tours_refused_total{reason="bad_state"}') $(status h2)" "1 OUT_FOR_DELIVERY"

# ---- the day's second wave delivers the collected order; the failed ----
# ---- delivery waits for the next day's wave ----
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"pm\"}"
check "second wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 2 30
check "second wave applied" settle
T2=$(tour_id pm)
S2_P1=$(stop pm del:fournil/p1)
check_eq "the collected order is in the new tour, not the failed delivery" \
	"$(task_status del:fournil/p1) [$(stop pm del:fournil/h2)] $([ -n "$S2_P1" ] && echo yes)" \
	"PLANNED 0 [] yes"
# Its goods are ready once the morning tour is back at the hub (planned:
# the drivers here report ahead of the day's clock) and handled (1800 s):
# the afternoon tour leaves no earlier.
check_eq "the collected order's delivery is ready after the pickup tour's return and handling; its tour leaves then" \
	"$(curl -s --max-time 5 "$API/v1/tasks/$DATE" | python3 -c '
import json, sys
tours = {t["wave"]: t for t in json.loads(sys.argv[1])["tours"]}
task = [t for t in json.load(sys.stdin)["tasks"] if t["taskId"] == "del:fournil/p1"][0]
ready = int(task.get("readyAt", 0))
print(ready == int(tours["am"]["end"]) + 1800, int(tours["pm"]["start"]) >= ready)' "$(tours_json)")" \
	"True True"
drv TourStarted "{\"tourId\":\"$T2\"}"
check "second start applied" settle
check_eq "collected order out for delivery" "$(status p1)" OUT_FOR_DELIVERY
check_eq "its delivery on board: the lot left the stock (picked)" \
	"$(lot $P1_LOT) / $(reservation p1)" \
	"fournil pain 0 0 sec ferme-roy fournil/p1 TEMPERATURE_CLASS_AMBIENT / True True "
drv StopCompleted "{\"tourId\":\"$T2\",\"stopIndex\":$S2_P1}"
drv TourCompleted "{\"tourId\":\"$T2\",\"odometerKm\":\"1120\"}"
check "second tour applied" settle
check_eq "collected order delivered; the failed one still out, pending next day" \
	"$(statuses p1 h2) $(task_status del:fournil/h2 "$DATE2")" \
	"p1:DELIVERED h2:OUT_FOR_DELIVERY PENDING 1"

# ---- the next day's wave plans the failed delivery; a second failure ----
# ---- fails the order ----
cmd ops lz.tours.v1.PlanWave "{\"date\":\"$DATE2\"}"
check "next day's wave planned" wait_metric "$TOURS_ADMIN" lz_tours_waves_total 3 30
check "next day's wave applied" settle
T3=$(tour_id day "$DATE2")
S3_H2=$(stop day del:fournil/h2 "$DATE2")
check_eq "the next day's wave plans the failed delivery" \
	"$(task_status del:fournil/h2 "$DATE2") $([ -n "$S3_H2" ] && echo yes)" "PLANNED 1 yes"
check "planned within its window of the next day" sh -c "
	curl -s --max-time 5 '$API/v1/tours/$DATE2' | python3 -c '
import json, sys
s = [s for t in json.load(sys.stdin)[\"tours\"] for s in t[\"stops\"] if \"del:fournil/h2\" in s.get(\"taskIds\", [])][0]
sys.exit(not ($(at 08:00 "$DATE2") <= int(s[\"start\"]) <= $(at 15:00 "$DATE2")))'"
drv TourStarted "{\"tourId\":\"$T3\"}"
drv StopFailed "{\"tourId\":\"$T3\",\"stopIndex\":$S3_H2,\"reason\":\"FAIL_REASON_ABSENT\"}"
drv TourCompleted "{\"tourId\":\"$T3\",\"odometerKm\":\"1150\"}"
check "next day's tour applied" settle
check_eq "final statuses in lz-orders" "$(statuses h1 h2 h3 p1)" \
	"h1:DELIVERED h2:FAILED h3:AT_BIKE_RELAY p1:DELIVERED"
check_eq "the failed order's task is not planned again (nor moved)" \
	"$(task_status del:fournil/h2 "$DATE2") /$(task_status del:fournil/h2 \
		"$(TZ=Europe/Paris date -d "$DATE2 + 1 day" +%F)")" "FAILED 2 /"
check "h2's history names each step" sh -c "
	curl -s 'http://127.0.0.1:$ORDERS_ADMIN/v1/orders/fournil%2Fh2' | python3 -c '
import json, sys
h = [e[\"status\"].replace(\"ORDER_STATUS_\", \"\") for e in json.load(sys.stdin)[\"history\"] if e.get(\"status\")]
sys.exit(h[-4:] != [\"CONFIRMED\", \"PLANNED\", \"OUT_FOR_DELIVERY\", \"FAILED\"])'"
check_eq "no illegal transition in lz-orders" \
	"$(metric "$ORDERS_ADMIN" lz_orders_illegal_transitions_total)" 0
check_eq "every command accepted by the gateway" "$NOT_ACCEPTED" 0
check "inventory invariants hold" sh -c \
	"curl -s http://127.0.0.1:$INVENTORY_ADMIN/v1/invariants | grep -q '\"ok\": *true'"

# The automatic cut-off: restarted with a cut-off already passed today,
# lz-tours plans the next day's wave by itself (its timer looks every 30 s).
kill -TERM "$pid_tours"
wait_pid "$pid_tours" 20
start_tours --no-sync --time-limit-ms 0 --iterations 200 --cutoff 00:00 \
	--cutoff-wave auto
auto_waves() {
	"$BIN/lz-tap" --replay tours --replay-endpoint "$TOURS_REPLAY" 2>/dev/null |
		python3 -c '
import json, sys
print(sum(1 for l in sys.stdin for o in [json.loads(l)]
          if o["type"] == "lz.tours.v1.WavePlanned"
          and o["payload"].get("wave") == "auto"
          and o["payload"].get("date") == sys.argv[1]))' "$DATE"
}
end=$(($(date +%s) + 75))
while [ "$(auto_waves)" = 0 ] && [ "$(date +%s)" -le "$end" ]; do sleep 1; done
check_eq "the cut-off planned the next day's wave once, by itself" "$(auto_waves)" 1
summary
