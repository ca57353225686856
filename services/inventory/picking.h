/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * picking.h -- the picking lists of the tours and their picking, which
 * the partners' commands (PickTour, PickOrder: commands.c) and the other
 * services' events (TourPlanned, TourStatusChanged, the orders' ends:
 * follow.c) share.  A list holds, for one planned tour, the hub-stock
 * orders it delivers and the lots reserved for them (their allocations),
 * per compartment, in loading order.  The decisions (loading order, the
 * units a pick takes, what it is short of) are alloc.c's; the lots move
 * through stock.c; each change writes in the transaction being applied
 * (store.c) and emits there.
 */
#ifndef INVENTORY_PICKING_H
#define INVENTORY_PICKING_H

#include "alloc.h"
#include "codec.h"

#include <stddef.h>

struct lz_call;

/*
 * Makes the picking list of TOUR (from a TourPlanned): every hub-stock
 * order delivered by the tour (its DELIVERY and RELAY_DELIVERY tasks,
 * "del:<order>") that is live, not picked and not received from a pickup,
 * with the lots of its reservation; an order taken from another tour's
 * list is dropped from that one.  A list made again (a later revision)
 * keeps its orders already picked as they were and drops the orders no
 * longer in the tour.  Writes the list (none when it would be empty and
 * there was none) and the orders' records, emits PickingListReady.  An
 * older revision than the list's changes nothing.  Returns 0 or a
 * negative store error.
 */
int inventory_picking_make(struct lz_call *c, const Lz__Tours__V1__Tour *tour);

/* A tour's picking list, loaded to be picked. */
struct inventory_pick {
	PickingList *list;     /* NULL: no list for the tour */
	OrderRecord **records; /* per list->orders[i]; set when to pick */
	int *states; /* per list->orders[i]: INV_PICK_TODO, _DONE, _GONE */
	struct inv_pick_item *items; /* every line of the list */
	PickLine **lines;            /* items[i].ref indexes this */
	size_t n_items;
	size_t todo; /* orders to pick */
};

/* Loads the picking list of TOUR_ID into P (P->list NULL when there is
 * none): each item's state says whether its order is to pick, picked
 * already, or gone (ended, or moved to another tour).  The items' picked
 * units are then set (inv_pick_quantities) before inventory_pick_commit.
 * Release P with inventory_pick_release() in any case.  Returns 0 or a
 * negative store error. */
int inventory_pick_load(struct lz_call *c, const char *tour_id,
			struct inventory_pick *p);

/* Picks every order of P to pick, each lot by the units its item says
 * (the rest of its reservation back in the lot, unreserved): the order's
 * record is picked, and for each order OrderPicked (what was picked) and,
 * when short, Shortage (short_pick); then the list is written and
 * TourPicked emitted, CAUSE the type of the event that picked.  Returns 0
 * or a negative store error. */
int inventory_pick_commit(struct lz_call *c, struct inventory_pick *p,
			  const char *cause);

void inventory_pick_release(struct inventory_pick *p);

/* Notes in the picking list holding order O (O->tour_id) that the order
 * left it with STATUS: PST_PICKED (picked by PickOrder, as reserved) or
 * PST_DROPPED (ended before its picking).  Nothing when O is on no list
 * or no longer listed there.  Returns 0 or a negative store error. */
int inventory_picking_note(struct lz_call *c, const OrderRecord *o, int status,
			   const char *cause);

#endif
