#!/usr/bin/env python3
"""A Marseille-like data set for the tours service (deterministic).

Writes into OUTDIR:
  orders.jsonl    events as the orders service would publish them
                  (SiteRegistered, OrderPlaced, OrderStatusChanged ->
                  CONFIRMED), lz-cmdpub lines for --source orders
  gateway.jsonl   the operator's fleet (RegisterVehicle) and collection
                  requests, lz-cmdpub lines for --source gateway
  data.json       sites, vehicles, orders and collections, for checkers

Usage: gen.py OUTDIR DATE(YYYY-MM-DD) [ORDERS] [SEED] [VEHICLES]

VEHICLES (default 10) repeats the fleet's pattern: per ten, five diesel
vans, two electric vans (120 km of range) and three refrigerated vans.

The hub sits on the northern edge (~43.35N 5.37E), the bike relay in the
centre (~43.296N 5.375E); producers are outside the city; customers and
relay points spread over the arrondissements (the 1st and 6th, around the
Vieux-Port, are the "centre" zone served by bike).
"""
import datetime
import json
import os
import random
import sys
import time

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

# Arrondissements: (name, lat, lon, radius in degrees, zone)
ARRONDISSEMENTS = [
    ("1er", 43.2990, 5.3800, 0.004, "centre"),
    ("6e", 43.2890, 5.3800, 0.004, "centre"),
    ("2e", 43.3110, 5.3650, 0.006, "nord"),
    ("3e", 43.3120, 5.3800, 0.006, "nord"),
    ("4e", 43.3060, 5.4000, 0.006, "est"),
    ("5e", 43.2930, 5.3980, 0.006, "est"),
    ("7e", 43.2820, 5.3600, 0.006, "sud"),
    ("8e", 43.2500, 5.3800, 0.012, "sud"),
    ("9e", 43.2500, 5.4300, 0.012, "sud"),
    ("10e", 43.2770, 5.4250, 0.008, "est"),
    ("11e", 43.2880, 5.4800, 0.012, "est"),
    ("12e", 43.3070, 5.4400, 0.010, "est"),
    ("13e", 43.3500, 5.4300, 0.012, "nord"),
    ("14e", 43.3450, 5.3900, 0.008, "nord"),
    ("15e", 43.3500, 5.3600, 0.010, "nord"),
    ("16e", 43.3600, 5.3200, 0.008, "nord"),
]
PRODUCERS = [  # outside the city
    ("ferme-aubagne", 43.2930, 5.5700), ("ferme-allauch", 43.3370, 5.4820),
    ("fournil-gemenos", 43.2960, 5.6280), ("maraicher-gardanne", 43.4550, 5.4690),
    ("chevre-roquevaire", 43.3500, 5.6030), ("verger-vitrolles", 43.4600, 5.2480),
]
CLASSES = ["TEMPERATURE_CLASS_AMBIENT", "TEMPERATURE_CLASS_CHILLED",
           "TEMPERATURE_CLASS_FROZEN"]


def main():
    out, date = sys.argv[1], sys.argv[2]
    norders = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    y, m, d = map(int, date.split("-"))
    midnight = int(datetime.datetime(y, m, d, tzinfo=ZoneInfo("Europe/Paris")).timestamp())
    H = 3600
    now = int(time.time())
    os.makedirs(out, exist_ok=True)
    sites, orders_ev, gw_ev = {}, [], []

    def site(sid, kind, lat, lon, zone="", member="livrazou"):
        s = {"siteId": sid, "memberId": member, "name": sid, "kind": kind,
             "location": {"lat": round(lat, 6), "lon": round(lon, 6)},
             "zone": zone}
        sites[sid] = s
        orders_ev.append({"type": "lz.orders.v1.SiteRegistered",
                          "tenant": member, "payload": {"site": s}})

    site("hub-nord", "SITE_KIND_HUB", 43.3500, 5.3700, "nord")
    site("relais-velo", "SITE_KIND_BIKE_RELAY", 43.2960, 5.3750, "centre")
    for pid, lat, lon in PRODUCERS:
        site(pid, "SITE_KIND_PRODUCER", lat, lon, "", pid)
    customers = []
    for i in range(120):
        name, lat, lon, r, zone = ARRONDISSEMENTS[i % len(ARRONDISSEMENTS)]
        kind = "SITE_KIND_RELAY_POINT" if i % 5 == 0 else "SITE_KIND_CUSTOMER"
        sid = "%s-%s-%03d" % ("rp" if i % 5 == 0 else "c", name, i)
        site(sid, kind, lat + rnd.uniform(-r, r), lon + rnd.uniform(-r, r), zone)
        customers.append(sid)

    vehicles = []
    fleet = ([("van", "VEHICLE_KIND_DIESEL_VAN", "FUEL_TYPE_DIESEL", [(0, 700000, 8000000)])] * 5 +
             [("ev", "VEHICLE_KIND_ELECTRIC_VAN", "FUEL_TYPE_ELECTRICITY", [(0, 450000, 5000000)])] * 2 +
             [("frigo", "VEHICLE_KIND_REFRIGERATED_VAN", "FUEL_TYPE_DIESEL",
               [(0, 250000, 3000000), (1, 500000, 5000000), (2, 200000, 2000000)])] * 3)
    nveh = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    fleet = [fleet[i % len(fleet)] for i in range(nveh)]
    for i, (prefix, kind, fuel, comps) in enumerate(fleet):
        v = {"vehicleId": "%s-%02d" % (prefix, i + 1), "name": "%s %d" % (prefix, i + 1),
             "kind": kind, "fuel": fuel,
             "compartments": [{"temperatureClass": CLASSES[c], "capacityGrams": g,
                               "capacityMillilitres": ml} for c, g, ml in comps],
             "consumptionPer100km": 9000 if fuel == "FUEL_TYPE_DIESEL" else 22000,
             "costPerKmCents": 35 if fuel == "FUEL_TYPE_DIESEL" else 20,
             "costPerHourCents": 2500, "shiftStart": 6 * H, "shiftEnd": 16 * H,
             "homeHubSiteId": "hub-nord"}
        if fuel == "FUEL_TYPE_ELECTRICITY":
            v["rangeKm"] = 120
        vehicles.append(v)
        gw_ev.append({"type": "lz.tours.v1.RegisterVehicle", "tenant": "livrazou",
                      "actor": "hub-desk", "payload": {"vehicle": v}})

    orders = []

    def place(ref, dest, lines, window, source="ORDER_SOURCE_HUB_STOCK", pickup=None):
        oid = "m%d/%s" % (len(orders) % 4, ref)
        o = {"orderId": oid, "memberId": oid.split("/")[0], "reference": ref,
             "destinationSiteId": dest,
             "deliveryWindow": {"start": str(window[0]), "end": str(window[1])},
             "lines": lines, "source": source, "status": "ORDER_STATUS_PLACED",
             "placedAt": str(now), "updatedAt": str(now)}
        if pickup:
            o["pickupSiteId"], o["pickupWindow"] = pickup[0], {
                "start": str(pickup[1][0]), "end": str(pickup[1][1])}
        orders.append(o)
        orders_ev.append({"type": "lz.orders.v1.OrderPlaced", "tenant": o["memberId"],
                          "payload": {"order": o}})
        orders_ev.append({"type": "lz.orders.v1.OrderStatusChanged", "tenant": o["memberId"],
                          "payload": {"orderId": oid, "from": "ORDER_STATUS_PLACED",
                                      "to": "ORDER_STATUS_CONFIRMED", "at": str(now)}})

    for i in range(norders):
        dest = customers[rnd.randrange(len(customers))]
        lines = []
        for _ in range(rnd.randint(1, 3)):
            c = rnd.choices([0, 1, 2], [6, 3, 1])[0]
            lines.append({"product": "p%d" % rnd.randint(1, 50),
                          "quantity": rnd.randint(1, 4),
                          "unitGrams": rnd.choice([250, 500, 1000, 2000]),
                          "unitMillilitres": rnd.choice([800, 1500, 3000, 6000]),
                          "temperatureClass": CLASSES[c]})
        if i % 3 == 0:
            s = midnight + rnd.choice([8, 9, 10, 11, 12, 13]) * H
            window = (s, s + 3 * H)
        else:
            window = (midnight + 8 * H, midnight + 15 * H)
        if i % 25 == 0:
            pid = PRODUCERS[rnd.randrange(len(PRODUCERS))][0]
            place("o%04d" % i, dest, lines, (midnight + 8 * H, midnight + 15 * H),
                  "ORDER_SOURCE_PRODUCER_PICKUP",
                  (pid, (midnight + 7 * H, midnight + 11 * H)))
        else:
            place("o%04d" % i, dest, lines, window)

    collections = []
    for i in range(20):
        sid = customers[(i * 5) % len(customers)]
        c = {"requestId": "col-%03d" % i, "siteId": sid,
             "window": {"start": str(midnight + 9 * H), "end": str(midnight + 15 * H)},
             "loads": [{"temperatureClass": CLASSES[0], "grams": rnd.randint(2000, 30000),
                        "millilitres": rnd.randint(5000, 60000)}],
             "flow": "containers"}
        collections.append(c)
        gw_ev.append({"type": "lz.tours.v1.CollectionRequested", "tenant": "livrazou",
                      "actor": "hub-desk", "payload": c})

    with open(os.path.join(out, "orders.jsonl"), "w") as f:
        for e in orders_ev:
            f.write(json.dumps(e) + "\n")
    with open(os.path.join(out, "gateway.jsonl"), "w") as f:
        for e in gw_ev:
            f.write(json.dumps(e) + "\n")
    with open(os.path.join(out, "data.json"), "w") as f:
        json.dump({"date": date, "midnight": midnight, "sites": sites,
                   "vehicles": vehicles, "orders": orders,
                   "collections": collections}, f)


if __name__ == "__main__":
    main()
