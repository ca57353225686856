/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-sim -- the partner simulator.
 *
 *   lz-sim setup --dir DIR                 key pairs and the partners file
 *   lz-sim run --dir DIR --server-key K    the territory and its days,
 *          [--seed N --orders N --days N --speed N --json FILE]
 *   lz-sim summary --dir DIR [--json FILE] the figures, from the services
 */
#include "lz_config.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_util.h"
#include "play.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct lz_option options[] = {
	{"dir", LZ_OPT_STRING, NULL,
	 "directory of the partners' keys (keys/<id>.key) and partners file", 0,
	 0},
	{"seed", LZ_OPT_INT, "1",
	 "the territory and the days: same seed, same "
	 "run",
	 0, 0},
	{"orders", LZ_OPT_INT, "60", "orders placed each day", 1, 2000},
	{"days", LZ_OPT_INT, "1", "days played", 1, 30},
	{"speed", LZ_OPT_INT, "1800",
	 "simulated seconds per real second for the drivers' and riders' "
	 "reports",
	 1, 1000000},
	{"failures", LZ_OPT_INT, "60",
	 "stops failed (closed, absent) per thousand", 0, 1000},
	{"short-picks", LZ_OPT_INT, "150",
	 "lines the hub picks short (1 or 2 units) per thousand", 0, 1000},
	{"date", LZ_OPT_STRING, NULL, "first day played (default: tomorrow)", 0,
	 0},
	{"timezone", LZ_OPT_STRING, "Europe/Paris", "the territory's time zone",
	 0, 0},
	{"timeout", LZ_OPT_INT, "60",
	 "seconds to wait for the services to apply a step", 1, 3600},
	{"gateway", LZ_OPT_STRING, "tcp://127.0.0.1:7000",
	 "the gateway's ZeroMQ endpoint", 0, 0},
	{"server-key", LZ_OPT_STRING, NULL,
	 "the gateway's public key (Z85) or key file", 0, 0},
	{"gateway-admin", LZ_OPT_STRING, "127.0.0.1:7181",
	 "lz-gateway's admin address", 0, 0},
	{"orders-api", LZ_OPT_STRING, "127.0.0.1:7182",
	 "lz-orders' admin address", 0, 0},
	{"inventory-api", LZ_OPT_STRING, "127.0.0.1:7183",
	 "lz-inventory's admin address", 0, 0},
	{"tours-api", LZ_OPT_STRING, "127.0.0.1:7184",
	 "lz-tours' admin address", 0, 0},
	{"bikes-api", LZ_OPT_STRING, "",
	 "lz-bikes' admin address (empty: no riders)", 0, 0},
	{"returns-api", LZ_OPT_STRING, "",
	 "lz-returns' admin address (empty: no reverse flows)", 0, 0},
	{"impact-api", LZ_OPT_STRING, "",
	 "lz-impact's admin address (empty: no impact figures)", 0, 0},
	{"json", LZ_OPT_STRING, NULL, "run, summary: write the summary as JSON",
	 0, 0},
	{"quiet", LZ_OPT_FLAG, "false", "run: no progress lines", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

static void
on_signal(int sig)
{
	(void)sig;
	sim_stopping = 1;
}

static int
summary(const struct sim_run *r, const char *json_path)
{
	json_t *s = sim_summary_read(r);
	int rc = 0;

	if (s == NULL)
		return 1;
	sim_summary_print(s, stdout);
	if (json_path && json_dump_file(s, json_path, JSON_INDENT(1)) != 0) {
		fprintf(stderr, "lz-sim: cannot write %s\n", json_path);
		rc = 1;
	}
	json_decref(s);
	return rc;
}

static int
start(struct lz_config *cfg, struct sim_run *r)
{
	const char *date = lz_config_str(cfg, "date");
	char tomorrow[11];

	memset(r, 0, sizeof(*r));
	r->dir = lz_config_str(cfg, "dir");
	r->gateway = lz_config_str(cfg, "gateway");
	r->server_key = lz_config_str(cfg, "server-key");
	r->api.gateway = lz_config_str(cfg, "gateway-admin");
	r->api.orders = lz_config_str(cfg, "orders-api");
	r->api.inventory = lz_config_str(cfg, "inventory-api");
	r->api.tours = lz_config_str(cfg, "tours-api");
	r->api.bikes = lz_config_str(cfg, "bikes-api");
	r->api.returns = lz_config_str(cfg, "returns-api");
	r->api.impact = lz_config_str(cfg, "impact-api");
	r->seed = (uint64_t)lz_config_int(cfg, "seed");
	r->orders = (size_t)lz_config_int(cfg, "orders");
	r->days = (int)lz_config_int(cfg, "days");
	r->speed = (double)lz_config_int(cfg, "speed");
	r->failure_permille = (unsigned)lz_config_int(cfg, "failures");
	r->short_pick_permille = (unsigned)lz_config_int(cfg, "short-picks");
	r->timeout_s = (int)lz_config_int(cfg, "timeout");
	r->progress = lz_config_flag(cfg, "quiet") ? NULL : stdout;
	if (r->dir == NULL) {
		fprintf(stderr, "lz-sim: --dir is needed\n");
		return -1;
	}
	if (lz_date_set_timezone(lz_config_str(cfg, "timezone")) < 0) {
		fprintf(stderr, "lz-sim: unknown time zone %s\n",
			lz_config_str(cfg, "timezone"));
		return -1;
	}
	if (date == NULL) {
		if (lz_date_local((int64_t)time(NULL) + 86400, tomorrow) < 0)
			return -1;
		date = tomorrow;
	}
	if (!lz_date_valid(date)) {
		fprintf(stderr, "lz-sim: --date: want YYYY-MM-DD, not %s\n",
			date);
		return -1;
	}
	snprintf(r->first_date, sizeof(r->first_date), "%s", date);
	sim_territory_init(&r->t, r->seed, r->orders / 3);
	return 0;
}

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-sim", "sim", "setup | run | summary [OPTIONS]",
		"Partner simulator: a territory around Marseille (members of "
		"the social economy, a hub at Les Arnavaux, a bike relay at "
		"the Vieux-Port, producers outside the city, customers and "
		"relay points across the arrondissements) and its days, played "
		"through lz-gateway with the partners' CURVE keys.  setup "
		"writes the keys and the partners file into --dir; run "
		"registers the territory, receives stock, places orders, "
		"declares reverse flows, plans the waves and plays the "
		"drivers' and riders' reports on an accelerated clock, then "
		"prints the summary; summary prints the figures again.  Every "
		"figure is read from the services (orders, tours, and bikes, "
		"returns and impact when their -api address is given).",
		options);
	struct sigaction sa;
	struct sim_run r;
	const char *cmd;
	int rc = lz_config_parse(cfg, argc, argv);

	if (rc != 0) {
		lz_config_destroy(&cfg);
		return rc > 0 ? 0 : 2;
	}
	lz_config_init_log(cfg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cmd = lz_config_arg(cfg, 0);
	if (cmd == NULL || (strcmp(cmd, "setup") && strcmp(cmd, "run") &&
			    strcmp(cmd, "summary"))) {
		fprintf(stderr, "lz-sim: say setup, run or summary (see "
				"--help)\n");
		lz_config_destroy(&cfg);
		return 2;
	}
	if (start(cfg, &r) < 0) {
		lz_config_destroy(&cfg);
		return 2;
	}
	if (strcmp(cmd, "setup") == 0) {
		rc = sim_setup(&r.t, r.dir) < 0;
	} else if (strcmp(cmd, "summary") == 0) {
		rc = summary(&r, lz_config_str(cfg, "json"));
	} else if (r.server_key == NULL) {
		fprintf(stderr, "lz-sim: run needs --server-key\n");
		rc = 2;
	} else {
		rc = sim_play(&r) < 0;
		if (rc == 0)
			rc = summary(&r, lz_config_str(cfg, "json"));
		else if (sim_stopping)
			fprintf(stderr, "lz-sim: stopped\n");
	}
	sim_run_release(&r);
	lz_config_destroy(&cfg);
	return rc;
}
