/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * gateway.h -- the state of lz-gateway, shared by its parts:
 *   main.c      configuration and startup
 *   submit.c    checking, de-duplicating, committing and acknowledging
 *               commands (one path for both APIs, group-committed)
 *   acks.c      the acknowledgements kept for de-duplication, pruned
 *               after a retention period
 *   zmq_api.c   the ROUTER socket with CURVE and its ZAP handler
 *   http_api.c  the HTTP/JSON commands and the Server-Sent Events stream
 *   sessions.c  the users file, login sessions, who sent a request
 *   reads.c     the read endpoints, answered by the services' read models
 *               with the filters of the reader's role
 *   web.c       the web application's files
 */
#ifndef GW_GATEWAY_H
#define GW_GATEWAY_H

#include "lz/gateway/v1/gateway.pb-c.h"
#include "lz_partners.h"
#include "lz_users.h"

#include <event2/http.h>
#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct lz_loop;
struct lz_store;
struct lz_bus;
struct lz_metrics;
struct lz_metric;
struct lz_zwatch;
struct lz_http;
struct gw;
struct gw_sse;
struct gw_fail;

/* The services whose read models the gateway answers with (reads.c). */
enum gw_upstream {
	GW_UP_ORDERS,
	GW_UP_INVENTORY,
	GW_UP_TOURS,
	GW_UP_BIKES,
	GW_UP_RETURNS,
	GW_UP_IMPACT,
	GW_UP_BUS, /* its admin address: health only */
	GW_UP_N
};

struct gw_up {
	const char *name; /* "orders"... */
	char *host;
	int port;
	struct evhttp_connection *conn;
};

#define GW_FAILS 1024 /* failed-login counters kept (per user, per address) */

/* Where an Ack goes: a ZeroMQ peer or an HTTP request.  SEND is the
 * transport's (zmq_api.c, http_api.c), so that submit.c answers without
 * knowing which; NULL: nobody waits. */
struct gw_reply {
	void (*send)(struct gw *g, const struct gw_reply *r,
		     const Lz__Gateway__V1__Ack *ack);
	uint8_t *zmq_id; /* ROUTER routing id, or NULL */
	size_t zmq_id_len;
	struct gw_wait *http; /* HTTP request still waiting, or NULL */
};

/* A command that passed the checks and waits for the next group commit. */
struct gw_pending {
	char *partner_id;
	char roles
		[128]; /* its roles when checked: the envelope's actor_roles */
	char *member;
	char *msg_id;
	char *type;
	uint8_t *payload;
	size_t len;
	unsigned char hash[32];
	struct gw_reply reply;
	int64_t received_us;
	Lz__Gateway__V1__AckStatus status;
	Lz__Gateway__V1__ErrorCode code;
	char event_id[33];
	uint64_t seq;
};

struct gw {
	struct lz_loop *loop;
	struct lz_store *store;
	struct lz_bus *bus;
	struct lz_metrics *metrics;
	MDB_dbi acks, acks_by_time;
	int64_t ack_retention; /* seconds; 0: kept forever */
	struct lz_timer *prune_timer;

	char *partners_path;
	struct lz_partners *partners;

	/* limits */
	size_t max_frame, max_payload, max_string, max_list;
	double rate, burst;

	/* ZeroMQ API */
	void *router, *zap;
	struct lz_zwatch *router_watch, *zap_watch;

	/* HTTP API */
	struct lz_http *api;
	struct gw_up up[GW_UP_N];

	/* people: users, sessions (sessions.c) */
	char *users_path;
	struct lz_users *users;
	MDB_dbi sessions;
	int64_t session_s;
	int cookie_secure;
	unsigned login_attempts;
	int64_t login_window;
	struct gw_fail *fails;
	const char *tile_url, *tile_attribution;

	/* the web application (web.c) */
	const char *web_root, *leaflet_root;
	char csp[512]; /* its Content-Security-Policy, made at start */

	/* events for the SSE stream */
	void *events;
	struct lz_zwatch *events_watch;
	struct gw_sse *sse;
	struct lz_timer *sse_keepalive;

	/* group commit */
	struct gw_pending *q;
	size_t nq, capq;
	struct event *flush_ev;

	struct lz_metric *m_ack_seconds, *m_sse_clients, *m_partners;
	struct lz_metric *m_users, *m_sessions, *m_logins, *m_logins_failed,
		*m_logins_limited;
};

/* submit.c */
void gw_submit_init(struct gw *g);
/* Checks a command from partner P; on success queues it and returns
 * ERROR_CODE_NONE (the Ack comes after the commit); otherwise returns the
 * error with a message in MSG. */
Lz__Gateway__V1__ErrorCode gw_submit(struct gw *g, struct lz_partner *p,
				     const char *msg_id, const char *type,
				     const uint8_t *payload, size_t len,
				     struct gw_reply *reply, char *msg,
				     size_t msglen);
/* Commits what is queued and sends every Ack. */
void gw_flush(struct gw *g);
/* Schedules gw_flush() at the end of this loop turn. */
void gw_flush_soon(struct gw *g);
/* Counts and logs a refused command (never its payload). */
void gw_count_reject(struct gw *g, const char *partner_id,
		     Lz__Gateway__V1__ErrorCode code, const char *msg);
const char *gw_code_name(Lz__Gateway__V1__ErrorCode code);

/* acks.c */
int gw_acks_open(struct gw *g);
/* Looks the command's partner and message id up: 0 when never answered;
 * 1 when it was, with E's status, code, seq and event id set to the same
 * answer (or a conflict, when the id was used for another command); a
 * negative store error. */
int gw_acks_find(MDB_txn *txn, const struct gw *g, struct gw_pending *e);
/* Records E's answer, committed at NOW (seconds). */
int gw_acks_put(MDB_txn *txn, const struct gw *g, const struct gw_pending *e,
		int64_t now);
/* Deletes the acks older than the retention period and updates the
 * lz_gateway_acks gauge. */
void gw_acks_prune(struct gw *g);

/* zmq_api.c */
int gw_zmq_start(struct gw *g, const char *endpoint, const char *key_file);
void gw_zmq_stop(struct gw *g);

/* http_api.c */
int gw_http_start(struct gw *g, const char *addr, const char *bus_sub);
void gw_http_stop(struct gw *g);
/* An HTTP request waiting for an answer (an Ack after the commit, or a
 * service's reply); released once answered or gone. */
struct gw_wait *gw_http_wait_new(struct gw *g, struct evhttp_request *req);
int gw_http_wait_gone(const struct gw_wait *w);
struct evhttp_request *gw_http_wait_req(const struct gw_wait *w);
void gw_http_wait_release(struct gw_wait *w);

/* sessions.c */
int gw_sessions_open(struct gw *g);
/* (Re)reads the users file; on an error the users loaded before stay and
 * ERR says why. */
int gw_users_load(struct gw *g, char *err, size_t errlen);
void gw_sessions_start(struct gw *g);
void gw_sessions_prune(struct gw *g);
void gw_sessions_stop(struct gw *g);
/* Who sent REQ: the partner of its bearer token, or the user of its
 * session cookie (WRITE: a state-changing request, which must then carry
 * the session's X-CSRF-Token).  NULL with the reason in *WHY. */
struct lz_partner *gw_who(struct gw *g, struct evhttp_request *req, int write,
			  const char **why);
/* Answers 401 with WHY and "WWW-Authenticate: Bearer". */
void gw_reply_unauthenticated(struct evhttp_request *req, const char *why);

/* reads.c */
/* Parses "host:port" for service UP; -1 after logging when malformed. */
int gw_reads_set(struct gw *g, enum gw_upstream up, const char *addr);
void gw_reads_start(struct gw *g);
void gw_reads_stop(struct gw *g);

/* web.c */
void gw_web_start(struct gw *g);

#endif
