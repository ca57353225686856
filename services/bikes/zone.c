/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * zone.c -- see zone.h.
 */
#include "zone.h"

#include "lz_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tolerance of "on the edge", degrees (about 1 cm). */
#define EDGE_EPS 1e-7

static int
parse_ring(const char *s, size_t len, struct bikes_ring *r, char *err,
	   size_t errlen, size_t index)
{
	char *text = xstrndup(s, len), *save = NULL, *tok;
	size_t cap = 0;

	r->n = 0;
	r->xy = NULL;
	for (tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		double lon, lat;
		char extra;

		if (sscanf(tok, "%lf %lf %c", &lon, &lat, &extra) != 2 ||
		    !isfinite(lon) || !isfinite(lat) || lon < -180 ||
		    lon > 180 || lat < -90 || lat > 90) {
			snprintf(err, errlen,
				 "polygon %zu, vertex %zu: want \"lon lat\" "
				 "in degrees",
				 index + 1, r->n + 1);
			goto fail;
		}
		if (r->n == cap) {
			cap = cap ? 2 * cap : 8;
			r->xy = xrealloc(r->xy, cap * 2 * sizeof(double));
		}
		r->xy[2 * r->n] = lon;
		r->xy[2 * r->n + 1] = lat;
		r->n++;
	}
	/* A closing vertex equal to the first one is implied. */
	if (r->n > 1 && r->xy[0] == r->xy[2 * (r->n - 1)] &&
	    r->xy[1] == r->xy[2 * (r->n - 1) + 1])
		r->n--;
	if (r->n < 3) {
		snprintf(err, errlen, "polygon %zu: at least 3 vertices",
			 index + 1);
		goto fail;
	}
	free(text);
	return 0;
fail:
	free(text);
	free(r->xy);
	r->xy = NULL;
	r->n = 0;
	return -1;
}

int
bikes_zone_parse(const char *text, struct bikes_zone *z, char *err,
		 size_t errlen)
{
	const char *p = text ? text : "";

	z->n = 0;
	z->rings = NULL;
	while (*p) {
		size_t len = strcspn(p, ";");
		struct bikes_ring r;

		if (strspn(p, " \t\r\n") < len) {
			if (parse_ring(p, len, &r, err, errlen, z->n) != 0) {
				bikes_zone_free(z);
				return -1;
			}
			z->rings = xrealloc(z->rings,
					    (z->n + 1) * sizeof(*z->rings));
			z->rings[z->n++] = r;
		}
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

void
bikes_zone_free(struct bikes_zone *z)
{
	for (size_t i = 0; i < z->n; i++)
		free(z->rings[i].xy);
	free(z->rings);
	z->rings = NULL;
	z->n = 0;
}

/* Whether P is on the segment A-B (within EDGE_EPS). */
static int
on_segment(double px, double py, double ax, double ay, double bx, double by)
{
	double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, t, cx, cy;

	if (len2 == 0)
		return fabs(px - ax) <= EDGE_EPS && fabs(py - ay) <= EDGE_EPS;
	t = ((px - ax) * dx + (py - ay) * dy) / len2;
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	cx = ax + t * dx;
	cy = ay + t * dy;
	return hypot(px - cx, py - cy) <= EDGE_EPS;
}

int
bikes_ring_contains(const struct bikes_ring *r, double lon, double lat)
{
	int inside = 0;

	for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
		double xi = r->xy[2 * i], yi = r->xy[2 * i + 1];
		double xj = r->xy[2 * j], yj = r->xy[2 * j + 1];

		if (on_segment(lon, lat, xj, yj, xi, yi))
			return 1;
		/* Even-odd rule: a ray towards +lon crosses edge j-i. */
		if ((yi > lat) != (yj > lat) &&
		    lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
			inside = !inside;
	}
	return inside;
}

int
bikes_zone_contains(const struct bikes_zone *z, double lon, double lat)
{
	if (z->n == 0)
		return 1;
	for (size_t i = 0; i < z->n; i++)
		if (bikes_ring_contains(&z->rings[i], lon, lat))
			return 1;
	return 0;
}
