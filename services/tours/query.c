/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * query.c -- the tours read models over HTTP (on the admin address):
 *
 *   GET /v1/tours/<YYYY-MM-DD>          -> TourList (stops, times, loads,
 *                                          km, duration, fill rates,
 *                                          driver); ?driver=<id>: only
 *                                          the tours bound to that driver
 *   GET /v1/tours/<YYYY-MM-DD>.geojson  -> FeatureCollection of routes
 *                                          and stops (?driver= as well)
 *   GET /v1/tasks/<YYYY-MM-DD>          -> TaskList (status, tour, reason)
 *   GET /v1/vehicles                    -> {"vehicles": [Vehicle...]}
 *
 * 400 {"error":...} for a malformed date, 405 for another method.
 */
#include "tours.h"

#include "lz_http.h"
#include "lz_json.h"
#include "lz_store.h"
#include "lz_util.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

/* Most records one answer holds. */
#define LIST_MAX 20000

struct list {
	struct tours *t;
	char date[11];
	void **items;
	size_t n;
	const char *driver; /* tours: only that driver's; NULL: all */
};

static int
keep(void *item, struct list *l)
{
	if (l->n >= LIST_MAX)
		return 0;
	l->items = xrealloc(l->items, sizeof(*l->items) * (l->n + 1));
	l->items[l->n++] = item;
	return 1;
}

static int
keep_tour(Tour *t, void *arg)
{
	struct list *l = arg;

	if (l->driver && strcmp(t->driver_id, l->driver) != 0)
		return 0;
	return keep(t, arg);
}

static int
keep_task(Task *t, void *arg)
{
	return keep(t, arg);
}

static int
keep_vehicle(Vehicle *v, void *arg)
{
	return keep(v, arg);
}

static int
tours_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;
	char prefix[16];

	memcpy(prefix, l->date, 10);
	prefix[10] = '/';
	prefix[11] = '\0';
	return tours_store_tours_of(txn, &l->t->db, prefix, keep_tour, l);
}

static int
tasks_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;

	return tours_store_tasks_of(txn, &l->t->db, l->date, keep_task, l);
}

static int
vehicles_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;

	return tours_store_vehicles(txn, &l->t->db, keep_vehicle, l);
}

/* Reads the date after PREFIX in the request's path, with optional
 * SUFFIX; 0 or -1 after answering 400. */
static int
path_date(struct evhttp_request *req, const char *prefix, char date[11],
	  int *geojson)
{
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *rest = path + strlen(prefix);
	size_t n = strlen(rest);

	*geojson = 0;
	if (n == 18 && strcmp(rest + 10, ".geojson") == 0) {
		*geojson = 1;
		n = 10;
	}
	if (n != 10) {
		lz_http_reply_error(req, 400, "want a date YYYY-MM-DD");
		return -1;
	}
	memcpy(date, rest, 10);
	date[10] = '\0';
	if (!lz_date_valid(date)) {
		lz_http_reply_error(req, 400, "want a date YYYY-MM-DD");
		return -1;
	}
	return 0;
}

static void
on_tours(struct evhttp_request *req, void *arg)
{
	struct list l = {arg, "", NULL, 0, NULL};
	const char *q =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	int geojson, rc;

	if (!lz_http_only_get(req) ||
	    path_date(req, "/v1/tours/", l.date, &geojson))
		return;
	if (evhttp_parse_query_str(q ? q : "", &params) != 0) {
		lz_http_reply_error(req, 400, "malformed query");
		return;
	}
	l.driver = evhttp_find_header(&params, "driver");
	if (l.driver && !lz_valid_id(l.driver)) {
		lz_http_reply_error(
			req, 400, "driver: 1..64 characters of [A-Za-z0-9._-]");
		evhttp_clear_headers(&params);
		return;
	}
	if ((rc = lz_store_read(l.t->store, tours_fn, &l)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else if (geojson) {
		lz_http_reply_json_new(
			req, tours_geojson((Tour *const *)l.items, l.n));
	} else {
		Lz__Tours__V1__TourList tl = LZ__TOURS__V1__TOUR_LIST__INIT;

		tl.n_tours = l.n;
		tl.tours = (Tour **)l.items;
		lz_http_reply_json_new(req, lz_json_from_message(&tl.base));
	}
	for (size_t i = 0; i < l.n; i++)
		lz__tours__v1__tour__free_unpacked(l.items[i], NULL);
	free(l.items);
	evhttp_clear_headers(&params);
}

static void
on_tasks(struct evhttp_request *req, void *arg)
{
	struct list l = {arg, "", NULL, 0, NULL};
	int geojson, rc;

	if (!lz_http_only_get(req) ||
	    path_date(req, "/v1/tasks/", l.date, &geojson))
		return;
	if (geojson) {
		lz_http_reply_error(req, 400, "want a date YYYY-MM-DD");
	} else if ((rc = lz_store_read(l.t->store, tasks_fn, &l)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else {
		Lz__Tours__V1__TaskList tl = LZ__TOURS__V1__TASK_LIST__INIT;

		tl.n_tasks = l.n;
		tl.tasks = (Task **)l.items;
		lz_http_reply_json_new(req, lz_json_from_message(&tl.base));
	}
	for (size_t i = 0; i < l.n; i++)
		lz__tours__v1__task__free_unpacked(l.items[i], NULL);
	free(l.items);
}

static void
on_vehicles(struct evhttp_request *req, void *arg)
{
	struct list l = {arg, "", NULL, 0, NULL};
	int rc;

	if (!lz_http_only_get(req))
		return;
	if ((rc = lz_store_read(l.t->store, vehicles_fn, &l)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else {
		json_t *arr = json_array(), *j;

		for (size_t i = 0; i < l.n; i++) {
			json_t *v = lz_json_from_message(l.items[i]);

			if (v)
				json_array_append_new(arr, v);
		}
		j = json_pack("{s:o}", "vehicles", arr);
		lz_http_reply_json_new(req, j);
	}
	for (size_t i = 0; i < l.n; i++)
		lz__tours__v1__vehicle__free_unpacked(l.items[i], NULL);
	free(l.items);
}

void
tours_http_routes(struct lz_http *h, struct tours *t)
{
	lz_http_route(h, "/v1/tours/", on_tours, t);
	lz_http_route(h, "/v1/tasks/", on_tasks, t);
	lz_http_route(h, "/v1/vehicles", on_vehicles, t);
}
