/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * partner.h -- lz-sim as the partners' systems (partner.c): the run's
 * settings and state, the partners' keys and clients, commands through
 * the gateway, the waits for the services, and the helpers every part of
 * the run shares.  Below play.c, bikes.c, returns.c and summary.c.
 */
#ifndef SIM_PARTNER_H
#define SIM_PARTNER_H

#include "sim.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>

/* Set by SIGINT or SIGTERM: every wait and loop ends early. */
extern volatile sig_atomic_t sim_stopping;

struct lz_client;

/* Admin addresses ("host:port") of the services read; NULL or "" for a
 * service that does not run. */
struct sim_apis {
	const char *gateway, *orders, *inventory, *tours;
	const char *bikes, *returns, *impact;
};

struct sim_run {
	const char *dir; /* keys/<partner>.key and partners */
	const char *gateway, *server_key;
	struct sim_apis api;
	uint64_t seed;
	size_t orders; /* per day */
	int days;
	double speed; /* simulated seconds per real second */
	unsigned failure_permille;
	unsigned short_pick_permille; /* lines picked short per thousand */
	char first_date[11];
	int timeout_s;  /* to wait for the services to apply */
	FILE *progress; /* human-readable progress, or NULL */
	struct sim_territory t;
	/* runtime */
	struct lz_client **clients; /* one per partner, connected lazily */
	const char **partner_ids;
	size_t n_partners;
	unsigned long submitted, accepted, duplicates, rejected;
	struct sim_ids ids;   /* client_msg_id of each command sent */
	int on_shift;         /* the riders' shifts are started */
	json_t *jars_ordered; /* order id -> deposit jars on its lines */
	json_t *jars_held;    /* site id -> jars delivered, not given back */
};

/* Writes DIR/keys/<partner>.key (0600) for every partner of the territory
 * (operator, shippers, driver, rider, processor, relay associations) and
 * DIR/partners, the gateway's partners file (ZeroMQ only, no tokens).
 * Returns 0, or -1 after printing why. */
int sim_setup(const struct sim_territory *t, const char *dir);
/* Frees what R's run made (clients, ids, territory, jars). */
void sim_run_release(struct sim_run *r);

/* Prints a progress line (when R has a progress stream). */
void sim_say(const struct sim_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Submits TYPE with the JSON payload P (stolen) as PARTNER through the
 * gateway, its message id from sim_msg_id() (a retry after a timeout, and
 * the same command in a second run of the same seed on the same state,
 * have no second effect).  Returns 0 when accepted or duplicate, 1 when
 * refused (the reason printed), -1 when the gateway does not answer. */
int sim_submit(struct sim_run *r, const char *partner, const char *type,
	       json_t *p);
/* The same for a driver's or rider's report that happened AT (the played
 * day's time, not the accelerated clock's): P gets "at". */
int sim_report(struct sim_run *r, const char *partner, const char *type,
	       json_t *p, int64_t at);
/* Waits until every running service applied what the others published;
 * 0, or -1 on timeout (printed). */
int sim_settle(const struct sim_run *r);
/* Sleeps MS milliseconds (less when stopping). */
void sim_nap_ms(int64_t ms);
/* An integer field of a proto3 JSON object (number or string), 0 if
 * missing. */
int64_t sim_jint(const json_t *o, const char *key);

/* The lz.common.v1.TemperatureClass name of C. */
const char *sim_class_name(enum sim_class c);
/* The partner (beside the members' order tools) of MEMBER having ROLE,
 * e.g. the processor running an outlet, or NULL. */
const char *sim_partner_of(const char *member, const char *role);

/* The local date DAYS after DATE into OUT; 0 or -EINVAL. */
int sim_date_add(const char *date, int days, char out[11]);

#endif
