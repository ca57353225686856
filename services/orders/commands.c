/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.c -- the partners' commands to the orders service (from the
 * gateway): the directory of members and sites, and placing, amending and
 * cancelling orders.  Each is checked with rules.c, written with store.c
 * and lifecycle.c, and emitted in the same transaction; every refusal is
 * an OrderRejected and changes nothing else.
 */
#include "lifecycle.h"
#include "orders.h"
#include "rules.h"

#include "lz_bus.h"
#include "lz_service.h"
#include "lz_util.h"

#include <stdio.h>
#include <string.h>

/* Emits OrderRejected for the command being applied, with the verdict's
 * reason and detail. */
static int
reject(struct lz_call *c, const char *order_id, const char *reference,
       const struct orders_verdict *v)
{
	return lz_service_refuse(
		c, v->reason,
		LZ_IDS("order_id", order_id, "reference", reference), "%s",
		v->detail);
}

/* ---- directory ---- */

static int
on_register_member(struct lz_call *c, const ProtobufCMessage *msg)
{
	const RegisterMember *cmd = (const RegisterMember *)msg;
	Lz__Orders__V1__MemberRegistered ev =
		LZ__ORDERS__V1__MEMBER_REGISTERED__INIT;
	struct orders_verdict v;
	int rc;

	if (orders_rules_member(cmd->member, &v) != RJ_NONE)
		return reject(c, NULL, NULL, &v);
	if ((rc = orders_store_put_member(c->txn, &orders_of(c)->db,
					  cmd->member)))
		return rc;
	ev.member = cmd->member;
	return lz_bus_emit(c->tx, cmd->member->member_id, &ev.base);
}

static int
on_register_site(struct lz_call *c, const ProtobufCMessage *msg)
{
	const RegisterSite *cmd = (const RegisterSite *)msg;
	Lz__Orders__V1__SiteRegistered ev =
		LZ__ORDERS__V1__SITE_REGISTERED__INIT;
	struct orders_verdict v;
	Member *m = NULL;
	int rc;

	if (cmd->site &&
	    (rc = orders_store_get_member(c->txn, &orders_of(c)->db,
					  cmd->site->member_id, &m)) != 0)
		return rc;
	if (orders_rules_site(cmd->site, m != NULL, &v) != RJ_NONE) {
		rc = reject(c, NULL, NULL, &v);
		goto out;
	}
	if ((rc = orders_store_put_site(c->txn, &orders_of(c)->db, cmd->site)))
		goto out;
	ev.site = cmd->site;
	rc = lz_bus_emit(c->tx, cmd->site->member_id, &ev.base);
out:
	if (m)
		lz__orders__v1__member__free_unpacked(m, NULL);
	return rc;
}

/* ---- orders ---- */

/* Loads the sites order O names (NULL when unknown or not named). */
static int
load_sites(struct lz_call *c, const Order *o, Site **dest, Site **pickup)
{
	int rc = orders_store_get_site(c->txn, &orders_of(c)->db,
				       o->destination_site_id, dest);

	*pickup = NULL;
	if (rc == 0 && o->pickup_site_id && o->pickup_site_id[0])
		rc = orders_store_get_site(c->txn, &orders_of(c)->db,
					   o->pickup_site_id, pickup);
	return rc;
}

static void
free_sites(Site *dest, Site *pickup)
{
	if (dest)
		lz__orders__v1__site__free_unpacked(dest, NULL);
	if (pickup)
		lz__orders__v1__site__free_unpacked(pickup, NULL);
}

static int
on_place(struct lz_call *c, const ProtobufCMessage *msg)
{
	const PlaceOrder *p = (const PlaceOrder *)msg;
	const char *tenant = c->ev->tenant;
	Lz__Orders__V1__OrderPlaced ev = LZ__ORDERS__V1__ORDER_PLACED__INIT;
	Order o = LZ__ORDERS__V1__ORDER__INIT;
	Member *m = NULL;
	Order *taken = NULL;
	Site *dest = NULL, *pickup = NULL;
	struct orders_verdict v;
	char id[2 * ORDERS_ID_MAX + 2] = "";
	int rc;

	if (lz_valid_id(tenant) && lz_valid_id(p->reference))
		snprintf(id, sizeof(id), "%s/%s", tenant, p->reference);
	o.order_id = id;
	o.member_id = (char *)tenant;
	o.reference = p->reference;
	o.destination_site_id = p->destination_site_id;
	o.delivery_window = p->delivery_window;
	o.n_lines = p->n_lines;
	o.lines = p->lines;
	o.source = p->source;
	o.pickup_site_id = p->pickup_site_id;
	o.pickup_window = p->pickup_window;
	o.notes = p->notes;
	o.allow_partial = p->allow_partial;
	o.status = (Lz__Orders__V1__OrderStatus)ST_PLACED;
	o.placed_at = c->now;
	o.updated_at = c->now;

	if ((rc = orders_store_get_member(c->txn, &orders_of(c)->db, tenant,
					  &m)) ||
	    (rc = orders_store_get_order(c->txn, &orders_of(c)->db, id,
					 &taken)) ||
	    (rc = load_sites(c, &o, &dest, &pickup)))
		goto out;
	if (orders_rules_place(&o, m != NULL, taken != NULL, dest, pickup,
			       c->now, orders_of(c)->grace, &v) != RJ_NONE) {
		rc = reject(c, id, p->reference, &v);
		goto out;
	}
	if ((rc = orders_store_put_order(c->txn, &orders_of(c)->db, &o,
					 NULL)) ||
	    (rc = orders_add_history(c, id, ST_PLACED, c->now, EV_ORDER_PLACED,
				     "placed")) ||
	    (rc = lz_service_stat(c, "placed", 1)))
		goto out;
	ev.order = &o;
	if ((rc = lz_bus_emit(c->tx, tenant, &ev.base)) != 0)
		goto out;
	/* A producer pickup needs no stock: confirmed at once.  Hub-stock
	 * orders wait for the inventory's reservation. */
	if ((int)o.source == SRC_PRODUCER_PICKUP)
		rc = orders_transition(c, id, ST_CONFIRMED, CMD_PLACE_ORDER,
				       c->now, "producer pickup");
out:
	if (m)
		lz__orders__v1__member__free_unpacked(m, NULL);
	if (taken)
		lz__orders__v1__order__free_unpacked(taken, NULL);
	free_sites(dest, pickup);
	return rc;
}

static int
on_amend(struct lz_call *c, const ProtobufCMessage *msg)
{
	const AmendOrder *a = (const AmendOrder *)msg;
	Lz__Orders__V1__OrderAmended ev = LZ__ORDERS__V1__ORDER_AMENDED__INIT;
	Order *cur = NULL, amended = LZ__ORDERS__V1__ORDER__INIT;
	Site *dest = NULL, *pickup = NULL;
	struct orders_verdict v;
	char what[64];
	int rc;

	if ((rc = orders_store_get_order(c->txn, &orders_of(c)->db, a->order_id,
					 &cur)) != 0)
		return rc;
	if (cur) {
		orders_rules_amended(cur, a, &amended);
		amended.updated_at = c->now;
		if ((rc = load_sites(c, &amended, &dest, &pickup)) != 0)
			goto out;
	}
	if (orders_rules_amend(cur, c->ev->tenant, a, &amended, dest, pickup,
			       c->now, orders_of(c)->grace, &v) != RJ_NONE) {
		rc = reject(c, a->order_id, cur ? cur->reference : NULL, &v);
		goto out;
	}
	if ((rc = orders_store_put_order(c->txn, &orders_of(c)->db, &amended,
					 cur)))
		goto out;
	snprintf(what, sizeof(what), "amended:%s%s%s",
		 a->delivery_window ? " delivery_window" : "",
		 a->n_lines ? " lines" : "",
		 a->notes && a->notes[0] ? " notes" : "");
	if ((rc = orders_add_history(c, cur->order_id, cur->status, c->now,
				     EV_ORDER_AMENDED, what)) != 0)
		goto out;
	ev.order = &amended;
	rc = lz_bus_emit(c->tx, cur->member_id, &ev.base);
out:
	free_sites(dest, pickup);
	if (cur)
		lz__orders__v1__order__free_unpacked(cur, NULL);
	return rc;
}

static int
on_cancel(struct lz_call *c, const ProtobufCMessage *msg)
{
	const CancelOrder *cmd = (const CancelOrder *)msg;
	Order *cur = NULL;
	struct orders_verdict v;
	int rc;

	if ((rc = orders_store_get_order(c->txn, &orders_of(c)->db,
					 cmd->order_id, &cur)) != 0)
		return rc;
	if (orders_rules_cancel(cur, c->ev->tenant, cmd, &v) != RJ_NONE)
		rc = reject(c, cmd->order_id, cur ? cur->reference : NULL, &v);
	else
		rc = orders_transition(c, cur->order_id, ST_CANCELLED,
				       CMD_CANCEL_ORDER, c->now, cmd->reason);
	if (cur)
		lz__orders__v1__order__free_unpacked(cur, NULL);
	return rc;
}

const struct lz_handler orders_commands[] = {
	{&lz__orders__v1__register_member__descriptor, on_register_member,
	 LZ_FROM_GATEWAY},
	{&lz__orders__v1__register_site__descriptor, on_register_site,
	 LZ_FROM_GATEWAY},
	{&lz__orders__v1__place_order__descriptor, on_place, LZ_FROM_GATEWAY},
	{&lz__orders__v1__amend_order__descriptor, on_amend, LZ_FROM_GATEWAY},
	{&lz__orders__v1__cancel_order__descriptor, on_cancel, LZ_FROM_GATEWAY},
};
const size_t orders_n_commands = LZ_ARRAY_LEN(orders_commands);
