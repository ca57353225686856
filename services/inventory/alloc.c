/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alloc.c -- see alloc.h.
 */
#include "alloc.h"

#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- allocation ---- */

int
inv_alloc_eligible(const struct inv_alloc_request *req,
		   const struct inv_alloc_lot *lot, const char *product,
		   int temp)
{
	int own = strcmp(lot->owner, req->member) == 0;

	if (lot->available <= 0 || lot->temp != temp ||
	    strcmp(lot->product, product) != 0)
		return 0;
	if (lot->date_kind == INV_DATE_USE_BY && lot->date < req->window_end)
		return 0;
	return own || (req->member_shared && lot->shared);
}

struct sort_ctx {
	const struct inv_alloc_request *req;
	const struct inv_alloc_lot *lots;
};

/* Own lots first, then by date (undated last), reception, id. */
static int
fefo_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *s = arg;
	const struct inv_alloc_lot *x = &s->lots[*(const size_t *)a];
	const struct inv_alloc_lot *y = &s->lots[*(const size_t *)b];
	int xo = strcmp(x->owner, s->req->member) != 0;
	int yo = strcmp(y->owner, s->req->member) != 0;
	int xn = x->date_kind == INV_DATE_NONE || x->date == 0;
	int yn = y->date_kind == INV_DATE_NONE || y->date == 0;

	if (xo != yo)
		return xo - yo;
	if (xn != yn)
		return xn - yn;
	if (!xn && x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->received_at != y->received_at)
		return x->received_at < y->received_at ? -1 : 1;
	return strcmp(x->lot_id, y->lot_id);
}

void
inv_alloc(const struct inv_alloc_request *req, const struct inv_alloc_lot *lots,
	  size_t nlots, struct inv_alloc_result *out)
{
	struct sort_ctx s = {req, lots};
	size_t *order = xcalloc(nlots ? nlots : 1, sizeof(*order));
	int64_t *left = xcalloc(nlots ? nlots : 1, sizeof(*left));
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	out->missing =
		xcalloc(req->nlines ? req->nlines : 1, sizeof(*out->missing));
	out->complete = 1;
	for (size_t i = 0; i < nlots; i++) {
		order[i] = i;
		left[i] = lots[i].available;
	}
	qsort_r(order, nlots, sizeof(*order), fefo_cmp, &s);
	for (size_t l = 0; l < req->nlines; l++) {
		const struct inv_alloc_line *line = &req->lines[l];
		int64_t need = line->quantity > 0 ? line->quantity : 0;

		for (size_t k = 0; k < nlots && need > 0; k++) {
			size_t i = order[k];
			struct inv_alloc_lot view = lots[i];
			int64_t take;

			view.available = left[i];
			if (!inv_alloc_eligible(req, &view, line->product,
						line->temp))
				continue;
			take = left[i] < need ? left[i] : need;
			left[i] -= take;
			need -= take;
			if (out->npicks == cap) {
				cap = cap ? cap * 2 : 8;
				out->picks = xrealloc(
					out->picks, cap * sizeof(*out->picks));
			}
			out->picks[out->npicks++] =
				(struct inv_alloc_pick){l, i, take};
		}
		out->missing[l] = need;
		if (need > 0)
			out->complete = 0;
	}
	if (!out->complete && !req->allow_partial)
		out->npicks = 0;
	free(left);
	free(order);
}

void
inv_alloc_result_release(struct inv_alloc_result *r)
{
	free(r->picks);
	free(r->missing);
	memset(r, 0, sizeof(*r));
}

/* ---- receptions ---- */

#define FAIL(reason, ...)                                                      \
	do {                                                                   \
		snprintf(detail, detail_len, __VA_ARGS__);                     \
		return (reason);                                               \
	} while (0)

int
inv_check_reception(const struct inv_reception *r,
		    const struct inv_zone_state *zone, int lot_taken,
		    int64_t now, char *detail, size_t detail_len)
{
	int64_t g, ml;

	detail[0] = '\0';
	if (!lz_valid_id(r->lot_id))
		FAIL(INV_INVALID, "lot_id: 1..64 characters of [A-Za-z0-9._-]");
	if (!lz_valid_id(r->owner))
		FAIL(INV_INVALID,
		     "owner_member_id: 1..64 characters of [A-Za-z0-9._-]");
	if (!lz_valid_id(r->zone_id))
		FAIL(INV_INVALID,
		     "zone_id: 1..64 characters of [A-Za-z0-9._-]");
	if (r->product == NULL || r->product[0] == '\0' ||
	    !lz_valid_text(r->product, INV_TEXT_MAX))
		FAIL(INV_INVALID, "product: 1..200 bytes of UTF-8 text");
	if (!lz_valid_text(r->origin_site_id, INV_ID_MAX) ||
	    !lz_valid_text(r->origin_order_id, 2 * INV_ID_MAX + 1))
		FAIL(INV_INVALID, "origin: ids of at most 64 (site) or 129 "
				  "(order) bytes");
	if (r->temp < 1 || r->temp > 3)
		FAIL(INV_INVALID, "temperature_class: required");
	if (r->quantity < 1 || r->quantity > INV_QTY_MAX)
		FAIL(INV_BAD_QUANTITY, "quantity: %lld not in 1..%d",
		     (long long)r->quantity, INV_QTY_MAX);
	if (r->unit_grams < 1 || r->unit_grams > INV_UNIT_GRAMS_MAX)
		FAIL(INV_BAD_QUANTITY, "unit_grams: %lld not in 1..%d",
		     (long long)r->unit_grams, INV_UNIT_GRAMS_MAX);
	if (r->unit_ml < 0 || r->unit_ml > INV_UNIT_ML_MAX)
		FAIL(INV_BAD_QUANTITY, "unit_millilitres: %lld not in 0..%d",
		     (long long)r->unit_ml, INV_UNIT_ML_MAX);
	if (r->date_kind < INV_DATE_NONE || r->date_kind > INV_DATE_BEST_BEFORE)
		FAIL(INV_INVALID, "date_kind: unknown");
	if (r->date_kind == INV_DATE_NONE && r->date != 0)
		FAIL(INV_INVALID, "date: set without date_kind");
	if (r->date_kind != INV_DATE_NONE && r->date <= 0)
		FAIL(INV_INVALID, "date: required with date_kind");
	if (r->date_kind == INV_DATE_USE_BY && r->date <= now)
		FAIL(INV_EXPIRED, "date: use-by %lld is not after now %lld",
		     (long long)r->date, (long long)now);
	if (lot_taken)
		FAIL(INV_DUPLICATE_LOT, "lot_id: already received");
	if (zone == NULL)
		FAIL(INV_UNKNOWN_ZONE, "zone_id: no such zone");
	if (zone->temp != r->temp)
		FAIL(INV_WRONG_TEMPERATURE_CLASS,
		     "temperature_class: %d, zone holds class %d", r->temp,
		     zone->temp);
	g = r->quantity * r->unit_grams;
	ml = r->quantity * r->unit_ml;
	if (zone->used_grams + g > zone->capacity_grams)
		FAIL(INV_OVER_CAPACITY,
		     "zone: %lld g stored + %lld g > capacity %lld g",
		     (long long)zone->used_grams, (long long)g,
		     (long long)zone->capacity_grams);
	if (zone->used_ml + ml > zone->capacity_ml)
		FAIL(INV_OVER_CAPACITY,
		     "zone: %lld ml stored + %lld ml > capacity %lld ml",
		     (long long)zone->used_ml, (long long)ml,
		     (long long)zone->capacity_ml);
	return INV_OK;
}

/* ---- expiry ---- */

int
inv_expiry_action(int date_kind, int64_t date, int64_t unreserved,
		  int nearing_notified, int expired, int64_t now,
		  int64_t horizon)
{
	if (date_kind == INV_DATE_NONE || date <= 0 || expired)
		return INV_EXPIRY_NONE;
	if (date_kind == INV_DATE_USE_BY && date <= now)
		return INV_EXPIRY_EXPIRED;
	if (!nearing_notified && unreserved > 0 && date - now <= horizon)
		return INV_EXPIRY_NEARING;
	return INV_EXPIRY_NONE;
}

/* ---- goods unloaded by the tours service ---- */

void
inv_unload_lot_id(const char *order_id, unsigned line, char out[INV_ID_MAX + 1])
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	char name[41];
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t n = 0;

	for (const char *p = order_id ? order_id : ""; *p; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		if (n < sizeof(name) - 1)
			name[n++] = strchr(ok, *p) ? *p : '.';
	}
	name[n] = '\0';
	/* 3 + 40 + 1 + 8 + 1 + 10 digits at most: 63 bytes. */
	snprintf(out, INV_ID_MAX + 1, "in-%s-%08" PRIx32 "-%u", name, h, line);
}

int
inv_choose_zone(const struct inv_zone_state *zones, size_t n, int temp,
		int64_t grams, int64_t ml)
{
	int first = -1;

	for (size_t i = 0; i < n; i++) {
		const struct inv_zone_state *z = &zones[i];

		if (z->temp != temp)
			continue;
		if (first < 0)
			first = (int)i;
		if (grams <= z->capacity_grams - z->used_grams &&
		    ml <= z->capacity_ml - z->used_ml)
			return (int)i;
	}
	return first;
}

/* ---- picking ---- */

static int
pick_cmp(const void *a, const void *b)
{
	const struct inv_pick_item *x = a, *y = b;
	int c;

	if (x->temp != y->temp)
		return x->temp < y->temp ? -1 : 1;
	if (x->stop != y->stop)
		return x->stop > y->stop ? -1 : 1; /* the last stop first */
	if ((c = strcmp(x->order_id, y->order_id)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->lot_id, y->lot_id);
}

void
inv_pick_sort(struct inv_pick_item *items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof(*items), pick_cmp);
}

int
inv_pick_quantities(struct inv_pick_item *items, size_t n,
		    const struct inv_pick_given *given, size_t ng, size_t *bad,
		    char *detail, size_t detail_len)
{
	size_t *at = xcalloc(ng ? ng : 1, sizeof(*at));
	unsigned char *named = xcalloc(n ? n : 1, 1);
	int reason = INV_OK;

	*bad = 0;
	detail[0] = '\0';
	/* Everything checked before anything is set: a refusal leaves the
	 * items as they were. */
	for (size_t g = 0; g < ng && reason == INV_OK; g++) {
		const struct inv_pick_given *q = &given[g];
		int state = -1;
		size_t k = n;

		for (size_t i = 0; i < n; i++) {
			if (q->order_id == NULL ||
			    strcmp(items[i].order_id, q->order_id) != 0)
				continue;
			state = items[i].state;
			if (items[i].line == q->line && q->lot_id &&
			    strcmp(items[i].lot_id, q->lot_id) == 0) {
				k = i;
				break;
			}
		}
		*bad = g;
		if (state < 0) {
			reason = INV_UNKNOWN_ORDER;
			snprintf(detail, detail_len,
				 "picked[%zu].order_id: not on the tour's "
				 "picking list",
				 g);
		} else if (state == INV_PICK_DONE) {
			reason = INV_ALREADY_PICKED;
			snprintf(detail, detail_len,
				 "picked[%zu].order_id: already picked", g);
		} else if (state == INV_PICK_GONE) {
			reason = INV_UNKNOWN_ORDER;
			snprintf(detail, detail_len,
				 "picked[%zu].order_id: the order ended or "
				 "left the tour before its picking",
				 g);
		} else if (k == n) {
			reason = INV_UNKNOWN_LOT;
			snprintf(detail, detail_len,
				 "picked[%zu]: line %u and lot_id not listed "
				 "for that order",
				 g, q->line);
		} else if (named[k]) {
			reason = INV_INVALID;
			snprintf(detail, detail_len,
				 "picked[%zu]: the same order, line and lot "
				 "named twice",
				 g);
		} else if (q->quantity < 0) {
			reason = INV_BAD_QUANTITY;
			snprintf(detail, detail_len,
				 "picked[%zu].quantity: %lld is negative", g,
				 (long long)q->quantity);
		} else if (q->quantity > items[k].listed) {
			reason = INV_ABOVE_LISTED;
			snprintf(detail, detail_len,
				 "picked[%zu].quantity: %lld above the %lld "
				 "units listed",
				 g, (long long)q->quantity,
				 (long long)items[k].listed);
		}
		if (reason == INV_OK) {
			named[k] = 1;
			at[g] = k;
		}
	}
	if (reason == INV_OK) {
		for (size_t i = 0; i < n; i++)
			if (items[i].state == INV_PICK_TODO)
				items[i].picked = items[i].listed;
		for (size_t g = 0; g < ng; g++)
			items[at[g]].picked = given[g].quantity;
		*bad = 0;
	}
	free(named);
	free(at);
	return reason;
}

size_t
inv_pick_shortages(const struct inv_pick_item *items, size_t n,
		   const char *order_id, struct inv_pick_short *out, size_t max)
{
	struct inv_pick_short *all = xcalloc(n ? n : 1, sizeof(*all));
	size_t na = 0, ns = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (strcmp(items[i].order_id, order_id) != 0)
			continue;
		for (k = 0; k < na && all[k].line != items[i].line; k++)
			;
		if (k == na)
			all[na++] =
				(struct inv_pick_short){items[i].line, 0, 0};
		all[k].listed += items[i].listed;
		all[k].missing += items[i].listed - items[i].picked;
	}
	/* In line order: a few lines, an insertion sort. */
	for (size_t i = 1; i < na; i++)
		for (size_t k = i; k > 0 && all[k - 1].line > all[k].line;
		     k--) {
			struct inv_pick_short t = all[k];

			all[k] = all[k - 1];
			all[k - 1] = t;
		}
	for (size_t i = 0; i < na; i++) {
		if (all[i].missing <= 0)
			continue;
		if (ns < max)
			out[ns] = all[i];
		ns++;
	}
	free(all);
	return ns;
}
