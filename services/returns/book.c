/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * book.c -- the deposit ledger in the store: every movement updates two
 * balances and emits one LedgerMoved, in the caller's transaction.
 */
#include "returns.h"

#include "lz_bus.h"
#include "lz_store.h"
#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t
deposit_of(struct lz_call *c, const char *type, int *rc)
{
	ContainerType *t = NULL;
	int64_t cents = 0;

	*rc = lz_store_get_msg(c->txn, returns_of(c)->db.types, type,
			       &lz__returns__v1__container_type__descriptor,
			       (ProtobufCMessage **)&t);
	if (t) {
		cents = t->deposit_cents;
		lz__returns__v1__container_type__free_unpacked(t, NULL);
	}
	return cents;
}

/* A return declared at a collection point, for its forecast. */
static int
remember_return(struct lz_call *c, const char *account, uint64_t move,
		int64_t count)
{
	char name[128];

	snprintf(name, sizeof(name), "%s %020" PRId64 " %" PRIu64,
		 account + strlen("empties:"), c->now, move);
	return lz_store_counter_add(c->txn, returns_of(c)->db.history, name,
				    count);
}

int
returns_move(struct lz_call *c, const char *type, const char *member,
	     const char *from, const char *to, int64_t count, int discrepancy,
	     const char *site_id, const char *reference)
{
	Lz__Returns__V1__LedgerMoved ev = LZ__RETURNS__V1__LEDGER_MOVED__INIT;
	const char *fm = returns_account_per_member(from) ? member : "";
	const char *tm = returns_account_per_member(to) ? member : "";
	char id[32];
	uint64_t n;
	int rc;

	if (count <= 0)
		return 0;
	ev.deposit_cents = deposit_of(c, type, &rc);
	if (rc != 0 ||
	    (rc = returns_store_next(c->txn, &returns_of(c)->db, "move", &n)) !=
		    0 ||
	    (rc = returns_store_balance_add(c->txn, &returns_of(c)->db, from,
					    fm, type, -count)) != 0 ||
	    (rc = returns_store_balance_add(c->txn, &returns_of(c)->db, to, tm,
					    type, count)) != 0 ||
	    (rc = lz_service_stat(c, "movements", 1)) != 0 ||
	    (discrepancy && (rc = lz_service_stat(c, "discrepancies", 1)) != 0))
		return rc;
	if (strncmp(to, "empties:", 8) == 0 && !discrepancy &&
	    strncmp(from, "site:", 5) == 0 &&
	    (rc = remember_return(c, to, n, count)) != 0)
		return rc;
	snprintf(id, sizeof(id), "M%" PRIu64, n);
	ev.movement_id = id;
	ev.member_id = (char *)(member ? member : "");
	ev.container_type = (char *)type;
	ev.count = (uint32_t)count;
	ev.from_account = (char *)from;
	ev.to_account = (char *)to;
	ev.cause = (char *)c->ev->type;
	ev.discrepancy = discrepancy != 0;
	ev.at = c->now;
	ev.site_id = (char *)(site_id ? site_id : "");
	ev.reference = (char *)(reference ? reference : "");
	return lz_bus_emit(c->tx, member && member[0] ? member : NULL,
			   &ev.base);
}

/* The holdings of one type in one account, per member. */
struct holdings {
	const char *account, *type;
	struct returns_holding *h;
	char **members;
	size_t n;
};

static void
holding_one(const char *account, const char *member, const char *type,
	    int64_t count, void *arg)
{
	struct holdings *hs = arg;

	if (strcmp(account, hs->account) != 0 || strcmp(type, hs->type) != 0 ||
	    count <= 0)
		return;
	hs->h = xrealloc(hs->h, sizeof(*hs->h) * (hs->n + 1));
	hs->members = xrealloc(hs->members, sizeof(char *) * (hs->n + 1));
	hs->members[hs->n] = xstrdup(member);
	hs->h[hs->n].member_id = hs->members[hs->n];
	hs->h[hs->n].count = count;
	hs->n++;
}

static void
holdings_free(struct holdings *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		free(hs->members[i]);
	free(hs->members);
	free(hs->h);
}

int
returns_take(struct lz_call *c, const char *type, const char *const *from,
	     size_t n, int64_t want, const char *to, const char *member,
	     const char *site_id, const char *reference)
{
	int rc = 0;

	for (size_t a = 0; a < n && want > 0 && rc == 0; a++) {
		struct holdings hs = {from[a], type, NULL, NULL, 0};
		char prefix[RETURNS_ACCOUNT_MAX + 2];
		struct returns_take *takes;
		size_t nt;
		int64_t excess;

		/* The account's keys start with its name and a NUL. */
		snprintf(prefix, sizeof(prefix), "%s", from[a]);
		if ((rc = returns_store_balances(c->txn, &returns_of(c)->db,
						 prefix, holding_one, &hs)) !=
		    0) {
			holdings_free(&hs);
			break;
		}
		takes = xmalloc(sizeof(*takes) * (hs.n ? hs.n : 1));
		nt = returns_ledger_take(hs.h, hs.n, want, takes, &excess);
		/* A pooled account's holding has no member: the movement's
		 * member is then MEMBER (whose site receives them). */
		for (size_t i = 0; i < nt && rc == 0; i++)
			rc = returns_move(
				c, type,
				returns_account_per_member(from[a])
					? hs.h[takes[i].holding].member_id
					: member,
				from[a], to, takes[i].count, 0, site_id,
				reference);
		want = excess;
		free(takes);
		holdings_free(&hs);
	}
	if (rc == 0 && want > 0)
		rc = returns_move(c, type, member, ACCT_UNACCOUNTED, to, want,
				  1, site_id, reference);
	return rc;
}

int
returns_collected(struct lz_call *c, const char *site_id, const char *type,
		  int64_t count, const char *to, const char *reference)
{
	char empties[RETURNS_ACCOUNT_MAX], site[RETURNS_ACCOUNT_MAX];
	const char *from[] = {empties, site};

	if (returns_empties_account(empties, sizeof(empties), site_id) != 0 ||
	    returns_site_account(site, sizeof(site), site_id) != 0)
		return lz_service_refuse_event(c, "payload", "invalid",
					       "site_id");
	if (strcmp(to, empties) == 0)
		return 0;
	return returns_take(c, type, from, LZ_ARRAY_LEN(from), count, to, "",
			    site_id, reference);
}

struct load {
	struct lz_call *c;
	MDB_txn *txn;
	const struct returns_db *db;
	const char *account;
	int64_t count, grams, ml;
	int rc;
};

static void
load_one(const char *account, const char *member, const char *type,
	 int64_t count, void *arg)
{
	struct load *l = arg;
	ContainerType *t = NULL;

	if (strcmp(account, l->account) != 0 || count <= 0 || l->rc != 0)
		return;
	l->count += count;
	l->rc = lz_store_get_msg(l->txn, l->db->types, type,
				 &lz__returns__v1__container_type__descriptor,
				 (ProtobufCMessage **)&t);
	if (t) {
		l->grams += count * t->grams;
		l->ml += count * t->millilitres;
		lz__returns__v1__container_type__free_unpacked(t, NULL);
	}
}

int
returns_account_load(MDB_txn *txn, const struct returns_db *db,
		     const char *account, int64_t *count, int64_t *grams,
		     int64_t *millilitres)
{
	struct load l = {NULL, txn, db, account, 0, 0, 0, 0};
	int rc = returns_store_balances(txn, db, account, load_one, &l);

	*count = l.count;
	*grams = l.grams;
	*millilitres = l.ml;
	return rc != 0 ? rc : l.rc;
}
