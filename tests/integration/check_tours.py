#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Independent checker of the tours a wave published.

Reads the data set (tests/data/marseille/gen.py's data.json) and the tours
service's outbox (lz-tap JSON lines), takes the last TourPlanned of each
tour, and recomputes from the data alone -- not from the planner's numbers:
  * every tour starts and ends at its vehicle's hub, within its shift, and
    is no longer than the vehicle's range (rangeKm, when it has one);
  * travel times (haversine x circuity through the speed model: urban
    speed up to the urban distance, road speed beyond; or one speed): no
    stop starts before the previous departure plus the travel;
  * a stop is one visit at one site: it starts inside its first task's
    window and before every other task's window closes (its order's
    delivery or pickup window; before the bike wave for the relay); its
    setup once (not when the stop before is at the same place), then each
    task's service in turn (the relay's once), a task whose window opens
    later waiting for it; the stop is left no earlier -- in a tour of a
    later date (a failed task planned again), the window closed before
    that date is moved there, same local hours, as tours does;
  * loads along the route per temperature class (grams and millilitres):
    deliveries on board at the start, pickups added on the way, equal to
    the published load and within the vehicle's compartments;
  * skills: chilled / frozen goods only in vehicles with such compartments;
  * centre-zone orders go to the bike relay, the others to their site;
  * each task is in at most one tour; every task is planned or has a
    reason; the WavePlanned counts agree.
Prints "ok N tours M tasks" or the first problems, exit status 1.

Usage: check_tours.py data.json outbox.jsonl CIRCUITY SPEED SERVICE_S
       RELAY_SERVICE_S BIKE_WAVE_S [--setup S] [--allow-unplanned N]

SPEED is one speed in km/h ("25") or a speed model URBAN_KMH/ROAD_KMH/
URBAN_KM ("20/60/5", lz-tours' default); SERVICE_S is per task, RELAY_SERVICE_S
per drop at the relay, --setup (default 0) once per stop.
"""
import datetime
import json
import math
import sys
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def local_midnight(day):
    return int(datetime.datetime.combine(day, datetime.time(), PARIS).timestamp())


def shift_days(t, days):
    """T moved by DAYS local days, same local clock time."""
    d = datetime.datetime.fromtimestamp(t, PARIS).replace(tzinfo=None)
    return int((d + datetime.timedelta(days=days)).replace(tzinfo=PARIS).timestamp())

CLS = {"TEMPERATURE_CLASS_AMBIENT": 0, "TEMPERATURE_CLASS_CHILLED": 1,
       "TEMPERATURE_CLASS_FROZEN": 2}


def hav(a, b):
    r, rad = 6371008.8, math.pi / 180
    la1, la2 = a["lat"] * rad, b["lat"] * rad
    dla, dlo = la2 - la1, (b["lon"] - a["lon"]) * rad
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(h, 1)))


def leg_time(metres, speed):
    """Seconds for a leg under SPEED: (urban m/s, road m/s, urban metres)."""
    urban, road, urban_m = speed
    if metres <= urban_m:
        return metres / urban
    return urban_m / urban + (metres - urban_m) / road


def parse_speed(arg):
    parts = [float(x) for x in arg.split("/")]
    if len(parts) == 1:
        return (parts[0] / 3.6, parts[0] / 3.6, float("inf"))
    return (parts[0] / 3.6, parts[1] / 3.6, parts[2] * 1000)


def main():
    args, opts = [], {"--setup": "0", "--allow-unplanned": str(10 ** 9)}
    i = 1
    while i < len(sys.argv):
        if sys.argv[i] in opts:
            opts[sys.argv[i]] = sys.argv[i + 1]
            i += 2
        else:
            args.append(sys.argv[i])
            i += 1
    data = json.load(open(args[0]))
    evs = [json.loads(l) for l in open(args[1]) if l.strip()]
    circ, speed = float(args[2]), parse_speed(args[3])
    service, relay_service, bike_wave = map(int, args[4:7])
    setup = int(opts["--setup"])
    allow_unplanned = int(opts["--allow-unplanned"])
    sites, mid = data["sites"], data["midnight"]
    vehicles = {v["vehicleId"]: v for v in data["vehicles"]}
    errs = []

    # Tasks from the data: kind, site, window, loads [g0, ml0, g1, ...].
    tasks = {}
    for o in data["orders"]:
        load = [0] * 6
        for l in o["lines"]:
            k = CLS[l["temperatureClass"]]
            load[2 * k] += l["quantity"] * l.get("unitGrams", 0)
            load[2 * k + 1] += l["quantity"] * l.get("unitMillilitres", 0)
        dest = sites.get(o["destinationSiteId"])
        w = (int(o["deliveryWindow"]["start"]), int(o["deliveryWindow"]["end"]))
        if o["source"] == "ORDER_SOURCE_PRODUCER_PICKUP":
            pw = (int(o["pickupWindow"]["start"]), int(o["pickupWindow"]["end"]))
            tasks["pick:" + o["orderId"]] = ("pickup", o["pickupSiteId"], pw, load)
        elif dest and dest.get("zone") == "centre":
            tasks["del:" + o["orderId"]] = ("relay", "relais-velo",
                                            (mid, min(mid + bike_wave, w[1])), load)
        else:
            tasks["del:" + o["orderId"]] = ("delivery", o["destinationSiteId"], w, load)
    for c in data["collections"]:
        load = [0] * 6
        for l in c["loads"]:
            k = CLS[l["temperatureClass"]]
            load[2 * k] += int(l.get("grams", 0))
            load[2 * k + 1] += int(l.get("millilitres", 0))
        tasks["col:" + c["requestId"]] = ("collection", c["siteId"],
                                         (int(c["window"]["start"]), int(c["window"]["end"])), load)

    tours = {}
    for e in evs:
        if e["type"] == "lz.tours.v1.TourPlanned":
            t = e["payload"]["tour"]
            tours[t["tourId"]] = t
    completed = set(e["payload"]["tourId"] for e in evs
                    if e["type"] == "lz.tours.v1.TourStatusChanged"
                    and e["payload"].get("to") == "TOUR_STATUS_COMPLETED")
    seen = {}
    day0 = datetime.datetime.fromtimestamp(mid, PARIS).date()
    for tid, t in tours.items():
        tday = datetime.date.fromisoformat(t["date"])
        days = (tday - day0).days
        tmid = local_midnight(tday)
        v = vehicles.get(t["vehicleId"])
        if v is None:
            errs.append("%s: unknown vehicle" % tid)
            continue
        cap = [0] * 6
        for c in v["compartments"]:
            k = CLS[c["temperatureClass"]]
            cap[2 * k] += int(c.get("capacityGrams", 0))
            cap[2 * k + 1] += int(c.get("capacityMillilitres", 0))
        stops = t["stops"]
        hub = sites[v["homeHubSiteId"]]
        if stops[0].get("siteId") != v["homeHubSiteId"] or stops[-1].get("siteId") != v["homeHubSiteId"]:
            errs.append("%s: does not start and end at the hub" % tid)
        if int(stops[0].get("departure", 0)) < tmid + v["shiftStart"] - 1:
            errs.append("%s: leaves before the shift" % tid)
        if int(stops[-1].get("arrival", 0)) > tmid + v["shiftEnd"] + 1:
            errs.append("%s: back after the shift" % tid)
        if v.get("rangeKm") and int(t.get("distanceM", 0)) > int(v["rangeKm"]) * 1000:
            errs.append("%s: %s m, beyond the vehicle's range of %s km" % (
                tid, t.get("distanceM"), v["rangeKm"]))
        load = [0] * 6
        for s in stops:
            for x in s.get("taskIds", []):
                kind, _, _, l = tasks.get(x, ("?", "", (0, 0), [0] * 6))
                if kind in ("delivery", "relay"):
                    load = [a + b for a, b in zip(load, l)]
        prev_loc, prev_dep = hub["location"], int(stops[0].get("departure", 0))
        prev_site = stops[0].get("siteId")
        dist = 0.0
        for i, s in enumerate(stops):
            loc = sites[s["siteId"]]["location"] if s.get("siteId") in sites else None
            if loc is None:
                errs.append("%s stop %d: unknown site" % (tid, i))
                continue
            if i > 0:
                dist += hav(prev_loc, loc) * circ
                travel = leg_time(hav(prev_loc, loc) * circ, speed)
                if int(s.get("arrival", 0)) < prev_dep + travel - 2:
                    errs.append("%s stop %d: arrives %.0fs too early" % (
                        tid, i, prev_dep + travel - int(s.get("arrival", 0))))
                if int(s.get("start", 0)) < int(s.get("arrival", 0)):
                    errs.append("%s stop %d: starts before arriving" % (tid, i))
            ids = s.get("taskIds", [])
            if s.get("kind") == "STOP_KIND_TASK":
                if not ids:
                    errs.append("%s stop %d: no task" % (tid, i))
                # One visit: the setup once (none when the van has not
                # moved), then the tasks in turn.
                st = int(s.get("start", 0))
                same_place = s["siteId"] == prev_site or loc == prev_loc
                t_next = st + (0 if same_place else setup)
                relay_done = False
                for n, x in enumerate(ids):
                    if x not in tasks:
                        errs.append("%s stop %d: unknown task %s" % (tid, i, x))
                        continue
                    if x in seen and tid not in completed and seen[x] not in completed:
                        errs.append("%s: %s also in %s" % (tid, x, seen[x]))
                    if tid not in completed or x not in seen:
                        seen[x] = tid
                    kind, site, w, l = tasks[x]
                    if s["siteId"] != site:
                        errs.append("%s stop %d: %s at %s, want %s" % (tid, i, x, s["siteId"], site))
                    if days > 0 and w[1] <= tmid:
                        w = (shift_days(w[0], days), shift_days(w[1], days))
                    if n == 0 and (st < w[0] - 1 or st > w[1] + 1):
                        errs.append("%s stop %d: %s starts at %d outside [%d, %d]" % (
                            tid, i, x, st - tmid, w[0] - tmid, w[1] - tmid))
                    # The windows bound the start of the visit (then its
                    # setup and services may run past them); a task whose
                    # window opens later waits for it.  The relay's
                    # parcels are dropped together.
                    if n > 0 and st > w[1] + 1:
                        errs.append("%s stop %d: %s: the visit starts at %d, after its window [%d, %d]" % (
                            tid, i, x, st - tmid, w[0] - tmid, w[1] - tmid))
                    if kind != "relay" or not relay_done:
                        t_next = max(t_next, w[0])
                        t_next += relay_service if kind == "relay" else service
                        relay_done = relay_done or kind == "relay"
                    for k in range(6):
                        if kind in ("delivery", "relay"):
                            load[k] -= l[k]
                        else:
                            load[k] += l[k]
                    if (l[2] or l[3]) and not (cap[2] or cap[3]):
                        errs.append("%s: chilled %s in a vehicle without chiller" % (tid, x))
                    if (l[4] or l[5]) and not (cap[4] or cap[5]):
                        errs.append("%s: frozen %s in a vehicle without freezer" % (tid, x))
                if int(s.get("departure", 0)) < t_next - 1:
                    errs.append("%s stop %d: leaves before its service is done" % (tid, i))
            pub = [0] * 6
            for cl in s.get("loadAfter", []):
                k = CLS[cl["temperatureClass"]]
                pub[2 * k] = int(cl.get("grams", 0))
                pub[2 * k + 1] = int(cl.get("millilitres", 0))
            if pub != load:
                errs.append("%s stop %d: load %s, recomputed %s" % (tid, i, pub, load))
            for k in range(6):
                if load[k] > cap[k] or load[k] < 0:
                    errs.append("%s stop %d: load %d over capacity %d (dim %d)" % (tid, i, load[k], cap[k], k))
            prev_loc, prev_dep = loc, int(s.get("departure", 0))
            prev_site = s.get("siteId")
        if v.get("rangeKm") and dist > int(v["rangeKm"]) * 1000 + 1:
            errs.append("%s: drives %.0f m, beyond the vehicle's range of %s km" % (
                tid, dist, v["rangeKm"]))
    # A task in a completed tour and planned again: keep the new tour.
    # Every task either planned or not planned with a reason.
    last = {}
    for e in evs:
        if e["type"] == "lz.tours.v1.TaskStatusChanged":
            p = e["payload"]
            last[p["task"]["taskId"]] = p
    unplanned = [x for x, p in last.items() if p.get("to") == "TASK_STATUS_UNPLANNED"]
    for x in unplanned:
        if not last[x].get("reason"):
            errs.append("%s: not planned without a reason" % x)
    for x, p in last.items():
        if p.get("to") == "TASK_STATUS_PLANNED" and seen.get(x) != p.get("tourId"):
            errs.append("%s: planned in %s but found in %s" % (x, p.get("tourId"), seen.get(x)))
    waves = [e["payload"] for e in evs if e["type"] == "lz.tours.v1.WavePlanned"]
    if not waves:
        errs.append("no WavePlanned")
    planned = sum(1 for p in last.values() if p.get("to") == "TASK_STATUS_PLANNED")
    if len(unplanned) > allow_unplanned:
        errs.append("%d tasks not planned (allowed %d)" % (len(unplanned), allow_unplanned))
    if errs:
        for e in errs[:20]:
            print("error:", e)
        print("%d errors" % len(errs))
        sys.exit(1)
    print("ok %d tours %d tasks planned %d unplanned" % (len(tours), planned, len(unplanned)))


if __name__ == "__main__":
    main()
