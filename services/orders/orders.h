/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * orders.h -- the orders service (lz-orders): the directory of members and
 * sites, and the order lifecycle.  main.c wires it up; commands.c applies
 * the partners' commands, follow.c the other services' events, both
 * through lifecycle.c; store.c keeps the records; query.c serves the read
 * models over HTTP.
 */
#ifndef ORDERS_ORDERS_H
#define ORDERS_ORDERS_H

#include "lz_service.h"
#include "store.h"

#include <stdint.h>

struct lz_http;
struct lz_metrics;
struct lz_store;

struct orders {
	struct lz_store *store;
	struct orders_db db;
	struct lz_metrics *metrics;
	int64_t grace; /* seconds a window may start before the event */
	struct lz_service svc;
};

/* The service's state of the event being applied. */
static inline struct orders *
orders_of(const struct lz_call *c)
{
	return c->state;
}

/* The handler tables (commands.c, follow.c) of lz_service_apply.  The
 * commands are RegisterMember, RegisterSite, PlaceOrder, AmendOrder and
 * CancelOrder; every refusal is an OrderRejected and changes nothing
 * else. */
extern const struct lz_handler orders_commands[], orders_follows[];
extern const size_t orders_n_commands, orders_n_follows;

/* Routes GET /v1/orders and /v1/orders/<id> on H. */
void orders_http_routes(struct lz_http *h, struct orders *o);

#endif
