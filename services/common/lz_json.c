/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_json.c -- see lz_json.h.
 *
 * Both directions walk the message through protobuf-c's field descriptors
 * and address each value as (char *)message + field->offset.  Messages
 * built from JSON must be freeable with protobuf_c_message_free_unpacked(),
 * so at every step -- including after an error half-way -- the message
 * holds only heap pointers it owns, descriptor defaults, or NULL, and every
 * repeated count covers only slots that were written or zeroed.
 */
#include "lz_json.h"
#include "lz_util.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* State of one conversion: where we are (for error messages) and how
 * deep. */
struct ctx {
	char *err;
	size_t errlen;
	char *path; /* "$.lines[2].sku", NUL-terminated */
	size_t pathlen;
	size_t pathcap;
	int depth;
};

/* An integer read from JSON, before its range is checked. */
struct num {
	bool neg;
	uint64_t mag;
};

static const char *const type_names[] = {
	[PROTOBUF_C_TYPE_INT32] = "int32",
	[PROTOBUF_C_TYPE_SINT32] = "sint32",
	[PROTOBUF_C_TYPE_SFIXED32] = "sfixed32",
	[PROTOBUF_C_TYPE_INT64] = "int64",
	[PROTOBUF_C_TYPE_SINT64] = "sint64",
	[PROTOBUF_C_TYPE_SFIXED64] = "sfixed64",
	[PROTOBUF_C_TYPE_UINT32] = "uint32",
	[PROTOBUF_C_TYPE_FIXED32] = "fixed32",
	[PROTOBUF_C_TYPE_UINT64] = "uint64",
	[PROTOBUF_C_TYPE_FIXED64] = "fixed64",
	[PROTOBUF_C_TYPE_FLOAT] = "float",
	[PROTOBUF_C_TYPE_DOUBLE] = "double",
	[PROTOBUF_C_TYPE_BOOL] = "bool",
	[PROTOBUF_C_TYPE_ENUM] = "enum",
	[PROTOBUF_C_TYPE_STRING] = "string",
	[PROTOBUF_C_TYPE_BYTES] = "bytes",
	[PROTOBUF_C_TYPE_MESSAGE] = "message",
};

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 2^53: doubles below it in magnitude are exact integers if integral. */
#define EXACT_INT_LIMIT 9007199254740992.0
/* 2^128 - 2^103: the first magnitude that rounds to a float infinity. */
#define FLOAT_LIMIT 0x1.ffffffp+127
/* 2^64, the first magnitude no uint64 holds. */
#define UINT64_LIMIT 18446744073709551616.0

static const char *
type_name(ProtobufCType t)
{
	if ((size_t)t < LZ_ARRAY_LEN(type_names) && type_names[t] != NULL)
		return type_names[t];
	return "unknown";
}

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

/* jansson constructors fail only when memory is exhausted (for strings:
 * or on invalid UTF-8, checked by the callers that can meet it). */
static json_t *
must(json_t *j)
{
	if (j == NULL) {
		fprintf(stderr,
			"level=fatal msg=\"out of memory\" where=lz_json\n");
		abort();
	}
	return j;
}

/* --- context: path and errors --- */

static void
ctx_init(struct ctx *c, char *err, size_t errlen)
{
	c->err = errlen > 0 ? err : NULL;
	c->errlen = c->err != NULL ? errlen : 0;
	if (c->err != NULL)
		c->err[0] = '\0';
	c->pathcap = 64;
	c->path = xmalloc(c->pathcap);
	c->path[0] = '$';
	c->path[1] = '\0';
	c->pathlen = 1;
	c->depth = 0;
}

static void
ctx_release(struct ctx *c)
{
	free(c->path);
	c->path = NULL;
}

/* Appends a component to the path; returns the length to restore with
 * path_pop(). */
static size_t __attribute__((format(printf, 2, 3)))
path_push(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->pathlen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return old;
	if (c->pathlen + (size_t)n + 1 > c->pathcap) {
		while (c->pathlen + (size_t)n + 1 > c->pathcap)
			c->pathcap *= 2;
		c->path = xrealloc(c->path, c->pathcap);
	}
	va_start(ap, fmt);
	vsnprintf(c->path + c->pathlen, c->pathcap - c->pathlen, fmt, ap);
	va_end(ap);
	c->pathlen += (size_t)n;
	return old;
}

static void
path_pop(struct ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

/* Formats "<reason> at <path>" into the caller's buffer and returns
 * -EINVAL.  Control characters from the input become '?' so that the
 * message stays one printable line. */
static int __attribute__((format(printf, 2, 3)))
fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	n = vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < c->errlen)
		snprintf(c->err + n, c->errlen - (size_t)n, " at %s", c->path);
	for (char *p = c->err; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return -EINVAL;
}

/* Writes D with as few digits as read back the same ("1e+39", not
 * "9.9999999999999994e+38"). */
static void
real_text(double d, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/* Writes a short rendering of the JSON scalar V, for error messages. */
static void
value_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else if (json_is_real(v))
		real_text(json_real_value(v), buf, len);
	else if (json_is_string(v))
		snprintf(buf, len, "\"%.64s\"", json_string_value(v));
	else
		snprintf(buf, len, "%s", json_type_name(v));
}

/* --- names --- */

/* Whether S equals NAME in CamelCase followed by SUFFIX: underscores are
 * dropped and the letter after one is upper-cased, as protoc does for JSON
 * names (CAP_FIRST false) and map entry type names (CAP_FIRST true). */
static bool
camel_eq(const char *s, const char *name, bool cap_first, const char *suffix)
{
	bool cap = cap_first;

	for (; *name != '\0'; name++) {
		char ch = *name;

		if (ch == '_') {
			cap = true;
			continue;
		}
		if (cap && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		cap = false;
		if (*s++ != ch)
			return false;
	}
	return strcmp(s, suffix) == 0;
}

size_t
lz_json_field_name(const char *name, char *buf, size_t len)
{
	size_t n = 0;
	bool cap = false;

	for (; *name != '\0'; name++) {
		char ch = *name;

		if (ch == '_') {
			cap = true;
			continue;
		}
		if (cap && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		cap = false;
		if (n + 1 < len)
			buf[n] = ch;
		n++;
	}
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

/* Returns the JSON name of F; the caller frees it. */
static char *
json_name(const ProtobufCFieldDescriptor *f)
{
	size_t n = lz_json_field_name(f->name, NULL, 0);
	char *s = xmalloc(n + 1);

	lz_json_field_name(f->name, s, n + 1);
	return s;
}

static const ProtobufCFieldDescriptor *
find_field(const ProtobufCMessageDescriptor *desc, const char *key)
{
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];

		if (strcmp(key, f->name) == 0 ||
		    camel_eq(key, f->name, false, ""))
			return f;
	}
	return NULL;
}

/* Whether F, a field of PARENT, is a map: protoc turns map<K, V> NAME
 * into "repeated NameEntry name" where NameEntry is nested in PARENT and
 * has exactly the fields key = 1 and value = 2. */
static bool
is_map(const ProtobufCMessageDescriptor *parent,
       const ProtobufCFieldDescriptor *f)
{
	const ProtobufCMessageDescriptor *e = f->descriptor;
	const ProtobufCFieldDescriptor *k, *v;
	size_t plen = strlen(parent->name);

	if (f->label != PROTOBUF_C_LABEL_REPEATED ||
	    f->type != PROTOBUF_C_TYPE_MESSAGE || e == NULL || e->n_fields != 2)
		return false;
	k = protobuf_c_message_descriptor_get_field(e, 1);
	v = protobuf_c_message_descriptor_get_field(e, 2);
	if (k == NULL || v == NULL || strcmp(k->name, "key") != 0 ||
	    strcmp(v->name, "value") != 0 ||
	    k->label == PROTOBUF_C_LABEL_REPEATED ||
	    v->label == PROTOBUF_C_LABEL_REPEATED)
		return false;
	if (strncmp(e->name, parent->name, plen) != 0 || e->name[plen] != '.')
		return false;
	return camel_eq(e->name + plen + 1, f->name, true, "Entry");
}

/* --- field storage --- */

static size_t
elem_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return 4;
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

static void *
member(const void *msg, unsigned offset)
{
	return (char *)(uintptr_t)msg + offset;
}

bool
lz_json_field_present(const ProtobufCFieldDescriptor *f,
		      const ProtobufCMessage *m)
{
	const void *p = member(m, f->offset);

	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)member(m, f->quantifier_offset) ==
		       f->id;
	if (f->type == PROTOBUF_C_TYPE_MESSAGE)
		return *(void *const *)p != NULL;
	if (f->label == PROTOBUF_C_LABEL_REQUIRED)
		return true;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
		if (f->type == PROTOBUF_C_TYPE_STRING)
			return *(void *const *)p != NULL &&
			       *(void *const *)p != f->default_value;
		return *(const protobuf_c_boolean *)member(
			m, f->quantifier_offset);
	}
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return *(const uint32_t *)p != 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return *(const uint64_t *)p != 0;
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const float *)p != 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)p != 0;
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)p != 0;
	case PROTOBUF_C_TYPE_ENUM:
		return *(const int *)p != 0;
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return s != NULL && s[0] != '\0';
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len > 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		break;
	}
	return false;
}

/* Records that the singular field F of M was set from JSON. */
static void
mark_present(const ProtobufCFieldDescriptor *f, ProtobufCMessage *m)
{
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		*(uint32_t *)member(m, f->quantifier_offset) = f->id;
	else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
		 f->type != PROTOBUF_C_TYPE_MESSAGE &&
		 f->type != PROTOBUF_C_TYPE_STRING)
		*(protobuf_c_boolean *)member(m, f->quantifier_offset) = 1;
}

/* --- base64 --- */

static char *
b64_encode(const uint8_t *data, size_t len, size_t *outlen)
{
	char *out = xmalloc((len + 2) / 3 * 4 + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)data[i + 1] << 8;
		if (left > 2)
			v |= data[i + 2];
		out[n++] = b64_alphabet[(v >> 18) & 63];
		out[n++] = b64_alphabet[(v >> 12) & 63];
		out[n++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[n++] = left > 2 ? b64_alphabet[v & 63] : '=';
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

static int
b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Decodes standard or URL-safe base64, padded or not.  Returns 0, or -1
 * with a reason in *WHY.  *OUT is NULL when the result is empty.  Bits
 * left over after the last byte are ignored (RFC 4648 allows it). */
static int
b64_decode(const char *s, size_t len, uint8_t **out, size_t *outlen,
	   const char **why)
{
	size_t pad = 0, n, i, o = 0;
	uint8_t *buf;
	uint32_t v = 0;

	while (len > 0 && s[len - 1] == '=') {
		len--;
		pad++;
	}
	n = len;
	for (i = 0; i < n; i++) {
		if (b64_value(s[i]) < 0) {
			*why = "invalid character";
			return -1;
		}
	}
	if (pad > 0 && ((n + pad) % 4 != 0 || pad > 2)) {
		*why = "bad padding";
		return -1;
	}
	if (n % 4 == 1) {
		*why = "truncated";
		return -1;
	}
	*out = NULL;
	*outlen = 0;
	if (n == 0)
		return 0;
	buf = xmalloc(n / 4 * 3 + 2);
	for (i = 0; i < n; i++) {
		v = (v << 6) | (uint32_t)b64_value(s[i]);
		if (i % 4 == 3) {
			buf[o++] = (uint8_t)(v >> 16);
			buf[o++] = (uint8_t)(v >> 8);
			buf[o++] = (uint8_t)v;
			v = 0;
		}
	}
	if (n % 4 == 2) {
		buf[o++] = (uint8_t)(v >> 4);
	} else if (n % 4 == 3) {
		buf[o++] = (uint8_t)(v >> 10);
		buf[o++] = (uint8_t)(v >> 2);
	}
	*out = buf;
	*outlen = o;
	return 0;
}

/* --- message to JSON --- */

static json_t *enc_message(struct ctx *c, const ProtobufCMessageDescriptor *d,
			   const ProtobufCMessage *m);

static json_t *
enc_double(double d)
{
	if (isnan(d))
		return must(json_string("NaN"));
	if (isinf(d))
		return must(json_string(d > 0 ? "Infinity" : "-Infinity"));
	/* Integral values print as integers ("3", not "3.0"), as protoc's
	 * JSON printer does; -0 stays a real to keep its sign. */
	if (d == trunc(d) && fabs(d) < EXACT_INT_LIMIT &&
	    !(d == 0 && signbit(d)))
		return must(json_integer((json_int_t)d));
	return must(json_real(d));
}

/* A float is written as the double nearest to its shortest decimal form
 * (0.1f as 0.1, not 0.100000001490116), which reads back as the same
 * float. */
static json_t *
enc_float(float f)
{
	char buf[32];
	double d = f;

	if (isfinite(f)) {
		for (int prec = 1; prec <= 9; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, (double)f);
			if ((float)strtod(buf, NULL) == f) {
				d = strtod(buf, NULL);
				break;
			}
		}
	}
	return enc_double(d);
}

static json_t *
enc_value(struct ctx *c, const ProtobufCFieldDescriptor *f, const void *p)
{
	char buf[32];

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return must(json_integer(*(const int32_t *)p));
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return must(json_integer(*(const uint32_t *)p));
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		snprintf(buf, sizeof(buf), "%" PRId64, *(const int64_t *)p);
		return must(json_string(buf));
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		snprintf(buf, sizeof(buf), "%" PRIu64, *(const uint64_t *)p);
		return must(json_string(buf));
	case PROTOBUF_C_TYPE_FLOAT:
		return enc_float(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return enc_double(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return must(json_boolean(*(const protobuf_c_boolean *)p));
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(f->descriptor, v);

		if (ev != NULL)
			return must(json_string(ev->name));
		return must(json_integer(v));
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;
		json_t *j = json_string(s != NULL ? s : "");

		if (j == NULL)
			fail(c, "string is not valid UTF-8");
		return j;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		size_t n;
		char *s = b64_encode(b->data, b->len, &n);
		json_t *j = must(json_stringn_nocheck(s, n));

		free(s);
		return j;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		return enc_message(c, f->descriptor,
				   *(const ProtobufCMessage *const *)p);
	}
	fail(c, "unsupported field type %d", (int)f->type);
	return NULL;
}

/* Writes the key of map entry E as a JSON object key into BUF. */
static const char *
map_key(const ProtobufCFieldDescriptor *kf, const void *p, char *buf,
	size_t len)
{
	switch (kf->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return s != NULL ? s : "";
	}
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)p ? "true" : "false";
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		snprintf(buf, len, "%" PRId32, *(const int32_t *)p);
		return buf;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		snprintf(buf, len, "%" PRIu32, *(const uint32_t *)p);
		return buf;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		snprintf(buf, len, "%" PRId64, *(const int64_t *)p);
		return buf;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)p);
		return buf;
	default:
		return NULL;
	}
}

static json_t *
enc_map(struct ctx *c, const ProtobufCFieldDescriptor *f,
	ProtobufCMessage *const *entries, size_t n)
{
	const ProtobufCFieldDescriptor *kf, *vf;
	json_t *obj = must(json_object());
	char buf[32];

	kf = protobuf_c_message_descriptor_get_field(f->descriptor, 1);
	vf = protobuf_c_message_descriptor_get_field(f->descriptor, 2);
	/* Later entries win, as when protobuf parses duplicate keys. */
	for (size_t i = 0; i < n; i++) {
		const ProtobufCMessage *e = entries[i];
		const char *key;
		json_t *v;
		size_t old;

		if (e == NULL)
			continue;
		key = map_key(kf, member(e, kf->offset), buf, sizeof(buf));
		if (key == NULL) {
			fail(c, "unsupported map key type %s",
			     type_name(kf->type));
			goto fail_obj;
		}
		old = path_push(c, "[\"%s\"]", key);
		v = enc_value(c, vf, member(e, vf->offset));
		if (v == NULL)
			goto fail_obj;
		if (json_object_set_new(obj, key, v) < 0) {
			fail(c, "map key is not valid UTF-8");
			goto fail_obj;
		}
		path_pop(c, old);
	}
	return obj;

fail_obj:
	json_decref(obj);
	return NULL;
}

static json_t *
enc_repeated(struct ctx *c, const ProtobufCFieldDescriptor *f, const void *arr,
	     size_t n)
{
	json_t *a = must(json_array());
	size_t es = elem_size(f);

	for (size_t i = 0; i < n; i++) {
		size_t old = path_push(c, "[%zu]", i);
		json_t *v = enc_value(c, f, (const char *)arr + i * es);

		if (v == NULL) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, v);
		path_pop(c, old);
	}
	return a;
}

/* Returns M (of type D; NULL means empty) as a JSON object, or NULL after
 * fail(). */
static json_t *
enc_message(struct ctx *c, const ProtobufCMessageDescriptor *d,
	    const ProtobufCMessage *m)
{
	json_t *obj;

	if (c->depth >= LZ_JSON_MAX_DEPTH) {
		fail(c, "messages nested deeper than %d", LZ_JSON_MAX_DEPTH);
		return NULL;
	}
	obj = must(json_object());
	if (m == NULL)
		return obj;
	c->depth++;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char *name;
		json_t *v;
		size_t old;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			if (*(const size_t *)member(m, f->quantifier_offset) ==
			    0)
				continue;
		} else if (!lz_json_field_present(f, m)) {
			continue;
		}
		name = json_name(f);
		old = path_push(c, ".%s", name);
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			v = enc_value(c, f, member(m, f->offset));
		} else {
			size_t n = *(const size_t *)member(
				m, f->quantifier_offset);
			const void *arr = *(void *const *)member(m, f->offset);

			if (is_map(d, f))
				v = enc_map(c, f, arr, n);
			else
				v = enc_repeated(c, f, arr, n);
		}
		path_pop(c, old);
		if (v == NULL) {
			free(name);
			json_decref(obj);
			return NULL;
		}
		json_object_set_new(obj, name, v);
		free(name);
	}
	c->depth--;
	return obj;
}

static json_t *
from_message(const ProtobufCMessage *msg, char *err, size_t errlen)
{
	struct ctx c;
	json_t *j;

	ctx_init(&c, err, errlen);
	j = enc_message(&c, msg->descriptor, msg);
	ctx_release(&c);
	return j;
}

json_t *
lz_json_from_message(const ProtobufCMessage *msg)
{
	return from_message(msg, NULL, 0);
}

/* --- JSON to message --- */

static int dec_message(struct ctx *c, const ProtobufCMessageDescriptor *d,
		       const json_t *in, ProtobufCMessage *m);

/* Reads a decimal integer string: optional '-', then digits only. */
static int
parse_int_str(const char *s, struct num *out, bool *overflow)
{
	uint64_t mag = 0;

	*overflow = false;
	out->neg = *s == '-';
	if (out->neg)
		s++;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (mag > (UINT64_MAX - d) / 10)
			*overflow = true;
		else
			mag = mag * 10 + d;
	}
	out->mag = mag;
	return 0;
}

/* Whether N fits the integer type T; stores it at P if so. */
static bool
store_int(ProtobufCType t, const struct num *n, void *p)
{
	uint64_t m = n->mag;

	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		if (n->neg ? m > (uint64_t)INT32_MAX + 1 : m > INT32_MAX)
			return false;
		*(int32_t *)p = n->neg ? (int32_t)(0 - m) : (int32_t)m;
		return true;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		if (n->neg ? m > (uint64_t)INT64_MAX + 1 : m > INT64_MAX)
			return false;
		*(int64_t *)p = n->neg ? (int64_t)(0 - m) : (int64_t)m;
		return true;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if ((n->neg && m != 0) || m > UINT32_MAX)
			return false;
		*(uint32_t *)p = (uint32_t)m;
		return true;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		if (n->neg && m != 0)
			return false;
		*(uint64_t *)p = m;
		return true;
	default:
		return false;
	}
}

/* Reads an integer of type T (a number, or a decimal string) into P. */
static int
dec_int(struct ctx *c, ProtobufCType t, const json_t *v, void *p)
{
	struct num n = {false, 0};
	bool overflow = false;
	char text[96];

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		n.neg = i < 0;
		n.mag = n.neg ? 0 - (uint64_t)i : (uint64_t)i;
	} else if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != trunc(d)) {
			value_text(v, text, sizeof(text));
			return fail(c, "non-integral number %s for %s", text,
				    type_name(t));
		}
		n.neg = d < 0;
		if (fabs(d) >= UINT64_LIMIT)
			overflow = true;
		else
			n.mag = (uint64_t)fabs(d);
	} else if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v) ||
		    parse_int_str(json_string_value(v), &n, &overflow) < 0) {
			value_text(v, text, sizeof(text));
			return fail(c, "invalid integer %s for %s", text,
				    type_name(t));
		}
	} else {
		return fail(c, "expected %s (number or string), got %s",
			    type_name(t), json_type_name(v));
	}
	if (overflow || !store_int(t, &n, p)) {
		value_text(v, text, sizeof(text));
		return fail(c, "value %s out of range for %s", text,
			    type_name(t));
	}
	return 0;
}

/* Whether S looks like a JSON number: -?digits[.digits][e[+-]digits]. */
static bool
is_number_text(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* Reads a float or double: a number, "NaN", "Infinity", "-Infinity", or
 * a number in a string. */
static int
dec_double(struct ctx *c, ProtobufCType t, const json_t *v, double *out)
{
	char text[96];

	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
	} else if (json_is_real(v)) {
		*out = json_real_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (strcmp(s, "NaN") == 0) {
			*out = NAN;
		} else if (strcmp(s, "Infinity") == 0) {
			*out = INFINITY;
		} else if (strcmp(s, "-Infinity") == 0) {
			*out = -INFINITY;
		} else if (strlen(s) == json_string_length(v) &&
			   is_number_text(s)) {
			*out = strtod(s, NULL);
			if (isinf(*out))
				goto range;
		} else {
			value_text(v, text, sizeof(text));
			return fail(c, "invalid number %s for %s", text,
				    type_name(t));
		}
	} else {
		return fail(c, "expected %s (number or string), got %s",
			    type_name(t), json_type_name(v));
	}
	/* Doubles below FLT_MAX + half an ulp round to FLT_MAX, so that
	 * FLT_MAX written in 9 digits (3.40282347e+38) reads back. */
	if (t == PROTOBUF_C_TYPE_FLOAT && isfinite(*out) &&
	    fabs(*out) >= FLOAT_LIMIT)
		goto range;
	return 0;

range:
	value_text(v, text, sizeof(text));
	return fail(c, "value %s out of range for %s", text, type_name(t));
}

static int
dec_enum(struct ctx *c, const ProtobufCFieldDescriptor *f, const json_t *v,
	 void *p)
{
	const ProtobufCEnumDescriptor *ed = f->descriptor;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value_by_name(ed, s);

		if (ev == NULL || strlen(s) != json_string_length(v))
			return fail(c, "unknown value \"%.64s\" for enum %s", s,
				    ed->name);
		*(int *)p = ev->value;
		return 0;
	}
	if (json_is_number(v)) {
		int32_t i;
		int rc = dec_int(c, PROTOBUF_C_TYPE_ENUM, v, &i);

		if (rc == 0)
			*(int *)p = i;
		return rc;
	}
	return fail(c, "expected enum %s (name or number), got %s", ed->name,
		    json_type_name(v));
}

/* Reads one value of field F from V into the storage at P (a struct
 * member or an array slot, which holds its zero or default value).  A
 * submessage is stored at P before it is filled, so that on error the
 * caller's message still owns it. */
static int
dec_value(struct ctx *c, const ProtobufCFieldDescriptor *f, const json_t *v,
	  void *p)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return dec_int(c, f->type, v, p);
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		double d = 0;
		int rc = dec_double(c, f->type, v, &d);

		if (rc < 0)
			return rc;
		if (f->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)p = (float)d;
		else
			*(double *)p = d;
		return 0;
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return fail(c, "expected boolean, got %s",
				    json_type_name(v));
		*(protobuf_c_boolean *)p = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		return dec_enum(c, f, v, p);
	case PROTOBUF_C_TYPE_STRING: {
		size_t len;

		if (!json_is_string(v))
			return fail(c, "expected string, got %s",
				    json_type_name(v));
		len = json_string_length(v);
		if (memchr(json_string_value(v), '\0', len) != NULL)
			return fail(c, "string contains a NUL character");
		*(char **)p = xstrndup(json_string_value(v), len);
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = p;
		const char *why = NULL;

		if (!json_is_string(v))
			return fail(c, "expected base64 string, got %s",
				    json_type_name(v));
		if (b64_decode(json_string_value(v), json_string_length(v),
			       &b->data, &b->len, &why) < 0)
			return fail(c, "invalid base64 (%s)", why);
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessageDescriptor *d = f->descriptor;
		ProtobufCMessage *sub;

		if (!json_is_object(v))
			return fail(c, "expected object for %s, got %s",
				    d->name, json_type_name(v));
		sub = xmalloc(d->sizeof_message);
		protobuf_c_message_init(d, sub);
		*(ProtobufCMessage **)p = sub;
		return dec_message(c, d, v, sub);
	}
	}
	return fail(c, "unsupported field type %d", (int)f->type);
}

/* Reads a map key (a JSON object key) of field KF into P. */
static int
dec_map_key(struct ctx *c, const ProtobufCFieldDescriptor *kf, const char *key,
	    size_t keylen, void *p)
{
	struct num n;
	bool overflow;

	if (strlen(key) != keylen)
		return fail(c, "map key contains a NUL character");
	switch (kf->type) {
	case PROTOBUF_C_TYPE_STRING:
		*(char **)p = xstrdup(key);
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (strcmp(key, "true") == 0)
			*(protobuf_c_boolean *)p = 1;
		else if (strcmp(key, "false") == 0)
			*(protobuf_c_boolean *)p = 0;
		else
			break;
		return 0;
	default:
		if (parse_int_str(key, &n, &overflow) < 0)
			break;
		if (overflow || !store_int(kf->type, &n, p))
			return fail(c, "map key \"%.64s\" out of range for %s",
				    key, type_name(kf->type));
		return 0;
	}
	return fail(c, "invalid map key \"%.64s\" for %s", key,
		    type_name(kf->type));
}

static int
dec_map(struct ctx *c, const ProtobufCFieldDescriptor *f, const json_t *v,
	ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *ed = f->descriptor;
	const ProtobufCFieldDescriptor *kf, *vf;
	json_t *obj = (json_t *)(uintptr_t)v; /* jansson iterators: no const */
	ProtobufCMessage **arr;
	size_t *count = member(m, f->quantifier_offset);

	if (!json_is_object(v))
		return fail(c, "expected object (map), got %s",
			    json_type_name(v));
	kf = protobuf_c_message_descriptor_get_field(ed, 1);
	vf = protobuf_c_message_descriptor_get_field(ed, 2);
	arr = xcalloc(json_object_size(v), sizeof(*arr));
	*(ProtobufCMessage ***)member(m, f->offset) = arr;
	*count = 0;
	for (void *it = json_object_iter(obj); it != NULL;
	     it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		const json_t *val = json_object_iter_value(it);
		ProtobufCMessage *e;
		size_t old;
		int rc;

		e = xmalloc(ed->sizeof_message);
		protobuf_c_message_init(ed, e);
		arr[(*count)++] = e;
		old = path_push(c, "[\"%s\"]", key);
		rc = dec_map_key(c, kf, key, json_object_iter_key_len(it),
				 member(e, kf->offset));
		if (rc < 0)
			return rc;
		mark_present(kf, e);
		if (json_is_null(val))
			return fail(c, "null is not allowed as a map value");
		rc = dec_value(c, vf, val, member(e, vf->offset));
		if (rc < 0)
			return rc;
		mark_present(vf, e);
		path_pop(c, old);
	}
	return 0;
}

static int
dec_repeated(struct ctx *c, const ProtobufCFieldDescriptor *f, const json_t *v,
	     ProtobufCMessage *m)
{
	size_t es = elem_size(f), n;
	size_t *count = member(m, f->quantifier_offset);
	char *arr;

	if (!json_is_array(v))
		return fail(c, "expected array, got %s", json_type_name(v));
	n = json_array_size(v);
	arr = xcalloc(n, es);
	*(void **)member(m, f->offset) = arr;
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		size_t old = path_push(c, "[%zu]", i);
		int rc;

		if (json_is_null(e))
			return fail(c, "null is not allowed in an array");
		rc = dec_value(c, f, e, arr + i * es);
		/* Counted even on error: a slot is zero or owns what it
		 * points to, and free_unpacked must see it. */
		(*count)++;
		if (rc < 0)
			return rc;
		path_pop(c, old);
	}
	return 0;
}

/* Fills M (of type D, initialised) from the JSON object IN. */
static int
dec_message(struct ctx *c, const ProtobufCMessageDescriptor *d,
	    const json_t *in, ProtobufCMessage *m)
{
	json_t *obj = (json_t *)(uintptr_t)in; /* jansson iterators: no const */
	const char **seen;
	int rc = 0;

	if (!json_is_object(in))
		return fail(c, "expected object for %s, got %s", d->name,
			    json_type_name(in));
	if (c->depth >= LZ_JSON_MAX_DEPTH)
		return fail(c, "messages nested deeper than %d",
			    LZ_JSON_MAX_DEPTH);
	c->depth++;
	/* The JSON key that set each field, to refuse a field given twice
	 * (by JSON and proto name) or two members of one oneof. */
	seen = xcalloc(d->n_fields, sizeof(*seen));
	for (void *it = json_object_iter(obj); it != NULL;
	     it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		const json_t *v = json_object_iter_value(it);
		const ProtobufCFieldDescriptor *f = find_field(d, key);
		size_t idx, old;

		if (f == NULL || strlen(key) != json_object_iter_key_len(it)) {
			rc = fail(c, "unknown field \"%.64s\"", key);
			goto out;
		}
		idx = (size_t)(f - d->fields);
		if (seen[idx] != NULL) {
			rc = fail(c,
				  "field \"%s\" given twice (\"%s\", \"%s\")",
				  f->name, seen[idx], key);
			goto out;
		}
		seen[idx] = key;
		if (json_is_null(v))
			continue;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t cur =
				*(uint32_t *)member(m, f->quantifier_offset);

			if (cur != 0) {
				const ProtobufCFieldDescriptor *o =
					protobuf_c_message_descriptor_get_field(
						d, cur);

				rc = fail(
					c,
					"fields \"%s\" and \"%s\" are members "
					"of the same oneof",
					o != NULL ? seen[o - d->fields] : "?",
					key);
				goto out;
			}
		}
		old = path_push(c, ".%s", key);
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			if (is_map(d, f))
				rc = dec_map(c, f, v, m);
			else
				rc = dec_repeated(c, f, v, m);
		} else {
			void *p = member(m, f->offset);

			rc = dec_value(c, f, v, p);
			/* A oneof submessage stored before an error must be
			 * marked, or free_unpacked would not free it. */
			if (rc == 0 || (f->type == PROTOBUF_C_TYPE_MESSAGE &&
					*(ProtobufCMessage **)p != NULL))
				mark_present(f, m);
		}
		if (rc < 0)
			goto out;
		path_pop(c, old);
	}
	c->depth--;
out:
	free(seen);
	return rc;
}

int
lz_json_to_message(const ProtobufCMessageDescriptor *desc, const json_t *in,
		   ProtobufCMessage **out, char *err, size_t errlen)
{
	struct ctx c;
	ProtobufCMessage *m;
	int rc;

	*out = NULL;
	ctx_init(&c, err, errlen);
	if (in == NULL) {
		rc = fail(&c, "no JSON value");
		goto out_ctx;
	}
	m = xmalloc(desc->sizeof_message);
	protobuf_c_message_init(desc, m);
	rc = dec_message(&c, desc, in, m);
	if (rc < 0) {
		protobuf_c_message_free_unpacked(m, NULL);
		goto out_ctx;
	}
	*out = m;
out_ctx:
	ctx_release(&c);
	return rc;
}

int
lz_json_encode_bytes(const ProtobufCMessageDescriptor *desc,
		     const uint8_t *data, size_t len, json_t **out, char *err,
		     size_t errlen)
{
	ProtobufCMessage *m;

	*out = NULL;
	m = protobuf_c_message_unpack(desc, NULL, len, data);
	if (m == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "cannot decode %s", desc->name);
		return -EBADMSG;
	}
	*out = from_message(m, err, errlen);
	protobuf_c_message_free_unpacked(m, NULL);
	return *out != NULL ? 0 : -EINVAL;
}

int
lz_json_decode_bytes(const ProtobufCMessageDescriptor *desc, const json_t *in,
		     uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	ProtobufCMessage *m;
	int rc;

	*out = NULL;
	*outlen = 0;
	rc = lz_json_to_message(desc, in, &m, err, errlen);
	if (rc < 0)
		return rc;
	*outlen = protobuf_c_message_get_packed_size(m);
	*out = xmalloc(*outlen);
	protobuf_c_message_pack(m, *out);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
