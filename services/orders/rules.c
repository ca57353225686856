/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * rules.c -- see rules.h.  Pure functions: no LMDB, no sockets, no clock.
 */
#include "rules.h"

#include "lz_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int refuse(struct orders_verdict *v, int reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
refuse(struct orders_verdict *v, int reason, const char *fmt, ...)
{
	va_list ap;

	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
	return reason;
}

static int
pass(struct orders_verdict *v)
{
	v->reason = RJ_NONE;
	v->detail[0] = '\0';
	return RJ_NONE;
}

/* ---- time zone and calendar ---- */

int
orders_rules_local_date(int64_t t, char out[9])
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[40];

	if (localtime_r(&tt, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%04d%02d%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday);
	memcpy(out, buf, 9);
	return 0;
}

/* Normalises DAY + PLUS days, read at noon (a time every day has), into
 * OUT: its date and weekday.  Returns -1 if out of range. */
static int
local_day(const struct tm *day, int plus, struct tm *out)
{
	memset(out, 0, sizeof(*out));
	out->tm_year = day->tm_year;
	out->tm_mon = day->tm_mon;
	out->tm_mday = day->tm_mday + plus;
	out->tm_hour = 12;
	out->tm_isdst = -1;
	return mktime(out) == (time_t)-1 ? -1 : 0;
}

/* Seconds since the epoch of wall-clock time SEC (0..86399) on the
 * normalised date DAY.  The fields are given in range: glibc's mktime
 * adds an out-of-range tm_sec as elapsed seconds, which is an hour off
 * on DST days. */
static int64_t
local_time(const struct tm *day, int sec)
{
	struct tm t = {0};

	t.tm_year = day->tm_year;
	t.tm_mon = day->tm_mon;
	t.tm_mday = day->tm_mday;
	t.tm_hour = sec / 3600;
	t.tm_min = sec % 3600 / 60;
	t.tm_sec = sec % 60;
	t.tm_isdst = -1;
	return (int64_t)mktime(&t);
}

int
orders_rules_open_during(const Site *s, int64_t start, int64_t end)
{
	time_t tt = (time_t)start;
	struct tm first, day, next;

	if (end <= start)
		return 0;
	if (s->n_opening_hours == 0)
		return 1;
	if (localtime_r(&tt, &first) == NULL || local_day(&first, 0, &day))
		return 0;
	/* Intervals of day D lie within [D 00:00, D+1 00:00], so only the
	 * local days from START's to END's can overlap.  Nine days cover any
	 * window a check lets through; a longer one meets every weekday. */
	for (int i = 0; i < 9; i++, day = next) {
		int64_t midnight = local_time(&day, 0), next_midnight;
		int wd = day.tm_wday == 0 ? 7 : day.tm_wday;

		if (local_day(&day, 1, &next) != 0)
			return 0;
		if (midnight >= end)
			return 0;
		next_midnight = local_time(&next, 0);
		for (size_t k = 0; k < s->n_opening_hours; k++) {
			const OpeningHours *h = s->opening_hours[k];
			int64_t o, c;

			if (h->weekday != (uint32_t)wd || h->close > 86400 ||
			    h->open >= h->close)
				continue;
			o = local_time(&day, (int)h->open);
			c = h->close == 86400 ? next_midnight
					      : local_time(&day, (int)h->close);
			if (start < c && o < end)
				return 1;
		}
	}
	return 1;
}

/* ---- strings ---- */

/* S if it is a valid identifier, else a placeholder: details go into
 * events and JSON, so they never echo bytes that were not checked. */
static const char *
shown(const char *s)
{
	return lz_valid_id(s) ? s : "(invalid id)";
}

static const char *
shown_order(const char *s)
{
	return lz_valid_order_id(s) ? s : "(invalid order id)";
}

/* ---- state machine ---- */

static int
final(int st)
{
	return st == ST_DELIVERED || st == ST_REJECTED || st == ST_CANCELLED ||
	       st == ST_FAILED;
}

int
orders_rules_transition_ok(int src, int from, int to)
{
	if (from <= ST_UNSPECIFIED || from >= ST_COUNT || final(from))
		return 0;
	switch (to) {
	case ST_CONFIRMED:
		return from == ST_PLACED;
	case ST_PLANNED:
		return from == ST_CONFIRMED;
	case ST_PICKED_UP:
		return from == ST_PLANNED && src == SRC_PRODUCER_PICKUP;
	case ST_AT_HUB:
		return from == ST_PICKED_UP;
	case ST_OUT_FOR_DELIVERY:
		return from == ST_AT_HUB ||
		       (from == ST_PLANNED && src == SRC_HUB_STOCK);
	case ST_AT_BIKE_RELAY:
		return from == ST_OUT_FOR_DELIVERY;
	case ST_DELIVERED:
		return from == ST_OUT_FOR_DELIVERY || from == ST_AT_BIKE_RELAY;
	case ST_REJECTED:
		return from == ST_PLACED || from == ST_CONFIRMED;
	case ST_CANCELLED:
		return from == ST_PLACED || from == ST_CONFIRMED ||
		       from == ST_PLANNED;
	case ST_FAILED:
		return 1;
	default: /* placed, unspecified, unknown values */
		return 0;
	}
}

/* ---- directory ---- */

int
orders_rules_member(const Member *m, struct orders_verdict *v)
{
	if (m == NULL)
		return refuse(v, RJ_INVALID, "member: missing");
	if (!lz_valid_id(m->member_id))
		return refuse(v, RJ_INVALID,
			      "member.member_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (!lz_valid_text(m->name, ORDERS_NAME_MAX))
		return refuse(v, RJ_INVALID,
			      "member.name: at most %d bytes of UTF-8",
			      ORDERS_NAME_MAX);
	if ((int)m->kind < 0 || (int)m->kind > MEMBER_KIND_MAX)
		return refuse(v, RJ_INVALID, "member.kind: unknown value %d",
			      (int)m->kind);
	return pass(v);
}

int
orders_rules_site(const Site *s, int member_known, struct orders_verdict *v)
{
	if (s == NULL)
		return refuse(v, RJ_INVALID, "site: missing");
	if (!lz_valid_id(s->site_id))
		return refuse(v, RJ_INVALID,
			      "site.site_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (!lz_valid_id(s->member_id))
		return refuse(v, RJ_INVALID,
			      "site.member_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (!lz_valid_text(s->name, ORDERS_NAME_MAX))
		return refuse(v, RJ_INVALID,
			      "site.name: at most %d bytes of UTF-8",
			      ORDERS_NAME_MAX);
	if (!lz_valid_text(s->address, ORDERS_TEXT_MAX))
		return refuse(v, RJ_INVALID,
			      "site.address: at most %d bytes of UTF-8",
			      ORDERS_TEXT_MAX);
	if (!lz_valid_text(s->zone, ORDERS_ZONE_MAX))
		return refuse(v, RJ_INVALID,
			      "site.zone: at most %d bytes of UTF-8",
			      ORDERS_ZONE_MAX);
	if ((int)s->kind < 0 || (int)s->kind > SITE_KIND_MAX)
		return refuse(v, RJ_INVALID, "site.kind: unknown value %d",
			      (int)s->kind);
	if (s->location == NULL)
		return refuse(v, RJ_INVALID, "site.location: missing");
	if (!(s->location->lat >= -90.0 && s->location->lat <= 90.0))
		return refuse(v, RJ_INVALID,
			      "site.location.lat: not in -90..90");
	if (!(s->location->lon >= -180.0 && s->location->lon <= 180.0))
		return refuse(v, RJ_INVALID,
			      "site.location.lon: not in -180..180");
	if (s->location->lat == 0.0 && s->location->lon == 0.0)
		return refuse(v, RJ_INVALID,
			      "site.location: 0,0 is not a place we serve");
	if (s->n_opening_hours > ORDERS_HOURS_MAX)
		return refuse(v, RJ_INVALID,
			      "site.opening_hours: at most %d entries",
			      ORDERS_HOURS_MAX);
	for (size_t i = 0; i < s->n_opening_hours; i++) {
		const OpeningHours *h = s->opening_hours[i];
		if (h->weekday < 1 || h->weekday > 7)
			return refuse(v, RJ_INVALID,
				      "site.opening_hours[%zu].weekday: not in "
				      "1..7",
				      i);
		if (h->close > 86400)
			return refuse(v, RJ_INVALID,
				      "site.opening_hours[%zu].close: after "
				      "86400",
				      i);
		if (h->open >= h->close)
			return refuse(v, RJ_INVALID,
				      "site.opening_hours[%zu]: open must be "
				      "before close",
				      i);
	}
	if (s->n_accepted_classes > 8)
		return refuse(v, RJ_INVALID,
			      "site.accepted_classes: at most 8 entries");
	for (size_t i = 0; i < s->n_accepted_classes; i++) {
		int c = (int)s->accepted_classes[i];
		if (c <= TEMP_UNSPECIFIED || c > TEMP_MAX)
			return refuse(v, RJ_INVALID,
				      "site.accepted_classes[%zu]: not a "
				      "temperature class",
				      i);
	}
	if (!member_known)
		return refuse(v, RJ_UNKNOWN_MEMBER,
			      "site.member_id: member %s is not registered",
			      s->member_id);
	return pass(v);
}

/* ---- orders ---- */

static int
check_window(const TimeWindow *w, const char *field, int64_t now, int64_t grace,
	     struct orders_verdict *v)
{
	if (w == NULL)
		return refuse(v, RJ_WINDOW_INVALID, "%s: missing", field);
	if (w->end <= w->start)
		return refuse(v, RJ_WINDOW_INVALID,
			      "%s: end must be after start", field);
	if (w->start < now - grace)
		return refuse(v, RJ_WINDOW_IN_PAST,
			      "%s.start: %" PRId64 " is before now (%" PRId64
			      ")",
			      field, w->start, now);
	if (w->start > now + ORDERS_AHEAD_MAX)
		return refuse(v, RJ_WINDOW_INVALID,
			      "%s.start: more than 90 days ahead", field);
	/* start is bounded by now here, so start + max cannot overflow. */
	if (w->end > w->start + ORDERS_WINDOW_MAX)
		return refuse(v, RJ_WINDOW_INVALID, "%s: longer than 7 days",
			      field);
	return RJ_NONE;
}

static int
accepts(const Site *s, int cls)
{
	if (s->n_accepted_classes == 0)
		return 1;
	for (size_t i = 0; i < s->n_accepted_classes; i++)
		if ((int)s->accepted_classes[i] == cls)
			return 1;
	return 0;
}

static int
check_line(const OrderLine *l, size_t i, const Site *dest,
	   struct orders_verdict *v)
{
	int cls = (int)l->temperature_class;

	if (l->product == NULL || l->product[0] == '\0' ||
	    !lz_valid_text(l->product, ORDERS_NAME_MAX))
		return refuse(v, RJ_INVALID,
			      "lines[%zu].product: 1..%d bytes of UTF-8", i,
			      ORDERS_NAME_MAX);
	if (l->quantity < 1 || l->quantity > ORDERS_QUANTITY_MAX)
		return refuse(v, RJ_BAD_QUANTITY,
			      "lines[%zu].quantity: %u not in 1..%d", i,
			      l->quantity, ORDERS_QUANTITY_MAX);
	if (l->unit_grams > ORDERS_UNIT_GRAMS_MAX)
		return refuse(v, RJ_BAD_QUANTITY,
			      "lines[%zu].unit_grams: %u above %d", i,
			      l->unit_grams, ORDERS_UNIT_GRAMS_MAX);
	if (l->unit_millilitres > ORDERS_UNIT_ML_MAX)
		return refuse(v, RJ_BAD_QUANTITY,
			      "lines[%zu].unit_millilitres: %u above %d", i,
			      l->unit_millilitres, ORDERS_UNIT_ML_MAX);
	if (cls <= TEMP_UNSPECIFIED || cls > TEMP_MAX)
		return refuse(v, RJ_BAD_TEMPERATURE_CLASS,
			      "lines[%zu].temperature_class: must be ambient, "
			      "chilled or frozen",
			      i);
	if (l->n_containers > ORDERS_CONTAINER_TYPES_MAX)
		return refuse(v, RJ_INVALID,
			      "lines[%zu].containers: at most %d entries", i,
			      ORDERS_CONTAINER_TYPES_MAX);
	for (size_t k = 0; k < l->n_containers; k++) {
		const ContainerCount *c = l->containers[k];
		if (c->container_type == NULL || c->container_type[0] == '\0' ||
		    !lz_valid_text(c->container_type,
				   ORDERS_CONTAINER_TYPE_MAX))
			return refuse(v, RJ_INVALID,
				      "lines[%zu].containers[%zu]."
				      "container_type: 1..%d bytes",
				      i, k, ORDERS_CONTAINER_TYPE_MAX);
		if (c->count < 1 || c->count > ORDERS_CONTAINERS_MAX)
			return refuse(v, RJ_BAD_QUANTITY,
				      "lines[%zu].containers[%zu].count: %u "
				      "not in 1..%d",
				      i, k, c->count, ORDERS_CONTAINERS_MAX);
	}
	if (!accepts(dest, cls))
		return refuse(v, RJ_TEMPERATURE_NOT_ACCEPTED,
			      "lines[%zu].temperature_class: site %s does "
			      "not accept %s",
			      i, dest->site_id,
			      cls == 1   ? "ambient"
			      : cls == 2 ? "chilled"
					 : "frozen");
	return RJ_NONE;
}

static int
check_source(const Order *o, const Site *pickup, struct orders_verdict *v)
{
	int has_pickup = (o->pickup_site_id && o->pickup_site_id[0]) ||
			 o->pickup_window != NULL;

	switch ((int)o->source) {
	case SRC_HUB_STOCK:
		if (has_pickup)
			return refuse(v, RJ_BAD_SOURCE,
				      "pickup_site_id, pickup_window: must be "
				      "empty for hub stock");
		return RJ_NONE;
	case SRC_PRODUCER_PICKUP:
		if (o->pickup_site_id == NULL || o->pickup_site_id[0] == '\0')
			return refuse(v, RJ_BAD_SOURCE,
				      "pickup_site_id: required for a "
				      "producer pickup");
		if (pickup == NULL)
			return refuse(v, RJ_UNKNOWN_PICKUP_SITE,
				      "pickup_site_id: no site %s",
				      shown(o->pickup_site_id));
		if ((int)pickup->kind != SITE_PRODUCER)
			return refuse(v, RJ_BAD_SOURCE,
				      "pickup_site_id: site %s is not a "
				      "producer",
				      pickup->site_id);
		if (o->pickup_window == NULL)
			return refuse(v, RJ_BAD_SOURCE,
				      "pickup_window: required for a "
				      "producer pickup");
		return RJ_NONE;
	default:
		return refuse(v, RJ_BAD_SOURCE,
			      "source: must be hub stock or producer pickup");
	}
}

int
orders_rules_order(const Order *o, const Site *dest, const Site *pickup,
		   int64_t now, int64_t grace, struct orders_verdict *v)
{
	const TimeWindow *dw = o->delivery_window, *pw = o->pickup_window;

	if (dest == NULL)
		return refuse(v, RJ_UNKNOWN_SITE,
			      "destination_site_id: no site %s",
			      shown(o->destination_site_id));
	if (check_source(o, pickup, v) != RJ_NONE)
		return v->reason;
	if (check_window(dw, "delivery_window", now, grace, v) != RJ_NONE)
		return v->reason;
	if ((int)o->source == SRC_PRODUCER_PICKUP) {
		if (check_window(pw, "pickup_window", now, grace, v) != RJ_NONE)
			return v->reason;
		if (pw->end >= dw->end)
			return refuse(v, RJ_WINDOW_INVALID,
				      "pickup_window.end: must be before "
				      "delivery_window.end");
	}
	if (o->n_lines == 0)
		return refuse(v, RJ_NO_LINES, "lines: at least one line");
	if (o->n_lines > ORDERS_LINES_MAX)
		return refuse(v, RJ_INVALID, "lines: at most %d lines",
			      ORDERS_LINES_MAX);
	for (size_t i = 0; i < o->n_lines; i++)
		if (check_line(o->lines[i], i, dest, v) != RJ_NONE)
			return v->reason;
	if (!lz_valid_text(o->notes, ORDERS_TEXT_MAX))
		return refuse(v, RJ_INVALID, "notes: at most %d bytes of UTF-8",
			      ORDERS_TEXT_MAX);
	if (!orders_rules_open_during(dest, dw->start, dw->end))
		return refuse(v, RJ_SITE_CLOSED,
			      "delivery_window: site %s is closed throughout",
			      dest->site_id);
	if ((int)o->source == SRC_PRODUCER_PICKUP &&
	    !orders_rules_open_during(pickup, pw->start, pw->end))
		return refuse(v, RJ_SITE_CLOSED,
			      "pickup_window: site %s is closed throughout",
			      pickup->site_id);
	return pass(v);
}

int
orders_rules_place(const Order *o, int member_known, int ref_taken,
		   const Site *dest, const Site *pickup, int64_t now,
		   int64_t grace, struct orders_verdict *v)
{
	if (!member_known)
		return refuse(v, RJ_UNKNOWN_MEMBER,
			      "tenant: member %s is not registered",
			      shown(o->member_id));
	if (!lz_valid_id(o->reference))
		return refuse(v, RJ_INVALID,
			      "reference: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (ref_taken)
		return refuse(v, RJ_DUPLICATE_REFERENCE,
			      "reference: %s already names order %s",
			      o->reference, o->order_id);
	return orders_rules_order(o, dest, pickup, now, grace, v);
}

static int
own_order(const Order *cur, const char *tenant)
{
	return cur != NULL && tenant != NULL && tenant[0] != '\0' &&
	       strcmp(cur->member_id, tenant) == 0;
}

void
orders_rules_amended(const Order *cur, const AmendOrder *a, Order *out)
{
	*out = *cur;
	if (a->delivery_window)
		out->delivery_window = a->delivery_window;
	if (a->n_lines) {
		out->n_lines = a->n_lines;
		out->lines = a->lines;
	}
	if (a->notes && a->notes[0])
		out->notes = a->notes;
}

int
orders_rules_amend(const Order *cur, const char *tenant, const AmendOrder *a,
		   const Order *amended, const Site *dest, const Site *pickup,
		   int64_t now, int64_t grace, struct orders_verdict *v)
{
	if (!own_order(cur, tenant))
		return refuse(v, RJ_UNKNOWN_ORDER, "order_id: no order %s",
			      shown_order(a->order_id));
	if ((int)cur->status != ST_PLACED && (int)cur->status != ST_CONFIRMED)
		return refuse(v, RJ_TOO_LATE,
			      "order_id: order %s is %s; amend only before "
			      "planning",
			      cur->order_id, orders_status_name(cur->status));
	if (a->delivery_window == NULL && a->n_lines == 0 &&
	    (a->notes == NULL || a->notes[0] == '\0'))
		return refuse(v, RJ_INVALID,
			      "delivery_window, lines, notes: nothing to "
			      "amend");
	return orders_rules_order(amended, dest, pickup, now, grace, v);
}

int
orders_rules_cancel(const Order *cur, const char *tenant, const CancelOrder *c,
		    struct orders_verdict *v)
{
	if (!own_order(cur, tenant))
		return refuse(v, RJ_UNKNOWN_ORDER, "order_id: no order %s",
			      shown_order(c->order_id));
	if (!lz_valid_text(c->reason, ORDERS_TEXT_MAX))
		return refuse(v, RJ_INVALID,
			      "reason: at most %d bytes of UTF-8",
			      ORDERS_TEXT_MAX);
	if (!orders_rules_transition_ok((int)cur->source, (int)cur->status,
					ST_CANCELLED))
		return refuse(v, RJ_TOO_LATE,
			      "order_id: order %s is %s; cancel only before "
			      "pickup",
			      cur->order_id, orders_status_name(cur->status));
	return pass(v);
}
