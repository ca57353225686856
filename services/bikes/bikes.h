/*
 * bikes.h -- the bike relay dispatch service (lz-bikes): riders, bikes and
 * shifts; the parcels the van tours drop at the bike relay; reverse-flow
 * pickups in the centre; runs from the relay planned with the routing
 * engine; the riders' reports.  main.c wires it up; handlers.c applies
 * bus events; dispatch.c re-plans the runs; query.c serves the read
 * models; runs.c (planning) and zone.c (the centre zone) are the pure
 * parts.
 */
#ifndef BIKES_BIKES_H
#define BIKES_BIKES_H

#include "lz_log.h"
#include "runs.h"
#include "store.h"
#include "zone.h"

#include <stdint.h>

struct lz_bus;
struct lz_bus_txn;
struct lz_event;
struct lz_http;
struct lz_metrics;
struct lz_store;

struct bikes {
	struct lz_store *store;
	struct lz_bus *bus;
	struct bikes_db db;
	struct lz_metrics *metrics;
	struct bikes_conf conf;
	struct bikes_zone zone;
	int max_attempts; /* failed deliveries before the order fails */
	int shift_s;      /* a shift's length when StartShift gives none */
	struct lz_log_limit log_limit;
};

/* The bus apply function (lz_bus_apply_fn); ARG is a struct bikes.
 * Applies the directory (source orders), the relay deliveries of the van
 * tours (source tours), collection requests (source returns or gateway),
 * the operators' and riders' commands (source gateway).  Every refusal is
 * a CommandRefused event and changes nothing else. */
int bikes_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg);

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
};

/* Moves parcel P to CH->to (writing it, keeping the open index and the
 * counters) and emits ParcelStatusChanged at AT with CAUSE.  P's string
 * fields are restored before returning (it may be an unpacked record). */
int bikes_parcel_change(struct bikes *b, struct lz_bus_txn *tx, Parcel *p,
			const struct bikes_change *ch, int64_t at,
			const char *cause);

/* The same for pickup K: PickupStatusChanged. */
int bikes_pickup_change(struct bikes *b, struct lz_bus_txn *tx, Pickup *k,
			const struct bikes_change *ch, int64_t at,
			const char *cause);

/* Re-plans the runs that have not started: every open parcel at the
 * relay and requested pickup over the riders on shift at NOW (their
 * pinned runs kept; see bikes_after_commit() for when).  Emits RunPlanned, RunStatusChanged (cancelled),
 * ParcelStatusChanged and PickupStatusChanged for what moved, and
 * RunsPlanned.  Returns 0 or a negative store error. */
int bikes_dispatch(struct bikes *b, struct lz_bus_txn *tx, int64_t now,
		   const char *cause);

/* Pins planned RUN (an operator's PinRun): its visits in the order of
 * SITE_IDS (N; 0: as planned), scheduled again from its start; re-planning
 * then keeps it.  Returns 0, a negative store error, or a positive
 * lz.bikes.v1.Reason: BR_INVALID (SITE_IDS does not name each site of the
 * run once), BR_TIME_WINDOW (the order misses a window), BR_TOO_HEAVY (a
 * pickup before the deliveries overloads the bike), BR_NO_RELAY. */
int bikes_pin(struct bikes *b, struct lz_bus_txn *tx, Run *run, char **site_ids,
	      size_t n, int64_t now);

/* Emits RunStatusChanged for RUN moving to TO at AT and writes RUN. */
int bikes_run_status(struct bikes *b, struct lz_bus_txn *tx, Run *run, int to,
		     int64_t at);

/* The bus's on_commit hook (ARG is a struct bikes), also called once at
 * startup: runs the re-planning the applied events asked for (the meta
 * key "replan" holds the type of the last one; cleared in the same
 * transaction), at the wall clock's time, in one write transaction
 * whatever the number of events; then refreshes the metrics. */
void bikes_after_commit(void *arg);

/* Refreshes the metrics from the counters in the store. */
void bikes_sync_metrics(void *arg);

/* Routes the read models on H (see query.c). */
void bikes_http_routes(struct lz_http *h, struct bikes *b);

#endif
