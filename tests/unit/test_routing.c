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

int
main(void)
{
	RUN(test_checker);
	RUN(test_checker_full);
	RUN(test_tiny_optimal);
	RUN(test_pickup_delivery);
	RUN(test_shipments);
	RUN(test_shipments_many);
	RUN(test_multi_dim);
	RUN(test_skills);
	RUN(test_time_windows);
	RUN(test_unassigned_reasons);
	RUN(test_priority_and_duration);
	RUN(test_metrics);
	RUN(test_deterministic);
	RUN(test_json_problem);
	RUN(test_threads);
	RUN(test_degenerate);
	RUN(test_malformed);
	return lz_test_summary();
}
