/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_evjson.c -- see lz_evjson.h.
 */
#include "lz_evjson.h"

#include "lz_json.h"
#include "lz_registry.h"
#include "lz_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
put_time(json_t *o, int64_t us)
{
	char buf[64];
	struct tm tm;
	time_t secs = (time_t)(us / 1000000);

	gmtime_r(&secs, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06lldZ",
		 (long long)(us % 1000000));
	json_object_set_new(o, "timestamp", json_string(buf));
	json_object_set_new(o, "timestampUs", json_integer(us));
}

static void
put_base64(json_t *o, const uint8_t *data, size_t len)
{
	size_t n =
		sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b = xmalloc(n);

	sodium_bin2base64(b, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(o, "payloadBase64", json_string(b));
	free(b);
}

/* Strings from the wire may not be UTF-8: jansson refuses those. */
static json_t *
str(const char *s)
{
	json_t *j = json_string(s);

	return j ? j : json_string("(not UTF-8)");
}

json_t *
lz_evjson_envelope(const Lz__Bus__V1__Envelope *e, const char *topic)
{
	json_t *o = json_object();
	const ProtobufCMessageDescriptor *d = lz_registry_find(e->type);
	char err[256];
	json_t *payload = NULL;

	json_object_set_new(o, "topic", str(topic ? topic : e->type));
	json_object_set_new(o, "source", str(e->source));
	json_object_set_new(o, "seq", json_integer((json_int_t)e->seq));
	put_time(o, e->timestamp_us);
	json_object_set_new(o, "type", str(e->type));
	json_object_set_new(o, "tenant", str(e->tenant));
	json_object_set_new(o, "actor", str(e->actor));
	if (e->audience && e->audience[0])
		json_object_set_new(o, "audience", str(e->audience));
	json_object_set_new(o, "eventId", str(e->event_id));
	json_object_set_new(o, "correlationId", str(e->correlation_id));
	json_object_set_new(o, "causationId", str(e->causation_id));
	if (d == NULL) {
		json_object_set_new(o, "unknownType", json_true());
		put_base64(o, e->payload.data, e->payload.len);
	} else if (lz_json_encode_bytes(d, e->payload.data, e->payload.len,
					&payload, err, sizeof(err)) != 0) {
		json_object_set_new(o, "payloadError", str(err));
		put_base64(o, e->payload.data, e->payload.len);
	} else {
		json_object_set_new(o, "payload", payload);
	}
	return o;
}

char *
lz_evjson_dumps(const Lz__Bus__V1__Envelope *e, const char *topic)
{
	json_t *o = lz_evjson_envelope(e, topic);
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

	json_decref(o);
	return s ? s : xstrdup("{}");
}
