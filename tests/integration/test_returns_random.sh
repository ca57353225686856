#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Thousands of random deposit-ledger movements through lz-bus and
# lz-returns, with five lz-cmdpub standing in for the orders service
# (sites, orders with jars, deliveries), the tours service (stops where
# drivers take empties back), the bikes service (parcels delivered with
# empties taken back, pickups), the gateway (new jars, declarations at
# relay points, washing, losses, bad input) and the inventory (a lot of
# the hub's stock nearing its date before the hub is known); lz-returns is
# SIGKILLed and restarted several times on the way.  At the end, checked
# from outside: the ledger balances, no per-member account is negative,
# the balances are exactly the sum of the LedgerMoved history, every
# movement id appears once, each delivery, stop, parcel and pickup moved
# its containers exactly once, every discrepancy is flagged, and the lot's
# flow is matched at the hub.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

CMDPUB=$B/tests/lz-cmdpub
N=${RETURNS_RANDOM_OPS:-3000}
ORDERS_PUB_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 7))
TOURS_PUB_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 11))
BIKES_PUB_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 13))
INVENTORY_PUB_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 9))
start_bus
for s in gw orders tours bikes inventory; do
	mkfifo "$TMP/$s.fifo"
done
exec 3<>"$TMP/gw.fifo" 4<>"$TMP/orders.fifo" 5<>"$TMP/tours.fifo" \
	6<>"$TMP/bikes.fifo" 7<>"$TMP/inventory.fifo"
start gw "$CMDPUB" --state "$TMP/gw" --pub "$XSUB" --replay "$GW_REPLAY" \
	--input "$TMP/gw.fifo" --no-sync
start orderspub "$CMDPUB" --state "$TMP/orderspub" --source orders \
	--pub "$XSUB" --replay "$ORDERS_PUB_REPLAY" --input "$TMP/orders.fifo" \
	--no-sync
start tourspub "$CMDPUB" --state "$TMP/tourspub" --source tours \
	--pub "$XSUB" --replay "$TOURS_PUB_REPLAY" --input "$TMP/tours.fifo" \
	--no-sync
start bikespub "$CMDPUB" --state "$TMP/bikespub" --source bikes \
	--pub "$XSUB" --replay "$BIKES_PUB_REPLAY" --input "$TMP/bikes.fifo" \
	--no-sync
start inventorypub "$CMDPUB" --state "$TMP/inventorypub" --source inventory \
	--pub "$XSUB" --replay "$INVENTORY_PUB_REPLAY" \
	--input "$TMP/inventory.fifo" --no-sync
RET_OPTS="--no-sync --follow gateway,orders,tours,bikes,inventory --forecast-interval-s 1"
# shellcheck disable=SC2086
start_returns $RET_OPTS

python3 - "$N" "$TMP" <<'PY'
import json, random, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
random.seed(n)
files = {k: open("%s/%s.ops" % (tmp, k), "w") for k in ("dir", "gw", "orders", "tours", "bikes")}
def out(f, t, tenant, p):
    files[f].write(json.dumps({"type": t, "tenant": tenant, "actor": "p-" + tenant, "payload": p}) + "\n")
members = ["m1", "m2", "m3"]
types = ["jar-250", "jar-500", "crate-30"]
sites = {"c%d" % i: members[i % 3] for i in range(6)}
relays = ["r1", "r2"]
for m in members + ["vrac"]:
    out("dir", "lz.orders.v1.MemberRegistered", "livrazou", {"member": {"memberId": m, "name": m, "kind": "MEMBER_KIND_SHIPPER"}})
for s, m in list(sites.items()) + [(r, "vrac") for r in relays]:
    out("dir", "lz.orders.v1.SiteRegistered", "livrazou", {"site": {"siteId": s, "memberId": m, "name": s, "kind": "SITE_KIND_CUSTOMER", "location": {"lat": 43.3, "lon": 5.4}, "zone": "nord"}})
out("dir", "lz.orders.v1.SiteRegistered", "livrazou", {"site": {"siteId": "velo", "memberId": "livrazou", "name": "velo", "kind": "SITE_KIND_BIKE_RELAY", "location": {"lat": 43.3, "lon": 5.37}, "zone": "centre"}})
out("dir", "lz.orders.v1.SiteRegistered", "livrazou", {"site": {"siteId": "hub", "memberId": "livrazou", "name": "hub", "kind": "SITE_KIND_HUB", "location": {"lat": 43.35, "lon": 5.37}}})
out("dir", "lz.orders.v1.MemberRegistered", "livrazou", {"member": {"memberId": "aide", "name": "aide", "kind": "MEMBER_KIND_PROCESSOR"}})
out("dir", "lz.orders.v1.SiteRegistered", "livrazou", {"site": {"siteId": "aide-site", "memberId": "aide", "name": "aide", "kind": "SITE_KIND_PROCESSOR", "location": {"lat": 43.31, "lon": 5.39}}})
out("gw", "lz.returns.v1.RegisterOutlet", "livrazou", {"outlet": {"outletId": "aide-1", "memberId": "aide", "siteId": "aide-site", "kind": "OUTLET_KIND_FOOD_AID", "capacityGramsPerDay": "100000"}})
for t in types:
    out("gw", "lz.returns.v1.RegisterContainerType", "livrazou", {"containerType": {"containerType": t, "name": t, "depositCents": "50", "grams": "300", "millilitres": "500"}})
# a payload that does not decode: logged, counted, consumed
files["gw"].write(json.dumps({"type": "lz.returns.v1.DeclareFlow", "tenant": "vrac", "payloadBase64": "/////w=="}) + "\n")
for r in relays:
    out("gw", "lz.returns.v1.SetCollectionPoint", "livrazou", {"point": {"siteId": r, "capacityContainers": 1000}})
stop = 0
for i in range(n):
    r = random.random()
    t = random.choice(types)
    if r < 0.1:
        out("gw", "lz.returns.v1.RecordMovement", "livrazou", {"reference": "buy%d" % i, "containerType": t, "count": random.randint(1, 50), "fromAccount": "supply", "toAccount": "hub-stock"})
    elif r < 0.35:
        s = random.choice(list(sites))
        oid = "%s/o%d" % (sites[s], i)
        lines = [{"product": "p", "quantity": 1, "containers": [{"containerType": random.choice(types + ["mystery"]), "count": random.randint(1, 12)}]} for _ in range(random.randint(1, 2))]
        out("orders", "lz.orders.v1.OrderPlaced", sites[s], {"order": {"orderId": oid, "memberId": sites[s], "destinationSiteId": s, "lines": lines}})
        to = random.choice(["ORDER_STATUS_DELIVERED"] * 9 + ["ORDER_STATUS_CANCELLED"])
        out("orders", "lz.orders.v1.OrderStatusChanged", sites[s], {"orderId": oid, "to": to})
        if to == "ORDER_STATUS_DELIVERED" and random.random() < 0.4:
            # delivered by bike: the rider takes empties back there
            out("bikes", "lz.bikes.v1.ParcelStatusChanged", "livrazou", {"parcel": {"parcelId": "del:" + oid, "orderId": oid, "siteId": s}, "to": "PARCEL_STATUS_DELIVERED", "orderStatus": 8, "containersCollected": [{"containerType": t, "count": random.randint(0, 4)}]})
    elif r < 0.4:
        out("bikes", "lz.bikes.v1.PickupStatusChanged", "livrazou", {"requestId": "pk%d" % i, "siteId": random.choice(list(sites) + relays), "to": "PICKUP_STATUS_COLLECTED", "containersCollected": [{"containerType": t, "count": random.randint(1, 5)}]})
    elif r < 0.55:
        s = random.choice(list(sites) + relays + ["velo"])
        stop += 1
        out("tours", "lz.tours.v1.StopStatusChanged", "livrazou", {"tourId": "t", "stopIndex": stop, "to": "STOP_STATUS_COMPLETED", "siteId": s, "containersCollected": [{"containerType": t, "count": random.randint(1, 8)}]})
    elif r < 0.75:
        rl = random.choice(relays)
        out("gw", "lz.returns.v1.DeclareContainers", "vrac", {"reference": "d%d" % i, "siteId": rl, "fromSiteId": random.choice(list(sites)), "containers": [{"containerType": t, "count": random.randint(1, 6)}]})
    elif r < 0.85:
        out("gw", "lz.returns.v1.RecordMovement", "livrazou", {"reference": "w%d" % i, "containerType": t, "count": random.randint(1, 30), "fromAccount": random.choice(["hub-returned", "washing"]), "toAccount": random.choice(["washing", "hub-stock"])})
    elif r < 0.9:
        s = random.choice(list(sites))
        out("gw", "lz.returns.v1.RecordMovement", "livrazou", {"reference": "l%d" % i, "containerType": t, "count": random.randint(1, 3), "fromAccount": "site:" + s, "toAccount": "lost", "memberId": random.choice([sites[s], ""])})
    else:
        # bad input: unknown type, zero count, negative kg, duplicate ref
        out("gw", *random.choice([
            ("lz.returns.v1.RecordMovement", "livrazou", {"reference": "x%d" % i, "containerType": "mystery", "count": 3, "fromAccount": "supply", "toAccount": "hub-stock"}),
            ("lz.returns.v1.RecordMovement", "livrazou", {"reference": "z%d" % i, "containerType": t, "count": 0, "fromAccount": "supply", "toAccount": "hub-stock"}),
            ("lz.returns.v1.DeclareFlow", "vrac", {"reference": "b%d" % i, "kind": "FLOW_KIND_BIOWASTE", "grams": "-100", "siteId": "r1"})]))
PY
# A lot of the hub's stock nears its use-by date before the hub is known:
# its flow waits for the hub, then is matched.
NOW=$(date +%s)
# The same from the gateway: only the inventory may say so.
echo "{\"type\":\"lz.inventory.v1.LotNearingExpiry\",\"tenant\":\"m1\",\"payload\":{\"lot\":{\"lotId\":\"FORGED\",\"ownerMemberId\":\"m1\",\"product\":\"yaourt\",\"quantity\":\"40\",\"unitGrams\":\"125\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$((NOW + 5 * 86400))\"},\"unreserved\":\"40\"}}" >&3
echo "{\"type\":\"lz.inventory.v1.LotNearingExpiry\",\"tenant\":\"m1\",\"payload\":{\"lot\":{\"lotId\":\"L1\",\"ownerMemberId\":\"m1\",\"product\":\"yaourt\",\"quantity\":\"40\",\"unitGrams\":\"125\",\"dateKind\":\"DATE_KIND_USE_BY\",\"date\":\"$((NOW + 5 * 86400))\"},\"unreserved\":\"40\"}}" >&7
check "the lot's flow opened before the hub is known" wait_metric \
	"$RETURNS_ADMIN" lz_returns_flows_opened_total 1 20
echo "# $(wc -l <"$TMP/gw.ops") gateway, $(wc -l <"$TMP/orders.ops") orders, $(wc -l <"$TMP/tours.ops") tours, $(wc -l <"$TMP/bikes.ops") bikes events"
cat "$TMP/dir.ops" >&4
# The directory first, so that declarations find their sites.
check "directory applied" wait_metric "$RETURNS_ADMIN" \
	'lz_inbox_seq{source="orders"}' "$(wc -l <"$TMP/dir.ops")" 30

# Four slices of each stream; lz-returns SIGKILLed after each of the
# first three while the streams go on.
slice() { # FILE K: the K-th quarter of FILE
	local total per
	total=$(wc -l <"$1")
	per=$(((total + 3) / 4))
	sed -n "$(($2 * per + 1)),$((($2 + 1) * per))p" "$1"
}
for k in 0 1 2 3; do
	slice "$TMP/gw.ops" $k >&3
	slice "$TMP/orders.ops" $k >&4
	slice "$TMP/tours.ops" $k >&5
	slice "$TMP/bikes.ops" $k >&6
	if [ $k -lt 3 ]; then
		sleep 0.$((RANDOM % 9 + 1))
		kill -9 "$pid_returns"
		wait "$pid_returns" 2>/dev/null
		# shellcheck disable=SC2086
		start_returns $RET_OPTS || not_ok "restart $k"
	fi
done
GW_N=$(wc -l <"$TMP/gw.ops")
published() { [ "$(grep -c '^sent' "$TMP/gw.log")" -ge "$GW_N" ]; }
wait_published() {
	local end=$(($(date +%s) + 30))
	until published; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.1
	done
}
check "every generated command published (none unusable)" wait_published
OR_N=$(($(wc -l <"$TMP/orders.ops") + $(wc -l <"$TMP/dir.ops")))
TO_N=$(wc -l <"$TMP/tours.ops")
BI_N=$(wc -l <"$TMP/bikes.ops")
check "returns applied every gateway command" wait_metric "$RETURNS_ADMIN" \
	'lz_inbox_seq{source="gateway"}' "$GW_N" 120
check "returns applied every orders event" wait_metric "$RETURNS_ADMIN" \
	'lz_inbox_seq{source="orders"}' "$OR_N" 60
check "returns applied every tours event" wait_metric "$RETURNS_ADMIN" \
	'lz_inbox_seq{source="tours"}' "$TO_N" 60
check "returns applied every bikes event" wait_metric "$RETURNS_ADMIN" \
	'lz_inbox_seq{source="bikes"}' "$BI_N" 60
curl -s "http://127.0.0.1:$RETURNS_ADMIN/v1/balances" >"$TMP/balances.json"
"$BIN/lz-tap" --replay returns --replay-endpoint "$RETURNS_REPLAY" \
	--timeout 3 >"$TMP/returns.out" 2>/dev/null
check "the ledger balances: every type sums to zero over the accounts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("# %d balances, %d discrepancies" % (len(d["balances"]), d["discrepancies"]))
assert d["balanced"] and all(v == 0 for v in d["sums"].values()), d["sums"]
assert len(d["balances"]) > 10 and d["discrepancies"] > 0, d' "$TMP/balances.json"
check "no site or empties account is negative" python3 -c '
import json, sys
bad = [b for b in json.load(open(sys.argv[1]))["balances"]
       if b["account"].split(":")[0] in ("site", "empties") and int(b["count"]) < 0]
assert not bad, bad[:5]' "$TMP/balances.json"
check "balances = the sum of the LedgerMoved history; movement ids M1..Mn once each" python3 -c '
import json, sys, collections
mv = [json.loads(l)["payload"] for l in open(sys.argv[1]) if "lz.returns.v1.LedgerMoved" in l]
ids = [m["movementId"] for m in mv]
assert ids == ["M%d" % (i + 1) for i in range(len(ids))], "ids not M1..Mn once each"
per = lambda a: a.split(":")[0] in ("site", "empties")
bal = collections.Counter()
for m in mv:
    c = int(m.get("count", 0))
    bal[(m["fromAccount"], m.get("memberId", "") if per(m["fromAccount"]) else "", m["containerType"])] -= c
    bal[(m["toAccount"], m.get("memberId", "") if per(m["toAccount"]) else "", m["containerType"])] += c
have = {(b["account"], b.get("memberId", ""), b["containerType"]): int(b["count"])
        for b in json.load(open(sys.argv[2]))["balances"]}
want = {k: v for k, v in bal.items() if v != 0}
assert have == want, set(have.items()) ^ set(want.items())
print("# %d movements" % len(mv))' "$TMP/returns.out" "$TMP/balances.json"
check "each delivery and each stop moved its containers exactly once" python3 -c '
import json, sys, collections
mv = [json.loads(l)["payload"] for l in open(sys.argv[1]) if "lz.returns.v1.LedgerMoved" in l]
got = collections.Counter()
for m in mv:
    got[(m.get("reference", ""), m["containerType"])] += int(m.get("count", 0))
want = collections.Counter()
orders = {}
for l in open(sys.argv[2]):
    e = json.loads(l)
    if e["type"] == "lz.orders.v1.OrderPlaced":
        orders[e["payload"]["order"]["orderId"]] = e["payload"]["order"]
    elif e["type"] == "lz.orders.v1.OrderStatusChanged" and e["payload"]["to"] == "ORDER_STATUS_DELIVERED":
        for ln in orders[e["payload"]["orderId"]]["lines"]:
            for c in ln["containers"]:
                if c["containerType"] != "mystery":
                    want[(e["payload"]["orderId"], c["containerType"])] += c["count"]
for l in open(sys.argv[3]):
    p = json.loads(l)["payload"]
    for c in p["containersCollected"]:
        want[("t#%d" % p["stopIndex"], c["containerType"])] += c["count"]
for l in open(sys.argv[4]):
    e = json.loads(l)
    p = e["payload"]
    ref = p["parcel"]["parcelId"] if "parcel" in p else p["requestId"]
    for c in p["containersCollected"]:
        want[(ref, c["containerType"])] += c["count"]
bad = [(k, got[k], v) for k, v in want.items() if got[k] != v]
assert not bad and len(want) > 100, bad[:5]
print("# %d deliveries, stops, parcels and pickups checked" % len(want))' "$TMP/returns.out" "$TMP/orders.ops" "$TMP/tours.ops" "$TMP/bikes.ops"
check "every discrepancy flagged on its movement, and counted" python3 -c '
import json, sys
mv = [json.loads(l)["payload"] for l in open(sys.argv[1]) if "lz.returns.v1.LedgerMoved" in l]
flagged = [m for m in mv if m.get("discrepancy")]
assert all(m["fromAccount"] == "unaccounted" for m in flagged)
assert all(m.get("discrepancy") for m in mv if m["fromAccount"] == "unaccounted")
assert len(flagged) == json.load(open(sys.argv[2]))["discrepancies"] > 0' "$TMP/returns.out" "$TMP/balances.json"
check_eq "a payload that does not decode: counted once" \
	"$(metric "$RETURNS_ADMIN" 'lz_events_refused_total{reason="payload"}')" 1
check_eq "an event from a source not allowed: refused, counted, nothing kept" \
	"$(metric "$RETURNS_ADMIN" 'lz_events_refused_total{reason="source"}') $(grep -c FORGED "$TMP/returns.out")" "1 0"
check "the refusal logged with the source allowed" grep -q \
	'msg="event refused" service=returns source=gateway .*type=lz.inventory.v1.LotNearingExpiry reason=source allowed=inventory' "$TMP/returns.log"
check_eq "bad input refused, counted by reason" \
	"$(metric "$RETURNS_ADMIN" 'lz_returns_refused_total{reason="unknown_container_type"}' | awk '{ print ($1 > 0) }') $(metric "$RETURNS_ADMIN" 'lz_returns_refused_total{reason="bad_quantity"}' | awk '{ print ($1 > 0) }')" \
	"1 1"
flow1() {
	curl -s --max-time 5 "http://127.0.0.1:$RETURNS_ADMIN/v1/flows" | python3 -c '
import json, sys
print(" ".join("%s %s %s %s %s" % (f["flowId"], f.get("siteId", "-"), f["status"], f.get("outletId", "-"), f["grams"]) for f in json.load(sys.stdin)["flows"]))'
}
wait_flow1() {
	local end=$(($(date +%s) + 20))
	until [ "$(flow1)" = "F1 hub FLOW_STATUS_ASSIGNED aide-1 5000" ]; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.2
	done
}
check "once the hub is known, the lot's flow is at the hub and matched" wait_flow1
exec 3>&- 4>&- 5>&- 6>&- 7>&-
summary
