/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tours.h -- the tour planning service (lz-tours): the fleet, the tasks
 * built from the other services' events, planning waves, the tours and
 * their execution.  main.c wires it up; commands.c applies the partners'
 * commands (the operators', the drivers' and the returns service's
 * collection requests), follow.c the orders' and the inventory's events,
 * both through tasks.c and wave.c (planning); store.c keeps the records;
 * query.c serves the read models over HTTP; plan.c is the pure part
 * (tasks, routing problem, tours, GeoJSON).
 */
#ifndef TOURS_TOURS_H
#define TOURS_TOURS_H

#include "lz_service.h"
#include "plan.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

struct lz_bus;
struct lz_http;
struct lz_metrics;
struct lz_store;

struct tours {
	struct lz_store *store;
	struct tours_db db;
	struct lz_metrics *metrics;
	struct lz_bus *bus;
	struct tours_conf conf;
	int max_attempts;          /* failed stops before the order fails */
	int64_t insert_iterations; /* solver iterations of a late insertion */
	int cutoff;                /* seconds after local midnight; -1: none */
	const char *cutoff_wave;
	int pick_on_start; /* lz-inventory picks at the start: no check */
	struct lz_service svc;
};

/* The service's state of the event being applied. */
static inline struct tours *
tours_of(const struct lz_call *c)
{
	return c->state;
}

/* The handler tables (commands.c, follow.c) of lz_service_apply.  The
 * commands are RegisterVehicle, PlanWave, CollectionRequested (from the
 * gateway or the returns service) and the drivers' reports (a start
 * refused while a hub-stock order of the tour is not picked, unless
 * pick_on_start or an operator's override); the follows are the orders
 * service's SiteRegistered, OrderPlaced, OrderAmended and
 * OrderStatusChanged, and the inventory's OrderPicked and Shortage (a
 * short pick).  Every refusal is a CommandRefused and changes nothing
 * else. */
extern const struct lz_handler tours_commands[], tours_follows[];
extern const size_t tours_n_commands, tours_n_follows;

/* Routes the read models on H (see query.c). */
void tours_http_routes(struct lz_http *h, struct tours *t);

#endif
