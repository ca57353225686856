/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bikes.h -- the bike relay dispatch service (lz-bikes): riders, bikes and
 * shifts; the parcels the van tours drop at the bike relay; reverse-flow
 * pickups in the centre; runs from the relay planned with the routing
 * engine; the riders' reports.  main.c wires it up; commands.c applies the
 * partners' commands, follow.c the other services' events, both through
 * events.c (status changes) and store.c (records); dispatch.c re-plans the
 * runs after each commit; query.c serves the read models; runs.c
 * (planning) and zone.c (the centre zone) are the pure parts.
 */
#ifndef BIKES_BIKES_H
#define BIKES_BIKES_H

#include "lz_bus.h"
#include "lz_service.h"
#include "runs.h"
#include "store.h"
#include "zone.h"

#include <stdint.h>

struct lz_bus;
struct lz_http;
struct lz_metrics;
struct lz_store;

struct bikes {
	struct lz_store *store;
	struct lz_bus *bus;
	struct bikes_db db;
	struct lz_metrics *metrics;
	struct bikes_conf conf;
	struct bikes_zone zone;
	int max_attempts; /* failed deliveries before the order fails */
	int shift_s;      /* a shift's length when StartShift gives none */
	int handling_s;   /* to unload and sort a parcel at the relay */
	struct lz_service svc;
};

/* The service's state of the event being applied. */
static inline struct bikes *
bikes_of(const struct lz_call *c)
{
	return c->state;
}

/* bikes_store_get() in the transaction being applied. */
static inline int
bikes_get(const struct lz_call *c, MDB_dbi dbi, const char *key,
	  const ProtobufCMessageDescriptor *desc, void *out)
{
	return bikes_store_get(c->txn, dbi, key, desc, out);
}

/* Asks for a re-planning once the batch being applied is committed
 * (bikes_dispatch_pending()), because of the event being applied.
 * Returns 0 or a negative store error. */
static inline int
bikes_ask_replan(const struct lz_call *c)
{
	return bikes_store_ask_replan(c->txn, &bikes_of(c)->db, c->ev->type);
}

/* The handler tables (commands.c, follow.c) of lz_service_apply: the
 * operators' and riders' commands (from the gateway); the directory and
 * the orders' windows (from orders), the relay deliveries of the van tours
 * (from tours), collection requests (from returns, or an operator through
 * the gateway).  Every refusal of a command is a CommandRefused and
 * changes nothing else. */
extern const struct lz_handler bikes_commands[], bikes_follows[];
extern const size_t bikes_n_commands, bikes_n_follows;

/* Routes the read models on H (see query.c). */
void bikes_http_routes(struct lz_http *h, struct bikes *b);

#endif
