/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_client.c -- Submit/Ack over ZeroMQ+CURVE, and a blocking HTTP GET.
 */
#include "lz_client.h"

#include "lz/gateway/v1/gateway.pb-c.h"
#include "lz_json.h"
#include "lz_registry.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

struct lz_client {
	void *ctx;
	void *sock;
	void *monitor; /* PAIR receiving the socket's connection events */
	/* what the connection events told so far */
	int connected, retried, handshaken, auth_failed, auth_status,
		handshake_failed;
};

/* Reads the connection events waiting on the monitor socket: they tell
 * apart a gateway that is not there from one that refuses our key. */
static void
read_events(struct lz_client *c)
{
	for (;;) {
		zmq_msg_t head, addr;
		uint16_t ev;
		uint32_t value;

		zmq_msg_init(&head);
		if (zmq_msg_recv(&head, c->monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&head);
			return;
		}
		/* [event u16, value u32][endpoint] */
		zmq_msg_init(&addr);
		if (zmq_msg_more(&head))
			zmq_msg_recv(&addr, c->monitor, 0);
		if (zmq_msg_size(&head) >= 6) {
			memcpy(&ev, zmq_msg_data(&head), 2);
			memcpy(&value, (char *)zmq_msg_data(&head) + 2, 4);
			if (ev == ZMQ_EVENT_CONNECTED)
				c->connected = 1;
			else if (ev == ZMQ_EVENT_CONNECT_RETRIED)
				c->retried = 1;
			else if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
				c->handshaken = 1;
			else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
				c->auth_failed = 1;
				c->auth_status = (int)value;
			} else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ||
				   ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
				c->handshake_failed = 1;
		}
		zmq_msg_close(&addr);
		zmq_msg_close(&head);
	}
}

struct lz_client *
lz_client_new(const char *endpoint, const char *key_path,
	      const char *server_key, char *err, size_t errlen)
{
	struct lz_client *c;
	char pub[41], sec[41], srv[41], mon[64];
	int zero = 0;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "cannot initialise libsodium");
		return NULL;
	}
	if (lz_zmq_keys_read(key_path, pub, sec) < 0) {
		snprintf(err, errlen,
			 "%s: not a key file (public-key = ..., "
			 "secret-key = ...)",
			 key_path);
		return NULL;
	}
	if (strlen(server_key) == 40) {
		memcpy(srv, server_key, 41);
	} else if (lz_zmq_keys_read(server_key, srv, NULL) < 0) {
		snprintf(err, errlen, "%s: not a key file nor a Z85 key",
			 server_key);
		sodium_memzero(sec, sizeof(sec));
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->ctx = zmq_ctx_new();
	c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, srv, 40);
	zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, pub, 40);
	zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, sec, 40);
	sodium_memzero(sec, sizeof(sec));
	/* The monitor is connected before the socket, so that no event of
	 * the connection is lost. */
	snprintf(mon, sizeof(mon), "inproc://lz-client-monitor-%p", (void *)c);
	if (zmq_socket_monitor(c->sock, mon,
			       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED |
				       ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
				       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
				       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
				       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) ==
	    0) {
		c->monitor = zmq_socket(c->ctx, ZMQ_PAIR);
		zmq_setsockopt(c->monitor, ZMQ_LINGER, &zero, sizeof(zero));
		if (zmq_connect(c->monitor, mon) != 0) {
			zmq_close(c->monitor);
			c->monitor = NULL;
		}
	}
	if (zmq_connect(c->sock, endpoint) != 0) {
		snprintf(err, errlen, "%s: %s", endpoint,
			 zmq_strerror(zmq_errno()));
		lz_client_destroy(&c);
		return NULL;
	}
	return c;
}

void
lz_client_destroy(struct lz_client **cp)
{
	struct lz_client *c = *cp;

	if (c == NULL)
		return;
	if (c->monitor) {
		zmq_socket_monitor(c->sock, NULL, 0);
		zmq_close(c->monitor);
	}
	zmq_close(c->sock);
	zmq_ctx_term(c->ctx);
	free(c);
	*cp = NULL;
}

/* Waits up to TIMEOUT_MS for the Ack of ID; skips Acks of other ids (late
 * answers to earlier commands).  Returns 0, -ETIMEDOUT or -EPROTO. */
static int
wait_ack(struct lz_client *c, const char *id, int timeout_ms,
	 struct lz_client_ack *out)
{
	int64_t end = lz_mono_us() + (int64_t)timeout_ms * 1000;
	Lz__Gateway__V1__Ack *ack;
	zmq_pollitem_t it[2] = {{c->sock, 0, ZMQ_POLLIN, 0},
				{c->monitor, 0, ZMQ_POLLIN, 0}};
	zmq_msg_t m;
	long left;

	for (;;) {
		left = (long)((end - lz_mono_us()) / 1000);
		if (left <= 0 || zmq_poll(it, c->monitor ? 2 : 1, left) <= 0)
			break;
		if (it[1].revents & ZMQ_POLLIN)
			read_events(c);
		if (!(it[0].revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			continue;
		}
		ack = lz__gateway__v1__ack__unpack(NULL, zmq_msg_size(&m),
						   zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (ack == NULL)
			return -EPROTO;
		/* An empty id answers a Submit the gateway could not read:
		 * with one command in flight, ours. */
		if (ack->client_msg_id[0] &&
		    strcmp(ack->client_msg_id, id) != 0) {
			lz__gateway__v1__ack__free_unpacked(ack, NULL);
			continue;
		}
		out->status = (int)ack->status;
		out->error_code = (int)ack->error_code;
		snprintf(out->message, sizeof(out->message), "%s",
			 ack->message);
		snprintf(out->event_id, sizeof(out->event_id), "%s",
			 ack->event_id);
		out->seq = ack->seq;
		out->json = lz_json_from_message(&ack->base);
		lz__gateway__v1__ack__free_unpacked(ack, NULL);
		return 0;
	}
	if (c->monitor)
		read_events(c);
	return -ETIMEDOUT;
}

int
lz_client_submit(struct lz_client *c, const char *type, const uint8_t *payload,
		 size_t len, const char *msg_id, int timeout_ms, int retries,
		 struct lz_client_ack *ack)
{
	Lz__Gateway__V1__Submit s = LZ__GATEWAY__V1__SUBMIT__INIT;
	char idbuf[33];
	uint8_t *frame;
	size_t flen;
	int rc = -ETIMEDOUT;

	memset(ack, 0, sizeof(*ack));
	/* The id itself is the gateway's to judge (BAD_MSG_ID). */
	if (lz_registry_find(type) == NULL)
		return -EINVAL;
	if (msg_id == NULL) {
		unsigned char raw[16];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(idbuf, sizeof(idbuf), raw, sizeof(raw));
		msg_id = idbuf;
	}
	s.client_msg_id = (char *)msg_id;
	s.type = (char *)type;
	s.payload.data = (uint8_t *)payload;
	s.payload.len = len;
	flen = lz__gateway__v1__submit__get_packed_size(&s);
	frame = xmalloc(flen);
	lz__gateway__v1__submit__pack(&s, frame);
	for (int i = 0; i <= retries && rc == -ETIMEDOUT; i++) {
		if (zmq_send(c->sock, frame, flen, ZMQ_DONTWAIT) < 0 &&
		    zmq_errno() != EAGAIN) {
			rc = -EPROTO;
			break;
		}
		rc = wait_ack(c, msg_id, timeout_ms, ack);
	}
	free(frame);
	return rc;
}

int
lz_client_submit_json(struct lz_client *c, const char *type, const char *json,
		      const char *msg_id, int timeout_ms, int retries,
		      struct lz_client_ack *ack, char *err, size_t errlen)
{
	const ProtobufCMessageDescriptor *d = lz_registry_find(type);
	json_error_t jerr;
	uint8_t *payload = NULL;
	size_t len = 0;
	json_t *j;
	int rc;

	memset(ack, 0, sizeof(*ack));
	if (d == NULL) {
		snprintf(err, errlen, "unknown type %s", type);
		return -EINVAL;
	}
	if ((j = json_loads(json, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errlen, "line %d: %s", jerr.line, jerr.text);
		return -EBADMSG;
	}
	rc = lz_json_decode_bytes(d, j, &payload, &len, err, errlen);
	json_decref(j);
	if (rc != 0)
		return -EBADMSG;
	rc = lz_client_submit(c, type, payload, len, msg_id, timeout_ms,
			      retries, ack);
	free(payload);
	return rc;
}

enum lz_client_cause
lz_client_explain(const struct lz_client *c, char *why, size_t len)
{
	if (c->auth_failed) {
		snprintf(why, len,
			 "the gateway refused this partner's key (CURVE "
			 "handshake, status %d): its public key is not in the "
			 "gateway's partners file, or the file was changed "
			 "without a reload (SIGHUP)",
			 c->auth_status);
		return LZ_CLIENT_KEY_REFUSED;
	}
	if (c->handshaken) {
		snprintf(why, len, "%s",
			 "the gateway accepted the connection and the key but "
			 "sent no Ack");
		return LZ_CLIENT_NO_ACK;
	}
	if (c->handshake_failed) {
		snprintf(why, len, "%s",
			 "the CURVE handshake failed: the server key given is "
			 "not this gateway's, or this is not the gateway's "
			 "ZeroMQ endpoint");
		return LZ_CLIENT_HANDSHAKE_FAILED;
	}
	if (c->connected) {
		snprintf(why, len, "%s",
			 "something listens there but never completed a "
			 "ZeroMQ handshake: not the gateway's ZeroMQ endpoint "
			 "(its HTTP port?)");
		return LZ_CLIENT_NO_HANDSHAKE;
	}
	if (c->retried) {
		snprintf(why, len, "%s",
			 "nothing is listening there (connection refused): is "
			 "lz-gateway running, and is this its ZeroMQ "
			 "endpoint?");
		return LZ_CLIENT_NOT_LISTENING;
	}
	snprintf(why, len, "%s",
		 "no connection was made: either nothing is listening there, "
		 "or the key was refused by CURVE (which answers nothing)");
	return LZ_CLIENT_UNKNOWN;
}

static int
connect_addr(const char *addr)
{
	char host[64];
	const char *colon = strrchr(addr, ':');
	struct sockaddr_in sa;
	int fd;

	if (colon == NULL || (size_t)(colon - addr) >= sizeof(host))
		return -1;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, strcmp(host, "0.0.0.0") ? host : "127.0.0.1",
		      &sa.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
lz_client_http_get(const char *addr, const char *path, int timeout_ms,
		   char **body)
{
	size_t got = 0, cap = 8192;
	struct pollfd pfd;
	char req[1200], *buf, *b;
	int fd, code = 0;
	ssize_t n;

	if (body)
		*body = NULL;
	if ((fd = connect_addr(addr)) < 0)
		return 0;
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
		 path, addr);
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return 0;
	}
	buf = xmalloc(cap);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, timeout_ms) > 0 &&
	       (n = read(fd, buf + got, cap - 1 - got)) > 0) {
		got += (size_t)n;
		if (got + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	close(fd);
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
		code = 0;
	if (code && body) {
		b = strstr(buf, "\r\n\r\n");
		*body = xstrdup(b ? b + 4 : "");
	}
	free(buf);
	return code;
}

json_t *
lz_client_get_json(const char *addr, const char *path, int timeout_ms,
		   char *err, size_t errlen)
{
	char *body = NULL;
	json_error_t jerr;
	json_t *j = NULL;
	int code = lz_client_http_get(addr, path, timeout_ms, &body);

	if (code != 200)
		snprintf(err, errlen, "GET %s%s: %s%d", addr, path,
			 code ? "HTTP " : "no answer ", code);
	else if ((j = json_loads(body, 0, &jerr)) == NULL)
		snprintf(err, errlen, "GET %s%s: %s", addr, path, jerr.text);
	free(body);
	return j;
}

int
lz_client_metric_find(const char *addr, const char *name, int timeout_ms,
		      long long *value)
{
	char *body = NULL, *p;
	size_t n = strlen(name);
	int found = 0;

	*value = 0;
	if (lz_client_http_get(addr, "/metrics", timeout_ms, &body) != 200) {
		free(body);
		return -1;
	}
	for (p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			*value = strtoll(p + n + 1, NULL, 10);
			found = 1;
			break;
		}
	free(body);
	return found;
}

long long
lz_client_metric(const char *addr, const char *name, int timeout_ms)
{
	long long v;

	return lz_client_metric_find(addr, name, timeout_ms, &v) < 0 ? -1 : v;
}
