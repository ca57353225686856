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
