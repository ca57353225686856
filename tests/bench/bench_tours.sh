#!/bin/sh
# bench-tours: planning time and total km for 300 tasks (280 orders, 20
# collections) and 10 vehicles on the Marseille-like data set, with the
# tours service's planner under the daemon's default limit (2 s), against
# a nearest-neighbour baseline on the same routing problem in the same run.
# BENCH_TOURS_ORDERS, BENCH_TOURS_TIME_MS, BENCH_TOURS_ITERATIONS change it.
set -eu
B=${B:-build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 tests/data/marseille/gen.py "$TMP" 2026-12-01 \
	"${BENCH_TOURS_ORDERS:-280}" 7
"$B/tests/bench-tours" "$TMP/data.json" "${BENCH_TOURS_TIME_MS:-2000}" \
	"${BENCH_TOURS_ITERATIONS:-0}"
