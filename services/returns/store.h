/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.h -- the returns service's LMDB schema.
 *
 *   types     container_type -> ContainerType
 *   sites     site_id -> lz.orders.v1.Site (the directory, from orders)
 *   members   member_id -> lz.orders.v1.Member
 *   orders    order_id -> lz.orders.v1.Order (orders with containers, until
 *             delivered or ended)
 *   outlets   outlet_id -> Outlet
 *   flows     flow_id -> Flow
 *   points    site_id -> CollectionPoint
 *   balances  "<account> NUL <member> NUL <type>" -> be64 count (signed)
 *   usage     "<outlet_id> <YYYY-MM-DD>" -> be64 grams booked that day
 *   history   "<site_id> <at, 20 digits> <movement>" -> be64 count: the
 *             returns declared at a collection point
 *   totals    "<YYYY-MM-DD> <level> grams|flows" -> be64, flows closed
 *   meta      name -> value: "hub", "relay" (site ids), "seq/<name>" (id
 *             counters), "lot/<lot_id>" -> flow id,
 *             "ref/<cmd>/<member>/<reference>" (references used),
 *             "req/<request_id>" -> "flow:<id>" or "point:<site>",
 *             "open/<site>" -> the point's open request, "van/<site>"
 *             (bikes refused its collections), "onboard/<tour>#<stop>/
 *             <order>" -> order id (containers on board for that stop);
 *             and the counters "stat/<name>" behind the metrics
 *
 * Every function takes the caller's transaction; errors are negative
 * (lz_store_rc()).
 */
#ifndef RETURNS_STORE_H
#define RETURNS_STORE_H

#include "lz_metrics.h"
#include "codec.h"

#include "lz_store.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct returns_db {
	MDB_dbi types, sites, members, orders, outlets, flows, points, balances,
		usage, history, totals, meta;
};

int returns_store_open(struct lz_store *s, struct returns_db *db);

/* String values of meta (a copy into OUT, "" when absent); del removes. */
int returns_store_meta_get(MDB_txn *txn, const struct returns_db *db,
			   const char *name, char *out, size_t outlen);
int returns_store_meta_put(MDB_txn *txn, const struct returns_db *db,
			   const char *name, const char *value);
int returns_store_meta_del(MDB_txn *txn, const struct returns_db *db,
			   const char *name);

/* Calls FN for each meta entry whose name starts with PREFIX, with the
 * name and the value (NUL-terminated copies, valid during the call). */
typedef void (*returns_meta_fn)(const char *name, const char *value, void *arg);
int returns_store_meta_scan(MDB_txn *txn, const struct returns_db *db,
			    const char *prefix, returns_meta_fn fn, void *arg);

/* The next value of id counter NAME (1, 2, 3...). */
int returns_store_next(MDB_txn *txn, const struct returns_db *db,
		       const char *name, uint64_t *out);

/* Counters "stat/<name>". */
int returns_store_stat_add(MDB_txn *txn, const struct returns_db *db,
			   const char *name, int64_t delta);

/* The balance of TYPE in ACCOUNT for MEMBER ("" for pooled accounts). */
int returns_store_balance(MDB_txn *txn, const struct returns_db *db,
			  const char *account, const char *member,
			  const char *type, int64_t *out);
int returns_store_balance_add(MDB_txn *txn, const struct returns_db *db,
			      const char *account, const char *member,
			      const char *type, int64_t delta);
/* Calls FN for each non-zero balance whose account starts with PREFIX
 * ("" for all), in key order. */
typedef void (*returns_balance_fn)(const char *account, const char *member,
				   const char *type, int64_t count, void *arg);
int returns_store_balances(MDB_txn *txn, const struct returns_db *db,
			   const char *prefix, returns_balance_fn fn,
			   void *arg);

/* Calls FN with an unpacked copy of every record of DBI (DESC messages):
 * FN returns 1 to keep it (and free it later), 0 to let the store free it,
 * negative to stop (returned). */
typedef int (*returns_record_fn)(ProtobufCMessage *m, void *arg);
int returns_store_scan(MDB_txn *txn, MDB_dbi dbi,
		       const ProtobufCMessageDescriptor *desc,
		       returns_record_fn fn, void *arg);

/* How the counters show as metrics (lz_service_sync_metrics). */
extern const struct lz_stat_metric returns_stat_metrics[];
extern const size_t returns_n_stat_metrics;

#endif
