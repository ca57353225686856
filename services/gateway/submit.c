/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * submit.c -- the one path of a partner's command, whichever API it came
 * by: check it (identifier, type, role, size, payload, the roles of the
 * fields that need their own, rate), queue it,
 * then in one transaction per batch look its client_msg_id up, commit it to
 * the outbox with the partner's member as tenant, the partner as actor and
 * its roles as actor_roles (the services decide with them who may report on
 * what: an operator besides a tour's driver), remember the Ack under
 * (partner, client_msg_id), and only after the
 * commit send every Ack.  A retry with the same client_msg_id gets the
 * same Ack (status DUPLICATE) and has no second effect, across restarts.
 */
#include "commands.h"
#include "gateway.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_registry.h"
#include "lz_store.h"
#include "lz_util.h"

#include <event2/event.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MSG_ID 128

static const char *const code_names[] = {
	"none",         "malformed",    "bad_msg_id",
	"unknown_type", "bad_payload",  "forbidden",
	"too_large",    "rate_limited", "unauthenticated",
	"conflict",     "unavailable",
};

const char *
gw_code_name(Lz__Gateway__V1__ErrorCode code)
{
	return (size_t)code < LZ_ARRAY_LEN(code_names) ? code_names[code]
						       : "unknown";
}

void
gw_count_reject(struct gw *g, const char *partner_id,
		Lz__Gateway__V1__ErrorCode code, const char *msg)
{
	char qp[128], qm[300];

	lz_metric_add(
		lz_metrics_counter(g->metrics, "lz_gateway_commands_total",
				   "Commands by outcome", "status", "rejected"),
		1);
	lz_metric_add(lz_metrics_counter(g->metrics, "lz_gateway_rejects_total",
					 "Commands refused, by error code",
					 "code", gw_code_name(code)),
		      1);
	lz_log_warn("command refused", "partner=%s code=%s reason=%s",
		    lz_log_quote(qp, sizeof(qp), partner_id ? partner_id : "-"),
		    gw_code_name(code), lz_log_quote(qm, sizeof(qm), msg));
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
	gw_flush(arg);
}

void
gw_submit_init(struct gw *g)
{
	g->flush_ev = event_new(lz_loop_base(g->loop), -1, 0, on_flush, g);
	lz_metrics_counter(g->metrics, "lz_gateway_commands_total",
			   "Commands by outcome", "status", "accepted");
	lz_metrics_counter(g->metrics, "lz_gateway_commands_total",
			   "Commands by outcome", "status", "duplicate");
	lz_metrics_counter(g->metrics, "lz_gateway_commands_total",
			   "Commands by outcome", "status", "rejected");
	/* every code gw_count_reject can count, but none */
	for (size_t i = 1; i < LZ_ARRAY_LEN(code_names); i++)
		lz_metrics_counter(g->metrics, "lz_gateway_rejects_total",
				   "Commands refused, by error code", "code",
				   code_names[i]);
}

void
gw_flush_soon(struct gw *g)
{
	event_active(g->flush_ev, 0, 0);
}

static int
valid_msg_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_MSG_ID)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

Lz__Gateway__V1__ErrorCode
gw_submit(struct gw *g, struct lz_partner *p, const char *msg_id,
	  const char *type, const uint8_t *payload, size_t len,
	  struct gw_reply *reply, char *msg, size_t msglen)
{
	const ProtobufCMessageDescriptor *d;
	ProtobufCMessage *m;
	unsigned roles, field_roles;
	char where[256];
	struct gw_pending *e;
	crypto_hash_sha256_state st;

	if (!lz_partners_rate_allow(p, g->rate, g->burst, lz_mono_us())) {
		snprintf(msg, msglen, "over %.0f commands per second", g->rate);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_RATE_LIMITED;
	}
	if (!valid_msg_id(msg_id)) {
		snprintf(msg, msglen,
			 "client_msg_id must be 1-%d printable "
			 "ASCII characters",
			 MAX_MSG_ID);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_BAD_MSG_ID;
	}
	roles = gw_command_roles(type);
	d = roles ? lz_registry_find(type) : NULL;
	if (d == NULL) {
		snprintf(msg, msglen, "unknown command type \"%.100s\"", type);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_TYPE;
	}
	if (!(roles & p->roles)) {
		char have[128], need[128];
		lz_partners_format_roles(p->roles, have, sizeof(have));
		lz_partners_format_roles(roles, need, sizeof(need));
		snprintf(msg, msglen, "%s needs role %s; partner has %s", type,
			 need, have);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN;
	}
	if (len > g->max_payload) {
		snprintf(msg, msglen,
			 "payload of %zu bytes is over the limit "
			 "of %zu",
			 len, g->max_payload);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_TOO_LARGE;
	}
	m = protobuf_c_message_unpack(d, NULL, len, payload);
	if (m == NULL) {
		snprintf(msg, msglen, "payload does not decode as %s", type);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_BAD_PAYLOAD;
	}
	if (gw_check_limits(m, g->max_string, g->max_list, where,
			    sizeof(where)) < 0) {
		protobuf_c_message_free_unpacked(m, NULL);
		snprintf(msg, msglen,
			 "field %s is over its limit (%zu bytes a "
			 "string, %zu items a list)",
			 where, g->max_string, g->max_list);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_TOO_LARGE;
	}
	if (gw_check_field_roles(m, p->roles, where, sizeof(where),
				 &field_roles) < 0) {
		char have[128], need[128];

		protobuf_c_message_free_unpacked(m, NULL);
		lz_partners_format_roles(p->roles, have, sizeof(have));
		lz_partners_format_roles(field_roles, need, sizeof(need));
		snprintf(msg, msglen, "%s needs role %s; partner has %s", where,
			 need, have);
		return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN;
	}
	protobuf_c_message_free_unpacked(m, NULL);

	if (g->nq == g->capq) {
		g->capq = g->capq ? g->capq * 2 : 64;
		g->q = xrealloc(g->q, g->capq * sizeof(*g->q));
	}
	e = &g->q[g->nq++];
	memset(e, 0, sizeof(*e));
	e->partner_id = xstrdup(p->id);
	lz_partners_format_roles(p->roles, e->roles, sizeof(e->roles));
	e->member = xstrdup(p->member);
	e->msg_id = xstrdup(msg_id);
	e->type = xstrdup(type);
	e->payload = xmalloc(len);
	memcpy(e->payload, payload, len);
	e->len = len;
	e->reply = *reply;
	e->received_us = lz_mono_us();
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)type,
				  strlen(type) + 1);
	crypto_hash_sha256_update(&st, payload, len);
	crypto_hash_sha256_final(&st, e->hash);
	return LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_NONE;
}

static int
flush_fn(struct lz_bus_txn *tx, void *arg)
{
	struct gw *g = arg;
	MDB_txn *txn = lz_bus_mdb(tx);
	int64_t now = lz_now_us() / 1000000;

	for (size_t i = 0; i < g->nq; i++) {
		struct gw_pending *e = &g->q[i];
		int rc = gw_acks_find(txn, g, e);

		if (rc < 0)
			return rc;
		if (rc > 0) /* answered before: the same answer */
			continue;
		lz_bus_txn_set_actor(tx, e->partner_id);
		lz_bus_txn_set_actor_roles(tx, e->roles);
		rc = lz_bus_emit_raw(tx, e->type, e->member, e->payload,
				     e->len);
		if (rc != 0)
			return rc;
		e->status = LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_ACCEPTED;
		e->code = LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_NONE;
		e->seq = lz_bus_txn_last_seq(tx);
		memcpy(e->event_id, lz_bus_txn_last_event_id(tx), 33);
		if ((rc = gw_acks_put(txn, g, e, now)) != 0)
			return rc;
	}
	return 0;
}

static void
send_ack(struct gw *g, struct gw_pending *e)
{
	Lz__Gateway__V1__Ack ack = LZ__GATEWAY__V1__ACK__INIT;
	static const char *const status_names[] = {"?", "accepted", "duplicate",
						   "rejected"};
	char msg[200] = "";

	ack.client_msg_id = e->msg_id;
	ack.status = e->status;
	ack.error_code = e->code;
	if (e->code == LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_CONFLICT) {
		snprintf(msg, sizeof(msg),
			 "client_msg_id %.100s was used for "
			 "another command",
			 e->msg_id);
		gw_count_reject(g, e->partner_id, e->code, msg);
	} else if (e->code ==
		   LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAVAILABLE) {
		snprintf(msg, sizeof(msg), "%s", "cannot commit now; retry");
		gw_count_reject(g, e->partner_id, e->code, msg);
	} else {
		ack.event_id = e->event_id;
		ack.seq = e->seq;
		lz_metric_add(lz_metrics_counter(
				      g->metrics, "lz_gateway_commands_total",
				      "Commands by outcome", "status",
				      status_names[e->status]),
			      1);
	}
	ack.message = msg;
	lz_metric_observe(g->m_ack_seconds,
			  (double)(lz_mono_us() - e->received_us) / 1e6);
	if (e->reply.send)
		e->reply.send(g, &e->reply, &ack);
}

static void
free_pending(struct gw_pending *e)
{
	free(e->partner_id);
	free(e->member);
	free(e->msg_id);
	free(e->type);
	free(e->payload);
	free(e->reply.zmq_id);
}

void
gw_flush(struct gw *g)
{
	int rc;

	if (g->nq == 0)
		return;
	rc = lz_bus_write(g->bus, flush_fn, g);
	if (rc != 0) {
		/* The store cannot commit (disk full, map at its limit): the
		 * partners are told to retry, and the gateway stops with exit
		 * status 1 so that the service manager restarts it rather
		 * than it refusing every command while looking healthy. */
		lz_log_error("cannot commit commands",
			     "error=\"%s\" rc=%d count=%zu fatal=1",
			     lz_store_strerror(rc), rc, g->nq);
		lz_loop_fail(g->loop, rc);
		for (size_t i = 0; i < g->nq; i++) {
			g->q[i].status =
				LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_REJECTED;
			g->q[i].code =
				LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_UNAVAILABLE;
		}
	}
	for (size_t i = 0; i < g->nq; i++) {
		send_ack(g, &g->q[i]);
		free_pending(&g->q[i]);
	}
	g->nq = 0;
}
