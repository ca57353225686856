/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_daemon.c -- see lz_daemon.h.
 */
#include "lz_daemon.h"

#include "lz_date.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_notify.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <string.h>

int
lz_daemon_init(struct lz_daemon *d, const struct lz_daemon_spec *spec,
	       const struct lz_option *options, int argc, char **argv)
{
	const struct lz_option opts[LZ_DAEMON_NOPTS] = {
		{"state", LZ_OPT_STRING, d->state_def,
		 "state directory (LMDB environment)", 0, 0},
		{"pub", LZ_OPT_STRING, "tcp://127.0.0.1:7100",
		 "bus XSUB endpoint to publish on", 0, 0},
		{"sub", LZ_OPT_STRING, "tcp://127.0.0.1:7101",
		 "bus XPUB endpoint to consume from", 0, 0},
		{"replay", LZ_OPT_STRING, d->replay_def,
		 "replay endpoint to bind (serves this service's outbox)", 0,
		 0},
		{"replay-advertise", LZ_OPT_STRING, NULL,
		 "replay endpoint announced in heartbeats (default: "
		 "--replay)",
		 0, 0},
		{"admin", LZ_OPT_STRING, d->admin_def,
		 "HTTP address of /metrics, /healthz, /readyz and the "
		 "service's read models",
		 0, 0},
		{"follow", LZ_OPT_STRING, spec->follow,
		 "comma-separated sources whose events are applied", 0, 0},
		{"source", LZ_OPT_STRING, spec->name,
		 "this service's source name", 0, 0},
		{"no-sync", LZ_OPT_FLAG, "false",
		 "do not fsync at commit (tests only: a crash may lose "
		 "commits)",
		 0, 0},
		{spec->zoned ? "timezone" : NULL, LZ_OPT_STRING, "Europe/Paris",
		 "the territory's time zone, of dates and opening hours (IANA "
		 "name or POSIX TZ)",
		 0, 0},
		{NULL, 0, NULL, NULL, 0, 0},
	};

	snprintf(d->state_def, sizeof(d->state_def), "/var/lib/livrazou/%s",
		 spec->name);
	snprintf(d->replay_def, sizeof(d->replay_def), "tcp://127.0.0.1:%d",
		 spec->replay);
	snprintf(d->admin_def, sizeof(d->admin_def), "127.0.0.1:%d",
		 spec->admin);
	memcpy(d->opts, opts, sizeof(opts));
	d->zoned = spec->zoned;
	d->cfg = lz_config_new(spec->prog, spec->name, "[OPTIONS]",
			       spec->summary, d->opts);
	lz_config_add(d->cfg, options);
	return lz_config_daemon_main(&d->cfg, argc, argv);
}

void
lz_daemon_open(struct lz_daemon *d)
{
	struct lz_store_options so = {0};
	const char *state = lz_config_str(d->cfg, "state");
	int rc;

	lz_config_init_log(d->cfg);
	d->loop = lz_loop_new();
	d->metrics = lz_metrics_new();
	if (d->zoned &&
	    lz_date_set_timezone(lz_config_str(d->cfg, "timezone")) != 0)
		lz_fatal("unknown time zone", "timezone=%s",
			 lz_config_str(d->cfg, "timezone"));
	so.no_sync = lz_config_flag(d->cfg, "no-sync");
	if ((rc = lz_store_open(&d->store, state, &so)) != 0)
		lz_fatal("cannot open state", "dir=%s error=\"%s\"", state,
			 lz_store_strerror(rc));
}

void
lz_daemon_serve(struct lz_daemon *d, struct lz_service *s,
		void (*on_commit)(void *arg))
{
	struct lz_bus_options bo = {0};
	const char *admin = lz_config_str(d->cfg, "admin");

	bo.source = lz_config_str(d->cfg, "source");
	bo.pub_endpoint = lz_config_str(d->cfg, "pub");
	bo.sub_endpoint = lz_config_str(d->cfg, "sub");
	bo.replay_bind = lz_config_str(d->cfg, "replay");
	bo.replay_advertise = lz_config_str(d->cfg, "replay-advertise");
	bo.follow = lz_config_str(d->cfg, "follow");
	bo.metrics = d->metrics;
	bo.on_commit = on_commit ? on_commit : lz_service_sync_metrics;
	s->store = d->store;
	s->metrics = d->metrics;
	d->bus = lz_bus_new(d->loop, d->store, &bo, lz_service_apply, s);
	if (d->bus == NULL)
		lz_fatal("cannot start the bus client", NULL);
	if ((d->http = lz_http_new(d->loop, admin)) == NULL)
		lz_fatal("cannot start admin http", "addr=%s", admin);
	lz_http_admin(d->http, d->metrics, lz_bus_ready, d->bus);
	lz_service_init_metrics(s);
	lz_service_sync_metrics(s);
}

int
lz_daemon_run(struct lz_daemon *d)
{
	int rc;

	lz_log_info("started",
		    "state=%s follow=%s admin=%s admin_port=%d version=%s",
		    lz_config_str(d->cfg, "state"),
		    lz_config_str(d->cfg, "follow"),
		    lz_config_str(d->cfg, "admin"), lz_http_port(d->http),
		    LZ_VERSION);
	lz_notify_ready(d->loop, "serving: follows %s, admin %s",
			lz_config_str(d->cfg, "follow"),
			lz_config_str(d->cfg, "admin"));
	rc = lz_loop_run(d->loop);
	lz_notify_stopping("%s, outbox at %llu",
			   rc ? "stopping on a failure" : "stopping",
			   (unsigned long long)lz_bus_outbox_seq(d->bus));
	if (rc != 0) {
		/* What failed was logged where it failed. */
		lz_log_error("stopped on a failure",
			     "rc=%d outbox_seq=%llu exit=1", rc,
			     (unsigned long long)lz_bus_outbox_seq(d->bus));
		return 1;
	}
	lz_log_info("stopped", "outbox_seq=%llu exit=0",
		    (unsigned long long)lz_bus_outbox_seq(d->bus));
	return 0;
}

void
lz_daemon_close(struct lz_daemon *d)
{
	lz_http_destroy(&d->http);
	lz_bus_destroy(&d->bus);
	lz_loop_destroy(&d->loop);
	lz_store_destroy(&d->store);
	lz_metrics_destroy(&d->metrics);
	lz_config_destroy(&d->cfg);
}
