/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * follow.c -- the other services' events that drive an order's lifecycle:
 * the inventory's reservations and shortages (a reservation's, which
 * rejects an order not allowed to be partial, or a short pick's, which
 * only goes into the history), the tours' task changes and the bikes'
 * parcel changes, each accepted only from its service.
 */
#include "lifecycle.h"
#include "orders.h"

#include "lz_service.h"
#include "lz_util.h"

#include <stdio.h>
#include <string.h>

/* ---- the inventory's answers ---- */

/* Appends "lines[i] product: missing m of n" for each of LINES to BUF. */
static void
describe_shortages(char *buf, size_t len, Lz__Inventory__V1__LineShortage **l,
		   size_t n)
{
	size_t o = strlen(buf);

	for (size_t i = 0; i < n && o < len; i++) {
		int w = snprintf(
			buf + o, len - o,
			"%slines[%u] %s: missing %lld of %lld", i ? ", " : "",
			l[i]->line,
			lz_valid_text(l[i]->product, 200) ? l[i]->product : "?",
			(long long)l[i]->missing, (long long)l[i]->requested);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int
current_status(struct lz_call *c, const char *order_id, int *st)
{
	Order *cur = NULL;
	int rc = orders_store_get_order(c->txn, &orders_of(c)->db, order_id,
					&cur);

	*st = cur ? (int)cur->status : ST_UNSPECIFIED;
	if (cur)
		lz__orders__v1__order__free_unpacked(cur, NULL);
	return rc;
}

static int
on_reservation_made(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__ReservationMade *ev =
		(const Lz__Inventory__V1__ReservationMade *)msg;
	char detail[900];
	int64_t units = 0;
	int st, rc;

	for (size_t i = 0; i < ev->n_allocations; i++)
		units += ev->allocations[i]->quantity;
	snprintf(detail, sizeof(detail), "reserved %lld units from %zu lots%s",
		 (long long)units, ev->n_allocations,
		 ev->complete ? "" : "; short: ");
	if (!ev->complete)
		describe_shortages(detail, sizeof(detail), ev->shortages,
				   ev->n_shortages);
	if ((rc = current_status(c, ev->order_id, &st)) != 0)
		return rc;
	/* A reservation renewed after an amendment: the order stays
	 * confirmed, the history says what changed. */
	if (st == ST_CONFIRMED)
		return orders_add_history(c, ev->order_id, st, c->now,
					  EV_RESERVATION_MADE, detail);
	return orders_transition(c, ev->order_id, ST_CONFIRMED,
				 EV_RESERVATION_MADE, c->now, detail);
}

static int
on_shortage(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__Shortage *ev =
		(const Lz__Inventory__V1__Shortage *)msg;
	char detail[900] = "";
	int st, rc;

	/* Picked short (the hub found less than reserved): the order goes
	 * on with what was picked, the history says what is missing. */
	if (ev->short_pick) {
		snprintf(detail, sizeof(detail), "short pick%s%.200s: ",
			 lz_valid_path(ev->tour_id) ? " in tour " : "",
			 lz_valid_path(ev->tour_id) ? ev->tour_id : "");
		describe_shortages(detail, sizeof(detail), ev->lines,
				   ev->n_lines);
		if ((rc = current_status(c, ev->order_id, &st)) != 0)
			return rc;
		if (st == ST_UNSPECIFIED)
			return 0;
		return orders_add_history(c, ev->order_id, st, c->now,
					  EV_SHORTAGE, detail);
	}
	describe_shortages(detail, sizeof(detail), ev->lines, ev->n_lines);
	/* A partial order got what could be reserved (ReservationMade,
	 * just before, confirmed it): the shortage is noted. */
	if (ev->reserved_partially) {
		if ((rc = current_status(c, ev->order_id, &st)) != 0)
			return rc;
		if (st == ST_UNSPECIFIED)
			return 0;
		return orders_add_history(c, ev->order_id, st, c->now,
					  EV_SHORTAGE, detail);
	}
	return orders_transition(c, ev->order_id, ST_REJECTED, EV_SHORTAGE,
				 c->now, detail);
}

/* ---- the tours service's task changes ---- */

static int
on_task_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	char detail[300];

	if (ev->task == NULL || ev->order_status == 0 ||
	    ev->task->order_id == NULL ||
	    !lz_valid_order_id(ev->task->order_id))
		return 0;
	snprintf(detail, sizeof(detail), "task %.100s%s%.100s",
		 ev->task->task_id ? ev->task->task_id : "",
		 ev->tour_id && ev->tour_id[0] ? " in tour " : "",
		 ev->tour_id ? ev->tour_id : "");
	return orders_transition(c, ev->task->order_id, (int)ev->order_status,
				 EV_TASK_STATUS, c->now, detail);
}

/* ---- the bikes service's parcel changes ---- */

static int
on_parcel_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ParcelStatusChanged *ev =
		(const Lz__Bikes__V1__ParcelStatusChanged *)msg;
	const Lz__Bikes__V1__Parcel *p = ev->parcel;
	char detail[300];

	if (p == NULL || ev->order_status == 0 || p->order_id == NULL ||
	    !lz_valid_order_id(p->order_id))
		return 0;
	snprintf(detail, sizeof(detail), "parcel %.100s%s%.60s%s%.60s",
		 p->parcel_id ? p->parcel_id : "",
		 p->run_id && p->run_id[0] ? " in bike run " : "",
		 p->run_id ? p->run_id : "",
		 ev->relay_point_id && ev->relay_point_id[0]
			 ? " left at relay point "
			 : "",
		 ev->relay_point_id ? ev->relay_point_id : "");
	return orders_transition(c, p->order_id, (int)ev->order_status,
				 EV_PARCEL_STATUS, c->now, detail);
}

const struct lz_handler orders_follows[] = {
	{&lz__inventory__v1__reservation_made__descriptor, on_reservation_made,
	 INVENTORY_SOURCE},
	{&lz__inventory__v1__shortage__descriptor, on_shortage,
	 INVENTORY_SOURCE},
	{&lz__tours__v1__task_status_changed__descriptor, on_task_status,
	 TOURS_SOURCE},
	{&lz__bikes__v1__parcel_status_changed__descriptor, on_parcel_status,
	 BIKES_SOURCE},
};
const size_t orders_n_follows = LZ_ARRAY_LEN(orders_follows);
