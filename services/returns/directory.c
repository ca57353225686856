/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * directory.c -- the directory as the returns service keeps it, for the
 * files above: the sites (from the orders service) and the container types
 * (registered by operators).  See returns.h.
 */
#include "returns.h"

#include "lz_store.h"
#include "lz_util.h"

int
returns_get_site(struct lz_call *c, const char *id, Site **out)
{
	return lz_store_get_msg(c->txn, returns_of(c)->db.sites, id,
				&lz__orders__v1__site__descriptor,
				(ProtobufCMessage **)out);
}

void
returns_free_site(Site *s)
{
	if (s)
		lz__orders__v1__site__free_unpacked(s, NULL);
}

struct returns_hours
returns_site_hours(const Site *site)
{
	struct returns_hours h = {NULL, 0};

	if (site) {
		h.h = (const OpeningHours *const *)site->opening_hours;
		h.n = site->n_opening_hours;
	}
	return h;
}

static int
get_type(struct lz_call *c, const char *id, ContainerType **out)
{
	*out = NULL;
	if (!lz_valid_id(id))
		return 0;
	return lz_store_get_msg(c->txn, returns_of(c)->db.types, id,
				&lz__returns__v1__container_type__descriptor,
				(ProtobufCMessage **)out);
}

int
returns_type_known(struct lz_call *c, const char *id)
{
	ContainerType *t;
	int rc = get_type(c, id, &t);

	if (rc != 0)
		return rc;
	if (t == NULL)
		return 0;
	lz__returns__v1__container_type__free_unpacked(t, NULL);
	return 1;
}
