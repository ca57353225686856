/*
 * tours.h -- the tour planning service (lz-tours): the fleet, the tasks
 * built from the other services' events, planning waves, the tours and
 * their execution.  main.c wires it up; handlers.c applies bus events;
 * wave.c plans a wave; query.c serves the read models over HTTP; plan.c
 * is the pure part (tasks, routing problem, tours, GeoJSON).
 */
#ifndef TOURS_TOURS_H
#define TOURS_TOURS_H

#include "lz_log.h"
#include "plan.h"
#include "store.h"

#include <stdint.h>

struct lz_bus;
struct lz_bus_txn;
struct lz_event;
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
	struct lz_log_limit log_limit; /* of bad-input log lines */
};

/* The bus apply function (lz_bus_apply_fn); ARG is a struct tours.
 * Applies the directory and orders' events (source orders), the operators'
 * and drivers' commands and collection requests (source gateway or
 * returns).  Every refusal is a CommandRefused event and changes nothing
 * else; an undecodable payload is logged, counted and consumed.  Returns 0
 * or a negative store error. */
int tours_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg);

/* Plans the wave WAVE of local date DATE in TX at time NOW (seconds), as
 * the operator's PlanWave or the automatic cut-off does: every pending task
 * of the date, the vehicles available and not yet used in this date and
 * wave (only VEHICLE_IDS when N_VEHICLE_IDS > 0).  Emits TourPlanned per
 * tour, TaskStatusChanged per task and WavePlanned, all in TX.  Returns 0,
 * or a negative store error. */
int tours_plan_wave(struct tours *t, struct lz_bus_txn *tx, const char *date,
		    const char *wave, char **vehicle_ids, size_t n_vehicle_ids,
		    int64_t now, const char *cause);

/* Moves TASK to status TO (writing it, with its date index) and emits
 * TaskStatusChanged with TOUR_ID (may be NULL), STOP, REASON, DETAIL (may
 * be NULL), ORDER_STATUS (the order's next status, 0: none), AT and CAUSE.
 * TASK's fields are restored before returning (it may be an unpacked
 * record).  Returns 0 or a negative store error. */
int tours_task_change(struct tours *t, struct lz_bus_txn *tx, Task *task,
		      int to, const char *tour_id, unsigned stop, int reason,
		      const char *detail, int order_status, int64_t at,
		      const char *cause);

/* Tries to insert the new TASK into a tour of its date that has not
 * started (the one it lengthens least); on success re-emits that tour
 * (revision + 1) and moves TASK to planned.  Returns 0 (inserted or not)
 * or a negative store error. */
int tours_insert_late(struct tours *t, struct lz_bus_txn *tx, Task *task,
		      int64_t now, const char *cause);

/* Refreshes the metrics from the counters kept in the store (the bus's
 * on_commit hook; also call once at startup).  ARG is a struct tours. */
void tours_sync_metrics(void *arg);

/* Routes the read models on H (see query.c). */
void tours_http_routes(struct lz_http *h, struct tours *t);

#endif
