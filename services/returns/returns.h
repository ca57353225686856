/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * returns.h -- the circular-economy service (lz-returns): container types
 * and the deposit ledger, declarations of unsold food, biowaste, packaging
 * and co-products, outlets, the matching of each flow to an outlet by the
 * food-waste hierarchy, collection requests to the tours or bikes service,
 * processing confirmations, and the forecast of collection points' empties.
 *
 * main.c wires it up; commands.c applies the partners' commands and
 * follow.c the other services' events; book.c writes ledger movements;
 * flows.c opens, matches, collects and closes flows and requests
 * collections; directory.c reads the sites and container types; store.c
 * keeps the records; query.c serves the read models; match.c, ledger.c and
 * forecast.c are the pure parts.
 */
#ifndef RETURNS_RETURNS_H
#define RETURNS_RETURNS_H

#include "forecast.h"
#include "ledger.h"
#include "lz_service.h"
#include "lz_util.h"
#include "match.h"
#include "store.h"

#include <stdint.h>

struct lz_bus;
struct lz_bus_txn;
struct lz_http;
struct lz_metrics;
struct lz_store;

struct returns_conf {
	const char *bike_zone; /* sites of this zone: collected by bike */
	int collect_from;      /* collection window, seconds after midnight */
	int collect_until;
	int days_ahead; /* collection day: today + DAYS_AHEAD */
	struct returns_match_conf match;
	int64_t history_window; /* returns the forecast looks back on, s */
	int64_t default_lead;   /* a point's lead when it sets none, s */
};

struct returns {
	struct lz_store *store;
	struct returns_db db;
	struct lz_metrics *metrics;
	struct lz_bus *bus;
	struct returns_conf conf;
	struct lz_service svc;
};

/* The service's state of the event being applied (or of a timer tick:
 * then an event of type "timer" from this service). */
static inline struct returns *
returns_of(const struct lz_call *c)
{
	return c->state;
}

/* The handler tables (commands.c, follow.c) of lz_service_apply: the
 * partners' commands (gateway), the directory and orders (orders),
 * collections (tours, bikes), expiring lots and refused receptions
 * (inventory).  A refused command is a CommandRefused event and changes
 * nothing else. */
extern const struct lz_handler returns_commands[], returns_follows[];
extern const size_t returns_n_commands, returns_n_follows;

/* The timer's work at NOW, in TX: requests a collection for every
 * collection point whose forecast says it will be full within its lead,
 * and matches again the flows still without an outlet. */
int returns_tick(struct returns *r, struct lz_bus_txn *tx, int64_t now);

/* ---- book.c: the ledger ---- */

/* Moves COUNT units of TYPE from FROM to TO for MEMBER (kept only on the
 * per-member side of each account), with DISCREPANCY, SITE_ID and
 * REFERENCE (may be NULL) in the LedgerMoved event it emits.  Returns 0 or
 * a negative store error. */
int returns_move(struct lz_call *c, const char *type, const char *member,
		 const char *from, const char *to, int64_t count,
		 int discrepancy, const char *site_id, const char *reference);

/* Takes WANT units of TYPE from the N accounts FROM (in that order, each
 * split between its members by returns_ledger_take) to TO, each movement
 * keeping its holding's member (MEMBER for a pooled account); what they do
 * not hold comes from "unaccounted", flagged as a discrepancy, for
 * MEMBER.  Returns 0 or a negative store error. */
int returns_take(struct lz_call *c, const char *type, const char *const *from,
		 size_t n, int64_t want, const char *to, const char *member,
		 const char *site_id, const char *reference);

/* Containers collected at SITE_ID (a driver's or rider's report): from
 * the site's empties, then the site, to TO ("hub-returned", or the bike
 * relay's empties). */
int returns_collected(struct lz_call *c, const char *site_id, const char *type,
		      int64_t count, const char *to, const char *reference);

/* Sum of the balances of ACCOUNT (every member, every type) into *COUNT
 * and the weight and bulk of those containers. */
int returns_account_load(MDB_txn *txn, const struct returns_db *db,
			 const char *account, int64_t *count, int64_t *grams,
			 int64_t *millilitres);

/* ---- flows.c ---- */

/* Opens flow F (its id, written to ID, status and times are set here),
 * emits it and tries to match it.  F's strings stay the caller's. */
#define RETURNS_FLOW_ID_MAX 24
int returns_flow_open(struct lz_call *c, Flow *f, char id[RETURNS_FLOW_ID_MAX]);
/* Tries to match the open flow F to an outlet; on success books its
 * capacity, requests the collection and emits the assignment. */
int returns_flow_match(struct lz_call *c, Flow *f);
/* Writes F, moved from status FROM, and emits FlowStatusChanged. */
int returns_flow_emit(struct lz_call *c, Flow *f, int from);
/* A collection request's task or pickup ended: RETURNS_REQ_DONE (the
 * flow is collected, the point may ask again), RETURNS_REQ_ENDED
 * (cancelled: the flow keeps the reason, the point may ask again),
 * RETURNS_REQ_FAILED (a failed attempt the collector may retry: the flow
 * keeps the reason) or RETURNS_REQ_REFUSED (the bikes service cannot take
 * it: the flow is asked of the vans, and so are the point's next
 * collections). */
enum {
	RETURNS_REQ_FAILED = -1,
	RETURNS_REQ_ENDED = 0,
	RETURNS_REQ_DONE = 1,
	RETURNS_REQ_REFUSED = 2,
};
int returns_request_ended(struct lz_call *c, const char *request_id, int how);
/* Requests a collection at SITE within [START, END] for REQUEST_ID: by
 * bike when the site's zone is the bike zone, else by van, to
 * DEST_SITE_ID (NULL: the hub); remembers the request as WHAT ("flow:<id>"
 * or "point:<site>").  *COLLECTOR is NULL (chosen by the zone) or "tours"
 * (vans whatever the zone); on return it is "bikes" or "tours". */
int returns_request_collection(struct lz_call *c, const Site *site,
			       const char *request_id, const char *what,
			       const char *dest_site_id, int temperature_class,
			       int64_t grams, int64_t millilitres,
			       const char *flow, const char *note,
			       int64_t start, int64_t end,
			       const char **collector);
/* The collection window of SITE for a request made now (see
 * returns_collection_window()); -1 when the site is never open. */
int returns_window(struct lz_call *c, const Site *site, int64_t *start,
		   int64_t *end);
/* What a collection point holds and its forecast at a time. */
struct returns_point_state {
	int64_t containers, grams, millilitres; /* its empties */
	struct returns_forecast forecast;
	char request_id[40]; /* its open collection request, or "" */
};
/* Reads point P's state at NOW into *ST (read-only). */
int returns_point_forecast(MDB_txn *txn, const struct returns *r,
			   const CollectionPoint *p, int64_t now,
			   struct returns_point_state *st);
/* Forecasts and, when due, requests the collection of point P. */
int returns_point_check(struct lz_call *c, const CollectionPoint *p);

/* ---- directory.c, and limits shared by the handlers ---- */

#define RETURNS_GRAMS_MAX INT64_C(100000000) /* of a flow, an outlet's day */
#define RETURNS_COUNT_MAX 1000000            /* containers in one movement */

/* Whether container type ID is registered (1/0), or a store error. */
int returns_type_known(struct lz_call *c, const char *id);

int returns_get_site(struct lz_call *c, const char *id, Site **out);
void returns_free_site(Site *s);
/* The opening hours of SITE as a returns_hours. */
struct returns_hours returns_site_hours(const Site *site);

/* Routes the read models on H (see query.c). */
void returns_http_routes(struct lz_http *h, struct returns *r);

#endif
