/*
 * handlers.c -- applies the commands and events the orders service
 * consumes: one function per type, each checking with rules.c, writing
 * with store.c and emitting in the same transaction.
 *
 * An apply may run twice for the same event (the map grew and the batch is
 * redone), so the only effects are in the transaction: the metrics are
 * counters in the store, refreshed after each commit.
 */
#include "orders.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"
#include "rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A transition refused by the state machine, or of an unknown order. */
#define REFUSED 1

/* The event being applied. */
struct call {
	struct orders *o;
	struct lz_bus_txn *tx;
	MDB_txn *txn;
	const struct lz_event *ev;
	const char *type; /* the command's type */
	int64_t now;      /* the event's time, seconds since the epoch */
};

static int
stat_add(struct call *c, const char *name)
{
	return orders_store_stat_add(c->txn, &c->o->db, name, 1);
}

/* Emits OrderRejected for the command being applied; echoes ORDER_ID and
 * REFERENCE only when well formed (they come from a partner). */
static int
reject(struct call *c, const char *order_id, const char *reference,
       const struct orders_verdict *v)
{
	Lz__Orders__V1__OrderRejected r = LZ__ORDERS__V1__ORDER_REJECTED__INIT;
	char name[64];
	int rc;

	r.order_id =
		(char *)(orders_rules_valid_order_id(order_id) ? order_id : "");
	r.reference =
		(char *)(orders_rules_valid_id(reference) ? reference : "");
	r.command = (char *)c->type;
	r.reason = (Lz__Orders__V1__RejectReason)v->reason;
	r.detail = (char *)v->detail;
	snprintf(name, sizeof(name), "rejected/%s",
		 orders_reason_name(v->reason));
	if ((rc = stat_add(c, name)) != 0)
		return rc;
	lz_log_debug("command refused",
		     "type=%s source=%s seq=%" PRIu64 " reason=%s", c->type,
		     c->ev->source, c->ev->seq, orders_reason_name(v->reason));
	return lz_bus_emit(c->tx, c->ev->tenant, &r.base);
}

static int
add_history(struct call *c, const char *order_id, int status, int64_t at,
	    const char *event, const char *detail)
{
	HistoryEntry e = LZ__ORDERS__V1__ORDER_HISTORY_ENTRY__INIT;

	e.at = at;
	e.status = (Lz__Orders__V1__OrderStatus)status;
	e.event = (char *)event;
	e.detail = (char *)detail;
	return orders_store_add_history(c->txn, &c->o->db, order_id, &e);
}

/*
 * Moves order ORDER_ID to status TO because of an event of type CAUSE at
 * time AT (seconds), if the state machine allows it: writes the order and
 * its indexes, appends to its history (with DETAIL, may be NULL) and emits
 * OrderStatusChanged.  Returns 0, REFUSED (unknown order or illegal
 * transition: nothing changes but a counter), or a negative store error.
 * Every status change goes through here; later event types (inventory,
 * tours, bikes) only add a mapping to a target status.
 */
static int
transition(struct call *c, const char *order_id, int to, const char *cause,
	   int64_t at, const char *detail)
{
	Lz__Orders__V1__OrderStatusChanged sc =
		LZ__ORDERS__V1__ORDER_STATUS_CHANGED__INIT;
	Order *cur = NULL, next;
	char text[1200];
	int rc, refused = 0;

	if ((rc = orders_store_get_order(c->txn, &c->o->db, order_id, &cur)))
		return rc;
	if (cur == NULL || !orders_rules_transition_ok((int)cur->source,
						       (int)cur->status, to)) {
		lz_log_warn("status change refused",
			    "order=%s from=%s to=%s cause=%s",
			    cur ? cur->order_id : "(unknown)",
			    cur ? orders_status_name(cur->status) : "-",
			    orders_status_name(to), cause);
		rc = stat_add(c, "illegal_transition");
		refused = 1;
		goto out;
	}
	next = *cur;
	next.status = (Lz__Orders__V1__OrderStatus)to;
	next.updated_at = at;
	if ((rc = orders_store_put_order(c->txn, &c->o->db, &next, cur)) != 0)
		goto out;
	snprintf(text, sizeof(text), "%s -> %s by %s%s%s",
		 orders_status_name(cur->status), orders_status_name(to), cause,
		 detail && detail[0] ? ": " : "", detail ? detail : "");
	rc = add_history(c, cur->order_id, to, at, EV_STATUS_CHANGED, text);
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
	return rc == 0 && refused ? REFUSED : rc;
}

/* ---- directory ---- */

static int
on_register_member(struct call *c, const ProtobufCMessage *msg)
{
	const RegisterMember *cmd = (const RegisterMember *)msg;
	Lz__Orders__V1__MemberRegistered ev =
		LZ__ORDERS__V1__MEMBER_REGISTERED__INIT;
	struct orders_verdict v;
	int rc;

	if (orders_rules_member(cmd->member, &v) != RJ_NONE)
		return reject(c, NULL, NULL, &v);
	if ((rc = orders_store_put_member(c->txn, &c->o->db, cmd->member)))
		return rc;
	ev.member = cmd->member;
	return lz_bus_emit(c->tx, cmd->member->member_id, &ev.base);
}

static int
on_register_site(struct call *c, const ProtobufCMessage *msg)
{
	const RegisterSite *cmd = (const RegisterSite *)msg;
	Lz__Orders__V1__SiteRegistered ev =
		LZ__ORDERS__V1__SITE_REGISTERED__INIT;
	struct orders_verdict v;
	Member *m = NULL;
	int rc;

	if (cmd->site &&
	    (rc = orders_store_get_member(c->txn, &c->o->db,
					  cmd->site->member_id, &m)) != 0)
		return rc;
	if (orders_rules_site(cmd->site, m != NULL, &v) != RJ_NONE) {
		rc = reject(c, NULL, NULL, &v);
		goto out;
	}
	if ((rc = orders_store_put_site(c->txn, &c->o->db, cmd->site)))
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
load_sites(struct call *c, const Order *o, Site **dest, Site **pickup)
{
	int rc = orders_store_get_site(c->txn, &c->o->db,
				       o->destination_site_id, dest);

	*pickup = NULL;
	if (rc == 0 && o->pickup_site_id && o->pickup_site_id[0])
		rc = orders_store_get_site(c->txn, &c->o->db, o->pickup_site_id,
					   pickup);
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
on_place(struct call *c, const ProtobufCMessage *msg)
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

	if (orders_rules_valid_id(tenant) &&
	    orders_rules_valid_id(p->reference))
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

	if ((rc = orders_store_get_member(c->txn, &c->o->db, tenant, &m)) ||
	    (rc = orders_store_get_order(c->txn, &c->o->db, id, &taken)) ||
	    (rc = load_sites(c, &o, &dest, &pickup)))
		goto out;
	if (orders_rules_place(&o, m != NULL, taken != NULL, dest, pickup,
			       c->now, c->o->grace, &v) != RJ_NONE) {
		rc = reject(c, id, p->reference, &v);
		goto out;
	}
	if ((rc = orders_store_put_order(c->txn, &c->o->db, &o, NULL)) ||
	    (rc = add_history(c, id, ST_PLACED, c->now, EV_ORDER_PLACED,
			      "placed")) ||
	    (rc = stat_add(c, "placed")))
		goto out;
	ev.order = &o;
	if ((rc = lz_bus_emit(c->tx, tenant, &ev.base)) != 0)
		goto out;
	/* A producer pickup needs no stock: confirmed at once.  Hub-stock
	 * orders wait for the inventory's reservation. */
	if ((int)o.source == SRC_PRODUCER_PICKUP)
		rc = transition(c, id, ST_CONFIRMED, CMD_PLACE_ORDER, c->now,
				"producer pickup");
out:
	if (m)
		lz__orders__v1__member__free_unpacked(m, NULL);
	if (taken)
		lz__orders__v1__order__free_unpacked(taken, NULL);
	free_sites(dest, pickup);
	return rc;
}

static int
on_amend(struct call *c, const ProtobufCMessage *msg)
{
	const AmendOrder *a = (const AmendOrder *)msg;
	Lz__Orders__V1__OrderAmended ev = LZ__ORDERS__V1__ORDER_AMENDED__INIT;
	Order *cur = NULL, amended = LZ__ORDERS__V1__ORDER__INIT;
	Site *dest = NULL, *pickup = NULL;
	struct orders_verdict v;
	char what[64];
	int rc;

	if ((rc = orders_store_get_order(c->txn, &c->o->db, a->order_id,
					 &cur)) != 0)
		return rc;
	if (cur) {
		orders_rules_amended(cur, a, &amended);
		amended.updated_at = c->now;
		if ((rc = load_sites(c, &amended, &dest, &pickup)) != 0)
			goto out;
	}
	if (orders_rules_amend(cur, c->ev->tenant, a, &amended, dest, pickup,
			       c->now, c->o->grace, &v) != RJ_NONE) {
		rc = reject(c, a->order_id, cur ? cur->reference : NULL, &v);
		goto out;
	}
	if ((rc = orders_store_put_order(c->txn, &c->o->db, &amended, cur)))
		goto out;
	snprintf(what, sizeof(what), "amended:%s%s%s",
		 a->delivery_window ? " delivery_window" : "",
		 a->n_lines ? " lines" : "",
		 a->notes && a->notes[0] ? " notes" : "");
	if ((rc = add_history(c, cur->order_id, cur->status, c->now,
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
on_cancel(struct call *c, const ProtobufCMessage *msg)
{
	const CancelOrder *cmd = (const CancelOrder *)msg;
	Order *cur = NULL;
	struct orders_verdict v;
	int rc;

	if ((rc = orders_store_get_order(c->txn, &c->o->db, cmd->order_id,
					 &cur)) != 0)
		return rc;
	if (orders_rules_cancel(cur, c->ev->tenant, cmd, &v) != RJ_NONE)
		rc = reject(c, cmd->order_id, cur ? cur->reference : NULL, &v);
	else
		rc = transition(c, cur->order_id, ST_CANCELLED,
				CMD_CANCEL_ORDER, c->now, cmd->reason);
	if (cur)
		lz__orders__v1__order__free_unpacked(cur, NULL);
	return rc == REFUSED ? 0 : rc;
}

/* ---- the inventory's answers ---- */

/* Appends "lines[i] product: missing m of n" for each of LINES to BUF. */
static void
describe_shortages(char *buf, size_t len, Lz__Inventory__V1__LineShortage **l,
		   size_t n)
{
	size_t o = strlen(buf);

	for (size_t i = 0; i < n && o < len; i++) {
		int w = snprintf(buf + o, len - o,
				 "%slines[%u] %s: missing %lld of %lld",
				 i ? ", " : "", l[i]->line,
				 orders_rules_valid_text(l[i]->product, 200)
					 ? l[i]->product
					 : "?",
				 (long long)l[i]->missing,
				 (long long)l[i]->requested);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* Whether the event comes from the inventory service (only it may
 * confirm or reject a hub-stock order this way). */
static int
from_inventory(struct call *c)
{
	return strcmp(c->ev->source, INVENTORY_SOURCE) == 0;
}

static int
current_status(struct call *c, const char *order_id, int *st)
{
	Order *cur = NULL;
	int rc = orders_store_get_order(c->txn, &c->o->db, order_id, &cur);

	*st = cur ? (int)cur->status : ST_UNSPECIFIED;
	if (cur)
		lz__orders__v1__order__free_unpacked(cur, NULL);
	return rc;
}

static int
on_reservation_made(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__ReservationMade *ev =
		(const Lz__Inventory__V1__ReservationMade *)msg;
	char detail[900];
	int64_t units = 0;
	int st, rc;

	if (!from_inventory(c))
		return 0;
	for (size_t i = 0; i < ev->n_allocations; i++)
		units += ev->allocations[i]->quantity;
	snprintf(detail, sizeof(detail), "reserved %lld units from %zu lots%s",
		 (long long)units, ev->n_allocations,
		 ev->complete ? "" : "; short: ");
	if (!ev->complete)
		describe_shortages(detail, sizeof(detail), ev->shortages,
				   ev->n_shortages);
	if ((rc = current_status(c, ev->order_id, &st)) != 0)
		return rc;
	/* A reservation renewed after an amendment: the order stays
	 * confirmed, the history says what changed. */
	if (st == ST_CONFIRMED)
		return add_history(c, ev->order_id, st, c->now,
				   EV_RESERVATION_MADE, detail);
	rc = transition(c, ev->order_id, ST_CONFIRMED, EV_RESERVATION_MADE,
			c->now, detail);
	return rc == REFUSED ? 0 : rc;
}

static int
on_shortage(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Inventory__V1__Shortage *ev =
		(const Lz__Inventory__V1__Shortage *)msg;
	char detail[900] = "";
	int st, rc;

	if (!from_inventory(c))
		return 0;
	describe_shortages(detail, sizeof(detail), ev->lines, ev->n_lines);
	/* A partial order got what could be reserved (ReservationMade,
	 * just before, confirmed it): the shortage is noted. */
	if (ev->reserved_partially) {
		if ((rc = current_status(c, ev->order_id, &st)) != 0)
			return rc;
		if (st == ST_UNSPECIFIED)
			return 0;
		return add_history(c, ev->order_id, st, c->now, EV_SHORTAGE,
				   detail);
	}
	rc = transition(c, ev->order_id, ST_REJECTED, EV_SHORTAGE, c->now,
			detail);
	return rc == REFUSED ? 0 : rc;
}

/* ---- the tours service's task changes ---- */

static int
on_task_status(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Tours__V1__TaskStatusChanged *ev =
		(const Lz__Tours__V1__TaskStatusChanged *)msg;
	char detail[300];
	int rc;

	if (strcmp(c->ev->source, TOURS_SOURCE) != 0 || ev->task == NULL ||
	    ev->order_status == 0 || ev->task->order_id == NULL ||
	    !orders_rules_valid_order_id(ev->task->order_id))
		return 0;
	snprintf(detail, sizeof(detail), "task %.100s%s%.100s",
		 ev->task->task_id ? ev->task->task_id : "",
		 ev->tour_id && ev->tour_id[0] ? " in tour " : "",
		 ev->tour_id ? ev->tour_id : "");
	rc = transition(c, ev->task->order_id, (int)ev->order_status,
			EV_TASK_STATUS, c->now, detail);
	return rc == REFUSED ? 0 : rc;
}

/* ---- the bikes service's parcel changes ---- */

static int
on_parcel_status(struct call *c, const ProtobufCMessage *msg)
{
	const Lz__Bikes__V1__ParcelStatusChanged *ev =
		(const Lz__Bikes__V1__ParcelStatusChanged *)msg;
	const Lz__Bikes__V1__Parcel *p = ev->parcel;
	char detail[300];
	int rc;

	if (strcmp(c->ev->source, BIKES_SOURCE) != 0 || p == NULL ||
	    ev->order_status == 0 || p->order_id == NULL ||
	    !orders_rules_valid_order_id(p->order_id))
		return 0;
	snprintf(detail, sizeof(detail), "parcel %.100s%s%.60s%s%.60s",
		 p->parcel_id ? p->parcel_id : "",
		 p->run_id && p->run_id[0] ? " in bike run " : "",
		 p->run_id ? p->run_id : "",
		 ev->relay_point_id && ev->relay_point_id[0]
			 ? " left at relay point "
			 : "",
		 ev->relay_point_id ? ev->relay_point_id : "");
	rc = transition(c, p->order_id, (int)ev->order_status, EV_PARCEL_STATUS,
			c->now, detail);
	return rc == REFUSED ? 0 : rc;
}

/* ---- dispatch ---- */

static const struct command {
	const ProtobufCMessageDescriptor *desc;
	int (*fn)(struct call *c, const ProtobufCMessage *msg);
} commands[] = {
	{&lz__orders__v1__register_member__descriptor, on_register_member},
	{&lz__orders__v1__register_site__descriptor, on_register_site},
	{&lz__orders__v1__place_order__descriptor, on_place},
	{&lz__orders__v1__amend_order__descriptor, on_amend},
	{&lz__orders__v1__cancel_order__descriptor, on_cancel},
	{&lz__inventory__v1__reservation_made__descriptor, on_reservation_made},
	{&lz__inventory__v1__shortage__descriptor, on_shortage},
	{&lz__tours__v1__task_status_changed__descriptor, on_task_status},
	{&lz__bikes__v1__parcel_status_changed__descriptor, on_parcel_status},
	/* Later issues add the events that drive the lifecycle here (see
	 * README): each decodes its order id and calls transition(). */
};

int
orders_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct call c = {arg, tx, lz_bus_mdb(tx), ev, ev->type, 0};
	const struct command *cmd =
		lz_handler_find(commands, LZ_ARRAY_LEN(commands),
				sizeof(commands[0]), ev->type);
	ProtobufCMessage *msg;
	int rc;

	if (cmd == NULL)
		return 0;
	/* Time comes from the event, never the clock: a replay decides the
	 * same. */
	c.now = lz_event_seconds(ev);
	if ((msg = lz_event_unpack(ev, cmd->desc, &c.o->log_limit)) == NULL)
		return stat_add(&c, "bad_payload");
	rc = cmd->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc < 0 ? rc : 0;
}

/* ---- metrics ---- */

static const struct lz_stat_metric stat_metrics[] = {
	{"placed", "lz_orders_placed_total", "Orders placed", NULL, 0, 0},
	{"bad_payload", "lz_orders_bad_payload_total",
	 "Commands whose payload did not decode", NULL, 0, 0},
	{"illegal_transition", "lz_orders_illegal_transitions_total",
	 "Status changes refused by the state machine", NULL, 0, 0},
	{"rejected", "lz_orders_rejected_total", "Commands refused, by reason",
	 "reason", 0, 0},
	{"status", "lz_orders", "Orders by status", "status", 0, 1},
};

void
orders_sync_metrics(void *arg)
{
	struct orders *o = arg;

	lz_store_sync_metrics(o->store, o->db.stats, "", o->metrics,
			      stat_metrics, LZ_ARRAY_LEN(stat_metrics));
}
