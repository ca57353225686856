/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_model.c -- compile a problem into the solver's arrays; full route
 * evaluation; neighbour lists.  See route_model.h.
 */
#include "route_model.h"

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

static bool
same_speed(const struct lz_route_problem *p, int a, int b)
{
	return p->speed_urban[a] == p->speed_urban[b] &&
	       p->speed_road[a] == p->speed_road[b] &&
	       p->urban_dist[a] == p->urban_dist[b];
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

static void
build_matrices(struct route_model *m, const struct lz_route_problem *p,
	       int nloc)
{
	size_t L = (size_t)m->L;
	bool shared = true;

	/* Profiles with the same speed model and no matrix of their own share
	 * one table, and so does time with distance at speed 1. */
	for (int pr = 0; pr < LZ_ROUTE_PROFILES; pr++) {
		bool same_as_van = pr > 0 && same_speed(p, pr, 0) &&
				   (p->metric != LZ_ROUTE_METRIC_MATRIX ||
				    p->mat_dist[pr] == NULL);

		if (same_as_van) {
			m->dist[pr] = m->dist[0];
			m->time[pr] = m->time[0];
			continue;
		}
		m->dist[pr] = xcalloc(L * L, sizeof(double));
		for (int a = 0; a < nloc; a++)
			for (int b = 0; b < nloc; b++)
				m->dist[pr][(size_t)a * L + (size_t)b] =
					lz_route_problem_distance(
						p, (enum lz_route_profile)pr, a,
						b);
		shared = p->speed_urban[pr] == 1.0 &&
			 p->urban_dist[pr] >= LZ_ROUTE_INF &&
			 (p->metric != LZ_ROUTE_METRIC_MATRIX ||
			  p->mat_dur[pr] == NULL);
		if (shared) {
			m->time[pr] = m->dist[pr];
			continue;
		}
		m->time[pr] = xcalloc(L * L, sizeof(double));
		for (int a = 0; a < nloc; a++)
			for (int b = 0; b < nloc; b++)
				m->time[pr][(size_t)a * L + (size_t)b] =
					lz_route_problem_duration(
						p, (enum lz_route_profile)pr, a,
						b);
	}
}

static bool
same_vehicle(const struct route_model *m, int a, int b)
{
	int D = m->D;

	if (m->vstart[a] != m->vstart[b] || m->vend[a] != m->vend[b] ||
	    m->vs[a] != m->vs[b] || m->ve[a] != m->ve[b] ||
	    m->vsk[a] != m->vsk[b] || m->vprof[a] != m->vprof[b] ||
	    m->vfix[a] != m->vfix[b] || m->vcpd[a] != m->vcpd[b] ||
	    m->vcpt[a] != m->vcpt[b] || m->vmaxdur[a] != m->vmaxdur[b] ||
	    m->vmaxdist[a] != m->vmaxdist[b])
		return false;
	for (int d = 0; d < D; d++)
		if (m->cap[a * D + d] != m->cap[b * D + d])
			return false;
	return true;
}

static void
build_vehicles(struct route_model *m, const struct lz_route_problem *p,
	       const int *place)
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
	m->vcpd = xcalloc((size_t)nv, sizeof(double));
	m->vcpt = xcalloc((size_t)nv, sizeof(double));
	m->vmaxdur = xcalloc((size_t)nv, sizeof(double));
	m->vmaxdist = xcalloc((size_t)nv, sizeof(double));
	m->vclass = xcalloc((size_t)nv, sizeof(int));
	m->vslow = xcalloc((size_t)nv, sizeof(int));
	for (int v = 0; v < nv; v++) {
		const struct lz_route_vehicle *veh = &p->vehs[v];

		m->vstart[v] =
			veh->start >= 0 ? place[veh->start] : m->nloc_dummy;
		m->vend[v] = veh->end >= 0 ? place[veh->end] : m->nloc_dummy;
		m->vs[v] = veh->shift.start;
		m->ve[v] = veh->shift.end;
		for (int d = 0; d < D; d++)
			m->cap[v * D + d] = veh->capacity[d];
		m->vsk[v] = veh->skills;
		m->vprof[v] = (int)veh->profile;
		m->vfix[v] = veh->cost_fixed;
		m->vcpd[v] = veh->cost_per_km / 1000.0;
		m->vcpt[v] = veh->cost_per_hour / 3600.0;
		m->vmaxdur[v] = veh->max_duration;
		m->vmaxdist[v] = veh->max_distance;
		m->vslow[v] = veh->max_duration < LZ_ROUTE_INF;
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
build_penalties(struct route_model *m)
{
	double maxd = 0, maxt = 0, maxfix = 0, maxcpd = 0, maxcpt = 0;
	size_t LL = (size_t)m->L * (size_t)m->L;

	for (int pr = 0; pr < LZ_ROUTE_PROFILES; pr++) {
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
route_model_init(struct route_model *m, const struct lz_route_problem *p)
{
	int nloc = route_problem_nloc(p), rc, *place;

	memset(m, 0, sizeof(*m));
	m->p = p;
	m->D = p->ndims;
	if (nloc < 1)
		return LZ_ROUTE_EINVAL;
	if (p->metric == LZ_ROUTE_METRIC_MATRIX &&
	    p->mat_dist[LZ_ROUTE_PROFILE_VAN] == NULL)
		return LZ_ROUTE_EINVAL;
	rc = check_locations(p, nloc);
	if (rc)
		return rc;
	m->nloc_dummy = nloc;
	m->L = nloc + 1;
	build_matrices(m, p, nloc);
	for (int pr = 0; pr < LZ_ROUTE_PROFILES; pr++) {
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
	build_vehicles(m, p, place);
	build_nodes(m, p, place);
	free(place);
	build_penalties(m);
	build_neighbours(m);
	return 0;
}

void
route_model_release(struct route_model *m)
{
	for (int pr = LZ_ROUTE_PROFILES - 1; pr >= 0; pr--) {
		bool dist_shared = false, time_shared = false;

		for (int q = 0; q < pr; q++) {
			dist_shared |= m->dist[pr] == m->dist[q];
			time_shared |= m->time[pr] == m->time[q];
		}
		if (!time_shared && m->time[pr] != m->dist[pr])
			free(m->time[pr]);
		if (!dist_shared)
			free(m->dist[pr]);
	}
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

int
route_eval_seq(const struct route_model *m, int v, const int *seq, int n,
	       int *mark, int flags, struct route_eval *ev)
{
	int D = m->D, prof = m->vprof[v], rc = LZ_ROUTE_REASON_NONE;
	int64_t load[LZ_ROUTE_MAX_DIMS];
	double t, dist = 0, tt = 0, wait_sum = 0, slack = TIME_INF, dep;
	int loc = m->vstart[v];

	memset(ev, 0, sizeof(*ev));
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
		tt += tr;
		t += tr;
	}
	if (t > m->ve[v])
		return LZ_ROUTE_REASON_TIME_WINDOW;
	if (dist > m->vmaxdist[v])
		return LZ_ROUTE_REASON_MAX_DISTANCE;
	slack = fmin(slack, wait_sum);
	ev->duration = t - dep - fmax(0, slack);
	if (ev->duration > m->vmaxdur[v])
		return LZ_ROUTE_REASON_MAX_DURATION;
	ev->dist = dist;
	ev->ttime = tt;
	ev->cost = n > 0 ? m->vfix[v] + m->vcpd[v] * dist + m->vcpt[v] * tt : 0;
	return LZ_ROUTE_REASON_NONE;
}
