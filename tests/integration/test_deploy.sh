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

# Every daemon's /metrics has the process_* families of the Prometheus
# clients and lz_build_info with the version and its service name.
VERSION=$("$BIN/lz-bus" --version | awk '{ print $2 }')
NOW=$(date +%s)
for d in bus:$BUS_ADMIN gateway:$GW_ADMIN orders:$ORDERS_ADMIN \
	inventory:$INVENTORY_ADMIN tours:$((PORT_BASE + 12)) \
	bikes:$BIKES_ADMIN returns:$RETURNS_ADMIN impact:$IMPACT_ADMIN; do
	n=${d%%:*}
	curl -s --max-time 2 "http://127.0.0.1:${d#*:}/metrics" >"$TMP/$n.metrics"
	check_eq "$n: lz_build_info with its version and service" \
		"$(grep -c "^lz_build_info{version=\"$VERSION\",service=\"$n\"} 1$" "$TMP/$n.metrics")" 1
	bad=""
	for f in process_cpu_seconds_total process_resident_memory_bytes \
		process_virtual_memory_bytes process_open_fds process_max_fds \
		process_start_time_seconds; do
		v=$(awk -v f="$f" '$1 == f { print $2 }' "$TMP/$n.metrics")
		grep -q "^# TYPE $f " "$TMP/$n.metrics" || bad="$bad $f(no TYPE)"
		case $f in
		process_cpu_seconds_total) ok_v=$(awk -v v="$v" 'BEGIN { print (v != "" && v >= 0 && v < 600) }') ;;
		process_start_time_seconds) ok_v=$(awk -v v="$v" -v now="$NOW" 'BEGIN { print (v != "" && v > now - 600 && v <= now + 1) }') ;;
		*) ok_v=$(awk -v v="$v" 'BEGIN { print (v != "" && v > 0) }') ;;
		esac
		[ "$ok_v" = 1 ] || bad="$bad $f=$v"
	done
	check_eq "$n: process_* metrics from /proc/self" "$bad" ""
done
check_eq "process_max_fds is the descriptor limit" \
	"$(awk '$1 == "process_max_fds" { print $2 }' "$TMP/orders.metrics")" \
	"$(sh -c 'ulimit -n')"

# The metrics conventions, on every daemon's /metrics as scraped above,
# before anything happened: promtool's checks of the format and of
# Prometheus' naming rules, then ours (check_metrics.py: base units, every
# labelled counter shown at 0 with each value the sources can count).
CHK=$(dirname "$0")
SCRAPES=""
check "promtool is installed (deploy/install-deps.sh)" sh -c 'command -v promtool >/dev/null'
for n in bus gateway orders inventory tours bikes returns impact; do
	SCRAPES="$SCRAPES $n=$TMP/$n.metrics"
	check_eq "$n: promtool check metrics finds nothing" \
		"$(promtool check metrics <"$TMP/$n.metrics" 2>&1)" ""
done
printf '# HELP lz_x_km Km\n# TYPE lz_x_km counter\nlz_x_km 1\n' >"$TMP/bad.metrics"
check "and promtool would see a counter without _total" sh -c \
	"promtool check metrics <'$TMP/bad.metrics' 2>&1 | grep -q _total"
# shellcheck disable=SC2086
python3 "$CHK/check_metrics.py" $SCRAPES >"$TMP/conventions.out" 2>&1
check_eq "every daemon's metrics: base units, labelled counters at 0 from the start" \
	"$?:$(cat "$TMP/conventions.out")" "0:"
sed -e 's/lz_returns_diverted_grams_total/lz_returns_diverted_kg_total/' \
	-e '/^lz_returns_refused_total{reason="unknown_site"}/d' \
	"$TMP/returns.metrics" >"$TMP/returns-bad.metrics"
python3 "$CHK/check_metrics.py" returns="$TMP/returns-bad.metrics" >"$TMP/conventions-bad.out" 2>&1
check "and the check sees kilograms and a refusal reason missing" sh -c \
	"grep -q 'lz_returns_diverted_kg_total: not in base units' '$TMP/conventions-bad.out' &&
	 grep -q 'lz_returns_refused_total{reason} not shown from the start for: unknown_site' '$TMP/conventions-bad.out'"

# The Grafana dashboard: it parses, and every metric (and label) it asks
# for is one of those the daemons serve, the fill of a zone once the hub
# has one.
submit ops lz.inventory.v1.SetZone '{"zone":{"zoneId":"amb-1","name":"Ambiant","temperatureClass":"TEMPERATURE_CLASS_AMBIENT","capacityGrams":"500000","capacityMillilitres":"500000"}}' >/dev/null
check "a zone set: its fill shows" \
	wait_metric "$INVENTORY_ADMIN" 'lz_inventory_zone_fill_ratio{zone="amb-1"}' 0 5
curl -s --max-time 2 "http://127.0.0.1:$INVENTORY_ADMIN/metrics" >"$TMP/inventory.metrics"
DASH=$CHK/../../deploy/grafana/livrazou.json
python3 "$CHK/check_dashboard.py" "$DASH" "$TMP"/*.metrics >"$TMP/dashboard.out" 2>&1
rc=$?
check "the dashboard references only metrics the daemons serve ($(tail -n 1 "$TMP/dashboard.out"))" \
	test "$rc" -eq 0
sed 's/lz_bikes_ridden_meters_total/lz_bikes_km_total/' "$DASH" >"$TMP/dash-bad.json"
check "and it would see one they do not" sh -c \
	"python3 '$CHK/check_dashboard.py' '$TMP/dash-bad.json' '$TMP'/*.metrics | grep -q 'lz_bikes_km_total is not a metric'"

# journald: a daemon whose stderr is the stream JOURNAL_STREAM names (as
# systemd sets it) starts each line with its syslog priority and no
# timestamp; elsewhere, JOURNAL_STREAM inherited or not, lines are as ever.
JX=tcp://127.0.0.1:$((PORT_BASE + 30))
JP=tcp://127.0.0.1:$((PORT_BASE + 31))
JA=$((PORT_BASE + 32))
: >"$TMP/jbus.log"
JS=$(stat -c '%d:%i' "$TMP/jbus.log")
start jbus env JOURNAL_STREAM="$JS" "$BIN/lz-bus" --xsub "$JX" --xpub "$JP" \
	--admin "127.0.0.1:$JA"
wait_http "$JA" 10
start jtap "$BIN/lz-tap" --sub "$JP" --timeout 30
sleep 0.3
"$PEER" inject --to "$JX" --kind frames
check "journal: a warning is <4>" wait_grep "$TMP/jbus.log" \
	'^<4>level=warn prog=lz-bus msg="message dropped" reason=frames' 5
check "journal: info is <6>" grep -q '^<6>level=info prog=lz-bus msg=' "$TMP/jbus.log"
check_eq "journal: every line has its priority, none a timestamp" \
	"$(grep -cvE '^<[2-7]>level=[a-z]+ prog=lz-bus msg=' "$TMP/jbus.log")" 0
: >"$TMP/jfail.log"
env JOURNAL_STREAM="$(stat -c '%d:%i' "$TMP/jfail.log")" "$BIN/lz-orders" \
	--state "$TMP/jfail" --admin "127.0.0.1:$JA" --pub "$JX" --sub "$JP" \
	--replay "tcp://127.0.0.1:$((PORT_BASE + 33))" --no-sync 2>>"$TMP/jfail.log"
check_eq "a daemon that cannot bind its admin address exits 1" "$?" 1
check "journal: an error is <3>" grep -q '^<3>level=error prog=lz-orders msg="cannot bind http"' "$TMP/jfail.log"
check "journal: a fatal error is <2>" grep -q '^<2>level=fatal prog=lz-orders msg="cannot start admin http"' "$TMP/jfail.log"
env JOURNAL_STREAM="$JS" "$BIN/lz-orders" --state "$TMP/jfail" \
	--admin "127.0.0.1:$JA" --pub "$JX" --sub "$JP" \
	--replay "tcp://127.0.0.1:$((PORT_BASE + 33))" --no-sync 2>"$TMP/jother.log"
check "JOURNAL_STREAM of another stream: timestamps, no priority" sh -c \
	"grep -q '^ts=[0-9T:.-]*Z level=error prog=lz-orders msg=\"cannot bind http\"' '$TMP/jother.log' && ! grep -q '^<' '$TMP/jother.log'"
check "without JOURNAL_STREAM: timestamps, no priority" sh -c \
	"grep -q '^ts=[0-9T:.-]*Z level=info prog=lz-bus msg=' '$TMP/bus.log' && ! grep -q '^<' '$TMP/bus.log'"

"$BIN/lz-orders" --state "$TMP/stray" stray --admin "127.0.0.1:$((PORT_BASE + 34))" \
	>"$TMP/stray.out" 2>&1
check_eq "a service daemon given a stray argument exits 2" "$?" 2
check "and names it" grep -q 'lz-orders: unexpected argument "stray"' "$TMP/stray.out"
for n in bus gateway; do
	"$BIN/lz-$n" stray --admin "127.0.0.1:$((PORT_BASE + 34))" >"$TMP/stray-$n.out" 2>&1
	check_eq "lz-$n given a stray argument exits 2" "$?" 2
	check "and names it" grep -q "lz-$n: unexpected argument \"stray\"" "$TMP/stray-$n.out"
done

# Containers and Kubernetes (deploy/container, deploy/k8s): the image's
# entry point starts the daemon it is given with the configuration, and
# the ConfigMap's livrazou.ini is one every daemon accepts (each stops at
# the stray argument, after reading the file: a key it does not know
# would stop it first).
K8S=$(dirname "$0")/../../deploy/k8s
ENTRY=$(dirname "$0")/../../deploy/container/entrypoint.sh
python3 -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(open(sys.argv[1]))["data"]["livrazou.ini"])' \
	"$K8S/config.yaml" >"$TMP/k8s.ini"
bad=""
for n in bus gateway orders inventory tours bikes returns impact; do
	LZ_BINDIR=$BIN LZ_CONFIG=$TMP/k8s.ini sh "$ENTRY" "$n" stray >"$TMP/k8s-$n.out" 2>&1
	rc=$?
	[ "$rc" = 2 ] && grep -q "^lz-$n: unexpected argument \"stray\"" "$TMP/k8s-$n.out" ||
		bad="$bad $n($rc: $(head -c 120 "$TMP/k8s-$n.out"))"
done
check_eq "the image's entry point runs each daemon with the ConfigMap's livrazou.ini" "$bad" ""
printf '[orders]\nreplay-advertize = tcp://x:1\n' >"$TMP/k8s-bad.ini"
LZ_BINDIR=$BIN LZ_CONFIG=$TMP/k8s-bad.ini sh "$ENTRY" orders stray >"$TMP/k8s-bad.out" 2>&1
check "and a misspelt key would stop it" grep -q 'unknown key "replay-advertize"' "$TMP/k8s-bad.out"
LZ_BINDIR=$BIN sh "$ENTRY" lz-orders >/dev/null 2>&1
check_eq "the entry point refuses a name it does not know (exit 2)" "$?" 2
check_eq "lz-container ctl: the tool, as given" \
	"$(LZ_BINDIR=$BIN sh "$ENTRY" ctl --version)" "lz-ctl $VERSION"
python3 "$(dirname "$0")/../lint/check_containerfile.py" --bin "$BIN" >"$TMP/cf.out" 2>&1
check "the Containerfile installs every library the programs link ($(cat "$TMP/cf.out"))" \
	grep -q '^containerfile: ok' "$TMP/cf.out"
mkdir -p "$TMP/k8s"
cp "$K8S"/*.yaml "$TMP/k8s/"
sed -i 's/publishNotReadyAddresses: true/publishNotReadyAddresses: false/' "$TMP/k8s/orders.yaml"
check "the manifests' check sees a follower's source hidden until ready" sh -c \
	"python3 '$(dirname "$0")/../lint/check_k8s.py' '$TMP/k8s' | grep -q 'lz-orders not headless with publishNotReadyAddresses'"

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
	usr/share/livrazou/proto/lz/bus/v1/bus.proto \
	usr/share/man/man8/lz-bus.8 usr/share/man/man8/lz-gateway.8 \
	usr/share/man/man8/lz-orders.8 usr/share/man/man8/lz-inventory.8 \
	usr/share/man/man8/lz-tours.8 usr/share/man/man8/lz-bikes.8 \
	usr/share/man/man8/lz-returns.8 usr/share/man/man8/lz-impact.8 \
	usr/share/man/man1/lz-ctl.1 usr/share/man/man1/lz-tap.1 \
	usr/share/man/man1/lz-sim.1 usr/share/man/man1/lz-route.1 \
	usr/share/man/man5/livrazou.ini.5 \
	usr/share/bash-completion/completions/lz-ctl \
	usr/share/bash-completion/completions/lz-tap \
	usr/share/bash-completion/completions/lz-route \
	usr/share/bash-completion/completions/lz-sim \
	usr/share/bash-completion/completions/lz-orders \
	usr/lib/liblzrouting.a usr/include/lz_route.h \
	usr/lib/pkgconfig/lzrouting.pc; do
	check "installed: $f" test -e "$TMP/root/$f"
done
ROOT_SRC=$(dirname "$0")/../..
if [ -d "$ROOT_SRC/web" ]; then
	check_eq "installed: the web application, file for file" \
		"$(cd "$ROOT_SRC" && find web -type f | sort | while read -r f; do
			cmp -s "$f" "$TMP/root/usr/share/livrazou/$f" || echo "$f"
		done)" ""
fi
check_eq "livrazou.target wants every daemon" \
	"$(sed -n 's/^Wants=//p' "$TMP/root/lib/systemd/system/livrazou.target")" \
	"livrazou@bus.service livrazou@gateway.service livrazou@orders.service livrazou@inventory.service livrazou@tours.service livrazou@bikes.service livrazou@returns.service livrazou@impact.service"

# The routing library: a program built with pkg-config against the
# installed copy solves a problem; only lz_route_* is exported.
cat >"$TMP/route.c" <<'EOC'
#include <lz_route.h>
#include <stdio.h>
int
main(void)
{
	struct lz_route_problem *p = lz_route_problem_new(1);
	struct lz_route_job j;
	struct lz_route_vehicle v;
	struct lz_route_options o;
	struct lz_route_solution *s;
	int depot = lz_route_problem_add_location(p, 0, 0);
	char why[256];

	for (int k = 1; k <= 3; k++) {
		lz_route_job_init(&j);
		j.location = lz_route_problem_add_location(p, k, k);
		j.delivery[0] = 1;
		lz_route_problem_add_job(p, &j);
	}
	lz_route_vehicle_init(&v);
	v.start = v.end = depot;
	v.capacity[0] = 10;
	lz_route_problem_add_vehicle(p, &v);
	lz_route_options_init(&o);
	o.time_limit = 0;
	o.iterations = 50;
	if (lz_route_solve(p, &o, &s) != 0 || lz_route_check(p, s, 0, why,
							      sizeof(why)))
		return 1;
	printf("routes=%d unassigned=%d\n", s->nroutes, s->nunassigned);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
	return 0;
}
EOC
PC="env PKG_CONFIG_LIBDIR=$TMP/root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$TMP/root pkg-config"
check_eq "lzrouting.pc: its version" "$($PC --modversion lzrouting)" "$VERSION"
# (built with the tree's flags: under make check-asan, the sanitizers')
SANFLAGS=""
nm "$TMP/root/usr/lib/liblzrouting.a" | grep -q ' U __asan_' &&
	SANFLAGS="-fsanitize=address,undefined"
# shellcheck disable=SC2046,SC2086
cc -std=c11 $SANFLAGS -o "$TMP/route" "$TMP/route.c" \
	$($PC --cflags --libs lzrouting) >"$TMP/route-cc.log" 2>&1
check "a program links with it (pkg-config --cflags --libs lzrouting)" test -x "$TMP/route"
check_eq "and solves a problem with it" "$("$TMP/route")" "routes=1 unassigned=0"
check_eq "liblzrouting.a exports lz_route_* only" \
	"$(nm -g --defined-only "$TMP/root/usr/lib/liblzrouting.a" | awk 'NF == 3 && $3 !~ /^lz_route_/ { print $3 }')" ""

# Another prefix: units and the sysusers file under it, the unit runs the
# binaries there, and the target wants the daemons DAEMONS names.
make -s -C "$ROOT_SRC" install DESTDIR="$TMP/root2" PREFIX=/usr/local \
	DAEMONS="bus orders" B="$B" >"$TMP/install2.log" 2>&1
check "make install PREFIX=/usr/local DAEMONS=\"bus orders\"" test $? -eq 0
check "units under the prefix" test -f "$TMP/root2/usr/local/lib/systemd/system/livrazou@.service"
check "and nothing in /lib" test ! -e "$TMP/root2/lib"
check "the sysusers file too" test -f "$TMP/root2/usr/local/lib/sysusers.d/livrazou.conf"
check "the unit runs the binaries of the prefix" grep -q \
	'^ExecStart=/usr/local/bin/lz-%i --config /etc/livrazou/livrazou.ini$' \
	"$TMP/root2/usr/local/lib/systemd/system/livrazou@.service"
check_eq "the target wants the daemons given" \
	"$(sed -n 's/^Wants=//p' "$TMP/root2/usr/local/lib/systemd/system/livrazou.target")" \
	"livrazou@bus.service livrazou@orders.service"
make -s -C "$ROOT_SRC" uninstall DESTDIR="$TMP/root2" PREFIX=/usr/local \
	B="$B" >>"$TMP/install2.log" 2>&1
check_eq "make uninstall removes every file it installed" \
	"$(find "$TMP/root2" -type f | sed "s|$TMP/root2||")" ""
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
	# the man pages the units name (Documentation=) are the installed ones
	export MANPATH=$TMP/root/usr/share/man:
	check_eq "systemd-analyze verify accepts the units" \
		"$(verify "$TMP/units" ./livrazou@orders.service ./livrazou.target)" ""
	sed 's/^Restart=on-failure/Restart=sometimes/' \
		"$TMP/units/livrazou@orders.service" \
		>"$TMP/units/bad/livrazou@orders.service"
	check "and would report a broken one" sh -c \
		"(cd '$TMP/units/bad' && systemd-analyze verify ./livrazou@orders.service) 2>&1 | grep -q 'Failed to parse'"
	# The sandbox: systemd-analyze security, offline (systemd >= 252:
	# no service manager needed), on the installed unit.
	sdv=$(systemd-analyze --version | awk 'NR == 1 { print $2 }')
	if [ "${sdv%%.*}" -ge 252 ] 2>/dev/null; then
		exposure() {
			(cd "$1" && systemd-analyze security --offline=yes \
				./livrazou@orders.service 2>&1) |
				sed -n 's/.*Overall exposure level for livrazou@orders.service: \([0-9.]*\).*/\1/p'
		}
		e=$(exposure "$TMP/units")
		echo "# systemd-analyze security livrazou@orders.service: exposure $e"
		check "the unit's exposure is at most 1.5 (it is $e)" \
			awk -v e="$e" 'BEGIN { exit !(e != "" && e <= 1.5) }'
		mkdir -p "$TMP/units/open"
		sed '/^NoNewPrivileges=/,/^UMask=/d' "$TMP/units/livrazou@orders.service" \
			>"$TMP/units/open/livrazou@orders.service"
		e2=$(exposure "$TMP/units/open")
		check "and the check would see the sandbox gone (exposure $e2)" \
			awk -v e="$e2" 'BEGIN { exit !(e > 1.5) }'
	else
		echo "# systemd $sdv: no offline systemd-analyze security"
	fi
else
	echo "# systemd-analyze not found: the units are not verified"
fi
summary
