/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_routing.c -- solve every Solomon instance listed in the
 * distance-only BKS table, check each solution with the independent
 * checker, and print distance, vehicles, gap and time per instance, then
 * the average, median and worst gap.  Then time per iteration and peak
 * memory on a generated 1,000-job problem.
 *
 * Then the Li & Lim instances of --lilim DIR with the cost objective and
 * with vehicles first, and the price of the driver rules (breaks,
 * max_tasks, max travel time), each against a baseline of the same run.
 *
 * Usage: bench_routing [--time S | --iterations N] [--dir DIR] [--seed N]
 *                      [--lilim DIR] [--only NAME] [--no-large]
 * --iterations applies to the generated problem too: its figures are then
 * reproducible and independent of the machine's load.
 * Exit status 1 if a solution is infeasible or an instance cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lz_route.h"
#include "lz_util.h"

#define MAX_INST 128

struct inst {
	char name[64];
	double bks;
	double dist, secs, gap;
	int vehicles;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
read_bks(const char *path, struct inst *in, int max)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && n < max) {
		int veh;

		if (sscanf(line, "%63s %d %lf", in[n].name, &veh, &in[n].bks) ==
		    3)
			n++;
	}
	fclose(f);
	return n;
}

/* A 1,000-job problem in the spirit of Solomon's RC2: clustered and
 * random customers, windows of various widths, 50 vehicles; with rules,
 * every vehicle has a break, max_tasks and a maximum travel time. */
static struct lz_route_problem *
large_problem(int njobs, uint64_t seed, int rules)
{
	struct lz_route_problem *p = lz_route_problem_new(1);
	uint64_t s = seed;
	struct lz_route_vehicle veh;

	lz_route_problem_add_location(p, 500, 500);
	for (int i = 0; i < njobs; i++) {
		struct lz_route_job job;
		double x, y, c;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		x = (double)((s >> 33) % 1000);
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		y = (double)((s >> 33) % 1000);
		if (i % 2) { /* pull half of them into 10 clusters */
			int k = (i / 2) % 10;

			x = 100 + 80 * k + (x - 500) / 20;
			y = 100 + (k * 379) % 800 + (y - 500) / 20;
		}
		lz_route_problem_add_location(p, x, y);
		lz_route_job_init(&job);
		job.id = i + 1;
		job.location = i + 1;
		job.service = 10;
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		c = (double)((s >> 33) % 7000) + 800;
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		job.tw[0].start = c - (double)((s >> 33) % 600) - 60;
		job.tw[0].end = c + 60;
		if (job.tw[0].start < 0)
			job.tw[0].start = 0;
		job.delivery[0] = 1 + (int64_t)((s >> 40) % 30);
		lz_route_problem_add_job(p, &job);
	}
	lz_route_vehicle_init(&veh);
	veh.capacity[0] = 400;
	veh.shift.start = 0;
	veh.shift.end = 10000;
	if (rules) { /* a driver's day: a break, a cap on stops and driving */
		lz_route_break_init(&veh.breaks[0]);
		veh.breaks[0].tw[0].start = 3000;
		veh.breaks[0].tw[0].end = 5000;
		veh.breaks[0].service = 600;
		veh.nbreaks = 1;
		veh.max_tasks = 40;
		veh.max_travel_time = 6000;
	}
	for (int v = 0; v < 50; v++) {
		veh.id = v + 1;
		lz_route_problem_add_vehicle(p, &veh);
	}
	return p;
}

/* The generated problem for secs seconds, or iters iterations if > 0
 * (reproducible, and a measure of work independent of the machine's
 * load). */
static int
run_large(double secs, int64_t iters, uint64_t seed)
{
	struct lz_route_problem *p = large_problem(1000, 42, 0);
	struct lz_route_options o;
	struct lz_route_solution *s = NULL;
	struct rusage ru;
	char msg[256];
	int rc;

	lz_route_options_init(&o);
	o.time_limit = iters > 0 ? 0 : secs;
	o.iterations = iters;
	o.seed = seed;
	rc = lz_route_solve(p, &o, &s);
	if (rc) {
		fprintf(stderr, "large: %s\n", lz_route_strerror(rc));
		lz_route_problem_destroy(&p);
		return 1;
	}
	rc = lz_route_check(p, s, 0, msg, sizeof(msg));
	getrusage(RUSAGE_SELF, &ru);
	if (iters > 0)
		printf("\nGenerated problem: 1000 jobs, 50 vehicles, %lld "
		       "iterations\n",
		       (long long)iters);
	else
		printf("\nGenerated problem: 1000 jobs, 50 vehicles, %.1f s\n",
		       secs);
	printf("  iterations      %lld\n", (long long)s->iterations);
	printf("  time/iteration  %.1f us (%.0f iterations/s)\n",
	       s->iterations ? s->elapsed * 1e6 / (double)s->iterations : 0,
	       s->elapsed > 0 ? (double)s->iterations / s->elapsed : 0);
	printf("  routes          %d, unassigned %d, distance %.2f\n",
	       s->nroutes, s->nunassigned, s->distance);
	printf("  feasible        %s%s\n", rc ? "NO: " : "yes", rc ? msg : "");
	printf("  peak RSS        %.1f MiB (whole benchmark process)\n",
	       (double)ru.ru_maxrss / 1024.0);
	lz_route_solution_destroy(&s);
	lz_route_problem_destroy(&p);
	return rc ? 1 : 0;
}

/* Li & Lim instances at secs each, with the cost objective (the
 * baseline) and with vehicles first, in the same run: vehicles at the
 * best-known count, and the ratio of the two counts. */
static int
run_lilim(const char *dir, double secs, int64_t iters, uint64_t seed)
{
	char path[2048], line[256], name[64], err[512], msg[256];
	int at[2] = {0, 0}, n = 0, bad = 0;
	double gsum[2] = {0, 0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/BKS-hierarchical.tsv", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		printf("\nLi & Lim: no %s, skipped\n", path);
		return 0;
	}
	printf("\nLi & Lim PDPTW, %.1f s per instance and objective, seed "
	       "%llu\n\n%-8s %4s %10s | %4s %10s | %4s %10s\n",
	       secs, (unsigned long long)seed, "instance", "bks", "distance",
	       "cost", "distance", "veh1", "distance");
	while (fgets(line, sizeof(line), f)) {
		int bv, veh[2];
		double bd, dist[2];

		if (sscanf(line, "%63s %d %lf", name, &bv, &bd) != 3)
			continue;
		for (int obj = 0; obj < 2; obj++) {
			struct lz_route_problem *p = NULL;
			struct lz_route_solution *s = NULL;
			struct lz_route_options o;

			snprintf(path, sizeof(path), "%s/%.63s.txt", dir, name);
			if (lz_route_lilim_read(path, &p, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			lz_route_options_init(&o);
			o.time_limit = iters > 0 ? 0 : secs;
			o.iterations = iters;
			o.seed = seed;
			o.objective = obj ? LZ_ROUTE_OBJECTIVE_VEHICLES
					  : LZ_ROUTE_OBJECTIVE_COST;
			if (lz_route_solve(p, &o, &s) ||
			    lz_route_check(p, s, 0, msg, sizeof(msg)) ||
			    s->nunassigned) {
				fprintf(stderr, "%s: infeasible or failed\n",
					name);
				bad++;
			}
			veh[obj] = s ? s->nroutes : 0;
			dist[obj] = s ? s->distance : 0;
			at[obj] += s && s->nroutes <= bv;
			gsum[obj] += s ? 100.0 * (s->distance - bd) / bd : 0;
			lz_route_solution_destroy(&s);
			lz_route_problem_destroy(&p);
		}
		printf("%-8s %4d %10.2f | %4d %10.2f | %4d %10.2f\n", name, bv,
		       bd, veh[0], dist[0], veh[1], dist[1]);
		fflush(stdout);
		n++;
	}
	fclose(f);
	if (n)
		printf("\nvehicles at BKS: cost objective %d/%d, "
		       "vehicles-first "
		       "%d/%d (ratio %.2f); average distance gap %.2f%% and "
		       "%.2f%%\n",
		       at[0], n, at[1], n, at[0] ? (double)at[1] / at[0] : 0,
		       gsum[0] / n, gsum[1] / n);
	return bad;
}

/* The price of the driver rules: the same generated problem (300 jobs,
 * 20 vehicles) with and without a break window, max_tasks and a maximum
 * travel time on every vehicle, a fixed number of iterations, in the
 * same run: time per iteration and distance as ratios to the baseline. */
static int
run_rules(uint64_t seed)
{
	double us[2] = {0, 0}, dist[2] = {0, 0};
	int routes[2] = {0, 0}, bad = 0;

	for (int rules = 0; rules < 2; rules++) {
		struct lz_route_problem *p = large_problem(300, 7, rules);
		struct lz_route_solution *s = NULL;
		struct lz_route_options o;
		char msg[256];

		lz_route_options_init(&o);
		o.time_limit = 0;
		o.iterations = 2000;
		o.seed = seed;
		if (lz_route_solve(p, &o, &s) ||
		    lz_route_check(p, s, 0, msg, sizeof(msg))) {
			fprintf(stderr, "rules %d: failed\n", rules);
			bad++;
		}
		if (s) {
			us[rules] = s->elapsed * 1e6 / (double)s->iterations;
			dist[rules] = s->distance;
			routes[rules] = s->nroutes;
			bad += s->nunassigned > 0;
		}
		lz_route_solution_destroy(&s);
		lz_route_problem_destroy(&p);
	}
	printf("\nDriver rules (300 jobs, 50 vehicles, 2000 iterations; "
	       "a 600 s break in [3000, 5000], max_tasks 40, max travel "
	       "time 6000):\n"
	       "  without  %.1f us/iteration, %d routes, distance %.2f\n"
	       "  with     %.1f us/iteration, %d routes, distance %.2f\n"
	       "  ratio    time/iteration x%.2f, distance x%.3f\n",
	       us[0], routes[0], dist[0], us[1], routes[1], dist[1],
	       us[0] > 0 ? us[1] / us[0] : 0,
	       dist[0] > 0 ? dist[1] / dist[0] : 0);
	return bad;
}

int
main(int argc, char **argv)
{
	const char *dir = "../shared/data/vrp/solomon", *only = NULL;
	const char *lilim = "../shared/data/vrp/lilim";
	double secs = 1.0, gaps[MAX_INST], sum = 0;
	uint64_t seed = 1;
	struct inst in[MAX_INST];
	int n, bad = 0, ng = 0, large = 1;
	int64_t iters = 0;
	int ls = 1;
	char path[2048];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--time") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--ls") && i + 1 < argc)
			ls = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iters = strtoll(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--lilim") && i + 1 < argc)
			lilim = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--no-large"))
			large = 0;
		else if (!strcmp(argv[i], "--large-only"))
			large = 2;
		else {
			fprintf(stderr,
				"usage: %s [--time S] [--dir DIR] [--seed N] "
				"[--iterations N] [--ls 0|1] [--only NAME] "
				"[--no-large]\n",
				argv[0]);
			return 2;
		}
	}
	if (large == 2)
		return run_large(secs, iters, seed);
	snprintf(path, sizeof(path), "%s/BKS-distance-only.tsv", dir);
	n = read_bks(path, in, MAX_INST);
	if (n <= 0)
		return 1;
	printf("Solomon VRPTW, distance only, %.1f s per instance, 1 thread, "
	       "seed %llu\n\n",
	       secs, (unsigned long long)seed);
	printf("%-8s %10s %4s %10s %8s %7s %9s  %s\n", "instance", "distance",
	       "veh", "BKS", "gap%", "time", "iters", "check");
	for (int i = 0; i < n; i++) {
		struct lz_route_problem *p = NULL;
		struct lz_route_solution *s = NULL;
		struct lz_route_options o;
		char err[512], msg[256];
		int rc;

		if (only && strcmp(only, in[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%.63s.txt", dir, in[i].name);
		rc = lz_route_solomon_read(path, &p, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "%s\n", err);
			bad++;
			continue;
		}
		lz_route_options_init(&o);
		o.time_limit = iters > 0 ? 0 : secs;
		o.iterations = iters;
		o.seed = seed;
		o.local_search = ls;
		rc = lz_route_solve(p, &o, &s);
		if (rc) {
			fprintf(stderr, "%s: %s\n", in[i].name,
				lz_route_strerror(rc));
			bad++;
			lz_route_problem_destroy(&p);
			continue;
		}
		rc = lz_route_check(p, s, 0, msg, sizeof(msg));
		if (rc && lz_route_check(p, s, LZ_ROUTE_CHECK_SEQUENCE, err,
					 sizeof(err)) == 0)
			strcat(msg, " (sequence feasible)");
		if (rc == 0 && s->nunassigned)
			rc = snprintf(msg, sizeof(msg), "%d unassigned",
				      s->nunassigned) > 0
				     ? LZ_ROUTE_EINFEASIBLE
				     : LZ_ROUTE_EINFEASIBLE;
		in[i].dist = s->distance;
		in[i].vehicles = s->nroutes;
		in[i].secs = s->elapsed;
		in[i].gap = 100.0 * (s->distance - in[i].bks) / in[i].bks;
		gaps[ng++] = in[i].gap;
		sum += in[i].gap;
		printf("%-8s %10.2f %4d %10.2f %8.2f %7.2f %9lld  %s\n",
		       in[i].name, in[i].dist, in[i].vehicles, in[i].bks,
		       in[i].gap, in[i].secs, (long long)s->iterations,
		       rc ? msg : "ok");
		fflush(stdout);
		if (rc)
			bad++;
		lz_route_solution_destroy(&s);
		lz_route_problem_destroy(&p);
	}
	if (ng > 0) {
		qsort(gaps, (size_t)ng, sizeof(double), cmp_double);
		printf("\n%d instances: average gap %.2f%%, median %.2f%%, "
		       "worst %.2f%%, %d infeasible or failed\n",
		       ng, sum / ng,
		       ng % 2 ? gaps[ng / 2]
			      : (gaps[ng / 2 - 1] + gaps[ng / 2]) / 2,
		       gaps[ng - 1], bad);
	}
	if (large && !only)
		bad += run_large(secs, iters, seed);
	if (!only) {
		bad += run_lilim(lilim, secs, iters, seed);
		bad += run_rules(seed);
	}
	return bad ? 1 : 0;
}
