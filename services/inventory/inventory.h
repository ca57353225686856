/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * inventory.h -- the inventory service (lz-inventory): the hub's zones and
 * lots, receptions, reservations for hub-stock orders, picking, counts and
 * the expiry watch.  main.c wires it up; commands.c applies the partners'
 * commands and follow.c the orders' and tours' events, both through
 * picking.c (the tours' picking lists) and stock.c (lots and
 * reservations); expiry.c runs the expiry watch; store.c keeps the
 * records; query.c serves the read models.
 */
#ifndef INVENTORY_INVENTORY_H
#define INVENTORY_INVENTORY_H

#include "lz_service.h"
#include "store.h"

#include <stdint.h>

struct lz_bus;
struct lz_bus_txn;
struct lz_http;
struct lz_loop;
struct lz_metrics;
struct lz_store;
struct lz_timer;

struct inventory {
	struct lz_store *store;
	struct inventory_db db;
	struct lz_metrics *metrics;
	struct lz_bus *bus;
	int64_t horizon;   /* expiry watch: seconds ahead */
	int64_t expiring;  /* lots within the horizon at the last pass */
	int pick_on_start; /* a tour's start picks it as listed */
	struct lz_service svc;
};

/* The service's state of the event being applied. */
static inline struct inventory *
inventory_of(const struct lz_call *c)
{
	return c->state;
}

/* The handler tables (commands.c, follow.c) of lz_service_apply: the
 * inventory commands (SetZone, SetStockSharing, ReceiveLot, PickOrder,
 * PickTour, CountStock), the orders' events (OrderPlaced, OrderAmended,
 * OrderStatusChanged) and the tours' (TourPlanned: the tour's picking
 * list; TourStatusChanged: a start picks it with pick-on-start;
 * GoodsUnloaded: a pickup's lines received as lots reserved for the
 * order; TaskStatusChanged: such an order's delivery on board picks
 * them).  Every refusal is an event
 * (ReceptionRefused, CommandRefused) and changes nothing else. */
extern const struct lz_handler inventory_commands[], inventory_follows[];
extern const size_t inventory_n_commands, inventory_n_follows;

/* One pass of the expiry watch at time NOW (seconds): emits
 * LotNearingExpiry and LotExpired for at most MAX lots in transaction TX.
 * Sets *DONE to the number of lots it acted on.  Returns 0 or a negative
 * store error. */
int inventory_expiry_pass(struct lz_bus_txn *tx, struct inventory *inv,
			  int64_t now, size_t max, size_t *done);
/* Starts the expiry timer (every SCAN seconds, and once at start). */
struct lz_timer *inventory_expiry_start(struct inventory *inv,
					struct lz_loop *loop, int scan);

/* Sets the zones' fill gauges and lots expiring from TXN (the service's
 * sync_more); ARG is a struct inventory. */
int inventory_sync_gauges(MDB_txn *txn, void *arg);

/* Routes the read models (/v1/stock, /v1/lots..., /v1/zones,
 * /v1/reservations/..., /v1/picking/..., /v1/invariants) on H. */
void inventory_http_routes(struct lz_http *h, struct inventory *inv);

#endif
