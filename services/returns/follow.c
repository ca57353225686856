/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * follow.c -- what the returns service follows from the other services,
 * each event accepted only from its service: the directory and the
 * orders' containers (orders), collections (tours, bikes), lots nearing
 * expiry, expired and refused (inventory).
 */
#include "returns.h"

#include "lz_bus.h"
#include "lz_service.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- directory and orders (source orders) ---- */

static int
on_site(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Site *s = ((const Lz__Orders__V1__SiteRegistered *)msg)->site;
	const char *role = NULL;
	char cur[80];
	int rc;

	if (s == NULL || !lz_valid_id(s->site_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "site.site_id");
	if ((rc = lz_store_put_msg(c->txn, returns_of(c)->db.sites, s->site_id,
				   &s->base)) != 0)
		return rc;
	if (s->kind == LZ__ORDERS__V1__SITE_KIND__SITE_KIND_HUB)
		role = "hub";
	else if (s->kind == LZ__ORDERS__V1__SITE_KIND__SITE_KIND_BIKE_RELAY)
		role = "relay";
	if (role == NULL)
		return 0;
	/* The first hub (bike relay) registered is the one. */
	if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db, role, cur,
					 sizeof(cur))) != 0 ||
	    cur[0] != '\0')
		return rc;
	return returns_store_meta_put(c->txn, &returns_of(c)->db, role,
				      s->site_id);
}

static int
on_member(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__Member *m =
		((const Lz__Orders__V1__MemberRegistered *)msg)->member;

	if (m == NULL || !lz_valid_id(m->member_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "member.member_id");
	return lz_store_put_msg(c->txn, returns_of(c)->db.members, m->member_id,
				&m->base);
}

static int
has_containers(const Order *o)
{
	for (size_t i = 0; i < o->n_lines; i++)
		for (size_t k = 0; k < o->lines[i]->n_containers; k++)
			if (o->lines[i]->containers[k]->count > 0)
				return 1;
	return 0;
}

/* Forgets order ID (delivered, ended, or without containers). */
static int
forget_order(struct lz_call *c, const char *id)
{
	MDB_val k = {strlen(id), (void *)id};
	int rc = mdb_del(c->txn, returns_of(c)->db.orders, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static int
on_order(struct lz_call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape. */
	const Order *o = ((const Lz__Orders__V1__OrderPlaced *)msg)->order;

	if (o == NULL || o->order_id == NULL || strlen(o->order_id) < 3 ||
	    strlen(o->order_id) > 200)
		return lz_service_refuse_event(c, "payload", "invalid",
					       "order.order_id");
	if (has_containers(o))
		return lz_store_put_msg(c->txn, returns_of(c)->db.orders,
					o->order_id, &o->base);
	return forget_order(c, o->order_id);
}

/* The containers of a delivered order leave the hub's stock for the
 * destination site, on the order's member's account. */
static int
deliver(struct lz_call *c, const Order *o)
{
	char site[RETURNS_ACCOUNT_MAX];
	const char *from[] = {ACCT_HUB_STOCK};
	int rc = 0;

	if (returns_site_account(site, sizeof(site), o->destination_site_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "order.destination_site_id");
	for (size_t i = 0; i < o->n_lines && rc == 0; i++)
		for (size_t k = 0; k < o->lines[i]->n_containers && rc == 0;
		     k++) {
			const Lz__Orders__V1__ContainerCount *cc =
				o->lines[i]->containers[k];

			if (cc->count == 0)
				continue;
			if ((rc = returns_type_known(c, cc->container_type)) <=
			    0) {
				if (rc == 0)
					rc = lz_service_stat(c, "unknown_type",
							     1);
				continue;
			}
			rc = returns_take(c, cc->container_type, from, 1,
					  cc->count, site, o->member_id,
					  o->destination_site_id, o->order_id);
		}
	return rc;
}

/* Delivers ORDER_ID's containers if it has any not yet delivered, then
 * forgets the order: the first report of the delivery (the driver's stop,
 * the rider's parcel, the orders service) moves them, the others find
 * nothing. */
static int
deliver_order(struct lz_call *c, const char *order_id)
{
	Order *o = NULL;
	int rc;

	if ((rc = lz_store_get_msg(c->txn, returns_of(c)->db.orders, order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0 ||
	    o == NULL)
		return rc;
	if ((rc = deliver(c, o)) == 0)
		rc = forget_order(c, o->order_id);
	lz__orders__v1__order__free_unpacked(o, NULL);
	return rc;
}

static int
on_order_status(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *ev =
		(const Lz__Orders__V1__OrderStatusChanged *)msg;
	int to = (int)ev->to;

	if (ev->order_id == NULL || strlen(ev->order_id) > 200)
		return lz_service_refuse_event(c, "payload", "invalid",
					       "order_id");
	if (to == LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED)
		return deliver_order(c, ev->order_id);
	if (to != LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_CANCELLED &&
	    to != LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_REJECTED &&
	    to != LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_FAILED)
		return 0;
	return forget_order(c, ev->order_id);
}

/* ---- collections (sources tours and bikes) ---- */

/* Containers a driver or rider brought back from SITE_ID. */
static int
collected(struct lz_call *c, const char *site_id, size_t n,
	  const Lz__Tours__V1__ContainerCount *const *cc, const char *to,
	  const char *reference)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (cc[i]->count == 0)
			continue;
		if ((rc = returns_type_known(c, cc[i]->container_type)) <= 0) {
			if (rc == 0)
				rc = lz_service_stat(c, "unknown_type", 1);
			continue;
		}
		rc = returns_collected(c, site_id, cc[i]->container_type,
				       cc[i]->count, to, reference);
	}
	return rc;
}

/* "onboard/<tour>#<stop>/<order>": a delivery with containers on board
 * for that stop. */
struct at_stop {
	struct lz_call *c;
	char **orders;
	size_t n;
};

static void
keep_order_id(const char *key, const char *value, void *arg)
{
	struct at_stop *a = arg;

	(void)key;
	a->orders = xrealloc(a->orders, sizeof(char *) * (a->n + 1));
	a->orders[a->n++] = xstrdup(value);
}

static int
deliver_at_stop(struct lz_call *c, const char *stop_ref)
{
	struct at_stop a = {c, NULL, 0};
	char prefix[320];
	int rc;

	snprintf(prefix, sizeof(prefix), "onboard/%s/", stop_ref);
	rc = returns_store_meta_scan(c->txn, &returns_of(c)->db, prefix,
				     keep_order_id, &a);
	for (size_t i = 0; i < a.n && rc == 0; i++) {
		char key[600];

		snprintf(key, sizeof(key), "%s%s", prefix, a.orders[i]);
		if ((rc = deliver_order(c, a.orders[i])) == 0)
			rc = returns_store_meta_del(c->txn, &returns_of(c)->db,
						    key);
	}
	for (size_t i = 0; i < a.n; i++)
		free(a.orders[i]);
	free(a.orders);
	return rc;
}

/* The key "onboard/<tour>#<stop>/<order>" of a delivery task's change;
 * -1 when its ids are too long to be one. */
static int
onboard_key(const Lz__Tours__V1__TaskStatusChanged *ev, char *key, size_t len)
{
	if (ev->task->order_id == NULL || strlen(ev->task->order_id) > 200 ||
	    ev->tour_id == NULL || strlen(ev->tour_id) > 250)
		return -1;
	snprintf(key, len, "onboard/%s#%u/%s", ev->tour_id, ev->stop_index,
		 ev->task->order_id);
	return 0;
}

/* A delivery task on board: remember its stop, to deliver its containers
 * when the stop is completed; done, failed or cancelled: forget it. */
static int
on_delivery_task(struct lz_call *c, const Lz__Tours__V1__TaskStatusChanged *ev)
{
	Order *o = NULL;
	char key[600];
	int rc;

	if (onboard_key(ev, key, sizeof(key)) != 0)
		return 0;
	if (ev->to != LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_ON_BOARD)
		return returns_store_meta_del(c->txn, &returns_of(c)->db, key);
	if ((rc = lz_store_get_msg(c->txn, returns_of(c)->db.orders,
				   ev->task->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0 ||
	    o == NULL)
		return rc;
	lz__orders__v1__order__free_unpacked(o, NULL);
	return returns_store_meta_put(c->txn, &returns_of(c)->db, key,
				      ev->task->order_id);
}

static int
on_stop(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__StopStatusChanged *ev =
		(const Lz__Tours__V1__StopStatusChanged *)msg;
	char ref[300];
	int rc;

	if (ev->to != LZ__TOURS__V1__STOP_STATUS__STOP_STATUS_COMPLETED ||
	    ev->n_containers_collected == 0 || ev->tour_id == NULL)
		return 0;
	if (!lz_valid_id(ev->site_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "site_id");
	snprintf(ref, sizeof(ref), "%.250s#%u", ev->tour_id, ev->stop_index);
	/* The jars delivered at this stop are there before the empties
	 * taken back (tours reports the stop before its tasks). */
	if ((rc = deliver_at_stop(c, ref)) != 0)
		return rc;
	return collected(c, ev->site_id, ev->n_containers_collected,
			 (const Lz__Tours__V1__ContainerCount *const *)
				 ev->containers_collected,
			 ACCT_HUB_RETURNED, ref);
}

static int
on_task(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	const char *id;
	int rc;

	if (ev->task == NULL)
		return lz_service_refuse_event(c, "payload", "invalid", "task");
	if (ev->task->kind == LZ__TOURS__V1__TASK_KIND__TASK_KIND_DELIVERY &&
	    (ev->to == LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_ON_BOARD ||
	     ev->to == LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_DONE ||
	     ev->to == LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_FAILED ||
	     ev->to == LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_CANCELLED) &&
	    (rc = on_delivery_task(c, ev)) != 0)
		return rc;
	if (ev->order_status ==
		    LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED &&
	    ev->task->order_id && strlen(ev->task->order_id) <= 200)
		return deliver_order(c, ev->task->order_id);
	if (ev->task->kind != LZ__TOURS__V1__TASK_KIND__TASK_KIND_COLLECTION ||
	    ev->task->task_id == NULL ||
	    strncmp(ev->task->task_id, "col:ret-", 8) != 0)
		return 0;
	id = ev->task->task_id + 4;
	switch (ev->to) {
	case LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_DONE:
		return returns_request_ended(c, id, RETURNS_REQ_DONE);
	case LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_CANCELLED:
		return returns_request_ended(c, id, RETURNS_REQ_ENDED);
	case LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_FAILED:
		/* Tours moves it to the next day while attempts are left. */
		return returns_request_ended(c, id, RETURNS_REQ_FAILED);
	default:
		return 0;
	}
}

/* Where a rider's containers go: the bike relay's empties (a van brings
 * them to the hub), or the hub's returns when no relay is known. */
static int
bike_destination(struct lz_call *c, char *out, size_t len)
{
	char relay[80];
	int rc = returns_store_meta_get(c->txn, &returns_of(c)->db, "relay",
					relay, sizeof(relay));

	if (rc != 0)
		return rc;
	if (relay[0] == '\0' || returns_empties_account(out, len, relay) != 0)
		snprintf(out, len, "%s", ACCT_HUB_RETURNED);
	return 0;
}

static int
on_parcel(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ParcelStatusChanged *ev =
		(const Lz__Bikes__V1__ParcelStatusChanged *)msg;
	char to[RETURNS_ACCOUNT_MAX];
	int rc;

	if (ev->parcel == NULL || !lz_valid_id(ev->parcel->site_id))
		return lz_service_refuse_event(c, "payload", "invalid",
					       "parcel.site_id");
	/* Delivered first: the rider hands over the full jars before
	 * taking the empties back. */
	if (ev->order_status ==
		    LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED &&
	    ev->parcel->order_id && strlen(ev->parcel->order_id) <= 200 &&
	    (rc = deliver_order(c, ev->parcel->order_id)) != 0)
		return rc;
	if (ev->n_containers_collected == 0)
		return 0;
	if ((rc = bike_destination(c, to, sizeof(to))) != 0)
		return rc;
	return collected(c, ev->parcel->site_id, ev->n_containers_collected,
			 (const Lz__Tours__V1__ContainerCount *const *)
				 ev->containers_collected,
			 to, ev->parcel->parcel_id);
}

static int
on_pickup(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__PickupStatusChanged *ev =
		(const Lz__Bikes__V1__PickupStatusChanged *)msg;
	char to[RETURNS_ACCOUNT_MAX];
	int rc = 0;

	if (ev->request_id == NULL)
		return lz_service_refuse_event(c, "payload", "invalid",
					       "request_id");
	if (ev->to == LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_COLLECTED) {
		if (ev->n_containers_collected > 0 &&
		    lz_valid_id(ev->site_id) &&
		    ((rc = bike_destination(c, to, sizeof(to))) != 0 ||
		     (rc = collected(c, ev->site_id, ev->n_containers_collected,
				     (const Lz__Tours__V1__ContainerCount *const
					      *)ev->containers_collected,
				     to, ev->request_id)) != 0))
			return rc;
		if (strncmp(ev->request_id, "ret-", 4) == 0)
			rc = returns_request_ended(c, ev->request_id,
						   RETURNS_REQ_DONE);
	} else if (strncmp(ev->request_id, "ret-", 4) == 0 &&
		   ev->to ==
			   LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_FAILED) {
		rc = returns_request_ended(c, ev->request_id,
					   RETURNS_REQ_FAILED);
	} else if (
		strncmp(ev->request_id, "ret-", 4) == 0 &&
		ev->to == LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_REFUSED) {
		rc = returns_request_ended(c, ev->request_id,
					   RETURNS_REQ_REFUSED);
	}
	return rc;
}

/* ---- food from the hub's stock (source inventory) ---- */

/* Opens a flow of unsold food at the hub for LOT_ID (once per lot). */
static int
lot_flow(struct lz_call *c, const char *lot_id, const char *owner,
	 const char *product, int64_t units, int64_t unit_grams,
	 int64_t unit_ml, int tc, int date_kind, int64_t date,
	 const char *origin)
{
	Flow f = LZ__RETURNS__V1__FLOW__INIT;
	char key[120], hub[80], cur[RETURNS_FLOW_ID_MAX];
	int rc;

	if (!lz_valid_id(lot_id) || units <= 0 || unit_grams <= 0 ||
	    units > RETURNS_GRAMS_MAX || unit_grams > RETURNS_GRAMS_MAX ||
	    units * unit_grams > RETURNS_GRAMS_MAX)
		return lz_service_refuse_event(c, "payload", "invalid",
					       "quantity");
	snprintf(key, sizeof(key), "lot/%s", lot_id);
	if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db, key, cur,
					 sizeof(cur))) != 0 ||
	    cur[0] != '\0')
		return rc;
	if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db, "hub", hub,
					 sizeof(hub))) != 0)
		return rc;
	/* No hub yet: the flow waits for it (see returns_flow_match). */
	f.kind = FK_UNSOLD;
	f.category = (char *)(product ? product : "");
	f.member_id = (char *)(owner ? owner : "");
	f.site_id = hub;
	f.grams = units * unit_grams;
	f.millilitres = unit_ml > 0 && unit_ml <= RETURNS_GRAMS_MAX
				? units * unit_ml
				: 0;
	f.temperature_class = (Lz__Common__V1__TemperatureClass)tc;
	if (date > 0 &&
	    date_kind == LZ__INVENTORY__V1__DATE_KIND__DATE_KIND_USE_BY) {
		f.date_kind = DK_USE_BY;
		f.use_by = date;
	} else if (
		date > 0 &&
		date_kind ==
			LZ__INVENTORY__V1__DATE_KIND__DATE_KIND_BEST_BEFORE) {
		f.date_kind = DK_BEST_BEFORE;
		f.use_by = date;
	}
	f.origin = (char *)origin;
	f.reference = (char *)lot_id;
	if ((rc = returns_flow_open(c, &f, cur)) != 0)
		return rc;
	return returns_store_meta_put(c->txn, &returns_of(c)->db, key, cur);
}

static int
on_nearing(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__LotNearingExpiry *ev =
		(const Lz__Inventory__V1__LotNearingExpiry *)msg;
	const Lz__Inventory__V1__Lot *l = ev->lot;

	if (l == NULL)
		return lz_service_refuse_event(c, "payload", "invalid", "lot");
	return lot_flow(c, l->lot_id, l->owner_member_id, l->product,
			ev->unreserved, l->unit_grams, l->unit_millilitres,
			l->temperature_class, l->date_kind, l->date,
			"lot_nearing_expiry");
}

static int
on_expired(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__LotExpired *ev =
		(const Lz__Inventory__V1__LotExpired *)msg;
	const Lz__Inventory__V1__Lot *l = ev->lot;

	if (l == NULL)
		return lz_service_refuse_event(c, "payload", "invalid", "lot");
	if (ev->removed <= 0)
		return 0;
	return lot_flow(c, l->lot_id, l->owner_member_id, l->product,
			ev->removed, l->unit_grams, l->unit_millilitres,
			l->temperature_class, l->date_kind, l->date,
			"lot_expired");
}

static int
on_refused_reception(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__ReceptionRefused *ev =
		(const Lz__Inventory__V1__ReceptionRefused *)msg;
	const Lz__Inventory__V1__ReceiveLot *l = ev->reception;

	if (l == NULL)
		return lz_service_refuse_event(c, "payload", "invalid", "lot");
	/* Refused for a malformed or duplicate label: nothing physical to
	 * divert, or already known. */
	if (ev->reason ==
		    LZ__INVENTORY__V1__REFUSAL_REASON__REFUSAL_REASON_INVALID ||
	    ev->reason ==
		    LZ__INVENTORY__V1__REFUSAL_REASON__REFUSAL_REASON_DUPLICATE_LOT ||
	    ev->reason ==
		    LZ__INVENTORY__V1__REFUSAL_REASON__REFUSAL_REASON_BAD_QUANTITY)
		return 0;
	return lot_flow(c, l->lot_id, l->owner_member_id, l->product,
			l->quantity, l->unit_grams, l->unit_millilitres,
			l->temperature_class, l->date_kind, l->date,
			"reception_refused");
}

const struct lz_handler returns_follows[] = {
	{&lz__orders__v1__site_registered__descriptor, on_site, "orders"},
	{&lz__orders__v1__member_registered__descriptor, on_member, "orders"},
	{&lz__orders__v1__order_placed__descriptor, on_order, "orders"},
	{&lz__orders__v1__order_amended__descriptor, on_order, "orders"},
	{&lz__orders__v1__order_status_changed__descriptor, on_order_status,
	 "orders"},
	{&lz__tours__v1__stop_status_changed__descriptor, on_stop, "tours"},
	{&lz__tours__v1__task_status_changed__descriptor, on_task, "tours"},
	{&lz__bikes__v1__parcel_status_changed__descriptor, on_parcel, "bikes"},
	{&lz__bikes__v1__pickup_status_changed__descriptor, on_pickup, "bikes"},
	{&lz__inventory__v1__lot_nearing_expiry__descriptor, on_nearing,
	 "inventory"},
	{&lz__inventory__v1__lot_expired__descriptor, on_expired, "inventory"},
	{&lz__inventory__v1__reception_refused__descriptor,
	 on_refused_reception, "inventory"},
};
const size_t returns_n_follows = LZ_ARRAY_LEN(returns_follows);
