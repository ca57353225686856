/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-testpeer -- plays a producer or a consumer of lz.testing.v1.Tick
 * events through the real bus client, for integration tests and benchmarks.
 *
 *   produce: emits Ticks n = 1..COUNT (n is the outbox sequence), BATCH per
 *            transaction, as fast as possible or at RATE per second; then
 *            keeps serving heartbeats and replays until stopped.
 *   consume: applies Ticks durably; its state (count, violations, a hash
 *            chain) lives in its LMDB store; exits once COUNT are applied if
 *            --expect is given; prints latency percentiles on exit.
 *   verify:  reads a consumer's state; exit 0 iff it applied exactly
 *            1..EXPECT in order (less those --reject-every refused).
 *   inject:  sends one malformed message of kind --kind to --to (a bus's
 *            XSUB side through PUB, or a replay endpoint through DEALER).
 */
#include "lz/bus/v1/bus.pb-c.h"
#include "lz/testing/v1/testing.pb-c.h"
#include "lz_bus.h"
#include "lz_config.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static const struct lz_option options[] = {
	{"state", LZ_OPT_STRING, NULL, "state directory (LMDB)", 0, 0},
	{"source", LZ_OPT_STRING, "testpeer", "source name when producing", 0,
	 0},
	{"follow", LZ_OPT_STRING, "testpeer", "source to consume", 0, 0},
	{"pub", LZ_OPT_STRING, "tcp://127.0.0.1:7100", "bus XSUB endpoint", 0,
	 0},
	{"sub", LZ_OPT_STRING, "tcp://127.0.0.1:7101", "bus XPUB endpoint", 0,
	 0},
	{"replay", LZ_OPT_STRING, "tcp://127.0.0.1:7200",
	 "replay endpoint to bind when producing", 0, 0},
	{"admin", LZ_OPT_STRING, "127.0.0.1:0", "admin HTTP address", 0, 0},
	{"count", LZ_OPT_INT, "100000", "events to produce", 0, 1000000000},
	{"expect", LZ_OPT_INT, "0", "consume: exit after this many (0: never)",
	 0, 1000000000},
	{"batch", LZ_OPT_INT, "1000", "events per producer transaction", 1,
	 100000},
	{"rate", LZ_OPT_INT, "0", "events per second (0: as fast as possible)",
	 0, 10000000},
	{"body-bytes", LZ_OPT_INT, "160", "filler bytes in each payload", 0,
	 1 << 20},
	{"reject-every", LZ_OPT_INT, "0",
	 "consume: refuse Ticks whose n is a multiple of this (0: none)", 0,
	 1000000},
	{"no-sync", LZ_OPT_FLAG, "false", "do not fsync at commit", 0, 0},
	{"to", LZ_OPT_STRING, "tcp://127.0.0.1:7100", "inject: endpoint", 0, 0},
	{"kind", LZ_OPT_STRING, "random",
	 "inject: random, frames, truncated, oversize, bad-topic, mismatch, "
	 "intruder, replay-random, replay-frames",
	 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

struct peer {
	struct lz_config *cfg;
	struct lz_loop *loop;
	struct lz_store *store;
	struct lz_bus *bus;
	struct lz_metrics *metrics;
	MDB_dbi state;
	/* producer */
	uint64_t count, rate, batch;
	int64_t t0;
	uint8_t *body;
	size_t body_len;
	struct lz_timer *timer;
	/* consumer */
	uint64_t expect;
	uint64_t reject_every;
	uint64_t applied, violations;
	int64_t *pending_sent; /* sent_us of the batch being applied */
	size_t npending, cap;
	int64_t *lat; /* microseconds, one per applied event */
	size_t nlat, caplat;
	int64_t first_us, last_us;
	struct lz_metric *m_count;
};

/* ---- producer ---- */

struct emit_ctx {
	struct peer *p;
	uint64_t n;
};

static int
emit_fn(struct lz_bus_txn *tx, void *arg)
{
	struct emit_ctx *e = arg;
	struct peer *p = e->p;
	uint64_t next = lz_bus_outbox_seq(p->bus) + 1;

	for (uint64_t i = 0; i < e->n; i++) {
		Lz__Testing__V1__Tick t = LZ__TESTING__V1__TICK__INIT;
		int rc;
		t.n = next + i;
		t.sent_us = lz_now_us();
		t.body.data = p->body;
		t.body.len = p->body_len;
		if ((rc = lz_bus_emit(tx, NULL, &t.base)) != 0)
			return rc;
	}
	return 0;
}

static void
on_produce(void *arg)
{
	struct peer *p = arg;
	uint64_t done = lz_bus_outbox_seq(p->bus);
	uint64_t due = p->count;
	struct emit_ctx e = {p, 0};
	int rc;

	if (p->rate) {
		uint64_t by_now = (uint64_t)((lz_mono_us() - p->t0) *
					     (double)p->rate / 1e6);
		if (by_now < due)
			due = by_now;
	}
	if (done >= due) {
		if (done >= p->count) {
			lz_timer_destroy(&p->timer);
			lz_log_info("produced",
				    "count=%" PRIu64 " seconds=%.3f", done,
				    (lz_mono_us() - p->t0) / 1e6);
		}
		return;
	}
	e.n = due - done < p->batch ? due - done : p->batch;
	if ((rc = lz_bus_write(p->bus, emit_fn, &e)) != 0)
		lz_fatal("cannot commit", "error=\"%s\"",
			 lz_store_strerror(rc));
}

/* ---- consumer ---- */

struct state {
	uint64_t count;      /* Ticks applied */
	uint64_t violations; /* Ticks out of order, repeated or missing */
	uint64_t last_n;     /* the last Tick applied */
};

static int
load_state(MDB_txn *txn, MDB_dbi dbi, struct state *s)
{
	MDB_val k = {5, "state"}, v;
	int rc = mdb_get(txn, dbi, &k, &v);

	memset(s, 0, sizeof(*s));
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	if (v.mv_size != sizeof(*s))
		return MDB_CORRUPTED;
	memcpy(s, v.mv_data, sizeof(*s));
	return 0;
}

/* How many Ticks strictly between A and B this consumer refuses. */
static uint64_t
refused_between(const struct peer *p, uint64_t a, uint64_t b)
{
	if (p->reject_every == 0 || b <= a + 1)
		return 0;
	return (b - 1) / p->reject_every - a / p->reject_every;
}

static int
apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct peer *p = arg;
	Lz__Testing__V1__Tick *t;
	struct state s;
	MDB_val k = {5, "state"}, v = {sizeof(s), &s};
	int rc;

	if (strcmp(ev->type, "lz.testing.v1.Tick") != 0)
		return 0;
	t = lz__testing__v1__tick__unpack(NULL, ev->payload_len, ev->payload);
	if (t == NULL)
		return LZ_BUS_REJECT;
	if ((rc = load_state(lz_bus_mdb(tx), p->state, &s)) != 0)
		goto out;
	/* Exactly once, in order: each Tick must follow the last one, the
	 * only ones missing in between being those this consumer refused. */
	if (t->n <= s.last_n ||
	    t->n - s.last_n - 1 != refused_between(p, s.last_n, t->n))
		s.violations++;
	s.count++;
	s.last_n = t->n;
	rc = lz_store_rc(mdb_put(lz_bus_mdb(tx), p->state, &k, &v, 0));
	if (rc == 0 && p->reject_every && t->n % p->reject_every == 0) {
		/* Refuse after writing: the bus client must roll it back. */
		rc = LZ_BUS_REJECT;
		goto out;
	}
	if (p->npending == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->pending_sent =
			xrealloc(p->pending_sent, p->cap * sizeof(int64_t));
	}
	p->pending_sent[p->npending++] = t->sent_us;
out:
	lz__testing__v1__tick__free_unpacked(t, NULL);
	return rc;
}

static int
read_state_fn(MDB_txn *txn, void *arg)
{
	struct peer *p = arg;
	struct state s;
	int rc = load_state(txn, p->state, &s);

	p->applied = s.count;
	p->violations = s.violations;
	return rc;
}

static void
on_commit(void *arg)
{
	struct peer *p = arg;
	int64_t now = lz_now_us();

	if (p->first_us == 0)
		p->first_us = lz_mono_us();
	p->last_us = lz_mono_us();
	for (size_t i = 0; i < p->npending; i++) {
		if (p->nlat == p->caplat) {
			p->caplat = p->caplat ? p->caplat * 2 : 65536;
			p->lat = xrealloc(p->lat, p->caplat * sizeof(int64_t));
		}
		p->lat[p->nlat++] = now - p->pending_sent[i];
	}
	p->npending = 0;
	lz_store_read(p->store, read_state_fn, p);
	lz_metric_set(p->m_count, (double)p->applied);
	if (p->expect &&
	    lz_bus_applied_seq(p->bus, lz_config_str(p->cfg, "follow")) >=
		    p->expect)
		lz_loop_stop(p->loop);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
print_summary(struct peer *p)
{
	double p50 = 0, p99 = 0, max = 0, secs;

	lz_store_read(p->store, read_state_fn, p);
	if (p->nlat) {
		qsort(p->lat, p->nlat, sizeof(int64_t), cmp_i64);
		p50 = p->lat[p->nlat / 2] / 1000.0;
		p99 = p->lat[(size_t)(p->nlat * 0.99)] / 1000.0;
		max = p->lat[p->nlat - 1] / 1000.0;
	}
	secs = (p->last_us - p->first_us) / 1e6;
	printf("consumed count=%" PRIu64 " violations=%" PRIu64
	       " this_run=%zu seconds=%.3f p50_ms=%.3f p99_ms=%.3f "
	       "max_ms=%.3f\n",
	       p->applied, p->violations, p->nlat, secs, p50, p99, max);
	fflush(stdout);
}

/* ---- inject ---- */

static size_t
envelope(uint8_t **out, const char *type, const char *source)
{
	Lz__Bus__V1__Envelope e = LZ__BUS__V1__ENVELOPE__INIT;
	size_t n;

	e.event_id = "00000000000000000000000000000000";
	e.source = (char *)source;
	e.seq = 1;
	e.type = (char *)type;
	e.timestamp_us = lz_now_us();
	n = lz__bus__v1__envelope__get_packed_size(&e);
	*out = xmalloc(n);
	lz__bus__v1__envelope__pack(&e, *out);
	return n;
}

static int
inject(struct peer *p)
{
	const char *kind = lz_config_str(p->cfg, "kind");
	const char *to = lz_config_str(p->cfg, "to");
	int replay = strncmp(kind, "replay-", 7) == 0;
	void *ctx = zmq_ctx_new();
	void *s = zmq_socket(ctx, replay ? ZMQ_DEALER : ZMQ_PUB);
	const char *tick = "lz.testing.v1.Tick";
	uint8_t junk[100], *env = NULL, *big;
	size_t n = 0;
	int linger = 1000, rc = 0;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(s, to) < 0)
		return 1;
	usleep(300000); /* let PUB's subscription list arrive */
	if (!strcmp(kind, "random") || !strcmp(kind, "replay-random")) {
		zmq_send(s, junk, sizeof(junk), 0);
	} else if (!strcmp(kind, "frames") || !strcmp(kind, "replay-frames")) {
		zmq_send(s, tick, strlen(tick), ZMQ_SNDMORE);
		zmq_send(s, junk, 10, ZMQ_SNDMORE);
		zmq_send(s, junk, 10, 0);
	} else if (!strcmp(kind, "truncated")) {
		n = envelope(&env, tick, "g");
		zmq_send(s, tick, strlen(tick), ZMQ_SNDMORE);
		zmq_send(s, env, n / 2, 0);
	} else if (!strcmp(kind, "oversize")) {
		big = xcalloc(1, 2 << 20);
		zmq_send(s, tick, strlen(tick), ZMQ_SNDMORE);
		zmq_send(s, big, 2 << 20, 0);
		free(big);
	} else if (!strcmp(kind, "bad-topic")) {
		n = envelope(&env, tick, "g");
		zmq_send(s, "lz. bad\x01", 8, ZMQ_SNDMORE);
		zmq_send(s, env, n, 0);
	} else if (!strcmp(kind, "mismatch")) {
		n = envelope(&env, "lz.orders.v1.OrderPlaced", "g");
		zmq_send(s, tick, strlen(tick), ZMQ_SNDMORE);
		zmq_send(s, env, n, 0);
	} else if (!strcmp(kind, "intruder")) {
		n = envelope(&env, "lz.nobody.v1.Nope", "intruder");
		zmq_send(s, "lz.nobody.v1.Nope", 17, ZMQ_SNDMORE);
		zmq_send(s, env, n, 0);
	} else {
		fprintf(stderr, "lz-testpeer: unknown kind %s\n", kind);
		rc = 2;
	}
	free(env);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}

static int
open_store(struct peer *p)
{
	struct lz_store_options so = {0};
	const char *dir = lz_config_str(p->cfg, "state");
	int rc;

	if (dir == NULL) {
		fprintf(stderr, "lz-testpeer: --state is required\n");
		return -1;
	}
	so.no_sync = lz_config_flag(p->cfg, "no-sync");
	if ((rc = lz_store_open(&p->store, dir, &so)) != 0 ||
	    (rc = lz_store_db(p->store, "state", 0, &p->state)) != 0) {
		fprintf(stderr, "lz-testpeer: %s: %s\n", dir,
			lz_store_strerror(rc));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct peer p = {0};
	struct lz_bus_options bo = {0};
	struct lz_http *http = NULL;
	const char *mode;
	int rc;

	p.cfg = lz_config_new("lz-testpeer", "testpeer",
			      "produce|consume|verify|inject [OPTIONS]",
			      "Test producer and consumer of Tick events.",
			      options);
	if ((rc = lz_config_main(&p.cfg, argc, argv)) >= 0)
		return rc;
	lz_config_init_log(p.cfg);
	mode = lz_config_arg(p.cfg, 0);
	if (mode == NULL) {
		fprintf(stderr,
			"lz-testpeer: say produce, consume or verify\n");
		return 2;
	}
	if (strcmp(mode, "inject") == 0) {
		rc = inject(&p);
		lz_config_destroy(&p.cfg);
		return rc;
	}
	if (open_store(&p) < 0)
		return 1;
	p.expect = (uint64_t)lz_config_int(p.cfg, "expect");
	p.reject_every = (uint64_t)lz_config_int(p.cfg, "reject-every");
	if (strcmp(mode, "verify") == 0) {
		lz_store_read(p.store, read_state_fn, &p);
		printf("verify count=%" PRIu64 " violations=%" PRIu64 "\n",
		       p.applied, p.violations);
		rc = p.violations == 0 &&
				     p.applied ==
					     p.expect -
						     (p.reject_every
							      ? p.expect /
									p.reject_every
							      : 0)
			     ? 0
			     : 1;
		lz_store_destroy(&p.store);
		lz_config_destroy(&p.cfg);
		return rc;
	}
	p.loop = lz_loop_new();
	p.metrics = lz_metrics_new();
	bo.metrics = p.metrics;
	bo.batch_max = 4096;
	if (strcmp(mode, "produce") == 0) {
		bo.source = lz_config_str(p.cfg, "source");
		bo.pub_endpoint = lz_config_str(p.cfg, "pub");
		bo.replay_bind = lz_config_str(p.cfg, "replay");
	} else if (strcmp(mode, "consume") == 0) {
		bo.follow = lz_config_str(p.cfg, "follow");
		bo.sub_endpoint = lz_config_str(p.cfg, "sub");
		bo.on_commit = on_commit;
	} else {
		fprintf(stderr, "lz-testpeer: unknown mode %s\n", mode);
		return 2;
	}
	p.bus = lz_bus_new(p.loop, p.store, &bo, apply, &p);
	if (p.bus == NULL)
		return 1;
	http = lz_http_new(p.loop, lz_config_str(p.cfg, "admin"));
	if (http)
		lz_http_admin(http, p.metrics, lz_bus_ready, p.bus);
	p.m_count = lz_metrics_gauge(p.metrics, "lz_testpeer_applied",
				     "Ticks applied", NULL, NULL);
	if (strcmp(mode, "produce") == 0) {
		p.count = (uint64_t)lz_config_int(p.cfg, "count");
		p.rate = (uint64_t)lz_config_int(p.cfg, "rate");
		p.batch = (uint64_t)lz_config_int(p.cfg, "batch");
		p.body_len = (size_t)lz_config_int(p.cfg, "body-bytes");
		p.body = xcalloc(1, p.body_len);
		memset(p.body, 'x', p.body_len);
		p.t0 = lz_mono_us();
		p.timer = lz_timer_new(p.loop, 1, 1, on_produce, &p);
	} else {
		lz_store_read(p.store, read_state_fn, &p);
		lz_metric_set(p.m_count, (double)p.applied);
		if (p.expect &&
		    lz_bus_applied_seq(p.bus, lz_config_str(p.cfg, "follow")) >=
			    p.expect)
			lz_loop_stop(p.loop);
	}
	if (http)
		lz_log_info("started", "mode=%s admin_port=%d", mode,
			    lz_http_port(http));
	rc = lz_loop_stopping(p.loop) ? 0 : lz_loop_run(p.loop);
	if (strcmp(mode, "consume") == 0)
		print_summary(&p);
	lz_timer_destroy(&p.timer);
	lz_bus_destroy(&p.bus);
	lz_http_destroy(&http);
	lz_loop_destroy(&p.loop);
	lz_store_destroy(&p.store);
	lz_metrics_destroy(&p.metrics);
	lz_config_destroy(&p.cfg);
	free(p.body);
	free(p.lat);
	free(p.pending_sent);
	return rc == 0 ? 0 : 1;
}
