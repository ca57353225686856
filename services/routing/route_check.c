/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_check.c -- independent feasibility checker.  Written apart from
 * the solver's evaluation on purpose: it reads the problem through its
 * public description (jobs, shipments, vehicles) and recomputes Euclidean
 * distances itself, so that a bug in the solver's caches cannot hide in
 * the checker too.  See lz_route_check() in lz_route.h.
 */
#include "route_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz_util.h"

#define TOL 1e-6

struct check {
	const struct lz_route_problem *p;
	char *msg;
	size_t len;
};

static int
fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->msg && c->len) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->len, fmt, ap);
		va_end(ap);
	}
	return LZ_ROUTE_EINFEASIBLE;
}

static bool
close_to(double a, double b)
{
	return fabs(a - b) <= TOL * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The same place: the same location, or the same coordinates. */
static bool
same_place(const struct lz_route_problem *p, int a, int b)
{
	if (a < 0 || b < 0)
		return false;
	if (a == b)
		return true;
	return p->metric != LZ_ROUTE_METRIC_MATRIX && p->x[a] == p->x[b] &&
	       p->y[a] == p->y[b];
}

/* Distance, or travel time of vehicle veh, from a to b. */
static double
travel(const struct lz_route_problem *p, const struct lz_route_vehicle *veh,
       int a, int b, bool time)
{
	int prof = (int)veh->profile;
	double d, ud;

	if (a < 0 || b < 0 || same_place(p, a, b))
		return 0;
	if (p->metric == LZ_ROUTE_METRIC_EUCLIDEAN) {
		d = hypot(p->x[a] - p->x[b], p->y[a] - p->y[b]);
		if (!time)
			return d;
		/* the speed model, written out again */
		ud = fmin(d, p->urban_dist[prof]);
		return (ud / p->speed_urban[prof] +
			(d > ud ? (d - ud) / p->speed_road[prof] : 0)) /
		       veh->speed_factor;
	}
	return time ? lz_route_problem_duration(p, veh->profile, a, b) /
			       veh->speed_factor
		    : lz_route_problem_distance(p, veh->profile, a, b);
}

/* Location of the first task stop after position k of rt, or the
 * vehicle's end. */
static int
next_place(const struct lz_route_problem *p, const struct lz_route_route *rt,
	   int k, int last, const struct lz_route_vehicle *veh)
{
	for (int q = k + 1; q < last; q++) {
		const struct lz_route_stop *st = &rt->stops[q];

		if (st->type == LZ_ROUTE_STOP_JOB)
			return p->jobs[st->index].location;
		if (st->type == LZ_ROUTE_STOP_PICKUP)
			return p->ships[st->index].pickup.location;
		if (st->type == LZ_ROUTE_STOP_DELIVERY)
			return p->ships[st->index].delivery.location;
	}
	return veh->end;
}

/* What a stop is: location, setup, service, windows, releases, skills,
 * load change. */
struct stopinfo {
	int location;
	double setup, service;
	double job_release;    /* a job's: holds the route's departure */
	double pickup_release; /* a pickup's: holds its start */
	int ntw;
	const struct lz_route_tw *tw;
	uint64_t skills;
	int64_t change[LZ_ROUTE_MAX_DIMS]; /* on board after - before */
	int64_t from_depot[LZ_ROUTE_MAX_DIMS];
};

static int
stop_info(struct check *c, const struct lz_route_stop *st, int r, int k,
	  struct stopinfo *si)
{
	const struct lz_route_problem *p = c->p;

	memset(si, 0, sizeof(*si));
	if (st->type == LZ_ROUTE_STOP_JOB) {
		const struct lz_route_job *j;

		if (st->index < 0 || st->index >= p->njobs)
			return fail(c, "route %d stop %d: no job %d", r, k,
				    st->index);
		j = &p->jobs[st->index];
		si->location = j->location;
		si->setup = j->setup;
		si->service = j->service;
		si->job_release = j->release;
		si->ntw = j->ntw;
		si->tw = j->tw;
		si->skills = j->skills;
		for (int d = 0; d < p->ndims; d++) {
			si->change[d] = j->pickup[d] - j->delivery[d];
			si->from_depot[d] = j->delivery[d];
		}
		return 0;
	}
	if (st->type == LZ_ROUTE_STOP_PICKUP ||
	    st->type == LZ_ROUTE_STOP_DELIVERY) {
		const struct lz_route_shipment *s;
		const struct lz_route_stop_spec *sp;
		int sign = st->type == LZ_ROUTE_STOP_PICKUP ? 1 : -1;

		if (st->index < 0 || st->index >= p->nship)
			return fail(c, "route %d stop %d: no shipment %d", r, k,
				    st->index);
		s = &p->ships[st->index];
		sp = sign > 0 ? &s->pickup : &s->delivery;
		si->location = sp->location;
		si->setup = sp->setup;
		si->service = sp->service;
		si->pickup_release = sign > 0 ? sp->release : 0;
		si->ntw = sp->ntw;
		si->tw = sp->tw;
		si->skills = s->skills;
		for (int d = 0; d < p->ndims; d++)
			si->change[d] = sign * s->amount[d];
		return 0;
	}
	return fail(c, "route %d stop %d: unexpected stop type %d", r, k,
		    (int)st->type);
}

static int
check_route(struct check *c, const struct lz_route_solution *s, int r,
	    int flags, int *job_seen, int *pick_route, int *deliv_seen)
{
	const struct lz_route_problem *p = c->p;
	const struct lz_route_route *rt = &s->routes[r];
	const struct lz_route_vehicle *veh;
	int D = p->ndims, prev, first = 0, last = rt->nstops;
	int64_t load[LZ_ROUTE_MAX_DIMS] = {0};
	double t, dist = 0, wait = 0, slack = 1e300, dur, dep0, setups = 0;
	double release = 0, tr_end;
	bool full = !(flags & LZ_ROUTE_CHECK_SEQUENCE);
	struct stopinfo si;
	int rc, released = -1, ntasks = 0, nbrk = 0, cur;
	double tt = 0;

	if (rt->vehicle < 0 || rt->vehicle >= p->nveh)
		return fail(c, "route %d: no vehicle %d", r, rt->vehicle);
	veh = &p->vehs[rt->vehicle];
	if (rt->nstops > 0 && rt->stops[0].type == LZ_ROUTE_STOP_START)
		first = 1;
	if (last > first && rt->stops[last - 1].type == LZ_ROUTE_STOP_END)
		last--;
	/* breaks: every one of the vehicle's, once, in its order */
	for (int k = first; k < last; k++) {
		const struct lz_route_stop *st = &rt->stops[k];

		if (st->type != LZ_ROUTE_STOP_BREAK) {
			ntasks++;
			continue;
		}
		if (st->index != nbrk)
			return fail(c,
				    "route %d stop %d: break %d where break %d "
				    "is due",
				    r, k, st->index, nbrk);
		nbrk++;
	}
	if (ntasks > 0 && nbrk != veh->nbreaks)
		return fail(c, "route %d: %d of its vehicle's %d breaks taken",
			    r, nbrk, veh->nbreaks);
	if (veh->max_tasks >= 0 && ntasks > veh->max_tasks)
		return fail(c, "route %d: %d stops, max_tasks %d", r, ntasks,
			    veh->max_tasks);
	/* Loads: everything delivered from the depot is on board at the
	 * start; pickups board.  The route cannot leave before the goods of
	 * its jobs are at the start. */
	for (int k = first; k < last; k++) {
		if (rt->stops[k].type == LZ_ROUTE_STOP_BREAK)
			continue;
		if ((rc = stop_info(c, &rt->stops[k], r, k, &si)))
			return rc;
		for (int d = 0; d < D; d++)
			load[d] += si.from_depot[d];
		if (si.job_release > release) {
			release = si.job_release;
			released = rt->stops[k].index;
		}
	}
	for (int d = 0; d < D; d++)
		if (load[d] > veh->capacity[d])
			return fail(c,
				    "route %d: %lld loaded at start in "
				    "dimension %d, capacity %lld",
				    r, (long long)load[d], d,
				    (long long)veh->capacity[d]);
	if (full && first == 1) {
		for (int d = 0; d < D; d++)
			if (rt->stops[0].load[d] != load[d])
				return fail(c, "route %d: start load differs",
					    r);
	}
	dep0 = fmax(veh->shift.start, released >= 0 ? release : -INFINITY);
	if (full && first == 1) {
		dep0 = rt->stops[0].departure;
		if (dep0 < veh->shift.start - TOL)
			return fail(c, "route %d leaves before its shift", r);
		if (released >= 0 && dep0 < release - TOL)
			return fail(c,
				    "route %d leaves its start at %.6f, before "
				    "the release of job %d (%.6f)",
				    r, dep0, released, release);
	}
	t = dep0;
	prev = cur = veh->start; /* the last task's place; where we are */
	for (int k = first; k < last; k++) {
		const struct lz_route_stop *st = &rt->stops[k];
		double a, b = -1, su, tr;
		int w;

		if (st->type == LZ_ROUTE_STOP_BREAK) {
			const struct lz_route_break *br =
				&veh->breaks[st->index];
			int at = st->location;

			/* taken where the vehicle is, or where it goes next
			 * (after the travel) */
			if (at >= 0 && cur >= 0 && !same_place(p, at, cur)) {
				if (!same_place(
					    p, at,
					    next_place(p, rt, k, last, veh)))
					return fail(c,
						    "route %d stop %d: break "
						    "away from the route",
						    r, k);
				tr = travel(p, veh, cur, at, true);
				dist += travel(p, veh, cur, at, false);
				tt += tr;
				t += tr;
				cur = at;
			}
			for (int d = 0; d < D; d++)
				if (br->has_max_load &&
				    load[d] > br->max_load[d])
					return fail(c,
						    "route %d stop %d: load "
						    "%lld above the break's "
						    "max_load %lld",
						    r, k, (long long)load[d],
						    (long long)br->max_load[d]);
			b = t;
			if (full) {
				if (!close_to(st->arrival, t))
					return fail(c,
						    "route %d stop %d: break "
						    "arrival %.6f, expected "
						    "%.6f",
						    r, k, st->arrival, t);
				b = st->start;
				if (b < t - TOL)
					return fail(c,
						    "route %d stop %d: break "
						    "before arrival",
						    r, k);
			} else {
				for (w = 0; w < br->ntw; w++)
					if (t <= br->tw[w].end) {
						b = fmax(t, br->tw[w].start);
						break;
					}
			}
			for (w = 0; w < br->ntw; w++)
				if (b >= br->tw[w].start - TOL &&
				    b <= br->tw[w].end + TOL)
					break;
			if (w == br->ntw)
				return fail(c,
					    "route %d stop %d: break at %.6f "
					    "outside its windows",
					    r, k, b);
			if (full && !close_to(st->departure, b + br->service))
				return fail(c,
					    "route %d stop %d: break "
					    "departure",
					    r, k);
			wait += b - t;
			slack = 0; /* no later departure with breaks */
			t = b + br->service;
			continue;
		}
		stop_info(c, st, r, k, &si);
		if (si.skills & ~veh->skills)
			return fail(c, "route %d stop %d: vehicle lacks skills",
				    r, k);
		for (int d = 0; d < D; d++) {
			load[d] += si.change[d];
			if (load[d] > veh->capacity[d] || load[d] < 0)
				return fail(c,
					    "route %d stop %d: load %lld in "
					    "dimension %d, capacity %lld",
					    r, k, (long long)load[d], d,
					    (long long)veh->capacity[d]);
			if (full && st->load[d] != load[d])
				return fail(c, "route %d stop %d: load differs",
					    r, k);
		}
		if (st->type == LZ_ROUTE_STOP_JOB) {
			job_seen[st->index]++;
		} else if (st->type == LZ_ROUTE_STOP_PICKUP) {
			if (pick_route[st->index] != -1)
				return fail(c, "shipment %d picked up twice",
					    st->index);
			pick_route[st->index] = r;
		} else {
			if (pick_route[st->index] != r)
				return fail(c,
					    "shipment %d delivered in route %d "
					    "without an earlier pickup there",
					    st->index, r);
			deliv_seen[st->index]++;
		}
		dist += travel(p, veh, cur, si.location, false);
		tr = travel(p, veh, cur, si.location, true);
		tt += tr;
		a = t + tr;
		/* setup once per visit: not when the previous stop (or the
		 * start) is at the same place */
		su = same_place(p, prev, si.location) ? 0 : si.setup;
		setups += su;
		if (full) {
			if (!close_to(st->arrival, a))
				return fail(c,
					    "route %d stop %d: arrival %.6f, "
					    "expected %.6f",
					    r, k, st->arrival, a);
			b = st->start;
			if (b < a - TOL)
				return fail(c,
					    "route %d stop %d: starts before "
					    "arrival",
					    r, k);
			for (w = 0; w < si.ntw; w++)
				if (b >= si.tw[w].start - TOL &&
				    b <= si.tw[w].end + TOL)
					break;
			if (w == si.ntw)
				return fail(c,
					    "route %d stop %d: service at "
					    "%.6f outside its windows",
					    r, k, b);
			if (b < si.pickup_release - TOL)
				return fail(c,
					    "route %d stop %d: pickup at %.6f "
					    "before its release %.6f",
					    r, k, b, si.pickup_release);
			if (!close_to(st->setup, su))
				return fail(c,
					    "route %d stop %d: setup %.6f, "
					    "expected %.6f",
					    r, k, st->setup, su);
			if (!close_to(st->departure, b + su + si.service))
				return fail(c, "route %d stop %d: departure", r,
					    k);
			if (!close_to(st->distance, dist))
				return fail(c, "route %d stop %d: distance", r,
					    k);
		} else {
			/* a pickup waits for its release, then a window */
			double e = fmax(a, si.pickup_release);

			for (w = 0; w < si.ntw; w++) {
				if (e <= si.tw[w].end) {
					b = fmax(e, si.tw[w].start);
					break;
				}
			}
			if (w == si.ntw)
				return fail(c,
					    "route %d stop %d: %s at %.6f, "
					    "after its last window",
					    r, k,
					    e > a ? "released" : "arrives", e);
			wait += b - a;
			slack = fmin(slack, wait + si.tw[w].end - b);
		}
		t = b + su + si.service;
		prev = cur = si.location;
	}
	for (int k = first; k < last; k++) {
		const struct lz_route_stop *st = &rt->stops[k];

		if (st->type == LZ_ROUTE_STOP_PICKUP &&
		    deliv_seen[st->index] != 1)
			return fail(c, "shipment %d not delivered in route %d",
				    st->index, r);
	}
	dist += travel(p, veh, cur, veh->end, false);
	tr_end = travel(p, veh, cur, veh->end, true);
	tt += tr_end;
	t += tr_end;
	if (tt > veh->max_travel_time + TOL)
		return fail(c, "route %d: travel time %.3f above maximum", r,
			    tt);
	if (t > veh->shift.end + TOL)
		return fail(c, "route %d ends at %.6f after the shift (%.6f)",
			    r, t, veh->shift.end);
	if (dist > veh->max_distance + TOL)
		return fail(c, "route %d: distance %.3f above maximum", r,
			    dist);
	dur = full ? t - dep0 : t - dep0 - fmax(0, fmin(slack, wait));
	if (dur > veh->max_duration + TOL)
		return fail(c, "route %d: duration %.3f above maximum", r, dur);
	if (full) {
		if (!close_to(rt->distance, dist))
			return fail(c, "route %d: distance %.6f, expected %.6f",
				    r, rt->distance, dist);
		if (!close_to(rt->duration, dur))
			return fail(c, "route %d: duration %.6f, expected %.6f",
				    r, rt->duration, dur);
		if (!close_to(rt->setup, setups))
			return fail(c, "route %d: setup %.6f, expected %.6f", r,
				    rt->setup, setups);
		if (last < rt->nstops && !close_to(rt->stops[last].arrival, t))
			return fail(c, "route %d: end arrival", r);
	}
	return 0;
}

int
lz_route_check(const struct lz_route_problem *p,
	       const struct lz_route_solution *s, int flags, char *msg,
	       size_t len)
{
	struct check c = {p, msg, len};
	int *job_seen, *pick_route, *deliv_seen, *veh_used, rc = 0;
	double total = 0;

	if (msg && len)
		msg[0] = '\0';
	if (p == NULL || s == NULL)
		return LZ_ROUTE_EINVAL;
	job_seen = xcalloc((size_t)p->njobs + 1, sizeof(int));
	deliv_seen = xcalloc((size_t)p->nship + 1, sizeof(int));
	pick_route = xcalloc((size_t)p->nship + 1, sizeof(int));
	veh_used = xcalloc((size_t)p->nveh + 1, sizeof(int));
	for (int i = 0; i < p->nship; i++)
		pick_route[i] = -1;
	for (int r = 0; r < s->nroutes && rc == 0; r++) {
		rc = check_route(&c, s, r, flags, job_seen, pick_route,
				 deliv_seen);
		if (rc == 0 && veh_used[s->routes[r].vehicle]++)
			rc = fail(&c, "vehicle %d used by two routes",
				  s->routes[r].vehicle);
		total += s->routes[r].distance;
	}
	for (int k = 0; k < s->nunassigned && rc == 0; k++) {
		const struct lz_route_unassigned *u = &s->unassigned[k];

		if (!u->shipment && u->index >= 0 && u->index < p->njobs)
			job_seen[u->index]++;
		else if (u->shipment && u->index >= 0 && u->index < p->nship)
			deliv_seen[u->index] +=
				pick_route[u->index] == -1 ? 1 : 2;
		else
			rc = fail(&c, "unassigned entry %d is invalid", k);
	}
	for (int i = 0; i < p->njobs && rc == 0; i++)
		if (job_seen[i] != 1)
			rc = fail(&c,
				  "job %d (id %lld) served or listed %d times",
				  i, (long long)p->jobs[i].id, job_seen[i]);
	for (int i = 0; i < p->nship && rc == 0; i++)
		if (deliv_seen[i] != 1)
			rc = fail(&c, "shipment %d served or listed %d times",
				  i, deliv_seen[i]);
	if (rc == 0 && !(flags & LZ_ROUTE_CHECK_SEQUENCE) &&
	    !close_to(total, s->distance))
		rc = fail(&c, "total distance %.6f, routes sum to %.6f",
			  s->distance, total);
	free(job_seen);
	free(deliv_seen);
	free(pick_route);
	free(veh_used);
	return rc;
}
