/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-returns -- the circular-economy service (DESIGN.md section 6):
 * container types and the deposit ledger, declarations of unsold food,
 * biowaste, packaging and co-products, outlets and the matching of flows
 * by the food-waste hierarchy, collection requests to tours or bikes,
 * processing confirmations, and the forecast of collection points.
 *
 * Startup (lz_daemon): config -> log -> store -> time zone -> databases
 * -> bus -> http -> forecast timer -> run; SIGTERM/SIGINT stop after the
 * batch in progress is committed.
 */
#include "lz_daemon.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"
#include "returns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct lz_option options[] = {
	{"bike-zone", LZ_OPT_STRING, "centre",
	 "site zone whose collections are asked of the bikes service", 0, 0},
	{"collect-window", LZ_OPT_STRING, "08:00-18:00",
	 "local hours of a collection window (HH:MM-HH:MM)", 0, 0},
	{"collect-days-ahead", LZ_OPT_INT, "1",
	 "collection day: today + N (1: the next planning wave)", 0, 14},
	{"van-speed-kmh", LZ_OPT_INT, "25",
	 "average speed to an outlet, km/h (arrival estimate)", 1, 130},
	{"circuity", LZ_OPT_STRING, "1.35",
	 "road distance / great-circle distance (1..3)", 0, 0},
	{"safety-margin-s", LZ_OPT_INT, "43200",
	 "seconds before the use-by date food must reach a donation or "
	 "transformation outlet",
	 0, 30 * 86400},
	{"history-days", LZ_OPT_INT, "28",
	 "days of returns the forecast looks back on", 1, 365},
	{"lead-s", LZ_OPT_INT, "86400",
	 "request a point's collection this long before it is full, unless "
	 "the point sets its own",
	 0, 30 * 86400},
	{"forecast-interval-s", LZ_OPT_INT, "60",
	 "seconds between forecasts (and new matches of unmatched flows)", 1,
	 86400},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* "HH:MM" -> seconds after midnight, or -1. */
static int
parse_hhmm(const char *s)
{
	int h, m;

	if (s == NULL || sscanf(s, "%2d:%2d", &h, &m) != 2 || h < 0 || h > 24 ||
	    m < 0 || m > 59 || h * 3600 + m * 60 > 86400)
		return -1;
	return h * 3600 + m * 60;
}

static int
tick_fn(struct lz_bus_txn *tx, void *arg)
{
	return returns_tick(arg, tx, lz_now_us() / 1000000);
}

static void
on_timer(void *arg)
{
	struct returns *r = arg;
	char why[128];
	int rc;

	/* Not before every followed source is applied: the returns of a
	 * point may still be on their way. */
	if (!lz_bus_ready(r->bus, why, sizeof(why)))
		return;
	if ((rc = lz_bus_write(r->bus, tick_fn, r)) != 0)
		lz_log_error("forecast failed", "error=\"%s\"",
			     lz_store_strerror(rc));
	lz_service_sync_metrics(&r->svc);
}

/* Shows the labelled counters lz_service_init_metrics cannot know at 0:
 * the grams diverted at every level of the hierarchy, the collections
 * asked of either collector. */
static void
init_metrics(struct lz_metrics *m)
{
	const ProtobufCEnumDescriptor *d =
		&lz__returns__v1__hierarchy_level__descriptor;
	char name[64];

	for (unsigned i = 0; i < d->n_values; i++) {
		if (d->values[i].value == 0)
			continue;
		snprintf(name, sizeof(name), "diverted_g/%s",
			 returns_level_name(d->values[i].value));
		lz_metrics_init_stat(m, returns_stat_metrics,
				     returns_n_stat_metrics, name);
	}
	lz_metrics_init_stat(m, returns_stat_metrics, returns_n_stat_metrics,
			     "requests/bikes");
	lz_metrics_init_stat(m, returns_stat_metrics, returns_n_stat_metrics,
			     "requests/tours");
}

static const struct lz_daemon_spec spec = {
	.prog = "lz-returns",
	.name = "returns",
	.summary = "The circular-economy service: container types and the "
		   "deposit ledger, declarations of unsold food, biowaste and "
		   "packaging, outlets, matching by the food-waste hierarchy, "
		   "collection requests to tours or bikes, processing "
		   "confirmations; read models at GET /v1/balances, "
		   "/v1/flows, /v1/outlets, /v1/levels on the admin address.",
	.replay = 7250,
	.admin = 7186,
	.follow = "gateway,orders,inventory,tours,bikes",
	.zoned = 1,
};

int
main(int argc, char **argv)
{
	struct lz_daemon d = {0};
	struct lz_config *cfg;
	struct returns r = {0};
	struct lz_timer *timer;
	const char *s, *dash;
	int rc;

	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
		return rc;
	cfg = d.cfg;
	lz_daemon_open(&d);
	r.conf.bike_zone = lz_config_str(cfg, "bike-zone");
	s = lz_config_str(cfg, "collect-window");
	dash = s ? strchr(s, '-') : NULL;
	r.conf.collect_from = parse_hhmm(s);
	r.conf.collect_until = dash ? parse_hhmm(dash + 1) : -1;
	if (r.conf.collect_from < 0 || r.conf.collect_until < 0 ||
	    r.conf.collect_from >= r.conf.collect_until)
		lz_fatal("bad collect-window", "want=HH:MM-HH:MM");
	r.conf.days_ahead = (int)lz_config_int(cfg, "collect-days-ahead");
	r.conf.match.speed = lz_config_int(cfg, "van-speed-kmh") / 3.6;
	r.conf.match.circuity = atof(lz_config_str(cfg, "circuity"));
	if (!(r.conf.match.circuity >= 1 && r.conf.match.circuity <= 3))
		lz_fatal("bad circuity", "circuity=%s",
			 lz_config_str(cfg, "circuity"));
	r.conf.match.safety_margin = lz_config_int(cfg, "safety-margin-s");
	r.conf.history_window = lz_config_int(cfg, "history-days") * 86400;
	r.conf.default_lead = lz_config_int(cfg, "lead-s");

	r.store = d.store;
	r.metrics = d.metrics;
	init_metrics(r.metrics);
	if ((rc = returns_store_open(r.store, &r.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));
	r.svc = (struct lz_service){
		.name = "returns",
		.state = &r,
		.commands = returns_commands,
		.n_commands = returns_n_commands,
		.follows = returns_follows,
		.n_follows = returns_n_follows,
		.refusal = &lz__returns__v1__command_refused__descriptor,
		.stats = r.db.meta,
		.stat_prefix = "stat/",
		.stat_metrics = returns_stat_metrics,
		.n_stat_metrics = returns_n_stat_metrics,
	};
	lz_daemon_serve(&d, &r.svc, NULL);
	r.bus = d.bus;
	returns_http_routes(d.http, &r);
	timer = lz_timer_new(
		d.loop, (int)lz_config_int(cfg, "forecast-interval-s") * 1000,
		1, on_timer, &r);
	rc = lz_daemon_run(&d);
	lz_timer_destroy(&timer);
	lz_daemon_close(&d);
	return rc;
}
