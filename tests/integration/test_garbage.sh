#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Garbage on every socket -- random bytes, wrong frame counts, truncated
# envelopes, oversize frames, bad topics, a topic that is not the envelope's
# type, events of unknown sources, junk replay requests -- is counted and
# logged, nothing crashes, and the real stream still arrives exactly once.
. "$(dirname "$0")/lib.sh"

N=2000
# bus1 verifies envelopes (the default); bus2 forwards what decodes or not,
# so that garbage reaches the consumer behind it.
X1=tcp://127.0.0.1:$PORT_BASE
P1=tcp://127.0.0.1:$((PORT_BASE + 1))
A1=$((PORT_BASE + 2))
X2=tcp://127.0.0.1:$((PORT_BASE + 3))
P2=tcp://127.0.0.1:$((PORT_BASE + 4))
A2=$((PORT_BASE + 5))
CA=$((PORT_BASE + 10))
PA=$((PORT_BASE + 12))
REPLAY=tcp://127.0.0.1:$((PORT_BASE + 11))

start bus1 "$BIN/lz-bus" --xsub "$X1" --xpub "$P1" --admin "127.0.0.1:$A1"
start bus2 "$BIN/lz-bus" --xsub "$X2" --xpub "$P2" --admin "127.0.0.1:$A2" \
	--verify=false
wait_http "$A1" 10 && wait_http "$A2" 10
start c "$PEER" consume --state "$TMP/c" --follow g --sub "$P2" \
	--admin "127.0.0.1:$CA" --expect $N
wait_http "$CA" 10
# A tap on bus1, so that its publishers have a subscriber to send to.
start tap "$BIN/lz-tap" --sub "$P1" --timeout 30
sleep 0.3

inject() { "$PEER" inject --to "$1" --kind "$2"; }

dropped() { metric "$A1" "lz_bus_dropped_total{reason=\"$1\"}"; }

for k in random frames truncated oversize bad-topic mismatch; do
	inject "$X1" "$k"
done
sleep 0.3
check_eq "bus drops random bytes and three frames" "$(dropped frames)" 2
bad_env=$(dropped bad_envelope)
mism=$(dropped topic_mismatch)
# Half an envelope may still decode, with its type cut short.
check_eq "bus drops a truncated envelope and a topic that is not the type" \
	"$((${bad_env:-0} + ${mism:-0}))" 2
check_eq "bus drops an oversize frame" "$(dropped oversize)" 1
check_eq "bus drops a bad topic" "$(dropped bad_topic)" 1
check "bus logs what it drops" grep -q 'msg="message dropped" reason=oversize' "$TMP/bus1.log"
check_eq "bus forwarded nothing" "$(metric "$A1" lz_bus_messages_total)" 0
check "bus logs binary topics escaped" grep -q 'reason=frames topic="\\x' "$TMP/bus1.log"
check "tap printed nothing" test ! -s "$TMP/tap.log"

# On the subscribers' side: a subscription frame of 200 kB, then a frame
# claiming 2^63-1 bytes after a proper ZMTP handshake.  Neither may stop
# the bus (they used to: a stack overflow, an allocation of the claimed
# size).
xpub_attack() { # raw ZMTP 3.0: a client libzmq would choke on it itself
	python3 - "$1" "$2" <<'PY'
import socket, struct, sys, time
host, port = sys.argv[1].rsplit("/", 1)[-1].rsplit(":", 1)
raw = socket.create_connection((host, int(port)), timeout=2)
raw.sendall(b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\0") + b"\0" * 32)
body = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 3) + b"SUB"
raw.sendall(b"\x04" + bytes([len(body)]) + body)
if sys.argv[2] == "big":
    sub = b"\x01" + b"a" * 200000
    raw.sendall(b"\x02" + struct.pack(">Q", len(sub)) + sub)
else:
    raw.sendall(b"\x02" + struct.pack(">Q", 2**63 - 1) + b"x" * 64)
time.sleep(0.3)
raw.close()
PY
}
for ep in "$P1" "$P2"; do
	check "a 200 kB subscription sent to XPUB $ep" xpub_attack "$ep" big
	check "a frame claiming 2^63-1 bytes sent to XPUB $ep" xpub_attack "$ep" huge
done
sleep 0.3
check "a 200 kB subscription and a 2^63-byte frame on XPUB: bus1 still running" kill -0 "$pid_bus1"
check "and bus2 too" kill -0 "$pid_bus2"
check_eq "bus1 still answers" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A1/healthz")" 200

for k in random frames truncated mismatch intruder; do
	inject "$X2" "$k"
done
sleep 0.3
err() { metric "$CA" "lz_decode_errors_total{kind=\"$1\"}"; }
check_eq "bus2 still drops what has not two frames" "$(metric "$A2" 'lz_bus_dropped_total{reason="frames"}')" 2
check_eq "consumer counts an undecodable envelope" "$(err envelope)" 1
check_eq "consumer counts a topic that is not the type" "$(err topic)" 1
check_eq "consumer ignores a source it does not follow" "$(metric "$CA" lz_events_ignored_total)" 1
check "consumer logs bad input" grep -q 'msg="bad message dropped" kind=envelope' "$TMP/c.log"
check_eq "consumer applied nothing from garbage" "$(metric "$CA" lz_testpeer_applied)" 0

start p "$PEER" produce --state "$TMP/p" --source g --pub "$X2" \
	--replay "$REPLAY" --count $N --rate 4000 --admin "127.0.0.1:$PA"
wait_http "$PA" 10
inject "$REPLAY" replay-random
inject "$REPLAY" replay-frames
sleep 0.3
check_eq "producer counts junk replay requests" "$(metric "$PA" 'lz_decode_errors_total{kind="replay_request"}')" 2
check "the real stream arrives despite the garbage" wait_pid "$pid_c" 60
check "every real event applied exactly once, in order" \
	"$PEER" verify --state "$TMP/c" --expect $N
check "bus1 still running" kill -0 "$pid_bus1"
check "bus2 still running" kill -0 "$pid_bus2"
check "producer still running" kill -0 "$pid_p"
# A consumer started now gets the whole history by replay from the producer
# that received the junk requests.
start c2 "$PEER" consume --state "$TMP/c2" --follow g --sub "$P2" \
	--admin 127.0.0.1:0 --expect $N
check "late consumer replays from the producer after junk requests" wait_pid "$pid_c2" 60
summary
