#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Install the Debian packages Livrazou needs to build, test and run.
# Idempotent and non-interactive: installs only what is missing.
#   deploy/install-deps.sh            what make test, demo, bench need
#   deploy/install-deps.sh --package  also the Debian packaging tools
#                                     (tests/package/test_package.sh)
set -eu

# chromium (headless) renders the HTML impact report in test_impact.sh;
# with chromium-driver and python3-selenium it drives the web app in
# test_web.sh; libjs-leaflet is the web app's map (the gateway serves it);
# groff-base renders the man pages in tests/package/test_man.sh;
# prometheus brings promtool, which checks every daemon's /metrics in
# test_deploy.sh; python3-yaml and python3-jsonschema check the
# Kubernetes manifests (tests/lint/check_k8s.py, make lint)
PKGS="build-essential pkg-config
libzmq3-dev libsodium-dev libprotobuf-c-dev protobuf-c-compiler
liblmdb-dev lmdb-utils libevent-dev libjansson-dev libinih-dev libsystemd-dev
cppcheck clang-format clang libclang-rt-14-dev python3 curl bc
python3-zmq python3-protobuf protobuf-compiler tzdata chromium
chromium-driver python3-selenium libjs-leaflet groff-base
prometheus python3-yaml python3-jsonschema"
case "${1:-}" in
--package)
	# dpkg-buildpackage, debhelper (dh_installsysusers, dh_installsystemd),
	# lintian; devscripts has hardening-check; man-db checks the man pages
	PKGS="$PKGS dpkg-dev debhelper devscripts lintian fakeroot man-db"
	;;
"") ;;
*)
	echo "usage: $0 [--package]" >&2
	exit 2
	;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
echo "install-deps: done"
