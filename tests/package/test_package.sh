#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The Debian packages: built from a copy of the tree with
# dpkg-buildpackage -us -uc -b, lintian-clean, installed on this machine
# with apt, and every daemon of livrazou.target ready; then purged.
#
# Where systemd is the service manager (/run/systemd/system), it starts
# livrazou.target and checks each unit active (Type=notify: READY=1 seen)
# and its /readyz.  Elsewhere (a container), it starts each daemon the
# target wants from /usr/bin, as the livrazou user, with the installed
# /etc/livrazou configuration moved to this test's ports and a temporary
# state directory, and checks its /readyz.  The output says which.
#
# Root (or sudo) and apt: run by .ci/run, not by make test.  A few minutes
# (the build is most of it).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build} # lib.sh's; the packages are built in their own copy
. "$SRC/tests/integration/lib.sh"
chmod 0711 "$TMP" # the daemons run as livrazou below
T0=$(date +%s)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"

purge() {
	$SUDO dpkg --purge livrazou liblzrouting-dev >>"$TMP/purge.log" 2>&1
}
on_exit() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "${SYSTEMD_STARTED:-}" ] && $SUDO systemctl stop livrazou.target
	[ -n "${INSTALLED:-}" ] && purge
	cleanup
}
trap on_exit EXIT

"$SRC/deploy/install-deps.sh" --package >"$TMP/deps.log" 2>&1
check "install-deps.sh --package" test $? -eq 0

# The tree as it is (tracked and new files, not what .gitignore names).
mkdir -p "$TMP/pkg/src"
(cd "$SRC" && git ls-files -co --exclude-standard | while read -r f; do
	[ -e "$f" ] && printf '%s\n' "$f"
done | tar -T - -cf - | tar -xf - -C "$TMP/pkg/src")
t=$(date +%s)
(cd "$TMP/pkg/src" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1
check "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t)) s)" test $? -eq 0 ||
	tail -n 30 "$TMP/build.log"
VERSION=$(cd "$TMP/pkg/src" && dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
DEB=$TMP/pkg/livrazou_${VERSION}_$ARCH.deb
DEV=$TMP/pkg/liblzrouting-dev_${VERSION}_$ARCH.deb
check "livrazou_${VERSION}_$ARCH.deb built" test -s "$DEB"
check "liblzrouting-dev_${VERSION}_$ARCH.deb built" test -s "$DEV"
check_eq "the package's version is the Makefile's" "$VERSION" \
	"$(sed -n 's/^VERSION *:= *//p' "$SRC/Makefile")"
check "dpkg-buildflags' hardening flags reached the compiler" \
	grep -q -- '-fstack-protector-strong.*-c -o build/obj/services/orders/main.o' "$TMP/build.log"
check "and the linker (-z now)" grep -q -- '-Wl,-z,now.*-o build/bin/lz-orders' "$TMP/build.log"

# lintian: no error, no warning (those it cannot help are overridden, with
# the reason, in debian/*lintian-overrides).
lintian --display-info "$TMP/pkg/livrazou_${VERSION}_$ARCH.changes" >"$TMP/lintian.log" 2>&1
E=$(grep -c '^E: ' "$TMP/lintian.log")
W=$(grep -c '^W: ' "$TMP/lintian.log")
I=$(grep -c '^I: ' "$TMP/lintian.log")
echo "# lintian: $E errors, $W warnings, $I informational tags"
grep -E '^[EW]: ' "$TMP/lintian.log" | sed 's/^/# /'
check_eq "lintian: no error" "$E" 0
check_eq "lintian: no warning" "$W" 0

mkdir -p "$TMP/x"
dpkg-deb -x "$DEB" "$TMP/x"
hardening-check "$TMP"/x/usr/bin/lz-* >"$TMP/hardening.log" 2>&1
check_eq "hardening-check: PIE, stack protector, RELRO, BIND_NOW in every binary" \
	"$(grep -E '(Position Independent|Stack protected|Read-only relocations|Immediate binding): no' "$TMP/hardening.log")" ""

# Install (apt resolves the libraries) on this machine.
$SUDO apt-get install -y -q --no-install-recommends "$DEB" "$DEV" \
	>"$TMP/install.log" 2>&1
check "apt-get install ./livrazou*.deb ./liblzrouting-dev*.deb" test $? -eq 0 ||
	tail -n 20 "$TMP/install.log"
INSTALLED=1
check "the livrazou system user (sysusers)" sh -c \
	'getent passwd livrazou | awk -F: "\$3 < 1000 && \$6 == \"/var/lib/livrazou\" { ok = 1 } END { exit !ok }"'
check_eq "/etc/livrazou: root, group livrazou, 0750" \
	"$(stat -c '%U %G %a' /etc/livrazou)" "root livrazou 750"
check "livrazou.ini is a conffile" sh -c \
	"dpkg-query -W -f='\${Conffiles}' livrazou | grep -q ' /etc/livrazou/livrazou.ini '"
for f in partners gateway.key; do
	check_eq "/etc/livrazou/$f made at installation, readable by the group" \
		"$(stat -c '%U %G %a' "/etc/livrazou/$f" 2>&1)" "root livrazou 640"
done
check_eq "nothing enabled at installation" \
	"$(find /etc/systemd/system -name 'livrazou*' 2>/dev/null)" ""
check "man lz-orders" sh -c 'man -w lz-orders | grep -q /usr/share/man/man8/lz-orders.8'
check "man 5 livrazou.ini" sh -c 'man -w 5 livrazou.ini | grep -q man5'
check "the completion of lz-ctl" test -s /usr/share/bash-completion/completions/lz-ctl
check_eq "lz-orders --version: the package's" "$(lz-orders --version)" "lz-orders $VERSION"
check_eq "pkg-config lzrouting" "$(pkg-config --modversion lzrouting)" "$VERSION"
printf '#include <lz_route.h>\nint main(void) { struct lz_route_problem *p = lz_route_problem_new(1); lz_route_problem_destroy(&p); return p != 0; }\n' >"$TMP/r.c"
# shellcheck disable=SC2046
check "a program builds with liblzrouting-dev" sh -c \
	"cc -o '$TMP/r' '$TMP/r.c' $(pkg-config --cflags --libs lzrouting) && '$TMP/r'"

DAEMONS=$(sed -n 's/^Wants=//p' /lib/systemd/system/livrazou.target |
	tr ' ' '\n' | sed -n 's/^livrazou@\(.*\)\.service$/\1/p' | tr '\n' ' ')
check_eq "livrazou.target wants the eight daemons" "$DAEMONS" \
	"bus gateway orders inventory tours bikes returns impact "

# admin PORT-OR-ADDRESS: the address in the configuration of a daemon.
admin_of() { sed -n "/^\[$1\]/,/^\[/s/^admin *= *//p" "$2" | head -n 1; }

if [ -d /run/systemd/system ]; then
	echo "# systemd is the service manager: systemctl start livrazou.target"
	$SUDO systemctl daemon-reload
	SYSTEMD_STARTED=1
	$SUDO systemctl start livrazou.target
	check "systemctl start livrazou.target" test $? -eq 0
	# the target is ordered after what it wants: its start returned once
	# every instance said READY=1 (Type=notify) or failed
	for d in $DAEMONS; do
		s=$(systemctl is-active "livrazou@$d.service")
		check_eq "livrazou@$d: active (READY=1)" "$s" active ||
			$SUDO journalctl -u "livrazou@$d" -n 20 --no-pager | sed 's/^/# /'
		a=$(admin_of "$d" /etc/livrazou/livrazou.ini)
		check "livrazou@$d: /readyz" sh -c "for i in \$(seq 100); do curl -sf http://$a/readyz >/dev/null && exit 0; sleep 0.1; done; exit 1"
	done
	check "journald: info lines at priority 6, without their own timestamp" sh -c \
		"$SUDO journalctl -u livrazou@bus -p info..info -o cat --no-pager | grep -q '^level=info prog=lz-bus msg=started'"
	$SUDO systemctl stop livrazou.target
	SYSTEMD_STARTED=
else
	echo "# no systemd service manager here (PID 1 is $(ps -o comm= -p 1)):" \
		"each daemon of livrazou.target from /usr/bin, as livrazou," \
		"with /etc/livrazou/livrazou.ini on ports $PORT_BASE+ and state in $TMP/state"
	# The installed file, its every port moved into this test's range and
	# its state directories into $TMP: what else it says is kept.
	mkdir -p "$TMP/state"
	chown livrazou:livrazou "$TMP/state"
	python3 - /etc/livrazou/livrazou.ini "$TMP/livrazou.ini" "$PORT_BASE" \
		"$TMP/state" <<'PY'
import re, sys
src, dst, base, state = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(src).read()
ports = sorted({int(p) for p in re.findall(r"(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)", text)})
new = {p: base + i for i, p in enumerate(ports)}
text = re.sub(r"(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)",
              lambda m: "127.0.0.1:%d" % new[int(m.group(1))], text)
text = re.sub(r"(?m)^state = /var/lib/livrazou/", "state = %s/" % state, text)
open(dst, "w").write(text)
PY
	chmod 0644 "$TMP/livrazou.ini"
	for d in $DAEMONS; do
		start "$d" setpriv --reuid=livrazou --regid=livrazou --init-groups \
			"/usr/bin/lz-$d" --config "$TMP/livrazou.ini"
	done
	for d in $DAEMONS; do
		a=$(admin_of "$d" "$TMP/livrazou.ini")
		ready=1
		for _ in $(seq 200); do
			curl -sf --max-time 1 "http://$a/readyz" >/dev/null && { ready=0; break; }
			sleep 0.1
		done
		check "lz-$d (as livrazou, installed configuration): /readyz on $a" test $ready -eq 0 ||
			tail -n 5 "$TMP/$d.log" | sed 's/^/# /'
		check "lz-$d: its /metrics says lz_build_info $VERSION" sh -c \
			"curl -s http://$a/metrics | grep -q '^lz_build_info{version=\"$VERSION\",service=\"$d\"} 1'"
	done
	check "lz-ctl health on that configuration: every daemon ok and ready" \
		lz-ctl --config "$TMP/livrazou.ini" health
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=""
	check "each stopped on SIGTERM with its last words" sh -c \
		"for d in $DAEMONS; do grep -q 'msg=stopped' \"$TMP/\$d.log\" || exit 1; done"
fi

purge
check "dpkg --purge livrazou liblzrouting-dev" test $? -eq 0
INSTALLED=
check "the programs are gone" test ! -e /usr/bin/lz-orders
check "and the configuration" test ! -e /etc/livrazou
echo "# test_package: $(($(date +%s) - T0)) s"
summary
