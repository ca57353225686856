/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http_api.c -- the HTTP/JSON door for partners who cannot speak ZeroMQ:
 *
 *   POST /v1/commands/<type>   the command as proto3 JSON; Authorization:
 *                              Bearer <token>; Idempotency-Key: <msg id>
 *   GET  /v1/orders/<id>       one of the partner's member's orders
 *   GET  /v1/orders?status=&date=&limit=
 *   GET  /v1/events            Server-Sent Events: the events of the
 *                              partner's member (all events for operators)
 *
 * Order queries are answered by lz-orders; the gateway forces the member
 * to the partner's own, so nobody reads another member's orders.
 */
#include "gateway.h"

#include "lz/bus/v1/bus.pb-c.h"
#include "lz_bus.h"
#include "lz_evjson.h"
#include "lz_http.h"
#include "lz_json.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_registry.h"
#include "commands.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define SSE_MAX_BUFFERED (4u << 20)
#define EVENTS_BATCH 1024

/* An HTTP request waiting for an answer (an Ack after the commit, or the
 * orders service's reply).  If the client goes away first, GONE is set and
 * the request must not be touched. */
struct gw_wait {
	struct gw *g;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	int gone;
	char *member; /* orders proxy: the member the order must belong to */
};

struct gw_sse {
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	char *member;
	int all;
	struct gw_sse *next;
};

static void
on_wait_close(struct evhttp_connection *conn, void *arg)
{
	struct gw_wait *w = arg;

	w->gone = 1;
}

static struct gw_wait *
wait_new(struct gw *g, struct evhttp_request *req)
{
	struct gw_wait *w = xcalloc(1, sizeof(*w));

	w->g = g;
	w->req = req;
	w->conn = evhttp_request_get_connection(req);
	evhttp_connection_set_closecb(w->conn, on_wait_close, w);
	return w;
}

void
gw_http_wait_release(struct gw_wait *w)
{
	if (!w->gone)
		evhttp_connection_set_closecb(w->conn, NULL, NULL);
	free(w->member);
	free(w);
}

static int
http_status(const Lz__Gateway__V1__Ack *ack)
{
	switch (ack->error_code) {
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_NONE:
		return 202;
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN:
		return 403;
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_TOO_LARGE:
		return 413;
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_RATE_LIMITED:
		return 429;
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAUTHENTICATED:
		return 401;
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_CONFLICT:
		return 409;
	case LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAVAILABLE:
		return 503;
	default:
		return 400;
	}
}

static void
reply_ack(struct evhttp_request *req, const Lz__Gateway__V1__Ack *ack)
{
	json_t *o = lz_json_from_message(&ack->base);

	if (o == NULL)
		o = json_pack("{s:s}", "error", "cannot encode the answer");
	lz_http_reply_json(req, http_status(ack), o);
	json_decref(o);
}

/* The gw_reply's send of an HTTP request. */
static void
send_ack(struct gw *g, const struct gw_reply *r,
	 const Lz__Gateway__V1__Ack *ack)
{
	if (!r->http->gone)
		reply_ack(r->http->req, ack);
	gw_http_wait_release(r->http);
}

static void
reject_now(struct gw *g, struct evhttp_request *req, const char *partner_id,
	   const char *msg_id, Lz__Gateway__V1__ErrorCode code, const char *msg)
{
	Lz__Gateway__V1__Ack ack = LZ__GATEWAY__V1__ACK__INIT;

	ack.client_msg_id = (char *)(msg_id ? msg_id : "");
	ack.status = LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_REJECTED;
	ack.error_code = code;
	ack.message = (char *)msg;
	gw_count_reject(g, partner_id, code, msg);
	reply_ack(req, &ack);
}

/* The partner behind the request's bearer token, or NULL. */
static struct lz_partner *
authenticate(struct gw *g, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Authorization");

	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return NULL;
	return lz_partners_by_token(g->partners, h + 7);
}

static void
on_command(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *type = path + strlen("/v1/commands/");
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *msg_id = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Idempotency-Key");
	const ProtobufCMessageDescriptor *d;
	struct lz_partner *p;
	struct gw_reply r = {0};
	json_error_t jerr;
	json_t *body;
	uint8_t *payload = NULL;
	size_t len = 0, blen = evbuffer_get_length(in);
	char msg[400];
	Lz__Gateway__V1__ErrorCode code;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		lz_http_reply_error(req, 405, "use POST");
		return;
	}
	if ((p = authenticate(g, req)) == NULL) {
		reject_now(
			g, req, NULL, msg_id,
			LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAUTHENTICATED,
			"missing or unknown bearer token");
		return;
	}
	if (blen > g->max_frame) {
		snprintf(msg, sizeof(msg),
			 "body of %zu bytes is over the limit "
			 "of %zu",
			 blen, g->max_frame);
		reject_now(g, req, p->id, msg_id,
			   LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_TOO_LARGE,
			   msg);
		return;
	}
	if ((d = gw_command_roles(type) ? lz_registry_find(type) : NULL) ==
	    NULL) {
		snprintf(msg, sizeof(msg), "unknown command type \"%.100s\"",
			 type);
		reject_now(g, req, p->id, msg_id,
			   LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_TYPE,
			   msg);
		return;
	}
	body = json_loadb((const char *)evbuffer_pullup(in, -1), blen, 0,
			  &jerr);
	if (body == NULL) {
		snprintf(msg, sizeof(msg),
			 "invalid JSON at line %d column %d: "
			 "%s",
			 jerr.line, jerr.column, jerr.text);
		reject_now(g, req, p->id, msg_id,
			   LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_BAD_PAYLOAD,
			   msg);
		return;
	}
	if (lz_json_decode_bytes(d, body, &payload, &len, msg, sizeof(msg)) !=
	    0) {
		json_decref(body);
		reject_now(g, req, p->id, msg_id,
			   LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_BAD_PAYLOAD,
			   msg);
		return;
	}
	json_decref(body);
	r.http = wait_new(g, req);
	r.send = send_ack;
	code = gw_submit(g, p, msg_id ? msg_id : "", type, payload, len, &r,
			 msg, sizeof(msg));
	free(payload);
	if (code != LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_NONE) {
		gw_http_wait_release(r.http);
		reject_now(g, req, p->id, msg_id, code, msg);
		return;
	}
	gw_flush_soon(g);
}

/* ---- order queries, answered by lz-orders ---- */

static void
on_orders_reply(struct evhttp_request *oreq, void *arg)
{
	struct gw_wait *w = arg;
	int code = oreq ? evhttp_request_get_response_code(oreq) : 0;
	struct evbuffer *b;
	json_t *o;

	if (w->gone)
		goto out;
	if (code == 0) {
		lz_http_reply_error(w->req, 503,
				    "the orders service does not answer");
		goto out;
	}
	b = evhttp_request_get_input_buffer(oreq);
	o = json_loadb((const char *)evbuffer_pullup(b, -1),
		       evbuffer_get_length(b), 0, NULL);
	if (o == NULL) {
		lz_http_reply_error(w->req, 502,
				    "bad answer from the orders service");
		goto out;
	}
	if (code == 200 && w->member) {
		const char *owner = json_string_value(json_object_get(
			json_object_get(o, "order"), "memberId"));
		if (owner == NULL || strcmp(owner, w->member) != 0) {
			json_decref(o);
			lz_http_reply_error(w->req, 404, "unknown order");
			goto out;
		}
	}
	lz_http_reply_json(w->req, code, o);
	json_decref(o);
out:
	gw_http_wait_release(w);
}

static void
ask_orders(struct gw *g, struct gw_wait *w, const char *uri)
{
	struct evhttp_request *oreq;

	if (g->orders_conn == NULL) {
		g->orders_conn = evhttp_connection_base_new(
			lz_loop_base(g->loop), NULL, g->orders_host,
			(unsigned short)g->orders_port);
		evhttp_connection_set_timeout(g->orders_conn, 10);
	}
	oreq = evhttp_request_new(on_orders_reply, w);
	evhttp_add_header(evhttp_request_get_output_headers(oreq), "Host",
			  g->orders_host);
	if (evhttp_make_request(g->orders_conn, oreq, EVHTTP_REQ_GET, uri) !=
	    0) {
		lz_http_reply_error(w->req, 503,
				    "the orders service does not answer");
		gw_http_wait_release(w);
	}
}

static void
on_orders(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(u);
	const char *query = evhttp_uri_get_query(u);
	struct lz_partner *p = authenticate(g, req);
	int operator;
	struct gw_wait *w;
	char uri[1024];

	if (p == NULL) {
		lz_http_reply_error(req, 401,
				    "missing or unknown bearer token");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		lz_http_reply_error(req, 405, "use GET");
		return;
	}
	operator=(p->roles &LZ_ROLE_OPERATOR) != 0;
	w = wait_new(g, req);
	if (strcmp(path, "/v1/orders") != 0 &&
	    strcmp(path, "/v1/orders/") != 0) {
		/* one order: /v1/orders/<member>%2F<ref> or <member>/<ref> */
		if (!operator)
			w->member = xstrdup(p->member);
		snprintf(uri, sizeof(uri), "%s", path);
	} else {
		struct evkeyvalq q;
		const char *keys[] = {"status", "date", "limit"};
		const char *member = p->member;
		size_t o;
		char *enc;

		q.tqh_first = NULL;
		q.tqh_last = &q.tqh_first;
		if (query && evhttp_parse_query_str(query, &q) != 0) {
			lz_http_reply_error(req, 400, "malformed query string");
			gw_http_wait_release(w);
			return;
		}
		if (operator&& evhttp_find_header(&q, "member"))
			member = evhttp_find_header(&q, "member");
		enc = evhttp_encode_uri(member);
		o = (size_t)snprintf(uri, sizeof(uri), "/v1/orders?member=%s",
				     enc);
		free(enc);
		for (size_t i = 0; i < LZ_ARRAY_LEN(keys) && o < sizeof(uri);
		     i++) {
			const char *v = evhttp_find_header(&q, keys[i]);
			if (v == NULL)
				continue;
			enc = evhttp_encode_uri(v);
			o += (size_t)snprintf(uri + o, sizeof(uri) - o,
					      "&%s=%s", keys[i], enc);
			free(enc);
		}
		evhttp_clear_headers(&q);
		if (o >= sizeof(uri)) {
			lz_http_reply_error(req, 413, "query too long");
			gw_http_wait_release(w);
			return;
		}
	}
	ask_orders(g, w, uri);
}

/* ---- Server-Sent Events ---- */

static void
sse_remove(struct gw *g, struct gw_sse *c)
{
	for (struct gw_sse **pp = &g->sse; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	free(c->member);
	free(c);
	lz_metric_add(g->m_sse_clients, -1);
}

static void
on_sse_close(struct evhttp_connection *conn, void *arg)
{
	struct gw_sse *c = arg;

	c->req = NULL; /* the client left: swept by the next write */
}

static void
on_events_stream(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	struct lz_partner *p = authenticate(g, req);
	struct gw_sse *c;

	if (p == NULL) {
		lz_http_reply_error(req, 401,
				    "missing or unknown bearer token");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->req = req;
	c->conn = evhttp_request_get_connection(req);
	c->member = xstrdup(p->member);
	c->all = (p->roles & LZ_ROLE_OPERATOR) != 0;
	c->next = g->sse;
	g->sse = c;
	evhttp_connection_set_closecb(c->conn, on_sse_close, c);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", "text/event-stream");
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "no-cache");
	evhttp_send_reply_start(req, 200, "OK");
	lz_metric_add(g->m_sse_clients, 1);
	lz_log_info("event stream opened", "partner=%s", p->id);
}

static int
sse_congested(struct gw_sse *c)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);

	return evbuffer_get_length(bufferevent_get_output(bev)) >
	       SSE_MAX_BUFFERED;
}

static void
sse_write(struct gw *g, const char *text, size_t len, const char *tenant)
{
	struct gw_sse *c = g->sse, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->req == NULL || sse_congested(c)) {
			/* gone, or too slow to follow: end it */
			if (c->req) {
				evhttp_connection_set_closecb(c->conn, NULL,
							      NULL);
				evhttp_send_reply_end(c->req);
			}
			sse_remove(g, c);
			continue;
		}
		if (tenant && !c->all && strcmp(c->member, tenant) != 0)
			continue;
		struct evbuffer *b = evbuffer_new();
		evbuffer_add(b, text, len);
		evhttp_send_reply_chunk(c->req, b);
		evbuffer_free(b);
	}
}

static void
on_sse_keepalive(void *arg)
{
	sse_write(arg, ": keepalive\n\n", 13, NULL);
}

static void
on_events(void *sock, void *arg)
{
	struct gw *g = arg;

	for (int i = 0; i < EVENTS_BATCH; i++) {
		zmq_msg_t f[2];
		zmq_msg_t *t = &f[0], *b = &f[1];
		Lz__Bus__V1__Envelope *e;
		int nf;

		zmq_msg_init(t);
		zmq_msg_init(b);
		if ((nf = lz_zmq_recv(sock, f, 2)) == 0) {
			zmq_msg_close(t);
			zmq_msg_close(b);
			return;
		}
		e = g->sse && nf == 2
			    ? lz__bus__v1__envelope__unpack(
				      NULL, zmq_msg_size(b), zmq_msg_data(b))
			    : NULL;
		if (e && e->seq > 0) {
			char *json = lz_evjson_dumps(e, NULL);
			char *text = NULL;
			int n = asprintf(&text,
					 "id: %s:%llu\nevent: %s\ndata: %s\n\n",
					 e->source, (unsigned long long)e->seq,
					 e->type, json);
			if (n > 0)
				sse_write(g, text, (size_t)n, e->tenant);
			free(text);
			free(json);
		}
		if (e)
			lz__bus__v1__envelope__free_unpacked(e, NULL);
		zmq_msg_close(t);
		zmq_msg_close(b);
	}
}

int
gw_http_start(struct gw *g, const char *addr, const char *bus_sub,
	      const char *orders_api)
{
	const char *colon = strrchr(orders_api, ':');
	int zero = 0;

	if (colon == NULL || atoi(colon + 1) <= 0) {
		lz_log_error("bad orders-api address", "addr=%s want=host:port",
			     orders_api);
		return -1;
	}
	g->orders_host = xstrndup(orders_api, (size_t)(colon - orders_api));
	g->orders_port = atoi(colon + 1);
	g->api = lz_http_new(g->loop, addr);
	if (g->api == NULL)
		return -1;
	lz_http_route(g->api, "/v1/commands/", on_command, g);
	lz_http_route(g->api, "/v1/orders", on_orders, g);
	lz_http_route(g->api, "/v1/orders/", on_orders, g);
	lz_http_route(g->api, "/v1/events", on_events_stream, g);
	g->events = zmq_socket(lz_loop_zctx(g->loop), ZMQ_SUB);
	zmq_setsockopt(g->events, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(g->events, ZMQ_SUBSCRIBE, "lz.", 3);
	if (zmq_connect(g->events, bus_sub) < 0) {
		lz_log_error("cannot connect", "endpoint=%s error=\"%s\"",
			     bus_sub, zmq_strerror(errno));
		return -1;
	}
	g->events_watch = lz_zwatch_new(g->loop, g->events, on_events, g);
	g->sse_keepalive = lz_timer_new(g->loop, 15000, 1, on_sse_keepalive, g);
	lz_log_info("http api ready", "addr=%s orders_api=%s", addr,
		    orders_api);
	return 0;
}

void
gw_http_stop(struct gw *g)
{
	while (g->sse) {
		struct gw_sse *c = g->sse;
		if (c->req) {
			evhttp_connection_set_closecb(c->conn, NULL, NULL);
			evhttp_send_reply_end(c->req);
		}
		sse_remove(g, c);
	}
	lz_timer_destroy(&g->sse_keepalive);
	lz_zwatch_destroy(&g->events_watch);
	if (g->events)
		zmq_close(g->events);
	g->events = NULL;
	if (g->orders_conn)
		evhttp_connection_free(g->orders_conn);
	g->orders_conn = NULL;
	lz_http_destroy(&g->api);
	free(g->orders_host);
}
