/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_store.h -- one LMDB environment per daemon: named databases, read and
 * write transactions, and a map that grows when it is full.
 *
 * Writes go through lz_store_write(), which runs a function inside a write
 * transaction and commits it.  When LMDB reports MDB_MAP_FULL (inside the
 * function or at commit) the transaction is aborted, the map is doubled and
 * the function runs again from the start: it must therefore keep no effect
 * outside the transaction, or undo it when asked (see the reset hook).
 *
 * Errors are 0 or negative: -errno, or an LMDB code (MDB_* are negative);
 * lz_store_strerror() names both.
 */
#ifndef LZ_STORE_H
#define LZ_STORE_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

struct lz_store;

struct lz_store_options {
	size_t map_size;     /* initial map size in bytes (default 64 MiB) */
	size_t max_map_size; /* growth stops here (default 1 TiB) */
	unsigned max_dbs;    /* named databases (default 32) */
	int no_sync;         /* 1: do not fsync at commit (tests only) */
};

/* Opens (creating it if needed) the environment in directory DIR.  OPTS may
 * be NULL for the defaults.  Returns 0 and *OUT, which the caller destroys,
 * or a negative code (the directory cannot be created, the lock is held...). */
int lz_store_open(struct lz_store **out, const char *dir,
		  const struct lz_store_options *opts);
void lz_store_destroy(struct lz_store **sp);

MDB_env *lz_store_env(struct lz_store *s);

/* Opens named database NAME (creating it), with MDB_* FLAGS such as
 * MDB_INTEGERKEY; call at startup, before any other transaction. */
int lz_store_db(struct lz_store *s, const char *name, unsigned flags,
		MDB_dbi *out);

typedef int (*lz_store_fn)(MDB_txn *txn, void *arg);
typedef void (*lz_store_reset_fn)(void *arg);

/* Runs FN(txn, ARG) in a write transaction and commits it if FN returns 0.
 * On MDB_MAP_FULL, calls RESET(ARG) if not NULL, grows the map and runs FN
 * again.  Returns FN's non-zero result (after aborting), a commit error, or
 * 0.  Not reentrant: FN must not call lz_store_write. */
int lz_store_write(struct lz_store *s, lz_store_fn fn, lz_store_reset_fn reset,
		   void *arg);

/* Runs FN(txn, ARG) in a read-only transaction; returns FN's result. */
int lz_store_read(struct lz_store *s, lz_store_fn fn, void *arg);

/* Current map size in bytes, and how many times it grew. */
size_t lz_store_map_size(const struct lz_store *s);
unsigned lz_store_growths(const struct lz_store *s);

/* Normalises an LMDB or errno result to our convention (0 or negative). */
int lz_store_rc(int mdb_rc);
const char *lz_store_strerror(int rc);

/* Helpers for big-endian uint64 values (sequences) in a database.  get
 * returns 0 with *OUT=0 when the key is missing. */
int lz_store_get_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
		     uint64_t *out);
int lz_store_put_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
		     uint64_t v);

/* Counters: signed 64-bit values under string names in DBI, changed in the
 * caller's transaction so that they stay exact across batch retries and
 * restarts (a service's metrics are read from them after each commit).
 * get gives 0 for a missing name.  lz_store_counters calls FN for every
 * counter whose name starts with PREFIX ("" for all), with the name less
 * the prefix (truncated to 127 bytes). */
typedef void (*lz_store_counter_fn)(const char *name, int64_t value, void *arg);
int lz_store_counter_get(MDB_txn *txn, MDB_dbi dbi, const char *name,
			 int64_t *out);
int lz_store_counter_add(MDB_txn *txn, MDB_dbi dbi, const char *name,
			 int64_t delta);
int lz_store_counters(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		      lz_store_counter_fn fn, void *arg);

/* Brings the metrics in M of the counters of DBI under PREFIX up to date
 * from TABLE (N entries, see lz_metrics_sync_stat): in TXN, for a service
 * that reads more after its counters; or, with lz_store_sync_metrics, in
 * a read transaction of S of its own, a read error logged.  Both return
 * 0 or the read error. */
struct lz_metrics;
struct lz_stat_metric;
int lz_store_sync_metrics_txn(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
			      struct lz_metrics *m,
			      const struct lz_stat_metric *table, size_t n);
int lz_store_sync_metrics(struct lz_store *s, MDB_dbi dbi, const char *prefix,
			  struct lz_metrics *m,
			  const struct lz_stat_metric *table, size_t n);

/* Short string values under string keys (a service's settings, such as
 * the site holding a role).  get copies the value of KEY into OUT as a
 * NUL-terminated string, "" when the key is missing or the value does not
 * fit in OUTLEN bytes; put stores VALUE (without its NUL). */
int lz_store_get_str(MDB_txn *txn, MDB_dbi dbi, const char *key, char *out,
		     size_t outlen);
int lz_store_put_str(MDB_txn *txn, MDB_dbi dbi, const char *key,
		     const char *value);

/* Protobuf records under string keys.  get unpacks the value of KEY as a
 * DESC message into *OUT (the caller frees it with
 * protobuf_c_message_free_unpacked), or leaves *OUT NULL and returns 0 when
 * the key is missing -- or empty or longer than LZ_STORE_KEY_MAX, which no
 * record can have; MDB_CORRUPTED if the value does not decode.  put stores
 * MSG under KEY (-EINVAL for an unusable key). */
#define LZ_STORE_KEY_MAX 511
/* Whether KEY can be a key: 1..LZ_STORE_KEY_MAX bytes.  Ids come from
 * partners, and a key LMDB refuses would fail the whole batch. */
int lz_store_key_usable(const char *key);
int lz_store_get_msg(MDB_txn *txn, MDB_dbi dbi, const char *key,
		     const ProtobufCMessageDescriptor *desc,
		     ProtobufCMessage **out);
int lz_store_put_msg(MDB_txn *txn, MDB_dbi dbi, const char *key,
		     const ProtobufCMessage *msg);
/* Calls FN for each record of DBI whose key starts with PREFIX ("": all),
 * in key order, unpacked as DESC (freed after FN returns); FN returns 0 to
 * go on, 1 to stop, or an error, which is returned.  MDB_CORRUPTED when a
 * record does not decode. */
typedef int (*lz_store_msg_fn)(ProtobufCMessage *m, void *arg);
int lz_store_each_msg(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		      const ProtobufCMessageDescriptor *desc,
		      lz_store_msg_fn fn, void *arg);

#endif
