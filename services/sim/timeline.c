/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * timeline.c -- the drivers' reports of a wave in the order of the
 * accelerated clock.
 */
#include "sim.h"

#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
step_cmp(const void *a, const void *b)
{
	const struct sim_step *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->tour != y->tour)
		return x->tour < y->tour ? -1 : 1;
	if (x->stop != y->stop)
		return x->stop < y->stop ? -1 : 1;
	return (int)x->act - (int)y->act;
}

struct sim_step *
sim_timeline(const struct sim_tour_plan *tours, size_t n, size_t *n_out)
{
	size_t cap = 0, k = 0;
	struct sim_step *v;

	for (size_t i = 0; i < n; i++)
		cap += 2 + 2 * (size_t)tours[i].n_stops;
	v = xcalloc(cap ? cap : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const struct sim_tour_plan *t = &tours[i];
		unsigned last = t->n_stops ? t->n_stops - 1 : 0;

		v[k++] = (struct sim_step){t->n_stops ? t->departure[0]
						      : t->start,
					   (int)i, 0, SIM_ACT_START};
		for (unsigned s = 1; s < last; s++) {
			v[k++] = (struct sim_step){t->arrival[s], (int)i, s,
						   SIM_ACT_ARRIVE};
			v[k++] = (struct sim_step){t->departure[s], (int)i, s,
						   SIM_ACT_DONE};
		}
		v[k++] = (struct sim_step){t->n_stops ? t->arrival[last]
						      : t->end,
					   (int)i, last, SIM_ACT_END};
	}
	qsort(v, k, sizeof(*v), step_cmp);
	*n_out = k;
	return v;
}

int64_t
sim_sleep_ms(int64_t from, int64_t to, double speed, int64_t max_ms)
{
	double ms;

	if (to <= from || speed <= 0)
		return 0;
	ms = (double)(to - from) * 1000.0 / speed;
	return ms > (double)max_ms ? max_ms : (int64_t)ms;
}

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL; /* field separator */
}

void
sim_msg_id(struct sim_ids *ids, uint64_t seed, const char *date,
	   const char *partner, const char *type, const char *text,
	   char out[64])
{
	uint64_t h = fnv1a(fnv1a(fnv1a(1469598103934665603ULL, partner), type),
			   text);
	size_t i;

	for (i = 0; i < ids->n && ids->hash[i] != h; i++)
		;
	if (i == ids->n) {
		if (ids->n == ids->cap) {
			ids->cap = ids->cap ? 2 * ids->cap : 256;
			ids->hash = xrealloc(ids->hash,
					     ids->cap * sizeof(*ids->hash));
			ids->count = xrealloc(ids->count,
					      ids->cap * sizeof(*ids->count));
		}
		ids->hash[i] = h;
		ids->count[i] = 0;
		ids->n++;
	}
	snprintf(out, 64, "s%llu-%.10s-%016llx-%u", (unsigned long long)seed,
		 date, (unsigned long long)h, ++ids->count[i]);
}

void
sim_ids_release(struct sim_ids *ids)
{
	free(ids->hash);
	free(ids->count);
	memset(ids, 0, sizeof(*ids));
}
