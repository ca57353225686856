#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Thousands of random inventory operations (receptions, orders placed,
# amended and cancelled, picks, counts; lots expiring during the run)
# through lz-bus, lz-orders and lz-inventory, with lz-cmdpub standing in
# for the gateway; lz-inventory is SIGKILLed and restarted several times
# on the way.  At the end, checked from outside: stock never negative,
# every reserved quantity held by a live order (asked of lz-orders), and
# received = in stock + picked + adjusted + expired.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

CMDPUB=$B/tests/lz-cmdpub
N=${INVENTORY_RANDOM_OPS:-3000}
start_bus
mkfifo "$TMP/cmd"
exec 3<>"$TMP/cmd"
start gw "$CMDPUB" --state "$TMP/gw" --pub "$XSUB" --replay "$GW_REPLAY" \
	--input "$TMP/cmd" --no-sync
start_orders --no-sync
start_inventory --no-sync --expiry-scan 1

python3 - "$N" "$(date +%s)" >"$TMP/ops" <<'PY'
import json, random, sys
n, now = int(sys.argv[1]), int(sys.argv[2])
random.seed(int(sys.argv[2]))
def out(t, tenant, p):
    print(json.dumps({"type": t, "tenant": tenant, "actor": "p-" + tenant, "payload": p}))
members = ["m1", "m2", "m3"]
for m in members:
    out("lz.orders.v1.RegisterMember", "livrazou", {"member": {"memberId": m, "name": m, "kind": "MEMBER_KIND_SHIPPER"}})
    out("lz.orders.v1.RegisterSite", "livrazou", {"site": {"siteId": "s-" + m, "memberId": m, "name": "site", "kind": "SITE_KIND_CUSTOMER", "location": {"lat": 43.3, "lon": 5.4}}})
out("lz.inventory.v1.SetZone", "livrazou", {"zone": {"zoneId": "z", "temperatureClass": "TEMPERATURE_CLASS_CHILLED", "capacityGrams": "100000000", "capacityMillilitres": "100000000"}})
out("lz.inventory.v1.SetStockSharing", "livrazou", {"memberId": "m1", "shared": True})
out("lz.inventory.v1.SetStockSharing", "livrazou", {"memberId": "m2", "shared": True})
products = ["yaourt", "lait", "fromage", "beurre"]
lots, orders = [], []
for i in range(n):
    r = random.random()
    if r < 0.3 or not lots:
        lid = "L%d" % i
        lots.append(lid)
        # some lots expire during the run, some have bad quantities
        date = now + random.choice([random.randint(5, 40), random.randint(3600, 10 * 86400)])
        q = random.choice([random.randint(1, 50)] * 9 + [0, -2])
        out("lz.inventory.v1.ReceiveLot", "livrazou", {"lotId": lid, "ownerMemberId": random.choice(members), "product": random.choice(products), "quantity": str(q), "unitGrams": "100", "unitMillilitres": "100", "temperatureClass": "TEMPERATURE_CLASS_CHILLED", "dateKind": "DATE_KIND_USE_BY", "date": str(date), "zoneId": "z"})
    elif r < 0.6:
        m = random.choice(members)
        ref = "o%d" % i
        orders.append((m, ref))
        start = now + random.randint(3600, 3 * 86400)
        lines = [{"product": random.choice(products), "quantity": random.randint(1, 40), "unitGrams": 100, "temperatureClass": "TEMPERATURE_CLASS_CHILLED"} for _ in range(random.randint(1, 3))]
        out("lz.orders.v1.PlaceOrder", m, {"reference": ref, "destinationSiteId": "s-" + m, "deliveryWindow": {"start": str(start), "end": str(start + 7200)}, "source": "ORDER_SOURCE_HUB_STOCK", "allowPartial": random.random() < 0.5, "lines": lines})
    elif r < 0.7 and orders:
        m, ref = random.choice(orders)
        out("lz.orders.v1.CancelOrder", m, {"orderId": m + "/" + ref})
    elif r < 0.75 and orders:
        m, ref = random.choice(orders)
        out("lz.orders.v1.AmendOrder", m, {"orderId": m + "/" + ref, "lines": [{"product": random.choice(products), "quantity": random.randint(1, 30), "unitGrams": 100, "temperatureClass": "TEMPERATURE_CLASS_CHILLED"}]})
    elif r < 0.88 and orders:
        m, ref = random.choice(orders)
        oid = m + "/" + ref if random.random() < 0.9 else "m9/ghost"
        out("lz.inventory.v1.PickOrder", "livrazou", {"orderId": oid})
    else:
        out("lz.inventory.v1.CountStock", "livrazou", {"lotId": random.choice(lots), "counted": str(random.randint(-1, 60))})
    if i % 1000 == 500:
        # forged: the orders' and tours' events, from the gateway
        out("lz.orders.v1.OrderPlaced", "m1", {"order": {"orderId": "m1/forged%d" % i, "memberId": "m1", "source": "ORDER_SOURCE_HUB_STOCK", "lines": [{"product": "lait", "quantity": 5, "unitGrams": 100, "temperatureClass": "TEMPERATURE_CLASS_CHILLED"}]}})
        out("lz.tours.v1.GoodsUnloaded", "m1", {"orderId": "m1/forged%d" % i, "memberId": "m1", "lines": [{"line": 0, "product": "lait", "quantity": 5, "unitGrams": 100, "temperatureClass": "TEMPERATURE_CLASS_CHILLED"}]})
PY
FORGED=$(grep -c '"lz.orders.v1.OrderPlaced"\|"lz.tours.v1.GoodsUnloaded"' "$TMP/ops")
TOTAL=$(wc -l <"$TMP/ops")
echo "# $TOTAL operations"

# Send in four slices, SIGKILLing lz-inventory after each of the first
# three while the stream goes on.
slice=$(((TOTAL + 3) / 4))
for k in 0 1 2 3; do
	sed -n "$((k * slice + 1)),$(((k + 1) * slice))p" "$TMP/ops" >&3
	if [ $k -lt 3 ]; then
		sleep 0.$((RANDOM % 9 + 1))
		kill -9 "$pid_inventory"
		wait "$pid_inventory" 2>/dev/null
		start_inventory --no-sync --expiry-scan 1 || not_ok "restart $k"
	fi
done
check "inventory applied every command" wait_metric "$INVENTORY_ADMIN" \
	'lz_inbox_seq{source="gateway"}' "$TOTAL" 120
sleep 1
check "orders applied every inventory answer" wait_metric "$ORDERS_ADMIN" \
	'lz_inbox_seq{source="inventory"}' "$(metric "$INVENTORY_ADMIN" lz_outbox_seq)" 60
check "inventory applied every orders event" wait_metric "$INVENTORY_ADMIN" \
	'lz_inbox_seq{source="orders"}' "$(metric "$ORDERS_ADMIN" lz_outbox_seq)" 60
sleep 6 # lots dated within the run expire
curl -s "http://127.0.0.1:$INVENTORY_ADMIN/v1/invariants" >"$TMP/inv.json"
check "the service's own invariant checks pass" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("# received=%(received)s inStock=%(inStock)s picked=%(picked)s adjusted=%(adjusted)s expired=%(expired)s reserved=%(reserved)s reservations=%(reservations)s" % d)
assert d["ok"], d["violations"][:5]' "$TMP/inv.json"
check "quantities conserved: received = in stock + picked + adjusted + expired" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["received"] > 0 and d["picked"] > 0 and d["expired"] > 0, d
assert d["received"] == d["inStock"] + d["picked"] + d["adjusted"] + d["expired"], d' "$TMP/inv.json"
"$BIN/lz-tap" --replay inventory --replay-endpoint "$INVENTORY_REPLAY" --timeout 3 >"$TMP/inv.out" 2>/dev/null
check "stock never negative, in any event of the history" python3 -c '
import json, sys
bad = [l for l in open(sys.argv[1]) if "ReceptionRefused" not in l and ("\"quantity\":\"-" in l or "\"reserved\":\"-" in l or "\"after\":\"-" in l)]
assert not bad, bad[:3]' "$TMP/inv.out"
check "every reserved quantity belongs to a live order (asked of lz-orders)" python3 -c '
import json, sys, urllib.request, urllib.parse
d = json.load(open(sys.argv[1]))
assert d["reservations"] == len(d["reservedOrders"]) > 0, d["reservations"]
for oid in d["reservedOrders"]:
    o = json.load(urllib.request.urlopen("http://127.0.0.1:%s/v1/orders/%s" % (sys.argv[2], urllib.parse.quote(oid, safe=""))))
    st = o["order"]["status"]
    assert st in ("ORDER_STATUS_PLACED", "ORDER_STATUS_CONFIRMED", "ORDER_STATUS_PLANNED"), (oid, st)' "$TMP/inv.json" "$ORDERS_ADMIN"
check "no order confirmed without an answer: every hub-stock order placed got one" python3 -c '
import json, sys, collections
evs = [json.loads(l) for l in open(sys.argv[1])]
ans = set(e["payload"]["orderId"] for e in evs if e["type"] in ("lz.inventory.v1.ReservationMade", "lz.inventory.v1.Shortage"))
print("# answered orders:", len(ans))
assert len(ans) > 100' "$TMP/inv.out"
# The independent checker on the whole history: nothing picked that was
# not in stock, stock conserved lot by lot (what a random day can break).
mkdir -p "$TMP/history"
cp "$TMP/inv.out" "$TMP/history/inventory.jsonl"
"$BIN/lz-tap" --replay orders --replay-endpoint "$ORDERS_REPLAY" --timeout 3 \
	>"$TMP/history/orders.jsonl" 2>/dev/null
python3 "$(dirname "$0")/check_day.py" --events "$TMP/history" \
	--rules picked_in_stock,stock_conserved >"$TMP/check_day.out" 2>&1
rc=$?
check_eq "check_day.py: $(tail -n 1 "$TMP/check_day.out")" "$rc" 0
check_eq "the forged events refused for their source, nothing of them kept" \
	"$(metric "$INVENTORY_ADMIN" 'lz_events_refused_total{reason="source"}') $(grep -c forged "$TMP/inv.out")" \
	"$FORGED 0"
check "the refusals logged with the sources allowed" sh -c \
	"grep -q 'msg=\"event refused\" service=inventory source=gateway .*type=lz.orders.v1.OrderPlaced reason=source allowed=orders' '$TMP'/inventory*.log"
exec 3>&-
summary
