/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * follow.c -- what the impact service keeps of the events it follows, each
 * accepted only from its service (orders, tours, bikes, returns).
 * It decides nothing and emits nothing: it records, by day, what the
 * reports need (see store.h), so that a report over any period is a few
 * range scans.  An apply may run twice for the same event (a retried
 * batch): its only effects are in the transaction.
 */
#include "impact.h"

#include "lz_bus.h"
#include "lz_service.h"
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

const char *const impact_ignore_reasons[] = {
	"bad_id",      "missing",  "unknown_order", "unknown_tour",
	"unknown_run", "bad_time", "bad_quantity",  NULL,
};

/* Counts and logs an event that cannot be kept (REASON, one of
 * impact_ignore_reasons); it is consumed and changes nothing else. */
static int
ignore(struct lz_call *c, const char *reason)
{
	char name[64];

	if (lz_log_allow(&c->svc->log_limit))
		lz_log_warn("event not kept",
			    "source=%s seq=%" PRIu64 " type=%s reason=%s",
			    c->ev->source, c->ev->seq, c->ev->type, reason);
	snprintf(name, sizeof(name), "ignored/%s", reason);
	return lz_service_stat(c, name, 1);
}

/* The local date of T (or of the event when T is 0). */
static int
date_of(struct lz_call *c, int64_t t, char out[11])
{
	return lz_date_local(t > 0 ? t : c->now, out);
}

/* Stores MSG under ID in DBI, or ignores the event when ID is unusable. */
static int
put(struct lz_call *c, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg)
{
	if (!lz_valid_path(id))
		return ignore(c, "bad_id");
	return lz_store_put_msg(c->txn, dbi, id, msg);
}

static int
put_dated(struct lz_call *c, MDB_dbi dbi, const char *date, const char *id,
	  const ProtobufCMessage *msg)
{
	if (!lz_valid_path(id) || !lz_date_valid(date))
		return ignore(c, "bad_id");
	return impact_store_put_dated(c->txn, dbi, date, id, msg);
}

/* ---- orders ---- */

static int
on_member(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__MemberRegistered *e = (const void *)msg;

	if (e->member == NULL)
		return ignore(c, "missing");
	return put(c, impact_of(c)->db.members, e->member->member_id,
		   &e->member->base);
}

static int
on_site(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__SiteRegistered *e = (const void *)msg;

	if (e->site == NULL)
		return ignore(c, "missing");
	return put(c, impact_of(c)->db.sites, e->site->site_id, &e->site->base);
}

static int
on_order(struct lz_call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape */
	const Lz__Orders__V1__OrderPlaced *e = (const void *)msg;

	if (e->order == NULL)
		return ignore(c, "missing");
	return put(c, impact_of(c)->db.orders, e->order->order_id,
		   &e->order->base);
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
delivered(struct lz_call *c, const Lz__Orders__V1__OrderStatusChanged *e)
{
	Delivery d = LZ__IMPACT__V1__DELIVERY__INIT;
	Order *o = NULL;
	char date[11], flag[LZ_PATH_MAX + 16];
	int by_bike, rc;

	if ((rc = lz_store_get_msg(c->txn, impact_of(c)->db.orders, e->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0)
		return rc;
	if (o == NULL)
		return ignore(c, "unknown_order");
	snprintf(flag, sizeof(flag), "relay/%s", e->order_id);
	/* The day of the delivery is the day it was due (the start of its
	 * window): the day of the tours that served it, whenever the
	 * driver's report arrives. */
	if ((rc = impact_store_flag_get(c->txn, &impact_of(c)->db, flag,
					&by_bike)) ||
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
	if ((rc = put_dated(c, impact_of(c)->db.deliveries, date, o->order_id,
			    &d.base)) == 0)
		rc = lz_service_stat(c, "deliveries", 1);
out:
	lz__orders__v1__order__free_unpacked(o, NULL);
	return rc;
}

static int
on_order_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *e = (const void *)msg;
	char flag[LZ_PATH_MAX + 16];

	if (!lz_valid_path(e->order_id))
		return ignore(c, "bad_id");
	if (e->to == OS_AT_BIKE_RELAY) {
		snprintf(flag, sizeof(flag), "relay/%s", e->order_id);
		return impact_store_flag_set(c->txn, &impact_of(c)->db, flag);
	}
	return e->to == OS_DELIVERED ? delivered(c, e) : 0;
}

/* ---- tours ---- */

static int
on_vehicle(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__VehicleRegistered *e = (const void *)msg;

	if (e->vehicle == NULL)
		return ignore(c, "missing");
	return put(c, impact_of(c)->db.vehicles, e->vehicle->vehicle_id,
		   &e->vehicle->base);
}

static int
get_tour(struct lz_call *c, const char *id, TourRecord **out)
{
	*out = NULL;
	return lz_store_get_msg(c->txn, impact_of(c)->db.tours, id,
				&lz__impact__v1__tour_record__descriptor,
				(ProtobufCMessage **)out);
}

static int
on_tour_planned(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourPlanned *e = (const void *)msg;
	TourRecord *r = NULL, fresh = LZ__IMPACT__V1__TOUR_RECORD__INIT;
	Tour *old;
	int rc;

	if (e->tour == NULL || !lz_valid_path(e->tour->tour_id) ||
	    !lz_date_valid(e->tour->date) ||
	    strncmp(e->tour->tour_id, e->tour->date, 10) != 0)
		return ignore(c, "bad_id");
	if ((rc = get_tour(c, e->tour->tour_id, &r)) != 0)
		return rc;
	if (r == NULL)
		r = &fresh;
	old = r->tour;
	r->tour = e->tour; /* the latest revision */
	rc = lz_store_put_msg(c->txn, impact_of(c)->db.tours, e->tour->tour_id,
			      &r->base);
	r->tour = old;
	if (r != &fresh)
		lz__impact__v1__tour_record__free_unpacked(r, NULL);
	return rc;
}

static int
on_tour_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourStatusChanged *e = (const void *)msg;
	TourRecord *r = NULL;
	int rc;

	if (!lz_valid_path(e->tour_id))
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
	rc = lz_store_put_msg(c->txn, impact_of(c)->db.tours, e->tour_id,
			      &r->base);
	if (rc == 0 && r->completed &&
	    e->to == LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_COMPLETED)
		rc = lz_service_stat(c, "tours_completed", 1);
	lz__impact__v1__tour_record__free_unpacked(r, NULL);
	return rc;
}

static int
on_task(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *e = (const void *)msg;

	if (e->task == NULL)
		return ignore(c, "missing");
	return put(c, impact_of(c)->db.tasks, e->task->task_id, &e->task->base);
}

/* ---- bikes ---- */

static int
get_run(struct lz_call *c, const char *id, RunRecord **out)
{
	*out = NULL;
	return lz_store_get_msg(c->txn, impact_of(c)->db.runs, id,
				&lz__impact__v1__run_record__descriptor,
				(ProtobufCMessage **)out);
}

static int
on_run_planned(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RunPlanned *e = (const void *)msg;
	const Lz__Bikes__V1__Run *run = e->run;
	RunRecord r = LZ__IMPACT__V1__RUN_RECORD__INIT;
	char **ids;
	size_t n = 0;
	int rc;

	if (run == NULL || !lz_valid_path(run->run_id) ||
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
	rc = lz_store_put_msg(c->txn, impact_of(c)->db.runs, run->run_id,
			      &r.base);
	free(ids);
	return rc;
}

static int
on_run_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RunStatusChanged *e = (const void *)msg;
	RunRecord *r = NULL;
	int rc;

	if (!lz_valid_path(e->run_id))
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
	rc = lz_store_put_msg(c->txn, impact_of(c)->db.runs, e->run_id,
			      &r->base);
	lz__impact__v1__run_record__free_unpacked(r, NULL);
	return rc;
}

static int
on_parcel(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ParcelStatusChanged *e = (const void *)msg;
	ParcelRecord r = LZ__IMPACT__V1__PARCEL_RECORD__INIT;

	if (e->parcel == NULL)
		return ignore(c, "missing");
	r.parcel_id = e->parcel->parcel_id;
	r.member_id = e->parcel->member_id;
	r.grams = e->parcel->grams;
	return put(c, impact_of(c)->db.parcels, r.parcel_id, &r.base);
}

static int
on_shift_ended(struct lz_call *c, const ProtobufCMessage *msg)
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
	return put_dated(c, impact_of(c)->db.shifts, s->date, s->shift_id,
			 &r.base);
}

/* ---- returns ---- */

static int
on_flow(struct lz_call *c, const ProtobufCMessage *msg)
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
	return put_dated(c, impact_of(c)->db.flows, date, e->flow_id, &r.base);
}

static int
on_ledger(struct lz_call *c, const ProtobufCMessage *msg)
{
	const LedgerMoved *e = (const void *)msg;
	char date[11];

	if (date_of(c, e->at, date) != 0)
		return ignore(c, "bad_time");
	if (e->deposit_cents < 0)
		return ignore(c, "bad_quantity");
	return put_dated(c, impact_of(c)->db.ledger, date, e->movement_id,
			 &e->base);
}

const struct lz_handler impact_follows[] = {
	{&lz__orders__v1__member_registered__descriptor, on_member, "orders"},
	{&lz__orders__v1__site_registered__descriptor, on_site, "orders"},
	{&lz__orders__v1__order_placed__descriptor, on_order, "orders"},
	{&lz__orders__v1__order_amended__descriptor, on_order, "orders"},
	{&lz__orders__v1__order_status_changed__descriptor, on_order_status,
	 "orders"},
	{&lz__tours__v1__vehicle_registered__descriptor, on_vehicle, "tours"},
	{&lz__tours__v1__tour_planned__descriptor, on_tour_planned, "tours"},
	{&lz__tours__v1__tour_status_changed__descriptor, on_tour_status,
	 "tours"},
	{&lz__tours__v1__task_status_changed__descriptor, on_task, "tours"},
	{&lz__bikes__v1__run_planned__descriptor, on_run_planned, "bikes"},
	{&lz__bikes__v1__run_status_changed__descriptor, on_run_status,
	 "bikes"},
	{&lz__bikes__v1__parcel_status_changed__descriptor, on_parcel, "bikes"},
	{&lz__bikes__v1__shift_ended__descriptor, on_shift_ended, "bikes"},
	{&lz__returns__v1__flow_status_changed__descriptor, on_flow, "returns"},
	{&lz__returns__v1__ledger_moved__descriptor, on_ledger, "returns"},
};
const size_t impact_n_follows = LZ_ARRAY_LEN(impact_follows);
