#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recomputes an impact report from the facts of test_impact.sh, apart from
lz-impact's code: the km and CO2e of the tour (odometer) and the bike run,
the counterfactual rounds of each shipper by brute force over the orders of
its day (great circle x 1.35), fill and empty running from the tour's stops,
bike share, food by level, containers, work hours.  Prints one line per
figure that differs and exits 1 if any does.

usage: check_impact.py REPORT.json TOURS.json TASKS.json FACTS.json [MEMBER]
"""
import itertools
import json
import math
import sys

R = 6371008.8


def road(a, b, circuity=1.35):
    la1, lo1 = math.radians(a[0]), math.radians(a[1])
    la2, lo2 = math.radians(b[0]), math.radians(b[1])
    h = (math.sin((la2 - la1) / 2) ** 2 +
         math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * R * math.asin(math.sqrt(min(h, 1))) * circuity


def best_round(origin, stops):
    """Shortest single round from ORIGIN through every stop (brute force)."""
    best = None
    for perm in itertools.permutations(stops):
        pts = [origin] + list(perm) + [origin]
        d = sum(road(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
        best = d if best is None or d < best else best
    return best


def rnd(x):
    """Half away from zero, as C's llround (Python's round() is half to
    even)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def co2(metres, per100, factor):
    return rnd(metres * per100 * factor / 1e8)


def camel(k):
    p = k.split("_")
    return p[0] + "".join(x[:1].upper() + x[1:] for x in p[1:])


def i(v):
    return int(v or 0)


def main():
    rep = json.load(open(sys.argv[1]))
    tours = json.load(open(sys.argv[2])).get("tours", [])
    tasks = {t["taskId"]: t
             for t in json.load(open(sys.argv[3])).get("tasks", [])}
    f = json.load(open(sys.argv[4]))
    member = sys.argv[5] if len(sys.argv) > 5 else None
    mine = (lambda m: True) if member is None else (lambda m: m == member)
    want = {}

    # the van tour: odometer km, its own consumption, mass share
    assert len(tours) == 1, "one tour expected"
    t = tours[0]
    dist = (f["odometer_end"] - f["odometer_start"]) * 1000
    share = 1.0
    if member:
        g = {}
        for s in t["stops"]:
            for tid in s.get("taskIds", []):
                tk = tasks[tid]
                g[tk["memberId"]] = g.get(tk["memberId"], 0) + sum(
                    i(l.get("grams")) for l in tk.get("loads", []))
        share = g.get(member, 0) / sum(g.values())
    van_m = rnd(dist * share)
    van_co2 = rnd(co2(dist, f["van_ml_per_100km"], 3170) * share)
    bike_m = f["bike_m"] if any(mine(m) for m in f["bike_members"]) else 0
    bike_co2 = co2(bike_m, 2000, 48)
    want["actual_m"] = van_m + bike_m
    want["actual_co2e_g"] = van_co2 + bike_co2
    want["van_odometer_m"] = van_m
    want["bike_odometer_m"] = bike_m

    # fill and empty running along the planned legs
    cap = {x["temperatureClass"]: i(x.get("capacityGrams"))
           for x in t.get("fill", [])}
    carried, capkm, empty, legs = {}, {}, 0, 0
    st = t["stops"]
    for a, b in zip(st, st[1:]):
        leg = i(b.get("distanceM")) - i(a.get("distanceM"))
        if leg <= 0:
            continue
        on = {}
        for l in a.get("loadAfter", []):
            on[l["temperatureClass"]] = on.get(
                l["temperatureClass"], 0) + i(l.get("grams"))
        for c in set(cap) | set(on):
            carried[c] = carried.get(c, 0) + rnd(on.get(c, 0) * leg * share)
            capkm[c] = capkm.get(c, 0) + rnd(cap.get(c, 0) * leg * share)
        if sum(on.values()) == 0:
            empty += rnd(leg * share)
        legs += rnd(leg * share)
    for c in capkm:
        if capkm[c]:
            want["fill_" + c] = rnd(1000 * carried[c] / capkm[c])
    want["empty_m"] = empty
    want["legs_m"] = legs

    # the counterfactual: each origin's orders of the day in one round
    groups = {}
    for d in f["deliveries"]:
        if mine(d["member"]):
            groups.setdefault((d["date"], d["origin"]), []).append(
                f["sites"][d["dest"]])
    cf_m = cf_co2 = 0
    for (day, origin), stops in groups.items():
        m = rnd(best_round(f["sites"][origin], stops))
        cf_m += m
        cf_co2 += co2(m, 8500, 3170)
    want["counterfactual_m"] = cf_m
    want["counterfactual_co2e_g"] = cf_co2
    want["counterfactual_rounds"] = len(groups)
    want["avoided_m"] = cf_m - want["actual_m"]
    want["avoided_co2e_g"] = cf_co2 - want["actual_co2e_g"]

    dl = [d for d in f["deliveries"] if mine(d["member"])]
    want["deliveries"] = len(dl)
    want["bike_deliveries"] = sum(1 for d in dl if d["by_bike"])
    want["work_integration_deliveries"] = sum(
        1 for d in dl if d["member"] in f["work_integration"])
    want["food_diverted_g"] = sum(x["grams"] for x in f["flows"]
                                  if mine(x["member"]))
    if member is None:
        want["containers_reused"] = f["reused"]
        want["reused_deposit_cents"] = f["reused"] * f["deposit_cents"]
        want["containers_returned"] = f["returned"]
        want["rider_s"] = f["rider_s"]
    # the driver's time: as reported when the tour has a start and a later
    # end, as planned otherwise (a start and an end in the same second)
    s0, s1 = i(t.get("startedAt")), i(t.get("completedAt"))
    want["driver_s"] = rnd(
        ((s1 - s0) if s0 > 0 and s1 > s0 else i(t.get("durationS"))) * share)

    got = {k: i(rep.get(camel(k))) for k in want}
    kinds = {k["kind"]: k for k in rep.get("kinds", [])}
    got["van_odometer_m"] = i(
        kinds.get("VEHICLE_KIND_REFRIGERATED_VAN", {}).get("odometerM"))
    got["bike_odometer_m"] = i(
        kinds.get("VEHICLE_KIND_CARGO_BIKE", {}).get("odometerM"))
    for x in rep.get("fill", []):
        got["fill_" + x["temperatureClass"]] = i(x.get("fillPermille"))
    for k in list(want):
        if k.startswith("fill_") and k not in got:
            got[k] = 0
    got["containers_returned"] = sum(
        i(c.get("returned")) for c in rep.get("containers", []))
    # the solver's rounds may differ from the brute force by rounding
    bad = []
    for k, v in sorted(want.items()):
        tol = 2 if k in ("counterfactual_m", "avoided_m") else 0
        tol = 2 * len(groups) if tol else 0
        if k in ("counterfactual_co2e_g", "avoided_co2e_g"):
            tol = len(groups)
        if abs(got.get(k, 0) - v) > tol:
            bad.append("%s: report %s, recomputed %s" % (k, got.get(k), v))
    for b in bad:
        print(b)
    print("checked %d figures, %d differ" % (len(want), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
