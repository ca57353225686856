/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_tours.c -- the pure part of the tours service (plan.c): local dates,
 * the tasks an order needs, the routing problem of a wave (dimensions,
 * skills, relay consolidation, reasons), tours from a solution, fill rates,
 * GeoJSON and the operator's matrix; the names of enum values; the
 * sources each handler accepts.
 */
#include "lz_test.h"
#include "plan.h"
#include "tours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define H 3600
/* Tuesday 24 November 2026, local midnight in Paris (23:00 UTC before). */
#define DAY0 INT64_C(1795474800)

static GeoPoint pts[16];
static Site sites[16];
static int nsites;

static Site *
site(const char *id, int kind, double lat, double lon, const char *zone)
{
	Site init = LZ__ORDERS__V1__SITE__INIT;
	GeoPoint gp = LZ__COMMON__V1__GEO_POINT__INIT;
	Site *s = &sites[nsites];

	*s = init;
	pts[nsites] = gp;
	pts[nsites].lat = lat;
	pts[nsites].lon = lon;
	s->site_id = (char *)id;
	s->member_id = "m";
	s->kind = (Lz__Orders__V1__SiteKind)kind;
	s->location = &pts[nsites];
	s->zone = (char *)zone;
	nsites++;
	return s;
}

static OrderLine line_buf[8];
static OrderLine *line_ptr[8];
static TimeWindow tw_buf[4];

static void
order_init(Order *o, const char *id, int source, int tc, uint32_t grams,
	   const char *dest)
{
	Order init = LZ__ORDERS__V1__ORDER__INIT;
	OrderLine li = LZ__ORDERS__V1__ORDER_LINE__INIT;
	TimeWindow tw = LZ__COMMON__V1__TIME_WINDOW__INIT;

	*o = init;
	line_buf[0] = li;
	line_buf[0].quantity = 2;
	line_buf[0].unit_grams = grams;
	line_buf[0].unit_millilitres = 1000;
	line_buf[0].temperature_class = (Lz__Common__V1__TemperatureClass)tc;
	line_ptr[0] = &line_buf[0];
	tw_buf[0] = tw;
	tw_buf[0].start = DAY0 + 9 * H;
	tw_buf[0].end = DAY0 + 12 * H;
	tw_buf[1] = tw;
	tw_buf[1].start = DAY0 + 6 * H;
	tw_buf[1].end = DAY0 + 8 * H;
	o->order_id = (char *)id;
	o->member_id = "m1";
	o->destination_site_id = (char *)dest;
	o->delivery_window = &tw_buf[0];
	o->n_lines = 1;
	o->lines = line_ptr;
	o->source = (Lz__Orders__V1__OrderSource)source;
	if (source == SRC_PRODUCER_PICKUP) {
		o->pickup_site_id = "farm";
		o->pickup_window = &tw_buf[1];
	}
}

static void
test_dates(void)
{
	int64_t m;
	int wd;
	char d[11];

	CHECK(lz_date_valid("2026-11-24"));
	CHECK(!lz_date_valid("2026-02-30"));
	CHECK(!lz_date_valid("2026-1-24"));
	CHECK(!lz_date_valid("x"));
	CHECK(!lz_date_valid(NULL));
	CHECK_EQ_INT(lz_date_midnight("2026-11-24", &m, &wd), 0);
	CHECK_EQ_INT(m, DAY0);
	CHECK_EQ_INT(wd, 2);
	CHECK_EQ_INT(lz_date_local(DAY0 + 23 * H + 3599, d), 0);
	CHECK_EQ_STR(d, "2026-11-24");
	/* Summer: midnight is 22:00 UTC. */
	CHECK_EQ_INT(lz_date_midnight("2026-07-01", &m, &wd), 0);
	CHECK_EQ_INT(m % 86400, 22 * H);
	CHECK_EQ_INT(wd, 3);
}

/* A failed task is planned again the next day, its window moved there. */
static void
test_retry_date(void)
{
	int64_t s, e, m;
	char d[11];

	/* Failed at 10:00 on its date: the next day, same hours. */
	CHECK_EQ_INT(tours_retry_date("2026-11-24", DAY0 + 10 * H, DAY0 + 8 * H,
				      DAY0 + 15 * H, d, &s, &e),
		     0);
	CHECK_EQ_STR(d, "2026-11-25");
	CHECK_EQ_INT(s, DAY0 + 32 * H);
	CHECK_EQ_INT(e, DAY0 + 39 * H);
	/* Reported two days late: the day after the report, not after the
	 * task's date; the window moves three days. */
	CHECK_EQ_INT(tours_retry_date("2026-11-24", DAY0 + 57 * H, DAY0 + 8 * H,
				      DAY0 + 15 * H, d, &s, &e),
		     0);
	CHECK_EQ_STR(d, "2026-11-27");
	CHECK_EQ_INT(s, DAY0 + 72 * H + 8 * H);
	CHECK_EQ_INT(e, DAY0 + 72 * H + 15 * H);
	/* A failure reported before the task's date still moves it on. */
	CHECK_EQ_INT(tours_retry_date("2026-11-24", DAY0 - 5 * H, DAY0 + 8 * H,
				      DAY0 + 15 * H, d, &s, &e),
		     0);
	CHECK_EQ_STR(d, "2026-11-25");
	CHECK_EQ_INT(s, DAY0 + 32 * H);
	/* A window still open on the new date is kept. */
	CHECK_EQ_INT(tours_retry_date("2026-11-24", DAY0 + 10 * H, DAY0 + 8 * H,
				      DAY0 + 72 * H, d, &s, &e),
		     0);
	CHECK_EQ_STR(d, "2026-11-25");
	CHECK_EQ_INT(s, DAY0 + 8 * H);
	CHECK_EQ_INT(e, DAY0 + 72 * H);
	/* Across the end of summer time (25 October 2026 at 3:00): 08:00
	 * local stays 08:00 local, nine hours after the new midnight. */
	CHECK_EQ_INT(lz_date_midnight("2026-10-24", &m, NULL), 0);
	CHECK_EQ_INT(tours_retry_date("2026-10-24", m + 12 * H, m + 8 * H,
				      m + 15 * H, d, &s, &e),
		     0);
	CHECK_EQ_STR(d, "2026-10-25");
	CHECK_EQ_INT(lz_date_midnight("2026-10-25", &m, NULL), 0);
	CHECK_EQ_INT(s, m + 9 * H);
	CHECK_EQ_INT(e, m + 16 * H);
	/* Malformed dates. */
	CHECK(tours_retry_date("2026-02-30", DAY0, DAY0, DAY0, d, &s, &e) < 0);
	CHECK(tours_retry_date(NULL, DAY0, DAY0, DAY0, d, &s, &e) < 0);
}

static void
test_tasks(void)
{
	struct tours_conf c;
	struct tours_task_buf b;
	Site *cust, *centre, *farm, *relay;
	Order o;

	tours_conf_init(&c);
	nsites = 0;
	cust = site("cust", 4, 43.33, 5.40, "nord");
	centre = site("vp", 4, 43.297, 5.38, "centre");
	farm = site("farm", 3, 43.5, 5.2, "");
	relay = site("relay", 2, 43.296, 5.375, "centre");

	order_init(&o, "m1/a", SRC_HUB_STOCK, 2, 1500, "cust");
	CHECK_EQ_INT(tours_task_for_order(&o, OS_PLACED, cust, NULL, relay, &c,
					  DAY0, &b),
		     0);
	CHECK_EQ_INT(tours_task_for_order(&o, OS_CONFIRMED, cust, NULL, relay,
					  &c, DAY0, &b),
		     1);
	CHECK_EQ_STR(b.t.task_id, "del:m1/a");
	CHECK_EQ_INT(b.t.kind, TK_DELIVERY);
	CHECK_EQ_STR(b.t.site_id, "cust");
	CHECK_EQ_STR(b.t.date, "2026-11-24");
	CHECK_EQ_INT(b.t.window->start, DAY0 + 9 * H);
	CHECK_EQ_INT(b.loads[1].grams, 3000);
	CHECK_EQ_INT(b.loads[1].millilitres, 2000);
	CHECK_EQ_INT(b.loads[0].grams, 0);
	CHECK(b.t.location != NULL && b.t.location->lat == 43.33);

	/* Centre zone: to the relay, before the bike wave. */
	order_init(&o, "m1/b", SRC_HUB_STOCK, 1, 1000, "vp");
	CHECK_EQ_INT(tours_task_for_order(&o, OS_CONFIRMED, centre, NULL, relay,
					  &c, DAY0, &b),
		     1);
	CHECK_EQ_INT(b.t.kind, TK_RELAY);
	CHECK_EQ_STR(b.t.site_id, "relay");
	CHECK_EQ_STR(b.t.final_site_id, "vp");
	CHECK_EQ_INT(b.t.window->start, DAY0);
	CHECK_EQ_INT(b.t.window->end, DAY0 + 10 * H);
	/* No relay known: no location (the planner says no_relay). */
	CHECK_EQ_INT(tours_task_for_order(&o, OS_CONFIRMED, centre, NULL, NULL,
					  &c, DAY0, &b),
		     1);
	CHECK(b.t.location == NULL);

	/* Producer pickup: first the pickup, then (at hub) the delivery. */
	order_init(&o, "m1/c", SRC_PRODUCER_PICKUP, 1, 1000, "cust");
	CHECK_EQ_INT(tours_task_for_order(&o, OS_CONFIRMED, cust, farm, relay,
					  &c, DAY0, &b),
		     1);
	CHECK_EQ_INT(b.t.kind, TK_PICKUP);
	CHECK_EQ_STR(b.t.task_id, "pick:m1/c");
	CHECK_EQ_STR(b.t.site_id, "farm");
	CHECK_EQ_INT(b.t.window->end, DAY0 + 8 * H);
	CHECK_EQ_INT(tours_task_for_order(&o, OS_PICKED_UP, cust, farm, relay,
					  &c, DAY0, &b),
		     0);
	CHECK_EQ_INT(tours_task_for_order(&o, OS_AT_HUB, cust, farm, relay, &c,
					  DAY0, &b),
		     1);
	CHECK_EQ_INT(b.t.kind, TK_DELIVERY);
	CHECK_EQ_STR(b.t.task_id, "del:m1/c");
	/* Unknown destination: a task without location. */
	CHECK_EQ_INT(tours_task_for_order(&o, OS_AT_HUB, NULL, farm, relay, &c,
					  DAY0, &b),
		     1);
	CHECK(b.t.location == NULL);
	CHECK_EQ_STR(b.t.site_id, "cust");
}

/* ---- planning ---- */

static Compartment comp_buf[16];
static Compartment *comp_ptr[16];
static int ncomp;

static void
vehicle_init(Vehicle *v, const char *id, int64_t amb, int64_t chilled)
{
	Vehicle init = LZ__TOURS__V1__VEHICLE__INIT;
	Compartment ci = LZ__TOURS__V1__COMPARTMENT__INIT;

	*v = init;
	v->vehicle_id = (char *)id;
	v->shift_start = 6 * H;
	v->shift_end = 18 * H;
	v->cost_per_km_cents = 30;
	v->compartments = &comp_ptr[ncomp];
	comp_buf[ncomp] = ci;
	comp_buf[ncomp].temperature_class =
		LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_AMBIENT;
	comp_buf[ncomp].capacity_grams = amb;
	comp_buf[ncomp].capacity_millilitres = amb * 2;
	comp_ptr[ncomp] = &comp_buf[ncomp];
	ncomp++;
	v->n_compartments = 1;
	if (chilled > 0) {
		comp_buf[ncomp] = ci;
		comp_buf[ncomp].temperature_class =
			LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_CHILLED;
		comp_buf[ncomp].capacity_grams = chilled;
		comp_buf[ncomp].capacity_millilitres = chilled * 2;
		comp_ptr[ncomp] = &comp_buf[ncomp];
		ncomp++;
		v->n_compartments = 2;
	}
}

static struct tours_task_buf tb[16];

static void
test_plan(void)
{
	struct tours_conf c;
	struct tours_pvehicle pv[2];
	struct tours_ptask pt[8];
	struct tours_vrp vrp;
	struct tours_plan plan;
	Vehicle van, cold;
	Site *hub, *relay, *cust, *vp1, *vp2, *farm;
	Order o;
	int64_t cap[TOURS_NDIMS];
	CompartmentFill fill[TOURS_NCLASSES];
	json_t *gj;

	tours_conf_init(&c);
	c.time_limit = 0;
	c.iterations = 200;
	nsites = 0;
	ncomp = 0;
	hub = site("hub", 1, 43.35, 5.37, "");
	relay = site("relay", 2, 43.296, 5.375, "centre");
	cust = site("cust", 4, 43.33, 5.40, "");
	vp1 = site("vp1", 4, 43.297, 5.38, "centre");
	vp2 = site("vp2", 4, 43.298, 5.37, "centre");
	farm = site("farm", 3, 43.45, 5.25, "");
	vehicle_init(&van, "van", 500000, 0);
	vehicle_init(&cold, "cold", 300000, 100000);
	tours_vehicle_capacity(&cold, cap);
	CHECK_EQ_INT(cap[0], 300000);
	CHECK_EQ_INT(cap[2], 100000);
	CHECK_EQ_INT(cap[4], 0);
	CHECK_EQ_INT(tours_vehicle_skills(&van), 0);
	CHECK_EQ_INT(tours_vehicle_skills(&cold), 1);
	pv[0].v = &van;
	pv[1].v = &cold;
	for (int i = 0; i < 2; i++) {
		pv[i].hub = hub;
		pv[i].shift_start = DAY0 + 6 * H;
		pv[i].shift_end = DAY0 + 18 * H;
	}

	/* 0: chilled delivery; 1, 2: centre orders (one relay job);
	 * 3: pickup at the farm; 4: task on an unknown site; 5: frozen
	 * (no vehicle has the skill); 6: heavier than any vehicle. */
	order_init(&o, "m1/0", SRC_HUB_STOCK, 2, 5000, "cust");
	tours_task_for_order(&o, OS_CONFIRMED, cust, NULL, relay, &c, DAY0,
			     &tb[0]);
	order_init(&o, "m1/1", SRC_HUB_STOCK, 1, 5000, "vp1");
	tours_task_for_order(&o, OS_CONFIRMED, vp1, NULL, relay, &c, DAY0,
			     &tb[1]);
	order_init(&o, "m1/2", SRC_HUB_STOCK, 1, 5000, "vp2");
	tours_task_for_order(&o, OS_CONFIRMED, vp2, NULL, relay, &c, DAY0,
			     &tb[2]);
	order_init(&o, "m1/3", SRC_PRODUCER_PICKUP, 1, 20000, "cust");
	tours_task_for_order(&o, OS_CONFIRMED, cust, farm, relay, &c, DAY0,
			     &tb[3]);
	order_init(&o, "m1/4", SRC_HUB_STOCK, 1, 1000, "nowhere");
	tours_task_for_order(&o, OS_CONFIRMED, NULL, NULL, relay, &c, DAY0,
			     &tb[4]);
	order_init(&o, "m1/5", SRC_HUB_STOCK, 3, 1000, "cust");
	tours_task_for_order(&o, OS_CONFIRMED, cust, NULL, relay, &c, DAY0,
			     &tb[5]);
	order_init(&o, "m1/6", SRC_HUB_STOCK, 1, 400000, "cust");
	tours_task_for_order(&o, OS_CONFIRMED, cust, NULL, relay, &c, DAY0,
			     &tb[6]);
	memset(pt, 0, sizeof(pt));
	for (int i = 0; i < 7; i++) {
		pt[i].task = &tb[i].t;
		pt[i].site = i == 4                     ? NULL
			     : tb[i].t.kind == TK_RELAY ? relay
			     : i == 3                   ? farm
							: cust;
	}

	CHECK_EQ_INT(tours_vrp_build(&c, pt, 7, pv, 2, &vrp), 0);
	/* 0, relay(1+2), 3, 5, 6 */
	CHECK_EQ_INT(vrp.njobs, 5);
	CHECK_EQ_INT(lz_route_problem_nvehicles(vrp.p), 2);
	CHECK_EQ_INT(lz_route_problem_ndims(vrp.p), TOURS_NDIMS);
	CHECK_EQ_INT(pt[4].reason, RS_UNKNOWN_SITE);
	{
		const struct lz_route_job *j = lz_route_problem_job(vrp.p, 1);

		CHECK_EQ_INT(vrp.job_first[2] - vrp.job_first[1], 2);
		CHECK_EQ_INT(j->delivery[0], 20000);
		CHECK_EQ_INT(j->tw[0].end, DAY0 + 10 * H);
		j = lz_route_problem_job(vrp.p, 0);
		CHECK_EQ_INT(j->skills, 1);
		CHECK_EQ_INT(j->delivery[2], 10000);
		j = lz_route_problem_job(vrp.p, 2);
		CHECK_EQ_INT(j->pickup[0], 40000);
		CHECK_EQ_INT(j->delivery[0], 0);
	}
	tours_vrp_release(&vrp);

	/* With the operator's matrix: its entries where it has them (vans),
	 * haversine x circuity elsewhere and for bikes. */
	{
		char path[] = "/tmp/lz-tours-vrpmatrix.XXXXXX", err[200];
		struct tours_matrix *m = NULL;
		int fd = mkstemp(path), ih = -1, ic = -1, iff = -1;
		FILE *f = fdopen(fd, "w");
		double dc, df;

		fprintf(f, "hub,cust,7777,999\n");
		fclose(f);
		CHECK_EQ_INT(tours_matrix_load(path, &m, err, sizeof(err)), 0);
		unlink(path);
		CHECK_EQ_INT(tours_vrp_build(&c, pt, 7, pv, 2, &vrp), 0);
		dc = lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_VAN, 0,
					       0);
		tours_vrp_release(&vrp);
		c.matrix = m;
		CHECK_EQ_INT(tours_vrp_build(&c, pt, 7, pv, 2, &vrp), 0);
		for (int i = 0; i < vrp.nlocs; i++) {
			const char *id = vrp.loc_site[i]->site_id;
			if (strcmp(id, "hub") == 0)
				ih = i;
			else if (strcmp(id, "cust") == 0)
				ic = i;
			else if (strcmp(id, "farm") == 0)
				iff = i;
		}
		CHECK(ih >= 0 && ic >= 0 && iff >= 0);
		CHECK(lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_VAN, ih,
						ic) == 7777);
		CHECK(lz_route_problem_duration(vrp.p, LZ_ROUTE_PROFILE_VAN, ih,
						ic) == 999);
		/* not in the matrix: crow-fly distance times the circuity */
		df = lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_VAN, ih,
					       iff);
		CHECK(df > 10000 && df < 40000);
		CHECK(lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_BIKE,
						ih, ic) != 7777);
		CHECK(dc == 0);
		tours_vrp_release(&vrp);
		c.matrix = NULL;
		tours_matrix_destroy(&m);
	}

	CHECK_EQ_INT(tours_plan_solve(&c, pt, 7, pv, 2, "2026-11-24", "day",
				      "p1", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 4);
	CHECK_EQ_INT(plan.unplanned, 3);
	CHECK_EQ_INT(pt[0].reason, RS_NONE);
	CHECK_EQ_INT(pt[1].reason, RS_NONE);
	CHECK_EQ_INT(pt[4].reason, RS_UNKNOWN_SITE);
	CHECK_EQ_INT(pt[5].reason, RS_SKILLS);
	CHECK_EQ_INT(pt[6].reason, RS_CAPACITY);
	/* The chilled delivery rides in the refrigerated van. */
	CHECK(pt[0].tour >= 0 &&
	      strcmp(plan.tours[pt[0].tour]->vehicle_id, "cold") == 0);
	/* Both centre orders share one stop at the relay, before 10:00. */
	CHECK_EQ_INT(pt[1].tour, pt[2].tour);
	CHECK_EQ_INT(pt[1].stop, pt[2].stop);
	CHECK(pt[1].arrival <= DAY0 + 10 * H);
	for (size_t i = 0; i < plan.ntours; i++) {
		Tour *t = plan.tours[i];

		CHECK(strncmp(t->tour_id, "2026-11-24/day/", 15) == 0);
		CHECK_EQ_INT(t->stops[0]->kind, SK_START);
		CHECK_EQ_INT(t->stops[t->n_stops - 1]->kind, SK_END);
		CHECK_EQ_STR(t->stops[0]->site_id, "hub");
		CHECK(t->distance_m > 0);
		CHECK(t->start >= DAY0 + 6 * H && t->end <= DAY0 + 18 * H);
		CHECK_EQ_INT(t->n_fill, 3);
	}
	/* Fill: the tour with the pickup carries 40 kg back. */
	{
		Tour *t = plan.tours[pt[3].tour];
		const Vehicle *v =
			strcmp(t->vehicle_id, "van") == 0 ? &van : &cold;

		tours_fill(t, v, fill);
		CHECK(fill[0].max_grams >= 40000);
		CHECK_EQ_INT(fill[0].capacity_grams,
			     v == &van ? 500000 : 300000);
		CHECK(fill[0].fill_permille >=
		      40000 * 1000 / fill[0].capacity_grams);
	}
	gj = tours_geojson(plan.tours, plan.ntours);
	CHECK_EQ_STR(json_string_value(json_object_get(gj, "type")),
		     "FeatureCollection");
	{
		size_t nf = json_array_size(json_object_get(gj, "features"));
		size_t want = plan.ntours;
		json_t *f0 = json_array_get(json_object_get(gj, "features"), 0);
		json_t *coords = json_object_get(
			json_object_get(f0, "geometry"), "coordinates");

		for (size_t i = 0; i < plan.ntours; i++)
			want += plan.tours[i]->n_stops;
		CHECK_EQ_INT(nf, want);
		CHECK_EQ_STR(json_string_value(json_object_get(
				     json_object_get(f0, "geometry"), "type")),
			     "LineString");
		/* [lon, lat]: the hub first. */
		CHECK(json_real_value(json_array_get(json_array_get(coords, 0),
						     0)) == 5.37);
		CHECK(json_real_value(json_array_get(json_array_get(coords, 0),
						     1)) == 43.35);
	}
	json_decref(gj);
	tours_plan_release(&plan);

	/* No vehicle at all. */
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 2, pv, 0, "2026-11-24", "day",
				      "p2", &plan),
		     0);
	CHECK_EQ_INT(pt[0].reason, RS_NO_VEHICLE);
	CHECK_EQ_INT(plan.ntours, 0);
	tours_plan_release(&plan);
}

/* ---- travel times, stops per place, ready times, range ---- */

static int
close_to(double a, double b)
{
	return a - b < 1e-6 && b - a < 1e-6;
}

/* The vans' speed model: urban speed up to urban_m, road speed beyond;
 * one speed when speed_van is set; the bike's one speed.  The routing
 * problem's legs are the same, with or without an operator's matrix. */
static void
test_speed_model(void)
{
	struct tours_conf c;
	struct tours_pvehicle pv;
	struct tours_ptask pt[2];
	struct tours_vrp vrp;
	Vehicle van;
	Site *hub, *cust, *far;
	Order o;
	double d, s;

	tours_conf_init(&c);
	nsites = 0;
	ncomp = 0;
	/* 3 km at 20 km/h; 20 km: 5 km at 20 km/h, 15 km at 60 km/h. */
	CHECK(close_to(tours_leg_seconds(&c, LZ_ROUTE_PROFILE_VAN, 3000), 540));
	CHECK(close_to(tours_leg_seconds(&c, LZ_ROUTE_PROFILE_VAN, 5000), 900));
	CHECK(close_to(tours_leg_seconds(&c, LZ_ROUTE_PROFILE_VAN, 20000),
		       1800));
	CHECK(close_to(tours_leg_seconds(&c, LZ_ROUTE_PROFILE_BIKE, 3000),
		       720));
	c.speed_van = 25 / 3.6;
	CHECK(close_to(tours_leg_seconds(&c, LZ_ROUTE_PROFILE_VAN, 20000),
		       2880));
	c.speed_van = 0;

	hub = site("hub", 1, 43.35, 5.37, "");
	cust = site("cust", 4, 43.33, 5.40, "");
	far = site("far", 4, 43.62, 5.37, "");
	vehicle_init(&van, "van", 500000, 0);
	pv.v = &van;
	pv.hub = hub;
	pv.shift_start = DAY0 + 6 * H;
	pv.shift_end = DAY0 + 18 * H;
	order_init(&o, "m1/near", SRC_HUB_STOCK, 1, 1000, "cust");
	tours_task_for_order(&o, OS_CONFIRMED, cust, NULL, NULL, &c, DAY0,
			     &tb[0]);
	order_init(&o, "m1/far", SRC_HUB_STOCK, 1, 1000, "far");
	tours_task_for_order(&o, OS_CONFIRMED, far, NULL, NULL, &c, DAY0,
			     &tb[1]);
	memset(pt, 0, sizeof(pt));
	pt[0].task = &tb[0].t;
	pt[0].site = cust;
	pt[1].task = &tb[1].t;
	pt[1].site = far;
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 2, &pv, 1, &vrp), 0);
	/* Locations: hub 0, cust 1, far 2. */
	d = lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_VAN, 0, 1);
	s = lz_route_problem_duration(vrp.p, LZ_ROUTE_PROFILE_VAN, 0, 1);
	CHECK(d > 1000 && d < 5000);
	CHECK(close_to(s, d / (20 / 3.6)));
	d = lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_VAN, 0, 2);
	s = lz_route_problem_duration(vrp.p, LZ_ROUTE_PROFILE_VAN, 0, 2);
	CHECK(d > 35000 && d < 45000); /* 30 km x 1.35 */
	CHECK(close_to(s, 5000 / (20 / 3.6) + (d - 5000) / (60 / 3.6)));
	/* Faster than one urban speed, slower than one road speed. */
	CHECK(s > d / (60 / 3.6) && s < d / (20 / 3.6));
	tours_vrp_release(&vrp);

	/* An operator's matrix wins where it has the pair; elsewhere the
	 * same speed model. */
	{
		char path[] = "/tmp/lz-tours-speed.XXXXXX", err[200];
		struct tours_matrix *m = NULL;
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");

		fprintf(f, "hub,far,50000,2400\n");
		fclose(f);
		CHECK_EQ_INT(tours_matrix_load(path, &m, err, sizeof(err)), 0);
		unlink(path);
		c.matrix = m;
		CHECK_EQ_INT(tours_vrp_build(&c, pt, 2, &pv, 1, &vrp), 0);
		CHECK(lz_route_problem_duration(vrp.p, LZ_ROUTE_PROFILE_VAN, 0,
						2) == 2400);
		d = lz_route_problem_distance(vrp.p, LZ_ROUTE_PROFILE_VAN, 2,
					      0);
		s = lz_route_problem_duration(vrp.p, LZ_ROUTE_PROFILE_VAN, 2,
					      0);
		CHECK(close_to(s,
			       tours_leg_seconds(&c, LZ_ROUTE_PROFILE_VAN, d)));
		tours_vrp_release(&vrp);
		c.matrix = NULL;
		tours_matrix_destroy(&m);
	}
}

/* The Stop of task I in PLAN (NULL when not planned). */
static const Stop *
stop_of(const struct tours_plan *plan, const struct tours_ptask *pt, int i)
{
	if (pt[i].tour < 0 || (size_t)pt[i].tour >= plan->ntours)
		return NULL;
	return plan->tours[pt[i].tour]->stops[pt[i].stop];
}

/* Tasks at one site in one tour with intersecting windows are one Stop,
 * whose setup is paid once and each task's service in turn; a task there
 * whose window does not meet theirs is another Stop.  Tasks whose windows
 * share an hour are one routing job already; the others, when the solver
 * puts them one after the other, are merged into one Stop. */
static void
test_stops_per_place(void)
{
	struct tours_conf c;
	struct tours_pvehicle pv;
	struct tours_ptask pt[6];
	struct tours_vrp vrp;
	struct tours_plan plan;
	struct lz_route_options o;
	struct lz_route_solution *sol = NULL;
	Lz__Tours__V1__CollectionRequested col =
		LZ__TOURS__V1__COLLECTION_REQUESTED__INIT;
	TimeWindow cw = LZ__COMMON__V1__TIME_WINDOW__INIT;
	ClassLoad cl = LZ__TOURS__V1__CLASS_LOAD__INIT, *clp = &cl;
	Vehicle van;
	Site *hub, *cust, *other;
	Order ord;
	const Stop *st;
	int ntask_stops = 0, setups = 0;

	tours_conf_init(&c);
	c.time_limit = 0;
	c.iterations = 300;
	nsites = 0;
	ncomp = 0;
	hub = site("hub", 1, 43.35, 5.37, "");
	cust = site("cust", 4, 43.33, 5.40, "");
	other = site("other", 4, 43.30, 5.38, "");
	vehicle_init(&van, "van", 500000, 0);
	pv.v = &van;
	pv.hub = hub;
	pv.shift_start = DAY0 + 6 * H;
	pv.shift_end = DAY0 + 18 * H;
	/* 0, 1: deliveries at cust, 9-12 and 10-14; 2: at other; 3: a
	 * collection at cust, 9-12; 4: a delivery at cust, 16-17. */
	order_init(&ord, "m1/a", SRC_HUB_STOCK, 1, 1000, "cust");
	tours_task_for_order(&ord, OS_CONFIRMED, cust, NULL, NULL, &c, DAY0,
			     &tb[0]);
	order_init(&ord, "m1/b", SRC_HUB_STOCK, 1, 2000, "cust");
	tw_buf[0].start = DAY0 + 10 * H;
	tw_buf[0].end = DAY0 + 14 * H;
	tours_task_for_order(&ord, OS_CONFIRMED, cust, NULL, NULL, &c, DAY0,
			     &tb[1]);
	order_init(&ord, "m1/c", SRC_HUB_STOCK, 1, 1000, "other");
	tours_task_for_order(&ord, OS_CONFIRMED, other, NULL, NULL, &c, DAY0,
			     &tb[2]);
	col.request_id = "jars";
	col.site_id = "cust";
	cw.start = DAY0 + 9 * H;
	cw.end = DAY0 + 12 * H;
	col.window = &cw;
	cl.temperature_class =
		LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_AMBIENT;
	cl.grams = 3000;
	col.n_loads = 1;
	col.loads = &clp;
	CHECK_EQ_INT(tours_task_for_collection(&col, cust, &c, DAY0, &tb[3]),
		     1);
	order_init(&ord, "m1/d", SRC_HUB_STOCK, 1, 1000, "cust");
	tw_buf[0].start = DAY0 + 16 * H;
	tw_buf[0].end = DAY0 + 17 * H;
	tours_task_for_order(&ord, OS_CONFIRMED, cust, NULL, NULL, &c, DAY0,
			     &tb[4]);
	memset(pt, 0, sizeof(pt));
	for (int i = 0; i < 5; i++) {
		pt[i].task = &tb[i].t;
		pt[i].site = i == 2 ? other : cust;
	}

	/* Grouped: 0, 1 and 3 are one job, 10:00-12:00, the setup once and
	 * three services; 2 and 4 alone. */
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 5, &pv, 1, &vrp), 0);
	CHECK_EQ_INT(vrp.njobs, 3);
	CHECK_EQ_INT(vrp.job_first[1], 3);
	CHECK(lz_route_problem_job(vrp.p, 0)->setup == 120);
	CHECK(lz_route_problem_job(vrp.p, 0)->service == 3 * 180);
	CHECK(lz_route_problem_job(vrp.p, 0)->tw[0].start == DAY0 + 10 * H);
	CHECK(lz_route_problem_job(vrp.p, 0)->tw[0].end == DAY0 + 12 * H);
	CHECK(lz_route_problem_job(vrp.p, 0)->pickup[0] == 3000);
	CHECK(lz_route_problem_job(vrp.p, 0)->delivery[0] ==
	      2 * 2000 + 2 * 1000);
	tours_vrp_release(&vrp);
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 5, &pv, 1, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 5);
	CHECK_EQ_INT(pt[0].stop, pt[1].stop);
	CHECK_EQ_INT(pt[0].stop, pt[3].stop);
	CHECK(pt[4].stop != pt[0].stop);
	st = stop_of(&plan, pt, 0);
	CHECK(st != NULL && st->n_task_ids == 3 &&
	      st->departure - st->start == 120 + 3 * 180 &&
	      st->start >= DAY0 + 10 * H && st->start <= DAY0 + 12 * H);
	tours_plan_release(&plan);

	/* Without grouping: a job per task, the setup once per visit. */
	c.group_overlap_s = -1;
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 5, &pv, 1, &vrp), 0);
	CHECK_EQ_INT(vrp.njobs, 5);
	CHECK(lz_route_problem_job(vrp.p, 0)->setup == 120);
	CHECK(lz_route_problem_job(vrp.p, 0)->service == 180);
	CHECK(lz_route_problem_job(vrp.p, 3)->pickup[0] == 3000);
	/* Solved: the visits at cust pay the setup once each. */
	lz_route_options_init(&o);
	o.time_limit = 0;
	o.iterations = 300;
	CHECK_EQ_INT(lz_route_solve(vrp.p, &o, &sol), 0);
	CHECK_EQ_INT(sol->nroutes, 1);
	CHECK_EQ_INT(sol->nunassigned, 0);
	for (int k = 1; sol->nroutes == 1 && k < sol->routes[0].nstops; k++) {
		const struct lz_route_stop *rs = &sol->routes[0].stops[k];

		if (rs->type != LZ_ROUTE_STOP_JOB)
			continue;
		/* Paid on arriving, not again at the same place. */
		CHECK(rs->setup ==
		      (rs->location == sol->routes[0].stops[k - 1].location
			       ? 0
			       : 120));
		if (rs->setup > 0)
			setups++;
	}
	/* Five jobs: at most three visits (cust, other, cust again in the
	 * afternoon, unless the van waits there), at least two. */
	CHECK(setups >= 2 && setups <= 3);
	CHECK(close_to(sol->routes[0].setup, setups * 120));
	CHECK(close_to(sol->routes[0].service, 5 * 180));
	lz_route_solution_destroy(&sol);
	tours_vrp_release(&vrp);

	CHECK_EQ_INT(tours_plan_solve(&c, pt, 5, &pv, 1, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 5);
	CHECK_EQ_INT(plan.ntours, 1);
	/* One Stop for 0, 1 and 3, the windows' intersection 10-12. */
	CHECK_EQ_INT(pt[0].stop, pt[1].stop);
	CHECK_EQ_INT(pt[0].stop, pt[3].stop);
	CHECK(pt[4].stop != pt[0].stop);
	CHECK(pt[2].stop != pt[0].stop);
	st = stop_of(&plan, pt, 0);
	CHECK(st != NULL);
	if (st) {
		CHECK_EQ_INT(st->n_task_ids, 3);
		CHECK_EQ_INT(st->n_task_kinds, 3);
		CHECK_EQ_STR(st->site_id, "cust");
		CHECK(st->window != NULL &&
		      st->window->start == DAY0 + 10 * H &&
		      st->window->end == DAY0 + 12 * H);
		/* The setup once, three services (and any wait for a window
		 * inside the visit). */
		CHECK(st->departure - st->start >= 120 + 3 * 180);
		CHECK(st->start >= st->arrival);
		CHECK_EQ_INT(pt[1].arrival, st->arrival);
	}
	/* The afternoon task at cust: its own Stop, its own window. */
	st = stop_of(&plan, pt, 4);
	CHECK(st != NULL && st->n_task_ids == 1 &&
	      st->window->start == DAY0 + 16 * H && st->start >= DAY0 + 16 * H);
	for (size_t k = 0; k < plan.tours[0]->n_stops; k++)
		if (plan.tours[0]->stops[k]->kind == SK_TASK)
			ntask_stops++;
	CHECK_EQ_INT(ntask_stops, 3);
	/* Stop indexes follow the stops: 0 the start, then the visits. */
	for (size_t k = 0; k < plan.tours[0]->n_stops; k++)
		CHECK_EQ_INT(plan.tours[0]->stops[k]->index, k);
	tours_plan_release(&plan);

	/* Without merging, a Stop per routing job, as before. */
	c.merge_stops = 0;
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 5, &pv, 1, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 5);
	CHECK(plan.ntours == 1 && plan.tours[0]->n_stops == 7);
	tours_plan_release(&plan);
}

/* Tasks at one site of different refrigeration needs are one job only
 * when that sends neither to a scarcer vehicle: with a refrigerated van
 * alone, a chilled and an ambient delivery are one visit; with a diesel
 * van beside it, the ambient one may ride in either. */
static void
test_group_skills(void)
{
	struct tours_conf c;
	struct tours_pvehicle pv[2];
	struct tours_ptask pt[2];
	struct tours_vrp vrp;
	struct tours_plan plan;
	Vehicle cold, van;
	Site *hub, *rp;
	Order o;

	tours_conf_init(&c);
	c.time_limit = 0;
	c.iterations = 100;
	nsites = 0;
	ncomp = 0;
	hub = site("hub", 1, 43.35, 5.37, "");
	rp = site("rp", 5, 43.31, 5.39, "");
	vehicle_init(&cold, "cold", 300000, 100000);
	vehicle_init(&van, "van", 500000, 0);
	pv[0].v = &cold;
	pv[1].v = &van;
	for (int i = 0; i < 2; i++) {
		pv[i].hub = hub;
		pv[i].shift_start = DAY0 + 6 * H;
		pv[i].shift_end = DAY0 + 18 * H;
	}
	order_init(&o, "m1/cold", SRC_HUB_STOCK, 2, 1000, "rp");
	tw_buf[0].start = DAY0 + 7 * H;
	tw_buf[0].end = DAY0 + 12 * H;
	tours_task_for_order(&o, OS_CONFIRMED, rp, NULL, NULL, &c, DAY0,
			     &tb[0]);
	order_init(&o, "m1/dry", SRC_HUB_STOCK, 1, 1000, "rp");
	tw_buf[0].start = DAY0 + 10 * H;
	tw_buf[0].end = DAY0 + 17 * H;
	tours_task_for_order(&o, OS_CONFIRMED, rp, NULL, NULL, &c, DAY0,
			     &tb[1]);
	memset(pt, 0, sizeof(pt));
	for (int i = 0; i < 2; i++) {
		pt[i].task = &tb[i].t;
		pt[i].site = rp;
	}
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 2, pv, 1, &vrp), 0);
	CHECK_EQ_INT(vrp.njobs, 1);
	CHECK(lz_route_problem_job(vrp.p, 0)->skills == 1);
	CHECK(lz_route_problem_job(vrp.p, 0)->tw[0].start == DAY0 + 10 * H);
	tours_vrp_release(&vrp);
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 2, pv, 2, &vrp), 0);
	CHECK_EQ_INT(vrp.njobs, 2);
	tours_vrp_release(&vrp);
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 2, pv, 1, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 2);
	CHECK_EQ_INT(pt[0].stop, pt[1].stop);
	tours_plan_release(&plan);
}

/* A delivery's ready time holds its tour at the hub: no tour leaves before
 * the ready time of a task it delivers; one ready too late for its window
 * is not planned (not_ready).  A producer's goods, cross-docked, may reach
 * the bike relay after the bike wave. */
static void
test_ready_times(void)
{
	struct tours_conf c;
	struct tours_pvehicle pv[2];
	struct tours_ptask pt[4];
	struct tours_vrp vrp;
	struct tours_plan plan;
	Vehicle v1, v2;
	Site *hub, *cust, *other, *centre, *relay;
	Order o;
	const Stop *st;

	tours_conf_init(&c);
	c.time_limit = 0;
	c.iterations = 200;
	nsites = 0;
	ncomp = 0;
	hub = site("hub", 1, 43.35, 5.37, "");
	cust = site("cust", 4, 43.33, 5.40, "");
	other = site("other", 4, 43.30, 5.38, "");
	centre = site("vp", 4, 43.297, 5.38, "centre");
	relay = site("relay", 2, 43.296, 5.375, "centre");

	/* Cross-docked to the centre: at the relay until 12:00 - 30 min of
	 * handling - an hour for the bikes; hub stock before the wave. */
	order_init(&o, "m1/x", SRC_PRODUCER_PICKUP, 1, 1000, "vp");
	CHECK_EQ_INT(tours_task_for_order(&o, OS_AT_HUB, centre, NULL, relay,
					  &c, DAY0, &tb[0]),
		     1);
	CHECK_EQ_INT(tb[0].t.kind, TK_RELAY);
	CHECK_EQ_INT(tb[0].t.window->end, DAY0 + 10 * H + 1800);
	CHECK_EQ_INT(tb[0].t.ready_at, 0);
	order_init(&o, "m1/y", SRC_HUB_STOCK, 1, 1000, "vp");
	CHECK_EQ_INT(tours_task_for_order(&o, OS_CONFIRMED, centre, NULL, relay,
					  &c, DAY0, &tb[0]),
		     1);
	CHECK_EQ_INT(tb[0].t.window->end, DAY0 + 10 * H);

	vehicle_init(&v1, "v1", 500000, 0);
	vehicle_init(&v2, "v2", 500000, 0);
	pv[0].v = &v1;
	pv[1].v = &v2;
	for (int i = 0; i < 2; i++) {
		pv[i].hub = hub;
		pv[i].shift_start = DAY0 + 6 * H;
		pv[i].shift_end = DAY0 + 18 * H;
	}
	/* 0: ready at 13:00; 1: ready; 2: ready at 19:00, after its window
	 * (and every shift); all 9:00-18:00. */
	for (int i = 0; i < 3; i++) {
		char *ids[] = {"m1/r0", "m1/r1", "m1/r2"};

		order_init(&o, ids[i], SRC_HUB_STOCK, 1, 1000,
			   i == 1 ? "other" : "cust");
		tw_buf[0].end = DAY0 + 18 * H;
		tours_task_for_order(&o, OS_CONFIRMED, i == 1 ? other : cust,
				     NULL, NULL, &c, DAY0, &tb[i]);
	}
	tb[0].t.ready_at = DAY0 + 13 * H;
	tb[2].t.ready_at = DAY0 + 19 * H;
	memset(pt, 0, sizeof(pt));
	for (int i = 0; i < 3; i++) {
		pt[i].task = &tb[i].t;
		pt[i].site = i == 1 ? other : cust;
	}
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 3, pv, 2, &vrp), 0);
	CHECK(lz_route_problem_job(vrp.p, 0)->release == DAY0 + 13 * H);
	CHECK(lz_route_problem_job(vrp.p, 1)->release == 0);
	tours_vrp_release(&vrp);
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 3, pv, 2, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(pt[0].reason, RS_NONE);
	CHECK_EQ_INT(pt[1].reason, RS_NONE);
	CHECK_EQ_INT(pt[2].reason, RS_NOT_READY);
	for (size_t k = 0; k < plan.ntours; k++) {
		const Tour *t = plan.tours[k];

		for (size_t s = 0; s < t->n_stops; s++)
			for (size_t j = 0; j < t->stops[s]->n_task_ids; j++)
				for (int i = 0; i < 3; i++)
					if (strcmp(t->stops[s]->task_ids[j],
						   tb[i].t.task_id) == 0) {
						CHECK(t->start >=
						      tb[i].t.ready_at);
						CHECK(t->stops[0]->departure >=
						      tb[i].t.ready_at);
					}
	}
	st = stop_of(&plan, pt, 0);
	CHECK(st != NULL && st->arrival > DAY0 + 13 * H &&
	      plan.tours[pt[0].tour]->start >= DAY0 + 13 * H);
	tours_plan_release(&plan);

	/* At the bike relay: the hub's parcels before the bike wave, a
	 * producer's (ready at 13:00, the customer's window until 19:00) in
	 * the afternoon -- not one drop held until the later is ready. */
	order_init(&o, "m1/hub", SRC_HUB_STOCK, 1, 1000, "vp");
	tours_task_for_order(&o, OS_CONFIRMED, centre, NULL, relay, &c, DAY0,
			     &tb[0]);
	order_init(&o, "m1/farm", SRC_PRODUCER_PICKUP, 1, 1000, "vp");
	tw_buf[0].start = DAY0 + 12 * H;
	tw_buf[0].end = DAY0 + 19 * H;
	tours_task_for_order(&o, OS_AT_HUB, centre, NULL, relay, &c, DAY0,
			     &tb[1]);
	CHECK_EQ_INT(tb[1].t.window->end, DAY0 + 17 * H + 1800);
	tb[1].t.ready_at = DAY0 + 13 * H;
	for (int i = 0; i < 2; i++) {
		memset(&pt[i], 0, sizeof(pt[i]));
		pt[i].task = &tb[i].t;
		pt[i].site = relay;
	}
	CHECK_EQ_INT(tours_vrp_build(&c, pt, 2, pv, 2, &vrp), 0);
	CHECK_EQ_INT(vrp.njobs, 2);
	tours_vrp_release(&vrp);
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 2, pv, 2, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 2);
	CHECK(pt[0].arrival <= DAY0 + 10 * H);
	CHECK(pt[1].arrival > DAY0 + 13 * H);
	tours_plan_release(&plan);
}

/* An electric van's range: no tour of it is planned longer. */
static void
test_range(void)
{
	struct tours_conf c;
	struct tours_pvehicle pv[2];
	struct tours_ptask pt[3];
	struct tours_plan plan;
	Vehicle ev, diesel;
	Site *hub, *north, *east, *far;
	Order o;

	tours_conf_init(&c);
	c.time_limit = 0;
	c.iterations = 300;
	nsites = 0;
	ncomp = 0;
	/* 30 km north and 30 km east of the hub (each 81 km there and
	 * back on the road, 138 km both), and 60 km north (162 km). */
	hub = site("hub", 1, 43.35, 5.37, "");
	north = site("north", 4, 43.62, 5.37, "");
	east = site("east", 4, 43.35, 5.741, "");
	far = site("far", 4, 43.89, 5.37, "");
	vehicle_init(&ev, "ev", 500000, 0);
	ev.kind = LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_ELECTRIC_VAN;
	ev.range_km = 120;
	vehicle_init(&diesel, "diesel", 500000, 0);
	pv[0].v = &ev;
	pv[1].v = &diesel;
	for (int i = 0; i < 2; i++) {
		pv[i].hub = hub;
		pv[i].shift_start = DAY0 + 6 * H;
		pv[i].shift_end = DAY0 + 18 * H;
	}
	for (int i = 0; i < 3; i++) {
		char *ids[] = {"m1/n", "m1/e", "m1/f"};
		Site *to[] = {north, east, far};

		order_init(&o, ids[i], SRC_HUB_STOCK, 1, 1000, to[i]->site_id);
		tw_buf[0].end = DAY0 + 17 * H;
		tours_task_for_order(&o, OS_CONFIRMED, to[i], NULL, NULL, &c,
				     DAY0, &tb[i]);
		pt[i].task = &tb[i].t;
		pt[i].site = to[i];
	}
	/* The electric van alone: one of north and east, not both, and
	 * never the far one. */
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 3, pv, 1, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 1);
	CHECK_EQ_INT(pt[2].reason, RS_MAX_DISTANCE);
	CHECK(pt[0].reason == RS_NO_ROOM || pt[1].reason == RS_NO_ROOM);
	CHECK(plan.ntours == 1 && plan.tours[0]->distance_m > 60000 &&
	      plan.tours[0]->distance_m <= 120000);
	tours_plan_release(&plan);
	/* With a diesel van beside it: everything planned, the electric
	 * van's tour still within its range. */
	CHECK_EQ_INT(tours_plan_solve(&c, pt, 3, pv, 2, "2026-11-24", "day",
				      "p", &plan),
		     0);
	CHECK_EQ_INT(plan.planned, 3);
	for (size_t k = 0; k < plan.ntours; k++)
		if (strcmp(plan.tours[k]->vehicle_id, "ev") == 0)
			CHECK(plan.tours[k]->distance_m <= 120000);
	CHECK(strcmp(plan.tours[pt[2].tour]->vehicle_id, "diesel") == 0);
	tours_plan_release(&plan);
}

static void
test_matrix(void)
{
	char path[] = "/tmp/lz-tours-matrix.XXXXXX", err[200];
	struct tours_matrix *m = NULL;
	double d, s;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "# from,to,metres,seconds\nhub,cust,5000,600\n"
		   "cust,hub,5200,650\n");
	fclose(f);
	CHECK_EQ_INT(tours_matrix_load(path, &m, err, sizeof(err)), 0);
	CHECK_EQ_INT(tours_matrix_get(m, "hub", "cust", &d, &s), 0);
	CHECK(d == 5000 && s == 600);
	CHECK_EQ_INT(tours_matrix_get(m, "cust", "farm", &d, &s), -1);
	tours_matrix_destroy(&m);
	CHECK(m == NULL);
	f = fopen(path, "w");
	fprintf(f, "hub,cust,-1,3\n");
	fclose(f);
	CHECK(tours_matrix_load(path, &m, err, sizeof(err)) < 0);
	CHECK(strstr(err, "line 1") != NULL);
	unlink(path);
}

static void
test_names(void)
{
	/* The strings of the table lz_enum_name replaced: metric labels and
	 * stat names keep them. */
	static const char *const reasons[] = {
		"unspecified",     "unknown_site",
		"no_hub",          "no_vehicle",
		"skills",          "capacity",
		"time_window",     "no_room",
		"unknown_vehicle", "unknown_tour",
		"bad_stop",        "bad_state",
		"invalid",         "unknown_vehicle_hub",
		"no_relay",        "duplicate",
		"max_duration",    "max_distance",
		"not_picked",      "not_ready",
		"not_your_tour",
	};

	for (int r = 0; r < (int)(sizeof(reasons) / sizeof(reasons[0])); r++)
		CHECK_EQ_STR(tours_reason_name(r), reasons[r]);
	CHECK_EQ_INT(RS_NOT_YOUR_TOUR + 1,
		     (int)(sizeof(reasons) / sizeof(reasons[0])));
	CHECK_EQ_STR(tours_reason_name(RS_NOT_YOUR_TOUR + 1), "unknown");
	CHECK_EQ_STR(tours_reason_name(-1), "unknown");
	CHECK_EQ_STR(tours_tour_status_name(TOUR_PLANNED), "planned");
	CHECK_EQ_STR(tours_tour_status_name(TOUR_STARTED), "started");
	CHECK_EQ_STR(tours_tour_status_name(TOUR_COMPLETED), "completed");
	CHECK_EQ_INT(tours_class_index(0), 0);
	CHECK_EQ_INT(tours_class_index(3), 2);
	CHECK_EQ_INT(tours_class_index(4), 0);
}

static void
test_sources(void)
{
	struct lz_service svc = {0};
	const struct lz_handler *h;

	svc.commands = tours_commands;
	svc.n_commands = tours_n_commands;
	svc.follows = tours_follows;
	svc.n_follows = tours_n_follows;
	/* Every command comes from the gateway, none from another service
	 * but the returns service's collection requests. */
	for (size_t i = 0; i < tours_n_commands; i++) {
		const struct lz_handler *c = &tours_commands[i];
		int collection =
			c->desc ==
			&lz__tours__v1__collection_requested__descriptor;

		CHECK(c->fn != NULL);
		CHECK(strncmp(c->desc->name, "lz.tours.v1.", 12) == 0);
		CHECK(lz_service_from(c->from, "gateway"));
		CHECK(!lz_service_from(c->from, "orders"));
		CHECK(!lz_service_from(c->from, "tours"));
		CHECK(lz_service_from(c->from, "returns") == collection);
	}
	CHECK_EQ_INT((int)tours_n_commands, 9);
	h = lz_service_handler(&svc, "lz.tours.v1.AssignDriver");
	CHECK(h != NULL && strcmp(h->from, "gateway") == 0);
	/* The followed events come each from its own service: the orders
	 * service's, and the inventory's picking. */
	for (size_t i = 0; i < tours_n_follows; i++) {
		const struct lz_handler *f = &tours_follows[i];
		int inv = strncmp(f->desc->name, "lz.inventory.v1.", 16) == 0;

		CHECK(f->fn != NULL);
		CHECK(inv || strncmp(f->desc->name, "lz.orders.v1.", 13) == 0);
		CHECK_EQ_STR(f->from, inv ? "inventory" : "orders");
	}
	CHECK_EQ_INT((int)tours_n_follows, 6);
	h = lz_service_handler(&svc, "lz.inventory.v1.OrderPicked");
	CHECK(h != NULL && strcmp(h->from, "inventory") == 0);
	CHECK(lz_service_handler(&svc, "lz.inventory.v1.PickTour") == NULL);
	h = lz_service_handler(&svc, "lz.orders.v1.OrderPlaced");
	CHECK(h != NULL && !lz_service_from(h->from, "gateway"));
	h = lz_service_handler(&svc, "lz.tours.v1.CollectionRequested");
	CHECK(h != NULL && strcmp(h->from, "gateway,returns") == 0);
	h = lz_service_handler(&svc, "lz.tours.v1.PlanWave");
	CHECK(h != NULL && strcmp(h->from, "gateway") == 0);
	CHECK(lz_service_handler(&svc, "lz.tours.v1.TourPlanned") == NULL);
	CHECK(lz_service_handler(&svc, "lz.orders.v1.PlaceOrder") == NULL);
}

/* Who may report on a tour: its driver, an operator; anyone while it has
 * none. */
static void
test_may_report(void)
{
	CHECK(tours_may_report("dan", "dan", 0));
	CHECK(!tours_may_report("dan", "eve", 0));
	CHECK(!tours_may_report("dan", "da", 0));
	CHECK(!tours_may_report("dan", "dann", 0));
	CHECK(!tours_may_report("dan", "", 0));
	CHECK(!tours_may_report("dan", NULL, 0));
	CHECK(tours_may_report("dan", "ops", 1));
	CHECK(tours_may_report("dan", NULL, 1));
	CHECK(tours_may_report("", "eve", 0));
	CHECK(tours_may_report(NULL, "eve", 0));
	CHECK(tours_may_report("", NULL, 0));
}

/* A report's own time: within its day (6 h before midnight to 30 h
 * after), not before the start it follows; 0 is "when received". */
static void
test_report_time(void)
{
	int64_t mid, out = 0;
	const char *why = NULL;

	CHECK(lz_date_midnight("2026-12-05", &mid, NULL) == 0);
	CHECK(lz_date_report_time("2026-12-05", 0, 0, 42, &out, &why) == 0);
	CHECK(out == 42);
	CHECK(lz_date_report_time("2026-12-05", 0, mid + 9 * 3600, 42, &out,
				  &why) == 0);
	CHECK(out == mid + 9 * 3600);
	CHECK(lz_date_report_time("2026-12-05", 0, mid - 6 * 3600, 42, &out,
				  &why) == 0);
	CHECK(lz_date_report_time("2026-12-05", 0, mid + 30 * 3600, 42, &out,
				  &why) == 0);
	CHECK(lz_date_report_time("2026-12-05", 0, mid - 6 * 3600 - 1, 42, &out,
				  &why) == -1);
	CHECK(out == 42 && why && strstr(why, "outside its day"));
	CHECK(lz_date_report_time("2026-12-05", 0, mid + 30 * 3600 + 1, 42,
				  &out, &why) == -1);
	why = NULL;
	CHECK(lz_date_report_time("2026-12-05", mid + 10 * 3600,
				  mid + 10 * 3600 - 1, 42, &out, &why) == -1);
	CHECK(why && strstr(why, "before the start"));
	CHECK(lz_date_report_time("2026-12-05", mid + 10 * 3600,
				  mid + 10 * 3600, 42, &out, &why) == 0);
	CHECK(lz_date_report_time("2026-13-05", 0, mid, 42, &out, &why) == -1);
}

int
main(void)
{
	if (lz_date_set_timezone("Europe/Paris") != 0) {
		printf("not ok: no Europe/Paris zone\n");
		return 1;
	}
	CHECK(lz_date_set_timezone("Nowhere/Land") != 0);
	lz_date_set_timezone("Europe/Paris");
	RUN(test_dates);
	RUN(test_retry_date);
	RUN(test_tasks);
	RUN(test_plan);
	RUN(test_speed_model);
	RUN(test_stops_per_place);
	RUN(test_group_skills);
	RUN(test_ready_times);
	RUN(test_range);
	RUN(test_matrix);
	RUN(test_names);
	RUN(test_sources);
	RUN(test_may_report);
	RUN(test_report_time);
	return lz_test_summary();
}
