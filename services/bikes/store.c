/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store.c -- see store.h.
 */
#include "store.h"

#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

int
bikes_store_open(struct lz_store *s, struct bikes_db *db)
{
	static const struct {
		const char *name;
		size_t off;
	} dbs[] = {
		{"riders", offsetof(struct bikes_db, riders)},
		{"bikes", offsetof(struct bikes_db, bikes)},
		{"shifts", offsetof(struct bikes_db, shifts)},
		{"parcels", offsetof(struct bikes_db, parcels)},
		{"open_parcels", offsetof(struct bikes_db, open_parcels)},
		{"pickups", offsetof(struct bikes_db, pickups)},
		{"open_pickups", offsetof(struct bikes_db, open_pickups)},
		{"runs", offsetof(struct bikes_db, runs)},
		{"sites", offsetof(struct bikes_db, sites)},
		{"windows", offsetof(struct bikes_db, windows)},
		{"meta", offsetof(struct bikes_db, meta)},
	};
	int rc;

	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		if ((rc = lz_store_db(s, dbs[i].name, 0,
				      (MDB_dbi *)((char *)db + dbs[i].off))))
			return rc;
	return 0;
}

int
bikes_store_get(MDB_txn *txn, MDB_dbi dbi, const char *key,
		const ProtobufCMessageDescriptor *desc, void *out)
{
	return lz_store_get_msg(txn, dbi, key, desc, (ProtobufCMessage **)out);
}

void
bikes_store_drop(void *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

static int
put_indexed(MDB_txn *txn, MDB_dbi data, MDB_dbi index, const char *key,
	    const ProtobufCMessage *m, int open)
{
	MDB_val k = {strlen(key), (void *)key}, v = {0, ""};
	int rc;

	if ((rc = lz_store_put_msg(txn, data, key, m)) != 0)
		return rc;
	if (open)
		return lz_store_rc(mdb_put(txn, index, &k, &v, 0));
	rc = mdb_del(txn, index, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
bikes_store_put_parcel(MDB_txn *txn, const struct bikes_db *db, const Parcel *p,
		       int open)
{
	return put_indexed(txn, db->parcels, db->open_parcels, p->parcel_id,
			   &p->base, open);
}

int
bikes_store_put_pickup(MDB_txn *txn, const struct bikes_db *db, const Pickup *k,
		       int open)
{
	return put_indexed(txn, db->pickups, db->open_pickups, k->request_id,
			   &k->base, open);
}

/* Hands M to FN; frees it unless kept.  Returns FN's error or 0. */
static int
give(ProtobufCMessage *m, bikes_each_fn fn, void *arg)
{
	int r = fn(m, arg);

	if (r <= 0)
		protobuf_c_message_free_unpacked(m, NULL);
	return r < 0 ? r : 0;
}

int
bikes_store_each(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		 const ProtobufCMessageDescriptor *desc, bikes_each_fn fn,
		 void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t pl = strlen(prefix);
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return lz_store_rc(rc);
	k.mv_size = pl;
	k.mv_data = (void *)prefix;
	for (rc = mdb_cursor_get(c, &k, &v, pl ? MDB_SET_RANGE : MDB_FIRST);
	     rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m;

		if (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)
			break;
		m = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
		if (m == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		if ((rc = give(m, fn, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
bikes_store_each_indexed(MDB_txn *txn, MDB_dbi index, MDB_dbi data,
			 const ProtobufCMessageDescriptor *desc,
			 bikes_each_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, index, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char key[LZ_STORE_KEY_MAX + 1];
		ProtobufCMessage *m = NULL;

		if (k.mv_size > LZ_STORE_KEY_MAX)
			continue;
		memcpy(key, k.mv_data, k.mv_size);
		key[k.mv_size] = '\0';
		if ((rc = lz_store_get_msg(txn, data, key, desc, &m)) != 0)
			break;
		if (m != NULL && (rc = give(m, fn, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
bikes_store_stat_add(MDB_txn *txn, const struct bikes_db *db, const char *name,
		     int64_t delta)
{
	char key[128];

	snprintf(key, sizeof(key), "stat/%s", name);
	return lz_store_counter_add(txn, db->meta, key, delta);
}

int
bikes_store_ask_replan(MDB_txn *txn, const struct bikes_db *db,
		       const char *cause)
{
	return lz_store_put_str(txn, db->meta, "replan", cause);
}

int
bikes_store_replan_cause(MDB_txn *txn, const struct bikes_db *db, char *cause,
			 size_t len)
{
	return lz_store_get_str(txn, db->meta, "replan", cause, len);
}

int
bikes_store_clear_replan(MDB_txn *txn, const struct bikes_db *db)
{
	MDB_val k = {6, "replan"};
	int rc = mdb_del(txn, db->meta, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

const struct lz_stat_metric bikes_stat_metrics[] = {
	{"waiting", "lz_bikes_parcels_waiting",
	 "Parcels at the bike relay, not on a bike yet", NULL, 1, 1},
	{"delivered", "lz_bikes_parcels_delivered_total", "Parcels delivered",
	 NULL, 1, 0},
	{"failed", "lz_bikes_parcels_failed_total", "Failed delivery attempts",
	 NULL, 1, 0},
	{"at_relay_point", "lz_bikes_parcels_at_relay_point_total",
	 "Parcels left at a neighbourhood relay point", NULL, 1, 0},
	{"cancelled", "lz_bikes_parcels_cancelled_total", "Parcels cancelled",
	 NULL, 1, 0},
	{"received_at_relay_point",
	 "lz_bikes_parcels_received_at_relay_point_total",
	 "Parcels a relay point confirmed it has", NULL, 1, 0},
	{"handed_over", "lz_bikes_parcels_handed_over_total",
	 "Parcels a relay point handed over to their customer", NULL, 1, 0},
	{"collected", "lz_bikes_pickups_collected_total", "Pickups collected",
	 NULL, 1, 0},
	{"runs", "lz_bikes_runs_planned_total",
	 "Runs planned (a re-planned run counts again)", NULL, 1, 0},
	{"ridden_m", "lz_bikes_ridden_meters_total",
	 "Metres of the runs completed (measured, else planned)", NULL, 1, 0},
	{"refused", "lz_bikes_refused_total", "Commands refused, by reason",
	 "reason", 1, 0},
};
const size_t bikes_n_stat_metrics = LZ_ARRAY_LEN(bikes_stat_metrics);
