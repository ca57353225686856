/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_sim.c -- the pure part of lz-sim: seeded randomness, the territory,
 * the day's orders, failed stops and the drivers' timeline.
 */
#include "lz_test.h"
#include "lz_util.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H 3600
/* Tuesday 24 November 2026, local midnight in Paris. */
#define DAY0 INT64_C(1795474800)

static void
test_rng(void)
{
	struct sim_rng a, b, c;
	int same = 1, differs = 0, in_range = 1;

	sim_rng_init(&a, 42);
	sim_rng_init(&b, 42);
	sim_rng_init(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = sim_rng_next(&a), y = sim_rng_next(&b);
		double d = sim_rng_range(&c, -1.5, 2.5);

		same &= x == y;
		differs |= x != sim_rng_next(&c);
		in_range &= d >= -1.5 && d < 2.5 && sim_rng_below(&c, 7) < 7;
	}
	CHECK(same);
	CHECK(differs);
	CHECK(in_range);
	CHECK_EQ_INT(sim_rng_below(&a, 0), 0);
}

static int
in_box(const struct sim_site *s, double lat0, double lat1, double lon0,
       double lon1)
{
	return s->lat >= lat0 && s->lat <= lat1 && s->lon >= lon0 &&
	       s->lon <= lon1;
}

static void
test_territory(void)
{
	struct sim_territory t, u;
	size_t customers = 0, centre = 0, producers = 0, relay_points = 0;
	int unique = 1, same = 1, in_city = 1, owners = 1;

	sim_territory_init(&t, 7, 40);
	sim_territory_init(&u, 7, 40);
	CHECK_EQ_STR(t.hub->kind, "SITE_KIND_HUB");
	CHECK_EQ_STR(t.relay->kind, "SITE_KIND_BIKE_RELAY");
	CHECK_EQ_STR(t.relay->zone, "centre");
	/* The hub on the northern edge, the relay at the Vieux-Port. */
	CHECK(in_box(t.hub, 43.33, 43.36, 5.35, 5.40));
	CHECK(in_box(t.relay, 43.29, 43.30, 5.37, 5.385));
	for (size_t i = 0; i < t.n_sites; i++) {
		const struct sim_site *s = &t.sites[i];

		for (size_t j = 0; j < i; j++)
			unique &= strcmp(s->id, t.sites[j].id) != 0;
		same &= !strcmp(s->id, u.sites[i].id) &&
			s->lat == u.sites[i].lat && s->lon == u.sites[i].lon;
		owners &= sim_member_find(&t, s->member) != NULL;
		if (!strcmp(s->kind, "SITE_KIND_CUSTOMER")) {
			customers++;
			centre += !strcmp(s->zone, "centre");
			in_city &= in_box(s, 43.22, 43.38, 5.30, 5.50);
		}
		producers += !strcmp(s->kind, "SITE_KIND_PRODUCER");
		relay_points += !strcmp(s->kind, "SITE_KIND_RELAY_POINT");
		/* Producers are outside the city: east or north of it. */
		if (!strcmp(s->kind, "SITE_KIND_PRODUCER"))
			CHECK(s->lon > 5.50 || s->lat > 43.45);
	}
	CHECK(unique);
	CHECK(same);
	CHECK(owners);
	CHECK(in_city);
	CHECK_EQ_INT(customers, 40);
	CHECK(centre > 0 && centre < customers);
	CHECK(producers >= 4);
	CHECK(relay_points >= 4);
	CHECK(sim_member_find(&t, "compost-sud") != NULL);
	CHECK(sim_member_find(&t, "nobody") == NULL);
	CHECK(sim_member_ships(sim_member_find(&t, "fournil-solidaire")));
	CHECK(!sim_member_ships(sim_member_find(&t, "livrazou")));
	sim_territory_release(&u);
	sim_territory_init(&u, 8, 40);
	same = 1;
	for (size_t i = 0; i < t.n_sites; i++)
		same &= t.sites[i].lat == u.sites[i].lat;
	CHECK(!same); /* another seed, another territory */
	sim_territory_release(&u);
	sim_territory_init(&u, 1, 2); /* at least 8 customers */
	CHECK_EQ_INT(u.n_sites, t.n_sites - 32);
	sim_territory_release(&u);
	sim_territory_release(&t);
}

static void
test_orders(void)
{
	struct sim_territory t;
	struct sim_order *a, *b;
	size_t n = 300, pickups = 0, relays = 0;
	int same = 1, windows = 1, own = 1, lines = 1, stock = 1;

	sim_territory_init(&t, 3, 100);
	a = sim_orders_make(&t, 3, 1, DAY0, n);
	b = sim_orders_make(&t, 3, 1, DAY0, n);
	CHECK_EQ_STR(a[0].reference, "d1-1");
	CHECK_EQ_STR(a[n - 1].reference, "d1-300");
	for (size_t i = 0; i < n; i++) {
		const struct sim_order *o = &a[i];

		same &= o->dest == b[i].dest && o->pickup == b[i].pickup &&
			o->start == b[i].start &&
			o->lines[0].quantity == b[i].lines[0].quantity;
		windows &= o->start >= DAY0 + 7 * H && o->end > o->start &&
			   o->end <= DAY0 + 19 * H;
		lines &= o->n_lines >= 1 && o->n_lines <= SIM_LINES_MAX;
		own &= sim_member_ships(o->member);
		for (int l = 0; l < o->n_lines; l++) {
			own &= !strcmp(o->lines[l].p->member, o->member->id);
			stock &= o->pickup || o->lines[l].quantity * 6 <=
						      o->lines[l].p->stock;
		}
		if (o->pickup) {
			pickups++;
			/* Collected in the morning, delivered after. */
			windows &= o->pickup_start >= DAY0 + 6 * H &&
				   o->pickup_end < o->end &&
				   o->pickup_end <= o->start;
			own &= !strcmp(o->pickup->member, o->member->id) &&
			       !strcmp(o->pickup->kind, "SITE_KIND_PRODUCER");
		}
		relays += !strcmp(o->dest->kind, "SITE_KIND_RELAY_POINT");
	}
	CHECK(same);
	CHECK(windows);
	CHECK(lines);
	CHECK(own);
	CHECK(stock);
	CHECK(pickups > n / 10 && pickups < n / 2);
	CHECK(relays > 0 && relays < n / 3);
	free(b);
	b = sim_orders_make(&t, 3, 2, DAY0 + 86400, n);
	CHECK_EQ_STR(b[0].reference, "d2-1");
	same = 1;
	for (size_t i = 0; i < n; i++)
		same &= a[i].dest == b[i].dest;
	CHECK(!same); /* the second day is another day */
	free(a);
	free(b);
	a = sim_orders_make(&t, 3, 1, DAY0, 0);
	CHECK(a != NULL);
	free(a);
	sim_territory_release(&t);
}

static void
test_flows(void)
{
	struct sim_territory t;
	struct sim_flow *a, *b;
	size_t na, nb, peelings = 0;
	int same = 1, outside = 1, sane = 1;

	sim_territory_init(&t, 4, 60);
	a = sim_flows_make(&t, 4, 1, DAY0, 90, &na);
	b = sim_flows_make(&t, 4, 1, DAY0, 90, &nb);
	CHECK_EQ_INT(na, nb);
	CHECK(na >= 4 && na <= 6); /* one per 15 orders, some skipped */
	for (size_t i = 0; i < na; i++) {
		const struct sim_flow *f = &a[i];

		same &= f->site == b[i].site && f->grams == b[i].grams &&
			!strcmp(f->reference, b[i].reference);
		/* Vans collect them: never in the bike zone. */
		outside &= strcmp(f->site->zone, "centre") != 0;
		sane &= f->grams >= 3000 && f->grams <= 45000 &&
			f->member != NULL &&
			(f->use_by == 0 || f->use_by > DAY0);
		if (!strcmp(f->category, "peelings")) {
			peelings++;
			sane &= !strcmp(f->kind, "FLOW_KIND_BIOWASTE") &&
				f->use_by == 0;
		}
		if (!strcmp(f->category, "vegetables"))
			sane &= f->site == t.hub;
	}
	CHECK(same);
	CHECK(outside);
	CHECK(sane);
	CHECK(peelings >= 1);
	free(b);
	b = sim_flows_make(&t, 4, 1, DAY0, 0, &nb);
	CHECK(nb >= 1 &&
	      nb <= 4); /* at least four asked, whatever the orders */
	free(a);
	free(b);
	CHECK_EQ_INT(t.n_outlets, 3);
	CHECK_EQ_INT(t.n_containers, 2);
	for (size_t i = 0; i < t.n_outlets; i++) {
		int found = 0;

		for (size_t k = 0; k < t.n_sites; k++)
			found |=
				!strcmp(t.sites[k].id, t.outlets[i].site) &&
				!strcmp(t.sites[k].member, t.outlets[i].member);
		CHECK(found); /* an outlet is a site of its processor */
	}
	sim_territory_release(&t);
}

static void
test_failures(void)
{
	int fails = 0, closed = 0, again = 1;

	for (unsigned s = 0; s < 2000; s++) {
		int why = sim_stop_fails(5, "2026-11-25/am/frigo-1", s, 100);

		fails += why != 0;
		closed += why == 1;
		CHECK(why >= 0 && why <= 2);
		again &= why ==
			 sim_stop_fails(5, "2026-11-25/am/frigo-1", s, 100);
	}
	CHECK(again);
	/* About 10 %, both reasons. */
	CHECK(fails > 140 && fails < 260);
	CHECK(closed > 0 && closed < fails);
	CHECK_EQ_INT(sim_stop_fails(5, "x", 3, 0), 0);
	/* Odometers: within 0..12 % over the plan, the same for the same
	 * seed and tour, not all equal to the plan. */
	{
		int over = 0;

		for (int k = 0; k < 40; k++) {
			char id[40];
			int64_t d;

			snprintf(id, sizeof(id), "2026-11-25/am/van-%d", k);
			d = sim_driven_m(5, id, 100000);
			CHECK(d >= 100000 && d <= 112000);
			CHECK_EQ_INT(d, sim_driven_m(5, id, 100000));
			over += d > 100000;
		}
		CHECK(over > 20);
	}
	{
		unsigned some = 0, max = 0;

		for (unsigned s = 0; s < 3000; s++) {
			unsigned e = sim_stop_empties(5, "t", s);

			some += e > 0;
			max = e > max ? e : max;
			again &= e == sim_stop_empties(5, "t", s);
		}
		CHECK(again);
		CHECK(some > 800 && some < 1200); /* one stop in three */
		CHECK_EQ_INT(max, 6);
	}
	CHECK(sim_stop_fails(5, "x", 3, 1000) != 0);
	/* Short picks: about the rate asked, 1 or 2 units, never the whole
	 * line, the same for the same line and seed. */
	{
		unsigned shorts = 0, two = 0;
		char order[32];

		for (unsigned i = 0; i < 4000; i++) {
			int64_t n;

			snprintf(order, sizeof(order), "m/d1-%u", i % 97);
			n = sim_pick_short(5, "2026-11-25/am/frigo-1", order,
					   i / 97, "L-yaourt", 10, 150);
			shorts += n > 0;
			two += n == 2;
			CHECK(n >= 0 && n <= 2);
			again &= n == sim_pick_short(5, "2026-11-25/am/frigo-1",
						     order, i / 97, "L-yaourt",
						     10, 150);
		}
		CHECK(again);
		CHECK(shorts > 450 && shorts < 750); /* 15 % */
		CHECK(two > 0 && two < shorts);
		for (unsigned i = 0; i < 2000; i++) {
			snprintf(order, sizeof(order), "m/%u", i);
			/* A line of 2 is short of 1 at most; of 1, never. */
			CHECK(sim_pick_short(7, "t", order, 0, "L", 2, 1000) ==
			      1);
			CHECK(sim_pick_short(7, "t", order, 0, "L", 1, 1000) ==
			      0);
			CHECK(sim_pick_short(7, "t", order, 0, "L", 9, 0) == 0);
		}
	}
}

static void
test_msg_ids(void)
{
	struct sim_ids ids = {0}, again = {0}, other = {0};
	char a[64], b[64], c[64], d[64], e[64];

	sim_msg_id(&ids, 7, "2026-11-27", "driver", "lz.tours.v1.StopFailed",
		   "{\"stopIndex\":3,\"tourId\":\"t\"}", a);
	sim_msg_id(&ids, 7, "2026-11-27", "driver", "lz.tours.v1.StopFailed",
		   "{\"stopIndex\":3,\"tourId\":\"t\"}", b);
	sim_msg_id(&ids, 7, "2026-11-27", "driver", "lz.tours.v1.StopFailed",
		   "{\"stopIndex\":4,\"tourId\":\"t\"}", c);
	sim_msg_id(&ids, 7, "2026-11-27", "rider-1", "lz.tours.v1.StopFailed",
		   "{\"stopIndex\":3,\"tourId\":\"t\"}", d);
	CHECK(strcmp(a, b) != 0); /* sent twice on purpose: two ids */
	CHECK(strcmp(a, c) != 0); /* another payload */
	CHECK(strcmp(a, d) != 0); /* another partner */
	CHECK_EQ_INT(strlen(a), strlen("s7-2026-11-27-0123456789abcdef-1"));
	CHECK_EQ_STR(strrchr(a, '-'), "-1");
	CHECK_EQ_STR(strrchr(b, '-'), "-2");
	/* A later run of the same seed names the same commands alike. */
	sim_msg_id(&again, 7, "2026-11-27", "driver", "lz.tours.v1.StopFailed",
		   "{\"stopIndex\":4,\"tourId\":\"t\"}", e);
	CHECK_EQ_STR(e, c);
	sim_msg_id(&other, 8, "2026-11-27", "driver", "lz.tours.v1.StopFailed",
		   "{\"stopIndex\":4,\"tourId\":\"t\"}", e);
	CHECK(strcmp(e, c) != 0); /* another seed, another run */
	for (int i = 0; i < 1000; i++) {
		char text[32];

		snprintf(text, sizeof(text), "{\"n\":%d}", i);
		sim_msg_id(&again, 7, "d", "p", "t", text, e);
	}
	CHECK_EQ_INT(again.n, 1001);
	sim_ids_release(&ids);
	sim_ids_release(&again);
	sim_ids_release(&other);
	CHECK(ids.hash == NULL && ids.n == 0);
}

static void
test_timeline(void)
{
	/* Two tours: hub, two stops, hub; hub, one stop, hub. */
	static const int64_t arr0[] = {100, 200, 400, 600};
	static const int64_t dep0[] = {100, 250, 450, 600};
	static const int64_t arr1[] = {150, 300, 500};
	static const int64_t dep1[] = {150, 350, 500};
	struct sim_tour_plan p[2] = {
		{100, 600, arr0, dep0, 4},
		{150, 500, arr1, dep1, 3},
	};
	struct sim_step *s;
	size_t n;
	int sorted = 1;

	s = sim_timeline(p, 2, &n);
	CHECK_EQ_INT(n, 2 + 4 + 2 + 2);
	for (size_t i = 1; i < n; i++)
		sorted &= s[i - 1].at <= s[i].at;
	CHECK(sorted);
	CHECK(s[0].act == SIM_ACT_START && s[0].tour == 0 && s[0].at == 100);
	CHECK(s[1].act == SIM_ACT_START && s[1].tour == 1);
	CHECK(s[2].act == SIM_ACT_ARRIVE && s[2].tour == 0 && s[2].stop == 1);
	CHECK(s[3].act == SIM_ACT_DONE && s[3].tour == 0 && s[3].stop == 1);
	CHECK(s[4].act == SIM_ACT_ARRIVE && s[4].tour == 1 && s[4].stop == 1);
	CHECK(s[n - 1].act == SIM_ACT_END && s[n - 1].tour == 0 &&
	      s[n - 1].stop == 3);
	CHECK(s[n - 2].act == SIM_ACT_END && s[n - 2].tour == 1 &&
	      s[n - 2].stop == 2);
	free(s);
	s = sim_timeline(p, 0, &n);
	CHECK_EQ_INT(n, 0);
	free(s);

	CHECK_EQ_INT(sim_sleep_ms(0, 3600, 1800, 5000), 2000);
	CHECK_EQ_INT(sim_sleep_ms(0, 36000, 1800, 5000), 5000);
	CHECK_EQ_INT(sim_sleep_ms(100, 50, 1800, 5000), 0);
	CHECK_EQ_INT(sim_sleep_ms(0, 100, 0, 5000), 0);
}

int
main(void)
{
	test_rng();
	test_territory();
	test_orders();
	test_flows();
	test_failures();
	test_msg_ids();
	test_timeline();
	return lz_test_summary();
}
