/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_http.c -- see lz_http.h.
 */
#include "lz_http.h"

#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_util.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct route {
	char *path;
	lz_http_fn fn;
	void *arg;
	struct route *next;
};

struct lz_http {
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct route *routes;
	struct lz_metrics *metrics;
	lz_ready_fn ready;
	void *ready_arg;
};

static const char *
reason_phrase(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 429:
		return "Too Many Requests";
	case 503:
		return "Service Unavailable";
	default:
		return code < 400 ? "OK" : "Error";
	}
}

void
lz_http_reply(struct evhttp_request *req, int code, const char *content_type,
	      const char *body, size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	evbuffer_add(buf, body, len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", content_type);
	evhttp_send_reply(req, code, reason_phrase(code), buf);
	evbuffer_free(buf);
}

void
lz_http_reply_json(struct evhttp_request *req, int code, const json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	if (s == NULL) {
		static const char msg[] = "{\"error\":\"cannot encode\"}";
		lz_http_reply(req, 500, "application/json", msg,
			      sizeof(msg) - 1);
		return;
	}
	lz_http_reply(req, code, "application/json", s, strlen(s));
	free(s);
}

void
lz_http_reply_error(struct evhttp_request *req, int code, const char *msg)
{
	json_t *j = json_pack("{s:s}", "error", msg);

	lz_http_reply_json(req, code, j);
	json_decref(j);
}

void
lz_http_reply_json_new(struct evhttp_request *req, json_t *body)
{
	if (body == NULL) {
		lz_http_reply_error(req, 500,
				    "stored record cannot be shown as JSON");
		return;
	}
	lz_http_reply_json(req, 200, body);
	json_decref(body);
}

int
lz_http_only_get(struct evhttp_request *req)
{
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET)
		return 1;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  "GET");
	lz_http_reply_error(req, 405, "method not allowed: use GET");
	return 0;
}

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct lz_http *h = arg;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	if (path == NULL)
		path = "/";
	for (struct route *r = h->routes; r; r = r->next) {
		size_t n = strlen(r->path);
		int match = r->path[n - 1] == '/'
				    ? strncmp(path, r->path, n) == 0
				    : strcmp(path, r->path) == 0;
		if (match) {
			r->fn(req, r->arg);
			return;
		}
	}
	lz_http_reply_error(req, 404, "not found");
}

struct lz_http *
lz_http_new(struct lz_loop *l, const char *addr)
{
	struct lz_http *h;
	char host[256];
	const char *colon = strrchr(addr, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - addr) >= sizeof(host)) {
		lz_log_error("bad http address", "addr=%s want=host:port",
			     addr);
		return NULL;
	}
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port < 0 || port > 65535) {
		lz_log_error("bad http port", "addr=%s", addr);
		return NULL;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	h = xcalloc(1, sizeof(*h));
	h->http = evhttp_new(lz_loop_base(l));
	evhttp_set_max_body_size(h->http, 1 << 20);
	evhttp_set_max_headers_size(h->http, 16 << 10);
	evhttp_set_timeout(h->http, 30);
	evhttp_set_gencb(h->http, dispatch, h);
	h->sock = evhttp_bind_socket_with_handle(h->http, host,
						 (unsigned short)port);
	if (h->sock == NULL) {
		lz_log_error("cannot bind http", "addr=%s", addr);
		evhttp_free(h->http);
		free(h);
		return NULL;
	}
	return h;
}

void
lz_http_destroy(struct lz_http **hp)
{
	struct lz_http *h = *hp;

	if (h == NULL)
		return;
	evhttp_free(h->http);
	while (h->routes) {
		struct route *next = h->routes->next;
		free(h->routes->path);
		free(h->routes);
		h->routes = next;
	}
	free(h);
	*hp = NULL;
}

int
lz_http_port(const struct lz_http *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = evhttp_bound_socket_get_fd(h->sock);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

void
lz_http_route(struct lz_http *h, const char *path, lz_http_fn fn, void *arg)
{
	struct route *r;
	struct route **tail = &h->routes;

	if (path[0] != '/')
		lz_fatal("http route must start with /", "path=%s", path);
	r = xcalloc(1, sizeof(*r));

	r->path = xstrdup(path);
	r->fn = fn;
	r->arg = arg;
	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
}

static void
on_metrics(struct evhttp_request *req, void *arg)
{
	struct lz_http *h = arg;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	lz_metrics_render(h->metrics, f);
	fclose(f);
	lz_http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8",
		      text, len);
	free(text);
}

static void
on_healthz(struct evhttp_request *req, void *arg)
{
	lz_http_reply(req, 200, "text/plain", "ok\n", 3);
}

static void
on_readyz(struct evhttp_request *req, void *arg)
{
	struct lz_http *h = arg;
	char why[256] = "";
	char body[300];
	int n;

	if (h->ready == NULL || h->ready(h->ready_arg, why, sizeof(why))) {
		lz_http_reply(req, 200, "text/plain", "ready\n", 6);
		return;
	}
	n = snprintf(body, sizeof(body), "not ready: %s\n", why);
	lz_http_reply(req, 503, "text/plain", body,
		      (size_t)n < sizeof(body) ? (size_t)n : sizeof(body) - 1);
}

void
lz_http_admin(struct lz_http *h, struct lz_metrics *m, lz_ready_fn ready,
	      void *arg)
{
	h->metrics = m;
	h->ready = ready;
	h->ready_arg = arg;
	lz_http_route(h, "/metrics", on_metrics, h);
	lz_http_route(h, "/healthz", on_healthz, h);
	lz_http_route(h, "/readyz", on_readyz, h);
}

int
lz_http_params(struct evhttp_request *req, struct evkeyvalq *q,
	       const char *const *names, const char **out, size_t n)
{
	const char *uq =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	char msg[200];
	size_t o;

	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	if (evhttp_parse_query_str(uq ? uq : "", q) != 0) {
		lz_http_reply_error(req, 400, "malformed query string");
		return -1;
	}
	for (struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
		size_t i = 0;
		while (i < n && strcmp(kv->key, names[i]) != 0)
			i++;
		if (i < n && out[i] == NULL) {
			out[i] = kv->value;
			continue;
		}
		o = (size_t)snprintf(msg, sizeof(msg), "%s parameter%s",
				     i < n ? "repeated" : "unknown",
				     n ? ": use" : "s: none taken");
		for (size_t j = 0; j < n && o < sizeof(msg); j++)
			o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%s",
					      j ? ", " : " ", names[j]);
		lz_http_reply_error(req, 400, msg);
		return -1;
	}
	return 0;
}
