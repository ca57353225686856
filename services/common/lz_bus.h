/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_bus.h -- the bus client: durable publishing and exactly-once consuming.
 *
 * Producer side (DESIGN.md section 4): events a process emits are appended,
 * with per-source sequence numbers 1, 2, 3..., to its outbox in the same
 * LMDB transaction as the state change that caused them, and published on
 * the bus only after the commit.  A heartbeat announces the latest sequence
 * and the replay endpoint every second; the replay endpoint (ROUTER) serves
 * the outbox to consumers that missed something.
 *
 * Consumer side: the process follows whole sources.  For each source it
 * keeps the last sequence applied (its inbox), updated in the transaction
 * that applies the event; duplicates are skipped; a jump, a heartbeat ahead
 * of the inbox, or a start behind triggers a replay of the missing range,
 * applied in order.  Everything ready on the socket is applied in one
 * transaction, committed once (group commit), then the events it emitted
 * are published.
 *
 * Why whole sources and not topic prefixes: sequences are per source, so a
 * consumer that filtered by topic could not tell a gap from an event it
 * filtered out, nor keep the source's order across types.  Topic prefixes
 * are for taps.
 *
 * A service thus writes only its apply function ("apply this event to my
 * state, emit these events") and gets exactly-once effects.
 */
#ifndef LZ_BUS_H
#define LZ_BUS_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

struct lz_loop;
struct lz_store;
struct lz_metrics;
struct lz_bus;
struct lz_bus_txn;

#define LZ_BUS_HEARTBEAT_TOPIC "lz.bus.v1.Heartbeat"

/* An apply function's answer when the event breaks a domain rule and must
 * change nothing: its writes and emitted events are rolled back, its
 * sequence is still consumed, and it is counted and logged. */
#define LZ_BUS_REJECT 1

struct lz_bus_options {
	const char *source;           /* this process's source name */
	const char *pub_endpoint;     /* bus XSUB side; NULL: publish nothing */
	const char *sub_endpoint;     /* bus XPUB side; NULL: consume nothing */
	const char *replay_bind;      /* ROUTER serving the outbox; or NULL */
	const char *replay_advertise; /* in heartbeats; default replay_bind */
	const char *follow; /* sources to consume, comma-separated, or NULL */
	int batch_max;      /* events per transaction; default 4096 */
	int heartbeat_ms;   /* default 1000 */
	int replay_timeout_ms;      /* re-ask after this; default 2000 */
	size_t max_frame;           /* largest accepted frame; default 1 MiB */
	struct lz_metrics *metrics; /* where to count; required */
	/* Called with the apply function's ARG after each batch of applied
	 * events is committed and its emitted events published; or NULL. */
	void (*on_commit)(void *arg);
};

/* An event being applied.  Every pointer is valid during the call only. */
struct lz_event {
	const char *event_id;
	const char *source;
	uint64_t seq;
	int64_t timestamp_us;
	const char *type;
	const char *tenant;
	const char *correlation_id;
	const char *causation_id;
	const char *actor; /* the partner behind a command, or "" */
	/* The actor's roles as the gateway knows them, comma-separated
	 * ("operator,receiver"), or "". */
	const char *actor_roles;
	/* The one partner or user besides the tenant's members who may read
	 * the event (a tour's driver), or "". */
	const char *audience;
	const uint8_t *payload;
	size_t payload_len;
};

/* EV's time in whole seconds since the epoch (floor, also before 1970).
 * Services decide with it, never with the clock, so a replay decides the
 * same. */
int64_t lz_event_seconds(const struct lz_event *ev);

/* A service's table of the types it applies: an array of entries whose
 * first member is the payload's `const ProtobufCMessageDescriptor *` (its
 * full name is the type).  lz_handler_find returns the entry of TYPE among
 * the N entries of SIZE bytes at TABLE (like bsearch's base and size), or
 * NULL. */
const void *lz_handler_find(const void *table, size_t n, size_t size,
			    const char *type);

/* Decodes EV's payload as a DESC message (the caller frees it with
 * protobuf_c_message_free_unpacked), or returns NULL when it does not
 * decode, logged with its source, sequence, type and size as often as
 * LIMIT allows. */
struct lz_log_limit;
ProtobufCMessage *lz_event_unpack(const struct lz_event *ev,
				  const ProtobufCMessageDescriptor *desc,
				  struct lz_log_limit *limit);

/* Applies EV to the service's state through lz_bus_mdb(TX), emitting events
 * with lz_bus_emit().  Returns 0, LZ_BUS_REJECT, or a negative store error
 * (the whole batch is then retried on MDB_MAP_FULL; any other error is
 * logged as "cannot commit batch" and fails the loop, lz_loop_fail(): the
 * daemon exits with status 1 and resumes from its inbox when restarted).
 * May be called more than once for the same event when a batch is retried:
 * it must keep no effect outside the transaction. */
typedef int (*lz_bus_apply_fn)(struct lz_bus_txn *tx, const struct lz_event *ev,
			       void *arg);
typedef int (*lz_bus_write_fn)(struct lz_bus_txn *tx, void *arg);

/* Opens the outbox and inbox databases in STORE, connects and binds the
 * sockets of OPTS and registers them with LOOP.  APPLY may be NULL for a
 * process that only produces.  Returns NULL after logging the reason. */
struct lz_bus *lz_bus_new(struct lz_loop *loop, struct lz_store *store,
			  const struct lz_bus_options *opts,
			  lz_bus_apply_fn apply, void *arg);
/* Closes the sockets; committed events stay in the outbox. */
void lz_bus_destroy(struct lz_bus **bp);

/* Runs FN in a write transaction (for work that does not come from the bus:
 * a partner's command, a timer), commits, then publishes what FN emitted.
 * FN may run more than once (map growth).  Returns FN's non-zero result or
 * a store error (nothing committed, nothing published), or 0.  A store
 * that cannot begin or commit the transaction (disk full, I/O error) or
 * grow its map any more is fatal: logged as "cannot commit", it fails the
 * loop (lz_loop_fail), and the process ends with exit status 1 after the
 * callback that is running; FN's own non-zero result is not. */
int lz_bus_write(struct lz_bus *b, lz_bus_write_fn fn, void *arg);

/* Appends an event with payload MSG (type: MSG's full name) to the outbox.
 * TENANT may be NULL.  Inside an apply function the new event inherits the
 * correlation id of the event being applied and names it as its cause.
 * Returns 0 or a negative store error. */
int lz_bus_emit(struct lz_bus_txn *tx, const char *tenant,
		const ProtobufCMessage *msg);
/* The same with an already serialized payload of type TYPE. */
int lz_bus_emit_raw(struct lz_bus_txn *tx, const char *type, const char *tenant,
		    const uint8_t *payload, size_t len);
/* The sequence and event id the last lz_bus_emit*() got (0 and "" if none
 * in this transaction).  The id is valid until the next emit. */
uint64_t lz_bus_txn_last_seq(const struct lz_bus_txn *tx);
const char *lz_bus_txn_last_event_id(const struct lz_bus_txn *tx);
/* Sets the actor (authenticated partner) of the events emitted next in TX;
 * inside an apply function they otherwise inherit the applied event's.
 * ACTOR must live until the last emit it applies to. */
void lz_bus_txn_set_actor(struct lz_bus_txn *tx, const char *actor);
/* Sets the roles (comma-separated role names) of the actor set with
 * lz_bus_txn_set_actor(), for the events emitted next in TX; NULL: none.
 * Without an actor of their own, events inherit the applied event's actor
 * and roles together. */
void lz_bus_txn_set_actor_roles(struct lz_bus_txn *tx, const char *roles);
/* Sets the audience (the one partner or user besides the tenant's
 * members who may read them) of the events emitted next in TX; NULL or
 * "": none.  Unlike the actor it is never inherited from the applied
 * event, and it starts empty for each applied event and each
 * lz_bus_write(): set it before the emits it concerns and clear it after.
 * AUDIENCE must live until the last emit it applies to. */
void lz_bus_txn_set_audience(struct lz_bus_txn *tx, const char *audience);

MDB_txn *lz_bus_mdb(struct lz_bus_txn *tx);

/* Last sequence committed to this process's outbox. */
uint64_t lz_bus_outbox_seq(const struct lz_bus *b);
/* Last sequence of SOURCE applied by this process (0: none). */
uint64_t lz_bus_applied_seq(const struct lz_bus *b, const char *source);
/* Whether every followed source is applied up to its latest known
 * sequence; if not, writes which one is behind. */
int lz_bus_ready(void *bus, char *why, size_t whylen);

#endif
