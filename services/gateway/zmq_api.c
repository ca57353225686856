/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * zmq_api.c -- the ZeroMQ door: a ROUTER socket with CURVE, whose ZAP
 * handler admits only the public keys of the partners file and names the
 * key as the connection's User-Id.  Each request's partner is looked up by
 * that key again, so that a key rotated out of the partners file (SIGHUP)
 * stops working at once, also on connections opened before.  One frame in
 * (Submit), one frame out (Ack).
 */
#include "gateway.h"

#include "lz_log.h"
#include "lz_loop.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ROUTER_BATCH 1024

static void
zap_reply(void *sock, zmq_msg_t *req_id, const char *code, const char *text,
	  const char *user)
{
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(sock, zmq_msg_data(req_id), zmq_msg_size(req_id), ZMQ_SNDMORE);
	zmq_send(sock, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(sock, "", 0, 0);
}

/* ZAP request: version, request id, domain, address, identity, mechanism,
 * then the credentials (for CURVE: the client's 32-byte public key). */
static void
on_zap(void *sock, void *arg)
{
	struct gw *g = arg;
	zmq_msg_t f[8];
	int n;
	struct lz_partner *p = NULL;
	char key[41] = "", addr[64] = "";

	for (int i = 0; i < 8; i++)
		zmq_msg_init(&f[i]);
	if ((n = lz_zmq_recv(sock, f, 8)) == 0)
		goto out;
	if (n >= 7 && zmq_msg_size(&f[5]) == 5 &&
	    memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
	    zmq_msg_size(&f[6]) == 32) {
		zmq_z85_encode(key, zmq_msg_data(&f[6]), 32);
		p = lz_partners_by_key(g->partners, key);
	}
	if (n >= 4)
		snprintf(addr, sizeof(addr), "%.*s",
			 (int)(zmq_msg_size(&f[3]) < 60 ? zmq_msg_size(&f[3])
							: 60),
			 (const char *)zmq_msg_data(&f[3]));
	if (n >= 2) {
		if (p) {
			zap_reply(sock, &f[1], "200", "OK", key);
			lz_log_info("partner connected",
				    "partner=%s address=%s", p->id, addr);
		} else {
			zap_reply(sock, &f[1], "400", "unknown key", "");
			gw_count_reject(
				g, NULL,
				LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAUTHENTICATED,
				"CURVE key not in the partners file");
		}
		lz_zwatch_poke(g->zap_watch);
	}
out:
	for (int i = 0; i < 8; i++)
		zmq_msg_close(&f[i]);
}

/* The gw_reply's send of a ZeroMQ peer. */
static void
send_ack(struct gw *g, const struct gw_reply *r,
	 const Lz__Gateway__V1__Ack *ack)
{
	uint8_t buf[1024];
	size_t len;

	if (lz__gateway__v1__ack__get_packed_size(ack) > sizeof(buf))
		return;
	len = lz__gateway__v1__ack__pack(ack, buf);
	if (zmq_send(g->router, r->zmq_id, r->zmq_id_len,
		     ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
		zmq_send(g->router, buf, len, ZMQ_DONTWAIT);
	lz_zwatch_poke(g->router_watch);
}

static void
reject_now(struct gw *g, struct gw_reply *r, const char *partner_id,
	   const char *msg_id, Lz__Gateway__V1__ErrorCode code, const char *msg)
{
	Lz__Gateway__V1__Ack ack = LZ__GATEWAY__V1__ACK__INIT;

	ack.client_msg_id = (char *)msg_id;
	ack.status = LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_REJECTED;
	ack.error_code = code;
	ack.message = (char *)msg;
	gw_count_reject(g, partner_id, code, msg);
	send_ack(g, r, &ack);
}

static void
on_router(void *sock, void *arg)
{
	struct gw *g = arg;

	for (int i = 0; i < ROUTER_BATCH; i++) {
		zmq_msg_t f[2];
		zmq_msg_t *id = &f[0], *body = &f[1];
		struct gw_reply r = {0};
		const char *user;
		struct lz_partner *p;
		Lz__Gateway__V1__Submit *s;
		char msg[300];
		Lz__Gateway__V1__ErrorCode code;
		int nf;

		zmq_msg_init(id);
		zmq_msg_init(body);
		if ((nf = lz_zmq_recv(sock, f, 2)) == 0) {
			zmq_msg_close(id);
			zmq_msg_close(body);
			break;
		}
		r.zmq_id_len = zmq_msg_size(id);
		r.zmq_id = xmalloc(r.zmq_id_len);
		memcpy(r.zmq_id, zmq_msg_data(id), r.zmq_id_len);
		r.send = send_ack;
		user = zmq_msg_gets(body, "User-Id");
		p = user ? lz_partners_by_key(g->partners, user) : NULL;
		if (p == NULL) {
			reject_now(
				g, &r, NULL, "",
				LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAUTHENTICATED,
				"key no longer in the partners file");
		} else if (nf != 2) {
			reject_now(
				g, &r, p->id, "",
				LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_MALFORMED,
				"a request is one frame, a "
				"lz.gateway.v1.Submit");
		} else if (zmq_msg_size(body) > g->max_frame) {
			snprintf(msg, sizeof(msg),
				 "frame of %zu bytes is over "
				 "the limit of %zu",
				 zmq_msg_size(body), g->max_frame);
			reject_now(
				g, &r, p->id, "",
				LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_TOO_LARGE,
				msg);
		} else if ((s = lz__gateway__v1__submit__unpack(
				    NULL, zmq_msg_size(body),
				    zmq_msg_data(body))) == NULL) {
			reject_now(
				g, &r, p->id, "",
				LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_MALFORMED,
				"the frame is not a lz.gateway.v1.Submit");
		} else {
			code = gw_submit(g, p, s->client_msg_id, s->type,
					 s->payload.data, s->payload.len, &r,
					 msg, sizeof(msg));
			if (code !=
			    LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_NONE)
				reject_now(g, &r, p->id, s->client_msg_id, code,
					   msg);
			else
				r.zmq_id = NULL; /* owned by the queue now */
			lz__gateway__v1__submit__free_unpacked(s, NULL);
		}
		free(r.zmq_id);
		zmq_msg_close(id);
		zmq_msg_close(body);
	}
	gw_flush(g);
}

int
gw_zmq_start(struct gw *g, const char *endpoint, const char *key_file)
{
	char pub[41], sec[41];
	void *ctx = lz_loop_zctx(g->loop);
	int one = 1, zero = 0, hwm = 100000;
	int64_t maxmsg = (int64_t)g->max_frame * 4;

	if (lz_zmq_keys_read(key_file, pub, sec) < 0) {
		lz_log_error("cannot read server key file",
			     "file=%s want=\"public-key = Z85 and secret-key = "
			     "Z85 (lz-ctl keygen)\"",
			     key_file);
		return -1;
	}
	g->zap = zmq_socket(ctx, ZMQ_REP);
	if (zmq_bind(g->zap, ZAP_ENDPOINT) < 0) {
		lz_log_error("cannot bind ZAP handler", "error=\"%s\"",
			     zmq_strerror(errno));
		return -1;
	}
	g->zap_watch = lz_zwatch_new(g->loop, g->zap, on_zap, g);
	g->router = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(g->router, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(g->router, ZMQ_CURVE_SECRETKEY, sec, 40);
	zmq_setsockopt(g->router, ZMQ_ZAP_DOMAIN, "livrazou", 8);
	zmq_setsockopt(g->router, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(g->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	zmq_setsockopt(g->router, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(g->router, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	sodium_memzero(sec, sizeof(sec));
	if (zmq_bind(g->router, endpoint) < 0) {
		lz_log_error("cannot bind", "endpoint=%s error=\"%s\"",
			     endpoint, zmq_strerror(errno));
		return -1;
	}
	g->router_watch = lz_zwatch_new(g->loop, g->router, on_router, g);
	lz_log_info("zmq api ready", "endpoint=%s server_key=%s", endpoint,
		    pub);
	return 0;
}

void
gw_zmq_stop(struct gw *g)
{
	lz_zwatch_destroy(&g->router_watch);
	lz_zwatch_destroy(&g->zap_watch);
	if (g->router)
		zmq_close(g->router);
	if (g->zap)
		zmq_close(g->zap);
	g->router = g->zap = NULL;
}
