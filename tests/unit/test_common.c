/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_common.c -- lz_config, lz_metrics, lz_log, lz_util, lz_http,
 * lz_loop (stop, failure, SIGHUP), lz_partners and lz_client's diagnosis of
 * a gateway that does not answer.
 *
 * lz_http is tested through a real HTTP exchange: the server listens on
 * 127.0.0.1:0 inside an lz_loop and an evhttp client on the same event base
 * asks for /metrics, /healthz, /readyz and unknown paths.  The /metrics body
 * is checked by a small parser of the Prometheus text format 0.0.4 (HELP and
 * TYPE once per family, contiguous families, escapes, cumulative buckets).
 */
#include "lz_client.h"
#include "lz_config.h"
#include "lz_http.h"
#include "lz_log.h"
#include "lz_loop.h"
#include "lz_metrics.h"
#include "lz_partners.h"
#include "lz_test.h"
#include "lz_util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

/* ---- helpers ---- */

/* Writes TEXT to a new temporary file; returns its path (static buffer of
 * the caller, PATH of size 64). */
static int
write_temp(char *path, size_t size, const char *text)
{
	int fd;
	size_t len = strlen(text);

	snprintf(path, size, "/tmp/lz-test-common-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Renders M into a malloc'd string the caller frees. */
static char *
render(const struct lz_metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	lz_metrics_render(m, f);
	fclose(f);
	return text;
}

/* ---- a checker for the Prometheus text exposition format 0.0.4 ---- */

#define PROM_MAX_FAMILIES 64

struct prom_family {
	char name[128];
	int help, type;
};

struct prom_state {
	struct prom_family fam[PROM_MAX_FAMILIES];
	int nfam;
	char cur[128]; /* family of the last TYPE line */
	char cur_type[16];
	/* the histogram in progress */
	double last_le, last_bucket, inf_count, count;
	int nbuckets, saw_inf, saw_sum, saw_count;
	char *err;
	size_t errlen;
};

static int
prom_fail(struct prom_state *st, const char *why, const char *line)
{
	snprintf(st->err, st->errlen, "%s: %.80s", why, line);
	return -1;
}

static int
is_name_char(char c, int first, int colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (colon && c == ':')
		return 1;
	return !first && c >= '0' && c <= '9';
}

/* Length of the metric (COLON) or label name at S, 0 if none. */
static size_t
name_len(const char *s, int colon)
{
	size_t n = 0;

	while (s[n] && is_name_char(s[n], n == 0, colon))
		n++;
	return n;
}

static struct prom_family *
prom_family(struct prom_state *st, const char *name, size_t len)
{
	for (int i = 0; i < st->nfam; i++)
		if (strlen(st->fam[i].name) == len &&
		    strncmp(st->fam[i].name, name, len) == 0)
			return &st->fam[i];
	if (st->nfam == PROM_MAX_FAMILIES || len >= sizeof(st->fam[0].name))
		return NULL;
	memset(&st->fam[st->nfam], 0, sizeof(st->fam[0]));
	memcpy(st->fam[st->nfam].name, name, len);
	return &st->fam[st->nfam++];
}

static int
prom_value(const char *s, size_t len, double *out)
{
	char buf[64];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "+Inf") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(buf, "-Inf") == 0) {
		*out = -INFINITY;
		return 0;
	}
	if (strcmp(buf, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strchr(buf, 'n') || strchr(buf, 'N') || strchr(buf, 'x'))
		return -1; /* strtod's inf/nan/hex spellings are not ours */
	errno = 0;
	*out = strtod(buf, &end);
	return errno == 0 && *end == '\0' ? 0 : -1;
}

static int
prom_finish_histogram(struct prom_state *st, const char *line)
{
	if (strcmp(st->cur_type, "histogram") != 0)
		return 0;
	if (!st->saw_inf)
		return prom_fail(st, "histogram without +Inf bucket", st->cur);
	if (!st->saw_sum || !st->saw_count)
		return prom_fail(st, "histogram without _sum or _count",
				 st->cur);
	if (st->count != st->inf_count)
		return prom_fail(st, "_count differs from the +Inf bucket",
				 st->cur);
	return 0;
}

static int
prom_comment(struct prom_state *st, const char *line)
{
	int help = strncmp(line, "# HELP ", 7) == 0;
	int type = strncmp(line, "# TYPE ", 7) == 0;
	const char *name = line + 7, *rest;
	struct prom_family *f;
	size_t n;

	if (!help && !type)
		return 0; /* a plain comment */
	n = name_len(name, 1);
	if (n == 0 || name[n] != ' ')
		return prom_fail(st, "bad name in HELP/TYPE", line);
	rest = name + n + 1;
	if ((f = prom_family(st, name, n)) == NULL)
		return prom_fail(st, "too many families", line);
	if (help) {
		if (f->help++)
			return prom_fail(st, "HELP twice for a family", line);
		for (const char *p = rest; *p; p++)
			if (*p == '\\' && *++p != '\\' && *p != 'n')
				return prom_fail(st, "bad escape in HELP",
						 line);
		return 0;
	}
	if (f->type++)
		return prom_fail(st, "TYPE twice for a family", line);
	if (strcmp(rest, "counter") && strcmp(rest, "gauge") &&
	    strcmp(rest, "histogram") && strcmp(rest, "summary") &&
	    strcmp(rest, "untyped"))
		return prom_fail(st, "unknown TYPE", line);
	if (prom_finish_histogram(st, line) < 0)
		return -1;
	snprintf(st->cur, sizeof(st->cur), "%.*s", (int)n, name);
	snprintf(st->cur_type, sizeof(st->cur_type), "%s", rest);
	st->last_le = -INFINITY;
	st->last_bucket = 0;
	st->nbuckets = st->saw_inf = st->saw_sum = st->saw_count = 0;
	return 0;
}

static int
prom_sample(struct prom_state *st, const char *line)
{
	size_t n = name_len(line, 1), flen = strlen(st->cur);
	const char *p = line + n, *suffix = line + flen;
	int histogram = strcmp(st->cur_type, "histogram") == 0;
	int has_le = 0;
	double le = 0, v;

	if (n == 0)
		return prom_fail(st, "bad sample name", line);
	if (flen == 0 || n < flen || strncmp(line, st->cur, flen) != 0)
		return prom_fail(st, "sample outside its family", line);
	if (histogram
		    ? !(n - flen == 7 && !strncmp(suffix, "_bucket", 7)) &&
			      !(n - flen == 4 && !strncmp(suffix, "_sum", 4)) &&
			      !(n - flen == 6 && !strncmp(suffix, "_count", 6))
		    : n != flen)
		return prom_fail(st, "sample outside its family", line);
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t ln = name_len(p, 0);
			const char *val;

			if (ln == 0 || p[ln] != '=' || p[ln + 1] != '"')
				return prom_fail(st, "bad label", line);
			int is_le = ln == 2 && strncmp(p, "le", 2) == 0;
			p += ln + 2;
			val = p;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1] != '\\' && p[1] != '"' &&
				    p[1] != 'n')
					return prom_fail(st,
							 "bad escape in label",
							 line);
				p += *p == '\\' ? 2 : 1;
			}
			if (*p != '"')
				return prom_fail(st, "unterminated label",
						 line);
			if (is_le) {
				has_le = 1;
				if (prom_value(val, (size_t)(p - val), &le) < 0)
					return prom_fail(st, "bad le", line);
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return prom_fail(st, "bad label list", line);
		}
		p++;
	}
	if (*p != ' ')
		return prom_fail(st, "no space before value", line);
	p++;
	n = strcspn(p, " ");
	if (prom_value(p, n, &v) < 0)
		return prom_fail(st, "bad value", line);
	if (p[n] == ' ') {
		const char *ts = p + n + 1;
		if (*ts == '-')
			ts++;
		if (*ts == '\0' || strspn(ts, "0123456789") != strlen(ts))
			return prom_fail(st, "bad timestamp", line);
	}
	if (!histogram)
		return 0;
	if (strncmp(suffix, "_bucket", 7) == 0) {
		if (!has_le)
			return prom_fail(st, "bucket without le", line);
		if (st->saw_inf || st->saw_sum || st->saw_count)
			return prom_fail(st, "bucket after +Inf/_sum/_count",
					 line);
		if (!(le > st->last_le))
			return prom_fail(st, "le not increasing", line);
		if (v < st->last_bucket)
			return prom_fail(st, "buckets not cumulative", line);
		st->last_le = le;
		st->last_bucket = v;
		st->nbuckets++;
		if (isinf(le) && le > 0) {
			st->saw_inf = 1;
			st->inf_count = v;
		}
	} else if (strncmp(suffix, "_sum", 4) == 0) {
		st->saw_sum = 1;
	} else {
		st->saw_count = 1;
		st->count = v;
	}
	return 0;
}

/* Returns 0 if TEXT is valid exposition text, else -1 with a reason in
 * ERR. */
static int
prom_validate(const char *text, char *err, size_t errlen)
{
	struct prom_state *st = xcalloc(1, sizeof(*st));
	char line[1024];
	const char *p = text;
	int rc = 0;

	st->err = err;
	st->errlen = errlen;
	err[0] = '\0';
	if (*text && text[strlen(text) - 1] != '\n') {
		free(st);
		snprintf(err, errlen, "text does not end with a newline");
		return -1;
	}
	while (rc == 0 && *p) {
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (n >= sizeof(line))
			rc = prom_fail(st, "line too long", line);
		else if (line[0] == '\0')
			continue;
		else if (line[0] == '#')
			rc = prom_comment(st, line);
		else
			rc = prom_sample(st, line);
	}
	if (rc == 0)
		rc = prom_finish_histogram(st, "(end)");
	for (int i = 0; rc == 0 && i < st->nfam; i++)
		if (!st->fam[i].type)
			rc = prom_fail(st, "HELP without TYPE",
				       st->fam[i].name);
	free(st);
	return rc;
}

/* The checker must itself be able to say no. */
static void
test_prom_checker(void)
{
	char err[256];

	CHECK_EQ_INT(prom_validate("# HELP a_total A thing.\n"
				   "# TYPE a_total counter\n"
				   "a_total{k=\"x\\\"y\\\\z\\n\"} 1\n"
				   "a_total{k=\"w\"} 2.5 1700000000000\n"
				   "# TYPE h histogram\n"
				   "h_bucket{le=\"0.5\"} 1\n"
				   "h_bucket{le=\"+Inf\"} 3\n"
				   "h_sum 4.5\nh_count 3\n",
				   err, sizeof(err)),
		     0);
	CHECK_EQ_STR(err, "");
	CHECK_EQ_INT(prom_validate("# HELP a x\n# HELP a y\n# TYPE a counter\n"
				   "a 1\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE a counter\n# TYPE a counter\na 1\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE a counter\na{k=\"x\\q\"} 1\n", err,
				   sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE a counter\na{k=\"x\"y\"} 1\n", err,
				   sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# HELP a bad \\t escape\n"
				   "# TYPE a counter\na 1\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE a counter\na 1\n# TYPE b gauge\n"
				   "b 1\na 2\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
				   "h_bucket{le=\"+Inf\"} 1\nh_sum 1\n"
				   "h_count 1\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
				   "h_sum 1\nh_count 2\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE h histogram\n"
				   "h_bucket{le=\"+Inf\"} 2\nh_sum 1\n"
				   "h_count 3\n",
				   err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("# TYPE a gauge\na one\n", err, sizeof(err)),
		     -1);
	CHECK_EQ_INT(prom_validate("a 1\n", err, sizeof(err)), -1);
	CHECK_EQ_INT(prom_validate("# TYPE a gauge\na 1", err, sizeof(err)),
		     -1);
}

/* ---- lz_util ---- */

static void
test_be64(void)
{
	static const uint64_t values[] = {0,
					  1,
					  0xff,
					  0x100,
					  0x0102030405060708ULL,
					  0x7fffffffffffffffULL,
					  0x8000000000000000ULL,
					  UINT64_MAX};
	unsigned char b[8], prev[8];

	lz_be64_put(b, 0x0102030405060708ULL);
	CHECK(memcmp(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
	CHECK(lz_be64_get((const unsigned char *)"\x80\0\0\0\0\0\0\x01") ==
	      0x8000000000000001ULL);
	for (size_t i = 0; i < LZ_ARRAY_LEN(values); i++) {
		lz_be64_put(b, values[i]);
		CHECK(lz_be64_get(b) == values[i]);
		/* The encoding sorts like the numbers (LMDB keys). */
		if (i > 0)
			CHECK(memcmp(prev, b, 8) < 0);
		memcpy(prev, b, 8);
	}
}

static void
test_valid_id(void)
{
	char long_id[LZ_ID_MAX + 2];

	CHECK(lz_valid_id("cargo-1"));
	CHECK(lz_valid_id("a.b_C-9"));
	CHECK(!lz_valid_id(""));
	CHECK(!lz_valid_id(NULL));
	CHECK(!lz_valid_id("a b"));
	CHECK(!lz_valid_id("del:x/y"));
	CHECK(!lz_valid_id("caf\xc3\xa9"));
	memset(long_id, 'x', sizeof(long_id));
	long_id[LZ_ID_MAX] = '\0';
	CHECK(lz_valid_id(long_id)); /* 64 */
	long_id[LZ_ID_MAX] = 'x';
	long_id[LZ_ID_MAX + 1] = '\0';
	CHECK(!lz_valid_id(long_id)); /* 65 */
}

static void
test_strings(void)
{
	const char unterminated[4] = {'a', 'b', 'c', 'd'};
	char *s;
	void *p, *q;

	s = xstrndup("hello", 3);
	CHECK_EQ_STR(s, "hel");
	free(s);
	s = xstrndup("hi", 10);
	CHECK_EQ_STR(s, "hi");
	CHECK_EQ_INT(strlen(s), 2);
	free(s);
	s = xstrndup("abc", 0);
	CHECK_EQ_STR(s, "");
	free(s);
	/* Must not read past N (ASan would tell). */
	s = xstrndup(unterminated, sizeof(unterminated));
	CHECK_EQ_STR(s, "abcd");
	free(s);
	s = xstrdup("copy");
	CHECK_EQ_STR(s, "copy");
	free(s);
	p = xmalloc(0);
	q = xmalloc(0);
	CHECK(p != NULL && q != NULL && p != q);
	free(p);
	free(q);
	p = xcalloc(0, 0);
	CHECK(p != NULL);
	free(p);
}

static void
test_clocks(void)
{
	int64_t now = lz_now_us(), m1 = lz_mono_us(), m2 = lz_mono_us();

	CHECK(now > 1600000000LL * 1000000); /* after 2020 */
	CHECK(now < 4102444800LL * 1000000); /* before 2100 */
	CHECK(m2 >= m1);
}

/* ---- lz_log ---- */

static void
test_log_parse_level(void)
{
	CHECK_EQ_INT(lz_log_parse_level("debug"), LZ_LOG_DEBUG);
	CHECK_EQ_INT(lz_log_parse_level("info"), LZ_LOG_INFO);
	CHECK_EQ_INT(lz_log_parse_level("warn"), LZ_LOG_WARN);
	CHECK_EQ_INT(lz_log_parse_level("warning"), LZ_LOG_WARN);
	CHECK_EQ_INT(lz_log_parse_level("error"), LZ_LOG_ERROR);
	CHECK_EQ_INT(lz_log_parse_level("fatal"), -1);
	CHECK_EQ_INT(lz_log_parse_level(""), -1);
	CHECK_EQ_INT(lz_log_parse_level("INFO"), -1);
	CHECK_EQ_INT(lz_log_parse_level("info "), -1);
}

static void
test_log_quote(void)
{
	char buf[64], small[8];

	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "plain"), "plain");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "tcp://127.0.0.1:7100"),
		     "tcp://127.0.0.1:7100");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "two words"),
		     "\"two words\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "say \"hi\""),
		     "\"say \\\"hi\\\"\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "a\\b"), "\"a\\\\b\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "tab\there\n"),
		     "\"tab\\x09here\\x0a\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "del\x7f"), "\"del\\x7f\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "a=b"), "\"a=b\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), ""), "\"\"");
	/* Bytes above 0x7e are escaped, whatever the signedness of char. */
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "caf\xc3\xa9"),
		     "\"caf\\xc3\\xa9\"");
	CHECK_EQ_STR(lz_log_quote(buf, sizeof(buf), "\xff"), "\"\\xff\"");

	/* Truncation keeps a well-formed value that fits. */
	CHECK_EQ_STR(lz_log_quote(small, sizeof(small), "abcdefghij"),
		     "abcdefg");
	CHECK_EQ_STR(lz_log_quote(small, sizeof(small), "hello world"),
		     "\"hell\"");
	CHECK_EQ_STR(lz_log_quote(small, 6, "\"\"\"\"\"\""), "\"\\\"\"");
	CHECK_EQ_STR(lz_log_quote(small, sizeof(small), "\x01\x01"),
		     "\"\\x01\"");
	CHECK_EQ_STR(lz_log_quote(small, 2, "a b"), "");
	small[0] = 'X';
	lz_log_quote(small, 0, "a b");
	CHECK_EQ_INT(small[0], 'X');
	for (size_t size = 1; size <= sizeof(buf); size++) {
		const char *q = lz_log_quote(buf, size, "x \"y\" \\ \t z");
		size_t n = strlen(q);
		CHECK(n < size);
		/* Quoted output is either empty or "...". */
		CHECK(n == 0 || (q[0] == '"' && q[n - 1] == '"' && n >= 2));
	}
}

/* Captures what lz_log writes to stderr while running FN. */
static void
capture_stderr(void (*fn)(void), char *out, size_t size)
{
	char path[64];
	int saved, fd;
	ssize_t n;

	out[0] = '\0';
	if (write_temp(path, sizeof(path), "") < 0)
		return;
	fd = open(path, O_RDWR);
	if (fd < 0) {
		unlink(path);
		return;
	}
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void
log_some(void)
{
	lz_log_init("unit-test", LZ_LOG_INFO);
	lz_log_debug("hidden", "k=%d", 1);
	lz_log_info("two words", "k=%s n=%d", "v", 42);
	lz_log_warn("bare", NULL);
	{
		char *big = xmalloc(6000);
		memset(big, 'a', 5999);
		big[5999] = '\0';
		lz_log_error("long", "v=%s", big);
		free(big);
	}
	lz_log_init("livrazou", LZ_LOG_WARN);
	lz_log_info("hidden too", NULL);
}

static void
test_log_lines(void)
{
	static char out[16384];
	const char *lng;

	capture_stderr(log_some, out, sizeof(out));
	CHECK(strstr(out, "hidden") == NULL);
	CHECK(strncmp(out, "ts=", 3) == 0);
	CHECK(strstr(out, "Z level=info prog=unit-test msg=\"two words\" k=v "
			  "n=42\n") != NULL);
	CHECK(strstr(out, " level=warn prog=unit-test msg=bare\n") != NULL);
	{
		int lines = 0;
		for (const char *p = out; *p; p++)
			lines += *p == '\n';
		CHECK_EQ_INT(lines, 3);
	}
	/* A line longer than the buffer is cut but still ends the line. */
	lng = strstr(out, " level=error prog=unit-test msg=long v=aaa");
	CHECK(lng != NULL);
	if (lng) {
		while (lng > out && lng[-1] != '\n')
			lng--;
		size_t len = strcspn(lng, "\n");
		CHECK(lng[len] == '\n');
		CHECK(len + 1 <= 4096);
		CHECK(len > 4000);
	}
}

/* ---- lz_config ---- */

static const struct lz_option opts[] = {
	{"name", LZ_OPT_STRING, "dflt", "a name", 0, 0},
	{"port", LZ_OPT_INT, "7000", "a port", 1, 65535},
	{"count", LZ_OPT_INT, NULL, "an unbounded integer", 0, 0},
	{"level", LZ_OPT_INT, "0", "within [-5, 5]", -5, 5},
	{"verbose", LZ_OPT_FLAG, NULL, "a flag", 0, 0},
	{"color", LZ_OPT_FLAG, "true", "a flag set by default", 0, 0},
	{"nodef", LZ_OPT_STRING, NULL, "no default", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

#define ARGV(...) ((char *[]){"prog", __VA_ARGS__, NULL})

static struct lz_config *
new_config(void)
{
	return lz_config_new("prog", "test", "[OPTIONS] FILE...",
			     "A program for tests.", opts);
}

static int
parse(struct lz_config *c, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return lz_config_parse(c, argc, argv);
}

/* Parses ARGV with a fresh configuration and returns the result. */
static int
parse_rc(char **argv)
{
	struct lz_config *c = new_config();
	int rc = parse(c, argv);

	lz_config_destroy(&c);
	return rc;
}

static void
test_config_defaults(void)
{
	struct lz_config *c = new_config();
	char *argv[] = {"prog", NULL};

	CHECK_EQ_INT(parse(c, argv), 0);
	CHECK_EQ_STR(lz_config_str(c, "name"), "dflt");
	CHECK_EQ_INT(lz_config_int(c, "port"), 7000);
	CHECK_EQ_INT(lz_config_int(c, "count"), 0);
	CHECK(lz_config_str(c, "count") == NULL);
	CHECK_EQ_INT(lz_config_int(c, "level"), 0);
	CHECK_EQ_INT(lz_config_flag(c, "verbose"), 0);
	CHECK_EQ_INT(lz_config_flag(c, "color"), 1);
	CHECK(lz_config_str(c, "nodef") == NULL);
	CHECK(lz_config_str(c, "config") == NULL);
	CHECK_EQ_STR(lz_config_str(c, "log-level"), "info");
	CHECK_EQ_INT(lz_config_nargs(c), 0);
	CHECK(lz_config_arg(c, 0) == NULL);
	lz_config_destroy(&c);
	CHECK(c == NULL);
	lz_config_destroy(&c); /* NULL is fine */
}

static void
test_config_flags(void)
{
	struct lz_config *c = new_config();

	{
		char **argv = ARGV("--name", "x y", "--port=8080", "--verbose",
				   "--color=false", "--count", "-42", "pos1",
				   "--log-level=debug", "--nodef=");
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "x y");
		CHECK_EQ_INT(lz_config_int(c, "port"), 8080);
		CHECK_EQ_INT(lz_config_int(c, "count"), -42);
		CHECK_EQ_INT(lz_config_flag(c, "verbose"), 1);
		CHECK_EQ_INT(lz_config_flag(c, "color"), 0);
		CHECK_EQ_STR(lz_config_str(c, "log-level"), "debug");
		CHECK_EQ_STR(lz_config_str(c, "nodef"), "");
		CHECK_EQ_INT(lz_config_nargs(c), 1);
		CHECK_EQ_STR(lz_config_arg(c, 0), "pos1");
		lz_config_destroy(&c);
	}
	c = new_config();
	{
		/* The last occurrence wins; a value may look like an option. */
		char **argv = ARGV("--name", "a", "--name=b", "--nodef",
				   "--verbose", "--verbose=no", "--color=yes");
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "b");
		CHECK_EQ_STR(lz_config_str(c, "nodef"), "--verbose");
		CHECK_EQ_INT(lz_config_flag(c, "verbose"), 0);
		CHECK_EQ_INT(lz_config_flag(c, "color"), 1);
		lz_config_destroy(&c);
	}
	CHECK_EQ_INT(parse_rc(ARGV("--verbose=1")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--verbose=off")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--verbose=maybe")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--color=")), -1);
}

/* A second table of options (lz_config_add, as lz_daemon does): its
 * options parse, have their defaults and show in --help after the first
 * table's. */
static void
test_config_add(void)
{
	static const struct lz_option more[] = {
		{"extra", LZ_OPT_STRING, "dflt", "an option of a second table",
		 0, 0},
		{"level", LZ_OPT_INT, "3", "bounded", 1, 5},
		{NULL, 0, NULL, NULL, 0, 0},
	};
	struct lz_config *c = new_config();
	FILE *tmp;
	char out[8192];
	ssize_t n;
	int saved;

	lz_config_add(c, more);
	CHECK_EQ_INT(parse(c, ARGV("--level", "4", "--name", "n")), 0);
	CHECK_EQ_STR(lz_config_str(c, "extra"), "dflt");
	CHECK_EQ_INT(lz_config_int(c, "level"), 4);
	CHECK_EQ_STR(lz_config_str(c, "name"), "n");
	lz_config_destroy(&c);
	c = new_config();
	lz_config_add(c, more);
	CHECK_EQ_INT(parse(c, ARGV("--level", "6")), -1);
	lz_config_destroy(&c);
	/* --help lists both tables, the first one first. */
	c = new_config();
	lz_config_add(c, more);
	tmp = tmpfile();
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	CHECK_EQ_INT(parse(c, ARGV("--help")), 1);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	lseek(fileno(tmp), 0, SEEK_SET);
	n = read(fileno(tmp), out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	fclose(tmp);
	CHECK(strstr(out, "--extra") != NULL);
	CHECK(strstr(out, "--name") != NULL &&
	      strstr(out, "--name") < strstr(out, "--extra"));
	lz_config_destroy(&c);
}

static void
test_config_ints(void)
{
	struct lz_config *c;

	CHECK_EQ_INT(parse_rc(ARGV("--port", "abc")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "12x")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port=")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "1.5")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "0")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "65536")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "-1")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "1")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--port", "65535")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--level", "-5")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--level", "5")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--level", "-6")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--level", "6")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--count", "99999999999999999999")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--count", "-99999999999999999999")), -1);
	c = new_config();
	{
		char **argv = ARGV("--count", "9223372036854775807");
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK(lz_config_int(c, "count") == 9223372036854775807LL);
	}
	lz_config_destroy(&c);
}

static void
test_config_errors(void)
{
	CHECK_EQ_INT(parse_rc(ARGV("--nope")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--nope=1")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--na", "x")), -1); /* no prefixes */
	CHECK_EQ_INT(parse_rc(ARGV("-x")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("-name", "x")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--name")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--port")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--log-level", "loud")), -1);
	CHECK_EQ_INT(parse_rc(ARGV("--log-level", "warning")), 0);
	CHECK_EQ_INT(parse_rc(ARGV("--help")), 1);
	CHECK_EQ_INT(parse_rc(ARGV("--version")), 1);
	CHECK_EQ_INT(parse_rc(ARGV("--name", "x", "--help", "--nope")), 1);
	CHECK_EQ_INT(parse_rc(ARGV("--", "--help")), 0);
}

static void
test_config_args(void)
{
	struct lz_config *c = new_config();
	char **argv =
		ARGV("a", "-", "--name=z", "b", "--", "--port", "x", "--");

	CHECK_EQ_INT(parse(c, argv), 0);
	CHECK_EQ_STR(lz_config_str(c, "name"), "z");
	CHECK_EQ_INT(lz_config_int(c, "port"), 7000);
	CHECK_EQ_INT(lz_config_nargs(c), 6);
	CHECK_EQ_STR(lz_config_arg(c, 0), "a");
	CHECK_EQ_STR(lz_config_arg(c, 1), "-");
	CHECK_EQ_STR(lz_config_arg(c, 2), "b");
	CHECK_EQ_STR(lz_config_arg(c, 3), "--port");
	CHECK_EQ_STR(lz_config_arg(c, 4), "x");
	CHECK_EQ_STR(lz_config_arg(c, 5), "--");
	CHECK(lz_config_arg(c, 6) == NULL);
	CHECK(lz_config_arg(c, -1) == NULL);
	lz_config_destroy(&c);
}

static const char ini_text[] = "; a comment\n"
			       "[common]\n"
			       "name = from-common\n"
			       "port = 7100\n"
			       "count = 5\n"
			       "someone_elses_key = whatever\n"
			       "log-level = warn\n"
			       "\n"
			       "[test]\n"
			       "port = 7200\n"
			       "verbose = true\n"
			       "color = false\n"
			       "\n"
			       "[other]\n"
			       "name = from-other\n"
			       "bogus = fine here\n";

static void
test_config_file(void)
{
	char path[64], opt[80];
	struct lz_config *c;

	if (write_temp(path, sizeof(path), ini_text) < 0) {
		CHECK(!"cannot write a temporary file");
		return;
	}
	snprintf(opt, sizeof(opt), "--config=%s", path);

	c = new_config();
	{
		char **argv = ARGV("--config", path);
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "from-common");
		CHECK_EQ_INT(lz_config_int(c, "port"), 7200);
		CHECK_EQ_INT(lz_config_int(c, "count"), 5);
		CHECK_EQ_INT(lz_config_flag(c, "verbose"), 1);
		CHECK_EQ_INT(lz_config_flag(c, "color"), 0);
		CHECK_EQ_STR(lz_config_str(c, "log-level"), "warn");
		CHECK_EQ_STR(lz_config_str(c, "config"), path);
	}
	lz_config_destroy(&c);

	/* Flags beat the file, before or after --config. */
	c = new_config();
	{
		char **argv = ARGV("--port", "7300", "--config", path, "--name",
				   "from-flag", "--color");
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(lz_config_int(c, "port"), 7300);
		CHECK_EQ_STR(lz_config_str(c, "name"), "from-flag");
		CHECK_EQ_INT(lz_config_flag(c, "color"), 1);
		CHECK_EQ_INT(lz_config_int(c, "count"), 5);
	}
	lz_config_destroy(&c);
	c = new_config();
	{
		char **argv = ARGV(opt, "--port=7400", "--log-level", "error");
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(lz_config_int(c, "port"), 7400);
		CHECK_EQ_STR(lz_config_str(c, "log-level"), "error");
	}
	lz_config_destroy(&c);
	unlink(path);

	/* The own section beats [common] whatever their order in the file. */
	if (write_temp(path, sizeof(path),
		       "[test]\nname = from-section\n"
		       "[common]\nname = from-common\nport = 7500\n") < 0) {
		CHECK(!"cannot write a temporary file");
		return;
	}
	c = new_config();
	{
		char **argv = ARGV("--config", path);
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "from-section");
		CHECK_EQ_INT(lz_config_int(c, "port"), 7500);
	}
	lz_config_destroy(&c);
	unlink(path);
}

/* Parses "--config FILE" where FILE holds TEXT; returns the result. */
static int
parse_file_rc(const char *text)
{
	char path[64];
	int rc;

	if (write_temp(path, sizeof(path), text) < 0)
		return -99;
	rc = parse_rc(ARGV("--config", path));
	unlink(path);
	return rc;
}

static void
test_config_file_errors(void)
{
	CHECK_EQ_INT(parse_file_rc("[test]\nnmae = typo\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[common]\nnmae = not ours, fine\n"), 0);
	CHECK_EQ_INT(parse_file_rc("[elsewhere]\nnmae = not ours\n"), 0);
	CHECK_EQ_INT(parse_file_rc("[test]\nconfig = /etc/other.ini\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[test]\nport = seventy\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[test]\nport = 70000\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[common]\nport = 0\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[test]\nverbose = sometimes\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[test]\nlog-level = chatty\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[test\nport = 1\n"), -1);
	CHECK_EQ_INT(parse_file_rc("[test]\njust some words\n"), -1);
	CHECK_EQ_INT(parse_file_rc(""), 0);
	/* A bad value in the file is fine when a flag overrides it. */
	{
		char path[64];
		if (write_temp(path, sizeof(path), "[test]\nport = 0\n") == 0) {
			CHECK_EQ_INT(parse_rc(ARGV("--config", path, "--port",
						   "80")),
				     0);
			unlink(path);
		}
	}
	CHECK_EQ_INT(parse_rc(ARGV("--config", "/nonexistent/lz-test.ini")),
		     -1);
	CHECK_EQ_INT(parse_rc(ARGV("--config")), -1);
}

/* lz-ctl and lz-tap read a deployment's endpoints from the daemons'
 * sections of the same file. */
static void
test_config_from_section(void)
{
	static const char text[] = "[common]\nlog-level = warn\n"
				   "[gateway]\nzmq = tcp://0.0.0.0:7400\n"
				   "key = /etc/livrazou/gateway.key\n"
				   "empty =\n"
				   "[impact]\nadmin = 0.0.0.0:7187\n"
				   "[bus]\nxpub = tcp://*:7101\n"
				   "[orders]\nadmin = 10.0.0.2:7182\n"
				   "[test]\nnodef = from-own-section\n";
	char path[64];
	struct lz_config *c;

	if (write_temp(path, sizeof(path), text) < 0) {
		CHECK(!"cannot write a temporary file");
		return;
	}
	c = new_config();
	{
		char **argv = ARGV("--config", path);
		CHECK_EQ_INT(parse(c, argv), 0);
		/* A bind on every address becomes loopback. */
		CHECK_EQ_INT(
			lz_config_from_section(c, "name", "gateway", "zmq"), 1);
		CHECK_EQ_STR(lz_config_str(c, "name"), "tcp://127.0.0.1:7400");
		/* Taken once: the option no longer has its default. */
		CHECK_EQ_INT(lz_config_from_section(c, "name", "bus", "xpub"),
			     0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "tcp://127.0.0.1:7400");
		/* The program's own section wins. */
		CHECK_EQ_INT(
			lz_config_from_section(c, "nodef", "gateway", "key"),
			0);
		CHECK_EQ_STR(lz_config_str(c, "nodef"), "from-own-section");
	}
	lz_config_destroy(&c);
	c = new_config();
	{
		char **argv = ARGV("--config", path);
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(lz_config_from_section(c, "name", "bus", "xpub"),
			     1);
		CHECK_EQ_STR(lz_config_str(c, "name"), "tcp://127.0.0.1:7101");
	}
	lz_config_destroy(&c);
	c = new_config();
	{
		char **argv = ARGV("--config", path);
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(
			lz_config_from_section(c, "name", "impact", "admin"),
			1);
		CHECK_EQ_STR(lz_config_str(c, "name"), "127.0.0.1:7187");
		/* Another host, or a path, is kept as it is. */
		CHECK_EQ_INT(
			lz_config_from_section(c, "nodef", "orders", "admin"),
			0);
	}
	lz_config_destroy(&c);
	c = new_config();
	{
		char **argv = ARGV("--config", path);
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(
			lz_config_from_section(c, "name", "orders", "admin"),
			1);
		CHECK_EQ_STR(lz_config_str(c, "name"), "10.0.0.2:7182");
		CHECK_EQ_INT(
			lz_config_from_section(c, "count", "gateway", "key"),
			1);
		CHECK_EQ_STR(lz_config_str(c, "count"),
			     "/etc/livrazou/gateway.key");
	}
	lz_config_destroy(&c);
	/* A flag wins; a missing or empty key, a missing section change
	 * nothing. */
	c = new_config();
	{
		char **argv = ARGV("--config", path, "--name", "tcp://h:1");
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(
			lz_config_from_section(c, "name", "gateway", "zmq"), 0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "tcp://h:1");
		CHECK_EQ_INT(lz_config_from_section(c, "nodef", "gateway",
						    "nothere"),
			     0);
		CHECK_EQ_INT(
			lz_config_from_section(c, "port", "gateway", "empty"),
			0);
		CHECK_EQ_INT(lz_config_int(c, "port"), 7000);
		CHECK_EQ_INT(lz_config_from_section(c, "port", "nosuch", "zmq"),
			     0);
	}
	lz_config_destroy(&c);
	/* Without --config, nothing is read. */
	c = new_config();
	{
		char *argv[] = {"prog", NULL};
		CHECK_EQ_INT(parse(c, argv), 0);
		CHECK_EQ_INT(
			lz_config_from_section(c, "name", "gateway", "zmq"), 0);
		CHECK_EQ_STR(lz_config_str(c, "name"), "dflt");
	}
	lz_config_destroy(&c);
	unlink(path);
}

/* ---- lz_metrics ---- */

static void
test_metrics_values(void)
{
	struct lz_metrics *m = lz_metrics_new();
	static const double bounds[] = {0.1, 1, 10};
	struct lz_metric *a, *a2, *b, *g, *h;

	a = lz_metrics_counter(m, "x_total", "X.", "kind", "a");
	a2 = lz_metrics_counter(m, "x_total", "X.", "kind", "a");
	b = lz_metrics_counter(m, "x_total", "X.", "kind", "b");
	CHECK(a == a2);
	CHECK(a != b);
	CHECK(lz_metrics_counter(m, "x_total", "X.", NULL, NULL) != a);
	CHECK(lz_metrics_counter(m, "x_total", "X.", NULL, NULL) ==
	      lz_metrics_counter(m, "x_total", "X.", NULL, NULL));
	CHECK(lz_metric_value(a) == 0);
	lz_metric_add(a, 2);
	lz_metric_add(a2, 0.5);
	CHECK(lz_metric_value(a) == 2.5);
	CHECK(lz_metric_value(b) == 0);

	g = lz_metrics_gauge(m, "g", "G.", NULL, NULL);
	lz_metric_set(g, 7);
	lz_metric_add(g, -10);
	CHECK(lz_metric_value(g) == -3);

	h = lz_metrics_histogram(m, "h_seconds", "H.", bounds,
				 (int)LZ_ARRAY_LEN(bounds));
	CHECK(lz_metrics_histogram(m, "h_seconds", "H.", bounds, 3) == h);
	lz_metric_observe(h, 0.05);
	lz_metric_observe(h, 0.1); /* le is inclusive */
	lz_metric_observe(h, 0.5);
	lz_metric_observe(h, 5);
	lz_metric_observe(h, 100);
	CHECK(lz_metric_value(h) == 5);
	{
		char *text = render(m);
		CHECK(strstr(text, "h_seconds_bucket{le=\"0.1\"} 2\n"
				   "h_seconds_bucket{le=\"1\"} 3\n"
				   "h_seconds_bucket{le=\"10\"} 4\n"
				   "h_seconds_bucket{le=\"+Inf\"} 5\n"
				   "h_seconds_sum 105.65\n"
				   "h_seconds_count 5\n") != NULL);
		CHECK(strstr(text, "g -3\n") != NULL);
		CHECK(strstr(text, "x_total{kind=\"a\"} 2.5\n") != NULL);
		CHECK(strstr(text, "x_total{kind=\"b\"} 0\n") != NULL);
		CHECK(strstr(text, "\nx_total 0\n") != NULL);
		free(text);
	}
	lz_metrics_destroy(&m);
	CHECK(m == NULL);
	lz_metrics_destroy(&m);
}

/* Fills M with families created in an interleaved order. */
static void
fill_metrics(struct lz_metrics *m)
{
	static const double bounds[] = {0.00025, 0.5, 1, 2.5};
	struct lz_metric *h;

	lz_metric_add(lz_metrics_counter(m, "lz_a_total", "Things a.", "source",
					 "s1"),
		      3);
	lz_metric_set(lz_metrics_gauge(m, "lz_b", "Gauge b.", NULL, NULL), 1.5);
	h = lz_metrics_histogram(m, "lz_c_seconds", "Latency c.", bounds,
				 (int)LZ_ARRAY_LEN(bounds));
	lz_metric_add(lz_metrics_counter(m, "lz_a_total", "Things a.", "source",
					 "we\"ird\\one\nx"),
		      1);
	lz_metric_set(lz_metrics_gauge(m, "lz_d", "Big gauge.", NULL, NULL),
		      1e20);
	lz_metric_set(lz_metrics_gauge(m, "lz_e", "Odd gauge.", "k", "inf"),
		      INFINITY);
	lz_metric_set(lz_metrics_gauge(m, "lz_e", "Odd gauge.", "k", "nan"),
		      NAN);
	lz_metric_set(lz_metrics_gauge(m, "lz_e", "Odd gauge.", "k", "small"),
		      -0.000125);
	lz_metric_add(lz_metrics_counter(m, "lz_a_total", "Things a.", "source",
					 "s3"),
		      4);
	lz_metric_observe(h, 0.0001);
	lz_metric_observe(h, 0.7);
	lz_metric_observe(h, 0.7);
	lz_metric_observe(h, 3);
	/* A histogram nobody observed yet. */
	lz_metrics_histogram(m, "lz_f_bytes", "Empty.", bounds, 2);
}

static int
count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Durable counters become metrics through a table: exact names, labelled
 * families, scales and gauges; counters never go down. */
static void
test_metrics_sync_stat(void)
{
	static const struct lz_stat_metric table[] = {
		{"placed", "t_placed_total", "Placed", NULL, 0, 0},
		{"distance_m", "t_km_total", "Km", NULL, 1e-3, 0},
		{"refused", "t_refused_total", "Refused", "reason", 0, 0},
		{"status", "t_orders", "By status", "status", 0, 1},
	};
	struct lz_metrics *m = lz_metrics_new();
	size_t n = LZ_ARRAY_LEN(table);
	char *text;

	lz_metrics_sync_stat(m, table, n, "placed", 5);
	lz_metrics_sync_stat(m, table, n, "distance_m", 12500);
	lz_metrics_sync_stat(m, table, n, "refused/capacity", 2);
	lz_metrics_sync_stat(m, table, n, "status/planned", 7);
	lz_metrics_sync_stat(m, table, n, "status/planned", 3);
	/* Not in the table, or not matching its shape: left alone. */
	lz_metrics_sync_stat(m, table, n, "placedx", 9);
	lz_metrics_sync_stat(m, table, n, "refused", 9);
	lz_metrics_sync_stat(m, table, n, "refused/", 9);
	lz_metrics_sync_stat(m, table, n, "unknown", 9);
	/* A counter read lower than the metric does not move it back. */
	lz_metrics_sync_stat(m, table, n, "placed", 4);
	CHECK(lz_metric_value(lz_metrics_counter(m, "t_placed_total", "Placed",
						 NULL, NULL)) == 5);
	CHECK(lz_metric_value(lz_metrics_counter(m, "t_km_total", "Km", NULL,
						 NULL)) == 12.5);
	CHECK(lz_metric_value(lz_metrics_counter(m, "t_refused_total",
						 "Refused", "reason",
						 "capacity")) == 2);
	CHECK(lz_metric_value(lz_metrics_gauge(m, "t_orders", "By status",
					       "status", "planned")) == 3);
	text = render(m);
	CHECK(strstr(text, "placedx") == NULL);
	CHECK(strstr(text, "unknown") == NULL);
	CHECK(strstr(text, "reason=\"\"") == NULL);
	CHECK(strstr(text, "t_refused_total 9") == NULL);
	free(text);
	lz_metrics_destroy(&m);
}

/* What a scrape sees before anything happened: every unlabelled entry
 * of a table at 0, and the label values asked for; a value already
 * counted is left as it is. */
static void
test_metrics_init_stat(void)
{
	static const struct lz_stat_metric table[] = {
		{"placed", "t_placed_total", "Placed", NULL, 0, 0},
		{"stock", "t_stock_units", "Stock", NULL, 0, 1},
		{"refused", "t_refused_total", "Refused", "reason", 0, 0},
	};
	struct lz_metrics *m = lz_metrics_new();
	size_t n = LZ_ARRAY_LEN(table);
	char *text;

	lz_metrics_sync_stat(m, table, n, "refused/capacity", 2);
	lz_metrics_init_stats(m, table, n);
	lz_metrics_init_stat(m, table, n, "refused/capacity");
	lz_metrics_init_stat(m, table, n, "refused/no_room");
	lz_metrics_init_stat(m, table, n, "refused/");
	lz_metrics_init_stat(m, table, n, "unknown/x");
	text = render(m);
	CHECK(strstr(text, "\nt_placed_total 0\n") != NULL);
	CHECK(strstr(text, "# TYPE t_stock_units gauge\nt_stock_units 0\n") !=
	      NULL);
	CHECK(strstr(text, "t_refused_total{reason=\"capacity\"} 2\n") != NULL);
	CHECK(strstr(text, "t_refused_total{reason=\"no_room\"} 0\n") != NULL);
	CHECK_EQ_INT(count_of(text, "t_refused_total{"), 2);
	CHECK(strstr(text, "unknown") == NULL);
	free(text);
	lz_metrics_destroy(&m);
}

static void
test_metrics_render(void)
{
	struct lz_metrics *m = lz_metrics_new();
	char err[256];
	char *text;

	fill_metrics(m);
	text = render(m);
	CHECK_EQ_INT(prom_validate(text, err, sizeof(err)), 0);
	CHECK_EQ_STR(err, "");
	CHECK_EQ_INT(count_of(text, "# HELP lz_a_total "), 1);
	CHECK_EQ_INT(count_of(text, "# TYPE lz_a_total counter\n"), 1);
	CHECK_EQ_INT(count_of(text, "# TYPE lz_b gauge\n"), 1);
	CHECK_EQ_INT(count_of(text, "# TYPE lz_c_seconds histogram\n"), 1);
	CHECK_EQ_INT(count_of(text, "# TYPE lz_e gauge\n"), 1);
	CHECK(strstr(text, "lz_a_total{source=\"s1\"} 3\n"
			   "lz_a_total{source=\"we\\\"ird\\\\one\\nx\"} 1\n"
			   "lz_a_total{source=\"s3\"} 4\n") != NULL);
	CHECK(strstr(text, "lz_c_seconds_bucket{le=\"0.00025\"} 1\n"
			   "lz_c_seconds_bucket{le=\"0.5\"} 1\n"
			   "lz_c_seconds_bucket{le=\"1\"} 3\n"
			   "lz_c_seconds_bucket{le=\"2.5\"} 3\n"
			   "lz_c_seconds_bucket{le=\"+Inf\"} 4\n"
			   "lz_c_seconds_sum 4.4001\n"
			   "lz_c_seconds_count 4\n") != NULL);
	CHECK(strstr(text, "lz_f_bytes_bucket{le=\"+Inf\"} 0\n"
			   "lz_f_bytes_sum 0\nlz_f_bytes_count 0\n") != NULL);
	CHECK(strstr(text, "lz_e{k=\"inf\"} +Inf\n") != NULL);
	CHECK(strstr(text, "lz_e{k=\"nan\"} NaN\n") != NULL);
	CHECK(strstr(text, "lz_e{k=\"small\"} -0.000125\n") != NULL);
	free(text);
	lz_metrics_destroy(&m);
}

/* HELP text must escape backslash and newline (format 0.0.4). */
static void
test_metrics_help_escape(void)
{
	struct lz_metrics *m = lz_metrics_new();
	char err[256];
	char *text;

	lz_metrics_counter(m, "lz_esc_total", "Line one\nline two \\ end.",
			   NULL, NULL);
	text = render(m);
	CHECK(strstr(text, "# HELP lz_esc_total Line one\\nline two \\\\ "
			   "end.\n") != NULL);
	CHECK_EQ_INT(prom_validate(text, err, sizeof(err)), 0);
	free(text);
	lz_metrics_destroy(&m);
}

/* ---- lz_http ---- */

struct reply {
	int done;
	int code; /* 0: no response */
	char body[8192];
	char ctype[128];
};

struct client {
	struct lz_loop *loop;
	struct reply *r;
};

static void
on_client_reply(struct evhttp_request *req, void *arg)
{
	struct client *cl = arg;
	struct reply *r = cl->r;

	r->done = 1;
	if (req != NULL && evhttp_request_get_response_code(req) > 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		const char *ct = evhttp_find_header(
			evhttp_request_get_input_headers(req), "Content-Type");

		r->code = evhttp_request_get_response_code(req);
		if (n >= sizeof(r->body))
			n = sizeof(r->body) - 1;
		evbuffer_remove(in, r->body, n);
		r->body[n] = '\0';
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct ? ct : "");
	}
	lz_loop_stop(cl->loop);
}

static void
on_client_timeout(void *arg)
{
	struct client *cl = arg;

	lz_loop_stop(cl->loop);
}

/* GETs PATH from 127.0.0.1:PORT, running LOOP until the answer or 2 s. */
static void
http_get(struct lz_loop *loop, int port, const char *path, struct reply *r)
{
	struct client cl = {loop, r};
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	struct lz_timer *t;

	memset(r, 0, sizeof(*r));
	conn = evhttp_connection_base_new(lz_loop_base(loop), NULL, "127.0.0.1",
					  (unsigned short)port);
	req = evhttp_request_new(on_client_reply, &cl);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
			  "127.0.0.1");
	t = lz_timer_new(loop, 2000, 0, on_client_timeout, &cl);
	if (evhttp_make_request(conn, req, EVHTTP_REQ_GET, path) == 0)
		lz_loop_run(loop);
	lz_timer_destroy(&t);
	evhttp_connection_free(conn);
}

static int
ready_fn(void *arg, char *why, size_t whylen)
{
	const int *ready = arg;

	if (!*ready)
		snprintf(why, whylen, "source %s applied %d of %d", "orders", 1,
			 2);
	return *ready;
}

static void
on_echo(struct evhttp_request *req, void *arg)
{
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	char body[256];
	int n = snprintf(body, sizeof(body), "%s:%s", (const char *)arg, path);

	lz_http_reply(req, 201, "text/plain", body, (size_t)n);
}

static void
test_http_bad_addresses(void)
{
	struct lz_loop *loop = lz_loop_new();
	struct lz_http *h;

	CHECK((h = lz_http_new(loop, "no-port")) == NULL);
	CHECK((h = lz_http_new(loop, "127.0.0.1:")) == NULL);
	CHECK((h = lz_http_new(loop, "127.0.0.1:http")) == NULL);
	CHECK((h = lz_http_new(loop, "127.0.0.1:65536")) == NULL);
	CHECK((h = lz_http_new(loop, "127.0.0.1:-1")) == NULL);
	lz_http_destroy(&h); /* NULL is fine */
	lz_loop_destroy(&loop);
	CHECK(loop == NULL);
}

static void
test_http_admin(void)
{
	struct lz_loop *loop = lz_loop_new();
	struct lz_metrics *m = lz_metrics_new();
	struct lz_http *h = lz_http_new(loop, "127.0.0.1:0");
	struct reply *r = xcalloc(1, sizeof(*r));
	char err[256];
	int ready = 1, port;

	CHECK(h != NULL);
	if (h == NULL)
		goto out;
	port = lz_http_port(h);
	CHECK(port > 0 && port <= 65535);
	fill_metrics(m);
	lz_http_admin(h, m, ready_fn, &ready);
	lz_http_route(h, "/api/", on_echo, "api");
	lz_http_route(h, "/exact", on_echo, "exact");

	http_get(loop, port, "/healthz", r);
	CHECK_EQ_INT(r->code, 200);
	CHECK_EQ_STR(r->body, "ok\n");
	CHECK_EQ_STR(r->ctype, "text/plain");

	http_get(loop, port, "/readyz", r);
	CHECK_EQ_INT(r->code, 200);
	CHECK_EQ_STR(r->body, "ready\n");

	ready = 0;
	http_get(loop, port, "/readyz", r);
	CHECK_EQ_INT(r->code, 503);
	CHECK_EQ_STR(r->body, "not ready: source orders applied 1 of 2\n");
	ready = 1;
	http_get(loop, port, "/readyz", r);
	CHECK_EQ_INT(r->code, 200);

	http_get(loop, port, "/metrics", r);
	CHECK_EQ_INT(r->code, 200);
	CHECK(strncmp(r->ctype, "text/plain; version=0.0.4", 25) == 0);
	CHECK_EQ_INT(prom_validate(r->body, err, sizeof(err)), 0);
	CHECK_EQ_STR(err, "");
	CHECK(strstr(r->body, "lz_a_total{source=\"s1\"} 3\n") != NULL);
	CHECK(strstr(r->body, "lz_c_seconds_count 4\n") != NULL);

	/* The body follows the metrics as they change. */
	lz_metric_add(lz_metrics_counter(m, "lz_a_total", "Things a.", "source",
					 "s1"),
		      10);
	http_get(loop, port, "/metrics", r);
	CHECK(strstr(r->body, "lz_a_total{source=\"s1\"} 13\n") != NULL);

	http_get(loop, port, "/nope", r);
	CHECK_EQ_INT(r->code, 404);
	CHECK_EQ_STR(r->body, "{\"error\":\"not found\"}");
	CHECK_EQ_STR(r->ctype, "application/json");
	http_get(loop, port, "/metricsx", r);
	CHECK_EQ_INT(r->code, 404);
	http_get(loop, port, "/", r);
	CHECK_EQ_INT(r->code, 404);
	http_get(loop, port, "/healthz?verbose=1", r);
	CHECK_EQ_INT(r->code, 200);

	http_get(loop, port, "/api/items/3", r);
	CHECK_EQ_INT(r->code, 201);
	CHECK_EQ_STR(r->body, "api:/api/items/3");
	http_get(loop, port, "/api", r);
	CHECK_EQ_INT(r->code, 404);
	http_get(loop, port, "/exact", r);
	CHECK_EQ_INT(r->code, 201);
	CHECK_EQ_STR(r->body, "exact:/exact");
	http_get(loop, port, "/exact/more", r);
	CHECK_EQ_INT(r->code, 404);

	lz_http_destroy(&h);
	CHECK(h == NULL);
out:
	free(r);
	lz_metrics_destroy(&m);
	lz_loop_destroy(&loop);
}

/* Without a ready function, /readyz always answers 200. */
static void
test_http_no_ready_fn(void)
{
	struct lz_loop *loop = lz_loop_new();
	struct lz_metrics *m = lz_metrics_new();
	struct lz_http *h = lz_http_new(loop, "127.0.0.1:0");
	struct reply *r = xcalloc(1, sizeof(*r));
	char err[256];

	CHECK(h != NULL);
	if (h != NULL) {
		lz_http_admin(h, m, NULL, NULL);
		http_get(loop, lz_http_port(h), "/readyz", r);
		CHECK_EQ_INT(r->code, 200);
		CHECK_EQ_STR(r->body, "ready\n");
		/* An empty registry renders as an empty, valid body. */
		http_get(loop, lz_http_port(h), "/metrics", r);
		CHECK_EQ_INT(r->code, 200);
		CHECK_EQ_STR(r->body, "");
		CHECK_EQ_INT(prom_validate(r->body, err, sizeof(err)), 0);
		lz_http_destroy(&h);
	}
	free(r);
	lz_metrics_destroy(&m);
	lz_loop_destroy(&loop);
}

/* ---- lz_loop: stop, failure, SIGHUP ---- */

struct fail_case {
	struct lz_loop *loop;
	int rc;
	int stop_first;
	int calls;
};

static void
on_fail_timer(void *arg)
{
	struct fail_case *f = arg;

	f->calls++;
	if (f->stop_first)
		lz_loop_stop(f->loop);
	lz_loop_fail(f->loop, f->rc);
}

static void
on_stop_timer(void *arg)
{
	lz_loop_stop(arg);
}

/* Runs a new loop in which a timer calls lz_loop_fail(RC) (after
 * lz_loop_stop if STOP_FIRST); returns lz_loop_run's result. */
static int
run_failing(int rc, int stop_first, int *calls)
{
	struct lz_loop *l = lz_loop_new();
	struct fail_case f = {l, rc, stop_first, 0};
	/* Repeating: it must not run again once it failed the loop. */
	struct lz_timer *t = lz_timer_new(l, 1, 1, on_fail_timer, &f);
	int out = lz_loop_run(l);

	*calls = f.calls;
	lz_timer_destroy(&t);
	lz_loop_destroy(&l);
	return out;
}

static char loop_log[8192];

static void
loop_fail_cases(void)
{
	struct lz_loop *l = lz_loop_new();
	struct lz_timer *t;
	int calls;

	lz_log_init("unit-test", LZ_LOG_INFO);
	/* A stop: 0, and it ends one run only. */
	t = lz_timer_new(l, 1, 0, on_stop_timer, l);
	CHECK_EQ_INT(lz_loop_run(l), 0);
	lz_timer_destroy(&t);
	CHECK_EQ_INT(lz_loop_failure(l), 0);
	CHECK(!lz_loop_stopping(l));
	t = lz_timer_new(l, 1, 0, on_stop_timer, l);
	CHECK_EQ_INT(lz_loop_run(l), 0);
	lz_timer_destroy(&t);
	/* A stop asked for before the run returns at once. */
	lz_loop_stop(l);
	CHECK(lz_loop_stopping(l));
	CHECK_EQ_INT(lz_loop_run(l), 0);
	/* A failure outside the loop (a last flush after the run) is kept,
	 * the first one only, and every later run returns it. */
	lz_loop_fail(l, -ENOSPC);
	CHECK_EQ_INT(lz_loop_failure(l), -ENOSPC);
	CHECK(lz_loop_stopping(l));
	lz_loop_fail(l, -EIO);
	CHECK_EQ_INT(lz_loop_failure(l), -ENOSPC);
	CHECK_EQ_INT(lz_loop_run(l), -ENOSPC);
	CHECK_EQ_INT(lz_loop_run(l), -ENOSPC);
	CHECK(lz_loop_stopping(l));
	lz_loop_destroy(&l);

	/* A failure in a callback ends the run after that callback. */
	CHECK_EQ_INT(run_failing(-ENOSPC, 0, &calls), -ENOSPC);
	CHECK_EQ_INT(calls, 1);
	/* Even after a stop in the same turn. */
	CHECK_EQ_INT(run_failing(-EIO, 1, &calls), -EIO);
	CHECK_EQ_INT(calls, 1);
	/* A failure is never 0 or positive. */
	CHECK_EQ_INT(run_failing(0, 0, &calls), -1);
	CHECK_EQ_INT(run_failing(7, 0, &calls), -1);
	lz_log_init("test_common", LZ_LOG_WARN);
}

static void
test_loop_fail(void)
{
	capture_stderr(loop_fail_cases, loop_log, sizeof(loop_log));
	CHECK(strstr(loop_log, "level=error prog=unit-test msg=stopping "
			       "reason=failure rc=-28\n") != NULL);
	CHECK(strstr(loop_log, "msg=stopping reason=failure rc=-5\n") != NULL);
	/* The second failure of the same loop is not logged. */
	{
		int n = 0;
		for (const char *p = loop_log;
		     (p = strstr(p, "reason=failure rc=-28")) != NULL; p++)
			n++;
		CHECK_EQ_INT(n, 2);
	}
}

static void
on_raise_hup(void *arg)
{
	raise(SIGHUP);
}

static void
on_reload(void *arg)
{
	int *n = arg;

	(*n)++;
}

static int hup_runs, hup_reloads;

/* Raises SIGHUP in a running loop, then stops it 50 ms later. */
static void
hup_once(struct lz_loop *l)
{
	struct lz_timer *t1 = lz_timer_new(l, 1, 0, on_raise_hup, NULL);
	struct lz_timer *t2 = lz_timer_new(l, 50, 0, on_stop_timer, l);

	if (lz_loop_run(l) == 0)
		hup_runs++;
	lz_timer_destroy(&t1);
	lz_timer_destroy(&t2);
}

static void
loop_hup_cases(void)
{
	struct lz_loop *l = lz_loop_new();

	lz_log_init("unit-test", LZ_LOG_INFO);
	hup_once(l); /* no hook: logged, and nothing else */
	lz_loop_on_reload(l, "partners file", on_reload, &hup_reloads);
	hup_once(l);
	hup_once(l);
	lz_loop_on_reload(l, NULL, NULL, NULL);
	hup_once(l);
	lz_loop_destroy(&l);
	lz_log_init("test_common", LZ_LOG_WARN);
}

static void
test_loop_sighup(void)
{
	/* SIGHUP would end this process if the loop did not handle it. */
	capture_stderr(loop_hup_cases, loop_log, sizeof(loop_log));
	CHECK_EQ_INT(hup_runs, 4);
	CHECK_EQ_INT(hup_reloads, 2);
	CHECK(strstr(loop_log, " level=info prog=unit-test msg=\"reload: "
			       "nothing to reload\" signal=SIGHUP "
			       "log=stderr\n") != NULL);
	CHECK(strstr(loop_log, " level=info prog=unit-test msg=reload "
			       "signal=SIGHUP log=stderr what=\"partners "
			       "file\"\n") != NULL);
	{
		int n = 0;
		for (const char *p = loop_log;
		     (p = strstr(p, "nothing to reload")) != NULL; p++)
			n++;
		CHECK_EQ_INT(n, 2);
	}
}

/* ---- lz_partners ---- */

static void
test_partners(void)
{
	char pub[41], sec[41], pub2[41], sec2[41], hash[65], text[1024];
	char path[64], err[512], roles[128], bad[64];
	struct lz_partners *ps = NULL;
	struct lz_partner *p;
	unsigned mask;

	CHECK(zmq_curve_keypair(pub, sec) == 0);
	CHECK(zmq_curve_keypair(pub2, sec2) == 0);
	lz_partners_hash_token("secret-token", hash);
	CHECK_EQ_INT(strlen(hash), 64);
	snprintf(text, sizeof(text),
		 "# id member roles key token\n"
		 "\n"
		 "shop fournil shipper %s %s\n"
		 "  ops\tlivrazou operator,receiver - -\n"
		 "rider1 livrazou rider %s -\n",
		 pub, hash, pub2);
	if (write_temp(path, sizeof(path), text) < 0) {
		CHECK(!"cannot write a temporary file");
		return;
	}
	CHECK_EQ_INT(lz_partners_load(path, &ps, err, sizeof(err)), 0);
	unlink(path);
	if (ps == NULL)
		return;
	CHECK_EQ_INT(ps->n, 3);
	p = lz_partners_by_id(ps, "shop");
	CHECK(p != NULL && strcmp(p->member, "fournil") == 0 &&
	      p->roles == LZ_ROLE_SHIPPER && p->has_token);
	CHECK(lz_partners_by_key(ps, pub) == p);
	CHECK(lz_partners_by_token(ps, "secret-token") == p);
	CHECK(lz_partners_by_token(ps, "secret-tokeN") == NULL);
	CHECK(lz_partners_by_key(ps, pub2) == lz_partners_by_id(ps, "rider1"));
	CHECK(lz_partners_by_id(ps, "nobody") == NULL);
	p = lz_partners_by_id(ps, "ops");
	CHECK(p != NULL && p->curve_key[0] == '\0' && !p->has_token);
	if (p) {
		lz_partners_format_roles(p->roles, roles, sizeof(roles));
		CHECK_EQ_STR(roles, "receiver,operator");
	}
	/* The rate limit: a burst, then the refill rate. */
	p = lz_partners_by_id(ps, "shop");
	if (p) {
		CHECK_EQ_INT(lz_partners_rate_allow(p, 1, 2, 1000000), 1);
		CHECK_EQ_INT(lz_partners_rate_allow(p, 1, 2, 1000000), 1);
		CHECK_EQ_INT(lz_partners_rate_allow(p, 1, 2, 1000000), 0);
		CHECK_EQ_INT(lz_partners_rate_allow(p, 1, 2, 1500000), 0);
		CHECK_EQ_INT(lz_partners_rate_allow(p, 1, 2, 2000000), 1);
	}
	lz_partners_destroy(&ps);
	CHECK(ps == NULL);
	lz_partners_destroy(&ps); /* NULL is fine */

	CHECK_EQ_INT(lz_partners_parse_roles("driver,relay", &mask, bad,
					     sizeof(bad)),
		     0);
	CHECK_EQ_INT(mask, LZ_ROLE_DRIVER | LZ_ROLE_RELAY);
	CHECK_EQ_INT(lz_partners_parse_roles("shipper,chef", &mask, bad,
					     sizeof(bad)),
		     -1);
	CHECK_EQ_STR(bad, "chef");

	/* Refusals say where and why; ids go through lz_valid_id. */
	{
		static const struct {
			const char *line, *why;
		} cases[] = {
			{"a/b m shipper - -", ":1: bad partner id"},
			{"a m/x shipper - -", ":1: bad member id"},
			{"a m chef - -", ":1: unknown role: chef"},
			{"a m shipper short -", ":1: bad CURVE public key"},
			{"a m shipper - abc", ":1: bad token hash"},
			{"a m shipper -", ":1: want 5 fields"},
			{"a m shipper - -\na n shipper - -",
			 ":2: partner id or "
			 "key listed twice"},
		};
		for (size_t i = 0; i < LZ_ARRAY_LEN(cases); i++) {
			if (write_temp(path, sizeof(path), cases[i].line) < 0)
				continue;
			err[0] = '\0';
			CHECK_EQ_INT(
				lz_partners_load(path, &ps, err, sizeof(err)),
				-1);
			CHECK(ps == NULL);
			if (strstr(err, cases[i].why) == NULL)
				printf("# %s -> %s\n", cases[i].line, err);
			CHECK(strstr(err, cases[i].why) != NULL);
			unlink(path);
		}
	}
	CHECK_EQ_INT(lz_partners_load("/nonexistent/partners", &ps, err,
				      sizeof(err)),
		     -1);
	CHECK(strstr(err, "No such file") != NULL);
}

/* ---- lz_client: why a gateway does not answer ---- */

/* A key-pair file like lz-ctl keygen writes, into PATH. */
static int
write_keys(char *path, size_t size, char pub[41])
{
	char sec[41], text[160];

	if (zmq_curve_keypair(pub, sec) != 0)
		return -1;
	snprintf(text, sizeof(text), "public-key = %s\nsecret-key = %s\n", pub,
		 sec);
	return write_temp(path, size, text);
}

/* Submits a command through a client of ENDPOINT trusting SERVER_KEY;
 * returns what lz_client_explain says of the timeout (-1 if an Ack came).
 */
static int
explain_timeout(const char *endpoint, const char *key_path,
		const char *server_key, char *why, size_t len)
{
	char err[256];
	struct lz_client *c =
		lz_client_new(endpoint, key_path, server_key, err, sizeof(err));
	struct lz_client_ack ack;
	int rc, cause = -1;

	if (c == NULL) {
		printf("# %s\n", err);
		return -2;
	}
	rc = lz_client_submit(c, "lz.orders.v1.PlaceOrder", (const uint8_t *)"",
			      0, "m1", 600, 0, &ack);
	if (rc == -ETIMEDOUT)
		cause = (int)lz_client_explain(c, why, len);
	json_decref(ack.json);
	lz_client_destroy(&c);
	return cause;
}

static void
test_client_explain(void)
{
	char keys[64], srv_keys[64], pub[41], srv_pub[41], srv_sec[41];
	char other_pub[41], other_sec[41], ep[64], why[512];
	void *ctx = zmq_ctx_new(), *srv = zmq_socket(ctx, ZMQ_ROUTER);
	int one = 1, zero = 0;
	size_t len = sizeof(ep);

	if (write_keys(keys, sizeof(keys), pub) < 0 ||
	    write_keys(srv_keys, sizeof(srv_keys), srv_pub) < 0) {
		CHECK(!"cannot write key files");
		return;
	}
	/* Nothing listens on a port we bound and closed (its context
	 * terminated, so that the listener is gone). */
	{
		void *tctx = zmq_ctx_new(), *tmp = zmq_socket(tctx, ZMQ_ROUTER);
		zmq_setsockopt(tmp, ZMQ_LINGER, &zero, sizeof(zero));
		zmq_bind(tmp, "tcp://127.0.0.1:*");
		zmq_getsockopt(tmp, ZMQ_LAST_ENDPOINT, ep, &len);
		zmq_close(tmp);
		zmq_ctx_term(tctx);
	}
	CHECK_EQ_INT(explain_timeout(ep, keys, srv_pub, why, sizeof(why)),
		     LZ_CLIENT_NOT_LISTENING);
	CHECK(strstr(why, "nothing is listening there") != NULL);

	/* A CURVE server that completes handshakes (no ZAP handler: every
	 * key is accepted) but never answers. */
	CHECK(zmq_curve_keypair(srv_pub, srv_sec) == 0);
	CHECK(zmq_curve_keypair(other_pub, other_sec) == 0);
	zmq_setsockopt(srv, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(srv, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(srv, ZMQ_CURVE_SECRETKEY, srv_sec, 40);
	len = sizeof(ep);
	CHECK(zmq_bind(srv, "tcp://127.0.0.1:*") == 0);
	zmq_getsockopt(srv, ZMQ_LAST_ENDPOINT, ep, &len);
	CHECK_EQ_INT(explain_timeout(ep, keys, srv_pub, why, sizeof(why)),
		     LZ_CLIENT_NO_ACK);
	CHECK(strstr(why, "sent no Ack") != NULL);
	/* The wrong server key: the handshake fails. */
	CHECK_EQ_INT(explain_timeout(ep, keys, other_pub, why, sizeof(why)),
		     LZ_CLIENT_HANDSHAKE_FAILED);
	CHECK(strstr(why, "the server key given is not this gateway's") !=
	      NULL);
	zmq_close(srv);
	zmq_ctx_term(ctx);
	unlink(keys);
	unlink(srv_keys);
}

int
main(void)
{
	/* lz_config and lz_http log errors on purpose: keep stderr quiet
	 * below warnings. */
	lz_log_init("test_common", LZ_LOG_WARN);
	RUN(test_prom_checker);
	RUN(test_be64);
	RUN(test_strings);
	RUN(test_valid_id);
	RUN(test_clocks);
	RUN(test_log_parse_level);
	RUN(test_log_quote);
	RUN(test_log_lines);
	lz_log_init("test_common", LZ_LOG_WARN);
	RUN(test_config_defaults);
	RUN(test_config_flags);
	RUN(test_config_ints);
	RUN(test_config_add);
	RUN(test_config_errors);
	RUN(test_config_args);
	RUN(test_config_file);
	RUN(test_config_file_errors);
	RUN(test_config_from_section);
	RUN(test_metrics_values);
	RUN(test_metrics_render);
	RUN(test_metrics_sync_stat);
	RUN(test_metrics_init_stat);
	RUN(test_metrics_help_escape);
	RUN(test_http_bad_addresses);
	RUN(test_http_admin);
	RUN(test_http_no_ready_fn);
	RUN(test_loop_fail);
	RUN(test_loop_sighup);
	if (sodium_init() < 0)
		printf("# cannot initialise libsodium\n");
	RUN(test_partners);
	RUN(test_client_explain);
	return lz_test_summary();
}
