/*
 * codec.c -- see codec.h.
 */
#include "codec.h"

#include "lz_util.h"

static const char *const reason_names[RS_COUNT] = {
	"unspecified",     "unknown_site",
	"no_hub",          "no_vehicle",
	"skills",          "capacity",
	"time_window",     "no_room",
	"unknown_vehicle", "unknown_tour",
	"bad_stop",        "bad_state",
	"invalid",         "unknown_vehicle_hub",
	"no_relay",        "duplicate",
	"max_duration",    "max_distance",
};

static const char *const kind_names[] = {
	"unspecified", "delivery", "pickup", "collection", "relay_delivery",
};

int
tours_class_index(int tc)
{
	return tc >= 1 && tc <= TOURS_NCLASSES ? tc - 1 : 0;
}

const char *
tours_reason_name(int rs)
{
	return rs >= 0 && rs < RS_COUNT ? reason_names[rs] : "unknown";
}

const char *
tours_kind_name(int tk)
{
	return tk >= 0 && tk < (int)LZ_ARRAY_LEN(kind_names) ? kind_names[tk]
							     : "unknown";
}
