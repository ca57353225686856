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
 *   meta       name -> value: "hub", "relay" (site ids), "plan" (count of
 *              plans), "stat/<name>" (be64 counters behind the metrics)
 *
 * Every function takes the caller's transaction.  Errors are negative
 * (lz_store_rc()), MDB_CORRUPTED when a record no longer decodes.  Messages
 * returned through ProtobufCMessage ** are unpacked copies the caller frees
 * with protobuf_c_message_free_unpacked(); they outlive the transaction.
 */
#ifndef TOURS_STORE_H
#define TOURS_STORE_H

#include "codec.h"

#include "lz_store.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct lz_store;

struct tours_db {
	MDB_dbi vehicles, sites, orders, tasks, by_date, tours, meta;
};

/* Opens (creating them) the databases above; call before lz_bus_new(). */
int tours_store_open(struct lz_store *s, struct tours_db *db);

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

/* String values of meta (a copy into OUT, "" when absent). */
int tours_store_meta_get(MDB_txn *txn, const struct tours_db *db,
			 const char *name, char *out, size_t outlen);
int tours_store_meta_put(MDB_txn *txn, const struct tours_db *db,
			 const char *name, const char *value);

/* Counters "stat/<name>". */
int tours_store_stat_add(MDB_txn *txn, const struct tours_db *db,
			 const char *name, int64_t delta);

#endif
