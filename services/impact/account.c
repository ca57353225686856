/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * account.c -- see account.h.
 */
#include "account.h"

#include "lz_date.h"
#include "lz_route.h"
#include "lz_util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void
impact_conf_init(struct impact_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->diesel_g_per_l = 3170;
	c->electricity_g_per_kwh = 48;
	c->van_ml_per_100km = 8500;
	c->bike_wh_per_100km = 2000;
	c->cf_van_ml_per_100km = 8500;
	c->cf_capacity_g = 800000;
	c->circuity = 1.35;
	c->method = CF_OWN_ROUNDS;
	c->cf_iterations = 300;
	c->seed = 1;
}

/* The fuel a vehicle of KIND burns when its record does not say. */
static int
usual_fuel(int kind)
{
	switch (kind) {
	case VK_ELECTRIC_VAN:
	case VK_CARGO_BIKE:
		return FUEL_ELECTRICITY;
	case VK_GAS_VAN:
		return FUEL_CNG;
	default:
		return FUEL_DIESEL;
	}
}

/* round(A * B / D) for non-negative A, B and positive D, without the
 * intermediate overflow of large products. */
static int64_t
mul_div(int64_t a, int64_t b, int64_t d)
{
	return (int64_t)llround((double)a * (double)b / (double)d);
}

void
impact_trip_energy(const struct impact_conf *c, int kind, int fuel,
		   int64_t consumption, int64_t distance_m,
		   struct impact_energy *out)
{
	int64_t factor = 0, used;

	memset(out, 0, sizeof(*out));
	if (distance_m < 0)
		distance_m = 0;
	if (fuel <= 0)
		fuel = usual_fuel(kind);
	if (consumption <= 0 && fuel == FUEL_DIESEL)
		consumption = c->van_ml_per_100km;
	if (consumption <= 0 && fuel == FUEL_ELECTRICITY &&
	    kind == VK_CARGO_BIKE)
		consumption = c->bike_wh_per_100km;
	if (fuel == FUEL_NONE) {
		out->factored = 1;
		return;
	}
	/* consumption is per 100 km = 100000 m */
	used = consumption > 0 ? mul_div(distance_m, consumption, 100000) : 0;
	switch (fuel) {
	case FUEL_DIESEL:
		factor = c->diesel_g_per_l;
		out->fuel_ml = used;
		break;
	case FUEL_PETROL:
		factor = c->petrol_g_per_l;
		out->fuel_ml = used;
		break;
	case FUEL_CNG:
		factor = c->cng_g_per_kg;
		out->fuel_ml = used;
		break;
	case FUEL_ELECTRICITY:
		factor = c->electricity_g_per_kwh;
		out->energy_wh = used;
		break;
	default:
		break;
	}
	if (factor <= 0 || consumption <= 0)
		return;
	out->factored = 1;
	/* from the exact product, not the rounded fuel: factor per 1000 */
	out->co2e_g =
		(int64_t)llround((double)distance_m * (double)consumption *
				 (double)factor / 1e8);
}

int64_t
impact_tour_distance(const TourRecord *r, int *odometer)
{
	*odometer = 0;
	if (r->odometer_start_km > 0 &&
	    r->odometer_end_km > r->odometer_start_km) {
		*odometer = 1;
		return (r->odometer_end_km - r->odometer_start_km) * 1000;
	}
	return r->tour && r->tour->distance_m > 0 ? r->tour->distance_m : 0;
}

static int
class_index(int tc)
{
	return tc >= 1 && tc <= IMPACT_NCLASSES ? tc - 1 : 0;
}

void
impact_tour_legs(const Tour *t, double share,
		 int64_t carried_gm[IMPACT_NCLASSES],
		 int64_t capacity_gm[IMPACT_NCLASSES], int64_t *empty_m,
		 int64_t *legs_m)
{
	int64_t cap[IMPACT_NCLASSES] = {0};

	for (size_t f = 0; f < t->n_fill; f++)
		cap[class_index(t->fill[f]->temperature_class)] =
			t->fill[f]->capacity_grams;
	for (size_t i = 0; i + 1 < t->n_stops; i++) {
		const Lz__Tours__V1__Stop *s = t->stops[i];
		int64_t leg = t->stops[i + 1]->distance_m - s->distance_m;
		int64_t on[IMPACT_NCLASSES] = {0}, total = 0;

		if (leg <= 0)
			continue;
		for (size_t l = 0; l < s->n_load_after; l++) {
			int k = class_index(
				s->load_after[l]->temperature_class);

			if (s->load_after[l]->grams > 0) {
				on[k] += s->load_after[l]->grams;
				total += s->load_after[l]->grams;
			}
		}
		for (int k = 0; k < IMPACT_NCLASSES; k++) {
			carried_gm[k] += llround((double)on[k] * leg * share);
			capacity_gm[k] += llround((double)cap[k] * leg * share);
		}
		if (total == 0)
			*empty_m += llround(leg * share);
		*legs_m += llround(leg * share);
	}
}

int
impact_cf_rounds(const struct impact_conf *c, double lat, double lon,
		 const struct impact_cf_stop *stops, size_t n, int64_t *metres,
		 int64_t *rounds)
{
	struct lz_route_problem *p = lz_route_problem_new(1);
	struct lz_route_solution *sol = NULL;
	struct lz_route_options o;
	double total = 0;
	int rc = 0;

	*metres = *rounds = 0;
	if (p == NULL)
		return LZ_ROUTE_EINVAL;
	if (n == 0)
		goto out;
	lz_route_problem_set_metric(p, LZ_ROUTE_METRIC_HAVERSINE,
				    c->circuity > 0 ? c->circuity : 1);
	lz_route_problem_add_location(p, lon, lat);
	for (size_t i = 0; i < n; i++)
		lz_route_problem_add_location(p, stops[i].lon, stops[i].lat);
	if (c->method == CF_DIRECT_TRIPS) {
		for (size_t i = 0; i < n; i++)
			total += lz_route_problem_distance(p,
							   LZ_ROUTE_PROFILE_VAN,
							   0, (int)i + 1) +
				 lz_route_problem_distance(p,
							   LZ_ROUTE_PROFILE_VAN,
							   (int)i + 1, 0);
		*rounds = (int64_t)n;
		goto out;
	}
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct lz_route_job j;
		struct lz_route_vehicle v;

		lz_route_job_init(&j);
		j.id = (int64_t)i;
		j.location = (int)i + 1;
		j.delivery[0] =
			stops[i].grams < c->cf_capacity_g
				? (stops[i].grams > 0 ? stops[i].grams : 0)
				: c->cf_capacity_g;
		rc = lz_route_problem_add_job(p, &j);
		/* as many van rounds as stops: never short of a van */
		lz_route_vehicle_init(&v);
		v.id = (int64_t)i;
		v.start = v.end = 0;
		v.capacity[0] = c->cf_capacity_g;
		if (rc >= 0)
			rc = lz_route_problem_add_vehicle(p, &v);
	}
	if (rc < 0)
		goto out;
	lz_route_options_init(&o);
	o.time_limit = 0;
	o.iterations = c->cf_iterations > 0 ? c->cf_iterations : 1;
	o.seed = c->seed;
	if ((rc = lz_route_solve(p, &o, &sol)) != 0)
		goto out;
	total = sol->distance;
	*rounds = sol->nroutes;
	/* unassigned cannot happen without windows; count them alone */
	for (int u = 0; u < sol->nunassigned; u++) {
		int loc = sol->unassigned[u].index + 1;

		total += 2 * lz_route_problem_distance(p, LZ_ROUTE_PROFILE_VAN,
						       0, loc);
		(*rounds)++;
	}
out:
	if (rc >= 0)
		*metres = llround(total);
	lz_route_solution_destroy(&sol);
	lz_route_problem_destroy(&p);
	return rc < 0 ? rc : 0;
}

int
impact_site_located(const Site *s)
{
	return s && s->location &&
	       !(s->location->lat == 0 && s->location->lon == 0);
}

const Site *
impact_cf_origin(const Delivery *d, const Site *pickup,
		 const Site *const *sites, size_t n)
{
	const Site *other = NULL;

	if (d->source == SRC_PRODUCER_PICKUP)
		return impact_site_located(pickup) ? pickup : NULL;
	for (size_t i = 0; i < n; i++) {
		const Site *s = sites[i];

		if (strcmp(s->member_id, d->member_id) != 0 ||
		    !impact_site_located(s) || s->kind == SITE_KIND_HUB ||
		    s->kind == SITE_KIND_BIKE_RELAY)
			continue;
		if (s->kind == SITE_KIND_PRODUCER)
			return s;
		if (other == NULL)
			other = s;
	}
	return other;
}

/* ---- a report ---- */

int
impact_acc_init(struct impact_acc *a, const struct impact_conf *c,
		const char *from, const char *to)
{
	int64_t t0, t1, t;

	memset(a, 0, sizeof(*a));
	a->conf = *c;
	if (lz_date_midnight(from, &t0, NULL) != 0 ||
	    lz_date_midnight(to, &t1, NULL) != 0 || t1 < t0 ||
	    (t1 - t0) / 86400 >= IMPACT_MAX_DAYS)
		return -EINVAL;
	memcpy(a->from, from, 11);
	memcpy(a->to, to, 11);
	a->days = xcalloc((size_t)((t1 - t0) / 86400) + 2, sizeof(*a->days));
	/* noon of each day, so that 23- and 25-hour days count once */
	for (t = t0 + 43200; a->ndays < IMPACT_MAX_DAYS + 1; t += 86400) {
		char d[11];

		if (lz_date_local(t, d) != 0 || strcmp(d, to) > 0)
			break;
		memcpy(a->days[a->ndays++].date, d, 11);
	}
	return 0;
}

struct impact_day *
impact_acc_day(struct impact_acc *a, const char *date)
{
	size_t lo = 0, hi = a->ndays;

	if (date == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(a->days[mid].date, date);

		if (cmp == 0)
			return &a->days[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int64_t
part(int64_t v, double share)
{
	return share >= 1 ? v : llround((double)v * share);
}

void
impact_acc_trip(struct impact_acc *a, const char *date, int kind,
		int64_t distance_m, int odometer, const struct impact_energy *e,
		double share, int64_t duration_s)
{
	struct impact_kind *k;
	struct impact_day *d = impact_acc_day(a, date);
	int64_t m = part(distance_m, share), co2 = part(e->co2e_g, share);

	if (d == NULL || share <= 0)
		return;
	if (kind < 0 || kind >= IMPACT_NKINDS)
		kind = 0;
	k = &a->kinds[kind];
	k->trips++;
	k->distance_m += m;
	if (odometer)
		k->odometer_m += m;
	else
		k->planned_m += m;
	k->fuel_ml += part(e->fuel_ml, share);
	k->energy_wh += part(e->energy_wh, share);
	k->co2e_g += co2;
	if (!e->factored)
		k->unfactored_m += m;
	d->actual_m += m;
	d->actual_co2e_g += co2;
	if (kind != VK_CARGO_BIKE && duration_s > 0)
		a->driver_s += part(duration_s, share);
}

void
impact_acc_cf(struct impact_acc *a, const char *date, int64_t metres,
	      int64_t rounds, int64_t orders)
{
	struct impact_day *d = impact_acc_day(a, date);
	struct impact_energy e;

	if (d == NULL)
		return;
	impact_trip_energy(&a->conf, VK_DIESEL_VAN, FUEL_DIESEL,
			   a->conf.cf_van_ml_per_100km, metres, &e);
	a->cf_m += metres;
	a->cf_co2e_g += e.co2e_g;
	a->cf_rounds += rounds;
	a->cf_orders += orders;
	d->cf_m += metres;
	d->cf_co2e_g += e.co2e_g;
}

void
impact_acc_delivery(struct impact_acc *a, const Delivery *dl,
		    int work_integration)
{
	struct impact_day *d = impact_acc_day(a, dl->date);

	if (d == NULL)
		return;
	a->deliveries++;
	d->deliveries++;
	if (dl->by_bike) {
		a->bike_deliveries++;
		d->bike_deliveries++;
	}
	if (work_integration)
		a->wi_deliveries++;
}

void
impact_acc_flow(struct impact_acc *a, int level, int64_t grams)
{
	if (level < 0 || level >= IMPACT_NLEVELS)
		level = 0;
	a->level_flows[level]++;
	a->level_g[level] += grams > 0 ? grams : 0;
}

static struct impact_containers *
containers(struct impact_acc *a, const char *type)
{
	for (size_t i = 0; i < a->nct; i++)
		if (strcmp(a->ct[i].type, type) == 0)
			return &a->ct[i];
	a->ct = xrealloc(a->ct, (a->nct + 1) * sizeof(*a->ct));
	memset(&a->ct[a->nct], 0, sizeof(*a->ct));
	strncpy(a->ct[a->nct].type, type, sizeof(a->ct->type) - 1);
	return &a->ct[a->nct++];
}

void
impact_acc_ledger(struct impact_acc *a, const LedgerMoved *m)
{
	int returned = strcmp(m->to_account, "hub-returned") == 0;
	int reused = strcmp(m->from_account, "washing") == 0 &&
		     strcmp(m->to_account, "hub-stock") == 0;
	struct impact_containers *c;
	int64_t cents = (int64_t)m->count * m->deposit_cents;

	if (!returned && !reused)
		return;
	c = containers(a, m->container_type);
	if (returned) {
		c->returned += m->count;
		c->returned_cents += cents;
	} else {
		c->reused += m->count;
		c->reused_cents += cents;
	}
}

/* ---- the report message ---- */

struct impact_rep {
	Lz__Impact__V1__Factors factors;
	Lz__Impact__V1__KindFigures kinds[IMPACT_NKINDS];
	Lz__Impact__V1__KindFigures *kindp[IMPACT_NKINDS];
	Lz__Impact__V1__ClassFill fill[IMPACT_NCLASSES];
	Lz__Impact__V1__ClassFill *fillp[IMPACT_NCLASSES];
	Lz__Impact__V1__LevelFigures levels[IMPACT_NLEVELS];
	Lz__Impact__V1__LevelFigures *levelp[IMPACT_NLEVELS];
	Lz__Impact__V1__ContainerFigures *ct;
	Lz__Impact__V1__ContainerFigures **ctp;
	Lz__Impact__V1__DayFigures *days;
	Lz__Impact__V1__DayFigures **dayp;
	char *member_id, *member_name;
};

static void
rep_free(struct impact_rep *rp)
{
	if (rp == NULL)
		return;
	free(rp->ct);
	free(rp->ctp);
	free(rp->days);
	free(rp->dayp);
	free(rp->member_id);
	free(rp->member_name);
	free(rp);
}

void
impact_acc_release(struct impact_acc *a)
{
	rep_free(a->rep);
	free(a->ct);
	free(a->days);
	memset(a, 0, sizeof(*a));
}

static uint32_t
permille(int64_t num, int64_t den)
{
	if (den <= 0 || num <= 0)
		return 0;
	return (uint32_t)llround(1000.0 * (double)num / (double)den);
}

static void
report_factors(const struct impact_conf *c, Lz__Impact__V1__Factors *f)
{
	Lz__Impact__V1__Factors init = LZ__IMPACT__V1__FACTORS__INIT;

	*f = init;
	f->diesel_g_per_l = c->diesel_g_per_l;
	f->petrol_g_per_l = c->petrol_g_per_l;
	f->cng_g_per_kg = c->cng_g_per_kg;
	f->electricity_g_per_kwh = c->electricity_g_per_kwh;
	f->van_diesel_ml_per_100km = c->van_ml_per_100km;
	f->bike_wh_per_100km = c->bike_wh_per_100km;
	f->counterfactual_van_ml_per_100km = c->cf_van_ml_per_100km;
	f->counterfactual_van_capacity_g = c->cf_capacity_g;
	f->circuity = c->circuity;
}

static void
report_kinds(struct impact_acc *a, struct impact_rep *rp, Report *r)
{
	for (int k = 0; k < IMPACT_NKINDS; k++) {
		Lz__Impact__V1__KindFigures init =
			LZ__IMPACT__V1__KIND_FIGURES__INIT;
		const struct impact_kind *s = &a->kinds[k];
		Lz__Impact__V1__KindFigures *f = &rp->kinds[r->n_kinds];

		if (s->trips == 0)
			continue;
		*f = init;
		f->kind = (Lz__Tours__V1__VehicleKind)k;
		f->trips = s->trips;
		f->distance_m = s->distance_m;
		f->odometer_m = s->odometer_m;
		f->planned_m = s->planned_m;
		f->fuel_ml = s->fuel_ml;
		f->energy_wh = s->energy_wh;
		f->co2e_g = s->co2e_g;
		f->unfactored_m = s->unfactored_m;
		rp->kindp[r->n_kinds++] = f;
		r->actual_m += s->distance_m;
		r->actual_co2e_g += s->co2e_g;
	}
	r->kinds = rp->kindp;
}

static void
report_fill(struct impact_acc *a, struct impact_rep *rp, Report *r)
{
	for (int k = 0; k < IMPACT_NCLASSES; k++) {
		Lz__Impact__V1__ClassFill init =
			LZ__IMPACT__V1__CLASS_FILL__INIT;
		Lz__Impact__V1__ClassFill *f = &rp->fill[r->n_fill];

		if (a->capacity_gm[k] == 0 && a->carried_gm[k] == 0)
			continue;
		*f = init;
		f->temperature_class =
			(Lz__Common__V1__TemperatureClass)(k + 1);
		f->carried_kgkm = llround(a->carried_gm[k] / 1e6);
		f->capacity_kgkm = llround(a->capacity_gm[k] / 1e6);
		f->fill_permille =
			permille(a->carried_gm[k], a->capacity_gm[k]);
		rp->fillp[r->n_fill++] = f;
	}
	r->fill = rp->fillp;
	r->empty_m = a->empty_m;
	r->legs_m = a->legs_m;
	r->empty_permille = permille(a->empty_m, a->legs_m);
}

static void
report_returns(struct impact_acc *a, struct impact_rep *rp, Report *r)
{
	for (int l = 1; l < IMPACT_NLEVELS; l++) {
		Lz__Impact__V1__LevelFigures init =
			LZ__IMPACT__V1__LEVEL_FIGURES__INIT;
		Lz__Impact__V1__LevelFigures *f = &rp->levels[r->n_food];

		if (a->level_flows[l] == 0)
			continue;
		*f = init;
		f->level = (Lz__Returns__V1__HierarchyLevel)l;
		f->flows = a->level_flows[l];
		f->grams = a->level_g[l];
		rp->levelp[r->n_food++] = f;
		if (l != LEVEL_DISPOSAL)
			r->food_diverted_g += a->level_g[l];
	}
	r->food = rp->levelp;
	rp->ct = xcalloc(a->nct + 1, sizeof(*rp->ct));
	rp->ctp = xcalloc(a->nct + 1, sizeof(*rp->ctp));
	for (size_t i = 0; i < a->nct; i++) {
		Lz__Impact__V1__ContainerFigures init =
			LZ__IMPACT__V1__CONTAINER_FIGURES__INIT;
		Lz__Impact__V1__ContainerFigures *f = &rp->ct[i];

		*f = init;
		f->container_type = a->ct[i].type;
		f->returned = a->ct[i].returned;
		f->returned_deposit_cents = a->ct[i].returned_cents;
		f->reused = a->ct[i].reused;
		f->reused_deposit_cents = a->ct[i].reused_cents;
		rp->ctp[i] = f;
		r->containers_reused += f->reused;
		r->reused_deposit_cents += f->reused_deposit_cents;
	}
	r->n_containers = a->nct;
	r->containers = rp->ctp;
}

static void
report_days(struct impact_acc *a, struct impact_rep *rp, Report *r)
{
	rp->days = xcalloc(a->ndays + 1, sizeof(*rp->days));
	rp->dayp = xcalloc(a->ndays + 1, sizeof(*rp->dayp));
	for (size_t i = 0; i < a->ndays; i++) {
		Lz__Impact__V1__DayFigures init =
			LZ__IMPACT__V1__DAY_FIGURES__INIT;
		Lz__Impact__V1__DayFigures *f = &rp->days[i];
		const struct impact_day *d = &a->days[i];

		*f = init;
		f->date = a->days[i].date;
		f->actual_m = d->actual_m;
		f->actual_co2e_g = d->actual_co2e_g;
		f->counterfactual_m = d->cf_m;
		f->counterfactual_co2e_g = d->cf_co2e_g;
		f->deliveries = d->deliveries;
		f->bike_deliveries = d->bike_deliveries;
		rp->dayp[i] = f;
	}
	r->n_days = a->ndays;
	r->days = rp->dayp;
}

void
impact_acc_report(struct impact_acc *a, const char *member_id,
		  const char *member_name, int64_t now, Report *r)
{
	Report init = LZ__IMPACT__V1__REPORT__INIT;
	struct impact_rep *rp;

	rep_free(a->rep);
	rp = a->rep = xcalloc(1, sizeof(*rp));
	*r = init;
	r->from = a->from;
	r->to = a->to;
	rp->member_id = xstrdup(member_id ? member_id : "");
	rp->member_name = xstrdup(member_name ? member_name : "");
	r->member_id = rp->member_id;
	r->member_name = rp->member_name;
	r->generated_at = now;
	report_factors(&a->conf, &rp->factors);
	r->factors = &rp->factors;
	r->method = (Lz__Impact__V1__CounterfactualMethod)a->conf.method;
	r->method_note =
		a->conf.method == CF_DIRECT_TRIPS
			? "each order delivered by a return trip of its "
			  "shipper's own diesel van from the shipper's site (a "
			  "producer pickup: from the producer's site)"
			: "each shipper serves its orders of the day from its "
			  "own site in its own diesel van rounds (a producer "
			  "pickup: the producer from its site), rounds solved "
			  "with the routing engine on van capacity, no time "
			  "windows";
	r->distance_note = "van tours: odometer difference when the driver "
			   "reported start and end readings, planned km "
			   "otherwise; bike runs: the rider's reported "
			   "distance, planned otherwise";
	r->allocation_note =
		member_id && member_id[0]
			? "a trip's km, CO2e, fill and driver time are "
			  "allocated to the member by the mass of its goods "
			  "in it (GLEC / ISO 14083 mass allocation)"
			: "whole association: every trip counted in full";
	report_kinds(a, rp, r);
	r->counterfactual_m = a->cf_m;
	r->counterfactual_co2e_g = a->cf_co2e_g;
	r->counterfactual_rounds = a->cf_rounds;
	r->counterfactual_orders = a->cf_orders;
	r->counterfactual_unplaced = a->cf_unplaced;
	r->avoided_m = a->cf_m - r->actual_m;
	r->avoided_co2e_g = a->cf_co2e_g - r->actual_co2e_g;
	r->avoided_permille = permille(r->avoided_co2e_g, a->cf_co2e_g);
	report_fill(a, rp, r);
	r->deliveries = a->deliveries;
	r->bike_deliveries = a->bike_deliveries;
	r->bike_permille = permille(a->bike_deliveries, a->deliveries);
	report_returns(a, rp, r);
	r->driver_s = a->driver_s;
	r->rider_s = a->rider_s;
	r->work_integration_deliveries = a->wi_deliveries;
	report_days(a, rp, r);
}

const char *
impact_kind_name(int kind)
{
	static const char *const names[] = {"unspecified",  "diesel_van",
					    "electric_van", "refrigerated_van",
					    "gas_van",      "cargo_bike"};

	return kind >= 0 && kind < IMPACT_NKINDS ? names[kind] : "unknown";
}

const char *
impact_level_name(int level)
{
	static const char *const names[] = {
		"unspecified", "donation",  "transformation", "animal_feed",
		"composting",  "recycling", "disposal"};

	return level >= 0 && level < IMPACT_NLEVELS ? names[level] : "unknown";
}

const char *
impact_class_name(int cls)
{
	static const char *const names[] = {"unspecified", "ambient", "chilled",
					    "frozen"};

	return cls >= 0 && cls <= IMPACT_NCLASSES ? names[cls] : "unknown";
}
