/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * match.c -- see match.h.
 */
#include "match.h"

#include "lz_date.h"
#include "lz_route.h"
#include "lz_util.h"

#include <math.h>
#include <string.h>

size_t
returns_levels_for(int flow_kind, int out[LV_COUNT])
{
	static const int unsold[] = {LV_DONATION, LV_TRANSFORMATION,
				     LV_ANIMAL_FEED, LV_COMPOSTING,
				     LV_DISPOSAL};
	static const int bio[] = {LV_COMPOSTING, LV_DISPOSAL};
	static const int pack[] = {LV_RECYCLING, LV_DISPOSAL};
	static const int co[] = {LV_TRANSFORMATION, LV_ANIMAL_FEED,
				 LV_COMPOSTING, LV_RECYCLING, LV_DISPOSAL};
	const int *l;
	size_t n;

	switch (flow_kind) {
	case FK_UNSOLD:
		l = unsold, n = LZ_ARRAY_LEN(unsold);
		break;
	case FK_BIOWASTE:
		l = bio, n = LZ_ARRAY_LEN(bio);
		break;
	case FK_PACKAGING:
		l = pack, n = LZ_ARRAY_LEN(pack);
		break;
	case FK_CO_PRODUCT:
		l = co, n = LZ_ARRAY_LEN(co);
		break;
	default:
		return 0;
	}
	memcpy(out, l, n * sizeof(*l));
	return n;
}

int
returns_outlet_level(int outlet_kind)
{
	switch (outlet_kind) {
	case OK_FOOD_AID:
		return LV_DONATION;
	case OK_TRANSFORMATION:
		return LV_TRANSFORMATION;
	case OK_ANIMAL_FEED:
		return LV_ANIMAL_FEED;
	case OK_COMPOSTING:
		return LV_COMPOSTING;
	case OK_RECYCLING:
		return LV_RECYCLING;
	case OK_DISPOSAL:
		return LV_DISPOSAL;
	default:
		return LV_NONE;
	}
}

/* Local midnight and weekday of the day D days after T's local day. */
static int
day_of(int64_t t, int d, int64_t *midnight, int *weekday)
{
	char date[11];
	int64_t m;

	/* Noon of the day, plus D days: DST never moves it to another day. */
	if (lz_date_local(t, date) != 0 || lz_date_midnight(date, &m, NULL))
		return -1;
	if (lz_date_local(m + 12 * 3600 + (int64_t)d * 86400, date) != 0)
		return -1;
	return lz_date_midnight(date, midnight, weekday);
}

int64_t
returns_next_open(const struct returns_hours *hours, int64_t t)
{
	if (hours == NULL || hours->n == 0)
		return t;
	for (int d = 0; d <= 8; d++) {
		int64_t midnight, best = -1;
		int wd;

		if (day_of(t, d, &midnight, &wd) != 0)
			return -1;
		for (size_t i = 0; i < hours->n; i++) {
			const OpeningHours *h = hours->h[i];
			int64_t open = midnight + h->open,
				close = midnight + h->close;

			if ((int)h->weekday != wd || close <= t)
				continue;
			if (open < t)
				open = t;
			if (best < 0 || open < best)
				best = open;
		}
		if (best >= 0)
			return best;
	}
	return -1;
}

int
returns_collection_window(const struct returns_hours *hours, int64_t now,
			  int days_ahead, int from, int until, int64_t *start,
			  int64_t *end)
{
	if (from >= until || from < 0 || until > 86400 || days_ahead < 0)
		return -1;
	for (int d = days_ahead; d <= days_ahead + 7; d++) {
		int64_t midnight, s = -1, e = -1;
		int wd;

		if (day_of(now, d, &midnight, &wd) != 0)
			return -1;
		if (hours == NULL || hours->n == 0) {
			s = midnight + from;
			e = midnight + until;
		}
		for (size_t i = 0; hours && i < hours->n; i++) {
			const OpeningHours *h = hours->h[i];
			int64_t a = h->open > (uint32_t)from ? (int64_t)h->open
							     : from;
			int64_t b = h->close < (uint32_t)until
					    ? (int64_t)h->close
					    : until;

			if ((int)h->weekday != wd || a >= b)
				continue;
			if (s < 0 || b - a > e - s) {
				s = midnight + a;
				e = midnight + b;
			}
		}
		/* Never a window already over. */
		if (s >= 0 && e > now) {
			*start = s > now ? s : now;
			*end = e;
			return 0;
		}
	}
	return -1;
}

static int
accepts(const struct returns_outlet *o, const char *category)
{
	if (o->n_categories == 0)
		return 1;
	for (size_t i = 0; i < o->n_categories; i++)
		if (category && strcmp(o->categories[i], category) == 0)
			return 1;
	return 0;
}

/* Worse reasons first: the reported one is the most telling seen. */
enum { WHY_NONE, WHY_CATEGORY, WHY_CLOSED, WHY_CAPACITY, WHY_UNSAFE };

static const char *const why_names[] = {"no_outlet", "category", "closed",
					"capacity", "unsafe"};

struct returns_match
returns_match(const struct returns_flow_in *f,
	      const struct returns_outlet *outlets, size_t n,
	      const struct returns_match_conf *c, returns_used_fn used,
	      void *arg)
{
	struct returns_match best = {-1, LV_NONE, 0, 0, "", ""};
	int levels[LV_COUNT], why = WHY_NONE;
	size_t nl = returns_levels_for(f->kind, levels);
	int64_t best_room = 0;

	for (size_t li = 0; li < nl && best.index < 0; li++) {
		int human = levels[li] == LV_DONATION ||
			    levels[li] == LV_TRANSFORMATION;

		for (size_t i = 0; i < n; i++) {
			const struct returns_outlet *o = &outlets[i];
			struct returns_match m = {(int)i, levels[li], 0,
						  0,      "",         ""};
			int64_t room;
			double d = 0;

			if (returns_outlet_level(o->kind) != levels[li])
				continue;
			if (!accepts(o, f->category)) {
				why = why > WHY_CATEGORY ? why : WHY_CATEGORY;
				continue;
			}
			if (f->has_location && o->has_location)
				d = lz_route_haversine(f->lat, f->lon, o->lat,
						       o->lon) *
				    c->circuity;
			m.distance_m = (int64_t)llround(d);
			m.arrival = returns_next_open(
				&o->hours,
				f->ready + (int64_t)ceil(d / c->speed));
			if (m.arrival < 0 ||
			    lz_date_local(m.arrival, m.date) != 0) {
				why = why > WHY_CLOSED ? why : WHY_CLOSED;
				continue;
			}
			if (human && f->date_kind == DK_USE_BY &&
			    f->use_by > 0 &&
			    m.arrival > f->use_by - c->safety_margin) {
				why = WHY_UNSAFE;
				continue;
			}
			room = o->capacity_per_day - used(i, m.date, arg);
			if (room < f->grams) {
				why = why > WHY_CAPACITY ? why : WHY_CAPACITY;
				continue;
			}
			if (best.index < 0 || m.distance_m < best.distance_m ||
			    (m.distance_m == best.distance_m &&
			     (room > best_room ||
			      (room == best_room &&
			       strcmp(o->outlet_id,
				      outlets[best.index].outlet_id) < 0)))) {
				best = m;
				best_room = room;
			}
		}
	}
	if (best.index < 0)
		best.reason = why_names[why];
	return best;
}
