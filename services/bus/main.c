/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-bus -- the stateless forwarder between publishers and subscribers.
 *
 * Publishers connect PUB sockets to its XSUB side, subscribers (services
 * and taps) connect SUB sockets to its XPUB side; subscriptions flow
 * upstream, messages downstream.  It keeps nothing: durability lives in the
 * producers' outboxes, so a restart of the bus loses no committed event.
 *
 * It forwards only well-formed messages -- two frames, [topic][Envelope],
 * the topic being the envelope's type (or a Heartbeat) -- and counts and
 * logs the rest, so garbage from one publisher never reaches subscribers.
 */
#include "lz/bus/v1/bus.pb-c.h"
#include "lz_bus.h"
#include "lz_config.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_notify.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_TOPIC 255
#define FORWARD_BATCH 1024

static const struct lz_option options[] = {
	{"xsub", LZ_OPT_STRING, "tcp://127.0.0.1:7100",
	 "endpoint publishers connect to (bound)", 0, 0},
	{"xpub", LZ_OPT_STRING, "tcp://127.0.0.1:7101",
	 "endpoint subscribers connect to (bound)", 0, 0},
	{"admin", LZ_OPT_STRING, "127.0.0.1:7180",
	 "admin HTTP address for /metrics, /healthz, /readyz", 0, 0},
	{"max-frame", LZ_OPT_INT, "1048576", "largest envelope accepted, bytes",
	 1024, 64 << 20},
	{"hwm", LZ_OPT_INT, "200000",
	 "messages queued per subscriber before dropping", 1000, 10000000},
	{"verify", LZ_OPT_FLAG, "true",
	 "decode every envelope and drop those that do not decode", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

struct bus {
	struct lz_loop *loop;
	struct lz_metrics *metrics;
	void *xsub, *xpub;
	struct lz_zwatch *xsub_watch, *xpub_watch;
	size_t max_frame;
	int verify;
	struct lz_metric *m_msgs, *m_bytes, *m_subs;
	struct lz_log_limit log_limit;
};

static const char *const drop_reasons[] = {
	"frames",        "bad_topic",    "oversize",
	"bad_heartbeat", "bad_envelope", "topic_mismatch",
};

static void
drop(struct bus *b, const char *reason, const char *topic, size_t tlen,
     size_t bytes)
{
	lz_metric_add(lz_metrics_counter(b->metrics, "lz_bus_dropped_total",
					 "Malformed messages not forwarded, "
					 "by reason",
					 "reason", reason),
		      1);
	if (lz_log_allow(&b->log_limit)) {
		char raw[65], quoted[300];
		size_t n = tlen < 64 ? tlen : 64;
		memcpy(raw, topic ? topic : "", topic ? n : 0);
		raw[topic ? n : 0] = '\0';
		lz_log_warn("message dropped", "reason=%s topic=%s bytes=%zu",
			    reason, lz_log_quote(quoted, sizeof(quoted), raw),
			    bytes);
	}
}

static int
printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return n > 0;
}

/* Returns the reason MSG (two frames) must not be forwarded, or NULL. */
static const char *
check(struct bus *b, zmq_msg_t *topic, zmq_msg_t *body)
{
	const char *t = zmq_msg_data(topic);
	size_t tlen = zmq_msg_size(topic);
	int is_hb;

	if (tlen > MAX_TOPIC || !printable(t, tlen))
		return "bad_topic";
	if (zmq_msg_size(body) > b->max_frame)
		return "oversize";
	if (!b->verify)
		return NULL;
	is_hb = tlen == strlen(LZ_BUS_HEARTBEAT_TOPIC) &&
		memcmp(t, LZ_BUS_HEARTBEAT_TOPIC, tlen) == 0;
	if (is_hb) {
		Lz__Bus__V1__Heartbeat *hb = lz__bus__v1__heartbeat__unpack(
			NULL, zmq_msg_size(body), zmq_msg_data(body));
		if (hb == NULL)
			return "bad_heartbeat";
		lz__bus__v1__heartbeat__free_unpacked(hb, NULL);
		return NULL;
	}
	Lz__Bus__V1__Envelope *e = lz__bus__v1__envelope__unpack(
		NULL, zmq_msg_size(body), zmq_msg_data(body));
	const char *why = NULL;
	if (e == NULL)
		return "bad_envelope";
	if (strlen(e->type) != tlen || memcmp(e->type, t, tlen) != 0)
		why = "topic_mismatch";
	else if (e->seq == 0 || e->source[0] == '\0')
		why = "bad_envelope";
	lz__bus__v1__envelope__free_unpacked(e, NULL);
	return why;
}

static void
on_xsub(void *sock, void *arg)
{
	struct bus *b = arg;
	int sent = 0;

	for (int i = 0; i < FORWARD_BATCH; i++) {
		zmq_msg_t f[2];
		int nf;
		size_t bytes;
		const char *why;

		zmq_msg_init(&f[0]);
		zmq_msg_init(&f[1]);
		if ((nf = lz_zmq_recv(sock, f, 2)) == 0) {
			zmq_msg_close(&f[0]);
			zmq_msg_close(&f[1]);
			break;
		}
		bytes = zmq_msg_size(&f[0]) + zmq_msg_size(&f[1]);
		why = nf != 2 ? "frames" : check(b, &f[0], &f[1]);
		if (why) {
			drop(b, why, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]),
			     bytes);
		} else {
			/* XPUB drops for a subscriber past its high-water
			 * mark; consumers recover by replay. */
			zmq_msg_send(&f[0], b->xpub,
				     ZMQ_SNDMORE | ZMQ_DONTWAIT);
			zmq_msg_send(&f[1], b->xpub, ZMQ_DONTWAIT);
			lz_metric_add(b->m_msgs, 1);
			lz_metric_add(b->m_bytes, (double)bytes);
			sent = 1;
		}
		zmq_msg_close(&f[0]);
		zmq_msg_close(&f[1]);
	}
	if (sent)
		lz_zwatch_poke(b->xpub_watch);
}

/* Subscriptions: [1|0][prefix] from subscribers, passed upstream. */
static void
on_xpub(void *sock, void *arg)
{
	struct bus *b = arg;

	for (int i = 0; i < FORWARD_BATCH; i++) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		if (zmq_msg_size(&m) > 0) {
			const unsigned char *d = zmq_msg_data(&m);
			lz_metric_add(b->m_subs, d[0] == 1 ? 1 : -1);
		}
		zmq_msg_send(&m, b->xsub, ZMQ_DONTWAIT);
		zmq_msg_close(&m);
	}
	lz_zwatch_poke(b->xsub_watch);
}

/* The longest subscription a subscriber may send (a flag byte and a topic
 * prefix: type names are far shorter). */
#define SUB_MAX 1024

static void *
bind_socket(struct bus *b, int type, const char *ep, int hwm)
{
	void *s = zmq_socket(lz_loop_zctx(b->loop), type);
	int zero = 0;
	/* Frames up to 4 x max-frame are read, counted and dropped here;
	 * larger ones make libzmq close the connection before we see them. */
	int64_t maxmsg = (int64_t)b->max_frame * 4;

	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	/* Subscribers send only subscriptions (a topic prefix): past
	 * SUB_MAX, libzmq closes the connection before reading the frame,
	 * so that neither a huge subscription nor a frame claiming a huge
	 * length reaches it. */
	if (type == ZMQ_XPUB)
		maxmsg = SUB_MAX;
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	if (zmq_bind(s, ep) < 0)
		lz_fatal("cannot bind", "endpoint=%s error=\"%s\"", ep,
			 zmq_strerror(errno));
	return s;
}

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-bus", "bus", "[OPTIONS]",
		"Forwards events from publishers (XSUB side) to subscribers "
		"(XPUB side), dropping malformed messages.  Stateless.",
		options);
	struct bus b = {0};
	struct lz_http *http;
	int rc;

	if ((rc = lz_config_daemon_main(&cfg, argc, argv)) >= 0)
		return rc;
	lz_config_init_log(cfg);
	b.loop = lz_loop_new();
	b.metrics = lz_metrics_new();
	b.max_frame = (size_t)lz_config_int(cfg, "max-frame");
	b.verify = lz_config_flag(cfg, "verify");
	b.m_msgs = lz_metrics_counter(b.metrics, "lz_bus_messages_total",
				      "Messages forwarded", NULL, NULL);
	b.m_bytes = lz_metrics_counter(b.metrics, "lz_bus_bytes_total",
				       "Bytes forwarded", NULL, NULL);
	b.m_subs = lz_metrics_gauge(b.metrics, "lz_bus_subscriptions",
				    "Subscriptions seen minus cancellations",
				    NULL, NULL);
	/* every reason on_xsub and check() drop for, at 0 */
	for (size_t i = 0; i < LZ_ARRAY_LEN(drop_reasons); i++)
		lz_metrics_counter(
			b.metrics, "lz_bus_dropped_total",
			"Malformed messages not forwarded, by reason", "reason",
			drop_reasons[i]);
	b.xsub = bind_socket(&b, ZMQ_XSUB, lz_config_str(cfg, "xsub"),
			     (int)lz_config_int(cfg, "hwm"));
	b.xpub = bind_socket(&b, ZMQ_XPUB, lz_config_str(cfg, "xpub"),
			     (int)lz_config_int(cfg, "hwm"));
	http = lz_http_new(b.loop, lz_config_str(cfg, "admin"));
	if (http == NULL)
		lz_fatal("cannot start admin http", "addr=%s",
			 lz_config_str(cfg, "admin"));
	lz_http_admin(http, b.metrics, NULL, NULL);
	b.xsub_watch = lz_zwatch_new(b.loop, b.xsub, on_xsub, &b);
	b.xpub_watch = lz_zwatch_new(b.loop, b.xpub, on_xpub, &b);
	lz_log_info("started", "xsub=%s xpub=%s admin=%s version=%s",
		    lz_config_str(cfg, "xsub"), lz_config_str(cfg, "xpub"),
		    lz_config_str(cfg, "admin"), LZ_VERSION);
	lz_notify_ready(b.loop, "forwarding %s -> %s",
			lz_config_str(cfg, "xsub"), lz_config_str(cfg, "xpub"));
	rc = lz_loop_run(b.loop);
	lz_notify_stopping("stopping after %.0f messages",
			   lz_metric_value(b.m_msgs));
	if (rc != 0)
		lz_log_error("stopped on a failure",
			     "rc=%d forwarded=%.0f exit=1", rc,
			     lz_metric_value(b.m_msgs));
	else
		lz_log_info("stopped", "forwarded=%.0f exit=0",
			    lz_metric_value(b.m_msgs));
	lz_zwatch_destroy(&b.xsub_watch);
	lz_zwatch_destroy(&b.xpub_watch);
	lz_http_destroy(&http);
	zmq_close(b.xsub);
	zmq_close(b.xpub);
	lz_loop_destroy(&b.loop);
	lz_metrics_destroy(&b.metrics);
	lz_config_destroy(&cfg);
	return rc == 0 ? 0 : 1;
}
