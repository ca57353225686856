/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * wave.c -- planning a wave and inserting late tasks: gathers the pending
 * tasks of a date, the vehicles free for it and the sites both need, asks
 * plan.c for tours, and writes the whole plan in the caller's transaction
 * (the bus batch of the PlanWave command, or the cut-off timer's
 * lz_bus_write): a crash before the commit leaves no part of it.
 */
#include "wave.h"

#include "tasks.h"
#include "tours.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most tasks one wave takes (the rest wait, reason no_room). */
#define WAVE_MAX_TASKS 5000

/* Sites looked up once per wave. */
struct sites {
	Site **s;
	size_t n;
	MDB_txn *txn;
	const struct tours_db *db;
};

static int
site_get(struct sites *c, const char *id, const Site **out)
{
	Site *s;
	int rc;

	*out = NULL;
	if (id == NULL || id[0] == '\0')
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->s[i]->site_id, id) == 0) {
			*out = c->s[i];
			return 0;
		}
	if ((rc = tours_store_get_site(c->txn, c->db, id, &s)) != 0 ||
	    s == NULL)
		return rc;
	c->s = xrealloc(c->s, sizeof(*c->s) * (c->n + 1));
	c->s[c->n++] = s;
	*out = s;
	return 0;
}

static void
sites_release(struct sites *c)
{
	for (size_t i = 0; i < c->n; i++)
		lz__orders__v1__site__free_unpacked(c->s[i], NULL);
	free(c->s);
}

struct wave {
	struct tours *t;
	MDB_txn *txn;
	const char *date, *wave;
	int64_t midnight, now;
	int weekday;
	char **only;
	size_t nonly;
	const char *skip_tour; /* a late insertion ignores its own tour */
	Tour **tours;          /* existing tours of the date */
	size_t ntours;
	Vehicle **veh;
	size_t nveh;
	Task **tasks;
	size_t ntasks;
	struct sites sites;
};

static int
keep_tour(Tour *t, void *arg)
{
	struct wave *w = arg;

	w->tours = xrealloc(w->tours, sizeof(*w->tours) * (w->ntours + 1));
	w->tours[w->ntours++] = t;
	return 1;
}

static int
available(const Vehicle *v, const char *date, int weekday)
{
	int ok = v->n_weekdays == 0;

	for (size_t i = 0; i < v->n_weekdays; i++)
		if ((int)v->weekdays[i] == weekday)
			ok = 1;
	for (size_t i = 0; i < v->n_unavailable_dates; i++)
		if (strcmp(v->unavailable_dates[i], date) == 0)
			ok = 0;
	return ok;
}

static int
keep_vehicle(Vehicle *v, void *arg)
{
	struct wave *w = arg;
	int wanted = w->nonly == 0;
	char id[300];

	for (size_t i = 0; i < w->nonly; i++)
		if (strcmp(w->only[i], v->vehicle_id) == 0)
			wanted = 1;
	if (!wanted || !available(v, w->date, w->weekday))
		return 0;
	snprintf(id, sizeof(id), "%s/%s/%s", w->date, w->wave, v->vehicle_id);
	for (size_t i = 0; i < w->ntours; i++)
		if (strcmp(w->tours[i]->tour_id, id) == 0 &&
		    (w->skip_tour == NULL || strcmp(w->skip_tour, id) != 0))
			return 0; /* already has its tour in this wave */
	w->veh = xrealloc(w->veh, sizeof(*w->veh) * (w->nveh + 1));
	w->veh[w->nveh++] = v;
	return 1;
}

static int
keep_task(Task *t, void *arg)
{
	struct wave *w = arg;

	if ((t->status != TS_PENDING && t->status != TS_UNPLANNED) ||
	    w->ntasks >= WAVE_MAX_TASKS)
		return 0;
	w->tasks = xrealloc(w->tasks, sizeof(*w->tasks) * (w->ntasks + 1));
	w->tasks[w->ntasks++] = t;
	return 1;
}

static void
wave_release(struct wave *w)
{
	for (size_t i = 0; i < w->ntours; i++)
		lz__tours__v1__tour__free_unpacked(w->tours[i], NULL);
	for (size_t i = 0; i < w->nveh; i++)
		lz__tours__v1__vehicle__free_unpacked(w->veh[i], NULL);
	for (size_t i = 0; i < w->ntasks; i++)
		lz__tours__v1__task__free_unpacked(w->tasks[i], NULL);
	free(w->tours);
	free(w->veh);
	free(w->tasks);
	sites_release(&w->sites);
}

/* The vehicles of W as the planner wants them: hub, absolute shift, not
 * before NOW nor before the end of the vehicle's other tours that day. */
static int
pvehicles(struct wave *w, struct tours_pvehicle *pv)
{
	int rc = 0;

	for (size_t i = 0; i < w->nveh && rc == 0; i++) {
		const Vehicle *v = w->veh[i];
		int64_t start = w->midnight + v->shift_start;

		pv[i].v = v;
		rc = site_get(&w->sites, v->home_hub_site_id, &pv[i].hub);
		if (start < w->now)
			start = w->now;
		for (size_t k = 0; k < w->ntours; k++) {
			const Tour *tr = w->tours[k];

			if (strcmp(tr->vehicle_id, v->vehicle_id) != 0 ||
			    (w->skip_tour &&
			     strcmp(tr->tour_id, w->skip_tour) == 0))
				continue;
			if (tr->end > start)
				start = tr->end;
		}
		pv[i].shift_start = start;
		pv[i].shift_end = w->midnight + v->shift_end;
	}
	return rc;
}

static int
ptasks(struct wave *w, Task **tasks, size_t n, struct tours_ptask *pt)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		memset(&pt[i], 0, sizeof(pt[i]));
		pt[i].task = tasks[i];
		rc = site_get(&w->sites, tasks[i]->site_id, &pt[i].site);
		if (rc == 0 && tasks[i]->destination_site_id &&
		    tasks[i]->destination_site_id[0])
			rc = site_get(&w->sites, tasks[i]->destination_site_id,
				      &pt[i].dest);
	}
	return rc;
}

static int
stat(struct tours *t, MDB_txn *txn, const char *name, int64_t n)
{
	return n ? tours_store_stat_add(txn, &t->db, name, n) : 0;
}

static int
put_last_solve(struct tours *t, MDB_txn *txn, double s)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.6f", s);
	return tours_store_meta_put(txn, &t->db, "last_solve_s", buf);
}

/* The order status a task's planning moves its order to. */
static int
planned_order_status(const Task *task)
{
	if (task->order_id == NULL || task->order_id[0] == '\0' ||
	    task->attempts > 0)
		return 0;
	if (task->kind == TK_PICKUP)
		return OS_PLANNED;
	if ((task->kind == TK_DELIVERY || task->kind == TK_RELAY) &&
	    task->order_status == OS_CONFIRMED)
		return OS_PLANNED;
	return 0;
}

int
tours_plan_wave(struct tours *t, struct lz_bus_txn *tx, const char *date,
		const char *wave, char **vehicle_ids, size_t n_vehicle_ids,
		int64_t now, const char *cause)
{
	Lz__Tours__V1__WavePlanned wp = LZ__TOURS__V1__WAVE_PLANNED__INIT;
	struct wave w;
	struct tours_pvehicle *pv = NULL;
	struct tours_ptask *pt = NULL;
	struct tours_plan plan;
	char prefix[64], count[32], plan_id[128];
	int64_t t0 = lz_mono_us();
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&plan, 0, sizeof(plan));
	w.t = t;
	w.txn = lz_bus_mdb(tx);
	w.date = date;
	w.wave = wave;
	w.now = now;
	w.only = vehicle_ids;
	w.nonly = n_vehicle_ids;
	w.sites.txn = w.txn;
	w.sites.db = &t->db;
	if (lz_date_midnight(date, &w.midnight, &w.weekday) != 0)
		return 0; /* checked by the caller */
	snprintf(prefix, sizeof(prefix), "%s/", date);
	if ((rc = tours_store_tours_of(w.txn, &t->db, prefix, keep_tour, &w)) ||
	    (rc = tours_store_vehicles(w.txn, &t->db, keep_vehicle, &w)) ||
	    (rc = tours_store_tasks_of(w.txn, &t->db, date, keep_task, &w)))
		goto out;
	pv = xcalloc(w.nveh + 1, sizeof(*pv));
	pt = xcalloc(w.ntasks + 1, sizeof(*pt));
	if ((rc = pvehicles(&w, pv)) ||
	    (rc = ptasks(&w, w.tasks, w.ntasks, pt)))
		goto out;
	if ((rc = tours_store_meta_get(w.txn, &t->db, "plan", count,
				       sizeof(count))) != 0)
		goto out;
	snprintf(count, sizeof(count), "%lld", atoll(count) + 1);
	if ((rc = tours_store_meta_put(w.txn, &t->db, "plan", count)) != 0)
		goto out;
	snprintf(plan_id, sizeof(plan_id), "%s/%s/%s", date, wave, count);
	rc = tours_plan_solve(&t->conf, pt, w.ntasks, pv, w.nveh, date, wave,
			      plan_id, &plan);
	if (rc != 0) {
		/* A problem the engine refuses is a bug here, not input:
		 * plan nothing, say why, go on. */
		lz_log_error("cannot build the routing problem",
			     "date=%s wave=%s error=\"%s\"", date, wave,
			     lz_route_strerror(rc));
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < plan.ntours && rc == 0; i++)
		rc = tours_tour_planned(t, tx, plan.tours[i]);
	for (size_t i = 0; i < w.ntasks && rc == 0; i++) {
		const struct tours_ptask *p = &pt[i];

		if (p->reason == RS_NONE) {
			const Tour *tr = plan.tours[p->tour];

			rc = tours_task_change(
				t, tx, w.tasks[i],
				&(struct tours_change){
					.to = TS_PLANNED,
					.tour_id = tr->tour_id,
					.stop = (unsigned)p->stop,
					.order_status = planned_order_status(
						w.tasks[i]),
					.at = now,
					.cause = cause});
		} else {
			char name[64];

			snprintf(name, sizeof(name), "unplanned/%s",
				 tours_reason_name(p->reason));
			rc = stat(t, w.txn, name, 1);
			if (rc == 0)
				rc = tours_task_change(
					t, tx, w.tasks[i],
					&(struct tours_change){
						.to = TS_UNPLANNED,
						.reason = p->reason,
						.at = now,
						.cause = cause});
		}
	}
	if (rc == 0 && ((rc = stat(t, w.txn, "planned", plan.planned)) ||
			(rc = stat(t, w.txn, "waves", 1)) ||
			(rc = stat(t, w.txn, "tours", (int64_t)plan.ntours)) ||
			(rc = stat(t, w.txn, "distance_m", plan.distance_m)) ||
			(rc = stat(t, w.txn, "solve_us",
				   (int64_t)(plan.solve_s * 1e6) + 1)) ||
			(rc = put_last_solve(t, w.txn, plan.solve_s)) != 0))
		goto out;
	wp.plan_id = plan_id;
	wp.date = (char *)date;
	wp.wave = (char *)wave;
	wp.tours = (uint32_t)plan.ntours;
	wp.tasks_planned = (uint32_t)plan.planned;
	wp.tasks_unplanned = (uint32_t)plan.unplanned;
	wp.distance_m = plan.distance_m;
	wp.solve_ms = (int64_t)(plan.solve_s * 1000);
	wp.iterations = plan.iterations;
	if ((rc = lz_bus_emit(tx, NULL, &wp.base)) != 0)
		goto out;
	lz_log_info("wave planned",
		    "plan=%s tours=%zu planned=%d unplanned=%d km=%.1f "
		    "solve_ms=%.0f total_ms=%.0f",
		    plan_id, plan.ntours, plan.planned, plan.unplanned,
		    plan.distance_m / 1000.0, plan.solve_s * 1000,
		    (lz_mono_us() - t0) / 1000.0);
out:
	tours_plan_release(&plan);
	free(pv);
	free(pt);
	wave_release(&w);
	return rc;
}

/* ---- late insertion ---- */

static int
tour_tasks(struct wave *w, const Tour *tr, Task ***out, size_t *n)
{
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (size_t s = 0; s < tr->n_stops && rc == 0; s++)
		for (size_t k = 0; k < tr->stops[s]->n_task_ids && rc == 0;
		     k++) {
			Task *tk;
			int dup = 0;

			for (size_t j = 0; j < *n; j++)
				if (strcmp((*out)[j]->task_id,
					   tr->stops[s]->task_ids[k]) == 0)
					dup = 1;
			if (dup)
				continue;
			rc = tours_store_get_task(w->txn, &w->t->db,
						  tr->stops[s]->task_ids[k],
						  &tk);
			if (rc != 0 || tk == NULL)
				continue;
			if (tk->status == TS_CANCELLED) {
				lz__tours__v1__task__free_unpacked(tk, NULL);
				continue;
			}
			*out = xrealloc(*out, sizeof(**out) * (*n + 2));
			(*out)[(*n)++] = tk;
		}
	return rc;
}

int
tours_insert_late(struct tours *t, struct lz_bus_txn *tx, Task *task,
		  int64_t now, const char *cause)
{
	struct wave w;
	struct tours_conf conf = t->conf;
	Tour *best = NULL;
	int64_t best_extra = INT64_MAX;
	char prefix[64];
	int rc;

	if (task->date == NULL || !lz_date_valid(task->date))
		return 0;
	memset(&w, 0, sizeof(w));
	w.t = t;
	w.txn = lz_bus_mdb(tx);
	w.date = task->date;
	w.now = now;
	w.sites.txn = w.txn;
	w.sites.db = &t->db;
	if (lz_date_midnight(task->date, &w.midnight, &w.weekday) != 0)
		return 0;
	snprintf(prefix, sizeof(prefix), "%s/", task->date);
	if ((rc = tours_store_tours_of(w.txn, &t->db, prefix, keep_tour, &w)))
		goto out;
	conf.time_limit = 0;
	conf.iterations = t->insert_iterations;
	for (size_t i = 0; i < w.ntours && rc == 0; i++) {
		const Tour *tr = w.tours[i];
		struct tours_pvehicle pv;
		struct tours_ptask *pt;
		struct tours_plan plan;
		Task **tasks;
		Vehicle *v;
		size_t n;

		if (tr->status != TOUR_PLANNED)
			continue;
		if ((rc = tours_store_get_vehicle(w.txn, &t->db, tr->vehicle_id,
						  &v)) != 0 ||
		    v == NULL)
			continue;
		w.veh = xrealloc(w.veh, sizeof(*w.veh) * (w.nveh + 1));
		w.veh[w.nveh++] = v;
		w.skip_tour = tr->tour_id;
		memset(&pv, 0, sizeof(pv));
		{
			struct wave one = w;

			one.veh = &v;
			one.nveh = 1;
			rc = pvehicles(&one, &pv);
			w.sites = one.sites;
		}
		if (rc != 0 || (rc = tour_tasks(&w, tr, &tasks, &n)) != 0)
			break;
		tasks = xrealloc(tasks, sizeof(*tasks) * (n + 1));
		tasks[n] = task;
		pt = xcalloc(n + 1, sizeof(*pt));
		if ((rc = ptasks(&w, tasks, n + 1, pt)) == 0 &&
		    tours_plan_solve(&conf, pt, n + 1, &pv, 1, tr->date,
				     tr->wave, tr->plan_id, &plan) == 0) {
			if (plan.unplanned == 0 && plan.ntours == 1 &&
			    plan.tours[0]->distance_m - tr->distance_m <
				    best_extra) {
				best_extra = plan.tours[0]->distance_m -
					     tr->distance_m;
				tours_tour_free(best);
				best = plan.tours[0];
				best->revision = tr->revision + 1;
				plan.tours[0] = NULL;
				plan.ntours = 0;
			}
			tours_plan_release(&plan);
		}
		for (size_t k = 0; k < n; k++)
			lz__tours__v1__task__free_unpacked(tasks[k], NULL);
		free(tasks);
		free(pt);
	}
	if (rc == 0 && best) {
		unsigned stop = 0;

		for (size_t s = 0; s < best->n_stops; s++)
			for (size_t k = 0; k < best->stops[s]->n_task_ids; k++)
				if (strcmp(best->stops[s]->task_ids[k],
					   task->task_id) == 0)
					stop = (unsigned)s;
		if ((rc = tours_tour_planned(t, tx, best)) == 0 &&
		    (rc = stat(t, w.txn, "inserted", 1)) == 0)
			rc = tours_task_change(
				t, tx, task,
				&(struct tours_change){
					.to = TS_PLANNED,
					.tour_id = best->tour_id,
					.stop = stop,
					.detail = "late insertion",
					.order_status =
						planned_order_status(task),
					.at = now,
					.cause = cause});
	}
out:
	tours_tour_free(best);
	wave_release(&w);
	return rc;
}

/* ---- the cut-off ---- */

struct cutoff {
	struct tours *t;
	char date[11];
	int64_t now;
};

static int
cutoff_fn(struct lz_bus_txn *tx, void *arg)
{
	struct cutoff *co = arg;
	char key[40], done[16];
	int rc;

	snprintf(key, sizeof(key), "auto/%s", co->date);
	if ((rc = tours_store_meta_get(lz_bus_mdb(tx), &co->t->db, key, done,
				       sizeof(done))) != 0 ||
	    done[0] != '\0')
		return rc;
	if ((rc = tours_store_meta_put(lz_bus_mdb(tx), &co->t->db, key, "1")))
		return rc;
	return tours_plan_wave(co->t, tx, co->date, co->t->cutoff_wave, NULL, 0,
			       co->now, "cutoff");
}

void
tours_wave_cutoff(void *arg)
{
	struct tours *t = arg;
	struct cutoff co = {t, "", lz_now_us() / 1000000};
	int64_t midnight;
	char today[11], why[128];
	int rc;

	if (t->cutoff < 0 || lz_date_local(co.now, today) != 0 ||
	    lz_date_midnight(today, &midnight, NULL) != 0 ||
	    co.now - midnight < t->cutoff)
		return;
	/* Not before every followed source is applied: after a restart the
	 * inbox may be behind, and a wave planned then would miss tasks. */
	if (!lz_bus_ready(t->bus, why, sizeof(why))) {
		lz_log_info("cut-off planning waits", "reason=\"%s\"", why);
		return;
	}
	/* The next day: a day and a half ahead of midnight is always in it
	 * (23- and 25-hour days included). */
	if (lz_date_local(midnight + 36 * 3600, co.date) != 0)
		return;
	if ((rc = lz_bus_write(t->bus, cutoff_fn, &co)) != 0)
		lz_log_error("cut-off planning failed", "date=%s error=\"%s\"",
			     co.date, lz_store_strerror(rc));
	/* A write outside a batch runs no on_commit hook. */
	lz_service_sync_metrics(&t->svc);
}
