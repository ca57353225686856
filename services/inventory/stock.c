/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stock.c -- see stock.h.
 */
#include "stock.h"

#include "alloc.h"
#include "inventory.h"
#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
inventory_count_refusal(struct lz_call *c, int reason)
{
	char name[64];

	snprintf(name, sizeof(name), "refused/%s",
		 inventory_reason_name(reason));
	lz_log_debug("command refused",
		     "type=%s source=%s seq=%" PRIu64 " reason=%s", c->ev->type,
		     c->ev->source, c->ev->seq, inventory_reason_name(reason));
	return lz_service_stat(c, name, 1);
}

/* ---- receptions ---- */

/* Receives CMD: the lot is stored (LotReceived) and *DONE set, or the
 * reception refused (ReceptionRefused). */
int
inventory_receive(struct lz_call *c, const ReceiveLot *cmd, int *done)
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

	if ((rc = inventory_store_get_zone(c->txn, &inventory_of(c)->db,
					   cmd->zone_id, &z)) != 0 ||
	    (rc = inventory_store_get_lot(c->txn, &inventory_of(c)->db,
					  cmd->lot_id, &taken)) != 0)
		goto out;
	if (z) {
		zs.temp = (int)z->temperature_class;
		zs.capacity_grams = z->capacity_grams;
		zs.capacity_ml = z->capacity_millilitres;
		snprintf(name, sizeof(name), "g/%s", z->zone_id);
		if ((rc = inventory_store_stat_get(c->txn, &inventory_of(c)->db,
						   name, &zs.used_grams)) != 0)
			goto out;
		snprintf(name, sizeof(name), "ml/%s", z->zone_id);
		if ((rc = inventory_store_stat_get(c->txn, &inventory_of(c)->db,
						   name, &zs.used_ml)) != 0)
			goto out;
	}
	reason = inv_check_reception(&r, z ? &zs : NULL, taken != NULL, c->now,
				     detail, sizeof(detail));
	if (reason != INV_OK) {
		Lz__Inventory__V1__ReceptionRefused rr =
			LZ__INVENTORY__V1__RECEPTION_REFUSED__INIT;
		int clean = lz_valid_text(cmd->product, INV_TEXT_MAX) &&
			    lz_valid_text(cmd->origin_site_id, INV_TEXT_MAX) &&
			    lz_valid_text(cmd->origin_order_id, INV_TEXT_MAX);

		if ((rc = inventory_count_refusal(c, reason)) != 0)
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
	l.received_units = cmd->quantity;
	if ((rc = inventory_store_put_lot(c->txn, &inventory_of(c)->db, &l,
					  NULL)) ||
	    (rc = lz_service_stat(c, "received", l.quantity)))
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

/* ---- reservations ---- */

/* Changes lot LOT_ID: RESERVED more units reserved (negative: given
 * back), PICKED units out of the stock as picked.  Units given back and
 * not picked of an expired lot leave the stock as expired (they were kept
 * only for the order). */
static int
lot_change(struct lz_call *c, const char *lot_id, int64_t reserved,
	   int64_t picked)
{
	Lot *l = NULL, next;
	int64_t back;
	int rc;

	if ((rc = inventory_store_get_lot(c->txn, &inventory_of(c)->db, lot_id,
					  &l)))
		return rc;
	if (l == NULL)
		return MDB_CORRUPTED; /* a reservation of a lot never stored */
	next = *l;
	next.reserved += reserved;
	next.quantity -= picked;
	next.picked_units += picked;
	back = -reserved - picked;
	rc = picked ? lz_service_stat(c, "picked", picked) : 0;
	if (rc == 0 && l->expired && back > 0) {
		next.quantity -= back;
		next.expired_units += back;
		rc = lz_service_stat(c, "expired", back);
	}
	if (rc == 0 && (next.reserved < 0 || next.reserved > next.quantity ||
			picked < 0)) {
		lz_log_error("reservation out of step with its lot",
			     "lot=%s reserved=%" PRId64 " quantity=%" PRId64,
			     l->lot_id, next.reserved, next.quantity);
		rc = MDB_CORRUPTED;
	}
	if (rc == 0)
		rc = inventory_store_put_lot(c->txn, &inventory_of(c)->db,
					     &next, l);
	lz__inventory__v1__lot__free_unpacked(l, NULL);
	return rc;
}

int
inventory_lot_move(struct lz_call *c, const char *lot_id, int64_t delta,
		   int pick)
{
	return lot_change(c, lot_id, delta, pick ? -delta : 0);
}

int
inventory_lot_pick(struct lz_call *c, const char *lot_id, int64_t listed,
		   int64_t picked)
{
	return lot_change(c, lot_id, -listed, picked);
}

/* Gives back O's reservation because of CAUSE (PICK: the units leave the
 * stock instead) and clears it in O (not written). */
int
inventory_release(struct lz_call *c, OrderRecord *o, const char *cause,
		  int pick)
{
	int rc;

	if (o->n_allocations == 0)
		return 0;
	for (size_t i = 0; i < o->n_allocations; i++)
		if ((rc = inventory_lot_move(c, o->allocations[i]->lot_id,
					     -o->allocations[i]->quantity,
					     pick)) != 0)
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
load_candidates(struct lz_call *c, const Order *ord, struct cands *cs)
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
			c->txn, &inventory_of(c)->db, ln->product,
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
int
inventory_reserve(struct lz_call *c, const Order *ord, OrderRecord *o)
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

	if ((rc = inventory_store_shared(c->txn, &inventory_of(c)->db,
					 o->member_id, &member_shared)) != 0)
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
			rc = inventory_store_shared(
				c->txn, &inventory_of(c)->db,
				l->owner_member_id, &al[i].shared);
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
		rc = inventory_lot_move(c, allocs[i].lot_id, p->quantity, 0);
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
	rc = inventory_store_put_order(c->txn, &inventory_of(c)->db, o);
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
		if ((rc = lz_service_stat(c, "reservations", 1)) == 0)
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
		if ((rc = lz_service_stat(c, "shortages", 1)) == 0)
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
