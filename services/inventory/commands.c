/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.c -- the partners' inventory commands (from the gateway): zones
 * and stock sharing, receptions, picking (an order, or a tour's list) and
 * counts.  Each is checked with alloc.c, written with store.c, stock.c and
 * picking.c, and emitted in the same transaction; every refusal is a
 * CommandRefused (a reception's a ReceptionRefused) and changes nothing
 * else.
 */
#include "alloc.h"
#include "inventory.h"
#include "picking.h"
#include "stock.h"

#include "lz_bus.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Emits CommandRefused with DETAIL and the ids it names. */
static int
refuse(struct lz_call *c, int reason, const char *detail, const char *zone,
       const char *lot, const char *order)
{
	return lz_service_refuse(
		c, reason,
		LZ_IDS("zone_id", zone, "lot_id", lot, "order_id", order), "%s",
		detail);
}

/* ---- zones and sharing ---- */

static int
on_set_zone(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__SetZone *cmd =
		(const Lz__Inventory__V1__SetZone *)msg;
	Lz__Inventory__V1__ZoneConfigured ev =
		LZ__INVENTORY__V1__ZONE_CONFIGURED__INIT;
	const Zone *z = cmd->zone;
	Zone *old = NULL;
	char name[96];
	int64_t g = 0, ml = 0;
	int rc;

	if (z == NULL || !lz_valid_id(z->zone_id))
		return refuse(c, INV_INVALID,
			      "zone.zone_id: 1..64 characters of "
			      "[A-Za-z0-9._-]",
			      NULL, NULL, NULL);
	if (!lz_valid_text(z->name, INV_TEXT_MAX))
		return refuse(c, INV_INVALID,
			      "zone.name: at most 200 bytes of UTF-8 text",
			      z->zone_id, NULL, NULL);
	if (z->temperature_class < 1 || z->temperature_class > 3)
		return refuse(c, INV_INVALID,
			      "zone.temperature_class: required", z->zone_id,
			      NULL, NULL);
	if (z->capacity_grams <= 0 || z->capacity_millilitres <= 0)
		return refuse(c, INV_BAD_QUANTITY,
			      "zone.capacity_grams, capacity_millilitres: "
			      "must be > 0",
			      z->zone_id, NULL, NULL);
	if ((rc = inventory_store_get_zone(c->txn, &inventory_of(c)->db,
					   z->zone_id, &old)) != 0)
		return rc;
	snprintf(name, sizeof(name), "g/%s", z->zone_id);
	if ((rc = inventory_store_stat_get(c->txn, &inventory_of(c)->db, name,
					   &g)))
		goto out;
	snprintf(name, sizeof(name), "ml/%s", z->zone_id);
	if ((rc = inventory_store_stat_get(c->txn, &inventory_of(c)->db, name,
					   &ml)))
		goto out;
	if (old && old->temperature_class != z->temperature_class &&
	    (g > 0 || ml > 0)) {
		rc = refuse(c, INV_ZONE_NOT_EMPTY,
			    "zone.temperature_class: the zone holds lots of "
			    "its current class",
			    z->zone_id, NULL, NULL);
		goto out;
	}
	if ((rc = inventory_store_put_zone(c->txn, &inventory_of(c)->db, z)) !=
	    0)
		goto out;
	ev.zone = (Zone *)z;
	rc = lz_bus_emit(c->tx, NULL, &ev.base);
out:
	if (old)
		lz__inventory__v1__zone__free_unpacked(old, NULL);
	return rc;
}

static int
on_set_sharing(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__SetStockSharing *cmd =
		(const Lz__Inventory__V1__SetStockSharing *)msg;
	Lz__Inventory__V1__StockSharingSet ev =
		LZ__INVENTORY__V1__STOCK_SHARING_SET__INIT;
	int rc;

	if (!lz_valid_id(cmd->member_id))
		return refuse(c, INV_INVALID,
			      "member_id: 1..64 characters of [A-Za-z0-9._-]",
			      NULL, NULL, NULL);
	if ((rc = inventory_store_set_shared(c->txn, &inventory_of(c)->db,
					     cmd->member_id, cmd->shared)))
		return rc;
	ev.member_id = cmd->member_id;
	ev.shared = cmd->shared;
	return lz_bus_emit(c->tx, cmd->member_id, &ev.base);
}
static int
on_receive(struct lz_call *c, const ProtobufCMessage *msg)
{
	int done = 0;

	return inventory_receive(c, (const ReceiveLot *)msg, &done);
}

/* ---- picking and counts ---- */

static int
on_pick(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__PickOrder *cmd =
		(const Lz__Inventory__V1__PickOrder *)msg;
	OrderRecord *o = NULL;
	size_t n;
	int rc;

	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    cmd->order_id, &o)) != 0)
		return rc;
	if (o == NULL || inventory_status_final((int)o->status))
		rc = refuse(c, INV_UNKNOWN_ORDER,
			    "order_id: no live hub-stock order", NULL, NULL,
			    cmd->order_id);
	else if (o->picked)
		rc = refuse(c, INV_ALREADY_PICKED, "order_id: already picked",
			    NULL, NULL, cmd->order_id);
	else if (o->n_allocations == 0)
		rc = refuse(c, INV_UNKNOWN_ORDER,
			    "order_id: nothing reserved for this order", NULL,
			    NULL, cmd->order_id);
	else if ((rc = inventory_release(c, o, INV_CMD_PICK, 1)) == 0) {
		n = o->n_allocations;
		o->n_allocations = 0;
		o->picked = 1;
		rc = inventory_store_put_order(c->txn, &inventory_of(c)->db, o);
		o->n_allocations = n;
		if (rc == 0)
			rc = inventory_picking_note(c, o, PST_PICKED,
						    c->ev->type);
	}
	if (o)
		lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

/* The most lines a PickTour may name. */
#define PICKED_MAX 10000

/*
 * The hub picked a tour: every order of its list still to pick, by the
 * quantities given (those not named as listed).  Everything is checked
 * before anything changes.
 */
static int
on_pick_tour(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__PickTour *cmd =
		(const Lz__Inventory__V1__PickTour *)msg;
	const char *tour = lz_valid_path(cmd->tour_id) ? cmd->tour_id : NULL;
	struct inventory_pick p;
	struct inv_pick_given *given = NULL;
	char detail[300];
	size_t bad = 0;
	int reason, rc;

	if (tour == NULL)
		return lz_service_refuse(c, INV_INVALID, NULL,
					 "tour_id: a tour id, "
					 "<YYYY-MM-DD>/<wave>/<vehicle_id>");
	if (cmd->n_picked > PICKED_MAX)
		return lz_service_refuse(
			c, INV_INVALID, LZ_IDS("tour_id", tour),
			"picked: at most %d entries", PICKED_MAX);
	for (size_t i = 0; i < cmd->n_picked; i++)
		if (!lz_valid_order_id(cmd->picked[i]->order_id) ||
		    !lz_valid_id(cmd->picked[i]->lot_id))
			return lz_service_refuse(
				c, INV_INVALID, LZ_IDS("tour_id", tour),
				"picked[%zu]: an order_id <member>/<reference> "
				"and a lot_id of 1..64 [A-Za-z0-9._-]",
				i);
	if ((rc = inventory_pick_load(c, tour, &p)) != 0)
		goto out;
	if (p.list == NULL) {
		rc = lz_service_refuse(c, INV_UNKNOWN_TOUR,
				       LZ_IDS("tour_id", tour),
				       "tour_id: no picking list (no tour "
				       "planned with hub-stock orders)");
		goto out;
	}
	if (p.todo == 0) {
		rc = lz_service_refuse(c, INV_ALREADY_PICKED,
				       LZ_IDS("tour_id", tour),
				       "tour_id: nothing left to pick, every "
				       "order of the list is picked or ended");
		goto out;
	}
	given = xcalloc(cmd->n_picked + 1, sizeof(*given));
	for (size_t i = 0; i < cmd->n_picked; i++)
		given[i] = (struct inv_pick_given){
			cmd->picked[i]->order_id, cmd->picked[i]->line,
			cmd->picked[i]->lot_id, cmd->picked[i]->quantity};
	reason = inv_pick_quantities(p.items, p.n_items, given, cmd->n_picked,
				     &bad, detail, sizeof(detail));
	if (reason != INV_OK) {
		const Lz__Inventory__V1__PickedQuantity *q = cmd->picked[bad];

		rc = lz_service_refuse(c, reason,
				       LZ_IDS("tour_id", tour, "order_id",
					      q->order_id, "lot_id", q->lot_id),
				       "%s", detail);
		goto out;
	}
	rc = inventory_pick_commit(c, &p, c->ev->type);
out:
	free(given);
	inventory_pick_release(&p);
	return rc;
}

static int
on_count(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__CountStock *cmd =
		(const Lz__Inventory__V1__CountStock *)msg;
	Lz__Inventory__V1__LotAdjusted ev =
		LZ__INVENTORY__V1__LOT_ADJUSTED__INIT;
	Lot *l = NULL, next;
	char detail[160];
	int rc;

	if (!lz_valid_text(cmd->note, 1000))
		return refuse(c, INV_INVALID,
			      "note: at most 1000 bytes of UTF-8 text", NULL,
			      cmd->lot_id, NULL);
	if (cmd->counted < 0 || cmd->counted > INV_QTY_MAX) {
		snprintf(detail, sizeof(detail), "counted: %lld not in 0..%d",
			 (long long)cmd->counted, INV_QTY_MAX);
		return refuse(c, INV_BAD_QUANTITY, detail, NULL, cmd->lot_id,
			      NULL);
	}
	if ((rc = inventory_store_get_lot(c->txn, &inventory_of(c)->db,
					  cmd->lot_id, &l)) != 0)
		return rc;
	if (l == NULL)
		return refuse(c, INV_UNKNOWN_LOT, "lot_id: no such lot", NULL,
			      cmd->lot_id, NULL);
	if (cmd->counted < l->reserved) {
		snprintf(detail, sizeof(detail),
			 "counted: %lld below the %lld units reserved",
			 (long long)cmd->counted, (long long)l->reserved);
		rc = refuse(c, INV_BELOW_RESERVED, detail, NULL, cmd->lot_id,
			    NULL);
		goto out;
	}
	if (l->expired && cmd->counted != l->reserved) {
		rc = refuse(c, INV_EXPIRED,
			    "lot_id: expired, only its reserved units remain",
			    NULL, cmd->lot_id, NULL);
		goto out;
	}
	next = *l;
	next.quantity = cmd->counted;
	next.adjusted_units += l->quantity - cmd->counted;
	if ((rc = inventory_store_put_lot(c->txn, &inventory_of(c)->db, &next,
					  l)) ||
	    (rc = lz_service_stat(c, "adjusted", l->quantity - cmd->counted)))
		goto out;
	ev.lot_id = l->lot_id;
	ev.before = l->quantity;
	ev.after = cmd->counted;
	ev.difference = cmd->counted - l->quantity;
	ev.note = cmd->note;
	rc = lz_bus_emit(c->tx, l->owner_member_id, &ev.base);
out:
	lz__inventory__v1__lot__free_unpacked(l, NULL);
	return rc;
}

const struct lz_handler inventory_commands[] = {
	{&lz__inventory__v1__set_zone__descriptor, on_set_zone,
	 LZ_FROM_GATEWAY},
	{&lz__inventory__v1__set_stock_sharing__descriptor, on_set_sharing,
	 LZ_FROM_GATEWAY},
	{&lz__inventory__v1__receive_lot__descriptor, on_receive,
	 LZ_FROM_GATEWAY},
	{&lz__inventory__v1__pick_order__descriptor, on_pick, LZ_FROM_GATEWAY},
	{&lz__inventory__v1__pick_tour__descriptor, on_pick_tour,
	 LZ_FROM_GATEWAY},
	{&lz__inventory__v1__count_stock__descriptor, on_count,
	 LZ_FROM_GATEWAY},
};
const size_t inventory_n_commands = LZ_ARRAY_LEN(inventory_commands);
