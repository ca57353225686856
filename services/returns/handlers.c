/*
 * handlers.c -- applies what the returns service consumes: the directory
 * and the orders' containers (source orders), collections (tours, bikes),
 * lots nearing expiry, expired and refused (inventory), and the partners'
 * commands (gateway).
 *
 * As in every service, an apply may run twice for the same event (a
 * retried batch), so its only effects are in the transaction; the metrics
 * are counters in the store, refreshed after each commit.  A command is
 * checked whole before anything is written, so a refusal changes nothing
 * but the CommandRefused it emits.
 */
#include "returns.h"

#include "lz_bus.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRAMS_MAX INT64_C(100000000)
#define COUNT_MAX 1000000

/* ---- helpers (returns.h) ---- */

int
returns_stat(struct returns_call *c, const char *name, int64_t delta)
{
	return returns_store_stat_add(c->txn, &c->r->db, name, delta);
}

int
returns_get_site(struct returns_call *c, const char *id, Site **out)
{
	return lz_store_get_msg(c->txn, c->r->db.sites, id,
				&lz__orders__v1__site__descriptor,
				(ProtobufCMessage **)out);
}

void
returns_free_site(Site *s)
{
	if (s)
		lz__orders__v1__site__free_unpacked(s, NULL);
}

struct returns_hours
returns_site_hours(const Site *site)
{
	struct returns_hours h = {NULL, 0};

	if (site) {
		h.h = (const OpeningHours *const *)site->opening_hours;
		h.n = site->n_opening_hours;
	}
	return h;
}

/* ---- refusals ---- */

struct ids {
	const char *flow_id, *container_type, *outlet_id, *reference;
};

/* A printable echo of a partner's id: itself when well formed, else "". */
static char *
echo(const char *s)
{
	return (char *)(returns_valid_id(s) ? s : "");
}

static int refuse(struct returns_call *c, int reason, const struct ids *ids,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Emits CommandRefused; returns 1 (the command stops) or a negative store
 * error. */
static int
refuse(struct returns_call *c, int reason, const struct ids *ids,
       const char *fmt, ...)
{
	Lz__Returns__V1__CommandRefused r =
		LZ__RETURNS__V1__COMMAND_REFUSED__INIT;
	char detail[400], name[64];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	r.command = (char *)c->type;
	r.reason = (Lz__Returns__V1__Reason)reason;
	r.detail = detail;
	if (ids) {
		r.flow_id = echo(ids->flow_id);
		r.container_type = echo(ids->container_type);
		r.outlet_id = echo(ids->outlet_id);
		r.reference = echo(ids->reference);
	}
	snprintf(name, sizeof(name), "refused/%s", returns_reason_name(reason));
	if ((rc = returns_stat(c, name, 1)) != 0)
		return rc;
	lz_log_debug("command refused", "type=%s seq=%" PRIu64 " reason=%s",
		     c->type, c->ev->seq, returns_reason_name(reason));
	rc = lz_bus_emit(c->tx, c->tenant[0] ? c->tenant : NULL, &r.base);
	return rc != 0 ? rc : 1;
}

static int
get_type(struct returns_call *c, const char *id, ContainerType **out)
{
	*out = NULL;
	if (!returns_valid_id(id))
		return 0;
	return lz_store_get_msg(c->txn, c->r->db.types, id,
				&lz__returns__v1__container_type__descriptor,
				(ProtobufCMessage **)out);
}

/* Whether the container type ID is registered (0/1), or a store error. */
static int
type_known(struct returns_call *c, const char *id)
{
	ContainerType *t;
	int rc = get_type(c, id, &t);

	if (rc != 0)
		return rc;
	if (t == NULL)
		return 0;
	lz__returns__v1__container_type__free_unpacked(t, NULL);
	return 1;
}

/* The key remembering a command's reference for its member. */
static int
ref_key(struct returns_call *c, const char *cmd, const char *reference,
	char *key, size_t len)
{
	int n = snprintf(key, len, "ref/%s/%s/%s", cmd, c->tenant, reference);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* 1 when the reference was used, 0 if not, or a store error. */
static int
ref_used(struct returns_call *c, const char *cmd, const char *reference)
{
	char key[300], v[8];
	int rc;

	if (ref_key(c, cmd, reference, key, sizeof(key)) != 0)
		return 1;
	if ((rc = returns_store_meta_get(c->txn, &c->r->db, key, v,
					 sizeof(v))) != 0)
		return rc;
	return v[0] != '\0';
}

static int
ref_keep(struct returns_call *c, const char *cmd, const char *reference)
{
	char key[300];

	if (ref_key(c, cmd, reference, key, sizeof(key)) != 0)
		return -EINVAL;
	return returns_store_meta_put(c->txn, &c->r->db, key, "1");
}

/* Whether the tenant may declare at SITE: it owns it, or it is an
 * operator. */
static int
may_use_site(struct returns_call *c, const Site *site, int *ok)
{
	Lz__Orders__V1__Member *m = NULL;
	int rc;

	*ok = strcmp(site->member_id, c->tenant) == 0;
	if (*ok || !returns_valid_id(c->tenant))
		return 0;
	if ((rc = lz_store_get_msg(c->txn, c->r->db.members, c->tenant,
				   &lz__orders__v1__member__descriptor,
				   (ProtobufCMessage **)&m)) != 0)
		return rc;
	if (m) {
		*ok = m->kind ==
		      LZ__ORDERS__V1__MEMBER_KIND__MEMBER_KIND_OPERATOR;
		lz__orders__v1__member__free_unpacked(m, NULL);
	}
	return 0;
}

/* ---- directory and orders (source orders) ---- */

static int
on_site(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Site *s = ((const Lz__Orders__V1__SiteRegistered *)msg)->site;
	const char *role = NULL;
	char cur[80];
	int rc;

	if (s == NULL || !returns_valid_id(s->site_id))
		return returns_stat(c, "bad_payload", 1);
	if ((rc = lz_store_put_msg(c->txn, c->r->db.sites, s->site_id,
				   &s->base)) != 0)
		return rc;
	if (s->kind == LZ__ORDERS__V1__SITE_KIND__SITE_KIND_HUB)
		role = "hub";
	else if (s->kind == LZ__ORDERS__V1__SITE_KIND__SITE_KIND_BIKE_RELAY)
		role = "relay";
	if (role == NULL)
		return 0;
	/* The first hub (bike relay) registered is the one. */
	if ((rc = returns_store_meta_get(c->txn, &c->r->db, role, cur,
					 sizeof(cur))) != 0 ||
	    cur[0] != '\0')
		return rc;
	return returns_store_meta_put(c->txn, &c->r->db, role, s->site_id);
}

static int
on_member(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__Member *m =
		((const Lz__Orders__V1__MemberRegistered *)msg)->member;

	if (m == NULL || !returns_valid_id(m->member_id))
		return returns_stat(c, "bad_payload", 1);
	return lz_store_put_msg(c->txn, c->r->db.members, m->member_id,
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
forget_order(struct returns_call *c, const char *id)
{
	MDB_val k = {strlen(id), (void *)id};
	int rc = mdb_del(c->txn, c->r->db.orders, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static int
on_order(struct returns_call *c, const ProtobufCMessage *msg)
{
	/* OrderPlaced and OrderAmended have the same shape. */
	const Order *o = ((const Lz__Orders__V1__OrderPlaced *)msg)->order;

	if (o == NULL || o->order_id == NULL || strlen(o->order_id) < 3 ||
	    strlen(o->order_id) > 200)
		return returns_stat(c, "bad_payload", 1);
	if (has_containers(o))
		return lz_store_put_msg(c->txn, c->r->db.orders, o->order_id,
					&o->base);
	return forget_order(c, o->order_id);
}

/* The containers of a delivered order leave the hub's stock for the
 * destination site, on the order's member's account. */
static int
deliver(struct returns_call *c, const Order *o)
{
	char site[RETURNS_ACCOUNT_MAX];
	const char *from[] = {ACCT_HUB_STOCK};
	int rc = 0;

	if (returns_site_account(site, sizeof(site), o->destination_site_id))
		return returns_stat(c, "bad_payload", 1);
	for (size_t i = 0; i < o->n_lines && rc == 0; i++)
		for (size_t k = 0; k < o->lines[i]->n_containers && rc == 0;
		     k++) {
			const Lz__Orders__V1__ContainerCount *cc =
				o->lines[i]->containers[k];

			if (cc->count == 0)
				continue;
			if ((rc = type_known(c, cc->container_type)) <= 0) {
				if (rc == 0)
					rc = returns_stat(c, "unknown_type", 1);
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
deliver_order(struct returns_call *c, const char *order_id)
{
	Order *o = NULL;
	int rc;

	if ((rc = lz_store_get_msg(c->txn, c->r->db.orders, order_id,
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
on_order_status(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Orders__V1__OrderStatusChanged *ev =
		(const Lz__Orders__V1__OrderStatusChanged *)msg;
	int to = (int)ev->to;

	if (ev->order_id == NULL || strlen(ev->order_id) > 200)
		return returns_stat(c, "bad_payload", 1);
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
collected(struct returns_call *c, const char *site_id, size_t n,
	  const Lz__Tours__V1__ContainerCount *const *cc, const char *to,
	  const char *reference)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (cc[i]->count == 0)
			continue;
		if ((rc = type_known(c, cc[i]->container_type)) <= 0) {
			if (rc == 0)
				rc = returns_stat(c, "unknown_type", 1);
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
	struct returns_call *c;
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
deliver_at_stop(struct returns_call *c, const char *stop_ref)
{
	struct at_stop a = {c, NULL, 0};
	char prefix[320];
	int rc;

	snprintf(prefix, sizeof(prefix), "onboard/%s/", stop_ref);
	rc = returns_store_meta_scan(c->txn, &c->r->db, prefix, keep_order_id,
				     &a);
	for (size_t i = 0; i < a.n && rc == 0; i++) {
		char key[600];

		snprintf(key, sizeof(key), "%s%s", prefix, a.orders[i]);
		if ((rc = deliver_order(c, a.orders[i])) == 0)
			rc = returns_store_meta_del(c->txn, &c->r->db, key);
	}
	for (size_t i = 0; i < a.n; i++)
		free(a.orders[i]);
	free(a.orders);
	return rc;
}

/* A delivery task on board: remember its stop, to deliver its containers
 * when the stop is completed. */
static int
on_board(struct returns_call *c, const Lz__Tours__V1__TaskStatusChanged *ev)
{
	Order *o = NULL;
	char key[600];
	int rc;

	if (ev->task->order_id == NULL || strlen(ev->task->order_id) > 200 ||
	    ev->tour_id == NULL || strlen(ev->tour_id) > 250)
		return 0;
	if ((rc = lz_store_get_msg(c->txn, c->r->db.orders, ev->task->order_id,
				   &lz__orders__v1__order__descriptor,
				   (ProtobufCMessage **)&o)) != 0 ||
	    o == NULL)
		return rc;
	lz__orders__v1__order__free_unpacked(o, NULL);
	snprintf(key, sizeof(key), "onboard/%s#%u/%s", ev->tour_id,
		 ev->stop_index, ev->task->order_id);
	return returns_store_meta_put(c->txn, &c->r->db, key,
				      ev->task->order_id);
}

static int
on_stop(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__StopStatusChanged *ev =
		(const Lz__Tours__V1__StopStatusChanged *)msg;
	char ref[300];
	int rc;

	if (ev->to != LZ__TOURS__V1__STOP_STATUS__STOP_STATUS_COMPLETED ||
	    ev->n_containers_collected == 0 || ev->tour_id == NULL)
		return 0;
	if (!returns_valid_id(ev->site_id))
		return returns_stat(c, "bad_payload", 1);
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
on_task(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	const char *id;

	if (ev->task == NULL)
		return returns_stat(c, "bad_payload", 1);
	if (ev->task->kind == LZ__TOURS__V1__TASK_KIND__TASK_KIND_DELIVERY &&
	    ev->to == LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_ON_BOARD)
		return on_board(c, ev);
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
bike_destination(struct returns_call *c, char *out, size_t len)
{
	char relay[80];
	int rc = returns_store_meta_get(c->txn, &c->r->db, "relay", relay,
					sizeof(relay));

	if (rc != 0)
		return rc;
	if (relay[0] == '\0' || returns_empties_account(out, len, relay) != 0)
		snprintf(out, len, "%s", ACCT_HUB_RETURNED);
	return 0;
}

static int
on_parcel(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ParcelStatusChanged *ev =
		(const Lz__Bikes__V1__ParcelStatusChanged *)msg;
	char to[RETURNS_ACCOUNT_MAX];
	int rc;

	if (ev->parcel == NULL || !returns_valid_id(ev->parcel->site_id))
		return returns_stat(c, "bad_payload", 1);
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
on_pickup(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__PickupStatusChanged *ev =
		(const Lz__Bikes__V1__PickupStatusChanged *)msg;
	char to[RETURNS_ACCOUNT_MAX];
	int rc = 0;

	if (ev->request_id == NULL)
		return returns_stat(c, "bad_payload", 1);
	if (ev->to == LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_COLLECTED) {
		if (ev->n_containers_collected > 0 &&
		    returns_valid_id(ev->site_id) &&
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
lot_flow(struct returns_call *c, const char *lot_id, const char *owner,
	 const char *product, int64_t units, int64_t unit_grams,
	 int64_t unit_ml, int tc, int date_kind, int64_t date,
	 const char *origin)
{
	Flow f = LZ__RETURNS__V1__FLOW__INIT;
	char key[120], hub[80], cur[RETURNS_FLOW_ID_MAX];
	int rc;

	if (!returns_valid_id(lot_id) || units <= 0 || unit_grams <= 0 ||
	    units > GRAMS_MAX || unit_grams > GRAMS_MAX ||
	    units * unit_grams > GRAMS_MAX)
		return returns_stat(c, "bad_payload", 1);
	snprintf(key, sizeof(key), "lot/%s", lot_id);
	if ((rc = returns_store_meta_get(c->txn, &c->r->db, key, cur,
					 sizeof(cur))) != 0 ||
	    cur[0] != '\0')
		return rc;
	if ((rc = returns_store_meta_get(c->txn, &c->r->db, "hub", hub,
					 sizeof(hub))) != 0)
		return rc;
	/* No hub yet: the flow waits for it (see returns_flow_match). */
	f.kind = FK_UNSOLD;
	f.category = (char *)(product ? product : "");
	f.member_id = (char *)(owner ? owner : "");
	f.site_id = hub;
	f.grams = units * unit_grams;
	f.millilitres =
		unit_ml > 0 && unit_ml <= GRAMS_MAX ? units * unit_ml : 0;
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
	return returns_store_meta_put(c->txn, &c->r->db, key, cur);
}

static int
on_nearing(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__LotNearingExpiry *ev =
		(const Lz__Inventory__V1__LotNearingExpiry *)msg;
	const Lz__Inventory__V1__Lot *l = ev->lot;

	if (l == NULL)
		return returns_stat(c, "bad_payload", 1);
	return lot_flow(c, l->lot_id, l->owner_member_id, l->product,
			ev->unreserved, l->unit_grams, l->unit_millilitres,
			l->temperature_class, l->date_kind, l->date,
			"lot_nearing_expiry");
}

static int
on_expired(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__LotExpired *ev =
		(const Lz__Inventory__V1__LotExpired *)msg;
	const Lz__Inventory__V1__Lot *l = ev->lot;

	if (l == NULL)
		return returns_stat(c, "bad_payload", 1);
	if (ev->removed <= 0)
		return 0;
	return lot_flow(c, l->lot_id, l->owner_member_id, l->product,
			ev->removed, l->unit_grams, l->unit_millilitres,
			l->temperature_class, l->date_kind, l->date,
			"lot_expired");
}

static int
on_refused_reception(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__ReceptionRefused *ev =
		(const Lz__Inventory__V1__ReceptionRefused *)msg;
	const Lz__Inventory__V1__ReceiveLot *l = ev->reception;

	if (l == NULL)
		return returns_stat(c, "bad_payload", 1);
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

/* ---- partners' commands (source gateway) ---- */

static int
on_register_type(struct returns_call *c, const ProtobufCMessage *msg)
{
	const ContainerType *t =
		((const Lz__Returns__V1__RegisterContainerType *)msg)
			->container_type;
	Lz__Returns__V1__ContainerTypeRegistered ev =
		LZ__RETURNS__V1__CONTAINER_TYPE_REGISTERED__INIT;
	struct ids ids = {NULL, t ? t->container_type : NULL, NULL, NULL};
	int rc;

	if (t == NULL || !returns_valid_id(t->container_type))
		return refuse(c, RR_INVALID, &ids,
			      "container_type.container_type: 1..64 "
			      "characters of [A-Za-z0-9._-]");
	if (t->name == NULL || strlen(t->name) > 200)
		return refuse(c, RR_INVALID, &ids,
			      "container_type.name: at most 200 bytes");
	if (t->deposit_cents < 0 || t->deposit_cents > 100000 || t->grams < 0 ||
	    t->grams > 100000 || t->millilitres < 0 || t->millilitres > 1000000)
		return refuse(c, RR_BAD_QUANTITY, &ids,
			      "deposit_cents 0..100000, grams 0..100000, "
			      "millilitres 0..1000000");
	if ((rc = lz_store_put_msg(c->txn, c->r->db.types, t->container_type,
				   &t->base)) != 0)
		return rc;
	ev.container_type = (ContainerType *)t;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

static int
hours_valid(const OpeningHours *const *h, size_t n)
{
	if (n > 28)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (h[i]->weekday < 1 || h[i]->weekday > 7 ||
		    h[i]->open >= h[i]->close || h[i]->close > 86400)
			return 0;
	return 1;
}

static int
on_register_outlet(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Outlet *o =
		((const Lz__Returns__V1__RegisterOutlet *)msg)->outlet;
	Lz__Returns__V1__OutletRegistered ev =
		LZ__RETURNS__V1__OUTLET_REGISTERED__INIT;
	struct ids ids = {NULL, NULL, o ? o->outlet_id : NULL, NULL};
	Lz__Orders__V1__Member *m = NULL;
	Site *s = NULL;
	int rc;

	if (o == NULL || !returns_valid_id(o->outlet_id))
		return refuse(c, RR_INVALID, &ids,
			      "outlet.outlet_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (o->kind < OK_FOOD_AID || o->kind > OK_DISPOSAL)
		return refuse(c, RR_BAD_KIND, &ids, "outlet.kind: unknown");
	if (o->capacity_grams_per_day < 1 ||
	    o->capacity_grams_per_day > GRAMS_MAX)
		return refuse(c, RR_BAD_QUANTITY, &ids,
			      "outlet.capacity_grams_per_day: 1..100000000");
	if (!hours_valid((const OpeningHours *const *)o->opening_hours,
			 o->n_opening_hours))
		return refuse(c, RR_BAD_HOURS, &ids,
			      "outlet.opening_hours: weekday 1..7, open < "
			      "close <= 86400, at most 28");
	if (o->n_accepted_categories > 32)
		return refuse(c, RR_INVALID, &ids,
			      "outlet.accepted_categories: at most 32");
	for (size_t i = 0; i < o->n_accepted_categories; i++)
		if (!returns_valid_id(o->accepted_categories[i]))
			return refuse(c, RR_INVALID, &ids,
				      "outlet.accepted_categories[%zu]: 1..64 "
				      "characters of [A-Za-z0-9._-]",
				      i);
	if ((rc = returns_get_site(c, o->site_id, &s)) != 0)
		return rc;
	if (s == NULL)
		return refuse(c, RR_UNKNOWN_SITE, &ids,
			      "outlet.site_id: no such site");
	returns_free_site(s);
	if (returns_valid_id(o->member_id) &&
	    (rc = lz_store_get_msg(c->txn, c->r->db.members, o->member_id,
				   &lz__orders__v1__member__descriptor,
				   (ProtobufCMessage **)&m)) != 0)
		return rc;
	if (m == NULL)
		return refuse(c, RR_UNKNOWN_MEMBER, &ids,
			      "outlet.member_id: no such member");
	lz__orders__v1__member__free_unpacked(m, NULL);
	if ((rc = lz_store_put_msg(c->txn, c->r->db.outlets, o->outlet_id,
				   &o->base)) != 0)
		return rc;
	ev.outlet = (Outlet *)o;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

static int
on_set_point(struct returns_call *c, const ProtobufCMessage *msg)
{
	const CollectionPoint *p =
		((const Lz__Returns__V1__SetCollectionPoint *)msg)->point;
	Lz__Returns__V1__CollectionPointSet ev =
		LZ__RETURNS__V1__COLLECTION_POINT_SET__INIT;
	Site *s = NULL;
	int rc;

	if (p == NULL || !returns_valid_id(p->site_id))
		return refuse(c, RR_INVALID, NULL,
			      "point.site_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (p->capacity_containers < 1 || p->capacity_containers > 100000 ||
	    p->lead_seconds > 30 * 86400)
		return refuse(c, RR_BAD_QUANTITY, NULL,
			      "point.capacity_containers 1..100000, "
			      "lead_seconds 0..2592000");
	if ((rc = returns_get_site(c, p->site_id, &s)) != 0)
		return rc;
	if (s == NULL)
		return refuse(c, RR_UNKNOWN_SITE, NULL,
			      "point.site_id: no such site");
	returns_free_site(s);
	if ((rc = lz_store_put_msg(c->txn, c->r->db.points, p->site_id,
				   &p->base)) != 0)
		return rc;
	ev.point = (CollectionPoint *)p;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

/* The declared site: known and the tenant's (or the tenant an operator). */
static int
check_site(struct returns_call *c, const char *site_id, const char *field,
	   const struct ids *ids)
{
	Site *s = NULL;
	int ok, rc;

	if (!returns_valid_id(site_id))
		return refuse(c, RR_INVALID, ids,
			      "%s: 1..64 characters of [A-Za-z0-9._-]", field);
	if ((rc = returns_get_site(c, site_id, &s)) != 0)
		return rc;
	if (s == NULL)
		return refuse(c, RR_UNKNOWN_SITE, ids, "%s: no such site",
			      field);
	rc = may_use_site(c, s, &ok);
	returns_free_site(s);
	if (rc == 0 && !ok)
		rc = refuse(c, RR_NOT_YOUR_SITE, ids,
			    "%s: another member's site", field);
	return rc;
}

static int
on_declare_flow(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__DeclareFlow *d =
		(const Lz__Returns__V1__DeclareFlow *)msg;
	struct ids ids = {NULL, NULL, NULL, d->reference};
	Flow f = LZ__RETURNS__V1__FLOW__INIT;
	char id[RETURNS_FLOW_ID_MAX];
	int rc;

	if (!returns_valid_id(d->reference))
		return refuse(c, RR_INVALID, &ids,
			      "reference: 1..64 characters of [A-Za-z0-9._-]");
	if (d->kind < FK_UNSOLD || d->kind > FK_CO_PRODUCT)
		return refuse(c, RR_BAD_KIND, &ids, "kind: unknown flow kind");
	if (d->grams < 1 || d->grams > GRAMS_MAX || d->millilitres < 0 ||
	    d->millilitres > GRAMS_MAX)
		return refuse(c, RR_BAD_QUANTITY, &ids,
			      "grams: 1..100000000 (got %" PRId64
			      "), millilitres 0..100000000",
			      d->grams);
	if (d->category[0] && !returns_valid_id(d->category))
		return refuse(c, RR_INVALID, &ids,
			      "category: 1..64 characters of [A-Za-z0-9._-]");
	if (d->use_by < 0 || d->date_kind > DK_BEST_BEFORE ||
	    d->temperature_class > 3 || strlen(d->note) > 400)
		return refuse(c, RR_INVALID, &ids,
			      "use_by >= 0, date_kind, temperature_class, "
			      "note (400 bytes)");
	if ((rc = check_site(c, d->site_id, "site_id", &ids)) != 0)
		return rc;
	if ((rc = ref_used(c, "flow", d->reference)) != 0)
		return rc < 0 ? rc
			      : refuse(c, RR_DUPLICATE, &ids,
				       "reference: already declared");
	if ((rc = ref_keep(c, "flow", d->reference)) != 0)
		return rc;
	f.kind = d->kind;
	f.category = d->category;
	f.member_id = (char *)c->tenant;
	f.site_id = d->site_id;
	f.grams = d->grams;
	f.millilitres = d->millilitres;
	f.use_by = d->use_by;
	f.date_kind = d->use_by > 0 && d->date_kind == DK_NONE ? DK_USE_BY
							       : d->date_kind;
	f.temperature_class = d->temperature_class;
	f.origin = "declaration";
	f.reference = d->reference;
	f.note = d->note;
	return returns_flow_open(c, &f, id);
}

/* Checks a list of container counts: known types, counts 1..COUNT_MAX. */
static int
check_counts(struct returns_call *c, Lz__Returns__V1__ContainerCount **cc,
	     size_t n, struct ids *ids)
{
	int rc;

	if (n < 1 || n > 32)
		return refuse(c, RR_INVALID, ids, "containers: 1..32 entries");
	for (size_t i = 0; i < n; i++) {
		ids->container_type = cc[i]->container_type;
		if (cc[i]->count < 1 || cc[i]->count > COUNT_MAX)
			return refuse(c, RR_BAD_QUANTITY, ids,
				      "containers[%zu].count: 1..1000000", i);
		if ((rc = type_known(c, cc[i]->container_type)) < 0)
			return rc;
		if (rc == 0)
			return refuse(c, RR_UNKNOWN_CONTAINER_TYPE, ids,
				      "containers[%zu].container_type: not "
				      "registered",
				      i);
	}
	ids->container_type = NULL;
	return 0;
}

static int
on_declare_containers(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__DeclareContainers *d =
		(const Lz__Returns__V1__DeclareContainers *)msg;
	struct ids ids = {NULL, NULL, NULL, d->reference};
	const char *from_site =
		d->from_site_id[0] ? d->from_site_id : d->site_id;
	char from[RETURNS_ACCOUNT_MAX], to[RETURNS_ACCOUNT_MAX];
	const char *froms[] = {from};
	int rc;

	if (!returns_valid_id(d->reference))
		return refuse(c, RR_INVALID, &ids,
			      "reference: 1..64 characters of [A-Za-z0-9._-]");
	if ((rc = check_counts(c, d->containers, d->n_containers, &ids)) ||
	    (rc = check_site(c, d->site_id, "site_id", &ids)))
		return rc;
	if (returns_site_account(from, sizeof(from), from_site) != 0)
		return refuse(c, RR_INVALID, &ids,
			      "from_site_id: 1..64 characters of "
			      "[A-Za-z0-9._-]");
	if (strcmp(from_site, d->site_id) != 0) {
		Site *s = NULL;

		if ((rc = returns_get_site(c, from_site, &s)) != 0)
			return rc;
		if (s == NULL)
			return refuse(c, RR_UNKNOWN_SITE, &ids,
				      "from_site_id: no such site");
		returns_free_site(s);
	}
	if ((rc = ref_used(c, "containers", d->reference)) != 0)
		return rc < 0 ? rc
			      : refuse(c, RR_DUPLICATE, &ids,
				       "reference: already declared");
	if ((rc = ref_keep(c, "containers", d->reference)) != 0)
		return rc;
	returns_empties_account(to, sizeof(to), d->site_id);
	for (size_t i = 0; i < d->n_containers && rc == 0; i++)
		rc = returns_take(c, d->containers[i]->container_type, froms, 1,
				  d->containers[i]->count, to, c->tenant,
				  d->site_id, d->reference);
	return rc;
}

static int
on_record_movement(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__RecordMovement *m =
		(const Lz__Returns__V1__RecordMovement *)msg;
	struct ids ids = {NULL, m->container_type, NULL, m->reference};
	const char *froms[] = {m->from_account};
	int rc;

	if (!returns_valid_id(m->reference))
		return refuse(c, RR_INVALID, &ids,
			      "reference: 1..64 characters of [A-Za-z0-9._-]");
	if ((rc = type_known(c, m->container_type)) < 0)
		return rc;
	if (rc == 0)
		return refuse(c, RR_UNKNOWN_CONTAINER_TYPE, &ids,
			      "container_type: not registered");
	if (m->count < 1 || m->count > COUNT_MAX)
		return refuse(c, RR_BAD_QUANTITY, &ids, "count: 1..1000000");
	if (!returns_movement_allowed(m->from_account, m->to_account))
		return refuse(c, RR_BAD_ACCOUNT, &ids,
			      "from_account -> to_account: not a movement a "
			      "partner reports");
	if (m->member_id[0] && !returns_valid_id(m->member_id))
		return refuse(c, RR_INVALID, &ids,
			      "member_id: 1..64 characters of [A-Za-z0-9._-]");
	if ((rc = ref_used(c, "movement", m->reference)) != 0)
		return rc < 0 ? rc
			      : refuse(c, RR_DUPLICATE, &ids,
				       "reference: already recorded");
	if ((rc = ref_keep(c, "movement", m->reference)) != 0)
		return rc;
	/* New containers have no holder to take them from. */
	if (strcmp(m->from_account, ACCT_SUPPLY) == 0)
		return returns_move(c, m->container_type, "", ACCT_SUPPLY,
				    m->to_account, m->count, 0, NULL,
				    m->reference);
	if (m->member_id[0] && returns_account_per_member(m->from_account)) {
		int64_t have;

		if ((rc = returns_store_balance(c->txn, &c->r->db,
						m->from_account, m->member_id,
						m->container_type, &have)))
			return rc;
		have = have < 0 ? 0 : have;
		if ((rc = returns_move(c, m->container_type, m->member_id,
				       m->from_account, m->to_account,
				       have < m->count ? have : m->count, 0,
				       NULL, m->reference)) != 0 ||
		    have >= m->count)
			return rc;
		return returns_move(c, m->container_type, m->member_id,
				    ACCT_UNACCOUNTED, m->to_account,
				    m->count - have, 1, NULL, m->reference);
	}
	return returns_take(c, m->container_type, froms, 1, m->count,
			    m->to_account, m->member_id, NULL, m->reference);
}

static int
on_confirm(struct returns_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__ConfirmProcessing *p =
		(const Lz__Returns__V1__ConfirmProcessing *)msg;
	struct ids ids = {p->flow_id, NULL, NULL, NULL};
	char name[100], date[11];
	Flow *f = NULL;
	int from, rc;

	if (!returns_valid_id(p->flow_id))
		return refuse(c, RR_INVALID, &ids,
			      "flow_id: 1..64 characters of [A-Za-z0-9._-]");
	if (p->actual_grams < 0 || p->actual_grams > GRAMS_MAX)
		return refuse(c, RR_BAD_QUANTITY, &ids,
			      "actual_grams: 0..100000000 (got %" PRId64 ")",
			      p->actual_grams);
	if (strlen(p->note) > 400)
		return refuse(c, RR_INVALID, &ids, "note: at most 400 bytes");
	if ((rc = lz_store_get_msg(c->txn, c->r->db.flows, p->flow_id,
				   &lz__returns__v1__flow__descriptor,
				   (ProtobufCMessage **)&f)) != 0)
		return rc;
	if (f == NULL)
		return refuse(c, RR_UNKNOWN_FLOW, &ids,
			      "flow_id: no such flow");
	ids.outlet_id = f->outlet_id;
	if (f->status != FS_OPENED &&
	    strcmp(f->outlet_member_id, c->tenant) != 0) {
		rc = refuse(c, RR_NOT_YOUR_OUTLET, &ids,
			    "flow_id: assigned to an outlet of another "
			    "member");
		goto out;
	}
	if (f->status != FS_ASSIGNED && f->status != FS_COLLECTED) {
		rc = refuse(c, RR_BAD_STATE, &ids, "flow_id: flow is %s",
			    returns_status_name(f->status));
		goto out;
	}
	from = f->status;
	f->status = FS_CLOSED;
	f->actual_grams = p->actual_grams;
	f->closed_at = c->now;
	if (lz_date_local(c->now, date) != 0)
		snprintf(date, sizeof(date), "1970-01-01");
	snprintf(name, sizeof(name), "%s %s grams", date,
		 returns_level_name(f->level));
	if ((rc = lz_store_counter_add(c->txn, c->r->db.totals, name,
				       p->actual_grams)) != 0)
		goto out;
	snprintf(name, sizeof(name), "%s %s flows", date,
		 returns_level_name(f->level));
	if ((rc = lz_store_counter_add(c->txn, c->r->db.totals, name, 1)) ||
	    (rc = returns_stat(c, "flows_open", -1)) != 0 ||
	    (rc = returns_stat(c, "flows_closed", 1)) != 0)
		goto out;
	snprintf(name, sizeof(name), "diverted_g/%s",
		 returns_level_name(f->level));
	if ((rc = returns_stat(c, name, p->actual_grams)) != 0)
		goto out;
	rc = returns_flow_emit(c, f, from);
out:
	lz__returns__v1__flow__free_unpacked(f, NULL);
	return rc;
}

/* ---- dispatch ---- */

typedef int (*handler_fn)(struct returns_call *c, const ProtobufCMessage *msg);

static const struct handler {
	const char *type;
	const ProtobufCMessageDescriptor *desc;
	handler_fn fn;
} handlers[] = {
	{"lz.orders.v1.SiteRegistered",
	 &lz__orders__v1__site_registered__descriptor, on_site},
	{"lz.orders.v1.MemberRegistered",
	 &lz__orders__v1__member_registered__descriptor, on_member},
	{"lz.orders.v1.OrderPlaced", &lz__orders__v1__order_placed__descriptor,
	 on_order},
	{"lz.orders.v1.OrderAmended",
	 &lz__orders__v1__order_amended__descriptor, on_order},
	{"lz.orders.v1.OrderStatusChanged",
	 &lz__orders__v1__order_status_changed__descriptor, on_order_status},
	{"lz.tours.v1.StopStatusChanged",
	 &lz__tours__v1__stop_status_changed__descriptor, on_stop},
	{"lz.tours.v1.TaskStatusChanged",
	 &lz__tours__v1__task_status_changed__descriptor, on_task},
	{"lz.bikes.v1.ParcelStatusChanged",
	 &lz__bikes__v1__parcel_status_changed__descriptor, on_parcel},
	{"lz.bikes.v1.PickupStatusChanged",
	 &lz__bikes__v1__pickup_status_changed__descriptor, on_pickup},
	{"lz.inventory.v1.LotNearingExpiry",
	 &lz__inventory__v1__lot_nearing_expiry__descriptor, on_nearing},
	{"lz.inventory.v1.LotExpired",
	 &lz__inventory__v1__lot_expired__descriptor, on_expired},
	{"lz.inventory.v1.ReceptionRefused",
	 &lz__inventory__v1__reception_refused__descriptor,
	 on_refused_reception},
	{"lz.returns.v1.RegisterContainerType",
	 &lz__returns__v1__register_container_type__descriptor,
	 on_register_type},
	{"lz.returns.v1.RegisterOutlet",
	 &lz__returns__v1__register_outlet__descriptor, on_register_outlet},
	{"lz.returns.v1.SetCollectionPoint",
	 &lz__returns__v1__set_collection_point__descriptor, on_set_point},
	{"lz.returns.v1.DeclareFlow",
	 &lz__returns__v1__declare_flow__descriptor, on_declare_flow},
	{"lz.returns.v1.DeclareContainers",
	 &lz__returns__v1__declare_containers__descriptor,
	 on_declare_containers},
	{"lz.returns.v1.RecordMovement",
	 &lz__returns__v1__record_movement__descriptor, on_record_movement},
	{"lz.returns.v1.ConfirmProcessing",
	 &lz__returns__v1__confirm_processing__descriptor, on_confirm},
};

static int
bad_payload(struct returns_call *c)
{
	if (lz_log_allow(&c->r->log_limit))
		lz_log_warn("payload does not decode",
			    "source=%s seq=%" PRIu64 " type=%s bytes=%zu",
			    c->ev->source, c->ev->seq, c->ev->type,
			    c->ev->payload_len);
	return returns_stat(c, "bad_payload", 1);
}

int
returns_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct returns_call c = {arg, tx,       lz_bus_mdb(tx),
				 ev,  ev->type, ev->tenant ? ev->tenant : "",
				 0};
	const struct handler *h = NULL;
	ProtobufCMessage *msg;
	int rc;

	for (size_t i = 0; i < LZ_ARRAY_LEN(handlers); i++)
		if (strcmp(ev->type, handlers[i].type) == 0)
			h = &handlers[i];
	if (h == NULL)
		return 0;
	c.now = lz_event_seconds(ev);
	msg = protobuf_c_message_unpack(h->desc, NULL, ev->payload_len,
					ev->payload);
	if (msg == NULL)
		return bad_payload(&c);
	rc = h->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc < 0 ? rc : 0;
}

/* ---- metrics ---- */

static const struct lz_stat_metric stat_metrics[] = {
	{"flows_open", "lz_returns_flows_open",
	 "Flows opened and not yet closed", NULL, 0, 1},
	{"flows_opened", "lz_returns_flows_opened_total", "Flows opened", NULL,
	 0, 0},
	{"flows_closed", "lz_returns_flows_closed_total",
	 "Flows closed by the outlets' confirmations", NULL, 0, 0},
	{"diverted_g", "lz_returns_diverted_kg_total",
	 "Kilograms processed by outlets, by hierarchy level", "level", 1e-3,
	 0},
	{"movements", "lz_returns_ledger_movements_total",
	 "Deposit ledger movements", NULL, 0, 0},
	{"discrepancies", "lz_returns_ledger_discrepancies_total",
	 "Ledger movements flagged as discrepancies", NULL, 0, 0},
	{"requests", "lz_returns_collections_requested_total",
	 "Collections requested, by collector", "collector", 0, 0},
	{"refused", "lz_returns_refused_total", "Commands refused, by reason",
	 "reason", 0, 0},
	{"bad_payload", "lz_returns_bad_payload_total",
	 "Events whose payload did not decode or made no sense", NULL, 0, 0},
	{"unknown_type", "lz_returns_unknown_container_type_total",
	 "Containers of an unregistered type in orders or collections", NULL, 0,
	 0},
};

void
returns_sync_metrics(void *arg)
{
	struct returns *r = arg;

	lz_store_sync_metrics(r->store, r->db.meta, "stat/", r->metrics,
			      stat_metrics, LZ_ARRAY_LEN(stat_metrics));
}
