#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Checks the /metrics of Livrazou's daemons against the project's
conventions, beside `promtool check metrics` (which checks the format and
Prometheus' own naming rules):

  * the text exposition format 0.0.4, parsed strictly: HELP and TYPE once
    per family and before its samples, a family's samples together, valid
    metric and label names, escaped label values, numbers; histograms with
    cumulative buckets up to le="+Inf" equal to _count, and _sum;
  * names: lz_ or process_ first; counters end in _total; base units only
    (_meters, _grams, _seconds, _bytes: no km, kg, ms, minutes, ...);
  * every labelled counter present from the start with each label value the
    code can count, the values read from the sources: the refusal enums of
    the .proto files, the reasons written as literals in the C files.

    check_metrics.py [--root DIR] NAME=FILE...

NAME is the daemon (bus, gateway, orders...), FILE its scrape taken before
anything happened.  Prints one line per problem; exits 1 when there is
one.  Python 3 standard library only.
"""
import argparse
import glob
import os
import re
import sys

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$")
PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
# Name parts that are not base units (Prometheus' naming practices).
NOT_BASE = {"km", "kg", "kilometres", "kilometers", "kilograms", "ms",
            "us", "ns", "milliseconds", "microseconds", "nanoseconds",
            "minutes", "hours", "days", "percent", "kb", "mb", "gb",
            "kilobytes", "megabytes", "centimeters", "centimetres"}

SERVICES = ("orders", "inventory", "tours", "bikes", "returns", "impact")

# What each daemon must show from the start: (daemons, metric, label,
# where the values come from).  ("refusal", PKG, MESSAGE): every value but
# 0 of the enum of MESSAGE's field "reason" in proto/lz/PKG/v1/PKG.proto;
# ("enum", PKG, ENUM): every value but 0 of that enum; ("c", GLOB, REGEX):
# every string the regex's group 1 finds in those C files.
EXPECT = [
    (("orders",), "lz_orders_rejected_total", "reason",
     ("refusal", "orders", "OrderRejected")),
    (("inventory",), "lz_inventory_refused_total", "reason",
     ("refusal", "inventory", "CommandRefused")),
    (("tours",), "lz_tours_refused_total", "reason",
     ("refusal", "tours", "CommandRefused")),
    (("bikes",), "lz_bikes_refused_total", "reason",
     ("refusal", "bikes", "CommandRefused")),
    (("returns",), "lz_returns_refused_total", "reason",
     ("refusal", "returns", "CommandRefused")),
    (("returns",), "lz_returns_diverted_grams_total", "level",
     ("enum", "returns", "HierarchyLevel")),
    (("returns",), "lz_returns_collections_requested_total", "collector",
     ("c", "services/returns/*.c", r'"requests/([a-z_]+)"')),
    (("impact",), "lz_impact_ignored_total", "reason",
     ("c", "services/impact/*.c", r'\bignore\(c, "([a-z_]+)"\)')),
    (SERVICES, "lz_events_refused_total", "reason",
     ("c", "services/*/*.c", r'lz_service_refuse_event\(&?c, "([a-z_]+)"')),
    (("gateway",) + SERVICES, "lz_decode_errors_total", "kind",
     ("c", "services/common/lz_bus.c", r'\bbad_input\(b, "([a-z_]+)"')),
    (("bus",), "lz_bus_dropped_total", "reason",
     ("c", "services/bus/main.c", r'(?:return |why = |\? )"([a-z_]+)"')),
    (("gateway",), "lz_gateway_rejects_total", "code",
     ("enum", "gateway", "ErrorCode")),
    (("gateway",), "lz_gateway_commands_total", "status",
     ("c", "services/gateway/*.c", r'"status", "([a-z_]+)"')),
]


def unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n"
                  else m.group(1), v)


def parse(text, where, problems):
    """Returns {family: {"type", "help", "samples": [(name, labels, v)]}}."""
    fams = {}
    order = []  # families in the order their samples appear
    typ = {}

    def bad(n, msg):
        problems.append("%s:%d: %s" % (where, n, msg))

    def family_of(name):
        for suf in ("_bucket", "_sum", "_count"):
            base = name[:-len(suf)]
            if name.endswith(suf) and typ.get(base) in ("histogram",
                                                         "summary"):
                return base
        return name

    if text and not text.endswith("\n"):
        bad(text.count("\n") + 1, "no newline at the end")
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
                continue  # a comment
            kind, name = parts[1], parts[2]
            if not NAME.match(name):
                bad(n, "bad metric name %r" % name)
            f = fams.setdefault(name, {"type": None, "help": None,
                                       "samples": []})
            if f["samples"]:
                bad(n, "%s %s after its samples" % (kind, name))
            if kind == "TYPE":
                t = parts[3] if len(parts) > 3 else ""
                if t not in TYPES:
                    bad(n, "bad type %r for %s" % (t, name))
                if f["type"] is not None:
                    bad(n, "second TYPE for %s" % name)
                f["type"] = typ[name] = t
            else:
                if f["help"] is not None:
                    bad(n, "second HELP for %s" % name)
                f["help"] = parts[3] if len(parts) > 3 else ""
            continue
        if not line.strip():
            bad(n, "empty line")
            continue
        m = SAMPLE.match(line)
        if not m:
            bad(n, "not a sample: %r" % line)
            continue
        name, labels_s, value = m.group(1), m.group(2), m.group(3)
        labels = {}
        if labels_s:
            body = labels_s[1:-1]
            pos = 0
            while pos < len(body):
                pm = PAIR.match(body, pos)
                if not pm:
                    bad(n, "bad labels %r" % labels_s)
                    break
                if pm.group(1) in labels:
                    bad(n, "label %s twice" % pm.group(1))
                labels[pm.group(1)] = unescape(pm.group(2))
                pos = pm.end()
        try:
            v = float(value)
        except ValueError:
            bad(n, "bad value %r" % value)
            continue
        fam = family_of(name)
        f = fams.setdefault(fam, {"type": None, "help": None,
                                  "samples": []})
        if f["type"] is None:
            bad(n, "sample of %s before its TYPE" % fam)
            f["type"] = "untyped"
        if order and order[-1] != fam and fam in order:
            bad(n, "samples of %s not together" % fam)
        if not order or order[-1] != fam:
            order.append(fam)
        key = (name, tuple(sorted(labels.items())))
        if any((s[0], tuple(sorted(s[1].items()))) == key
               for s in f["samples"]):
            bad(n, "%s%s twice" % (name, labels_s or ""))
        f["samples"].append((name, labels, v))
    return fams


def check_family(name, f, where, problems):
    def bad(msg):
        problems.append("%s: %s: %s" % (where, name, msg))

    if not (name.startswith("lz_") or name.startswith("process_")):
        bad("not an lz_ or process_ metric")
    if f["help"] in (None, ""):
        bad("no HELP")
    parts = set(name.split("_"))
    if parts & NOT_BASE:
        bad("not in base units (%s)" % ", ".join(sorted(parts & NOT_BASE)))
    t = f["type"]
    if t == "counter" and not name.endswith("_total"):
        bad("a counter whose name does not end in _total")
    if t != "counter" and name.endswith("_total"):
        bad("ends in _total but is a %s" % t)
    if t == "counter":
        for s in f["samples"]:
            if s[2] < 0:
                bad("a negative counter")
    if t == "histogram":
        series = {}
        for s, labels, v in f["samples"]:
            rest = tuple(sorted((k, x) for k, x in labels.items()
                                if k != "le"))
            series.setdefault(rest, []).append((s, labels, v))
        for rest, ss in series.items():
            buckets = [(float(lb["le"]), v) for s, lb, v in ss
                       if s == name + "_bucket" and "le" in lb]
            counts = [v for s, lb, v in ss if s == name + "_count"]
            if not buckets or buckets[-1][0] != float("inf"):
                bad("no le=\"+Inf\" bucket last")
            if [b[0] for b in buckets] != sorted(b[0] for b in buckets):
                bad("buckets out of order")
            if any(a[1] > b[1] for a, b in zip(buckets, buckets[1:])):
                bad("buckets not cumulative")
            if len(counts) != 1 or (buckets and buckets[-1][1] != counts[0]):
                bad("_count missing or not the +Inf bucket")
            if not any(s == name + "_sum" for s, lb, v in ss):
                bad("no _sum")


def enum_values(root, pkg, enum):
    """The short names of ENUM's values but 0, as lz_enum_name makes
    them: the value name less the prefix (value 0's name less
    UNSPECIFIED, else the values' common prefix), lower-case."""
    path = os.path.join(root, "proto/lz/%s/v1/%s.proto" % (pkg, pkg))
    text = open(path).read()
    m = re.search(r"^enum %s \{(.*?)^\}" % re.escape(enum), text,
                  re.M | re.S)
    if not m:
        raise SystemExit("check_metrics: no enum %s in %s" % (enum, path))
    vals = [(n, int(v)) for n, v in
            re.findall(r"^\s*([A-Z0-9_]+)\s*=\s*(\d+)\s*;", m.group(1), re.M)]
    zero = [n for n, v in vals if v == 0]
    if zero and zero[0].endswith("UNSPECIFIED"):
        prefix = zero[0][:-len("UNSPECIFIED")]
    else:
        prefix = os.path.commonprefix([n for n, _ in vals])
        prefix = prefix[:prefix.rfind("_") + 1]
    return {n[len(prefix):].lower() for n, v in vals if v != 0}


def refusal_values(root, pkg, message):
    path = os.path.join(root, "proto/lz/%s/v1/%s.proto" % (pkg, pkg))
    text = open(path).read()
    m = re.search(r"^message %s \{(.*?)^\}" % re.escape(message), text,
                  re.M | re.S)
    f = m and re.search(r"^\s*([A-Za-z0-9_.]+)\s+reason\s*=", m.group(1),
                        re.M)
    if not f:
        raise SystemExit("check_metrics: no field reason in %s.%s"
                         % (pkg, message))
    return enum_values(root, pkg, f.group(1).split(".")[-1])


def c_values(root, pattern, regex):
    found = set()
    for path in glob.glob(os.path.join(root, pattern)):
        found |= set(re.findall(regex, open(path).read()))
    if not found:
        raise SystemExit("check_metrics: %r finds nothing in %s"
                         % (regex, pattern))
    return found


def expected(root, source):
    kind = source[0]
    if kind == "refusal":
        return refusal_values(root, source[1], source[2])
    if kind == "enum":
        return enum_values(root, source[1], source[2])
    return c_values(root, source[1], source[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("scrapes", nargs="+", metavar="NAME=FILE")
    a = ap.parse_args()
    problems = []
    for arg in a.scrapes:
        daemon, _, path = arg.partition("=")
        fams = parse(open(path).read(), daemon, problems)
        if not fams:
            problems.append("%s: no metric at all" % daemon)
        for name, f in fams.items():
            check_family(name, f, daemon, problems)
        for daemons, metric, label, source in EXPECT:
            if daemon not in daemons:
                continue
            f = fams.get(metric)
            have = {s[1].get(label) for s in f["samples"]} if f else set()
            missing = expected(a.root, source) - have
            if missing:
                problems.append("%s: %s{%s} not shown from the start for: %s"
                                % (daemon, metric, label,
                                   " ".join(sorted(missing))))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
