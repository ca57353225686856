/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report.c -- a report from the store: the directory is read once, then
 * the period's tours, bike runs, deliveries, flows, ledger movements and
 * shifts are scanned by date and added up (account.c).  The counterfactual
 * is solved per day, shipper and origin from the deliveries of that day;
 * each solution is kept (database cf) with the number of orders and the
 * settings it was solved for, so that the next report of the same days
 * solves only the groups that changed: a year's report does not hold the
 * daemon's loop for minutes.
 */
#include "impact.h"

#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One delivery of the day being scanned, for the counterfactual. */
struct cf_item {
	char *member; /* the shipper (a copy) */
	const Site *origin;
	const Site *dest;
	int64_t grams;
	size_t seq; /* order of the scan: the solver's input order */
};

/* A counterfactual solved by this report, to keep once it is read. */
struct cf_fresh {
	char key[LZ_STORE_KEY_MAX + 1];
	int64_t metres, rounds, orders;
};

struct rctx {
	struct impact *im;
	MDB_txn *txn;
	struct impact_acc *a;
	const char *member; /* NULL: the association */
	Site **sites;       /* the directory, sorted by id */
	size_t nsites;
	Member **members;
	size_t nmembers;
	struct cf_item *items;
	size_t nitems;
	char day[11];
	char conf[160]; /* the counterfactual's settings, as a string */
	struct cf_fresh *fresh;
	size_t nfresh;
};

static int
keep_site(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;

	x->sites = xrealloc(x->sites, (x->nsites + 1) * sizeof(*x->sites));
	x->sites[x->nsites++] = (Site *)m;
	return 1;
}

static int
keep_member(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;

	x->members =
		xrealloc(x->members, (x->nmembers + 1) * sizeof(*x->members));
	x->members[x->nmembers++] = (Member *)m;
	return 1;
}

static const Site *
site(const struct rctx *x, const char *id)
{
	size_t lo = 0, hi = x->nsites;

	while (id && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(x->sites[mid]->site_id, id);

		if (cmp == 0)
			return x->sites[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const Member *
member(const struct rctx *x, const char *id)
{
	for (size_t i = 0; id && i < x->nmembers; i++)
		if (strcmp(x->members[i]->member_id, id) == 0)
			return x->members[i];
	return NULL;
}

static int
mine(const struct rctx *x, const char *member_id)
{
	return x->member == NULL || strcmp(x->member, member_id) == 0;
}

/* ---- trips ---- */

/* The grams of TASK_ID and whether they are the report's member's. */
static int
task_grams(struct rctx *x, const char *task_id, int64_t *all, int64_t *own)
{
	Task *t = NULL;
	int rc = lz_store_get_msg(x->txn, x->im->db.tasks, task_id,
				  &lz__tours__v1__task__descriptor,
				  (ProtobufCMessage **)&t);
	int64_t g = 0;

	if (rc != 0 || t == NULL)
		return rc;
	for (size_t l = 0; l < t->n_loads; l++)
		g += t->loads[l]->grams > 0 ? t->loads[l]->grams : 0;
	*all += g;
	if (mine(x, t->member_id))
		*own += g;
	lz__tours__v1__task__free_unpacked(t, NULL);
	return 0;
}

static int
add_tour(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;
	const TourRecord *r = (const TourRecord *)m;
	const Tour *t = r->tour;
	Vehicle *v = NULL;
	struct impact_energy e;
	int64_t all = 0, own = 0, dist, dur;
	double share = 1;
	int odo, kind, rc;

	if (!r->completed || t == NULL)
		return 0;
	if (x->member) {
		for (size_t s = 0; s < t->n_stops; s++)
			for (size_t k = 0; k < t->stops[s]->n_task_ids; k++)
				if ((rc = task_grams(x,
						     t->stops[s]->task_ids[k],
						     &all, &own)) != 0)
					return rc;
		share = all > 0 ? (double)own / (double)all : 0;
		if (share <= 0)
			return 0;
	}
	if ((rc = lz_store_get_msg(x->txn, x->im->db.vehicles, t->vehicle_id,
				   &lz__tours__v1__vehicle__descriptor,
				   (ProtobufCMessage **)&v)) != 0)
		return rc;
	kind = t->vehicle_kind ? (int)t->vehicle_kind
			       : (v ? (int)v->kind : VK_DIESEL_VAN);
	dist = impact_tour_distance(r, &odo);
	impact_trip_energy(&x->a->conf, kind, v ? (int)v->fuel : 0,
			   v ? v->consumption_per_100km : 0, dist, &e);
	dur = r->started_at > 0 && r->completed_at > r->started_at
		      ? r->completed_at - r->started_at
		      : t->duration_s;
	impact_acc_trip(x->a, t->date, kind, dist, odo, &e, share, dur);
	impact_tour_legs(t, share, x->a->carried_gm, x->a->capacity_gm,
			 &x->a->empty_m, &x->a->legs_m);
	if (v)
		lz__tours__v1__vehicle__free_unpacked(v, NULL);
	return 0;
}

static int
add_run(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;
	const RunRecord *r = (const RunRecord *)m;
	struct impact_energy e;
	int64_t all = 0, own = 0,
		dist = r->actual_distance_m > 0 ? r->actual_distance_m
						: r->distance_m;
	double share = 1;
	int rc;

	if (!r->completed)
		return 0;
	for (size_t i = 0; x->member && i < r->n_parcel_ids; i++) {
		ParcelRecord *p = NULL;

		if ((rc = lz_store_get_msg(
			     x->txn, x->im->db.parcels, r->parcel_ids[i],
			     &lz__impact__v1__parcel_record__descriptor,
			     (ProtobufCMessage **)&p)) != 0)
			return rc;
		if (p == NULL)
			continue;
		all += p->grams > 0 ? p->grams : 0;
		if (mine(x, p->member_id))
			own += p->grams > 0 ? p->grams : 0;
		lz__impact__v1__parcel_record__free_unpacked(p, NULL);
	}
	if (x->member)
		share = all > 0 ? (double)own / (double)all : 0;
	impact_trip_energy(&x->a->conf, VK_CARGO_BIKE, FUEL_ELECTRICITY, 0,
			   dist, &e);
	impact_acc_trip(x->a, r->date, VK_CARGO_BIKE, dist,
			r->actual_distance_m > 0, &e, share, 0);
	return 0;
}

/* ---- deliveries and the counterfactual ---- */

static int
by_group(const void *a, const void *b)
{
	const struct cf_item *x = a, *y = b;
	int c = strcmp(x->member, y->member);

	if (c == 0)
		c = strcmp(x->origin->site_id, y->origin->site_id);
	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The rounds of the N items from IT (one shipper, one origin): the kept
 * solution when it was solved for as many orders with the same settings,
 * else solved now (and listed to be kept). */
static int
group_rounds(struct rctx *x, const struct cf_item *it, size_t n,
	     int64_t *metres, int64_t *rounds)
{
	CounterfactualRecord *kept = NULL;
	struct cf_fresh *f;
	struct impact_cf_stop *st;
	char key[LZ_STORE_KEY_MAX + 1];
	int rc;

	snprintf(key, sizeof(key), "%s/%s/%s", x->day, it->member,
		 it->origin->site_id);
	if ((rc = lz_store_get_msg(
		     x->txn, x->im->db.cf, key,
		     &lz__impact__v1__counterfactual_record__descriptor,
		     (ProtobufCMessage **)&kept)) != 0)
		return rc;
	if (kept && kept->orders == (int64_t)n &&
	    strcmp(kept->conf, x->conf) == 0) {
		*metres = kept->metres;
		*rounds = kept->rounds;
		lz__impact__v1__counterfactual_record__free_unpacked(kept,
								     NULL);
		return 0;
	}
	if (kept)
		lz__impact__v1__counterfactual_record__free_unpacked(kept,
								     NULL);
	st = xcalloc(n, sizeof(*st));
	for (size_t k = 0; k < n; k++) {
		st[k].lat = it[k].dest->location->lat;
		st[k].lon = it[k].dest->location->lon;
		st[k].grams = it[k].grams;
	}
	rc = impact_cf_rounds(&x->a->conf, it->origin->location->lat,
			      it->origin->location->lon, st, n, metres, rounds);
	free(st);
	if (rc != 0)
		return -EINVAL;
	lz_metric_add(lz_metrics_counter(x->im->metrics, CF_SOLVES,
					 CF_SOLVES_HELP, NULL, NULL),
		      1);
	x->fresh = xrealloc(x->fresh, (x->nfresh + 1) * sizeof(*x->fresh));
	f = &x->fresh[x->nfresh++];
	memcpy(f->key, key, sizeof(f->key));
	f->metres = *metres;
	f->rounds = *rounds;
	f->orders = (int64_t)n;
	return 0;
}

static void
drop_items(struct rctx *x)
{
	for (size_t i = 0; i < x->nitems; i++)
		free(x->items[i].member);
	x->nitems = 0;
}

/* Adds the counterfactual of the day collected in X->items. */
static int
flush_day(struct rctx *x)
{
	size_t i = 0;

	if (x->nitems == 0)
		return 0;
	qsort(x->items, x->nitems, sizeof(*x->items), by_group);
	while (i < x->nitems) {
		size_t j = i;
		int64_t metres, rounds;
		int rc;

		while (j < x->nitems &&
		       x->items[j].origin == x->items[i].origin &&
		       strcmp(x->items[j].member, x->items[i].member) == 0)
			j++;
		if ((rc = group_rounds(x, &x->items[i], j - i, &metres,
				       &rounds)) != 0)
			return rc;
		impact_acc_cf(x->a, x->day, metres, rounds, (int64_t)(j - i));
		i = j;
	}
	drop_items(x);
	return 0;
}

static int
add_delivery(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;
	const Delivery *d = (const Delivery *)m;
	const Member *mb = member(x, d->member_id);
	const Site *origin, *dest = site(x, d->destination_site_id);
	int rc;

	if (!mine(x, d->member_id))
		return 0;
	if (strcmp(d->date, x->day) != 0) {
		if ((rc = flush_day(x)) != 0)
			return rc;
		memcpy(x->day, d->date, sizeof(x->day) - 1);
	}
	impact_acc_delivery(x->a, d, mb && mb->work_integration);
	origin = impact_cf_origin(d, site(x, d->pickup_site_id),
				  (const Site *const *)x->sites, x->nsites);
	if (origin == NULL || !impact_site_located(dest)) {
		x->a->cf_unplaced++;
		return 0;
	}
	x->items = xrealloc(x->items, (x->nitems + 1) * sizeof(*x->items));
	x->items[x->nitems] = (struct cf_item){xstrdup(d->member_id), origin,
					       dest, d->grams, x->nitems};
	x->nitems++;
	return 0;
}

/* ---- returns and riders ---- */

static int
add_flow(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;
	const FlowRecord *f = (const FlowRecord *)m;

	if (mine(x, f->member_id))
		impact_acc_flow(x->a, (int)f->level, f->grams);
	return 0;
}

static int
add_ledger(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;
	const LedgerMoved *l = (const LedgerMoved *)m;

	if (mine(x, l->member_id))
		impact_acc_ledger(x->a, l);
	return 0;
}

static int
add_shift(ProtobufCMessage *m, void *arg)
{
	struct rctx *x = arg;
	const ShiftRecord *s = (const ShiftRecord *)m;

	/* riders work for the association: whole reports only */
	if (x->member == NULL && s->end > s->start)
		x->a->rider_s += s->end - s->start;
	return 0;
}

static int
report_fn(MDB_txn *txn, void *arg)
{
	struct rctx *x = arg;
	const struct impact_db *db = &x->im->db;
	const char *from = x->a->from, *to = x->a->to;
	int rc;

	x->txn = txn;
	if ((rc = impact_store_all(txn, db->sites,
				   &lz__orders__v1__site__descriptor, keep_site,
				   x)) != 0 ||
	    (rc = impact_store_all(txn, db->members,
				   &lz__orders__v1__member__descriptor,
				   keep_member, x)) != 0)
		return rc;
	if (x->member && member(x, x->member) == NULL)
		return -ENOENT;
	if ((rc = impact_store_scan(txn, db->tours, from, to,
				    &lz__impact__v1__tour_record__descriptor,
				    add_tour, x)) != 0 ||
	    (rc = impact_store_scan(txn, db->runs, from, to,
				    &lz__impact__v1__run_record__descriptor,
				    add_run, x)) != 0 ||
	    (rc = impact_store_scan(txn, db->deliveries, from, to,
				    &lz__impact__v1__delivery__descriptor,
				    add_delivery, x)) != 0 ||
	    (rc = flush_day(x)) != 0 ||
	    (rc = impact_store_scan(txn, db->flows, from, to,
				    &lz__impact__v1__flow_record__descriptor,
				    add_flow, x)) != 0 ||
	    (rc = impact_store_scan(txn, db->ledger, from, to,
				    &lz__returns__v1__ledger_moved__descriptor,
				    add_ledger, x)) != 0)
		return rc;
	return impact_store_scan(txn, db->shifts, from, to,
				 &lz__impact__v1__shift_record__descriptor,
				 add_shift, x);
}

static int
keep_fn(MDB_txn *txn, void *arg)
{
	struct rctx *x = arg;
	int rc = 0;

	for (size_t i = 0; i < x->nfresh && rc == 0; i++) {
		CounterfactualRecord r =
			LZ__IMPACT__V1__COUNTERFACTUAL_RECORD__INIT;

		r.metres = x->fresh[i].metres;
		r.rounds = x->fresh[i].rounds;
		r.orders = x->fresh[i].orders;
		r.conf = x->conf;
		rc = lz_store_put_msg(txn, x->im->db.cf, x->fresh[i].key,
				      &r.base);
	}
	return rc;
}

int
impact_report(struct impact *im, const char *from, const char *to,
	      const char *member_id, int64_t now, struct impact_acc *a,
	      Report *r)
{
	struct rctx x = {0};
	const Member *mb;
	int rc, krc;

	if ((rc = impact_acc_init(a, &im->conf, from, to)) != 0)
		return rc;
	x.im = im;
	x.a = a;
	x.member = member_id && member_id[0] ? member_id : NULL;
	snprintf(x.conf, sizeof(x.conf), "%d/%lld/%.4f/%lld/%llu",
		 im->conf.method, (long long)im->conf.cf_capacity_g,
		 im->conf.circuity, (long long)im->conf.cf_iterations,
		 (unsigned long long)im->conf.seed);
	rc = lz_store_read(im->store, report_fn, &x);
	/* a solution that cannot be kept is solved again next time */
	if (rc == 0 && x.nfresh > 0 &&
	    (krc = lz_store_write(im->store, keep_fn, NULL, &x)) != 0)
		lz_log_warn("counterfactual not kept", "error=\"%s\"",
			    lz_store_strerror(krc));
	if (rc == 0) {
		mb = member(&x, x.member);
		impact_acc_report(a, x.member, mb ? mb->name : NULL, now, r);
	}
	for (size_t i = 0; i < x.nsites; i++)
		lz__orders__v1__site__free_unpacked(x.sites[i], NULL);
	for (size_t i = 0; i < x.nmembers; i++)
		lz__orders__v1__member__free_unpacked(x.members[i], NULL);
	drop_items(&x);
	free(x.sites);
	free(x.members);
	free(x.items);
	free(x.fresh);
	return rc;
}
