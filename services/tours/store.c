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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 400

int
tours_store_open(struct lz_store *s, struct tours_db *db)
{
	int rc;

	if ((rc = lz_store_db(s, "vehicles", 0, &db->vehicles)) != 0 ||
	    (rc = lz_store_db(s, "sites", 0, &db->sites)) != 0 ||
	    (rc = lz_store_db(s, "orders", 0, &db->orders)) != 0 ||
	    (rc = lz_store_db(s, "tasks", 0, &db->tasks)) != 0 ||
	    (rc = lz_store_db(s, "by_date", 0, &db->by_date)) != 0 ||
	    (rc = lz_store_db(s, "tours", 0, &db->tours)) != 0 ||
	    (rc = lz_store_db(s, "picked", 0, &db->picked)) != 0 ||
	    (rc = lz_store_db(s, "meta", 0, &db->meta)) != 0 ||
	    (rc = lz_store_db(s, "drivers", 0, &db->drivers)) != 0)
		return rc;
	return 0;
}

int
tours_store_get_task(MDB_txn *txn, const struct tours_db *db, const char *id,
		     Task **out)
{
	return lz_store_get_msg(txn, db->tasks, id,
				&lz__tours__v1__task__descriptor,
				(ProtobufCMessage **)out);
}

int
tours_store_get_tour(MDB_txn *txn, const struct tours_db *db, const char *id,
		     Tour **out)
{
	return lz_store_get_msg(txn, db->tours, id,
				&lz__tours__v1__tour__descriptor,
				(ProtobufCMessage **)out);
}

int
tours_store_get_site(MDB_txn *txn, const struct tours_db *db, const char *id,
		     Site **out)
{
	return lz_store_get_msg(txn, db->sites, id,
				&lz__orders__v1__site__descriptor,
				(ProtobufCMessage **)out);
}

int
tours_store_get_order(MDB_txn *txn, const struct tours_db *db, const char *id,
		      Order **out)
{
	return lz_store_get_msg(txn, db->orders, id,
				&lz__orders__v1__order__descriptor,
				(ProtobufCMessage **)out);
}

int
tours_store_get_vehicle(MDB_txn *txn, const struct tours_db *db, const char *id,
			Vehicle **out)
{
	return lz_store_get_msg(txn, db->vehicles, id,
				&lz__tours__v1__vehicle__descriptor,
				(ProtobufCMessage **)out);
}

static size_t
date_key(char *buf, const char *date, const char *task_id)
{
	size_t dl = strlen(date), tl = strlen(task_id);

	if (dl > 10 || tl > KEY_MAX - 12)
		return 0;
	memcpy(buf, date, dl);
	buf[dl] = '\0';
	memcpy(buf + dl + 1, task_id, tl);
	return dl + 1 + tl;
}

int
tours_store_put_task(MDB_txn *txn, const struct tours_db *db, const Task *t,
		     const char *old_date)
{
	char buf[KEY_MAX + 16];
	MDB_val k, v = {0, ""};
	int rc;

	if ((rc = lz_store_put_msg(txn, db->tasks, t->task_id, &t->base)))
		return rc;
	if (old_date && old_date[0] && strcmp(old_date, t->date) != 0 &&
	    (k.mv_size = date_key(buf, old_date, t->task_id)) > 0) {
		k.mv_data = buf;
		rc = mdb_del(txn, db->by_date, &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return lz_store_rc(rc);
	}
	if (t->date == NULL || t->date[0] == '\0' ||
	    (k.mv_size = date_key(buf, t->date, t->task_id)) == 0)
		return 0;
	k.mv_data = buf;
	return lz_store_rc(mdb_put(txn, db->by_date, &k, &v, 0));
}

int
tours_store_tasks_of(MDB_txn *txn, const struct tours_db *db, const char *date,
		     tours_task_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	char prefix[16];
	size_t pl = strlen(date);
	int rc;

	if (pl > 10)
		return 0;
	memcpy(prefix, date, pl + 1);
	pl++; /* the NUL */
	if ((rc = mdb_cursor_open(txn, db->by_date, &c)) != 0)
		return lz_store_rc(rc);
	k.mv_size = pl;
	k.mv_data = prefix;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char id[KEY_MAX + 1];
		size_t il;
		Task *t;
		int r;

		if (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)
			break;
		il = k.mv_size - pl;
		if (il > KEY_MAX)
			continue;
		memcpy(id, (char *)k.mv_data + pl, il);
		id[il] = '\0';
		if ((r = lz_store_get_msg(txn, db->tasks, id,
					  &lz__tours__v1__task__descriptor,
					  (ProtobufCMessage **)&t)) != 0) {
			rc = r;
			break;
		}
		if (t == NULL)
			continue;
		r = fn(t, arg);
		if (r <= 0)
			lz__tours__v1__task__free_unpacked(t, NULL);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
tours_store_tours_of(MDB_txn *txn, const struct tours_db *db,
		     const char *prefix, tours_tour_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t pl = strlen(prefix);
	int rc;

	if ((rc = mdb_cursor_open(txn, db->tours, &c)) != 0)
		return lz_store_rc(rc);
	k.mv_size = pl;
	k.mv_data = (void *)prefix;
	for (rc = mdb_cursor_get(c, &k, &v, pl ? MDB_SET_RANGE : MDB_FIRST);
	     rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Tour *t;
		int r;

		if (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)
			break;
		t = lz__tours__v1__tour__unpack(NULL, v.mv_size, v.mv_data);
		if (t == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		r = fn(t, arg);
		if (r <= 0)
			lz__tours__v1__tour__free_unpacked(t, NULL);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
tours_store_vehicles(MDB_txn *txn, const struct tours_db *db,
		     tours_vehicle_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, db->vehicles, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Vehicle *vh = lz__tours__v1__vehicle__unpack(NULL, v.mv_size,
							     v.mv_data);
		int r;

		if (vh == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		r = fn(vh, arg);
		if (r <= 0)
			lz__tours__v1__vehicle__free_unpacked(vh, NULL);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
tours_store_picked(MDB_txn *txn, const struct tours_db *db,
		   const char *order_id, int *out)
{
	char v[16];
	int rc;

	*out = 0;
	if (!lz_store_key_usable(order_id))
		return 0;
	if ((rc = lz_store_get_str(txn, db->picked, order_id, v, sizeof(v))))
		return rc;
	*out = v[0] != '\0';
	return 0;
}

int
tours_store_set_picked(MDB_txn *txn, const struct tours_db *db,
		       const char *order_id, int is_short)
{
	return lz_store_put_str(txn, db->picked, order_id,
				is_short ? "short" : "picked");
}

/* The key of the binding of VEHICLE_ID on DATE into BUF; 0 when it cannot
 * be one. */
static size_t
driver_key(char *buf, size_t len, const char *date, const char *vehicle_id)
{
	int n;

	if (date == NULL || vehicle_id == NULL || !lz_date_valid(date) ||
	    !lz_valid_id(vehicle_id))
		return 0;
	n = snprintf(buf, len, "%s/%s", date, vehicle_id);
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

int
tours_store_get_driver(MDB_txn *txn, const struct tours_db *db,
		       const char *date, const char *vehicle_id, char *out,
		       size_t outlen)
{
	char key[16 + LZ_ID_MAX];

	out[0] = '\0';
	if (driver_key(key, sizeof(key), date, vehicle_id) == 0)
		return -EINVAL;
	return lz_store_get_str(txn, db->drivers, key, out, outlen);
}

int
tours_store_put_driver(MDB_txn *txn, const struct tours_db *db,
		       const char *date, const char *vehicle_id,
		       const char *driver_id)
{
	char key[16 + LZ_ID_MAX];
	MDB_val k;
	int rc;

	if ((k.mv_size = driver_key(key, sizeof(key), date, vehicle_id)) == 0)
		return -EINVAL;
	if (driver_id && driver_id[0])
		return lz_store_put_str(txn, db->drivers, key, driver_id);
	k.mv_data = key;
	rc = mdb_del(txn, db->drivers, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

int
tours_store_driver_of_tour(MDB_txn *txn, const struct tours_db *db,
			   const char *tour_id, char *out, size_t outlen)
{
	const char *vehicle = tour_id ? strrchr(tour_id, '/') : NULL;
	char date[11];

	out[0] = '\0';
	if (vehicle == NULL || strlen(tour_id) < 12 || tour_id[10] != '/')
		return 0;
	memcpy(date, tour_id, 10);
	date[10] = '\0';
	if (!lz_date_valid(date) || !lz_valid_id(vehicle + 1))
		return 0;
	return tours_store_get_driver(txn, db, date, vehicle + 1, out, outlen);
}

int
tours_store_meta_get(MDB_txn *txn, const struct tours_db *db, const char *name,
		     char *out, size_t outlen)
{
	return lz_store_get_str(txn, db->meta, name, out, outlen);
}

int
tours_store_meta_put(MDB_txn *txn, const struct tours_db *db, const char *name,
		     const char *value)
{
	return lz_store_put_str(txn, db->meta, name, value);
}

int
tours_store_stat_add(MDB_txn *txn, const struct tours_db *db, const char *name,
		     int64_t delta)
{
	char key[128];

	snprintf(key, sizeof(key), "stat/%s", name);
	return lz_store_counter_add(txn, db->meta, key, delta);
}

/* ---- metrics ---- */

const struct lz_stat_metric tours_stat_metrics[] = {
	{"created", "lz_tours_tasks_created_total", "Tasks created", NULL, 0,
	 0},
	{"planned", "lz_tours_tasks_planned_total", "Tasks planned by waves",
	 NULL, 0, 0},
	{"inserted", "lz_tours_tasks_inserted_total",
	 "Late tasks inserted into planned tours", NULL, 0, 0},
	{"waves", "lz_tours_waves_total", "Waves planned", NULL, 0, 0},
	{"tours", "lz_tours_tours_planned_total", "Tours planned", NULL, 0, 0},
	{"distance_m", "lz_tours_planned_meters_total",
	 "Metres of the tours planned", NULL, 0, 0},
	{"driven_m", "lz_tours_completed_meters_total",
	 "Planned metres of the tours completed", NULL, 0, 0},
	{"solve_us", "lz_tours_solve_seconds_total", "Time spent solving waves",
	 NULL, 1e-6, 0},
	{"stops_completed", "lz_tours_stops_completed_total", "Stops completed",
	 NULL, 0, 0},
	{"stops_failed", "lz_tours_stops_failed_total", "Stops failed", NULL, 0,
	 0},
	{"unplanned", "lz_tours_tasks_unplanned_total",
	 "Tasks a wave could not plan, by reason", "reason", 0, 0},
	{"orders_picked", "lz_tours_orders_picked_total",
	 "Hub-stock orders lz-inventory picked", NULL, 0, 0},
	{"short_picks", "lz_tours_short_picks_total",
	 "Orders lz-inventory picked short", NULL, 0, 0},
	{"starts_overridden", "lz_tours_starts_overridden_total",
	 "Tours started by an operator with orders not picked", NULL, 0, 0},
	{"drivers_assigned", "lz_tours_drivers_assigned_total",
	 "Drivers bound to (or unbound from) a vehicle's tours of a date", NULL,
	 0, 0},
	{"refused", "lz_tours_refused_total", "Commands refused, by reason",
	 "reason", 0, 0},
};
const size_t tours_n_stat_metrics = LZ_ARRAY_LEN(tours_stat_metrics);

int
tours_store_sync_gauges(MDB_txn *txn, const struct tours_db *db,
			struct lz_metrics *m)
{
	char s[32];
	int rc = tours_store_meta_get(txn, db, "last_solve_s", s, sizeof(s));

	if (rc == 0)
		lz_metric_set(lz_metrics_gauge(m, "lz_tours_last_solve_seconds",
					       "Solve time of the last wave",
					       NULL, NULL),
			      atof(s));
	return rc;
}
