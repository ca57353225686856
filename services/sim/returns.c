/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * returns.c -- the reverse flows of the simulated territory, when
 * lz-returns runs: its deposit containers and outlets, the members'
 * declarations of unsold food and peelings, the outlets' confirmations of
 * what they received, the hub washing the empties brought back.  What it
 * confirms or washes, it reads from lz-returns' read models.
 */
#include "play.h"

#include "lz_client.h"
#include "lz_util.h"

#include <stdlib.h>
#include <string.h>

/* The reverse flows' set-up: deposit containers and outlets. */
int
sim_returns_register(struct sim_run *r)
{
	const struct sim_territory *t = &r->t;
	int bad = 0;

	for (size_t i = 0; i < t->n_containers && !bad; i++) {
		const struct sim_container *c = &t->containers[i];

		bad |= sim_submit(
			       r, "operator",
			       "lz.returns.v1.RegisterContainerType",
			       json_pack("{s:{s:s,s:s,s:I,s:I,s:I}}",
					 "containerType", "containerType",
					 c->id, "name", c->name, "depositCents",
					 (json_int_t)c->deposit_cents, "grams",
					 (json_int_t)c->grams, "millilitres",
					 (json_int_t)c->ml)) < 0;
		/* The hub's clean empties, bought in. */
		bad |= sim_submit(r, "operator", "lz.returns.v1.RecordMovement",
				  json_pack("{s:s,s:s,s:I,s:s,s:s,s:s}",
					    "reference", c->id, "containerType",
					    c->id, "count",
					    (json_int_t)c->stock * r->days,
					    "fromAccount", "supply",
					    "toAccount", "hub-stock", "note",
					    "bought for the territory")) < 0;
	}
	for (size_t i = 0; i < t->n_outlets && !bad; i++) {
		const struct sim_outlet *o = &t->outlets[i];

		bad |= sim_submit(r, "operator", "lz.returns.v1.RegisterOutlet",
				  json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:I}}",
					    "outlet", "outletId", o->id,
					    "memberId", o->member, "siteId",
					    o->site, "name", o->name, "kind",
					    o->kind, "capacityGramsPerDay",
					    (json_int_t)o->kg_per_day * 1000)) <
		       0;
	}
	sim_say(r, "returns: %zu container types, %zu outlets\n",
		t->n_containers, t->n_outlets);
	return bad ? -1 : 0;
}

/* The partner that declares for MEMBER: its order tool, or the hub's
 * desk for the association itself. */
static const char *
declarer(const struct sim_member *m)
{
	return m->partner ? m->partner : "operator";
}

int
sim_returns_declare(struct sim_run *r, int day, int64_t midnight)
{
	size_t n, refused = 0;
	struct sim_flow *v =
		sim_flows_make(&r->t, r->seed, day, midnight, r->orders, &n);
	int rc = 0;

	for (size_t i = 0; i < n && rc >= 0; i++) {
		const struct sim_flow *f = &v[i];
		json_t *p = json_pack(
			"{s:s,s:s,s:s,s:I,s:s,s:s}", "reference", f->reference,
			"kind", f->kind, "category", f->category, "grams",
			(json_int_t)f->grams, "siteId", f->site->id,
			"temperatureClass", sim_class_name(f->cls));

		if (f->use_by)
			json_object_set_new(p, "useBy",
					    json_integer(f->use_by));
		rc = sim_submit(r, declarer(f->member),
				"lz.returns.v1.DeclareFlow", p);
		refused += rc > 0;
	}
	free(v);
	sim_say(r,
		"  %zu reverse flows declared (unsold food, biowaste; %zu "
		"refused)\n",
		n, refused);
	return rc < 0 ? -1 : 0;
}

/* At the end of DATE the hub sends the empties brought back to washing
 * and gets them back clean: as many as lz-returns has in "hub-returned". */
int
sim_returns_wash(struct sim_run *r, const char *date)
{
	char err[256], ref[96];
	json_t *l = lz_client_get_json(r->api.returns,
				       "/v1/balances?account=hub-returned",
				       5000, err, sizeof(err));
	json_t *b;
	size_t i, n = 0;
	int rc = 0;

	if (l == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	json_array_foreach(json_object_get(l, "balances"), i, b)
	{
		const char *type =
			json_string_value(json_object_get(b, "containerType"));
		int64_t count = sim_jint(b, "count");
		static const char *const legs[][2] = {
			{"hub-returned", "washing"},
			{"washing", "hub-stock"},
		};

		if (type == NULL || count <= 0)
			continue;
		for (int k = 0; k < 2 && rc >= 0; k++) {
			snprintf(ref, sizeof(ref), "%s-%s-%s", legs[k][1], date,
				 type);
			rc = sim_submit(
				r, "operator", "lz.returns.v1.RecordMovement",
				json_pack("{s:s,s:s,s:I,s:s,s:s}", "reference",
					  ref, "containerType", type, "count",
					  (json_int_t)count, "fromAccount",
					  legs[k][0], "toAccount", legs[k][1]));
		}
		n += (size_t)count;
		if (rc < 0)
			break;
	}
	json_decref(l);
	sim_say(r, "  %zu empties washed and back in the hub's stock\n", n);
	return rc < 0 ? -1 : 0;
}

/* The outlets confirm the flows collected for them, with the weight they
 * found (a little less than declared, now and then). */
int
sim_returns_confirm(struct sim_run *r)
{
	char err[256];
	json_t *l = lz_client_get_json(r->api.returns, "/v1/flows?status=all",
				       5000, err, sizeof(err));
	json_t *f;
	size_t i, n = 0;
	int rc = 0;

	if (l == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	json_array_foreach(json_object_get(l, "flows"), i, f)
	{
		const char *st =
			json_string_value(json_object_get(f, "status"));
		const char *om =
			json_string_value(json_object_get(f, "outletMemberId"));
		const char *who = om ? sim_partner_of(om, "processor") : NULL;
		int64_t grams = sim_jint(f, "grams");

		if (!st || strcmp(st, "FLOW_STATUS_COLLECTED") || !who)
			continue;
		grams -= grams * (int64_t)(i % 3) / 50;
		rc = sim_submit(r, who, "lz.returns.v1.ConfirmProcessing",
				json_pack("{s:s,s:I}", "flowId",
					  json_string_value(
						  json_object_get(f, "flowId")),
					  "actualGrams", (json_int_t)grams));
		if (rc < 0)
			break;
		n++;
	}
	json_decref(l);
	sim_say(r, "  %zu flows confirmed by their outlets\n", n);
	return rc < 0 ? -1 : 0;
}

/* ---- the jars customers hold ---- */

/* Remembers the jars of order O (member/reference) for sim_jars_back(). */
void
sim_jars_ordered(struct sim_run *r, const struct sim_order *o)
{
	char id[128];
	json_int_t jars = 0;

	for (int l = 0; l < o->n_lines; l++)
		if (o->lines[l].p->container &&
		    strcmp(o->lines[l].p->container, r->t.containers[0].id) ==
			    0)
			jars += o->lines[l].quantity;
	if (r->jars_ordered == NULL)
		r->jars_ordered = json_object();
	snprintf(id, sizeof(id), "%s/%s", o->member->id, o->reference);
	json_object_set_new(r->jars_ordered, id, json_integer(jars));
}

unsigned
sim_jars_back(struct sim_run *r, const char *site, const json_t *ids,
	      const json_t *kinds, unsigned want)
{
	json_int_t held;
	const json_t *id;
	size_t i;

	if (r->jars_held == NULL)
		r->jars_held = json_object();
	held = json_integer_value(json_object_get(r->jars_held, site));
	json_array_foreach(ids, i, id)
	{
		const char *s = json_string_value(id),
			   *k = json_string_value(json_array_get(kinds, i));

		if (s && strncmp(s, "del:", 4) == 0 &&
		    (kinds == NULL ||
		     (k && strcmp(k, "TASK_KIND_DELIVERY") == 0)))
			held += json_integer_value(
				json_object_get(r->jars_ordered, s + 4));
	}
	if ((json_int_t)want > held)
		want = (unsigned)held;
	json_object_set_new(r->jars_held, site, json_integer(held - want));
	return want;
}
