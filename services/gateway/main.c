/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-gateway -- the only door for partners.  It authenticates them (CURVE
 * keys over ZeroMQ, bearer tokens over HTTP), authorises each command by
 * the partner's roles, decodes and checks it, commits it durably to its
 * outbox with the partner's member as tenant, acknowledges it, and
 * publishes it on the bus.  Domain rules belong to the owning services.
 */
#include "gateway.h"

#include "lz_bus.h"
#include "lz_config.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_notify.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#ifndef LZ_WEB_ROOT
#define LZ_WEB_ROOT "/usr/share/livrazou/web"
#endif

static const struct lz_option options[] = {
	{"state", LZ_OPT_STRING, "/var/lib/livrazou/gateway",
	 "state directory (LMDB: outbox, acknowledgements)", 0, 0},
	{"partners", LZ_OPT_STRING, "/etc/livrazou/partners",
	 "partners file (reloaded on SIGHUP)", 0, 0},
	{"server-key", LZ_OPT_STRING, "/etc/livrazou/gateway.key",
	 "CURVE key pair of the gateway (lz-ctl keygen)", 0, 0},
	{"zmq", LZ_OPT_STRING, "tcp://127.0.0.1:7000",
	 "ZeroMQ endpoint for partners (CURVE)", 0, 0},
	{"http", LZ_OPT_STRING, "127.0.0.1:8080",
	 "HTTP/JSON API address for partners", 0, 0},
	{"admin", LZ_OPT_STRING, "127.0.0.1:7181",
	 "admin HTTP address for /metrics, /healthz, /readyz", 0, 0},
	{"pub", LZ_OPT_STRING, "tcp://127.0.0.1:7100", "bus XSUB endpoint", 0,
	 0},
	{"sub", LZ_OPT_STRING, "tcp://127.0.0.1:7101",
	 "bus XPUB endpoint (for the event stream)", 0, 0},
	{"replay", LZ_OPT_STRING, "tcp://127.0.0.1:7201",
	 "replay endpoint of the gateway's outbox (bound)", 0, 0},
	{"replay-advertise", LZ_OPT_STRING, NULL,
	 "replay endpoint announced in heartbeats, the one other hosts reach "
	 "(default: --replay)",
	 0, 0},
	{"orders-api", LZ_OPT_STRING, "127.0.0.1:7182",
	 "host:port of lz-orders' read models (its admin address)", 0, 0},
	{"inventory-api", LZ_OPT_STRING, "127.0.0.1:7183",
	 "host:port of lz-inventory's read models", 0, 0},
	{"tours-api", LZ_OPT_STRING, "127.0.0.1:7184",
	 "host:port of lz-tours' read models", 0, 0},
	{"bikes-api", LZ_OPT_STRING, "127.0.0.1:7185",
	 "host:port of lz-bikes' read models", 0, 0},
	{"returns-api", LZ_OPT_STRING, "127.0.0.1:7186",
	 "host:port of lz-returns' read models", 0, 0},
	{"impact-api", LZ_OPT_STRING, "127.0.0.1:7187",
	 "host:port of lz-impact's read models", 0, 0},
	{"bus-admin", LZ_OPT_STRING, "127.0.0.1:7180",
	 "host:port of lz-bus' admin address (for /v1/health)", 0, 0},
	{"users", LZ_OPT_STRING, "/etc/livrazou/users",
	 "users file of the web application (lz-ctl user; reloaded on "
	 "SIGHUP; none: no one logs in)",
	 0, 0},
	{"session-s", LZ_OPT_INT, "43200",
	 "seconds a login session lasts (a working day)", 1, 30 * 86400},
	{"cookie-secure", LZ_OPT_FLAG, "false",
	 "mark the session cookie Secure (behind a TLS reverse proxy)", 0, 0},
	{"login-attempts", LZ_OPT_INT, "5",
	 "failed logins allowed per user name (four times as many per "
	 "address) within "
	 "login-window-s",
	 1, 1000},
	{"login-window-s", LZ_OPT_INT, "900",
	 "seconds over which failed logins are counted", 1, 86400},
	{"web-root", LZ_OPT_STRING, LZ_WEB_ROOT,
	 "directory of the web application's files (served at /app/)", 0, 0},
	{"leaflet-root", LZ_OPT_STRING, "/usr/share/javascript/leaflet",
	 "directory of Leaflet (Debian's libjs-leaflet), at /app/lib/leaflet/",
	 0, 0},
	{"tile-url", LZ_OPT_STRING, "",
	 "map tile URL template for the web maps, e.g. "
	 "https://tiles.example.org/{z}/{x}/{y}.png (empty: a plain "
	 "background)",
	 0, 0},
	{"tile-attribution", LZ_OPT_STRING, "",
	 "attribution shown with the map tiles", 0, 0},
	{"source", LZ_OPT_STRING, "gateway", "source name of its events", 0, 0},
	{"max-frame", LZ_OPT_INT, "262144",
	 "largest request (ZeroMQ frame or HTTP body), bytes", 1024, 16 << 20},
	{"max-payload", LZ_OPT_INT, "131072", "largest command payload, bytes",
	 256, 16 << 20},
	{"max-string", LZ_OPT_INT, "4096",
	 "longest string or bytes field in a command", 16, 1 << 20},
	{"max-list", LZ_OPT_INT, "1000", "most items in a repeated field", 1,
	 1000000},
	{"ack-retention", LZ_OPT_INT, "604800",
	 "seconds an acknowledgement is kept for de-duplication: a partner "
	 "retrying a command later gets a new one (0: forever)",
	 0, 10LL * 366 * 86400},
	{"rate", LZ_OPT_INT, "200", "commands per second per partner", 1,
	 10000000},
	{"burst", LZ_OPT_INT, "400", "commands a partner may send at once", 1,
	 10000000},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* SIGHUP (lz_loop_on_reload): the partners and users files again; on an
 * error the ones loaded before stay. */
static void
on_reload(void *arg)
{
	struct gw *g = arg;
	struct lz_partners *np;
	char err[512];

	if (lz_partners_load(g->partners_path, &np, err, sizeof(err)) < 0) {
		lz_log_error("partners file not reloaded", "error=\"%s\"", err);
		return;
	}
	for (size_t i = 0; g->users && i < g->users->n; i++) {
		if (lz_partners_by_id(np, g->users->v[i].p.id)) {
			lz_log_error("partners file not reloaded",
				     "error=\"partner %s is also a user\"",
				     g->users->v[i].p.id);
			lz_partners_destroy(&np);
			return;
		}
	}
	/* Keep each partner's rate-limit bucket across the reload. */
	for (size_t i = 0; i < np->n; i++) {
		struct lz_partner *old =
			lz_partners_by_id(g->partners, np->v[i].id);
		if (old) {
			np->v[i].tokens = old->tokens;
			np->v[i].refill_us = old->refill_us;
		}
	}
	lz_partners_destroy(&g->partners);
	g->partners = np;
	lz_metric_set(g->m_partners, (double)np->n);
	lz_log_info("partners file reloaded", "partners=%zu", np->n);
	if (gw_users_load(g, err, sizeof(err)) < 0)
		lz_log_error("users file not reloaded", "error=\"%s\"", err);
	else
		lz_log_info("users file reloaded", "users=%zu", g->users->n);
}

/* Prune a quarter of the retention period at a time, at most every ten
 * minutes, at least every second. */
static int
prune_interval_ms(const struct gw *g)
{
	int64_t ms = g->ack_retention * 1000 / 4;

	if (g->ack_retention == 0) /* acks kept forever: sessions only */
		return 600000;
	return (int)(ms < 1000 ? 1000 : ms > 600000 ? 600000 : ms);
}

static void
on_prune_timer(void *arg)
{
	gw_acks_prune(arg);
	gw_sessions_prune(arg);
}

int
main(int argc, char **argv)
{
	static const double ack_bounds[] = {0.0005, 0.001, 0.0025, 0.005,
					    0.01,   0.025, 0.05,   0.1,
					    0.25,   0.5,   1};
	struct lz_config *cfg = lz_config_new(
		"lz-gateway", "gateway", "[OPTIONS]",
		"The partners' door: ZeroMQ with CURVE and HTTP/JSON.  Checks, "
		"commits, acknowledges and publishes their commands.",
		options);
	struct gw g;
	struct lz_bus_options bo = {0};
	struct lz_http *admin;
	char err[512];
	int rc;

	if ((rc = lz_config_daemon_main(&cfg, argc, argv)) >= 0)
		return rc;
	lz_config_init_log(cfg);
	memset(&g, 0, sizeof(g));
	g.max_frame = (size_t)lz_config_int(cfg, "max-frame");
	g.max_payload = (size_t)lz_config_int(cfg, "max-payload");
	g.max_string = (size_t)lz_config_int(cfg, "max-string");
	g.max_list = (size_t)lz_config_int(cfg, "max-list");
	g.rate = (double)lz_config_int(cfg, "rate");
	g.burst = (double)lz_config_int(cfg, "burst");
	g.ack_retention = lz_config_int(cfg, "ack-retention");
	g.partners_path = xstrdup(lz_config_str(cfg, "partners"));
	if (lz_partners_load(g.partners_path, &g.partners, err, sizeof(err)) <
	    0)
		lz_fatal("cannot read partners file", "error=\"%s\"", err);
	g.users_path = xstrdup(lz_config_str(cfg, "users"));
	g.session_s = lz_config_int(cfg, "session-s");
	g.cookie_secure = lz_config_flag(cfg, "cookie-secure");
	g.login_attempts = (unsigned)lz_config_int(cfg, "login-attempts");
	g.login_window = lz_config_int(cfg, "login-window-s");
	g.web_root = lz_config_str(cfg, "web-root");
	g.leaflet_root = lz_config_str(cfg, "leaflet-root");
	g.tile_url = lz_config_str(cfg, "tile-url");
	g.tile_attribution = lz_config_str(cfg, "tile-attribution");
	{
		static const char *const apis[GW_UP_N] = {
			"orders-api", "inventory-api", "tours-api",
			"bikes-api",  "returns-api",   "impact-api",
			"bus-admin",
		};
		for (int i = 0; i < GW_UP_N; i++)
			if (gw_reads_set(&g, (enum gw_upstream)i,
					 lz_config_str(cfg, apis[i])) < 0)
				lz_fatal("bad service address", "option=%s",
					 apis[i]);
	}

	g.loop = lz_loop_new();
	g.metrics = lz_metrics_new();
	g.m_ack_seconds = lz_metrics_histogram(
		g.metrics, "lz_gateway_ack_seconds",
		"Time from a command's arrival to its acknowledgement",
		ack_bounds, (int)LZ_ARRAY_LEN(ack_bounds));
	g.m_sse_clients = lz_metrics_gauge(g.metrics, "lz_gateway_sse_clients",
					   "Open event streams", NULL, NULL);
	g.m_partners =
		lz_metrics_gauge(g.metrics, "lz_gateway_partners",
				 "Partners in the partners file", NULL, NULL);
	lz_metric_set(g.m_partners, (double)g.partners->n);
	g.m_users = lz_metrics_gauge(g.metrics, "lz_gateway_users",
				     "Users in the users file", NULL, NULL);
	if (gw_users_load(&g, err, sizeof(err)) < 0)
		lz_fatal("cannot read users file", "error=\"%s\"", err);
	if ((rc = lz_store_open(&g.store, lz_config_str(cfg, "state"), NULL)) !=
	    0)
		lz_fatal("cannot open state", "dir=%s error=\"%s\"",
			 lz_config_str(cfg, "state"), lz_store_strerror(rc));
	if ((rc = gw_acks_open(&g)) != 0 || (rc = gw_sessions_open(&g)) != 0)
		lz_fatal("cannot open state", "error=\"%s\"",
			 lz_store_strerror(rc));
	bo.source = lz_config_str(cfg, "source");
	bo.pub_endpoint = lz_config_str(cfg, "pub");
	bo.replay_bind = lz_config_str(cfg, "replay");
	bo.replay_advertise = lz_config_str(cfg, "replay-advertise");
	bo.metrics = g.metrics;
	g.bus = lz_bus_new(g.loop, g.store, &bo, NULL, NULL);
	if (g.bus == NULL)
		lz_fatal("cannot start the bus client", NULL);
	gw_submit_init(&g);
	if (gw_zmq_start(&g, lz_config_str(cfg, "zmq"),
			 lz_config_str(cfg, "server-key")) < 0)
		lz_fatal("cannot start the ZeroMQ API", NULL);
	if (gw_http_start(&g, lz_config_str(cfg, "http"),
			  lz_config_str(cfg, "sub")) < 0)
		lz_fatal("cannot start the HTTP API", NULL);
	admin = lz_http_new(g.loop, lz_config_str(cfg, "admin"));
	if (admin == NULL)
		lz_fatal("cannot start admin http", NULL);
	lz_http_admin(admin, g.metrics, NULL, NULL);
	lz_loop_on_reload(g.loop, "partners", on_reload, &g);
	gw_acks_prune(&g);
	g.prune_timer = lz_timer_new(g.loop, prune_interval_ms(&g), 1,
				     on_prune_timer, &g);
	lz_log_info("started",
		    "partners=%zu users=%zu outbox_seq=%llu version=%s",
		    g.partners->n, g.users->n,
		    (unsigned long long)lz_bus_outbox_seq(g.bus), LZ_VERSION);

	lz_notify_ready(g.loop, "serving %zu partners", g.partners->n);
	rc = lz_loop_run(g.loop);
	lz_notify_stopping("stopping, outbox at %llu",
			   (unsigned long long)lz_bus_outbox_seq(g.bus));

	gw_flush(&g); /* anything checked but not yet committed */
	if (rc == 0)
		rc = lz_loop_failure(g.loop); /* that last commit failed */
	if (rc != 0)
		lz_log_error("stopped on a failure",
			     "rc=%d outbox_seq=%llu exit=1", rc,
			     (unsigned long long)lz_bus_outbox_seq(g.bus));
	else
		lz_log_info("stopped", "outbox_seq=%llu exit=0",
			    (unsigned long long)lz_bus_outbox_seq(g.bus));
	lz_timer_destroy(&g.prune_timer);
	gw_http_stop(&g);
	gw_zmq_stop(&g);
	lz_http_destroy(&admin);
	event_free(g.flush_ev);
	lz_bus_destroy(&g.bus);
	lz_store_destroy(&g.store);
	lz_loop_destroy(&g.loop);
	lz_metrics_destroy(&g.metrics);
	lz_partners_destroy(&g.partners);
	free(g.partners_path);
	free(g.users_path);
	free(g.q);
	lz_config_destroy(&cfg);
	return rc == 0 ? 0 : 1;
}
