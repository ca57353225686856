/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * forecast.h -- when a collection point's stock of empties will be full,
 * from its history of returns, and whether to ask for a collection now.
 * Pure functions.
 */
#ifndef RETURNS_FORECAST_H
#define RETURNS_FORECAST_H

#include <stddef.h>
#include <stdint.h>

/* One return: COUNT empties brought to the point at AT. */
struct returns_return {
	int64_t at;
	int64_t count;
};

struct returns_forecast {
	int64_t rate_per_day_milli; /* returns per day x 1000; 0: no history */
	int64_t full_at;            /* 0: unknown (no history); <= now: full */
	int due;                    /* a collection should be requested now */
};

/* The forecast at NOW of a point holding CONTAINERS of CAPACITY, from the
 * N returns of HISTORY within the last WINDOW seconds (older ones are
 * ignored): the rate is what came back over the time since the oldest
 * return counted (at least one day), the point is full when CONTAINERS
 * plus that rate reaches CAPACITY.  A collection is due when the point
 * holds anything and is full, or will be within LEAD seconds. */
struct returns_forecast returns_forecast(const struct returns_return *history,
					 size_t n, int64_t containers,
					 int64_t capacity, int64_t now,
					 int64_t window, int64_t lead);

#endif
