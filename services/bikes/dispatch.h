/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * dispatch.h -- the re-planning of the runs that have not started, and the
 * re-sequencing of a run an operator pins.
 */
#ifndef BIKES_DISPATCH_H
#define BIKES_DISPATCH_H

#include "codec.h"

#include <stddef.h>
#include <stdint.h>

struct bikes;
struct lz_bus_txn;

/* Re-plans the runs that have not started: every open parcel at the
 * relay and requested pickup over the riders on shift at NOW (their
 * pinned runs kept in their order, re-timed from NOW; see
 * bikes_dispatch_pending() for when), no run leaving the relay before the
 * ready time of its parcels.  Emits
 * RunPlanned, RunStatusChanged (cancelled), ParcelStatusChanged and
 * PickupStatusChanged for what moved, and RunsPlanned.  Returns 0 or a
 * negative store error. */
int bikes_dispatch(struct bikes *b, struct lz_bus_txn *tx, int64_t now,
		   const char *cause);

/* Pins planned RUN (an operator's PinRun): its visits in the order of
 * SITE_IDS (N; 0: as planned), scheduled again from its start (NOW if
 * later, the ready time of its parcels if later still); re-planning then
 * keeps its order.  Returns 0, a negative store error, or a positive
 * lz.bikes.v1.Reason: BR_INVALID (SITE_IDS does not name each site of the
 * run once), BR_TIME_WINDOW (the order misses a window), BR_TOO_HEAVY (a
 * pickup before the deliveries overloads the bike), BR_NO_RELAY. */
int bikes_pin(struct bikes *b, struct lz_bus_txn *tx, Run *run, char **site_ids,
	      size_t n, int64_t now);

/* Runs the re-planning the applied events asked for
 * (bikes_store_ask_replan(); cleared in the same transaction), at the wall
 * clock's time, in one write transaction of B->bus whatever the number of
 * events; logs a failure.  After each commit, and once at startup (a
 * re-planning asked for just before a stop). */
void bikes_dispatch_pending(struct bikes *b);

#endif
