/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tours_bench.c -- bench-tours: plans the tasks of a Marseille-like data set
 * (tests/data/marseille/gen.py's data.json) with the tours service's own
 * planning code (tours_plan_solve: the routing problem of a wave, solved by
 * the routing engine, turned into tours), and in the same run with a
 * nearest-neighbour baseline over the very same routing problem
 * (tours_vrp_build: same jobs, relay consolidation, capacities per
 * compartment, skills, windows, shifts, distances, setups): each vehicle in
 * turn leaves the hub and always drives to the nearest unserved job it can
 * still serve (skills, load along the route, window, back at the hub before
 * the end of its shift), until none is left.  Both solutions are verified
 * with the engine's independent checker (lz_route_check).
 *
 * Then a day of two waves, as lz-sim plays it: the morning wave (the same
 * tasks), then an afternoon wave of the deliveries of the orders the
 * morning collected at producers, each vehicle free once back from its
 * morning tour.  Twice: with stops per place and ready times (lz-tours'
 * defaults: a setup per visit and a service per task, consecutive visits
 * at one site one stop, the afternoon deliveries ready when their
 * collecting tour is back plus the handling time), and without (300 s per
 * job, one stop per job, the afternoon deliveries ready at once, as
 * lz-tours planned before); the same speed model and ranges in both.  The
 * ratios with / without are printed.
 *
 * Usage: bench-tours DATA.json [TIME_LIMIT_MS [ITERATIONS]]
 * (defaults: the daemon's, 2000 ms and no iteration limit).  Single thread.
 */
#include "lz_json.h"
#include "lz_util.h"
#include "plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct data {
	Site **sites;
	size_t nsites;
	Vehicle **veh;
	size_t nveh;
	Order **orders;
	size_t norders;
	Lz__Tours__V1__CollectionRequested **cols;
	size_t ncols;
	int64_t midnight;
	char date[11];
};

static ProtobufCMessage *
to_msg(const ProtobufCMessageDescriptor *d, const json_t *j)
{
	ProtobufCMessage *m;
	char err[256];

	if (lz_json_to_message(d, j, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-tours: %s: %s\n", d->name, err);
		exit(1);
	}
	return m;
}

static void
load(const char *path, struct data *d)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *v;
	const char *key;
	size_t i;

	if (root == NULL) {
		fprintf(stderr, "bench-tours: %s:%d: %s\n", path, jerr.line,
			jerr.text);
		exit(1);
	}
	memset(d, 0, sizeof(*d));
	snprintf(d->date, sizeof(d->date), "%s",
		 json_string_value(json_object_get(root, "date")));
	d->midnight = json_integer_value(json_object_get(root, "midnight"));
	json_object_foreach(json_object_get(root, "sites"), key, v)
	{
		d->sites =
			xrealloc(d->sites, sizeof(*d->sites) * (d->nsites + 1));
		d->sites[d->nsites++] =
			(Site *)to_msg(&lz__orders__v1__site__descriptor, v);
	}
	json_array_foreach(json_object_get(root, "vehicles"), i, v)
	{
		d->veh = xrealloc(d->veh, sizeof(*d->veh) * (d->nveh + 1));
		d->veh[d->nveh++] = (Vehicle *)to_msg(
			&lz__tours__v1__vehicle__descriptor, v);
	}
	json_array_foreach(json_object_get(root, "orders"), i, v)
	{
		d->orders = xrealloc(d->orders,
				     sizeof(*d->orders) * (d->norders + 1));
		d->orders[d->norders++] =
			(Order *)to_msg(&lz__orders__v1__order__descriptor, v);
	}
	json_array_foreach(json_object_get(root, "collections"), i, v)
	{
		d->cols = xrealloc(d->cols, sizeof(*d->cols) * (d->ncols + 1));
		d->cols[d->ncols++] = (Lz__Tours__V1__CollectionRequested *)
			to_msg(&lz__tours__v1__collection_requested__descriptor,
			       v);
	}
	json_decref(root);
}

static const Site *
site_of(const struct data *d, const char *id)
{
	for (size_t i = 0; id && id[0] && i < d->nsites; i++)
		if (strcmp(d->sites[i]->site_id, id) == 0)
			return d->sites[i];
	return NULL;
}

static const Site *
relay_of(const struct data *d)
{
	for (size_t i = 0; i < d->nsites; i++)
		if ((int)d->sites[i]->kind == SITE_BIKE_RELAY)
			return d->sites[i];
	return NULL;
}

/* Builds the tasks (as lz-tours would for confirmed orders and collection
 * requests) and the planner's view of them and of the fleet.  ORDER_OF,
 * when not NULL, gets the order of each task (NULL for a collection). */
static size_t
build(const struct data *d, const struct tours_conf *c,
      struct tours_task_buf *tb, struct tours_ptask *pt,
      struct tours_pvehicle *pv, const Order **order_of)
{
	size_t n = 0;

	for (size_t i = 0; i < d->norders; i++) {
		const Order *o = d->orders[i];

		if (tours_task_for_order(o, OS_CONFIRMED,
					 site_of(d, o->destination_site_id),
					 site_of(d, o->pickup_site_id),
					 relay_of(d), c, d->midnight, &tb[n])) {
			if (order_of)
				order_of[n] = o;
			n++;
		}
	}
	for (size_t i = 0; i < d->ncols; i++) {
		const Lz__Tours__V1__CollectionRequested *r = d->cols[i];

		if (tours_task_for_collection(r, site_of(d, r->site_id), c,
					      d->midnight, &tb[n])) {
			if (order_of)
				order_of[n] = NULL;
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		memset(&pt[i], 0, sizeof(pt[i]));
		pt[i].task = &tb[i].t;
		pt[i].site = site_of(d, tb[i].t.site_id);
		pt[i].dest = site_of(d, tb[i].t.destination_site_id);
	}
	for (size_t i = 0; i < d->nveh; i++) {
		pv[i].v = d->veh[i];
		pv[i].hub = site_of(d, d->veh[i]->home_hub_site_id);
		pv[i].shift_start = d->midnight + d->veh[i]->shift_start;
		pv[i].shift_end = d->midnight + d->veh[i]->shift_end;
	}
	return n;
}

/* ---- the nearest-neighbour baseline ---- */

/* A route being built: where and when the vehicle is, the load when it
 * leaves the hub and after its last stop, the most on board so far. */
struct nn_route {
	const struct lz_route_vehicle *v;
	int ndims, loc;
	double t, dist; /* now, and driven so far */
	int64_t start_load[LZ_ROUTE_MAX_DIMS], end_load[LZ_ROUTE_MAX_DIMS];
	int64_t max_load[LZ_ROUTE_MAX_DIMS];
};

/* Start of service at a stop reached at ARRIVAL, or -1 if too late. */
static double
serve_at(const struct lz_route_tw *tw, int ntw, double arrival)
{
	for (int k = 0; k < ntw; k++)
		if (arrival <= tw[k].end)
			return arrival > tw[k].start ? arrival : tw[k].start;
	return -1;
}

/* Whether R can append a stop with delivery DEL (loaded at the hub) and
 * pickup PICK: every point of the route gains DEL, the new last point
 * holds END + PICK. */
static int
load_fits(const struct nn_route *r, const int64_t *del, const int64_t *pick)
{
	for (int k = 0; k < r->ndims; k++)
		if (r->max_load[k] + del[k] > r->v->capacity[k] ||
		    r->end_load[k] + pick[k] > r->v->capacity[k])
			return 0;
	return 1;
}

static void
load_add(struct nn_route *r, const int64_t *del, const int64_t *pick)
{
	for (int k = 0; k < r->ndims; k++) {
		r->start_load[k] += del[k];
		r->max_load[k] += del[k];
		r->end_load[k] += pick[k];
		if (r->end_load[k] > r->max_load[k])
			r->max_load[k] = r->end_load[k];
	}
}

/* Time at which R, from its current place and time, can finish a stop
 * SPEC (location, windows, setup unless it is where R is, service) and
 * still get home in its shift; -1 when it cannot.  *ARR is the start of
 * the visit. */
static double
try_stop(const struct lz_route_problem *p, const struct nn_route *r, int loc,
	 const struct lz_route_tw *tw, int ntw, double setup, double service,
	 double *arr)
{
	double a =
		r->t + lz_route_problem_duration(p, r->v->profile, r->loc, loc);
	double s = serve_at(tw, ntw, a);

	if (s < 0)
		return -1;
	*arr = s;
	return s + (loc == r->loc ? 0 : setup) + service;
}

/* Whether R, having driven EXTRA more to reach LOC, still gets home
 * within its vehicle's range. */
static int
in_range(const struct lz_route_problem *p, const struct nn_route *r, int loc,
	 double extra)
{
	return r->dist + extra +
		       lz_route_problem_distance(p, r->v->profile, loc,
						 r->v->end) <=
	       r->v->max_distance;
}

static int
home_in_time(const struct lz_route_problem *p, const struct nn_route *r,
	     int loc, double t)
{
	return t + lz_route_problem_duration(p, r->v->profile, loc,
					     r->v->end) <=
	       r->v->shift.end;
}

/* Greedy tours on P into *OUT (routes with their stop sequences; times and
 * loads are not reported: lz_route_check() with LZ_ROUTE_CHECK_SEQUENCE
 * recomputes them).  "Nearest" is the shortest drive, or with BY_TIME the
 * earliest end of service, waiting for the window included (Solomon's
 * time-oriented nearest neighbour; ties by distance). */
static void
nearest_neighbour(const struct lz_route_problem *p, int by_time,
		  struct lz_route_solution *out)
{
	int nj = lz_route_problem_njobs(p), ns = lz_route_problem_nshipments(p);
	int nv = lz_route_problem_nvehicles(p), nd = lz_route_problem_ndims(p);
	char *done = xcalloc((size_t)(nj + ns) + 1, 1);
	int64_t zero[LZ_ROUTE_MAX_DIMS] = {0};

	memset(out, 0, sizeof(*out));
	out->routes = xcalloc((size_t)nv + 1, sizeof(*out->routes));
	for (int vi = 0; vi < nv; vi++) {
		struct lz_route_route *rt = &out->routes[out->nroutes];
		struct nn_route r;
		int cap = 8;

		memset(&r, 0, sizeof(r));
		r.v = lz_route_problem_vehicle(p, vi);
		r.ndims = nd;
		r.loc = r.v->start;
		r.t = r.v->shift.start;
		rt->vehicle = vi;
		rt->stops = xcalloc((size_t)cap, sizeof(*rt->stops));
		rt->stops[rt->nstops].type = LZ_ROUTE_STOP_START;
		rt->stops[rt->nstops].index = -1;
		rt->stops[rt->nstops++].location = r.v->start;
		for (;;) {
			int best = -1;
			double bestd = 0, bestt = 0;

			for (int j = 0; j < nj + ns; j++) {
				double d, t, s;

				if (done[j])
					continue;
				if (j < nj) {
					const struct lz_route_job *jb =
						lz_route_problem_job(p, j);

					/* Jobs held at the hub later than
					 * the route leaves are for another
					 * route. */
					if ((r.v->skills & jb->skills) !=
						    jb->skills ||
					    jb->release > r.v->shift.start ||
					    !load_fits(&r, jb->delivery,
						       jb->pickup))
						continue;
					d = lz_route_problem_distance(
						p, r.v->profile, r.loc,
						jb->location);
					t = try_stop(p, &r, jb->location,
						     jb->tw, jb->ntw, jb->setup,
						     jb->service, &s);
					if (t < 0 ||
					    !home_in_time(p, &r, jb->location,
							  t) ||
					    !in_range(p, &r, jb->location, d))
						continue;
				} else {
					const struct lz_route_shipment *sh =
						lz_route_problem_shipment(
							p, j - nj);
					struct nn_route r2;

					if ((r.v->skills & sh->skills) !=
						    sh->skills ||
					    sh->pickup.release >
						    r.v->shift.start ||
					    !load_fits(&r, zero, sh->amount))
						continue;
					d = lz_route_problem_distance(
						p, r.v->profile, r.loc,
						sh->pickup.location);
					t = try_stop(p, &r, sh->pickup.location,
						     sh->pickup.tw,
						     sh->pickup.ntw,
						     sh->pickup.setup,
						     sh->pickup.service, &s);
					if (t < 0)
						continue;
					r2 = r;
					r2.loc = sh->pickup.location;
					r2.t = t;
					t = try_stop(p, &r2,
						     sh->delivery.location,
						     sh->delivery.tw,
						     sh->delivery.ntw,
						     sh->delivery.setup,
						     sh->delivery.service, &s);
					if (t < 0 ||
					    !home_in_time(p, &r,
							  sh->delivery.location,
							  t) ||
					    !in_range(
						    p, &r,
						    sh->delivery.location,
						    d + lz_route_problem_distance(
								p, r.v->profile,
								sh->pickup
									.location,
								sh->delivery
									.location)))
						continue;
				}
				if (best < 0 ||
				    (by_time ? t < bestt ||
						       (t == bestt && d < bestd)
					     : d < bestd)) {
					best = j;
					bestd = d;
					bestt = t;
				}
			}
			if (best < 0)
				break;
			done[best] = 1;
			if (rt->nstops + 3 > cap) {
				cap *= 2;
				rt->stops = xrealloc(rt->stops,
						     sizeof(*rt->stops) * cap);
			}
			if (best < nj) {
				const struct lz_route_job *jb =
					lz_route_problem_job(p, best);

				load_add(&r, jb->delivery, jb->pickup);
				r.dist += lz_route_problem_distance(
					p, r.v->profile, r.loc, jb->location);
				r.loc = jb->location;
				rt->stops[rt->nstops].type = LZ_ROUTE_STOP_JOB;
				rt->stops[rt->nstops].index = best;
				rt->stops[rt->nstops++].location = r.loc;
			} else {
				const struct lz_route_shipment *sh =
					lz_route_problem_shipment(p, best - nj);

				r.dist += lz_route_problem_distance(
						  p, r.v->profile, r.loc,
						  sh->pickup.location) +
					  lz_route_problem_distance(
						  p, r.v->profile,
						  sh->pickup.location,
						  sh->delivery.location);
				r.loc = sh->delivery.location;
				rt->stops[rt->nstops].type =
					LZ_ROUTE_STOP_PICKUP;
				rt->stops[rt->nstops].index = best - nj;
				rt->stops[rt->nstops++].location =
					sh->pickup.location;
				rt->stops[rt->nstops].type =
					LZ_ROUTE_STOP_DELIVERY;
				rt->stops[rt->nstops].index = best - nj;
				rt->stops[rt->nstops++].location = r.loc;
			}
			r.t = bestt;
		}
		if (rt->nstops == 1) {
			free(rt->stops);
			memset(rt, 0, sizeof(*rt));
			continue;
		}
		rt->distance = 0;
		for (int s = 1; s < rt->nstops; s++)
			rt->distance += lz_route_problem_distance(
				p, r.v->profile, rt->stops[s - 1].location,
				rt->stops[s].location);
		rt->distance += lz_route_problem_distance(
			p, r.v->profile, rt->stops[rt->nstops - 1].location,
			r.v->end);
		rt->stops[rt->nstops].type = LZ_ROUTE_STOP_END;
		rt->stops[rt->nstops].index = -1;
		rt->stops[rt->nstops++].location = r.v->end;
		out->distance += rt->distance;
		out->nroutes++;
	}
	out->unassigned =
		xcalloc((size_t)(nj + ns) + 1, sizeof(*out->unassigned));
	for (int j = 0; j < nj + ns; j++)
		if (!done[j]) {
			out->unassigned[out->nunassigned].shipment = j >= nj;
			out->unassigned[out->nunassigned].index =
				j < nj ? j : j - nj;
			out->unassigned[out->nunassigned++].reason =
				LZ_ROUTE_REASON_NO_ROOM;
		}
	free(done);
}

static void
solution_release(struct lz_route_solution *s)
{
	for (int r = 0; r < s->nroutes; r++)
		free(s->routes[r].stops);
	free(s->routes);
	free(s->unassigned);
}

/* Tasks served by a solution of VRP (a job may stand for several). */
static int
tasks_served(const struct tours_vrp *vrp, const struct lz_route_solution *s)
{
	int n = 0;

	for (int r = 0; r < s->nroutes; r++)
		for (int k = 0; k < s->routes[r].nstops; k++) {
			const struct lz_route_stop *st = &s->routes[r].stops[k];

			if (st->type == LZ_ROUTE_STOP_JOB)
				n += vrp->job_first[st->index + 1] -
				     vrp->job_first[st->index];
			else if (st->type == LZ_ROUTE_STOP_PICKUP)
				n++;
		}
	return n;
}

/* ---- a day of two waves, with and without stops per place and ready
 * times ---- */

struct day {
	int tours, planned, unplanned, not_ready, stops;
	int revisits, touching; /* pairs of stops at one site in one tour */
	int pm_tasks, pm_planned;
	double km, hours, ms;
};

/* Task stops of TOURS, and the pairs of stops of one tour at one site
 * whose windows overlap (a dispatcher would make them one) or touch (one
 * ends when the other starts). */
static void
count_stops(Tour *const *tours, size_t n, struct day *out)
{
	for (size_t k = 0; k < n; k++) {
		const Tour *t = tours[k];

		for (size_t i = 0; i < t->n_stops; i++) {
			const Stop *a = t->stops[i];

			if (a->kind != SK_TASK)
				continue;
			out->stops++;
			for (size_t j = i + 1; j < t->n_stops; j++) {
				const Stop *b = t->stops[j];

				if (b->kind == SK_TASK && a->window &&
				    b->window &&
				    strcmp(a->site_id, b->site_id) == 0 &&
				    a->window->start <= b->window->end &&
				    b->window->start <= a->window->end) {
					if (a->window->start ==
						    b->window->end ||
					    b->window->start == a->window->end)
						out->touching++;
					else
						out->revisits++;
					if (getenv("BENCH_TOURS_VERBOSE"))
						printf("# revisit %s %s stops "
						       "%u %u windows "
						       "%lld-%lld "
						       "%lld-%lld\n",
						       t->tour_id, a->site_id,
						       a->index, b->index,
						       (long long)
							       a->window->start,
						       (long long)
							       a->window->end,
						       (long long)
							       b->window->start,
						       (long long)
							       b->window->end);
				}
			}
		}
	}
}

static void
day_add(struct day *out, const struct tours_plan *plan, double ms,
	const struct tours_ptask *pt, size_t nt)
{
	out->tours += (int)plan->ntours;
	out->planned += plan->planned;
	out->unplanned += plan->unplanned;
	out->km += plan->distance_m / 1000.0;
	out->ms += ms;
	for (size_t k = 0; k < plan->ntours; k++)
		out->hours += plan->tours[k]->duration_s / 3600.0;
	for (size_t i = 0; i < nt; i++)
		if (pt[i].reason == RS_NOT_READY)
			out->not_ready++;
	count_stops(plan->tours, plan->ntours, out);
}

/* Plans the morning wave of D's tasks under C, then the afternoon wave of
 * the deliveries of the orders collected in the morning (ready, with
 * READY, when their collecting tour is back plus the handling), each
 * vehicle free once back from its morning tour. */
static int
plan_day(const struct data *d, const struct tours_conf *c, int ready,
	 struct day *out)
{
	size_t cap = d->norders + d->ncols + 1, nt, n2 = 0;
	struct tours_task_buf *tb = xcalloc(cap, sizeof(*tb));
	struct tours_task_buf *tb2 = xcalloc(cap, sizeof(*tb2));
	struct tours_ptask *pt = xcalloc(cap, sizeof(*pt));
	struct tours_ptask *pt2 = xcalloc(cap, sizeof(*pt2));
	struct tours_pvehicle *pv = xcalloc(d->nveh + 1, sizeof(*pv));
	const Order **order_of = xcalloc(cap, sizeof(*order_of));
	struct tours_plan am, pm;
	int64_t t0;
	int rc;

	memset(out, 0, sizeof(*out));
	nt = build(d, c, tb, pt, pv, order_of);
	t0 = lz_mono_us();
	if ((rc = tours_plan_solve(c, pt, nt, pv, d->nveh, d->date, "am",
				   "bench-am", &am)) != 0)
		goto out;
	day_add(out, &am, (lz_mono_us() - t0) / 1000.0, pt, nt);
	for (size_t i = 0; i < nt; i++) {
		const Order *o = order_of[i];
		const Tour *tr;

		if (o == NULL || pt[i].task->kind != TK_PICKUP ||
		    pt[i].reason != RS_NONE)
			continue;
		tr = am.tours[pt[i].tour];
		if (!tours_task_for_order(
			    o, OS_AT_HUB, site_of(d, o->destination_site_id),
			    site_of(d, o->pickup_site_id), relay_of(d), c,
			    d->midnight, &tb2[n2]))
			continue;
		if (ready)
			tb2[n2].t.ready_at = tr->end + c->handling_s;
		if (getenv("BENCH_TOURS_VERBOSE"))
			printf("# %s collected by %s, back %+.2f h, window "
			       "%+.2f..%+.2f h\n",
			       tb2[n2].t.task_id, tr->vehicle_id,
			       (tr->end - d->midnight) / 3600.0,
			       (tb2[n2].t.window->start - d->midnight) / 3600.0,
			       (tb2[n2].t.window->end - d->midnight) / 3600.0);
		pt2[n2].task = &tb2[n2].t;
		pt2[n2].site = site_of(d, tb2[n2].t.site_id);
		n2++;
	}
	for (size_t v = 0; v < d->nveh; v++)
		for (size_t k = 0; k < am.ntours; k++)
			if (strcmp(am.tours[k]->vehicle_id,
				   d->veh[v]->vehicle_id) == 0 &&
			    am.tours[k]->end > pv[v].shift_start)
				pv[v].shift_start = am.tours[k]->end;
	t0 = lz_mono_us();
	if ((rc = tours_plan_solve(c, pt2, n2, pv, d->nveh, d->date, "pm",
				   "bench-pm", &pm)) == 0) {
		day_add(out, &pm, (lz_mono_us() - t0) / 1000.0, pt2, n2);
		out->pm_tasks = (int)n2;
		out->pm_planned = pm.planned;
		tours_plan_release(&pm);
	}
	tours_plan_release(&am);
out:
	free(tb);
	free(tb2);
	free(pt);
	free(pt2);
	free(pv);
	free(order_of);
	return rc;
}

static void
day_row(const char *name, const struct day *r)
{
	char pm[32];

	snprintf(pm, sizeof(pm), "%d/%d", r->pm_planned, r->pm_tasks);
	printf("%-30s %5d %6d %9d %7s %9d %6d %8d %8.1f %7.1f %9.0f\n", name,
	       r->tours, r->planned, r->unplanned, pm, r->not_ready, r->stops,
	       r->revisits, r->km, r->hours, r->ms);
}

static double
ratio(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

/* The day with and without stops per place and ready times; returns 0 or
 * a negative LZ_ROUTE_E* code. */
static int
bench_day(const struct data *d, const struct tours_conf *c)
{
	struct tours_conf before = *c;
	struct day with, without;
	int rc;

	/* As lz-tours planned before: 300 s per job and 600 s per relay
	 * drop, no setup, a job and a stop per task, nothing waits for its
	 * goods. */
	before.setup_s = 0;
	before.service_s = 300;
	before.relay_service_s = 600;
	before.merge_stops = 0;
	before.group_overlap_s = -1;
	if ((rc = plan_day(d, &before, 0, &without)) != 0 ||
	    (rc = plan_day(d, c, 1, &with)) != 0)
		return rc;
	printf("%-30s %5s %6s %9s %7s %9s %6s %8s %8s %7s %9s\n",
	       "day (am + pm waves)", "tours", "tasks", "unplanned", "pm",
	       "not_ready", "stops", "revisits", "km", "hours", "plan_ms");
	day_row("without (stop per task)", &without);
	day_row("with (per place, ready times)", &with);
	printf("bench-tours-day: orders=%zu vehicles=%zu km_ratio=%.3f "
	       "plan_ms_ratio=%.3f stops_ratio=%.3f hours_ratio=%.3f "
	       "planned_ratio=%.3f not_ready=%d revisits=%d touching=%d\n",
	       d->norders, d->nveh, ratio(with.km, without.km),
	       ratio(with.ms, without.ms), ratio(with.stops, without.stops),
	       ratio(with.hours, without.hours),
	       ratio(with.planned, without.planned), with.not_ready,
	       with.revisits, with.touching);
	return 0;
}

int
main(int argc, char **argv)
{
	struct data d;
	struct tours_conf c;
	struct tours_task_buf *tb;
	struct tours_ptask *pt;
	struct tours_pvehicle *pv;
	struct tours_plan plan;
	struct tours_vrp vrp;
	struct lz_route_solution base, dist;
	char msg[512];
	size_t nt;
	int64_t t0;
	double plan_ms, base_ms, base_km, km;
	int base_planned, rc, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-tours DATA.json "
				"[TIME_LIMIT_MS [ITERATIONS]]\n");
		return 2;
	}
	if (lz_date_set_timezone("Europe/Paris") != 0) {
		fprintf(stderr, "bench-tours: no Europe/Paris time zone\n");
		return 1;
	}
	tours_conf_init(&c);
	if (argc > 2)
		c.time_limit = atof(argv[2]) / 1000;
	if (argc > 3)
		c.iterations = atoll(argv[3]);
	load(argv[1], &d);
	tb = xcalloc(d.norders + d.ncols + 1, sizeof(*tb));
	pt = xcalloc(d.norders + d.ncols + 1, sizeof(*pt));
	pv = xcalloc(d.nveh + 1, sizeof(*pv));
	nt = build(&d, &c, tb, pt, pv, NULL);

	/* The planner, as a wave of lz-tours runs it. */
	t0 = lz_mono_us();
	if ((rc = tours_plan_solve(&c, pt, nt, pv, d.nveh, d.date, "day",
				   "bench", &plan)) != 0) {
		fprintf(stderr, "bench-tours: plan: %s\n",
			lz_route_strerror(rc));
		return 1;
	}
	plan_ms = (lz_mono_us() - t0) / 1000.0;
	km = plan.distance_m / 1000.0;

	/* The baselines on the same routing problem: nearest in time (the
	 * one compared), and nearest in distance for the table. */
	if ((rc = tours_vrp_build(&c, pt, nt, pv, d.nveh, &vrp)) != 0) {
		fprintf(stderr, "bench-tours: build: %s\n",
			lz_route_strerror(rc));
		return 1;
	}
	printf("%-16s %6s %6s %9s %9s %10s\n", "method", "tours", "tasks",
	       "unplanned", "km", "ms");
	for (int by_time = 0; by_time < 2; by_time++) {
		struct lz_route_solution *s = by_time ? &base : &dist;

		t0 = lz_mono_us();
		nearest_neighbour(vrp.p, by_time, s);
		base_ms = (lz_mono_us() - t0) / 1000.0;
		if (lz_route_check(vrp.p, s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				   sizeof(msg)) != 0) {
			fprintf(stderr,
				"bench-tours: baseline infeasible: %s\n", msg);
			status = 1;
		}
		printf("%-16s %6d %6d %9d %9.1f %10.1f\n",
		       by_time ? "nn-time (base)" : "nn-distance", s->nroutes,
		       tasks_served(&vrp, s), (int)nt - tasks_served(&vrp, s),
		       s->distance / 1000.0, base_ms);
	}
	base_km = base.distance / 1000.0;
	base_planned = tasks_served(&vrp, &base);
	printf("%-16s %6zu %6d %9d %9.1f %10.1f\n", "lz-tours plan",
	       plan.ntours, plan.planned, plan.unplanned, km, plan_ms);
	/* Per vehicle, for a fleet that fits a screen. */
	if (d.nveh <= 20)
		printf("%-16s %6s %6s %9s %9s\n", "vehicle", "stops", "km",
		       "nn_stops", "nn_km");
	for (size_t i = 0; i < d.nveh && d.nveh <= 20; i++) {
		int ps = 0, bs = 0;
		double pk = 0, bk = 0;

		for (size_t k = 0; k < plan.ntours; k++)
			if (strcmp(plan.tours[k]->vehicle_id,
				   d.veh[i]->vehicle_id) == 0) {
				ps = (int)plan.tours[k]->n_stops - 2;
				pk = plan.tours[k]->distance_m / 1000.0;
			}
		for (int r = 0; r < base.nroutes; r++)
			if (vrp.veh[base.routes[r].vehicle] == (int)i) {
				bs = base.routes[r].nstops - 2;
				bk = base.routes[r].distance / 1000.0;
			}
		printf("%-16s %6d %6.1f %9d %9.1f\n", d.veh[i]->vehicle_id, ps,
		       pk, bs, bk);
	}
	printf("bench-tours: tasks=%zu vehicles=%zu plan_ms=%.0f km=%.1f "
	       "planned=%d baseline_km=%.1f baseline_planned=%d "
	       "km_ratio=%.3f\n",
	       nt, d.nveh, plan_ms, km, plan.planned, base_km, base_planned,
	       base_km > 0 ? km / base_km : 0.0);

	if ((rc = bench_day(&d, &c)) != 0) {
		fprintf(stderr, "bench-tours: day: %s\n",
			lz_route_strerror(rc));
		status = 1;
	}
	solution_release(&base);
	solution_release(&dist);
	tours_vrp_release(&vrp);
	tours_plan_release(&plan);
	for (size_t i = 0; i < d.nsites; i++)
		protobuf_c_message_free_unpacked(&d.sites[i]->base, NULL);
	for (size_t i = 0; i < d.nveh; i++)
		protobuf_c_message_free_unpacked(&d.veh[i]->base, NULL);
	for (size_t i = 0; i < d.norders; i++)
		protobuf_c_message_free_unpacked(&d.orders[i]->base, NULL);
	for (size_t i = 0; i < d.ncols; i++)
		protobuf_c_message_free_unpacked(&d.cols[i]->base, NULL);
	free(d.sites);
	free(d.veh);
	free(d.orders);
	free(d.cols);
	free(tb);
	free(pt);
	free(pv);
	return status;
}
