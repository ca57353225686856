/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * follow.c -- the other services' events the bikes service applies: the
 * directory and the orders' delivery windows (from orders), the relay
 * deliveries of the van tours (from tours: a parcel is expected, then at
 * the relay when the van's stop is completed; the tours' plans give the
 * van's planned arrival there, hence when the parcels will be ready), and
 * collection requests (from returns, or an operator through the gateway: a
 * refusal is then a CommandRefused, for returns a pickup refused).  Each
 * source is checked by lz_service from the table at the end.  What changes
 * who can ride what asks for a re-planning.
 *
 * As in every service an apply may run twice for the same event (a retried
 * batch): its only effects are in the transaction.
 */
#include "bikes.h"
#include "events.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the bikes' capacities ---- */

static int
keep_cap(ProtobufCMessage *m, void *arg)
{
	struct {
		struct bikes_bike_cap *caps;
		size_t n;
	} *a = arg;
	const Bike *bk = (const Bike *)m;

	a->caps = xrealloc(a->caps, (a->n + 1) * sizeof(*a->caps));
	a->caps[a->n].grams = bk->capacity_grams;
	a->caps[a->n].millilitres = bk->capacity_millilitres;
	a->caps[a->n].insulated = bk->insulated;
	a->n++;
	return 0;
}

/* The capacities of every registered bike (free the result). */
static struct bikes_bike_cap *
bike_caps(struct lz_call *c, size_t *n, int *rc)
{
	struct {
		struct bikes_bike_cap *caps;
		size_t n;
	} a = {NULL, 0};

	*rc = bikes_store_each(c->txn, bikes_of(c)->db.bikes, "",
			       &lz__bikes__v1__bike__descriptor, keep_cap, &a);
	*n = a.n;
	return a.caps;
}

/* ---- late directory and windows ---- */

/* The relay deliveries (tours) and the directory and orders (orders) are
 * independent streams: a parcel may be announced before its destination
 * site or its order's window reached this service.  When they come, the
 * parcel gets them (a change to the same status, with the reason it now
 * has) and the runs are re-planned if it waits at the relay. */
static int
complete_parcel(struct lz_call *c, Parcel *p, GeoPoint *loc, TimeWindow *w)
{
	struct bikes_change ch = {0};
	GeoPoint *old_loc = p->location;
	TimeWindow *old_w = p->window;
	protobuf_c_boolean old_zone = p->out_of_zone;
	int rc = 0;

	ch.reason = (int)p->reason;
	if (loc) {
		struct bikes_bike_cap *caps;
		struct bikes_job j = {0};
		size_t nb;

		p->location = loc;
		p->out_of_zone = !bikes_zone_contains(&bikes_of(c)->zone,
						      loc->lon, loc->lat);
		j.grams = p->grams;
		j.millilitres = p->millilitres;
		j.cold = (int)p->temperature_class == TC_CHILLED ||
			 (int)p->temperature_class == TC_FROZEN;
		caps = bike_caps(c, &nb, &rc);
		ch.reason = p->out_of_zone ? BR_OUT_OF_ZONE
					   : bikes_fits(&j, caps, nb);
		free(caps);
	}
	if (w)
		p->window = w;
	ch.to = (int)p->status;
	ch.detail = loc ? "destination located" : "delivery window known";
	if (rc == 0)
		rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
					 c->ev->type);
	if (rc == 0 && (p->status == PS_AT_RELAY || p->status == PS_PLANNED))
		rc = bikes_ask_replan(c);
	p->location = old_loc;
	p->window = old_w;
	p->out_of_zone = old_zone;
	return rc;
}

struct unlocated {
	const char *site_id;
	Parcel **p;
	size_t n;
};

static int
keep_unlocated(ProtobufCMessage *m, void *arg)
{
	struct unlocated *u = arg;
	Parcel *p = (Parcel *)m;

	if (p->location != NULL || p->site_id == NULL ||
	    strcmp(p->site_id, u->site_id) != 0)
		return 0;
	u->p = xrealloc(u->p, (u->n + 1) * sizeof(*u->p));
	u->p[u->n++] = p;
	return 1;
}

/* Site S registered: the open parcels to it that had no location. */
static int
locate_parcels(struct lz_call *c, const Site *s)
{
	struct unlocated u = {s->site_id, NULL, 0};
	GeoPoint loc = LZ__COMMON__V1__GEO_POINT__INIT;
	int rc;

	if (s->location == NULL)
		return 0;
	loc.lat = s->location->lat;
	loc.lon = s->location->lon;
	rc = bikes_store_each_indexed(
		c->txn, bikes_of(c)->db.open_parcels, bikes_of(c)->db.parcels,
		&lz__bikes__v1__parcel__descriptor, keep_unlocated, &u);
	for (size_t i = 0; i < u.n && rc == 0; i++)
		rc = complete_parcel(c, u.p[i], &loc, NULL);
	for (size_t i = 0; i < u.n; i++)
		bikes_store_drop(u.p[i]);
	free(u.p);
	return rc;
}

/* Order O's window: its parcel, if announced without one. */
static int
window_parcel(struct lz_call *c, const char *order_id, TimeWindow *w)
{
	char id[300];
	Parcel *p = NULL;
	int rc;

	snprintf(id, sizeof(id), "del:%s", order_id);
	if ((rc = bikes_get(c, bikes_of(c)->db.parcels, id,
			    &lz__bikes__v1__parcel__descriptor, &p)) != 0 ||
	    p == NULL)
		return rc;
	if (p->window == NULL && bikes_parcel_open(bikes_of(c), p))
		rc = complete_parcel(c, p, NULL, w);
	bikes_store_drop(p);
	return rc;
}

/* ---- the directory and the orders (from orders) ---- */

static int
on_site(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__SiteRegistered *ev =
		(const Lz__Orders__V1__SiteRegistered *)msg;
	const Site *s = ev->site;
	char cur[80];
	int rc;

	if (s == NULL || !lz_valid_id(s->site_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "site.site_id");
	if ((rc = lz_store_put_msg(c->txn, bikes_of(c)->db.sites, s->site_id,
				   &s->base)) != 0 ||
	    (rc = locate_parcels(c, s)) != 0 || (int)s->kind != SITE_BIKE_RELAY)
		return rc;
	/* The first bike relay registered is the one. */
	if ((rc = lz_store_get_str(c->txn, bikes_of(c)->db.meta, "relay", cur,
				   sizeof(cur))) != 0 ||
	    cur[0] != '\0')
		return rc;
	return lz_store_put_str(c->txn, bikes_of(c)->db.meta, "relay",
				s->site_id);
}

static int
on_order(struct lz_call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape. */
	const Lz__Orders__V1__OrderPlaced *ev =
		(const Lz__Orders__V1__OrderPlaced *)msg;
	int rc;

	if (ev->order == NULL || !lz_valid_order_id(ev->order->order_id) ||
	    ev->order->delivery_window == NULL)
		return 0;
	rc = lz_store_put_msg(c->txn, bikes_of(c)->db.windows,
			      ev->order->order_id,
			      &ev->order->delivery_window->base);
	return rc ? rc
		  : window_parcel(c, ev->order->order_id,
				  ev->order->delivery_window);
}

/* ---- parcels from the van tours (from tours) ---- */

struct parcel_buf {
	Parcel p;
	GeoPoint loc;
	TimeWindow win;
};

/* Builds a new parcel from relay task T.  Returns the reason it cannot be
 * planned as it is (0: none). */
static int
new_parcel(struct lz_call *c, const Task *t, struct parcel_buf *pb, int *rc)
{
	Parcel init = LZ__BIKES__V1__PARCEL__INIT;
	GeoPoint gi = LZ__COMMON__V1__GEO_POINT__INIT;
	TimeWindow wi = LZ__COMMON__V1__TIME_WINDOW__INIT;
	TimeWindow *w = NULL;
	Site *dest = NULL;
	struct bikes_bike_cap *caps;
	struct bikes_job j = {0};
	size_t nb;
	int coldest = 0, reason = 0;

	pb->p = init;
	pb->loc = gi;
	pb->win = wi;
	pb->p.parcel_id = t->task_id;
	pb->p.order_id = t->order_id;
	pb->p.member_id = t->member_id;
	pb->p.site_id = t->final_site_id;
	pb->p.relay_site_id = t->site_id;
	pb->p.status = PS_EXPECTED;
	for (size_t i = 0; i < t->n_loads; i++) {
		pb->p.grams += t->loads[i]->grams;
		pb->p.millilitres += t->loads[i]->millilitres;
		if (t->loads[i]->grams + t->loads[i]->millilitres > 0 &&
		    (int)t->loads[i]->temperature_class > coldest)
			coldest = (int)t->loads[i]->temperature_class;
	}
	pb->p.temperature_class = (Lz__Common__V1__TemperatureClass)coldest;
	*rc = bikes_get(c, bikes_of(c)->db.windows, t->order_id,
			&lz__common__v1__time_window__descriptor, &w);
	if (*rc == 0)
		*rc = bikes_get(c, bikes_of(c)->db.sites, t->final_site_id,
				&lz__orders__v1__site__descriptor, &dest);
	if (*rc != 0)
		goto out;
	if (w) {
		pb->win.start = w->start;
		pb->win.end = w->end;
		pb->p.window = &pb->win;
	}
	if (dest == NULL || dest->location == NULL) {
		reason = BR_UNKNOWN_SITE;
		goto out;
	}
	pb->loc.lat = dest->location->lat;
	pb->loc.lon = dest->location->lon;
	pb->p.location = &pb->loc;
	if (!bikes_zone_contains(&bikes_of(c)->zone, pb->loc.lon,
				 pb->loc.lat)) {
		pb->p.out_of_zone = 1;
		reason = BR_OUT_OF_ZONE;
		goto out;
	}
	j.grams = pb->p.grams;
	j.millilitres = pb->p.millilitres;
	j.cold = coldest == TC_CHILLED || coldest == TC_FROZEN;
	caps = bike_caps(c, &nb, rc);
	if (*rc == 0)
		reason = bikes_fits(&j, caps, nb);
	free(caps);
out:
	bikes_store_drop(w);
	bikes_store_drop(dest);
	return reason;
}

/* Parcel P is ready at the relay at READY (a change to the same status,
 * so that its history says when): nothing if it already was. */
static int
set_ready(struct lz_call *c, Parcel *p, int64_t ready, const char *detail)
{
	struct bikes_change ch = {0};

	if (p->ready_at == ready)
		return 0;
	p->ready_at = ready;
	ch.to = (int)p->status;
	ch.reason = (int)p->reason;
	ch.detail = detail;
	return bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				   c->ev->type);
}

static int
on_task(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	const Task *t = ev->task;
	struct bikes_change ch = {0};
	Parcel *p = NULL;
	int rc;

	if (t == NULL || (int)t->kind != TK_RELAY || !t->task_id ||
	    !t->task_id[0] || strlen(t->task_id) > 300)
		return 0;
	if ((rc = bikes_get(c, bikes_of(c)->db.parcels, t->task_id,
			    &lz__bikes__v1__parcel__descriptor, &p)) != 0)
		return rc;
	if (p == NULL && (int)ev->to != TS_CANCELLED) {
		struct parcel_buf pb;
		int reason = new_parcel(c, t, &pb, &rc);

		if (rc != 0)
			return rc;
		/* A parcel that will not fit: said now, while the van can
		 * still keep it. */
		ch.to = PS_EXPECTED;
		ch.reason = reason;
		ch.detail = reason ? bikes_reason_name(reason) : "expected";
		pb.p.status = 0;
		if ((rc = bikes_parcel_change(bikes_of(c), c->tx, &pb.p, &ch,
					      c->now, c->ev->type)) != 0)
			return rc;
		return (int)ev->to == TS_DONE ? on_task(c, msg) : 0;
	}
	if (p == NULL)
		return 0;
	if ((int)ev->to == TS_DONE && p->status == PS_EXPECTED) {
		/* The van's stop at the relay completed: it is here, and
		 * ready once unloaded and sorted (not before the van's
		 * planned arrival, its ready time so far). */
		int64_t at = ev->at > 0 ? ev->at : c->now;

		ch.to = PS_AT_RELAY;
		ch.reason = (int)p->reason;
		ch.detail = "arrived at the relay";
		p->arrived_at = at;
		p->ready_at =
			bikes_ready_next(p->ready_at, BIKES_READY_VAN_DONE, at,
					 0, bikes_of(c)->handling_s);
		if ((rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch,
					      c->now, c->ev->type)) == 0)
			rc = bikes_ask_replan(c);
	} else if (p->status == PS_EXPECTED &&
		   ((int)ev->to == TS_PENDING || (int)ev->to == TS_UNPLANNED ||
		    (int)ev->to == TS_FAILED)) {
		/* Out of the van's tour (not planned, or its stop failed):
		 * no planned arrival until a tour takes it again. */
		rc = set_ready(c, p, 0, "in no van tour");
	} else if ((int)ev->to == TS_CANCELLED &&
		   (p->status == PS_EXPECTED || p->status == PS_AT_RELAY ||
		    p->status == PS_PLANNED)) {
		int planned = p->status == PS_PLANNED;

		ch.to = PS_CANCELLED;
		ch.detail = "cancelled";
		if ((rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch,
					      c->now, c->ev->type)) == 0 &&
		    planned)
			rc = bikes_ask_replan(c);
	}
	bikes_store_drop(p);
	return rc;
}

/* Parcel ID, if the van still brings it, is ready at ARRIVAL (the van's
 * planned arrival at the relay) plus the handling time. */
static int
plan_ready(struct lz_call *c, const char *id, int64_t arrival)
{
	Parcel *p = NULL;
	int rc = bikes_get(c, bikes_of(c)->db.parcels, id,
			   &lz__bikes__v1__parcel__descriptor, &p);

	if (rc == 0 && p && p->status == PS_EXPECTED)
		rc = set_ready(
			c, p,
			bikes_ready_next(p->ready_at, BIKES_READY_VAN_PLANNED,
					 0, arrival, bikes_of(c)->handling_s),
			"van's arrival at the relay planned");
	bikes_store_drop(p);
	return rc;
}

/* The van's tour planned (or planned again): each parcel it brings to the
 * relay and still expects is ready at the stop's planned arrival plus the
 * handling time.  Nothing to re-plan: only parcels at the relay are. */
static int
on_tour(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourPlanned *ev =
		(const Lz__Tours__V1__TourPlanned *)msg;
	int rc = 0;

	if (ev->tour == NULL)
		return 0;
	for (size_t s = 0; s < ev->tour->n_stops && rc == 0; s++) {
		const TourStop *st = ev->tour->stops[s];
		int kinds = st->n_task_kinds == st->n_task_ids;

		for (size_t i = 0; i < st->n_task_ids && rc == 0; i++)
			if ((!kinds || (int)st->task_kinds[i] == TK_RELAY) &&
			    st->task_ids[i] && strlen(st->task_ids[i]) <= 300)
				rc = plan_ready(c, st->task_ids[i],
						st->arrival);
	}
	return rc;
}

/* ---- collection requests (from returns, or an operator) ---- */

static int
refuse_pickup(struct lz_call *c, const Lz__Bikes__V1__CollectionRequested *cmd,
	      int reason, const char *what)
{
	Pickup k = LZ__BIKES__V1__PICKUP__INIT;
	struct bikes_change ch = {0};

	if (strcmp(c->ev->source, LZ_FROM_GATEWAY) == 0)
		return lz_service_refuse(c, reason,
					 LZ_IDS("request_id", cmd->request_id),
					 "%s", what);
	/* The returns service hears it as a refused pickup. */
	if (!lz_valid_id(cmd->request_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "request_id");
	k.request_id = cmd->request_id;
	k.site_id = (char *)(lz_valid_id(cmd->site_id) ? cmd->site_id : "");
	k.flow = (char *)(lz_valid_text(cmd->flow, 64) ? cmd->flow : "");
	k.grams = cmd->grams;
	k.millilitres = cmd->millilitres;
	k.source = (char *)c->ev->source;
	ch.to = PK_REFUSED;
	ch.reason = reason;
	ch.detail = what;
	return bikes_pickup_change(bikes_of(c), c->tx, &k, &ch, c->now,
				   c->ev->type);
}

static int
on_collection(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__CollectionRequested *cmd =
		(const Lz__Bikes__V1__CollectionRequested *)msg;
	Pickup k = LZ__BIKES__V1__PICKUP__INIT;
	GeoPoint loc = LZ__COMMON__V1__GEO_POINT__INIT;
	struct bikes_change ch = {0};
	struct bikes_bike_cap *caps;
	struct bikes_job j = {0};
	Pickup *old = NULL;
	Site *site = NULL;
	size_t nb;
	int rc, reason;

	if (!lz_valid_id(cmd->request_id))
		return refuse_pickup(c, cmd, BR_INVALID,
				     "request_id: 1..64 characters of "
				     "[A-Za-z0-9._-]");
	if ((rc = bikes_get(c, bikes_of(c)->db.pickups, cmd->request_id,
			    &lz__bikes__v1__pickup__descriptor, &old)) != 0)
		return rc;
	if (old) {
		bikes_store_drop(old);
		if (strcmp(c->ev->source, LZ_FROM_GATEWAY) != 0)
			return 0;
		return lz_service_refuse(c, BR_DUPLICATE,
					 LZ_IDS("request_id", cmd->request_id),
					 "request_id: already requested");
	}
	if (cmd->grams < 0 || cmd->millilitres < 0 ||
	    cmd->grams + cmd->millilitres == 0 || cmd->window == NULL ||
	    cmd->window->end < cmd->window->start ||
	    !lz_valid_text(cmd->flow, 64) || !lz_valid_text(cmd->note, 1000))
		return refuse_pickup(c, cmd, BR_INVALID,
				     "grams, millilitres: >= 0, not both 0; "
				     "window: start <= end; flow: at most 64 "
				     "bytes of UTF-8; note: at most 1000");
	if ((rc = bikes_get(c, bikes_of(c)->db.sites, cmd->site_id,
			    &lz__orders__v1__site__descriptor, &site)) != 0)
		return rc;
	if (site == NULL || site->location == NULL) {
		bikes_store_drop(site);
		return refuse_pickup(c, cmd, BR_UNKNOWN_SITE,
				     "site_id: no such site");
	}
	loc.lat = site->location->lat;
	loc.lon = site->location->lon;
	bikes_store_drop(site);
	if (!bikes_zone_contains(&bikes_of(c)->zone, loc.lon, loc.lat))
		return refuse_pickup(c, cmd, BR_OUT_OF_ZONE,
				     "site_id: outside the centre zone");
	j.grams = cmd->grams;
	j.millilitres = cmd->millilitres;
	j.cold = (int)cmd->temperature_class == TC_CHILLED ||
		 (int)cmd->temperature_class == TC_FROZEN;
	caps = bike_caps(c, &nb, &rc);
	reason = rc == 0 ? bikes_fits(&j, caps, nb) : 0;
	free(caps);
	if (rc != 0)
		return rc;
	if (reason)
		return refuse_pickup(c, cmd, reason,
				     "heavier or bulkier than every bike, or "
				     "cold without an insulated bike");
	k.request_id = cmd->request_id;
	k.site_id = cmd->site_id;
	k.location = &loc;
	k.window = cmd->window;
	k.grams = cmd->grams;
	k.millilitres = cmd->millilitres;
	k.temperature_class = cmd->temperature_class;
	k.flow = cmd->flow;
	k.note = cmd->note;
	k.source = (char *)c->ev->source;
	ch.to = PK_REQUESTED;
	ch.detail = "requested";
	if ((rc = bikes_pickup_change(bikes_of(c), c->tx, &k, &ch, c->now,
				      c->ev->type)))
		return rc;
	return bikes_ask_replan(c);
}

const struct lz_handler bikes_follows[] = {
	{&lz__orders__v1__site_registered__descriptor, on_site, "orders"},
	{&lz__orders__v1__order_placed__descriptor, on_order, "orders"},
	{&lz__orders__v1__order_amended__descriptor, on_order, "orders"},
	{&lz__tours__v1__task_status_changed__descriptor, on_task, "tours"},
	{&lz__tours__v1__tour_planned__descriptor, on_tour, "tours"},
	{&lz__bikes__v1__collection_requested__descriptor, on_collection,
	 "gateway,returns"},
};
const size_t bikes_n_follows = LZ_ARRAY_LEN(bikes_follows);
