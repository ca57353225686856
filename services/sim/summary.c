/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * summary.c -- the day's figures, every one read from a service's read
 * model or metrics (the simulator counts and prints, it computes nothing
 * the services did not).
 */
#include "play.h"

#include "lz_client.h"
#include "lz_date.h"
#include "lz_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* S without PREFIX when it starts with it. */
static const char *
strip(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : s;
}

static json_int_t
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	return json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : 0;
}

static void
bump(json_t *o, const char *key, json_int_t by)
{
	json_object_set_new(o, key, json_integer(jint(o, key) + by));
}

/* Adds DATE's orders (every shipper's, from lz-orders) to ORDERS, their
 * count by status to BY. */
static int
read_orders(const struct sim_run *r, const char *date, json_t *relay_tasks,
	    json_t *by)
{
	char path[256], err[256];

	for (size_t i = 0; i < r->t.n_members; i++) {
		const struct sim_member *m = &r->t.members[i];
		json_t *l, *o;
		size_t k;

		if (!sim_member_ships(m))
			continue;
		snprintf(path, sizeof(path),
			 "/v1/orders?member=%s&date=%s&limit=1000", m->id,
			 date);
		l = lz_client_get_json(r->api.orders, path, 5000, err,
				       sizeof(err));
		if (l == NULL) {
			fprintf(stderr, "lz-sim: %s\n", err);
			return -1;
		}
		json_array_foreach(json_object_get(l, "orders"), k, o)
		{
			const char *st = jstr(o, "status");
			char key[160];

			st = strip(st, "ORDER_STATUS_");
			bump(by, "total", 1);
			bump(by, st, 1);
			snprintf(key, sizeof(key), "del:%s",
				 jstr(o, "orderId"));
			if (!strcmp(st, "DELIVERED"))
				bump(by,
				     json_object_get(relay_tasks, key)
					     ? "DELIVERED_BY_BIKE"
					     : "DELIVERED_BY_VAN",
				     1);
		}
		json_decref(l);
	}
	return 0;
}

/* DATE's tours from lz-tours, appended to TOURS; the ids of its relay
 * deliveries (the orders handed to the bikes) set in RELAY. */
static int
read_tours(const struct sim_run *r, const char *date, json_t *tours,
	   json_t *relay)
{
	char path[64], err[256];
	json_t *l, *t, *s, *out;
	size_t i, k;

	snprintf(path, sizeof(path), "/v1/tasks/%s", date);
	if ((l = lz_client_get_json(r->api.tours, path, 5000, err,
				    sizeof(err))) == NULL)
		goto fail;
	json_array_foreach(json_object_get(l, "tasks"), i, t)
	{
		if (!strcmp(jstr(t, "kind"), "TASK_KIND_RELAY_DELIVERY"))
			json_object_set_new(relay, jstr(t, "taskId"),
					    json_true());
	}
	json_decref(l);
	snprintf(path, sizeof(path), "/v1/tours/%s", date);
	if ((l = lz_client_get_json(r->api.tours, path, 5000, err,
				    sizeof(err))) == NULL)
		goto fail;
	json_array_foreach(json_object_get(l, "tours"), i, t)
	{
		json_t *stops = json_object_get(t, "stops"),
		       *fill = json_array();
		json_int_t failed = 0, done = 0;
		size_t ns = json_array_size(stops);

		json_array_foreach(stops, k, s)
		{
			failed += !strcmp(jstr(s, "status"),
					  "STOP_STATUS_FAILED");
			done += !strcmp(jstr(s, "status"),
					"STOP_STATUS_COMPLETED");
		}
		json_array_foreach(json_object_get(t, "fill"), k, s)
		{
			if (jint(s, "capacityGrams") == 0)
				continue;
			json_array_append_new(
				fill,
				json_pack("{s:s,s:I}", "class",
					  strip(jstr(s, "temperatureClass"),
						"TEMPERATURE_CLASS_"),
					  "permille", jint(s, "fillPermille")));
		}
		out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o}",
				"tourId", jstr(t, "tourId"), "vehicleId",
				jstr(t, "vehicleId"), "vehicleKind",
				strip(jstr(t, "vehicleKind"), "VEHICLE_KIND_"),
				"status",
				strip(jstr(t, "status"), "TOUR_STATUS_"),
				"stops", (json_int_t)(ns > 2 ? ns - 2 : 0),
				"stopsCompleted", done, "stopsFailed", failed,
				"distanceM", jint(t, "distanceM"), "odometerKm",
				jint(t, "odometerKm"), "fill", fill);
		json_array_append_new(tours, out);
	}
	json_decref(l);
	return 0;
fail:
	fprintf(stderr, "lz-sim: %s\n", err);
	return -1;
}

/* lz-tours' counters in the summary. */
static const struct {
	const char *key, *metric;
} tour_metrics[] = {
	{"stopsCompleted", "lz_tours_stops_completed_total"},
	{"stopsFailed", "lz_tours_stops_failed_total"},
	{"plannedM", "lz_tours_planned_meters_total"},
	{"completedM", "lz_tours_completed_meters_total"},
};

/* The stock from lz-inventory: its totals and conservation
 * (/v1/invariants), the picking lists of the days played and its picking
 * counters; the starts lz-tours refused for want of picking. */
static json_t *
read_inventory(const struct sim_run *r, const json_t *dates)
{
	static const char *const totals[] = {"received", "picked",  "adjusted",
					     "expired",  "inStock", "reserved"};
	char path[64], err[256];
	json_t *inv, *out = json_object(), *d, *all, *l;
	json_int_t lists = 0, listed = 0, picked = 0;
	size_t i, k;

	if ((inv = lz_client_get_json(r->api.inventory, "/v1/invariants", 30000,
				      err, sizeof(err))) == NULL)
		goto fail;
	for (i = 0; i < LZ_ARRAY_LEN(totals); i++)
		json_object_set_new(out, totals[i],
				    json_integer(jint(inv, totals[i])));
	json_object_set_new(
		out, "conserved",
		json_boolean(json_is_true(json_object_get(inv, "ok"))));
	json_decref(inv);
	json_array_foreach(dates, i, d)
	{
		snprintf(path, sizeof(path), "/v1/picking/%s",
			 json_string_value(d));
		if ((all = lz_client_get_json(r->api.inventory, path, 5000, err,
					      sizeof(err))) == NULL)
			goto fail;
		json_array_foreach(json_object_get(all, "lists"), k, l)
		{
			lists++;
			listed += jint(l, "units");
			picked += jint(l, "pickedUnits");
		}
		json_decref(all);
	}
	json_object_set_new(out, "pickingLists", json_integer(lists));
	json_object_set_new(out, "unitsListed", json_integer(listed));
	json_object_set_new(out, "unitsPickedListed", json_integer(picked));
	json_object_set_new(out, "toursPicked",
			    json_integer(lz_client_metric(
				    r->api.inventory,
				    "lz_inventory_tours_picked_total", 5000)));
	json_object_set_new(out, "shortPicks",
			    json_integer(lz_client_metric(
				    r->api.inventory,
				    "lz_inventory_short_picks_total", 5000)));
	json_object_set_new(
		out, "startsRefusedNotPicked",
		json_integer(lz_client_metric(
			r->api.tours,
			"lz_tours_refused_total{reason=\"not_picked\"}",
			5000)));
	return out;
fail:
	fprintf(stderr, "lz-sim: %s\n", err);
	json_decref(out);
	return NULL;
}

/* The riders' runs of DATE from lz-bikes, appended to RUNS. */
static int
read_runs(const struct sim_run *r, const char *date, json_t *runs)
{
	char path[64], err[256];
	json_t *l, *run, *st;
	size_t i, k;

	snprintf(path, sizeof(path), "/v1/runs/%s", date);
	if ((l = lz_client_get_json(r->api.bikes, path, 5000, err,
				    sizeof(err))) == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	json_array_foreach(json_object_get(l, "runs"), i, run)
	{
		json_int_t parcels = 0, stops = 0;

		json_array_foreach(json_object_get(run, "stops"), k, st)
		{
			parcels += (json_int_t)json_array_size(
				json_object_get(st, "parcelIds"));
			stops += !strcmp(jstr(st, "kind"), "STOP_KIND_VISIT");
		}
		json_array_append_new(
			runs,
			json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "runId",
				  jstr(run, "runId"), "riderId",
				  jstr(run, "riderId"), "bikeId",
				  jstr(run, "bikeId"), "status",
				  strip(jstr(run, "status"), "RUN_STATUS_"),
				  "visits", stops, "parcels", parcels,
				  "distanceM", jint(run, "distanceM")));
	}
	json_decref(l);
	return 0;
}

/* lz-bikes' runs (of today, when the riders started, and of the days
 * played) and its counters. */
static json_t *
read_bikes(const struct sim_run *r, const json_t *dates, const char *today)
{
	static const struct {
		const char *key, *metric;
	} m[] = {
		{"parcelsDelivered", "lz_bikes_parcels_delivered_total"},
		{"parcelsFailed", "lz_bikes_parcels_failed_total"},
		{"parcelsAtRelayPoint",
		 "lz_bikes_parcels_at_relay_point_total"},
		{"pickupsCollected", "lz_bikes_pickups_collected_total"},
		{"parcelsWaiting", "lz_bikes_parcels_waiting"},
		{"riddenM", "lz_bikes_ridden_meters_total"},
	};
	json_t *out = json_object(), *runs = json_array(), *d;
	size_t i;
	int bad = 0;

	bad |= read_runs(r, today, runs);
	json_array_foreach(dates, i, d)
	{
		if (strcmp(json_string_value(d), today) != 0)
			bad |= read_runs(r, json_string_value(d), runs);
	}
	json_object_set_new(out, "runs", runs);
	for (size_t k = 0; k < LZ_ARRAY_LEN(m); k++)
		json_object_set_new(out, m[k].key,
				    json_integer(lz_client_metric(
					    r->api.bikes, m[k].metric, 5000)));
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The reverse flows (every one, with where it went) and the deposit
 * balances, from lz-returns. */
static json_t *
read_returns(const struct sim_run *r)
{
	char err[256];
	json_t *flows, *bal, *out, *f, *fl = json_array(), *bl = json_array();
	size_t i;

	flows = lz_client_get_json(r->api.returns, "/v1/flows?status=all", 5000,
				   err, sizeof(err));
	bal = flows ? lz_client_get_json(r->api.returns, "/v1/balances", 5000,
					 err, sizeof(err))
		    : NULL;
	if (flows == NULL || bal == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		json_decref(flows);
		json_decref(fl);
		json_decref(bl);
		return NULL;
	}
	json_array_foreach(json_object_get(flows, "flows"), i, f)
	{
		json_array_append_new(
			fl,
			json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:I}", "flowId",
				  jstr(f, "flowId"), "category",
				  jstr(f, "category"), "siteId",
				  jstr(f, "siteId"), "grams", jint(f, "grams"),
				  "status",
				  strip(jstr(f, "status"), "FLOW_STATUS_"),
				  "level",
				  strip(jstr(f, "level"), "HIERARCHY_LEVEL_"),
				  "outletId", jstr(f, "outletId"),
				  "actualGrams", jint(f, "actualGrams")));
	}
	json_array_foreach(json_object_get(bal, "balances"), i, f)
	{
		if (jint(f, "count") == 0)
			continue;
		json_array_append_new(
			bl, json_pack("{s:s,s:s,s:s,s:I,s:I}", "account",
				      jstr(f, "account"), "memberId",
				      jstr(f, "memberId"), "containerType",
				      jstr(f, "containerType"), "count",
				      jint(f, "count"), "depositCents",
				      jint(f, "depositCents")));
	}
	out = json_pack("{s:o,s:o,s:O}", "flows", fl, "balances", bl,
			"balanced",
			json_object_get(bal, "balanced")
				? json_object_get(bal, "balanced")
				: json_false());
	json_decref(flows);
	json_decref(bal);
	return out;
}

/* The period's report from lz-impact: km and CO2e against the members'
 * own rounds, fill, bike share, food diverted, containers reused. */
static json_t *
read_impact(const struct sim_run *r, const char *from, const char *to)
{
	static const char *const keys[] = {
		"actualM",          "actualCo2eG",
		"counterfactualM",  "counterfactualCo2eG",
		"avoidedM",         "avoidedCo2eG",
		"avoidedPermille",  "emptyPermille",
		"deliveries",       "bikeDeliveries",
		"bikePermille",     "foodDivertedG",
		"containersReused", "reusedDepositCents",
	};
	char path[128], err[256];
	json_t *rep, *out = json_object();

	snprintf(path, sizeof(path), "/v1/report?from=%s&to=%s", from, to);
	if ((rep = lz_client_get_json(r->api.impact, path, 60000, err,
				      sizeof(err))) == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < LZ_ARRAY_LEN(keys); i++)
		json_object_set_new(out, keys[i],
				    json_integer(jint(rep, keys[i])));
	json_object_set_new(out, "from", json_string(from));
	json_object_set_new(out, "to", json_string(to));
	json_object_set_new(out, "method",
			    json_string(strip(jstr(rep, "method"),
					      "COUNTERFACTUAL_METHOD_")));
	json_decref(rep);
	return out;
}

json_t *
sim_summary_read(const struct sim_run *r)
{
	json_t *s = json_object(), *dates = json_array(), *tours = json_array();
	json_t *by = json_object(), *relay = json_object();
	char date[11], today[11] = "";

	for (int d = 0; d < r->days; d++) {
		if (sim_date_add(r->first_date, d, date) < 0)
			goto fail;
		json_array_append_new(dates, json_string(date));
		if (read_tours(r, date, tours, relay) < 0)
			goto fail;
	}
	/* An order's date is its delivery window's: read them after every
	 * day's tasks are known. */
	for (int d = 0; d < r->days; d++) {
		sim_date_add(r->first_date, d, date);
		if (read_orders(r, date, relay, by) < 0)
			goto fail;
	}
	json_decref(relay);
	lz_date_local((int64_t)time(NULL), today);
	if (r->api.inventory && r->api.inventory[0]) {
		json_t *inv = read_inventory(r, dates);

		if (inv == NULL)
			goto fail_after;
		json_object_set_new(s, "inventory", inv);
	}
	if (r->api.bikes && r->api.bikes[0]) {
		json_t *bk = read_bikes(r, dates, today);

		if (bk == NULL)
			goto fail_after;
		json_object_set_new(s, "bikes", bk);
	}
	if (r->api.returns && r->api.returns[0]) {
		json_t *ret = read_returns(r);

		if (ret == NULL)
			goto fail_after;
		json_object_set_new(s, "returns", ret);
	}
	if (r->api.impact && r->api.impact[0]) {
		/* The drivers report today: lz-impact counts deliveries on
		 * the day they happen, tours on their date. */
		json_t *imp = read_impact(
			r,
			strcmp(today, r->first_date) < 0 ? today
							 : r->first_date,
			json_string_value(json_array_get(dates, r->days - 1)));

		if (imp == NULL)
			goto fail_after;
		json_object_set_new(s, "impact", imp);
	}
	json_object_set_new(s, "dates", dates);
	json_object_set_new(s, "orders", by);
	json_object_set_new(s, "tours", tours);
	for (size_t i = 0; i < LZ_ARRAY_LEN(tour_metrics); i++)
		json_object_set_new(
			s, tour_metrics[i].key,
			json_integer(lz_client_metric(
				r->api.tours, tour_metrics[i].metric, 5000)));
	return s;
fail:
	json_decref(dates);
	json_decref(tours);
	json_decref(by);
	json_decref(relay);
	json_decref(s);
	return NULL;
fail_after:
	/* dates, tours and by are not in S yet. */
	json_decref(dates);
	json_decref(tours);
	json_decref(by);
	json_decref(s);
	return NULL;
}

static void
print_absent(FILE *out, const char *what, const char *service)
{
	fprintf(out, "%-28s not available (%s is not running)\n", what,
		service);
}

static void
print_inventory(const json_t *v, FILE *out)
{
	fprintf(out,
		"%-28s received %lld units, picked %lld (%lld of %lld listed "
		"on %lld picking lists, %lld tours picked, %lld orders picked "
		"short), expired %lld, counted out %lld; in stock %lld (%lld "
		"reserved), %s\n",
		"stock (lz-inventory)", (long long)jint(v, "received"),
		(long long)jint(v, "picked"),
		(long long)jint(v, "unitsPickedListed"),
		(long long)jint(v, "unitsListed"),
		(long long)jint(v, "pickingLists"),
		(long long)jint(v, "toursPicked"),
		(long long)jint(v, "shortPicks"), (long long)jint(v, "expired"),
		(long long)jint(v, "adjusted"), (long long)jint(v, "inStock"),
		(long long)jint(v, "reserved"),
		json_is_true(json_object_get(v, "conserved"))
			? "conserved lot by lot"
			: "NOT CONSERVED");
	if (jint(v, "startsRefusedNotPicked"))
		fprintf(out, "%-28s %lld tour starts refused (not picked)\n",
			"", (long long)jint(v, "startsRefusedNotPicked"));
}

static void
print_bikes(const json_t *b, FILE *out)
{
	const json_t *run;
	size_t i;

	fprintf(out,
		"bike relay (lz-bikes): %lld parcels delivered, %lld failed, "
		"%lld left at a relay point, %lld waiting; %.1f km\n",
		(long long)jint(b, "parcelsDelivered"),
		(long long)jint(b, "parcelsFailed"),
		(long long)jint(b, "parcelsAtRelayPoint"),
		(long long)jint(b, "parcelsWaiting"),
		(double)jint(b, "riddenM") / 1000);
	json_array_foreach(json_object_get(b, "runs"), i, run)
	{
		fprintf(out,
			"  %-26s %-18s %-10s %3lld visits %3lld parcels "
			"%6.1f km\n",
			jstr(run, "runId"), jstr(run, "bikeId"),
			jstr(run, "status"), (long long)jint(run, "visits"),
			(long long)jint(run, "parcels"),
			(double)jint(run, "distanceM") / 1000.0);
	}
}

static void
print_returns(const json_t *ret, FILE *out)
{
	const json_t *f;
	size_t i;

	fprintf(out, "reverse flows (declared -> outlet, level, status)\n");
	json_array_foreach(json_object_get(ret, "flows"), i, f)
	{
		fprintf(out,
			"  %-5s %-10s %6.1f kg from %-26s -> %-18s %-14s "
			"%s",
			jstr(f, "flowId"), jstr(f, "category"),
			(double)jint(f, "grams") / 1000.0, jstr(f, "siteId"),
			jstr(f, "outletId")[0] ? jstr(f, "outletId") : "-",
			jstr(f, "level"), jstr(f, "status"));
		if (jint(f, "actualGrams"))
			fprintf(out, " (%.1f kg received)",
				(double)jint(f, "actualGrams") / 1000.0);
		fprintf(out, "\n");
	}
	fprintf(out,
		"deposit balances (account, member, container: count, "
		"deposit)%s\n",
		json_is_true(json_object_get(ret, "balanced"))
			? ""
			: " -- NOT BALANCED");
	json_array_foreach(json_object_get(ret, "balances"), i, f)
	{
		fprintf(out, "  %-36s %-20s %-15s %6lld %9.2f EUR\n",
			jstr(f, "account"), jstr(f, "memberId"),
			jstr(f, "containerType"), (long long)jint(f, "count"),
			(double)jint(f, "depositCents") / 100.0);
	}
}

static void
print_impact(const json_t *im, FILE *out)
{
	fprintf(out,
		"impact (lz-impact, %s to %s, counterfactual %s)\n"
		"  km            %8.1f pooled, %8.1f if each member ran its "
		"own rounds, %8.1f avoided\n"
		"  CO2e (kg)     %8.1f pooled, %8.1f own rounds, %8.1f "
		"avoided (%.1f %%)\n"
		"  deliveries    %lld, by bike %lld; empty running %.1f %%\n"
		"  food diverted %.1f kg; containers reused %lld\n",
		jstr(im, "from"), jstr(im, "to"), jstr(im, "method"),
		(double)jint(im, "actualM") / 1000.0,
		(double)jint(im, "counterfactualM") / 1000.0,
		(double)jint(im, "avoidedM") / 1000.0,
		(double)jint(im, "actualCo2eG") / 1000.0,
		(double)jint(im, "counterfactualCo2eG") / 1000.0,
		(double)jint(im, "avoidedCo2eG") / 1000.0,
		(double)jint(im, "avoidedPermille") / 10.0,
		(long long)jint(im, "deliveries"),
		(long long)jint(im, "bikeDeliveries"),
		(double)jint(im, "emptyPermille") / 10.0,
		(double)jint(im, "foodDivertedG") / 1000.0,
		(long long)jint(im, "containersReused"));
}

void
sim_summary_print(const json_t *s, FILE *out)
{
	const json_t *o = json_object_get(s, "orders");
	const json_t *t;
	size_t i;

	fprintf(out, "\n==== Summary (read from the services) ====\n");
	fprintf(out, "%-28s %lld\n", "orders", (long long)jint(o, "total"));
	fprintf(out, "%-28s %lld (by van %lld, by bike %lld)\n", "  delivered",
		(long long)jint(o, "DELIVERED"),
		(long long)jint(o, "DELIVERED_BY_VAN"),
		(long long)jint(o, "DELIVERED_BY_BIKE"));
	fprintf(out, "%-28s %lld\n", "  at the bike relay",
		(long long)jint(o, "AT_BIKE_RELAY"));
	fprintf(out, "%-28s %lld\n", "  out, to retry next day",
		(long long)jint(o, "OUT_FOR_DELIVERY"));
	fprintf(out, "%-28s %lld\n", "  failed", (long long)jint(o, "FAILED"));
	fprintf(out, "%-28s %lld\n", "  refused (no stock...)",
		(long long)jint(o, "REJECTED"));
	fprintf(out, "%-28s %lld completed, %lld failed\n", "stops",
		(long long)jint(s, "stopsCompleted"),
		(long long)jint(s, "stopsFailed"));
	fprintf(out, "%-28s %.1f planned, %.1f driven (odometers)\n", "km",
		(double)jint(s, "plannedM") / 1000,
		(double)jint(s, "completedM") / 1000);
	if (json_object_get(s, "inventory"))
		print_inventory(json_object_get(s, "inventory"), out);
	else
		print_absent(out, "stock", "lz-inventory");
	fprintf(out, "\n%-26s %-16s %-10s %5s %6s %8s  %s\n", "tour", "kind",
		"status", "stops", "failed", "km", "fill (per mille)");
	json_array_foreach(json_object_get(s, "tours"), i, t)
	{
		const json_t *f;
		size_t k;

		fprintf(out, "%-26s %-16s %-10s %5lld %6lld %8.1f ",
			jstr(t, "tourId"), jstr(t, "vehicleKind"),
			jstr(t, "status"), (long long)jint(t, "stops"),
			(long long)jint(t, "stopsFailed"),
			(double)jint(t, "distanceM") / 1000.0);
		json_array_foreach(json_object_get(t, "fill"), k, f)
		{
			fprintf(out, " %s %lld", jstr(f, "class"),
				(long long)jint(f, "permille"));
		}
		fprintf(out, "\n");
	}
	fprintf(out, "\n");
	if (json_object_get(s, "bikes"))
		print_bikes(json_object_get(s, "bikes"), out);
	else
		print_absent(out, "bike runs", "lz-bikes");
	if (json_object_get(s, "returns"))
		print_returns(json_object_get(s, "returns"), out);
	else {
		print_absent(out, "reverse flows", "lz-returns");
		print_absent(out, "deposit balances", "lz-returns");
	}
	if (json_object_get(s, "impact"))
		print_impact(json_object_get(s, "impact"), out);
	else
		print_absent(out, "km and CO2e vs own rounds", "lz-impact");
}
