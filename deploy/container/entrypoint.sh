#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The container's entry point: the first argument names the program.
#
#   lz-container DAEMON [OPTIONS]   bus, gateway, orders, inventory, tours,
#                                   bikes, returns or impact, with
#                                   --config $LZ_CONFIG (default
#                                   /etc/livrazou/livrazou.ini) and OPTIONS
#   lz-container TOOL [ARGS]        ctl, tap, route or sim, as given
#   lz-container --help             this text
#
# It execs the program, which is then PID 1 and gets the signals itself
# (SIGTERM: commit, publish, exit 0; SIGHUP: reload).  LZ_BINDIR (default
# /usr/bin) is where the programs are.  Exit 2 for an unknown name.
set -eu

bindir=${LZ_BINDIR:-/usr/bin}
usage() {
	sed -n 's/^#   \{0,1\}//p' "$0" | sed -n '/^lz-container/,/^$/p'
}
case ${1:-} in
bus | gateway | orders | inventory | tours | bikes | returns | impact)
	name=$1
	shift
	exec "$bindir/lz-$name" --config "${LZ_CONFIG:-/etc/livrazou/livrazou.ini}" "$@"
	;;
ctl | tap | route | sim)
	name=$1
	shift
	exec "$bindir/lz-$name" "$@"
	;;
-h | --help)
	usage
	exit 0
	;;
*)
	echo "lz-container: say which daemon (bus gateway orders inventory tours bikes returns impact) or tool (ctl tap route sim)" >&2
	exit 2
	;;
esac
