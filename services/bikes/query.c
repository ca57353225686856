/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * query.c -- the bikes read models over HTTP (on the admin address):
 *
 *   GET /v1/runs/<YYYY-MM-DD>          -> RunList: the day's runs per rider
 *                                         with their stops (?rider=<id>:
 *                                         that rider's only)
 *   GET /v1/runs/<YYYY-MM-DD>.geojson  -> FeatureCollection: one LineString
 *                                         per run, one Point per stop
 *   GET /v1/parcels                    -> ParcelList: parcels still open
 *                                         (expected, at the relay, planned,
 *                                         on a bike)
 *   GET /v1/parcels?member=<id>        -> ParcelList: the parcels at, or
 *                                         planned to, the relay points of
 *                                         that member, whatever their
 *                                         status (expected, left there,
 *                                         received, handed over)
 *   GET /v1/parcels/waiting            -> ParcelList: at the relay, not on a
 *                                         bike yet
 *   GET /v1/pickups                    -> PickupList: open pickups
 *   GET /v1/fleet[?rider=<id>]         -> {"bikes": [Bike...], "shifts":
 *                                         [Shift...]}: the bikes, and the
 *                                         riders' shifts open (that rider's
 *                                         only)
 *
 * 400 {"error":...} for a malformed date, 405 for another method.
 */
#include "bikes.h"

#include "lz_date.h"
#include "lz_http.h"
#include "lz_json.h"
#include "lz_store.h"
#include "lz_util.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 20000

struct list {
	struct bikes *b;
	const char *prefix;
	int waiting_only;
	ProtobufCMessage **items;
	size_t n;
	const char *member; /* parcels: at its relay points only */
	char **points;      /* the site ids of those relay points */
	size_t npoints;
};

static int
keep(ProtobufCMessage *m, void *arg)
{
	struct list *l = arg;

	if (l->n >= LIST_MAX)
		return 0;
	if (l->waiting_only && ((Parcel *)m)->status != PS_AT_RELAY &&
	    ((Parcel *)m)->status != PS_PLANNED)
		return 0;
	l->items = xrealloc(l->items, sizeof(*l->items) * (l->n + 1));
	l->items[l->n++] = m;
	return 1;
}

static int
runs_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;

	return bikes_store_each(txn, l->b->db.runs, l->prefix,
				&lz__bikes__v1__run__descriptor, keep, l);
}

static int
parcels_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;

	return bikes_store_each_indexed(
		txn, l->b->db.open_parcels, l->b->db.parcels,
		&lz__bikes__v1__parcel__descriptor, keep, l);
}

static int
keep_point(ProtobufCMessage *m, void *arg)
{
	struct list *l = arg;
	const Site *s = (const Site *)m;

	if ((int)s->kind == SITE_RELAY_POINT &&
	    strcmp(s->member_id, l->member) == 0) {
		l->points = xrealloc(l->points,
				     sizeof(*l->points) * (l->npoints + 1));
		l->points[l->npoints++] = xstrdup(s->site_id);
	}
	return 0;
}

static int
is_point(const struct list *l, const char *site_id)
{
	for (size_t i = 0; i < l->npoints; i++)
		if (strcmp(l->points[i], site_id) == 0)
			return 1;
	return 0;
}

/* A parcel at one of the member's relay points (left there), or for one
 * (its destination). */
static int
keep_at_point(ProtobufCMessage *m, void *arg)
{
	const Parcel *p = (const Parcel *)m;

	if (!is_point(arg,
		      p->relay_point_id[0] ? p->relay_point_id : p->site_id))
		return 0;
	return keep(m, arg);
}

/* Every parcel (open or not) of the member's relay points. */
static int
point_parcels_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;
	int rc = bikes_store_each(txn, l->b->db.sites, "",
				  &lz__orders__v1__site__descriptor, keep_point,
				  l);

	if (rc != 0 || l->npoints == 0)
		return rc;
	return bikes_store_each(txn, l->b->db.parcels, "",
				&lz__bikes__v1__parcel__descriptor,
				keep_at_point, l);
}

static int
pickups_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;

	return bikes_store_each_indexed(
		txn, l->b->db.open_pickups, l->b->db.pickups,
		&lz__bikes__v1__pickup__descriptor, keep, l);
}

static void
free_list(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		protobuf_c_message_free_unpacked(l->items[i], NULL);
	free(l->items);
	for (size_t i = 0; i < l->npoints; i++)
		free(l->points[i]);
	free(l->points);
}

static json_t *
point(const GeoPoint *g)
{
	return json_pack("[f,f]", g ? g->lon : 0.0, g ? g->lat : 0.0);
}

/* The runs as GeoJSON: a LineString per run (relay, stops, relay) and a
 * Point per visit. */
static json_t *
runs_geojson(Run *const *runs, size_t n)
{
	json_t *features = json_array();

	for (size_t i = 0; i < n; i++) {
		const Run *r = runs[i];
		json_t *line = json_array();

		for (size_t s = 0; s < r->n_stops; s++) {
			const RunStop *st = r->stops[s];

			json_array_append_new(line, point(st->location));
			if (st->kind != STOP_VISIT)
				continue;
			json_array_append_new(
				features,
				json_pack("{s:s,s:{s:s,s:o},s:{s:s,s:s,s:s,"
					  "s:i,s:I,s:i,s:i}}",
					  "type", "Feature", "geometry", "type",
					  "Point", "coordinates",
					  point(st->location), "properties",
					  "run_id", r->run_id, "rider_id",
					  r->rider_id, "site_id", st->site_id,
					  "index", (int)st->index, "arrival",
					  (json_int_t)st->arrival, "parcels",
					  (int)st->n_parcel_ids, "pickups",
					  (int)st->n_request_ids));
		}
		json_array_append_new(
			features,
			json_pack("{s:s,s:{s:s,s:o},s:{s:s,s:s,s:s,s:I,s:I,"
				  "s:I,s:b}}",
				  "type", "Feature", "geometry", "type",
				  "LineString", "coordinates", line,
				  "properties", "run_id", r->run_id, "rider_id",
				  r->rider_id, "bike_id", r->bike_id,
				  "distance_m", (json_int_t)r->distance_m,
				  "start", (json_int_t)r->start, "end",
				  (json_int_t)r->end, "pinned", r->pinned));
	}
	return json_pack("{s:s,s:o}", "type", "FeatureCollection", "features",
			 features);
}

/* The key prefix of the runs asked for: "<date>/", or "<date>/<rider>/"
 * with ?rider=<id>.  0, or -1 after answering 400. */
static int
rider_prefix(struct evhttp_request *req, const char *date, char *out,
	     size_t outlen)
{
	const char *q =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	const char *rider = NULL;
	int rc = 0;

	if (evhttp_parse_query_str(q ? q : "", &params) != 0) {
		lz_http_reply_error(req, 400, "malformed query");
		return -1;
	}
	rider = evhttp_find_header(&params, "rider");
	if (rider && !lz_valid_id(rider)) {
		lz_http_reply_error(
			req, 400, "rider: 1..64 characters of [A-Za-z0-9._-]");
		rc = -1;
	} else if (rider) {
		snprintf(out, outlen, "%s/%s/", date, rider);
	} else {
		snprintf(out, outlen, "%s/", date);
	}
	evhttp_clear_headers(&params);
	return rc;
}

static void
on_runs(struct evhttp_request *req, void *arg)
{
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *rest = path + strlen("/v1/runs/");
	struct list l = {arg, NULL, 0, NULL, 0, NULL, NULL, 0};
	char date[11], prefix[11 + LZ_ID_MAX + 2];
	size_t n = strlen(rest);
	int geojson = 0, rc;

	if (!lz_http_only_get(req))
		return;
	if (n == 18 && strcmp(rest + 10, ".geojson") == 0) {
		geojson = 1;
		n = 10;
	}
	if (n == 10) {
		memcpy(date, rest, 10);
		date[10] = '\0';
	}
	if (n != 10 || !lz_date_valid(date)) {
		lz_http_reply_error(req, 400, "want a date YYYY-MM-DD");
		return;
	}
	if (rider_prefix(req, date, prefix, sizeof(prefix)) != 0)
		return;
	l.prefix = prefix;
	if ((rc = lz_store_read(l.b->store, runs_fn, &l)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else if (geojson) {
		lz_http_reply_json_new(
			req, runs_geojson((Run *const *)l.items, l.n));
	} else {
		Lz__Bikes__V1__RunList rl = LZ__BIKES__V1__RUN_LIST__INIT;

		rl.n_runs = l.n;
		rl.runs = (Run **)l.items;
		lz_http_reply_json_new(req, lz_json_from_message(&rl.base));
	}
	free_list(&l);
}

static void
on_parcels(struct evhttp_request *req, void *arg)
{
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *q =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct list l = {arg, NULL, 0, NULL, 0, NULL, NULL, 0};
	Lz__Bikes__V1__ParcelList pl = LZ__BIKES__V1__PARCEL_LIST__INIT;
	struct evkeyvalq params;
	int rc;

	if (!lz_http_only_get(req))
		return;
	if (strcmp(path, "/v1/parcels/waiting") == 0) {
		l.waiting_only = 1;
	} else if (strcmp(path, "/v1/parcels") != 0 &&
		   strcmp(path, "/v1/parcels/") != 0) {
		lz_http_reply_error(req, 404, "no such list");
		return;
	}
	if (evhttp_parse_query_str(q ? q : "", &params) != 0) {
		lz_http_reply_error(req, 400, "malformed query");
		return;
	}
	l.member = evhttp_find_header(&params, "member");
	if (l.member && (l.waiting_only || !lz_valid_id(l.member))) {
		lz_http_reply_error(req, 400,
				    l.waiting_only
					    ? "member: not with /waiting"
					    : "member: 1..64 characters of "
					      "[A-Za-z0-9._-]");
		evhttp_clear_headers(&params);
		return;
	}
	if ((rc = lz_store_read(l.b->store,
				l.member ? point_parcels_fn : parcels_fn,
				&l)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else {
		pl.n_parcels = l.n;
		pl.parcels = (Parcel **)l.items;
		lz_http_reply_json_new(req, lz_json_from_message(&pl.base));
	}
	free_list(&l);
	evhttp_clear_headers(&params);
}

static void
on_pickups(struct evhttp_request *req, void *arg)
{
	struct list l = {arg, NULL, 0, NULL, 0, NULL, NULL, 0};
	Lz__Bikes__V1__PickupList pl = LZ__BIKES__V1__PICKUP_LIST__INIT;
	int rc;

	if (!lz_http_only_get(req))
		return;
	if ((rc = lz_store_read(l.b->store, pickups_fn, &l)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else {
		pl.n_pickups = l.n;
		pl.pickups = (Pickup **)l.items;
		lz_http_reply_json_new(req, lz_json_from_message(&pl.base));
	}
	free_list(&l);
}

/* ---- the fleet: bikes, and the shifts open ---- */

struct fleet {
	struct bikes *b;
	const char *rider;
	json_t *bikes, *shifts;
};

static int
add_bike(ProtobufCMessage *m, void *arg)
{
	json_array_append_new(((struct fleet *)arg)->bikes,
			      lz_json_from_message(m));
	return 0;
}

static int
add_shift(ProtobufCMessage *m, void *arg)
{
	struct fleet *f = arg;

	if (f->rider && strcmp(((const Shift *)m)->rider_id, f->rider) != 0)
		return 0;
	json_array_append_new(f->shifts, lz_json_from_message(m));
	return 0;
}

static int
fleet_fn(MDB_txn *txn, void *arg)
{
	struct fleet *f = arg;
	int rc = lz_store_each_msg(txn, f->b->db.bikes, "",
				   &lz__bikes__v1__bike__descriptor, add_bike,
				   f);

	return rc ? rc
		  : lz_store_each_msg(txn, f->b->db.shifts, "",
				      &lz__bikes__v1__shift__descriptor,
				      add_shift, f);
}

static void
on_fleet(struct evhttp_request *req, void *arg)
{
	static const char *const names[] = {"rider"};
	struct fleet f = {arg, NULL, json_array(), json_array()};
	struct evkeyvalq q = {0};
	int rc;

	if (!lz_http_only_get(req) ||
	    lz_http_params(req, &q, names, &f.rider, 1) != 0)
		goto out;
	if (f.rider && !lz_valid_id(f.rider)) {
		lz_http_reply_error(
			req, 400, "rider: 1..64 characters of [A-Za-z0-9._-]");
		goto out;
	}
	if ((rc = lz_store_read(f.b->store, fleet_fn, &f)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		goto out;
	}
	lz_http_reply_json_new(req, json_pack("{s:O, s:O}", "bikes", f.bikes,
					      "shifts", f.shifts));
out:
	json_decref(f.bikes);
	json_decref(f.shifts);
	evhttp_clear_headers(&q);
}

void
bikes_http_routes(struct lz_http *h, struct bikes *b)
{
	lz_http_route(h, "/v1/runs/", on_runs, b);
	lz_http_route(h, "/v1/parcels", on_parcels, b);
	lz_http_route(h, "/v1/parcels/", on_parcels, b);
	lz_http_route(h, "/v1/pickups", on_pickups, b);
	lz_http_route(h, "/v1/fleet", on_fleet, b);
}
