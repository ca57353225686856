/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-tours -- the tour planning service (DESIGN.md section 6): the fleet,
 * the tasks built from the orders' and returns' events, planning waves
 * solved with the routing engine, the tours and their execution by the
 * drivers.
 *
 * It follows the gateway (partners' commands, commands.c), the orders
 * service (the directory and the orders' lifecycle, follow.c), the
 * inventory (the orders picked, which a start needs) and the returns
 * service (collection requests) on the bus, applies each event
 * exactly once with its LMDB store through lz_service, publishes what it
 * decides (TourPlanned, TaskStatusChanged, CommandRefused, ...) from its
 * outbox, plans the next day's wave at the cut-off (wave.c), and serves
 * its read models on the admin HTTP address (query.c).
 *
 * Startup (lz_daemon): config -> log -> store -> time zone -> matrix ->
 * databases -> bus -> http -> cut-off timer -> run; SIGTERM/SIGINT stop
 * after the batch in progress is committed.
 */
#include "lz_daemon.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"
#include "tours.h"
#include "wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct lz_option options[] = {
	{"time-limit-ms", LZ_OPT_INT, "2000",
	 "wall-clock limit of a wave's solve, ms (0: iterations only)", 0,
	 600000},
	{"iterations", LZ_OPT_INT, "0",
	 "iteration limit of a wave's solve (0: time only)", 0, 100000000},
	{"insert-iterations", LZ_OPT_INT, "200",
	 "solver iterations to insert a late task into a planned tour", 1,
	 1000000},
	{"seed", LZ_OPT_INT, "1", "solver seed", 0, 0},
	{"circuity", LZ_OPT_STRING, "1.35",
	 "road distance / great-circle distance (1..3)", 0, 0},
	{"van-speed-kmh", LZ_OPT_INT, "0",
	 "one van speed for every leg, km/h (0: the speed model below)", 0,
	 130},
	{"urban-speed-kmh", LZ_OPT_INT, "20",
	 "van speed model: speed of a leg up to urban-km, km/h", 1, 130},
	{"road-speed-kmh", LZ_OPT_INT, "60",
	 "van speed model: speed beyond urban-km, km/h", 1, 130},
	{"urban-km", LZ_OPT_INT, "5",
	 "van speed model: the first km of a leg driven at urban speed", 0,
	 1000},
	{"bike-speed-kmh", LZ_OPT_INT, "15", "average cargo-bike speed, km/h",
	 1, 50},
	{"bike-zone", LZ_OPT_STRING, "centre",
	 "site zone served by bike from the bike relay", 0, 0},
	{"bike-wave", LZ_OPT_STRING, "10:00",
	 "local time the bikes leave the relay (HH:MM): vans arrive before", 0,
	 0},
	{"setup-s", LZ_OPT_INT, "120",
	 "seconds once per stop (parking, access), whatever its tasks", 0,
	 7200},
	{"service-s", LZ_OPT_INT, "180", "seconds per task at a stop", 0, 7200},
	{"relay-service-s", LZ_OPT_INT, "480",
	 "seconds per drop at the bike relay (consolidated parcels)", 0, 7200},
	{"handling-s", LZ_OPT_INT, "1800",
	 "seconds from goods back at the hub (a producer's, a failed "
	 "delivery's) to goods ready for another tour",
	 0, 86400},
	{"max-attempts", LZ_OPT_INT, "2",
	 "failed stops before a task (and its order) fails", 1, 10},
	{"cutoff", LZ_OPT_STRING, "",
	 "local time (HH:MM) at which the next day's wave is planned; empty: "
	 "only on PlanWave",
	 0, 0},
	{"cutoff-wave", LZ_OPT_STRING, "day",
	 "name of the wave the cut-off plans", 0, 0},
	{"pick-on-start", LZ_OPT_FLAG, "false",
	 "lz-inventory picks each tour at its start (its own pick-on-start; "
	 "set it in [common]): a start is not refused for orders not picked",
	 0, 0},
	{"matrix", LZ_OPT_STRING, "",
	 "CSV travel matrix from_site,to_site,metres,seconds (used when "
	 "present)",
	 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* "HH:MM" -> seconds after midnight, or -1. */
static int
parse_hhmm(const char *s)
{
	int h, m;
	char extra;

	if (s == NULL || sscanf(s, "%d:%d%c", &h, &m, &extra) != 2 || h < 0 ||
	    h > 24 || m < 0 || m > 59 || h * 3600 + m * 60 > 86400)
		return -1;
	return h * 3600 + m * 60;
}

/* Creates the reasons a wave counts unplanned tasks for at zero, so that
 * dashboards see them at once (lz_service_init_metrics creates the rest). */
static void
init_metrics(struct lz_metrics *m)
{
	for (int r = RS_UNKNOWN_SITE; r <= RS_NO_ROOM; r++)
		lz_metrics_counter(m, "lz_tours_tasks_unplanned_total",
				   "Tasks a wave could not plan, by reason",
				   "reason", tours_reason_name(r));
}

/* The lz_service's sync_more: the gauges beside the counters. */
static int
sync_gauges(MDB_txn *txn, void *arg)
{
	struct tours *t = arg;

	return tours_store_sync_gauges(txn, &t->db, t->metrics);
}

static const struct lz_daemon_spec spec = {
	.prog = "lz-tours",
	.name = "tours",
	.summary = "The tour planning service: registers vehicles, builds "
		   "delivery, pickup and collection tasks from the orders' and "
		   "returns' events, plans waves with the routing engine, "
		   "follows the drivers' reports, and serves the tours at GET "
		   "/v1/tours on the admin address.",
	.replay = 7230,
	.admin = 7184,
	.follow = "gateway,orders,inventory,returns",
	.zoned = 1,
};

int
main(int argc, char **argv)
{
	struct lz_daemon d = {0};
	struct lz_config *cfg;
	struct tours t = {0};
	struct tours_matrix *matrix = NULL;
	struct lz_timer *timer = NULL;
	char err[300];
	const char *s;
	int rc, bw;

	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
		return rc;
	cfg = d.cfg;
	lz_daemon_open(&d);
	tours_conf_init(&t.conf);
	t.conf.circuity = atof(lz_config_str(cfg, "circuity"));
	if (!(t.conf.circuity >= 1 && t.conf.circuity <= 3))
		lz_fatal("bad circuity", "circuity=%s",
			 lz_config_str(cfg, "circuity"));
	/* One speed, when given, wins over the speed model. */
	t.conf.speed_van = lz_config_int(cfg, "van-speed-kmh") / 3.6;
	t.conf.van_urban_speed = lz_config_int(cfg, "urban-speed-kmh") / 3.6;
	t.conf.van_road_speed = lz_config_int(cfg, "road-speed-kmh") / 3.6;
	t.conf.van_urban_m = lz_config_int(cfg, "urban-km") * 1000.0;
	t.conf.speed_bike = lz_config_int(cfg, "bike-speed-kmh") / 3.6;
	t.conf.bike_zone = lz_config_str(cfg, "bike-zone");
	if ((bw = parse_hhmm(lz_config_str(cfg, "bike-wave"))) < 0)
		lz_fatal("bad bike-wave", "want=HH:MM");
	t.conf.bike_wave_start = bw;
	t.conf.setup_s = (int)lz_config_int(cfg, "setup-s");
	t.conf.service_s = (int)lz_config_int(cfg, "service-s");
	t.conf.handling_s = (int)lz_config_int(cfg, "handling-s");
	t.conf.relay_service_s = (int)lz_config_int(cfg, "relay-service-s");
	t.conf.time_limit = lz_config_int(cfg, "time-limit-ms") / 1000.0;
	t.conf.iterations = lz_config_int(cfg, "iterations");
	if (t.conf.time_limit <= 0 && t.conf.iterations <= 0)
		lz_fatal("no solver limit",
			 "want=\"time-limit-ms or iterations\"");
	t.conf.seed = (uint64_t)lz_config_int(cfg, "seed");
	t.insert_iterations = lz_config_int(cfg, "insert-iterations");
	t.max_attempts = (int)lz_config_int(cfg, "max-attempts");
	s = lz_config_str(cfg, "cutoff");
	t.cutoff = s && s[0] ? parse_hhmm(s) : -1;
	if (s && s[0] && t.cutoff < 0)
		lz_fatal("bad cutoff", "want=HH:MM");
	t.cutoff_wave = lz_config_str(cfg, "cutoff-wave");
	t.pick_on_start = lz_config_flag(cfg, "pick-on-start");
	if (!lz_valid_id(t.cutoff_wave) || strlen(t.cutoff_wave) > 32)
		lz_fatal("bad cutoff-wave",
			 "want=\"1..32 characters of [A-Za-z0-9._-]\"");
	s = lz_config_str(cfg, "matrix");
	if (s && s[0]) {
		if (tours_matrix_load(s, &matrix, err, sizeof(err)) != 0)
			lz_fatal("cannot read the matrix",
				 "file=%s error=\"%s\"", s, err);
		t.conf.matrix = matrix;
	}

	t.store = d.store;
	t.metrics = d.metrics;
	init_metrics(t.metrics);
	if ((rc = tours_store_open(t.store, &t.db)) != 0)
		lz_fatal("cannot open databases", "error=\"%s\"",
			 lz_store_strerror(rc));
	t.svc = (struct lz_service){
		.name = "tours",
		.state = &t,
		.commands = tours_commands,
		.n_commands = tours_n_commands,
		.follows = tours_follows,
		.n_follows = tours_n_follows,
		.refusal = &lz__tours__v1__command_refused__descriptor,
		.stats = t.db.meta,
		.stat_prefix = "stat/",
		.stat_metrics = tours_stat_metrics,
		.n_stat_metrics = tours_n_stat_metrics,
		.sync_more = sync_gauges,
	};
	lz_daemon_serve(&d, &t.svc, NULL);
	t.bus = d.bus;
	tours_http_routes(d.http, &t);
	if (t.cutoff >= 0)
		timer = lz_timer_new(d.loop, 30000, 1, tours_wave_cutoff, &t);
	lz_log_info("settings",
		    "time_limit_ms=%lld iterations=%lld pick_on_start=%d",
		    lz_config_int(cfg, "time-limit-ms"),
		    lz_config_int(cfg, "iterations"), t.pick_on_start);
	if (t.conf.speed_van > 0)
		lz_log_info(
			"travel times", "van_kmh=%lld bike_kmh=%lld matrix=%d",
			lz_config_int(cfg, "van-speed-kmh"),
			lz_config_int(cfg, "bike-speed-kmh"), matrix != NULL);
	else
		lz_log_info(
			"travel times",
			"van_urban_kmh=%lld van_road_kmh=%lld urban_km=%lld "
			"bike_kmh=%lld matrix=%d",
			lz_config_int(cfg, "urban-speed-kmh"),
			lz_config_int(cfg, "road-speed-kmh"),
			lz_config_int(cfg, "urban-km"),
			lz_config_int(cfg, "bike-speed-kmh"), matrix != NULL);
	rc = lz_daemon_run(&d);
	lz_timer_destroy(&timer);
	lz_daemon_close(&d);
	tours_matrix_destroy(&matrix);
	return rc;
}
