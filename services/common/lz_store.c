/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_store.c -- see lz_store.h.
 */
#include "lz_store.h"

#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_registry.h"
#include "lz_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lz_store {
	MDB_env *env;
	size_t map_size;
	size_t max_map_size;
	unsigned growths;
	char *dir;
};

int
lz_store_rc(int mdb_rc)
{
	return mdb_rc > 0 ? -mdb_rc : mdb_rc;
}

const char *
lz_store_strerror(int rc)
{
	if (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE)
		return mdb_strerror(rc);
	return strerror(rc < 0 ? -rc : rc);
}

static int
mkdir_p(const char *dir)
{
	char *tmp = xstrdup(dir);
	int rc = 0;

	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	if (rc == 0 && mkdir(tmp, 0750) < 0 && errno != EEXIST)
		rc = -errno;
	free(tmp);
	return rc;
}

int
lz_store_open(struct lz_store **out, const char *dir,
	      const struct lz_store_options *opts)
{
	struct lz_store_options def = {0};
	struct lz_store *s;
	MDB_envinfo info;
	int rc;

	if (opts == NULL)
		opts = &def;
	*out = NULL;
	if ((rc = mkdir_p(dir)) < 0)
		return rc;
	s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	s->map_size = opts->map_size ? opts->map_size : (size_t)64 << 20;
	s->max_map_size =
		opts->max_map_size ? opts->max_map_size : (size_t)1 << 40;
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto fail_free;
	mdb_env_set_maxdbs(s->env, opts->max_dbs ? opts->max_dbs : 32);
	mdb_env_set_mapsize(s->env, s->map_size);
	rc = mdb_env_open(s->env, dir,
			  MDB_NOTLS | (opts->no_sync ? MDB_NOSYNC : 0), 0640);
	if (rc != 0)
		goto fail_env;
	/* An existing environment may already be larger than asked. */
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	*out = s;
	return 0;
fail_env:
	mdb_env_close(s->env);
fail_free:
	free(s->dir);
	free(s);
	return lz_store_rc(rc);
}

void
lz_store_destroy(struct lz_store **sp)
{
	struct lz_store *s = *sp;

	if (s == NULL)
		return;
	mdb_env_close(s->env);
	free(s->dir);
	free(s);
	*sp = NULL;
}

MDB_env *
lz_store_env(struct lz_store *s)
{
	return s->env;
}

struct open_db {
	const char *name;
	unsigned flags;
	MDB_dbi dbi;
};

static int
open_db_fn(MDB_txn *txn, void *arg)
{
	struct open_db *o = arg;

	return mdb_dbi_open(txn, o->name, o->flags | MDB_CREATE, &o->dbi);
}

int
lz_store_db(struct lz_store *s, const char *name, unsigned flags, MDB_dbi *out)
{
	struct open_db o = {name, flags, 0};
	int rc = lz_store_write(s, open_db_fn, NULL, &o);

	*out = o.dbi;
	return rc;
}

static int
grow(struct lz_store *s)
{
	size_t next = s->map_size * 2;
	int rc;

	if (s->map_size >= s->max_map_size)
		return MDB_MAP_FULL;
	if (next > s->max_map_size)
		next = s->max_map_size;
	if ((rc = mdb_env_set_mapsize(s->env, next)) != 0)
		return lz_store_rc(rc);
	lz_log_info("store map grown", "dir=%s from=%zu to=%zu", s->dir,
		    s->map_size, next);
	s->map_size = next;
	s->growths++;
	return 0;
}

int
lz_store_write(struct lz_store *s, lz_store_fn fn, lz_store_reset_fn reset,
	       void *arg)
{
	for (;;) {
		MDB_txn *txn;
		int rc = mdb_txn_begin(s->env, NULL, 0, &txn);

		if (rc == MDB_MAP_RESIZED) {
			/* Another process grew it: adopt the new size. */
			mdb_env_set_mapsize(s->env, 0);
			continue;
		}
		if (rc != 0)
			return lz_store_rc(rc);
		rc = fn(txn, arg);
		if (rc != 0) {
			/* FN's own result goes back as it is (it may be a
			 * positive code of the caller's). */
			mdb_txn_abort(txn);
			if (rc != MDB_MAP_FULL)
				return rc;
		} else if ((rc = mdb_txn_commit(txn)) != MDB_MAP_FULL) {
			return lz_store_rc(rc);
		}
		if (reset)
			reset(arg);
		if ((rc = grow(s)) != 0)
			return rc;
	}
}

int
lz_store_read(struct lz_store *s, lz_store_fn fn, void *arg)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);

	if (rc != 0)
		return lz_store_rc(rc);
	rc = fn(txn, arg);
	mdb_txn_abort(txn);
	return rc;
}

size_t
lz_store_map_size(const struct lz_store *s)
{
	return s->map_size;
}

unsigned
lz_store_growths(const struct lz_store *s)
{
	return s->growths;
}

int
lz_store_get_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
		 uint64_t *out)
{
	MDB_val k = {klen, (void *)key}, v;
	int rc = mdb_get(txn, dbi, &k, &v);

	*out = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	*out = lz_be64_get(v.mv_data);
	return 0;
}

int
lz_store_put_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
		 uint64_t v)
{
	unsigned char buf[8];
	MDB_val k = {klen, (void *)key}, val = {8, buf};

	lz_be64_put(buf, v);
	return lz_store_rc(mdb_put(txn, dbi, &k, &val, 0));
}

int
lz_store_key_usable(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	return n > 0 && n <= LZ_STORE_KEY_MAX;
}

int
lz_store_get_msg(MDB_txn *txn, MDB_dbi dbi, const char *key,
		 const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
	MDB_val k, v;
	int rc;

	*out = NULL;
	if (!lz_store_key_usable(key))
		return 0;
	k.mv_size = strlen(key);
	k.mv_data = (void *)key;
	rc = mdb_get(txn, dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	*out = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
	return *out ? 0 : MDB_CORRUPTED;
}

int
lz_store_put_msg(MDB_txn *txn, MDB_dbi dbi, const char *key,
		 const ProtobufCMessage *msg)
{
	MDB_val k, v;
	size_t len;
	uint8_t *buf;
	int rc;

	if (!lz_store_key_usable(key))
		return -EINVAL;
	buf = lz_registry_pack(msg, &len);
	k.mv_size = strlen(key);
	k.mv_data = (void *)key;
	v.mv_size = len;
	v.mv_data = buf;
	rc = mdb_put(txn, dbi, &k, &v, 0);
	free(buf);
	return lz_store_rc(rc);
}

int
lz_store_counter_get(MDB_txn *txn, MDB_dbi dbi, const char *name, int64_t *out)
{
	uint64_t v;
	int rc = lz_store_get_u64(txn, dbi, name, strlen(name), &v);

	*out = (int64_t)v;
	return rc;
}

int
lz_store_counter_add(MDB_txn *txn, MDB_dbi dbi, const char *name, int64_t delta)
{
	uint64_t v;
	int rc;

	if (delta == 0)
		return 0;
	if ((rc = lz_store_get_u64(txn, dbi, name, strlen(name), &v)) != 0)
		return rc;
	return lz_store_put_u64(txn, dbi, name, strlen(name),
				v + (uint64_t)delta);
}

int
lz_store_counters(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		  lz_store_counter_fn fn, void *arg)
{
	size_t plen = strlen(prefix);
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return lz_store_rc(rc);
	k.mv_size = plen;
	k.mv_data = (void *)prefix;
	rc = plen ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)
		  : mdb_cursor_get(c, &k, &v, MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char name[128];
		size_t len;

		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if (v.mv_size != 8)
			continue;
		len = k.mv_size - plen < sizeof(name) ? k.mv_size - plen
						      : sizeof(name) - 1;
		memcpy(name, (const char *)k.mv_data + plen, len);
		name[len] = '\0';
		fn(name, (int64_t)lz_be64_get(v.mv_data), arg);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}

struct sync {
	MDB_dbi dbi;
	const char *prefix;
	struct lz_metrics *m;
	const struct lz_stat_metric *table;
	size_t n;
};

static void
sync_one(const char *name, int64_t v, void *arg)
{
	const struct sync *s = arg;

	lz_metrics_sync_stat(s->m, s->table, s->n, name, v);
}

int
lz_store_sync_metrics_txn(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
			  struct lz_metrics *m,
			  const struct lz_stat_metric *table, size_t n)
{
	struct sync y = {dbi, prefix, m, table, n};

	return lz_store_counters(txn, dbi, prefix, sync_one, &y);
}

static int
sync_fn(MDB_txn *txn, void *arg)
{
	struct sync *s = arg;

	return lz_store_sync_metrics_txn(txn, s->dbi, s->prefix, s->m, s->table,
					 s->n);
}

int
lz_store_sync_metrics(struct lz_store *s, MDB_dbi dbi, const char *prefix,
		      struct lz_metrics *m, const struct lz_stat_metric *table,
		      size_t n)
{
	struct sync y = {dbi, prefix, m, table, n};
	int rc = lz_store_read(s, sync_fn, &y);

	if (rc != 0)
		lz_log_warn("cannot read counters", "error=\"%s\"",
			    lz_store_strerror(rc));
	return rc;
}

int
lz_store_get_str(MDB_txn *txn, MDB_dbi dbi, const char *key, char *out,
		 size_t outlen)
{
	MDB_val k = {strlen(key), (void *)key}, v;
	int rc = mdb_get(txn, dbi, &k, &v);

	out[0] = '\0';
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	if (v.mv_size < outlen) {
		memcpy(out, v.mv_data, v.mv_size);
		out[v.mv_size] = '\0';
	}
	return 0;
}

int
lz_store_put_str(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *value)
{
	MDB_val k = {strlen(key), (void *)key};
	MDB_val v = {strlen(value), (void *)value};

	return lz_store_rc(mdb_put(txn, dbi, &k, &v, 0));
}

int
lz_store_each_msg(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		  const ProtobufCMessageDescriptor *desc, lz_store_msg_fn fn,
		  void *arg)
{
	MDB_cursor *c;
	MDB_val k = {strlen(prefix), (void *)prefix}, v;
	int rc, frc = 0;

	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return lz_store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v,
				 k.mv_size ? MDB_SET_RANGE : MDB_FIRST);
	     rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m;

		if (k.mv_size < strlen(prefix) ||
		    memcmp(k.mv_data, prefix, strlen(prefix)) != 0)
			break;
		if ((m = protobuf_c_message_unpack(desc, NULL, v.mv_size,
						   v.mv_data)) == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		frc = fn(m, arg);
		protobuf_c_message_free_unpacked(m, NULL);
		if (frc != 0)
			break;
	}
	mdb_cursor_close(c);
	if (frc != 0)
		return frc == 1 ? 0 : frc;
	return rc == MDB_NOTFOUND ? 0 : lz_store_rc(rc);
}
