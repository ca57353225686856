/*
 * play.h -- lz-sim against the running daemons: the partners' keys, the
 * day played through the gateway, the summary read from the services.
 */
#ifndef SIM_PLAY_H
#define SIM_PLAY_H

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

/* Plays every day of R through the gateway: the territory, the stock,
 * the orders, the waves and the drivers' reports.  Returns 0, or -1 when
 * a daemon does not answer or apply in time (after printing why). */
int sim_play(struct sim_run *r);
void sim_run_release(struct sim_run *r);

/* Reads the day's figures from the services' read models: returns a new
 * JSON object (caller json_decref()s) or NULL after printing why. */
json_t *sim_summary_read(const struct sim_run *r);
/* Prints the summary S for people. */
void sim_summary_print(const json_t *s, FILE *out);

/* ---- shared by the parts of the run (play.c, bikes.c) ---- */

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
/* Waits until every running service applied what the others published;
 * 0, or -1 on timeout (printed). */
int sim_settle(const struct sim_run *r);
/* Sleeps MS milliseconds (less when stopping). */
void sim_nap_ms(int64_t ms);
/* An integer field of a proto3 JSON object (number or string), 0 if
 * missing. */
int64_t sim_jint(const json_t *o, const char *key);

/* The empty jars (the first container type) a customer gives back at a
 * stop where IDS ("del:<order>" task or parcel ids; with KINDS, the
 * parallel task kinds, only TASK_KIND_DELIVERY ones) were delivered to
 * SITE: WANT at most, and never more than the site holds from earlier
 * deliveries and these (what lz-returns would otherwise flag as a
 * discrepancy). */
unsigned sim_jars_back(struct sim_run *r, const char *site, const json_t *ids,
		       const json_t *kinds, unsigned want);

/* The lz.common.v1.TemperatureClass name of C. */
const char *sim_class_name(enum sim_class c);
/* The partner (beside the members' order tools) of MEMBER having ROLE,
 * e.g. the processor running an outlet, or NULL. */
const char *sim_partner_of(const char *member, const char *role);

/* The reverse flows, when lz-returns runs (returns.c): container types,
 * the hub's clean empties and the outlets (sim_returns_register()); the
 * DAY's declarations of unsold food and peelings, dated from MIDNIGHT
 * (sim_returns_declare()); the outlets' confirmations of the flows
 * collected for them (sim_returns_confirm()); the empties brought back,
 * washed at the end of DATE (sim_returns_wash()).  Each returns 0, or -1
 * when a service does not answer. */
int sim_returns_register(struct sim_run *r);
int sim_returns_declare(struct sim_run *r, int day, int64_t midnight);
int sim_returns_confirm(struct sim_run *r);
int sim_returns_wash(struct sim_run *r, const char *date);

/* The bike relay, when lz-bikes runs: riders and bikes registered
 * (sim_bikes_register()); after each wave, once the vans have dropped the
 * centre's parcels at the relay, the riders' runs (sim_bikes_ride():
 * shifts started if they are not, until the end of DATE's deliveries;
 * each planned run ridden on the accelerated clock; failed deliveries
 * re-planned by lz-bikes and ridden again); the shifts ended at the end
 * of the day (sim_bikes_end()).  Each returns 0, or -1 when a service does
 * not answer or apply in time. */
int sim_bikes_register(struct sim_run *r);
int sim_bikes_ride(struct sim_run *r, const char *date);
int sim_bikes_end(struct sim_run *r);

/* The local date DAYS after DATE into OUT; 0 or -EINVAL. */
int sim_date_add(const char *date, int days, char out[11]);

#endif
