/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sessions.c -- the people behind the web application: the users file
 * (lz_users.h), login sessions, and who sent an HTTP request.
 *
 *   POST   /v1/session   {"user": NAME, "password": P}: a new session
 *   GET    /v1/session   the session of the request's cookie
 *   DELETE /v1/session   logout (X-CSRF-Token)
 *
 * A session is a random token in an HttpOnly, SameSite=Strict cookie
 * (Secure with --cookie-secure), valid --session-s seconds from login.
 * The store keeps only the token's SHA-256, so a copy of the state gives
 * nobody a session.  Each session has a CSRF token that every
 * state-changing request made with the cookie must send as X-CSRF-Token.
 * Every login makes a new token (a token planted before login is never
 * promoted).  Failed logins are limited per user name (--login-attempts
 * within --login-window-s) and per address (four times as many: a hub's
 * desks share one), then 429 with Retry-After.
 *
 * Database:
 *   sessions   sha256(token) (32) -> be64 expires | be64 created |
 *                                    csrf (43) NUL | user name NUL
 */
#include "gateway.h"

#include "lz_http.h"
#include "lz_json.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_users.h"
#include "lz_util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_LEN 43 /* 32 random bytes, base64url without padding */
#define COOKIE "lz_session"
#define LOGIN_BODY_MAX 4096
#define SESSION_MIN (16 + TOKEN_LEN + 1 + 2)

struct gw_fail {
	char key[80]; /* "u:" name or "a:" address */
	unsigned n;
	int64_t since; /* seconds */
};

int
gw_sessions_open(struct gw *g)
{
	return lz_store_db(g->store, "sessions", 0, &g->sessions);
}

static void
random_token(char out[TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- the users file ---- */

int
gw_users_load(struct gw *g, char *err, size_t errlen)
{
	struct lz_users *nu;

	if (lz_users_load(g->users_path, 1, &nu, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < nu->n; i++) {
		struct lz_user *old = lz_users_by_name(g->users, nu->v[i].p.id);
		if (lz_partners_by_id(g->partners, nu->v[i].p.id)) {
			snprintf(err, errlen,
				 "%s: user %s is also a partner (users and "
				 "partners share names)",
				 g->users_path, nu->v[i].p.id);
			lz_users_destroy(&nu);
			return -1;
		}
		if (old) { /* keep the rate-limit bucket */
			nu->v[i].p.tokens = old->p.tokens;
			nu->v[i].p.refill_us = old->p.refill_us;
		}
	}
	lz_users_destroy(&g->users);
	g->users = nu;
	lz_metric_set(g->m_users, (double)nu->n);
	return 0;
}

/* ---- failed logins ---- */

static struct gw_fail *
fail_slot(struct gw *g, const char *key, int64_t now, int create)
{
	struct gw_fail *oldest = NULL;

	for (size_t i = 0; i < GW_FAILS; i++) {
		struct gw_fail *f = &g->fails[i];
		if (f->n && now - f->since >= g->login_window)
			f->n = 0; /* its window is over */
		if (f->n && strcmp(f->key, key) == 0)
			return f;
		if (oldest == NULL || f->n == 0 ||
		    (oldest->n && f->since < oldest->since))
			oldest = f;
	}
	if (!create)
		return NULL;
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->n = 0;
	oldest->since = now;
	return oldest;
}

/* Seconds until KEY may try again, or 0 when it may now. */
static int64_t
fail_wait(struct gw *g, const char *key, int64_t now)
{
	struct gw_fail *f = fail_slot(g, key, now, 0);
	unsigned limit = g->login_attempts * (key[0] == 'a' ? 4 : 1);

	if (f == NULL || f->n < limit)
		return 0;
	return f->since + g->login_window - now;
}

static void
fail_count(struct gw *g, const char *key, int64_t now)
{
	fail_slot(g, key, now, 1)->n++;
}

/* ---- session records ---- */

struct session {
	int64_t expires, created;
	char csrf[TOKEN_LEN + 1];
	char user[65];
};

struct session_op {
	struct gw *g;
	unsigned char key[32];
	struct session s;
	int found;
};

static void
token_key(const char *token, unsigned char key[32])
{
	crypto_hash_sha256(key, (const unsigned char *)token, strlen(token));
}

static int
put_session(MDB_txn *txn, void *arg)
{
	struct session_op *op = arg;
	unsigned char buf[16 + sizeof(op->s.csrf) + sizeof(op->s.user)];
	size_t ul = strlen(op->s.user);
	MDB_val k = {32, op->key}, v = {16 + TOKEN_LEN + 1 + ul + 1, buf};

	lz_be64_put(buf, (uint64_t)op->s.expires);
	lz_be64_put(buf + 8, (uint64_t)op->s.created);
	memcpy(buf + 16, op->s.csrf, TOKEN_LEN + 1);
	memcpy(buf + 16 + TOKEN_LEN + 1, op->s.user, ul + 1);
	return lz_store_rc(mdb_put(txn, op->g->sessions, &k, &v, 0));
}

static int
get_session(MDB_txn *txn, void *arg)
{
	struct session_op *op = arg;
	MDB_val k = {32, op->key}, v;
	const unsigned char *d;
	int rc = mdb_get(txn, op->g->sessions, &k, &v);

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	d = v.mv_data;
	if (v.mv_size < SESSION_MIN || v.mv_size > 16 + TOKEN_LEN + 1 + 65 ||
	    d[16 + TOKEN_LEN] != '\0' || d[v.mv_size - 1] != '\0')
		return 0; /* not a record this code wrote: no session */
	op->s.expires = (int64_t)lz_be64_get(d);
	op->s.created = (int64_t)lz_be64_get(d + 8);
	memcpy(op->s.csrf, d + 16, TOKEN_LEN + 1);
	memcpy(op->s.user, d + 16 + TOKEN_LEN + 1,
	       v.mv_size - 16 - TOKEN_LEN - 1);
	op->found = 1;
	return 0;
}

static int
del_session(MDB_txn *txn, void *arg)
{
	struct session_op *op = arg;
	MDB_val k = {32, op->key};
	int rc = mdb_del(txn, op->g->sessions, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static int
prune_sessions(MDB_txn *txn, void *arg)
{
	struct gw *g = arg;
	int64_t now = lz_now_us() / 1000000;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, g->sessions, &cur);
	size_t left = 0;

	if (rc != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (v.mv_size < 8 || (int64_t)lz_be64_get(v.mv_data) <= now) {
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
		} else {
			left++;
		}
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return lz_store_rc(rc);
	lz_metric_set(g->m_sessions, (double)left);
	return 0;
}

void
gw_sessions_prune(struct gw *g)
{
	int rc = lz_store_write(g->store, prune_sessions, NULL, g);

	if (rc != 0)
		lz_log_error("cannot prune sessions", "error=\"%s\"",
			     lz_store_strerror(rc));
}

/* ---- who sent a request ---- */

/* The value of cookie NAME in REQ's Cookie headers into OUT, or 0. */
static int
cookie_value(struct evhttp_request *req, const char *name, char *out,
	     size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	size_t nl = strlen(name);

	for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next) {
		if (evutil_ascii_strcasecmp(kv->key, "Cookie") != 0)
			continue;
		for (const char *p = kv->value; *p;) {
			p += strspn(p, " ;");
			size_t n = strcspn(p, ";");
			if (n > nl && strncmp(p, name, nl) == 0 &&
			    p[nl] == '=' && n - nl - 1 < len) {
				memcpy(out, p + nl + 1, n - nl - 1);
				out[n - nl - 1] = '\0';
				return 1;
			}
			p += n;
		}
	}
	return 0;
}

/* The session of REQ's cookie into OP (OP->found), or 0 when none. */
static int
request_session(struct gw *g, struct evhttp_request *req, struct session_op *op)
{
	char token[TOKEN_LEN + 2];

	memset(op, 0, sizeof(*op));
	op->g = g;
	if (!cookie_value(req, COOKIE, token, sizeof(token)) ||
	    strlen(token) != TOKEN_LEN)
		return 0;
	token_key(token, op->key);
	sodium_memzero(token, sizeof(token));
	if (lz_store_read(g->store, get_session, op) != 0 || !op->found)
		return 0;
	if (op->s.expires <= lz_now_us() / 1000000) {
		op->found = 0;
		return 0;
	}
	return 1;
}

/* Whether REQ carries session S's CSRF token. */
static int
csrf_ok(struct evhttp_request *req, const struct session *s)
{
	const char *csrf = evhttp_find_header(
		evhttp_request_get_input_headers(req), "X-CSRF-Token");

	return csrf != NULL && strlen(csrf) == TOKEN_LEN &&
	       sodium_memcmp(csrf, s->csrf, TOKEN_LEN) == 0;
}

/* The user of REQ's session, whose record goes into OP; or NULL with the
 * reason in *WHY. */
static struct lz_user *
session_user(struct gw *g, struct evhttp_request *req, struct session_op *op,
	     const char **why)
{
	struct lz_user *u;

	if (!request_session(g, req, op)) {
		*why = "not logged in (no session, or it expired)";
		return NULL;
	}
	if ((u = lz_users_by_name(g->users, op->s.user)) == NULL)
		*why = "this session's user is no longer in the users file";
	return u;
}

struct lz_partner *
gw_who(struct gw *g, struct evhttp_request *req, int write, const char **why)
{
	const char *auth = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Authorization");
	struct session_op op;
	struct lz_user *u;

	if (auth) {
		struct lz_partner *p =
			strncmp(auth, "Bearer ", 7) == 0 && auth[7]
				? lz_partners_by_token(g->partners, auth + 7)
				: NULL;
		*why = "unknown bearer token";
		return p;
	}
	if ((u = session_user(g, req, &op, why)) == NULL)
		return NULL;
	if (write && !csrf_ok(req, &op.s)) {
		*why = "missing or wrong X-CSRF-Token";
		return NULL;
	}
	return &u->p;
}

void
gw_reply_unauthenticated(struct evhttp_request *req, const char *why)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "WWW-Authenticate", "Bearer realm=\"livrazou\"");
	lz_http_reply_error(req, 401, why);
}

/* ---- the /v1/session endpoint ---- */

static void
reply_session(struct gw *g, struct evhttp_request *req, int code,
	      const struct lz_user *u, const struct session *s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s}}", "user",
			      u->p.id, "role", u->role, "member", u->p.member,
			      "csrf", s->csrf, "expiresAt",
			      (json_int_t)s->expires, "tiles", "url",
			      g->tile_url, "attribution", g->tile_attribution);

	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "no-store");
	lz_http_reply_json(req, code, o);
	json_decref(o);
}

static void
set_cookie(struct gw *g, struct evhttp_request *req, const char *token,
	   int64_t max_age)
{
	char c[256];

	snprintf(c, sizeof(c),
		 COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; "
			"SameSite=Strict%s",
		 token, (long long)max_age, g->cookie_secure ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie",
			  c);
}

static void
peer_address(struct evhttp_request *req, char *out, size_t len)
{
	const char *addr = NULL;
	ev_uint16_t port;

	evhttp_connection_get_peer(evhttp_request_get_connection(req),
				   (char **)&addr, &port);
	snprintf(out, len, "a:%s", addr ? addr : "?");
}

static void
too_many(struct evhttp_request *req, int64_t wait)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)(wait > 0 ? wait : 1));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After",
			  s);
	lz_http_reply_error(req, 429,
			    "too many failed logins: try again later");
}

static void
login(struct gw *g, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in);
	int64_t now = lz_now_us() / 1000000, wait;
	const char *name, *password;
	char ukey[80], akey[80], token[TOKEN_LEN + 1];
	struct session_op op;
	struct lz_user *u;
	json_t *body;
	int ok, rc;

	if (blen > LOGIN_BODY_MAX) {
		lz_http_reply_error(req, 413, "login body over 4096 bytes");
		return;
	}
	body = json_loadb((const char *)evbuffer_pullup(in, -1), blen,
			  JSON_REJECT_DUPLICATES, NULL);
	name = json_string_value(json_object_get(body, "user"));
	password = json_string_value(json_object_get(body, "password"));
	if (!json_is_object(body) || name == NULL || password == NULL ||
	    !lz_valid_id(name)) {
		json_decref(body);
		lz_http_reply_error(req, 400,
				    "want {\"user\": NAME, \"password\": "
				    "PASSWORD}");
		return;
	}
	/* NAME lives in BODY: from here on, the copy in UKEY (after "u:"). */
	snprintf(ukey, sizeof(ukey), "u:%s", name);
	peer_address(req, akey, sizeof(akey));
	if ((wait = fail_wait(g, ukey, now)) > 0 ||
	    (wait = fail_wait(g, akey, now)) > 0) {
		json_decref(body);
		lz_metric_add(g->m_logins_limited, 1);
		lz_log_warn("login refused", "user=%s peer=%s reason=rate",
			    ukey + 2, akey + 2);
		too_many(req, wait);
		return;
	}
	u = lz_users_by_name(g->users, name);
	ok = lz_user_verify(u, password);
	json_decref(body);
	if (!ok) {
		fail_count(g, ukey, now);
		fail_count(g, akey, now);
		lz_metric_add(g->m_logins_failed, 1);
		lz_log_warn("login refused", "user=%s peer=%s reason=password",
			    ukey + 2, akey + 2);
		lz_http_reply_error(req, 401, "wrong user name or password");
		return;
	}
	/* A new token whatever the request brought: no fixation. */
	if (request_session(g, req, &op))
		(void)lz_store_write(g->store, del_session, NULL, &op);
	memset(&op, 0, sizeof(op));
	op.g = g;
	random_token(token);
	token_key(token, op.key);
	random_token(op.s.csrf);
	op.s.created = now;
	op.s.expires = now + g->session_s;
	snprintf(op.s.user, sizeof(op.s.user), "%s", u->p.id);
	if ((rc = lz_store_write(g->store, put_session, NULL, &op)) != 0) {
		lz_log_error("cannot store a session", "error=\"%s\"",
			     lz_store_strerror(rc));
		lz_http_reply_error(req, 503, "cannot open a session now");
		return;
	}
	fail_slot(g, ukey, now, 1)->n = 0;
	lz_metric_add(g->m_logins, 1);
	lz_metric_add(g->m_sessions, 1);
	lz_log_info("login", "user=%s role=%s peer=%s", u->p.id, u->role,
		    akey + 2);
	set_cookie(g, req, token, g->session_s);
	sodium_memzero(token, sizeof(token));
	reply_session(g, req, 200, u, &op.s);
}

static void
on_session(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	const char *why = NULL;
	struct session_op op;
	struct lz_user *u;

	if (m == EVHTTP_REQ_POST) {
		login(g, req);
		return;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_DELETE) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", "GET, POST, DELETE");
		lz_http_reply_error(req, 405, "use GET, POST or DELETE");
		return;
	}
	if ((u = session_user(g, req, &op, &why)) == NULL) {
		gw_reply_unauthenticated(req, why);
		return;
	}
	if (m == EVHTTP_REQ_GET) {
		reply_session(g, req, 200, u, &op.s);
		return;
	}
	if (!csrf_ok(req, &op.s)) {
		lz_http_reply_error(req, 403, "missing or wrong X-CSRF-Token");
		return;
	}
	if (lz_store_write(g->store, del_session, NULL, &op) != 0) {
		lz_http_reply_error(req, 503, "cannot close the session now");
		return;
	}
	lz_metric_add(g->m_sessions, -1);
	lz_log_info("logout", "user=%s", u->p.id);
	set_cookie(g, req, "", 0);
	evhttp_send_reply(req, 204, "No Content", NULL);
}

void
gw_sessions_start(struct gw *g)
{
	g->m_logins = lz_metrics_counter(g->metrics, "lz_gateway_logins_total",
					 "Successful logins", NULL, NULL);
	g->m_logins_failed = lz_metrics_counter(
		g->metrics, "lz_gateway_logins_failed_total",
		"Logins refused: wrong user name or password", NULL, NULL);
	g->m_logins_limited = lz_metrics_counter(
		g->metrics, "lz_gateway_logins_limited_total",
		"Logins refused: too many failures for the user or address",
		NULL, NULL);
	g->m_sessions = lz_metrics_gauge(g->metrics, "lz_gateway_sessions",
					 "Open sessions (pruned when expired)",
					 NULL, NULL);
	g->fails = xcalloc(GW_FAILS, sizeof(*g->fails));
	lz_http_route(g->api, "/v1/session", on_session, g);
	gw_sessions_prune(g);
}

void
gw_sessions_stop(struct gw *g)
{
	free(g->fails);
	g->fails = NULL;
	lz_users_destroy(&g->users);
}
