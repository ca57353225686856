/*
 * inventory.h -- the inventory service (lz-inventory): the hub's zones and
 * lots, receptions, reservations for hub-stock orders, picking, counts and
 * the expiry watch.  main.c wires it up; handlers.c applies bus events;
 * expiry.c runs the expiry watch; query.c serves the read models.
 */
#ifndef INVENTORY_INVENTORY_H
#define INVENTORY_INVENTORY_H

#include "lz_log.h"
#include "store.h"

#include <stdint.h>

struct lz_bus;
struct lz_bus_txn;
struct lz_event;
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
	int64_t horizon;  /* expiry watch: seconds ahead */
	int64_t expiring; /* lots within the horizon at the last pass */
	struct lz_log_limit log_limit; /* of bad-input log lines */
};

/* The bus apply function (lz_bus_apply_fn); ARG is a struct inventory.
 * Applies the inventory commands (SetZone, SetStockSharing, ReceiveLot,
 * PickOrder, CountStock), the orders events (OrderPlaced, OrderAmended,
 * OrderStatusChanged; source orders only) and the tours events
 * (GoodsUnloaded: a pickup's lines received as lots reserved for the order;
 * TaskStatusChanged: such an order's delivery on board picks them; source
 * tours only).  Every refusal is an event (ReceptionRefused,
 * CommandRefused) and changes nothing else.  Other types are ignored; an
 * undecodable payload is logged, counted and consumed.  Returns 0 or a
 * negative store error. */
int inventory_apply(struct lz_bus_txn *tx, const struct lz_event *ev,
		    void *arg);

/* One pass of the expiry watch at time NOW (seconds): emits
 * LotNearingExpiry and LotExpired for at most MAX lots in transaction TX.
 * Sets *DONE to the number of lots it acted on.  Returns 0 or a negative
 * store error. */
int inventory_expiry_pass(struct lz_bus_txn *tx, struct inventory *inv,
			  int64_t now, size_t max, size_t *done);
/* Starts the expiry timer (every SCAN seconds, and once at start). */
struct lz_timer *inventory_expiry_start(struct inventory *inv,
					struct lz_loop *loop, int scan);

/* Refreshes the metrics from the counters kept in the store (the bus's
 * on_commit hook; also after each expiry pass).  ARG is a struct
 * inventory. */
void inventory_sync_metrics(void *arg);

/* Routes the read models (/v1/stock, /v1/lots..., /v1/zones,
 * /v1/reservations/..., /v1/invariants) on H. */
void inventory_http_routes(struct lz_http *h, struct inventory *inv);

#endif
