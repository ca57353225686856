#!/usr/bin/env python3
"""Writes the hand-made histories of tests/integration/test_check_day.sh.

    python3 tests/data/days/make_days.py [OUTDIR]   # default: this directory

Each history is a directory of lz-tap JSON lines, one file per source
(orders.jsonl, inventory.jsonl, tours.jsonl, bikes.jsonl), as
`lz-tap --replay SOURCE` prints them (proto3 JSON: int64 as strings,
defaults omitted).  "good" is two days that could happen; every other
directory is the same two days with one thing changed that breaks exactly
one rule of tests/integration/check_day.py, named by the directory (before
any "-"):

  ready_before_delivery           van-c leaves with o4's goods 20 min after
                                  van-b brought them back (handling: 30 min)
  ready_before_delivery-reported  the plan is right, but van-c's driver
                                  reports leaving too early
  delivered_was_picked            o2 delivered, never picked
  picked_in_stock                 12 units picked from lot L4 which holds 10
  stock_conserved                 L1 counted: "before" 66 where the flows
                                  leave 65
  stock_conserved-ledger          L1's own ledger (LotNearingExpiry) says
                                  one unit fewer picked than OrderPicked took
  one_place_at_a_time             van-b planned to reach Gemenos in 10 min
  one_place_at_a_time-overlap     van-c's afternoon tour given to van-a, still
                                  on its morning tour
  one_place_at_a_time-reported    van-a reports creche-13e 60 s after leaving
                                  the relay
  within_range                    van-b (electric, 40 km of range) sent to
                                  Gemenos and back (55 km)
  stop_at_one_site                o5 (to cantine-14e) in the stop at
                                  epicerie-3e
  site_in_one_stop                o1 and o5 at epicerie-3e as two stops
  bike_parcels_ready              run 1 leaves 5 min after the van's drop
                                  (handling: 10 min)
  bike_parcels_ready-redelivery   run 2 (o3 again after its failure in run 1)
                                  planned before run 1 is back

The speed model the days are made with (pass the same to check_day.py):
vans --speed-model 20,70,5,1.3,60, bikes --bike-speed-model
15,15,inf,1.3,60, --handling-s 1800, --relay-handling-s 600.
Python 3 standard library only; the output is the same at every run.
"""
import datetime
import hashlib
import json
import math
import os
import sys

VAN = (20.0, 70.0, 5000.0, 1.3)    # urban km/h, road km/h, urban m, circuity
BIKE = (15.0, 15.0, math.inf, 1.3)
HANDLING, RELAY_HANDLING = 1800, 600
SERVICE, RELAY_SERVICE, BIKE_SERVICE = 300, 600, 180
PARIS = datetime.timezone(datetime.timedelta(hours=1))  # December: CET
DAY1, DAY2 = "2026-12-07", "2026-12-08"

SITES = {
    "hub-arnavaux": ("SITE_KIND_HUB", 43.340, 5.376, "nord"),
    "relais-velo": ("SITE_KIND_BIKE_RELAY", 43.2955, 5.3745, "centre"),
    "moulin-gemenos": ("SITE_KIND_PRODUCER", 43.296, 5.628, ""),
    "epicerie-3e": ("SITE_KIND_CUSTOMER", 43.310, 5.385, ""),
    "creche-13e": ("SITE_KIND_CUSTOMER", 43.350, 5.430, ""),
    "restaurant-1er": ("SITE_KIND_CUSTOMER", 43.298, 5.381, "centre"),
    "cantine-14e": ("SITE_KIND_CUSTOMER", 43.345, 5.395, ""),
    "compost-sud": ("SITE_KIND_PROCESSOR", 43.330, 5.350, ""),
}
HUB, RELAY = "hub-arnavaux", "relais-velo"


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    d = datetime.datetime.strptime(day, "%Y-%m-%d")
    return int(d.replace(hour=h, minute=m, tzinfo=PARIS).timestamp())


def hav(a, b):
    rad = math.pi / 180
    dla, dlo = (b[0] - a[0]) * rad, (b[1] - a[1]) * rad
    h = (math.sin(dla / 2) ** 2 +
         math.cos(a[0] * rad) * math.cos(b[0] * rad) * math.sin(dlo / 2) ** 2)
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h)))


def where(site):
    return (SITES[site][1], SITES[site][2])


def travel(a, b, model=VAN):
    """(metres, seconds) of a leg, rounded up, plus a minute of slack."""
    u, r, ud, c = model
    d = hav(where(a), where(b)) * c
    t = d / (u / 3.6) if d <= ud else ud / (u / 3.6) + (d - ud) / (r / 3.6)
    return int(d), int(math.ceil(t)) + 60


def geo(site):
    return {"lat": SITES[site][1], "lon": SITES[site][2]}


def s(x):
    """An int64 in the proto3 JSON mapping."""
    return str(int(x))


def drop_defaults(x):
    """proto3 JSON omits zero values, empty strings and lists."""
    if isinstance(x, dict):
        return {k: drop_defaults(v) for k, v in x.items()
                if v not in (0, "", "0", None, [], {}, False)}
    if isinstance(x, list):
        return [drop_defaults(v) for v in x]
    return x


class Bus:
    """The events of every source, numbered at the end by time."""

    def __init__(self):
        self.ev = []

    def emit(self, src, t, typ, payload, tenant=""):
        self.ev.append((src, t, len(self.ev), typ, payload, tenant))

    def write(self, outdir):
        os.makedirs(outdir, exist_ok=True)
        by = {}
        for src, t, n, typ, p, tenant in sorted(self.ev,
                                                key=lambda e: (e[1], e[2])):
            by.setdefault(src, []).append((t, n, typ, p, tenant))
        for src in ("orders", "inventory", "tours", "bikes"):
            lines = []
            for seq, (t, n, typ, p, tenant) in enumerate(by.get(src, []), 1):
                us = int(t) * 1000000 + (n % 1000) * 100
                eid = hashlib.sha256(("%s/%d" % (src, seq)).encode()
                                     ).hexdigest()[:32]
                ts = datetime.datetime.fromtimestamp(
                    us / 1e6, datetime.timezone.utc)
                lines.append(json.dumps({
                    "topic": typ, "source": src, "seq": seq,
                    "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "timestampUs": us, "type": typ, "tenant": tenant,
                    "actor": "", "eventId": eid, "correlationId": eid,
                    "causationId": "", "payload": drop_defaults(p)},
                    ensure_ascii=False))
            with open(os.path.join(outdir, src + ".jsonl"), "w",
                      encoding="utf-8") as f:
                f.write("".join(l + "\n" for l in lines))


def make(v=""):
    """The two days; V names the one change (see the module's doc)."""
    bus = Bus()
    t0 = at(DAY1, "05:00")

    # ---- directory, fleet, riders ----
    for site, (kind, lat, lon, zone) in SITES.items():
        bus.emit("orders", t0, "lz.orders.v1.SiteRegistered",
                 {"site": {"siteId": site, "memberId": "livrazou",
                           "name": site, "kind": kind,
                           "location": {"lat": lat, "lon": lon},
                           "zone": zone}}, "livrazou")
    for veh in ("van-a", "van-b", "van-c"):
        # van-b is electric: 40 km of range is too little for Gemenos
        rng = {"van-b": 40 if v == "within_range" else 120}.get(veh, 0)
        bus.emit("tours", t0, "lz.tours.v1.VehicleRegistered",
                 {"vehicle": {"vehicleId": veh, "homeHubSiteId": HUB,
                              "kind": "VEHICLE_KIND_ELECTRIC_VAN" if rng
                              else "VEHICLE_KIND_REFRIGERATED_VAN",
                              "shiftStart": 18000, "shiftEnd": 75600,
                              "rangeKm": rng}})
    bus.emit("bikes", t0, "lz.bikes.v1.RiderRegistered",
             {"rider": {"riderId": "r1", "name": "Samia"}})
    bus.emit("bikes", t0, "lz.bikes.v1.BikeRegistered",
             {"bike": {"bikeId": "b1", "capacityGrams": s(150000),
                       "capacityMillilitres": s(500000), "insulated": True}})

    # ---- stock ----
    lots = {}   # lot -> units, as inventory holds them (for the states)
    ledger = {}  # lot -> [received, picked, adjusted, expired]

    def receive(t, lot, product, qty, cls, kind="", date=0, order="",
                origin=""):
        lots[lot] = qty
        ledger[lot] = [qty, 0, 0, 0]
        bus.emit("inventory", t, "lz.inventory.v1.LotReceived",
                 {"lot": {"lotId": lot, "ownerMemberId": "epic",
                          "product": product, "quantity": s(qty),
                          "unitGrams": s(500), "unitMillilitres": s(500),
                          "temperatureClass": cls, "dateKind": kind,
                          "date": s(date), "zoneId": "frais",
                          "receivedAt": s(t), "originSiteId": origin,
                          "originOrderId": order, "receivedUnits": s(qty)}})

    def lot_state(lot):
        r, p, a, x = ledger[lot]
        return {"lotId": lot, "ownerMemberId": "epic", "quantity":
                s(lots[lot]), "receivedAt": s(t0 + 3600), "zoneId": "frais",
                "receivedUnits": s(r), "pickedUnits": s(p),
                "adjustedUnits": s(a), "expiredUnits": s(x)}

    def pick(t, order, allocs):
        for lot, q in allocs:
            lots[lot] -= q
            ledger[lot][1] += q
        bus.emit("inventory", t, "lz.inventory.v1.OrderPicked",
                 {"orderId": order, "memberId": order.split("/")[0],
                  "allocations": [{"lotId": l, "quantity": s(q),
                                   "product": "x"} for l, q in allocs]},
                 order.split("/")[0])

    recv = at(DAY1, "06:00")
    receive(recv, "L1", "yaourt", 100, "TEMPERATURE_CLASS_CHILLED",
            "DATE_KIND_USE_BY", at("2026-12-15", "00:00"))
    receive(recv, "L2", "pain", 50, "TEMPERATURE_CLASS_AMBIENT",
            "DATE_KIND_BEST_BEFORE", at("2026-12-09", "00:00"))
    receive(recv, "L3", "jus", 10, "TEMPERATURE_CLASS_CHILLED",
            "DATE_KIND_USE_BY", at(DAY2, "04:00"))
    if v == "picked_in_stock":
        receive(recv, "L4", "compote", 10, "TEMPERATURE_CLASS_AMBIENT")

    # ---- orders ----
    def window(day, a, b):
        return {"start": s(at(day, a)), "end": s(at(day, b))}

    orders = {
        "epic/o1": ("epicerie-3e", window(DAY1, "08:00", "12:00"), "L1", 10),
        "epic/o5": ("cantine-14e" if v == "stop_at_one_site" else
                    "epicerie-3e", window(DAY1, "08:00", "12:00"), "L1", 5),
        "epic/o2": ("creche-13e", window(DAY1, "08:00", "14:00"), "L1", 20),
        "epic/o3": ("restaurant-1er", window(DAY1, "10:00", "18:00"), "L2",
                    5),
        "ferme/o4": ("epicerie-3e", window(DAY1, "12:00", "18:00"), None, 12),
        "epic/o6": ("creche-13e", window(DAY2, "08:00", "12:00"), "L1", 15),
    }
    if v == "picked_in_stock":
        orders["epic/o7"] = ("epicerie-3e", window(DAY1, "08:00", "12:00"),
                             "L4", 12)
    pickup_window = window(DAY1, "07:00", "10:00")
    for oid, (dest, w, lot, q) in orders.items():
        day2 = oid == "epic/o6"
        placed = at(DAY2 if day2 else DAY1, "06:20")
        o = {"orderId": oid, "memberId": oid.split("/")[0],
             "reference": oid.split("/")[1], "destinationSiteId": dest,
             "deliveryWindow": w, "status": "ORDER_STATUS_PLACED",
             "lines": [{"product": "x", "quantity": q, "unitGrams": 500,
                        "temperatureClass": "TEMPERATURE_CLASS_CHILLED"}],
             "placedAt": s(placed)}
        if lot is None:
            o.update(source="ORDER_SOURCE_PRODUCER_PICKUP",
                     pickupSiteId="moulin-gemenos", pickupWindow=pickup_window)
        else:
            o["source"] = "ORDER_SOURCE_HUB_STOCK"
        bus.emit("orders", placed, "lz.orders.v1.OrderPlaced", {"order": o},
                 o["memberId"])
        bus.emit("orders", placed + 60, "lz.orders.v1.OrderStatusChanged",
                 {"orderId": oid, "from": "ORDER_STATUS_PLACED",
                  "to": "ORDER_STATUS_CONFIRMED", "at": s(placed + 60)},
                 o["memberId"])
        if lot is not None:
            bus.emit("inventory", placed + 30,
                     "lz.inventory.v1.ReservationMade",
                     {"orderId": oid, "memberId": o["memberId"],
                      "allocations": [{"lotId": lot, "quantity": s(q),
                                       "product": "x"}], "complete": True},
                     o["memberId"])

    # ---- tasks ----
    tasks = {}

    def task(tid, kind, site, w, order="", dest="", final=""):
        tasks[tid] = {"taskId": tid, "kind": "TASK_KIND_" + kind,
                      "orderId": order, "memberId": order.split("/")[0],
                      "siteId": site, "location": geo(site), "window": w,
                      "destinationSiteId": dest, "finalSiteId": final,
                      "status": "TASK_STATUS_PENDING",
                      "serviceSeconds": SERVICE}

    def task_event(t, tid, frm, to, tour="", idx=0, order_status=0,
                   cause=""):
        tk = dict(tasks[tid], status="TASK_STATUS_" + to, tourId=tour)
        bus.emit("tours", t, "lz.tours.v1.TaskStatusChanged",
                 {"task": tk, "from": "TASK_STATUS_" + frm,
                  "to": "TASK_STATUS_" + to, "tourId": tour,
                  "stopIndex": idx, "orderStatus": order_status,
                  "at": s(t), "cause": cause}, tk["memberId"])

    def order_status(t, oid, frm, to):
        bus.emit("orders", t, "lz.orders.v1.OrderStatusChanged",
                 {"orderId": oid, "from": "ORDER_STATUS_" + frm,
                  "to": "ORDER_STATUS_" + to, "at": s(t)},
                 oid.split("/")[0])

    for oid in ("epic/o1", "epic/o5", "epic/o2"):
        task("del:" + oid, "DELIVERY", orders[oid][0], orders[oid][1], oid)
    task("del:epic/o3", "RELAY_DELIVERY", RELAY,
         window(DAY1, "00:00", "10:00"), "epic/o3",
         final="restaurant-1er")
    task("pick:ferme/o4", "PICKUP", "moulin-gemenos", pickup_window,
         "ferme/o4")
    task("col:k1", "COLLECTION", "creche-13e", window(DAY1, "08:00", "14:00"),
         dest="compost-sud")
    for tid in list(tasks):
        task_event(at(DAY1, "06:35"), tid, "PENDING", "PENDING")

    # ---- tours: plan and drive ----
    def plan(tid, vehicle, start, visits, planned_at):
        """A tour from the hub at START through VISITS [(site, [tasks])],
        back to the hub; published at PLANNED_AT."""
        stops = [{"kind": "STOP_KIND_START", "siteId": HUB,
                  "location": geo(HUB), "arrival": start, "start": start,
                  "departure": start}]
        t, here, dist = start, HUB, 0
        for site, tids in visits:
            d, dt = travel(here, site)
            t += dt
            dist += d
            w = [tasks[x]["window"] for x in tids]
            ws = max(int(x["start"]) for x in w)
            st = max(t, ws)
            svc = RELAY_SERVICE if site == RELAY else SERVICE
            stops.append({"kind": "STOP_KIND_TASK", "siteId": site,
                          "location": geo(site), "taskIds": tids,
                          "taskKinds": [tasks[x]["kind"] for x in tids],
                          "window": {"start": s(ws), "end": s(min(
                              int(x["end"]) for x in w))},
                          "arrival": t, "start": st, "departure": st + svc,
                          "distanceM": dist})
            t, here = st + svc, site
        d, dt = travel(here, HUB)
        t += dt
        stops.append({"kind": "STOP_KIND_END", "siteId": HUB,
                      "location": geo(HUB), "arrival": t, "start": t,
                      "departure": t, "distanceM": dist + d})
        for i, x in enumerate(stops):
            x["index"] = i
        return {"tourId": tid, "vehicleId": vehicle, "date": tid[:10],
                "wave": tid.split("/")[1], "stops": stops, "start": start,
                "end": t, "distanceM": dist + d,
                "status": "TOUR_STATUS_PLANNED"}, planned_at

    def publish(tour, planned_at):
        out = json.loads(json.dumps(tour))
        for x in out["stops"]:
            for k in ("arrival", "start", "departure", "distanceM"):
                if k in x:
                    x[k] = s(x[k])
        for k in ("start", "end", "distanceM"):
            out[k] = s(out[k])
        bus.emit("tours", planned_at, "lz.tours.v1.TourPlanned",
                 {"tour": out})
        for x in tour["stops"]:
            for tid in x.get("taskIds", []):
                task_event(planned_at, tid, "PENDING", "PLANNED",
                           tour["tourId"], x["index"], 3,
                           "lz.tours.v1.PlanWave")
                if tasks[tid]["orderId"]:
                    order_status(planned_at + 1, tasks[tid]["orderId"],
                                 "CONFIRMED", "PLANNED")

    odometer = {}

    def drive(tour, delay, arrived=None, started=None):
        """The driver's reports: every planned time + DELAY seconds
        (ARRIVED: {stop index: time} instead; STARTED: the start).
        Returns {stop index: time completed} and the return time."""
        tid, veh = tour["tourId"], tour["vehicleId"]
        st = started if started is not None else tour["start"] + delay
        km0 = odometer.get(veh, 10000)
        odometer[veh] = km0 + int(math.ceil(tour["distanceM"] / 1000)) + 2
        bus.emit("tours", st, "lz.tours.v1.TourStatusChanged",
                 {"tourId": tid, "from": "TOUR_STATUS_PLANNED",
                  "to": "TOUR_STATUS_STARTED", "at": s(st),
                  "vehicleId": veh, "odometerKm": s(km0),
                  "distanceM": s(tour["distanceM"])})
        for x in tour["stops"][1:-1]:
            for tid2 in x["taskIds"]:
                if tasks[tid2]["kind"] in ("TASK_KIND_DELIVERY",
                                           "TASK_KIND_RELAY_DELIVERY"):
                    task_event(st, tid2, "PLANNED", "ON_BOARD", tid,
                               x["index"], 6, "lz.tours.v1.TourStarted")
        done = {}
        seen_col = set()
        for x in tour["stops"][1:-1]:
            i = x["index"]
            a = (arrived or {}).get(i, x["arrival"] + delay)
            c = x["departure"] + delay
            bus.emit("tours", a, "lz.tours.v1.StopStatusChanged",
                     {"tourId": tid, "stopIndex": i,
                      "to": "STOP_STATUS_ARRIVED", "at": s(a),
                      "siteId": x["siteId"]})
            bus.emit("tours", c, "lz.tours.v1.StopStatusChanged",
                     {"tourId": tid, "stopIndex": i,
                      "to": "STOP_STATUS_COMPLETED", "at": s(c),
                      "siteId": x["siteId"]})
            for tid2 in x["taskIds"]:
                k = tasks[tid2]["kind"]
                if k == "TASK_KIND_COLLECTION" and tid2 not in seen_col:
                    seen_col.add(tid2)
                    continue
                frm = "PLANNED" if k in ("TASK_KIND_PICKUP",
                                         "TASK_KIND_COLLECTION") \
                    else "ON_BOARD"
                os_ = {"TASK_KIND_DELIVERY": 8, "TASK_KIND_PICKUP": 4,
                       "TASK_KIND_RELAY_DELIVERY": 7}.get(k, 0)
                task_event(c, tid2, frm, "DONE", tid, i, os_,
                           "lz.tours.v1.StopCompleted")
                if k == "TASK_KIND_DELIVERY":
                    order_status(c + 1, tasks[tid2]["orderId"],
                                 "OUT_FOR_DELIVERY", "DELIVERED")
            done[i] = c
        back = tour["end"] + delay
        bus.emit("tours", back, "lz.tours.v1.TourStatusChanged",
                 {"tourId": tid, "from": "TOUR_STATUS_STARTED",
                  "to": "TOUR_STATUS_COMPLETED", "at": s(back),
                  "vehicleId": veh, "odometerKm": s(odometer[veh]),
                  "distanceM": s(tour["distanceM"])})
        return done, back, st

    wave_am = at(DAY1, "06:45")
    c1 = [("epicerie-3e", ["del:epic/o1"]), ("epicerie-3e", ["del:epic/o5"])] \
        if v == "site_in_one_stop" else \
        [("epicerie-3e", ["del:epic/o1", "del:epic/o5"])]
    van_a, _ = plan(DAY1 + "/am/van-a", "van-a", at(DAY1, "07:30"),
                    c1 + [(RELAY, ["del:epic/o3"]),
                          ("creche-13e", ["del:epic/o2", "col:k1"]),
                          ("compost-sud", ["col:k1"])], wave_am)
    van_b, _ = plan(DAY1 + "/am/van-b", "van-b", at(DAY1, "07:00"),
                    [("moulin-gemenos", ["pick:ferme/o4"])], wave_am)
    if v == "one_place_at_a_time":
        # leaves the hub 25 min later, still "at Gemenos" on time
        late = at(DAY1, "07:25")
        van_b["start"] = late
        van_b["stops"][0].update(arrival=late, start=late, departure=late)
    publish(van_a, wave_am)
    publish(van_b, wave_am)
    bus.emit("tours", wave_am, "lz.tours.v1.WavePlanned",
             {"planId": DAY1 + "/am/1", "date": DAY1, "wave": "am",
              "tours": 2, "tasksPlanned": 6})
    # the bike parcel expected
    parcel = {"parcelId": "del:epic/o3", "orderId": "epic/o3",
              "memberId": "epic", "siteId": "restaurant-1er",
              "location": geo("restaurant-1er"), "grams": s(2500),
              "window": orders["epic/o3"][1], "relaySiteId": RELAY}

    def parcel_event(t, frm, to, **kw):
        order_status_ = kw.pop("order_status", 0)
        p = dict(parcel, status="PARCEL_STATUS_" + to, **kw)
        bus.emit("bikes", t, "lz.bikes.v1.ParcelStatusChanged",
                 {"parcel": p, "from": "PARCEL_STATUS_" + frm if frm else "",
                  "to": "PARCEL_STATUS_" + to, "at": s(t),
                  "orderStatus": order_status_}, "epic")

    parcel_event(wave_am + 1, "", "EXPECTED")

    # hub-stock orders picked before the vans leave
    for oid in ("epic/o1", "epic/o5", "epic/o2", "epic/o3"):
        if v == "delivered_was_picked" and oid == "epic/o2":
            continue
        pick(at(DAY1, "07:20"), oid, [(orders[oid][2], orders[oid][3])])
    if v == "picked_in_stock":
        pick(at(DAY1, "07:20"), "epic/o7", [("L4", 12)])

    # van-b collects o4 at Gemenos and brings it back
    _, back_b, _ = drive(van_b, 120)
    bus.emit("tours", back_b, "lz.tours.v1.GoodsUnloaded",
             {"orderId": "ferme/o4", "memberId": "ferme",
              "taskId": "pick:ferme/o4", "tourId": van_b["tourId"],
              "hubSiteId": HUB, "originSiteId": "moulin-gemenos",
              "lines": [{"product": "fougasse", "quantity": s(12)}],
              "at": s(back_b)}, "ferme")
    order_status(back_b + 1, "ferme/o4", "PICKED_UP", "AT_HUB")
    receive(back_b + 1, "in-ferme.o4-0", "fougasse", 12,
            "TEMPERATURE_CLASS_AMBIENT", order="ferme/o4",
            origin="moulin-gemenos")
    task("del:ferme/o4", "DELIVERY", "epicerie-3e", orders["ferme/o4"][1],
         "ferme/o4")
    task_event(back_b, "del:ferme/o4", "PENDING", "PENDING")

    # van-a: deliveries, the relay, the collection
    arrived = None
    if v == "one_place_at_a_time-reported":
        i_relay = [x["index"] for x in van_a["stops"]
                   if x["siteId"] == RELAY][0]
        arrived = {i_relay + 1: van_a["stops"][i_relay]["departure"] + 60 +
                   60}
    done_a, _, _ = drive(van_a, 60, arrived)
    i_relay = [x["index"] for x in van_a["stops"] if x["siteId"] == RELAY][0]
    dropped = done_a[i_relay]
    parcel_event(dropped + 1, "EXPECTED", "AT_RELAY", arrivedAt=s(dropped))

    # the afternoon: van-c delivers o4, 30 min of handling after van-b
    pm_start = back_b + HANDLING + 300
    if v == "ready_before_delivery":
        pm_start = back_b + 1200
    van_c, _ = plan(DAY1 + "/pm/van-c", "van-c", pm_start,
                    [("epicerie-3e", ["del:ferme/o4"])], back_b + 60)
    if v == "one_place_at_a_time-overlap":
        van_c["tourId"] = DAY1 + "/pm/van-a"
        van_c["vehicleId"] = "van-a"
    publish(van_c, back_b + 60)
    started = back_b + 900 if v == "ready_before_delivery-reported" else None
    _, _, st_c = drive(van_c, 60, started=started)
    pick(st_c + 1, "ferme/o4", [("in-ferme.o4-0", 12)])

    # the bike runs: o3 fails in run 1, is delivered in run 2
    def run(rid, start, planned_at, seq):
        stops = [{"kind": "STOP_KIND_START", "siteId": RELAY,
                  "location": geo(RELAY), "arrival": s(start)}]
        d, dt = travel(RELAY, "restaurant-1er", BIKE)
        a = start + dt
        stops.append({"index": 1, "kind": "STOP_KIND_VISIT",
                      "siteId": "restaurant-1er",
                      "location": geo("restaurant-1er"),
                      "arrival": s(a), "departure": s(a + BIKE_SERVICE),
                      "parcelIds": ["del:epic/o3"], "distanceM": s(d)})
        d2, dt2 = travel("restaurant-1er", RELAY, BIKE)
        end = a + BIKE_SERVICE + dt2
        stops.append({"index": 2, "kind": "STOP_KIND_END", "siteId": RELAY,
                      "location": geo(RELAY), "arrival": s(end),
                      "distanceM": s(d + d2)})
        r = {"runId": rid, "date": DAY1, "riderId": "r1", "bikeId": "b1",
             "shiftId": "r1/1", "seq": seq, "stops": stops,
             "distanceM": s(d + d2), "start": s(start), "end": s(end),
             "status": "RUN_STATUS_PLANNED", "relaySiteId": RELAY}
        bus.emit("bikes", planned_at, "lz.bikes.v1.RunPlanned",
                 {"run": r, "at": s(planned_at)})
        return start, a + BIKE_SERVICE, end

    def run_status(t, rid, frm, to, start, end=0):
        bus.emit("bikes", t, "lz.bikes.v1.RunStatusChanged",
                 {"runId": rid, "riderId": "r1", "bikeId": "b1",
                  "from": "RUN_STATUS_" + frm, "to": "RUN_STATUS_" + to,
                  "at": s(t), "start": s(start), "end": s(end),
                  "date": DAY1})

    r1, r2 = DAY1 + "/r1/001", DAY1 + "/r1/002"
    start1 = dropped + RELAY_HANDLING + 120
    if v == "bike_parcels_ready":
        start1 = dropped + 300
    s1, leave1, end1 = run(r1, start1, dropped + 5, 1)
    parcel_event(dropped + 5, "AT_RELAY", "PLANNED", runId=r1, riderId="r1")
    run_status(s1 + 30, r1, "PLANNED", "STARTED", s1 + 30)
    parcel_event(s1 + 30, "PLANNED", "ON_BIKE", runId=r1, riderId="r1")
    parcel_event(leave1 + 30, "ON_BIKE", "FAILED", runId=r1, riderId="r1",
                 attempts=1)
    run_status(end1 + 30, r1, "STARTED", "COMPLETED", s1 + 30, end1 + 30)
    parcel_event(end1 + 30, "FAILED", "AT_RELAY", attempts=1)
    start2 = end1 + 30 + RELAY_HANDLING + 120
    if v == "bike_parcels_ready-redelivery":
        plan2 = start1 - 3600
    else:
        plan2 = start2
    run(r2, plan2, end1 + 35, 2)
    s2 = start2     # the rider starts it then, whatever the plan said
    parcel_event(end1 + 35, "AT_RELAY", "PLANNED", runId=r2, riderId="r1",
                 attempts=1)
    run_status(s2, r2, "PLANNED", "STARTED", s2)
    parcel_event(s2, "PLANNED", "ON_BIKE", runId=r2, riderId="r1",
                 attempts=1)
    d, dt = travel(RELAY, "restaurant-1er", BIKE)
    deliv = s2 + dt + BIKE_SERVICE
    parcel_event(deliv, "ON_BIKE", "DELIVERED", runId=r2, riderId="r1",
                 attempts=1, order_status=8)
    order_status(deliv + 1, "epic/o3", "AT_BIKE_RELAY", "DELIVERED")
    run_status(deliv + dt, r2, "STARTED", "COMPLETED", s2, deliv + dt)

    # ---- the second day: expiry, a count, o6 ----
    lots["L3"] -= 10
    ledger["L3"][3] += 10
    bus.emit("inventory", at(DAY2, "05:00"), "lz.inventory.v1.LotExpired",
             {"lot": dict(lot_state("L3"), expired=True),
              "removed": s(10)}, "epic")
    before = lots["L1"] + (1 if v == "stock_conserved" else 0)
    bus.emit("inventory", at(DAY2, "06:00"), "lz.inventory.v1.LotAdjusted",
             {"lotId": "L1", "before": s(before), "after": s(63),
              "difference": s(63 - before), "note": "inventaire"})
    ledger["L1"][2] += lots["L1"] - 63
    lots["L1"] = 63
    task("del:epic/o6", "DELIVERY", "creche-13e", orders["epic/o6"][1],
         "epic/o6")
    task_event(at(DAY2, "06:35"), "del:epic/o6", "PENDING", "PENDING")
    van_a2, planned2 = plan(DAY2 + "/day/van-a", "van-a", at(DAY2, "08:00"),
                            [("creche-13e", ["del:epic/o6"])],
                            at(DAY2, "06:45"))
    publish(van_a2, planned2)
    pick(at(DAY2, "07:50"), "epic/o6", [("L1", 15)])
    drive(van_a2, 0)
    bus.emit("inventory", at(DAY2, "09:00"),
             "lz.inventory.v1.LotNearingExpiry",
             {"lot": lot_state("L2"), "unreserved": s(lots["L2"]),
              "secondsLeft": s(86400)}, "epic")
    bus.emit("inventory", at(DAY2, "10:00"),
             "lz.inventory.v1.LotNearingExpiry",
             {"lot": dict(lot_state("L1"), pickedUnits=s(
                 ledger["L1"][1] - (1 if v == "stock_conserved-ledger" else
                                    0))),
              "unreserved": s(lots["L1"]), "secondsLeft": s(600000)}, "epic")
    return bus


VARIANTS = ["good", "ready_before_delivery", "ready_before_delivery-reported",
            "delivered_was_picked", "picked_in_stock", "stock_conserved",
            "stock_conserved-ledger", "one_place_at_a_time",
            "one_place_at_a_time-overlap", "one_place_at_a_time-reported",
            "within_range", "stop_at_one_site",
            "site_in_one_stop", "bike_parcels_ready",
            "bike_parcels_ready-redelivery"]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for name in VARIANTS:
        make("" if name == "good" else name).write(os.path.join(out, name))
        print("%s/%s" % (out, name))


if __name__ == "__main__":
    main()
