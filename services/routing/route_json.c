/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_json.c -- JSON problem reader and solution writer for lz-route.
 * See route_json.h and services/routing/README.md for the format.
 */
#include "route_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "lz_util.h"

struct jr {
	const char *name;
	char *err;
	size_t errlen;
	struct lz_route_problem *p;
	bool matrix;
	int ndims;      /* the amounts' length (0: no amount anywhere) */
	int dialect;    /* enum route_json_dialect */
	bool haversine; /* coordinates are [lon, lat] */
	bool nodist;    /* matrices without distances: distances are the
			   durations, not reported */
	const char *pname[LZ_ROUTE_PROFILES]; /* profile name per slot */
	bool costm[LZ_ROUTE_PROFILES];        /* slot has a cost matrix */
};

/* Fields of each object: those read, and VROOM's that are not honoured
 * (an error naming them, never ignored). */
static const char *const top_keys[] = {"jobs",     "shipments", "vehicles",
				       "matrices", "metric",    "circuity",
				       "speeds",   NULL};
static const char *const top_no[] = {"matrix", NULL};
static const char *const job_keys[] = {
	"id",           "description", "location", "location_index",
	"setup",        "service",     "release",  "amount",
	"delivery",     "pickup",      "skills",   "priority",
	"time_windows", NULL};
static const char *const task_no[] = {"setup_per_type", "service_per_type",
				      NULL};
static const char *const ship_keys[] = {"pickup", "delivery", "amount",
					"skills", "priority", NULL};
static const char *const step_keys[] = {
	"id",    "description", "location", "location_index",
	"setup", "service",     "release",  "time_windows",
	NULL};
static const char *const veh_keys[] = {
	"id",           "profile",   "description",     "start",
	"start_index",  "end",       "end_index",       "capacity",
	"costs",        "skills",    "time_window",     "breaks",
	"speed_factor", "max_tasks", "max_travel_time", "max_distance",
	"max_duration", NULL};
static const char *const veh_no[] = {"type", "steps", NULL};
static const char *const cost_keys[] = {"fixed", "per_hour", "per_km", NULL};
static const char *const cost_no[] = {"per_task_hour", NULL};
static const char *const brk_keys[] = {"id",          "time_windows", "service",
				       "description", "max_load",     NULL};
static const char *const mat_keys[] = {"durations", "distances", "costs", NULL};

static int
jfail(struct jr *r, const char *where, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->err == NULL || r->errlen == 0)
		return LZ_ROUTE_EPARSE;
	n = snprintf(r->err, r->errlen, "%s: %s: ", r->name, where);
	if (n >= 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return LZ_ROUTE_EPARSE;
}

static bool
in_list(const char *const *list, const char *k)
{
	for (; list && *list; list++)
		if (strcmp(*list, k) == 0)
			return true;
	return false;
}

/* Every member of obj is in keys; those in no are refused as not
 * supported, the others as unknown. */
static int
check_keys(struct jr *r, const char *where, json_t *obj,
	   const char *const *keys, const char *const *no)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
	{
		if (in_list(keys, k))
			continue;
		if (in_list(no, k))
			return jfail(r, where, "\"%s\" is not supported", k);
		return jfail(r, where, "unknown field \"%s\"", k);
	}
	return 0;
}

static bool
get_number(json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return isfinite(*out);
}

/* Optional number member; 0 if absent or valid, else an error. */
static int
opt_number(struct jr *r, const char *where, json_t *obj, const char *key,
	   double *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!get_number(v, out))
		return jfail(r, where, "\"%s\" must be a number", key);
	return 0;
}

/* Optional time member (setup, service, release): a number >= 0. */
static int
opt_time(struct jr *r, const char *where, json_t *obj, const char *key,
	 double *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!get_number(v, out) || *out < 0)
		return jfail(r, where, "\"%s\" must be a number >= 0", key);
	return 0;
}

static int
amounts(struct jr *r, const char *where, json_t *obj, const char *key,
	int64_t *out)
{
	json_t *a = json_object_get(obj, key), *v;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return jfail(r, where, "\"%s\" must be an array of integers",
			     key);
	/* as VROOM: every amount has the same length */
	if ((int)json_array_size(a) != r->ndims)
		return jfail(r, where,
			     "inconsistent \"%s\" length: %zu instead "
			     "of %d",
			     key, json_array_size(a), r->ndims);
	json_array_foreach(a, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return jfail(r, where,
				     "\"%s\"[%zu] must be a non-negative "
				     "integer",
				     key, i);
		out[i] = json_integer_value(v);
	}
	return 0;
}

static int
skills(struct jr *r, const char *where, json_t *obj, uint64_t *out)
{
	json_t *a = json_object_get(obj, "skills"), *v;
	size_t i;

	*out = 0;
	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return jfail(r, where, "\"skills\" must be an array");
	json_array_foreach(a, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 63)
			return jfail(r, where,
				     "\"skills\"[%zu] must be an integer "
				     "in 0..63",
				     i);
		*out |= 1ULL << json_integer_value(v);
	}
	return 0;
}

static int
window(struct jr *r, const char *where, json_t *v, struct lz_route_tw *tw)
{
	if (!json_is_array(v) || json_array_size(v) != 2 ||
	    !get_number(json_array_get(v, 0), &tw->start) ||
	    !get_number(json_array_get(v, 1), &tw->end))
		return jfail(r, where, "a time window is [start, end]");
	if (tw->end < tw->start)
		return jfail(r, where, "time window ends before it starts");
	return 0;
}

static int
windows(struct jr *r, const char *where, json_t *obj, int *ntw,
	struct lz_route_tw *tw)
{
	json_t *a = json_object_get(obj, "time_windows"), *v;
	size_t i;
	int rc;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) < 1 ||
	    json_array_size(a) > LZ_ROUTE_MAX_TW)
		return jfail(r, where,
			     "\"time_windows\" must hold 1 to %d windows",
			     LZ_ROUTE_MAX_TW);
	json_array_foreach(a, i, v)
	{
		if ((rc = window(r, where, v, &tw[i])))
			return rc;
		if (i > 0 && tw[i].start <= tw[i - 1].end)
			return jfail(r, where,
				     "time windows must be sorted and "
				     "disjoint");
	}
	*ntw = (int)json_array_size(a);
	return 0;
}

/* A location: "<key>_index" (matrix row) or "<key>": [x, y].  *loc is
 * left unchanged when both are absent and !required. */
static int
location(struct jr *r, const char *where, json_t *obj, const char *key,
	 bool required, int *loc)
{
	char ikey[64];
	json_t *idx, *co;
	double x, y;

	snprintf(ikey, sizeof(ikey), "%s_index", key);
	idx = json_object_get(obj, ikey);
	co = json_object_get(obj, key);
	if (co && (!json_is_array(co) || json_array_size(co) != 2 ||
		   !get_number(json_array_get(co, 0), &x) ||
		   !get_number(json_array_get(co, 1), &y)))
		return jfail(r, where, "\"%s\" must be [x, y]", key);
	if (idx) {
		if (!r->matrix)
			return jfail(r, where, "\"%s\" needs \"matrices\"",
				     ikey);
		if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
		    json_integer_value(idx) > 10000000)
			return jfail(r, where, "\"%s\" must be a matrix row",
				     ikey);
		/* coordinates beside an index are only echoed (VROOM) */
		*loc = (int)json_integer_value(idx);
		return 0;
	}
	if (co) {
		if (r->matrix)
			return jfail(r, where,
				     "with \"matrices\", use \"%s\" instead of "
				     "coordinates",
				     ikey);
		if (r->haversine && (fabs(x) > 180 || fabs(y) > 90))
			return jfail(r, where,
				     "\"%s\" [%g, %g] is not [longitude, "
				     "latitude]; for plane (x, y) coordinates "
				     "give \"metric\": \"euclidean\"",
				     key, x, y);
		*loc = lz_route_problem_add_location(r->p, x, y);
		return 0;
	}
	if (required)
		return jfail(r, where, "missing \"%s\" or \"%s\"", key, ikey);
	return 0;
}

static int
get_id(struct jr *r, const char *where, json_t *obj, int64_t dflt, int64_t *id)
{
	json_t *v = json_object_get(obj, "id");

	*id = dflt;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return jfail(r, where, "\"id\" must be an integer");
	*id = json_integer_value(v);
	return 0;
}

static const char *
profile_name(struct jr *r, json_t *veh)
{
	json_t *v = json_object_get(veh, "profile");

	if (v)
		return json_string_value(v);
	return r->dialect == ROUTE_JSON_VROOM ? "car" : "van";
}

/* Map the vehicles' profile names to the library's profiles: "van" and
 * "bike" to theirs, any other name (VROOM's "car", ...) to a free one. */
static int
map_profiles(struct jr *r, json_t *vehs)
{
	static const char *const own[] = {"van", "bike"};
	json_t *o;
	size_t i;
	char where[64];

	json_array_foreach(vehs, i, o)
	{
		const char *n = json_is_object(o) ? profile_name(r, o) : "";

		snprintf(where, sizeof(where), "vehicles[%zu]", i);
		if (n == NULL)
			return jfail(r, where, "\"profile\" must be a string");
		for (int p = 0; p < LZ_ROUTE_PROFILES; p++)
			if (strcmp(n, own[p]) == 0)
				r->pname[p] = own[p];
	}
	json_array_foreach(vehs, i, o)
	{
		const char *n = json_is_object(o) ? profile_name(r, o) : "";
		int p, k;

		if (!json_is_object(o))
			continue;
		for (p = 0; p < LZ_ROUTE_PROFILES; p++)
			if (r->pname[p] && strcmp(r->pname[p], n) == 0)
				break;
		if (p < LZ_ROUTE_PROFILES)
			continue;
		for (k = 0; k < LZ_ROUTE_PROFILES && r->pname[k]; k++)
			;
		snprintf(where, sizeof(where), "vehicles[%zu]", i);
		if (k == LZ_ROUTE_PROFILES)
			return jfail(r, where,
				     "profile \"%s\": at most %d different "
				     "profiles",
				     n, LZ_ROUTE_PROFILES);
		r->pname[k] = n;
	}
	return 0;
}

static int
profile_slot(struct jr *r, const char *name)
{
	for (int p = 0; p < LZ_ROUTE_PROFILES; p++)
		if (r->pname[p] && strcmp(r->pname[p], name) == 0)
			return p;
	return -1;
}

static int
profile(struct jr *r, const char *where, json_t *obj,
	enum lz_route_profile *out)
{
	int k = profile_slot(r, profile_name(r, obj));

	if (k < 0)
		return jfail(r, where, "bad \"profile\"");
	*out = (enum lz_route_profile)k;
	return 0;
}

/* Optional non-negative integer member (max_tasks). */
static int
opt_count(struct jr *r, const char *where, json_t *obj, const char *key,
	  int *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 1000000000)
		return jfail(r, where, "\"%s\" must be an integer >= 0", key);
	*out = (int)json_integer_value(v);
	return 0;
}

static int
read_break(struct jr *r, const char *vwhere, json_t *o, size_t i,
	   struct lz_route_break *b, const struct lz_route_vehicle *v)
{
	char where[96];
	int rc;

	snprintf(where, sizeof(where), "%s.breaks[%zu]", vwhere, i);
	if (!json_is_object(o))
		return jfail(r, where, "must be an object");
	lz_route_break_init(b);
	if ((rc = check_keys(r, where, o, brk_keys, NULL)) ||
	    (rc = get_id(r, where, o, (int64_t)i + 1, &b->id)) ||
	    (rc = opt_time(r, where, o, "service", &b->service)) ||
	    (rc = windows(r, where, o, &b->ntw, b->tw)))
		return rc;
	if (json_object_get(o, "max_load")) {
		if ((rc = amounts(r, where, o, "max_load", b->max_load)))
			return rc;
		b->has_max_load = 1;
	}
	for (size_t k = 0; k < i; k++)
		if (v->breaks[k].id == b->id)
			return jfail(r, where, "duplicate break id: %lld",
				     (long long)b->id);
	return 0;
}

static int
read_vehicle(struct jr *r, json_t *o, size_t i)
{
	struct lz_route_vehicle v;
	char where[64];
	json_t *tw, *costs, *brks;
	int rc;

	snprintf(where, sizeof(where), "vehicles[%zu]", i);
	if (!json_is_object(o))
		return jfail(r, where, "must be an object");
	lz_route_vehicle_init(&v);
	v.start = v.end = -1;
	if (r->dialect == ROUTE_JSON_VROOM) {
		/* VROOM's default cost: the travel time in seconds */
		v.cost_per_km = 0;
		v.cost_per_hour = 3600;
	}
	if ((rc = check_keys(r, where, o, veh_keys, veh_no)) ||
	    (rc = get_id(r, where, o, (int64_t)i + 1, &v.id)) ||
	    (rc = location(r, where, o, "start", false, &v.start)) ||
	    (rc = location(r, where, o, "end", false, &v.end)) ||
	    (rc = amounts(r, where, o, "capacity", v.capacity)) ||
	    (rc = skills(r, where, o, &v.skills)) ||
	    (rc = profile(r, where, o, &v.profile)) ||
	    (rc = opt_time(r, where, o, "max_duration", &v.max_duration)) ||
	    (rc = opt_time(r, where, o, "max_distance", &v.max_distance)) ||
	    (rc = opt_time(r, where, o, "max_travel_time",
			   &v.max_travel_time)) ||
	    (rc = opt_count(r, where, o, "max_tasks", &v.max_tasks)) ||
	    (rc = opt_number(r, where, o, "speed_factor", &v.speed_factor)))
		return rc;
	if (v.start < 0 && v.end < 0)
		return jfail(r, where, "needs a \"start\" or an \"end\"");
	if (!(v.speed_factor > 0) || v.speed_factor > 5)
		return jfail(r, where, "\"speed_factor\" must be in (0, 5]");
	if (r->ndims > 0 && json_object_get(o, "capacity") == NULL)
		return jfail(r, where,
			     "inconsistent \"capacity\" length: 0 instead of "
			     "%d",
			     r->ndims);
	if (r->nodist && json_object_get(o, "max_distance"))
		return jfail(r, where,
			     "\"max_distance\" needs \"distances\" in the "
			     "matrices");
	if ((tw = json_object_get(o, "time_window")) &&
	    (rc = window(r, where, tw, &v.shift)))
		return rc;
	if ((costs = json_object_get(o, "costs"))) {
		char cw[96];

		snprintf(cw, sizeof(cw), "%s.costs", where);
		if (!json_is_object(costs))
			return jfail(r, where, "\"costs\" must be an object");
		if ((rc = check_keys(r, cw, costs, cost_keys, cost_no)) ||
		    (rc = opt_time(r, cw, costs, "fixed", &v.cost_fixed)) ||
		    (rc = opt_time(r, cw, costs, "per_km", &v.cost_per_km)) ||
		    (rc = opt_time(r, cw, costs, "per_hour", &v.cost_per_hour)))
			return rc;
		/* as VROOM: a cost matrix replaces per_hour and per_km */
		if (r->costm[v.profile] && (json_object_get(costs, "per_km") ||
					    json_object_get(costs, "per_hour")))
			return jfail(r, cw,
				     "\"per_km\" and \"per_hour\" cannot be "
				     "combined with a \"costs\" matrix");
		if (r->nodist && v.cost_per_km > 0)
			return jfail(r, cw,
				     "\"per_km\" needs \"distances\" in the "
				     "matrices");
	}
	if ((brks = json_object_get(o, "breaks"))) {
		json_t *b;
		size_t k;

		if (!json_is_array(brks) ||
		    json_array_size(brks) > LZ_ROUTE_MAX_BREAKS)
			return jfail(r, where,
				     "\"breaks\" must be an array of at most "
				     "%d breaks",
				     LZ_ROUTE_MAX_BREAKS);
		json_array_foreach(brks, k, b)
		{
			if ((rc = read_break(r, where, b, k, &v.breaks[k], &v)))
				return rc;
			v.nbreaks++;
		}
	}
	for (int k = 0; k < lz_route_problem_nvehicles(r->p); k++)
		if (lz_route_problem_vehicle(r->p, k)->id == v.id)
			return jfail(r, where, "duplicate vehicle id: %lld",
				     (long long)v.id);
	if (lz_route_problem_add_vehicle(r->p, &v) < 0)
		return jfail(r, where, "invalid vehicle (negative value?)");
	return 0;
}

static int
read_job(struct jr *r, json_t *o, size_t i)
{
	struct lz_route_job j;
	char where[64];
	json_t *pr;
	int rc;

	snprintf(where, sizeof(where), "jobs[%zu]", i);
	if (!json_is_object(o))
		return jfail(r, where, "must be an object");
	lz_route_job_init(&j);
	if ((rc = check_keys(r, where, o, job_keys, task_no)))
		return rc;
	if (json_object_get(o, "amount")) {
		/* VROOM's legacy job amount is a delivery */
		if (json_object_get(o, "delivery") ||
		    json_object_get(o, "pickup"))
			return jfail(
				r, where,
				"\"amount\" (legacy: a delivery) cannot be "
				"combined with \"delivery\" or "
				"\"pickup\"");
		if ((rc = amounts(r, where, o, "amount", j.delivery)))
			return rc;
	}
	if ((rc = get_id(r, where, o, (int64_t)i + 1, &j.id)) ||
	    (rc = location(r, where, o, "location", true, &j.location)) ||
	    (rc = opt_time(r, where, o, "setup", &j.setup)) ||
	    (rc = opt_number(r, where, o, "service", &j.service)) ||
	    (rc = opt_time(r, where, o, "release", &j.release)) ||
	    (rc = amounts(r, where, o, "delivery", j.delivery)) ||
	    (rc = amounts(r, where, o, "pickup", j.pickup)) ||
	    (rc = skills(r, where, o, &j.skills)) ||
	    (rc = windows(r, where, o, &j.ntw, j.tw)))
		return rc;
	if ((pr = json_object_get(o, "priority"))) {
		if (!json_is_integer(pr) || json_integer_value(pr) < 0 ||
		    json_integer_value(pr) > 100)
			return jfail(r, where,
				     "\"priority\" must be an integer in "
				     "0..100");
		j.priority = (int)json_integer_value(pr);
	}
	if (lz_route_problem_add_job(r->p, &j) < 0)
		return jfail(r, where, "invalid job (negative service?)");
	return 0;
}

static int
read_stop(struct jr *r, const char *where, json_t *o,
	  struct lz_route_stop_spec *s, int64_t dflt, bool pickup)
{
	int rc;

	if (!json_is_object(o))
		return jfail(r, where, "must be an object");
	if ((rc = check_keys(r, where, o, step_keys, task_no)))
		return rc;
	if (!pickup && json_object_get(o, "release"))
		return jfail(r, where,
			     "\"release\" belongs to the pickup, where the "
			     "goods appear");
	if ((rc = get_id(r, where, o, dflt, &s->id)) ||
	    (rc = location(r, where, o, "location", true, &s->location)) ||
	    (rc = opt_time(r, where, o, "setup", &s->setup)) ||
	    (rc = opt_number(r, where, o, "service", &s->service)) ||
	    (rc = opt_time(r, where, o, "release", &s->release)) ||
	    (rc = windows(r, where, o, &s->ntw, s->tw)))
		return rc;
	return 0;
}

static int
read_shipment(struct jr *r, json_t *o, size_t i)
{
	struct lz_route_shipment s;
	char where[64], w2[80];
	json_t *pr;
	int rc;

	snprintf(where, sizeof(where), "shipments[%zu]", i);
	if (!json_is_object(o))
		return jfail(r, where, "must be an object");
	if ((rc = check_keys(r, where, o, ship_keys, NULL)))
		return rc;
	lz_route_shipment_init(&s);
	snprintf(w2, sizeof(w2), "%s.pickup", where);
	if ((rc = read_stop(r, w2, json_object_get(o, "pickup"), &s.pickup,
			    (int64_t)i + 1, true)))
		return rc;
	snprintf(w2, sizeof(w2), "%s.delivery", where);
	if ((rc = read_stop(r, w2, json_object_get(o, "delivery"), &s.delivery,
			    (int64_t)i + 1, false)))
		return rc;
	if ((rc = amounts(r, where, o, "amount", s.amount)) ||
	    (rc = skills(r, where, o, &s.skills)))
		return rc;
	if ((pr = json_object_get(o, "priority"))) {
		if (!json_is_integer(pr) || json_integer_value(pr) < 0 ||
		    json_integer_value(pr) > 100)
			return jfail(r, where,
				     "\"priority\" must be an integer in "
				     "0..100");
		s.priority = (int)json_integer_value(pr);
	}
	if (lz_route_problem_add_shipment(r->p, &s) < 0)
		return jfail(r, where, "invalid shipment");
	return 0;
}

/* The length of the first amount array of the document (vehicles'
 * capacities and breaks' max_load, then jobs, then shipments), which all
 * the others must have, as in VROOM; 0 if there is none. */
static int
count_dims(json_t *root)
{
	static const char *const lists[] = {"vehicles", "jobs", "shipments"};
	static const char *const keys[] = {"capacity", "delivery", "pickup",
					   "amount"};

	for (size_t l = 0; l < 3; l++) {
		json_t *a = json_object_get(root, lists[l]), *o;
		size_t i;

		json_array_foreach(a, i, o)
		{
			json_t *b, *bs = json_object_get(o, "breaks");
			size_t k;

			for (size_t q = 0; q < 4; q++) {
				json_t *v = json_object_get(o, keys[q]);

				if (json_is_array(v))
					return (int)json_array_size(v);
			}
			json_array_foreach(bs, k, b)
			{
				json_t *v = json_object_get(b, "max_load");

				if (json_is_array(v))
					return (int)json_array_size(v);
			}
		}
	}
	return 0;
}

/* One square matrix member of matrices.<profile>; *out is a new n x n
 * array (caller frees), or NULL when absent. */
static int
read_square(struct jr *r, const char *where, json_t *m, const char *key,
	    size_t *n, double **out)
{
	json_t *a = json_object_get(m, key);
	double *x;

	*out = NULL;
	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) < 1 ||
	    json_array_size(a) > 20000 || (*n && json_array_size(a) != *n))
		return jfail(r, where,
			     "\"%s\" must be a square array of the "
			     "matrices' size",
			     key);
	*n = json_array_size(a);
	x = xcalloc(*n * *n, sizeof(double));
	for (size_t i = 0; i < *n; i++) {
		json_t *row = json_array_get(a, i);

		if (!json_is_array(row) || json_array_size(row) != *n) {
			free(x);
			return jfail(r, where, "%s row %zu is not %zu long",
				     key, i, *n);
		}
		for (size_t j = 0; j < *n; j++) {
			if (!get_number(json_array_get(row, j),
					&x[i * *n + j]) ||
			    x[i * *n + j] < 0) {
				free(x);
				return jfail(r, where,
					     "%s[%zu][%zu] must be a "
					     "non-negative number",
					     key, i, j);
			}
		}
	}
	*out = x;
	return 0;
}

static int
read_matrix(struct jr *r, json_t *m, const char *pname,
	    enum lz_route_profile prof)
{
	char where[96];
	size_t n = 0;
	double *d = NULL, *t = NULL, *c = NULL;
	int rc;

	snprintf(where, sizeof(where), "matrices.%s", pname);
	if (!json_is_object(m))
		return jfail(r, where, "must be an object");
	if ((rc = check_keys(r, where, m, mat_keys, NULL)) ||
	    (rc = read_square(r, where, m, "distances", &n, &d)) ||
	    (rc = read_square(r, where, m, "durations", &n, &t)) ||
	    (rc = read_square(r, where, m, "costs", &n, &c)))
		goto out;
	if (d == NULL && t == NULL) {
		rc = jfail(r, where, "needs \"durations\" or \"distances\"");
		goto out;
	}
	if (d == NULL) {
		/* VROOM's durations-only matrices: no distance to report;
		 * the search's neighbourhoods use the durations */
		r->nodist = true;
		d = t;
		t = NULL;
		rc = lz_route_problem_set_matrix(r->p, prof, (int)n, d, d);
	} else {
		rc = lz_route_problem_set_matrix(r->p, prof, (int)n, d, t);
	}
	if (rc == 0 && c) {
		rc = lz_route_problem_set_cost_matrix(r->p, prof, (int)n, c);
		r->costm[prof] = true;
	}
	if (rc)
		rc = jfail(r, where, "inconsistent matrix sizes");
out:
	free(d);
	free(t);
	free(c);
	return rc;
}

struct idx {
	int64_t id;
	size_t i;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Ids must be unique among jobs, among pickups and among deliveries (as
 * VROOM). */
static int
check_ids(struct jr *r)
{
	const struct lz_route_problem *p = r->p;
	size_t nj = (size_t)lz_route_problem_njobs(p);
	size_t ns = (size_t)lz_route_problem_nshipments(p);
	struct idx *x = xcalloc(nj + ns + 1, sizeof(*x));
	static const char *const what[] = {"job", "pickup", "delivery"};
	char where[64];
	int rc = 0;

	for (int kind = 0; kind < 3 && rc == 0; kind++) {
		size_t n = kind == 0 ? nj : ns;

		for (size_t i = 0; i < n; i++) {
			const struct lz_route_shipment *s =
				kind ? lz_route_problem_shipment(p, (int)i)
				     : NULL;

			x[i].i = i;
			x[i].id = kind == 0
					  ? lz_route_problem_job(p, (int)i)->id
				  : kind == 1 ? s->pickup.id
					      : s->delivery.id;
		}
		qsort(x, n, sizeof(*x), idx_cmp);
		for (size_t i = 1; i < n; i++) {
			if (x[i].id != x[i - 1].id)
				continue;
			snprintf(where, sizeof(where), "%s[%zu]%s",
				 kind ? "shipments" : "jobs", x[i].i,
				 kind == 0   ? ""
				 : kind == 1 ? ".pickup"
					     : ".delivery");
			rc = jfail(r, where, "duplicate %s id: %lld",
				   what[kind], (long long)x[i].id);
			break;
		}
	}
	free(x);
	return rc;
}

static int
read_root(struct jr *r, json_t *root)
{
	json_t *v, *o, *mats, *vehs;
	const char *metric = "haversine", *k;
	double circ = 1.0, speed;
	size_t i;
	int rc;

	if (!json_is_object(root))
		return jfail(r, "top level", "must be an object");
	if ((rc = check_keys(r, "top level", root, top_keys, top_no)))
		return rc;
	vehs = json_object_get(root, "vehicles");
	if (!json_is_array(vehs) || json_array_size(vehs) == 0)
		return jfail(r, "vehicles", "needs a non-empty array");
	if ((rc = map_profiles(r, vehs)))
		return rc;
	if ((v = json_object_get(root, "metric"))) {
		metric = json_string_value(v);
		if (metric == NULL || (strcmp(metric, "haversine") &&
				       strcmp(metric, "euclidean")))
			return jfail(r, "metric",
				     "must be \"haversine\" or \"euclidean\"");
	}
	if (strcmp(metric, "haversine") == 0) {
		/* city defaults: roads 30% longer than the crow flies, van
		 * (and any motor profile) 25 km/h, bike 15 km/h door to
		 * door */
		circ = 1.3;
		r->haversine = true;
		for (int p = 0; p < LZ_ROUTE_PROFILES; p++)
			lz_route_problem_set_speed(
				r->p, (enum lz_route_profile)p,
				r->pname[p] && strcmp(r->pname[p], "bike") == 0
					? 15 / 3.6
					: 25 / 3.6);
	}
	if ((rc = opt_number(r, "top level", root, "circuity", &circ)))
		return rc;
	if (lz_route_problem_set_metric(r->p,
					strcmp(metric, "haversine")
						? LZ_ROUTE_METRIC_EUCLIDEAN
						: LZ_ROUTE_METRIC_HAVERSINE,
					circ))
		return jfail(r, "circuity", "must be positive");
	if ((v = json_object_get(root, "speeds"))) {
		if (!json_is_object(v))
			return jfail(r, "speeds", "must be an object");
		json_object_foreach(v, k, o)
		{
			int p = profile_slot(r, k);

			if (p < 0)
				return jfail(r, "speeds",
					     "no vehicle has profile \"%s\"",
					     k);
			speed = 0;
			if (!get_number(o, &speed) ||
			    lz_route_problem_set_speed(
				    r->p, (enum lz_route_profile)p, speed))
				return jfail(r, "speeds",
					     "\"%s\" must be a positive number",
					     k);
		}
	}
	if ((mats = json_object_get(root, "matrices"))) {
		if (!json_is_object(mats) || json_object_size(mats) == 0)
			return jfail(r, "matrices",
				     "must be an object of matrices by "
				     "profile");
		json_object_foreach(mats, k, o)
		{
			int p = profile_slot(r, k);

			if (p < 0)
				return jfail(r, "matrices",
					     "no vehicle has profile \"%s\"",
					     k);
			if ((rc = read_matrix(r, o, k,
					      (enum lz_route_profile)p)))
				return rc;
		}
		for (int p = 0; p < LZ_ROUTE_PROFILES; p++)
			if (r->pname[p] &&
			    json_object_get(mats, r->pname[p]) == NULL)
				return jfail(r, "matrices",
					     "no matrix for profile \"%s\"",
					     r->pname[p]);
		r->matrix = true;
	}
	json_array_foreach(vehs, i,
			   o) if ((rc = read_vehicle(r, o, i))) return rc;
	v = json_object_get(root, "jobs");
	if (v && !json_is_array(v))
		return jfail(r, "jobs", "must be an array");
	json_array_foreach(v, i, o) if ((rc = read_job(r, o, i))) return rc;
	v = json_object_get(root, "shipments");
	if (v && !json_is_array(v))
		return jfail(r, "shipments", "must be an array");
	json_array_foreach(v, i,
			   o) if ((rc = read_shipment(r, o, i))) return rc;
	if ((rc = check_ids(r)))
		return rc;
	if (lz_route_problem_nlocations(r->p) < 1)
		return jfail(r, "top level", "no location");
	return 0;
}

static int
finish(struct jr *r, json_t *root, struct lz_route_problem **out, json_t **doc)
{
	int rc;

	r->ndims = count_dims(root);
	if (r->ndims > LZ_ROUTE_MAX_DIMS) {
		json_decref(root);
		return jfail(r, "top level", "more than %d amount dimensions",
			     LZ_ROUTE_MAX_DIMS);
	}
	r->p = lz_route_problem_new(r->ndims > 0 ? r->ndims : 1);
	rc = read_root(r, root);
	if (rc || doc == NULL)
		json_decref(root);
	else
		*doc = root;
	if (rc) {
		lz_route_problem_destroy(&r->p);
		return rc;
	}
	*out = r->p;
	return 0;
}

int
route_json_load(const char *name, const char *text,
		enum route_json_dialect dialect, struct lz_route_problem **out,
		json_t **doc, char *err, size_t errlen)
{
	struct jr r;
	json_error_t je;
	json_t *root;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.err = err;
	r.errlen = errlen;
	r.dialect = dialect;
	*out = NULL;
	if (doc)
		*doc = NULL;
	if (text) {
		root = json_loads(text, 0, &je);
	} else {
		f = fopen(name, "r");
		if (f == NULL) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			return LZ_ROUTE_EIO;
		}
		root = json_loadf(f, 0, &je);
		fclose(f);
	}
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column,
			 je.text);
		return LZ_ROUTE_EPARSE;
	}
	return finish(&r, root, out, doc);
}

int
route_json_parse(const char *text, const char *name,
		 struct lz_route_problem **out, char *err, size_t errlen)
{
	return route_json_load(name, text, ROUTE_JSON_LZ, out, NULL, err,
			       errlen);
}

int
route_json_read(const char *path, struct lz_route_problem **out, char *err,
		size_t errlen)
{
	return route_json_load(path, NULL, ROUTE_JSON_LZ, out, NULL, err,
			       errlen);
}

static json_t *
load_array(const int64_t *load, int ndims)
{
	json_t *a = json_array();

	for (int d = 0; d < ndims; d++)
		json_array_append_new(a, json_integer(load[d]));
	return a;
}

/* The setup and release a stop's task asks for (0: none). */
static void
stop_spec(const struct lz_route_problem *p, const struct lz_route_stop *st,
	  double *setup, double *release)
{
	const struct lz_route_shipment *s;

	*setup = *release = 0;
	if (st->type == LZ_ROUTE_STOP_JOB) {
		*setup = lz_route_problem_job(p, st->index)->setup;
		*release = lz_route_problem_job(p, st->index)->release;
	} else if (st->type == LZ_ROUTE_STOP_PICKUP ||
		   st->type == LZ_ROUTE_STOP_DELIVERY) {
		s = lz_route_problem_shipment(p, st->index);
		*setup = st->type == LZ_ROUTE_STOP_PICKUP ? s->pickup.setup
							  : s->delivery.setup;
		*release = st->type == LZ_ROUTE_STOP_PICKUP ? s->pickup.release
							    : 0;
	}
}

/* Whether any task has a setup: then routes report their setup total. */
static bool
any_setup(const struct lz_route_problem *p)
{
	for (int i = 0; i < lz_route_problem_njobs(p); i++)
		if (lz_route_problem_job(p, i)->setup > 0)
			return true;
	for (int i = 0; i < lz_route_problem_nshipments(p); i++) {
		const struct lz_route_shipment *s =
			lz_route_problem_shipment(p, i);

		if (s->pickup.setup > 0 || s->delivery.setup > 0)
			return true;
	}
	return false;
}

static int64_t
stop_id(const struct lz_route_problem *p, const struct lz_route_stop *st)
{
	switch (st->type) {
	case LZ_ROUTE_STOP_JOB:
		return lz_route_problem_job(p, st->index)->id;
	case LZ_ROUTE_STOP_PICKUP:
		return lz_route_problem_shipment(p, st->index)->pickup.id;
	case LZ_ROUTE_STOP_DELIVERY:
		return lz_route_problem_shipment(p, st->index)->delivery.id;
	default:
		return 0;
	}
}

int
route_json_write(FILE *f, const struct lz_route_problem *p,
		 const struct lz_route_solution *s)
{
	static const char *const types[] = {"start",    "job", "pickup",
					    "delivery", "end", "break"};
	json_t *root = json_object(), *routes = json_array(),
	       *un = json_array(), *sum = json_object();
	int nd = lz_route_problem_ndims(p), rc;
	bool setups = any_setup(p);

	json_object_set_new(sum, "cost", json_real(s->cost));
	json_object_set_new(sum, "routes", json_integer(s->nroutes));
	json_object_set_new(sum, "unassigned", json_integer(s->nunassigned));
	json_object_set_new(sum, "distance", json_real(s->distance));
	json_object_set_new(sum, "duration", json_real(s->duration));
	json_object_set_new(sum, "iterations", json_integer(s->iterations));
	json_object_set_new(sum, "elapsed", json_real(s->elapsed));
	for (int r = 0; r < s->nroutes; r++) {
		const struct lz_route_route *rt = &s->routes[r];
		json_t *jr = json_object(), *steps = json_array();

		json_object_set_new(
			jr, "vehicle",
			json_integer(
				lz_route_problem_vehicle(p, rt->vehicle)->id));
		json_object_set_new(jr, "cost", json_real(rt->cost));
		json_object_set_new(jr, "distance", json_real(rt->distance));
		json_object_set_new(jr, "duration", json_real(rt->duration));
		if (setups)
			json_object_set_new(jr, "setup", json_real(rt->setup));
		json_object_set_new(jr, "service", json_real(rt->service));
		json_object_set_new(jr, "waiting_time", json_real(rt->waiting));
		for (int k = 0; k < rt->nstops; k++) {
			const struct lz_route_stop *st = &rt->stops[k];
			json_t *js = json_object();
			double setup, release;

			json_object_set_new(js, "type",
					    json_string(types[st->type]));
			if (st->type == LZ_ROUTE_STOP_BREAK)
				json_object_set_new(
					js, "id",
					json_integer(lz_route_problem_vehicle(
							     p, rt->vehicle)
							     ->breaks[st->index]
							     .id));
			else if (st->index >= 0)
				json_object_set_new(
					js, "id", json_integer(stop_id(p, st)));
			if (st->location >= 0)
				json_object_set_new(js, "location_index",
						    json_integer(st->location));
			json_object_set_new(js, "arrival",
					    json_real(st->arrival));
			/* a task with a setup shows what it paid (0 after a
			 * stop at the same place); service starts after */
			stop_spec(p, st, &setup, &release);
			if (setup > 0)
				json_object_set_new(js, "setup",
						    json_real(st->setup));
			if (release > 0)
				json_object_set_new(js, "release",
						    json_real(release));
			json_object_set_new(js, "service_start",
					    json_real(st->start + st->setup));
			json_object_set_new(js, "departure",
					    json_real(st->departure));
			json_object_set_new(js, "distance",
					    json_real(st->distance));
			json_object_set_new(js, "load",
					    load_array(st->load, nd));
			json_array_append_new(steps, js);
		}
		json_object_set_new(jr, "steps", steps);
		json_array_append_new(routes, jr);
	}
	for (int k = 0; k < s->nunassigned; k++) {
		const struct lz_route_unassigned *u = &s->unassigned[k];
		json_t *ju = json_object();
		int64_t id = u->shipment
				     ? lz_route_problem_shipment(p, u->index)
					       ->pickup.id
				     : lz_route_problem_job(p, u->index)->id;

		json_object_set_new(ju, "id", json_integer(id));
		json_object_set_new(
			ju, "type",
			json_string(u->shipment ? "shipment" : "job"));
		json_object_set_new(
			ju, "reason",
			json_string(lz_route_reason_str(u->reason)));
		json_array_append_new(un, ju);
	}
	json_object_set_new(root, "code", json_integer(0));
	json_object_set_new(root, "summary", sum);
	json_object_set_new(root, "routes", routes);
	json_object_set_new(root, "unassigned", un);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
	return rc ? LZ_ROUTE_EIO : 0;
}

/* A time or amount as VROOM writes it: an integer when it is one. */
static json_t *
jnum(double x)
{
	double r = round(x);

	/* the solver's 1e-6 margins are not worth a fraction */
	if (fabs(x - r) < 1e-5 && fabs(r) < 9e15)
		return json_integer((json_int_t)r);
	return json_real(x);
}

/* The input object a stop came from, for its description and location. */
static json_t *
stop_obj(json_t *doc, const struct lz_route_stop *st, int vehicle)
{
	json_t *v;

	switch (st->type) {
	case LZ_ROUTE_STOP_JOB:
		return json_array_get(json_object_get(doc, "jobs"),
				      (size_t)st->index);
	case LZ_ROUTE_STOP_PICKUP:
	case LZ_ROUTE_STOP_DELIVERY:
		v = json_array_get(json_object_get(doc, "shipments"),
				   (size_t)st->index);
		return json_object_get(v, st->type == LZ_ROUTE_STOP_PICKUP
						  ? "pickup"
						  : "delivery");
	case LZ_ROUTE_STOP_BREAK:
		v = json_array_get(json_object_get(doc, "vehicles"),
				   (size_t)vehicle);
		return json_array_get(json_object_get(v, "breaks"),
				      (size_t)st->index);
	default:
		return NULL;
	}
}

static void
echo(json_t *dst, json_t *src, const char *key, const char *as)
{
	json_t *v = json_object_get(src, key);

	if (v)
		json_object_set(dst, as ? as : key, v);
}

static void
add_amounts(int64_t *acc, const int64_t *a, int nd)
{
	for (int d = 0; d < nd; d++)
		acc[d] += a[d];
}

static json_t *
amount_array(const int64_t *a, int nd)
{
	json_t *x = json_array();

	for (int d = 0; d < nd; d++)
		json_array_append_new(x, json_integer(a[d]));
	return x;
}

int
route_json_write_vroom(FILE *f, const struct lz_route_problem *p,
		       const struct lz_route_solution *s, json_t *doc)
{
	static const char *const types[] = {"start",    "job", "pickup",
					    "delivery", "end", "break"};
	json_t *root = json_object(), *routes = json_array(),
	       *un = json_array(), *sum = json_object();
	int nd = lz_route_problem_ndims(p), rc;
	int64_t tdl[LZ_ROUTE_MAX_DIMS] = {0}, tpk[LZ_ROUTE_MAX_DIMS] = {0};
	double tcost = 0, tsetup = 0, tsvc = 0, ttravel = 0, twait = 0;
	double tdist = 0;
	int tprio = 0;
	bool dist = true;

	/* without distances in the matrices, VROOM reports none */
	if (doc) {
		json_t *mats = json_object_get(doc, "matrices"), *m;
		const char *k;

		json_object_foreach(mats, k,
				    m) if (!json_object_get(m, "distances"))
			dist = false;
	}
	for (int r = 0; r < s->nroutes; r++) {
		const struct lz_route_route *rt = &s->routes[r];
		const struct lz_route_vehicle *veh =
			lz_route_problem_vehicle(p, rt->vehicle);
		json_t *jr = json_object(), *steps = json_array(), *jv;
		int64_t dl[LZ_ROUTE_MAX_DIMS] = {0},
			pk[LZ_ROUTE_MAX_DIMS] = {0};
		double travel = 0, cost, svc = 0;
		int prio = 0, prev = -1;

		jv = doc ? json_array_get(json_object_get(doc, "vehicles"),
					  (size_t)rt->vehicle)
			 : NULL;
		/* VROOM's cost counts travel time, not waiting */
		cost = rt->cost - veh->cost_per_hour *
					  (rt->duration - rt->travel_time) /
					  3600.0;
		for (int k = 0; k < rt->nstops; k++) {
			const struct lz_route_stop *st = &rt->stops[k];
			json_t *js = json_object(), *src;
			double service = 0, setup = st->setup;

			if (prev >= 0)
				travel +=
					st->arrival - rt->stops[prev].departure;
			src = doc ? stop_obj(doc, st, rt->vehicle) : NULL;
			json_object_set_new(js, "type",
					    json_string(types[st->type]));
			if (st->type == LZ_ROUTE_STOP_START)
				echo(js, jv, "start", "location");
			else if (st->type == LZ_ROUTE_STOP_END)
				echo(js, jv, "end", "location");
			else if (src)
				echo(js, src, "location", NULL);
			if (st->location >= 0 &&
			    st->type != LZ_ROUTE_STOP_BREAK && doc &&
			    json_object_get(doc, "matrices"))
				json_object_set_new(js, "location_index",
						    json_integer(st->location));
			if (st->type == LZ_ROUTE_STOP_JOB) {
				const struct lz_route_job *j =
					lz_route_problem_job(p, st->index);

				json_object_set_new(js, "id",
						    json_integer(j->id));
				service = j->service;
				add_amounts(dl, j->delivery, nd);
				add_amounts(pk, j->pickup, nd);
				prio += j->priority;
			} else if (st->type == LZ_ROUTE_STOP_PICKUP ||
				   st->type == LZ_ROUTE_STOP_DELIVERY) {
				const struct lz_route_shipment *sh =
					lz_route_problem_shipment(p, st->index);
				bool pu = st->type == LZ_ROUTE_STOP_PICKUP;

				json_object_set_new(
					js, "id",
					json_integer(pu ? sh->pickup.id
							: sh->delivery.id));
				service = pu ? sh->pickup.service
					     : sh->delivery.service;
				if (pu) {
					add_amounts(dl, sh->amount, nd);
					add_amounts(pk, sh->amount, nd);
					prio += sh->priority;
				}
			} else if (st->type == LZ_ROUTE_STOP_BREAK) {
				json_object_set_new(
					js, "id",
					json_integer(
						veh->breaks[st->index].id));
				service = veh->breaks[st->index].service;
			}
			if (src)
				echo(js, src, "description", NULL);
			json_object_set_new(js, "setup", jnum(setup));
			json_object_set_new(js, "service", jnum(service));
			json_object_set_new(js, "waiting_time",
					    jnum(st->start - st->arrival));
			json_object_set_new(js, "load",
					    amount_array(st->load, nd));
			json_object_set_new(js, "arrival", jnum(st->arrival));
			json_object_set_new(js, "duration", jnum(travel));
			if (dist)
				json_object_set_new(js, "distance",
						    jnum(st->distance));
			json_array_append_new(steps, js);
			svc += service;
			prev = k;
		}
		json_object_set_new(jr, "vehicle", json_integer(veh->id));
		json_object_set_new(jr, "cost", jnum(cost));
		json_object_set_new(jr, "delivery", amount_array(dl, nd));
		json_object_set_new(jr, "pickup", amount_array(pk, nd));
		json_object_set_new(jr, "setup", jnum(rt->setup));
		json_object_set_new(jr, "service", jnum(svc));
		json_object_set_new(jr, "duration", jnum(rt->travel_time));
		json_object_set_new(jr, "waiting_time", jnum(rt->waiting));
		json_object_set_new(jr, "priority", json_integer(prio));
		if (dist)
			json_object_set_new(jr, "distance", jnum(rt->distance));
		if (jv)
			echo(jr, jv, "description", NULL);
		json_object_set_new(jr, "steps", steps);
		json_array_append_new(routes, jr);
		tcost += cost;
		tsetup += rt->setup;
		tsvc += svc;
		ttravel += rt->travel_time;
		twait += rt->waiting;
		tdist += rt->distance;
		tprio += prio;
		add_amounts(tdl, dl, nd);
		add_amounts(tpk, pk, nd);
	}
	for (int k = 0; k < s->nunassigned; k++) {
		const struct lz_route_unassigned *u = &s->unassigned[k];

		/* a shipment is listed as its two tasks, as VROOM does */
		for (int end = 0; end < (u->shipment ? 2 : 1); end++) {
			json_t *ju = json_object(), *src = NULL;
			struct lz_route_stop st;
			int64_t id;
			const char *type = "job";

			memset(&st, 0, sizeof(st));
			st.index = u->index;
			if (u->shipment) {
				const struct lz_route_shipment *sh =
					lz_route_problem_shipment(p, u->index);

				st.type = end ? LZ_ROUTE_STOP_DELIVERY
					      : LZ_ROUTE_STOP_PICKUP;
				id = end ? sh->delivery.id : sh->pickup.id;
				type = end ? "delivery" : "pickup";
			} else {
				st.type = LZ_ROUTE_STOP_JOB;
				id = lz_route_problem_job(p, u->index)->id;
			}
			if (doc)
				src = stop_obj(doc, &st, 0);
			json_object_set_new(ju, "id", json_integer(id));
			json_object_set_new(ju, "type", json_string(type));
			if (src) {
				echo(ju, src, "location", NULL);
				echo(ju, src, "location_index", NULL);
				echo(ju, src, "description", NULL);
			}
			json_object_set_new(
				ju, "reason",
				json_string(lz_route_reason_str(u->reason)));
			json_array_append_new(un, ju);
		}
	}
	json_object_set_new(sum, "cost", jnum(tcost));
	json_object_set_new(sum, "routes", json_integer(s->nroutes));
	json_object_set_new(sum, "unassigned",
			    json_integer((json_int_t)json_array_size(un)));
	json_object_set_new(sum, "delivery", amount_array(tdl, nd));
	json_object_set_new(sum, "pickup", amount_array(tpk, nd));
	json_object_set_new(sum, "setup", jnum(tsetup));
	json_object_set_new(sum, "service", jnum(tsvc));
	json_object_set_new(sum, "duration", jnum(ttravel));
	json_object_set_new(sum, "waiting_time", jnum(twait));
	json_object_set_new(sum, "priority", json_integer(tprio));
	if (dist)
		json_object_set_new(sum, "distance", jnum(tdist));
	json_object_set_new(sum, "iterations", json_integer(s->iterations));
	json_object_set_new(sum, "elapsed", json_real(s->elapsed));
	json_object_set_new(root, "code", json_integer(0));
	json_object_set_new(root, "summary", sum);
	json_object_set_new(root, "unassigned", un);
	json_object_set_new(root, "routes", routes);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
	return rc ? LZ_ROUTE_EIO : 0;
}
