/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * query.c -- the orders read models over HTTP (on the admin address), for
 * the gateway, lz-ctl and operators:
 *
 *   GET /v1/orders/<member>%2F<reference>   (or /v1/orders/<member>/<ref>)
 *       -> OrderView as JSON; 404 {"error":...} if unknown
 *   GET /v1/orders?member=M[&status=S][&date=YYYY-MM-DD][&limit=N]
 *       -> OrderList as JSON, by delivery time; 400 on a bad parameter
 *   GET /v1/sites[?member=M]    -> {"sites": [Site...]}, by id
 *   GET /v1/members             -> {"members": [Member...]}, by id
 *
 * These endpoints trust their caller (loopback by default): the gateway
 * filters by the partner's member before it asks.
 */
#include "orders.h"

#include "lz_http.h"
#include "lz_json.h"
#include "lz_store.h"
#include "lz_util.h"
#include "rules.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 100
#define LIST_MAX 1000

/* ---- one order ---- */

struct get_ctx {
	struct orders *o;
	const char *id;
	Order *order;
	HistoryEntry **history;
	size_t nhistory;
};

static int
get_fn(MDB_txn *txn, void *arg)
{
	struct get_ctx *g = arg;
	int rc = orders_store_get_order(txn, &g->o->db, g->id, &g->order);

	if (rc == 0 && g->order)
		rc = orders_store_history(txn, &g->o->db, g->id, &g->history,
					  &g->nhistory);
	return rc;
}

static void
on_order(struct evhttp_request *req, void *arg)
{
	static const char prefix[] = "/v1/orders/";
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct get_ctx g = {arg, NULL, NULL, NULL, 0};
	Lz__Orders__V1__OrderView view = LZ__ORDERS__V1__ORDER_VIEW__INIT;
	size_t len = 0;
	char *id;
	int rc;

	if (!lz_http_only_get(req))
		return;
	/* The path comes still percent-encoded: decode "%2F" here. */
	id = evhttp_uridecode(path + sizeof(prefix) - 1, 0, &len);
	if (id == NULL || strlen(id) != len || !lz_valid_order_id(id)) {
		lz_http_reply_error(req, 400,
				    "bad order id: want <member>/<reference> "
				    "(the slash may be sent as %2F)");
		free(id);
		return;
	}
	g.id = id;
	rc = lz_store_read(g.o->store, get_fn, &g);
	if (rc != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else if (g.order == NULL) {
		lz_http_reply_error(req, 404, "no such order");
	} else {
		view.order = g.order;
		view.n_history = g.nhistory;
		view.history = g.history;
		lz_http_reply_json_new(req, lz_json_from_message(&view.base));
	}
	if (g.order)
		lz__orders__v1__order__free_unpacked(g.order, NULL);
	orders_store_free_history(g.history, g.nhistory);
	free(id);
}

/* ---- listing ---- */

struct list_ctx {
	struct orders *o;
	const char *member;
	int status;
	const char *date; /* YYYYMMDD or NULL */
	size_t limit;
	Order **orders;
	size_t n;
};

static int
list_fn(MDB_txn *txn, void *arg)
{
	struct list_ctx *l = arg;

	return orders_store_list(txn, &l->o->db, l->member, l->status, l->date,
				 l->limit, &l->orders, &l->n);
}

/* Parses "YYYY-MM-DD" (a real date) into "YYYYMMDD". */
static int
parse_date(const char *s, char out[9])
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	memcpy(out, s, 4);
	memcpy(out + 4, s + 5, 2);
	memcpy(out + 6, s + 8, 2);
	out[8] = '\0';
	return 0;
}

static int
parse_limit(const char *s, size_t *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > LIST_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Fills L from the query string; on error replies 400 and returns -1. */
static int
parse_list(struct evhttp_request *req, struct evkeyvalq *q, struct list_ctx *l,
	   char date[9])
{
	const char *uq =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	int seen[4] = {0};

	if (evhttp_parse_query_str(uq ? uq : "", q) != 0) {
		lz_http_reply_error(req, 400, "malformed query string");
		return -1;
	}
	for (struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
		static const char *const keys[] = {"member", "status", "date",
						   "limit"};
		int k = -1;

		for (int i = 0; i < 4; i++)
			if (strcmp(kv->key, keys[i]) == 0)
				k = i;
		if (k < 0) {
			lz_http_reply_error(
				req, 400,
				"unknown parameter: use member, status, "
				"date, limit");
			return -1;
		}
		if (seen[k]++) {
			lz_http_reply_error(req, 400,
					    "a parameter is given twice");
			return -1;
		}
		if (k == 0 && !lz_valid_id(kv->value)) {
			lz_http_reply_error(req, 400,
					    "member: 1..64 characters of "
					    "[A-Za-z0-9._-]");
			return -1;
		}
		if (k == 0)
			l->member = kv->value;
		if (k == 1 &&
		    (l->status = orders_status_parse(kv->value)) == 0) {
			lz_http_reply_error(
				req, 400,
				"status: one of placed, confirmed, "
				"planned, picked_up, at_hub, "
				"out_for_delivery, at_bike_relay, "
				"delivered, rejected, cancelled, failed");
			return -1;
		}
		if (k == 2 && parse_date(kv->value, date) != 0) {
			lz_http_reply_error(req, 400, "date: want YYYY-MM-DD");
			return -1;
		}
		if (k == 2)
			l->date = date;
		if (k == 3 && parse_limit(kv->value, &l->limit) != 0) {
			lz_http_reply_error(req, 400,
					    "limit: an integer in 1..1000");
			return -1;
		}
	}
	if (l->member == NULL) {
		lz_http_reply_error(req, 400, "member: required");
		return -1;
	}
	return 0;
}

static void
on_list(struct evhttp_request *req, void *arg)
{
	struct list_ctx l = {arg, NULL, 0, NULL, LIST_DEFAULT, NULL, 0};
	Lz__Orders__V1__OrderList list = LZ__ORDERS__V1__ORDER_LIST__INIT;
	struct evkeyvalq q = {0};
	char date[9];
	int rc;

	if (!lz_http_only_get(req))
		return;
	if (parse_list(req, &q, &l, date) == 0) {
		rc = lz_store_read(l.o->store, list_fn, &l);
		if (rc != 0) {
			lz_http_reply_error(req, 500, lz_store_strerror(rc));
		} else {
			list.n_orders = l.n;
			list.orders = l.orders;
			lz_http_reply_json_new(
				req, lz_json_from_message(&list.base));
		}
	}
	orders_store_free_orders(l.orders, l.n);
	evhttp_clear_headers(&q);
}

/* ---- the directory ---- */

struct dir_ctx {
	struct orders *o;
	const char *member; /* sites: only this member's, or NULL */
	json_t *list;
};

static int
add_site(ProtobufCMessage *m, void *arg)
{
	struct dir_ctx *d = arg;
	const Site *s = (const Site *)m;

	if (d->member && strcmp(s->member_id, d->member) != 0)
		return 0;
	json_array_append_new(d->list, lz_json_from_message(m));
	return 0;
}

static int
add_member(ProtobufCMessage *m, void *arg)
{
	json_array_append_new(((struct dir_ctx *)arg)->list,
			      lz_json_from_message(m));
	return 0;
}

static int
sites_fn(MDB_txn *txn, void *arg)
{
	struct dir_ctx *d = arg;

	return lz_store_each_msg(txn, d->o->db.sites, "",
				 &lz__orders__v1__site__descriptor, add_site,
				 d);
}

static int
members_fn(MDB_txn *txn, void *arg)
{
	struct dir_ctx *d = arg;

	return lz_store_each_msg(txn, d->o->db.members, "",
				 &lz__orders__v1__member__descriptor,
				 add_member, d);
}

/* GET /v1/sites and /v1/members: the directory, as registered. */
static void
on_directory(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	int sites = strcmp(evhttp_uri_get_path(u), "/v1/sites") == 0;
	struct dir_ctx d = {arg, NULL, json_array()};
	struct evkeyvalq q = {0};
	const char *query = evhttp_uri_get_query(u);
	int rc;

	if (!lz_http_only_get(req))
		goto out;
	if (evhttp_parse_query_str(query ? query : "", &q) != 0) {
		lz_http_reply_error(req, 400, "malformed query string");
		goto out;
	}
	for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next) {
		if (!sites || strcmp(kv->key, "member") != 0 ||
		    !lz_valid_id(kv->value)) {
			lz_http_reply_error(req, 400,
					    sites ? "the one parameter is "
						    "member=ID"
						  : "no parameters");
			goto out;
		}
		d.member = kv->value;
	}
	if ((rc = lz_store_read(d.o->store, sites ? sites_fn : members_fn,
				&d)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		goto out;
	}
	lz_http_reply_json_new(
		req, json_pack("{s:o}", sites ? "sites" : "members", d.list));
	d.list = NULL;
out:
	json_decref(d.list);
	evhttp_clear_headers(&q);
}

void
orders_http_routes(struct lz_http *h, struct orders *o)
{
	lz_http_route(h, "/v1/sites", on_directory, o);
	lz_http_route(h, "/v1/members", on_directory, o);
	lz_http_route(h, "/v1/orders", on_list, o);
	lz_http_route(h, "/v1/orders/", on_order, o);
}
