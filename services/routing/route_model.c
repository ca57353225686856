/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_model.c -- compile a problem into the solver's arrays; full route
 * evaluation; neighbour lists.  See route_model.h.
 */
#include "route_model.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lz_util.h"

#define GRAN_K 40
#define ADJ_K 100

struct keyed {
	double key;
	int idx;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key < y->key)
		return -1;
	if (x->key > y->key)
		return 1;
	return x->idx - y->idx;
}

/* Put the k smallest of a[0..n-1] first, sorted (quickselect, then a
 * sort of k: neighbour lists need the nearest few, not a full order). */
static void
smallest_k(struct keyed *a, int n, int k)
{
	int lo = 0, hi = n - 1;

	if (k <= 0)
		return;
	if (k < n) {
		while (lo < hi) {
			struct keyed pivot = a[lo + (hi - lo) / 2], t;
			int i = lo, j = hi;

			while (i <= j) {
				while (keyed_cmp(&a[i], &pivot) < 0)
					i++;
				while (keyed_cmp(&a[j], &pivot) > 0)
					j--;
				if (i <= j) {
					t = a[i];
					a[i++] = a[j];
					a[j--] = t;
				}
			}
			if (k - 1 <= j)
				hi = j;
			else if (k - 1 >= i)
				lo = i;
			else
				break;
		}
	}
	qsort(a, (size_t)(k < n ? k : n), sizeof(*a), keyed_cmp);
}

/* Windows of node u, from release on (release <= 0: all of them), so that
 * every code path that reads windows honours a pickup's release.  Returns
 * false, keeping the windows whole, when they all close before release. */
static bool
add_windows(struct route_model *m, int u, int ntw, const struct lz_route_tw *tw,
	    double release, int *ntws)
{
	int first = 0;

	if (release > 0) {
		while (first < ntw && tw[first].end < release)
			first++;
		if (first == ntw) {
			add_windows(m, u, ntw, tw, 0, ntws);
			return false;
		}
	}
	m->tw_off[u] = *ntws;
	m->tw_cnt[u] = ntw - first;
	for (int w = first; w < ntw; w++) {
		m->tws[*ntws] = tw[w].start;
		m->twe[*ntws] = tw[w].end;
		if (w == first && release > tw[w].start)
			m->tws[*ntws] = release;
		(*ntws)++;
	}
	m->tw_first[u] = m->tws[m->tw_off[u]];
	m->tw_last[u] = tw[ntw - 1].end;
	return true;
}

static int
node_count(const struct lz_route_problem *p)
{
	return p->njobs + 2 * p->nship;
}

static int
check_locations(const struct lz_route_problem *p, int nloc)
{
	for (int i = 0; i < p->njobs; i++)
		if (p->jobs[i].location >= nloc)
			return LZ_ROUTE_ERANGE;
	for (int i = 0; i < p->nship; i++)
		if (p->ships[i].pickup.location >= nloc ||
		    p->ships[i].delivery.location >= nloc)
			return LZ_ROUTE_ERANGE;
	for (int i = 0; i < p->nveh; i++)
		if (p->vehs[i].start >= nloc || p->vehs[i].end >= nloc)
			return LZ_ROUTE_ERANGE;
	return 0;
}

/* One place, one index: each location is mapped to the first location with
 * the same coordinates (coordinate metrics), so that "same location" is an
 * integer comparison in the search.  Distances to and from locations with
 * the same coordinates are equal, so nothing else changes. */
static int *
build_places(const struct lz_route_problem *p, int nloc)
{
	int *canon = xcalloc((size_t)nloc + 1, sizeof(int));
	struct keyed *k;

	for (int i = 0; i <= nloc; i++)
		canon[i] = i;
	if (p->metric == LZ_ROUTE_METRIC_MATRIX || nloc < 2)
		return canon;
	/* sort by x, then y within runs of equal x; the run's smallest
	 * index wins */
	k = xcalloc((size_t)nloc, sizeof(*k));
	for (int i = 0; i < nloc; i++) {
		k[i].key = p->x[i];
		k[i].idx = i;
	}
	qsort(k, (size_t)nloc, sizeof(*k), keyed_cmp);
	for (int lo = 0, hi; lo < nloc; lo = hi) {
		for (hi = lo + 1; hi < nloc && k[hi].key == k[lo].key; hi++)
			;
		for (int a = lo; a < hi; a++) {
			int ia = k[a].idx;

			if (canon[ia] != ia)
				continue;
			for (int b = a + 1; b < hi; b++)
				if (p->y[k[b].idx] == p->y[ia])
					canon[k[b].idx] = ia;
		}
	}
	free(k);
	return canon;
}

/* Keep arr (L x L) once: an identical array already kept is returned
 * instead, and arr freed. */
static double *
intern(struct route_model *m, double *arr)
{
	size_t LL = (size_t)m->L * (size_t)m->L;

	for (int k = 0; k < m->nown; k++) {
		if (memcmp(m->own[k], arr, LL * sizeof(double)) == 0) {
			free(arr);
			return m->own[k];
		}
	}
	m->own[m->nown++] = arr;
	return arr;
}

/* The slot of vehicle v: one per (profile, speed factor). */
static int
slot_of(const struct lz_route_problem *p, int *sprof, double *sfac, int *ns,
	int v)
{
	int pr = (int)p->vehs[v].profile;
	double f = p->vehs[v].speed_factor;

	for (int k = 0; k < *ns; k++)
		if (sprof[k] == pr && sfac[k] == f)
			return k;
	sprof[*ns] = pr;
	sfac[*ns] = f;
	return (*ns)++;
}

static void
build_matrices(struct route_model *m, const struct lz_route_problem *p,
	       int nloc, const int *sprof, const double *sfac)
{
	size_t L = (size_t)m->L, LL = L * L;

	m->dist = xcalloc((size_t)m->nslot, sizeof(double *));
	m->rdist = xcalloc((size_t)m->nslot, sizeof(double *));
	m->time = xcalloc((size_t)m->nslot, sizeof(double *));
	m->dist_sym = xcalloc((size_t)m->nslot, sizeof(int));
	m->own = xcalloc((size_t)m->nslot * 3, sizeof(double *));
	for (int s = 0; s < m->nslot; s++) {
		enum lz_route_profile pr = (enum lz_route_profile)sprof[s];
		double *d = xcalloc(LL, sizeof(double));
		double *t = xcalloc(LL, sizeof(double));
		const double *cm = p->mat_cost[pr];

		for (int a = 0; a < nloc; a++) {
			for (int b = 0; b < nloc; b++) {
				size_t k = (size_t)a * L + (size_t)b;

				d[k] = lz_route_problem_distance(p, pr, a, b);
				t[k] = lz_route_problem_duration(p, pr, a, b) /
				       sfac[s];
			}
		}
		m->rdist[s] = intern(m, d);
		m->time[s] = intern(m, t);
		m->dist[s] = m->rdist[s];
		if (cm) {
			double *c = xcalloc(LL, sizeof(double));

			for (int a = 0; a < nloc; a++)
				for (int b = 0; b < nloc; b++)
					if (a != b)
						c[(size_t)a * L +
						  (size_t)b] = cm
							[(size_t)a *
								 (size_t)nloc +
							 (size_t)b];
			m->dist[s] = intern(m, c);
		}
	}
}

static bool
same_vehicle(const struct route_model *m, int a, int b)
{
	const struct lz_route_vehicle *va = &m->p->vehs[a],
				      *vb = &m->p->vehs[b];
	int D = m->D;

	if (m->vstart[a] != m->vstart[b] || m->vend[a] != m->vend[b] ||
	    m->vs[a] != m->vs[b] || m->ve[a] != m->ve[b] ||
	    m->vsk[a] != m->vsk[b] || m->vprof[a] != m->vprof[b] ||
	    m->vfix[a] != m->vfix[b] || m->vcpd[a] != m->vcpd[b] ||
	    m->vcpt[a] != m->vcpt[b] || m->vmaxdur[a] != m->vmaxdur[b] ||
	    m->vmaxdist[a] != m->vmaxdist[b] ||
	    m->vmaxrdist[a] != m->vmaxrdist[b] ||
	    m->vmaxtt[a] != m->vmaxtt[b] ||
	    m->vmaxtasks[a] != m->vmaxtasks[b] || va->nbreaks != vb->nbreaks)
		return false;
	for (int k = 0; k < va->nbreaks; k++)
		if (memcmp(&va->breaks[k], &vb->breaks[k],
			   sizeof(va->breaks[k])) != 0)
			return false;
	for (int d = 0; d < D; d++)
		if (m->cap[a * D + d] != m->cap[b * D + d])
			return false;
	return true;
}

static void
build_breaks(struct route_model *m, const struct lz_route_problem *p)
{
	int nb = 0, ntw = 0, D = m->D;

	for (int v = 0; v < p->nveh; v++)
		nb += p->vehs[v].nbreaks;
	m->nbrk = nb;
	m->vnb = xcalloc((size_t)(p->nveh > 0 ? p->nveh : 1), sizeof(int));
	m->vbrk = xcalloc((size_t)(p->nveh > 0 ? p->nveh : 1), sizeof(int));
	m->bsvc = xcalloc((size_t)nb + 1, sizeof(double));
	m->btw_off = xcalloc((size_t)nb + 1, sizeof(int));
	m->btw_cnt = xcalloc((size_t)nb + 1, sizeof(int));
	m->btws = xcalloc(((size_t)nb + 1) * LZ_ROUTE_MAX_TW, sizeof(double));
	m->btwe = xcalloc(((size_t)nb + 1) * LZ_ROUTE_MAX_TW, sizeof(double));
	m->bmax = xcalloc(((size_t)nb + 1) * (size_t)D, sizeof(int64_t));
	nb = 0;
	for (int v = 0; v < p->nveh; v++) {
		const struct lz_route_vehicle *veh = &p->vehs[v];

		m->vnb[v] = veh->nbreaks;
		m->vbrk[v] = nb;
		for (int k = 0; k < veh->nbreaks; k++, nb++) {
			const struct lz_route_break *b = &veh->breaks[k];

			m->bsvc[nb] = b->service;
			m->btw_off[nb] = ntw;
			m->btw_cnt[nb] = b->ntw;
			for (int w = 0; w < b->ntw; w++, ntw++) {
				m->btws[ntw] = b->tw[w].start;
				m->btwe[ntw] = b->tw[w].end;
			}
			for (int d = 0; d < D; d++)
				m->bmax[nb * D + d] = b->has_max_load
							      ? b->max_load[d]
							      : INT64_MAX;
		}
	}
}

static void
build_vehicles(struct route_model *m, const struct lz_route_problem *p,
	       const int *place, const int *vslot)
{
	int nv = p->nveh, D = m->D;

	m->nv = nv;
	m->vstart = xcalloc((size_t)nv, sizeof(int));
	m->vend = xcalloc((size_t)nv, sizeof(int));
	m->vs = xcalloc((size_t)nv, sizeof(double));
	m->ve = xcalloc((size_t)nv, sizeof(double));
	m->cap = xcalloc((size_t)nv * (size_t)D, sizeof(int64_t));
	m->vsk = xcalloc((size_t)nv, sizeof(uint64_t));
	m->vprof = xcalloc((size_t)nv, sizeof(int));
	m->vfix = xcalloc((size_t)nv, sizeof(double));
	m->vfix0 = xcalloc((size_t)nv, sizeof(double));
	m->vcpd = xcalloc((size_t)nv, sizeof(double));
	m->vcpt = xcalloc((size_t)nv, sizeof(double));
	m->vmaxdur = xcalloc((size_t)nv, sizeof(double));
	m->vmaxdist = xcalloc((size_t)nv, sizeof(double));
	m->vmaxrdist = xcalloc((size_t)nv, sizeof(double));
	m->vmaxtt = xcalloc((size_t)nv, sizeof(double));
	m->vmaxtasks = xcalloc((size_t)nv, sizeof(int));
	m->vclass = xcalloc((size_t)nv, sizeof(int));
	m->vslow = xcalloc((size_t)nv, sizeof(int));
	build_breaks(m, p);
	for (int v = 0; v < nv; v++) {
		const struct lz_route_vehicle *veh = &p->vehs[v];
		bool costm;

		m->vstart[v] =
			veh->start >= 0 ? place[veh->start] : m->nloc_dummy;
		m->vend[v] = veh->end >= 0 ? place[veh->end] : m->nloc_dummy;
		m->vs[v] = veh->shift.start;
		m->ve[v] = veh->shift.end;
		for (int d = 0; d < D; d++)
			m->cap[v * D + d] = veh->capacity[d];
		m->vsk[v] = veh->skills;
		m->vprof[v] = vslot[v];
		costm = p->mat_cost[veh->profile] != NULL;
		m->vfix[v] = m->vfix0[v] = veh->cost_fixed;
		m->vcpd[v] = costm ? 1.0 : veh->cost_per_km / 1000.0;
		m->vcpt[v] = costm ? 0.0 : veh->cost_per_hour / 3600.0;
		m->vmaxdur[v] = veh->max_duration;
		/* with a cost matrix, dist is a cost: the range is checked
		 * on the real distance, in full evaluations */
		m->vmaxdist[v] = costm ? LZ_ROUTE_INF : veh->max_distance;
		m->vmaxrdist[v] = costm ? veh->max_distance : LZ_ROUTE_INF;
		m->vmaxtt[v] = veh->max_travel_time;
		m->vmaxtasks[v] =
			veh->max_tasks >= 0 ? veh->max_tasks : INT_MAX;
		m->vslow[v] = veh->max_duration < LZ_ROUTE_INF ||
			      m->vmaxrdist[v] < LZ_ROUTE_INF ||
			      veh->max_travel_time < LZ_ROUTE_INF ||
			      veh->max_tasks >= 0 || veh->nbreaks > 0;
		m->vclass[v] = v;
		for (int w = 0; w < v; w++) {
			if (same_vehicle(m, v, w)) {
				m->vclass[v] = m->vclass[w];
				break;
			}
		}
	}
}

static void
build_nodes(struct route_model *m, const struct lz_route_problem *p,
	    const int *place)
{
	int nn = node_count(p), D = m->D, ntws = 0, u = 0;
	size_t nnD = (size_t)nn * (size_t)D;

	m->nn = nn;
	m->loc = xcalloc((size_t)nn, sizeof(int));
	m->oloc = xcalloc((size_t)nn, sizeof(int));
	m->svc = xcalloc((size_t)nn, sizeof(double));
	m->setup = xcalloc((size_t)nn, sizeof(double));
	m->rel = xcalloc((size_t)nn, sizeof(double));
	m->tw_off = xcalloc((size_t)nn, sizeof(int));
	m->tw_cnt = xcalloc((size_t)nn, sizeof(int));
	m->tws = xcalloc((size_t)nn * LZ_ROUTE_MAX_TW, sizeof(double));
	m->twe = xcalloc((size_t)nn * LZ_ROUTE_MAX_TW, sizeof(double));
	m->tw_first = xcalloc((size_t)nn, sizeof(double));
	m->tw_last = xcalloc((size_t)nn, sizeof(double));
	m->dlv = xcalloc(nnD, sizeof(int64_t));
	m->net = xcalloc(nnD, sizeof(int64_t));
	m->skills = xcalloc((size_t)nn, sizeof(uint64_t));
	m->pair = xcalloc((size_t)nn, sizeof(int));
	m->task = xcalloc((size_t)nn, sizeof(int));

	m->nt = p->njobs + p->nship;
	m->ta = xcalloc((size_t)m->nt, sizeof(int));
	m->tb = xcalloc((size_t)m->nt, sizeof(int));
	m->tship = xcalloc((size_t)m->nt, sizeof(int));
	m->tindex = xcalloc((size_t)m->nt, sizeof(int));
	m->tprio = xcalloc((size_t)m->nt, sizeof(int));
	m->tpen = xcalloc((size_t)m->nt, sizeof(double));
	m->tsize = xcalloc((size_t)m->nt, sizeof(double));
	m->tfar = xcalloc((size_t)m->nt, sizeof(double));
	m->ttwl = xcalloc((size_t)m->nt, sizeof(double));
	m->treason = xcalloc((size_t)m->nt, sizeof(int));

	for (int i = 0; i < p->njobs; i++, u++) {
		const struct lz_route_job *j = &p->jobs[i];

		m->loc[u] = place[j->location];
		m->oloc[u] = j->location;
		m->svc[u] = j->service;
		m->setup[u] = j->setup;
		m->rel[u] = j->release > 0 ? j->release : -TIME_INF;
		m->has_setup |= j->setup > 0;
		m->has_release |= j->release > 0;
		add_windows(m, u, j->ntw, j->tw, 0, &ntws);
		for (int d = 0; d < D; d++) {
			m->dlv[u * D + d] = j->delivery[d];
			m->net[u * D + d] = j->pickup[d] - j->delivery[d];
			m->tsize[i] += (double)(j->pickup[d] + j->delivery[d]);
		}
		m->skills[u] = j->skills;
		m->pair[u] = -1;
		m->task[u] = i;
		m->ta[i] = u;
		m->tb[i] = -1;
		m->tindex[i] = i;
		m->tprio[i] = j->priority;
	}
	for (int i = 0; i < p->nship; i++) {
		const struct lz_route_shipment *s = &p->ships[i];
		int t = p->njobs + i, a = u++, b = u++;

		m->loc[a] = place[s->pickup.location];
		m->oloc[a] = s->pickup.location;
		m->svc[a] = s->pickup.service;
		m->setup[a] = s->pickup.setup;
		m->rel[a] = -TIME_INF;
		if (!add_windows(m, a, s->pickup.ntw, s->pickup.tw,
				 s->pickup.release, &ntws))
			m->treason[t] = LZ_ROUTE_REASON_RELEASE;
		m->loc[b] = place[s->delivery.location];
		m->oloc[b] = s->delivery.location;
		m->svc[b] = s->delivery.service;
		m->setup[b] = s->delivery.setup;
		m->rel[b] = -TIME_INF;
		m->has_setup |= s->pickup.setup > 0 || s->delivery.setup > 0;
		add_windows(m, b, s->delivery.ntw, s->delivery.tw, 0, &ntws);
		for (int d = 0; d < D; d++) {
			m->net[a * D + d] = s->amount[d];
			m->net[b * D + d] = -s->amount[d];
			m->tsize[t] += 2.0 * (double)s->amount[d];
		}
		m->skills[a] = m->skills[b] = s->skills;
		m->pair[a] = b;
		m->pair[b] = a;
		m->task[a] = m->task[b] = t;
		m->ta[t] = a;
		m->tb[t] = b;
		m->tship[t] = 1;
		m->tindex[t] = i;
		m->tprio[t] = s->priority;
	}
}

/* Cost of leaving a task out: more than any route serving it could cost,
 * so that serving every servable task always wins, and more again for
 * higher priorities. */
static void
build_penalties(struct route_model *m, enum lz_route_objective objective)
{
	double maxd = 0, maxt = 0, maxfix = 0, maxcpd = 0, maxcpt = 0;
	size_t LL = (size_t)m->L * (size_t)m->L;

	for (int pr = 0; pr < m->nslot; pr++) {
		for (size_t k = 0; k < LL; k++) {
			if (m->dist[pr][k] > maxd)
				maxd = m->dist[pr][k];
			if (m->time[pr][k] > maxt)
				maxt = m->time[pr][k];
		}
	}
	for (int v = 0; v < m->nv; v++) {
		maxfix = fmax(maxfix, m->vfix[v]);
		maxcpd = fmax(maxcpd, m->vcpd[v]);
		maxcpt = fmax(maxcpt, m->vcpt[v]);
	}
	if (objective == LZ_ROUTE_OBJECTIVE_VEHICLES) {
		/* each vehicle used weighs more than every leg of every
		 * route together: one vehicle less always wins */
		double w = (double)(m->nn + m->nv + 1) *
				   (maxcpd * maxd + maxcpt * maxt) +
			   maxfix * m->nv + 1.0;

		for (int v = 0; v < m->nv; v++)
			m->vfix[v] += w;
		maxfix += w;
	}
	double big = 4.0 * (maxcpd * maxd + maxcpt * maxt) + maxfix + 1.0;

	for (int t = 0; t < m->nt; t++) {
		m->tpen[t] = big * (1.0 + m->tprio[t]);
		m->tfar[t] = m->nv > 0 ? rm_dist(m, 0, m->vstart[0],
						 m->loc[m->ta[t]])
				       : 0;
		m->ttwl[t] = m->twe[m->tw_off[m->ta[t]]];
	}
}

static void
build_neighbours(struct route_model *m)
{
	int nn = m->nn;
	struct keyed *k = xcalloc((size_t)(nn > 0 ? nn : 1), sizeof(*k));
	double sum = 0;
	long cnt = 0;

	m->K = nn - 1 < GRAN_K ? nn - 1 : GRAN_K;
	m->adjK = nn - 1 < ADJ_K ? nn - 1 : ADJ_K;
	if (m->K < 0)
		m->K = 0;
	if (m->adjK < 0)
		m->adjK = 0;
	m->gran = xcalloc((size_t)nn * (size_t)(m->K + 1), sizeof(int));
	m->adj = xcalloc((size_t)nn * (size_t)(m->adjK + 1), sizeof(int));
	for (int u = 0; u < nn; u++) {
		int c = 0;

		for (int v = 0; v < nn; v++) {
			if (v == u)
				continue;
			k[c].key = rm_dist(m, 0, m->loc[u], m->loc[v]);
			k[c++].idx = v;
		}
		smallest_k(k, c, m->adjK > m->K ? m->adjK : m->K);
		for (int i = 0; i < m->adjK; i++)
			m->adj[u * m->adjK + i] = k[i].idx;
		for (int i = 0; i < m->K && i < c; i++) {
			sum += k[i].key;
			cnt++;
		}
		/* Granular lists: distance plus the waiting or lateness the
		 * pair of windows implies (Vidal et al. 2013). */
		c = 0;
		for (int v = 0; v < nn; v++) {
			if (v == u)
				continue;
			double d = rm_dist(m, 0, m->loc[u], m->loc[v]);
			double t = rm_time(m, 0, m->loc[u], m->loc[v]);
			double busy = m->setup[u] + m->svc[u];
			double wait = m->tw_first[v] - busy - t - m->tw_last[u];
			double late = m->tw_first[u] + busy + t - m->tw_last[v];

			if (m->tw_last[u] >= TIME_INF / 2)
				wait = 0;
			k[c].key = d + 0.2 * fmax(0, wait) + fmax(0, late);
			k[c++].idx = v;
		}
		smallest_k(k, c, m->K);
		for (int i = 0; i < m->K; i++)
			m->gran[u * m->K + i] = k[i].idx;
	}
	m->edge_mean = cnt ? sum / (double)cnt : 1.0;
	if (!(m->edge_mean > 0))
		m->edge_mean = 1.0;
	free(k);
}

int
route_model_init(struct route_model *m, const struct lz_route_problem *p,
		 enum lz_route_objective objective)
{
	int nloc = route_problem_nloc(p), rc, *place, *vslot, *sprof;
	double *sfac;

	memset(m, 0, sizeof(*m));
	m->p = p;
	m->D = p->ndims;
	if (nloc < 1)
		return LZ_ROUTE_EINVAL;
	if (p->metric == LZ_ROUTE_METRIC_MATRIX &&
	    p->mat_dist[LZ_ROUTE_PROFILE_VAN] == NULL)
		return LZ_ROUTE_EINVAL;
	if (p->cost_n != 0 && p->cost_n != nloc)
		return LZ_ROUTE_EINVAL;
	rc = check_locations(p, nloc);
	if (rc)
		return rc;
	m->nloc_dummy = nloc;
	m->L = nloc + 1;
	vslot = xcalloc((size_t)p->nveh + 1, sizeof(int));
	sprof = xcalloc((size_t)p->nveh + 1, sizeof(int));
	sfac = xcalloc((size_t)p->nveh + 1, sizeof(double));
	sfac[0] = 1.0;
	for (int v = 0; v < p->nveh; v++)
		vslot[v] = slot_of(p, sprof, sfac, &m->nslot, v);
	if (m->nslot == 0)
		m->nslot = 1; /* van at speed factor 1 */
	build_matrices(m, p, nloc, sprof, sfac);
	free(sprof);
	free(sfac);
	for (int pr = 0; pr < m->nslot; pr++) {
		m->dist_sym[pr] = 1;
		for (int a = 0; a < m->L && m->dist_sym[pr]; a++)
			for (int b = 0; b < a; b++)
				if (rm_dist(m, pr, a, b) !=
				    rm_dist(m, pr, b, a)) {
					m->dist_sym[pr] = 0;
					break;
				}
	}
	place = build_places(p, nloc);
	build_vehicles(m, p, place, vslot);
	free(vslot);
	build_nodes(m, p, place);
	free(place);
	build_penalties(m, objective);
	build_neighbours(m);
	return 0;
}

void
route_model_release(struct route_model *m)
{
	for (int k = 0; k < m->nown; k++)
		free(m->own[k]);
	free(m->own);
	free(m->dist);
	free(m->rdist);
	free(m->time);
	free(m->dist_sym);
	free(m->vfix0);
	free(m->vmaxrdist);
	free(m->vmaxtt);
	free(m->vmaxtasks);
	free(m->vnb);
	free(m->vbrk);
	free(m->bsvc);
	free(m->btw_off);
	free(m->btw_cnt);
	free(m->btws);
	free(m->btwe);
	free(m->bmax);
	free(m->loc);
	free(m->oloc);
	free(m->svc);
	free(m->setup);
	free(m->rel);
	free(m->tw_off);
	free(m->tw_cnt);
	free(m->tws);
	free(m->twe);
	free(m->tw_first);
	free(m->tw_last);
	free(m->dlv);
	free(m->net);
	free(m->skills);
	free(m->pair);
	free(m->task);
	free(m->ta);
	free(m->tb);
	free(m->tship);
	free(m->tindex);
	free(m->tprio);
	free(m->tpen);
	free(m->tsize);
	free(m->tfar);
	free(m->ttwl);
	free(m->treason);
	free(m->vstart);
	free(m->vend);
	free(m->vs);
	free(m->ve);
	free(m->cap);
	free(m->vsk);
	free(m->vprof);
	free(m->vfix);
	free(m->vcpd);
	free(m->vcpt);
	free(m->vmaxdur);
	free(m->vmaxdist);
	free(m->vclass);
	free(m->vslow);
	free(m->gran);
	free(m->adj);
	memset(m, 0, sizeof(*m));
}

/* Start of break b when ready at t: TIME_INF if every window closed. */
static double
brk_start(const struct route_model *m, int b, double t)
{
	int o = m->btw_off[b], c = m->btw_cnt[b];

	for (int w = 0; w < c; w++)
		if (t <= m->btwe[o + w])
			return t > m->btws[o + w] ? t : m->btws[o + w];
	return TIME_INF;
}

static bool
brk_load_ok(const struct route_model *m, int b, const int64_t *load)
{
	for (int d = 0; d < m->D; d++)
		if (load[d] > m->bmax[b * m->D + d])
			return false;
	return true;
}

double
route_breaks(const struct route_model *m, int v, const int *seq, int n,
	     double dep, int *plan)
{
	int nb = m->vnb[v], b0 = m->vbrk[v], D = m->D, prof = m->vprof[v];
	int loc = m->vstart[v], W = nb + 1;
	double t[LZ_ROUTE_MAX_BREAKS + 1], end;
	int64_t load[LZ_ROUTE_MAX_DIMS] = {0};
	unsigned char *rec = NULL; /* (gap, phase, j): state j reached by
				      taking break j - 1 there */

	for (int k = 0; k < n; k++)
		for (int d = 0; d < D; d++)
			load[d] += m->dlv[seq[k] * D + d];
	t[0] = dep;
	for (int j = 1; j <= nb; j++)
		t[j] = TIME_INF;
	if (plan)
		rec = xcalloc((size_t)(n + 1) * 2 * (size_t)W, 1);
	for (int g = 0; g <= n; g++) {
		int next = g < n ? m->loc[seq[g]] : m->vend[v], u;

		for (int ph = 0; ph < 2; ph++) {
			if (ph == 1) {
				double tr = rm_time(m, prof, loc, next);

				for (int j = 0; j <= nb; j++)
					if (t[j] < TIME_INF)
						t[j] += tr;
			}
			for (int j = 0; j < nb; j++) {
				double x;

				if (t[j] >= TIME_INF ||
				    !brk_load_ok(m, b0 + j, load))
					continue;
				x = brk_start(m, b0 + j, t[j]);
				if (x >= TIME_INF)
					continue;
				x += m->bsvc[b0 + j];
				if (x < t[j + 1]) {
					t[j + 1] = x;
					if (rec)
						rec[((size_t)g * 2 +
						     (size_t)ph) *
							    (size_t)W +
						    (size_t)j + 1] = 1;
				}
			}
		}
		if (g == n)
			break;
		u = seq[g];
		for (int j = 0; j <= nb; j++) {
			double b;

			if (t[j] >= TIME_INF)
				continue;
			b = rm_tw_start(m, u, t[j]);
			t[j] = b >= TIME_INF
				       ? TIME_INF
				       : b + rm_setup(m, loc, u) + m->svc[u];
		}
		for (int d = 0; d < D; d++)
			load[d] += m->net[u * D + d];
		loc = m->loc[u];
	}
	end = t[nb];
	if (rec && end < TIME_INF) {
		int j = nb;

		for (int pt = 2 * n + 1; pt >= 0 && j > 0; pt--)
			while (j > 0 &&
			       rec[(size_t)pt * (size_t)W + (size_t)j]) {
				plan[j - 1] = pt;
				j--;
			}
	}
	free(rec);
	return end;
}

int
route_eval_seq(const struct route_model *m, int v, const int *seq, int n,
	       int *mark, int flags, struct route_eval *ev)
{
	int D = m->D, prof = m->vprof[v], rc = LZ_ROUTE_REASON_NONE;
	int64_t load[LZ_ROUTE_MAX_DIMS];
	double t, dist = 0, tt = 0, wait_sum = 0, slack = TIME_INF, dep;
	double rdist = 0;
	int loc = m->vstart[v];

	memset(ev, 0, sizeof(*ev));
	if (n > m->vmaxtasks[v])
		return LZ_ROUTE_REASON_MAX_TASKS;
	for (int d = 0; d < D; d++)
		load[d] = 0;
	for (int k = 0; k < n; k++) {
		int u = seq[k];

		if (m->skills[u] & ~m->vsk[v])
			return LZ_ROUTE_REASON_SKILLS;
		for (int d = 0; d < D; d++)
			load[d] += m->dlv[u * D + d];
	}
	/* Capacity at the start, then after every stop. */
	for (int d = 0; d < D; d++) {
		if (load[d] > m->cap[v * D + d])
			return LZ_ROUTE_REASON_CAPACITY;
	}
	for (int k = 0; k < n; k++) {
		int u = seq[k];

		for (int d = 0; d < D; d++) {
			load[d] += m->net[u * D + d];
			if (load[d] > m->cap[v * D + d])
				return LZ_ROUTE_REASON_CAPACITY;
		}
	}
	/* Shipments: both ends here, pickup first.  mark[pickup] is 1 once
	 * seen, 2 once delivered; cleared before returning. */
	for (int k = 0; k < n; k++) {
		int u = seq[k], w = m->pair[u];

		if (w < 0)
			continue;
		if (m->ta[m->task[u]] == u)
			mark[u] = 1;
		else if (mark[w] != 1)
			rc = LZ_ROUTE_REASON_TIME_WINDOW;
		else
			mark[w] = 2;
	}
	for (int k = 0; k < n; k++) {
		int u = seq[k];

		if (m->pair[u] >= 0 && m->ta[m->task[u]] == u) {
			if (mark[u] != 2)
				rc = LZ_ROUTE_REASON_TIME_WINDOW;
			mark[u] = 0;
		}
	}
	if (rc)
		return rc;
	/* the route leaves once the goods of all its jobs are there */
	dep = m->vs[v];
	if (m->has_release && !(flags & ROUTE_EVAL_NO_RELEASE))
		for (int k = 0; k < n; k++)
			dep = fmax(dep, m->rel[seq[k]]);
	t = dep;
	for (int k = 0; k < n; k++) {
		int u = seq[k], l = m->loc[u];
		double tr = rm_time(m, prof, loc, l), a, b;

		dist += rm_dist(m, prof, loc, l);
		rdist += rm_rdist(m, prof, loc, l);
		tt += tr;
		a = t + tr;
		b = rm_tw_start(m, u, a);
		if (b >= TIME_INF)
			return LZ_ROUTE_REASON_TIME_WINDOW;
		wait_sum += b - a;
		/* how much later the route could leave without missing
		 * this window (Savelsbergh's forward time slack) */
		for (int w = 0; w < m->tw_cnt[u]; w++) {
			int o = m->tw_off[u] + w;

			if (b >= m->tws[o] && b <= m->twe[o]) {
				slack = fmin(slack, wait_sum + m->twe[o] - b);
				break;
			}
		}
		t = b + rm_setup(m, loc, u) + m->svc[u];
		loc = l;
	}
	{
		double tr = rm_time(m, prof, loc, m->vend[v]);

		dist += rm_dist(m, prof, loc, m->vend[v]);
		rdist += rm_rdist(m, prof, loc, m->vend[v]);
		tt += tr;
		t += tr;
	}
	if (t > m->ve[v])
		return LZ_ROUTE_REASON_TIME_WINDOW;
	if (dist > m->vmaxdist[v] || rdist > m->vmaxrdist[v])
		return LZ_ROUTE_REASON_MAX_DISTANCE;
	if (tt > m->vmaxtt[v])
		return LZ_ROUTE_REASON_MAX_TRAVEL_TIME;
	slack = fmax(0, fmin(slack, wait_sum));
	ev->duration = t - dep - slack;
	if (m->vnb[v] > 0 && n > 0) {
		/* leave later only if the breaks still end the route as
		 * early (fill_route does the same) */
		double e0 = route_breaks(m, v, seq, n, dep, NULL), e1;

		if (e0 > m->ve[v])
			return LZ_ROUTE_REASON_BREAK;
		e1 = slack > 0 ? route_breaks(m, v, seq, n, dep + slack, NULL)
			       : TIME_INF;
		ev->duration = e1 <= e0 + 1e-9 ? e1 - dep - slack : e0 - dep;
	}
	if (ev->duration > m->vmaxdur[v])
		return LZ_ROUTE_REASON_MAX_DURATION;
	ev->dist = dist;
	ev->ttime = tt;
	ev->cost = n > 0 ? m->vfix[v] + m->vcpd[v] * dist + m->vcpt[v] * tt : 0;
	return LZ_ROUTE_REASON_NONE;
}
