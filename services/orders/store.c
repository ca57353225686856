/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.c -- see store.h.
 */
#include "store.h"

#include "lz_metrics.h"
#include "lz_registry.h"
#include "lz_store.h"
#include "lz_util.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest key we build: member + NUL + status + date + time + order id. */
#define KEY_MAX (ORDERS_ID_MAX + 2 + 8 + 8 + 2 * ORDERS_ID_MAX + 2)

int
orders_store_open(struct lz_store *s, struct orders_db *db)
{
	int rc;

	if ((rc = lz_store_db(s, "members", 0, &db->members)) != 0 ||
	    (rc = lz_store_db(s, "sites", 0, &db->sites)) != 0 ||
	    (rc = lz_store_db(s, "orders", 0, &db->orders)) != 0 ||
	    (rc = lz_store_db(s, "history", 0, &db->history)) != 0 ||
	    (rc = lz_store_db(s, "by_date", 0, &db->by_date)) != 0 ||
	    (rc = lz_store_db(s, "by_status", 0, &db->by_status)) != 0 ||
	    (rc = lz_store_db(s, "stats", 0, &db->stats)) != 0)
		return rc;
	return 0;
}

/* ---- records ---- */

int
orders_store_get_member(MDB_txn *txn, const struct orders_db *db,
			const char *id, Member **out)
{
	return lz_store_get_msg(txn, db->members, id,
				&lz__orders__v1__member__descriptor,
				(ProtobufCMessage **)out);
}

int
orders_store_get_site(MDB_txn *txn, const struct orders_db *db, const char *id,
		      Site **out)
{
	return lz_store_get_msg(txn, db->sites, id,
				&lz__orders__v1__site__descriptor,
				(ProtobufCMessage **)out);
}

int
orders_store_get_order(MDB_txn *txn, const struct orders_db *db, const char *id,
		       Order **out)
{
	return lz_store_get_msg(txn, db->orders, id,
				&lz__orders__v1__order__descriptor,
				(ProtobufCMessage **)out);
}

int
orders_store_put_member(MDB_txn *txn, const struct orders_db *db,
			const Member *m)
{
	return lz_store_put_msg(txn, db->members, m->member_id, &m->base);
}

int
orders_store_put_site(MDB_txn *txn, const struct orders_db *db, const Site *s)
{
	return lz_store_put_msg(txn, db->sites, s->site_id, &s->base);
}

/* ---- indexes ---- */

struct key {
	unsigned char b[KEY_MAX];
	size_t n;
};

static void
key_add(struct key *k, const void *p, size_t n)
{
	if (k->n + n > sizeof(k->b))
		n = sizeof(k->b) - k->n; /* ids are validated: not reached */
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

/* member NUL [status] date: the prefix of a listing. */
static void
key_prefix(struct key *k, const char *member, int status, const char *date)
{
	unsigned char st = (unsigned char)status;

	k->n = 0;
	key_add(k, member, strlen(member) + 1);
	if (status)
		key_add(k, &st, 1);
	if (date)
		key_add(k, date, 8);
}

static void
index_key(struct key *k, const Order *o, int by_status)
{
	int64_t start = o->delivery_window ? o->delivery_window->start : 0;
	char date[9];
	unsigned char t[8];

	if (orders_rules_local_date(start, date) != 0)
		memcpy(date, "00000000", 9);
	key_prefix(k, o->member_id, by_status ? (int)o->status : 0, date);
	lz_be64_put(t, (uint64_t)start ^ (UINT64_C(1) << 63));
	key_add(k, t, sizeof(t));
	key_add(k, o->order_id, strlen(o->order_id));
}

static int
index_put(MDB_txn *txn, MDB_dbi dbi, const struct key *k)
{
	MDB_val kv = {k->n, (void *)k->b}, v = {0, ""};

	return lz_store_rc(mdb_put(txn, dbi, &kv, &v, 0));
}

static int
index_del(MDB_txn *txn, MDB_dbi dbi, const struct key *k)
{
	MDB_val kv = {k->n, (void *)k->b};
	int rc = mdb_del(txn, dbi, &kv, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static int
status_count(MDB_txn *txn, const struct orders_db *db, int st, int64_t delta)
{
	char name[64];

	snprintf(name, sizeof(name), "status/%s", orders_status_name(st));
	return orders_store_stat_add(txn, db, name, delta);
}

int
orders_store_put_order(MDB_txn *txn, const struct orders_db *db, const Order *o,
		       const Order *old)
{
	struct key k;
	int rc;

	if (old) {
		index_key(&k, old, 0);
		if ((rc = index_del(txn, db->by_date, &k)) != 0)
			return rc;
		index_key(&k, old, 1);
		if ((rc = index_del(txn, db->by_status, &k)) != 0)
			return rc;
	}
	index_key(&k, o, 0);
	if ((rc = index_put(txn, db->by_date, &k)) != 0)
		return rc;
	index_key(&k, o, 1);
	if ((rc = index_put(txn, db->by_status, &k)) != 0)
		return rc;
	if (old == NULL || old->status != o->status) {
		if (old && (rc = status_count(txn, db, old->status, -1)) != 0)
			return rc;
		if ((rc = status_count(txn, db, o->status, 1)) != 0)
			return rc;
	}
	return lz_store_put_msg(txn, db->orders, o->order_id, &o->base);
}

/* ---- history ---- */

/* Positions C at the first entry of ORDER_ID's history (or past it);
 * PREFIX receives "order_id NUL". */
static int
history_first(MDB_cursor *c, const char *order_id, struct key *prefix,
	      MDB_val *k, MDB_val *v)
{
	prefix->n = 0;
	key_add(prefix, order_id, strlen(order_id) + 1);
	k->mv_size = prefix->n;
	k->mv_data = prefix->b;
	return mdb_cursor_get(c, k, v, MDB_SET_RANGE);
}

static int
has_prefix(const MDB_val *k, const struct key *prefix)
{
	return k->mv_size >= prefix->n &&
	       memcmp(k->mv_data, prefix->b, prefix->n) == 0;
}

int
orders_store_add_history(MDB_txn *txn, const struct orders_db *db,
			 const char *order_id, const HistoryEntry *e)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct key prefix, key;
	uint32_t n = 0;
	unsigned char be[4];
	int rc;

	if ((rc = mdb_cursor_open(txn, db->history, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = history_first(c, order_id, &prefix, &k, &v);
	     rc == 0 && has_prefix(&k, &prefix);
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		n++;
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return lz_store_rc(rc);
	be[0] = (unsigned char)(n >> 24);
	be[1] = (unsigned char)(n >> 16);
	be[2] = (unsigned char)(n >> 8);
	be[3] = (unsigned char)n;
	key = prefix;
	key_add(&key, be, sizeof(be));
	{
		size_t len;
		uint8_t *buf = lz_registry_pack(&e->base, &len);
		MDB_val kv = {key.n, key.b}, vv = {len, buf};
		rc = mdb_put(txn, db->history, &kv, &vv, 0);
		free(buf);
	}
	return lz_store_rc(rc);
}

int
orders_store_history(MDB_txn *txn, const struct orders_db *db,
		     const char *order_id, HistoryEntry ***out, size_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct key prefix;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!lz_store_key_usable(order_id))
		return 0;
	if ((rc = mdb_cursor_open(txn, db->history, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = history_first(c, order_id, &prefix, &k, &v);
	     rc == 0 && has_prefix(&k, &prefix);
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		HistoryEntry *e = lz__orders__v1__order_history_entry__unpack(
			NULL, v.mv_size, v.mv_data);
		if (e == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = e;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		orders_store_free_history(*out, *n);
		*out = NULL;
		*n = 0;
		return lz_store_rc(rc);
	}
	return 0;
}

void
orders_store_free_history(HistoryEntry **h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lz__orders__v1__order_history_entry__free_unpacked(h[i], NULL);
	free(h);
}

/* ---- listing ---- */

int
orders_store_list(MDB_txn *txn, const struct orders_db *db, const char *member,
		  int status, const char *date, size_t limit, Order ***out,
		  size_t *n)
{
	MDB_dbi dbi = status ? db->by_status : db->by_date;
	/* member NUL [status] date time: then the order id. */
	size_t id_at = strlen(member) + 1 + (status ? 1 : 0) + 8 + 8;
	MDB_cursor *c;
	MDB_val k, v;
	struct key prefix;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!lz_store_key_usable(member) || limit == 0)
		return 0;
	key_prefix(&prefix, member, status, date);
	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return lz_store_rc(rc);
	k.mv_size = prefix.n;
	k.mv_data = prefix.b;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == 0 && has_prefix(&k, &prefix) && *n < limit;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char id[2 * ORDERS_ID_MAX + 2];
		size_t len = k.mv_size - id_at;
		Order *o;

		if (k.mv_size <= id_at || len >= sizeof(id)) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(id, (const char *)k.mv_data + id_at, len);
		id[len] = '\0';
		if ((rc = orders_store_get_order(txn, db, id, &o)) != 0)
			break;
		if (o == NULL) {
			rc = MDB_CORRUPTED; /* an index entry without order */
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = o;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		orders_store_free_orders(*out, *n);
		*out = NULL;
		*n = 0;
		return lz_store_rc(rc);
	}
	return 0;
}

void
orders_store_free_orders(Order **o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lz__orders__v1__order__free_unpacked(o[i], NULL);
	free(o);
}

/* ---- counters ---- */

int
orders_store_stat_add(MDB_txn *txn, const struct orders_db *db,
		      const char *name, int64_t delta)
{
	return lz_store_counter_add(txn, db->stats, name, delta);
}

int
orders_store_stats(MDB_txn *txn, const struct orders_db *db, orders_stat_fn fn,
		   void *arg)
{
	return lz_store_counters(txn, db->stats, "", fn, arg);
}

const struct lz_stat_metric orders_stat_metrics[] = {
	{"placed", "lz_orders_placed_total", "Orders placed", NULL, 0, 0},
	{"illegal_transition", "lz_orders_illegal_transitions_total",
	 "Status changes refused by the state machine", NULL, 0, 0},
	{"refused", "lz_orders_rejected_total", "Commands refused, by reason",
	 "reason", 0, 0},
	{"status", "lz_orders", "Orders by status", "status", 0, 1},
};
const size_t orders_n_stat_metrics = LZ_ARRAY_LEN(orders_stat_metrics);
