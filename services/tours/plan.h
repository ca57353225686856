/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * plan.h -- the pure part of the tours service: dates in local time, the
 * tasks an order or a collection request needs, the vehicle-routing problem
 * of a wave, the tours made of its solution, fill rates and GeoJSON.
 *
 * No LMDB, no sockets: everything here is tested in tests/unit/test_tours.c
 * and used by the daemon's handlers and by the benchmark.
 */
#ifndef TOURS_PLAN_H
#define TOURS_PLAN_H

#include "codec.h"
#include "lz_date.h"
#include "lz_route.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct tours_matrix;

/* Planning settings (from the [tours] configuration). */
struct tours_conf {
	double circuity; /* road distance / great-circle distance */
	/* Vans' travel times: one speed for every leg when speed_van > 0,
	 * else the speed model (lz_route_problem_set_speed_model): a leg of
	 * d metres takes d / urban speed up to van_urban_m, the rest at road
	 * speed.  Metres per second, metres. */
	double speed_van;
	double van_urban_speed, van_road_speed, van_urban_m;
	double speed_bike;       /* metres per second, every leg */
	const char *bike_zone;   /* site zone served from the bike relay */
	int64_t bike_wave_start; /* seconds after local midnight: the relay
				    must be supplied before */
	int setup_s;             /* seconds once per visit: parking, access */
	int service_s;           /* seconds per task at a stop */
	int relay_service_s;     /* seconds per drop at the bike relay */
	int handling_s;          /* seconds from goods back at the hub to goods
				ready for another tour */
	int merge_stops; /* 1: consecutive visits of a route at one site with
			    intersecting windows are one Stop; 0: one Stop
			    per routing job (the benchmark's "before") */
	int group_overlap_s;       /* tasks at one site whose windows share at
				least this long are one routing job (one
				visit); < 0: a job per task */
	int repair_revisits;       /* 1: a tour that comes back to a site is
				    planned again on its vehicle alone */
	int64_t repair_iterations; /* solver iterations of that */
	double time_limit;         /* solver wall clock, seconds; <= 0 none */
	int64_t iterations;        /* solver iterations; <= 0 none */
	uint64_t seed;
	const struct tours_matrix *matrix; /* operator's matrix, or NULL */
};

/* Sets defaults: circuity 1.35, vans on the speed model (20 km/h up to
 * 5 km, 60 km/h beyond), bike 15 km/h, zone "centre", bike wave at 10:00,
 * 120 s of setup per visit, 180 s of service per task and 480 s per relay
 * drop, 1800 s of handling, stops merged, tasks at one site grouped when
 * their windows share an hour, revisits repaired (300 iterations), 2 s, 0
 * iterations, seed 1, no matrix. */
void tours_conf_init(struct tours_conf *c);

/* Seconds a leg of METRES takes for PROFILE under C (the van's speed or
 * speed model, the bike's speed), as in the routing problem of
 * tours_vrp_build() wherever the operator's matrix has no entry. */
double tours_leg_seconds(const struct tours_conf *c,
			 enum lz_route_profile profile, double metres);

/*
 * The date a failed task is planned again, and its window there: the day
 * after the later of DATE (the task's date) and the local date of NOW (the
 * failure), so that the next day's wave picks it up.  A window still open
 * on that day is kept; one that closed before it is moved by whole days,
 * keeping its local clock times (a 08:00-15:00 window stays 08:00-15:00
 * across a change of summer time).  Writes the date into OUT and the
 * window into *START and *END (from W_START, W_END).  Returns 0, or -EINVAL
 * for a malformed DATE or a time out of range.
 */
int tours_retry_date(const char *date, int64_t now, int64_t w_start,
		     int64_t w_end, char out[11], int64_t *start, int64_t *end);

/* ---- tasks ---- */

/* A task with the storage its pointers use (strings of the order and the
 * sites it was built from are borrowed: they must outlive it). */
struct tours_task_buf {
	Task t;
	TimeWindow window;
	GeoPoint loc;
	ClassLoad loads[TOURS_NCLASSES];
	ClassLoad *loadp[TOURS_NCLASSES];
	char id[160];
	char date[11];
};

/* Sums the lines of O per temperature class into LOADS (three entries,
 * ambient, chilled, frozen).  Saturates instead of overflowing. */
void tours_order_loads(const Order *o, ClassLoad loads[TOURS_NCLASSES]);

/*
 * Builds the task order O needs next, given its status STATUS as the tours
 * service knows it:
 *   producer pickup, confirmed  -> PICKUP at the pickup site, pickup window;
 *   hub stock, confirmed; producer pickup, at hub
 *                               -> DELIVERY to the destination, delivery
 *                                  window; RELAY_DELIVERY to RELAY (window
 *                                  from midnight to the bike wave) when the
 *                                  destination's zone is C->bike_zone.
 * A producer pickup's RELAY_DELIVERY (at hub: its goods are ready only
 * once the collecting tour is back) may reach the relay until the
 * handling time and an hour (a bike run) before the customer's window
 * closes, if that is later than the bike wave.  The task's ready_at is 0:
 * tours_task_create() sets it from the collecting tour.
 * DEST, PICKUP and RELAY may be NULL (unknown): the task then has no
 * location and the planner gives it a reason.  NOW is its creation time.
 * Returns 1 and fills OUT, or 0 when the order needs no task now.
 */
int tours_task_for_order(const Order *o, int status, const Site *dest,
			 const Site *pickup, const Site *relay,
			 const struct tours_conf *c, int64_t now,
			 struct tours_task_buf *out);

/* Builds the COLLECTION task of request R at SITE (may be NULL: unknown).
 * Returns 1, or 0 when R is malformed (bad id, window, loads). */
int tours_task_for_collection(const Lz__Tours__V1__CollectionRequested *r,
			      const Site *site, const struct tours_conf *c,
			      int64_t now, struct tours_task_buf *out);

/* ---- planning a wave ---- */

/* A task to plan.  The planner writes the outputs. */
struct tours_ptask {
	const Task *task;
	const Site *site; /* where the van stops; NULL: unknown */
	const Site *dest; /* a collection's outlet; NULL: the hub */
	int reason;       /* out: RS_NONE when planned */
	int tour, stop;   /* out: index in the plan's tours, stop index */
	int64_t arrival;  /* out: planned arrival */
};

/* A vehicle available for the wave. */
struct tours_pvehicle {
	const Vehicle *v;
	const Site *hub;                /* its home hub */
	int64_t shift_start, shift_end; /* absolute times */
};

/* The routing problem of a wave and how its jobs map back to tasks. */
struct tours_vrp {
	struct lz_route_problem *p;
	int njobs;
	int *job_first; /* tasks of job j: job_task[job_first[j] ..
			   job_first[j + 1] - 1] */
	int *job_task;
	int nships;
	int *ship_task; /* task of shipment s */
	int *veh;       /* routing vehicle -> index in the vehicle array */
	int nlocs;
	const Site **loc_site; /* site of each location */
};

/* Builds the problem: one job per task (relay deliveries of one relay
 * consolidated into as few jobs as the largest vehicle allows; tasks at
 * one site with the same ready time and refrigeration needs, windows
 * sharing at least C->group_overlap_s, into as few jobs as one vehicle
 * takes, their windows' intersection, a service per task), a shipment
 * per collection to an outlet, a vehicle per usable PVEHICLE (its hub
 * known; its range_km as the route's maximum distance), dimensions grams
 * and millilitres per temperature class, skills bit 0 chilled and bit 1
 * frozen (from the compartments), distances by haversine x circuity or the
 * matrix, travel times by the speed model (tours_leg_seconds) or the
 * matrix.  Every job (and each end of a shipment) has C->setup_s of setup,
 * paid once per visit, and its task's service; a job's release is the
 * latest ready_at of its tasks (the route leaves the hub no earlier), a
 * shipment's pickup's release its task's.  Tasks that cannot enter the
 * problem get their reason at once (unknown site, no relay, no vehicle,
 * invalid).  Returns 0 or a negative LZ_ROUTE_E* code.  Release with
 * tours_vrp_release(). */
int tours_vrp_build(const struct tours_conf *c, struct tours_ptask *t,
		    size_t nt, const struct tours_pvehicle *v, size_t nv,
		    struct tours_vrp *out);
void tours_vrp_release(struct tours_vrp *vrp);

/* A planned wave.  The tours and everything they point to are owned by the
 * plan (tours_plan_release). */
struct tours_plan {
	Tour **tours;
	size_t ntours;
	int planned, unplanned;
	int64_t distance_m;
	double solve_s;
	int64_t iterations;
};

/* Plans tasks T on vehicles V: builds the problem, solves it under C's
 * limits, and turns the routes into tours named "<DATE>/<WAVE>/<vehicle>"
 * (status planned, fill rates computed), writing each task's tour, stop
 * and arrival or its reason.  With C->merge_stops, consecutive visits of a
 * route at one site whose windows intersect are one Stop: its task ids in
 * the order served, the windows' intersection, the first visit's arrival
 * and start, the last one's departure and load.  With C->repair_revisits,
 * a tour that still comes back to a site for tasks whose windows overlap
 * (tasks of different refrigeration needs, which the fleet's problem does
 * not group) is planned again on its vehicle alone, where they group, and
 * replaced when that plans all its tasks without coming back.  Returns 0
 * or a negative LZ_ROUTE_E* code. */
int tours_plan_solve(const struct tours_conf *c, struct tours_ptask *t,
		     size_t nt, const struct tours_pvehicle *v, size_t nv,
		     const char *date, const char *wave, const char *plan_id,
		     struct tours_plan *out);
void tours_plan_release(struct tours_plan *plan);

/* Frees a tour built by tours_plan_solve() (not one unpacked from the
 * wire). */
void tours_tour_free(Tour *t);

/* The reason matching the routing engine's. */
int tours_reason_from_route(enum lz_route_reason r);

/* Computes FILL (three entries, one per class) of a tour's stops for
 * vehicle V: the most on board of each class over the tour against the
 * compartment's capacity, in permille of the fuller of weight and volume
 * (0 without capacity). */
void tours_fill(const Tour *t, const Vehicle *v,
		CompartmentFill fill[TOURS_NCLASSES]);

/* Capacity of V in dimension order (grams, millilitres per class) and its
 * refrigeration skills. */
void tours_vehicle_capacity(const Vehicle *v, int64_t cap[TOURS_NDIMS]);
uint64_t tours_vehicle_skills(const Vehicle *v);

/* A GeoJSON FeatureCollection of TOURS: per tour a LineString through its
 * stops (properties: tour, vehicle, km, duration, status, fill) and per
 * stop a Point (tour, index, kind, site, tasks, times, status).  Caller
 * owns the reference. */
json_t *tours_geojson(Tour *const *tours, size_t n);

/* ---- who reports on a tour ---- */

/* Whether ACTOR may report on a tour whose driver is DRIVER_ID (its start,
 * stops and completion): the driver bound, an operator (IS_OPERATOR: the
 * actor has the operator role), or, while no driver is bound (DRIVER_ID
 * NULL or ""), anyone the gateway lets report. */
int tours_may_report(const char *driver_id, const char *actor, int is_operator);

/* ---- operator's travel matrix ---- */

/* Reads a CSV file of "from_site,to_site,metres,seconds" lines ('#'
 * comments).  Returns 0 and *OUT (tours_matrix_destroy), or -errno /
 * -EINVAL with "line N: what" in ERR. */
int tours_matrix_load(const char *path, struct tours_matrix **out, char *err,
		      size_t errlen);
void tours_matrix_destroy(struct tours_matrix **mp);
/* Distance and duration from A to B; 0 when known, -1 otherwise. */
int tours_matrix_get(const struct tours_matrix *m, const char *a, const char *b,
		     double *metres, double *seconds);

#endif
