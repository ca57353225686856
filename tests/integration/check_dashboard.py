#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Checks a Grafana dashboard (deploy/grafana/livrazou.json) against the
metrics the daemons serve:

  * the file parses as JSON, is a dashboard (title, uid, panels), every
    panel has a unique id, a type, a gridPos inside the 24 columns that
    overlaps no other panel, and every query panel a Prometheus target;
  * every metric a query names (lz_*, process_*) is one a daemon serves:
    a family of the scrapes, or the _bucket, _sum or _count of one of
    their histograms;
  * every label a selector matches on is a label of that metric (or job,
    instance: the scrape's), and a value it asks for with = is one the
    daemons show; every label of a by (...), on (...) or group_left (...)
    is a label of a metric of the query (or one label_replace makes);
  * every query names at least one such metric.

    check_dashboard.py DASHBOARD.json SCRAPE...

Prints one line per problem and exits 1 when there is one, else prints
"dashboard: N panels, M queries, K metrics ok".  Python 3 standard library
only.
"""
import json
import re
import sys

TARGET_LABELS = {"job", "instance"}
METRIC = re.compile(r"\b((?:lz|process)_[a-zA-Z0-9_:]*)\s*(\{[^}]*\})?")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')


def scraped(paths):
    """{series name: {label: set of values}} and the histogram families."""
    series, hist = {}, set()
    for path in paths:
        for line in open(path):
            if line.startswith("# TYPE "):
                parts = line.split()
                series.setdefault(parts[2], {})
                if parts[3] == "histogram":
                    hist.add(parts[2])
                continue
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s", line)
            if not m:
                continue
            labels = series.setdefault(m.group(1), {})
            for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"',
                                   m.group(2) or ""):
                labels.setdefault(k, set()).add(v)
    for h in hist:
        for suf in ("_bucket", "_sum", "_count"):
            series.setdefault(h + suf, {})
    return series


def panels_of(d):
    for p in d.get("panels", []):
        yield p
        for q in p.get("panels", []):  # a collapsed row's
            yield q


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: check_dashboard.py DASHBOARD.json SCRAPE...")
    problems = []
    try:
        d = json.load(open(sys.argv[1]))
    except (OSError, ValueError) as e:
        print("%s: %s" % (sys.argv[1], e))
        return 1
    series = scraped(sys.argv[2:])
    for k in ("title", "uid", "panels", "schemaVersion"):
        if k not in d:
            problems.append("dashboard: no %s" % k)
    ids, boxes, nq, used = set(), [], 0, set()
    for p in panels_of(d):
        title = p.get("title", "?")
        if p.get("id") in ids or not isinstance(p.get("id"), int):
            problems.append("%s: id %r missing or not unique"
                            % (title, p.get("id")))
        ids.add(p.get("id"))
        if not p.get("type"):
            problems.append("%s: no type" % title)
        g = p.get("gridPos", {})
        try:
            x, y, w, h = g["x"], g["y"], g["w"], g["h"]
        except KeyError:
            problems.append("%s: no gridPos" % title)
            continue
        if x < 0 or w <= 0 or h <= 0 or x + w > 24:
            problems.append("%s: gridPos %r outside the 24 columns"
                            % (title, g))
        for (t2, x2, y2, w2, h2) in boxes:
            if x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h:
                problems.append("%s overlaps %s" % (title, t2))
        boxes.append((title, x, y, w, h))
        if p.get("type") == "row":
            continue
        targets = p.get("targets", [])
        if not targets:
            problems.append("%s: no query" % title)
        for t in targets:
            expr = t.get("expr", "")
            nq += 1
            found = METRIC.findall(expr)
            if not found:
                problems.append("%s: %r names no metric of the daemons"
                                % (title, expr))
            for name, sel in found:
                used.add(name)
                if name not in series:
                    problems.append("%s: %s is not a metric the daemons "
                                    "serve" % (title, name))
                    continue
                for label, op, value in MATCHER.findall(sel or ""):
                    if label in TARGET_LABELS:
                        continue
                    values = series[name].get(label)
                    if values is None:
                        problems.append("%s: %s has no label %s"
                                        % (title, name, label))
                    elif op == "=" and value not in values:
                        problems.append("%s: %s{%s=\"%s\"}: no such value"
                                        % (title, name, label, value))
            known = set(TARGET_LABELS)
            for name, _ in found:
                known |= set(series.get(name, {}))
            known |= set(re.findall(r'label_replace\([^,]*,\s*"([^"]+)"',
                                    expr))
            for group in re.findall(r"\b(?:by|on|without|ignoring|"
                                    r"group_left|group_right)\s*\(([^)]*)\)",
                                    expr):
                for label in filter(None, re.split(r"[\s,]+", group)):
                    if label not in known:
                        problems.append("%s: no metric of %r has a label "
                                        "%s" % (title, expr, label))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("dashboard: %d panels, %d queries, %d metrics ok"
          % (len(ids), nq, len(used)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
