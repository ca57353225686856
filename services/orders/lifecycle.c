/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lifecycle.c -- see lifecycle.h.
 */
#include "lifecycle.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_service.h"
#include "orders.h"
#include "rules.h"

#include <stdio.h>

int
orders_add_history(struct lz_call *c, const char *order_id, int status,
		   int64_t at, const char *event, const char *detail)
{
	HistoryEntry e = LZ__ORDERS__V1__ORDER_HISTORY_ENTRY__INIT;

	e.at = at;
	e.status = (Lz__Orders__V1__OrderStatus)status;
	e.event = (char *)event;
	e.detail = (char *)detail;
	return orders_store_add_history(c->txn, &orders_of(c)->db, order_id,
					&e);
}

int
orders_transition(struct lz_call *c, const char *order_id, int to,
		  const char *cause, int64_t at, const char *detail)
{
	Lz__Orders__V1__OrderStatusChanged sc =
		LZ__ORDERS__V1__ORDER_STATUS_CHANGED__INIT;
	Order *cur = NULL, next;
	char text[1200];
	int rc, refused = 0;

	if ((rc = orders_store_get_order(c->txn, &orders_of(c)->db, order_id,
					 &cur)))
		return rc;
	if (cur == NULL || !orders_rules_transition_ok((int)cur->source,
						       (int)cur->status, to)) {
		lz_log_warn("status change refused",
			    "order=%s from=%s to=%s cause=%s",
			    cur ? cur->order_id : "(unknown)",
			    cur ? orders_status_name(cur->status) : "-",
			    orders_status_name(to), cause);
		rc = lz_service_stat(c, "illegal_transition", 1);
		refused = 1;
		goto out;
	}
	next = *cur;
	next.status = (Lz__Orders__V1__OrderStatus)to;
	next.updated_at = at;
	if ((rc = orders_store_put_order(c->txn, &orders_of(c)->db, &next,
					 cur)) != 0)
		goto out;
	snprintf(text, sizeof(text), "%s -> %s by %s%s%s",
		 orders_status_name(cur->status), orders_status_name(to), cause,
		 detail && detail[0] ? ": " : "", detail ? detail : "");
	rc = orders_add_history(c, cur->order_id, to, at, EV_STATUS_CHANGED,
				text);
	if (rc != 0)
		goto out;
	sc.order_id = cur->order_id;
	sc.from = cur->status;
	sc.to = (Lz__Orders__V1__OrderStatus)to;
	sc.cause = (char *)cause;
	sc.at = at;
	rc = lz_bus_emit(c->tx, cur->member_id, &sc.base);
out:
	if (cur)
		lz__orders__v1__order__free_unpacked(cur, NULL);
	return rc == 0 && refused ? ORDERS_ILLEGAL : rc;
}
