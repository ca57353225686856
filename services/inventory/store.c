/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.c -- see store.h.
 */
#include "store.h"

#include "alloc.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 512

int
inventory_store_open(struct lz_store *s, struct inventory_db *db)
{
	int rc;

	if ((rc = lz_store_db(s, "zones", 0, &db->zones)) != 0 ||
	    (rc = lz_store_db(s, "lots", 0, &db->lots)) != 0 ||
	    (rc = lz_store_db(s, "by_product", 0, &db->by_product)) != 0 ||
	    (rc = lz_store_db(s, "by_expiry", 0, &db->by_expiry)) != 0 ||
	    (rc = lz_store_db(s, "inv_orders", 0, &db->orders)) != 0 ||
	    (rc = lz_store_db(s, "sharing", 0, &db->sharing)) != 0 ||
	    (rc = lz_store_db(s, "picking", 0, &db->picking)) != 0 ||
	    (rc = lz_store_db(s, "inv_stats", 0, &db->stats)) != 0)
		return rc;
	return 0;
}

/* ---- records ---- */

int
inventory_store_get_zone(MDB_txn *txn, const struct inventory_db *db,
			 const char *id, Zone **out)
{
	return lz_store_get_msg(txn, db->zones, id,
				&lz__inventory__v1__zone__descriptor,
				(ProtobufCMessage **)out);
}

int
inventory_store_get_lot(MDB_txn *txn, const struct inventory_db *db,
			const char *id, Lot **out)
{
	return lz_store_get_msg(txn, db->lots, id,
				&lz__inventory__v1__lot__descriptor,
				(ProtobufCMessage **)out);
}

int
inventory_store_get_order(MDB_txn *txn, const struct inventory_db *db,
			  const char *id, OrderRecord **out)
{
	return lz_store_get_msg(txn, db->orders, id,
				&lz__inventory__v1__order_record__descriptor,
				(ProtobufCMessage **)out);
}

int
inventory_store_get_picking(MDB_txn *txn, const struct inventory_db *db,
			    const char *tour_id, PickingList **out)
{
	return lz_store_get_msg(txn, db->picking, tour_id,
				&lz__inventory__v1__picking_list__descriptor,
				(ProtobufCMessage **)out);
}

int
inventory_store_put_picking(MDB_txn *txn, const struct inventory_db *db,
			    const PickingList *l)
{
	return lz_store_put_msg(txn, db->picking, l->tour_id, &l->base);
}

int
inventory_store_put_zone(MDB_txn *txn, const struct inventory_db *db,
			 const Zone *z)
{
	return lz_store_put_msg(txn, db->zones, z->zone_id, &z->base);
}

int
inventory_store_put_order(MDB_txn *txn, const struct inventory_db *db,
			  const OrderRecord *o)
{
	return lz_store_put_msg(txn, db->orders, o->order_id, &o->base);
}

/* ---- lots and their indexes ---- */

struct key {
	unsigned char b[KEY_MAX];
	size_t n;
};

static void
key_add(struct key *k, const void *p, size_t n)
{
	if (k->n + n > sizeof(k->b))
		n = sizeof(k->b) - k->n; /* fields are validated */
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void
product_prefix(struct key *k, const char *product, int temp)
{
	unsigned char t = (unsigned char)temp;

	k->n = 0;
	key_add(k, product, strlen(product) + 1);
	key_add(k, &t, 1);
}

static int
in_stock(const Lot *l)
{
	return l->quantity > 0 && !l->expired;
}

static int
dated(const Lot *l)
{
	return (int)l->date_kind != INV_DATE_NONE && l->date > 0;
}

static void
expiry_key(struct key *k, const Lot *l)
{
	unsigned char d[8];

	k->n = 0;
	lz_be64_put(d, (uint64_t)l->date);
	key_add(k, d, 8);
	key_add(k, l->lot_id, strlen(l->lot_id));
}

static int
index_set(MDB_txn *txn, MDB_dbi dbi, const struct key *k, int present)
{
	MDB_val kv = {k->n, (void *)k->b}, v = {0, ""};
	int rc = present ? mdb_put(txn, dbi, &kv, &v, 0)
			 : mdb_del(txn, dbi, &kv, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static int
zone_add(MDB_txn *txn, const struct inventory_db *db, const Lot *l, int sign)
{
	char name[96];
	int rc;

	snprintf(name, sizeof(name), "g/%s", l->zone_id);
	if ((rc = inventory_store_stat_add(txn, db, name,
					   sign * l->quantity * l->unit_grams)))
		return rc;
	snprintf(name, sizeof(name), "ml/%s", l->zone_id);
	return inventory_store_stat_add(
		txn, db, name, sign * l->quantity * l->unit_millilitres);
}

int
inventory_store_put_lot(MDB_txn *txn, const struct inventory_db *db,
			const Lot *l, const Lot *old)
{
	struct key k;
	int rc;

	if (old) {
		product_prefix(&k, old->product, old->temperature_class);
		key_add(&k, old->lot_id, strlen(old->lot_id));
		if ((rc = index_set(txn, db->by_product, &k, 0)) != 0)
			return rc;
		if (dated(old)) {
			expiry_key(&k, old);
			if ((rc = index_set(txn, db->by_expiry, &k, 0)) != 0)
				return rc;
		}
		if ((rc = zone_add(txn, db, old, -1)) != 0 ||
		    (rc = inventory_store_stat_add(txn, db, "stock",
						   -old->quantity)) != 0 ||
		    (rc = inventory_store_stat_add(txn, db, "reserved",
						   -old->reserved)) != 0)
			return rc;
	} else if ((rc = inventory_store_stat_add(txn, db, "lots", 1)) != 0) {
		return rc;
	}
	if (in_stock(l)) {
		product_prefix(&k, l->product, l->temperature_class);
		key_add(&k, l->lot_id, strlen(l->lot_id));
		if ((rc = index_set(txn, db->by_product, &k, 1)) != 0)
			return rc;
		if (dated(l)) {
			expiry_key(&k, l);
			if ((rc = index_set(txn, db->by_expiry, &k, 1)) != 0)
				return rc;
		}
	}
	if ((rc = zone_add(txn, db, l, 1)) != 0 ||
	    (rc = inventory_store_stat_add(txn, db, "stock", l->quantity)) ||
	    (rc = inventory_store_stat_add(txn, db, "reserved", l->reserved)))
		return rc;
	return lz_store_put_msg(txn, db->lots, l->lot_id, &l->base);
}

static void
push_lot(Lot ***out, size_t *n, size_t *cap, Lot *l)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*out = xrealloc(*out, *cap * sizeof(**out));
	}
	(*out)[(*n)++] = l;
}

int
inventory_store_candidates(MDB_txn *txn, const struct inventory_db *db,
			   const char *product, int temp, Lot ***out, size_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct key prefix;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (product == NULL || strlen(product) > INV_TEXT_MAX)
		return 0;
	product_prefix(&prefix, product, temp);
	if ((rc = mdb_cursor_open(txn, db->by_product, &c)) != 0)
		return lz_store_rc(rc);
	k.mv_size = prefix.n;
	k.mv_data = prefix.b;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == 0 && k.mv_size > prefix.n &&
	     memcmp(k.mv_data, prefix.b, prefix.n) == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char id[INV_ID_MAX + 1];
		size_t len = k.mv_size - prefix.n;
		Lot *l;

		if (len > INV_ID_MAX) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(id, (const char *)k.mv_data + prefix.n, len);
		id[len] = '\0';
		if ((rc = inventory_store_get_lot(txn, db, id, &l)) != 0)
			break;
		if (l == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		push_lot(out, n, &cap, l);
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		inventory_store_free_lots(*out, *n);
		*out = NULL;
		*n = 0;
		return lz_store_rc(rc);
	}
	return 0;
}

void
inventory_store_free_lots(Lot **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lz__inventory__v1__lot__free_unpacked(l[i], NULL);
	free(l);
}

int
inventory_store_expiring(MDB_txn *txn, const struct inventory_db *db,
			 int64_t until, size_t max, inventory_lot_fn fn,
			 void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	char(*ids)[INV_ID_MAX + 1] = NULL;
	size_t n = 0, cap = 0;
	int rc;

	/* Collect first: FN may rewrite the lot and this very index. */
	if ((rc = mdb_cursor_open(txn, db->by_expiry, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && n < max;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		size_t len = k.mv_size - 8;

		if (k.mv_size <= 8 || len > INV_ID_MAX) {
			rc = MDB_CORRUPTED;
			break;
		}
		if ((int64_t)lz_be64_get(k.mv_data) > until)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof(*ids));
		}
		memcpy(ids[n], (const char *)k.mv_data + 8, len);
		ids[n++][len] = '\0';
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		free(ids);
		return lz_store_rc(rc);
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		Lot *l;

		if ((rc = inventory_store_get_lot(txn, db, ids[i], &l)) != 0)
			break;
		if (l == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		rc = fn(l, arg);
		lz__inventory__v1__lot__free_unpacked(l, NULL);
	}
	free(ids);
	return rc == 1 ? 0 : rc;
}

int
inventory_store_each_lot(MDB_txn *txn, const struct inventory_db *db,
			 inventory_lot_fn fn, void *arg)
{
	return lz_store_each_msg(txn, db->lots, "",
				 &lz__inventory__v1__lot__descriptor,
				 (int (*)(ProtobufCMessage *, void *))fn, arg);
}

int
inventory_store_each_order(MDB_txn *txn, const struct inventory_db *db,
			   inventory_order_fn fn, void *arg)
{
	return lz_store_each_msg(txn, db->orders, "",
				 &lz__inventory__v1__order_record__descriptor,
				 (int (*)(ProtobufCMessage *, void *))fn, arg);
}

int
inventory_store_each_zone(MDB_txn *txn, const struct inventory_db *db,
			  inventory_zone_fn fn, void *arg)
{
	return lz_store_each_msg(txn, db->zones, "",
				 &lz__inventory__v1__zone__descriptor,
				 (int (*)(ProtobufCMessage *, void *))fn, arg);
}

int
inventory_store_pickings(MDB_txn *txn, const struct inventory_db *db,
			 const char *prefix, inventory_picking_fn fn, void *arg)
{
	return lz_store_each_msg(txn, db->picking, prefix,
				 &lz__inventory__v1__picking_list__descriptor,
				 (int (*)(ProtobufCMessage *, void *))fn, arg);
}

/* ---- sharing ---- */

int
inventory_store_shared(MDB_txn *txn, const struct inventory_db *db,
		       const char *member, int *out)
{
	MDB_val k = {member ? strlen(member) : 0, (void *)member}, v;
	int rc;

	*out = 0;
	if (!lz_store_key_usable(member))
		return 0;
	rc = mdb_get(txn, db->sharing, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	*out = 1;
	return 0;
}

int
inventory_store_set_shared(MDB_txn *txn, const struct inventory_db *db,
			   const char *member, int shared)
{
	MDB_val k = {strlen(member), (void *)member}, v = {0, ""};
	int rc = shared ? mdb_put(txn, db->sharing, &k, &v, 0)
			: mdb_del(txn, db->sharing, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

/* ---- counters ---- */

int
inventory_store_stat_get(MDB_txn *txn, const struct inventory_db *db,
			 const char *name, int64_t *out)
{
	return lz_store_counter_get(txn, db->stats, name, out);
}

int
inventory_store_stat_add(MDB_txn *txn, const struct inventory_db *db,
			 const char *name, int64_t delta)
{
	return lz_store_counter_add(txn, db->stats, name, delta);
}

int
inventory_store_stats(MDB_txn *txn, const struct inventory_db *db,
		      inventory_stat_fn fn, void *arg)
{
	return lz_store_counters(txn, db->stats, "", fn, arg);
}

const struct lz_stat_metric inventory_stat_metrics[] = {
	{"received", "lz_inventory_received_units_total",
	 "Units received into stock", NULL, 0, 0},
	{"picked", "lz_inventory_picked_units_total", "Units picked for orders",
	 NULL, 0, 0},
	{"expired", "lz_inventory_expired_units_total",
	 "Units that expired in stock", NULL, 0, 0},
	{"expired_lots", "lz_inventory_expired_lots_total", "Lots that expired",
	 NULL, 0, 0},
	{"nearing", "lz_inventory_nearing_expiry_total",
	 "Lots announced as nearing expiry", NULL, 0, 0},
	{"reservations", "lz_inventory_reservations_total", "Reservations made",
	 NULL, 0, 0},
	{"shortages", "lz_inventory_shortages_total", "Shortages emitted", NULL,
	 0, 0},
	{"stock", "lz_inventory_stock_units", "Units in stock", NULL, 0, 1},
	{"reserved", "lz_inventory_reserved_units", "Units reserved", NULL, 0,
	 1},
	{"lots", "lz_inventory_lots", "Lots ever received", NULL, 0, 1},
	{"lists", "lz_inventory_picking_lists_total",
	 "Picking lists made (and made again)", NULL, 0, 0},
	{"tours_picked", "lz_inventory_tours_picked_total",
	 "Tours picked (PickTour or at the start)", NULL, 0, 0},
	{"short_picks", "lz_inventory_short_picks_total",
	 "Orders picked short of what was listed", NULL, 0, 0},
	{"refused", "lz_inventory_refused_total", "Commands refused, by reason",
	 "reason", 0, 0},
};
const size_t inventory_n_stat_metrics = LZ_ARRAY_LEN(inventory_stat_metrics);
