#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""An example Livrazou partner written in Python.

It speaks to the gateway as any partner system would: over ZeroMQ with
CURVE (a DEALER socket, one Submit frame per command, one Ack frame back),
and follows its member's events over HTTP with Server-Sent Events.  The
Python protobuf classes are generated from the project's proto/ directory
with protoc when the script starts, so the schemas stay the only source of
wire types.

Needs Debian's python3-zmq, python3-protobuf and protobuf-compiler.

    partner.py --gateway tcp://127.0.0.1:7000 --server-key=Z85 \\
        --key partner.key --http 127.0.0.1:8080 --token TOKEN \\
        --type lz.orders.v1.PlaceOrder --json '{"reference": "r1", ...}'

(Z85 keys may begin with '-': give them as --server-key=KEY.)

Prints one JSON object: the Ack, and the events of the partner's member
that followed from the command (those sharing its correlation id).
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

import zmq
from google.protobuf import json_format

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "proto")


def generate(proto_dir):
    """Generates Python modules for every .proto file; returns their dir."""
    out = tempfile.mkdtemp(prefix="lz-py-")
    files = []
    for root, _, names in os.walk(proto_dir):
        files += [os.path.join(root, n) for n in names if n.endswith(".proto")]
    subprocess.run(["protoc", "-I" + proto_dir, "--python_out=" + out] + files,
                   check=True)
    sys.path.insert(0, out)
    return out


def message_class(type_name):
    """lz.orders.v1.PlaceOrder -> the generated class."""
    package, _, name = type_name.rpartition(".")
    domain = package.split(".")[1]
    module = importlib.import_module(package.replace(".", "/").replace("/", ".")
                                     + "." + domain + "_pb2")
    return getattr(module, name)


def read_keys(path):
    keys = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.split("=", 1)
                keys[k.strip()] = v.strip()
    return keys["public-key"].encode(), keys["secret-key"].encode()


def follow_events(url, token, sink, stop):
    """Reads the Server-Sent Events stream into SINK until STOP is set."""
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as resp:
        data = []
        for raw in resp:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and data:
                sink.append(json.loads("\n".join(data)))
                data = []
            if stop.is_set():
                return


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--server-key", required=True, help="gateway public key (Z85)")
    ap.add_argument("--key", required=True, help="partner key pair file")
    ap.add_argument("--http", required=True, help="gateway HTTP host:port")
    ap.add_argument("--token", required=True, help="partner bearer token")
    ap.add_argument("--type", required=True)
    ap.add_argument("--json", required=True, help="the command as proto3 JSON")
    ap.add_argument("--msg-id", default=None)
    ap.add_argument("--wait-for", default="",
                    help="event type to wait for after the Ack (optional)")
    ap.add_argument("--garbage", action="store_true",
                    help="also send a frame that is not a Submit")
    ap.add_argument("--timeout", type=float, default=10)
    args = ap.parse_args()

    generate(PROTO_DIR)
    from lz.gateway.v1 import gateway_pb2

    events, stop = [], threading.Event()
    t = threading.Thread(target=follow_events, daemon=True,
                         args=("http://%s/v1/events" % args.http, args.token,
                               events, stop))
    t.start()
    time.sleep(0.3)  # let the stream open before the command

    command = json_format.Parse(args.json, message_class(args.type)())
    submit = gateway_pb2.Submit(client_msg_id=args.msg_id or uuid.uuid4().hex,
                                type=args.type,
                                payload=command.SerializeToString())

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.curve_publickey, sock.curve_secretkey = read_keys(args.key)
    sock.curve_serverkey = args.server_key.encode()
    sock.linger = 0
    sock.connect(args.gateway)
    result = {}
    if args.garbage:
        sock.send(b"\x08\x96\x01 this is not a Submit")
        if sock.poll(args.timeout * 1000):
            bad = gateway_pb2.Ack.FromString(sock.recv())
            result["garbageAck"] = json_format.MessageToDict(bad)
    sock.send(submit.SerializeToString())
    if not sock.poll(args.timeout * 1000):
        print(json.dumps({"error": "no Ack (is the key in the partners file?)"}))
        return 1
    ack = gateway_pb2.Ack.FromString(sock.recv())
    result["ack"] = json_format.MessageToDict(ack)

    # The command itself, then what the services made of it, share the
    # command's event id as correlation id.
    deadline = time.time() + args.timeout
    def related():
        return [e for e in events if e.get("correlationId") == ack.event_id]
    while time.time() < deadline:
        types = [e["type"] for e in related()]
        if args.type in types and (not args.wait_for or args.wait_for in types):
            break
        time.sleep(0.05)
    result["events"] = related()
    stop.set()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
