/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_orders.c -- the orders service's rules (pure functions: every
 * reject reason, every transition, opening hours, local dates) and its
 * LMDB schema (indexes, history, counters) on a temporary store.
 */
#include "codec.h"
#include "lz_date.h"
#include "lz_store.h"
#include "lz_test.h"
#include "lz_util.h"
#include "rules.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define H 3600
#define DAY 86400
/* Monday 23 November 2026, 08:00 in Paris (07:00 UTC): "now". */
#define NOW INT64_C(1795417200)
/* That Monday's local midnight; November has no DST change after it. */
#define MON (NOW - 8 * H)
#define TUE (MON + DAY)

/* ---- builders (static storage: tests are sequential) ---- */

static OpeningHours hours_buf[16];
static OpeningHours *hours_ptr[16];
static Lz__Common__V1__TemperatureClass classes_buf[4];
static GeoPoint point = LZ__COMMON__V1__GEO_POINT__INIT;

static void
site_init(Site *s, const char *id, int kind)
{
	Site init = LZ__ORDERS__V1__SITE__INIT;

	*s = init;
	s->site_id = (char *)id;
	s->member_id = "m1";
	s->name = "Site";
	s->kind = (Lz__Orders__V1__SiteKind)kind;
	point.lat = 43.3;
	point.lon = 5.4;
	s->location = &point;
}

/* Gives S the opening hours in SPEC: {weekday, open, close} triples. */
static void
site_hours(Site *s, const uint32_t (*spec)[3], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		OpeningHours init = LZ__ORDERS__V1__OPENING_HOURS__INIT;
		hours_buf[i] = init;
		hours_buf[i].weekday = spec[i][0];
		hours_buf[i].open = spec[i][1];
		hours_buf[i].close = spec[i][2];
		hours_ptr[i] = &hours_buf[i];
	}
	s->n_opening_hours = n;
	s->opening_hours = hours_ptr;
}

struct fixture {
	Order o;
	TimeWindow dw, pw;
	OrderLine line[3];
	OrderLine *lines[3];
	ContainerCount cc;
	ContainerCount *ccs[1];
	Site dest, pickup;
};

/* A valid hub-stock order of m1 for Tuesday 10:00-12:00, two lines. */
static void
fixture_init(struct fixture *f)
{
	Order oi = LZ__ORDERS__V1__ORDER__INIT;
	TimeWindow wi = LZ__COMMON__V1__TIME_WINDOW__INIT;
	OrderLine li = LZ__ORDERS__V1__ORDER_LINE__INIT;
	ContainerCount ci = LZ__ORDERS__V1__CONTAINER_COUNT__INIT;

	memset(f, 0, sizeof(*f));
	f->o = oi;
	f->dw = wi;
	f->pw = wi;
	f->o.order_id = "m1/r1";
	f->o.member_id = "m1";
	f->o.reference = "r1";
	f->o.destination_site_id = "cust";
	f->dw.start = TUE + 10 * H;
	f->dw.end = TUE + 12 * H;
	f->o.delivery_window = &f->dw;
	f->o.source = (Lz__Orders__V1__OrderSource)SRC_HUB_STOCK;
	f->o.status = (Lz__Orders__V1__OrderStatus)ST_PLACED;
	for (int i = 0; i < 2; i++) {
		f->line[i] = li;
		f->line[i].product = i ? "yoghurt" : "bread";
		f->line[i].quantity = 10;
		f->line[i].unit_grams = 500;
		f->line[i].unit_millilitres = 800;
		f->line[i].temperature_class =
			i ? LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_CHILLED
			  : LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_AMBIENT;
		f->lines[i] = &f->line[i];
	}
	f->cc = ci;
	f->cc.container_type = "crate-30l";
	f->cc.count = 4;
	f->ccs[0] = &f->cc;
	f->line[1].n_containers = 1;
	f->line[1].containers = f->ccs;
	f->o.n_lines = 2;
	f->o.lines = f->lines;
	site_init(&f->dest, "cust", 4);
	site_init(&f->pickup, "farm", SITE_PRODUCER);
	f->pw.start = TUE + 6 * H;
	f->pw.end = TUE + 8 * H;
}

/* Makes F a producer pickup at "farm". */
static void
fixture_pickup(struct fixture *f)
{
	f->o.source = (Lz__Orders__V1__OrderSource)SRC_PRODUCER_PICKUP;
	f->o.pickup_site_id = "farm";
	f->o.pickup_window = &f->pw;
}

static int
check_order(struct fixture *f, struct orders_verdict *v)
{
	return orders_rules_order(&f->o, &f->dest,
				  f->o.pickup_site_id && f->o.pickup_site_id[0]
					  ? &f->pickup
					  : NULL,
				  NOW, 0, v);
}

/* Expects reason RJ and a detail containing FIELD. */
#define CHECK_REJECT(call, rj, field)                                          \
	do {                                                                   \
		struct orders_verdict v_;                                      \
		memset(&v_, 0, sizeof(v_));                                    \
		int r_ = (call);                                               \
		(void)r_;                                                      \
		CHECK_EQ_STR(orders_reason_name(r_), orders_reason_name(rj));  \
		if (strstr(v_.detail, (field)) == NULL)                        \
			printf("# detail \"%s\" lacks \"%s\"\n", v_.detail,    \
			       (field));                                       \
		CHECK(strstr(v_.detail, (field)) != NULL);                     \
	} while (0)

#define V (&v_)

/* ---- strings ---- */

static void
test_ids(void)
{
	char long_id[70];

	CHECK(lz_valid_id("m1"));
	CHECK(lz_valid_id("Ab.c_d-9"));
	CHECK(!lz_valid_id(""));
	CHECK(!lz_valid_id(NULL));
	CHECK(!lz_valid_id("a b"));
	CHECK(!lz_valid_id("a/b"));
	CHECK(!lz_valid_id("caf\xc3\xa9"));
	memset(long_id, 'x', 64);
	long_id[64] = '\0';
	CHECK(lz_valid_id(long_id));
	long_id[64] = 'x';
	long_id[65] = '\0';
	CHECK(!lz_valid_id(long_id));
	CHECK(lz_valid_order_id("m1/r1"));
	CHECK(!lz_valid_order_id("m1"));
	CHECK(!lz_valid_order_id("m1/"));
	CHECK(!lz_valid_order_id("/r1"));
	CHECK(!lz_valid_order_id("m1/r1/x"));
	CHECK(lz_valid_text("caf\xc3\xa9 \xe2\x82\xac", 20));
	CHECK(!lz_valid_text("caf\xc3\xa9", 4));
	CHECK(!lz_valid_text("\xc3", 20));
	CHECK(!lz_valid_text("\xc0\xaf", 20));         /* overlong */
	CHECK(!lz_valid_text("\xed\xa0\x80", 20));     /* surrogate */
	CHECK(!lz_valid_text("\xf4\x90\x80\x80", 20)); /* > U+10FFFF */
	CHECK(!lz_valid_text("\xff", 20));
}

static void
test_names(void)
{
	CHECK_EQ_STR(orders_status_name(ST_OUT_FOR_DELIVERY),
		     "out_for_delivery");
	CHECK_EQ_STR(orders_status_name(99), "unknown");
	CHECK_EQ_INT(orders_status_parse("placed"), ST_PLACED);
	CHECK_EQ_INT(orders_status_parse("AT_BIKE_RELAY"), ST_AT_BIKE_RELAY);
	CHECK_EQ_INT(orders_status_parse("ORDER_STATUS_FAILED"), ST_FAILED);
	CHECK_EQ_INT(orders_status_parse("unspecified"), ST_UNSPECIFIED);
	CHECK_EQ_INT(orders_status_parse("nope"), ST_UNSPECIFIED);
	CHECK_EQ_STR(orders_reason_name(RJ_DUPLICATE_REFERENCE),
		     "duplicate_reference");
	CHECK_EQ_STR(orders_reason_name(RJ_BAD_TEMPERATURE_CLASS),
		     "bad_temperature_class");
}

/* ---- calendar ---- */

static void
test_local_date(void)
{
	char d[9];

	/* 2026-03-28 23:30 UTC = 29 March 00:30 CET (before the change) */
	CHECK_EQ_INT(orders_rules_local_date(1774740600, d), 0);
	CHECK_EQ_STR(d, "20260329");
	/* 2026-03-29 22:30 UTC = 30 March 00:30 CEST (after it) */
	orders_rules_local_date(1774823400, d);
	CHECK_EQ_STR(d, "20260330");
	/* 2026-10-24 22:30 UTC = 25 October 00:30 CEST */
	orders_rules_local_date(1792881000, d);
	CHECK_EQ_STR(d, "20261025");
	/* 2026-10-25 22:30 UTC = 25 October 23:30 CET, still the 25th */
	orders_rules_local_date(1792967400, d);
	CHECK_EQ_STR(d, "20261025");
	/* 2026-06-30 22:30 UTC = 1 July 00:30 CEST: UTC would say 30 June */
	orders_rules_local_date(1782858600, d);
	CHECK_EQ_STR(d, "20260701");
	orders_rules_local_date(NOW, d);
	CHECK_EQ_STR(d, "20261123");
}

static void
test_timezone(void)
{
	CHECK_EQ_INT(lz_date_set_timezone("Nowhere/Atlantis"), -22);
	CHECK_EQ_INT(lz_date_set_timezone("../../etc/passwd"), -22);
	CHECK_EQ_INT(lz_date_set_timezone(""), -22);
	/* A POSIX string works without the zone database. */
	CHECK_EQ_INT(lz_date_set_timezone("CET-1CEST,M3.5.0,M10.5.0/3"), 0);
	{
		char d[9];
		orders_rules_local_date(1782858600, d);
		CHECK_EQ_STR(d, "20260701");
	}
	CHECK_EQ_INT(lz_date_set_timezone("Europe/Paris"), 0);
}

static void
test_opening_hours(void)
{
	static const uint32_t two[][3] = {{1, 8 * H, 12 * H},
					  {1, 14 * H, 18 * H}};
	static const uint32_t night[][3] = {{2, 0, 6 * H}};
	static const uint32_t evening[][3] = {{1, 20 * H, DAY}};
	static const uint32_t sunday[][3] = {{7, 8 * H, 9 * H}};
	Site s;

	site_init(&s, "s", 4);
	CHECK(orders_rules_open_during(&s, MON, MON + 1)); /* no hours */
	CHECK(!orders_rules_open_during(&s, MON, MON));    /* empty window */

	/* Several intervals on one day (Monday 8-12 and 14-18). */
	site_hours(&s, two, 2);
	CHECK(!orders_rules_open_during(&s, MON + 12 * H + 1800,
					MON + 13 * H + 1800));
	CHECK(orders_rules_open_during(&s, MON + 13 * H + 1800,
				       MON + 14 * H + 1800));
	CHECK(orders_rules_open_during(&s, MON + 11 * H + 3540,
				       MON + 12 * H + 1800));
	CHECK(!orders_rules_open_during(&s, MON + 12 * H, MON + 14 * H));
	CHECK(orders_rules_open_during(&s, MON + 17 * H, MON + 19 * H));
	CHECK(!orders_rules_open_during(&s, MON + 18 * H, MON + 20 * H));
	CHECK(!orders_rules_open_during(&s, TUE + 9 * H, TUE + 10 * H));
	/* next Monday, through the week */
	CHECK(orders_rules_open_during(&s, MON + 7 * DAY + 9 * H,
				       MON + 7 * DAY + 10 * H));
	CHECK(orders_rules_open_during(&s, TUE, TUE + 6 * DAY + 9 * H));
	CHECK(!orders_rules_open_during(&s, TUE, TUE + 6 * DAY + 8 * H));

	/* A window spanning midnight meets the next day's opening. */
	site_hours(&s, night, 1);
	CHECK(orders_rules_open_during(&s, MON + 23 * H, TUE + 1 * H));
	CHECK(!orders_rules_open_during(&s, MON + 22 * H, MON + 23 * H + 59));
	CHECK(!orders_rules_open_during(&s, TUE + 6 * H, TUE + 8 * H));
	/* ... and an opening until midnight (close = 86400). */
	site_hours(&s, evening, 1);
	CHECK(orders_rules_open_during(&s, MON + 23 * H + 1800, TUE + 1800));
	CHECK(!orders_rules_open_during(&s, TUE, TUE + H));
	CHECK(!orders_rules_open_during(&s, MON + 19 * H, MON + 20 * H));

	/* Opening hours are wall-clock time across DST changes: Sunday
	 * 08:00-09:00 is 06:00-07:00 UTC on 29 March 2026 (CEST) and
	 * 07:00-08:00 UTC on 25 October 2026 (CET). */
	site_hours(&s, sunday, 1);
	CHECK(orders_rules_open_during(&s, 1774764000 + 900,
				       1774764000 + 2700));
	CHECK(!orders_rules_open_during(&s, 1774764000 + H,
					1774764000 + H + 1800));
	CHECK(!orders_rules_open_during(&s, 1774764000 - H, 1774764000));
	CHECK(orders_rules_open_during(&s, 1792911600 + 900,
				       1792911600 + 2700));
	CHECK(!orders_rules_open_during(&s, 1792911600 - H, 1792911600));
	CHECK(!orders_rules_open_during(&s, 1792911600 + H,
					1792911600 + 2 * H));
}

/* ---- state machine ---- */

static void
test_transitions(void)
{
	/* legal[src][from] = bit set of legal targets */
	enum { P = 1, C, PL, PU, AH, OD, BR, D, RJ, CA, F };
	static const struct {
		int from;
		unsigned hub, pickup;
	} legal[] = {
		{P, 1u << C | 1u << RJ | 1u << CA | 1u << F,
		 1u << C | 1u << RJ | 1u << CA | 1u << F},
		{C, 1u << PL | 1u << RJ | 1u << CA | 1u << F,
		 1u << PL | 1u << RJ | 1u << CA | 1u << F},
		{PL, 1u << OD | 1u << CA | 1u << F,
		 1u << PU | 1u << CA | 1u << F},
		{PU, 1u << AH | 1u << F, 1u << AH | 1u << F},
		{AH, 1u << OD | 1u << F, 1u << OD | 1u << F},
		{OD, 1u << BR | 1u << D | 1u << F,
		 1u << BR | 1u << D | 1u << F},
		{BR, 1u << D | 1u << F, 1u << D | 1u << F},
		{D, 0, 0},
		{RJ, 0, 0},
		{CA, 0, 0},
		{F, 0, 0},
	};
	int legal_seen = 0, illegal_seen = 0;

	for (size_t i = 0; i < sizeof(legal) / sizeof(legal[0]); i++) {
		for (int to = 0; to < ST_COUNT + 1; to++) {
			int hub = (legal[i].hub >> to) & 1;
			int pk = (legal[i].pickup >> to) & 1;
			int got_hub = orders_rules_transition_ok(
				SRC_HUB_STOCK, legal[i].from, to);
			int got_pk = orders_rules_transition_ok(
				SRC_PRODUCER_PICKUP, legal[i].from, to);
			if (got_hub != hub || got_pk != pk)
				printf("# transition %s -> %s: hub %d/%d "
				       "pickup %d/%d\n",
				       orders_status_name(legal[i].from),
				       orders_status_name(to), got_hub, hub,
				       got_pk, pk);
			CHECK_EQ_INT(got_hub, hub);
			CHECK_EQ_INT(got_pk, pk);
			legal_seen += hub + pk;
			illegal_seen += !hub + !pk;
		}
	}
	CHECK_EQ_INT(legal_seen, 40);
	CHECK(!orders_rules_transition_ok(SRC_HUB_STOCK, ST_UNSPECIFIED,
					  ST_PLACED));
	CHECK(!orders_rules_transition_ok(SRC_HUB_STOCK, 42, ST_FAILED));
	CHECK(!orders_rules_transition_ok(SRC_HUB_STOCK, ST_PLACED, -1));
	CHECK(illegal_seen > 0);
}

/* ---- directory ---- */

static void
test_member(void)
{
	Member m = LZ__ORDERS__V1__MEMBER__INIT;
	struct orders_verdict v;
	char name[300];

	m.member_id = "boulangerie-1";
	m.name = "Le Pain d'Ici";
	m.kind = LZ__ORDERS__V1__MEMBER_KIND__MEMBER_KIND_PRODUCER;
	CHECK_EQ_INT(orders_rules_member(&m, &v), RJ_NONE);
	CHECK_EQ_STR(v.detail, "");
	CHECK_REJECT(orders_rules_member(NULL, V), RJ_INVALID, "member");
	m.member_id = "no way";
	CHECK_REJECT(orders_rules_member(&m, V), RJ_INVALID,
		     "member.member_id");
	m.member_id = "m1";
	memset(name, 'a', 201);
	name[201] = '\0';
	m.name = name;
	CHECK_REJECT(orders_rules_member(&m, V), RJ_INVALID, "member.name");
	m.name = "ok";
	m.kind = (Lz__Orders__V1__MemberKind)9;
	CHECK_REJECT(orders_rules_member(&m, V), RJ_INVALID, "member.kind");
}

static void
test_site(void)
{
	static const uint32_t good[][3] = {{1, 0, DAY}, {7, 3600, 7200}};
	static const uint32_t bad_day[][3] = {{8, 0, 10}};
	static const uint32_t bad_close[][3] = {{1, 0, DAY + 1}};
	static const uint32_t bad_order[][3] = {{1, 10, 10}};
	Site s;
	struct orders_verdict v;

	site_init(&s, "hub", 1);
	site_hours(&s, good, 2);
	CHECK_EQ_INT(orders_rules_site(&s, 1, &v), RJ_NONE);
	CHECK_REJECT(orders_rules_site(&s, 0, V), RJ_UNKNOWN_MEMBER,
		     "site.member_id");
	CHECK_REJECT(orders_rules_site(NULL, 1, V), RJ_INVALID, "site");
	s.site_id = "";
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID, "site.site_id");
	s.site_id = "hub";
	s.member_id = "a/b";
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID, "site.member_id");
	s.member_id = "m1";
	s.address = "\xff";
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID, "site.address");
	s.address = "1 rue de la Loge, Marseille";
	s.kind = (Lz__Orders__V1__SiteKind)7;
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID, "site.kind");
	s.kind = (Lz__Orders__V1__SiteKind)1;
	s.location = NULL;
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID, "site.location");
	s.location = &point;
	point.lat = 91;
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID,
		     "site.location.lat");
	point.lat = 43.3;
	point.lon = -180.5;
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID,
		     "site.location.lon");
	point.lon = 0;
	point.lat = 0;
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID, "site.location");
	point.lat = 43.3;
	point.lon = 5.4;
	site_hours(&s, bad_day, 1);
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID,
		     "site.opening_hours[0].weekday");
	site_hours(&s, bad_close, 1);
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID,
		     "site.opening_hours[0].close");
	site_hours(&s, bad_order, 1);
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID,
		     "site.opening_hours[0]");
	site_hours(&s, good, 2);
	classes_buf[0] =
		LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_FROZEN;
	classes_buf[1] = (Lz__Common__V1__TemperatureClass)0;
	s.n_accepted_classes = 2;
	s.accepted_classes = classes_buf;
	CHECK_REJECT(orders_rules_site(&s, 1, V), RJ_INVALID,
		     "site.accepted_classes[1]");
	s.n_accepted_classes = 1;
	CHECK_EQ_INT(orders_rules_site(&s, 1, &v), RJ_NONE);
}

/* ---- orders ---- */

static void
test_order_valid(void)
{
	struct fixture f;
	struct orders_verdict v;

	fixture_init(&f);
	CHECK_EQ_INT(check_order(&f, &v), RJ_NONE);
	CHECK_EQ_INT(orders_rules_place(&f.o, 1, 0, &f.dest, NULL, NOW, 0, &v),
		     RJ_NONE);
	fixture_pickup(&f);
	CHECK_EQ_INT(check_order(&f, &v), RJ_NONE);
	/* limits are inclusive */
	fixture_init(&f);
	f.line[0].quantity = ORDERS_QUANTITY_MAX;
	f.line[0].unit_grams = ORDERS_UNIT_GRAMS_MAX;
	f.line[0].unit_millilitres = ORDERS_UNIT_ML_MAX;
	f.cc.count = ORDERS_CONTAINERS_MAX;
	f.dw.start = NOW;
	f.dw.end = NOW + ORDERS_WINDOW_MAX;
	CHECK_EQ_INT(check_order(&f, &v), RJ_NONE);
	f.dw.start = NOW + ORDERS_AHEAD_MAX;
	f.dw.end = f.dw.start + H;
	CHECK_EQ_INT(check_order(&f, &v), RJ_NONE);
	/* the grace lets a window start a little before the command */
	f.dw.start = NOW - 60;
	f.dw.end = NOW + H;
	CHECK_EQ_INT(orders_rules_order(&f.o, &f.dest, NULL, NOW, 120, &v),
		     RJ_NONE);
	CHECK_REJECT(orders_rules_order(&f.o, &f.dest, NULL, NOW, 30, V),
		     RJ_WINDOW_IN_PAST, "delivery_window.start");
}

static void
test_order_rejects(void)
{
	static const uint32_t closed_tue[][3] = {{1, 8 * H, 18 * H}};
	struct fixture f;
	char text[1100];

	/* unknown destination, member, reference */
	fixture_init(&f);
	CHECK_REJECT(orders_rules_order(&f.o, NULL, NULL, NOW, 0, V),
		     RJ_UNKNOWN_SITE, "destination_site_id: no site cust");
	f.o.destination_site_id = "bad id\n";
	CHECK_REJECT(orders_rules_order(&f.o, NULL, NULL, NOW, 0, V),
		     RJ_UNKNOWN_SITE, "(invalid id)");
	fixture_init(&f);
	CHECK_REJECT(orders_rules_place(&f.o, 0, 0, &f.dest, NULL, NOW, 0, V),
		     RJ_UNKNOWN_MEMBER, "tenant");
	CHECK_REJECT(orders_rules_place(&f.o, 1, 1, &f.dest, NULL, NOW, 0, V),
		     RJ_DUPLICATE_REFERENCE, "reference");
	f.o.reference = "";
	CHECK_REJECT(orders_rules_place(&f.o, 1, 0, &f.dest, NULL, NOW, 0, V),
		     RJ_INVALID, "reference");
	f.o.reference = "with space";
	CHECK_REJECT(orders_rules_place(&f.o, 1, 0, &f.dest, NULL, NOW, 0, V),
		     RJ_INVALID, "reference");

	/* source */
	fixture_init(&f);
	f.o.source = (Lz__Orders__V1__OrderSource)0;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_SOURCE, "source");
	f.o.source = (Lz__Orders__V1__OrderSource)SRC_HUB_STOCK;
	f.o.pickup_window = &f.pw;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_SOURCE, "pickup_site_id");
	fixture_init(&f);
	fixture_pickup(&f);
	f.o.pickup_site_id = "";
	CHECK_REJECT(check_order(&f, V), RJ_BAD_SOURCE, "pickup_site_id");
	fixture_pickup(&f);
	CHECK_REJECT(orders_rules_order(&f.o, &f.dest, NULL, NOW, 0, V),
		     RJ_UNKNOWN_PICKUP_SITE, "pickup_site_id: no site farm");
	f.pickup.kind = (Lz__Orders__V1__SiteKind)4;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_SOURCE, "not a producer");
	f.pickup.kind = (Lz__Orders__V1__SiteKind)SITE_PRODUCER;
	f.o.pickup_window = NULL;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_SOURCE, "pickup_window");

	/* windows */
	fixture_init(&f);
	f.o.delivery_window = NULL;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_INVALID,
		     "delivery_window: missing");
	fixture_init(&f);
	f.dw.end = f.dw.start;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_INVALID, "delivery_window");
	fixture_init(&f);
	f.dw.start = NOW - 1;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_IN_PAST,
		     "delivery_window.start");
	fixture_init(&f);
	f.dw.end = f.dw.start + ORDERS_WINDOW_MAX + 1;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_INVALID, "longer than");
	fixture_init(&f);
	f.dw.start = NOW + ORDERS_AHEAD_MAX + 1;
	f.dw.end = f.dw.start + H;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_INVALID, "90 days");
	fixture_init(&f);
	f.dw.start = INT64_MAX - 10; /* no overflow on the way */
	f.dw.end = INT64_MAX;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_INVALID, "90 days");
	fixture_init(&f);
	fixture_pickup(&f);
	f.pw.start = NOW - H;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_IN_PAST,
		     "pickup_window.start");
	fixture_init(&f);
	fixture_pickup(&f);
	f.pw.end = f.dw.end;
	CHECK_REJECT(check_order(&f, V), RJ_WINDOW_INVALID,
		     "pickup_window.end");

	/* lines */
	fixture_init(&f);
	f.o.n_lines = 0;
	CHECK_REJECT(check_order(&f, V), RJ_NO_LINES, "lines");
	f.o.n_lines = ORDERS_LINES_MAX + 1;
	CHECK_REJECT(check_order(&f, V), RJ_INVALID, "lines: at most 200");
	fixture_init(&f);
	f.line[1].quantity = 0;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_QUANTITY, "lines[1].quantity");
	f.line[1].quantity = ORDERS_QUANTITY_MAX + 1;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_QUANTITY, "lines[1].quantity");
	fixture_init(&f);
	f.line[0].unit_grams = ORDERS_UNIT_GRAMS_MAX + 1;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_QUANTITY,
		     "lines[0].unit_grams");
	fixture_init(&f);
	f.line[0].unit_millilitres = ORDERS_UNIT_ML_MAX + 1;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_QUANTITY,
		     "lines[0].unit_millilitres");
	fixture_init(&f);
	f.cc.count = ORDERS_CONTAINERS_MAX + 1;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_QUANTITY,
		     "lines[1].containers[0].count");
	f.cc.count = 0;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_QUANTITY,
		     "lines[1].containers[0].count");
	fixture_init(&f);
	f.cc.container_type = "a-very-long-container-type-name-x";
	CHECK_REJECT(check_order(&f, V), RJ_INVALID,
		     "lines[1].containers[0].container_type");
	f.cc.container_type = "";
	CHECK_REJECT(check_order(&f, V), RJ_INVALID,
		     "lines[1].containers[0].container_type");
	fixture_init(&f);
	f.line[0].product = "";
	CHECK_REJECT(check_order(&f, V), RJ_INVALID, "lines[0].product");
	fixture_init(&f);
	f.line[1].temperature_class = (Lz__Common__V1__TemperatureClass)0;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_TEMPERATURE_CLASS,
		     "lines[1].temperature_class");
	f.line[1].temperature_class = (Lz__Common__V1__TemperatureClass)4;
	CHECK_REJECT(check_order(&f, V), RJ_BAD_TEMPERATURE_CLASS,
		     "lines[1].temperature_class");
	fixture_init(&f);
	classes_buf[0] =
		LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_AMBIENT;
	f.dest.n_accepted_classes = 1;
	f.dest.accepted_classes = classes_buf;
	CHECK_REJECT(check_order(&f, V), RJ_TEMPERATURE_NOT_ACCEPTED,
		     "lines[1].temperature_class: site cust does not accept "
		     "chilled");
	fixture_init(&f);
	memset(text, 'n', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	f.o.notes = text;
	CHECK_REJECT(check_order(&f, V), RJ_INVALID, "notes");

	/* opening hours: Monday only; the window is on Tuesday */
	fixture_init(&f);
	site_hours(&f.dest, closed_tue, 1);
	CHECK_REJECT(check_order(&f, V), RJ_SITE_CLOSED, "delivery_window");
	fixture_init(&f);
	fixture_pickup(&f);
	site_hours(&f.pickup, closed_tue, 1);
	CHECK_REJECT(check_order(&f, V), RJ_SITE_CLOSED, "pickup_window");
}

static void
test_amend(void)
{
	struct fixture f;
	AmendOrder a = LZ__ORDERS__V1__AMEND_ORDER__INIT;
	TimeWindow w = LZ__COMMON__V1__TIME_WINDOW__INIT;
	Order am;
	struct orders_verdict v;

	fixture_init(&f);
	a.order_id = "m1/r1";
	w.start = TUE + 14 * H;
	w.end = TUE + 15 * H;
	a.delivery_window = &w;
	orders_rules_amended(&f.o, &a, &am);
	CHECK(am.delivery_window == &w);
	CHECK(am.lines == f.o.lines && am.n_lines == 2);
	CHECK_EQ_STR(am.order_id, "m1/r1");
	CHECK_EQ_INT(orders_rules_amend(&f.o, "m1", &a, &am, &f.dest, NULL, NOW,
					0, &v),
		     RJ_NONE);
	/* not found, or another member's: the same answer */
	CHECK_REJECT(orders_rules_amend(NULL, "m1", &a, NULL, &f.dest, NULL,
					NOW, 0, V),
		     RJ_UNKNOWN_ORDER, "order_id: no order m1/r1");
	CHECK_REJECT(orders_rules_amend(&f.o, "m2", &a, &am, &f.dest, NULL, NOW,
					0, V),
		     RJ_UNKNOWN_ORDER, "order_id");
	CHECK_REJECT(
		orders_rules_amend(&f.o, "", &a, &am, &f.dest, NULL, NOW, 0, V),
		RJ_UNKNOWN_ORDER, "order_id");
	/* too late once planned */
	f.o.status = (Lz__Orders__V1__OrderStatus)ST_CONFIRMED;
	CHECK_EQ_INT(orders_rules_amend(&f.o, "m1", &a, &am, &f.dest, NULL, NOW,
					0, &v),
		     RJ_NONE);
	for (int st = ST_PLANNED; st < ST_COUNT; st++) {
		f.o.status = (Lz__Orders__V1__OrderStatus)st;
		CHECK_REJECT(orders_rules_amend(&f.o, "m1", &a, &am, &f.dest,
						NULL, NOW, 0, V),
			     RJ_TOO_LATE, "amend only before planning");
	}
	f.o.status = (Lz__Orders__V1__OrderStatus)ST_PLACED;
	/* re-validated in full */
	w.start = NOW - H;
	orders_rules_amended(&f.o, &a, &am);
	CHECK_REJECT(orders_rules_amend(&f.o, "m1", &a, &am, &f.dest, NULL, NOW,
					0, V),
		     RJ_WINDOW_IN_PAST, "delivery_window.start");
	a.delivery_window = NULL;
	a.n_lines = 1;
	a.lines = &f.lines[0];
	f.line[0].quantity = 0;
	orders_rules_amended(&f.o, &a, &am);
	CHECK(am.n_lines == 1);
	CHECK_REJECT(orders_rules_amend(&f.o, "m1", &a, &am, &f.dest, NULL, NOW,
					0, V),
		     RJ_BAD_QUANTITY, "lines[0].quantity");
	a.n_lines = 0;
	orders_rules_amended(&f.o, &a, &am);
	CHECK_REJECT(orders_rules_amend(&f.o, "m1", &a, &am, &f.dest, NULL, NOW,
					0, V),
		     RJ_INVALID, "nothing to amend");
	a.notes = "ring twice";
	orders_rules_amended(&f.o, &a, &am);
	CHECK_EQ_STR(am.notes, "ring twice");
}

static void
test_cancel(void)
{
	struct fixture f;
	CancelOrder c = LZ__ORDERS__V1__CANCEL_ORDER__INIT;
	struct orders_verdict v;

	fixture_init(&f);
	c.order_id = "m1/r1";
	c.reason = "no longer needed";
	for (int st = ST_PLACED; st < ST_COUNT; st++) {
		int ok = st == ST_PLACED || st == ST_CONFIRMED ||
			 st == ST_PLANNED;
		f.o.status = (Lz__Orders__V1__OrderStatus)st;
		if (ok) {
			CHECK_EQ_INT(orders_rules_cancel(&f.o, "m1", &c, &v),
				     RJ_NONE);
		} else {
			CHECK_REJECT(orders_rules_cancel(&f.o, "m1", &c, V),
				     RJ_TOO_LATE, "cancel only before pickup");
		}
	}
	f.o.status = (Lz__Orders__V1__OrderStatus)ST_PLACED;
	CHECK_REJECT(orders_rules_cancel(NULL, "m1", &c, V), RJ_UNKNOWN_ORDER,
		     "order_id");
	CHECK_REJECT(orders_rules_cancel(&f.o, "m2", &c, V), RJ_UNKNOWN_ORDER,
		     "order_id");
	c.order_id = "\xff\xfe/x";
	CHECK_REJECT(orders_rules_cancel(NULL, "m1", &c, V), RJ_UNKNOWN_ORDER,
		     "(invalid order id)");
	c.order_id = "m1/r1";
	c.reason = "\xc3";
	CHECK_REJECT(orders_rules_cancel(&f.o, "m1", &c, V), RJ_INVALID,
		     "reason");
}

/* ---- store ---- */

static int
count_stat(const char *name, int64_t value, void *arg)
{
	(void)name;
	(void)value;
	(*(int *)arg)++;
	return 0;
}

static void
stat_cb(const char *name, int64_t value, void *arg)
{
	count_stat(name, value, arg);
}

struct store_t {
	struct orders_db db;
	struct fixture f[3];
};

static int
store_write_fn(MDB_txn *txn, void *arg)
{
	struct store_t *t = arg;
	HistoryEntry e = LZ__ORDERS__V1__ORDER_HISTORY_ENTRY__INIT;
	Order next;
	int rc = 0;

	for (int i = 0; i < 3 && rc == 0; i++)
		rc = orders_store_put_order(txn, &t->db, &t->f[i].o, NULL);
	e.at = NOW;
	e.event = "one";
	for (int i = 0; i < 3 && rc == 0; i++) {
		e.status = (Lz__Orders__V1__OrderStatus)(i + 1);
		rc = orders_store_add_history(txn, &t->db, "m1/a", &e);
	}
	/* m1/b: placed -> confirmed */
	next = t->f[1].o;
	next.status = (Lz__Orders__V1__OrderStatus)ST_CONFIRMED;
	if (rc == 0)
		rc = orders_store_put_order(txn, &t->db, &next, &t->f[1].o);
	return rc;
}

static int
store_read_fn(MDB_txn *txn, void *arg)
{
	struct store_t *t = arg;
	Order **list, *o;
	HistoryEntry **h;
	size_t n;
	int rc, nstats = 0;

	CHECK_EQ_INT(
		orders_store_list(txn, &t->db, "m1", 0, NULL, 10, &list, &n),
		0);
	CHECK_EQ_INT(n, 2); /* m1/b (Tuesday) sorts before m1/a (Wednesday) */
	if (n == 2) {
		CHECK_EQ_STR(list[0]->order_id, "m1/b");
		CHECK_EQ_STR(list[1]->order_id, "m1/a");
		CHECK_EQ_INT(list[0]->status, ST_CONFIRMED);
	}
	orders_store_free_orders(list, n);
	orders_store_list(txn, &t->db, "m1", 0, NULL, 1, &list, &n);
	CHECK_EQ_INT(n, 1);
	orders_store_free_orders(list, n);
	orders_store_list(txn, &t->db, "m1", ST_PLACED, NULL, 10, &list, &n);
	CHECK_EQ_INT(n, 1);
	if (n == 1)
		CHECK_EQ_STR(list[0]->order_id, "m1/a");
	orders_store_free_orders(list, n);
	orders_store_list(txn, &t->db, "m1", ST_CONFIRMED, "20261124", 10,
			  &list, &n);
	CHECK_EQ_INT(n, 1);
	orders_store_free_orders(list, n);
	orders_store_list(txn, &t->db, "m1", 0, "20261125", 10, &list, &n);
	CHECK_EQ_INT(n, 1);
	orders_store_free_orders(list, n);
	orders_store_list(txn, &t->db, "m1", ST_CONFIRMED, "20261125", 10,
			  &list, &n);
	CHECK_EQ_INT(n, 0);
	orders_store_free_orders(list, n);
	/* "m1" must not see "m10"'s orders */
	orders_store_list(txn, &t->db, "m10", 0, NULL, 10, &list, &n);
	CHECK_EQ_INT(n, 1);
	orders_store_free_orders(list, n);

	CHECK_EQ_INT(orders_store_history(txn, &t->db, "m1/a", &h, &n), 0);
	CHECK_EQ_INT(n, 3);
	if (n == 3)
		CHECK(h[0]->status == 1 && h[2]->status == 3);
	orders_store_free_history(h, n);
	orders_store_history(txn, &t->db, "m1/b", &h, &n);
	CHECK_EQ_INT(n, 0);
	orders_store_free_history(h, n);

	CHECK_EQ_INT(orders_store_get_order(txn, &t->db, "m1/b", &o), 0);
	CHECK(o != NULL && (int)o->status == ST_CONFIRMED);
	if (o)
		lz__orders__v1__order__free_unpacked(o, NULL);
	/* keys LMDB would refuse are simply unknown */
	{
		char big[600];
		memset(big, 'k', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_EQ_INT(orders_store_get_order(txn, &t->db, big, &o), 0);
		CHECK(o == NULL);
		CHECK_EQ_INT(orders_store_get_order(txn, &t->db, "", &o), 0);
		CHECK(o == NULL);
	}
	rc = orders_store_stats(txn, &t->db, stat_cb, &nstats);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(nstats, 2); /* status/placed, status/confirmed */
	{
		uint64_t placed, confirmed;
		lz_store_get_u64(txn, t->db.stats, "status/placed", 13,
				 &placed);
		lz_store_get_u64(txn, t->db.stats, "status/confirmed", 16,
				 &confirmed);
		CHECK_EQ_INT(placed, 2);
		CHECK_EQ_INT(confirmed, 1);
	}
	return 0;
}

static void
test_store(void)
{
	char dir[] = "/tmp/lz-test-orders.XXXXXX";
	struct lz_store_options so = {0};
	struct lz_store *s = NULL;
	struct store_t t;
	char cmd[64];

	CHECK(mkdtemp(dir) != NULL);
	so.map_size = 1 << 16; /* tiny: the map grows during the test */
	so.no_sync = 1;
	CHECK_EQ_INT(lz_store_open(&s, dir, &so), 0);
	if (s == NULL)
		return;
	CHECK_EQ_INT(orders_store_open(s, &t.db), 0);
	for (int i = 0; i < 3; i++)
		fixture_init(&t.f[i]);
	t.f[0].o.order_id = "m1/a";
	t.f[0].o.reference = "a";
	t.f[0].dw.start += DAY; /* Wednesday */
	t.f[0].dw.end += DAY;
	t.f[1].o.order_id = "m1/b";
	t.f[1].o.reference = "b";
	t.f[2].o.order_id = "m10/a";
	t.f[2].o.member_id = "m10";
	t.f[2].o.reference = "a";
	CHECK_EQ_INT(lz_store_write(s, store_write_fn, NULL, &t), 0);
	CHECK_EQ_INT(lz_store_read(s, store_read_fn, &t), 0);
	lz_store_destroy(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ_INT(system(cmd), 0);
}

int
main(void)
{
	if (lz_date_set_timezone("Europe/Paris") != 0) {
		printf("# Europe/Paris unknown: install tzdata\n");
		return 1;
	}
	RUN(test_ids);
	RUN(test_names);
	RUN(test_local_date);
	RUN(test_timezone);
	RUN(test_opening_hours);
	RUN(test_transitions);
	RUN(test_member);
	RUN(test_site);
	RUN(test_order_valid);
	RUN(test_order_rejects);
	RUN(test_amend);
	RUN(test_cancel);
	RUN(test_store);
	return lz_test_summary();
}
