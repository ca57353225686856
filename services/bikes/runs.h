/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * runs.h -- the pure part of bike dispatch: a rider's shift split into
 * successive short runs from the relay (the rider comes back to reload),
 * the routing problem of the parcels and pickups waiting at the relay over
 * every rider's runs (bike profile, capacity in grams and millilitres, the
 * insulated skill for chilled and frozen goods, windows, parcels an
 * operator gave to one rider, the parcels' ready times at the relay), the
 * runs read back from the solution, the rules of those ready times, and
 * what a relay point may report on a parcel.  No store, no bus:
 * unit-tested in tests/unit/test_bikes.c.
 */
#ifndef BIKES_RUNS_H
#define BIKES_RUNS_H

#include <stddef.h>
#include <stdint.h>

/* A run slot: the run leaves the relay at or after START and is back by
 * END. */
struct bikes_slot {
	int64_t start, end;
};

/* Splits the time a rider can ride, [FROM, UNTIL), into successive slots of
 * at most RUN_MAX seconds, each followed by RELOAD seconds at the relay; a
 * slot shorter than MIN_RUN seconds is not made.  Writes at most MAX slots
 * into OUT and returns how many. */
size_t bikes_split_shift(int64_t from, int64_t until, int run_max, int reload,
			 int min_run, struct bikes_slot *out, size_t max);

struct bikes_conf {
	double speed;    /* m/s */
	double circuity; /* road / great-circle distance */
	int service_s;   /* at a stop */
	int run_max_s;   /* longest run */
	int reload_s;    /* at the relay between two runs */
	int min_run_s;   /* shortest slot worth a run */
	int64_t iterations;
	double time_limit; /* seconds; 0: iterations only */
	uint64_t seed;
};

/* Defaults: 15 km/h, circuity 1.3, 3 min a stop, 90 min runs, 10 min
 * reload, 20 min shortest run, 300 iterations, no time limit, seed 1. */
void bikes_conf_init(struct bikes_conf *c);

/* What moves a parcel's ready time at the relay (bikes_ready_next). */
enum bikes_ready_cause {
	BIKES_READY_VAN_PLANNED, /* the van's tour planned: its arrival */
	BIKES_READY_VAN_DONE,    /* the van's relay stop completed */
	BIKES_READY_FAILED,      /* a failed delivery: on the bike until its
				    run is back */
	BIKES_READY_BACK         /* back at the relay with its bike */
};

/* The ready time at the relay of a parcel ready at READY (0: not known)
 * after CAUSE, reported at REPORTED and planned at PLANNED (0: neither),
 * with HANDLING seconds to unload and sort it.  The van's plan replaces
 * READY: PLANNED + HANDLING, 0 when PLANNED is 0 (in no van tour).
 * Anything else never makes it earlier: the latest of READY, REPORTED +
 * HANDLING and PLANNED + HANDLING.  A report ahead of the plan is taken as
 * the plan (the phones of a simulated day report ahead of its clock); a
 * late one delays the parcel. */
int64_t bikes_ready_next(int64_t ready, enum bikes_ready_cause cause,
			 int64_t reported, int64_t planned, int handling);

/* A parcel to deliver from the relay, or a pickup brought back to it. */
struct bikes_job {
	int pickup;
	double lat, lon;
	int64_t tw_start, tw_end; /* 0, 0: any time */
	int64_t release; /* a parcel: ready at the relay (0: any time); the
			    run carrying it leaves at or after it */
	int64_t grams, millilitres;
	int cold;  /* chilled or frozen: an insulated bike only */
	int rider; /* index of the only rider who may take it, or -1 */
};

/* A rider on shift and the bike they ride. */
struct bikes_rider {
	int64_t capacity_grams, capacity_millilitres;
	int insulated;
	int64_t from, until; /* when the rider can ride */
};

struct bikes_visit {
	int job;
	int location; /* jobs at the same place share it; 0 is the relay */
	int64_t arrival, start, departure;
	int64_t distance_m;                   /* from the relay */
	int64_t load_grams, load_millilitres; /* on board when leaving */
};

struct bikes_run_out {
	int rider;
	int slot;           /* index among the rider's slots */
	int64_t start, end; /* leaves the relay, back at the relay */
	int64_t distance_m;
	int64_t max_grams, max_millilitres; /* the most on board */
	size_t nvisits;
	struct bikes_visit *visits;
};

struct bikes_plan {
	size_t nruns; /* by rider, then slot */
	struct bikes_run_out *runs;
	int *reason; /* per job: 0 planned, else an lz.bikes.v1.Reason */
	int64_t iterations;
	double elapsed;
};

/* Plans JOBS over the slots of RIDERS (split with C's run lengths) from the
 * relay at (RELAY_LAT, RELAY_LON): a run leaves the relay at or after its
 * slot's start and the release of each of its jobs, and is back by the
 * slot's end.  A job ready too late for every slot is left with
 * REASON_NOT_READY.  Returns 0 and fills OUT (free with bikes_plan_free),
 * or a negative LZ_ROUTE_E* error. */
int bikes_plan(double relay_lat, double relay_lon, const struct bikes_job *jobs,
	       size_t njobs, const struct bikes_rider *riders, size_t nriders,
	       const struct bikes_conf *c, struct bikes_plan *out);
void bikes_plan_free(struct bikes_plan *p);

/* Schedules the N jobs of ORDER (indexes into JOBS) as one run leaving
 * the relay at START, or at the latest release of those jobs if later, in
 * that order (an operator's pinned order): travel, waiting for windows,
 * service.  Fills RUN (rider and slot left 0; free
 * RUN->visits).  Returns 0, or a negative LZ_ROUTE_E* error. */
int bikes_sequence(double relay_lat, double relay_lon,
		   const struct bikes_job *jobs, const int *order, size_t n,
		   int64_t start, const struct bikes_conf *c,
		   struct bikes_run_out *run);

/* Why a job that fits no bike alone would stay unplanned, checked before
 * planning: REASON_TOO_HEAVY (heavier or bulkier than every bike of
 * BIKES), REASON_NO_INSULATED_BIKE (cold and no insulated bike able to
 * carry it), or 0. */
struct bikes_bike_cap {
	int64_t grams, millilitres;
	int insulated;
};
int bikes_fits(const struct bikes_job *job, const struct bikes_bike_cap *bikes,
	       size_t n);

/* ---- relay points ---- */

/* What a relay point reports on a parcel. */
enum bikes_point_act {
	BIKES_POINT_CONFIRM = 1, /* ConfirmAtRelayPoint: it is here */
	BIKES_POINT_HAND_OVER,   /* HandOverParcel: the customer took it */
};

/* The status (lz.bikes.v1.ParcelStatus) a parcel of status STATUS moves
 * to when its relay point reports ACT: a confirmation takes a parcel left
 * there (AT_RELAY_POINT), or delivered there as its destination
 * (DELIVERED with DEST_IS_POINT), to RECEIVED_AT_RELAY_POINT; a hand-over
 * takes those and a received one to HANDED_OVER.  0 when ACT does not
 * apply to STATUS (BAD_STATE). */
int bikes_point_next(int status, int dest_is_point, enum bikes_point_act act);

/* Whether a report on a parcel at (or planned to) a relay point of member
 * POINT_MEMBER (NULL or "": at no relay point) may come from a sender of
 * member SENDER_MEMBER (the command's tenant): the relay point's own
 * member, or an operator (IS_OPERATOR) for any parcel. */
int bikes_point_allowed(const char *point_member, const char *sender_member,
			int is_operator);

#endif
