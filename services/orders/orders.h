/*
 * orders.h -- the orders service (lz-orders): the directory of members and
 * sites, and the order lifecycle.  main.c wires it up; handlers.c applies
 * bus events; query.c serves the read models over HTTP.
 */
#ifndef ORDERS_ORDERS_H
#define ORDERS_ORDERS_H

#include "lz_log.h"
#include "store.h"

#include <stdint.h>

struct lz_bus_txn;
struct lz_event;
struct lz_http;
struct lz_metrics;
struct lz_store;

struct orders {
	struct lz_store *store;
	struct orders_db db;
	struct lz_metrics *metrics;
	int64_t grace; /* seconds a window may start before the event */
	struct lz_log_limit log_limit; /* of bad-input log lines */
};

/* The bus apply function (lz_bus_apply_fn); ARG is a struct orders.
 * Applies RegisterMember, RegisterSite, PlaceOrder, AmendOrder and
 * CancelOrder; every refusal is an OrderRejected event and changes nothing
 * else.  Other types are ignored; an undecodable payload is logged,
 * counted and consumed.  Returns 0 or a negative store error. */
int orders_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg);

/* Refreshes the metrics from the counters kept in the store (the bus's
 * on_commit hook; also call once at startup).  ARG is a struct orders. */
void orders_sync_metrics(void *arg);

/* Routes GET /v1/orders and /v1/orders/<id> on H. */
void orders_http_routes(struct lz_http *h, struct orders *o);

#endif
