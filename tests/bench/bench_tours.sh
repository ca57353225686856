#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-tours: planning time and total km for 300 tasks (280 orders, 20
# collections) and 10 vehicles, then for 3,000 tasks (2,980 orders) and 110
# vehicles, on the Marseille-like data set, with the tours service's
# planner under the daemon's default limit (2 s), against a
# nearest-neighbour baseline on the same routing problem in the same run;
# then a day of two waves with stops per place and ready times against the
# same without (ratios printed).  BENCH_TOURS_ORDERS (one or more order
# counts, e.g. "280"), BENCH_TOURS_TIME_MS, BENCH_TOURS_ITERATIONS change
# it; the fleet is ten vehicles per 280 orders.
set -eu
B=${B:-build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for n in ${BENCH_TOURS_ORDERS:-280 2980}; do
	veh=$(((n + 279) / 280 * 10))
	echo "== $n orders, 20 collections, $veh vehicles"
	python3 tests/data/marseille/gen.py "$TMP/$n" 2026-12-01 "$n" 7 "$veh"
	"$B/tests/bench-tours" "$TMP/$n/data.json" \
		"${BENCH_TOURS_TIME_MS:-2000}" "${BENCH_TOURS_ITERATIONS:-0}"
done
