/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_client.h -- the partner side of the gateway, and a blocking HTTP GET
 * for read models, shared by lz-ctl and lz-sim.
 *
 * A client holds one DEALER socket secured with CURVE (the partner's key
 * pair, the gateway's public key).  lz_client_submit() sends a Submit and
 * waits for its Ack; on timeout it sends the same Submit again (same
 * client_msg_id), so that the gateway answers a retry of an accepted
 * command with DUPLICATE and no second effect.  Acks of earlier attempts
 * that arrive late are recognised by their client_msg_id and skipped.
 */
#ifndef LZ_CLIENT_H
#define LZ_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct lz_client;

/* Connects to ENDPOINT as the partner whose key-pair file is KEY_PATH;
 * SERVER_KEY is the gateway's public key (40 Z85 characters) or its
 * key-pair file.  Returns NULL with a message in ERR when a key cannot be
 * read or the socket cannot be set up.  Caller owns the client. */
struct lz_client *lz_client_new(const char *endpoint, const char *key_path,
				const char *server_key, char *err,
				size_t errlen);
void lz_client_destroy(struct lz_client **cp);

/* The answer to a Submit, as the gateway sent it. */
struct lz_client_ack {
	int status;     /* lz.gateway.v1.AckStatus, 0 when none came */
	int error_code; /* lz.gateway.v1.ErrorCode */
	char message[256];
	char event_id[64];
	uint64_t seq;
	json_t *json; /* the whole Ack as JSON; caller json_decref()s */
};

/* Sends command TYPE (a registered type name) with PAYLOAD (the command
 * serialised) as MSG_ID (NULL: a random id), waits up to TIMEOUT_MS for
 * the Ack, and tries again with the same id up to RETRIES more times.
 * Returns 0 with *ACK filled (any status, rejections included), -ETIMEDOUT
 * when no Ack came, -EPROTO when the answer does not decode, -EINVAL for
 * an unknown type (a bad id is the gateway's to refuse: BAD_MSG_ID). */
int lz_client_submit(struct lz_client *c, const char *type,
		     const uint8_t *payload, size_t len, const char *msg_id,
		     int timeout_ms, int retries, struct lz_client_ack *ack);

/* Same as lz_client_submit() with the command given as proto3 JSON text.
 * Returns -EBADMSG with the reason in ERR when the JSON does not map to
 * TYPE. */
int lz_client_submit_json(struct lz_client *c, const char *type,
			  const char *json, const char *msg_id, int timeout_ms,
			  int retries, struct lz_client_ack *ack, char *err,
			  size_t errlen);

/* Why C's last lz_client_submit() got no Ack (-ETIMEDOUT), as far as the
 * socket's connection events tell (ZeroMQ's socket monitor): writes into
 * WHY (LEN bytes) a sentence for the user that follows "no answer from
 * the gateway at ENDPOINT:", and returns the cause.  CURVE gives a client
 * whose key is refused no answer, so the events are the only way to tell
 * a refused key from a wrong endpoint. */
enum lz_client_cause {
	LZ_CLIENT_UNKNOWN = 0,      /* no event tells: both causes listed */
	LZ_CLIENT_NOT_LISTENING,    /* connection refused */
	LZ_CLIENT_NO_HANDSHAKE,     /* connected, no ZeroMQ peer answered */
	LZ_CLIENT_HANDSHAKE_FAILED, /* wrong server key, or not CURVE */
	LZ_CLIENT_KEY_REFUSED,      /* the gateway refused our key */
	LZ_CLIENT_NO_ACK,           /* handshake done, no Ack in time */
};
enum lz_client_cause lz_client_explain(const struct lz_client *c, char *why,
				       size_t len);

/* GET PATH from ADDR ("host:port", IPv4; 0.0.0.0 means loopback) over
 * HTTP/1.0, waiting at most TIMEOUT_MS between reads.  Returns the status
 * code, or 0 when the server does not answer; *BODY (may be NULL) gets
 * the whole body, NUL-terminated, caller frees (NULL when status is 0). */
int lz_client_http_get(const char *addr, const char *path, int timeout_ms,
		       char **body);

/* lz_client_http_get() decoded as JSON: returns the object (caller
 * json_decref()s) when the status is 200 and the body parses, else NULL
 * with the reason in ERR. */
json_t *lz_client_get_json(const char *addr, const char *path, int timeout_ms,
			   char *err, size_t errlen);

/* The value of the metric NAME (with its labels, as printed: e.g.
 * lz_inbox_seq{source="gateway"}) on ADDR's /metrics: 0 when the daemon
 * has not created it yet, -1 when the daemon does not answer. */
long long lz_client_metric(const char *addr, const char *name, int timeout_ms);
/* Same, telling an absent metric apart: 1 with *VALUE set when ADDR
 * serves NAME, 0 when it does not (*VALUE 0), -1 when it does not
 * answer. */
int lz_client_metric_find(const char *addr, const char *name, int timeout_ms,
			  long long *value);

#endif
