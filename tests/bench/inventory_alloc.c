/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench-inventory-alloc -- the baseline of bench-inventory: the pure FEFO
 * allocation alone (no LMDB, no bus) over the same stock as the daemon
 * run: LOTS lots of PRODUCTS products, 100 units each; N one-line orders
 * of 1..3 units of a random product, each allocated over that product's
 * lots (as the daemon's by-product index gives them).
 * Prints "per_s=R allocations=N".
 */
#include "alloc.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	size_t nlots = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t nprod = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	size_t n = argc > 3 ? strtoul(argv[3], NULL, 10) : 20000;
	struct inv_alloc_lot *lots = xcalloc(nlots, sizeof(*lots));
	char(*ids)[24] = xcalloc(nlots, sizeof(*ids));
	char(*prods)[24] = xcalloc(nprod, sizeof(*prods));
	size_t per = nlots / nprod, units = 0;
	int64_t t0;
	double secs;

	if (per == 0 || n == 0)
		return 2;
	for (size_t p = 0; p < nprod; p++)
		snprintf(prods[p], sizeof(prods[p]), "p%zu", p);
	/* Lots grouped by product, as the index returns them. */
	for (size_t i = 0; i < nlots; i++) {
		snprintf(ids[i], sizeof(ids[i]), "L%zu", i);
		lots[i] = (struct inv_alloc_lot){
			ids[i],
			"m0",
			prods[(i / per) % nprod],
			2,
			INV_DATE_USE_BY,
			1900000000 + (int64_t)(i % 97) * 3600,
			1800000000,
			100,
			0};
	}
	srand(42);
	t0 = lz_mono_us();
	for (size_t k = 0; k < n; k++) {
		size_t p = (size_t)rand() % nprod;
		struct inv_alloc_line line = {prods[p], 2, 1 + rand() % 3};
		struct inv_alloc_request req = {"m0", 0,     1800086400,
						0,    &line, 1};
		struct inv_alloc_result r;

		inv_alloc(&req, lots + p * per, per, &r);
		for (size_t i = 0; i < r.npicks; i++) {
			lots[p * per + r.picks[i].lot].available -=
				r.picks[i].quantity;
			units += (size_t)r.picks[i].quantity;
		}
		inv_alloc_result_release(&r);
	}
	secs = (double)(lz_mono_us() - t0) / 1e6;
	printf("per_s=%.0f allocations=%zu units=%zu\n", (double)n / secs, n,
	       units);
	free(prods);
	free(ids);
	free(lots);
	return 0;
}
