/*
 * tasks.c -- see tasks.h.
 */
#include "tasks.h"

#include "lz_bus.h"
#include "tours.h"

int
tours_task_change(struct tours *t, struct lz_bus_txn *tx, Task *task,
		  const struct tours_change *ch)
{
	Lz__Tours__V1__TaskStatusChanged ev =
		LZ__TOURS__V1__TASK_STATUS_CHANGED__INIT;
	char *old_tour = task->tour_id;
	int from = (int)task->status, rc;

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
	rc = lz_bus_emit(tx,
			 task->member_id && task->member_id[0] ? task->member_id
							       : NULL,
			 &ev.base);
out:
	task->tour_id = old_tour;
	return rc;
}

int
tours_task_create(struct tours *t, struct lz_bus_txn *tx, Task *task,
		  int64_t now, const char *cause)
{
	int rc = tours_store_stat_add(lz_bus_mdb(tx), &t->db, "created", 1);

	if (rc != 0)
		return rc;
	return tours_task_change(t, tx, task,
				 &(struct tours_change){.to = TS_PENDING,
							.detail = "created",
							.at = now,
							.cause = cause});
}
