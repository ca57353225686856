/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * events.c -- see events.h.
 */
#include "events.h"

#include "bikes.h"

#include "lz_bus.h"
#include "lz_store.h"

#include <string.h>

/* A parcel waits at the relay until its run starts. */
static int
waiting(int st)
{
	return st == PS_AT_RELAY || st == PS_PLANNED;
}

int
bikes_parcel_open(const struct bikes *b, const Parcel *p)
{
	switch ((int)p->status) {
	case PS_DELIVERED:
	case PS_AT_RELAY_POINT:
	case PS_RECEIVED_AT_POINT:
	case PS_HANDED_OVER:
	case PS_CANCELLED:
		return 0;
	case PS_FAILED:
		/* Failed for good once back at the relay (no run). */
		return (int)p->attempts < b->max_attempts ||
		       (p->run_id && p->run_id[0]);
	default:
		return 1;
	}
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

static int
parcel_counters(struct bikes *b, MDB_txn *txn, int from, int to)
{
	static const struct {
		int status;
		const char *stat;
	} ends[] = {
		{PS_DELIVERED, "delivered"},
		{PS_FAILED, "failed"},
		{PS_AT_RELAY_POINT, "at_relay_point"},
		{PS_CANCELLED, "cancelled"},
		{PS_RECEIVED_AT_POINT, "received_at_relay_point"},
		{PS_HANDED_OVER, "handed_over"},
	};
	int rc = 0, d = waiting(to) - waiting(from);

	if (d != 0 && (rc = bikes_store_stat_add(txn, &b->db, "waiting", d)))
		return rc;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (to == ends[i].status && from != to)
			rc = bikes_store_stat_add(txn, &b->db, ends[i].stat, 1);
	return rc;
}

int
bikes_emit(struct lz_bus_txn *tx, const char *tenant, const char *audience,
	   const ProtobufCMessage *msg)
{
	int rc;

	lz_bus_txn_set_audience(tx, audience);
	rc = lz_bus_emit(tx, tenant, msg);
	lz_bus_txn_set_audience(tx, NULL);
	return rc;
}

int
bikes_parcel_change(struct bikes *b, struct lz_bus_txn *tx, Parcel *p,
		    const struct bikes_change *ch, int64_t at,
		    const char *cause)
{
	Lz__Bikes__V1__ParcelStatusChanged ev =
		LZ__BIKES__V1__PARCEL_STATUS_CHANGED__INIT;
	char *old_rider = p->rider_id, *old_run = p->run_id;
	char *old_point = p->relay_point_id;
	int from = (int)p->status, rc;

	p->status = (Lz__Bikes__V1__ParcelStatus)ch->to;
	p->reason = (Lz__Bikes__V1__Reason)ch->reason;
	if (ch->rider_id)
		p->rider_id = (char *)ch->rider_id;
	if (ch->run_id)
		p->run_id = (char *)ch->run_id;
	if (ch->relay_point_id)
		p->relay_point_id = (char *)ch->relay_point_id;
	if ((rc = bikes_store_put_parcel(lz_bus_mdb(tx), &b->db, p,
					 bikes_parcel_open(b, p))) != 0 ||
	    (rc = parcel_counters(b, lz_bus_mdb(tx), from, ch->to)) != 0)
		goto out;
	ev.parcel = p;
	ev.from = (Lz__Bikes__V1__ParcelStatus)from;
	ev.to = (Lz__Bikes__V1__ParcelStatus)ch->to;
	ev.order_status = (uint32_t)ch->order_status;
	ev.fail_reason = (Lz__Bikes__V1__FailReason)ch->fail_reason;
	ev.relay_point_id = (char *)or_empty(ch->relay_point_id);
	ev.n_containers_collected = ch->ncontainers;
	ev.containers_collected = ch->containers;
	ev.at = at;
	ev.reason = (Lz__Bikes__V1__Reason)ch->reason;
	ev.detail = (char *)or_empty(ch->detail);
	ev.cause = (char *)or_empty(cause);
	ev.note = (char *)or_empty(ch->note);
	rc = bikes_emit(tx,
			p->member_id && p->member_id[0] ? p->member_id : NULL,
			ch->audience                    ? ch->audience
			: p->rider_id && p->rider_id[0] ? p->rider_id
							: old_rider,
			&ev.base);
out:
	p->rider_id = old_rider;
	p->run_id = old_run;
	p->relay_point_id = old_point;
	return rc;
}

static int
pickup_open(int st)
{
	return st == PK_REQUESTED || st == PK_PLANNED || st == PK_ON_BIKE;
}

int
bikes_pickup_change(struct bikes *b, struct lz_bus_txn *tx, Pickup *k,
		    const struct bikes_change *ch, int64_t at,
		    const char *cause)
{
	Lz__Bikes__V1__PickupStatusChanged ev =
		LZ__BIKES__V1__PICKUP_STATUS_CHANGED__INIT;
	char *old_rider = k->rider_id, *old_run = k->run_id;
	ContainerCount **old_c = k->containers_collected;
	size_t old_nc = k->n_containers_collected;
	int from = (int)k->status, rc;

	k->status = (Lz__Bikes__V1__PickupStatus)ch->to;
	k->reason = (Lz__Bikes__V1__Reason)ch->reason;
	if (ch->rider_id)
		k->rider_id = (char *)ch->rider_id;
	if (ch->run_id)
		k->run_id = (char *)ch->run_id;
	if (ch->collected_grams)
		k->collected_grams = ch->collected_grams;
	if (ch->ncontainers) {
		k->containers_collected = ch->containers;
		k->n_containers_collected = ch->ncontainers;
	}
	if ((rc = bikes_store_put_pickup(lz_bus_mdb(tx), &b->db, k,
					 pickup_open(ch->to))) != 0)
		goto out;
	if (ch->to == PK_COLLECTED && from != PK_COLLECTED &&
	    (rc = bikes_store_stat_add(lz_bus_mdb(tx), &b->db, "collected",
				       1)) != 0)
		goto out;
	ev.request_id = k->request_id;
	ev.site_id = k->site_id;
	ev.flow = k->flow;
	ev.grams = k->grams;
	ev.millilitres = k->millilitres;
	ev.collected_grams = k->collected_grams;
	ev.n_containers_collected = k->n_containers_collected;
	ev.containers_collected = k->containers_collected;
	ev.rider_id = k->rider_id;
	ev.run_id = k->run_id;
	ev.from = (Lz__Bikes__V1__PickupStatus)from;
	ev.to = (Lz__Bikes__V1__PickupStatus)ch->to;
	ev.at = at;
	ev.reason = (Lz__Bikes__V1__Reason)ch->reason;
	ev.detail = (char *)or_empty(ch->detail);
	ev.fail_reason = (Lz__Bikes__V1__FailReason)ch->fail_reason;
	ev.cause = (char *)or_empty(cause);
	rc = bikes_emit(tx, NULL,
			ch->audience                    ? ch->audience
			: k->rider_id && k->rider_id[0] ? k->rider_id
							: old_rider,
			&ev.base);
out:
	k->rider_id = old_rider;
	k->run_id = old_run;
	k->containers_collected = old_c;
	k->n_containers_collected = old_nc;
	return rc;
}

int
bikes_run_status(struct bikes *b, struct lz_bus_txn *tx, Run *run, int to,
		 int64_t at)
{
	Lz__Bikes__V1__RunStatusChanged ev =
		LZ__BIKES__V1__RUN_STATUS_CHANGED__INIT;
	int rc;

	ev.run_id = run->run_id;
	ev.rider_id = run->rider_id;
	ev.bike_id = run->bike_id;
	ev.from = run->status;
	ev.to = (Lz__Bikes__V1__RunStatus)to;
	ev.at = at;
	ev.date = run->date;
	run->status = (Lz__Bikes__V1__RunStatus)to;
	if (to == RUN_STARTED)
		run->started_at = at;
	if (to == RUN_COMPLETED) {
		run->completed_at = at;
		if ((rc = bikes_store_stat_add(
			     lz_bus_mdb(tx), &b->db, "ridden_m",
			     run->actual_distance_m > 0 ? run->actual_distance_m
							: run->distance_m)))
			return rc;
	}
	ev.distance_m = run->distance_m;
	ev.actual_distance_m = run->actual_distance_m;
	ev.start = run->started_at;
	ev.end = run->completed_at;
	if ((rc = lz_store_put_msg(lz_bus_mdb(tx), b->db.runs, run->run_id,
				   &run->base)) != 0)
		return rc;
	return bikes_emit(tx, NULL, run->rider_id, &ev.base);
}
