/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger.c -- see ledger.h.
 */
#include "ledger.h"

#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const pooled[] = {
	ACCT_SUPPLY,  ACCT_HUB_STOCK, ACCT_HUB_RETURNED,
	ACCT_WASHING, ACCT_LOST,      ACCT_UNACCOUNTED,
};

int
returns_account_per_member(const char *account)
{
	return account && ((strncmp(account, "site:", 5) == 0 &&
			    lz_valid_id(account + 5)) ||
			   (strncmp(account, "empties:", 8) == 0 &&
			    lz_valid_id(account + 8)));
}

int
returns_account_valid(const char *account)
{
	if (account == NULL)
		return 0;
	for (size_t i = 0; i < LZ_ARRAY_LEN(pooled); i++)
		if (strcmp(account, pooled[i]) == 0)
			return 1;
	return returns_account_per_member(account);
}

static int
prefixed(char *out, size_t outlen, const char *prefix, const char *id)
{
	int n = snprintf(out, outlen, "%s%s", prefix, id ? id : "");

	return n > 0 && (size_t)n < outlen && lz_valid_id(id) ? 0 : -1;
}

int
returns_site_account(char *out, size_t outlen, const char *site_id)
{
	return prefixed(out, outlen, "site:", site_id);
}

int
returns_empties_account(char *out, size_t outlen, const char *site_id)
{
	return prefixed(out, outlen, "empties:", site_id);
}

int
returns_movement_allowed(const char *from, const char *to)
{
	if (!returns_account_valid(from) || !returns_account_valid(to) ||
	    strcmp(from, to) == 0)
		return 0;
	if (strcmp(to, ACCT_LOST) == 0)
		return strcmp(from, ACCT_SUPPLY) != 0 &&
		       strcmp(from, ACCT_UNACCOUNTED) != 0;
	return (strcmp(from, ACCT_SUPPLY) == 0 &&
		strcmp(to, ACCT_HUB_STOCK) == 0) ||
	       (strcmp(from, ACCT_HUB_RETURNED) == 0 &&
		strcmp(to, ACCT_WASHING) == 0) ||
	       (strcmp(from, ACCT_WASHING) == 0 &&
		strcmp(to, ACCT_HUB_STOCK) == 0);
}

size_t
returns_ledger_take(const struct returns_holding *holdings, size_t n,
		    int64_t want, struct returns_take *out, int64_t *excess)
{
	size_t k = 0;
	char *used = xcalloc(n ? n : 1, 1);

	while (want > 0) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (used[i] || holdings[i].count <= 0)
				continue;
			if (best == n ||
			    holdings[i].count > holdings[best].count ||
			    (holdings[i].count == holdings[best].count &&
			     strcmp(holdings[i].member_id,
				    holdings[best].member_id) < 0))
				best = i;
		}
		if (best == n)
			break;
		used[best] = 1;
		out[k].holding = best;
		out[k].count = holdings[best].count < want
				       ? holdings[best].count
				       : want;
		want -= out[k].count;
		k++;
	}
	free(used);
	*excess = want > 0 ? want : 0;
	return k;
}
