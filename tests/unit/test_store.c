/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_store.c -- lz_store (named databases, write/abort, map growth, the
 * map limit, reopening) and the producer side of lz_bus without sockets
 * (outbox sequences across map growth, rejected and failed writes,
 * reopening).  Every store lives in a temporary directory under /tmp,
 * removed at the end.
 */
#include "lz_bus.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_test.h"
#include "lz_util.h"

#include "lz/bus/v1/bus.pb-c.h"

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIB ((size_t)1024)

static char tmp_root[] = "/tmp/lz-test-store-XXXXXX";

/* Writes the path of subdirectory NAME of the temporary root into OUT. */
static const char *
tmp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmp_root, name);
	return out;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct lz_store *
open_store(const char *name, size_t map_size, size_t max_map_size)
{
	struct lz_store_options o = {map_size, max_map_size, 0, 1};
	struct lz_store *s = NULL;
	char dir[256];
	int rc = lz_store_open(&s, tmp_path(dir, sizeof(dir), name), &o);

	CHECK_EQ_INT(rc, 0);
	CHECK(s != NULL);
	return s;
}

/* Number of entries in database DBI. */
struct stat_ctx {
	MDB_dbi dbi;
	size_t entries;
};

static int
stat_fn(MDB_txn *txn, void *arg)
{
	struct stat_ctx *c = arg;
	MDB_stat st;
	int rc = mdb_stat(txn, c->dbi, &st);

	c->entries = rc == 0 ? st.ms_entries : 0;
	return lz_store_rc(rc);
}

static size_t
entries(struct lz_store *s, MDB_dbi dbi)
{
	struct stat_ctx c = {dbi, 0};

	CHECK_EQ_INT(lz_store_read(s, stat_fn, &c), 0);
	return c.entries;
}

/* ---- lz_store: basics ---- */

static void
test_open(void)
{
	struct lz_store_options o = {0, 0, 0, 1};
	struct lz_store *s = (struct lz_store *)&o; /* must be overwritten */
	char dir[256], file[300], sub[320];
	struct stat st;
	FILE *f;

	tmp_path(dir, sizeof(dir), "open/nested/deeper");
	CHECK_EQ_INT(lz_store_open(&s, dir, &o), 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	snprintf(file, sizeof(file), "%s/data.mdb", dir);
	CHECK_EQ_INT(stat(file, &st), 0);
	CHECK(lz_store_env(s) != NULL);
	CHECK_EQ_INT(lz_store_map_size(s), (size_t)64 << 20);
	CHECK_EQ_INT(lz_store_growths(s), 0);
	lz_store_destroy(&s);
	CHECK(s == NULL);
	lz_store_destroy(&s); /* NULL is fine */

	/* NULL options: the defaults. */
	CHECK_EQ_INT(
		lz_store_open(&s, tmp_path(dir, sizeof(dir), "defaults"), NULL),
		0);
	if (s)
		CHECK_EQ_INT(lz_store_map_size(s), (size_t)64 << 20);
	lz_store_destroy(&s);

	/* A directory that cannot be created. */
	snprintf(file, sizeof(file), "%s/a-file", tmp_root);
	f = fopen(file, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	s = (struct lz_store *)&o;
	snprintf(sub, sizeof(sub), "%s/sub", file);
	CHECK_EQ_INT(lz_store_open(&s, sub, &o), -ENOTDIR);
	CHECK(s == NULL);
	s = (struct lz_store *)&o;
	CHECK(lz_store_open(&s, file, &o) < 0); /* a file, not a directory */
	CHECK(s == NULL);
}

static void
test_strerror(void)
{
	char expect[256];

	CHECK_EQ_INT(lz_store_rc(0), 0);
	CHECK_EQ_INT(lz_store_rc(ENOSPC), -ENOSPC);
	CHECK_EQ_INT(lz_store_rc(-ENOSPC), -ENOSPC);
	CHECK_EQ_INT(lz_store_rc(MDB_MAP_FULL), MDB_MAP_FULL);
	CHECK(MDB_MAP_FULL < 0);

	snprintf(expect, sizeof(expect), "%s", strerror(ENOENT));
	CHECK_EQ_STR(lz_store_strerror(-ENOENT), expect);
	CHECK_EQ_STR(lz_store_strerror(ENOENT), expect);
	snprintf(expect, sizeof(expect), "%s", strerror(ENOSPC));
	CHECK_EQ_STR(lz_store_strerror(-ENOSPC), expect);
	CHECK_EQ_STR(lz_store_strerror(MDB_MAP_FULL),
		     mdb_strerror(MDB_MAP_FULL));
	CHECK(strstr(lz_store_strerror(MDB_MAP_FULL), "MDB_MAP_FULL") != NULL);
	CHECK(strstr(lz_store_strerror(MDB_NOTFOUND), "MDB_NOTFOUND") != NULL);
	CHECK(strstr(lz_store_strerror(MDB_KEYEXIST), "MDB_KEYEXIST") != NULL);
	CHECK(strstr(lz_store_strerror(MDB_BAD_DBI), "MDB_BAD_DBI") != NULL);
	CHECK(strstr(lz_store_strerror(MDB_CORRUPTED), "MDB_CORRUPTED") !=
	      NULL);
}

struct u64_ctx {
	MDB_dbi a, b;
	uint64_t got[6];
	int rcs[6];
	unsigned char raw[8];
	size_t raw_len;
};

static int
u64_put_fn(MDB_txn *txn, void *arg)
{
	struct u64_ctx *c = arg;
	MDB_val k = {3, "bad"}, v = {3, "xyz"};
	int rc;

	if ((rc = lz_store_put_u64(txn, c->a, "one", 3, 1)) != 0 ||
	    (rc = lz_store_put_u64(txn, c->a, "max", 3, UINT64_MAX)) != 0 ||
	    (rc = lz_store_put_u64(txn, c->b, "one", 3, 0x0102030405060708ULL)))
		return rc;
	return lz_store_rc(mdb_put(txn, c->a, &k, &v, 0));
}

static int
u64_get_fn(MDB_txn *txn, void *arg)
{
	struct u64_ctx *c = arg;
	MDB_val k = {3, "one"}, v;

	for (int i = 0; i < 6; i++)
		c->got[i] = 99;
	c->rcs[0] = lz_store_get_u64(txn, c->a, "one", 3, &c->got[0]);
	c->rcs[1] = lz_store_get_u64(txn, c->a, "max", 3, &c->got[1]);
	c->rcs[2] = lz_store_get_u64(txn, c->b, "one", 3, &c->got[2]);
	c->rcs[3] = lz_store_get_u64(txn, c->b, "max", 3, &c->got[3]);
	c->rcs[4] = lz_store_get_u64(txn, c->a, "missing", 7, &c->got[4]);
	c->rcs[5] = lz_store_get_u64(txn, c->a, "bad", 3, &c->got[5]);
	c->raw_len = 0;
	if (mdb_get(txn, c->b, &k, &v) == 0 && v.mv_size <= sizeof(c->raw)) {
		memcpy(c->raw, v.mv_data, v.mv_size);
		c->raw_len = v.mv_size;
	}
	return 0;
}

static void
test_dbs_and_u64(void)
{
	struct lz_store *s = open_store("dbs", 0, 0);
	struct u64_ctx c;
	MDB_dbi third, again;

	if (s == NULL)
		return;
	memset(&c, 0, sizeof(c));
	CHECK_EQ_INT(lz_store_db(s, "alpha", 0, &c.a), 0);
	CHECK_EQ_INT(lz_store_db(s, "beta", 0, &c.b), 0);
	CHECK(c.a != c.b);
	CHECK_EQ_INT(lz_store_db(s, "alpha", 0, &again), 0);
	CHECK_EQ_INT(again, c.a);
	CHECK_EQ_INT(lz_store_write(s, u64_put_fn, NULL, &c), 0);
	CHECK_EQ_INT(lz_store_read(s, u64_get_fn, &c), 0);
	CHECK_EQ_INT(c.rcs[0], 0);
	CHECK(c.got[0] == 1);
	CHECK_EQ_INT(c.rcs[1], 0);
	CHECK(c.got[1] == UINT64_MAX);
	CHECK_EQ_INT(c.rcs[2], 0);
	CHECK(c.got[2] == 0x0102030405060708ULL);
	CHECK_EQ_INT(c.rcs[3], 0); /* "max" exists only in alpha */
	CHECK(c.got[3] == 0);
	CHECK_EQ_INT(c.rcs[4], 0);
	CHECK(c.got[4] == 0);
	CHECK_EQ_INT(c.rcs[5], MDB_CORRUPTED); /* not 8 bytes */
	CHECK_EQ_INT(c.raw_len, 8);
	CHECK(memcmp(c.raw, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
	CHECK_EQ_INT(entries(s, c.a), 3);
	CHECK_EQ_INT(entries(s, c.b), 1);
	lz_store_destroy(&s);

	/* More named databases than max_dbs. */
	{
		struct lz_store_options o = {0, 0, 2, 1};
		char dir[256];

		CHECK_EQ_INT(lz_store_open(&s,
					   tmp_path(dir, sizeof(dir), "maxdbs"),
					   &o),
			     0);
		if (s == NULL)
			return;
		CHECK_EQ_INT(lz_store_db(s, "one", 0, &third), 0);
		CHECK_EQ_INT(lz_store_db(s, "two", 0, &third), 0);
		CHECK_EQ_INT(lz_store_db(s, "three", 0, &third), MDB_DBS_FULL);
		lz_store_destroy(&s);
	}
}

/* ---- lz_store_write: commit, abort, growth ---- */

struct fill {
	MDB_dbi dbi;
	unsigned first, count; /* keys first .. first+count-1 */
	size_t value_len;
	int fail_with; /* returned after the puts */
	int calls, resets;
};

static void
fill_value(unsigned char *v, size_t len, unsigned key)
{
	for (size_t i = 0; i < len; i++)
		v[i] = (unsigned char)(key * 31 + i);
}

static int
fill_fn(MDB_txn *txn, void *arg)
{
	struct fill *f = arg;
	unsigned char *buf = xmalloc(f->value_len);
	unsigned char key[8];
	int rc = 0;

	f->calls++;
	for (unsigned i = f->first; rc == 0 && i < f->first + f->count; i++) {
		MDB_val k = {sizeof(key), key}, v = {f->value_len, buf};

		lz_be64_put(key, i);
		fill_value(buf, f->value_len, i);
		rc = lz_store_rc(mdb_put(txn, f->dbi, &k, &v, 0));
	}
	free(buf);
	return rc ? rc : f->fail_with;
}

static void
fill_reset(void *arg)
{
	((struct fill *)arg)->resets++;
}

struct verify {
	MDB_dbi dbi;
	unsigned first, count;
	size_t value_len;
	unsigned found, bad;
};

static int
verify_fn(MDB_txn *txn, void *arg)
{
	struct verify *c = arg;
	unsigned char *want = xmalloc(c->value_len);
	unsigned char key[8];

	c->found = c->bad = 0;
	for (unsigned i = c->first; i < c->first + c->count; i++) {
		MDB_val k = {sizeof(key), key}, v;

		lz_be64_put(key, i);
		if (mdb_get(txn, c->dbi, &k, &v) != 0)
			continue;
		c->found++;
		fill_value(want, c->value_len, i);
		if (v.mv_size != c->value_len ||
		    memcmp(v.mv_data, want, c->value_len) != 0)
			c->bad++;
	}
	free(want);
	return 0;
}

/* How many of keys FIRST..FIRST+COUNT-1 hold their value (-1 if one holds
 * a wrong one). */
static long
count_keys(struct lz_store *s, MDB_dbi dbi, unsigned first, unsigned count,
	   size_t value_len)
{
	struct verify c = {dbi, first, count, value_len, 0, 0};

	if (lz_store_read(s, verify_fn, &c) != 0)
		return -2;
	return c.bad ? -1 : (long)c.found;
}

static void
test_write_abort(void)
{
	struct lz_store *s = open_store("abort", 0, 0);
	struct fill f = {0, 1, 10, 16, 0, 0, 0};

	if (s == NULL)
		return;
	CHECK_EQ_INT(lz_store_db(s, "d", 0, &f.dbi), 0);
	f.fail_with = -EIO;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), -EIO);
	CHECK_EQ_INT(f.calls, 1);
	CHECK_EQ_INT(f.resets, 0);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 10, 16), 0);
	CHECK_EQ_INT(entries(s, f.dbi), 0);

	/* A positive result of FN is returned as it is (lz_store.h: "Returns
	 * FN's non-zero result (after aborting)"). */
	f.fail_with = 7;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), 7);
	CHECK_EQ_INT(entries(s, f.dbi), 0);
	f.fail_with = MDB_NOTFOUND;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), MDB_NOTFOUND);
	CHECK_EQ_INT(entries(s, f.dbi), 0);

	f.fail_with = 0;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), 0);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 10, 16), 10);
	CHECK_EQ_INT(f.resets, 0);
	CHECK_EQ_INT(lz_store_growths(s), 0);

	/* A failed write leaves the earlier commit alone. */
	f.first = 5;
	f.value_len = 32;
	f.fail_with = -EINVAL;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), -EINVAL);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 10, 16), 10);
	CHECK_EQ_INT(entries(s, f.dbi), 10);
	lz_store_destroy(&s);
}

static int
read_result_fn(MDB_txn *txn, void *arg)
{
	return *(int *)arg;
}

static void
test_read_result(void)
{
	struct lz_store *s = open_store("read", 0, 0);
	int r;

	if (s == NULL)
		return;
	r = 0;
	CHECK_EQ_INT(lz_store_read(s, read_result_fn, &r), 0);
	r = 42;
	CHECK_EQ_INT(lz_store_read(s, read_result_fn, &r), 42);
	r = -EIO;
	CHECK_EQ_INT(lz_store_read(s, read_result_fn, &r), -EIO);
	lz_store_destroy(&s);
}

/* One transaction much larger than the map. */
/* ---- counters ---- */

struct counter_seen {
	char names[8][32];
	int64_t values[8];
	int n;
};

static void
counter_cb(const char *name, int64_t value, void *arg)
{
	struct counter_seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->values[s->n++] = value;
	}
}

struct counter_ctx {
	MDB_dbi dbi;
	int64_t a, missing;
	int rc_get;
	struct counter_seen all, stat;
};

static int
counter_write_fn(MDB_txn *txn, void *arg)
{
	struct counter_ctx *c = arg;
	int rc;

	if ((rc = lz_store_counter_add(txn, c->dbi, "a", 5)) != 0 ||
	    (rc = lz_store_counter_add(txn, c->dbi, "a", -7)) != 0 ||
	    (rc = lz_store_counter_add(txn, c->dbi, "stat/x", 3)) != 0 ||
	    (rc = lz_store_counter_add(txn, c->dbi, "stat/y", 0)) != 0 ||
	    (rc = lz_store_counter_add(txn, c->dbi, "stat/z", 1)) != 0)
		return rc;
	return 0;
}

static int
counter_read_fn(MDB_txn *txn, void *arg)
{
	struct counter_ctx *c = arg;
	int rc;

	c->rc_get = lz_store_counter_get(txn, c->dbi, "a", &c->a);
	if ((rc = lz_store_counter_get(txn, c->dbi, "none", &c->missing)))
		return rc;
	if ((rc = lz_store_counters(txn, c->dbi, "", counter_cb, &c->all)))
		return rc;
	return lz_store_counters(txn, c->dbi, "stat/", counter_cb, &c->stat);
}

static void
test_counters(void)
{
	struct lz_store *s = open_store("counters", 0, 0);
	struct counter_ctx c;

	if (s == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.missing = 99;
	CHECK_EQ_INT(lz_store_db(s, "stats", 0, &c.dbi), 0);
	CHECK_EQ_INT(lz_store_write(s, counter_write_fn, NULL, &c), 0);
	CHECK_EQ_INT(lz_store_read(s, counter_read_fn, &c), 0);
	CHECK_EQ_INT(c.rc_get, 0);
	CHECK_EQ_INT(c.a, -2);      /* signed deltas */
	CHECK_EQ_INT(c.missing, 0); /* a missing counter reads 0 */
	/* a zero delta writes nothing: a, stat/x, stat/z */
	CHECK_EQ_INT(c.all.n, 3);
	CHECK_EQ_STR(c.all.names[0], "a");
	CHECK_EQ_INT(c.stat.n, 2);
	CHECK_EQ_STR(c.stat.names[0], "x");
	CHECK_EQ_INT(c.stat.values[0], 3);
	CHECK_EQ_STR(c.stat.names[1], "z");
	lz_store_destroy(&s);
}

struct str_ctx {
	MDB_dbi dbi;
	char got[8], missing[8], small[3];
};

static int
str_write_fn(MDB_txn *txn, void *arg)
{
	struct str_ctx *c = arg;
	int rc = lz_store_put_str(txn, c->dbi, "relay", "old");

	return rc ? rc : lz_store_put_str(txn, c->dbi, "relay", "velo-1");
}

static int
str_read_fn(MDB_txn *txn, void *arg)
{
	struct str_ctx *c = arg;
	int rc;

	strcpy(c->missing, "x");
	strcpy(c->small, "x");
	if ((rc = lz_store_get_str(txn, c->dbi, "relay", c->got,
				   sizeof(c->got))) ||
	    (rc = lz_store_get_str(txn, c->dbi, "hub", c->missing,
				   sizeof(c->missing))))
		return rc;
	return lz_store_get_str(txn, c->dbi, "relay", c->small,
				sizeof(c->small));
}

static void
test_strings(void)
{
	struct lz_store *s = open_store("strings", 0, 0);
	struct str_ctx c;

	if (s == NULL)
		return;
	memset(&c, 0, sizeof(c));
	CHECK_EQ_INT(lz_store_db(s, "meta", 0, &c.dbi), 0);
	CHECK_EQ_INT(lz_store_write(s, str_write_fn, NULL, &c), 0);
	CHECK_EQ_INT(lz_store_read(s, str_read_fn, &c), 0);
	CHECK_EQ_STR(c.got, "velo-1"); /* the last put wins */
	CHECK_EQ_STR(c.missing, "");   /* missing: "" */
	CHECK_EQ_STR(c.small, "");     /* does not fit: "" */
	lz_store_destroy(&s);
}

static void
test_growth_one_txn(void)
{
	struct lz_store *s = open_store("grow1", 64 * KIB, 0);
	struct fill f = {0, 1, 2000, 1000, 0, 0, 0};
	size_t map;

	if (s == NULL)
		return;
	CHECK_EQ_INT(lz_store_map_size(s), 64 * KIB);
	CHECK_EQ_INT(lz_store_db(s, "d", 0, &f.dbi), 0);
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), 0);
	CHECK(lz_store_growths(s) > 0);
	CHECK_EQ_INT(f.resets, lz_store_growths(s));
	CHECK_EQ_INT(f.calls, f.resets + 1);
	map = lz_store_map_size(s);
	CHECK(map >= 2000 * 1000);
	CHECK_EQ_INT(map, (64 * KIB) << lz_store_growths(s));
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 2000, 1000), 2000);
	CHECK_EQ_INT(entries(s, f.dbi), 2000);
	lz_store_destroy(&s);

	/* Reopening with a small map keeps everything, and still grows. */
	s = open_store("grow1", 64 * KIB, 0);
	if (s == NULL)
		return;
	CHECK(lz_store_map_size(s) >= 2000 * 1000);
	CHECK_EQ_INT(lz_store_growths(s), 0);
	CHECK_EQ_INT(lz_store_db(s, "d", 0, &f.dbi), 0);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 2000, 1000), 2000);
	f.first = 2001;
	f.count = 3000;
	f.calls = f.resets = 0;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), 0);
	CHECK(lz_store_growths(s) > 0);
	CHECK_EQ_INT(f.resets, lz_store_growths(s));
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 5000, 1000), 5000);
	lz_store_destroy(&s);
}

/* Many transactions that together outgrow the map. */
static void
test_growth_many_txns(void)
{
	struct lz_store *s = open_store("growmany", 64 * KIB, 0);
	struct fill f = {0, 1, 20, 1000, 0, 0, 0};
	int fails = 0;

	if (s == NULL)
		return;
	CHECK_EQ_INT(lz_store_db(s, "d", 0, &f.dbi), 0);
	for (unsigned t = 0; t < 100; t++) {
		f.first = 1 + t * 20;
		if (lz_store_write(s, fill_fn, fill_reset, &f) != 0)
			fails++;
	}
	CHECK_EQ_INT(fails, 0);
	CHECK(lz_store_growths(s) > 0);
	CHECK_EQ_INT(f.resets, lz_store_growths(s));
	CHECK_EQ_INT(f.calls, 100 + f.resets);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 2000, 1000), 2000);
	CHECK_EQ_INT(entries(s, f.dbi), 2000);
	lz_store_destroy(&s);
}

/* The map stops growing at max_map_size. */
static void
test_growth_limit(void)
{
	struct lz_store *s = open_store("limit", 64 * KIB, 256 * KIB);
	struct fill f = {0, 1, 10, 100, 0, 0, 0};

	if (s == NULL)
		return;
	CHECK_EQ_INT(lz_store_db(s, "d", 0, &f.dbi), 0);
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), 0);

	f.first = 100;
	f.count = 1000;
	f.value_len = 1000; /* ~1 MB: never fits in 256 KiB */
	f.calls = f.resets = 0;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), MDB_MAP_FULL);
	CHECK_EQ_INT(lz_store_growths(s), 2); /* 64 -> 128 -> 256 KiB */
	CHECK_EQ_INT(lz_store_map_size(s), 256 * KIB);
	CHECK(f.resets >= 2);
	CHECK_EQ_INT(f.calls, 3);
	CHECK_EQ_INT(count_keys(s, f.dbi, 100, 1000, 1000), 0);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 10, 100), 10);
	CHECK_EQ_INT(entries(s, f.dbi), 10);

	/* Still usable for what fits, and the limit holds. */
	f.first = 20;
	f.count = 20;
	f.value_len = 100;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), 0);
	CHECK_EQ_INT(entries(s, f.dbi), 30);
	f.first = 100;
	f.count = 1000;
	f.value_len = 1000;
	CHECK_EQ_INT(lz_store_write(s, fill_fn, fill_reset, &f), MDB_MAP_FULL);
	CHECK_EQ_INT(lz_store_map_size(s), 256 * KIB);
	CHECK_EQ_INT(entries(s, f.dbi), 30);
	lz_store_destroy(&s);

	/* Reopened: the data is there. */
	s = open_store("limit", 64 * KIB, 256 * KIB);
	if (s == NULL)
		return;
	CHECK_EQ_INT(lz_store_db(s, "d", 0, &f.dbi), 0);
	CHECK_EQ_INT(count_keys(s, f.dbi, 1, 10, 100), 10);
	CHECK_EQ_INT(count_keys(s, f.dbi, 20, 20, 100), 20);
	lz_store_destroy(&s);
}

/* ---- lz_bus, producer side ---- */

#define TYPE "lz.testing.v1.Thing"
#define SOURCE "unit-src"

struct emit_ctx {
	int n;         /* events per call */
	size_t len;    /* payload bytes */
	uint64_t base; /* committed sequence before the call */
	int ret;       /* what the function returns after emitting */
	int calls;
	int bad_seq; /* lz_bus_txn_last_seq disagreed */
	int emit_errors;
};

static void
payload_of(uint8_t *p, size_t len, uint64_t seq)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	if (len >= 8)
		lz_be64_put(p, seq);
}

static int
emit_fn(struct lz_bus_txn *tx, void *arg)
{
	struct emit_ctx *c = arg;
	uint8_t *p = xmalloc(c->len);
	int rc = 0;

	c->calls++;
	if (lz_bus_txn_last_seq(tx) != 0)
		c->bad_seq++;
	for (int i = 0; i < c->n; i++) {
		uint64_t seq = c->base + (uint64_t)i + 1;

		payload_of(p, c->len, seq);
		rc = lz_bus_emit_raw(tx, TYPE, seq % 2 ? NULL : "tenant-a", p,
				     c->len);
		if (rc != 0) {
			c->emit_errors++;
			break;
		}
		if (lz_bus_txn_last_seq(tx) != seq)
			c->bad_seq++;
	}
	free(p);
	return rc ? rc : c->ret;
}

/* Runs emit_fn for N events; returns lz_bus_write's result. */
static int
emit_events(struct lz_bus *b, int n, size_t len, int ret, struct emit_ctx *out)
{
	struct emit_ctx c = {n, len, lz_bus_outbox_seq(b), ret, 0, 0, 0};
	int rc = lz_bus_write(b, emit_fn, &c);

	if (out)
		*out = c;
	return rc;
}

struct outbox_check {
	MDB_dbi dbi;
	size_t len;
	int64_t t0, t1;
	uint64_t count, first, last;
	int holes, bad_key, bad_env, bad_payload, bad_ids;
	int tenants;
};

static int
is_hex32(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

static int
outbox_fn(MDB_txn *txn, void *arg)
{
	struct outbox_check *c = arg;
	uint8_t *want = xmalloc(c->len);
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, c->dbi, &cur)) != 0) {
		free(want);
		return lz_store_rc(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Lz__Bus__V1__Envelope *e;
		uint64_t seq;

		if (k.mv_size != 8) {
			c->bad_key++;
			continue;
		}
		seq = lz_be64_get(k.mv_data);
		if (c->count == 0)
			c->first = seq;
		else if (seq != c->last + 1)
			c->holes++;
		c->last = seq;
		c->count++;
		e = lz__bus__v1__envelope__unpack(NULL, v.mv_size, v.mv_data);
		if (e == NULL) {
			c->bad_env++;
			continue;
		}
		if (e->seq != seq || strcmp(e->source, SOURCE) != 0)
			c->bad_env++;
		if (strcmp(e->type, TYPE) == 0) {
			payload_of(want, c->len, seq);
			if (e->payload.len != c->len ||
			    memcmp(e->payload.data, want, c->len) != 0)
				c->bad_payload++;
		}
		if (!is_hex32(e->event_id) ||
		    strcmp(e->correlation_id, e->event_id) != 0 ||
		    e->causation_id[0] != '\0')
			c->bad_ids++;
		if (c->t0 &&
		    (e->timestamp_us < c->t0 || e->timestamp_us > c->t1))
			c->bad_env++;
		/* emit_fn gives even sequences a tenant. */
		if (strcmp(e->type, TYPE) == 0 &&
		    strcmp(e->tenant, seq % 2 ? "" : "tenant-a") != 0)
			c->bad_env++;
		lz__bus__v1__envelope__free_unpacked(e, NULL);
	}
	mdb_cursor_close(cur);
	free(want);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

/* Checks that the outbox of S holds exactly 1..N, well formed. */
static void
check_outbox(struct lz_store *s, uint64_t n, size_t len, int64_t t0)
{
	struct outbox_check c;

	memset(&c, 0, sizeof(c));
	c.len = len;
	c.t0 = t0;
	c.t1 = lz_now_us();
	CHECK_EQ_INT(lz_store_db(s, "outbox", 0, &c.dbi), 0);
	CHECK_EQ_INT(lz_store_read(s, outbox_fn, &c), 0);
	CHECK_EQ_INT(c.count, n);
	if (n > 0) {
		CHECK_EQ_INT(c.first, 1);
		CHECK_EQ_INT(c.last, n);
	}
	CHECK_EQ_INT(c.holes, 0);
	CHECK_EQ_INT(c.bad_key, 0);
	CHECK_EQ_INT(c.bad_env, 0);
	CHECK_EQ_INT(c.bad_payload, 0);
	CHECK_EQ_INT(c.bad_ids, 0);
}

static double
counter_value(struct lz_metrics *m, const char *name)
{
	return lz_metric_value(lz_metrics_counter(m, name, "", NULL, NULL));
}

static double
gauge_value(struct lz_metrics *m, const char *name)
{
	return lz_metric_value(lz_metrics_gauge(m, name, "", NULL, NULL));
}

static struct lz_bus *
new_bus(struct lz_loop *loop, struct lz_store *s, struct lz_metrics *m)
{
	struct lz_bus_options o;

	memset(&o, 0, sizeof(o));
	o.source = SOURCE;
	o.metrics = m;
	return lz_bus_new(loop, s, &o, NULL, NULL);
}

static int
emit_heartbeat_fn(struct lz_bus_txn *tx, void *arg)
{
	Lz__Bus__V1__Heartbeat hb = LZ__BUS__V1__HEARTBEAT__INIT;

	hb.source = "payload-source";
	hb.latest_seq = 77;
	hb.replay_endpoint = "";
	return lz_bus_emit(tx, "tenant-b", &hb.base);
}

struct last_env {
	MDB_dbi dbi;
	Lz__Bus__V1__Envelope *e;
};

static int
last_env_fn(MDB_txn *txn, void *arg)
{
	struct last_env *c = arg;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, c->dbi, &cur)) != 0)
		return lz_store_rc(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0)
		c->e = lz__bus__v1__envelope__unpack(NULL, v.mv_size,
						     v.mv_data);
	mdb_cursor_close(cur);
	return lz_store_rc(rc);
}

static void
test_bus_outbox(void)
{
	struct lz_loop *loop = lz_loop_new();
	struct lz_metrics *m = lz_metrics_new();
	struct lz_store *s = open_store("bus", 64 * KIB, 0);
	struct lz_bus *b;
	struct emit_ctx c;
	int64_t t0 = lz_now_us();
	char why[64];
	int rc;

	if (s == NULL)
		goto out;
	b = new_bus(loop, s, m);
	CHECK(b != NULL);
	if (b == NULL)
		goto out_store;
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 0);
	CHECK_EQ_INT(lz_bus_ready(b, why, sizeof(why)), 1);

	/* 3000 events of 200 bytes in one transaction: the 64 KiB map must
	 * grow several times mid-transaction. */
	rc = emit_events(b, 3000, 200, 0, &c);
	CHECK_EQ_INT(rc, 0);
	CHECK(c.calls > 1);
	CHECK(lz_store_growths(s) > 0);
	CHECK_EQ_INT(c.calls, lz_store_growths(s) + 1);
	CHECK_EQ_INT(c.bad_seq, 0);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 3000);
	CHECK(counter_value(m, "lz_events_out_total") == 3000);
	CHECK(gauge_value(m, "lz_outbox_seq") == 3000);
	check_outbox(s, 3000, 200, t0);

	/* Across transactions. */
	for (int i = 0; i < 5; i++) {
		rc = emit_events(b, 400, 200, 0, &c);
		CHECK_EQ_INT(rc, 0);
		CHECK_EQ_INT(c.bad_seq, 0);
	}
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5000);
	CHECK(counter_value(m, "lz_events_out_total") == 5000);
	check_outbox(s, 5000, 200, t0);

	/* A rejected write emits nothing, leaves the sequence alone and is
	 * reported as LZ_BUS_REJECT (lz_bus.h: "Returns FN's non-zero
	 * result"). */
	rc = emit_events(b, 10, 200, LZ_BUS_REJECT, &c);
	CHECK(rc != 0);
	CHECK_EQ_INT(rc, LZ_BUS_REJECT);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5000);
	CHECK(counter_value(m, "lz_events_out_total") == 5000);
	/* An error, also after growing the map mid-way. */
	rc = emit_events(b, 10, 200, -EIO, &c);
	CHECK_EQ_INT(rc, -EIO);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5000);
	rc = emit_events(b, 2000, 1000, -EIO, &c);
	CHECK_EQ_INT(rc, -EIO);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5000);
	check_outbox(s, 5000, 200, t0);

	/* The next write continues without a hole. */
	rc = emit_events(b, 7, 200, 0, &c);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(c.bad_seq, 0);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5007);
	check_outbox(s, 5007, 200, t0);

	/* lz_bus_emit: the type is the message's full name. */
	CHECK_EQ_INT(lz_bus_write(b, emit_heartbeat_fn, NULL), 0);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5008);
	{
		struct last_env le = {0, NULL};
		CHECK_EQ_INT(lz_store_db(s, "outbox", 0, &le.dbi), 0);
		CHECK_EQ_INT(lz_store_read(s, last_env_fn, &le), 0);
		CHECK(le.e != NULL);
		if (le.e) {
			Lz__Bus__V1__Heartbeat *hb;
			CHECK_EQ_INT(le.e->seq, 5008);
			CHECK_EQ_STR(le.e->type, "lz.bus.v1.Heartbeat");
			CHECK_EQ_STR(le.e->tenant, "tenant-b");
			hb = lz__bus__v1__heartbeat__unpack(
				NULL, le.e->payload.len, le.e->payload.data);
			CHECK(hb != NULL);
			if (hb) {
				CHECK_EQ_STR(hb->source, "payload-source");
				CHECK_EQ_INT(hb->latest_seq, 77);
				lz__bus__v1__heartbeat__free_unpacked(hb, NULL);
			}
			lz__bus__v1__envelope__free_unpacked(le.e, NULL);
		}
	}

	/* Reopened store, new bus: the sequence goes on. */
	lz_bus_destroy(&b);
	CHECK(b == NULL);
	lz_bus_destroy(&b);
	lz_store_destroy(&s);
	lz_metrics_destroy(&m);
	m = lz_metrics_new();
	s = open_store("bus", 64 * KIB, 0);
	if (s == NULL)
		goto out;
	b = new_bus(loop, s, m);
	CHECK(b != NULL);
	if (b == NULL)
		goto out_store;
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5008);
	CHECK(gauge_value(m, "lz_outbox_seq") == 5008);
	rc = emit_events(b, 1000, 200, 0, &c);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(c.bad_seq, 0);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 6008);
	{
		struct outbox_check oc;
		memset(&oc, 0, sizeof(oc));
		oc.len = 200;
		CHECK_EQ_INT(lz_store_db(s, "outbox", 0, &oc.dbi), 0);
		CHECK_EQ_INT(lz_store_read(s, outbox_fn, &oc), 0);
		CHECK_EQ_INT(oc.count, 6008);
		CHECK_EQ_INT(oc.first, 1);
		CHECK_EQ_INT(oc.last, 6008);
		CHECK_EQ_INT(oc.holes, 0);
		CHECK_EQ_INT(oc.bad_payload, 0);
		CHECK_EQ_INT(oc.bad_env, 0);
	}
	lz_bus_destroy(&b);
out_store:
	lz_store_destroy(&s);
out:
	lz_metrics_destroy(&m);
	lz_loop_destroy(&loop);
}

/* Actor, roles and audience of the events a write emits: the audience
 * applies to the emits after it is set, until cleared; the roles go with
 * the actor; a new write starts with neither. */
static int
emit_audience_fn(struct lz_bus_txn *tx, void *arg)
{
	Lz__Bus__V1__Heartbeat hb = LZ__BUS__V1__HEARTBEAT__INIT;
	int rc;

	hb.source = "x";
	hb.replay_endpoint = "";
	if (arg == NULL)
		return lz_bus_emit(tx, NULL, &hb.base);
	lz_bus_txn_set_actor(tx, "ops");
	lz_bus_txn_set_actor_roles(tx, "operator,receiver");
	lz_bus_txn_set_audience(tx, "dan");
	if ((rc = lz_bus_emit(tx, "t", &hb.base)) != 0 ||
	    (rc = lz_bus_emit(tx, "t", &hb.base)) != 0)
		return rc;
	lz_bus_txn_set_audience(tx, NULL);
	return lz_bus_emit(tx, "t", &hb.base);
}

struct envs {
	MDB_dbi dbi;
	uint64_t from;
	Lz__Bus__V1__Envelope *e[8];
	size_t n;
};

static int
envs_fn(MDB_txn *txn, void *arg)
{
	struct envs *c = arg;
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned char key[8];
	int rc;

	lz_be64_put(key, c->from);
	k.mv_size = sizeof(key);
	k.mv_data = key;
	if ((rc = mdb_cursor_open(txn, c->dbi, &cur)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     rc == 0 && c->n < LZ_ARRAY_LEN(c->e);
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		c->e[c->n++] = lz__bus__v1__envelope__unpack(NULL, v.mv_size,
							     v.mv_data);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

static void
test_bus_audience(void)
{
	struct lz_loop *loop = lz_loop_new();
	struct lz_metrics *m = lz_metrics_new();
	struct lz_store *s = open_store("audience", 64 * KIB, 0);
	struct envs c;
	struct lz_bus *b;
	static const char *const want_aud[] = {"dan", "dan", "", ""};
	static const char *const want_roles[] = {"operator,receiver",
						 "operator,receiver",
						 "operator,receiver", ""};

	memset(&c, 0, sizeof(c));
	if (s == NULL)
		goto out;
	b = new_bus(loop, s, m);
	CHECK(b != NULL);
	if (b == NULL)
		goto out_store;
	CHECK_EQ_INT(lz_bus_write(b, emit_audience_fn, "set"), 0);
	CHECK_EQ_INT(lz_bus_write(b, emit_audience_fn, NULL), 0);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 4);
	c.from = 1;
	CHECK_EQ_INT(lz_store_db(s, "outbox", 0, &c.dbi), 0);
	CHECK_EQ_INT(lz_store_read(s, envs_fn, &c), 0);
	CHECK_EQ_INT(c.n, 4);
	for (size_t i = 0; i < c.n && i < 4; i++) {
		CHECK(c.e[i] != NULL);
		if (c.e[i] == NULL)
			continue;
		CHECK_EQ_STR(c.e[i]->audience, want_aud[i]);
		CHECK_EQ_STR(c.e[i]->actor_roles, want_roles[i]);
		CHECK_EQ_STR(c.e[i]->actor, i < 3 ? "ops" : "");
	}
	for (size_t i = 0; i < c.n; i++)
		if (c.e[i])
			lz__bus__v1__envelope__free_unpacked(c.e[i], NULL);
	lz_bus_destroy(&b);
out_store:
	lz_store_destroy(&s);
out:
	lz_metrics_destroy(&m);
	lz_loop_destroy(&loop);
}

/* The map limit reached while emitting: nothing committed, nothing lost
 * from the sequence. */
static void
test_bus_map_full(void)
{
	struct lz_loop *loop = lz_loop_new();
	struct lz_metrics *m = lz_metrics_new();
	struct lz_store *s = open_store("busfull", 64 * KIB, 128 * KIB);
	struct lz_bus *b = NULL;
	struct emit_ctx c;
	int rc;

	if (s == NULL)
		goto out;
	b = new_bus(loop, s, m);
	CHECK(b != NULL);
	if (b == NULL)
		goto out;
	rc = emit_events(b, 5, 100, 0, &c);
	CHECK_EQ_INT(rc, 0);
	rc = emit_events(b, 2000, 200, 0, &c);
	CHECK_EQ_INT(rc, MDB_MAP_FULL);
	CHECK(c.emit_errors > 0);
	CHECK_EQ_INT(c.bad_seq, 0);
	CHECK_EQ_INT(lz_store_map_size(s), 128 * KIB);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 5);
	CHECK(counter_value(m, "lz_events_out_total") == 5);
	rc = emit_events(b, 3, 100, 0, &c);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(c.bad_seq, 0);
	CHECK_EQ_INT(lz_bus_outbox_seq(b), 8);
	check_outbox(s, 8, 100, 0);
out:
	lz_bus_destroy(&b);
	lz_store_destroy(&s);
	lz_metrics_destroy(&m);
	lz_loop_destroy(&loop);
}

int
main(void)
{
	lz_log_init("test_store", LZ_LOG_WARN);
	if (mkdtemp(tmp_root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_open);
	RUN(test_strerror);
	RUN(test_dbs_and_u64);
	RUN(test_write_abort);
	RUN(test_read_result);
	RUN(test_counters);
	RUN(test_strings);
	RUN(test_growth_one_txn);
	RUN(test_growth_many_txns);
	RUN(test_growth_limit);
	RUN(test_bus_outbox);
	RUN(test_bus_map_full);
	RUN(test_bus_audience);
	rm_tree(tmp_root);
	CHECK(access(tmp_root, F_OK) != 0);
	return lz_test_summary();
}
