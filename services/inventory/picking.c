/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * picking.c -- see picking.h.
 */
#include "picking.h"

#include "inventory.h"
#include "stock.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdlib.h>
#include <string.h>

/* ---- making a list ---- */

/* A list being made: its orders and lines (pointing into the previous
 * list, the orders' records and the lots, kept until it is written). */
struct build {
	PickingOrder **orders;
	size_t n_orders;
	PickLine **lines;
	size_t n_lines;
	void **own; /* freed with free() */
	size_t n_own;
	ProtobufCMessage **keep; /* freed with free_unpacked */
	size_t n_keep;
	/* Strings of the previous list pointed elsewhere, put back before it
	 * is freed. */
	struct {
		char **slot, *was;
	} * undo;
	size_t n_undo;
};

/* Sets the string *SLOT of a stored record to VALUE (not the record's)
 * until build_release() puts it back. */
static void
build_set(struct build *b, char **slot, char *value)
{
	b->undo = xrealloc(b->undo, (b->n_undo + 1) * sizeof(*b->undo));
	b->undo[b->n_undo].slot = slot;
	b->undo[b->n_undo++].was = *slot;
	*slot = value;
}

static void *
build_new(struct build *b, size_t size)
{
	void *p = xcalloc(1, size);

	b->own = xrealloc(b->own, (b->n_own + 1) * sizeof(*b->own));
	b->own[b->n_own++] = p;
	return p;
}

static void
build_keep(struct build *b, void *msg)
{
	b->keep = xrealloc(b->keep, (b->n_keep + 1) * sizeof(*b->keep));
	b->keep[b->n_keep++] = msg;
}

static void
build_order(struct build *b, PickingOrder *o)
{
	b->orders = xrealloc(b->orders, (b->n_orders + 1) * sizeof(*b->orders));
	b->orders[b->n_orders++] = o;
}

static void
build_line(struct build *b, PickLine *l)
{
	b->lines = xrealloc(b->lines, (b->n_lines + 1) * sizeof(*b->lines));
	b->lines[b->n_lines++] = l;
}

static void
build_release(struct build *b)
{
	while (b->n_undo > 0) {
		b->n_undo--;
		*b->undo[b->n_undo].slot = b->undo[b->n_undo].was;
	}
	free(b->undo);
	for (size_t i = 0; i < b->n_own; i++)
		free(b->own[i]);
	for (size_t i = 0; i < b->n_keep; i++)
		protobuf_c_message_free_unpacked(b->keep[i], NULL);
	free(b->own);
	free(b->keep);
	free(b->orders);
	free(b->lines);
	memset(b, 0, sizeof(*b));
}

static PickingOrder *
list_order(const PickingList *l, const char *order_id)
{
	for (size_t i = 0; l && i < l->n_orders; i++)
		if (strcmp(l->orders[i]->order_id, order_id) == 0)
			return l->orders[i];
	return NULL;
}

static int
built(const struct build *b, const char *order_id)
{
	for (size_t i = 0; i < b->n_orders; i++)
		if (strcmp(b->orders[i]->order_id, order_id) == 0)
			return 1;
	return 0;
}

/* Keeps order PREV of the previous list OLD (picked, or dropped) with its
 * lines, now at stop STOP of site SITE. */
static void
carry(struct build *b, PickingList *old, PickingOrder *prev, uint32_t stop,
      char *site)
{
	prev->stop_index = stop;
	if (site)
		build_set(b, &prev->site_id, site);
	for (size_t i = 0; i < old->n_compartments; i++)
		for (size_t k = 0; k < old->compartments[i]->n_lines; k++) {
			PickLine *ln = old->compartments[i]->lines[k];

			if (strcmp(ln->order_id, prev->order_id) != 0)
				continue;
			ln->stop_index = stop;
			if (site)
				build_set(b, &ln->site_id, site);
			build_line(b, ln);
		}
	build_order(b, prev);
}

/* Lists the order behind task K of stop ST of TOUR, if it is a hub-stock
 * delivery to pick. */
static int
add_task(struct lz_call *c, struct build *b, const Lz__Tours__V1__Tour *tour,
	 const Lz__Tours__V1__Stop *st, size_t k, PickingList *old)
{
	const struct inventory_db *db = &inventory_of(c)->db;
	const char *id = st->task_ids[k], *oid = id + 4;
	int kind = k < st->n_task_kinds ? (int)st->task_kinds[k] : TK_DELIVERY;
	PickingOrder *prev, *e;
	OrderRecord *o = NULL;
	int rc;

	if ((kind != TK_DELIVERY && kind != TK_RELAY) ||
	    strncmp(id, "del:", 4) != 0 || !lz_valid_order_id(oid) ||
	    built(b, oid))
		return 0;
	prev = list_order(old, oid);
	if (prev && prev->status != PST_LISTED && prev->status != PST_DROPPED) {
		carry(b, old, prev, st->index, st->site_id);
		return 0;
	}
	if ((rc = inventory_store_get_order(c->txn, db, oid, &o)) != 0 ||
	    o == NULL)
		return rc;
	build_keep(b, o);
	if (o->received || o->picked || inventory_status_final((int)o->status))
		return 0;
	/* Planned in this tour now: no longer in the one it was listed in. */
	if (o->tour_id && o->tour_id[0] &&
	    strcmp(o->tour_id, tour->tour_id) != 0 &&
	    (rc = inventory_picking_note(c, o, PST_DROPPED, c->ev->type)) != 0)
		return rc;
	e = build_new(b, sizeof(*e));
	lz__inventory__v1__picking_order__init(e);
	e->order_id = o->order_id;
	e->member_id = o->member_id;
	e->stop_index = st->index;
	e->site_id = st->site_id;
	e->status = (Lz__Inventory__V1__PickingStatus)PST_LISTED;
	for (size_t i = 0; i < o->n_allocations; i++) {
		const Allocation *a = o->allocations[i];
		PickLine *ln;
		Lot *lot = NULL;

		if ((rc = inventory_store_get_lot(c->txn, db, a->lot_id,
						  &lot)) != 0)
			return rc;
		if (lot == NULL)
			return MDB_CORRUPTED; /* reserved, never stored */
		build_keep(b, lot);
		ln = build_new(b, sizeof(*ln));
		lz__inventory__v1__pick_line__init(ln);
		ln->order_id = o->order_id;
		ln->member_id = o->member_id;
		ln->stop_index = st->index;
		ln->site_id = st->site_id;
		ln->line = a->line;
		ln->product = a->product;
		ln->lot_id = a->lot_id;
		ln->owner_member_id = a->owner_member_id;
		ln->zone_id = lot->zone_id;
		ln->date_kind = lot->date_kind;
		ln->date = lot->date;
		ln->quantity = a->quantity;
		ln->grams = a->quantity * lot->unit_grams;
		ln->millilitres = a->quantity * lot->unit_millilitres;
		ln->temperature_class = lot->temperature_class;
		e->units += a->quantity;
		build_line(b, ln);
	}
	build_order(b, e);
	if (o->tour_id == NULL || strcmp(o->tour_id, tour->tour_id) != 0) {
		char *was = o->tour_id;

		o->tour_id = tour->tour_id;
		rc = inventory_store_put_order(c->txn, db, o);
		o->tour_id = was;
	}
	return rc;
}

/* The orders of a list: the last stop first, then by order id. */
static int
order_cmp(const void *a, const void *b)
{
	const PickingOrder *x = *(PickingOrder *const *)a;
	const PickingOrder *y = *(PickingOrder *const *)b;

	if (x->stop_index != y->stop_index)
		return x->stop_index > y->stop_index ? -1 : 1;
	return strcmp(x->order_id, y->order_id);
}

/* Sets L's picked units and status from its orders; a list that becomes
 * picked is picked at NOW by CAUSE. */
static void
list_totals(PickingList *l, int64_t now, const char *cause)
{
	int listed = 0, was = (int)l->status;

	l->units = 0;
	l->picked_units = 0;
	for (size_t i = 0; i < l->n_orders; i++) {
		l->units += l->orders[i]->units;
		l->picked_units += l->orders[i]->picked_units;
		listed |= (int)l->orders[i]->status == PST_LISTED;
	}
	l->status = (Lz__Inventory__V1__PickingStatus)(listed ? PST_LISTED
							      : PST_PICKED);
	if (!listed && was != PST_PICKED && cause) {
		l->picked_at = now;
		l->picked_by = (char *)cause;
	}
}

/* Fills L's compartments from B's lines in loading order (the arrays in
 * *CPS and *SORTED, which the caller frees). */
static void
compartments(PickingList *l, struct build *b, PickingCompartment **cps,
	     PickingCompartment ***cptrs, PickLine ***sorted)
{
	struct inv_pick_item *items = xcalloc(b->n_lines + 1, sizeof(*items));
	size_t n = 0;

	*cps = xcalloc(4, sizeof(**cps));
	*cptrs = xcalloc(4, sizeof(**cptrs));
	*sorted = xcalloc(b->n_lines + 1, sizeof(**sorted));
	for (size_t i = 0; i < b->n_lines; i++) {
		const PickLine *ln = b->lines[i];
		size_t rank = 0;

		for (size_t k = 0; k < i; k++)
			rank += strcmp(b->lines[k]->order_id, ln->order_id) ==
					0 &&
				b->lines[k]->line == ln->line;
		items[i] = (struct inv_pick_item){
			ln->order_id,
			ln->stop_index,
			ln->line,
			ln->lot_id,
			(int)ln->temperature_class,
			rank,
			INV_PICK_TODO,
			ln->quantity,
			ln->picked,
			i,
		};
	}
	inv_pick_sort(items, b->n_lines);
	l->n_compartments = 0;
	for (size_t i = 0; i < b->n_lines; i++) {
		PickLine *ln = b->lines[items[i].ref];
		PickingCompartment *cp;

		(*sorted)[i] = ln;
		if (i == 0 || items[i].temp != items[i - 1].temp) {
			if (n == 4) /* classes are 0..3: cannot happen */
				break;
			cp = &(*cps)[n];
			lz__inventory__v1__picking_compartment__init(cp);
			cp->temperature_class = ln->temperature_class;
			cp->lines = &(*sorted)[i];
			(*cptrs)[n++] = cp;
		}
		cp = &(*cps)[n - 1];
		cp->n_lines++;
		cp->units += ln->quantity;
		cp->grams += ln->grams;
		cp->millilitres += ln->millilitres;
	}
	l->n_compartments = n;
	l->compartments = *cptrs;
	free(items);
}

int
inventory_picking_make(struct lz_call *c, const Lz__Tours__V1__Tour *tour)
{
	const struct inventory_db *db = &inventory_of(c)->db;
	PickingList *old = NULL, l = LZ__INVENTORY__V1__PICKING_LIST__INIT;
	Lz__Inventory__V1__PickingListReady ev =
		LZ__INVENTORY__V1__PICKING_LIST_READY__INIT;
	PickingCompartment *cps = NULL, **cptrs = NULL;
	PickLine **sorted = NULL;
	struct build b = {0};
	int rc;

	if (tour == NULL || !lz_valid_path(tour->tour_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "tour.tour_id");
	if ((rc = inventory_store_get_picking(c->txn, db, tour->tour_id,
					      &old)) != 0)
		return rc;
	if (old && tour->revision < old->revision)
		goto out;
	for (size_t s = 0; s < tour->n_stops && rc == 0; s++)
		for (size_t k = 0; k < tour->stops[s]->n_task_ids && rc == 0;
		     k++)
			rc = add_task(c, &b, tour, tour->stops[s], k, old);
	/* Orders picked for this tour that left it since stay, picked; those
	 * still to pick are no longer its own. */
	for (size_t i = 0; old && i < old->n_orders && rc == 0; i++) {
		PickingOrder *e = old->orders[i];
		OrderRecord *o = NULL;

		if (built(&b, e->order_id))
			continue;
		if (e->status == PST_PICKED || e->status == PST_SHORT) {
			carry(&b, old, e, e->stop_index, NULL);
			continue;
		}
		if ((rc = inventory_store_get_order(c->txn, db, e->order_id,
						    &o)) != 0 ||
		    o == NULL)
			continue;
		if (o->tour_id && strcmp(o->tour_id, tour->tour_id) == 0) {
			char *was = o->tour_id;

			o->tour_id = "";
			rc = inventory_store_put_order(c->txn, db, o);
			o->tour_id = was;
		}
		lz__inventory__v1__order_record__free_unpacked(o, NULL);
	}
	if (rc != 0 || (b.n_orders == 0 && old == NULL))
		goto out;
	if (b.n_orders > 1)
		qsort(b.orders, b.n_orders, sizeof(*b.orders), order_cmp);
	l.tour_id = tour->tour_id;
	l.date = tour->date;
	l.wave = tour->wave;
	l.vehicle_id = tour->vehicle_id;
	l.revision = tour->revision;
	l.listed_at = c->now;
	l.n_orders = b.n_orders;
	l.orders = b.orders;
	if (old) {
		l.status = old->status;
		l.picked_at = old->picked_at;
		l.picked_by = old->picked_by;
	}
	compartments(&l, &b, &cps, &cptrs, &sorted);
	list_totals(&l, c->now, NULL);
	if ((rc = inventory_store_put_picking(c->txn, db, &l)) != 0 ||
	    (rc = lz_service_stat(c, "lists", 1)) != 0)
		goto out;
	ev.list = &l;
	rc = lz_bus_emit(c->tx, NULL, &ev.base);
out:
	free(sorted);
	free(cptrs);
	free(cps);
	build_release(&b);
	if (old)
		lz__inventory__v1__picking_list__free_unpacked(old, NULL);
	return rc;
}

/* ---- picking a list ---- */

void
inventory_pick_release(struct inventory_pick *p)
{
	for (size_t i = 0; p->list && i < p->list->n_orders; i++)
		if (p->records[i])
			lz__inventory__v1__order_record__free_unpacked(
				p->records[i], NULL);
	if (p->list)
		lz__inventory__v1__picking_list__free_unpacked(p->list, NULL);
	free(p->records);
	free(p->states);
	free(p->items);
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

/* The state of order E of list L as the store has it now; *REC its record
 * when it is to pick (the caller's), else NULL. */
static int
order_state(struct lz_call *c, const PickingList *l, const PickingOrder *e,
	    OrderRecord **rec, int *state)
{
	OrderRecord *o = NULL;
	int rc;

	*rec = NULL;
	if (e->status == PST_PICKED || e->status == PST_SHORT) {
		*state = INV_PICK_DONE;
		return 0;
	}
	*state = INV_PICK_GONE;
	if (e->status != PST_LISTED)
		return 0;
	if ((rc = inventory_store_get_order(c->txn, &inventory_of(c)->db,
					    e->order_id, &o)) != 0 ||
	    o == NULL)
		return rc;
	if (o->picked)
		*state = INV_PICK_DONE;
	else if (!inventory_status_final((int)o->status) && !o->received &&
		 o->tour_id && strcmp(o->tour_id, l->tour_id) == 0) {
		*state = INV_PICK_TODO;
		*rec = o;
		return 0;
	}
	lz__inventory__v1__order_record__free_unpacked(o, NULL);
	return 0;
}

int
inventory_pick_load(struct lz_call *c, const char *tour_id,
		    struct inventory_pick *p)
{
	PickingList *l;
	int *state, rc;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	if ((rc = inventory_store_get_picking(c->txn, &inventory_of(c)->db,
					      tour_id, &p->list)) != 0 ||
	    p->list == NULL)
		return rc;
	l = p->list;
	p->records = xcalloc(l->n_orders + 1, sizeof(*p->records));
	state = p->states = xcalloc(l->n_orders + 1, sizeof(*state));
	for (size_t i = 0; i < l->n_orders && rc == 0; i++) {
		rc = order_state(c, l, l->orders[i], &p->records[i], &state[i]);
		p->todo += state[i] == INV_PICK_TODO;
	}
	for (size_t i = 0; i < l->n_compartments; i++)
		n += l->compartments[i]->n_lines;
	p->items = xcalloc(n + 1, sizeof(*p->items));
	p->lines = xcalloc(n + 1, sizeof(*p->lines));
	for (size_t i = 0; i < l->n_compartments && rc == 0; i++)
		for (size_t k = 0; k < l->compartments[i]->n_lines; k++) {
			PickLine *ln = l->compartments[i]->lines[k];
			int st = INV_PICK_GONE;

			for (size_t o = 0; o < l->n_orders; o++)
				if (strcmp(l->orders[o]->order_id,
					   ln->order_id) == 0)
					st = state[o];
			p->lines[p->n_items] = ln;
			p->items[p->n_items] = (struct inv_pick_item){
				ln->order_id,
				ln->stop_index,
				ln->line,
				ln->lot_id,
				(int)ln->temperature_class,
				k,
				st,
				ln->quantity,
				ln->picked,
				p->n_items,
			};
			p->n_items++;
		}
	return rc;
}

/* The item of P for line LINE and lot LOT of order ORDER_ID, to pick; or
 * NULL. */
static struct inv_pick_item *
item_of(struct inventory_pick *p, const char *order_id, unsigned line,
	const char *lot)
{
	for (size_t i = 0; i < p->n_items; i++) {
		struct inv_pick_item *it = &p->items[i];

		if (it->state == INV_PICK_TODO && it->line == line &&
		    strcmp(it->order_id, order_id) == 0 &&
		    strcmp(it->lot_id, lot) == 0)
			return it;
	}
	return NULL;
}

/* Emits the Shortage of order O picked short: the lines of MINE (its
 * lots, listed and picked) short of units. */
static int
short_pick(struct lz_call *c, const OrderRecord *o, const char *tour_id,
	   const struct inv_pick_item *mine, size_t n, int *is_short)
{
	Lz__Inventory__V1__Shortage ev = LZ__INVENTORY__V1__SHORTAGE__INIT;
	struct inv_pick_short *sh = xcalloc(n + 1, sizeof(*sh));
	LineShortage *ls = xcalloc(n + 1, sizeof(*ls)), **lp;
	size_t ns = inv_pick_shortages(mine, n, o->order_id, sh, n);
	int rc = 0;

	lp = xcalloc(ns + 1, sizeof(*lp));
	*is_short = ns > 0;
	for (size_t i = 0; i < ns; i++) {
		lz__inventory__v1__line_shortage__init(&ls[i]);
		ls[i].line = sh[i].line;
		ls[i].requested = sh[i].listed;
		ls[i].missing = sh[i].missing;
		for (size_t k = 0; k < o->n_allocations; k++)
			if (o->allocations[k]->line == sh[i].line)
				ls[i].product = o->allocations[k]->product;
		lp[i] = &ls[i];
	}
	if (ns > 0) {
		ev.order_id = o->order_id;
		ev.member_id = o->member_id;
		ev.n_lines = ns;
		ev.lines = lp;
		ev.short_pick = 1;
		ev.tour_id = (char *)tour_id;
		if ((rc = lz_service_stat(c, "short_picks", 1)) == 0 &&
		    (rc = lz_service_stat(c, "shortages", 1)) == 0)
			rc = lz_bus_emit(c->tx, o->member_id, &ev.base);
	}
	free(lp);
	free(ls);
	free(sh);
	return rc;
}

/* Picks order I of P: each lot of its reservation by the units its item
 * says (as reserved when the list does not name it). */
static int
pick_order(struct lz_call *c, struct inventory_pick *p, size_t i, int *is_short,
	   int64_t *listed, int64_t *picked)
{
	Lz__Inventory__V1__OrderPicked ev =
		LZ__INVENTORY__V1__ORDER_PICKED__INIT;
	OrderRecord *o = p->records[i];
	PickingOrder *e = p->list->orders[i];
	size_t n = o->n_allocations, ng = 0;
	Allocation *got = xcalloc(n + 1, sizeof(*got)), **gp;
	struct inv_pick_item *mine = xcalloc(n + 1, sizeof(*mine));
	int64_t units = 0;
	int rc = 0;

	gp = xcalloc(n + 1, sizeof(*gp));
	for (size_t k = 0; k < n && rc == 0; k++) {
		const Allocation *a = o->allocations[k];
		struct inv_pick_item *it =
			item_of(p, o->order_id, a->line, a->lot_id);
		int64_t q = it ? it->picked : a->quantity;

		if (q < 0 || q > a->quantity) /* checked by the caller */
			q = a->quantity;
		if (it)
			p->lines[it->ref]->picked = q;
		mine[k] = (struct inv_pick_item){
			o->order_id,   0,           a->line, a->lot_id, 0, k,
			INV_PICK_TODO, a->quantity, q,       k,
		};
		*listed += a->quantity;
		units += q;
		rc = inventory_lot_pick(c, a->lot_id, a->quantity, q);
		if (q == 0)
			continue;
		lz__inventory__v1__allocation__init(&got[ng]);
		got[ng].line = a->line;
		got[ng].product = a->product;
		got[ng].lot_id = a->lot_id;
		got[ng].owner_member_id = a->owner_member_id;
		got[ng].quantity = q;
		gp[ng] = &got[ng];
		ng++;
	}
	*picked += units;
	if (rc != 0)
		goto out;
	ev.order_id = o->order_id;
	ev.member_id = o->member_id;
	ev.n_allocations = ng;
	ev.allocations = gp;
	ev.tour_id = p->list->tour_id;
	if ((rc = lz_bus_emit(c->tx, o->member_id, &ev.base)) != 0)
		goto out;
	o->n_allocations = 0;
	o->picked = 1;
	rc = inventory_store_put_order(c->txn, &inventory_of(c)->db, o);
	o->n_allocations = n;
	if (rc == 0)
		rc = short_pick(c, o, p->list->tour_id, mine, n, is_short);
	e->status = (Lz__Inventory__V1__PickingStatus)(*is_short ? PST_SHORT
								 : PST_PICKED);
	e->picked_units = units;
	e->picked_at = c->now;
out:
	free(mine);
	free(gp);
	free(got);
	return rc;
}

int
inventory_pick_commit(struct lz_call *c, struct inventory_pick *p,
		      const char *cause)
{
	Lz__Inventory__V1__TourPicked ev = LZ__INVENTORY__V1__TOUR_PICKED__INIT;
	PickingList *l = p->list;
	char **ids = xcalloc(l->n_orders + 1, sizeof(*ids));
	char **shorts = xcalloc(l->n_orders + 1, sizeof(*shorts));
	char *by = l->picked_by;
	int rc = 0;

	for (size_t i = 0; i < l->n_orders && rc == 0; i++) {
		PickingOrder *e = l->orders[i];
		int is_short = 0;

		/* Still listed, but ended or picked otherwise: the list says
		 * so now. */
		if (p->records[i] == NULL && e->status == PST_LISTED) {
			e->status = p->states[i] == INV_PICK_DONE ? PST_PICKED
								  : PST_DROPPED;
			if (e->status == PST_PICKED)
				e->picked_units = e->units;
		}
		if (p->records[i] == NULL)
			continue;
		rc = pick_order(c, p, i, &is_short, &ev.units_listed,
				&ev.units_picked);
		ids[ev.n_order_ids++] = l->orders[i]->order_id;
		if (is_short)
			shorts[ev.n_short_order_ids++] = l->orders[i]->order_id;
	}
	if (rc != 0)
		goto out;
	list_totals(l, c->now, cause);
	if ((rc = inventory_store_put_picking(c->txn, &inventory_of(c)->db,
					      l)) != 0 ||
	    (rc = lz_service_stat(c, "tours_picked", 1)) != 0)
		goto out;
	ev.tour_id = l->tour_id;
	ev.order_ids = ids;
	ev.short_order_ids = shorts;
	ev.cause = (char *)cause;
	ev.at = c->now;
	rc = lz_bus_emit(c->tx, NULL, &ev.base);
	lz_log_info("tour picked",
		    "tour=%s orders=%zu short=%zu listed=%lld picked=%lld",
		    l->tour_id, ev.n_order_ids, ev.n_short_order_ids,
		    (long long)ev.units_listed, (long long)ev.units_picked);
out:
	l->picked_by = by; /* freed with the list, not CAUSE */
	free(shorts);
	free(ids);
	return rc;
}

int
inventory_picking_note(struct lz_call *c, const OrderRecord *o, int status,
		       const char *cause)
{
	const struct inventory_db *db = &inventory_of(c)->db;
	PickingList *l = NULL;
	PickingOrder *e;
	char *by;
	int rc;

	if (o->tour_id == NULL || o->tour_id[0] == '\0')
		return 0;
	if ((rc = inventory_store_get_picking(c->txn, db, o->tour_id, &l)) !=
		    0 ||
	    l == NULL)
		return rc;
	e = list_order(l, o->order_id);
	if (e == NULL || e->status != PST_LISTED)
		goto out;
	e->status = (Lz__Inventory__V1__PickingStatus)status;
	if (status == PST_PICKED) {
		e->picked_units = e->units;
		e->picked_at = c->now;
		for (size_t i = 0; i < l->n_compartments; i++)
			for (size_t k = 0; k < l->compartments[i]->n_lines;
			     k++) {
				PickLine *ln = l->compartments[i]->lines[k];

				if (strcmp(ln->order_id, o->order_id) == 0)
					ln->picked = ln->quantity;
			}
	}
	by = l->picked_by;
	list_totals(l, c->now, cause);
	rc = inventory_store_put_picking(c->txn, db, l);
	if (l->picked_by == cause)
		l->picked_by = by; /* freed with the list */
out:
	lz__inventory__v1__picking_list__free_unpacked(l, NULL);
	return rc;
}
