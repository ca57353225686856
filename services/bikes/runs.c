/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * runs.c -- see runs.h.
 */
#include "runs.h"

#include "codec.h"
#include "lz_route.h"
#include "lz_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Skill bits: 0 the insulated box, 1 + r rider r (the first 63 riders). */
#define SKILL_COLD 1u
#define RIDER_SKILLS 63

/* Slots one rider may have in one plan. */
#define MAX_SLOTS 32

size_t
bikes_split_shift(int64_t from, int64_t until, int run_max, int reload,
		  int min_run, struct bikes_slot *out, size_t max)
{
	size_t n = 0;
	int64_t t = from;

	if (run_max <= 0)
		return 0;
	if (min_run < 1)
		min_run = 1;
	while (n < max && until - t >= min_run) {
		int64_t end = t + run_max < until ? t + run_max : until;

		out[n].start = t;
		out[n].end = end;
		n++;
		t = end + (reload > 0 ? reload : 0);
	}
	return n;
}

int64_t
bikes_ready_next(int64_t ready, enum bikes_ready_cause cause, int64_t reported,
		 int64_t planned, int handling)
{
	int64_t h = handling > 0 ? handling : 0;

	if (cause == BIKES_READY_VAN_PLANNED)
		return planned > 0 ? planned + h : 0;
	if (reported > 0 && reported + h > ready)
		ready = reported + h;
	if (planned > 0 && planned + h > ready)
		ready = planned + h;
	return ready;
}

void
bikes_conf_init(struct bikes_conf *c)
{
	c->speed = 15 / 3.6;
	c->circuity = 1.3;
	c->service_s = 180;
	c->run_max_s = 5400;
	c->reload_s = 600;
	c->min_run_s = 1200;
	c->iterations = 300;
	c->time_limit = 0;
	c->seed = 1;
}

static uint64_t
rider_skill(int rider)
{
	return rider >= 0 && rider < RIDER_SKILLS ? (uint64_t)1 << (1 + rider)
						  : 0;
}

/* A new problem with the relay as location 0 and one location per place
 * of JOBS (LOC[i] for job i). */
static struct lz_route_problem *
new_problem(double relay_lat, double relay_lon, const struct bikes_job *jobs,
	    size_t njobs, const struct bikes_conf *c, int *loc)
{
	struct lz_route_problem *p = lz_route_problem_new(2);

	if (p == NULL ||
	    lz_route_problem_set_metric(p, LZ_ROUTE_METRIC_HAVERSINE,
					c->circuity) != 0 ||
	    lz_route_problem_set_speed(p, LZ_ROUTE_PROFILE_BIKE, c->speed)) {
		lz_route_problem_destroy(&p);
		return NULL;
	}
	lz_route_problem_add_location(p, relay_lon, relay_lat);
	for (size_t i = 0; i < njobs; i++) {
		loc[i] = -1;
		for (size_t k = 0; k < i && loc[i] < 0; k++)
			if (jobs[k].lat == jobs[i].lat &&
			    jobs[k].lon == jobs[i].lon)
				loc[i] = loc[k];
		if (loc[i] < 0)
			loc[i] = lz_route_problem_add_location(p, jobs[i].lon,
							       jobs[i].lat);
	}
	return p;
}

static int
add_job(struct lz_route_problem *p, const struct bikes_job *j, int loc,
	size_t index, const struct bikes_conf *c)
{
	struct lz_route_job rj;

	lz_route_job_init(&rj);
	rj.id = (int64_t)index;
	rj.location = loc;
	rj.service = c->service_s;
	rj.release = j->release > 0 ? (double)j->release : 0;
	if (j->tw_start != 0 || j->tw_end != 0) {
		rj.tw[0].start = (double)j->tw_start;
		rj.tw[0].end = (double)j->tw_end;
	}
	if (j->pickup) {
		rj.pickup[0] = j->grams;
		rj.pickup[1] = j->millilitres;
	} else {
		rj.delivery[0] = j->grams;
		rj.delivery[1] = j->millilitres;
	}
	rj.skills = (j->cold ? SKILL_COLD : 0) | rider_skill(j->rider);
	return lz_route_problem_add_job(p, &rj);
}

static int
reason_of(enum lz_route_reason r, const struct bikes_job *j)
{
	switch (r) {
	case LZ_ROUTE_REASON_SKILLS:
		return j->rider >= 0 ? BR_NO_RIDER : BR_NO_INSULATED_BIKE;
	case LZ_ROUTE_REASON_CAPACITY:
		return BR_TOO_HEAVY;
	case LZ_ROUTE_REASON_NO_ROOM:
		return BR_NO_ROOM;
	case LZ_ROUTE_REASON_RELEASE:
		return BR_NOT_READY;
	default:
		return BR_TIME_WINDOW;
	}
}

static int
cmp_run(const void *a, const void *b)
{
	const struct bikes_run_out *x = a, *y = b;

	if (x->rider != y->rider)
		return x->rider < y->rider ? -1 : 1;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

/* Reads route R of solution S into RUN. */
static void
read_route(const struct lz_route_route *r, struct bikes_run_out *run)
{
	run->visits = xcalloc((size_t)r->nstops + 1, sizeof(*run->visits));
	run->nvisits = 0;
	for (int k = 0; k < r->nstops; k++) {
		const struct lz_route_stop *st = &r->stops[k];

		if (st->load[0] > run->max_grams)
			run->max_grams = st->load[0];
		if (st->load[1] > run->max_millilitres)
			run->max_millilitres = st->load[1];
		if (st->type == LZ_ROUTE_STOP_START) {
			run->start = llround(st->departure);
		} else if (st->type == LZ_ROUTE_STOP_END) {
			run->end = llround(st->arrival);
		} else if (st->type == LZ_ROUTE_STOP_JOB) {
			struct bikes_visit *v = &run->visits[run->nvisits++];

			v->job = st->index;
			v->location = st->location;
			v->arrival = llround(st->arrival);
			v->start = llround(st->start);
			v->departure = llround(st->departure);
			v->distance_m = llround(st->distance);
			v->load_grams = st->load[0];
			v->load_millilitres = st->load[1];
		}
	}
	run->distance_m = llround(r->distance);
}

int
bikes_plan(double relay_lat, double relay_lon, const struct bikes_job *jobs,
	   size_t njobs, const struct bikes_rider *riders, size_t nriders,
	   const struct bikes_conf *c, struct bikes_plan *out)
{
	struct lz_route_problem *p;
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o;
	int *loc = xcalloc(njobs + 1, sizeof(int));
	int *veh_rider = NULL, *veh_slot = NULL, nveh = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	out->reason = xcalloc(njobs + 1, sizeof(int));
	if ((p = new_problem(relay_lat, relay_lon, jobs, njobs, c, loc)) ==
	    NULL) {
		free(loc);
		return LZ_ROUTE_EINVAL;
	}
	for (size_t i = 0; i < njobs && rc >= 0; i++)
		rc = add_job(p, &jobs[i], loc[i], i, c);
	for (size_t r = 0; r < nriders && rc >= 0; r++) {
		struct bikes_slot slots[MAX_SLOTS];
		size_t ns = bikes_split_shift(riders[r].from, riders[r].until,
					      c->run_max_s, c->reload_s,
					      c->min_run_s, slots, MAX_SLOTS);

		for (size_t s = 0; s < ns && rc >= 0; s++) {
			struct lz_route_vehicle v;

			lz_route_vehicle_init(&v);
			v.id = nveh;
			v.start = v.end = 0;
			v.shift.start = (double)slots[s].start;
			v.shift.end = (double)slots[s].end;
			v.capacity[0] = riders[r].capacity_grams;
			v.capacity[1] = riders[r].capacity_millilitres;
			v.skills = (riders[r].insulated ? SKILL_COLD : 0) |
				   rider_skill((int)r);
			v.profile = LZ_ROUTE_PROFILE_BIKE;
			/* A run costs a kilometre: fewer, fuller runs. */
			v.cost_fixed = 1000;
			if ((rc = lz_route_problem_add_vehicle(p, &v)) < 0)
				break;
			veh_rider = xrealloc(veh_rider,
					     (size_t)(nveh + 1) * sizeof(int));
			veh_slot = xrealloc(veh_slot,
					    (size_t)(nveh + 1) * sizeof(int));
			veh_rider[nveh] = (int)r;
			veh_slot[nveh] = (int)s;
			nveh++;
		}
	}
	if (rc < 0)
		goto out;
	rc = 0;
	if (njobs == 0)
		goto out;
	if (nveh == 0) {
		for (size_t i = 0; i < njobs; i++)
			out->reason[i] = BR_NO_RIDER;
		goto out;
	}
	lz_route_options_init(&o);
	o.time_limit = c->time_limit;
	o.iterations = c->iterations;
	o.seed = c->seed;
	if ((rc = lz_route_solve(p, &o, &sol)) != 0)
		goto out;
	out->iterations = sol->iterations;
	out->elapsed = sol->elapsed;
	out->runs = xcalloc((size_t)sol->nroutes + 1, sizeof(*out->runs));
	for (int k = 0; k < sol->nroutes; k++) {
		const struct lz_route_route *r = &sol->routes[k];
		struct bikes_run_out *run = &out->runs[out->nruns++];

		run->rider = veh_rider[r->vehicle];
		run->slot = veh_slot[r->vehicle];
		read_route(r, run);
	}
	qsort(out->runs, out->nruns, sizeof(*out->runs), cmp_run);
	for (int k = 0; k < sol->nunassigned; k++) {
		const struct lz_route_unassigned *u = &sol->unassigned[k];

		out->reason[u->index] = reason_of(u->reason, &jobs[u->index]);
	}
out:
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
	free(loc);
	free(veh_rider);
	free(veh_slot);
	if (rc != 0)
		bikes_plan_free(out);
	return rc;
}

void
bikes_plan_free(struct bikes_plan *p)
{
	for (size_t i = 0; i < p->nruns; i++)
		free(p->runs[i].visits);
	free(p->runs);
	free(p->reason);
	memset(p, 0, sizeof(*p));
}

int
bikes_sequence(double relay_lat, double relay_lon, const struct bikes_job *jobs,
	       const int *order, size_t n, int64_t start,
	       const struct bikes_conf *c, struct bikes_run_out *run)
{
	int *loc = xcalloc(n + 1, sizeof(int));
	struct bikes_job *seq = xcalloc(n + 1, sizeof(*seq));
	struct lz_route_problem *p;
	double t, dist = 0;
	int64_t g = 0, ml = 0;
	int prev = 0;

	for (size_t i = 0; i < n; i++)
		seq[i] = jobs[order[i]];
	memset(run, 0, sizeof(*run));
	if ((p = new_problem(relay_lat, relay_lon, seq, n, c, loc)) == NULL) {
		free(loc);
		free(seq);
		return LZ_ROUTE_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!seq[i].pickup) {
			g += seq[i].grams;
			ml += seq[i].millilitres;
		}
		/* As the routing engine: the run waits for its goods. */
		if (seq[i].release > start)
			start = seq[i].release;
	}
	t = (double)start;
	run->start = start;
	run->max_grams = g;
	run->max_millilitres = ml;
	run->visits = xcalloc(n + 1, sizeof(*run->visits));
	for (size_t i = 0; i < n; i++) {
		struct bikes_visit *v = &run->visits[run->nvisits++];
		double arr;

		dist += lz_route_problem_distance(p, LZ_ROUTE_PROFILE_BIKE,
						  prev, loc[i]);
		arr = t + lz_route_problem_duration(p, LZ_ROUTE_PROFILE_BIKE,
						    prev, loc[i]);
		v->job = order[i];
		v->location = loc[i];
		v->arrival = llround(arr);
		if (arr < (double)seq[i].tw_start)
			arr = (double)seq[i].tw_start;
		v->start = llround(arr);
		t = arr + c->service_s;
		v->departure = llround(t);
		v->distance_m = llround(dist);
		g += seq[i].pickup ? seq[i].grams : -seq[i].grams;
		ml += seq[i].pickup ? seq[i].millilitres : -seq[i].millilitres;
		v->load_grams = g;
		v->load_millilitres = ml;
		if (g > run->max_grams)
			run->max_grams = g;
		if (ml > run->max_millilitres)
			run->max_millilitres = ml;
		prev = loc[i];
	}
	dist += lz_route_problem_distance(p, LZ_ROUTE_PROFILE_BIKE, prev, 0);
	t += lz_route_problem_duration(p, LZ_ROUTE_PROFILE_BIKE, prev, 0);
	run->end = llround(t);
	run->distance_m = llround(dist);
	lz_route_problem_destroy(&p);
	free(loc);
	free(seq);
	return 0;
}

int
bikes_fits(const struct bikes_job *job, const struct bikes_bike_cap *bikes,
	   size_t n)
{
	int any_cold = 0, fits = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (job->cold && !bikes[i].insulated)
			continue;
		any_cold = 1;
		if (bikes[i].grams >= job->grams &&
		    bikes[i].millilitres >= job->millilitres)
			fits = 1;
	}
	if (fits)
		return 0;
	return job->cold && !any_cold ? BR_NO_INSULATED_BIKE : BR_TOO_HEAVY;
}

int
bikes_point_next(int status, int dest_is_point, enum bikes_point_act act)
{
	int here = status == PS_AT_RELAY_POINT ||
		   (status == PS_DELIVERED && dest_is_point);

	switch (act) {
	case BIKES_POINT_CONFIRM:
		return here ? PS_RECEIVED_AT_POINT : 0;
	case BIKES_POINT_HAND_OVER:
		return here || status == PS_RECEIVED_AT_POINT ? PS_HANDED_OVER
							      : 0;
	}
	return 0;
}

int
bikes_point_allowed(const char *point_member, const char *sender_member,
		    int is_operator)
{
	if (is_operator)
		return 1;
	return point_member && point_member[0] && sender_member &&
	       strcmp(point_member, sender_member) == 0;
}
