/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * events.h -- the status changes of parcels, pickups and runs that the
 * commands, the followed events and the re-planning share: each writes the
 * record, keeps the counters behind the metrics and emits its event in the
 * transaction given.
 */
#ifndef BIKES_EVENTS_H
#define BIKES_EVENTS_H

#include "codec.h"

#include <stddef.h>
#include <stdint.h>

struct bikes;
struct lz_bus_txn;

/* Whether parcel P is still to be handled (open index). */
int bikes_parcel_open(const struct bikes *b, const Parcel *p);

/* What changes with a parcel or a pickup.  NULL strings and 0 numbers
 * leave the record's field alone (RIDER_ID and RUN_ID "" clear it). */
struct bikes_change {
	int to;
	int order_status; /* parcels: the order's next status, 0: none */
	int reason;
	const char *detail;
	int fail_reason;
	const char *relay_point_id;
	ContainerCount **containers;
	size_t ncontainers;
	const char *note;
	const char *rider_id, *run_id;
	int64_t collected_grams; /* pickups */
	/* The event's audience; NULL: the rider of the parcel's (pickup's)
	 * run, or the one whose run it leaves. */
	const char *audience;
};

/* Moves parcel P to CH->to (writing it, keeping the open index and the
 * counters) and emits ParcelStatusChanged at AT with CAUSE, for the
 * parcel's member (tenant) and CH->audience or its rider.  P's string
 * fields are restored before returning (it may be an unpacked record).
 * Returns 0 or a negative store error. */
int bikes_parcel_change(struct bikes *b, struct lz_bus_txn *tx, Parcel *p,
			const struct bikes_change *ch, int64_t at,
			const char *cause);

/* The same for pickup K: PickupStatusChanged (no tenant). */
int bikes_pickup_change(struct bikes *b, struct lz_bus_txn *tx, Pickup *k,
			const struct bikes_change *ch, int64_t at,
			const char *cause);

/* Emits RunStatusChanged for RUN moving to TO at AT, for the run's rider
 * (audience), and writes RUN.  Returns 0 or a negative store error. */
int bikes_run_status(struct bikes *b, struct lz_bus_txn *tx, Run *run, int to,
		     int64_t at);

/* Emits MSG in TX with TENANT (may be NULL) and AUDIENCE (NULL or "":
 * none), the audience for this event only: the events about a rider's
 * shift, runs, parcels and pickups are the rider's.  Returns 0 or a
 * negative store error. */
int bikes_emit(struct lz_bus_txn *tx, const char *tenant, const char *audience,
	       const ProtobufCMessage *msg);

#endif
