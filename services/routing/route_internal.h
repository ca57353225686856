/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * route_internal.h -- layout of the problem object, shared by the routing
 * library's modules.  Not installed, not for callers.
 */
#ifndef ROUTE_INTERNAL_H
#define ROUTE_INTERNAL_H

#include "lz_route.h"

struct lz_route_problem {
	int ndims;
	enum lz_route_metric metric;
	double circuity;
	/* speed model per profile (lz_route_problem_set_speed_model); one
	 * speed is (s, s, LZ_ROUTE_INF) */
	double speed_urban[LZ_ROUTE_PROFILES];
	double speed_road[LZ_ROUTE_PROFILES];
	double urban_dist[LZ_ROUTE_PROFILES];

	int nloc, loc_cap;
	double *x, *y;

	int mat_n; /* matrices, when metric == MATRIX */
	double *mat_dist[LZ_ROUTE_PROFILES];
	double *mat_dur[LZ_ROUTE_PROFILES];
	int cost_n; /* cost matrices (lz_route_problem_set_cost_matrix) */
	double *mat_cost[LZ_ROUTE_PROFILES];

	int njobs, job_cap;
	struct lz_route_job *jobs;
	int nship, ship_cap;
	struct lz_route_shipment *ships;
	int nveh, veh_cap;
	struct lz_route_vehicle *vehs;
};

/* Number of locations addressable by jobs and vehicles. */
int route_problem_nloc(const struct lz_route_problem *p);

#endif
