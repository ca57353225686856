/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * acks.c -- the acknowledgements the gateway keeps so that a partner who
 * retries a command with the same message id gets the same answer and no
 * second effect.  They are kept for a retention period (--ack-retention),
 * then pruned, so that the store does not grow without end.
 *
 * Databases:
 *   acks          partner NUL msg_id -> sha256(type NUL payload) (32)
 *                                       | be64 seq | event id (32)
 *                                       | be64 committed at (seconds)
 *   acks_by_time  be64 committed at | partner NUL msg_id -> ""
 */
#include "gateway.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <string.h>

#define ACK_LEN (32 + 8 + 32 + 8)
#define KEY_MAX 256
/* Acks pruned per write transaction: keeps each one short. */
#define PRUNE_BATCH 5000

int
gw_acks_open(struct gw *g)
{
	int rc;

	if ((rc = lz_store_db(g->store, "acks", 0, &g->acks)) != 0 ||
	    (rc = lz_store_db(g->store, "acks_by_time", 0, &g->acks_by_time)))
		return rc;
	return 0;
}

static size_t
ack_key(const struct gw_pending *e, char *key, size_t cap)
{
	size_t a = strlen(e->partner_id), b = strlen(e->msg_id);

	if (a + 1 + b > cap)
		return 0;
	memcpy(key, e->partner_id, a);
	key[a] = '\0';
	memcpy(key + a + 1, e->msg_id, b);
	return a + 1 + b;
}

int
gw_acks_find(MDB_txn *txn, const struct gw *g, struct gw_pending *e)
{
	char key[KEY_MAX];
	MDB_val k = {ack_key(e, key, sizeof(key)), key}, v;
	const unsigned char *d;
	int rc = mdb_get(txn, g->acks, &k, &v);

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lz_store_rc(rc);
	if (v.mv_size != ACK_LEN)
		return lz_store_rc(MDB_CORRUPTED);
	d = v.mv_data;
	if (memcmp(d, e->hash, 32) != 0) {
		e->status = LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_REJECTED;
		e->code = LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_CONFLICT;
		return 1;
	}
	e->status = LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_DUPLICATE;
	e->code = LZ__GATEWAY__V1__ERROR_CODE__ERROR_CODE_NONE;
	e->seq = lz_be64_get(d + 32);
	memcpy(e->event_id, d + 40, 32);
	e->event_id[32] = '\0';
	return 1;
}

int
gw_acks_put(MDB_txn *txn, const struct gw *g, const struct gw_pending *e,
	    int64_t now)
{
	char key[KEY_MAX], tkey[8 + KEY_MAX];
	unsigned char val[ACK_LEN];
	size_t n = ack_key(e, key, sizeof(key));
	MDB_val k = {n, key}, v = {sizeof(val), val};
	MDB_val tk = {8 + n, tkey}, empty = {0, (void *)""};
	int rc;

	memcpy(val, e->hash, 32);
	lz_be64_put(val + 32, e->seq);
	memcpy(val + 40, e->event_id, 32);
	lz_be64_put(val + 72, (uint64_t)now);
	lz_be64_put((unsigned char *)tkey, (uint64_t)now);
	memcpy(tkey + 8, key, n);
	if ((rc = mdb_put(txn, g->acks, &k, &v, 0)) != 0 ||
	    (rc = mdb_put(txn, g->acks_by_time, &tk, &empty, 0)) != 0)
		return lz_store_rc(rc);
	return 0;
}

struct prune {
	const struct gw *g;
	uint64_t before; /* prune what was committed before this second */
	size_t pruned;
	size_t left; /* acks still kept, after the pass */
};

static int
prune_fn(struct lz_bus_txn *tx, void *arg)
{
	struct prune *p = arg;
	MDB_txn *txn = lz_bus_mdb(tx);
	MDB_cursor *c;
	MDB_val k, v;
	MDB_stat st;
	int rc;

	p->pruned = 0;
	if ((rc = mdb_cursor_open(txn, p->g->acks_by_time, &c)) != 0)
		return lz_store_rc(rc);
	while (p->pruned < PRUNE_BATCH &&
	       (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0) {
		MDB_val ak;

		if (k.mv_size < 8 || lz_be64_get(k.mv_data) >= p->before)
			break;
		ak.mv_size = k.mv_size - 8;
		ak.mv_data = (char *)k.mv_data + 8;
		/* An id has one ack and one index entry: it is acked again
		 * only once both are gone. */
		rc = mdb_del(txn, p->g->acks, &ak, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			break;
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
		p->pruned++;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return lz_store_rc(rc);
	if ((rc = mdb_stat(txn, p->g->acks, &st)) != 0)
		return lz_store_rc(rc);
	p->left = st.ms_entries;
	return 0;
}

void
gw_acks_prune(struct gw *g)
{
	struct prune p = {g, 0, 0, 0};
	int64_t now = lz_now_us() / 1000000;
	size_t total = 0;
	int rc;

	if (g->ack_retention > 0 && now > g->ack_retention)
		p.before = (uint64_t)(now - g->ack_retention);
	do {
		if ((rc = lz_bus_write(g->bus, prune_fn, &p)) != 0) {
			lz_log_warn("cannot prune acknowledgements",
				    "error=\"%s\"", lz_store_strerror(rc));
			return;
		}
		total += p.pruned;
	} while (p.pruned == PRUNE_BATCH);
	lz_metric_add(lz_metrics_counter(g->metrics,
					 "lz_gateway_acks_pruned_total",
					 "Acknowledgements pruned after the "
					 "retention period",
					 NULL, NULL),
		      (double)total);
	lz_metric_set(lz_metrics_gauge(g->metrics, "lz_gateway_acks",
				       "Acknowledgements kept for "
				       "de-duplication, at the last prune",
				       NULL, NULL),
		      (double)p.left);
	if (total > 0)
		lz_log_info("acknowledgements pruned",
			    "pruned=%zu kept=%zu retention_s=%lld", total,
			    p.left, (long long)g->ack_retention);
}
