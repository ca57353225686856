/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http_api.c -- the HTTP/JSON door for partners who cannot speak ZeroMQ:
 *
 *   POST /v1/commands/<type>   the command as proto3 JSON; Authorization:
 *                              Bearer <token>, or a user's session cookie
 *                              and X-CSRF-Token; Idempotency-Key: <msg id>
 *   GET  /v1/events            Server-Sent Events: the events of the
 *                              reader's member and those whose audience is
 *                              the reader (all events for operators)
 *
 * and, from the other files, /v1/session (sessions.c), the read endpoints
 * (reads.c) and the web application (web.c).
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

/* An HTTP request waiting for an answer (an Ack after the commit, or a
 * service's reply).  If the client goes away first, GONE is set and the
 * request must not be touched. */
struct gw_wait {
	struct gw *g;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	int gone;
};

struct gw_sse {
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	char *member; /* its member's events ("": none) */
	char *id;     /* and those whose audience is this partner or user */
	int all;
	int gone; /* the client left: REQ is no longer its connection's */
	struct gw_sse *next;
};

static void
on_wait_close(struct evhttp_connection *conn, void *arg)
{
	struct gw_wait *w = arg;

	w->gone = 1;
}

struct gw_wait *
gw_http_wait_new(struct gw *g, struct evhttp_request *req)
{
	struct gw_wait *w = xcalloc(1, sizeof(*w));

	w->g = g;
	w->req = req;
	w->conn = evhttp_request_get_connection(req);
	evhttp_connection_set_closecb(w->conn, on_wait_close, w);
	return w;
}

int
gw_http_wait_gone(const struct gw_wait *w)
{
	return w->gone;
}

struct evhttp_request *
gw_http_wait_req(const struct gw_wait *w)
{
	return w->req;
}

void
gw_http_wait_release(struct gw_wait *w)
{
	if (!w->gone)
		evhttp_connection_set_closecb(w->conn, NULL, NULL);
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
	const char *why;
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
	if ((p = gw_who(g, req, 1, &why)) == NULL) {
		reject_now(
			g, req, NULL, msg_id,
			LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAUTHENTICATED,
			why);
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
	body = json_loadb((const char *)evbuffer_pullup(in, -1), blen,
			  JSON_REJECT_DUPLICATES, &jerr);
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
	r.http = gw_http_wait_new(g, req);
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

/* ---- Server-Sent Events ---- */

/* Ends stream C and forgets it.  A stream whose client left has a request
 * libevent detached from the closed connection and left to us:
 * evhttp_send_reply_end() then frees it. */
static void
sse_remove(struct gw *g, struct gw_sse *c)
{
	if (!c->gone)
		evhttp_connection_set_closecb(c->conn, NULL, NULL);
	evhttp_send_reply_end(c->req);
	for (struct gw_sse **pp = &g->sse; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	free(c->member);
	free(c->id);
	free(c);
	lz_metric_add(g->m_sse_clients, -1);
}

static void
on_sse_close(struct evhttp_connection *conn, void *arg)
{
	struct gw_sse *c = arg;

	c->gone = 1; /* swept by the next write */
	c->conn = NULL;
}

static void
on_events_stream(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	const char *why;
	struct lz_partner *p = gw_who(g, req, 0, &why);
	struct gw_sse *c;

	if (p == NULL) {
		gw_reply_unauthenticated(req, why);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->req = req;
	c->conn = evhttp_request_get_connection(req);
	c->member = xstrdup(p->member);
	c->id = xstrdup(p->id);
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

/* Writes TEXT to every stream that may read an event of TENANT and
 * AUDIENCE (both NULL: to all, a keepalive). */
static void
sse_write(struct gw *g, const char *text, size_t len, const char *tenant,
	  const char *audience)
{
	struct gw_sse *c = g->sse, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->gone || sse_congested(c)) {
			/* gone, or too slow to follow: end it */
			sse_remove(g, c);
			continue;
		}
		if (tenant && !c->all &&
		    !(c->member[0] && strcmp(c->member, tenant) == 0) &&
		    !(audience && audience[0] && strcmp(c->id, audience) == 0))
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
	sse_write(arg, ": keepalive\n\n", 13, NULL, NULL);
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
				sse_write(g, text, (size_t)n, e->tenant,
					  e->audience);
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
gw_http_start(struct gw *g, const char *addr, const char *bus_sub)
{
	int zero = 0;

	g->api = lz_http_new(g->loop, addr);
	if (g->api == NULL)
		return -1;
	lz_http_route(g->api, "/v1/commands/", on_command, g);
	lz_http_route(g->api, "/v1/events", on_events_stream, g);
	gw_sessions_start(g);
	gw_reads_start(g);
	gw_web_start(g); /* last: it answers "/" and every path left */
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
	lz_log_info("http api ready", "addr=%s web_root=%s", addr, g->web_root);
	return 0;
}

void
gw_http_stop(struct gw *g)
{
	while (g->sse)
		sse_remove(g, g->sse);
	lz_timer_destroy(&g->sse_keepalive);
	lz_zwatch_destroy(&g->events_watch);
	if (g->events)
		zmq_close(g->events);
	g->events = NULL;
	gw_reads_stop(g);
	gw_sessions_stop(g);
	lz_http_destroy(&g->api);
}
