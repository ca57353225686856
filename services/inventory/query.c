/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * query.c -- the inventory read models over HTTP (on the admin address),
 * for operators, the gateway and tests, as JSON (proto3 mapping of
 * lz.inventory.v1 where a message exists):
 *
 *   GET /v1/stock?by=zone|member|product[&member=M]
 *                                             -> StockReport (with member:
 *                                                the lots M may order from,
 *                                                its own and the shared pool)
 *   GET /v1/lots/expiring[?within=SECONDS]    -> LotList, earliest first
 *   GET /v1/lots/<lot id>                     -> Lot
 *   GET /v1/zones                             -> ZoneFillList
 *   GET /v1/reservations/<member>/<reference> -> OrderRecord
 *   GET /v1/picking/<date>[?format=text]      -> PickingListList
 *   GET /v1/picking/<tour id>[?format=text]   -> PickingList
 *   GET /v1/invariants                        -> the totals and the checks
 *
 * Also the metrics, refreshed from the counters kept in the store.  These
 * endpoints trust their caller (loopback by default).
 */
#include "inventory.h"

#include "alloc.h"
#include "lz_date.h"
#include "lz_registry.h"
#include "lz_http.h"
#include "lz_json.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The only query parameter NAME (others: 400), or NULL if absent. */
static int
one_param(struct evhttp_request *req, const char *name, struct evkeyvalq *q,
	  const char **out)
{
	return lz_http_params(req, q, &name, out, 1);
}

/* ---- stock by zone, member, product ---- */

struct row {
	char *key;
	int64_t units, reserved, grams, ml;
};

struct stock_ctx {
	struct inventory *inv;
	int by;             /* 0 zone, 1 member, 2 product */
	const char *member; /* only the lots it may order from, or NULL */
	MDB_txn *txn;
	struct row *rows;
	size_t n, cap;
};

static int
stock_lot(Lot *l, void *arg)
{
	struct stock_ctx *s = arg;
	struct row *r;

	if (l->quantity == 0)
		return 0;
	if (s->member && strcmp(l->owner_member_id, s->member) != 0) {
		int shared = 0,
		    rc = inventory_store_shared(s->txn, &s->inv->db,
						l->owner_member_id, &shared);
		if (rc != 0 || !shared)
			return rc;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->rows = xrealloc(s->rows, s->cap * sizeof(*s->rows));
	}
	r = &s->rows[s->n++];
	r->key = xstrdup(s->by == 0   ? l->zone_id
			 : s->by == 1 ? l->owner_member_id
				      : l->product);
	r->units = l->quantity;
	r->reserved = l->reserved;
	r->grams = l->quantity * l->unit_grams;
	r->ml = l->quantity * l->unit_millilitres;
	return 0;
}

static int
stock_fn(MDB_txn *txn, void *arg)
{
	struct stock_ctx *s = arg;

	s->txn = txn;
	return inventory_store_each_lot(txn, &s->inv->db, stock_lot, s);
}

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key,
		      ((const struct row *)b)->key);
}

static void
on_stock(struct evhttp_request *req, void *arg)
{
	static const char *const bys[] = {"zone", "member", "product"};
	static const char *const names[] = {"by", "member"};
	struct stock_ctx s = {arg, -1, NULL, NULL, NULL, 0, 0};
	const char *v[2];
	Lz__Inventory__V1__StockReport rep =
		LZ__INVENTORY__V1__STOCK_REPORT__INIT;
	Lz__Inventory__V1__StockEntry *ents = NULL, **eptr = NULL;
	struct evkeyvalq q = {0};
	size_t ne = 0;
	int rc;

	if (!lz_http_only_get(req) || lz_http_params(req, &q, names, v, 2) != 0)
		goto out;
	for (int i = 0; i < 3; i++)
		if (v[0] && strcmp(v[0], bys[i]) == 0)
			s.by = i;
	if (s.by < 0) {
		lz_http_reply_error(req, 400, "by: zone, member or product");
		goto out;
	}
	if (v[1] && !lz_valid_id(v[1])) {
		lz_http_reply_error(
			req, 400, "member: 1..64 characters of [A-Za-z0-9._-]");
		goto out;
	}
	s.member = v[1];
	if ((rc = lz_store_read(s.inv->store, stock_fn, &s)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		goto out;
	}
	if (s.n > 0)
		qsort(s.rows, s.n, sizeof(*s.rows), row_cmp);
	ents = xcalloc(s.n + 1, sizeof(*ents));
	eptr = xcalloc(s.n + 1, sizeof(*eptr));
	for (size_t i = 0; i < s.n; i++) {
		Lz__Inventory__V1__StockEntry *e;

		if (ne == 0 || strcmp(ents[ne - 1].key, s.rows[i].key) != 0) {
			e = &ents[ne];
			lz__inventory__v1__stock_entry__init(e);
			e->key = s.rows[i].key;
			eptr[ne++] = e;
		}
		e = &ents[ne - 1];
		e->lots++;
		e->units += s.rows[i].units;
		e->reserved += s.rows[i].reserved;
		e->grams += s.rows[i].grams;
		e->millilitres += s.rows[i].ml;
	}
	rep.n_entries = ne;
	rep.entries = eptr;
	lz_http_reply_json_new(req, lz_json_from_message(&rep.base));
out:
	for (size_t i = 0; i < s.n; i++)
		free(s.rows[i].key);
	free(s.rows);
	free(ents);
	free(eptr);
	evhttp_clear_headers(&q);
}

/* ---- lots ---- */

struct lots_ctx {
	struct inventory *inv;
	int64_t until;
	const char *id;
	Lot **lots;
	size_t n, cap;
};

static int
keep_lot(Lot *l, void *arg)
{
	struct lots_ctx *c = arg;
	size_t len;
	uint8_t *buf = lz_registry_pack(&l->base, &len);

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->lots = xrealloc(c->lots, c->cap * sizeof(*c->lots));
	}
	c->lots[c->n] = lz__inventory__v1__lot__unpack(NULL, len, buf);
	free(buf);
	if (c->lots[c->n] == NULL)
		return MDB_CORRUPTED;
	c->n++;
	return c->n >= 1000 ? 1 : 0;
}

static int
expiring_fn(MDB_txn *txn, void *arg)
{
	struct lots_ctx *c = arg;

	return inventory_store_expiring(txn, &c->inv->db, c->until, 1000,
					keep_lot, c);
}

static int
lot_fn(MDB_txn *txn, void *arg)
{
	struct lots_ctx *c = arg;
	Lot *l = NULL;
	int rc = inventory_store_get_lot(txn, &c->inv->db, c->id, &l);

	if (rc == 0 && l) {
		c->lots = xcalloc(1, sizeof(*c->lots));
		c->lots[0] = l;
		c->n = 1;
	}
	return rc;
}

static void
on_lots(struct evhttp_request *req, void *arg)
{
	static const char prefix[] = "/v1/lots/";
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *rest = path + sizeof(prefix) - 1;
	struct lots_ctx c = {arg, 0, NULL, NULL, 0, 0};
	struct evkeyvalq q = {0};
	const char *within;
	int rc;

	if (!lz_http_only_get(req))
		return;
	if (strcmp(rest, "expiring") == 0) {
		Lz__Inventory__V1__LotList list =
			LZ__INVENTORY__V1__LOT_LIST__INIT;
		long long w = c.inv->horizon;
		char *end;

		if (one_param(req, "within", &q, &within) != 0)
			goto out;
		if (within) {
			w = strtoll(within, &end, 10);
			if (*within < '0' || *within > '9' || *end ||
			    w > 365LL * 86400) {
				lz_http_reply_error(
					req, 400,
					"within: seconds, 0..31536000");
				goto out;
			}
		}
		c.until = lz_now_us() / 1000000 + w;
		if ((rc = lz_store_read(c.inv->store, expiring_fn, &c)) != 0) {
			lz_http_reply_error(req, 500, lz_store_strerror(rc));
			goto out;
		}
		list.n_lots = c.n;
		list.lots = c.lots;
		lz_http_reply_json_new(req, lz_json_from_message(&list.base));
		goto out;
	}
	if (!lz_valid_id(rest)) {
		lz_http_reply_error(
			req, 400, "lot id: 1..64 characters of [A-Za-z0-9._-]");
		goto out;
	}
	c.id = rest;
	if ((rc = lz_store_read(c.inv->store, lot_fn, &c)) != 0)
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	else if (c.n == 0)
		lz_http_reply_error(req, 404, "no such lot");
	else
		lz_http_reply_json_new(req,
				       lz_json_from_message(&c.lots[0]->base));
out:
	inventory_store_free_lots(c.lots, c.n);
	evhttp_clear_headers(&q);
}

/* ---- zones ---- */

static int64_t
permille(int64_t used, int64_t cap)
{
	return cap > 0 ? used * 1000 / cap : 0;
}

struct zones_ctx {
	struct inventory *inv;
	MDB_txn *txn;
	Lz__Inventory__V1__ZoneFill **fills;
	size_t n;
};

static int
zone_one(Zone *z, void *arg)
{
	struct zones_ctx *c = arg;
	Lz__Inventory__V1__ZoneFill *f = xcalloc(1, sizeof(*f));
	char name[96];
	size_t len;
	uint8_t *buf = lz_registry_pack(&z->base, &len);
	int64_t pg, pm;
	int rc;

	lz__inventory__v1__zone_fill__init(f);
	f->zone = lz__inventory__v1__zone__unpack(NULL, len, buf);
	free(buf);
	c->fills = xrealloc(c->fills, (c->n + 1) * sizeof(*c->fills));
	c->fills[c->n++] = f;
	if (f->zone == NULL)
		return MDB_CORRUPTED;
	snprintf(name, sizeof(name), "g/%s", z->zone_id);
	if ((rc = inventory_store_stat_get(c->txn, &c->inv->db, name,
					   &f->grams)) != 0)
		return rc;
	snprintf(name, sizeof(name), "ml/%s", z->zone_id);
	if ((rc = inventory_store_stat_get(c->txn, &c->inv->db, name,
					   &f->millilitres)) != 0)
		return rc;
	pg = permille(f->grams, z->capacity_grams);
	pm = permille(f->millilitres, z->capacity_millilitres);
	f->fill_permille = pg > pm ? pg : pm;
	return 0;
}

static int
zones_fn(MDB_txn *txn, void *arg)
{
	struct zones_ctx *c = arg;

	c->txn = txn;
	return inventory_store_each_zone(txn, &c->inv->db, zone_one, c);
}

static void
free_fills(struct zones_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->fills[i]->zone)
			lz__inventory__v1__zone__free_unpacked(
				c->fills[i]->zone, NULL);
		free(c->fills[i]);
	}
	free(c->fills);
}

static void
on_zones(struct evhttp_request *req, void *arg)
{
	struct zones_ctx c = {arg, NULL, NULL, 0};
	Lz__Inventory__V1__ZoneFillList list =
		LZ__INVENTORY__V1__ZONE_FILL_LIST__INIT;
	int rc;

	if (!lz_http_only_get(req))
		return;
	if ((rc = lz_store_read(c.inv->store, zones_fn, &c)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else {
		list.n_zones = c.n;
		list.zones = c.fills;
		lz_http_reply_json_new(req, lz_json_from_message(&list.base));
	}
	free_fills(&c);
}

/* ---- reservations ---- */

struct order_ctx {
	struct inventory *inv;
	const char *id;
	OrderRecord *o;
};

static int
order_fn(MDB_txn *txn, void *arg)
{
	struct order_ctx *c = arg;

	return inventory_store_get_order(txn, &c->inv->db, c->id, &c->o);
}

static void
on_reservation(struct evhttp_request *req, void *arg)
{
	static const char prefix[] = "/v1/reservations/";
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct order_ctx c = {arg, NULL, NULL};
	size_t len = 0;
	char *id;
	int rc;

	if (!lz_http_only_get(req))
		return;
	id = evhttp_uridecode(path + sizeof(prefix) - 1, 0, &len);
	if (id == NULL || strlen(id) != len || !lz_valid_order_id(id)) {
		lz_http_reply_error(req, 400,
				    "bad order id: want <member>/<reference>");
		free(id);
		return;
	}
	c.id = id;
	if ((rc = lz_store_read(c.inv->store, order_fn, &c)) != 0)
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	else if (c.o == NULL)
		lz_http_reply_error(req, 404, "no such hub-stock order");
	else
		lz_http_reply_json_new(req, lz_json_from_message(&c.o->base));
	if (c.o)
		lz__inventory__v1__order_record__free_unpacked(c.o, NULL);
	free(id);
}

/* ---- picking lists ---- */

struct picking_ctx {
	struct inventory *inv;
	const char *key; /* a date, or a tour id */
	int by_date;
	PickingList **lists;
	size_t n;
};

static int
keep_list(PickingList *l, void *arg)
{
	struct picking_ctx *c = arg;
	size_t len;
	uint8_t *buf = lz_registry_pack(&l->base, &len);

	c->lists = xrealloc(c->lists, (c->n + 1) * sizeof(*c->lists));
	c->lists[c->n] =
		lz__inventory__v1__picking_list__unpack(NULL, len, buf);
	free(buf);
	if (c->lists[c->n] == NULL)
		return MDB_CORRUPTED;
	c->n++;
	return c->n >= 1000 ? 1 : 0;
}

static int
picking_fn(MDB_txn *txn, void *arg)
{
	struct picking_ctx *c = arg;
	char prefix[16];
	PickingList *l = NULL;
	int rc;

	if (c->by_date) {
		snprintf(prefix, sizeof(prefix), "%s/", c->key);
		return inventory_store_pickings(txn, &c->inv->db, prefix,
						keep_list, c);
	}
	rc = inventory_store_get_picking(txn, &c->inv->db, c->key, &l);
	if (rc == 0 && l) {
		c->lists = xcalloc(1, sizeof(*c->lists));
		c->lists[0] = l;
		c->n = 1;
	}
	return rc;
}

static const char *
class_name(int tc)
{
	return lz_enum_name(&lz__common__v1__temperature_class__descriptor, tc);
}

static const char *
pick_status_name(int st)
{
	return lz_enum_name(&lz__inventory__v1__picking_status__descriptor, st);
}

/* The list L as the hub prints it: per compartment, the lines in loading
 * order, then its orders. */
static void
text_list(struct evbuffer *b, const PickingList *l)
{
	char date[11] = "";

	if (l->listed_at > 0)
		lz_date_local(l->listed_at, date);
	evbuffer_add_printf(b,
			    "picking list %s (vehicle %s, revision %u, %s): "
			    "%zu orders, %lld units listed, %lld picked\n",
			    l->tour_id, l->vehicle_id, l->revision,
			    pick_status_name(l->status), l->n_orders,
			    (long long)l->units, (long long)l->picked_units);
	for (size_t i = 0; i < l->n_compartments; i++) {
		const PickingCompartment *cp = l->compartments[i];

		evbuffer_add_printf(b,
				    "  %s: %lld units, %.1f kg, %.1f l "
				    "(load in this order)\n",
				    class_name(cp->temperature_class),
				    (long long)cp->units,
				    (double)cp->grams / 1000.0,
				    (double)cp->millilitres / 1000.0);
		evbuffer_add_printf(b,
				    "    %4s  %-26s %4s  %-18s %-30s %-8s "
				    "%6s %6s\n",
				    "stop", "order", "line", "product", "lot",
				    "zone", "units", "picked");
		for (size_t k = 0; k < cp->n_lines; k++) {
			const PickLine *ln = cp->lines[k];
			char picked[24] = "";

			for (size_t o = 0; o < l->n_orders; o++)
				if (strcmp(l->orders[o]->order_id,
					   ln->order_id) == 0 &&
				    (l->orders[o]->status == PST_PICKED ||
				     l->orders[o]->status == PST_SHORT))
					snprintf(picked, sizeof(picked), "%lld",
						 (long long)ln->picked);
			evbuffer_add_printf(b,
					    "    %4u  %-26s %4u  %-18s %-30s "
					    "%-8s %6lld %6s\n",
					    ln->stop_index, ln->order_id,
					    ln->line, ln->product, ln->lot_id,
					    ln->zone_id,
					    (long long)ln->quantity, picked);
		}
	}
	evbuffer_add_printf(b, "  orders (loading order):\n");
	for (size_t i = 0; i < l->n_orders; i++) {
		const PickingOrder *o = l->orders[i];

		evbuffer_add_printf(
			b, "    stop %-3u %-26s %-24s %-8s %lld/%lld\n",
			o->stop_index, o->order_id, o->site_id,
			pick_status_name(o->status), (long long)o->picked_units,
			(long long)o->units);
	}
}

static void
reply_text(struct evhttp_request *req, PickingList **lists, size_t n)
{
	struct evbuffer *b = evbuffer_new();
	size_t len;
	char *text;

	for (size_t i = 0; i < n; i++)
		text_list(b, lists[i]);
	if (n == 0)
		evbuffer_add_printf(b, "no picking list\n");
	len = evbuffer_get_length(b);
	text = xmalloc(len + 1);
	evbuffer_remove(b, text, len);
	lz_http_reply(req, 200, "text/plain; charset=utf-8", text, len);
	free(text);
	evbuffer_free(b);
}

static void
on_picking(struct evhttp_request *req, void *arg)
{
	static const char prefix[] = "/v1/picking/";
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct picking_ctx c = {arg, NULL, 0, NULL, 0};
	struct evkeyvalq q = {0};
	const char *format;
	size_t len = 0;
	char *key;
	int rc, text;

	if (!lz_http_only_get(req) || one_param(req, "format", &q, &format))
		goto out_q;
	text = format && strcmp(format, "text") == 0;
	if (format && !text) {
		lz_http_reply_error(req, 400, "format: text (or none: JSON)");
		goto out_q;
	}
	key = evhttp_uridecode(path + sizeof(prefix) - 1, 0, &len);
	if (key == NULL || strlen(key) != len || !lz_valid_path(key)) {
		lz_http_reply_error(req, 400,
				    "want /v1/picking/<YYYY-MM-DD> or "
				    "/v1/picking/<tour id>");
		goto out;
	}
	c.key = key;
	c.by_date = lz_date_valid(key);
	if ((rc = lz_store_read(c.inv->store, picking_fn, &c)) != 0)
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	else if (!c.by_date && c.n == 0)
		lz_http_reply_error(req, 404, "no picking list for this tour");
	else if (text)
		reply_text(req, c.lists, c.n);
	else if (!c.by_date)
		lz_http_reply_json_new(req,
				       lz_json_from_message(&c.lists[0]->base));
	else {
		Lz__Inventory__V1__PickingListList all =
			LZ__INVENTORY__V1__PICKING_LIST_LIST__INIT;

		all.n_lists = c.n;
		all.lists = c.lists;
		lz_http_reply_json_new(req, lz_json_from_message(&all.base));
	}
	for (size_t i = 0; i < c.n; i++)
		lz__inventory__v1__picking_list__free_unpacked(c.lists[i],
							       NULL);
	free(c.lists);
out:
	free(key);
out_q:
	evhttp_clear_headers(&q);
}

/* ---- invariants ---- */

/* One reserved quantity, from an order's allocation. */
struct held {
	char lot[INV_ID_MAX + 1];
	int64_t quantity;
};

struct inv_ctx {
	struct inventory *inv;
	MDB_txn *txn;
	json_t *violations, *holders;
	struct held *held;
	size_t nheld, capheld, next;
	int64_t stock, reserved, lots, orders_live, reservations, accounted;
};

static void violation(struct inv_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
violation(struct inv_ctx *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (json_array_size(c->violations) >= 100)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(c->violations, json_string(buf));
}

static int
check_order(OrderRecord *o, void *arg)
{
	struct inv_ctx *c = arg;

	if (o->n_allocations == 0)
		return 0;
	c->reservations++;
	if (json_array_size(c->holders) < 10000)
		json_array_append_new(c->holders, json_string(o->order_id));
	if (inventory_status_final((int)o->status) || o->picked)
		violation(c, "order %s holds a reservation but is %s",
			  o->order_id, o->picked ? "picked" : "final");
	for (size_t i = 0; i < o->n_allocations; i++) {
		const Allocation *a = o->allocations[i];

		if (a->quantity <= 0)
			violation(c, "order %s: allocation of %" PRId64,
				  o->order_id, a->quantity);
		if (c->nheld == c->capheld) {
			c->capheld = c->capheld ? c->capheld * 2 : 64;
			c->held = xrealloc(c->held,
					   c->capheld * sizeof(*c->held));
		}
		snprintf(c->held[c->nheld].lot, sizeof(c->held->lot), "%s",
			 a->lot_id);
		c->held[c->nheld++].quantity = a->quantity;
	}
	return 0;
}

static int
held_cmp(const void *a, const void *b)
{
	return strcmp(((const struct held *)a)->lot,
		      ((const struct held *)b)->lot);
}

/* Lots come by id, as do the sorted reservations: a merge. */
static int
check_lot(Lot *l, void *arg)
{
	struct inv_ctx *c = arg;
	int64_t held = 0;

	while (c->next < c->nheld &&
	       strcmp(c->held[c->next].lot, l->lot_id) < 0) {
		violation(c, "reservation of unknown lot %s",
			  c->held[c->next].lot);
		c->next++;
	}
	while (c->next < c->nheld &&
	       strcmp(c->held[c->next].lot, l->lot_id) == 0)
		held += c->held[c->next++].quantity;
	c->lots++;
	c->stock += l->quantity;
	c->reserved += l->reserved;
	if (l->quantity < 0)
		violation(c, "lot %s: negative stock %" PRId64, l->lot_id,
			  l->quantity);
	if (l->reserved < 0 || l->reserved > l->quantity)
		violation(c, "lot %s: reserved %" PRId64 " of %" PRId64,
			  l->lot_id, l->reserved, l->quantity);
	if (held != l->reserved)
		violation(c,
			  "lot %s: reserved %" PRId64
			  " but live orders hold %" PRId64,
			  l->lot_id, l->reserved, held);
	if (l->expired && l->quantity != l->reserved)
		violation(c, "lot %s: expired with unreserved units",
			  l->lot_id);
	/* Where its units went, lot by lot (lots stored before the lots
	 * kept it have received_units 0). */
	if (l->received_units > 0) {
		c->accounted++;
		if (l->received_units - l->picked_units - l->adjusted_units -
			    l->expired_units !=
		    l->quantity)
			violation(c,
				  "lot %s: received %" PRId64
				  " - picked %" PRId64 " - adjusted %" PRId64
				  " - expired %" PRId64 " != %" PRId64
				  " in stock",
				  l->lot_id, l->received_units, l->picked_units,
				  l->adjusted_units, l->expired_units,
				  l->quantity);
	}
	return 0;
}

static int
inv_fn(MDB_txn *txn, void *arg)
{
	struct inv_ctx *c = arg;
	int rc;

	c->txn = txn;
	if ((rc = inventory_store_each_order(txn, &c->inv->db, check_order,
					     c)) != 0)
		return rc;
	if (c->nheld > 0)
		qsort(c->held, c->nheld, sizeof(*c->held), held_cmp);
	if ((rc = inventory_store_each_lot(txn, &c->inv->db, check_lot, c)))
		return rc;
	for (; c->next < c->nheld; c->next++)
		violation(c, "reservation of unknown lot %s",
			  c->held[c->next].lot);
	return 0;
}

struct totals {
	int64_t received, picked, adjusted, expired, stock, reserved, lots;
};

static void
total_one(const char *name, int64_t v, void *arg)
{
	struct totals *t = arg;

	if (strcmp(name, "received") == 0)
		t->received = v;
	else if (strcmp(name, "picked") == 0)
		t->picked = v;
	else if (strcmp(name, "adjusted") == 0)
		t->adjusted = v;
	else if (strcmp(name, "expired") == 0)
		t->expired = v;
	else if (strcmp(name, "stock") == 0)
		t->stock = v;
	else if (strcmp(name, "reserved") == 0)
		t->reserved = v;
	else if (strcmp(name, "lots") == 0)
		t->lots = v;
}

struct both {
	struct inv_ctx *c;
	struct totals *t;
};

static int
both_fn(MDB_txn *txn, void *arg)
{
	struct both *b = arg;
	int rc = inventory_store_stats(txn, &b->c->inv->db, total_one, b->t);

	return rc ? rc : inv_fn(txn, b->c);
}

static void
on_invariants(struct evhttp_request *req, void *arg)
{
	struct inv_ctx c = {0};
	struct totals t = {0};
	struct both b = {&c, &t};
	json_t *j;
	int rc;

	if (!lz_http_only_get(req))
		return;
	c.inv = arg;
	c.violations = json_array();
	c.holders = json_array();
	if ((rc = lz_store_read(c.inv->store, both_fn, &b)) != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
		goto out;
	}
	if (t.stock != c.stock || t.reserved != c.reserved || t.lots != c.lots)
		violation(&c,
			  "totals out of step: stock %" PRId64 "/%" PRId64
			  " reserved %" PRId64 "/%" PRId64,
			  t.stock, c.stock, t.reserved, c.reserved);
	if (t.received != c.stock + t.picked + t.adjusted + t.expired)
		violation(&c,
			  "not conserved: received %" PRId64
			  " != stock %" PRId64 " + picked %" PRId64
			  " + adjusted %" PRId64 " + expired %" PRId64,
			  t.received, c.stock, t.picked, t.adjusted, t.expired);
	j = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:O,s:O}", "ok",
		      json_array_size(c.violations) == 0, "received",
		      (json_int_t)t.received, "inStock", (json_int_t)c.stock,
		      "picked", (json_int_t)t.picked, "adjusted",
		      (json_int_t)t.adjusted, "expired", (json_int_t)t.expired,
		      "reserved", (json_int_t)c.reserved, "lots",
		      (json_int_t)c.lots, "lotsAccounted",
		      (json_int_t)c.accounted, "reservations",
		      (json_int_t)c.reservations, "violations", c.violations,
		      "reservedOrders", c.holders);
	lz_http_reply_json(req, 200, j);
	json_decref(j);
out:
	json_decref(c.violations);
	json_decref(c.holders);
	free(c.held);
}

/* ---- metrics ---- */

int
inventory_sync_gauges(MDB_txn *txn, void *arg)
{
	struct zones_ctx c = {arg, NULL, NULL, 0};
	int rc = zones_fn(txn, &c);

	for (size_t i = 0; i < c.n && rc == 0; i++)
		lz_metric_set(lz_metrics_gauge(c.inv->metrics,
					       "lz_inventory_zone_fill_ratio",
					       "Fill of each zone (the fuller "
					       "of weight and volume)",
					       "zone",
					       c.fills[i]->zone->zone_id),
			      (double)c.fills[i]->fill_permille / 1000.0);
	lz_metric_set(lz_metrics_gauge(c.inv->metrics,
				       "lz_inventory_lots_expiring",
				       "Lots in stock dated within the horizon "
				       "at the last expiry pass",
				       NULL, NULL),
		      (double)c.inv->expiring);
	free_fills(&c);
	return rc;
}

void
inventory_http_routes(struct lz_http *h, struct inventory *inv)
{
	lz_http_route(h, "/v1/stock", on_stock, inv);
	lz_http_route(h, "/v1/lots/", on_lots, inv);
	lz_http_route(h, "/v1/zones", on_zones, inv);
	lz_http_route(h, "/v1/reservations/", on_reservation, inv);
	lz_http_route(h, "/v1/picking/", on_picking, inv);
	lz_http_route(h, "/v1/invariants", on_invariants, inv);
}
