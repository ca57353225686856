/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_solomon.c -- readers for Solomon VRPTW and Li & Lim PDPTW
 * instance files.  See lz_route_solomon_read() and lz_route_lilim_read()
 * in lz_route.h.
 */
#include "route_internal.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz_util.h"

#define LINE_MAX_LEN 1024

struct reader {
	const char *path;
	FILE *f;
	int line;
	char buf[LINE_MAX_LEN];
	char *err;
	size_t errlen;
};

static int
rfail(struct reader *r, int code, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (r->err && r->errlen) {
		if (r->line > 0)
			n = snprintf(r->err, r->errlen, "%s:%d: ", r->path,
				     r->line);
		else
			n = snprintf(r->err, r->errlen, "%s: ", r->path);
		if (n >= 0 && (size_t)n < r->errlen) {
			va_start(ap, fmt);
			vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

/* Next line into r->buf; 1 if read, 0 at end of file, < 0 on error. */
static int
next_line(struct reader *r)
{
	size_t n;

	if (fgets(r->buf, sizeof(r->buf), r->f) == NULL)
		return ferror(r->f) ? rfail(r, LZ_ROUTE_EIO, "read error") : 0;
	r->line++;
	n = strlen(r->buf);
	if (n == sizeof(r->buf) - 1 && r->buf[n - 1] != '\n')
		return rfail(r, LZ_ROUTE_EPARSE, "line too long");
	while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
		r->buf[--n] = '\0';
	return 1;
}

static bool
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* Next non-blank line; 0 at end of file. */
static int
next_content(struct reader *r)
{
	int rc;

	while ((rc = next_line(r)) == 1)
		if (!blank(r->buf))
			return 1;
	return rc;
}

/* Parse up to max numbers from s; returns how many, or -1 if a token is
 * not a number. */
static int
numbers(const char *s, double *out, int max)
{
	int n = 0;
	char *end;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return n;
		errno = 0;
		double v = strtod(s, &end);

		if (end == s || errno || !isfinite(v) ||
		    (*end != '\0' && *end != ' ' && *end != '\t'))
			return -1;
		if (n < max)
			out[n] = v;
		n++;
		s = end;
	}
}

static int
expect_word(struct reader *r, const char *word)
{
	int rc = next_content(r);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return rfail(r, LZ_ROUTE_EPARSE,
			     "unexpected end of file, expected %s", word);
	if (strstr(r->buf, word) == NULL)
		return rfail(r, LZ_ROUTE_EPARSE, "expected %s", word);
	return 0;
}

static bool
integral(double v)
{
	return v == floor(v);
}

static int
read_body(struct reader *r, struct lz_route_problem *p)
{
	double v[8];
	int n, rc, nveh, ncust = 0;
	int64_t cap;
	struct lz_route_tw depot_tw = {0, 0};

	if ((rc = next_content(r)) <= 0)
		return rc < 0 ? rc : rfail(r, LZ_ROUTE_EPARSE, "empty file");
	if ((rc = expect_word(r, "VEHICLE")) || (rc = expect_word(r, "NUMBER")))
		return rc;
	if ((rc = next_content(r)) <= 0)
		return rc < 0 ? rc
			      : rfail(r, LZ_ROUTE_EPARSE,
				      "unexpected end of file in VEHICLE");
	n = numbers(r->buf, v, 8);
	if (n != 2 || !integral(v[0]) || !integral(v[1]) || v[0] < 1 ||
	    v[1] < 0 || v[0] > 100000 || v[1] > 1e15)
		return rfail(r, LZ_ROUTE_EPARSE,
			     "expected the vehicle NUMBER (>= 1) and "
			     "CAPACITY (>= 0) as two integers");
	nveh = (int)v[0];
	cap = (int64_t)v[1];
	if ((rc = expect_word(r, "CUSTOMER")) || (rc = expect_word(r, "CUST")))
		return rc;
	while ((rc = next_content(r)) == 1) {
		struct lz_route_job job;

		n = numbers(r->buf, v, 8);
		if (n < 0)
			return rfail(r, LZ_ROUTE_EPARSE,
				     "a field is not a number");
		if (n != 7)
			return rfail(r, LZ_ROUTE_EPARSE,
				     "expected 7 numbers (CUST NO., XCOORD., "
				     "YCOORD., DEMAND, READY TIME, DUE DATE, "
				     "SERVICE TIME), got %d",
				     n);
		if (v[0] != ncust)
			return rfail(r, LZ_ROUTE_EPARSE,
				     "customer number %g, expected %d", v[0],
				     ncust);
		if (v[3] < 0 || !integral(v[3]) || v[3] > 1e15)
			return rfail(r, LZ_ROUTE_EPARSE,
				     "demand must be a non-negative integer");
		if (v[5] < v[4])
			return rfail(r, LZ_ROUTE_EPARSE,
				     "due date %g before ready time %g", v[5],
				     v[4]);
		if (v[6] < 0)
			return rfail(r, LZ_ROUTE_EPARSE,
				     "negative service time");
		lz_route_problem_add_location(p, v[1], v[2]);
		if (ncust == 0) {
			depot_tw.start = v[4];
			depot_tw.end = v[5];
		} else {
			lz_route_job_init(&job);
			job.id = ncust;
			job.location = ncust;
			job.service = v[6];
			job.tw[0].start = v[4];
			job.tw[0].end = v[5];
			job.delivery[0] = (int64_t)v[3];
			if (lz_route_problem_add_job(p, &job) < 0)
				return rfail(r, LZ_ROUTE_EPARSE, "invalid job");
		}
		ncust++;
	}
	if (rc < 0)
		return rc;
	if (ncust == 0) {
		r->line = 0;
		return rfail(r, LZ_ROUTE_EPARSE, "no depot (customer 0)");
	}
	for (int k = 0; k < nveh; k++) {
		struct lz_route_vehicle veh;

		lz_route_vehicle_init(&veh);
		veh.id = k + 1;
		veh.capacity[0] = cap;
		veh.shift = depot_tw;
		if (lz_route_problem_add_vehicle(p, &veh) < 0)
			return rfail(r, LZ_ROUTE_EPARSE, "invalid vehicle");
	}
	return 0;
}

int
lz_route_solomon_read(const char *path, struct lz_route_problem **out,
		      char *err, size_t errlen)
{
	struct reader r = {path, NULL, 0, {0}, err, errlen};
	struct lz_route_problem *p;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	r.f = fopen(path, "r");
	if (r.f == NULL)
		return rfail(&r, LZ_ROUTE_EIO, "%s", strerror(errno));
	p = lz_route_problem_new(1);
	rc = read_body(&r, p);
	fclose(r.f);
	if (rc) {
		lz_route_problem_destroy(&p);
		return rc;
	}
	*out = p;
	return 0;
}

/* Li & Lim: "vehicles capacity speed", then one line per location (id, x,
 * y, demand, ready, due, service, pickup sibling, delivery sibling). */
static int
read_lilim(struct reader *r, struct lz_route_problem *p)
{
	double v[10];
	int n, rc, nveh, nloc = 0, cap_n = 0;
	int64_t cap;
	struct lz_route_tw depot_tw = {0, 0};
	double(*row)[9] = NULL;

	if ((rc = next_content(r)) <= 0)
		return rc < 0 ? rc : rfail(r, LZ_ROUTE_EPARSE, "empty file");
	n = numbers(r->buf, v, 10);
	if (n != 3 || !integral(v[0]) || !integral(v[1]) || v[0] < 1 ||
	    v[0] > 100000 || v[1] < 0 || v[1] > 1e15)
		return rfail(r, LZ_ROUTE_EPARSE,
			     "expected vehicles, capacity and speed");
	nveh = (int)v[0];
	cap = (int64_t)v[1];
	while ((rc = next_content(r)) == 1) {
		n = numbers(r->buf, v, 10);
		if (n != 9) {
			free(row);
			return rfail(r, LZ_ROUTE_EPARSE,
				     "expected 9 numbers (id, x, y, demand, "
				     "ready, due, service, pickup, delivery)");
		}
		if (v[0] != nloc || v[5] < v[4] || v[6] < 0 ||
		    !integral(v[3]) || !integral(v[7]) || !integral(v[8]) ||
		    v[7] < 0 || v[8] < 0) {
			free(row);
			return rfail(r, LZ_ROUTE_EPARSE, "bad location %d",
				     nloc);
		}
		if (nloc == cap_n) {
			cap_n = cap_n ? 2 * cap_n : 128;
			row = xrealloc(row, sizeof(*row) * (size_t)cap_n);
		}
		memcpy(row[nloc], v, sizeof(row[nloc]));
		lz_route_problem_add_location(p, v[1], v[2]);
		if (nloc == 0) {
			depot_tw.start = v[4];
			depot_tw.end = v[5];
		}
		nloc++;
	}
	if (rc < 0 || nloc == 0) {
		free(row);
		return rc < 0 ? rc : rfail(r, LZ_ROUTE_EPARSE, "no depot");
	}
	for (int i = 1; i < nloc && rc == 0; i++) {
		struct lz_route_shipment s;
		int d = (int)row[i][8];

		if (row[i][7] != 0)
			continue; /* a delivery: added with its pickup */
		if (d < 1 || d >= nloc || (int)row[d][7] != i ||
		    row[i][3] < 0 || row[d][3] != -row[i][3]) {
			r->line = 0;
			rc = rfail(r, LZ_ROUTE_EPARSE,
				   "pickup %d and delivery %d do not match", i,
				   d);
			break;
		}
		lz_route_shipment_init(&s);
		s.pickup.id = i;
		s.pickup.location = i;
		s.pickup.service = row[i][6];
		s.pickup.tw[0].start = row[i][4];
		s.pickup.tw[0].end = row[i][5];
		s.delivery.id = d;
		s.delivery.location = d;
		s.delivery.service = row[d][6];
		s.delivery.tw[0].start = row[d][4];
		s.delivery.tw[0].end = row[d][5];
		s.amount[0] = (int64_t)row[i][3];
		if (lz_route_problem_add_shipment(p, &s) < 0)
			rc = rfail(r, LZ_ROUTE_EPARSE, "invalid shipment %d",
				   i);
	}
	free(row);
	for (int k = 0; k < nveh && rc == 0; k++) {
		struct lz_route_vehicle veh;

		lz_route_vehicle_init(&veh);
		veh.id = k + 1;
		veh.capacity[0] = cap;
		veh.shift = depot_tw;
		if (lz_route_problem_add_vehicle(p, &veh) < 0)
			rc = rfail(r, LZ_ROUTE_EPARSE, "invalid vehicle");
	}
	return rc;
}

int
lz_route_lilim_read(const char *path, struct lz_route_problem **out, char *err,
		    size_t errlen)
{
	struct reader r = {path, NULL, 0, {0}, err, errlen};
	struct lz_route_problem *p;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	r.f = fopen(path, "r");
	if (r.f == NULL)
		return rfail(&r, LZ_ROUTE_EIO, "%s", strerror(errno));
	p = lz_route_problem_new(1);
	rc = read_lilim(&r, p);
	fclose(r.f);
	if (rc) {
		lz_route_problem_destroy(&p);
		return rc;
	}
	*out = p;
	return 0;
}
