/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-orders -- the directory of members and sites, and the order
 * lifecycle (DESIGN.md section 6).
 *
 * It follows the gateway (partners' commands) on the bus, applies each
 * command exactly once with its LMDB store (commands.c; the inventory's,
 * tours' and bikes' events in follow.c), publishes what it
 * decides (OrderPlaced, OrderRejected, ...) from its outbox, and serves
 * its read models on the admin HTTP address (query.c).
 *
 * Startup (lz_daemon): config -> log -> store -> time zone -> databases
 * -> bus -> http -> run; SIGTERM/SIGINT stop after the batch in progress
 * is committed.
 */
#include "lz_daemon.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "orders.h"
#include "rules.h"

static const struct lz_option options[] = {
	{"grace", LZ_OPT_INT, "0",
	 "seconds a window may start before the command's time", 0, 86400},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* Creates the gauge of every status at zero, so that dashboards see them
 * at once (lz_service_init_metrics creates the counters). */
static void
init_metrics(struct lz_metrics *m)
{
	for (int st = ST_PLACED; st < ST_COUNT; st++)
		lz_metrics_gauge(m, "lz_orders", "Orders by status", "status",
				 orders_status_name(st));
}

static const struct lz_daemon_spec spec = {
	.prog = "lz-orders",
	.name = "orders",
	.summary = "The orders service: registers members and sites, checks "
		   "and records orders (placed, amended, cancelled), follows "
		   "their status, and serves them at GET /v1/orders on the "
		   "admin address.",
	.replay = 7210,
	.admin = 7182,
	.follow = "gateway,inventory,tours,bikes",
	.zoned = 1,
};

int
main(int argc, char **argv)
{
	struct lz_daemon d = {0};
	struct lz_config *cfg;
	struct orders o = {0};
	const char *tz;
	int rc;

	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
		return rc;
	cfg = d.cfg;
	lz_daemon_open(&d);
	tz = lz_config_str(cfg, "timezone");
	o.grace = lz_config_int(cfg, "grace");
	o.store = d.store;
	o.metrics = d.metrics;
	init_metrics(o.metrics);
	if ((rc = orders_store_open(o.store, &o.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));
	o.svc = (struct lz_service){
		.name = "orders",
		.state = &o,
		.commands = orders_commands,
		.n_commands = orders_n_commands,
		.follows = orders_follows,
		.n_follows = orders_n_follows,
		.refusal = &lz__orders__v1__order_rejected__descriptor,
		.stats = o.db.stats,
		.stat_prefix = "",
		.stat_metrics = orders_stat_metrics,
		.n_stat_metrics = orders_n_stat_metrics,
	};
	lz_daemon_serve(&d, &o.svc, NULL);
	orders_http_routes(d.http, &o);
	lz_log_info("settings", "timezone=%s grace=%lld", tz,
		    (long long)o.grace);
	rc = lz_daemon_run(&d);
	lz_daemon_close(&d);
	return rc;
}
