/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * territory.c -- the simulated territory around Marseille and its orders,
 * deterministic for a seed.
 */
#include "sim.h"

#include "lz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sim_rng_init(struct sim_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
sim_rng_below(struct sim_rng *r, uint32_t n)
{
	return n ? (uint32_t)(sim_rng_next(r) % n) : 0;
}

double
sim_rng_range(struct sim_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(sim_rng_next(r) >> 11) /
				 (double)(1ULL << 53));
}

/* The association, five shippers of the social economy, a composting
 * company and two food-aid associations running relay points. */
static const struct sim_member members[] = {
	{"livrazou", "Livrazou", "MEMBER_KIND_OPERATOR", "operator",
	 "operator,receiver"},
	{"fournil-solidaire", "Le Fournil Solidaire (boulangerie d'insertion)",
	 "MEMBER_KIND_SHIPPER", "fournil-solidaire", "shipper"},
	{"terres-de-provence", "Terres de Provence (plateforme paysanne)",
	 "MEMBER_KIND_SHIPPER", "terres-de-provence", "shipper"},
	{"paniers-marseillais", "Reseau des Paniers Marseillais",
	 "MEMBER_KIND_SHIPPER", "paniers-marseillais", "shipper"},
	{"bio-cantines", "Bio Cantines Provence (restauration scolaire)",
	 "MEMBER_KIND_SHIPPER", "bio-cantines", "shipper"},
	{"traiteur-insertion", "Traiteur du Panier (traiteur d'insertion)",
	 "MEMBER_KIND_SHIPPER", "traiteur-insertion", "shipper"},
	{"compost-sud", "Compost Sud (compostage)", "MEMBER_KIND_PROCESSOR",
	 NULL, NULL},
	{"vrac-marseille", "VRAC Marseille (groupements d'achat)",
	 "MEMBER_KIND_RELAY_ASSOCIATION", NULL, NULL},
	{"epiceries-solidaires", "Epiceries solidaires des quartiers nord",
	 "MEMBER_KIND_RELAY_ASSOCIATION", NULL, NULL},
};

static const struct sim_product products[] = {
	{"fournil-solidaire", "pain-campagne", 500, 1500, SIM_AMBIENT, 240,
	 NULL},
	{"fournil-solidaire", "fougasse", 300, 800, SIM_AMBIENT, 180, NULL},
	{"terres-de-provence", "legumes-saison", 5000, 8000, SIM_AMBIENT, 120,
	 "caisse-pliable"},
	{"terres-de-provence", "fromage-chevre", 150, 200, SIM_CHILLED, 300,
	 NULL},
	{"paniers-marseillais", "panier-legumes", 6000, 12000, SIM_AMBIENT, 120,
	 "caisse-pliable"},
	{"bio-cantines", "yaourt-bio", 125, 130, SIM_CHILLED, 1200,
	 "bocal-verre"},
	{"bio-cantines", "legumes-surgeles", 2500, 3000, SIM_FROZEN, 120, NULL},
	{"traiteur-insertion", "plat-cuisine", 800, 1000, SIM_CHILLED, 300,
	 "bocal-verre"},
};

static const struct sim_container containers[] = {
	{"bocal-verre", "Bocal en verre consigne", 50, 350, 600, 3000},
	{"caisse-pliable", "Caisse pliable reutilisable", 500, 1500, 40000,
	 400},
};

/* The composting platform, and two food-aid outlets run by the relay
 * associations. */
static const struct sim_outlet outlets[] = {
	{"compost-sud", "compost-sud", "compost-sud-saint-henri",
	 "Plateforme de compostage", "OUTLET_KIND_COMPOSTING", 5000},
	{"aide-belle-de-mai", "vrac-marseille", "rp-belle-de-mai",
	 "Distribution solidaire Belle de Mai", "OUTLET_KIND_FOOD_AID", 400},
	{"aide-frais-vallon", "epiceries-solidaires", "rp-frais-vallon",
	 "Epicerie solidaire Frais Vallon", "OUTLET_KIND_FOOD_AID", 400},
};

static const struct sim_vehicle vehicles[] = {
	{"frigo-1", "Frigo 1", "VEHICLE_KIND_REFRIGERATED_VAN",
	 "FUEL_TYPE_DIESEL", 300, 300, 150, 38, 2600, 11500, 0},
	{"frigo-2", "Frigo 2", "VEHICLE_KIND_REFRIGERATED_VAN",
	 "FUEL_TYPE_DIESEL", 300, 300, 150, 38, 2600, 11500, 0},
	{"elec-1", "Kangoo electrique 1", "VEHICLE_KIND_ELECTRIC_VAN",
	 "FUEL_TYPE_ELECTRICITY", 600, 0, 0, 12, 2400, 19000, 200},
	{"fourgon-1", "Fourgon 1", "VEHICLE_KIND_DIESEL_VAN",
	 "FUEL_TYPE_DIESEL", 900, 0, 0, 28, 2500, 9000, 0},
};

/* Arrondissements: name, centre, radius in degrees, zone (the 1st and
 * the 6th, around the Vieux-Port, are served by bike). */
static const struct {
	const char *name;
	double lat, lon, r;
	const char *zone;
} arr[] = {
	{"1er", 43.2990, 5.3800, 0.004, "centre"},
	{"6e", 43.2890, 5.3800, 0.004, "centre"},
	{"2e", 43.3110, 5.3650, 0.006, "nord"},
	{"3e", 43.3120, 5.3800, 0.006, "nord"},
	{"4e", 43.3060, 5.4000, 0.006, "est"},
	{"5e", 43.2930, 5.3980, 0.006, "est"},
	{"7e", 43.2820, 5.3600, 0.006, "sud"},
	{"8e", 43.2500, 5.3800, 0.012, "sud"},
	{"9e", 43.2500, 5.4300, 0.012, "sud"},
	{"10e", 43.2770, 5.4250, 0.008, "est"},
	{"11e", 43.2880, 5.4800, 0.012, "est"},
	{"12e", 43.3070, 5.4400, 0.010, "est"},
	{"13e", 43.3500, 5.4300, 0.012, "nord"},
	{"14e", 43.3450, 5.3900, 0.008, "nord"},
	{"15e", 43.3500, 5.3600, 0.010, "nord"},
	{"16e", 43.3600, 5.3200, 0.008, "nord"},
};

static const char *const customer_kinds[] = {
	"cantine", "epicerie", "restaurant", "creche", "amap", "cafe",
};

/* Which shipper owns (and orders for) a customer of each kind. */
static const char *const customer_owner[] = {
	"bio-cantines", "fournil-solidaire",   "traiteur-insertion",
	"bio-cantines", "paniers-marseillais", "terres-de-provence",
};

static struct sim_site *
add_site(struct sim_territory *t, const char *id, const char *name,
	 const char *member, const char *kind, double lat, double lon,
	 const char *zone)
{
	struct sim_site *s = &t->sites[t->n_sites++];

	snprintf(s->id, sizeof(s->id), "%s", id);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->member = member;
	s->kind = kind;
	s->lat = lat;
	s->lon = lon;
	s->zone = zone;
	return s;
}

void
sim_territory_init(struct sim_territory *t, uint64_t seed, size_t customers)
{
	static const struct {
		const char *id, *name, *member;
		double lat, lon;
	} producers[] = {
		{"ferme-aubagne", "Ferme de la Font de Mai (Aubagne)",
		 "terres-de-provence", 43.2930, 5.5700},
		{"verger-roquevaire", "Vergers de Roquevaire",
		 "terres-de-provence", 43.3500, 5.6030},
		{"chevrerie-pays-d-aix", "Chevrerie du Pays d'Aix (Eguilles)",
		 "terres-de-provence", 43.5680, 5.3560},
		{"maraicher-pertuis", "Maraichers de Pertuis",
		 "paniers-marseillais", 43.6940, 5.5020},
		{"moulin-gemenos", "Moulin de Gemenos", "fournil-solidaire",
		 43.2960, 5.6280},
	};
	static const struct {
		const char *id, *name, *member, *zone;
		double lat, lon;
	} relays[] = {
		{"rp-belle-de-mai", "Point relais Belle de Mai (3e)",
		 "vrac-marseille", "nord", 43.3140, 5.3860},
		{"rp-felix-pyat", "Point relais Felix Pyat (3e)",
		 "vrac-marseille", "nord", 43.3190, 5.3720},
		{"rp-frais-vallon", "Point relais Frais Vallon (13e)",
		 "epiceries-solidaires", "nord", 43.3330, 5.4110},
		{"rp-la-castellane", "Point relais La Castellane (15e)",
		 "epiceries-solidaires", "nord", 43.3690, 5.3560},
		{"rp-noailles", "Point relais Noailles (1er)", "vrac-marseille",
		 "centre", 43.2965, 5.3825},
	};
	struct sim_rng r;
	char id[48], name[96];

	memset(t, 0, sizeof(*t));
	if (customers < 8)
		customers = 8;
	sim_rng_init(&r, seed ^ 0x7465727269746f72ULL);
	t->members = members;
	t->n_members = LZ_ARRAY_LEN(members);
	t->products = products;
	t->n_products = LZ_ARRAY_LEN(products);
	t->vehicles = vehicles;
	t->n_vehicles = LZ_ARRAY_LEN(vehicles);
	t->containers = containers;
	t->n_containers = LZ_ARRAY_LEN(containers);
	t->outlets = outlets;
	t->n_outlets = LZ_ARRAY_LEN(outlets);
	t->sites = xcalloc(3 + LZ_ARRAY_LEN(producers) + LZ_ARRAY_LEN(relays) +
				   customers,
			   sizeof(*t->sites));
	t->hub = add_site(t, "hub-arnavaux", "Hub Livrazou (Les Arnavaux)",
			  "livrazou", "SITE_KIND_HUB", 43.3400, 5.3760, "nord");
	t->relay = add_site(t, "relais-velo-vieux-port",
			    "Relais velo du Vieux-Port", "livrazou",
			    "SITE_KIND_BIKE_RELAY", 43.2970, 5.3770, "centre");
	add_site(t, "compost-sud-saint-henri", "Plateforme Compost Sud",
		 "compost-sud", "SITE_KIND_PROCESSOR", 43.3640, 5.3400, "nord");
	for (size_t i = 0; i < LZ_ARRAY_LEN(producers); i++)
		add_site(t, producers[i].id, producers[i].name,
			 producers[i].member, "SITE_KIND_PRODUCER",
			 producers[i].lat, producers[i].lon, "");
	for (size_t i = 0; i < LZ_ARRAY_LEN(relays); i++)
		add_site(t, relays[i].id, relays[i].name, relays[i].member,
			 "SITE_KIND_RELAY_POINT", relays[i].lat, relays[i].lon,
			 relays[i].zone);
	for (size_t i = 0; i < customers; i++) {
		/* The first two in the centre (1er, 6e): there is always
		 * something for the bikes. */
		size_t a = i < 2 ? i : sim_rng_below(&r, LZ_ARRAY_LEN(arr));
		size_t k = sim_rng_below(&r, LZ_ARRAY_LEN(customer_kinds));

		snprintf(id, sizeof(id), "%s-%s-%zu", customer_kinds[k],
			 arr[a].name, i + 1);
		snprintf(name, sizeof(name), "%s %zu (%s)", customer_kinds[k],
			 i + 1, arr[a].name);
		add_site(t, id, name, customer_owner[k], "SITE_KIND_CUSTOMER",
			 arr[a].lat + sim_rng_range(&r, -arr[a].r, arr[a].r),
			 arr[a].lon + sim_rng_range(&r, -arr[a].r, arr[a].r),
			 arr[a].zone);
	}
}

void
sim_territory_release(struct sim_territory *t)
{
	free(t->sites);
	memset(t, 0, sizeof(*t));
}

const struct sim_member *
sim_member_find(const struct sim_territory *t, const char *id)
{
	for (size_t i = 0; i < t->n_members; i++)
		if (strcmp(t->members[i].id, id) == 0)
			return &t->members[i];
	return NULL;
}

int
sim_member_ships(const struct sim_member *m)
{
	return m->roles && strcmp(m->roles, "shipper") == 0;
}

static int
site_is(const struct sim_site *s, const char *kind, const char *member,
	const char *zone)
{
	return !strcmp(s->kind, kind) &&
	       (!member || !strcmp(s->member, member)) &&
	       (!zone || !strcmp(s->zone, zone));
}

/* A random site of KIND owned by MEMBER in ZONE (any member, any zone
 * when NULL). */
static const struct sim_site *
pick_site(const struct sim_territory *t, struct sim_rng *r, const char *kind,
	  const char *member, const char *zone)
{
	size_t n = 0, k;

	for (size_t i = 0; i < t->n_sites; i++)
		n += site_is(&t->sites[i], kind, member, zone);
	if (n == 0)
		return NULL;
	k = sim_rng_below(r, (uint32_t)n);
	for (size_t i = 0; i < t->n_sites; i++)
		if (site_is(&t->sites[i], kind, member, zone) && k-- == 0)
			return &t->sites[i];
	return NULL;
}

/* A random product owned by MEMBER, or NULL. */
static const struct sim_product *
pick_product(const struct sim_territory *t, struct sim_rng *r,
	     const char *member, enum sim_class not_cls)
{
	const struct sim_product *c[8];
	size_t n = 0;

	for (size_t i = 0; i < t->n_products && n < LZ_ARRAY_LEN(c); i++)
		if (!strcmp(t->products[i].member, member) &&
		    t->products[i].cls != not_cls)
			c[n++] = &t->products[i];
	return n ? c[sim_rng_below(r, (uint32_t)n)] : NULL;
}

struct sim_order *
sim_orders_make(const struct sim_territory *t, uint64_t seed, int day,
		int64_t midnight, size_t n)
{
	struct sim_order *v = xcalloc(n ? n : 1, sizeof(*v));
	const struct sim_member *ships[8] = {NULL};
	size_t ns = 0;
	struct sim_rng r;

	sim_rng_init(&r, seed * 1000003ULL + (uint64_t)day);
	for (size_t i = 0; i < t->n_members && ns < LZ_ARRAY_LEN(ships); i++)
		if (sim_member_ships(&t->members[i]))
			ships[ns++] = &t->members[i];
	for (size_t i = 0; i < n && ns > 0; i++) {
		struct sim_order *o = &v[i];
		const struct sim_member *m = ships[sim_rng_below(&r, ns)];
		const struct sim_site *p;
		uint32_t where = sim_rng_below(&r, 12);
		int64_t open = 7 + sim_rng_below(&r, 4);

		snprintf(o->reference, sizeof(o->reference), "d%d-%zu", day,
			 i + 1);
		o->member = m;
		/* One in six to a relay point, one in twelve to the centre
		 * (served by bike), the rest to the member's customers. */
		if (where < 2)
			o->dest = pick_site(t, &r, "SITE_KIND_RELAY_POINT",
					    NULL, NULL);
		else if (where == 2)
			o->dest = pick_site(t, &r, "SITE_KIND_CUSTOMER", NULL,
					    "centre");
		else
			o->dest = pick_site(t, &r, "SITE_KIND_CUSTOMER", m->id,
					    NULL);
		if (o->dest == NULL)
			o->dest = pick_site(t, &r, "SITE_KIND_CUSTOMER", NULL,
					    NULL);
		o->start = midnight + open * 3600;
		o->end = o->start + (4 + sim_rng_below(&r, 5)) * 3600;
		p = sim_rng_below(&r, 4) == 0
			    ? pick_site(t, &r, "SITE_KIND_PRODUCER", m->id,
					NULL)
			    : NULL;
		if (p) {
			/* Collected early at the producer, cross-docked at the
			 * hub, delivered in the afternoon. */
			o->pickup = p;
			o->pickup_start = midnight + 6 * 3600;
			o->pickup_end = midnight + 11 * 3600;
			o->start = midnight + 12 * 3600;
			o->end = midnight + 19 * 3600;
			o->lines[0].p = pick_product(t, &r, m->id, SIM_FROZEN);
			o->lines[0].quantity = 5 + sim_rng_below(&r, 20);
			o->n_lines = o->lines[0].p != NULL;
			continue;
		}
		o->n_lines = 1 + (int)sim_rng_below(&r, 2);
		for (int l = 0; l < o->n_lines; l++) {
			const struct sim_product *pr =
				pick_product(t, &r, m->id, 0);

			o->lines[l].p = pr;
			o->lines[l].quantity =
				1 + sim_rng_below(&r, pr->stock / 6 / 4);
			if (l == 1 && pr == o->lines[0].p)
				o->n_lines = 1;
		}
	}
	return v;
}

struct sim_flow *
sim_flows_make(const struct sim_territory *t, uint64_t seed, int day,
	       int64_t midnight, size_t orders, size_t *n)
{
	static const struct {
		const char *member, *site_kind, *kind, *category;
		uint32_t min_kg, max_kg;
		int use_by_days; /* 0: no date */
		enum sim_class cls;
	} what[] = {
		{"fournil-solidaire", "SITE_KIND_CUSTOMER",
		 "FLOW_KIND_UNSOLD_FOOD", "bread", 4, 12, 2, SIM_AMBIENT},
		{"bio-cantines", "SITE_KIND_CUSTOMER", "FLOW_KIND_BIOWASTE",
		 "peelings", 10, 40, 0, SIM_AMBIENT},
		{"livrazou", "SITE_KIND_HUB", "FLOW_KIND_UNSOLD_FOOD",
		 "vegetables", 15, 45, 3, SIM_AMBIENT},
		{"traiteur-insertion", "SITE_KIND_CUSTOMER",
		 "FLOW_KIND_UNSOLD_FOOD", "dishes", 3, 9, 2, SIM_CHILLED},
	};
	size_t count = orders / 15 < 4 ? 4 : orders / 15;
	struct sim_flow *v = xcalloc(count, sizeof(*v));
	struct sim_rng r;

	sim_rng_init(&r, seed * 7919ULL + (uint64_t)day);
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		size_t w = i < LZ_ARRAY_LEN(what)
				   ? i
				   : sim_rng_below(&r, LZ_ARRAY_LEN(what));
		struct sim_flow *f = &v[*n];
		const char *owner = strcmp(what[w].member, "livrazou") == 0
					    ? NULL
					    : what[w].member;

		/* Vans collect these: a site outside the bike zone. */
		for (int tries = 0; tries < 8; tries++) {
			f->site = pick_site(t, &r, what[w].site_kind, owner,
					    NULL);
			if (f->site && strcmp(f->site->zone, "centre") != 0)
				break;
			f->site = NULL;
		}
		if (f->site == NULL)
			continue;
		snprintf(f->reference, sizeof(f->reference), "f%d-%zu", day,
			 i + 1);
		f->member = sim_member_find(t, what[w].member);
		f->kind = what[w].kind;
		f->category = what[w].category;
		f->grams =
			1000 * (what[w].min_kg +
				sim_rng_below(&r, what[w].max_kg -
							  what[w].min_kg + 1));
		f->use_by = what[w].use_by_days
				    ? midnight + what[w].use_by_days * 86400
				    : 0;
		f->cls = what[w].cls;
		(*n)++;
	}
	return v;
}

/* A generator for one stop of one tour, from the seed and SALT. */
static void
stop_rng(struct sim_rng *r, uint64_t seed, uint64_t salt, const char *tour_id,
	 unsigned stop)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *c = tour_id; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	sim_rng_init(r, seed ^ h ^ ((uint64_t)stop << 32) ^ salt);
}

unsigned
sim_stop_empties(uint64_t seed, const char *tour_id, unsigned stop)
{
	struct sim_rng r;

	stop_rng(&r, seed, 0x656d70746965ULL, tour_id, stop);
	if (sim_rng_below(&r, 3) != 0)
		return 0;
	return 1 + sim_rng_below(&r, 6);
}

int
sim_stop_fails(uint64_t seed, const char *tour_id, unsigned stop,
	       unsigned permille)
{
	struct sim_rng r;

	stop_rng(&r, seed, 0, tour_id, stop);
	if (sim_rng_below(&r, 1000) >= permille)
		return 0;
	return 1 + (int)sim_rng_below(&r, 2);
}

int64_t
sim_driven_m(uint64_t seed, const char *tour_id, int64_t planned)
{
	struct sim_rng r;

	stop_rng(&r, seed, 0x6f646f6dULL, tour_id, 0);
	return planned + planned * (int64_t)sim_rng_below(&r, 121) / 1000;
}

int64_t
sim_pick_short(uint64_t seed, const char *tour_id, const char *order_id,
	       unsigned line, const char *lot_id, int64_t listed,
	       unsigned permille)
{
	struct sim_rng r;
	uint64_t h = 1469598103934665603ULL;
	int64_t n;

	for (const char *c = order_id; c && *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	for (const char *c = lot_id; c && *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	stop_rng(&r, seed ^ h, 0x7069636bULL, tour_id, line);
	if (listed < 2 || sim_rng_below(&r, 1000) >= permille)
		return 0;
	n = 1 + (int64_t)sim_rng_below(&r, 2);
	return n < listed ? n : listed - 1;
}
