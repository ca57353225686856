/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_evjson.h -- an event as one JSON object, as lz-tap prints it and the
 * gateway streams it to partners:
 *
 *   {"topic", "source", "seq", "timestamp", "timestampUs", "type",
 *    "tenant", "actor", ["audience",] "eventId", "correlationId",
 *    "causationId",
 *    "payload" | "unknownType" + "payloadBase64" | "payloadError" + ...}
 *
 * "audience" is there only when the envelope names one.  The actor's
 * roles (actor_roles) are not shown: they are for the services.
 *
 * The payload is decoded through the type registry; an unknown type or a
 * payload that does not decode is given in base64 instead of failing.
 */
#ifndef LZ_EVJSON_H
#define LZ_EVJSON_H

#include "lz/bus/v1/bus.pb-c.h"

#include <jansson.h>

/* Returns a new JSON object for envelope E (TOPIC NULL: the envelope's
 * type).  The caller owns the reference. */
json_t *lz_evjson_envelope(const Lz__Bus__V1__Envelope *e, const char *topic);

/* The same as compact, ASCII-only text without a newline; the caller frees
 * it with free(). */
char *lz_evjson_dumps(const Lz__Bus__V1__Envelope *e, const char *topic);

#endif
