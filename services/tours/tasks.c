/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tasks.c -- see tasks.h.
 */
#include "tasks.h"

#include "lz_bus.h"
#include "lz_store.h"
#include "lz_util.h"
#include "tours.h"

#include <stdio.h>
#include <string.h>

/* Whether TASK takes goods from the hub (a delivery, to its site or to the
 * bike relay). */
static int
from_hub(const Task *task)
{
	return task->kind == TK_DELIVERY || task->kind == TK_RELAY;
}

/* When goods that tour TOUR_ID brings back to the hub are ready for
 * another tour, into *READY: its return plus the handling time.  The
 * return is the reported one (TourCompleted), unless that report is not
 * on the day's clock -- before the tour's planned departure, as the
 * accelerated drivers of a simulated day report -- or missing: then the
 * planned one.  *READY is 0 when the tour is unknown. */
static int
back_at_hub(struct tours *t, MDB_txn *txn, const char *tour_id, int64_t *ready)
{
	Tour *tour = NULL;
	int64_t back;
	int rc;

	*ready = 0;
	if (tour_id == NULL || tour_id[0] == '\0')
		return 0;
	if ((rc = tours_store_get_tour(txn, &t->db, tour_id, &tour)) != 0 ||
	    tour == NULL)
		return rc;
	back = tour->completed_at > 0 && tour->completed_at >= tour->start
		       ? tour->completed_at
		       : tour->end;
	if (back > 0)
		*ready = back + t->conf.handling_s;
	lz__tours__v1__tour__free_unpacked(tour, NULL);
	return 0;
}

/* The ready time of new delivery TASK of an order collected at a
 * producer (the order at the hub): when its pickup's tour is back, plus
 * the handling; NOW plus the handling when that tour is not known. */
static int
ready_of_new(struct tours *t, MDB_txn *txn, Task *task, int64_t now)
{
	Task *pick = NULL;
	char id[300];
	int rc;

	if (!from_hub(task) || task->order_status != OS_AT_HUB ||
	    task->order_id == NULL || task->order_id[0] == '\0')
		return 0;
	snprintf(id, sizeof(id), "pick:%s", task->order_id);
	if ((rc = tours_store_get_task(txn, &t->db, id, &pick)) != 0)
		return rc;
	rc = back_at_hub(t, txn, pick ? pick->tour_id : NULL, &task->ready_at);
	if (rc == 0 && task->ready_at == 0)
		task->ready_at = now + t->conf.handling_s;
	if (pick)
		lz__tours__v1__task__free_unpacked(pick, NULL);
	return rc;
}

int
tours_emit(struct lz_bus_txn *tx, const char *tenant, const char *audience,
	   const ProtobufCMessage *msg)
{
	int rc;

	lz_bus_txn_set_audience(tx, audience);
	rc = lz_bus_emit(tx, tenant, msg);
	lz_bus_txn_set_audience(tx, NULL);
	return rc;
}

int
tours_tour_planned(struct tours *t, struct lz_bus_txn *tx, Tour *tour)
{
	Lz__Tours__V1__TourPlanned ev = LZ__TOURS__V1__TOUR_PLANNED__INIT;
	char driver[LZ_ID_MAX + 1], *old = tour->driver_id;
	int rc = tours_store_get_driver(lz_bus_mdb(tx), &t->db, tour->date,
					tour->vehicle_id, driver,
					sizeof(driver));

	if (rc != 0)
		return rc;
	tour->driver_id = driver;
	rc = lz_store_put_msg(lz_bus_mdb(tx), t->db.tours, tour->tour_id,
			      &tour->base);
	ev.tour = tour;
	if (rc == 0)
		rc = tours_emit(tx, NULL, driver, &ev.base);
	tour->driver_id = old;
	return rc;
}

int
tours_task_change(struct tours *t, struct lz_bus_txn *tx, Task *task,
		  const struct tours_change *ch)
{
	Lz__Tours__V1__TaskStatusChanged ev =
		LZ__TOURS__V1__TASK_STATUS_CHANGED__INIT;
	char *old_tour = task->tour_id, driver[LZ_ID_MAX + 1];
	int from = (int)task->status, rc;

	/* A delivery back from its tour (failed, or never reported) is on
	 * the van until it is back at the hub. */
	if (ch->to == TS_PENDING && from_hub(task) &&
	    (from == TS_ON_BOARD || from == TS_FAILED)) {
		int64_t back;

		if ((rc = back_at_hub(t, lz_bus_mdb(tx), task->tour_id,
				      &back)) != 0)
			return rc;
		if (back > task->ready_at)
			task->ready_at = back;
	}
	task->status = (Lz__Tours__V1__TaskStatus)ch->to;
	task->reason = (Lz__Tours__V1__Reason)ch->reason;
	if (ch->tour_id)
		task->tour_id = (char *)ch->tour_id;
	if ((rc = tours_store_put_task(lz_bus_mdb(tx), &t->db, task, NULL)))
		goto out;
	ev.task = task;
	ev.from = (Lz__Tours__V1__TaskStatus)from;
	ev.to = (Lz__Tours__V1__TaskStatus)ch->to;
	ev.tour_id = task->tour_id ? task->tour_id : "";
	ev.stop_index = ch->stop;
	ev.reason = (Lz__Tours__V1__Reason)ch->reason;
	ev.detail = (char *)(ch->detail ? ch->detail : "");
	ev.order_status = (uint32_t)ch->order_status;
	ev.at = ch->at;
	ev.cause = (char *)(ch->cause ? ch->cause : "");
	/* The driver of the tour it is in, or of the one it leaves. */
	if ((rc = tours_store_driver_of_tour(lz_bus_mdb(tx), &t->db,
					     task->tour_id && task->tour_id[0]
						     ? task->tour_id
						     : old_tour,
					     driver, sizeof(driver))) != 0)
		goto out;
	rc = tours_emit(tx,
			task->member_id && task->member_id[0] ? task->member_id
							      : NULL,
			driver, &ev.base);
out:
	task->tour_id = old_tour;
	return rc;
}

int
tours_task_create(struct tours *t, struct lz_bus_txn *tx, Task *task,
		  int64_t now, const char *cause)
{
	int rc = tours_store_stat_add(lz_bus_mdb(tx), &t->db, "created", 1);

	if (rc == 0 && task->ready_at == 0)
		rc = ready_of_new(t, lz_bus_mdb(tx), task, now);
	if (rc != 0)
		return rc;
	return tours_task_change(t, tx, task,
				 &(struct tours_change){.to = TS_PENDING,
							.detail = "created",
							.at = now,
							.cause = cause});
}
