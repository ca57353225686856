/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.h -- the inventory service's LMDB schema.
 *
 *   zones       zone_id -> Zone (wire encoding)
 *   lots        lot_id -> Lot; never deleted (a lot id is unique for ever)
 *   by_product  product NUL class-byte lot_id -> "", lots with units in
 *               stock and not expired: the candidates of an allocation
 *   by_expiry   be64(date) lot_id -> "", dated lots with units in stock
 *               and not expired: what the expiry watch scans
 *   orders      order_id -> OrderRecord (hub-stock orders, their status
 *               and live reservation)
 *   sharing     member_id -> "" for members in the shared pool
 *   picking     tour_id ("<date>/<wave>/<vehicle>") -> PickingList, the
 *               tours with hub-stock orders to pick; the key starts with
 *               the date, so a date's lists are a prefix scan
 *   stats       name -> be64 (two's complement) counters and totals, the
 *               durable source of the metrics and of the invariants:
 *               "received", "picked", "adjusted" (units removed by counts,
 *               negative when counts found more), "expired", "stock",
 *               "reserved", "lots", "g/<zone>", "ml/<zone>",
 *               "refused/<reason>", "reservations", "shortages",
 *               "nearing", "expired_lots", "bad_payload", "lists" (picking
 *               lists made), "tours_picked", "short_picks"
 *
 * Every function takes the caller's transaction; errors are negative
 * (lz_store_rc()), MDB_CORRUPTED when a stored record no longer decodes.
 * Records returned through Zone **, Lot **, OrderRecord ** are unpacked
 * copies the caller owns (free with protobuf_c_message_free_unpacked())
 * and that outlive the transaction.
 */
#ifndef INVENTORY_STORE_H
#define INVENTORY_STORE_H

#include "lz_metrics.h"
#include "codec.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct lz_store;

struct inventory_db {
	MDB_dbi zones, lots, by_product, by_expiry, orders, sharing, picking,
		stats;
};

int inventory_store_open(struct lz_store *s, struct inventory_db *db);

/* Each get returns 0 and sets *OUT (NULL when unknown or not a usable
 * key), or a negative error with *OUT NULL. */
int inventory_store_get_zone(MDB_txn *txn, const struct inventory_db *db,
			     const char *id, Zone **out);
int inventory_store_get_lot(MDB_txn *txn, const struct inventory_db *db,
			    const char *id, Lot **out);
int inventory_store_get_order(MDB_txn *txn, const struct inventory_db *db,
			      const char *id, OrderRecord **out);

int inventory_store_get_picking(MDB_txn *txn, const struct inventory_db *db,
				const char *tour_id, PickingList **out);

int inventory_store_put_zone(MDB_txn *txn, const struct inventory_db *db,
			     const Zone *z);
int inventory_store_put_picking(MDB_txn *txn, const struct inventory_db *db,
				const PickingList *l);
int inventory_store_put_order(MDB_txn *txn, const struct inventory_db *db,
			      const OrderRecord *o);

/* Writes lot L whose previous version is OLD (NULL: a new lot): keeps the
 * indexes and the "stock", "reserved", "lots", "g/<zone>" and
 * "ml/<zone>" totals in step with the change. */
int inventory_store_put_lot(MDB_txn *txn, const struct inventory_db *db,
			    const Lot *l, const Lot *old);

/* Lots of PRODUCT in class TEMP with units in stock, not expired; the
 * caller frees *OUT with inventory_store_free_lots(). */
int inventory_store_candidates(MDB_txn *txn, const struct inventory_db *db,
			       const char *product, int temp, Lot ***out,
			       size_t *n);
void inventory_store_free_lots(Lot **l, size_t n);

/* Calls FN for at most MAX lots in stock dated at or before UNTIL,
 * earliest first, until FN returns non-zero (returned, unless it is 1:
 * stop).  FN may rewrite the lot. */
typedef int (*inventory_lot_fn)(Lot *l, void *arg);
int inventory_store_expiring(MDB_txn *txn, const struct inventory_db *db,
			     int64_t until, size_t max, inventory_lot_fn fn,
			     void *arg);
/* Calls FN for every lot, by id. */
int inventory_store_each_lot(MDB_txn *txn, const struct inventory_db *db,
			     inventory_lot_fn fn, void *arg);
typedef int (*inventory_order_fn)(OrderRecord *o, void *arg);
int inventory_store_each_order(MDB_txn *txn, const struct inventory_db *db,
			       inventory_order_fn fn, void *arg);
typedef int (*inventory_zone_fn)(Zone *z, void *arg);
int inventory_store_each_zone(MDB_txn *txn, const struct inventory_db *db,
			      inventory_zone_fn fn, void *arg);

/* Calls FN for each picking list whose tour id starts with PREFIX, in tour
 * id order, until FN returns non-zero (returned, unless it is 1: stop). */
typedef int (*inventory_picking_fn)(PickingList *l, void *arg);
int inventory_store_pickings(MDB_txn *txn, const struct inventory_db *db,
			     const char *prefix, inventory_picking_fn fn,
			     void *arg);

/* Whether MEMBER is in the shared pool; sets it. */
int inventory_store_shared(MDB_txn *txn, const struct inventory_db *db,
			   const char *member, int *out);
int inventory_store_set_shared(MDB_txn *txn, const struct inventory_db *db,
			       const char *member, int shared);

/* Adds DELTA to counter NAME; reads one (0 if absent). */
int inventory_store_stat_add(MDB_txn *txn, const struct inventory_db *db,
			     const char *name, int64_t delta);
int inventory_store_stat_get(MDB_txn *txn, const struct inventory_db *db,
			     const char *name, int64_t *out);
typedef void (*inventory_stat_fn)(const char *name, int64_t value, void *arg);
int inventory_store_stats(MDB_txn *txn, const struct inventory_db *db,
			  inventory_stat_fn fn, void *arg);

/* How the counters show as metrics (lz_service_sync_metrics). */
extern const struct lz_stat_metric inventory_stat_metrics[];
extern const size_t inventory_n_stat_metrics;

#endif
