/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_log.c -- see lz_log.h.
 */
#include "lz_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "livrazou";
static enum lz_log_level log_min = LZ_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error",
					  "fatal"};
/* syslog priorities of the levels: debug, info, warning, err, crit */
static const char *const level_prefixes[] = {"<7>", "<6>", "<4>", "<3>", "<2>"};
static int log_journal; /* stderr is the journal: priority, no timestamp */

/* Whether stderr is the stream systemd connected to the journal.
 * JOURNAL_STREAM is inherited by children whose stderr may have been
 * redirected, so it counts only when it names stderr itself (the check
 * systemd.exec(5) describes under $JOURNAL_STREAM). */
static int
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char extra;

	if (e == NULL || sscanf(e, "%llu:%llu%c", &dev, &ino, &extra) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
lz_log_init(const char *prog, enum lz_log_level level)
{
	log_prog = prog;
	log_min = level;
	log_journal = stderr_is_journal();
}

const char *
lz_log_prog(void)
{
	return log_prog;
}

int
lz_log_parse_level(const char *s)
{
	for (int i = 0; i <= LZ_LOG_ERROR; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LZ_LOG_WARN;
	return -1;
}

static void
log_write(enum lz_log_level level, const char *msg, const char *fmt, va_list ap)
{
	char line[4096];
	char ts[32];
	char qmsg[512];
	struct timespec now;
	struct tm tm;
	int n;

	lz_log_quote(qmsg, sizeof(qmsg), msg);
	if (log_journal) {
		n = snprintf(line, sizeof(line), "%slevel=%s prog=%s msg=%s",
			     level_prefixes[level], level_names[level],
			     log_prog, qmsg);
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		n = snprintf(line, sizeof(line),
			     "ts=%s.%03ldZ level=%s prog=%s msg=%s", ts,
			     now.tv_nsec / 1000000, level_names[level],
			     log_prog, qmsg);
	}
	if (fmt != NULL && n > 0 && (size_t)n < sizeof(line) - 2) {
		line[n++] = ' ';
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		if (m > 0)
			n += m;
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
}

void
lz_log(enum lz_log_level level, const char *msg, const char *fmt, ...)
{
	va_list ap;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	log_write(level, msg, fmt, ap);
	va_end(ap);
}

void
lz_fatal(const char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(LZ_LOG_FATAL, msg, fmt, ap);
	va_end(ap);
	exit(1);
}

const char *
lz_log_quote(char *buf, size_t size, const char *s)
{
	size_t o = 0;
	int plain = *s != '\0';

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    *p >= 0x7f)
			plain = 0;
	if (plain) {
		snprintf(buf, size, "%s", s);
		return buf;
	}
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (const char *p = s; *p && o + 3 < size; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < ' ' || c >= 0x7f) {
			if (o + 5 >= size)
				break;
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

int
lz_log_allow(struct lz_log_limit *l)
{
	struct timespec now;
	int64_t sec;

	clock_gettime(CLOCK_MONOTONIC, &now);
	sec = (int64_t)now.tv_sec;
	if (sec != l->second) {
		if (l->suppressed)
			lz_log(LZ_LOG_WARN, "log lines suppressed", "count=%ld",
			       l->suppressed);
		l->second = sec;
		l->lines = 0;
		l->suppressed = 0;
	}
	if (l->lines++ < LZ_LOG_LIMIT_PER_SECOND)
		return 1;
	l->suppressed++;
	return 0;
}
