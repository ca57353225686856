/*
 * lz-orders -- the directory of members and sites, and the order
 * lifecycle (DESIGN.md section 6).
 *
 * It follows the gateway (partners' commands) on the bus, applies each
 * command exactly once with its LMDB store (handlers.c), publishes what it
 * decides (OrderPlaced, OrderRejected, ...) from its outbox, and serves
 * its read models on the admin HTTP address (query.c).
 *
 * Startup: config -> log -> time zone -> loop -> store -> bus -> http ->
 * run; SIGTERM/SIGINT stop after the batch in progress is committed.
 */
#include "lz_bus.h"
#include "lz_config.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"
#include "orders.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

static const struct lz_option options[] = {
	{"state", LZ_OPT_STRING, "/var/lib/livrazou/orders",
	 "state directory (LMDB environment)", 0, 0},
	{"pub", LZ_OPT_STRING, "tcp://127.0.0.1:7100",
	 "bus XSUB endpoint to publish on", 0, 0},
	{"sub", LZ_OPT_STRING, "tcp://127.0.0.1:7101",
	 "bus XPUB endpoint to consume from", 0, 0},
	{"replay", LZ_OPT_STRING, "tcp://127.0.0.1:7210",
	 "replay endpoint to bind (serves this service's outbox)", 0, 0},
	{"replay-advertise", LZ_OPT_STRING, NULL,
	 "replay endpoint announced in heartbeats (default: --replay)", 0, 0},
	{"admin", LZ_OPT_STRING, "127.0.0.1:7182",
	 "HTTP address of /metrics, /healthz, /readyz and /v1/orders", 0, 0},
	{"follow", LZ_OPT_STRING, "gateway,inventory,tours,bikes",
	 "comma-separated sources whose events are applied", 0, 0},
	{"source", LZ_OPT_STRING, "orders", "this service's source name", 0, 0},
	{"timezone", LZ_OPT_STRING, "Europe/Paris",
	 "time zone of opening hours and of dates (IANA name or POSIX TZ)", 0,
	 0},
	{"grace", LZ_OPT_INT, "0",
	 "seconds a window may start before the command's time", 0, 86400},
	{"no-sync", LZ_OPT_FLAG, "false",
	 "do not fsync at commit (tests only: a crash may lose commits)", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* Creates every metric at zero, so that dashboards see them at once. */
static void
init_metrics(struct lz_metrics *m)
{
	lz_metrics_counter(m, "lz_orders_placed_total", "Orders placed", NULL,
			   NULL);
	lz_metrics_counter(m, "lz_orders_bad_payload_total",
			   "Commands whose payload did not decode", NULL, NULL);
	lz_metrics_counter(m, "lz_orders_illegal_transitions_total",
			   "Status changes refused by the state machine", NULL,
			   NULL);
	for (int rj = RJ_NONE + 1; rj < RJ_COUNT; rj++)
		lz_metrics_counter(m, "lz_orders_rejected_total",
				   "Commands refused, by reason", "reason",
				   orders_reason_name(rj));
	for (int st = ST_PLACED; st < ST_COUNT; st++)
		lz_metrics_gauge(m, "lz_orders", "Orders by status", "status",
				 orders_status_name(st));
}

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-orders", "orders", "[OPTIONS]",
		"The orders service: registers members and sites, checks and "
		"records orders (placed, amended, cancelled), follows their "
		"status, and serves them at GET /v1/orders on the admin "
		"address.",
		options);
	struct orders o = {0};
	struct lz_store_options so = {0};
	struct lz_bus_options bo = {0};
	struct lz_loop *loop;
	struct lz_bus *bus;
	struct lz_http *http;
	const char *tz;
	int rc = lz_config_parse(cfg, argc, argv);

	if (rc != 0) {
		lz_config_destroy(&cfg);
		return rc > 0 ? 0 : 2;
	}
	lz_config_init_log(cfg);
	tz = lz_config_str(cfg, "timezone");
	if (orders_rules_set_timezone(tz) != 0)
		lz_fatal("unknown time zone", "timezone=%s", tz);
	o.grace = lz_config_int(cfg, "grace");

	loop = lz_loop_new();
	o.metrics = lz_metrics_new();
	init_metrics(o.metrics);
	so.no_sync = lz_config_flag(cfg, "no-sync");
	if ((rc = lz_store_open(&o.store, lz_config_str(cfg, "state"), &so)))
		lz_fatal("cannot open state", "dir=%s error=\"%s\"",
			 lz_config_str(cfg, "state"), lz_store_strerror(rc));
	if ((rc = orders_store_open(o.store, &o.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));

	bo.source = lz_config_str(cfg, "source");
	bo.pub_endpoint = lz_config_str(cfg, "pub");
	bo.sub_endpoint = lz_config_str(cfg, "sub");
	bo.replay_bind = lz_config_str(cfg, "replay");
	bo.replay_advertise = lz_config_str(cfg, "replay-advertise");
	bo.follow = lz_config_str(cfg, "follow");
	bo.metrics = o.metrics;
	bo.on_commit = orders_sync_metrics;
	if ((bus = lz_bus_new(loop, o.store, &bo, orders_apply, &o)) == NULL)
		lz_fatal("cannot start the bus client", NULL);
	orders_sync_metrics(&o);

	if ((http = lz_http_new(loop, lz_config_str(cfg, "admin"))) == NULL)
		lz_fatal("cannot start admin http", "addr=%s",
			 lz_config_str(cfg, "admin"));
	lz_http_admin(http, o.metrics, lz_bus_ready, bus);
	orders_http_routes(http, &o);

	lz_log_info("started",
		    "state=%s follow=%s timezone=%s admin=%s admin_port=%d "
		    "version=%s",
		    lz_config_str(cfg, "state"), lz_config_str(cfg, "follow"),
		    tz, lz_config_str(cfg, "admin"), lz_http_port(http),
		    LZ_VERSION);
	rc = lz_loop_run(loop);
	lz_log_info("stopped", "outbox_seq=%llu",
		    (unsigned long long)lz_bus_outbox_seq(bus));
	lz_http_destroy(&http);
	lz_bus_destroy(&bus);
	lz_loop_destroy(&loop);
	lz_store_destroy(&o.store);
	lz_metrics_destroy(&o.metrics);
	lz_config_destroy(&cfg);
	return rc == 0 ? 0 : 1;
}
