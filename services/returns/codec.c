/*
 * codec.c -- see codec.h.
 */
#include "codec.h"

#include "lz_util.h"

static const char *const level_names[LV_COUNT] = {
	"unspecified", "donation",  "transformation", "animal_feed",
	"composting",  "recycling", "disposal",
};

static const char *const kind_names[] = {
	"unspecified", "unsold_food", "biowaste", "packaging", "co_product",
};

static const char *const reason_names[RR_COUNT] = {
	"unspecified",     "invalid",       "unknown_container_type",
	"bad_quantity",    "unknown_site",  "unknown_flow",
	"not_your_outlet", "bad_state",     "duplicate",
	"bad_account",     "insufficient",  "bad_kind",
	"bad_hours",       "not_your_site", "unknown_member",
};

static const char *const status_names[] = {
	"unspecified", "opened", "assigned", "collected", "closed",
};

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "unknown";
}

const char *
returns_level_name(int level)
{
	return name_of(level_names, LZ_ARRAY_LEN(level_names), level);
}

const char *
returns_kind_name(int kind)
{
	return name_of(kind_names, LZ_ARRAY_LEN(kind_names), kind);
}

const char *
returns_reason_name(int reason)
{
	return name_of(reason_names, LZ_ARRAY_LEN(reason_names), reason);
}

const char *
returns_status_name(int status)
{
	return name_of(status_names, LZ_ARRAY_LEN(status_names), status);
}
