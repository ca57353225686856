/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_service.c -- see lz_service.h.
 */
#include "lz_service.h"

#include "lz_bus.h"
#include "lz_metrics.h"
#include "lz_store.h"
#include "lz_util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
lz_service_from(const char *from, const char *source)
{
	size_t n = strlen(source);

	for (const char *p = from; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, source, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int
lz_service_actor_has_role(const struct lz_call *c, const char *role)
{
	return c->ev->actor_roles && lz_service_from(c->ev->actor_roles, role);
}

const struct lz_handler *
lz_service_handler(const struct lz_service *s, const char *type)
{
	for (size_t i = 0; i < s->n_commands; i++)
		if (strcmp(s->commands[i].desc->name, type) == 0)
			return &s->commands[i];
	for (size_t i = 0; i < s->n_follows; i++)
		if (strcmp(s->follows[i].desc->name, type) == 0)
			return &s->follows[i];
	return NULL;
}

int
lz_service_stat(struct lz_call *c, const char *name, int64_t delta)
{
	char key[128];
	int n = snprintf(key, sizeof(key), "%s%s", c->svc->stat_prefix, name);

	if (n < 0 || (size_t)n >= sizeof(key))
		return -EINVAL;
	return lz_store_counter_add(c->txn, c->svc->stats, key, delta);
}

int
lz_service_refuse_event(struct lz_call *c, const char *reason, const char *key,
			const char *value)
{
	char name[64];

	if (lz_log_allow(&c->svc->log_limit))
		lz_log_warn("event refused",
			    "service=%s source=%s seq=%" PRIu64
			    " type=%s reason=%s %s=%s",
			    c->svc->name, c->ev->source, c->ev->seq,
			    c->ev->type, reason, key, value);
	snprintf(name, sizeof(name), "events_refused/%s", reason);
	return lz_service_stat(c, name, 1);
}

int
lz_service_apply(struct lz_bus_txn *tx, const struct lz_event *ev, void *arg)
{
	struct lz_service *s = arg;
	struct lz_call c = {s, s->state, tx, lz_bus_mdb(tx), ev, 0};
	const struct lz_handler *h = lz_service_handler(s, ev->type);
	ProtobufCMessage *msg;
	int rc;

	if (h == NULL)
		return 0;
	if (!lz_service_from(h->from, ev->source))
		return lz_service_refuse_event(&c, "source", "allowed",
					       h->from);
	c.now = lz_event_seconds(ev);
	msg = protobuf_c_message_unpack(h->desc, NULL, ev->payload_len,
					ev->payload);
	if (msg == NULL) {
		char size[32];

		snprintf(size, sizeof(size), "%zu", ev->payload_len);
		return lz_service_refuse_event(&c, "payload", "bytes", size);
	}
	rc = h->fn(&c, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc < 0 ? rc : 0;
}

/* ---- refusals ---- */

static const ProtobufCFieldDescriptor *
field(const ProtobufCMessageDescriptor *d, const char *name, int type)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(d, name);

	return f && (int)f->type == type &&
			       f->label != PROTOBUF_C_LABEL_REPEATED
		       ? f
		       : NULL;
}

static void
set_str(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, const char *v)
{
	if (f)
		memcpy((char *)m + f->offset, &v, sizeof(v));
}

int
lz_service_refuse(struct lz_call *c, int reason, const char *const *ids,
		  const char *fmt, ...)
{
	const ProtobufCMessageDescriptor *d = c->svc->refusal;
	const ProtobufCFieldDescriptor *fr =
		field(d, "reason", PROTOBUF_C_TYPE_ENUM);
	const char *rname =
		fr ? lz_enum_name(fr->descriptor, reason) : "unknown";
	const char *tenant = c->ev->tenant, *actor = c->ev->actor;
	char detail[400], name[64];
	ProtobufCMessage *m = xcalloc(1, d->sizeof_message);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	protobuf_c_message_init(d, m);
	set_str(m, field(d, "command", PROTOBUF_C_TYPE_STRING), c->ev->type);
	set_str(m, field(d, "detail", PROTOBUF_C_TYPE_STRING), detail);
	if (fr)
		memcpy((char *)m + fr->offset, &reason, sizeof(reason));
	for (size_t i = 0; ids && ids[i]; i += 2) {
		const char *v = ids[i + 1];

		set_str(m, field(d, ids[i], PROTOBUF_C_TYPE_STRING),
			lz_valid_path(v) ? v : "");
	}
	snprintf(name, sizeof(name), "refused/%s", rname);
	if ((rc = lz_service_stat(c, name, 1)) == 0) {
		lz_log_debug("command refused",
			     "service=%s type=%s source=%s seq=%" PRIu64
			     " reason=%s",
			     c->svc->name, c->ev->type, c->ev->source,
			     c->ev->seq, rname);
		/* The sender reads its refusal, member of the tenant or
		 * not (a driver's phone). */
		if (actor && lz_valid_id(actor))
			lz_bus_txn_set_audience(c->tx, actor);
		rc = lz_bus_emit(c->tx, tenant && tenant[0] ? tenant : NULL, m);
		lz_bus_txn_set_audience(c->tx, NULL);
	}
	free(m);
	return rc != 0 ? rc : LZ_REFUSED;
}

/* ---- metrics ---- */

static const struct lz_stat_metric common_metrics[] = {
	{"events_refused", "lz_events_refused_total",
	 "Events refused before they were applied, by reason (source: not "
	 "allowed from their source; payload: undecodable)",
	 "reason", 0, 0},
};

void
lz_service_init_metrics(struct lz_service *s)
{
	const ProtobufCFieldDescriptor *fr =
		s->refusal ? field(s->refusal, "reason", PROTOBUF_C_TYPE_ENUM)
			   : NULL;
	const ProtobufCEnumDescriptor *d = fr ? fr->descriptor : NULL;
	char name[64];

	lz_metrics_init_stats(s->metrics, s->stat_metrics, s->n_stat_metrics);
	lz_metrics_init_stat(s->metrics, common_metrics,
			     LZ_ARRAY_LEN(common_metrics),
			     "events_refused/source");
	lz_metrics_init_stat(s->metrics, common_metrics,
			     LZ_ARRAY_LEN(common_metrics),
			     "events_refused/payload");
	/* every reason lz_service_refuse can count, but 0 (none) */
	for (unsigned k = 0; d && k < d->n_values; k++) {
		if (d->values[k].value == 0)
			continue;
		snprintf(name, sizeof(name), "refused/%s",
			 lz_enum_name(d, d->values[k].value));
		lz_metrics_init_stat(s->metrics, s->stat_metrics,
				     s->n_stat_metrics, name);
	}
}

static int
sync_fn(MDB_txn *txn, void *arg)
{
	struct lz_service *s = arg;
	int rc;

	rc = lz_store_sync_metrics_txn(txn, s->stats, s->stat_prefix,
				       s->metrics, s->stat_metrics,
				       s->n_stat_metrics);
	if (rc == 0)
		rc = lz_store_sync_metrics_txn(txn, s->stats, s->stat_prefix,
					       s->metrics, common_metrics,
					       LZ_ARRAY_LEN(common_metrics));
	if (rc == 0 && s->sync_more)
		rc = s->sync_more(txn, s->state);
	return rc;
}

void
lz_service_sync_metrics(void *arg)
{
	struct lz_service *s = arg;
	int rc = lz_store_read(s->store, sync_fn, s);

	if (rc != 0)
		lz_log_warn("cannot read counters", "service=%s error=\"%s\"",
			    s->name, lz_store_strerror(rc));
}

/* ---- enum names ---- */

/* The short names of one enum, made on first use. */
struct names {
	const ProtobufCEnumDescriptor *d;
	char **short_names; /* by index in d->values */
	struct names *next;
};

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static struct names *names_list;

static struct names *
names_of(const ProtobufCEnumDescriptor *d)
{
	struct names *n;
	const char *zero = NULL;
	size_t plen = 0;

	for (n = names_list; n; n = n->next)
		if (n->d == d)
			return n;
	for (unsigned i = 0; i < d->n_values; i++)
		if (d->values[i].value == 0)
			zero = d->values[i].name;
	if (zero && strlen(zero) >= 11 &&
	    strcmp(zero + strlen(zero) - 11, "UNSPECIFIED") == 0)
		plen = strlen(zero) - 11;
	n = xcalloc(1, sizeof(*n));
	n->d = d;
	n->short_names = xcalloc(d->n_values, sizeof(char *));
	for (unsigned i = 0; i < d->n_values; i++) {
		const char *full = d->values[i].name;
		const char *s = strncmp(full, zero ? zero : "", plen) == 0
					? full + plen
					: full;
		char *p = xstrdup(s);

		for (char *q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		n->short_names[i] = p;
	}
	n->next = names_list;
	names_list = n;
	return n;
}

const char *
lz_enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *ev =
		protobuf_c_enum_descriptor_get_value(d, v);
	const char *name;

	if (ev == NULL)
		return "unknown";
	pthread_mutex_lock(&names_lock);
	name = names_of(d)->short_names[ev - d->values];
	pthread_mutex_unlock(&names_lock);
	return name;
}

int
lz_enum_parse(const ProtobufCEnumDescriptor *d, const char *name)
{
	if (name == NULL)
		return 0;
	for (unsigned i = 0; i < d->n_values; i++)
		if (strcasecmp(name, d->values[i].name) == 0 ||
		    strcasecmp(name, lz_enum_name(d, d->values[i].value)) == 0)
			return d->values[i].value;
	return 0;
}
