/*
 * lz-inventory -- the hub's storage zones and lots, receptions,
 * reservations for hub-stock orders (first expired, first out), picking,
 * stock counts and the expiry watch (DESIGN.md section 6).
 *
 * It follows the gateway (partners' commands), the orders service and the
 * tours service (goods unloaded from producer pickups) on the bus, applies
 * each event exactly once with its LMDB store (handlers.c), publishes what
 * it decides from its outbox, runs the expiry watch on a timer (expiry.c),
 * and serves its read models on the admin HTTP address (query.c).
 *
 * Startup: config -> log -> loop -> store -> bus -> http -> expiry timer
 * -> run; SIGTERM/SIGINT stop after the batch in progress is committed.
 */
#include "inventory.h"
#include "lz_bus.h"
#include "lz_config.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdlib.h>
#include <string.h>

static const struct lz_option options[] = {
	{"state", LZ_OPT_STRING, "/var/lib/livrazou/inventory",
	 "state directory (LMDB environment)", 0, 0},
	{"pub", LZ_OPT_STRING, "tcp://127.0.0.1:7100",
	 "bus XSUB endpoint to publish on", 0, 0},
	{"sub", LZ_OPT_STRING, "tcp://127.0.0.1:7101",
	 "bus XPUB endpoint to consume from", 0, 0},
	{"replay", LZ_OPT_STRING, "tcp://127.0.0.1:7220",
	 "replay endpoint to bind (serves this service's outbox)", 0, 0},
	{"replay-advertise", LZ_OPT_STRING, NULL,
	 "replay endpoint announced in heartbeats (default: --replay)", 0, 0},
	{"admin", LZ_OPT_STRING, "127.0.0.1:7183",
	 "HTTP address of /metrics, /healthz, /readyz and the read models", 0,
	 0},
	{"follow", LZ_OPT_STRING, "gateway,orders,tours",
	 "comma-separated sources whose events are applied", 0, 0},
	{"source", LZ_OPT_STRING, "inventory", "this service's source name", 0,
	 0},
	{"expiry-horizon", LZ_OPT_INT, "172800",
	 "seconds ahead the expiry watch announces lots nearing their date", 0,
	 31536000},
	{"expiry-scan", LZ_OPT_INT, "300", "seconds between expiry scans", 1,
	 86400},
	{"no-sync", LZ_OPT_FLAG, "false",
	 "do not fsync at commit (tests only: a crash may lose commits)", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-inventory", "inventory", "[OPTIONS]",
		"The inventory service: the hub's storage zones and lots, "
		"receptions, first-expired-first-out reservations for "
		"hub-stock orders, picking, stock counts and the expiry "
		"watch; read models under /v1/ on the admin address.",
		options);
	struct inventory inv = {0};
	struct lz_store_options so = {0};
	struct lz_bus_options bo = {0};
	struct lz_loop *loop;
	struct lz_http *http;
	struct lz_timer *timer;
	int rc = lz_config_parse(cfg, argc, argv);

	if (rc != 0) {
		lz_config_destroy(&cfg);
		return rc > 0 ? 0 : 2;
	}
	lz_config_init_log(cfg);
	inv.horizon = lz_config_int(cfg, "expiry-horizon");

	loop = lz_loop_new();
	inv.metrics = lz_metrics_new();
	so.no_sync = lz_config_flag(cfg, "no-sync");
	if ((rc = lz_store_open(&inv.store, lz_config_str(cfg, "state"), &so)))
		lz_fatal("cannot open state", "dir=%s error=\"%s\"",
			 lz_config_str(cfg, "state"), lz_store_strerror(rc));
	if ((rc = inventory_store_open(inv.store, &inv.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));

	bo.source = lz_config_str(cfg, "source");
	bo.pub_endpoint = lz_config_str(cfg, "pub");
	bo.sub_endpoint = lz_config_str(cfg, "sub");
	bo.replay_bind = lz_config_str(cfg, "replay");
	bo.replay_advertise = lz_config_str(cfg, "replay-advertise");
	bo.follow = lz_config_str(cfg, "follow");
	bo.metrics = inv.metrics;
	bo.on_commit = inventory_sync_metrics;
	if ((inv.bus = lz_bus_new(loop, inv.store, &bo, inventory_apply,
				  &inv)) == NULL)
		lz_fatal("cannot start the bus client", NULL);

	if ((http = lz_http_new(loop, lz_config_str(cfg, "admin"))) == NULL)
		lz_fatal("cannot start admin http", "addr=%s",
			 lz_config_str(cfg, "admin"));
	lz_http_admin(http, inv.metrics, lz_bus_ready, inv.bus);
	inventory_http_routes(http, &inv);
	timer = inventory_expiry_start(&inv, loop,
				       (int)lz_config_int(cfg, "expiry-scan"));

	lz_log_info("started",
		    "state=%s follow=%s admin=%s admin_port=%d horizon=%lld "
		    "version=%s",
		    lz_config_str(cfg, "state"), lz_config_str(cfg, "follow"),
		    lz_config_str(cfg, "admin"), lz_http_port(http),
		    (long long)inv.horizon, LZ_VERSION);
	rc = lz_loop_run(loop);
	lz_log_info("stopped", "outbox_seq=%llu",
		    (unsigned long long)lz_bus_outbox_seq(inv.bus));
	lz_timer_destroy(&timer);
	lz_http_destroy(&http);
	lz_bus_destroy(&inv.bus);
	lz_loop_destroy(&loop);
	lz_store_destroy(&inv.store);
	lz_metrics_destroy(&inv.metrics);
	lz_config_destroy(&cfg);
	return rc == 0 ? 0 : 1;
}
