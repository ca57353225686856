# SPDX-License-Identifier: AGPL-3.0-or-later
# Shared helpers for integration tests (sourced, POSIX sh + bash).
# Each test gets a temporary directory and its own port range, starts real
# daemons in the background, and ends with "N passed, N failed".

set -u
B=${B:-build}
BIN=$B/bin
PEER=$B/tests/lz-testpeer
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lz-test.XXXXXX")
# A port range per run so that parallel runs and a local deployment (7100...)
# do not collide; below 32768, where Linux picks the local ports of outgoing
# connections, so that no client can hold a port a daemon must bind.
PORT_BASE=$((10000 + ($$ % 220) * 100))
PASSED=0
FAILED=0
PIDS=""
MOUNTS="" # tmpfs mounted by mount_tmpfs, unmounted by cleanup

cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for m in $MOUNTS; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	if [ "$FAILED" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TMP"
	else
		echo "# logs kept in $TMP"
	fi
}
trap cleanup EXIT

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESCRIPTION ACTUAL EXPECTED: passes when both strings are equal.
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
	fi
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# start NAME COMMAND...: runs a daemon in the background, log in $TMP/NAME.log;
# its pid is in $LAST_PID and in the variable pid_NAME.
start() {
	name=$1
	shift
	"$@" >>"$TMP/$name.log" 2>&1 &
	LAST_PID=$!
	PIDS="$PIDS $LAST_PID"
	eval "pid_$name=$LAST_PID"
}

# morning_tz: a fixed-offset time zone in which it is now about 08:00.  Tests
# whose delivery windows start from now set LOCAL_TZ to it, so that the
# windows stay within one local day whatever the hour the suite runs at.
morning_tz() {
	local off=$(((8 - $(date -u +%-H) + 24) % 24))
	[ "$off" -gt 14 ] && off=$((off - 24))
	if [ "$off" -ge 0 ]; then echo "Etc/GMT-$off"; else echo "Etc/GMT+$((-off))"; fi
}

# metric PORT NAME: prints the value of an unlabelled metric (or nothing).
metric() {
	curl -s --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null |
		awk -v n="$2" '$1 == n { print $2 }'
}

# wait_metric PORT NAME MIN SECONDS: waits until metric >= MIN.
wait_metric() {
	end=$(($(date +%s) + $4))
	while [ "$(date +%s)" -le "$end" ]; do
		v=$(metric "$1" "$2")
		if [ -n "$v" ] && awk -v v="$v" -v m="$3" 'BEGIN{exit !(v >= m)}'; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# wait_grep FILE PATTERN SECONDS: waits until FILE has a line matching
# PATTERN (grep -E).
wait_grep() {
	end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -le "$end" ]; do
		grep -q -E -e "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_http PORT SECONDS: waits until the admin endpoint answers.
wait_http() {
	end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le "$end" ]; do
		curl -s --max-time 1 "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 &&
			return 0
		sleep 0.05
	done
	return 1
}

# wait_pid PID SECONDS: waits for a background process to exit; returns its
# status, or 124 on timeout.
wait_pid() {
	end=$(($(date +%s) + $2))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(date +%s)" -gt "$end" ]; then
			return 124
		fi
		sleep 0.05
	done
	wait "$1"
}

# mount_tmpfs DIR SIZE: mounts a tmpfs of SIZE bytes (e.g. 512k) on DIR, a
# filesystem a daemon's state can fill; cleanup unmounts it.  Fails, saying
# why, where mounting is not permitted (not root, no CAP_SYS_ADMIN).
mount_tmpfs() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>"$TMP/mount.err"; then
		echo "# cannot mount a tmpfs on $1: $(cat "$TMP/mount.err")"
		return 1
	fi
	MOUNTS="$MOUNTS $1"
}
