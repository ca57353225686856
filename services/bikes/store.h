/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.h -- the bikes service's LMDB schema.
 *
 *   riders        rider_id -> Rider
 *   bikes         bike_id -> Bike
 *   shifts        rider_id -> Shift (the rider's shift in progress)
 *   parcels       parcel_id -> Parcel
 *   open_parcels  parcel_id -> "" (parcels not yet delivered, left at a
 *                 relay point (then received, handed over there),
 *                 cancelled or failed for good)
 *   pickups       request_id -> Pickup
 *   open_pickups  request_id -> "" (requested, planned or on a bike)
 *   runs          run_id ("<date>/<rider>/<nnn>") -> Run: the runs of a
 *                 date are a prefix scan
 *   sites         site_id -> lz.orders.v1.Site (the directory, from orders)
 *   windows       order_id -> lz.common.v1.TimeWindow: the order's delivery
 *                 window (from orders), the parcel's window at the relay
 *   meta          "relay" (the bike relay's site id), "replan" (the type
 *                 of the last event that asked for a re-planning, until it
 *                 is run), "stat/<name>" (the counters behind the metrics:
 *                 "waiting", "delivered", "failed", "at_relay_point",
 *                 "cancelled", "received_at_relay_point", "handed_over",
 *                 "collected", "runs", "ridden_m",
 *                 "refused/<reason>" and "events_refused/<reason>" from
 *                 lz_service; bikes_stat_metrics says how they show)
 *
 * Every function takes the caller's transaction.  Errors are negative
 * (lz_store_rc()), MDB_CORRUPTED when a record no longer decodes.
 */
#ifndef BIKES_STORE_H
#define BIKES_STORE_H

#include "codec.h"

#include "lz_metrics.h"
#include "lz_store.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct bikes_db {
	MDB_dbi riders, bikes, shifts, parcels, open_parcels, pickups,
		open_pickups, runs, sites, windows, meta;
};

int bikes_store_open(struct lz_store *s, struct bikes_db *db);

/* Unpacks the DESC record of KEY in DBI into *(ProtobufCMessage **)OUT, or
 * sets it NULL when there is none (KEY NULL, "" or too long included).
 * The caller frees it with bikes_store_drop().  Returns 0, MDB_CORRUPTED
 * or a negative store error. */
int bikes_store_get(MDB_txn *txn, MDB_dbi dbi, const char *key,
		    const ProtobufCMessageDescriptor *desc, void *out);

/* Frees a record of bikes_store_get() or bikes_store_each(); accepts
 * NULL. */
void bikes_store_drop(void *m);

/* Writes parcel P (pickup K) and keeps the open index: OPEN 1 adds it, 0
 * removes it. */
int bikes_store_put_parcel(MDB_txn *txn, const struct bikes_db *db,
			   const Parcel *p, int open);
int bikes_store_put_pickup(MDB_txn *txn, const struct bikes_db *db,
			   const Pickup *k, int open);

/* Calls FN with an unpacked DESC message for each record of DBI whose key
 * starts with PREFIX ("" for all), in key order.  FN may keep the message
 * by returning 1 (it then frees it); 0: the store frees it; a negative
 * return stops the scan and is returned. */
typedef int (*bikes_each_fn)(ProtobufCMessage *m, void *arg);
int bikes_store_each(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		     const ProtobufCMessageDescriptor *desc, bikes_each_fn fn,
		     void *arg);
/* The same over the records of DATA named by the keys of INDEX. */
int bikes_store_each_indexed(MDB_txn *txn, MDB_dbi index, MDB_dbi data,
			     const ProtobufCMessageDescriptor *desc,
			     bikes_each_fn fn, void *arg);

/* Counters "stat/<name>" (DELTA may be negative: gauges), for the state
 * changes made outside a handler's call too (the re-planning after a
 * commit); a handler counts with lz_service_stat(), the same keys. */
int bikes_store_stat_add(MDB_txn *txn, const struct bikes_db *db,
			 const char *name, int64_t delta);

/* Asks for a re-planning after the commit of the batch being applied
 * (bikes_dispatch_pending()), because of an event of type CAUSE: many
 * parcels reach the relay at once, the runs are planned once. */
int bikes_store_ask_replan(MDB_txn *txn, const struct bikes_db *db,
			   const char *cause);

/* The type of the event that asked for the re-planning not yet run into
 * CAUSE (LEN bytes), "" when none. */
int bikes_store_replan_cause(MDB_txn *txn, const struct bikes_db *db,
			     char *cause, size_t len);

/* Forgets the re-planning asked for (it runs in this transaction). */
int bikes_store_clear_replan(MDB_txn *txn, const struct bikes_db *db);

/* How the counters show as metrics (lz_service_sync_metrics). */
extern const struct lz_stat_metric bikes_stat_metrics[];
extern const size_t bikes_n_stat_metrics;

#endif
