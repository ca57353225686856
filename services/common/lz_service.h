/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_service.h -- the skeleton every service daemon applies events with.
 *
 * A service declares the types it applies in a table: for each, the
 * payload's descriptor, its handler, and the sources allowed to send it
 * (a partner's command: the gateway; a domain event: the service that owns
 * it).  lz_service_apply() is the service's lz_bus_apply_fn: it finds the
 * handler, refuses an event from a source not allowed (counted as
 * lz_events_refused_total{reason="source"}, logged with a limit), decodes
 * the payload (an undecodable one is counted as reason="payload", logged
 * and consumed), calls the handler, and frees the payload.  Types not in
 * the table are ignored: a service follows whole sources and applies only
 * what concerns it.
 *
 * lz_service_refuse() builds the service's refusal event for the command
 * being applied (its CommandRefused, or orders' OrderRejected) by
 * reflection: the message has a string field "command", an enum field
 * "reason", a string field "detail" and string id fields.
 *
 *	static const struct lz_handler handlers[] = {
 *		{&lz__tours__v1__plan_wave__descriptor, on_plan_wave,
 *		 LZ_FROM_GATEWAY},
 *		{&lz__orders__v1__order_placed__descriptor, on_order, "orders"},
 *	};
 */
#ifndef LZ_SERVICE_H
#define LZ_SERVICE_H

#include "lz_log.h"

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

struct lz_bus_txn;
struct lz_event;
struct lz_metrics;
struct lz_stat_metric;
struct lz_store;

/* The source of the partners' commands: the gateway. */
#define LZ_FROM_GATEWAY "gateway"

/* What a handler returns once a command was refused and its refusal
 * emitted: the command stops, the refusal is committed. */
#define LZ_REFUSED 1

struct lz_service;

/* The event being applied, as a handler sees it.  Valid during the call. */
struct lz_call {
	struct lz_service *svc;
	void *state; /* the service's own state: svc->state */
	struct lz_bus_txn *tx;
	MDB_txn *txn; /* lz_bus_mdb(tx) */
	const struct lz_event *ev;
	int64_t now; /* the event's time, seconds: never the clock (a
		      * report that says when it happened: that time, once
		      * its handler has checked it) */
};

/* Applies MSG (the decoded payload, freed after the call).  Returns 0,
 * LZ_REFUSED or another positive value (the event is consumed, its effects
 * kept), or a negative store error (the batch is retried or the daemon
 * stops).  It may run twice for the same event (the batch is redone when
 * the map grows): every effect must go through the transaction. */
typedef int (*lz_handler_fn)(struct lz_call *c, const ProtobufCMessage *msg);

struct lz_handler {
	const ProtobufCMessageDescriptor *desc; /* its full name is the type */
	lz_handler_fn fn;
	const char *from; /* the sources allowed, comma-separated */
};

struct lz_service {
	const char *name; /* the service's name, for the logs */
	void *state;      /* passed to the handlers as lz_call.state */
	/* The partners' commands (commands.c) and the other services' events
	 * it follows (follow.c). */
	const struct lz_handler *commands;
	size_t n_commands;
	const struct lz_handler *follows;
	size_t n_follows;
	/* The refusal event lz_service_refuse() emits, or NULL. */
	const ProtobufCMessageDescriptor *refusal;
	/* Where the durable counters live (lz_store_counter_add): database
	 * STATS, names prefixed with STAT_PREFIX ("" or "stat/"). */
	struct lz_store *store;
	MDB_dbi stats;
	const char *stat_prefix;
	/* How the counters show as metrics (see lz_service_sync_metrics). */
	struct lz_metrics *metrics;
	const struct lz_stat_metric *stat_metrics;
	size_t n_stat_metrics;
	/* Reads more metrics in the same read transaction, or NULL. */
	int (*sync_more)(MDB_txn *txn, void *state);
	struct lz_log_limit log_limit; /* of the bad-input log lines */
};

/* The lz_bus_apply_fn of a service; ARG is its struct lz_service.  Returns
 * 0 or a negative store error. */
int lz_service_apply(struct lz_bus_txn *tx, const struct lz_event *ev,
		     void *arg);

/* The handler of TYPE among S's commands and follows, or NULL. */
const struct lz_handler *lz_service_handler(const struct lz_service *s,
					    const char *type);

/* Whether SOURCE is one of the comma-separated sources in FROM (FROM
 * may be NULL: none). */
int lz_service_from(const char *from, const char *source);

/* Whether the actor of the event being applied has ROLE (a role name of
 * lz_partners.h, e.g. "operator") among the roles the gateway gave it
 * (lz_event.actor_roles).  Only the gateway sets them: an event whose
 * source may not send it never reaches a handler. */
int lz_service_actor_has_role(const struct lz_call *c, const char *role);

/* Refuses the event being applied for REASON ("source", "payload": a
 * payload that decodes but cannot be used, e.g. a malformed id in an
 * event of a trusted service): counted in events_refused/<REASON>
 * (lz_events_refused_total{reason}), logged with KEY=VALUE under the log
 * limit; the event is consumed and changes nothing else.  Returns 0 or a
 * negative store error. */
int lz_service_refuse_event(struct lz_call *c, const char *reason,
			    const char *key, const char *value);

/* Adds DELTA to the durable counter NAME (under the service's prefix) in
 * the transaction being applied.  Returns 0 or a negative store error. */
int lz_service_stat(struct lz_call *c, const char *name, int64_t delta);

/* Emits the service's refusal of the command being applied, with REASON
 * (a value of the refusal's "reason" enum), a detail made from FMT, and the
 * id fields in IDS: NULL-terminated pairs of field name and value (a value
 * may be NULL), each echoed only when it is an id (lz_valid_path); counts
 * it as "refused/<reason>" and logs it at debug level.  The tenant is the
 * command's, the audience its actor (so that a driver's phone hears of its
 * refused report).  Returns LZ_REFUSED, or a negative store error. */
int lz_service_refuse(struct lz_call *c, int reason, const char *const *ids,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* IDS for lz_service_refuse: LZ_IDS("tour_id", id, "vehicle_id", v). */
#define LZ_IDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Creates S's metrics at 0 before they first move (lz_daemon_serve calls
 * it once, before the first lz_service_sync_metrics): every unlabelled
 * entry of its STAT_METRICS table, lz_events_refused_total{reason} for
 * both reasons, and the counts of lz_service_refuse, "refused/<reason>",
 * for every value but 0 of the refusal's "reason" enum.  The values of
 * its other labelled entries are the service's to create
 * (lz_metrics_init_stat). */
void lz_service_init_metrics(struct lz_service *s);

/* Refreshes S's metrics from its durable counters: its STAT_METRICS table,
 * lz_events_refused_total{reason}, then SYNC_MORE, in one read
 * transaction (the bus's on_commit hook; call once at startup too).  ARG
 * is a struct lz_service. */
void lz_service_sync_metrics(void *arg);

/* The short lower-case name of value V of enum D: its value name less the
 * enum's prefix (the name of value 0 less "UNSPECIFIED"), e.g.
 * "unknown_site" for REASON_UNKNOWN_SITE; "unknown" for a value outside
 * the enum.  Static storage, valid for the life of the process. */
const char *lz_enum_name(const ProtobufCEnumDescriptor *d, int v);

/* The value of enum D named NAME: its short name or its value name, in any
 * case; 0 when none. */
int lz_enum_parse(const ProtobufCEnumDescriptor *d, const char *name);

#endif
