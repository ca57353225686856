/*
 * timeline.c -- the drivers' reports of a wave in the order of the
 * accelerated clock.
 */
#include "sim.h"

#include "lz_util.h"

#include <stdlib.h>

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
