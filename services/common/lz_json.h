/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_json.h -- generic protobuf <-> JSON mapping (proto3 canonical JSON).
 *
 * Works on any protobuf-c message through its descriptor, so the event tap,
 * the gateway's HTTP/JSON API and the operator CLI need no per-type code.
 * The mapping follows https://protobuf.dev/programming-guides/proto3/#json:
 *
 *   field names     lowerCamelCase (json_name) on output; the JSON name or
 *                   the original proto name accepted on input
 *   int64, uint64,  decimal strings on output ("-12"); numbers or strings
 *   (s)fixed64,     on input
 *   sint64
 *   other integers  numbers; numbers or strings on input
 *   float, double   numbers, or "NaN", "Infinity", "-Infinity"; numeric
 *                   strings accepted on input
 *   bool            true / false
 *   string          JSON string (UTF-8, no NUL)
 *   bytes           standard base64 with padding on output; standard or
 *                   URL-safe, padded or not, on input
 *   enum            value name on output (the number if the value is not
 *                   in the schema); name or number on input
 *   message         object
 *   repeated        array
 *   map<K, V>       object; keys are strings ("12", "true")
 *
 * Output omits fields holding their default value, except fields with
 * explicit presence: a set oneof member or a set submessage is always
 * written (even if empty or zero), and so are map entries.  On input JSON
 * null means "default" (for a oneof member or submessage: "not set"); null
 * is refused inside arrays and as a map value.
 *
 * Limits and deviations: unknown JSON fields are errors (no "ignore unknown"
 * mode); messages nest at most LZ_JSON_MAX_DEPTH deep, in both directions;
 * custom [json_name = ...] options are not honoured (protobuf-c does not
 * keep them), nor are the well-known types' special forms (Timestamp,
 * Duration, Any, wrappers, Struct): those map as ordinary messages.  A
 * repeated message field whose type is a nested "<Field>Entry" message with
 * fields key = 1 and value = 2 is taken for a map, as protoc generates.
 *
 * Doubles are written as jansson reals (or integers, when integral and
 * exact); dump them with jansson's default precision to keep them exact.
 * jansson cannot parse JSON numbers above INT64_MAX: such uint64 values
 * must come as strings, which is how they are written.
 *
 * All functions are thread-safe: they keep no state between calls.
 */
#ifndef LZ_JSON_H
#define LZ_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* Deepest nesting of messages accepted or produced; the top-level message
 * is at depth 1. */
#define LZ_JSON_MAX_DEPTH 64

/* Returns MSG as a JSON object, or NULL if it cannot be represented: a
 * string field is not valid UTF-8 (protobuf-c does not check on unpack),
 * or messages nest deeper than LZ_JSON_MAX_DEPTH.  lz_json_encode_bytes()
 * says which field failed.  The caller owns the returned reference
 * (json_decref()).  MSG must not be NULL and is not modified. */
json_t *lz_json_from_message(const ProtobufCMessage *msg);

/* Builds a message of type DESC from the JSON object IN.  Returns 0 and
 * sets *OUT (ERR then holds ""), or -EINVAL with *OUT set to NULL and a one-line reason
 * written into ERR (ERRLEN bytes, truncated; ERR may be NULL if ERRLEN is
 * 0).  The reason names the offending place as a JSON path, e.g.
 *   unknown field "fooBar" at $.lines[2]
 *   value 4294967296 out of range for uint32 at $.count
 *   fields "a" and "b" are members of the same oneof at $
 * Errors: IN not an object, unknown field, field given twice (by its JSON
 * and proto names), wrong JSON type, integer out of range or not integral,
 * unknown enum name, invalid base64, string containing NUL, more than one
 * member of a oneof, null in an array or as a map value, bad map key,
 * nesting deeper than LZ_JSON_MAX_DEPTH.
 * The caller owns *OUT and frees it with
 * protobuf_c_message_free_unpacked(*OUT, NULL).  IN is not modified. */
int lz_json_to_message(const ProtobufCMessageDescriptor *desc, const json_t *in,
		       ProtobufCMessage **out, char *err, size_t errlen);

/* Unpacks DATA (LEN bytes) as a DESC message and maps it to JSON.
 * Returns 0 and sets *OUT, or a negative code with *OUT set to NULL and
 * a reason in ERR: -EBADMSG "cannot decode <type>" when DATA is not a
 * valid DESC message, -EINVAL when the message cannot be represented (see
 * lz_json_from_message()).  The caller owns *OUT (json_decref()). */
int lz_json_encode_bytes(const ProtobufCMessageDescriptor *desc,
			 const uint8_t *data, size_t len, json_t **out,
			 char *err, size_t errlen);

/* Maps the JSON object IN to a DESC message and packs it.  Returns 0 and
 * sets *OUT and *OUTLEN, or -EINVAL with *OUT set to NULL and a reason in
 * ERR, as lz_json_to_message().  The caller frees *OUT with free(); it is
 * never NULL on success, even when *OUTLEN is 0. */
int lz_json_decode_bytes(const ProtobufCMessageDescriptor *desc,
			 const json_t *in, uint8_t **out, size_t *outlen,
			 char *err, size_t errlen);

/* Writes the lowerCamelCase JSON name of the proto field name NAME into
 * BUF (LEN bytes, NUL-terminated, truncated if short): "line_map" ->
 * "lineMap".  Returns the length of the full name, as snprintf does. */
size_t lz_json_field_name(const char *name, char *buf, size_t len);

/* Whether the singular field F of M is set: as protobuf-c decides whether
 * to pack it (proto3: not its zero value), and so whether it is written to
 * JSON. */
bool lz_json_field_present(const ProtobufCFieldDescriptor *f,
			   const ProtobufCMessage *m);

#endif
