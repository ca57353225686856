/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_routing.c -- unit tests of the routing engine: the feasibility
 * checker, optimality on tiny problems against brute force, pickups and
 * deliveries, shipments, multi-dimensional capacity, skills, several time
 * windows, unassigned reasons, priorities, determinism, malformed inputs.
 *
 * Fixtures are read from tests/data/routing (run from the repository
 * root, or set LZ_TEST_DATA).
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz_route.h"
#include "lz_test.h"
#include "route_json.h"

static const char *
data_path(const char *name)
{
	static char buf[1024];
	const char *dir = getenv("LZ_TEST_DATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data/routing",
		 name);
	return buf;
}

static struct lz_route_options
opts_iter(int64_t iters, uint64_t seed)
{
	struct lz_route_options o;

	lz_route_options_init(&o);
	o.time_limit = 0;
	o.iterations = iters;
	o.seed = seed;
	return o;
}

/* A problem on a plane: depot at (0,0), one location per job. */
static struct lz_route_problem *
plane(int ndims)
{
	struct lz_route_problem *p = lz_route_problem_new(ndims);

	lz_route_problem_add_location(p, 0, 0);
	return p;
}

static int
add_job_at(struct lz_route_problem *p, double x, double y, double service,
	   double a, double b, int64_t delivery)
{
	struct lz_route_job j;

	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, x, y);
	j.id = lz_route_problem_njobs(p) + 1;
	j.service = service;
	j.tw[0].start = a;
	j.tw[0].end = b;
	j.delivery[0] = delivery;
	return lz_route_problem_add_job(p, &j);
}

/* add_job_at with a setup and a release. */
static int
add_job_sr(struct lz_route_problem *p, double x, double y, double service,
	   double a, double b, double setup, double release)
{
	struct lz_route_job j;

	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, x, y);
	j.id = lz_route_problem_njobs(p) + 1;
	j.setup = setup;
	j.service = service;
	j.release = release;
	j.tw[0].start = a;
	j.tw[0].end = b;
	j.delivery[0] = 1;
	return lz_route_problem_add_job(p, &j);
}

static int
add_vehicle(struct lz_route_problem *p, int64_t cap, double end)
{
	struct lz_route_vehicle v;

	lz_route_vehicle_init(&v);
	v.id = lz_route_problem_nvehicles(p) + 1;
	v.capacity[0] = cap;
	v.shift.end = end;
	return lz_route_problem_add_vehicle(p, &v);
}

/* A solution with one route per sequence (jobs only), for the checker. */
struct hand {
	struct lz_route_solution s;
	struct lz_route_route r[4];
	struct lz_route_stop st[4][16];
};

static void
hand_route(struct hand *h, int vehicle, const int *jobs, int n)
{
	int k = h->s.nroutes++;

	h->s.routes = h->r;
	h->r[k].vehicle = vehicle;
	h->r[k].nstops = n;
	h->r[k].stops = h->st[k];
	for (int i = 0; i < n; i++) {
		memset(&h->st[k][i], 0, sizeof(h->st[k][i]));
		h->st[k][i].type = LZ_ROUTE_STOP_JOB;
		h->st[k][i].index = jobs[i];
	}
}

/* ---- checker ---- */

static void
test_checker(void)
{
	struct lz_route_problem *p = plane(1);
	struct hand h;
	struct lz_route_unassigned un[1];
	char msg[256];

	add_job_at(p, 10, 0, 1, 0, 100, 5);  /* 0 */
	add_job_at(p, 10, 10, 1, 0, 100, 5); /* 1 */
	add_job_at(p, 0, 10, 1, 0, 15, 5);   /* 2: window closes at 15 */
	add_vehicle(p, 10, 1000);
	add_vehicle(p, 10, 1000);

	/* feasible: 2 first (arrive 10), then 1 */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){2, 1}, 2);
	hand_route(&h, 1, (int[]){0}, 1);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     0);

	/* window: 2 after 1 arrives at 25.1 > 15 */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){1, 2}, 2);
	hand_route(&h, 1, (int[]){0}, 1);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "window") != NULL);

	/* capacity: 15 on a vehicle of 10 */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){2, 1, 0}, 3);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "capacity") != NULL);

	/* a job missing */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){2, 1}, 2);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "job 0") != NULL);

	/* ... unless it is listed unassigned */
	un[0].shipment = 0;
	un[0].index = 0;
	un[0].reason = LZ_ROUTE_REASON_NO_ROOM;
	h.s.unassigned = un;
	h.s.nunassigned = 1;
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     0);

	/* a job twice */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){2, 1}, 2);
	hand_route(&h, 1, (int[]){0, 1}, 2);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);

	/* one vehicle, two routes */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){2, 1}, 2);
	hand_route(&h, 0, (int[]){0}, 1);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	lz_route_problem_destroy(&p);

	/* shift end: the depot closes before the vehicle is back */
	p = plane(1);
	add_job_at(p, 10, 0, 1, 0, 100, 1);
	add_vehicle(p, 10, 20);
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){0}, 1);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "shift") != NULL);
	lz_route_problem_destroy(&p);
}

/* The full check compares the reported schedule too. */
static void
test_checker_full(void)
{
	struct lz_route_problem *p = NULL;
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(200, 1);
	char err[256];

	CHECK_EQ_INT(lz_route_solomon_read(data_path("r101_25.txt"), &p, err,
					   sizeof(err)),
		     0);
	if (p == NULL)
		return;
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, err, sizeof(err)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	if (s->nroutes > 0 && s->routes[0].nstops > 2) {
		s->routes[0].stops[1].arrival += 1;
		CHECK_EQ_INT(lz_route_check(p, s, 0, err, sizeof(err)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK_EQ_INT(lz_route_check(p, s, LZ_ROUTE_CHECK_SEQUENCE, err,
					    sizeof(err)),
			     0);
		s->routes[0].stops[1].arrival -= 1;
		s->routes[0].stops[1].load[0] += 1;
		CHECK_EQ_INT(lz_route_check(p, s, 0, err, sizeof(err)),
			     LZ_ROUTE_EINFEASIBLE);
		s->routes[0].stops[1].load[0] -= 1;
		s->distance += 1;
		CHECK_EQ_INT(lz_route_check(p, s, 0, err, sizeof(err)),
			     LZ_ROUTE_EINFEASIBLE);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- brute force on tiny problems ---- */

struct tiny {
	int n, nv;
	double x[9], y[9], a[9], b[9], svc[9];
	int64_t q[9], cap;
	double horizon;
};

static double
tdist(const struct tiny *t, int i, int j)
{
	return hypot(t->x[i] - t->x[j], t->y[i] - t->y[j]);
}

/* Distance of one route (customers 1..n in seq), or INFINITY. */
static double
troute(const struct tiny *t, const int *seq, int len)
{
	double time = 0, d = 0;
	int64_t load = 0;
	int prev = 0;

	for (int k = 0; k < len; k++) {
		int c = seq[k];

		load += t->q[c];
		d += tdist(t, prev, c);
		time += tdist(t, prev, c);
		if (time > t->b[c])
			return INFINITY;
		if (time < t->a[c])
			time = t->a[c];
		time += t->svc[c];
		prev = c;
	}
	if (load > t->cap)
		return INFINITY;
	d += tdist(t, prev, 0);
	time += tdist(t, prev, 0);
	return time > t->horizon ? INFINITY : d;
}

/* Best total over all permutations of customers and separators ("0"
 * entries split the permutation into at most nv routes). */
static void
brute(const struct tiny *t, int *perm, int k, int len, double *best)
{
	if (k == len) {
		double total = 0;
		int start = 0;

		for (int i = 0; i <= len && total < *best; i++) {
			if (i == len || perm[i] == 0) {
				if (i > start)
					total += troute(t, perm + start,
							i - start);
				start = i + 1;
			}
		}
		if (total < *best)
			*best = total;
		return;
	}
	for (int i = k; i < len; i++) {
		int x = perm[k];

		perm[k] = perm[i];
		perm[i] = x;
		/* separators are interchangeable: keep them in order */
		if (!(perm[k] == 0 && k > 0 && perm[k - 1] == 0 && i != k))
			brute(t, perm, k + 1, len, best);
		perm[i] = perm[k];
		perm[k] = x;
	}
}

static void
test_tiny_optimal(void)
{
	uint64_t s = 12345;

	for (int inst = 0; inst < 6; inst++) {
		struct tiny t;
		struct lz_route_problem *p = plane(1);
		struct lz_route_solution *sol = NULL;
		struct lz_route_options o = opts_iter(3000, 7);
		int perm[12], len = 0;
		double best = INFINITY;
		char msg[256];

		memset(&t, 0, sizeof(t));
		t.n = inst < 3 ? 7 : 6;
		t.nv = inst < 3 ? 2 : 3;
		t.cap = 12 + inst;
		t.horizon = 400;
		for (int c = 1; c <= t.n; c++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			t.x[c] = (double)((s >> 33) % 101) - 50;
			t.y[c] = (double)((s >> 45) % 101) - 50;
			t.q[c] = 1 + (int64_t)((s >> 20) % 5);
			t.svc[c] = 5;
			t.a[c] = (double)((s >> 25) % 150);
			t.b[c] = t.a[c] + 40 + (double)((s >> 12) % 200);
			add_job_at(p, t.x[c], t.y[c], t.svc[c], t.a[c], t.b[c],
				   t.q[c]);
		}
		for (int v = 0; v < t.nv; v++)
			add_vehicle(p, t.cap, t.horizon);
		for (int c = 1; c <= t.n; c++)
			perm[len++] = c;
		for (int v = 1; v < t.nv; v++)
			perm[len++] = 0;
		brute(&t, perm, 0, len, &best);
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		if (sol == NULL)
			continue;
		CHECK_EQ_INT(lz_route_check(p, sol, 0, msg, sizeof(msg)), 0);
		if (isinf(best)) {
			CHECK(sol->nunassigned > 0);
		} else {
			CHECK_EQ_INT(sol->nunassigned, 0);
			CHECK(fabs(sol->distance - best) < 1e-6);
			if (fabs(sol->distance - best) >= 1e-6)
				printf("# instance %d: solver %.6f, optimum "
				       "%.6f\n",
				       inst, sol->distance, best);
		}
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
}

/* ---- brute force with releases, setups, shared places, shipments, a
 * speed model and a range ---- */

/* Node c (1..n) is a job, or one end of a shipment: pair[c] is the other
 * end (0 for a job), pick[c] 1 on the pickup.  Node 0 is the depot. */
struct tiny2 {
	int n, nv;
	double x[10], y[10], a[10], b[10], svc[10], setup[10], rel[10];
	int64_t q[10]; /* job: delivery; shipment: amount (on both ends) */
	int pair[10], pick[10];
	int64_t cap;
	double horizon, max_dist;
	double us, rs, ud; /* speed model */
};

static bool
t2same(const struct tiny2 *t, int i, int j)
{
	return t->x[i] == t->x[j] && t->y[i] == t->y[j];
}

static double
t2dist(const struct tiny2 *t, int i, int j)
{
	return t2same(t, i, j) ? 0
			       : hypot(t->x[i] - t->x[j], t->y[i] - t->y[j]);
}

static double
t2time(const struct tiny2 *t, double d)
{
	return d <= t->ud ? d / t->us : t->ud / t->us + (d - t->ud) / t->rs;
}

/* Distance of one route, or INFINITY; the semantics of lz_route.h written
 * out naively: leave at the latest job release, wait for windows (and a
 * pickup's release), setup unless the previous stop is at the same place,
 * capacity after every stop, pickups before their deliveries. */
static double
troute2(const struct tiny2 *t, const int *seq, int len)
{
	double time = 0, d = 0;
	int64_t load = 0;
	int prev = 0, open = 0;
	bool seen[10] = {false};

	for (int k = 0; k < len; k++) {
		int c = seq[k];

		if (t->pair[c] == 0) {
			load += t->q[c];
			time = fmax(time, t->rel[c]);
		}
	}
	if (load > t->cap)
		return INFINITY;
	for (int k = 0; k < len; k++) {
		int c = seq[k];
		double leg = t2dist(t, prev, c), st;

		d += leg;
		time += t2time(t, leg);
		st = t->pick[c] ? fmax(time, t->rel[c]) : time;
		if (st > t->b[c])
			return INFINITY;
		st = fmax(st, t->a[c]);
		time = st + (t2same(t, prev, c) ? 0 : t->setup[c]) + t->svc[c];
		if (t->pair[c] == 0) {
			load -= t->q[c];
		} else if (t->pick[c]) {
			load += t->q[c];
			seen[c] = true;
			open++;
		} else {
			if (!seen[t->pair[c]])
				return INFINITY;
			load -= t->q[c];
			open--;
		}
		if (load > t->cap)
			return INFINITY;
		prev = c;
	}
	if (open != 0)
		return INFINITY;
	d += t2dist(t, prev, 0);
	time += t2time(t, t2dist(t, prev, 0));
	if (time > t->horizon || d > t->max_dist)
		return INFINITY;
	return d;
}

static void
brute2(const struct tiny2 *t, int *perm, int k, int len, double *best)
{
	if (k == len) {
		double total = 0;
		int start = 0;

		for (int i = 0; i <= len && total < *best; i++) {
			if (i == len || perm[i] == 0) {
				if (i > start)
					total += troute2(t, perm + start,
							 i - start);
				start = i + 1;
			}
		}
		if (total < *best)
			*best = total;
		return;
	}
	for (int i = k; i < len; i++) {
		int x = perm[k];

		perm[k] = perm[i];
		perm[i] = x;
		if (!(perm[k] == 0 && k > 0 && perm[k - 1] == 0 && i != k))
			brute2(t, perm, k + 1, len, best);
		perm[i] = perm[k];
		perm[k] = x;
	}
}

static double
t2optimum(const struct tiny2 *t)
{
	int perm[16], len = 0;
	double best = INFINITY;

	for (int c = 1; c <= t->n; c++)
		perm[len++] = c;
	for (int v = 1; v < t->nv; v++)
		perm[len++] = 0;
	brute2(t, perm, 0, len, &best);
	return best;
}

/* The same instance for the engine: one location per node, so that shared
 * places are found by their coordinates (see "Places" in lz_route.h). */
static struct lz_route_problem *
t2problem(const struct tiny2 *t)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_vehicle v;

	lz_route_problem_set_speed_model(p, LZ_ROUTE_PROFILE_VAN, t->us, t->rs,
					 t->ud);
	for (int c = 1; c <= t->n; c++) {
		if (t->pair[c] == 0) {
			struct lz_route_job j;

			lz_route_job_init(&j);
			j.id = c;
			j.location = lz_route_problem_add_location(p, t->x[c],
								   t->y[c]);
			j.tw[0].start = t->a[c];
			j.tw[0].end = t->b[c];
			j.setup = t->setup[c];
			j.service = t->svc[c];
			j.release = t->rel[c];
			j.delivery[0] = t->q[c];
			lz_route_problem_add_job(p, &j);
		} else if (t->pick[c]) {
			struct lz_route_shipment sh;
			struct lz_route_stop_spec *e[2] = {&sh.pickup,
							   &sh.delivery};
			int n[2] = {c, t->pair[c]};

			lz_route_shipment_init(&sh);
			for (int k = 0; k < 2; k++) {
				e[k]->id = n[k];
				e[k]->location = lz_route_problem_add_location(
					p, t->x[n[k]], t->y[n[k]]);
				e[k]->tw[0].start = t->a[n[k]];
				e[k]->tw[0].end = t->b[n[k]];
				e[k]->setup = t->setup[n[k]];
				e[k]->service = t->svc[n[k]];
			}
			sh.pickup.release = t->rel[c];
			sh.amount[0] = t->q[c];
			lz_route_problem_add_shipment(p, &sh);
		}
	}
	lz_route_vehicle_init(&v);
	v.capacity[0] = t->cap;
	v.shift.end = t->horizon;
	v.max_distance = t->max_dist;
	for (int k = 0; k < t->nv; k++) {
		v.id = k + 1;
		lz_route_problem_add_vehicle(p, &v);
	}
	return p;
}

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 20;
}

/* A random instance: half the nodes share a place with an earlier node or
 * with the depot; releases and setups large enough to matter. */
static void
t2random(struct tiny2 *t, uint64_t *s, int inst)
{
	memset(t, 0, sizeof(*t));
	t->n = 7;
	t->nv = inst % 3 == 2 ? 3 : 2;
	t->cap = 10 + inst % 4;
	t->horizon = 500;
	t->max_dist = inst % 2 ? 170 : LZ_ROUTE_INF;
	t->us = 1;
	t->rs = 2.5;
	t->ud = 15;
	for (int c = 1; c <= t->n; c++) {
		int share = (int)(lcg(s) % 4);

		if (share == 0 && c > 1) {
			int o = (int)(lcg(s) % (uint64_t)c); /* 0: the depot */

			t->x[c] = t->x[o];
			t->y[c] = t->y[o];
		} else {
			t->x[c] = (double)(lcg(s) % 101) - 50;
			t->y[c] = (double)(lcg(s) % 101) - 50;
		}
		t->q[c] = 1 + (int64_t)(lcg(s) % 4);
		t->svc[c] = 3;
		t->setup[c] = (double)(lcg(s) % 3) * 12;
		t->a[c] = (double)(lcg(s) % 120);
		t->b[c] = t->a[c] + 60 + (double)(lcg(s) % 160);
		if (lcg(s) % 2)
			t->rel[c] = (double)(lcg(s) % 140);
	}
	/* from the fourth instance on, nodes 4-5 and 6-7 are shipments */
	if (inst >= 3) {
		for (int c = 4; c <= 6; c += 2) {
			t->pair[c] = c + 1;
			t->pair[c + 1] = c;
			t->pick[c] = 1;
			t->q[c + 1] = t->q[c];
			t->rel[c + 1] = 0;
			if (t->b[c + 1] < t->a[c] + 40)
				t->b[c + 1] = t->a[c] + 200;
		}
	}
}

static void
test_tiny_optimal_rich(void)
{
	uint64_t s = 2026;
	int binds_release = 0, binds_setup = 0, binds_range = 0, solved = 0;

	for (int inst = 0; inst < 8; inst++) {
		struct tiny2 t, u;
		struct lz_route_problem *p;
		struct lz_route_solution *sol = NULL;
		struct lz_route_options o = opts_iter(3000, 7);
		double best, other;
		char msg[256];

		t2random(&t, &s, inst);
		best = t2optimum(&t);
		/* the same without each feature: it must change something
		 * somewhere, or this test proves nothing */
		u = t;
		memset(u.rel, 0, sizeof(u.rel));
		other = t2optimum(&u);
		binds_release += other != best;
		u = t;
		memset(u.setup, 0, sizeof(u.setup));
		other = t2optimum(&u);
		binds_setup += other != best;
		u = t;
		u.max_dist = LZ_ROUTE_INF;
		other = t2optimum(&u);
		binds_range += other != best;

		p = t2problem(&t);
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		if (sol == NULL) {
			lz_route_problem_destroy(&p);
			continue;
		}
		CHECK_EQ_INT(lz_route_check(p, sol, 0, msg, sizeof(msg)), 0);
		if (isinf(best)) {
			CHECK(sol->nunassigned > 0);
		} else {
			solved++;
			CHECK_EQ_INT(sol->nunassigned, 0);
			CHECK(fabs(sol->distance - best) < 1e-6);
			if (fabs(sol->distance - best) >= 1e-6)
				printf("# instance %d: solver %.6f (%d "
				       "unassigned), optimum %.6f\n",
				       inst, sol->distance, sol->nunassigned,
				       best);
		}
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
	printf("# %d solved; release binds on %d, setup on %d, range on %d\n",
	       solved, binds_release, binds_setup, binds_range);
	CHECK(solved >= 6);
	CHECK(binds_release > 0);
	CHECK(binds_setup > 0);
	CHECK(binds_range > 0);
}

/* ---- pickups and deliveries, capacity along the route ---- */

static void
test_pickup_delivery(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(500, 3);
	struct lz_route_job j;
	const struct lz_route_route *r;
	char msg[256];

	/* A delivers 8 at (10,0); B picks up 8 at (0,1), close to the
	 * depot.  Capacity 10: B must come after A although B-first would
	 * be shorter in a square trip. */
	lz_route_job_init(&j);
	j.id = 1;
	j.location = lz_route_problem_add_location(p, 10, 0);
	j.delivery[0] = 8;
	lz_route_problem_add_job(p, &j);
	lz_route_job_init(&j);
	j.id = 2;
	j.location = lz_route_problem_add_location(p, 0, 1);
	j.pickup[0] = 8;
	lz_route_problem_add_job(p, &j);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	CHECK_EQ_INT(s->nroutes, 1);
	r = &s->routes[0];
	CHECK_EQ_INT(r->nstops, 4);
	CHECK_EQ_INT(r->stops[1].index, 0);
	CHECK_EQ_INT(r->stops[2].index, 1);
	CHECK_EQ_INT(r->stops[0].load[0], 8);
	CHECK_EQ_INT(r->stops[1].load[0], 0);
	CHECK_EQ_INT(r->stops[2].load[0], 8);
	lz_route_solution_destroy(&s);

	/* With capacity 16 the order is free: the shorter one wins */
	lz_route_problem_destroy(&p);
	p = plane(1);
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 10, 0);
	j.delivery[0] = 8;
	lz_route_problem_add_job(p, &j);
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 10, 1);
	j.pickup[0] = 8;
	lz_route_problem_add_job(p, &j);
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 0, 1);
	j.pickup[0] = 4;
	lz_route_problem_add_job(p, &j);
	add_vehicle(p, 12, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	/* 8 out, then +8 then +4 would be 12 at the end: fits exactly;
	 * the route must be depot, 0, 1, 2 (or its capacity-feasible
	 * equivalent): max load never above 12 */
	for (int k = 0; k < s->routes[0].nstops; k++)
		CHECK(s->routes[0].stops[k].load[0] <= 12);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

static void
test_shipments(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(1000, 5);
	struct lz_route_shipment sh;
	char msg[256];
	int pos[4] = {-1, -1, -1, -1}, route[4] = {-1, -1, -1, -1};

	/* two shipments crossing each other's paths, capacity for one at a
	 * time, and a third too large for any vehicle */
	for (int i = 0; i < 3; i++) {
		lz_route_shipment_init(&sh);
		sh.pickup.id = 10 + i;
		sh.delivery.id = 20 + i;
		sh.pickup.location = lz_route_problem_add_location(
			p, i == 0 ? 10 : -10, i == 0 ? 0 : 5);
		sh.delivery.location = lz_route_problem_add_location(
			p, i == 0 ? -10 : 10, i == 0 ? 0 : 5);
		sh.pickup.service = sh.delivery.service = 1;
		sh.amount[0] = i == 2 ? 50 : 6;
		lz_route_problem_add_shipment(p, &sh);
	}
	add_vehicle(p, 10, 1000);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1) {
		CHECK_EQ_INT(s->unassigned[0].shipment, 1);
		CHECK_EQ_INT(s->unassigned[0].index, 2);
		CHECK_EQ_INT(s->unassigned[0].reason, LZ_ROUTE_REASON_CAPACITY);
	}
	for (int r = 0; r < s->nroutes; r++) {
		for (int k = 0; k < s->routes[r].nstops; k++) {
			const struct lz_route_stop *st = &s->routes[r].stops[k];
			int slot;

			if (st->type != LZ_ROUTE_STOP_PICKUP &&
			    st->type != LZ_ROUTE_STOP_DELIVERY)
				continue;
			CHECK(st->index < 2);
			if (st->index >= 2)
				continue;
			slot = st->index * 2 +
			       (st->type == LZ_ROUTE_STOP_DELIVERY);
			pos[slot] = k;
			route[slot] = r;
			CHECK(st->load[0] <= 10);
		}
	}
	for (int i = 0; i < 2; i++) {
		CHECK(route[2 * i] >= 0);
		CHECK_EQ_INT(route[2 * i], route[2 * i + 1]);
		CHECK(pos[2 * i] < pos[2 * i + 1]);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* Many shipments mixed with jobs, windows and capacity: whatever the
 * solver returns must pass the independent check, and with a generous
 * fleet everything is served. */
static void
test_shipments_many(void)
{
	struct lz_route_problem *p = plane(2);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(2000, 13);
	uint64_t x = 99;
	char msg[256];

	for (int i = 0; i < 30; i++) {
		double c[4];

		for (int k = 0; k < 4; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			c[k] = (double)((x >> 33) % 200) - 100;
		}
		if (i % 3 == 0) {
			add_job_at(p, c[0], c[1], 5, 0, 2000, 3);
			continue;
		}
		struct lz_route_shipment sh;

		lz_route_shipment_init(&sh);
		sh.pickup.location =
			lz_route_problem_add_location(p, c[0], c[1]);
		sh.delivery.location =
			lz_route_problem_add_location(p, c[2], c[3]);
		sh.pickup.service = sh.delivery.service = 3;
		sh.pickup.tw[0].end = 600 + (double)(i * 20);
		sh.delivery.tw[0].start = (double)(i * 10);
		sh.delivery.tw[0].end = 1500;
		sh.amount[0] = 1 + i % 4;
		sh.amount[1] = 1 + i % 3;
		lz_route_problem_add_shipment(p, &sh);
	}
	for (int v = 0; v < 5; v++) {
		struct lz_route_vehicle veh;

		lz_route_vehicle_init(&veh);
		veh.capacity[0] = 12;
		veh.capacity[1] = 9;
		veh.shift.end = 3000;
		if (v == 4)
			veh.max_duration = 1200; /* full-evaluation path */
		lz_route_problem_add_vehicle(p, &veh);
	}
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	if (s && lz_route_check(p, s, 0, msg, sizeof(msg)))
		printf("# %s\n", msg);
	CHECK_EQ_INT(s ? s->nunassigned : -1, 0);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- multi-dimensional capacity ---- */

static void
test_multi_dim(void)
{
	struct lz_route_problem *p = plane(2);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(1000, 9);
	struct lz_route_vehicle v;
	char msg[256];
	int64_t maxl[2] = {0, 0};

	/* kg and litres: each job is light in one and heavy in the other;
	 * jobs that pick up reverse flows board mid-route */
	for (int i = 0; i < 6; i++) {
		struct lz_route_job j;

		lz_route_job_init(&j);
		j.id = i + 1;
		j.location = lz_route_problem_add_location(p, 10 * cos(i),
							   10 * sin(i));
		j.delivery[0] = i % 2 ? 2 : 6;
		j.delivery[1] = i % 2 ? 6 : 2;
		if (i >= 4) {
			j.pickup[0] = 3;
			j.pickup[1] = 3;
		}
		lz_route_problem_add_job(p, &j);
	}
	lz_route_vehicle_init(&v);
	v.capacity[0] = 14;
	v.capacity[1] = 14;
	for (int k = 0; k < 3; k++)
		lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	/* total 24 kg, 24 l: at least 2 vehicles */
	CHECK(s->nroutes >= 2);
	for (int r = 0; r < s->nroutes; r++) {
		const struct lz_route_route *rt = &s->routes[r];

		for (int k = 0; k < rt->nstops; k++)
			for (int d = 0; d < 2; d++)
				if (rt->stops[k].load[d] > maxl[d])
					maxl[d] = rt->stops[k].load[d];
		/* load changes along the route as jobs are served */
		if (rt->nstops > 3)
			CHECK(rt->stops[0].load[0] != rt->stops[1].load[0] ||
			      rt->stops[0].load[1] != rt->stops[1].load[1]);
	}
	CHECK(maxl[0] <= 14 && maxl[1] <= 14);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- skills ---- */

static void
test_skills(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(300, 2);
	struct lz_route_vehicle v;
	struct lz_route_job j;
	char msg[256];
	bool found = false;

	for (int i = 0; i < 4; i++) {
		lz_route_job_init(&j);
		j.location = lz_route_problem_add_location(p, 5 + i, 5);
		j.delivery[0] = 1;
		if (i == 1)
			j.skills = 1u << 1; /* refrigerated */
		if (i == 3)
			j.skills = 1u << 5; /* nobody has it */
		lz_route_problem_add_job(p, &j);
	}
	lz_route_vehicle_init(&v);
	v.capacity[0] = 100;
	lz_route_problem_add_vehicle(p, &v); /* 0: plain */
	v.skills = (1u << 1) | (1u << 2);
	v.cost_fixed = 1000; /* expensive: used only because it must */
	lz_route_problem_add_vehicle(p, &v); /* 1: refrigerated */
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1) {
		CHECK_EQ_INT(s->unassigned[0].index, 3);
		CHECK_EQ_INT(s->unassigned[0].reason, LZ_ROUTE_REASON_SKILLS);
	}
	for (int r = 0; r < s->nroutes; r++)
		for (int k = 0; k < s->routes[r].nstops; k++)
			if (s->routes[r].stops[k].type == LZ_ROUTE_STOP_JOB &&
			    s->routes[r].stops[k].index == 1) {
				CHECK_EQ_INT(s->routes[r].vehicle, 1);
				found = true;
			}
	CHECK(found);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- several time windows ---- */

static void
test_time_windows(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(300, 4);
	struct lz_route_job j;
	char msg[256];

	/* 50 away: the morning window [0, 10] is out of reach, the
	 * afternoon one [100, 110] is used */
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 50, 0);
	j.ntw = 2;
	j.tw[0].start = 0;
	j.tw[0].end = 10;
	j.tw[1].start = 100;
	j.tw[1].end = 110;
	j.service = 5;
	lz_route_problem_add_job(p, &j);
	/* close by, windows [0, 20] and [300, 400]: the first one */
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 5, 0);
	j.ntw = 2;
	j.tw[0].start = 0;
	j.tw[0].end = 20;
	j.tw[1].start = 300;
	j.tw[1].end = 400;
	lz_route_problem_add_job(p, &j);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	CHECK_EQ_INT(s->nroutes, 1);
	if (s->nroutes == 1 && s->routes[0].nstops == 4) {
		const struct lz_route_stop *st = s->routes[0].stops;

		CHECK_EQ_INT(st[1].index, 1);
		CHECK(st[1].start <= 20);
		CHECK_EQ_INT(st[2].index, 0);
		CHECK(st[2].start >= 100 && st[2].start <= 110);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- unassigned reasons ---- */

static void
test_unassigned_reasons(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(300, 6);
	struct lz_route_vehicle v;
	char msg[256];
	int want[5] = {-1, LZ_ROUTE_REASON_TIME_WINDOW,
		       LZ_ROUTE_REASON_CAPACITY, LZ_ROUTE_REASON_MAX_DISTANCE,
		       LZ_ROUTE_REASON_NO_ROOM};
	int got[5] = {-1, -1, -1, -1, -1};

	add_job_at(p, 10, 0, 0, 0, 1000, 5);   /* 0: fine */
	add_job_at(p, 50, 0, 0, 0, 5, 1);      /* 1: window unreachable */
	add_job_at(p, 0, 10, 0, 0, 1000, 500); /* 2: too heavy */
	add_job_at(p, 400, 0, 0, 0, 1000, 1);  /* 3: beyond 500 km range */
	add_job_at(p, 0, -30, 0, 0, 1000, 8);  /* 4: no room left */
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	v.max_distance = 500;
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 4);
	for (int k = 0; k < s->nunassigned; k++)
		got[s->unassigned[k].index] = (int)s->unassigned[k].reason;
	for (int i = 1; i < 5; i++)
		CHECK_EQ_INT(got[i], want[i]);
	CHECK_EQ_INT(got[0], -1);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- priorities and maximum duration ---- */

static void
test_priority_and_duration(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(300, 8);
	struct lz_route_vehicle v;
	struct lz_route_job j;
	char msg[256];

	/* room for one of two: the priority one is served even though it
	 * is further away */
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 5, 0);
	j.delivery[0] = 6;
	lz_route_problem_add_job(p, &j);
	lz_route_job_init(&j);
	j.location = lz_route_problem_add_location(p, 30, 0);
	j.delivery[0] = 6;
	j.priority = 10;
	lz_route_problem_add_job(p, &j);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1)
		CHECK_EQ_INT(s->unassigned[0].index, 0);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* four jobs 40 away in two directions, max duration 100: one
	 * vehicle cannot do both directions (2 x 80 + service) */
	p = plane(1);
	for (int i = 0; i < 4; i++)
		add_job_at(p, i < 2 ? 40 : -40, i % 2, 5, 0, 1000, 1);
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	v.max_duration = 100;
	lz_route_problem_add_vehicle(p, &v);
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	CHECK_EQ_INT(s->nroutes, 2);
	for (int r = 0; r < s->nroutes; r++)
		CHECK(s->routes[r].duration <= 100 + 1e-9);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- setup times ---- */

static const struct lz_route_stop *
find_job_stop(const struct lz_route_solution *s, int job, int *route)
{
	for (int r = 0; r < s->nroutes; r++)
		for (int k = 0; k < s->routes[r].nstops; k++)
			if (s->routes[r].stops[k].type == LZ_ROUTE_STOP_JOB &&
			    s->routes[r].stops[k].index == job) {
				if (route)
					*route = r;
				return &s->routes[r].stops[k];
			}
	return NULL;
}

static void
test_setup_times(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(300, 3);
	struct lz_route_job j;
	struct hand h;
	char msg[256];

	/* three orders at one mill (three locations, same coordinates):
	 * one setup (parking, 10), three services (5); and one at the
	 * hub itself (setup 50): free only as the first stop, and the
	 * shift (ends at 60) leaves no time for it at the end */
	for (int i = 0; i < 4; i++) {
		lz_route_job_init(&j);
		j.id = i + 1;
		j.location =
			lz_route_problem_add_location(p, i < 3 ? 10 : 0, 0);
		j.setup = i < 3 ? 10 : 50;
		j.service = i < 3 ? 5 : 1;
		j.delivery[0] = 1;
		lz_route_problem_add_job(p, &j);
	}
	add_vehicle(p, 10, 60);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	CHECK_EQ_INT(s->nroutes, 1);
	if (s->nroutes == 1 && s->routes[0].nstops == 6) {
		const struct lz_route_route *r = &s->routes[0];
		const struct lz_route_stop *st = r->stops;

		CHECK_EQ_INT(st[1].index, 3); /* the hub's order first */
		CHECK(st[1].setup == 0);
		CHECK(st[1].arrival == 0 && st[1].departure == 1);
		CHECK(st[2].setup == 10); /* the mill: once */
		CHECK(st[2].arrival == 11 && st[2].departure == 26);
		CHECK(st[3].setup == 0 && st[4].setup == 0);
		CHECK(st[3].arrival == 26 && st[3].departure == 31);
		CHECK(st[4].arrival == 31 && st[4].departure == 36);
		CHECK(st[5].arrival == 46);
		CHECK(fabs(r->distance - 20) < 1e-9);
		CHECK(r->setup == 10 && r->service == 16);
		CHECK(r->duration == 46 && r->waiting == 0);
	}
	/* the checker: a setup claimed where none is due, or waived where
	 * it is */
	if (s->nroutes == 1 && s->routes[0].nstops == 6) {
		struct lz_route_stop *st = s->routes[0].stops;

		st[3].setup = 10;
		st[3].departure += 10;
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK(strstr(msg, "setup") != NULL);
		st[3].setup = 0;
		st[3].departure -= 10;
		st[2].setup = 0;
		st[2].departure -= 10;
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK(strstr(msg, "setup") != NULL);
	}
	lz_route_solution_destroy(&s);
	/* the hub's order last pays its setup: past the shift's end */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){0, 1, 2, 3}, 4);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "shift") != NULL);
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){3, 0, 1, 2}, 4);
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     0);
	lz_route_problem_destroy(&p);

	/* VROOM's order: wait for the window, then setup, then service,
	 * which may run past the window's end */
	p = plane(1);
	add_job_sr(p, 10, 0, 5, 30, 32, 8, 0);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	if (s->nroutes == 1) {
		const struct lz_route_stop *st = s->routes[0].stops;

		/* the vehicle leaves late enough not to wait */
		CHECK(fabs(st[1].arrival - 30) < 1e-5);
		CHECK(fabs(st[1].start - 30) < 1e-5);
		CHECK(st[1].setup == 8);
		CHECK(fabs(st[1].departure - 43) < 1e-5);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* same location index under a matrix: the diagonal is not read */
	{
		double dist[4] = {5, 10, 10, 7}, dur[4] = {5, 10, 10, 7};
		struct lz_route_vehicle v;

		p = lz_route_problem_new(1);
		CHECK_EQ_INT(lz_route_problem_set_matrix(
				     p, LZ_ROUTE_PROFILE_VAN, 2, dist, dur),
			     0);
		CHECK(lz_route_problem_distance(p, LZ_ROUTE_PROFILE_VAN, 1,
						1) == 0);
		CHECK(lz_route_problem_duration(p, LZ_ROUTE_PROFILE_VAN, 0,
						0) == 0);
		for (int i = 0; i < 2; i++) {
			lz_route_job_init(&j);
			j.location = 1;
			j.setup = 20;
			j.service = 1;
			lz_route_problem_add_job(p, &j);
		}
		lz_route_vehicle_init(&v);
		lz_route_problem_add_vehicle(p, &v);
		CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
		CHECK(s->distance == 20);
		if (s->nroutes == 1 && s->routes[0].nstops == 4) {
			const struct lz_route_stop *st = s->routes[0].stops;

			CHECK(st[1].setup == 20 && st[2].setup == 0);
			CHECK(st[2].arrival == st[1].departure);
			CHECK(s->routes[0].duration == 42);
		}
		lz_route_solution_destroy(&s);
		lz_route_problem_destroy(&p);
	}

	/* validation */
	p = plane(1);
	lz_route_job_init(&j);
	j.setup = -1;
	CHECK_EQ_INT(lz_route_problem_add_job(p, &j), LZ_ROUTE_EINVAL);
	j.setup = NAN;
	CHECK_EQ_INT(lz_route_problem_add_job(p, &j), LZ_ROUTE_EINVAL);
	{
		struct lz_route_shipment sh;

		lz_route_shipment_init(&sh);
		sh.delivery.setup = -2;
		CHECK_EQ_INT(lz_route_problem_add_shipment(p, &sh),
			     LZ_ROUTE_EINVAL);
	}
	lz_route_problem_destroy(&p);
}

/* ---- release times ---- */

static void
test_release_times(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(300, 5);
	struct lz_route_shipment sh;
	struct lz_route_job j;
	struct hand h;
	char msg[256];
	int r;

	/* goods at the hub at 100: the van leaves then, not at 0 */
	add_job_sr(p, 10, 0, 5, 0, 1000, 0, 100);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	if (s->nroutes == 1) {
		const struct lz_route_stop *st = s->routes[0].stops;

		CHECK(st[0].departure == 100);
		CHECK(st[1].arrival == 110);
		CHECK(s->routes[0].duration == 25);
	}
	/* the checker: leaving at 50 is too early */
	if (s->nroutes == 1) {
		struct lz_route_stop *st = s->routes[0].stops;

		for (int k = 0; k < s->routes[0].nstops; k++) {
			st[k].arrival -= 50;
			st[k].start -= 50;
			st[k].departure -= 50;
		}
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK(strstr(msg, "release") != NULL);
		if (!strstr(msg, "release"))
			printf("# got: %s\n", msg);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* A must be served by 20; B's goods arrive at 50: one van cannot
	 * do both, two can; a job whose window closes before its goods
	 * can reach it is unassigned for its release */
	p = plane(1);
	add_job_at(p, 10, 0, 0, 0, 20, 1);        /* 0: A */
	add_job_sr(p, 0, 10, 0, 0, 1000, 0, 50);  /* 1: B */
	add_job_sr(p, 0, -10, 0, 0, 105, 0, 100); /* 2: too late */
	add_vehicle(p, 10, 1000);
	add_vehicle(p, 10, 1000);
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){0, 1}, 2);
	h.s.unassigned = (struct lz_route_unassigned[]){{0, 2, 0}};
	h.s.nunassigned = 1;
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "window") != NULL);
	if (!strstr(msg, "window"))
		printf("# got: %s\n", msg);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nroutes, 2);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1) {
		CHECK_EQ_INT(s->unassigned[0].index, 2);
		CHECK_EQ_INT(s->unassigned[0].reason, LZ_ROUTE_REASON_RELEASE);
	}
	{
		int ra = -1, rb = -1;

		find_job_stop(s, 0, &ra);
		find_job_stop(s, 1, &rb);
		CHECK(ra >= 0 && rb >= 0 && ra != rb);
		if (rb >= 0)
			CHECK(s->routes[rb].stops[0].departure >= 50);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* a pickup's release holds the pickup, not the departure */
	p = plane(1);
	lz_route_shipment_init(&sh);
	sh.pickup.location = lz_route_problem_add_location(p, 10, 0);
	sh.delivery.location = lz_route_problem_add_location(p, 20, 0);
	sh.pickup.tw[0].end = 100;
	sh.pickup.release = 40;
	sh.pickup.service = sh.delivery.service = 1;
	sh.amount[0] = 2;
	lz_route_problem_add_shipment(p, &sh);
	sh.pickup.tw[0].end = 30; /* closes before its goods exist */
	sh.pickup.release = 50;
	lz_route_problem_add_shipment(p, &sh);
	add_vehicle(p, 10, 1000);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1) {
		CHECK_EQ_INT(s->unassigned[0].index, 1);
		CHECK_EQ_INT(s->unassigned[0].reason, LZ_ROUTE_REASON_RELEASE);
	}
	r = -1;
	for (int k = 0; s->nroutes == 1 && k < s->routes[0].nstops; k++) {
		struct lz_route_stop *st = &s->routes[0].stops[k];

		if (st->type != LZ_ROUTE_STOP_PICKUP)
			continue;
		r = k;
		CHECK(fabs(st->start - 40) < 1e-5);
		CHECK(s->routes[0].stops[0].departure < 40);
		/* the checker: picked up before the goods exist (the whole
		 * route 20 earlier) */
		for (int q = 0; q < s->routes[0].nstops; q++) {
			s->routes[0].stops[q].arrival -= 20;
			s->routes[0].stops[q].start -= 20;
			s->routes[0].stops[q].departure -= 20;
		}
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK(strstr(msg, "release") != NULL);
	}
	CHECK(r > 0);
	lz_route_solution_destroy(&s);

	/* validation: no release on a delivery, none negative */
	sh.pickup.release = 0;
	sh.delivery.release = 5;
	CHECK_EQ_INT(lz_route_problem_add_shipment(p, &sh), LZ_ROUTE_EINVAL);
	sh.delivery.release = 0;
	sh.pickup.release = -1;
	CHECK_EQ_INT(lz_route_problem_add_shipment(p, &sh), LZ_ROUTE_EINVAL);
	lz_route_job_init(&j);
	j.release = -3;
	CHECK_EQ_INT(lz_route_problem_add_job(p, &j), LZ_ROUTE_EINVAL);
	j.release = INFINITY;
	CHECK_EQ_INT(lz_route_problem_add_job(p, &j), LZ_ROUTE_EINVAL);
	lz_route_problem_destroy(&p);
}

/* ---- the speed model ---- */

static void
test_speed_model(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(200, 1);
	char msg[256];
	double dist[4] = {0, 30, 30, 0}, dur[4] = {0, 99, 99, 0};
	enum lz_route_profile van = LZ_ROUTE_PROFILE_VAN;

	lz_route_problem_add_location(p, 3, 0);  /* 1: in town */
	lz_route_problem_add_location(p, 30, 0); /* 2: out of town */
	/* 10 units at 1, then 2 per time unit */
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, 1, 2, 10), 0);
	CHECK(lz_route_problem_duration(p, van, 0, 1) == 3);
	CHECK(lz_route_problem_duration(p, van, 0, 2) == 20);
	CHECK(lz_route_problem_duration(p, van, 1, 2) == 18.5);
	CHECK(lz_route_problem_duration(p, LZ_ROUTE_PROFILE_BIKE, 0, 2) == 30);
	CHECK_EQ_INT(
		lz_route_problem_set_speed_model(p, van, 1, 2, LZ_ROUTE_INF),
		0);
	CHECK(lz_route_problem_duration(p, van, 0, 2) == 30);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, 1, 2, 0), 0);
	CHECK(lz_route_problem_duration(p, van, 0, 2) == 15);
	/* one speed replaces the model */
	CHECK_EQ_INT(lz_route_problem_set_speed(p, van, 3), 0);
	CHECK(lz_route_problem_duration(p, van, 0, 2) == 10);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, 0, 2, 10),
		     LZ_ROUTE_EINVAL);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, 1, -2, 10),
		     LZ_ROUTE_EINVAL);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, 1, 2, -1),
		     LZ_ROUTE_EINVAL);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, 1, 2, NAN),
		     LZ_ROUTE_EINVAL);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(p, van, INFINITY, 2, 1),
		     LZ_ROUTE_EINVAL);
	CHECK_EQ_INT(lz_route_problem_set_speed_model(
			     p, (enum lz_route_profile)7, 1, 2, 1),
		     LZ_ROUTE_EINVAL);
	CHECK(lz_route_problem_duration(p, van, 0, 2) == 10);

	/* the solver plans with it: reachable by 22 only on the road */
	add_job_at(p, 30, 0, 0, 0, 22, 1);
	add_vehicle(p, 10, 1000);
	lz_route_problem_set_speed(p, van, 1);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1)
		CHECK_EQ_INT(s->unassigned[0].reason,
			     LZ_ROUTE_REASON_TIME_WINDOW);
	lz_route_solution_destroy(&s);
	lz_route_problem_set_speed_model(p, van, 1, 2, 10);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	if (s->nroutes == 1) {
		CHECK(s->routes[0].stops[1].arrival == 20);
		CHECK(s->routes[0].duration == 40);
		/* the checker times legs by the model too */
		s->routes[0].stops[2].arrival += 1;
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* duration matrices win; a distance-only matrix goes through it */
	p = lz_route_problem_new(1);
	lz_route_problem_set_speed_model(p, van, 1, 2, 10);
	lz_route_problem_set_matrix(p, van, 2, dist, dur);
	CHECK(lz_route_problem_duration(p, van, 0, 1) == 99);
	lz_route_problem_set_matrix(p, van, 2, dist, NULL);
	CHECK(lz_route_problem_duration(p, van, 0, 1) == 20);
	lz_route_problem_destroy(&p);
}

/* ---- maximum distance: the electric van's range ---- */

static void
test_max_distance(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(500, 2);
	struct lz_route_vehicle v;
	struct lz_route_shipment sh;
	struct hand h;
	char msg[256];
	int rc_c = -1;

	/* the 120-unit round trip to C is beyond the electric van's range
	 * (100): C goes to the small diesel van, A + B (80) to the electric
	 * one, with a shipment on the way (full evaluation) */
	add_job_at(p, 20, 0, 1, 0, 1000, 1);  /* 0: A */
	add_job_at(p, -20, 0, 1, 0, 1000, 1); /* 1: B */
	add_job_at(p, 60, 0, 1, 0, 1000, 1);  /* 2: C */
	lz_route_shipment_init(&sh);
	sh.pickup.location = lz_route_problem_add_location(p, 10, 0);
	sh.delivery.location = lz_route_problem_add_location(p, -10, 0);
	sh.amount[0] = 1;
	lz_route_problem_add_shipment(p, &sh);
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	v.max_distance = 100;
	lz_route_problem_add_vehicle(p, &v); /* 0: electric */
	v.max_distance = LZ_ROUTE_INF;
	v.capacity[0] = 1;                   /* room for C only */
	lz_route_problem_add_vehicle(p, &v); /* 1: diesel */
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	CHECK_EQ_INT(s->nroutes, 2);
	find_job_stop(s, 2, &rc_c);
	CHECK(rc_c >= 0 && s->routes[rc_c].vehicle == 1);
	for (int r = 0; r < s->nroutes; r++)
		if (s->routes[r].vehicle == 0)
			CHECK(s->routes[r].distance <= 100 + 1e-9);
	CHECK(fabs(s->distance - 200) < 1e-9);
	lz_route_solution_destroy(&s);

	/* the checker: C on the electric van is beyond its range */
	memset(&h, 0, sizeof(h));
	hand_route(&h, 0, (int[]){2}, 1);
	hand_route(&h, 1, (int[]){0, 1}, 2);
	h.s.unassigned = (struct lz_route_unassigned[]){{1, 0, 0}};
	h.s.nunassigned = 1;
	CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE, msg,
				    sizeof(msg)),
		     LZ_ROUTE_EINFEASIBLE);
	CHECK(strstr(msg, "distance") != NULL);
	/* with the diesel van gone, C cannot be served at all */
	lz_route_problem_destroy(&p);
	p = plane(1);
	add_job_at(p, 60, 0, 1, 0, 1000, 1);
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	v.max_distance = 100;
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1)
		CHECK_EQ_INT(s->unassigned[0].reason,
			     LZ_ROUTE_REASON_MAX_DISTANCE);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* Many tasks at a few shared sites, with setups, releases, shipments,
 * ranges and a maximum duration: whatever the solver returns passes the
 * full check, on every seed. */
static void
test_setup_release_many(void)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct lz_route_problem *p = plane(2);
		struct lz_route_solution *s = NULL;
		struct lz_route_options o = opts_iter(1500, seed);
		uint64_t x = 77 + seed;
		double sx[12], sy[12];
		int site[12];
		char msg[256];

		lz_route_problem_set_speed_model(p, LZ_ROUTE_PROFILE_VAN, 0.5,
						 1.5, 20);
		for (int k = 0; k < 12; k++) {
			sx[k] = (double)(lcg(&x) % 200) - 100;
			sy[k] = (double)(lcg(&x) % 200) - 100;
			site[k] =
				lz_route_problem_add_location(p, sx[k], sy[k]);
		}
		for (int i = 0; i < 40; i++) {
			int a = (int)(lcg(&x) % 12), b = (int)(lcg(&x) % 12);

			if (i % 4 != 3) {
				struct lz_route_job j;

				lz_route_job_init(&j);
				j.id = i;
				/* half by index, half by equal coordinates */
				j.location =
					i % 2 ? site[a]
					      : lz_route_problem_add_location(
							p, sx[a], sy[a]);
				j.setup = (double)(lcg(&x) % 20);
				j.service = 2;
				j.release = i % 3 ? 0 : (double)(lcg(&x) % 400);
				j.tw[0].start = (double)(lcg(&x) % 300);
				j.tw[0].end = j.tw[0].start + 400;
				j.delivery[0] = 1 + i % 3;
				j.pickup[1] = i % 5 == 0;
				lz_route_problem_add_job(p, &j);
				continue;
			}
			struct lz_route_shipment sh;

			lz_route_shipment_init(&sh);
			sh.pickup.location = site[a];
			sh.delivery.location = site[b];
			sh.pickup.setup = 5;
			sh.delivery.setup = 7;
			sh.pickup.service = sh.delivery.service = 1;
			sh.pickup.release = (double)(lcg(&x) % 300);
			sh.pickup.tw[0].end = 900;
			sh.amount[0] = 2;
			sh.amount[1] = 1;
			lz_route_problem_add_shipment(p, &sh);
		}
		for (int v = 0; v < 6; v++) {
			struct lz_route_vehicle veh;

			lz_route_vehicle_init(&veh);
			veh.capacity[0] = 14;
			veh.capacity[1] = 4;
			veh.shift.start = v % 2 ? 0 : 100;
			veh.shift.end = 2500;
			veh.max_distance = v < 2 ? 700 : LZ_ROUTE_INF;
			if (v == 5)
				veh.max_duration = 900;
			lz_route_problem_add_vehicle(p, &veh);
		}
		CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
		if (s == NULL) {
			lz_route_problem_destroy(&p);
			continue;
		}
		CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
		if (lz_route_check(p, s, 0, msg, sizeof(msg)))
			printf("# seed %llu: %s\n", (unsigned long long)seed,
			       msg);
		CHECK_EQ_INT(lz_route_check(p, s, LZ_ROUTE_CHECK_SEQUENCE, msg,
					    sizeof(msg)),
			     0);
		CHECK(s->nunassigned < 10);
		lz_route_solution_destroy(&s);
		lz_route_problem_destroy(&p);
	}
}

/* ---- setup and release in the JSON format ---- */

static void
test_json_setup_release(void)
{
	static const char doc[] =
		"{\"metric\": \"euclidean\",\n"
		" \"vehicles\": [{\"id\": 7, \"start\": [0, 0], \"end\": [0, "
		"0],"
		" \"capacity\": [10]}],\n"
		" \"jobs\": [\n"
		"  {\"id\": 1, \"location\": [10, 0], \"setup\": 10,"
		" \"service\": 5, \"delivery\": [1], \"release\": 100},\n"
		"  {\"id\": 2, \"location\": [10, 0], \"setup\": 10,"
		" \"service\": 5, \"delivery\": [1]}],\n"
		" \"shipments\": [{\"amount\": [1],"
		" \"pickup\": {\"id\": 3, \"location\": [20, 0], \"setup\": 4,"
		" \"release\": 120},"
		" \"delivery\": {\"id\": 4, \"location\": [0, 0]}}]}";
	struct lz_route_problem *p = NULL;
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(200, 1);
	char err[512], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	CHECK_EQ_INT(route_json_parse(doc, "inline", &p, err, sizeof(err)), 0);
	if (p == NULL) {
		printf("# %s\n", err);
		return;
	}
	CHECK(lz_route_problem_job(p, 0)->setup == 10);
	CHECK(lz_route_problem_job(p, 0)->release == 100);
	CHECK(lz_route_problem_job(p, 1)->release == 0);
	CHECK(lz_route_problem_shipment(p, 0)->pickup.setup == 4);
	CHECK(lz_route_problem_shipment(p, 0)->pickup.release == 120);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, err, sizeof(err)), 0);
	CHECK_EQ_INT(s->nunassigned, 0);
	f = open_memstream(&out, &outlen);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(route_json_write(f, p, s), 0);
		fclose(f);
		/* one setup paid at the shared place, one waived; the
		 * releases echoed; the route's setups */
		CHECK(strstr(out, "\"setup\": 10") != NULL);
		CHECK(strstr(out, "\"setup\": 0") != NULL);
		CHECK(strstr(out, "\"release\": 100") != NULL);
		CHECK(strstr(out, "\"release\": 120") != NULL);
		CHECK(strstr(out, "\"setup\": 14.0") != NULL); /* route */
		free(out);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* without setups or releases, no such keys */
	CHECK_EQ_INT(
		route_json_read(data_path("small.json"), &p, err, sizeof(err)),
		0);
	if (p && lz_route_solve(p, &o, &s) == 0) {
		out = NULL;
		f = open_memstream(&out, &outlen);
		if (f) {
			route_json_write(f, p, s);
			fclose(f);
			CHECK(strstr(out, "setup") == NULL);
			CHECK(strstr(out, "release") == NULL);
			free(out);
		}
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* errors name the field */
	CHECK_EQ_INT(route_json_parse("{\"vehicles\": [{\"start\": [0, 0]}],"
				      " \"jobs\": [{\"location\": [1, 1],"
				      " \"setup\": -1}]}",
				      "inline", &p, err, sizeof(err)),
		     LZ_ROUTE_EPARSE);
	CHECK(strstr(err, "jobs[0]") && strstr(err, "setup"));
	CHECK_EQ_INT(route_json_parse("{\"vehicles\": [{\"start\": [0, 0]}],"
				      " \"jobs\": [{\"location\": [1, 1],"
				      " \"release\": \"9:00\"}]}",
				      "inline", &p, err, sizeof(err)),
		     LZ_ROUTE_EPARSE);
	CHECK(strstr(err, "release") != NULL);
	CHECK_EQ_INT(route_json_parse("{\"vehicles\": [{\"start\": [0, 0]}],"
				      " \"shipments\": [{"
				      "\"pickup\": {\"location\": [1, 1]},"
				      "\"delivery\": {\"location\": [2, 2],"
				      " \"release\": 5}}]}",
				      "inline", &p, err, sizeof(err)),
		     LZ_ROUTE_EPARSE);
	CHECK(strstr(err, "shipments[0].delivery") && strstr(err, "release"));
	CHECK(p == NULL);
}

/* ---- metrics, matrices, profiles, open routes ---- */

static void
test_metrics(void)
{
	struct lz_route_problem *p = lz_route_problem_new(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(200, 1);
	struct lz_route_vehicle v;
	struct lz_route_job j;
	double dist[9] = {0, 10, 20, 10, 0, 15, 20, 15, 0};
	double dur[9] = {0, 5, 9, 5, 0, 7, 9, 7, 0};
	double bike[9] = {0, 4, 8, 4, 0, 6, 8, 6, 0};
	char msg[256];

	lz_route_problem_add_location(p, 0, 0);
	lz_route_problem_add_location(p, 3, 4);
	CHECK(fabs(lz_route_problem_distance(p, LZ_ROUTE_PROFILE_VAN, 0, 1) -
		   5) < 1e-12);
	CHECK_EQ_INT(lz_route_problem_distance(p, LZ_ROUTE_PROFILE_VAN, 0, -1),
		     0);
	CHECK(lz_route_problem_distance(p, LZ_ROUTE_PROFILE_VAN, 0, 7) < 0);
	CHECK_EQ_INT(lz_route_problem_set_speed(p, LZ_ROUTE_PROFILE_BIKE, 0.5),
		     0);
	CHECK(fabs(lz_route_problem_duration(p, LZ_ROUTE_PROFILE_BIKE, 0, 1) -
		   10) < 1e-12);
	CHECK_EQ_INT(lz_route_problem_set_speed(p, LZ_ROUTE_PROFILE_BIKE, -1),
		     LZ_ROUTE_EINVAL);
	/* one degree of latitude is about 111.2 km; circuity 1.3 */
	CHECK_EQ_INT(
		lz_route_problem_set_metric(p, LZ_ROUTE_METRIC_HAVERSINE, 1.3),
		0);
	lz_route_problem_add_location(p, 5.37, 43.0);
	lz_route_problem_add_location(p, 5.37, 44.0);
	CHECK(fabs(lz_route_problem_distance(p, LZ_ROUTE_PROFILE_VAN, 2, 3) -
		   1.3 * 111195) < 200);
	CHECK_EQ_INT(
		lz_route_problem_set_metric(p, LZ_ROUTE_METRIC_HAVERSINE, 0),
		LZ_ROUTE_EINVAL);
	lz_route_problem_destroy(&p);

	/* matrices: bike has its own, durations differ from distances */
	p = lz_route_problem_new(1);
	CHECK_EQ_INT(lz_route_problem_set_matrix(p, LZ_ROUTE_PROFILE_VAN, 3,
						 dist, dur),
		     0);
	CHECK_EQ_INT(lz_route_problem_set_matrix(p, LZ_ROUTE_PROFILE_BIKE, 2,
						 dist, NULL),
		     LZ_ROUTE_EINVAL);
	CHECK_EQ_INT(lz_route_problem_set_matrix(p, LZ_ROUTE_PROFILE_BIKE, 3,
						 bike, bike),
		     0);
	CHECK_EQ_INT(lz_route_problem_nlocations(p), 3);
	CHECK(lz_route_problem_duration(p, LZ_ROUTE_PROFILE_VAN, 0, 2) == 9);
	CHECK(lz_route_problem_distance(p, LZ_ROUTE_PROFILE_BIKE, 0, 2) == 8);
	for (int i = 1; i <= 2; i++) {
		lz_route_job_init(&j);
		j.location = i;
		j.delivery[0] = 1;
		lz_route_problem_add_job(p, &j);
	}
	/* an open route: a bike with no end location */
	lz_route_vehicle_init(&v);
	v.capacity[0] = 5;
	v.end = -1;
	v.profile = LZ_ROUTE_PROFILE_BIKE;
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(s->nroutes, 1);
	/* best open route on the bike matrix: 0 -> 1 -> 2 (4 + 6) */
	CHECK(fabs(s->distance - 10) < 1e-9);
	if (s->nroutes == 1) {
		const struct lz_route_route *r = &s->routes[0];

		CHECK_EQ_INT(r->stops[r->nstops - 1].location, -1);
		CHECK(fabs(r->duration - 10) < 1e-9);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- determinism, heterogeneous fleet via JSON ---- */

static void
test_deterministic(void)
{
	struct lz_route_problem *p = NULL;
	struct lz_route_solution *a = NULL, *b = NULL, *c = NULL;
	struct lz_route_options o = opts_iter(400, 11);
	char err[256];

	CHECK_EQ_INT(lz_route_solomon_read(data_path("r101_25.txt"), &p, err,
					   sizeof(err)),
		     0);
	if (p == NULL)
		return;
	CHECK_EQ_INT(lz_route_problem_njobs(p), 25);
	CHECK_EQ_INT(lz_route_problem_nvehicles(p), 25);
	lz_route_solve(p, &o, &a);
	lz_route_solve(p, &o, &b);
	o.seed = 12;
	lz_route_solve(p, &o, &c);
	CHECK(a && b && c);
	if (a && b && c) {
		CHECK(a->distance == b->distance);
		CHECK_EQ_INT(a->nroutes, b->nroutes);
		CHECK_EQ_INT(a->iterations, 400);
		for (int r = 0; r < a->nroutes && r < b->nroutes; r++)
			CHECK_EQ_INT(a->routes[r].nstops, b->routes[r].nstops);
		CHECK_EQ_INT(lz_route_check(p, c, 0, err, sizeof(err)), 0);
	}
	lz_route_solution_destroy(&a);
	lz_route_solution_destroy(&b);
	lz_route_solution_destroy(&c);
	lz_route_problem_destroy(&p);
}

static void
test_json_problem(void)
{
	struct lz_route_problem *p = NULL;
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(500, 1);
	char err[512];

	CHECK_EQ_INT(
		route_json_read(data_path("small.json"), &p, err, sizeof(err)),
		0);
	if (p == NULL) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ_INT(lz_route_problem_ndims(p), 2);
	CHECK_EQ_INT(lz_route_problem_njobs(p), 5);
	CHECK_EQ_INT(lz_route_problem_nshipments(p), 1);
	CHECK_EQ_INT(lz_route_problem_nvehicles(p), 2);
	CHECK_EQ_INT(lz_route_problem_job(p, 1)->ntw, 2);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, err, sizeof(err)), 0);
	CHECK_EQ_INT(s->nunassigned, 1);
	if (s->nunassigned == 1) {
		CHECK_EQ_INT(
			lz_route_problem_job(p, s->unassigned[0].index)->id,
			105);
		CHECK_EQ_INT(s->unassigned[0].reason, LZ_ROUTE_REASON_SKILLS);
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
}

/* ---- re-entrancy: one problem, solved by two threads at once ---- */

struct solve_arg {
	const struct lz_route_problem *p;
	struct lz_route_solution *s;
	uint64_t seed;
};

static void *
solve_thread(void *v)
{
	struct solve_arg *a = v;
	struct lz_route_options o = opts_iter(300, a->seed);

	lz_route_solve(a->p, &o, &a->s);
	return NULL;
}

static void
test_threads(void)
{
	struct lz_route_problem *p = NULL;
	struct solve_arg a[3];
	pthread_t th[2];
	char err[256];

	if (lz_route_solomon_read(data_path("r101_25.txt"), &p, err,
				  sizeof(err))) {
		CHECK(!"fixture");
		return;
	}
	for (int i = 0; i < 3; i++) {
		a[i].p = p;
		a[i].s = NULL;
		a[i].seed = (uint64_t)(i % 2) + 3;
	}
	solve_thread(&a[2]); /* sequential reference for seed 3 */
	for (int i = 0; i < 2; i++)
		CHECK_EQ_INT(pthread_create(&th[i], NULL, solve_thread, &a[i]),
			     0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(a[0].s && a[1].s && a[2].s);
	if (a[0].s && a[1].s && a[2].s) {
		CHECK(a[0].s->distance == a[2].s->distance);
		CHECK_EQ_INT(lz_route_check(p, a[1].s, 0, err, sizeof(err)), 0);
	}
	for (int i = 0; i < 3; i++)
		lz_route_solution_destroy(&a[i].s);
	lz_route_problem_destroy(&p);
}

/* ---- degenerate problems ---- */

static void
test_degenerate(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *s = NULL;
	struct lz_route_options o = opts_iter(50, 1);
	char msg[256];

	/* no job: an empty plan */
	add_vehicle(p, 10, 100);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(s ? s->nroutes : -1, 0);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);

	/* no vehicle: every job unassigned, for lack of room */
	p = plane(1);
	add_job_at(p, 1, 1, 0, 0, 100, 1);
	CHECK_EQ_INT(lz_route_solve(p, &o, &s), 0);
	CHECK_EQ_INT(s ? s->nunassigned : -1, 1);
	if (s && s->nunassigned == 1)
		CHECK_EQ_INT(s->unassigned[0].reason, LZ_ROUTE_REASON_NO_ROOM);
	CHECK_EQ_INT(lz_route_check(p, s, 0, msg, sizeof(msg)), 0);
	lz_route_solution_destroy(&s);
	CHECK(s == NULL);
	lz_route_solution_destroy(&s); /* NULL is fine */
	lz_route_problem_destroy(&p);
	lz_route_problem_destroy(&p);
	CHECK_EQ_INT(lz_route_solve(NULL, &o, &s), LZ_ROUTE_EINVAL);
}

/* ---- malformed inputs ---- */

static void
expect_solomon_error(const char *file, const char *where, const char *what)
{
	struct lz_route_problem *p = NULL;
	char err[512];
	int rc = lz_route_solomon_read(data_path(file), &p, err, sizeof(err));

	CHECK_EQ_INT(rc, LZ_ROUTE_EPARSE);
	CHECK(p == NULL);
	CHECK(strstr(err, where) != NULL);
	CHECK(strstr(err, what) != NULL);
	if (!strstr(err, where) || !strstr(err, what))
		printf("# got: %s\n", err);
	lz_route_problem_destroy(&p);
}

static void
expect_json_error(const char *file, const char *where)
{
	struct lz_route_problem *p = NULL;
	char err[512];
	int rc = route_json_read(data_path(file), &p, err, sizeof(err));

	CHECK_EQ_INT(rc, LZ_ROUTE_EPARSE);
	CHECK(p == NULL);
	CHECK(strstr(err, where) != NULL);
	if (!strstr(err, where))
		printf("# got: %s\n", err);
}

static void
test_malformed(void)
{
	struct lz_route_problem *p = NULL;
	char err[512];

	expect_solomon_error("bad_columns.txt", ".txt:12:", "got 3");
	expect_solomon_error("bad_order.txt", ".txt:13:", "expected 3");
	expect_solomon_error("bad_header.txt", ".txt:3:", "VEHICLE");
	expect_solomon_error("bad_window.txt", ".txt:11:", "due date");
	expect_solomon_error("bad_number.txt", ".txt:11:", "not a number");
	CHECK_EQ_INT(lz_route_solomon_read(data_path("missing.txt"), &p, err,
					   sizeof(err)),
		     LZ_ROUTE_EIO);
	expect_json_error("bad_syntax.json", ".json:4:");
	expect_json_error("bad_field.json", "jobs[1]");
	expect_json_error("bad_window.json", "jobs[0]");
	CHECK_EQ_INT(route_json_parse("{\"vehicles\": [{\"start\": [0, 0], "
				      "\"capacity\": [1, -2]}]}",
				      "inline", &p, err, sizeof(err)),
		     LZ_ROUTE_EPARSE);
	CHECK(strstr(err, "capacity") != NULL);

	/* API-level validation */
	p = lz_route_problem_new(1);
	{
		struct lz_route_job j;
		struct lz_route_problem *q = lz_route_problem_new(0);

		CHECK(q == NULL);
		lz_route_job_init(&j);
		j.ntw = 2;
		j.tw[1].start = 5; /* overlaps [0, INF] */
		j.tw[1].end = 6;
		CHECK_EQ_INT(lz_route_problem_add_job(p, &j), LZ_ROUTE_EINVAL);
		lz_route_job_init(&j);
		j.location = 3; /* no such location: caught when solving */
		CHECK_EQ_INT(lz_route_problem_add_job(p, &j), 0);
		lz_route_problem_add_location(p, 0, 0);
		add_vehicle(p, 1, 100);
		{
			struct lz_route_solution *s = NULL;
			struct lz_route_options o = opts_iter(10, 1);

			CHECK_EQ_INT(lz_route_solve(p, &o, &s),
				     LZ_ROUTE_ERANGE);
			CHECK(s == NULL);
		}
	}
	lz_route_problem_destroy(&p);
	CHECK(p == NULL);
}

/* ---- driver rules, objectives and the VROOM format ---- */

/* Brute force for breaks, max_tasks, max travel time and the
 * vehicles-first objective: identical vehicles, jobs only, a naive
 * reading of the rules.  A break is taken at one of the 2 (len + 1)
 * points of a route (before or after each travel); a non-empty route
 * takes it, an empty one does not. */
struct tiny3 {
	int n, nv;
	double x[8], y[8], a[8], b[8], svc[8];
	int64_t q[8], cap;
	double horizon;
	bool brk; /* one break [ba, bb], bsvc */
	double ba, bb, bsvc;
	int max_tasks; /* < 0: none */
	double max_tt; /* travel time; INFINITY: none */
	bool vehicles; /* objective: vehicles first */
};

/* Distance of a route with the break at point bp (-1: no break), or
 * INFINITY. */
static double
t3route_at(const struct tiny3 *t, const int *seq, int len, int bp)
{
	double time = 0, d = 0, tt = 0;
	int64_t load = 0;
	int prev = 0;

	for (int g = 0; g <= len; g++) {
		int c = g < len ? seq[g] : 0;
		double leg = hypot(t->x[prev] - t->x[c], t->y[prev] - t->y[c]);

		for (int ph = 0; ph < 2; ph++) {
			if (ph == 1) {
				time += leg;
				d += leg;
				tt += leg;
			}
			if (bp == 2 * g + ph) {
				if (time > t->bb)
					return INFINITY;
				time = fmax(time, t->ba) + t->bsvc;
			}
		}
		if (g == len)
			break;
		load += t->q[c];
		if (time > t->b[c])
			return INFINITY;
		time = fmax(time, t->a[c]) + t->svc[c];
		prev = c;
	}
	if (load > t->cap || time > t->horizon || tt > t->max_tt ||
	    (t->max_tasks >= 0 && len > t->max_tasks))
		return INFINITY;
	return d;
}

static double
t3route(const struct tiny3 *t, const int *seq, int len)
{
	if (!t->brk)
		return t3route_at(t, seq, len, -1);
	for (int bp = 0; bp < 2 * (len + 1); bp++) {
		double d = t3route_at(t, seq, len, bp);

		if (d < INFINITY)
			return d;
	}
	return INFINITY;
}

/* Best (vehicles, distance) or distance over all splits of perm. */
static void
brute3(const struct tiny3 *t, int *perm, int k, int len, double *best,
       int *bestv)
{
	if (k == len) {
		double total = 0;
		int start = 0, used = 0;

		for (int i = 0; i <= len && total < INFINITY; i++) {
			if (i == len || perm[i] == 0) {
				if (i > start) {
					total += t3route(t, perm + start,
							 i - start);
					used++;
				}
				start = i + 1;
			}
		}
		if (total == INFINITY)
			return;
		if (t->vehicles
			    ? used < *bestv || (used == *bestv && total < *best)
			    : total < *best) {
			*best = total;
			*bestv = used;
		}
		return;
	}
	for (int i = k; i < len; i++) {
		int x = perm[k];

		perm[k] = perm[i];
		perm[i] = x;
		if (!(perm[k] == 0 && k > 0 && perm[k - 1] == 0 && i != k))
			brute3(t, perm, k + 1, len, best, bestv);
		perm[i] = perm[k];
		perm[k] = x;
	}
}

static double
t3optimum(const struct tiny3 *t, int *bestv)
{
	int perm[16], len = 0;
	double best = INFINITY;

	*bestv = 1 << 20;
	for (int c = 1; c <= t->n; c++)
		perm[len++] = c;
	for (int v = 1; v < t->nv; v++)
		perm[len++] = 0;
	brute3(t, perm, 0, len, &best, bestv);
	return best;
}

static struct lz_route_problem *
t3problem(const struct tiny3 *t)
{
	struct lz_route_problem *p = plane(1);

	for (int c = 1; c <= t->n; c++)
		add_job_at(p, t->x[c], t->y[c], t->svc[c], t->a[c], t->b[c],
			   t->q[c]);
	for (int v = 0; v < t->nv; v++) {
		struct lz_route_vehicle veh;

		lz_route_vehicle_init(&veh);
		veh.id = v + 1;
		veh.capacity[0] = t->cap;
		veh.shift.end = t->horizon;
		veh.max_tasks = t->max_tasks;
		veh.max_travel_time =
			t->max_tt < INFINITY ? t->max_tt : LZ_ROUTE_INF;
		if (t->brk) {
			lz_route_break_init(&veh.breaks[0]);
			veh.breaks[0].id = 9;
			veh.breaks[0].tw[0].start = t->ba;
			veh.breaks[0].tw[0].end = t->bb;
			veh.breaks[0].service = t->bsvc;
			veh.nbreaks = 1;
		}
		lz_route_problem_add_vehicle(p, &veh);
	}
	return p;
}

/* Breaks inside their windows, max_tasks, max travel time and the
 * vehicles-first objective: the solver's optimum equals the brute
 * force's on random 6-job problems, and each rule changes some optimum
 * (else the test could not fail for it). */
static void
test_rules_optimal(void)
{
	uint64_t s = 424242;
	int changed[4] = {0, 0, 0, 0};

	for (int inst = 0; inst < 8; inst++) {
		struct tiny3 t;
		struct lz_route_problem *p;
		struct lz_route_solution *sol = NULL;
		struct lz_route_options o = opts_iter(3000, 3);
		double best, b0;
		int bestv, v0;
		char msg[256];

		memset(&t, 0, sizeof(t));
		t.n = 6;
		t.nv = 3;
		t.cap = 12 + 3 * (inst % 3);
		t.horizon = 420;
		for (int c = 1; c <= t.n; c++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			t.x[c] = (double)((s >> 33) % 81) - 40;
			t.y[c] = (double)((s >> 45) % 81) - 40;
			t.q[c] = 1 + (int64_t)((s >> 20) % 4);
			t.svc[c] = 10;
			t.a[c] = (double)((s >> 25) % 120);
			t.b[c] = t.a[c] + 60 + (double)((s >> 12) % 150);
		}
		if (inst == 3) {
			/* a zigzag in time between two sides: one vehicle
			 * can do it all, two do it shorter */
			for (int c = 1; c <= t.n; c++) {
				t.x[c] = c % 2 ? 30 : -30;
				t.y[c] = (double)c;
				t.a[c] = 40.0 + 70.0 * (c - 1);
				t.b[c] = t.a[c] + 15;
				t.q[c] = 1;
			}
		}
		t.max_tasks = -1;
		t.max_tt = INFINITY;
		/* each instance gets a mix: a break on all, then max_tasks,
		 * max travel time and the objective on some */
		t.brk = true;
		t.ba = 80 + 10 * inst;
		t.bb = t.ba + 10;
		t.bsvc = 50 + 10 * (inst % 4);
		if (inst % 2 == 0 && inst != 6)
			t.max_tasks = 2;
		if (inst % 2 == 1 && inst != 3)
			t.max_tt = 110 + 10 * (inst % 3);
		if (inst == 3) {
			t.horizon = 600;
			t.ba = 450; /* at the end of the day */
			t.bb = 460;
		}
		t.vehicles = inst % 3 != 2;
		best = t3optimum(&t, &bestv);
		/* the same without each rule */
		for (int r = 0; r < 4; r++) {
			struct tiny3 u = t;

			if (r == 0)
				u.brk = false;
			else if (r == 1)
				u.max_tasks = -1;
			else if (r == 2)
				u.max_tt = INFINITY;
			else
				u.vehicles = false;
			b0 = t3optimum(&u, &v0);
			if (getenv("T3"))
				printf("# %d rule %d: %.2f/%d vs %.2f/%d\n",
				       inst, r, best, bestv, b0, v0);
			if (fabs(b0 - best) > 1e-6 || v0 != bestv)
				changed[r]++;
		}
		p = t3problem(&t);
		o.objective = t.vehicles ? LZ_ROUTE_OBJECTIVE_VEHICLES
					 : LZ_ROUTE_OBJECTIVE_COST;
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		if (sol == NULL) {
			lz_route_problem_destroy(&p);
			continue;
		}
		CHECK_EQ_INT(lz_route_check(p, sol, 0, msg, sizeof(msg)), 0);
		CHECK_EQ_INT(lz_route_check(p, sol, LZ_ROUTE_CHECK_SEQUENCE,
					    msg, sizeof(msg)),
			     0);
		if (isinf(best)) {
			CHECK(sol->nunassigned > 0);
		} else {
			CHECK_EQ_INT(sol->nunassigned, 0);
			CHECK(fabs(sol->distance - best) < 1e-6);
			if (t.vehicles)
				CHECK_EQ_INT(sol->nroutes, bestv);
			if (fabs(sol->distance - best) >= 1e-6)
				printf("# instance %d: solver %.6f (%d "
				       "routes), optimum %.6f (%d)\n",
				       inst, sol->distance, sol->nroutes, best,
				       bestv);
		}
		/* every route took its break inside the window */
		for (int r = 0; r < sol->nroutes; r++) {
			int nb = 0;

			for (int k = 0; k < sol->routes[r].nstops; k++) {
				const struct lz_route_stop *st =
					&sol->routes[r].stops[k];

				if (st->type != LZ_ROUTE_STOP_BREAK)
					continue;
				nb++;
				CHECK(st->start >= t.ba - 1e-9 &&
				      st->start <= t.bb + 1e-9);
				CHECK(fabs(st->departure - st->start - t.bsvc) <
				      1e-9);
			}
			CHECK_EQ_INT(nb, 1);
			if (t.max_tasks >= 0)
				CHECK(sol->routes[r].nstops - 3 <= t.max_tasks);
		}
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
	for (int r = 0; r < 4; r++) {
		CHECK(changed[r] > 0);
		if (changed[r] == 0)
			printf("# rule %d changes no optimum\n", r);
	}
}

/* A break's max_load: the break waits until the load is low enough, and
 * the checker refuses a break taken with too much on board. */
static void
test_break_max_load(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_vehicle v;
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o = opts_iter(500, 1);
	char msg[256];
	int nbk = 0, jobs_before = 0;

	add_job_at(p, 10, 0, 0, 0, 1000, 3);
	add_job_at(p, 20, 0, 0, 0, 1000, 3);
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	lz_route_break_init(&v.breaks[0]);
	v.breaks[0].service = 5;
	v.breaks[0].has_max_load = 1;
	v.breaks[0].max_load[0] = 0; /* only once both are delivered */
	v.nbreaks = 1;
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
	CHECK_EQ_INT(lz_route_check(p, sol, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(sol->nroutes, 1);
	for (int k = 0; sol->nroutes && k < sol->routes[0].nstops; k++) {
		const struct lz_route_stop *st = &sol->routes[0].stops[k];

		if (st->type == LZ_ROUTE_STOP_JOB && nbk == 0)
			jobs_before++;
		if (st->type == LZ_ROUTE_STOP_BREAK) {
			nbk++;
			CHECK_EQ_INT((int)st->load[0], 0);
		}
	}
	CHECK_EQ_INT(nbk, 1);
	CHECK_EQ_INT(jobs_before, 2);
	/* move the break first: the checker refuses it */
	if (sol->nroutes && sol->routes[0].nstops == 5) {
		struct lz_route_stop tmp = sol->routes[0].stops[3];

		CHECK_EQ_INT(tmp.type, LZ_ROUTE_STOP_BREAK);
		memmove(&sol->routes[0].stops[2], &sol->routes[0].stops[1],
			2 * sizeof(tmp));
		sol->routes[0].stops[1] = tmp;
		sol->routes[0].stops[1].location = 0;
		CHECK_EQ_INT(lz_route_check(p, sol, LZ_ROUTE_CHECK_SEQUENCE,
					    msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK(strstr(msg, "max_load") != NULL);
	}
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
}

/* max_tasks 1: one stop per route; the job too large for the vehicles
 * stays out (the case: all three used to go on one route). */
static void
test_max_tasks(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o = opts_iter(500, 1);
	struct lz_route_vehicle v;
	char msg[256];

	add_job_at(p, 1, 0, 0, 0, 1000, 1);
	add_job_at(p, 2, 0, 0, 0, 1000, 100);
	add_job_at(p, 3, 0, 0, 0, 1000, 1);
	for (int k = 0; k < 3; k++) {
		lz_route_vehicle_init(&v);
		v.id = k + 1;
		v.capacity[0] = 10;
		v.max_tasks = 1;
		lz_route_problem_add_vehicle(p, &v);
	}
	CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
	CHECK_EQ_INT(lz_route_check(p, sol, 0, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(sol->nroutes, 2);
	for (int r = 0; r < sol->nroutes; r++)
		CHECK_EQ_INT(sol->routes[r].nstops, 3);
	CHECK_EQ_INT(sol->nunassigned, 1);
	if (sol->nunassigned)
		CHECK_EQ_INT(sol->unassigned[0].reason,
			     LZ_ROUTE_REASON_CAPACITY);
	/* the checker refuses two stops on a max_tasks 1 route */
	{
		struct hand h;
		int two[2] = {0, 2};

		memset(&h, 0, sizeof(h));
		hand_route(&h, 0, two, 2);
		h.s.unassigned = sol->unassigned;
		h.s.nunassigned = 1;
		CHECK_EQ_INT(lz_route_check(p, &h.s, LZ_ROUTE_CHECK_SEQUENCE,
					    msg, sizeof(msg)),
			     LZ_ROUTE_EINFEASIBLE);
		CHECK(strstr(msg, "max_tasks") != NULL);
	}
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
	/* max_tasks 0 and a shipment on max_tasks 1: the reason says so */
	p = plane(1);
	add_job_at(p, 1, 0, 0, 0, 1000, 1);
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	v.max_tasks = 0;
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
	CHECK_EQ_INT(sol->nunassigned, 1);
	if (sol->nunassigned)
		CHECK_EQ_INT(sol->unassigned[0].reason,
			     LZ_ROUTE_REASON_MAX_TASKS);
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
}

/* speed_factor divides travel times; max_travel_time bounds their sum. */
static void
test_speed_factor_travel_time(void)
{
	struct lz_route_problem *p = plane(1);
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o = opts_iter(200, 1);
	struct lz_route_vehicle v;
	char msg[256];

	add_job_at(p, 30, 40, 0, 0, 1000, 1); /* 50 away */
	lz_route_vehicle_init(&v);
	v.capacity[0] = 10;
	v.speed_factor = 2;
	lz_route_problem_add_vehicle(p, &v);
	CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
	CHECK_EQ_INT(lz_route_check(p, sol, 0, msg, sizeof(msg)), 0);
	if (sol->nroutes == 1) {
		CHECK(fabs(sol->routes[0].stops[1].arrival - 25) < 1e-9);
		CHECK(fabs(sol->routes[0].travel_time - 50) < 1e-9);
		CHECK(fabs(sol->distance - 100) < 1e-9);
	}
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
	v.speed_factor = 0;
	p = plane(1);
	CHECK_EQ_INT(lz_route_problem_add_vehicle(p, &v), LZ_ROUTE_EINVAL);
	v.speed_factor = 1;
	v.max_travel_time = 99;
	CHECK_EQ_INT(lz_route_problem_add_vehicle(p, &v), 0);
	add_job_at(p, 30, 40, 0, 0, 1000, 1);
	CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
	CHECK_EQ_INT(sol->nunassigned, 1);
	if (sol->nunassigned)
		CHECK_EQ_INT(sol->unassigned[0].reason,
			     LZ_ROUTE_REASON_MAX_TRAVEL_TIME);
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
}

static struct lz_route_problem *
vroom_parse(const char *text, char *err, size_t len)
{
	struct lz_route_problem *p = NULL;

	if (route_json_load("inline", text, ROUTE_JSON_VROOM, &p, NULL, err,
			    len))
		printf("# %s\n", err);
	return p;
}

/* VROOM's input as VROOM documents it: matrices per profile name, the
 * default "car" profile, durations only, the cost = travel time default,
 * a costs matrix that decides the order. */
static void
test_vroom_input(void)
{
	struct lz_route_problem *p;
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o = opts_iter(300, 1);
	char err[512];
	/* by durations, 0 1 2 3 (4900) beats 0 2 1 3 (5350) */
#define VROOM_BASE(costs)                                                      \
	"{\"vehicles\": [{\"id\": 7, \"start_index\": 0, "                     \
	"\"end_index\": 3}],"                                                  \
	" \"jobs\": [{\"id\": 11, \"location_index\": 1},"                     \
	"  {\"id\": 12, \"location_index\": 2}],"                              \
	" \"matrices\": {\"car\": {\"durations\": [[0, 1800, 240, 1300],"      \
	"  [1790, 0, 2000, 3100], [230, 2010, 0, 1100],"                       \
	"  [1310, 3120, 1090, 0]]" costs "}}}"
	const char *doc;

	doc = VROOM_BASE("");
	p = vroom_parse(doc, err, sizeof(err));
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		CHECK_EQ_INT(lz_route_check(p, sol, 0, err, sizeof(err)), 0);
		CHECK_EQ_INT(sol->nroutes, 1);
		CHECK(fabs(sol->cost - 4900) < 1e-6);
		if (sol->nroutes)
			CHECK_EQ_INT(sol->routes[0].stops[1].index, 0);
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
	/* a costs matrix that makes 0 2 1 3 cheaper is honoured */
	doc = VROOM_BASE(", \"costs\": [[0, 50, 1, 50], [50, 0, 50, 1],"
			 " [50, 1, 0, 50], [50, 50, 50, 0]]");
	p = vroom_parse(doc, err, sizeof(err));
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		CHECK_EQ_INT(lz_route_check(p, sol, 0, err, sizeof(err)), 0);
		CHECK(fabs(sol->cost - 3) < 1e-6);
		if (sol->nroutes)
			CHECK_EQ_INT(sol->routes[0].stops[1].index, 1);
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
	/* the same files are refused in our own dialect's profile "van"
	 * only when they name a profile no vehicle has */
	CHECK_EQ_INT(route_json_load("inline", doc, ROUTE_JSON_LZ, &p, NULL,
				     err, sizeof(err)),
		     LZ_ROUTE_EPARSE);
	CHECK(strstr(err, "\"car\"") != NULL);
	/* every file of tests/data/routing/vroom_*.json solves and checks */
	{
		static const char *const files[] = {"vroom_matrix.json",
						    "vroom_full.json"};

		for (size_t f = 0; f < 2; f++) {
			json_t *d = NULL;
			int rc = route_json_load(data_path(files[f]), NULL,
						 ROUTE_JSON_VROOM, &p, &d, err,
						 sizeof(err));

			CHECK_EQ_INT(rc, 0);
			if (rc) {
				printf("# %s\n", err);
				continue;
			}
			CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
			CHECK_EQ_INT(
				lz_route_check(p, sol, 0, err, sizeof(err)), 0);
			CHECK_EQ_INT(sol->nunassigned, 0);
			{
				FILE *out = tmpfile();

				CHECK_EQ_INT(
					route_json_write_vroom(out, p, sol, d),
					0);
				fclose(out);
			}
			json_decref(d);
			lz_route_solution_destroy(&sol);
			lz_route_problem_destroy(&p);
		}
	}
}

static void
expect_vroom_error(const char *text, const char *what)
{
	struct lz_route_problem *p = NULL;
	char err[512];
	int rc = route_json_load("inline", text, ROUTE_JSON_VROOM, &p, NULL,
				 err, sizeof(err));

	CHECK_EQ_INT(rc, LZ_ROUTE_EPARSE);
	CHECK(p == NULL);
	CHECK(strstr(err, what) != NULL);
	if (rc != LZ_ROUTE_EPARSE || !strstr(err, what))
		printf("# expected \"%s\", got: %s\n", what,
		       rc ? err : "success");
	lz_route_problem_destroy(&p);
}

#define V1 "{\"vehicles\": [{\"id\": 1, \"start\": [2.3, 48.8]"
#define J1 "\"jobs\": [{\"id\": 1, \"location\": [2.31, 48.81]"

/* Fields that are not honoured are refused by name; duplicate ids and
 * amounts of different lengths are refused as VROOM does. */
static void
test_vroom_refusals(void)
{
	expect_vroom_error(V1 ", \"type\": \"x\"}], " J1 "}]}", "\"type\"");
	expect_vroom_error(V1 ", \"steps\": []}], " J1 "}]}", "\"steps\"");
	expect_vroom_error(V1 ", \"costs\": {\"per_task_hour\": 1}}], " J1
			      "}]}",
			   "\"per_task_hour\"");
	expect_vroom_error(V1 "}], " J1 ", \"service_per_type\": {}}]}",
			   "\"service_per_type\"");
	expect_vroom_error(V1 "}], " J1 ", \"setup_per_type\": {}}]}",
			   "\"setup_per_type\"");
	expect_vroom_error(V1 "}], " J1 ", \"colour\": 3}]}",
			   "unknown field \"colour\"");
	expect_vroom_error(V1 "}], " J1 "}], \"matrix\": [[0]]}", "\"matrix\"");
	expect_vroom_error(V1 ", \"breaks\": [{\"id\": 1, \"length\": 3}]}], "
			      "" J1 "}]}",
			   "breaks[0]: unknown field \"length\"");
	/* duplicates */
	expect_vroom_error(V1 "}], " J1 "}, {\"id\": 1, \"location\": [2.32, "
			      "48.8]}]}",
			   "duplicate job id: 1");
	expect_vroom_error(
		V1
		"}], \"shipments\": [{\"pickup\": {\"id\": 3, \"location\": "
		"[2.3, 48.8]}, \"delivery\": {\"id\": 4, \"location\": [2.3, "
		"48.9]}}, {\"pickup\": {\"id\": 3, \"location\": [2.3, "
		"48.8]}, \"delivery\": {\"id\": 5, \"location\": [2.3, "
		"48.9]}}]}",
		"duplicate pickup id: 3");
	expect_vroom_error(V1 ", \"breaks\": [{\"id\": 2}, {\"id\": 2}]}], " J1
			      "}]}",
			   "duplicate break id: 2");
	/* amount lengths */
	expect_vroom_error(V1 ", \"capacity\": [5, 5]}], " J1
			      ", \"delivery\": [1]}]}",
			   "inconsistent \"delivery\" length: 1 instead of 2");
	expect_vroom_error(V1 "}], " J1 ", \"pickup\": [1]}]}",
			   "inconsistent \"capacity\" length: 0 instead of 1");
	expect_vroom_error(V1 ", \"capacity\": [5], \"breaks\": [{\"id\": 1, "
			      "\"max_load\": [1, 2]}]}], " J1 "}]}",
			   "inconsistent \"max_load\" length");
	expect_vroom_error(V1 ", \"capacity\": [5]}], " J1
			      ", \"amount\": [1], \"delivery\": [1]}]}",
			   "\"amount\" (legacy");
	/* plane coordinates without "metric": "euclidean" */
	expect_vroom_error("{\"vehicles\": [{\"start\": [0, 0]}], "
			   "\"jobs\": [{\"id\": 1, \"location\": [250, 310]}]}",
			   "give \"metric\": \"euclidean\"");
	/* a costs matrix with per_hour, distances-less ranges */
	expect_vroom_error(
		"{\"vehicles\": [{\"start_index\": 0, \"costs\": "
		"{\"per_hour\": "
		"10}}], \"jobs\": [{\"id\": 1, \"location_index\": 1}], "
		"\"matrices\": {\"car\": {\"durations\": [[0, 1], [1, 0]], "
		"\"costs\": [[0, 1], [1, 0]]}}}",
		"cannot be combined with a \"costs\" matrix");
	expect_vroom_error(
		"{\"vehicles\": [{\"start_index\": 0, \"max_distance\": 5}], "
		"\"jobs\": [{\"id\": 1, \"location_index\": 1}], "
		"\"matrices\": {\"car\": {\"durations\": [[0, 1], [1, 0]]}}}",
		"\"max_distance\" needs \"distances\"");
	expect_vroom_error(V1 ", \"speed_factor\": 6}], " J1 "}]}",
			   "speed_factor");
	expect_vroom_error(V1 ", \"max_tasks\": -1}], " J1 "}]}", "max_tasks");
	expect_vroom_error(V1 ", \"profile\": \"truck\"}, {\"start\": [2.3, "
			      "48.8], \"profile\": \"bike\"}, {\"start\": "
			      "[2.3, 48.8]}], " J1 "}]}",
			   "at most 2");
}

/* Accepted fields are honoured: legacy amount is a delivery, max_tasks,
 * breaks with their windows, speed_factor, max_travel_time, setup. */
static void
test_vroom_fields(void)
{
	struct lz_route_problem *p;
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o = opts_iter(300, 1);
	char err[512];

	/* the case: max_tasks 1 and a 100-unit job on 10-unit
	 * vehicles (legacy amount) */
	p = vroom_parse(
		"{\"metric\": \"euclidean\", \"vehicles\": ["
		"{\"id\": 1, \"start\": [0, 0], \"capacity\": [10], "
		"\"max_tasks\": 1},"
		"{\"id\": 2, \"start\": [0, 0], \"capacity\": [10], "
		"\"max_tasks\": 1},"
		"{\"id\": 3, \"start\": [0, 0], \"capacity\": [10], "
		"\"max_tasks\": 1}],"
		" \"jobs\": [{\"id\": 1, \"location\": [1, 0], \"amount\": "
		"[1]},"
		"  {\"id\": 2, \"location\": [2, 0], \"amount\": [100]},"
		"  {\"id\": 3, \"location\": [3, 0], \"amount\": [1], "
		"\"setup\": 5}]}",
		err, sizeof(err));
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		CHECK_EQ_INT(lz_route_check(p, sol, 0, err, sizeof(err)), 0);
		CHECK_EQ_INT(sol->nroutes, 2);
		CHECK_EQ_INT(sol->nunassigned, 1);
		if (sol->nunassigned)
			CHECK_EQ_INT(sol->unassigned[0].index, 1);
		for (int r = 0; r < sol->nroutes; r++)
			if (sol->routes[r].stops[1].index == 2)
				CHECK(fabs(sol->routes[r].stops[1].setup - 5) <
				      1e-9);
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
	/* a break window in the middle of the day, service 600, and
	 * speed_factor 2 halving a 1000 s leg */
	p = vroom_parse(
		"{\"vehicles\": [{\"id\": 1, \"start_index\": 0, "
		"\"end_index\": 0, \"speed_factor\": 2, \"breaks\": [{\"id\": "
		"4, "
		"\"time_windows\": [[2000, 2100]], \"service\": 600}]}],"
		" \"jobs\": [{\"id\": 1, \"location_index\": 1, \"service\": "
		"100},"
		"  {\"id\": 2, \"location_index\": 2, \"service\": 100}],"
		" \"matrices\": {\"car\": {\"durations\": [[0, 1000, 1000],"
		"  [1000, 0, 1000], [1000, 1000, 0]]}}}",
		err, sizeof(err));
	CHECK(p != NULL);
	if (p) {
		int found = 0;

		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		CHECK_EQ_INT(lz_route_check(p, sol, 0, err, sizeof(err)), 0);
		CHECK_EQ_INT(sol->nunassigned, 0);
		for (int k = 0; sol->nroutes && k < sol->routes[0].nstops;
		     k++) {
			const struct lz_route_stop *st =
				&sol->routes[0].stops[k];

			if (st->type == LZ_ROUTE_STOP_BREAK) {
				found++;
				CHECK(st->start >= 2000 - 1e-9 &&
				      st->start <= 2100 + 1e-9);
			}
			if (k == 1)
				CHECK(fabs(st->arrival - 500) < 1e-6 ||
				      st->type == LZ_ROUTE_STOP_BREAK);
		}
		CHECK_EQ_INT(found, 1);
		if (sol->nroutes)
			CHECK(fabs(sol->routes[0].travel_time - 1500) < 1e-6);
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
	/* max_travel_time below the only round trip: unassigned */
	p = vroom_parse("{\"vehicles\": [{\"start_index\": 0, \"end_index\": "
			"0, \"max_travel_time\": 1999}],"
			" \"jobs\": [{\"id\": 1, \"location_index\": 1}],"
			" \"matrices\": {\"car\": {\"durations\": [[0, 1000],"
			" [1000, 0]]}}}",
			err, sizeof(err));
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
		CHECK_EQ_INT(sol->nunassigned, 1);
		lz_route_solution_destroy(&sol);
		lz_route_problem_destroy(&p);
	}
}

/* The Li & Lim reader: shipments from sibling columns. */
static void
test_lilim(void)
{
	struct lz_route_problem *p = NULL;
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o = opts_iter(500, 1);
	char err[512];

	CHECK_EQ_INT(lz_route_lilim_read(data_path("lilim_small.txt"), &p, err,
					 sizeof(err)),
		     0);
	if (p == NULL) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ_INT(lz_route_problem_nshipments(p), 3);
	CHECK_EQ_INT(lz_route_problem_njobs(p), 0);
	CHECK_EQ_INT(lz_route_problem_nvehicles(p), 3);
	if (lz_route_problem_nshipments(p) == 3)
		CHECK_EQ_INT((int)lz_route_problem_shipment(p, 0)->delivery.id,
			     4);
	o.objective = LZ_ROUTE_OBJECTIVE_VEHICLES;
	CHECK_EQ_INT(lz_route_solve(p, &o, &sol), 0);
	CHECK_EQ_INT(lz_route_check(p, sol, 0, err, sizeof(err)), 0);
	CHECK_EQ_INT(sol->nunassigned, 0);
	CHECK_EQ_INT(sol->nroutes, 1);
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
	CHECK_EQ_INT(lz_route_lilim_read(data_path("r101_25.txt"), &p, err,
					 sizeof(err)),
		     LZ_ROUTE_EPARSE);
}

int
main(void)
{
	RUN(test_checker);
	RUN(test_checker_full);
	RUN(test_tiny_optimal);
	RUN(test_tiny_optimal_rich);
	RUN(test_pickup_delivery);
	RUN(test_shipments);
	RUN(test_shipments_many);
	RUN(test_multi_dim);
	RUN(test_skills);
	RUN(test_time_windows);
	RUN(test_unassigned_reasons);
	RUN(test_priority_and_duration);
	RUN(test_setup_times);
	RUN(test_release_times);
	RUN(test_speed_model);
	RUN(test_max_distance);
	RUN(test_setup_release_many);
	RUN(test_metrics);
	RUN(test_deterministic);
	RUN(test_json_problem);
	RUN(test_json_setup_release);
	RUN(test_threads);
	RUN(test_degenerate);
	RUN(test_malformed);
	RUN(test_rules_optimal);
	RUN(test_break_max_load);
	RUN(test_max_tasks);
	RUN(test_speed_factor_travel_time);
	RUN(test_vroom_input);
	RUN(test_vroom_refusals);
	RUN(test_vroom_fields);
	RUN(test_lilim);
	return lz_test_summary();
}
