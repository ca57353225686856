#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Runs unit test binaries, then integration test scripts, and sums up their
# "N passed, N failed" lines.  Usage: run.sh UNIT... -- INTEG...
# Exit status: 0 only when every program ran, printed its summary line, and
# nothing failed.
set -u
passed=0
failed=0
broken=""
mode=unit
logdir=${B:-build}/test-logs
mkdir -p "$logdir"
for t in "$@"; do
	if [ "$t" = "--" ]; then
		mode=integration
		continue
	fi
	name=$(basename "$t")
	log="$logdir/$name.log"
	printf '%-12s %-40s ' "$mode" "$name"
	start=$(date +%s)
	"$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "NO SUMMARY (exit $rc, ${secs}s)"
		broken="$broken $name"
		tail -n 30 "$log" | sed 's/^/    /'
		continue
	fi
	p=$(echo "$line" | sed 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/')
	f=$(echo "$line" | sed 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/')
	passed=$((passed + p))
	failed=$((failed + f))
	echo "$line (${secs}s)"
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && broken="$broken $name"
		grep -E '^(not ok|FAIL)' "$log" | head -n 20 | sed 's/^/    /'
		tail -n 15 "$log" | sed 's/^/    /'
	fi
done
[ -n "$broken" ] && echo "broken (crashed or no summary):$broken"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$broken" ]
