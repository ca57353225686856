/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * match.h -- the pure part of the returns service: which outlet a flow
 * goes to (the food-waste hierarchy), when a collection can happen, and
 * when it reaches the outlet.  No LMDB, no sockets; dates are local to the
 * process's time zone (lz_date).
 */
#ifndef RETURNS_MATCH_H
#define RETURNS_MATCH_H

#include "codec.h"

#include <stddef.h>
#include <stdint.h>

/* Opening hours as stored: none means always open. */
struct returns_hours {
	const OpeningHours *const *h;
	size_t n;
};

/* The levels a flow of KIND may reach, best first, into OUT (at most
 * LV_COUNT); returns how many (0 for an unknown kind). */
size_t returns_levels_for(int flow_kind, int out[LV_COUNT]);

/* The hierarchy level of an outlet of KIND (LV_NONE for washing or an
 * unknown kind: such outlets take no flow). */
int returns_outlet_level(int outlet_kind);

/* The earliest time >= T at which a place with HOURS is open, looking up
 * to 8 days ahead; T itself when HOURS is empty.  -1 if never open. */
int64_t returns_next_open(const struct returns_hours *hours, int64_t t);

/* The collection window DAYS_AHEAD local days after NOW's day (0: today):
 * [FROM, UNTIL] seconds after local midnight, narrowed to the longest
 * opening interval of the site that day (HOURS; none: always open); a day
 * the site is closed moves it to the next (up to 7 more days).  Returns 0
 * and *START, *END, or -1 when no such day exists or FROM >= UNTIL. */
int returns_collection_window(const struct returns_hours *hours, int64_t now,
			      int days_ahead, int from, int until,
			      int64_t *start, int64_t *end);

/* What the matcher needs to know about an outlet. */
struct returns_outlet {
	const char *outlet_id;
	int kind;                      /* OutletKind */
	const char *const *categories; /* none: every category */
	size_t n_categories;
	int has_location;
	double lat, lon;
	int64_t capacity_per_day; /* grams */
	struct returns_hours hours;
};

/* Grams already promised to outlet I (index into the array given to
 * returns_match) for local date DATE. */
typedef int64_t (*returns_used_fn)(size_t i, const char *date, void *arg);

struct returns_flow_in {
	int kind; /* FlowKind */
	const char *category;
	int64_t grams;
	int64_t use_by; /* 0: none */
	int date_kind;  /* DateKind */
	int has_location;
	double lat, lon;
	int64_t ready; /* when it leaves its site at the latest */
};

struct returns_match_conf {
	double speed;          /* metres per second */
	double circuity;       /* road / great-circle */
	int64_t safety_margin; /* seconds before use-by it must arrive */
};

struct returns_match {
	int index;          /* outlet chosen, or -1 */
	int level;          /* its level (LV_NONE when none) */
	int64_t distance_m; /* great circle x circuity */
	int64_t arrival;    /* at the outlet */
	char date[11]; /* local date of arrival: capacity is booked there */
	const char *reason; /* why none was found (static), or "" */
};

/* Chooses the outlet of flow F among the N OUTLETS: the best level of the
 * hierarchy that has an outlet accepting the flow's category, open at its
 * arrival (READY + travel, then the next opening), able to take its grams
 * that day (USED), and -- for donation and transformation of a use-by
 * food -- reached before the use-by date less the margin; within a level,
 * the nearest, then the one with most room left that day, then the
 * smallest outlet id.  A flow or outlet without coordinates is at distance
 * 0.  Returns the choice (index -1 and a reason -- "unsafe", "capacity",
 * "closed", "category", "no_outlet" -- when none). */
struct returns_match returns_match(const struct returns_flow_in *f,
				   const struct returns_outlet *outlets,
				   size_t n, const struct returns_match_conf *c,
				   returns_used_fn used, void *arg);

#endif
