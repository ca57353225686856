#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The web application's door, from outside with curl, against the real
# gateway and services: users log in (Argon2id hashes from lz-ctl user),
# get an HttpOnly SameSite=Strict cookie and a CSRF token; a wrong
# password, an unknown user, too many failures, a planted session token
# (fixation), a missing or wrong CSRF token, an expired or closed session
# are all refused and change nothing; a user's command is applied like a
# partner's; every read endpoint narrows a non-operator to its own data
# (checked against the service's own answer for the reader's member, so a
# member asking for another member's data gets its own); the app's files
# come with their types, a CSP, an ETag and 304s, and nothing outside the
# roots; the event stream of a session carries its member's events only;
# the users file is read again on SIGHUP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

partner ops livrazou operator,receiver
partner shop fournil shipper
user marie operator
user alice member fournil
user bob member paniers
user paul driver
user rita rider
user noa relay paniers
user comp processor compost
user eve member paniers # tries too many passwords

# A web root of this test's own: the real app is test_web.sh's subject.
WEB=$TMP/web
mkdir -p "$WEB/js" "$TMP/outside"
echo '<!doctype html><title>Livrazou</title>' >"$WEB/index.html"
echo 'export const x = 1;' >"$WEB/js/app.js"
echo 'secret' >"$TMP/outside/secret.html"
echo 'x' >"$WEB/notes.exe"
ln -s "$TMP/outside/secret.html" "$WEB/link.html"

start_bus
start_gateway --rate 100000 --burst 100000 --web-root "$WEB" \
	--login-attempts 3 --login-window-s 600
start_orders --no-sync
start_inventory --no-sync
start_tours --no-sync
start_bikes --no-sync
start_returns --no-sync
start_impact --no-sync
URL=http://$GW_HTTP
J=$TMP/jar

# login NAME PASSWORD [JAR]: prints the HTTP status; the answer is in
# $TMP/login.json, the headers in $TMP/login.h, cookies in JAR.
login() {
	curl -s -o "$TMP/login.json" -D "$TMP/login.h" -w '%{http_code}' \
		-c "${3:-$J.$1}" -b "${3:-$J.$1}" -H 'Content-Type: application/json' \
		--data-binary "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/v1/session"
}
csrf() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/csrf.$1"; }
in_as() { # NAME: logs in with the right password, keeps the CSRF token
	[ "$(login "$1" "pw-$1-123")" = 200 ] && cp "$TMP/login.json" "$TMP/csrf.$1"
}
# uget NAME PATH: "CODE BODY" of a GET with NAME's session.
uget() {
	curl -s -o "$TMP/uget.body" -w '%{http_code}' -b "$J.$1" "$URL$2"
	printf ' %s\n' "$(cat "$TMP/uget.body")"
}
# upost NAME TYPE JSON MSGID [CSRF]: "CODE BODY" of a command with NAME's
# session (CSRF: the token to send; default: the session's own).
upost() {
	curl -s -o "$TMP/upost.body" -w '%{http_code}' -b "$J.$1" -X POST \
		-H "X-CSRF-Token: ${5-$(csrf "$1")}" -H "Idempotency-Key: $4" \
		--data-binary "$3" "$URL/v1/commands/$2"
	printf ' %s\n' "$(cat "$TMP/upost.body")"
}
admin() { curl -s "http://127.0.0.1:$1$2"; }
code() { echo "${1%% *}"; }
body() { echo "${1#* }"; }
cookie_line() { grep -i '^set-cookie:' "$TMP/login.h" | tr -d '\r'; }

# ---- lz-ctl user ----
check "lz-ctl user list shows the users" \
	sh -c "'$BIN/lz-ctl' user list --users '$USERS' | grep -q '^alice  *member  *fournil'"
check "the users file holds Argon2id hashes, never a password" \
	sh -c "grep -qF 'alice member fournil \$argon2id\$v=19\$' '$USERS' && ! grep -q 'pw-alice' '$USERS'"
echo "pw-shop-1234" | "$BIN/lz-ctl" user add shop --role member --member fournil \
	--users "$USERS" --partners "$PARTNERS" 2>"$TMP/dup.err"
check "a user cannot take a partner's name" grep -q "already a user or a partner" "$TMP/dup.err"
echo short | "$BIN/lz-ctl" user add zoe --role operator --users "$USERS" 2>"$TMP/short.err"
check "a short password is refused" grep -q "at least 8" "$TMP/short.err"
echo "pw-zoe-12345" | "$BIN/lz-ctl" user add zoe --role member --users "$USERS" 2>"$TMP/nomember.err"
check "a member user needs --member" grep -q "needs --member" "$TMP/nomember.err"

# ---- logging in ----
check_eq "a wrong password is 401" "$(login alice wrong-password)" 401
check_eq "an unknown user is 401, with the same answer" "$(login nobody wrong-password) $(cat "$TMP/login.json")" \
	'401 {"error":"wrong user name or password"}'
check "and no cookie is set" sh -c "! grep -qi '^set-cookie' '$TMP/login.h'"
login eve wrong-1 >/dev/null
login eve wrong-2 >/dev/null
login eve wrong-3 >/dev/null
check_eq "after 3 failures the user is limited: 429, even with the right password" \
	"$(login eve pw-eve-123)" 429
check "with Retry-After" grep -qi '^retry-after: [0-9]' "$TMP/login.h"
check_eq "failures and limits counted" \
	"$(metric "$GW_ADMIN" lz_gateway_logins_failed_total) $(metric "$GW_ADMIN" lz_gateway_logins_limited_total)" "5 1"

# A planted token: the attacker's cookie before login.
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tlz_session\t%s\n' \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" >"$J.alice"
check_eq "the right password logs in" "$(login alice pw-alice-123)" 200
cp "$TMP/login.json" "$TMP/csrf.alice"
cookie_line >"$TMP/cookie"
check "the cookie is HttpOnly, SameSite=Strict, Path=/, lasts the session" \
	sh -c 'grep -q "HttpOnly" "$0" && grep -q "SameSite=Strict" "$0" && grep -q "Path=/;" "$0" && grep -q "Max-Age=43200" "$0"' "$TMP/cookie"
check "not Secure without --cookie-secure" sh -c "! grep -i '^set-cookie:' '$TMP/login.h' | grep -q Secure"
check "the planted token is not the session's (no fixation)" \
	sh -c "! grep -q AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA '$J.alice'"
check_eq "the answer names the user, role and member" "$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["user"], s["role"], s["member"], len(s["csrf"]), s["tiles"]["url"] == "")' "$TMP/login.json")" \
	"alice member fournil 43 True"
TOKEN=$(sed -n 's/.*lz_session\t//p' "$J.alice")
check "the cookie holds a token" test "${#TOKEN}" -eq 43
check "the state keeps no token, only its hash" sh -c "! grep -q -- '$TOKEN' '$TMP/gateway/data.mdb'"
check_eq "GET /v1/session with the cookie" "$(code "$(uget alice /v1/session)")" 200
cp "$J.alice" "$J.old"
in_as alice
check_eq "a second login replaces the session the browser had" \
	"$(curl -s -o /dev/null -w '%{http_code}' -b "$J.old" "$URL/v1/session")" 401
for u in marie bob paul rita noa comp; do
	check "$u logs in: one user's failures do not lock the others" in_as $u
done

# ---- commands with a session ----
reg() { submit ops "lz.orders.v1.$1" "$2" >/dev/null; }
reg RegisterMember '{"member":{"memberId":"fournil","name":"Le Fournil","kind":"MEMBER_KIND_SHIPPER"}}'
reg RegisterMember '{"member":{"memberId":"paniers","name":"Paniers","kind":"MEMBER_KIND_SHIPPER"}}'
reg RegisterSite '{"site":{"siteId":"cafe","memberId":"fournil","name":"Café","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.2988,"lon":5.3700}}}'
reg RegisterSite '{"site":{"siteId":"epicerie","memberId":"paniers","name":"Épicerie","kind":"SITE_KIND_CUSTOMER","location":{"lat":43.30,"lon":5.38}}}'
submit ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"sec","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"2000000","capacityMillilitres":"3000000"}}' >/dev/null
submit ops lz.inventory.v1.ReceiveLot '{"lotId":"L-farine","ownerMemberId":"fournil","product":"farine","quantity":"60","unitGrams":"1000","unitMillilitres":"1200","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","zoneId":"sec"}' | grep -v ACCEPTED
T0=$(($(date +%s) + 86400))
DATE=$(TZ=Europe/Paris date -d "@$T0" +%F)
ORDER() { echo "{\"reference\":\"$1\",\"destinationSiteId\":\"$2\",\"deliveryWindow\":{\"start\":\"$T0\",\"end\":\"$((T0 + 7200))\"},\"source\":\"ORDER_SOURCE_HUB_STOCK\",\"lines\":[{\"product\":\"pain\",\"quantity\":3,\"unitGrams\":500,\"temperatureClass\":\"TEMPERATURE_CLASS_AMBIENT\"}]}"; }
r=$(upost alice lz.orders.v1.PlaceOrder "$(ORDER w0 cafe)" m0 "")
check_eq "a command without the CSRF token is refused (401)" "$(code "$r")" 401
check "and says why" sh -c "echo '$r' | grep -q 'X-CSRF-Token'"
r=$(upost alice lz.orders.v1.PlaceOrder "$(ORDER w0 cafe)" m0 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
check_eq "a wrong CSRF token is refused (401)" "$(code "$r")" 401
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-CSRF-Token: $(csrf alice)" \
	-H "Idempotency-Key: m0" --data-binary "$(ORDER w0 cafe)" "$URL/v1/commands/lz.orders.v1.PlaceOrder")
check_eq "a CSRF token without the cookie is refused (401)" "$r" 401
r=$(upost alice lz.orders.v1.PlaceOrder "$(ORDER w1 cafe)" m1)
check_eq "with the session and its CSRF token: accepted (202)" "$(code "$r")" 202
r=$(upost alice lz.orders.v1.PlaceOrder "$(ORDER w1 cafe)" m1)
check_eq "the same message id again: the same answer, no second order" \
	"$(jfield "$(body "$r")" status)" ACK_STATUS_DUPLICATE
upost bob lz.orders.v1.PlaceOrder "$(ORDER b1 epicerie)" b1 >/dev/null
r=$(upost paul lz.orders.v1.PlaceOrder "$(ORDER p1 cafe)" p1)
check_eq "a driver may not place orders (403)" "$(code "$r")" 403
settled() { [ "$(admin "$ORDERS_ADMIN" "/v1/orders/fournil/w1" | jfield_order)" = fournil ]; }
jfield_order() { python3 -c 'import json,sys; print(json.load(sys.stdin).get("order",{}).get("memberId",""))' 2>/dev/null; }
check "the order is in lz-orders, as alice's member's" settle_on settled 20
check_eq "the orders refused without CSRF left nothing" \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ORDERS_ADMIN/v1/orders/fournil/w0")" 404
check_eq "the command's envelope names the user as actor, her member as tenant" \
	"$("$BIN/lz-tap" --replay gateway --replay-endpoint "$GW_REPLAY" --timeout 2 |
		python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e.get("type") == "lz.orders.v1.PlaceOrder" and e["payload"]["reference"] == "w1":
        print(e.get("actor"), e.get("tenant"))')" "alice fournil"

# ---- reads: roles, and narrowing to one's own ----
check_eq "a member reads its own order" "$(code "$(uget alice /v1/orders/fournil/w1)")" 200
check_eq "but not another member's: 404, as if it did not exist" "$(code "$(uget bob /v1/orders/fournil/w1)")" 404
check_eq "nor with the id encoded" "$(code "$(uget bob /v1/orders/fournil%2Fw1)")" 404
# narrowed NAME PATH PARAM OWN: the gateway's answer to NAME asking for
# PATH?PARAM=<someone else> is the service's answer for PARAM=OWN.
narrowed() {
	local port=$1 name=$2 path=$3 param=$4 own=$5 other=$6 got want sep
	case $path in *\?*) sep='&' ;; *) sep='?' ;; esac
	got=$(body "$(uget "$name" "$path$sep$param=$other")")
	want=$(admin "$port" "$(echo "$path" | sed 's|^/v1/impact|/v1/report|')$sep$param=$own")
	[ -n "$want" ] && [ "$got" = "$want" ]
}
# differs PORT PATH PARAM A B: the service holds different data for A and B
# (so that the narrowing checks below can fail).
differs() {
	local sep='?'
	case $2 in *\?*) sep='&' ;; esac
	[ "$(admin "$1" "$2${sep}$3=$4")" != "$(admin "$1" "$2${sep}$3=$5")" ]
}
lot_in() { admin "$INVENTORY_ADMIN" "/v1/stock?by=product&member=fournil" | grep -q farine; }
check "the lot is in stock" settle_on lot_in 20
for e in "$ORDERS_ADMIN /v1/orders?date=$DATE" "$ORDERS_ADMIN /v1/sites" "$INVENTORY_ADMIN /v1/stock?by=product"; do
	set -- $e
	check "the services hold different data for the two members at $2" differs "$1" "$2" member fournil paniers
done
check "orders: bob asking for fournil's list gets his own" \
	narrowed "$ORDERS_ADMIN" bob "/v1/orders?date=$DATE" member paniers fournil
check_eq "and alice's list holds her order only" \
	"$(body "$(uget alice "/v1/orders?member=paniers")" | python3 -c 'import json,sys; print(" ".join(o["orderId"] for o in json.load(sys.stdin).get("orders", [])))')" "fournil/w1"
check "sites: a member's own" narrowed "$ORDERS_ADMIN" bob /v1/sites member paniers fournil
check "stock: a member's own (and the shared pool)" narrowed "$INVENTORY_ADMIN" bob "/v1/stock?by=product" member paniers fournil
check "balances: a member's own" narrowed "$RETURNS_ADMIN" bob /v1/balances member paniers fournil
check "impact: a member's own" narrowed "$IMPACT_ADMIN" bob "/v1/impact?from=$DATE&to=$DATE" member paniers fournil
check "parcels: a relay point's member's own" narrowed "$BIKES_ADMIN" noa /v1/parcels member paniers fournil
check "flows: a processor's member's own" narrowed "$RETURNS_ADMIN" comp /v1/flows member compost fournil
check "tours: a driver's own" narrowed "$TOURS_ADMIN" paul "/v1/tours/$DATE" driver paul someone-else
check "runs: a rider's own" narrowed "$BIKES_ADMIN" rita "/v1/runs/$DATE" rider rita someone-else
check "fleet: a rider's own shifts" narrowed "$BIKES_ADMIN" rita /v1/fleet rider rita someone-else
for p in "/v1/tasks/$DATE" /v1/members /v1/levels /v1/health "/v1/tours/$DATE" "/v1/runs/$DATE" /v1/zones; do
	check_eq "a member may not read $p (403)" "$(code "$(uget alice "$p")")" 403
done
check_eq "a driver may not read members' stock (403)" "$(code "$(uget paul /v1/stock)")" 403
check_eq "an operator reads the unplanned tasks" "$(code "$(uget marie "/v1/tasks/$DATE")")" 200
check_eq "and anyone's stock as asked" "$(body "$(uget marie "/v1/stock?by=product&member=fournil")")" \
	"$(admin "$INVENTORY_ADMIN" "/v1/stock?by=product&member=fournil")"
check_eq "a partner's bearer token reads as before" "$(code "$(get shop /v1/orders/fournil/w1)")" 200
r=$(curl -s -D "$TMP/h" -o /dev/null -w '%{http_code}' "$URL/v1/stock")
check_eq "no session, no token: 401 with WWW-Authenticate" \
	"$r $(grep -ci '^www-authenticate: Bearer' "$TMP/h")" "401 1"
check_eq "a path that climbs out is 404" "$(curl -s -o /dev/null -w '%{http_code}' -b "$J.marie" --path-as-is "$URL/v1/tours/../tasks/$DATE")" 404
check_eq "reads are GET only (405)" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -b "$J.marie" "$URL/v1/stock")" 405
r=$(uget marie /v1/health)
check_eq "health: every daemon answers ready" "$(body "$r" | python3 -c '
import json, sys
h = json.load(sys.stdin)
print(h["ready"], " ".join(sorted(s["name"] for s in h["services"] if s["ready"])))')" \
	"True bikes bus gateway impact inventory orders returns tours"
kill "$pid_impact"
wait "$pid_impact" 2>/dev/null
check_eq "health: a daemon down is named" "$(body "$(uget marie /v1/health)" | python3 -c '
import json, sys
h = json.load(sys.stdin)
print(h["ready"], [s["name"] for s in h["services"] if not s["ready"]])')" "False ['impact']"
check_eq "a read from a daemon down is 503" "$(code "$(uget alice "/v1/impact?from=$DATE")")" 503

# ---- the event stream of a session ----
curl -s -N --max-time 6 -b "$J.alice" "$URL/v1/events" >"$TMP/sse.alice" &
SA=$!
curl -s -N --max-time 6 -b "$J.bob" "$URL/v1/events" >"$TMP/sse.bob" &
SB=$!
sleep 1
upost alice lz.orders.v1.CancelOrder '{"orderId":"fournil/w1","reason":"test"}' c1 >/dev/null
wait $SA $SB
check "alice's stream carries her member's events" grep -q 'fournil/w1' "$TMP/sse.alice"
check "bob's stream does not" sh -c "! grep -q 'fournil/w1' '$TMP/sse.bob'"

# ---- the app's files ----
h=$(curl -s -D - -o "$TMP/index" "$URL/app/" | tr -d '\r')
check "GET /app/ is index.html as text/html" sh -c "echo '$h' | grep -qi '^content-type: text/html' && grep -q Livrazou '$TMP/index'"
check "with nosniff, a CSP of this origin only, no-cache and an ETag" \
	sh -c "echo \"\$1\" | grep -qi '^x-content-type-options: nosniff' && echo \"\$1\" | grep -qi \"^content-security-policy: default-src 'self'\" && echo \"\$1\" | grep -qi '^cache-control: no-cache' && echo \"\$1\" | grep -qi '^etag: \"'" _ "$h"
etag=$(echo "$h" | sed -n 's/^[Ee][Tt]ag: //p')
check_eq "If-None-Match with the ETag: 304" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$URL/app/")" 304
check_eq "a module is text/javascript" \
	"$(curl -s -o /dev/null -w '%{content_type}' "$URL/app/js/app.js")" "text/javascript; charset=utf-8"
if [ -f /usr/share/javascript/leaflet/leaflet.js ]; then
	check_eq "Leaflet comes from Debian's libjs-leaflet" \
		"$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/app/lib/leaflet/leaflet.js")" \
		"200 text/javascript; charset=utf-8"
fi
for p in /app/../outside/secret.html /app/%2e%2e/outside/secret.html /app/link.html /app/notes.exe /app/.hidden /app/js; do
	check_eq "$p is not served (404)" "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$URL$p")" 404
done
check_eq "/ sends to /app/ (303)" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/")" "303 $URL/app/"

# ---- logout, expiry, reload ----
r=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -b "$J.bob" "$URL/v1/session")
check_eq "logout without the CSRF token is refused (403)" "$r" 403
r=$(curl -s -D "$TMP/lo.h" -o /dev/null -w '%{http_code}' -X DELETE -b "$J.bob" \
	-H "X-CSRF-Token: $(csrf bob)" "$URL/v1/session")
check_eq "logout (204) clears the cookie" "$r $(grep -ci 'set-cookie: lz_session=;.*Max-Age=0' "$TMP/lo.h")" "204 1"
check_eq "and the session is gone" "$(code "$(uget bob /v1/session)")" 401
echo "pw-lea-12345" | "$BIN/lz-ctl" user add lea --role operator --users "$USERS" >/dev/null
check_eq "a user added after the start cannot log in yet" "$(login lea pw-lea-12345)" 401
kill -HUP "$pid_gateway"
check "SIGHUP reads the users file again" wait_grep "$TMP/gateway.log" "users file reloaded" 10
check_eq "then the new user logs in" "$(login lea pw-lea-12345)" 200
"$BIN/lz-ctl" user remove alice --users "$USERS" >/dev/null
kill -HUP "$pid_gateway"
sleep 1
check_eq "a removed user's session ends at the next reload" "$(code "$(uget alice /v1/session)")" 401
check_eq "gateway metrics: the users after the reload" "$(metric "$GW_ADMIN" lz_gateway_users)" 8

stop_gateway() { kill "$pid_gateway"; wait "$pid_gateway" 2>/dev/null; }
stop_gateway
start_gateway --web-root "$WEB" --session-s 2 --cookie-secure
check_eq "a short session" "$(login marie pw-marie-123)" 200
check "under --cookie-secure the cookie is Secure" sh -c "grep -i '^set-cookie:' '$TMP/login.h' | grep -q '; Secure'"
check_eq "sessions outlive a restart of the gateway" "$(code "$(uget paul /v1/session)")" 200
sleep 3
check_eq "an expired session is refused" "$(code "$(uget marie /v1/session)")" 401
check_eq "and its commands too" "$(code "$(upost marie lz.tours.v1.PlanWave "{\"date\":\"$DATE\",\"wave\":\"am\"}" e1)")" 401
kill -TERM "$pid_gateway"
check "lz-gateway stops cleanly (and without leaks under ASan)" wait_pid "$pid_gateway" 10
summary
