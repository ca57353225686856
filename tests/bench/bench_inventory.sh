#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-inventory: reservations per second with 100,000 lots in stock.
# lz-inventory (durable: fsync at each group commit) is loaded with LOTS
# lots (1000 products, 100 units each) through the bus, then receives N
# OrderPlaced events of hub-stock orders (one line, 1..3 units) from a
# stand-in orders source; we time until it has applied them all, each
# allocated FEFO over its product's lots, written and answered with a
# ReservationMade.  Baseline in the same run: the pure allocation
# function alone over the same stock.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/gateway_lib.sh"

LOTS=${BENCH_LOTS:-100000}
N=${BENCH_RESERVATIONS:-20000}
CMDPUB=$B/tests/lz-cmdpub
start_bus
start_inventory --expiry-scan 86400
mkfifo "$TMP/gw" "$TMP/ord"
exec 3<>"$TMP/gw" 4<>"$TMP/ord"
start gw "$CMDPUB" --state "$TMP/gwst" --pub "$XSUB" --replay "$GW_REPLAY" \
	--input "$TMP/gw" --no-sync
start ord "$CMDPUB" --state "$TMP/ordst" --source orders --pub "$XSUB" \
	--replay "$ORDERS_REPLAY" --input "$TMP/ord" --no-sync
sleep 0.5
python3 - "$LOTS" >&3 <<'PY'
import json, sys
n = int(sys.argv[1]); per = n // 1000
print(json.dumps({"type": "lz.inventory.v1.SetZone", "tenant": "livrazou", "payload": {"zone": {"zoneId": "z", "temperatureClass": "TEMPERATURE_CLASS_CHILLED", "capacityGrams": "1000000000000", "capacityMillilitres": "1000000000000"}}}))
for i in range(n):
    print(json.dumps({"type": "lz.inventory.v1.ReceiveLot", "tenant": "livrazou", "payload": {"lotId": "L%d" % i, "ownerMemberId": "m0", "product": "p%d" % ((i // per) % 1000), "quantity": "100", "unitGrams": "100", "temperatureClass": "TEMPERATURE_CLASS_CHILLED", "dateKind": "DATE_KIND_USE_BY", "date": str(1900000000 + (i % 97) * 3600), "zoneId": "z"}}))
PY
wait_metric "$INVENTORY_ADMIN" 'lz_inbox_seq{source="gateway"}' $((LOTS + 1)) 100 ||
	{ echo "bench-inventory: lots not loaded"; exit 1; }
echo "# $(metric "$INVENTORY_ADMIN" lz_inventory_stock_units) units in $LOTS lots"
python3 - "$N" "$(date +%s)" >"$TMP/orders" <<'PY'
import json, random, sys
n, now = int(sys.argv[1]), int(sys.argv[2]); random.seed(42)
for i in range(n):
    print(json.dumps({"type": "lz.orders.v1.OrderPlaced", "tenant": "m0", "payload": {"order": {"orderId": "m0/o%d" % i, "memberId": "m0", "reference": "o%d" % i, "destinationSiteId": "s", "deliveryWindow": {"start": str(now + 3600), "end": str(now + 7200)}, "source": "ORDER_SOURCE_HUB_STOCK", "status": "ORDER_STATUS_PLACED", "lines": [{"product": "p%d" % random.randrange(1000), "quantity": random.randint(1, 3), "unitGrams": 100, "temperatureClass": "TEMPERATURE_CLASS_CHILLED"}]}}}))
PY
t0=$(date +%s.%N)
cat "$TMP/orders" >&4
wait_metric "$INVENTORY_ADMIN" 'lz_inbox_seq{source="orders"}' "$N" 100 ||
	{ echo "bench-inventory: orders not applied"; exit 1; }
t1=$(date +%s.%N)
made=$(metric "$INVENTORY_ADMIN" lz_inventory_reservations_total)
base=$("$B/tests/bench-inventory-alloc" "$LOTS" 1000 "$N")
echo "# pure allocation: $base"
rate=$(echo "$N / ($t1 - $t0)" | bc -l)
braw=$(echo "$base" | sed 's/.*per_s=\([0-9.]*\).*/\1/')
printf 'bench-inventory: reservations_per_s=%.0f lots=%s reservations_made=%s pure_alloc_per_s=%s ratio=%.4f\n' \
	"$rate" "$LOTS" "${made:-0}" "$braw" "$(echo "$rate / $braw" | bc -l)"
FAILED=0
