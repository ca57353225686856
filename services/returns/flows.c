/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * flows.c -- the life of a flow (opened, assigned to an outlet with its
 * collection requested, collected, closed by the outlet's confirmation),
 * collection requests to the tours or bikes service, and the collection
 * points' forecasts.
 */
#include "returns.h"

#include "lz_bus.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
returns_flow_emit(struct lz_call *c, Flow *f, int from)
{
	Lz__Returns__V1__FlowStatusChanged ev =
		LZ__RETURNS__V1__FLOW_STATUS_CHANGED__INIT;
	int rc;

	if ((rc = lz_store_put_msg(c->txn, returns_of(c)->db.flows, f->flow_id,
				   &f->base)) != 0)
		return rc;
	ev.flow_id = f->flow_id;
	ev.kind = f->kind;
	ev.category = f->category;
	ev.member_id = f->member_id;
	ev.site_id = f->site_id;
	ev.grams = f->grams;
	ev.use_by = f->use_by;
	ev.outlet_id = f->outlet_id;
	ev.level = f->level;
	ev.status = f->status;
	ev.from = (Lz__Returns__V1__FlowStatus)from;
	ev.actual_grams = f->actual_grams;
	ev.at = c->now;
	ev.outlet_site_id = f->outlet_site_id;
	ev.distance_m = f->distance_m;
	ev.request_id = f->request_id;
	ev.collector = f->collector;
	ev.origin = f->origin;
	ev.reason = f->reason;
	ev.cause = (char *)c->ev->type;
	ev.flow = f;
	return lz_bus_emit(c->tx, f->member_id[0] ? f->member_id : NULL,
			   &ev.base);
}

int
returns_flow_open(struct lz_call *c, Flow *f, char id[RETURNS_FLOW_ID_MAX])
{
	uint64_t n;
	int rc;

	if ((rc = returns_store_next(c->txn, &returns_of(c)->db, "flow", &n)) !=
	    0)
		return rc;
	snprintf(id, RETURNS_FLOW_ID_MAX, "F%" PRIu64, n);
	f->flow_id = id;
	f->status = FS_OPENED;
	f->opened_at = c->now;
	if ((rc = lz_service_stat(c, "flows_opened", 1)) != 0 ||
	    (rc = lz_service_stat(c, "flows_open", 1)) != 0 ||
	    (rc = returns_flow_emit(c, f, 0)) != 0)
		return rc;
	rc = returns_flow_match(c, f);
	f->flow_id = NULL;
	return rc;
}

int
returns_window(struct lz_call *c, const Site *site, int64_t *start,
	       int64_t *end)
{
	struct returns_hours h = returns_site_hours(site);

	return returns_collection_window(
		&h, c->now, returns_of(c)->conf.days_ahead,
		returns_of(c)->conf.collect_from,
		returns_of(c)->conf.collect_until, start, end);
}

int
returns_request_collection(struct lz_call *c, const Site *site,
			   const char *request_id, const char *what,
			   const char *dest_site_id, int temperature_class,
			   int64_t grams, int64_t millilitres, const char *flow,
			   const char *note, int64_t start, int64_t end,
			   const char **collector)
{
	Lz__Common__V1__TimeWindow w = LZ__COMMON__V1__TIME_WINDOW__INIT;
	char key[100];
	int rc;

	w.start = start;
	w.end = end;
	snprintf(key, sizeof(key), "req/%s", request_id);
	if ((rc = returns_store_meta_put(c->txn, &returns_of(c)->db, key,
					 what)) != 0)
		return rc;
	if (*collector == NULL && site->zone &&
	    strcmp(site->zone, returns_of(c)->conf.bike_zone) == 0) {
		Lz__Bikes__V1__CollectionRequested b =
			LZ__BIKES__V1__COLLECTION_REQUESTED__INIT;

		b.request_id = (char *)request_id;
		b.site_id = site->site_id;
		b.window = &w;
		b.grams = grams;
		b.millilitres = millilitres;
		b.temperature_class =
			(Lz__Common__V1__TemperatureClass)temperature_class;
		b.flow = (char *)flow;
		b.note = (char *)(note ? note : "");
		*collector = "bikes";
		rc = lz_bus_emit(c->tx, NULL, &b.base);
	} else {
		Lz__Tours__V1__CollectionRequested t =
			LZ__TOURS__V1__COLLECTION_REQUESTED__INIT;
		Lz__Tours__V1__ClassLoad l = LZ__TOURS__V1__CLASS_LOAD__INIT;
		Lz__Tours__V1__ClassLoad *loads[1] = {&l};

		l.temperature_class =
			(Lz__Common__V1__TemperatureClass)(temperature_class
								   ? temperature_class
								   : 1);
		l.grams = grams;
		l.millilitres = millilitres;
		t.request_id = (char *)request_id;
		t.site_id = site->site_id;
		t.destination_site_id =
			(char *)(dest_site_id ? dest_site_id : "");
		t.window = &w;
		t.n_loads = 1;
		t.loads = loads;
		t.flow = (char *)flow;
		t.note = (char *)(note ? note : "");
		*collector = "tours";
		rc = lz_bus_emit(c->tx, NULL, &t.base);
	}
	if (rc == 0)
		rc = lz_service_stat(c,
				     strcmp(*collector, "bikes") == 0
					     ? "requests/bikes"
					     : "requests/tours",
				     1);
	return rc;
}

/* ---- matching ---- */

struct candidates {
	struct lz_call *c;
	Outlet **outlets;
	Site **sites;
	struct returns_outlet *in;
	size_t n;
	int rc;
};

static int
keep_outlet(ProtobufCMessage *m, void *arg)
{
	struct candidates *k = arg;
	Outlet *o = (Outlet *)m;
	Site *s = NULL;
	struct returns_outlet *in;
	int rc;

	if (returns_outlet_level(o->kind) == LV_NONE)
		return 0;
	if ((rc = returns_get_site(k->c, o->site_id, &s)) != 0)
		return rc;
	k->outlets = xrealloc(k->outlets, sizeof(Outlet *) * (k->n + 1));
	k->sites = xrealloc(k->sites, sizeof(Site *) * (k->n + 1));
	k->in = xrealloc(k->in, sizeof(*k->in) * (k->n + 1));
	k->outlets[k->n] = o;
	k->sites[k->n] = s;
	in = &k->in[k->n];
	memset(in, 0, sizeof(*in));
	in->outlet_id = o->outlet_id;
	in->kind = o->kind;
	in->categories = (const char *const *)o->accepted_categories;
	in->n_categories = o->n_accepted_categories;
	in->capacity_per_day = o->capacity_grams_per_day;
	if (s && s->location) {
		in->has_location = 1;
		in->lat = s->location->lat;
		in->lon = s->location->lon;
	}
	in->hours.h = (const OpeningHours *const *)o->opening_hours;
	in->hours.n = o->n_opening_hours;
	if (in->hours.n == 0 && s)
		in->hours = returns_site_hours(s);
	k->n++;
	return 1;
}

static void
candidates_free(struct candidates *k)
{
	for (size_t i = 0; i < k->n; i++) {
		lz__returns__v1__outlet__free_unpacked(k->outlets[i], NULL);
		returns_free_site(k->sites[i]);
	}
	free(k->outlets);
	free(k->sites);
	free(k->in);
}

static int64_t
used_fn(size_t i, const char *date, void *arg)
{
	struct candidates *k = arg;
	char name[100];
	int64_t v = 0;
	int rc;

	snprintf(name, sizeof(name), "%s %s", k->in[i].outlet_id, date);
	if ((rc = lz_store_counter_get(k->c->txn, returns_of(k->c)->db.usage,
				       name, &v)) != 0 &&
	    k->rc == 0)
		k->rc = rc;
	return v;
}

static const char *
flow_name(int kind)
{
	switch (kind) {
	case FK_UNSOLD:
		return "unsold";
	case FK_BIOWASTE:
		return "biowaste";
	case FK_PACKAGING:
		return "packaging";
	default:
		return "co_product";
	}
}

/* Keeps a reason in F: REASON is static or in a buffer of the caller that
 * outlives the write. */
static int
set_reason(struct lz_call *c, Flow *f, const char *reason)
{
	char *old = f->reason;
	int rc;

	if (strcmp(old ? old : "", reason) == 0)
		return 0;
	f->reason = (char *)reason;
	rc = lz_store_put_msg(c->txn, returns_of(c)->db.flows, f->flow_id,
			      &f->base);
	f->reason = old; /* F may be an unpacked record */
	return rc;
}

static int
assign(struct lz_call *c, Flow *f, const Site *site, struct candidates *k,
       const struct returns_match *m, int64_t start, int64_t end)
{
	const Outlet *o = k->outlets[m->index];
	Flow saved = *f;
	char name[100], rid[80], what[80];
	const char *collector = NULL;
	int rc;

	snprintf(name, sizeof(name), "%s %s", o->outlet_id, m->date);
	snprintf(rid, sizeof(rid), "ret-%s", f->flow_id);
	snprintf(what, sizeof(what), "flow:%s", f->flow_id);
	if ((rc = lz_store_counter_add(c->txn, returns_of(c)->db.usage, name,
				       f->grams)) != 0 ||
	    (rc = returns_request_collection(
		     c, site, rid, what, o->site_id, f->temperature_class,
		     f->grams, f->millilitres, flow_name(f->kind), f->flow_id,
		     start, end, &collector)) != 0)
		return rc;
	f->outlet_id = o->outlet_id;
	f->outlet_site_id = o->site_id;
	f->outlet_member_id = o->member_id;
	f->level = (Lz__Returns__V1__HierarchyLevel)m->level;
	f->distance_m = m->distance_m;
	f->arrival = m->arrival;
	f->request_id = rid;
	f->collector = (char *)collector;
	f->reason = "";
	f->status = FS_ASSIGNED;
	f->assigned_at = c->now;
	rc = returns_flow_emit(c, f, FS_OPENED);
	*f = saved; /* F may be an unpacked record: its own strings back */
	return rc;
}

int
returns_flow_match(struct lz_call *c, Flow *f)
{
	struct candidates k = {c, NULL, NULL, NULL, 0, 0};
	struct returns_flow_in in = {0};
	struct returns_match m;
	char *own_site = f->site_id, hub[80];
	Site *site = NULL;
	int64_t start, end;
	int rc;

	/* Food of the hub's stock announced before the hub was known. */
	if (f->site_id[0] == '\0') {
		if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db,
						 "hub", hub, sizeof(hub))) != 0)
			return rc;
		f->site_id = hub;
	}
	if ((rc = returns_get_site(c, f->site_id, &site)) != 0)
		goto out;
	if (site == NULL) {
		rc = set_reason(c, f,
				f->site_id[0] ? "unknown_site" : "no_hub");
		goto out;
	}
	if (returns_window(c, site, &start, &end) != 0) {
		rc = set_reason(c, f, "site_closed");
		goto out;
	}
	if ((rc = returns_store_scan(c->txn, returns_of(c)->db.outlets,
				     &lz__returns__v1__outlet__descriptor,
				     keep_outlet, &k)) != 0)
		goto out;
	in.kind = f->kind;
	in.category = f->category;
	in.grams = f->grams;
	in.use_by = f->use_by;
	in.date_kind = f->date_kind;
	if (site->location) {
		in.has_location = 1;
		in.lat = site->location->lat;
		in.lon = site->location->lon;
	}
	in.ready = end;
	m = returns_match(&in, k.in, k.n, &returns_of(c)->conf.match, used_fn,
			  &k);
	if ((rc = k.rc) != 0)
		goto out;
	if (m.index < 0)
		rc = set_reason(c, f, m.reason);
	else
		rc = assign(c, f, site, &k, &m, start, end);
out:
	candidates_free(&k);
	returns_free_site(site);
	f->site_id = own_site; /* F may be an unpacked record */
	return rc;
}

/* ---- collections done or failed ---- */

/* The bikes service refused flow F's pickup (too heavy, cold, out of its
 * zone): the same collection, by van. */
static int
flow_by_van(struct lz_call *c, Flow *f)
{
	const char *collector = "tours";
	char rid[100], what[80];
	int64_t start, end;
	Site *site = NULL;
	Flow saved = *f;
	int rc;

	if ((rc = returns_get_site(c, f->site_id, &site)) != 0)
		return rc;
	if (site == NULL || returns_window(c, site, &start, &end) != 0 ||
	    strlen(f->request_id) > 60) {
		rc = set_reason(c, f, "collection_ended");
		goto out;
	}
	snprintf(rid, sizeof(rid), "%s-van", f->request_id);
	snprintf(what, sizeof(what), "flow:%s", f->flow_id);
	if ((rc = returns_request_collection(
		     c, site, rid, what, f->outlet_site_id,
		     f->temperature_class, f->grams, f->millilitres,
		     flow_name(f->kind), f->flow_id, start, end, &collector)))
		goto out;
	f->request_id = rid;
	f->collector = (char *)collector;
	f->reason = "bikes_refused";
	rc = lz_store_put_msg(c->txn, returns_of(c)->db.flows, f->flow_id,
			      &f->base);
	*f = saved; /* an unpacked record: its own strings back */
out:
	returns_free_site(site);
	return rc;
}

static int
flow_collected(struct lz_call *c, const char *flow_id, int how)
{
	char *old_reason;
	Flow *f = NULL;
	int rc;

	if ((rc = lz_store_get_msg(c->txn, returns_of(c)->db.flows, flow_id,
				   &lz__returns__v1__flow__descriptor,
				   (ProtobufCMessage **)&f)) != 0 ||
	    f == NULL)
		return rc;
	if (f->status != FS_ASSIGNED)
		goto out;
	if (how == RETURNS_REQ_REFUSED) {
		rc = flow_by_van(c, f);
		goto out;
	}
	if (how != RETURNS_REQ_DONE) {
		rc = set_reason(c, f,
				how == RETURNS_REQ_FAILED ? "collection_failed"
							  : "collection_ended");
		goto out;
	}
	old_reason = f->reason;
	f->reason = "";
	f->status = FS_COLLECTED;
	f->collected_at = c->now;
	rc = returns_flow_emit(c, f, FS_ASSIGNED);
	f->reason = old_reason; /* an unpacked record: its own string */
out:
	lz__returns__v1__flow__free_unpacked(f, NULL);
	return rc;
}

int
returns_request_ended(struct lz_call *c, const char *request_id, int how)
{
	char key[120], what[120];
	int rc;

	if (strlen(request_id) > 80)
		return 0;
	snprintf(key, sizeof(key), "req/%s", request_id);
	if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db, key, what,
					 sizeof(what))) != 0)
		return rc;
	if (strncmp(what, "flow:", 5) == 0)
		return flow_collected(c, what + 5, how);
	if (strncmp(what, "point:", 6) == 0 && how != RETURNS_REQ_FAILED) {
		char open[120], cur[120];

		snprintf(open, sizeof(open), "open/%s", what + 6);
		if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db,
						 open, cur, sizeof(cur))) != 0)
			return rc;
		if (strcmp(cur, request_id) != 0)
			return 0;
		if (how == RETURNS_REQ_REFUSED) {
			snprintf(open, sizeof(open), "van/%s", what + 6);
			if ((rc = returns_store_meta_put(c->txn,
							 &returns_of(c)->db,
							 open, "1")) != 0)
				return rc;
			snprintf(open, sizeof(open), "open/%s", what + 6);
		}
		return returns_store_meta_del(c->txn, &returns_of(c)->db, open);
	}
	return 0;
}

/* ---- collection points ---- */

struct history {
	struct returns_return *h;
	size_t n;
};

static void
history_one(const char *name, int64_t value, void *arg)
{
	struct history *hs = arg;

	/* NAME is "<at> <movement>", the site's prefix taken off. */
	if (value <= 0)
		return;
	hs->h = xrealloc(hs->h, sizeof(*hs->h) * (hs->n + 1));
	hs->h[hs->n].at = strtoll(name, NULL, 10);
	hs->h[hs->n].count = value;
	hs->n++;
}

int
returns_point_forecast(MDB_txn *txn, const struct returns *r,
		       const CollectionPoint *p, int64_t now,
		       struct returns_point_state *st)
{
	char acct[RETURNS_ACCOUNT_MAX], prefix[80], open[100];
	struct history hs = {NULL, 0};
	int rc;

	memset(st, 0, sizeof(*st));
	if (returns_empties_account(acct, sizeof(acct), p->site_id) != 0)
		return 0;
	snprintf(prefix, sizeof(prefix), "%s ", p->site_id);
	snprintf(open, sizeof(open), "open/%s", p->site_id);
	if ((rc = returns_store_meta_get(txn, &r->db, open, st->request_id,
					 sizeof(st->request_id))) != 0 ||
	    (rc = returns_account_load(txn, &r->db, acct, &st->containers,
				       &st->grams, &st->millilitres)) != 0 ||
	    (rc = lz_store_counters(txn, r->db.history, prefix, history_one,
				    &hs)) != 0)
		goto out;
	st->forecast = returns_forecast(
		hs.h, hs.n, st->containers, p->capacity_containers, now,
		r->conf.history_window,
		p->lead_seconds ? p->lead_seconds : r->conf.default_lead);
out:
	free(hs.h);
	return rc;
}

int
returns_point_check(struct lz_call *c, const CollectionPoint *p)
{
	Lz__Returns__V1__FillForecast ev = LZ__RETURNS__V1__FILL_FORECAST__INIT;
	char open[100], van[100], by_van[8], rid[40], what[100];
	struct returns_point_state st;
	const char *collector = NULL;
	int64_t start, end;
	Site *site = NULL;
	uint64_t n;
	int rc;

	if ((rc = returns_point_forecast(c->txn, returns_of(c), p, c->now,
					 &st)) != 0 ||
	    st.request_id[0] != '\0' || !st.forecast.due)
		return rc;
	if ((rc = returns_get_site(c, p->site_id, &site)) != 0 ||
	    site == NULL || returns_window(c, site, &start, &end) != 0)
		goto out;
	/* The bikes service refused this point's collections once: vans. */
	snprintf(van, sizeof(van), "van/%s", p->site_id);
	if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db, van,
					 by_van, sizeof(by_van))) != 0 ||
	    (rc = returns_store_next(c->txn, &returns_of(c)->db, "point",
				     &n)) != 0)
		goto out;
	if (by_van[0] != '\0')
		collector = "tours";
	snprintf(open, sizeof(open), "open/%s", p->site_id);
	snprintf(rid, sizeof(rid), "ret-P%" PRIu64, n);
	snprintf(what, sizeof(what), "point:%s", p->site_id);
	if ((rc = returns_store_meta_put(c->txn, &returns_of(c)->db, open,
					 rid)) ||
	    (rc = returns_request_collection(
		     c, site, rid, what, NULL, 1, st.grams, st.millilitres,
		     "containers", "empties", start, end, &collector)) != 0)
		goto out;
	ev.site_id = p->site_id;
	ev.containers = (uint32_t)st.containers;
	ev.capacity_containers = p->capacity_containers;
	ev.rate_per_day_milli = st.forecast.rate_per_day_milli;
	ev.full_at = st.forecast.full_at;
	ev.request_id = rid;
	ev.at = c->now;
	rc = lz_bus_emit(c->tx, NULL, &ev.base);
out:
	returns_free_site(site);
	return rc;
}

/* ---- the timer ---- */

struct tick {
	struct lz_call *c;
	void **items;
	size_t n;
};

static int
keep_item(ProtobufCMessage *m, void *arg)
{
	struct tick *t = arg;

	t->items = xrealloc(t->items, sizeof(void *) * (t->n + 1));
	t->items[t->n++] = m;
	return 1;
}

static int
keep_open_flow(ProtobufCMessage *m, void *arg)
{
	return ((Flow *)m)->status == FS_OPENED ? keep_item(m, arg) : 0;
}

static void
tick_free(struct tick *t)
{
	for (size_t i = 0; i < t->n; i++)
		protobuf_c_message_free_unpacked(t->items[i], NULL);
	free(t->items);
	t->items = NULL;
	t->n = 0;
}

int
returns_tick(struct returns *r, struct lz_bus_txn *tx, int64_t now)
{
	struct lz_event tick = {.source = "returns",
				.type = "timer",
				.tenant = "",
				.timestamp_us = now * 1000000};
	struct lz_call c = {&r->svc, r, tx, lz_bus_mdb(tx), &tick, now};
	struct tick t = {&c, NULL, 0};
	int rc;

	rc = returns_store_scan(c.txn, r->db.points,
				&lz__returns__v1__collection_point__descriptor,
				keep_item, &t);
	for (size_t i = 0; i < t.n && rc == 0; i++)
		rc = returns_point_check(&c, t.items[i]);
	tick_free(&t);
	if (rc == 0)
		rc = returns_store_scan(c.txn, r->db.flows,
					&lz__returns__v1__flow__descriptor,
					keep_open_flow, &t);
	for (size_t i = 0; i < t.n && rc == 0; i++)
		rc = returns_flow_match(&c, t.items[i]);
	tick_free(&t);
	return rc;
}
