/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.c -- see store.h.
 */
#include "store.h"

#include "lz_util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

int
returns_store_open(struct lz_store *s, struct returns_db *db)
{
	static const struct {
		const char *name;
		size_t off;
	} dbs[] = {
		{"types", offsetof(struct returns_db, types)},
		{"sites", offsetof(struct returns_db, sites)},
		{"members", offsetof(struct returns_db, members)},
		{"orders", offsetof(struct returns_db, orders)},
		{"outlets", offsetof(struct returns_db, outlets)},
		{"flows", offsetof(struct returns_db, flows)},
		{"points", offsetof(struct returns_db, points)},
		{"balances", offsetof(struct returns_db, balances)},
		{"usage", offsetof(struct returns_db, usage)},
		{"history", offsetof(struct returns_db, history)},
		{"totals", offsetof(struct returns_db, totals)},
		{"meta", offsetof(struct returns_db, meta)},
	};
	int rc;

	for (size_t i = 0; i < LZ_ARRAY_LEN(dbs); i++)
		if ((rc = lz_store_db(s, dbs[i].name, 0,
				      (MDB_dbi *)((char *)db + dbs[i].off))))
			return rc;
	return 0;
}

int
returns_store_meta_get(MDB_txn *txn, const struct returns_db *db,
		       const char *name, char *out, size_t outlen)
{
	return lz_store_get_str(txn, db->meta, name, out, outlen);
}

int
returns_store_meta_put(MDB_txn *txn, const struct returns_db *db,
		       const char *name, const char *value)
{
	return lz_store_put_str(txn, db->meta, name, value);
}

int
returns_store_meta_del(MDB_txn *txn, const struct returns_db *db,
		       const char *name)
{
	MDB_val k = {strlen(name), (void *)name};
	int rc = mdb_del(txn, db->meta, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
returns_store_meta_scan(MDB_txn *txn, const struct returns_db *db,
			const char *prefix, returns_meta_fn fn, void *arg)
{
	size_t plen = strlen(prefix);
	MDB_cursor *c;
	MDB_val k = {plen, (void *)prefix}, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, db->meta, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char name[LZ_STORE_KEY_MAX + 1], value[LZ_STORE_KEY_MAX + 1];

		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if (k.mv_size > LZ_STORE_KEY_MAX ||
		    v.mv_size > LZ_STORE_KEY_MAX)
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		memcpy(value, v.mv_data, v.mv_size);
		value[v.mv_size] = '\0';
		fn(name, value, arg);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
returns_store_next(MDB_txn *txn, const struct returns_db *db, const char *name,
		   uint64_t *out)
{
	char key[64];
	int64_t v;
	int rc;

	snprintf(key, sizeof(key), "seq/%s", name);
	if ((rc = lz_store_counter_add(txn, db->meta, key, 1)) != 0 ||
	    (rc = lz_store_counter_get(txn, db->meta, key, &v)) != 0)
		return rc;
	*out = (uint64_t)v;
	return 0;
}

int
returns_store_stat_add(MDB_txn *txn, const struct returns_db *db,
		       const char *name, int64_t delta)
{
	char key[160];

	snprintf(key, sizeof(key), "stat/%s", name);
	return lz_store_counter_add(txn, db->meta, key, delta);
}

/* "<account> NUL <member> NUL <type>"; 0 if it does not fit. */
static size_t
balance_key(char *buf, size_t len, const char *account, const char *member,
	    const char *type)
{
	size_t a = strlen(account), m = strlen(member), t = strlen(type);

	if (a + m + t + 2 > len || a + m + t + 2 > LZ_STORE_KEY_MAX)
		return 0;
	memcpy(buf, account, a);
	buf[a] = '\0';
	memcpy(buf + a + 1, member, m);
	buf[a + 1 + m] = '\0';
	memcpy(buf + a + m + 2, type, t);
	return a + m + t + 2;
}

int
returns_store_balance(MDB_txn *txn, const struct returns_db *db,
		      const char *account, const char *member, const char *type,
		      int64_t *out)
{
	char key[LZ_STORE_KEY_MAX + 1];
	size_t n = balance_key(key, sizeof(key), account, member, type);
	uint64_t v = 0;
	int rc;

	*out = 0;
	if (n == 0)
		return 0;
	rc = lz_store_get_u64(txn, db->balances, key, n, &v);
	*out = (int64_t)v;
	return rc;
}

int
returns_store_balance_add(MDB_txn *txn, const struct returns_db *db,
			  const char *account, const char *member,
			  const char *type, int64_t delta)
{
	char key[LZ_STORE_KEY_MAX + 1];
	size_t n = balance_key(key, sizeof(key), account, member, type);
	uint64_t v;
	int rc;

	if (n == 0)
		return -EINVAL;
	if ((rc = lz_store_get_u64(txn, db->balances, key, n, &v)) != 0)
		return rc;
	return lz_store_put_u64(txn, db->balances, key, n, v + (uint64_t)delta);
}

int
returns_store_balances(MDB_txn *txn, const struct returns_db *db,
		       const char *prefix, returns_balance_fn fn, void *arg)
{
	size_t plen = strlen(prefix);
	MDB_cursor *c;
	MDB_val k = {plen, (void *)prefix}, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, db->balances, &c)) != 0)
		return lz_store_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char key[LZ_STORE_KEY_MAX + 2];
		const char *member, *type;
		int64_t count;

		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if (v.mv_size != 8 || k.mv_size > LZ_STORE_KEY_MAX)
			continue;
		memcpy(key, k.mv_data, k.mv_size);
		key[k.mv_size] = '\0';
		member = memchr(key, '\0', k.mv_size);
		if (member == NULL || (size_t)(member - key) + 1 >= k.mv_size)
			continue;
		member++;
		type = member + strlen(member) + 1;
		if ((size_t)(type - key) > k.mv_size)
			continue;
		count = (int64_t)lz_be64_get(v.mv_data);
		if (count != 0)
			fn(key, member, type, count, arg);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
returns_store_scan(MDB_txn *txn, MDB_dbi dbi,
		   const ProtobufCMessageDescriptor *desc, returns_record_fn fn,
		   void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m = protobuf_c_message_unpack(
			desc, NULL, v.mv_size, v.mv_data);
		int r;

		if (m == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		r = fn(m, arg);
		if (r <= 0)
			protobuf_c_message_free_unpacked(m, NULL);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

const struct lz_stat_metric returns_stat_metrics[] = {
	{"flows_open", "lz_returns_flows_open",
	 "Flows opened and not yet closed", NULL, 0, 1},
	{"flows_opened", "lz_returns_flows_opened_total", "Flows opened", NULL,
	 0, 0},
	{"flows_closed", "lz_returns_flows_closed_total",
	 "Flows closed by the outlets' confirmations", NULL, 0, 0},
	{"diverted_g", "lz_returns_diverted_grams_total",
	 "Grams processed by outlets, by hierarchy level", "level", 0, 0},
	{"movements", "lz_returns_ledger_movements_total",
	 "Deposit ledger movements", NULL, 0, 0},
	{"discrepancies", "lz_returns_ledger_discrepancies_total",
	 "Ledger movements flagged as discrepancies", NULL, 0, 0},
	{"requests", "lz_returns_collections_requested_total",
	 "Collections requested, by collector", "collector", 0, 0},
	{"refused", "lz_returns_refused_total", "Commands refused, by reason",
	 "reason", 0, 0},
	{"unknown_type", "lz_returns_unknown_container_type_total",
	 "Containers of an unregistered type in orders or collections", NULL, 0,
	 0},
};
const size_t returns_n_stat_metrics = LZ_ARRAY_LEN(returns_stat_metrics);
