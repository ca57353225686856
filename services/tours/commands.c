/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.c -- the partners' commands to the tours service, from the
 * gateway: the operators' fleet, planning and drivers (RegisterVehicle,
 * PlanWave, AssignDriver), the collection requests (an operator's, or the
 * returns service's), and the drivers' reports (TourStarted, StopArrived,
 * StopCompleted, StopFailed, TourCompleted), which move tours, stops and
 * tasks and tell the orders service (through
 * TaskStatusChanged.order_status) where each order is.  A report on a tour
 * with a driver bound comes from that driver or an operator
 * (REASON_NOT_YOUR_TOUR otherwise); every event about a tour has its
 * driver as audience.  Each is checked here, written with store.c,
 * tasks.c and wave.c, and emitted in the same transaction; every refusal
 * is a CommandRefused and changes nothing else.
 */
#include "tasks.h"
#include "tours.h"
#include "wave.h"

#include "lz_bus.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest note a driver may leave, bytes. */
#define NOTE_MAX 1000
/* The longest wave name. */
#define WAVE_MAX 32

/* S if it is a valid identifier, else a placeholder: details go into
 * events, so they never echo bytes that were not checked. */
static const char *
shown(const char *s)
{
	return lz_valid_id(s) ? s : "(invalid id)";
}

/* Whether S names a tour as the planner does: "<date>/<wave>/<vehicle>". */
static int
valid_tour_id(const char *s)
{
	const char *wave = s && strlen(s) > 11 ? s + 11 : NULL;
	const char *vehicle = wave ? strchr(wave, '/') : NULL;
	char buf[LZ_ID_MAX + 1];
	size_t n;

	if (vehicle == NULL || s[10] != '/' ||
	    (n = (size_t)(vehicle - wave)) > WAVE_MAX)
		return 0;
	memcpy(buf, s, 10);
	buf[10] = '\0';
	if (!lz_date_valid(buf))
		return 0;
	memcpy(buf, wave, n);
	buf[n] = '\0';
	return lz_valid_id(buf) && lz_valid_id(vehicle + 1);
}

static void
free_task(Task *t)
{
	if (t)
		lz__tours__v1__task__free_unpacked(t, NULL);
}

/* ---- fleet and planning (operators) ---- */

static int
check_vehicle(struct lz_call *c, const Vehicle *v, Site **hub)
{
	const char *id;
	int rc;

	*hub = NULL;
	if (v == NULL || !lz_valid_id(v->vehicle_id))
		return lz_service_refuse(c, RS_INVALID, NULL,
					 "vehicle.vehicle_id: 1..64 characters "
					 "of [A-Za-z0-9._-]");
	id = v->vehicle_id;
	if (!lz_valid_text(v->name, 200))
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("vehicle_id", id),
			"vehicle.name: at most 200 bytes of UTF-8");
	if (v->shift_end > 86400 || v->shift_start >= v->shift_end)
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("vehicle_id", id),
			"vehicle.shift: want start < end <= 86400");
	if (v->n_compartments < 1 || v->n_compartments > 8)
		return lz_service_refuse(c, RS_INVALID,
					 LZ_IDS("vehicle_id", id),
					 "vehicle.compartments: want 1..8");
	for (size_t i = 0; i < v->n_compartments; i++) {
		const Compartment *cp = v->compartments[i];

		if (cp->temperature_class < 1 || cp->temperature_class > 3 ||
		    cp->capacity_grams < 0 || cp->capacity_millilitres < 0 ||
		    cp->capacity_grams > INT64_C(100000000) ||
		    cp->capacity_millilitres > INT64_C(100000000))
			return lz_service_refuse(
				c, RS_INVALID, LZ_IDS("vehicle_id", id),
				"vehicle.compartments[%zu]: a class and "
				"capacities 0..100000000",
				i);
	}
	for (size_t i = 0; i < v->n_weekdays; i++)
		if (v->weekdays[i] < 1 || v->weekdays[i] > 7)
			return lz_service_refuse(
				c, RS_INVALID, LZ_IDS("vehicle_id", id),
				"vehicle.weekdays[%zu]: want 1..7", i);
	if (v->n_unavailable_dates > 366)
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("vehicle_id", id),
			"vehicle.unavailable_dates: at most 366");
	for (size_t i = 0; i < v->n_unavailable_dates; i++)
		if (!lz_date_valid(v->unavailable_dates[i]))
			return lz_service_refuse(
				c, RS_INVALID, LZ_IDS("vehicle_id", id),
				"vehicle.unavailable_dates[%zu]: want "
				"YYYY-MM-DD",
				i);
	if (v->cost_per_km_cents < 0 || v->cost_per_hour_cents < 0 ||
	    v->consumption_per_100km < 0 || v->cost_per_km_cents > 100000 ||
	    v->cost_per_hour_cents > 1000000)
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("vehicle_id", id),
			"vehicle costs: want 0..100000 per km, 0..1000000 per "
			"hour");
	if ((rc = tours_store_get_site(c->txn, &tours_of(c)->db,
				       v->home_hub_site_id, hub)) != 0)
		return rc;
	if (*hub == NULL || (*hub)->kind != SITE_HUB)
		return lz_service_refuse(
			c, RS_UNKNOWN_VEHICLE_HUB, LZ_IDS("vehicle_id", id),
			"vehicle.home_hub_site_id: no hub site \"%s\"",
			shown(v->home_hub_site_id));
	return 0;
}

static int
on_register_vehicle(struct lz_call *c, const ProtobufCMessage *msg)
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
		return rc;
	if ((rc = lz_store_put_msg(c->txn, tours_of(c)->db.vehicles,
				   cmd->vehicle->vehicle_id,
				   &cmd->vehicle->base)) != 0)
		return rc;
	ev.vehicle = cmd->vehicle;
	return lz_bus_emit(c->tx, c->ev->tenant, &ev.base);
}

static int
on_plan_wave(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__PlanWave *cmd =
		(const Lz__Tours__V1__PlanWave *)msg;
	const char *wave = cmd->wave && cmd->wave[0] ? cmd->wave : "day";
	int rc;

	if (!lz_date_valid(cmd->date))
		return lz_service_refuse(c, RS_INVALID, NULL,
					 "date: want YYYY-MM-DD");
	if (!lz_valid_id(wave) || strlen(wave) > WAVE_MAX)
		return lz_service_refuse(
			c, RS_INVALID, NULL,
			"wave: 1..32 characters of [A-Za-z0-9._-]");
	if (cmd->n_vehicle_ids > 1000)
		return lz_service_refuse(c, RS_INVALID, NULL,
					 "vehicle_ids: at most 1000");
	for (size_t i = 0; i < cmd->n_vehicle_ids; i++) {
		const char *id = cmd->vehicle_ids[i];
		Vehicle *v = NULL;

		if (!lz_valid_id(id))
			return lz_service_refuse(
				c, RS_INVALID, NULL,
				"vehicle_ids[%zu]: 1..64 characters of "
				"[A-Za-z0-9._-]",
				i);
		if ((rc = tours_store_get_vehicle(c->txn, &tours_of(c)->db, id,
						  &v)) != 0)
			return rc;
		if (v == NULL)
			return lz_service_refuse(
				c, RS_UNKNOWN_VEHICLE, LZ_IDS("vehicle_id", id),
				"vehicle_ids[%zu]: no such vehicle", i);
		lz__tours__v1__vehicle__free_unpacked(v, NULL);
	}
	return tours_plan_wave(tours_of(c), c->tx, cmd->date, wave,
			       cmd->vehicle_ids, cmd->n_vehicle_ids, c->now,
			       c->ev->type);
}

/* ---- drivers (operators) ---- */

/* The tours of a binding (a date's, of one vehicle) not completed. */
struct bound {
	const char *vehicle_id;
	Tour **tours;
	size_t n;
};

static int
keep_bound(Tour *t, void *arg)
{
	struct bound *b = arg;

	if (strcmp(t->vehicle_id, b->vehicle_id) != 0 ||
	    t->status == TOUR_COMPLETED)
		return 0;
	b->tours = xrealloc(b->tours, sizeof(*b->tours) * (b->n + 1));
	b->tours[b->n++] = t;
	return 1;
}

static int
on_assign_driver(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__AssignDriver *cmd =
		(const Lz__Tours__V1__AssignDriver *)msg;
	Lz__Tours__V1__DriverAssigned ev = LZ__TOURS__V1__DRIVER_ASSIGNED__INIT;
	struct tours *t = tours_of(c);
	const char *driver = cmd->driver_id ? cmd->driver_id : "";
	struct bound b = {cmd->vehicle_id, NULL, 0};
	char prev[LZ_ID_MAX + 1], prefix[16];
	Vehicle *v = NULL;
	int rc;

	if (!lz_date_valid(cmd->date))
		return lz_service_refuse(c, RS_INVALID, NULL,
					 "date: want YYYY-MM-DD");
	if (!lz_valid_id(cmd->vehicle_id))
		return lz_service_refuse(c, RS_INVALID, NULL,
					 "vehicle_id: 1..64 characters of "
					 "[A-Za-z0-9._-]");
	if (driver[0] && !lz_valid_id(driver))
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("vehicle_id", cmd->vehicle_id),
			"driver_id: empty, or 1..64 characters of "
			"[A-Za-z0-9._-]");
	if ((rc = tours_store_get_vehicle(c->txn, &t->db, cmd->vehicle_id,
					  &v)) != 0)
		return rc;
	if (v == NULL)
		return lz_service_refuse(c, RS_UNKNOWN_VEHICLE,
					 LZ_IDS("vehicle_id", cmd->vehicle_id),
					 "vehicle_id: no such vehicle");
	lz__tours__v1__vehicle__free_unpacked(v, NULL);
	snprintf(prefix, sizeof(prefix), "%s/", cmd->date);
	if ((rc = tours_store_get_driver(c->txn, &t->db, cmd->date,
					 cmd->vehicle_id, prev,
					 sizeof(prev))) != 0 ||
	    (rc = tours_store_put_driver(c->txn, &t->db, cmd->date,
					 cmd->vehicle_id, driver)) != 0 ||
	    (rc = tours_store_tours_of(c->txn, &t->db, prefix, keep_bound,
				       &b)) != 0)
		goto out;
	/* Its tours again, with their driver: the new driver's phone
	 * learns them from its stream. */
	for (size_t i = 0; i < b.n && rc == 0; i++)
		rc = tours_tour_planned(t, c->tx, b.tours[i]);
	if (rc != 0)
		goto out;
	ev.date = cmd->date;
	ev.vehicle_id = cmd->vehicle_id;
	ev.driver_id = (char *)driver;
	ev.previous_driver_id = prev;
	ev.at = c->now;
	ev.n_tour_ids = b.n;
	ev.tour_ids = xcalloc(b.n + 1, sizeof(*ev.tour_ids));
	for (size_t i = 0; i < b.n; i++)
		ev.tour_ids[i] = b.tours[i]->tour_id;
	rc = tours_emit(c->tx, c->ev->tenant, driver, &ev.base);
	/* And the driver replaced or unbound hears it too. */
	if (rc == 0 && prev[0] && strcmp(prev, driver) != 0)
		rc = tours_emit(c->tx, c->ev->tenant, prev, &ev.base);
	if (rc == 0)
		rc = lz_service_stat(c, "drivers_assigned", 1);
	free(ev.tour_ids);
out:
	for (size_t i = 0; i < b.n; i++)
		lz__tours__v1__tour__free_unpacked(b.tours[i], NULL);
	free(b.tours);
	return rc;
}

/* ---- collections (operators, the returns service) ---- */

static int
on_collection(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__CollectionRequested *r =
		(const Lz__Tours__V1__CollectionRequested *)msg;
	struct tours *t = tours_of(c);
	struct tours_task_buf b;
	Site *site = NULL;
	Task *old = NULL;
	char id[100];
	int rc;

	if (!lz_valid_id(r->request_id))
		return lz_service_refuse(c, RS_INVALID, NULL,
					 "request_id: 1..64 characters of "
					 "[A-Za-z0-9._-]");
	snprintf(id, sizeof(id), "col:%s", r->request_id);
	if ((rc = tours_store_get_task(c->txn, &t->db, id, &old)) != 0)
		return rc;
	if (old) {
		free_task(old);
		return lz_service_refuse(c, RS_DUPLICATE,
					 LZ_IDS("request_id", r->request_id),
					 "request_id: already requested");
	}
	if (!lz_valid_id(r->site_id) ||
	    (r->destination_site_id && r->destination_site_id[0] &&
	     !lz_valid_id(r->destination_site_id)))
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("request_id", r->request_id),
			"site_id, destination_site_id: 1..64 characters of "
			"[A-Za-z0-9._-]");
	if ((rc = tours_store_get_site(c->txn, &t->db, r->site_id, &site)) != 0)
		return rc;
	if (!tours_task_for_collection(r, site, &t->conf, c->now, &b)) {
		rc = lz_service_refuse(
			c, RS_INVALID, LZ_IDS("request_id", r->request_id),
			"window (start <= end) and loads (0..100000000, at "
			"most 16) required");
		goto out;
	}
	b.t.member_id = (char *)(c->ev->tenant ? c->ev->tenant : "");
	if ((rc = tours_task_create(t, c->tx, &b.t, c->now, c->ev->type)) == 0)
		rc = tours_insert_late(t, c->tx, &b.t, c->now, c->ev->type);
out:
	if (site)
		lz__orders__v1__site__free_unpacked(site, NULL);
	return rc;
}

/* ---- execution (drivers) ---- */

/* Order ids, the hub-stock orders of a tour lz-inventory did not pick. */
struct unpicked {
	char **ids;
	size_t n;
};

static void
unpicked_release(struct unpicked *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->ids[i]);
	free(u->ids);
	u->ids = NULL;
	u->n = 0;
}

/* Moves tour T to status TO (at a start with orders not picked, allowed
 * by an operator: OVERRIDDEN names them) and emits TourStatusChanged. */
static int
tour_status(struct lz_call *c, Tour *t, int to, int64_t odometer,
	    const struct unpicked *overridden)
{
	Lz__Tours__V1__TourStatusChanged ev =
		LZ__TOURS__V1__TOUR_STATUS_CHANGED__INIT;
	int rc;

	if (overridden && overridden->n > 0) {
		ev.picking_overridden = 1;
		ev.n_unpicked_order_ids = overridden->n;
		ev.unpicked_order_ids = overridden->ids;
	}
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
	if ((rc = lz_store_put_msg(c->txn, tours_of(c)->db.tours, t->tour_id,
				   &t->base)) != 0)
		return rc;
	return tours_emit(c->tx, NULL, t->driver_id, &ev.base);
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

/* Moves TASK of stop S as the report being applied says. */
static int
move_task(struct lz_call *c, Task *task, int to, const Stop *s,
	  const char *detail, int order_status)
{
	return tours_task_change(
		tours_of(c), c->tx, task,
		&(struct tours_change){.to = to,
				       .stop = s ? s->index : 0,
				       .detail = detail,
				       .order_status = order_status,
				       .at = c->now,
				       .cause = c->ev->type});
}

/* Calls FN for every task of stop S of tour T that is in the store. */
static int
each_task(struct lz_call *c, const Tour *t, const Stop *s,
	  int (*fn)(struct lz_call *c, const Tour *t, const Stop *s, Task *task,
		    void *arg),
	  void *arg)
{
	int rc = 0;

	for (size_t k = 0; k < s->n_task_ids && rc == 0; k++) {
		Task *task = NULL;

		if ((rc = tours_store_get_task(c->txn, &tours_of(c)->db,
					       s->task_ids[k], &task)) != 0 ||
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
board(struct lz_call *c, const Tour *t, const Stop *s, Task *task, void *arg)
{
	if (task->status != TS_PLANNED ||
	    (task->kind != TK_DELIVERY && task->kind != TK_RELAY))
		return 0;
	return move_task(c, task, TS_ON_BOARD, s, NULL,
			 order_next(task, TS_ON_BOARD));
}

/* Finds tour ID in status WANT into *T; otherwise refuses the report.
 * The report happened AT (0: now): from here on the call's time. */
static int
lookup_tour(struct lz_call *c, const char *id, Tour **t, int want, int64_t at)
{
	const char *why = NULL;
	int rc;

	*t = NULL;
	if (!valid_tour_id(id))
		return lz_service_refuse(
			c, RS_INVALID, NULL,
			"tour_id: want <YYYY-MM-DD>/<wave>/<vehicle_id>");
	if ((rc = tours_store_get_tour(c->txn, &tours_of(c)->db, id, t)) != 0)
		return rc;
	if (*t == NULL)
		return lz_service_refuse(c, RS_UNKNOWN_TOUR,
					 LZ_IDS("tour_id", id),
					 "tour_id: no such tour");
	/* Before its state: who is not its driver learns nothing of it. */
	if (!tours_may_report((*t)->driver_id, c->ev->actor,
			      lz_service_actor_has_role(c, "operator"))) {
		rc = lz_service_refuse(
			c, RS_NOT_YOUR_TOUR,
			LZ_IDS("tour_id", id, "vehicle_id", (*t)->vehicle_id),
			"tour_id: the tour of another driver; only its "
			"driver or an operator may report on it");
		lz__tours__v1__tour__free_unpacked(*t, NULL);
		*t = NULL;
		return rc;
	}
	if ((int)(*t)->status != want) {
		rc = lz_service_refuse(
			c, RS_BAD_STATE,
			LZ_IDS("tour_id", id, "vehicle_id", (*t)->vehicle_id),
			"tour is %s", tours_tour_status_name((*t)->status));
		lz__tours__v1__tour__free_unpacked(*t, NULL);
		*t = NULL;
		return rc;
	}
	if (lz_date_report_time((*t)->date, (*t)->started_at, at, c->now,
				&c->now, &why) != 0) {
		rc = lz_service_refuse(
			c, RS_INVALID,
			LZ_IDS("tour_id", id, "vehicle_id", (*t)->vehicle_id),
			"%s", why);
		lz__tours__v1__tour__free_unpacked(*t, NULL);
		*t = NULL;
		return rc;
	}
	return 0;
}

/* Adds TASK's order to ARG (a struct unpicked) when it is a hub-stock
 * delivery of the tour that lz-inventory has not picked. */
static int
unpicked_one(struct lz_call *c, const Tour *t, const Stop *s, Task *task,
	     void *arg)
{
	struct unpicked *u = arg;
	Order *o = NULL;
	int picked = 1, rc;

	if (task->status != TS_PLANNED ||
	    (task->kind != TK_DELIVERY && task->kind != TK_RELAY) ||
	    !lz_valid_order_id(task->order_id))
		return 0;
	if ((rc = tours_store_get_order(c->txn, &tours_of(c)->db,
					task->order_id, &o)) != 0 ||
	    o == NULL)
		return rc;
	if ((int)o->source == SRC_HUB_STOCK)
		rc = tours_store_picked(c->txn, &tours_of(c)->db,
					task->order_id, &picked);
	lz__orders__v1__order__free_unpacked(o, NULL);
	if (rc == 0 && !picked) {
		u->ids = xrealloc(u->ids, (u->n + 1) * sizeof(*u->ids));
		u->ids[u->n++] = xstrdup(task->order_id);
	}
	return rc;
}

/* Refuses the start of tour T while U names orders not picked. */
static int
refuse_unpicked(struct lz_call *c, const Tour *t, const struct unpicked *u)
{
	char names[240] = "";
	size_t o = 0, shown_n = 0;

	for (size_t i = 0; i < u->n && o < sizeof(names); i++) {
		int w = snprintf(names + o, sizeof(names) - o, "%s%s",
				 i ? ", " : "", u->ids[i]);

		if (w < 0 || (size_t)w >= sizeof(names) - o) {
			names[o] = '\0';
			break;
		}
		o += (size_t)w;
		shown_n++;
	}
	return lz_service_refuse(
		c, RS_NOT_PICKED,
		LZ_IDS("tour_id", t->tour_id, "vehicle_id", t->vehicle_id),
		"%zu hub-stock order%s not picked: %s%s (PickTour at "
		"lz-inventory, or override_picking by an operator)",
		u->n, u->n == 1 ? "" : "s", names,
		shown_n < u->n ? ", ..." : "");
}

static int
on_tour_started(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourStarted *cmd =
		(const Lz__Tours__V1__TourStarted *)msg;
	struct unpicked u = {NULL, 0};
	Tour *t = NULL;
	int rc = lookup_tour(c, cmd->tour_id, &t, TOUR_PLANNED, cmd->at);

	if (rc != 0)
		return rc;
	/* The hub picks first (PickTour, OrderPicked), unless lz-inventory
	 * picks at the start; an operator may override (the gateway lets
	 * only an operator set override_picking). */
	if (!tours_of(c)->pick_on_start)
		for (size_t s = 0; s < t->n_stops && rc == 0; s++)
			rc = each_task(c, t, t->stops[s], unpicked_one, &u);
	if (rc == 0 && u.n > 0 && !cmd->override_picking) {
		rc = refuse_unpicked(c, t, &u);
		goto out;
	}
	if (rc == 0 && u.n > 0) {
		lz_log_warn("tour started with orders not picked",
			    "tour=%s orders=%zu actor=%s", t->tour_id, u.n,
			    c->ev->actor && lz_valid_id(c->ev->actor)
				    ? c->ev->actor
				    : "-");
		rc = lz_service_stat(c, "starts_overridden", 1);
	}
	if (rc == 0)
		rc = tour_status(c, t, TOUR_STARTED, cmd->odometer_km, &u);
	for (size_t s = 0; s < t->n_stops && rc == 0; s++)
		rc = each_task(c, t, t->stops[s], board, NULL);
out:
	unpicked_release(&u);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

/* Finds stop INDEX of a started tour that can still be reported. */
static int
lookup_stop(struct lz_call *c, const char *tour_id, uint32_t index, int64_t at,
	    Tour **t, Stop **s)
{
	int rc = lookup_tour(c, tour_id, t, TOUR_STARTED, at);

	*s = NULL;
	if (rc != 0)
		return rc;
	if (index >= (*t)->n_stops || (*t)->stops[index]->kind != SK_TASK)
		rc = lz_service_refuse(
			c, RS_BAD_STOP,
			LZ_IDS("tour_id", tour_id, "vehicle_id",
			       (*t)->vehicle_id),
			"stop_index: %u is not a task stop of the tour", index);
	else if ((*t)->stops[index]->status == SS_COMPLETED ||
		 (*t)->stops[index]->status == SS_FAILED)
		rc = lz_service_refuse(c, RS_BAD_STATE,
				       LZ_IDS("tour_id", tour_id, "vehicle_id",
					      (*t)->vehicle_id),
				       "stop %u already reported", index);
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
stop_status(struct lz_call *c, Tour *t, Stop *s, int to, int fail,
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
	rc = lz_store_put_msg(c->txn, tours_of(c)->db.tours, t->tour_id,
			      &t->base);
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
	return tours_emit(c->tx, NULL, t->driver_id, &ev.base);
}

static int
on_stop_arrived(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__StopArrived *cmd =
		(const Lz__Tours__V1__StopArrived *)msg;
	Tour *t;
	Stop *s;
	int rc = lookup_stop(c, cmd->tour_id, cmd->stop_index, cmd->at, &t, &s);

	if (rc != 0)
		return rc;
	rc = stop_status(c, t, s, SS_ARRIVED, 0, NULL, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

static int
complete_task(struct lz_call *c, const Tour *t, const Stop *s, Task *task,
	      void *arg)
{
	if (task->status == TS_DONE || task->status == TS_CANCELLED ||
	    task->status == TS_FAILED)
		return 0;
	return move_task(c, task, TS_DONE, s, NULL, order_next(task, TS_DONE));
}

static int
on_stop_completed(struct lz_call *c, const ProtobufCMessage *msg)
{
	Lz__Tours__V1__StopCompleted *cmd = (Lz__Tours__V1__StopCompleted *)msg;
	Tour *t;
	Stop *s;
	int rc;

	if (!lz_valid_text(cmd->note, NOTE_MAX))
		return lz_service_refuse(c, RS_INVALID,
					 LZ_IDS("tour_id", cmd->tour_id),
					 "note: at most 1000 bytes of UTF-8");
	for (size_t i = 0; i < cmd->n_containers_collected; i++)
		if (!lz_valid_id(cmd->containers_collected[i]->container_type))
			return lz_service_refuse(
				c, RS_INVALID, LZ_IDS("tour_id", cmd->tour_id),
				"containers_collected[%zu].container_type: "
				"1..64 characters of [A-Za-z0-9._-]",
				i);
	if ((rc = lookup_stop(c, cmd->tour_id, cmd->stop_index, cmd->at, &t,
			      &s)) != 0)
		return rc;
	if ((rc = stop_status(c, t, s, SS_COMPLETED, 0, cmd->note, cmd)) == 0 &&
	    (rc = lz_service_stat(c, "stops_completed", 1)) == 0)
		rc = each_task(c, t, s, complete_task, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

static int
fail_task(struct lz_call *c, const Tour *t, const Stop *s, Task *task,
	  void *arg)
{
	struct tours *tt = tours_of(c);
	const char *note = arg;
	int last;

	if (task->status == TS_DONE || task->status == TS_CANCELLED ||
	    task->status == TS_FAILED)
		return 0;
	task->attempts++;
	last = (int)task->attempts >= tt->max_attempts;
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
			rc = tours_store_put_task(c->txn, &tt->db, task,
						  old_date);
			if (rc == 0)
				rc = move_task(c, task, TS_FAILED, s, note, 0);
			task->date = old_date;
			task->window = old_w;
			return rc;
		}
	}
	return move_task(c, task, TS_FAILED, s, note,
			 last && task->order_id && task->order_id[0] ? OS_FAILED
								     : 0);
}

static int
on_stop_failed(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__StopFailed *cmd =
		(const Lz__Tours__V1__StopFailed *)msg;
	Tour *t;
	Stop *s;
	int rc;

	if (cmd->reason < 1 || cmd->reason > 5)
		return lz_service_refuse(
			c, RS_INVALID, LZ_IDS("tour_id", cmd->tour_id),
			"reason: closed, absent, refused, damaged or other");
	if (!lz_valid_text(cmd->note, NOTE_MAX))
		return lz_service_refuse(c, RS_INVALID,
					 LZ_IDS("tour_id", cmd->tour_id),
					 "note: at most 1000 bytes of UTF-8");
	if ((rc = lookup_stop(c, cmd->tour_id, cmd->stop_index, cmd->at, &t,
			      &s)) != 0)
		return rc;
	if ((rc = stop_status(c, t, s, SS_FAILED, (int)cmd->reason, cmd->note,
			      NULL)) == 0 &&
	    (rc = lz_service_stat(c, "stops_failed", 1)) == 0)
		rc = each_task(c, t, s, fail_task, cmd->note);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

/* Emits GoodsUnloaded for pickup TASK of tour T, back at its hub: the
 * order's lines, which the inventory service receives as lots held for
 * the order. */
static int
unload(struct lz_call *c, const Tour *t, const Task *task)
{
	Lz__Tours__V1__GoodsUnloaded ev = LZ__TOURS__V1__GOODS_UNLOADED__INIT;
	Lz__Tours__V1__UnloadedLine *lines, **lp;
	Order *o = NULL;
	int rc;

	if ((rc = tours_store_get_order(c->txn, &tours_of(c)->db,
					task->order_id, &o)) != 0)
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
return_task(struct lz_call *c, const Tour *t, const Stop *s, Task *task,
	    void *arg)
{
	struct tours *tt = tours_of(c);
	int rc;

	if (task->status == TS_DONE && task->kind == TK_PICKUP) {
		if (task->order_id && task->order_id[0] &&
		    (rc = unload(c, t, task)) != 0)
			return rc;
		return move_task(c, task, TS_DONE, s, "unloaded at hub",
				 OS_AT_HUB);
	}
	if (task->status == TS_FAILED &&
	    (int)task->attempts >= tt->max_attempts)
		return 0;
	if (task->status != TS_FAILED && task->status != TS_PLANNED &&
	    task->status != TS_ON_BOARD)
		return 0;
	rc = tours_task_change(
		tt, c->tx, task,
		&(struct tours_change){.to = TS_PENDING,
				       .tour_id = "",
				       .detail = "back at hub, to plan again",
				       .at = c->now,
				       .cause = c->ev->type});
	if (rc == 0)
		rc = tours_insert_late(tt, c->tx, task, c->now, c->ev->type);
	return rc;
}

static int
on_tour_completed(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourCompleted *cmd =
		(const Lz__Tours__V1__TourCompleted *)msg;
	Tour *t = NULL;
	int rc;

	if (cmd->odometer_km < 0 || cmd->odometer_km > 10000000)
		return lz_service_refuse(c, RS_INVALID,
					 LZ_IDS("tour_id", cmd->tour_id),
					 "odometer_km: 0..10000000");
	if ((rc = lookup_tour(c, cmd->tour_id, &t, TOUR_STARTED, cmd->at)) != 0)
		return rc;
	rc = tour_status(c, t, TOUR_COMPLETED, cmd->odometer_km, NULL);
	if (rc == 0)
		rc = lz_service_stat(c, "driven_m", t->distance_m);
	for (size_t s = 0; s < t->n_stops && rc == 0; s++)
		rc = each_task(c, t, t->stops[s], return_task, NULL);
	lz__tours__v1__tour__free_unpacked(t, NULL);
	return rc;
}

const struct lz_handler tours_commands[] = {
	{&lz__tours__v1__register_vehicle__descriptor, on_register_vehicle,
	 LZ_FROM_GATEWAY},
	{&lz__tours__v1__plan_wave__descriptor, on_plan_wave, LZ_FROM_GATEWAY},
	{&lz__tours__v1__assign_driver__descriptor, on_assign_driver,
	 LZ_FROM_GATEWAY},
	/* An operator's request, or the returns service's for a flow
	 * outside the bike zone. */
	{&lz__tours__v1__collection_requested__descriptor, on_collection,
	 LZ_FROM_GATEWAY "," RETURNS_SOURCE},
	{&lz__tours__v1__tour_started__descriptor, on_tour_started,
	 LZ_FROM_GATEWAY},
	{&lz__tours__v1__stop_arrived__descriptor, on_stop_arrived,
	 LZ_FROM_GATEWAY},
	{&lz__tours__v1__stop_completed__descriptor, on_stop_completed,
	 LZ_FROM_GATEWAY},
	{&lz__tours__v1__stop_failed__descriptor, on_stop_failed,
	 LZ_FROM_GATEWAY},
	{&lz__tours__v1__tour_completed__descriptor, on_tour_completed,
	 LZ_FROM_GATEWAY},
};
const size_t tours_n_commands = LZ_ARRAY_LEN(tours_commands);
