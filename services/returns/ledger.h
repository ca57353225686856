/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger.h -- the pure rules of the deposit ledger: account names, which
 * movements a partner may report, and how a count taken from a site is
 * split between the members whose containers are there (the excess being
 * a discrepancy).  The balances themselves live in the store (store.h);
 * every movement moves a count from one account to another, so the
 * balances of a type always sum to zero.
 */
#ifndef RETURNS_LEDGER_H
#define RETURNS_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#define RETURNS_ACCOUNT_MAX 80

#define ACCT_SUPPLY "supply"
#define ACCT_HUB_STOCK "hub-stock"
#define ACCT_HUB_RETURNED "hub-returned"
#define ACCT_WASHING "washing"
#define ACCT_LOST "lost"
#define ACCT_UNACCOUNTED "unaccounted"

/* Whether ACCOUNT is one of the pooled names above, "site:<id>" or
 * "empties:<id>". */
int returns_account_valid(const char *account);
/* Whether ACCOUNT is kept per member ("site:" and "empties:"). */
int returns_account_per_member(const char *account);
/* Writes "site:<id>" / "empties:<id>" into OUT; -1 if it does not fit. */
int returns_site_account(char *out, size_t outlen, const char *site_id);
int returns_empties_account(char *out, size_t outlen, const char *site_id);

/* Whether a partner may report a movement FROM -> TO (RecordMovement):
 * supply -> hub-stock, hub-returned -> washing, washing -> hub-stock,
 * and any account but supply and unaccounted -> lost. */
int returns_movement_allowed(const char *from, const char *to);

/* One member's holding of a type in an account. */
struct returns_holding {
	const char *member_id;
	int64_t count;
};

/* One part of a take. */
struct returns_take {
	size_t holding; /* index into the holdings */
	int64_t count;
};

/* Splits WANT units between the N HOLDINGS (those with a positive count),
 * largest first, ties by member id, into OUT (at least N entries); writes
 * what no holding covers -- the discrepancy -- to *EXCESS.  Returns how
 * many entries OUT has. */
size_t returns_ledger_take(const struct returns_holding *holdings, size_t n,
			   int64_t want, struct returns_take *out,
			   int64_t *excess);

#endif
