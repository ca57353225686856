/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alloc.h -- the inventory's pure decisions: allocation of lots to an
 * order (first expired, first out), the checks of a reception, the
 * picking lists' loading order and the quantities a pick takes, and the
 * expiry watch.  No LMDB, no clock: time is a parameter, so the same
 * inputs always give the same answer (and a replay decides the same).
 */
#ifndef INVENTORY_ALLOC_H
#define INVENTORY_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Date kinds, as DateKind in inventory.proto. */
enum { INV_DATE_NONE = 0, INV_DATE_USE_BY = 1, INV_DATE_BEST_BEFORE = 2 };

/* A lot as the allocation sees it. */
struct inv_alloc_lot {
	const char *lot_id;
	const char *owner; /* owner member */
	const char *product;
	int temp;      /* temperature class */
	int date_kind; /* INV_DATE_* */
	int64_t date;  /* use-by or best-before; 0 without */
	int64_t received_at;
	int64_t available; /* units neither reserved nor expired */
	int shared;        /* the owner lends to the shared pool */
};

struct inv_alloc_line {
	const char *product;
	int temp;
	int64_t quantity;
};

struct inv_alloc_request {
	const char *member; /* the order's member */
	int member_shared;  /* the member may draw on the pool */
	int64_t window_end; /* no use-by lot ending before this */
	int allow_partial;
	const struct inv_alloc_line *lines;
	size_t nlines;
};

/* QUANTITY units of lots[LOT] for lines[LINE]. */
struct inv_alloc_pick {
	size_t line;
	size_t lot;
	int64_t quantity;
};

struct inv_alloc_result {
	struct inv_alloc_pick *picks; /* in line order, FEFO within a line */
	size_t npicks;
	int64_t *missing; /* per line: units not allocated */
	int complete;     /* every line fully allocated */
};

/*
 * Allocates LOTS (NLOTS, in any order) to the lines of REQ.  A lot may
 * serve a line if it has the line's product and temperature class, has
 * units available, is not a use-by lot dated before REQ->window_end, and
 * belongs to the member or -- when both the member and the lot's owner
 * are in the shared pool -- to another member.  The member's own lots are
 * taken first, then the pool's; within each, earliest date first (lots
 * without a date last), then earliest reception, then lot id.  Several
 * lines may draw on the same lot: each sees what earlier lines left.
 *
 * When some line cannot be fully served and REQ->allow_partial is 0,
 * nothing is allocated (npicks 0) but MISSING still says, per line, how
 * much the eligible stock lacked.  OUT is the caller's and is freed with
 * inv_alloc_result_release().  Never fails (out of memory aborts).
 */
void inv_alloc(const struct inv_alloc_request *req,
	       const struct inv_alloc_lot *lots, size_t nlots,
	       struct inv_alloc_result *out);
void inv_alloc_result_release(struct inv_alloc_result *r);

/* Whether LOT may serve a line of REQ for PRODUCT/TEMP (see inv_alloc). */
int inv_alloc_eligible(const struct inv_alloc_request *req,
		       const struct inv_alloc_lot *lot, const char *product,
		       int temp);

/* ---- receptions ---- */

/* Refusal reasons, as RefusalReason in inventory.proto. */
enum {
	INV_OK = 0,
	INV_UNKNOWN_ZONE = 1,
	INV_WRONG_TEMPERATURE_CLASS = 2,
	INV_OVER_CAPACITY = 3,
	INV_EXPIRED = 4,
	INV_BAD_QUANTITY = 5,
	INV_INVALID = 6,
	INV_DUPLICATE_LOT = 7,
	INV_UNKNOWN_LOT = 8,
	INV_UNKNOWN_ORDER = 9,
	INV_ZONE_NOT_EMPTY = 10,
	INV_BELOW_RESERVED = 11,
	INV_ALREADY_PICKED = 12,
	INV_UNKNOWN_TOUR = 13,
	INV_ABOVE_LISTED = 14,
	INV_REASON_COUNT
};

#define INV_QTY_MAX 1000000
#define INV_UNIT_GRAMS_MAX 1000000
#define INV_UNIT_ML_MAX 2000000
#define INV_ID_MAX 64
#define INV_TEXT_MAX 200

/* A reception as the checks see it. */
struct inv_reception {
	const char *lot_id, *owner, *product, *zone_id;
	int64_t quantity, unit_grams, unit_ml;
	int temp, date_kind;
	int64_t date;
	const char *origin_site_id, *origin_order_id;
};

/* The zone a reception names, and what it already holds. */
struct inv_zone_state {
	int temp;
	int64_t capacity_grams, capacity_ml;
	int64_t used_grams, used_ml;
};

/*
 * Checks reception R at time NOW against ZONE (NULL: unknown) and whether
 * the lot id is already taken.  Returns INV_OK or a reason, with a
 * human-readable DETAIL naming the field (UTF-8, never echoing input).
 * Checked in this order: ids and texts, quantities, dates, duplicate,
 * zone, temperature class, capacity.
 */
int inv_check_reception(const struct inv_reception *r,
			const struct inv_zone_state *zone, int lot_taken,
			int64_t now, char *detail, size_t detail_len);

/* ---- goods unloaded by the tours service ---- */

/* Writes into OUT the lot id of line LINE of producer-pickup order
 * ORDER_ID unloaded at the hub: "in-" + the order id (at most 40 bytes,
 * other characters than [A-Za-z0-9._-] as '.') + "-" + 8 hex digits of a
 * hash of the whole order id + "-" + LINE.  Always a valid id, the same
 * for the same order and line. */
void inv_unload_lot_id(const char *order_id, unsigned line,
		       char out[INV_ID_MAX + 1]);

/* The zone for GRAMS and ML of class TEMP among the N ZONES (in the order
 * of their ids): the index of the first of that class with room for them;
 * else the first of that class (whose reception is then refused as over
 * capacity); else -1 (no zone of that class). */
int inv_choose_zone(const struct inv_zone_state *zones, size_t n, int temp,
		    int64_t grams, int64_t ml);

/* ---- picking ---- */

/* One lot of one order line on a tour's picking list. */
struct inv_pick_item {
	const char *order_id;
	unsigned stop; /* the order's stop in the tour */
	unsigned line; /* the line in the order */
	const char *lot_id;
	int temp;    /* temperature class: the vehicle's compartment */
	size_t rank; /* place in the order's reservation (FEFO in a line) */
	int state;   /* INV_PICK_TODO, INV_PICK_DONE, INV_PICK_GONE */
	int64_t listed;
	int64_t picked; /* set by inv_pick_quantities() */
	size_t ref;     /* the caller's, carried along by inv_pick_sort() */
};

enum {
	INV_PICK_TODO = 0, /* to pick */
	INV_PICK_DONE = 1, /* its order is picked already */
	INV_PICK_GONE = 2, /* its order ended (or left the tour) unpicked */
};

/* Sorts ITEMS into loading order: by compartment (ambient, chilled,
 * frozen), then by stop, the last first (what is delivered last is loaded
 * first, at the back of the van), then by order id, line and rank.  The
 * same items always come out in the same order. */
void inv_pick_sort(struct inv_pick_item *items, size_t n);

/* What the hub says it picked of one item. */
struct inv_pick_given {
	const char *order_id;
	unsigned line;
	const char *lot_id;
	int64_t quantity;
};

/*
 * Sets the units picked of each item to do: the quantity GIVEN names for
 * it, else the units listed (GIVEN names only what differs; NG 0: all as
 * listed).  Returns INV_OK, or why the whole pick is refused, with *BAD
 * the index in GIVEN at fault and a DETAIL naming it (never echoing an
 * id): INV_UNKNOWN_ORDER (an order not on the list, or ended since),
 * INV_ALREADY_PICKED (an order picked already), INV_UNKNOWN_LOT (a line
 * and lot not listed for that order), INV_INVALID (an item named twice),
 * INV_BAD_QUANTITY (negative), INV_ABOVE_LISTED (more than listed).
 * Items not to do keep their picked value.
 */
int inv_pick_quantities(struct inv_pick_item *items, size_t n,
			const struct inv_pick_given *given, size_t ng,
			size_t *bad, char *detail, size_t detail_len);

/* A line of an order picked short: LISTED units, MISSING not picked. */
struct inv_pick_short {
	unsigned line;
	int64_t listed, missing;
};

/* The lines of order ORDER_ID among ITEMS picked short (sum over its lots
 * of listed - picked > 0), in line order: writes at most MAX into OUT and
 * returns how many there are. */
size_t inv_pick_shortages(const struct inv_pick_item *items, size_t n,
			  const char *order_id, struct inv_pick_short *out,
			  size_t max);

/* ---- expiry watch ---- */

enum { INV_EXPIRY_NONE = 0, INV_EXPIRY_NEARING = 1, INV_EXPIRY_EXPIRED = 2 };

/* What the expiry watch should do with a lot at time NOW: INV_EXPIRY_EXPIRED
 * once a use-by lot's date has passed (date <= now) and it is not yet
 * marked expired; INV_EXPIRY_NEARING once a dated lot with unreserved
 * units reaches its date within HORIZON seconds and was not yet notified;
 * else INV_EXPIRY_NONE.  Best-before lots never expire. */
int inv_expiry_action(int date_kind, int64_t date, int64_t unreserved,
		      int nearing_notified, int expired, int64_t now,
		      int64_t horizon);

#endif
