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
};

struct lz_client *
lz_client_new(const char *endpoint, const char *key_path,
	      const char *server_key, char *err, size_t errlen)
{
	struct lz_client *c;
	char pub[41], sec[41], srv[41];
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
	zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
	zmq_msg_t m;
	long left;

	for (;;) {
		left = (long)((end - lz_mono_us()) / 1000);
		if (left <= 0 || zmq_poll(&it, 1, left) <= 0)
			return -ETIMEDOUT;
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
	if ((j = json_loads(json, 0, &jerr)) == NULL) {
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
