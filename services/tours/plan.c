/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * plan.c -- see plan.h.
 */
#include "plan.h"

#include "lz_date.h"
#include "lz_util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SKILL_CHILLED 1u
#define SKILL_FROZEN 2u

void
tours_conf_init(struct tours_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->circuity = 1.35;
	c->speed_van = 0;
	c->van_urban_speed = 20.0 / 3.6;
	c->van_road_speed = 60.0 / 3.6;
	c->van_urban_m = 5000;
	c->speed_bike = 15.0 / 3.6;
	c->bike_zone = "centre";
	c->bike_wave_start = 10 * 3600;
	c->setup_s = 120;
	c->service_s = 180;
	c->relay_service_s = 480;
	c->handling_s = 1800;
	c->merge_stops = 1;
	c->group_overlap_s = 3600;
	c->repair_revisits = 1;
	c->repair_iterations = 300;
	c->time_limit = 2;
	c->iterations = 0;
	c->seed = 1;
}

double
tours_leg_seconds(const struct tours_conf *c, enum lz_route_profile profile,
		  double metres)
{
	double urban, road, um;

	if (profile == LZ_ROUTE_PROFILE_BIKE)
		return metres / (c->speed_bike > 0 ? c->speed_bike : 4);
	if (c->speed_van > 0)
		return metres / c->speed_van;
	urban = c->van_urban_speed > 0 ? c->van_urban_speed : 7;
	road = c->van_road_speed > 0 ? c->van_road_speed : urban;
	um = c->van_urban_m >= 0 ? c->van_urban_m : 0;
	if (metres <= um)
		return metres / urban;
	return um / urban + (metres - um) / road;
}

/* Sets the travel times of P's profiles as C says. */
static int
set_speeds(const struct tours_conf *c, struct lz_route_problem *p)
{
	int rc;

	if (c->speed_van > 0)
		rc = lz_route_problem_set_speed(p, LZ_ROUTE_PROFILE_VAN,
						c->speed_van);
	else
		rc = lz_route_problem_set_speed_model(
			p, LZ_ROUTE_PROFILE_VAN,
			c->van_urban_speed > 0 ? c->van_urban_speed : 7,
			c->van_road_speed > 0    ? c->van_road_speed
			: c->van_urban_speed > 0 ? c->van_urban_speed
						 : 7,
			c->van_urban_m >= 0 ? c->van_urban_m : 0);
	if (rc == 0)
		rc = lz_route_problem_set_speed(
			p, LZ_ROUTE_PROFILE_BIKE,
			c->speed_bike > 0 ? c->speed_bike : 4);
	return rc;
}

/* ---- dates ---- */

/* T moved by N local days, at the same local clock time (mktime settles
 * the summer-time change); -EINVAL when out of range. */
static int
shift_days(int64_t t, int n, int64_t *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return -EINVAL;
	tm.tm_mday += n;
	tm.tm_isdst = -1;
	if ((tt = mktime(&tm)) == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)tt;
	return 0;
}

int
tours_retry_date(const char *date, int64_t now, int64_t w_start, int64_t w_end,
		 char out[11], int64_t *start, int64_t *end)
{
	char today[11];
	const char *from = date;
	int64_t m_old, m_from, m_new;
	int days, rc;

	if ((rc = lz_date_local(now, today)) != 0 ||
	    lz_date_midnight(date, &m_old, NULL) != 0)
		return -EINVAL;
	if (strcmp(today, date) > 0)
		from = today;
	if (lz_date_midnight(from, &m_from, NULL) != 0)
		return -EINVAL;
	/* A day lasts 23 to 25 hours: 36 hours after midnight is the next
	 * day. */
	if ((rc = lz_date_local(m_from + 36 * 3600, out)) != 0 ||
	    (rc = lz_date_midnight(out, &m_new, NULL)) != 0)
		return rc;
	*start = w_start;
	*end = w_end;
	if (w_end > m_new)
		return 0; /* still open on the new date */
	days = (int)((m_new - m_old + 43200) / 86400);
	if ((rc = shift_days(w_start, days, start)) != 0 ||
	    (rc = shift_days(w_end, days, end)) != 0)
		return rc;
	return 0;
}

/* ---- tasks ---- */

static int64_t
sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

void
tours_order_loads(const Order *o, ClassLoad loads[TOURS_NCLASSES])
{
	for (int k = 0; k < TOURS_NCLASSES; k++) {
		ClassLoad init = LZ__TOURS__V1__CLASS_LOAD__INIT;

		loads[k] = init;
		loads[k].temperature_class =
			(Lz__Common__V1__TemperatureClass)(k + 1);
	}
	for (size_t i = 0; i < o->n_lines; i++) {
		const OrderLine *l = o->lines[i];
		int k = tours_class_index((int)l->temperature_class);

		loads[k].grams = sat_add(loads[k].grams,
					 (int64_t)l->quantity * l->unit_grams);
		loads[k].millilitres =
			sat_add(loads[k].millilitres,
				(int64_t)l->quantity * l->unit_millilitres);
	}
}

static void
task_init(struct tours_task_buf *b, int kind, const char *prefix,
	  const char *key, int64_t now)
{
	Task init = LZ__TOURS__V1__TASK__INIT;
	TimeWindow tw = LZ__COMMON__V1__TIME_WINDOW__INIT;
	GeoPoint gp = LZ__COMMON__V1__GEO_POINT__INIT;

	b->t = init;
	b->window = tw;
	b->loc = gp;
	b->t.kind = (Lz__Tours__V1__TaskKind)kind;
	b->t.status = (Lz__Tours__V1__TaskStatus)TS_PENDING;
	b->t.created_at = now;
	snprintf(b->id, sizeof(b->id), "%s:%s", prefix, key);
	b->t.task_id = b->id;
	b->t.window = &b->window;
	b->t.date = b->date;
	b->date[0] = '\0';
	for (int k = 0; k < TOURS_NCLASSES; k++)
		b->loadp[k] = &b->loads[k];
	b->t.n_loads = TOURS_NCLASSES;
	b->t.loads = b->loadp;
}

static void
task_site(struct tours_task_buf *b, const Site *s, const char *site_id)
{
	b->t.site_id = (char *)(s ? s->site_id : site_id ? site_id : "");
	if (s && s->location) {
		b->loc.lat = s->location->lat;
		b->loc.lon = s->location->lon;
		b->t.location = &b->loc;
	}
}

int
tours_task_for_order(const Order *o, int status, const Site *dest,
		     const Site *pickup, const Site *relay,
		     const struct tours_conf *c, int64_t now,
		     struct tours_task_buf *out)
{
	const TimeWindow *w;
	int pick = 0;

	if (o == NULL || o->delivery_window == NULL)
		return 0;
	if ((int)o->source == SRC_PRODUCER_PICKUP && status == OS_CONFIRMED)
		pick = 1;
	else if (!(((int)o->source == SRC_HUB_STOCK &&
		    status == OS_CONFIRMED) ||
		   ((int)o->source == SRC_PRODUCER_PICKUP &&
		    status == OS_AT_HUB)))
		return 0;
	if (pick) {
		if (o->pickup_window == NULL)
			return 0;
		task_init(out, TK_PICKUP, "pick", o->order_id, now);
		task_site(out, pickup, o->pickup_site_id);
		w = o->pickup_window;
		out->window.start = w->start;
		out->window.end = w->end;
		out->t.service_seconds = (uint32_t)c->service_s;
	} else if (dest && dest->zone && c->bike_zone && c->bike_zone[0] &&
		   strcmp(dest->zone, c->bike_zone) == 0) {
		int64_t midnight;

		task_init(out, TK_RELAY, "del", o->order_id, now);
		task_site(out, relay, "");
		out->t.final_site_id = o->destination_site_id;
		w = o->delivery_window;
		/* The bikes leave the relay at the bike wave of the day of
		 * the delivery window: the van must be there before. */
		if (lz_date_local(w->start, out->date) != 0 ||
		    lz_date_midnight(out->date, &midnight, NULL) != 0)
			midnight = w->start - w->start % 86400;
		out->window.start = midnight;
		out->window.end = midnight + c->bike_wave_start;
		/* Cross-docked goods are ready only once the collecting tour
		 * is back: they may reach the relay later, while a bike run
		 * (an hour, after the relay's handling) still fits in the
		 * customer's window. */
		if (status == OS_AT_HUB &&
		    w->end - c->handling_s - 3600 > out->window.end)
			out->window.end = w->end - c->handling_s - 3600;
		if (out->window.end > w->end)
			out->window.end = w->end;
		out->t.service_seconds = (uint32_t)c->relay_service_s;
	} else {
		task_init(out, TK_DELIVERY, "del", o->order_id, now);
		task_site(out, dest, o->destination_site_id);
		w = o->delivery_window;
		out->window.start = w->start;
		out->window.end = w->end;
		out->t.service_seconds = (uint32_t)c->service_s;
	}
	out->t.order_id = o->order_id;
	out->t.member_id = o->member_id;
	out->t.order_status = (uint32_t)status;
	tours_order_loads(o, out->loads);
	if (lz_date_local(w->start, out->date) != 0)
		out->date[0] = '\0';
	return 1;
}

int
tours_task_for_collection(const Lz__Tours__V1__CollectionRequested *r,
			  const Site *site, const struct tours_conf *c,
			  int64_t now, struct tours_task_buf *out)
{
	if (r == NULL || !lz_valid_id(r->request_id) || r->window == NULL)
		return 0;
	if (r->window->end < r->window->start || r->n_loads > 16)
		return 0;
	task_init(out, TK_COLLECTION, "col", r->request_id, now);
	task_site(out, site, r->site_id);
	out->window.start = r->window->start;
	out->window.end = r->window->end;
	out->t.service_seconds = (uint32_t)c->service_s;
	out->t.destination_site_id = r->destination_site_id;
	for (int k = 0; k < TOURS_NCLASSES; k++) {
		ClassLoad init = LZ__TOURS__V1__CLASS_LOAD__INIT;

		out->loads[k] = init;
		out->loads[k].temperature_class =
			(Lz__Common__V1__TemperatureClass)(k + 1);
	}
	for (size_t i = 0; i < r->n_loads; i++) {
		const ClassLoad *l = r->loads[i];
		int k = tours_class_index((int)l->temperature_class);

		if (l->grams < 0 || l->millilitres < 0 ||
		    l->grams > 100000000 || l->millilitres > 100000000)
			return 0;
		out->loads[k].grams += l->grams;
		out->loads[k].millilitres += l->millilitres;
	}
	if (lz_date_local(r->window->start, out->date) != 0)
		return 0;
	return 1;
}

/* ---- the routing problem ---- */

void
tours_vehicle_capacity(const Vehicle *v, int64_t cap[TOURS_NDIMS])
{
	memset(cap, 0, sizeof(int64_t) * TOURS_NDIMS);
	for (size_t i = 0; i < v->n_compartments; i++) {
		const Compartment *cp = v->compartments[i];
		int k = tours_class_index((int)cp->temperature_class);

		if (cp->capacity_grams > 0)
			cap[2 * k] = sat_add(cap[2 * k], cp->capacity_grams);
		if (cp->capacity_millilitres > 0)
			cap[2 * k + 1] = sat_add(cap[2 * k + 1],
						 cp->capacity_millilitres);
	}
}

uint64_t
tours_vehicle_skills(const Vehicle *v)
{
	int64_t cap[TOURS_NDIMS];
	uint64_t s = 0;

	tours_vehicle_capacity(v, cap);
	if (cap[2] > 0 || cap[3] > 0)
		s |= SKILL_CHILLED;
	if (cap[4] > 0 || cap[5] > 0)
		s |= SKILL_FROZEN;
	return s;
}

static void
task_amounts(const Task *t, int64_t amt[TOURS_NDIMS], uint64_t *skills)
{
	memset(amt, 0, sizeof(int64_t) * TOURS_NDIMS);
	*skills = 0;
	for (size_t i = 0; i < t->n_loads; i++) {
		const ClassLoad *l = t->loads[i];
		int k = tours_class_index((int)l->temperature_class);

		amt[2 * k] = sat_add(amt[2 * k], l->grams > 0 ? l->grams : 0);
		amt[2 * k + 1] =
			sat_add(amt[2 * k + 1],
				l->millilitres > 0 ? l->millilitres : 0);
	}
	if (amt[2] > 0 || amt[3] > 0)
		*skills |= SKILL_CHILLED;
	if (amt[4] > 0 || amt[5] > 0)
		*skills |= SKILL_FROZEN;
}

/* Adds (once) the location of site S; returns its index. */
static int
location_of(struct tours_vrp *vrp, const Site *s)
{
	for (int i = 0; i < vrp->nlocs; i++)
		if (vrp->loc_site[i] == s ||
		    strcmp(vrp->loc_site[i]->site_id, s->site_id) == 0)
			return i;
	vrp->loc_site = xrealloc(vrp->loc_site,
				 sizeof(*vrp->loc_site) * (vrp->nlocs + 1));
	vrp->loc_site[vrp->nlocs] = s;
	lz_route_problem_add_location(vrp->p, s->location->lon,
				      s->location->lat);
	return vrp->nlocs++;
}

static int
has_location(const Site *s)
{
	return s && s->location &&
	       !(s->location->lat == 0 && s->location->lon == 0);
}

static double
haversine(const Site *a, const Site *b)
{
	const double r = 6371008.8, rad = 3.14159265358979323846 / 180;
	double la1 = a->location->lat * rad, la2 = b->location->lat * rad;
	double dla = la2 - la1;
	double dlo = (b->location->lon - a->location->lon) * rad;
	double h = sin(dla / 2) * sin(dla / 2) +
		   cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);

	return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

/* Switches the problem to matrices: the operator's entries where it has
 * them, haversine x circuity and the profile's speed model elsewhere. */
static int
apply_matrix(const struct tours_conf *c, struct tours_vrp *vrp)
{
	int n = vrp->nlocs, rc = 0;
	double *dist = xcalloc((size_t)n * n + 1, sizeof(double));
	double *dur = xcalloc((size_t)n * n + 1, sizeof(double));

	for (int prof = 0; prof < LZ_ROUTE_PROFILES && rc == 0; prof++) {
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++) {
				double m, s;

				if (i == j) {
					m = s = 0;
				} else if (prof == LZ_ROUTE_PROFILE_VAN &&
					   tours_matrix_get(
						   c->matrix,
						   vrp->loc_site[i]->site_id,
						   vrp->loc_site[j]->site_id,
						   &m, &s) == 0) {
				} else {
					m = haversine(vrp->loc_site[i],
						      vrp->loc_site[j]) *
					    c->circuity;
					s = tours_leg_seconds(
						c, (enum lz_route_profile)prof,
						m);
				}
				dist[(size_t)i * n + j] = m;
				dur[(size_t)i * n + j] = s;
			}
		rc = lz_route_problem_set_matrix(
			vrp->p, (enum lz_route_profile)prof, n, dist, dur);
	}
	free(dist);
	free(dur);
	return rc;
}

int
tours_reason_from_route(enum lz_route_reason r)
{
	switch (r) {
	case LZ_ROUTE_REASON_SKILLS:
		return RS_SKILLS;
	case LZ_ROUTE_REASON_CAPACITY:
		return RS_CAPACITY;
	case LZ_ROUTE_REASON_TIME_WINDOW:
		return RS_TIME_WINDOW;
	case LZ_ROUTE_REASON_MAX_DISTANCE:
		return RS_MAX_DISTANCE;
	case LZ_ROUTE_REASON_MAX_DURATION:
		return RS_MAX_DURATION;
	case LZ_ROUTE_REASON_RELEASE:
		return RS_NOT_READY;
	default:
		return RS_NO_ROOM;
	}
}

static void
job_window(struct lz_route_tw *tw, const Task *t)
{
	tw->start = t->window ? (double)t->window->start : 0;
	tw->end = t->window ? (double)t->window->end : LZ_ROUTE_INF;
}

static int
fits(const int64_t *a, const int64_t *cap)
{
	for (int d = 0; d < TOURS_NDIMS; d++)
		if (a[d] > cap[d])
			return 0;
	return 1;
}

/* The release of task T: when its goods are ready at the hub (0: now). */
static double
task_release(const Task *t)
{
	return t->ready_at > 0 ? (double)t->ready_at : 0;
}

/* Adds job J for tasks IDX[0..N-1] at location LOC: one visit (setup,
 * then each task's service, or the relay's one drop) in the intersection
 * of their windows, its route leaving the hub after the latest ready
 * time. */
static int
add_job(const struct tours_conf *c, struct tours_vrp *vrp,
	struct tours_ptask *t, const int *idx, int n, int loc, int64_t jobid)
{
	struct lz_route_job job;
	int pick = 0, rc;

	lz_route_job_init(&job);
	job.id = jobid;
	job.location = loc;
	job.ntw = 1;
	job_window(&job.tw[0], t[idx[0]].task);
	job.setup = c->setup_s > 0 ? c->setup_s : 0;
	/* The relay's drop is one service; elsewhere one per task. */
	job.service = t[idx[0]].task->service_seconds;
	for (int i = 1; i < n && t[idx[0]].task->kind != TK_RELAY; i++)
		job.service += t[idx[i]].task->service_seconds;
	for (int i = 0; i < n; i++) {
		const Task *tk = t[idx[i]].task;
		int64_t amt[TOURS_NDIMS];
		uint64_t sk;
		struct lz_route_tw w;

		task_amounts(tk, amt, &sk);
		job.skills |= sk;
		pick = tk->kind == TK_PICKUP || tk->kind == TK_COLLECTION;
		for (int d = 0; d < TOURS_NDIMS; d++) {
			if (pick)
				job.pickup[d] = sat_add(job.pickup[d], amt[d]);
			else
				job.delivery[d] =
					sat_add(job.delivery[d], amt[d]);
		}
		job_window(&w, tk);
		if (w.start > job.tw[0].start)
			job.tw[0].start = w.start;
		if (w.end < job.tw[0].end)
			job.tw[0].end = w.end;
		if (task_release(tk) > job.release)
			job.release = task_release(tk);
	}
	if (job.tw[0].end < job.tw[0].start)
		return LZ_ROUTE_EINVAL;
	if ((rc = lz_route_problem_add_job(vrp->p, &job)) < 0)
		return rc;
	vrp->job_first =
		xrealloc(vrp->job_first, sizeof(int) * (vrp->njobs + 2));
	vrp->job_first[vrp->njobs + 1] = vrp->job_first[vrp->njobs] + n;
	vrp->job_task = xrealloc(
		vrp->job_task, sizeof(int) * (vrp->job_first[vrp->njobs + 1]));
	memcpy(vrp->job_task + vrp->job_first[vrp->njobs], idx,
	       sizeof(int) * n);
	vrp->njobs++;
	return 0;
}

static int
add_shipment(const struct tours_conf *c, struct tours_vrp *vrp,
	     struct tours_ptask *pt, int i)
{
	struct lz_route_shipment s;
	uint64_t sk;
	int rc;

	lz_route_shipment_init(&s);
	task_amounts(pt[i].task, s.amount, &sk);
	s.skills = sk;
	s.pickup.id = 2 * i;
	s.pickup.location = location_of(vrp, pt[i].site);
	s.pickup.setup = c->setup_s > 0 ? c->setup_s : 0;
	s.pickup.service = pt[i].task->service_seconds;
	s.pickup.release = task_release(pt[i].task);
	s.pickup.ntw = 1;
	job_window(&s.pickup.tw[0], pt[i].task);
	s.delivery.id = 2 * i + 1;
	s.delivery.location = location_of(vrp, pt[i].dest);
	s.delivery.setup = s.pickup.setup;
	s.delivery.service = pt[i].task->service_seconds;
	s.delivery.ntw = 1;
	s.delivery.tw[0].start = s.pickup.tw[0].start;
	s.delivery.tw[0].end = LZ_ROUTE_INF;
	if ((rc = lz_route_problem_add_shipment(vrp->p, &s)) < 0)
		return rc;
	vrp->ship_task = xrealloc(vrp->ship_task, sizeof(int) * (rc + 1));
	vrp->ship_task[rc] = i;
	vrp->nships = rc + 1;
	return 0;
}

/* Whether amounts AMT with skills SK fit one vehicle of P. */
static int
fits_any(const struct lz_route_problem *p, const int64_t *amt, uint64_t sk)
{
	for (int i = 0; i < lz_route_problem_nvehicles(p); i++) {
		const struct lz_route_vehicle *v =
			lz_route_problem_vehicle(p, i);

		if ((v->skills & sk) == sk && fits(amt, v->capacity))
			return 1;
	}
	return 0;
}

static int
is_shipment(const struct tours_ptask *pt)
{
	return pt->task->kind == TK_COLLECTION && pt->dest != NULL;
}

/* Whether skills A and B together leave each of them the same vehicles
 * of P: grouping them sends neither to a scarcer vehicle (ambient goods
 * into a refrigerated van) -- unless every vehicle has them all. */
static int
same_able(const struct lz_route_problem *p, uint64_t a, uint64_t b)
{
	for (int i = 0; i < lz_route_problem_nvehicles(p); i++) {
		uint64_t vs = lz_route_problem_vehicle(p, i)->skills;
		int both = (vs & (a | b)) == (a | b);

		if (((vs & a) == a) != both || ((vs & b) == b) != both)
			return 0;
	}
	return 1;
}

/* Adds the job of task I and of the later tasks at the same site that one
 * visit serves as well: the same ready time, refrigeration needs that
 * leave each the same vehicles (same_able), windows sharing at least
 * C->group_overlap_s (the visit then starts in their intersection), all
 * of it fitting one vehicle.  A dispatcher parks once per address; the
 * solver would otherwise be free to come back later for a task it could
 * have served at once. */
static int
add_site_job(const struct tours_conf *c, struct tours_vrp *vrp,
	     struct tours_ptask *t, size_t nt, size_t i, int *used)
{
	int *grp = xcalloc(nt + 1, sizeof(int));
	int64_t sum[TOURS_NDIMS];
	struct lz_route_tw w;
	uint64_t sk;
	int n = 0, rc;

	task_amounts(t[i].task, sum, &sk);
	job_window(&w, t[i].task);
	grp[n++] = (int)i;
	used[i] = 1;
	for (size_t j = i + 1; c->group_overlap_s >= 0 && j < nt; j++) {
		int64_t amt[TOURS_NDIMS], tot[TOURS_NDIMS];
		struct lz_route_tw wj;
		uint64_t skj;

		if (used[j] || t[j].task->kind == TK_RELAY ||
		    is_shipment(&t[j]) ||
		    strcmp(t[j].site->site_id, t[i].site->site_id) != 0 ||
		    task_release(t[j].task) != task_release(t[i].task))
			continue;
		task_amounts(t[j].task, amt, &skj);
		job_window(&wj, t[j].task);
		if (wj.start < w.start)
			wj.start = w.start;
		if (wj.end > w.end)
			wj.end = w.end;
		if (!same_able(vrp->p, sk, skj) ||
		    wj.end - wj.start < c->group_overlap_s)
			continue;
		for (int d = 0; d < TOURS_NDIMS; d++)
			tot[d] = sat_add(sum[d], amt[d]);
		if (!fits_any(vrp->p, tot, sk | skj))
			continue;
		memcpy(sum, tot, sizeof(sum));
		sk |= skj;
		w = wj;
		grp[n++] = (int)j;
		used[j] = 1;
	}
	rc = add_job(c, vrp, t, grp, n, location_of(vrp, t[i].site),
		     (int64_t)vrp->njobs);
	free(grp);
	return rc;
}

/* Groups the relay deliveries at relay site RELAY whose goods are ready
 * at RELEASE into as few jobs as will each fit one vehicle: first the
 * goods that need no refrigeration (any van may take them), then the
 * others.  (Goods ready later, a producer's, are not held back with the
 * hub's.) */
static int
add_relay_jobs(const struct tours_conf *c, struct tours_vrp *vrp,
	       struct tours_ptask *t, size_t nt, const char *relay,
	       double release, int *used)
{
	int *grp = xcalloc(nt + 1, sizeof(int));
	int rc = 0, loc = -1;

	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		int64_t sum[TOURS_NDIMS];
		uint64_t gsk = 0;
		int n = 0;

		memset(sum, 0, sizeof(sum));
		for (size_t i = 0; i < nt && rc == 0; i++) {
			int64_t amt[TOURS_NDIMS], tot[TOURS_NDIMS];
			uint64_t sk;

			if (used[i] || t[i].task->kind != TK_RELAY ||
			    strcmp(t[i].site->site_id, relay) != 0 ||
			    task_release(t[i].task) != release)
				continue;
			task_amounts(t[i].task, amt, &sk);
			if ((sk != 0) != (pass == 1))
				continue;
			used[i] = 1;
			loc = location_of(vrp, t[i].site);
			for (int d = 0; d < TOURS_NDIMS; d++)
				tot[d] = sat_add(sum[d], amt[d]);
			if (n > 0 && !fits_any(vrp->p, tot, gsk | sk)) {
				rc = add_job(c, vrp, t, grp, n, loc,
					     (int64_t)vrp->njobs);
				n = 0;
				gsk = 0;
				memcpy(tot, amt, sizeof(tot));
			}
			grp[n++] = (int)i;
			gsk |= sk;
			memcpy(sum, tot, sizeof(sum));
		}
		if (n > 0 && rc == 0)
			rc = add_job(c, vrp, t, grp, n, loc,
				     (int64_t)vrp->njobs);
	}
	free(grp);
	return rc;
}

int
tours_vrp_build(const struct tours_conf *c, struct tours_ptask *t, size_t nt,
		const struct tours_pvehicle *v, size_t nv,
		struct tours_vrp *out)
{
	int *used;
	int rc = 0, nveh = 0;

	memset(out, 0, sizeof(*out));
	if ((out->p = lz_route_problem_new(TOURS_NDIMS)) == NULL)
		return LZ_ROUTE_EINVAL;
	out->job_first = xcalloc(1, sizeof(int));
	out->veh = xcalloc(nv + 1, sizeof(int));
	lz_route_problem_set_metric(out->p, LZ_ROUTE_METRIC_HAVERSINE,
				    c->circuity > 0 ? c->circuity : 1);
	if ((rc = set_speeds(c, out->p)) != 0)
		return rc;

	for (size_t i = 0; i < nv && rc >= 0; i++) {
		struct lz_route_vehicle rv;
		const Vehicle *vh = v[i].v;
		int64_t cap[TOURS_NDIMS];
		int loc;

		if (!has_location(v[i].hub) ||
		    v[i].shift_end <= v[i].shift_start)
			continue;
		loc = location_of(out, v[i].hub);
		lz_route_vehicle_init(&rv);
		rv.id = (int64_t)i;
		rv.start = rv.end = loc;
		rv.shift.start = (double)v[i].shift_start;
		rv.shift.end = (double)v[i].shift_end;
		tours_vehicle_capacity(vh, cap);
		memcpy(rv.capacity, cap, sizeof(cap));
		rv.skills = tours_vehicle_skills(vh);
		rv.profile =
			vh->kind == LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_CARGO_BIKE
				? LZ_ROUTE_PROFILE_BIKE
				: LZ_ROUTE_PROFILE_VAN;
		if (vh->range_km > 0)
			rv.max_distance = vh->range_km * 1000.0;
		rv.cost_per_km = (double)vh->cost_per_km_cents;
		rv.cost_per_hour = (double)vh->cost_per_hour_cents;
		if (rv.cost_per_km <= 0 && rv.cost_per_hour <= 0)
			rv.cost_per_km = 100;
		if ((rc = lz_route_problem_add_vehicle(out->p, &rv)) >= 0)
			out->veh[nveh++] = (int)i;
	}
	if (rc < 0)
		return rc;
	rc = 0;

	used = xcalloc(nt + 1, sizeof(int));
	for (size_t i = 0; i < nt; i++) {
		const Task *tk = t[i].task;

		t[i].reason = RS_NONE;
		t[i].tour = t[i].stop = -1;
		t[i].arrival = 0;
		if (tk->kind == TK_RELAY && !has_location(t[i].site))
			t[i].reason = RS_NO_RELAY;
		else if (!has_location(t[i].site))
			t[i].reason = RS_UNKNOWN_SITE;
		else if (tk->kind == TK_COLLECTION && tk->destination_site_id &&
			 tk->destination_site_id[0] && !has_location(t[i].dest))
			t[i].reason = RS_UNKNOWN_SITE;
		else if (tk->window == NULL ||
			 tk->window->end < tk->window->start)
			t[i].reason = RS_INVALID;
		else if (nveh == 0)
			t[i].reason = nv == 0 ? RS_NO_VEHICLE
					      : RS_UNKNOWN_VEHICLE_HUB;
		if (t[i].reason != RS_NONE)
			used[i] = 1;
	}
	for (size_t i = 0; i < nt && rc == 0; i++) {
		if (used[i])
			continue;
		if (t[i].task->kind == TK_RELAY) {
			rc = add_relay_jobs(c, out, t, nt, t[i].site->site_id,
					    task_release(t[i].task), used);
			continue;
		}
		if (is_shipment(&t[i])) {
			used[i] = 1;
			rc = add_shipment(c, out, t, (int)i);
		} else {
			rc = add_site_job(c, out, t, nt, i, used);
		}
	}
	free(used);
	if (rc == 0 && c->matrix && out->nlocs > 0)
		rc = apply_matrix(c, out);
	return rc < 0 ? rc : 0;
}

void
tours_vrp_release(struct tours_vrp *vrp)
{
	lz_route_problem_destroy(&vrp->p);
	free(vrp->job_first);
	free(vrp->job_task);
	free(vrp->ship_task);
	free(vrp->veh);
	free(vrp->loc_site);
	memset(vrp, 0, sizeof(*vrp));
}

/* ---- tours from a solution ---- */

static GeoPoint *
point_new(const Site *s)
{
	GeoPoint init = LZ__COMMON__V1__GEO_POINT__INIT;
	GeoPoint *p = xmalloc(sizeof(*p));

	*p = init;
	if (s && s->location) {
		p->lat = s->location->lat;
		p->lon = s->location->lon;
	}
	return p;
}

static int64_t
round_t(double x)
{
	return x >= 9e18 || x <= -9e18 ? 0 : (int64_t)llround(x);
}

static Stop *
stop_new(const struct lz_route_stop *rs, const Site *site, unsigned index)
{
	Stop init = LZ__TOURS__V1__STOP__INIT;
	Stop *s = xmalloc(sizeof(*s));

	*s = init;
	s->index = index;
	s->site_id = xstrdup(site ? site->site_id : "");
	s->location = point_new(site);
	s->arrival = round_t(rs->arrival);
	s->start = round_t(rs->start);
	s->departure = round_t(rs->departure);
	s->distance_m = round_t(rs->distance);
	s->status = (Lz__Tours__V1__StopStatus)SS_PLANNED;
	s->n_load_after = TOURS_NCLASSES;
	s->load_after = xcalloc(TOURS_NCLASSES, sizeof(ClassLoad *));
	for (int k = 0; k < TOURS_NCLASSES; k++) {
		ClassLoad li = LZ__TOURS__V1__CLASS_LOAD__INIT;

		s->load_after[k] = xmalloc(sizeof(ClassLoad));
		*s->load_after[k] = li;
		s->load_after[k]->temperature_class =
			(Lz__Common__V1__TemperatureClass)(k + 1);
		s->load_after[k]->grams = rs->load[2 * k];
		s->load_after[k]->millilitres = rs->load[2 * k + 1];
	}
	return s;
}

/* Stop S, made of route stops up to RS, now ends with RS: its departure,
 * distance and load are RS's. */
static void
stop_extend(Stop *s, const struct lz_route_stop *rs)
{
	s->departure = round_t(rs->departure);
	s->distance_m = round_t(rs->distance);
	for (int k = 0; k < TOURS_NCLASSES; k++) {
		s->load_after[k]->grams = rs->load[2 * k];
		s->load_after[k]->millilitres = rs->load[2 * k + 1];
	}
}

/* The window of task stop RS in the routing problem (a shipment's drop,
 * open from its pickup's window on: up to the end of the shift). */
static struct lz_route_tw
route_stop_window(const struct tours_vrp *vrp, const struct lz_route_stop *rs,
		  const struct tours_pvehicle *pv)
{
	struct lz_route_tw w = {0, LZ_ROUTE_INF};
	const struct lz_route_shipment *sh;

	if (rs->type == LZ_ROUTE_STOP_JOB) {
		w = lz_route_problem_job(vrp->p, rs->index)->tw[0];
	} else if ((sh = lz_route_problem_shipment(vrp->p, rs->index))) {
		w = rs->type == LZ_ROUTE_STOP_PICKUP ? sh->pickup.tw[0]
						     : sh->delivery.tw[0];
	}
	if (w.end >= LZ_ROUTE_INF / 2)
		w.end = (double)pv->shift_end;
	return w;
}

static int
is_task_stop(const struct lz_route_stop *rs)
{
	return rs->type == LZ_ROUTE_STOP_JOB ||
	       rs->type == LZ_ROUTE_STOP_PICKUP ||
	       rs->type == LZ_ROUTE_STOP_DELIVERY;
}

static void
stop_add_task(Stop *s, const Task *t)
{
	s->task_ids =
		xrealloc(s->task_ids, sizeof(char *) * (s->n_task_ids + 1));
	s->task_kinds = xrealloc(s->task_kinds, sizeof(*s->task_kinds) *
							(s->n_task_kinds + 1));
	s->task_ids[s->n_task_ids++] = xstrdup(t->task_id);
	s->task_kinds[s->n_task_kinds++] = t->kind;
}

void
tours_fill(const Tour *t, const Vehicle *v,
	   CompartmentFill fill[TOURS_NCLASSES])
{
	int64_t cap[TOURS_NDIMS];

	tours_vehicle_capacity(v, cap);
	for (int k = 0; k < TOURS_NCLASSES; k++) {
		CompartmentFill init = LZ__TOURS__V1__COMPARTMENT_FILL__INIT;
		int64_t pg = 0, pm = 0;

		fill[k] = init;
		fill[k].temperature_class =
			(Lz__Common__V1__TemperatureClass)(k + 1);
		fill[k].capacity_grams = cap[2 * k];
		fill[k].capacity_millilitres = cap[2 * k + 1];
		for (size_t i = 0; i < t->n_stops; i++)
			for (size_t j = 0; j < t->stops[i]->n_load_after; j++) {
				const ClassLoad *l = t->stops[i]->load_after[j];

				if (tours_class_index(
					    (int)l->temperature_class) != k)
					continue;
				if (l->grams > fill[k].max_grams)
					fill[k].max_grams = l->grams;
				if (l->millilitres > fill[k].max_millilitres)
					fill[k].max_millilitres =
						l->millilitres;
			}
		if (cap[2 * k] > 0)
			pg = fill[k].max_grams * 1000 / cap[2 * k];
		if (cap[2 * k + 1] > 0)
			pm = fill[k].max_millilitres * 1000 / cap[2 * k + 1];
		fill[k].fill_permille = (uint32_t)(pg > pm ? pg : pm);
	}
}

/* The tour of route R.  A driver parks once per address: with
 * C->merge_stops, a visit at the same location as the Stop before it, with
 * a window that intersects that Stop's, joins it (the engine already
 * waived its setup). */
static Tour *
tour_new(const struct tours_conf *c, const struct tours_vrp *vrp,
	 struct tours_ptask *t, size_t tidx, const struct lz_route_route *r,
	 const struct tours_pvehicle *pv, const char *date, const char *wave,
	 const char *plan_id)
{
	Tour init = LZ__TOURS__V1__TOUR__INIT;
	Tour *tour = xmalloc(sizeof(*tour));
	CompartmentFill fill[TOURS_NCLASSES];
	Stop *cur = NULL;
	struct lz_route_tw cur_w = {0, 0};
	int cur_loc = -1;
	char id[300];

	*tour = init;
	snprintf(id, sizeof(id), "%s/%s/%s", date, wave, pv->v->vehicle_id);
	tour->tour_id = xstrdup(id);
	tour->date = xstrdup(date);
	tour->wave = xstrdup(wave);
	tour->vehicle_id = xstrdup(pv->v->vehicle_id);
	tour->plan_id = xstrdup(plan_id);
	tour->vehicle_kind = pv->v->kind;
	tour->status = (Lz__Tours__V1__TourStatus)TOUR_PLANNED;
	tour->stops = xcalloc((size_t)r->nstops + 1, sizeof(Stop *));
	for (int i = 0; i < r->nstops; i++) {
		const struct lz_route_stop *rs = &r->stops[i];
		const Site *site =
			rs->location >= 0 && rs->location < vrp->nlocs
				? vrp->loc_site[rs->location]
				: pv->hub;
		struct lz_route_tw w = {0, 0};
		Stop *s;
		int ti = -1;

		if (is_task_stop(rs))
			w = route_stop_window(vrp, rs, pv);
		if (c->merge_stops && is_task_stop(rs) && cur &&
		    cur->kind == SK_TASK && rs->location == cur_loc &&
		    w.start <= cur_w.end && cur_w.start <= w.end) {
			s = cur;
			stop_extend(s, rs);
			if (w.start > cur_w.start)
				cur_w.start = w.start;
			if (w.end < cur_w.end)
				cur_w.end = w.end;
		} else {
			s = stop_new(rs, site, (unsigned)tour->n_stops);
			if (rs->type == LZ_ROUTE_STOP_START)
				s->kind = (Lz__Tours__V1__StopKind)SK_START;
			else if (rs->type == LZ_ROUTE_STOP_END)
				s->kind = (Lz__Tours__V1__StopKind)SK_END;
			else
				s->kind = (Lz__Tours__V1__StopKind)SK_TASK;
			tour->stops[tour->n_stops++] = s;
			cur = s;
			cur_loc = rs->location;
			cur_w = w;
		}
		if (rs->type == LZ_ROUTE_STOP_JOB) {
			for (int k = vrp->job_first[rs->index];
			     k < vrp->job_first[rs->index + 1]; k++) {
				ti = vrp->job_task[k];
				stop_add_task(s, t[ti].task);
				t[ti].tour = (int)tidx;
				t[ti].stop = (int)s->index;
				t[ti].arrival = s->arrival;
			}
		} else if (rs->type == LZ_ROUTE_STOP_PICKUP ||
			   rs->type == LZ_ROUTE_STOP_DELIVERY) {
			ti = vrp->ship_task[rs->index];
			stop_add_task(s, t[ti].task);
			if (rs->type == LZ_ROUTE_STOP_PICKUP) {
				t[ti].tour = (int)tidx;
				t[ti].stop = (int)s->index;
				t[ti].arrival = s->arrival;
			}
		}
		if (ti >= 0) {
			if (s->window == NULL) {
				s->window = xmalloc(sizeof(TimeWindow));
				lz__common__v1__time_window__init(s->window);
			}
			s->window->start = round_t(cur_w.start);
			s->window->end = round_t(cur_w.end);
		}
	}
	tour->distance_m = round_t(r->distance);
	tour->duration_s = round_t(r->duration);
	tour->cost_cents = round_t(r->cost);
	if (r->nstops > 0) {
		tour->start = round_t(r->stops[0].departure);
		tour->end = round_t(r->stops[r->nstops - 1].arrival);
	}
	tours_fill(tour, pv->v, fill);
	tour->n_fill = TOURS_NCLASSES;
	tour->fill = xcalloc(TOURS_NCLASSES, sizeof(CompartmentFill *));
	for (int k = 0; k < TOURS_NCLASSES; k++) {
		tour->fill[k] = xmalloc(sizeof(CompartmentFill));
		*tour->fill[k] = fill[k];
	}
	return tour;
}

void
tours_tour_free(Tour *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_stops; i++) {
		Stop *s = t->stops[i];

		for (size_t j = 0; j < s->n_task_ids; j++)
			free(s->task_ids[j]);
		for (size_t j = 0; j < s->n_load_after; j++)
			free(s->load_after[j]);
		free(s->task_ids);
		free(s->task_kinds);
		free(s->load_after);
		free(s->site_id);
		free(s->location);
		free(s->window);
		free(s);
	}
	for (size_t k = 0; k < t->n_fill; k++)
		free(t->fill[k]);
	free(t->fill);
	free(t->stops);
	free(t->tour_id);
	free(t->date);
	free(t->wave);
	free(t->vehicle_id);
	free(t->plan_id);
	free(t);
}

/* Whether tour T visits a site twice for tasks whose windows overlap
 * (longer than an instant): one visit could have served them. */
static int
comes_back(const Tour *t)
{
	for (size_t i = 0; i < t->n_stops; i++)
		for (size_t j = i + 1; j < t->n_stops; j++) {
			const Stop *a = t->stops[i], *b = t->stops[j];

			if (a->kind == SK_TASK && b->kind == SK_TASK &&
			    a->window && b->window &&
			    strcmp(a->site_id, b->site_id) == 0 &&
			    a->window->start < b->window->end &&
			    b->window->start < a->window->end)
				return 1;
		}
	return 0;
}

/* Plans again, on its vehicle PV alone, the tasks of tour K of OUT that
 * comes back to a site: alone, tasks at one site group whatever their
 * refrigeration needs (the vehicle has them), so one visit serves them.
 * The new tour replaces the old one when it plans every task and no
 * longer comes back. */
static void
repair_tour(const struct tours_conf *c, struct tours_ptask *t, size_t nt,
	    const struct tours_pvehicle *pv, size_t k, const char *date,
	    const char *wave, const char *plan_id, struct tours_plan *out)
{
	struct tours_conf c1 = *c;
	struct tours_ptask *sub = xcalloc(nt + 1, sizeof(*sub));
	size_t *of = xcalloc(nt + 1, sizeof(*of));
	struct tours_plan one;
	size_t n = 0;

	for (size_t i = 0; i < nt; i++)
		if (t[i].reason == RS_NONE && t[i].tour == (int)k) {
			sub[n] = t[i];
			of[n++] = i;
		}
	c1.repair_revisits = 0;
	c1.time_limit = 0;
	c1.iterations = c->repair_iterations > 0 ? c->repair_iterations : 100;
	if (tours_plan_solve(&c1, sub, n, pv, 1, date, wave, plan_id, &one) ==
		    0 &&
	    one.ntours == 1 && one.unplanned == 0 &&
	    !comes_back(one.tours[0])) {
		out->distance_m +=
			one.tours[0]->distance_m - out->tours[k]->distance_m;
		tours_tour_free(out->tours[k]);
		out->tours[k] = one.tours[0];
		one.tours[0] = NULL;
		one.ntours = 0;
		for (size_t j = 0; j < n; j++) {
			t[of[j]] = sub[j];
			t[of[j]].tour = (int)k;
		}
	}
	tours_plan_release(&one);
	free(sub);
	free(of);
}

int
tours_plan_solve(const struct tours_conf *c, struct tours_ptask *t, size_t nt,
		 const struct tours_pvehicle *v, size_t nv, const char *date,
		 const char *wave, const char *plan_id, struct tours_plan *out)
{
	struct tours_vrp vrp;
	struct lz_route_options o;
	struct lz_route_solution *sol = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tours_vrp_build(c, t, nt, v, nv, &vrp)) != 0)
		goto out;
	if (vrp.njobs + vrp.nships > 0 &&
	    lz_route_problem_nvehicles(vrp.p) > 0) {
		lz_route_options_init(&o);
		o.time_limit = c->time_limit;
		o.iterations = c->iterations;
		o.seed = c->seed;
		if ((rc = lz_route_solve(vrp.p, &o, &sol)) != 0)
			goto out;
		out->solve_s = sol->elapsed;
		out->iterations = sol->iterations;
		out->tours = xcalloc((size_t)sol->nroutes + 1, sizeof(Tour *));
		for (int r = 0; r < sol->nroutes; r++) {
			const struct lz_route_route *rt = &sol->routes[r];
			const struct tours_pvehicle *pv =
				&v[vrp.veh[rt->vehicle]];

			out->tours[out->ntours] =
				tour_new(c, &vrp, t, out->ntours, rt, pv, date,
					 wave, plan_id);
			out->distance_m += out->tours[out->ntours]->distance_m;
			out->ntours++;
		}
		for (int u = 0; u < sol->nunassigned; u++) {
			const struct lz_route_unassigned *ua =
				&sol->unassigned[u];
			int reason = tours_reason_from_route(ua->reason);

			if (ua->shipment) {
				t[vrp.ship_task[ua->index]].reason = reason;
				continue;
			}
			for (int k = vrp.job_first[ua->index];
			     k < vrp.job_first[ua->index + 1]; k++)
				t[vrp.job_task[k]].reason = reason;
		}
		for (int r = 0; c->repair_revisits && r < sol->nroutes; r++)
			if (comes_back(out->tours[r]))
				repair_tour(c, t, nt,
					    &v[vrp.veh[sol->routes[r].vehicle]],
					    (size_t)r, date, wave, plan_id,
					    out);
	} else {
		/* Nothing entered the problem: either no task or no
		 * usable vehicle (reasons already set by the build). */
		for (size_t i = 0; i < nt; i++)
			if (t[i].reason == RS_NONE)
				t[i].reason = RS_NO_VEHICLE;
	}
	for (size_t i = 0; i < nt; i++) {
		if (t[i].reason == RS_NONE && t[i].tour >= 0)
			out->planned++;
		else {
			if (t[i].reason == RS_NONE)
				t[i].reason = RS_NO_ROOM;
			out->unplanned++;
		}
	}
out:
	lz_route_solution_destroy(&sol);
	tours_vrp_release(&vrp);
	return rc;
}

void
tours_plan_release(struct tours_plan *plan)
{
	for (size_t i = 0; i < plan->ntours; i++)
		tours_tour_free(plan->tours[i]);
	free(plan->tours);
	memset(plan, 0, sizeof(*plan));
}

/* ---- GeoJSON ---- */

static json_t *
lonlat(const GeoPoint *p)
{
	return json_pack("[f,f]", p ? p->lon : 0.0, p ? p->lat : 0.0);
}

static const char *
stop_status_name(int s)
{
	static const char *const names[] = {"unspecified", "planned", "arrived",
					    "completed", "failed"};

	return s >= 0 && s < 5 ? names[s] : "unknown";
}

static const char *
tour_status_name(int s)
{
	static const char *const names[] = {"unspecified", "planned", "started",
					    "completed"};

	return s >= 0 && s < 4 ? names[s] : "unknown";
}

json_t *
tours_geojson(Tour *const *tours, size_t n)
{
	json_t *fc = json_pack("{s:s,s:[]}", "type", "FeatureCollection",
			       "features");
	json_t *feats = json_object_get(fc, "features");

	for (size_t i = 0; i < n; i++) {
		const Tour *t = tours[i];
		json_t *line = json_array(), *fill = json_object();

		for (size_t s = 0; s < t->n_stops; s++)
			json_array_append_new(line,
					      lonlat(t->stops[s]->location));
		for (size_t k = 0; k < t->n_fill; k++) {
			static const char *const cls[] = {"ambient", "chilled",
							  "frozen"};
			int ci = tours_class_index(
				(int)t->fill[k]->temperature_class);

			json_object_set_new(
				fill, cls[ci],
				json_integer(t->fill[k]->fill_permille));
		}
		json_array_append_new(
			feats,
			json_pack("{s:s,s:{s:s,s:o},s:{s:s,s:s,s:s,s:I,s:I,s:I,"
				  "s:I,s:s,s:o,s:i}}",
				  "type", "Feature", "geometry", "type",
				  "LineString", "coordinates", line,
				  "properties", "tour", t->tour_id, "vehicle",
				  t->vehicle_id, "kind", "route", "distance_m",
				  (json_int_t)t->distance_m, "duration_s",
				  (json_int_t)t->duration_s, "start",
				  (json_int_t)t->start, "end",
				  (json_int_t)t->end, "status",
				  tour_status_name((int)t->status),
				  "fill_permille", fill, "stops",
				  (int)t->n_stops));
		for (size_t s = 0; s < t->n_stops; s++) {
			const Stop *st = t->stops[s];
			json_t *tasks = json_array();

			for (size_t k = 0; k < st->n_task_ids; k++)
				json_array_append_new(
					tasks, json_string(st->task_ids[k]));
			json_array_append_new(
				feats,
				json_pack("{s:s,s:{s:s,s:o},s:{s:s,s:s,s:i,s:s,"
					  "s:s,s:o,s:I,s:I,s:s}}",
					  "type", "Feature", "geometry", "type",
					  "Point", "coordinates",
					  lonlat(st->location), "properties",
					  "kind", "stop", "tour", t->tour_id,
					  "index", (int)st->index, "site",
					  st->site_id, "stop_kind",
					  st->kind == SK_START ? "start"
					  : st->kind == SK_END ? "end"
							       : "task",
					  "tasks", tasks, "arrival",
					  (json_int_t)st->arrival, "departure",
					  (json_int_t)st->departure, "status",
					  stop_status_name((int)st->status)));
		}
	}
	return fc;
}

/* ---- travel matrix ---- */

struct tours_matrix {
	size_t n, cap;
	struct entry {
		char *a, *b;
		double m, s;
	} * e;
};

static int
entry_cmp(const void *x, const void *y)
{
	const struct entry *p = x, *q = y;
	int c = strcmp(p->a, q->a);

	return c ? c : strcmp(p->b, q->b);
}

int
tours_matrix_load(const char *path, struct tours_matrix **out, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct tours_matrix *m;
	char line[512];
	long lineno = 0;

	*out = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	m = xcalloc(1, sizeof(*m));
	while (fgets(line, sizeof(line), f)) {
		char a[128], b[128];
		double dm, ds;
		char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (sscanf(p, "%127[^,],%127[^,],%lf,%lf", a, b, &dm, &ds) !=
			    4 ||
		    !(dm >= 0) || !(ds >= 0) || dm > 1e8 || ds > 1e7) {
			snprintf(err, errlen,
				 "line %ld: want from,to,metres,seconds",
				 lineno);
			fclose(f);
			tours_matrix_destroy(&m);
			return -EINVAL;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 64;
			m->e = xrealloc(m->e, m->cap * sizeof(*m->e));
		}
		m->e[m->n].a = xstrdup(a);
		m->e[m->n].b = xstrdup(b);
		m->e[m->n].m = dm;
		m->e[m->n].s = ds;
		m->n++;
	}
	fclose(f);
	if (m->n)
		qsort(m->e, m->n, sizeof(*m->e), entry_cmp);
	*out = m;
	return 0;
}

void
tours_matrix_destroy(struct tours_matrix **mp)
{
	struct tours_matrix *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].a);
		free(m->e[i].b);
	}
	free(m->e);
	free(m);
	*mp = NULL;
}

int
tours_matrix_get(const struct tours_matrix *m, const char *a, const char *b,
		 double *metres, double *seconds)
{
	struct entry key = {0}, *e;

	if (m == NULL || m->n == 0)
		return -1;
	key.a = (char *)a;
	key.b = (char *)b;
	e = bsearch(&key, m->e, m->n, sizeof(*m->e), entry_cmp);
	if (e == NULL)
		return -1;
	*metres = e->m;
	*seconds = e->s;
	return 0;
}

int
tours_may_report(const char *driver_id, const char *actor, int is_operator)
{
	if (is_operator || driver_id == NULL || driver_id[0] == '\0')
		return 1;
	return actor != NULL && strcmp(actor, driver_id) == 0;
}
