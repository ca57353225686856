/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lifecycle.h -- the changes of an order that commands and followed events
 * share: its status, through the state machine of rules.c, and its
 * history.  Both write in the transaction being applied and emit there.
 */
#ifndef ORDERS_LIFECYCLE_H
#define ORDERS_LIFECYCLE_H

#include <stdint.h>

struct lz_call;

/* What orders_transition returns for a change the state machine refuses
 * (or an unknown order): nothing changed but a counter. */
#define ORDERS_ILLEGAL 2

/* Appends to order ORDER_ID's history: STATUS at AT, because of EVENT (a
 * type name), with DETAIL.  Returns 0 or a negative store error. */
int orders_add_history(struct lz_call *c, const char *order_id, int status,
		       int64_t at, const char *event, const char *detail);

/*
 * Moves order ORDER_ID to status TO because of an event of type CAUSE at
 * time AT (seconds), if the state machine allows it: writes the order and
 * its indexes, appends to its history (with DETAIL, may be NULL) and emits
 * OrderStatusChanged.  Returns 0, ORDERS_ILLEGAL (unknown order or illegal
 * transition: nothing changes but a counter), or a negative store error.
 * Every status change goes through here; the event types that drive the
 * lifecycle (commands.c, follow.c) only map to a target status.
 */
int orders_transition(struct lz_call *c, const char *order_id, int to,
		      const char *cause, int64_t at, const char *detail);

#endif
