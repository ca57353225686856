/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_json.c -- lz_json (protobuf <-> JSON) and lz_registry.
 */
#include "lz_evjson.h"
#include "lz_json.h"
#include "lz_registry.h"
#include "lz_test.h"
#include "lz_util.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lz/bus/v1/bus.pb-c.h"
#include "lz/testing/v1/json_test.pb-c.h"

typedef Lz__Testing__V1__JsonAll All;
typedef Lz__Testing__V1__JsonLine Line;
#define ALL_INIT LZ__TESTING__V1__JSON_ALL__INIT
#define LINE_INIT LZ__TESTING__V1__JSON_LINE__INIT
#define ALL_DESC (&lz__testing__v1__json_all__descriptor)
#define LINE_DESC (&lz__testing__v1__json_line__descriptor)
#define RED LZ__TESTING__V1__JSON_COLOR__JSON_COLOR_RED
#define GREEN LZ__TESTING__V1__JSON_COLOR__JSON_COLOR_GREEN
#define BLUE LZ__TESTING__V1__JSON_COLOR__JSON_COLOR_BLUE

/* The JSON of MSG as compact text with sorted keys, or "(null)" if it
 * cannot be mapped.  Returns a static buffer. */
static const char *
text_of(const ProtobufCMessage *msg)
{
	static char buf[4096];
	json_t *j = lz_json_from_message(msg);
	char *s;

	if (j == NULL)
		return "(null)";
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "(dump failed)");
	free(s);
	json_decref(j);
	return buf;
}

static json_t *
parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);

	if (j == NULL)
		printf("# test JSON does not parse: %s: %s\n", text, e.text);
	return j;
}

/* Decodes TEXT as DESC; returns the message (caller frees) or NULL with
 * the error in ERR. */
static ProtobufCMessage *
decode(const ProtobufCMessageDescriptor *desc, const char *text, char *err,
       size_t errlen)
{
	json_t *j = parse(text);
	ProtobufCMessage *m = NULL;
	int rc;

	snprintf(err, errlen, "test JSON does not parse");
	if (j == NULL)
		return NULL;
	rc = lz_json_to_message(desc, j, &m, err, errlen);
	json_decref(j);
	if (rc == 0)
		snprintf(err, errlen, "%s",
			 err[0] == '\0' ? "OK" : "rc 0 with error");
	if (rc == 0 && m == NULL)
		snprintf(err, errlen, "rc 0 but no message");
	if (rc != 0 && (rc != -EINVAL || m != NULL))
		snprintf(err, errlen, "bad rc %d or message set on error", rc);
	return m;
}

/* The error message decoding TEXT as DESC gives ("OK" if none). */
static const char *
error_of(const ProtobufCMessageDescriptor *desc, const char *text)
{
	static char err[512];
	ProtobufCMessage *m = decode(desc, text, err, sizeof(err));

	protobuf_c_message_free_unpacked(m, NULL);
	return err;
}

/* Decodes TEXT as DESC and re-encodes it: the canonical form. */
static const char *
canon(const ProtobufCMessageDescriptor *desc, const char *text)
{
	static char buf[4096];
	char err[512];
	ProtobufCMessage *m = decode(desc, text, err, sizeof(err));

	if (m == NULL) {
		snprintf(buf, sizeof(buf), "error: %s", err);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", text_of(m));
	protobuf_c_message_free_unpacked(m, NULL);
	return buf;
}

/* Whether A and B pack to the same bytes. */
static int
same_packed(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t la = protobuf_c_message_get_packed_size(a);
	size_t lb = protobuf_c_message_get_packed_size(b);
	uint8_t *pa = xmalloc(la), *pb = xmalloc(lb);
	int same;

	protobuf_c_message_pack(a, pa);
	protobuf_c_message_pack(b, pb);
	same = la == lb && memcmp(pa, pb, la) == 0;
	free(pa);
	free(pb);
	return same;
}

/* MSG -> JSON -> text -> JSON -> message must pack to the same bytes. */
static void
check_round_trip(const ProtobufCMessage *msg)
{
	json_t *j = lz_json_from_message(msg), *j2;
	ProtobufCMessage *back = NULL;
	char err[512] = "", *text;
	int rc;

	CHECK(j != NULL);
	if (j == NULL)
		return;
	text = json_dumps(j, JSON_COMPACT);
	j2 = json_loads(text, 0, NULL);
	CHECK(j2 != NULL);
	rc = lz_json_to_message(msg->descriptor, j2, &back, err, sizeof(err));
	CHECK_EQ_STR(rc == 0 ? "OK" : err, "OK");
	if (rc == 0) {
		int same = same_packed(msg, back);

		CHECK(same);
		if (!same)
			printf("# round trip differs: %s\n", text);
	}
	protobuf_c_message_free_unpacked(back, NULL);
	json_decref(j2);
	free(text);
	json_decref(j);
}

static void
test_registry(void)
{
	size_t n = lz_registry_count();

	CHECK(lz_registry_find("lz.bus.v1.Envelope") ==
	      &lz__bus__v1__envelope__descriptor);
	CHECK(lz_registry_find("lz.testing.v1.JsonAll") == ALL_DESC);
	CHECK(lz_registry_find("lz.testing.v1.JsonAll.CountsEntry") ==
	      &lz__testing__v1__json_all__counts_entry__descriptor);
	CHECK(lz_registry_find("lz.bus.v1.Nope") == NULL);
	CHECK(lz_registry_find("lz.bus.v1") == NULL);
	CHECK(lz_registry_find(".lz.bus.v1.Envelope") == NULL);
	CHECK(lz_registry_find("") == NULL);
	CHECK(lz_registry_find(NULL) == NULL);
	CHECK(n >= 15);
	for (size_t i = 0; i < n; i++) {
		const ProtobufCMessageDescriptor *d = lz_registry_at(i);

		CHECK(d != NULL && lz_registry_find(d->name) == d);
	}
	CHECK(lz_registry_at(n) == NULL);
	CHECK(lz_registry_at(SIZE_MAX) == NULL);
}

static void
test_field_name(void)
{
	char buf[16];

	CHECK_EQ_INT(lz_json_field_name("line_map", buf, sizeof(buf)), 7);
	CHECK_EQ_STR(buf, "lineMap");
	lz_json_field_name("r_i32", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "rI32");
	lz_json_field_name("event_id", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "eventId");
	lz_json_field_name("a__b_", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "aB");
	lz_json_field_name("seq", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "seq");
	CHECK_EQ_INT(lz_json_field_name("timestamp_us", buf, 5), 11);
	CHECK_EQ_STR(buf, "time");
	CHECK_EQ_INT(lz_json_field_name("x_y", NULL, 0), 2);
}

static void
test_scalars_exact(void)
{
	All m = ALL_INIT;
	Line line = LINE_INIT;
	uint8_t blob[] = {0xfb, 0xff, 0x00};

	CHECK_EQ_STR(text_of(&m.base), "{}");
	m.i32 = -7;
	m.i64 = -8;
	m.u32 = 4294967295u;
	m.u64 = UINT64_MAX;
	m.s32 = -9;
	m.s64 = INT64_MIN;
	m.f32 = 10;
	m.f64 = 11;
	m.sf32 = -12;
	m.sf64 = INT64_MAX;
	m.flt = 1.5f;
	m.dbl = -2.25;
	m.flag = 1;
	m.text = "h\xc3\xa9 \"q\"";
	m.blob.data = blob;
	m.blob.len = sizeof(blob);
	m.color = BLUE;
	line.sku = "A-1";
	line.qty = 3;
	m.line = &line;
	CHECK_EQ_STR(text_of(&m.base),
		     "{\"blob\":\"+/8A\",\"color\":\"JSON_COLOR_BLUE\","
		     "\"dbl\":-2.25,\"f32\":10,\"f64\":\"11\",\"flag\":true,"
		     "\"flt\":1.5,\"i32\":-7,\"i64\":\"-8\","
		     "\"line\":{\"qty\":3,\"sku\":\"A-1\"},"
		     "\"s32\":-9,\"s64\":\"-9223372036854775808\","
		     "\"sf32\":-12,\"sf64\":\"9223372036854775807\","
		     "\"text\":\"h\xc3\xa9 \\\"q\\\"\",\"u32\":4294967295,"
		     "\"u64\":\"18446744073709551615\"}");
	check_round_trip(&m.base);
}

static void
test_presence(void)
{
	All m = ALL_INIT;
	Line empty = LINE_INIT;
	Lz__Bus__V1__Envelope env = LZ__BUS__V1__ENVELOPE__INIT;
	uint8_t payload[] = {8, 1};

	/* Set submessages and oneof members are written even when empty or
	 * zero; implicit-presence fields are not. */
	m.line = &empty;
	m.choice_case = LZ__TESTING__V1__JSON_ALL__CHOICE_CHOICE_NUM;
	m.choice_num = 0;
	m.text = "";
	m.dbl = -0.0;
	CHECK_EQ_STR(text_of(&m.base), "{\"choiceNum\":\"0\",\"line\":{}}");
	check_round_trip(&m.base);
	m.choice_case = LZ__TESTING__V1__JSON_ALL__CHOICE_CHOICE_TEXT;
	m.choice_text = "";
	CHECK_EQ_STR(text_of(&m.base), "{\"choiceText\":\"\",\"line\":{}}");
	check_round_trip(&m.base);
	m.choice_case = LZ__TESTING__V1__JSON_ALL__CHOICE_CHOICE_COLOR;
	m.choice_color = 0;
	CHECK_EQ_STR(text_of(&m.base),
		     "{\"choiceColor\":\"JSON_COLOR_UNSPECIFIED\","
		     "\"line\":{}}");
	check_round_trip(&m.base);
	m.choice_case = LZ__TESTING__V1__JSON_ALL__CHOICE_CHOICE_BLOB;
	m.choice_blob.len = 0;
	m.choice_blob.data = NULL;
	CHECK_EQ_STR(text_of(&m.base), "{\"choiceBlob\":\"\",\"line\":{}}");
	check_round_trip(&m.base);
	m.choice_case = LZ__TESTING__V1__JSON_ALL__CHOICE_CHOICE_LINE;
	m.choice_line = &empty;
	m.line = NULL;
	CHECK_EQ_STR(text_of(&m.base), "{\"choiceLine\":{}}");
	check_round_trip(&m.base);

	/* A real schema, with snake_case names. */
	env.event_id = "e1";
	env.seq = 1;
	env.timestamp_us = 1700000000000000;
	env.type = "lz.testing.v1.Tick";
	env.payload.data = payload;
	env.payload.len = sizeof(payload);
	CHECK_EQ_STR(text_of(&env.base),
		     "{\"eventId\":\"e1\",\"payload\":\"CAE=\",\"seq\":\"1\","
		     "\"timestampUs\":\"1700000000000000\","
		     "\"type\":\"lz.testing.v1.Tick\"}");
	check_round_trip(&env.base);
	CHECK_EQ_STR(canon(&lz__bus__v1__envelope__descriptor,
			   "{\"event_id\":\"e1\",\"timestamp_us\":5,"
			   "\"correlationId\":\"c\"}"),
		     "{\"correlationId\":\"c\",\"eventId\":\"e1\","
		     "\"timestampUs\":\"5\"}");
}

static void
test_repeated_and_maps(void)
{
	All m = ALL_INIT;
	int32_t ri32[] = {1, -2, INT32_MIN};
	int64_t ri64[] = {INT64_MIN, 0, INT64_MAX};
	uint64_t ru64[] = {0, UINT64_MAX};
	double rdbl[] = {0.5, -0.0, NAN, INFINITY, -INFINITY, 1e300};
	float rflt[] = {0.1f, FLT_MAX, -FLT_MIN, 3.0f};
	protobuf_c_boolean rflag[] = {1, 0};
	char *rtext[] = {"", "x", "\xe2\x82\xac"};
	uint8_t b1[] = {'f'}, b2[] = {'f', 'o', 'o', 'b'};
	ProtobufCBinaryData rblob[] = {{0, NULL}, {1, b1}, {4, b2}};
	int rcolor[] = {RED, 0, 99, BLUE};
	Line l0 = LINE_INIT, l1 = LINE_INIT, l2 = LINE_INIT;
	Line *lines[] = {&l0, &l1, &l2};
	int32_t rs32[] = {-1, 1};
	uint32_t rf32[] = {UINT32_MAX};
	Lz__Testing__V1__JsonAll__CountsEntry c0 =
		LZ__TESTING__V1__JSON_ALL__COUNTS_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__CountsEntry c1 =
		LZ__TESTING__V1__JSON_ALL__COUNTS_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__CountsEntry *counts[] = {&c0, &c1};
	Lz__Testing__V1__JsonAll__NamesEntry n0 =
		LZ__TESTING__V1__JSON_ALL__NAMES_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__NamesEntry n1 =
		LZ__TESTING__V1__JSON_ALL__NAMES_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__NamesEntry *names[] = {&n0, &n1};
	Lz__Testing__V1__JsonAll__LineMapEntry lm0 =
		LZ__TESTING__V1__JSON_ALL__LINE_MAP_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__LineMapEntry lm1 =
		LZ__TESTING__V1__JSON_ALL__LINE_MAP_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__LineMapEntry *line_map[] = {&lm0, &lm1};
	Lz__Testing__V1__JsonAll__FlagsEntry f0 =
		LZ__TESTING__V1__JSON_ALL__FLAGS_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__FlagsEntry f1 =
		LZ__TESTING__V1__JSON_ALL__FLAGS_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__FlagsEntry *flags[] = {&f0, &f1};
	Lz__Testing__V1__JsonAll__BlobsEntry bl0 =
		LZ__TESTING__V1__JSON_ALL__BLOBS_ENTRY__INIT;
	Lz__Testing__V1__JsonAll__BlobsEntry *blobs[] = {&bl0};

	l1.sku = "s";
	l2.child = &l1;
	m.n_r_i32 = 3, m.r_i32 = ri32;
	m.n_r_i64 = 3, m.r_i64 = ri64;
	m.n_r_u64 = 2, m.r_u64 = ru64;
	m.n_r_dbl = 6, m.r_dbl = rdbl;
	m.n_r_flt = 4, m.r_flt = rflt;
	m.n_r_flag = 2, m.r_flag = rflag;
	m.n_r_text = 3, m.r_text = rtext;
	m.n_r_blob = 3, m.r_blob = rblob;
	m.n_r_color = 4, m.r_color = (Lz__Testing__V1__JsonColor *)rcolor;
	m.n_lines = 3, m.lines = lines;
	m.n_r_s32 = 2, m.r_s32 = rs32;
	m.n_r_f32 = 1, m.r_f32 = rf32;
	CHECK_EQ_STR(
		text_of(&m.base),
		"{\"lines\":[{},{\"sku\":\"s\"},{\"child\":{\"sku\":\"s\"}}],"
		"\"rBlob\":[\"\",\"Zg==\",\"Zm9vYg==\"],"
		"\"rColor\":[\"JSON_COLOR_RED\",\"JSON_COLOR_UNSPECIFIED\","
		"99,\"JSON_COLOR_BLUE\"],"
		"\"rDbl\":[0.5,-0.0,\"NaN\",\"Infinity\",\"-Infinity\","
		"1.0000000000000001e300],"
		"\"rF32\":[4294967295],\"rFlag\":[true,false],"
		"\"rFlt\":[0.10000000000000001,3.4028234999999999e38,"
		"-1.1754944000000001e-38,3],"
		"\"rI32\":[1,-2,-2147483648],"
		"\"rI64\":[\"-9223372036854775808\",\"0\","
		"\"9223372036854775807\"],"
		"\"rS32\":[-1,1],\"rText\":[\"\",\"x\",\"\xe2\x82\xac\"],"
		"\"rU64\":[\"0\",\"18446744073709551615\"]}");
	check_round_trip(&m.base);

	c0.key = "a";
	c0.value = 1;
	c1.key = "";
	m.n_counts = 2, m.counts = counts;
	n0.key = -2;
	n0.value = "minus two";
	n1.key = 1;
	m.n_names = 2, m.names = names;
	lm0.key = "k";
	lm0.value = &l1;
	lm1.key = "e";
	/* An absent message value reads back as an empty one, which packs
	 * differently; both mean the same. */
	lm1.value = &l0;
	m.n_line_map = 2, m.line_map = line_map;
	f0.key = 1;
	f0.value = GREEN;
	f1.key = 0;
	m.n_flags = 2, m.flags = flags;
	bl0.key = UINT64_MAX;
	bl0.value.data = b1;
	bl0.value.len = 1;
	m.n_blobs = 1, m.blobs = blobs;
	m.n_r_i32 = m.n_r_i64 = m.n_r_u64 = m.n_r_dbl = m.n_r_flt = 0;
	m.n_r_flag = m.n_r_text = m.n_r_blob = m.n_r_color = m.n_lines = 0;
	m.n_r_s32 = m.n_r_f32 = 0;
	/* Map entries are written even with default keys and values. */
	CHECK_EQ_STR(text_of(&m.base),
		     "{\"blobs\":{\"18446744073709551615\":\"Zg==\"},"
		     "\"counts\":{\"\":\"0\",\"a\":\"1\"},"
		     "\"flags\":{\"false\":\"JSON_COLOR_UNSPECIFIED\","
		     "\"true\":\"JSON_COLOR_GREEN\"},"
		     "\"lineMap\":{\"e\":{},\"k\":{\"sku\":\"s\"}},"
		     "\"names\":{\"-2\":\"minus two\",\"1\":\"\"}}");
	check_round_trip(&m.base);

	/* Duplicate keys on the wire: the last entry wins. */
	c1.key = "a";
	c1.value = 2;
	CHECK_EQ_STR(text_of(&m.base),
		     "{\"blobs\":{\"18446744073709551615\":\"Zg==\"},"
		     "\"counts\":{\"a\":\"2\"},"
		     "\"flags\":{\"false\":\"JSON_COLOR_UNSPECIFIED\","
		     "\"true\":\"JSON_COLOR_GREEN\"},"
		     "\"lineMap\":{\"e\":{},\"k\":{\"sku\":\"s\"}},"
		     "\"names\":{\"-2\":\"minus two\",\"1\":\"\"}}");

	/* Input side: keys of every kind, proto names for map fields. */
	CHECK_EQ_STR(canon(ALL_DESC, "{\"line_map\":{\"x\":{\"qty\":\"4\"}},"
				     "\"names\":{\"-2147483648\":\"m\"},"
				     "\"flags\":{\"true\":2,\"false\":null}}"),
		     "error: null is not allowed as a map value at "
		     "$.flags[\"false\"]");
	CHECK_EQ_STR(canon(ALL_DESC, "{\"line_map\":{\"x\":{\"qty\":\"4\"}},"
				     "\"names\":{\"-2147483648\":\"m\"},"
				     "\"blobs\":{\"0\":\"\"},"
				     "\"flags\":{\"true\":2}}"),
		     "{\"blobs\":{\"0\":\"\"},"
		     "\"flags\":{\"true\":\"JSON_COLOR_GREEN\"},"
		     "\"lineMap\":{\"x\":{\"qty\":4}},"
		     "\"names\":{\"-2147483648\":\"m\"}}");
	CHECK_EQ_STR(
		canon(ALL_DESC, "{\"rI32\":[],\"counts\":{},\"lines\":[{}]}"),
		"{\"lines\":[{}]}");
}

static void
test_int_input(void)
{
	CHECK_EQ_STR(canon(ALL_DESC,
			   "{\"i64\":\"9223372036854775807\","
			   "\"s64\":\"-9223372036854775808\","
			   "\"sf64\":-9223372036854775808,"
			   "\"u64\":\"18446744073709551615\","
			   "\"f64\":\"00012\",\"i32\":\"-2147483648\","
			   "\"u32\":4294967295,\"f32\":1e3,"
			   "\"sf32\":-0.0,\"s32\":\"-0\","
			   "\"rI64\":[1,\"2\",3.0]}"),
		     "{\"f32\":1000,\"f64\":\"12\",\"i32\":-2147483648,"
		     "\"i64\":\"9223372036854775807\","
		     "\"rI64\":[\"1\",\"2\",\"3\"],"
		     "\"s64\":\"-9223372036854775808\","
		     "\"sf64\":\"-9223372036854775808\","
		     "\"u32\":4294967295,\"u64\":\"18446744073709551615\"}");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"u32\":4294967296}"),
		     "value 4294967296 out of range for uint32 at $.u32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"u32\":-1}"),
		     "value -1 out of range for uint32 at $.u32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"u64\":\"-1\"}"),
		     "value \"-1\" out of range for uint64 at $.u64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"f64\":-5}"),
		     "value -5 out of range for fixed64 at $.f64");
	CHECK_EQ_STR(
		error_of(ALL_DESC, "{\"u64\":\"18446744073709551616\"}"),
		"value \"18446744073709551616\" out of range for uint64 at "
		"$.u64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i64\":\"9223372036854775808\"}"),
		     "value \"9223372036854775808\" out of range for int64 at "
		     "$.i64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i64\":\"-9223372036854775809\"}"),
		     "value \"-9223372036854775809\" out of range for int64 at "
		     "$.i64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i64\":1e19}"),
		     "value 1e+19 out of range for int64 at $.i64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"u64\":1e20}"),
		     "value 1e+20 out of range for uint64 at $.u64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":2147483648}"),
		     "value 2147483648 out of range for int32 at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"sf32\":-2147483649}"),
		     "value -2147483649 out of range for sfixed32 at $.sf32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rS32\":[1,\"99999999999\"]}"),
		     "value \"99999999999\" out of range for sint32 at "
		     "$.rS32[1]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":1.5}"),
		     "non-integral number 1.5 for int32 at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i64\":\"1.0\"}"),
		     "invalid integer \"1.0\" for int64 at $.i64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i64\":\"12abc\"}"),
		     "invalid integer \"12abc\" for int64 at $.i64");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":\"\"}"),
		     "invalid integer \"\" for int32 at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":\" 1\"}"),
		     "invalid integer \" 1\" for int32 at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":\"+1\"}"),
		     "invalid integer \"+1\" for int32 at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":\"-\"}"),
		     "invalid integer \"-\" for int32 at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"i32\":true}"),
		     "expected int32 (number or string), got boolean at $.i32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"u64\":[1]}"),
		     "expected uint64 (number or string), got array at $.u64");
}

static void
test_floats(void)
{
	All m = ALL_INIT;
	All *back;
	char err[256];
	json_t *j;

	m.dbl = NAN;
	m.flt = -INFINITY;
	CHECK_EQ_STR(text_of(&m.base),
		     "{\"dbl\":\"NaN\",\"flt\":\"-Infinity\"}");
	check_round_trip(&m.base);
	m.dbl = 3.0;
	m.flt = 0.1f;
	j = lz_json_from_message(&m.base);
	/* 0.1f is written as the double 0.1, its shortest decimal form. */
	CHECK(j != NULL && json_real_value(json_object_get(j, "flt")) == 0.1);
	CHECK(j != NULL && json_is_integer(json_object_get(j, "dbl")));
	json_decref(j);
	check_round_trip(&m.base);
	m.dbl = 1e-300;
	m.flt = FLT_MIN / 4; /* subnormal */
	check_round_trip(&m.base);

	back = (All *)decode(ALL_DESC,
			     "{\"dbl\":\"Infinity\",\"flt\":\"NaN\","
			     "\"rDbl\":[\"-Infinity\",\"1.25e2\",\"-0\",7],"
			     "\"rFlt\":[\"3.5\",1e38]}",
			     err, sizeof(err));
	CHECK_EQ_STR(err, "OK");
	if (back != NULL) {
		CHECK(isinf(back->dbl) && back->dbl > 0);
		CHECK(isnan(back->flt));
		CHECK_EQ_INT(back->n_r_dbl, 4);
		CHECK(back->n_r_dbl == 4 && isinf(back->r_dbl[0]) &&
		      back->r_dbl[0] < 0 && back->r_dbl[1] == 125 &&
		      back->r_dbl[2] == 0 && signbit(back->r_dbl[2]) &&
		      back->r_dbl[3] == 7);
		CHECK(back->n_r_flt == 2 && back->r_flt[0] == 3.5f &&
		      back->r_flt[1] == 1e38f);
	}
	protobuf_c_message_free_unpacked((ProtobufCMessage *)back, NULL);

	CHECK_EQ_STR(error_of(ALL_DESC, "{\"flt\":1e39}"),
		     "value 1e+39 out of range for float at $.flt");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"flt\":\"-1e39\"}"),
		     "value \"-1e39\" out of range for float at $.flt");
	/* FLT_MAX plus less than half an ulp rounds to FLT_MAX. */
	CHECK_EQ_STR(canon(ALL_DESC, "{\"flt\":\"3.4028235e38\"}"),
		     "{\"flt\":3.4028234999999999e38}");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"flt\":-3.4028236e38}"),
		     "value -3.4028236e+38 out of range for float at $.flt");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"dbl\":\"1e999\"}"),
		     "value \"1e999\" out of range for double at $.dbl");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"dbl\":\"nan\"}"),
		     "invalid number \"nan\" for double at $.dbl");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"dbl\":\"inf\"}"),
		     "invalid number \"inf\" for double at $.dbl");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"dbl\":\"0x10\"}"),
		     "invalid number \"0x10\" for double at $.dbl");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"dbl\":\"1.\"}"),
		     "invalid number \"1.\" for double at $.dbl");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"dbl\":false}"),
		     "expected double (number or string), got boolean at "
		     "$.dbl");
	CHECK_EQ_STR(canon(ALL_DESC, "{\"dbl\":1e300,\"flt\":-2}"),
		     "{\"dbl\":1.0000000000000001e300,\"flt\":-2}");
}

static void
test_bytes(void)
{
	static const struct {
		const char *raw, *b64;
	} enc[] = {
		{"", NULL},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	static const struct {
		const char *b64;
		size_t len;
		const char *raw;
	} dec[] = {
		{"+/8=", 2, "\xfb\xff"}, {"-_8=", 2, "\xfb\xff"},
		{"-_8", 2, "\xfb\xff"},  {"+/8", 2, "\xfb\xff"},
		{"Zg", 1, "f"},          {"Zm8", 2, "fo"},
		{"Zm9v", 3, "foo"},      {"", 0, ""},
		{"AA==", 1, "\0"},       {"Zm9=", 2, "fo"},
	};
	char err[256], want[64];

	for (size_t i = 0; i < LZ_ARRAY_LEN(enc); i++) {
		All m = ALL_INIT;

		m.blob.data = (uint8_t *)(uintptr_t)enc[i].raw;
		m.blob.len = strlen(enc[i].raw);
		if (enc[i].b64 != NULL)
			snprintf(want, sizeof(want), "{\"blob\":\"%s\"}",
				 enc[i].b64);
		else
			snprintf(want, sizeof(want), "{}");
		CHECK_EQ_STR(text_of(&m.base), want);
		check_round_trip(&m.base);
	}
	for (size_t i = 0; i < LZ_ARRAY_LEN(dec); i++) {
		char in[64];
		All *m;

		snprintf(in, sizeof(in), "{\"blob\":\"%s\"}", dec[i].b64);
		m = (All *)decode(ALL_DESC, in, err, sizeof(err));
		CHECK_EQ_STR(err, "OK");
		CHECK(m != NULL && m->blob.len == dec[i].len &&
		      (dec[i].len == 0 ||
		       memcmp(m->blob.data, dec[i].raw, dec[i].len) == 0));
		protobuf_c_message_free_unpacked((ProtobufCMessage *)m, NULL);
	}
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Zg=\"}"),
		     "invalid base64 (bad padding) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Zg===\"}"),
		     "invalid base64 (bad padding) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Zm8==\"}"),
		     "invalid base64 (bad padding) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Z\"}"),
		     "invalid base64 (truncated) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Zm9vY\"}"),
		     "invalid base64 (truncated) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rBlob\":[\"\",\"Zm9v!A==\"]}"),
		     "invalid base64 (invalid character) at $.rBlob[1]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Zg==Zg==\"}"),
		     "invalid base64 (invalid character) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":\"Zm 9v\"}"),
		     "invalid base64 (invalid character) at $.blob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blob\":5}"),
		     "expected base64 string, got number at $.blob");
}

static void
test_enums(void)
{
	All m = ALL_INIT;

	m.color = 7; /* not in the schema: written as a number */
	CHECK_EQ_STR(text_of(&m.base), "{\"color\":7}");
	check_round_trip(&m.base);
	CHECK_EQ_STR(canon(ALL_DESC, "{\"color\":\"JSON_COLOR_GREEN\"}"),
		     "{\"color\":\"JSON_COLOR_GREEN\"}");
	CHECK_EQ_STR(canon(ALL_DESC, "{\"color\":-3,\"rColor\":[1,2]}"),
		     "{\"color\":\"JSON_COLOR_BLUE\","
		     "\"rColor\":[\"JSON_COLOR_RED\",\"JSON_COLOR_GREEN\"]}");
	CHECK_EQ_STR(canon(ALL_DESC, "{\"color\":\"JSON_COLOR_UNSPECIFIED\"}"),
		     "{}");
	CHECK_EQ_STR(
		error_of(ALL_DESC, "{\"color\":\"PURPLE\"}"),
		"unknown value \"PURPLE\" for enum lz.testing.v1.JsonColor "
		"at $.color");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rColor\":[\"json_color_red\"]}"),
		     "unknown value \"json_color_red\" for enum "
		     "lz.testing.v1.JsonColor at $.rColor[0]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"color\":true}"),
		     "expected enum lz.testing.v1.JsonColor (name or number), "
		     "got boolean at $.color");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"color\":4294967296}"),
		     "value 4294967296 out of range for enum at $.color");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"color\":1.5}"),
		     "non-integral number 1.5 for enum at $.color");
}

static void
test_field_names_input(void)
{
	CHECK_EQ_STR(canon(ALL_DESC, "{\"r_i32\":[1],\"choice_num\":\"5\","
				     "\"line\":{\"sku\":\"a\"}}"),
		     "{\"choiceNum\":\"5\",\"line\":{\"sku\":\"a\"},"
		     "\"rI32\":[1]}");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rI32\":[1],\"r_i32\":[2]}"),
		     "field \"r_i32\" given twice (\"rI32\", \"r_i32\") at $");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"lines\":[{},{},{\"fooBar\":1}]}"),
		     "unknown field \"fooBar\" at $.lines[2]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"RI32\":[1]}"),
		     "unknown field \"RI32\" at $");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"ri32\":[1]}"),
		     "unknown field \"ri32\" at $");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"\":1}"), "unknown field \"\" at $");
	{
		/* jansson's parser refuses NUL in keys; build them by hand. */
		json_t *in = json_object(), *map = json_object();
		ProtobufCMessage *m = NULL;
		char err[256];

		json_object_setn_new(in, "text\0x", 6, json_string("a"));
		CHECK_EQ_INT(
			lz_json_to_message(ALL_DESC, in, &m, err, sizeof(err)),
			-EINVAL);
		CHECK_EQ_STR(err, "unknown field \"text\" at $");
		json_object_clear(in);
		json_object_setn_new(map, "a\0b", 3, json_integer(1));
		json_object_set_new(in, "counts", map);
		CHECK_EQ_INT(
			lz_json_to_message(ALL_DESC, in, &m, err, sizeof(err)),
			-EINVAL);
		CHECK_EQ_STR(err, "map key contains a NUL character at "
				  "$.counts[\"a\"]");
		CHECK(m == NULL);
		json_decref(in);
	}
	CHECK_EQ_STR(
		error_of(ALL_DESC, "{\"line\":{\"child\":{\"bad\\n\":1}}}"),
		"unknown field \"bad?\" at $.line.child");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"lineMap\":{\"k\":{\"x\":1}}}"),
		     "unknown field \"x\" at $.lineMap[\"k\"]");
}

static void
test_type_errors(void)
{
	CHECK_EQ_STR(error_of(ALL_DESC, "[]"),
		     "expected object for lz.testing.v1.JsonAll, got array at "
		     "$");
	CHECK_EQ_STR(
		error_of(ALL_DESC, "null"),
		"expected object for lz.testing.v1.JsonAll, got null at $");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"text\":5}"),
		     "expected string, got number at $.text");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rText\":[\"a\",{}]}"),
		     "expected string, got object at $.rText[1]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"text\":\"a\\u0000b\"}"),
		     "string contains a NUL character at $.text");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"flag\":\"true\"}"),
		     "expected boolean, got string at $.flag");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rFlag\":[true,1]}"),
		     "expected boolean, got number at $.rFlag[1]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"line\":[]}"),
		     "expected object for lz.testing.v1.JsonLine, got array at "
		     "$.line");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"lines\":[{},\"x\"]}"),
		     "expected object for lz.testing.v1.JsonLine, got string "
		     "at $.lines[1]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rI32\":{}}"),
		     "expected array, got object at $.rI32");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"rI32\":[1,null]}"),
		     "null is not allowed in an array at $.rI32[1]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"counts\":[]}"),
		     "expected object (map), got array at $.counts");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"counts\":{\"a\":\"x\"}}"),
		     "invalid integer \"x\" for int64 at $.counts[\"a\"]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"names\":{\"x\":\"a\"}}"),
		     "invalid map key \"x\" for int32 at $.names[\"x\"]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"names\":{\"2147483648\":\"a\"}}"),
		     "map key \"2147483648\" out of range for int32 at "
		     "$.names[\"2147483648\"]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"names\":{\"1.0\":\"a\"}}"),
		     "invalid map key \"1.0\" for int32 at $.names[\"1.0\"]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"blobs\":{\"-1\":\"\"}}"),
		     "map key \"-1\" out of range for uint64 at "
		     "$.blobs[\"-1\"]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"flags\":{\"yes\":1}}"),
		     "invalid map key \"yes\" for bool at $.flags[\"yes\"]");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"lineMap\":{\"k\":3}}"),
		     "expected object for lz.testing.v1.JsonLine, got number "
		     "at $.lineMap[\"k\"]");
}

static void
test_oneof(void)
{
	CHECK_EQ_STR(
		error_of(ALL_DESC, "{\"choiceText\":\"a\",\"choiceNum\":1}"),
		"fields \"choiceText\" and \"choiceNum\" are members of "
		"the same oneof at $");
	CHECK_EQ_STR(
		error_of(ALL_DESC, "{\"choice_line\":{},\"choiceBlob\":\"\"}"),
		"fields \"choice_line\" and \"choiceBlob\" are members of the "
		"same oneof at $");
	CHECK_EQ_STR(
		error_of(ALL_DESC, "{\"line\":{\"child\":{}},"
				   "\"choiceColor\":1,\"choiceText\":\"\"}"),
		"fields \"choiceColor\" and \"choiceText\" are members of the "
		"same oneof at $");
	/* null means "not set", so it does not conflict. */
	CHECK_EQ_STR(canon(ALL_DESC, "{\"choiceText\":null,\"choiceNum\":0,"
				     "\"choiceLine\":null}"),
		     "{\"choiceNum\":\"0\"}");
	CHECK_EQ_STR(canon(ALL_DESC, "{\"choiceLine\":{\"qty\":0}}"),
		     "{\"choiceLine\":{}}");
	/* Errors inside a oneof member free what was built. */
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"choiceLine\":{\"sku\":\"a\","
					"\"child\":{\"qty\":\"x\"}}}"),
		     "invalid integer \"x\" for int32 at "
		     "$.choiceLine.child.qty");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"choiceBlob\":\"!\"}"),
		     "invalid base64 (invalid character) at $.choiceBlob");
	CHECK_EQ_STR(error_of(ALL_DESC, "{\"choiceText\":1}"),
		     "expected string, got number at $.choiceText");
}

static void
test_nulls(void)
{
	CHECK_EQ_STR(canon(ALL_DESC,
			   "{\"text\":null,\"line\":null,\"i64\":null,"
			   "\"rI32\":null,\"counts\":null,"
			   "\"color\":null,\"blob\":null,"
			   "\"flag\":null,\"dbl\":null}"),
		     "{}");
}

/* A JSON chain {"child":{"child":...}} of N JsonLine objects. */
static char *
chain_text(int n)
{
	char *s = xmalloc((size_t)n * 11 + 3);
	size_t o = 0;

	for (int i = 1; i < n; i++) {
		memcpy(s + o, "{\"child\":", 9);
		o += 9;
	}
	s[o++] = '{';
	for (int i = 0; i < n; i++)
		s[o++] = '}';
	s[o] = '\0';
	return s;
}

static void
test_depth(void)
{
	Line lines[LZ_JSON_MAX_DEPTH + 1];
	char err[256], *text;
	ProtobufCMessage *m;
	json_t *j;
	size_t len;
	uint8_t *packed;
	int rc;

	text = chain_text(LZ_JSON_MAX_DEPTH);
	m = decode(LINE_DESC, text, err, sizeof(err));
	CHECK_EQ_STR(err, "OK");
	protobuf_c_message_free_unpacked(m, NULL);
	free(text);
	text = chain_text(LZ_JSON_MAX_DEPTH + 1);
	m = decode(LINE_DESC, text, err, sizeof(err));
	CHECK(m == NULL);
	CHECK(strncmp(err, "messages nested deeper than 64 at $.child.child.",
		      48) == 0);
	free(text);

	for (int i = 0; i <= LZ_JSON_MAX_DEPTH; i++) {
		lz__testing__v1__json_line__init(&lines[i]);
		if (i > 0)
			lines[i - 1].child = &lines[i];
	}
	lines[LZ_JSON_MAX_DEPTH - 1].child = NULL;
	j = lz_json_from_message(&lines[0].base);
	CHECK(j != NULL);
	json_decref(j);
	lines[LZ_JSON_MAX_DEPTH - 1].child = &lines[LZ_JSON_MAX_DEPTH];
	CHECK(lz_json_from_message(&lines[0].base) == NULL);
	len = protobuf_c_message_get_packed_size(&lines[0].base);
	packed = xmalloc(len);
	protobuf_c_message_pack(&lines[0].base, packed);
	rc = lz_json_encode_bytes(LINE_DESC, packed, len, &j, err, sizeof(err));
	CHECK_EQ_INT(rc, -EINVAL);
	CHECK(j == NULL);
	CHECK(strncmp(err, "messages nested deeper than 64 at $.child.", 42) ==
	      0);
	free(packed);
}

static void
test_bytes_api(void)
{
	static const uint8_t garbage[] = {0xff, 0xff, 0xff};
	/* Field 14 (text), length 1, byte 0xff: not UTF-8. */
	static const uint8_t bad_utf8[] = {0x72, 0x01, 0xff};
	static const uint8_t good[] = {0x08, 0x96, 0x01};
	char err[256];
	json_t *j = (json_t *)1, *in;
	uint8_t *out = (uint8_t *)1;
	size_t outlen = 99;
	int rc;

	rc = lz_json_encode_bytes(ALL_DESC, garbage, sizeof(garbage), &j, err,
				  sizeof(err));
	CHECK_EQ_INT(rc, -EBADMSG);
	CHECK(j == NULL);
	CHECK_EQ_STR(err, "cannot decode lz.testing.v1.JsonAll");

	rc = lz_json_encode_bytes(ALL_DESC, good, sizeof(good), &j, err,
				  sizeof(err));
	CHECK_EQ_INT(rc, 0);
	if (rc == 0) {
		char *s = json_dumps(j, JSON_COMPACT);

		CHECK_EQ_STR(s, "{\"i32\":150}");
		free(s);
		json_decref(j);
	}

	/* protobuf-c does not check UTF-8; the mapping must, since JSON
	 * strings cannot carry arbitrary bytes. */
	rc = lz_json_encode_bytes(ALL_DESC, bad_utf8, sizeof(bad_utf8), &j, err,
				  sizeof(err));
	CHECK_EQ_INT(rc, -EINVAL);
	CHECK_EQ_STR(err, "string is not valid UTF-8 at $.text");
	CHECK(j == NULL);
	{
		All m = ALL_INIT;
		char *rtext[] = {"ok", "\xc3"};
		Lz__Testing__V1__JsonAll__CountsEntry c =
			LZ__TESTING__V1__JSON_ALL__COUNTS_ENTRY__INIT;
		Lz__Testing__V1__JsonAll__CountsEntry *counts[] = {&c};

		m.n_r_text = 2;
		m.r_text = rtext;
		CHECK(lz_json_from_message(&m.base) == NULL);
		m.n_r_text = 0;
		c.key = "\xff";
		m.n_counts = 1;
		m.counts = counts;
		CHECK(lz_json_from_message(&m.base) == NULL);
	}

	in = parse("{\"i32\":150}");
	rc = lz_json_decode_bytes(ALL_DESC, in, &out, &outlen, err,
				  sizeof(err));
	CHECK_EQ_INT(rc, 0);
	CHECK(rc == 0 && outlen == sizeof(good) &&
	      memcmp(out, good, sizeof(good)) == 0);
	free(out);
	json_decref(in);

	in = parse("{}");
	rc = lz_json_decode_bytes(ALL_DESC, in, &out, &outlen, err,
				  sizeof(err));
	CHECK_EQ_INT(rc, 0);
	CHECK(out != NULL && outlen == 0);
	free(out);
	json_decref(in);

	in = parse("{\"i32\":\"x\"}");
	rc = lz_json_decode_bytes(ALL_DESC, in, &out, &outlen, err,
				  sizeof(err));
	CHECK_EQ_INT(rc, -EINVAL);
	CHECK(out == NULL && outlen == 0);
	CHECK_EQ_STR(err, "invalid integer \"x\" for int32 at $.i32");
	json_decref(in);
}

static void
test_error_buffer(void)
{
	json_t *in = parse("{\"fooBar\":1}");
	ProtobufCMessage *m = (ProtobufCMessage *)1;
	char small[8];

	CHECK_EQ_INT(lz_json_to_message(ALL_DESC, in, &m, NULL, 0), -EINVAL);
	CHECK(m == NULL);
	memset(small, 'x', sizeof(small));
	CHECK_EQ_INT(lz_json_to_message(ALL_DESC, in, &m, small, sizeof(small)),
		     -EINVAL);
	CHECK_EQ_STR(small, "unknown");
	CHECK_EQ_INT(
		lz_json_to_message(ALL_DESC, NULL, &m, small, sizeof(small)),
		-EINVAL);
	json_decref(in);
}

/* A proto2-style message, written by hand since all our schemas are proto3
 * and protoc-c 1.4 has no proto3 `optional`: explicit presence through
 * has_ flags and a non-empty string default. */
struct p2 {
	ProtobufCMessage base;
	protobuf_c_boolean has_n;
	int32_t n;
	char *s;
	int32_t r;
};

static const char p2_default_s[] = "dflt";
static void p2_init(ProtobufCMessage *m);

static const ProtobufCFieldDescriptor p2_fields[3] = {
	{"n", 1, PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_TYPE_INT32,
	 offsetof(struct p2, has_n), offsetof(struct p2, n), NULL, NULL, 0, 0,
	 NULL, NULL},
	{"s", 2, PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_TYPE_STRING, 0,
	 offsetof(struct p2, s), NULL, p2_default_s, 0, 0, NULL, NULL},
	{"r", 3, PROTOBUF_C_LABEL_REQUIRED, PROTOBUF_C_TYPE_INT32, 0,
	 offsetof(struct p2, r), NULL, NULL, 0, 0, NULL, NULL},
};
static const unsigned p2_by_name[] = {0, 2, 1};
static const ProtobufCIntRange p2_ranges[2] = {{1, 0}, {0, 3}};
static const ProtobufCMessageDescriptor p2_desc = {
	PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
	"test.P2",
	"P2",
	"P2",
	"test",
	sizeof(struct p2),
	3,
	p2_fields,
	p2_by_name,
	1,
	p2_ranges,
	p2_init,
	NULL,
	NULL,
	NULL};

static void
p2_init(ProtobufCMessage *m)
{
	struct p2 *p = (struct p2 *)m;

	memset(p, 0, sizeof(*p));
	p->base.descriptor = &p2_desc;
	p->s = (char *)(uintptr_t)p2_default_s;
}

static void
test_explicit_presence(void)
{
	struct p2 m;
	struct p2 *back;
	char err[256];

	p2_init(&m.base);
	/* Required fields are always written; unset optional ones are not. */
	CHECK_EQ_STR(text_of(&m.base), "{\"r\":0}");
	m.has_n = 1;
	CHECK_EQ_STR(text_of(&m.base), "{\"n\":0,\"r\":0}");
	check_round_trip(&m.base);
	m.s = "";
	CHECK_EQ_STR(text_of(&m.base), "{\"n\":0,\"r\":0,\"s\":\"\"}");
	check_round_trip(&m.base);

	back = (struct p2 *)decode(&p2_desc, "{\"n\":0,\"s\":\"x\"}", err,
				   sizeof(err));
	CHECK_EQ_STR(err, "OK");
	CHECK(back != NULL && back->has_n && back->n == 0 &&
	      strcmp(back->s, "x") == 0);
	protobuf_c_message_free_unpacked((ProtobufCMessage *)back, NULL);
	/* An absent string keeps the default, which must not be freed. */
	back = (struct p2 *)decode(&p2_desc, "{\"r\":5,\"s\":null}", err,
				   sizeof(err));
	CHECK_EQ_STR(err, "OK");
	CHECK(back != NULL && !back->has_n && back->r == 5 &&
	      back->s == p2_default_s);
	protobuf_c_message_free_unpacked((ProtobufCMessage *)back, NULL);
}

/* Everything set at once, for the leak checkers: built from JSON, freed
 * with protobuf_c_message_free_unpacked(). */
static void
test_full_from_json(void)
{
	static const char text[] =
		"{\"i32\":1,\"i64\":\"2\",\"u32\":3,\"u64\":\"4\",\"s32\":-5,"
		"\"s64\":\"-6\",\"f32\":7,\"f64\":\"8\",\"sf32\":-9,"
		"\"sf64\":\"-10\",\"flt\":1.5,\"dbl\":2.5,\"flag\":true,"
		"\"text\":\"t\",\"blob\":\"AQID\",\"color\":\"JSON_COLOR_RED\","
		"\"line\":{\"sku\":\"s\",\"qty\":1,\"child\":{\"sku\":\"c\"}},"
		"\"rI32\":[1,2],\"rI64\":[\"3\"],\"rU64\":[\"4\"],"
		"\"rDbl\":[5.5],\"rFlt\":[6.5],\"rFlag\":[true],"
		"\"rText\":[\"a\",\"\"],\"rBlob\":[\"AA==\",\"\"],"
		"\"rColor\":[\"JSON_COLOR_GREEN\"],"
		"\"lines\":[{\"sku\":\"x\"},{}],\"rS32\":[-1],\"rF32\":[1],"
		"\"choiceLine\":{\"sku\":\"o\"},"
		"\"counts\":{\"a\":\"1\"},\"names\":{\"1\":\"one\"},"
		"\"lineMap\":{\"k\":{\"sku\":\"v\"}},"
		"\"flags\":{\"true\":\"JSON_COLOR_RED\"},"
		"\"blobs\":{\"5\":\"BQ==\"}}";
	char err[256];
	ProtobufCMessage *m = decode(ALL_DESC, text, err, sizeof(err));
	json_t *a, *b;

	CHECK_EQ_STR(err, "OK");
	if (m == NULL)
		return;
	check_round_trip(m);
	a = parse(text);
	b = lz_json_from_message(m);
	CHECK(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	protobuf_c_message_free_unpacked(m, NULL);
}

/* lz_evjson: "audience" appears only when the envelope names one; the
 * actor's roles never do. */
static void
test_evjson_audience(void)
{
	Lz__Bus__V1__Envelope e = LZ__BUS__V1__ENVELOPE__INIT;
	json_t *o;

	e.type = "lz.bus.v1.Heartbeat";
	e.actor = "ops";
	e.actor_roles = "operator";
	o = lz_evjson_envelope(&e, NULL);
	CHECK(json_object_get(o, "audience") == NULL);
	CHECK(json_object_get(o, "actorRoles") == NULL);
	CHECK_EQ_STR(json_string_value(json_object_get(o, "actor")), "ops");
	json_decref(o);
	e.audience = "dan";
	o = lz_evjson_envelope(&e, NULL);
	CHECK_EQ_STR(json_string_value(json_object_get(o, "audience")), "dan");
	CHECK(json_object_get(o, "actorRoles") == NULL);
	json_decref(o);
}

int
main(void)
{
	RUN(test_registry);
	RUN(test_field_name);
	RUN(test_scalars_exact);
	RUN(test_presence);
	RUN(test_repeated_and_maps);
	RUN(test_int_input);
	RUN(test_floats);
	RUN(test_bytes);
	RUN(test_enums);
	RUN(test_field_names_input);
	RUN(test_type_errors);
	RUN(test_oneof);
	RUN(test_nulls);
	RUN(test_depth);
	RUN(test_bytes_api);
	RUN(test_error_buffer);
	RUN(test_full_from_json);
	RUN(test_explicit_presence);
	RUN(test_evjson_audience);
	return lz_test_summary();
}
