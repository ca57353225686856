/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_http.h -- a small HTTP server on libevent's evhttp, used for the admin
 * endpoints of every daemon (/metrics, /healthz, /readyz) and for services'
 * read models.
 */
#ifndef LZ_HTTP_H
#define LZ_HTTP_H

#include <event2/http.h>
#include <jansson.h>
#include <stddef.h>

struct lz_loop;
struct lz_metrics;
struct lz_http;

typedef void (*lz_http_fn)(struct evhttp_request *req, void *arg);

/* Answers whether the daemon is ready; when not, writes a reason. */
typedef int (*lz_ready_fn)(void *arg, char *why, size_t whylen);

/* Listens on ADDR ("host:port"; port 0 picks a free one).  Returns NULL
 * after logging when ADDR is malformed or cannot be bound.  Caller owns. */
struct lz_http *lz_http_new(struct lz_loop *l, const char *addr);
void lz_http_destroy(struct lz_http **hp);

/* The port actually bound (useful after port 0). */
int lz_http_port(const struct lz_http *h);

/* Routes PATH to FN.  A PATH ending in '/' matches every path under it. */
void lz_http_route(struct lz_http *h, const char *path, lz_http_fn fn,
		   void *arg);

/* Serves /metrics from M, /healthz (200 while the loop runs) and /readyz
 * (200, or 503 with READY's reason). */
void lz_http_admin(struct lz_http *h, struct lz_metrics *m, lz_ready_fn ready,
		   void *arg);

/* Sends a complete reply. */
void lz_http_reply(struct evhttp_request *req, int code,
		   const char *content_type, const char *body, size_t len);

/* Sends BODY as compact JSON (500 if it cannot be encoded); BODY stays the
 * caller's. */
void lz_http_reply_json(struct evhttp_request *req, int code,
			const json_t *body);
/* Sends {"error": MSG}.  MSG must be UTF-8: never echo unchecked input. */
void lz_http_reply_error(struct evhttp_request *req, int code, const char *msg);

/* Sends BODY as a 200 JSON answer and releases it (a read model built for
 * this answer); a NULL BODY -- a record that could not be shown as JSON --
 * is a 500. */
void lz_http_reply_json_new(struct evhttp_request *req, json_t *body);

/* Whether REQ is a GET; otherwise answers 405 with "Allow: GET" and
 * returns 0. */
int lz_http_only_get(struct evhttp_request *req);

/* Parses REQ's query into Q (the caller clears it with
 * evhttp_clear_headers) and sets OUT[i] to the value of parameter
 * NAMES[i] (NULL when absent), for the N names.  Returns 0, or -1 after
 * answering 400 for a malformed query, an unknown parameter or one given
 * twice. */
int lz_http_params(struct evhttp_request *req, struct evkeyvalq *q,
		   const char *const *names, const char **out, size_t n);

#endif
