/*
 * handlers.c -- what the impact service keeps of the events it follows.
 * It decides nothing and emits nothing: it records, by day, what the
 * reports need (see store.h), so that a report over any period is a few
 * range scans.  An apply may run twice for the same event (a retried
 * batch): its only effects are in the transaction.
 */
#include "impact.h"

#include "lz_bus.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The event being applied. */
struct call {
	struct impact *im;
	MDB_txn *txn;
	const struct lz_event *ev;
	int64_t now; /* the event's time, seconds */
};

/* Most bytes of an id kept as (part of) a key. */
#define ID_MAX 200

static int
valid_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 1 && n <= ID_MAX;
}

/* Counts and logs an event that cannot be kept (REASON); it is consumed
 * and changes nothing else. */
static int
ignore(struct call *c, const char *reason)
{
	char name[64];

	if (lz_log_allow(&c->im->log_limit))
		lz_log_warn("event not kept",
			    "source=%s seq=%" PRIu64 " type=%s reason=%s",
			    c->ev->source, c->ev->seq, c->ev->type, reason);
	snprintf(name, sizeof(name), "ignored/%s", reason);
	return impact_store_stat_add(c->txn, &c->im->db, name, 1);
}

static int
count(struct call *c, const char *name)
{
	return impact_store_stat_add(c->txn, &c->im->db, name, 1);
}

/* The local date of T (or of the event when T is 0). */
static int
date_of(struct call *c, int64_t t, char out[11])
{
	return lz_date_local(t > 0 ? t : c->now, out);
}

/* Stores MSG under ID in DBI, or ignores the event when ID is unusable. */
static int
put(struct call *c, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg)
{
	if (!valid_id(id))
		return ignore(c, "bad_id");
	return lz_store_put_msg(c->txn, dbi, id, msg);
}

static int
put_dated(struct call *c, MDB_dbi dbi, const char *date, const char *id,
	  const ProtobufCMessage *msg)
{
	if (!valid_id(id) || !lz_date_valid(date))
		return ignore(c, "bad_id");
	return impact_store_put_dated(c->txn, dbi, date, id, msg);
}

/* ---- orders ---- */

static int
on_member(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__MemberRegistered *e = (const void *)msg;

	if (e->member == NULL)
		return ignore(c, "missing");
	return put(c, c->im->db.members, e->member->member_id,
		   &e->member->base);
}

static int
on_site(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__SiteRegistered *e = (const void *)msg;

	if (e->site == NULL)
		return ignore(c, "missing");
	return put(c, c->im->db.sites, e->site->site_id, &e->site->base);
}

static int
on_order(struct call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape */
	const Lz__Orders__V1__OrderPlaced *e = (const void *)msg;

	if (e->order == NULL)
		return ignore(c, "missing");
	return put(c, c->im->db.orders, e->order->order_id, &e->order->base);
}

static int64_t
order_grams(const Order *o)
{
	int64_t g = 0;

	for (size_t i = 0; i < o->n_lines; i++)
		g += (int64_t)o->lines[i]->quantity * o->lines[i]->unit_grams;
	return g;
}

static int
delivered(struct call *c, const Lz__Orders__V1__OrderStatusChanged *e)
{
	Delivery d = LZ__IMPACT__V1__DELIVERY__INIT;
	Order *o = NULL;
	char date[11], flag[ID_MAX + 16];
	int by_bike, rc;

	if ((rc = lz_store_get_msg(c->txn, c->im->db.orders, e->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0)
		return rc;
	if (o == NULL)
		return ignore(c, "unknown_order");
	snprintf(flag, sizeof(flag), "relay/%s", e->order_id);
	/* The day of the delivery is the day it was due (the start of its
	 * window): the day of the tours that served it, whenever the
	 * driver's report arrives. */
	if ((rc = impact_store_flag_get(c->txn, &c->im->db, flag, &by_bike)) ||
	    (rc = date_of(c,
			  o->delivery_window && o->delivery_window->start > 0
				  ? o->delivery_window->start
				  : e->at,
			  date)) != 0) {
		rc = rc == -EINVAL ? ignore(c, "bad_time") : rc;
		goto out;
	}
	d.order_id = o->order_id;
	d.member_id = o->member_id;
	d.date = date;
	d.at = e->at > 0 ? e->at : c->now;
	d.by_bike = by_bike;
	d.source = o->source;
	d.pickup_site_id = o->pickup_site_id;
	d.destination_site_id = o->destination_site_id;
	d.grams = order_grams(o);
	if ((rc = put_dated(c, c->im->db.deliveries, date, o->order_id,
			    &d.base)) == 0)
		rc = count(c, "deliveries");
out:
	lz__orders__v1__order__free_unpacked(o, NULL);
	return rc;
}

static int
on_order_status(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *e = (const void *)msg;
	char flag[ID_MAX + 16];

	if (!valid_id(e->order_id))
		return ignore(c, "bad_id");
	if (e->to == OS_AT_BIKE_RELAY) {
		snprintf(flag, sizeof(flag), "relay/%s", e->order_id);
		return impact_store_flag_set(c->txn, &c->im->db, flag);
	}
	return e->to == OS_DELIVERED ? delivered(c, e) : 0;
}

/* ---- tours ---- */

static int
on_vehicle(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__VehicleRegistered *e = (const void *)msg;

	if (e->vehicle == NULL)
		return ignore(c, "missing");
	return put(c, c->im->db.vehicles, e->vehicle->vehicle_id,
		   &e->vehicle->base);
}

static int
get_tour(struct call *c, const char *id, TourRecord **out)
{
	*out = NULL;
	return lz_store_get_msg(c->txn, c->im->db.tours, id,
				&lz__impact__v1__tour_record__descriptor,
				(ProtobufCMessage **)out);
}

static int
on_tour_planned(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourPlanned *e = (const void *)msg;
	TourRecord *r = NULL, fresh = LZ__IMPACT__V1__TOUR_RECORD__INIT;
	Tour *old;
	int rc;

	if (e->tour == NULL || !valid_id(e->tour->tour_id) ||
	    !lz_date_valid(e->tour->date) ||
	    strncmp(e->tour->tour_id, e->tour->date, 10) != 0)
		return ignore(c, "bad_id");
	if ((rc = get_tour(c, e->tour->tour_id, &r)) != 0)
		return rc;
	if (r == NULL)
		r = &fresh;
	old = r->tour;
	r->tour = e->tour; /* the latest revision */
	rc = lz_store_put_msg(c->txn, c->im->db.tours, e->tour->tour_id,
			      &r->base);
	r->tour = old;
	if (r != &fresh)
		lz__impact__v1__tour_record__free_unpacked(r, NULL);
	return rc;
}

static int
on_tour_status(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourStatusChanged *e = (const void *)msg;
	TourRecord *r = NULL;
	int rc;

	if (!valid_id(e->tour_id))
		return ignore(c, "bad_id");
	if ((rc = get_tour(c, e->tour_id, &r)) != 0)
		return rc;
	if (r == NULL)
		return ignore(c, "unknown_tour");
	if (e->to == LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_STARTED) {
		r->odometer_start_km = e->odometer_km;
		r->started_at = e->at;
	} else if (e->to == LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_COMPLETED) {
		r->odometer_end_km = e->odometer_km;
		r->completed_at = e->at;
		r->completed = 1;
	}
	rc = lz_store_put_msg(c->txn, c->im->db.tours, e->tour_id, &r->base);
	if (rc == 0 && r->completed &&
	    e->to == LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_COMPLETED)
		rc = count(c, "tours_completed");
	lz__impact__v1__tour_record__free_unpacked(r, NULL);
	return rc;
}

static int
on_task(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *e = (const void *)msg;

	if (e->task == NULL)
		return ignore(c, "missing");
	return put(c, c->im->db.tasks, e->task->task_id, &e->task->base);
}

/* ---- bikes ---- */

static int
get_run(struct call *c, const char *id, RunRecord **out)
{
	*out = NULL;
	return lz_store_get_msg(c->txn, c->im->db.runs, id,
				&lz__impact__v1__run_record__descriptor,
				(ProtobufCMessage **)out);
}

static int
on_run_planned(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RunPlanned *e = (const void *)msg;
	const Lz__Bikes__V1__Run *run = e->run;
	RunRecord r = LZ__IMPACT__V1__RUN_RECORD__INIT;
	char **ids;
	size_t n = 0;
	int rc;

	if (run == NULL || !valid_id(run->run_id) ||
	    !lz_date_valid(run->date) ||
	    strncmp(run->run_id, run->date, 10) != 0)
		return ignore(c, "bad_id");
	for (size_t s = 0; s < run->n_stops; s++)
		n += run->stops[s]->n_parcel_ids;
	ids = xcalloc(n + 1, sizeof(*ids));
	n = 0;
	for (size_t s = 0; s < run->n_stops; s++)
		for (size_t p = 0; p < run->stops[s]->n_parcel_ids; p++)
			ids[n++] = run->stops[s]->parcel_ids[p];
	r.run_id = run->run_id;
	r.date = run->date;
	r.rider_id = run->rider_id;
	r.distance_m = run->distance_m;
	r.n_parcel_ids = n;
	r.parcel_ids = ids;
	rc = lz_store_put_msg(c->txn, c->im->db.runs, run->run_id, &r.base);
	free(ids);
	return rc;
}

static int
on_run_status(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RunStatusChanged *e = (const void *)msg;
	RunRecord *r = NULL;
	int rc;

	if (!valid_id(e->run_id))
		return ignore(c, "bad_id");
	if ((rc = get_run(c, e->run_id, &r)) != 0)
		return rc;
	if (r == NULL)
		return ignore(c, "unknown_run");
	if (e->to == LZ__BIKES__V1__RUN_STATUS__RUN_STATUS_COMPLETED) {
		r->completed = 1;
		r->actual_distance_m =
			e->actual_distance_m > 0 ? e->actual_distance_m : 0;
		if (e->distance_m > 0)
			r->distance_m = e->distance_m;
	}
	rc = lz_store_put_msg(c->txn, c->im->db.runs, e->run_id, &r->base);
	lz__impact__v1__run_record__free_unpacked(r, NULL);
	return rc;
}

static int
on_parcel(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ParcelStatusChanged *e = (const void *)msg;
	ParcelRecord r = LZ__IMPACT__V1__PARCEL_RECORD__INIT;

	if (e->parcel == NULL)
		return ignore(c, "missing");
	r.parcel_id = e->parcel->parcel_id;
	r.member_id = e->parcel->member_id;
	r.grams = e->parcel->grams;
	return put(c, c->im->db.parcels, r.parcel_id, &r.base);
}

static int
on_shift_ended(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ShiftEnded *e = (const void *)msg;
	ShiftRecord r = LZ__IMPACT__V1__SHIFT_RECORD__INIT;
	const Lz__Bikes__V1__Shift *s = e->shift;

	if (s == NULL)
		return ignore(c, "missing");
	r.shift_id = s->shift_id;
	r.rider_id = s->rider_id;
	r.date = s->date;
	r.start = s->start;
	r.end = s->end > 0 ? s->end : e->at;
	if (r.end < r.start)
		return ignore(c, "bad_time");
	return put_dated(c, c->im->db.shifts, s->date, s->shift_id, &r.base);
}

/* ---- returns ---- */

static int
on_flow(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__FlowStatusChanged *e = (const void *)msg;
	FlowRecord r = LZ__IMPACT__V1__FLOW_RECORD__INIT;
	char date[11];

	if (e->status != LZ__RETURNS__V1__FLOW_STATUS__FLOW_STATUS_CLOSED)
		return 0;
	if (date_of(c, e->at, date) != 0)
		return ignore(c, "bad_time");
	r.flow_id = e->flow_id;
	r.member_id = e->member_id;
	r.date = date;
	r.level = e->level;
	r.kind = e->kind;
	r.grams = e->actual_grams;
	if (r.grams < 0)
		return ignore(c, "bad_quantity");
	return put_dated(c, c->im->db.flows, date, e->flow_id, &r.base);
}

static int
on_ledger(struct call *c, const ProtobufCMessage *msg)
{
	const LedgerMoved *e = (const void *)msg;
	char date[11];

	if (date_of(c, e->at, date) != 0)
		return ignore(c, "bad_time");
	if (e->deposit_cents < 0)
		return ignore(c, "bad_quantity");
	return put_dated(c, c->im->db.ledger, date, e->movement_id, &e->base);
}

/* ---- dispatch ---- */

static const struct handler {
	const ProtobufCMessageDescriptor *desc;
	int (*fn)(struct call *c, const ProtobufCMessage *msg);
} handlers[] = {
	{&lz__orders__v1__member_registered__descriptor, on_member},
	{&lz__orders__v1__site_registered__descriptor, on_site},
	{&lz__orders__v1__order_placed__descriptor, on_order},
	{&lz__orders__v1__order_amended__descriptor, on_order},
	{&lz__orders__v1__order_status_changed__descriptor, on_order_status},
	{&lz__tours__v1__vehicle_registered__descriptor, on_vehicle},
	{&lz__tours__v1__tour_planned__descriptor, on_tour_planned},
	{&lz__tours__v1__tour_status_changed__descriptor, on_tour_status},
	{&lz__tours__v1__task_status_changed__descriptor, on_task},
	{&lz__bikes__v1__run_planned__descriptor, on_run_planned},
	{&lz__bikes__v1__run_status_changed__descriptor, on_run_status},
	{&lz__bikes__v1__parcel_status_changed__descriptor, on_parcel},
	{&lz__bikes__v1__shift_ended__descriptor, on_shift_ended},
	{&lz__returns__v1__flow_status_changed__descriptor, on_flow},
	{&lz__returns__v1__ledger_moved__descriptor, on_ledger},
};

int
impact_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct call c = {arg, lz_bus_mdb(tx), ev, lz_event_seconds(ev)};
	const struct handler *h =
		lz_handler_find(handlers, LZ_ARRAY_LEN(handlers),
				sizeof(handlers[0]), ev->type);
	ProtobufCMessage *msg;
	int rc;

	if (h == NULL)
		return 0;
	if ((msg = lz_event_unpack(ev, h->desc, &c.im->log_limit)) == NULL)
		return impact_store_stat_add(c.txn, &c.im->db,
					     "ignored/bad_payload", 1);
	rc = h->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	if (rc == 0)
		rc = count(&c, "events");
	return rc < 0 ? rc : 0;
}

/* ---- metrics ---- */

static const struct lz_stat_metric stat_metrics[] = {
	{"events", "lz_impact_events_total", "Events recorded", NULL, 0, 0},
	{"deliveries", "lz_impact_deliveries_total",
	 "Orders delivered recorded", NULL, 0, 0},
	{"tours_completed", "lz_impact_tours_completed_total",
	 "Van tours completed recorded", NULL, 0, 0},
	{"ignored", "lz_impact_ignored_total", "Events not kept, by reason",
	 "reason", 0, 0},
};

void
impact_sync_metrics(void *arg)
{
	struct impact *im = arg;

	lz_store_sync_metrics(im->store, im->db.meta, "stat/", im->metrics,
			      stat_metrics, LZ_ARRAY_LEN(stat_metrics));
}
