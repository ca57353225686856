/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-bikes -- the bike relay dispatch service (DESIGN.md section 6): the
 * last kilometre in the centre zone by cargo bike.  Riders, bikes and
 * shifts; the parcels the van tours drop at the bike relay; reverse-flow
 * pickups; several short runs per rider and shift planned with the routing
 * engine and re-planned on arrivals, shifts and failures; the riders'
 * reports, which the orders service follows.
 *
 * Startup (lz_daemon): config -> log -> store -> time zone -> zone ->
 * databases -> bus -> http -> run; SIGTERM/SIGINT stop after the batch in
 * progress is committed.
 */
#include "bikes.h"
#include "dispatch.h"

#include "lz_daemon.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_service.h"
#include "lz_store.h"

#include <stdlib.h>

static const struct lz_option options[] = {
	{"centre-zone", LZ_OPT_STRING, "",
	 "the centre zone: polygons separated by ';', each \"lon lat, lon "
	 "lat, ...\" (WGS84 degrees, at least 3 vertices); empty: every site",
	 0, 0},
	{"bike-speed-kmh", LZ_OPT_INT, "15", "average cargo-bike speed, km/h",
	 1, 50},
	{"circuity", LZ_OPT_STRING, "1.3",
	 "road distance / great-circle distance (1..3)", 0, 0},
	{"service-s", LZ_OPT_INT, "180", "seconds at a stop", 0, 3600},
	{"run-max-s", LZ_OPT_INT, "5400",
	 "longest run from the relay and back, seconds", 600, 43200},
	{"reload-s", LZ_OPT_INT, "600", "seconds at the relay between two runs",
	 0, 7200},
	{"min-run-s", LZ_OPT_INT, "1200",
	 "shortest time left in a shift worth a run, seconds", 60, 43200},
	{"shift-s", LZ_OPT_INT, "14400",
	 "length of a shift started without an end, seconds", 600, 86400},
	{"handling-s", LZ_OPT_INT, "900",
	 "seconds to unload and sort a parcel at the relay (after the van's "
	 "drop, a failure, a return) before a run may take it",
	 0, 14400},
	{"max-attempts", LZ_OPT_INT, "2",
	 "failed deliveries before a parcel (and its order) fails", 1, 10},
	{"iterations", LZ_OPT_INT, "300", "solver iterations per re-planning",
	 1, 100000000},
	{"time-limit-ms", LZ_OPT_INT, "0",
	 "wall-clock limit of a re-planning, ms (0: iterations only)", 0,
	 600000},
	{"seed", LZ_OPT_INT, "1", "solver seed", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* The bus's on_commit hook (ARG is the struct lz_service): the
 * re-planning the batch asked for, then the metrics. */
static void
on_commit(void *arg)
{
	struct lz_service *svc = arg;

	bikes_dispatch_pending(svc->state);
	lz_service_sync_metrics(svc);
}

static const struct lz_daemon_spec spec = {
	.prog = "lz-bikes",
	.name = "bikes",
	.summary = "The bike relay dispatch service: registers riders and "
		   "bikes, receives the parcels the van tours drop at the bike"
		   " relay and the centre's reverse-flow pickups, plans "
		   "several short runs per rider and shift with the routing "
		   "engine, follows the riders' reports, and serves the runs "
		   "at GET /v1/runs on the admin address.",
	.replay = 7240,
	.admin = 7185,
	.follow = "gateway,orders,tours,returns",
	.zoned = 1,
};

int
main(int argc, char **argv)
{
	struct lz_daemon d = {0};
	struct lz_config *cfg;
	struct bikes b = {0};
	char err[200];
	int rc;

	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
		return rc;
	cfg = d.cfg;
	lz_daemon_open(&d);
	if (bikes_zone_parse(lz_config_str(cfg, "centre-zone"), &b.zone, err,
			     sizeof(err)) != 0)
		lz_fatal("bad centre-zone", "error=\"%s\"", err);
	bikes_conf_init(&b.conf);
	b.conf.speed = lz_config_int(cfg, "bike-speed-kmh") / 3.6;
	b.conf.circuity = atof(lz_config_str(cfg, "circuity"));
	if (!(b.conf.circuity >= 1 && b.conf.circuity <= 3))
		lz_fatal("bad circuity", "circuity=%s",
			 lz_config_str(cfg, "circuity"));
	b.conf.service_s = (int)lz_config_int(cfg, "service-s");
	b.conf.run_max_s = (int)lz_config_int(cfg, "run-max-s");
	b.conf.reload_s = (int)lz_config_int(cfg, "reload-s");
	b.conf.min_run_s = (int)lz_config_int(cfg, "min-run-s");
	b.conf.iterations = lz_config_int(cfg, "iterations");
	b.conf.time_limit = lz_config_int(cfg, "time-limit-ms") / 1000.0;
	b.conf.seed = (uint64_t)lz_config_int(cfg, "seed");
	b.shift_s = (int)lz_config_int(cfg, "shift-s");
	b.max_attempts = (int)lz_config_int(cfg, "max-attempts");
	b.handling_s = (int)lz_config_int(cfg, "handling-s");
	b.store = d.store;
	b.metrics = d.metrics;
	if ((rc = bikes_store_open(b.store, &b.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));
	b.svc = (struct lz_service){
		.name = "bikes",
		.state = &b,
		.commands = bikes_commands,
		.n_commands = bikes_n_commands,
		.follows = bikes_follows,
		.n_follows = bikes_n_follows,
		.refusal = &lz__bikes__v1__command_refused__descriptor,
		.stats = b.db.meta,
		.stat_prefix = "stat/",
		.stat_metrics = bikes_stat_metrics,
		.n_stat_metrics = bikes_n_stat_metrics,
	};
	lz_daemon_serve(&d, &b.svc, on_commit);
	b.bus = d.bus;
	/* A re-planning asked for just before a stop; the metrics. */
	on_commit(&b.svc);
	bikes_http_routes(d.http, &b);
	lz_log_info("settings", "polygons=%zu", b.zone.n);
	rc = lz_daemon_run(&d);
	lz_daemon_close(&d);
	bikes_zone_free(&b.zone);
	return rc;
}
