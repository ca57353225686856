/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_impact.c -- the impact service's accounting (account.c, render.c)
 * on hand-computed cases: energy and CO2e from the factors (and when the
 * factors change), a tour's distance from its odometer or its plan, fill
 * and empty running along a tour with known km and loads, the
 * counterfactual of two shippers, a whole report over a period, a member's
 * share, and the CSV and HTML renderings.
 */
#include "account.h"
#include "lz_date.h"
#include "lz_route.h"
#include "lz_test.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void
test_energy(void)
{
	struct impact_conf c;
	struct impact_energy e;

	impact_conf_init(&c);
	/* a diesel van without its own figure: 8.5 l/100 km x 3.17 kg/l */
	impact_trip_energy(&c, VK_DIESEL_VAN, 0, 0, 100000, &e);
	CHECK_EQ_INT(e.fuel_ml, 8500);
	CHECK_EQ_INT(e.co2e_g, 26945);
	CHECK(e.factored);
	/* 0.26945 kg/km, as the README says (about 0.27) */
	impact_trip_energy(&c, VK_DIESEL_VAN, FUEL_DIESEL, 0, 1000, &e);
	CHECK_EQ_INT(e.co2e_g, 269);
	/* its own consumption: 10 l/100 km over 42 km */
	impact_trip_energy(&c, VK_REFRIGERATED_VAN, FUEL_DIESEL, 10000, 42000,
			   &e);
	CHECK_EQ_INT(e.fuel_ml, 4200);
	CHECK_EQ_INT(e.co2e_g, 13314);
	/* an electric van at 20 kWh/100 km over 50 km: 10 kWh x 48 g */
	impact_trip_energy(&c, VK_ELECTRIC_VAN, 0, 20000, 50000, &e);
	CHECK_EQ_INT(e.energy_wh, 10000);
	CHECK_EQ_INT(e.fuel_ml, 0);
	CHECK_EQ_INT(e.co2e_g, 480);
	/* without its consumption an electric van has no factor */
	impact_trip_energy(&c, VK_ELECTRIC_VAN, 0, 0, 50000, &e);
	CHECK(!e.factored);
	CHECK_EQ_INT(e.co2e_g, 0);
	/* a cargo bike at its default 2 kWh/100 km over 12.5 km: 250 Wh */
	impact_trip_energy(&c, VK_CARGO_BIKE, 0, 0, 12500, &e);
	CHECK_EQ_INT(e.energy_wh, 250);
	CHECK_EQ_INT(e.co2e_g, 12);
	/* petrol and gas are not configured by default */
	impact_trip_energy(&c, VK_DIESEL_VAN, FUEL_PETROL, 7000, 100000, &e);
	CHECK(!e.factored);
	CHECK_EQ_INT(e.fuel_ml, 7000);
	impact_trip_energy(&c, VK_GAS_VAN, 0, 9000, 100000, &e);
	CHECK(!e.factored);
	/* muscle */
	impact_trip_energy(&c, VK_CARGO_BIKE, FUEL_NONE, 0, 10000, &e);
	CHECK(e.factored);
	CHECK_EQ_INT(e.co2e_g, 0);
	CHECK_EQ_INT(e.energy_wh, 0);
	/* negative distances count as none */
	impact_trip_energy(&c, VK_DIESEL_VAN, 0, 0, -5, &e);
	CHECK_EQ_INT(e.co2e_g, 0);
}

static void
test_factor_change(void)
{
	struct impact_conf c;
	struct impact_energy e;

	impact_conf_init(&c);
	c.diesel_g_per_l = 2500;
	c.van_ml_per_100km = 10000;
	c.electricity_g_per_kwh = 60;
	c.petrol_g_per_l = 2800;
	impact_trip_energy(&c, VK_DIESEL_VAN, 0, 0, 100000, &e);
	CHECK_EQ_INT(e.fuel_ml, 10000);
	CHECK_EQ_INT(e.co2e_g, 25000);
	impact_trip_energy(&c, VK_ELECTRIC_VAN, 0, 20000, 50000, &e);
	CHECK_EQ_INT(e.co2e_g, 600);
	impact_trip_energy(&c, VK_DIESEL_VAN, FUEL_PETROL, 7000, 100000, &e);
	CHECK(e.factored);
	CHECK_EQ_INT(e.co2e_g, 19600);
}

static void
test_tour_distance(void)
{
	TourRecord r = LZ__IMPACT__V1__TOUR_RECORD__INIT;
	Tour t = LZ__TOURS__V1__TOUR__INIT;
	int odo = -1;

	t.distance_m = 38500;
	r.tour = &t;
	CHECK_EQ_INT(impact_tour_distance(&r, &odo), 38500);
	CHECK_EQ_INT(odo, 0);
	r.odometer_start_km = 12000;
	r.odometer_end_km = 12042;
	CHECK_EQ_INT(impact_tour_distance(&r, &odo), 42000);
	CHECK_EQ_INT(odo, 1);
	/* only one reading, or readings going backwards: planned */
	r.odometer_start_km = 0;
	CHECK_EQ_INT(impact_tour_distance(&r, &odo), 38500);
	CHECK_EQ_INT(odo, 0);
	r.odometer_start_km = 13000;
	CHECK_EQ_INT(impact_tour_distance(&r, &odo), 38500);
	CHECK_EQ_INT(odo, 0);
}

/* A tour: hub (300 kg ambient, 50 kg chilled on board) -10 km-> stop 1
 * (100 kg ambient and the 50 kg chilled left) -5 km-> stop 2 (empty)
 * -10 km-> hub; compartments 1000 kg ambient, 200 kg chilled. */
static Lz__Tours__V1__Stop stops[4];
static Lz__Tours__V1__Stop *stopp[4];
static Lz__Tours__V1__ClassLoad loads[4][2];
static Lz__Tours__V1__ClassLoad *loadp[4][2];
static Lz__Tours__V1__CompartmentFill fills[2];
static Lz__Tours__V1__CompartmentFill *fillp[2];

static void
make_tour(Tour *t)
{
	static const int64_t dist[4] = {0, 10000, 15000, 25000};
	static const int64_t amb[4] = {300000, 100000, 0, 0};
	static const int64_t chi[4] = {50000, 50000, 0, 0};
	Tour init = LZ__TOURS__V1__TOUR__INIT;

	*t = init;
	for (int i = 0; i < 4; i++) {
		Lz__Tours__V1__Stop s = LZ__TOURS__V1__STOP__INIT;
		Lz__Tours__V1__ClassLoad l = LZ__TOURS__V1__CLASS_LOAD__INIT;

		stops[i] = s;
		stops[i].index = (uint32_t)i;
		stops[i].distance_m = dist[i];
		loads[i][0] = l;
		loads[i][0].temperature_class =
			LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_AMBIENT;
		loads[i][0].grams = amb[i];
		loads[i][1] = l;
		loads[i][1].temperature_class =
			LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_CHILLED;
		loads[i][1].grams = chi[i];
		loadp[i][0] = &loads[i][0];
		loadp[i][1] = &loads[i][1];
		stops[i].n_load_after = 2;
		stops[i].load_after = loadp[i];
		stopp[i] = &stops[i];
	}
	for (int k = 0; k < 2; k++) {
		Lz__Tours__V1__CompartmentFill f =
			LZ__TOURS__V1__COMPARTMENT_FILL__INIT;

		fills[k] = f;
		fills[k].temperature_class =
			(Lz__Common__V1__TemperatureClass)(k + 1);
		fills[k].capacity_grams = k == 0 ? 1000000 : 200000;
		fillp[k] = &fills[k];
	}
	t->n_stops = 4;
	t->stops = stopp;
	t->n_fill = 2;
	t->fill = fillp;
	t->distance_m = 25000;
	t->date = "2026-11-26";
}

static void
test_legs(void)
{
	Tour t;
	int64_t carried[3] = {0}, cap[3] = {0}, empty = 0, legs = 0;

	make_tour(&t);
	impact_tour_legs(&t, 1, carried, cap, &empty, &legs);
	/* 300 kg x 10 km + 100 kg x 5 km = 3500 kg.km */
	CHECK_EQ_INT(carried[0], INT64_C(3500000000));
	/* 50 kg x 15 km */
	CHECK_EQ_INT(carried[1], INT64_C(750000000));
	CHECK_EQ_INT(carried[2], 0);
	/* 1000 kg x 25 km, 200 kg x 25 km */
	CHECK_EQ_INT(cap[0], INT64_C(25000000000));
	CHECK_EQ_INT(cap[1], INT64_C(5000000000));
	CHECK_EQ_INT(empty, 10000);
	CHECK_EQ_INT(legs, 25000);
	/* a quarter of it */
	memset(carried, 0, sizeof(carried));
	memset(cap, 0, sizeof(cap));
	empty = legs = 0;
	impact_tour_legs(&t, 0.25, carried, cap, &empty, &legs);
	CHECK_EQ_INT(carried[0], INT64_C(875000000));
	CHECK_EQ_INT(empty, 2500);
	CHECK_EQ_INT(legs, 6250);
}

/* Great circle x 1.35, as the counterfactual measures. */
static double
road(double la1, double lo1, double la2, double lo2)
{
	return lz_route_haversine(la1, lo1, la2, lo2) * 1.35;
}

static void
test_counterfactual(void)
{
	struct impact_conf c;
	/* shipper A's bakery and two customers; shipper B's farm, one */
	const double a_lat = 43.2965, a_lon = 5.3698;
	struct impact_cf_stop a[2] = {{43.3100, 5.3900, 100000},
				      {43.3200, 5.4000, 150000}};
	const double b_lat = 43.4000, b_lon = 5.2000;
	struct impact_cf_stop b[1] = {{43.2800, 5.3800, 50000}};
	int64_t m, rounds;
	double round_a, direct_a, direct_b;

	impact_conf_init(&c);
	round_a = road(a_lat, a_lon, a[0].lat, a[0].lon) +
		  road(a[0].lat, a[0].lon, a[1].lat, a[1].lon) +
		  road(a[1].lat, a[1].lon, a_lat, a_lon);
	direct_a = 2 * road(a_lat, a_lon, a[0].lat, a[0].lon) +
		   2 * road(a_lat, a_lon, a[1].lat, a[1].lon);
	direct_b = 2 * road(b_lat, b_lon, b[0].lat, b[0].lon);
	/* A: both orders fit in its van, one round */
	CHECK_EQ_INT(impact_cf_rounds(&c, a_lat, a_lon, a, 2, &m, &rounds), 0);
	CHECK_EQ_INT(rounds, 1);
	CHECK(llabs(m - llround(round_a)) <= 1);
	/* B: one return trip */
	CHECK_EQ_INT(impact_cf_rounds(&c, b_lat, b_lon, b, 1, &m, &rounds), 0);
	CHECK_EQ_INT(rounds, 1);
	CHECK(llabs(m - llround(direct_b)) <= 1);
	/* A with a 200 kg van: 100 + 150 kg do not fit, two rounds */
	c.cf_capacity_g = 200000;
	CHECK_EQ_INT(impact_cf_rounds(&c, a_lat, a_lon, a, 2, &m, &rounds), 0);
	CHECK_EQ_INT(rounds, 2);
	CHECK(llabs(m - llround(direct_a)) <= 1);
	/* an order heavier than the van: counted as a full van, still served */
	c.cf_capacity_g = 50000;
	CHECK_EQ_INT(impact_cf_rounds(&c, a_lat, a_lon, a, 2, &m, &rounds), 0);
	CHECK_EQ_INT(rounds, 2);
	/* the direct-trips method: a return trip per order */
	impact_conf_init(&c);
	c.method = CF_DIRECT_TRIPS;
	CHECK_EQ_INT(impact_cf_rounds(&c, a_lat, a_lon, a, 2, &m, &rounds), 0);
	CHECK_EQ_INT(rounds, 2);
	CHECK(llabs(m - llround(direct_a)) <= 1);
	CHECK(round_a < direct_a);
	/* nothing to deliver */
	CHECK_EQ_INT(impact_cf_rounds(&c, a_lat, a_lon, a, 0, &m, &rounds), 0);
	CHECK_EQ_INT(m, 0);
	CHECK_EQ_INT(rounds, 0);
}

static Site *
mksite(Site *s, GeoPoint *g, const char *id, const char *member, int kind,
       double lat, double lon)
{
	Site init = LZ__ORDERS__V1__SITE__INIT;
	GeoPoint ginit = LZ__COMMON__V1__GEO_POINT__INIT;

	*s = init;
	*g = ginit;
	g->lat = lat;
	g->lon = lon;
	s->site_id = (char *)id;
	s->member_id = (char *)member;
	s->kind = (Lz__Orders__V1__SiteKind)kind;
	s->location = g;
	return s;
}

static void
test_origin(void)
{
	Site s[6];
	GeoPoint g[6];
	const Site *dir[6];
	Delivery d = LZ__IMPACT__V1__DELIVERY__INIT;

	/* the directory in id order: a bakery with a shop and its
	 * workshop, a farm, the hub, a site without coordinates */
	dir[0] = mksite(&s[0], &g[0], "a-boutique", "fournil",
			LZ__ORDERS__V1__SITE_KIND__SITE_KIND_CUSTOMER, 43.29,
			5.37);
	dir[1] = mksite(&s[1], &g[1], "b-atelier", "fournil",
			SITE_KIND_PRODUCER, 43.29, 5.57);
	dir[2] = mksite(&s[2], &g[2], "ferme", "ferme", SITE_KIND_PRODUCER,
			43.45, 5.47);
	dir[3] = mksite(&s[3], &g[3], "hub", "epice", SITE_KIND_HUB, 43.35,
			5.37);
	dir[4] = mksite(&s[4], &g[4], "nowhere", "vide", SITE_KIND_PRODUCER, 0,
			0);
	dir[5] = mksite(&s[5], &g[5], "z-depot", "epice",
			LZ__ORDERS__V1__SITE_KIND__SITE_KIND_PROCESSOR, 43.46,
			5.25);
	/* a hub-stock order: the shipper's producer site first */
	d.member_id = "fournil";
	CHECK(impact_cf_origin(&d, NULL, dir, 6) == &s[1]);
	/* no producer site: any of its own but a hub or a bike relay */
	d.member_id = "epice";
	CHECK(impact_cf_origin(&d, NULL, dir, 6) == &s[5]);
	/* only a site without coordinates, or none at all */
	d.member_id = "vide";
	CHECK(impact_cf_origin(&d, NULL, dir, 6) == NULL);
	d.member_id = "inconnu";
	CHECK(impact_cf_origin(&d, NULL, dir, 6) == NULL);
	/* a producer pickup: the producer delivers its own goods */
	d.member_id = "fournil";
	d.source = SRC_PRODUCER_PICKUP;
	CHECK(impact_cf_origin(&d, &s[2], dir, 6) == &s[2]);
	CHECK(impact_cf_origin(&d, &s[4], dir, 6) == NULL);
	CHECK(impact_cf_origin(&d, NULL, dir, 6) == NULL);
	CHECK(!impact_site_located(NULL));
}

static void
test_period(void)
{
	struct impact_conf c;
	struct impact_acc a;

	impact_conf_init(&c);
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2026-11-26", "2026-11-28"), 0);
	CHECK_EQ_INT(a.ndays, 3);
	CHECK(impact_acc_day(&a, "2026-11-27") != NULL);
	CHECK(impact_acc_day(&a, "2026-11-29") == NULL);
	CHECK(impact_acc_day(&a, "2026-11-25") == NULL);
	impact_acc_release(&a);
	/* across the change to winter time: 25 October 2026 is one day */
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2026-10-24", "2026-10-26"), 0);
	CHECK_EQ_INT(a.ndays, 3);
	CHECK_EQ_STR(a.days[1].date, "2026-10-25");
	impact_acc_release(&a);
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2026-11-28", "2026-11-26"),
		     -EINVAL);
	impact_acc_release(&a);
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2026-13-01", "2026-12-01"),
		     -EINVAL);
	impact_acc_release(&a);
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2000-01-01", "2026-12-01"),
		     -EINVAL);
	impact_acc_release(&a);
}

static Delivery
delivery(const char *date, int by_bike)
{
	Delivery d = LZ__IMPACT__V1__DELIVERY__INIT;

	d.date = (char *)date;
	d.by_bike = by_bike;
	return d;
}

static LedgerMoved
movement(const char *type, const char *from, const char *to, uint32_t n,
	 int64_t cents)
{
	LedgerMoved m = LZ__RETURNS__V1__LEDGER_MOVED__INIT;

	m.container_type = (char *)type;
	m.from_account = (char *)from;
	m.to_account = (char *)to;
	m.count = n;
	m.deposit_cents = cents;
	return m;
}

static void
test_report(void)
{
	struct impact_conf c;
	struct impact_acc a;
	struct impact_energy e;
	Report r;
	Tour t;
	Delivery d1 = delivery("2026-11-26", 1), d2 = delivery("2026-11-26", 0),
		 d3 = delivery("2026-11-27", 0), d4 = delivery("2026-12-01", 1);
	LedgerMoved m1 = movement("jar-500ml", "empties:s1", "hub-returned", 40,
				  50),
		    m2 = movement("jar-500ml", "washing", "hub-stock", 30, 50),
		    m3 = movement("crate-30l", "hub-stock", "site:s1", 5, 1000);
	char *csv, *html;

	impact_conf_init(&c);
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2026-11-26", "2026-11-27"), 0);
	/* the tour above, by a diesel van measured at 42 km by odometer,
	 * 3 hours of driving */
	make_tour(&t);
	impact_trip_energy(&c, VK_DIESEL_VAN, 0, 0, 42000, &e);
	impact_acc_trip(&a, "2026-11-26", VK_DIESEL_VAN, 42000, 1, &e, 1,
			3 * 3600);
	impact_tour_legs(&t, 1, a.carried_gm, a.capacity_gm, &a.empty_m,
			 &a.legs_m);
	/* a bike run of 8 km planned */
	impact_trip_energy(&c, VK_CARGO_BIKE, 0, 0, 8000, &e);
	impact_acc_trip(&a, "2026-11-27", VK_CARGO_BIKE, 8000, 0, &e, 1, 0);
	/* outside the period: nothing */
	impact_acc_trip(&a, "2026-11-30", VK_DIESEL_VAN, 99000, 0, &e, 1, 1);
	/* two shippers' counterfactuals: 60 km in two rounds, 30 km */
	impact_acc_cf(&a, "2026-11-26", 60000, 2, 3);
	impact_acc_cf(&a, "2026-11-27", 30000, 1, 1);
	impact_acc_delivery(&a, &d1, 1);
	impact_acc_delivery(&a, &d2, 0);
	impact_acc_delivery(&a, &d3, 0);
	impact_acc_delivery(&a, &d4, 1); /* outside */
	impact_acc_flow(&a, 1, 12000);   /* donation */
	impact_acc_flow(&a, 1, 3000);
	impact_acc_flow(&a, 4, 20000); /* composting */
	impact_acc_flow(&a, 6, 5000);  /* disposal */
	impact_acc_ledger(&a, &m1);
	impact_acc_ledger(&a, &m2);
	impact_acc_ledger(&a, &m3); /* out with a delivery: neither */
	a.rider_s = 4 * 3600;
	impact_acc_report(&a, NULL, NULL, 1795700000, &r);

	/* actual: 42 km diesel (11317 g: 42 x 0.26945 kg) + 8 km bike
	 * (160 Wh x 48 g/kWh = 8 g) */
	CHECK_EQ_INT(r.actual_m, 50000);
	CHECK_EQ_INT(r.actual_co2e_g, 11317 + 8);
	CHECK_EQ_INT(r.n_kinds, 2);
	CHECK_EQ_INT(r.kinds[0]->kind, VK_DIESEL_VAN);
	CHECK_EQ_INT(r.kinds[0]->odometer_m, 42000);
	CHECK_EQ_INT(r.kinds[0]->planned_m, 0);
	CHECK_EQ_INT(r.kinds[0]->fuel_ml, 3570);
	CHECK_EQ_INT(r.kinds[1]->kind, VK_CARGO_BIKE);
	CHECK_EQ_INT(r.kinds[1]->planned_m, 8000);
	CHECK_EQ_INT(r.kinds[1]->energy_wh, 160);
	/* counterfactual: 90 km of diesel van = 24250.5 -> 24251 g (the
	 * sum of the days' 16167 and 8084) */
	CHECK_EQ_INT(r.counterfactual_m, 90000);
	CHECK_EQ_INT(r.counterfactual_co2e_g, 16167 + 8084);
	CHECK_EQ_INT(r.counterfactual_rounds, 3);
	CHECK_EQ_INT(r.counterfactual_orders, 4);
	CHECK_EQ_INT(r.avoided_m, 40000);
	CHECK_EQ_INT(r.avoided_co2e_g, 24251 - 11325);
	CHECK_EQ_INT(r.avoided_permille, 533);
	/* fill: 3500 / 25000 kg.km = 140 permille, 750 / 5000 = 150 */
	CHECK_EQ_INT(r.n_fill, 2);
	CHECK_EQ_INT(r.fill[0]->carried_kgkm, 3500);
	CHECK_EQ_INT(r.fill[0]->capacity_kgkm, 25000);
	CHECK_EQ_INT(r.fill[0]->fill_permille, 140);
	CHECK_EQ_INT(r.fill[1]->fill_permille, 150);
	CHECK_EQ_INT(r.empty_permille, 400);
	/* deliveries: 1 of 3 by bike */
	CHECK_EQ_INT(r.deliveries, 3);
	CHECK_EQ_INT(r.bike_deliveries, 1);
	CHECK_EQ_INT(r.bike_permille, 333);
	CHECK_EQ_INT(r.work_integration_deliveries, 1);
	/* food: 15 + 20 kg diverted, disposal not */
	CHECK_EQ_INT(r.n_food, 3);
	CHECK_EQ_INT(r.food[0]->level, 1);
	CHECK_EQ_INT(r.food[0]->grams, 15000);
	CHECK_EQ_INT(r.food[0]->flows, 2);
	CHECK_EQ_INT(r.food_diverted_g, 35000);
	/* containers: 40 returned, 30 reused worth 15.00 EUR */
	CHECK_EQ_INT(r.n_containers, 1);
	CHECK_EQ_INT(r.containers[0]->returned, 40);
	CHECK_EQ_INT(r.containers[0]->reused, 30);
	CHECK_EQ_INT(r.reused_deposit_cents, 1500);
	CHECK_EQ_INT(r.driver_s, 3 * 3600);
	CHECK_EQ_INT(r.rider_s, 4 * 3600);
	/* days */
	CHECK_EQ_INT(r.n_days, 2);
	CHECK_EQ_STR(r.days[0]->date, "2026-11-26");
	CHECK_EQ_INT(r.days[0]->actual_m, 42000);
	CHECK_EQ_INT(r.days[0]->counterfactual_m, 60000);
	CHECK_EQ_INT(r.days[0]->deliveries, 2);
	CHECK_EQ_INT(r.days[0]->bike_deliveries, 1);
	CHECK_EQ_INT(r.days[1]->actual_m, 8000);
	CHECK_EQ_STR(r.member_id, "");
	CHECK(r.method == CF_OWN_ROUNDS);

	csv = impact_report_csv(&r);
	CHECK(strncmp(csv, "section,key,value,unit\n", 23) == 0);
	CHECK(strstr(csv, "\ntotal,avoided_distance,40000,m\n") != NULL);
	CHECK(strstr(csv, "\ndistance_odometer,diesel_van,42000,m\n") != NULL);
	CHECK(strstr(csv, "\nfill,ambient,140,permille\n") != NULL);
	CHECK(strstr(csv,
		     "\nday_counterfactual_distance,2026-11-27,30000,m\n") !=
	      NULL);
	CHECK(strstr(csv, "\nfood,donation,15000,g\n") != NULL);
	free(csv);
	html = impact_report_html(&r);
	CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	{
		int svgs = 0;

		for (const char *p = html; (p = strstr(p, "<svg")); p++)
			svgs++;
		CHECK_EQ_INT(svgs, 6);
	}
	CHECK(strstr(html, "<script") == NULL);
	CHECK(strstr(html, "src=") == NULL);
	CHECK(strstr(html, "href=") == NULL);
	CHECK(strstr(html, "The whole association") != NULL);
	free(html);
	impact_acc_release(&a);
}

static void
test_member_share(void)
{
	struct impact_conf c;
	struct impact_acc a;
	struct impact_energy e;
	Report r;
	char *html;

	impact_conf_init(&c);
	CHECK_EQ_INT(impact_acc_init(&a, &c, "2026-11-26", "2026-11-26"), 0);
	/* a member with a quarter of the goods of a 40 km planned tour */
	impact_trip_energy(&c, VK_DIESEL_VAN, 0, 0, 40000, &e);
	CHECK_EQ_INT(e.co2e_g, 10778);
	impact_acc_trip(&a, "2026-11-26", VK_DIESEL_VAN, 40000, 0, &e, 0.25,
			7200);
	/* a share of 0 adds nothing */
	impact_acc_trip(&a, "2026-11-26", VK_DIESEL_VAN, 40000, 0, &e, 0, 1);
	impact_acc_report(&a, "fournil", "Le <Fournil> & co", 0, &r);
	CHECK_EQ_INT(r.actual_m, 10000);
	CHECK_EQ_INT(r.actual_co2e_g, 2695);
	CHECK_EQ_INT(r.kinds[0]->trips, 1);
	CHECK_EQ_INT(r.driver_s, 1800);
	CHECK_EQ_STR(r.member_id, "fournil");
	/* no counterfactual: nothing avoided, a negative figure shown */
	CHECK_EQ_INT(r.avoided_m, -10000);
	CHECK_EQ_INT(r.avoided_permille, 0);
	html = impact_report_html(&r);
	CHECK(strstr(html, "Le &lt;Fournil&gt; &amp; co") != NULL);
	CHECK(strstr(html, "<Fournil>") == NULL);
	free(html);
	/* a second report from the same accumulator replaces the first */
	impact_acc_report(&a, NULL, NULL, 0, &r);
	CHECK_EQ_STR(r.member_id, "");
	impact_acc_release(&a);
}

static void
test_names(void)
{
	CHECK_EQ_STR(impact_kind_name(VK_CARGO_BIKE), "cargo_bike");
	CHECK_EQ_STR(impact_kind_name(99), "unknown");
	CHECK_EQ_STR(impact_level_name(LEVEL_DISPOSAL), "disposal");
	CHECK_EQ_STR(impact_class_name(2), "chilled");
}

int
main(void)
{
	if (lz_date_set_timezone("Europe/Paris") != 0)
		return 1;
	RUN(test_energy);
	RUN(test_factor_change);
	RUN(test_tour_distance);
	RUN(test_legs);
	RUN(test_counterfactual);
	RUN(test_origin);
	RUN(test_period);
	RUN(test_report);
	RUN(test_member_share);
	RUN(test_names);
	return lz_test_summary();
}
