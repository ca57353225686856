/*
 * codec.c -- see codec.h.
 */
#include "codec.h"

#include "lz_util.h"

#include <strings.h>

/* Indexed by value; the same order as OrderStatus in orders.proto. */
static const char *const status_names[ST_COUNT] = {
	"unspecified", "placed",   "confirmed",        "planned",
	"picked_up",   "at_hub",   "out_for_delivery", "at_bike_relay",
	"delivered",   "rejected", "cancelled",        "failed",
};

static const char *const reason_names[RJ_COUNT] = {
	"unspecified",
	"unknown_site",
	"unknown_pickup_site",
	"window_in_past",
	"window_invalid",
	"site_closed",
	"no_lines",
	"bad_quantity",
	"temperature_not_accepted",
	"duplicate_reference",
	"unknown_order",
	"too_late",
	"bad_source",
	"unknown_member",
	"invalid",
	"bad_temperature_class",
};

const char *
orders_status_name(int st)
{
	return st >= 0 && st < ST_COUNT ? status_names[st] : "unknown";
}

int
orders_status_parse(const char *name)
{
	static const char prefix[] = "ORDER_STATUS_";

	if (name == NULL)
		return ST_UNSPECIFIED;
	if (strncasecmp(name, prefix, sizeof(prefix) - 1) == 0)
		name += sizeof(prefix) - 1;
	for (int st = ST_PLACED; st < ST_COUNT; st++)
		if (strcasecmp(name, status_names[st]) == 0)
			return st;
	return ST_UNSPECIFIED;
}

const char *
orders_reason_name(int rj)
{
	return rj >= 0 && rj < RJ_COUNT ? reason_names[rj] : "unknown";
}
