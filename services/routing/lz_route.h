/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_route.h -- the Livrazou routing engine: a vehicle-routing solver.
 *
 * Pure C11, no global state: every function works on the objects passed to
 * it, so independent problems can be solved concurrently from several
 * threads.  A problem is built with lz_route_problem_new() and the
 * lz_route_problem_add_*() functions, solved with lz_route_solve(), and the
 * solution checked independently with lz_route_check().
 *
 * Units.  Distances are in "distance units" (metres for haversine, the raw
 * coordinate unit for Euclidean, whatever the caller's matrix says), times
 * in "time units" (seconds for haversine).  Travel time = distance / speed
 * of the vehicle's profile (speed in distance units per time unit, 1 by
 * default; or a leg-dependent speed model, see
 * lz_route_problem_set_speed_model), unless the caller gives duration
 * matrices.  Amounts (delivery, pickup, capacity) are integers in up to
 * LZ_ROUTE_MAX_DIMS dimensions.
 *
 * Places.  Two stops are at the same location when their location indexes
 * are equal or, with a coordinate metric (Euclidean, haversine), their
 * coordinates are identical.  Travel between two stops at the same location
 * takes no time and no distance (a matrix's diagonal is not read).  The
 * vehicle's start, when it has a location, counts as the stop before the
 * first one.
 *
 * Times along a route (a route is feasible when every step below exists):
 *
 *   departure(start) >= max(shift.start, release of every job on the
 *                           route)  [a job's release; see lz_route_job]
 *   arrival(k)   = departure(k - 1) + travel(k - 1, k)
 *   start(k)     = the earliest t >= arrival(k) inside one of stop k's
 *                  windows and, for a shipment's pickup, t >= its release
 *   setup(k)     = stop k's setup, or 0 if stop k - 1 (the vehicle's start
 *                  for the first stop) is at the same location
 *   departure(k) = start(k) + setup(k) + service(k)
 *   arrival(end) = departure(last) + travel(last, end) <= shift.end
 *
 * As in VROOM, the windows bound the start of a visit (setup, then service,
 * may run past the window's end), and a visit pays its setup once while
 * every task at the same place pays its service.  Waiting is allowed
 * anywhere.  The duration of a route is arrival(end) - departure(start).
 *
 * Objective.  Serve every job that can be served (a job left unassigned
 * costs more than any route, and more when its priority is higher), then
 * minimise the sum of vehicle costs: fixed cost of each vehicle used +
 * cost_per_km * distance / 1000 + cost_per_hour * time / 3600.  The default
 * vehicle has cost_per_km = 1000, i.e. cost = distance.  During the search
 * the time part counts travel time only (not waiting); reported route costs
 * count the whole duration.
 *
 * Errors are negative LZ_ROUTE_E* codes; lz_route_strerror() names them.
 */
#ifndef LZ_ROUTE_H
#define LZ_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#define LZ_ROUTE_MAX_DIMS 8   /* capacity dimensions */
#define LZ_ROUTE_MAX_TW 8     /* time windows per stop */
#define LZ_ROUTE_MAX_BREAKS 8 /* driver breaks per vehicle */
#define LZ_ROUTE_INF 1e30     /* "no limit" for times, durations, distances */

/* Error codes (negative return values). */
#define LZ_ROUTE_EINVAL (-1)      /* invalid argument or problem data */
#define LZ_ROUTE_ERANGE (-2)      /* index (location, job...) out of range */
#define LZ_ROUTE_EINFEASIBLE (-3) /* lz_route_check(): solution violates */
#define LZ_ROUTE_EPARSE (-4)      /* input file malformed */
#define LZ_ROUTE_EIO (-5)         /* input file cannot be read */

enum lz_route_metric {
	LZ_ROUTE_METRIC_EUCLIDEAN, /* sqrt(dx^2 + dy^2), real-valued */
	LZ_ROUTE_METRIC_HAVERSINE, /* great circle (x = lon, y = lat in
				      degrees) in metres x circuity */
	LZ_ROUTE_METRIC_MATRIX     /* caller-given matrices */
};

enum lz_route_profile {
	LZ_ROUTE_PROFILE_VAN,
	LZ_ROUTE_PROFILE_BIKE,
	LZ_ROUTE_PROFILES
};

struct lz_route_tw {
	double start, end; /* a visit may start at any t in [start, end] */
};

/* A job: one stop, delivering goods loaded at the vehicle's start and/or
 * picking up goods brought back to its end.
 *
 * release: the earliest time the job's goods are available at the vehicle's
 * start (the depot): the vehicle that serves the job does not leave its
 * start before it, whatever the job's amounts (as PyVRP's release_time), so
 * every stop of that route is planned from the later departure.  For a
 * vehicle without a start location the route's first travel starts then.
 * 0 (the default) means none.
 * setup: paid once per visit, when the visit starts, unless the previous
 * stop is at the same location (see "Times along a route" above); service
 * is paid in every case. */
struct lz_route_job {
	int64_t id;     /* caller's identifier, echoed in outputs */
	int location;   /* index of a location */
	double setup;   /* >= 0; default 0 */
	double service; /* >= 0 */
	double release; /* >= 0; 0 = none */
	int ntw; /* number of windows (1..LZ_ROUTE_MAX_TW), sorted, disjoint */
	struct lz_route_tw tw[LZ_ROUTE_MAX_TW];
	int64_t delivery[LZ_ROUTE_MAX_DIMS];
	int64_t pickup[LZ_ROUTE_MAX_DIMS];
	uint64_t skills; /* bit i set = skill i required */
	int priority;    /* 0..100; higher is served first if not all can be */
};

/* One end of a shipment.  setup and service as for a job.  release, on
 * the pickup only (the goods exist from then): the pickup's visit cannot
 * start before it, as if every window of the pickup began no earlier; 0
 * (the default) means none.  It does not hold the vehicle's departure. */
struct lz_route_stop_spec {
	int64_t id;
	int location;
	double setup;   /* >= 0; default 0 */
	double service; /* >= 0 */
	double release; /* pickup: >= 0, 0 = none; delivery: must be 0 */
	int ntw;
	struct lz_route_tw tw[LZ_ROUTE_MAX_TW];
};

/* A shipment: amount picked up at pickup and delivered at delivery by the
 * same vehicle, pickup first. */
struct lz_route_shipment {
	struct lz_route_stop_spec pickup, delivery;
	int64_t amount[LZ_ROUTE_MAX_DIMS];
	uint64_t skills;
	int priority;
};

/* A driver break: the vehicle stops where it is (at the place of the
 * stop before, before travelling on, or at the place of the next stop,
 * before serving it) for `service` time units, starting inside one of its
 * windows (waiting allowed).  A vehicle that serves anything takes every
 * one of its breaks, in the order given.  With has_max_load, the load on
 * board during the break must not exceed max_load in any dimension (as
 * VROOM's break "max_load"). */
struct lz_route_break {
	int64_t id;
	double service; /* >= 0 */
	int ntw;        /* 1..LZ_ROUTE_MAX_TW, sorted, disjoint */
	struct lz_route_tw tw[LZ_ROUTE_MAX_TW];
	int has_max_load;
	int64_t max_load[LZ_ROUTE_MAX_DIMS];
};

struct lz_route_vehicle {
	int64_t id;
	int start, end; /* location index, or -1: route starts (ends) at
			   its first (last) stop */
	struct lz_route_tw shift; /* leave start >= shift.start, reach end
				     <= shift.end */
	int64_t capacity[LZ_ROUTE_MAX_DIMS];
	uint64_t skills;
	enum lz_route_profile profile;
	double cost_fixed, cost_per_km, cost_per_hour;
	double max_duration;    /* end arrival - start departure; INF = none */
	double max_distance;    /* route distance, start to end (an electric
				van's range); INF = none */
	double max_travel_time; /* sum of the route's travel times; INF =
				   none */
	int max_tasks;          /* stops (jobs, pickups, deliveries) per route;
				< 0 = none (the default) */
	double speed_factor;    /* travel times of this vehicle are the
				profile's divided by it; (0, 5], default 1
				(VROOM's speed_factor) */
	int nbreaks;            /* 0..LZ_ROUTE_MAX_BREAKS */
	struct lz_route_break breaks[LZ_ROUTE_MAX_BREAKS];
};

/* Fill with defaults: one window [0, INF], no amounts, no skills, priority
 * 0, location 0, no setup, service or release. */
void lz_route_job_init(struct lz_route_job *job);
void lz_route_shipment_init(struct lz_route_shipment *s);
/* Defaults: start = end = location 0, shift [0, INF], capacity 0 in every
 * dimension (set it), van, cost_per_km 1000 (cost = distance), no limits,
 * speed factor 1, no breaks. */
void lz_route_vehicle_init(struct lz_route_vehicle *v);
/* Defaults: one window [0, INF], no service, no max_load. */
void lz_route_break_init(struct lz_route_break *b);

struct lz_route_problem;

/* New empty problem with ndims capacity dimensions (1..LZ_ROUTE_MAX_DIMS),
 * Euclidean metric, speed 1 for every profile, circuity 1.  Returns NULL if
 * ndims is out of range.  Caller owns the result: lz_route_problem_destroy.
 */
struct lz_route_problem *lz_route_problem_new(int ndims);
/* Free *p and set it to NULL; accepts NULL and *p == NULL. */
void lz_route_problem_destroy(struct lz_route_problem **p);

/* Metric for coordinate locations.  circuity multiplies haversine
 * distances (road / crow-fly ratio, >= 1 typically).  Returns 0, or
 * LZ_ROUTE_EINVAL for a bad metric (MATRIX is set by set_matrix) or
 * circuity <= 0. */
int lz_route_problem_set_metric(struct lz_route_problem *p,
				enum lz_route_metric metric, double circuity);
/* Great-circle distance in metres between two WGS84 points (degrees). */
double lz_route_haversine(double lat1, double lon1, double lat2, double lon2);

/* Speed of a profile in distance units per time unit (m/s for haversine):
 * one speed for every leg, the same as
 * lz_route_problem_set_speed_model(p, profile, speed, speed, LZ_ROUTE_INF).
 * Returns 0 or LZ_ROUTE_EINVAL (bad profile, speed <= 0 or not finite). */
int lz_route_problem_set_speed(struct lz_route_problem *p,
			       enum lz_route_profile profile, double speed);
/* A speed model for a profile that depends on the leg: a leg of distance d
 * takes
 *   d / urban_speed                                  if d <= urban_distance
 *   urban_distance / urban_speed
 *     + (d - urban_distance) / road_speed            otherwise
 * (short legs stay in town; a long one leaves town at urban speed, then
 * drives at road speed).  Replaces what lz_route_problem_set_speed set, and
 * the other way round; the last call wins.  A duration matrix given for the
 * profile wins over either (lz_route_problem_set_matrix).  Returns 0 or
 * LZ_ROUTE_EINVAL (bad profile, a speed <= 0 or not finite, urban_distance
 * < 0 or NaN; it may be LZ_ROUTE_INF, i.e. one speed). */
int lz_route_problem_set_speed_model(struct lz_route_problem *p,
				     enum lz_route_profile profile,
				     double urban_speed, double road_speed,
				     double urban_distance);
/* Add a location by coordinates; returns its index (>= 0). */
int lz_route_problem_add_location(struct lz_route_problem *p, double x,
				  double y);
/* Use caller matrices for a profile: n x n, row-major, distance[i*n+j] from
 * location i to j.  Copies both (duration may be NULL: distance through
 * the profile's speed or speed model).  Switches the problem to
 * LZ_ROUTE_METRIC_MATRIX; a profile without a matrix uses the van's.
 * Location indexes then address the matrix rows; the diagonal is not read
 * (travel from a location to itself is 0).  Returns 0, LZ_ROUTE_EINVAL
 * (n < 1, NULL distance, negative entries, n different from another
 * profile's matrix). */
int lz_route_problem_set_matrix(struct lz_route_problem *p,
				enum lz_route_profile profile, int n,
				const double *distance, const double *duration);

/* A cost matrix for a profile (n x n, row-major, the same n as the
 * distance matrices; copied): a vehicle of that profile then costs
 * cost_fixed + the sum of the matrix entries of its legs, and its
 * cost_per_km and cost_per_hour are not used (as VROOM's "costs" matrix).
 * Distances and durations still come from set_matrix or the metric.
 * Returns 0 or LZ_ROUTE_EINVAL (bad profile, n < 1, NULL, a negative or
 * non-finite entry, n different from the distance matrices'). */
int lz_route_problem_set_cost_matrix(struct lz_route_problem *p,
				     enum lz_route_profile profile, int n,
				     const double *cost);

/* Add a job, shipment or vehicle (copied).  Return the new index (>= 0),
 * or LZ_ROUTE_EINVAL for malformed data (ntw out of range, window with end
 * < start or unsorted, negative or non-finite setup/service/release,
 * negative amount or priority, a release on a shipment's delivery, bad
 * profile...).  Location indexes are checked by lz_route_solve(). */
int lz_route_problem_add_job(struct lz_route_problem *p,
			     const struct lz_route_job *job);
int lz_route_problem_add_shipment(struct lz_route_problem *p,
				  const struct lz_route_shipment *s);
int lz_route_problem_add_vehicle(struct lz_route_problem *p,
				 const struct lz_route_vehicle *v);

/* Accessors.  Returned pointers are owned by the problem and valid until
 * the next add to the same table or until it is destroyed.  NULL when the
 * index is out of range. */
int lz_route_problem_ndims(const struct lz_route_problem *p);
int lz_route_problem_nlocations(const struct lz_route_problem *p);
int lz_route_problem_njobs(const struct lz_route_problem *p);
int lz_route_problem_nshipments(const struct lz_route_problem *p);
int lz_route_problem_nvehicles(const struct lz_route_problem *p);
const struct lz_route_job *
lz_route_problem_job(const struct lz_route_problem *p, int i);
const struct lz_route_shipment *
lz_route_problem_shipment(const struct lz_route_problem *p, int i);
const struct lz_route_vehicle *
lz_route_problem_vehicle(const struct lz_route_problem *p, int i);
/* Travel distance and time from location a to b for a profile, -1 meaning
 * "no location" (0), as the solver sees them: 0 when a and b are the same
 * location (see "Places"), time through the speed model unless a duration
 * matrix is given.  Returns a negative value for an invalid index. */
double lz_route_problem_distance(const struct lz_route_problem *p,
				 enum lz_route_profile profile, int a, int b);
double lz_route_problem_duration(const struct lz_route_problem *p,
				 enum lz_route_profile profile, int a, int b);

/* ---- Solving ---- */

enum lz_route_objective {
	/* serve what can be served, then minimise the vehicles' costs
	 * (fixed + per km + per hour, or a cost matrix) */
	LZ_ROUTE_OBJECTIVE_COST,
	/* serve what can be served, then use as few vehicles as possible,
	 * then minimise the vehicles' costs (with the default costs: the
	 * distance) -- the classical convention of the Solomon and Li & Lim
	 * tables */
	LZ_ROUTE_OBJECTIVE_VEHICLES
};

struct lz_route_options {
	double time_limit;  /* seconds of wall clock; <= 0: no limit */
	int64_t iterations; /* ruin-and-recreate iterations; <= 0: none */
	uint64_t seed;
	int local_search; /* 1 (default): a light descent on every
			     candidate, the full one on new bests; 0: off */
	enum lz_route_objective objective; /* default COST */
};

/* Defaults: 1 second, no iteration limit, seed 1, local search on.  With
 * neither limit the solver would not stop: lz_route_solve() then uses 1 s.
 * Results are reproducible for a given seed and iteration limit (without a
 * time limit); a time limit makes them depend on the machine's speed. */
void lz_route_options_init(struct lz_route_options *o);

enum lz_route_stop_type {
	LZ_ROUTE_STOP_START,
	LZ_ROUTE_STOP_JOB,
	LZ_ROUTE_STOP_PICKUP,   /* pickup of shipment `index` */
	LZ_ROUTE_STOP_DELIVERY, /* delivery of shipment `index` */
	LZ_ROUTE_STOP_END,
	LZ_ROUTE_STOP_BREAK /* break `index` of the route's vehicle; location
			       is where it is taken */
};

/* One stop of a route, timed as in "Times along a route": start is the
 * start of the visit (inside a window), setup the setup paid here (0 when
 * waived or none), and service begins at start + setup; departure = start
 * + setup + service.  For START, arrival = start = departure = the
 * vehicle's departure (the latest one that does not delay the route, never
 * before the release of its jobs); for END, all three are the arrival. */
struct lz_route_stop {
	enum lz_route_stop_type type;
	int index;    /* job or shipment index; -1 for start and end */
	int location; /* -1 if the vehicle has no start/end location */
	double arrival, start, setup, departure;
	double distance;                 /* cumulated from the route's start */
	int64_t load[LZ_ROUTE_MAX_DIMS]; /* on board when leaving */
};

/* Totals of a route: duration = travel_time + setup + service +
 * break_time + waiting. */
struct lz_route_route {
	int vehicle;
	int nstops; /* including START, END and breaks */
	struct lz_route_stop *stops;
	double distance, duration, travel_time, setup, service, waiting, cost;
	double break_time; /* sum of the breaks' services */
};

enum lz_route_reason {
	LZ_ROUTE_REASON_NONE,
	LZ_ROUTE_REASON_SKILLS,       /* no vehicle has the required skills */
	LZ_ROUTE_REASON_CAPACITY,     /* too heavy for every able vehicle */
	LZ_ROUTE_REASON_TIME_WINDOW,  /* no able vehicle can reach it in time */
	LZ_ROUTE_REASON_MAX_DISTANCE, /* beyond every able vehicle's range */
	LZ_ROUTE_REASON_MAX_DURATION, /* beyond every vehicle's max duration */
	LZ_ROUTE_REASON_NO_ROOM,      /* feasible alone, but the fleet is full
					 with more valuable jobs */
	LZ_ROUTE_REASON_RELEASE,      /* ready too late: a job that some able
					 vehicle would serve if its release were
					 ignored; a shipment whose release comes
					 after its pickup windows close */
	LZ_ROUTE_REASON_MAX_TASKS,    /* more stops than any max_tasks */
	LZ_ROUTE_REASON_MAX_TRAVEL_TIME, /* beyond every max travel time */
	LZ_ROUTE_REASON_BREAK /* no able vehicle can fit its breaks around
				 it (windows, max_load) */
};

struct lz_route_unassigned {
	int shipment; /* 0: job, 1: shipment */
	int index;
	enum lz_route_reason reason;
};

struct lz_route_solution {
	int nroutes; /* non-empty routes only */
	struct lz_route_route *routes;
	int nunassigned;
	struct lz_route_unassigned *unassigned;
	double cost, distance, duration;
	int64_t iterations; /* ruin-and-recreate iterations performed */
	double elapsed;     /* seconds */
};

/* Solve p.  On success returns 0 and sets *out to a new solution owned by
 * the caller (lz_route_solution_destroy).  Errors: LZ_ROUTE_EINVAL (NULL
 * arguments, no location), LZ_ROUTE_ERANGE (a location index out of
 * range); *out is then NULL.  p is only read: it may be shared by threads
 * that solve it concurrently. */
int lz_route_solve(const struct lz_route_problem *p,
		   const struct lz_route_options *o,
		   struct lz_route_solution **out);
/* Free *s and set it to NULL; accepts NULL and *s == NULL. */
void lz_route_solution_destroy(struct lz_route_solution **s);

/* ---- Independent feasibility checker ---- */

#define LZ_ROUTE_CHECK_SEQUENCE                                                \
	1 /* only check the stop sequences; ignore
				     the reported times, loads, totals */

/* Check s against p with code separate from the solver's: every job and
 * shipment served exactly once or listed unassigned, shipments in one
 * route with the pickup first, skills, capacity at every point of every
 * route, time windows with waiting allowed, releases (no departure before
 * the release of a job on the route, no pickup before its release), setups
 * (paid unless the previous stop is at the same location), shift end, max
 * duration and max distance; unless LZ_ROUTE_CHECK_SEQUENCE is in flags,
 * also that the reported schedule (arrival, start, setup, departure),
 * loads, distances and totals agree with a recomputation from the reported
 * departure at START (tolerance 1e-6 relative).  With the flag, or without
 * a START stop, the route leaves at the earliest departure allowed.
 * START/END stops are optional in s.  Returns 0, or LZ_ROUTE_EINFEASIBLE
 * with a one-line explanation in msg (if msg is not NULL; truncated to
 * len). */
int lz_route_check(const struct lz_route_problem *p,
		   const struct lz_route_solution *s, int flags, char *msg,
		   size_t len);

/* ---- Readers ---- */

/* Read a Solomon VRPTW instance (name line, VEHICLE NUMBER CAPACITY,
 * CUSTOMER table).  Customer 0 is the depot (location 0); customer k >= 1
 * becomes job k-1 with id k at location k.  The fleet is NUMBER identical
 * vehicles with the depot's window as shift; Euclidean metric.  Returns 0
 * and a new problem in *out (caller owns), or LZ_ROUTE_EIO /
 * LZ_ROUTE_EPARSE with "path:line: what" in err. */
int lz_route_solomon_read(const char *path, struct lz_route_problem **out,
			  char *err, size_t errlen);

/* Read a Li & Lim pickup-and-delivery instance (first line: vehicles,
 * capacity, speed; then per location: id, x, y, demand, ready, due,
 * service, pickup sibling, delivery sibling).  Location 0 is the depot;
 * each pickup p with delivery sibling d becomes one shipment with pickup id
 * p and delivery id d.  Fleet and metric as for Solomon.  Errors as
 * lz_route_solomon_read. */
int lz_route_lilim_read(const char *path, struct lz_route_problem **out,
			char *err, size_t errlen);

/* Static strings, never NULL. */
const char *lz_route_strerror(int err);
const char *lz_route_reason_str(enum lz_route_reason reason);

#endif
