/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.c -- the partners' commands (source gateway): container types,
 * outlets and collection points (operators), declarations of flows and
 * returned containers, the hub's ledger movements, processing
 * confirmations.  A command is checked whole before anything is written,
 * so a refusal changes nothing but the CommandRefused it emits.
 */
#include "returns.h"

#include "lz_bus.h"
#include "lz_date.h"
#include "lz_log.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- refusals ---- */

/* A refusal names the command's ids: flow_id, container_type, outlet_id
 * and reference (lz_service_refuse). */

/* The key remembering a command's reference for its member. */
static int
ref_key(struct lz_call *c, const char *cmd, const char *reference, char *key,
	size_t len)
{
	int n = snprintf(key, len, "ref/%s/%s/%s", cmd, c->ev->tenant,
			 reference);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* 1 when the reference was used, 0 if not, or a store error. */
static int
ref_used(struct lz_call *c, const char *cmd, const char *reference)
{
	char key[300], v[8];
	int rc;

	if (ref_key(c, cmd, reference, key, sizeof(key)) != 0)
		return 1;
	if ((rc = returns_store_meta_get(c->txn, &returns_of(c)->db, key, v,
					 sizeof(v))) != 0)
		return rc;
	return v[0] != '\0';
}

static int
ref_keep(struct lz_call *c, const char *cmd, const char *reference)
{
	char key[300];

	if (ref_key(c, cmd, reference, key, sizeof(key)) != 0)
		return -EINVAL;
	return returns_store_meta_put(c->txn, &returns_of(c)->db, key, "1");
}

/* Whether the tenant may declare at SITE: it owns it, or it is an
 * operator. */
static int
may_use_site(struct lz_call *c, const Site *site, int *ok)
{
	Lz__Orders__V1__Member *m = NULL;
	int rc;

	*ok = strcmp(site->member_id, c->ev->tenant) == 0;
	if (*ok || !lz_valid_id(c->ev->tenant))
		return 0;
	if ((rc = lz_store_get_msg(c->txn, returns_of(c)->db.members,
				   c->ev->tenant,
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

/* ---- partners' commands (source gateway) ---- */

static int
on_register_type(struct lz_call *c, const ProtobufCMessage *msg)
{
	const ContainerType *t =
		((const Lz__Returns__V1__RegisterContainerType *)msg)
			->container_type;
	Lz__Returns__V1__ContainerTypeRegistered ev =
		LZ__RETURNS__V1__CONTAINER_TYPE_REGISTERED__INIT;
	const char *const *ids =
		LZ_IDS("container_type", t ? t->container_type : NULL);
	int rc;

	if (t == NULL || !lz_valid_id(t->container_type))
		return lz_service_refuse(c, RR_INVALID, ids,
					 "container_type.container_type: 1..64 "
					 "characters of [A-Za-z0-9._-]");
	if (t->name == NULL || strlen(t->name) > 200)
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"container_type.name: at most 200 bytes");
	if (t->deposit_cents < 0 || t->deposit_cents > 100000 || t->grams < 0 ||
	    t->grams > 100000 || t->millilitres < 0 || t->millilitres > 1000000)
		return lz_service_refuse(
			c, RR_BAD_QUANTITY, ids,
			"deposit_cents 0..100000, grams 0..100000, "
			"millilitres 0..1000000");
	if ((rc = lz_store_put_msg(c->txn, returns_of(c)->db.types,
				   t->container_type, &t->base)) != 0)
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
on_register_outlet(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Outlet *o =
		((const Lz__Returns__V1__RegisterOutlet *)msg)->outlet;
	Lz__Returns__V1__OutletRegistered ev =
		LZ__RETURNS__V1__OUTLET_REGISTERED__INIT;
	const char *const *ids = LZ_IDS("outlet_id", o ? o->outlet_id : NULL);
	Lz__Orders__V1__Member *m = NULL;
	Site *s = NULL;
	int rc;

	if (o == NULL || !lz_valid_id(o->outlet_id))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"outlet.outlet_id: 1..64 characters of "
			"[A-Za-z0-9._-]");
	if (o->kind < OK_FOOD_AID || o->kind > OK_DISPOSAL)
		return lz_service_refuse(c, RR_BAD_KIND, ids,
					 "outlet.kind: unknown");
	if (o->capacity_grams_per_day < 1 ||
	    o->capacity_grams_per_day > RETURNS_GRAMS_MAX)
		return lz_service_refuse(
			c, RR_BAD_QUANTITY, ids,
			"outlet.capacity_grams_per_day: 1..100000000");
	if (!hours_valid((const OpeningHours *const *)o->opening_hours,
			 o->n_opening_hours))
		return lz_service_refuse(
			c, RR_BAD_HOURS, ids,
			"outlet.opening_hours: weekday 1..7, open < "
			"close <= 86400, at most 28");
	if (o->n_accepted_categories > 32)
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"outlet.accepted_categories: at most 32");
	for (size_t i = 0; i < o->n_accepted_categories; i++)
		if (!lz_valid_id(o->accepted_categories[i]))
			return lz_service_refuse(
				c, RR_INVALID, ids,
				"outlet.accepted_categories[%zu]: 1..64 "
				"characters of [A-Za-z0-9._-]",
				i);
	if ((rc = returns_get_site(c, o->site_id, &s)) != 0)
		return rc;
	if (s == NULL)
		return lz_service_refuse(c, RR_UNKNOWN_SITE, ids,
					 "outlet.site_id: no such site");
	returns_free_site(s);
	if (lz_valid_id(o->member_id) &&
	    (rc = lz_store_get_msg(c->txn, returns_of(c)->db.members,
				   o->member_id,
				   &lz__orders__v1__member__descriptor,
				   (ProtobufCMessage **)&m)) != 0)
		return rc;
	if (m == NULL)
		return lz_service_refuse(c, RR_UNKNOWN_MEMBER, ids,
					 "outlet.member_id: no such member");
	lz__orders__v1__member__free_unpacked(m, NULL);
	if ((rc = lz_store_put_msg(c->txn, returns_of(c)->db.outlets,
				   o->outlet_id, &o->base)) != 0)
		return rc;
	ev.outlet = (Outlet *)o;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

static int
on_set_point(struct lz_call *c, const ProtobufCMessage *msg)
{
	const CollectionPoint *p =
		((const Lz__Returns__V1__SetCollectionPoint *)msg)->point;
	Lz__Returns__V1__CollectionPointSet ev =
		LZ__RETURNS__V1__COLLECTION_POINT_SET__INIT;
	Site *s = NULL;
	int rc;

	if (p == NULL || !lz_valid_id(p->site_id))
		return lz_service_refuse(c, RR_INVALID, NULL,
					 "point.site_id: 1..64 characters of "
					 "[A-Za-z0-9._-]");
	if (p->capacity_containers < 1 || p->capacity_containers > 100000 ||
	    p->lead_seconds > 30 * 86400)
		return lz_service_refuse(c, RR_BAD_QUANTITY, NULL,
					 "point.capacity_containers 1..100000, "
					 "lead_seconds 0..2592000");
	if ((rc = returns_get_site(c, p->site_id, &s)) != 0)
		return rc;
	if (s == NULL)
		return lz_service_refuse(c, RR_UNKNOWN_SITE, NULL,
					 "point.site_id: no such site");
	returns_free_site(s);
	if ((rc = lz_store_put_msg(c->txn, returns_of(c)->db.points, p->site_id,
				   &p->base)) != 0)
		return rc;
	ev.point = (CollectionPoint *)p;
	return lz_bus_emit(c->tx, NULL, &ev.base);
}

/* The declared site: known and the tenant's (or the tenant an operator). */
static int
check_site(struct lz_call *c, const char *site_id, const char *field,
	   const char *const *ids)
{
	Site *s = NULL;
	int ok, rc;

	if (!lz_valid_id(site_id))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"%s: 1..64 characters of [A-Za-z0-9._-]", field);
	if ((rc = returns_get_site(c, site_id, &s)) != 0)
		return rc;
	if (s == NULL)
		return lz_service_refuse(c, RR_UNKNOWN_SITE, ids,
					 "%s: no such site", field);
	rc = may_use_site(c, s, &ok);
	returns_free_site(s);
	if (rc == 0 && !ok)
		rc = lz_service_refuse(c, RR_NOT_YOUR_SITE, ids,
				       "%s: another member's site", field);
	return rc;
}

static int
on_declare_flow(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__DeclareFlow *d =
		(const Lz__Returns__V1__DeclareFlow *)msg;
	const char *const *ids = LZ_IDS("reference", d->reference);
	Flow f = LZ__RETURNS__V1__FLOW__INIT;
	char id[RETURNS_FLOW_ID_MAX];
	int rc;

	if (!lz_valid_id(d->reference))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"reference: 1..64 characters of [A-Za-z0-9._-]");
	if (d->kind < FK_UNSOLD || d->kind > FK_CO_PRODUCT)
		return lz_service_refuse(c, RR_BAD_KIND, ids,
					 "kind: unknown flow kind");
	if (d->grams < 1 || d->grams > RETURNS_GRAMS_MAX ||
	    d->millilitres < 0 || d->millilitres > RETURNS_GRAMS_MAX)
		return lz_service_refuse(c, RR_BAD_QUANTITY, ids,
					 "grams: 1..100000000 (got %" PRId64
					 "), millilitres 0..100000000",
					 d->grams);
	if (d->category[0] && !lz_valid_id(d->category))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"category: 1..64 characters of [A-Za-z0-9._-]");
	if (d->use_by < 0 || d->date_kind > DK_BEST_BEFORE ||
	    d->temperature_class > 3 || strlen(d->note) > 400)
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"use_by >= 0, date_kind, temperature_class, "
			"note (400 bytes)");
	if ((rc = check_site(c, d->site_id, "site_id", ids)) != 0)
		return rc;
	if ((rc = ref_used(c, "flow", d->reference)) != 0)
		return rc < 0 ? rc
			      : lz_service_refuse(
					c, RR_DUPLICATE, ids,
					"reference: already declared");
	if ((rc = ref_keep(c, "flow", d->reference)) != 0)
		return rc;
	f.kind = d->kind;
	f.category = d->category;
	f.member_id = (char *)c->ev->tenant;
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

/* Checks a list of container counts: known types, counts
 * 1..RETURNS_COUNT_MAX; a refusal names the declaration's REFERENCE. */
static int
check_counts(struct lz_call *c, Lz__Returns__V1__ContainerCount **cc, size_t n,
	     const char *reference)
{
	int rc;

	if (n < 1 || n > 32)
		return lz_service_refuse(c, RR_INVALID,
					 LZ_IDS("reference", reference),
					 "containers: 1..32 entries");
	for (size_t i = 0; i < n; i++) {
		const char *const *ids =
			LZ_IDS("container_type", cc[i]->container_type,
			       "reference", reference);

		if (cc[i]->count < 1 || cc[i]->count > RETURNS_COUNT_MAX)
			return lz_service_refuse(
				c, RR_BAD_QUANTITY, ids,
				"containers[%zu].count: 1..1000000", i);
		if ((rc = returns_type_known(c, cc[i]->container_type)) < 0)
			return rc;
		if (rc == 0)
			return lz_service_refuse(
				c, RR_UNKNOWN_CONTAINER_TYPE, ids,
				"containers[%zu].container_type: not "
				"registered",
				i);
	}
	return 0;
}

static int
on_declare_containers(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__DeclareContainers *d =
		(const Lz__Returns__V1__DeclareContainers *)msg;
	const char *const *ids = LZ_IDS("reference", d->reference);
	const char *from_site =
		d->from_site_id[0] ? d->from_site_id : d->site_id;
	char from[RETURNS_ACCOUNT_MAX], to[RETURNS_ACCOUNT_MAX];
	const char *froms[] = {from};
	int rc;

	if (!lz_valid_id(d->reference))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"reference: 1..64 characters of [A-Za-z0-9._-]");
	if ((rc = check_counts(c, d->containers, d->n_containers,
			       d->reference)) ||
	    (rc = check_site(c, d->site_id, "site_id", ids)))
		return rc;
	if (returns_site_account(from, sizeof(from), from_site) != 0)
		return lz_service_refuse(c, RR_INVALID, ids,
					 "from_site_id: 1..64 characters of "
					 "[A-Za-z0-9._-]");
	if (strcmp(from_site, d->site_id) != 0) {
		Site *s = NULL;

		if ((rc = returns_get_site(c, from_site, &s)) != 0)
			return rc;
		if (s == NULL)
			return lz_service_refuse(c, RR_UNKNOWN_SITE, ids,
						 "from_site_id: no such site");
		returns_free_site(s);
	}
	if ((rc = ref_used(c, "containers", d->reference)) != 0)
		return rc < 0 ? rc
			      : lz_service_refuse(
					c, RR_DUPLICATE, ids,
					"reference: already declared");
	if ((rc = ref_keep(c, "containers", d->reference)) != 0)
		return rc;
	returns_empties_account(to, sizeof(to), d->site_id);
	for (size_t i = 0; i < d->n_containers && rc == 0; i++)
		rc = returns_take(c, d->containers[i]->container_type, froms, 1,
				  d->containers[i]->count, to, c->ev->tenant,
				  d->site_id, d->reference);
	return rc;
}

static int
on_record_movement(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__RecordMovement *m =
		(const Lz__Returns__V1__RecordMovement *)msg;
	const char *const *ids = LZ_IDS("container_type", m->container_type,
					"reference", m->reference);
	const char *froms[] = {m->from_account};
	int rc;

	if (!lz_valid_id(m->reference))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"reference: 1..64 characters of [A-Za-z0-9._-]");
	if ((rc = returns_type_known(c, m->container_type)) < 0)
		return rc;
	if (rc == 0)
		return lz_service_refuse(c, RR_UNKNOWN_CONTAINER_TYPE, ids,
					 "container_type: not registered");
	if (m->count < 1 || m->count > RETURNS_COUNT_MAX)
		return lz_service_refuse(c, RR_BAD_QUANTITY, ids,
					 "count: 1..1000000");
	if (!returns_movement_allowed(m->from_account, m->to_account))
		return lz_service_refuse(
			c, RR_BAD_ACCOUNT, ids,
			"from_account -> to_account: not a movement a "
			"partner reports");
	if (m->member_id[0] && !lz_valid_id(m->member_id))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"member_id: 1..64 characters of [A-Za-z0-9._-]");
	if ((rc = ref_used(c, "movement", m->reference)) != 0)
		return rc < 0 ? rc
			      : lz_service_refuse(
					c, RR_DUPLICATE, ids,
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

		if ((rc = returns_store_balance(c->txn, &returns_of(c)->db,
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
on_confirm(struct lz_call *c, const ProtobufCMessage *msg)
{
	const Lz__Returns__V1__ConfirmProcessing *p =
		(const Lz__Returns__V1__ConfirmProcessing *)msg;
	const char *ids[] = {"flow_id", p->flow_id, "outlet_id", NULL, NULL};
	char name[100], date[11];
	Flow *f = NULL;
	int from, rc;

	if (!lz_valid_id(p->flow_id))
		return lz_service_refuse(
			c, RR_INVALID, ids,
			"flow_id: 1..64 characters of [A-Za-z0-9._-]");
	if (p->actual_grams < 0 || p->actual_grams > RETURNS_GRAMS_MAX)
		return lz_service_refuse(
			c, RR_BAD_QUANTITY, ids,
			"actual_grams: 0..100000000 (got %" PRId64 ")",
			p->actual_grams);
	if (strlen(p->note) > 400)
		return lz_service_refuse(c, RR_INVALID, ids,
					 "note: at most 400 bytes");
	if ((rc = lz_store_get_msg(c->txn, returns_of(c)->db.flows, p->flow_id,
				   &lz__returns__v1__flow__descriptor,
				   (ProtobufCMessage **)&f)) != 0)
		return rc;
	if (f == NULL)
		return lz_service_refuse(c, RR_UNKNOWN_FLOW, ids,
					 "flow_id: no such flow");
	ids[3] = f->outlet_id;
	/* The processor running the outlet confirms; an operator may for
	 * it (a processor without a screen). */
	if (f->status != FS_OPENED &&
	    strcmp(f->outlet_member_id, c->ev->tenant ? c->ev->tenant : "") !=
		    0 &&
	    !lz_service_actor_has_role(c, "operator")) {
		rc = lz_service_refuse(
			c, RR_NOT_YOUR_OUTLET, ids,
			"flow_id: assigned to an outlet of another "
			"member");
		goto out;
	}
	if (f->status != FS_ASSIGNED && f->status != FS_COLLECTED) {
		rc = lz_service_refuse(c, RR_BAD_STATE, ids,
				       "flow_id: flow is %s",
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
	if ((rc = lz_store_counter_add(c->txn, returns_of(c)->db.totals, name,
				       p->actual_grams)) != 0)
		goto out;
	snprintf(name, sizeof(name), "%s %s flows", date,
		 returns_level_name(f->level));
	if ((rc = lz_store_counter_add(c->txn, returns_of(c)->db.totals, name,
				       1)) ||
	    (rc = lz_service_stat(c, "flows_open", -1)) != 0 ||
	    (rc = lz_service_stat(c, "flows_closed", 1)) != 0)
		goto out;
	snprintf(name, sizeof(name), "diverted_g/%s",
		 returns_level_name(f->level));
	if ((rc = lz_service_stat(c, name, p->actual_grams)) != 0)
		goto out;
	rc = returns_flow_emit(c, f, from);
out:
	lz__returns__v1__flow__free_unpacked(f, NULL);
	return rc;
}

const struct lz_handler returns_commands[] = {
	{&lz__returns__v1__register_container_type__descriptor,
	 on_register_type, LZ_FROM_GATEWAY},
	{&lz__returns__v1__register_outlet__descriptor, on_register_outlet,
	 LZ_FROM_GATEWAY},
	{&lz__returns__v1__set_collection_point__descriptor, on_set_point,
	 LZ_FROM_GATEWAY},
	{&lz__returns__v1__declare_flow__descriptor, on_declare_flow,
	 LZ_FROM_GATEWAY},
	{&lz__returns__v1__declare_containers__descriptor,
	 on_declare_containers, LZ_FROM_GATEWAY},
	{&lz__returns__v1__record_movement__descriptor, on_record_movement,
	 LZ_FROM_GATEWAY},
	{&lz__returns__v1__confirm_processing__descriptor, on_confirm,
	 LZ_FROM_GATEWAY},
};
const size_t returns_n_commands = LZ_ARRAY_LEN(returns_commands);
