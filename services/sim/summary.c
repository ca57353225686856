/*
 * summary.c -- the day's figures, every one read from a service's read
 * model or metrics (the simulator counts and prints, it computes nothing
 * the services did not).
 */
#include "play.h"

#include "lz_client.h"
#include "lz_util.h"

#include <stdlib.h>
#include <string.h>

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
	{"plannedKm", "lz_tours_planned_km_total"},
	{"completedKm", "lz_tours_completed_km_total"},
};

json_t *
sim_summary_read(const struct sim_run *r)
{
	json_t *s = json_object(), *dates = json_array(), *tours = json_array();
	json_t *by = json_object(), *relay = json_object();
	char date[11];

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
	json_decref(s);
	json_decref(dates);
	json_decref(tours);
	json_decref(by);
	json_decref(relay);
	return NULL;
}

static void
print_absent(FILE *out, const char *what, const char *service)
{
	fprintf(out, "%-28s not available (%s is not running)\n", what,
		service);
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
	fprintf(out, "%-28s %lld planned, %lld driven (odometers)\n", "km",
		(long long)jint(s, "plannedKm"),
		(long long)jint(s, "completedKm"));
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
	if (!json_object_get(s, "bikes"))
		print_absent(out, "bike runs", "lz-bikes");
	if (!json_object_get(s, "returns")) {
		print_absent(out, "reverse flows", "lz-returns");
		print_absent(out, "deposit balances", "lz-returns");
	}
	if (!json_object_get(s, "impact"))
		print_absent(out, "km and CO2e vs own rounds", "lz-impact");
}
