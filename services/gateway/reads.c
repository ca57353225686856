/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * reads.c -- the read endpoints of the gateway: what the web application
 * and partner systems read, with a partner's token or a user's session.
 * Each is answered by the owning service's read model on its admin
 * address, unchanged, after two checks here:
 *
 *  - the reader must have one of the endpoint's roles (an operator may read
 *    everything);
 *  - a reader who is not an operator gets only its own data: the gateway
 *    sets the endpoint's filter parameter to the reader's member (or, for
 *    drivers and riders, to the reader's own id) and drops any value the
 *    reader gave it; where one record is asked for, the record's owner must
 *    be the reader's member (else 404, as for a record that does not
 *    exist).
 *
 * The table below is the whole policy; docs/services/gateway.md lists it.
 * GET /v1/health asks every daemon's /readyz and answers for all of them.
 */
#include "gateway.h"

#include "lz_http.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANY_ROLE 0x7fu
#define URI_MAX 2048
#define UPSTREAM_TIMEOUT_S 10

/* How a non-operator's reads are narrowed. */
enum narrow {
	NONE,      /* the endpoint holds nothing private */
	BY_MEMBER, /* PARAM = the reader's member */
	BY_ID,     /* PARAM = the reader's own id (a driver, a rider) */
	OWNER,     /* one record: its OWNER_FIELD must be the reader's member */
};

struct read_route {
	const char *path; /* the gateway's path; a prefix if it ends in '/' */
	enum gw_upstream up;
	const char *target; /* the service's path for PATH's prefix */
	unsigned roles;     /* who may read, besides operators */
	/* Narrowing for non-operators with one of NARROW_ROLES (others among
	 * ROLES read it whole). */
	unsigned narrow_roles;
	enum narrow narrow;
	const char *param;
};

static const struct read_route routes[] = {
	{"/v1/orders", GW_UP_ORDERS, "/v1/orders", ANY_ROLE, ANY_ROLE,
	 BY_MEMBER, "member"},
	{"/v1/orders/", GW_UP_ORDERS, "/v1/orders/", ANY_ROLE, ANY_ROLE, OWNER,
	 "order.memberId"},
	{"/v1/sites", GW_UP_ORDERS, "/v1/sites", ANY_ROLE,
	 ANY_ROLE & ~LZ_ROLE_DRIVER & ~LZ_ROLE_RIDER, BY_MEMBER, "member"},
	{"/v1/members", GW_UP_ORDERS, "/v1/members", 0, 0, NONE, NULL},
	{"/v1/stock", GW_UP_INVENTORY, "/v1/stock",
	 LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER, LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER,
	 BY_MEMBER, "member"},
	{"/v1/zones", GW_UP_INVENTORY, "/v1/zones", LZ_ROLE_RECEIVER, 0, NONE,
	 NULL},
	{"/v1/lots/", GW_UP_INVENTORY, "/v1/lots/",
	 LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER, LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER,
	 OWNER, "ownerMemberId"},
	{"/v1/picking/", GW_UP_INVENTORY, "/v1/picking/", LZ_ROLE_DRIVER, 0,
	 NONE, NULL},
	{"/v1/tours/", GW_UP_TOURS, "/v1/tours/", LZ_ROLE_DRIVER,
	 LZ_ROLE_DRIVER, BY_ID, "driver"},
	{"/v1/tasks/", GW_UP_TOURS, "/v1/tasks/", 0, 0, NONE, NULL},
	{"/v1/vehicles", GW_UP_TOURS, "/v1/vehicles", LZ_ROLE_DRIVER, 0, NONE,
	 NULL},
	{"/v1/runs/", GW_UP_BIKES, "/v1/runs/", LZ_ROLE_RIDER, LZ_ROLE_RIDER,
	 BY_ID, "rider"},
	{"/v1/parcels", GW_UP_BIKES, "/v1/parcels", LZ_ROLE_RELAY,
	 LZ_ROLE_RELAY, BY_MEMBER, "member"},
	{"/v1/pickups", GW_UP_BIKES, "/v1/pickups", LZ_ROLE_RIDER, 0, NONE,
	 NULL},
	{"/v1/fleet", GW_UP_BIKES, "/v1/fleet", LZ_ROLE_RIDER, LZ_ROLE_RIDER,
	 BY_ID, "rider"},
	{"/v1/balances", GW_UP_RETURNS, "/v1/balances",
	 LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER | LZ_ROLE_RELAY,
	 LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER | LZ_ROLE_RELAY, BY_MEMBER,
	 "member"},
	{"/v1/flows", GW_UP_RETURNS, "/v1/flows", LZ_ROLE_PROCESSOR,
	 LZ_ROLE_PROCESSOR, BY_MEMBER, "member"},
	{"/v1/outlets", GW_UP_RETURNS, "/v1/outlets", LZ_ROLE_PROCESSOR, 0,
	 NONE, NULL},
	{"/v1/points", GW_UP_RETURNS, "/v1/points", ANY_ROLE, 0, NONE, NULL},
	{"/v1/levels", GW_UP_RETURNS, "/v1/levels", 0, 0, NONE, NULL},
	{"/v1/container-types", GW_UP_RETURNS, "/v1/container-types", ANY_ROLE,
	 0, NONE, NULL},
	{"/v1/impact", GW_UP_IMPACT, "/v1/report",
	 LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER, LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER,
	 BY_MEMBER, "member"},
};

static const char *const up_names[GW_UP_N] = {
	"orders", "inventory", "tours", "bikes", "returns", "impact", "bus",
};

int
gw_reads_set(struct gw *g, enum gw_upstream up, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	int port = colon ? atoi(colon + 1) : 0;

	if (colon == NULL || colon == addr || port <= 0 || port > 65535) {
		lz_log_error("bad service address",
			     "service=%s addr=%s "
			     "want=host:port",
			     up_names[up], addr);
		return -1;
	}
	g->up[up].name = up_names[up];
	free(g->up[up].host);
	g->up[up].host = xstrndup(addr, (size_t)(colon - addr));
	g->up[up].port = port;
	return 0;
}

static struct evhttp_connection *
up_conn(struct gw *g, enum gw_upstream up)
{
	struct gw_up *u = &g->up[up];

	if (u->conn == NULL) {
		u->conn = evhttp_connection_base_new(lz_loop_base(g->loop),
						     NULL, u->host,
						     (unsigned short)u->port);
		evhttp_connection_set_timeout(u->conn, UPSTREAM_TIMEOUT_S);
	}
	return u->conn;
}

/* Sends GET URI to service UP; CB gets the answer (NULL when the service
 * could not be reached).  Returns 0, or -1 when not even sent. */
static int
up_get(struct gw *g, enum gw_upstream up, const char *uri,
       void (*cb)(struct evhttp_request *, void *), void *arg)
{
	struct evhttp_request *r = evhttp_request_new(cb, arg);

	evhttp_add_header(evhttp_request_get_output_headers(r), "Host",
			  g->up[up].host);
	return evhttp_make_request(up_conn(g, up), r, EVHTTP_REQ_GET, uri);
}

static void
unavailable(struct evhttp_request *req, const char *service)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "the %s service does not answer", service);
	lz_http_reply_error(req, 503, msg);
}

/* ---- one read ---- */

struct read_wait {
	struct gw_wait *w;
	const struct read_route *route;
	char *owner; /* OWNER: the member the record must belong to */
};

/* The string at dotted PATH ("order.memberId") in O, or NULL. */
static const char *
json_path_str(const json_t *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return json_string_value(o);
}

static void
on_read_reply(struct evhttp_request *ur, void *arg)
{
	struct read_wait *rw = arg;
	struct evhttp_request *req = gw_http_wait_req(rw->w);
	int code = ur ? evhttp_request_get_response_code(ur) : 0;
	struct evbuffer *b;
	const char *type;

	if (gw_http_wait_gone(rw->w))
		goto out;
	if (code == 0) {
		unavailable(req, up_names[rw->route->up]);
		goto out;
	}
	b = evhttp_request_get_input_buffer(ur);
	if (rw->owner && code == 200) {
		json_t *o = json_loadb((const char *)evbuffer_pullup(b, -1),
				       evbuffer_get_length(b), 0, NULL);
		const char *who = json_path_str(o, rw->route->param);
		int mine = who && strcmp(who, rw->owner) == 0;
		json_decref(o);
		if (!mine) { /* as if it did not exist */
			lz_http_reply_error(req, 404, "unknown record");
			goto out;
		}
	}
	type = evhttp_find_header(evhttp_request_get_input_headers(ur),
				  "Content-Type");
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", type ? type : "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "no-store");
	evhttp_send_reply(req, code, evhttp_request_get_response_code_line(ur),
			  b);
out:
	gw_http_wait_release(rw->w);
	free(rw->owner);
	free(rw);
}

static const struct read_route *
find_route(const char *path)
{
	for (size_t i = 0; i < LZ_ARRAY_LEN(routes); i++) {
		size_t n = strlen(routes[i].path);
		if (routes[i].path[n - 1] == '/'
			    ? strncmp(path, routes[i].path, n) == 0 && path[n]
			    : strcmp(path, routes[i].path) == 0)
			return &routes[i];
	}
	return NULL;
}

/* Writes into URI the service's path and query for a reader: the query as
 * given, except that a narrowing parameter is replaced by FORCED.  Returns
 * 0, or an HTTP status with the reason in *WHY. */
static int
build_uri(const struct read_route *rt, const char *path, const char *query,
	  const char *forced, char *uri, size_t len, const char **why)
{
	struct evkeyvalq q = {0};
	char sep = '?';
	size_t o;
	int n;

	n = snprintf(uri, len, "%s%s", rt->target, path + strlen(rt->path));
	if (n < 0 || (size_t)n >= len)
		goto too_long;
	o = (size_t)n;
	if (evhttp_parse_query_str(query ? query : "", &q) != 0) {
		*why = "malformed query string";
		return 400;
	}
	for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next) {
		char *k, *v;
		if (forced && strcmp(kv->key, rt->param) == 0)
			continue; /* the reader's own value: dropped */
		k = evhttp_encode_uri(kv->key);
		v = evhttp_encode_uri(kv->value);
		n = snprintf(uri + o, len - o, "%c%s=%s", sep, k, v);
		free(k);
		free(v);
		if (n < 0 || (size_t)n >= len - o) {
			evhttp_clear_headers(&q);
			goto too_long;
		}
		o += (size_t)n;
		sep = '&';
	}
	evhttp_clear_headers(&q);
	if (forced) {
		char *v = evhttp_encode_uri(forced);
		n = snprintf(uri + o, len - o, "%c%s=%s", sep, rt->param, v);
		free(v);
		if (n < 0 || (size_t)n >= len - o)
			goto too_long;
	}
	return 0;
too_long:
	*why = "path or query too long";
	return 414;
}

static void
on_read(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(u), *why = NULL;
	const struct read_route *rt = find_route(path);
	const char *forced = NULL, *owner = NULL;
	struct lz_partner *p;
	struct read_wait *rw;
	char uri[URI_MAX];
	int code;

	if (rt == NULL || strstr(path, "..") || strstr(path, "//")) {
		lz_http_reply_error(req, 404, "no such endpoint");
		return;
	}
	if (!lz_http_only_get(req))
		return;
	if ((p = gw_who(g, req, 0, &why)) == NULL) {
		gw_reply_unauthenticated(req, why);
		return;
	}
	if (!(p->roles & LZ_ROLE_OPERATOR)) {
		if (!(p->roles & rt->roles)) {
			lz_http_reply_error(req, 403,
					    "your role may not read this");
			return;
		}
		if (p->roles & rt->narrow_roles) {
			const char *me =
				rt->narrow == BY_ID ? p->id : p->member;
			if (me == NULL || me[0] == '\0') {
				lz_http_reply_error(
					req, 403,
					"this needs a member: you have none");
				return;
			}
			if (rt->narrow == OWNER)
				owner = me;
			else if (rt->narrow != NONE)
				forced = me;
		}
	}
	if ((code = build_uri(rt, path, evhttp_uri_get_query(u), forced, uri,
			      sizeof(uri), &why)) != 0) {
		lz_http_reply_error(req, code, why);
		return;
	}
	rw = xcalloc(1, sizeof(*rw));
	rw->w = gw_http_wait_new(g, req);
	rw->route = rt;
	rw->owner = owner ? xstrdup(owner) : NULL;
	if (up_get(g, rt->up, uri, on_read_reply, rw) != 0) {
		unavailable(req, up_names[rt->up]);
		gw_http_wait_release(rw->w);
		free(rw->owner);
		free(rw);
	}
}

/* ---- health: every daemon's /readyz ---- */

struct health {
	struct gw_wait *w;
	json_t *list;
	int left;
};

struct health_ask {
	struct health *h;
	enum gw_upstream up;
};

static void
health_done(struct health *h)
{
	if (--h->left > 0)
		return;
	if (!gw_http_wait_gone(h->w)) {
		json_t *o = json_pack("{s:O}", "services", h->list);
		size_t i;
		json_t *s;
		int all = 1;
		json_array_foreach(h->list, i, s) all &=
			json_is_true(json_object_get(s, "ready"));
		json_object_set_new(o, "ready", json_boolean(all));
		lz_http_reply_json(gw_http_wait_req(h->w), 200, o);
		json_decref(o);
	}
	gw_http_wait_release(h->w);
	json_decref(h->list);
	free(h);
}

static void
on_health_reply(struct evhttp_request *ur, void *arg)
{
	struct health_ask *a = arg;
	int code = ur ? evhttp_request_get_response_code(ur) : 0;
	json_t *s = json_pack("{s:s, s:b, s:i}", "name", up_names[a->up],
			      "ready", code == 200, "status", code);

	if (ur && code != 200) {
		struct evbuffer *b = evhttp_request_get_input_buffer(ur);
		json_t *o = json_loadb((const char *)evbuffer_pullup(b, -1),
				       evbuffer_get_length(b), 0, NULL);
		const char *e = json_string_value(json_object_get(o, "error"));
		json_object_set_new(s, "reason", json_string(e ? e : ""));
		json_decref(o);
	} else if (!ur) {
		json_object_set_new(s, "reason",
				    json_string("does not answer"));
	}
	json_array_append_new(a->h->list, s);
	health_done(a->h);
	free(a);
}

static void
on_health(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	const char *why;
	struct lz_partner *p;
	struct health *h;

	if (!lz_http_only_get(req))
		return;
	if ((p = gw_who(g, req, 0, &why)) == NULL) {
		gw_reply_unauthenticated(req, why);
		return;
	}
	if (!(p->roles & LZ_ROLE_OPERATOR)) {
		lz_http_reply_error(req, 403, "operators only");
		return;
	}
	h = xcalloc(1, sizeof(*h));
	h->w = gw_http_wait_new(g, req);
	h->list = json_array();
	json_array_append_new(h->list,
			      json_pack("{s:s, s:b, s:i}", "name", "gateway",
					"ready", 1, "status", 200));
	h->left = 1;
	for (int up = 0; up < GW_UP_N; up++) {
		struct health_ask *a;
		if (g->up[up].host == NULL)
			continue;
		a = xcalloc(1, sizeof(*a));
		a->h = h;
		a->up = (enum gw_upstream)up;
		h->left++;
		if (up_get(g, a->up, "/readyz", on_health_reply, a) != 0)
			on_health_reply(NULL, a);
	}
	health_done(h); /* the gateway's own entry */
}

void
gw_reads_start(struct gw *g)
{
	for (size_t i = 0; i < LZ_ARRAY_LEN(routes); i++)
		lz_http_route(g->api, routes[i].path, on_read, g);
	lz_http_route(g->api, "/v1/health", on_health, g);
}

void
gw_reads_stop(struct gw *g)
{
	for (int i = 0; i < GW_UP_N; i++) {
		if (g->up[i].conn)
			evhttp_connection_free(g->up[i].conn);
		g->up[i].conn = NULL;
		free(g->up[i].host);
		g->up[i].host = NULL;
	}
}
