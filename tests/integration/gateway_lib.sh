# SPDX-License-Identifier: AGPL-3.0-or-later
# Helpers for tests that go through the gateway (sourced after lib.sh).
# Sets up a territory's keys and partners, and starts lz-bus and
# lz-gateway on this test's ports.

XSUB=tcp://127.0.0.1:$PORT_BASE
XPUB=tcp://127.0.0.1:$((PORT_BASE + 1))
BUS_ADMIN=$((PORT_BASE + 2))
GW_ZMQ=tcp://127.0.0.1:$((PORT_BASE + 3))
GW_HTTP=127.0.0.1:$((PORT_BASE + 4))
GW_ADMIN=$((PORT_BASE + 5))
GW_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 6))
ORDERS_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 7))
ORDERS_ADMIN=$((PORT_BASE + 8))
PARTNERS=$TMP/partners
USERS=$TMP/users # the web application's users (user, below)

"$BIN/lz-ctl" keygen --out "$TMP/gateway.key" >/dev/null
SERVER_KEY=$(sed -n 's/^public-key = //p' "$TMP/gateway.key")

# partner ID MEMBER ROLES: makes a key pair and adds the partner; its token
# is in $TMP/ID.token, its key pair in $TMP/ID.key.
partner() {
	local pub
	pub=$("$BIN/lz-ctl" keygen --out "$TMP/$1.key" | sed 's/^public-key = //')
	"$BIN/lz-ctl" partner add --partners "$PARTNERS" --id "$1" \
		--member "$2" --roles "$3" --public-key "$pub" |
		sed -n 's/^token = //p' >"$TMP/$1.token"
}

token() { cat "$TMP/$1.token"; }

# user NAME ROLE [MEMBER]: adds a user of the web application, whose
# password is "pw-NAME-123".
user() {
	echo "pw-$1-123" | "$BIN/lz-ctl" user add "$1" --role "$2" \
		${3:+--member "$3"} --users "$USERS" --partners "$PARTNERS" >/dev/null
}

start_bus() {
	start bus "$BIN/lz-bus" --xsub "$XSUB" --xpub "$XPUB" \
		--admin "127.0.0.1:$BUS_ADMIN"
	wait_http "$BUS_ADMIN" 10 && kill -0 "$pid_bus"
}

# start_gateway [EXTRA OPTIONS...]
start_gateway() {
	start gateway "$BIN/lz-gateway" --state "$TMP/gateway" \
		--partners "$PARTNERS" --server-key "$TMP/gateway.key" \
		--zmq "$GW_ZMQ" --http "$GW_HTTP" --admin "127.0.0.1:$GW_ADMIN" \
		--pub "$XSUB" --sub "$XPUB" --replay "$GW_REPLAY" \
		--orders-api "127.0.0.1:$ORDERS_ADMIN" \
		--inventory-api "127.0.0.1:$INVENTORY_ADMIN" \
		--tours-api "127.0.0.1:$TOURS_ADMIN" \
		--bikes-api "127.0.0.1:$BIKES_ADMIN" \
		--returns-api "127.0.0.1:$RETURNS_ADMIN" \
		--impact-api "127.0.0.1:$IMPACT_ADMIN" \
		--bus-admin "127.0.0.1:$BUS_ADMIN" --users "$USERS" "$@"
	wait_http "$GW_ADMIN" 10
}

# start_service NAME REPLAY ADMIN_PORT [EXTRA OPTIONS...]: starts lz-NAME
# on this test's bus, its state in $TMP/NAME, and waits for its admin port.
# The daemons that keep local dates get --timezone $LOCAL_TZ when it is set.
start_service() {
	local svc=$1 replay=$2 admin=$3
	shift 3
	case $svc in orders | tours | bikes | returns | impact)
		[ -n "${LOCAL_TZ:-}" ] && set -- --timezone "$LOCAL_TZ" "$@" ;;
	esac
	start "$svc" "$BIN/lz-$svc" --state "$TMP/$svc" --pub "$XSUB" \
		--sub "$XPUB" --replay "$replay" --admin "127.0.0.1:$admin" "$@"
	wait_http "$admin" 10
}

start_orders() { start_service orders "$ORDERS_REPLAY" "$ORDERS_ADMIN" "$@"; }

# submit PARTNER TYPE JSON [MSGID]: sends over ZeroMQ+CURVE; prints the Ack.
submit() {
	"$BIN/lz-ctl" submit --gateway "$GW_ZMQ" --key "$TMP/$1.key" \
		--server-key "$SERVER_KEY" --type "$2" --json "$3" \
		${4:+--msg-id "$4"} --timeout 5
}

# post PARTNER TYPE JSON MSGID: sends over HTTP; prints "CODE BODY".
post() {
	curl -s -o "$TMP/post.body" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $(token "$1")" \
		-H "Idempotency-Key: $4" --data-binary "$3" \
		"http://$GW_HTTP/v1/commands/$2"
	printf ' %s\n' "$(cat "$TMP/post.body")"
}

# get PARTNER PATH: prints "CODE BODY".
get() {
	curl -s -o "$TMP/get.body" -w '%{http_code}' \
		-H "Authorization: Bearer $(token "$1")" "http://$GW_HTTP$2"
	printf ' %s\n' "$(cat "$TMP/get.body")"
}

# jfield JSON KEY: the value of a top-level key of a JSON object.
jfield() {
	python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2], ""); print(v)' "$1" "$2"
}

INVENTORY_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 9))
INVENTORY_ADMIN=$((PORT_BASE + 10))

# start_inventory [EXTRA OPTIONS...]
start_inventory() { start_service inventory "$INVENTORY_REPLAY" "$INVENTORY_ADMIN" "$@"; }

TOURS_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 11))
TOURS_ADMIN=$((PORT_BASE + 12))

# start_tours [EXTRA OPTIONS...]
start_tours() { start_service tours "$TOURS_REPLAY" "$TOURS_ADMIN" "$@"; }

BIKES_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 13))
BIKES_ADMIN=$((PORT_BASE + 14))

# start_bikes [EXTRA OPTIONS...]
start_bikes() { start_service bikes "$BIKES_REPLAY" "$BIKES_ADMIN" "$@"; }

RETURNS_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 15))
RETURNS_ADMIN=$((PORT_BASE + 16))

# start_returns [EXTRA OPTIONS...]
start_returns() { start_service returns "$RETURNS_REPLAY" "$RETURNS_ADMIN" "$@"; }

IMPACT_REPLAY=tcp://127.0.0.1:$((PORT_BASE + 17))
IMPACT_ADMIN=$((PORT_BASE + 18))

# start_impact [EXTRA OPTIONS...]
start_impact() { start_service impact "$IMPACT_REPLAY" "$IMPACT_ADMIN" "$@"; }

# inbox_ok CONSUMER_PORT SOURCE PRODUCER_PORT: the consumer (admin port)
# applied everything the producer published.
inbox_ok() {
	local want have
	want=$(metric "$3" lz_outbox_seq)
	have=$(metric "$1" "lz_inbox_seq{source=\"$2\"}")
	[ "${want:-0}" -le "${have:-0}" ]
}

# settle_on CHECK [SECONDS]: waits (30 s by default) until the function
# CHECK holds three times in a row: an applied event may make another
# daemon publish.
settle_on() {
	local end=$(($(date +%s) + ${2:-30})) n=0
	while [ "$(date +%s)" -le "$end" ]; do
		if "$1"; then
			n=$((n + 1))
			[ "$n" -ge 3 ] && return 0
		else
			n=0
		fi
		sleep 0.2
	done
	return 1
}

# status REF: the status of order SHIPPER_MEMBER/REF as lz-orders has it,
# read through the gateway by partner SHIPPER (default shop of fournil);
# statuses REF...: "REF:STATUS ...".
status() {
	local r
	r=$(get "${SHIPPER:-shop}" "/v1/orders/${SHIPPER_MEMBER:-fournil}%2F$1")
	[ "${r%% *}" = 200 ] || { echo "http ${r%% *}"; return; }
	echo "${r#* }" | python3 -c 'import json,sys; print(json.load(sys.stdin)["order"]["status"].replace("ORDER_STATUS_", ""))'
}
statuses() {
	local out="" r
	for r in "$@"; do out="$out $r:$(status "$r")"; done
	echo "${out# }"
}

# cmd PARTNER TYPE JSON: submits over ZeroMQ+CURVE; a command not accepted
# is printed and counted in NOT_ACCEPTED.
NOT_ACCEPTED=0
ok_ack() { [ "$(jfield "$1" status)" = ACK_STATUS_ACCEPTED ]; }
cmd() {
	local a
	a=$(submit "$1" "$2" "$3")
	if ! ok_ack "$a"; then
		NOT_ACCEPTED=$((NOT_ACCEPTED + 1))
		echo "# not accepted: $2 $3: $a"
	fi
}
