#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Independent checker of a day (or several): could it really happen?

Reads the event histories of the services (lz-tap --replay SOURCE JSON
lines, one file per source: orders, inventory, tours, bikes...) and checks,
from the events alone, that the day they tell is physically possible.  One
line per violation, "RULE: detail" (ids and local times), lines
"notice: RULE: ..." where a rule could not check something (a field the
events do not carry, a service missing), then

    check_day: N events, M violations

Exit status 0 when there is no violation, 1 otherwise, 2 on bad input.

Usage:
    check_day.py --events DIR [FILE.jsonl...] [options]

DIR holds <source>.jsonl files; every *.jsonl in it is read (a file of
another source, e.g. gateway.jsonl, is read and ignored).  Events are taken
from the source named as their service (lz.tours.v1.* from "tours", ...),
in each source's sequence order; events of different sources are ordered
by their envelope timestamps (timestampUs).

Times.  Every rule checks the planned times (TourPlanned, RunPlanned) and,
unless --planned-only, the reported times (TourStatusChanged,
StopStatusChanged, RunStatusChanged, ParcelStatusChanged, GoodsUnloaded
"at" fields, LotReceived.receivedAt).  A plan is checked against what was
known when it was published: a report published before the plan (by
envelope order) replaces the plan it reports on (the goods' ready time of a
collected order is its tour's reported return, else its planned return).
--planned-only ignores every reported time: plans are checked against
plans only (for histories whose reports are not on the day's clock, e.g.
make demo, whose drivers report at wall-clock time, accelerated).

Rules (each a function below, named as printed):

ready_before_delivery -- nothing delivered before it was collected and ready.
    For each delivery (DELIVERY or RELAY_DELIVERY task) in a tour:
    * producer pickup collected by another tour C: the goods are ready at
      C's return to the hub (GoodsUnloaded.at, else C's TourStatusChanged
      COMPLETED; planned: C's END stop arrival) + --handling-s; the
      delivering tour must leave the hub (tour start, i.e. its START stop's
      departure; reported: TourStatusChanged STARTED) no earlier.  A
      delivery whose pickup is in no tour is a violation.
    * producer pickup collected earlier in the same tour (a shipment): the
      delivery stop comes after the pickup stop (index and planned
      arrival >= the pickup's departure; reported: completed after it);
      the same for a collection to an outlet (dropped after collected).
    * hub stock: the tour leaves the hub after every lot reserved or
      picked for the order was received (LotReceived.receivedAt).
    * a delivery attempted again after a failure in tour F: the goods are
      back when F returns to the hub (reported, else planned) + handling;
      the new tour leaves no earlier.
delivered_was_picked -- goods leave the stock before they are delivered:
    every delivered order (tours TaskStatusChanged DONE of a DELIVERY task,
    bikes ParcelStatusChanged DELIVERED / AT_RELAY_POINT, orders
    OrderStatusChanged DELIVERED: the first of them) has an OrderPicked
    published before it.  OrderPicked has no time field: its envelope
    timestamp is used.  (A tour started unpicked by an operator's override,
    TourStatusChanged.picking_overridden, is named in the detail.)
picked_in_stock -- nothing picked that was not in stock: the units an
    OrderPicked takes from a lot never exceed what the lot held at that
    point of inventory's history (LotReceived, OrderPicked, LotExpired,
    ReservationReleased of an expired lot, LotAdjusted; a lot never
    received cannot be picked).
stock_conserved -- per lot, across the days: received - picked - expired
    +/- adjustments = the quantity of every later state of the lot that an
    event carries (a Lot in "lot" or "lots" of any inventory event:
    LotNearingExpiry, LotExpired after its removal, ...) and LotAdjusted's
    "before" (and after - before = difference).  A lot whose last movement
    comes after the last event carrying its quantity is checked up to that
    event only (notice): OrderPicked carries no lot state today.  Where a
    carried lot keeps its own ledger (Lot.received_units, picked_units,
    adjusted_units, expired_units), each figure must be the one counted
    from the events, and received - picked - adjusted - expired its
    quantity.
one_place_at_a_time -- each vehicle, rider and bike at one place at a time:
    a vehicle's tours do not overlap (planned [start, end]; reported
    [STARTED, COMPLETED]), nor a rider's or a bike's runs (RunPlanned
    [start, end]; reported RunStatusChanged start..end); within a tour or a
    run, arrival <= start <= departure at each stop and between
    consecutive stops the time is at least the speed model's travel time
    minus the tolerance; reported: the same between consecutive reports at
    different stops (stop reports of a tour, the parcels' reports of a run,
    its start and end at the relay).
within_range -- electric vehicles respect their range: a tour of a vehicle
    with Vehicle.range_km is no longer than it (planned: the legs between
    its stops by the speed model; reported: the odometer at completion
    minus the one at the start).
stop_at_one_site -- every stop's tasks at one site: each task of a tour stop
    is at the stop's site (a collection: its site, or its destination for
    the drop; default the hub), each parcel (and pickup) of a bike run's
    stop at the stop's site.
site_in_one_stop -- tasks at one site in one tour (or run) with compatible
    windows are one stop: two TASK (VISIT) stops of a tour (run) at the same
    site whose windows intersect are a violation.
bike_parcels_ready -- bike runs start after their parcels are ready: a
    parcel is at the relay when the van's relay stop is completed
    (reported; planned: that stop's planned arrival) + --relay-handling-s,
    and, after a failed attempt in run R, when R is back (reported end,
    else planned end) + the same handling; each run (planned start;
    reported start) begins no earlier than the ready time of every parcel
    on it.

Speed model (as lz-tours' profiles): a leg between two locations is
haversine x circuity metres d and takes d / urban speed if d <= urban
distance, else urban distance / urban speed + (d - urban distance) / road
speed; a --matrix file (lz-tours' CSV from_site,to_site,metres,seconds)
wins where it has the pair of sites (vans only).  A leg is consistent when
the time between the stops is >= its travel time - tolerance.

Options:
  --events DIR            directory of <source>.jsonl files (repeatable)
  --speed-model U,R,K,C,T vans: urban km/h, road km/h, urban distance in
                          km ("inf": one speed), circuity, tolerance in
                          seconds (default 25,25,inf,1.35,60: lz-tours at
                          c9ef1ed, one speed of 25 km/h)
  --urban-speed-kmh, --road-speed-kmh, --urban-km, --circuity,
  --tolerance-s           the same one by one, named as lz-tours' options
                          (win over --speed-model)
  --bike-speed-model U,R,K,C,T  bikes (default 15,15,inf,1.3,60: lz-bikes)
  --matrix FILE           travel matrix of the vans
  --handling-s N          goods unloaded at the hub ready after N s (0)
  --relay-handling-s N    parcels dropped at the bike relay ready after N s (0)
  --planned-only          ignore reported times (see above)
  --rules A,B             only these rules
  --timezone TZ           local times printed in TZ (Europe/Paris)
  --list-rules            print the rules' names and exit

Python 3 standard library only.
"""
import argparse
import datetime
import glob
import json
import math
import os
import sys

try:
    import zoneinfo
except ImportError:  # Python < 3.9
    zoneinfo = None

EARTH_RADIUS_M = 6371008.8

# Enums as lz-tap prints them (names), with the numbers for uint32 fields.
TASK_STATUS = ["UNSPECIFIED", "PENDING", "PLANNED", "UNPLANNED", "ON_BOARD",
               "DONE", "FAILED", "CANCELLED"]
TASK_KIND = ["UNSPECIFIED", "DELIVERY", "PICKUP", "COLLECTION",
             "RELAY_DELIVERY"]
STOP_KIND = ["UNSPECIFIED", "START", "TASK", "END"]
STOP_STATUS = ["UNSPECIFIED", "PLANNED", "ARRIVED", "COMPLETED", "FAILED"]
TOUR_STATUS = ["UNSPECIFIED", "PLANNED", "STARTED", "COMPLETED"]
ORDER_STATUS = ["UNSPECIFIED", "PLACED", "CONFIRMED", "PLANNED", "PICKED_UP",
                "AT_HUB", "OUT_FOR_DELIVERY", "AT_BIKE_RELAY", "DELIVERED",
                "REJECTED", "CANCELLED", "FAILED"]
ORDER_SOURCE = ["UNSPECIFIED", "HUB_STOCK", "PRODUCER_PICKUP"]
PARCEL_STATUS = ["UNSPECIFIED", "EXPECTED", "AT_RELAY", "PLANNED", "ON_BIKE",
                 "DELIVERED", "FAILED", "AT_RELAY_POINT", "CANCELLED",
                 "RECEIVED_AT_RELAY_POINT", "HANDED_OVER"]
RUN_STATUS = ["UNSPECIFIED", "PLANNED", "STARTED", "COMPLETED", "CANCELLED"]
RUN_STOP_KIND = ["UNSPECIFIED", "START", "VISIT", "END"]

SERVICES = ("orders", "inventory", "tours", "bikes")


class InputError(Exception):
    pass


def num(x):
    """An integer field of the proto3 JSON mapping (int64 are strings;
    absent means 0)."""
    if x is None or x == "":
        return 0
    if isinstance(x, (int, float)):
        return int(x)
    try:
        return int(x)
    except ValueError:
        return int(float(x))


def enum(x, prefix, names):
    """An enum field as its short name ("DONE" for TASK_STATUS_DONE or 5)."""
    if x is None:
        return names[0]
    if isinstance(x, int):
        return names[x] if 0 <= x < len(names) else str(x)
    x = str(x)
    if x.isdigit():
        return enum(int(x), prefix, names)
    return x[len(prefix):] if x.startswith(prefix) else x


def haversine(a, b):
    rad = math.pi / 180
    dla, dlo = (b[0] - a[0]) * rad, (b[1] - a[1]) * rad
    h = (math.sin(dla / 2) ** 2 +
         math.cos(a[0] * rad) * math.cos(b[0] * rad) * math.sin(dlo / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def loc(x):
    """(lat, lon) of a GeoPoint, None when absent (0,0 is no point)."""
    if not isinstance(x, dict):
        return None
    lat, lon = float(x.get("lat", 0) or 0), float(x.get("lon", 0) or 0)
    if lat == 0 and lon == 0:
        return None
    return (lat, lon)


class SpeedModel:
    """Travel time of a leg, as lz-tours' speed model per profile."""

    def __init__(self, urban_kmh, road_kmh, urban_m, circuity, tolerance_s,
                 matrix=None):
        if not (urban_kmh > 0 and road_kmh > 0 and urban_m >= 0 and
                circuity > 0 and tolerance_s >= 0):
            raise InputError("speed model: speeds and circuity must be > 0, "
                             "urban distance and tolerance >= 0")
        self.urban = urban_kmh / 3.6
        self.road = road_kmh / 3.6
        self.urban_m = urban_m
        self.circuity = circuity
        self.tol = tolerance_s
        self.matrix = matrix or {}

    def seconds(self, d):
        if d <= self.urban_m:
            return d / self.urban
        return self.urban_m / self.urban + (d - self.urban_m) / self.road

    def leg(self, a, b, site_a=None, site_b=None):
        """(metres, seconds) from location A (site SITE_A) to B."""
        if site_a == site_b and site_a:
            return 0.0, 0.0
        m = self.matrix.get((site_a, site_b))
        if m is not None:
            return m
        d = haversine(a, b) * self.circuity
        return d, self.seconds(d)



def parse_model(text, what):
    """[urban km/h, road km/h, urban distance m, circuity, tolerance s]
    from "U,R,KM,C,T"."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 5:
        raise InputError("%s: want URBAN_KMH,ROAD_KMH,URBAN_KM,CIRCUITY,"
                         "TOLERANCE_S, got %r" % (what, text))
    try:
        u, r = float(parts[0]), float(parts[1])
        d = math.inf if parts[2] in ("", "inf") else float(parts[2]) * 1000
        c, t = float(parts[3]), float(parts[4])
    except ValueError:
        raise InputError("%s: not numbers: %r" % (what, text))
    return [u, r, d, c, t]


def load_matrix(path):
    m = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            p = s.split(",")
            try:
                if len(p) != 4:
                    raise ValueError
                m[(p[0].strip(), p[1].strip())] = (float(p[2]), float(p[3]))
            except ValueError:
                raise InputError("%s:%d: want from,to,metres,seconds"
                                 % (path, n))
    return m


class Ev:
    """One event: its order KEY (envelope timestamp, source, seq), service
    (the payload's package), short type name and payload."""
    __slots__ = ("key", "src", "seq", "ts", "svc", "name", "p")

    def __init__(self, e):
        self.src = e.get("source", "")
        self.seq = num(e.get("seq"))
        self.ts = num(e.get("timestampUs"))
        t = e.get("type", "")
        parts = t.split(".")
        self.svc = parts[1] if len(parts) >= 4 and parts[0] == "lz" else ""
        self.name = parts[-1]
        self.p = e.get("payload") or {}
        self.key = (self.ts, self.src, self.seq)


def load_events(paths):
    """Every event of the files, once each (by event id, else source and
    sequence)."""
    seen, evs, n = set(), [], 0
    for path in paths:
        try:
            f = open(path, encoding="utf-8")
        except OSError as x:
            raise InputError("%s: %s" % (path, x.strerror))
        with f:
            for i, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    e = json.loads(line)
                except ValueError as x:
                    raise InputError("%s:%d: not JSON: %s" % (path, i, x))
                if not isinstance(e, dict) or "type" not in e:
                    raise InputError("%s:%d: not an lz-tap event" % (path, i))
                ident = e.get("eventId") or (e.get("source"), e.get("seq"))
                if ident in seen:
                    continue
                seen.add(ident)
                n += 1
                evs.append(Ev(e))
    return n, evs


class Report:
    """A reported fact: its event's KEY and its time AT."""
    __slots__ = ("key", "at", "how")

    def __init__(self, key, at, how=""):
        self.key, self.at, self.how = key, at, how


# ---- stops and tours ----

def stop_index(s):
    return num(s.get("index"))


def stop_times(s):
    """(arrival, start, departure) of a planned stop; a missing start or
    departure (0, omitted) is the time before it."""
    a = num(s.get("arrival"))
    st = num(s.get("start")) or a
    d = num(s.get("departure")) or st
    return a, st, d


def tour_start(t):
    stops = t.get("stops") or []
    return num(t.get("start")) or (stop_times(stops[0])[2] if stops else 0)


def tour_end(t):
    stops = t.get("stops") or []
    return num(t.get("end")) or (stop_times(stops[-1])[0] if stops else 0)


def stop_window(s, tasks=()):
    """(start, end) of a stop's window, from the stop, else the
    intersection of its tasks' windows; None when unknown."""
    w = s.get("window") or {}
    a, b = num(w.get("start")), num(w.get("end"))
    if a or b:
        return (a, b or 2 ** 62)
    ws = [(num((t.get("window") or {}).get("start")),
           num((t.get("window") or {}).get("end")) or 2 ** 62)
          for t in tasks if t and t.get("window")]
    if not ws:
        return None
    return (max(w[0] for w in ws), min(w[1] for w in ws))


def plan_at(revs, key):
    """The last revision of a plan published before KEY, else its first."""
    best = None
    for k, t in revs:
        if k < key:
            best = t
    return best if best is not None else revs[0][1]


class History:
    """The events of every service, indexed for the rules."""

    def __init__(self, evs, opt):
        self.opt = opt
        self.ev = {s: [] for s in SERVICES}
        for e in evs:
            if e.svc in self.ev and e.src == e.svc:
                self.ev[e.svc].append(e)
        for s in SERVICES:
            self.ev[s].sort(key=lambda e: e.seq)
        self.sites = {}
        self.orders = {}
        self.order_events = {}
        self.tour_revs = {}
        self.tasks = {}
        self.stop_rep = {}
        self.tour_rep = {}
        self.unloaded = {}
        self.vehicles = {}
        self.lots_received = {}
        self.order_lots = {}
        self.picks = {}
        self.run_revs = {}
        self.run_rep = {}
        self.parcels = {}
        self.pickup_site = {}
        self._orders()
        self._tours()
        self._inventory()
        self._bikes()

    def has(self, svc):
        return bool(self.ev[svc])

    def _orders(self):
        for e in self.ev["orders"]:
            p = e.p
            if e.name == "SiteRegistered" and p.get("site"):
                self.sites[p["site"].get("siteId", "")] = p["site"]
            elif e.name in ("OrderPlaced", "OrderAmended") and p.get("order"):
                self.orders[p["order"].get("orderId", "")] = p["order"]
            elif e.name == "OrderStatusChanged":
                self.order_events.setdefault(p.get("orderId", ""),
                                             []).append((e, p))

    def _tours(self):
        for e in self.ev["tours"]:
            p = e.p
            if e.name == "TourPlanned" and p.get("tour"):
                t = p["tour"]
                self.tour_revs.setdefault(t.get("tourId", ""), []).append(
                    (e.key, t))
            elif e.name == "TaskStatusChanged" and p.get("task"):
                self.tasks.setdefault(p["task"].get("taskId", ""),
                                      []).append((e, p))
            elif e.name == "StopStatusChanged":
                k = (p.get("tourId", ""), num(p.get("stopIndex")))
                self.stop_rep.setdefault(k, []).append(
                    (e, enum(p.get("to"), "STOP_STATUS_", STOP_STATUS),
                     num(p.get("at")) or e.ts // 1000000))
            elif e.name == "TourStatusChanged":
                to = enum(p.get("to"), "TOUR_STATUS_", TOUR_STATUS)
                r = self.tour_rep.setdefault(p.get("tourId", ""), {})
                if to not in r:
                    r[to] = Report(e.key, num(p.get("at")) or e.ts // 1000000,
                                   "reported")
                    r["odometer_" + to] = p.get("odometerKm")
                    if p.get("pickingOverridden"):
                        r["unpicked"] = set(p.get("unpickedOrderIds") or [])
            elif e.name == "GoodsUnloaded":
                oid = p.get("orderId", "")
                if oid not in self.unloaded:
                    self.unloaded[oid] = Report(
                        e.key, num(p.get("at")) or e.ts // 1000000,
                        "unloaded")
            elif e.name == "VehicleRegistered" and p.get("vehicle"):
                self.vehicles[p["vehicle"].get("vehicleId", "")] = p["vehicle"]

    def _inventory(self):
        for e in self.ev["inventory"]:
            p = e.p
            if e.name == "LotReceived" and p.get("lot"):
                lid = p["lot"].get("lotId", "")
                self.lots_received.setdefault(lid, (e, p["lot"]))
            elif e.name in ("ReservationMade", "OrderPicked"):
                oid = p.get("orderId", "")
                for a in p.get("allocations") or []:
                    self.order_lots.setdefault(oid, set()).add(
                        a.get("lotId", ""))
                if e.name == "OrderPicked":
                    self.picks.setdefault(oid, []).append(e)

    def _bikes(self):
        for e in self.ev["bikes"]:
            p = e.p
            if e.name == "RunPlanned" and p.get("run"):
                r = p["run"]
                self.run_revs.setdefault(r.get("runId", ""), []).append(
                    (e.key, r))
            elif e.name == "RunStatusChanged":
                to = enum(p.get("to"), "RUN_STATUS_", RUN_STATUS)
                rep = self.run_rep.setdefault(p.get("runId", ""), {})
                if to == "STARTED":
                    at = num(p.get("start")) or num(p.get("at"))
                elif to == "COMPLETED":
                    at = num(p.get("end")) or num(p.get("at"))
                else:
                    at = num(p.get("at"))
                rep.setdefault(to, Report(e.key, at or e.ts // 1000000))
                rep.setdefault("_ids", (p.get("riderId", ""),
                                        p.get("bikeId", "")))
            elif e.name == "ParcelStatusChanged" and p.get("parcel"):
                self.parcels.setdefault(p["parcel"].get("parcelId", ""),
                                        []).append((e, p))
            elif e.name == "PickupStatusChanged":
                if p.get("siteId"):
                    self.pickup_site[p.get("requestId", "")] = p["siteId"]

    # -- look-ups --

    def site_loc(self, site_id):
        s = self.sites.get(site_id)
        return loc(s.get("location")) if s else None

    def stop_loc(self, s):
        return loc(s.get("location")) or self.site_loc(s.get("siteId", ""))

    def task_at(self, task_id, key):
        """The task as tours last described it before KEY (else first)."""
        hist = self.tasks.get(task_id)
        if not hist:
            return None
        best = None
        for e, p in hist:
            if e.key < key:
                best = p["task"]
        return best if best is not None else hist[0][1]["task"]

    def task_kind(self, task_id, task, stop=None, j=0):
        if task and task.get("kind"):
            return enum(task.get("kind"), "TASK_KIND_", TASK_KIND)
        if stop is not None:
            kinds = stop.get("taskKinds") or []
            if j < len(kinds):
                return enum(kinds[j], "TASK_KIND_", TASK_KIND)
        pre = task_id.split(":", 1)[0]
        return {"del": "DELIVERY", "pick": "PICKUP",
                "col": "COLLECTION"}.get(pre, "UNSPECIFIED")

    def is_producer_pickup(self, oid):
        o = self.orders.get(oid)
        if o is not None:
            return enum(o.get("source"), "ORDER_SOURCE_",
                        ORDER_SOURCE) == "PRODUCER_PICKUP"
        return ("pick:" + oid) in self.tasks

    def collecting_tour(self, task_id, key):
        """(tour id, stop index) of the tour that collected pickup TASK_ID
        (its stop completed), else of its last placement before KEY, else
        of its last placement."""
        for e, p in self.tasks.get(task_id, []):
            if enum(p.get("to"), "TASK_STATUS_", TASK_STATUS) == "DONE" and \
                    p.get("tourId"):
                return (p["tourId"], num(p.get("stopIndex")))
        return self.task_tour(task_id, key) or self.task_tour(task_id)

    def task_tour(self, task_id, key=None):
        """(tour id, stop index) of the task's last placement in a tour
        (planned, on board or done) before KEY (any time if None)."""
        best = None
        for e, p in self.tasks.get(task_id, []):
            if key is not None and not e.key < key:
                continue
            to = enum(p.get("to"), "TASK_STATUS_", TASK_STATUS)
            if to in ("PLANNED", "ON_BOARD", "DONE") and p.get("tourId"):
                best = (p["tourId"], num(p.get("stopIndex")))
        return best

    def stop_done(self, tour_id, idx):
        """Report of a stop completed (or failed): the first one."""
        for e, to, at in self.stop_rep.get((tour_id, idx), []):
            if to in ("COMPLETED", "FAILED"):
                return Report(e.key, at, to.lower())
        return None

    def hub_return(self, oid, tour_id):
        """When order OID's goods were reported back at the hub by tour
        TOUR_ID: GoodsUnloaded, else the tour's completion."""
        r = self.unloaded.get(oid)
        if r is not None:
            return r
        return self.tour_rep.get(tour_id, {}).get("COMPLETED")

    def run_cancelled(self, run_id):
        return "CANCELLED" in self.run_rep.get(run_id, {})

    def parcel_at(self, pid, key):
        hist = self.parcels.get(pid)
        if not hist:
            return None
        best = None
        for e, p in hist:
            if e.key < key:
                best = p["parcel"]
        return best if best is not None else hist[0][1]["parcel"]


class Out:
    """Violations and notices, by rule."""

    def __init__(self, tz):
        self.rule = ""
        self.violations = []
        self.notices = []   # [line, times]
        self.kinds = {}
        self.tz = tz

    def bad(self, text):
        self.violations.append("%s: %s" % (self.rule, text))

    def note(self, text, kind=None):
        """A notice; those of one KIND (per rule) are printed once, the
        first with the number of times."""
        line = "notice: %s: %s" % (self.rule, text)
        k = (self.rule, kind if kind is not None else line)
        if k in self.kinds:
            self.kinds[k][1] += 1
        else:
            self.kinds[k] = [line, 1]
            self.notices.append(self.kinds[k])

    def notice_lines(self):
        return [l if n == 1 else "%s (%d times)" % (l, n)
                for l, n in self.notices]

    def t(self, t):
        """A time as local date and time."""
        if not t:
            return "(no time)"
        d = datetime.datetime.fromtimestamp(t, self.tz)
        return d.strftime("%Y-%m-%d %H:%M:%S")


RULES = []


def rule(f):
    RULES.append(f)
    return f


# ---- nothing delivered before it was collected and ready ----

@rule
def ready_before_delivery(h, o, out):
    """Deliveries only after their goods are collected and at the hub (see
    the module's documentation)."""
    if not h.tour_revs:
        out.note("no TourPlanned in the tours history: nothing checked")
        return
    no_lots = []
    for tid, revs in sorted(h.tour_revs.items()):
        key_t, tour = revs[-1]
        t0 = tour_start(tour)
        started = None if o.planned_only else \
            h.tour_rep.get(tid, {}).get("STARTED")
        occ = {}
        for s in tour.get("stops") or []:
            if enum(s.get("kind"), "STOP_KIND_", STOP_KIND) != "TASK":
                continue
            for j, task_id in enumerate(s.get("taskIds") or []):
                occ.setdefault(task_id, []).append((s, j))
        for task_id, stops in occ.items():
            task = h.task_at(task_id, key_t)
            s, j = stops[0]
            kind = h.task_kind(task_id, task, s, j)
            where = "stop %d at %s (planned %s)" % (
                stop_index(s), s.get("siteId", ""), out.t(stop_times(s)[0]))
            if kind == "COLLECTION":
                collection_order(h, o, out, tid, task_id, task, stops)
                continue
            if kind not in ("DELIVERY", "RELAY_DELIVERY"):
                continue
            oid = (task or {}).get("orderId") or task_id.split(":", 1)[-1]
            if h.is_producer_pickup(oid):
                producer_ready(h, o, out, tid, key_t, t0, started, task_id,
                               oid, s, where)
            elif not o.planned_only:
                lots = h.order_lots.get(oid)
                if not lots:
                    if h.has("inventory"):
                        no_lots.append(task_id)
                    continue
                got = [h.lots_received[l] for l in lots
                       if l in h.lots_received]
                if not got:
                    continue
                recv = max(num(lot.get("receivedAt")) or e.ts // 1000000
                           for e, lot in got)
                if t0 < recv:
                    out.bad("tour %s planned to leave the hub at %s with %s "
                            "(%s), before its goods were received (%s)"
                            % (tid, out.t(t0), task_id, where, out.t(recv)))
                if started and started.at < recv:
                    out.bad("tour %s left the hub at %s with %s, before its "
                            "goods were received (%s)"
                            % (tid, out.t(started.at), task_id,
                               out.t(recv)))
            redelivery_ready(h, o, out, tid, key_t, t0, started, task_id,
                             where)
    if no_lots:
        out.note("%d hub-stock deliveries have no reservation nor pick in "
                 "inventory's history (their goods' reception is unknown; "
                 "not checked), e.g. %s" % (len(no_lots), no_lots[0]))
    if not h.has("inventory") and not o.planned_only:
        out.note("no inventory history: hub-stock receptions not checked")


def producer_ready(h, o, out, tid, key_t, t0, started, task_id, oid, s,
                   where):
    H = o.handling_s
    pick = "pick:" + oid
    ct = h.collecting_tour(pick, key_t)
    if ct is None:
        out.bad("tour %s plans %s (%s) but %s is in no tour: its goods "
                "are never collected" % (tid, task_id, where, pick))
        return
    ctid, pidx = ct
    if ctid == tid:
        # a shipment: picked up earlier in the same tour
        pstop = None
        for x in h.tour_revs[tid][-1][1].get("stops") or []:
            if stop_index(x) == pidx:
                pstop = x
        if pstop is not None and (stop_index(s) <= pidx or
                                  stop_times(s)[0] < stop_times(pstop)[2]):
            out.bad("tour %s delivers %s at %s before picking it up at stop "
                    "%d (%s, leaves %s)"
                    % (tid, task_id, where, pidx, pstop.get("siteId", ""),
                       out.t(stop_times(pstop)[2])))
        if not o.planned_only:
            dr, pr = h.stop_done(tid, stop_index(s)), h.stop_done(tid, pidx)
            if dr and (pr is None or dr.at < pr.at):
                out.bad("tour %s: %s delivered at %s before its pickup "
                        "(stop %d) was completed%s"
                        % (tid, task_id, out.t(dr.at), pidx,
                           " at " + out.t(pr.at) if pr else ""))
        return
    rep = None if o.planned_only else h.hub_return(oid, ctid)
    if rep is not None and rep.key < key_t:
        ready = rep.at + H
        why = "%s reported back at the hub at %s by tour %s" % (
            pick, out.t(rep.at), ctid)
    elif ctid in h.tour_revs:
        ce = tour_end(plan_at(h.tour_revs[ctid], key_t))
        ready = ce + H
        why = "%s's tour %s planned back at the hub at %s" % (
            pick, ctid, out.t(ce))
    else:
        out.note("%s is in tour %s, which has no TourPlanned: its ready "
                 "time is unknown" % (pick, ctid), "noplan")
        return
    if t0 < ready:
        out.bad("tour %s planned to leave the hub at %s with %s (%s), "
                "before its goods are ready at %s: %s + handling %d s"
                % (tid, out.t(t0), task_id, where, out.t(ready), why, H))
    if started is not None:
        if rep is None:
            out.bad("tour %s left the hub at %s with %s, but its goods "
                    "never reached the hub (%s: tour %s not reported back)"
                    % (tid, out.t(started.at), task_id, pick, ctid))
        elif started.at < rep.at + H:
            out.bad("tour %s left the hub at %s with %s, before its goods "
                    "were ready at %s: %s reported back at the hub at %s by "
                    "tour %s + handling %d s"
                    % (tid, out.t(started.at), task_id, out.t(rep.at + H),
                       pick, out.t(rep.at), ctid, H))


def redelivery_ready(h, o, out, tid, key_t, t0, started, task_id, where):
    """A delivery tried again after a failure in another tour: the goods
    are back at the hub when that tour is."""
    H = o.handling_s
    last = None
    for e, p in h.tasks.get(task_id, []):
        if e.key < key_t and p.get("tourId") and p["tourId"] != tid and \
                enum(p.get("to"), "TASK_STATUS_", TASK_STATUS) == "FAILED":
            last = p["tourId"]
    if last is None:
        return
    rep = None if o.planned_only else \
        h.tour_rep.get(last, {}).get("COMPLETED")
    if rep is not None and rep.key < key_t:
        ready, why = rep.at + H, "tour %s reported back at %s" % (
            last, out.t(rep.at))
    elif last in h.tour_revs:
        ce = tour_end(plan_at(h.tour_revs[last], key_t))
        ready, why = ce + H, "tour %s planned back at %s" % (last, out.t(ce))
    else:
        return
    if t0 < ready:
        out.bad("tour %s planned to leave the hub at %s with %s (%s), "
                "before the goods of its failed attempt are back: %s + "
                "handling %d s" % (tid, out.t(t0), task_id, where, why, H))
    if started is not None and rep is not None and started.at < rep.at + H:
        out.bad("tour %s left the hub at %s with %s, before the goods of its "
                "failed attempt were back: tour %s reported back at %s + "
                "handling %d s" % (tid, out.t(started.at), task_id, last,
                                   out.t(rep.at), H))


def collection_order(h, o, out, tid, task_id, task, stops):
    """A collection to an outlet: dropped after it is collected."""
    if not task or len(stops) < 2:
        return
    site, dest = task.get("siteId", ""), task.get("destinationSiteId", "")
    col = [s for s, _ in stops if s.get("siteId") == site]
    drop = [s for s, _ in stops if s.get("siteId") == dest and dest != site]
    if not col or not drop:
        return
    c, d = col[0], drop[-1]
    if stop_index(d) < stop_index(c) or \
            stop_times(d)[0] < stop_times(c)[2]:
        out.bad("tour %s drops %s at stop %d (%s, %s) before collecting it "
                "at stop %d (%s, %s)"
                % (tid, task_id, stop_index(d), dest,
                   out.t(stop_times(d)[0]), stop_index(c), site,
                   out.t(stop_times(c)[2])))
    if not o.planned_only:
        dr, cr = h.stop_done(tid, stop_index(d)), h.stop_done(tid,
                                                              stop_index(c))
        if dr and dr.how == "completed" and (cr is None or dr.at < cr.at):
            out.bad("tour %s: %s dropped at %s (stop %d) before it was "
                    "collected (stop %d%s)"
                    % (tid, task_id, out.t(dr.at), stop_index(d),
                       stop_index(c), ", " + out.t(cr.at) if cr else ""))


# ---- goods leave the stock before they are delivered ----

@rule
def delivered_was_picked(h, o, out):
    """Every delivered order was picked (OrderPicked) before."""
    if not h.has("inventory"):
        out.note("no inventory history: nothing checked")
        return
    first = {}

    def seen(oid, e, at, how):
        if oid and (oid not in first or e.key < first[oid][0].key):
            first[oid] = (e, at, how)

    for task_id, hist in h.tasks.items():
        for e, p in hist:
            t = p["task"]
            if enum(p.get("to"), "TASK_STATUS_", TASK_STATUS) == "DONE" and \
                    h.task_kind(task_id, t) == "DELIVERY":
                seen(t.get("orderId", ""), e, num(p.get("at")),
                     "tour %s stop %d" % (p.get("tourId", ""),
                                          num(p.get("stopIndex"))))
    for hist in h.parcels.values():
        for e, p in hist:
            to = enum(p.get("to"), "PARCEL_STATUS_", PARCEL_STATUS)
            if to in ("DELIVERED", "AT_RELAY_POINT"):
                seen(p["parcel"].get("orderId", ""), e, num(p.get("at")),
                     "bike run %s" % p["parcel"].get("runId", ""))
    for oid, hist in h.order_events.items():
        for e, p in hist:
            if enum(p.get("to"), "ORDER_STATUS_", ORDER_STATUS) == "DELIVERED":
                seen(oid, e, num(p.get("at")), "orders")
    overridden = {}
    for tid, rep in h.tour_rep.items():
        for oid in rep.get("unpicked", ()):
            overridden[oid] = tid
    for oid in sorted(first):
        e, at, how = first[oid]
        picks = h.picks.get(oid)
        if not picks:
            why = ""
            if oid in overridden:
                why = " (tour %s started unpicked by an operator's " \
                    "override)" % overridden[oid]
            out.bad("%s delivered at %s (%s) but its goods never left the "
                    "stock: no OrderPicked%s"
                    % (oid, out.t(at or e.ts // 1000000), how, why))
        elif not picks[0].key < e.key:
            out.bad("%s delivered at %s (%s) before its goods were picked "
                    "(OrderPicked at %s)"
                    % (oid, out.t(at or e.ts // 1000000), how,
                       out.t(picks[0].ts // 1000000)))


# ---- the lots: picking and conservation ----

def lot_walk(h):
    """Inventory's history lot by lot, in its order: a list of
    (kind, event, lot id, units before, amount, detail) where kind is
    received, pick, expired, adjust or state (a lot's quantity carried by
    an event: AMOUNT).  Memoised."""
    if getattr(h, "_walk", None) is not None:
        return h._walk
    qty, expired, recs = {}, set(), []

    def state(e, lot):
        lid = lot.get("lotId", "")
        recs.append(("state", e, lid, qty.get(lid), num(lot.get("quantity")),
                     lot))
        qty[lid] = num(lot.get("quantity"))

    for e in h.ev["inventory"]:
        p = e.p
        if e.name == "LotReceived" and p.get("lot"):
            lid = p["lot"].get("lotId", "")
            if lid in qty:
                state(e, p["lot"])
            else:
                qty[lid] = num(p["lot"].get("quantity"))
                recs.append(("received", e, lid, None, qty[lid], p["lot"]))
        elif e.name == "OrderPicked":
            per = {}
            for a in p.get("allocations") or []:
                lid = a.get("lotId", "")
                per[lid] = per.get(lid, 0) + num(a.get("quantity"))
            for lid, q in per.items():
                recs.append(("pick", e, lid, qty.get(lid), q,
                             p.get("orderId", "")))
                if lid in qty:
                    qty[lid] -= q
        elif e.name == "ReservationReleased":
            for a in p.get("allocations") or []:
                lid = a.get("lotId", "")
                if lid in expired and lid in qty:
                    q = num(a.get("quantity"))
                    recs.append(("expired", e, lid, qty[lid], q, None))
                    qty[lid] -= q
        elif e.name == "LotAdjusted":
            lid = p.get("lotId", "")
            b, a = num(p.get("before")), num(p.get("after"))
            recs.append(("adjust", e, lid, qty.get(lid), a - b,
                         (b, a, num(p.get("difference")))))
            qty[lid] = a
        elif e.name == "LotExpired" and p.get("lot"):
            lid = p["lot"].get("lotId", "")
            if lid in qty:
                q = num(p.get("removed"))
                recs.append(("expired", e, lid, qty[lid], q, None))
                qty[lid] -= q
            expired.add(lid)
            state(e, p["lot"])
        else:
            lots = []
            if isinstance(p.get("lot"), dict):
                lots.append(p["lot"])
            if isinstance(p.get("lots"), list):
                lots.extend(x for x in p["lots"] if isinstance(x, dict))
            for lot in lots:
                if lot.get("lotId") and "receivedAt" in lot:
                    state(e, lot)
    h._walk = recs
    return recs


def inv_where(out, e):
    return "inventory seq %d, %s" % (e.seq, out.t(e.ts // 1000000))


@rule
def picked_in_stock(h, o, out):
    """OrderPicked never takes more units of a lot than it holds."""
    if not h.has("inventory"):
        out.note("no inventory history: nothing checked")
        return
    for kind, e, lid, before, q, oid in lot_walk(h):
        if kind != "pick":
            continue
        if before is None:
            out.bad("%s picked %d units of lot %s, which was never received "
                    "(%s)" % (oid, q, lid, inv_where(out, e)))
        elif q > before:
            out.bad("%s picked %d units of lot %s, which held %d (%s)"
                    % (oid, q, lid, before, inv_where(out, e)))


@rule
def stock_conserved(h, o, out):
    """received - picked - expired +/- adjusted = every carried state."""
    if not h.has("inventory"):
        out.note("no inventory history: nothing checked")
        return
    flows = {}
    last_move, last_state = {}, {}
    ledgers = 0
    for i, (kind, e, lid, before, q, x) in enumerate(lot_walk(h)):
        f = flows.setdefault(lid, {"received": 0, "picked": 0, "expired": 0,
                                   "adjusted": 0, "resync": 0})
        computed = (f["received"] - f["picked"] - f["expired"] +
                    f["adjusted"] + f["resync"])
        if kind in ("state", "adjust"):
            carried = x[0] if kind == "adjust" else q
            what = ("LotAdjusted before" if kind == "adjust"
                    else e.name + " quantity")
            if before is None:
                out.bad("lot %s: %s %d, but the lot was never received (%s)"
                        % (lid, what, carried, inv_where(out, e)))
            elif carried != computed:
                out.bad("lot %s: %s is %d, but received %d - picked %d - "
                        "expired %d %+d adjusted = %d (%s)"
                        % (lid, what, carried, f["received"], f["picked"],
                           f["expired"], f["adjusted"], computed,
                           inv_where(out, e)))
            last_state[lid] = i
            if kind == "state":
                # go on from the state carried: one error, one line
                f["resync"] += carried - computed
                ledgers += own_ledger(out, e, lid, x, f)
                continue
            b, a, d = x
            if a - b != d:
                out.bad("lot %s: LotAdjusted after %d - before %d is not its "
                        "difference %d (%s)" % (lid, a, b, d,
                                                inv_where(out, e)))
            # the count found A units where the flows left COMPUTED
            f["adjusted"] += a - computed
        elif kind == "received":
            f["received"] += q
            last_state[lid] = i
            ledgers += own_ledger(out, e, lid, x, f)
        elif kind == "pick":
            f["picked"] += q
        elif kind == "expired":
            f["expired"] += q
        last_move[lid] = i
    if flows and not ledgers:
        out.note("no lot state carries the lot's own ledger (Lot."
                 "received_units, picked_units, adjusted_units, "
                 "expired_units): not compared")
    stale = sorted(l for l in last_move
                   if last_move[l] > last_state.get(l, -1))
    if stale:
        out.note("%d of %d lots moved after the last event carrying their "
                 "quantity (OrderPicked and ReservationReleased carry no lot "
                 "state): checked up to that event only, e.g. %s"
                 % (len(stale), len(flows), stale[0]))
    tot = {k: sum(f[k] for f in flows.values())
           for k in ("received", "picked", "expired", "adjusted", "resync")}
    out.note("at the end: %d units in stock in %d lots (received %d, picked "
             "%d, expired %d, adjusted %+d)"
             % (tot["received"] - tot["picked"] - tot["expired"] +
                tot["adjusted"] + tot["resync"], len(flows), tot["received"],
                tot["picked"], tot["expired"], tot["adjusted"]))


LEDGER = ("receivedUnits", "pickedUnits", "adjustedUnits", "expiredUnits")


def own_ledger(out, e, lid, lot, f):
    """Compares the ledger a carried LOT keeps (received_units - picked -
    adjusted - expired = quantity) with the flows F counted; 1 if the lot
    has one, 0 if not (a lot stored before these fields)."""
    if not isinstance(lot, dict) or not any(k in lot for k in LEDGER):
        return 0
    own = {k: num(lot.get(k)) for k in LEDGER}
    mine = {"receivedUnits": f["received"], "pickedUnits": f["picked"],
            "adjustedUnits": -f["adjusted"], "expiredUnits": f["expired"]}
    diff = ["%s %d (counted %d)" % (k[:-5], own[k], mine[k])
            for k in LEDGER if own[k] != mine[k]]
    q = num(lot.get("quantity"))
    if own["receivedUnits"] - own["pickedUnits"] - own["adjustedUnits"] - \
            own["expiredUnits"] != q:
        diff.append("received - picked - adjusted - expired = %d, not its "
                    "quantity %d" % (own["receivedUnits"] - own["pickedUnits"]
                                     - own["adjustedUnits"] -
                                     own["expiredUnits"], q))
    if diff:
        out.bad("lot %s: %s's own ledger: %s (%s)"
                % (lid, e.name, ", ".join(diff), inv_where(out, e)))
    return 1


# ---- each vehicle, rider and bike at one place at a time ----

def check_legs(h, out, model, what, points):
    """POINTS: (time, location, site, label) in the order they happen;
    each is reached no sooner than the model allows from the one before."""
    for a, b in zip(points, points[1:]):
        ta, la, sa, na = a
        tb, lb, sb, nb = b
        if tb < ta:
            if na != nb:  # within a stop: said as arrival/departure
                out.bad("%s: %s at %s comes after %s at %s"
                        % (what, nb, out.t(tb), na, out.t(ta)))
            continue
        if la is None or lb is None:
            if sa != sb:
                out.note("stops without a location (neither in the plan nor "
                         "in orders' SiteRegistered): their legs are not "
                         "checked, e.g. %s: %s" % (what, na if la is None
                                                   else nb), "noloc")
            continue
        d, need = model.leg(la, lb, sa, sb)
        if tb - ta < need - model.tol:
            out.bad("%s: %d s from %s (%s) to %s (%s) for %.1f km; the speed "
                    "model needs %d s"
                    % (what, tb - ta, na, out.t(ta), nb, out.t(tb), d / 1000,
                       math.ceil(need)))


def check_overlaps(out, what, items):
    """ITEMS: (start, end, id) of one vehicle, rider or bike: each one
    starts after every earlier one ended."""
    last = None   # the item that ends last so far
    for b in sorted(items):
        if last is not None and b[0] < last[1]:
            out.bad("%s: %s (%s to %s) overlaps %s (%s to %s)"
                    % (what, b[2], out.t(b[0]), out.t(b[1]), last[2],
                       out.t(last[0]), out.t(last[1])))
        if last is None or b[1] > last[1]:
            last = b


@rule
def one_place_at_a_time(h, o, out):
    """Tours and runs do not overlap; legs follow the speed model."""
    vm, bm = o.van_model, o.bike_model
    by_vehicle, rep_vehicle = {}, {}
    off_date = []
    for tid, revs in sorted(h.tour_revs.items()):
        tour = revs[-1][1]
        stops = sorted(tour.get("stops") or [], key=stop_index)
        veh = tour.get("vehicleId", "")
        what = "tour %s (%s, planned)" % (tid, veh)
        pts = []
        for s in stops:
            a, st, d = stop_times(s)
            if not a <= st <= d:
                out.bad("%s: stop %d arrives %s, starts %s, leaves %s"
                        % (what, stop_index(s), out.t(a), out.t(st),
                           out.t(d)))
            lab = "stop %d (%s)" % (stop_index(s), s.get("siteId", ""))
            pts.append((a, h.stop_loc(s), s.get("siteId", ""), lab))
            pts.append((d, h.stop_loc(s), s.get("siteId", ""), lab))
        check_legs(h, out, vm, what, pts)
        by_vehicle.setdefault(veh, []).append(
            (tour_start(tour), tour_end(tour), "tour " + tid))
        if o.planned_only:
            continue
        rep = h.tour_rep.get(tid, {})
        rpts = []
        if stops and "STARTED" in rep:
            rpts.append((rep["STARTED"].key, rep["STARTED"].at,
                         h.stop_loc(stops[0]), stops[0].get("siteId", ""),
                         "start"))
        for s in stops:
            for e, to, at in h.stop_rep.get((tid, stop_index(s)), []):
                rpts.append((e.key, at, h.stop_loc(s), s.get("siteId", ""),
                             "stop %d (%s) %s" % (stop_index(s),
                                                  s.get("siteId", ""),
                                                  to.lower())))
        if stops and "COMPLETED" in rep:
            rpts.append((rep["COMPLETED"].key, rep["COMPLETED"].at,
                         h.stop_loc(stops[-1]), stops[-1].get("siteId", ""),
                         "back at the hub"))
        rpts.sort(key=lambda x: x[0])
        check_legs(h, out, vm, "tour %s (%s, reported)" % (tid, veh),
                   [x[1:] for x in rpts])
        if "STARTED" in rep:
            end = rep["COMPLETED"].at if "COMPLETED" in rep else \
                max([x[1] for x in rpts] or [rep["STARTED"].at])
            rep_vehicle.setdefault(veh, []).append(
                (rep["STARTED"].at, end, "tour " + tid))
        date = tour.get("date", "")
        if rpts and date:
            days = {out.t(x[1])[:10] for x in rpts}
            if days != {date}:
                off_date.append(tid)
    for veh, items in sorted(by_vehicle.items()):
        check_overlaps(out, "vehicle %s (planned)" % veh, items)
    for veh, items in sorted(rep_vehicle.items()):
        check_overlaps(out, "vehicle %s (reported)" % veh, items)
    if off_date:
        out.note("%d of %d tours are reported on another day than their "
                 "date (e.g. %s): reported times are not the day's clock "
                 "(--planned-only ignores them)"
                 % (len(off_date), len(h.tour_revs), off_date[0]))
    # bike runs
    by_rider, by_bike, rep_rider, rep_bike = {}, {}, {}, {}
    for rid, revs in sorted(h.run_revs.items()):
        if h.run_cancelled(rid):
            continue
        run = revs[-1][1]
        stops = sorted(run.get("stops") or [], key=stop_index)
        rider, bike = run.get("riderId", ""), run.get("bikeId", "")
        what = "run %s (%s on %s, planned)" % (rid, rider, bike)
        pts = []
        for s in stops:
            a = num(s.get("arrival"))
            d = num(s.get("departure")) or a
            if stop_index(s) == 0 and not num(s.get("departure")):
                d = max(a, num(run.get("start")))
            if d < a:
                out.bad("%s: stop %d arrives %s, leaves %s"
                        % (what, stop_index(s), out.t(a), out.t(d)))
            lab = "stop %d (%s)" % (stop_index(s), s.get("siteId", ""))
            pts.append((a, h.stop_loc(s), s.get("siteId", ""), lab))
            pts.append((d, h.stop_loc(s), s.get("siteId", ""), lab))
        check_legs(h, out, bm, what, pts)
        span = (num(run.get("start")) or (pts[0][0] if pts else 0),
                num(run.get("end")) or (pts[-1][0] if pts else 0),
                "run " + rid)
        by_rider.setdefault(rider, []).append(span)
        by_bike.setdefault(bike, []).append(span)
        if o.planned_only:
            continue
        rep = h.run_rep.get(rid, {})
        if "STARTED" not in rep:
            continue
        relay = (h.stop_loc(stops[0]), stops[0].get("siteId", "")) \
            if stops else (None, "")
        rpts = [(rep["STARTED"].key, rep["STARTED"].at, relay[0], relay[1],
                 "start at the relay")]
        for pid, hist in h.parcels.items():
            for e, p in hist:
                to = enum(p.get("to"), "PARCEL_STATUS_", PARCEL_STATUS)
                pc = p["parcel"]
                if pc.get("runId") != rid or to not in (
                        "DELIVERED", "FAILED", "AT_RELAY_POINT"):
                    continue
                if to == "AT_RELAY_POINT":
                    site = p.get("relayPointId") or pc.get("relayPointId", "")
                    where = h.site_loc(site)
                else:
                    site = pc.get("siteId", "")
                    where = loc(pc.get("location")) or h.site_loc(site)
                rpts.append((e.key, num(p.get("at")) or e.ts // 1000000,
                             where, site, "%s %s at %s" % (pid, to.lower(),
                                                           site)))
        if "COMPLETED" in rep:
            rpts.append((rep["COMPLETED"].key, rep["COMPLETED"].at, relay[0],
                         relay[1], "back at the relay"))
        rpts.sort(key=lambda x: x[0])
        check_legs(h, out, bm, "run %s (%s on %s, reported)"
                   % (rid, rider, bike), [x[1:] for x in rpts])
        end = rep["COMPLETED"].at if "COMPLETED" in rep else rpts[-1][1]
        rider, bike = rep.get("_ids", (rider, bike))
        rep_rider.setdefault(rider, []).append(
            (rep["STARTED"].at, end, "run " + rid))
        rep_bike.setdefault(bike, []).append(
            (rep["STARTED"].at, end, "run " + rid))
    for r, items in sorted(by_rider.items()):
        check_overlaps(out, "rider %s (planned)" % r, items)
    for b, items in sorted(by_bike.items()):
        check_overlaps(out, "bike %s (planned)" % b, items)
    for r, items in sorted(rep_rider.items()):
        check_overlaps(out, "rider %s (reported)" % r, items)
    for b, items in sorted(rep_bike.items()):
        check_overlaps(out, "bike %s (reported)" % b, items)


@rule
def within_range(h, o, out):
    """No tour of a vehicle with a range is longer than its range."""
    ranged = {v: num(x.get("rangeKm")) for v, x in h.vehicles.items()
              if num(x.get("rangeKm")) > 0}
    if not ranged:
        out.note("no vehicle has a range (Vehicle.range_km): nothing "
                 "checked")
        return
    for tid, revs in sorted(h.tour_revs.items()):
        tour = revs[-1][1]
        veh = tour.get("vehicleId", "")
        if veh not in ranged:
            continue
        rng = ranged[veh]
        stops = sorted(tour.get("stops") or [], key=stop_index)
        d, known = 0.0, True
        for a, b in zip(stops, stops[1:]):
            la, lb = h.stop_loc(a), h.stop_loc(b)
            if la is None or lb is None:
                known = False
                break
            d += o.van_model.leg(la, lb, a.get("siteId"), b.get("siteId"))[0]
        if known and d > rng * 1000 + 100:
            out.bad("tour %s (%s, planned): %.1f km by the speed model "
                    "(planned distance %.1f km) for a range of %d km"
                    % (tid, veh, d / 1000, num(tour.get("distanceM")) / 1000,
                       rng))
        elif not known:
            out.note("tours with stops without a location: their length "
                     "is not checked, e.g. %s" % tid, "noloc")
        rep = h.tour_rep.get(tid, {})
        if o.planned_only or rep.get("odometer_COMPLETED") is None or \
                rep.get("odometer_STARTED") is None:
            continue
        km = num(rep["odometer_COMPLETED"]) - num(rep["odometer_STARTED"])
        if km > rng:
            out.bad("tour %s (%s, reported): odometer %d to %d km, %d km "
                    "for a range of %d km"
                    % (tid, veh, num(rep["odometer_STARTED"]),
                       num(rep["odometer_COMPLETED"]), km, rng))


# ---- stops and sites ----

def task_stops(tour):
    return [s for s in sorted(tour.get("stops") or [], key=stop_index)
            if enum(s.get("kind"), "STOP_KIND_", STOP_KIND) == "TASK"]


def visit_stops(run):
    return [s for s in sorted(run.get("stops") or [], key=stop_index)
            if enum(s.get("kind"), "STOP_KIND_", RUN_STOP_KIND) == "VISIT"]


@rule
def stop_at_one_site(h, o, out):
    """All tasks (parcels, pickups) of a stop are at the stop's site."""
    unknown = []
    for tid, revs in sorted(h.tour_revs.items()):
        key_t, tour = revs[-1]
        stops = sorted(tour.get("stops") or [], key=stop_index)
        hub = stops[0].get("siteId", "") if stops else ""
        for s in task_stops(tour):
            site = s.get("siteId", "")
            for j, task_id in enumerate(s.get("taskIds") or []):
                task = h.task_at(task_id, key_t)
                if task is None:
                    unknown.append(task_id)
                    continue
                allowed = {task.get("siteId", "")}
                if h.task_kind(task_id, task, s, j) == "COLLECTION":
                    allowed.add(task.get("destinationSiteId") or hub)
                if site not in allowed:
                    out.bad("tour %s stop %d at %s holds %s, whose site is %s"
                            % (tid, stop_index(s), site, task_id,
                               " or ".join(sorted(a for a in allowed if a))))
    if unknown:
        out.note("%d tasks of the tours are unknown to tours' "
                 "TaskStatusChanged (their site is not known; not checked), "
                 "e.g. %s" % (len(unknown), unknown[0]))
    for rid, revs in sorted(h.run_revs.items()):
        if h.run_cancelled(rid):
            continue
        key_r, run = revs[-1]
        for s in visit_stops(run):
            site = s.get("siteId", "")
            for pid in s.get("parcelIds") or []:
                pc = h.parcel_at(pid, key_r)
                if pc is not None and pc.get("siteId", "") != site:
                    out.bad("run %s stop %d at %s holds parcel %s, whose site "
                            "is %s" % (rid, stop_index(s), site, pid,
                                       pc.get("siteId", "")))
            for req in s.get("requestIds") or []:
                ps = h.pickup_site.get(req)
                if ps is not None and ps != site:
                    out.bad("run %s stop %d at %s holds pickup %s, whose "
                            "site is %s" % (rid, stop_index(s), site, req,
                                            ps))


@rule
def site_in_one_stop(h, o, out):
    """Tasks at one site with compatible windows make one stop."""
    def check(what, stops, tasks_of):
        earlier = {}
        for s in stops:
            site = s.get("siteId", "")
            w = stop_window(s, tasks_of(s))
            for e, we in earlier.get(site, []):
                if w is None or we is None or (w[0] <= we[1] and
                                               we[0] <= w[1]):
                    out.bad("%s: stops %d and %d are both at %s with "
                            "compatible windows (%s): one stop"
                            % (what, stop_index(e), stop_index(s), site,
                               "unknown" if w is None or we is None else
                               "%s-%s and %s-%s" % (
                                   out.t(we[0])[11:16], out.t(we[1])[11:16],
                                   out.t(w[0])[11:16], out.t(w[1])[11:16])))
                    break
            earlier.setdefault(site, []).append((s, w))

    for tid, revs in sorted(h.tour_revs.items()):
        key_t, tour = revs[-1]
        check("tour %s" % tid, task_stops(tour),
              lambda s: [h.task_at(t, key_t) for t in s.get("taskIds") or []])
    for rid, revs in sorted(h.run_revs.items()):
        if h.run_cancelled(rid):
            continue
        key_r, run = revs[-1]
        check("run %s" % rid, visit_stops(run),
              lambda s: [h.parcel_at(p, key_r)
                         for p in s.get("parcelIds") or []])


# ---- bike runs start after their parcels are ready ----

def relay_arrival(h, pid, relay):
    """Report of parcel PID at the relay: the van's relay stop completed,
    else its task done, else the bikes' parcel at the relay."""
    if relay is not None:
        r = h.stop_done(relay[0], relay[1])
        if r is not None and r.how == "completed":
            return r
    for e, p in h.tasks.get(pid, []):
        if enum(p.get("to"), "TASK_STATUS_", TASK_STATUS) == "DONE":
            return Report(e.key, num(p.get("at")) or e.ts // 1000000)
    for e, p in h.parcels.get(pid, []):
        if enum(p.get("to"), "PARCEL_STATUS_", PARCEL_STATUS) == "AT_RELAY":
            at = num(p["parcel"].get("arrivedAt")) or num(p.get("at"))
            return Report(e.key, at or e.ts // 1000000)
    return None


@rule
def bike_parcels_ready(h, o, out):
    """A run starts after the van dropped its parcels and after the run
    that failed one of them is back."""
    if not h.run_revs:
        out.note("no RunPlanned in the bikes history: nothing checked")
        return
    Hr = o.relay_handling_s
    unknown = []
    for rid, revs in sorted(h.run_revs.items()):
        if h.run_cancelled(rid):
            continue
        key_r, run = revs[-1]
        start = num(run.get("start")) or \
            num((run.get("stops") or [{}])[0].get("arrival"))
        for s in visit_stops(run):
            for pid in s.get("parcelIds") or []:
                relay = h.task_tour(pid, key_r) or h.task_tour(pid)
                rep = None if o.planned_only else relay_arrival(h, pid, relay)
                ready, why = None, ""
                if rep is not None and rep.key < key_r:
                    ready = rep.at + Hr
                    why = "at the relay at %s (reported)" % out.t(rep.at)
                elif relay is not None and relay[0] in h.tour_revs:
                    t = plan_at(h.tour_revs[relay[0]], key_r)
                    for x in t.get("stops") or []:
                        if stop_index(x) == relay[1]:
                            ready = stop_times(x)[0] + Hr
                            why = "tour %s planned at the relay at %s" % (
                                relay[0], out.t(stop_times(x)[0]))
                if ready is None:
                    unknown.append(pid)
                fail = last_failure(h, pid, rid, key_r)
                if fail is not None:
                    fr = None if o.planned_only else \
                        h.run_rep.get(fail, {}).get("COMPLETED")
                    if fr is not None and fr.key < key_r:
                        back, bwhy = fr.at, "reported back"
                    elif fail in h.run_revs:
                        back = num(plan_at(h.run_revs[fail],
                                           key_r).get("end"))
                        bwhy = "planned back"
                    else:
                        back = None
                    if back is not None and (ready is None or
                                             back + Hr > ready):
                        ready = back + Hr
                        why = "failed in run %s, %s at the relay at %s" % (
                            fail, bwhy, out.t(back))
                if ready is not None and start < ready:
                    out.bad("run %s planned to start at %s with %s, before "
                            "it is ready at %s: %s + handling %d s"
                            % (rid, out.t(start), pid, out.t(ready), why, Hr))
        if o.planned_only or "STARTED" not in h.run_rep.get(rid, {}):
            continue
        st = h.run_rep[rid]["STARTED"]
        for pid, hist in sorted(h.parcels.items()):
            on = [e for e, p in hist
                  if enum(p.get("to"), "PARCEL_STATUS_",
                          PARCEL_STATUS) == "ON_BIKE" and
                  p["parcel"].get("runId") == rid]
            if not on:
                continue
            relay = h.task_tour(pid)
            rep = relay_arrival(h, pid, relay)
            if rep is None or not rep.key < on[0].key:
                out.bad("run %s started at %s with %s, which was not "
                        "reported at the relay before" % (rid, out.t(st.at),
                                                          pid))
            elif st.at < rep.at + Hr:
                out.bad("run %s started at %s with %s, before it was ready "
                        "at %s: at the relay at %s (reported) + handling %d s"
                        % (rid, out.t(st.at), pid, out.t(rep.at + Hr),
                           out.t(rep.at), Hr))
            fail = last_failure(h, pid, rid, on[0].key)
            fr = h.run_rep.get(fail, {}).get("COMPLETED") if fail else None
            if fr is not None and st.at < fr.at + Hr:
                out.bad("run %s started at %s with %s, before it was back "
                        "from its failed attempt: run %s back at the relay "
                        "at %s + handling %d s"
                        % (rid, out.t(st.at), pid, fail, out.t(fr.at), Hr))
    if unknown:
        out.note("%d parcels of bike runs have no van relay stop in tours' "
                 "history (their arrival at the relay is unknown; not "
                 "checked), e.g. %s" % (len(unknown), unknown[0]))


def last_failure(h, pid, rid, key):
    """The run (other than RID) in which parcel PID last failed before
    KEY."""
    last = None
    for e, p in h.parcels.get(pid, []):
        if e.key < key and enum(p.get("to"), "PARCEL_STATUS_",
                                PARCEL_STATUS) == "FAILED":
            r = p["parcel"].get("runId", "")
            if r and r != rid:
                last = r
    return last


# ---- main ----

def main(argv):
    ap = argparse.ArgumentParser(
        prog="check_day.py", add_help=True,
        description="Checks that the day the services' event histories "
        "tell could happen (see the source's documentation).")
    ap.add_argument("files", nargs="*", help="lz-tap JSON lines files")
    ap.add_argument("--events", action="append", default=[],
                    help="directory of <source>.jsonl files")
    ap.add_argument("--speed-model", default="25,25,inf,1.35,60")
    ap.add_argument("--urban-speed-kmh", type=float)
    ap.add_argument("--road-speed-kmh", type=float)
    ap.add_argument("--urban-km", type=float)
    ap.add_argument("--circuity", type=float)
    ap.add_argument("--tolerance-s", type=float)
    ap.add_argument("--bike-speed-model", default="15,15,inf,1.3,60")
    ap.add_argument("--matrix")
    ap.add_argument("--handling-s", type=int, default=0)
    ap.add_argument("--relay-handling-s", type=int, default=0)
    ap.add_argument("--planned-only", action="store_true")
    ap.add_argument("--rules")
    ap.add_argument("--timezone", default="Europe/Paris")
    ap.add_argument("--list-rules", action="store_true")
    a = ap.parse_args(argv)
    if a.list_rules:
        for f in RULES:
            print(f.__name__)
        return 0
    try:
        van = parse_model(a.speed_model, "--speed-model")
        for i, v in enumerate([a.urban_speed_kmh, a.road_speed_kmh,
                               None if a.urban_km is None else
                               a.urban_km * 1000, a.circuity,
                               a.tolerance_s]):
            if v is not None:
                van[i] = v
        matrix = load_matrix(a.matrix) if a.matrix else None
        a.van_model = SpeedModel(*van, matrix=matrix)
        a.bike_model = SpeedModel(*parse_model(a.bike_speed_model,
                                               "--bike-speed-model"))
        if a.handling_s < 0 or a.relay_handling_s < 0:
            raise InputError("handling times must be >= 0")
        names = [f.__name__ for f in RULES]
        chosen = names if not a.rules else [r.strip() for r in
                                            a.rules.split(",") if r.strip()]
        for r in chosen:
            if r not in names:
                raise InputError("unknown rule %r (--list-rules)" % r)
        paths = list(a.files)
        for d in a.events:
            if not os.path.isdir(d):
                raise InputError("%s: not a directory" % d)
            paths += sorted(glob.glob(os.path.join(d, "*.jsonl")))
        if not paths:
            raise InputError("no history given (--events DIR or files)")
        tz = datetime.timezone.utc
        if zoneinfo is not None:
            try:
                tz = zoneinfo.ZoneInfo(a.timezone)
            except Exception:
                raise InputError("unknown time zone %r" % a.timezone)
        n, evs = load_events(paths)
    except (InputError, OSError) as x:
        print("check_day: error: %s" % x, file=sys.stderr)
        return 2
    h = History(evs, a)
    out = Out(tz)
    for svc in SERVICES:
        if not h.has(svc):
            out.rule = "check_day"
            out.note("no %s events in the history given" % svc)
    if a.planned_only:
        out.rule = "check_day"
        out.note("--planned-only: reported times ignored, plans checked "
                 "against plans")
    for f in RULES:
        if f.__name__ in chosen:
            out.rule = f.__name__
            f(h, a, out)
    for line in out.notice_lines():
        print(line)
    for line in out.violations:
        print(line)
    print("check_day: %d events, %d violations" % (n, len(out.violations)))
    return 1 if out.violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
