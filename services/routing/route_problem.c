/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_problem.c -- building a routing problem: locations, metrics,
 * matrices, jobs, shipments, vehicles.  See lz_route.h.
 */
#include "route_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lz_util.h"

#define EARTH_RADIUS_M 6371008.8

void
lz_route_job_init(struct lz_route_job *job)
{
	memset(job, 0, sizeof(*job));
	job->ntw = 1;
	job->tw[0].start = 0;
	job->tw[0].end = LZ_ROUTE_INF;
}

static void
stop_spec_init(struct lz_route_stop_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->ntw = 1;
	s->tw[0].start = 0;
	s->tw[0].end = LZ_ROUTE_INF;
}

void
lz_route_shipment_init(struct lz_route_shipment *s)
{
	memset(s, 0, sizeof(*s));
	stop_spec_init(&s->pickup);
	stop_spec_init(&s->delivery);
}

void
lz_route_vehicle_init(struct lz_route_vehicle *v)
{
	memset(v, 0, sizeof(*v));
	v->start = 0;
	v->end = 0;
	v->shift.start = 0;
	v->shift.end = LZ_ROUTE_INF;
	v->profile = LZ_ROUTE_PROFILE_VAN;
	v->cost_per_km = 1000.0;
	v->max_duration = LZ_ROUTE_INF;
	v->max_distance = LZ_ROUTE_INF;
	v->max_travel_time = LZ_ROUTE_INF;
	v->max_tasks = -1;
	v->speed_factor = 1.0;
}

void
lz_route_break_init(struct lz_route_break *b)
{
	memset(b, 0, sizeof(*b));
	b->ntw = 1;
	b->tw[0].start = 0;
	b->tw[0].end = LZ_ROUTE_INF;
}

struct lz_route_problem *
lz_route_problem_new(int ndims)
{
	struct lz_route_problem *p;

	if (ndims < 1 || ndims > LZ_ROUTE_MAX_DIMS)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->ndims = ndims;
	p->metric = LZ_ROUTE_METRIC_EUCLIDEAN;
	p->circuity = 1.0;
	for (int i = 0; i < LZ_ROUTE_PROFILES; i++) {
		p->speed_urban[i] = p->speed_road[i] = 1.0;
		p->urban_dist[i] = LZ_ROUTE_INF;
	}
	return p;
}

void
lz_route_problem_destroy(struct lz_route_problem **pp)
{
	struct lz_route_problem *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	for (int i = 0; i < LZ_ROUTE_PROFILES; i++) {
		free(p->mat_dist[i]);
		free(p->mat_dur[i]);
		free(p->mat_cost[i]);
	}
	free(p->x);
	free(p->y);
	free(p->jobs);
	free(p->ships);
	free(p->vehs);
	free(p);
	*pp = NULL;
}

int
lz_route_problem_set_metric(struct lz_route_problem *p,
			    enum lz_route_metric metric, double circuity)
{
	if (metric != LZ_ROUTE_METRIC_EUCLIDEAN &&
	    metric != LZ_ROUTE_METRIC_HAVERSINE)
		return LZ_ROUTE_EINVAL;
	if (!(circuity > 0) || !isfinite(circuity))
		return LZ_ROUTE_EINVAL;
	p->metric = metric;
	p->circuity = circuity;
	return 0;
}

int
lz_route_problem_set_speed(struct lz_route_problem *p,
			   enum lz_route_profile profile, double speed)
{
	if ((int)profile < 0 || profile >= LZ_ROUTE_PROFILES)
		return LZ_ROUTE_EINVAL;
	if (!(speed > 0) || !isfinite(speed))
		return LZ_ROUTE_EINVAL;
	p->speed_urban[profile] = p->speed_road[profile] = speed;
	p->urban_dist[profile] = LZ_ROUTE_INF;
	return 0;
}

int
lz_route_problem_set_speed_model(struct lz_route_problem *p,
				 enum lz_route_profile profile,
				 double urban_speed, double road_speed,
				 double urban_distance)
{
	if ((int)profile < 0 || profile >= LZ_ROUTE_PROFILES)
		return LZ_ROUTE_EINVAL;
	if (!(urban_speed > 0) || !isfinite(urban_speed) || !(road_speed > 0) ||
	    !isfinite(road_speed) || !(urban_distance >= 0))
		return LZ_ROUTE_EINVAL;
	p->speed_urban[profile] = urban_speed;
	p->speed_road[profile] = road_speed;
	p->urban_dist[profile] = urban_distance;
	return 0;
}

/* Travel time of a leg of distance d by the profile's speed model. */
static double
leg_time(const struct lz_route_problem *p, int prof, double d)
{
	double ud = p->urban_dist[prof];

	if (d <= ud)
		return d / p->speed_urban[prof];
	return ud / p->speed_urban[prof] + (d - ud) / p->speed_road[prof];
}

int
lz_route_problem_add_location(struct lz_route_problem *p, double x, double y)
{
	if (!isfinite(x) || !isfinite(y))
		return LZ_ROUTE_EINVAL;
	if (p->nloc == p->loc_cap) {
		p->loc_cap = p->loc_cap ? 2 * p->loc_cap : 64;
		p->x = xrealloc(p->x, sizeof(double) * (size_t)p->loc_cap);
		p->y = xrealloc(p->y, sizeof(double) * (size_t)p->loc_cap);
	}
	p->x[p->nloc] = x;
	p->y[p->nloc] = y;
	return p->nloc++;
}

int
lz_route_problem_set_matrix(struct lz_route_problem *p,
			    enum lz_route_profile profile, int n,
			    const double *distance, const double *duration)
{
	size_t nn;

	if ((int)profile < 0 || profile >= LZ_ROUTE_PROFILES || n < 1 ||
	    distance == NULL)
		return LZ_ROUTE_EINVAL;
	if (p->mat_n != 0 && p->mat_n != n)
		return LZ_ROUTE_EINVAL;
	nn = (size_t)n * (size_t)n;
	for (size_t i = 0; i < nn; i++) {
		if (!(distance[i] >= 0) || !isfinite(distance[i]))
			return LZ_ROUTE_EINVAL;
		if (duration && (!(duration[i] >= 0) || !isfinite(duration[i])))
			return LZ_ROUTE_EINVAL;
	}
	free(p->mat_dist[profile]);
	free(p->mat_dur[profile]);
	p->mat_dist[profile] = xmalloc(nn * sizeof(double));
	memcpy(p->mat_dist[profile], distance, nn * sizeof(double));
	p->mat_dur[profile] = NULL;
	if (duration) {
		p->mat_dur[profile] = xmalloc(nn * sizeof(double));
		memcpy(p->mat_dur[profile], duration, nn * sizeof(double));
	}
	p->mat_n = n;
	p->metric = LZ_ROUTE_METRIC_MATRIX;
	return 0;
}

int
lz_route_problem_set_cost_matrix(struct lz_route_problem *p,
				 enum lz_route_profile profile, int n,
				 const double *cost)
{
	size_t nn;

	if ((int)profile < 0 || profile >= LZ_ROUTE_PROFILES || n < 1 ||
	    cost == NULL || (p->mat_n != 0 && p->mat_n != n) ||
	    (p->cost_n != 0 && p->cost_n != n))
		return LZ_ROUTE_EINVAL;
	nn = (size_t)n * (size_t)n;
	for (size_t i = 0; i < nn; i++)
		if (!(cost[i] >= 0) || !isfinite(cost[i]))
			return LZ_ROUTE_EINVAL;
	free(p->mat_cost[profile]);
	p->mat_cost[profile] = xmalloc(nn * sizeof(double));
	memcpy(p->mat_cost[profile], cost, nn * sizeof(double));
	p->cost_n = n;
	return 0;
}

static int
check_windows(int ntw, const struct lz_route_tw *tw)
{
	if (ntw < 1 || ntw > LZ_ROUTE_MAX_TW)
		return LZ_ROUTE_EINVAL;
	for (int i = 0; i < ntw; i++) {
		if (isnan(tw[i].start) || isnan(tw[i].end) ||
		    tw[i].end < tw[i].start)
			return LZ_ROUTE_EINVAL;
		if (i > 0 && tw[i].start <= tw[i - 1].end)
			return LZ_ROUTE_EINVAL;
	}
	return 0;
}

static int
check_amounts(int ndims, const int64_t *a)
{
	for (int d = 0; d < LZ_ROUTE_MAX_DIMS; d++)
		if (a[d] < 0 || (d >= ndims && a[d] != 0))
			return LZ_ROUTE_EINVAL;
	return 0;
}

/* A duration (setup, service, release): finite and >= 0. */
static bool
good_time(double t)
{
	return t >= 0 && isfinite(t);
}

static int
check_stop(const struct lz_route_stop_spec *s)
{
	if (s->location < 0 || !good_time(s->service) || !good_time(s->setup) ||
	    !good_time(s->release))
		return LZ_ROUTE_EINVAL;
	return check_windows(s->ntw, s->tw);
}

int
lz_route_problem_add_job(struct lz_route_problem *p,
			 const struct lz_route_job *job)
{
	if (job->location < 0 || !good_time(job->service) ||
	    !good_time(job->setup) || !good_time(job->release) ||
	    job->priority < 0 || job->priority > 100)
		return LZ_ROUTE_EINVAL;
	if (check_windows(job->ntw, job->tw) ||
	    check_amounts(p->ndims, job->delivery) ||
	    check_amounts(p->ndims, job->pickup))
		return LZ_ROUTE_EINVAL;
	if (p->njobs == p->job_cap) {
		p->job_cap = p->job_cap ? 2 * p->job_cap : 64;
		p->jobs = xrealloc(p->jobs,
				   sizeof(*p->jobs) * (size_t)p->job_cap);
	}
	p->jobs[p->njobs] = *job;
	return p->njobs++;
}

int
lz_route_problem_add_shipment(struct lz_route_problem *p,
			      const struct lz_route_shipment *s)
{
	/* the goods exist from the pickup on: a release belongs there */
	if (check_stop(&s->pickup) || check_stop(&s->delivery) ||
	    s->delivery.release != 0 || check_amounts(p->ndims, s->amount) ||
	    s->priority < 0 || s->priority > 100)
		return LZ_ROUTE_EINVAL;
	if (p->nship == p->ship_cap) {
		p->ship_cap = p->ship_cap ? 2 * p->ship_cap : 16;
		p->ships = xrealloc(p->ships,
				    sizeof(*p->ships) * (size_t)p->ship_cap);
	}
	p->ships[p->nship] = *s;
	return p->nship++;
}

int
lz_route_problem_add_vehicle(struct lz_route_problem *p,
			     const struct lz_route_vehicle *v)
{
	if (v->start < -1 || v->end < -1 || (int)v->profile < 0 ||
	    v->profile >= LZ_ROUTE_PROFILES)
		return LZ_ROUTE_EINVAL;
	if (check_windows(1, &v->shift) || check_amounts(p->ndims, v->capacity))
		return LZ_ROUTE_EINVAL;
	if (!(v->cost_fixed >= 0) || !(v->cost_per_km >= 0) ||
	    !(v->cost_per_hour >= 0) || !(v->max_duration >= 0) ||
	    !(v->max_distance >= 0) || !(v->max_travel_time >= 0) ||
	    !(v->speed_factor > 0) || v->speed_factor > 5 || v->nbreaks < 0 ||
	    v->nbreaks > LZ_ROUTE_MAX_BREAKS)
		return LZ_ROUTE_EINVAL;
	for (int b = 0; b < v->nbreaks; b++) {
		const struct lz_route_break *br = &v->breaks[b];

		if (!good_time(br->service) || check_windows(br->ntw, br->tw) ||
		    (br->has_max_load && check_amounts(p->ndims, br->max_load)))
			return LZ_ROUTE_EINVAL;
	}
	if (p->nveh == p->veh_cap) {
		p->veh_cap = p->veh_cap ? 2 * p->veh_cap : 16;
		p->vehs = xrealloc(p->vehs,
				   sizeof(*p->vehs) * (size_t)p->veh_cap);
	}
	p->vehs[p->nveh] = *v;
	return p->nveh++;
}

int
lz_route_problem_ndims(const struct lz_route_problem *p)
{
	return p->ndims;
}

int
lz_route_problem_nlocations(const struct lz_route_problem *p)
{
	return route_problem_nloc(p);
}

int
lz_route_problem_njobs(const struct lz_route_problem *p)
{
	return p->njobs;
}

int
lz_route_problem_nshipments(const struct lz_route_problem *p)
{
	return p->nship;
}

int
lz_route_problem_nvehicles(const struct lz_route_problem *p)
{
	return p->nveh;
}

const struct lz_route_job *
lz_route_problem_job(const struct lz_route_problem *p, int i)
{
	return i >= 0 && i < p->njobs ? &p->jobs[i] : NULL;
}

const struct lz_route_shipment *
lz_route_problem_shipment(const struct lz_route_problem *p, int i)
{
	return i >= 0 && i < p->nship ? &p->ships[i] : NULL;
}

const struct lz_route_vehicle *
lz_route_problem_vehicle(const struct lz_route_problem *p, int i)
{
	return i >= 0 && i < p->nveh ? &p->vehs[i] : NULL;
}

int
route_problem_nloc(const struct lz_route_problem *p)
{
	return p->metric == LZ_ROUTE_METRIC_MATRIX ? p->mat_n : p->nloc;
}

double
lz_route_haversine(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = 3.14159265358979323846 / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) *
			   sin(dlon / 2);

	return 2 * EARTH_RADIUS_M * asin(fmin(1.0, sqrt(a)));
}

static double
coord_distance(const struct lz_route_problem *p, int a, int b)
{
	if (p->metric == LZ_ROUTE_METRIC_HAVERSINE)
		return p->circuity *
		       lz_route_haversine(p->y[a], p->x[a], p->y[b], p->x[b]);
	return sqrt((p->x[a] - p->x[b]) * (p->x[a] - p->x[b]) +
		    (p->y[a] - p->y[b]) * (p->y[a] - p->y[b]));
}

static int
matrix_profile(const struct lz_route_problem *p, enum lz_route_profile prof)
{
	return p->mat_dist[prof] ? (int)prof : (int)LZ_ROUTE_PROFILE_VAN;
}

double
lz_route_problem_distance(const struct lz_route_problem *p,
			  enum lz_route_profile prof, int a, int b)
{
	int n = route_problem_nloc(p);

	if ((int)prof < 0 || prof >= LZ_ROUTE_PROFILES || a < -1 || b < -1 ||
	    a >= n || b >= n)
		return -1;
	if (a < 0 || b < 0 || a == b)
		return 0;
	if (p->metric == LZ_ROUTE_METRIC_MATRIX) {
		int mp = matrix_profile(p, prof);

		if (p->mat_dist[mp] == NULL)
			return -1;
		return p->mat_dist[mp][(size_t)a * (size_t)n + (size_t)b];
	}
	return coord_distance(p, a, b);
}

double
lz_route_problem_duration(const struct lz_route_problem *p,
			  enum lz_route_profile prof, int a, int b)
{
	double d = lz_route_problem_distance(p, prof, a, b);
	int n = route_problem_nloc(p);

	if (d < 0 || a < 0 || b < 0 || a == b)
		return d < 0 ? d : 0;
	if (p->metric == LZ_ROUTE_METRIC_MATRIX) {
		int mp = matrix_profile(p, prof);

		if (p->mat_dur[mp])
			return p->mat_dur[mp]
					 [(size_t)a * (size_t)n + (size_t)b];
	}
	return leg_time(p, (int)prof, d);
}

const char *
lz_route_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case LZ_ROUTE_EINVAL:
		return "invalid argument";
	case LZ_ROUTE_ERANGE:
		return "index out of range";
	case LZ_ROUTE_EINFEASIBLE:
		return "solution infeasible";
	case LZ_ROUTE_EPARSE:
		return "malformed input";
	case LZ_ROUTE_EIO:
		return "input/output error";
	default:
		return "unknown error";
	}
}

const char *
lz_route_reason_str(enum lz_route_reason reason)
{
	switch (reason) {
	case LZ_ROUTE_REASON_NONE:
		return "none";
	case LZ_ROUTE_REASON_SKILLS:
		return "no vehicle with the required skills";
	case LZ_ROUTE_REASON_CAPACITY:
		return "too large for every able vehicle";
	case LZ_ROUTE_REASON_TIME_WINDOW:
		return "time window unreachable";
	case LZ_ROUTE_REASON_MAX_DISTANCE:
		return "beyond the vehicles' maximum distance";
	case LZ_ROUTE_REASON_MAX_DURATION:
		return "beyond the vehicles' maximum duration";
	case LZ_ROUTE_REASON_NO_ROOM:
		return "no room left in the fleet";
	case LZ_ROUTE_REASON_RELEASE:
		return "ready too late (release)";
	case LZ_ROUTE_REASON_MAX_TASKS:
		return "more stops than the vehicles' max_tasks";
	case LZ_ROUTE_REASON_MAX_TRAVEL_TIME:
		return "beyond the vehicles' maximum travel time";
	case LZ_ROUTE_REASON_BREAK:
		return "the vehicles' breaks do not fit around it";
	default:
		return "unknown";
	}
}
