#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-gateway: N PlaceOrder commands (about 200 bytes) from one partner
# over ZeroMQ+CURVE, WINDOW in flight, each checked, committed durably to
# the gateway's outbox (group commit, fsync), acknowledged and published;
# against a bare CURVE ROUTER that echoes each frame, in the same run.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/gateway_lib.sh"

N=${BENCH_COMMANDS:-100000}
WINDOW=${BENCH_WINDOW:-256}

partner bench fournil shipper
start_bus
start_gateway --rate 10000000 --burst 10000000
raw=$("$B/tests/bench-gateway-load" --echo "tcp://127.0.0.1:$((PORT_BASE + 20))" "$N" "$WINDOW")
echo "# bare CURVE echo: $raw"
gw=$("$B/tests/bench-gateway-load" "$GW_ZMQ" "$SERVER_KEY" "$TMP/bench.key" "$N" "$WINDOW")
echo "# gateway: $gw"
field() { echo "$1" | sed "s/.*$2=\([0-9.]*\).*/\1/"; }
printf 'bench-gateway: accepted_per_s=%s raw_curve_per_s=%s ratio=%.3f p50_ms=%s p99_ms=%s window=%s\n' \
	"$(field "$gw" per_s)" "$(field "$raw" per_s)" \
	"$(echo "$(field "$gw" per_s) / $(field "$raw" per_s)" | bc -l)" \
	"$(field "$gw" p50_ms)" "$(field "$gw" p99_ms)" "$WINDOW"
FAILED=0
