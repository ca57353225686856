/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * expiry.c -- the expiry watch: a libevent timer that, every few minutes,
 * looks at the lots whose date falls within the horizon and emits
 * LotNearingExpiry (once per lot with unreserved units, so that the
 * returns service can send them to donation or transformation while they
 * can still be eaten) and LotExpired (a use-by lot past its date: its
 * unreserved units leave the stock).
 *
 * The decision is inv_expiry_action() (pure, takes NOW); only the timer
 * reads the wall clock, and the writes go through lz_bus_write, so each
 * pass is one transaction whose events are published after the commit.
 */
#include "inventory.h"

#include "alloc.h"
#include "lz_bus.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdint.h>

#define PASS_MAX 2000 /* lots acted on per transaction */

struct pass {
	struct lz_bus_txn *tx;
	struct inventory *inv;
	int64_t now;
	size_t max, done, seen;
};

static int
one_lot(Lot *l, void *arg)
{
	struct pass *p = arg;
	MDB_txn *txn = lz_bus_mdb(p->tx);
	int64_t unreserved = l->quantity - l->reserved;
	Lot next = *l;
	int act = inv_expiry_action((int)l->date_kind, l->date, unreserved,
				    l->nearing_notified, l->expired, p->now,
				    p->inv->horizon);
	int rc;

	p->seen++;
	if (act == INV_EXPIRY_NONE)
		return 0;
	if (p->done == p->max)
		return 1;
	p->done++;
	if (act == INV_EXPIRY_NEARING) {
		Lz__Inventory__V1__LotNearingExpiry ev =
			LZ__INVENTORY__V1__LOT_NEARING_EXPIRY__INIT;

		next.nearing_notified = 1;
		if ((rc = inventory_store_put_lot(txn, &p->inv->db, &next,
						  l)) ||
		    (rc = inventory_store_stat_add(txn, &p->inv->db, "nearing",
						   1)))
			return rc;
		ev.lot = &next;
		ev.unreserved = unreserved;
		ev.seconds_left = l->date - p->now;
		return lz_bus_emit(p->tx, l->owner_member_id, &ev.base);
	}
	{
		Lz__Inventory__V1__LotExpired ev =
			LZ__INVENTORY__V1__LOT_EXPIRED__INIT;

		next.expired = 1;
		next.quantity = l->reserved;
		next.expired_units += unreserved;
		if ((rc = inventory_store_put_lot(txn, &p->inv->db, &next,
						  l)) ||
		    (rc = inventory_store_stat_add(txn, &p->inv->db, "expired",
						   unreserved)) ||
		    (rc = inventory_store_stat_add(txn, &p->inv->db,
						   "expired_lots", 1)))
			return rc;
		ev.lot = &next;
		ev.removed = unreserved;
		return lz_bus_emit(p->tx, l->owner_member_id, &ev.base);
	}
}

int
inventory_expiry_pass(struct lz_bus_txn *tx, struct inventory *inv, int64_t now,
		      size_t max, size_t *done)
{
	struct pass p = {tx, inv, now, max, 0, 0};
	int rc = inventory_store_expiring(lz_bus_mdb(tx), &inv->db,
					  now + inv->horizon, SIZE_MAX, one_lot,
					  &p);

	*done = p.done;
	inv->expiring = (int64_t)p.seen;
	return rc;
}

struct timer_ctx {
	struct inventory *inv;
	int64_t now;
	size_t done;
};

static int
write_fn(struct lz_bus_txn *tx, void *arg)
{
	struct timer_ctx *t = arg;

	return inventory_expiry_pass(tx, t->inv, t->now, PASS_MAX, &t->done);
}

static void
on_timer(void *arg)
{
	struct timer_ctx t = {arg, lz_now_us() / 1000000, 0};
	int rc;

	/* Several transactions when many lots come due at once; each pass
	 * acts on different lots (flags set), so this ends. */
	do {
		rc = lz_bus_write(t.inv->bus, write_fn, &t);
	} while (rc == 0 && t.done >= PASS_MAX);
	if (rc != 0)
		lz_log_error("expiry watch failed", "error=\"%s\"",
			     lz_store_strerror(rc));
	lz_service_sync_metrics(&t.inv->svc);
}

struct lz_timer *
inventory_expiry_start(struct inventory *inv, struct lz_loop *loop, int scan)
{
	on_timer(inv);
	return lz_timer_new(loop, scan * 1000, 1, on_timer, inv);
}
