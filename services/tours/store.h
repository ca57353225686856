/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.h -- the tours service's LMDB schema.
 *
 *   vehicles   vehicle_id -> Vehicle (wire encoding)
 *   sites      site_id -> lz.orders.v1.Site (the directory, from orders)
 *   orders     order_id -> lz.orders.v1.Order, its status kept up to date
 *              from OrderStatusChanged
 *   tasks      task_id -> Task
 *   by_date    YYYY-MM-DD NUL task_id -> "" (tasks of a wave's date)
 *   tours      tour_id ("<date>/<wave>/<vehicle>") -> Tour; the key starts
 *              with the date, so the tours of a date are a prefix scan
 *   drivers    "<date>/<vehicle_id>" -> driver id (AssignDriver): who
 *              drives the vehicle's tours that date
 *   picked     order_id -> "picked" or "short": the hub-stock orders
 *              lz-inventory picked (OrderPicked; "short" after a short
 *              pick's Shortage), which a tour's start needs
 *   meta       name -> value: "hub", "relay" (site ids), "plan" (count of
 *              plans), "last_solve_s" (seconds, text), "auto/<date>" (the
 *              cut-off planned that date), "stat/<name>" (be64 counters
 *              behind the metrics: tours_stat_metrics says how they show,
 *              "stat/events_refused/<reason>" are lz_service's)
 *
 * Every function takes the caller's transaction.  Errors are negative
 * (lz_store_rc()), MDB_CORRUPTED when a record no longer decodes.  Messages
 * returned through ProtobufCMessage ** are unpacked copies the caller frees
 * with protobuf_c_message_free_unpacked(); they outlive the transaction.
 */
#ifndef TOURS_STORE_H
#define TOURS_STORE_H

#include "codec.h"

#include "lz_metrics.h"
#include "lz_store.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct lz_store;

struct tours_db {
	MDB_dbi vehicles, sites, orders, tasks, by_date, tours, picked, meta,
		drivers;
};

/* Opens (creating them) the databases above; call before lz_bus_new(). */
int tours_store_open(struct lz_store *s, struct tours_db *db);

/* The record of ID, an unpacked copy in *OUT, or NULL when there is none
 * (or ID is empty or too long to be a key); MDB_CORRUPTED when it no
 * longer decodes.  The caller frees *OUT. */
int tours_store_get_task(MDB_txn *txn, const struct tours_db *db,
			 const char *id, Task **out);
int tours_store_get_tour(MDB_txn *txn, const struct tours_db *db,
			 const char *id, Tour **out);
int tours_store_get_site(MDB_txn *txn, const struct tours_db *db,
			 const char *id, Site **out);
int tours_store_get_order(MDB_txn *txn, const struct tours_db *db,
			  const char *id, Order **out);
int tours_store_get_vehicle(MDB_txn *txn, const struct tours_db *db,
			    const char *id, Vehicle **out);

/* Writes task T and its date index entry (OLD_DATE: its previous date, to
 * move the entry; NULL for a new task). */
int tours_store_put_task(MDB_txn *txn, const struct tours_db *db, const Task *t,
			 const char *old_date);

/* Calls FN for each task of DATE (in task id order) / each tour whose id
 * starts with PREFIX, with an unpacked copy the callee may keep by
 * returning 1 (it then frees it); 0: the store frees it.  A negative
 * return stops the scan and is returned. */
typedef int (*tours_task_fn)(Task *t, void *arg);
typedef int (*tours_tour_fn)(Tour *t, void *arg);
int tours_store_tasks_of(MDB_txn *txn, const struct tours_db *db,
			 const char *date, tours_task_fn fn, void *arg);
int tours_store_tours_of(MDB_txn *txn, const struct tours_db *db,
			 const char *prefix, tours_tour_fn fn, void *arg);
typedef int (*tours_vehicle_fn)(Vehicle *v, void *arg);
int tours_store_vehicles(MDB_txn *txn, const struct tours_db *db,
			 tours_vehicle_fn fn, void *arg);

/* Whether order ORDER_ID was picked by lz-inventory (*OUT 1, or 0); marks
 * it picked (SHORT: picked short of some units). */
int tours_store_picked(MDB_txn *txn, const struct tours_db *db,
		       const char *order_id, int *out);
int tours_store_set_picked(MDB_txn *txn, const struct tours_db *db,
			   const char *order_id, int is_short);

/* The driver bound to VEHICLE_ID on DATE (AssignDriver), copied into OUT
 * (at least LZ_ID_MAX + 1 bytes), "" when none.  put binds DRIVER_ID,
 * or unbinds when it is "" or NULL.  -EINVAL for a date or vehicle id
 * that cannot be a key. */
int tours_store_get_driver(MDB_txn *txn, const struct tours_db *db,
			   const char *date, const char *vehicle_id, char *out,
			   size_t outlen);
int tours_store_put_driver(MDB_txn *txn, const struct tours_db *db,
			   const char *date, const char *vehicle_id,
			   const char *driver_id);
/* The driver of tour TOUR_ID ("<date>/<wave>/<vehicle>"): the one bound
 * to its vehicle on its date, as tours_store_get_driver(); "" for an id
 * of another shape. */
int tours_store_driver_of_tour(MDB_txn *txn, const struct tours_db *db,
			       const char *tour_id, char *out, size_t outlen);

/* String values of meta (a copy into OUT, "" when absent). */
int tours_store_meta_get(MDB_txn *txn, const struct tours_db *db,
			 const char *name, char *out, size_t outlen);
int tours_store_meta_put(MDB_txn *txn, const struct tours_db *db,
			 const char *name, const char *value);

/* Adds DELTA to the counter "stat/<name>" (lz_service_stat does the same
 * for a handler; this is for the lower files, which may run without an
 * event: the cut-off). */
int tours_store_stat_add(MDB_txn *txn, const struct tours_db *db,
			 const char *name, int64_t delta);

/* How the counters show as metrics (lz_service_sync_metrics). */
extern const struct lz_stat_metric tours_stat_metrics[];
extern const size_t tours_n_stat_metrics;

/* Sets the gauges that are not counters (lz_tours_last_solve_seconds) on
 * M from TXN: the lz_service's sync_more.  Returns 0 or a read error. */
int tours_store_sync_gauges(MDB_txn *txn, const struct tours_db *db,
			    struct lz_metrics *m);

#endif
