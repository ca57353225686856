# SPDX-License-Identifier: AGPL-3.0-or-later
# Helpers of the bikes service's end-to-end tests (sourced after lib.sh and
# gateway_lib.sh): commands through the gateway, waiting for the daemons to
# catch up, and the read models of lz-orders and lz-bikes.  The tests set
# API (lz-bikes' admin URL) and DATE.

# The centre: Vieux-Port, Noailles, Cours Julien.
ZONE="5.3620 43.2950, 5.3700 43.3050, 5.3880 43.3060, 5.3960 43.2960, 5.3900 43.2870, 5.3700 43.2880"

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
inbox_ok() {
	local want have
	want=$(metric "$3" lz_outbox_seq)
	have=$(metric "$1" "lz_inbox_seq{source=\"$2\"}")
	[ "${want:-0}" -le "${have:-0}" ]
}
# caught_up: every daemon applied what the others published (lz-bikes
# follows orders unless BIKES_FOLLOW_ORDERS=0).
BIKES_FOLLOW_ORDERS=1
caught_up() {
	{ [ "$BIKES_FOLLOW_ORDERS" = 0 ] ||
		inbox_ok "$BIKES_ADMIN" orders "$ORDERS_ADMIN"; } &&
		inbox_ok "$ORDERS_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$BIKES_ADMIN" gateway "$GW_ADMIN" &&
		inbox_ok "$INVENTORY_ADMIN" orders "$ORDERS_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" orders "$ORDERS_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" inventory "$INVENTORY_ADMIN" &&
		inbox_ok "$TOURS_ADMIN" inventory "$INVENTORY_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" tours "$TOURS_ADMIN" &&
		inbox_ok "$BIKES_ADMIN" tours "$TOURS_ADMIN" &&
		inbox_ok "$ORDERS_ADMIN" bikes "$BIKES_ADMIN"
}
# settle: until every daemon applied what the others published.
settle() { settle_on caught_up 40; }
runs_json() { curl -s --max-time 5 "$API/v1/runs/$DATE"; }
parcels_json() { curl -s --max-time 5 "$API/v1/parcels"; }
# parcel REF: "STATUS RIDER REASON" of parcel del:fournil/REF among the open
# parcels ("-" when not open).
parcel() {
	parcels_json | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("parcels", []):
    if p["parcelId"] == "del:fournil/" + sys.argv[1]:
        print(p["status"].replace("PARCEL_STATUS_", ""), p.get("riderId", "-") or "-",
              p.get("reason", "-").replace("REASON_", "") or "-")
        break
else:
    print("-")' "$1"
}
# run_of REF: the run id holding parcel REF.
run_of() {
	runs_json | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("runs", []):
    if r.get("status") != "RUN_STATUS_PLANNED" and r.get("status") != "RUN_STATUS_STARTED":
        continue
    for s in r["stops"]:
        if "del:fournil/" + sys.argv[1] in s.get("parcelIds", []):
            print(r["runId"])' "$1"
}
# refused REASON: CommandRefused events of lz-bikes with that reason.
refused() {
	local v
	v=$(metric "$BIKES_ADMIN" "lz_bikes_refused_total{reason=\"$1\"}")
	echo "${v:-0}"
}
reg() { cmd ops "lz.orders.v1.$1" "$2"; }
site() { # ID MEMBER KIND LAT LON ZONE
	reg RegisterSite "{\"site\":{\"siteId\":\"$1\",\"memberId\":\"$2\",\"name\":\"$1\",\"kind\":\"SITE_KIND_$3\",\"location\":{\"lat\":$4,\"lon\":$5},\"zone\":\"$6\"}}"
}
# relay_stops DATE: the stop indexes of DATE's van tours at the bike relay.
relay_stops() {
	curl -s "http://127.0.0.1:$TOURS_ADMIN/v1/tours/$1" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tours", []):
    for s in t["stops"]:
        if s.get("siteId") == "relais-velo":
            print(s["index"])'
}
