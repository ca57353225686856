#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The example configuration is accepted by every daemon it configures, and
# `make install` puts binaries, the systemd units and the examples in place.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

INI=$(dirname "$0")/../../deploy/livrazou.ini
partner ops livrazou operator
# The file's endpoints are the defaults of a real host; flags move them to
# this test's ports, as an operator would on a shared machine.
start bus "$BIN/lz-bus" --config "$INI" --xsub "$XSUB" --xpub "$XPUB" \
	--admin "127.0.0.1:$BUS_ADMIN"
check "lz-bus accepts the example configuration" wait_http "$BUS_ADMIN" 10
start gateway "$BIN/lz-gateway" --config "$INI" --state "$TMP/gateway" \
	--partners "$PARTNERS" --server-key "$TMP/gateway.key" --zmq "$GW_ZMQ" \
	--http "$GW_HTTP" --admin "127.0.0.1:$GW_ADMIN" --pub "$XSUB" \
	--sub "$XPUB" --replay "$GW_REPLAY" --orders-api "127.0.0.1:$ORDERS_ADMIN"
check "lz-gateway accepts it" wait_http "$GW_ADMIN" 10
start orders "$BIN/lz-orders" --config "$INI" --state "$TMP/orders" \
	--pub "$XSUB" --sub "$XPUB" --replay "$ORDERS_REPLAY" \
	--admin "127.0.0.1:$ORDERS_ADMIN"
check "lz-orders accepts it" wait_http "$ORDERS_ADMIN" 10
start inventory "$BIN/lz-inventory" --config "$INI" --state "$TMP/inventory" \
	--pub "$XSUB" --sub "$XPUB" --replay "$INVENTORY_REPLAY" \
	--admin "127.0.0.1:$INVENTORY_ADMIN"
check "lz-inventory accepts it" wait_http "$INVENTORY_ADMIN" 10
start tours "$BIN/lz-tours" --config "$INI" --state "$TMP/tours" \
	--pub "$XSUB" --sub "$XPUB" --replay "tcp://127.0.0.1:$((PORT_BASE + 11))" \
	--admin "127.0.0.1:$((PORT_BASE + 12))"
check "lz-tours accepts it" wait_http $((PORT_BASE + 12)) 10
printf 'hub,cust,-5,60\n' >"$TMP/bad-matrix.csv"
"$BIN/lz-tours" --config "$INI" --state "$TMP/tours2" --matrix "$TMP/bad-matrix.csv" \
	--admin "127.0.0.1:$((PORT_BASE + 13))" >"$TMP/matrix.out" 2>&1
check_eq "lz-tours refuses a bad travel matrix at start" "$?" 1
check "and says where" grep -q 'cannot read the matrix.*line 1' "$TMP/matrix.out"
start returns "$BIN/lz-returns" --config "$INI" --state "$TMP/returns" \
	--pub "$XSUB" --sub "$XPUB" --replay "$RETURNS_REPLAY" \
	--admin "127.0.0.1:$RETURNS_ADMIN"
check "lz-returns accepts it" wait_http "$RETURNS_ADMIN" 10
start impact "$BIN/lz-impact" --config "$INI" --state "$TMP/impact" \
	--pub "$XSUB" --sub "$XPUB" --replay "$IMPACT_REPLAY" \
	--admin "127.0.0.1:$IMPACT_ADMIN"
check "lz-impact accepts it (with its emission factors)" wait_http "$IMPACT_ADMIN" 10
"$BIN/lz-impact" --config "$INI" --state "$TMP/impact2" --counterfactual nope \
	--admin "127.0.0.1:$((PORT_BASE + 19))" >"$TMP/impact.out" 2>&1
check_eq "lz-impact refuses an unknown counterfactual method" "$?" 1
check "and says which it knows" grep -q 'bad counterfactual.*own-rounds or direct-trips' "$TMP/impact.out"
start bikes "$BIN/lz-bikes" --config "$INI" --state "$TMP/bikes" \
	--pub "$XSUB" --sub "$XPUB" --replay "$BIKES_REPLAY" \
	--admin "127.0.0.1:$BIKES_ADMIN"
check "lz-bikes accepts it (with its centre zone)" wait_http "$BIKES_ADMIN" 10
check "lz-bikes read the zone's polygon" wait_grep "$TMP/bikes.log" 'msg=settings polygons=1' 5
printf '[bus]\nadmin = 127.0.0.1:%s\n[gateway]\nadmin = 127.0.0.1:%s\n[orders]\nadmin = 127.0.0.1:%s\n[inventory]\nadmin = 127.0.0.1:%s\n' \
	"$BUS_ADMIN" "$GW_ADMIN" "$ORDERS_ADMIN" "$INVENTORY_ADMIN" >"$TMP/health.ini"
"$BIN/lz-ctl" --config "$TMP/health.ini" health >"$TMP/health.out"
check_eq "lz-ctl health: every daemon up and ready" "$?" 0
check_eq "and lists them" "$(awk 'NR > 1 && $3 == "ok" && $4 == "ready" { print $1 }' "$TMP/health.out" | tr '\n' ' ')" "bus gateway orders inventory "
printf '[ghost]\nadmin = 127.0.0.1:%s\n' $((PORT_BASE + 99)) >>"$TMP/health.ini"
"$BIN/lz-ctl" --config "$TMP/health.ini" health >"$TMP/health.out"
check_eq "lz-ctl health: a daemon down fails the check" "$?" 1
check "and is shown down" grep -q '^ghost .* down ' "$TMP/health.out"

printf '[orders]\nstat = /tmp/x\n' >"$TMP/typo.ini"
"$BIN/lz-orders" --config "$TMP/typo.ini" >"$TMP/typo.out" 2>&1
check_eq "a misspelt key stops the daemon with exit 2" "$?" 2
check "and names the key" grep -q 'unknown key "stat" in section \[orders\]' "$TMP/typo.out"

make -s -C "$(dirname "$0")/../.." install DESTDIR="$TMP/root" PREFIX=/usr \
	B="$B" >"$TMP/install.log" 2>&1
check "make install succeeds" test $? -eq 0
for f in usr/bin/lz-bus usr/bin/lz-gateway usr/bin/lz-orders \
	usr/bin/lz-inventory usr/bin/lz-tours usr/bin/lz-bikes usr/bin/lz-ctl \
	usr/bin/lz-tap usr/bin/lz-route usr/bin/lz-sim usr/bin/lz-returns \
	usr/share/doc/livrazou/README.md \
	usr/share/livrazou/examples/partners.example \
	lib/systemd/system/livrazou@.service \
	lib/systemd/system/livrazou.target usr/lib/sysusers.d/livrazou.conf \
	usr/share/livrazou/examples/livrazou.ini \
	usr/share/livrazou/proto/lz/bus/v1/bus.proto; do
	check "installed: $f" test -e "$TMP/root/$f"
done
check "installed: usr/bin/lz-impact" test -e "$TMP/root/usr/bin/lz-impact"
check "the unit runs the installed binary with the configuration" grep -q \
	'^ExecStart=/usr/bin/lz-%i --config /etc/livrazou/livrazou.ini$' \
	"$TMP/root/lib/systemd/system/livrazou@.service"
check "the unit runs as the dedicated user, hardened" sh -c "grep -q '^User=livrazou' '$TMP/root/lib/systemd/system/livrazou@.service' && grep -q '^NoNewPrivileges=yes' '$TMP/root/lib/systemd/system/livrazou@.service' && grep -q '^ProtectSystem=strict' '$TMP/root/lib/systemd/system/livrazou@.service'"
# systemd-analyze verify, where systemd is installed: the template as an
# instance whose binary exists, and the target.  verify exits 0 on some
# errors it only prints, so its output must be empty too.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$TMP/units/bad"
	sed "s|/usr/bin/|$TMP/root/usr/bin/|" \
		"$TMP/root/lib/systemd/system/livrazou@.service" \
		>"$TMP/units/livrazou@orders.service"
	cp "$TMP/root/lib/systemd/system/livrazou.target" "$TMP/units/"
	verify() {
		(cd "$1" && systemd-analyze verify "${@:2}") 2>&1 |
			grep -v 'livrazou@bus.service is dropped'
	}
	check_eq "systemd-analyze verify accepts the units" \
		"$(verify "$TMP/units" ./livrazou@orders.service ./livrazou.target)" ""
	sed 's/^Restart=on-failure/Restart=sometimes/' \
		"$TMP/units/livrazou@orders.service" \
		>"$TMP/units/bad/livrazou@orders.service"
	check "and would report a broken one" sh -c \
		"(cd '$TMP/units/bad' && systemd-analyze verify ./livrazou@orders.service) 2>&1 | grep -q 'Failed to parse'"
else
	echo "# systemd-analyze not found: the units are not verified"
fi
summary
