/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * rules.h -- the orders domain rules, as pure functions.
 *
 * Nothing here touches LMDB, sockets or the wall clock: the caller loads
 * what a rule needs (the order, the sites, whether the member exists) and
 * passes the time of the event being applied, so that a replay reaches the
 * same verdicts.  The only process-wide input is the time zone, set once at
 * startup with lz_date_set_timezone() (lz_daemon), in which opening hours
 * and local dates are read.
 *
 * A check answers with a reject reason (RJ_NONE when accepted) and writes
 * into a verdict a one-line detail that names the offending field, e.g.
 * "lines[2].quantity: 0 not in 1..100000".
 */
#ifndef ORDERS_RULES_H
#define ORDERS_RULES_H

#include "codec.h"

#include <stdint.h>

/* Limits (DESIGN.md section 5: limits for every length and list). */
#define ORDERS_ID_MAX 64              /* member, site, reference */
#define ORDERS_NAME_MAX 200           /* names, product */
#define ORDERS_TEXT_MAX 1000          /* address, notes, reasons */
#define ORDERS_ZONE_MAX 64            /* site zone */
#define ORDERS_LINES_MAX 200          /* lines per order */
#define ORDERS_QUANTITY_MAX 100000    /* units per line */
#define ORDERS_UNIT_GRAMS_MAX 1000000 /* 1 t per unit */
#define ORDERS_UNIT_ML_MAX 2000000    /* 2 m3 per unit */
#define ORDERS_CONTAINERS_MAX 10000   /* containers of one type */
#define ORDERS_CONTAINER_TYPES_MAX 32 /* container entries per line */
#define ORDERS_CONTAINER_TYPE_MAX 32  /* container type name */
#define ORDERS_HOURS_MAX 64           /* opening-hours entries */
#define ORDERS_WINDOW_MAX (7 * 86400) /* longest window, seconds */
#define ORDERS_AHEAD_MAX (90 * 86400) /* latest start after now */

struct orders_verdict {
	int reason;       /* RJ_NONE when accepted */
	char detail[256]; /* names the field; "" when accepted */
};

/* Writes the local date of T (seconds since the epoch) as "YYYYMMDD" into
 * OUT (9 bytes).  Returns 0, or -EINVAL if T cannot be represented. */
int orders_rules_local_date(int64_t t, char out[9]);

/* Whether [START, END) overlaps an opening interval of S (read in local
 * time, so 08:00 stays 08:00 across DST changes).  A site without opening
 * hours is always open.  Returns 1 or 0. */
int orders_rules_open_during(const Site *s, int64_t start, int64_t end);

/* Whether an order from source SRC may go from status FROM to status TO:
 *   placed -> confirmed -> planned -> picked up (producer pickups) ->
 *   at hub -> out for delivery (-> at bike relay) -> delivered;
 *   hub-stock orders go from planned straight to out for delivery;
 *   placed, confirmed -> rejected; placed, confirmed, planned ->
 *   cancelled; any non-final status -> failed.
 * Delivered, rejected, cancelled and failed are final. */
int orders_rules_transition_ok(int src, int from, int to);

/* Checks an operator's RegisterMember.  M may be NULL (not set). */
int orders_rules_member(const Member *m, struct orders_verdict *v);

/* Checks an operator's RegisterSite; MEMBER_KNOWN says whether the site's
 * member is registered (only consulted once the fields are valid). */
int orders_rules_site(const Site *s, int member_known,
		      struct orders_verdict *v);

/* Checks order O (built from a PlaceOrder or an amended order) against the
 * directory at time NOW: DEST and PICKUP are the sites O names, NULL when
 * unknown (or when O names none); GRACE is how many seconds a window may
 * start before NOW.  Checks, in this order: destination known, source and
 * pickup fields, windows, lines, temperature classes, opening hours. */
int orders_rules_order(const Order *o, const Site *dest, const Site *pickup,
		       int64_t now, int64_t grace, struct orders_verdict *v);

/* Checks a PlaceOrder turned into order O by member TENANT: the member is
 * known (MEMBER_KNOWN), the reference is valid and not taken (REF_TAKEN:
 * an order of this member with this reference exists, whatever its
 * status), then orders_rules_order(). */
int orders_rules_place(const Order *o, int member_known, int ref_taken,
		       const Site *dest, const Site *pickup, int64_t now,
		       int64_t grace, struct orders_verdict *v);

/* Checks an AmendOrder by member TENANT: CUR is the stored order (NULL if
 * none), A the command.  The order must exist and be TENANT's, be neither
 * planned nor further, and the command must change something; the amended
 * order (see orders_rules_amended()) is then checked in full against DEST
 * and PICKUP, the sites it names. */
int orders_rules_amend(const Order *cur, const char *tenant,
		       const AmendOrder *a, const Order *amended,
		       const Site *dest, const Site *pickup, int64_t now,
		       int64_t grace, struct orders_verdict *v);

/* Fills OUT with CUR changed by A: OUT is a shallow copy, borrowing CUR's
 * and A's fields (valid while both live; never free OUT's members). */
void orders_rules_amended(const Order *cur, const AmendOrder *a, Order *out);

/* Checks a CancelOrder C by member TENANT against the stored order CUR
 * (NULL if none): own order, not yet picked up (or out for delivery). */
int orders_rules_cancel(const Order *cur, const char *tenant,
			const CancelOrder *c, struct orders_verdict *v);

#endif
