/*
 * handlers.c -- applies what the tours service consumes: the directory and
 * the orders' lifecycle (source orders), which create and cancel tasks; the
 * operators' fleet and planning commands; collection requests; the
 * drivers' reports, which move tours, stops and tasks and tell the orders
 * service (through TaskStatusChanged.order_status) where each order is.
 *
 * As in every service, an apply may run twice for the same event (a retried
 * batch), so its only effects are in the transaction; the metrics are
 * counters in the store, refreshed after each commit.
 */
#include "tours.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The event being applied. */
struct call {
	struct tours *t;
	struct lz_bus_txn *tx;
	MDB_txn *txn;
	const struct lz_event *ev;
	const char *type;
	int64_t now; /* the event's time, seconds */
};

static int
stat_add(struct call *c, const char *name)
{
	return tours_store_stat_add(c->txn, &c->t->db, name, 1);
}

/* A printable echo of a partner's id: itself when well formed, else "". */
static const char *
echo(const char *s)
{
	return lz_valid_id(s) ? s : "";
}

/* Emits CommandRefused for the command being applied. */
static int refuse(struct call *c, int reason, const char *tour_id,
		  const char *vehicle_id, const char *request_id,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* What a check returns once it has refused: RC, the error of emitting the
 * refusal (negative), or 1 when it was emitted and the command stops. */
static int
refused(int rc)
{
	return rc != 0 ? rc : 1;
}

static int
refuse(struct call *c, int reason, const char *tour_id, const char *vehicle_id,
       const char *request_id, const char *fmt, ...)
{
	Lz__Tours__V1__CommandRefused r = LZ__TOURS__V1__COMMAND_REFUSED__INIT;
	char detail[400], name[64];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	r.command = (char *)c->type;
	r.reason = (Lz__Tours__V1__Reason)reason;
	r.detail = detail;
	r.tour_id = (char *)(tour_id && strlen(tour_id) <= 200 &&
					     strchr(tour_id, '"') == NULL
				     ? tour_id
				     : "");
	r.vehicle_id = (char *)echo(vehicle_id);
	r.request_id = (char *)echo(request_id);
	snprintf(name, sizeof(name), "refused/%s", tours_reason_name(reason));
	if ((rc = stat_add(c, name)) != 0)
		return rc;
	lz_log_debug("command refused", "type=%s seq=%" PRIu64 " reason=%s",
		     c->type, c->ev->seq, tours_reason_name(reason));
	return lz_bus_emit(c->tx, c->ev->tenant, &r.base);
}

int
tours_task_change(struct tours *t, struct lz_bus_txn *tx, Task *task, int to,
		  const char *tour_id, unsigned stop, int reason,
		  const char *detail, int order_status, int64_t at,
		  const char *cause)
{
	Lz__Tours__V1__TaskStatusChanged ev =
		LZ__TOURS__V1__TASK_STATUS_CHANGED__INIT;
	char *old_tour = task->tour_id;
	int from = (int)task->status, rc;

	task->status = (Lz__Tours__V1__TaskStatus)to;
	task->reason = (Lz__Tours__V1__Reason)reason;
	if (tour_id)
		task->tour_id = (char *)tour_id;
	if ((rc = tours_store_put_task(lz_bus_mdb(tx), &t->db, task, NULL)))
		goto out;
	ev.task = task;
	ev.from = (Lz__Tours__V1__TaskStatus)from;
	ev.to = (Lz__Tours__V1__TaskStatus)to;
	ev.tour_id = task->tour_id ? task->tour_id : "";
	ev.stop_index = stop;
	ev.reason = (Lz__Tours__V1__Reason)reason;
	ev.detail = (char *)(detail ? detail : "");
	ev.order_status = (uint32_t)order_status;
	ev.at = at;
	ev.cause = (char *)(cause ? cause : "");
	rc = lz_bus_emit(tx,
			 task->member_id && task->member_id[0] ? task->member_id
							       : NULL,
			 &ev.base);
out:
	task->tour_id = old_tour;
	return rc;
}

static int
get_task(struct call *c, const char *id, Task **out)
{
	return lz_store_get_msg(c->txn, c->t->db.tasks, id,
				&lz__tours__v1__task__descriptor,
				(ProtobufCMessage **)out);
}

static void
free_task(Task *t)
{
	if (t)
		lz__tours__v1__task__free_unpacked(t, NULL);
}

/* ---- directory and orders (source orders) ---- */

static int
on_site(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__SiteRegistered *ev =
		(const Lz__Orders__V1__SiteRegistered *)msg;
	const Site *s = ev->site;
	char cur[80];
	const char *role = NULL;
	int rc;

	if (s == NULL || !lz_valid_id(s->site_id))
		return stat_add(c, "bad_payload");
	if ((rc = lz_store_put_msg(c->txn, c->t->db.sites, s->site_id,
				   &s->base)) != 0)
		return rc;
	if ((int)s->kind == SITE_HUB)
		role = "hub";
	else if ((int)s->kind == SITE_BIKE_RELAY)
		role = "relay";
	if (role == NULL)
		return 0;
	/* The first hub (bike relay) registered is the one; another site
	 * can take the role with the configuration's hub (relay) option. */
	if ((rc = tours_store_meta_get(c->txn, &c->t->db, role, cur,
				       sizeof(cur))) != 0)
		return rc;
	if (cur[0] == '\0')
		rc = tours_store_meta_put(c->txn, &c->t->db, role, s->site_id);
	return rc;
}

static int
get_site(struct call *c, const char *id, Site **out)
{
	return lz_store_get_msg(c->txn, c->t->db.sites, id,
				&lz__orders__v1__site__descriptor,
				(ProtobufCMessage **)out);
}

/* Reads the sites the task of order O needs: its destination, its pickup
 * site and the bike relay (each NULL when unknown; free with
 * free_sites()). */
static int
order_sites(struct call *c, const Order *o, Site **dest, Site **pick,
	    Site **relay)
{
	char relay_id[80];
	int rc;

	*dest = *pick = *relay = NULL;
	if ((rc = get_site(c, o->destination_site_id, dest)) ||
	    (rc = get_site(c, o->pickup_site_id, pick)) ||
	    (rc = tours_store_meta_get(c->txn, &c->t->db, "relay", relay_id,
				       sizeof(relay_id))))
		return rc;
	return get_site(c, relay_id, relay);
}

static void
free_sites(Site *dest, Site *pick, Site *relay)
{
	if (dest)
		lz__orders__v1__site__free_unpacked(dest, NULL);
	if (pick)
		lz__orders__v1__site__free_unpacked(pick, NULL);
	if (relay)
		lz__orders__v1__site__free_unpacked(relay, NULL);
}

/* Creates the task ORDER needs in status STATUS (if any and not there yet)
 * and tries to slot it into a tour already planned for its date. */
static int
create_order_task(struct call *c, const Order *o, int status)
{
	struct tours_task_buf b;
	Site *dest, *pick, *relay;
	Task *old = NULL;
	int rc;

	if ((rc = order_sites(c, o, &dest, &pick, &relay)) != 0)
		goto out;
	if (!tours_task_for_order(o, status, dest, pick, relay, &c->t->conf,
				  c->now, &b))
		goto out;
	if ((rc = get_task(c, b.t.task_id, &old)) != 0 || old != NULL)
		goto out;
	if ((rc = stat_add(c, "created")) != 0 ||
	    (rc = tours_task_change(c->t, c->tx, &b.t, TS_PENDING, NULL, 0,
				    RS_NONE, "created", 0, c->now, c->type)))
		goto out;
	rc = tours_insert_late(c->t, c->tx, &b.t, c->now, c->type);
out:
	free_task(old);
	free_sites(dest, pick, relay);
	return rc;
}

/* An amended order O (in status STATUS as tours knows it): its task, if
 * still pending or unplanned, is built again (window, loads, site, date)
 * and offered to the planned tours.  The orders service refuses an
 * amendment once the order is planned, so a planned task never changes
 * here. */
static int
amend_order_task(struct call *c, const Order *o, int status)
{
	struct tours_task_buf b;
	Site *dest, *pick, *relay;
	Task *old = NULL;
	int rc;

	if ((rc = order_sites(c, o, &dest, &pick, &relay)) != 0)
		goto out;
	if (!tours_task_for_order(o, status, dest, pick, relay, &c->t->conf,
				  c->now, &b))
		goto out;
	if ((rc = get_task(c, b.t.task_id, &old)) != 0 || old == NULL ||
	    (old->status != TS_PENDING && old->status != TS_UNPLANNED))
		goto out;
	b.t.created_at = old->created_at;
	b.t.attempts = old->attempts;
	b.t.status = old->status;
	/* Moves the date index entry when the window changed day. */
	if ((rc = tours_store_put_task(c->txn, &c->t->db, &b.t, old->date)) ||
	    (rc = tours_task_change(c->t, c->tx, &b.t, TS_PENDING, NULL, 0,
				    RS_NONE, "order amended", 0, c->now,
				    c->type)))
		goto out;
	rc = tours_insert_late(c->t, c->tx, &b.t, c->now, c->type);
out:
	free_task(old);
	free_sites(dest, pick, relay);
	return rc;
}

static int
on_order(struct call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape. */
	const Lz__Orders__V1__OrderPlaced *ev =
		(const Lz__Orders__V1__OrderPlaced *)msg;
	Order *old = NULL;
	int rc;

	if (ev->order == NULL || ev->order->order_id == NULL ||
	    strlen(ev->order->order_id) < 3 ||
	    strlen(ev->order->order_id) > 200)
		return stat_add(c, "bad_payload");
	if ((rc = lz_store_get_msg(c->txn, c->t->db.orders, ev->order->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&old)) != 0)
		return rc;
	if (old) {
		/* An amendment: keep the status tours knows. */
		Lz__Orders__V1__OrderStatus st = ev->order->status;

		ev->order->status = old->status;
		rc = lz_store_put_msg(c->txn, c->t->db.orders,
				      ev->order->order_id, &ev->order->base);
		if (rc == 0)
			rc = amend_order_task(c, ev->order, (int)old->status);
		ev->order->status = st;
		lz__orders__v1__order__free_unpacked(old, NULL);
		return rc;
	}
	return lz_store_put_msg(c->txn, c->t->db.orders, ev->order->order_id,
				&ev->order->base);
}

static int
cancel_tasks(struct call *c, const char *order_id, int to_status)
{
	static const char *const prefixes[] = {"pick", "del"};
	int rc = 0;

	for (size_t i = 0; i < LZ_ARRAY_LEN(prefixes) && rc == 0; i++) {
		char id[300];
		Task *t = NULL;

		snprintf(id, sizeof(id), "%s:%s", prefixes[i], order_id);
		if ((rc = get_task(c, id, &t)) != 0 || t == NULL)
			continue;
		if (t->status != TS_DONE && t->status != TS_CANCELLED &&
		    t->status != TS_FAILED)
			rc = tours_task_change(
				c->t, c->tx, t, TS_CANCELLED, NULL, 0, RS_NONE,
				to_status == OS_CANCELLED ? "order cancelled"
							  : "order ended",
				0, c->now, c->type);
		free_task(t);
	}
	return rc;
}

static int
on_order_status(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *ev =
		(const Lz__Orders__V1__OrderStatusChanged *)msg;
	Order *o = NULL;
	int to = (int)ev->to, rc;

	if ((rc = lz_store_get_msg(c->txn, c->t->db.orders, ev->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0 ||
	    o == NULL)
		return rc;
	o->status = ev->to;
	if ((rc = lz_store_put_msg(c->txn, c->t->db.orders, o->order_id,
				   &o->base)) != 0)
		goto out;
	if (to == OS_CONFIRMED || to == OS_AT_HUB)
		rc = create_order_task(c, o, to);
	else if (to == OS_CANCELLED || to == OS_REJECTED || to == OS_FAILED)
		rc = cancel_tasks(c, o->order_id, to);
out:
	lz__orders__v1__order__free_unpacked(o, NULL);
	return rc;
}

/* ---- fleet and planning (operators) ---- */

static int
check_vehicle(struct call *c, const Vehicle *v, Site **hub)
{
	int rc;

	*hub = NULL;
	if (v == NULL || !lz_valid_id(v->vehicle_id))
		return refused(refuse(c, RS_INVALID, NULL, NULL, NULL,
				      "vehicle.vehicle_id: 1..64 characters of "
				      "[A-Za-z0-9._-]"));
	if (v->shift_end > 86400 || v->shift_start >= v->shift_end)
		return refused(
			refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
			       "vehicle.shift: want start < end <= 86400"));
	if (v->n_compartments < 1 || v->n_compartments > 8)
		return refused(refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
				      "vehicle.compartments: want 1..8"));
	for (size_t i = 0; i < v->n_compartments; i++) {
		const Compartment *cp = v->compartments[i];

		if (cp->temperature_class < 1 || cp->temperature_class > 3 ||
		    cp->capacity_grams < 0 || cp->capacity_millilitres < 0 ||
		    cp->capacity_grams > INT64_C(100000000) ||
		    cp->capacity_millilitres > INT64_C(100000000))
			return refused(
				refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
				       "vehicle.compartments[%zu]: a class and "
				       "capacities 0..100000000",
				       i));
	}
	for (size_t i = 0; i < v->n_weekdays; i++)
		if (v->weekdays[i] < 1 || v->weekdays[i] > 7)
			return refused(
				refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
				       "vehicle.weekdays[%zu]: want 1..7", i));
	if (v->n_unavailable_dates > 366)
		return refused(
			refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
			       "vehicle.unavailable_dates: at most 366"));
	for (size_t i = 0; i < v->n_unavailable_dates; i++)
		if (!lz_date_valid(v->unavailable_dates[i]))
			return refused(
				refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
				       "vehicle.unavailable_dates[%zu]: want "
				       "YYYY-MM-DD",
				       i));
	if (v->cost_per_km_cents < 0 || v->cost_per_hour_cents < 0 ||
	    v->consumption_per_100km < 0 || v->cost_per_km_cents > 100000 ||
	    v->cost_per_hour_cents > 1000000)
		return refused(refuse(c, RS_INVALID, NULL, v->vehicle_id, NULL,
				      "vehicle costs: want 0..100000 per km, "
				      "0..1000000 per hour"));
	if ((rc = get_site(c, v->home_hub_site_id, hub)) != 0)
		return rc;
	if (*hub == NULL || (*hub)->kind != SITE_HUB)
		return refused(refuse(
			c, RS_UNKNOWN_VEHICLE_HUB, NULL, v->vehicle_id, NULL,
			"vehicle.home_hub_site_id: no hub site \"%s\"",
			echo(v->home_hub_site_id)));
	return 0;
}

static int
on_register_vehicle(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__RegisterVehicle *cmd =
		(const Lz__Tours__V1__RegisterVehicle *)msg;
	Lz__Tours__V1__VehicleRegistered ev =
		LZ__TOURS__V1__VEHICLE_REGISTERED__INIT;
	Site *hub = NULL;
	int rc = check_vehicle(c, cmd->vehicle, &hub);

	if (hub)
		lz__orders__v1__site__free_unpacked(hub, NULL);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if ((rc = lz_store_put_msg(c->txn, c->t->db.vehicles,
				   cmd->vehicle->vehicle_id,
				   &cmd->vehicle->base)) != 0)
		return rc;
	ev.vehicle = cmd->vehicle;
	return lz_bus_emit(c->tx, c->ev->tenant, &ev.base);
}

static int
on_plan_wave(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__PlanWave *cmd =
		(const Lz__Tours__V1__PlanWave *)msg;
	const char *wave = cmd->wave && cmd->wave[0] ? cmd->wave : "day";
	int rc;

	if (!lz_date_valid(cmd->date))
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "date: want YYYY-MM-DD");
	if (!lz_valid_id(wave) || strlen(wave) > 32)
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "wave: 1..32 characters of [A-Za-z0-9._-]");
	if (cmd->n_vehicle_ids > 1000)
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "vehicle_ids: at most 1000");
	for (size_t i = 0; i < cmd->n_vehicle_ids; i++) {
		Vehicle *v = NULL;

		if ((rc = lz_store_get_msg(c->txn, c->t->db.vehicles,
					   cmd->vehicle_ids[i],
					   &lz__tours__v1__vehicle__descriptor,
					   (ProtobufCMessage **)&v)) != 0)
			return rc;
		if (v == NULL)
			return refuse(c, RS_UNKNOWN_VEHICLE, NULL,
				      cmd->vehicle_ids[i], NULL,
				      "vehicle_ids[%zu]: no such vehicle", i);
		lz__tours__v1__vehicle__free_unpacked(v, NULL);
	}
	return tours_plan_wave(c->t, c->tx, cmd->date, wave, cmd->vehicle_ids,
			       cmd->n_vehicle_ids, c->now, c->type);
}

static int
on_collection(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__CollectionRequested *r =
		(const Lz__Tours__V1__CollectionRequested *)msg;
	struct tours_task_buf b;
	Site *site = NULL;
	Task *old = NULL;
	char id[100];
	int rc;

	if (!lz_valid_id(r->request_id))
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "request_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	snprintf(id, sizeof(id), "col:%s", r->request_id);
	if ((rc = get_task(c, id, &old)) != 0)
		return rc;
	if (old) {
		free_task(old);
		return refuse(c, RS_DUPLICATE, NULL, NULL, r->request_id,
			      "request_id: already requested");
	}
	if (!lz_valid_id(r->site_id) ||
	    (r->destination_site_id && r->destination_site_id[0] &&
	     !lz_valid_id(r->destination_site_id)))
		return refuse(c, RS_INVALID, NULL, NULL, r->request_id,
			      "site_id, destination_site_id: 1..64 "
			      "characters of [A-Za-z0-9._-]");
	if ((rc = get_site(c, r->site_id, &site)) != 0)
		return rc;
	if (!tours_task_for_collection(r, site, &c->t->conf, c->now, &b)) {
		rc = refuse(c, RS_INVALID, NULL, NULL, r->request_id,
			    "window (start <= end) and loads (0..100000000, "
			    "at most 16) required");
		goto out;
	}
	b.t.member_id = (char *)(c->ev->tenant ? c->ev->tenant : "");
	if ((rc = stat_add(c, "created")) != 0 ||
	    (rc = tours_task_change(c->t, c->tx, &b.t, TS_PENDING, NULL, 0,
				    RS_NONE, "created", 0, c->now, c->type)))
		goto out;
	rc = tours_insert_late(c->t, c->tx, &b.t, c->now, c->type);
out:
	if (site)
		lz__orders__v1__site__free_unpacked(site, NULL);
	return rc;
}

/* ---- execution (drivers) ---- */

static int
get_tour(struct call *c, const char *id, Tour **out)
{
	return lz_store_get_msg(c->txn, c->t->db.tours, id,
				&lz__tours__v1__tour__descriptor,
				(ProtobufCMessage **)out);
}

static int
tour_status(struct call *c, Tour *t, int to, int64_t odometer)
{
	Lz__Tours__V1__TourStatusChanged ev =
		LZ__TOURS__V1__TOUR_STATUS_CHANGED__INIT;
	int rc;

	ev.tour_id = t->tour_id;
	ev.from = t->status;
	ev.to = (Lz__Tours__V1__TourStatus)to;
	ev.at = c->now;
	ev.odometer_km = odometer;
	ev.vehicle_id = t->vehicle_id;
	ev.distance_m = t->distance_m;
	t->status = (Lz__Tours__V1__TourStatus)to;
	if (to == TOUR_STARTED)
		t->started_at = c->now;
	if (to == TOUR_COMPLETED) {
		t->completed_at = c->now;
		t->odometer_km = odometer;
	}
	if ((rc = lz_store_put_msg(c->txn, c->t->db.tours, t->tour_id,
				   &t->base)) != 0)
		return rc;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

/* The order status that a task's event moves its order to. */
static int
order_next(const Task *t, int what)
{
	if (t->order_id == NULL || t->order_id[0] == '\0')
		return 0;
	switch (what) {
	case TS_ON_BOARD:
		return (t->kind == TK_DELIVERY || t->kind == TK_RELAY) &&
				       t->attempts == 0
			       ? OS_OUT_FOR_DELIVERY
			       : 0;
	case TS_DONE:
		return t->kind == TK_DELIVERY ? OS_DELIVERED
		       : t->kind == TK_RELAY  ? OS_AT_BIKE_RELAY
		       : t->kind == TK_PICKUP ? OS_PICKED_UP
					      : 0;
	default:
		return 0;
	}
}

/* Calls FN for every task of stop S of tour T that is in the store. */
static int
each_task(struct call *c, const Tour *t, const Stop *s,
	  int (*fn)(struct call *c, const Tour *t, const Stop *s, Task *task,
		    void *arg),
	  void *arg)
{
	int rc = 0;

	for (size_t k = 0; k < s->n_task_ids && rc == 0; k++) {
		Task *task = NULL;

		if ((rc = get_task(c, s->task_ids[k], &task)) != 0 ||
		    task == NULL)
			continue;
		/* A task re-planned elsewhere no longer belongs here. */
		if (task->tour_id && strcmp(task->tour_id, t->tour_id) == 0)
			rc = fn(c, t, s, task, arg);
		free_task(task);
	}
	return rc;
}

static int
board(struct call *c, const Tour *t, const Stop *s, Task *task, void *arg)
{
	if (task->status != TS_PLANNED ||
	    (task->kind != TK_DELIVERY && task->kind != TK_RELAY))
		return 0;
	return tours_task_change(c->t, c->tx, task, TS_ON_BOARD, NULL, s->index,
				 RS_NONE, NULL, order_next(task, TS_ON_BOARD),
				 c->now, c->type);
}

static int
lookup_tour(struct call *c, const char *id, Tour **t, int want)
{
	int rc;

	if ((rc = get_tour(c, id, t)) != 0)
		return rc;
	if (*t == NULL)
		return refused(refuse(c, RS_UNKNOWN_TOUR, id, NULL, NULL,
				      "tour_id: no such tour"));
	if ((int)(*t)->status != want) {
		rc = refuse(c, RS_BAD_STATE, id, (*t)->vehicle_id, NULL,
			    "tour is %s",
			    (*t)->status == TOUR_PLANNED   ? "planned"
			    : (*t)->status == TOUR_STARTED ? "started"
							   : "completed");
		lz__tours__v1__tour__free_unpacked(*t, NULL);
		*t = NULL;
		return refused(rc);
	}
	return 0;
}

static int
on_tour_started(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourStarted *cmd =
		(const Lz__Tours__V1__TourStarted *)msg;
	Tour *t = NULL;
	int rc = lookup_tour(c, cmd->tour_id, &t, TOUR_PLANNED);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = tour_status(c, t, TOUR_STARTED, cmd->odometer_km);
	for (size_t s = 0; s < t->n_stops && rc == 0; s++)
		rc = each_task(c, t, t->stops[s], board, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

/* Finds stop INDEX of a started tour that can still be reported. */
static int
lookup_stop(struct call *c, const char *tour_id, uint32_t index, Tour **t,
	    Stop **s)
{
	int rc = lookup_tour(c, tour_id, t, TOUR_STARTED);

	*s = NULL;
	if (rc != 0)
		return rc;
	if (index >= (*t)->n_stops || (*t)->stops[index]->kind != SK_TASK)
		rc = refused(
			refuse(c, RS_BAD_STOP, tour_id, (*t)->vehicle_id, NULL,
			       "stop_index: %u is not a task stop of the tour",
			       index));
	else if ((*t)->stops[index]->status == SS_COMPLETED ||
		 (*t)->stops[index]->status == SS_FAILED)
		rc = refused(refuse(c, RS_BAD_STATE, tour_id, (*t)->vehicle_id,
				    NULL, "stop %u already reported", index));
	if (rc != 0) {
		lz__tours__v1__tour__free_unpacked(*t, NULL);
		*t = NULL;
		return rc;
	}
	*s = (*t)->stops[index];
	return 0;
}

/* Writes the stop's new status into its tour and emits
 * StopStatusChanged. */
static int
stop_status(struct call *c, Tour *t, Stop *s, int to, int fail,
	    const char *note, Lz__Tours__V1__StopCompleted *done)
{
	Lz__Tours__V1__StopStatusChanged ev =
		LZ__TOURS__V1__STOP_STATUS_CHANGED__INIT;
	char *old_note = s->note;
	int rc;

	s->status = (Lz__Tours__V1__StopStatus)to;
	s->fail_reason = (Lz__Tours__V1__FailReason)fail;
	s->reported_at = c->now;
	if (note)
		s->note = (char *)note;
	rc = lz_store_put_msg(c->txn, c->t->db.tours, t->tour_id, &t->base);
	s->note = old_note;
	if (rc != 0)
		return rc;
	ev.tour_id = t->tour_id;
	ev.stop_index = s->index;
	ev.to = (Lz__Tours__V1__StopStatus)to;
	ev.fail_reason = (Lz__Tours__V1__FailReason)fail;
	ev.note = (char *)(note ? note : "");
	ev.at = c->now;
	ev.site_id = s->site_id;
	if (done) {
		ev.n_quantities = done->n_quantities;
		ev.quantities = done->quantities;
		ev.n_containers_collected = done->n_containers_collected;
		ev.containers_collected = done->containers_collected;
	}
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

static int
on_stop_arrived(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__StopArrived *cmd =
		(const Lz__Tours__V1__StopArrived *)msg;
	Tour *t;
	Stop *s;
	int rc = lookup_stop(c, cmd->tour_id, cmd->stop_index, &t, &s);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = stop_status(c, t, s, SS_ARRIVED, 0, NULL, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

static int
complete_task(struct call *c, const Tour *t, const Stop *s, Task *task,
	      void *arg)
{
	if (task->status == TS_DONE || task->status == TS_CANCELLED ||
	    task->status == TS_FAILED)
		return 0;
	return tours_task_change(c->t, c->tx, task, TS_DONE, NULL, s->index,
				 RS_NONE, NULL, order_next(task, TS_DONE),
				 c->now, c->type);
}

static int
on_stop_completed(struct call *c, const ProtobufCMessage *msg)
{
	Lz__Tours__V1__StopCompleted *cmd = (Lz__Tours__V1__StopCompleted *)msg;
	Tour *t;
	Stop *s;
	int rc;

	if (cmd->note && strlen(cmd->note) > 1000)
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "note: at most 1000 bytes");
	if ((rc = lookup_stop(c, cmd->tour_id, cmd->stop_index, &t, &s)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = stop_status(c, t, s, SS_COMPLETED, 0, cmd->note, cmd)) == 0 &&
	    (rc = stat_add(c, "stops_completed")) == 0)
		rc = each_task(c, t, s, complete_task, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

static int
fail_task(struct call *c, const Tour *t, const Stop *s, Task *task, void *arg)
{
	const char *note = arg;
	int last;

	if (task->status == TS_DONE || task->status == TS_CANCELLED ||
	    task->status == TS_FAILED)
		return 0;
	task->attempts++;
	last = (int)task->attempts >= c->t->max_attempts;
	if (!last && task->window && task->date) {
		/* Planned again on the next date, not in a later wave of a
		 * day that is over for the customer. */
		char *old_date = task->date, date[11];
		TimeWindow *old_w = task->window, w = *old_w;
		int rc;

		if (tours_retry_date(old_date, c->now, old_w->start, old_w->end,
				     date, &w.start, &w.end) == 0) {
			task->date = date;
			task->window = &w;
			rc = tours_store_put_task(c->txn, &c->t->db, task,
						  old_date);
			if (rc == 0)
				rc = tours_task_change(c->t, c->tx, task,
						       TS_FAILED, NULL,
						       s->index, RS_NONE, note,
						       0, c->now, c->type);
			task->date = old_date;
			task->window = old_w;
			return rc;
		}
	}
	return tours_task_change(
		c->t, c->tx, task, TS_FAILED, NULL, s->index, RS_NONE, note,
		last && task->order_id && task->order_id[0] ? OS_FAILED : 0,
		c->now, c->type);
}

static int
on_stop_failed(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__StopFailed *cmd =
		(const Lz__Tours__V1__StopFailed *)msg;
	Tour *t;
	Stop *s;
	int rc;

	if (cmd->reason < 1 || cmd->reason > 5)
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "reason: closed, absent, refused, damaged or "
			      "other");
	if (cmd->note && strlen(cmd->note) > 1000)
		return refuse(c, RS_INVALID, NULL, NULL, NULL,
			      "note: at most 1000 bytes");
	if ((rc = lookup_stop(c, cmd->tour_id, cmd->stop_index, &t, &s)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = stop_status(c, t, s, SS_FAILED, (int)cmd->reason, cmd->note,
			      NULL)) == 0 &&
	    (rc = stat_add(c, "stops_failed")) == 0)
		rc = each_task(c, t, s, fail_task, cmd->note);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

/* Emits GoodsUnloaded for pickup TASK of tour T, back at its hub: the
 * order's lines, which the inventory service receives as lots held for
 * the order. */
static int
unload(struct call *c, const Tour *t, const Task *task)
{
	Lz__Tours__V1__GoodsUnloaded ev = LZ__TOURS__V1__GOODS_UNLOADED__INIT;
	Lz__Tours__V1__UnloadedLine *lines, **lp;
	Order *o = NULL;
	int rc;

	if ((rc = lz_store_get_msg(c->txn, c->t->db.orders, task->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0)
		return rc;
	if (o == NULL) {
		lz_log_warn("pickup of an unknown order", "task=%s",
			    task->task_id);
		return 0;
	}
	lines = xcalloc(o->n_lines + 1, sizeof(*lines));
	lp = xcalloc(o->n_lines + 1, sizeof(*lp));
	for (size_t i = 0; i < o->n_lines; i++) {
		const OrderLine *l = o->lines[i];

		lz__tours__v1__unloaded_line__init(&lines[i]);
		lines[i].line = (uint32_t)i;
		lines[i].product = l->product;
		lines[i].quantity = l->quantity;
		lines[i].unit_grams = l->unit_grams;
		lines[i].unit_millilitres = l->unit_millilitres;
		lines[i].temperature_class = l->temperature_class;
		lp[i] = &lines[i];
	}
	ev.order_id = o->order_id;
	ev.member_id = o->member_id;
	ev.task_id = task->task_id;
	ev.tour_id = t->tour_id;
	ev.hub_site_id = t->n_stops ? t->stops[t->n_stops - 1]->site_id : "";
	ev.origin_site_id = task->site_id;
	ev.n_lines = o->n_lines;
	ev.lines = lp;
	ev.at = c->now;
	rc = lz_bus_emit(c->tx, o->member_id[0] ? o->member_id : NULL,
			 &ev.base);
	free(lp);
	free(lines);
	lz__orders__v1__order__free_unpacked(o, NULL);
	return rc;
}

/* At the end of a tour: collected goods are unloaded at the hub; failed
 * and unvisited tasks come back to be planned again. */
static int
return_task(struct call *c, const Tour *t, const Stop *s, Task *task, void *arg)
{
	int rc;

	if (task->status == TS_DONE && task->kind == TK_PICKUP) {
		if (task->order_id && task->order_id[0] &&
		    (rc = unload(c, t, task)) != 0)
			return rc;
		return tours_task_change(c->t, c->tx, task, TS_DONE, NULL,
					 s->index, RS_NONE, "unloaded at hub",
					 OS_AT_HUB, c->now, c->type);
	}
	if (task->status == TS_FAILED &&
	    (int)task->attempts >= c->t->max_attempts)
		return 0;
	if (task->status != TS_FAILED && task->status != TS_PLANNED &&
	    task->status != TS_ON_BOARD)
		return 0;
	rc = tours_task_change(c->t, c->tx, task, TS_PENDING, "", 0, RS_NONE,
			       "back at hub, to plan again", 0, c->now,
			       c->type);
	if (rc == 0)
		rc = tours_insert_late(c->t, c->tx, task, c->now, c->type);
	return rc;
}

static int
on_tour_completed(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourCompleted *cmd =
		(const Lz__Tours__V1__TourCompleted *)msg;
	Tour *t = NULL;
	int rc;

	if (cmd->odometer_km < 0 || cmd->odometer_km > 10000000)
		return refuse(c, RS_INVALID, cmd->tour_id, NULL, NULL,
			      "odometer_km: 0..10000000");
	if ((rc = lookup_tour(c, cmd->tour_id, &t, TOUR_STARTED)) != 0)
		return rc < 0 ? rc : 0;
	rc = tour_status(c, t, TOUR_COMPLETED, cmd->odometer_km);
	if (rc == 0)
		rc = tours_store_stat_add(c->txn, &c->t->db, "driven_m",
					  t->distance_m);
	for (size_t s = 0; s < t->n_stops && rc == 0; s++)
		rc = each_task(c, t, t->stops[s], return_task, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

/* ---- dispatch ---- */

static const struct handler {
	const ProtobufCMessageDescriptor *desc;
	int (*fn)(struct call *c, const ProtobufCMessage *msg);
} handlers[] = {
	{&lz__orders__v1__site_registered__descriptor, on_site},
	{&lz__orders__v1__order_placed__descriptor, on_order},
	{&lz__orders__v1__order_amended__descriptor, on_order},
	{&lz__orders__v1__order_status_changed__descriptor, on_order_status},
	{&lz__tours__v1__register_vehicle__descriptor, on_register_vehicle},
	{&lz__tours__v1__plan_wave__descriptor, on_plan_wave},
	{&lz__tours__v1__collection_requested__descriptor, on_collection},
	{&lz__tours__v1__tour_started__descriptor, on_tour_started},
	{&lz__tours__v1__stop_arrived__descriptor, on_stop_arrived},
	{&lz__tours__v1__stop_completed__descriptor, on_stop_completed},
	{&lz__tours__v1__stop_failed__descriptor, on_stop_failed},
	{&lz__tours__v1__tour_completed__descriptor, on_tour_completed},
};

int
tours_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct call c = {arg, tx, lz_bus_mdb(tx), ev, ev->type, 0};
	const struct handler *h =
		lz_handler_find(handlers, LZ_ARRAY_LEN(handlers),
				sizeof(handlers[0]), ev->type);
	ProtobufCMessage *msg;
	int rc;

	if (h == NULL)
		return 0;
	c.now = lz_event_seconds(ev);
	if ((msg = lz_event_unpack(ev, h->desc, &c.t->log_limit)) == NULL)
		return stat_add(&c, "bad_payload");
	rc = h->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc < 0 ? rc : 0;
}

/* ---- metrics ---- */

static const struct lz_stat_metric stat_metrics[] = {
	{"created", "lz_tours_tasks_created_total", "Tasks created", NULL, 0,
	 0},
	{"planned", "lz_tours_tasks_planned_total", "Tasks planned by waves",
	 NULL, 0, 0},
	{"inserted", "lz_tours_tasks_inserted_total",
	 "Late tasks inserted into planned tours", NULL, 0, 0},
	{"waves", "lz_tours_waves_total", "Waves planned", NULL, 0, 0},
	{"tours", "lz_tours_tours_planned_total", "Tours planned", NULL, 0, 0},
	{"distance_m", "lz_tours_planned_km_total",
	 "Kilometres of the tours planned", NULL, 1e-3, 0},
	{"driven_m", "lz_tours_completed_km_total",
	 "Planned kilometres of the tours completed", NULL, 1e-3, 0},
	{"solve_us", "lz_tours_solve_seconds_total", "Time spent solving waves",
	 NULL, 1e-6, 0},
	{"stops_completed", "lz_tours_stops_completed_total", "Stops completed",
	 NULL, 0, 0},
	{"stops_failed", "lz_tours_stops_failed_total", "Stops failed", NULL, 0,
	 0},
	{"bad_payload", "lz_tours_bad_payload_total",
	 "Events whose payload did not decode", NULL, 0, 0},
	{"unplanned", "lz_tours_tasks_unplanned_total",
	 "Tasks a wave could not plan, by reason", "reason", 0, 0},
	{"refused", "lz_tours_refused_total", "Commands refused, by reason",
	 "reason", 0, 0},
};

/* The counters and the last solve time, in one read transaction. */
static int
sync_fn(MDB_txn *txn, void *arg)
{
	struct tours *t = arg;
	char s[32];
	int rc = lz_store_sync_metrics_txn(txn, t->db.meta, "stat/", t->metrics,
					   stat_metrics,
					   LZ_ARRAY_LEN(stat_metrics));

	if (rc == 0 && (rc = tours_store_meta_get(txn, &t->db, "last_solve_s",
						  s, sizeof(s))) == 0)
		lz_metric_set(lz_metrics_gauge(t->metrics,
					       "lz_tours_last_solve_seconds",
					       "Solve time of the last wave",
					       NULL, NULL),
			      atof(s));
	return rc;
}

void
tours_sync_metrics(void *arg)
{
	struct tours *t = arg;
	int rc = lz_store_read(t->store, sync_fn, t);

	if (rc != 0)
		lz_log_warn("cannot read counters", "error=\"%s\"",
			    lz_store_strerror(rc));
}
