/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-impact -- the impact service (DESIGN.md section 6): km and CO2e of
 * the pooled tours and bike runs against each member running its own
 * rounds, fill rates, empty running, bike deliveries, food diverted,
 * containers reused, work hours; reports over any period as JSON, CSV and
 * HTML on the admin address.
 *
 * Startup (lz_daemon): config -> log -> store -> time zone -> databases
 * -> bus -> http -> run; SIGTERM/SIGINT stop after the batch in progress
 * is committed.
 */
#include "impact.h"
#include "lz_daemon.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct lz_option options[] = {
	{"diesel-g-per-l", LZ_OPT_INT, "3170",
	 "gCO2e per litre of diesel, well-to-wheel", 1, 100000},
	{"petrol-g-per-l", LZ_OPT_INT, "0",
	 "gCO2e per litre of petrol (0: not configured)", 0, 100000},
	{"cng-g-per-kg", LZ_OPT_INT, "0",
	 "gCO2e per kg of natural gas (0: not configured)", 0, 100000},
	{"electricity-g-per-kwh", LZ_OPT_INT, "48",
	 "gCO2e per kWh of electricity", 0, 100000},
	{"van-ml-per-100km", LZ_OPT_INT, "8500",
	 "diesel of a van whose record gives no consumption, ml/100 km", 1,
	 100000},
	{"bike-wh-per-100km", LZ_OPT_INT, "2000",
	 "electricity of an assisted cargo bike, Wh/100 km", 0, 100000},
	{"counterfactual", LZ_OPT_STRING, "own-rounds",
	 "own-rounds (each origin's rounds, routing engine) or direct-trips "
	 "(a return trip per order)",
	 0, 0},
	{"cf-van-ml-per-100km", LZ_OPT_INT, "8500",
	 "diesel of the members' own vans, ml/100 km", 1, 100000},
	{"cf-van-capacity-kg", LZ_OPT_INT, "800",
	 "payload of the members' own vans, kg", 1, 100000},
	{"cf-iterations", LZ_OPT_INT, "300",
	 "solver iterations per origin and day", 1, 100000},
	{"circuity", LZ_OPT_STRING, "1.35",
	 "road distance / great-circle distance (1..3)", 0, 0},
	{"seed", LZ_OPT_INT, "1", "solver seed", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

static void
read_conf(struct lz_config *cfg, struct impact_conf *c)
{
	const char *m = lz_config_str(cfg, "counterfactual");

	impact_conf_init(c);
	c->diesel_g_per_l = lz_config_int(cfg, "diesel-g-per-l");
	c->petrol_g_per_l = lz_config_int(cfg, "petrol-g-per-l");
	c->cng_g_per_kg = lz_config_int(cfg, "cng-g-per-kg");
	c->electricity_g_per_kwh = lz_config_int(cfg, "electricity-g-per-kwh");
	c->van_ml_per_100km = lz_config_int(cfg, "van-ml-per-100km");
	c->bike_wh_per_100km = lz_config_int(cfg, "bike-wh-per-100km");
	c->cf_van_ml_per_100km = lz_config_int(cfg, "cf-van-ml-per-100km");
	c->cf_capacity_g = lz_config_int(cfg, "cf-van-capacity-kg") * 1000;
	c->cf_iterations = lz_config_int(cfg, "cf-iterations");
	c->seed = (uint64_t)lz_config_int(cfg, "seed");
	c->circuity = atof(lz_config_str(cfg, "circuity"));
	if (!(c->circuity >= 1 && c->circuity <= 3))
		lz_fatal("bad circuity", "circuity=%s",
			 lz_config_str(cfg, "circuity"));
	if (strcmp(m, "own-rounds") == 0)
		c->method = CF_OWN_ROUNDS;
	else if (strcmp(m, "direct-trips") == 0)
		c->method = CF_DIRECT_TRIPS;
	else
		lz_fatal("bad counterfactual",
			 "want=\"own-rounds or direct-trips\"");
}

static const struct lz_daemon_spec spec = {
	.prog = "lz-impact",
	.name = "impact",
	.summary = "The impact service: follows orders, tours, bikes and "
		   "returns, and reports the km and CO2e of the pooled rounds "
		   "against each member running its own, fill rates, bike "
		   "deliveries, food diverted, containers reused and work "
		   "hours at GET /v1/report on the admin address.",
	.replay = 7260,
	.admin = 7187,
	.follow = "orders,tours,bikes,returns",
	.zoned = 1,
};

int
main(int argc, char **argv)
{
	struct lz_daemon d = {0};
	struct lz_config *cfg;
	struct impact im = {0};
	int rc;

	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
		return rc;
	cfg = d.cfg;
	lz_daemon_open(&d);
	read_conf(cfg, &im.conf);
	im.store = d.store;
	im.metrics = d.metrics;
	lz_metrics_counter(im.metrics, CF_SOLVES, CF_SOLVES_HELP, NULL, NULL);
	for (size_t i = 0; impact_ignore_reasons[i]; i++) {
		char name[64];

		snprintf(name, sizeof(name), "ignored/%s",
			 impact_ignore_reasons[i]);
		lz_metrics_init_stat(im.metrics, impact_stat_metrics,
				     impact_n_stat_metrics, name);
	}
	if ((rc = impact_store_open(im.store, &im.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));
	im.svc = (struct lz_service){
		.name = "impact",
		.state = &im,
		.follows = impact_follows,
		.n_follows = impact_n_follows,
		.stats = im.db.meta,
		.stat_prefix = "stat/",
		.stat_metrics = impact_stat_metrics,
		.n_stat_metrics = impact_n_stat_metrics,
	};
	lz_daemon_serve(&d, &im.svc, NULL);
	im.bus = d.bus;
	impact_http_routes(d.http, &im);
	lz_log_info("settings", "counterfactual=%s",
		    lz_config_str(cfg, "counterfactual"));
	rc = lz_daemon_run(&d);
	lz_daemon_close(&d);
	return rc;
}
