/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_solve.c -- the search: greedy cheapest-insertion construction,
 * then ruin-and-recreate with string removals (SISR: Christiaens & Vanden
 * Berghe, "Slack Induction by String Removals for Vehicle Routing
 * Problems", Transportation Science 2020) under simulated annealing, with a
 * granular local search (relocate, swap, or-opt, cross-exchange, 2-opt,
 * 2-opt*): a light version on every candidate, the full one on every new
 * best solution.
 *
 * Each route caches, per position, the earliest departure, the latest
 * feasible arrival, cumulated distance and travel time, and load prefix /
 * suffix maxima, so that inserting a stop or splicing segments of two
 * routes is checked in time proportional to the number of stops moved
 * (the concatenation idea of Savelsbergh 1992 and Vidal et al. 2013).
 * Routes with shipments or a maximum duration are evaluated in full.
 *
 * Setups: a stop's setup depends on its predecessor's location, so the
 * backward caches keep the latest start of service too (lsv), from which
 * the latest arrival under the other predecessor is derived (lat_at).
 * Releases: the earliest departure of a route is max(shift start, its
 * jobs' releases); a move that would change it is evaluated in full, as
 * every time after the start moves with it.
 */
#include "route_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lz_util.h"

/* SISR parameters (the paper's, except the temperatures, which are scaled
 * by the mean distance between neighbouring stops). */
#define SISR_CBAR 10.0  /* mean removed stops */
#define SISR_LMAX 10.0  /* max string length */
#define SISR_SPLIT 0.5  /* probability of a split string */
#define SISR_DEPTH 0.01 /* split depth */
#define SISR_BLINK 0.01 /* blink rate */
#define LITE_K 4        /* neighbours per stop in the light descent */
#define SA_T0 1.0       /* x mean neighbour distance */
#define SA_TF 0.04
#define EPS 1e-7

struct route {
	int veh, n, cap;
	int nship; /* shipment stops on the route */
	int *nd;   /* node at position; 0 and n+1 are the vehicle's ends */
	int *loc;
	double *edep; /* earliest departure (arrival at the end position);
			 edep[0]: the route's earliest departure */
	double *lat;  /* latest arrival keeping the rest feasible */
	double *lsv;  /* latest start of service (after setup), when the
			 problem has setups */
	double *rpre, *rsuf; /* max job release over 1..k and k..n, when the
				problem has releases */
	double *cdist, *ctime;
	int64_t *cum;   /* (n+2) x D: net load change up to position */
	int64_t *pm;    /* max(0, cum[0..k]) */
	int64_t *sm;    /* max cum[k..n+1] */
	int64_t *dpre;  /* from-depot deliveries up to position */
	uint64_t *skor; /* skills required from position on */
	double dist, ttime, cost;
	uint64_t stamp;
	int dirty;      /* changed since the last local search */
	int dirty_full; /* changed since the last full local search */
};

struct sol {
	struct route *r;
	int *wr, *wp; /* node -> route, position (-1: unassigned) */
	int *un;      /* unassigned tasks (servable ones) */
	int nun;
	double cost;
};

struct solver {
	struct route_model *m;
	uint64_t rng;
	uint64_t stamp;
	struct sol cur, best;
	struct route *bak;
	int *touched, ntouched;
	char *is_touched;
	int *un_bak, nun_bak;
	int *buf1, *buf2, *mid1, *mid2, *mark;
	int *tasks, *tmark;
	double *col; /* a column of a distance matrix */
	int lite;    /* cheap local search inside iterations */
	int *queue, qhead, qtail;
	char *active;
	char *ruined;
	int nservable;
	int64_t deadline, t0;
	double T;
};

/* ---- random numbers (splitmix64) ---- */

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static int
rng_int(uint64_t *s, int n)
{
	return n > 0 ? (int)(rng_next(s) % (uint64_t)n) : 0;
}

/* ---- routes ---- */

static void
route_reserve(struct route *R, int D, int n)
{
	size_t c;

	if (n + 2 <= R->cap)
		return;
	R->cap = n + 2 > 2 * R->cap ? n + 2 : 2 * R->cap;
	c = (size_t)R->cap;
	R->nd = xrealloc(R->nd, c * sizeof(int));
	R->loc = xrealloc(R->loc, c * sizeof(int));
	R->edep = xrealloc(R->edep, c * sizeof(double));
	R->lat = xrealloc(R->lat, c * sizeof(double));
	R->lsv = xrealloc(R->lsv, c * sizeof(double));
	R->rpre = xrealloc(R->rpre, c * sizeof(double));
	R->rsuf = xrealloc(R->rsuf, c * sizeof(double));
	R->cdist = xrealloc(R->cdist, c * sizeof(double));
	R->ctime = xrealloc(R->ctime, c * sizeof(double));
	R->cum = xrealloc(R->cum, c * (size_t)D * sizeof(int64_t));
	R->pm = xrealloc(R->pm, c * (size_t)D * sizeof(int64_t));
	R->sm = xrealloc(R->sm, c * (size_t)D * sizeof(int64_t));
	R->dpre = xrealloc(R->dpre, c * (size_t)D * sizeof(int64_t));
	R->skor = xrealloc(R->skor, c * sizeof(uint64_t));
}

static void
route_free(struct route *R)
{
	free(R->nd);
	free(R->loc);
	free(R->edep);
	free(R->lat);
	free(R->lsv);
	free(R->rpre);
	free(R->rsuf);
	free(R->cdist);
	free(R->ctime);
	free(R->cum);
	free(R->pm);
	free(R->sm);
	free(R->dpre);
	free(R->skor);
}

static void
route_copy(struct route *dst, const struct route *src,
	   const struct route_model *m)
{
	int D = m->D;
	size_t n = (size_t)src->n + 2, nD = n * (size_t)D;

	route_reserve(dst, D, src->n);
	dst->veh = src->veh;
	dst->n = src->n;
	dst->nship = src->nship;
	dst->dist = src->dist;
	dst->ttime = src->ttime;
	dst->cost = src->cost;
	dst->stamp = src->stamp;
	dst->dirty = src->dirty;
	dst->dirty_full = src->dirty_full;
	memcpy(dst->nd, src->nd, n * sizeof(int));
	memcpy(dst->loc, src->loc, n * sizeof(int));
	memcpy(dst->edep, src->edep, n * sizeof(double));
	memcpy(dst->lat, src->lat, n * sizeof(double));
	if (m->has_setup)
		memcpy(dst->lsv, src->lsv, n * sizeof(double));
	if (m->has_release) {
		memcpy(dst->rpre, src->rpre, n * sizeof(double));
		memcpy(dst->rsuf, src->rsuf, n * sizeof(double));
	}
	memcpy(dst->cdist, src->cdist, n * sizeof(double));
	memcpy(dst->ctime, src->ctime, n * sizeof(double));
	memcpy(dst->cum, src->cum, nD * sizeof(int64_t));
	memcpy(dst->pm, src->pm, nD * sizeof(int64_t));
	memcpy(dst->sm, src->sm, nD * sizeof(int64_t));
	memcpy(dst->dpre, src->dpre, nD * sizeof(int64_t));
	memcpy(dst->skor, src->skor, n * sizeof(uint64_t));
}

/* Recompute every cache of route r of s from its node sequence.  The
 * hottest loop of the search, hence the local copies of pointers. */
static void
route_update_span(struct solver *S, struct sol *s, int r, int fwd, int bwd)
{
	const struct route_model *m = S->m;
	struct route *R = &s->r[r];
	const int v = R->veh, n = R->n, D = m->D, prof = m->vprof[v];
	const double *restrict dm = m->dist[prof], *restrict tm = m->time[prof];
	const size_t L = (size_t)m->L;
	const int *restrict mloc = m->loc, *restrict pair = m->pair;
	const double *restrict svc = m->svc, *restrict setup = m->setup;
	const int hs = m->has_setup;
	const int *restrict twcnt = m->tw_cnt, *restrict twoff = m->tw_off;
	const double *restrict tws = m->tws, *restrict twe = m->twe;
	const int64_t *restrict net = m->net, *restrict dlv = m->dlv;
	const uint64_t *restrict sk = m->skills;
	int *restrict nd = R->nd, *restrict loc = R->loc;
	double *restrict edep = R->edep, *restrict lat = R->lat;
	double *restrict cdist = R->cdist, *restrict ctime = R->ctime;
	int64_t *restrict cum = R->cum, *restrict pm = R->pm;
	int64_t *restrict sm = R->sm, *restrict dpre = R->dpre;
	uint64_t *restrict skor = R->skor;
	int *restrict wr = s->wr, *restrict wp = s->wp;
	int nship = 0;

	nd[0] = nd[n + 1] = -1;
	loc[0] = m->vstart[v];
	loc[n + 1] = m->vend[v];
	if (m->has_release) {
		double *restrict rpre = R->rpre, *restrict rsuf = R->rsuf;
		const double *restrict rel = m->rel;
		double dep;

		rpre[0] = rsuf[n + 1] = -TIME_INF;
		for (int k = 1; k <= n; k++)
			rpre[k] = fmax(rpre[k - 1], rel[nd[k]]);
		rpre[n + 1] = rpre[n];
		for (int k = n; k >= 1; k--)
			rsuf[k] = fmax(rsuf[k + 1], rel[nd[k]]);
		rsuf[0] = rsuf[1];
		/* a new departure moves every time after it */
		dep = fmax(m->vs[v], rpre[n]);
		if (fwd > 1 && dep != edep[0])
			fwd = 1;
		edep[0] = dep;
	} else {
		edep[0] = m->vs[v];
	}
	cdist[0] = ctime[0] = 0;
	for (int d = 0; d < D; d++)
		cum[d] = pm[d] = dpre[d] = 0;
	for (int k = fwd; k <= n; k++) {
		int u = nd[k], l = mloc[u], lp = loc[k - 1];
		double tr = tm[(size_t)lp * L + (size_t)l],
		       a = edep[k - 1] + tr;
		double b;

		loc[k] = l;
		cdist[k] = cdist[k - 1] + dm[(size_t)lp * L + (size_t)l];
		ctime[k] = ctime[k - 1] + tr;
		if (twcnt[u] == 1) {
			b = a < tws[twoff[u]] ? tws[twoff[u]] : a;
		} else {
			b = rm_tw_start(m, u, a);
			if (b >=
			    TIME_INF) /* cannot happen in a kept solution */
				b = a;
		}
		edep[k] = (hs && l != lp ? b + setup[u] : b) + svc[u];
		for (int d = 0; d < D; d++) {
			int64_t c = cum[(k - 1) * D + d] + net[u * D + d];
			int64_t pp = pm[(k - 1) * D + d];

			cum[k * D + d] = c;
			pm[k * D + d] = c > pp ? c : pp;
			dpre[k * D + d] =
				dpre[(k - 1) * D + d] + dlv[u * D + d];
		}
		nship += pair[u] >= 0;
		wr[u] = r;
		wp[u] = k;
	}
	{
		int k = n + 1, lp = loc[n], l = loc[n + 1];
		double tr = tm[(size_t)lp * L + (size_t)l];

		cdist[k] = cdist[n] + dm[(size_t)lp * L + (size_t)l];
		ctime[k] = ctime[n] + tr;
		edep[k] = edep[n] + tr;
		for (int d = 0; d < D; d++) {
			cum[k * D + d] = cum[n * D + d];
			pm[k * D + d] = pm[n * D + d];
			dpre[k * D + d] = dpre[n * D + d];
			sm[k * D + d] = cum[k * D + d];
		}
	}
	if (bwd >= n) {
		bwd = n;
		lat[n + 1] = m->ve[v];
		skor[n + 1] = 0;
	}
	for (int k = bwd; k >= 0; k--) {
		int u = nd[k];
		double x = lat[k + 1] -
			   tm[(size_t)loc[k] * L + (size_t)loc[k + 1]];

		if (k > 0) {
			x -= svc[u];
			if (hs) {
				R->lsv[k] = x;
				if (loc[k - 1] != loc[k])
					x -= setup[u];
			}
			if (twcnt[u] == 1 && x >= tws[twoff[u]])
				lat[k] = x < twe[twoff[u]] ? x : twe[twoff[u]];
			else if (twcnt[u] == 1)
				lat[k] = -TIME_INF;
			else
				lat[k] = rm_tw_latest(m, u, x);
			skor[k] = skor[k + 1] | sk[u];
		} else {
			lat[k] = x;
			skor[k] = skor[k + 1];
		}
		for (int d = 0; d < D; d++) {
			int64_t c = cum[k * D + d], nx = sm[(k + 1) * D + d];

			sm[k * D + d] = c > nx ? c : nx;
		}
	}
	if (fwd <= 1)
		R->nship = nship;
	R->dist = cdist[n + 1];
	R->ttime = ctime[n + 1];
	R->cost = n > 0 ? m->vfix[v] + m->vcpd[v] * R->dist +
				  m->vcpt[v] * R->ttime
			: 0;
	R->stamp = ++S->stamp;
	R->dirty = 1;
	R->dirty_full = 1;
}

/* Recompute every cache of route r of s. */
static void
route_update(struct solver *S, struct sol *s, int r)
{
	route_update_span(S, s, r, 1, s->r[r].n);
}

static bool
route_fast(const struct solver *S, const struct route *R)
{
	return R->nship == 0 && !S->m->vslow[R->veh];
}

/* Latest arrival at position j of R (j >= 1) keeping the rest of R
 * feasible, when the stop before it is at location lp instead of R's: the
 * setup at j may come or go.  Only needed when the problem has setups. */
static double
lat_at(const struct route_model *m, const struct route *R, int j, int lp)
{
	int u, l;
	double x;

	if (j > R->n)
		return R->lat[j];
	u = R->nd[j];
	l = R->loc[j];
	if (m->setup[u] == 0 || (lp != l) == (R->loc[j - 1] != l))
		return R->lat[j];
	x = R->lsv[j];
	if (lp != l)
		x -= m->setup[u];
	return rm_tw_latest(m, u, x);
}

/* Cost of the route made of X[0..i] + mid[0..nm-1] + Y[j..Y->n+1] on X's
 * vehicle, or false if infeasible.  Y must be X or a route of an identical
 * vehicle, none of them may hold shipments or have a maximum duration, and
 * the splice must leave X's departure as it is (see splice_eval for the
 * general case).  hs: the problem has setups; a constant in each of the two
 * copies below, the hottest code of the search. */
static inline __attribute__((always_inline)) bool
splice_fast_tmpl(const struct solver *S, const struct route *X, int i,
		 const int *mid, int nm, const struct route *Y, int j,
		 double *cost, const bool hs)
{
	const struct route_model *m = S->m;
	int v = X->veh, D = m->D, prof = m->vprof[v], loc = X->loc[i];
	double t = X->edep[i], dist = X->cdist[i], tt = X->ctime[i], tr;
	int64_t cum[LZ_ROUTE_MAX_DIMS], mx[LZ_ROUTE_MAX_DIMS],
		ds[LZ_ROUTE_MAX_DIMS];
	uint64_t vsk = m->vsk[v];
	int ly = Y->loc[j];

	for (int d = 0; d < D; d++) {
		cum[d] = X->cum[i * D + d];
		mx[d] = X->pm[i * D + d];
		ds[d] = X->dpre[i * D + d];
	}
	for (int k = 0; k < nm; k++) {
		int u = mid[k], l = m->loc[u];

		if (m->skills[u] & ~vsk)
			return false;
		tr = rm_time(m, prof, loc, l);
		t += tr;
		if (t > m->tw_last[u])
			return false;
		if (m->tw_cnt[u] == 1) {
			if (t < m->tw_first[u])
				t = m->tw_first[u];
		} else {
			t = rm_tw_start(m, u, t);
		}
		if (hs && l != loc)
			t += m->setup[u];
		t += m->svc[u];
		dist += rm_dist(m, prof, loc, l);
		tt += tr;
		loc = l;
		for (int d = 0; d < D; d++) {
			cum[d] += m->net[u * D + d];
			if (cum[d] > mx[d])
				mx[d] = cum[d];
			ds[d] += m->dlv[u * D + d];
		}
	}
	tr = rm_time(m, prof, loc, ly);
	if (t + tr > (hs ? lat_at(m, Y, j, loc) : Y->lat[j]))
		return false;
	if (Y->skor[j] & ~vsk)
		return false;
	dist += rm_dist(m, prof, loc, ly) + Y->dist - Y->cdist[j];
	tt += tr + Y->ttime - Y->ctime[j];
	for (int d = 0; d < D; d++) {
		int64_t base = cum[d] - Y->cum[(j - 1) * D + d];
		int64_t smax = Y->sm[j * D + d] + base;

		if (smax > mx[d])
			mx[d] = smax;
		ds[d] += Y->dpre[(Y->n + 1) * D + d] - Y->dpre[(j - 1) * D + d];
		if (ds[d] + mx[d] > m->cap[v * D + d])
			return false;
	}
	if (dist > m->vmaxdist[v])
		return false;
	*cost = (i > 0 || nm > 0 || j <= Y->n)
			? m->vfix[v] + m->vcpd[v] * dist + m->vcpt[v] * tt
			: 0;
	return true;
}

static bool
splice_fast(const struct solver *S, const struct route *X, int i,
	    const int *mid, int nm, const struct route *Y, int j, double *cost)
{
	return splice_fast_tmpl(S, X, i, mid, nm, Y, j, cost, false);
}

static bool
splice_fast_setup(const struct solver *S, const struct route *X, int i,
		  const int *mid, int nm, const struct route *Y, int j,
		  double *cost)
{
	return splice_fast_tmpl(S, X, i, mid, nm, Y, j, cost, true);
}

static int
splice_build(int *buf, const struct route *X, int i, const int *mid, int nm,
	     const struct route *Y, int j)
{
	int n = 0;

	for (int k = 1; k <= i; k++)
		buf[n++] = X->nd[k];
	for (int k = 0; k < nm; k++)
		buf[n++] = mid[k];
	for (int k = j; k <= Y->n; k++)
		buf[n++] = Y->nd[k];
	return n;
}

/* Whether the spliced route would leave its start at another time than X
 * does (the releases of its jobs differ in maximum from X's): then X's
 * forward caches do not apply. */
static bool
departure_moves(const struct route_model *m, const struct route *X, int i,
		const int *mid, int nm, const struct route *Y, int j)
{
	double r = fmax(X->rpre[i], Y->rsuf[j]);

	for (int k = 0; k < nm; k++)
		r = fmax(r, m->rel[mid[k]]);
	return fmax(m->vs[X->veh], r) != X->edep[0];
}

/* splice_fast for any pair of routes: fast path when it applies, else a
 * full evaluation of the spliced sequence. */
static bool
splice_eval(struct solver *S, const struct route *X, int i, const int *mid,
	    int nm, const struct route *Y, int j, double *cost)
{
	const struct route_model *m = S->m;
	struct route_eval ev;
	int n;

	if (route_fast(S, X) && route_fast(S, Y) &&
	    m->vclass[X->veh] == m->vclass[Y->veh]) {
		bool ship = false;

		for (int k = 0; k < nm && !ship; k++)
			ship = m->pair[mid[k]] >= 0;
		if (!ship && !m->has_setup && !m->has_release)
			return splice_fast(S, X, i, mid, nm, Y, j, cost);
		if (!ship && !(m->has_release &&
			       departure_moves(m, X, i, mid, nm, Y, j)))
			return splice_fast_setup(S, X, i, mid, nm, Y, j, cost);
	}
	n = splice_build(S->buf1, X, i, mid, nm, Y, j);
	if (route_eval_seq(m, X->veh, S->buf1, n, S->mark, 0, &ev))
		return false;
	*cost = ev.cost;
	return true;
}

/* ---- solutions ---- */

static void
sol_init(struct solver *S, struct sol *s)
{
	const struct route_model *m = S->m;

	s->r = xcalloc((size_t)(m->nv > 0 ? m->nv : 1), sizeof(*s->r));
	s->wr = xcalloc((size_t)(m->nn > 0 ? m->nn : 1), sizeof(int));
	s->wp = xcalloc((size_t)(m->nn > 0 ? m->nn : 1), sizeof(int));
	s->un = xcalloc((size_t)(m->nt > 0 ? m->nt : 1), sizeof(int));
	for (int u = 0; u < m->nn; u++)
		s->wr[u] = s->wp[u] = -1;
	for (int v = 0; v < m->nv; v++) {
		s->r[v].veh = v;
		route_reserve(&s->r[v], m->D, 8);
		route_update(S, s, v);
	}
}

static void
sol_release(struct solver *S, struct sol *s)
{
	for (int v = 0; v < S->m->nv; v++)
		route_free(&s->r[v]);
	free(s->r);
	free(s->wr);
	free(s->wp);
	free(s->un);
}

static double
sol_cost(const struct solver *S, const struct sol *s)
{
	double c = 0;

	for (int v = 0; v < S->m->nv; v++)
		c += s->r[v].cost;
	for (int k = 0; k < s->nun; k++)
		c += S->m->tpen[s->un[k]];
	return c;
}

/* Copy the routes of src that differ from dst (by stamp). */
static void
sol_copy(struct solver *S, struct sol *dst, const struct sol *src)
{
	const struct route_model *m = S->m;

	for (int v = 0; v < m->nv; v++) {
		if (dst->r[v].stamp == src->r[v].stamp)
			continue;
		route_copy(&dst->r[v], &src->r[v], m);
		for (int k = 1; k <= dst->r[v].n; k++) {
			dst->wr[dst->r[v].nd[k]] = v;
			dst->wp[dst->r[v].nd[k]] = k;
		}
	}
	memcpy(dst->un, src->un, (size_t)src->nun * sizeof(int));
	dst->nun = src->nun;
	for (int k = 0; k < dst->nun; k++) {
		int t = dst->un[k];

		dst->wr[m->ta[t]] = -1;
		if (m->tb[t] >= 0)
			dst->wr[m->tb[t]] = -1;
	}
	dst->cost = src->cost;
}

/* Save route r of cur before the current iteration first modifies it. */
static void
touch(struct solver *S, int r)
{
	if (S->is_touched[r])
		return;
	S->is_touched[r] = 1;
	S->touched[S->ntouched++] = r;
	route_copy(&S->bak[r], &S->cur.r[r], S->m);
}

static void
iter_begin(struct solver *S)
{
	for (int k = 0; k < S->ntouched; k++)
		S->is_touched[S->touched[k]] = 0;
	S->ntouched = 0;
	memcpy(S->un_bak, S->cur.un, (size_t)S->cur.nun * sizeof(int));
	S->nun_bak = S->cur.nun;
}

static void
iter_rollback(struct solver *S)
{
	const struct route_model *m = S->m;
	struct sol *s = &S->cur;

	for (int k = 0; k < S->ntouched; k++) {
		int r = S->touched[k];

		route_copy(&s->r[r], &S->bak[r], m);
		for (int q = 1; q <= s->r[r].n; q++) {
			s->wr[s->r[r].nd[q]] = r;
			s->wp[s->r[r].nd[q]] = q;
		}
	}
	memcpy(s->un, S->un_bak, (size_t)S->nun_bak * sizeof(int));
	s->nun = S->nun_bak;
	for (int k = 0; k < s->nun; k++) {
		int t = s->un[k];

		s->wr[m->ta[t]] = -1;
		if (m->tb[t] >= 0)
			s->wr[m->tb[t]] = -1;
	}
}

/* ---- insertion ---- */

struct ins {
	double delta;
	int r, i, j; /* route; insert after position i (shipment delivery
			after position j >= i of the original route) */
};

/* Whether one-stop task u fits after position i of R, as far as R's caches
 * tell: windows and setups, range (dd: the added distance), capacity.  Out
 * of best_insert_job's loop, which most positions leave on cost alone. */
static bool
job_fits(const struct route_model *m, const struct route *R, int i, int u,
	 double dd)
{
	int v = R->veh, D = m->D, prof = m->vprof[v], lu = m->loc[u];
	int li = R->loc[i], lj = R->loc[i + 1];
	double t = R->edep[i] + rm_time(m, prof, li, lu);

	if (t > m->tw_last[u])
		return false;
	t = m->tw_cnt[u] == 1 ? (t < m->tw_first[u] ? m->tw_first[u] : t)
			      : rm_tw_start(m, u, t);
	if (m->has_setup && li != lu)
		t += m->setup[u];
	if (t + m->svc[u] + rm_time(m, prof, lu, lj) >
	    (m->has_setup ? lat_at(m, R, i + 1, lu) : R->lat[i + 1]))
		return false;
	if (R->dist + dd > m->vmaxdist[v])
		return false;
	for (int d = 0; d < D; d++) {
		int64_t n = m->net[u * D + d];
		int64_t mx = R->pm[i * D + d];
		int64_t a = R->cum[i * D + d] + n;
		int64_t b = R->sm[(i + 1) * D + d] + n;

		if (a > mx)
			mx = a;
		if (b > mx)
			mx = b;
		if (R->dpre[(R->n + 1) * D + d] + m->dlv[u * D + d] + mx >
		    m->cap[v * D + d])
			return false;
	}
	return true;
}

/* Best insertion of a one-stop task u into route R (cost delta), with
 * blinks: each position is skipped with probability blink. */
static void
best_insert_job(struct solver *S, const struct route *R, int r, int u,
		double blink, struct ins *best)
{
	const struct route_model *m = S->m;
	int v = R->veh, D = m->D, prof = m->vprof[v], lu = m->loc[u];
	double fix = R->n == 0 ? m->vfix[v] : 0, cpd = m->vcpd[v],
	       cpt = m->vcpt[v];
	/* u's release would move the route's departure: job_fits still
	 * rejects what cannot work (times only get later), then a full
	 * evaluation decides */
	bool full = m->vslow[v] || m->rel[u] > R->edep[0];

	if (m->skills[u] & ~m->vsk[v])
		return;
	for (int d = 0; d < D; d++)
		if (R->dpre[(R->n + 1) * D + d] + m->dlv[u * D + d] >
		    m->cap[v * D + d])
			return;
	const double *restrict dm = m->dist[prof], *restrict tm = m->time[prof];
	const double *restrict cdist = R->cdist, *restrict ctime = R->ctime;
	const int *restrict rloc = R->loc;
	const size_t L = (size_t)m->L;
	/* from u's point of view: column (x -> u) and row (u -> x), both
	 * small enough to stay in cache, unlike the matrix */
	const double *restrict drow = dm + (size_t)lu * L;
	const double *restrict dcol = drow;

	if (!m->dist_sym[prof]) {
		for (size_t x = 0; x < L; x++)
			S->col[x] = dm[x * L + (size_t)lu];
		dcol = S->col;
	}

	for (int i = 0; i <= R->n; i++) {
		int li = rloc[i], lj = rloc[i + 1];
		double dd = dcol[li] + drow[lj] - (cdist[i + 1] - cdist[i]);
		double delta = fix + cpd * dd;

		if (cpt > 0)
			delta += cpt * (tm[(size_t)li * L + (size_t)lu] +
					tm[(size_t)lu * L + (size_t)lj] -
					(ctime[i + 1] - ctime[i]));
		if (delta >= best->delta)
			continue;
		if (blink > 0 && rng_unit(&S->rng) < blink)
			continue;
		if (!job_fits(m, R, i, u, dd))
			continue;
		if (full) {
			double c;
			int mid[1] = {u};

			if (!splice_eval(S, R, i, mid, 1, R, i + 1, &c))
				continue;
			delta = c - R->cost;
			if (delta >= best->delta)
				continue;
		}
		best->delta = delta;
		best->r = r;
		best->i = i;
		best->j = i;
	}
}

/* Best insertion of shipment (a, b) into R: pickup after position i,
 * delivery after position j >= i.  Walks j forward from each i, carrying
 * the schedule and the load (raised by the amount between the two stops),
 * so a route costs O(n^2); vehicles with a maximum duration take the full
 * evaluation per candidate instead. */
static void
best_insert_pair(struct solver *S, const struct route *R, int r, int a, int b,
		 double blink, struct ins *best)
{
	const struct route_model *m = S->m;
	int v = R->veh, D = m->D, prof = m->vprof[v], n = R->n;
	int la = m->loc[a], lb = m->loc[b], *mid = S->mid1, hs = m->has_setup;
	double fix = n == 0 ? m->vfix[v] : 0, cpd = m->vcpd[v],
	       cpt = m->vcpt[v];
	const int64_t *cap = &m->cap[v * D], *amt = &m->net[a * D];
	const int64_t *dtot = &R->dpre[(n + 1) * D];

	if ((m->skills[a] | m->skills[b]) & ~m->vsk[v])
		return;
	for (int d = 0; d < D; d++)
		if (dtot[d] + amt[d] > cap[d])
			return;
	for (int i = 0; i <= n; i++) {
		double t, dist, tt;
		int64_t mx[LZ_ROUTE_MAX_DIMS];
		int prev = la, nm = 0;
		bool ok = true;

		if (m->vslow[v]) {
			mid[nm++] = a;
			for (int j = i; j <= n; j++) {
				double c;

				if (j > i)
					mid[nm++] = R->nd[j];
				mid[nm] = b;
				if (blink > 0 && rng_unit(&S->rng) < blink)
					continue;
				if (!splice_eval(S, R, i, mid, nm + 1, R, j + 1,
						 &c) ||
				    c - R->cost >= best->delta)
					continue;
				best->delta = c - R->cost;
				best->r = r;
				best->i = i;
				best->j = j;
			}
			continue;
		}
		t = R->edep[i] + rm_time(m, prof, R->loc[i], la);
		t = rm_tw_start(m, a, t);
		if (t >= TIME_INF)
			continue;
		if (hs && R->loc[i] != la)
			t += m->setup[a];
		t += m->svc[a];
		dist = R->cdist[i] + rm_dist(m, prof, R->loc[i], la);
		tt = R->ctime[i] + rm_time(m, prof, R->loc[i], la);
		for (int d = 0; d < D; d++) {
			int64_t c = R->cum[i * D + d] + amt[d];

			mx[d] = c > R->pm[i * D + d] ? c : R->pm[i * D + d];
		}
		for (int j = i; j <= n && ok; j++) {
			double tb, delta, nd, nt;
			int lj = R->loc[j + 1];

			if (j > i) { /* carry the amount through stop j */
				int u = R->nd[j], lu = R->loc[j];
				double tr = rm_time(m, prof, prev, lu);

				t += tr;
				/* later j only worse */
				if (t > (hs && j == i + 1
						 ? lat_at(m, R, j, prev)
						 : R->lat[j]))
					break;
				t = rm_tw_start(m, u, t);
				if (hs && prev != lu)
					t += m->setup[u];
				t += m->svc[u];
				dist += rm_dist(m, prof, prev, lu);
				tt += tr;
				prev = lu;
				for (int d = 0; d < D; d++) {
					int64_t c = R->cum[j * D + d] + amt[d];

					if (dtot[d] + c > cap[d])
						ok = false;
					if (c > mx[d])
						mx[d] = c;
				}
				if (!ok)
					break;
			}
			tb = rm_tw_start(m, b, t + rm_time(m, prof, prev, lb));
			if (tb >= TIME_INF)
				continue;
			if (hs && prev != lb)
				tb += m->setup[b];
			if (tb + m->svc[b] + rm_time(m, prof, lb, lj) >
			    (hs ? lat_at(m, R, j + 1, lb) : R->lat[j + 1]))
				continue;
			nd = dist + rm_dist(m, prof, prev, lb) +
			     rm_dist(m, prof, lb, lj) + R->dist -
			     R->cdist[j + 1];
			nt = tt + rm_time(m, prof, prev, lb) +
			     rm_time(m, prof, lb, lj) + R->ttime -
			     R->ctime[j + 1];
			delta = fix + cpd * (nd - R->dist) +
				cpt * (nt - R->ttime);
			if (delta >= best->delta || nd > m->vmaxdist[v])
				continue;
			for (int d = 0; d < D; d++) {
				int64_t hi = mx[d] > R->sm[(j + 1) * D + d]
						     ? mx[d]
						     : R->sm[(j + 1) * D + d];

				if (dtot[d] + hi > cap[d])
					delta = TIME_INF;
			}
			if (delta >= best->delta)
				continue;
			if (blink > 0 && rng_unit(&S->rng) < blink)
				continue;
			best->delta = delta;
			best->r = r;
			best->i = i;
			best->j = j;
		}
	}
}

static void
apply_insert(struct solver *S, struct sol *s, int t, const struct ins *in)
{
	const struct route_model *m = S->m;
	struct route *R = &s->r[in->r];
	int a = m->ta[t], b = m->tb[t], n = R->n;

	route_reserve(R, m->D, n + 2);
	if (b < 0) {
		/* Only what changes: forward caches from the new stop on,
		 * backward caches up to it; the suffix's backward caches
		 * move one place (its loads rise by a's net change). */
		int q = in->i + 1, D = m->D;
		size_t cnt = (size_t)(n + 2 - q);

		memmove(&R->nd[q + 1], &R->nd[q],
			(size_t)(n - in->i) * sizeof(int));
		R->nd[q] = a;
		memmove(&R->lat[q + 1], &R->lat[q], cnt * sizeof(double));
		if (m->has_setup)
			memmove(&R->lsv[q + 1], &R->lsv[q],
				cnt * sizeof(double));
		memmove(&R->skor[q + 1], &R->skor[q], cnt * sizeof(uint64_t));
		memmove(&R->sm[(q + 1) * D], &R->sm[q * D],
			cnt * (size_t)D * sizeof(int64_t));
		for (int k = q + 1; k <= n + 2; k++)
			for (int d = 0; d < D; d++)
				R->sm[k * D + d] += m->net[a * D + d];
		R->n = n + 1;
		/* the stop after the new one may gain or lose its setup */
		route_update_span(S, s, in->r, q, m->has_setup ? q + 1 : q);
		return;
	} else {
		/* delivery after old position j, then pickup after i */
		memmove(&R->nd[in->j + 2], &R->nd[in->j + 1],
			(size_t)(n - in->j) * sizeof(int));
		R->nd[in->j + 1] = b;
		memmove(&R->nd[in->i + 2], &R->nd[in->i + 1],
			(size_t)(n + 1 - in->i) * sizeof(int));
		R->nd[in->i + 1] = a;
		R->n = n + 2;
	}
	route_update(S, s, in->r);
}

struct sortkey {
	int prio;
	double key;
	int t;
};

static int
sortkey_cmp(const void *x, const void *y)
{
	const struct sortkey *a = x, *b = y;

	if (a->prio != b->prio)
		return b->prio - a->prio;
	if (a->key < b->key)
		return -1;
	if (a->key > b->key)
		return 1;
	return a->t - b->t;
}

/* Insert tasks[0..n-1] into cur, each at its best position (with
 * blinks); those that fit nowhere go to cur.un.  Order as in SISR: random,
 * demand, far or close, with weights 4, 4, 2, 1; plus by window end. */
static void
recreate(struct solver *S, int *tasks, int n, double blink)
{
	const struct route_model *m = S->m;
	struct sol *s = &S->cur;
	struct sortkey *k = xmalloc(sizeof(*k) * (size_t)(n > 0 ? n : 1));
	int pick = rng_int(&S->rng, 13);
	int *seen = S->mid2; /* per class: empty route already tried */

	for (int q = 0; q < n; q++) {
		int t = tasks[q];

		k[q].prio = m->tprio[t];
		k[q].t = t;
		if (pick < 4)
			k[q].key = rng_unit(&S->rng);
		else if (pick < 8)
			k[q].key = -m->tsize[t];
		else if (pick < 10)
			k[q].key = -m->tfar[t];
		else if (pick < 11)
			k[q].key = m->tfar[t];
		else
			k[q].key = m->ttwl[t];
	}
	qsort(k, (size_t)n, sizeof(*k), sortkey_cmp);
	for (int q = 0; q < n; q++) {
		int t = k[q].t;
		struct ins in = {TIME_INF, -1, 0, 0};

		for (int v = 0; v < m->nv; v++)
			seen[m->vclass[v]] = 0;
		for (int r = 0; r < m->nv; r++) {
			const struct route *R = &s->r[r];

			if (R->n == 0) {
				if (seen[m->vclass[r]])
					continue;
				seen[m->vclass[r]] = 1;
			}
			if (m->tb[t] < 0)
				best_insert_job(S, R, r, m->ta[t], blink, &in);
			else
				best_insert_pair(S, R, r, m->ta[t], m->tb[t],
						 blink, &in);
		}
		if (in.r < 0) {
			s->un[s->nun++] = t;
			continue;
		}
		touch(S, in.r);
		apply_insert(S, s, t, &in);
	}
	free(k);
}

/* ---- ruin: adjacent string removal ---- */

static void
mark_task(struct solver *S, int u, int *ntasks)
{
	int t = S->m->task[u];

	if (S->tmark[t])
		return;
	S->tmark[t] = 1;
	S->tasks[(*ntasks)++] = t;
}

/* Take the marked tasks out of route r.  What is left is feasible when
 * travel times satisfy the triangle inequality, unless setups differ: a
 * stop whose predecessor at the same place went away pays its own setup
 * again and may then be late.  Such stops go too (marked, so that they are
 * reinserted), until the route is feasible. */
static void
remove_marked(struct solver *S, int r, int *ntasks)
{
	const struct route_model *m = S->m;
	struct sol *s = &S->cur;
	struct route *R = &s->r[r];
	int *gained = S->buf2;
	struct route_eval ev;

	touch(S, r);
	for (;;) {
		int n = 0, ng = 0, prev = R->loc[0];

		for (int k = 1; k <= R->n; k++) {
			int u = R->nd[k];

			if (S->tmark[m->task[u]] == 1) {
				s->wr[u] = -1;
				continue;
			}
			if (m->setup[u] > 0 && R->loc[k - 1] == m->loc[u] &&
			    prev != m->loc[u])
				gained[ng++] = u;
			R->nd[++n] = u;
			prev = m->loc[u];
		}
		R->n = n;
		route_update(S, s, r);
		if (ng == 0 || route_eval_seq(m, R->veh, &R->nd[1], n, S->mark,
					      0, &ev) == 0)
			return;
		for (int g = 0; g < ng; g++)
			mark_task(S, gained[g], ntasks);
	}
}

/* Remove about SISR_CBAR stops in strings from routes near a random seed
 * stop; returns the number of removed tasks, listed in S->tasks. */
static int
ruin(struct solver *S)
{
	const struct route_model *m = S->m;
	struct sol *s = &S->cur;
	int nonempty = 0, assigned = 0, ntasks = 0, nruined = 0, seed;
	double lsmax, ksmax;
	int ks;

	for (int r = 0; r < m->nv; r++) {
		if (s->r[r].n > 0) {
			nonempty++;
			assigned += s->r[r].n;
		}
	}
	if (assigned == 0)
		return 0;
	lsmax = fmin(SISR_LMAX, (double)assigned / nonempty);
	ksmax = 4.0 * SISR_CBAR / (1.0 + lsmax) - 1.0;
	ks = (int)(rng_unit(&S->rng) * ksmax) + 1;
	do
		seed = rng_int(&S->rng, m->nn);
	while (s->wr[seed] < 0);
	for (int q = -1; q < m->adjK && nruined < ks; q++) {
		int c = q < 0 ? seed : m->adj[seed * m->adjK + q];
		int r = s->wr[c], n, l, pc, start, len, keep = 0, kpos = 0;

		if (r < 0 || S->ruined[r])
			continue;
		n = s->r[r].n;
		pc = s->wp[c];
		l = (int)(rng_unit(&S->rng) * fmin(n, lsmax)) + 1;
		if (l > n)
			l = n;
		len = l;
		if (l < n && rng_unit(&S->rng) < SISR_SPLIT) {
			/* split string: keep `keep` stops in the middle */
			keep = 1;
			while (l + keep < n && rng_unit(&S->rng) > SISR_DEPTH)
				keep++;
			len = l + keep;
		}
		{
			int lo = pc - len + 1 > 1 ? pc - len + 1 : 1;
			int hi = pc < n - len + 1 ? pc : n - len + 1;

			start = lo + rng_int(&S->rng, hi - lo + 1);
		}
		if (keep)
			kpos = start + rng_int(&S->rng, l + 1);
		for (int k = start; k < start + len; k++) {
			int u = s->r[r].nd[k];

			if (keep && k >= kpos && k < kpos + keep)
				continue;
			mark_task(S, u, &ntasks);
			if (m->pair[u] >= 0)
				mark_task(S, m->pair[u], &ntasks);
		}
		S->ruined[r] = 1;
		nruined++;
		remove_marked(S, r, &ntasks);
	}
	for (int r = 0; r < m->nv; r++)
		S->ruined[r] = 0;
	for (int k = 0; k < ntasks; k++)
		S->tmark[S->tasks[k]] = 0;
	return ntasks;
}

/* ---- local search ---- */

/* Apply a two-route splice: r1 := X1[..i1] + mid1 + Y1[j1..], r2 likewise
 * (r2 < 0 for an intra-route move). */
static void
apply_splice(struct solver *S, struct sol *s, int r1, int i1, const int *m1,
	     int n1, int y1, int j1, int r2, int i2, const int *m2, int n2,
	     int y2, int j2)
{
	int D = S->m->D;
	int c1 = splice_build(S->buf1, &s->r[r1], i1, m1, n1, &s->r[y1], j1);

	if (s == &S->cur) { /* keep the iteration undoable */
		touch(S, r1);
		if (r2 >= 0)
			touch(S, r2);
	}
	int c2 = r2 >= 0 ? splice_build(S->buf2, &s->r[r2], i2, m2, n2,
					&s->r[y2], j2)
			 : 0;

	route_reserve(&s->r[r1], D, c1);
	memcpy(&s->r[r1].nd[1], S->buf1, (size_t)c1 * sizeof(int));
	s->r[r1].n = c1;
	if (r2 >= 0) {
		route_reserve(&s->r[r2], D, c2);
		memcpy(&s->r[r2].nd[1], S->buf2, (size_t)c2 * sizeof(int));
		s->r[r2].n = c2;
		route_update(S, s, r2);
	}
	route_update(S, s, r1);
}

static bool
ls_inter(struct solver *S, struct sol *s, int u, int v)
{
	int amax = S->lite ? 1 : 3, bmax = S->lite ? 1 : 3;
	int r1 = s->wr[u], p = s->wp[u], r2 = s->wr[v], q = s->wp[v];
	const struct route *A = &s->r[r1], *B = &s->r[r2];
	double base = A->cost + B->cost, c1, c2;
	int *ma = S->mid1, *mb = S->mid2;

	/* segment exchange: A[p..p+a-1] goes after v, B[q+1..q+b] takes
	 * its place (relocate, or-opt, swap-like, cross-exchange) */
	for (int a = 1; a <= amax && p + a - 1 <= A->n; a++) {
		for (int b = 0; b <= bmax && q + b <= B->n; b++) {
			for (int k = 0; k < a; k++)
				ma[k] = A->nd[p + k];
			for (int k = 0; k < b; k++)
				mb[k] = B->nd[q + 1 + k];
			if (!splice_eval(S, B, q, ma, a, B, q + b + 1, &c2))
				continue;
			if (c2 - B->cost >= base - A->cost)
				continue;
			if (!splice_eval(S, A, p - 1, mb, b, A, p + a, &c1))
				continue;
			if (c1 + c2 < base - EPS) {
				apply_splice(S, s, r1, p - 1, mb, b, r1, p + a,
					     r2, q, ma, a, r2, q + b + 1);
				return true;
			}
		}
	}
	/* the mirror: A[p-a+1..p] goes before v, B[q-b..q-1] takes its
	 * place */
	for (int a = 1; a <= amax && p - a + 1 >= 1; a++) {
		for (int b = 0; b <= bmax && q - b >= 1; b++) {
			for (int k = 0; k < a; k++)
				ma[k] = A->nd[p - a + 1 + k];
			for (int k = 0; k < b; k++)
				mb[k] = B->nd[q - b + k];
			if (!splice_eval(S, B, q - b - 1, ma, a, B, q, &c2))
				continue;
			if (c2 - B->cost >= base - A->cost)
				continue;
			if (!splice_eval(S, A, p - a, mb, b, A, p + 1, &c1))
				continue;
			if (c1 + c2 < base - EPS) {
				apply_splice(S, s, r1, p - a, mb, b, r1, p + 1,
					     r2, q - b - 1, ma, a, r2, q);
				return true;
			}
		}
	}
	/* 2-opt*: A[..p] + B[q..] and B[..q-1] + A[p+1..] */
	if (splice_eval(S, A, p, NULL, 0, B, q, &c1) &&
	    splice_eval(S, B, q - 1, NULL, 0, A, p + 1, &c2) &&
	    c1 + c2 < base - EPS) {
		apply_splice(S, s, r1, p, NULL, 0, r2, q, r2, q - 1, NULL, 0,
			     r1, p + 1);
		return true;
	}
	/* and A[..p-1] + B[q+1..], B[..q] + A[p..] */
	if (splice_eval(S, A, p - 1, NULL, 0, B, q + 1, &c1) &&
	    splice_eval(S, B, q, NULL, 0, A, p, &c2) && c1 + c2 < base - EPS) {
		apply_splice(S, s, r1, p - 1, NULL, 0, r2, q + 1, r2, q, NULL,
			     0, r1, p);
		return true;
	}
	return false;
}

static bool
ls_intra(struct solver *S, struct sol *s, int u, int v)
{
	int r = s->wr[u], p = s->wp[u], q = s->wp[v];
	const struct route *R = &s->r[r];
	int *mid = S->mid1, nm;
	double c;

	/* 2-opt: reverse the stops between u and v */
	{
		int i = p < q ? p : q, j = p < q ? q : p;

		if (j > i + 1) {
			nm = 0;
			for (int k = j; k > i; k--)
				mid[nm++] = R->nd[k];
			if (splice_eval(S, R, i, mid, nm, R, j + 1, &c) &&
			    c < R->cost - EPS) {
				apply_splice(S, s, r, i, mid, nm, r, j + 1, -1,
					     0, NULL, 0, 0, 0);
				return true;
			}
		}
	}
	/* or-opt: move R[p..p+a-1] after v */
	for (int a = 1; a <= 3 && p + a - 1 <= R->n; a++) {
		int i, j;

		if (q >= p - 1 && q <= p + a - 1)
			continue;
		nm = 0;
		if (q > p) {
			for (int k = p + a; k <= q; k++)
				mid[nm++] = R->nd[k];
			for (int k = 0; k < a; k++)
				mid[nm++] = R->nd[p + k];
			i = p - 1;
			j = q + 1;
		} else {
			for (int k = 0; k < a; k++)
				mid[nm++] = R->nd[p + k];
			for (int k = q + 1; k <= p - 1; k++)
				mid[nm++] = R->nd[k];
			i = q;
			j = p + a;
		}
		if (splice_eval(S, R, i, mid, nm, R, j, &c) &&
		    c < R->cost - EPS) {
			apply_splice(S, s, r, i, mid, nm, r, j, -1, 0, NULL, 0,
				     0, 0);
			return true;
		}
	}
	return false;
}

static bool
time_up(const struct solver *S)
{
	return S->deadline > 0 && lz_mono_us() >= S->deadline;
}

/* Queue the stops of route r for the local search. */
static void
ls_push_route(struct solver *S, const struct sol *s, int r)
{
	const struct route *R = &s->r[r];
	int nn = S->m->nn;

	for (int k = 1; k <= R->n; k++) {
		int u = R->nd[k];

		if (S->active[u])
			continue;
		S->active[u] = 1;
		S->queue[S->qtail++ % nn] = u;
	}
}

/* Descend to a local optimum of s (first improvement over the granular
 * neighbourhoods), or until the time limit.  Only stops of routes changed
 * since the last descent of the same kind (or all, if all) are examined at
 * first; a move queues the stops of the routes it changed.  With S->lite,
 * a cheap descent: LITE_K neighbours, segments of at most one stop. */
static void
local_search(struct solver *S, struct sol *s, bool all)
{
	const struct route_model *m = S->m;
	int nn = m->nn, count = 0;

	if (nn == 0)
		return;
	S->qhead = S->qtail = 0;
	for (int r = 0; r < m->nv; r++)
		if (all || (S->lite ? s->r[r].dirty : s->r[r].dirty_full))
			ls_push_route(S, s, r);
	/* random order at first, for diversity */
	for (int k = S->qtail - 1; k > 0; k--) {
		int j = rng_int(&S->rng, k + 1), x = S->queue[k];

		S->queue[k] = S->queue[j];
		S->queue[j] = x;
	}
	while (S->qhead < S->qtail) {
		int u = S->queue[S->qhead++ % nn];

		S->active[u] = 0;
		if (s->wr[u] < 0)
			continue;
		for (int g = 0; g < (S->lite ? LITE_K : m->K) && g < m->K;
		     g++) {
			int v = m->gran[u * m->K + g], r1 = s->wr[u],
			    r2 = s->wr[v];
			bool moved;

			if (r2 < 0 || r1 < 0)
				continue;
			if (r1 != r2)
				moved = ls_inter(S, s, u, v);
			else
				moved = ls_intra(S, s, u, v);
			if (moved) {
				ls_push_route(S, s, r1);
				ls_push_route(S, s, r2);
			}
		}
		if ((++count & 63) == 0 && time_up(S)) {
			for (; S->qhead < S->qtail; S->qhead++)
				S->active[S->queue[S->qhead % nn]] = 0;
			return;
		}
	}
	for (int r = 0; r < m->nv; r++) {
		s->r[r].dirty = 0;
		if (!S->lite)
			s->r[r].dirty_full = 0;
	}
}

/* ---- output ---- */

/* Break b of vehicle v as stop st, at location loc, when the vehicle is
 * ready there at *t; updates *t. */
static void
put_break(const struct route_model *m, int v, int b, int loc,
	  struct lz_route_stop *st, double dist, double *t)
{
	int bi = m->vbrk[v] + b, o = m->btw_off[bi];

	st->type = LZ_ROUTE_STOP_BREAK;
	st->index = b;
	st->location = loc;
	st->arrival = *t;
	st->start = *t;
	for (int w = 0; w < m->btw_cnt[bi]; w++) {
		if (*t <= m->btwe[o + w]) {
			st->start = fmax(*t, m->btws[o + w]);
			break;
		}
	}
	st->setup = 0;
	st->departure = st->start + m->bsvc[bi];
	st->distance = dist;
	*t = st->departure;
}

static void
fill_route(const struct solver *S, const struct route *R,
	   struct lz_route_route *out)
{
	const struct route_model *m = S->m;
	int v = R->veh, D = m->D, prof = m->vprof[v], n = R->n, nb = m->vnb[v];
	double t, wait = 0, slack = TIME_INF, shift, dist = 0, cdist = 0;
	int plan[LZ_ROUTE_MAX_BREAKS], b = 0, k = 0;
	struct lz_route_stop *st;
	const struct lz_route_problem *p = m->p;
	const struct lz_route_vehicle *veh = &p->vehs[v];

	/* leave as late as possible without arriving later at the end, and
	 * never before the route's earliest departure (its releases) */
	t = R->edep[0];
	for (int q = 1; q <= n; q++) {
		int u = R->nd[q];
		double a = t + rm_time(m, prof, R->loc[q - 1], R->loc[q]);
		double bb = rm_tw_start(m, u, a);

		wait += bb - a;
		for (int w = 0; w < m->tw_cnt[u]; w++) {
			int o = m->tw_off[u] + w;

			if (bb >= m->tws[o] && bb <= m->twe[o]) {
				slack = fmin(slack, wait + m->twe[o] - bb);
				break;
			}
		}
		t = bb + rm_setup(m, R->loc[q - 1], u) + m->svc[u];
	}
	shift = fmax(0, fmin(slack, wait) - 1e-6); /* rounding margin */
	if (nb > 0) {
		double e0 = route_breaks(m, v, &R->nd[1], n, R->edep[0], NULL);

		if (shift > 0 &&
		    route_breaks(m, v, &R->nd[1], n, R->edep[0] + shift, NULL) >
			    e0 + 1e-9)
			shift = 0;
		route_breaks(m, v, &R->nd[1], n, R->edep[0] + shift, plan);
	}

	out->vehicle = v;
	out->nstops = n + 2 + nb;
	out->stops = xcalloc((size_t)(n + 2 + nb), sizeof(*out->stops));
	st = out->stops;
	t = R->edep[0] + shift;
	st[0].type = LZ_ROUTE_STOP_START;
	st[0].index = -1;
	st[0].location = veh->start;
	st[0].arrival = st[0].start = st[0].departure = t;
	for (int d = 0; d < D; d++)
		st[0].load[d] = R->dpre[(n + 1) * D + d];
	out->service = out->setup = out->break_time = 0;
	for (int q = 1; q <= n + 1; q++) {
		int prevloc = q == 1 ? veh->start : m->oloc[R->nd[q - 1]];
		int nextloc = q > n ? veh->end : m->oloc[R->nd[q]];
		const int64_t *ld = st[k].load;

		/* breaks of gap q - 1, before the travel, then after */
		while (b < nb && plan[b] == 2 * (q - 1)) {
			k++;
			put_break(m, v, b, prevloc, &st[k], dist, &t);
			memcpy(st[k].load, ld, sizeof(st[k].load));
			out->break_time += m->bsvc[m->vbrk[v] + b];
			ld = st[k].load;
			b++;
		}
		t += rm_time(m, prof, R->loc[q - 1], R->loc[q]);
		dist += rm_rdist(m, prof, R->loc[q - 1], R->loc[q]);
		cdist += rm_dist(m, prof, R->loc[q - 1], R->loc[q]);
		while (b < nb && plan[b] == 2 * (q - 1) + 1) {
			k++;
			put_break(m, v, b, nextloc, &st[k], dist, &t);
			memcpy(st[k].load, ld, sizeof(st[k].load));
			out->break_time += m->bsvc[m->vbrk[v] + b];
			ld = st[k].load;
			b++;
		}
		k++;
		st[k].arrival = t;
		st[k].distance = dist;
		if (q > n) {
			st[k].type = LZ_ROUTE_STOP_END;
			st[k].index = -1;
			st[k].location = veh->end;
			st[k].start = st[k].departure = st[k].arrival;
		} else {
			int u = R->nd[q], tk = m->task[u];

			st[k].type = !m->tship[tk]    ? LZ_ROUTE_STOP_JOB
				     : m->ta[tk] == u ? LZ_ROUTE_STOP_PICKUP
						      : LZ_ROUTE_STOP_DELIVERY;
			st[k].index = m->tindex[tk];
			st[k].location = m->oloc[u];
			st[k].start = rm_tw_start(m, u, st[k].arrival);
			st[k].setup = rm_setup(m, R->loc[q - 1], u);
			st[k].departure = st[k].start + st[k].setup + m->svc[u];
			out->service += m->svc[u];
			out->setup += st[k].setup;
		}
		for (int d = 0; d < D; d++)
			st[k].load[d] = st[0].load[d] + R->cum[q * D + d];
		t = st[k].departure;
	}
	out->distance = dist;
	out->travel_time = R->ttime;
	out->duration = st[k].arrival - st[0].departure;
	out->waiting = out->duration - out->travel_time - out->service -
		       out->setup - out->break_time;
	if (out->waiting < 0)
		out->waiting = 0;
	out->cost =
		m->vfix0[v] + m->vcpd[v] * cdist + m->vcpt[v] * out->duration;
}

static struct lz_route_solution *
make_solution(struct solver *S, const struct sol *s)
{
	const struct route_model *m = S->m;
	struct lz_route_solution *out = xcalloc(1, sizeof(*out));
	int nr = 0, nu = 0;

	for (int v = 0; v < m->nv; v++)
		nr += s->r[v].n > 0;
	out->routes = xcalloc((size_t)(nr > 0 ? nr : 1), sizeof(*out->routes));
	for (int v = 0; v < m->nv; v++) {
		struct lz_route_route *rt;

		if (s->r[v].n == 0)
			continue;
		rt = &out->routes[out->nroutes++];
		fill_route(S, &s->r[v], rt);
		out->cost += rt->cost;
		out->distance += rt->distance;
		out->duration += rt->duration;
	}
	out->unassigned = xcalloc((size_t)(m->nt > 0 ? m->nt : 1),
				  sizeof(*out->unassigned));
	for (int t = 0; t < m->nt; t++) {
		if (s->wr[m->ta[t]] >= 0)
			continue;
		out->unassigned[nu].shipment = m->tship[t];
		out->unassigned[nu].index = m->tindex[t];
		out->unassigned[nu].reason =
			m->treason[t] ? (enum lz_route_reason)m->treason[t]
				      : LZ_ROUTE_REASON_NO_ROOM;
		nu++;
	}
	out->nunassigned = nu;
	return out;
}

/* ---- driver ---- */

/* Why task t cannot be served even alone: the reason of the vehicle that
 * got furthest through the checks, or NONE.  A vehicle that fails only
 * because of the job's release got furthest of all. */
static int
precheck(struct solver *S, int t)
{
	const struct route_model *m = S->m;
	int seq[2] = {m->ta[t], m->tb[t]}, n = m->tb[t] >= 0 ? 2 : 1;
	int worst = LZ_ROUTE_REASON_NONE;
	struct route_eval ev;

	if (m->nv == 0)
		return LZ_ROUTE_REASON_NO_ROOM;
	for (int v = 0; v < m->nv; v++) {
		int rc = route_eval_seq(m, v, seq, n, S->mark, 0, &ev);

		if (rc == LZ_ROUTE_REASON_NONE)
			return rc;
		if (m->rel[seq[0]] > m->vs[v] &&
		    route_eval_seq(m, v, seq, n, S->mark, ROUTE_EVAL_NO_RELEASE,
				   &ev) == LZ_ROUTE_REASON_NONE)
			rc = LZ_ROUTE_REASON_RELEASE;
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

static void
solver_init(struct solver *S, struct route_model *m, uint64_t seed)
{
	size_t nn = (size_t)(m->nn > 0 ? m->nn : 1) + 4;
	size_t nv = (size_t)(m->nv > 0 ? m->nv : 1);
	size_t nt = (size_t)(m->nt > 0 ? m->nt : 1);

	memset(S, 0, sizeof(*S));
	S->m = m;
	S->rng = seed ^ 0x5851f42d4c957f2dULL;
	sol_init(S, &S->cur);
	sol_init(S, &S->best);
	S->bak = xcalloc(nv, sizeof(*S->bak));
	S->touched = xcalloc(nv, sizeof(int));
	S->is_touched = xcalloc(nv, 1);
	S->ruined = xcalloc(nv, 1);
	S->un_bak = xcalloc(nt, sizeof(int));
	S->buf1 = xcalloc(nn, sizeof(int));
	S->buf2 = xcalloc(nn, sizeof(int));
	S->mid1 = xcalloc(nn + nv, sizeof(int));
	S->mid2 = xcalloc(nn + nv, sizeof(int));
	S->mark = xcalloc(nn, sizeof(int));
	S->tasks = xcalloc(nt, sizeof(int));
	S->tmark = xcalloc(nt, sizeof(int));
	S->queue = xcalloc(nn, sizeof(int));
	S->col = xcalloc((size_t)m->L, sizeof(double));
	S->active = xcalloc(nn, 1);
}

static void
solver_release(struct solver *S)
{
	for (int v = 0; v < S->m->nv; v++)
		route_free(&S->bak[v]);
	sol_release(S, &S->cur);
	sol_release(S, &S->best);
	free(S->bak);
	free(S->touched);
	free(S->is_touched);
	free(S->ruined);
	free(S->un_bak);
	free(S->buf1);
	free(S->buf2);
	free(S->mid1);
	free(S->mid2);
	free(S->mark);
	free(S->tasks);
	free(S->tmark);
	free(S->queue);
	free(S->col);
	free(S->active);
}

void
lz_route_options_init(struct lz_route_options *o)
{
	memset(o, 0, sizeof(*o));
	o->time_limit = 1.0;
	o->iterations = 0;
	o->seed = 1;
	o->local_search = 1;
}

static void
search(struct solver *S, const struct lz_route_options *o, int64_t *iters)
{
	const struct route_model *m = S->m;
	double limit_us = o->time_limit > 0 ? o->time_limit * 1e6 : 0;
	double T0, Tf, cur_cost, best_cost;
	int64_t it = 0, maxit = o->iterations;
	int *all = xcalloc((size_t)(m->nt > 0 ? m->nt : 1), sizeof(int));
	int nall = 0;

	for (int t = 0; t < m->nt; t++) {
		/* a reason the model already knows (a shipment ready after
		 * its pickup windows) stands */
		if (m->treason[t] == LZ_ROUTE_REASON_NONE)
			m->treason[t] = precheck(S, t);
		if (m->treason[t] == LZ_ROUTE_REASON_NONE)
			all[nall++] = t;
	}
	S->nservable = nall;
	iter_begin(S);
	recreate(S, all, nall, 0);
	free(all);
	if (o->local_search)
		local_search(S, &S->cur, true);
	S->cur.cost = cur_cost = sol_cost(S, &S->cur);
	sol_copy(S, &S->best, &S->cur);
	best_cost = cur_cost;
	T0 = SA_T0 * m->edge_mean;
	Tf = SA_TF * m->edge_mean;
	while (nall > 0 && m->nv > 0) {
		double frac = 0, c;
		int n;

		if (maxit > 0) {
			if (it >= maxit)
				break;
			frac = (double)it / (double)maxit;
		}
		if (limit_us > 0) {
			double el = (double)(lz_mono_us() - S->t0);

			if (el >= limit_us)
				break;
			frac = fmax(frac, el / limit_us);
		}
		S->T = T0 * pow(Tf / T0, frac);
		iter_begin(S);
		n = ruin(S);
		memcpy(S->tasks + n, S->cur.un,
		       (size_t)S->cur.nun * sizeof(int));
		n += S->cur.nun;
		S->cur.nun = 0;
		recreate(S, S->tasks, n, SISR_BLINK);
		if (o->local_search) {
			/* a light descent on every candidate: worth its cost
			 * in solution quality per second */
			S->lite = 1;
			local_search(S, &S->cur, false);
			S->lite = 0;
		}
		c = sol_cost(S, &S->cur);
		it++;
		if (c < cur_cost - S->T * log(1.0 - rng_unit(&S->rng))) {
			cur_cost = c;
			if (c < best_cost - EPS) {
				if (o->local_search) {
					local_search(S, &S->cur, false);
					cur_cost = sol_cost(S, &S->cur);
				}
				S->cur.cost = cur_cost;
				sol_copy(S, &S->best, &S->cur);
				best_cost = cur_cost;
			}
		} else {
			iter_rollback(S);
		}
	}
	*iters = it;
}

int
lz_route_solve(const struct lz_route_problem *p,
	       const struct lz_route_options *o, struct lz_route_solution **out)
{
	struct route_model m;
	struct solver S;
	struct lz_route_options def;
	int64_t iters = 0;
	int rc;

	if (out)
		*out = NULL;
	if (p == NULL || out == NULL)
		return LZ_ROUTE_EINVAL;
	if (o == NULL) {
		lz_route_options_init(&def);
		o = &def;
	}
	if (o->time_limit <= 0 && o->iterations <= 0) {
		def = *o;
		def.time_limit = 1.0;
		o = &def;
	}
	rc = route_model_init(&m, p, o->objective);
	if (rc) {
		route_model_release(&m);
		return rc;
	}
	solver_init(&S, &m, o->seed);
	S.t0 = lz_mono_us();
	if (o->time_limit > 0)
		S.deadline = S.t0 + (int64_t)(o->time_limit * 1e6);
	search(&S, o, &iters);
	*out = make_solution(&S, &S.best);
	(*out)->iterations = iters;
	(*out)->elapsed = (double)(lz_mono_us() - S.t0) / 1e6;
	solver_release(&S);
	route_model_release(&m);
	return 0;
}

void
lz_route_solution_destroy(struct lz_route_solution **ps)
{
	struct lz_route_solution *s;

	if (ps == NULL || *ps == NULL)
		return;
	s = *ps;
	for (int r = 0; r < s->nroutes; r++)
		free(s->routes[r].stops);
	free(s->routes);
	free(s->unassigned);
	free(s);
	*ps = NULL;
}
