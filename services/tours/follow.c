/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * follow.c -- the other services' events the tours service follows: the
 * orders service's directory (SiteRegistered) and orders' lifecycle
 * (OrderPlaced, OrderAmended, OrderStatusChanged), which create, rebuild
 * and cancel tasks; the inventory's picking (OrderPicked, and a short
 * pick's Shortage), which a tour's start needs.  Each is accepted only
 * from its service.
 */
#include "tasks.h"
#include "tours.h"
#include "wave.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- the directory ---- */

static int
on_site(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__SiteRegistered *ev =
		(const Lz__Orders__V1__SiteRegistered *)msg;
	const struct tours_db *db = &tours_of(c)->db;
	const Site *s = ev->site;
	char cur[80];
	const char *role = NULL;
	int rc;

	if (s == NULL || !lz_valid_id(s->site_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "site.site_id");
	if ((rc = lz_store_put_msg(c->txn, db->sites, s->site_id, &s->base)) !=
	    0)
		return rc;
	if ((int)s->kind == SITE_HUB)
		role = "hub";
	else if ((int)s->kind == SITE_BIKE_RELAY)
		role = "relay";
	if (role == NULL)
		return 0;
	/* The first hub (bike relay) registered is the one; another site
	 * can take the role with the configuration's hub (relay) option. */
	if ((rc = tours_store_meta_get(c->txn, db, role, cur, sizeof(cur))) !=
	    0)
		return rc;
	if (cur[0] == '\0')
		rc = tours_store_meta_put(c->txn, db, role, s->site_id);
	return rc;
}

/* ---- orders ---- */

/* Reads the sites the task of order O needs: its destination, its pickup
 * site and the bike relay (each NULL when unknown; free with
 * free_sites()). */
static int
order_sites(struct lz_call *c, const Order *o, Site **dest, Site **pick,
	    Site **relay)
{
	const struct tours_db *db = &tours_of(c)->db;
	char relay_id[80];
	int rc;

	*dest = *pick = *relay = NULL;
	if ((rc = tours_store_get_site(c->txn, db, o->destination_site_id,
				       dest)) ||
	    (rc = tours_store_get_site(c->txn, db, o->pickup_site_id, pick)) ||
	    (rc = tours_store_meta_get(c->txn, db, "relay", relay_id,
				       sizeof(relay_id))))
		return rc;
	return tours_store_get_site(c->txn, db, relay_id, relay);
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

static void
free_task(Task *t)
{
	if (t)
		lz__tours__v1__task__free_unpacked(t, NULL);
}

/* The task order O needs in status STATUS (as tours knows it), if any:
 * created when it is not there yet (AMENDED 0); built again (window,
 * loads, site, date) when the order was amended and its task is still
 * pending or unplanned (AMENDED 1: the orders service refuses an
 * amendment once the order is planned, so a planned task never changes
 * here).  Either way it is offered to the tours already planned for its
 * date. */
static int
order_task(struct lz_call *c, const Order *o, int status, int amended)
{
	struct tours *t = tours_of(c);
	struct tours_task_buf b;
	Site *dest, *pick, *relay;
	Task *old = NULL;
	int rc;

	if ((rc = order_sites(c, o, &dest, &pick, &relay)) != 0)
		goto out;
	if (!tours_task_for_order(o, status, dest, pick, relay, &t->conf,
				  c->now, &b))
		goto out;
	if ((rc = tours_store_get_task(c->txn, &t->db, b.t.task_id, &old)))
		goto out;
	if (!amended) {
		if (old != NULL)
			goto out;
		rc = tours_task_create(t, c->tx, &b.t, c->now, c->ev->type);
	} else {
		if (old == NULL ||
		    (old->status != TS_PENDING && old->status != TS_UNPLANNED))
			goto out;
		b.t.created_at = old->created_at;
		b.t.attempts = old->attempts;
		b.t.status = old->status;
		/* Moves the date index entry when the window changed day. */
		if ((rc = tours_store_put_task(c->txn, &t->db, &b.t,
					       old->date)) == 0)
			rc = tours_task_change(
				t, c->tx, &b.t,
				&(struct tours_change){.to = TS_PENDING,
						       .detail =
							       "order amended",
						       .at = c->now,
						       .cause = c->ev->type});
	}
	if (rc == 0)
		rc = tours_insert_late(t, c->tx, &b.t, c->now, c->ev->type);
out:
	free_task(old);
	free_sites(dest, pick, relay);
	return rc;
}

static int
on_order(struct lz_call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape. */
	const Lz__Orders__V1__OrderPlaced *ev =
		(const Lz__Orders__V1__OrderPlaced *)msg;
	const struct tours_db *db = &tours_of(c)->db;
	Order *old = NULL;
	int rc;

	if (ev->order == NULL || !lz_valid_order_id(ev->order->order_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "order.order_id");
	if ((rc = tours_store_get_order(c->txn, db, ev->order->order_id,
					&old)) != 0)
		return rc;
	if (old) {
		/* An amendment: keep the status tours knows. */
		Lz__Orders__V1__OrderStatus st = ev->order->status;

		ev->order->status = old->status;
		rc = lz_store_put_msg(c->txn, db->orders, ev->order->order_id,
				      &ev->order->base);
		if (rc == 0)
			rc = order_task(c, ev->order, (int)old->status, 1);
		ev->order->status = st;
		lz__orders__v1__order__free_unpacked(old, NULL);
		return rc;
	}
	return lz_store_put_msg(c->txn, db->orders, ev->order->order_id,
				&ev->order->base);
}

static int
cancel_tasks(struct lz_call *c, const char *order_id, int to_status)
{
	static const char *const prefixes[] = {"pick", "del"};
	struct tours *t = tours_of(c);
	int rc = 0;

	for (size_t i = 0; i < LZ_ARRAY_LEN(prefixes) && rc == 0; i++) {
		char id[300];
		Task *task = NULL;

		snprintf(id, sizeof(id), "%s:%s", prefixes[i], order_id);
		if ((rc = tours_store_get_task(c->txn, &t->db, id, &task)) !=
			    0 ||
		    task == NULL)
			continue;
		if (task->status != TS_DONE && task->status != TS_CANCELLED &&
		    task->status != TS_FAILED)
			rc = tours_task_change(
				t, c->tx, task,
				&(struct tours_change){
					.to = TS_CANCELLED,
					.detail = to_status == OS_CANCELLED
							  ? "order cancelled"
							  : "order ended",
					.at = c->now,
					.cause = c->ev->type});
		free_task(task);
	}
	return rc;
}

static int
on_order_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *ev =
		(const Lz__Orders__V1__OrderStatusChanged *)msg;
	const struct tours_db *db = &tours_of(c)->db;
	Order *o = NULL;
	int to = (int)ev->to, rc;

	if ((rc = tours_store_get_order(c->txn, db, ev->order_id, &o)) != 0 ||
	    o == NULL)
		return rc;
	o->status = ev->to;
	if ((rc = lz_store_put_msg(c->txn, db->orders, o->order_id,
				   &o->base)) != 0)
		goto out;
	if (to == OS_CONFIRMED || to == OS_AT_HUB)
		rc = order_task(c, o, to, 0);
	else if (to == OS_CANCELLED || to == OS_REJECTED || to == OS_FAILED)
		rc = cancel_tasks(c, o->order_id, to);
out:
	lz__orders__v1__order__free_unpacked(o, NULL);
	return rc;
}

/* ---- the inventory's picking ---- */

/* A hub-stock order's units left the hub's stock: a tour may start with
 * it (commands.c checks at TourStarted). */
static int
on_order_picked(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__OrderPicked *ev =
		(const Lz__Inventory__V1__OrderPicked *)msg;
	int rc;

	if (!lz_valid_order_id(ev->order_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "order_id");
	if ((rc = tours_store_set_picked(c->txn, &tours_of(c)->db, ev->order_id,
					 0)) != 0)
		return rc;
	return lz_service_stat(c, "orders_picked", 1);
}

/* A short pick (the order goes with what was picked; a reservation's
 * shortage is the orders service's business): noted and counted. */
static int
on_shortage(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__Shortage *ev =
		(const Lz__Inventory__V1__Shortage *)msg;
	int rc;

	if (!ev->short_pick)
		return 0;
	if (!lz_valid_order_id(ev->order_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "order_id");
	lz_log_info("short pick", "order=%s tour=%s lines=%zu", ev->order_id,
		    lz_valid_path(ev->tour_id) ? ev->tour_id : "-",
		    ev->n_lines);
	if ((rc = tours_store_set_picked(c->txn, &tours_of(c)->db, ev->order_id,
					 1)) != 0)
		return rc;
	return lz_service_stat(c, "short_picks", 1);
}

const struct lz_handler tours_follows[] = {
	{&lz__orders__v1__site_registered__descriptor, on_site, ORDERS_SOURCE},
	{&lz__orders__v1__order_placed__descriptor, on_order, ORDERS_SOURCE},
	{&lz__orders__v1__order_amended__descriptor, on_order, ORDERS_SOURCE},
	{&lz__orders__v1__order_status_changed__descriptor, on_order_status,
	 ORDERS_SOURCE},
	{&lz__inventory__v1__order_picked__descriptor, on_order_picked,
	 INVENTORY_SOURCE},
	{&lz__inventory__v1__shortage__descriptor, on_shortage,
	 INVENTORY_SOURCE},
};
const size_t tours_n_follows = LZ_ARRAY_LEN(tours_follows);
