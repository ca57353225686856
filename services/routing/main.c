/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * main.c -- lz-route, the routing engine's command-line solver.
 *
 *   lz-route [OPTIONS] solomon|lilim|json|vroom FILE
 *   lz-route [OPTIONS] FILE          (the format told by the content)
 *
 * Exit status: 0 solved, 1 unreadable or malformed input, 2 bad usage,
 * 3 the solution failed the independent feasibility check (a bug).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz_route.h"
#include "route_json.h"

#ifndef LZ_VERSION
#define LZ_VERSION "unknown"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: lz-route [OPTIONS] [solomon|lilim|json|vroom] FILE\n"
		"Solve a vehicle-routing problem: a Solomon VRPTW or Li & Lim "
		"PDPTW\ninstance, a JSON problem (ours) or a VROOM input. "
		"Without a format,\nJSON files are read as VROOM's, text "
		"files as Solomon or Li & Lim.\n\n"
		"  -t, --time-limit SECONDS  search time (default 1; 0 = no "
		"limit,\n"
		"                            then --iterations is required)\n"
		"  -i, --iterations N        stop after N ruin-and-recreate "
		"iterations;\n"
		"                            with a seed, reproducible "
		"(use -t 0)\n"
		"  -s, --seed N              random seed (default 1)\n"
		"  -o, --output FORMAT       sintef (\"Route 1 : 5 3 7\" "
		"lines, "
		"then\n"
		"                            \"Cost <distance>\") or json; "
		"default sintef\n"
		"                            for solomon and lilim, json "
		"otherwise (VROOM's\n"
		"                            shape for vroom input)\n"
		"      --objective MODE      cost (default: the vehicles' "
		"fixed, per km\n"
		"                            and per hour costs) or "
		"vehicles-distance\n"
		"                            (fewest vehicles first)\n"
		"      --no-local-search     ruin-and-recreate only\n"
		"  -h, --help                this help\n"
		"  -V, --version             print the version\n");
}

static int
parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < 0 ? -1 : 0;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s || *end ? -1 : 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The format of a file without one named: JSON by its first character,
 * else Li & Lim when its first line holds three numbers, else Solomon. */
static const char *
guess_kind(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int c;
	double a, b, d;
	char extra;

	if (f == NULL)
		return "solomon"; /* the reader reports the error */
	while ((c = fgetc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	if (c == '{') {
		fclose(f);
		return "vroom";
	}
	ungetc(c, f);
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, "%lf %lf %lf %c", &a, &b, &d, &extra) == 3) {
		fclose(f);
		return "lilim";
	}
	fclose(f);
	return "solomon";
}

static int64_t
stop_id(const struct lz_route_problem *p, const struct lz_route_stop *st)
{
	if (st->type == LZ_ROUTE_STOP_JOB)
		return lz_route_problem_job(p, st->index)->id;
	if (st->type == LZ_ROUTE_STOP_PICKUP)
		return lz_route_problem_shipment(p, st->index)->pickup.id;
	return lz_route_problem_shipment(p, st->index)->delivery.id;
}

/* Whether ids alone name the stops: no id is shared by a job, a pickup
 * or a delivery (as in Solomon and Li & Lim files). */
static bool
ids_unique(const struct lz_route_problem *p)
{
	int nj = lz_route_problem_njobs(p), ns = lz_route_problem_nshipments(p);
	int64_t *ids = calloc((size_t)(nj + 2 * ns) + 1, sizeof(int64_t));
	int n = 0;
	bool ok = true;

	if (ids == NULL)
		return false;
	for (int i = 0; i < nj; i++)
		ids[n++] = lz_route_problem_job(p, i)->id;
	for (int i = 0; i < ns; i++) {
		ids[n++] = lz_route_problem_shipment(p, i)->pickup.id;
		ids[n++] = lz_route_problem_shipment(p, i)->delivery.id;
	}
	qsort(ids, (size_t)n, sizeof(int64_t), cmp_i64);
	for (int i = 1; i < n && ok; i++)
		ok = ids[i] != ids[i - 1];
	free(ids);
	return ok;
}

/* One line per route: stop ids, typed ("p7", "d7", "b1" for a pickup, a
 * delivery, a break) unless ids alone are unambiguous and there are no
 * breaks. */
static void
write_sintef(FILE *f, const struct lz_route_problem *p,
	     const struct lz_route_solution *s)
{
	bool plain = ids_unique(p);

	for (int r = 0; r < s->nroutes && plain; r++)
		for (int k = 0; k < s->routes[r].nstops; k++)
			if (s->routes[r].stops[k].type == LZ_ROUTE_STOP_BREAK)
				plain = false;
	for (int r = 0; r < s->nroutes; r++) {
		const struct lz_route_route *rt = &s->routes[r];

		fprintf(f, "Route %d :", r + 1);
		for (int k = 0; k < rt->nstops; k++) {
			const struct lz_route_stop *st = &rt->stops[k];

			if (st->type == LZ_ROUTE_STOP_START ||
			    st->type == LZ_ROUTE_STOP_END)
				continue;
			if (st->type == LZ_ROUTE_STOP_BREAK) {
				fprintf(f, " b%lld",
					(long long)lz_route_problem_vehicle(
						p, rt->vehicle)
						->breaks[st->index]
						.id);
				continue;
			}
			fprintf(f,
				plain                                ? " %lld"
				: st->type == LZ_ROUTE_STOP_PICKUP   ? " p%lld"
				: st->type == LZ_ROUTE_STOP_DELIVERY ? " d%lld"
								     : " %lld",
				(long long)stop_id(p, st));
		}
		fputc('\n', f);
	}
	fprintf(f, "Cost %.2f\n", s->distance);
	for (int k = 0; k < s->nunassigned; k++) {
		const struct lz_route_unassigned *u = &s->unassigned[k];

		fprintf(stderr, "unassigned %s %lld: %s\n",
			u->shipment ? "shipment" : "job",
			(long long)(u->shipment
					    ? lz_route_problem_shipment(
						      p, u->index)
						      ->pickup.id
					    : lz_route_problem_job(p, u->index)
						      ->id),
			lz_route_reason_str(u->reason));
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"time-limit", required_argument, NULL, 't'},
		{"iterations", required_argument, NULL, 'i'},
		{"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"no-local-search", no_argument, NULL, 'L'},
		{"objective", required_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	struct lz_route_options o;
	struct lz_route_problem *p = NULL;
	struct lz_route_solution *s = NULL;
	const char *output = NULL, *kind, *path;
	char err[1024];
	uint64_t u;
	int c, rc, status = 0;
	bool json, vroom;
	json_t *doc = NULL;

	lz_route_options_init(&o);
	while ((c = getopt_long(argc, argv, "t:i:s:o:hV", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 't':
			if (parse_double(optarg, &o.time_limit)) {
				fprintf(stderr,
					"lz-route: bad --time-limit "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			if (parse_u64(optarg, &u) || u > INT64_MAX) {
				fprintf(stderr,
					"lz-route: bad --iterations "
					"'%s'\n",
					optarg);
				return 2;
			}
			o.iterations = (int64_t)u;
			break;
		case 's':
			if (parse_u64(optarg, &o.seed)) {
				fprintf(stderr, "lz-route: bad --seed '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			output = optarg;
			if (strcmp(output, "sintef") &&
			    strcmp(output, "json")) {
				fprintf(stderr,
					"lz-route: --output is sintef or "
					"json\n");
				return 2;
			}
			break;
		case 'L':
			o.local_search = 0;
			break;
		case 'O':
			if (strcmp(optarg, "cost") == 0) {
				o.objective = LZ_ROUTE_OBJECTIVE_COST;
			} else if (strcmp(optarg, "vehicles-distance") == 0) {
				o.objective = LZ_ROUTE_OBJECTIVE_VEHICLES;
			} else {
				fprintf(stderr, "lz-route: --objective is cost "
						"or vehicles-distance\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("lz-route %s\n", LZ_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 && argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if (o.time_limit <= 0 && o.iterations <= 0) {
		fprintf(stderr,
			"lz-route: --time-limit 0 needs --iterations\n");
		return 2;
	}
	path = argv[argc - 1];
	kind = argc - optind == 2 ? argv[optind] : guess_kind(path);
	vroom = strcmp(kind, "vroom") == 0;
	if (strcmp(kind, "solomon") == 0) {
		json = false;
		rc = lz_route_solomon_read(path, &p, err, sizeof(err));
	} else if (strcmp(kind, "lilim") == 0) {
		json = false;
		rc = lz_route_lilim_read(path, &p, err, sizeof(err));
	} else if (strcmp(kind, "json") == 0 || vroom) {
		json = true;
		rc = route_json_load(path, NULL,
				     vroom ? ROUTE_JSON_VROOM : ROUTE_JSON_LZ,
				     &p, &doc, err, sizeof(err));
	} else {
		fprintf(stderr,
			"lz-route: unknown format '%s' (solomon, lilim, json "
			"or vroom)\n",
			kind);
		return 2;
	}
	if (rc) {
		fprintf(stderr, "lz-route: %s\n", err);
		return 1;
	}
	if (output == NULL)
		output = json ? "json" : "sintef";
	rc = lz_route_solve(p, &o, &s);
	if (rc) {
		fprintf(stderr, "lz-route: %s: %s\n", path,
			lz_route_strerror(rc));
		lz_route_problem_destroy(&p);
		json_decref(doc);
		return 1;
	}
	rc = lz_route_check(p, s, 0, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lz-route: solution failed the check: %s\n",
			err);
		status = 3;
	}
	if (strcmp(output, "json") == 0 && vroom)
		rc = route_json_write_vroom(stdout, p, s, doc);
	else if (strcmp(output, "json") == 0)
		rc = route_json_write(stdout, p, s);
	else
		write_sintef(stdout, p, s);
	if (rc || fflush(stdout) == EOF) {
		fprintf(stderr, "lz-route: writing the solution failed\n");
		status = 1;
	}
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
	json_decref(doc);
	return status;
}
