/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * impact.h -- the impact service (lz-impact): follows orders, tours, bikes
 * and returns, keeps what it needs of their events by day, and computes
 * reports over any period for the association or one member.  main.c wires
 * it up; handlers.c applies bus events; report.c builds a report from the
 * store; query.c serves it over HTTP; account.c and render.c are the pure
 * part (factors, counterfactual, accumulation, CSV and HTML).
 */
#ifndef IMPACT_IMPACT_H
#define IMPACT_IMPACT_H

#include "account.h"
#include "lz_service.h"
#include "store.h"

#include <stdint.h>

struct lz_bus;
struct lz_bus_txn;
struct lz_http;
struct lz_metrics;
struct lz_store;

/* Counterfactual groups solved by reports (others came from the store). */
#define CF_SOLVES "lz_impact_counterfactual_solves_total"
#define CF_SOLVES_HELP                                                         \
	"Counterfactual rounds solved for reports (the others were kept "      \
	"from earlier reports)"

struct impact {
	struct lz_store *store;
	struct impact_db db;
	struct lz_metrics *metrics;
	struct lz_bus *bus;
	struct impact_conf conf;
	struct lz_service svc;
};

/* The service's state of the event being applied. */
static inline struct impact *
impact_of(const struct lz_call *c)
{
	return c->state;
}

/* The handler table (follow.c) of lz_service_apply: records the
 * directory, orders delivered, tours, tasks and vehicles, bike runs,
 * parcels and shifts, flows processed and ledger movements.  An event
 * whose ids cannot be kept is logged, counted (lz_impact_ignored_total)
 * and consumed, and changes nothing.  Impact takes no commands. */
extern const struct lz_handler impact_follows[];
extern const size_t impact_n_follows;
/* Every reason follow.c counts an event not kept for (ignored/<reason>),
 * NULL-terminated: main.c shows them at 0 from the start. */
extern const char *const impact_ignore_reasons[];

/*
 * Builds the report of local dates FROM..TO for MEMBER (NULL or "": the
 * association) from the store into A and R (impact_acc_report(); release
 * A with impact_acc_release()).  Returns 0, -EINVAL for a bad period,
 * -ENOENT for an unknown member, or a negative store error.
 */
int impact_report(struct impact *im, const char *from, const char *to,
		  const char *member, int64_t now, struct impact_acc *a,
		  Report *r);

/* Routes GET /v1/report on H (see query.c). */
void impact_http_routes(struct lz_http *h, struct impact *im);

#endif
