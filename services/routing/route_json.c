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

struct jr {
	const char *name;
	char *err;
	size_t errlen;
	struct lz_route_problem *p;
	bool matrix;
	int ndims;
};

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
	if (!json_is_array(a) || (int)json_array_size(a) > r->ndims)
		return jfail(r, where,
			     "\"%s\" must be an array of at most %d "
			     "integers",
			     key, r->ndims);
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
	if (idx) {
		if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
		    json_integer_value(idx) > 10000000)
			return jfail(r, where, "\"%s\" must be a matrix row",
				     ikey);
		*loc = (int)json_integer_value(idx);
		return 0;
	}
	if (co) {
		if (r->matrix)
			return jfail(r, where,
				     "with \"matrices\", use \"%s\" instead of "
				     "coordinates",
				     ikey);
		if (!json_is_array(co) || json_array_size(co) != 2 ||
		    !get_number(json_array_get(co, 0), &x) ||
		    !get_number(json_array_get(co, 1), &y))
			return jfail(r, where, "\"%s\" must be [x, y]", key);
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

static int
profile(struct jr *r, const char *where, json_t *obj,
	enum lz_route_profile *out)
{
	json_t *v = json_object_get(obj, "profile");
	const char *s;

	*out = LZ_ROUTE_PROFILE_VAN;
	if (v == NULL)
		return 0;
	s = json_string_value(v);
	if (s && strcmp(s, "van") == 0)
		return 0;
	if (s && strcmp(s, "bike") == 0) {
		*out = LZ_ROUTE_PROFILE_BIKE;
		return 0;
	}
	return jfail(r, where, "\"profile\" must be \"van\" or \"bike\"");
}

static int
read_vehicle(struct jr *r, json_t *o, size_t i)
{
	struct lz_route_vehicle v;
	char where[64];
	json_t *tw, *costs;
	int rc;

	snprintf(where, sizeof(where), "vehicles[%zu]", i);
	if (!json_is_object(o))
		return jfail(r, where, "must be an object");
	lz_route_vehicle_init(&v);
	v.start = v.end = -1;
	if ((rc = get_id(r, where, o, (int64_t)i + 1, &v.id)) ||
	    (rc = location(r, where, o, "start", false, &v.start)) ||
	    (rc = location(r, where, o, "end", false, &v.end)) ||
	    (rc = amounts(r, where, o, "capacity", v.capacity)) ||
	    (rc = skills(r, where, o, &v.skills)) ||
	    (rc = profile(r, where, o, &v.profile)) ||
	    (rc = opt_number(r, where, o, "max_duration", &v.max_duration)) ||
	    (rc = opt_number(r, where, o, "max_distance", &v.max_distance)))
		return rc;
	if (v.start < 0 && v.end < 0)
		return jfail(r, where, "needs a \"start\" or an \"end\"");
	if ((tw = json_object_get(o, "time_window")) &&
	    (rc = window(r, where, tw, &v.shift)))
		return rc;
	if ((costs = json_object_get(o, "costs"))) {
		if (!json_is_object(costs))
			return jfail(r, where, "\"costs\" must be an object");
		if ((rc = opt_number(r, where, costs, "fixed",
				     &v.cost_fixed)) ||
		    (rc = opt_number(r, where, costs, "per_km",
				     &v.cost_per_km)) ||
		    (rc = opt_number(r, where, costs, "per_hour",
				     &v.cost_per_hour)))
			return rc;
	}
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

/* Longest amount array in the document: the number of dimensions. */
static int
count_dims(json_t *root)
{
	static const char *const lists[] = {"vehicles", "jobs", "shipments"};
	static const char *const keys[] = {"capacity", "delivery", "pickup",
					   "amount"};
	int n = 1;

	for (size_t l = 0; l < 3; l++) {
		json_t *a = json_object_get(root, lists[l]), *o;
		size_t i;

		json_array_foreach(a, i, o)
		{
			for (size_t k = 0; k < 4; k++) {
				json_t *v = json_object_get(o, keys[k]);

				if (json_is_array(v) &&
				    (int)json_array_size(v) > n)
					n = (int)json_array_size(v);
			}
		}
	}
	return n;
}

static int
read_matrix(struct jr *r, json_t *m, const char *pname,
	    enum lz_route_profile prof)
{
	json_t *dm = json_object_get(m, "distances"),
	       *tm = json_object_get(m, "durations");
	char where[64];
	size_t n;
	double *d, *t = NULL;
	int rc = 0;

	snprintf(where, sizeof(where), "matrices.%s", pname);
	if (!json_is_array(dm) || (n = json_array_size(dm)) < 1 || n > 20000)
		return jfail(r, where, "needs a square \"distances\" array");
	if (tm && (!json_is_array(tm) || json_array_size(tm) != n))
		return jfail(r, where,
			     "\"durations\" must have as many rows as "
			     "\"distances\"");
	d = calloc(n * n, sizeof(double));
	if (tm)
		t = calloc(n * n, sizeof(double));
	if (d == NULL || (tm && t == NULL)) {
		rc = jfail(r, where, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		for (int which = 0; which < (tm ? 2 : 1) && rc == 0; which++) {
			json_t *row = json_array_get(which ? tm : dm, i);

			if (!json_is_array(row) || json_array_size(row) != n) {
				rc = jfail(r, where, "row %zu is not %zu long",
					   i, n);
				break;
			}
			for (size_t j = 0; j < n; j++) {
				double x;

				if (!get_number(json_array_get(row, j), &x) ||
				    x < 0) {
					rc = jfail(r, where,
						   "%s[%zu][%zu] must be a "
						   "non-negative number",
						   which ? "durations"
							 : "distances",
						   i, j);
					break;
				}
				(which ? t : d)[i * n + j] = x;
			}
		}
	}
	if (rc == 0 && lz_route_problem_set_matrix(r->p, prof, (int)n, d, t))
		rc = jfail(r, where, "inconsistent matrix sizes");
out:
	free(d);
	free(t);
	return rc;
}

static int
read_root(struct jr *r, json_t *root)
{
	json_t *v, *o, *mats;
	const char *metric = "haversine";
	double circ = 1.0, speed;
	size_t i;
	int rc;

	if (!json_is_object(root))
		return jfail(r, "top level", "must be an object");
	if ((v = json_object_get(root, "metric"))) {
		metric = json_string_value(v);
		if (metric == NULL || (strcmp(metric, "haversine") &&
				       strcmp(metric, "euclidean")))
			return jfail(r, "metric",
				     "must be \"haversine\" or \"euclidean\"");
	}
	if (strcmp(metric, "haversine") == 0) {
		/* city defaults: roads 30% longer than the crow flies, van
		 * 25 km/h, bike 15 km/h door to door */
		circ = 1.3;
		lz_route_problem_set_speed(r->p, LZ_ROUTE_PROFILE_VAN,
					   25 / 3.6);
		lz_route_problem_set_speed(r->p, LZ_ROUTE_PROFILE_BIKE,
					   15 / 3.6);
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
		static const char *const names[] = {"van", "bike"};

		for (int p = 0; p < LZ_ROUTE_PROFILES; p++) {
			speed = 0;
			if (json_object_get(v, names[p]) == NULL)
				continue;
			if (opt_number(r, "speeds", v, names[p], &speed) ||
			    lz_route_problem_set_speed(
				    r->p, (enum lz_route_profile)p, speed))
				return jfail(r, "speeds",
					     "\"%s\" must be a positive number",
					     names[p]);
		}
	}
	if ((mats = json_object_get(root, "matrices"))) {
		static const char *const names[] = {"van", "bike"};

		if (!json_is_object(mats) ||
		    json_object_get(mats, "van") == NULL)
			return jfail(r, "matrices",
				     "must be an object with at least "
				     "\"van\"");
		for (int p = 0; p < LZ_ROUTE_PROFILES; p++) {
			json_t *m = json_object_get(mats, names[p]);

			if (m && (rc = read_matrix(r, m, names[p],
						   (enum lz_route_profile)p)))
				return rc;
		}
		r->matrix = true;
	}
	v = json_object_get(root, "vehicles");
	if (!json_is_array(v) || json_array_size(v) == 0)
		return jfail(r, "vehicles", "needs a non-empty array");
	json_array_foreach(v, i, o) if ((rc = read_vehicle(r, o, i))) return rc;
	v = json_object_get(root, "jobs");
	if (v && !json_is_array(v))
		return jfail(r, "jobs", "must be an array");
	json_array_foreach(v, i, o) if ((rc = read_job(r, o, i))) return rc;
	v = json_object_get(root, "shipments");
	if (v && !json_is_array(v))
		return jfail(r, "shipments", "must be an array");
	json_array_foreach(v, i,
			   o) if ((rc = read_shipment(r, o, i))) return rc;
	if (lz_route_problem_nlocations(r->p) < 1)
		return jfail(r, "top level", "no location");
	return 0;
}

static int
finish(struct jr *r, json_t *root, struct lz_route_problem **out)
{
	int rc;

	r->ndims = count_dims(root);
	if (r->ndims > LZ_ROUTE_MAX_DIMS) {
		json_decref(root);
		return jfail(r, "top level", "more than %d amount dimensions",
			     LZ_ROUTE_MAX_DIMS);
	}
	r->p = lz_route_problem_new(r->ndims);
	rc = read_root(r, root);
	json_decref(root);
	if (rc) {
		lz_route_problem_destroy(&r->p);
		return rc;
	}
	*out = r->p;
	return 0;
}

int
route_json_parse(const char *text, const char *name,
		 struct lz_route_problem **out, char *err, size_t errlen)
{
	struct jr r = {name, err, errlen, NULL, false, 1};
	json_error_t je;
	json_t *root;

	*out = NULL;
	root = json_loads(text, 0, &je);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column,
			 je.text);
		return LZ_ROUTE_EPARSE;
	}
	return finish(&r, root, out);
}

int
route_json_read(const char *path, struct lz_route_problem **out, char *err,
		size_t errlen)
{
	struct jr r = {path, err, errlen, NULL, false, 1};
	json_error_t je;
	json_t *root;
	FILE *f;

	*out = NULL;
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return LZ_ROUTE_EIO;
	}
	root = json_loadf(f, 0, &je);
	fclose(f);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column,
			 je.text);
		return LZ_ROUTE_EPARSE;
	}
	return finish(&r, root, out);
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
	static const char *const types[] = {"start", "job", "pickup",
					    "delivery", "end"};
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
			if (st->index >= 0)
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
