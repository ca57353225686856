/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bikes.c -- the riders of the bike relay, played through the gateway as
 * their phones would: shifts, runs started, parcels delivered or failed,
 * pickups collected, runs completed.  The runs are lz-bikes' own plan,
 * read from its read model; the simulator only follows it.
 */
#include "play.h"

#include "lz_client.h"
#include "lz_date.h"
#include "lz_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Rounds of re-planning ridden at most: a failed delivery goes back to
 * the relay and into a later run, a second failure fails the order. */
#define ROUNDS_MAX 6

static const struct {
	const char *rider, *name, *bike, *bike_name;
	uint32_t kg, litres;
	int insulated, trailer;
} riders[] = {
	{"rider-1", "Samia (parcours d'insertion)", "velo-isotherme-1",
	 "Triporteur isotherme", 150, 500, 1, 0},
	{"rider-2", "Karim (parcours d'insertion)", "velo-remorque-1",
	 "Biporteur avec remorque", 250, 900, 0, 1},
};

int
sim_bikes_register(struct sim_run *r)
{
	int bad = 0;

	for (size_t i = 0; i < LZ_ARRAY_LEN(riders) && !bad; i++) {
		bad |= sim_submit(r, "operator", "lz.bikes.v1.RegisterRider",
				  json_pack("{s:{s:s,s:s}}", "rider", "riderId",
					    riders[i].rider, "name",
					    riders[i].name)) < 0;
		bad |= sim_submit(r, "operator", "lz.bikes.v1.RegisterBike",
				  json_pack("{s:{s:s,s:s,s:I,s:I,s:b,s:b}}",
					    "bike", "bikeId", riders[i].bike,
					    "name", riders[i].bike_name,
					    "capacityGrams",
					    (json_int_t)riders[i].kg * 1000,
					    "capacityMillilitres",
					    (json_int_t)riders[i].litres * 1000,
					    "insulated", riders[i].insulated,
					    "trailer", riders[i].trailer)) < 0;
	}
	sim_say(r, "bike relay: %zu riders, %zu cargo bikes\n",
		LZ_ARRAY_LEN(riders), LZ_ARRAY_LEN(riders));
	return bad ? -1 : 0;
}

/* Appends to OUT the runs of DATE still planned (not started). */
static int
planned_runs(const struct sim_run *r, const char *date, json_t *out)
{
	char path[64], err[256];
	json_t *l, *run;
	size_t i;

	snprintf(path, sizeof(path), "/v1/runs/%s", date);
	if ((l = lz_client_get_json(r->api.bikes, path, 5000, err,
				    sizeof(err))) == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	json_array_foreach(json_object_get(l, "runs"), i, run)
	{
		const char *st =
			json_string_value(json_object_get(run, "status"));

		if (st && strcmp(st, "RUN_STATUS_PLANNED") == 0)
			json_array_append(out, run);
	}
	json_decref(l);
	return 0;
}

/* Keeps the first planned run of each rider (a later one may change when
 * this one ends). */
static json_t *
first_runs(const json_t *runs)
{
	json_t *out = json_array(), *run, *o;
	size_t i, k;

	json_array_foreach(runs, i, run)
	{
		const char *rider =
			json_string_value(json_object_get(run, "riderId"));
		int replaced = 0;

		json_array_foreach(out, k, o)
		{
			if (strcmp(json_string_value(
					   json_object_get(o, "riderId")),
				   rider ? rider : "") != 0)
				continue;
			if (sim_jint(run, "start") < sim_jint(o, "start"))
				json_array_set(out, k, run);
			replaced = 1;
		}
		if (!replaced && rider)
			json_array_append(out, run);
	}
	return out;
}

static const char *const fail_name[] = {"", "FAIL_REASON_CLOSED",
					"FAIL_REASON_ABSENT"};

/* The rider's reports at one visit: each parcel delivered (empties
 * back, sometimes) or failed, each pickup collected. */
static int
visit(struct sim_run *r, const char *rider, const char *run_id,
      const json_t *stop, unsigned index, int64_t at, size_t *done,
      size_t *failed)
{
	int why = sim_stop_fails(r->seed, run_id, index, r->failure_permille);
	unsigned empties =
		why ? 0
		    : sim_jars_back(r,
				    json_string_value(
					    json_object_get(stop, "siteId")),
				    json_object_get(stop, "parcelIds"), NULL,
				    sim_stop_empties(r->seed, run_id, index));
	const json_t *id;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(stop, "parcelIds"), i, id)
	{
		const char *pid = json_string_value(id);
		json_t *p;

		if (why) {
			(*failed)++;
			sim_say(r, "  %s: %s at %s failed (%s)\n", run_id, pid,
				json_string_value(
					json_object_get(stop, "siteId")),
				why == 1 ? "closed" : "absent");
			p = json_pack("{s:s,s:s}", "parcelId", pid, "reason",
				      fail_name[why]);
			rc = sim_report(r, rider, "lz.bikes.v1.FailParcel", p,
					at);
		} else {
			(*done)++;
			p = json_pack("{s:s}", "parcelId", pid);
			if (empties && r->api.returns && r->api.returns[0])
				json_object_set_new(
					p, "containersCollected",
					json_pack(
						"[{s:s,s:I}]", "containerType",
						r->t.containers[0].id, "count",
						(json_int_t)empties));
			empties = 0;
			rc = sim_report(r, rider, "lz.bikes.v1.DeliverParcel",
					p, at);
		}
		if (rc < 0)
			return -1;
	}
	json_array_foreach(json_object_get(stop, "requestIds"), i, id)
	{
		rc = sim_report(
			r, rider, "lz.bikes.v1.CollectPickup",
			json_pack("{s:s}", "requestId", json_string_value(id)),
			at);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Rides RUNS together on the accelerated clock. */
static int
ride(struct sim_run *r, const json_t *runs, size_t *done, size_t *failed)
{
	size_t n = json_array_size(runs), n_steps, i;
	struct sim_tour_plan *plans = xcalloc(n ? n : 1, sizeof(*plans));
	int64_t **times = xcalloc(n ? n : 1, sizeof(*times));
	struct sim_step *steps;
	json_t *run;
	int rc = 0;

	json_array_foreach(runs, i, run)
	{
		json_t *stops = json_object_get(run, "stops"), *s;
		size_t k, ns = json_array_size(stops);

		times[i] = xcalloc(2 * (ns ? ns : 1), sizeof(int64_t));
		json_array_foreach(stops, k, s)
		{
			times[i][k] = sim_jint(s, "arrival");
			times[i][ns + k] = sim_jint(s, "departure");
		}
		plans[i] = (struct sim_tour_plan){
			sim_jint(run, "start"), sim_jint(run, "end"), times[i],
			times[i] + ns, (unsigned)ns};
	}
	steps = sim_timeline(plans, n, &n_steps);
	for (size_t s = 0; s < n_steps && rc >= 0 && !sim_stopping; s++) {
		const struct sim_step *st = &steps[s];
		const json_t *rn = json_array_get(runs, (size_t)st->tour);
		const char *id =
			json_string_value(json_object_get(rn, "runId"));
		const char *rider =
			json_string_value(json_object_get(rn, "riderId"));

		if (s > 0)
			sim_nap_ms(sim_sleep_ms(steps[s - 1].at, st->at,
						r->speed, 2000));
		switch (st->act) {
		case SIM_ACT_START:
			sim_say(r,
				"  %s leaves the relay (%u visits, %.1f km)\n",
				id,
				(unsigned)json_array_size(
					json_object_get(rn, "stops")) -
					2,
				(double)sim_jint(rn, "distanceM") / 1000.0);
			rc = sim_report(r, rider, "lz.bikes.v1.StartRun",
					json_pack("{s:s}", "runId", id),
					st->at);
			break;
		case SIM_ACT_DONE:
			rc = visit(r, rider, id,
				   json_array_get(json_object_get(rn, "stops"),
						  st->stop),
				   st->stop, st->at, done, failed);
			break;
		case SIM_ACT_END:
			rc = sim_report(r, rider, "lz.bikes.v1.CompleteRun",
					json_pack("{s:s}", "runId", id),
					st->at);
			break;
		default:
			break;
		}
		rc = rc > 0 ? 0 : rc; /* a refusal is counted, not fatal */
	}
	free(steps);
	for (i = 0; i < n; i++)
		free(times[i]);
	free(times);
	free(plans);
	return sim_stopping ? -1 : rc;
}

/* Declares the riders' shifts of DATE from their schedule, 09:00 to
 * 19:00 local (the phones report in real time, ahead of the played
 * day: lz-bikes plans the runs from the declared start). */
static int
start_shifts(struct sim_run *r, int64_t midnight)
{
	int64_t now = (int64_t)time(NULL), start = midnight + 9 * 3600;

	if (start < now)
		start = now;
	for (size_t i = 0; i < LZ_ARRAY_LEN(riders); i++)
		if (sim_submit(
			    r, riders[i].rider, "lz.bikes.v1.StartShift",
			    json_pack("{s:s,s:I,s:I}", "bikeId", riders[i].bike,
				      "start", (json_int_t)start, "end",
				      (json_int_t)(midnight + 19 * 3600))) < 0)
			return -1;
	r->on_shift = 1;
	return 0;
}

int
sim_bikes_ride(struct sim_run *r, const char *date)
{
	char today[11];
	int64_t midnight;
	size_t done = 0, failed = 0, rode = 0;

	if (lz_date_midnight(date, &midnight, NULL) < 0 ||
	    lz_date_local((int64_t)time(NULL), today) < 0)
		return -1;
	if (!r->on_shift && start_shifts(r, midnight) < 0)
		return -1;
	for (int round = 0; round < ROUNDS_MAX && !sim_stopping; round++) {
		json_t *all = json_array(), *first;
		int rc;

		if (sim_settle(r) < 0 ||
		    (strcmp(today, date) && planned_runs(r, today, all) < 0) ||
		    planned_runs(r, date, all) < 0) {
			json_decref(all);
			return -1;
		}
		first = first_runs(all);
		json_decref(all);
		if (json_array_size(first) == 0) {
			json_decref(first);
			break;
		}
		rode += json_array_size(first);
		rc = ride(r, first, &done, &failed);
		json_decref(first);
		if (rc < 0)
			return -1;
	}
	sim_say(r,
		"  bikes: %zu runs ridden, %zu parcels delivered, %zu "
		"failed\n",
		rode, done, failed);
	return sim_settle(r);
}

int
sim_bikes_end(struct sim_run *r)
{
	for (size_t i = 0; i < LZ_ARRAY_LEN(riders) && r->on_shift; i++)
		if (sim_submit(r, riders[i].rider, "lz.bikes.v1.EndShift",
			       json_pack("{s:s}", "note", "fin de tournee")) <
		    0)
			return -1;
	r->on_shift = 0;
	return sim_settle(r);
}
