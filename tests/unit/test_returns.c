/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_returns.c -- the pure part of the returns service: the matcher
 * (food-waste hierarchy, safety by use-by date at arrival, capacity per
 * day, opening hours, distance, ties), collection windows, the ledger's
 * rules (accounts, movements, takes and discrepancies, balances that
 * always sum to zero) and the forecast of a collection point.
 */
#include "forecast.h"
#include "ledger.h"
#include "lz_date.h"
#include "lz_test.h"
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H 3600
#define D 86400
/* Tuesday 24 November 2026, local midnight in Paris (23:00 UTC before). */
#define DAY0 INT64_C(1795474800)

static const struct returns_match_conf conf = {25 / 3.6, 1.35, 12 * H};

/* Capacity already used: grams per outlet index, on DATE_USED only. */
static int64_t used_g[8];
static const char *date_used;

static int64_t
used(size_t i, const char *date, void *arg)
{
	(void)arg;
	return date_used == NULL || strcmp(date, date_used) == 0 ? used_g[i]
								 : 0;
}

static struct returns_outlet
outlet(const char *id, int kind, double lat, double lon, int64_t cap)
{
	struct returns_outlet o;

	memset(&o, 0, sizeof(o));
	o.outlet_id = id;
	o.kind = kind;
	o.has_location = 1;
	o.lat = lat;
	o.lon = lon;
	o.capacity_per_day = cap;
	return o;
}

static struct returns_flow_in
food(int64_t grams, int64_t use_by, int date_kind)
{
	struct returns_flow_in f;

	memset(&f, 0, sizeof(f));
	f.kind = FK_UNSOLD;
	f.category = "dairy";
	f.grams = grams;
	f.use_by = use_by;
	f.date_kind = date_kind;
	f.has_location = 1;
	f.lat = 43.35; /* the hub, north of Marseille */
	f.lon = 5.37;
	f.ready = DAY0 + D + 18 * H; /* Wednesday 18:00 */
	return f;
}

static void
reset_used(void)
{
	memset(used_g, 0, sizeof(used_g));
	date_used = NULL;
}

static void
test_levels(void)
{
	int l[LV_COUNT];

	CHECK_EQ_INT(returns_levels_for(FK_UNSOLD, l), 5);
	CHECK_EQ_INT(l[0], LV_DONATION);
	CHECK_EQ_INT(l[1], LV_TRANSFORMATION);
	CHECK_EQ_INT(l[2], LV_ANIMAL_FEED);
	CHECK_EQ_INT(l[3], LV_COMPOSTING);
	CHECK_EQ_INT(l[4], LV_DISPOSAL);
	CHECK_EQ_INT(returns_levels_for(FK_BIOWASTE, l), 2);
	CHECK_EQ_INT(l[0], LV_COMPOSTING);
	CHECK_EQ_INT(returns_levels_for(FK_PACKAGING, l), 2);
	CHECK_EQ_INT(l[0], LV_RECYCLING);
	CHECK_EQ_INT(returns_levels_for(0, l), 0);
	CHECK_EQ_INT(returns_outlet_level(OK_FOOD_AID), LV_DONATION);
	CHECK_EQ_INT(returns_outlet_level(OK_WASHING), LV_NONE);
	CHECK_EQ_INT(returns_outlet_level(99), LV_NONE);
}

static void
test_hierarchy(void)
{
	struct returns_outlet o[4] = {
		outlet("compost", OK_COMPOSTING, 43.36, 5.37, 1000000),
		outlet("cuisine", OK_TRANSFORMATION, 43.36, 5.38, 1000000),
		outlet("banque", OK_FOOD_AID, 43.30, 5.40, 1000000),
		outlet("ferme", OK_ANIMAL_FEED, 43.35, 5.371, 1000000),
	};
	struct returns_flow_in f = food(20000, DAY0 + 5 * D, DK_USE_BY);
	struct returns_match m;

	reset_used();
	/* Donation first, even though it is the farthest. */
	m = returns_match(&f, o, 4, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 2);
	CHECK_EQ_INT(m.level, LV_DONATION);
	CHECK(m.distance_m > 6000 && m.distance_m < 10000);
	CHECK(m.arrival > f.ready && m.arrival < f.ready + H);
	CHECK_EQ_STR(m.date, "2026-11-25");
	CHECK_EQ_STR(m.reason, "");
	/* Without the food bank: transformation. */
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 1);
	CHECK_EQ_INT(m.level, LV_TRANSFORMATION);
	/* Biowaste never goes to people: composting. */
	f.kind = FK_BIOWASTE;
	m = returns_match(&f, o, 4, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 0);
	CHECK_EQ_INT(m.level, LV_COMPOSTING);
	/* Packaging: no recycling outlet. */
	f.kind = FK_PACKAGING;
	m = returns_match(&f, o, 4, &conf, used, NULL);
	CHECK_EQ_INT(m.index, -1);
	CHECK_EQ_INT(m.level, LV_NONE);
	CHECK_EQ_STR(m.reason, "no_outlet");
	/* An unknown kind goes nowhere. */
	f.kind = 0;
	CHECK_EQ_INT(returns_match(&f, o, 4, &conf, used, NULL).index, -1);
	/* Nothing at all. */
	f.kind = FK_UNSOLD;
	CHECK_EQ_INT(returns_match(&f, o, 0, &conf, used, NULL).index, -1);
}

static void
test_safety(void)
{
	struct returns_outlet o[3] = {
		outlet("banque", OK_FOOD_AID, 43.30, 5.40, 1000000),
		outlet("cuisine", OK_TRANSFORMATION, 43.36, 5.38, 1000000),
		outlet("ferme", OK_ANIMAL_FEED, 43.35, 5.371, 1000000),
	};
	/* Use-by Thursday 01:00: arrival Wednesday ~18:20 is within the 12 h
	 * margin -- not for people; the animal-feed farm takes it. */
	struct returns_flow_in f = food(5000, DAY0 + 2 * D + H, DK_USE_BY);
	struct returns_match m;

	reset_used();
	m = returns_match(&f, o, 3, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 2);
	CHECK_EQ_INT(m.level, LV_ANIMAL_FEED);
	/* Only people's outlets: refused as unsafe. */
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, -1);
	CHECK_EQ_STR(m.reason, "unsafe");
	/* Use-by Thursday 08:00: 13 h 40 after arrival, safe. */
	f.use_by = DAY0 + 2 * D + 8 * H;
	m = returns_match(&f, o, 3, &conf, used, NULL);
	CHECK_EQ_INT(m.level, LV_DONATION);
	/* The arrival, not the declaration, decides: ready later, unsafe. */
	f.ready += 3 * H;
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).level,
		     LV_ANIMAL_FEED);
	/* A best-before date (DDM) does not stop a donation. */
	f.date_kind = DK_BEST_BEFORE;
	f.use_by = DAY0;
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).level,
		     LV_DONATION);
	/* Nor does no date at all. */
	f.date_kind = DK_NONE;
	f.use_by = 0;
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).level,
		     LV_DONATION);
}

static void
test_capacity(void)
{
	struct returns_outlet o[3] = {
		outlet("near", OK_FOOD_AID, 43.351, 5.371, 50000),
		outlet("far", OK_FOOD_AID, 43.30, 5.40, 30000),
		outlet("compost", OK_COMPOSTING, 43.36, 5.37, 1000000),
	};
	struct returns_flow_in f = food(20000, DAY0 + 5 * D, DK_USE_BY);
	struct returns_match m;

	reset_used();
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).index, 0);
	/* The near one has 40 kg promised that day: 10 kg left < 20 kg. */
	used_g[0] = 40000;
	date_used = "2026-11-25";
	m = returns_match(&f, o, 3, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 1);
	CHECK_EQ_INT(m.level, LV_DONATION);
	/* Exactly full is still fine (room == grams). */
	used_g[1] = 10000;
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).index, 1);
	/* Both full: down the hierarchy. */
	used_g[1] = 10001;
	m = returns_match(&f, o, 3, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 2);
	CHECK_EQ_INT(m.level, LV_COMPOSTING);
	/* Without the compost: none, for capacity. */
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, -1);
	CHECK_EQ_STR(m.reason, "capacity");
	/* Promised on another day: no effect on this one. */
	date_used = "2026-11-26";
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).index, 0);
}

static void
test_ties(void)
{
	/* Same place: the one with more room, then the smaller id. */
	struct returns_outlet o[3] = {
		outlet("b", OK_FOOD_AID, 43.30, 5.40, 100000),
		outlet("c", OK_FOOD_AID, 43.30, 5.40, 200000),
		outlet("a", OK_FOOD_AID, 43.30, 5.40, 100000),
	};
	struct returns_flow_in f = food(1000, 0, DK_NONE);

	reset_used();
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).index, 1);
	CHECK_EQ_INT(returns_match(&f, o + 1, 2, &conf, used, NULL).index, 0);
	used_g[1] = 150000;
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).index, 2);
	/* Without coordinates the distance is 0: nearer than any. */
	o[0].has_location = 0;
	CHECK_EQ_INT(returns_match(&f, o, 3, &conf, used, NULL).index, 0);
}

static void
test_categories_and_hours(void)
{
	static const char *const bread[] = {"bread", "pastry"};
	static const char *const dairy[] = {"dairy"};
	/* Food bank open Monday and Thursday 9-12 only. */
	static OpeningHours mon = LZ__ORDERS__V1__OPENING_HOURS__INIT,
			    thu = LZ__ORDERS__V1__OPENING_HOURS__INIT;
	static const OpeningHours *const hours[] = {&mon, &thu};
	struct returns_outlet o[2] = {
		outlet("boulange", OK_FOOD_AID, 43.351, 5.371, 100000),
		outlet("banque", OK_FOOD_AID, 43.30, 5.40, 100000),
	};
	struct returns_flow_in f = food(1000, DAY0 + 5 * D, DK_USE_BY);
	struct returns_match m;

	reset_used();
	mon.weekday = 1, mon.open = 9 * H, mon.close = 12 * H;
	thu.weekday = 4, thu.open = 9 * H, thu.close = 12 * H;
	o[0].categories = bread;
	o[0].n_categories = 2;
	o[1].categories = dairy;
	o[1].n_categories = 1;
	o[1].hours.h = hours;
	o[1].hours.n = 2;
	/* Dairy: not the bakery's outlet; the bank opens Thursday 09:00. */
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 1);
	CHECK_EQ_INT(m.arrival, DAY0 + 2 * D + 9 * H);
	CHECK_EQ_STR(m.date, "2026-11-26");
	/* Use-by Thursday 12:00: 3 h after opening < 12 h margin. */
	f.use_by = DAY0 + 2 * D + 12 * H;
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, -1);
	CHECK_EQ_STR(m.reason, "unsafe");
	/* Bread: the nearer bakery outlet, open always. */
	f.category = "bread";
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, 0);
	CHECK_EQ_INT(m.arrival - f.ready < H, 1);
	/* A category no one takes. */
	f.category = "fish";
	m = returns_match(&f, o, 2, &conf, used, NULL);
	CHECK_EQ_INT(m.index, -1);
	CHECK_EQ_STR(m.reason, "category");
}

static void
test_next_open_and_window(void)
{
	static OpeningHours a = LZ__ORDERS__V1__OPENING_HOURS__INIT,
			    b = LZ__ORDERS__V1__OPENING_HOURS__INIT,
			    c = LZ__ORDERS__V1__OPENING_HOURS__INIT;
	static const OpeningHours *const list[] = {&a, &b, &c};
	struct returns_hours none = {NULL, 0}, hours = {list, 3};
	int64_t s, e;

	/* Tuesday 10-12 and 14-19, Friday 8-9. */
	a.weekday = 2, a.open = 10 * H, a.close = 12 * H;
	b.weekday = 2, b.open = 14 * H, b.close = 19 * H;
	c.weekday = 5, c.open = 8 * H, c.close = 9 * H;
	CHECK_EQ_INT(returns_next_open(&none, DAY0 + 5), DAY0 + 5);
	CHECK_EQ_INT(returns_next_open(&hours, DAY0 + 7 * H), DAY0 + 10 * H);
	CHECK_EQ_INT(returns_next_open(&hours, DAY0 + 11 * H), DAY0 + 11 * H);
	CHECK_EQ_INT(returns_next_open(&hours, DAY0 + 13 * H), DAY0 + 14 * H);
	CHECK_EQ_INT(returns_next_open(&hours, DAY0 + 20 * H),
		     DAY0 + 3 * D + 8 * H);
	/* After Friday 9:00: next Tuesday 10:00. */
	CHECK_EQ_INT(returns_next_open(&hours, DAY0 + 3 * D + 10 * H),
		     DAY0 + 7 * D + 10 * H);

	/* The next day (Wednesday) 08:00-18:00 for an always-open site. */
	CHECK_EQ_INT(returns_collection_window(&none, DAY0 + 15 * H, 1, 8 * H,
					       18 * H, &s, &e),
		     0);
	CHECK_EQ_INT(s, DAY0 + D + 8 * H);
	CHECK_EQ_INT(e, DAY0 + D + 18 * H);
	/* Today, but not in the past. */
	CHECK_EQ_INT(returns_collection_window(&none, DAY0 + 15 * H, 0, 8 * H,
					       18 * H, &s, &e),
		     0);
	CHECK_EQ_INT(s, DAY0 + 15 * H);
	CHECK_EQ_INT(e, DAY0 + 18 * H);
	/* Today after the window: tomorrow's. */
	CHECK_EQ_INT(returns_collection_window(&none, DAY0 + 19 * H, 0, 8 * H,
					       18 * H, &s, &e),
		     0);
	CHECK_EQ_INT(s, DAY0 + D + 8 * H);
	/* A site open Tuesday and Friday: asked on Tuesday for tomorrow,
	 * it moves to Friday, narrowed to 8-9. */
	CHECK_EQ_INT(returns_collection_window(&hours, DAY0 + 15 * H, 1, 8 * H,
					       18 * H, &s, &e),
		     0);
	CHECK_EQ_INT(s, DAY0 + 3 * D + 8 * H);
	CHECK_EQ_INT(e, DAY0 + 3 * D + 9 * H);
	/* On a Tuesday the longest opening within the window: 14-18. */
	CHECK_EQ_INT(returns_collection_window(&hours, DAY0 - H, 1, 8 * H,
					       18 * H, &s, &e),
		     0);
	CHECK_EQ_INT(s, DAY0 + 14 * H);
	CHECK_EQ_INT(e, DAY0 + 18 * H);
	CHECK_EQ_INT(returns_collection_window(&none, DAY0, 1, 18 * H, 8 * H,
					       &s, &e),
		     -1);
}

static void
test_accounts(void)
{
	char buf[RETURNS_ACCOUNT_MAX];

	CHECK(returns_account_valid("hub-stock"));
	CHECK(returns_account_valid("site:cafe"));
	CHECK(returns_account_valid("empties:relais-1"));
	CHECK(!returns_account_valid("site:"));
	CHECK(!returns_account_valid("site:a b"));
	CHECK(!returns_account_valid("cellar"));
	CHECK(!returns_account_valid(NULL));
	CHECK(returns_account_per_member("site:cafe"));
	CHECK(!returns_account_per_member("hub-stock"));
	CHECK_EQ_INT(returns_site_account(buf, sizeof(buf), "cafe"), 0);
	CHECK_EQ_STR(buf, "site:cafe");
	CHECK_EQ_INT(returns_empties_account(buf, sizeof(buf), "r1"), 0);
	CHECK_EQ_STR(buf, "empties:r1");
	CHECK_EQ_INT(returns_site_account(buf, sizeof(buf), "bad/id"), -1);
	CHECK(returns_movement_allowed("supply", "hub-stock"));
	CHECK(returns_movement_allowed("hub-returned", "washing"));
	CHECK(returns_movement_allowed("washing", "hub-stock"));
	CHECK(returns_movement_allowed("site:cafe", "lost"));
	CHECK(returns_movement_allowed("washing", "lost"));
	CHECK(!returns_movement_allowed("supply", "lost"));
	CHECK(!returns_movement_allowed("unaccounted", "lost"));
	CHECK(!returns_movement_allowed("hub-stock", "site:cafe"));
	CHECK(!returns_movement_allowed("washing", "washing"));
	CHECK(!returns_movement_allowed("hub-stock", "nowhere"));
}

static void
test_take(void)
{
	struct returns_holding h[4] = {
		{"m2", 5}, {"m1", 5}, {"m3", 12}, {"m4", 0}};
	struct returns_take t[4];
	int64_t excess;
	size_t n;

	/* Largest first; equal holdings by member id. */
	n = returns_ledger_take(h, 4, 20, t, &excess);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(t[0].holding, 2);
	CHECK_EQ_INT(t[0].count, 12);
	CHECK_EQ_INT(t[1].holding, 1);
	CHECK_EQ_INT(t[1].count, 5);
	CHECK_EQ_INT(t[2].holding, 0);
	CHECK_EQ_INT(t[2].count, 3);
	CHECK_EQ_INT(excess, 0);
	/* More than held: the rest is a discrepancy. */
	n = returns_ledger_take(h, 4, 30, t, &excess);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(excess, 8);
	/* Nothing held at all. */
	n = returns_ledger_take(h + 3, 1, 7, t, &excess);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(excess, 7);
	n = returns_ledger_take(NULL, 0, 2, t, &excess);
	CHECK_EQ_INT(excess, 2);
}

/* A small in-memory book run the way the service runs the store: each
 * movement moves a count between two accounts; takes flag excess. */
#define NACCT 6
static const char *const accts[NACCT] = {"supply",       "hub-stock",
					 "site:a",       "empties:a",
					 "hub-returned", "unaccounted"};
static int64_t book[NACCT];
static int64_t flagged;

static void
move(int from, int to, int64_t n)
{
	book[from] -= n;
	book[to] += n;
}

static void
take(int from, int to, int64_t want)
{
	struct returns_holding h = {"m", book[from]};
	struct returns_take t;
	int64_t excess;

	if (returns_ledger_take(&h, 1, want, &t, &excess) == 1)
		move(from, to, t.count);
	if (excess > 0) {
		move(5, to, excess);
		flagged += excess;
	}
}

static void
test_book_balances(void)
{
	int64_t sum = 0, negative = 0;

	srand(7);
	for (int i = 0; i < 5000; i++) {
		int64_t n = rand() % 20 + 1;

		switch (rand() % 5) {
		case 0:
			move(0, 1, n); /* supply */
			break;
		case 1:
			take(1, 2, n); /* delivered */
			break;
		case 2:
			take(2, 3, n); /* declared returned */
			break;
		case 3:
			take(3, 4, n); /* collected */
			break;
		default:
			take(4, 1, n); /* washed back */
			break;
		}
		for (int a = 1; a < 5; a++)
			negative += book[a] < 0;
	}
	/* Only supply and unaccounted go below zero. */
	CHECK_EQ_INT(negative, 0);
	for (int a = 0; a < NACCT; a++)
		sum += book[a];
	CHECK_EQ_INT(sum, 0);
	CHECK(flagged > 0);
	CHECK_EQ_INT(-book[5], flagged);
	printf("# %s=%lld %s=%lld flagged=%lld\n", accts[0], (long long)book[0],
	       accts[5], (long long)book[5], (long long)flagged);
}

static void
test_forecast(void)
{
	int64_t now = DAY0 + 30 * D;
	struct returns_return h[4] = {
		{now - 10 * D, 20},
		{now - 5 * D, 20},
		{now - D, 10},
		{now - 60 * D, 500}, /* too old: ignored */
	};
	struct returns_forecast f;

	/* No history: no date, not due unless full. */
	f = returns_forecast(NULL, 0, 10, 100, now, 28 * D, D);
	CHECK_EQ_INT(f.full_at, 0);
	CHECK_EQ_INT(f.rate_per_day_milli, 0);
	CHECK_EQ_INT(f.due, 0);
	f = returns_forecast(NULL, 0, 100, 100, now, 28 * D, D);
	CHECK_EQ_INT(f.full_at, now);
	CHECK_EQ_INT(f.due, 1);
	/* 50 returns in 10 days: 5 a day; 70 of 100: full in 6 days. */
	f = returns_forecast(h, 4, 70, 100, now, 28 * D, D);
	CHECK_EQ_INT(f.rate_per_day_milli, 5000);
	CHECK_EQ_INT(f.full_at, now + 6 * D);
	CHECK_EQ_INT(f.due, 0);
	/* With a week's lead it is due. */
	CHECK_EQ_INT(returns_forecast(h, 4, 70, 100, now, 28 * D, 7 * D).due,
		     1);
	/* 97 of 100: full in 14.4 h, within a day. */
	f = returns_forecast(h, 4, 97, 100, now, 28 * D, D);
	CHECK_EQ_INT(f.full_at, now + 3 * 10 * D / 50);
	CHECK_EQ_INT(f.due, 1);
	/* Empty: nothing to collect even when "due". */
	CHECK_EQ_INT(returns_forecast(h, 4, 0, 1, now, 28 * D, 30 * D).due, 0);
	/* A single return today counts over one day at least. */
	f = returns_forecast(h + 2, 1, 10, 100, now - D + 60, 28 * D, D);
	CHECK_EQ_INT(f.rate_per_day_milli, 10000);
	CHECK_EQ_INT(f.full_at, now - D + 60 + 9 * D);
	/* Returns in the future (clock skew) are ignored. */
	f = returns_forecast(h, 3, 10, 100, now - 20 * D, 28 * D, D);
	CHECK_EQ_INT(f.rate_per_day_milli, 0);
}

int
main(void)
{
	if (lz_date_set_timezone("Europe/Paris") != 0) {
		printf("not ok: no Europe/Paris time zone\n");
		return 1;
	}
	RUN(test_levels);
	RUN(test_hierarchy);
	RUN(test_safety);
	RUN(test_capacity);
	RUN(test_ties);
	RUN(test_categories_and_hours);
	RUN(test_next_open_and_window);
	RUN(test_accounts);
	RUN(test_take);
	RUN(test_book_balances);
	RUN(test_forecast);
	return lz_test_summary();
}
