/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_bus.c -- see lz_bus.h.
 */
#include "lz_bus.h"

#include "lz/bus/v1/bus.pb-c.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_TOPIC 255
#define MAX_REPLAY_BYTES (4u << 20)

typedef Lz__Bus__V1__Envelope Envelope;

struct pending {
	char *topic;
	uint8_t *data;
	size_t len;
};

/* A followed source. */
struct src {
	char *name;
	uint64_t applied;     /* committed */
	uint64_t txn_applied; /* inside the running transaction */
	uint64_t latest;      /* highest sequence known to exist */
	int touched;
	int need_replay;
	char *endpoint;
	void *dealer;
	struct lz_zwatch *dealer_watch;
	int waiting;
	int64_t asked_us;
	struct lz_bus *bus;
	struct lz_metric *m_applied;
};

struct lz_bus_txn {
	struct lz_bus *bus;
	MDB_txn *txn;
	const Envelope *cause;
	uint64_t last_seq;
	const char *actor, *actor_roles, *audience;
	char last_id[33];
};

struct lz_bus {
	struct lz_loop *loop;
	struct lz_store *store;
	struct lz_bus_options o;
	char *source, *replay_advertise;
	MDB_dbi outbox, inbox;
	uint64_t seq;     /* committed outbox sequence */
	uint64_t txn_seq; /* inside the running transaction */
	int64_t started_us;
	lz_bus_apply_fn apply;
	void *apply_arg;

	void *pub, *sub, *router;
	struct lz_zwatch *sub_watch, *router_watch;
	struct lz_timer *heartbeat, *replay_check;

	struct src *srcs;
	int nsrcs;

	struct pending *pending;
	size_t npending, cap_pending;

	Envelope **batch;
	int nbatch;

	struct lz_log_limit log_limit; /* of bad input */

	struct lz_metric *m_in, *m_out, *m_dup, *m_gap, *m_ignored, *m_rejected,
		*m_decode, *m_replay_req, *m_replay_served, *m_replay_events,
		*m_batch, *m_commit, *m_outbox_seq, *m_heartbeats, *m_map;
};

/* ---- logging of bad input, rate-limited so garbage cannot flood logs ---- */

static int
may_log(struct lz_bus *b)
{
	return lz_log_allow(&b->log_limit);
}

#define DECODE_ERRORS "lz_decode_errors_total"
#define DECODE_ERRORS_HELP                                                     \
	"Messages that could not be decoded or were malformed, by kind"

/* Every KIND bad_input() is given: shown at 0 from the start. */
static const char *const decode_kinds[] = {
	"envelope", "topic",  "heartbeat",      "frames",
	"oversize", "replay", "replay_request",
};

static void
bad_input(struct lz_bus *b, const char *kind, const char *detail)
{
	lz_metric_add(lz_metrics_counter(b->o.metrics, DECODE_ERRORS,
					 DECODE_ERRORS_HELP, "kind", kind),
		      1);
	if (may_log(b))
		lz_log_warn("bad message dropped", "kind=%s %s", kind, detail);
}

/* ---- sources ---- */

static struct src *
find_src(struct lz_bus *b, const char *name)
{
	for (int i = 0; i < b->nsrcs; i++)
		if (strcmp(b->srcs[i].name, name) == 0)
			return &b->srcs[i];
	return NULL;
}

/* Whether the first N bytes of NAME are a followed source already. */
static int
find_src_n(const struct lz_bus *b, const char *name, size_t n)
{
	for (int i = 0; i < b->nsrcs; i++)
		if (strlen(b->srcs[i].name) == n &&
		    memcmp(b->srcs[i].name, name, n) == 0)
			return 1;
	return 0;
}

static void on_dealer(void *sock, void *arg);

static void
close_dealer(struct src *s)
{
	lz_zwatch_destroy(&s->dealer_watch);
	if (s->dealer) {
		int zero = 0;
		zmq_setsockopt(s->dealer, ZMQ_LINGER, &zero, sizeof(zero));
		zmq_close(s->dealer);
		s->dealer = NULL;
	}
	s->waiting = 0;
}

static int
open_dealer(struct src *s)
{
	struct lz_bus *b = s->bus;
	int64_t maxmsg = (int64_t)MAX_REPLAY_BYTES + b->o.max_frame + 4096;
	int zero = 0;

	s->dealer = zmq_socket(lz_loop_zctx(b->loop), ZMQ_DEALER);
	zmq_setsockopt(s->dealer, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s->dealer, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	if (zmq_connect(s->dealer, s->endpoint) < 0) {
		lz_log_warn("cannot connect to replay endpoint",
			    "source=%s endpoint=%s error=\"%s\"", s->name,
			    s->endpoint, zmq_strerror(errno));
		zmq_close(s->dealer);
		s->dealer = NULL;
		return -1;
	}
	s->dealer_watch = lz_zwatch_new(b->loop, s->dealer, on_dealer, s);
	return 0;
}

/* Asks SOURCE's replay endpoint for the events after the inbox.  One
 * request at a time per source; a request unanswered for long is dropped
 * with its socket and asked again. */
static void
ask_replay(struct src *s)
{
	struct lz_bus *b = s->bus;
	Lz__Bus__V1__ReplayRequest req = LZ__BUS__V1__REPLAY_REQUEST__INIT;
	uint8_t buf[512];
	size_t len;
	int64_t now = lz_mono_us();

	if (s->endpoint == NULL)
		return; /* no heartbeat yet: we do not know where to ask */
	if (s->waiting) {
		if (now - s->asked_us < (int64_t)b->o.replay_timeout_ms * 1000)
			return;
		lz_log_warn("replay request timed out", "source=%s endpoint=%s",
			    s->name, s->endpoint);
		close_dealer(s);
	}
	if (s->dealer == NULL && open_dealer(s) < 0)
		return;
	req.source = s->name;
	req.from_seq = s->applied + 1;
	req.max_events = (uint32_t)b->o.batch_max;
	if (strlen(s->name) > 400)
		return;
	len = lz__bus__v1__replay_request__pack(&req, buf);
	if (zmq_send(s->dealer, buf, len, ZMQ_DONTWAIT) < 0) {
		lz_log_warn("cannot send replay request",
			    "source=%s error=\"%s\"", s->name,
			    zmq_strerror(errno));
		return;
	}
	lz_zwatch_poke(s->dealer_watch);
	s->waiting = 1;
	s->asked_us = now;
	s->need_replay = 0;
	lz_metric_add(b->m_replay_req, 1);
	lz_log_debug("replay asked", "source=%s from=%llu", s->name,
		     (unsigned long long)req.from_seq);
}

/* ---- transactions, outbox and publishing ---- */

static void
pending_clear(struct lz_bus *b, size_t keep)
{
	while (b->npending > keep) {
		struct pending *p = &b->pending[--b->npending];
		free(p->topic);
		free(p->data);
	}
}

static void
publish_pending(struct lz_bus *b)
{
	for (size_t i = 0; i < b->npending; i++) {
		struct pending *p = &b->pending[i];
		if (b->pub == NULL)
			break;
		/* PUB never blocks: past its high-water mark it drops, and
		 * consumers recover the loss by replay. */
		zmq_send(b->pub, p->topic, strlen(p->topic),
			 ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(b->pub, p->data, p->len, ZMQ_DONTWAIT);
	}
	lz_metric_add(b->m_out, (double)b->npending);
	pending_clear(b, 0);
	lz_metric_set(b->m_outbox_seq, (double)b->seq);
}

uint64_t
lz_bus_txn_last_seq(const struct lz_bus_txn *tx)
{
	return tx->last_seq;
}

const char *
lz_bus_txn_last_event_id(const struct lz_bus_txn *tx)
{
	return tx->last_id;
}

void
lz_bus_txn_set_actor(struct lz_bus_txn *tx, const char *actor)
{
	tx->actor = actor;
}

void
lz_bus_txn_set_actor_roles(struct lz_bus_txn *tx, const char *roles)
{
	tx->actor_roles = roles;
}

void
lz_bus_txn_set_audience(struct lz_bus_txn *tx, const char *audience)
{
	tx->audience = audience;
}

MDB_txn *
lz_bus_mdb(struct lz_bus_txn *tx)
{
	return tx->txn;
}

int
lz_bus_emit_raw(struct lz_bus_txn *tx, const char *type, const char *tenant,
		const uint8_t *payload, size_t len)
{
	struct lz_bus *b = tx->bus;
	Envelope env = LZ__BUS__V1__ENVELOPE__INIT;
	unsigned char id[16], key[8];
	char hex[33];
	MDB_val k, v;
	uint8_t *buf;
	size_t size;
	int rc;

	if (b->source == NULL)
		lz_fatal("emit without a source name", NULL);
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
	env.event_id = hex;
	env.source = b->source;
	env.seq = b->txn_seq + 1;
	env.timestamp_us = lz_now_us();
	env.type = (char *)type;
	env.tenant = (char *)(tenant ? tenant : "");
	if (tx->cause) {
		env.correlation_id = tx->cause->correlation_id[0]
					     ? tx->cause->correlation_id
					     : tx->cause->event_id;
		env.causation_id = tx->cause->event_id;
	} else {
		env.correlation_id = hex;
	}
	/* The roles travel with the actor they belong to. */
	if (tx->actor) {
		env.actor = (char *)tx->actor;
		env.actor_roles =
			(char *)(tx->actor_roles ? tx->actor_roles : "");
	} else if (tx->cause) {
		env.actor = tx->cause->actor;
		env.actor_roles = tx->cause->actor_roles;
	}
	/* Never inherited: who may read an event is the emitter's call. */
	env.audience = (char *)(tx->audience ? tx->audience : "");
	env.payload.data = (uint8_t *)payload;
	env.payload.len = len;
	size = lz__bus__v1__envelope__get_packed_size(&env);
	buf = xmalloc(size);
	lz__bus__v1__envelope__pack(&env, buf);
	lz_be64_put(key, env.seq);
	k.mv_size = sizeof(key);
	k.mv_data = key;
	v.mv_size = size;
	v.mv_data = buf;
	rc = mdb_put(tx->txn, b->outbox, &k, &v, MDB_APPEND);
	if (rc != 0) {
		free(buf);
		return lz_store_rc(rc);
	}
	b->txn_seq = env.seq;
	tx->last_seq = env.seq;
	memcpy(tx->last_id, hex, sizeof(tx->last_id));
	if (b->npending == b->cap_pending) {
		b->cap_pending = b->cap_pending ? b->cap_pending * 2 : 256;
		b->pending = xrealloc(b->pending,
				      b->cap_pending * sizeof(*b->pending));
	}
	b->pending[b->npending].topic = xstrdup(type);
	b->pending[b->npending].data = buf;
	b->pending[b->npending].len = size;
	b->npending++;
	return 0;
}

int
lz_bus_emit(struct lz_bus_txn *tx, const char *tenant,
	    const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = xmalloc(len);
	int rc;

	protobuf_c_message_pack(msg, buf);
	rc = lz_bus_emit_raw(tx, msg->descriptor->name, tenant, buf, len);
	free(buf);
	return rc;
}

/* Undoes what a transaction that will not commit did in memory. */
static void
rollback_memory(struct lz_bus *b)
{
	pending_clear(b, 0);
	b->txn_seq = b->seq;
	for (int i = 0; i < b->nsrcs; i++) {
		b->srcs[i].txn_applied = b->srcs[i].applied;
		b->srcs[i].touched = 0;
	}
}

static void
commit_memory(struct lz_bus *b)
{
	b->seq = b->txn_seq;
	for (int i = 0; i < b->nsrcs; i++) {
		struct src *s = &b->srcs[i];
		s->applied = s->txn_applied;
		s->touched = 0;
		lz_metric_set(s->m_applied, (double)s->applied);
	}
}

struct write_ctx {
	struct lz_bus *b;
	lz_bus_write_fn fn;
	void *arg;
	int fn_rc; /* FN's result in the last attempt */
};

static int
write_fn(MDB_txn *txn, void *arg)
{
	struct write_ctx *w = arg;
	struct lz_bus_txn tx = {w->b, txn, NULL, 0, NULL, NULL, NULL, ""};

	return w->fn_rc = w->fn(&tx, w->arg);
}

static void
write_reset(void *arg)
{
	rollback_memory(((struct write_ctx *)arg)->b);
}

int
lz_bus_write(struct lz_bus *b, lz_bus_write_fn fn, void *arg)
{
	struct write_ctx w = {b, fn, arg, 0};
	int64_t t0 = lz_mono_us();
	int rc = lz_store_write(b->store, write_fn, write_reset, &w);

	if (rc != 0) {
		rollback_memory(b);
		/* FN's own refusal is the caller's; a store that cannot
		 * begin or commit a transaction, or grow its map, is fatal,
		 * as in apply_batch. */
		if (w.fn_rc == 0 || rc == MDB_MAP_FULL) {
			lz_log_error("cannot commit",
				     "error=\"%s\" rc=%d fatal=1",
				     lz_store_strerror(rc), rc);
			lz_loop_fail(b->loop, rc);
		}
		return rc;
	}
	lz_metric_observe(b->m_commit, (double)(lz_mono_us() - t0) / 1e6);
	commit_memory(b);
	publish_pending(b);
	return 0;
}

/* ---- applying a batch ---- */

struct batch_ctx {
	struct lz_bus *b;
	Envelope **evs;
	int n;
	int careful; /* one child transaction per event */
	long applied, dups, gaps, rejected;
};

#define FAST_PATH_REJECT 2 /* internal: redo the batch carefully */

int64_t
lz_event_seconds(const struct lz_event *ev)
{
	return ev->timestamp_us / 1000000 -
	       (ev->timestamp_us % 1000000 < 0 ? 1 : 0);
}

const void *
lz_handler_find(const void *table, size_t n, size_t size, const char *type)
{
	const char *p = table;

	for (size_t i = 0; i < n; i++, p += size) {
		const ProtobufCMessageDescriptor *d;

		memcpy(&d, p, sizeof(d));
		if (strcmp(d->name, type) == 0)
			return p;
	}
	return NULL;
}

ProtobufCMessage *
lz_event_unpack(const struct lz_event *ev,
		const ProtobufCMessageDescriptor *desc,
		struct lz_log_limit *limit)
{
	ProtobufCMessage *m = protobuf_c_message_unpack(
		desc, NULL, ev->payload_len, ev->payload);

	if (m == NULL && lz_log_allow(limit))
		lz_log_warn("undecodable payload",
			    "source=%s seq=%" PRIu64 " type=%s bytes=%zu",
			    ev->source, ev->seq, ev->type, ev->payload_len);
	return m;
}

static void
to_event(const Envelope *e, struct lz_event *ev)
{
	ev->event_id = e->event_id;
	ev->source = e->source;
	ev->seq = e->seq;
	ev->timestamp_us = e->timestamp_us;
	ev->type = e->type;
	ev->tenant = e->tenant;
	ev->correlation_id = e->correlation_id;
	ev->causation_id = e->causation_id;
	ev->actor = e->actor;
	ev->actor_roles = e->actor_roles;
	ev->audience = e->audience;
	ev->payload = e->payload.data;
	ev->payload_len = e->payload.len;
}

static int
apply_one(struct batch_ctx *c, MDB_txn *txn, const Envelope *e)
{
	struct lz_bus *b = c->b;
	struct lz_bus_txn tx = {b, txn, e, 0, NULL, NULL, NULL, ""};
	struct lz_event ev;
	MDB_txn *child = NULL;
	size_t mark = b->npending;
	uint64_t seq_mark = b->txn_seq;
	int rc;

	if (b->apply == NULL)
		return 0;
	to_event(e, &ev);
	if (c->careful) {
		if ((rc = mdb_txn_begin(lz_store_env(b->store), txn, 0,
					&child)))
			return lz_store_rc(rc);
		tx.txn = child;
	}
	rc = b->apply(&tx, &ev, b->apply_arg);
	if (rc == 0) {
		if (child && (rc = mdb_txn_commit(child)) != 0)
			return lz_store_rc(rc);
		return 0;
	}
	if (rc < 0) {
		if (child)
			mdb_txn_abort(child);
		return rc;
	}
	if (!c->careful)
		return FAST_PATH_REJECT;
	mdb_txn_abort(child);
	pending_clear(b, mark);
	b->txn_seq = seq_mark;
	c->rejected++;
	if (may_log(b))
		lz_log_warn("event rejected", "source=%s seq=%llu type=%s",
			    e->source, (unsigned long long)e->seq, e->type);
	return 0;
}

static int
batch_fn(MDB_txn *txn, void *arg)
{
	struct batch_ctx *c = arg;
	struct lz_bus *b = c->b;
	int rc;

	for (int i = 0; i < c->n; i++) {
		const Envelope *e = c->evs[i];
		struct src *s = find_src(b, e->source);

		if (e->seq <= s->txn_applied) {
			c->dups++;
			continue;
		}
		if (e->seq != s->txn_applied + 1) {
			/* A hole: the replay brings this one back in order. */
			if (!s->waiting)
				c->gaps++;
			s->need_replay = 1;
			continue;
		}
		if ((rc = apply_one(c, txn, e)) != 0)
			return rc;
		s->txn_applied = e->seq;
		s->touched = 1;
		c->applied++;
	}
	for (int i = 0; i < b->nsrcs; i++) {
		struct src *s = &b->srcs[i];
		if (!s->touched)
			continue;
		rc = lz_store_put_u64(txn, b->inbox, s->name, strlen(s->name),
				      s->txn_applied);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
batch_reset(void *arg)
{
	struct batch_ctx *c = arg;

	rollback_memory(c->b);
	c->applied = c->dups = c->gaps = c->rejected = 0;
}

/* Applies EVS in one transaction; a rejected event makes us redo the batch
 * with one child transaction per event, so that only it is rolled back. */
static void
apply_batch(struct lz_bus *b, Envelope **evs, int n)
{
	struct batch_ctx c = {b, evs, n, 0, 0, 0, 0, 0};
	int64_t t0 = lz_mono_us();
	int rc;

	if (n == 0)
		return;
	rc = lz_store_write(b->store, batch_fn, batch_reset, &c);
	if (rc == FAST_PATH_REJECT) {
		batch_reset(&c);
		c.careful = 1;
		rc = lz_store_write(b->store, batch_fn, batch_reset, &c);
	}
	if (rc != 0) {
		/* Storage is failing (disk full, map at its limit): nothing
		 * was acknowledged, so stop rather than lose events, and as a
		 * failure (exit status 1), so that the service manager
		 * restarts us; on restart the inbox tells where to resume. */
		rollback_memory(b);
		lz_log_error("cannot commit batch",
			     "error=\"%s\" rc=%d events=%d fatal=1",
			     lz_store_strerror(rc), rc, n);
		lz_loop_fail(b->loop, rc);
		return;
	}
	lz_metric_observe(b->m_commit, (double)(lz_mono_us() - t0) / 1e6);
	lz_metric_observe(b->m_batch, (double)n);
	lz_metric_add(b->m_in, (double)c.applied);
	lz_metric_add(b->m_dup, (double)c.dups);
	lz_metric_add(b->m_gap, (double)c.gaps);
	lz_metric_add(b->m_rejected, (double)c.rejected);
	lz_metric_set(b->m_map, (double)lz_store_map_size(b->store));
	commit_memory(b);
	publish_pending(b);
	if (b->o.on_commit)
		b->o.on_commit(b->apply_arg);
}

static void
free_batch(struct lz_bus *b)
{
	for (int i = 0; i < b->nbatch; i++)
		lz__bus__v1__envelope__free_unpacked(b->batch[i], NULL);
	b->nbatch = 0;
}

/* Checks an envelope that decoded; TOPIC is NULL for replayed events. */
static int
valid_envelope(struct lz_bus *b, const Envelope *e, const char *topic,
	       size_t topic_len)
{
	char detail[160];

	if (e->seq == 0 || e->source[0] == '\0' || e->type[0] == '\0') {
		snprintf(detail, sizeof(detail),
			 "source=\"%.40s\" seq=%llu reason=\"missing "
			 "source, seq or type\"",
			 e->source, (unsigned long long)e->seq);
		bad_input(b, "envelope", detail);
		return 0;
	}
	if (topic && (strlen(e->type) != topic_len ||
		      memcmp(e->type, topic, topic_len) != 0)) {
		snprintf(detail, sizeof(detail),
			 "source=\"%.40s\" seq=%llu reason=\"topic is not the "
			 "envelope type\"",
			 e->source, (unsigned long long)e->seq);
		bad_input(b, "topic", detail);
		return 0;
	}
	return 1;
}

/* ---- live input ---- */

static void
on_heartbeat(struct lz_bus *b, const uint8_t *data, size_t len)
{
	Lz__Bus__V1__Heartbeat *hb;
	struct src *s;

	hb = lz__bus__v1__heartbeat__unpack(NULL, len, data);
	if (hb == NULL) {
		bad_input(b, "heartbeat", "reason=\"cannot decode heartbeat\"");
		return;
	}
	lz_metric_add(b->m_heartbeats, 1);
	s = find_src(b, hb->source);
	if (s != NULL) {
		if (hb->replay_endpoint[0] &&
		    (s->endpoint == NULL ||
		     strcmp(s->endpoint, hb->replay_endpoint) != 0)) {
			close_dealer(s);
			free(s->endpoint);
			s->endpoint = xstrdup(hb->replay_endpoint);
			lz_log_info("source found", "source=%s replay=%s",
				    s->name, s->endpoint);
		}
		if (hb->latest_seq > s->latest)
			s->latest = hb->latest_seq;
		if (s->latest > s->applied)
			ask_replay(s);
	}
	lz__bus__v1__heartbeat__free_unpacked(hb, NULL);
}

struct heartbeat_buf {
	uint8_t *data;
	size_t len;
};

/* Reads what is ready on the SUB socket, up to one batch, and applies it.
 * Heartbeats are looked at after the events that came before them. */
static void
on_sub(void *sock, void *arg)
{
	struct lz_bus *b = arg;
	struct heartbeat_buf hbs[16];
	int nhb = 0;

	while (b->nbatch < b->o.batch_max) {
		zmq_msg_t f[2];
		zmq_msg_t *topic = &f[0], *body = &f[1];
		Envelope *e;
		char detail[128];
		int nf;

		zmq_msg_init(topic);
		zmq_msg_init(body);
		if ((nf = lz_zmq_recv(sock, f, 2)) == 0) {
			zmq_msg_close(topic);
			zmq_msg_close(body);
			break;
		}
		if (nf != 2) {
			snprintf(detail, sizeof(detail),
				 "frames=%d reason=\"want [topic][envelope]\"",
				 nf);
			bad_input(b, "frames", detail);
			goto next;
		}
		if (zmq_msg_size(topic) > MAX_TOPIC ||
		    zmq_msg_size(body) > b->o.max_frame) {
			snprintf(detail, sizeof(detail),
				 "topic_bytes=%zu body_bytes=%zu",
				 zmq_msg_size(topic), zmq_msg_size(body));
			bad_input(b, "oversize", detail);
			goto next;
		}
		if (zmq_msg_size(topic) == strlen(LZ_BUS_HEARTBEAT_TOPIC) &&
		    memcmp(zmq_msg_data(topic), LZ_BUS_HEARTBEAT_TOPIC,
			   zmq_msg_size(topic)) == 0) {
			if (nhb < (int)LZ_ARRAY_LEN(hbs)) {
				hbs[nhb].len = zmq_msg_size(body);
				hbs[nhb].data = xmalloc(hbs[nhb].len);
				memcpy(hbs[nhb].data, zmq_msg_data(body),
				       hbs[nhb].len);
				nhb++;
			}
			goto next;
		}
		e = lz__bus__v1__envelope__unpack(NULL, zmq_msg_size(body),
						  zmq_msg_data(body));
		if (e == NULL) {
			snprintf(detail, sizeof(detail),
				 "topic=\"%.*s\" bytes=%zu reason=\"cannot "
				 "decode envelope\"",
				 (int)(zmq_msg_size(topic) > 60
					       ? 60
					       : zmq_msg_size(topic)),
				 (const char *)zmq_msg_data(topic),
				 zmq_msg_size(body));
			bad_input(b, "envelope", detail);
			goto next;
		}
		if (!valid_envelope(b, e, zmq_msg_data(topic),
				    zmq_msg_size(topic))) {
			lz__bus__v1__envelope__free_unpacked(e, NULL);
			goto next;
		}
		if (find_src(b, e->source) == NULL) {
			lz_metric_add(b->m_ignored, 1);
			lz__bus__v1__envelope__free_unpacked(e, NULL);
			goto next;
		}
		b->batch[b->nbatch++] = e;
	next:
		zmq_msg_close(topic);
		zmq_msg_close(body);
	}
	apply_batch(b, b->batch, b->nbatch);
	free_batch(b);
	for (int i = 0; i < nhb; i++) {
		on_heartbeat(b, hbs[i].data, hbs[i].len);
		free(hbs[i].data);
	}
	for (int i = 0; i < b->nsrcs; i++)
		if (b->srcs[i].need_replay)
			ask_replay(&b->srcs[i]);
}

/* ---- replay: client ---- */

static void
on_dealer(void *sock, void *arg)
{
	struct src *s = arg;
	struct lz_bus *b = s->bus;
	Lz__Bus__V1__ReplayReply *r;
	zmq_msg_t msg;
	int n = 0;

	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return;
	}
	r = lz__bus__v1__replay_reply__unpack(NULL, zmq_msg_size(&msg),
					      zmq_msg_data(&msg));
	zmq_msg_close(&msg);
	s->waiting = 0;
	if (r == NULL) {
		bad_input(b, "replay", "reason=\"cannot decode replay reply\"");
		return;
	}
	if (r->status != LZ__BUS__V1__REPLAY_STATUS__REPLAY_STATUS_OK ||
	    strcmp(r->source, s->name) != 0) {
		lz_log_warn("replay refused",
			    "source=%s status=%d error=\"%s\"", s->name,
			    (int)r->status, r->error);
		goto out;
	}
	if (r->latest_seq > s->latest)
		s->latest = r->latest_seq;
	for (size_t i = 0; i < r->n_events; i++) {
		Envelope *e = r->events[i];
		if (!valid_envelope(b, e, NULL, 0) ||
		    strcmp(e->source, s->name) != 0)
			break;
		n++;
	}
	lz_metric_add(b->m_replay_events, n);
	apply_batch(b, r->events, n);
	if (n > 0 && s->applied < s->latest)
		ask_replay(s);
	else if (n == 0 && s->applied < s->latest && may_log(b))
		lz_log_warn("replay source has nothing to give",
			    "source=%s from=%llu latest=%llu", s->name,
			    (unsigned long long)s->applied + 1,
			    (unsigned long long)s->latest);
out:
	lz__bus__v1__replay_reply__free_unpacked(r, NULL);
}

static void
on_replay_check(void *arg)
{
	struct lz_bus *b = arg;

	for (int i = 0; i < b->nsrcs; i++) {
		struct src *s = &b->srcs[i];
		if (s->need_replay || s->latest > s->applied)
			ask_replay(s);
	}
}

/* ---- replay: server ---- */

struct replay_read {
	struct lz_bus *b;
	uint64_t from;
	uint32_t max;
	uint8_t *out;
	size_t len, cap;
};

static void
buf_add(struct replay_read *r, const void *data, size_t len)
{
	if (r->len + len > r->cap) {
		while (r->len + len > r->cap)
			r->cap = r->cap ? r->cap * 2 : 4096;
		r->out = xrealloc(r->out, r->cap);
	}
	memcpy(r->out + r->len, data, len);
	r->len += len;
}

static int
replay_read_fn(MDB_txn *txn, void *arg)
{
	struct replay_read *r = arg;
	MDB_cursor *cur;
	unsigned char key[8];
	MDB_val k = {8, key}, v;
	uint32_t count = 0;
	int rc;

	lz_be64_put(key, r->from);
	if ((rc = mdb_cursor_open(txn, r->b->outbox, &cur)) != 0)
		return lz_store_rc(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && count < r->max && r->len < MAX_REPLAY_BYTES) {
		/* field 5 (events), wire type 2: tag, length, bytes -- a
		 * repeated message is its serialized elements, so the stored
		 * envelopes are sent as they are. */
		uint8_t hdr[11];
		size_t h = 0;
		uint64_t n = v.mv_size;

		hdr[h++] = (5 << 3) | 2;
		do {
			hdr[h++] =
				(uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
			n >>= 7;
		} while (n);
		buf_add(r, hdr, h);
		buf_add(r, v.mv_data, v.mv_size);
		count++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static void
serve_replay(struct lz_bus *b, zmq_msg_t *ident, zmq_msg_t *body)
{
	Lz__Bus__V1__ReplayRequest *req;
	Lz__Bus__V1__ReplayReply rep = LZ__BUS__V1__REPLAY_REPLY__INIT;
	struct replay_read rr = {b, 0, 0, NULL, 0, 0};
	uint8_t head[512];
	size_t hlen;
	int rc;

	rep.source = b->source;
	rep.latest_seq = b->seq;
	req = lz__bus__v1__replay_request__unpack(NULL, zmq_msg_size(body),
						  zmq_msg_data(body));
	if (req == NULL) {
		rep.status =
			LZ__BUS__V1__REPLAY_STATUS__REPLAY_STATUS_BAD_REQUEST;
		rep.error = "cannot decode ReplayRequest";
		bad_input(b, "replay_request", "reason=\"cannot decode\"");
	} else if (strcmp(req->source, b->source) != 0) {
		rep.status =
			LZ__BUS__V1__REPLAY_STATUS__REPLAY_STATUS_UNKNOWN_SOURCE;
		rep.error = "this endpoint serves another source";
	} else if (req->from_seq == 0) {
		rep.status =
			LZ__BUS__V1__REPLAY_STATUS__REPLAY_STATUS_BAD_REQUEST;
		rep.error = "from_seq must be at least 1";
	} else {
		rep.status = LZ__BUS__V1__REPLAY_STATUS__REPLAY_STATUS_OK;
		rr.from = req->from_seq;
		rr.max = req->max_events && req->max_events < 10000
				 ? req->max_events
				 : 10000;
	}
	hlen = lz__bus__v1__replay_reply__pack(&rep, head);
	buf_add(&rr, head, hlen);
	if (rr.from) {
		rc = lz_store_read(b->store, replay_read_fn, &rr);
		if (rc != 0)
			lz_log_error("cannot read outbox", "error=\"%s\"",
				     lz_store_strerror(rc));
	}
	lz_metric_add(b->m_replay_served, 1);
	zmq_send(b->router, zmq_msg_data(ident), zmq_msg_size(ident),
		 ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(b->router, rr.out, rr.len, ZMQ_DONTWAIT);
	lz_zwatch_poke(b->router_watch);
	free(rr.out);
	if (req)
		lz__bus__v1__replay_request__free_unpacked(req, NULL);
}

static void
on_router(void *sock, void *arg)
{
	struct lz_bus *b = arg;

	for (int i = 0; i < 16; i++) {
		zmq_msg_t f[2];
		int nf;

		zmq_msg_init(&f[0]);
		zmq_msg_init(&f[1]);
		if ((nf = lz_zmq_recv(sock, f, 2)) == 0) {
			zmq_msg_close(&f[0]);
			zmq_msg_close(&f[1]);
			return;
		}
		if (nf != 2)
			bad_input(b, "replay_request",
				  "reason=\"want [identity][request]\"");
		else
			serve_replay(b, &f[0], &f[1]);
		zmq_msg_close(&f[0]);
		zmq_msg_close(&f[1]);
	}
}

/* ---- heartbeat ---- */

static void
on_heartbeat_timer(void *arg)
{
	struct lz_bus *b = arg;
	Lz__Bus__V1__Heartbeat hb = LZ__BUS__V1__HEARTBEAT__INIT;
	uint8_t buf[1024];
	size_t len;

	hb.source = b->source;
	hb.latest_seq = b->seq;
	hb.replay_endpoint = b->replay_advertise ? b->replay_advertise : "";
	hb.timestamp_us = lz_now_us();
	hb.started_us = b->started_us;
	if (lz__bus__v1__heartbeat__get_packed_size(&hb) > sizeof(buf))
		return;
	len = lz__bus__v1__heartbeat__pack(&hb, buf);
	zmq_send(b->pub, LZ_BUS_HEARTBEAT_TOPIC, strlen(LZ_BUS_HEARTBEAT_TOPIC),
		 ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(b->pub, buf, len, ZMQ_DONTWAIT);
}

/* ---- setup ---- */

static int
load_fn(MDB_txn *txn, void *arg)
{
	struct lz_bus *b = arg;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	for (int i = 0; i < b->nsrcs; i++) {
		struct src *s = &b->srcs[i];
		rc = lz_store_get_u64(txn, b->inbox, s->name, strlen(s->name),
				      &s->applied);
		if (rc != 0)
			return rc;
		s->txn_applied = s->applied;
		s->latest = s->applied;
	}
	if ((rc = mdb_cursor_open(txn, b->outbox, &cur)) != 0)
		return lz_store_rc(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8)
		b->seq = lz_be64_get(k.mv_data);
	mdb_cursor_close(cur);
	b->txn_seq = b->seq;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static void *
open_socket(struct lz_bus *b, int type, const char *endpoint, int bind)
{
	void *s = zmq_socket(lz_loop_zctx(b->loop), type);
	int hwm = 200000, zero = 0;
	int64_t maxmsg = (int64_t)b->o.max_frame + 1024;
	int rc;

	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (type != ZMQ_PUB)
		zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	if (type == ZMQ_SUB)
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	rc = bind ? zmq_bind(s, endpoint) : zmq_connect(s, endpoint);
	if (rc < 0) {
		lz_log_error(bind ? "cannot bind" : "cannot connect",
			     "endpoint=%s error=\"%s\"", endpoint,
			     zmq_strerror(errno));
		zmq_close(s);
		return NULL;
	}
	return s;
}

static void
init_metrics(struct lz_bus *b)
{
	static const double batch_bounds[] = {
		1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};
	static const double commit_bounds[] = {0.0001, 0.00025, 0.0005, 0.001,
					       0.0025, 0.005,   0.01,   0.025,
					       0.05,   0.1,     0.25,   1};
	struct lz_metrics *m = b->o.metrics;

	b->m_in = lz_metrics_counter(m, "lz_events_in_total",
				     "Events applied from the bus or replays",
				     NULL, NULL);
	b->m_out = lz_metrics_counter(m, "lz_events_out_total",
				      "Events committed to the outbox and "
				      "published",
				      NULL, NULL);
	b->m_dup = lz_metrics_counter(m, "lz_events_duplicate_total",
				      "Events skipped as already applied", NULL,
				      NULL);
	b->m_gap = lz_metrics_counter(m, "lz_events_gap_total",
				      "Sequence gaps detected", NULL, NULL);
	b->m_ignored = lz_metrics_counter(m, "lz_events_ignored_total",
					  "Events of sources not followed",
					  NULL, NULL);
	b->m_rejected = lz_metrics_counter(m, "lz_events_rejected_total",
					   "Events whose application was "
					   "refused and rolled back",
					   NULL, NULL);
	b->m_decode = lz_metrics_counter(m, DECODE_ERRORS, DECODE_ERRORS_HELP,
					 "kind", "envelope");
	for (size_t i = 0; i < LZ_ARRAY_LEN(decode_kinds); i++)
		lz_metrics_counter(m, DECODE_ERRORS, DECODE_ERRORS_HELP, "kind",
				   decode_kinds[i]);
	b->m_replay_req =
		lz_metrics_counter(m, "lz_replay_requests_total",
				   "Replay requests sent", NULL, NULL);
	b->m_replay_served =
		lz_metrics_counter(m, "lz_replay_served_total",
				   "Replay requests served", NULL, NULL);
	b->m_replay_events =
		lz_metrics_counter(m, "lz_replay_events_total",
				   "Events received by replay", NULL, NULL);
	b->m_heartbeats = lz_metrics_counter(m, "lz_heartbeats_total",
					     "Heartbeats received", NULL, NULL);
	b->m_batch = lz_metrics_histogram(
		m, "lz_batch_size", "Events per group-commit batch",
		batch_bounds, (int)LZ_ARRAY_LEN(batch_bounds));
	b->m_commit = lz_metrics_histogram(m, "lz_commit_seconds",
					   "Latency of a batch's transaction, "
					   "commit included",
					   commit_bounds,
					   (int)LZ_ARRAY_LEN(commit_bounds));
	b->m_outbox_seq = lz_metrics_gauge(
		m, "lz_outbox_seq", "Last sequence in the outbox", NULL, NULL);
	b->m_map = lz_metrics_gauge(m, "lz_store_map_bytes",
				    "Size of the LMDB map", NULL, NULL);
	for (int i = 0; i < b->nsrcs; i++)
		b->srcs[i].m_applied = lz_metrics_gauge(
			m, "lz_inbox_seq", "Last sequence applied, by source",
			"source", b->srcs[i].name);
}

struct lz_bus *
lz_bus_new(struct lz_loop *loop, struct lz_store *store,
	   const struct lz_bus_options *opts, lz_bus_apply_fn apply, void *arg)
{
	struct lz_bus *b = xcalloc(1, sizeof(*b));
	int rc;

	if (sodium_init() < 0)
		lz_fatal("cannot initialise libsodium", NULL);
	b->loop = loop;
	b->store = store;
	b->o = *opts;
	if (b->o.batch_max <= 0)
		b->o.batch_max = 4096;
	if (b->o.heartbeat_ms <= 0)
		b->o.heartbeat_ms = 1000;
	if (b->o.replay_timeout_ms <= 0)
		b->o.replay_timeout_ms = 2000;
	if (b->o.max_frame == 0)
		b->o.max_frame = 1 << 20;
	b->source = opts->source ? xstrdup(opts->source) : NULL;
	b->replay_advertise = opts->replay_advertise
				      ? xstrdup(opts->replay_advertise)
			      : opts->replay_bind ? xstrdup(opts->replay_bind)
						  : NULL;
	b->apply = apply;
	b->apply_arg = arg;
	b->started_us = lz_now_us();
	b->batch = xcalloc((size_t)b->o.batch_max, sizeof(*b->batch));
	for (const char *f = opts->follow ? opts->follow : ""; *f;) {
		size_t n = strcspn(f, ", ");

		if (n > 0 && !find_src_n(b, f, n)) {
			b->srcs = xrealloc(b->srcs,
					   sizeof(*b->srcs) *
						   (size_t)(b->nsrcs + 1));
			memset(&b->srcs[b->nsrcs], 0, sizeof(*b->srcs));
			b->srcs[b->nsrcs].name = xstrndup(f, n);
			b->srcs[b->nsrcs].bus = b;
			b->nsrcs++;
		}
		f += n;
		f += strspn(f, ", ");
	}
	init_metrics(b);
	if ((rc = lz_store_db(store, "outbox", 0, &b->outbox)) != 0 ||
	    (rc = lz_store_db(store, "inbox", 0, &b->inbox)) != 0 ||
	    (rc = lz_store_read(store, load_fn, b)) != 0) {
		lz_log_error("cannot open bus databases", "error=\"%s\"",
			     lz_store_strerror(rc));
		goto fail;
	}
	lz_metric_set(b->m_outbox_seq, (double)b->seq);
	/* After a restart, what the inbox kept, not 0 until the next event. */
	for (int i = 0; i < b->nsrcs; i++)
		lz_metric_set(b->srcs[i].m_applied, (double)b->srcs[i].applied);
	if (opts->pub_endpoint) {
		if (b->source == NULL) {
			lz_log_error("publishing needs a source name", NULL);
			goto fail;
		}
		if (!(b->pub = open_socket(b, ZMQ_PUB, opts->pub_endpoint, 0)))
			goto fail;
		b->heartbeat = lz_timer_new(loop, b->o.heartbeat_ms, 1,
					    on_heartbeat_timer, b);
	}
	if (opts->replay_bind) {
		b->router = open_socket(b, ZMQ_ROUTER, opts->replay_bind, 1);
		if (b->router == NULL)
			goto fail;
		b->router_watch = lz_zwatch_new(loop, b->router, on_router, b);
	}
	if (opts->sub_endpoint) {
		if (!(b->sub = open_socket(b, ZMQ_SUB, opts->sub_endpoint, 0)))
			goto fail;
		b->sub_watch = lz_zwatch_new(loop, b->sub, on_sub, b);
		b->replay_check =
			lz_timer_new(loop, 500, 1, on_replay_check, b);
	}
	lz_log_info("bus client ready",
		    "source=%s outbox_seq=%llu follows=%d replay=%s",
		    b->source ? b->source : "-", (unsigned long long)b->seq,
		    b->nsrcs, opts->replay_bind ? opts->replay_bind : "-");
	if (b->pub)
		on_heartbeat_timer(b);
	return b;
fail:
	lz_bus_destroy(&b);
	return NULL;
}

void
lz_bus_destroy(struct lz_bus **bp)
{
	struct lz_bus *b = *bp;

	if (b == NULL)
		return;
	lz_timer_destroy(&b->heartbeat);
	lz_timer_destroy(&b->replay_check);
	lz_zwatch_destroy(&b->sub_watch);
	lz_zwatch_destroy(&b->router_watch);
	if (b->pub)
		zmq_close(b->pub);
	if (b->sub)
		zmq_close(b->sub);
	if (b->router)
		zmq_close(b->router);
	for (int i = 0; i < b->nsrcs; i++) {
		close_dealer(&b->srcs[i]);
		free(b->srcs[i].name);
		free(b->srcs[i].endpoint);
	}
	free(b->srcs);
	free_batch(b);
	free(b->batch);
	pending_clear(b, 0);
	free(b->pending);
	free(b->source);
	free(b->replay_advertise);
	free(b);
	*bp = NULL;
}

uint64_t
lz_bus_outbox_seq(const struct lz_bus *b)
{
	return b->seq;
}

uint64_t
lz_bus_applied_seq(const struct lz_bus *b, const char *source)
{
	struct src *s = find_src((struct lz_bus *)b, source);

	return s ? s->applied : 0;
}

int
lz_bus_ready(void *bus, char *why, size_t whylen)
{
	struct lz_bus *b = bus;

	for (int i = 0; i < b->nsrcs; i++) {
		struct src *s = &b->srcs[i];
		if (s->applied < s->latest) {
			snprintf(why, whylen, "source %s applied %llu of %llu",
				 s->name, (unsigned long long)s->applied,
				 (unsigned long long)s->latest);
			return 0;
		}
	}
	return 1;
}
