/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-inventory -- the hub's storage zones and lots, receptions,
 * reservations for hub-stock orders (first expired, first out), picking,
 * stock counts and the expiry watch (DESIGN.md section 6).
 *
 * It follows the gateway (partners' commands), the orders service and the
 * tours service (tours planned and started, goods unloaded from producer
 * pickups) on the bus, applies each event exactly once with its LMDB store
 * (commands.c, follow.c), publishes what it decides from its outbox, runs
 * the expiry watch on a timer (expiry.c), and serves its read models on
 * the admin HTTP address (query.c).
 *
 * Startup (lz_daemon): config -> log -> store -> databases -> bus ->
 * http -> expiry timer -> run; SIGTERM/SIGINT stop after the batch in
 * progress is committed.
 */
#include "inventory.h"
#include "lz_daemon.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_store.h"

static const struct lz_option options[] = {
	{"expiry-horizon", LZ_OPT_INT, "172800",
	 "seconds ahead the expiry watch announces lots nearing their date", 0,
	 31536000},
	{"expiry-scan", LZ_OPT_INT, "300", "seconds between expiry scans", 1,
	 86400},
	{"pick-on-start", LZ_OPT_FLAG, "false",
	 "a tour's start picks its orders as listed (no PickTour; set it "
	 "in [common], lz-tours then does not check the start)",
	 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

static const struct lz_daemon_spec spec = {
	.prog = "lz-inventory",
	.name = "inventory",
	.summary = "The inventory service: the hub's storage zones and lots, "
		   "receptions, first-expired-first-out reservations for hub-"
		   "stock orders, picking, stock counts and the expiry watch; "
		   "read models under /v1/ on the admin address.",
	.replay = 7220,
	.admin = 7183,
	.follow = "gateway,orders,tours",
};

int
main(int argc, char **argv)
{
	struct lz_daemon d = {0};
	struct lz_config *cfg;
	struct inventory inv = {0};
	struct lz_timer *timer;
	int rc;

	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
		return rc;
	cfg = d.cfg;
	lz_daemon_open(&d);
	inv.horizon = lz_config_int(cfg, "expiry-horizon");
	inv.pick_on_start = lz_config_flag(cfg, "pick-on-start");
	inv.store = d.store;
	inv.metrics = d.metrics;
	if ((rc = inventory_store_open(inv.store, &inv.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));
	inv.svc = (struct lz_service){
		.name = "inventory",
		.state = &inv,
		.commands = inventory_commands,
		.n_commands = inventory_n_commands,
		.follows = inventory_follows,
		.n_follows = inventory_n_follows,
		.refusal = &lz__inventory__v1__command_refused__descriptor,
		.stats = inv.db.stats,
		.stat_prefix = "",
		.stat_metrics = inventory_stat_metrics,
		.n_stat_metrics = inventory_n_stat_metrics,
		.sync_more = inventory_sync_gauges,
	};
	lz_daemon_serve(&d, &inv.svc, NULL);
	inv.bus = d.bus;
	inventory_http_routes(d.http, &inv);
	timer = inventory_expiry_start(&inv, d.loop,
				       (int)lz_config_int(cfg, "expiry-scan"));
	lz_log_info("settings", "horizon=%lld pick_on_start=%d",
		    (long long)inv.horizon, inv.pick_on_start);
	rc = lz_daemon_run(&d);
	lz_timer_destroy(&timer);
	lz_daemon_close(&d);
	return rc;
}
