/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.c -- the partners' commands to the bikes service (from the
 * gateway): the operators' fleet (riders, bikes), planning (PlanRuns,
 * AssignParcel, PinRun), the riders' phones (shifts, runs and their
 * reports on parcels and pickups: each rider on its own runs only,
 * NOT_ON_RIDER_RUN otherwise), and the relay points' reports on the
 * parcels left with them (ConfirmAtRelayPoint, HandOverParcel: a relay
 * point of the sender's member only, unless an operator,
 * NOT_YOUR_RELAY_POINT otherwise).  Each is checked here, written with
 * store.c and events.c, and emitted in the same transaction; every refusal
 * is a CommandRefused and changes nothing else.  What changes who can ride
 * what asks for a re-planning (dispatch.c, after the commit).
 *
 * As in every service an apply may run twice for the same event (a retried
 * batch): its only effects are in the transaction.
 */
#include "bikes.h"
#include "dispatch.h"
#include "events.h"

#include "lz_bus.h"
#include "lz_date.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fleet (operators) ---- */

static int
on_register_rider(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RegisterRider *cmd =
		(const Lz__Bikes__V1__RegisterRider *)msg;
	Lz__Bikes__V1__RiderRegistered ev =
		LZ__BIKES__V1__RIDER_REGISTERED__INIT;
	const Rider *r = cmd->rider;
	int rc;

	if (r == NULL || !lz_valid_id(r->rider_id))
		return lz_service_refuse(c, BR_INVALID, NULL,
					 "rider.rider_id: 1..64 characters of "
					 "[A-Za-z0-9._-]");
	if (!lz_valid_text(r->name, 200) || !lz_valid_text(r->note, 1000))
		return lz_service_refuse(
			c, BR_INVALID, LZ_IDS("rider_id", r->rider_id),
			"rider.name, note: at most 200 and 1000 "
			"bytes of UTF-8");
	if ((rc = lz_store_put_msg(c->txn, bikes_of(c)->db.riders, r->rider_id,
				   &r->base)) != 0)
		return rc;
	ev.rider = (Rider *)r;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

static int
on_register_bike(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__RegisterBike *cmd =
		(const Lz__Bikes__V1__RegisterBike *)msg;
	Lz__Bikes__V1__BikeRegistered ev = LZ__BIKES__V1__BIKE_REGISTERED__INIT;
	const Bike *bk = cmd->bike;
	int rc;

	if (bk == NULL || !lz_valid_id(bk->bike_id))
		return lz_service_refuse(c, BR_INVALID, NULL,
					 "bike.bike_id: 1..64 characters of "
					 "[A-Za-z0-9._-]");
	if (bk->capacity_grams <= 0 || bk->capacity_millilitres <= 0 ||
	    bk->capacity_grams > 1000000 ||
	    bk->capacity_millilitres > 10000000 ||
	    !lz_valid_text(bk->name, 200))
		return lz_service_refuse(c, BR_INVALID,
					 LZ_IDS("bike_id", bk->bike_id),
					 "bike.capacity_grams: 1..1000000, "
					 "capacity_millilitres: 1..10000000, "
					 "name: at most 200 bytes of UTF-8");
	if ((rc = lz_store_put_msg(c->txn, bikes_of(c)->db.bikes, bk->bike_id,
				   &bk->base)) != 0)
		return rc;
	ev.bike = (Bike *)bk;
	if ((rc = lz_bus_emit(c->tx, NULL, &ev.base)) != 0)
		return rc;
	return bikes_ask_replan(c);
}

/* ---- planning (operators) ---- */

static int
on_plan(struct lz_call *c, const ProtobufCMessage *msg)
{
	return bikes_ask_replan(c);
}

static int
open_parcel(struct lz_call *c, const char *id, Parcel **p)
{
	int rc = bikes_get(c, bikes_of(c)->db.parcels, id,
			   &lz__bikes__v1__parcel__descriptor, p);

	if (rc != 0)
		return rc;
	if (*p == NULL)
		return lz_service_refuse(c, BR_UNKNOWN_PARCEL,
					 LZ_IDS("parcel_id", id),
					 "parcel_id: no such parcel");
	return 0;
}

static int
on_assign(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__AssignParcel *cmd =
		(const Lz__Bikes__V1__AssignParcel *)msg;
	const char *const *ids =
		LZ_IDS("parcel_id", cmd->parcel_id, "rider_id", cmd->rider_id);
	struct bikes_change ch = {0};
	char detail[120];
	Parcel *p = NULL;
	Rider *r = NULL;
	int rc = open_parcel(c, cmd->parcel_id, &p);

	if (rc != 0)
		return rc;
	if (cmd->rider_id && cmd->rider_id[0])
		rc = bikes_get(c, bikes_of(c)->db.riders, cmd->rider_id,
			       &lz__bikes__v1__rider__descriptor, &r);
	if (rc == 0 && cmd->rider_id && cmd->rider_id[0] && r == NULL)
		rc = lz_service_refuse(c, BR_UNKNOWN_RIDER, ids,
				       "rider_id: no such rider");
	else if (rc == 0 && p->status != PS_EXPECTED &&
		 p->status != PS_AT_RELAY && p->status != PS_PLANNED)
		rc = lz_service_refuse(
			c, BR_BAD_STATE, ids, "parcel is %s",
			bikes_parcel_status_name((int)p->status));
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
		rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
					 c->ev->type);
		p->assigned_rider_id = old;
		if (rc == 0)
			rc = bikes_ask_replan(c);
	}
	bikes_store_drop(r);
	bikes_store_drop(p);
	return rc;
}

/* The report being applied happened AT (0: when received): checked
 * against RUN's day and start, it is the call's time from here on. */
static int
report_at(struct lz_call *c, const Run *run, int64_t at, const char *const *ids)
{
	const char *why = NULL;

	if (lz_date_report_time(run->date, run->started_at, at, c->now, &c->now,
				&why) == 0)
		return 0;
	return lz_service_refuse(c, BR_INVALID, ids, "%s", why);
}

/* Run ID in status WANT (of RIDER when not NULL), whose report happened
 * AT; otherwise refuses. */
static int
get_run(struct lz_call *c, const char *id, Run **run, int want,
	const char *rider, int64_t at)
{
	const char *const *ids = LZ_IDS("run_id", id, "rider_id", rider);
	int rc = bikes_get(c, bikes_of(c)->db.runs, id,
			   &lz__bikes__v1__run__descriptor, run);

	if (rc != 0)
		return rc;
	if (*run == NULL)
		return lz_service_refuse(c, BR_UNKNOWN_RUN, ids,
					 "run_id: no such run");
	if (rider && strcmp((*run)->rider_id, rider) != 0)
		rc = lz_service_refuse(c, BR_NOT_ON_RIDER_RUN, ids,
				       "run_id: the run of another rider");
	else if ((int)(*run)->status != want)
		rc = lz_service_refuse(c, BR_BAD_STATE, ids, "run is not %s",
				       want == RUN_PLANNED ? "planned"
							   : "started");
	else
		rc = report_at(c, *run, at, ids);
	if (rc != 0) {
		bikes_store_drop(*run);
		*run = NULL;
	}
	return rc;
}

static int
on_pin(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__PinRun *cmd = (const Lz__Bikes__V1__PinRun *)msg;
	Run *run = NULL;
	int rc = get_run(c, cmd->run_id, &run, RUN_PLANNED, NULL, 0);

	if (rc != 0)
		return rc;
	rc = bikes_pin(bikes_of(c), c->tx, run, cmd->site_ids, cmd->n_site_ids,
		       c->now);
	if (rc > 0)
		rc = lz_service_refuse(
			c, rc, LZ_IDS("run_id", cmd->run_id), "%s",
			rc == BR_INVALID ? "site_ids: each site of the run once"
			: rc == BR_TIME_WINDOW ? "that order misses a window"
			: rc == BR_TOO_HEAVY   ? "that order overloads the bike"
					       : "no bike relay");
	bikes_store_drop(run);
	return rc;
}

/* ---- riders' phones ---- */

/* The rider behind the command: the gateway's authenticated partner, or
 * NAMED when an operator reports for a rider (refused from anyone else). */
static int
actor_rider(struct lz_call *c, const char *named, Rider **r)
{
	int for_rider = named != NULL && named[0] != '\0';
	const char *a = for_rider ? named : c->ev->actor;
	int rc;

	*r = NULL;
	if (for_rider && !lz_service_actor_has_role(c, "operator"))
		return lz_service_refuse(
			c, BR_INVALID, LZ_IDS("rider_id", named),
			"rider_id: only an operator reports for a rider");
	if ((rc = bikes_get(c, bikes_of(c)->db.riders, a,
			    &lz__bikes__v1__rider__descriptor, r)) != 0)
		return rc;
	if (*r == NULL)
		return lz_service_refuse(
			c, BR_UNKNOWN_RIDER, LZ_IDS("rider_id", a),
			for_rider ? "rider_id: no such rider"
				  : "the partner is not a registered rider");
	return 0;
}

static int
get_shift(struct lz_call *c, const char *rider, Shift **s)
{
	return bikes_get(c, bikes_of(c)->db.shifts, rider,
			 &lz__bikes__v1__shift__descriptor, s);
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
on_start_shift(struct lz_call *c, const ProtobufCMessage *msg)
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
	int rc = actor_rider(c, cmd->rider_id, &r);
	const char *const *ids =
		LZ_IDS("rider_id", c->ev->actor, "bike_id", cmd->bike_id);
	int64_t start = cmd->start ? cmd->start : c->now;

	if (rc != 0)
		return rc;
	if ((rc = bikes_get(c, bikes_of(c)->db.bikes, cmd->bike_id,
			    &lz__bikes__v1__bike__descriptor, &bk)) != 0 ||
	    (rc = get_shift(c, r->rider_id, &cur)) != 0 ||
	    (rc = bikes_store_each(c->txn, bikes_of(c)->db.shifts, "",
				   &lz__bikes__v1__shift__descriptor, bike_used,
				   &use)) != 0)
		goto out;
	if (bk == NULL)
		rc = lz_service_refuse(c, BR_UNKNOWN_BIKE, ids,
				       "bike_id: no such bike");
	else if (cur != NULL)
		rc = lz_service_refuse(c, BR_ON_SHIFT, ids,
				       "the rider is already on shift");
	else if (use.used)
		rc = lz_service_refuse(c, BR_ON_SHIFT, ids,
				       "bike_id: ridden by another rider");
	else if (cmd->start != 0 &&
		 (cmd->start < c->now || cmd->start > c->now + 7 * 86400))
		rc = lz_service_refuse(c, BR_INVALID, ids,
				       "start: not before now, within a week");
	else if (cmd->end != 0 &&
		 (cmd->end <= start || cmd->end > start + 86400))
		rc = lz_service_refuse(c, BR_INVALID, ids,
				       "end: after the start, within a day");
	if (rc != 0 || lz_date_local(start, date) != 0)
		goto out;
	snprintf(id, sizeof(id), "%s/%" PRId64, r->rider_id, start);
	s.shift_id = id;
	s.rider_id = r->rider_id;
	s.bike_id = bk->bike_id;
	s.date = date;
	s.start = start;
	s.planned_end = cmd->end ? cmd->end : start + bikes_of(c)->shift_s;
	ev.shift = &s;
	ev.at = c->now;
	if ((rc = lz_store_put_msg(c->txn, bikes_of(c)->db.shifts, r->rider_id,
				   &s.base)) != 0 ||
	    (rc = bikes_emit(c->tx, NULL, r->rider_id, &ev.base)) != 0)
		goto out;
	rc = bikes_ask_replan(c);
out:
	bikes_store_drop(r);
	bikes_store_drop(bk);
	bikes_store_drop(cur);
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
started_run(struct lz_call *c, const char *rider, Run **out)
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
		rc = bikes_store_each(c->txn, bikes_of(c)->db.runs, prefix,
				      &lz__bikes__v1__run__descriptor,
				      find_started, &s);
	}
	*out = s.run;
	return rc;
}

static int complete_run(struct lz_call *c, Run *run, int64_t distance);

static int
on_end_shift(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__EndShift *cmd =
		(const Lz__Bikes__V1__EndShift *)msg;
	Lz__Bikes__V1__ShiftEnded ev = LZ__BIKES__V1__SHIFT_ENDED__INIT;
	Rider *r = NULL;
	Shift *s = NULL;
	Run *run = NULL;
	MDB_val k;
	int rc = actor_rider(c, cmd->rider_id, &r);

	if (rc != 0)
		return rc;
	if ((rc = get_shift(c, r->rider_id, &s)) != 0)
		goto out;
	if (s == NULL) {
		rc = lz_service_refuse(c, BR_NO_SHIFT,
				       LZ_IDS("rider_id", r->rider_id),
				       "the rider is not on shift");
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
	if ((rc = lz_store_rc(
		     mdb_del(c->txn, bikes_of(c)->db.shifts, &k, NULL))) ||
	    (rc = bikes_emit(c->tx, NULL, r->rider_id, &ev.base)) != 0)
		goto out;
	rc = bikes_ask_replan(c);
out:
	bikes_store_drop(r);
	bikes_store_drop(s);
	bikes_store_drop(run);
	return rc;
}

/* Calls FN on every parcel (pickup) of RUN that is still in it. */
static int
each_of_run(struct lz_call *c, const Run *run,
	    int (*pfn)(struct lz_call *c, const Run *run, Parcel *p),
	    int (*kfn)(struct lz_call *c, const Run *run, Pickup *k))
{
	int rc = 0;

	for (size_t s = 0; s < run->n_stops && rc == 0; s++) {
		const RunStop *st = run->stops[s];

		for (size_t i = 0; i < st->n_parcel_ids && rc == 0 && pfn;
		     i++) {
			Parcel *p = NULL;

			if ((rc = bikes_get(c, bikes_of(c)->db.parcels,
					    st->parcel_ids[i],
					    &lz__bikes__v1__parcel__descriptor,
					    &p)) == 0 &&
			    p && p->run_id &&
			    strcmp(p->run_id, run->run_id) == 0)
				rc = pfn(c, run, p);
			bikes_store_drop(p);
		}
		for (size_t i = 0; i < st->n_request_ids && rc == 0 && kfn;
		     i++) {
			Pickup *k = NULL;

			if ((rc = bikes_get(c, bikes_of(c)->db.pickups,
					    st->request_ids[i],
					    &lz__bikes__v1__pickup__descriptor,
					    &k)) == 0 &&
			    k && k->run_id &&
			    strcmp(k->run_id, run->run_id) == 0)
				rc = kfn(c, run, k);
			bikes_store_drop(k);
		}
	}
	return rc;
}

static int
board_parcel(struct lz_call *c, const Run *run, Parcel *p)
{
	struct bikes_change ch = {.to = PS_ON_BIKE, .detail = "run started"};

	if (p->status != PS_PLANNED)
		return 0;
	return bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				   c->ev->type);
}

static int
board_pickup(struct lz_call *c, const Run *run, Pickup *k)
{
	struct bikes_change ch = {.to = PK_ON_BIKE, .detail = "run started"};

	if (k->status != PK_PLANNED)
		return 0;
	return bikes_pickup_change(bikes_of(c), c->tx, k, &ch, c->now,
				   c->ev->type);
}

static int
on_start_run(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__StartRun *cmd =
		(const Lz__Bikes__V1__StartRun *)msg;
	Rider *r = NULL;
	Shift *s = NULL;
	Run *run = NULL, *cur = NULL;
	const char *const *ids =
		LZ_IDS("run_id", cmd->run_id, "rider_id", c->ev->actor);
	int rc = actor_rider(c, cmd->rider_id, &r);

	if (rc != 0)
		return rc;
	if ((rc = get_run(c, cmd->run_id, &run, RUN_PLANNED, r->rider_id,
			  cmd->at)))
		goto out;
	if ((rc = get_shift(c, r->rider_id, &s)) != 0 ||
	    (rc = started_run(c, r->rider_id, &cur)) != 0)
		goto out;
	if (s == NULL)
		rc = lz_service_refuse(c, BR_NO_SHIFT, ids,
				       "the rider is not on shift");
	else if (cur != NULL)
		rc = lz_service_refuse(c, BR_BAD_STATE, ids,
				       "run %s is in progress", cur->run_id);
	if (rc != 0)
		goto out;
	if ((rc = bikes_run_status(bikes_of(c), c->tx, run, RUN_STARTED,
				   c->now)))
		goto out;
	rc = each_of_run(c, run, board_parcel, board_pickup);
out:
	bikes_store_drop(r);
	bikes_store_drop(s);
	bikes_store_drop(run);
	bikes_store_drop(cur);
	return rc;
}

/* A parcel of the rider's run in progress: UNKNOWN_PARCEL,
 * NOT_ON_RIDER_RUN (not in a started run of the actor), BAD_STATE. */
static int
rider_parcel(struct lz_call *c, const char *parcel_id, int64_t at,
	     const char *rider_id, Parcel **p, int failed_ok)
{
	Rider *r = NULL;
	Run *run = NULL;
	const char *const *ids =
		LZ_IDS("parcel_id", parcel_id, "rider_id", c->ev->actor);
	int rc = actor_rider(c, rider_id, &r);

	*p = NULL;
	if (rc != 0)
		return rc;
	if ((rc = open_parcel(c, parcel_id, p)) != 0)
		goto out;
	if ((rc = bikes_get(c, bikes_of(c)->db.runs, (*p)->run_id,
			    &lz__bikes__v1__run__descriptor, &run)) != 0)
		goto out;
	if (run == NULL || strcmp(run->rider_id, r->rider_id) != 0 ||
	    ((*p)->rider_id && strcmp((*p)->rider_id, r->rider_id) != 0))
		rc = lz_service_refuse(c, BR_NOT_ON_RIDER_RUN, ids,
				       "parcel_id: not on a run of this rider");
	else if (run->status != RUN_STARTED ||
		 !((*p)->status == PS_ON_BIKE ||
		   (failed_ok && (*p)->status == PS_FAILED)))
		rc = lz_service_refuse(
			c, BR_BAD_STATE, ids, "parcel is %s, its run %s",
			bikes_parcel_status_name((int)(*p)->status),
			run->status == RUN_STARTED ? "started" : "not started");
	else
		rc = report_at(c, run, at, ids);
out:
	if (rc != 0) {
		bikes_store_drop(*p);
		*p = NULL;
	}
	bikes_store_drop(r);
	bikes_store_drop(run);
	return rc;
}

static int
on_deliver(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__DeliverParcel *cmd =
		(const Lz__Bikes__V1__DeliverParcel *)msg;
	struct bikes_change ch = {.to = PS_DELIVERED};
	Parcel *p;
	int rc = rider_parcel(c, cmd->parcel_id, cmd->at, cmd->rider_id, &p, 0);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (size_t i = 0; i < cmd->n_containers_collected; i++) {
		const ContainerCount *k = cmd->containers_collected[i];

		if (k->container_type == NULL ||
		    !lz_valid_id(k->container_type) || k->count > 10000 ||
		    cmd->n_containers_collected > 50) {
			bikes_store_drop(p);
			return lz_service_refuse(
				c, BR_INVALID,
				LZ_IDS("parcel_id", cmd->parcel_id),
				"containers_collected: at most 50 types "
				"[A-Za-z0-9._-]{1,64}, counts <= 10000");
		}
	}
	ch.order_status = p->order_id && p->order_id[0] ? OS_DELIVERED : 0;
	ch.containers = cmd->containers_collected;
	ch.ncontainers = cmd->n_containers_collected;
	ch.detail = "delivered";
	ch.note = lz_valid_text(cmd->note, 1000) ? cmd->note : "";
	rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				 c->ev->type);
	bikes_store_drop(p);
	return rc;
}

static int
on_fail(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__FailParcel *cmd =
		(const Lz__Bikes__V1__FailParcel *)msg;
	struct bikes_change ch = {.to = PS_FAILED};
	Parcel *p;
	Run *run = NULL;
	int rc = rider_parcel(c, cmd->parcel_id, cmd->at, cmd->rider_id, &p, 0);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	p->attempts++;
	/* Never planned again before the failure, nor before its bike is
	 * back (planned here; reported: unload_parcel), plus handling. */
	if ((rc = bikes_get(c, bikes_of(c)->db.runs, p->run_id,
			    &lz__bikes__v1__run__descriptor, &run)) != 0)
		goto out;
	p->ready_at =
		bikes_ready_next(p->ready_at, BIKES_READY_FAILED, c->now,
				 run ? run->end : 0, bikes_of(c)->handling_s);
	bikes_store_drop(run);
	ch.fail_reason = cmd->reason ? (int)cmd->reason : FR_OTHER;
	ch.note = lz_valid_text(cmd->note, 1000) ? cmd->note : "";
	/* The last attempt fails the order; otherwise the parcel goes back
	 * to the relay with the bike, into a later run. */
	if ((int)p->attempts >= bikes_of(c)->max_attempts) {
		ch.order_status = p->order_id && p->order_id[0] ? OS_FAILED : 0;
		ch.detail = "failed: no attempt left";
	} else {
		ch.detail = "failed: back to the relay";
	}
	if ((rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				      c->ev->type)))
		goto out;
	rc = bikes_ask_replan(c);
out:
	bikes_store_drop(p);
	return rc;
}

static int
on_leave(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__LeaveAtRelayPoint *cmd =
		(const Lz__Bikes__V1__LeaveAtRelayPoint *)msg;
	struct bikes_change ch = {.to = PS_AT_RELAY_POINT};
	char detail[120];
	Site *site = NULL;
	Parcel *p;
	int rc = rider_parcel(c, cmd->parcel_id, cmd->at, cmd->rider_id, &p, 1);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if ((rc = bikes_get(c, bikes_of(c)->db.sites, cmd->relay_point_id,
			    &lz__orders__v1__site__descriptor, &site)) != 0)
		goto out;
	if (site == NULL || (int)site->kind != SITE_RELAY_POINT) {
		rc = lz_service_refuse(
			c, BR_UNKNOWN_SITE, LZ_IDS("parcel_id", cmd->parcel_id),
			"relay_point_id: no relay point of that id");
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
				  (int)p->attempts >= bikes_of(c)->max_attempts)
			? OS_DELIVERED
			: 0;
	ch.detail = detail;
	ch.note = lz_valid_text(cmd->note, 1000) ? cmd->note : "";
	rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				 c->ev->type);
out:
	bikes_store_drop(site);
	bikes_store_drop(p);
	return rc;
}

/* ---- relay points ---- */

/* The relay point parcel P is at (left there: its relay_point_id) or goes
 * to (its destination, when that is a relay point; *DEST 1), into *SITE;
 * NULL when it is neither. */
static int
parcel_point(struct lz_call *c, const Parcel *p, Site **site, int *dest)
{
	int left = p->relay_point_id && p->relay_point_id[0];
	int rc = bikes_get(c, bikes_of(c)->db.sites,
			   left ? p->relay_point_id : p->site_id,
			   &lz__orders__v1__site__descriptor, site);

	*dest = !left;
	if (rc == 0 && *site && (int)(*site)->kind != SITE_RELAY_POINT) {
		bikes_store_drop(*site);
		*site = NULL;
	}
	return rc;
}

/* A relay point's report ACT on parcel PARCEL_ID. */
static int
point_report(struct lz_call *c, const char *parcel_id, const char *note,
	     enum bikes_point_act act)
{
	const char *const *ids = LZ_IDS("parcel_id", parcel_id);
	struct bikes_change ch = {0};
	char detail[160];
	Parcel *p = NULL;
	Site *site = NULL;
	int dest, to, rc;

	if (!lz_valid_text(note, 1000))
		return lz_service_refuse(c, BR_INVALID, ids,
					 "note: at most 1000 bytes of UTF-8");
	if ((rc = open_parcel(c, parcel_id, &p)) != 0)
		return rc;
	if ((rc = parcel_point(c, p, &site, &dest)) != 0)
		goto out;
	/* Before its state: another member's relay point learns nothing of
	 * the parcel. */
	if (!bikes_point_allowed(site ? site->member_id : NULL, c->ev->tenant,
				 lz_service_actor_has_role(c, "operator"))) {
		rc = lz_service_refuse(c, BR_NOT_YOUR_RELAY_POINT, ids,
				       "parcel_id: not at a relay point of "
				       "the sender's member");
		goto out;
	}
	if (site == NULL ||
	    (to = bikes_point_next((int)p->status, dest, act)) == 0) {
		rc = lz_service_refuse(c, BR_BAD_STATE, ids,
				       "parcel is %s, %s a relay point",
				       bikes_parcel_status_name((int)p->status),
				       site ? "not waiting at" : "for no");
		goto out;
	}
	if (to == PS_RECEIVED_AT_POINT)
		p->received_at = c->now;
	else
		p->handed_over_at = c->now;
	snprintf(detail, sizeof(detail), "%s at relay point %s",
		 to == PS_RECEIVED_AT_POINT ? "received" : "handed over",
		 site->site_id);
	ch.to = to;
	ch.relay_point_id = site->site_id;
	ch.detail = detail;
	ch.note = note;
	/* The relay point's screen hears its own report; the order is
	 * delivered already (since the rider left it there). */
	ch.audience = c->ev->actor;
	rc = bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				 c->ev->type);
out:
	bikes_store_drop(site);
	bikes_store_drop(p);
	return rc;
}

static int
on_confirm_at_point(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ConfirmAtRelayPoint *cmd =
		(const Lz__Bikes__V1__ConfirmAtRelayPoint *)msg;

	return point_report(c, cmd->parcel_id, cmd->note, BIKES_POINT_CONFIRM);
}

static int
on_hand_over(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__HandOverParcel *cmd =
		(const Lz__Bikes__V1__HandOverParcel *)msg;

	return point_report(c, cmd->parcel_id, cmd->note,
			    BIKES_POINT_HAND_OVER);
}

/* A pickup of the actor's run in progress. */
static int
rider_pickup(struct lz_call *c, const char *request_id, int64_t at,
	     const char *rider_id, Pickup **k)
{
	Rider *r = NULL;
	Run *run = NULL;
	const char *const *ids =
		LZ_IDS("request_id", request_id, "rider_id", c->ev->actor);
	int rc = actor_rider(c, rider_id, &r);

	*k = NULL;
	if (rc != 0)
		return rc;
	if ((rc = bikes_get(c, bikes_of(c)->db.pickups, request_id,
			    &lz__bikes__v1__pickup__descriptor, k)) != 0)
		goto out;
	if (*k == NULL)
		rc = lz_service_refuse(c, BR_UNKNOWN_PICKUP, ids,
				       "request_id: no such pickup");
	else if ((*k)->rider_id == NULL ||
		 strcmp((*k)->rider_id, r->rider_id) != 0)
		rc = lz_service_refuse(
			c, BR_NOT_ON_RIDER_RUN, ids,
			"request_id: not on a run of this rider");
	else if ((*k)->status != PK_ON_BIKE)
		rc = lz_service_refuse(c, BR_BAD_STATE, ids,
				       "pickup: its run has not started or it "
				       "was reported");
	else if ((rc = bikes_get(c, bikes_of(c)->db.runs, (*k)->run_id,
				 &lz__bikes__v1__run__descriptor, &run)) == 0 &&
		 run != NULL)
		rc = report_at(c, run, at, ids);
out:
	if (rc != 0) {
		bikes_store_drop(*k);
		*k = NULL;
	}
	bikes_store_drop(r);
	bikes_store_drop(run);
	return rc;
}

static int
on_collect(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__CollectPickup *cmd =
		(const Lz__Bikes__V1__CollectPickup *)msg;
	struct bikes_change ch = {.to = PK_COLLECTED, .detail = "collected"};
	Pickup *k;
	int rc = rider_pickup(c, cmd->request_id, cmd->at, cmd->rider_id, &k);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (cmd->grams < 0 || cmd->grams > 1000000 ||
	    cmd->n_containers_collected > 50) {
		bikes_store_drop(k);
		return lz_service_refuse(c, BR_INVALID,
					 LZ_IDS("request_id", cmd->request_id),
					 "grams: 0..1000000; at most 50 "
					 "container types");
	}
	ch.collected_grams = cmd->grams ? cmd->grams : k->grams;
	ch.containers = cmd->containers_collected;
	ch.ncontainers = cmd->n_containers_collected;
	rc = bikes_pickup_change(bikes_of(c), c->tx, k, &ch, c->now,
				 c->ev->type);
	bikes_store_drop(k);
	return rc;
}

static int
on_fail_pickup(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__FailPickup *cmd =
		(const Lz__Bikes__V1__FailPickup *)msg;
	struct bikes_change ch = {.to = PK_FAILED, .detail = "failed"};
	Pickup *k;
	int rc = rider_pickup(c, cmd->request_id, cmd->at, cmd->rider_id, &k);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	ch.fail_reason = cmd->reason ? (int)cmd->reason : FR_OTHER;
	rc = bikes_pickup_change(bikes_of(c), c->tx, k, &ch, c->now,
				 c->ev->type);
	bikes_store_drop(k);
	return rc;
}

/* Back at the relay with RUN: what is still on the bike (not delivered,
 * or failed with attempts left) waits there again, ready once sorted
 * again after the run is back (reported, and not before its planned end);
 * failed for good is closed. */
static int
unload_parcel(struct lz_call *c, const Run *run, Parcel *p)
{
	struct bikes_change ch = {
		.to = PS_AT_RELAY, .rider_id = "", .run_id = ""};

	if (p->status == PS_FAILED &&
	    (int)p->attempts >= bikes_of(c)->max_attempts) {
		ch.to = PS_FAILED;
		ch.detail = "back at the relay, failed";
	} else if (p->status == PS_ON_BIKE || p->status == PS_FAILED) {
		ch.detail = "back at the relay";
		p->ready_at =
			bikes_ready_next(p->ready_at, BIKES_READY_BACK, c->now,
					 run->end, bikes_of(c)->handling_s);
	} else {
		return 0;
	}
	return bikes_parcel_change(bikes_of(c), c->tx, p, &ch, c->now,
				   c->ev->type);
}

static int
unload_pickup(struct lz_call *c, const Run *run, Pickup *k)
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
	return bikes_pickup_change(bikes_of(c), c->tx, k, &ch, c->now,
				   c->ev->type);
}

static int
complete_run(struct lz_call *c, Run *run, int64_t distance)
{
	int rc;

	run->actual_distance_m = distance;
	if ((rc = bikes_run_status(bikes_of(c), c->tx, run, RUN_COMPLETED,
				   c->now)))
		return rc;
	return each_of_run(c, run, unload_parcel, unload_pickup);
}

static int
on_complete_run(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__CompleteRun *cmd =
		(const Lz__Bikes__V1__CompleteRun *)msg;
	Rider *r = NULL;
	Run *run = NULL;
	int rc = actor_rider(c, cmd->rider_id, &r);

	if (rc != 0)
		return rc;
	if ((rc = get_run(c, cmd->run_id, &run, RUN_STARTED, r->rider_id,
			  cmd->at)))
		goto out;
	if (cmd->distance_m < 0 || cmd->distance_m > 500000) {
		rc = lz_service_refuse(c, BR_INVALID,
				       LZ_IDS("run_id", cmd->run_id),
				       "distance_m: 0..500000");
		goto out;
	}
	if ((rc = complete_run(c, run, cmd->distance_m)) == 0)
		rc = bikes_ask_replan(c);
out:
	bikes_store_drop(r);
	bikes_store_drop(run);
	return rc;
}

#define D(name) &lz__bikes__v1__##name##__descriptor

const struct lz_handler bikes_commands[] = {
	{D(register_rider), on_register_rider, LZ_FROM_GATEWAY},
	{D(register_bike), on_register_bike, LZ_FROM_GATEWAY},
	{D(plan_runs), on_plan, LZ_FROM_GATEWAY},
	{D(assign_parcel), on_assign, LZ_FROM_GATEWAY},
	{D(pin_run), on_pin, LZ_FROM_GATEWAY},
	{D(start_shift), on_start_shift, LZ_FROM_GATEWAY},
	{D(end_shift), on_end_shift, LZ_FROM_GATEWAY},
	{D(start_run), on_start_run, LZ_FROM_GATEWAY},
	{D(deliver_parcel), on_deliver, LZ_FROM_GATEWAY},
	{D(fail_parcel), on_fail, LZ_FROM_GATEWAY},
	{D(leave_at_relay_point), on_leave, LZ_FROM_GATEWAY},
	{D(collect_pickup), on_collect, LZ_FROM_GATEWAY},
	{D(fail_pickup), on_fail_pickup, LZ_FROM_GATEWAY},
	{D(complete_run), on_complete_run, LZ_FROM_GATEWAY},
	{D(confirm_at_relay_point), on_confirm_at_point, LZ_FROM_GATEWAY},
	{D(hand_over_parcel), on_hand_over, LZ_FROM_GATEWAY},
};
const size_t bikes_n_commands = LZ_ARRAY_LEN(bikes_commands);
