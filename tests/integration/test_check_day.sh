#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The independent checker of a day (tests/integration/check_day.py) on the
# hand-made histories of tests/data/days/: the good day passes; each other
# history breaks one rule, named by its directory, and the checker reports
# that rule and no other (exit 1).  Then --planned-only, the speed model,
# the handling times and a matrix as parameters, the notices printed where
# a service or a field is missing (not a silent pass), and bad input.
# Python 3 only; no daemon.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DAYS=$ROOT/tests/data/days
check_day() { python3 "$ROOT/tests/integration/check_day.py" "$@"; }
# the model the days are made with (tests/data/days/make_days.py)
MODEL="--speed-model 20,70,5,1.3,60 --bike-speed-model 15,15,inf,1.3,60
--handling-s 1800 --relay-handling-s 600"
# violations OUT: the violation lines of a run's output
violations() { grep -v -e '^notice: ' -e '^check_day: ' "$1"; }

python3 "$DAYS/make_days.py" "$TMP/days" >/dev/null
check "the histories are those make_days.py writes" \
	diff -r -x make_days.py -x __pycache__ "$DAYS" "$TMP/days"

# ---- the good day ----
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL >"$TMP/good.out" 2>&1
check_eq "the good day passes (exit 0)" "$?" 0
check_eq "no violation" "$(violations "$TMP/good.out")" ""
check "the summary line counts events and violations" \
	grep -qx 'check_day: 132 events, 0 violations' "$TMP/good.out"
check "a lot moved after its last known state is a notice, not a silent pass" \
	grep -q '^notice: stock_conserved: 1 of 4 lots moved after the last event carrying their quantity' "$TMP/good.out"
check "the stock at the end is said" \
	grep -q '^notice: stock_conserved: at the end: 93 units in stock in 4 lots (received 172, picked 67, expired 10, adjusted -2)' "$TMP/good.out"

# ---- one history per rule, each breaking that rule only ----
for r in $(check_day --list-rules); do
	check "rule $r has a history that breaks it" test -d "$DAYS/$r"
done
for d in "$DAYS"/*/; do
	name=$(basename "$d")
	[ "$name" = good ] && continue
	rule=${name%%-*}
	# shellcheck disable=SC2086
	check_day --events "$d" $MODEL >"$TMP/$name.out" 2>&1
	check_eq "$name: exit 1" "$?" 1
	check "$name: $rule reported" grep -q "^$rule: " "$TMP/$name.out"
	check_eq "$name: no other rule reported" \
		"$(violations "$TMP/$name.out" | grep -v "^$rule: ")" ""
	n=$(violations "$TMP/$name.out" | wc -l)
	check "$name: the summary counts them" \
		grep -qx "check_day: [0-9]* events, $n violations" "$TMP/$name.out"
done
check "the detail names the ids and times" grep -qx \
	'ready_before_delivery: tour 2026-12-07/pm/van-c planned to leave the hub at 2026-12-07 08:37:10 with del:ferme/o4 (stop 1 at epicerie-3e (planned 2026-12-07 08:51:29)), before its goods are ready at 2026-12-07 08:47:10: pick:ferme/o4 reported back at the hub at 2026-12-07 08:17:10 by tour 2026-12-07/am/van-b + handling 1800 s' \
	"$TMP/ready_before_delivery.out"
check "a pick beyond the lot: order, units, lot, what it held" grep -qx \
	'picked_in_stock: epic/o7 picked 12 units of lot L4, which held 10 (inventory seq 14, 2026-12-07 07:20:00)' \
	"$TMP/picked_in_stock.out"
check "conservation: the count against the flows" grep -q \
	'^stock_conserved: lot L1: LotAdjusted before is 66, but received 100 - picked 35 - expired 0 +0 adjusted = 65' \
	"$TMP/stock_conserved.out"
check "a re-delivery run planned before the failed run is back" grep -q \
	'^bike_parcels_ready: run 2026-12-07/r1/002 planned to start at 2026-12-07 07:36:07 with del:epic/o3, before it is ready at 2026-12-07 08:57:49: failed in run 2026-12-07/r1/001' \
	"$TMP/bike_parcels_ready-redelivery.out"
check "a vehicle on two tours at once, planned and reported" test \
	"$(grep -c '^one_place_at_a_time: vehicle van-a (\(planned\|reported\)): tour 2026-12-07/pm/van-a' "$TMP/one_place_at_a_time-overlap.out")" = 2

# ---- planned times only ----
for name in ready_before_delivery-reported one_place_at_a_time-reported; do
	# shellcheck disable=SC2086
	check_day --events "$DAYS/$name" $MODEL --planned-only >"$TMP/po.out" 2>&1
	check_eq "$name: only its reports break the rule: passes with --planned-only" "$?" 0
	check "$name: --planned-only says it ignores the reports" \
		grep -q '^notice: check_day: --planned-only: reported times ignored' "$TMP/po.out"
done
# shellcheck disable=SC2086
check_day --events "$DAYS/ready_before_delivery" $MODEL --planned-only >"$TMP/po.out" 2>&1
check_eq "a plan leaving before the goods are back fails with --planned-only too" "$?" 1
check "against the collecting tour's planned return" grep -q \
	"^ready_before_delivery: .*pick:ferme/o4's tour 2026-12-07/am/van-b planned back at the hub at 2026-12-07 08:15:10 + handling 1800 s" "$TMP/po.out"

# ---- the parameters ----
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL --handling-s 3600 >"$TMP/h.out" 2>&1
check_eq "a longer handling at the hub: the good day's afternoon tour is too early" \
	"$(violations "$TMP/h.out" | cut -d: -f1 | sort -u)" ready_before_delivery
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL --relay-handling-s 900 >"$TMP/h.out" 2>&1
check_eq "a longer handling at the relay: the bike runs are too early" \
	"$(violations "$TMP/h.out" | cut -d: -f1 | sort -u)" bike_parcels_ready
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL --road-speed-kmh 40 >"$TMP/h.out" 2>&1
check "a slower road speed: the Gemenos legs are too short" \
	grep -q '^one_place_at_a_time: tour 2026-12-07/am/van-b (van-b, planned): .* to stop 1 (moulin-gemenos)' "$TMP/h.out"
check_eq "... and only legs longer than the urban distance (5 km)" \
	"$(violations "$TMP/h.out" | sed -n 's/.* for \([0-9.]*\) km;.*/\1/p' |
		awk '$1 <= 5 { n++ } END { print n + 0 }')" 0
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL --urban-km 50 >"$TMP/h.out" 2>&1
check "legs of up to 50 km at urban speed: the Gemenos legs are too short" \
	grep -q '^one_place_at_a_time: .*moulin-gemenos' "$TMP/h.out"
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL --road-speed-kmh 20 >"$TMP/h2.out" 2>&1
check_eq "... as with a road speed equal to the urban one (every leg < 50 km)" \
	"$(violations "$TMP/h.out")" "$(violations "$TMP/h2.out")"
check_day --events "$DAYS/good" --speed-model 20,20,inf,1.3,60 \
	--bike-speed-model 8,8,inf,1.3,0 --handling-s 1800 \
	--relay-handling-s 600 >"$TMP/h.out" 2>&1
check "a slower bike: the runs' legs are too short" \
	grep -q '^one_place_at_a_time: run 2026-12-07/r1/001 (r1 on b1, planned)' "$TMP/h.out"
printf 'hub-arnavaux,moulin-gemenos,30000,3600\n' >"$TMP/matrix.csv"
# shellcheck disable=SC2086
check_day --events "$DAYS/good" $MODEL --matrix "$TMP/matrix.csv" >"$TMP/h.out" 2>&1
check "a matrix entry wins over the model (hub -> Gemenos 1 h)" \
	grep -q '^one_place_at_a_time: tour 2026-12-07/am/van-b (van-b, planned): 2105 s from stop 0 (hub-arnavaux) .* for 30.0 km; the speed model needs 3600 s' "$TMP/h.out"
# shellcheck disable=SC2086
check_day --events "$DAYS/ready_before_delivery" $MODEL --rules stop_at_one_site,picked_in_stock >"$TMP/h.out" 2>&1
check_eq "--rules runs only the rules named" "$?" 0

# ---- what is missing is said ----
# shellcheck disable=SC2086
check_day "$DAYS/good/tours.jsonl" $MODEL >"$TMP/m.out" 2>&1
check_eq "the tours history alone passes" "$?" 0
for s in orders inventory bikes; do
	check "and says there are no $s events" \
		grep -q "^notice: check_day: no $s events" "$TMP/m.out"
done
check "and which rules it could not check" \
	grep -q '^notice: picked_in_stock: no inventory history: nothing checked' "$TMP/m.out"
# strip DIR KEY...: DIR made from the good day without those fields
strip() {
	dir=$1
	shift
	mkdir -p "$dir"
	for f in "$DAYS"/good/*.jsonl; do
		python3 -c '
import json, sys
keys = set(sys.argv[2:])
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in keys}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
for l in open(sys.argv[1]):
    print(json.dumps(strip(json.loads(l))))' "$f" "$@" >"$dir/$(basename "$f")"
	done
}
strip "$TMP/noloc" location
# shellcheck disable=SC2086
check_day --events "$TMP/noloc" $MODEL >"$TMP/m.out" 2>&1
check_eq "without any location the legs cannot be checked: no violation" "$?" 0
check "but a notice says so" \
	grep -q '^notice: one_place_at_a_time: stops without a location' "$TMP/m.out"
check "nor the length of a tour" \
	grep -q '^notice: within_range: tours with stops without a location' "$TMP/m.out"
strip "$TMP/noledger" receivedUnits pickedUnits adjustedUnits expiredUnits \
	rangeKm
# shellcheck disable=SC2086
check_day --events "$TMP/noledger" $MODEL >"$TMP/m.out" 2>&1
check_eq "lots without their own ledger, vehicles without a range: passes" "$?" 0
check "saying the lots' ledgers are not compared" \
	grep -q "^notice: stock_conserved: no lot state carries the lot's own ledger" "$TMP/m.out"
check "saying no range is checked" \
	grep -q '^notice: within_range: no vehicle has a range' "$TMP/m.out"

# ---- bad input ----
mkdir -p "$TMP/bad"
echo 'not json' >"$TMP/bad/tours.jsonl"
check_day --events "$TMP/bad" >"$TMP/b.out" 2>&1
check_eq "a line that is not JSON: exit 2" "$?" 2
check "naming the file and line" grep -q "tours.jsonl:1: not JSON" "$TMP/b.out"
check_day --events "$DAYS/good" --rules no_such_rule >"$TMP/b.out" 2>&1
check_eq "an unknown rule: exit 2" "$?" 2
check_day --events "$DAYS/good" --speed-model 20,70 >"$TMP/b.out" 2>&1
check_eq "a speed model without its five numbers: exit 2" "$?" 2
check_day >"$TMP/b.out" 2>&1
check_eq "no history at all: exit 2" "$?" 2
summary
