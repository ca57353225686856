/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tasks.h -- the changes of a task or a tour that the partners' commands,
 * the followed events and the wave planner share: each writes the task
 * (with its date index) or the tour in the caller's transaction and emits
 * TaskStatusChanged (which tells the orders service where the order is) or
 * TourPlanned there, with the tour's driver as audience.
 */
#ifndef TOURS_TASKS_H
#define TOURS_TASKS_H

#include "codec.h"

#include <stdint.h>

struct lz_bus_txn;
struct tours;

/* A task's move to another status, as TaskStatusChanged says it. */
struct tours_change {
	int to;              /* the new status, TS_... */
	const char *tour_id; /* its tour from now on; NULL: unchanged */
	unsigned stop;       /* its stop in that tour */
	int reason;          /* RS_..., RS_NONE */
	const char *detail;  /* may be NULL */
	int order_status;    /* the order's next status, OS_...; 0: none */
	int64_t at;          /* seconds */
	const char *cause;   /* the type of the event that moves it */
};

/* Moves TASK as CH says (writing it, with its date index) and emits
 * TaskStatusChanged in TX, with the task's member as tenant and the driver
 * of its tour (the one it leaves, if it leaves one) as audience.  A delivery
 * coming back to pending from its tour (on board or failed) is ready
 * (ready_at) only once that tour is back at the hub, plus the handling
 * time: its return as reported; as planned when not reported yet, or
 * reported before the tour's planned departure (off the day's clock, as a
 * simulation's accelerated drivers report).  TASK's tour_id is restored
 * before returning (it may be an unpacked record); its status, reason and
 * ready_at keep their new values.  Returns 0 or a negative store error. */
int tours_task_change(struct tours *t, struct lz_bus_txn *tx, Task *task,
		      const struct tours_change *ch);

/* Records the new TASK as pending (counted as "created") because of an
 * event of type CAUSE at NOW (seconds).  The delivery of an order
 * collected at a producer (order status at hub) gets its ready_at, unless
 * set: the return of the tour that collected it (as above) plus the
 * handling time; NOW plus the handling when that tour is not known.  The
 * caller then offers it to the planned tours (tours_insert_late).  Returns
 * 0 or a negative store error. */
int tours_task_create(struct tours *t, struct lz_bus_txn *tx, Task *task,
		      int64_t now, const char *cause);

/* Writes TOUR with the driver bound to its vehicle on its date
 * (driver_id) and emits TourPlanned in TX, with that driver as audience.
 * TOUR's driver_id is restored before returning (it may be an unpacked
 * record or a plan's tour).  Returns 0 or a negative store error. */
int tours_tour_planned(struct tours *t, struct lz_bus_txn *tx, Tour *tour);

/* Emits MSG in TX with TENANT (may be NULL) and AUDIENCE (NULL or "":
 * none), the audience for this event only.  Returns 0 or a negative store
 * error. */
int tours_emit(struct lz_bus_txn *tx, const char *tenant, const char *audience,
	       const ProtobufCMessage *msg);

#endif
