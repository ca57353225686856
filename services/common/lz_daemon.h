/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_daemon.h -- what every service daemon (orders, inventory, tours,
 * bikes, returns, impact) runs around its own logic: the options of its
 * store, bus client and admin address; the startup in order (loop,
 * metrics, store, the service's databases, bus client, admin HTTP); the
 * run until SIGTERM/SIGINT (exit status 0) or a fatal error such as a
 * batch that cannot be committed (exit status 1); SIGHUP, which is logged
 * and reloads nothing (lz_loop_on_reload for a service that has something
 * to reload); the shutdown.
 *
 *	struct lz_daemon d = {0};
 *	if ((rc = lz_daemon_init(&d, &spec, options, argc, argv)) >= 0)
 *		return rc;                        (--help, --version, usage)
 *	lz_daemon_open(&d);                       (loop, metrics, store, TZ)
 *	... the service's databases in d.store ...
 *	svc.svc = (struct lz_service){...};       (its handler tables)
 *	lz_daemon_serve(&d, &svc.svc, NULL);      (bus, admin HTTP)
 *	... the service's routes on d.http, timers on d.loop ...
 *	rc = lz_daemon_run(&d);
 *	... the service's timers freed ...
 *	lz_daemon_close(&d);                      (and the configuration)
 */
#ifndef LZ_DAEMON_H
#define LZ_DAEMON_H

#include "lz_bus.h"
#include "lz_config.h"

struct lz_loop;
struct lz_metrics;
struct lz_store;
struct lz_http;

/* A service daemon: lz-NAME, reading section [NAME], source NAME, its
 * state in /var/lib/livrazou/NAME, its replay endpoint and admin address
 * on loopback ports REPLAY and ADMIN, following the comma-separated
 * sources FOLLOW by default; with ZONED, it takes --timezone (the
 * territory's time zone, of dates and opening hours), set at open. */
struct lz_daemon_spec {
	const char *prog, *name, *summary;
	int replay, admin;
	const char *follow;
	int zoned;
};

#define LZ_DAEMON_NOPTS 11

struct lz_service;

struct lz_daemon {
	struct lz_config *cfg;
	struct lz_loop *loop;
	struct lz_metrics *metrics;
	struct lz_store *store;
	struct lz_bus *bus;
	struct lz_http *http;
	/* the options every service takes, and their defaults */
	struct lz_option opts[LZ_DAEMON_NOPTS];
	char state_def[96], replay_def[48], admin_def[32];
	int zoned;
};

/* Creates D's configuration: the options every service daemon takes
 * (state, pub, sub, replay, replay-advertise, admin, follow, source,
 * no-sync, and timezone when SPEC is zoned, with SPEC's defaults), then the
 * service's own OPTIONS (which must outlive D), and parses ARGV (and the
 * configuration file it names).  Returns -1 when the daemon is to run (D's
 * configuration in D->cfg), or else the exit status (0 after --help or
 * --version, 2 after a usage error, said on stderr) with nothing left to
 * free. */
int lz_daemon_init(struct lz_daemon *d, const struct lz_daemon_spec *spec,
		   const struct lz_option *options, int argc, char **argv);

/* Initialises the log, creates the loop and the metrics, sets the time
 * zone (zoned daemons) and opens the store at --state; logs and exits when
 * the time zone is unknown or the store cannot open. */
void lz_daemon_open(struct lz_daemon *d);

/* Serves service S: gives it D's store and metrics, starts the bus client
 * (lz_service_apply applies the followed sources' events from the first
 * turn of the loop; after each commit ON_COMMIT(S) runs, by default
 * lz_service_sync_metrics) and the admin HTTP server at --admin, ready when
 * the bus client is, and brings the metrics up to date.  Logs and exits
 * when one cannot start. */
void lz_daemon_serve(struct lz_daemon *d, struct lz_service *s,
		     void (*on_commit)(void *arg));

/* Logs "started", runs the loop until SIGTERM/SIGINT (the batch in
 * progress is committed and published) or a failure (lz_loop_fail: the
 * store cannot commit), logs "stopped" or "stopped on a failure".  Returns
 * the exit status: 0 after a stop, 1 after a failure. */
int lz_daemon_run(struct lz_daemon *d);

/* Frees what the functions above made, the configuration included. */
void lz_daemon_close(struct lz_daemon *d);

#endif
