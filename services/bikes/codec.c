/*
 * codec.c -- see codec.h.
 */
#include "codec.h"

#include "lz_util.h"

/* Indexed by the lz.bikes.v1.Reason value (12 is reserved). */
static const char *const reason_names[] = {
	"unspecified",    "invalid",        "unknown_rider",
	"unknown_bike",   "unknown_parcel", "unknown_run",
	"unknown_pickup", "unknown_site",   "not_on_rider_run",
	"out_of_zone",    "too_heavy",      "no_insulated_bike",
	"unknown",        "no_shift",       "on_shift",
	"bad_state",      "duplicate",      "no_rider",
	"time_window",    "no_relay",       "no_room",
};

static const char *const parcel_status_names[] = {
	"unspecified", "expected", "at_relay",       "planned",   "on_bike",
	"delivered",   "failed",   "at_relay_point", "cancelled",
};

const char *
bikes_reason_name(int rs)
{
	return rs >= 0 && rs < (int)LZ_ARRAY_LEN(reason_names)
		       ? reason_names[rs]
		       : "unknown";
}

const char *
bikes_parcel_status_name(int ps)
{
	return ps >= 0 && ps < (int)LZ_ARRAY_LEN(parcel_status_names)
		       ? parcel_status_names[ps]
		       : "unknown";
}
