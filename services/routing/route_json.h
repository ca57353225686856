/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_json.h -- the JSON problem format of lz-route (documented in
 * services/routing/README.md) and the JSON solution output.  Uses jansson;
 * kept out of liblzrouting so that the library has no dependency.
 */
#ifndef ROUTE_JSON_H
#define ROUTE_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "lz_route.h"

/* Read a JSON problem from path.  Returns 0 and a new problem in *out
 * (caller owns: lz_route_problem_destroy), or LZ_ROUTE_EIO /
 * LZ_ROUTE_EPARSE with a message in err: "path:line:column: ..." for
 * syntax errors, "path: jobs[3].time_windows: ..." for content errors. */
int route_json_read(const char *path, struct lz_route_problem **out, char *err,
		    size_t errlen);

/* Parse a problem from a string (same format, same errors; name is used
 * in messages). */
int route_json_parse(const char *text, const char *name,
		     struct lz_route_problem **out, char *err, size_t errlen);

/* Write solution s of problem p as JSON to f (ids are the caller's).
 * Returns 0, or LZ_ROUTE_EIO if writing fails. */
int route_json_write(FILE *f, const struct lz_route_problem *p,
		     const struct lz_route_solution *s);

#endif
