/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * follow.c -- the other services' events the inventory follows, each
 * accepted only from its service: the orders' hub-stock orders (placed,
 * amended, their status), which reserve and release stock; the tours'
 * tours planned (their picking lists) and started (picked then, with
 * pick-on-start), goods unloaded at the hub from a producer pickup
 * (received as lots reserved for their order) and deliveries on board
 * (their order picked).
 */
#include "alloc.h"
#include "inventory.h"
#include "picking.h"
#include "stock.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
on_order_placed(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderPlaced *ev =
		(const Lz__Orders__V1__OrderPlaced *)msg;
	const Order *ord = ev->order;
	OrderRecord o = LZ__INVENTORY__V1__ORDER_RECORD__INIT, *old = NULL;
	int rc;

	if (ord == NULL || (int)ord->source != OSRC_HUB_STOCK ||
	    !lz_valid_order_id(ord->order_id) || !lz_valid_id(ord->member_id))
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    ord->order_id, &old)) != 0)
		return rc;
	if (old) { /* orders never places an id twice: keep the first */
		lz__inventory__v1__order_record__free_unpacked(old, NULL);
		return 0;
	}
	o.order_id = ord->order_id;
	o.member_id = ord->member_id;
	o.window_end = ord->delivery_window ? ord->delivery_window->end : 0;
	o.allow_partial = ord->allow_partial;
	o.status = OST_PLACED;
	return inventory_reserve(c, ord, &o);
}

static int
on_order_amended(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderAmended *ev =
		(const Lz__Orders__V1__OrderAmended *)msg;
	const Order *ord = ev->order;
	OrderRecord *o = NULL;
	int rc;

	if (ord == NULL || (int)ord->source != OSRC_HUB_STOCK)
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    ord->order_id, &o)) != 0 ||
	    o == NULL)
		return rc;
	if (o->picked || inventory_status_final((int)o->status))
		goto out;
	if ((rc = inventory_release(c, o, INV_EV_ORDER_AMENDED, 0)) != 0)
		goto out;
	{
		OrderRecord next = *o;
		next.n_allocations = 0;
		next.allocations = NULL;
		next.window_end =
			ord->delivery_window ? ord->delivery_window->end : 0;
		next.allow_partial = ord->allow_partial;
		rc = inventory_reserve(c, ord, &next);
	}
out:
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

static int
on_status_changed(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *ev =
		(const Lz__Orders__V1__OrderStatusChanged *)msg;
	OrderRecord *o = NULL;
	size_t n;
	int rc;

	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    ev->order_id, &o)) != 0 ||
	    o == NULL)
		return rc;
	n = o->n_allocations;
	if (inventory_status_final((int)ev->to) && !o->picked) {
		if ((int)ev->to == OST_DELIVERED && n)
			lz_log_warn("order delivered without picking",
				    "order=%s", o->order_id);
		rc = inventory_release(c, o, INV_EV_STATUS_CHANGED, 0);
		if (rc == 0)
			rc = inventory_picking_note(c, o, PST_DROPPED,
						    c->ev->type);
		o->n_allocations = 0;
	}
	o->status = (uint32_t)ev->to;
	if (rc == 0)
		rc = inventory_store_put_order(c->txn, &inventory_of(c)->db, o);
	o->n_allocations = n;
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

/* ---- the tours service's tours ---- */

/* A tour planned (or planned again): its picking list. */
static int
on_tour_planned(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourPlanned *ev =
		(const Lz__Tours__V1__TourPlanned *)msg;

	return inventory_picking_make(c, ev->tour);
}

/* A tour started: with pick-on-start, its orders still to pick are
 * picked as listed; otherwise a start with orders not picked (an
 * operator's override) is only logged. */
static int
on_tour_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TourStatusChanged *ev =
		(const Lz__Tours__V1__TourStatusChanged *)msg;
	struct inventory_pick p;
	char detail[8];
	size_t bad;
	int rc;

	if ((int)ev->to != TOUR_STARTED || !lz_valid_path(ev->tour_id))
		return 0;
	if ((rc = inventory_pick_load(c, ev->tour_id, &p)) != 0 ||
	    p.list == NULL || p.todo == 0)
		goto out;
	if (!inventory_of(c)->pick_on_start) {
		lz_log_warn("tour started with orders not picked",
			    "tour=%s orders=%zu", ev->tour_id, p.todo);
		goto out;
	}
	/* Nothing given: every item as listed, never refused. */
	inv_pick_quantities(p.items, p.n_items, NULL, 0, &bad, detail,
			    sizeof(detail));
	rc = inventory_pick_commit(c, &p, c->ev->type);
out:
	inventory_pick_release(&p);
	return rc;
}

/* ---- goods unloaded by the tours service ---- */

/* The zones, in the order of their ids, with what they hold. */
struct zone_list {
	struct lz_call *c;
	struct inv_zone_state *st;
	char (*ids)[INV_ID_MAX + 1];
	size_t n;
	int rc;
};

static int
zone_one(Zone *z, void *arg)
{
	struct zone_list *zl = arg;
	struct inv_zone_state *st;
	char name[96];

	zl->st = xrealloc(zl->st, (zl->n + 1) * sizeof(*zl->st));
	zl->ids = xrealloc(zl->ids, (zl->n + 1) * sizeof(*zl->ids));
	st = &zl->st[zl->n];
	memset(st, 0, sizeof(*st));
	st->temp = (int)z->temperature_class;
	st->capacity_grams = z->capacity_grams;
	st->capacity_ml = z->capacity_millilitres;
	snprintf(zl->ids[zl->n], sizeof(zl->ids[zl->n]), "%s", z->zone_id);
	snprintf(name, sizeof(name), "g/%s", z->zone_id);
	if ((zl->rc = inventory_store_stat_get(zl->c->txn,
					       &inventory_of(zl->c)->db, name,
					       &st->used_grams)) != 0)
		return zl->rc;
	snprintf(name, sizeof(name), "ml/%s", z->zone_id);
	if ((zl->rc = inventory_store_stat_get(zl->c->txn,
					       &inventory_of(zl->c)->db, name,
					       &st->used_ml)) != 0)
		return zl->rc;
	zl->n++;
	return 0;
}

static int
load_zones(struct lz_call *c, struct zone_list *zl)
{
	int rc;

	*zl = (struct zone_list){c, NULL, NULL, 0, 0};
	rc = inventory_store_each_zone(c->txn, &inventory_of(c)->db, zone_one,
				       zl);
	return rc ? rc : zl->rc;
}

static int64_t
mul_sat(int64_t a, int64_t b)
{
	return b != 0 && a > INT64_MAX / b ? INT64_MAX : a * b;
}

/*
 * A producer pickup's goods are at the hub: each line is received as a lot
 * of the order's member, in the first zone of its class with room for it
 * (refused as any reception otherwise, ReceptionRefused), and the lots
 * received are reserved for the order, whose record is marked received:
 * they leave the stock when its delivery is on board.
 */
static int
on_goods_unloaded(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__GoodsUnloaded *ev =
		(const Lz__Tours__V1__GoodsUnloaded *)msg;
	OrderRecord o = LZ__INVENTORY__V1__ORDER_RECORD__INIT, *old = NULL;
	struct zone_list zl = {0};
	Allocation *allocs = NULL, **aptr = NULL;
	char(*lot_ids)[INV_ID_MAX + 1] = NULL;
	size_t n = 0;
	int rc;

	if (!lz_valid_order_id(ev->order_id) || !lz_valid_id(ev->member_id) ||
	    ev->n_lines > 1000)
		return lz_service_stat(c, "bad_payload", 1);
	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    ev->order_id, &old)) != 0)
		return rc;
	if (old) { /* tours unloads a pickup once: keep the first */
		lz_log_warn("goods unloaded twice", "order=%s", ev->order_id);
		lz__inventory__v1__order_record__free_unpacked(old, NULL);
		return 0;
	}
	allocs = xcalloc(ev->n_lines + 1, sizeof(*allocs));
	aptr = xcalloc(ev->n_lines + 1, sizeof(*aptr));
	lot_ids = xcalloc(ev->n_lines + 1, sizeof(*lot_ids));
	for (size_t i = 0; i < ev->n_lines; i++) {
		const Lz__Tours__V1__UnloadedLine *ln = ev->lines[i];
		ReceiveLot r = LZ__INVENTORY__V1__RECEIVE_LOT__INIT;
		int zi, done = 0;

		/* Zones fill up line after line: read them each time. */
		free(zl.st);
		free(zl.ids);
		if ((rc = load_zones(c, &zl)) != 0)
			goto out;
		inv_unload_lot_id(ev->order_id, ln->line, lot_ids[i]);
		zi = inv_choose_zone(
			zl.st, zl.n, (int)ln->temperature_class,
			mul_sat(ln->quantity, ln->unit_grams),
			mul_sat(ln->quantity, ln->unit_millilitres));
		r.lot_id = lot_ids[i];
		r.owner_member_id = ev->member_id;
		r.product = ln->product;
		r.quantity = ln->quantity;
		r.unit_grams = ln->unit_grams;
		r.unit_millilitres = ln->unit_millilitres;
		r.temperature_class = ln->temperature_class;
		r.zone_id = zi >= 0 ? zl.ids[zi] : "";
		r.origin_site_id = ev->origin_site_id;
		r.origin_order_id = ev->order_id;
		if (zi < 0) {
			Lz__Inventory__V1__ReceptionRefused rr =
				LZ__INVENTORY__V1__RECEPTION_REFUSED__INIT;
			int clean =
				lz_valid_text(r.product, INV_TEXT_MAX) &&
				lz_valid_text(r.origin_site_id, INV_TEXT_MAX);

			if ((rc = inventory_count_refusal(
				     c, INV_UNKNOWN_ZONE)) != 0)
				goto out;
			rr.reception = clean ? &r : NULL;
			rr.reason = (Lz__Inventory__V1__RefusalReason)
				INV_UNKNOWN_ZONE;
			rr.detail = "zone_id: no zone of the lot's "
				    "temperature class";
			if ((rc = lz_bus_emit(c->tx, ev->member_id,
					      &rr.base)) != 0)
				goto out;
			continue;
		}
		if ((rc = inventory_receive(c, &r, &done)) != 0)
			goto out;
		if (!done)
			continue;
		if ((rc = inventory_lot_move(c, r.lot_id, r.quantity, 0)) != 0)
			goto out;
		lz__inventory__v1__allocation__init(&allocs[n]);
		allocs[n].line = ln->line;
		allocs[n].product = ln->product;
		allocs[n].lot_id = lot_ids[i];
		allocs[n].owner_member_id = ev->member_id;
		allocs[n].quantity = ln->quantity;
		aptr[n] = &allocs[n];
		n++;
	}
	if (n == 0)
		goto out;
	o.order_id = ev->order_id;
	o.member_id = ev->member_id;
	o.status = OST_AT_HUB;
	o.received = 1;
	o.n_allocations = n;
	o.allocations = aptr;
	if ((rc = inventory_store_put_order(c->txn, &inventory_of(c)->db,
					    &o)) == 0)
		rc = lz_service_stat(c, "reservations", 1);
out:
	free(zl.st);
	free(zl.ids);
	free(lot_ids);
	free(aptr);
	free(allocs);
	return rc;
}

/* The delivery of an order whose goods were unloaded from a pickup is on
 * board: its lots leave the stock (OrderPicked). */
static int
on_task_changed(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	const Lz__Tours__V1__Task *t = ev->task;
	OrderRecord *o = NULL;
	size_t n;
	int rc;

	if (t == NULL ||
	    ev->to != LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_ON_BOARD ||
	    (t->kind != LZ__TOURS__V1__TASK_KIND__TASK_KIND_DELIVERY &&
	     t->kind != LZ__TOURS__V1__TASK_KIND__TASK_KIND_RELAY_DELIVERY) ||
	    !lz_valid_order_id(t->order_id))
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    t->order_id, &o)) != 0 ||
	    o == NULL)
		return rc;
	if (o->received && !o->picked && o->n_allocations > 0 &&
	    !inventory_status_final((int)o->status) &&
	    (rc = inventory_release(c, o, INV_EV_TASK_CHANGED, 1)) == 0) {
		n = o->n_allocations;
		o->n_allocations = 0;
		o->picked = 1;
		rc = inventory_store_put_order(c->txn, &inventory_of(c)->db, o);
		o->n_allocations = n;
	}
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

const struct lz_handler inventory_follows[] = {
	{&lz__orders__v1__order_placed__descriptor, on_order_placed, "orders"},
	{&lz__orders__v1__order_amended__descriptor, on_order_amended,
	 "orders"},
	{&lz__orders__v1__order_status_changed__descriptor, on_status_changed,
	 "orders"},
	{&lz__tours__v1__tour_planned__descriptor, on_tour_planned, "tours"},
	{&lz__tours__v1__tour_status_changed__descriptor, on_tour_status,
	 "tours"},
	{&lz__tours__v1__goods_unloaded__descriptor, on_goods_unloaded,
	 "tours"},
	{&lz__tours__v1__task_status_changed__descriptor, on_task_changed,
	 "tours"},
};
const size_t inventory_n_follows = LZ_ARRAY_LEN(inventory_follows);
