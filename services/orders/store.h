/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.h -- the orders service's LMDB schema.
 *
 *   members    member_id -> Member (wire encoding)
 *   sites      site_id -> Site
 *   orders     order_id ("<member>/<reference>") -> Order.  The key starts
 *              with the member, so it is also the per-member reference
 *              index: a reference is taken iff "<member>/<reference>" is
 *              present (an order is never deleted, cancelled or not).
 *   history    order_id NUL be32(n) -> OrderHistoryEntry, n = 0, 1, ...
 *   by_date    member NUL YYYYMMDD be64(start) order_id -> ""
 *   by_status  member NUL status-byte YYYYMMDD be64(start) order_id -> ""
 *              (YYYYMMDD: the local date of the delivery window's start;
 *              start: its time, sign-flipped so that keys sort by time)
 *   stats      name -> be64 count, the durable source of the metrics:
 *              "placed", "refused/<reason>", "events_refused/<reason>"
 *              (lz_service), "illegal_transition", "status/<status>"
 *              (orders in it); orders_stat_metrics says how they show
 *
 * Every function takes the caller's transaction.  Errors are negative
 * (lz_store_rc()): a store error, or MDB_CORRUPTED when a stored record no
 * longer decodes.  Records returned through Member **, Site ** and
 * Order ** are unpacked copies the caller owns and frees with
 * protobuf_c_message_free_unpacked(&x->base, NULL); they outlive the
 * transaction.
 */
#ifndef ORDERS_STORE_H
#define ORDERS_STORE_H

#include "lz_metrics.h"
#include "codec.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct lz_store;

struct orders_db {
	MDB_dbi members, sites, orders, history, by_date, by_status, stats;
};

/* Opens (creating them) the databases above in S; call at startup, before
 * lz_bus_new().  Returns 0 or a negative store error. */
int orders_store_open(struct lz_store *s, struct orders_db *db);

/* Each get returns 0 and sets *OUT (NULL when ID is unknown or cannot be a
 * key), or a negative error with *OUT NULL. */
int orders_store_get_member(MDB_txn *txn, const struct orders_db *db,
			    const char *id, Member **out);
int orders_store_get_site(MDB_txn *txn, const struct orders_db *db,
			  const char *id, Site **out);
int orders_store_get_order(MDB_txn *txn, const struct orders_db *db,
			   const char *id, Order **out);

/* Inserts or replaces a member or a site (keyed by its id). */
int orders_store_put_member(MDB_txn *txn, const struct orders_db *db,
			    const Member *m);
int orders_store_put_site(MDB_txn *txn, const struct orders_db *db,
			  const Site *s);

/* Writes order O; OLD is its previous version (NULL for a new order), whose
 * index entries are replaced by O's.  Keeps the "status/..." counts. */
int orders_store_put_order(MDB_txn *txn, const struct orders_db *db,
			   const Order *o, const Order *old);

/* Appends E to the history of ORDER_ID. */
int orders_store_add_history(MDB_txn *txn, const struct orders_db *db,
			     const char *order_id, const HistoryEntry *e);

/* Returns the history of ORDER_ID, oldest first, in *OUT (*N entries; the
 * caller frees with orders_store_free_history()). */
int orders_store_history(MDB_txn *txn, const struct orders_db *db,
			 const char *order_id, HistoryEntry ***out, size_t *n);
void orders_store_free_history(HistoryEntry **h, size_t n);

/* Lists at most LIMIT orders of MEMBER by delivery time, restricted to
 * STATUS (ST_UNSPECIFIED: any) and to local date DATE ("YYYYMMDD"; NULL:
 * any).  The caller frees *OUT with orders_store_free_orders(). */
int orders_store_list(MDB_txn *txn, const struct orders_db *db,
		      const char *member, int status, const char *date,
		      size_t limit, Order ***out, size_t *n);
void orders_store_free_orders(Order **o, size_t n);

/* Adds DELTA to the counter NAME. */
int orders_store_stat_add(MDB_txn *txn, const struct orders_db *db,
			  const char *name, int64_t delta);

/* Calls FN for every counter. */
typedef void (*orders_stat_fn)(const char *name, int64_t value, void *arg);
int orders_store_stats(MDB_txn *txn, const struct orders_db *db,
		       orders_stat_fn fn, void *arg);

/* How the counters show as metrics (lz_service_sync_metrics). */
extern const struct lz_stat_metric orders_stat_metrics[];
extern const size_t orders_n_stat_metrics;

#endif
