/*
 * plan.c -- see plan.h.
 */
#include "plan.h"

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
	c->speed_van = 25.0 / 3.6;
	c->speed_bike = 15.0 / 3.6;
	c->bike_zone = "centre";
	c->bike_wave_start = 10 * 3600;
	c->service_s = 300;
	c->relay_service_s = 600;
	c->time_limit = 2;
	c->iterations = 0;
	c->seed = 1;
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
 * them, haversine x circuity and the profile's speed elsewhere. */
static int
apply_matrix(const struct tours_conf *c, struct tours_vrp *vrp)
{
	int n = vrp->nlocs, rc = 0;
	double *dist = xcalloc((size_t)n * n + 1, sizeof(double));
	double *dur = xcalloc((size_t)n * n + 1, sizeof(double));

	for (int prof = 0; prof < LZ_ROUTE_PROFILES && rc == 0; prof++) {
		double speed = prof == LZ_ROUTE_PROFILE_BIKE ? c->speed_bike
							     : c->speed_van;

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
					s = m / speed;
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

/* Adds job J for tasks IDX[0..N-1] at location LOC. */
static int
add_job(struct tours_vrp *vrp, struct tours_ptask *t, const int *idx, int n,
	int loc, int64_t jobid)
{
	struct lz_route_job job;
	int pick = 0, rc;

	lz_route_job_init(&job);
	job.id = jobid;
	job.location = loc;
	job.ntw = 1;
	job_window(&job.tw[0], t[idx[0]].task);
	job.service = t[idx[0]].task->service_seconds;
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
add_shipment(struct tours_vrp *vrp, struct tours_ptask *pt, int i)
{
	struct lz_route_shipment s;
	uint64_t sk;
	int rc;

	lz_route_shipment_init(&s);
	task_amounts(pt[i].task, s.amount, &sk);
	s.skills = sk;
	s.pickup.id = 2 * i;
	s.pickup.location = location_of(vrp, pt[i].site);
	s.pickup.service = pt[i].task->service_seconds;
	s.pickup.ntw = 1;
	job_window(&s.pickup.tw[0], pt[i].task);
	s.delivery.id = 2 * i + 1;
	s.delivery.location = location_of(vrp, pt[i].dest);
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

/* Groups the relay deliveries at relay site RELAY into as few jobs as
 * will each fit one vehicle: first the goods that need no refrigeration
 * (any van may take them), then the others. */
static int
add_relay_jobs(struct tours_vrp *vrp, struct tours_ptask *t, size_t nt,
	       const char *relay, int *used)
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
			    strcmp(t[i].site->site_id, relay) != 0)
				continue;
			task_amounts(t[i].task, amt, &sk);
			if ((sk != 0) != (pass == 1))
				continue;
			used[i] = 1;
			loc = location_of(vrp, t[i].site);
			for (int d = 0; d < TOURS_NDIMS; d++)
				tot[d] = sat_add(sum[d], amt[d]);
			if (n > 0 && !fits_any(vrp->p, tot, gsk | sk)) {
				rc = add_job(vrp, t, grp, n, loc,
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
			rc = add_job(vrp, t, grp, n, loc, (int64_t)vrp->njobs);
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
	lz_route_problem_set_speed(out->p, LZ_ROUTE_PROFILE_VAN,
				   c->speed_van > 0 ? c->speed_van : 7);
	lz_route_problem_set_speed(out->p, LZ_ROUTE_PROFILE_BIKE,
				   c->speed_bike > 0 ? c->speed_bike : 4);

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
			rc = add_relay_jobs(out, t, nt, t[i].site->site_id,
					    used);
			continue;
		}
		used[i] = 1;
		if (t[i].task->kind == TK_COLLECTION && t[i].dest) {
			rc = add_shipment(out, t, (int)i);
		} else {
			int idx = (int)i;

			rc = add_job(out, t, &idx, 1,
				     location_of(out, t[i].site),
				     (int64_t)out->njobs);
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

static Tour *
tour_new(const struct tours_vrp *vrp, struct tours_ptask *t, size_t tidx,
	 const struct lz_route_route *r, const struct tours_pvehicle *pv,
	 const char *date, const char *wave, const char *plan_id)
{
	Tour init = LZ__TOURS__V1__TOUR__INIT;
	Tour *tour = xmalloc(sizeof(*tour));
	CompartmentFill fill[TOURS_NCLASSES];
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
		Stop *s = stop_new(rs, site, (unsigned)tour->n_stops);
		int ti = -1;

		if (rs->type == LZ_ROUTE_STOP_START)
			s->kind = (Lz__Tours__V1__StopKind)SK_START;
		else if (rs->type == LZ_ROUTE_STOP_END)
			s->kind = (Lz__Tours__V1__StopKind)SK_END;
		else
			s->kind = (Lz__Tours__V1__StopKind)SK_TASK;
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
		if (ti >= 0 && t[ti].task->window) {
			s->window = xmalloc(sizeof(TimeWindow));
			lz__common__v1__time_window__init(s->window);
			s->window->start = t[ti].task->window->start;
			s->window->end = t[ti].task->window->end;
		}
		tour->stops[tour->n_stops++] = s;
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
				tour_new(&vrp, t, out->ntours, rt, pv, date,
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
