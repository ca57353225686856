/*
 * handlers.c -- applies what the inventory consumes: the partners'
 * inventory commands (through the gateway), the orders service's events
 * and the tours service's (goods unloaded at the hub from a producer
 * pickup, deliveries on board).  Each handler checks with alloc.c, writes with
 * store.c and emits in the same transaction.
 *
 * An apply may run twice for the same event (map growth, a batch redone),
 * so every effect is in the transaction: the metrics are counters in the
 * store, refreshed after each commit.
 */
#include "inventory.h"

#include "alloc.h"
#include "lz_bus.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call {
	struct inventory *inv;
	struct lz_bus_txn *tx;
	MDB_txn *txn;
	const struct lz_event *ev;
	int64_t now; /* the event's time, seconds */
};

static int
stat_add(struct call *c, const char *name, int64_t d)
{
	return inventory_store_stat_add(c->txn, &c->inv->db, name, d);
}

static int
count_refusal(struct call *c, int reason)
{
	char name[64];

	snprintf(name, sizeof(name), "refused/%s",
		 inventory_reason_name(reason));
	lz_log_debug("command refused",
		     "type=%s source=%s seq=%" PRIu64 " reason=%s", c->ev->type,
		     c->ev->source, c->ev->seq, inventory_reason_name(reason));
	return stat_add(c, name, 1);
}

/* Emits CommandRefused; echoes ids only when well formed. */
static int
refuse(struct call *c, int reason, const char *detail, const char *zone,
       const char *lot, const char *order)
{
	Lz__Inventory__V1__CommandRefused r =
		LZ__INVENTORY__V1__COMMAND_REFUSED__INIT;
	int rc;

	if ((rc = count_refusal(c, reason)) != 0)
		return rc;
	r.command = (char *)c->ev->type;
	r.reason = (Lz__Inventory__V1__RefusalReason)reason;
	r.detail = (char *)detail;
	r.zone_id = (char *)(inv_valid_id(zone) ? zone : "");
	r.lot_id = (char *)(inv_valid_id(lot) ? lot : "");
	r.order_id =
		(char *)(inv_valid_text(order, 2 * INV_ID_MAX + 1, 1) ? order
								      : "");
	return lz_bus_emit(c->tx, c->ev->tenant, &r.base);
}

/* ---- zones and sharing ---- */

static int
on_set_zone(struct call *c, const ProtobufCMessage *msg)
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

	if (z == NULL || !inv_valid_id(z->zone_id))
		return refuse(c, INV_INVALID,
			      "zone.zone_id: 1..64 characters of "
			      "[A-Za-z0-9._-]",
			      NULL, NULL, NULL);
	if (!inv_valid_text(z->name, INV_TEXT_MAX, 1))
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
	if ((rc = inventory_store_get_zone(c->txn, &c->inv->db, z->zone_id,
					   &old)) != 0)
		return rc;
	snprintf(name, sizeof(name), "g/%s", z->zone_id);
	if ((rc = inventory_store_stat_get(c->txn, &c->inv->db, name, &g)))
		goto out;
	snprintf(name, sizeof(name), "ml/%s", z->zone_id);
	if ((rc = inventory_store_stat_get(c->txn, &c->inv->db, name, &ml)))
		goto out;
	if (old && old->temperature_class != z->temperature_class &&
	    (g > 0 || ml > 0)) {
		rc = refuse(c, INV_ZONE_NOT_EMPTY,
			    "zone.temperature_class: the zone holds lots of "
			    "its current class",
			    z->zone_id, NULL, NULL);
		goto out;
	}
	if ((rc = inventory_store_put_zone(c->txn, &c->inv->db, z)) != 0)
		goto out;
	ev.zone = (Zone *)z;
	rc = lz_bus_emit(c->tx, NULL, &ev.base);
out:
	if (old)
		lz__inventory__v1__zone__free_unpacked(old, NULL);
	return rc;
}

static int
on_set_sharing(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__SetStockSharing *cmd =
		(const Lz__Inventory__V1__SetStockSharing *)msg;
	Lz__Inventory__V1__StockSharingSet ev =
		LZ__INVENTORY__V1__STOCK_SHARING_SET__INIT;
	int rc;

	if (!inv_valid_id(cmd->member_id))
		return refuse(c, INV_INVALID,
			      "member_id: 1..64 characters of [A-Za-z0-9._-]",
			      NULL, NULL, NULL);
	if ((rc = inventory_store_set_shared(c->txn, &c->inv->db,
					     cmd->member_id, cmd->shared)))
		return rc;
	ev.member_id = cmd->member_id;
	ev.shared = cmd->shared;
	return lz_bus_emit(c->tx, cmd->member_id, &ev.base);
}

/* ---- receptions ---- */

/* Receives CMD: the lot is stored (LotReceived) and *DONE set, or the
 * reception refused (ReceptionRefused). */
static int
receive(struct call *c, const ReceiveLot *cmd, int *done)
{
	Lz__Inventory__V1__LotReceived ev =
		LZ__INVENTORY__V1__LOT_RECEIVED__INIT;
	Lot l = LZ__INVENTORY__V1__LOT__INIT;
	struct inv_reception r = {
		cmd->lot_id,           cmd->owner_member_id,
		cmd->product,          cmd->zone_id,
		cmd->quantity,         cmd->unit_grams,
		cmd->unit_millilitres, (int)cmd->temperature_class,
		(int)cmd->date_kind,   cmd->date,
		cmd->origin_site_id,   cmd->origin_order_id,
	};
	struct inv_zone_state zs = {0};
	Zone *z = NULL;
	Lot *taken = NULL;
	char detail[256], name[96];
	int reason, rc;

	if ((rc = inventory_store_get_zone(c->txn, &c->inv->db, cmd->zone_id,
					   &z)) != 0 ||
	    (rc = inventory_store_get_lot(c->txn, &c->inv->db, cmd->lot_id,
					  &taken)) != 0)
		goto out;
	if (z) {
		zs.temp = (int)z->temperature_class;
		zs.capacity_grams = z->capacity_grams;
		zs.capacity_ml = z->capacity_millilitres;
		snprintf(name, sizeof(name), "g/%s", z->zone_id);
		if ((rc = inventory_store_stat_get(c->txn, &c->inv->db, name,
						   &zs.used_grams)) != 0)
			goto out;
		snprintf(name, sizeof(name), "ml/%s", z->zone_id);
		if ((rc = inventory_store_stat_get(c->txn, &c->inv->db, name,
						   &zs.used_ml)) != 0)
			goto out;
	}
	reason = inv_check_reception(&r, z ? &zs : NULL, taken != NULL, c->now,
				     detail, sizeof(detail));
	if (reason != INV_OK) {
		Lz__Inventory__V1__ReceptionRefused rr =
			LZ__INVENTORY__V1__RECEPTION_REFUSED__INIT;
		int clean =
			inv_valid_text(cmd->product, INV_TEXT_MAX, 1) &&
			inv_valid_text(cmd->origin_site_id, INV_TEXT_MAX, 1) &&
			inv_valid_text(cmd->origin_order_id, INV_TEXT_MAX, 1);

		if ((rc = count_refusal(c, reason)) != 0)
			goto out;
		/* The reception as sent, unless a string is not text. */
		rr.reception = clean ? (ReceiveLot *)cmd : NULL;
		rr.reason = (Lz__Inventory__V1__RefusalReason)reason;
		rr.detail = detail;
		rc = lz_bus_emit(c->tx, c->ev->tenant, &rr.base);
		goto out;
	}
	l.lot_id = cmd->lot_id;
	l.owner_member_id = cmd->owner_member_id;
	l.product = cmd->product;
	l.quantity = cmd->quantity;
	l.unit_grams = cmd->unit_grams;
	l.unit_millilitres = cmd->unit_millilitres;
	l.temperature_class = cmd->temperature_class;
	l.date_kind = cmd->date_kind;
	l.date = cmd->date;
	l.zone_id = cmd->zone_id;
	l.received_at = c->now;
	l.origin_site_id = cmd->origin_site_id;
	l.origin_order_id = cmd->origin_order_id;
	if ((rc = inventory_store_put_lot(c->txn, &c->inv->db, &l, NULL)) ||
	    (rc = stat_add(c, "received", l.quantity)))
		goto out;
	ev.lot = &l;
	rc = lz_bus_emit(c->tx, l.owner_member_id, &ev.base);
	*done = rc == 0;
out:
	if (z)
		lz__inventory__v1__zone__free_unpacked(z, NULL);
	if (taken)
		lz__inventory__v1__lot__free_unpacked(taken, NULL);
	return rc;
}

static int
on_receive(struct call *c, const ProtobufCMessage *msg)
{
	int done = 0;

	return receive(c, (const ReceiveLot *)msg, &done);
}

/* ---- reservations ---- */

/* Changes lot LOT_ID's reserved units by DELTA; a release of an expired
 * lot's units sends them to the expired total (they left the stock at
 * expiry, kept only for the order).  PICK: the units leave the stock. */
static int
lot_move(struct call *c, const char *lot_id, int64_t delta, int pick)
{
	Lot *l = NULL, next;
	int rc;

	if ((rc = inventory_store_get_lot(c->txn, &c->inv->db, lot_id, &l)))
		return rc;
	if (l == NULL)
		return MDB_CORRUPTED; /* a reservation of a lot never stored */
	next = *l;
	next.reserved += delta;
	rc = 0;
	if (pick) {
		next.quantity += delta;
		rc = stat_add(c, "picked", -delta);
	} else if (delta < 0 && l->expired) {
		next.quantity += delta;
		rc = stat_add(c, "expired", -delta);
	}
	if (rc == 0 && (next.reserved < 0 || next.reserved > next.quantity)) {
		lz_log_error("reservation out of step with its lot",
			     "lot=%s reserved=%" PRId64 " quantity=%" PRId64,
			     l->lot_id, next.reserved, next.quantity);
		rc = MDB_CORRUPTED;
	}
	if (rc == 0)
		rc = inventory_store_put_lot(c->txn, &c->inv->db, &next, l);
	lz__inventory__v1__lot__free_unpacked(l, NULL);
	return rc;
}

/* Gives back O's reservation because of CAUSE (PICK: the units leave the
 * stock instead) and clears it in O (not written). */
static int
release(struct call *c, OrderRecord *o, const char *cause, int pick)
{
	int rc;

	if (o->n_allocations == 0)
		return 0;
	for (size_t i = 0; i < o->n_allocations; i++)
		if ((rc = lot_move(c, o->allocations[i]->lot_id,
				   -o->allocations[i]->quantity, pick)) != 0)
			return rc;
	if (pick) {
		Lz__Inventory__V1__OrderPicked ev =
			LZ__INVENTORY__V1__ORDER_PICKED__INIT;
		ev.order_id = o->order_id;
		ev.member_id = o->member_id;
		ev.n_allocations = o->n_allocations;
		ev.allocations = o->allocations;
		rc = lz_bus_emit(c->tx, o->member_id, &ev.base);
	} else {
		Lz__Inventory__V1__ReservationReleased ev =
			LZ__INVENTORY__V1__RESERVATION_RELEASED__INIT;
		ev.order_id = o->order_id;
		ev.member_id = o->member_id;
		ev.n_allocations = o->n_allocations;
		ev.allocations = o->allocations;
		ev.cause = (char *)cause;
		rc = lz_bus_emit(c->tx, o->member_id, &ev.base);
	}
	return rc;
}

/* The candidate lots of every line of ORD, without duplicates. */
struct cands {
	Lot **lots;
	size_t n;
};

static int
load_candidates(struct call *c, const Order *ord, struct cands *cs)
{
	int rc = 0;

	cs->lots = NULL;
	cs->n = 0;
	for (size_t i = 0; i < ord->n_lines && rc == 0; i++) {
		const Lz__Orders__V1__OrderLine *ln = ord->lines[i];
		Lot **got;
		size_t n;
		int dup = 0;

		for (size_t k = 0; k < i; k++)
			if (strcmp(ord->lines[k]->product, ln->product) == 0 &&
			    ord->lines[k]->temperature_class ==
				    ln->temperature_class)
				dup = 1;
		if (dup)
			continue;
		rc = inventory_store_candidates(
			c->txn, &c->inv->db, ln->product,
			(int)ln->temperature_class, &got, &n);
		if (rc != 0)
			break;
		cs->lots =
			xrealloc(cs->lots, (cs->n + n + 1) * sizeof(*cs->lots));
		if (n > 0) /* got may be NULL: no lot of the product */
			memcpy(cs->lots + cs->n, got, n * sizeof(*got));
		cs->n += n;
		free(got);
	}
	return rc;
}

/* Allocates stock to hub-stock order ORD (record O, whose reservation is
 * empty), writes the lots and O, and emits ReservationMade and/or
 * Shortage. */
static int
reserve(struct call *c, const Order *ord, OrderRecord *o)
{
	struct cands cs;
	struct inv_alloc_lot *al = NULL;
	struct inv_alloc_line *lines;
	struct inv_alloc_request req = {0};
	struct inv_alloc_result res = {0};
	Allocation *allocs = NULL, **aptr = NULL;
	LineShortage *sh = NULL, **sptr = NULL;
	size_t nsh = 0;
	int member_shared, rc;

	if ((rc = inventory_store_shared(c->txn, &c->inv->db, o->member_id,
					 &member_shared)) != 0)
		return rc;
	if ((rc = load_candidates(c, ord, &cs)) != 0)
		goto out;
	al = xcalloc(cs.n + 1, sizeof(*al));
	for (size_t i = 0; i < cs.n && rc == 0; i++) {
		const Lot *l = cs.lots[i];

		al[i] = (struct inv_alloc_lot){
			l->lot_id,
			l->owner_member_id,
			l->product,
			(int)l->temperature_class,
			(int)l->date_kind,
			l->date,
			l->received_at,
			l->expired ? 0 : l->quantity - l->reserved,
			0,
		};
		if (member_shared)
			rc = inventory_store_shared(c->txn, &c->inv->db,
						    l->owner_member_id,
						    &al[i].shared);
	}
	if (rc != 0)
		goto out;
	lines = xcalloc(ord->n_lines + 1, sizeof(*lines));
	for (size_t i = 0; i < ord->n_lines; i++) {
		lines[i].product = ord->lines[i]->product;
		lines[i].temp = (int)ord->lines[i]->temperature_class;
		lines[i].quantity = ord->lines[i]->quantity;
	}
	req.member = o->member_id;
	req.member_shared = member_shared;
	req.window_end = o->window_end;
	req.allow_partial = o->allow_partial;
	req.lines = lines;
	req.nlines = ord->n_lines;
	inv_alloc(&req, al, cs.n, &res);
	free(lines);

	allocs = xcalloc(res.npicks + 1, sizeof(*allocs));
	aptr = xcalloc(res.npicks + 1, sizeof(*aptr));
	for (size_t i = 0; i < res.npicks && rc == 0; i++) {
		const struct inv_alloc_pick *p = &res.picks[i];

		lz__inventory__v1__allocation__init(&allocs[i]);
		allocs[i].line = (uint32_t)p->line;
		allocs[i].product = ord->lines[p->line]->product;
		allocs[i].lot_id = cs.lots[p->lot]->lot_id;
		allocs[i].owner_member_id = cs.lots[p->lot]->owner_member_id;
		allocs[i].quantity = p->quantity;
		aptr[i] = &allocs[i];
		rc = lot_move(c, allocs[i].lot_id, p->quantity, 0);
	}
	if (rc != 0)
		goto out;
	sh = xcalloc(ord->n_lines + 1, sizeof(*sh));
	sptr = xcalloc(ord->n_lines + 1, sizeof(*sptr));
	for (size_t i = 0; i < ord->n_lines; i++) {
		if (res.missing[i] <= 0)
			continue;
		lz__inventory__v1__line_shortage__init(&sh[nsh]);
		sh[nsh].line = (uint32_t)i;
		sh[nsh].product = ord->lines[i]->product;
		sh[nsh].requested = ord->lines[i]->quantity;
		sh[nsh].missing = res.missing[i];
		sptr[nsh] = &sh[nsh];
		nsh++;
	}
	o->n_allocations = res.npicks;
	o->allocations = aptr;
	rc = inventory_store_put_order(c->txn, &c->inv->db, o);
	if (rc == 0 && res.npicks > 0) {
		Lz__Inventory__V1__ReservationMade ev =
			LZ__INVENTORY__V1__RESERVATION_MADE__INIT;
		ev.order_id = o->order_id;
		ev.member_id = o->member_id;
		ev.n_allocations = res.npicks;
		ev.allocations = aptr;
		ev.complete = res.complete;
		ev.n_shortages = res.complete ? 0 : nsh;
		ev.shortages = sptr;
		if ((rc = stat_add(c, "reservations", 1)) == 0)
			rc = lz_bus_emit(c->tx, o->member_id, &ev.base);
	}
	if (rc == 0 && !res.complete) {
		Lz__Inventory__V1__Shortage ev =
			LZ__INVENTORY__V1__SHORTAGE__INIT;
		ev.order_id = o->order_id;
		ev.member_id = o->member_id;
		ev.n_lines = nsh;
		ev.lines = sptr;
		ev.reserved_partially = res.npicks > 0;
		if ((rc = stat_add(c, "shortages", 1)) == 0)
			rc = lz_bus_emit(c->tx, o->member_id, &ev.base);
	}
	/* A complete reservation of an order without lines: nothing to
	 * reserve, but the order still waits for an answer. */
	if (rc == 0 && res.complete && res.npicks == 0) {
		Lz__Inventory__V1__ReservationMade ev =
			LZ__INVENTORY__V1__RESERVATION_MADE__INIT;
		ev.order_id = o->order_id;
		ev.member_id = o->member_id;
		ev.complete = 1;
		rc = lz_bus_emit(c->tx, o->member_id, &ev.base);
	}
	o->n_allocations = 0;
	o->allocations = NULL;
out:
	inv_alloc_result_release(&res);
	free(sptr);
	free(sh);
	free(aptr);
	free(allocs);
	free(al);
	inventory_store_free_lots(cs.lots, cs.n);
	return rc;
}

static int
on_order_placed(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderPlaced *ev =
		(const Lz__Orders__V1__OrderPlaced *)msg;
	const Order *ord = ev->order;
	OrderRecord o = LZ__INVENTORY__V1__ORDER_RECORD__INIT, *old = NULL;
	int rc;

	if (ord == NULL || (int)ord->source != OSRC_HUB_STOCK ||
	    !inv_valid_text(ord->order_id, 2 * INV_ID_MAX + 1, 0) ||
	    !inv_valid_id(ord->member_id))
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &c->inv->db, ord->order_id,
					    &old)) != 0)
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
	return reserve(c, ord, &o);
}

static int
on_order_amended(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderAmended *ev =
		(const Lz__Orders__V1__OrderAmended *)msg;
	const Order *ord = ev->order;
	OrderRecord *o = NULL;
	int rc;

	if (ord == NULL || (int)ord->source != OSRC_HUB_STOCK)
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &c->inv->db, ord->order_id,
					    &o)) != 0 ||
	    o == NULL)
		return rc;
	if (o->picked || inventory_status_final((int)o->status))
		goto out;
	if ((rc = release(c, o, INV_EV_ORDER_AMENDED, 0)) != 0)
		goto out;
	{
		OrderRecord next = *o;
		next.n_allocations = 0;
		next.allocations = NULL;
		next.window_end =
			ord->delivery_window ? ord->delivery_window->end : 0;
		next.allow_partial = ord->allow_partial;
		rc = reserve(c, ord, &next);
	}
out:
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

static int
on_status_changed(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *ev =
		(const Lz__Orders__V1__OrderStatusChanged *)msg;
	OrderRecord *o = NULL;
	size_t n;
	int rc;

	if ((rc = inventory_store_get_order(c->txn, &c->inv->db, ev->order_id,
					    &o)) != 0 ||
	    o == NULL)
		return rc;
	n = o->n_allocations;
	if (inventory_status_final((int)ev->to) && !o->picked) {
		if ((int)ev->to == OST_DELIVERED && n)
			lz_log_warn("order delivered without picking",
				    "order=%s", o->order_id);
		rc = release(c, o, INV_EV_STATUS_CHANGED, 0);
		o->n_allocations = 0;
	}
	o->status = (uint32_t)ev->to;
	if (rc == 0)
		rc = inventory_store_put_order(c->txn, &c->inv->db, o);
	o->n_allocations = n;
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

/* ---- picking and counts ---- */

static int
on_pick(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__PickOrder *cmd =
		(const Lz__Inventory__V1__PickOrder *)msg;
	OrderRecord *o = NULL;
	size_t n;
	int rc;

	if ((rc = inventory_store_get_order(c->txn, &c->inv->db, cmd->order_id,
					    &o)) != 0)
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
	else if ((rc = release(c, o, INV_CMD_PICK, 1)) == 0) {
		n = o->n_allocations;
		o->n_allocations = 0;
		o->picked = 1;
		rc = inventory_store_put_order(c->txn, &c->inv->db, o);
		o->n_allocations = n;
	}
	if (o)
		lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

static int
on_count(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__CountStock *cmd =
		(const Lz__Inventory__V1__CountStock *)msg;
	Lz__Inventory__V1__LotAdjusted ev =
		LZ__INVENTORY__V1__LOT_ADJUSTED__INIT;
	Lot *l = NULL, next;
	char detail[160];
	int rc;

	if (!inv_valid_text(cmd->note, 1000, 1))
		return refuse(c, INV_INVALID,
			      "note: at most 1000 bytes of UTF-8 text", NULL,
			      cmd->lot_id, NULL);
	if (cmd->counted < 0 || cmd->counted > INV_QTY_MAX) {
		snprintf(detail, sizeof(detail), "counted: %lld not in 0..%d",
			 (long long)cmd->counted, INV_QTY_MAX);
		return refuse(c, INV_BAD_QUANTITY, detail, NULL, cmd->lot_id,
			      NULL);
	}
	if ((rc = inventory_store_get_lot(c->txn, &c->inv->db, cmd->lot_id,
					  &l)) != 0)
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
	if ((rc = inventory_store_put_lot(c->txn, &c->inv->db, &next, l)) ||
	    (rc = stat_add(c, "adjusted", l->quantity - cmd->counted)))
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

/* ---- goods unloaded by the tours service ---- */

/* The zones, in the order of their ids, with what they hold. */
struct zone_list {
	struct call *c;
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
	if ((zl->rc = inventory_store_stat_get(zl->c->txn, &zl->c->inv->db,
					       name, &st->used_grams)) != 0)
		return zl->rc;
	snprintf(name, sizeof(name), "ml/%s", z->zone_id);
	if ((zl->rc = inventory_store_stat_get(zl->c->txn, &zl->c->inv->db,
					       name, &st->used_ml)) != 0)
		return zl->rc;
	zl->n++;
	return 0;
}

static int
load_zones(struct call *c, struct zone_list *zl)
{
	int rc;

	*zl = (struct zone_list){c, NULL, NULL, 0, 0};
	rc = inventory_store_each_zone(c->txn, &c->inv->db, zone_one, zl);
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
on_goods_unloaded(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__GoodsUnloaded *ev =
		(const Lz__Tours__V1__GoodsUnloaded *)msg;
	OrderRecord o = LZ__INVENTORY__V1__ORDER_RECORD__INIT, *old = NULL;
	struct zone_list zl = {0};
	Allocation *allocs = NULL, **aptr = NULL;
	char(*lot_ids)[INV_ID_MAX + 1] = NULL;
	size_t n = 0;
	int rc;

	if (!inv_valid_text(ev->order_id, 2 * INV_ID_MAX + 1, 0) ||
	    !inv_valid_id(ev->member_id) || ev->n_lines > 1000)
		return stat_add(c, "bad_payload", 1);
	if ((rc = inventory_store_get_order(c->txn, &c->inv->db, ev->order_id,
					    &old)) != 0)
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
				inv_valid_text(r.product, INV_TEXT_MAX, 1) &&
				inv_valid_text(r.origin_site_id, INV_TEXT_MAX,
					       1);

			if ((rc = count_refusal(c, INV_UNKNOWN_ZONE)) != 0)
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
		if ((rc = receive(c, &r, &done)) != 0)
			goto out;
		if (!done)
			continue;
		if ((rc = lot_move(c, r.lot_id, r.quantity, 0)) != 0)
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
	if ((rc = inventory_store_put_order(c->txn, &c->inv->db, &o)) == 0)
		rc = stat_add(c, "reservations", 1);
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
on_task_changed(struct call *c, const ProtobufCMessage *msg)
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
	    !inv_valid_text(t->order_id, 2 * INV_ID_MAX + 1, 0))
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &c->inv->db, t->order_id,
					    &o)) != 0 ||
	    o == NULL)
		return rc;
	if (o->received && !o->picked && o->n_allocations > 0 &&
	    !inventory_status_final((int)o->status) &&
	    (rc = release(c, o, INV_EV_TASK_CHANGED, 1)) == 0) {
		n = o->n_allocations;
		o->n_allocations = 0;
		o->picked = 1;
		rc = inventory_store_put_order(c->txn, &c->inv->db, o);
		o->n_allocations = n;
	}
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return rc;
}

/* ---- dispatch ---- */

static const struct handler {
	const ProtobufCMessageDescriptor *desc;
	int (*fn)(struct call *c, const ProtobufCMessage *msg);
	const char *from; /* the service whose event it is; NULL: a command */
} handlers[] = {
	{&lz__inventory__v1__set_zone__descriptor, on_set_zone, NULL},
	{&lz__inventory__v1__set_stock_sharing__descriptor, on_set_sharing,
	 NULL},
	{&lz__inventory__v1__receive_lot__descriptor, on_receive, NULL},
	{&lz__inventory__v1__pick_order__descriptor, on_pick, NULL},
	{&lz__inventory__v1__count_stock__descriptor, on_count, NULL},
	{&lz__orders__v1__order_placed__descriptor, on_order_placed, "orders"},
	{&lz__orders__v1__order_amended__descriptor, on_order_amended,
	 "orders"},
	{&lz__orders__v1__order_status_changed__descriptor, on_status_changed,
	 "orders"},
	{&lz__tours__v1__goods_unloaded__descriptor, on_goods_unloaded,
	 "tours"},
	{&lz__tours__v1__task_status_changed__descriptor, on_task_changed,
	 "tours"},
};

int
inventory_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct call c = {arg, tx, lz_bus_mdb(tx), ev, 0};
	const struct handler *h =
		lz_handler_find(handlers, LZ_ARRAY_LEN(handlers),
				sizeof(handlers[0]), ev->type);
	ProtobufCMessage *msg;
	int rc;

	if (h == NULL)
		return 0;
	/* The services' events count only from their service: a partner
	 * cannot forge an OrderPlaced or a GoodsUnloaded (the gateway does
	 * not accept them either, but a follow list may include other
	 * sources); commands do not come from the services. */
	if (h->from ? strcmp(ev->source, h->from) != 0
		    : strcmp(ev->source, "orders") == 0 ||
			      strcmp(ev->source, "tours") == 0)
		return 0;
	c.now = lz_event_seconds(ev);
	if ((msg = lz_event_unpack(ev, h->desc, &c.inv->log_limit)) == NULL)
		return stat_add(&c, "bad_payload", 1);
	rc = h->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc < 0 ? rc : 0;
}
