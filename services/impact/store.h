/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.h -- the impact service's LMDB schema.
 *
 *   vehicles    vehicle_id -> lz.tours.v1.Vehicle
 *   sites       site_id -> lz.orders.v1.Site
 *   members     member_id -> lz.orders.v1.Member
 *   orders      order_id -> lz.orders.v1.Order (placed or amended)
 *   tasks       task_id -> lz.tours.v1.Task (its last status change)
 *   tours       tour_id ("<date>/<wave>/<vehicle>") -> TourRecord
 *   runs        run_id ("<date>/<rider>/<n>") -> RunRecord
 *   parcels     parcel_id -> ParcelRecord
 *   deliveries  "<date>/<order_id>" -> Delivery
 *   shifts      "<date>/<shift_id>" -> ShiftRecord
 *   flows       "<date>/<flow_id>" -> FlowRecord
 *   ledger      "<date>/<movement_id>" -> lz.returns.v1.LedgerMoved
 *   cf          "<date>/<member_id>/<origin site_id>" -> CounterfactualRecord
 *               (the rounds last solved for a report; see report.c)
 *   meta        "relay/<order_id>" -> "1" (the order went by the bike
 *               relay), "stat/<name>" (counters behind the metrics)
 *
 * Every key of a dated database starts with the local date, so a period is
 * one range scan.  Functions take the caller's transaction; errors are
 * negative (lz_store_rc()), MDB_CORRUPTED for a record that no longer
 * decodes.
 */
#ifndef IMPACT_STORE_H
#define IMPACT_STORE_H

#include "lz_metrics.h"
#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

struct lz_store;

struct impact_db {
	MDB_dbi vehicles, sites, members, orders, tasks, tours, runs, parcels,
		deliveries, shifts, flows, ledger, cf, meta;
};

/* Opens (creating them) the databases above; call before lz_bus_new(). */
int impact_store_open(struct lz_store *s, struct impact_db *db);

/* Writes MSG under "<DATE>/<ID>" in the dated database DBI; -EINVAL for a
 * malformed date or an id that cannot be a key. */
int impact_store_put_dated(MDB_txn *txn, MDB_dbi dbi, const char *date,
			   const char *id, const ProtobufCMessage *msg);

/*
 * Calls FN with each record of DBI whose key starts with a date from FROM
 * to TO (inclusive), in key order, unpacked as DESC: FN returns 1 to
 * keep it (it then frees it with protobuf_c_message_free_unpacked), 0 to
 * let the store free it.  A negative return of FN stops the scan and is
 * returned.  MDB_CORRUPTED for a record that does not decode.
 */
typedef int (*impact_record_fn)(ProtobufCMessage *msg, void *arg);
int impact_store_scan(MDB_txn *txn, MDB_dbi dbi, const char *from,
		      const char *to, const ProtobufCMessageDescriptor *desc,
		      impact_record_fn fn, void *arg);

/* The same over a whole database (the directory). */
int impact_store_all(MDB_txn *txn, MDB_dbi dbi,
		     const ProtobufCMessageDescriptor *desc,
		     impact_record_fn fn, void *arg);

/* Flags and counters in meta. */
int impact_store_flag_set(MDB_txn *txn, const struct impact_db *db,
			  const char *name);
int impact_store_flag_get(MDB_txn *txn, const struct impact_db *db,
			  const char *name, int *out);
int impact_store_stat_add(MDB_txn *txn, const struct impact_db *db,
			  const char *name, int64_t delta);

/* How the counters show as metrics (lz_service_sync_metrics). */
extern const struct lz_stat_metric impact_stat_metrics[];
extern const size_t impact_n_stat_metrics;

#endif
