#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Install the Debian packages Livrazou needs to build, test and run.
# Idempotent and non-interactive: installs only what is missing.
set -eu

# chromium (headless) renders the HTML impact report in test_impact.sh
PKGS="build-essential pkg-config
libzmq3-dev libsodium-dev libprotobuf-c-dev protobuf-c-compiler
liblmdb-dev lmdb-utils libevent-dev libjansson-dev libinih-dev libsystemd-dev
cppcheck clang-format clang libclang-rt-14-dev python3 curl bc
python3-zmq python3-protobuf protobuf-compiler tzdata chromium"

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
