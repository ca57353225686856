/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * account.h -- the pure part of the impact service: energy and CO2e of a
 * trip from the configured emission factors, the distance of a tour (its
 * odometer readings or its planned km), fill and empty running along a
 * tour's planned legs, the counterfactual rounds of one origin (solved with
 * the routing engine), and the accumulation of a report over a period.
 *
 * No LMDB, no sockets: tested in tests/unit/test_impact.c.
 */
#ifndef IMPACT_ACCOUNT_H
#define IMPACT_ACCOUNT_H

#include "codec.h"

#include <stddef.h>
#include <stdint.h>

/* Emission factors (well-to-wheel) and the counterfactual's settings, from
 * the [impact] configuration. */
struct impact_conf {
	int64_t diesel_g_per_l;        /* 3170 */
	int64_t petrol_g_per_l;        /* 0: not configured */
	int64_t cng_g_per_kg;          /* 0: not configured */
	int64_t electricity_g_per_kwh; /* 48 */
	int64_t van_ml_per_100km;      /* 8500: a diesel van without its own */
	int64_t bike_wh_per_100km;     /* 2000 */
	int64_t cf_van_ml_per_100km;   /* 8500: the members' own vans */
	int64_t cf_capacity_g;         /* 800000 */
	double circuity;               /* 1.35 */
	int method;                    /* CF_OWN_ROUNDS or CF_DIRECT_TRIPS */
	int64_t cf_iterations;         /* solver iterations per origin, 300 */
	uint64_t seed;
};

/* The defaults above. */
void impact_conf_init(struct impact_conf *c);

/* Energy used and CO2e emitted over a trip. */
struct impact_energy {
	int64_t fuel_ml;   /* diesel, petrol; grams for CNG */
	int64_t energy_wh; /* electricity */
	int64_t co2e_g;
	int factored; /* 0: no factor for the fuel, co2e_g is 0 */
};

/*
 * The energy and CO2e of DISTANCE_M metres by a vehicle of kind KIND
 * burning FUEL (lz.tours.v1.FuelType; unspecified: the kind's usual fuel)
 * at CONSUMPTION per 100 km (ml, Wh, or grams of CNG; 0: the configured
 * default of a diesel van or a cargo bike, none for the others).  Fuel is
 * rounded to the ml (Wh), CO2e to the gram.  Muscle (FUEL_NONE) emits 0.
 */
void impact_trip_energy(const struct impact_conf *c, int kind, int fuel,
			int64_t consumption, int64_t distance_m,
			struct impact_energy *out);

/* The distance of a completed tour: the odometer difference when both
 * readings were reported and the end is past the start (*ODOMETER = 1),
 * else its planned distance (*ODOMETER = 0). */
int64_t impact_tour_distance(const TourRecord *r, int *odometer);

/*
 * Adds the planned legs of tour T to the fill figures: per temperature
 * class (index 0..2) the grams on board times the leg's metres into
 * CARRIED_GM and the compartment's capacity times the metres into
 * CAPACITY_GM; legs with nothing on board into EMPTY_M, every leg into
 * LEGS_M.  Each figure is multiplied by SHARE (0..1).
 */
void impact_tour_legs(const Tour *t, double share,
		      int64_t carried_gm[IMPACT_NCLASSES],
		      int64_t capacity_gm[IMPACT_NCLASSES], int64_t *empty_m,
		      int64_t *legs_m);

/* Whether S is known and has coordinates (0, 0 means none). */
int impact_site_located(const Site *s);

/*
 * Where delivery D would have started without pooling: for a producer
 * pickup, the producer's site PICKUP (the producer delivering its own
 * goods); otherwise the shipper's own site among SITES (N of them, the
 * directory in id order): its first PRODUCER site, else its first site but
 * a hub or a bike relay.  NULL when there is none with coordinates.
 */
const Site *impact_cf_origin(const Delivery *d, const Site *pickup,
			     const Site *const *sites, size_t n);

/* The counterfactual of one origin and one day: the origin's van leaves
 * from (LAT, LON) and serves every stop. */
struct impact_cf_stop {
	double lat, lon;
	int64_t grams;
};

/*
 * The metres driven to serve STOPS from the origin and come back, by C's
 * method: CF_OWN_ROUNDS solves the rounds with the routing engine (vans of
 * C->cf_capacity_g, a stop heavier than a van counted as a full van, no
 * time windows, great-circle distance x circuity, C->cf_iterations
 * iterations, C->seed); CF_DIRECT_TRIPS sums one return trip per stop.
 * Writes the metres and the number of rounds.  Returns 0 or a negative
 * LZ_ROUTE_E* code.
 */
int impact_cf_rounds(const struct impact_conf *c, double lat, double lon,
		     const struct impact_cf_stop *stops, size_t n,
		     int64_t *metres, int64_t *rounds);

/* ---- a report over a period ---- */

struct impact_kind {
	int64_t trips, distance_m, odometer_m, planned_m, fuel_ml, energy_wh,
		co2e_g, unfactored_m;
};

struct impact_day {
	char date[11];
	int64_t actual_m, actual_co2e_g, cf_m, cf_co2e_g, deliveries,
		bike_deliveries;
};

struct impact_containers {
	char type[72];
	int64_t returned, returned_cents, reused, reused_cents;
};

struct impact_acc {
	struct impact_conf conf;
	char from[11], to[11];
	struct impact_kind kinds[IMPACT_NKINDS];
	int64_t carried_gm[IMPACT_NCLASSES], capacity_gm[IMPACT_NCLASSES];
	int64_t empty_m, legs_m;
	int64_t cf_m, cf_co2e_g, cf_rounds, cf_orders, cf_unplaced;
	int64_t deliveries, bike_deliveries, wi_deliveries;
	int64_t level_flows[IMPACT_NLEVELS], level_g[IMPACT_NLEVELS];
	struct impact_containers *ct;
	size_t nct;
	int64_t driver_s, rider_s;
	struct impact_day *days;
	size_t ndays;
	struct impact_rep *rep; /* the report's messages (impact_acc_report) */
};

/* Most days one report covers. */
#define IMPACT_MAX_DAYS 3700

/* Starts a report over local dates FROM..TO (inclusive, "YYYY-MM-DD").
 * Returns 0, or -EINVAL for a malformed date, TO before FROM, or more than
 * IMPACT_MAX_DAYS days.  Release with impact_acc_release(). */
int impact_acc_init(struct impact_acc *a, const struct impact_conf *c,
		    const char *from, const char *to);
void impact_acc_release(struct impact_acc *a);

/* The day DATE of the report, or NULL outside its period. */
struct impact_day *impact_acc_day(struct impact_acc *a, const char *date);

/* Adds a completed trip of KIND: DISTANCE_M metres on date DATE (measured:
 * ODOMETER 1; planned: 0), its energy E, all times SHARE (the part of the
 * trip a member's goods account for; 1 for the association), and
 * DURATION_S of driver time (vans only) times SHARE. */
void impact_acc_trip(struct impact_acc *a, const char *date, int kind,
		     int64_t distance_m, int odometer,
		     const struct impact_energy *e, double share,
		     int64_t duration_s);

/* Adds a counterfactual: METRES in ROUNDS rounds serving ORDERS orders on
 * DATE, emitting at the counterfactual van's rate. */
void impact_acc_cf(struct impact_acc *a, const char *date, int64_t metres,
		   int64_t rounds, int64_t orders);

/* Adds a delivery (by bike or not; shipped by a work-integration member or
 * not). */
void impact_acc_delivery(struct impact_acc *a, const Delivery *d,
			 int work_integration);

/* Adds a flow processed at LEVEL (0..6) of GRAMS. */
void impact_acc_flow(struct impact_acc *a, int level, int64_t grams);

/* Adds a ledger movement: into "hub-returned" counts as returned, from
 * "washing" to "hub-stock" as reused, with COUNT x DEPOSIT_CENTS. */
void impact_acc_ledger(struct impact_acc *a, const LedgerMoved *m);

/*
 * Fills R (and everything it points to, owned by A: valid until
 * impact_acc_release()) with the report: totals, avoided = counterfactual
 * - actual, rates in permille, the per-kind, per-class, per-level,
 * per-container and per-day figures.  MEMBER_ID and MEMBER_NAME may be
 * NULL (the whole association); NOW is the generation time.
 */
void impact_acc_report(struct impact_acc *a, const char *member_id,
		       const char *member_name, int64_t now, Report *r);

/* Names: "diesel_van"..., "donation"..., "ambient"...; "unknown" outside
 * their enums.  Static storage. */
const char *impact_kind_name(int kind);
const char *impact_level_name(int level);
const char *impact_class_name(int cls);

/* The report as CSV ("section,key,value,unit" lines) and as one HTML page
 * with inline SVG charts and no external asset.  Caller frees. */
char *impact_report_csv(const Report *r);
char *impact_report_html(const Report *r);

#endif
