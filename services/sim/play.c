/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * play.c -- the simulated days, played through the gateway as the partner
 * systems would: the operator's desk registers the territory and receives
 * stock, the members' order tools place orders, the operator plans the
 * waves, binds each van's driver for the day, the hub picks each tour's
 * list (a few lines short), the drivers' phones report each stop on the
 * accelerated clock.
 * What the simulator waits for, it reads from the services' read models.
 */
#include "play.h"

#include "lz_client.h"
#include "lz_date.h"
#include "lz_partners.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static json_t *
compartment(enum sim_class c, uint32_t kg)
{
	return json_pack("{s:s,s:I,s:I}", "temperatureClass", sim_class_name(c),
			 "capacityGrams", (json_int_t)kg * 1000,
			 "capacityMillilitres", (json_int_t)kg * 2500);
}

static int
register_territory(struct sim_run *r)
{
	const struct sim_territory *t = &r->t;
	int bad = 0;

	for (size_t i = 0; i < t->n_members; i++)
		bad |= sim_submit(r, "operator", "lz.orders.v1.RegisterMember",
				  json_pack("{s:{s:s,s:s,s:s}}", "member",
					    "memberId", t->members[i].id,
					    "name", t->members[i].name, "kind",
					    t->members[i].kind)) < 0;
	for (size_t i = 0; i < t->n_sites && !bad; i++) {
		const struct sim_site *s = &t->sites[i];

		bad |= sim_submit(
			       r, "operator", "lz.orders.v1.RegisterSite",
			       json_pack(
				       "{s:{s:s,s:s,s:s,s:s,s:{s:f,s:f},s:s}}",
				       "site", "siteId", s->id, "memberId",
				       s->member, "name", s->name, "kind",
				       s->kind, "location", "lat", s->lat,
				       "lon", s->lon, "zone", s->zone)) < 0;
	}
	for (size_t i = 0; i < t->n_vehicles && !bad; i++) {
		const struct sim_vehicle *v = &t->vehicles[i];
		json_t *comp = json_array();

		json_array_append_new(comp,
				      compartment(SIM_AMBIENT, v->ambient_kg));
		if (v->chilled_kg)
			json_array_append_new(
				comp, compartment(SIM_CHILLED, v->chilled_kg));
		if (v->frozen_kg)
			json_array_append_new(
				comp, compartment(SIM_FROZEN, v->frozen_kg));
		json_t *veh = json_pack(
			"{s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:i,s:i,s:s,s:I}",
			"vehicleId", v->id, "name", v->name, "kind", v->kind,
			"fuel", v->fuel, "compartments", comp, "costPerKmCents",
			(json_int_t)v->cost_km_cents, "costPerHourCents",
			(json_int_t)v->cost_hour_cents, "shiftStart", 5 * 3600,
			"shiftEnd", 21 * 3600, "homeHubSiteId", t->hub->id,
			"consumptionPer100km", (json_int_t)v->per_100km);

		if (v->range_km > 0)
			json_object_set_new(veh, "rangeKm",
					    json_integer(v->range_km));
		bad |= sim_submit(r, "operator", "lz.tours.v1.RegisterVehicle",
				  json_pack("{s:o}", "vehicle", veh)) < 0;
	}
	for (int c = SIM_AMBIENT; c <= SIM_FROZEN && !bad; c++) {
		static const char *const zone[] = {"", "sec", "froid",
						   "surgele"};

		bad |= sim_submit(r, "operator", "lz.inventory.v1.SetZone",
				  json_pack("{s:{s:s,s:s,s:I,s:I}}", "zone",
					    "zoneId", zone[c],
					    "temperatureClass",
					    sim_class_name((enum sim_class)c),
					    "capacityGrams",
					    (json_int_t)50000000000LL,
					    "capacityMillilitres",
					    (json_int_t)100000000000LL)) < 0;
	}
	return bad ? -1 : 0;
}

static int
receive_stock(struct sim_run *r, const char *date, int64_t midnight)
{
	static const char *const zone[] = {"", "sec", "froid", "surgele"};
	uint32_t scale = 1 + (uint32_t)(r->orders / 40);
	int bad = 0;

	for (size_t i = 0; i < r->t.n_products && !bad; i++) {
		const struct sim_product *p = &r->t.products[i];
		char lot[96];

		snprintf(lot, sizeof(lot), "L-%s-%s", date, p->product);
		bad |= sim_submit(r, "operator", "lz.inventory.v1.ReceiveLot",
				  json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s,"
					    "s:I,s:s}",
					    "lotId", lot, "ownerMemberId",
					    p->member, "product", p->product,
					    "quantity",
					    (json_int_t)p->stock * scale,
					    "unitGrams",
					    (json_int_t)p->unit_grams,
					    "unitMillilitres",
					    (json_int_t)p->unit_ml,
					    "temperatureClass",
					    sim_class_name(p->cls), "dateKind",
					    p->cls == SIM_AMBIENT
						    ? "DATE_KIND_BEST_BEFORE"
						    : "DATE_KIND_USE_BY",
					    "date",
					    (json_int_t)(midnight + 8 * 86400),
					    "zoneId", zone[p->cls])) < 0;
	}
	return bad ? -1 : 0;
}

static json_t *
window(int64_t start, int64_t end)
{
	return json_pack("{s:I,s:I}", "start", (json_int_t)start, "end",
			 (json_int_t)end);
}

/* One line of an order; its deposit containers, one per unit, when the
 * product travels in them. */
static json_t *
order_line(const struct sim_line *l)
{
	json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:s}", "product", l->p->product,
			      "quantity", (json_int_t)l->quantity, "unitGrams",
			      (json_int_t)l->p->unit_grams, "unitMillilitres",
			      (json_int_t)l->p->unit_ml, "temperatureClass",
			      sim_class_name(l->p->cls));

	if (l->p->container)
		json_object_set_new(j, "containers",
				    json_pack("[{s:s,s:I}]", "containerType",
					      l->p->container, "count",
					      (json_int_t)l->quantity));
	return j;
}

static int
place_orders(struct sim_run *r, const struct sim_order *v, size_t n)
{
	size_t refused = 0;

	for (size_t i = 0; i < n && !sim_stopping; i++) {
		const struct sim_order *o = &v[i];
		json_t *lines = json_array(), *p;
		int rc;

		for (int l = 0; l < o->n_lines; l++)
			json_array_append_new(lines, order_line(&o->lines[l]));
		p = json_pack("{s:s,s:s,s:o,s:o,s:s}", "reference",
			      o->reference, "destinationSiteId", o->dest->id,
			      "deliveryWindow", window(o->start, o->end),
			      "lines", lines, "source",
			      o->pickup ? "ORDER_SOURCE_PRODUCER_PICKUP"
					: "ORDER_SOURCE_HUB_STOCK");
		if (o->pickup) {
			json_object_set_new(p, "pickupSiteId",
					    json_string(o->pickup->id));
			json_object_set_new(
				p, "pickupWindow",
				window(o->pickup_start, o->pickup_end));
		}
		rc = sim_submit(r, o->member->partner,
				"lz.orders.v1.PlaceOrder", p);
		if (rc < 0)
			return -1;
		sim_jars_ordered(r, o);
		refused += rc;
	}
	sim_say(r,
		"  %zu orders placed by the members' order tools (%zu "
		"refused at the gateway)\n",
		n, refused);
	return sim_stopping ? -1 : 0;
}

/* The operator binds each van's driver for DATE (AssignDriver), before
 * the waves: the drivers' phone (the one "driver" partner of the hub's
 * member drives every van) is the only driver who may report on their
 * tours, and receives them.  Returns 0, or -1 when a command cannot be
 * sent. */
static int
assign_drivers(struct sim_run *r, const char *date)
{
	const char *driver = sim_partner_of(r->t.hub->member, "driver");
	int bad = 0;

	if (driver == NULL)
		return 0;
	for (size_t i = 0; i < r->t.n_vehicles && !bad; i++)
		bad |= sim_submit(r, "operator", "lz.tours.v1.AssignDriver",
				  json_pack("{s:s,s:s,s:s}", "date", date,
					    "vehicleId", r->t.vehicles[i].id,
					    "driverId", driver)) < 0;
	if (!bad)
		sim_say(r, "  %zu vans driven by %s\n", r->t.n_vehicles,
			driver);
	return bad ? -1 : 0;
}

/* Plans WAVE of DATE and waits for lz-tours to publish it.  Returns 0,
 * or -1 (refused, or not planned in time). */
static int
plan_wave(struct sim_run *r, const char *date, const char *wave)
{
	long long before =
		lz_client_metric(r->api.tours, "lz_tours_waves_total", 5000);
	int64_t end = lz_mono_us() + (int64_t)r->timeout_s * 1000000;
	unsigned long dup = r->duplicates;

	if (before < 0) {
		fprintf(stderr, "lz-sim: no metrics from lz-tours at %s\n",
			r->api.tours);
		return -1;
	}
	if (sim_submit(r, "operator", "lz.tours.v1.PlanWave",
		       json_pack("{s:s,s:s}", "date", date, "wave", wave)) != 0)
		return -1;
	/* Planned by an earlier run of the same seed on this state. */
	if (r->duplicates > dup)
		return 0;
	while (!sim_stopping && lz_mono_us() < end) {
		if (lz_client_metric(r->api.tours, "lz_tours_waves_total",
				     5000) > before)
			return 0;
		sim_nap_ms(100);
	}
	fprintf(stderr, "lz-sim: lz-tours did not plan %s/%s in time\n", date,
		wave);
	return -1;
}

/* The hub picks every tour of WAVE of DATE that lz-inventory lists
 * (GET /v1/picking/<date>): PickTour from the hub's desk, as listed but
 * for the lines sim_pick_short() finds short.  Returns 0, or -1 when a
 * service does not answer. */
static int
pick_wave(struct sim_run *r, const char *date, const char *wave)
{
	char path[64], err[256];
	json_t *all, *l;
	size_t i, tours = 0, shorts = 0;
	long long units = 0, missing = 0;
	int rc = 0;

	if (r->api.inventory == NULL || r->api.inventory[0] == '\0')
		return 0;
	snprintf(path, sizeof(path), "/v1/picking/%s", date);
	if ((all = lz_client_get_json(r->api.inventory, path, 5000, err,
				      sizeof(err))) == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	json_array_foreach(json_object_get(all, "lists"), i, l)
	{
		const char *id =
			json_string_value(json_object_get(l, "tourId"));
		const char *w = json_string_value(json_object_get(l, "wave"));
		const char *st =
			json_string_value(json_object_get(l, "status"));
		json_t *picked = json_array(), *todo = json_object(), *o, *c,
		       *ln;
		size_t k, m;

		if (!id || !w || strcmp(w, wave) != 0 || !st ||
		    strcmp(st, "PICKING_STATUS_LISTED") != 0) {
			json_decref(picked);
			json_decref(todo);
			continue;
		}
		json_array_foreach(json_object_get(l, "orders"), k, o)
		{
			const char *os =
				json_string_value(json_object_get(o, "status"));

			if (os && strcmp(os, "PICKING_STATUS_LISTED") == 0)
				json_object_set_new(
					todo,
					json_string_value(
						json_object_get(o, "orderId")),
					json_true());
		}
		json_array_foreach(json_object_get(l, "compartments"), k, c)
		{
			json_array_foreach(json_object_get(c, "lines"), m, ln)
			{
				const char *oid = json_string_value(
					json_object_get(ln, "orderId"));
				const char *lot = json_string_value(
					json_object_get(ln, "lotId"));
				int64_t q = sim_jint(ln, "quantity");
				unsigned line = (unsigned)sim_jint(ln, "line");
				int64_t s;

				if (!oid || !lot || !json_object_get(todo, oid))
					continue;
				units += q;
				s = sim_pick_short(r->seed, id, oid, line, lot,
						   q, r->short_pick_permille);
				if (s == 0)
					continue;
				shorts++;
				missing += s;
				json_array_append_new(
					picked,
					json_pack("{s:s,s:i,s:s,s:I}",
						  "orderId", oid, "line",
						  (int)line, "lotId", lot,
						  "quantity",
						  (json_int_t)(q - s)));
			}
		}
		json_decref(todo);
		tours++;
		if (sim_submit(r, "operator", "lz.inventory.v1.PickTour",
			       json_pack("{s:s,s:o}", "tourId", id, "picked",
					 picked)) < 0) {
			rc = -1;
			break;
		}
	}
	json_decref(all);
	if (rc == 0)
		sim_say(r,
			"  hub picked %zu tours of %s/%s: %lld units listed, "
			"%lld not found on %zu lines (short picks)\n",
			tours, date, wave, units, missing, shorts);
	return rc;
}

static const char *const fail_name[] = {"", "FAIL_REASON_CLOSED",
					"FAIL_REASON_ABSENT"};
static const char *const fail_note[] = {"", "rideau baisse",
					"personne pour receptionner"};

/* A completed stop, with the empty jars the customer gives back (when
 * the returns service keeps the deposits). */
static json_t *
stop_completed(struct sim_run *r, const char *tour, const json_t *at,
	       unsigned stop)
{
	json_t *j =
		json_pack("{s:s,s:i}", "tourId", tour, "stopIndex", (int)stop);
	unsigned empties = sim_jars_back(
		r, json_string_value(json_object_get(at, "siteId")),
		json_object_get(at, "taskIds"),
		json_object_get(at, "taskKinds"),
		sim_stop_empties(r->seed, tour, stop));

	if (empties && r->api.returns && r->api.returns[0])
		json_object_set_new(j, "containersCollected",
				    json_pack("[{s:s,s:I}]", "containerType",
					      r->t.containers[0].id, "count",
					      (json_int_t)empties));
	return j;
}

/* One driver's report for STEP of the tours TS (their JSON). */
static int
report(struct sim_run *r, const json_t *ts, const struct sim_step *st,
       long long *odometer, size_t *failed)
{
	const json_t *tour = json_array_get(ts, (size_t)st->tour);
	const char *id = json_string_value(json_object_get(tour, "tourId"));
	const json_t *stop =
		json_array_get(json_object_get(tour, "stops"), st->stop);
	const char *site = json_string_value(json_object_get(stop, "siteId"));
	int why;

	switch (st->act) {
	case SIM_ACT_START:
		sim_say(r, "  %s leaves %s (%u stops, %.1f km planned)\n", id,
			r->t.hub->id,
			(unsigned)json_array_size(
				json_object_get(tour, "stops")) -
				2,
			(double)sim_jint(tour, "distanceM") / 1000.0);
		return sim_report(r, "driver", "lz.tours.v1.TourStarted",
				  json_pack("{s:s,s:I}", "tourId", id,
					    "odometerKm", *odometer),
				  st->at);
	case SIM_ACT_ARRIVE:
		return sim_report(r, "driver", "lz.tours.v1.StopArrived",
				  json_pack("{s:s,s:i}", "tourId", id,
					    "stopIndex", (int)st->stop),
				  st->at);
	case SIM_ACT_DONE:
		why = sim_stop_fails(r->seed, id, st->stop,
				     r->failure_permille);
		if (why == 0)
			return sim_report(
				r, "driver", "lz.tours.v1.StopCompleted",
				stop_completed(r, id, stop, st->stop), st->at);
		(*failed)++;
		sim_say(r, "  %s stop %u at %s failed: %s\n", id, st->stop,
			site ? site : "?", fail_note[why]);
		return sim_report(r, "driver", "lz.tours.v1.StopFailed",
				  json_pack("{s:s,s:i,s:s,s:s}", "tourId", id,
					    "stopIndex", (int)st->stop,
					    "reason", fail_name[why], "note",
					    fail_note[why]),
				  st->at);
	case SIM_ACT_END:
		*odometer += (long long)ceil(
			(double)sim_driven_m(r->seed, id,
					     sim_jint(tour, "distanceM")) /
			1000.0);
		sim_say(r, "  %s back at the hub\n", id);
		return sim_report(r, "driver", "lz.tours.v1.TourCompleted",
				  json_pack("{s:s,s:I}", "tourId", id,
					    "odometerKm", *odometer),
				  st->at);
	}
	return -1;
}

/* Drives every tour of WAVE of DATE: the drivers' reports in planned
 * order, the clock accelerated SPEED times. */
static int
drive_wave(struct sim_run *r, const char *date, const char *wave)
{
	char path[64], err[256];
	json_t *all, *ts, *t;
	struct sim_tour_plan *plans;
	struct sim_step *steps;
	int64_t **times;
	long long *odo;
	size_t n, n_steps, failed = 0, i;
	int rc = 0;

	snprintf(path, sizeof(path), "/v1/tours/%s", date);
	if ((all = lz_client_get_json(r->api.tours, path, 5000, err,
				      sizeof(err))) == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	ts = json_array();
	json_array_foreach(json_object_get(all, "tours"), i, t)
	{
		const char *w = json_string_value(json_object_get(t, "wave"));
		const char *s = json_string_value(json_object_get(t, "status"));

		if (w && !strcmp(w, wave) &&
		    (!s || !strcmp(s, "TOUR_STATUS_PLANNED")))
			json_array_append(ts, t);
	}
	json_decref(all);
	n = json_array_size(ts);
	sim_say(r, "  wave %s/%s: %zu tours\n", date, wave, n);
	plans = xcalloc(n ? n : 1, sizeof(*plans));
	times = xcalloc(n ? n : 1, sizeof(*times));
	odo = xcalloc(n ? n : 1, sizeof(*odo));
	json_array_foreach(ts, i, t)
	{
		json_t *stops = json_object_get(t, "stops"), *s;
		size_t k, ns = json_array_size(stops);

		times[i] = xcalloc(2 * (ns ? ns : 1), sizeof(int64_t));
		json_array_foreach(stops, k, s)
		{
			times[i][k] = sim_jint(s, "arrival");
			times[i][ns + k] = sim_jint(s, "departure");
		}
		plans[i] = (struct sim_tour_plan){sim_jint(t, "start"),
						  sim_jint(t, "end"), times[i],
						  times[i] + ns, (unsigned)ns};
		/* Each van's odometer, from the vehicle's index. */
		odo[i] = 42000 + 1000LL * (long long)(i + 1);
	}
	steps = sim_timeline(plans, n, &n_steps);
	for (size_t s = 0; s < n_steps && rc >= 0 && !sim_stopping; s++) {
		if (s > 0)
			sim_nap_ms(sim_sleep_ms(steps[s - 1].at, steps[s].at,
						r->speed, 2000));
		rc = report(r, ts, &steps[s], &odo[steps[s].tour], &failed);
		rc = rc > 0 ? 0 : rc; /* a refusal is counted, not fatal */
	}
	sim_say(r, "  wave %s/%s driven: %zu failed stops\n", date, wave,
		failed);
	free(steps);
	for (i = 0; i < n; i++)
		free(times[i]);
	free(times);
	free(plans);
	free(odo);
	json_decref(ts);
	return sim_stopping ? -1 : rc;
}

static int
returns_on(const struct sim_run *r)
{
	return r->api.returns && r->api.returns[0];
}

static int
bikes_on(const struct sim_run *r)
{
	return r->api.bikes && r->api.bikes[0];
}

static int
play_day(struct sim_run *r, int day)
{
	char date[11];
	int64_t midnight;
	struct sim_order *orders;

	if (sim_date_add(r->first_date, day, date) < 0 ||
	    lz_date_midnight(date, &midnight, NULL) < 0)
		return -1;
	sim_say(r, "day %d: %s\n", day + 1, date);
	if (receive_stock(r, date, midnight) < 0)
		return -1;
	sim_say(r, "  stock received at %s: %zu lots\n", r->t.hub->id,
		r->t.n_products);
	orders = sim_orders_make(&r->t, r->seed, day + 1, midnight, r->orders);
	if (place_orders(r, orders, r->orders) < 0 || sim_settle(r) < 0) {
		free(orders);
		return -1;
	}
	free(orders);
	/* Collections are asked for the next day (the first one played). */
	if (day == 0 && returns_on(r) &&
	    (sim_returns_declare(r, day + 1, midnight) < 0 ||
	     sim_settle(r) < 0))
		return -1;
	/* Morning: the hub's stock, the bike relay before 10:00, the
	 * producers' pickups (and yesterday's failed deliveries); the hub
	 * picks the tours before they leave. */
	if (assign_drivers(r, date) < 0 || plan_wave(r, date, "am") < 0 ||
	    sim_settle(r) < 0 || pick_wave(r, date, "am") < 0 ||
	    sim_settle(r) < 0 || drive_wave(r, date, "am") < 0)
		return -1;
	/* The centre's parcels are at the bike relay: the riders' turn. */
	if (bikes_on(r) && (sim_settle(r) < 0 || sim_bikes_ride(r, date) < 0))
		return -1;
	/* Afternoon: what was collected this morning, once unloaded. */
	if (sim_settle(r) < 0 || plan_wave(r, date, "pm") < 0 ||
	    sim_settle(r) < 0 || pick_wave(r, date, "pm") < 0 ||
	    sim_settle(r) < 0 || drive_wave(r, date, "pm") < 0 ||
	    sim_settle(r) < 0)
		return -1;
	/* What the afternoon's vans dropped at the relay (the centre's
	 * producer pickups), then the end of the riders' day. */
	if (bikes_on(r) &&
	    (sim_bikes_ride(r, date) < 0 || sim_bikes_end(r) < 0))
		return -1;
	if (returns_on(r) &&
	    (sim_returns_confirm(r) < 0 || sim_returns_wash(r, date) < 0 ||
	     sim_settle(r) < 0))
		return -1;
	return 0;
}

int
sim_play(struct sim_run *r)
{
	sim_say(r,
		"territory: %zu members, %zu sites, %zu vans, hub %s, bike "
		"relay %s\n",
		r->t.n_members, r->t.n_sites, r->t.n_vehicles, r->t.hub->id,
		r->t.relay->id);
	if (register_territory(r) < 0 ||
	    (returns_on(r) && sim_returns_register(r) < 0) ||
	    (bikes_on(r) && sim_bikes_register(r) < 0))
		return -1;
	for (int d = 0; d < r->days; d++)
		if (play_day(r, d) < 0)
			return -1;
	sim_say(r,
		"commands: %lu submitted, %lu accepted, %lu duplicates, %lu "
		"refused\n",
		r->submitted, r->accepted, r->duplicates, r->rejected);
	return 0;
}
