/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * partner.c -- lz-sim as the partners' systems: their keys and the
 * gateway's partners file, one client per partner, commands submitted
 * under stable message ids, the waits until the services have applied
 * what was sent, and the helpers every part of the run shares (play.c,
 * bikes.c, returns.c, summary.c).  See partner.h.
 */
#include "partner.h"

#include "lz_client.h"
#include "lz_date.h"
#include "lz_partners.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUBMIT_TIMEOUT_MS 3000
#define SUBMIT_RETRIES 3

volatile sig_atomic_t sim_stopping;

/* The partners beside the members' own: the drivers' and riders' phones,
 * the processor and the relay points. */
static const struct {
	const char *id, *member, *roles;
} extra_partners[] = {
	{"driver", "livrazou", "driver"},
	{"rider-1", "livrazou", "rider"},
	{"rider-2", "livrazou", "rider"},
	{"compost-sud", "compost-sud", "processor"},
	{"relais-vrac", "vrac-marseille", "relay,processor"},
	{"relais-epiceries", "epiceries-solidaires", "relay,processor"},
};

void
sim_say(const struct sim_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->progress == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(r->progress, fmt, ap);
	va_end(ap);
	fflush(r->progress);
}

const char *
sim_partner_of(const char *member, const char *role)
{
	for (size_t i = 0; i < LZ_ARRAY_LEN(extra_partners); i++)
		if (strcmp(extra_partners[i].member, member) == 0 &&
		    strstr(extra_partners[i].roles, role))
			return extra_partners[i].id;
	return NULL;
}

int
sim_date_add(const char *date, int days, char out[11])
{
	int64_t midnight;

	if (lz_date_midnight(date, &midnight, NULL) < 0)
		return -EINVAL;
	/* Noon of the day wanted: safe across summer time. */
	return lz_date_local(midnight + (int64_t)days * 86400 + 12 * 3600, out);
}

static int
write_key(const char *dir, const char *id, char pub[41])
{
	char path[512], sec[41];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/keys/%s.key", dir, id);
	if (zmq_curve_keypair(pub, sec) != 0) {
		fprintf(stderr, "lz-sim: CURVE is not available\n");
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "lz-sim: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	lz_zmq_keys_write(f, pub, sec);
	memset(sec, 0, sizeof(sec));
	return fclose(f) == 0 ? 0 : -1;
}

int
sim_setup(const struct sim_territory *t, const char *dir)
{
	struct lz_partners *ps = NULL;
	char path[512], pub[41], err[512];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/keys", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto fail;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/partners", dir);
	if ((f = fopen(path, "w")) == NULL)
		goto fail;
	fprintf(f, "# lz-sim: the simulated territory's partners "
		   "(ZeroMQ+CURVE only)\n");
	for (size_t i = 0; i < t->n_members && rc == 0; i++) {
		const struct sim_member *m = &t->members[i];

		if (m->partner == NULL)
			continue;
		rc = write_key(dir, m->partner, pub);
		fprintf(f, "%s %s %s %s -\n", m->partner, m->id, m->roles, pub);
	}
	for (size_t i = 0; i < LZ_ARRAY_LEN(extra_partners) && rc == 0; i++) {
		rc = write_key(dir, extra_partners[i].id, pub);
		fprintf(f, "%s %s %s %s -\n", extra_partners[i].id,
			extra_partners[i].member, extra_partners[i].roles, pub);
	}
	if (fclose(f) != 0 || rc != 0)
		goto fail;
	/* Read back as the gateway will. */
	if (lz_partners_load(path, &ps, err, sizeof(err)) < 0) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return -1;
	}
	lz_partners_destroy(&ps);
	return 0;
fail:
	fprintf(stderr, "lz-sim: %s: %s\n", path, strerror(errno));
	return -1;
}

static struct lz_client *
client(struct sim_run *r, const char *partner)
{
	char key[512], err[512];
	size_t i;

	for (i = 0; i < r->n_partners; i++)
		if (strcmp(r->partner_ids[i], partner) == 0)
			return r->clients[i];
	snprintf(key, sizeof(key), "%s/keys/%s.key", r->dir, partner);
	r->clients = xrealloc(r->clients, (i + 1) * sizeof(*r->clients));
	r->partner_ids =
		xrealloc(r->partner_ids, (i + 1) * sizeof(*r->partner_ids));
	r->clients[i] =
		lz_client_new(r->gateway, key, r->server_key, err, sizeof(err));
	if (r->clients[i] == NULL) {
		fprintf(stderr, "lz-sim: %s\n", err);
		return NULL;
	}
	r->partner_ids[i] = partner;
	r->n_partners++;
	return r->clients[i];
}

void
sim_run_release(struct sim_run *r)
{
	for (size_t i = 0; i < r->n_partners; i++)
		lz_client_destroy(&r->clients[i]);
	free(r->clients);
	free(r->partner_ids);
	r->clients = NULL;
	r->partner_ids = NULL;
	r->n_partners = 0;
	sim_ids_release(&r->ids);
	sim_territory_release(&r->t);
	json_decref(r->jars_ordered);
	json_decref(r->jars_held);
	r->jars_ordered = r->jars_held = NULL;
}

/* Submits TYPE with the JSON payload P (stolen) as PARTNER, under a
 * message id derived from the seed and a counter, so that a retry after a
 * timeout, and a second run of the same seed on the same state, have no
 * second effect.  Returns 0 when accepted or duplicate, 1 when rejected
 * (the reason printed), -1 when the gateway does not answer. */
int
sim_submit(struct sim_run *r, const char *partner, const char *type, json_t *p)
{
	struct lz_client *c = client(r, partner);
	struct lz_client_ack ack;
	char id[64], err[256], *text;
	int rc;

	if (c == NULL) {
		json_decref(p);
		return -1;
	}
	text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(p);
	sim_msg_id(&r->ids, r->seed, r->first_date, partner, type, text, id);
	rc = lz_client_submit_json(c, type, text, id, SUBMIT_TIMEOUT_MS,
				   SUBMIT_RETRIES, &ack, err, sizeof(err));
	r->submitted++;
	if (rc != 0) {
		fprintf(stderr, "lz-sim: %s as %s: %s\n", type, partner,
			rc == -ETIMEDOUT ? "no answer from the gateway"
			: rc == -EBADMSG ? err
					 : strerror(-rc));
		free(text);
		return -1;
	}
	json_decref(ack.json);
	switch (ack.status) {
	case 1:
		r->accepted++;
		break;
	case 2:
		r->duplicates++;
		break;
	default:
		r->rejected++;
		sim_say(r, "  ! %s refused: %s\n", type, ack.message);
		free(text);
		return 1;
	}
	free(text);
	return 0;
}

int
sim_report(struct sim_run *r, const char *partner, const char *type, json_t *p,
	   int64_t at)
{
	if (p && at > 0)
		json_object_set_new(p, "at", json_integer((json_int_t)at));
	return sim_submit(r, partner, type, p);
}

const char *
sim_class_name(enum sim_class c)
{
	return c == SIM_FROZEN    ? "TEMPERATURE_CLASS_FROZEN"
	       : c == SIM_CHILLED ? "TEMPERATURE_CLASS_CHILLED"
				  : "TEMPERATURE_CLASS_AMBIENT";
}

int64_t
sim_jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

void
sim_nap_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR &&
	       !sim_stopping)
		;
}

/* Whether the consumer at CONSUMER applied everything SOURCE (admin at
 * PRODUCER) published.  A service that does not run, or a consumer that
 * does not follow SOURCE (no lz_inbox_seq for it), counts as done. */
static int
applied(const char *consumer, const char *source, const char *producer)
{
	char name[96];
	long long want, have;
	int found;

	if (!consumer || !consumer[0] || !producer || !producer[0])
		return 1;
	want = lz_client_metric(producer, "lz_outbox_seq", 5000);
	snprintf(name, sizeof(name), "lz_inbox_seq{source=\"%s\"}", source);
	found = lz_client_metric_find(consumer, name, 5000, &have);
	if (found == 0)
		return 1;
	return want >= 0 && found > 0 && have >= want;
}

/* Waits until every service applied what the others published, three
 * times in a row (an applied event may make a service publish more).
 * Returns 0, or -1 on timeout. */
int
sim_settle(const struct sim_run *r)
{
	const struct sim_apis *a = &r->api;
	const struct {
		const char *consumer, *source, *producer;
	} edges[] = {
		{a->orders, "gateway", a->gateway},
		{a->inventory, "gateway", a->gateway},
		{a->tours, "gateway", a->gateway},
		{a->inventory, "orders", a->orders},
		{a->tours, "orders", a->orders},
		{a->orders, "inventory", a->inventory},
		{a->tours, "inventory", a->inventory},
		{a->orders, "tours", a->tours},
		{a->inventory, "tours", a->tours},
		{a->returns, "gateway", a->gateway},
		{a->returns, "orders", a->orders},
		{a->returns, "inventory", a->inventory},
		{a->returns, "tours", a->tours},
		{a->tours, "returns", a->returns},
		{a->impact, "orders", a->orders},
		{a->impact, "tours", a->tours},
		{a->impact, "returns", a->returns},
		{a->bikes, "gateway", a->gateway},
		{a->bikes, "orders", a->orders},
		{a->bikes, "tours", a->tours},
		{a->bikes, "returns", a->returns},
		{a->orders, "bikes", a->bikes},
		{a->returns, "bikes", a->bikes},
		{a->impact, "bikes", a->bikes},
	};
	int64_t end = lz_mono_us() + (int64_t)r->timeout_s * 1000000;
	int n = 0;

	while (!sim_stopping && lz_mono_us() < end) {
		int ok = 1;

		for (size_t i = 0; i < LZ_ARRAY_LEN(edges) && ok; i++)
			ok = applied(edges[i].consumer, edges[i].source,
				     edges[i].producer);
		n = ok ? n + 1 : 0;
		if (n >= 3)
			return 0;
		sim_nap_ms(100);
	}
	fprintf(stderr,
		"lz-sim: the services did not apply every event in "
		"%ds\n",
		r->timeout_s);
	return -1;
}
