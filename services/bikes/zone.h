/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * zone.h -- the centre zone: one or more polygons on WGS84 coordinates,
 * from the configuration.  A site inside it is served by bike.
 *
 * Text form (option centre-zone): polygons separated by ';', each a list of
 * at least three "lon lat" vertices separated by ',', e.g.
 *
 *   5.36 43.29, 5.39 43.29, 5.39 43.31, 5.36 43.31; 5.40 43.30, ...
 *
 * The ring closes by itself (repeating the first vertex is allowed).
 * Longitude and latitude are degrees; the polygons are small (a city
 * centre), so edges are straight lines in (lon, lat).  A point on an edge
 * or a vertex is inside.  An empty zone (no polygon) contains every point.
 */
#ifndef BIKES_ZONE_H
#define BIKES_ZONE_H

#include <stddef.h>

struct bikes_ring {
	size_t n;   /* vertices (the closing one not repeated) */
	double *xy; /* lon0, lat0, lon1, lat1... */
};

struct bikes_zone {
	size_t n;
	struct bikes_ring *rings;
};

/* Parses TEXT into Z (zeroed by the caller; free with bikes_zone_free).
 * Returns 0, or -1 with a message in ERR (Z is then empty). */
int bikes_zone_parse(const char *text, struct bikes_zone *z, char *err,
		     size_t errlen);
void bikes_zone_free(struct bikes_zone *z);

/* Whether (LON, LAT) is inside one of the polygons of Z, or on an edge;
 * 1 for every point when Z has no polygon. */
int bikes_zone_contains(const struct bikes_zone *z, double lon, double lat);
/* The same for one polygon. */
int bikes_ring_contains(const struct bikes_ring *r, double lon, double lat);

#endif
