/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_inventory.c -- the inventory's pure decisions: FEFO allocation,
 * expiry before the window, partial and all-or-nothing orders, several
 * lots per line, the shared pool; reception checks; the expiry watch;
 * picking lists (loading order, the units a pick takes and its
 * refusals, what a short pick is short of).
 */
#include "alloc.h"
#include "lz_test.h"
#include "lz_util.h"

#include <string.h>

#define DAY 86400
#define T0 1800000000

enum { AMB = 1, CHILL = 2, FROZEN = 3 };

static struct inv_alloc_lot
lot(const char *id, const char *owner, const char *product, int kind,
    int64_t date, int64_t avail)
{
	struct inv_alloc_lot l = {id,   owner, product, CHILL, kind,
				  date, T0,    avail,   0};
	return l;
}

/* The lot ids of R's picks, "id:qty" joined by spaces. */
static const char *
picks(const struct inv_alloc_result *r, const struct inv_alloc_lot *lots)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->npicks && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%zu/%s:%lld",
				      i ? " " : "", r->picks[i].line,
				      lots[r->picks[i].lot].lot_id,
				      (long long)r->picks[i].quantity);
	return buf;
}

static struct inv_alloc_request
request(const struct inv_alloc_line *lines, size_t n, int partial)
{
	struct inv_alloc_request q = {"m1", 0, T0 + DAY, partial, lines, n};
	return q;
}

static void
test_fefo_order(void)
{
	struct inv_alloc_lot lots[] = {
		lot("late", "m1", "yaourt", INV_DATE_USE_BY, T0 + 9 * DAY, 10),
		lot("early", "m1", "yaourt", INV_DATE_USE_BY, T0 + 3 * DAY, 4),
		lot("nodate", "m1", "yaourt", INV_DATE_NONE, 0, 10),
		lot("mid", "m1", "yaourt", INV_DATE_BEST_BEFORE, T0 + 5 * DAY,
		    3),
		lot("other", "m1", "lait", INV_DATE_USE_BY, T0 + 2 * DAY, 10),
	};
	struct inv_alloc_line line = {"yaourt", CHILL, 9};
	struct inv_alloc_request q = request(&line, 1, 0);
	struct inv_alloc_result r;

	inv_alloc(&q, lots, 5, &r);
	CHECK_EQ_INT(r.complete, 1);
	CHECK_EQ_STR(picks(&r, lots), "0/early:4 0/mid:3 0/late:2");
	CHECK_EQ_INT(r.missing[0], 0);
	inv_alloc_result_release(&r);

	/* Undated lots come last; same date: earlier reception first. */
	line.quantity = 27;
	lots[1].received_at = T0 + 5;
	inv_alloc(&q, lots, 5, &r);
	CHECK_EQ_STR(picks(&r, lots),
		     "0/early:4 0/mid:3 0/late:10 0/nodate:10");
	CHECK_EQ_INT(r.complete, 1);
	inv_alloc_result_release(&r);

	struct inv_alloc_lot same[] = {
		lot("b", "m1", "yaourt", INV_DATE_USE_BY, T0 + 3 * DAY, 1),
		lot("a", "m1", "yaourt", INV_DATE_USE_BY, T0 + 3 * DAY, 1),
		lot("c", "m1", "yaourt", INV_DATE_USE_BY, T0 + 3 * DAY, 1),
	};
	same[2].received_at = T0 - 1;
	line.quantity = 3;
	inv_alloc(&q, same, 3, &r);
	CHECK_EQ_STR(picks(&r, same), "0/c:1 0/a:1 0/b:1");
	inv_alloc_result_release(&r);
}

static void
test_expiry_before_window(void)
{
	struct inv_alloc_lot lots[] = {
		/* use-by before the window's end: never */
		lot("too-early", "m1", "jambon", INV_DATE_USE_BY, T0 + DAY - 1,
		    50),
		/* exactly at the end of the window: allowed */
		lot("at-end", "m1", "jambon", INV_DATE_USE_BY, T0 + DAY, 2),
		/* best-before before the window: allowed (DDM) */
		lot("ddm", "m1", "jambon", INV_DATE_BEST_BEFORE, T0, 1),
	};
	struct inv_alloc_line line = {"jambon", CHILL, 5};
	struct inv_alloc_request q = request(&line, 1, 0);
	struct inv_alloc_result r;

	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_INT(r.npicks, 0);
	CHECK_EQ_INT(r.missing[0], 2);
	inv_alloc_result_release(&r);

	q.allow_partial = 1;
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_STR(picks(&r, lots), "0/ddm:1 0/at-end:2");
	CHECK_EQ_INT(r.missing[0], 2);
	inv_alloc_result_release(&r);
	CHECK(!inv_alloc_eligible(&q, &lots[0], "jambon", CHILL));
	CHECK(inv_alloc_eligible(&q, &lots[1], "jambon", CHILL));
	CHECK(!inv_alloc_eligible(&q, &lots[1], "jambon", FROZEN));
	CHECK(!inv_alloc_eligible(&q, &lots[1], "Jambon", CHILL));
}

static void
test_partial_and_all_or_nothing(void)
{
	struct inv_alloc_lot lots[] = {
		lot("p1", "m1", "pain", INV_DATE_BEST_BEFORE, T0 + 2 * DAY, 5),
		lot("f1", "m1", "fromage", INV_DATE_USE_BY, T0 + 4 * DAY, 2),
	};
	struct inv_alloc_line lines[] = {
		{"pain", CHILL, 5},
		{"fromage", CHILL, 3},
		{"beurre", CHILL, 1},
	};
	struct inv_alloc_request q = request(lines, 3, 0);
	struct inv_alloc_result r;

	inv_alloc(&q, lots, 2, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_INT(r.npicks, 0);
	CHECK_EQ_INT(r.missing[0], 0);
	CHECK_EQ_INT(r.missing[1], 1);
	CHECK_EQ_INT(r.missing[2], 1);
	inv_alloc_result_release(&r);

	q.allow_partial = 1;
	inv_alloc(&q, lots, 2, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_STR(picks(&r, lots), "0/p1:5 1/f1:2");
	CHECK_EQ_INT(r.missing[1], 1);
	CHECK_EQ_INT(r.missing[2], 1);
	inv_alloc_result_release(&r);

	/* Enough for everything: complete either way. */
	lines[1].quantity = 2;
	lines[2].product = "pain";
	lines[2].quantity = 0;
	q.allow_partial = 0;
	inv_alloc(&q, lots, 2, &r);
	CHECK_EQ_INT(r.complete, 1);
	CHECK_EQ_STR(picks(&r, lots), "0/p1:5 1/f1:2");
	inv_alloc_result_release(&r);

	/* No lots at all, no lines at all. */
	inv_alloc(&q, NULL, 0, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_INT(r.missing[0], 5);
	inv_alloc_result_release(&r);
	q.nlines = 0;
	inv_alloc(&q, lots, 2, &r);
	CHECK_EQ_INT(r.complete, 1);
	CHECK_EQ_INT(r.npicks, 0);
	inv_alloc_result_release(&r);
}

static void
test_several_lots_per_line(void)
{
	struct inv_alloc_lot lots[] = {
		lot("a", "m1", "oeufs", INV_DATE_USE_BY, T0 + 5 * DAY, 6),
		lot("b", "m1", "oeufs", INV_DATE_USE_BY, T0 + 6 * DAY, 6),
		lot("c", "m1", "oeufs", INV_DATE_USE_BY, T0 + 7 * DAY, 6),
	};
	/* Two lines of the same product share the lots. */
	struct inv_alloc_line lines[] = {
		{"oeufs", CHILL, 8},
		{"oeufs", CHILL, 7},
	};
	struct inv_alloc_request q = request(lines, 2, 0);
	struct inv_alloc_result r;

	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_INT(r.complete, 1);
	CHECK_EQ_STR(picks(&r, lots), "0/a:6 0/b:2 1/b:4 1/c:3");
	inv_alloc_result_release(&r);

	lines[1].quantity = 11;
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_INT(r.npicks, 0);
	CHECK_EQ_INT(r.missing[0], 0);
	CHECK_EQ_INT(r.missing[1], 1);
	inv_alloc_result_release(&r);

	/* Lots with nothing available are skipped. */
	lots[0].available = 0;
	lines[1].quantity = 1;
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_STR(picks(&r, lots), "0/b:6 0/c:2 1/c:1");
	inv_alloc_result_release(&r);
}

static void
test_shared_pool(void)
{
	struct inv_alloc_lot lots[] = {
		lot("theirs-early", "m2", "pommes", INV_DATE_USE_BY,
		    T0 + 2 * DAY, 10),
		lot("mine-late", "m1", "pommes", INV_DATE_USE_BY, T0 + 8 * DAY,
		    3),
		lot("private", "m3", "pommes", INV_DATE_USE_BY, T0 + 2 * DAY,
		    10),
	};
	struct inv_alloc_line line = {"pommes", CHILL, 5};
	struct inv_alloc_request q = request(&line, 1, 0);
	struct inv_alloc_result r;

	lots[0].shared = 1; /* m2 lends; m3 does not */
	/* The member is not in the pool: only its own lots. */
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_INT(r.missing[0], 2);
	inv_alloc_result_release(&r);

	/* In the pool: its own lots first, then lenders' (FEFO), never
	 * the lots of a member outside the pool. */
	q.member_shared = 1;
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_INT(r.complete, 1);
	CHECK_EQ_STR(picks(&r, lots), "0/mine-late:3 0/theirs-early:2");
	inv_alloc_result_release(&r);

	line.quantity = 14;
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_INT(r.complete, 0);
	CHECK_EQ_INT(r.missing[0], 1);
	CHECK_EQ_INT(r.npicks, 0);
	inv_alloc_result_release(&r);

	/* A lender's lots are still its own when it orders. */
	q.member = "m3";
	q.member_shared = 0;
	line.quantity = 10;
	inv_alloc(&q, lots, 3, &r);
	CHECK_EQ_STR(picks(&r, lots), "0/private:10");
	inv_alloc_result_release(&r);
}

static struct inv_reception
reception(void)
{
	struct inv_reception r = {
		"L1", "fournil", "pain",          "chill-1", 10, 500,
		1000, CHILL,     INV_DATE_USE_BY, T0 + DAY,  "", "",
	};
	return r;
}

static void
test_reception_checks(void)
{
	struct inv_zone_state z = {CHILL, 100000, 100000, 0, 0};
	struct inv_reception r = reception();
	char d[256];

	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)), INV_OK);
	CHECK_EQ_INT(inv_check_reception(&r, NULL, 0, T0, d, sizeof(d)),
		     INV_UNKNOWN_ZONE);
	CHECK_EQ_INT(inv_check_reception(&r, &z, 1, T0, d, sizeof(d)),
		     INV_DUPLICATE_LOT);
	z.temp = FROZEN;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_WRONG_TEMPERATURE_CLASS);
	z.temp = CHILL;
	z.used_grams = 95001;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_OVER_CAPACITY);
	CHECK(strstr(d, "capacity 100000 g") != NULL);
	z.used_grams = 95000;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)), INV_OK);
	z.used_ml = 90001;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_OVER_CAPACITY);
	z.used_ml = 0;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0 + DAY, d, sizeof(d)),
		     INV_EXPIRED);
	r.date_kind = INV_DATE_BEST_BEFORE;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0 + DAY, d, sizeof(d)),
		     INV_OK);
	r = reception();
	r.quantity = 0;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_BAD_QUANTITY);
	CHECK_EQ_STR(d, "quantity: 0 not in 1..1000000");
	r.quantity = -5;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_BAD_QUANTITY);
	r = reception();
	r.unit_grams = 0;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_BAD_QUANTITY);
	r = reception();
	r.unit_ml = -1;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_BAD_QUANTITY);
	r = reception();
	r.lot_id = "bad id";
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_INVALID);
	r = reception();
	r.product = "p\xff";
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_INVALID);
	r = reception();
	r.temp = 0;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_INVALID);
	r = reception();
	r.date = 0;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_INVALID);
	r.date_kind = INV_DATE_NONE;
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)), INV_OK);
	CHECK(lz_valid_text("Crème fraîche", 200));
	CHECK(!lz_valid_text("a\001b", 200));
	CHECK(!lz_valid_text("\xc3", 200));
	CHECK(!lz_valid_text("Crème", 5));
	CHECK(lz_valid_text("", 200));
	r = reception();
	r.product = "";
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_INVALID);
	r.product = "a\033b";
	CHECK_EQ_INT(inv_check_reception(&r, &z, 0, T0, d, sizeof(d)),
		     INV_INVALID);
}

static void
test_expiry_watch(void)
{
	const int64_t h = 2 * DAY;

	/* Far away: nothing; within the horizon: nearing once. */
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_USE_BY, T0 + 3 * DAY, 5, 0, 0,
				       T0, h),
		     INV_EXPIRY_NONE);
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_USE_BY, T0 + 2 * DAY, 5, 0, 0,
				       T0, h),
		     INV_EXPIRY_NEARING);
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_USE_BY, T0 + 2 * DAY, 5, 1, 0,
				       T0, h),
		     INV_EXPIRY_NONE);
	/* Fully reserved stock is not offered to the returns flow. */
	CHECK_EQ_INT(
		inv_expiry_action(INV_DATE_USE_BY, T0 + DAY, 0, 0, 0, T0, h),
		INV_EXPIRY_NONE);
	/* Use-by reached: expired, once. */
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_USE_BY, T0, 5, 1, 0, T0, h),
		     INV_EXPIRY_EXPIRED);
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_USE_BY, T0, 0, 0, 0, T0, h),
		     INV_EXPIRY_EXPIRED);
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_USE_BY, T0, 5, 1, 1, T0, h),
		     INV_EXPIRY_NONE);
	/* Best-before: nearing, never expired; undated: nothing. */
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_BEST_BEFORE, T0 - DAY, 5, 0, 0,
				       T0, h),
		     INV_EXPIRY_NEARING);
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_BEST_BEFORE, T0 - DAY, 5, 1, 0,
				       T0, h),
		     INV_EXPIRY_NONE);
	CHECK_EQ_INT(inv_expiry_action(INV_DATE_NONE, 0, 5, 0, 0, T0, h),
		     INV_EXPIRY_NONE);
	/* Horizon 0: only lots at their date. */
	CHECK_EQ_INT(
		inv_expiry_action(INV_DATE_BEST_BEFORE, T0 + 1, 5, 0, 0, T0, 0),
		INV_EXPIRY_NONE);
}

/* Goods unloaded by the tours service: lot ids and the zone chosen. */
static void
test_unload(void)
{
	struct inv_zone_state z[] = {
		{1, 10000, 10000, 0, 0}, /* "a-sec", ambient */
		{2, 1000, 1000, 900, 0}, /* "b-froid", chilled, almost full */
		{2, 100000, 5000, 0, 0}, /* "c-froid", chilled */
	};
	char id[INV_ID_MAX + 1], id2[INV_ID_MAX + 1];
	char longid[200];

	inv_unload_lot_id("fournil/p1", 0, id);
	CHECK_EQ_STR(id, "in-fournil.p1-9be69e4e-0");
	CHECK(lz_valid_id(id));
	/* Same characters once sanitised, another order: another id. */
	inv_unload_lot_id("fournil.p1", 0, id2);
	CHECK(strcmp(id, id2) != 0);
	inv_unload_lot_id("fournil/p1", 12, id2);
	CHECK(strcmp(id, id2) != 0);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	longid[3] = '/';
	longid[5] = '"';
	inv_unload_lot_id(longid, 4294967295u, id);
	CHECK(lz_valid_id(id));
	CHECK_EQ_INT((long long)strlen(id), 63);
	inv_unload_lot_id("", 0, id);
	CHECK(lz_valid_id(id));

	CHECK_EQ_INT(inv_choose_zone(z, 3, 1, 5000, 5000), 0);
	/* The first chilled zone has no room for 200 g: the next one. */
	CHECK_EQ_INT(inv_choose_zone(z, 3, 2, 200, 0), 2);
	CHECK_EQ_INT(inv_choose_zone(z, 3, 2, 100, 1000), 1);
	/* Room nowhere: the first of the class (refused over capacity). */
	CHECK_EQ_INT(inv_choose_zone(z, 3, 2, 200, 6000), 1);
	CHECK_EQ_INT(inv_choose_zone(z, 3, 3, 1, 1), -1);
	CHECK_EQ_INT(inv_choose_zone(NULL, 0, 1, 1, 1), -1);
}

/* ---- picking ---- */

static struct inv_pick_item
item(const char *order, unsigned stop, unsigned line, const char *lot, int temp,
     size_t rank, int64_t listed)
{
	struct inv_pick_item it = {order, stop,          line,   lot, temp,
				   rank,  INV_PICK_TODO, listed, 0,   0};
	return it;
}

/* "order/line/lot" of ITEMS joined by spaces. */
static const char *
items_str(const struct inv_pick_item *items, size_t n)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s/%u/%s",
				      i ? " " : "", items[i].order_id,
				      items[i].line, items[i].lot_id);
	return buf;
}

static void
test_picking_order(void)
{
	/* Stops 1, 2, 3 on the way out: stop 3 is delivered last, loaded
	 * first; per compartment (ambient, then chilled, then frozen). */
	struct inv_pick_item items[] = {
		item("m/a", 1, 0, "L-y1", CHILL, 0, 5),
		item("m/a", 1, 1, "L-bread", AMB, 0, 2),
		item("m/c", 3, 0, "L-y2", CHILL, 1, 4),
		item("m/c", 3, 0, "L-y1", CHILL, 0, 6),
		item("m/b", 2, 0, "L-ice", FROZEN, 0, 1),
		item("m/b", 2, 1, "L-y1", CHILL, 0, 3),
		item("m/d", 3, 0, "L-bread", AMB, 0, 1),
		item("m/a", 1, 0, "L-y0", CHILL, 1, 2),
	};
	size_t n = LZ_ARRAY_LEN(items);

	for (size_t i = 0; i < n; i++)
		items[i].ref = i;
	inv_pick_sort(items, n);
	CHECK_EQ_STR(items_str(items, n),
		     "m/d/0/L-bread m/a/1/L-bread "
		     "m/c/0/L-y1 m/c/0/L-y2 m/b/1/L-y1 m/a/0/L-y1 m/a/0/L-y0 "
		     "m/b/0/L-ice");
	/* The caller's index goes with each item. */
	CHECK_EQ_INT(items[0].ref, 6);
	CHECK_EQ_INT(items[n - 1].ref, 4);
	/* Sorting again changes nothing; nothing to sort is fine. */
	inv_pick_sort(items, n);
	CHECK_EQ_INT(items[2].ref, 3);
	inv_pick_sort(items, 0);
	inv_pick_sort(NULL, 0);
}

static void
test_pick_quantities(void)
{
	struct inv_pick_item items[] = {
		item("m/a", 1, 0, "L1", CHILL, 0, 5),
		item("m/a", 1, 0, "L2", CHILL, 1, 3),
		item("m/a", 1, 1, "L3", AMB, 0, 2),
		item("m/b", 2, 0, "L1", CHILL, 0, 4),
		item("m/done", 3, 0, "L1", CHILL, 0, 7),
		item("m/gone", 4, 0, "L1", CHILL, 0, 1),
	};
	size_t n = LZ_ARRAY_LEN(items), bad = 99;
	char detail[200];

	items[4].state = INV_PICK_DONE;
	items[4].picked = 7;
	items[5].state = INV_PICK_GONE;
	/* Nothing given: everything to do as listed. */
	CHECK_EQ_INT(inv_pick_quantities(items, n, NULL, 0, &bad, detail,
					 sizeof(detail)),
		     INV_OK);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(items[0].picked, 5);
	CHECK_EQ_INT(items[3].picked, 4);
	CHECK_EQ_INT(items[4].picked, 7); /* done: as it was */
	CHECK_EQ_INT(items[5].picked, 0); /* gone: nothing */

	/* Given: only what differs; the rest as listed. */
	{
		struct inv_pick_given g[] = {{"m/a", 0, "L2", 1},
					     {"m/b", 0, "L1", 0}};

		CHECK_EQ_INT(inv_pick_quantities(items, n, g, 2, &bad, detail,
						 sizeof(detail)),
			     INV_OK);
		CHECK_EQ_INT(items[0].picked, 5);
		CHECK_EQ_INT(items[1].picked, 1);
		CHECK_EQ_INT(items[2].picked, 2);
		CHECK_EQ_INT(items[3].picked, 0);
	}
	/* Each refusal, with the entry at fault; the items unchanged. */
	{
		static const struct {
			struct inv_pick_given g;
			int reason;
			const char *detail;
		} cases[] = {
			{{"m/zz", 0, "L1", 1},
			 INV_UNKNOWN_ORDER,
			 "picked[1].order_id: not on the tour's picking list"},
			{{"m/done", 0, "L1", 1},
			 INV_ALREADY_PICKED,
			 "picked[1].order_id: already picked"},
			{{"m/gone", 0, "L1", 1},
			 INV_UNKNOWN_ORDER,
			 "picked[1].order_id: the order ended or left the "
			 "tour before its picking"},
			{{"m/a", 0, "L3", 1},
			 INV_UNKNOWN_LOT,
			 "picked[1]: line 0 and lot_id not listed for that "
			 "order"},
			{{"m/a", 2, "L1", 1},
			 INV_UNKNOWN_LOT,
			 "picked[1]: line 2 and lot_id not listed for that "
			 "order"},
			{{"m/a", 0, "L1", 4},
			 INV_INVALID,
			 "picked[1]: the same order, line and lot named twice"},
			{{"m/a", 0, "L2", -1},
			 INV_BAD_QUANTITY,
			 "picked[1].quantity: -1 is negative"},
			{{"m/a", 0, "L2", 4},
			 INV_ABOVE_LISTED,
			 "picked[1].quantity: 4 above the 3 units listed"},
		};

		for (size_t i = 0; i < LZ_ARRAY_LEN(cases); i++) {
			struct inv_pick_given g[] = {{"m/a", 0, "L1", 4},
						     cases[i].g};

			items[0].picked = 9;
			bad = 99;
			CHECK_EQ_INT(inv_pick_quantities(items, n, g, 2, &bad,
							 detail,
							 sizeof(detail)),
				     cases[i].reason);
			CHECK_EQ_INT(bad, 1);
			CHECK_EQ_STR(detail, cases[i].detail);
			CHECK_EQ_INT(items[0].picked, 9);
		}
	}
	/* A NULL id never matches. */
	{
		struct inv_pick_given g = {NULL, 0, "L1", 1};

		CHECK_EQ_INT(inv_pick_quantities(items, n, &g, 1, &bad, detail,
						 sizeof(detail)),
			     INV_UNKNOWN_ORDER);
	}
}

static void
test_pick_shortages(void)
{
	struct inv_pick_item items[] = {
		item("m/a", 1, 1, "L1", CHILL, 0, 5),
		item("m/a", 1, 0, "L2", CHILL, 0, 3),
		item("m/a", 1, 1, "L3", CHILL, 1, 2),
		item("m/a", 1, 2, "L4", AMB, 0, 2),
		item("m/b", 2, 0, "L1", CHILL, 0, 4),
	};
	struct inv_pick_short sh[4];
	size_t n = LZ_ARRAY_LEN(items);

	for (size_t i = 0; i < n; i++)
		items[i].picked = items[i].listed;
	CHECK_EQ_INT(inv_pick_shortages(items, n, "m/a", sh, 4), 0);
	/* Line 1 (two lots, 7 listed) short of 2 over both lots; line 0
	 * short of 3; line 2 complete; the other order does not count. */
	items[0].picked = 4;
	items[2].picked = 1;
	items[1].picked = 0;
	items[4].picked = 0;
	CHECK_EQ_INT(inv_pick_shortages(items, n, "m/a", sh, 4), 2);
	CHECK_EQ_INT(sh[0].line, 0);
	CHECK_EQ_INT(sh[0].listed, 3);
	CHECK_EQ_INT(sh[0].missing, 3);
	CHECK_EQ_INT(sh[1].line, 1);
	CHECK_EQ_INT(sh[1].listed, 7);
	CHECK_EQ_INT(sh[1].missing, 2);
	/* At most MAX written, the count says how many there are. */
	CHECK_EQ_INT(inv_pick_shortages(items, n, "m/a", sh, 1), 2);
	CHECK_EQ_INT(sh[0].line, 0);
	CHECK_EQ_INT(inv_pick_shortages(items, n, "m/b", sh, 4), 1);
	CHECK_EQ_INT(sh[0].missing, 4);
	CHECK_EQ_INT(inv_pick_shortages(items, n, "m/none", sh, 4), 0);
	CHECK_EQ_INT(inv_pick_shortages(NULL, 0, "m/a", sh, 4), 0);
}

int
main(void)
{
	RUN(test_fefo_order);
	RUN(test_expiry_before_window);
	RUN(test_partial_and_all_or_nothing);
	RUN(test_several_lots_per_line);
	RUN(test_shared_pool);
	RUN(test_reception_checks);
	RUN(test_expiry_watch);
	RUN(test_unload);
	RUN(test_picking_order);
	RUN(test_pick_quantities);
	RUN(test_pick_shortages);
	return lz_test_summary();
}
