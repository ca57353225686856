/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * forecast.c -- see forecast.h.
 */
#include "forecast.h"

struct returns_forecast
returns_forecast(const struct returns_return *history, size_t n,
		 int64_t containers, int64_t capacity, int64_t now,
		 int64_t window, int64_t lead)
{
	struct returns_forecast f = {0, 0, 0};
	int64_t total = 0, oldest = now, span;

	for (size_t i = 0; i < n; i++) {
		if (history[i].at > now || history[i].at < now - window ||
		    history[i].count <= 0)
			continue;
		total += history[i].count;
		if (history[i].at < oldest)
			oldest = history[i].at;
	}
	span = now - oldest < 86400 ? 86400 : now - oldest;
	if (total > 0)
		f.rate_per_day_milli = total * 86400 * 1000 / span;
	if (containers >= capacity)
		f.full_at = now;
	else if (total > 0)
		/* Seconds to fill the room left at TOTAL per SPAN, rounded
		 * down: better a little early than full. */
		f.full_at = now + (capacity - containers) * span / total;
	f.due = containers > 0 && f.full_at > 0 && f.full_at - now <= lead;
	return f;
}
