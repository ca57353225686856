/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_model.h -- the solver's compiled, read-only view of a problem
 * (nodes, tasks, vehicles, matrices, neighbour lists), and the routines
 * that evaluate whole routes on it.  Internal to the routing library.
 *
 * A node is one stop to visit: a job, or one end of a shipment.  A task is
 * what gets assigned or not: a job (one node) or a shipment (two nodes).
 */
#ifndef ROUTE_MODEL_H
#define ROUTE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "route_internal.h"

#define TIME_INF 1e30

struct route_model {
	const struct lz_route_problem *p;
	int D; /* capacity dimensions */
	int L; /* matrix stride: locations + 1 dummy ("no location") */
	int nloc_dummy;
	/* Matrices per slot: one slot per (profile, speed factor) used by
	 * the vehicles (vprof is a slot).  dist is the distance the search
	 * prices (the profile's cost matrix when it has one: then the
	 * vehicle's vcpd is 1 and vcpt 0), rdist the real distance (the
	 * same array without a cost matrix), time the travel time.
	 * Identical arrays are shared; own lists each array once. */
	int nslot;
	double **dist, **rdist, **time;
	int *dist_sym; /* distance matrix is symmetric */
	int nown;
	double **own;

	int nn;    /* nodes */
	int *loc;  /* location; one index per place (see "Places" in
		      lz_route.h): the first location with the same
		      coordinates */
	int *oloc; /* the caller's location index, for output */
	double *svc;
	double *setup; /* paid unless the previous stop is at loc */
	double *rel;   /* job release: the route leaves no earlier;
			  -TIME_INF if none (pickup releases are folded
			  into the pickup's windows) */
	int has_setup, has_release; /* any setup > 0, any job release */
	int *tw_off, *tw_cnt;
	double *tws, *twe;
	double *tw_first, *tw_last; /* earliest start, latest end */
	int64_t *dlv, *net;         /* nn x D: from-depot delivery; net
				       load change (pickup - delivery) */
	uint64_t *skills;
	int *pair; /* shipment partner node, or -1 */
	int *task;

	int nt;       /* tasks */
	int *ta, *tb; /* nodes (tb = -1 for jobs) */
	int *tship;   /* 1 if shipment */
	int *tindex;  /* job or shipment index */
	int *tprio;
	double *tpen;  /* cost of leaving it unassigned */
	double *tsize; /* sum of amounts, for ordering */
	double *tfar;  /* distance from the first vehicle's start */
	double *ttwl;  /* earliest window end, for ordering */
	int *treason;  /* lz_route_reason if it cannot be served at all */

	int nv;
	int *vstart, *vend; /* location or dummy */
	double *vs, *ve;
	int64_t *cap; /* nv x D */
	uint64_t *vsk;
	int *vprof;
	double *vfix, *vcpd, *vcpt, *vmaxdur, *vmaxdist;
	double *vfix0;     /* the caller's fixed cost (vfix may add the
			      vehicles-first weight) */
	double *vmaxrdist; /* max real distance, checked in full evaluation
			      only (a cost-matrix vehicle's range) */
	double *vmaxtt;    /* max travel time */
	int *vmaxtasks;    /* max stops; INT_MAX = none */
	int *vnb, *vbrk;   /* breaks: count, first index in b* */
	int nbrk;
	double *bsvc;
	int *btw_off, *btw_cnt;
	double *btws, *btwe;
	int64_t *bmax; /* nbrk x D; INT64_MAX = no max_load */
	int *vclass;   /* identical vehicles share a class */
	int *vslow;    /* max duration, breaks, max_tasks, max travel time
			  or a cost-matrix range: evaluate routes in full */

	int K; /* granular neighbours per node */
	int *gran;
	int adjK; /* SISR adjacency per node */
	int *adj;
	double edge_mean; /* mean travel distance between neighbours */
};

/* Build m from p for an objective; returns 0, or LZ_ROUTE_ERANGE /
 * LZ_ROUTE_EINVAL. */
int route_model_init(struct route_model *m, const struct lz_route_problem *p,
		     enum lz_route_objective objective);
void route_model_release(struct route_model *m);

static inline double
rm_dist(const struct route_model *m, int prof, int a, int b)
{
	return m->dist[prof][(size_t)a * (size_t)m->L + (size_t)b];
}

static inline double
rm_rdist(const struct route_model *m, int prof, int a, int b)
{
	return m->rdist[prof][(size_t)a * (size_t)m->L + (size_t)b];
}

static inline double
rm_time(const struct route_model *m, int prof, int a, int b)
{
	return m->time[prof][(size_t)a * (size_t)m->L + (size_t)b];
}

/* Start of service at node u when arriving at a: the first window that
 * ends at or after a; TIME_INF if every window has closed. */
static inline double
rm_tw_start(const struct route_model *m, int u, double a)
{
	int o = m->tw_off[u], c = m->tw_cnt[u];

	for (int w = 0; w < c; w++)
		if (a <= m->twe[o + w])
			return a > m->tws[o + w] ? a : m->tws[o + w];
	return TIME_INF;
}

/* Latest arrival at u such that service can start by x: -TIME_INF if no
 * window opens by x. */
static inline double
rm_tw_latest(const struct route_model *m, int u, double x)
{
	int o = m->tw_off[u], c = m->tw_cnt[u];

	for (int w = c - 1; w >= 0; w--)
		if (m->tws[o + w] <= x)
			return x < m->twe[o + w] ? x : m->twe[o + w];
	return -TIME_INF;
}

/* Setup paid at node u when the previous stop is at location prev. */
static inline double
rm_setup(const struct route_model *m, int prev, int u)
{
	return prev != m->loc[u] ? m->setup[u] : 0;
}

/* Result of a full route evaluation. */
struct route_eval {
	double dist, ttime, duration, cost; /* cost as used by the search */
};

#define ROUTE_EVAL_NO_RELEASE 1 /* ignore job releases (for reasons) */

/* Evaluate vehicle v serving nodes seq[0..n-1] in order, checking every
 * constraint (skills, capacity at every point, shipments paired and in
 * order, releases, windows with setups, shift end, max distance, max
 * duration).  mark is a scratch array of m->nn ints, all zero on entry and
 * on return.  flags: 0 or ROUTE_EVAL_NO_RELEASE.  Returns
 * LZ_ROUTE_REASON_NONE (0) if feasible, else the first violated
 * constraint's reason. */
/* Where vehicle v takes its breaks when serving seq[0..n-1] and leaving
 * its start at dep: the earliest schedule (a dynamic programme over the
 * gaps between stops and the number of breaks taken; earlier is never
 * worse, since waiting is allowed).  Gap g (0..n) lies between stop g - 1
 * (or the start) and stop g (or the end); phase 0 is before the travel,
 * at the previous place, phase 1 after it, at the next place.  If plan is
 * not NULL, plan[b] = 2 * gap + phase for each break b.  Returns the
 * arrival at the end, or TIME_INF if the breaks cannot all be taken.
 * Windows of the stops are honoured; the caller checks the rest. */
double route_breaks(const struct route_model *m, int v, const int *seq, int n,
		    double dep, int *plan);

int route_eval_seq(const struct route_model *m, int v, const int *seq, int n,
		   int *mark, int flags, struct route_eval *ev);

#endif
