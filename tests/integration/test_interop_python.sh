#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Interoperability: a partner written in Python (pyzmq with CURVE, protobuf
# classes generated from proto/ by protoc at test time) places an order
# through the real gateway and follows what happens to it over Server-Sent
# Events; it also sends a frame that is not a Submit and gets a clear Ack.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

PY=/usr/bin/python3 # Debian's, with python3-zmq and python3-protobuf
if ! "$PY" -c 'import zmq, google.protobuf' 2>/dev/null || ! command -v protoc >/dev/null; then
	not_ok "python3-zmq, python3-protobuf and protoc are installed (deploy/install-deps.sh)"
	summary
	exit 1
fi

partner ops livrazou operator
partner shop fournil shipper
start_bus
start_gateway
start_orders

submit ops lz.orders.v1.RegisterMember \
	'{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}' >/dev/null
submit ops lz.orders.v1.RegisterSite \
	'{"site":{"siteId":"cafe-panier","memberId":"fournil","name":"Café Panier","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.2988,"lon":5.3700}}}' >/dev/null

start_s=$(($(date +%s) + 86400))
ORDER="{\"reference\":\"py-1\",\"destinationSiteId\":\"cafe-panier\",
 \"deliveryWindow\":{\"start\":\"$start_s\",\"end\":\"$((start_s + 7200))\"},
 \"source\":\"ORDER_SOURCE_HUB_STOCK\",
 \"lines\":[{\"product\":\"pain de campagne\",\"quantity\":12,\"unitGrams\":500,
   \"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}]}"

"$PY" "$(dirname "$0")/../interop/partner.py" --gateway "$GW_ZMQ" \
	--server-key="$SERVER_KEY" --key "$TMP/shop.key" --http "$GW_HTTP" \
	--token "$(token shop)" --type lz.orders.v1.PlaceOrder --json "$ORDER" \
	--wait-for lz.orders.v1.OrderPlaced --garbage >"$TMP/py.json" 2>"$TMP/py.err"
check "the Python partner ran" test -s "$TMP/py.json"
cat "$TMP/py.err"
q() { "$PY" -c "import json,sys; d=json.load(open('$TMP/py.json')); print($1)"; }
check_eq "its order is accepted over CURVE" "$(q 'd["ack"]["status"]')" ACK_STATUS_ACCEPTED
check_eq "its garbage frame gets a MALFORMED Ack" "$(q 'd["garbageAck"]["errorCode"]')" ERROR_CODE_MALFORMED
check_eq "it reads its command back as an event" \
	"$(q '[e["payload"]["reference"] for e in d["events"] if e["type"] == "lz.orders.v1.PlaceOrder"]')" "['py-1']"
check_eq "and the order service's answer" \
	"$(q '[(e["payload"]["order"]["orderId"], e["payload"]["order"]["status"]) for e in d["events"] if e["type"] == "lz.orders.v1.OrderPlaced"]')" \
	"[('fournil/py-1', 'ORDER_STATUS_PLACED')]"
summary
