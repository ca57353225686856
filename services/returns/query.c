/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * query.c -- the returns read models over HTTP (on the admin address):
 *
 *   GET /v1/balances[?member=M&site=S&type=T&account=A]
 *        -> {"balances": [Balance...], "sums": {type: sum over every
 *           account}, "balanced": true when every sum is 0,
 *           "discrepancies": movements flagged}
 *   GET /v1/flows[?status=open|closed|all&member=M]   -> FlowList
 *        (default: open, i.e. opened, assigned or collected; with member:
 *        only the flows assigned to outlets of member M, the processor)
 *   GET /v1/outlets                          -> OutletList
 *   GET /v1/levels[?from=YYYY-MM-DD&to=YYYY-MM-DD&by=day|month]
 *        -> LevelReport: flows closed and actual grams per period and
 *           hierarchy level
 *   GET /v1/container-types                  -> {"containerTypes": [...]}
 *   GET /v1/points   -> {"points": [FillForecast + "due"]}: each collection
 *        point's empties, return rate, when it will be full, its open
 *        request, now
 *
 * 400 {"error":...} for a malformed parameter, 405 for another method.
 */
#include "returns.h"

#include "lz_date.h"
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

/* The query parameters of REQ into Q (free with evhttp_clear_headers). */
static void
params(struct evhttp_request *req, struct evkeyvalq *q)
{
	const char *query =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));

	/* Initialises Q, also for an empty query. */
	evhttp_parse_query_str(query ? query : "", q);
}

static const char *
param(struct evkeyvalq *q, const char *name)
{
	const char *v = evhttp_find_header(q, name);

	return v && v[0] ? v : NULL;
}

/* ---- balances ---- */

struct balances {
	struct returns *r;
	MDB_txn *txn;
	const char *member, *type, *account;
	char site[RETURNS_ACCOUNT_MAX], empties[RETURNS_ACCOUNT_MAX];
	json_t *list, *sums;
	int64_t discrepancies;
	int rc;
};

static void
balance_one(const char *account, const char *member, const char *type,
	    int64_t count, void *arg)
{
	struct balances *b = arg;
	Lz__Returns__V1__Balance bal = LZ__RETURNS__V1__BALANCE__INIT;
	ContainerType *t = NULL;
	json_t *sum = json_object_get(b->sums, type), *j;

	json_object_set_new(
		b->sums, type,
		json_integer((sum ? json_integer_value(sum) : 0) + count));
	if ((b->member && strcmp(member, b->member) != 0) ||
	    (b->type && strcmp(type, b->type) != 0) ||
	    (b->account && strcmp(account, b->account) != 0) ||
	    (b->site[0] && strcmp(account, b->site) != 0 &&
	     strcmp(account, b->empties) != 0))
		return;
	if (json_array_size(b->list) >= LIST_MAX || b->rc != 0)
		return;
	b->rc = lz_store_get_msg(b->txn, b->r->db.types, type,
				 &lz__returns__v1__container_type__descriptor,
				 (ProtobufCMessage **)&t);
	bal.account = (char *)account;
	bal.member_id = (char *)member;
	bal.container_type = (char *)type;
	bal.count = count;
	bal.deposit_cents = t ? count * t->deposit_cents : 0;
	if ((j = lz_json_from_message(&bal.base)) != NULL)
		json_array_append_new(b->list, j);
	if (t)
		lz__returns__v1__container_type__free_unpacked(t, NULL);
}

static int
balances_fn(MDB_txn *txn, void *arg)
{
	struct balances *b = arg;
	int rc;

	b->txn = txn;
	if ((rc = lz_store_counter_get(txn, b->r->db.meta, "stat/discrepancies",
				       &b->discrepancies)) != 0)
		return rc;
	rc = returns_store_balances(txn, &b->r->db, "", balance_one, b);
	return rc != 0 ? rc : b->rc;
}

static void
on_balances(struct evhttp_request *req, void *arg)
{
	struct balances b = {arg, NULL, NULL, NULL, NULL, "",
			     "",  NULL, NULL, 0,    0};
	struct evkeyvalq q;
	const char *site, *key;
	json_t *v;
	int rc, balanced = 1;

	if (!lz_http_only_get(req))
		return;
	params(req, &q);
	b.member = param(&q, "member");
	b.type = param(&q, "type");
	b.account = param(&q, "account");
	site = param(&q, "site");
	if (site && (returns_site_account(b.site, sizeof(b.site), site) != 0 ||
		     returns_empties_account(b.empties, sizeof(b.empties),
					     site) != 0)) {
		lz_http_reply_error(req, 400, "site: not a site id");
		goto out;
	}
	b.list = json_array();
	b.sums = json_object();
	if ((rc = lz_store_read(b.r->store, balances_fn, &b)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		json_decref(b.list);
		json_decref(b.sums);
		goto out;
	}
	json_object_foreach(b.sums, key, v) if (json_integer_value(v) != 0)
		balanced = 0;
	lz_http_reply_json_new(
		req, json_pack("{s:o,s:o,s:b,s:I}", "balances", b.list, "sums",
			       b.sums, "balanced", balanced, "discrepancies",
			       (json_int_t)b.discrepancies));
out:
	evhttp_clear_headers(&q);
}

/* ---- lists of records ---- */

struct list {
	struct returns *r;
	MDB_dbi dbi;
	const ProtobufCMessageDescriptor *desc;
	int status;         /* flows: 0 open, 1 closed, 2 all */
	const char *member; /* flows: of the outlets of that member only */
	void **items;
	size_t n;
};

static int
keep(ProtobufCMessage *m, void *arg)
{
	struct list *l = arg;

	if (l->n >= LIST_MAX)
		return 0;
	if (m->descriptor == &lz__returns__v1__flow__descriptor) {
		int closed = ((Flow *)m)->status == FS_CLOSED;

		if ((l->status == 0 && closed) || (l->status == 1 && !closed))
			return 0;
		if (l->member &&
		    strcmp(((Flow *)m)->outlet_member_id, l->member) != 0)
			return 0;
	}
	l->items = xrealloc(l->items, sizeof(*l->items) * (l->n + 1));
	l->items[l->n++] = m;
	return 1;
}

static int
list_fn(MDB_txn *txn, void *arg)
{
	struct list *l = arg;

	return returns_store_scan(txn, l->dbi, l->desc, keep, l);
}

/* Reads the list L and answers {FIELD: [...]}. */
static void
reply_list(struct evhttp_request *req, struct list *l, const char *field)
{
	int rc = lz_store_read(l->r->store, list_fn, l);

	if (rc != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else {
		json_t *arr = json_array();

		for (size_t i = 0; i < l->n; i++) {
			json_t *v = lz_json_from_message(l->items[i]);

			if (v)
				json_array_append_new(arr, v);
		}
		lz_http_reply_json_new(req, json_pack("{s:o}", field, arr));
	}
	for (size_t i = 0; i < l->n; i++)
		protobuf_c_message_free_unpacked(l->items[i], NULL);
	free(l->items);
}

static void
on_flows(struct evhttp_request *req, void *arg)
{
	struct returns *r = arg;
	struct list l = {.r = r,
			 .dbi = r->db.flows,
			 .desc = &lz__returns__v1__flow__descriptor};
	struct evkeyvalq q;
	const char *st;

	if (!lz_http_only_get(req))
		return;
	params(req, &q);
	st = param(&q, "status");
	l.member = param(&q, "member");
	if (st && strcmp(st, "open") != 0 && strcmp(st, "closed") != 0 &&
	    strcmp(st, "all") != 0)
		lz_http_reply_error(req, 400, "status: open, closed or all");
	else if (l.member && !lz_valid_id(l.member))
		lz_http_reply_error(
			req, 400, "member: 1..64 characters of [A-Za-z0-9._-]");
	else {
		l.status = st == NULL || strcmp(st, "open") == 0 ? 0
			   : strcmp(st, "closed") == 0           ? 1
								 : 2;
		reply_list(req, &l, "flows");
	}
	evhttp_clear_headers(&q);
}

static void
on_outlets(struct evhttp_request *req, void *arg)
{
	struct returns *r = arg;
	struct list l = {.r = r,
			 .dbi = r->db.outlets,
			 .desc = &lz__returns__v1__outlet__descriptor,
			 .status = 2};

	if (lz_http_only_get(req))
		reply_list(req, &l, "outlets");
}

static void
on_types(struct evhttp_request *req, void *arg)
{
	struct returns *r = arg;
	struct list l = {.r = r,
			 .dbi = r->db.types,
			 .desc = &lz__returns__v1__container_type__descriptor,
			 .status = 2};

	if (lz_http_only_get(req))
		reply_list(req, &l, "containerTypes");
}

/* ---- kg by level and period ---- */

struct levels {
	struct returns *r;
	const char *from, *to;
	int by_month;
	json_t *totals; /* "period level" -> [flows, grams] */
};

static int
level_value(const char *name)
{
	for (int l = 1; l < LV_COUNT; l++)
		if (strcmp(name, returns_level_name(l)) == 0)
			return l;
	return 0;
}

static void
level_one(const char *name, int64_t v, void *arg)
{
	struct levels *lv = arg;
	char date[11], level[40], what[10], key[64];
	json_t *e;

	if (sscanf(name, "%10s %39s %9s", date, level, what) != 3 ||
	    (lv->from && strcmp(date, lv->from) < 0) ||
	    (lv->to && strcmp(date, lv->to) > 0))
		return;
	snprintf(key, sizeof(key), "%.*s %s", lv->by_month ? 7 : 10, date,
		 level);
	if ((e = json_object_get(lv->totals, key)) == NULL) {
		e = json_pack("[I,I]", (json_int_t)0, (json_int_t)0);
		json_object_set_new(lv->totals, key, e);
	}
	{
		int i = strcmp(what, "flows") == 0 ? 0 : 1;

		json_array_set_new(
			e, (size_t)i,
			json_integer(json_integer_value(json_array_get(e, i)) +
				     v));
	}
}

static int
levels_fn(MDB_txn *txn, void *arg)
{
	struct levels *lv = arg;

	return lz_store_counters(txn, lv->r->db.totals, "", level_one, lv);
}

static void
on_levels(struct evhttp_request *req, void *arg)
{
	struct levels lv = {arg, NULL, NULL, 0, NULL};
	Lz__Returns__V1__LevelReport rep = LZ__RETURNS__V1__LEVEL_REPORT__INIT;
	struct evkeyvalq q;
	const char *by, *key;
	json_t *v;
	int rc;

	if (!lz_http_only_get(req))
		return;
	params(req, &q);
	lv.from = param(&q, "from");
	lv.to = param(&q, "to");
	by = param(&q, "by");
	if ((lv.from && !lz_date_valid(lv.from)) ||
	    (lv.to && !lz_date_valid(lv.to)) ||
	    (by && strcmp(by, "day") != 0 && strcmp(by, "month") != 0)) {
		lz_http_reply_error(req, 400,
				    "from, to: YYYY-MM-DD; by: day or month");
		goto out;
	}
	lv.by_month = by && strcmp(by, "month") == 0;
	lv.totals = json_object();
	if ((rc = lz_store_read(lv.r->store, levels_fn, &lv)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		json_decref(lv.totals);
		goto out;
	}
	rep.totals =
		xcalloc(json_object_size(lv.totals) + 1, sizeof(*rep.totals));
	json_object_foreach(lv.totals, key, v)
	{
		Lz__Returns__V1__LevelTotal *t = xmalloc(sizeof(*t));
		const char *sp = strchr(key, ' ');

		lz__returns__v1__level_total__init(t);
		t->period = xstrndup(key, (size_t)(sp - key));
		t->level = (Lz__Returns__V1__HierarchyLevel)level_value(sp + 1);
		t->flows = json_integer_value(json_array_get(v, 0));
		t->grams = json_integer_value(json_array_get(v, 1));
		rep.totals[rep.n_totals++] = t;
	}
	lz_http_reply_json_new(req, lz_json_from_message(&rep.base));
	for (size_t i = 0; i < rep.n_totals; i++) {
		free(rep.totals[i]->period);
		free(rep.totals[i]);
	}
	free(rep.totals);
	json_decref(lv.totals);
out:
	evhttp_clear_headers(&q);
}

/* ---- collection points and their forecasts ---- */

struct points {
	struct returns *r;
	MDB_txn *txn;
	int64_t now;
	json_t *list;
	int rc;
};

static int
point_one(ProtobufCMessage *m, void *arg)
{
	struct points *pt = arg;
	const CollectionPoint *p = (const CollectionPoint *)m;
	Lz__Returns__V1__FillForecast f = LZ__RETURNS__V1__FILL_FORECAST__INIT;
	struct returns_point_state st;
	json_t *j;
	int rc;

	if ((rc = returns_point_forecast(pt->txn, pt->r, p, pt->now, &st)))
		return rc;
	f.site_id = p->site_id;
	f.containers = (uint32_t)st.containers;
	f.capacity_containers = p->capacity_containers;
	f.rate_per_day_milli = st.forecast.rate_per_day_milli;
	f.full_at = st.forecast.full_at;
	f.request_id = st.request_id;
	f.at = pt->now;
	if ((j = lz_json_from_message(&f.base)) != NULL) {
		json_object_set_new(j, "due", json_boolean(st.forecast.due));
		json_array_append_new(pt->list, j);
	}
	return 0;
}

static int
points_fn(MDB_txn *txn, void *arg)
{
	struct points *pt = arg;

	pt->txn = txn;
	return returns_store_scan(
		txn, pt->r->db.points,
		&lz__returns__v1__collection_point__descriptor, point_one, pt);
}

static void
on_points(struct evhttp_request *req, void *arg)
{
	struct points pt = {arg, NULL, lz_now_us() / 1000000, NULL, 0};
	int rc;

	if (!lz_http_only_get(req))
		return;
	pt.list = json_array();
	if ((rc = lz_store_read(pt.r->store, points_fn, &pt)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		json_decref(pt.list);
		return;
	}
	lz_http_reply_json_new(req, json_pack("{s:o}", "points", pt.list));
}

void
returns_http_routes(struct lz_http *h, struct returns *r)
{
	lz_http_route(h, "/v1/points", on_points, r);
	lz_http_route(h, "/v1/balances", on_balances, r);
	lz_http_route(h, "/v1/flows", on_flows, r);
	lz_http_route(h, "/v1/outlets", on_outlets, r);
	lz_http_route(h, "/v1/levels", on_levels, r);
	lz_http_route(h, "/v1/container-types", on_types, r);
}
