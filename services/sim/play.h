/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * play.h -- lz-sim against the running daemons: the partners' keys, the
 * day played through the gateway, the summary read from the services.
 */
#ifndef SIM_PLAY_H
#define SIM_PLAY_H

#include "partner.h"

#include <jansson.h>
#include <stdio.h>

/* Plays every day of R through the gateway: the territory, the stock,
 * the orders, the waves and the drivers' reports.  Returns 0, or -1 when
 * a daemon does not answer or apply in time (after printing why). */
int sim_play(struct sim_run *r);

/* Reads the day's figures from the services' read models: returns a new
 * JSON object (caller json_decref()s) or NULL after printing why. */
json_t *sim_summary_read(const struct sim_run *r);
/* Prints the summary S for people. */
void sim_summary_print(const json_t *s, FILE *out);

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
/* Notes the deposit jars on the lines of order O (placed). */
void sim_jars_ordered(struct sim_run *r, const struct sim_order *o);
/* The empty jars (the first container type) a customer gives back at a
 * stop where IDS ("del:<order>" task or parcel ids; with KINDS, the
 * parallel task kinds, only TASK_KIND_DELIVERY ones) were delivered to
 * SITE: WANT at most, and never more than the site holds from earlier
 * deliveries and these (what lz-returns would otherwise flag as a
 * discrepancy). */
unsigned sim_jars_back(struct sim_run *r, const char *site, const json_t *ids,
		       const json_t *kinds, unsigned want);

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

#endif
