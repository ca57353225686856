/*
 * handlers.c -- applies what the bikes service consumes: the directory and
 * the orders' delivery windows (source orders), the relay deliveries of
 * the van tours (source tours: a parcel is expected, then at the relay when
 * the van's stop is completed), collection requests (returns, or an
 * operator through the gateway), the operators' and riders' commands.
 * Every change that alters who can ride what re-plans the runs.
 *
 * As in every service an apply may run twice for the same event (a retried
 * batch): its only effects are in the transaction.
 */
#include "bikes.h"

#include "lz_bus.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call {
	struct bikes *b;
	struct lz_bus_txn *tx;
	MDB_txn *txn;
	const struct lz_event *ev;
	const char *type;
	int64_t now;
};

static int
stat_add(struct call *c, const char *name)
{
	return bikes_store_stat_add(c->txn, &c->b->db, name, 1);
}

/* A printable echo of a partner's string: itself when short and without
 * quotes or control bytes, else "". */
static const char *
echo(const char *s)
{
	if (s == NULL || strlen(s) > 200)
		return "";
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			return "";
	return s;
}

struct ids {
	const char *rider, *parcel, *run, *request, *bike;
};

static int refuse(struct call *c, int reason, const struct ids *ids,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
refuse(struct call *c, int reason, const struct ids *ids, const char *fmt, ...)
{
	Lz__Bikes__V1__CommandRefused r = LZ__BIKES__V1__COMMAND_REFUSED__INIT;
	char detail[400], name[64];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	r.command = (char *)c->type;
	r.reason = (Lz__Bikes__V1__Reason)reason;
	r.detail = detail;
	if (ids) {
		r.rider_id = (char *)echo(ids->rider);
		r.parcel_id = (char *)echo(ids->parcel);
		r.run_id = (char *)echo(ids->run);
		r.request_id = (char *)echo(ids->request);
		r.bike_id = (char *)echo(ids->bike);
	}
	snprintf(name, sizeof(name), "refused/%s", bikes_reason_name(reason));
	if ((rc = stat_add(c, name)) != 0)
		return rc;
	lz_log_debug("command refused", "type=%s seq=%" PRIu64 " reason=%s",
		     c->type, c->ev->seq, bikes_reason_name(reason));
	return lz_bus_emit(c->tx, c->ev->tenant, &r.base);
}

/* What a check returns once it refused: the emit error, or 1. */
static int
refused(int rc)
{
	return rc != 0 ? rc : 1;
}

static int
get(struct call *c, MDB_dbi dbi, const char *key,
    const ProtobufCMessageDescriptor *d, void *out)
{
	*(ProtobufCMessage **)out = NULL;
	if (key == NULL || key[0] == '\0')
		return 0;
	return lz_store_get_msg(c->txn, dbi, key, d, (ProtobufCMessage **)out);
}

static void
drop(void *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

/* Asks for a re-planning once the batch being applied is committed (see
 * bikes_after_commit()): many parcels reach the relay at once. */
static int
dispatch(struct call *c)
{
	return lz_store_put_str(c->txn, c->b->db.meta, "replan", c->type);
}

/* ---- directory and orders (source orders) ---- */

static int locate_parcels(struct call *c, const Site *s);
static int window_parcel(struct call *c, const char *order_id, TimeWindow *w);

static int
on_site(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__SiteRegistered *ev =
		(const Lz__Orders__V1__SiteRegistered *)msg;
	const Site *s = ev->site;
	char cur[80];
	int rc;

	if (strcmp(c->ev->source, BIKES_SOURCE_ORDERS) != 0)
		return 0;
	if (s == NULL || !lz_valid_id(s->site_id))
		return stat_add(c, "bad_payload");
	if ((rc = lz_store_put_msg(c->txn, c->b->db.sites, s->site_id,
				   &s->base)) != 0 ||
	    (rc = locate_parcels(c, s)) != 0 || (int)s->kind != SITE_BIKE_RELAY)
		return rc;
	/* The first bike relay registered is the one. */
	if ((rc = lz_store_get_str(c->txn, c->b->db.meta, "relay", cur,
				   sizeof(cur))) != 0 ||
	    cur[0] != '\0')
		return rc;
	return lz_store_put_str(c->txn, c->b->db.meta, "relay", s->site_id);
}

static int
on_order(struct call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape. */
	const Lz__Orders__V1__OrderPlaced *ev =
		(const Lz__Orders__V1__OrderPlaced *)msg;
	int rc;

	if (strcmp(c->ev->source, BIKES_SOURCE_ORDERS) != 0 ||
	    ev->order == NULL || ev->order->order_id == NULL ||
	    ev->order->delivery_window == NULL ||
	    strlen(ev->order->order_id) > 200)
		return 0;
	rc = lz_store_put_msg(c->txn, c->b->db.windows, ev->order->order_id,
			      &ev->order->delivery_window->base);
	return rc ? rc
		  : window_parcel(c, ev->order->order_id,
				  ev->order->delivery_window);
}

/* ---- parcels from the van tours (source tours) ---- */

static struct bikes_bike_cap *bike_caps(struct call *c, size_t *n, int *rc);

struct parcel_buf {
	Parcel p;
	GeoPoint loc;
	TimeWindow win;
};

/* Builds a new parcel from relay task T.  Returns the reason it cannot be
 * planned as it is (0: none). */
static int
new_parcel(struct call *c, const Task *t, struct parcel_buf *pb, int *rc)
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
	if ((*rc = get(c, c->b->db.windows, t->order_id,
		       &lz__common__v1__time_window__descriptor, &w)) != 0 ||
	    (*rc = get(c, c->b->db.sites, t->final_site_id,
		       &lz__orders__v1__site__descriptor, &dest)) != 0)
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
	if (!bikes_zone_contains(&c->b->zone, pb->loc.lon, pb->loc.lat)) {
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
	drop(w);
	drop(dest);
	return reason;
}

static int
on_task(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	const Task *t = ev->task;
	struct bikes_change ch = {0};
	Parcel *p = NULL;
	int rc;

	if (strcmp(c->ev->source, BIKES_SOURCE_TOURS) != 0 || t == NULL ||
	    (int)t->kind != TK_RELAY || !t->task_id || !t->task_id[0] ||
	    strlen(t->task_id) > 300)
		return 0;
	if ((rc = get(c, c->b->db.parcels, t->task_id,
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
		if ((rc = bikes_parcel_change(c->b, c->tx, &pb.p, &ch, c->now,
					      c->type)) != 0)
			return rc;
		return (int)ev->to == TS_DONE ? on_task(c, msg) : 0;
	}
	if (p == NULL)
		return 0;
	if ((int)ev->to == TS_DONE && p->status == PS_EXPECTED) {
		/* The van's stop at the relay completed: it is here. */
		ch.to = PS_AT_RELAY;
		ch.reason = (int)p->reason;
		ch.detail = "arrived at the relay";
		p->arrived_at = c->now;
		if ((rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now,
					      c->type)) == 0)
			rc = dispatch(c);
	} else if ((int)ev->to == TS_CANCELLED &&
		   (p->status == PS_EXPECTED || p->status == PS_AT_RELAY ||
		    p->status == PS_PLANNED)) {
		int planned = p->status == PS_PLANNED;

		ch.to = PS_CANCELLED;
		ch.detail = "cancelled";
		if ((rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now,
					      c->type)) == 0 &&
		    planned)
			rc = dispatch(c);
	}
	drop(p);
	return rc;
}

/* ---- late directory and windows ---- */

/* The relay deliveries (tours) and the directory and orders (orders) are
 * independent streams: a parcel may be announced before its destination
 * site or its order's window reached this service.  When they come, the
 * parcel gets them (a change to the same status, with the reason it now
 * has) and the runs are re-planned if it waits at the relay. */
static int
complete_parcel(struct call *c, Parcel *p, GeoPoint *loc, TimeWindow *w)
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
		p->out_of_zone =
			!bikes_zone_contains(&c->b->zone, loc->lon, loc->lat);
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
		rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type);
	if (rc == 0 && (p->status == PS_AT_RELAY || p->status == PS_PLANNED))
		rc = dispatch(c);
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
locate_parcels(struct call *c, const Site *s)
{
	struct unlocated u = {s->site_id, NULL, 0};
	GeoPoint loc = LZ__COMMON__V1__GEO_POINT__INIT;
	int rc;

	if (s->location == NULL)
		return 0;
	loc.lat = s->location->lat;
	loc.lon = s->location->lon;
	rc = bikes_store_each_indexed(
		c->txn, c->b->db.open_parcels, c->b->db.parcels,
		&lz__bikes__v1__parcel__descriptor, keep_unlocated, &u);
	for (size_t i = 0; i < u.n && rc == 0; i++)
		rc = complete_parcel(c, u.p[i], &loc, NULL);
	for (size_t i = 0; i < u.n; i++)
		drop(u.p[i]);
	free(u.p);
	return rc;
}

/* Order O's window: its parcel, if announced without one. */
static int
window_parcel(struct call *c, const char *order_id, TimeWindow *w)
{
	char id[300];
	Parcel *p = NULL;
	int rc;

	snprintf(id, sizeof(id), "del:%s", order_id);
	if ((rc = get(c, c->b->db.parcels, id,
		      &lz__bikes__v1__parcel__descriptor, &p)) != 0 ||
	    p == NULL)
		return rc;
	if (p->window == NULL && bikes_parcel_open(c->b, p))
		rc = complete_parcel(c, p, NULL, w);
	drop(p);
	return rc;
}

/* ---- fleet (operators) ---- */

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
bike_caps(struct call *c, size_t *n, int *rc)
{
	struct {
		struct bikes_bike_cap *caps;
		size_t n;
	} a = {NULL, 0};

	*rc = bikes_store_each(c->txn, c->b->db.bikes, "",
			       &lz__bikes__v1__bike__descriptor, keep_cap, &a);
	*n = a.n;
	return a.caps;
}

static int
on_register_rider(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RegisterRider *cmd =
		(const Lz__Bikes__V1__RegisterRider *)msg;
	Lz__Bikes__V1__RiderRegistered ev =
		LZ__BIKES__V1__RIDER_REGISTERED__INIT;
	const Rider *r = cmd->rider;
	int rc;

	if (r == NULL || !lz_valid_id(r->rider_id))
		return refused(refuse(c, BR_INVALID, NULL,
				      "rider.rider_id: 1..64 characters of "
				      "[A-Za-z0-9._-]"));
	if (r->name == NULL || strlen(r->name) > 200 ||
	    (r->note && strlen(r->note) > 1000))
		return refused(refuse(c, BR_INVALID,
				      &(struct ids){.rider = r->rider_id},
				      "rider.name, note: at most 200 and 1000 "
				      "bytes"));
	if ((rc = lz_store_put_msg(c->txn, c->b->db.riders, r->rider_id,
				   &r->base)) != 0)
		return rc;
	ev.rider = (Rider *)r;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

static int
on_register_bike(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RegisterBike *cmd =
		(const Lz__Bikes__V1__RegisterBike *)msg;
	Lz__Bikes__V1__BikeRegistered ev = LZ__BIKES__V1__BIKE_REGISTERED__INIT;
	const Bike *bk = cmd->bike;
	int rc;

	if (bk == NULL || !lz_valid_id(bk->bike_id))
		return refused(refuse(c, BR_INVALID, NULL,
				      "bike.bike_id: 1..64 characters of "
				      "[A-Za-z0-9._-]"));
	if (bk->capacity_grams <= 0 || bk->capacity_millilitres <= 0 ||
	    bk->capacity_grams > 1000000 ||
	    bk->capacity_millilitres > 10000000 ||
	    (bk->name && strlen(bk->name) > 200))
		return refused(refuse(c, BR_INVALID,
				      &(struct ids){.bike = bk->bike_id},
				      "bike.capacity_grams: 1..1000000, "
				      "capacity_millilitres: 1..10000000, "
				      "name: at most 200 bytes"));
	if ((rc = lz_store_put_msg(c->txn, c->b->db.bikes, bk->bike_id,
				   &bk->base)) != 0)
		return rc;
	ev.bike = (Bike *)bk;
	if ((rc = lz_bus_emit(c->tx, NULL, &ev.base)) != 0)
		return rc;
	return dispatch(c);
}

/* ---- collection requests (returns, operators) ---- */

static int
refuse_pickup(struct call *c, const Lz__Bikes__V1__CollectionRequested *cmd,
	      int reason, const char *what)
{
	Pickup k = LZ__BIKES__V1__PICKUP__INIT;
	struct bikes_change ch = {0};

	if (strcmp(c->ev->source, BIKES_SOURCE_GATEWAY) == 0)
		return refused(refuse(c, reason,
				      &(struct ids){.request = cmd->request_id},
				      "%s", what));
	/* The returns service hears it as a refused pickup. */
	if (!lz_valid_id(cmd->request_id))
		return stat_add(c, "bad_payload");
	k.request_id = cmd->request_id;
	k.site_id = (char *)echo(cmd->site_id);
	k.flow = (char *)echo(cmd->flow);
	k.grams = cmd->grams;
	k.millilitres = cmd->millilitres;
	k.source = (char *)c->ev->source;
	ch.to = PK_REFUSED;
	ch.reason = reason;
	ch.detail = what;
	return bikes_pickup_change(c->b, c->tx, &k, &ch, c->now, c->type);
}

static int
on_collection(struct call *c, const ProtobufCMessage *msg)
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

	if (strcmp(c->ev->source, BIKES_SOURCE_GATEWAY) != 0 &&
	    strcmp(c->ev->source, BIKES_SOURCE_RETURNS) != 0)
		return 0;
	if (!lz_valid_id(cmd->request_id))
		return refuse_pickup(c, cmd, BR_INVALID,
				     "request_id: 1..64 characters of "
				     "[A-Za-z0-9._-]");
	if ((rc = get(c, c->b->db.pickups, cmd->request_id,
		      &lz__bikes__v1__pickup__descriptor, &old)) != 0)
		return rc;
	if (old) {
		drop(old);
		if (strcmp(c->ev->source, BIKES_SOURCE_GATEWAY) != 0)
			return 0;
		return refused(refuse(c, BR_DUPLICATE,
				      &(struct ids){.request = cmd->request_id},
				      "request_id: already requested"));
	}
	if (cmd->grams < 0 || cmd->millilitres < 0 ||
	    cmd->grams + cmd->millilitres == 0 || cmd->window == NULL ||
	    cmd->window->end < cmd->window->start ||
	    (cmd->flow && strlen(cmd->flow) > 64) ||
	    (cmd->note && strlen(cmd->note) > 1000))
		return refuse_pickup(c, cmd, BR_INVALID,
				     "grams, millilitres: >= 0, not both 0; "
				     "window: start <= end; flow: at most 64 "
				     "bytes; note: at most 1000");
	if ((rc = get(c, c->b->db.sites, cmd->site_id,
		      &lz__orders__v1__site__descriptor, &site)) != 0)
		return rc;
	if (site == NULL || site->location == NULL) {
		drop(site);
		return refuse_pickup(c, cmd, BR_UNKNOWN_SITE,
				     "site_id: no such site");
	}
	loc.lat = site->location->lat;
	loc.lon = site->location->lon;
	drop(site);
	if (!bikes_zone_contains(&c->b->zone, loc.lon, loc.lat))
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
	if ((rc = bikes_pickup_change(c->b, c->tx, &k, &ch, c->now, c->type)))
		return rc;
	return dispatch(c);
}

/* ---- planning (operators) ---- */

static int
on_plan(struct call *c, const ProtobufCMessage *msg)
{
	return dispatch(c);
}

static int
open_parcel(struct call *c, const char *id, Parcel **p)
{
	int rc = get(c, c->b->db.parcels, id,
		     &lz__bikes__v1__parcel__descriptor, p);

	if (rc != 0)
		return rc;
	if (*p == NULL)
		return refused(refuse(c, BR_UNKNOWN_PARCEL,
				      &(struct ids){.parcel = id},
				      "parcel_id: no such parcel"));
	return 0;
}

static int
on_assign(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__AssignParcel *cmd =
		(const Lz__Bikes__V1__AssignParcel *)msg;
	struct ids ids = {.parcel = cmd->parcel_id, .rider = cmd->rider_id};
	struct bikes_change ch = {0};
	char detail[120];
	Parcel *p = NULL;
	Rider *r = NULL;
	int rc = open_parcel(c, cmd->parcel_id, &p);

	if (rc != 0)
		return rc;
	if (cmd->rider_id && cmd->rider_id[0] &&
	    (rc = get(c, c->b->db.riders, cmd->rider_id,
		      &lz__bikes__v1__rider__descriptor, &r)) == 0 &&
	    r == NULL)
		rc = refused(refuse(c, BR_UNKNOWN_RIDER, &ids,
				    "rider_id: no such rider"));
	else if (rc == 0 && p->status != PS_EXPECTED &&
		 p->status != PS_AT_RELAY && p->status != PS_PLANNED)
		rc = refused(refuse(c, BR_BAD_STATE, &ids, "parcel is %s",
				    bikes_parcel_status_name((int)p->status)));
	if (rc == 0) {
		char *old = p->assigned_rider_id;

		p->assigned_rider_id =
			(char *)(cmd->rider_id ? cmd->rider_id : "");
		snprintf(detail, sizeof(detail), "assigned to %s",
			 p->assigned_rider_id[0] ? p->assigned_rider_id
						 : "any rider");
		ch.to = (int)p->status;
		ch.reason = (int)p->reason;
		ch.detail = detail;
		rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type);
		p->assigned_rider_id = old;
		if (rc == 0)
			rc = dispatch(c);
	}
	drop(r);
	drop(p);
	return rc;
}

static int
get_run(struct call *c, const char *id, Run **run, int want, const char *rider)
{
	struct ids ids = {.run = id, .rider = rider};
	int rc =
		get(c, c->b->db.runs, id, &lz__bikes__v1__run__descriptor, run);

	if (rc != 0)
		return rc;
	if (*run == NULL)
		return refused(
			refuse(c, BR_UNKNOWN_RUN, &ids, "run_id: no such run"));
	if (rider && strcmp((*run)->rider_id, rider) != 0)
		rc = refused(refuse(c, BR_NOT_ON_RIDER_RUN, &ids,
				    "run_id: the run of another rider"));
	else if ((int)(*run)->status != want)
		rc = refused(
			refuse(c, BR_BAD_STATE, &ids, "run is not %s",
			       want == RUN_PLANNED ? "planned" : "started"));
	if (rc != 0) {
		drop(*run);
		*run = NULL;
	}
	return rc;
}

static int
on_pin(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__PinRun *cmd = (const Lz__Bikes__V1__PinRun *)msg;
	Run *run = NULL;
	int rc = get_run(c, cmd->run_id, &run, RUN_PLANNED, NULL);

	if (rc != 0)
		return rc;
	rc = bikes_pin(c->b, c->tx, run, cmd->site_ids, cmd->n_site_ids,
		       c->now);
	if (rc > 0)
		rc = refused(refuse(
			c, rc, &(struct ids){.run = cmd->run_id}, "%s",
			rc == BR_INVALID ? "site_ids: each site of the run once"
			: rc == BR_TIME_WINDOW ? "that order misses a window"
			: rc == BR_TOO_HEAVY   ? "that order overloads the bike"
					       : "no bike relay"));
	drop(run);
	return rc;
}

/* ---- riders' phones ---- */

/* The rider behind the command (the gateway's authenticated partner). */
static int
actor_rider(struct call *c, Rider **r)
{
	const char *a = c->ev->actor;
	int rc = get(c, c->b->db.riders, a, &lz__bikes__v1__rider__descriptor,
		     r);

	if (rc != 0)
		return rc;
	if (*r == NULL)
		return refused(refuse(c, BR_UNKNOWN_RIDER,
				      &(struct ids){.rider = a},
				      "the partner is not a registered rider"));
	return 0;
}

static int
get_shift(struct call *c, const char *rider, Shift **s)
{
	return get(c, c->b->db.shifts, rider, &lz__bikes__v1__shift__descriptor,
		   s);
}

struct bike_use {
	const char *bike_id;
	int used;
};

static int
bike_used(ProtobufCMessage *m, void *arg)
{
	struct bike_use *u = arg;

	if (strcmp(((Shift *)m)->bike_id, u->bike_id) == 0)
		u->used = 1;
	return 0;
}

static int
on_start_shift(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__StartShift *cmd =
		(const Lz__Bikes__V1__StartShift *)msg;
	Lz__Bikes__V1__ShiftStarted ev = LZ__BIKES__V1__SHIFT_STARTED__INIT;
	Shift s = LZ__BIKES__V1__SHIFT__INIT;
	struct bike_use use = {cmd->bike_id, 0};
	Rider *r = NULL;
	Bike *bk = NULL;
	Shift *cur = NULL;
	char id[100], date[11];
	int rc = actor_rider(c, &r);
	struct ids ids = {.rider = c->ev->actor, .bike = cmd->bike_id};
	int64_t start = cmd->start ? cmd->start : c->now;

	if (rc != 0)
		return rc;
	if ((rc = get(c, c->b->db.bikes, cmd->bike_id,
		      &lz__bikes__v1__bike__descriptor, &bk)) != 0 ||
	    (rc = get_shift(c, r->rider_id, &cur)) != 0 ||
	    (rc = bikes_store_each(c->txn, c->b->db.shifts, "",
				   &lz__bikes__v1__shift__descriptor, bike_used,
				   &use)) != 0)
		goto out;
	if (bk == NULL)
		rc = refused(refuse(c, BR_UNKNOWN_BIKE, &ids,
				    "bike_id: no such bike"));
	else if (cur != NULL)
		rc = refused(refuse(c, BR_ON_SHIFT, &ids,
				    "the rider is already on shift"));
	else if (use.used)
		rc = refused(refuse(c, BR_ON_SHIFT, &ids,
				    "bike_id: ridden by another rider"));
	else if (cmd->start != 0 &&
		 (cmd->start < c->now || cmd->start > c->now + 7 * 86400))
		rc = refused(refuse(c, BR_INVALID, &ids,
				    "start: not before now, within a week"));
	else if (cmd->end != 0 &&
		 (cmd->end <= start || cmd->end > start + 86400))
		rc = refused(refuse(c, BR_INVALID, &ids,
				    "end: after the start, within a day"));
	if (rc != 0 || lz_date_local(start, date) != 0)
		goto out;
	snprintf(id, sizeof(id), "%s/%" PRId64, r->rider_id, start);
	s.shift_id = id;
	s.rider_id = r->rider_id;
	s.bike_id = bk->bike_id;
	s.date = date;
	s.start = start;
	s.planned_end = cmd->end ? cmd->end : start + c->b->shift_s;
	ev.shift = &s;
	ev.at = c->now;
	if ((rc = lz_store_put_msg(c->txn, c->b->db.shifts, r->rider_id,
				   &s.base)) != 0 ||
	    (rc = lz_bus_emit(c->tx, NULL, &ev.base)) != 0)
		goto out;
	rc = dispatch(c);
out:
	drop(r);
	drop(bk);
	drop(cur);
	return rc;
}

/* The run of RIDER in progress (STARTED) today, or NULL. */
struct started {
	const char *rider;
	Run *run;
};

static int
find_started(ProtobufCMessage *m, void *arg)
{
	struct started *s = arg;
	Run *r = (Run *)m;

	if (s->run == NULL && r->status == RUN_STARTED &&
	    strcmp(r->rider_id, s->rider) == 0) {
		s->run = r;
		return 1;
	}
	return 0;
}

static int
started_run(struct call *c, const char *rider, Run **out)
{
	struct started s = {rider, NULL};
	char prefix[16], date[11];
	int rc = 0;

	*out = NULL;
	/* A run started yesterday evening is still the rider's; one of a
	 * shift declared for tomorrow may be started ahead. */
	for (int d = -1; d < 2 && rc == 0 && s.run == NULL; d++) {
		if (lz_date_local(c->now - d * 86400, date) != 0)
			continue;
		snprintf(prefix, sizeof(prefix), "%s/", date);
		rc = bikes_store_each(c->txn, c->b->db.runs, prefix,
				      &lz__bikes__v1__run__descriptor,
				      find_started, &s);
	}
	*out = s.run;
	return rc;
}

static int complete_run(struct call *c, Run *run, int64_t distance);

static int
on_end_shift(struct call *c, const ProtobufCMessage *msg)
{
	Lz__Bikes__V1__ShiftEnded ev = LZ__BIKES__V1__SHIFT_ENDED__INIT;
	Rider *r = NULL;
	Shift *s = NULL;
	Run *run = NULL;
	MDB_val k;
	int rc = actor_rider(c, &r);

	if (rc != 0)
		return rc;
	if ((rc = get_shift(c, r->rider_id, &s)) != 0)
		goto out;
	if (s == NULL) {
		rc = refused(refuse(c, BR_NO_SHIFT,
				    &(struct ids){.rider = r->rider_id},
				    "the rider is not on shift"));
		goto out;
	}
	/* A run in progress ends with the shift: what is still on the bike
	 * goes back to the relay. */
	if ((rc = started_run(c, r->rider_id, &run)) != 0 ||
	    (run && (rc = complete_run(c, run, 0)) != 0))
		goto out;
	/* A shift declared ahead and ended before its start lasted
	 * nothing. */
	s->end = c->now > s->start ? c->now : s->start;
	ev.shift = s;
	ev.at = c->now;
	k.mv_size = strlen(r->rider_id);
	k.mv_data = r->rider_id;
	if ((rc = lz_store_rc(mdb_del(c->txn, c->b->db.shifts, &k, NULL))) ||
	    (rc = lz_bus_emit(c->tx, NULL, &ev.base)) != 0)
		goto out;
	rc = dispatch(c);
out:
	drop(r);
	drop(s);
	drop(run);
	return rc;
}

/* Calls FN on every parcel (pickup) of RUN that is still in it. */
static int
each_of_run(struct call *c, const Run *run,
	    int (*pfn)(struct call *c, Parcel *p),
	    int (*kfn)(struct call *c, Pickup *k))
{
	int rc = 0;

	for (size_t s = 0; s < run->n_stops && rc == 0; s++) {
		const RunStop *st = run->stops[s];

		for (size_t i = 0; i < st->n_parcel_ids && rc == 0 && pfn;
		     i++) {
			Parcel *p = NULL;

			if ((rc = get(c, c->b->db.parcels, st->parcel_ids[i],
				      &lz__bikes__v1__parcel__descriptor,
				      &p)) == 0 &&
			    p && p->run_id &&
			    strcmp(p->run_id, run->run_id) == 0)
				rc = pfn(c, p);
			drop(p);
		}
		for (size_t i = 0; i < st->n_request_ids && rc == 0 && kfn;
		     i++) {
			Pickup *k = NULL;

			if ((rc = get(c, c->b->db.pickups, st->request_ids[i],
				      &lz__bikes__v1__pickup__descriptor,
				      &k)) == 0 &&
			    k && k->run_id &&
			    strcmp(k->run_id, run->run_id) == 0)
				rc = kfn(c, k);
			drop(k);
		}
	}
	return rc;
}

static int
board_parcel(struct call *c, Parcel *p)
{
	struct bikes_change ch = {.to = PS_ON_BIKE, .detail = "run started"};

	if (p->status != PS_PLANNED)
		return 0;
	return bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type);
}

static int
board_pickup(struct call *c, Pickup *k)
{
	struct bikes_change ch = {.to = PK_ON_BIKE, .detail = "run started"};

	if (k->status != PK_PLANNED)
		return 0;
	return bikes_pickup_change(c->b, c->tx, k, &ch, c->now, c->type);
}

static int
on_start_run(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__StartRun *cmd =
		(const Lz__Bikes__V1__StartRun *)msg;
	Rider *r = NULL;
	Shift *s = NULL;
	Run *run = NULL, *cur = NULL;
	struct ids ids = {.run = cmd->run_id, .rider = c->ev->actor};
	int rc = actor_rider(c, &r);

	if (rc != 0)
		return rc;
	if ((rc = get_run(c, cmd->run_id, &run, RUN_PLANNED, r->rider_id)))
		goto out;
	if ((rc = get_shift(c, r->rider_id, &s)) != 0 ||
	    (rc = started_run(c, r->rider_id, &cur)) != 0)
		goto out;
	if (s == NULL)
		rc = refused(refuse(c, BR_NO_SHIFT, &ids,
				    "the rider is not on shift"));
	else if (cur != NULL)
		rc = refused(refuse(c, BR_BAD_STATE, &ids,
				    "run %s is in progress", cur->run_id));
	if (rc != 0)
		goto out;
	if ((rc = bikes_run_status(c->b, c->tx, run, RUN_STARTED, c->now)))
		goto out;
	rc = each_of_run(c, run, board_parcel, board_pickup);
out:
	drop(r);
	drop(s);
	drop(run);
	drop(cur);
	return rc;
}

/* A parcel of the rider's run in progress: UNKNOWN_PARCEL,
 * NOT_ON_RIDER_RUN (not in a started run of the actor), BAD_STATE. */
static int
rider_parcel(struct call *c, const char *parcel_id, Parcel **p, int failed_ok)
{
	Rider *r = NULL;
	Run *run = NULL;
	struct ids ids = {.parcel = parcel_id, .rider = c->ev->actor};
	int rc = actor_rider(c, &r);

	*p = NULL;
	if (rc != 0)
		return rc;
	if ((rc = open_parcel(c, parcel_id, p)) != 0)
		goto out;
	if ((rc = get(c, c->b->db.runs, (*p)->run_id,
		      &lz__bikes__v1__run__descriptor, &run)) != 0)
		goto out;
	if (run == NULL || strcmp(run->rider_id, r->rider_id) != 0 ||
	    ((*p)->rider_id && strcmp((*p)->rider_id, r->rider_id) != 0))
		rc = refused(refuse(c, BR_NOT_ON_RIDER_RUN, &ids,
				    "parcel_id: not on a run of this rider"));
	else if (run->status != RUN_STARTED ||
		 !((*p)->status == PS_ON_BIKE ||
		   (failed_ok && (*p)->status == PS_FAILED)))
		rc = refused(refuse(
			c, BR_BAD_STATE, &ids, "parcel is %s, its run %s",
			bikes_parcel_status_name((int)(*p)->status),
			run->status == RUN_STARTED ? "started"
						   : "not started"));
out:
	if (rc != 0) {
		drop(*p);
		*p = NULL;
	}
	drop(r);
	drop(run);
	return rc;
}

static int
on_deliver(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__DeliverParcel *cmd =
		(const Lz__Bikes__V1__DeliverParcel *)msg;
	struct bikes_change ch = {.to = PS_DELIVERED};
	Parcel *p;
	int rc = rider_parcel(c, cmd->parcel_id, &p, 0);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (size_t i = 0; i < cmd->n_containers_collected; i++) {
		const ContainerCount *k = cmd->containers_collected[i];

		if (k->container_type == NULL ||
		    !lz_valid_id(k->container_type) || k->count > 10000 ||
		    cmd->n_containers_collected > 50) {
			drop(p);
			return refused(refuse(
				c, BR_INVALID,
				&(struct ids){.parcel = cmd->parcel_id},
				"containers_collected: at most 50 types "
				"[A-Za-z0-9._-]{1,64}, counts <= 10000"));
		}
	}
	ch.order_status = p->order_id && p->order_id[0] ? OS_DELIVERED : 0;
	ch.containers = cmd->containers_collected;
	ch.ncontainers = cmd->n_containers_collected;
	ch.detail = "delivered";
	ch.note = cmd->note && strlen(cmd->note) <= 1000 ? cmd->note : "";
	rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type);
	drop(p);
	return rc;
}

static int
on_fail(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__FailParcel *cmd =
		(const Lz__Bikes__V1__FailParcel *)msg;
	struct bikes_change ch = {.to = PS_FAILED};
	Parcel *p;
	int rc = rider_parcel(c, cmd->parcel_id, &p, 0);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	p->attempts++;
	ch.fail_reason = cmd->reason ? (int)cmd->reason : FR_OTHER;
	ch.note = cmd->note && strlen(cmd->note) <= 1000 ? cmd->note : "";
	/* The last attempt fails the order; otherwise the parcel goes back
	 * to the relay with the bike, into a later run. */
	if ((int)p->attempts >= c->b->max_attempts) {
		ch.order_status = p->order_id && p->order_id[0] ? OS_FAILED : 0;
		ch.detail = "failed: no attempt left";
	} else {
		ch.detail = "failed: back to the relay";
	}
	if ((rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type)))
		goto out;
	rc = dispatch(c);
out:
	drop(p);
	return rc;
}

static int
on_leave(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__LeaveAtRelayPoint *cmd =
		(const Lz__Bikes__V1__LeaveAtRelayPoint *)msg;
	struct bikes_change ch = {.to = PS_AT_RELAY_POINT};
	char detail[120];
	Site *site = NULL;
	Parcel *p;
	int rc = rider_parcel(c, cmd->parcel_id, &p, 1);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if ((rc = get(c, c->b->db.sites, cmd->relay_point_id,
		      &lz__orders__v1__site__descriptor, &site)) != 0)
		goto out;
	if (site == NULL || (int)site->kind != SITE_RELAY_POINT) {
		rc = refused(
			refuse(c, BR_UNKNOWN_SITE,
			       &(struct ids){.parcel = cmd->parcel_id},
			       "relay_point_id: no relay point of that id"));
		goto out;
	}
	snprintf(detail, sizeof(detail), "left at relay point %s",
		 site->site_id);
	ch.relay_point_id = site->site_id;
	/* An order failed by the last attempt stays failed: the parcel
	 * waits at the relay point all the same. */
	ch.order_status =
		p->order_id && p->order_id[0] &&
				!(p->status == PS_FAILED &&
				  (int)p->attempts >= c->b->max_attempts)
			? OS_DELIVERED
			: 0;
	ch.detail = detail;
	ch.note = cmd->note && strlen(cmd->note) <= 1000 ? cmd->note : "";
	rc = bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type);
out:
	drop(site);
	drop(p);
	return rc;
}

/* A pickup of the actor's run in progress. */
static int
rider_pickup(struct call *c, const char *request_id, Pickup **k)
{
	Rider *r = NULL;
	struct ids ids = {.request = request_id, .rider = c->ev->actor};
	int rc = actor_rider(c, &r);

	*k = NULL;
	if (rc != 0)
		return rc;
	if ((rc = get(c, c->b->db.pickups, request_id,
		      &lz__bikes__v1__pickup__descriptor, k)) != 0)
		goto out;
	if (*k == NULL)
		rc = refused(refuse(c, BR_UNKNOWN_PICKUP, &ids,
				    "request_id: no such pickup"));
	else if ((*k)->rider_id == NULL ||
		 strcmp((*k)->rider_id, r->rider_id) != 0)
		rc = refused(refuse(c, BR_NOT_ON_RIDER_RUN, &ids,
				    "request_id: not on a run of this rider"));
	else if ((*k)->status != PK_ON_BIKE)
		rc = refused(refuse(c, BR_BAD_STATE, &ids,
				    "pickup: its run has not started or it "
				    "was reported"));
out:
	if (rc != 0) {
		drop(*k);
		*k = NULL;
	}
	drop(r);
	return rc;
}

static int
on_collect(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__CollectPickup *cmd =
		(const Lz__Bikes__V1__CollectPickup *)msg;
	struct bikes_change ch = {.to = PK_COLLECTED, .detail = "collected"};
	Pickup *k;
	int rc = rider_pickup(c, cmd->request_id, &k);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (cmd->grams < 0 || cmd->grams > 1000000 ||
	    cmd->n_containers_collected > 50) {
		drop(k);
		return refused(refuse(c, BR_INVALID,
				      &(struct ids){.request = cmd->request_id},
				      "grams: 0..1000000; at most 50 "
				      "container types"));
	}
	ch.collected_grams = cmd->grams ? cmd->grams : k->grams;
	ch.containers = cmd->containers_collected;
	ch.ncontainers = cmd->n_containers_collected;
	rc = bikes_pickup_change(c->b, c->tx, k, &ch, c->now, c->type);
	drop(k);
	return rc;
}

static int
on_fail_pickup(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__FailPickup *cmd =
		(const Lz__Bikes__V1__FailPickup *)msg;
	struct bikes_change ch = {.to = PK_FAILED, .detail = "failed"};
	Pickup *k;
	int rc = rider_pickup(c, cmd->request_id, &k);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	ch.fail_reason = cmd->reason ? (int)cmd->reason : FR_OTHER;
	rc = bikes_pickup_change(c->b, c->tx, k, &ch, c->now, c->type);
	drop(k);
	return rc;
}

/* Back at the relay: what is still on the bike (not delivered, or failed
 * with attempts left) waits there again; failed for good is closed. */
static int
unload_parcel(struct call *c, Parcel *p)
{
	struct bikes_change ch = {
		.to = PS_AT_RELAY, .rider_id = "", .run_id = ""};

	if (p->status == PS_FAILED && (int)p->attempts >= c->b->max_attempts) {
		ch.to = PS_FAILED;
		ch.detail = "back at the relay, failed";
	} else if (p->status == PS_ON_BIKE || p->status == PS_FAILED) {
		ch.detail = "back at the relay";
	} else {
		return 0;
	}
	return bikes_parcel_change(c->b, c->tx, p, &ch, c->now, c->type);
}

static int
unload_pickup(struct call *c, Pickup *k)
{
	struct bikes_change ch = {0};

	if (k->status == PK_COLLECTED) {
		ch.to = PK_AT_RELAY;
		ch.detail = "unloaded at the relay";
	} else if (k->status == PK_ON_BIKE) {
		ch.to = PK_REQUESTED;
		ch.rider_id = ch.run_id = "";
		ch.detail = "not reported: requested again";
	} else {
		return 0;
	}
	return bikes_pickup_change(c->b, c->tx, k, &ch, c->now, c->type);
}

static int
complete_run(struct call *c, Run *run, int64_t distance)
{
	int rc;

	run->actual_distance_m = distance;
	if ((rc = bikes_run_status(c->b, c->tx, run, RUN_COMPLETED, c->now)))
		return rc;
	return each_of_run(c, run, unload_parcel, unload_pickup);
}

static int
on_complete_run(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__CompleteRun *cmd =
		(const Lz__Bikes__V1__CompleteRun *)msg;
	Rider *r = NULL;
	Run *run = NULL;
	int rc = actor_rider(c, &r);

	if (rc != 0)
		return rc;
	if ((rc = get_run(c, cmd->run_id, &run, RUN_STARTED, r->rider_id)))
		goto out;
	if (cmd->distance_m < 0 || cmd->distance_m > 500000) {
		rc = refused(refuse(c, BR_INVALID,
				    &(struct ids){.run = cmd->run_id},
				    "distance_m: 0..500000"));
		goto out;
	}
	if ((rc = complete_run(c, run, cmd->distance_m)) == 0)
		rc = dispatch(c);
out:
	drop(r);
	drop(run);
	return rc;
}

/* ---- dispatch ---- */

#define D(name) &lz__bikes__v1__##name##__descriptor

static const struct handler {
	const ProtobufCMessageDescriptor *desc;
	int (*fn)(struct call *c, const ProtobufCMessage *msg);
	int command; /* 1: only from the gateway */
} handlers[] = {
	{&lz__orders__v1__site_registered__descriptor, on_site, 0},
	{&lz__orders__v1__order_placed__descriptor, on_order, 0},
	{&lz__orders__v1__order_amended__descriptor, on_order, 0},
	{&lz__tours__v1__task_status_changed__descriptor, on_task, 0},
	{D(collection_requested), on_collection, 0},
	{D(register_rider), on_register_rider, 1},
	{D(register_bike), on_register_bike, 1},
	{D(plan_runs), on_plan, 1},
	{D(assign_parcel), on_assign, 1},
	{D(pin_run), on_pin, 1},
	{D(start_shift), on_start_shift, 1},
	{D(end_shift), on_end_shift, 1},
	{D(start_run), on_start_run, 1},
	{D(deliver_parcel), on_deliver, 1},
	{D(fail_parcel), on_fail, 1},
	{D(leave_at_relay_point), on_leave, 1},
	{D(collect_pickup), on_collect, 1},
	{D(fail_pickup), on_fail_pickup, 1},
	{D(complete_run), on_complete_run, 1},
};

int
bikes_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct call c = {arg, tx, lz_bus_mdb(tx), ev, ev->type, 0};
	const struct handler *h =
		lz_handler_find(handlers, LZ_ARRAY_LEN(handlers),
				sizeof(handlers[0]), ev->type);
	ProtobufCMessage *msg;
	int rc;

	if (h == NULL ||
	    (h->command && strcmp(ev->source, BIKES_SOURCE_GATEWAY) != 0))
		return 0;
	c.now = lz_event_seconds(ev);
	if ((msg = lz_event_unpack(ev, h->desc, &c.b->log_limit)) == NULL)
		return stat_add(&c, "bad_payload");
	rc = h->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc < 0 ? rc : 0;
}
