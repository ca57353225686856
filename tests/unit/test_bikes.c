/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_bikes.c -- the pure parts of the bikes service: the centre zone
 * (points inside, outside, on edges and vertices, several polygons, the
 * text form), a shift split into runs, run planning over riders' runs
 * (capacity, insulation, windows, a parcel given to one rider, pickups),
 * a pinned sequence, ready times at the relay (the van's plan and drop, a
 * failure, a return) and runs that wait for them, the fit of a parcel
 * against the bikes, and the names of the reasons and parcel statuses
 * (from the descriptors).
 */
#include "lz_test.h"
#include "runs.h"
#include "zone.h"
#include "codec.h"

#include <stdlib.h>
#include <string.h>

#define H 3600
#define T0 INT64_C(1795510800) /* Wednesday 25 November 2026 10:00 Paris */
/* The relay: Marseille, Cours Julien. */
#define RELAY_LAT 43.2940
#define RELAY_LON 5.3830

static void
test_zone_square(void)
{
	struct bikes_zone z = {0};
	char err[200];

	CHECK_EQ_INT(bikes_zone_parse("5.36 43.29, 5.39 43.29, 5.39 43.31, "
				      "5.36 43.31",
				      &z, err, sizeof(err)),
		     0);
	CHECK_EQ_INT(z.n, 1);
	CHECK_EQ_INT(z.rings[0].n, 4);
	CHECK(bikes_zone_contains(&z, 5.375, 43.30));  /* inside */
	CHECK(!bikes_zone_contains(&z, 5.40, 43.30));  /* east */
	CHECK(!bikes_zone_contains(&z, 5.375, 43.28)); /* south */
	CHECK(!bikes_zone_contains(&z, 5.35, 43.30));  /* west */
	CHECK(bikes_zone_contains(&z, 5.36, 43.30));   /* on the west edge */
	CHECK(bikes_zone_contains(&z, 5.39, 43.30));   /* on the east edge */
	CHECK(bikes_zone_contains(&z, 5.375, 43.29));  /* on the south edge */
	CHECK(bikes_zone_contains(&z, 5.375, 43.31));  /* on the north edge */
	CHECK(bikes_zone_contains(&z, 5.36, 43.29));   /* a vertex */
	CHECK(bikes_zone_contains(&z, 5.39, 43.31));   /* another */
	CHECK(!bikes_zone_contains(&z, 5.3900002, 43.30)); /* just out */
	/* Level with a vertex, outside: the ray passes the vertex. */
	CHECK(!bikes_zone_contains(&z, 5.30, 43.31));
	bikes_zone_free(&z);
	CHECK_EQ_INT(z.n, 0);
}

static void
test_zone_concave_and_several(void)
{
	struct bikes_zone z = {0};
	char err[200];

	/* A U: two arms and the notch between them; then a triangle,
	 * closed explicitly. */
	CHECK_EQ_INT(bikes_zone_parse("0 0, 3 0, 3 3, 2 3, 2 1, 1 1, 1 3, 0 3;"
				      " 10 10, 12 10, 11 12, 10 10 ; ",
				      &z, err, sizeof(err)),
		     0);
	CHECK_EQ_INT(z.n, 2);
	CHECK_EQ_INT(z.rings[1].n, 3);          /* the closing vertex dropped */
	CHECK(bikes_zone_contains(&z, 0.5, 2)); /* left arm */
	CHECK(bikes_zone_contains(&z, 2.5, 2)); /* right arm */
	CHECK(!bikes_zone_contains(&z, 1.5, 2));  /* the notch */
	CHECK(bikes_zone_contains(&z, 1.5, 1));   /* notch bottom edge */
	CHECK(bikes_zone_contains(&z, 1, 2));     /* notch side edge */
	CHECK(bikes_zone_contains(&z, 1.5, 0.5)); /* the base */
	CHECK(bikes_zone_contains(&z, 11, 11));   /* in the triangle */
	CHECK(bikes_zone_contains(&z, 10.5, 11)); /* on its slanted edge */
	CHECK(!bikes_zone_contains(&z, 10.2, 11.5));
	CHECK(!bikes_zone_contains(&z, 5, 5)); /* between them */
	CHECK(bikes_ring_contains(&z.rings[1], 11, 10));
	CHECK(!bikes_ring_contains(&z.rings[0], 11, 11));
	bikes_zone_free(&z);
}

static void
test_zone_text(void)
{
	struct bikes_zone z = {0};
	char err[200] = "";

	CHECK_EQ_INT(bikes_zone_parse("", &z, err, sizeof(err)), 0);
	CHECK_EQ_INT(z.n, 0);
	CHECK(bikes_zone_contains(&z, 100, 10)); /* no zone: everywhere */
	CHECK_EQ_INT(bikes_zone_parse("1 1, 2 2", &z, err, sizeof(err)), -1);
	CHECK(strstr(err, "at least 3") != NULL);
	CHECK_EQ_INT(bikes_zone_parse("0 0, 1 0, 1 1; 0 0, x 1, 1 1", &z, err,
				      sizeof(err)),
		     -1);
	CHECK(strstr(err, "polygon 2, vertex 2") != NULL);
	CHECK_EQ_INT(z.n, 0);
	CHECK_EQ_INT(bikes_zone_parse("0 0, 200 0, 1 1", &z, err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(bikes_zone_parse("0 0 0, 1 0, 1 1", &z, err, sizeof(err)),
		     -1);
}

static void
test_split(void)
{
	struct bikes_slot s[8];
	size_t n;

	/* 4 h: 90 min runs, 10 min reload, 20 min shortest. */
	n = bikes_split_shift(T0, T0 + 4 * H, 5400, 600, 1200, s, 8);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(s[0].start, T0);
	CHECK_EQ_INT(s[0].end, T0 + 5400);
	CHECK_EQ_INT(s[1].start, T0 + 6000);
	CHECK_EQ_INT(s[1].end, T0 + 11400);
	CHECK_EQ_INT(s[2].start, T0 + 12000);
	CHECK_EQ_INT(s[2].end, T0 + 4 * H); /* the rest: 40 min */
	/* The rest shorter than the shortest run: no slot for it. */
	n = bikes_split_shift(T0, T0 + 5400 + 600 + 900, 5400, 600, 1200, s, 8);
	CHECK_EQ_INT(n, 1);
	/* Exactly the shortest run left. */
	n = bikes_split_shift(T0, T0 + 5400 + 600 + 1200, 5400, 600, 1200, s,
			      8);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(s[1].end - s[1].start, 1200);
	/* A short shift: one run. */
	n = bikes_split_shift(T0, T0 + H, 5400, 600, 1200, s, 8);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(s[0].end, T0 + H);
	/* Nothing left, or the end before the start. */
	CHECK_EQ_INT(bikes_split_shift(T0, T0 + 600, 5400, 600, 1200, s, 8), 0);
	CHECK_EQ_INT(bikes_split_shift(T0, T0 - H, 5400, 600, 1200, s, 8), 0);
	/* The output bound. */
	CHECK_EQ_INT(bikes_split_shift(T0, T0 + 24 * H, 1800, 0, 60, s, 8), 8);
	CHECK_EQ_INT(s[7].start, T0 + 7 * 1800);
	/* No reload: runs back to back. */
	n = bikes_split_shift(T0, T0 + 2 * H, H, 0, 60, s, 8);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(s[1].start, T0 + H);
}

static struct bikes_job
job(double dlat, double dlon, int64_t g, int64_t tw_start, int64_t tw_end)
{
	struct bikes_job j = {0};

	j.lat = RELAY_LAT + dlat;
	j.lon = RELAY_LON + dlon;
	j.grams = g;
	j.millilitres = g; /* a litre a kilo */
	j.tw_start = tw_start;
	j.tw_end = tw_end;
	j.rider = -1;
	return j;
}

static struct bikes_conf conf;

/* Checks every run of P against the jobs and riders: capacity at every
 * point, windows, insulation, the rider restriction, runs inside their
 * rider's time and not overlapping.  Returns the jobs planned. */
static size_t
check_plan(const struct bikes_plan *p, const struct bikes_job *jobs, size_t nj,
	   const struct bikes_rider *riders)
{
	size_t planned = 0;

	for (size_t i = 0; i < p->nruns; i++) {
		const struct bikes_run_out *r = &p->runs[i];
		const struct bikes_rider *rd = &riders[r->rider];
		int64_t load = 0;

		CHECK(r->start >= rd->from);
		CHECK(r->end <= rd->until);
		CHECK(r->nvisits > 0);
		if (i > 0 && p->runs[i - 1].rider == r->rider)
			CHECK(p->runs[i - 1].end + conf.reload_s <= r->start);
		for (size_t v = 0; v < r->nvisits; v++)
			if (!jobs[r->visits[v].job].pickup)
				load += jobs[r->visits[v].job].grams;
		CHECK(load <= rd->capacity_grams);
		CHECK(r->max_grams <= rd->capacity_grams);
		for (size_t v = 0; v < r->nvisits; v++) {
			const struct bikes_job *j = &jobs[r->visits[v].job];

			load += j->pickup ? j->grams : -j->grams;
			CHECK(load <= rd->capacity_grams);
			CHECK_EQ_INT(r->visits[v].load_grams, load);
			if (j->tw_end)
				CHECK(r->visits[v].start >= j->tw_start &&
				      r->visits[v].start <= j->tw_end);
			if (j->cold)
				CHECK(rd->insulated);
			if (j->rider >= 0)
				CHECK_EQ_INT(j->rider, r->rider);
			/* The run leaves once each of its parcels is
			 * ready at the relay. */
			CHECK(r->start >= j->release);
			CHECK(r->visits[v].arrival >= j->release);
			CHECK_EQ_INT(p->reason[r->visits[v].job], 0);
			planned++;
		}
	}
	CHECK(planned <= nj);
	return planned;
}

static void
test_plan_two_riders(void)
{
	struct bikes_job jobs[12];
	struct bikes_rider riders[2] = {
		{60000, 600000, 0, T0, T0 + 4 * H},
		{40000, 400000, 1, T0, T0 + 4 * H},
	};
	struct bikes_plan p;
	size_t nj = 0;

	/* Ten 15 kg parcels around the relay (150 kg: more than both bikes
	 * carry at once, so some rider reloads), one chilled, one only for
	 * rider 0, one with a late window; a pickup. */
	for (int i = 0; i < 10; i++)
		jobs[nj++] =
			job(0.002 * (i % 5) - 0.004,
			    0.003 * (i / 5) - 0.0015 + 0.0005 * i, 15000, 0, 0);
	jobs[1].cold = 1;
	jobs[2].rider = 0;
	jobs[3].tw_start = T0 + 3 * H;
	jobs[3].tw_end = T0 + 3 * H + 1800;
	jobs[nj] = job(0.001, 0.001, 8000, T0, T0 + 4 * H);
	jobs[nj++].pickup = 1;
	CHECK_EQ_INT(bikes_plan(RELAY_LAT, RELAY_LON, jobs, nj, riders, 2,
				&conf, &p),
		     0);
	CHECK_EQ_INT(check_plan(&p, jobs, nj, riders), nj);
	CHECK(p.nruns >= 3); /* 150 kg + a pickup over 100 kg of bikes */
	for (size_t i = 0; i < nj; i++)
		CHECK_EQ_INT(p.reason[i], 0);
	bikes_plan_free(&p);
	CHECK_EQ_INT(p.nruns, 0);
}

static void
test_plan_reasons(void)
{
	struct bikes_job jobs[5];
	struct bikes_rider riders[1] = {{60000, 600000, 0, T0, T0 + 2 * H}};
	struct bikes_plan p;

	jobs[0] = job(0.001, 0, 10000, 0, 0);
	jobs[1] = job(0.002, 0, 70000, 0, 0); /* too heavy */
	jobs[2] = job(0.003, 0, 1000, 0, 0);
	jobs[2].cold = 1; /* no insulated bike */
	jobs[3] = job(0.004, 0, 1000, T0 - 2 * H, T0 - H); /* window past */
	jobs[4] = job(0.001, 0.001, 1000, 0, 0);
	jobs[4].rider = 3; /* a rider not on shift (no such index) */
	CHECK_EQ_INT(
		bikes_plan(RELAY_LAT, RELAY_LON, jobs, 5, riders, 1, &conf, &p),
		0);
	CHECK_EQ_INT(check_plan(&p, jobs, 5, riders), 1);
	CHECK_EQ_INT(p.reason[0], 0);
	CHECK_EQ_INT(p.reason[1], BR_TOO_HEAVY);
	CHECK_EQ_INT(p.reason[2], BR_NO_INSULATED_BIKE);
	CHECK_EQ_INT(p.reason[3], BR_TIME_WINDOW);
	CHECK_EQ_INT(p.reason[4], BR_NO_RIDER);
	bikes_plan_free(&p);
	/* Nobody on shift. */
	CHECK_EQ_INT(
		bikes_plan(RELAY_LAT, RELAY_LON, jobs, 1, riders, 0, &conf, &p),
		0);
	CHECK_EQ_INT(p.nruns, 0);
	CHECK_EQ_INT(p.reason[0], BR_NO_RIDER);
	bikes_plan_free(&p);
}

static void
test_plan_reload(void)
{
	/* One rider, one 50 kg bike, four 20 kg parcels: at least two runs,
	 * the second after the first is back and reloaded. */
	struct bikes_job jobs[4];
	struct bikes_rider riders[1] = {{50000, 500000, 0, T0, T0 + 4 * H}};
	struct bikes_plan p;

	for (int i = 0; i < 4; i++)
		jobs[i] = job(0.003 * (i - 2), 0.002, 20000, 0, 0);
	CHECK_EQ_INT(
		bikes_plan(RELAY_LAT, RELAY_LON, jobs, 4, riders, 1, &conf, &p),
		0);
	CHECK_EQ_INT(check_plan(&p, jobs, 4, riders), 4);
	CHECK(p.nruns >= 2);
	CHECK(p.nruns >= 2 && p.runs[0].slot < p.runs[1].slot);
	bikes_plan_free(&p);
}

static void
test_sequence(void)
{
	struct bikes_job jobs[3];
	struct bikes_run_out r;
	int order[3] = {2, 0, 1};

	jobs[0] = job(0.01, 0, 5000, 0, 0);
	jobs[1] = job(0.01, 0, 3000, 0, 0); /* the same place as job 0 */
	jobs[2] = job(0, 0.01, 2000, T0 + H, T0 + 2 * H);
	jobs[2].pickup = 1;
	CHECK_EQ_INT(bikes_sequence(RELAY_LAT, RELAY_LON, jobs, order, 3, T0,
				    &conf, &r),
		     0);
	CHECK_EQ_INT(r.nvisits, 3);
	CHECK_EQ_INT(r.visits[0].job, 2);
	CHECK_EQ_INT(r.visits[0].start, T0 + H); /* waits for its window */
	CHECK(r.visits[0].arrival < T0 + H);
	CHECK_EQ_INT(r.visits[0].departure, T0 + H + conf.service_s);
	CHECK_EQ_INT(r.max_grams, 10000); /* 8 kg out + 2 kg picked up */
	CHECK_EQ_INT(r.visits[0].load_grams, 10000);
	CHECK_EQ_INT(r.visits[2].load_grams, 2000);
	CHECK_EQ_INT(r.visits[1].location, r.visits[2].location);
	CHECK_EQ_INT(r.visits[2].distance_m, r.visits[1].distance_m);
	CHECK(r.distance_m > r.visits[2].distance_m);
	CHECK(r.end > r.visits[2].departure);
	/* 0.01 degree of latitude is 1112 m; with circuity 1.3 at
	 * 15 km/h, about 347 s. */
	CHECK(r.visits[2].arrival - r.visits[1].departure == 0);
	free(r.visits);

	/* A parcel ready after START: the run leaves then, every visit
	 * later by as much. */
	jobs[2].pickup = 0;
	jobs[2].tw_start = jobs[2].tw_end = 0;
	jobs[1].release = T0 + 1800;
	CHECK_EQ_INT(bikes_sequence(RELAY_LAT, RELAY_LON, jobs, order, 3, T0,
				    &conf, &r),
		     0);
	CHECK_EQ_INT(r.start, T0 + 1800);
	CHECK(r.visits[0].arrival > T0 + 1800);
	CHECK_EQ_INT(r.max_grams, 10000);
	free(r.visits);
	/* Ready before START: START holds. */
	CHECK_EQ_INT(bikes_sequence(RELAY_LAT, RELAY_LON, jobs, order, 3,
				    T0 + H, &conf, &r),
		     0);
	CHECK_EQ_INT(r.start, T0 + H);
	free(r.visits);
}

static void
test_ready(void)
{
	const int h = 900;

	/* The van's plan: its arrival plus handling, whatever came before
	 * (a new plan, earlier or later); in no tour, no time. */
	CHECK_EQ_INT(bikes_ready_next(0, BIKES_READY_VAN_PLANNED, 0, T0, h),
		     T0 + h);
	CHECK_EQ_INT(
		bikes_ready_next(T0 + h, BIKES_READY_VAN_PLANNED, 0, T0 - H, h),
		T0 - H + h);
	CHECK_EQ_INT(bikes_ready_next(T0 + h, BIKES_READY_VAN_PLANNED, 0, 0, h),
		     0);
	/* The drop reported late: later; early (a simulated day's phones
	 * report ahead of its clock): the plan holds. */
	CHECK_EQ_INT(
		bikes_ready_next(T0 + h, BIKES_READY_VAN_DONE, T0 + H, 0, h),
		T0 + H + h);
	CHECK_EQ_INT(
		bikes_ready_next(T0 + h, BIKES_READY_VAN_DONE, T0 - H, 0, h),
		T0 + h);
	/* No plan known: the report alone. */
	CHECK_EQ_INT(bikes_ready_next(0, BIKES_READY_VAN_DONE, T0 + 60, 0, 0),
		     T0 + 60);
	/* A failure at T0 + 1 h in a run planned back at T0 + 2 h: the run's
	 * return; reported after the run's planned end: the report. */
	CHECK_EQ_INT(
		bikes_ready_next(T0, BIKES_READY_FAILED, T0 + H, T0 + 2 * H, h),
		T0 + 2 * H + h);
	CHECK_EQ_INT(bikes_ready_next(T0, BIKES_READY_FAILED, T0 + 3 * H,
				      T0 + 2 * H, h),
		     T0 + 3 * H + h);
	/* Never earlier than before. */
	CHECK_EQ_INT(bikes_ready_next(T0 + 5 * H, BIKES_READY_FAILED, T0 + H,
				      T0 + 2 * H, h),
		     T0 + 5 * H);
	/* Back with the bike: the later of the report and the plan. */
	CHECK_EQ_INT(bikes_ready_next(T0 + 2 * H + h, BIKES_READY_BACK,
				      T0 + 2 * H + 600, T0 + 2 * H, h),
		     T0 + 2 * H + 600 + h);
	CHECK_EQ_INT(bikes_ready_next(T0 + 2 * H + h, BIKES_READY_BACK,
				      T0 - 86400, T0 + 2 * H, h),
		     T0 + 2 * H + h);
	CHECK_EQ_INT(bikes_ready_next(T0, BIKES_READY_BACK, 0, 0, h), T0);
	/* A negative handling counts as none. */
	CHECK_EQ_INT(bikes_ready_next(0, BIKES_READY_FAILED, T0, 0, -5), T0);
}

static void
test_plan_release(void)
{
	/* One rider from T0 for 4 h in 1 h runs: a parcel ready now, one
	 * ready at T0 + 30 min (the van's drop plus handling), one back from
	 * a failure at T0 + 2 h, one ready after the shift; a pickup, which
	 * needs nothing at the relay. */
	struct bikes_job jobs[5];
	struct bikes_rider riders[1] = {{60000, 600000, 0, T0, T0 + 4 * H}};
	struct bikes_conf c = conf;
	struct bikes_plan p;
	int64_t start_of[5] = {0};

	c.run_max_s = H;
	jobs[0] = job(0.002, 0, 5000, 0, 0);
	jobs[1] = job(-0.002, 0.001, 5000, 0, 0);
	jobs[1].release = T0 + 1800;
	jobs[2] = job(0.001, -0.002, 5000, 0, 0);
	jobs[2].release = T0 + 2 * H;
	jobs[3] = job(0.003, 0.003, 5000, 0, 0);
	jobs[3].release = T0 + 5 * H;
	jobs[4] = job(0.001, 0.001, 2000, T0, T0 + 4 * H);
	jobs[4].pickup = 1;
	CHECK_EQ_INT(
		bikes_plan(RELAY_LAT, RELAY_LON, jobs, 5, riders, 1, &c, &p),
		0);
	CHECK_EQ_INT(check_plan(&p, jobs, 5, riders), 4);
	CHECK_EQ_INT(p.reason[3], BR_NOT_READY);
	for (size_t i = 0; i < p.nruns; i++)
		for (size_t v = 0; v < p.runs[i].nvisits; v++)
			start_of[p.runs[i].visits[v].job] = p.runs[i].start;
	CHECK(start_of[1] >= T0 + 1800);
	CHECK(start_of[2] >= T0 + 2 * H);
	CHECK(start_of[0] >= T0 && start_of[4] >= T0);
	bikes_plan_free(&p);

	/* Ready within the first slot but too late to be back by its end:
	 * a later run. */
	jobs[0] = job(0.004, 0, 5000, 0, 0);
	jobs[0].release = T0 + H - 300;
	CHECK_EQ_INT(
		bikes_plan(RELAY_LAT, RELAY_LON, jobs, 1, riders, 1, &c, &p),
		0);
	CHECK_EQ_INT(check_plan(&p, jobs, 1, riders), 1);
	CHECK(p.nruns == 1 && p.runs[0].slot == 1);
	bikes_plan_free(&p);
}

/* The names from the descriptors are the ones the metrics and details
 * have always shown (the former tables of codec.c). */
static void
test_names(void)
{
	static const char *const reasons[] = {
		"unspecified",
		"invalid",
		"unknown_rider",
		"unknown_bike",
		"unknown_parcel",
		"unknown_run",
		"unknown_pickup",
		"unknown_site",
		"not_on_rider_run",
		"out_of_zone",
		"too_heavy",
		"no_insulated_bike",
		"unknown",
		"no_shift",
		"on_shift",
		"bad_state",
		"duplicate",
		"no_rider",
		"time_window",
		"no_relay",
		"no_room",
		"not_ready",
		"not_your_relay_point",
	};
	static const char *const statuses[] = {
		"unspecified", "expected",
		"at_relay",    "planned",
		"on_bike",     "delivered",
		"failed",      "at_relay_point",
		"cancelled",   "received_at_relay_point",
		"handed_over",
	};

	for (int i = 0; i < (int)(sizeof(reasons) / sizeof(reasons[0])); i++)
		CHECK_EQ_STR(bikes_reason_name(i), reasons[i]);
	CHECK_EQ_STR(bikes_reason_name(23), "unknown");
	CHECK_EQ_STR(bikes_reason_name(-1), "unknown");
	for (int i = 0; i < (int)(sizeof(statuses) / sizeof(statuses[0])); i++)
		CHECK_EQ_STR(bikes_parcel_status_name(i), statuses[i]);
	CHECK_EQ_STR(bikes_parcel_status_name(11), "unknown");
}

static void
test_fits(void)
{
	struct bikes_bike_cap bikes[2] = {{150000, 1500000, 0},
					  {100000, 1000000, 1}};
	struct bikes_job j = job(0, 0, 120000, 0, 0);

	CHECK_EQ_INT(bikes_fits(&j, bikes, 2), 0);
	j.cold = 1;
	CHECK_EQ_INT(bikes_fits(&j, bikes, 2), BR_TOO_HEAVY);
	CHECK_EQ_INT(bikes_fits(&j, bikes, 1), BR_NO_INSULATED_BIKE);
	j.grams = 90000;
	j.millilitres = 90000;
	CHECK_EQ_INT(bikes_fits(&j, bikes, 2), 0);
	j.cold = 0;
	j.millilitres = 2000000; /* too bulky */
	CHECK_EQ_INT(bikes_fits(&j, bikes, 2), BR_TOO_HEAVY);
	CHECK_EQ_INT(bikes_fits(&j, bikes, 0), 0); /* no bike: no verdict */
}

/* What a relay point may report, and who. */
static void
test_relay_points(void)
{
	/* Left there, or delivered there as its destination: received,
	 * then handed over (or handed over at once). */
	CHECK_EQ_INT(
		bikes_point_next(PS_AT_RELAY_POINT, 0, BIKES_POINT_CONFIRM),
		PS_RECEIVED_AT_POINT);
	CHECK_EQ_INT(bikes_point_next(PS_DELIVERED, 1, BIKES_POINT_CONFIRM),
		     PS_RECEIVED_AT_POINT);
	CHECK_EQ_INT(bikes_point_next(PS_RECEIVED_AT_POINT, 0,
				      BIKES_POINT_HAND_OVER),
		     PS_HANDED_OVER);
	CHECK_EQ_INT(
		bikes_point_next(PS_AT_RELAY_POINT, 0, BIKES_POINT_HAND_OVER),
		PS_HANDED_OVER);
	CHECK_EQ_INT(bikes_point_next(PS_DELIVERED, 1, BIKES_POINT_HAND_OVER),
		     PS_HANDED_OVER);
	/* Not there (yet, or any more). */
	CHECK_EQ_INT(bikes_point_next(PS_DELIVERED, 0, BIKES_POINT_CONFIRM), 0);
	CHECK_EQ_INT(bikes_point_next(PS_DELIVERED, 0, BIKES_POINT_HAND_OVER),
		     0);
	CHECK_EQ_INT(bikes_point_next(PS_ON_BIKE, 1, BIKES_POINT_CONFIRM), 0);
	CHECK_EQ_INT(bikes_point_next(PS_EXPECTED, 1, BIKES_POINT_HAND_OVER),
		     0);
	CHECK_EQ_INT(
		bikes_point_next(PS_RECEIVED_AT_POINT, 0, BIKES_POINT_CONFIRM),
		0);
	CHECK_EQ_INT(bikes_point_next(PS_HANDED_OVER, 0, BIKES_POINT_CONFIRM),
		     0);
	CHECK_EQ_INT(bikes_point_next(PS_HANDED_OVER, 0, BIKES_POINT_HAND_OVER),
		     0);
	CHECK_EQ_INT(bikes_point_next(PS_CANCELLED, 1, BIKES_POINT_HAND_OVER),
		     0);
	/* The relay point's member, or an operator. */
	CHECK(bikes_point_allowed("vrac", "vrac", 0));
	CHECK(!bikes_point_allowed("vrac", "epicerie", 0));
	CHECK(!bikes_point_allowed("vrac", "", 0));
	CHECK(!bikes_point_allowed("vrac", NULL, 0));
	CHECK(!bikes_point_allowed("", "", 0));
	CHECK(!bikes_point_allowed(NULL, "vrac", 0));
	CHECK(bikes_point_allowed("vrac", "livrazou", 1));
	CHECK(bikes_point_allowed(NULL, "livrazou", 1));
}

int
main(void)
{
	bikes_conf_init(&conf);
	RUN(test_zone_square);
	RUN(test_zone_concave_and_several);
	RUN(test_zone_text);
	RUN(test_split);
	RUN(test_plan_two_riders);
	RUN(test_plan_reasons);
	RUN(test_plan_reload);
	RUN(test_ready);
	RUN(test_plan_release);
	RUN(test_sequence);
	RUN(test_fits);
	RUN(test_names);
	RUN(test_relay_points);
	return lz_test_summary();
}
