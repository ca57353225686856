/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * wave.h -- planning a wave (the operator's PlanWave, or the daily
 * cut-off) and inserting a late task into a tour already planned.  Both
 * write in the caller's transaction: a crash before the commit leaves no
 * part of a plan.
 */
#ifndef TOURS_WAVE_H
#define TOURS_WAVE_H

#include "codec.h"

#include <stddef.h>
#include <stdint.h>

struct lz_bus_txn;
struct tours;

/* Plans the wave WAVE of local date DATE in TX at time NOW (seconds), as
 * the operator's PlanWave or the automatic cut-off does: every pending task
 * of the date, the vehicles available and not yet used in this date and
 * wave (only VEHICLE_IDS when N_VEHICLE_IDS > 0).  Emits TourPlanned per
 * tour, TaskStatusChanged per task and WavePlanned, all in TX; CAUSE is
 * the type of the event that asked for it ("cutoff" for the timer).
 * Returns 0, or a negative store error. */
int tours_plan_wave(struct tours *t, struct lz_bus_txn *tx, const char *date,
		    const char *wave, char **vehicle_ids, size_t n_vehicle_ids,
		    int64_t now, const char *cause);

/* Tries to insert the new TASK into a tour of its date that has not
 * started (the one it lengthens least); on success re-emits that tour
 * (revision + 1) and moves TASK to planned.  Returns 0 (inserted or not)
 * or a negative store error. */
int tours_insert_late(struct tours *t, struct lz_bus_txn *tx, Task *task,
		      int64_t now, const char *cause);

/* The cut-off timer's callback (ARG is a struct tours): once a day, after
 * T->cutoff seconds past local midnight and once every followed source is
 * applied, plans the next day's wave T->cutoff_wave in its own write
 * (once: remembered in the store), then refreshes the metrics.  Logs a
 * failure; the next tick tries again. */
void tours_wave_cutoff(void *arg);

#endif
