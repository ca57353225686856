/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.c -- see store.h.
 */
#include "store.h"

#include "lz_date.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

int
impact_store_open(struct lz_store *s, struct impact_db *db)
{
	static const struct {
		const char *name;
		size_t off;
	} dbs[] = {
		{"vehicles", offsetof(struct impact_db, vehicles)},
		{"sites", offsetof(struct impact_db, sites)},
		{"members", offsetof(struct impact_db, members)},
		{"orders", offsetof(struct impact_db, orders)},
		{"tasks", offsetof(struct impact_db, tasks)},
		{"tours", offsetof(struct impact_db, tours)},
		{"runs", offsetof(struct impact_db, runs)},
		{"parcels", offsetof(struct impact_db, parcels)},
		{"deliveries", offsetof(struct impact_db, deliveries)},
		{"shifts", offsetof(struct impact_db, shifts)},
		{"flows", offsetof(struct impact_db, flows)},
		{"ledger", offsetof(struct impact_db, ledger)},
		{"cf", offsetof(struct impact_db, cf)},
		{"meta", offsetof(struct impact_db, meta)},
	};
	int rc;

	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		if ((rc = lz_store_db(s, dbs[i].name, 0,
				      (MDB_dbi *)((char *)db + dbs[i].off))) !=
		    0)
			return rc;
	return 0;
}

int
impact_store_put_dated(MDB_txn *txn, MDB_dbi dbi, const char *date,
		       const char *id, const ProtobufCMessage *msg)
{
	char key[LZ_STORE_KEY_MAX + 1];
	int n;

	if (!lz_date_valid(date) || id == NULL || id[0] == '\0')
		return -EINVAL;
	n = snprintf(key, sizeof(key), "%s/%s", date, id);
	if (n < 0 || (size_t)n >= sizeof(key))
		return -EINVAL;
	return lz_store_put_msg(txn, dbi, key, msg);
}

/* Scans DBI from key FROM (NULL: the first) while the key, cut to TOLEN
 * bytes, is at most TO (NULL: to the end). */
static int
scan(MDB_txn *txn, MDB_dbi dbi, const char *from, const char *to, size_t tolen,
     const ProtobufCMessageDescriptor *desc, impact_record_fn fn, void *arg)
{
	MDB_cursor *cur;
	MDB_val k = {from ? strlen(from) : 0, (void *)from}, v;
	int rc, op = from ? MDB_SET_RANGE : MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return lz_store_rc(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op)) == 0) {
		ProtobufCMessage *m;
		size_t cmp = k.mv_size < tolen ? k.mv_size : tolen;

		op = MDB_NEXT;
		if (to && (memcmp(k.mv_data, to, cmp) > 0 ||
			   (memcmp(k.mv_data, to, cmp) == 0 && cmp < tolen)))
			break;
		m = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
		if (m == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		rc = fn(m, arg);
		if (rc != 1)
			protobuf_c_message_free_unpacked(m, NULL);
		if (rc < 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND || rc >= 0 ? 0 : lz_store_rc(rc);
}

int
impact_store_scan(MDB_txn *txn, MDB_dbi dbi, const char *from, const char *to,
		  const ProtobufCMessageDescriptor *desc, impact_record_fn fn,
		  void *arg)
{
	return scan(txn, dbi, from, to, strlen(to), desc, fn, arg);
}

int
impact_store_all(MDB_txn *txn, MDB_dbi dbi,
		 const ProtobufCMessageDescriptor *desc, impact_record_fn fn,
		 void *arg)
{
	return scan(txn, dbi, NULL, NULL, 0, desc, fn, arg);
}

int
impact_store_flag_set(MDB_txn *txn, const struct impact_db *db,
		      const char *name)
{
	MDB_val k = {strlen(name), (void *)name}, v = {1, "1"};

	if (k.mv_size == 0 || k.mv_size > LZ_STORE_KEY_MAX)
		return -EINVAL;
	return lz_store_rc(mdb_put(txn, db->meta, &k, &v, 0));
}

int
impact_store_flag_get(MDB_txn *txn, const struct impact_db *db,
		      const char *name, int *out)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	int rc;

	*out = 0;
	if (k.mv_size == 0 || k.mv_size > LZ_STORE_KEY_MAX)
		return 0;
	rc = mdb_get(txn, db->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	*out = 1;
	return 0;
}

int
impact_store_stat_add(MDB_txn *txn, const struct impact_db *db,
		      const char *name, int64_t delta)
{
	char key[160];

	snprintf(key, sizeof(key), "stat/%s", name);
	return lz_store_counter_add(txn, db->meta, key, delta);
}

const struct lz_stat_metric impact_stat_metrics[] = {
	{"deliveries", "lz_impact_deliveries_total",
	 "Orders delivered recorded", NULL, 0, 0},
	{"tours_completed", "lz_impact_tours_completed_total",
	 "Van tours completed recorded", NULL, 0, 0},
	{"ignored", "lz_impact_ignored_total", "Events not kept, by reason",
	 "reason", 0, 0},
};
const size_t impact_n_stat_metrics = LZ_ARRAY_LEN(impact_stat_metrics);
