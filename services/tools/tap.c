/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-tap -- watch the bus: subscribe to topic prefixes and print every event
 * as one JSON line; or replay a source's history from its replay endpoint.
 *
 *   lz-tap lz.orders. lz.tours.          live events of two domains
 *   lz-tap --replay orders --from 120    history of source "orders"
 *   lz-tap --config /etc/livrazou/livrazou.ini lz.orders.
 *                                        the deployment's bus ([bus] xpub)
 *
 * Each line is an event as lz_evjson_envelope() writes it: the envelope's
 * fields and the decoded payload; an unknown type, or a payload that does
 * not decode, is printed in base64 instead of failing.
 */
#include "lz/bus/v1/bus.pb-c.h"
#include "lz_bus.h"
#include "lz_config.h"
#include "lz_evjson.h"
#include "lz_json.h"
#include "lz_log.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static const struct lz_option options[] = {
	{"sub", LZ_OPT_STRING, "tcp://127.0.0.1:7101",
	 "bus XPUB endpoint to subscribe to (with --config: [bus] xpub)", 0, 0},
	{"count", LZ_OPT_INT, "0", "exit after printing N events (0: no limit)",
	 0, 2000000000},
	{"timeout", LZ_OPT_INT, "0",
	 "exit after S seconds without an event (0: wait forever)", 0,
	 86400 * 365},
	{"replay", LZ_OPT_STRING, NULL,
	 "print the history of this source instead of live events", 0, 0},
	{"from", LZ_OPT_INT, "1", "first sequence to replay", 1,
	 (long long)1 << 62},
	{"replay-endpoint", LZ_OPT_STRING, NULL,
	 "the source's replay endpoint (default: with --config, the "
	 "replay-advertise or replay of the source's section; else learnt "
	 "from its heartbeat)",
	 0, 0},
	{"heartbeats", LZ_OPT_FLAG, "false", "also print heartbeats", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

struct tap {
	long long count, printed, bad;
	int timeout_ms;
	int64_t active_us; /* when the last line was printed */
	int heartbeats;
};

static void
print_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (s) {
		puts(s);
		fflush(stdout);
		free(s);
	}
}

static void
print_envelope(struct tap *t, const char *topic, const Lz__Bus__V1__Envelope *e)
{
	char *s = lz_evjson_dumps(e, topic);

	puts(s);
	fflush(stdout);
	free(s);
	t->printed++;
	t->active_us = lz_mono_us();
}

static void
bad(struct tap *t, const char *what, size_t bytes)
{
	t->bad++;
	lz_log_warn("undecodable message", "what=%s bytes=%zu", what, bytes);
}

/* Handles one bus message; a heartbeat of SOURCE sets *ENDPOINT. */
static void
on_message(struct tap *t, zmq_msg_t *f, int n, const char *source,
	   char **endpoint)
{
	char topic[256];
	size_t tl = zmq_msg_size(&f[0]);

	if (n != 2 || tl >= sizeof(topic)) {
		bad(t, "frames", n > 0 ? zmq_msg_size(&f[0]) : 0);
		return;
	}
	memcpy(topic, zmq_msg_data(&f[0]), tl);
	topic[tl] = '\0';
	if (strcmp(topic, LZ_BUS_HEARTBEAT_TOPIC) == 0) {
		Lz__Bus__V1__Heartbeat *hb = lz__bus__v1__heartbeat__unpack(
			NULL, zmq_msg_size(&f[1]), zmq_msg_data(&f[1]));
		if (hb == NULL) {
			bad(t, "heartbeat", zmq_msg_size(&f[1]));
			return;
		}
		if (source && endpoint && *endpoint == NULL &&
		    strcmp(hb->source, source) == 0 && hb->replay_endpoint[0])
			*endpoint = xstrdup(hb->replay_endpoint);
		if (t->heartbeats && source == NULL) {
			json_t *o = lz_json_from_message(&hb->base);
			json_t *line = json_object();
			json_object_set_new(line, "topic", json_string(topic));
			json_object_set(line, "heartbeat", o);
			print_line(line);
			json_decref(line);
			json_decref(o);
		}
		lz__bus__v1__heartbeat__free_unpacked(hb, NULL);
		return;
	}
	if (source)
		return;
	Lz__Bus__V1__Envelope *e = lz__bus__v1__envelope__unpack(
		NULL, zmq_msg_size(&f[1]), zmq_msg_data(&f[1]));
	if (e == NULL) {
		bad(t, "envelope", zmq_msg_size(&f[1]));
		return;
	}
	print_envelope(t, topic, e);
	lz__bus__v1__envelope__free_unpacked(e, NULL);
}

/* Waits for input on SOCK for at most the timeout (forever if none);
 * returns 1 when readable, 0 on timeout or interruption. */
static int
wait_readable(struct tap *t, void *sock)
{
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	long wait = -1;

	/* --timeout counts from the last line printed: heartbeats and
	 * events of other prefixes do not keep the tap alive. */
	if (t->timeout_ms) {
		wait = t->timeout_ms - (lz_mono_us() - t->active_us) / 1000;
		if (wait <= 0)
			return 0;
	}
	return zmq_poll(&it, 1, wait) > 0;
}

static int
done(const struct tap *t)
{
	return t->count && t->printed >= t->count;
}

static int
live(struct tap *t, void *sub)
{
	while (!done(t) && wait_readable(t, sub)) {
		zmq_msg_t f[2];
		int n;

		zmq_msg_init(&f[0]);
		zmq_msg_init(&f[1]);
		while (!done(t) && (n = lz_zmq_recv(sub, f, 2)) > 0) {
			on_message(t, f, n, NULL, NULL);
			zmq_msg_close(&f[0]);
			zmq_msg_close(&f[1]);
			zmq_msg_init(&f[0]);
			zmq_msg_init(&f[1]);
		}
		zmq_msg_close(&f[0]);
		zmq_msg_close(&f[1]);
	}
	return 0;
}

/* Waits for a heartbeat of SOURCE on the bus and returns its endpoint. */
static char *
discover(struct tap *t, void *sub, const char *source)
{
	char *ep = NULL;
	int64_t end = lz_mono_us() + 5000000;

	while (ep == NULL && lz_mono_us() < end) {
		zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
		zmq_msg_t f[2];
		int n;

		if (zmq_poll(&it, 1, 200) <= 0)
			continue;
		zmq_msg_init(&f[0]);
		zmq_msg_init(&f[1]);
		if ((n = lz_zmq_recv(sub, f, 2)) > 0)
			on_message(t, f, n, source, &ep);
		zmq_msg_close(&f[0]);
		zmq_msg_close(&f[1]);
	}
	return ep;
}

static int
replay(struct tap *t, void *ctx, const char *endpoint, const char *source,
       uint64_t from)
{
	void *d = zmq_socket(ctx, ZMQ_DEALER);
	int zero = 0, rc = 0;

	zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(d, endpoint) < 0) {
		fprintf(stderr, "lz-tap: cannot connect to %s: %s\n", endpoint,
			zmq_strerror(errno));
		zmq_close(d);
		return 1;
	}
	for (;;) {
		Lz__Bus__V1__ReplayRequest req =
			LZ__BUS__V1__REPLAY_REQUEST__INIT;
		Lz__Bus__V1__ReplayReply *r;
		uint8_t buf[512];
		zmq_msg_t m;
		zmq_pollitem_t it = {d, 0, ZMQ_POLLIN, 0};

		req.source = (char *)source;
		req.from_seq = from;
		req.max_events = 1000;
		zmq_send(d, buf, lz__bus__v1__replay_request__pack(&req, buf),
			 0);
		if (zmq_poll(&it, 1, t->timeout_ms ? t->timeout_ms : 5000) <=
		    0) {
			fprintf(stderr, "lz-tap: no answer from %s\n",
				endpoint);
			rc = 1;
			break;
		}
		zmq_msg_init(&m);
		zmq_msg_recv(&m, d, 0);
		r = lz__bus__v1__replay_reply__unpack(NULL, zmq_msg_size(&m),
						      zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (r == NULL) {
			fprintf(stderr, "lz-tap: undecodable replay reply\n");
			rc = 1;
			break;
		}
		if (r->status != LZ__BUS__V1__REPLAY_STATUS__REPLAY_STATUS_OK) {
			fprintf(stderr, "lz-tap: replay refused: %s\n",
				r->error);
			lz__bus__v1__replay_reply__free_unpacked(r, NULL);
			rc = 1;
			break;
		}
		for (size_t i = 0; i < r->n_events && !done(t); i++) {
			print_envelope(t, NULL, r->events[i]);
			from = r->events[i]->seq + 1;
		}
		int more = r->n_events > 0 && from <= r->latest_seq && !done(t);
		lz__bus__v1__replay_reply__free_unpacked(r, NULL);
		if (!more)
			break;
	}
	zmq_close(d);
	return rc;
}

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-tap", "tap", "[OPTIONS] [TOPIC-PREFIX...]",
		"Prints the events on the bus whose topic (type name) starts "
		"with one of the prefixes (all events if none), one JSON line "
		"each; or, with --replay SOURCE, the history of a source from "
		"its replay endpoint.  With --config, the endpoints not given "
		"on the command line are the deployment's.",
		options);
	struct tap t = {0};
	void *ctx, *sub;
	int rc;
	const char *source;

	if ((rc = lz_config_main(&cfg, argc, argv)) >= 0)
		return rc;
	lz_config_init_log(cfg);
	if (sodium_init() < 0)
		lz_fatal("cannot initialise libsodium", NULL);
	t.count = lz_config_int(cfg, "count");
	t.timeout_ms = (int)lz_config_int(cfg, "timeout") * 1000;
	t.active_us = lz_mono_us();
	t.heartbeats = lz_config_flag(cfg, "heartbeats");
	source = lz_config_str(cfg, "replay");
	/* With --config, the deployment's bus and replay endpoints, unless
	 * given on the command line. */
	lz_config_from_section(cfg, "sub", "bus", "xpub");
	if (source && !lz_config_from_section(cfg, "replay-endpoint", source,
					      "replay-advertise"))
		lz_config_from_section(cfg, "replay-endpoint", source,
				       "replay");
	ctx = zmq_ctx_new();
	sub = zmq_socket(ctx, ZMQ_SUB);
	int zero = 0;
	zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof(zero));
	if (source) {
		zmq_setsockopt(sub, ZMQ_SUBSCRIBE, LZ_BUS_HEARTBEAT_TOPIC,
			       strlen(LZ_BUS_HEARTBEAT_TOPIC));
	} else if (lz_config_nargs(cfg) == 0) {
		zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	} else {
		for (int i = 0; i < lz_config_nargs(cfg); i++)
			zmq_setsockopt(sub, ZMQ_SUBSCRIBE,
				       lz_config_arg(cfg, i),
				       strlen(lz_config_arg(cfg, i)));
		if (t.heartbeats)
			zmq_setsockopt(sub, ZMQ_SUBSCRIBE,
				       LZ_BUS_HEARTBEAT_TOPIC,
				       strlen(LZ_BUS_HEARTBEAT_TOPIC));
	}
	if (zmq_connect(sub, lz_config_str(cfg, "sub")) < 0) {
		fprintf(stderr, "lz-tap: cannot connect to %s: %s\n",
			lz_config_str(cfg, "sub"), zmq_strerror(errno));
		return 1;
	}
	if (source) {
		const char *ep = lz_config_str(cfg, "replay-endpoint");
		char *found = ep ? NULL : discover(&t, sub, source);
		if (ep == NULL && found == NULL) {
			fprintf(stderr,
				"lz-tap: no heartbeat from source %s on %s in "
				"5 "
				"s; give --replay-endpoint\n",
				source, lz_config_str(cfg, "sub"));
			rc = 1;
		} else {
			rc = replay(&t, ctx, ep ? ep : found, source,
				    (uint64_t)lz_config_int(cfg, "from"));
		}
		free(found);
	} else {
		rc = live(&t, sub);
	}
	zmq_close(sub);
	zmq_ctx_term(ctx);
	lz_config_destroy(&cfg);
	if (t.bad)
		lz_log_warn("undecodable messages skipped", "count=%lld",
			    t.bad);
	return rc;
}
