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

#include <jansson.h>

#include "lz_route.h"

/* The two JSON input formats: ours (documented in docs/routing.md) and
 * VROOM's (its docs/API.md): the same reader, with VROOM's defaults
 * (profile "car", cost = travel time: per_hour 3600, per_km 0). */
enum route_json_dialect { ROUTE_JSON_LZ, ROUTE_JSON_VROOM };

/* Read a problem from text (or, if text is NULL, from the file name) in a
 * dialect.  Returns 0 and a new problem in *out (caller owns), and, if doc
 * is not NULL, the parsed document in *doc (caller owns: json_decref; the
 * VROOM writer echoes descriptions and coordinates from it).  Errors:
 * LZ_ROUTE_EIO, LZ_ROUTE_EPARSE with a message in err ("name:line:column:
 * ..." for syntax errors, "name: jobs[3]: ..." for content: every field
 * that is not honoured is refused by name). */
int route_json_load(const char *name, const char *text,
		    enum route_json_dialect dialect,
		    struct lz_route_problem **out, json_t **doc, char *err,
		    size_t errlen);

/* Write solution s of problem p in VROOM's output shape (code, summary,
 * routes with steps start/job/pickup/delivery/break/end, unassigned with
 * reasons).  doc: the document p was read from (route_json_load), or
 * NULL.  Returns 0, or LZ_ROUTE_EIO. */
int route_json_write_vroom(FILE *f, const struct lz_route_problem *p,
			   const struct lz_route_solution *s, json_t *doc);

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
