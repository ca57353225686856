/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sim.h -- lz-sim, the partner simulator: a territory around Marseille and
 * its days of orders, played through the gateway as partner systems do.
 *
 * The pure part (territory.c, timeline.c) is deterministic for a seed and
 * has no sockets: the territory (members, sites, vehicles, zones, stock),
 * each day's orders, which stops fail and why, and the order in which
 * drivers' reports happen on the accelerated clock.  play.c submits it
 * through the gateway; summary.c reads what the services computed.
 */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <stdint.h>

/* ---- seeded randomness (splitmix64): the same seed, the same day ---- */

struct sim_rng {
	uint64_t s;
};

void sim_rng_init(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint32_t sim_rng_below(struct sim_rng *r, uint32_t n);
/* Uniform in [lo, hi). */
double sim_rng_range(struct sim_rng *r, double lo, double hi);

/* ---- message ids ---- */

/* The commands a run sent, to name each one after what it says: the same
 * command (type, partner, payload) sent again by a later run of the same
 * seed and first day gets the same client_msg_id, so the gateway answers
 * it DUPLICATE and nothing happens twice, while a command sent twice in a
 * run on purpose (a parcel failed twice) gets two ids. */
struct sim_ids {
	uint64_t *hash;
	unsigned *count;
	size_t n, cap;
};

/* Writes into OUT (64 bytes) the id of the next sending of TYPE with
 * TEXT (the payload as canonical JSON) by PARTNER:
 * "s<seed>-<date>-<16 hex digits>-<k>", k counting the same command in
 * this run from 1.  Release IDS with sim_ids_release(). */
void sim_msg_id(struct sim_ids *ids, uint64_t seed, const char *date,
		const char *partner, const char *type, const char *text,
		char out[64]);
void sim_ids_release(struct sim_ids *ids);

/* ---- the territory ---- */

enum sim_class { SIM_AMBIENT = 1, SIM_CHILLED = 2, SIM_FROZEN = 3 };

struct sim_member {
	const char *id, *name;
	const char *kind;    /* lz.orders.v1.MemberKind name */
	const char *partner; /* its partner id at the gateway, or NULL */
	const char *roles;
};

struct sim_site {
	char id[48];
	char name[96];
	const char *member;
	const char *kind; /* lz.orders.v1.SiteKind name */
	double lat, lon;
	const char *zone;
};

struct sim_product {
	const char *member; /* the owner of its stock at the hub */
	const char *product;
	uint32_t unit_grams, unit_ml;
	enum sim_class cls;
	uint32_t stock;        /* units received at the hub each day */
	const char *container; /* deposit container per unit, or NULL */
};

struct sim_vehicle {
	const char *id, *name, *kind, *fuel;
	uint32_t ambient_kg, chilled_kg, frozen_kg;
	uint32_t cost_km_cents, cost_hour_cents;
	uint32_t per_100km; /* ml of fuel, or Wh */
	uint32_t range_km;  /* on a charge (electric vans), or 0 */
};

/* A reusable container with a deposit (lz.returns.v1.ContainerType). */
struct sim_container {
	const char *id, *name;
	uint32_t deposit_cents, grams, ml;
	uint32_t stock; /* clean empties the hub starts with, per day */
};

/* An outlet of the reverse flows (lz.returns.v1.Outlet). */
struct sim_outlet {
	const char *id, *member, *site, *name, *kind;
	uint32_t kg_per_day;
};

struct sim_line {
	const struct sim_product *p;
	uint32_t quantity;
};

#define SIM_LINES_MAX 3

struct sim_order {
	char reference[32];
	const struct sim_member *member;
	const struct sim_site *dest;
	const struct sim_site *pickup; /* NULL: from hub stock */
	int64_t start, end;            /* delivery window */
	int64_t pickup_start, pickup_end;
	struct sim_line lines[SIM_LINES_MAX];
	int n_lines;
};

struct sim_territory {
	const struct sim_member *members;
	size_t n_members;
	struct sim_site *sites;
	size_t n_sites;
	const struct sim_product *products;
	size_t n_products;
	const struct sim_vehicle *vehicles;
	size_t n_vehicles;
	const struct sim_container *containers;
	size_t n_containers;
	const struct sim_outlet *outlets;
	size_t n_outlets;
	const struct sim_site *hub, *relay;
};

/* Builds the territory for SEED with CUSTOMERS customer sites (at least
 * 8) spread over the arrondissements; the hub, the bike relay, producers,
 * relay points and a composting site are fixed.  Caller releases. */
void sim_territory_init(struct sim_territory *t, uint64_t seed,
			size_t customers);
void sim_territory_release(struct sim_territory *t);
/* The member of id ID, or NULL. */
const struct sim_member *sim_member_find(const struct sim_territory *t,
					 const char *id);
/* Whether the member places orders (has a shipper partner). */
int sim_member_ships(const struct sim_member *m);

/* Generates N orders for the day starting at MIDNIGHT (local), numbered
 * from FIRST (references "d<DAY>-<n>"), about one in four a producer
 * pickup; hub-stock quantities never exceed a sixth of a product's daily
 * stock, so the day's orders fit in the stock received.  Returns a new
 * array (caller frees). */
struct sim_order *sim_orders_make(const struct sim_territory *t, uint64_t seed,
				  int day, int64_t midnight, size_t n);

/* A declaration of unsold food or biowaste (lz.returns.v1.DeclareFlow). */
struct sim_flow {
	char reference[32];
	const struct sim_member *member;
	const struct sim_site *site;
	const char *kind;     /* lz.returns.v1.FlowKind name */
	const char *category; /* "bread", "vegetables", "peelings"... */
	uint32_t grams;
	int64_t use_by; /* 0: no date */
	enum sim_class cls;
};

/* The day's declarations: unsold bread at the bakery's shops, peelings at
 * the canteens, unsold vegetables at the hub, dishes at the caterer's;
 * about one per 15 orders, at least four, never in the bike zone (vans
 * collect them).  Returns a new array of *N (caller frees). */
struct sim_flow *sim_flows_make(const struct sim_territory *t, uint64_t seed,
				int day, int64_t midnight, size_t orders,
				size_t *n);

/* Empty containers a driver brings back from a delivery stop: 0 most of
 * the time, else 1..6, decided by the seed and the stop. */
unsigned sim_stop_empties(uint64_t seed, const char *tour_id, unsigned stop);

/* Whether the driver's report at a stop fails, and why: 0 (completed), or
 * a lz.tours.v1.FailReason (1 closed, 2 absent), for PERMILLE failures in
 * a thousand, decided by the seed and the stop (so the same run fails the
 * same stops). */
int sim_stop_fails(uint64_t seed, const char *tour_id, unsigned stop,
		   unsigned permille);

/* The metres a driver really drives for a tour of PLANNED metres: the plan
 * plus a detour of 0 to 12 % (roadworks, traffic, a wrong turn), decided by
 * the seed and the tour, so that odometers differ from the plan the same
 * way in the same run. */
int64_t sim_driven_m(uint64_t seed, const char *tour_id, int64_t planned);

/* Units the hub does not find when it picks the LISTED units of lot
 * LOT_ID for line LINE of order ORDER_ID in tour TOUR_ID: 0 for most
 * lines; for about PERMILLE lines in a thousand, 1 or 2 (but never all of
 * them: at most LISTED - 1), decided by the seed and the line, so that the
 * same run picks the same lines short. */
int64_t sim_pick_short(uint64_t seed, const char *tour_id, const char *order_id,
		       unsigned line, const char *lot_id, int64_t listed,
		       unsigned permille);

/* ---- drivers' timeline ---- */

enum sim_act {
	SIM_ACT_START = 1,
	SIM_ACT_ARRIVE,
	SIM_ACT_DONE, /* completed or failed, see sim_stop_fails() */
	SIM_ACT_END,
};

struct sim_step {
	int64_t at; /* planned time of the report */
	int tour;   /* index in the caller's list of tours */
	unsigned stop;
	enum sim_act act;
};

/* One tour as planned: its stops' planned arrival and departure (stop 0
 * and the last are the hub). */
struct sim_tour_plan {
	int64_t start, end;
	const int64_t *arrival, *departure;
	unsigned n_stops;
};

/* Orders every report of the N tours by planned time (ties: tour, stop,
 * act): start at the first stop's departure, arrival and completion of
 * each intermediate stop, end at the last stop's arrival.  Returns a new
 * array of *N_OUT steps (caller frees). */
struct sim_step *sim_timeline(const struct sim_tour_plan *tours, size_t n,
			      size_t *n_out);

/* Seconds to sleep between two planned times at SPEED (simulated seconds
 * per real second), capped to MAX_MS milliseconds; 0 when FROM >= TO. */
int64_t sim_sleep_ms(int64_t from, int64_t to, double speed, int64_t max_ms);

#endif
