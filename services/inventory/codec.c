/*
 * codec.c -- see codec.h.
 */
#include "codec.h"

#include "alloc.h"
#include "lz_util.h"

static const char *const reason_names[INV_REASON_COUNT] = {
	"unspecified",    "unknown_zone",   "wrong_temperature_class",
	"over_capacity",  "expired",        "bad_quantity",
	"invalid",        "duplicate_lot",  "unknown_lot",
	"unknown_order",  "zone_not_empty", "below_reserved",
	"already_picked",
};

int
inventory_status_final(int st)
{
	return st == OST_DELIVERED || st == OST_REJECTED ||
	       st == OST_CANCELLED || st == OST_FAILED;
}

const char *
inventory_reason_name(int r)
{
	return r >= 0 && r < INV_REASON_COUNT ? reason_names[r] : "unknown";
}
