/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-cmdpub -- publishes commands on the bus as if they came from the
 * gateway, for integration tests of the services behind it.
 *
 * Reads JSON lines on stdin (or --input, a file or a FIFO):
 *
 *   {"type":"lz.orders.v1.PlaceOrder","tenant":"m1","actor":"p1",
 *    "actorRoles":"shipper","payload":{...proto3 JSON of the command...}}
 *   {"type":"lz.orders.v1.PlaceOrder","tenant":"m1",
 *    "payloadBase64":"..."}            (raw bytes, e.g. garbage)
 *
 * and emits each as one event of source --source (default "gateway")
 * through the real bus client: outbox, heartbeats, replay endpoint.  Prints
 * "sent seq=N type=T" per event, "error line=N ..." for a line it cannot
 * use.  At the end of input it keeps serving heartbeats and replays until
 * stopped, so that consumers can catch up.
 */
#include "lz_bus.h"
#include "lz_config.h"
#include "lz_json.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_registry.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct lz_option options[] = {
	{"state", LZ_OPT_STRING, NULL, "state directory (LMDB outbox)", 0, 0},
	{"source", LZ_OPT_STRING, "gateway", "source name of the events", 0, 0},
	{"pub", LZ_OPT_STRING, "tcp://127.0.0.1:7100", "bus XSUB endpoint", 0,
	 0},
	{"replay", LZ_OPT_STRING, "tcp://127.0.0.1:7200",
	 "replay endpoint to bind", 0, 0},
	{"input", LZ_OPT_STRING, "-",
	 "file or FIFO to read commands from (\"-\": stdin)", 0, 0},
	{"no-sync", LZ_OPT_FLAG, "false", "do not fsync at commit", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

struct cmdpub {
	struct lz_bus *bus;
	struct event *ev;
	char *buf;
	size_t len, cap;
	long lineno;
};

struct one {
	const char *type, *tenant, *actor, *roles;
	const uint8_t *data;
	size_t len;
};

static int
emit_fn(struct lz_bus_txn *tx, void *arg)
{
	struct one *o = arg;

	lz_bus_txn_set_actor(tx, o->actor);
	lz_bus_txn_set_actor_roles(tx, o->roles);
	return lz_bus_emit_raw(tx, o->type, o->tenant, o->data, o->len);
}

static void
fail(struct cmdpub *p, const char *why)
{
	printf("error line=%ld %s\n", p->lineno, why);
	fflush(stdout);
}

static void
send_line(struct cmdpub *p, const char *line)
{
	json_error_t jerr;
	json_t *j = json_loads(line, 0, &jerr), *payload, *raw;
	const ProtobufCMessageDescriptor *desc;
	struct one o = {0};
	uint8_t *bytes = NULL;
	char err[256];
	int rc;

	p->lineno++;
	if (j == NULL || !json_is_object(j)) {
		fail(p, "not a JSON object");
		goto out;
	}
	o.type = json_string_value(json_object_get(j, "type"));
	o.tenant = json_string_value(json_object_get(j, "tenant"));
	o.actor = json_string_value(json_object_get(j, "actor"));
	o.roles = json_string_value(json_object_get(j, "actorRoles"));
	payload = json_object_get(j, "payload");
	raw = json_object_get(j, "payloadBase64");
	if (o.type == NULL) {
		fail(p, "no type");
		goto out;
	}
	if (raw) {
		const char *b64 = json_string_value(raw);
		size_t n = b64 ? strlen(b64) : 0;
		bytes = xmalloc(n + 1);
		if (b64 == NULL ||
		    sodium_base642bin(bytes, n + 1, b64, n, NULL, &o.len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
			fail(p, "bad payloadBase64");
			goto out;
		}
	} else {
		if ((desc = lz_registry_find(o.type)) == NULL) {
			fail(p, "unknown type");
			goto out;
		}
		json_t *empty = payload ? NULL : json_object();

		rc = lz_json_decode_bytes(desc, payload ? payload : empty,
					  &bytes, &o.len, err, sizeof(err));
		json_decref(empty);
		if (rc != 0) {
			fail(p, err);
			goto out;
		}
	}
	o.data = bytes;
	if ((rc = lz_bus_write(p->bus, emit_fn, &o)) != 0)
		lz_fatal("cannot commit", "error=\"%s\"",
			 lz_store_strerror(rc));
	printf("sent seq=%" PRIu64 " type=%s\n", lz_bus_outbox_seq(p->bus),
	       o.type);
	fflush(stdout);
out:
	free(bytes);
	json_decref(j);
}

/* Reads what is there on FD and sends every complete line; returns the
 * read() result (0 at end of input). */
static ssize_t
read_some(struct cmdpub *p, int fd)
{
	ssize_t n;
	char *nl;

	if (p->cap - p->len < 65536) {
		p->cap = p->cap ? p->cap * 2 : 131072;
		p->buf = xrealloc(p->buf, p->cap);
	}
	n = read(fd, p->buf + p->len, p->cap - p->len - 1);
	if (n <= 0)
		return n;
	p->len += (size_t)n;
	p->buf[p->len] = '\0';
	while ((nl = memchr(p->buf, '\n', p->len)) != NULL) {
		size_t used = (size_t)(nl - p->buf) + 1;
		*nl = '\0';
		if (p->buf[0] != '\0' && p->buf[0] != '#')
			send_line(p, p->buf);
		memmove(p->buf, p->buf + used, p->len - used);
		p->len -= used;
		p->buf[p->len] = '\0';
	}
	return n;
}

static void
on_input(evutil_socket_t fd, short what, void *arg)
{
	struct cmdpub *p = arg;
	ssize_t n = read_some(p, (int)fd);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* End of input: keep serving replays until stopped. */
		event_del(p->ev);
		lz_log_info("end of input", "lines=%ld", p->lineno);
	}
}

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-cmdpub", "cmdpub", "[OPTIONS] < commands.jsonl",
		"Publishes JSON-lines commands as events of source "
		"\"gateway\" (for tests).",
		options);
	struct cmdpub p = {0};
	struct lz_bus_options bo = {0};
	struct lz_store_options so = {0};
	struct lz_store *store = NULL;
	struct lz_metrics *metrics;
	struct lz_loop *loop;
	const char *input;
	struct stat st;
	int fd, rc;

	if ((rc = lz_config_main(&cfg, argc, argv)) >= 0)
		return rc;
	lz_config_init_log(cfg);
	if (lz_config_str(cfg, "state") == NULL) {
		fprintf(stderr, "lz-cmdpub: --state is required\n");
		return 2;
	}
	so.no_sync = lz_config_flag(cfg, "no-sync");
	if ((rc = lz_store_open(&store, lz_config_str(cfg, "state"), &so)))
		lz_fatal("cannot open state", "error=\"%s\"",
			 lz_store_strerror(rc));
	loop = lz_loop_new();
	metrics = lz_metrics_new();
	bo.source = lz_config_str(cfg, "source");
	bo.pub_endpoint = lz_config_str(cfg, "pub");
	bo.replay_bind = lz_config_str(cfg, "replay");
	bo.metrics = metrics;
	if ((p.bus = lz_bus_new(loop, store, &bo, NULL, NULL)) == NULL)
		return 1;
	input = lz_config_str(cfg, "input");
	fd = strcmp(input, "-") == 0 ? 0 : open(input, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		lz_fatal("cannot read input", "input=%s error=\"%s\"", input,
			 strerror(errno));
	if (S_ISREG(st.st_mode)) {
		/* epoll cannot watch a regular file: read it all now. */
		while (read_some(&p, fd) > 0)
			;
	} else {
		p.ev = event_new(lz_loop_base(loop), fd, EV_READ | EV_PERSIST,
				 on_input, &p);
		event_add(p.ev, NULL);
	}
	rc = lz_loop_run(loop);
	if (p.ev)
		event_free(p.ev);
	if (fd > 0)
		close(fd);
	lz_bus_destroy(&p.bus);
	lz_loop_destroy(&loop);
	lz_store_destroy(&store);
	lz_metrics_destroy(&metrics);
	lz_config_destroy(&cfg);
	free(p.buf);
	return rc == 0 ? 0 : 1;
}
