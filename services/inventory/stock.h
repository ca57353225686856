/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stock.h -- the changes of lots and reservations that the partners'
 * commands (commands.c) and the other services' events (follow.c) share:
 * receiving a lot, reserving stock for a hub-stock order first-expired-
 * first-out (the decisions are alloc.c's), and giving a reservation back
 * or picking it.  Each writes in the transaction being applied (store.c)
 * and emits there.
 */
#ifndef INVENTORY_STOCK_H
#define INVENTORY_STOCK_H

#include "codec.h"

#include <stdint.h>

struct lz_call;

/* Counts a refusal of REASON as "refused/<reason>" and logs it (for a
 * refusal emitted otherwise than by lz_service_refuse). */
int inventory_count_refusal(struct lz_call *c, int reason);

/* Receives CMD: the lot is stored (LotReceived) and *DONE set, or the
 * reception refused (ReceptionRefused, counted). */
int inventory_receive(struct lz_call *c, const ReceiveLot *cmd, int *done);

/* Changes lot LOT_ID's reserved units by DELTA; a release of an expired
 * lot's units sends them to the expired total (they left the stock at
 * expiry, kept only for the order).  PICK: the units leave the stock. */
int inventory_lot_move(struct lz_call *c, const char *lot_id, int64_t delta,
		       int pick);

/* Picks PICKED units of the LISTED units lot LOT_ID holds reserved: the
 * reservation goes, the units picked leave the stock, the others are
 * back, unreserved (PICKED <= LISTED). */
int inventory_lot_pick(struct lz_call *c, const char *lot_id, int64_t listed,
		       int64_t picked);

/* Gives back O's reservation because of CAUSE (PICK: the units leave the
 * stock instead: OrderPicked) and clears it in O (not written). */
int inventory_release(struct lz_call *c, OrderRecord *o, const char *cause,
		      int pick);

/* Allocates stock to hub-stock order ORD (record O, whose reservation is
 * empty), writes the lots and O, and emits ReservationMade and/or
 * Shortage. */
int inventory_reserve(struct lz_call *c, const Order *ord, OrderRecord *o);

#endif
