/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * dispatch.c -- re-plans the runs that have not started (see dispatch.h):
 * gathers the riders on shift with their bikes, the runs of the day (a
 * started, completed or pinned run is kept; the rider is free after it,
 * plus the reload time; a pinned one is re-timed from now), the open
 * parcels at the relay (their ready time as the jobs' release) and
 * requested pickups, plans them with runs.c and writes what changed.  Also
 * re-sequences a run an operator pins.
 */
#include "dispatch.h"

#include "bikes.h"
#include "events.h"

#include "lz_bus.h"
#include "lz_log.h"
#include "lz_date.h"
#include "lz_store.h"
#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RIDERS 1000

struct on_shift {
	Shift *shift;
	Bike *bike;
	int64_t from;
	unsigned next_seq; /* the rider's next free run number today */
};

/* A job of the plan and the record behind it. */
struct jobref {
	Parcel *p; /* or */
	Pickup *k;
};

struct ctx {
	struct bikes *b;
	struct lz_bus_txn *tx;
	MDB_txn *txn;
	int64_t now;
	const char *cause;
	char date[11];
	Site *relay;
	struct on_shift *riders;
	size_t nriders;
	Bike **bikes;
	size_t nbikes;
	struct bikes_bike_cap *caps; /* of BIKES */
	Run **runs;                  /* of the date */
	size_t nruns;
	struct jobref *refs;
	struct bikes_job *jobs;
	size_t njobs;
	Parcel **skipped; /* open parcels not planned now */
	int *skip_reason;
	size_t nskipped;
};

static void
push(void ***arr, size_t *n, void *item)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(void *));
	(*arr)[(*n)++] = item;
}

static int
keep_bike(ProtobufCMessage *m, void *arg)
{
	struct ctx *c = arg;

	push((void ***)&c->bikes, &c->nbikes, m);
	return 1;
}

static int
keep_run(ProtobufCMessage *m, void *arg)
{
	struct ctx *c = arg;

	push((void ***)&c->runs, &c->nruns, m);
	return 1;
}

static Bike *
find_bike(const struct ctx *c, const char *id)
{
	for (size_t i = 0; i < c->nbikes; i++)
		if (strcmp(c->bikes[i]->bike_id, id) == 0)
			return c->bikes[i];
	return NULL;
}

static int
find_rider(const struct ctx *c, const char *id)
{
	for (size_t i = 0; i < c->nriders; i++)
		if (strcmp(c->riders[i].shift->rider_id, id) == 0)
			return (int)i;
	return -1;
}

/* The date of shift S's runs: its own, or the day of the planning. */
static const char *
shift_date(const struct ctx *c, const Shift *s)
{
	return lz_date_valid(s->date) ? s->date : c->date;
}

static Run *
find_run(const struct ctx *c, const char *id)
{
	for (size_t i = 0; id && id[0] && i < c->nruns; i++)
		if (strcmp(c->runs[i]->run_id, id) == 0)
			return c->runs[i];
	return NULL;
}

static int
keep_shift(ProtobufCMessage *m, void *arg)
{
	struct ctx *c = arg;
	Shift *s = (Shift *)m;
	Bike *bike = find_bike(c, s->bike_id);

	if (s->end != 0 || s->planned_end <= c->now || bike == NULL ||
	    c->nriders >= MAX_RIDERS)
		return 0;
	c->riders = xrealloc(c->riders, (c->nriders + 1) * sizeof(*c->riders));
	c->riders[c->nriders].shift = s;
	c->riders[c->nriders].bike = bike;
	c->riders[c->nriders].from = s->start > c->now ? s->start : c->now;
	c->riders[c->nriders].next_seq = 1;
	c->nriders++;
	return 1;
}

/* A kept run (started, completed or pinned) holds its number and the
 * rider's time until it is back and reloaded: a started one until its
 * planned end or now, whichever is later; a completed one until its
 * planned end or its reported end, whichever is later (a report ahead of
 * the plan is taken as the plan, as a simulated day's phones report ahead
 * of its clock); a pinned one until its planned end. */
static void
account_run(struct ctx *c, const Run *r)
{
	int k = find_rider(c, r->rider_id);
	int64_t back;

	if (k < 0)
		return;
	if (r->status == RUN_STARTED)
		back = r->end > c->now ? r->end : c->now;
	else if (r->status == RUN_COMPLETED)
		back = r->end > r->completed_at ? r->end : r->completed_at;
	else if (r->status == RUN_PLANNED && r->pinned)
		back = r->end;
	else
		return;
	if (r->seq >= c->riders[k].next_seq)
		c->riders[k].next_seq = r->seq + 1;
	if (back + c->b->conf.reload_s > c->riders[k].from)
		c->riders[k].from = back + c->b->conf.reload_s;
}

/* The kept runs but the pinned ones (retime_pinned() does those). */
static void
account_runs(struct ctx *c)
{
	for (size_t i = 0; i < c->nruns; i++)
		if (!(c->runs[i]->status == RUN_PLANNED && c->runs[i]->pinned))
			account_run(c, c->runs[i]);
}

/* The job of a parcel or pickup: place, window, loads, cold, rider. */
static void
job_of(const struct ctx *c, const GeoPoint *loc, const TimeWindow *w, int64_t g,
       int64_t ml, int tc, const char *assigned, struct bikes_job *j)
{
	memset(j, 0, sizeof(*j));
	j->lat = loc ? loc->lat : 0;
	j->lon = loc ? loc->lon : 0;
	if (w) {
		j->tw_start = w->start;
		j->tw_end = w->end;
	}
	j->grams = g;
	j->millilitres = ml;
	j->cold = tc == TC_CHILLED || tc == TC_FROZEN;
	j->rider = assigned && assigned[0] ? find_rider(c, assigned) : -1;
}

/* The capacities of the bikes, once they are read (C->caps). */
static void
bike_caps(struct ctx *c)
{
	c->caps = xcalloc(c->nbikes + 1, sizeof(*c->caps));
	for (size_t i = 0; i < c->nbikes; i++) {
		c->caps[i].grams = c->bikes[i]->capacity_grams;
		c->caps[i].millilitres = c->bikes[i]->capacity_millilitres;
		c->caps[i].insulated = c->bikes[i]->insulated;
	}
}

/* Why an open parcel cannot be planned now, before solving (0: plan it). */
static int
parcel_block(const struct ctx *c, const Parcel *p, const struct bikes_job *j)
{
	int r;

	if (p->location == NULL)
		return BR_UNKNOWN_SITE;
	if (p->out_of_zone &&
	    (p->assigned_rider_id == NULL || !p->assigned_rider_id[0]))
		return BR_OUT_OF_ZONE;
	if ((r = bikes_fits(j, c->caps, c->nbikes)) != 0)
		return r;
	if (p->assigned_rider_id && p->assigned_rider_id[0] && j->rider < 0)
		return BR_NO_RIDER;
	return 0;
}

static void
add_job(struct ctx *c, const struct bikes_job *j, Parcel *p, Pickup *k)
{
	c->jobs = xrealloc(c->jobs, (c->njobs + 1) * sizeof(*c->jobs));
	c->refs = xrealloc(c->refs, (c->njobs + 1) * sizeof(*c->refs));
	c->jobs[c->njobs] = *j;
	c->refs[c->njobs].p = p;
	c->refs[c->njobs].k = k;
	c->njobs++;
}

/* Whether planned run R is kept as it is: pinned by an operator, its
 * rider on shift (a pinned run of a rider gone is planned again). */
static int
pinned(const struct ctx *c, const Run *r)
{
	return r && r->status == RUN_PLANNED && r->pinned &&
	       find_rider(c, r->rider_id) >= 0;
}

/* Whether a planned parcel or pickup of RUN_ID stays where it is. */
static int
in_kept_run(const struct ctx *c, const char *run_id)
{
	return pinned(c, find_run(c, run_id));
}

static int
keep_parcel(ProtobufCMessage *m, void *arg)
{
	struct ctx *c = arg;
	Parcel *p = (Parcel *)m;
	struct bikes_job j;
	int block;

	if (p->status != PS_AT_RELAY &&
	    !(p->status == PS_PLANNED && !in_kept_run(c, p->run_id)))
		return 0;
	job_of(c, p->location, p->window, p->grams, p->millilitres,
	       (int)p->temperature_class, p->assigned_rider_id, &j);
	j.release = p->ready_at;
	block = parcel_block(c, p, &j);
	if (block) {
		c->skip_reason = xrealloc(c->skip_reason,
					  (c->nskipped + 1) * sizeof(int));
		c->skip_reason[c->nskipped] = block;
		push((void ***)&c->skipped, &c->nskipped, p);
	} else {
		add_job(c, &j, p, NULL);
	}
	return 1;
}

static int
keep_pickup(ProtobufCMessage *m, void *arg)
{
	struct ctx *c = arg;
	Pickup *k = (Pickup *)m;
	struct bikes_job j;

	if (k->status != PK_REQUESTED &&
	    !(k->status == PK_PLANNED && !in_kept_run(c, k->run_id)))
		return 0;
	job_of(c, k->location, k->window, k->grams, k->millilitres,
	       (int)k->temperature_class, NULL, &j);
	j.pickup = 1;
	add_job(c, &j, NULL, k);
	return 1;
}

/* ---- runs from the plan ---- */

struct run_buf {
	Run run;
	RunStop *stops;
	RunStop **stop_ptrs;
	GeoPoint relay_loc;
	TimeWindow *windows;
};

static void
run_buf_free(struct run_buf *rb)
{
	for (size_t i = 0; i < rb->run.n_stops; i++) {
		free(rb->stops[i].parcel_ids);
		free(rb->stops[i].request_ids);
	}
	free(rb->stops);
	free(rb->stop_ptrs);
	free(rb->windows);
}

static RunStop *
new_stop(struct run_buf *rb, int kind, const char *site, GeoPoint *loc)
{
	RunStop init = LZ__BIKES__V1__RUN_STOP__INIT;
	RunStop *s = &rb->stops[rb->run.n_stops];

	*s = init;
	s->index = (uint32_t)rb->run.n_stops;
	s->kind = (Lz__Bikes__V1__StopKind)kind;
	s->site_id = (char *)site;
	s->location = loc;
	rb->stop_ptrs[rb->run.n_stops++] = s;
	return s;
}

/* Builds RB from RO: start at the relay, one stop per place visited in a
 * row, back at the relay.  Strings are borrowed from REFS and RELAY. */
static void
build_run(struct run_buf *rb, const struct bikes_run_out *ro,
	  const struct jobref *refs, const Site *relay)
{
	Run init = LZ__BIKES__V1__RUN__INIT;
	RunStop *s = NULL;
	int last_loc = -1;

	memset(rb, 0, sizeof(*rb));
	rb->run = init;
	rb->stops = xcalloc(ro->nvisits + 2, sizeof(*rb->stops));
	rb->stop_ptrs = xcalloc(ro->nvisits + 2, sizeof(*rb->stop_ptrs));
	rb->windows = xcalloc(ro->nvisits + 1, sizeof(*rb->windows));
	rb->run.stops = rb->stop_ptrs;
	s = new_stop(rb, STOP_START, relay->site_id, relay->location);
	s->arrival = s->departure = ro->start;
	s->load_grams = ro->nvisits ? ro->visits[0].load_grams : 0;
	for (size_t i = 0; i < ro->nvisits; i++) {
		const struct bikes_visit *v = &ro->visits[i];
		const struct jobref *r = &refs[v->job];
		const char *site = r->p ? r->p->site_id : r->k->site_id;
		GeoPoint *loc = r->p ? r->p->location : r->k->location;
		const TimeWindow *w = r->p ? r->p->window : r->k->window;
		char ***ids;
		size_t *n;

		if (v->location != last_loc) {
			TimeWindow tw = LZ__COMMON__V1__TIME_WINDOW__INIT;

			s = new_stop(rb, STOP_VISIT, site, loc);
			s->arrival = v->arrival;
			s->distance_m = v->distance_m;
			if (w) {
				rb->windows[i] = tw;
				rb->windows[i].start = w->start;
				rb->windows[i].end = w->end;
				s->window = &rb->windows[i];
			}
			last_loc = v->location;
		}
		s->departure = v->departure;
		s->load_grams = v->load_grams;
		ids = r->p ? &s->parcel_ids : &s->request_ids;
		n = r->p ? &s->n_parcel_ids : &s->n_request_ids;
		*ids = xrealloc(*ids, (*n + 1) * sizeof(char *));
		(*ids)[(*n)++] = r->p ? r->p->parcel_id : r->k->request_id;
	}
	s = new_stop(rb, STOP_END, relay->site_id, relay->location);
	s->arrival = s->departure = ro->end;
	s->distance_m = ro->distance_m;
	s->load_grams =
		ro->nvisits ? ro->visits[ro->nvisits - 1].load_grams : 0;
	rb->run.distance_m = ro->distance_m;
	rb->run.start = ro->start;
	rb->run.end = ro->end;
	rb->run.load_grams = ro->max_grams;
	rb->run.load_millilitres = ro->max_millilitres;
	rb->run.status = RUN_PLANNED;
	rb->run.relay_site_id = relay->site_id;
}

/* Whether two runs have the same encoding. */
static int
same_run(const Run *a, const Run *b)
{
	size_t la = protobuf_c_message_get_packed_size(&a->base);
	size_t lb = protobuf_c_message_get_packed_size(&b->base);
	uint8_t *pa, *pb;
	int same;

	if (la != lb)
		return 0;
	pa = xmalloc(la + 1);
	pb = xmalloc(lb + 1);
	protobuf_c_message_pack(&a->base, pa);
	protobuf_c_message_pack(&b->base, pb);
	same = memcmp(pa, pb, la) == 0;
	free(pa);
	free(pb);
	return same;
}

/* Writes NEW (revision after OLD's, if any) and emits RunPlanned, unless
 * it is OLD unchanged. */
static int
put_run(struct bikes *b, struct lz_bus_txn *tx, Run *run, const Run *old,
	int64_t now)
{
	Lz__Bikes__V1__RunPlanned ev = LZ__BIKES__V1__RUN_PLANNED__INIT;
	int rc;

	if (old) {
		run->revision = old->revision;
		if (old->status == RUN_PLANNED && same_run(run, old))
			return 0;
		run->revision = old->revision + 1;
	}
	if ((rc = lz_store_put_msg(lz_bus_mdb(tx), b->db.runs, run->run_id,
				   &run->base)) != 0 ||
	    (rc = bikes_store_stat_add(lz_bus_mdb(tx), &b->db, "runs", 1)))
		return rc;
	ev.run = run;
	ev.at = now;
	return bikes_emit(tx, NULL, run->rider_id, &ev.base);
}

/* Moves the parcel or pickup of REF into RUN (rider, run id). */
static int
plan_ref(struct ctx *c, const struct jobref *r, const Run *run)
{
	struct bikes_change ch = {0};

	ch.rider_id = run->rider_id;
	ch.run_id = run->run_id;
	ch.detail = "planned";
	if (r->p) {
		if (r->p->status == PS_PLANNED && r->p->run_id &&
		    strcmp(r->p->run_id, run->run_id) == 0)
			return 0;
		ch.to = PS_PLANNED;
		return bikes_parcel_change(c->b, c->tx, r->p, &ch, c->now,
					   c->cause);
	}
	if (r->k->status == PK_PLANNED && r->k->run_id &&
	    strcmp(r->k->run_id, run->run_id) == 0)
		return 0;
	ch.to = PK_PLANNED;
	return bikes_pickup_change(c->b, c->tx, r->k, &ch, c->now, c->cause);
}

/* A parcel or pickup not planned now: back to waiting with REASON (an
 * event only when something changed). */
static int
unplan(struct ctx *c, Parcel *p, Pickup *k, int reason)
{
	struct bikes_change ch = {0};

	ch.reason = reason;
	ch.detail = bikes_reason_name(reason);
	ch.rider_id = ch.run_id = "";
	if (p) {
		if (p->status == PS_AT_RELAY && (int)p->reason == reason)
			return 0;
		ch.to = PS_AT_RELAY;
		return bikes_parcel_change(c->b, c->tx, p, &ch, c->now,
					   c->cause);
	}
	if (k == NULL ||
	    (k->status == PK_REQUESTED && (int)k->reason == reason))
		return 0;
	ch.to = PK_REQUESTED;
	return bikes_pickup_change(c->b, c->tx, k, &ch, c->now, c->cause);
}

static int
write_plan(struct ctx *c, const struct bikes_plan *plan, unsigned *nruns,
	   unsigned *nparcels, unsigned *npickups, int64_t *dist)
{
	char **used = xcalloc(plan->nruns + 1, sizeof(char *));
	unsigned per_rider = 0;
	int rc = 0, last_rider = -1;

	for (size_t i = 0; i < plan->nruns && rc == 0; i++) {
		const struct bikes_run_out *ro = &plan->runs[i];
		struct on_shift *r = &c->riders[ro->rider];
		struct run_buf rb;
		char id[200];

		per_rider = ro->rider == last_rider ? per_rider + 1 : 0;
		last_rider = ro->rider;
		build_run(&rb, ro, c->refs, c->relay);
		/* A run is dated by its shift (a shift declared ahead
		 * plans the runs of its own day). */
		snprintf(id, sizeof(id), "%s/%s/%03u", shift_date(c, r->shift),
			 r->shift->rider_id, r->next_seq + per_rider);
		used[i] = xstrdup(id);
		rb.run.run_id = used[i];
		rb.run.date = (char *)shift_date(c, r->shift);
		rb.run.rider_id = r->shift->rider_id;
		rb.run.bike_id = r->bike->bike_id;
		rb.run.shift_id = r->shift->shift_id;
		rb.run.seq = r->next_seq + per_rider;
		rc = put_run(c->b, c->tx, &rb.run, find_run(c, id), c->now);
		for (size_t v = 0; v < ro->nvisits && rc == 0; v++) {
			rc = plan_ref(c, &c->refs[ro->visits[v].job], &rb.run);
			if (c->refs[ro->visits[v].job].p)
				(*nparcels)++;
			else
				(*npickups)++;
		}
		*dist += ro->distance_m;
		(*nruns)++;
		run_buf_free(&rb);
	}
	/* Runs of the last plan that this one does not reuse. */
	for (size_t i = 0; i < c->nruns && rc == 0; i++) {
		Run *r = c->runs[i];
		int reused = 0;

		if (r->status != RUN_PLANNED || pinned(c, r))
			continue;
		for (size_t k = 0; k < plan->nruns && !reused; k++)
			reused = strcmp(used[k], r->run_id) == 0;
		if (!reused)
			rc = bikes_run_status(c->b, c->tx, r, RUN_CANCELLED,
					      c->now);
	}
	for (size_t i = 0; i < plan->nruns; i++)
		free(used[i]);
	free(used);
	return rc;
}

static void
ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nriders; i++)
		protobuf_c_message_free_unpacked(&c->riders[i].shift->base,
						 NULL);
	for (size_t i = 0; i < c->nbikes; i++)
		protobuf_c_message_free_unpacked(&c->bikes[i]->base, NULL);
	for (size_t i = 0; i < c->nruns; i++)
		protobuf_c_message_free_unpacked(&c->runs[i]->base, NULL);
	for (size_t i = 0; i < c->njobs; i++)
		protobuf_c_message_free_unpacked(c->refs[i].p
							 ? &c->refs[i].p->base
							 : &c->refs[i].k->base,
						 NULL);
	for (size_t i = 0; i < c->nskipped; i++)
		protobuf_c_message_free_unpacked(&c->skipped[i]->base, NULL);
	if (c->relay)
		protobuf_c_message_free_unpacked(&c->relay->base, NULL);
	free(c->riders);
	free(c->bikes);
	free(c->caps);
	free(c->runs);
	free(c->refs);
	free(c->jobs);
	free(c->skipped);
	free(c->skip_reason);
}

/* Reads the relay site into C->relay (NULL when none is registered). */
static int
load_relay(struct ctx *c)
{
	char id[80];
	int rc = lz_store_get_str(c->txn, c->b->db.meta, "relay", id,
				  sizeof(id));

	c->relay = NULL;
	if (rc != 0 || id[0] == '\0')
		return rc;
	rc = lz_store_get_msg(c->txn, c->b->db.sites, id,
			      &lz__orders__v1__site__descriptor,
			      (ProtobufCMessage **)&c->relay);
	if (rc == 0 && c->relay && c->relay->location == NULL) {
		protobuf_c_message_free_unpacked(&c->relay->base, NULL);
		c->relay = NULL;
	}
	return rc;
}

/* The runs of the day and of every other day a rider on shift works. */
static int
gather_runs(struct ctx *c)
{
	const char **dates = xcalloc(c->nriders + 1, sizeof(*dates));
	size_t n = 0;
	int rc = 0;

	dates[n++] = c->date;
	for (size_t i = 0; i < c->nriders; i++) {
		const char *d = shift_date(c, c->riders[i].shift);
		size_t k = 0;

		while (k < n && strcmp(dates[k], d) != 0)
			k++;
		if (k == n)
			dates[n++] = d;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "%s/", dates[i]);
		rc = bikes_store_each(c->txn, c->b->db.runs, prefix,
				      &lz__bikes__v1__run__descriptor, keep_run,
				      c);
	}
	free(dates);
	return rc;
}

static int pin_at(struct bikes *b, struct lz_bus_txn *tx, Run *run,
		  char **site_ids, size_t n, int64_t start, int64_t until,
		  int64_t now);

/* A run pinned by an operator keeps its order, not its time: as every run
 * not started it leaves at max(its start, now, the rider's shift start,
 * the rider back from the runs before it, the ready time of its parcels);
 * one that then misses a window or its rider's shift loses its pin and is
 * planned again with the others.  After account_runs(); accounts the
 * pinned runs kept. */
static int
retime_pinned(struct ctx *c)
{
	for (size_t i = 0; i < c->nruns; i++) {
		Run *r = c->runs[i], *fresh = NULL;
		int k = find_rider(c, r->rider_id), rc;
		int64_t from;

		if (!pinned(c, r))
			continue;
		from = c->riders[k].from;
		rc = pin_at(c->b, c->tx, r, NULL, 0,
			    r->start > from ? r->start : from,
			    c->riders[k].shift->planned_end, c->now);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			lz_log_info("pin dropped", "run=%s reason=%s",
				    r->run_id, bikes_reason_name(rc));
			r->pinned = 0;
			continue;
		}
		if ((rc = lz_store_get_msg(c->txn, c->b->db.runs, r->run_id,
					   &lz__bikes__v1__run__descriptor,
					   (ProtobufCMessage **)&fresh)) != 0)
			return rc;
		if (fresh) {
			protobuf_c_message_free_unpacked(&r->base, NULL);
			c->runs[i] = fresh;
		}
		account_run(c, c->runs[i]);
	}
	return 0;
}

static int
gather(struct ctx *c)
{
	int rc;

	if ((rc = load_relay(c)) != 0 || c->relay == NULL)
		return rc;
	if ((rc = bikes_store_each(c->txn, c->b->db.bikes, "",
				   &lz__bikes__v1__bike__descriptor, keep_bike,
				   c)) ||
	    (rc = bikes_store_each(c->txn, c->b->db.shifts, "",
				   &lz__bikes__v1__shift__descriptor,
				   keep_shift, c)) ||
	    (rc = gather_runs(c)))
		return rc;
	account_runs(c);
	if ((rc = retime_pinned(c)) != 0)
		return rc;
	bike_caps(c);
	if ((rc = bikes_store_each_indexed(
		     c->txn, c->b->db.open_parcels, c->b->db.parcels,
		     &lz__bikes__v1__parcel__descriptor, keep_parcel, c)) != 0)
		return rc;
	return bikes_store_each_indexed(
		c->txn, c->b->db.open_pickups, c->b->db.pickups,
		&lz__bikes__v1__pickup__descriptor, keep_pickup, c);
}

int
bikes_dispatch(struct bikes *b, struct lz_bus_txn *tx, int64_t now,
	       const char *cause)
{
	Lz__Bikes__V1__RunsPlanned ev = LZ__BIKES__V1__RUNS_PLANNED__INIT;
	struct ctx c = {.b = b,
			.tx = tx,
			.txn = lz_bus_mdb(tx),
			.now = now,
			.cause = cause};
	struct bikes_rider *riders = NULL;
	struct bikes_plan plan = {0};
	unsigned nruns = 0, nparcels = 0, npickups = 0, nwaiting = 0;
	int64_t dist = 0;
	int rc;

	if (lz_date_local(now, c.date) != 0)
		return 0;
	if ((rc = gather(&c)) != 0 || c.relay == NULL)
		goto out;
	riders = xcalloc(c.nriders + 1, sizeof(*riders));
	for (size_t i = 0; i < c.nriders; i++) {
		riders[i].capacity_grams = c.riders[i].bike->capacity_grams;
		riders[i].capacity_millilitres =
			c.riders[i].bike->capacity_millilitres;
		riders[i].insulated = c.riders[i].bike->insulated;
		riders[i].from = c.riders[i].from;
		riders[i].until = c.riders[i].shift->planned_end;
	}
	if (bikes_plan(c.relay->location->lat, c.relay->location->lon, c.jobs,
		       c.njobs, riders, c.nriders, &b->conf, &plan) != 0) {
		lz_log_error("run planning failed", "jobs=%zu riders=%zu",
			     c.njobs, c.nriders);
		goto out;
	}
	if ((rc = write_plan(&c, &plan, &nruns, &nparcels, &npickups, &dist)))
		goto out;
	for (size_t i = 0; i < c.njobs && rc == 0; i++) {
		if (plan.reason[i] == 0)
			continue;
		rc = unplan(&c, c.refs[i].p, c.refs[i].k, plan.reason[i]);
		if (c.refs[i].p)
			nwaiting++;
	}
	for (size_t i = 0; i < c.nskipped && rc == 0; i++)
		rc = unplan(&c, c.skipped[i], NULL, c.skip_reason[i]);
	if (rc != 0)
		goto out;
	ev.date = c.date;
	ev.runs = nruns;
	ev.parcels_planned = nparcels;
	ev.parcels_waiting = nwaiting + (uint32_t)c.nskipped;
	ev.pickups_planned = npickups;
	ev.distance_m = dist;
	ev.cause = (char *)(cause ? cause : "");
	rc = lz_bus_emit(tx, NULL, &ev.base);
out:
	bikes_plan_free(&plan);
	free(riders);
	ctx_free(&c);
	return rc;
}

/* ---- an operator's pinned run ---- */

/* Adds parcel (pickup) ID to C's jobs if it is still planned in RUN_ID. */
static int
load_ref(struct ctx *c, const char *id, int pickup, const char *run_id)
{
	ProtobufCMessage *m = NULL;
	struct bikes_job j;
	int rc = lz_store_get_msg(
		c->txn, pickup ? c->b->db.pickups : c->b->db.parcels, id,
		pickup ? &lz__bikes__v1__pickup__descriptor
		       : &lz__bikes__v1__parcel__descriptor,
		&m);
	const char *in;
	int planned;

	if (rc != 0 || m == NULL)
		return rc;
	in = pickup ? ((Pickup *)m)->run_id : ((Parcel *)m)->run_id;
	planned = pickup ? ((Pickup *)m)->status == PK_PLANNED
			 : ((Parcel *)m)->status == PS_PLANNED;
	if (!planned || in == NULL || strcmp(in, run_id) != 0) {
		/* Cancelled, or moved since: no longer in the run. */
		protobuf_c_message_free_unpacked(m, NULL);
		return 0;
	}
	if (pickup) {
		Pickup *k = (Pickup *)m;

		job_of(c, k->location, k->window, k->grams, k->millilitres,
		       (int)k->temperature_class, NULL, &j);
		j.pickup = 1;
		add_job(c, &j, NULL, k);
	} else {
		Parcel *p = (Parcel *)m;

		job_of(c, p->location, p->window, p->grams, p->millilitres,
		       (int)p->temperature_class, NULL, &j);
		j.release = p->ready_at;
		add_job(c, &j, p, NULL);
	}
	return 0;
}

static const char *
ref_site(const struct jobref *r)
{
	return r->p ? r->p->site_id : r->k->site_id;
}

/* The order of the jobs of C when their sites are visited in the order of
 * SITE_IDS (N of them; 0: as loaded); -1 unless SITE_IDS names each site
 * of the run once. */
static int
pin_order(const struct ctx *c, char **site_ids, size_t n, int *order)
{
	size_t k = 0;

	if (n == 0) {
		for (size_t i = 0; i < c->njobs; i++)
			order[i] = (int)i;
		return 0;
	}
	for (size_t s = 0; s < n; s++) {
		size_t before = k;

		for (size_t t = 0; t < s; t++)
			if (strcmp(site_ids[t], site_ids[s]) == 0)
				return -1;
		for (size_t i = 0; i < c->njobs; i++)
			if (strcmp(ref_site(&c->refs[i]), site_ids[s]) == 0)
				order[k++] = (int)i;
		if (k == before)
			return -1;
	}
	return k == c->njobs ? 0 : -1;
}

/* Whether the pinned order RO still meets every window and the bike's
 * capacity: 0, BR_TIME_WINDOW, BR_TOO_HEAVY, or a store error. */
static int
pin_feasible(struct ctx *c, const Run *run, const struct bikes_run_out *ro)
{
	Bike *bike = NULL;
	int rc = lz_store_get_msg(c->txn, c->b->db.bikes, run->bike_id,
				  &lz__bikes__v1__bike__descriptor,
				  (ProtobufCMessage **)&bike);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < ro->nvisits && rc == 0; i++) {
		const struct bikes_job *j = &c->jobs[ro->visits[i].job];

		if ((j->tw_start || j->tw_end) &&
		    ro->visits[i].start > j->tw_end)
			rc = BR_TIME_WINDOW;
	}
	if (rc == 0 && bike &&
	    (ro->max_grams > bike->capacity_grams ||
	     ro->max_millilitres > bike->capacity_millilitres))
		rc = BR_TOO_HEAVY;
	if (bike)
		protobuf_c_message_free_unpacked(&bike->base, NULL);
	return rc;
}

/* Schedules RUN in the order of SITE_IDS (N; 0: the run's own) leaving at
 * START, or later when its parcels are ready later, and writes it pinned
 * (RunPlanned if it changed).  Returns as bikes_pin(), and BR_TIME_WINDOW
 * too when it would end after UNTIL (0: no limit), BR_INVALID when no
 * parcel nor pickup is left in it. */
static int
pin_at(struct bikes *b, struct lz_bus_txn *tx, Run *run, char **site_ids,
       size_t n, int64_t start, int64_t until, int64_t now)
{
	struct ctx c = {.b = b, .tx = tx, .txn = lz_bus_mdb(tx), .now = now};
	struct bikes_run_out ro = {0};
	struct run_buf rb;
	int *order = NULL, rc;

	if ((rc = load_relay(&c)) != 0)
		goto out;
	if (c.relay == NULL) {
		rc = BR_NO_RELAY;
		goto out;
	}
	for (size_t s = 0; s < run->n_stops && rc == 0; s++) {
		const RunStop *st = run->stops[s];

		for (size_t i = 0; i < st->n_parcel_ids && rc == 0; i++)
			rc = load_ref(&c, st->parcel_ids[i], 0, run->run_id);
		for (size_t i = 0; i < st->n_request_ids && rc == 0; i++)
			rc = load_ref(&c, st->request_ids[i], 1, run->run_id);
	}
	if (rc != 0)
		goto out;
	order = xcalloc(c.njobs + 1, sizeof(int));
	if (c.njobs == 0 || pin_order(&c, site_ids, n, order) != 0) {
		rc = BR_INVALID;
		goto out;
	}
	if ((rc = bikes_sequence(c.relay->location->lat, c.relay->location->lon,
				 c.jobs, order, c.njobs, start, &b->conf,
				 &ro)) != 0) {
		rc = BR_INVALID;
		goto out;
	}
	if ((rc = pin_feasible(&c, run, &ro)) != 0)
		goto out;
	if (until > 0 && ro.end > until) {
		rc = BR_TIME_WINDOW;
		goto out;
	}
	build_run(&rb, &ro, c.refs, c.relay);
	rb.run.run_id = run->run_id;
	rb.run.date = run->date;
	rb.run.rider_id = run->rider_id;
	rb.run.bike_id = run->bike_id;
	rb.run.shift_id = run->shift_id;
	rb.run.seq = run->seq;
	rb.run.pinned = 1;
	rc = put_run(b, tx, &rb.run, run, now);
	run_buf_free(&rb);
out:
	free(ro.visits);
	free(order);
	ctx_free(&c);
	return rc;
}

int
bikes_pin(struct bikes *b, struct lz_bus_txn *tx, Run *run, char **site_ids,
	  size_t n, int64_t now)
{
	Shift *s = NULL;
	int rc = lz_store_get_msg(lz_bus_mdb(tx), b->db.shifts, run->rider_id,
				  &lz__bikes__v1__shift__descriptor,
				  (ProtobufCMessage **)&s);

	if (rc != 0)
		return rc;
	/* As every run not started: from now at the earliest. */
	rc = pin_at(b, tx, run, site_ids, n,
		    run->start > now ? run->start : now,
		    s && s->end == 0 ? s->planned_end : 0, now);
	if (s)
		protobuf_c_message_free_unpacked(&s->base, NULL);
	return rc;
}

/* ---- after each batch ---- */

static int
replan_fn(struct lz_bus_txn *tx, void *arg)
{
	struct bikes *b = arg;
	char cause[128];
	int rc = bikes_store_replan_cause(lz_bus_mdb(tx), &b->db, cause,
					  sizeof(cause));

	if (rc != 0 || cause[0] == '\0')
		return rc;
	if ((rc = bikes_store_clear_replan(lz_bus_mdb(tx), &b->db)) != 0)
		return rc;
	return bikes_dispatch(b, tx, lz_now_us() / 1000000, cause);
}

static int
pending_fn(MDB_txn *txn, void *arg)
{
	struct bikes *b = arg;
	char cause[128];
	int rc = bikes_store_replan_cause(txn, &b->db, cause, sizeof(cause));

	return rc != 0 ? rc : cause[0] != '\0';
}

void
bikes_dispatch_pending(struct bikes *b)
{
	int rc = lz_store_read(b->store, pending_fn, b);

	if (rc > 0 && (rc = lz_bus_write(b->bus, replan_fn, b)) != 0)
		lz_log_error("re-planning failed", "error=\"%s\"",
			     lz_store_strerror(rc));
	else if (rc < 0)
		lz_log_error("cannot read the store", "error=\"%s\"",
			     lz_store_strerror(rc));
}
